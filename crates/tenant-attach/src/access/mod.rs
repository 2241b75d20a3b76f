//! The access engine: who may do what on which device, under combined ConfigMgr and Intune
//! RBAC (R-M, R-I, R-S, R-G, R-F, R-H4).
//!
//! Each user is resolved once into a profile: the applicable assignments, the union of
//! their permissions and scope tags (for `merged`), and the ConfigMgr grants per operation as
//! lists of collections. Deciding is then a few lookups with no allocation
//! (`Engine::allows`); explaining (`Engine::check`) walks the same conditions again and
//! writes down every failure, and may allocate. `visible` is set algebra over device bitmaps;
//! `who` runs the fast path once per user.

pub mod configmgr;
pub mod intune;
pub mod mode;

use std::collections::{BTreeMap, HashMap};

use fixedbitset::FixedBitSet;
use roaring::RoaringBitmap;
use serde_json::json;

use crate::collections::CollectionGraph;
use crate::decision::{Decision, Grant, GrantKind, Mode, Reason, ReasonCode};
use crate::devices::{DeviceIndex, DeviceIx, DeviceSet};
use crate::features::{Feature, ORGANIZATION_DELETE, Operation, OperationSet};
use crate::snapshot::{DirectoryRole, PermissionMerge, Snapshot};
use crate::upload::{NotUploaded, UploadScope};
use configmgr::{Block, ConfigMgrIndex, Grants};
use intune::{IntuneIndex, TagReach};

/// An Entra user's position in `$.entra.users`.
pub type UserIx = u32;

/// R-H4: offboarding takes up to 2 hours…
pub const OFFBOARD_MINUTES_MAX: u32 = 120;
/// …a few minutes when the site is 2103+, online and healthy (we count 10).
pub const OFFBOARD_FAST_MINUTES_MAX: u32 = 10;
/// R-H4: wait at least this long before onboarding again after an offboard.
pub const REONBOARD_WAIT_MINUTES: u32 = 120;

/// What a feature needs in the engine's mode, compiled (R-F0, R-F1).
#[derive(Debug, Clone, Default)]
struct Requirement {
    /// Intune permissions: `view`'s and the feature's own, deduplicated.
    perms: Vec<u32>,
    /// For an acting feature, the permissions whose assignments must cover the device by
    /// scope groups (R-I6): the feature's own row, or `view`'s when the row is empty.
    acting: Vec<u32>,
    /// ConfigMgr Collection operations (`combined` mode).
    ops: OperationSet,
}

/// One user, resolved once.
#[derive(Debug, Clone)]
struct Profile {
    user: UserIx,
    directory_role: Option<DirectoryRole>,
    /// Applicable assignments (R-I2), sorted.
    assignments: Vec<u32>,
    /// Union of their permissions (R-I3).
    perms: FixedBitSet,
    /// Union of their scope tags (for `merged`, R-I4).
    reach: TagReach,
    /// ConfigMgr grants (R-G); only resolved in `combined` mode.
    configmgr: Result<Grants, Block>,
}

/// The answer to `offboard` (R-H4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offboard {
    /// Whether the user may offboard the hierarchy from the admin center.
    pub allowed: bool,
    /// For a deny, why.
    pub reasons: Vec<Reason>,
    /// For an allow, what granted it.
    pub grants: Vec<Grant>,
    /// The longest the offboarding takes, in minutes.
    pub eta_minutes_max: u32,
    /// The wait before onboarding again, in minutes.
    pub reonboard_wait_minutes: u32,
}

/// The access side of an engine.
#[derive(Debug, Clone)]
pub(crate) struct Access {
    mode: Mode,
    merge: PermissionMerge,
    check_tags: bool,
    scope_groups_on_attached: bool,
    intune: IntuneIndex,
    configmgr: ConfigMgrIndex,
    profiles: Vec<Profile>,
    requirements: Vec<Requirement>,
    user_by_id: HashMap<String, UserIx>,
    user_by_upn: HashMap<String, UserIx>,
    /// Users sorted by UPN (then id), for `who`.
    users_sorted: Vec<UserIx>,
    all_devices: DeviceSet,
    org_delete: u32,
}

