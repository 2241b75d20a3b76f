//! The access engine: who may do what on which device, under combined ConfigMgr and Intune
//! RBAC (R-M, R-I, R-S, R-G, R-F, R-H4).
//!
//! Each user is resolved once into a profile: the applicable assignments, the union of
//! their permissions and scope tags (for `merged`), and the ConfigMgr grants per operation as
//! lists of collections. Deciding is then a few lookups with no allocation
//! (`Engine::allows`); explaining (`Engine::check`) walks the same conditions again and
//! writes down every failure, and may allocate. `visible` is set algebra over device bitmaps;
//! `who` runs the fast path once per user.

mod availability;
pub mod configmgr;
mod explain;
pub mod intune;
mod licence;
pub mod mode;
mod same;

pub use availability::SCRIPTS_OPTIONAL_UNTIL;
pub use licence::HELP_DESK_OPERATOR;

use std::collections::HashMap;

use fixedbitset::FixedBitSet;
use roaring::RoaringBitmap;

use crate::collections::CollectionGraph;
use crate::decision::{Grant, GrantKind, Mode, Reason, ReasonCode};
use crate::devices::{DeviceIndex, DeviceNo};
use crate::features::{Feature, ORGANIZATION_DELETE, OperationSet};
use crate::snapshot::{DirectoryRole, PermissionMerge, Policy, Snapshot};
use crate::upload::UploadScope;
use configmgr::{Block, ClassSet, ConfigMgrIndex, Grants};
pub(crate) use explain::Explain;
use intune::{IntuneIndex, TagReach};

/// An Entra user's position in `$.entra.users`, inside the crate.
pub(crate) type UserNo = u32;

/// A user of one engine: obtained from [`crate::Engine::find_user`] or
/// [`crate::Engine::users`], and only meaningful to the engine that issued it (and its what-if
/// siblings). Every query given a handle the engine does not hold answers no, never yes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserIx {
    ix: UserNo,
    stamp: crate::devices::Stamp,
}

impl UserIx {
    pub(crate) fn new(ix: UserNo, stamp: crate::devices::Stamp) -> UserIx {
        UserIx { ix, stamp }
    }

    /// The user's position in `$.entra.users`, for the caller's own per-user tables.
    pub fn index(self) -> u32 {
        self.ix
    }

    /// The engine that issued the handle.
    pub fn stamp(self) -> crate::devices::Stamp {
        self.stamp
    }

    /// The raw number, if the handle belongs to `stamp`.
    pub(crate) fn no(self, stamp: crate::devices::Stamp) -> Option<UserNo> {
        (self.stamp == stamp).then_some(self.ix)
    }
}

/// R-H4: offboarding takes up to 2 hours…
pub const OFFBOARD_MINUTES_MAX: u32 = 120;
/// …a few minutes when the site is 2103+, online and healthy (we count 10).
pub const OFFBOARD_FAST_MINUTES_MAX: u32 = 10;
/// R-H4: offboarding is fast ("a few minutes") from this version, online and healthy.
pub const OFFBOARD_FAST_SINCE: u32 = 2103;
/// R-H4: wait at least this long before onboarding again after an offboard.
pub const REONBOARD_WAIT_MINUTES: u32 = 120;

/// What a feature needs in the engine's mode, compiled (R-F0, R-F1).
#[derive(Debug, Clone, Default, PartialEq)]
struct Requirement {
    /// Intune permissions: `view`'s and the feature's own, deduplicated.
    perms: Vec<u32>,
    /// For an acting feature, the permissions whose assignments must cover the device by
    /// scope groups (R-I6): the feature's own row, or `view`'s when the row is empty.
    acting: Vec<u32>,
    /// ConfigMgr Collection operations (`combined` mode).
    ops: OperationSet,
    /// Operations on other secured classes (`combined` mode, R-G6).
    classes: ClassSet,
    /// The first version with the feature (R-F3).
    since: u32,
    /// Why the feature does not exist on this hierarchy, if it does not (R-F3).
    unavailable: Option<availability::Unavailable>,
    /// The first client version with the feature (R-F5).
    client_since: Option<u32>,
    /// Devices whose known client is older than `client_since` (R-F5).
    too_old: RoaringBitmap,
    /// Whether the SMS Provider's multi-factor authentication blocks the feature (R-F6).
    provider_mfa: bool,
    /// Whether R-G2 needs both user discoveries for this feature.
    both_discoveries: bool,
    /// Whether R-G7 applies (`run_script` with `configmgr.scripts` listed).
    script: bool,
}

