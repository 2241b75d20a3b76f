//! Validation: every input error, configuration error and warning at once, each with its
//! rule id and JSON path.
//!
//! Reference errors cite the rule that uses the reference: a collection reference R-C4, a
//! ConfigMgr role R-G4, an Intune role definition R-I3, a member group R-I2, a scope tag R-I5,
//! a scope group R-I6.

use std::collections::{HashMap, HashSet};

use crate::access::mode::INTUNE_ONLY_SINCE;
use crate::collections::CollectionGraph;
use crate::devices::DeviceIndex;
use crate::error::{Diagnostics, Severity};
use crate::snapshot::{
    AssociationMode, AttachState, Cloud, CollectionType, DEFAULT_SCOPE_TAG, Snapshot,
};
use crate::upload::{Blocked, blocked};

/// Checks a parsed snapshot against the rulebook: every problem, in the order found.
///
/// Input errors (R-C3, R-C4, R-U5, R-S1, dangling references) mean the snapshot does not
/// describe a hierarchy; configuration errors (R-U2, R-H2) mean it cannot work as configured;
/// warnings (R-M1, R-H5) never change an answer.
///
/// ```
/// let snapshot = tenant_attach::Snapshot::from_json(tenant_attach::sample::CONTOSO).unwrap();
/// let diagnostics = tenant_attach::validate(&snapshot);
/// assert!(!diagnostics.has_input_errors());
/// ```
pub fn validate(snapshot: &Snapshot) -> Diagnostics {
    resolve(snapshot).diagnostics
}

/// Parses and validates snapshot text: a parse error becomes the one input error.
///
/// ```
/// let text = tenant_attach::sample::CONTOSO.replace("snapshot/1", "snapshot/9");
/// let d = tenant_attach::validate_json(&text);
/// let first = d.errors().next().expect("an input error");
/// assert_eq!((first.rule(), first.path()), ("schema", "$.schema"));
/// ```
pub fn validate_json(text: &str) -> Diagnostics {
    match Snapshot::from_json(text) {
        Ok(snapshot) => validate(&snapshot),
        Err(e) => Diagnostics::from_load_error(&e),
    }
}

/// What validation built on the way, reused by the engine.
pub(crate) struct Resolved {
    pub(crate) diagnostics: Diagnostics,
    pub(crate) devices: DeviceIndex,
    pub(crate) graph: CollectionGraph,
}

pub(crate) fn resolve(s: &Snapshot) -> Resolved {
    let mut d = Diagnostics::default();
    let devices = DeviceIndex::build(&s.devices, &mut d);
    let graph = CollectionGraph::build(&s.collections, &devices, &mut d);
    check_upload(s, &graph, &mut d);
    check_hierarchy(s, &mut d);
    let tags = check_intune_tags(s, &mut d);
    check_devices(s, &tags, &mut d);
    check_configmgr(s, &graph, &mut d);
    check_entra_and_intune(s, &tags, &mut d);
    crate::names::check(s, &mut d);
    check_unlicensed_members(s, &mut d);
    Resolved {
        diagnostics: d,
        devices,
        graph,
    }
}

fn check_upload(s: &Snapshot, graph: &CollectionGraph, d: &mut Diagnostics) {
    let upload = &s.hierarchy.attach.upload;
    let path = "$.hierarchy.attach.upload";
    match (upload.all_devices, &upload.collection) {
        (Some(true), None) => {}
        (None, Some(id)) => match graph.find(id) {
            None => d.input(
                "R-U5",
                format!("{path}.collection"),
                format!("the upload collection `{id}` does not exist"),
            ),
            Some(c) => {
                let kind = s.collections.get(c.index() as usize).map(|c| c.kind);
                if kind != Some(CollectionType::Device) {
                    d.input(
                        "R-U5",
                        format!("{path}.collection"),
                        format!("the upload collection `{id}` is a user collection; only a device collection can be uploaded"),
                    );
                }
            }
        },
        _ => d.input(
            "R-U5",
            path,
            "the upload setting must be either `{\"all_devices\": true}` or `{\"collection\": ID}`",
        ),
    }
}

