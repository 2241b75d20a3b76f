//! `tenant-attach import`, end to end (issue 13): a real site's bundle imports with warnings
//! (exit 0); broken bundles give one `error[import]` line per problem (exit 2), nothing on
//! stdout, no output file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a panic is how a test reports a failure"
)]

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::{run, scratch, stderr};

use serde_json::Value;

fn bundle(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/import")
        .join(name)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            copy_dir(&p, &to.join(p.file_name().unwrap()));
        } else {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

fn import(dir: &Path, output: &Path) -> Output {
    let d = |s: &str| dir.join(s).display().to_string();
    run(&[
        "import",
        "--configmgr",
        &d("configmgr"),
        "--graph",
        &d("graph"),
        "--settings",
        &d("settings.json"),
        "-o",
        &output.display().to_string(),
    ])
}

/// Every G3 quirk: exit 0, the warnings on stderr, a snapshot that validates, and `upload`
/// uploads exactly the devices whose `SMS_R_System.Client` is 1 (R-U2).
#[test]
fn realsite_imports_with_warnings_and_validates() {
    let out_dir = scratch("realsite");
    let snapshot = out_dir.join("snapshot.json");
    let out = import(&bundle("realsite"), &snapshot);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let warnings: Vec<String> = stderr(&out).lines().map(String::from).collect();
    let expected = std::fs::read_to_string(bundle("realsite/expected/warnings.txt")).unwrap();
    assert_eq!(warnings.len(), expected.lines().count(), "{warnings:#?}");
    for (got, want) in warnings.iter().zip(expected.lines()) {
        assert_eq!(got, &format!("tenant-attach: warning[import]: {want}"));
    }

    let s = snapshot.display().to_string();
    let validated = run(&["validate", "--snapshot", &s]);
    assert_eq!(
        validated.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&validated.stdout)
    );

    let upload = run(&["upload", "--snapshot", &s, "--format", "json"]);
    assert_eq!(upload.status.code(), Some(0), "{}", stderr(&upload));
    let v: Value = serde_json::from_slice(&upload.stdout).unwrap();
    let uploaded: BTreeSet<u64> = v["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["resource_id"].as_u64().unwrap())
        .collect();
    let systems: Value = serde_json::from_str(
        &std::fs::read_to_string(bundle("realsite/configmgr/SMS_R_System.json")).unwrap(),
    )
    .unwrap();
    let clients: BTreeSet<u64> = systems["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["Client"] == 1)
        .map(|d| d["ResourceId"].as_u64().unwrap())
        .collect();
    assert_eq!(uploaded, clients);
    std::fs::remove_dir_all(&out_dir).unwrap();
}

/// Bad UTF-8 in two files, one missing, one scalar, one broken nextLink chain: five
/// `error[import]` lines in one run, exit 2, nothing on stdout, no output file.
#[test]
fn broken_bundle_lists_every_problem_and_writes_nothing() {
    let out_dir = scratch("broken");
    let snapshot = out_dir.join("snapshot.json");
    let out = import(&bundle("broken"), &snapshot);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(!snapshot.exists(), "an output file was written");
    let lines: Vec<String> = stderr(&out).lines().map(String::from).collect();
    let expected = std::fs::read_to_string(bundle("broken/expected/errors.txt")).unwrap();
    let want: Vec<String> = expected
        .lines()
        .map(|l| format!("tenant-attach: error[import]: {l}"))
        .collect();
    assert_eq!(lines, want);
    assert_eq!(lines.len(), 5);
    std::fs::remove_dir_all(&out_dir).unwrap();
}

/// A directory where an export file should be, and a settings path that does not exist: both
/// are import errors that name the file, reported together.
#[test]
fn directories_and_unreadable_files_are_import_errors() {
    let dir = scratch("directory");
    copy_dir(&bundle("realsite"), &dir);
    let tags = dir.join("graph/roleScopeTags.json");
    std::fs::remove_file(&tags).unwrap();
    std::fs::create_dir_all(&tags).unwrap();
    std::fs::remove_file(dir.join("settings.json")).unwrap();
    let out = import(&dir, &dir.join("out.json"));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines.contains(&"tenant-attach: error[import]: roleScopeTags.json: (file): is a directory, expected an export file"),
        "{err}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("tenant-attach: error[import]: ")
                && l.contains("settings.json: (file): cannot read: ")),
        "{err}"
    );
    assert!(!dir.join("out.json").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A missing export directory is a usage error (exit 2) naming it.
#[test]
fn a_missing_directory_is_a_usage_error() {
    let dir = scratch("nodir");
    let out = run(&[
        "import",
        "--configmgr",
        &dir.join("nope").display().to_string(),
        "--graph",
        &bundle("realsite/graph").display().to_string(),
        "--settings",
        &bundle("realsite/settings.json").display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("error[usage]: cannot read directory"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 11: `import -o` onto a device that cannot take the bytes is a write error (exit 3),
/// and an existing output file is never truncated by a failed import.
#[test]
fn import_output_is_written_atomically() {
    let dir = std::env::temp_dir().join(format!(
        "tenant-attach-import-atomic-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("snapshot.json");
    std::fs::write(&target, "the old snapshot").unwrap();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/import");
    let broken = root.join("broken");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tenant-attach"))
        .args(["import", "--configmgr"])
        .arg(broken.join("configmgr"))
        .arg("--graph")
        .arg(broken.join("graph"))
        .arg("--settings")
        .arg(broken.join("settings.json"))
        .arg("-o")
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "the old snapshot"
    );
    if std::path::Path::new("/dev/full").exists() {
        let good = root.join("realsite");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tenant-attach"))
            .args(["import", "--configmgr"])
            .arg(good.join("configmgr"))
            .arg("--graph")
            .arg(good.join("graph"))
            .arg("--settings")
            .arg(good.join("settings.json"))
            .args(["-o", "/dev/full"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(3),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("error[write]"));
    }
}

/// Runs `import` on `dir` and waits at most `secs` seconds (a hang is a failure, not a stuck
/// test run).
fn import_within(dir: &Path, extra: &[&str], secs: u64) -> Output {
    let d = |s: &str| dir.join(s).display().to_string();
    let mut child = support::bin()
        .args([
            "import",
            "--configmgr",
            &d("configmgr"),
            "--graph",
            &d("graph"),
            "--settings",
            &d("settings.json"),
        ])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > std::time::Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("import did not finish within {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Issue 18: a FIFO named like an export is an error (reading it blocked for ever), a link to
/// `/dev/zero` is an error (it was read until memory ran out); a stray FIFO that is no export
/// is not opened at all, only named in the one warning about unlisted files.
#[cfg(unix)]
#[test]
fn special_files_are_errors_not_hangs() {
    let mkfifo = |p: &Path| {
        let ok = std::process::Command::new("mkfifo")
            .arg(p)
            .status()
            .unwrap()
            .success();
        assert!(ok, "mkfifo {}", p.display());
    };
    let dir = scratch("special");
    copy_dir(&bundle("contoso"), &dir);
    let cm = dir.join("configmgr");
    std::fs::remove_file(cm.join("SMS_Scripts.json")).unwrap();
    mkfifo(&cm.join("SMS_Scripts.json"));
    std::fs::remove_file(cm.join("SMS_Operation.json")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", cm.join("SMS_Operation.json")).unwrap();
    let out = import_within(&dir, &[], 60);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "SMS_Scripts.json: (file): cannot read: a FIFO (named pipe), not a regular file"
        ),
        "{err}"
    );
    assert!(
        err.contains("SMS_Operation.json: (file): cannot read: a device, not a regular file"),
        "{err}"
    );

    // Not an export: never opened, one warning.
    let dir = scratch("stray");
    copy_dir(&bundle("contoso"), &dir);
    mkfifo(&dir.join("graph").join("stray.json"));
    std::fs::write(dir.join("configmgr").join("README.txt"), "notes").unwrap();
    let out = import_within(&dir, &[], 60);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("no export the importer reads"))
        .collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].contains("`README.txt` (ConfigMgr)") && lines[0].contains("`stray.json` (Graph)"),
        "{err}"
    );
}

/// Issue 18: `--strict` refuses to infer associations (an admin exported by a list call, without
/// `Permissions`), naming the admin; without it the snapshot marks them inferred.
#[test]
fn strict_refuses_to_infer_associations() {
    let dir = scratch("strict");
    copy_dir(&bundle("contoso"), &dir);
    let admins = dir.join("configmgr").join("SMS_Admin.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&admins).unwrap()).unwrap();
    v[1].as_object_mut().unwrap().remove("Permissions");
    std::fs::write(&admins, v.to_string()).unwrap();
    let out = import_within(&dir, &[], 60);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"associations_inferred\": true"));
    let out = import_within(&dir, &["--strict"], 60);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "error[import]: SMS_Admin.json: record 1 (`CONTOSO\\CM-Helpdesk`): field `Permissions`"
        ) && err.contains("`--strict` does not infer"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}
