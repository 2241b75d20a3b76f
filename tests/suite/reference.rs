//! The reference evaluator: the rulebook written straight down, with plain sets and
//! recursion, no indexes, no profiles, no bitmaps. The engine must agree with it.
//!
//! Rulebook 2 (R-F3, R-G2 by feature, R-G6, R-G7, `combined_page_permissions`), with the
//! readings of notes/rulebook2-decisions.md where the rulebook is silent.
//!
//! It reads only the snapshot model; the requirement table (R-F1) is typed in again here from
//! the rulebook, so a typo in either copy shows up as a disagreement.

use std::collections::BTreeSet;

use tenant_attach::snapshot::{
    AssociationMode, AttachState, ChildRelation, Cloud, CollectionRule, CollectionType,
    CombinedPagePermissions, ConfigMgrAdmin, DirectoryRole, DiscoveryAgent, DiscoveryRequired,
    PermissionMerge, Snapshot, UntaggedAssignment,
};
use tenant_attach::{ClassOperation, Feature, Operation, ReasonCode, SecuredClass};

pub struct Reference<'a> {
    pub s: &'a Snapshot,
}

const P: &str = "Microsoft.Intune_";

/// One row of R-F1, typed from the rulebook 2 table.
struct Row {
    /// R-F3: the first site version with the feature.
    since: u32,
    /// Intune, `combined` mode ("—" is empty).
    combined: Vec<String>,
    /// Intune, `intune_only` mode.
    only: Vec<String>,
    /// ConfigMgr Collection operations.
    ops: Vec<Operation>,
    /// Other classes (R-G6).
    classes: Vec<(SecuredClass, ClassOperation)>,
}

/// R-F1, typed from the rulebook: since, Intune combined, Intune intune_only, ConfigMgr
/// Collection operations, other classes.
fn table(f: Feature) -> Row {
    use ClassOperation as C;
    use Operation::*;
    use SecuredClass as K;
    let p = |names: &[&str]| names.iter().map(|n| format!("{P}{n}")).collect::<Vec<_>>();
    // A page: "—" in combined mode, its own permission in intune_only mode.
    let page = |since: u32, perm: &str, ops: Vec<Operation>| Row {
        since,
        combined: vec![],
        only: p(&[perm]),
        ops,
        classes: vec![],
    };
    match f {
        Feature::View => Row {
            since: 2002,
            combined: p(&["ManagedDevices_Read"]),
            only: p(&["ManagedDevices_Read"]),
            ops: vec![Read],
            classes: vec![],
        },
        Feature::SyncMachinePolicy | Feature::SyncUserPolicy | Feature::AppEvaluationCycle => Row {
            since: 2002,
            combined: p(&["RemoteTasks_ConfigurationManagerAction"]),
            only: p(&["RemoteTasks_ConfigurationManagerAction"]),
            ops: vec![Read, NotifyResource],
            classes: vec![],
        },
        Feature::ClientDetails => page(2002, "CloudAttach_ClientDetails", vec![Read]),
        Feature::CollectionsView => page(2002, "CloudAttach_Collections", vec![Read]),
        Feature::ResourceExplorer => page(
            2006,
            "CloudAttach_ResourceExplorer",
            vec![Read, ReadResource],
        ),
        Feature::Timeline => page(
            2006,
            "CloudAttach_Timeline",
            vec![Read, ReadResource, NotifyResource],
        ),
        Feature::ScriptsView => page(2006, "CloudAttach_Scripts", vec![Read, ReadResource]),
        Feature::RunScript => Row {
            classes: vec![(K::Site, C::Read), (K::Scripts, C::Read)],
            ..page(
                2006,
                "CloudAttach_ScriptActions",
                vec![Read, ReadResource, RunScript],
            )
        },
        Feature::Cmpivot => page(2006, "CloudAttach_CMPivot", vec![Read, RunCmpivot]),
        Feature::ApplicationsView => Row {
            classes: vec![(K::Application, C::Read)],
            ..page(2006, "CloudAttach_Applications", vec![Read])
        },
        Feature::ApplicationActions => Row {
            classes: vec![(K::Application, C::Read), (K::Application, C::Approve)],
            ..page(2006, "CloudAttach_ApplicationActions", vec![Read])
        },
        Feature::SoftwareUpdates => page(2111, "CloudAttach_SoftwareUpdates", vec![Read]),
        Feature::BitlockerKeys => page(
            2107,
            "RemoteTasks_RotateBitLockerKeys",
            vec![Read, ReadBitlockerRecoveryKey],
        ),
        Feature::EnrollNow => Row {
            since: 2002,
            combined: p(&["CloudAttach_EnrollNow"]),
            only: p(&["CloudAttach_EnrollNow"]),
            ops: vec![Read],
            classes: vec![],
        },
        other => panic!("{other} is not in the rulebook's R-F1 table"),
    }
}

