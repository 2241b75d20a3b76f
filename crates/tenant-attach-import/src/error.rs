//! Where a problem is: the file, the place in it (a line and column, a record, a JSON path) and
//! the field.

use std::fmt;

/// A place inside one export file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The file as a whole (missing, unreadable, not a record list).
    File,
    /// A line and column (1-based), for text that is not valid UTF-8 or JSON.
    Position {
        /// The line.
        line: usize,
        /// The column.
        column: usize,
    },
    /// A record: its index within the file and, when known, its key (`PS100012`).
    Record {
        /// The index among the file's records (after unwrapping envelopes).
        index: usize,
        /// The record's key, e.g. a `CollectionID`.
        key: Option<String>,
    },
    /// A JSON path in the snapshot the import built (for what validation finds).
    Path(String),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::File => f.write_str("(file)"),
            Place::Position { line, column } => write!(f, "line {line}, column {column}"),
            Place::Record { index, key: None } => write!(f, "record {index}"),
            Place::Record {
                index,
                key: Some(key),
            } => write!(f, "record {index} (`{key}`)"),
            Place::Path(path) => f.write_str(path),
        }
    }
}

/// The file, the place in it and the field to blame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file name, e.g. `SMS_Collection.json`.
    pub file: String,
    /// Where in the file.
    pub place: Place,
    /// The field, when one is to blame (`CollectionRules[2].ResourceID`).
    pub field: Option<String>,
}

impl Location {
    /// The file as a whole.
    pub fn file(file: &str) -> Location {
        Location {
            file: file.to_owned(),
            place: Place::File,
            field: None,
        }
    }

    /// The same place, with the field to blame.
    #[must_use]
    pub fn field(mut self, field: impl Into<String>) -> Location {
        self.field = Some(field.into());
        self
    }

    /// A problem at this location.
    pub fn error(self, message: impl Into<String>) -> ImportError {
        ImportError {
            location: self,
            message: message.into(),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.place)?;
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        Ok(())
    }
}

/// One problem: where (file, record, field) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct ImportError {
    /// Where.
    pub location: Location,
    /// What is wrong (lowercase, no trailing period).
    pub message: String,
}

impl ImportError {
    /// The file the problem is in.
    pub fn file(&self) -> &str {
        &self.location.file
    }

    /// The field to blame, or `""`.
    pub fn field(&self) -> &str {
        self.location.field.as_deref().unwrap_or_default()
    }
}

/// What an import collects on its way: every problem, and what it could not know for sure.
#[derive(Debug, Default)]
pub struct Report {
    /// Problems: any one makes the import fail.
    pub errors: Vec<ImportError>,
    /// Warnings: information the exports lose; they never make the import fail.
    pub warnings: Vec<String>,
    /// The exports that are missing or could not be read whole: references into them are not
    /// checked, so that one broken file is one error, not one per record pointing at it.
    pub broken: std::collections::BTreeSet<&'static str>,
}

impl Report {
    /// Records a problem.
    pub fn error(&mut self, e: ImportError) {
        self.errors.push(e);
    }

    /// Records a problem with a reference into `export`, unless that export is broken.
    pub fn refer(&mut self, export: &crate::exports::Export, e: ImportError) {
        if !self.broken.contains(export.name) {
            self.errors.push(e);
        }
    }

    /// Records a warning.
    pub fn warn(&mut self, w: impl Into<String>) {
        self.warnings.push(w.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_read_as_file_place_field() {
        let e = Location {
            file: String::from("SMS_Collection.json"),
            place: Place::Record {
                index: 3,
                key: Some(String::from("PS100012")),
            },
            field: Some(String::from("CollectionRules[0].ResourceID")),
        }
        .error("a direct rule needs an unsigned ResourceID");
        assert_eq!(
            e.to_string(),
            "SMS_Collection.json: record 3 (`PS100012`): field `CollectionRules[0].ResourceID`: a direct rule needs an unsigned ResourceID"
        );
        let e = Location {
            file: String::from("users.json"),
            place: Place::Position { line: 2, column: 7 },
            field: None,
        }
        .error("not valid JSON: trailing comma");
        assert_eq!(
            e.to_string(),
            "users.json: line 2, column 7: not valid JSON: trailing comma"
        );
        assert_eq!(e.file(), "users.json");
        assert_eq!(e.field(), "");
        assert_eq!(
            Location::file("SMS_Role.json").error("missing").to_string(),
            "SMS_Role.json: (file): missing"
        );
    }
}
