//! Issue 11 at the library's boundary: `Snapshot::from_reader` parses while it reads and
//! stops at the first bad byte; positions for bytes that are not UTF-8 and for a misplaced
//! byte order mark; JSON paths that name map keys.

use std::io::Read;

use tenant_attach::{LoadError, Snapshot};

/// An endless source of one byte that refuses to hand out more than `budget` bytes: code that
/// reads to the end fails with an I/O error instead of running out of memory.
struct Endless {
    byte: u8,
    budget: usize,
    given: usize,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.given >= self.budget {
            return Err(std::io::Error::other("read past the budget"));
        }
        let n = buf.len().min(self.budget - self.given);
        buf[..n].fill(self.byte);
        self.given += n;
        Ok(n)
    }
}

fn fabrikam() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/fabrikam/snapshot.json"
    ))
    .unwrap()
}

#[test]
fn an_endless_reader_fails_at_its_first_bad_byte() {
    for byte in [0u8, b'x', 0xff] {
        let mut source = Endless {
            byte,
            budget: 64 << 20,
            given: 0,
        };
        let err = Snapshot::from_reader(&mut source).unwrap_err();
        match &err {
            LoadError::Syntax { line, column, .. } => assert_eq!((*line, *column), (1, 1), "{err}"),
            other => panic!("byte {byte:#x}: {other}"),
        }
        assert!(source.given <= 1 << 20, "read {} bytes", source.given);
    }
}

#[test]
fn from_reader_agrees_with_from_json() {
    let text = fabrikam();
    assert_eq!(
        Snapshot::from_reader(text.as_bytes()).unwrap(),
        Snapshot::from_json(&text).unwrap()
    );
    // One byte at a time: sequences cut by reads are whole.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let Some((first, rest)) = self.0.split_first() else {
                return Ok(0);
            };
            if buf.is_empty() {
                return Ok(0);
            }
            buf[0] = *first;
            self.0 = rest;
            Ok(1)
        }
    }
    let accented = text.replacen("FAB-LT-002", "FAB-LT-é€😀", 1);
    assert_eq!(
        Snapshot::from_reader(Trickle(accented.as_bytes())).unwrap(),
        Snapshot::from_json(&accented).unwrap()
    );
}

#[test]
fn bytes_that_are_not_utf8_are_an_error_at_their_position() {
    let text = fabrikam();
    let at = text.find("FAB-LT-002").unwrap();
    let line = 1 + text[..at].matches('\n').count();
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    let mut bytes = text.into_bytes();
    bytes[at + 3] = 0xc3; // a lead byte followed by ASCII
    for err in [
        Snapshot::from_reader(bytes.as_slice()).unwrap_err(),
        Snapshot::from_slice(&bytes).unwrap_err(),
    ] {
        let LoadError::Syntax {
            line: l,
            column: c,
            path,
            message,
        } = &err
        else {
            panic!("{err}")
        };
        assert_eq!((*l, *c), (line, column + 3), "{err}");
        assert_eq!(path, "$.devices[1].name");
        assert!(
            message.contains("not UTF-8") && message.contains("0xc3"),
            "{message}"
        );
    }
}

#[test]
fn a_leading_bom_is_skipped_everywhere() {
    let text = format!("\u{feff}{}", fabrikam());
    let expected = Snapshot::from_json(&fabrikam()).unwrap();
    assert_eq!(Snapshot::from_json(&text).unwrap(), expected);
    assert_eq!(Snapshot::from_slice(text.as_bytes()).unwrap(), expected);
    assert_eq!(Snapshot::from_reader(text.as_bytes()).unwrap(), expected);
}

#[test]
fn paths_name_the_keys_of_maps() {
    let mut v: serde_json::Value = serde_json::from_str(&fabrikam()).unwrap();
    v["policy"]["features"] = serde_json::json!({"timeline": {"since": true}});
    let err = Snapshot::from_json(&v.to_string()).unwrap_err();
    assert_eq!(err.path(), "$.policy.features.timeline.since", "{err}");
    v["policy"]["features"] = serde_json::json!({"view": {}, "a.b": {}});
    let err = Snapshot::from_json(&v.to_string()).unwrap_err();
    assert_eq!(err.path(), "$.policy.features[\"a.b\"]", "{err}");
    assert!(!err.to_string().contains(".?"), "{err}");
}

#[test]
fn the_streaming_check_never_refuses_what_the_parser_accepts() {
    // Every corpus file, and many one-byte mutations of Fabrikam: `from_reader` (the check
    // while reading, then the parse) agrees with `from_slice` (the parse alone), error or not,
    // and on the error's position.
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for dir in ["tests/corpus/invalid", "tests/corpus/fabrikam"] {
        for e in
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_owned() + dir).unwrap()
        {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "json") {
                inputs.push(std::fs::read(path).unwrap());
            }
        }
    }
    let base = fabrikam().into_bytes();
    let mut state = 7u64;
    for _ in 0..400 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let at = (state >> 33) as usize % base.len();
        let byte = (state >> 13) as u8;
        let mut m = base.clone();
        m[at] = byte;
        inputs.push(m);
        inputs.push(base[..at].to_vec());
    }
    for input in &inputs {
        let streamed = Snapshot::from_reader(input.as_slice());
        let whole = Snapshot::from_slice(input);
        match (&streamed, &whole) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(a), Err(b)) => assert_eq!(a, b),
            _ => panic!(
                "disagree on {:?}: streamed {streamed:?}, whole {whole:?}",
                String::from_utf8_lossy(input)
            ),
        }
    }
}