/// One user, resolved once.
#[derive(Debug, Clone)]
struct Profile {
    user: UserNo,
    /// Global or Intune Administrator: every Intune permission, unlimited (R-I1).
    directory_role: Option<DirectoryRole>,
    /// Otherwise, the reader role whose permissions the user holds unlimited (R-I1,
    /// rulebook 3), under `entra_roles`.
    reader: Option<DirectoryRole>,
    /// Applicable assignments (R-I2, R-I8), sorted.
    assignments: Vec<u32>,
    /// How the licence decided `assignments` (R-I8), kept out of line: `None` for the usual
    /// licensed user whose licence the snapshot gives (the fast path never reads it).
    licence: Option<Box<licence::LicenceNote>>,
    /// Union of their permissions (R-I3).
    perms: FixedBitSet,
    /// Union of their scope tags (for `merged`, R-I4).
    reach: TagReach,
    /// (AD, Entra) user discovery of the user's SID (R-G2, which depends on the feature).
    discovery: (bool, bool),
    /// ConfigMgr grants (R-G); only resolved in `combined` mode.
    configmgr: Result<Grants, Block>,
}

impl Profile {
    /// Whether any assignment reaches the user, whatever the licence (R-I2).
    fn reached(&self) -> bool {
        self.licence
            .as_ref()
            .map_or(!self.assignments.is_empty(), |n| n.reached)
    }

    /// How the licence decided the assignments (R-I8).
    fn licence_case(&self) -> licence::LicenceCase {
        self.licence
            .as_ref()
            .map_or(licence::LicenceCase::Licensed, |n| n.case)
    }

    /// Under `DirectOnly`, the assignments reached only through nested groups (R-I8).
    fn nested_only(&self) -> &[u32] {
        self.licence
            .as_ref()
            .map_or(&[], |n| n.nested_only.as_slice())
    }

    /// Whether the decision rests on `licence_unknown` (R-I8, listed as not evaluated).
    fn licence_unknown_matters(&self) -> bool {
        self.licence.as_ref().is_some_and(|n| n.unknown_matters)
    }

    /// R-G2 for a requirement: whether the user's discoveries are enough.
    fn discovered(&self, req: &Requirement) -> bool {
        let (ad, entra) = self.discovery;
        if req.both_discoveries {
            ad && entra
        } else {
            ad || entra
        }
    }

    /// The ConfigMgr side up to R-G3 for a requirement: the grants, or the first stop.
    fn configmgr_gate(&self, req: &Requirement) -> Result<&Grants, ReasonCode> {
        match &self.configmgr {
            Err(Block::CloudOnly) => Err(ReasonCode::CloudOnlyAccount),
            _ if !self.discovered(req) => Err(ReasonCode::NotDiscovered),
            Err(Block::NoAdmin) => Err(ReasonCode::ConfigmgrAdminMissing),
            Ok(g) => Ok(g),
        }
    }
}

/// The answer to `offboard` (R-H4): `tenant-attach offboard`'s JSON document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Offboard {
    /// Whether the user may offboard the hierarchy from the admin center.
    pub allowed: bool,
    /// The longest the offboarding takes, in minutes.
    pub eta_minutes_max: u32,
    /// For an allow, what granted it.
    pub grants: Vec<Grant>,
    /// For a deny, why.
    pub reasons: Vec<Reason>,
    /// The wait before onboarding again, in minutes.
    pub reonboard_wait_minutes: u32,
    /// The user's UPN.
    pub user: String,
    /// The user's Entra id.
    pub user_id: String,
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
    user_by_id: HashMap<String, UserNo>,
    user_by_upn: HashMap<String, UserNo>,
    /// Users sorted by UPN (then id), for `who`.
    users_sorted: Vec<UserNo>,
    all_devices: RoaringBitmap,
    org_delete: u32,
    /// What each reader role holds, unlimited (R-I1, rulebook 3).
    reader_perms: Vec<(DirectoryRole, FixedBitSet)>,
}

