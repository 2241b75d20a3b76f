//! Stage: the directory (`users`, `groups`, `directoryRoles`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use tenant_attach::snapshot::{DirectoryRole, EntraGroup, EntraUser};

use crate::constants::{
    GLOBAL_ADMINISTRATOR_TEMPLATE, GLOBAL_READER_TEMPLATE, GRAPH_EXPAND_CAP,
    HELPDESK_ADMINISTRATOR_TEMPLATE, INTUNE_ADMINISTRATOR_TEMPLATE, INTUNE_O365_PLAN,
    INTUNE_PLAN_SERVICE, PLAN_ENABLED, SECURITY_ADMINISTRATOR_TEMPLATE, SECURITY_OPERATOR_TEMPLATE,
    SECURITY_READER_TEMPLATE,
};
use crate::error::Report;
use crate::exports;
use crate::records::Record;

/// Entra users and groups.
#[derive(Debug, Default)]
pub(crate) struct Directory {
    pub users: Vec<EntraUser>,
    pub groups: Vec<EntraGroup>,
    pub group_ids: BTreeSet<String>,
}

/// `users`, `groups` and `directoryRoles` rows → Entra users (with their synced group SIDs and
/// directory roles) and groups.
pub(crate) fn directory(
    users_raw: &[Record],
    groups_raw: &[Record],
    roles_raw: &[Record],
    report: &mut Report,
) -> Directory {
    let mut users = Vec::new();
    for r in users_raw {
        if let Some((id, upn)) = r.key_and("id", "userPrincipalName", &mut report.errors) {
            users.push(EntraUser {
                id,
                upn,
                on_premises_sid: r.opt_str("onPremisesSecurityIdentifier"),
                on_premises_group_sids: Vec::new(),
                directory_roles: Vec::new(),
                intune_licensed: intune_licensed(r, report),
            });
        }
    }
    let user_ids: BTreeSet<String> = users.iter().map(|u| u.id.clone()).collect();
    let group_ids: BTreeSet<String> = groups_raw.iter().filter_map(|r| r.opt_str("id")).collect();
    let mut groups = Vec::new();
    let mut group_sids: BTreeMap<String, String> = BTreeMap::new();
    for r in groups_raw {
        let Some((id, name)) = r.key_and("id", "displayName", &mut report.errors) else {
            continue;
        };
        let list = r
            .array("members")
            .or_else(|| r.array("transitiveMembers"))
            .unwrap_or_default();
        if list.len() == GRAPH_EXPAND_CAP {
            report.warn(format!("{}: group `{name}` has exactly {GRAPH_EXPAND_CAP} members: if they came from `$expand=members`, Graph truncated the list (export /groups/{{id}}/members instead)", r.file));
        }
        let mut members = Vec::new();
        for (i, m) in list.iter().enumerate() {
            let Some(m) = r.nested(m) else { continue };
            let t = m.opt_str("@odata.type").unwrap_or_default().to_lowercase();
            let Some(mid) = m.opt_str("id") else { continue };
            let is_user = t.ends_with("user") || (t.is_empty() && user_ids.contains(&mid));
            let is_group = t.ends_with("group") || (t.is_empty() && group_ids.contains(&mid));
            let (known, what, export) = if is_user {
                (user_ids.contains(&mid), "user", &exports::USERS)
            } else if is_group {
                (group_ids.contains(&mid), "group", &exports::GROUPS)
            } else {
                continue; // devices, service principals, contacts: not administrators
            };
            if known {
                members.push(mid);
            } else {
                report.refer(
                    export,
                    r.fail(
                        &name,
                        &format!("members[{i}]"),
                        format!("{what} `{mid}` is not in {}.json", export.name),
                    ),
                );
            }
        }
        if let Some(sid) = r.opt_str("onPremisesSecurityIdentifier") {
            group_sids.insert(id.clone(), sid);
        }
        groups.push(EntraGroup { id, name, members });
    }
    group_sid_closure(&mut users, &groups, &group_sids);
    directory_roles(&mut users, &groups, roles_raw);
    Directory {
        users,
        groups,
        group_ids,
    }
}

