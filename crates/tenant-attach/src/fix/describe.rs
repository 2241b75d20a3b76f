//! An [`Op`] in words: the step an admin follows, naming the objects as the consoles show
//! them, with the edit's kind, target and rule.

use super::vocabulary::{Edit, Op};
use crate::snapshot::{DiscoveryAgent, Snapshot};

/// The name of the item whose id is `id`, as the consoles show it; the id itself if none is.
fn named<'s, T>(
    items: &'s [T],
    id: &'s str,
    key: impl Fn(&T) -> &str,
    name: impl Fn(&'s T) -> &'s String,
) -> &'s str {
    items
        .iter()
        .find(|x| key(x) == id)
        .map_or(id, |x| name(x).as_str())
}

fn group_name<'s>(s: &'s Snapshot, id: &'s str) -> &'s str {
    named(&s.entra.groups, id, |x| &x.id, |x| &x.name)
}

fn upn<'s>(s: &'s Snapshot, id: &'s str) -> &'s str {
    named(&s.entra.users, id, |x| &x.id, |x| &x.upn)
}

fn device_name(s: &Snapshot, rid: u32) -> String {
    s.devices
        .iter()
        .find(|d| d.resource_id == rid)
        .map_or_else(|| rid.to_string(), |d| d.name.clone())
}

fn collection_name<'s>(s: &'s Snapshot, id: &'s str) -> &'s str {
    named(&s.collections, id, |x| &x.id, |x| &x.name)
}

fn cm_role_name<'s>(s: &'s Snapshot, id: &'s str) -> &'s str {
    named(&s.configmgr.roles, id, |x| &x.id, |x| &x.name)
}

fn admin_account(s: &Snapshot, id: u32) -> String {
    s.configmgr
        .admins
        .iter()
        .find(|a| a.id == id)
        .map_or_else(|| id.to_string(), |a| a.account.clone())
}

/// Assignments whose member groups include `group`, by name (for the step's context).
fn assignments_of_group(s: &Snapshot, group: &str) -> String {
    let names: Vec<String> = s
        .intune
        .role_assignments
        .iter()
        .filter(|a| a.members.iter().any(|m| m == group))
        .map(|a| format!("`{}`", a.name))
        .collect();
    names.join(", ")
}

fn tag_name<'s>(s: &'s Snapshot, id: &'s str) -> &'s str {
    s.intune
        .scope_tags
        .iter()
        .find(|t| t.id == id)
        .map_or(if id == "0" { "Default" } else { id }, |t| t.name.as_str())
}

fn agent_name(a: DiscoveryAgent) -> &'static str {
    match a {
        DiscoveryAgent::Ad => "Active Directory User Discovery",
        DiscoveryAgent::Entra => "Microsoft Entra user discovery",
    }
}

