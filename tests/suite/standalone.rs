//! The repository stands alone: no tracked file refers to a path outside it (the contract is
//! `docs/`, the rules are `tenant_attach::rules`), except `.ci/run`'s optional check against
//! the project's rulebook where it is checked out beside the repository.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The repository's files: `git ls-files` where git and the `.git` directory are there, else
/// every file under the root but build output.
fn tracked_files() -> Vec<PathBuf> {
    let listed = std::process::Command::new("git")
        .arg("ls-files")
        .current_dir(root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    match listed {
        Some(list) => list.lines().map(|l| root().join(l)).collect(),
        None => {
            let mut out = Vec::new();
            walk(&root(), &mut out);
            out
        }
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        if p.is_dir() {
            if name != "target" && name != ".git" {
                walk(&p, out);
            }
        } else {
            out.push(p);
        }
    }
}

#[test]
fn no_file_refers_to_a_path_outside_the_repository() {
    // Written in pieces so this file does not name them.
    let outside = [
        ["../", "shared"].concat(),
        ["../", "toolchain"].concat(),
        ["/", "work/"].concat(),
        ["/", "home/"].concat(),
        ["/", "Users/"].concat(),
    ];
    let allowed = root().join(".ci/run");
    let mut found = Vec::new();
    for f in tracked_files() {
        if f == allowed {
            continue;
        }
        // Binary files (images) are not read as text.
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        for needle in &outside {
            for (n, line) in text.lines().enumerate() {
                if line.contains(needle.as_str()) {
                    found.push(format!("{}:{}: {needle}", f.display(), n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "references to paths outside the repository (point to docs/ or tenant_attach::rules \
         instead):\n{}",
        found.join("\n")
    );
}
