//! One function per command: load, ask the library, render text or JSON.

use serde_json::{Value, json};
use tenant_attach::{
    BuildError, Diagnostic, Diagnostics, Engine, LoadError, Severity, Snapshot, sample,
};

use crate::args::{Cli, Command, Format};
use crate::output::{self, Style, plural};
use crate::render::escape;
use crate::{access, batch, graph, report, sensitivity};

/// Output written straight to standard output (through a buffer) once the command has run:
/// JSON documents are serialized as they are walked, never built as a tree first.
pub type Stream = Box<dyn FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>>;

/// What a command printed and its exit code.
pub struct Done {
    pub stdout: String,
    /// Written after `stdout`, when set.
    pub stream: Option<Stream>,
    pub code: u8,
}

impl std::fmt::Debug for Done {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Done")
            .field("stdout", &self.stdout)
            .field("stream", &self.stream.is_some())
            .field("code", &self.code)
            .finish()
    }
}

/// A command whose whole output is written by `write`.
fn streamed(
    code: u8,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()> + 'static,
) -> Done {
    Done {
        stdout: String::new(),
        stream: Some(Box::new(write)),
        code,
    }
}

/// The exit code of a result that could not be written (standard output or `-o`).
pub const WRITE_FAILED: u8 = 3;

/// Bad input or usage (exit 2), or a failed write (`error[write]`, exit 3): each line goes to
/// stderr.
#[derive(Debug)]
pub struct Failure(pub(crate) Vec<String>);

impl Failure {
    pub(crate) fn one(line: String) -> Failure {
        Failure(vec![line])
    }

    /// The exit code: 3 for a failed write, 2 for everything else.
    pub fn code(&self) -> u8 {
        if self
            .0
            .first()
            .is_some_and(|l| l.starts_with("error[write]"))
        {
            WRITE_FAILED
        } else {
            2
        }
    }

    pub fn lines(self) -> Vec<String> {
        self.0
    }
}

