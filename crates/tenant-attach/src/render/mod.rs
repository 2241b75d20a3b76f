//! The text form of every answer: the `Display` impls of the result types, giving exactly the
//! text the `tenant-attach` command line prints (without colour, and without a final line
//! break: the command line adds it). Every name from the snapshot is escaped
//! ([`crate::text::escape`]).
//!
//! The JSON forms live beside the types (`Serialize`); the texts live here, one file per
//! command family, so the types' modules stay about answering.

mod access;
mod diff;
mod report;
mod sensitivity;
mod upload;
mod validation;

pub use validation::Titled;

/// Writes `text` without its final line break: the renderers below build their text a line at
/// a time, each ending in `\n`, as the command line prints it.
fn trimmed(f: &mut std::fmt::Formatter<'_>, text: &str) -> std::fmt::Result {
    f.write_str(text.strip_suffix('\n').unwrap_or(text))
}
