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

/// How many questions are answered together: read, answered across the cores, written in
/// order. Memory stays this many answers, whatever the length of the input.
const CHUNK: usize = 8192;

/// Answers every line of `input` on `out`, in order. A question that cannot be answered is an
/// error line for it; only a failure to read the input or to write stops the run. Questions
/// are answered in chunks spread over the machine's cores (the engine is shared, read-only).
pub fn run(engine: &Engine, input: Box<dyn BufRead>, out: &mut dyn Write) -> std::io::Result<()> {
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    let mut lines = input.lines();
    let mut first = 1usize;
    loop {
        let mut chunk: Vec<String> = Vec::with_capacity(CHUNK);
        for line in lines.by_ref().take(CHUNK) {
            chunk.push(line?);
        }
        if chunk.is_empty() {
            return Ok(());
        }
        let per = chunk.len().div_ceil(workers).max(1);
        let parts: Vec<std::io::Result<Vec<u8>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunk
                .chunks(per)
                .enumerate()
                .map(|(k, part)| {
                    let start = first + k * per;
                    scope.spawn(move || answer_part(engine, part, start))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(std::io::Error::other("a batch worker stopped unexpectedly"))
                    })
                })
                .collect()
        });
        for part in parts {
            out.write_all(&part?)?;
        }
        first += chunk.len();
    }
}

/// The answer lines of consecutive questions, the first on line `first`.
fn answer_part(engine: &Engine, lines: &[String], first: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(lines.len() * 256);
    for (i, line) in lines.iter().enumerate() {
        let Some(result) = answer_line(engine, line, first + i) else {
            continue;
        };
        // Each answer type serializes its keys in sorted order: the same object, compact, as
        // the single command prints.
        match &result {
            Ok(answer) => serde_json::to_writer(&mut buf, answer),
            Err(error) => serde_json::to_writer(&mut buf, &ErrorLine { error }),
        }
        .map_err(std::io::Error::from)?;
        buf.push(b'\n');
    }
    Ok(buf)
}