pub fn run(cli: &Cli, style: &Style) -> Result<Done, Failure> {
    if matches!(style.format, Format::Dot | Format::Svg)
        && !matches!(cli.command, Command::Graph { .. })
    {
        return Err(Failure::one(String::from(
            "error[usage]: --format dot and --format svg are for the `graph` command; use text or json",
        )));
    }
    match &cli.command {
        Command::Demo => {
            let engine =
                Engine::from_json(sample::CONTOSO).map_err(|e| refused("built-in sample", &e))?;
            Ok(done(demo(&engine, style), 0))
        }
        Command::Validate => validate(cli, style),
        Command::Generate {
            devices,
            collections,
            users,
            seed,
            output,
        } => {
            let params = tenant_attach_synth::Params {
                devices: *devices,
                collections: *collections,
                users: *users,
                seed: *seed,
            };
            generate(&params, output.as_deref())
        }
        Command::Import {
            configmgr,
            graph,
            settings,
            output,
        } => crate::import::import(configmgr, graph, settings, output.as_deref()),
        Command::Stats => {
            let (_, engine) = load(cli)?;
            Ok(done(stats(engine, style), 0))
        }
        Command::Report { sensitivity } => {
            let (_, engine) = load(cli)?;
            let knobs = report::Knobs::from(*sensitivity);
            if style.format == Format::Json {
                let r = report::build(engine, knobs);
                return Ok(streamed(0, move |w| output::write_json(w, &r)));
            }
            Ok(done(report::report(engine, knobs, style), 0))
        }
        Command::Diff { old, new } => {
            let old = load_path(old)?;
            let new = load_path(new)?;
            if style.format == Format::Json {
                return Ok(streamed(0, move |w| {
                    output::write_json(w, &tenant_attach::diff(old, new).stream())
                }));
            }
            Ok(done(report::diff(old, new, style), 0))
        }
        Command::Graph { around, depth } => {
            let (label, engine) = load(cli)?;
            let center = match around {
                Some(id) => Some(
                    engine
                        .find_collection(id)
                        .map_err(|e| query_failure(&label, &e))?,
                ),
                None => None,
            };
            let nodes = graph::neighbourhood(engine, center, *depth);
            let format = match style.format {
                Format::Text => Format::Dot,
                other => other,
            };
            if format == Format::Svg {
                let text = graph::render(engine, &nodes, format).map_err(Failure::one)?;
                return Ok(done(text, 0));
            }
            // Written as it is walked; DOT and text through the terminal-safety net, a line at
            // a time (JSON is data).
            let colour = style.colour();
            Ok(streamed(0, move |w| {
                let written = if format == Format::Json {
                    graph::write(engine, &nodes, format, w)
                } else {
                    let mut net = crate::render::LineNet::new(w, colour);
                    graph::write(engine, &nodes, format, &mut net)
                        .and_then(|()| net.finish().map_err(graph::GraphError::from))
                };
                written.map_err(|e| match e {
                    graph::GraphError::Write(e) => e,
                    graph::GraphError::Graphviz(m) => std::io::Error::other(m),
                })
            }))
        }
        Command::Upload => {
            let (_, engine) = load(cli)?;
            if style.format == Format::Json {
                return Ok(streamed(0, move |w| {
                    output::write_json(w, &engine.upload_stream())
                }));
            }
            Ok(done(upload(engine, style), 0))
        }
        Command::Check {
            user,
            device,
            feature,
        } => {
            let (label, engine) = load(cli)?;
            let u = engine
                .find_user(user)
                .map_err(|e| query_failure(&label, &e))?;
            let d = engine
                .find_device(device)
                .map_err(|e| query_failure(&label, &e))?;
            let decision = engine.check(u, d, *feature);
            if style.format == Format::Json {
                return Ok(streamed(0, move |w| output::write_json(w, &decision)));
            }
            Ok(done(access::check(engine, &decision, style), 0))
        }
        Command::Visible { user, feature } => {
            let (label, engine) = load(cli)?;
            let u = engine
                .find_user(user)
                .map_err(|e| query_failure(&label, &e))?;
            if style.format == Format::Json {
                let f = *feature;
                return Ok(streamed(0, move |w| {
                    output::write_json(w, &engine.visible_stream(u, f))
                }));
            }
            Ok(done(access::visible(engine, u, *feature, style), 0))
        }
        Command::Who { device, feature } => {
            let (label, engine) = load(cli)?;
            let d = engine
                .find_device(device)
                .map_err(|e| query_failure(&label, &e))?;
            if style.format == Format::Json {
                let answer = engine.who_users(d, *feature);
                return Ok(streamed(0, move |w| output::write_json(w, &answer)));
            }
            Ok(done(access::who(engine, d, *feature, style), 0))
        }
        Command::Batch { questions } => {
            let (_, engine) = load(cli)?;
            let input = batch::open(questions.as_deref())?;
            Ok(streamed(0, move |w| batch::run(engine, input, w)))
        }
        Command::Sensitivity { knob } => {
            let (_, engine) = load(cli)?;
            if style.format == Format::Json {
                let result = tenant_attach::sensitivity(engine, *knob);
                return Ok(streamed(0, move |w| output::write_json(w, &result)));
            }
            Ok(done(sensitivity::render(engine, *knob, style), 0))
        }
        Command::Fix {
            user,
            device,
            feature,
            max,
            apply,
            output,
        } => {
            let (label, engine) = load(cli)?;
            let u = engine
                .find_user(user)
                .map_err(|e| query_failure(&label, &e))?;
            let d = engine
                .find_device(device)
                .map_err(|e| query_failure(&label, &e))?;
            let request = crate::fix::Request {
                max: usize::from(*max),
                apply: apply.map(usize::from),
                output: output.as_deref(),
            };
            crate::fix::run(engine, u, d, *feature, &request, style)
        }
        Command::Offboard { user } => {
            let (label, engine) = load(cli)?;
            let u = engine
                .find_user(user)
                .map_err(|e| query_failure(&label, &e))?;
            if style.format == Format::Json {
                let answer = engine.offboard(u);
                return Ok(streamed(0, move |w| output::write_json(w, &answer)));
            }
            Ok(done(access::offboard(engine, u, style), 0))
        }
    }
}

fn query_failure(label: &str, e: &tenant_attach::QueryError) -> Failure {
    Failure::one(format!("error[input]: {label}: {e}"))
}

pub(crate) fn done(stdout: String, code: u8) -> Done {
    Done {
        stdout,
        stream: None,
        code,
    }
}

