//! Stage: Intune RBAC (`roleScopeTags`, `roleDefinitions`, `roleAssignments`).

use std::collections::BTreeSet;

use tenant_attach::snapshot::{
    AssignmentScope, DEFAULT_SCOPE_TAG, RoleAssignment, RoleDefinition, ScopeTag,
};

use crate::error::Report;
use crate::exports;
use crate::records::Record;
use crate::stages::directory::Directory;

/// `roleScopeTags` rows → scope tags.
pub(crate) fn scope_tags(records: &[Record], report: &mut Report) -> Vec<ScopeTag> {
    let mut out = Vec::new();
    for r in records {
        let mut errors = Vec::new();
        let id = r.str("", "id", &mut errors);
        let name = r.str(&id.clone().unwrap_or_default(), "displayName", &mut errors);
        report.errors.extend(errors);
        if let (Some(id), Some(name)) = (id, name) {
            out.push(ScopeTag { id, name });
        }
    }
    out
}

/// `roleDefinitions` rows → role definitions: the allowed actions minus the not-allowed ones,
/// legacy `Microsoft.Intune/X/Y` spellings normalised to `Microsoft.Intune_X_Y`.
pub(crate) fn role_definitions(records: &[Record], report: &mut Report) -> Vec<RoleDefinition> {
    let mut out = Vec::new();
    for r in records {
        let Some((id, name)) = r.key_and("id", "displayName", &mut report.errors) else {
            continue;
        };
        let mut allowed = BTreeSet::new();
        let mut denied = BTreeSet::new();
        for field in ["rolePermissions", "permissions"] {
            for p in r.array(field).into_iter().flatten() {
                let Some(p) = r.nested(&p) else { continue };
                for legacy in p.strings("actions") {
                    allowed.insert(legacy.replace('/', "_"));
                }
                for ra in p.array("resourceActions").into_iter().flatten() {
                    let Some(ra) = r.nested(&ra) else { continue };
                    allowed.extend(
                        ra.strings("allowedResourceActions")
                            .into_iter()
                            .map(|a| a.replace('/', "_")),
                    );
                    denied.extend(
                        ra.strings("notAllowedResourceActions")
                            .into_iter()
                            .map(|a| a.replace('/', "_")),
                    );
                }
            }
        }
        out.push(RoleDefinition {
            id,
            name,
            built_in: r
                .opt_bool("isBuiltIn")
                .or_else(|| r.opt_bool("isBuiltInRoleDefinition"))
                .unwrap_or(false),
            permissions: allowed.difference(&denied).cloned().collect(),
        });
    }
    out
}

/// `roleAssignments` rows → role assignments; every reference must resolve.
pub(crate) fn role_assignments(
    records: &[Record],
    definitions: &[RoleDefinition],
    directory: &Directory,
    tags: &[ScopeTag],
    report: &mut Report,
) -> Vec<RoleAssignment> {
    let def_ids: BTreeSet<&str> = definitions.iter().map(|d| d.id.as_str()).collect();
    let tag_ids: BTreeSet<&str> = tags
        .iter()
        .map(|t| t.id.as_str())
        .chain([DEFAULT_SCOPE_TAG])
        .collect();
    let mut out = Vec::new();
    for r in records {
        let mut errors = Vec::new();
        let id = r.str("", "id", &mut errors);
        let key = id.clone().unwrap_or_default();
        let name = r.opt_str("displayName").unwrap_or_else(|| key.clone());
        let role = r
            .get("roleDefinition")
            .and_then(|v| r.nested(v))
            .and_then(|d| d.opt_str("id"))
            .or_else(|| r.opt_str("roleDefinitionId"));
        if role.is_none() {
            errors.push(r.fail(&key, "roleDefinition", "missing: list with `$expand=roleDefinition`, or per role definition (`roleDefinitions/{id}/roleAssignments`) with `roleDefinitionId`"));
        }
        report.errors.extend(errors);
        let (Some(id), Some(role)) = (id, role) else {
            continue;
        };
        if !def_ids.contains(role.as_str()) {
            report.refer(
                &exports::ROLE_DEFINITIONS,
                r.fail(
                    &id,
                    "roleDefinition",
                    format!("role definition `{role}` is not in roleDefinitions.json"),
                ),
            );
        }
        let members = r.strings("members");
        for (i, m) in members.iter().enumerate() {
            if !directory.group_ids.contains(m) {
                report.refer(
                    &exports::GROUPS,
                    r.fail(
                        &id,
                        &format!("members[{i}]"),
                        format!("group `{m}` is not in groups.json"),
                    ),
                );
            }
        }
        let mut scope_groups: BTreeSet<String> = r.strings("resourceScopes").into_iter().collect();
        scope_groups.extend(r.strings("scopeMembers"));
        for g in &scope_groups {
            if !directory.group_ids.contains(g) {
                report.refer(
                    &exports::GROUPS,
                    r.fail(
                        &id,
                        "resourceScopes",
                        format!("scope group `{g}` is not in groups.json"),
                    ),
                );
            }
        }
        let scope_type = r
            .opt_str("scopeType")
            .unwrap_or_else(|| String::from("resourceScope"))
            .to_lowercase();
        let scope = match scope_type.as_str() {
            "alldevices" | "alldevicesandlicensedusers" => AssignmentScope::all_devices(),
            "resourcescope" => AssignmentScope {
                all_devices: None,
                groups: Some(scope_groups.into_iter().collect()),
            },
            // All users: no device is in scope.
            _ => AssignmentScope {
                all_devices: None,
                groups: Some(Vec::new()),
            },
        };
        let tags = r.strings("roleScopeTagIds");
        for t in &tags {
            if !tag_ids.contains(t.as_str()) {
                report.refer(
                    &exports::ROLE_SCOPE_TAGS,
                    r.fail(
                        &id,
                        "roleScopeTagIds",
                        format!("scope tag `{t}` is not in roleScopeTags.json"),
                    ),
                );
            }
        }
        out.push(RoleAssignment {
            id,
            name,
            role,
            members,
            scope,
            scope_tags: tags,
        });
    }
    out
}
