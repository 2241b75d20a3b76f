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

    /// An error line on stderr: `tenant-attach: error…`.
    pub fn error_line(&self, line: &str) -> String {
        format!(
            "tenant-attach: {}",
            Style::paint(self.colour_stderr, "31", line)
        )
    }
}

/// Pretty JSON with a final newline. serde_json's map is a BTreeMap (no `preserve_order`),
/// so keys come out sorted and the same input gives the same bytes.
pub fn json(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Left-aligned columns, two spaces apart.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let mut l = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                l.push_str(cell);
            } else {
                l.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

/// `1 device`, `3 devices`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