fn check_hierarchy(s: &Snapshot, d: &mut Diagnostics) {
    let h = &s.hierarchy;
    match blocked(h) {
        Some(Blocked::China) => d.push(
            Severity::ConfigurationError,
            "R-U2",
            "$.hierarchy.cloud",
            "device upload can't be enabled for Azure China cloud: nothing is uploaded",
        ),
        Some(Blocked::VersionTooOld { needs }) => d.push(
            Severity::ConfigurationError,
            "R-H2",
            "$.hierarchy.version",
            format!(
                "version {} does not support tenant attach on the `{}` cloud (needs {needs} or later): nothing is uploaded",
                h.version,
                cloud_name(h.cloud)
            ),
        ),
        Some(Blocked::NotAttached) | None => {}
    }
    if h.cloud == Cloud::China && h.attach.endpoint_analytics {
        d.push(
            Severity::ConfigurationError,
            "R-H2",
            "$.hierarchy.attach.endpoint_analytics",
            "Endpoint analytics can't be enabled for Azure China cloud",
        );
    }
    if h.version < INTUNE_ONLY_SINCE && !h.attach.enforce_configmgr_rbac {
        d.push(
            Severity::Warning,
            "R-M1",
            "$.hierarchy.attach.enforce_configmgr_rbac",
            format!(
                "version {} predates {INTUNE_ONLY_SINCE}, which added the option to clear *Enforce Configuration Manager RBAC*: the setting is ignored and ConfigMgr RBAC is enforced",
                h.version
            ),
        );
    }
    if h.attach.state == AttachState::Attached && h.attach.endpoint_analytics {
        d.push(
            Severity::Warning,
            "R-H5",
            "$.hierarchy.attach.endpoint_analytics",
            "Endpoint analytics upload changes the default client settings; custom client settings may need redeploying",
        );
    }
}

fn cloud_name(c: Cloud) -> &'static str {
    match c {
        Cloud::Public => "public",
        Cloud::UsGovernment => "us_government",
        Cloud::China => "china",
    }
}

/// Scope tag ids, with duplicates reported (R-I5); Default is always known.
fn check_intune_tags<'a>(s: &'a Snapshot, d: &mut Diagnostics) -> HashSet<&'a str> {
    let mut tags = HashSet::from([DEFAULT_SCOPE_TAG]);
    let mut listed = HashSet::new();
    for (i, t) in s.intune.scope_tags.iter().enumerate() {
        if !listed.insert(t.id.as_str()) {
            d.input(
                "R-I5",
                format!("$.intune.scope_tags[{i}].id"),
                format!("scope tag id `{}` is used by more than one scope tag", t.id),
            );
        }
        tags.insert(t.id.as_str());
    }
    tags
}

fn check_devices(s: &Snapshot, tags: &HashSet<&str>, d: &mut Diagnostics) {
    let groups: HashSet<&str> = s.entra.groups.iter().map(|g| g.id.as_str()).collect();
    for (i, dev) in s.devices.iter().enumerate() {
        for (t, tag) in dev.scope_tags.iter().enumerate() {
            let path = format!("$.devices[{i}].scope_tags[{t}]");
            if !dev.co_managed && tag != DEFAULT_SCOPE_TAG {
                d.input(
                    "R-S1",
                    path,
                    format!(
                        "tenant-attached device `{}` carries scope tag `{tag}`; a device that is not co-managed carries only the Default tag (`0`)",
                        dev.name
                    ),
                );
            } else if !tags.contains(tag.as_str()) {
                d.input(
                    "R-S1",
                    path,
                    format!("device `{}` carries scope tag `{tag}`, which is not in $.intune.scope_tags", dev.name),
                );
            }
        }
        for (g, group) in dev.scope_groups.iter().enumerate() {
            if !groups.contains(group.as_str()) {
                d.input(
                    "R-I6",
                    format!("$.devices[{i}].scope_groups[{g}]"),
                    format!(
                        "device `{}` is in group `{group}`, which is not in $.entra.groups",
                        dev.name
                    ),
                );
            }
        }
    }
}