impl Access {
    /// Compiles `s`'s access. `same_devices`, when given, was built from a snapshot with the
    /// very same devices (the same [`crate::snapshot::Shared`] list and numbering): what
    /// depends only on the devices is shared or copied from it instead of computed again
    /// (a what-if that edits access, [`crate::Engine::with_snapshot`]).
    pub(crate) fn build(
        s: &Snapshot,
        policy: &Policy,
        mode: Mode,
        devices: &DeviceIndex,
        graph: &CollectionGraph,
        same_devices: Option<&Access>,
    ) -> Access {
        let mut intune = IntuneIndex::build(s, policy, devices, same_devices.map(|a| &a.intune));
        let configmgr = ConfigMgrIndex::build(s, graph);
        // R-F5's devices per client version: one pass over the devices per version.
        let mut too_old: HashMap<Option<u32>, RoaringBitmap> = same_devices
            .map(|a| {
                a.requirements
                    .iter()
                    .map(|r| (r.client_since, r.too_old.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let requirements = Feature::ALL
            .iter()
            .map(|f| {
                compile_requirement(
                    *f,
                    s,
                    policy,
                    mode,
                    devices,
                    &mut intune.perms,
                    &mut too_old,
                )
            })
            .collect();
        let org_delete = intune.perms.intern(ORGANIZATION_DELETE);
        let reader_perms: Vec<(DirectoryRole, FixedBitSet)> = DirectoryRole::ALL
            .iter()
            .filter(|r| !r.is_intune_admin())
            .map(|r| {
                (
                    *r,
                    licence::reader_permissions(*r, s, policy, &mut intune.perms),
                )
            })
            .collect();
        let mut stamp = vec![u32::MAX; s.entra.groups.len()];
        let profiles = s
            .entra
            .users
            .iter()
            .enumerate()
            .map(|(u, user)| {
                let m = licence::membership(&intune, s, policy, u, &mut stamp);
                let assignments = m.effective;
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
                let (discovery, cm) = match mode {
                    Mode::Combined => configmgr.resolve(user),
                    Mode::IntuneOnly => ((false, false), Err(Block::NoAdmin)),
                };
                Profile {
                    user: u as UserNo,
                    directory_role: user
                        .directory_roles
                        .iter()
                        .filter(|r| r.is_intune_admin())
                        .min()
                        .copied(),
                    reader: licence::reader_role(user, policy),
                    assignments,
                    licence: m.note,
                    perms,
                    reach: if all {
                        TagReach::All
                    } else {
                        TagReach::Tags(tags)
                    },
                    discovery,
                    configmgr: cm,
                }
            })
            .collect();
        let mut user_by_id = HashMap::with_capacity(s.entra.users.len());
        let mut user_by_upn = HashMap::with_capacity(s.entra.users.len());
        for (i, u) in s.entra.users.iter().enumerate() {
            user_by_id.entry(u.id.clone()).or_insert(i as UserNo);
            user_by_upn
                .entry(u.upn.to_lowercase())
                .or_insert(i as UserNo);
        }
        let mut users_sorted: Vec<UserNo> = (0..s.entra.users.len() as UserNo).collect();
        users_sorted.sort_by_key(|u| {
            s.entra
                .users
                .get(*u as usize)
                .map(|u| (u.upn.to_lowercase(), u.id.clone()))
        });
        Access {
            mode,
            merge: s.tenant.intune_permission_merge,
            check_tags: !(mode == Mode::IntuneOnly && policy.intune_only_ignores_scope_tags),
            scope_groups_on_attached: policy.scope_groups_apply_to_attached,
            intune,
            configmgr,
            profiles,
            requirements,
            user_by_id,
            user_by_upn,
            users_sorted,
            all_devices: same_devices.map_or_else(
                || (0..devices.len() as DeviceNo).collect(),
                |a| a.all_devices.clone(),
            ),
            org_delete,
            reader_perms,
        }
    }

    pub(crate) fn mode(&self) -> Mode {
        self.mode
    }

    pub(crate) fn find_user(&self, upn_or_id: &str) -> Option<UserNo> {
        self.user_by_id
            .get(upn_or_id)
            .or_else(|| {
                // UPNs are keyed lowercase; most questions already are (no copy then).
                if is_own_lowercase(upn_or_id) {
                    self.user_by_upn.get(upn_or_id)
                } else {
                    self.user_by_upn.get(&upn_or_id.to_lowercase())
                }
            })
            .copied()
    }

    pub(crate) fn users_sorted(&self) -> &[UserNo] {
        &self.users_sorted
    }

    fn requirement(&self, f: Feature) -> &Requirement {
        // Unreachable for a feature of `Feature::ALL`; denies everything if it were reached.
        static NONE: std::sync::LazyLock<Requirement> = std::sync::LazyLock::new(|| Requirement {
            perms: Vec::new(),
            acting: Vec::new(),
            ops: OperationSet::EMPTY,
            classes: ClassSet::EMPTY,
            since: u32::MAX,
            unavailable: Some(availability::Unavailable::Version),
            client_since: None,
            too_old: RoaringBitmap::new(),
            provider_mfa: false,
            both_discoveries: true,
            script: false,
        });
        self.requirements.get(f as usize).unwrap_or(&NONE)
    }

    fn scope_groups_apply(&self, f: Feature, d: DeviceNo) -> bool {
        f.is_acting() && (self.scope_groups_on_attached || self.intune.side.co_managed.contains(d))
    }

    /// What the user's reader role holds unlimited (R-I1, rulebook 3), if it has one.
    fn role_perms(&self, p: &Profile) -> Option<&FixedBitSet> {
        let role = p.reader?;
        self.reader_perms
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, set)| set)
    }

    /// R-F3, R-F5, R-F6: the conditions on the site, the client and the provider.
    fn device_conditions_hold(&self, req: &Requirement, d: DeviceNo) -> bool {
        req.unavailable.is_none()
            && !req.provider_mfa
            && (req.client_since.is_none() || !req.too_old.contains(d))
    }

    /// The fast path: no allocation, no explanation.
    pub(crate) fn allows(
        &self,
        upload: &UploadScope,
        graph: &CollectionGraph,
        u: UserNo,
        d: DeviceNo,
        f: Feature,
    ) -> bool {
        let Some(p) = self.profiles.get(u as usize) else {
            return false;
        };
        let req = self.requirement(f);
        if !self.device_conditions_hold(req, d)
            || !upload.has(d)
            || self.intune.side.tagless.contains(d)
        {
            return false;
        }
        if p.directory_role.is_none() {
            // R-I1: what a reader role holds needs no assignment, tag or scope group. Without
            // one (nearly every user), the check is monomorphised with no filter at all.
            let ok = match self.role_perms(p) {
                None => self.intune_allows(p, req, d, f, |_| true),
                Some(role) => {
                    let need = |q: u32| !role.contains(q as usize);
                    !req.perms.iter().any(|q| need(*q)) || self.intune_allows(p, req, d, f, need)
                }
            };
            if !ok {
                return false;
            }
        }
        if self.mode == Mode::Combined {
            let Ok(grants) = p.configmgr_gate(req) else {
                return false;
            };
            return req.ops.iter().all(|op| {
                grants
                    .collections(op)
                    .iter()
                    .any(|c| graph.members_of(*c).has(d))
            }) && self.configmgr_beyond_collections(grants, req);
        }
        true
    }

    /// The Intune side of the fast path (R-I2..R-I7) for the permissions `need` keeps (those a
    /// reader role does not already hold): assignments, tags, scope groups.
    fn intune_allows(
        &self,
        p: &Profile,
        req: &Requirement,
        d: DeviceNo,
        f: Feature,
        need: impl Fn(u32) -> bool,
    ) -> bool {
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
                req.perms
                    .iter()
                    .filter(|q| need(**q))
                    .all(|q| p.perms.contains(*q as usize))
                    && (!self.check_tags || self.intune.reaches(&p.reach, d))
            }
            PermissionMerge::Scoped => req.perms.iter().filter(|q| need(**q)).all(|q| {
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
        // R-I6: on a device the scope groups apply to, each acting permission needs an
        // assignment that holds it and covers the device.
        ok && (!self.scope_groups_apply(f, d)
            || req.acting.iter().filter(|q| need(**q)).all(|q| {
                p.assignments.iter().any(|a| {
                    holds(a, *q)
                        && self
                            .intune
                            .assignments
                            .get(*a as usize)
                            .is_some_and(|a| self.intune.covers(&a.cover, d))
                })
            }))
    }

    /// R-G6 and R-G7: what the ConfigMgr side needs beyond Collection operations.
    fn configmgr_beyond_collections(&self, grants: &Grants, req: &Requirement) -> bool {
        req.classes.is_subset(grants.classes) && (!req.script || grants.runnable_script)
    }

    /// The devices `u` may use `f` on: set algebra over device bitmaps.
    pub(crate) fn visible(
        &self,
        upload: &UploadScope,
        graph: &CollectionGraph,
        u: UserNo,
        f: Feature,
    ) -> RoaringBitmap {
        let Some(p) = self.profiles.get(u as usize) else {
            return RoaringBitmap::new();
        };
        let req = self.requirement(f);
        if req.unavailable.is_some() || req.provider_mfa {
            return RoaringBitmap::new();
        }
        let mut set: RoaringBitmap = &upload.uploaded().bits - &self.intune.side.tagless;
        set -= &req.too_old;
        let role = self.role_perms(p);
        let need = |q: &&u32| role.is_none_or(|r| !r.contains(**q as usize));
        let by_role = role.is_some() && !req.perms.iter().any(|q| need(&q));
        if p.directory_role.is_none() && !by_role {
            if p.assignments.is_empty() {
                return RoaringBitmap::new();
            }
            let holding = |q: u32| {
                p.assignments
                    .iter()
                    .filter_map(|a| self.intune.assignments.get(*a as usize))
                    .filter(move |a| a.perms.contains(q as usize))
            };
            match self.merge {
                PermissionMerge::Merged => {
                    if !req
                        .perms
                        .iter()
                        .filter(need)
                        .all(|q| p.perms.contains(*q as usize))
                    {
                        return RoaringBitmap::new();
                    }
                    if self.check_tags {
                        set &= self.intune.reach_set(&p.reach, &self.all_devices);
                    }
                }
                PermissionMerge::Scoped => {
                    for q in req.perms.iter().filter(need) {
                        let mut reach = RoaringBitmap::new();
                        for a in holding(*q) {
                            if self.check_tags {
                                reach |= self.intune.reach_set(&a.tags, &self.all_devices);
                            } else {
                                reach |= &self.all_devices;
                            }
                        }
                        set &= reach;
                    }
                }
            }
            if f.is_acting() {
                let limited = if self.scope_groups_on_attached {
                    &self.all_devices
                } else {
                    &self.intune.side.co_managed
                };
                for q in req.acting.iter().filter(need) {
                    let mut covered = RoaringBitmap::new();
                    for a in holding(*q) {
                        covered |= self.intune.cover_set(&a.cover, &self.all_devices);
                    }
                    set -= limited - &covered;
                }
            }
        }
        if self.mode == Mode::Combined {
            let Ok(grants) = p.configmgr_gate(req) else {
                return RoaringBitmap::new();
            };
            if !self.configmgr_beyond_collections(grants, req) {
                return RoaringBitmap::new();
            }
            for op in req.ops.iter() {
                let mut granted = RoaringBitmap::new();
                for c in grants.collections(op) {
                    granted |= &graph.members_of(*c).bits;
                }
                set &= granted;
            }
        }
        set
    }

    /// For each user, the number of its class: users with the same directory role, the same
    /// applicable assignments and the same ConfigMgr grants decide alike on every device, so
    /// set-wide queries (`diff`, `report`) compute once per class.
    pub(crate) fn user_classes(&self) -> Vec<u32> {
        type Key<'a> = (
            (Option<DirectoryRole>, Option<DirectoryRole>),
            &'a [u32],
            (bool, bool),
            Result<(&'a [Vec<u32>], ClassSet, bool), Block>,
        );
        let mut seen: HashMap<Key<'_>, u32> = HashMap::new();
        self.profiles
            .iter()
            .map(|p| {
                // The admins themselves do not decide; what they grant does.
                let key: Key<'_> = (
                    (p.directory_role, p.reader),
                    p.assignments.as_slice(),
                    p.discovery,
                    p.configmgr
                        .as_ref()
                        .map(|g| (g.by_op.as_slice(), g.classes, g.runnable_script))
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
            (
                (perms, acting),
                r.ops,
                r.classes,
                (r.unavailable, r.provider_mfa, r.too_old.clone()),
                r.both_discoveries,
                r.script,
            )
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

    pub(crate) fn intune_holds(&self, u: UserNo, f: Feature) -> bool {
        let Some(p) = self.profiles.get(u as usize) else {
            return false;
        };
        let role = self.role_perms(p);
        let mut need = self
            .requirement(f)
            .perms
            .iter()
            .filter(|q| role.is_none_or(|r| !r.contains(**q as usize)))
            .peekable();
        p.directory_role.is_some()
            || (role.is_some() && need.peek().is_none())
            || (!p.assignments.is_empty() && need.all(|q| p.perms.contains(*q as usize)))
    }

    pub(crate) fn configmgr_grants_somewhere(&self, u: UserNo, f: Feature) -> Option<bool> {
        if self.mode != Mode::Combined {
            return None;
        }
        let req = self.requirement(f);
        let grants = self.profiles.get(u as usize)?.configmgr_gate(req).ok()?;
        Some(
            req.ops.iter().all(|op| !grants.collections(op).is_empty())
                && self.configmgr_beyond_collections(grants, req),
        )
    }

    pub(crate) fn assignments_of(&self, u: UserNo) -> Vec<usize> {
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

    /// Issue 18 (R-G4): the accounts of the user's mapped administrative users whose
    /// associations the importer inferred, sorted (`combined` mode only).
    pub(crate) fn inferred_admins<'s>(&self, s: &'s Snapshot, u: UserNo) -> Vec<&'s str> {
        let Some(Ok(g)) = self.profiles.get(u as usize).map(|p| &p.configmgr) else {
            return Vec::new();
        };
        if self.mode != Mode::Combined {
            return Vec::new();
        }
        let mut out: Vec<&str> = g
            .admins
            .iter()
            .filter_map(|a| s.configmgr.admins.get(*a as usize))
            .filter(|a| a.associations_inferred)
            .map(|a| a.account.as_str())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// R-I8: for a user whose licence keeps some reached assignments from applying, the
    /// reason and those assignments' positions in `$.intune.role_assignments`, sorted.
    pub(crate) fn licence_block(&self, u: UserNo) -> Option<(ReasonCode, Vec<usize>)> {
        let p = self.profiles.get(u as usize)?;
        if p.directory_role.is_some() || !p.reached() {
            return None;
        }
        let (code, lost) = match p.licence_case() {
            licence::LicenceCase::Licensed => return None,
            licence::LicenceCase::Refused => {
                let mut stamp = vec![u32::MAX; self.intune.group_assignments.len()];
                (
                    ReasonCode::NoIntuneLicense,
                    licence::nested(&self.intune, u as usize, &mut stamp),
                )
            }
            licence::LicenceCase::DirectOnly if !p.nested_only().is_empty() => (
                ReasonCode::UnlicensedNestedMembership,
                p.nested_only().to_vec(),
            ),
            licence::LicenceCase::DirectOnly => return None,
        };
        let mut positions: Vec<usize> = lost
            .iter()
            .filter_map(|a| self.intune.assignments.get(*a as usize))
            .map(|a| a.position)
            .collect();
        positions.sort_unstable();
        Some((code, positions))
    }

    pub(crate) fn configmgr_block(&self, u: UserNo, f: Feature) -> Option<ReasonCode> {
        if self.mode != Mode::Combined {
            return None;
        }
        self.profiles
            .get(u as usize)?
            .configmgr_gate(self.requirement(f))
            .err()
    }

    /// R-H4: may `u` offboard the hierarchy from the admin center, and how long it takes.
    pub(crate) fn offboard(&self, s: &Snapshot, u: UserNo) -> Offboard {
        let h = &s.hierarchy;
        let fast = h.version >= OFFBOARD_FAST_SINCE && h.online && h.healthy;
        let user = s.entra.users.get(u as usize);
        let mut out = Offboard {
            user: user.map(|u| u.upn.clone()).unwrap_or_default(),
            user_id: user.map(|u| u.id.clone()).unwrap_or_default(),
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
            out.reasons.push(Reason {
                code: ReasonCode::UnknownHandle,
                rule: crate::decision::QUERY_RULE,
                detail: format!("user #{u} is not held by this engine"),
            });
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
        } else if let Some(role) = p.reader.filter(|_| {
            self.role_perms(p)
                .is_some_and(|r| r.contains(self.org_delete as usize))
        }) {
            out.grants
                .push(reader_role_grant(role, "Organization_Delete"));
        } else if p.assignments.is_empty() {
            let (code, detail) = match (p.reached(), p.licence_case()) {
                (true, licence::LicenceCase::Refused) => (
                    ReasonCode::NoIntuneLicense,
                    "the user holds no Intune licence and the tenant does not allow unlicensed admins (R-I8), and offboarding needs Organization_Delete",
                ),
                (true, licence::LicenceCase::DirectOnly) => (
                    ReasonCode::UnlicensedNestedMembership,
                    "the user holds no Intune licence and reaches its assignments only through nested groups (R-I8), and offboarding needs Organization_Delete",
                ),
                _ => (
                    ReasonCode::NoIntuneRole,
                    "no Intune role assignment applies to the user, and offboarding needs Organization_Delete",
                ),
            };
            out.reasons.push(Reason {
                code,
                rule: "R-H4",
                detail: String::from(detail),
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

/// R-F0, R-F1, R-F3, R-G2, R-G6, R-G7: what `f` needs in `mode` under `policy` (with its
/// `features` overrides); permission strings are interned so that a check compares numbers.
fn compile_requirement(
    f: Feature,
    s: &Snapshot,
    policy: &Policy,
    mode: Mode,
    devices: &DeviceIndex,
    perms: &mut intune::Permissions,
    too_old: &mut HashMap<Option<u32>, RoaringBitmap>,
) -> Requirement {
    let view = Feature::View.requirement(policy);
    let own = f.requirement(policy);
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
    // `view`'s own ConfigMgr row (Collection operations and classes) is the one the knob
    // gates; any other feature adds its row to it.
    let (mut ops, mut classes): (OperationSet, ClassSet) = if f == Feature::View {
        (OperationSet::EMPTY, ClassSet::EMPTY)
    } else {
        (
            own.configmgr.iter().copied().collect(),
            own.classes.iter().copied().collect(),
        )
    };
    if policy.configmgr_gates_view {
        for op in &view.configmgr {
            ops.insert(*op);
        }
        for c in &view.classes {
            classes.insert(*c);
        }
    }
    // R-F0: every feature needs view, so it exists only where view exists too, and only on
    // the clients view is offered on (R-F5).
    let since = own.since.max(view.since);
    let client_since = own.client_since.max(view.client_since);
    Requirement {
        perms: all,
        acting,
        ops,
        classes,
        since,
        unavailable: availability::unavailable(f, since, s, policy),
        client_since,
        too_old: too_old
            .entry(client_since)
            .or_insert_with(|| availability::too_old(client_since, s, devices))
            .clone(),
        provider_mfa: availability::provider_mfa_blocks(f, s),
        both_discoveries: configmgr::needs_both_discoveries(
            policy.discovery_required,
            s.hierarchy.version,
            f,
        ),
        script: f == Feature::RunScript && s.configmgr.scripts.is_some(),
    }
}

pub(crate) fn directory_role_grant(role: DirectoryRole) -> Grant {
    Grant {
        kind: GrantKind::DirectoryRole,
        id: role.as_str().to_owned(),
        detail: format!(
            "Entra {} holds every Intune permission, unlimited by scope tags or scope groups (R-I1)",
            role.display_name()
        ),
    }
}

/// The grant of a reader role (R-I1, rulebook 3) for the permissions it holds.
pub(crate) fn reader_role_grant(role: DirectoryRole, held: &str) -> Grant {
    Grant {
        kind: GrantKind::DirectoryRole,
        id: role.as_str().to_owned(),
        detail: format!(
            "Entra {} holds {held} on every device, unlimited by scope tags or scope groups (R-I1)",
            role.display_name()
        ),
    }
}

pub(crate) fn role_name(s: &Snapshot, definition: Option<usize>) -> &str {
    definition
        .and_then(|d| s.intune.role_definitions.get(d))
        .map_or("?", |d| d.name.as_str())
}

/// Whether `s.to_lowercase() == s`, without the copy: exactly when each character is its own
/// lowercase (the one context-dependent mapping, final sigma, is of a character that is not).
fn is_own_lowercase(s: &str) -> bool {
    s.chars().all(|c| {
        if c.is_ascii() {
            !c.is_ascii_uppercase()
        } else {
            let mut l = c.to_lowercase();
            l.next() == Some(c) && l.next().is_none()
        }
    })
}

#[cfg(test)]
mod lowercase_tests {
    use super::is_own_lowercase;

    #[test]
    fn own_lowercase_agrees_with_lowercasing() {
        for s in [
            "alice@contoso.com",
            "Alice@contoso.com",
            "ǅemal@x",
            "ǆemal@x",
            "ΟΔΟΣ",
            "οδος",
            "İstanbul",
            "straße",
            "ⅰⅱ",
            "Ⅰ",
            "",
            "ﬀ",
            "\u{1e9e}",
        ] {
            assert_eq!(is_own_lowercase(s), s.to_lowercase() == s, "{s}");
        }
    }
}