impl Op {
    /// The edit as shown, naming the objects of `s` (the snapshot before the change).
    pub(crate) fn describe(&self, s: &Snapshot) -> Edit {
        let edit = |kind, target: String, rule, detail: String| Edit {
            detail,
            kind,
            rule,
            infrastructure: false,
            target,
        };
        match self {
            Op::GroupMember { group, user } => edit(
                "intune_group_member",
                group.clone(),
                "R-I2",
                format!(
                    "Entra admin center > Groups > `{}` > Members: add `{}` directly (member group of assignment {})",
                    group_name(s, group),
                    upn(s, user),
                    assignments_of_group(s, group)
                ),
            ),
            Op::RolePermission { role, permission } => {
                let name = s
                    .intune
                    .role_definitions
                    .iter()
                    .find(|r| &r.id == role)
                    .map_or(role.as_str(), |r| r.name.as_str());
                let short = permission
                    .strip_prefix(crate::features::INTUNE_PREFIX)
                    .unwrap_or(permission);
                edit(
                    "intune_role_permission",
                    role.clone(),
                    "R-I3",
                    format!(
                        "Intune admin center > Tenant administration > Roles > `{name}` > Properties > Permissions: allow `{short}` ({permission})"
                    ),
                )
            }
            Op::AssignmentTag { assignment, tag } => {
                let name = s
                    .intune
                    .role_assignments
                    .iter()
                    .find(|a| &a.id == assignment)
                    .map_or(assignment.as_str(), |a| a.name.as_str());
                edit(
                    "intune_assignment_scope_tag",
                    assignment.clone(),
                    "R-I5",
                    format!(
                        "Intune admin center > Tenant administration > Roles > assignment `{name}` > Scope tags: add `{}`",
                        tag_name(s, tag)
                    ),
                )
            }
            Op::ScopeGroup { group, resource_id } => edit(
                "intune_scope_group_member",
                group.clone(),
                "R-I6",
                format!(
                    "Entra admin center > Groups > `{}` > Members: add the device `{}` (a scope group of {})",
                    group_name(s, group),
                    device_name(s, *resource_id),
                    scope_group_assignments(s, group)
                ),
            ),
            Op::Licence { user } => edit(
                "intune_licence",
                user.clone(),
                "R-I8",
                format!(
                    "Microsoft 365 admin center > Users > `{}` > Licenses: assign a licence that includes Intune",
                    upn(s, user)
                ),
            ),
            Op::AdGroup { admin, user } => edit(
                "ad_group_member",
                admin.to_string(),
                "R-G3",
                format!(
                    "Active Directory Users and Computers: add `{}` to the group `{}` (a ConfigMgr administrative user), then let Entra Connect sync",
                    upn(s, user),
                    admin_account(s, *admin)
                ),
            ),
            Op::RoleOperation { role, op } => edit(
                "configmgr_role_operation",
                role.clone(),
                "R-G4",
                format!(
                    "ConfigMgr console > Administration > Security > Security Roles > `{}` > Properties > Permissions > Collection: allow `{}`",
                    cm_role_name(s, role),
                    op.display_name()
                ),
            ),
            Op::RoleClassOperation { role, class, op } => edit(
                "configmgr_role_class_operation",
                role.clone(),
                "R-G6",
                format!(
                    "ConfigMgr console > Administration > Security > Security Roles > `{}` > Properties > Permissions > {}: allow `{}`",
                    cm_role_name(s, role),
                    class.display_name(),
                    op.display_name()
                ),
            ),
            Op::AdminCollection {
                admin,
                role,
                collection,
            } => {
                let with = match role {
                    Some(r) => format!(" associated with the role `{}`", cm_role_name(s, r)),
                    None => String::new(),
                };
                edit(
                    "configmgr_admin_collection",
                    admin.to_string(),
                    "R-G4",
                    format!(
                        "ConfigMgr console > Administration > Security > Administrative Users > `{}` > Properties > Security Scopes: add the collection `{}` ({collection}){with}",
                        admin_account(s, *admin),
                        collection_name(s, collection)
                    ),
                )
            }
            Op::DeviceToCollection {
                collection,
                resource_id,
            } => edit(
                "configmgr_collection_member",
                collection.clone(),
                "R-C1",
                format!(
                    "ConfigMgr console > Assets and Compliance > Device Collections > `{}` ({collection}) > Properties > Membership Rules: add a direct rule for `{}`",
                    collection_name(s, collection),
                    device_name(s, *resource_id)
                ),
            ),
            Op::Discovery { sid, agent } => edit(
                "configmgr_user_discovery",
                sid.clone(),
                "R-G2",
                format!(
                    "ConfigMgr console > Administration > Hierarchy Configuration > Discovery Methods: have {} find `{}` ({sid}; include its container or group, run a full discovery)",
                    agent_name(*agent),
                    s.entra
                        .users
                        .iter()
                        .find(|u| u
                            .on_premises_sid
                            .as_deref()
                            .is_some_and(|x| x.eq_ignore_ascii_case(sid)))
                        .map_or(sid.as_str(), |u| u.upn.as_str())
                ),
            ),
            Op::UploadDevice {
                collection,
                resource_id,
            } => Edit {
                infrastructure: true,
                ..edit(
                    "upload_device",
                    collection.clone(),
                    "R-U4",
                    format!(
                        "ConfigMgr console > Assets and Compliance > Device Collections > `{}` ({collection}, the upload collection) > Membership Rules: add a direct rule for `{}`",
                        collection_name(s, collection),
                        device_name(s, *resource_id)
                    ),
                )
            },
            Op::UpgradeSite { version } => Edit {
                infrastructure: true,
                ..edit(
                    "upgrade_site",
                    s.hierarchy.site_code.clone(),
                    "R-F3",
                    format!(
                        "ConfigMgr console > Administration > Updates and Servicing: upgrade the site `{}` from {} to {version} or later",
                        s.hierarchy.site_code, s.hierarchy.version
                    ),
                )
            },
            Op::ScriptsFeature => Edit {
                infrastructure: true,
                ..edit(
                    "enable_scripts_feature",
                    s.hierarchy.site_code.clone(),
                    "R-F3",
                    String::from(
                        "ConfigMgr console > Administration > Updates and Servicing > Features: turn on `Create and run scripts`",
                    ),
                )
            },
            Op::UpgradeClient {
                resource_id,
                version,
            } => Edit {
                infrastructure: true,
                ..edit(
                    "upgrade_client",
                    resource_id.to_string(),
                    "R-F5",
                    format!(
                        "upgrade the ConfigMgr client of `{}` to {version} or later (client upgrade, or Client Notification > Upgrade client)",
                        device_name(s, *resource_id)
                    ),
                )
            },
        }
    }
}

/// Assignments that list `group` among their scope groups, by name.
fn scope_group_assignments(s: &Snapshot, group: &str) -> String {
    let names: Vec<String> = s
        .intune
        .role_assignments
        .iter()
        .filter(|a| a.scope.groups.iter().flatten().any(|g| g == group))
        .map(|a| format!("`{}`", a.name))
        .collect();
    names.join(", ")
}
