//! Issue 12: a `diff` with millions of changes is written as it is walked, so the process's
//! peak memory stays far below the size of its answer (before, the whole JSON tree was built
//! first: 12.6 GB for 5.9 million changes).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a panic is how a test reports a failure"
)]

mod support;

use std::io::Read;
use std::process::{Command, Stdio};

#[test]
fn diff_with_millions_of_changes_streams_in_bounded_memory() {
    let bin = env!("CARGO_BIN_EXE_tenant-attach");
    let dir = std::env::temp_dir().join(format!("tenant-attach-stream-mem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let world = dir.join("world.json");
    let sample = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tenant-attach/data/contoso.json");
    let made = Command::new(bin)
        .args([
            "generate",
            "--devices",
            "16000",
            "--collections",
            "400",
            "--users",
            "150",
        ])
        .args(["--seed", "3", "-o", world.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        made.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    // The sample and the world share no user: every decision of either side changes.
    let mut child = Command::new(bin)
        .args([
            "diff",
            sample.to_str().unwrap(),
            world.to_str().unwrap(),
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let (mut bytes, mut changes, mut peak) = (0u64, 0u64, 0u64);
    loop {
        let n = stdout.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        bytes += n as u64;
        changes += buf[..n]
            .windows(10)
            .filter(|w| w == b"\"feature\":")
            .count() as u64;
        if let Some(kb) = support::peak_kb(pid) {
            peak = peak.max(kb);
        }
    }
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(changes >= 2_000_000, "{changes} changes");
    assert!(bytes >= 300 << 20, "{bytes} bytes");
    // Peak resident memory: the engines and one user's changes at a time, far below the
    // answer's size (a tree of a million changes alone takes several hundred MB).
    assert!(peak > 0, "the peak memory was never read");
    eprintln!("{changes} changes, {bytes} bytes written, peak {peak} kB");
    assert!(
        peak < 96 * 1024,
        "peak {peak} kB while writing {bytes} bytes"
    );
}
