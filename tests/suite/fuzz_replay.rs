//! Replays every committed fuzz regression, and the corpus seeds, through the fuzz targets'
//! bodies under `cargo test`: a crash once found stays fixed without nightly or cargo-fuzz.

use std::path::Path;

use crate::fuzz_bodies::{EXPORTS, decide, import_file, load_validate_upload};

fn files(dirs: &[&str]) -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            if path.is_file() {
                out.push(std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn load_validate_upload_regressions_replay() {
    let inputs = files(&[
        "fuzz/regressions/load_validate_upload",
        "tests/corpus/invalid",
        "tests/corpus/fabrikam",
    ]);
    assert!(inputs.len() > 10, "no fuzz inputs found to replay");
    for input in inputs {
        load_validate_upload(&input);
    }
}

#[test]
fn decide_regressions_replay() {
    let mut inputs = files(&["fuzz/regressions/decide"]);
    let fabrikam = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/fabrikam/snapshot.json"),
    )
    .unwrap();
    for sel in 0u8..48 {
        let mut input = vec![sel, sel / 3, sel];
        input.extend_from_slice(&fabrikam);
        inputs.push(input);
    }
    for input in inputs {
        decide(&input);
    }
}

#[test]
fn import_file_regressions_replay() {
    let mut inputs = files(&["fuzz/regressions/import_file"]);
    // Seeds: each committed Contoso export file under its own selector.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import/contoso");
    for (i, (graph, name)) in EXPORTS.iter().enumerate() {
        let dir = root.join(if *graph { "graph" } else { "configmgr" });
        for candidate in [format!("{name}.json"), format!("{name}.1.json")] {
            if let Ok(bytes) = std::fs::read(dir.join(candidate)) {
                let mut input = vec![i as u8];
                input.extend_from_slice(&bytes);
                inputs.push(input);
            }
        }
    }
    assert!(inputs.len() >= EXPORTS.len());
    for input in inputs {
        import_file(&input);
    }
}

/// The minimised corpus committed for `target` (`fuzz/corpus/TARGET/`, docs/reliability.md,
/// session 6): every input the fuzzer kept, replayed through the target's own body, so what
/// the fuzzer reached stays crash-free under `cargo test`, without nightly or cargo-fuzz.
fn corpus(target: &str) -> Vec<Vec<u8>> {
    let inputs = files(&[&format!("fuzz/corpus/{target}")]);
    assert!(
        inputs.len() >= 10,
        "fuzz/corpus/{target} is missing or lost its inputs"
    );
    inputs
}

#[test]
fn load_validate_upload_corpus_replays() {
    for input in corpus("load_validate_upload") {
        load_validate_upload(&input);
    }
}

#[test]
fn decide_corpus_replays() {
    for input in corpus("decide") {
        decide(&input);
    }
}

#[test]
fn import_file_corpus_replays() {
    for input in corpus("import_file") {
        import_file(&input);
    }
}
