//! Issue 18, item 5: `batch`'s memory is bounded by bytes, not by a count of answers. Answers
//! of `visible` on a 20,000-device world are about 115 kB each; before, a chunk of 2,048 of
//! them was built whole (and several chunks were in flight): 5,000 questions peaked at 371 MB
//! against 17 MB for the load.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a panic is how a test reports a failure"
)]

mod support;

use std::io::{Read, Write};
use std::process::{Command, Stdio};

#[test]
fn batch_of_large_answers_stays_within_its_byte_budget() {
    let bin = env!("CARGO_BIN_EXE_tenant-attach");
    let dir = std::env::temp_dir().join(format!("tenant-attach-batch-mem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let world = dir.join("world.json");
    let made = Command::new(bin)
        .args(["generate", "--devices", "20000", "--collections", "400"])
        .args([
            "--users",
            "150",
            "--seed",
            "3",
            "-o",
            world.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        made.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&world).unwrap()).unwrap();
    let upns: Vec<String> = snapshot["entra"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["upn"].as_str().unwrap().to_owned())
        .collect();
    drop(snapshot);
    let questions: String = (0..1000)
        .map(|i| {
            format!(
                "{{\"visible\": {{\"user\": \"{}\"}}}}\n",
                upns[i % upns.len()]
            )
        })
        .collect();
    let mut child = Command::new(bin)
        .args(["batch", "--snapshot", world.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || stdin.write_all(questions.as_bytes()));
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let (mut bytes, mut lines, mut peak) = (0u64, 0u64, 0u64);
    loop {
        let n = stdout.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        bytes += n as u64;
        lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        if let Some(kb) = support::peak_kb(pid) {
            peak = peak.max(kb);
        }
    }
    feeder.join().unwrap().unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert_eq!(lines, 1000);
    assert!(bytes >= 60 << 20, "{bytes} bytes");
    assert!(peak > 0, "the peak memory was never read");
    eprintln!("{lines} answers, {bytes} bytes written, peak {peak} kB");
    // The load (about 20 MB here), the answers in flight (at most 16 MiB), one answer being
    // serialized per worker: far below the answers' size.
    assert!(
        peak < 64 * 1024,
        "peak {peak} kB while writing {bytes} bytes"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
