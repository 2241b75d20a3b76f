//! Access guardrails a team writes once and CI checks on every snapshot:
//! `tenant-attach assert` (`docs/assertions.md` describes the file).
//!
//! An [`Assertions`] file names assertions (`allowed`, `denied`, `never`, `only`, `count`,
//! `uploaded`, `not_uploaded`); [`assert()`] checks them against an [`Engine`] and gives an
//! [`Outcome`]: per assertion, whether it holds and up to ten counterexamples, each an
//! explained decision ([`Engine::check`]). Quantified assertions are answered with set algebra
//! over [`Engine::visible`] device sets (once per user class and feature class, shared by the
//! whole file), collection members and the upload scope, never by deciding every (user,
//! device) pair. [`against`] reports only what a proposed change alters.
//!
//! The module sits on the engine's public queries; it reads device sets as the crate's
//! bitmaps and explains counterexamples with [`Engine::check`].
//!
//! ```
//! use tenant_attach::{Engine, assert::{self, Assertions}, sample};
//! let engine = Engine::from_json(sample::CONTOSO)?;
//! let file = Assertions::from_json(r#"{
//!   "schema": "tenant-attach.assertions/1",
//!   "assertions": [
//!     {"name": "Erin never sees servers",
//!      "never": {"subject": {"user": "erin@contoso.com"}, "target": {"collection": "PS100030"}}},
//!     {"name": "Only Carol and Dave see the SQL server",
//!      "only": {"target": {"device": "CON-SRV-SQL01"}, "at_most": {"ad_group": "S-1-5-21-1004336348-1177238915-682003330-1107"}}}
//!   ]}"#)?;
//! let outcome = assert::assert(&engine, &file)?;
//! assert_eq!((outcome.passed, outcome.failed), (1, 1));
//! let failed = outcome.results.iter().find(|r| !r.passed).ok_or("none failed")?;
//! // Dave (Global Administrator) sees it too, and is not in the AD group.
//! let who: Vec<_> = failed.counterexamples.iter().filter_map(|c| c.user.as_deref()).collect();
//! assert_eq!(who, ["dave@contoso.com"]);
//! assert!(outcome.to_string().starts_with("PASS Erin never sees servers\nFAIL"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod against;
mod count;
mod eval;
mod file;
mod parse;
mod render;
mod resolve;
mod upload;

use serde::Serialize;

pub use against::against;
pub use file::{
    Assertion, Assertions, CountBound, Kind, OnlyBound, SCHEMA, Subject, Target, Triple,
};

use crate::decision::{Grant, Reason};
use crate::engine::Engine;
use crate::features::Feature;
use crate::text::escape;

/// How many counterexamples an assertion shows at most (`total` counts them all).
pub const MAX_COUNTEREXAMPLES: usize = 10;

/// An assertions file that cannot be checked: bad JSON, an unknown field, or a name the
/// snapshot does not hold (never a vacuous pass). The CLI exits 2 on it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AssertError {
    /// The file does not parse into the format.
    #[error("{line}:{column}: {path}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The JSON path, `$.assertions[2].never.subject`.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// An assertion that cannot be evaluated on this snapshot, or breaks a rule of the format.
    #[error("{}{field}: {message}", named(assertion))]
    Input {
        /// The assertion's name (empty for the file's own fields).
        assertion: String,
        /// The JSON path of the field, `$.assertions[2].never.subject.group`.
        field: String,
        /// What is wrong.
        message: String,
    },
}

fn named(assertion: &str) -> String {
    if assertion.is_empty() {
        String::new()
    } else {
        format!("assertion `{}`: ", escape(assertion))
    }
}

/// The answer of a file: how many assertions hold and fail, and each one's result, in file
/// order. `Display` gives the text `tenant-attach assert` prints; `Serialize` its JSON;
/// [`Outcome::junit`] its JUnit XML.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Outcome {
    /// How many failed.
    pub failed: usize,
    /// How many hold.
    pub passed: usize,
    /// Per assertion (with `--against`, only the ones whose answer changed).
    pub results: Vec<AssertionResult>,
}

