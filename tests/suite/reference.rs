//! The reference evaluator: the rulebook written straight down, with plain sets and
//! recursion, no indexes, no profiles, no bitmaps. The engine must agree with it.
//!
//! Rulebook 2 (R-F3, R-G2 by feature, R-G6, R-G7, `combined_page_permissions`), with the
//! readings of notes/rulebook2-decisions.md where the rulebook is silent; rulebook 3 (R-I1's
//! reader roles, R-I8 licences, R-F3's application split, US Government list and scripts
//! switch, R-F5 client versions, R-F6 advisories and the SMS Provider's MFA) with the
//! rulebook's "Rulebook 3 readings".
//!
//! It reads only the snapshot model; the requirement table (R-F1) is typed in again here from
//! the rulebook, so a typo in either copy shows up as a disagreement.

use std::collections::BTreeSet;

use tenant_attach::snapshot::{
    ApplicationActionsSplit, AssociationMode, AttachState, ChildRelation, Cloud, CollectionRule,
    CollectionType, CombinedPagePermissions, ConfigMgrAdmin, Device, DirectoryRole, DiscoveryAgent,
    DiscoveryRequired, EntraRoles, EntraUser, LicenceUnknown, PermissionMerge, RoleAssignment,
    Snapshot, UntaggedAssignment, UsGovernmentFeatures,
};
use tenant_attach::{AdvisoryCode, ClassOperation, Feature, Operation, ReasonCode, SecuredClass};

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
        // Rulebook 3: uninstall, repair, re-evaluate, from 2010 (R-F3).
        Feature::ApplicationManagement => Row {
            classes: vec![(K::Application, C::Read), (K::Application, C::Approve)],
            ..page(2010, "CloudAttach_ApplicationActions", vec![Read])
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
    Feature::ApplicationManagement,
    Feature::SoftwareUpdates,
];

/// R-F5 (rulebook 3): the first client version a feature needs by default (the applications
/// page's version table: uninstall, repair and re-evaluate need a 2010 client).
fn table_client_since(f: Feature) -> Option<u32> {
    (f == Feature::ApplicationManagement).then_some(2010)
}

/// R-F3 (rulebook 3): the features documented for US Government clouds.
const US_GOVERNMENT: &[Feature] = &[
    Feature::View,
    Feature::SyncMachinePolicy,
    Feature::SyncUserPolicy,
    Feature::AppEvaluationCycle,
];

/// R-F3 (rulebook 3): the features that need the optional *Create and run scripts* feature.
const SCRIPTS: &[Feature] = &[Feature::ScriptsView, Feature::RunScript];

/// R-F3 (rulebook 3): the switch is read only at this version and earlier.
const SCRIPTS_SWITCH_UNTIL: u32 = 2006;

/// R-I1 (rulebook 3): what the reader roles hold.
const MANAGED_DEVICES_READ: &str = "Microsoft.Intune_ManagedDevices_Read";

/// R-I1 (rulebook 3): the built-in role a Helpdesk Administrator equals under
/// `helpdesk_as_operator`.
const HELP_DESK_OPERATOR: &str = "Help Desk Operator";

/// R-H4: the permission offboarding needs.
const ORGANIZATION_DELETE: &str = "Microsoft.Intune_Organization_Delete";

/// R-I1 (rulebook 3): the reader roles.
const READER_ROLES: &[DirectoryRole] = &[
    DirectoryRole::GlobalReader,
    DirectoryRole::SecurityReader,
    DirectoryRole::SecurityOperator,
    DirectoryRole::SecurityAdministrator,
    DirectoryRole::HelpdeskAdministrator,
];

/// What a user holds through Entra directory roles (R-I1).
enum Standing {
    /// Global or Intune Administrator: everything, unlimited.
    Admin,
    /// A reader role (rulebook 3): these permissions on every device, unlimited.
    Reader(BTreeSet<String>),
    /// No directory role that counts.
    Plain,
}

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
    /// Every rule listed under `not_evaluated` (R-G7, R-I8, R-F3 scripts, R-F5).
    pub not_evaluated: BTreeSet<&'static str>,
    /// R-F6: the advisories of an allowed decision, in order.
    pub advisories: Vec<AdvisoryCode>,
}

impl Answer {
    fn only(code: ReasonCode) -> Answer {
        Answer {
            allowed: false,
            codes: [code].into(),
            missing_class_operations: 0,
            r_g7_not_evaluated: false,
            not_evaluated: BTreeSet::new(),
            advisories: vec![],
        }
    }
}

