//! `tenant-attach assert`, end to end: exit codes 0, 1, 2, the three formats and `--against`
//! (the README's worked example is checked by `cli.rs`'s `readme_examples_are_current`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a panic is how a test reports a failure"
)]

mod support;

use std::path::PathBuf;

use support::{run, scratch, stderr, stdout};

fn root(path: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
        .display()
        .to_string()
}

fn contoso() -> String {
    root("crates/tenant-attach/data/contoso.json")
}

fn example() -> String {
    root("examples/contoso.assertions.json")
}

fn write(label: &str, name: &str, text: &str) -> String {
    let path = scratch(label).join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const HOLDS: &str = r#"{"schema": "tenant-attach.assertions/1", "assertions": [
    {"name": "Desktops are uploaded", "uploaded": {"collection": "PS100011"}}]}"#;

#[test]
fn exit_0_when_everything_holds() {
    let file = write("assert-holds", "a.json", HOLDS);
    let out = run(&["assert", "--snapshot", &contoso(), "--assertions", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "PASS Desktops are uploaded\n1 passed, 0 failed\n"
    );
}

#[test]
fn exit_1_when_some_fail_in_every_format() {
    let snapshot = contoso();
    let file = example();
    let base = ["assert", "--snapshot", &snapshot, "--assertions", &file];
    let text = run(&base);
    assert_eq!(text.status.code(), Some(1), "{}", stderr(&text));
    assert!(stdout(&text).ends_with("5 passed, 2 failed\n"));

    let json = run(&[&base[..], &["--format", "json"]].concat());
    assert_eq!(json.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        (v["passed"].as_u64(), v["failed"].as_u64()),
        (Some(5), Some(2))
    );
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 7);
    let failed: Vec<&str> = results
        .iter()
        .filter(|r| r["passed"] == false)
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        failed,
        [
            "Only the server operators see the SQL server",
            "Every laptop is uploaded"
        ]
    );
    let c = &results[3]["counterexamples"][0];
    assert_eq!(
        (c["user"].as_str(), c["device"].as_str()),
        (Some("dave@contoso.com"), Some("CON-SRV-SQL01"))
    );
    assert_eq!(c["grants"][1]["kind"], "directory_role");

    let junit = run(&[&base[..], &["--format", "junit"]].concat());
    assert_eq!(junit.status.code(), Some(1));
    let xml = stdout(&junit);
    assert!(xml.contains(r#"<testsuite name="tenant-attach assert" tests="7" failures="2""#));
    assert_eq!(xml.matches("<testcase ").count(), 7);
    assert_eq!(xml.matches("<failure message=").count(), 2);
}

#[test]
fn exit_2_on_bad_input_with_nothing_on_stdout() {
    let snapshot = contoso();
    let unknown = write(
        "assert-unknown",
        "a.json",
        r#"{"schema": "tenant-attach.assertions/1", "assertions": [
            {"name": "Ghosts", "never": {"subject": {"group": "Ghosts"}, "target": "all"}}]}"#,
    );
    let out = run(&["assert", "--snapshot", &snapshot, "--assertions", &unknown]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("assertion `Ghosts`: $.assertions[0].never.subject.group: no Entra group"),
        "{err}"
    );

    let typo = write(
        "assert-typo",
        "a.json",
        r#"{"schema": "tenant-attach.assertions/1", "assertions": [{"name": "x", "uploadd": "all"}]}"#,
    );
    let out = run(&["assert", "--snapshot", &snapshot, "--assertions", &typo]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown field `uploadd`"),
        "{}",
        stderr(&out)
    );

    let out = run(&[
        "assert",
        "--snapshot",
        &snapshot,
        "--assertions",
        "/nonexistent/a.json",
    ]);
    assert_eq!(out.status.code(), Some(2));

    let out = run(&["upload", "--snapshot", &snapshot, "--format", "junit"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--format junit is for the `assert` command"));
}

#[test]
fn against_reports_only_what_the_change_alters() {
    let dir = scratch("assert-against");
    let mut snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(contoso()).unwrap()).unwrap();
    snapshot["hierarchy"]["attach"]["enforce_configmgr_rbac"] = serde_json::Value::Bool(false);
    let new = dir.join("new.json");
    std::fs::write(&new, serde_json::to_string(&snapshot).unwrap()).unwrap();
    let file = write(
        "assert-against-file",
        "a.json",
        r#"{"schema": "tenant-attach.assertions/1", "assertions": [
            {"name": "Erin never sees servers", "never": {"subject": {"user": "erin@contoso.com"}, "target": {"collection": "PS100030"}}},
            {"name": "Desktops are uploaded", "uploaded": {"collection": "PS100011"}}]}"#,
    );
    let (old, new) = (contoso(), new.display().to_string());
    let args = [
        "assert",
        "--snapshot",
        &new,
        "--against",
        &old,
        "--assertions",
        &file,
    ];
    let out = run(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("FAIL Erin never sees servers"), "{text}");
    assert!(text.contains("  was PASS\n  decisions that changed (as decided now):\n    allowed: erin@contoso.com, view, CON-SRV-SQL01"), "{text}");
    assert!(!text.contains("Desktops"));
    let json = run(&[&args[..], &["--format", "json"]].concat());
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["results"][0]["against"]["passed_before"], true);
    assert!(
        !v["results"][0]["against"]["changed"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // The same snapshot on both sides: nothing to report, exit 0.
    let same = run(&[
        "assert",
        "--snapshot",
        &old,
        "--against",
        &old,
        "--assertions",
        &file,
    ]);
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(stdout(&same), "0 passed, 0 failed\n");
}
