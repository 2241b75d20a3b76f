//! The library's error and diagnostic types: each says where (JSON path, line:column) and
//! which rule.

use std::fmt;

pub use crate::rule_ids::SCHEMA_RULE;

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
    #[error("$.schema: unsupported schema `{found}`, expected `{expected}`")]
    Schema {
        /// The schema string found.
        found: String,
        /// The schema this version reads ([`crate::snapshot::SCHEMA`]).
        expected: &'static str,
    },
    /// The reader failed; the `io::Error` is kept as the source.
    #[error("cannot read the snapshot: {0}")]
    Io(#[source] IoError),
}

/// An `std::io::Error` that a [`LoadError`] can carry while staying `Clone` and `Eq` (two are
/// equal when their kind and message are).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct IoError(std::sync::Arc<std::io::Error>);

impl IoError {
    /// The underlying error.
    pub fn get(&self) -> &std::io::Error {
        &self.0
    }
}

impl From<std::io::Error> for IoError {
    fn from(e: std::io::Error) -> IoError {
        IoError(std::sync::Arc::new(e))
    }
}

impl PartialEq for IoError {
    fn eq(&self, other: &IoError) -> bool {
        self.0.kind() == other.0.kind() && self.0.to_string() == other.0.to_string()
    }
}

impl Eq for IoError {}

impl LoadError {
    pub(crate) fn from_path_error(
        e: serde_path_to_error::Error<serde_json::Error>,
        text: &[u8],
    ) -> LoadError {
        let named = json_path(&e.path().to_string());
        let e = e.into_inner();
        // serde_path_to_error cannot name every map key (it prints `?` for keys that are
        // enums, such as `policy.features`): then the path is read off the text itself.
        let path = if has_unknown_segment(&named) {
            path_at_error(text, &e)
        } else {
            named
        };
        LoadError::from_json_error(e, path, text)
    }

    pub(crate) fn from_json_error(e: serde_json::Error, path: String, text: &[u8]) -> LoadError {
        // serde_json appends " at line L column C"; the fields carry those, so drop it.
        let full = e.to_string();
        let mut message = match full.rfind(" at line ") {
            Some(at) => full.get(..at).unwrap_or(&full).to_owned(),
            None => full,
        };
        if text
            .get(offset_of(text, e.line(), e.column())..)
            .is_some_and(|rest| rest.starts_with("\u{feff}".as_bytes()))
        {
            message = String::from(
                "a byte order mark (U+FEFF) is allowed only as the first character of the file",
            );
        }
        let (line, column) = real_position(text, e.line(), e.column());
        LoadError::Syntax {
            line,
            column,
            path,
            message,
        }
    }

