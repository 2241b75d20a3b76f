//! The command line, end to end: every command, every exit code, every error class.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a panic is how a test reports a failure"
)]

mod support;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use support::{run, stderr};

use serde_json::Value;

fn corpus(path: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/corpus")
        .join(path)
        .display()
        .to_string()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn fabrikam() -> String {
    corpus("fabrikam/snapshot.json")
}

/// The built-in Contoso sample as a file (what `demo` runs on).
fn sample_file() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tenant-attach/data/contoso.json")
        .display()
        .to_string()
}

#[test]
fn demo_runs_without_a_file() {
    let out = run(&["demo"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Contoso"));
    assert!(text.contains("CON-SRV-SQL01"));
    let out = run(&["demo", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert!(v["upload"]["uploaded"].as_u64().unwrap() > 10);
    assert!(v["findings"].as_array().unwrap().len() >= 5);
}

#[test]
fn validate_exit_codes() {
    let ok = run(&["validate", "--snapshot", &fabrikam(), "--format", "json"]);
    assert_eq!(ok.status.code(), Some(0));
    let v = json(&ok);
    assert!(v["errors"].as_array().unwrap().is_empty());
    assert_eq!(v["warnings"][0]["rule"], "R-H5");

    // R-C3: an input error is listed, exit 1.
    let bad = run(&[
        "validate",
        "--snapshot",
        &corpus("invalid/cycle.json"),
        "--format",
        "json",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    let v = json(&bad);
    assert_eq!(v["errors"][0]["rule"], "R-C3");
    assert_eq!(v["errors"][0]["path"], "$.collections[1]");
    assert_eq!(v["errors"][0]["kind"], "input");

    // R-U2: a configuration error is listed too, exit 1.
    let china = run(&[
        "validate",
        "--snapshot",
        &corpus("invalid/china-cloud.json"),
    ]);
    assert_eq!(china.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&china.stdout).contains("R-U2"));

    // Unparsable JSON is an input error that validate lists with line:column.
    let trunc = run(&["validate", "--snapshot", &corpus("invalid/truncated.json")]);
    assert_eq!(trunc.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&trunc.stdout).contains("line "));
}

#[test]
fn input_errors_refuse_every_other_command_with_exit_2() {
    for case in [
        "cycle",
        "dangling-references",
        "unknown-field",
        "wrong-type",
        "attached-device-custom-tag",
    ] {
        let file = corpus(&format!("invalid/{case}.json"));
        let out = run(&["upload", "--snapshot", &file]);
        assert_eq!(out.status.code(), Some(2), "{case}");
        assert!(out.stdout.is_empty(), "{case}: stdout must be empty");
        let err = stderr(&out);
        assert!(err.contains(&file), "{case}: the file is named: {err}");
        assert!(err.contains("$."), "{case}: the JSON path is named: {err}");
        assert!(
            err.contains("error[R-") || err.contains("error[schema]"),
            "{case}: the rule is named: {err}"
        );
    }
    let out = run(&["upload", "--snapshot", &corpus("invalid/wrong-type.json")]);
    let err = stderr(&out);
    assert!(err.contains("$.devices[3].client"), "{err}");
    assert!(err.contains("wrong-type.json:55:21:"), "line:column: {err}");
}

#[test]
fn configuration_errors_do_not_refuse() {
    let out = run(&[
        "upload",
        "--snapshot",
        &corpus("invalid/china-cloud.json"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert!(v["devices"].as_array().unwrap().is_empty());
    assert_eq!(v["not_uploaded"][0]["reason"], "upload_unsupported_cloud");
    assert_eq!(v["not_uploaded"][0]["rule"], "R-U2");
}

#[test]
fn upload_lists_devices_with_their_path_and_the_rest_with_a_reason() {
    let out = run(&["upload", "--snapshot", &fabrikam(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    let devices = v["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 3);
    assert_eq!(devices[2]["name"], "FAB-SQL-01");
    assert_eq!(
        devices[2]["via"],
        serde_json::json!(["FB100020", "FB100022"])
    );
    assert_eq!(v["not_uploaded"][0]["name"], "FAB-KIOSK-01");
    assert_eq!(v["not_uploaded"][0]["reason"], "not_uploaded_no_client");
    let text = run(&["upload", "--snapshot", &fabrikam()]);
    assert!(
        String::from_utf8_lossy(&text.stdout)
            .contains("FB100020 (Fabrikam laptops) → FB100022 (Servers)")
    );
}

#[test]
fn check_follows_the_worked_example() {
    let f = fabrikam();
    let out = run(&[
        "check",
        "--snapshot",
        &f,
        "--user",
        "maria@fabrikam.com",
        "--device",
        "FAB-LT-001",
        "--feature",
        "sync_machine_policy",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    for key in [
        "user", "device", "feature", "mode", "allowed", "reasons", "grants", "policy",
    ] {
        assert!(v.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(v["allowed"], true);
    assert_eq!(v["mode"], "combined");
    let kinds: Vec<&str> = v["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"intune_assignment") && kinds.contains(&"configmgr_association"),
        "{kinds:?}"
    );

    // A deny is still exit 0.
    let out = run(&[
        "check",
        "--snapshot",
        &f,
        "--user",
        "maria@fabrikam.com",
        "--device",
        "FAB-SQL-01",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["allowed"], false);
    assert_eq!(v["reasons"][0]["code"], "configmgr_permission_missing");
    assert_eq!(v["reasons"][0]["rule"], "R-G4");

    let out = run(&[
        "check",
        "--snapshot",
        &f,
        "--user",
        "li@fabrikam.com",
        "--device",
        "FAB-LT-001",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("DENIED li@fabrikam.com can't see FAB-LT-001"),
        "{text}"
    );
    assert!(text.contains("(R-G1)"), "{text}");
}

#[test]
fn visible_who_offboard_shapes() {
    let f = fabrikam();
    let v = json(&run(&[
        "visible",
        "--snapshot",
        &f,
        "--user",
        "maria@fabrikam.com",
        "--format",
        "json",
    ]));
    assert_eq!(v["feature"], "view");
    let names: Vec<&str> = v["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["FAB-LT-001", "FAB-LT-002"]);
    let v = json(&run(&[
        "who",
        "--snapshot",
        &f,
        "--device",
        "16777301",
        "--feature",
        "timeline",
        "--format",
        "json",
    ]));
    assert_eq!(v["device"], "FAB-LT-001");
    assert_eq!(v["users"].as_array().unwrap().len(), 1);
    assert_eq!(v["users"][0]["upn"], "maria@fabrikam.com");
    let v = json(&run(&[
        "offboard",
        "--snapshot",
        &f,
        "--user",
        "maria@fabrikam.com",
        "--format",
        "json",
    ]));
    assert_eq!(v["allowed"], false);
    assert_eq!(v["eta_minutes_max"], 10);
    assert_eq!(v["reasons"][0]["rule"], "R-H4");
}

#[test]
fn usage_and_query_errors_exit_2() {
    let f = fabrikam();
    for args in [
        vec!["upload"],                                             // no --snapshot
        vec!["upload", "--snapshot", "/nonexistent/snapshot.json"], // unreadable file
        vec![
            "check",
            "--snapshot",
            &f,
            "--user",
            "nobody@x",
            "--device",
            "FAB-LT-001",
        ],
        vec![
            "check",
            "--snapshot",
            &f,
            "--user",
            "maria@fabrikam.com",
            "--device",
            "NOPE",
        ],
        vec![
            "check",
            "--snapshot",
            &f,
            "--user",
            "maria@fabrikam.com",
            "--device",
            "FAB-LT-001",
            "--feature",
            "teleport",
        ],
        vec!["frobnicate"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!stderr(&out).is_empty(), "{args:?}");
    }
}

#[test]
fn ambiguous_device_names_list_the_candidates() {
    let mut s: Value = serde_json::from_str(&std::fs::read_to_string(fabrikam()).unwrap()).unwrap();
    s["devices"][1]["name"] = Value::from("FAB-LT-001");
    let out = run_stdin(
        &[
            "check",
            "--snapshot",
            "-",
            "--user",
            "maria@fabrikam.com",
            "--device",
            "FAB-LT-001",
        ],
        &s.to_string(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("16777301") && err.contains("16777302"),
        "{err}"
    );
}

fn run_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tenant-attach"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn snapshot_from_standard_input() {
    let text = std::fs::read_to_string(fabrikam()).unwrap();
    let out = run_stdin(&["upload", "--snapshot", "-", "--format", "json"], &text);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["devices"].as_array().unwrap().len(), 3);
}

#[test]
fn json_output_is_byte_identical_across_runs() {
    for args in [
        vec!["demo", "--format", "json"],
        vec!["upload", "--snapshot", &fabrikam(), "--format", "json"],
    ] {
        let a = run(&args);
        let b = run(&args);
        assert_eq!(a.stdout, b.stdout);
    }
}

#[test]
fn report_json_has_its_sections_and_findings() {
    let out = run(&["report", "--snapshot", &fabrikam(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    for key in [
        "hierarchy",
        "validation",
        "upload",
        "users",
        "features",
        "offboarding",
        "lifecycle",
        "findings",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let demo = json(&run(&["demo", "--format", "json"]));
    let findings = demo["findings"].as_array().unwrap();
    assert!(findings.len() >= 5);
    for f in findings {
        for key in ["id", "severity", "rule", "message", "objects"] {
            assert!(f.get(key).is_some(), "finding without {key}");
        }
    }
}

/// `report` leaves the knob findings (a `sensitivity` run) to `--sensitivity`; `demo` has them.
#[test]
fn report_adds_knob_findings_only_with_sensitivity() {
    let s = sample_file();
    let ids = |args: &[&str]| -> Vec<String> {
        let out = run(args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        json(&out)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let plain = ids(&["report", "--snapshot", &s, "--format", "json"]);
    let with = ids(&[
        "report",
        "--snapshot",
        &s,
        "--format",
        "json",
        "--sensitivity",
    ]);
    let demo = ids(&["demo", "--format", "json"]);
    let knob = String::from("knob_dependent_access");
    assert!(!plain.contains(&knob), "{plain:?}");
    assert!(with.contains(&knob) && demo.contains(&knob), "{with:?}");
    // The rest is the same report.
    let rest: Vec<&String> = with.iter().filter(|i| **i != knob).collect();
    assert_eq!(rest, plain.iter().collect::<Vec<_>>());
    assert_eq!(with, demo);
}

#[test]
fn diff_reports_gains_and_losses() {
    let old = fabrikam();
    let mut s: Value = serde_json::from_str(&std::fs::read_to_string(&old).unwrap()).unwrap();
    // Li becomes hybrid and discovered: she gains what Maria's group gives.
    s["entra"]["users"][1]["on_premises_sid"] = Value::from("S-1-5-21-7-7-7-3002");
    s["entra"]["users"][1]["on_premises_group_sids"] = serde_json::json!(["S-1-5-21-7-7-7-1201"]);
    s["configmgr"]["users"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"sid": "S-1-5-21-7-7-7-3002", "discovered_by": ["ad"]}));
    let dir = std::env::temp_dir().join(format!("tenant-attach-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let new = dir.join("new.json");
    std::fs::write(&new, s.to_string()).unwrap();
    let new = new.display().to_string();
    let out = run(&["diff", &old, &new, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert!(v["lost"].as_array().unwrap().is_empty());
    let gained = v["gained"].as_array().unwrap();
    assert!(gained.iter().any(|g| g["user"] == "li@fabrikam.com"
        && g["device"] == "FAB-LT-001"
        && g["feature"] == "sync_machine_policy"));
    let back = json(&run(&["diff", &new, &old, "--format", "json"]));
    assert_eq!(back["lost"], v["gained"]);
    let text = String::from_utf8(run(&["diff", &old, &new]).stdout).unwrap();
    assert!(
        text.contains("li@fabrikam.com gains the right to run Sync Machine Policy on"),
        "{text}"
    );
}

/// The DOT output is well-formed: parsed back here, and rendered by Graphviz where installed.
#[test]
fn graph_dot_is_valid() {
    let out = run(&["demo"]);
    assert_eq!(out.status.code(), Some(0));
    let sample =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tenant-attach/data/contoso.json");
    let sample = sample.display().to_string();
    let dot = run(&["graph", "--snapshot", &sample, "--format", "dot"]);
    assert_eq!(dot.status.code(), Some(0), "{}", stderr(&dot));
    let text = String::from_utf8(dot.stdout).unwrap();
    let (nodes, edges) = parse_dot(&text);
    assert_eq!(nodes.len(), 15);
    assert!(
        edges.iter().any(|(a, b, style)| a == "PS100020"
            && b == "PS100022"
            && style.contains("included by"))
    );
    assert!(
        edges.iter().any(|(_, _, style)| style.contains("dashed")),
        "exclude edges are dashed"
    );
    for (a, b, _) in &edges {
        assert!(
            nodes.contains(a) && nodes.contains(b),
            "edge {a} -> {b} to an undeclared node"
        );
    }
    assert!(
        text.contains("peripheries=2"),
        "the upload collection is highlighted"
    );
    // Around one collection, depth 1.
    let around = run(&[
        "graph",
        "--snapshot",
        &sample,
        "--format",
        "dot",
        "--around",
        "PS100020",
        "--depth",
        "1",
    ]);
    let (nodes, _) = parse_dot(&String::from_utf8(around.stdout).unwrap());
    let want: std::collections::BTreeSet<String> = [
        "PS100013", "PS100015", "PS100020", "PS100021", "PS100022", "SMS00001",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(nodes, want);
    // SVG is laid out in Rust: every collection of the sample is a box (tests/html.rs runs
    // it without `dot` on the PATH).
    let svg = run(&["graph", "--snapshot", &sample, "--format", "svg"]);
    assert_eq!(svg.status.code(), Some(0), "{}", stderr(&svg));
    let text = String::from_utf8_lossy(&svg.stdout);
    assert!(text.starts_with("<?xml") && text.contains("<svg"), "{text}");
    assert_eq!(text.matches("<g class=\"node").count(), 15);
    // Rendered by Graphviz with `--engine dot` when installed (CI installs it).
    let dot = run(&[
        "graph",
        "--snapshot",
        &sample,
        "--format",
        "svg",
        "--engine",
        "dot",
    ]);
    if Command::new("dot").arg("-V").output().is_ok() {
        assert_eq!(dot.status.code(), Some(0), "{}", stderr(&dot));
        assert!(String::from_utf8_lossy(&dot.stdout).contains("<svg"));
    } else {
        assert_eq!(dot.status.code(), Some(2));
        assert!(stderr(&dot).contains("Graphviz"), "{}", stderr(&dot));
        eprintln!("note: graphviz is not installed; `--engine dot` was checked to fail cleanly");
    }
}

/// A minimal DOT reader for our own output: `digraph NAME {`, attribute lines, node lines
/// `"ID" [..];`, edge lines `"A" -> "B" [..];`, `}`. Anything else fails the test.
fn parse_dot(
    text: &str,
) -> (
    std::collections::BTreeSet<String>,
    Vec<(String, String, String)>,
) {
    let mut lines = text.lines();
    assert!(
        lines.next().unwrap().starts_with("digraph "),
        "starts with digraph"
    );
    let mut nodes = std::collections::BTreeSet::new();
    let mut edges = Vec::new();
    let mut closed = false;
    for line in lines {
        let l = line.trim();
        if l == "}" {
            closed = true;
            continue;
        }
        assert!(!closed, "text after the closing brace");
        assert!(l.ends_with(';'), "statement without `;`: {l}");
        if l.starts_with("rankdir") || l.starts_with("node [") || l.starts_with("edge [") {
            continue;
        }
        let quoted: Vec<&str> = l.split('"').collect();
        assert!(quoted.len() >= 3, "unquoted id: {l}");
        let first = quoted[1].to_owned();
        let rest = l.splitn(3, '"').nth(2).unwrap().trim_start();
        if let Some(after) = rest.strip_prefix("-> \"") {
            let second = after.split('"').next().unwrap().to_owned();
            let attrs = after.split_once('[').map(|x| x.1).unwrap_or("");
            assert!(attrs.ends_with("];"), "edge attributes: {l}");
            edges.push((first, second, attrs.to_owned()));
        } else {
            assert!(
                rest.starts_with('[') && rest.ends_with("];"),
                "node attributes: {l}"
            );
            assert_eq!(rest.matches('"').count() % 2, 0, "unbalanced quotes: {l}");
            nodes.insert(first);
        }
    }
    assert!(closed, "no closing brace");
    (nodes, edges)
}

#[test]
fn dot_format_is_only_for_graph() {
    let out = run(&["upload", "--snapshot", &fabrikam(), "--format", "dot"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn import_builds_a_valid_snapshot_or_lists_every_problem() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/import/contoso");
    let d = |s: &str| dir.join(s).display().to_string();
    let out = run(&[
        "import",
        "--configmgr",
        &d("configmgr"),
        "--graph",
        &d("graph"),
        "--settings",
        &d("settings.json"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["schema"], "tenant-attach.snapshot/1");
    let validated = run_stdin(&["validate", "--snapshot", "-"], &text);
    assert_eq!(
        validated.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&validated.stdout)
    );
    // A missing directory of exports: every missing file is named, exit 2.
    let empty = std::env::temp_dir().join(format!("tenant-attach-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let out = run(&[
        "import",
        "--configmgr",
        &empty.display().to_string(),
        "--graph",
        &d("graph"),
        "--settings",
        &d("settings.json"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    for name in ["SMS_Collection.json", "SMS_R_System.json", "SMS_Admin.json"] {
        assert!(err.contains(name), "{name} not named: {err}");
    }
}

/// The README's `$ tenant-attach …` examples print exactly what the README shows.
#[test]
fn readme_examples_are_current() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let lines: Vec<&str> = readme.lines().collect();
    let mut i = 0;
    let mut checked = 0;
    while i < lines.len() {
        let Some(first) = lines[i].strip_prefix("$ tenant-attach ") else {
            i += 1;
            continue;
        };
        let mut command = first.trim_end_matches('\\').to_owned();
        while lines[i].ends_with('\\') {
            i += 1;
            command.push(' ');
            command.push_str(lines[i].trim().trim_end_matches('\\'));
        }
        i += 1;
        let mut expected = String::new();
        // The output runs to the next command or the end of the block; blank lines inside it
        // belong to it, the blank lines before the next command do not.
        while i < lines.len() && !lines[i].starts_with("$ ") && !lines[i].starts_with("```") {
            expected.push_str(lines[i]);
            expected.push('\n');
            i += 1;
        }
        let expected = format!("{}\n", expected.trim_end_matches('\n'));
        if expected.lines().any(|l| l == "…") {
            // An elided output (the `diff` example): checked line by line by its own test.
            continue;
        }
        let args: Vec<String> = command
            .split_whitespace()
            .map(|a| {
                if a.starts_with("crates/") || a.starts_with("examples/") {
                    root.join(a).display().to_string()
                } else {
                    a.to_owned()
                }
            })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&args);
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            expected,
            "README example `{command}`"
        );
        checked += 1;
    }
    assert!(checked >= 4, "README examples found: {checked}");
}

/// The README's `diff` example is what `diff` prints (every line shown, in order).
#[test]
fn the_readme_diff_example_is_real_output() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme
        .find("$ tenant-attach diff crates/tenant-attach/data/contoso.json cleared.json\n")
        .unwrap();
    let block = &readme[start..];
    let block = &block[block.find('\n').unwrap() + 1..block.find("```").unwrap()];
    let contoso = root.join("crates/tenant-attach/data/contoso.json");
    let mut s: Value = serde_json::from_str(&std::fs::read_to_string(&contoso).unwrap()).unwrap();
    s["hierarchy"]["attach"]["enforce_configmgr_rbac"] = Value::from(false);
    let dir = std::env::temp_dir().join(format!("tenant-attach-readme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cleared = dir.join("cleared.json");
    std::fs::write(&cleared, s.to_string()).unwrap();
    let out = run(&[
        "diff",
        &contoso.display().to_string(),
        &cleared.display().to_string(),
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rest = text.as_str();
    for line in block.lines().filter(|l| *l != "…") {
        let at = rest
            .find(&format!("{line}\n"))
            .unwrap_or_else(|| panic!("README line not in the output (in order): {line}\n{text}"));
        rest = &rest[at + line.len()..];
    }
}

/// A file cut after a line break: the position is the end of its last line, where a value is
/// missing (serde_json says column 0 of the next line, which no editor has).
#[test]
fn a_truncated_snapshot_is_placed_after_its_last_character() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = root.join("tests/corpus/invalid/truncated.json");
    let out = run(&["validate", "--snapshot", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("$.devices[0]: line 33, column 22: EOF while parsing a value"),
        "{text}"
    );
    let cut = String::from("{\n  \"schema\": \"tenant-attach.snapshot/1\",\n");
    let out = run_stdin(&["validate", "--snapshot", "-"], &cut);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("line 2, column 40: EOF"), "{text}");
}

/// `schema` prints the committed JSON Schema, needs no snapshot, and the Contoso sample has
/// the shape it describes at the top level.
#[test]
fn schema_prints_the_committed_json_schema() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = run(&["schema"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let committed = std::fs::read_to_string(root.join("docs/snapshot.schema.json")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), committed);
    let schema: Value = serde_json::from_str(&committed).unwrap();
    let contoso: Value = serde_json::from_str(tenant_attach::sample::CONTOSO).unwrap();
    let known = schema["properties"].as_object().unwrap();
    assert!(
        contoso
            .as_object()
            .unwrap()
            .keys()
            .all(|k| known.contains_key(k))
    );
}
