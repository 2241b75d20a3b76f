//! `tenant-attach fix`: the least-privilege change sets, and `--apply K -o OUT`.

use std::path::Path;

use tenant_attach::{DeviceIx, Engine, Feature, UserIx};

use crate::args::Format;
use crate::outcome::{Done, Failure, done};
use crate::output::{self, Style};
use crate::render::escape;

/// The flags of `fix` beyond the question.
#[derive(Debug)]
pub struct Request<'a> {
    /// How many change sets to propose.
    pub max: usize,
    /// Which fix to apply (1-based).
    pub apply: Option<usize>,
    /// Where to write the snapshot with the fix applied.
    pub output: Option<&'a Path>,
}

/// Runs the search; with `--apply`, writes the snapshot with that fix applied (atomically)
/// before printing the answer.
///
/// # Errors
///
/// A usage error (exit 2) when `--apply K` names no proposed fix; a write error (exit 3)
/// when OUT cannot be written.
pub fn run(
    engine: &Engine,
    user: UserIx,
    device: DeviceIx,
    feature: Feature,
    request: &Request<'_>,
    style: &Style,
) -> Result<Done, Failure> {
    let answer = tenant_attach::fix::fix(
        engine,
        user,
        device,
        feature,
        &tenant_attach::fix::Options::with_max(request.max),
    );
    let mut note = String::new();
    if let (Some(k), Some(path)) = (request.apply, request.output) {
        let Some(fixed) = answer.apply(k, engine.snapshot()) else {
            return Err(Failure::one(format!(
                "error[usage]: --apply {k}: there {} to apply",
                match answer.fixes.len() {
                    0 => String::from("is no fix"),
                    1 => String::from("is only 1 fix"),
                    n => format!("are only {n} fixes"),
                }
            )));
        };
        crate::write::bytes(path, fixed.to_json().as_bytes()).map_err(|e| {
            Failure::one(format!(
                "error[write]: cannot write `{}`: {e}",
                escape(&path.display().to_string())
            ))
        })?;
        note = format!(
            "\nFix {k} applied: written to `{}`.\n",
            escape(&path.display().to_string())
        );
    }
    // With `--format json`, standard output holds the document only (no note).
    if style.format == Format::Json {
        return Ok(Done {
            stdout: String::new(),
            stream: Some(Box::new(move |w| output::write_json(w, &answer))),
            code: 0,
        });
    }
    Ok(done(format!("{answer}{note}"), 0))
}
