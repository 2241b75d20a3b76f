//! Loading a snapshot for a command: `--snapshot FILE` or standard input, parsed, validated
//! and indexed, or refused with one line per problem. Below `commands` and `assert`, which
//! both load.

use tenant_attach::{BuildError, Diagnostic, Engine, LoadError, Severity, Snapshot};

use crate::args::Cli;
use crate::outcome::Failure;

/// Opens `--snapshot` (a file, or `-` for standard input): the label for messages and the
/// input. Nothing is read here (see `parse`).
pub(crate) fn read(cli: &Cli) -> Result<(String, Input), Failure> {
    let Some(path) = &cli.snapshot else {
        return Err(Failure::one(String::from(
            "error[usage]: this command needs --snapshot FILE (or --snapshot - for standard input)",
        )));
    };
    if path.as_os_str() == "-" {
        return Ok((
            String::from("<stdin>"),
            Input::Stdin(std::io::stdin().lock()),
        ));
    }
    let label = path.display().to_string();
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::one(format!("error[usage]: cannot read `{label}`: {e}")))?;
    Ok((label, Input::File(file)))
}

/// Where a snapshot comes from.
pub(crate) enum Input {
    File(std::fs::File),
    Stdin(std::io::StdinLock<'static>),
}

/// Parses a snapshot; a failed read is a usage error naming the file. A regular file has a
/// known, bounded size: it is read whole and parsed from memory (the fast path). Anything
/// else (standard input, a pipe, a device such as `/dev/zero`) may never end: it is parsed
/// while it is read, and the first bad byte stops the read.
pub(crate) fn parse(label: &str, reader: Input) -> Result<Result<Snapshot, LoadError>, Failure> {
    let parsed = match reader {
        Input::File(mut file) if file.metadata().is_ok_and(|m| m.is_file()) => {
            use std::io::Read;
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes)
                .map_err(|e| Failure::one(format!("error[usage]: cannot read `{label}`: {e}")))?;
            Snapshot::from_slice(&bytes)
        }
        Input::File(file) => Snapshot::from_reader(file),
        Input::Stdin(stdin) => Snapshot::from_reader(stdin),
    };
    match parsed {
        Err(LoadError::Io(e)) => Err(Failure::one(format!(
            "error[usage]: cannot read `{label}`: {e}"
        ))),
        other => Ok(other),
    }
}

pub(crate) fn load_path(path: &std::path::Path) -> Result<&'static Engine, Failure> {
    let label = path.display().to_string();
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::one(format!("error[usage]: cannot read `{label}`: {e}")))?;
    let snapshot = parse(&label, Input::File(file))?.map_err(|e| refused(&label, &e.into()))?;
    Engine::new(snapshot)
        .map(until_exit)
        .map_err(|e| refused(&label, &e))
}

pub(crate) fn load(cli: &Cli) -> Result<(String, &'static Engine), Failure> {
    let (label, reader) = read(cli)?;
    let snapshot = parse(&label, reader)?.map_err(|e| refused(&label, &e.into()))?;
    let engine = Engine::new(snapshot).map_err(|e| refused(&label, &e))?;
    Ok((label, until_exit(engine)))
}

/// The engine (or snapshot) a command loaded, kept until the process exits and never dropped.
///
/// A command loads its snapshot once and answers until it exits; dropping the engine would
/// free its allocations one by one (a million devices' names, rule lists and indexes): about
/// a tenth of `stats` at L, spent after the answer is written, for memory the process is
/// about to return whole. So what a command loads is leaked on purpose: a process-lifetime
/// allocation, which the operating system takes back at exit. What-if engines built during a
/// command (`sensitivity`) are still dropped as they go. A caller of [`crate::commands::run`] in a long-lived
/// process (the crate's own tests) keeps each snapshot it loads: they are small there.
pub(crate) fn until_exit<T>(loaded: T) -> &'static T {
    Box::leak(Box::new(loaded))
}

pub(crate) fn refused(label: &str, e: &BuildError) -> Failure {
    match e {
        BuildError::Load(load) => Failure::one(load_line(label, load)),
        BuildError::Invalid(d) => Failure(
            d.errors()
                .filter(|d| d.severity() == Severity::InputError)
                .map(|d| diagnostic_line(label, d))
                .collect(),
        ),
    }
}

fn load_line(label: &str, e: &LoadError) -> String {
    match e {
        LoadError::Syntax {
            line,
            column,
            path,
            message,
        } => format!(
            "error[{}]: {label}:{line}:{column}: {path}: {message}",
            e.rule()
        ),
        other => format!("error[{}]: {label}: {other}", other.rule()),
    }
}

fn diagnostic_line(label: &str, d: &Diagnostic) -> String {
    let kind = match d.severity() {
        Severity::Warning => "warning",
        Severity::InputError | Severity::ConfigurationError => "error",
    };
    format!(
        "{kind}[{}]: {label}: {}: {}",
        d.rule(),
        d.path(),
        d.message()
    )
}
