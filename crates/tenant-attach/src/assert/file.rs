//! The assertions file (`tenant-attach.assertions/1`): the public model of its assertions,
//! subjects and targets (parsed and checked by `parse.rs`).

use serde::Deserialize;

use super::AssertError;
use crate::features::Feature;
use crate::snapshot::DirectoryRole;

/// The value of the file's `schema` field.
pub const SCHEMA: &str = "tenant-attach.assertions/1";

/// A parsed assertions file: named assertions, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Assertions {
    /// The assertions, in file order (names are unique).
    pub assertions: Vec<Assertion>,
}

/// One named assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Assertion {
    /// Its name, unique in the file: how results, errors and JUnit test cases name it.
    pub name: String,
    /// What it asserts.
    pub kind: Kind,
}

impl Assertion {
    /// An assertion named `name`.
    pub fn new(name: impl Into<String>, kind: Kind) -> Assertion {
        Assertion {
            name: name.into(),
            kind,
        }
    }
}

/// What an assertion asserts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// Every one of these decisions allows.
    Allowed(Vec<Triple>),
    /// Every one of these decisions denies.
    Denied(Vec<Triple>),
    /// No user of the subject may use the feature on any device of the target.
    Never {
        /// Whose access.
        subject: Subject,
        /// The feature.
        feature: Feature,
        /// The devices.
        target: Target,
    },
    /// Who may use the feature on the target, bounded by a subject.
    Only {
        /// The feature.
        feature: Feature,
        /// The devices.
        target: Target,
        /// `at_most`, `at_least` or `exactly`.
        bound: OnlyBound,
        /// The users of the bound.
        subject: Subject,
    },
    /// How many users (or, with a subject, devices) the feature reaches on the target.
    Count {
        /// The feature.
        feature: Feature,
        /// The devices.
        target: Target,
        /// The users whose devices are counted (`devices_at_most`/`devices_at_least` only).
        subject: Option<Subject>,
        /// The bound.
        bound: CountBound,
    },
    /// Every device of the target is uploaded.
    Uploaded(Target),
    /// No device of the target is uploaded.
    NotUploaded(Target),
}

/// One explicit decision of `allowed` or `denied`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Triple {
    /// A UPN or Entra id.
    pub user: String,
    /// A device name or resource id.
    pub device: String,
    /// The feature (`view` when absent).
    #[serde(default = "view")]
    pub feature: Feature,
}

impl Triple {
    /// The decision of `user` on `device` for `feature`.
    pub fn new(user: impl Into<String>, device: impl Into<String>, feature: Feature) -> Triple {
        Triple {
            user: user.into(),
            device: device.into(),
            feature,
        }
    }
}

/// A set of users.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Subject {
    /// One user, by UPN or Entra id.
    User(String),
    /// The members of an Entra group (by name or id), nested groups included (R-I2).
    Group(String),
    /// The users whose `on_premises_group_sids` hold this AD group SID (case-insensitive).
    AdGroup(String),
    /// The cloud-only users (`true`, no on-premises SID) or the synced ones (`false`).
    CloudOnly(bool),
    /// The users holding this Entra directory role.
    DirectoryRole(DirectoryRole),
}

/// A set of devices.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Target {
    /// One device, by name or resource id.
    Device(String),
    /// The members of a collection, by id.
    Collection(String),
    /// The devices whose name matches a glob (`*`, `?`), case-insensitively as NetBIOS names.
    NameMatches(String),
    /// The co-managed devices (`true`) or the others (`false`).
    CoManaged(bool),
    /// The devices uploaded to the admin center by tenant attach (`true`) or the others.
    TenantAttached(bool),
    /// Every device.
    All,
}

/// The bound of an `only` assertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OnlyBound {
    /// Everyone allowed on some device of the target is a user of the subject.
    AtMost,
    /// Every user of the subject is allowed on every device of the target.
    AtLeast,
    /// Both.
    Exactly,
}

/// The bound of a `count` assertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CountBound {
    /// At most this many users are allowed on some device of the target.
    UsersAtMost(u64),
    /// At least this many users are allowed on some device of the target.
    UsersAtLeast(u64),
    /// At most this many devices of the target allow some user of the subject.
    DevicesAtMost(u64),
    /// At least this many devices of the target allow some user of the subject.
    DevicesAtLeast(u64),
}

pub(super) fn view() -> Feature {
    Feature::View
}

impl Assertions {
    /// A file of these assertions, built in code (names should be unique: results are
    /// reported by name).
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, sample};
    /// use tenant_attach::assert::{self, Assertion, Assertions, Kind, OnlyBound, Subject, Target};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let file = Assertions::new(vec![Assertion::new(
    ///     "Only Server Operators run scripts on the SQL server",
    ///     Kind::Only {
    ///         feature: Feature::RunScript,
    ///         target: Target::Device("CON-SRV-SQL01".into()),
    ///         bound: OnlyBound::Exactly,
    ///         subject: Subject::Group("Server Operators".into()),
    ///     },
    /// )]);
    /// assert!(assert::assert(&engine, &file)?.all_hold());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(assertions: Vec<Assertion>) -> Assertions {
        Assertions { assertions }
    }

    /// Parses an assertions file and checks what needs no snapshot: the schema, unknown
    /// fields, one kind per assertion, one bound per `only` and `count`, unique names.
    /// Names are resolved against a snapshot by [`crate::assert::assert()`].
    ///
    /// ```
    /// use tenant_attach::assert::{Assertions, Kind};
    /// let file = Assertions::from_json(r#"{"schema": "tenant-attach.assertions/1", "assertions": [
    ///     {"name": "Servers are uploaded", "uploaded": {"collection": "PS100030"}}]}"#)?;
    /// assert!(matches!(file.assertions.first().map(|a| &a.kind), Some(Kind::Uploaded(_))));
    /// let typo = Assertions::from_json(r#"{"schema": "tenant-attach.assertions/1", "assertions": [
    ///     {"name": "x", "uploaded": {"colection": "PS100030"}}]}"#);
    /// assert!(typo.is_err()); // unknown fields are errors
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`AssertError::Syntax`] for JSON that does not parse into the format (with its line,
    /// column and path), [`AssertError::Input`] naming the assertion for the other checks.
    pub fn from_json(text: &str) -> Result<Assertions, AssertError> {
        super::parse::parse(text)
    }
}
