//! Helpers shared by the command line's end-to-end tests: run the binary, read its output,
//! make a scratch directory. (The `render` fuzz body beside this file is included by path.)

#![allow(
    dead_code,
    reason = "each test file uses the helpers it needs; the others are unused there"
)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The `tenant-attach` binary, colour off.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tenant-attach"));
    c.env("NO_COLOR", "1");
    c
}

/// Runs the binary with `args` and waits for it.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

/// Standard error, lossily decoded.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Standard output, which must be UTF-8.
pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

/// A fresh scratch directory of this test process.
pub fn scratch(label: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("tenant-attach-test-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// Peak resident memory of a running process, in kB (`VmHWM`), if it can still be read.
pub fn peak_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
