//! One function per command: load, ask the library, render text or JSON.

use serde_json::{Value, json};
use tenant_attach::{Diagnostics, Engine, sample};

use crate::args::{Cli, Command, Format, SvgEngine};
use crate::output::{self, Style};
use crate::render::escape;
use crate::{access, batch, graph, report, sensitivity};

use crate::load::{load, load_path, parse, read, refused, until_exit};
use crate::outcome::done;
use crate::outcome::streamed;
pub use crate::outcome::{Done, Failure, Stream, WRITE_FAILED};

pub fn run(cli: &Cli, style: &Style) -> Result<Done, Failure> {
    if matches!(style.format, Format::Dot | Format::Svg)
        && !matches!(cli.command, Command::Graph { .. })
    {
        return Err(Failure::one(String::from(
            "error[usage]: --format dot and --format svg are for the `graph` command; use text or json",
        )));
    }
    if style.format == Format::Html
        && !matches!(cli.command, Command::Report { .. } | Command::Demo { .. })
    {
        return Err(Failure::one(String::from(
            "error[usage]: --format html is for `report` and `demo`; use text or json",
        )));
    }
    if style.format == Format::Junit && !matches!(cli.command, Command::Assert { .. }) {
        return Err(Failure::one(String::from(
            "error[usage]: --format junit is for the `assert` command; use text or json",
        )));
    }
    match &cli.command {
        Command::Assert {
            assertions,
            against,
        } => crate::assert::run(cli, style, assertions, against.as_deref()),
        Command::Demo { output } => {
            let engine = until_exit(
                Engine::from_json(sample::CONTOSO).map_err(|e| refused("built-in sample", &e))?,
            );
            let label = "crates/tenant-attach/data/contoso.json";
            match output {
                Some(path) => {
                    let page = demo(engine, &Style::fixed(style.format, false), label);
                    match style.format {
                        // Text for people through the terminal-safety net, as on stdout.
                        Format::Text => to_file(path, &crate::render::finish(page, false)),
                        _ => to_file(path, &page),
                    }
                }
                None => Ok(done(demo(engine, style, label), 0)),
            }
        }
        Command::Validate => validate(cli, style),
        Command::Schema => Ok(done(
            format!("{}\n", tenant_attach::snapshot::json_schema_text()),
            0,
        )),
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
            strict,
        } => crate::import::import(configmgr, graph, settings, output.as_deref(), *strict),
        Command::Stats => {
            let (_, engine) = load(cli)?;
            Ok(done(stats(engine, style), 0))
        }
        Command::Report {
            sensitivity,
            no_fixes,
            output,
        } => {
            let (label, engine) = load(cli)?;
            let knobs = report::Knobs::from(*sensitivity);
            let fixes = if *no_fixes {
                report::Fixes::Omitted
            } else {
                report::Fixes::Included
            };
            if style.format == Format::Html {
                let page = report::html(engine, knobs, fixes, &label);
                return match output {
                    Some(path) => to_file(path, &page),
                    None => Ok(done(page, 0)),
                };
            }
            if let Some(path) = output {
                let plain = Style::fixed(style.format, false);
                let text = match style.format {
                    Format::Json => output::json(
                        &serde_json::to_value(report::build(engine, knobs, fixes))
                            .unwrap_or_default(),
                    ),
                    _ => crate::render::finish(report::report(engine, knobs, fixes, &plain), false),
                };
                return to_file(path, &text);
            }
            if style.format == Format::Json {
                let r = report::build(engine, knobs, fixes);
                return Ok(streamed(0, move |w| output::write_json(w, &r)));
            }
            Ok(done(report::report(engine, knobs, fixes, style), 0))
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
        Command::Graph {
            around,
            depth,
            engine: layout,
        } => {
            let (label, engine) = load(cli)?;
            let center = match around {
                Some(id) => Some(
                    engine
                        .find_collection(id)
                        .map_err(|e| query_failure(&label, &e))?,
                ),
                None => None,
            };
            let format = match style.format {
                Format::Text => Format::Dot,
                other => other,
            };
            if format == Format::Svg {
                if *layout == SvgEngine::Dot {
                    let nodes = graph::neighbourhood(engine, center, *depth);
                    let text = graph::dot_svg(engine, &nodes).map_err(|e| match e {
                        graph::GraphError::Graphviz(m) => Failure::one(m),
                        graph::GraphError::Write(e) => {
                            Failure::one(format!("error[usage]: cannot render the graph: {e}"))
                        }
                    })?;
                    return Ok(done(text, 0));
                }
                // Laid out in Rust; a large graph is drawn around the upload collection.
                let (nodes, note) = crate::svg::drawable(engine, center, *depth);
                return Ok(done(
                    crate::svg::render(engine, &nodes, note.as_deref(), true),
                    0,
                ));
            }
            let nodes = graph::neighbourhood(engine, center, *depth);
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
            let (engine, u, d) = load_question(cli, user, device)?;
            let decision = engine.check(u, d, *feature);
            if style.format == Format::Json {
                return Ok(streamed(0, move |w| output::write_json(w, &decision)));
            }
            Ok(done(access::check(&decision, style), 0))
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
            let (engine, u, d) = load_question(cli, user, device)?;
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
        Format::Text | Format::Dot | Format::Svg | Format::Html | Format::Junit => {
            validation_text(&label, &diags)
        }
    };
    Ok(done(stdout, code))
}

pub fn validation_json(diags: &Diagnostics) -> Value {
    serde_json::to_value(diags).unwrap_or_default()
}

/// `validate`'s text: the library's (`Diagnostics::titled`), with a final line break.
pub fn validation_text(label: &str, diags: &Diagnostics) -> String {
    format!("{}\n", diags.titled(label))
}

pub fn upload_json(engine: &Engine) -> Value {
    serde_json::to_value(engine.upload_answer()).unwrap_or_default()
}

fn upload(engine: &Engine, style: &Style) -> String {
    match style.format {
        Format::Json => output::json(&upload_json(engine)),
        Format::Text | Format::Dot | Format::Svg | Format::Html | Format::Junit => {
            upload_text(engine)
        }
    }
}

/// `upload`'s text: the library's (`UploadStream`'s `Display`), with a final line break.
pub fn upload_text(engine: &Engine) -> String {
    format!("{}\n", engine.upload_stream())
}

/// Writes a command's whole output to `-o` (atomically: a failure leaves the old file).
fn to_file(path: &std::path::Path, text: &str) -> Result<Done, Failure> {
    crate::write::bytes(path, text.as_bytes()).map_err(|e| {
        Failure::one(format!(
            "error[write]: cannot write `{}`: {e}",
            escape(&path.display().to_string())
        ))
    })?;
    Ok(done(String::new(), 0))
}

fn demo(engine: &Engine, style: &Style, label: &str) -> String {
    // `demo` is `report --sensitivity` on the built-in sample, plus (in text) one decision
    // explained.
    if style.format == Format::Html {
        return report::html(
            engine,
            report::Knobs::Included,
            report::Fixes::Included,
            label,
        );
    }
    let mut out = report::report(
        engine,
        report::Knobs::Included,
        report::Fixes::Included,
        style,
    );
    if style.format == Format::Text
        && let (Ok(u), Ok(d)) = (
            engine.find_user("bob@contoso.com"),
            engine.find_device("CON-WS-004"),
        )
    {
        out.push_str("\nOne decision, explained (tenant-attach check)\n");
        out.push_str(&access::decision_text(
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

/// Loads the snapshot and finds the question's user and device (an unknown or ambiguous name
/// is an input error naming the file).
fn load_question(
    cli: &Cli,
    user: &str,
    device: &str,
) -> Result<
    (
        &'static Engine,
        tenant_attach::UserIx,
        tenant_attach::DeviceIx,
    ),
    Failure,
> {
    let (label, engine) = load(cli)?;
    let u = engine
        .find_user(user)
        .map_err(|e| query_failure(&label, &e))?;
    let d = engine
        .find_device(device)
        .map_err(|e| query_failure(&label, &e))?;
    Ok((engine, u, d))
}
