//! What a command gives back: its output and exit code, or the lines of its failure. The
//! lowest module of the command line: `commands`, `batch` and `import` all return these, and
//! it knows none of them.

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
pub(crate) fn streamed(
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

/// A command that printed `stdout` and exits with `code`.
pub(crate) fn done(stdout: String, code: u8) -> Done {
    Done {
        stdout,
        stream: None,
        code,
    }
}
