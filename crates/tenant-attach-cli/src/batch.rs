//! `batch`: questions as JSON lines in, one answer line out for each, the engine loaded once.
//! Answers are written as they are computed, through the caller's buffer, so memory stays the
//! engine's.

use std::io::{BufRead, Write};

use tenant_attach::Engine;
use tenant_attach::batch::{ErrorLine, answer_line};

use crate::commands::Failure;

/// Opens the questions: `--questions FILE`, else standard input.
pub fn open(questions: Option<&std::path::Path>) -> Result<Box<dyn BufRead>, Failure> {
    Ok(match questions {
        Some(path) => Box::new(std::io::BufReader::new(std::fs::File::open(path).map_err(
            |e| {
                Failure::one(format!(
                    "error[usage]: cannot read `{}`: {e}",
                    path.display()
                ))
            },
        )?)),
        None => Box::new(std::io::BufReader::new(std::io::stdin())),
    })
}

/// Answers every line of `input` on `out`. A question that cannot be answered is an error
/// line for it; only a failure to read the input or to write stops the run.
pub fn run(engine: &Engine, input: Box<dyn BufRead>, out: &mut dyn Write) -> std::io::Result<()> {
    for (i, line) in input.lines().enumerate() {
        let line = line?;
        let Some(result) = answer_line(engine, &line, i + 1) else {
            continue;
        };
        // Each answer type serializes its keys in sorted order: the same object, compact, as
        // the single command prints.
        match &result {
            Ok(answer) => serde_json::to_writer(&mut *out, answer),
            Err(error) => serde_json::to_writer(&mut *out, &ErrorLine { error }),
        }
        .map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
