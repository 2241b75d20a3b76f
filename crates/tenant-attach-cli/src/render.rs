//! The one rendering layer for text output: every name, id and explanation that comes from a
//! snapshot (or from the command line) goes through [`escape`] before it reaches a terminal,
//! and tables are laid out by [`table`].
//!
//! Why: a snapshot is input, and a name is free text. Printed raw, a carriage return, an ANSI
//! or OSC escape, a newline followed by a fake row, or a bidi override can make a DENIED
//! decision read as ALLOWED, add a user to `who` or retitle the terminal.
//!
//! The escape format, unambiguous and visible:
//! - every control character (C0, DEL, C1), every format character (Unicode category Cf:
//!   bidi embeddings, overrides and isolates, zero-width characters, the BOM, tag
//!   characters…), every other default-ignorable (invisible) code point, and the line and
//!   paragraph separators U+2028 and U+2029 print as `\u{HEX}`, lowercase hex without leading
//!   zeros, as Rust writes them (`\u{1b}`, `\u{a}`, `\u{202e}`);
//! - a backslash prints doubled (`\\`) when what follows it could be read as an escape (a
//!   backslash, a `u`, an escaped character, or the end of the text); any other backslash
//!   prints as itself, so `CONTOSO\alice` stays readable. Read back: `\\` is one backslash,
//!   `\u{…}` one escaped character, any other `\` itself.
//!
//! [`finish`] is a second line of defence over a whole text output: it escapes any control or
//! format character that is not a line break or one of our own colour sequences, so a name a
//! renderer forgot to escape cannot do more than start a line.

use std::fmt::Write as _;

pub use tenant_attach::text::{MAX_COLUMN_WIDTH, escape, is_hostile, table, unescape};

/// A whole text output made safe for a terminal: any hostile character other than a line
/// break (and, when `colour` is on, other than a `ESC [ digits m` colour sequence) is escaped.
/// Names are escaped where they are printed; this pass only catches what a renderer missed.
pub fn finish(text: String, colour: bool) -> String {
    let hostile = |c: char| c != '\n' && is_hostile(c);
    if !text.chars().any(hostile) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text.as_str();
    while let Some(c) = rest.chars().next() {
        let len = c.len_utf8();
        if colour
            && c == '\u{1b}'
            && let Some(sgr) = colour_sequence(rest)
        {
            out.push_str(sgr);
            rest = rest.get(sgr.len()..).unwrap_or("");
            continue;
        }
        if hostile(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
        rest = rest.get(len..).unwrap_or("");
    }
    out
}

/// `ESC [ digits m` at the start of `s`, as `output::Style` writes it.
fn colour_sequence(s: &str) -> Option<&str> {
    let body = s.strip_prefix("\u{1b}[")?;
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 || body.as_bytes().get(digits) != Some(&b'm') {
        return None;
    }
    s.get(..digits + 3)
}

/// [`finish`] for streamed text: bytes pass through a line at a time, each line checked as
/// `finish` checks a whole text (our colour sequences never span a line break).
pub struct LineNet<'w> {
    out: &'w mut dyn std::io::Write,
    colour: bool,
    line: Vec<u8>,
}

impl std::fmt::Debug for LineNet<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineNet")
            .field("colour", &self.colour)
            .field("pending", &self.line.len())
            .finish()
    }
}

impl<'w> LineNet<'w> {
    /// A net in front of `out`.
    pub fn new(out: &'w mut dyn std::io::Write, colour: bool) -> LineNet<'w> {
        LineNet {
            out,
            colour,
            line: Vec::new(),
        }
    }

    fn pass(&mut self) -> std::io::Result<()> {
        let line = String::from_utf8_lossy(&self.line).into_owned();
        self.line.clear();
        self.out.write_all(finish(line, self.colour).as_bytes())
    }

    /// Writes what is left of the last line (text without a final line break).
    ///
    /// # Errors
    ///
    /// A failed write.
    pub fn finish(mut self) -> std::io::Result<()> {
        if !self.line.is_empty() {
            self.pass()?;
        }
        Ok(())
    }
}

impl std::io::Write for LineNet<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while let Some(at) = rest.iter().position(|b| *b == b'\n') {
            let (line, after) = rest.split_at(at + 1);
            self.line.extend_from_slice(line);
            self.pass()?;
            rest = after;
        }
        self.line.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_visible_and_round_trip() {
        let hostile = "X (combined mode).\rALLOWED \u{1b}]0;pwned\u{7}\n  eve@x\u{202e}\u{200b}\u{2028}\u{85}\u{7f}";
        let e = escape(hostile);
        assert!(!e.chars().any(is_hostile), "{e}");
        assert!(e.contains("\\u{d}") && e.contains("\\u{202e}") && e.contains("\\u{1b}"));
        assert_eq!(unescape(&e).as_deref(), Some(hostile));
    }

    #[test]
    fn plain_backslashes_stay_readable_and_ambiguous_ones_double() {
        assert_eq!(escape("CONTOSO\\CM-Admins"), "CONTOSO\\CM-Admins");
        assert_eq!(escape("CONTOSO\\user"), "CONTOSO\\\\user");
        assert_eq!(escape("a\\"), "a\\\\");
        assert_eq!(escape("a\\\u{202e}"), "a\\\\\\u{202e}");
        for s in ["\\u{41}", "\\\\", "a\\b", "\\", "\\u", "x\\\u{1b}"] {
            assert_eq!(unescape(&escape(s)).as_deref(), Some(s), "{s}");
        }
    }

    #[test]
    fn finish_keeps_line_breaks_and_colour_only() {
        let text = String::from("\u{1b}[31mDENIED\u{1b}[0m a\rb\u{1b}]0;t\u{7}\n");
        assert_eq!(
            finish(text.clone(), true),
            "\u{1b}[31mDENIED\u{1b}[0m a\\u{d}b\\u{1b}]0;t\\u{7}\n"
        );
        assert!(!finish(text, false).contains('\u{1b}'));
    }

    #[test]
    fn the_line_net_checks_streamed_text_as_finish_checks_a_whole_one() {
        use std::io::Write as _;
        let text = "\u{1b}[31mDENIED\u{1b}[0m a\rb\n\u{1b}]0;t\u{7}\nlast \u{202e}";
        for colour in [false, true] {
            let mut out = Vec::new();
            let mut net = LineNet::new(&mut out, colour);
            // Written in pieces that split lines and characters' neighbours.
            for piece in text.as_bytes().chunks(3) {
                net.write_all(piece).unwrap();
            }
            net.finish().unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                finish(String::from(text), colour)
            );
        }
    }

    #[test]
    fn a_table_of_huge_cells_does_not_panic_nor_pad_other_rows() {
        let long = "n".repeat(70_000);
        let t = table(
            &["ID", "NAME", "VIA"],
            &[
                vec![String::from("1"), long.clone(), String::from("a")],
                vec![String::from("2"), String::from("short"), String::from("b")],
            ],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[2], "2   short  b");
        assert!(lines[1].contains(&long));
    }
}
