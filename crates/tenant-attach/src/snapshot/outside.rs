//! Whitespace outside a snapshot read from a stream: before and after the document it is
//! counted instead of kept, so endless whitespace costs no memory, and errors are placed where
//! they stand in the input.

use crate::error::LoadError;

/// The UTF-8 byte order mark.
pub(super) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Whitespace before and after the document, counted instead of kept: lines and the bytes
/// after the last line break, so errors are placed in the input as it was.
#[derive(Debug, Default)]
pub(super) struct Outside {
    lead: Gap,
    trail: Gap,
    /// Where in the kept text the dropped trailing whitespace was.
    trail_at: Option<usize>,
}

/// A run of dropped whitespace: its line breaks, and the bytes after the last one.
#[derive(Debug, Default, Clone, Copy)]
struct Gap {
    lines: usize,
    columns: usize,
}

impl Gap {
    fn add(&mut self, ws: &[u8]) {
        match ws.iter().rposition(|b| *b == b'\n') {
            Some(last) => {
                self.lines += ws.iter().filter(|b| **b == b'\n').count();
                self.columns = ws.len() - last - 1;
            }
            None => self.columns += ws.len(),
        }
    }
}

impl Outside {
    /// The part of `read` to keep: leading whitespace is dropped while nothing but a byte
    /// order mark was kept, and after the document has `closed`, whitespace at the start of a
    /// read (whitespace within a read after the close is kept: at most one read). A byte order
    /// mark after dropped whitespace keeps one whitespace byte before it, so it is refused
    /// as misplaced, where it stands.
    pub(super) fn skip<'r>(
        &mut self,
        read: &'r [u8],
        kept: &[u8],
        closed: bool,
    ) -> std::borrow::Cow<'r, [u8]> {
        let ws = read
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .count();
        let (gap, rest) = read.split_at(ws);
        if kept.is_empty() || kept == BOM {
            self.lead.add(gap);
            if kept.is_empty() && rest.first() == Some(&0xEF) {
                let back = if self.lead.columns > 0 {
                    self.lead.columns -= 1;
                    b' '
                } else if self.lead.lines > 0 {
                    self.lead.lines -= 1;
                    b'\n'
                } else {
                    return std::borrow::Cow::Borrowed(rest);
                };
                let mut owned = vec![back];
                owned.extend_from_slice(rest);
                return std::borrow::Cow::Owned(owned);
            }
            std::borrow::Cow::Borrowed(rest)
        } else if closed && ws > 0 {
            self.trail.add(gap);
            self.trail_at.get_or_insert(kept.len());
            std::borrow::Cow::Borrowed(rest)
        } else {
            std::borrow::Cow::Borrowed(read)
        }
    }

    /// `e` (found in the kept text, at the kept offset `bad` if it stopped a read) placed in
    /// the input: after the leading whitespace and, for a byte after the document, after the
    /// trailing whitespace too.
    pub(super) fn place(&self, e: LoadError, bad: usize) -> LoadError {
        let LoadError::Syntax {
            mut line,
            mut column,
            path,
            message,
        } = e
        else {
            return e;
        };
        if self.trail_at.is_some_and(|at| bad >= at) {
            if self.trail.lines > 0 {
                line += self.trail.lines;
                column = self.trail.columns + 1;
            } else {
                column += self.trail.columns;
            }
        }
        if line == 1 {
            column += self.lead.columns;
        }
        line += self.lead.lines;
        LoadError::Syntax {
            line,
            column,
            path,
            message,
        }
    }
}
