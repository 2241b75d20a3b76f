//! Issue 18, items 5 and 6, end to end: `batch` bounded and interactive, output written
//! through links, refused when read-only, failed on an unwritable stdout for every command,
//! names whose spaces cannot forge a row. Each test fails on the code before the fix (see
//! docs/reliability.md, "Session 5").

#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a panic is how a test reports a failure"
)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::Value;
use support::{bin, run, scratch, stderr, stdout};

fn contoso() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tenant-attach/data/contoso.json")
}

fn contoso_value() -> Value {
    serde_json::from_str(&std::fs::read_to_string(contoso()).unwrap()).unwrap()
}

fn write_snapshot(dir: &Path, s: &Value) -> String {
    let path = dir.join("snapshot.json");
    std::fs::write(&path, serde_json::to_string_pretty(s).unwrap()).unwrap();
    path.display().to_string()
}

// --- 6. Output ----------------------------------------------------------------------------

#[test]
fn every_command_fails_with_exit_3_on_an_unwritable_stdout() {
    // Standard output opened read-only: every write fails with EBADF, which
    // `std::io::stdout()` reported as success (exit 0, the output lost).
    let snap = contoso().display().to_string();
    let commands: Vec<Vec<&str>> = vec![
        vec!["demo"],
        vec!["demo", "--format", "json"],
        vec![
            "generate",
            "--devices",
            "10",
            "--collections",
            "3",
            "--users",
            "2",
        ],
        vec!["validate", "--snapshot", &snap],
        vec!["upload", "--snapshot", &snap, "--format", "json"],
        vec!["who", "--snapshot", &snap, "--device", "CON-SRV-SQL01"],
        vec!["batch", "--snapshot", &snap],
    ];
    for args in commands {
        let read_only = std::fs::File::open(contoso()).unwrap();
        let mut child = bin()
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::from(read_only))
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        {
            use std::io::Write as _;
            let mut stdin = child.stdin.take().unwrap();
            let _ = stdin.write_all(b"{\"who\": {\"device\": \"CON-SRV-SQL01\"}}\n");
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("error[write]"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

fn generate_to(target: &Path, devices: &str) -> std::process::Output {
    run(&[
        "generate",
        "--devices",
        devices,
        "--collections",
        "3",
        "--users",
        "2",
        "-o",
        target.to_str().unwrap(),
    ])
}

#[test]
fn o_writes_through_a_link_keeps_it_and_refuses_a_read_only_target() {
    let dir = scratch("trust-link");
    std::fs::create_dir_all(dir.join("real")).unwrap();
    let target = dir.join("real").join("snapshot.json");
    std::fs::write(&target, "old").unwrap();
    let link = dir.join("link.json");
    std::os::unix::fs::symlink("real/snapshot.json", &link).unwrap();

    let out = generate_to(&link, "10");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced by a file"
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(v["devices"].as_array().unwrap().len(), 10);

    // A read-only target (through the link or not) is refused and left as it was.
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&target).unwrap();
    for path in [&link, &target] {
        let out = generate_to(path, "20");
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        assert!(stderr(&out).contains("error[write]"), "{}", stderr(&out));
        assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
        assert_eq!(std::fs::read(&target).unwrap(), before);
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn spaces_in_names_cannot_forge_a_row_or_a_column() {
    let dir = scratch("trust-spaces");
    let mut s = contoso_value();
    // grace may act on CON-WS-001 and CON-WS-002 (the README's example): rename the first so
    // that, with its spaces printed raw, the table would read as three devices.
    let devices = s["devices"].as_array_mut().unwrap();
    let ws1 = devices
        .iter_mut()
        .find(|d| d["name"] == "CON-WS-001")
        .unwrap();
    ws1["name"] = Value::from(" CON-WS-001\u{a0}\u{a0}\n16777399     CON-WS-FAKE ");
    let snap = write_snapshot(&dir, &s);
    let out = run(&[
        "visible",
        "--snapshot",
        &snap,
        "--user",
        "grace@contoso.com",
        "--feature",
        "sync_machine_policy",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains("  CON-WS-FAKE"), "{text}");
    assert!(
        text.contains("\\u{20}CON-WS-001\\u{a0}\\u{a0}\\u{a}16777399\\u{20}\\u{20}\\u{20}\\u{20}\\u{20}CON-WS-FAKE\\u{20}"),
        "{text}"
    );
    // Every row but the header has exactly two cells separated by a gap.
    for line in text.lines().skip(2) {
        assert_eq!(
            line.split("  ").filter(|c| !c.is_empty()).count(),
            2,
            "{line:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// --- 5. batch, bounded and interactive ----------------------------------------------------

/// Reads one line of `from` on a thread; `None` when none came within `limit`.
fn line_within(
    from: std::process::ChildStdout,
    limit: std::time::Duration,
) -> (Option<String>, std::sync::mpsc::Receiver<String>) {
    use std::io::BufRead as _;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = std::io::BufReader::new(from).lines();
        while let Some(Ok(line)) = lines.next() {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    (rx.recv_timeout(limit).ok(), rx)
}

#[test]
fn batch_answers_a_question_asked_alone_without_waiting_for_more() {
    use std::io::Write as _;
    let snap = contoso().display().to_string();
    let mut child = bin()
        .args(["batch", "--snapshot", &snap])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"{\"who\": {\"device\": \"CON-SRV-SQL01\"}}\n")
        .unwrap();
    stdin.flush().unwrap();
    // Standard input stays open: the answer must come anyway (it came only with the 2,048th
    // line or the end of the input).
    let (first, rest) = line_within(
        child.stdout.take().unwrap(),
        std::time::Duration::from_secs(5),
    );
    let Some(first) = first else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("no answer within 5 s while standard input stays open");
    };
    let v: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(v["device"], "CON-SRV-SQL01", "{first}");
    // A second question, still interactive.
    stdin
        .write_all(b"{\"offboard\": {\"user\": \"alice@contoso.com\"}}\n")
        .unwrap();
    stdin.flush().unwrap();
    let second = rest.recv_timeout(std::time::Duration::from_secs(5));
    let _ = child.kill();
    let _ = child.wait();
    let second = second.expect("a second answer within 5 s");
    assert!(second.contains("alice@contoso.com"), "{second}");
}

#[test]
fn batch_on_dev_zero_answers_an_over_long_line_error_not_an_abort() {
    if !Path::new("/dev/zero").exists() {
        return;
    }
    let snap = contoso().display().to_string();
    // Under a 2 GB address-space limit: code that keeps the line fails (aborts) instead of
    // taking the machine's memory.
    let mut child = std::process::Command::new("sh")
        .args([
            "-c",
            "ulimit -v 2000000 && exec \"$0\" batch --snapshot \"$1\" < /dev/zero",
            env!("CARGO_BIN_EXE_tenant-attach"),
            &snap,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (first, _rest) = line_within(
        child.stdout.take().unwrap(),
        std::time::Duration::from_secs(20),
    );
    let status = child.try_wait().unwrap();
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let first = first.unwrap_or_else(|| panic!("no error line; {status:?}: {}", stderr(&out)));
    let v: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(v["error"]["line"], 1, "{first}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("longer than 1048576 bytes"),
        "{first}"
    );
}

#[test]
fn batch_ends_when_its_output_closes_though_its_input_does_not() {
    use std::io::{Read as _, Write as _};
    let snap = contoso().display().to_string();
    let mut child = bin()
        .args(["batch", "--snapshot", &snap])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let question = b"{\"who\": {\"device\": \"CON-SRV-SQL01\"}}\n";
    stdin.write_all(question).unwrap();
    // Read one byte on a thread (with a limit: an answer may never come), then close the
    // pipe (`| head -c 1`).
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut first = [0u8; 1];
        let _ = tx.send(stdout.read_exact(&mut first).map(|()| stdout));
    });
    let Ok(Ok(stdout)) = rx.recv_timeout(std::time::Duration::from_secs(5)) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("no answer within 5 s while standard input stays open");
    };
    drop(stdout);
    // The next answer finds the output closed: the run ends, standard input still open.
    let _ = stdin.write_all(question);
    let _ = stdin.flush();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > std::time::Duration::from_secs(5) {
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let _ = child.kill();
    let _ = child.wait();
    drop(stdin);
    let status = status.expect("batch still running 5 s after its output closed");
    assert_eq!(status.code(), Some(0), "a closed pipe is a quiet end");
}

// --- 4. Snapshots read in bounded memory ---------------------------------------------------

#[test]
fn whitespace_around_a_snapshot_on_stdin_is_not_kept() {
    use std::io::Write as _;
    let mut child = bin()
        .args(["validate", "--snapshot", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let spaces = vec![b' '; 1 << 20];
        let lines = vec![b'\n'; 1 << 20];
        for _ in 0..96 {
            stdin.write_all(&spaces)?;
        }
        stdin.write_all(std::fs::read(contoso())?.as_slice())?;
        for _ in 0..96 {
            stdin.write_all(&lines)?;
        }
        Ok::<(), std::io::Error>(())
    });
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        if let Some(kb) = support::peak_kb(pid) {
            peak = peak.max(kb);
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    feeder.join().unwrap().unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("0 errors"), "{}", stdout(&out));
    // 192 MB of whitespace around a 40 kB document: kept, it took at least 192 MB.
    assert!(peak > 0 && peak < 64 * 1024, "peak {peak} kB");
}