/// R-I8: whether `assignedPlans` holds an Intune plan in force (service `SCO`, `Enabled`, not
/// `INTUNE_O365`); `None` when the export has no `assignedPlans` (never guessed).
fn intune_licensed(r: &Record, report: &mut Report) -> Option<bool> {
    let key = r.opt_str("userPrincipalName").unwrap_or_default();
    let plans = match r.lazy_array(&key, "assignedPlans") {
        Ok(p) => p?,
        Err(e) => {
            report.error(e);
            return None;
        }
    };
    Some(plans.iter().filter_map(|p| r.nested(p)).any(|p| {
        let is = |field: &str, want: &str| {
            p.opt_str(field)
                .is_some_and(|v| v.trim().eq_ignore_ascii_case(want))
        };
        is("service", INTUNE_PLAN_SERVICE)
            && is("capabilityStatus", PLAN_ENABLED)
            && !is("servicePlanId", INTUNE_O365_PLAN)
    }))
}

/// A user's on-premises group SIDs: the synced groups holding the user, through nesting.
fn group_sid_closure(
    users: &mut [EntraUser],
    groups: &[EntraGroup],
    group_sids: &BTreeMap<String, String>,
) {
    let mut parents: HashMap<&str, Vec<&str>> = HashMap::new();
    for g in groups {
        for m in &g.members {
            parents.entry(m.as_str()).or_default().push(g.id.as_str());
        }
    }
    for u in users {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut stack: Vec<&str> = parents.get(u.id.as_str()).cloned().unwrap_or_default();
        while let Some(g) = stack.pop() {
            if seen.insert(g) {
                stack.extend(parents.get(g).cloned().unwrap_or_default());
            }
        }
        u.on_premises_group_sids = seen
            .iter()
            .filter_map(|g| group_sids.get(*g).cloned())
            .collect();
    }
}

/// Directory roles, keyed on `roleTemplateId` (or a unified assignment's `roleDefinitionId`);
/// role-assignable groups expanded one level.
fn directory_roles(users: &mut [EntraUser], groups: &[EntraGroup], roles_raw: &[Record]) {
    for r in roles_raw {
        let template = r
            .opt_str("roleTemplateId")
            .or_else(|| r.opt_str("roleDefinitionId"))
            .unwrap_or_default()
            .to_lowercase();
        let role = match template.as_str() {
            GLOBAL_ADMINISTRATOR_TEMPLATE => DirectoryRole::GlobalAdministrator,
            INTUNE_ADMINISTRATOR_TEMPLATE => DirectoryRole::IntuneAdministrator,
            GLOBAL_READER_TEMPLATE => DirectoryRole::GlobalReader,
            SECURITY_READER_TEMPLATE => DirectoryRole::SecurityReader,
            SECURITY_OPERATOR_TEMPLATE => DirectoryRole::SecurityOperator,
            SECURITY_ADMINISTRATOR_TEMPLATE => DirectoryRole::SecurityAdministrator,
            HELPDESK_ADMINISTRATOR_TEMPLATE => DirectoryRole::HelpdeskAdministrator,
            _ => continue,
        };
        let mut principals: Vec<String> = r
            .array("members")
            .into_iter()
            .flatten()
            .filter_map(|m| r.nested(&m).and_then(|m| m.opt_str("id")))
            .collect();
        principals.extend(r.opt_str("principalId"));
        for p in principals {
            let holders: Vec<String> = match groups.iter().find(|g| g.id == p) {
                Some(g) => g.members.clone(),
                None => vec![p],
            };
            for h in holders {
                if let Some(u) = users.iter_mut().find(|u| u.id == h)
                    && !u.directory_roles.contains(&role)
                {
                    u.directory_roles.push(role);
                }
            }
        }
    }
}
