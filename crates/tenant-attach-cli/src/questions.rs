//! `batch`'s questions: the input read on a thread of its own and cut into chunks of lines,
//! each line bounded ([`MAX_LINE_BYTES`]), each chunk sized to the answers seen so far and
//! handed over early whenever no more input is waiting.

use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TryRecvError, sync_channel};
use std::time::Duration;

/// The input of a batch: `--questions FILE` or standard input.
pub type Input = Box<dyn Read + Send>;

/// The longest question line, in bytes (its line break excluded). A longer line is answered
/// by an error line as soon as it passes this length, and the rest of it is skipped unread
/// into memory: `/dev/zero` as input gives that error, not an out-of-memory abort.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Answers travel from a worker to the writer in pieces of at most this many bytes.
pub(crate) const PIECE_BYTES: usize = 64 << 10;

/// The most questions that travel together from the reader to a worker.
pub(crate) const CHUNK: usize = 2048;

/// The questions of the first chunks, before the size of answers is known.
const FIRST_CHUNK: usize = 16;

/// A chunk is handed over once its questions reach this many bytes.
pub const CHUNK_BYTES: usize = 1 << 20;

/// The input is read in blocks of this size.
const READ_BLOCK: usize = 64 << 10;

/// How often a waiting reader checks whether the run has stopped (the output failed).
const POLL: Duration = Duration::from_millis(50);

/// One line of input: its text, or why it is not a question (an error answer for that line).
pub(crate) type Line = Result<String, String>;

/// A piece of answers, or the error that stopped a worker.
pub(crate) type Piece = std::io::Result<Vec<u8>>;

/// A chunk of questions: the line of its first question, the lines, where its answers go.
pub(crate) struct Job {
    pub(crate) first: usize,
    pub(crate) lines: Vec<Line>,
    pub(crate) answers: SyncSender<Piece>,
}

/// What the workers have answered so far, so the chunker sizes chunks to the answers: a chunk
/// whose answers fit its queue lets a worker finish it while an earlier chunk is written, so
/// large answers (`visible` on many devices) keep every worker busy within the byte budget.
#[derive(Default)]
pub(crate) struct Sizes {
    questions: AtomicU64,
    bytes: AtomicU64,
}

impl Sizes {
    /// How many questions the next chunk holds: as many as the average answer lets fit in
    /// `room` bytes, between 1 and [`CHUNK`].
    fn chunk(&self, room: usize) -> usize {
        let questions = self.questions.load(Ordering::Relaxed);
        if questions == 0 {
            return FIRST_CHUNK;
        }
        let average = (self.bytes.load(Ordering::Relaxed) / questions).max(1);
        usize::try_from(room as u64 / average)
            .unwrap_or(CHUNK)
            .clamp(1, CHUNK)
    }

    pub(crate) fn add(&self, questions: usize, bytes: usize) {
        self.questions
            .fetch_add(questions as u64, Ordering::Relaxed);
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
    }
}

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

/// Reads `input` in blocks on a thread of its own; an empty block is the end of the input.
/// The thread ends at the end of the input, a read error, or when nobody takes its blocks.
pub(crate) fn read_blocks(mut input: Input) -> Receiver<std::io::Result<Vec<u8>>> {
    let (tx, rx) = sync_channel(2);
    std::thread::spawn(move || {
        let mut buf = vec![0u8; READ_BLOCK];
        loop {
            let block = match input.read(&mut buf) {
                Ok(n) => Ok(buf.get(..n).unwrap_or_default().to_vec()),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => Err(e),
            };
            let last = !matches!(&block, Ok(b) if !b.is_empty());
            if tx.send(block).is_err() || last {
                return;
            }
        }
    });
    rx
}

/// The chunker's state: the chunk being filled and the line being read.
pub(crate) struct Chunker<'a> {
    jobs: &'a SyncSender<Job>,
    order: &'a SyncSender<Receiver<Piece>>,
    pieces: usize,
    sizes: &'a Sizes,
    /// How many questions the chunk being filled may hold.
    limit: usize,
    /// The line number of the first line of `lines`.
    first: usize,
    lines: Vec<Line>,
    bytes: usize,
    /// The line being read (without its line break).
    line: Vec<u8>,
    /// The rest of an over-long line is being skipped.
    skipping: bool,
}