fn check_configmgr(s: &Snapshot, graph: &CollectionGraph, d: &mut Diagnostics) {
    let mut roles = HashSet::new();
    for (i, r) in s.configmgr.roles.iter().enumerate() {
        if !roles.insert(r.id.as_str()) {
            d.input(
                "R-G4",
                format!("$.configmgr.roles[{i}].id"),
                format!("security role id `{}` is used by more than one role", r.id),
            );
        }
    }
    let mut scripts = HashSet::new();
    for (i, x) in s.configmgr.scripts.iter().flatten().enumerate() {
        if !scripts.insert(x.id.to_lowercase()) {
            d.input(
                "R-G7",
                format!("$.configmgr.scripts[{i}].id"),
                format!("script id `{}` is used by more than one script", x.id),
            );
        }
    }
    let mut admins = HashSet::new();
    let role_exists = |id: &str| roles.contains(id);
    for (i, a) in s.configmgr.admins.iter().enumerate() {
        let here = format!("$.configmgr.admins[{i}]");
        if !admins.insert(a.id) {
            d.input(
                "R-G3",
                format!("{here}.id"),
                format!("administrative user id `{}` is used more than once", a.id),
            );
        }
        let check_role = |r: &str, path: String, d: &mut Diagnostics| {
            if !role_exists(r) {
                d.input(
                    "R-G4",
                    path,
                    format!("administrative user `{}` is assigned security role `{r}`, which is not in $.configmgr.roles", a.account),
                );
            }
        };
        let check_collection = |c: &str, path: String, d: &mut Diagnostics| {
            if graph.find(c).is_none() {
                d.input(
                    "R-C4",
                    path,
                    format!("administrative user `{}` is assigned collection `{c}`, which does not exist", a.account),
                );
            }
        };
        for (r, role) in a.roles.iter().enumerate() {
            check_role(role, format!("{here}.roles[{r}]"), d);
        }
        for (c, coll) in a.collections.iter().enumerate() {
            check_collection(coll, format!("{here}.collections[{c}]"), d);
        }
        for (k, assoc) in a.associations.iter().enumerate() {
            check_role(&assoc.role, format!("{here}.associations[{k}].role"), d);
            for (c, coll) in assoc.collections.iter().enumerate() {
                check_collection(
                    coll,
                    format!("{here}.associations[{k}].collections[{c}]"),
                    d,
                );
            }
        }
        if a.association_mode == AssociationMode::CrossProduct && !a.associations.is_empty() {
            d.push(
                Severity::Warning,
                "R-G4",
                format!("{here}.associations"),
                format!(
                    "administrative user `{}` uses cross-product associations: its `associations` list is ignored",
                    a.account
                ),
            );
        }
    }
}

