//! The fixed vocabulary of edits `fix` may propose: real admin actions in the Intune admin
//! center, the ConfigMgr console, Active Directory, or on the hierarchy itself.
//!
//! An [`Op`] is applied to a snapshot by [`Op::apply`], which refuses what the admin center or
//! ConfigMgr would refuse (a built-in role, a built-in collection, a user collection, a
//! cloud-only account in an AD group) and what would change nothing.

use serde::Serialize;

use crate::features::{ClassOperation, Operation, SecuredClass};
use crate::snapshot::{CollectionRule, CollectionType, DiscoveredUser, DiscoveryAgent, Snapshot};

/// One edit, structured: what [`Op::apply`] does to a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Op {
    /// Intune: add the user directly to a member group of an existing assignment (R-I2).
    GroupMember { group: String, user: String },
    /// Intune: add a permission to a custom role definition (R-I3).
    RolePermission { role: String, permission: String },
    /// Intune: add a scope tag to an assignment (R-I5).
    AssignmentTag { assignment: String, tag: String },
    /// Intune: add the device to a scope group (R-I6).
    ScopeGroup { group: String, resource_id: u32 },
    /// Intune: assign the user an Intune licence (R-I8).
    Licence { user: String },
    /// AD: add the user to the AD group of an existing group administrative user (R-G3).
    AdGroup { admin: u32, user: String },
    /// ConfigMgr: add a Collection operation to a custom security role (R-G4).
    RoleOperation { role: String, op: Operation },
    /// ConfigMgr: add an operation on another secured class to a custom role (R-G6).
    RoleClassOperation {
        role: String,
        class: SecuredClass,
        op: ClassOperation,
    },
    /// ConfigMgr: assign a collection to an administrative user (all its roles, or one
    /// `specific` association's role) (R-G4).
    AdminCollection {
        admin: u32,
        role: Option<String>,
        collection: String,
    },
    /// ConfigMgr: add the device to a collection by a direct rule (R-C1, R-G4).
    DeviceToCollection {
        collection: String,
        resource_id: u32,
    },
    /// ConfigMgr: have a user discovery method find the user (R-G2).
    Discovery { sid: String, agent: DiscoveryAgent },
    /// Infrastructure: add the device to the upload collection by a direct rule (R-U4).
    UploadDevice {
        collection: String,
        resource_id: u32,
    },
    /// Infrastructure: upgrade the site (R-F3).
    UpgradeSite { version: u32 },
    /// Infrastructure: turn on the optional feature *Create and run scripts* (R-F3).
    ScriptsFeature,
    /// Infrastructure: upgrade the device's ConfigMgr client (R-F5).
    UpgradeClient { resource_id: u32, version: u32 },
}

/// One edit of a change set, as shown: `fix`'s JSON `{"kind", "target", "detail"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Edit {
    /// In words, naming the objects: the step an admin follows.
    pub detail: String,
    /// The kind of edit, e.g. `intune_role_permission` (see the README's list).
    pub kind: &'static str,
    /// The rule the edit meets.
    #[serde(skip)]
    pub rule: &'static str,
    /// Whether it changes the infrastructure (site, client, upload) rather than RBAC.
    #[serde(skip)]
    pub infrastructure: bool,
    /// The id of the object edited (group, role, assignment, admin, collection, device, SID,
    /// or the site code).
    pub target: String,
}

/// Whether a ConfigMgr security role is built in (Full Administrator and every `SMS*` id).
pub(crate) fn builtin_configmgr_role(id: &str) -> bool {
    id.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("SMS"))
}

/// Whether a collection is built in (`SMS*` ids: All Systems, All Users…): its rules cannot
/// be edited.
pub(crate) fn builtin_collection(id: &str) -> bool {
    builtin_configmgr_role(id)
}

fn push_new<T: PartialEq>(list: &mut Vec<T>, item: T) -> bool {
    if list.contains(&item) {
        false
    } else {
        list.push(item);
        true
    }
}

fn add_direct(s: &mut Snapshot, collection: &str, resource_id: u32) -> bool {
    let Some(c) = s.collections.iter_mut().find(|c| c.id == collection) else {
        return false;
    };
    if builtin_collection(&c.id) || c.kind != CollectionType::Device {
        return false;
    }
    let present = c
        .rules
        .iter()
        .any(|r| matches!(r, CollectionRule::Direct(ids) if ids.contains(&resource_id)));
    if present {
        return false;
    }
    match c.rules.iter_mut().find_map(|r| match r {
        CollectionRule::Direct(ids) => Some(ids),
        _ => None,
    }) {
        Some(ids) => ids.push(resource_id),
        None => c.rules.push(CollectionRule::Direct(vec![resource_id])),
    }
    true
}

