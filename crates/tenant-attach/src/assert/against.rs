//! `--against OLD`: a proposed change checked by what it alters. Each assertion is evaluated
//! on both engines with the decisions its verdict rests on (its witness: per user and
//! feature, a device set); only the assertions whose verdict or witness differ are reported,
//! with the decisions that changed. Users match by Entra id, devices by resource id.

use std::collections::BTreeMap;
use std::sync::Arc;

use roaring::RoaringBitmap;

use super::MAX_COUNTEREXAMPLES;
use super::eval::{self, Visibility, Witness};
use super::{AssertError, AssertionResult, Assertions, Change, Counterexample, Outcome};
use crate::devices::DeviceIx;
use crate::engine::Engine;
use crate::features::Feature;

/// Checks `file` against `new` and reports only the assertions whose answer (holds or not,
/// or the decisions it rests on) differs from `old`'s, each with the decisions that changed.
///
/// ```
/// use tenant_attach::{Engine, assert::{self, Assertions}, sample};
/// let old = Engine::from_json(sample::CONTOSO)?;
/// let mut s = old.snapshot().clone();
/// s.hierarchy.attach.enforce_configmgr_rbac = false; // the proposed change
/// let new = Engine::new(s)?;
/// let file = Assertions::from_json(r#"{"schema": "tenant-attach.assertions/1", "assertions": [
///     {"name": "Erin never sees servers", "never": {"subject": {"user": "erin@contoso.com"},
///      "target": {"collection": "PS100030"}}},
///     {"name": "Servers are uploaded", "uploaded": {"collection": "PS100030"}}]}"#)?;
/// let outcome = assert::against(&old, &new, &file)?;
/// // Only the first changes: without ConfigMgr RBAC, cloud-only Erin is no longer stopped.
/// assert_eq!(outcome.results.len(), 1);
/// let result = outcome.results.first().ok_or("no result")?;
/// assert_eq!(result.against.as_ref().and_then(|c| c.passed_before), Some(true));
/// assert!(!result.passed);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`super::assert()`], for `new`; an assertion that does not resolve on `old` (it names
/// something the change adds) is reported as changed, with `passed_before: None`.
pub fn against(old: &Engine, new: &Engine, file: &Assertions) -> Result<Outcome, AssertError> {
    let mut before = Visibility::new(old);
    let mut after = Visibility::new(new);
    let same = old.resource_ids() == new.resource_ids();
    let mut results = Vec::new();
    for (i, a) in file.assertions.iter().enumerate() {
        let now = eval::evaluate(&mut after, i, a, true)?;
        let then = eval::evaluate(&mut before, i, a, true).ok();
        let old_keys = then
            .as_ref()
            .map(|v| keyed(old, &v.witness, same))
            .unwrap_or_default();
        let new_keys = keyed(new, &now.witness, same);
        let changed = changes(old, new, &old_keys, &new_keys, same);
        let passed_before = then.as_ref().map(|v| v.passed);
        if passed_before == Some(now.passed) && changed.is_empty() {
            continue;
        }
        results.push(AssertionResult {
            against: Some(Change {
                changed,
                passed_before,
            }),
            counterexamples: now.counterexamples,
            name: a.name.clone(),
            passed: now.passed,
            total: now.total,
        });
    }
    Ok(Outcome::of(results))
}

type Key = (String, Option<Feature>);

/// The witness keyed by user id and feature; devices as dense numbers when both engines
/// number devices alike, else as resource ids.
fn keyed(engine: &Engine, witness: &[Witness], same: bool) -> BTreeMap<Key, Arc<RoaringBitmap>> {
    let mut out: BTreeMap<Key, Arc<RoaringBitmap>> = BTreeMap::new();
    for w in witness {
        let user = w
            .user
            .and_then(|u| engine.user(u))
            .map(|u| u.id.clone())
            .unwrap_or_default();
        let devices = if same {
            Arc::clone(&w.devices)
        } else {
            let ids = engine.resource_ids();
            Arc::new(
                w.devices
                    .iter()
                    .filter_map(|d| ids.get(d as usize).copied())
                    .collect(),
            )
        };
        match out.get_mut(&(user.clone(), w.feature)) {
            // `allowed`/`denied` may name one user and feature several times.
            Some(existing) => *existing = Arc::new(existing.as_ref() | devices.as_ref()),
            None => {
                out.insert((user, w.feature), devices);
            }
        }
    }
    out
}

/// The decisions in one witness and not the other, explained (by `new` when it holds the
/// user and device).
fn changes(
    old: &Engine,
    new: &Engine,
    before: &BTreeMap<Key, Arc<RoaringBitmap>>,
    after: &BTreeMap<Key, Arc<RoaringBitmap>>,
    same: bool,
) -> Vec<Counterexample> {
    let empty = Arc::new(RoaringBitmap::new());
    let keys: std::collections::BTreeSet<&Key> = before.keys().chain(after.keys()).collect();
    let mut out = Vec::new();
    for key in keys {
        let a = before.get(key).unwrap_or(&empty);
        let b = after.get(key).unwrap_or(&empty);
        if Arc::ptr_eq(a, b) || a == b {
            continue;
        }
        for d in (a.as_ref() ^ b.as_ref()).iter() {
            if out.len() >= MAX_COUNTEREXAMPLES {
                return out;
            }
            if let Some(c) = explain(new, key, d, same).or_else(|| explain(old, key, d, same)) {
                out.push(c);
            }
        }
    }
    out
}

fn explain(engine: &Engine, (user, feature): &Key, d: u32, same: bool) -> Option<Counterexample> {
    let device = if same {
        Some(DeviceIx::new(d, engine.clients().stamp())).filter(|d| engine.device(*d).is_some())
    } else {
        engine.device_by_resource_id(d)
    }?;
    match feature {
        None => Some(super::upload::upload_decision(engine, device)),
        Some(f) => {
            let u = engine.find_user(user).ok()?;
            Some(eval::decided(engine, u, device, *f))
        }
    }
}
