//! What-if: who gains or loses which feature on which device between two snapshots.
//!
//! Computed per user and feature as differences of device sets, never by checking every
//! (user, device, feature) triple: users match by Entra id, devices by resource id.

use roaring::RoaringBitmap;
use serde::Serialize;

use crate::engine::Engine;
use crate::features::Feature;

/// One (user, device, feature) that changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// The user's UPN.
    pub user: String,
    /// The user's Entra id.
    pub user_id: String,
    /// The device's name.
    pub device: String,
    /// The device's resource id.
    pub resource_id: u32,
    /// The feature.
    pub feature: Feature,
}

/// Everything gained and lost, sorted by user, resource id and feature.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Allowed in the new snapshot, not in the old one.
    pub gained: Vec<Change>,
    /// Allowed in the old snapshot, not in the new one.
    pub lost: Vec<Change>,
}

/// The devices `u` may use `f` on, as resource ids (or dense indices when `dense`).
fn allowed_set(e: &Engine, u: Option<u32>, f: Feature, dense: bool) -> RoaringBitmap {
    let Some(u) = u else {
        return RoaringBitmap::new();
    };
    let set = e.visible(u, f).0;
    if dense {
        return set;
    }
    let ids = e.resource_ids();
    set.iter()
        .filter_map(|d| ids.get(d as usize).copied())
        .collect()
}

/// Compares two engines.
pub fn diff(old: &Engine, new: &Engine) -> Diff {
    // Same devices in the same order: compare dense indices directly (the what-if case).
    let dense = old.resource_ids() == new.resource_ids();
    let mut users: Vec<(&str, Option<u32>, Option<u32>)> = Vec::new();
    for u in old.users() {
        if let Some(user) = old.user(*u) {
            users.push((user.id.as_str(), Some(*u), new.find_user(&user.id).ok()));
        }
    }
    for u in new.users() {
        if let Some(user) = new.user(*u)
            && old.find_user(&user.id).is_err()
        {
            users.push((user.id.as_str(), None, Some(*u)));
        }
    }
    let mut out = Diff::default();
    for (_, ou, nu) in users {
        for f in Feature::ALL {
            let a = allowed_set(old, ou, *f, dense);
            let b = allowed_set(new, nu, *f, dense);
            if a == b {
                continue;
            }
            let change = |engine: &Engine, u: u32, d: u32| -> Option<Change> {
                let user = engine.user(u)?;
                let ix = if dense {
                    Some(d)
                } else {
                    engine.device_by_resource_id(d)
                }?;
                let dev = engine.device(ix)?;
                Some(Change {
                    user: user.upn.clone(),
                    user_id: user.id.clone(),
                    device: dev.name.clone(),
                    resource_id: dev.resource_id,
                    feature: *f,
                })
            };
            if let Some(u) = nu {
                out.gained
                    .extend((&b - &a).iter().filter_map(|d| change(new, u, d)));
            }
            if let Some(u) = ou {
                out.lost
                    .extend((&a - &b).iter().filter_map(|d| change(old, u, d)));
            }
        }
    }
    out.gained.sort();
    out.lost.sort();
    out
}