impl Op {
    /// How much an edit grants beyond what the snapshot's decisions show, for ties of the
    /// blast radius: one permission or one tag on an object the user already holds is
    /// narrower than a membership that brings a whole role; infrastructure changes come last.
    pub(crate) fn breadth(&self) -> u32 {
        match self {
            Op::RolePermission { .. } | Op::RoleClassOperation { .. } => 1,
            Op::RoleOperation { .. } | Op::AssignmentTag { .. } => 2,
            Op::ScopeGroup { .. } | Op::DeviceToCollection { .. } => 3,
            Op::Discovery { .. } | Op::Licence { .. } => 4,
            Op::AdminCollection { .. } => 5,
            Op::GroupMember { .. } | Op::AdGroup { .. } => 6,
            Op::UploadDevice { .. } => 7,
            Op::UpgradeClient { .. } | Op::ScriptsFeature | Op::UpgradeSite { .. } => 8,
        }
    }

    /// Applies the edit; `false` (and `s` unchanged) when the edit is refused or changes
    /// nothing.
    pub(crate) fn apply(&self, s: &mut Snapshot) -> bool {
        match self {
            Op::GroupMember { group, user } => s
                .entra
                .groups
                .iter_mut()
                .find(|g| &g.id == group)
                .is_some_and(|g| push_new(&mut g.members, user.clone())),
            Op::RolePermission { role, permission } => s
                .intune
                .role_definitions
                .iter_mut()
                .find(|r| &r.id == role && !r.built_in)
                .is_some_and(|r| push_new(&mut r.permissions, permission.clone())),
            Op::AssignmentTag { assignment, tag } => s
                .intune
                .role_assignments
                .iter_mut()
                .find(|a| &a.id == assignment)
                .is_some_and(|a| push_new(&mut a.scope_tags, tag.clone())),
            Op::ScopeGroup { group, resource_id } => s
                .devices
                .iter_mut()
                .find(|d| d.resource_id == *resource_id)
                .is_some_and(|d| push_new(&mut d.scope_groups, group.clone())),
            Op::Licence { user } => match s.entra.users.iter_mut().find(|u| &u.id == user) {
                Some(u) if u.intune_licensed != Some(true) => {
                    u.intune_licensed = Some(true);
                    true
                }
                _ => false,
            },
            Op::AdGroup { admin, user } => {
                let Some(sid) = s
                    .configmgr
                    .admins
                    .iter()
                    .find(|a| a.id == *admin && a.is_group)
                    .map(|a| a.sid.clone())
                else {
                    return false;
                };
                match s.entra.users.iter_mut().find(|u| &u.id == user) {
                    Some(u) if u.on_premises_sid.is_some() => {
                        let present = u
                            .on_premises_group_sids
                            .iter()
                            .any(|g| g.eq_ignore_ascii_case(&sid));
                        !present && push_new(&mut u.on_premises_group_sids, sid)
                    }
                    _ => false,
                }
            }
            Op::RoleOperation { role, op } => s
                .configmgr
                .roles
                .iter_mut()
                .find(|r| &r.id == role && !builtin_configmgr_role(&r.id))
                .is_some_and(|r| push_new(&mut r.collection_operations, *op)),
            Op::RoleClassOperation { role, class, op } => s
                .configmgr
                .roles
                .iter_mut()
                .find(|r| &r.id == role && !builtin_configmgr_role(&r.id))
                .is_some_and(|r| push_new(r.class_operations.entry(*class).or_default(), *op)),
            Op::AdminCollection {
                admin,
                role,
                collection,
            } => {
                if !s.collections.iter().any(|c| &c.id == collection) {
                    return false;
                }
                let Some(a) = s.configmgr.admins.iter_mut().find(|a| a.id == *admin) else {
                    return false;
                };
                match role {
                    None => push_new(&mut a.collections, collection.clone()),
                    Some(role) => {
                        let added = a
                            .associations
                            .iter_mut()
                            .find(|x| &x.role == role)
                            .is_some_and(|x| push_new(&mut x.collections, collection.clone()));
                        if added {
                            push_new(&mut a.collections, collection.clone());
                        }
                        added
                    }
                }
            }
            Op::DeviceToCollection {
                collection,
                resource_id,
            }
            | Op::UploadDevice {
                collection,
                resource_id,
            } => add_direct(s, collection, *resource_id),
            Op::Discovery { sid, agent } => {
                match s
                    .configmgr
                    .users
                    .iter_mut()
                    .find(|u| u.sid.eq_ignore_ascii_case(sid))
                {
                    Some(u) => push_new(&mut u.discovered_by, *agent),
                    None => {
                        s.configmgr.users.push(DiscoveredUser {
                            sid: sid.clone(),
                            discovered_by: vec![*agent],
                        });
                        true
                    }
                }
            }
            Op::UpgradeSite { version } => {
                let older = s.hierarchy.version < *version;
                if older {
                    s.hierarchy.version = *version;
                }
                older
            }
            Op::ScriptsFeature => {
                let off = s.hierarchy.scripts_feature_enabled != Some(true);
                s.hierarchy.scripts_feature_enabled = Some(true);
                off
            }
            Op::UpgradeClient {
                resource_id,
                version,
            } => match s.devices.iter_mut().find(|d| d.resource_id == *resource_id) {
                Some(d) if d.client && d.client_version.is_some_and(|v| v < *version) => {
                    d.client_version = Some(*version);
                    true
                }
                _ => false,
            },
        }
    }
}
