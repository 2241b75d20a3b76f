//! Reading `tenant-attach.assertions/1`: the wire form (closed objects, every kind optional)
//! and the checks that need no snapshot (one kind per assertion, one bound per `only` and
//! `count`, unique non-empty names).

use serde::Deserialize;

use super::AssertError;
use super::file::{
    Assertion, Assertions, CountBound, Kind, OnlyBound, SCHEMA, Subject, Target, Triple, view,
};
use crate::features::Feature;

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

/// Parses and checks a file ([`Assertions::from_json`]).
pub(super) fn parse(text: &str) -> Result<Assertions, AssertError> {
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
