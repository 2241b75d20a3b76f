//! `batch`: questions as JSON lines in, one answer line out for each, the engine loaded once.
//! Answers are written as they are computed, through a buffer, so memory stays the engine's.

use std::io::{BufRead, BufWriter, Write};

use tenant_attach::Engine;
use tenant_attach::batch::{ErrorLine, answer_line};

use crate::commands::Failure;

pub fn run(engine: &Engine, questions: Option<&std::path::Path>) -> Result<(), Failure> {
    let input: Box<dyn BufRead> = match questions {
        Some(path) => Box::new(std::io::BufReader::new(std::fs::File::open(path).map_err(
            |e| {
                Failure::one(format!(
                    "error[usage]: cannot read `{}`: {e}",
                    path.display()
                ))
            },
        )?)),
        None => Box::new(std::io::stdin().lock()),
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let write_failed =
        |e: std::io::Error| Failure::one(format!("error[output]: cannot write the answers: {e}"));
    for (i, line) in input.lines().enumerate() {
        let line = line.map_err(|e| {
            Failure::one(format!(
                "error[input]: cannot read question line {}: {e}",
                i + 1
            ))
        })?;
        let Some(result) = answer_line(engine, &line, i + 1) else {
            continue;
        };
        let value = match &result {
            Ok(answer) => serde_json::to_value(answer),
            Err(error) => serde_json::to_value(ErrorLine { error }),
        }
        .unwrap_or_default();
        // serde_json's map is sorted: the same keys in the same order as the single command.
        serde_json::to_writer(&mut out, &value).map_err(|e| write_failed(e.into()))?;
        out.write_all(b"\n").map_err(write_failed)?;
    }
    out.flush().map_err(write_failed)
}
