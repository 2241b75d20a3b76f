//! `batch`: questions as JSON lines in, one answer line out for each, the engine loaded once.
//! Answers are written as they are computed, through the caller's buffer, so memory stays the
//! engine's plus a bounded number of chunks in flight.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use tenant_attach::Engine;
use tenant_attach::batch::{BatchError, ErrorLine, answer_line};

use crate::outcome::Failure;

/// Opens the questions: `--questions FILE`, else standard input.
pub fn open(questions: Option<&std::path::Path>) -> Result<Box<dyn BufRead + Send>, Failure> {
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

/// How many questions travel together from the reader to a worker and from a worker to the
/// writer.
const CHUNK: usize = 2048;

/// Chunks waiting in each queue per worker: with the chunks being answered, memory stays a few
/// dozen chunks of answers, whatever the length of the input.
const QUEUED_PER_WORKER: usize = 2;

/// One line of input: its text, or why it is not text (an error answer for that line).
type Line = Result<String, String>;

/// A chunk of questions: its sequence number, the line of its first question, the lines.
type Job = (usize, usize, Vec<Line>);

/// The questions could not be read (not a failure to write): `main` reports it as
/// `error[input]`, exit 2, after the answers before it.
#[derive(Debug)]
pub struct ReadFailure(pub std::io::Error);

impl std::fmt::Display for ReadFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read the questions: {}", self.0)
    }
}

impl std::error::Error for ReadFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// Answers every line of `input` on `out`, in order. A question that cannot be answered is an
/// error line for it; only a failure to read the input or to write stops the run.
///
/// A pipeline: one thread reads chunks of lines, one worker per core answers them (the engine
/// is shared, read-only), and this thread writes the answers back in input order, so reading,
/// answering and writing overlap. The queues are bounded: a slow reader of the output holds
/// the whole pipeline back instead of filling memory.
pub fn run(
    engine: &Engine,
    input: Box<dyn BufRead + Send>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    std::thread::scope(|scope| {
        let (job_tx, job_rx) = sync_channel::<Job>(workers * QUEUED_PER_WORKER);
        let job_rx = Arc::new(Mutex::new(job_rx));
        let (done_tx, done_rx) =
            sync_channel::<(usize, std::io::Result<Vec<u8>>)>(workers * QUEUED_PER_WORKER);
        let reader = scope.spawn(move || read_chunks(input, &job_tx));
        for _ in 0..workers {
            let jobs = Arc::clone(&job_rx);
            let done = done_tx.clone();
            scope.spawn(move || {
                loop {
                    // Take the next chunk; the lock is held only while waiting for it.
                    let next = match jobs.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, first, lines)) = next else {
                        return; // the reader is done
                    };
                    if done
                        .send((seq, answer_part(engine, &lines, first)))
                        .is_err()
                    {
                        return; // the writer stopped
                    }
                }
            });
        }
        drop(done_tx);
        // Chunks finish out of order: hold each until those before it are written.
        let mut pending: BTreeMap<usize, std::io::Result<Vec<u8>>> = BTreeMap::new();
        let mut next = 0usize;
        for (seq, part) in done_rx {
            pending.insert(seq, part);
            while let Some(part) = pending.remove(&next) {
                out.write_all(&part?)?;
                next += 1;
            }
        }
        reader.join().unwrap_or_else(|_| {
            Err(std::io::Error::other(
                "the batch reader stopped unexpectedly",
            ))
        })
    })
}