/// R-G2 `by_feature`: the pages that require "all of the prerequisites for client details".
const CLIENT_DETAILS_PREREQUISITES: &[Feature] = &[
    Feature::ClientDetails,
    Feature::CollectionsView,
    Feature::ResourceExplorer,
    Feature::Timeline,
    Feature::ScriptsView,
    Feature::RunScript,
    Feature::Cmpivot,
    Feature::ApplicationsView,
    Feature::ApplicationActions,
    Feature::SoftwareUpdates,
];

/// R-G6: Full Administrator grants every operation of every class.
const FULL_ADMINISTRATOR: &str = "SMS0001R";

/// R-G7: the *All* security scope meets every script.
const ALL_SCOPE: &str = "SMS00ALL";

/// What the reference says of one (user, device, feature).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub allowed: bool,
    pub codes: BTreeSet<ReasonCode>,
    /// How many `configmgr_class_permission_missing` reasons (one per missing class operation).
    pub missing_class_operations: usize,
    /// R-G7 was not evaluated for lack of `configmgr.scripts` (the decision's note).
    pub r_g7_not_evaluated: bool,
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

    /// R-F3: the first version with `f`, with the snapshot's override; R-F0: every feature
    /// needs `view`, so a feature exists only where view exists too.
    pub fn since(&self, f: Feature) -> u32 {
        let own = |f: Feature| {
            self.s
                .policy
                .features
                .get(&f)
                .and_then(|o| o.since)
                .unwrap_or(table(f).since)
        };
        own(f).max(own(Feature::View))
    }

    /// The Intune row of `f` in the mode, with the snapshot's override and the
    /// `combined_page_permissions` knob (R-F1).
    fn intune_row(&self, f: Feature) -> Vec<String> {
        let row = table(f);
        let over = self.s.policy.features.get(&f);
        let only = over.and_then(|x| x.intune_only.clone()).unwrap_or(row.only);
        if self.intune_only() {
            return only;
        }
        if let Some(explicit) = over.and_then(|x| x.intune_combined.clone()) {
            return explicit; // an explicit override wins over the knob
        }
        match self.s.policy.combined_page_permissions {
            CombinedPagePermissions::View => row.combined,
            CombinedPagePermissions::Feature => only,
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
            self.s
                .policy
                .features
                .get(&f)
                .and_then(|o| o.configmgr.clone())
                .unwrap_or(table(f).ops)
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

    /// R-G6: the class operations `f` needs; view's row joins under the same knob as its
    /// Collection operations.
    fn class_ops(&self, f: Feature) -> BTreeSet<(SecuredClass, ClassOperation)> {
        let classes = |f: Feature| -> Vec<(SecuredClass, ClassOperation)> {
            match self
                .s
                .policy
                .features
                .get(&f)
                .and_then(|o| o.classes.clone())
            {
                Some(map) => map
                    .into_iter()
                    .flat_map(|(k, ops)| ops.into_iter().map(move |op| (k, op)))
                    .collect(),
                None => table(f).classes,
            }
        };
        let mut set: BTreeSet<_> = if f == Feature::View {
            BTreeSet::new()
        } else {
            classes(f).into_iter().collect()
        };
        if self.s.policy.configmgr_gates_view {
            set.extend(classes(Feature::View));
        }
        set
    }

    /// R-G2: whether the requested feature needs both discoveries.
    fn needs_both_discoveries(&self, f: Feature) -> bool {
        let early = self.s.hierarchy.version < 2103;
        match self.s.policy.discovery_required {
            DiscoveryRequired::Both => true,
            DiscoveryRequired::ByVersion => early,
            DiscoveryRequired::ByFeature => early || CLIENT_DETAILS_PREREQUISITES.contains(&f),
        }
    }

    /// R-G6: the roles an administrative user holds, collections aside.
    fn admin_roles<'b>(&self, a: &'b ConfigMgrAdmin) -> Vec<&'b str> {
        match a.association_mode {
            AssociationMode::CrossProduct => a.roles.iter().map(String::as_str).collect(),
            AssociationMode::Specific => a.associations.iter().map(|x| x.role.as_str()).collect(),
        }
    }

    /// R-G5, R-G6: whether role `r` grants `op` on `class`.
    fn role_grants_class(&self, r: &str, class: SecuredClass, op: ClassOperation) -> bool {
        r == FULL_ADMINISTRATOR
            || self.s.configmgr.roles.iter().any(|x| {
                x.id == r
                    && x.class_operations
                        .get(&class)
                        .is_some_and(|ops| ops.contains(&op))
            })
    }

    fn admin_grants_class(
        &self,
        a: &ConfigMgrAdmin,
        class: SecuredClass,
        op: ClassOperation,
    ) -> bool {
        self.admin_roles(a)
            .into_iter()
            .any(|r| self.role_grants_class(r, class, op))
    }

    // ---- the decision --------------------------------------------------------------------

    /// (allowed, the reason codes) for one (user, device, feature).
    pub fn decide(
        &self,
        user_id: &str,
        resource_id: u32,
        f: Feature,
    ) -> (bool, BTreeSet<ReasonCode>) {
        let a = self.answer(user_id, resource_id, f);
        (a.allowed, a.codes)
    }

    /// The whole answer for one (user, device, feature).
    pub fn answer(&self, user_id: &str, resource_id: u32, f: Feature) -> Answer {
        let s = self.s;
        // R-F3, checked first: an unavailable feature is the only reason.
        if s.hierarchy.version < self.since(f) {
            return Answer {
                allowed: false,
                codes: [ReasonCode::FeatureUnavailable].into(),
                missing_class_operations: 0,
                r_g7_not_evaluated: false,
            };
        }
        let mut missing_class_operations = 0;
        let mut r_g7_not_evaluated = false;
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
                let discovered = if self.needs_both_discoveries(f) {
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
                        // R-G4
                        let mut r_g4_failed = false;
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
                                    let role_grants = r == FULL_ADMINISTRATOR
                                        || s.configmgr.roles.iter().any(|x| {
                                            x.id == *r && x.collection_operations.contains(&op)
                                        });
                                    role_grants && self.members(c).contains(&resource_id)
                                })
                            });
                            if !granted {
                                reasons.insert(ReasonCode::ConfigmgrPermissionMissing);
                                r_g4_failed = true;
                            }
                        }
                        // R-G6, only once R-G4 holds.
                        if !r_g4_failed {
                            for (class, op) in self.class_ops(f) {
                                if !admins.iter().any(|a| self.admin_grants_class(a, class, op)) {
                                    reasons.insert(ReasonCode::ConfigmgrClassPermissionMissing);
                                    missing_class_operations += 1;
                                }
                            }
                        }
                        // R-G7, only for run_script once R-G4 and R-G6 hold.
                        if !r_g4_failed && missing_class_operations == 0 && f == Feature::RunScript
                        {
                            match &s.configmgr.scripts {
                                None => r_g7_not_evaluated = true,
                                Some(scripts) => {
                                    let runnable = scripts.iter().any(|script| {
                                        script.approved
                                            && !script.has_parameters
                                            && admins.iter().any(|a| {
                                                self.admin_grants_class(
                                                    a,
                                                    SecuredClass::Scripts,
                                                    ClassOperation::Read,
                                                ) && (a.scopes.iter().any(|x| x == ALL_SCOPE)
                                                    || a.scopes
                                                        .iter()
                                                        .any(|x| script.scopes.contains(x)))
                                            })
                                    });
                                    if !runnable {
                                        reasons.insert(ReasonCode::NoRunnableScript);
                                    }
                                }
                            }
                        }
                    }
                }
            } else {
                reasons.insert(ReasonCode::CloudOnlyAccount);
            }
        }
        Answer {
            allowed: reasons.is_empty(),
            codes: reasons,
            missing_class_operations,
            r_g7_not_evaluated,
        }
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
