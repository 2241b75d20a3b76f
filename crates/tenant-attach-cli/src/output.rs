//! Rendering helpers: colour only on a terminal, `NO_COLOR` honoured; JSON with sorted keys.

use std::io::IsTerminal;

use crate::args::Format;

/// How to render text.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub format: Format,
    colour: bool,
    colour_stderr: bool,
}

impl Style {
    pub fn detect(format: Format) -> Style {
        let allowed = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Style {
            format,
            colour: allowed && std::io::stdout().is_terminal(),
            colour_stderr: allowed && std::io::stderr().is_terminal(),
        }
    }

    /// Colour off on both streams (tests and fuzz targets), or on when `colour`.
    pub fn fixed(format: Format, colour: bool) -> Style {
        Style {
            format,
            colour,
            colour_stderr: colour,
        }
    }

    fn paint(on: bool, code: &str, text: &str) -> String {
        if on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub fn bold(&self, text: &str) -> String {
        Style::paint(self.colour, "1", text)
    }

    pub fn red(&self, text: &str) -> String {
        Style::paint(self.colour, "31", text)
    }

    pub fn green(&self, text: &str) -> String {
        Style::paint(self.colour, "32", text)
    }

    pub fn yellow(&self, text: &str) -> String {
        Style::paint(self.colour, "33", text)
    }

    pub fn dim(&self, text: &str) -> String {
        Style::paint(self.colour, "2", text)
    }

    /// Whether stdout gets colour sequences.
    pub fn colour(&self) -> bool {
        self.colour
    }

    /// An error line on stderr: `tenant-attach: error…`. The line is one line: any control or
    /// format character in it (a name quoted by a message) is escaped.
    pub fn error_line(&self, line: &str) -> String {
        format!(
            "tenant-attach: {}",
            Style::paint(self.colour_stderr, "31", &crate::render::escape(line))
        )
    }
}

/// Writes `value` as pretty JSON with a final newline, straight to `w`: the same bytes as
/// [`json`] of its `serde_json::Value` when the type serializes its keys in sorted order (the
/// library's answer types do; a test compares the two for every command).
pub fn write_json<T: serde::Serialize + ?Sized>(
    w: &mut dyn std::io::Write,
    value: &T,
) -> std::io::Result<()> {
    let mut ser = serde_json::Serializer::pretty(&mut *w);
    value.serialize(&mut ser).map_err(std::io::Error::from)?;
    w.write_all(b"\n")
}

/// Pretty JSON with a final newline. serde_json's map is a BTreeMap (no `preserve_order`),
/// so keys come out sorted and the same input gives the same bytes.
pub fn json(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

pub use tenant_attach::text::{plural, table};
