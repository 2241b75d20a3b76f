//! Issue 11, end to end: hostile names, failed writes, absurd sizes, unbounded input and deep
//! graphs. Each test fails on the code before the fix (see docs/reliability.md).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a panic is how a test reports a failure"
)]

mod support;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::{bin, run, scratch, stderr, stdout};

use serde_json::{Value, json};

fn fabrikam() -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/fabrikam/snapshot.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write_snapshot(dir: &Path, s: &Value) -> String {
    let path = dir.join("snapshot.json");
    std::fs::write(&path, serde_json::to_string_pretty(s).unwrap()).unwrap();
    path.display().to_string()
}

/// Waits for a child at most `limit`; kills it and fails the test when it takes longer.
fn wait_at_most(mut child: Child, limit: Duration, what: &str) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Characters that must never reach a terminal raw from a name.
fn assert_terminal_safe(text: &str, what: &str) {
    for c in text.chars() {
        let bad = (c.is_control() && c != '\n')
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}');
        assert!(
            !bad,
            "{what}: raw U+{:04X} in output:\n{text}",
            u32::from(c)
        );
    }
}

// --- 1. Rendering: hostile names, long cells -------------------------------------------------

const SPOOF_DEVICE: &str =
    "X (combined mode).\r\u{1b}[32mALLOWED\u{1b}[0m li@fabrikam.com can see X";
const SPOOF_UPN: &str = "maria@fabrikam.com\n  mallory@evil.example";
const OSC_UPN: &str = "li@fabrikam.com\u{1b}]0;pwned\u{7}";
const BIDI_DEVICE: &str = "FAB-\u{202e}100-TL\u{200b}-BAF";

fn spoofed() -> Value {
    let mut s = fabrikam();
    s["devices"][0]["name"] = Value::from(SPOOF_DEVICE);
    s["devices"][1]["name"] = Value::from(BIDI_DEVICE);
    s["entra"]["users"][0]["upn"] = Value::from(SPOOF_UPN);
    s["entra"]["users"][1]["upn"] = Value::from(OSC_UPN);
    s
}