impl Access {
    pub(crate) fn build(s: &Snapshot, devices: &DeviceIndex, graph: &CollectionGraph) -> Access {
        let mode = mode::mode(s);
        let mut intune = IntuneIndex::build(s, devices);
        let requirements = Feature::ALL
            .iter()
            .map(|f| compile_requirement(*f, s, mode, &mut intune.perms))
            .collect();
        let org_delete = intune.perms.intern(ORGANIZATION_DELETE);
        let configmgr = ConfigMgrIndex::build(s, graph);
        let mut stamp = vec![u32::MAX; s.entra.groups.len()];
        let profiles = s
            .entra
            .users
            .iter()
            .enumerate()
            .map(|(u, user)| {
                let assignments = applicable(&intune, u, &mut stamp);
                let mut perms = FixedBitSet::with_capacity(intune.perms.len());
                let mut all = false;
                let mut tags = Vec::new();
                for a in &assignments {
                    if let Some(a) = intune.assignments.get(*a as usize) {
                        perms.union_with(&a.perms);
                        match &a.tags {
                            TagReach::All => all = true,
                            TagReach::Tags(t) => tags.extend_from_slice(t),
                        }
                    }
                }
                tags.sort_unstable();
                tags.dedup();
                Profile {
                    user: u as UserIx,
                    directory_role: user.directory_roles.iter().min().copied(),
                    assignments,
                    perms,
                    reach: if all {
                        TagReach::All
                    } else {
                        TagReach::Tags(tags)
                    },
                    configmgr: match mode {
                        Mode::Combined => configmgr.resolve(user),
                        Mode::IntuneOnly => Err(Block::NoAdmin),
                    },
                }
            })
            .collect();
        let mut user_by_id = HashMap::with_capacity(s.entra.users.len());
        let mut user_by_upn = HashMap::with_capacity(s.entra.users.len());
        for (i, u) in s.entra.users.iter().enumerate() {
            user_by_id.entry(u.id.clone()).or_insert(i as UserIx);
            user_by_upn
                .entry(u.upn.to_lowercase())
                .or_insert(i as UserIx);
        }
        let mut users_sorted: Vec<UserIx> = (0..s.entra.users.len() as UserIx).collect();
        users_sorted.sort_by_key(|u| {
            s.entra
                .users
                .get(*u as usize)
                .map(|u| (u.upn.to_lowercase(), u.id.clone()))
        });
        Access {
            mode,
            merge: s.tenant.intune_permission_merge,
            check_tags: !(mode == Mode::IntuneOnly && s.policy.intune_only_ignores_scope_tags),
            scope_groups_on_attached: s.policy.scope_groups_apply_to_attached,
            intune,
            configmgr,
            profiles,
            requirements,
            user_by_id,
            user_by_upn,
            users_sorted,
            all_devices: (0..devices.len() as DeviceIx).collect(),
            org_delete,
        }
    }

    pub(crate) fn mode(&self) -> Mode {
        self.mode
    }

    pub(crate) fn find_user(&self, upn_or_id: &str) -> Option<UserIx> {
        self.user_by_id
            .get(upn_or_id)
            .or_else(|| self.user_by_upn.get(&upn_or_id.to_lowercase()))
            .copied()
    }

    pub(crate) fn users_sorted(&self) -> &[UserIx] {
        &self.users_sorted
    }

    fn requirement(&self, f: Feature) -> &Requirement {
        static NONE: Requirement = Requirement {
            perms: Vec::new(),
            acting: Vec::new(),
            ops: OperationSet::EMPTY,
        };
        self.requirements.get(f as usize).unwrap_or(&NONE)
    }

    fn scope_groups_apply(&self, f: Feature, d: DeviceIx) -> bool {
        f.is_acting() && (self.scope_groups_on_attached || self.intune.co_managed.contains(d))
    }

    /// The fast path: no allocation, no explanation.
    pub(crate) fn allows(
        &self,
        upload: &UploadScope,
        graph: &CollectionGraph,
        u: UserIx,
        d: DeviceIx,
        f: Feature,
    ) -> bool {
        let Some(p) = self.profiles.get(u as usize) else {
            return false;
        };
        if !upload.is_uploaded(d) || self.intune.tagless.contains(d) {
            return false;
        }
        let req = self.requirement(f);
        if p.directory_role.is_none() {
            if p.assignments.is_empty() {
                return false;
            }
            let holds = |a: &u32, perm: u32| {
                self.intune
                    .assignments
                    .get(*a as usize)
                    .is_some_and(|a| a.perms.contains(perm as usize))
            };
            let ok = match self.merge {
                PermissionMerge::Merged => {
                    req.perms.iter().all(|q| p.perms.contains(*q as usize))
                        && (!self.check_tags || self.intune.reaches(&p.reach, d))
                }
                PermissionMerge::Scoped => req.perms.iter().all(|q| {
                    p.assignments.iter().any(|a| {
                        holds(a, *q)
                            && (!self.check_tags
                                || self
                                    .intune
                                    .assignments
                                    .get(*a as usize)
                                    .is_some_and(|a| self.intune.reaches(&a.tags, d)))
                    })
                }),
            };
            if !ok {
                return false;
            }
            if self.scope_groups_apply(f, d)
                && !req.acting.iter().all(|q| {
                    p.assignments.iter().any(|a| {
                        holds(a, *q)
                            && self
                                .intune
                                .assignments
                                .get(*a as usize)
                                .is_some_and(|a| self.intune.covers(&a.cover, d))
                    })
                })
            {
                return false;
            }
        }
        if self.mode == Mode::Combined {
            let Ok(grants) = &p.configmgr else {
                return false;
            };
            return req.ops.iter().all(|op| {
                grants
                    .collections(op)
                    .iter()
                    .any(|c| graph.members(*c).contains(d))
            });
        }
        true
    }

