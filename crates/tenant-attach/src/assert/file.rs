//! The assertions file (`tenant-attach.assertions/1`): its serde model and the checks that
//! need no snapshot (one kind per assertion, one bound per `only` and `count`, unique names).

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

fn view() -> Feature {
    Feature::View
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileWire {
    schema: String,
    assertions: Vec<AssertionWire>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssertionWire {
    name: String,
    allowed: Option<Vec<Triple>>,
    denied: Option<Vec<Triple>>,
    never: Option<NeverWire>,
    only: Option<OnlyWire>,
    count: Option<CountWire>,
    uploaded: Option<Target>,
    not_uploaded: Option<Target>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NeverWire {
    subject: Subject,
    #[serde(default = "view")]
    feature: Feature,
    target: Target,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OnlyWire {
    #[serde(default = "view")]
    feature: Feature,
    target: Target,
    at_most: Option<Subject>,
    at_least: Option<Subject>,
    exactly: Option<Subject>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CountWire {
    #[serde(default = "view")]
    feature: Feature,
    target: Target,
    subject: Option<Subject>,
    users_at_most: Option<u64>,
    users_at_least: Option<u64>,
    devices_at_most: Option<u64>,
    devices_at_least: Option<u64>,
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
    /// Names are resolved against a snapshot by [`crate::assert::assert`].
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
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut de = serde_json::Deserializer::from_str(text);
        let wire: FileWire =
            serde_path_to_error::deserialize(&mut de).map_err(|e| AssertError::Syntax {
                line: e.inner().line(),
                column: e.inner().column(),
                path: format!("$.{}", e.path()),
                message: e.inner().to_string(),
            })?;
        de.end().map_err(|e| AssertError::Syntax {
            line: e.line(),
            column: e.column(),
            path: String::from("$"),
            message: e.to_string(),
        })?;
        if wire.schema != SCHEMA {
            return Err(AssertError::Input {
                assertion: String::new(),
                field: String::from("$.schema"),
                message: format!("unsupported schema `{}`; expected `{SCHEMA}`", wire.schema),
            });
        }
        let mut names = std::collections::BTreeSet::new();
        let mut assertions = Vec::with_capacity(wire.assertions.len());
        for (i, a) in wire.assertions.into_iter().enumerate() {
            let at = format!("$.assertions[{i}]");
            let error = |field: &str, message: &str| AssertError::Input {
                assertion: a.name.clone(),
                field: format!("{at}{field}"),
                message: message.to_owned(),
            };
            if a.name.trim().is_empty() {
                return Err(error(".name", "an assertion needs a non-empty name"));
            }
            if !names.insert(a.name.clone()) {
                return Err(error(".name", "another assertion has this name"));
            }
            let kind = kind_of(&a).map_err(|(field, message)| error(field, message))?;
            assertions.push(Assertion::new(a.name, kind));
        }
        Ok(Assertions { assertions })
    }
}

type Problem = (&'static str, &'static str);

fn kind_of(a: &AssertionWire) -> Result<Kind, Problem> {
    let given = [
        a.allowed.is_some(),
        a.denied.is_some(),
        a.never.is_some(),
        a.only.is_some(),
        a.count.is_some(),
        a.uploaded.is_some(),
        a.not_uploaded.is_some(),
    ];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err((
            "",
            "an assertion takes exactly one of allowed, denied, never, only, count, uploaded, not_uploaded",
        ));
    }
    if let Some(t) = &a.allowed {
        return Ok(Kind::Allowed(t.clone()));
    }
    if let Some(t) = &a.denied {
        return Ok(Kind::Denied(t.clone()));
    }
    if let Some(n) = &a.never {
        return Ok(Kind::Never {
            subject: n.subject.clone(),
            feature: n.feature,
            target: n.target.clone(),
        });
    }
    if let Some(o) = &a.only {
        return only(o);
    }
    if let Some(c) = &a.count {
        return count(c);
    }
    match (&a.uploaded, &a.not_uploaded) {
        (Some(t), _) => Ok(Kind::Uploaded(t.clone())),
        (_, Some(t)) => Ok(Kind::NotUploaded(t.clone())),
        _ => Err(("", "no kind")),
    }
}

fn only(o: &OnlyWire) -> Result<Kind, Problem> {
    let (bound, subject) = match (&o.at_most, &o.at_least, &o.exactly) {
        (Some(s), None, None) => (OnlyBound::AtMost, s),
        (None, Some(s), None) => (OnlyBound::AtLeast, s),
        (None, None, Some(s)) => (OnlyBound::Exactly, s),
        _ => {
            return Err((
                ".only",
                "`only` takes exactly one of at_most, at_least, exactly",
            ));
        }
    };
    Ok(Kind::Only {
        feature: o.feature,
        target: o.target.clone(),
        bound,
        subject: subject.clone(),
    })
}

fn count(c: &CountWire) -> Result<Kind, Problem> {
    let bound = match (
        c.users_at_most,
        c.users_at_least,
        c.devices_at_most,
        c.devices_at_least,
    ) {
        (Some(n), None, None, None) => CountBound::UsersAtMost(n),
        (None, Some(n), None, None) => CountBound::UsersAtLeast(n),
        (None, None, Some(n), None) => CountBound::DevicesAtMost(n),
        (None, None, None, Some(n)) => CountBound::DevicesAtLeast(n),
        _ => {
            return Err((
                ".count",
                "`count` takes exactly one of users_at_most, users_at_least, devices_at_most, devices_at_least",
            ));
        }
    };
    let counts_devices = matches!(
        bound,
        CountBound::DevicesAtMost(_) | CountBound::DevicesAtLeast(_)
    );
    match (counts_devices, c.subject.is_some()) {
        (true, false) => Err((
            ".count",
            "devices_at_most and devices_at_least need a subject",
        )),
        (false, true) => Err((
            ".count.subject",
            "users_at_most and users_at_least count every user; a subject is for devices_at_most or devices_at_least",
        )),
        _ => Ok(Kind::Count {
            feature: c.feature,
            target: c.target.clone(),
            subject: c.subject.clone(),
            bound,
        }),
    }
}