#[test]
fn spoofing_names_cannot_turn_a_denied_check_into_allowed() {
    let dir = scratch("spoof-check");
    let snap = write_snapshot(&dir, &spoofed());
    // li may not see FAB-LT-001 (now named SPOOF_DEVICE): the answer is DENIED.
    let out = run(&[
        "check",
        "--snapshot",
        &snap,
        "--user",
        "5f0c1d9e-0000-4000-8000-000000000002",
        "--device",
        "16777301",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_terminal_safe(&text, "check");
    assert!(text.starts_with("DENIED "), "{text}");
    assert!(
        text.contains("\\u{d}\\u{1b}[32mALLOWED"),
        "escapes are visible: {text}"
    );
    assert!(!text.lines().any(|l| l.starts_with("ALLOWED")), "{text}");
}

#[test]
fn spoofing_names_cannot_add_a_user_to_who_or_retitle_the_terminal() {
    let dir = scratch("spoof-who");
    let snap = write_snapshot(&dir, &spoofed());
    let out = run(&["who", "--snapshot", &snap, "--device", "16777301"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_terminal_safe(&text, "who");
    // One user may see it: one header line and one user line, not a fake second user.
    assert!(text.starts_with("1 user can see"), "{text}");
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.contains("maria@fabrikam.com\\u{a}\\u{20}\\u{20}mallory@evil.example"),
        "{text}"
    );

    let out = run(&[
        "visible",
        "--snapshot",
        &snap,
        "--user",
        "5f0c1d9e-0000-4000-8000-000000000002",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_terminal_safe(&text, "visible");
    assert!(
        text.contains("li@fabrikam.com\\u{1b}]0;pwned\\u{7}"),
        "{text}"
    );

    let out = run(&[
        "visible",
        "--snapshot",
        &snap,
        "--user",
        "5f0c1d9e-0000-4000-8000-000000000001",
    ]);
    let text = stdout(&out);
    assert_terminal_safe(&text, "visible table");
    assert!(text.contains("FAB-\\u{202e}100-TL\\u{200b}-BAF"), "{text}");
}

#[test]
fn spoofing_names_are_escaped_in_every_text_command() {
    let dir = scratch("spoof-all");
    let snap = write_snapshot(&dir, &spoofed());
    for args in [
        vec!["upload"],
        vec!["report"],
        vec!["validate"],
        vec!["graph"],
        vec!["offboard", "--user", "5f0c1d9e-0000-4000-8000-000000000001"],
        vec!["sensitivity"],
        vec!["diff", &snap, &snap],
    ] {
        let mut full = args.clone();
        full.extend(["--snapshot", &snap]);
        let out = run(&full);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_terminal_safe(&stdout(&out), &format!("{args:?}"));
    }
    // A name quoted in an error on stderr is escaped too.
    let out = run(&[
        "check",
        "--snapshot",
        &snap,
        "--user",
        "nobody\r\u{1b}[2J",
        "--device",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_terminal_safe(&stderr(&out), "stderr");
    assert!(
        stderr(&out).contains("nobody\\u{d}\\u{1b}[2J"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_cell_of_70000_characters_renders_without_panic_and_without_padding_other_rows() {
    let dir = scratch("long-cell");
    let mut s = fabrikam();
    let long = "L".repeat(70_000);
    s["devices"][0]["name"] = Value::from(long.clone());
    let snap = write_snapshot(&dir, &s);
    for args in [
        vec!["upload"],
        vec!["report"],
        vec!["visible", "--user", "maria@fabrikam.com"],
    ] {
        let mut full = args.clone();
        full.extend(["--snapshot", &snap]);
        let out = run(&full);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let text = stdout(&out);
        if args[0] != "report" {
            // `report` shows no device names but the examples of devices left out.
            assert!(text.contains(&long), "{args:?}");
        }
        // No other line is padded to the long name's width.
        for line in text.lines().filter(|l| !l.contains(&long)) {
            assert!(
                line.chars().count() < 1_000,
                "{args:?}: a padded line of {} chars",
                line.chars().count()
            );
        }
    }
}

// --- 2. Sizes -------------------------------------------------------------------------------

#[test]
fn absurd_generate_sizes_are_usage_errors_before_any_allocation() {
    for (flag, value) in [
        ("--devices", "18446744073709551615"),
        ("--devices", "4294967296"),
        ("--devices", "10000001"),
        ("--collections", "18446744073709551615"),
        ("--users", "18446744073709551615"),
    ] {
        let child = bin()
            .args(["generate", flag, value])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = wait_at_most(
            child,
            Duration::from_secs(20),
            &format!("generate {flag} {value}"),
        );
        assert_eq!(
            out.status.code(),
            Some(2),
            "{flag} {value}: {}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty());
        let err = stderr(&out);
        assert!(err.contains("error[usage]") && err.contains(value), "{err}");
    }
}

// --- 3. Atomic -o ---------------------------------------------------------------------------

#[test]
fn a_failed_or_interrupted_generate_leaves_the_old_file() {
    let dir = scratch("atomic");
    let target = dir.join("snapshot.json");
    let t = target.display().to_string();
    std::fs::write(&target, "the old file\n").unwrap();

    // Failed: refused sizes.
    let out = run(&["generate", "--devices", "18446744073709551615", "-o", &t]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "the old file\n");

    // Interrupted: killed while generating a large snapshot.
    let mut child = bin()
        .args([
            "generate",
            "--devices",
            "3000000",
            "--collections",
            "1000",
            "-o",
            &t,
        ])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "the old file\n");

    // Completed: replaced whole.
    let out = run(&[
        "generate",
        "--devices",
        "50",
        "--collections",
        "20",
        "--users",
        "5",
        "-o",
        &t,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(v["devices"].as_array().unwrap().len(), 50);
    // Only the target is left in the directory (interrupted runs may leave a `.NAME.*.tmp`).
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".tmp"))
        .collect();
    assert_eq!(names, vec![String::from("snapshot.json")]);
}

#[test]
fn generate_to_a_full_device_fails_with_a_write_error() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let out = run(&[
        "generate",
        "--devices",
        "50",
        "--collections",
        "20",
        "--users",
        "5",
        "-o",
        "/dev/full",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("error[write]"), "{}", stderr(&out));
}

// --- 4. Failed writes to stdout -------------------------------------------------------------

#[test]
fn a_failed_write_to_stdout_is_exit_3_with_a_message() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return;
    };
    let out = bin()
        .args(["demo", "--format", "json"])
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error[write]: cannot write to standard output"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_closed_pipe_stays_a_quiet_success() {
    let mut child = bin()
        .args(["generate", "--devices", "100000", "--collections", "100"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read a little, then close the pipe (`| head -c 100`).
    let mut head = [0u8; 100];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut head)
        .unwrap();
    drop(child.stdout.take());
    let out = wait_at_most(child, Duration::from_secs(60), "generate | head");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}

// --- 6. Input parsed while read -------------------------------------------------------------

#[test]
fn never_ending_input_fails_at_its_first_bad_byte() {
    // Like `--snapshot /dev/zero`, without the risk of running a machine out of memory on the
    // old code: NUL bytes on a pipe that is never closed. Reading to the end never ends.
    for command in ["validate", "upload"] {
        let mut child = bin()
            .args([command, "--snapshot", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(&[0u8; 1 << 16]);
        let out = wait_at_most(child, Duration::from_secs(20), command);
        drop(stdin);
        let (code, text) = if command == "validate" {
            (1, stdout(&out))
        } else {
            (2, stderr(&out))
        };
        assert_eq!(out.status.code(), Some(code), "{command}: {}", stderr(&out));
        assert!(
            text.contains("line 1, column 1") || text.contains(":1:1:"),
            "{command}: {text}"
        );
    }
}

#[test]
fn dev_zero_fails_fast() {
    if !Path::new("/dev/zero").exists() {
        return;
    }
    // Under a 2 GB address-space limit, so code that reads to the end fails (aborts) instead
    // of taking the machine's memory.
    let child = Command::new("sh")
        .args([
            "-c",
            "ulimit -v 2000000 && exec \"$0\" validate --snapshot /dev/zero --format json",
            env!("CARGO_BIN_EXE_tenant-attach"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_at_most(child, Duration::from_secs(20), "validate /dev/zero");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn invalid_utf8_is_listed_by_validate_with_its_position() {
    let text = serde_json::to_string_pretty(&fabrikam()).unwrap();
    let at = text.find("FAB-LT-002").unwrap();
    let mut bytes = text.into_bytes();
    bytes[at] = 0xff;
    let line = 1 + bytes[..at].iter().filter(|b| **b == b'\n').count();
    let mut child = bin()
        .args(["validate", "--snapshot", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &v["errors"][0];
    assert_eq!(e["path"], "$.devices[1].name");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("line {line}, column ")),
        "{message}"
    );
    assert!(
        message.contains("not UTF-8") && message.contains("0xff"),
        "{message}"
    );
}

#[test]
fn a_leading_bom_is_skipped_and_a_misplaced_one_is_named() {
    let text = serde_json::to_string(&fabrikam()).unwrap();
    let dir = scratch("bom");
    let path = dir.join("bom.json");
    std::fs::write(&path, format!("\u{feff}{text}")).unwrap();
    let out = run(&["validate", "--snapshot", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    std::fs::write(&path, text.replacen(",", ",\u{feff}", 1)).unwrap();
    let out = run(&["validate", "--snapshot", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("byte order mark"), "{}", stdout(&out));
    assert!(stdout(&out).contains("line 1, column "), "{}", stdout(&out));
}

#[test]
fn json_paths_name_map_keys() {
    let mut s = fabrikam();
    s["policy"]["features"] = json!({"timeline": {"since": "yesterday"}});
    let dir = scratch("map-keys");
    let snap = write_snapshot(&dir, &s);
    let out = run(&["validate", "--snapshot", &snap, "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["errors"][0]["path"], "$.policy.features.timeline.since",
        "{v}"
    );

    s["policy"]["features"] = json!({"teleport": {}});
    let snap = write_snapshot(&dir, &s);
    let out = run(&["validate", "--snapshot", &snap, "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["errors"][0]["path"], "$.policy.features.teleport", "{v}");
}

// --- 7. graph --around is linear ------------------------------------------------------------

#[test]
fn graph_around_a_deep_chain_costs_what_it_draws() {
    // A limiting chain of 60,000 collections. Drawing it all is linear; drawing it around
    // its middle to any depth must cost no more than that (it used to scan every edge for
    // every collection visited: 60,000 × 60,000).
    const N: usize = 60_000;
    let mut s = fabrikam();
    let mut collections = vec![s["collections"][0].clone()];
    let mut parent = String::from("SMS00001");
    for i in 0..N {
        let id = format!("CH{i:06}");
        collections.push(json!({"id": id, "name": format!("chain {i}"), "type": "device", "limiting": parent, "rules": []}));
        parent = id;
    }
    s["collections"] = Value::from(collections);
    s["hierarchy"]["attach"]["upload"] = json!({"all_devices": true});
    s["configmgr"]["admins"] = json!([]);
    s["x"] = Value::Null;
    let dir = scratch("chain");
    let snap = write_snapshot(&dir, &s);

    // Stdout to a file: a pipe nobody reads while waiting would fill and block the child.
    let out_path = dir.join("graph.json");
    let timed = |args: &[&str]| {
        let start = Instant::now();
        let child = bin()
            .args(args)
            .stdout(std::fs::File::create(&out_path).unwrap())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = wait_at_most(child, Duration::from_secs(120), "graph");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let v: Value = serde_json::from_slice(&std::fs::read(&out_path).unwrap()).unwrap();
        (start.elapsed(), v)
    };
    let (whole, _) = timed(&["graph", "--snapshot", &snap, "--format", "json"]);
    let (around, v) = timed(&[
        "graph",
        "--snapshot",
        &snap,
        "--format",
        "json",
        "--around",
        "CH030000",
        "--depth",
        "100000",
    ]);
    assert_eq!(v["collections"].as_array().unwrap().len(), N + 1);
    assert!(
        around < whole * 2 + Duration::from_secs(1),
        "around took {around:?}, the whole graph {whole:?}"
    );
    let (_, v) = timed(&[
        "graph",
        "--snapshot",
        &snap,
        "--format",
        "json",
        "--around",
        "CH030000",
        "--depth",
        "2",
    ]);
    assert_eq!(v["collections"].as_array().unwrap().len(), 5);
    assert_eq!(v["edges"].as_array().unwrap().len(), 4);
}

// --- 8. The `render` fuzz target's seeds and regressions, replayed ---------------------------

#[path = "support/fuzz_render.rs"]
mod fuzz_render;

fn seed_files(dir: &str) -> Vec<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(dir);
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    entries
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect()
}

#[test]
fn render_fuzz_seeds_and_regressions_replay() {
    let mut inputs = seed_files("fuzz/seeds/render");
    inputs.extend(seed_files("fuzz/regressions/render"));
    assert!(inputs.len() >= 8, "the render seeds are missing");
    for input in inputs {
        fuzz_render::render_names_full(&input);
    }
}

/// The minimised corpus committed in `fuzz/corpus/render/` (docs/reliability.md, session 6),
/// through the fuzz target's own entry point (engine-backed renderers on one input in 16, the
/// libFuzzer stretch): what the fuzzer reached stays crash-free under `cargo test`. A third
/// of it, every third input in byte order: the whole corpus takes 19 s in debug.
#[test]
fn render_fuzz_corpus_replays() {
    let mut inputs = seed_files("fuzz/corpus/render");
    assert!(
        inputs.len() >= 10,
        "fuzz/corpus/render is missing or lost its inputs"
    );
    inputs.sort();
    for input in inputs.iter().step_by(3) {
        fuzz_render::render_names(input);
    }
}

// --- 5. Output is a function of the content, not of array order ------------------------------

/// Every array of `v`, recursively, in a random order.
fn shuffle_arrays(v: &mut Value, rng: &mut tenant_attach_synth::Rng) {
    match v {
        Value::Array(items) => {
            for i in (1..items.len()).rev() {
                items.swap(i, rng.below(i + 1));
            }
            for item in items {
                shuffle_arrays(item, rng);
            }
        }
        Value::Object(map) => {
            for item in map.values_mut() {
                shuffle_arrays(item, rng);
            }
        }
        _ => {}
    }
}

/// Every command's `--format json` output on the snapshot at `path` (and `diff` against
/// `other`), through the very code the binary runs.
fn every_json_output(path: &str, other: &str, s: &Value) -> Vec<(String, String)> {
    use tenant_attach_cli::args::{Cli, Format};
    use tenant_attach_cli::output::Style;
    let mut commands: Vec<Vec<String>> = [
        "validate",
        "upload",
        "report",
        "graph",
        "stats",
        "sensitivity",
    ]
    .iter()
    .map(|c| vec![(*c).to_owned()])
    .collect();
    commands.push(vec!["report".into(), "--sensitivity".into()]);
    commands.push(vec!["diff".into(), other.into(), path.into()]);
    let upns: Vec<String> = s["entra"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["upn"].as_str().unwrap().to_owned())
        .collect();
    let devices: Vec<String> = s["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["resource_id"].to_string())
        .collect();
    let mut upns_sorted = upns.clone();
    upns_sorted.sort();
    let mut devices_sorted = devices.clone();
    devices_sorted.sort();
    let features = [
        "view",
        "run_script",
        "cmpivot",
        "timeline",
        "bitlocker_keys",
    ];
    for (i, user) in upns_sorted.iter().enumerate() {
        commands.push(vec!["offboard".into(), "--user".into(), user.clone()]);
        for f in features {
            commands.push(vec![
                "visible".into(),
                "--user".into(),
                user.clone(),
                "--feature".into(),
                f.into(),
            ]);
            for device in devices_sorted.iter().skip(i % 3).step_by(7) {
                commands.push(vec![
                    "check".into(),
                    "--user".into(),
                    user.clone(),
                    "--device".into(),
                    device.clone(),
                    "--feature".into(),
                    f.into(),
                ]);
            }
        }
    }
    for device in &devices_sorted {
        for f in features {
            commands.push(vec![
                "who".into(),
                "--device".into(),
                device.clone(),
                "--feature".into(),
                f.into(),
            ]);
        }
    }
    let style = Style::fixed(Format::Json, false);
    commands
        .into_iter()
        .map(|mut args| {
            let label = args.join(" ");
            let mut full = vec![String::from("tenant-attach")];
            full.append(&mut args);
            full.extend([
                "--snapshot".into(),
                path.into(),
                "--format".into(),
                "json".into(),
            ]);
            let cli = <Cli as clap::Parser>::try_parse_from(&full).unwrap();
            let out = match tenant_attach_cli::commands::run(&cli, &style) {
                // What `main` writes: the text, then the streamed document.
                Ok(done) => {
                    let mut bytes = done.stdout.into_bytes();
                    if let Some(stream) = done.stream {
                        stream(&mut bytes).unwrap();
                    }
                    String::from_utf8(bytes).unwrap()
                }
                Err(f) => format!("error: {:?}", f.lines()),
            };
            assert!(!out.is_empty(), "`{label}` printed nothing");
            (label, out)
        })
        .collect()
}

/// The sample with more than one item in every list `report` prints from the snapshot's
/// arrays, so that a list kept in file order shows when shuffled: two Global Administrators,
/// users with both directory roles, two Help Desk assignments reaching Default (two
/// `helpdesk_sees_servers` findings), two assignments without Default.
fn contoso_with_longer_lists() -> Value {
    let mut s: Value = serde_json::from_str(tenant_attach::sample::CONTOSO).unwrap();
    for user in s["entra"]["users"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .skip(4)
    {
        user["directory_roles"] =
            serde_json::json!(["intune_administrator", "global_administrator"]);
    }
    let assignments = s["intune"]["role_assignments"].as_array_mut().unwrap();
    let mut second = assignments[0].clone();
    second["id"] = Value::from("b7e2d7a4-0000-4000-8000-000000000000");
    second["name"] = Value::from("Helpdesk - second line");
    assignments.push(second);
    assignments[1]["scope_tags"] = serde_json::json!(["1"]);
    s
}

#[test]
fn shuffled_arrays_give_byte_identical_json_for_every_command() {
    let dir = scratch("shuffle");
    let mut worlds: Vec<Value> = (1..=3)
        .map(|seed| {
            let p = tenant_attach_synth::Params {
                devices: 40,
                collections: 14,
                users: 6,
                seed,
            };
            serde_json::from_str(&tenant_attach_synth::generate(&p).to_json()).unwrap()
        })
        .collect();
    worlds.push(fabrikam());
    worlds.push(serde_json::from_str(tenant_attach::sample::CONTOSO).unwrap());
    worlds.push(contoso_with_longer_lists());
    let mut rng = tenant_attach_synth::Rng::new(11);
    let mut failures = Vec::new();
    for (w, world) in worlds.iter().enumerate() {
        let original = dir.join(format!("world{w}.json"));
        std::fs::write(&original, world.to_string()).unwrap();
        let original = original.display().to_string();
        let expected = every_json_output(&original, &original, world);
        for k in 0..2 {
            let mut shuffled = world.clone();
            shuffle_arrays(&mut shuffled, &mut rng);
            let path = dir.join(format!("world{w}-shuffled{k}.json"));
            std::fs::write(&path, shuffled.to_string()).unwrap();
            let got = every_json_output(&path.display().to_string(), &original, world);
            for ((label, want), (_, have)) in expected.iter().zip(&got) {
                // `diff` compares the shuffled file to the original: no change either way.
                let want = if label.starts_with("diff") {
                    &expected
                        .iter()
                        .find(|(l, _)| l.starts_with("diff"))
                        .unwrap()
                        .1
                } else {
                    want
                };
                if want != have {
                    failures.push(format!(
                        "world {w}, shuffle {k}: `{label}` depends on array order: {}",
                        first_difference(want, have)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The first line where two outputs differ, with a little context.
fn first_difference(a: &str, b: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let i = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = i.saturating_sub(4);
    format!(
        "line {}:\n  want: {}\n  have: {}",
        i + 1,
        a.get(from..(i + 1).min(a.len()))
            .unwrap_or(&[])
            .join("\n        "),
        b.get(from..(i + 1).min(b.len()))
            .unwrap_or(&[])
            .join("\n        ")
    )
}