    /// The devices `u` may use `f` on: set algebra over device bitmaps.
    pub(crate) fn visible(
        &self,
        upload: &UploadScope,
        graph: &CollectionGraph,
        u: UserIx,
        f: Feature,
    ) -> DeviceSet {
        let Some(p) = self.profiles.get(u as usize) else {
            return DeviceSet::new();
        };
        let req = self.requirement(f);
        let mut set: RoaringBitmap = &upload.uploaded().0 - &self.intune.tagless.0;
        if p.directory_role.is_none() {
            if p.assignments.is_empty() {
                return DeviceSet::new();
            }
            let holding = |q: u32| {
                p.assignments
                    .iter()
                    .filter_map(|a| self.intune.assignments.get(*a as usize))
                    .filter(move |a| a.perms.contains(q as usize))
            };
            match self.merge {
                PermissionMerge::Merged => {
                    if !req.perms.iter().all(|q| p.perms.contains(*q as usize)) {
                        return DeviceSet::new();
                    }
                    if self.check_tags {
                        set &= self.intune.reach_set(&p.reach, &self.all_devices);
                    }
                }
                PermissionMerge::Scoped => {
                    for q in &req.perms {
                        let mut reach = RoaringBitmap::new();
                        for a in holding(*q) {
                            if self.check_tags {
                                reach |= self.intune.reach_set(&a.tags, &self.all_devices);
                            } else {
                                reach |= &self.all_devices.0;
                            }
                        }
                        set &= reach;
                    }
                }
            }
            if f.is_acting() {
                let limited = if self.scope_groups_on_attached {
                    &self.all_devices.0
                } else {
                    &self.intune.co_managed.0
                };
                for q in &req.acting {
                    let mut covered = RoaringBitmap::new();
                    for a in holding(*q) {
                        covered |= self.intune.cover_set(&a.cover, &self.all_devices);
                    }
                    set -= limited - &covered;
                }
            }
        }
        if self.mode == Mode::Combined {
            let Ok(grants) = &p.configmgr else {
                return DeviceSet::new();
            };
            for op in req.ops.iter() {
                let mut granted = RoaringBitmap::new();
                for c in grants.collections(op) {
                    granted |= &graph.members(*c).0;
                }
                set &= granted;
            }
        }
        DeviceSet(set)
    }

