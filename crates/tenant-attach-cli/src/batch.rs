//! `batch`: questions as JSON lines in, one answer line out for each, the engine loaded once.
//!
//! Memory is bounded by bytes, whatever the input and the answers: a question line is at most
//! [`MAX_LINE_BYTES`] (a longer one is answered by an error line and skipped without being
//! kept), and the answers written but not yet taken by the output, the ones waiting for an
//! earlier question's answer included, are at most [`ANSWER_BYTES_IN_FLIGHT`]. Beyond those:
//! the engine, the questions in flight (at most [`CHUNK_BYTES`] a chunk) and, per worker, the
//! answer it is serializing (the library's answer value, as the single command builds it).
//!
//! Interactive: a chunk of questions is handed to a worker as soon as no more input is
//! immediately available, and the output is flushed whenever no answer is waiting, so a
//! program that writes one question and waits reads its answer.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::sync::{Arc, Mutex};

use tenant_attach::Engine;
use tenant_attach::batch::{BatchError, ErrorLine, answer_line};

use crate::outcome::Failure;
pub use crate::questions::{CHUNK_BYTES, Input, MAX_LINE_BYTES, ReadFailure};
use crate::questions::{Chunker, Job, PIECE_BYTES, Piece, Sizes, chunk_lines, read_blocks};

/// Opens the questions: `--questions FILE`, else standard input.
pub fn open(questions: Option<&std::path::Path>) -> Result<Input, Failure> {
    Ok(match questions {
        Some(path) => Box::new(std::fs::File::open(path).map_err(|e| {
            Failure::one(format!(
                "error[usage]: cannot read `{}`: {e}",
                path.display()
            ))
        })?),
        None => Box::new(std::io::stdin()),
    })
}

/// The most bytes of answers in flight: serialized by a worker and not yet written, the
/// answers that wait for an earlier question's (the reorder buffer) included. A slow reader
/// of the output holds the pipeline back at this point instead of filling memory.
pub const ANSWER_BYTES_IN_FLIGHT: usize = 16 << 20;

/// The most workers (answering threads), whatever the number of cores.
const MAX_WORKERS: usize = 16;

/// Answers every line of `input` on `out`, in order. A question that cannot be answered is an
/// error line for it; only a failure to read the input or to write stops the run.
///
/// A pipeline: a thread reads the input in blocks (a plain thread, so a read that never
/// returns does not hold the run once the output has failed), one cuts them into chunks of
/// questions, one worker per core (at most 16) answers them against the shared
/// engine, and this thread writes the answers back in input order. Each chunk's answers go
/// through their own bounded queue, taken in input order: a worker ahead of the writer waits,
/// so the bytes in flight stay under [`ANSWER_BYTES_IN_FLIGHT`].
pub fn run(engine: &Engine, input: Input, out: &mut dyn Write) -> std::io::Result<()> {
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, MAX_WORKERS);
    // Chunks in flight: queued for the writer, plus the one being written and the one the
    // chunker holds. Each holds at most `pieces + 1` pieces (the queue and the one a worker
    // fills), so the answers in flight stay under the budget.
    let chunks = 2 * workers;
    let pieces = (ANSWER_BYTES_IN_FLIGHT / PIECE_BYTES / (chunks + 2))
        .saturating_sub(1)
        .max(1);
    let stop = AtomicBool::new(false);
    let sizes = Sizes::default();
    let blocks = read_blocks(input);
    std::thread::scope(|scope| {
        let (job_tx, job_rx) = sync_channel::<Job>(workers);
        let job_rx = Arc::new(Mutex::new(job_rx));
        let (order_tx, order_rx) = sync_channel::<Receiver<Piece>>(chunks);
        let (stop, sizes) = (&stop, &sizes);
        let chunker = scope.spawn(move || {
            let mut c = Chunker::new(&job_tx, &order_tx, pieces, sizes);
            chunk_lines(&blocks, &mut c, stop)
        });
        for _ in 0..workers {
            let jobs = Arc::clone(&job_rx);
            scope.spawn(move || {
                loop {
                    // Take the next chunk; the lock is held only while waiting for it.
                    let next = match jobs.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = next else {
                        return; // the reader is done
                    };
                    answer_chunk(engine, &job, sizes);
                }
            });
        }
        let written = write_answers(order_rx, out);
        if written.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        let read = chunker.join().unwrap_or_else(|_| {
            Err(std::io::Error::other(
                "the batch reader stopped unexpectedly",
            ))
        });
        written.and(read)
    })
}