/// One assertion's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct AssertionResult {
    /// With [`against`]: its answer on the old snapshot and the decisions that changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub against: Option<Change>,
    /// Up to [`MAX_COUNTEREXAMPLES`] decisions that break it, explained.
    pub counterexamples: Vec<Counterexample>,
    /// The assertion's name.
    pub name: String,
    /// Whether it holds.
    pub passed: bool,
    /// How many counterexamples there are in all (decisions, or users for `users_at_*`,
    /// or devices for `devices_at_*` and the upload kinds).
    #[serde(skip)]
    pub total: u64,
}

/// What a change did to an assertion ([`against`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Change {
    /// Up to [`MAX_COUNTEREXAMPLES`] decisions the assertion rests on that changed, each as
    /// the new snapshot decides it (as the old one did when the user or device is gone).
    pub changed: Vec<Counterexample>,
    /// Whether it held on the old snapshot (`None`: it named something the old snapshot did
    /// not hold).
    pub passed_before: Option<bool>,
}

/// One decision, explained: a (user, device, feature) or, for `uploaded`/`not_uploaded`, a
/// device's upload (no user, no feature).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Counterexample {
    /// Whether it is allowed (uploaded).
    pub allowed: bool,
    /// The device's name.
    pub device: String,
    /// The feature (`None` for an upload).
    pub feature: Option<Feature>,
    /// What granted it, for an allow ([`crate::Decision::grants`]).
    pub grants: Vec<Grant>,
    /// Why it is denied, every failed condition ([`crate::Decision::reasons`]).
    pub reasons: Vec<Reason>,
    /// The user's UPN (`None` for an upload).
    pub user: Option<String>,
}

/// Checks every assertion of `file` against `engine`.
///
/// ```
/// use tenant_attach::{Engine, assert::{self, Assertions}, sample};
/// let engine = Engine::from_json(sample::CONTOSO)?;
/// let file = Assertions::from_json(r#"{"schema": "tenant-attach.assertions/1", "assertions": [
///     {"name": "Bob can sync CON-WS-004", "allowed": [
///         {"user": "bob@contoso.com", "device": "CON-WS-004", "feature": "sync_machine_policy"}]}]}"#)?;
/// let outcome = assert::assert(&engine, &file)?;
/// let result = outcome.results.first().ok_or("no result")?;
/// assert!(!result.passed); // denied: no ConfigMgr role grants Notify Resource (R-G4)
/// let example = result.counterexamples.first().ok_or("no counterexample")?;
/// assert_eq!(example.reasons.first().map(|r| r.rule), Some("R-G4"));
///
/// let typo = Assertions::from_json(r#"{"schema": "tenant-attach.assertions/1", "assertions": [
///     {"name": "Servers", "uploaded": {"collection": "PS1NOPE"}}]}"#)?;
/// let error = assert::assert(&engine, &typo).err().ok_or("passed vacuously")?;
/// assert!(error.to_string().starts_with("assertion `Servers`: $.assertions[0].uploaded.target.collection"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`AssertError::Input`] for the first assertion naming a user, group, AD group,
/// collection or device the snapshot does not hold (or a glob no device name matches).
pub fn assert(engine: &Engine, file: &Assertions) -> Result<Outcome, AssertError> {
    let mut vis = eval::Visibility::new(engine);
    let mut results = Vec::with_capacity(file.assertions.len());
    for (i, a) in file.assertions.iter().enumerate() {
        let v = eval::evaluate(&mut vis, i, a, false)?;
        results.push(AssertionResult {
            against: None,
            counterexamples: v.counterexamples,
            name: a.name.clone(),
            passed: v.passed,
            total: v.total,
        });
    }
    Ok(Outcome::of(results))
}

impl Outcome {
    fn of(results: Vec<AssertionResult>) -> Outcome {
        let passed = results.iter().filter(|r| r.passed).count();
        Outcome {
            failed: results.len() - passed,
            passed,
            results,
        }
    }

    /// Whether every assertion holds (`tenant-attach assert` exits 0, else 1).
    pub fn all_hold(&self) -> bool {
        self.failed == 0
    }
}
