//! `report --format html` (and `demo --format html`): one self-contained HTML file.
//!
//! Everything is inline (style, a small script, the collection graph as SVG); a
//! Content-Security-Policy `<meta>` forbids every external load, so the page makes no request.
//! It reads without JavaScript (tables, `<details>` for long lists; the script only sorts and
//! filters the access matrix and embeds no name) and prints. Every name goes through
//! [`h`]: escaped for a terminal first (hostile characters become visible `\u{…}`), then for
//! HTML, so `<img src=x onerror=alert(1)>` is text. Long lists are cut with their counts and
//! the command that gives them whole, so a one-million-device hierarchy stays a few MB.
//!
//! Deterministic: the same snapshot gives the same bytes (no clock, no randomness).

pub mod matrix;
pub mod sections;

use std::fmt::{self, Write as _};

use tenant_attach::{Engine, Report, Sensitivity};

/// The Content-Security-Policy of the page: nothing from outside, inline style and script only,
/// images only as `data:` URLs.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// Any text from a snapshot or the command line, made safe inside HTML (and SVG).
pub fn h(s: &str) -> String {
    crate::svg::xml(s)
}

/// A count with thousands separators (`1,000,000`).
pub fn n(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What the page is made of.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    /// The loaded hierarchy.
    pub engine: &'a Engine,
    /// Its report (with the knob findings when `sensitivity` is given).
    pub report: &'a Report,
    /// The knob sensitivity, when it was computed (`report --sensitivity`, `demo`).
    pub sensitivity: Option<&'a Sensitivity>,
    /// How the snapshot is named in the commands the page suggests (`--snapshot FILE`).
    pub snapshot: &'a str,
}

/// The whole page.
pub fn render(page: &Page) -> String {
    let mut out = String::with_capacity(64 * 1024);
    // Writing to a String cannot fail.
    let _ = write_page(&mut out, page);
    out
}

fn write_page(out: &mut String, page: &Page) -> fmt::Result {
    let r = page.report;
    let title = format!(
        "Tenant attach report: {}",
        r.hierarchy
            .name
            .as_deref()
            .unwrap_or(&r.hierarchy.site_code)
    );
    writeln!(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>")?;
    writeln!(out, "<meta charset=\"utf-8\">")?;
    writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
    )?;
    writeln!(out, "<meta name=\"referrer\" content=\"no-referrer\">")?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        out,
        "<meta name=\"generator\" content=\"tenant-attach {}\">",
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(out, "<title>{}</title>", h(&title))?;
    writeln!(
        out,
        "<style>\n{}</style>\n</head>\n<body>",
        include_str!("style.css")
    )?;
    writeln!(out, "<header><h1>{}</h1>", h(&title))?;
    writeln!(
        out,
        "<nav><a href=\"#hierarchy\">Hierarchy</a><a href=\"#upload\">Upload</a><a href=\"#access\">Access matrix</a><a href=\"#findings\">Findings</a><a href=\"#sensitivity\">Knob sensitivity</a><a href=\"#lifecycle\">Lifecycle</a><a href=\"#graph\">Collection graph</a></nav></header>"
    )?;
    sections::hierarchy(out, page)?;
    sections::upload(out, page)?;
    matrix::write(out, page)?;
    sections::findings(out, page)?;
    sections::sensitivity(out, page)?;
    sections::lifecycle(out, page)?;
    sections::graph(out, page)?;
    writeln!(
        out,
        "<footer class=\"note\"><p>Made by tenant-attach {} from the snapshot alone; the same snapshot gives the same file. Every answer cites its rule of the rulebook.</p></footer>",
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(
        out,
        "<script>\n{}</script>\n</body>\n</html>",
        include_str!("script.js")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_separators() {
        assert_eq!(n(0), "0");
        assert_eq!(n(999), "999");
        assert_eq!(n(1000), "1,000");
        assert_eq!(n(1_234_567), "1,234,567");
    }

    #[test]
    fn names_are_text() {
        assert_eq!(
            h("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(h("a</script>\u{202e}"), "a&lt;/script&gt;\\u{202e}");
        assert_eq!(h("\"'&"), "&quot;&#39;&amp;");
    }
}