impl<'a> Chunker<'a> {
    pub(crate) fn new(
        jobs: &'a SyncSender<Job>,
        order: &'a SyncSender<Receiver<Piece>>,
        pieces: usize,
        sizes: &'a Sizes,
    ) -> Chunker<'a> {
        Chunker {
            jobs,
            order,
            pieces,
            sizes,
            limit: FIRST_CHUNK,
            first: 1,
            lines: Vec::new(),
            bytes: 0,
            line: Vec::new(),
            skipping: false,
        }
    }

    /// Hands the chunk over (a worker answers it, the writer waits for its answers in turn).
    /// `false` when the run has stopped.
    fn hand_over(&mut self) -> bool {
        if self.lines.is_empty() {
            return true;
        }
        let lines = std::mem::take(&mut self.lines);
        let first = self.first;
        self.first += lines.len();
        self.bytes = 0;
        self.limit = self.sizes.chunk(self.pieces * PIECE_BYTES);
        let (answers, rx) = sync_channel(self.pieces);
        self.order.send(rx).is_ok()
            && self
                .jobs
                .send(Job {
                    first,
                    lines,
                    answers,
                })
                .is_ok()
    }

    /// Adds a finished line; hands the chunk over when it is full. `false` when stopped.
    fn push(&mut self, line: Line) -> bool {
        self.bytes += line.as_ref().map_or(0, String::len);
        self.lines.push(line);
        if self.lines.len() >= self.limit || self.bytes >= CHUNK_BYTES {
            return self.hand_over();
        }
        true
    }

    /// Cuts a block of input into lines. `false` when stopped.
    fn feed(&mut self, mut block: &[u8]) -> bool {
        while !block.is_empty() {
            let (part, rest, ended) = match block.iter().position(|b| *b == b'\n') {
                Some(at) => (
                    block.get(..at).unwrap_or_default(),
                    block.get(at + 1..).unwrap_or_default(),
                    true,
                ),
                None => (block, &[][..], false),
            };
            block = rest;
            if !self.skipping {
                if self.line.len() + part.len() > MAX_LINE_BYTES {
                    // Answered now, in order, and handed over at once: the line may never end.
                    self.line = Vec::new();
                    self.skipping = true;
                    let message = format!(
                        "not a question: the line is longer than {MAX_LINE_BYTES} bytes (the rest of it is skipped)"
                    );
                    if !self.push(Err(message)) || !self.hand_over() {
                        return false;
                    }
                } else {
                    self.line.extend_from_slice(part);
                }
            }
            if ended {
                if self.skipping {
                    self.skipping = false;
                } else {
                    let line = std::mem::take(&mut self.line);
                    if !self.push(decode(line)) {
                        return false;
                    }
                }
            }
        }
        true
    }

    /// The end of the input: a last line without a line break is a line.
    fn end(&mut self) -> bool {
        if !self.line.is_empty() && !self.skipping {
            let line = std::mem::take(&mut self.line);
            if !self.push(decode(line)) {
                return false;
            }
        }
        self.hand_over()
    }
}

/// A line's text, or an error naming its first byte that is not UTF-8.
fn decode(mut bytes: Vec<u8>) -> Line {
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not a question: invalid UTF-8 at byte {}",
            e.utf8_error().valid_up_to() + 1
        )
    })
}

/// Cuts the input's blocks into chunks of at most [`CHUNK`] lines or [`CHUNK_BYTES`] bytes,
/// handing a chunk over early whenever no more input is waiting. Ends at the end of the input,
/// a read error (returned as a [`ReadFailure`] after the chunks before it) or when the run
/// stops (`stop`, or the writer gone).
pub(crate) fn chunk_lines(
    blocks: &Receiver<std::io::Result<Vec<u8>>>,
    c: &mut Chunker<'_>,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    loop {
        let block = match blocks.try_recv() {
            Ok(block) => block,
            Err(TryRecvError::Disconnected) => Ok(Vec::new()),
            Err(TryRecvError::Empty) => {
                // Nothing more right now: what was read is answered now, not later.
                if !c.hand_over() {
                    return Ok(());
                }
                loop {
                    match blocks.recv_timeout(POLL) {
                        Ok(block) => break block,
                        Err(RecvTimeoutError::Disconnected) => break Ok(Vec::new()),
                        Err(RecvTimeoutError::Timeout) => {
                            if stop.load(Ordering::Relaxed) {
                                return Ok(());
                            }
                        }
                    }
                }
            }
        };
        match block {
            Ok(block) if block.is_empty() => {
                c.end();
                return Ok(());
            }
            Ok(block) => {
                if !c.feed(&block) {
                    return Ok(());
                }
            }
            Err(e) => {
                c.end();
                return Err(std::io::Error::other(ReadFailure(e)));
            }
        }
    }
}
