//! What-if: who gains or loses which feature on which device between two snapshots.
//!
//! Computed per user and feature as differences of device sets, never by checking every
//! (user, device, feature) triple: users match by Entra id, devices by resource id. Features
//! that decide alike (same compiled requirement in both engines) share one computation. The
//! result stays as device sets; [`Diff::gained`] and [`Diff::lost`] expand it lazily. A diff
//! holds both engines, so it cannot be expanded against the wrong one.

use std::collections::HashMap;
use std::sync::Arc;

use roaring::RoaringBitmap;
use serde::{Deserialize, Serialize};

use crate::access::UserIx;
use crate::devices::{DeviceIx, DeviceSet};
use crate::engine::Engine;
use crate::features::Feature;

/// One (user, device, feature) that changed, expanded for output.
///
/// Ordered (and so sorted) by user (UPN), user id, device name, resource id and feature; its
/// fields are declared (and serialized) in key order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Change {
    /// The device's name.
    pub device: String,
    /// The feature.
    pub feature: Feature,
    /// The device's resource id.
    pub resource_id: u32,
    /// The user's UPN.
    pub user: String,
    /// The user's Entra id.
    pub user_id: String,
}

impl Ord for Change {
    fn cmp(&self, other: &Change) -> std::cmp::Ordering {
        (
            &self.user,
            &self.user_id,
            &self.device,
            self.resource_id,
            self.feature,
        )
            .cmp(&(
                &other.user,
                &other.user_id,
                &other.device,
                other.resource_id,
                other.feature,
            ))
    }
}

impl PartialOrd for Change {
    fn partial_cmp(&self, other: &Change) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// `diff`'s JSON document: every gained and lost (user, device, feature), sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Changes {
    /// Decisions that turn from deny to allow.
    pub gained: Vec<Change>,
    /// Decisions that turn from allow to deny.
    pub lost: Vec<Change>,
}

/// The changes of one user and one feature.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DiffEntry {
    /// The user's Entra id.
    pub user_id: String,
    /// The feature.
    pub feature: Feature,
    /// Gained devices, as indices of the *new* engine (shared by every user of a class).
    pub gained: Arc<DeviceSet>,
    /// Lost devices, as indices of the *old* engine (shared by every user of a class).
    pub lost: Arc<DeviceSet>,
}

/// Everything gained and lost between two engines, one entry per (user, feature) that
/// changed, sorted by user id then feature.
#[derive(Debug, Clone)]
pub struct Diff<'a> {
    old: &'a Engine,
    new: &'a Engine,
    /// The entries.
    pub entries: Vec<DiffEntry>,
}

