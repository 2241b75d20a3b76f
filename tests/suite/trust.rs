//! Issue 18, items 3 and 4, at the library's boundary: duplicate map keys, empty ids, names
//! that are another object's id, and whitespace that is not kept while reading.

use tenant_attach::{Engine, LoadError, QueryError, Snapshot, sample};

/// The sample with `from` replaced by `to` (once, checked).
fn contoso_with(from: &str, to: &str) -> String {
    assert!(sample::CONTOSO.contains(from), "{from}");
    sample::CONTOSO.replacen(from, to, 1)
}

#[test]
fn reliability_duplicate_map_keys_are_input_errors_at_their_path() {
    // `policy.features`: the first override was kept or lost depending on its place.
    let text = contoso_with(
        "\"policy\": {",
        "\"policy\": {\"features\": {\"timeline\": {\"since\": 2006}, \"timeline\": {\"since\": 2107}},",
    );
    match Snapshot::from_json(&text) {
        Err(LoadError::Syntax { path, message, .. }) => {
            assert!(path.starts_with("$.policy.features"), "{path}");
            assert!(message.contains("duplicate key `timeline`"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // `class_operations` of a role.
    let text = contoso_with(
        "\"class_operations\": {}",
        "\"class_operations\": {\"site\": [\"read\"], \"site\": []}",
    );
    match Snapshot::from_json(&text) {
        Err(LoadError::Syntax { path, message, .. }) => {
            assert!(path.starts_with("$.configmgr.roles["), "{path}");
            assert!(path.contains("class_operations"), "{path}");
            assert!(message.contains("duplicate key `site`"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // The free `x` object keeps serde's reading.
    assert!(Snapshot::from_json(sample::CONTOSO).is_ok());
}

#[test]
fn reliability_a_name_that_is_another_objects_id_is_ambiguous_everywhere() {
    // carol's id becomes bob's UPN: "find bob" by that text answered carol.
    let text = contoso_with(
        "\"upn\": \"bob@contoso.com\"",
        "\"upn\": \"5F0C1D9E-0000-4000-8000-000000000003\"",
    );
    // CON-WS-001 is renamed to the resource id of CON-SRV-SQL01.
    let text = text.replacen("\"name\": \"CON-WS-001\"", "\"name\": \"16777316\"", 1);
    let engine = Engine::from_json(&text).unwrap();
    match engine.find_user("5f0c1d9e-0000-4000-8000-000000000003") {
        Err(e @ QueryError::AmbiguousUser { .. }) => {
            let m = e.to_string();
            assert!(
                m.contains("carol@contoso.com") && m.contains("000000000002"),
                "{m}"
            );
        }
        other => panic!("{other:?}"),
    }
    match engine.find_device("16777316") {
        Err(QueryError::AmbiguousDevice { resource_ids, .. }) => {
            assert_eq!(resource_ids, vec![16777316, 16777301]);
        }
        other => panic!("{other:?}"),
    }
    // The other ways to name them still work.
    assert!(engine.find_user("carol@contoso.com").is_ok());
    assert!(engine.find_device("CON-SRV-SQL01").is_ok());
    // batch answers an error line listing both.
    let line = tenant_attach::batch::answer_line(&engine, r#"{"who": {"device": "16777316"}}"#, 1);
    assert!(
        matches!(&line, Some(Err(e)) if e.message.contains("16777301")),
        "{line:?}"
    );
    // validate warns, with a rule id and a path.
    let s = Snapshot::from_json(&text).unwrap();
    let d = tenant_attach::validate(&s);
    let warnings: Vec<(String, String)> = d
        .warnings()
        .filter(|w| w.rule() == "names")
        .map(|w| (w.path().to_owned(), w.to_string()))
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings.iter().any(|(p, _)| p == "$.entra.users[1].upn"),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|(p, _)| p.starts_with("$.devices[")),
        "{warnings:?}"
    );
    // The sample itself is not ambiguous.
    let clean = tenant_attach::validate(&Snapshot::from_json(sample::CONTOSO).unwrap());
    assert!(!clean.warnings().any(|w| w.rule() == "names"));
}

#[test]
fn reliability_empty_ids_are_input_errors() {
    for (from, to, path) in [
        (
            "\"id\": \"5f0c1d9e-0000-4000-8000-000000000002\"",
            "\"id\": \"\"",
            "$.entra.users[1].id",
        ),
        ("\"id\": \"PS100020\"", "\"id\": \"\"", "$.collections["),
    ] {
        let text = contoso_with(from, to);
        let s = Snapshot::from_json(&text).unwrap();
        let d = tenant_attach::validate(&s);
        assert!(
            d.errors()
                .any(|e| e.path().starts_with(path) && e.to_string().contains("must not be empty")),
            "{path}: {:?}",
            d.errors().map(ToString::to_string).collect::<Vec<_>>()
        );
        assert!(Engine::new(s).is_err(), "{path}");
    }
}

/// Hands out `step` bytes a read, so whitespace falls at the start of reads.
struct Trickle<'a> {
    text: &'a [u8],
    step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.text.len());
        let (head, rest) = self.text.split_at(n);
        buf[..n].copy_from_slice(head);
        self.text = rest;
        Ok(n)
    }
}

#[test]
fn reliability_whitespace_around_the_document_is_counted_not_kept() {
    let doc = sample::CONTOSO.trim_end();
    let texts = [
        format!("   \n\t\r\n  {doc}\n"),
        format!("\u{feff}  \n {doc}   \n\n  "),
        format!("\n\n   {doc}\n  \n    x"),
        format!("  {doc}   y"),
        String::from("\n  \n   {\"schema\": 7}"),
        String::from("    \n  nope"),
        format!("\n\n\u{feff}{doc}"),
    ];
    for (i, text) in texts.iter().enumerate() {
        let whole = Snapshot::from_slice(text.as_bytes()).map(|s| s.devices.len());
        for step in [1, 2, 7, 4096, usize::MAX] {
            let read = Snapshot::from_reader(Trickle {
                text: text.as_bytes(),
                step,
            })
            .map(|s| s.devices.len());
            assert_eq!(read, whole, "text {i}, step {step}");
        }
    }
}
