//! `import`: export directories → snapshot, or every problem at once (exit 2).
//!
//! Files are read as bytes: decoding is the importer's job, so bad UTF-8 (with its line and
//! column), a byte order mark, an unreadable file or a directory named like an export become
//! import errors, collected with every other problem. Only the files named like an export of
//! their directory are opened (the others are named in one warning), and only when they are
//! regular files (or links to one) no larger than the cap: a FIFO would block, `/dev/zero` never
//! ends.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use tenant_attach_import::exports::{Side, is_export};
use tenant_attach_import::{Inputs, MAX_FILE_BYTES, Options, Source};

use crate::outcome::{Done, Failure, done};

/// Exports bigger than this show progress on a terminal.
const PROGRESS_BYTES: u64 = 50_000_000;

/// One input path as a source: its bytes (at most `limit` of them), or why there are none.
/// The type is checked before the file is opened (opening a FIFO blocks until a writer comes)
/// and again on the open handle.
fn source(path: &Path, name: String, limit: u64) -> Source {
    let not_regular = |what: &str| {
        Source::unreadable(
            name.clone(),
            format!("{what}, not a regular file: an export must be a file (or a link to one)"),
        )
    };
    let kind = |m: &std::fs::Metadata| {
        let t = m.file_type();
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if t.is_fifo() {
                return "a FIFO (named pipe)";
            }
            if t.is_char_device() || t.is_block_device() {
                return "a device";
            }
            if t.is_socket() {
                return "a socket";
            }
        }
        if t.is_file() { "" } else { "something else" }
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return Source::unreadable(name, e.to_string()),
    };
    if meta.is_dir() {
        return Source::directory(name);
    }
    if !meta.is_file() {
        return not_regular(kind(&meta));
    }
    let too_large = |n: u64| {
        Source::unreadable(
            name.clone(),
            format!(
                "{n} bytes or more: larger than the {limit} bytes an export file may have (the cap, `MAX_FILE_BYTES`)"
            ),
        )
    };
    if meta.len() > limit {
        return too_large(meta.len());
    }
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return Source::unreadable(name, e.to_string()),
    };
    match file.metadata() {
        Ok(m) if !m.is_file() => return not_regular(kind(&m)),
        Err(e) => return Source::unreadable(name, e.to_string()),
        Ok(_) => {}
    }
    // A file that grows while it is read stops at the cap all the same.
    let mut bytes = Vec::new();
    match file.take(limit.saturating_add(1)).read_to_end(&mut bytes) {
        Ok(n) if u64::try_from(n).unwrap_or(u64::MAX) > limit => too_large(limit.saturating_add(1)),
        Ok(_) => Source::bytes(name, bytes),
        Err(e) => Source::unreadable(name, e.to_string()),
    }
}

/// Every entry of a directory: the exports of `side` (files, and directories named like files)
/// read as named sources, the rest as skipped sources (named in the importer's one warning);
/// progress on stderr for large exports when stderr is a terminal.
fn read_export_dir(dir: &Path, side: Side, limit: u64) -> Result<Vec<Source>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        format!(
            "error[usage]: cannot read directory `{}`: {e}",
            dir.display()
        )
    })?;
    let mut all: Vec<std::path::PathBuf> =
        entries.filter_map(Result::ok).map(|e| e.path()).collect();
    all.sort();
    let file_name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let (paths, skipped): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|p| is_export(side, &file_name(p)));
    // Only regular files count towards the total (metadata follows links; a FIFO has none).
    let total: u64 = paths
        .iter()
        .filter_map(|p| p.metadata().ok())
        .filter(std::fs::Metadata::is_file)
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
        out.push(source(p, file_name(p), limit));
    }
    if show {
        let _ = writeln!(std::io::stderr());
    }
    out.extend(skipped.iter().map(|p| Source::skipped(file_name(p))));
    Ok(out)
}

/// `import`: exports → snapshot on stdout or in `output`, warnings on stderr; or one
/// `error[import]` line per problem (exit 2) and nothing written.
pub fn import(
    configmgr: &Path,
    graph: &Path,
    settings: &Path,
    output: Option<&Path>,
    strict: bool,
) -> Result<Done, Failure> {
    let mut options = Options::default();
    options.strict = strict;
    let limit = MAX_FILE_BYTES;
    let cm = read_export_dir(configmgr, Side::ConfigMgr, limit);
    let gr = read_export_dir(graph, Side::Graph, limit);
    let (configmgr, graph) = match (cm, gr) {
        (Ok(c), Ok(g)) => (c, g),
        (c, g) => {
            return Err(Failure([c.err(), g.err()].into_iter().flatten().collect()));
        }
    };
    let inputs = Inputs {
        configmgr,
        graph,
        settings: source(settings, settings.display().to_string(), limit),
    };
    let imported = tenant_attach_import::import_with(&inputs, &options).map_err(|errors| {
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