impl<'a> Diff<'a> {
    /// The engine before the change.
    pub fn old(&self) -> &'a Engine {
        self.old
    }

    /// The engine after the change.
    pub fn new_engine(&self) -> &'a Engine {
        self.new
    }

    /// The gained changes, expanded and sorted (devices named by the new engine).
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, diff, sample, snapshot::DiscoveryRequired};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let mut p = engine.policy().clone();
    /// p.discovery_required = DiscoveryRequired::ByVersion; // AD discovery alone suffices (2103+)
    /// let by_version = engine.with_policy(p);
    /// let gained = diff(&engine, &by_version).gained();
    /// assert!(gained.iter().any(|c| c.user == "bob@contoso.com"
    ///     && c.device == "CON-WS-004" && c.feature == Feature::ClientDetails));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn gained(&self) -> Vec<Change> {
        self.expand(true)
    }

    /// The lost changes, expanded and sorted (devices named by the old engine).
    ///
    /// ```
    /// use tenant_attach::{Engine, diff, sample, snapshot::ChildRelation};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let mut p = engine.policy().clone();
    /// p.child_relations = vec![ChildRelation::Limiting]; // PS100022 is no longer uploaded
    /// let limited = engine.with_policy(p);
    /// let d = diff(&engine, &limited);
    /// let lost = d.lost();
    /// assert!(lost.iter().all(|c| c.device == "CON-SRV-SQL01"));
    /// let run_script = tenant_attach::Feature::RunScript;
    /// assert!(lost.iter().any(|c| c.user == "carol@contoso.com" && c.feature == run_script));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lost(&self) -> Vec<Change> {
        self.expand(false)
    }

    /// Both lists: `diff --format json`'s document.
    ///
    /// ```
    /// use tenant_attach::{Engine, diff, sample, snapshot::ChildRelation};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let mut p = engine.policy().clone();
    /// p.child_relations = vec![ChildRelation::Limiting]; // PS100022 is no longer uploaded
    /// let limited = engine.with_policy(p);
    /// let d = diff(&engine, &limited);
    /// let changes = d.changes();
    /// assert!(changes.gained.is_empty());
    /// assert_eq!(changes.lost.len(), 19); // carol and dave, on CON-SRV-SQL01
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn changes(&self) -> Changes {
        Changes {
            gained: self.gained(),
            lost: self.lost(),
        }
    }

    /// Whether nothing changed.
    ///
    /// ```
    /// use tenant_attach::{Engine, diff, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// assert!(diff(&engine, &engine.with_enforce(true)).is_empty()); // already enforced
    /// assert!(!diff(&engine, &engine.with_enforce(false)).is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many (user, device, feature) were gained and lost.
    ///
    /// ```
    /// use tenant_attach::{Engine, diff, sample, snapshot::ChildRelation};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let mut p = engine.policy().clone();
    /// p.child_relations = vec![ChildRelation::Limiting]; // PS100022 is no longer uploaded
    /// let limited = engine.with_policy(p);
    /// let d = diff(&engine, &limited);
    /// assert_eq!(d.counts(), (0, 19));
    /// assert_eq!(d.counts().1, d.lost().len() as u64);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn counts(&self) -> (u64, u64) {
        self.entries
            .iter()
            .fold((0, 0), |(g, l), e| (g + e.gained.len(), l + e.lost.len()))
    }

    fn expand(&self, gained: bool) -> Vec<Change> {
        self.side(gained).collect()
    }

    /// The first `n` changes of one side that `keep` keeps, exactly as
    /// `self.side(gained).filter(keep).take(n)` gives them, but each user's changes are
    /// selected rather than sorted: a user who gains a million devices costs one pass.
    pub(crate) fn first(
        &self,
        gained: bool,
        n: usize,
        keep: impl Fn(&str, u32, Feature) -> bool,
    ) -> Vec<Change> {
        let engine = if gained { self.new } else { self.old };
        let mut out = Vec::new();
        for (upn, id) in self.users(gained) {
            let room = n.saturating_sub(out.len());
            if room == 0 {
                break;
            }
            let mut mine = self.changes_of(id, gained, engine);
            mine.retain(|(_, rid, f)| keep(id, *rid, *f));
            if mine.len() > room {
                mine.select_nth_unstable(room);
                mine.truncate(room);
            }
            mine.sort_unstable();
            out.extend(
                mine.into_iter()
                    .map(|(device, resource_id, feature)| Change {
                        device: device.to_owned(),
                        feature,
                        resource_id,
                        user: upn.to_owned(),
                        user_id: id.to_owned(),
                    }),
            );
        }
        out
    }

    /// The users with a change on one side, by (UPN, id).
    fn users(&self, gained: bool) -> Vec<(&str, &str)> {
        let engine = if gained { self.new } else { self.old };
        let mut users: Vec<(&str, &str)> = Vec::new();
        for e in &self.entries {
            let set = if gained { &e.gained } else { &e.lost };
            if set.is_empty() {
                continue;
            }
            if let Some(user) = engine
                .find_user(&e.user_id)
                .ok()
                .and_then(|u| engine.user(u))
            {
                users.push((user.upn.as_str(), user.id.as_str()));
            }
        }
        users.sort_unstable();
        users.dedup();
        users
    }

    /// One user's changes on one side, unordered: (device name, resource id, feature).
    fn changes_of(
        &self,
        id: &str,
        gained: bool,
        engine: &'a Engine,
    ) -> Vec<(&'a str, u32, Feature)> {
        let mut mine = Vec::new();
        // INVARIANT: entries are sorted by user id, so a user's entries are one run.
        let from = self.entries.partition_point(|e| e.user_id.as_str() < id);
        let to = self.entries.partition_point(|e| e.user_id.as_str() <= id);
        for e in self.entries.get(from..to).unwrap_or(&[]) {
            let set = if gained { &e.gained } else { &e.lost };
            for d in set.iter() {
                if let Some(dev) = engine.device(d) {
                    mine.push((dev.name.as_str(), dev.resource_id, e.feature));
                }
            }
        }
        mine
    }

    /// The changes of one side, in order, computed one user at a time: users by (UPN, id),
    /// then each user's (device name, resource id, feature). Only one user's changes are
    /// held at once.
    pub fn side(&self, gained: bool) -> impl Iterator<Item = Change> + '_ {
        let engine = if gained { self.new } else { self.old };
        self.users(gained).into_iter().flat_map(move |(upn, id)| {
            let mut mine = self.changes_of(id, gained, engine);
            mine.sort_unstable();
            mine.into_iter()
                .map(move |(device, resource_id, feature)| Change {
                    device: device.to_owned(),
                    feature,
                    resource_id,
                    user: upn.to_owned(),
                    user_id: id.to_owned(),
                })
        })
    }

    /// `diff --format json`'s document written while it is walked: the same JSON as
    /// [`Diff::changes`], holding one user's changes at a time.
    ///
    /// ```
    /// use tenant_attach::{Engine, diff, sample, snapshot::ChildRelation};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let mut p = engine.policy().clone();
    /// p.child_relations = vec![ChildRelation::Limiting]; // PS100022 is no longer uploaded
    /// let limited = engine.with_policy(p);
    /// let d = diff(&engine, &limited);
    /// let streamed = tenant_attach::serde_json::to_string(&d.stream())?;
    /// assert_eq!(streamed, tenant_attach::serde_json::to_string(&d.changes())?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stream(&self) -> DiffStream<'_, 'a> {
        DiffStream { diff: self }
    }
}