/// Reads `input` in chunks of [`CHUNK`] lines onto `jobs`, until the end, a read error (which
/// is returned, as a [`ReadFailure`], after the chunks before it) or the workers' end. A line
/// that is not UTF-8 is a bad question, answered by an error line, not the end of the run.
fn read_chunks(input: Box<dyn BufRead + Send>, jobs: &SyncSender<Job>) -> std::io::Result<()> {
    let mut lines = input.split(b'\n').map(|line| {
        line.map(|mut bytes| {
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
            String::from_utf8(bytes).map_err(|e| {
                format!(
                    "not a question: invalid UTF-8 at byte {}",
                    e.utf8_error().valid_up_to() + 1
                )
            })
        })
    });
    let mut first = 1usize;
    for seq in 0.. {
        let mut chunk: Vec<Line> = Vec::with_capacity(CHUNK);
        let mut failed = None;
        for line in lines.by_ref().take(CHUNK) {
            match line {
                Ok(l) => chunk.push(l),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        let len = chunk.len();
        if len > 0 && jobs.send((seq, first, chunk)).is_err() {
            return Ok(()); // the workers stopped: the writer has the error
        }
        if let Some(e) = failed {
            return Err(std::io::Error::other(ReadFailure(e)));
        }
        if len < CHUNK {
            return Ok(());
        }
        first += len;
    }
    Ok(())
}

/// The answer lines of consecutive questions, the first on line `first`.
fn answer_part(engine: &Engine, lines: &[Line], first: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(lines.len() * 1024);
    for (i, line) in lines.iter().enumerate() {
        let result = match line {
            Ok(text) => answer_line(engine, text, first + i),
            Err(message) => Some(Err(BatchError::new(first + i, message.clone()))),
        };
        let Some(result) = result else {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Many chunks answered by several workers come back in input order, each line the
    /// library's answer to that line, error lines numbered by their place in the input.
    #[test]
    fn answers_come_back_in_order_across_chunks() {
        let engine = Engine::from_json(tenant_attach::sample::CONTOSO).unwrap();
        let users = ["alice@contoso.com", "bob@contoso.com", "nobody@contoso.com"];
        let devices = ["CON-WS-001", "CON-SRV-SQL01", "CON-WS-004"];
        let lines: Vec<String> = (0..CHUNK * 3 + 17)
            .map(|i| match i % 7 {
                0 => String::from("not json"),
                1 => String::new(),
                _ => format!(
                    r#"{{"check": {{"user": "{}", "device": "{}"}}}}"#,
                    users[i % users.len()],
                    devices[(i / 3) % devices.len()]
                ),
            })
            .collect();
        let input = lines.join("\n");
        let mut out = Vec::new();
        run(
            &engine,
            Box::new(std::io::Cursor::new(input.into_bytes())),
            &mut out,
        )
        .unwrap();
        let expected: Vec<String> = lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                answer_line(&engine, l, i + 1).map(|r| match r {
                    Ok(a) => serde_json::to_string(&a).unwrap(),
                    Err(error) => serde_json::to_string(&ErrorLine { error: &error }).unwrap(),
                })
            })
            .collect();
        let got: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
        assert_eq!(got.len(), expected.len());
        for (g, e) in got.iter().zip(&expected) {
            assert_eq!(g, e);
        }
    }

    /// A line that is not UTF-8 is answered by an error line; the lines after it are answered.
    #[test]
    fn a_line_that_is_not_utf8_is_a_bad_question() {
        let engine = Engine::from_json(tenant_attach::sample::CONTOSO).unwrap();
        let mut input = b"{\"offboard\": {\"user\": \"alice@contoso.com\"}}\r\n".to_vec();
        input.extend_from_slice(b"{\"offboard\": {\"user\": \"al\xffce\"}}\n");
        input.extend_from_slice(b"{\"offboard\": {\"user\": \"bob@contoso.com\"}}");
        let mut out = Vec::new();
        run(&engine, Box::new(std::io::Cursor::new(input)), &mut out).unwrap();
        let lines: Vec<serde_json::Value> = std::str::from_utf8(&out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["user"], "alice@contoso.com");
        assert_eq!(lines[1]["error"]["line"], 2);
        assert_eq!(
            lines[1]["error"]["message"],
            "not a question: invalid UTF-8 at byte 26"
        );
        assert_eq!(lines[2]["user"], "bob@contoso.com");
    }

    /// A failure to read stops the run after the answers before it.
    #[test]
    fn a_read_error_ends_the_run_with_it() {
        struct Broken(usize);
        impl std::io::Read for Broken {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::Error::other("disk gone"));
                }
                self.0 -= 1;
                let line = b"{\"offboard\": {\"user\": \"alice@contoso.com\"}}\n";
                buf[..line.len()].copy_from_slice(line);
                Ok(line.len())
            }
        }
        let engine = Engine::from_json(tenant_attach::sample::CONTOSO).unwrap();
        let mut out = Vec::new();
        let err = run(
            &engine,
            Box::new(std::io::BufReader::with_capacity(64, Broken(CHUNK + 5))),
            &mut out,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "cannot read the questions: disk gone");
        assert_eq!(
            std::str::from_utf8(&out).unwrap().lines().count(),
            CHUNK + 5
        );
    }
}