    /// Bytes that are not UTF-8, the first bad one at `offset` of `text`.
    pub(crate) fn not_utf8(text: &[u8], offset: usize, bad: Option<u8>) -> LoadError {
        let prefix = text.get(..offset).unwrap_or(text);
        let line = 1 + prefix.iter().filter(|b| **b == b'\n').count();
        let line_start = prefix
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let column = 1 + offset.saturating_sub(line_start);
        let message = match bad.or_else(|| text.get(offset).copied()) {
            Some(b) => format!(
                "the snapshot is not UTF-8: byte `0x{b:02x}` cannot start or continue a character here"
            ),
            None => String::from("the snapshot is not UTF-8: it ends inside a character"),
        };
        LoadError::Syntax {
            line,
            column,
            path: path_at(text, offset),
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
            LoadError::Schema { found, expected } => {
                format!("unsupported schema `{found}`, expected `{expected}`")
            }
            LoadError::Io(e) => format!("cannot read the snapshot: {e}"),
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

/// Whether a path printed by serde_path_to_error has a segment it could not name.
fn has_unknown_segment(path: &str) -> bool {
    path.split(['.', '[']).any(|seg| seg == "?")
}

/// The byte offset of serde_json's 1-based line and column (a column counts bytes; 0 is the
/// line's start).
fn offset_of(text: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text
            .get(start..)
            .and_then(|t| t.iter().position(|b| *b == b'\n'))
        {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    (start + column.saturating_sub(1)).min(text.len())
}

/// The position to report for serde_json's `line` and `column`. serde_json says column 0
/// when it stopped right after a line break (a file cut after its last line: "EOF while
/// parsing"): no editor has a column 0, so the position is the end of the previous line, just
/// after its last character.
fn real_position(text: &[u8], line: usize, column: usize) -> (usize, usize) {
    if column > 0 || line < 2 {
        return (line, column.max(1));
    }
    let start = offset_of(text, line - 1, 1);
    let rest = text.get(start..).unwrap_or(&[]);
    let len = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
    let len = len - usize::from(rest.get(..len).is_some_and(|l| l.ends_with(b"\r")));
    (line - 1, len + 1)
}

/// The path of the value where serde_json stopped.
pub(crate) fn path_at_error(text: &[u8], e: &serde_json::Error) -> String {
    path_at(text, offset_of(text, e.line(), e.column()))
}

/// The JSON path of the value being read at byte `offset` of `text` (JSON up to there),
/// naming every object key and array index: `$.policy.features.timeline.since`. A key that is
/// not a plain word prints quoted: `$.x["a.b"]`.
pub(crate) fn path_at(text: &[u8], offset: usize) -> String {
    enum Frame {
        Object { key: Option<String>, want_key: bool },
        Array { index: usize },
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    let end = offset.min(text.len());
    while i < end {
        let Some(&b) = text.get(i) else { break };
        match b {
            b'"' => {
                // The string, escapes included; it may run past `end` (an error inside it).
                let mut j = i + 1;
                while let Some(&c) = text.get(j) {
                    match c {
                        b'\\' => j += 2,
                        b'"' => break,
                        _ => j += 1,
                    }
                }
                if j > end || text.get(j) != Some(&b'"') {
                    // The offset is inside this string: a key being read is not named yet.
                    break;
                }
                if let Some(Frame::Object { key, want_key }) = stack.last_mut()
                    && *want_key
                {
                    let raw = text
                        .get(i..=j.min(text.len().saturating_sub(1)))
                        .unwrap_or(&[]);
                    *key = Some(serde_json::from_slice::<String>(raw).unwrap_or_else(|_| {
                        String::from_utf8_lossy(raw.get(1..).unwrap_or(&[])).into_owned()
                    }));
                    *want_key = false;
                }
                i = j + 1;
                continue;
            }
            b'{' => stack.push(Frame::Object {
                key: None,
                want_key: true,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { key, want_key }) => {
                    *key = None;
                    *want_key = true;
                }
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    let mut path = String::from("$");
    for frame in &stack {
        match frame {
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
            Frame::Object { key: Some(k), .. } => {
                if !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    path.push('.');
                    path.push_str(k);
                } else {
                    path.push_str(&format!(
                        "[{}]",
                        serde_json::to_string(k).unwrap_or_default()
                    ));
                }
            }
            Frame::Object { key: None, .. } => {}
        }
    }
    path
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
    /// `[RULE] PATH: MESSAGE`, the path and message escaped ([`crate::text::escape`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::text::escape;
        write!(
            f,
            "[{}] {}: {}",
            self.rule,
            escape(&self.path),
            escape(&self.message)
        )
    }
}

/// Everything [`crate::validate`] found, in the order it was found.
///
/// Its JSON form is `validate --format json`'s document, `{"errors": [...], "warnings": [...]}`;
/// its text ([`fmt::Display`]) one diagnostic a line and a verdict (`Diagnostics::titled`
/// names the file, as `validate` prints it). It is an [`std::error::Error`] so that a
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

/// [`Diagnostic`] as read back from JSON.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DiagnosticWire {
    kind: String,
    message: String,
    path: String,
    rule: String,
}

/// [`Diagnostics`] as read back from JSON.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DiagnosticsWire {
    errors: Vec<DiagnosticWire>,
    warnings: Vec<DiagnosticWire>,
}

impl DiagnosticWire {
    /// The diagnostic, if its kind is one of `allowed` and its rule a known id.
    fn read(self, allowed: &[Severity]) -> Result<Diagnostic, String> {
        let severity = allowed
            .iter()
            .copied()
            .find(|s| s.as_str() == self.kind)
            .ok_or_else(|| {
                let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
                format!("kind `{}` is not one of {}", self.kind, names.join(", "))
            })?;
        Ok(Diagnostic {
            severity,
            rule: crate::rule_ids::known_rule(&self.rule)?,
            path: self.path,
            message: self.message,
        })
    }
}

// Written by hand: a derive would see the `&'static str` rule and demand `'de: 'static`.
impl<'de> serde::Deserialize<'de> for Diagnostic {
    /// Reads the form [`Diagnostic`] serializes to; the rule must be one of
    /// [`crate::decision::RULE_IDS`].
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Diagnostic, D::Error> {
        DiagnosticWire::deserialize(d)?
            .read(&[
                Severity::InputError,
                Severity::ConfigurationError,
                Severity::Warning,
            ])
            .map_err(serde::de::Error::custom)
    }
}

impl<'de> serde::Deserialize<'de> for Diagnostics {
    /// Reads `validate --format json`'s document back: the errors (kind `input` or
    /// `configuration`), then the warnings (kind `warning`). Written again, it gives the same
    /// JSON; the order in which errors and warnings were interleaved is not in the document.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Diagnostics, D::Error> {
        let w = DiagnosticsWire::deserialize(d)?;
        let mut items = Vec::with_capacity(w.errors.len() + w.warnings.len());
        for e in w.errors {
            items.push(
                e.read(&[Severity::InputError, Severity::ConfigurationError])
                    .map_err(serde::de::Error::custom)?,
            );
        }
        for e in w.warnings {
            items.push(
                e.read(&[Severity::Warning])
                    .map_err(serde::de::Error::custom)?,
            );
        }
        Ok(Diagnostics { items })
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
    ///
    /// ```
    /// use tenant_attach::{Diagnostics, Snapshot, sample};
    /// let text = sample::CONTOSO.replace("\"version\": 2403", "\"version\": \"2403\"");
    /// let err = Snapshot::from_json(&text).err().ok_or("parsed")?;
    /// let d = Diagnostics::from_load_error(&err);
    /// assert!(d.has_input_errors());
    /// assert_eq!(d.all().first().map(|x| x.path()), Some("$.hierarchy.version"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// use tenant_attach::{Snapshot, sample, snapshot::Cloud, validate};
    /// let mut s = Snapshot::from_json(sample::CONTOSO)?;
    /// assert_eq!(validate(&s).errors().count(), 0);
    /// s.hierarchy.cloud = Cloud::China;
    /// let rules: Vec<&str> = validate(&s).errors().map(|d| d.rule()).collect();
    /// assert_eq!(rules, ["R-U2"]); // nothing can be uploaded
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items
            .iter()
            .filter(|d| d.severity != Severity::Warning)
    }

    /// Warnings.
    ///
    /// ```
    /// use tenant_attach::{Snapshot, sample, validate};
    /// let mut s = Snapshot::from_json(sample::CONTOSO)?;
    /// s.hierarchy.attach.endpoint_analytics = true;
    /// let d = validate(&s);
    /// assert_eq!(d.warnings().map(|w| w.rule()).collect::<Vec<_>>(), ["R-H5"]);
    /// assert!(!d.has_errors()); // a warning is not an error
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }

    /// Whether any input error was found (the snapshot is refused).
    ///
    /// ```
    /// use tenant_attach::{Engine, Snapshot, sample, snapshot::Upload, validate};
    /// let mut s = Snapshot::from_json(sample::CONTOSO)?;
    /// assert!(!validate(&s).has_input_errors());
    /// s.hierarchy.attach.upload = Upload::collection("PS1NOPE"); // R-U5
    /// assert!(validate(&s).has_input_errors());
    /// assert!(Engine::new(s).is_err()); // refused
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn has_input_errors(&self) -> bool {
        self.items
            .iter()
            .any(|d| d.severity == Severity::InputError)
    }

    /// Whether any error (input or configuration) was found: `validate` exits 1.
    ///
    /// ```
    /// use tenant_attach::{Engine, Snapshot, sample, snapshot::Cloud, validate};
    /// let mut s = Snapshot::from_json(sample::CONTOSO)?;
    /// s.hierarchy.cloud = Cloud::China; // a configuration error (R-U2)
    /// let d = validate(&s);
    /// assert!(d.has_errors() && !d.has_input_errors());
    /// assert!(Engine::new(s)?.upload().uploaded().is_empty()); // built, uploading nothing
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