/// See [`Diff::stream`].
#[derive(Debug, Clone, Copy)]
pub struct DiffStream<'d, 'a> {
    diff: &'d Diff<'a>,
}

struct Side<'d, 'a>(&'d Diff<'a>, bool);

impl serde::Serialize for Side<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.side(self.1))
    }
}

impl serde::Serialize for DiffStream<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Changes", 2)?;
        st.serialize_field("gained", &Side(self.diff, true))?;
        st.serialize_field("lost", &Side(self.diff, false))?;
        st.end()
    }
}

/// Maps a set of `from`'s indices to `to`'s indices by resource id (devices `to` lacks drop).
fn translate(set: &RoaringBitmap, from: &Engine, to: &Engine) -> RoaringBitmap {
    let ids = from.resource_ids();
    set.iter()
        .filter_map(|d| ids.get(d as usize))
        .filter_map(|rid| to.device_by_resource_id(*rid))
        .map(|d| d.index())
        .collect()
}

/// At most this many devices changed by a what-if are decided one by one for the users it
/// left alone; beyond, every user's sets are computed.
const FEW_CHANGED: u64 = 64;

/// For a user who holds the same in both engines: the devices among `changed` (the only
/// ones where the two can differ) gained and lost on `f`.
fn on_devices(
    old: &Engine,
    new: &Engine,
    (a, b): (UserIx, UserIx),
    f: Feature,
    changed: &RoaringBitmap,
) -> (RoaringBitmap, RoaringBitmap) {
    let (mut gained, mut lost) = (RoaringBitmap::new(), RoaringBitmap::new());
    for d in changed {
        let before = old.allows(a, DeviceIx::new(d, old.device_stamp()), f);
        let after = new.allows(b, DeviceIx::new(d, new.device_stamp()), f);
        if after && !before {
            gained.insert(d);
        } else if before && !after {
            lost.insert(d);
        }
    }
    (gained, lost)
}

/// (old user class, new user class, feature group): the unit of computation.
type ClassPair = (Option<u32>, Option<u32>, usize);

