//! Rulebook 2 on the command line: `sensitivity`, the new reasons in `check`, and precise
//! errors for the new snapshot fields.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a panic is how a test reports a failure"
)]

mod support;

use std::path::PathBuf;
use std::process::Output;
use support::run;

use serde_json::{Value, json};

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tenant-attach/data/contoso.json")
}

fn json_of(out: &Output) -> Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A copy of the sample with `edit` applied, written to a file named after the test.
fn edited(name: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(sample()).unwrap()).unwrap();
    edit(&mut v);
    let dir = std::env::temp_dir().join(format!("tenant-attach-rulebook2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    path.display().to_string()
}

fn check(snapshot: &str, user: &str, device: &str, feature: &str) -> Value {
    json_of(&run(&[
        "check",
        "--snapshot",
        snapshot,
        "--user",
        user,
        "--device",
        device,
        "--feature",
        feature,
        "--format",
        "json",
    ]))
}

/// The sensitivity document has the contract's shape, and on the demo hierarchy some knob
/// flips at least one answer; every example is confirmed by `check` under the alternative.
#[test]
fn sensitivity_shows_answers_a_knob_flips_and_check_confirms_them() {
    let s = sample().display().to_string();
    let v = json_of(&run(&["sensitivity", "--snapshot", &s, "--format", "json"]));
    let knobs = v["knobs"].as_array().unwrap();
    let names: Vec<&str> = knobs.iter().map(|k| k["knob"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "child_relations",
            "untagged_assignment",
            "scope_groups_apply_to_attached",
            "intune_only_ignores_scope_tags",
            "configmgr_gates_view",
            "discovery_required",
            "combined_page_permissions",
            "entra_roles",
            "licence_unknown",
            "application_actions_split",
            "us_government_features"
        ]
    );
    let mut flipped = 0;
    for k in knobs {
        let knob = k["knob"].as_str().unwrap();
        assert!(k["current"].is_string() || k["current"].is_boolean() || k["current"].is_array());
        for a in k["alternatives"].as_array().unwrap() {
            let (g, l) = (a["gained"].as_u64().unwrap(), a["lost"].as_u64().unwrap());
            let examples = a["examples"].as_array().unwrap();
            assert!(examples.len() <= 10);
            assert_eq!(examples.is_empty(), g + l == 0, "{knob}: {a}");
            assert!(a["users"].as_u64().unwrap() <= g + l);
            assert!(a["devices"].as_u64().unwrap() <= g + l);
            flipped += usize::from(g + l > 0);
            // Under the alternative, `check` answers the other way on each example.
            let alt = a["value"].clone();
            let path = edited(
                &format!(
                    "{knob}-{}",
                    alt.to_string().replace(['"', '[', ']', ','], "")
                ),
                |v| {
                    v["policy"][knob] = alt.clone();
                },
            );
            for e in examples {
                let (user, device, feature) = (
                    e["user"].as_str().unwrap(),
                    e["device"].as_str().unwrap(),
                    e["feature"].as_str().unwrap(),
                );
                let now = check(&s, user, device, feature)["allowed"]
                    .as_bool()
                    .unwrap();
                let then = check(&path, user, device, feature)["allowed"]
                    .as_bool()
                    .unwrap();
                let gained = e["change"] == "gained";
                assert_eq!((now, then), (!gained, gained), "{knob}={alt}: {e}");
            }
        }
    }
    assert!(flipped >= 2, "the demo shows answers that rest on a knob");
}

#[test]
fn sensitivity_of_one_knob_and_an_unknown_knob() {
    let s = sample().display().to_string();
    let v = json_of(&run(&[
        "sensitivity",
        "--snapshot",
        &s,
        "--knob",
        "discovery_required",
        "--format",
        "json",
    ]));
    assert_eq!(v["knobs"].as_array().unwrap().len(), 1);
    assert_eq!(v["knobs"][0]["current"], "by_feature");
    let values: Vec<&Value> = v["knobs"][0]["alternatives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["value"])
        .collect();
    assert_eq!(values, [&json!("by_version"), &json!("both")]);
    let out = run(&["sensitivity", "--snapshot", &s, "--knob", "discovery"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown knob `discovery`"));
}

/// R-F3 on the command line: software updates before 2111 are unavailable, and that is the only
/// reason even for a Global Administrator.
#[test]
fn r_f3_check_names_the_version_needed() {
    let path = edited("r_f3", |v| v["hierarchy"]["version"] = json!(2107));
    let d = check(&path, "dave@contoso.com", "CON-WS-004", "software_updates");
    assert_eq!(d["allowed"], false);
    assert_eq!(
        d["reasons"],
        json!([{"code": "feature_unavailable", "rule": "R-F3",
                "detail": "Software updates needs site version 2111 or later; the hierarchy's lowest site runs 2107"}])
    );
}

/// R-G7 without `configmgr.scripts`: not evaluated, and the decision says so.
#[test]
fn r_g7_not_evaluated_without_scripts() {
    let path = edited("r_g7", |v| v["configmgr"]["scripts"] = Value::Null);
    let d = check(&path, "carol@contoso.com", "CON-SRV-SQL01", "run_script");
    assert_eq!(d["allowed"], true);
    assert_eq!(d["not_evaluated"][0]["rule"], "R-G7");
    let d = check(
        &sample().display().to_string(),
        "carol@contoso.com",
        "CON-SRV-SQL01",
        "run_script",
    );
    assert_eq!(d["not_evaluated"], json!([]));
    assert!(
        d["grants"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["kind"] == "configmgr_script")
    );
}

/// R-G6: bad class or operation names are input errors naming the JSON path.
#[test]
fn r_g6_unknown_class_names_are_input_errors_with_a_path() {
    let path = edited("r_g6_class", |v| {
        v["configmgr"]["roles"][1]["class_operations"] = json!({"sites": ["read"]});
    });
    let out = run(&[
        "check",
        "--snapshot",
        &path,
        "--user",
        "bob@contoso.com",
        "--device",
        "CON-WS-004",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("$.configmgr.roles[1].class_operations"),
        "{err}"
    );
    assert!(err.contains("sites"), "{err}");
    let path = edited("r_g6_op", |v| {
        v["configmgr"]["roles"][1]["class_operations"] = json!({"site": ["reads"]});
    });
    let out = run(&["validate", "--snapshot", &path, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &v["errors"][0];
    assert_eq!(e["rule"], "schema");
    assert!(
        e["path"]
            .as_str()
            .unwrap()
            .starts_with("$.configmgr.roles[1].class_operations"),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().contains("reads"), "{e}");
}