/// Writes each chunk's answers in input order, flushing `out` whenever no answer is waiting.
fn write_answers(order: Receiver<Receiver<Piece>>, out: &mut dyn Write) -> std::io::Result<()> {
    while let Some(chunk) = next_or_flush(&order, out)? {
        while let Some(piece) = next_or_flush(&chunk, out)? {
            out.write_all(&piece?)?;
        }
    }
    out.flush()
}

/// The next item of `rx`; when none is waiting, `out` is flushed first (the pipeline is idle:
/// what was answered is delivered now). `None` at the end of `rx`.
fn next_or_flush<T>(rx: &Receiver<T>, out: &mut dyn Write) -> std::io::Result<Option<T>> {
    match rx.try_recv() {
        Ok(item) => Ok(Some(item)),
        Err(TryRecvError::Disconnected) => Ok(None),
        Err(TryRecvError::Empty) => {
            out.flush()?;
            Ok(rx.recv().ok())
        }
    }
}

/// Sends what a worker serializes to the writer in pieces of at most [`PIECE_BYTES`].
struct Pieces<'a> {
    to: &'a SyncSender<Piece>,
    buf: Vec<u8>,
    /// Bytes sent so far.
    sent: usize,
}

impl Pieces<'_> {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.sent += self.buf.len();
        self.to
            .send(Ok(std::mem::take(&mut self.buf)))
            .map_err(|_| std::io::Error::other("the batch writer stopped"))
    }
}

impl Write for Pieces<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let room = PIECE_BYTES.saturating_sub(self.buf.len()).max(1);
        let take = data.get(..room.min(data.len())).unwrap_or(data);
        self.buf.extend_from_slice(take);
        if self.buf.len() >= PIECE_BYTES {
            self.send()?;
        }
        Ok(take.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Answers a chunk's questions onto its queue, the first on line `job.first`.
fn answer_chunk(engine: &Engine, job: &Job, sizes: &Sizes) {
    let mut pieces = Pieces {
        to: &job.answers,
        buf: Vec::new(),
        sent: 0,
    };
    let written = (|| {
        // serde_json writes a token at a time: a small buffer in front of the pieces keeps
        // those writes cheap (a copy each), the pieces get 8 kB at a time.
        let mut w = std::io::BufWriter::with_capacity(8 << 10, &mut pieces);
        for (i, line) in job.lines.iter().enumerate() {
            let result = match line {
                Ok(text) => answer_line(engine, text, job.first + i),
                Err(message) => Some(Err(BatchError::new(job.first + i, message.clone()))),
            };
            let Some(result) = result else {
                continue;
            };
            // Each answer type serializes its keys in sorted order: the same object, compact,
            // as the single command prints.
            match &result {
                Ok(answer) => serde_json::to_writer(&mut w, answer),
                Err(error) => serde_json::to_writer(&mut w, &ErrorLine { error }),
            }
            .map_err(std::io::Error::from)?;
            w.write_all(b"\n")?;
        }
        w.flush()?;
        drop(w);
        pieces.send()
    })();
    sizes.add(job.lines.len(), pieces.sent);
    if let Err(e) = written {
        // The writer reports it (a serialization error), or has stopped already.
        let _ = job.answers.send(Err(e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questions::CHUNK;

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
        let err = run(&engine, Box::new(Broken(CHUNK + 5)), &mut out).unwrap_err();
        assert_eq!(err.to_string(), "cannot read the questions: disk gone");
        assert_eq!(
            std::str::from_utf8(&out).unwrap().lines().count(),
            CHUNK + 5
        );
    }
}