/// Compares two engines: who gains or loses which feature on which device.
///
/// ```
/// use tenant_attach::{Engine, diff, sample};
///
/// let old = Engine::from_json(sample::CONTOSO)?;
/// let mut cleared = old.snapshot().clone();
/// cleared.hierarchy.attach.enforce_configmgr_rbac = false; // Intune RBAC only (R-M1)
/// let new = Engine::new(cleared)?;
/// let d = diff(&old, &new);
/// assert!(d.gained().iter().any(|c| c.user == "erin@contoso.com"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn diff<'a>(old: &'a Engine, new: &'a Engine) -> Diff<'a> {
    // Same devices in the same order: compare indices directly (the what-if case).
    let dense = old.resource_ids() == new.resource_ids();
    // Features that decide alike in both engines share one computation.
    let old_classes = old.feature_classes();
    let new_classes = new.feature_classes();
    let class_of =
        |classes: &[Vec<Feature>], f: Feature| classes.iter().position(|c| c.contains(&f));
    let mut groups: Vec<Vec<Feature>> = Vec::new();
    for f in Feature::ALL {
        let key = (class_of(&old_classes, *f), class_of(&new_classes, *f));
        match groups.iter_mut().find(|g| {
            g.first()
                .is_some_and(|x| (class_of(&old_classes, *x), class_of(&new_classes, *x)) == key)
        }) {
            Some(g) => g.push(*f),
            None => groups.push(vec![*f]),
        }
    }

    let mut ids: Vec<&str> = old
        .snapshot()
        .entra
        .users
        .iter()
        .chain(&new.snapshot().entra.users)
        .map(|u| u.id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();

    // A what-if (the same devices): a user who holds the same in both can only be decided
    // differently on the devices whose memberships or upload changed, if any.
    let changed = if dense {
        old.devices_changed_in(new, FEW_CHANGED)
    } else {
        None
    };
    // Users of one class decide alike: compute each (old class, new class, feature group) once.
    let (old_classes_u, new_classes_u) = (old.user_classes(), new.user_classes());
    let mut memo: HashMap<ClassPair, (Arc<DeviceSet>, Arc<DeviceSet>)> = HashMap::new();
    let mut out = Diff {
        old,
        new,
        entries: Vec::new(),
    };
    for id in ids {
        let (ou, nu) = (old.find_user(id).ok(), new.find_user(id).ok());
        let oc = ou.and_then(|u| old_classes_u.get(u.index() as usize).copied());
        let nc = nu.and_then(|u| new_classes_u.get(u.index() as usize).copied());
        for (gi, group) in groups.iter().enumerate() {
            let Some(f) = group.first().copied() else {
                continue;
            };
            let (gained, lost) = memo
                .entry((oc, nc, gi))
                .or_insert_with(|| {
                    if let (Some(changed), Some(a), Some(b)) = (&changed, ou, nu)
                        && old.same_user(a, new, b)
                    {
                        let (g, l) = on_devices(old, new, (a, b), f, changed);
                        return (
                            Arc::new(DeviceSet::from_bits(g, new.device_stamp())),
                            Arc::new(DeviceSet::from_bits(l, old.device_stamp())),
                        );
                    }
                    let a = ou.map(|u| old.visible(u, f).bits).unwrap_or_default();
                    let b = nu.map(|u| new.visible(u, f).bits).unwrap_or_default();
                    let (g, l) = if dense {
                        (&b - &a, &a - &b)
                    } else {
                        (&b - &translate(&a, old, new), &a - &translate(&b, new, old))
                    };
                    // Gained devices are numbered by the new engine, lost ones by the old.
                    (
                        Arc::new(DeviceSet::from_bits(g, new.device_stamp())),
                        Arc::new(DeviceSet::from_bits(l, old.device_stamp())),
                    )
                })
                .clone();
            if gained.is_empty() && lost.is_empty() {
                continue;
            }
            for feature in group {
                out.entries.push(DiffEntry {
                    user_id: id.to_owned(),
                    feature: *feature,
                    gained: Arc::clone(&gained),
                    lost: Arc::clone(&lost),
                });
            }
        }
    }
    out.entries
        .sort_by(|x, y| (&x.user_id, x.feature).cmp(&(&y.user_id, y.feature)));
    out
}