const ACTING: &[Feature] = &[
    Feature::SyncMachinePolicy,
    Feature::SyncUserPolicy,
    Feature::AppEvaluationCycle,
    Feature::RunScript,
    Feature::Cmpivot,
    Feature::ApplicationActions,
    Feature::ApplicationManagement,
    Feature::EnrollNow,
    Feature::BitlockerKeys,
];

/// R-F6 (rulebook 3): what an SMS Provider requiring MFA blocks: the acting features and the
/// applications, CMPivot and scripts pages.
fn blocked_by_mfa(f: Feature) -> bool {
    ACTING.contains(&f) || matches!(f, Feature::ApplicationsView | Feature::ScriptsView)
}

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

    /// Whether `user` is listed in `group`'s own members (R-I8: a direct member).
    fn direct_member_of(&self, user: &str, group: &str) -> bool {
        self.s
            .entra
            .groups
            .iter()
            .any(|g| g.id == group && g.members.iter().any(|m| m == user))
    }

    /// R-I2: the assignments reaching the user directly or through nested groups (A_all).
    fn assignments_all(&self, user: &str) -> Vec<&RoleAssignment> {
        self.s
            .intune
            .role_assignments
            .iter()
            .filter(|a| {
                a.members
                    .iter()
                    .any(|g| self.member_of(user, g, &mut BTreeSet::new()))
            })
            .collect()
    }

    /// R-I8: the assignments one of whose member groups lists the user itself (A_direct).
    fn assignments_direct(&self, user: &str) -> Vec<&RoleAssignment> {
        self.s
            .intune
            .role_assignments
            .iter()
            .filter(|a| a.members.iter().any(|g| self.direct_member_of(user, g)))
            .collect()
    }

    /// R-I8: a licence not in the snapshot reads as `policy.licence_unknown` says.
    fn licensed(&self, user: &EntraUser) -> bool {
        user.intune_licensed
            .unwrap_or(self.s.policy.licence_unknown == LicenceUnknown::Licensed)
    }

    /// R-I8: the assignments that apply (E): all of them for a licensed user; for an
    /// unlicensed one none with the tenant setting off, the direct ones with it on.
    fn effective<'b>(&'b self, user: &EntraUser) -> Vec<&'b RoleAssignment> {
        if self.licensed(user) {
            self.assignments_all(&user.id)
        } else if self.s.tenant.unlicensed_admins {
            self.assignments_direct(&user.id)
        } else {
            vec![]
        }
    }

    /// R-I1: what the user's directory roles hold (the strongest decides).
    fn standing(&self, user: &EntraUser) -> Standing {
        let roles = &user.directory_roles;
        if roles.iter().any(|r| {
            matches!(
                r,
                DirectoryRole::GlobalAdministrator | DirectoryRole::IntuneAdministrator
            )
        }) {
            return Standing::Admin;
        }
        let policy = self.s.policy.entra_roles;
        if policy == EntraRoles::AdminsOnly || !roles.iter().any(|r| READER_ROLES.contains(r)) {
            return Standing::Plain;
        }
        let mut perms: BTreeSet<String> = [MANAGED_DEVICES_READ.to_owned()].into();
        if policy == EntraRoles::HelpdeskAsOperator
            && roles.contains(&DirectoryRole::HelpdeskAdministrator)
        {
            for d in &self.s.intune.role_definitions {
                if d.built_in && d.name == HELP_DESK_OPERATOR {
                    perms.extend(d.permissions.iter().cloned());
                }
            }
        }
        Standing::Reader(perms)
    }

    /// R-I8 `not_evaluated`: the licence is unknown and the other reading of it would change
    /// which assignments apply.
    fn licence_matters(&self, user: &EntraUser) -> bool {
        if user.intune_licensed.is_some() || matches!(self.standing(user), Standing::Admin) {
            return false;
        }
        let all = self.assignments_all(&user.id);
        if self.s.tenant.unlicensed_admins {
            self.assignments_direct(&user.id).len() != all.len()
        } else {
            !all.is_empty()
        }
    }

    // ---- the requirement, R-F0 / R-F1 ---------------------------------------------------

    /// R-F3 (rulebook 3): the row `f` is decided by: under `application_actions_split =
    /// single`, `application_management` is decided exactly as `application_actions`.
    fn row_of(&self, f: Feature) -> Feature {
        if f == Feature::ApplicationManagement
            && self.s.policy.application_actions_split == ApplicationActionsSplit::Single
        {
            Feature::ApplicationActions
        } else {
            f
        }
    }

    /// R-F5: the first client version the feature needs, with the snapshot's override; R-F0:
    /// every feature needs `view`, so view's client version joins every feature's (as its
    /// `since` does, R-F3).
    pub fn client_since(&self, f: Feature) -> Option<u32> {
        let own = |f: Feature| {
            let f = self.row_of(f);
            self.s
                .policy
                .features
                .get(&f)
                .and_then(|o| o.client_since)
                .or(table_client_since(f))
        };
        match (own(f), own(Feature::View)) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

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
        own(self.row_of(f)).max(own(Feature::View))
    }

    /// The Intune row of `f` in the mode, with the snapshot's override and the
    /// `combined_page_permissions` knob (R-F1).
    fn intune_row(&self, f: Feature) -> Vec<String> {
        let f = self.row_of(f);
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
            ops(self.row_of(f)).into_iter().collect()
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
            classes(self.row_of(f)).into_iter().collect()
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
        let h = &s.hierarchy;
        // Availability, checked first in this order (R-F3; rulebook 3 readings): the site
        // version, the US Government list, the scripts switch; the first failure is the only
        // reason.
        if h.version < self.since(f) {
            return Answer::only(ReasonCode::FeatureUnavailable);
        }
        if h.cloud == Cloud::UsGovernment
            && s.policy.us_government_features == UsGovernmentFeatures::Documented
            && !US_GOVERNMENT.contains(&f)
        {
            return Answer::only(ReasonCode::FeatureUnavailable);
        }
        let mut not_evaluated: BTreeSet<&'static str> = BTreeSet::new();
        if h.version <= SCRIPTS_SWITCH_UNTIL && SCRIPTS.contains(&f) {
            match h.scripts_feature_enabled {
                Some(false) => return Answer::only(ReasonCode::ScriptsFeatureDisabled),
                None => {
                    not_evaluated.insert("R-F3");
                }
                Some(true) => {}
            }
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

        // R-F5: the device's client (a device condition, independent).
        if let Some(needed) = self.client_since(f) {
            match device.client_version {
                Some(v) if v < needed => {
                    reasons.insert(ReasonCode::ClientVersionTooOld);
                }
                Some(_) => {}
                None => {
                    not_evaluated.insert("R-F5");
                }
            }
        }
        // R-F6: the SMS Provider requires MFA (a hierarchy condition, independent).
        if h.sms_provider_mfa == Some(true) && blocked_by_mfa(f) {
            reasons.insert(ReasonCode::SmsProviderMfa);
        }

        // Intune (R-I).
        reasons.extend(self.intune_reasons(user, device, f, &device_tags));
        if self.licence_matters(user) {
            not_evaluated.insert("R-I8");
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
        if r_g7_not_evaluated {
            not_evaluated.insert("R-G7");
        }
        let allowed = reasons.is_empty();
        Answer {
            allowed,
            codes: reasons,
            missing_class_operations,
            r_g7_not_evaluated,
            not_evaluated,
            advisories: if allowed { self.advisories(f) } else { vec![] },
        }
    }

    /// R-F6 (rulebook 3): the advisories of an allowed decision, in order.
    fn advisories(&self, f: Feature) -> Vec<AdvisoryCode> {
        let mut out = vec![];
        match f {
            Feature::Timeline => out.push(AdvisoryCode::EndpointAnalyticsDataCollection),
            Feature::BitlockerKeys => out.push(AdvisoryCode::BitlockerManagementPolicy),
            Feature::ApplicationActions | Feature::ApplicationManagement => {
                out.push(AdvisoryCode::ClientOnline);
            }
            Feature::Cmpivot | Feature::RunScript => out.push(AdvisoryCode::PowershellOnClient),
            _ => {}
        }
        if self.s.hierarchy.sms_provider_mfa.is_none() && blocked_by_mfa(f) {
            out.push(AdvisoryCode::SmsProviderMfa);
        }
        out
    }

    /// The Intune side (R-I1..R-I8) for one (user, device, feature), with the rulebook 3
    /// readings: reader roles hold their permissions unlimited; an unlicensed user's
    /// assignments are the direct ones (or none); `unlicensed_nested_membership` only where the
    /// side fails without the nested assignments.
    fn intune_reasons(
        &self,
        user: &EntraUser,
        device: &Device,
        f: Feature,
        device_tags: &BTreeSet<String>,
    ) -> BTreeSet<ReasonCode> {
        let mut reasons = BTreeSet::new();
        let role_perms = match self.standing(user) {
            Standing::Admin => return reasons, // R-I1: everything, unlimited.
            Standing::Reader(p) => Some(p),
            Standing::Plain => None,
        };
        let all = self.assignments_all(&user.id);
        let direct = self.assignments_direct(&user.id);
        let licensed = self.licensed(user);
        let setting = self.s.tenant.unlicensed_admins;
        let e = self.effective(user);
        // R-I8: the nested assignments were dropped for this unlicensed user.
        let nested_dropped = !licensed && setting && all.len() != direct.len();
        let held = role_perms.clone().unwrap_or_default();
        let need: Vec<String> = self
            .intune_perms(f)
            .into_iter()
            .filter(|p| !held.contains(p))
            .collect();
        let acting: Vec<String> = self
            .acting_perms(f)
            .into_iter()
            .filter(|p| !held.contains(p))
            .collect();
        match role_perms {
            None => {
                if all.is_empty() {
                    reasons.insert(ReasonCode::NoIntuneRole); // R-I2, stops
                } else if !licensed && !setting {
                    reasons.insert(ReasonCode::NoIntuneLicense); // R-I8, stops
                } else if !licensed && direct.is_empty() {
                    reasons.insert(ReasonCode::UnlicensedNestedMembership); // R-I8, stops
                } else {
                    let r = self.with_assignments(&e, &need, &acting, f, device, device_tags);
                    if !r.is_empty() && nested_dropped {
                        reasons.insert(ReasonCode::UnlicensedNestedMembership);
                    }
                    reasons.extend(r);
                }
            }
            Some(_) => {
                if need.is_empty() {
                    // The reader role holds all of it, on every device.
                } else if e.is_empty() {
                    reasons.insert(if all.is_empty() {
                        ReasonCode::IntunePermissionMissing
                    } else if !setting {
                        ReasonCode::NoIntuneLicense
                    } else {
                        ReasonCode::UnlicensedNestedMembership
                    });
                } else {
                    let r = self.with_assignments(&e, &need, &acting, f, device, device_tags);
                    if !r.is_empty() && nested_dropped {
                        reasons.insert(ReasonCode::UnlicensedNestedMembership);
                    }
                    reasons.extend(r);
                }
            }
        }
        reasons
    }

    /// Rulebook 2's Intune side over the assignments `mine` for the permissions `perms`
    /// (R-I3..R-I7) and the acting permissions `acting` (R-I6).
    fn with_assignments(
        &self,
        mine: &[&RoleAssignment],
        perms: &[String],
        acting: &[String],
        f: Feature,
        device: &Device,
        device_tags: &BTreeSet<String>,
    ) -> BTreeSet<ReasonCode> {
        let s = self.s;
        let mut reasons = BTreeSet::new();
        let tagless = device_tags.is_empty();
        let perms_of = |a: &RoleAssignment| -> BTreeSet<String> {
            s.intune
                .role_definitions
                .iter()
                .find(|d| d.id == a.role)
                .map(|d| d.permissions.iter().cloned().collect())
                .unwrap_or_default()
        };
        let ignore_tags = self.intune_only() && s.policy.intune_only_ignores_scope_tags; // R-I7
        let reaches = |a: &RoleAssignment| -> bool {
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
        for p in perms {
            let holders: Vec<_> = mine.iter().filter(|a| perms_of(a).contains(p)).collect();
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
        if ACTING.contains(&f) && (device.co_managed || s.policy.scope_groups_apply_to_attached) {
            for q in acting {
                let holders: Vec<_> = mine.iter().filter(|a| perms_of(a).contains(q)).collect();
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
        reasons
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
        // R-I1: Global and Intune Administrator; a reader only through the built-in Help Desk
        // Operator under `helpdesk_as_operator`.
        match self.standing(user) {
            Standing::Admin => return (true, eta),
            Standing::Reader(p) if p.contains(ORGANIZATION_DELETE) => return (true, eta),
            _ => {}
        }
        // R-I8: the assignments that apply to the user.
        let ok = self.effective(user).iter().any(|a| {
            s.intune
                .role_definitions
                .iter()
                .any(|d| d.id == a.role && d.permissions.iter().any(|p| p == ORGANIZATION_DELETE))
        });
        (ok, eta)
    }
}