/// Opens `--snapshot` (a file, or `-` for standard input): the label for messages and the
/// input. Nothing is read here (see `parse`).
fn read(cli: &Cli) -> Result<(String, Input), Failure> {
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
enum Input {
    File(std::fs::File),
    Stdin(std::io::StdinLock<'static>),
}

/// Parses a snapshot; a failed read is a usage error naming the file. A regular file has a
/// known, bounded size: it is read whole and parsed from memory (the fast path). Anything
/// else (standard input, a pipe, a device such as `/dev/zero`) may never end: it is parsed
/// while it is read, and the first bad byte stops the read.
fn parse(label: &str, reader: Input) -> Result<Result<Snapshot, LoadError>, Failure> {
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

fn load_path(path: &std::path::Path) -> Result<&'static Engine, Failure> {
    let label = path.display().to_string();
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::one(format!("error[usage]: cannot read `{label}`: {e}")))?;
    let snapshot = parse(&label, Input::File(file))?.map_err(|e| refused(&label, &e.into()))?;
    Engine::new(snapshot)
        .map(until_exit)
        .map_err(|e| refused(&label, &e))
}

fn load(cli: &Cli) -> Result<(String, &'static Engine), Failure> {
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
/// command (`sensitivity`) are still dropped as they go. A caller of [`run`] in a long-lived
/// process (the crate's own tests) keeps each snapshot it loads: they are small there.
fn until_exit<T>(loaded: T) -> &'static T {
    Box::leak(Box::new(loaded))
}

fn refused(label: &str, e: &BuildError) -> Failure {
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

fn validate(cli: &Cli, style: &Style) -> Result<Done, Failure> {
    let (label, reader) = read(cli)?;
    // A snapshot that cannot be parsed (bad JSON, not UTF-8) is listed, not refused.
    let diags = match parse(&label, reader)? {
        Ok(snapshot) => tenant_attach::validate(until_exit(snapshot)),
        Err(e) => Diagnostics::from_load_error(&e),
    };
    let code = u8::from(diags.has_errors());
    let stdout = match style.format {
        Format::Json => output::json(&validation_json(&diags)),
        Format::Text | Format::Dot | Format::Svg => validation_text(&label, &diags, style),
    };
    Ok(done(stdout, code))
}

pub fn validation_json(diags: &Diagnostics) -> Value {
    serde_json::to_value(diags).unwrap_or_default()
}

pub fn validation_text(label: &str, diags: &Diagnostics, style: &Style) -> String {
    let errors = diags.errors().count() as u64;
    let warnings = diags.warnings().count() as u64;
    let mut out = String::new();
    for d in diags.all() {
        let kind = match d.severity() {
            Severity::InputError => style.red("input error"),
            Severity::ConfigurationError => style.red("configuration error"),
            Severity::Warning => style.yellow("warning"),
        };
        out.push_str(&format!(
            "{kind} [{}] {}: {}\n",
            d.rule(),
            escape(d.path()),
            escape(d.message())
        ));
    }
    let verdict = if errors == 0 {
        style.green("valid")
    } else {
        style.red("not valid")
    };
    out.push_str(&format!(
        "{}: {verdict}: {}, {}\n",
        escape(label),
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings")
    ));
    out
}

pub fn upload_json(engine: &Engine) -> Value {
    serde_json::to_value(engine.upload_answer()).unwrap_or_default()
}

fn upload(engine: &Engine, style: &Style) -> String {
    match style.format {
        Format::Json => output::json(&upload_json(engine)),
        Format::Text | Format::Dot | Format::Svg => upload_text(engine, style),
    }
}

pub fn upload_text(engine: &Engine, style: &Style) -> String {
    let scope = engine.upload();
    let ids = engine.collections();
    let setting = match &engine.snapshot().hierarchy.attach.upload.collection {
        Some(id) => {
            let name = engine
                .find_collection(id)
                .ok()
                .and_then(|c| engine.collection(c))
                .map_or("", |c| c.name.as_str());
            format!(
                "collection {} ({}) and its child collections (R-U4)",
                escape(id),
                escape(name)
            )
        }
        None => String::from("all devices with a client (R-U3)"),
    };
    let mut out = format!("{} {setting}\n", style.bold("Upload setting:"));
    if let Some(b) = scope.blocked() {
        out.push_str(&format!(
            "{} nothing is uploaded: {} ({})\n",
            style.red("blocked:"),
            b.reason().code(),
            b.rule()
        ));
    }
    let mut up = Vec::new();
    let mut down = Vec::new();
    for ix in engine.device_ixs() {
        let Some(d) = engine.device(ix) else { continue };
        if scope.is_uploaded(ix) {
            let via: Vec<String> = scope
                .via(ix)
                .iter()
                .map(|c| {
                    let name = engine.collection(*c).map_or("", |c| c.name.as_str());
                    format!("{} ({name})", ids.id(*c).unwrap_or_default())
                })
                .collect();
            let via = if via.is_empty() {
                String::from("all devices")
            } else {
                via.join(" → ")
            };
            up.push(vec![d.resource_id.to_string(), d.name.clone(), via]);
        } else if let Some(reason) = scope.reasons(ix, d.client).first() {
            down.push(vec![
                d.resource_id.to_string(),
                d.name.clone(),
                format!("{} ({})", reason.code(), scope.rule(*reason)),
            ]);
        }
    }
    out.push_str(&format!(
        "\n{}\n",
        style.bold(&format!(
            "Uploaded: {}",
            plural(up.len() as u64, "device", "devices")
        ))
    ));
    if !up.is_empty() {
        out.push_str(&output::table(&["RESOURCE ID", "NAME", "VIA"], &up));
    }
    out.push_str(&format!(
        "\n{}\n",
        style.bold(&format!(
            "Not uploaded: {}",
            plural(down.len() as u64, "device", "devices")
        ))
    ));
    if !down.is_empty() {
        out.push_str(&output::table(&["RESOURCE ID", "NAME", "REASON"], &down));
    }
    out.push_str(&style.dim(&format!(
        "\nChanges reach the admin center within {} minutes (R-U6).\n",
        tenant_attach::upload::UPLOAD_DELAY_MINUTES_MAX
    )));
    out
}

fn demo(engine: &Engine, style: &Style) -> String {
    // `demo` is `report --sensitivity` on the built-in sample, plus (in text) one decision
    // explained.
    let mut out = report::report(engine, report::Knobs::Included, style);
    if style.format == Format::Text
        && let (Ok(u), Ok(d)) = (
            engine.find_user("bob@contoso.com"),
            engine.find_device("CON-WS-004"),
        )
    {
        out.push_str(&format!(
            "\n{}\n",
            style.bold("One decision, explained (tenant-attach check)")
        ));
        out.push_str(&access::decision_text(
            engine,
            &engine.check(u, d, tenant_attach::Feature::SyncMachinePolicy),
            style,
        ));
    }
    out
}

/// `generate`: streams the snapshot to a file or stdout; progress on stderr for large sizes
/// when stderr is a terminal.
fn generate(
    params: &tenant_attach_synth::Params,
    output: Option<&std::path::Path>,
) -> Result<Done, Failure> {
    use std::io::{IsTerminal, Write};
    check_sizes(params)?;
    let show = std::io::stderr().is_terminal() && params.devices >= 100_000;
    let progress = |what: &str, done: usize, total: usize| {
        if show {
            let mut e = std::io::stderr().lock();
            let _ = write!(e, "\rgenerating {what}: {done}/{total}   ");
        }
    };
    let failed =
        |e: std::io::Error| Failure::one(format!("error[write]: cannot write the snapshot: {e}"));
    match output {
        Some(path) => {
            // Written beside the target and renamed into place when complete: a failure
            // leaves the old file.
            crate::write::atomically(path, |mut w| {
                tenant_attach_synth::write_json(params, &mut w, progress)
            })
            .map_err(|e| {
                Failure::one(format!(
                    "error[write]: cannot write `{}`: {e}",
                    escape(&path.display().to_string())
                ))
            })?;
            if show {
                let _ = writeln!(std::io::stderr());
            }
            Ok(done(String::new(), 0))
        }
        None => {
            let mut buf = Vec::new();
            tenant_attach_synth::write_json(params, &mut buf, progress).map_err(failed)?;
            Ok(done(String::from_utf8_lossy(&buf).into_owned(), 0))
        }
    }
}

/// Sizes beyond what a generated snapshot may hold are a usage error before anything is
/// allocated: the limits of `tenant_attach_synth::Params::check`, and the estimated memory
/// against the machine's memory where the system says it (Linux `/proc/meminfo`).
fn check_sizes(params: &tenant_attach_synth::Params) -> Result<(), Failure> {
    params
        .check()
        .map_err(|e| Failure::one(format!("error[usage]: --{e}")))?;
    let needed = params.estimated_bytes();
    if let (Some(total), Some(needed)) = (total_memory(), needed)
        && needed > total
    {
        return Err(Failure::one(format!(
            "error[usage]: generating {} devices, {} collections and {} users needs about {} MB of memory; this machine has {} MB",
            params.devices,
            params.collections,
            params.users,
            needed / 1_000_000,
            total / 1_000_000
        )));
    }
    Ok(())
}

/// The machine's memory in bytes, where known.
fn total_memory() -> Option<usize> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}

/// `stats`: how big the indexes are.
fn stats(engine: &Engine, style: &Style) -> String {
    let g = engine.collections();
    let memberships: u64 = g.in_id_order().map(|c| g.members(c).len()).sum();
    let bytes = g.membership_bytes() as u64;
    let v = json!({
        "devices": engine.device_count(),
        "collections": g.len(),
        "users": engine.users().len(),
        "memberships": memberships,
        "membership_bytes": bytes,
        "bytes_per_membership": if memberships == 0 { 0.0 } else { bytes as f64 / memberships as f64 },
        "uploaded": engine.upload().uploaded().len(),
    });
    match style.format {
        Format::Json => output::json(&v),
        _ => {
            let mut out = String::new();
            if let Some(map) = v.as_object() {
                for (k, val) in map {
                    out.push_str(&format!("{k:<22} {val}\n"));
                }
            }
            out
        }
    }
}
