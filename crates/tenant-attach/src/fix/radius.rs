//! The blast radius of a change set: every other (user, device, feature) decision it changes,
//! exactly as [`crate::diff()`] of the two engines counts them, without the question itself.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use roaring::RoaringBitmap;

use super::candidates::Question;
use crate::diff::diff;
use crate::engine::Engine;
use crate::features::Feature;
use crate::sensitivity::{ChangeKind, Example};

/// At most this many examples per change set.
pub const EXAMPLES: usize = 10;

/// What a change set changes besides the question.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Radius {
    pub(crate) gained: u64,
    pub(crate) lost: u64,
    pub(crate) users: u64,
    pub(crate) devices: u64,
    pub(crate) examples: Vec<Example>,
    /// In words, per feature: who gains or loses it, on how many devices.
    pub(crate) summary: String,
}

/// Per feature: the users and devices that gain (or lose) it.
type PerFeature = BTreeMap<Feature, (BTreeSet<String>, RoaringBitmap)>;

fn phrase(per: &PerFeature, verb: &str, engine: &Engine) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for (f, (_, devices)) in per {
        parts.push(format!(
            "{} on {} more device{}",
            f.display_name(),
            devices.len(),
            if devices.len() == 1 { "" } else { "s" }
        ));
    }
    let users: BTreeSet<&String> = per.values().flat_map(|(u, _)| u).collect();
    let who = match users.iter().next() {
        Some(id) if users.len() == 1 => engine
            .find_user(id)
            .ok()
            .and_then(|u| engine.user(u))
            .map_or_else(|| (*id).clone(), |u| format!("`{}`", u.upn)),
        _ => format!("{} users", users.len()),
    };
    if parts.is_empty() {
        return None;
    }
    let more = parts.len().saturating_sub(3);
    parts.truncate(3);
    let tail = if more > 0 {
        format!(
            " and {more} more feature{}",
            if more == 1 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    let verb = if users.len() == 1 {
        verb.to_owned()
    } else {
        verb.trim_end_matches('s').to_owned()
    };
    Some(format!("{who} {verb} {}{tail}", parts.join(", ")))
}

/// Compares `old` with its what-if `new` (same device numbering): the other decisions gained
/// and lost, the users and devices they concern, and the first examples (gained, then lost;
/// by UPN, device name, feature).
pub(crate) fn radius(old: &Engine, new: &Engine, q: &Question) -> Radius {
    let d = diff(old, new);
    let own = new.device_by_resource_id(q.resource_id).map(|x| x.index());
    let mut out = Radius::default();
    let mut users: BTreeSet<&str> = BTreeSet::new();
    let mut devices = RoaringBitmap::new();
    let (mut gains, mut losses) = (PerFeature::new(), PerFeature::new());
    // Entries of one user class share their sets: each set joins `devices` once.
    let mut seen: HashSet<*const crate::devices::DeviceSet> = HashSet::new();
    for e in &d.entries {
        let gained: Cow<'_, RoaringBitmap> = match own {
            Some(own)
                if e.user_id == q.user_id
                    && e.feature == q.feature
                    && e.gained.bits.contains(own) =>
            {
                let mut g = e.gained.bits.clone();
                g.remove(own);
                Cow::Owned(g)
            }
            _ => Cow::Borrowed(&e.gained.bits),
        };
        let lost = &e.lost.bits;
        if gained.is_empty() && lost.is_empty() {
            continue;
        }
        out.gained += gained.len();
        out.lost += lost.len();
        users.insert(e.user_id.as_str());
        if matches!(gained, Cow::Owned(_)) || seen.insert(Arc::as_ptr(&e.gained)) {
            devices |= gained.as_ref();
        }
        if seen.insert(Arc::as_ptr(&e.lost)) {
            devices |= lost;
        }
        for (set, per) in [(gained.as_ref(), &mut gains), (lost, &mut losses)] {
            if !set.is_empty() {
                let slot = per.entry(e.feature).or_default();
                slot.0.insert(e.user_id.clone());
                slot.1 |= set;
            }
        }
    }
    let parts: Vec<String> = [phrase(&gains, "gains", new), phrase(&losses, "loses", old)]
        .into_iter()
        .flatten()
        .collect();
    out.summary = if parts.is_empty() {
        String::from("no other decision changes")
    } else {
        parts.join("; ")
    };
    out.users = users.len() as u64;
    out.devices = devices.len();
    for (gained, kind) in [(true, ChangeKind::Gained), (false, ChangeKind::Lost)] {
        let room = EXAMPLES.saturating_sub(out.examples.len());
        let keep = |user_id: &str, rid: u32, f: Feature| {
            !(gained && user_id == q.user_id && rid == q.resource_id && f == q.feature)
        };
        out.examples
            .extend(d.first(gained, room, keep).into_iter().map(|c| Example {
                change: kind,
                device: c.device,
                feature: c.feature,
                resource_id: c.resource_id,
                user: c.user,
                user_id: c.user_id,
            }));
    }
    out
}
