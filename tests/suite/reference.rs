//! The reference evaluator: the rulebook written straight down, with plain sets and
//! recursion, no indexes, no profiles, no bitmaps. The engine must agree with it.
//!
//! It reads only the snapshot model; the requirement table (R-F1) is typed in again here from
//! the rulebook, so a typo in either copy shows up as a disagreement.

use std::collections::BTreeSet;

use tenant_attach::snapshot::{
    AssociationMode, AttachState, ChildRelation, Cloud, CollectionRule, CollectionType,
    DirectoryRole, DiscoveryAgent, DiscoveryRequired, PermissionMerge, Snapshot,
    UntaggedAssignment,
};
use tenant_attach::{Feature, Operation, ReasonCode};

pub struct Reference<'a> {
    pub s: &'a Snapshot,
}

const P: &str = "Microsoft.Intune_";

/// R-F1, typed from the rulebook: (Intune combined, Intune intune_only, ConfigMgr ops).
fn table(f: Feature) -> (Vec<String>, Vec<String>, Vec<Operation>) {
    use Operation::*;
    let p = |names: &[&str]| names.iter().map(|n| format!("{P}{n}")).collect::<Vec<_>>();
    match f {
        Feature::View => (
            p(&["ManagedDevices_Read"]),
            p(&["ManagedDevices_Read"]),
            vec![Read],
        ),
        Feature::SyncMachinePolicy | Feature::SyncUserPolicy | Feature::AppEvaluationCycle => (
            p(&["RemoteTasks_ConfigurationManagerAction"]),
            p(&["RemoteTasks_ConfigurationManagerAction"]),
            vec![Read, NotifyResource],
        ),
        Feature::ClientDetails => (vec![], p(&["CloudAttach_ClientDetails"]), vec![Read]),
        Feature::CollectionsView => (vec![], p(&["CloudAttach_Collections"]), vec![Read]),
        Feature::ResourceExplorer => (
            vec![],
            p(&["CloudAttach_ResourceExplorer"]),
            vec![Read, ReadResource],
        ),
        Feature::Timeline => (
            vec![],
            p(&["CloudAttach_Timeline"]),
            vec![Read, ReadResource, NotifyResource],
        ),
        Feature::ScriptsView => (
            vec![],
            p(&["CloudAttach_Scripts"]),
            vec![Read, ReadResource],
        ),
        Feature::RunScript => (
            vec![],
            p(&["CloudAttach_ScriptActions"]),
            vec![Read, ReadResource, RunScript],
        ),
        Feature::Cmpivot => (vec![], p(&["CloudAttach_CMPivot"]), vec![Read, RunCmpivot]),
        Feature::ApplicationsView => (vec![], p(&["CloudAttach_Applications"]), vec![Read]),
        Feature::ApplicationActions => (vec![], p(&["CloudAttach_ApplicationActions"]), vec![Read]),
        Feature::SoftwareUpdates => (vec![], p(&["CloudAttach_SoftwareUpdates"]), vec![Read]),
        Feature::BitlockerKeys => (
            vec![],
            p(&["RemoteTasks_RotateBitLockerKeys"]),
            vec![Read, ReadBitlockerRecoveryKey],
        ),
        Feature::EnrollNow => (
            p(&["CloudAttach_EnrollNow"]),
            p(&["CloudAttach_EnrollNow"]),
            vec![Read],
        ),
    }
}

const ACTING: &[Feature] = &[
    Feature::SyncMachinePolicy,
    Feature::SyncUserPolicy,
    Feature::AppEvaluationCycle,
    Feature::RunScript,
    Feature::Cmpivot,
    Feature::ApplicationActions,
    Feature::EnrollNow,
    Feature::BitlockerKeys,
];

