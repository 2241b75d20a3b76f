//! No import cycles between top-level modules: a lower module does not know a higher one (the
//! piece both need moves down). An edge is any `crate::MODULE` path in code (comments and doc
//! comments aside, tests aside), a name the crate root re-exports counting as its module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Cycles known and accepted, each with its reason, as (lower, higher) pairs.
const ACCEPTED: &[(&str, &str, &str)] = &[(
    "features",
    "snapshot",
    "the snapshot's types use the feature vocabulary (Operation, Feature) and the requirement \
     table reads the snapshot's Policy; features.rs is being rewritten for rulebook 3, which is \
     where the vocabulary and the requirement table part",
)];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without comments, string contents and its `#[cfg(test)]` tail.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut out = String::new();
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("");
        // Drop string literals (they may hold `crate::` in messages or doctests).
        let mut in_str = false;
        let mut prev = ' ';
        for c in line.chars() {
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            } else if !in_str {
                out.push(c);
            }
            prev = c;
        }
        out.push('\n');
    }
    out
}

/// The module graph of the crate whose sources are in `src`: module → modules it names.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let mut modules = BTreeSet::new();
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        if name != "lib" && name != "main" {
            modules.insert(name);
        }
    }
    // `pub use module::{A, B};` at the crate root: A and B belong to `module`.
    let mut reexported: BTreeMap<String, String> = BTreeMap::new();
    for stmt in code(&lib).split(';') {
        let Some(rest) = stmt.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, names)) = rest.split_once("::") else {
            continue;
        };
        if !modules.contains(module) {
            continue;
        }
        for n in names.split([',', '{', '}']) {
            let n = n.trim();
            if !n.is_empty() {
                reexported.insert(n.to_owned(), module.to_owned());
            }
        }
    }
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for module in &modules {
        let mut fs = Vec::new();
        let dir = src.join(module);
        if dir.is_dir() {
            files(&dir, &mut fs);
        } else {
            fs.push(src.join(format!("{module}.rs")));
        }
        for f in fs {
            let text = code(&std::fs::read_to_string(&f).unwrap());
            let mut rest = text.as_str();
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                // `crate::{a::X, b}` names several; `crate::a` one.
                let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                    let end = group.find('}').unwrap_or(group.len());
                    group[..end].split(',').collect()
                } else {
                    vec![rest]
                };
                for n in names {
                    let ident: String = n
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    let target = if modules.contains(&ident) {
                        Some(ident)
                    } else {
                        reexported.get(&ident).cloned()
                    };
                    if let Some(t) = target
                        && &t != module
                    {
                        edges.entry(module.clone()).or_default().insert(t);
                    }
                }
            }
        }
    }
    edges
}

/// Every module from which `to` is reachable, starting at `from`'s successors.
fn reaches(
    edges: &BTreeMap<String, BTreeSet<String>>,
    from: &str,
    to: &str,
) -> Option<Vec<String>> {
    let mut stack = vec![vec![from.to_owned()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().unwrap().clone();
        for next in edges.get(&last).into_iter().flatten() {
            let mut p = path.clone();
            p.push(next.clone());
            if next == to {
                return Some(p);
            }
            if seen.insert(next.clone()) {
                stack.push(p);
            }
        }
    }
    None
}

fn cycles(src: &Path) -> Vec<String> {
    let edges = graph(src);
    let mut found = Vec::new();
    for (module, targets) in &edges {
        for t in targets {
            let accepted = ACCEPTED
                .iter()
                .any(|(a, b, _)| (a == module && b == t) || (a == t && b == module));
            if accepted {
                continue;
            }
            if let Some(back) = reaches(&edges, t, module) {
                found.push(format!("{module} → {}", back.join(" → ")));
            }
        }
    }
    found
}

#[test]
fn the_library_modules_import_without_cycles() {
    let found = cycles(&root().join("crates/tenant-attach/src"));
    assert!(
        found.is_empty(),
        "import cycles between the library's modules (move the shared piece down):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_command_line_modules_import_without_cycles() {
    let found = cycles(&root().join("crates/tenant-attach-cli/src"));
    assert!(
        found.is_empty(),
        "import cycles between the command line's modules (move the shared piece down):\n{}",
        found.join("\n")
    );
}

/// The test sees a cycle when there is one (a graph with a known cycle).
#[test]
fn a_cycle_is_seen() {
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["c".to_owned()])),
        ("c".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        reaches(&edges, "b", "a"),
        Some(vec!["b".to_owned(), "c".to_owned(), "a".to_owned()])
    );
    assert!(code("x // crate::a\n\"crate::b\" crate::c").contains("crate::c"));
    assert!(!code("x // crate::a\n\"crate::b\"").contains("crate::"));
}
