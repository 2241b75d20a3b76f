//! `tenant-attach fix` end to end (issue 20): `--apply K -o OUT`, then `check` allows the
//! question and `diff` shows exactly `gained` + 1 gained and `lost` lost.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a panic is how a test reports a failure"
)]

mod support;

use std::path::PathBuf;

use serde_json::Value;
use support::{run, scratch, stderr, stdout};

fn sample_file() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tenant-attach/data/contoso.json")
        .display()
        .to_string()
}

fn json(args: &[&str]) -> Value {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn applied_fix_allows_the_question_and_diff_counts_match() {
    let sample = sample_file();
    let dir = scratch("fix");
    for (user, device, feature) in [
        ("bob@contoso.com", "CON-WS-004", "sync_machine_policy"),
        ("carol@contoso.com", "CON-SRV-DC01", "view"),
        ("grace@contoso.com", "CON-WS-004", "view"),
    ] {
        let q = ["--user", user, "--device", device, "--feature", feature];
        let base = ["fix", "--snapshot", sample.as_str(), "--format", "json"];
        let answer = json(&[&base[..], &q[..]].concat());
        assert_eq!(answer["allowed"], false);
        let fixes = answer["fixes"].as_array().unwrap();
        assert!(!fixes.is_empty());
        for k in 1..=fixes.len() {
            let out_path = dir.join(format!("{user}-{feature}-{k}.json"));
            let out = out_path.display().to_string();
            let kk = k.to_string();
            let again = json(&[&base[..], &q[..], &["--apply", &kk, "-o", &out]].concat());
            assert_eq!(again, answer, "--apply does not change the answer");
            let fix = &fixes[k - 1];
            let check = json(
                &[
                    &["check", "--snapshot", out.as_str(), "--format", "json"][..],
                    &q[..],
                ]
                .concat(),
            );
            assert_eq!(check["allowed"], true, "fix {k} of {user}: {check}");
            let d = json(&["diff", sample.as_str(), out.as_str(), "--format", "json"]);
            let gained = d["gained"].as_array().unwrap();
            assert_eq!(gained.len() as u64, fix["gained"].as_u64().unwrap() + 1);
            assert_eq!(
                d["lost"].as_array().unwrap().len() as u64,
                fix["lost"].as_u64().unwrap()
            );
            assert!(
                gained
                    .iter()
                    .any(|c| c["user"] == user && c["device"] == device && c["feature"] == feature)
            );
        }
    }
}

#[test]
fn text_names_the_least_privilege_fix_and_unfixable_conditions() {
    let sample = sample_file();
    let out = run(&[
        "fix",
        "--snapshot",
        &sample,
        "--user",
        "carol@contoso.com",
        "--device",
        "CON-SRV-SQL01",
        "--feature",
        "enroll_now",
    ]);
    let text = stdout(&out);
    assert!(text.starts_with("DENIED carol@contoso.com can't"), "{text}");
    assert!(
        text.contains("Fix 1: 1 edit; changes no other decision"),
        "{text}"
    );
    assert!(
        text.contains("[R-I3] Intune admin center > Tenant administration > Roles"),
        "{text}"
    );
    assert!(text.contains("Least privilege: fix 1"), "{text}");
    let out = run(&[
        "fix",
        "--snapshot",
        &sample,
        "--user",
        "erin@contoso.com",
        "--device",
        "CON-WS-004",
    ]);
    let text = stdout(&out);
    assert!(
        text.contains("unfixable cloud_only_account [R-G1]"),
        "{text}"
    );
    let v = json(&[
        "fix",
        "--snapshot",
        &sample,
        "--user",
        "erin@contoso.com",
        "--device",
        "CON-WS-004",
        "--format",
        "json",
    ]);
    assert_eq!(v["fixes"], serde_json::json!([]));
    assert_eq!(v["unfixable"][0]["rule"], "R-G1");
    let v = json(&[
        "fix",
        "--snapshot",
        &sample,
        "--user",
        "carol@contoso.com",
        "--device",
        "CON-SRV-SQL01",
        "--feature",
        "run_script",
        "--format",
        "json",
    ]);
    assert_eq!(
        (v["allowed"].clone(), v["fixes"].clone()),
        (Value::Bool(true), serde_json::json!([]))
    );
}

#[test]
fn apply_beyond_the_fixes_is_a_usage_error_and_writes_nothing() {
    let sample = sample_file();
    let dir = scratch("fix-usage");
    let out_path = dir.join("out.json");
    let out = out_path.display().to_string();
    let r = run(&[
        "fix",
        "--snapshot",
        &sample,
        "--user",
        "erin@contoso.com",
        "--device",
        "CON-WS-004",
        "--apply",
        "1",
        "-o",
        &out,
    ]);
    assert_eq!(r.status.code(), Some(2));
    assert!(
        stderr(&r).contains("--apply 1: there is no fix"),
        "{}",
        stderr(&r)
    );
    assert!(r.stdout.is_empty());
    assert!(!out_path.exists());
    // --apply needs -o, and -o needs --apply.
    let r = run(&[
        "fix",
        "--snapshot",
        &sample,
        "--user",
        "bob@contoso.com",
        "--device",
        "CON-WS-004",
        "--apply",
        "1",
    ]);
    assert_eq!(r.status.code(), Some(2));
}
