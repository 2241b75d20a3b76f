//! The library's error and diagnostic types: each says where (JSON path, line:column) and
//! which rule.

use std::fmt;

/// The rule id given to format errors: bad JSON, unknown fields, wrong types, wrong schema.
pub const SCHEMA_RULE: &str = "schema";

/// A snapshot that could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// Bad JSON, an unknown field or a value of the wrong type.
    #[error("line {line}, column {column}: {path}: {message}")]
    Syntax {
        /// 1-based line of the offending value.
        line: usize,
        /// 1-based column of the offending value.
        column: usize,
        /// The JSON path of the offending value, e.g. `$.devices[3].client`.
        path: String,
        /// What is wrong, in serde's words.
        message: String,
    },
    /// The `schema` field names another format.
    #[error(
        "$.schema: unsupported schema `{found}`, expected `{}`",
        crate::snapshot::SCHEMA
    )]
    Schema {
        /// The schema string found.
        found: String,
    },
    /// The reader failed.
    #[error("cannot read the snapshot: {0}")]
    Io(String),
}

impl LoadError {
    pub(crate) fn from_path_error(e: serde_path_to_error::Error<serde_json::Error>) -> LoadError {
        let path = json_path(&e.path().to_string());
        LoadError::from_json_error(e.into_inner(), path)
    }

    pub(crate) fn from_json_error(e: serde_json::Error, path: String) -> LoadError {
        // serde_json appends " at line L column C"; the fields carry those, so drop it.
        let full = e.to_string();
        let message = match full.rfind(" at line ") {
            Some(at) => full.get(..at).unwrap_or(&full).to_owned(),
            None => full,
        };
        LoadError::Syntax {
            line: e.line(),
            column: e.column(),
            path,
            message,
        }
    }

    /// The rule id: always [`SCHEMA_RULE`].
    pub fn rule(&self) -> &'static str {
        SCHEMA_RULE
    }

    /// The JSON path, where one is known.
    pub fn path(&self) -> &str {
        match self {
            LoadError::Syntax { path, .. } => path,
            LoadError::Schema { .. } => "$.schema",
            LoadError::Io(_) => "$",
        }
    }

    /// The error as a diagnostic, for `validate`.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let message = match self {
            LoadError::Syntax {
                line,
                column,
                message,
                ..
            } => format!("line {line}, column {column}: {message}"),
            LoadError::Schema { found } => format!(
                "unsupported schema `{found}`, expected `{}`",
                crate::snapshot::SCHEMA
            ),
            LoadError::Io(m) => format!("cannot read the snapshot: {m}"),
        };
        Diagnostic::new(Severity::InputError, SCHEMA_RULE, self.path(), message)
    }
}

/// serde_path_to_error prints `a.b[3].c` (or `.` for the root); we print `$.a.b[3].c`.
fn json_path(p: &str) -> String {
    if p == "." || p.is_empty() {
        String::from("$")
    } else {
        format!("$.{p}")
    }
}

/// How bad a [`Diagnostic`] is (the contract's two kinds of error, and warnings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The snapshot does not describe a hierarchy: every command but `validate` refuses it.
    InputError,
    /// A valid description of a hierarchy that cannot work as configured: commands still
    /// answer as the rules say.
    ConfigurationError,
    /// Worth knowing; never changes an answer or an exit code.
    Warning,
}

impl Severity {
    /// `input`, `configuration` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::InputError => "input",
            Severity::ConfigurationError => "configuration",
            Severity::Warning => "warning",
        }
    }
}

/// One problem found in a snapshot, with the rule it breaks and where.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    severity: Severity,
    rule: &'static str,
    path: String,
    message: String,
}

impl Diagnostic {
    pub(crate) fn new(
        severity: Severity,
        rule: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity,
            rule,
            path: path.into(),
            message: message.into(),
        }
    }

    /// Input error, configuration error or warning.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The rule id, e.g. `R-C3`, or [`SCHEMA_RULE`].
    pub fn rule(&self) -> &'static str {
        self.rule
    }

    /// The JSON path of the offending value, e.g. `$.collections[2].limiting`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong, for a ConfigMgr admin: lowercase, no trailing period.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl serde::Serialize for Diagnostic {
    /// `{"kind", "message", "path", "rule"}`, as `validate --format json` prints it.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = serializer.serialize_struct("Diagnostic", 4)?;
        st.serialize_field("kind", self.severity.as_str())?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("path", &self.path)?;
        st.serialize_field("rule", self.rule)?;
        st.end()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}: {}", self.rule, self.path, self.message)
    }
}

/// Everything [`crate::validate`] found, in the order it was found.
///
/// Its JSON form is `validate --format json`'s document, `{"errors": [...], "warnings": [...]}`;
/// its text ([`fmt::Display`]) one diagnostic a line. It is an [`std::error::Error`] so that a
/// refused snapshot can travel with `?`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl serde::Serialize for Diagnostics {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let errors: Vec<&Diagnostic> = self.errors().collect();
        let warnings: Vec<&Diagnostic> = self.warnings().collect();
        let mut st = serializer.serialize_struct("Diagnostics", 2)?;
        st.serialize_field("errors", &errors)?;
        st.serialize_field("warnings", &warnings)?;
        st.end()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.items {
            writeln!(f, "{} {d}", d.severity.as_str())?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl Diagnostics {
    pub(crate) fn push(
        &mut self,
        severity: Severity,
        rule: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.items
            .push(Diagnostic::new(severity, rule, path, message));
    }

    pub(crate) fn input(
        &mut self,
        rule: &'static str,
        path: impl Into<String>,
        msg: impl Into<String>,
    ) {
        self.push(Severity::InputError, rule, path, msg);
    }

    /// A load error as the one diagnostic of a snapshot that could not be read.
    pub fn from_load_error(e: &LoadError) -> Diagnostics {
        Diagnostics {
            items: vec![e.to_diagnostic()],
        }
    }

    /// Every diagnostic.
    pub fn all(&self) -> &[Diagnostic] {
        &self.items
    }

    /// Input and configuration errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items
            .iter()
            .filter(|d| d.severity != Severity::Warning)
    }

    /// Warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }

    /// Whether any input error was found (the snapshot is refused).
    pub fn has_input_errors(&self) -> bool {
        self.items
            .iter()
            .any(|d| d.severity == Severity::InputError)
    }

    /// Whether any error (input or configuration) was found: `validate` exits 1.
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }
}

/// The snapshot was refused: it has input errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// The snapshot could not be parsed.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The snapshot parsed but does not describe a hierarchy.
    #[error("{} input error(s), first: {}", .0.errors().count(), first_error(.0))]
    Invalid(Diagnostics),
}

fn first_error(d: &Diagnostics) -> String {
    d.errors()
        .next()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// A query named something the snapshot does not hold, or named it ambiguously.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// No user has that UPN or Entra id.
    #[error("no user with UPN or id `{0}` in $.entra.users")]
    UnknownUser(String),
    /// No device has that resource id or name.
    #[error("no device with resource id or name `{0}` in $.devices")]
    UnknownDevice(String),
    /// Several devices have that name.
    #[error("device name `{name}` matches several devices: {}", .resource_ids.iter().map(u32::to_string).collect::<Vec<_>>().join(", "))]
    AmbiguousDevice {
        /// The name asked for.
        name: String,
        /// The resource ids of every device with that name.
        resource_ids: Vec<u32>,
    },
    /// No collection has that id.
    #[error("no collection with id `{0}` in $.collections")]
    UnknownCollection(String),
}
