//! Text that is safe on a terminal: every name, id and explanation that comes from a snapshot
//! goes through [`escape`] before the library's `Display` impls (and the command line) print
//! it.
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
//!   prints as itself, so `CONTOSO\alice` stays readable. Read back with [`unescape`]: `\\`
//!   is one backslash, `\u{…}` one escaped character, any other `\` itself.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is escaped: controls, format characters, other invisible code points, line and
/// paragraph separators.
///
/// ```
/// use tenant_attach::text::is_hostile;
/// assert!(is_hostile('\u{1b}') && is_hostile('\u{202e}')); // ESC, right-to-left override
/// assert!(!is_hostile('\\') && !is_hostile('é'));
/// let s = tenant_attach::Snapshot::from_json(tenant_attach::sample::CONTOSO)?;
/// assert!(!s.devices.iter().any(|d| d.name.chars().any(is_hostile)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[inline]
pub fn is_hostile(c: char) -> bool {
    if c.is_ascii() {
        // The common case, answered without the table below: C0 controls and DEL.
        return c.is_ascii_control();
    }
    c.is_control() || is_format_or_invisible(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Unicode category Cf (format) and the other Default_Ignorable_Code_Point characters (Unicode
/// 16): they print as nothing, or reorder, join or hide what surrounds them.
fn is_format_or_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// `s` with every hostile character escaped (see the module docs); borrowed when nothing
/// needs escaping.
///
/// ```
/// use std::borrow::Cow;
/// use tenant_attach::text::escape;
/// let s = tenant_attach::Snapshot::from_json(tenant_attach::sample::CONTOSO)?;
/// let admin = s.configmgr.admins.first().ok_or("no admin")?;
/// assert!(matches!(escape(&admin.account), Cow::Borrowed("CONTOSO\\CM-Admins")));
/// assert_eq!(escape("CON-WS-001\u{202e}"), "CON-WS-001\\u{202e}");
/// assert_eq!(escape("C:\\"), "C:\\\\"); // a trailing backslash is doubled
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn escape(s: &str) -> Cow<'_, str> {
    let mut chars = s.chars().peekable();
    let mut needed = false;
    while let Some(c) = chars.next() {
        if is_hostile(c) || (c == '\\' && backslash_needs_doubling(chars.peek().copied())) {
            needed = true;
            break;
        }
    }
    if !needed {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if is_hostile(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else if c == '\\' && backslash_needs_doubling(chars.peek().copied()) {
            out.push_str("\\\\");
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A backslash is doubled when the next character could make it read as an escape.
fn backslash_needs_doubling(next: Option<char>) -> bool {
    match next {
        None => true,
        Some(n) => n == '\\' || n == 'u' || is_hostile(n),
    }
}

/// The inverse of [`escape`] (for tests and the fuzz target: escaping loses nothing).
///
/// ```
/// use tenant_attach::text::{escape, unescape};
/// let fake = "CON-WS-001\r\u{1b}[2KCON-WS-002 \\u";
/// assert_eq!(unescape(&escape(fake)).as_deref(), Some(fake));
/// // Any other backslash is itself: `CONTOSO\CM-Admins` reads back unchanged.
/// assert_eq!(unescape("CONTOSO\\CM-Admins").as_deref(), Some("CONTOSO\\CM-Admins"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('\\') {
        out.push_str(rest.get(..at)?);
        let after = rest.get(at + 1..)?;
        if let Some(more) = after.strip_prefix('\\') {
            out.push('\\');
            rest = more;
        } else if let Some(more) = after.strip_prefix("u{")
            && let Some(end) = more.find('}')
            && let Ok(n) = u32::from_str_radix(more.get(..end)?, 16)
            && let Some(c) = char::from_u32(n)
        {
            out.push(c);
            rest = more.get(end + 1..)?;
        } else {
            out.push('\\');
            rest = after;
        }
    }
    out.push_str(rest);
    Some(out)
}

/// Columns wider than this do not widen their column: the cell is printed whole (never
/// truncated) and the rest of its row moves right, instead of every row being padded to the
/// longest name.
pub const MAX_COLUMN_WIDTH: usize = 40;

/// Left-aligned columns, two spaces apart, every cell escaped, one line per row, each ending
/// in a line break. A column is as wide as its widest cell up to [`MAX_COLUMN_WIDTH`]
/// characters; a longer cell is printed whole and pushes the rest of its own row right. No
/// width is given to `format!` (whose widths stop at 65,535), so any cell length works.
///
/// ```
/// use tenant_attach::text::table;
/// let rows = [vec![String::from("16777301"), String::from("CON-WS-001")]];
/// assert_eq!(table(&["RESOURCE ID", "NAME"], &rows), "RESOURCE ID  NAME\n16777301     CON-WS-001\n");
/// ```
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let escaped: Vec<Vec<Cow<'_, str>>> = rows
        .iter()
        .map(|row| row.iter().map(|c| escape(c)).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &escaped {
        for (w, cell) in widths.iter_mut().zip(row) {
            let n = cell.chars().count();
            if n <= MAX_COLUMN_WIDTH {
                *w = (*w).max(n);
            }
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        let mut l = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            l.push_str(cell);
            if i + 1 < cells.len() {
                let n = cell.chars().count();
                l.extend(std::iter::repeat_n(' ', w.saturating_sub(n) + 2));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    let head: Vec<Cow<'_, str>> = header.iter().map(|h| escape(h)).collect();
    line(&head.iter().map(AsRef::as_ref).collect::<Vec<&str>>());
    for row in &escaped {
        line(&row.iter().map(AsRef::as_ref).collect::<Vec<&str>>());
    }
    out
}

/// `1 device`, `3 devices`.
///
/// ```
/// use tenant_attach::text::plural;
/// assert_eq!((plural(1, "device", "devices"), plural(0, "user", "users")), ("1 device".into(), "0 users".into()));
/// ```
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Names joined by `sep`, each escaped.
pub(crate) fn joined<S: AsRef<str>>(names: &[S], sep: &str) -> String {
    names
        .iter()
        .map(|n| escape(n.as_ref()))
        .collect::<Vec<_>>()
        .join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_shortcut_agrees_with_the_full_definition() {
        for b in 0..=0x7f_u8 {
            let c = char::from(b);
            let full =
                c.is_control() || is_format_or_invisible(c) || matches!(c, '\u{2028}' | '\u{2029}');
            assert_eq!(is_hostile(c), full, "U+{b:04X}");
        }
    }
}
