//! Repository-wide rules, checked by `cargo test` (rust-analyzer's tidy test).

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if !p.ends_with("target") {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// No test is ignored or expects a panic: assert the `Err` instead.
#[test]
fn no_ignored_or_should_panic_tests() {
    let mut files = Vec::new();
    for d in ["crates", "tests", "benches"] {
        rust_files(&root().join(d), &mut files);
    }
    let needle_ignore = ["#[", "ignore]"].concat();
    let needle_panic = ["#[", "should_panic"].concat();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            !text.contains(&needle_ignore),
            "{} has an ignored test",
            f.display()
        );
        assert!(
            !text.contains(&needle_panic),
            "{} has a should_panic test",
            f.display()
        );
    }
}

/// Every rule id the library cites is listed in ARCHITECTURE.md's map of where rules live.
#[test]
fn every_cited_rule_is_on_the_architecture_map() {
    let map = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let mut files = Vec::new();
    rust_files(&root().join("crates/tenant-attach/src"), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, _) in text.match_indices("\"R-") {
            let id: String = text[i + 1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            assert!(
                map.contains(&id),
                "{id} (cited in {}) is missing from ARCHITECTURE.md",
                f.display()
            );
        }
    }
}

/// The library does no I/O and prints nothing (ARCHITECTURE.md's first invariant).
#[test]
fn library_is_pure() {
    let mut files = Vec::new();
    rust_files(&root().join("crates/tenant-attach/src"), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for banned in [
            "std::fs",
            "std::net",
            "println!",
            "eprintln!",
            "std::process",
        ] {
            assert!(!text.contains(banned), "{} uses {banned}", f.display());
        }
    }
}

/// The crate ships the rules it cites: every rule id of the library's `RULE_IDS` is described
/// in `tenant_attach::rules` (src/rules.rs), and every rulebook id there is one of `RULE_IDS`.
#[test]
fn every_rule_id_is_described_in_the_rules_module() {
    let text = std::fs::read_to_string(root().join("crates/tenant-attach/src/rules.rs")).unwrap();
    for id in tenant_attach::decision::RULE_IDS {
        let needle = if id.starts_with("R-") {
            format!("//! | {id} |")
        } else {
            format!("`{id}`")
        };
        assert!(
            text.contains(&needle),
            "{id} is not described in src/rules.rs"
        );
    }
    // The rulebook's ids, as committed beside this test (`.ci/run` compares them with the
    // rulebook where the project's copy is checked out beside the repository).
    let committed: Vec<&str> = include_str!("rulebook_ids.txt").lines().collect();
    for id in committed {
        assert!(
            tenant_attach::decision::RULE_IDS.contains(&id),
            "{id} of the rulebook is missing from RULE_IDS"
        );
    }
}