    /// For each user, the number of its class: users with the same directory role, the same
    /// applicable assignments and the same ConfigMgr grants decide alike on every device, so
    /// set-wide queries (`diff`, `report`) compute once per class.
    pub(crate) fn user_classes(&self) -> Vec<u32> {
        type Key<'a> = (
            Option<DirectoryRole>,
            &'a [u32],
            Result<&'a [Vec<u32>], Block>,
        );
        let mut seen: HashMap<Key<'_>, u32> = HashMap::new();
        self.profiles
            .iter()
            .map(|p| {
                let key: Key<'_> = (
                    p.directory_role,
                    p.assignments.as_slice(),
                    p.configmgr
                        .as_ref()
                        .map(|g| g.by_op.as_slice())
                        .map_err(|b| *b),
                );
                let next = seen.len() as u32;
                *seen.entry(key).or_insert(next)
            })
            .collect()
    }

    /// Features grouped by identical compiled requirements: within a group, every decision is
    /// the same, so set-wide queries (`diff`, `report`) compute one per group.
    pub(crate) fn feature_classes(&self) -> Vec<Vec<Feature>> {
        let key = |f: Feature| {
            let r = self.requirement(f);
            let mut perms = r.perms.clone();
            perms.sort_unstable();
            let mut acting = r.acting.clone();
            acting.sort_unstable();
            (perms, acting, r.ops)
        };
        let mut classes: Vec<(_, Vec<Feature>)> = Vec::new();
        for f in Feature::ALL {
            let k = key(*f);
            match classes.iter_mut().find(|(ck, _)| *ck == k) {
                Some((_, fs)) => fs.push(*f),
                None => classes.push((k, vec![*f])),
            }
        }
        classes.into_iter().map(|(_, fs)| fs).collect()
    }

    pub(crate) fn intune_holds(&self, u: UserIx, f: Feature) -> bool {
        let Some(p) = self.profiles.get(u as usize) else {
            return false;
        };
        p.directory_role.is_some()
            || (!p.assignments.is_empty()
                && self
                    .requirement(f)
                    .perms
                    .iter()
                    .all(|q| p.perms.contains(*q as usize)))
    }

    pub(crate) fn configmgr_grants_somewhere(&self, u: UserIx, f: Feature) -> Option<bool> {
        if self.mode != Mode::Combined {
            return None;
        }
        let grants = self.profiles.get(u as usize)?.configmgr.as_ref().ok()?;
        Some(
            self.requirement(f)
                .ops
                .iter()
                .all(|op| !grants.collections(op).is_empty()),
        )
    }

    pub(crate) fn assignments_of(&self, u: UserIx) -> Vec<usize> {
        self.profiles
            .get(u as usize)
            .map(|p| {
                p.assignments
                    .iter()
                    .filter_map(|a| self.intune.assignments.get(*a as usize))
                    .map(|a| a.position)
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(crate) fn configmgr_block(&self, u: UserIx) -> Option<ReasonCode> {
        if self.mode != Mode::Combined {
            return None;
        }
        match self.profiles.get(u as usize)?.configmgr {
            Ok(_) => None,
            Err(Block::CloudOnly) => Some(ReasonCode::CloudOnlyAccount),
            Err(Block::NotDiscovered) => Some(ReasonCode::NotDiscovered),
            Err(Block::NoAdmin) => Some(ReasonCode::ConfigmgrAdminMissing),
        }
    }

    /// R-H4: may `u` offboard the hierarchy from the admin center, and how long it takes.
    pub(crate) fn offboard(&self, s: &Snapshot, u: UserIx) -> Offboard {
        let h = &s.hierarchy;
        let fast = h.version >= configmgr::EITHER_DISCOVERY_SINCE && h.online && h.healthy;
        let mut out = Offboard {
            allowed: false,
            reasons: Vec::new(),
            grants: Vec::new(),
            eta_minutes_max: if fast {
                OFFBOARD_FAST_MINUTES_MAX
            } else {
                OFFBOARD_MINUTES_MAX
            },
            reonboard_wait_minutes: REONBOARD_WAIT_MINUTES,
        };
        let Some(p) = self.profiles.get(u as usize) else {
            return out;
        };
        if h.attach.state != crate::snapshot::AttachState::Attached {
            out.reasons.push(Reason {
                code: ReasonCode::NotAttached,
                rule: "R-U1",
                detail: String::from("the hierarchy is not attached: there is nothing to offboard"),
            });
        }
        if let Some(role) = p.directory_role {
            out.grants.push(directory_role_grant(role));
        } else if p.assignments.is_empty() {
            out.reasons.push(Reason {
                code: ReasonCode::NoIntuneRole,
                rule: "R-H4",
                detail: String::from("no Intune role assignment applies to the user, and offboarding needs Organization_Delete"),
            });
        } else {
            for a in &p.assignments {
                if let Some(ca) = self.intune.assignments.get(*a as usize)
                    && ca.perms.contains(self.org_delete as usize)
                    && let Some(sa) = s.intune.role_assignments.get(ca.position)
                {
                    out.grants.push(Grant {
                        kind: GrantKind::IntuneAssignment,
                        id: sa.id.clone(),
                        detail: format!(
                            "assignment `{}` (role `{}`) holds Organization_Delete",
                            sa.name,
                            role_name(s, ca.definition)
                        ),
                    });
                }
            }
            if out.grants.is_empty() {
                out.reasons.push(Reason {
                    code: ReasonCode::IntunePermissionMissing,
                    rule: "R-H4",
                    detail: String::from("none of the user's Intune roles holds Microsoft.Intune_Organization_Delete"),
                });
            }
        }
        out.allowed = out.reasons.is_empty();
        if !out.allowed {
            out.grants.clear();
        }
        out
    }
}

/// R-F0, R-F1: what `f` needs in `mode`, with `policy.features` overrides; permission strings
/// are interned so that a check compares numbers.
fn compile_requirement(
    f: Feature,
    s: &Snapshot,
    mode: Mode,
    perms: &mut intune::Permissions,
) -> Requirement {
    let view = Feature::View.requirement(&s.policy);
    let own = f.requirement(&s.policy);
    let pick = |r: &crate::features::Requirement| match mode {
        Mode::Combined => r.intune_combined.clone(),
        Mode::IntuneOnly => r.intune_only.clone(),
    };
    let view_perms = pick(&view);
    let own_perms = pick(&own);
    let mut all: Vec<u32> = Vec::new();
    for p in view_perms.iter().chain(&own_perms) {
        let id = perms.intern(p);
        if !all.contains(&id) {
            all.push(id);
        }
    }
    let acting = if f.is_acting() {
        let row = if own_perms.is_empty() {
            &view_perms
        } else {
            &own_perms
        };
        let mut ids: Vec<u32> = row.iter().map(|p| perms.intern(p)).collect();
        ids.dedup();
        ids
    } else {
        Vec::new()
    };
    // `view`'s own row is the one the knob gates; any other feature adds its row to it.
    let mut ops: OperationSet = if f == Feature::View {
        OperationSet::EMPTY
    } else {
        own.configmgr.iter().copied().collect()
    };
    if s.policy.configmgr_gates_view {
        for op in &view.configmgr {
            ops.insert(*op);
        }
    }
    Requirement {
        perms: all,
        acting,
        ops,
    }
}

/// R-I2: the assignments whose member groups hold the user, directly or through nesting
/// (cycles tolerated: each group is visited once, marked with the user's number).
fn applicable(intune: &IntuneIndex, u: usize, stamp: &mut [u32]) -> Vec<u32> {
    let mut out = Vec::new();
    let mut stack: Vec<u32> = intune.user_groups.get(u).cloned().unwrap_or_default();
    while let Some(g) = stack.pop() {
        match stamp.get_mut(g as usize) {
            Some(s) if *s != u as u32 => *s = u as u32,
            _ => continue,
        }
        out.extend(
            intune
                .group_assignments
                .get(g as usize)
                .into_iter()
                .flatten(),
        );
        stack.extend(intune.group_parents.get(g as usize).into_iter().flatten());
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn directory_role_grant(role: DirectoryRole) -> Grant {
    Grant {
        kind: GrantKind::DirectoryRole,
        id: role.as_str().to_owned(),
        detail: format!(
            "Entra {} holds every Intune permission, unlimited by scope tags or scope groups (R-I1)",
            role.display_name()
        ),
    }
}

fn role_name(s: &Snapshot, definition: Option<usize>) -> &str {
    definition
        .and_then(|d| s.intune.role_definitions.get(d))
        .map_or("?", |d| d.name.as_str())
}

/// What the explanation collects: the failed conditions, the grants, the knobs used.
#[derive(Debug, Default)]
struct Outcome {
    reasons: Vec<Reason>,
    grants: Vec<Grant>,
    knobs: BTreeMap<String, serde_json::Value>,
}

/// The explanation path: slower, allocating, complete.
pub(crate) struct Explain<'a> {
    pub(crate) access: &'a Access,
    pub(crate) s: &'a Snapshot,
    pub(crate) upload: &'a UploadScope,
    pub(crate) graph: &'a CollectionGraph,
    pub(crate) devices: &'a DeviceIndex,
}

impl Explain<'_> {
    fn device_name(&self, d: DeviceIx) -> &str {
        self.devices
            .position(d)
            .and_then(|p| self.s.devices.get(p))
            .map_or("?", |d| d.name.as_str())
    }

    fn collection_label(&self, c: u32) -> String {
        let name = self
            .s
            .collections
            .get(c as usize)
            .map_or("?", |c| c.name.as_str());
        format!("`{name}` ({})", self.graph.id(c))
    }

    fn upn(&self, p: &Profile) -> &str {
        self.s
            .entra
            .users
            .get(p.user as usize)
            .map_or("?", |u| u.upn.as_str())
    }

    fn perm(&self, q: u32) -> String {
        let name = self.access.intune.perms.name(q);
        name.strip_prefix(crate::features::INTUNE_PREFIX)
            .unwrap_or(name)
            .to_owned()
    }

    /// The explained decision: every failed condition in evaluation order, or the grants.
    pub(crate) fn decide(&self, u: UserIx, d: DeviceIx, f: Feature) -> Decision {
        let a = self.access;
        let s = self.s;
        let user = s.entra.users.get(u as usize);
        let p = a.profiles.get(u as usize);
        let req = a.requirement(f);
        let dev = self.device_name(d).to_owned();
        let mut out = Outcome::default();
        for feature in [Feature::View, f] {
            if let Some(o) = s.policy.features.get(&feature) {
                out.knobs.insert(
                    format!("features.{feature}"),
                    serde_json::to_value(o).unwrap_or_default(),
                );
            }
        }

        // 1. Upload (R-F0, R-U).
        let client = self
            .devices
            .position(d)
            .and_then(|p| s.devices.get(p))
            .is_some_and(|d| d.client);
        if !self.upload.is_all_devices() {
            out.knobs.insert(
                String::from("child_relations"),
                json!(
                    s.policy
                        .child_relations
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                ),
            );
        }
        if self.upload.is_uploaded(d) {
            let via: Vec<String> = self
                .upload
                .via(d)
                .iter()
                .map(|c| self.graph.id(*c).to_owned())
                .collect();
            out.grants.push(Grant {
                kind: GrantKind::Upload,
                id: via
                    .last()
                    .cloned()
                    .unwrap_or_else(|| String::from("all_devices")),
                detail: if via.is_empty() {
                    format!("`{dev}` is uploaded: all devices with a client are (R-U3)")
                } else {
                    format!("`{dev}` is uploaded through {} (R-U4)", via.join(" → "))
                },
            });
        } else {
            for r in self.upload.reasons(d, client) {
                out.reasons.push(Reason {
                    code: upload_code(r),
                    rule: self.upload.rule(r),
                    detail: upload_detail(r, &dev),
                });
            }
        }

        // 2. Device tags (R-S2).
        let tagless = a.intune.tagless.contains(d);
        if tagless {
            out.reasons.push(Reason {
                code: ReasonCode::MissingDefaultScopeTag,
                rule: "R-S2",
                detail: format!("`{dev}` is tenant-attached and its Default scope tag was removed: it is displayed to nobody"),
            });
        }

        // 3. Intune (R-I, R-F2).
        if let Some(p) = p {
            self.intune_side(p, req, (d, f), tagless, &mut out);
        }

        // 4. ConfigMgr (R-G), combined mode only.
        if a.mode == Mode::Combined {
            out.knobs.insert(
                String::from("configmgr_gates_view"),
                json!(s.policy.configmgr_gates_view),
            );
            if let (Some(p), Some(user)) = (p, user) {
                self.configmgr_side(p, user, req, d, &mut out);
            }
        }

        let Outcome {
            reasons,
            mut grants,
            knobs,
        } = out;
        let allowed = reasons.is_empty();
        if !allowed {
            grants.clear();
        }
        Decision {
            user: user.map(|u| u.id.clone()).unwrap_or_default(),
            device_ix: d,
            feature: f,
            mode: a.mode,
            allowed,
            reasons,
            grants,
            not_evaluated: Vec::new(),
            policy: knobs,
        }
    }

    fn intune_side(
        &self,
        p: &Profile,
        req: &Requirement,
        (d, f): (DeviceIx, Feature),
        tagless: bool,
        out: &mut Outcome,
    ) {
        let a = self.access;
        let s = self.s;
        let dev = self.device_name(d).to_owned();
        if let Some(role) = p.directory_role {
            out.grants.push(directory_role_grant(role));
            return;
        }
        if p.assignments.is_empty() {
            out.reasons.push(Reason {
                code: ReasonCode::NoIntuneRole,
                rule: "R-I2",
                detail: format!(
                    "no Intune role assignment applies to `{}` (directly or through nested groups)",
                    self.upn(p)
                ),
            });
            return;
        }
        let assignments: Vec<&intune::Assignment> = p
            .assignments
            .iter()
            .filter_map(|i| a.intune.assignments.get(*i as usize))
            .collect();
        if a.mode == Mode::IntuneOnly {
            out.knobs.insert(
                String::from("intune_only_ignores_scope_tags"),
                json!(s.policy.intune_only_ignores_scope_tags),
            );
        }
        let check_tags = a.check_tags && !tagless;
        if check_tags && assignments.iter().any(|x| x.untagged) {
            out.knobs.insert(
                String::from("untagged_assignment"),
                serde_json::to_value(s.policy.untagged_assignment).unwrap_or_default(),
            );
        }
        let tag_list = |t: &TagReach| match t {
            TagReach::All => String::from("all tags (untagged)"),
            TagReach::Tags(t) => t
                .iter()
                .map(|t| format!("`{}`", a.intune.tag_name(*t)))
                .collect::<Vec<_>>()
                .join(", "),
        };
        let device_tags = a
            .intune
            .device_tags
            .row(d)
            .iter()
            .map(|t| format!("`{}`", a.intune.tag_name(*t)))
            .collect::<Vec<_>>()
            .join(", ");
        let mut used: Vec<usize> = Vec::new();
        let mut any_held = false;
        for q in &req.perms {
            let holders: Vec<&&intune::Assignment> = assignments
                .iter()
                .filter(|x| x.perms.contains(*q as usize))
                .collect();
            if holders.is_empty() {
                out.reasons.push(Reason {
                    code: ReasonCode::IntunePermissionMissing,
                    rule: "R-I3",
                    detail: format!(
                        "none of the Intune roles of `{}` holds {}",
                        self.upn(p),
                        self.perm(*q)
                    ),
                });
                continue;
            }
            any_held = true;
            match a.merge {
                PermissionMerge::Merged => used.extend(holders.iter().map(|x| x.position)),
                PermissionMerge::Scoped => {
                    let reaching: Vec<&&&intune::Assignment> = holders
                        .iter()
                        .filter(|x| !check_tags || a.intune.reaches(&x.tags, d))
                        .collect();
                    if reaching.is_empty() {
                        out.reasons.push(Reason {
                            code: ReasonCode::ScopeTagMismatch,
                            rule: "R-I4",
                            detail: format!(
                                "the assignments that hold {} carry scope tags {} and `{dev}` carries {device_tags} (scoped permissions: the tag must be on the same assignment)",
                                self.perm(*q),
                                holders.iter().map(|x| tag_list(&x.tags)).collect::<Vec<_>>().join("; "),
                            ),
                        });
                    } else {
                        used.extend(reaching.iter().map(|x| x.position));
                    }
                }
            }
        }
        if a.merge == PermissionMerge::Merged && any_held && check_tags {
            if a.intune.reaches(&p.reach, d) {
                used.extend(
                    assignments
                        .iter()
                        .filter(|x| a.intune.reaches(&x.tags, d))
                        .map(|x| x.position),
                );
            } else {
                out.reasons.push(Reason {
                    code: ReasonCode::ScopeTagMismatch,
                    rule: "R-I5",
                    detail: format!(
                        "the assignments of `{}` carry scope tags {} and `{dev}` carries {device_tags}",
                        self.upn(p),
                        tag_list(&p.reach)
                    ),
                });
            }
        }
        if f.is_acting() {
            let co_managed = a.intune.co_managed.contains(d);
            if !co_managed {
                out.knobs.insert(
                    String::from("scope_groups_apply_to_attached"),
                    json!(a.scope_groups_on_attached),
                );
            }
            if a.scope_groups_apply(f, d) {
                for q in &req.acting {
                    let holders: Vec<&&intune::Assignment> = assignments
                        .iter()
                        .filter(|x| x.perms.contains(*q as usize))
                        .collect();
                    if holders.is_empty() {
                        continue;
                    }
                    if !holders.iter().any(|x| a.intune.covers(&x.cover, d)) {
                        out.reasons.push(Reason {
                            code: ReasonCode::ScopeGroupMismatch,
                            rule: "R-I6",
                            detail: format!(
                                "no assignment that holds {} has `{dev}` in its scope (groups)",
                                self.perm(*q)
                            ),
                        });
                    }
                }
            }
        }
        used.sort_unstable();
        used.dedup();
        for pos in used {
            let Some(sa) = s.intune.role_assignments.get(pos) else {
                continue;
            };
            let Some(ca) = a.intune.assignments.iter().find(|x| x.position == pos) else {
                continue;
            };
            let held: Vec<String> = req
                .perms
                .iter()
                .filter(|q| ca.perms.contains(**q as usize))
                .map(|q| self.perm(*q))
                .collect();
            out.grants.push(Grant {
                kind: GrantKind::IntuneAssignment,
                id: sa.id.clone(),
                detail: format!(
                    "assignment `{}` (role `{}`, scope tags {}){}",
                    sa.name,
                    role_name(s, ca.definition),
                    tag_list(&ca.tags),
                    if held.is_empty() {
                        String::from(" reaches the device")
                    } else {
                        format!(" grants {}", held.join(", "))
                    }
                ),
            });
        }
    }

    fn configmgr_side(
        &self,
        p: &Profile,
        user: &crate::snapshot::EntraUser,
        req: &Requirement,
        d: DeviceIx,
        out: &mut Outcome,
    ) {
        let a = self.access;
        let s = self.s;
        let dev = self.device_name(d).to_owned();
        if user.on_premises_sid.is_some() {
            out.knobs.insert(
                String::from("discovery_required"),
                serde_json::to_value(s.policy.discovery_required).unwrap_or_default(),
            );
        }
        let g = match &p.configmgr {
            Err(Block::CloudOnly) => {
                out.reasons.push(Reason {
                    code: ReasonCode::CloudOnlyAccount,
                    rule: "R-G1",
                    detail: format!("`{}` is a cloud-only account: ConfigMgr RBAC is enforced and needs a hybrid identity synced from AD", user.upn),
                });
                return;
            }
            Err(Block::NotDiscovered) => {
                let (ad, entra) = user
                    .on_premises_sid
                    .as_deref()
                    .map_or((false, false), |sid| a.configmgr.discovery(sid));
                let found = match (ad, entra) {
                    (true, true) => "both",
                    (true, false) => "AD user discovery only",
                    (false, true) => "Entra user discovery only",
                    (false, false) => "neither discovery",
                };
                let needs = if a.configmgr.needs_both_discoveries() {
                    "both AD and Entra user discovery"
                } else {
                    "AD or Entra user discovery"
                };
                out.reasons.push(Reason {
                    code: ReasonCode::NotDiscovered,
                    rule: "R-G2",
                    detail: format!("`{}` was found by {found}; version {} with discovery_required `{}` needs {needs}", user.upn, s.hierarchy.version, s.policy.discovery_required.as_str()),
                });
                return;
            }
            Err(Block::NoAdmin) => {
                out.reasons.push(Reason {
                    code: ReasonCode::ConfigmgrAdminMissing,
                    rule: "R-G3",
                    detail: format!("no ConfigMgr administrative user matches the SID of `{}` or of its AD groups", user.upn),
                });
                return;
            }
            Ok(g) => g,
        };
        let mut used: BTreeMap<(u32, u32, u32), Vec<Operation>> = BTreeMap::new();
        for op in req.ops.iter() {
            let holding: Vec<u32> = g
                .collections(op)
                .iter()
                .copied()
                .filter(|c| self.graph.members(*c).contains(d))
                .collect();
            if holding.is_empty() {
                let elsewhere = g.collections(op);
                let detail = if elsewhere.is_empty() {
                    format!(
                        "no ConfigMgr role of `{}` grants {} on any collection",
                        user.upn,
                        op.display_name()
                    )
                } else {
                    format!(
                        "the ConfigMgr roles of `{}` grant {} only on {}, which do not contain `{dev}`",
                        user.upn,
                        op.display_name(),
                        elsewhere
                            .iter()
                            .map(|c| self.collection_label(*c))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                out.reasons.push(Reason {
                    code: ReasonCode::ConfigmgrPermissionMissing,
                    rule: "R-G4",
                    detail,
                });
                continue;
            }
            for admin in &g.admins {
                for pair in a.configmgr.pairs.get(*admin as usize).into_iter().flatten() {
                    if pair.ops.contains(op) && holding.contains(&pair.collection) {
                        used.entry((pair.admin, pair.role, pair.collection))
                            .or_default()
                            .push(op);
                    }
                }
            }
        }
        for ((admin, role, collection), ops) in used {
            let (Some(ad), Some(r)) = (
                s.configmgr.admins.get(admin as usize),
                s.configmgr.roles.get(role as usize),
            ) else {
                continue;
            };
            out.grants.push(Grant {
                kind: GrantKind::ConfigmgrAssociation,
                id: format!("{}/{}/{}", ad.id, r.id, self.graph.id(collection)),
                detail: format!(
                    "`{}`: role `{}` on collection {} grants {}{}",
                    ad.account,
                    r.name,
                    self.collection_label(collection),
                    ops.iter()
                        .map(|o| o.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    if r.id == configmgr::FULL_ADMINISTRATOR {
                        " (Full Administrator, R-G5)"
                    } else {
                        ""
                    }
                ),
            });
        }
    }
}

fn upload_code(r: NotUploaded) -> ReasonCode {
    match r {
        NotUploaded::NotAttached => ReasonCode::NotAttached,
        NotUploaded::UploadUnsupportedCloud => ReasonCode::UploadUnsupportedCloud,
        NotUploaded::NotUploadedNoClient => ReasonCode::NotUploadedNoClient,
        NotUploaded::NotUploadedOutOfScope => ReasonCode::NotUploadedOutOfScope,
    }
}

fn upload_detail(r: NotUploaded, dev: &str) -> String {
    match r {
        NotUploaded::NotAttached => {
            String::from("the hierarchy is not attached: nothing is uploaded")
        }
        NotUploaded::UploadUnsupportedCloud => String::from(
            "the hierarchy's cloud (or its version on that cloud) cannot upload devices",
        ),
        NotUploaded::NotUploadedNoClient => {
            format!("`{dev}` has no ConfigMgr client, so it is not uploaded")
        }
        NotUploaded::NotUploadedOutOfScope => {
            format!("`{dev}` is in neither the upload collection nor its child collections")
        }
    }
}
