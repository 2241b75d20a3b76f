//! Names that identify: ids that must not be empty, and names that are another object's id.
//!
//! Users are looked up by UPN or Entra id, devices by resource id or name. A text that is the
//! UPN of one user and the id of another (or a device name that is another device's resource
//! id, as text) names two objects: the lookup refuses it, listing both, rather than guess
//! (before, the id won silently), and validation warns about such a snapshot.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::error::{Diagnostics, NAMES_RULE, SCHEMA_RULE, Severity};
use crate::snapshot::Snapshot;

/// Lookup tables an engine builds on first use, shared with its what-if siblings.
#[derive(Debug, Default)]
pub(crate) struct Lookups {
    /// Lowercase device name → device numbers (built on the first lookup by name).
    pub(crate) device_names: OnceLock<HashMap<String, Vec<u32>>>,
    /// Device names that are a number → the devices with that name, by position in
    /// `$.devices` (usually empty).
    pub(crate) numeric_device_names: OnceLock<HashMap<u32, Vec<usize>>>,
    /// An Entra id that is also another user's UPN → the users it names, by position in
    /// `$.entra.users` (usually empty).
    pub(crate) ambiguous_user_ids: OnceLock<HashMap<String, Vec<usize>>>,
}

/// Device names that are a number, by that number.
pub(crate) fn numeric_device_names(s: &Snapshot) -> HashMap<u32, Vec<usize>> {
    let mut out: HashMap<u32, Vec<usize>> = HashMap::new();
    for (pos, d) in s.devices.iter().enumerate() {
        if let Ok(n) = d.name.parse::<u32>() {
            out.entry(n).or_default().push(pos);
        }
    }
    out
}

/// Entra ids that are also the UPN (compared as UPNs are, case-insensitively) of another
/// user: id → every user it names (the id's own first, then by position).
pub(crate) fn ambiguous_user_ids(s: &Snapshot) -> HashMap<String, Vec<usize>> {
    let users = &s.entra.users;
    let mut by_upn: HashMap<String, Vec<usize>> = HashMap::new();
    for (pos, u) in users.iter().enumerate() {
        by_upn.entry(u.upn.to_lowercase()).or_default().push(pos);
    }
    let mut out: HashMap<String, Vec<usize>> = HashMap::new();
    for (pos, u) in users.iter().enumerate() {
        if let Some(others) = by_upn.get(&u.id.to_lowercase())
            && others.iter().any(|o| *o != pos)
        {
            let named = out.entry(u.id.clone()).or_default();
            if !named.contains(&pos) {
                named.push(pos);
            }
            named.extend(others.iter().filter(|o| **o != pos));
        }
    }
    out
}

/// Input errors for empty ids, warnings for names that are another object's id.
pub(crate) fn check(s: &Snapshot, d: &mut Diagnostics) {
    check_empty_ids(s, d);
    for (id, users) in ambiguous_user_ids(s) {
        for &other in users.iter().skip(1) {
            let first = users.first().copied().unwrap_or_default();
            d.push(
                Severity::Warning,
                NAMES_RULE,
                format!("$.entra.users[{other}].upn"),
                format!("the UPN `{id}` is also the Entra id of `$.entra.users[{first}]`: looking it up is ambiguous (an error listing both)"),
            );
        }
    }
    let by_id: HashMap<u32, usize> = s
        .devices
        .iter()
        .enumerate()
        .map(|(pos, d)| (d.resource_id, pos))
        .collect();
    let mut numeric: Vec<(u32, Vec<usize>)> = numeric_device_names(s).into_iter().collect();
    numeric.sort_unstable();
    for (n, named) in numeric {
        let Some(&owner) = by_id.get(&n) else {
            continue;
        };
        for pos in named.into_iter().filter(|p| *p != owner) {
            d.push(
                Severity::Warning,
                NAMES_RULE,
                format!("$.devices[{pos}].name"),
                format!("the device name `{n}` is also the resource id of `$.devices[{owner}]`: looking it up is ambiguous (an error listing both)"),
            );
        }
    }
}

/// Every id of the contract must be non-empty: an empty id cannot be referred to, and
/// matches every other empty reference.
fn check_empty_ids(s: &Snapshot, d: &mut Diagnostics) {
    let mut empty = |path: String| {
        d.input(SCHEMA_RULE, path, "an id must not be empty");
    };
    let lists: [(&str, Vec<&str>); 8] = [
        (
            "$.collections",
            s.collections.iter().map(|c| c.id.as_str()).collect(),
        ),
        (
            "$.configmgr.roles",
            s.configmgr.roles.iter().map(|r| r.id.as_str()).collect(),
        ),
        (
            "$.configmgr.scripts",
            s.configmgr
                .scripts
                .iter()
                .flatten()
                .map(|x| x.id.as_str())
                .collect(),
        ),
        (
            "$.entra.users",
            s.entra.users.iter().map(|u| u.id.as_str()).collect(),
        ),
        (
            "$.entra.groups",
            s.entra.groups.iter().map(|g| g.id.as_str()).collect(),
        ),
        (
            "$.intune.scope_tags",
            s.intune.scope_tags.iter().map(|t| t.id.as_str()).collect(),
        ),
        (
            "$.intune.role_definitions",
            s.intune
                .role_definitions
                .iter()
                .map(|r| r.id.as_str())
                .collect(),
        ),
        (
            "$.intune.role_assignments",
            s.intune
                .role_assignments
                .iter()
                .map(|a| a.id.as_str())
                .collect(),
        ),
    ];
    for (list, ids) in lists {
        for (i, id) in ids.iter().enumerate() {
            if id.trim().is_empty() {
                empty(format!("{list}[{i}].id"));
            }
        }
    }
    for (i, u) in s.entra.users.iter().enumerate() {
        if u.upn.trim().is_empty() {
            empty(format!("$.entra.users[{i}].upn"));
        }
    }
}
