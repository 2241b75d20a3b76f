//! `import`: export directories → snapshot, or every problem at once (exit 2).
//!
//! Files are read as bytes: decoding is the importer's job, so bad UTF-8 (with its line and
//! column), a byte order mark, an unreadable file or a directory named like an export become
//! import errors, collected with every other problem.

use std::io::{IsTerminal, Write};
use std::path::Path;

use tenant_attach_import::{Inputs, Source};

use crate::outcome::{Done, Failure, done};

/// Exports bigger than this show progress on a terminal.
const PROGRESS_BYTES: u64 = 50_000_000;

/// One input path as a source: its bytes, or why there are none.
fn source(path: &Path, name: String) -> Source {
    if path.is_dir() {
        return Source::directory(name);
    }
    match std::fs::read(path) {
        Ok(bytes) => Source::bytes(name, bytes),
        Err(e) => Source::unreadable(name, e.to_string()),
    }
}

/// Every `*.json` entry of a directory (files, and directories named like files), as named
/// sources; progress on stderr for large exports when stderr is a terminal.
fn read_export_dir(dir: &Path) -> Result<Vec<Source>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        format!(
            "error[usage]: cannot read directory `{}`: {e}",
            dir.display()
        )
    })?;
    let mut paths: Vec<std::path::PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("json"))
        })
        .collect();
    paths.sort();
    let total: u64 = paths
        .iter()
        .filter_map(|p| p.metadata().ok())
        .map(|m| m.len())
        .sum();
    let show = std::io::stderr().is_terminal() && total > PROGRESS_BYTES;
    let mut out = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        if show {
            let _ = write!(
                std::io::stderr(),
                "\rreading {} ({}/{})   ",
                p.display(),
                i + 1,
                paths.len()
            );
        }
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push(source(p, name));
    }
    if show {
        let _ = writeln!(std::io::stderr());
    }
    Ok(out)
}

/// `import`: exports → snapshot on stdout or in `output`, warnings on stderr; or one
/// `error[import]` line per problem (exit 2) and nothing written.
pub fn import(
    configmgr: &Path,
    graph: &Path,
    settings: &Path,
    output: Option<&Path>,
) -> Result<Done, Failure> {
    let cm = read_export_dir(configmgr);
    let gr = read_export_dir(graph);
    let (configmgr, graph) = match (cm, gr) {
        (Ok(c), Ok(g)) => (c, g),
        (c, g) => {
            return Err(Failure([c.err(), g.err()].into_iter().flatten().collect()));
        }
    };
    let inputs = Inputs {
        configmgr,
        graph,
        settings: source(settings, settings.display().to_string()),
    };
    let imported = tenant_attach_import::import(&inputs).map_err(|errors| {
        Failure(
            errors
                .iter()
                .map(|e| format!("error[import]: {e}"))
                .collect(),
        )
    })?;
    {
        let mut err = std::io::stderr().lock();
        for w in &imported.warnings {
            let _ = writeln!(err, "tenant-attach: warning[import]: {w}");
        }
    }
    let mut text = imported.snapshot.to_json();
    text.push('\n');
    match output {
        Some(path) => {
            // Written beside the target and renamed into place only when whole: a failed or
            // interrupted import leaves an existing file as it was (exit 3).
            crate::write::bytes(path, text.as_bytes()).map_err(|e| {
                Failure::one(format!(
                    "error[write]: cannot write `{}`: {e}",
                    path.display()
                ))
            })?;
            Ok(done(String::new(), 0))
        }
        None => Ok(done(text, 0)),
    }
}