fn check_entra_and_intune(s: &Snapshot, tags: &HashSet<&str>, d: &mut Diagnostics) {
    let mut users = HashSet::new();
    let mut upns: HashMap<String, usize> = HashMap::new();
    for (i, u) in s.entra.users.iter().enumerate() {
        if !users.insert(u.id.as_str()) {
            d.input(
                "R-I2",
                format!("$.entra.users[{i}].id"),
                format!("user id `{}` is used by more than one user", u.id),
            );
        }
        if upns.insert(u.upn.to_lowercase(), i).is_some() {
            d.input(
                "R-I2",
                format!("$.entra.users[{i}].upn"),
                format!("UPN `{}` is used by more than one user", u.upn),
            );
        }
    }
    let mut groups = HashSet::new();
    for (i, g) in s.entra.groups.iter().enumerate() {
        if !groups.insert(g.id.as_str()) || users.contains(g.id.as_str()) {
            d.input(
                "R-I2",
                format!("$.entra.groups[{i}].id"),
                format!("group id `{}` is used by more than one user or group", g.id),
            );
        }
    }
    for (i, g) in s.entra.groups.iter().enumerate() {
        for (m, member) in g.members.iter().enumerate() {
            if !users.contains(member.as_str()) && !groups.contains(member.as_str()) {
                d.input(
                    "R-I2",
                    format!("$.entra.groups[{i}].members[{m}]"),
                    format!("group `{}` has member `{member}`, which is neither in $.entra.users nor in $.entra.groups", g.name),
                );
            }
        }
    }
    let mut defs = HashSet::new();
    for (i, r) in s.intune.role_definitions.iter().enumerate() {
        if !defs.insert(r.id.as_str()) {
            d.input(
                "R-I3",
                format!("$.intune.role_definitions[{i}].id"),
                format!(
                    "role definition id `{}` is used by more than one role",
                    r.id
                ),
            );
        }
    }
    let mut assignments = HashSet::new();
    for (i, a) in s.intune.role_assignments.iter().enumerate() {
        let here = format!("$.intune.role_assignments[{i}]");
        if !assignments.insert(a.id.as_str()) {
            d.input(
                "R-I2",
                format!("{here}.id"),
                format!("role assignment id `{}` is used more than once", a.id),
            );
        }
        if !defs.contains(a.role.as_str()) {
            d.input(
                "R-I3",
                format!("{here}.role"),
                format!("role assignment `{}` uses role definition `{}`, which is not in $.intune.role_definitions", a.name, a.role),
            );
        }
        for (m, member) in a.members.iter().enumerate() {
            if !groups.contains(member.as_str()) {
                d.input(
                    "R-I2",
                    format!("{here}.members[{m}]"),
                    format!("role assignment `{}` has member `{member}`, which is not a group in $.entra.groups", a.name),
                );
            }
        }
        match (a.scope.all_devices, &a.scope.groups) {
            (Some(true), None) => {}
            (None, Some(gs)) => {
                for (g, group) in gs.iter().enumerate() {
                    if !groups.contains(group.as_str()) {
                        d.input(
                            "R-I6",
                            format!("{here}.scope.groups[{g}]"),
                            format!("role assignment `{}` is scoped to group `{group}`, which is not in $.entra.groups", a.name),
                        );
                    }
                }
            }
            _ => d.input(
                "R-I6",
                format!("{here}.scope"),
                format!(
                    "the scope of role assignment `{}` must be either `{{\"all_devices\": true}}` or `{{\"groups\": [IDs]}}`",
                    a.name
                ),
            ),
        }
        for (t, tag) in a.scope_tags.iter().enumerate() {
            if !tags.contains(tag.as_str()) {
                d.input(
                    "R-I5",
                    format!("{here}.scope_tags[{t}]"),
                    format!("role assignment `{}` carries scope tag `{tag}`, which is not in $.intune.scope_tags", a.name),
                );
            }
        }
    }
}

/// R-I8 (rulebook 3): "You are limited to 350 unlicensed direct members for each AAD security
/// group in a role assignment": a warning for each member group of an assignment past the
/// limit while unlicensed admins are allowed (a user whose licence is not given counts as
/// `policy.licence_unknown` reads it).
fn check_unlicensed_members(s: &Snapshot, d: &mut Diagnostics) {
    if !s.tenant.unlicensed_admins {
        return;
    }
    let unknown_unlicensed =
        s.policy.licence_unknown == crate::snapshot::LicenceUnknown::Unlicensed;
    let unlicensed: HashSet<&str> = s
        .entra
        .users
        .iter()
        .filter(|u| !u.intune_licensed.unwrap_or(!unknown_unlicensed))
        .map(|u| u.id.as_str())
        .collect();
    let in_assignment: HashSet<&str> = s
        .intune
        .role_assignments
        .iter()
        .flat_map(|a| a.members.iter().map(String::as_str))
        .collect();
    for (i, g) in s.entra.groups.iter().enumerate() {
        if !in_assignment.contains(g.id.as_str()) {
            continue;
        }
        let count = g
            .members
            .iter()
            .filter(|m| unlicensed.contains(m.as_str()))
            .count();
        if count > UNLICENSED_DIRECT_MEMBERS_MAX {
            d.push(
                Severity::Warning,
                "R-I8",
                format!("$.entra.groups[{i}].members"),
                format!(
                    "group `{}` of a role assignment has {count} unlicensed direct members; Intune allows at most {UNLICENSED_DIRECT_MEMBERS_MAX} per group while unlicensed admins are allowed",
                    g.name
                ),
            );
        }
    }
}

/// R-I8: Microsoft's limit of unlicensed direct members per group of a role assignment.
pub const UNLICENSED_DIRECT_MEMBERS_MAX: usize = 350;
