//! Issue 12: every `--format json` document is written as it is walked, and is byte-identical
//! to what building the whole `serde_json::Value` tree first would print (sorted keys, the
//! same pretty layout); `batch` lines are the same objects, compact.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a panic is how a test reports a failure"
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn sample() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tenant-attach/data/contoso.json")
        .display()
        .to_string()
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tenant-attach"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

/// The bytes a whole-tree rendering would print: parse, then pretty-print through
/// `serde_json::Value` (whose maps are sorted).
fn tree(text: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    format!("{}\n", serde_json::to_string_pretty(&v).unwrap())
}

fn generated() -> String {
    let dir = std::env::temp_dir().join(format!("tenant-attach-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("g.json");
    let out = run(
        &[
            "generate",
            "--devices",
            "3000",
            "--collections",
            "300",
            "--users",
            "40",
            "--seed",
            "5",
            "-o",
            path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path.display().to_string()
}

#[test]
fn every_json_document_is_byte_identical_to_the_tree_rendering() {
    let s = sample();
    let g = generated();
    let g_user = {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&g).unwrap()).unwrap();
        v["entra"]["users"][0]["upn"].as_str().unwrap().to_owned()
    };
    let cases: Vec<Vec<String>> = vec![
        vec!["upload".into(), "--snapshot".into(), s.clone()],
        vec!["upload".into(), "--snapshot".into(), g.clone()],
        vec!["report".into(), "--snapshot".into(), s.clone()],
        vec!["report".into(), "--snapshot".into(), g.clone()],
        vec!["demo".into()],
        vec!["validate".into(), "--snapshot".into(), s.clone()],
        vec!["sensitivity".into(), "--snapshot".into(), s.clone()],
        vec![
            "check".into(),
            "--snapshot".into(),
            s.clone(),
            "--user".into(),
            "carol@contoso.com".into(),
            "--device".into(),
            "CON-SRV-SQL01".into(),
            "--feature".into(),
            "run_script".into(),
        ],
        vec![
            "check".into(),
            "--snapshot".into(),
            s.clone(),
            "--user".into(),
            "bob@contoso.com".into(),
            "--device".into(),
            "CON-WS-004".into(),
            "--feature".into(),
            "timeline".into(),
        ],
        vec![
            "visible".into(),
            "--snapshot".into(),
            s.clone(),
            "--user".into(),
            "alice@contoso.com".into(),
        ],
        vec![
            "visible".into(),
            "--snapshot".into(),
            g.clone(),
            "--user".into(),
            g_user.clone(),
        ],
        vec![
            "who".into(),
            "--snapshot".into(),
            s.clone(),
            "--device".into(),
            "CON-WS-001".into(),
        ],
        vec![
            "offboard".into(),
            "--snapshot".into(),
            s.clone(),
            "--user".into(),
            "dave@contoso.com".into(),
        ],
        vec!["diff".into(), s.clone(), g.clone()],
        vec!["stats".into(), "--snapshot".into(), g.clone()],
        vec!["graph".into(), "--snapshot".into(), s.clone()],
    ];
    for args in cases {
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        args.extend(["--format", "json"]);
        let out = run(&args, None);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.len() > 20, "{args:?}");
        assert_eq!(
            text,
            tree(&text),
            "{args:?} is not in sorted-key pretty form"
        );
    }
}

#[test]
fn batch_lines_are_the_single_commands_objects() {
    let s = sample();
    let questions = [
        (
            "check",
            r#"{"check": {"user": "carol@contoso.com", "device": "CON-SRV-SQL01", "feature": "run_script"}}"#,
            vec![
                "check",
                "--user",
                "carol@contoso.com",
                "--device",
                "CON-SRV-SQL01",
                "--feature",
                "run_script",
            ],
        ),
        (
            "visible",
            r#"{"visible": {"user": "grace@contoso.com", "feature": "sync_machine_policy"}}"#,
            vec![
                "visible",
                "--user",
                "grace@contoso.com",
                "--feature",
                "sync_machine_policy",
            ],
        ),
        (
            "who",
            r#"{"who": {"device": "CON-SRV-SQL01"}}"#,
            vec!["who", "--device", "CON-SRV-SQL01"],
        ),
        (
            "offboard",
            r#"{"offboard": {"user": "dave@contoso.com"}}"#,
            vec!["offboard", "--user", "dave@contoso.com"],
        ),
    ];
    let input: String = questions
        .iter()
        .map(|(_, q, _)| format!("{q}\nnot json\n\n"))
        .collect();
    let out = run(&["batch", "--snapshot", &s], Some(&input));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    // A blank line asks nothing; every other line gets one answer, in order.
    assert_eq!(lines.len(), questions.len() * 2);
    for (i, (name, _, args)) in questions.iter().enumerate() {
        let mut single: Vec<&str> = args.clone();
        single.extend(["--snapshot", &s, "--format", "json"]);
        let one = run(&single, None);
        let expected: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
        let got: serde_json::Value = serde_json::from_str(&lines[i * 2]).unwrap();
        assert_eq!(got, expected, "{name}");
        assert_eq!(
            lines[i * 2],
            serde_json::to_string(&expected).unwrap(),
            "{name}: compact, sorted"
        );
        let err: serde_json::Value = serde_json::from_str(&lines[i * 2 + 1]).unwrap();
        assert_eq!(err["error"]["line"], (i * 3 + 2) as u64, "{name}");
        assert!(
            err["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("not a question")
        );
    }
}

/// Questions that cannot be read (a directory) end `batch` with `error[input]`, exit 2, not a
/// write error.
#[test]
fn batch_questions_that_cannot_be_read_are_an_input_error() {
    let s = sample();
    let dir = std::env::temp_dir();
    let out = run(
        &[
            "batch",
            "--snapshot",
            &s,
            "--questions",
            dir.to_str().unwrap(),
        ],
        None,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("error[input]: cannot read the questions"),
        "{err}"
    );
    assert!(!err.contains("error[write]"), "{err}");
}