impl Reference<'_> {
    // ---- R-C1, R-C2 -------------------------------------------------------------------

    /// members(C) = ((query ∪ direct ∪ ⋃ members(include)) ∩ members(limit(C))) \ ⋃ members(exclude)
    pub fn members(&self, id: &str) -> BTreeSet<u32> {
        let c = self.s.collections.iter().find(|c| c.id == id).unwrap();
        if c.kind == CollectionType::User {
            return BTreeSet::new();
        }
        let mut set = BTreeSet::new();
        for rule in &c.rules {
            match rule {
                CollectionRule::Direct(ids) => set.extend(ids.iter().copied()),
                CollectionRule::Query(q) => set.extend(q.members.iter().copied()),
                CollectionRule::Include(other) => set.extend(self.members(other)),
                CollectionRule::Exclude(_) => {}
            }
        }
        if let Some(limit) = &c.limiting {
            let l = self.members(limit);
            set.retain(|d| l.contains(d));
        }
        for rule in &c.rules {
            if let CollectionRule::Exclude(other) = rule {
                for d in self.members(other) {
                    set.remove(&d);
                }
            }
        }
        set
    }

    // ---- R-U ----------------------------------------------------------------------------

    /// Children of `id` through `relations`, transitively (R-C5, R-U4).
    pub fn children(&self, id: &str, relations: &[ChildRelation]) -> BTreeSet<String> {
        let mut found: BTreeSet<String> = BTreeSet::new();
        let mut frontier = vec![id.to_owned()];
        while let Some(parent) = frontier.pop() {
            for c in &self.s.collections {
                let refers =
                    |rel: ChildRelation| {
                        relations.contains(&rel)
                            && match rel {
                                ChildRelation::Limiting => {
                                    c.limiting.as_deref() == Some(parent.as_str())
                                }
                                ChildRelation::Include => c.rules.iter().any(
                                    |r| matches!(r, CollectionRule::Include(t) if *t == parent),
                                ),
                                ChildRelation::Exclude => c.rules.iter().any(
                                    |r| matches!(r, CollectionRule::Exclude(t) if *t == parent),
                                ),
                            }
                    };
                if (refers(ChildRelation::Limiting)
                    || refers(ChildRelation::Include)
                    || refers(ChildRelation::Exclude))
                    && c.id != id
                    && found.insert(c.id.clone())
                {
                    frontier.push(c.id.clone());
                }
            }
        }
        found
    }

    fn upload_blocked(&self) -> Option<ReasonCode> {
        let h = &self.s.hierarchy;
        if h.attach.state != AttachState::Attached {
            return Some(ReasonCode::NotAttached); // R-U1
        }
        let ok = match h.cloud {
            Cloud::China => false,              // R-U2
            Cloud::Public => h.version >= 2002, // R-H2
            Cloud::UsGovernment => h.version >= 2107,
        };
        (!ok).then_some(ReasonCode::UploadUnsupportedCloud)
    }

    fn in_upload_scope(&self, resource_id: u32) -> bool {
        match &self.s.hierarchy.attach.upload.collection {
            None => true, // R-U3
            Some(id) => {
                // R-U4: the collection and its children
                let mut ids = self.children(id, &self.s.policy.child_relations);
                ids.insert(id.clone());
                ids.iter().any(|c| self.members(c).contains(&resource_id))
            }
        }
    }

    /// The upload conditions that fail for a device, in evaluation order.
    pub fn upload_reasons(&self, resource_id: u32) -> Vec<ReasonCode> {
        if let Some(b) = self.upload_blocked() {
            return vec![b];
        }
        let d = self
            .s
            .devices
            .iter()
            .find(|d| d.resource_id == resource_id)
            .unwrap();
        let mut out = vec![];
        if !d.client {
            out.push(ReasonCode::NotUploadedNoClient);
        }
        if !self.in_upload_scope(resource_id) {
            out.push(ReasonCode::NotUploadedOutOfScope);
        }
        out
    }

    pub fn uploaded(&self) -> BTreeSet<u32> {
        self.s
            .devices
            .iter()
            .map(|d| d.resource_id)
            .filter(|d| self.upload_reasons(*d).is_empty())
            .collect()
    }

    // ---- R-M1 -----------------------------------------------------------------------------

    pub fn intune_only(&self) -> bool {
        let h = &self.s.hierarchy;
        h.version >= 2207 && !h.attach.enforce_configmgr_rbac && self.s.tenant.use_intune_rbac
    }

    // ---- R-I2 -----------------------------------------------------------------------------

    /// Whether `user` is in `group`, directly or through nested groups (cycles tolerated).
    fn member_of(&self, user: &str, group: &str, seen: &mut BTreeSet<String>) -> bool {
        if !seen.insert(group.to_owned()) {
            return false;
        }
        let Some(g) = self.s.entra.groups.iter().find(|g| g.id == group) else {
            return false;
        };
        g.members
            .iter()
            .any(|m| m == user || self.member_of(user, m, seen))
    }

    // ---- the requirement, R-F0 / R-F1 ---------------------------------------------------

    /// The Intune row of `f` in the mode, with the snapshot's override.
    fn intune_row(&self, f: Feature) -> Vec<String> {
        let (c, o, _) = table(f);
        let over = self.s.policy.features.get(&f);
        if self.intune_only() {
            over.and_then(|x| x.intune_only.clone()).unwrap_or(o)
        } else {
            over.and_then(|x| x.intune_combined.clone()).unwrap_or(c)
        }
    }

    /// R-F0: view's permissions and the feature's own.
    fn intune_perms(&self, f: Feature) -> Vec<String> {
        let mut v = self.intune_row(Feature::View);
        v.extend(self.intune_row(f));
        v
    }

    /// R-I6: the feature's own permissions, or view's when its row is empty.
    fn acting_perms(&self, f: Feature) -> Vec<String> {
        let own = self.intune_row(f);
        if own.is_empty() {
            self.intune_row(Feature::View)
        } else {
            own
        }
    }

    fn configmgr_ops(&self, f: Feature) -> BTreeSet<Operation> {
        let ops = |f: Feature| {
            let (_, _, ops) = table(f);
            self.s
                .policy
                .features
                .get(&f)
                .and_then(|o| o.configmgr.clone())
                .unwrap_or(ops)
        };
        // R-F1: view's row is "read (knob policy.configmgr_gates_view)"; R-F0: every feature
        // needs view.
        let mut set: BTreeSet<Operation> = if f == Feature::View {
            BTreeSet::new()
        } else {
            ops(f).into_iter().collect()
        };
        if self.s.policy.configmgr_gates_view {
            set.extend(ops(Feature::View));
        }
        set
    }

    // ---- the decision --------------------------------------------------------------------

    /// (allowed, the reason codes) for one (user, device, feature).
    pub fn decide(
        &self,
        user_id: &str,
        resource_id: u32,
        f: Feature,
    ) -> (bool, BTreeSet<ReasonCode>) {
        let s = self.s;
        let user = s.entra.users.iter().find(|u| u.id == user_id).unwrap();
        let device = s
            .devices
            .iter()
            .find(|d| d.resource_id == resource_id)
            .unwrap();
        let mut reasons: BTreeSet<ReasonCode> = BTreeSet::new();

        // Upload (R-F0).
        reasons.extend(self.upload_reasons(resource_id));

        // Device tags (R-S1, R-S2).
        let device_tags: BTreeSet<String> = if device.co_managed {
            if device.scope_tags.is_empty() {
                ["0".to_owned()].into()
            } else {
                device.scope_tags.iter().cloned().collect()
            }
        } else {
            device
                .scope_tags
                .iter()
                .filter(|t| *t == "0")
                .cloned()
                .collect()
        };
        let tagless = device_tags.is_empty();
        if tagless {
            reasons.insert(ReasonCode::MissingDefaultScopeTag);
        }

        // Intune (R-I).
        let global = user.directory_roles.iter().any(|r| {
            matches!(
                r,
                DirectoryRole::GlobalAdministrator | DirectoryRole::IntuneAdministrator
            )
        });
        if !global {
            let mine: Vec<_> = s
                .intune
                .role_assignments
                .iter()
                .filter(|a| {
                    a.members
                        .iter()
                        .any(|g| self.member_of(&user.id, g, &mut BTreeSet::new()))
                })
                .collect();
            if mine.is_empty() {
                reasons.insert(ReasonCode::NoIntuneRole);
            } else {
                let perms_of = |a: &tenant_attach::snapshot::RoleAssignment| -> BTreeSet<String> {
                    s.intune
                        .role_definitions
                        .iter()
                        .find(|d| d.id == a.role)
                        .map(|d| d.permissions.iter().cloned().collect())
                        .unwrap_or_default()
                };
                let ignore_tags = self.intune_only() && s.policy.intune_only_ignores_scope_tags; // R-I7
                let reaches = |a: &tenant_attach::snapshot::RoleAssignment| -> bool {
                    if a.scope_tags.is_empty() {
                        return match s.policy.untagged_assignment {
                            UntaggedAssignment::AllTags => !tagless,
                            UntaggedAssignment::DefaultTag => device_tags.contains("0"),
                        };
                    }
                    a.scope_tags.iter().any(|t| device_tags.contains(t))
                };
                let check_tags = !ignore_tags && !tagless;
                let mut any_held = false;
                for p in self.intune_perms(f) {
                    let holders: Vec<_> =
                        mine.iter().filter(|a| perms_of(a).contains(&p)).collect();
                    if holders.is_empty() {
                        reasons.insert(ReasonCode::IntunePermissionMissing);
                        continue;
                    }
                    any_held = true;
                    if s.tenant.intune_permission_merge == PermissionMerge::Scoped
                        && check_tags
                        && !holders.iter().any(|a| reaches(a))
                    {
                        reasons.insert(ReasonCode::ScopeTagMismatch);
                    }
                }
                if s.tenant.intune_permission_merge == PermissionMerge::Merged
                    && check_tags
                    && any_held
                    && !mine.iter().any(|a| reaches(a))
                {
                    reasons.insert(ReasonCode::ScopeTagMismatch);
                }
                // R-I6
                if ACTING.contains(&f)
                    && (device.co_managed || s.policy.scope_groups_apply_to_attached)
                {
                    for q in self.acting_perms(f) {
                        let holders: Vec<_> =
                            mine.iter().filter(|a| perms_of(a).contains(&q)).collect();
                        if !holders.is_empty()
                            && !holders.iter().any(|a| {
                                a.scope.all_devices == Some(true)
                                    || a.scope
                                        .groups
                                        .iter()
                                        .flatten()
                                        .any(|g| device.scope_groups.contains(g))
                            })
                        {
                            reasons.insert(ReasonCode::ScopeGroupMismatch);
                        }
                    }
                }
            }
        }

        // ConfigMgr (R-G), combined mode only.
        if !self.intune_only() {
            if let Some(sid) = &user.on_premises_sid {
                let agents: BTreeSet<DiscoveryAgent> = s
                    .configmgr
                    .users
                    .iter()
                    .filter(|u| u.sid.eq_ignore_ascii_case(sid))
                    .flat_map(|u| u.discovered_by.iter().copied())
                    .collect();
                let both = s.policy.discovery_required == DiscoveryRequired::Both
                    || s.hierarchy.version < 2103;
                let discovered = if both {
                    agents.len() == 2
                } else {
                    !agents.is_empty()
                };
                if !discovered {
                    reasons.insert(ReasonCode::NotDiscovered);
                } else {
                    let admins: Vec<_> = s
                        .configmgr
                        .admins
                        .iter()
                        .filter(|a| {
                            if a.is_group {
                                user.on_premises_group_sids
                                    .iter()
                                    .any(|g| g.eq_ignore_ascii_case(&a.sid))
                            } else {
                                a.sid.eq_ignore_ascii_case(sid)
                            }
                        })
                        .collect();
                    if admins.is_empty() {
                        reasons.insert(ReasonCode::ConfigmgrAdminMissing);
                    } else {
                        for op in self.configmgr_ops(f) {
                            let granted = admins.iter().any(|a| {
                                let pairs: Vec<(String, String)> = match a.association_mode {
                                    AssociationMode::CrossProduct => a
                                        .roles
                                        .iter()
                                        .flat_map(|r| {
                                            a.collections
                                                .iter()
                                                .map(move |c| (r.clone(), c.clone()))
                                        })
                                        .collect(),
                                    AssociationMode::Specific => a
                                        .associations
                                        .iter()
                                        .flat_map(|x| {
                                            x.collections
                                                .iter()
                                                .map(move |c| (x.role.clone(), c.clone()))
                                        })
                                        .collect(),
                                };
                                pairs.iter().any(|(r, c)| {
                                    let role_grants = r == "SMS0001R"
                                        || s.configmgr.roles.iter().any(|x| {
                                            x.id == *r && x.collection_operations.contains(&op)
                                        });
                                    role_grants && self.members(c).contains(&resource_id)
                                })
                            });
                            if !granted {
                                reasons.insert(ReasonCode::ConfigmgrPermissionMissing);
                            }
                        }
                    }
                }
            } else {
                reasons.insert(ReasonCode::CloudOnlyAccount);
            }
        }
        (reasons.is_empty(), reasons)
    }

    /// R-H4 offboarding: (allowed, ETA).
    pub fn offboard(&self, user_id: &str) -> (bool, u32) {
        let s = self.s;
        let user = s.entra.users.iter().find(|u| u.id == user_id).unwrap();
        let h = &s.hierarchy;
        let eta = if h.version >= 2103 && h.online && h.healthy {
            10
        } else {
            120
        };
        if h.attach.state != AttachState::Attached {
            return (false, eta);
        }
        if !user.directory_roles.is_empty() {
            return (true, eta);
        }
        let ok = s.intune.role_assignments.iter().any(|a| {
            a.members
                .iter()
                .any(|g| self.member_of(&user.id, g, &mut BTreeSet::new()))
                && s.intune.role_definitions.iter().any(|d| {
                    d.id == a.role
                        && d.permissions
                            .iter()
                            .any(|p| p == "Microsoft.Intune_Organization_Delete")
                })
        });
        (ok, eta)
    }
}
