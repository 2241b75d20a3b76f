//! `count`: how many users reach the target, or how many devices of the target a subject
//! reaches, from the per-class visible sets.

use std::sync::Arc;

use roaring::RoaringBitmap;

use super::MAX_COUNTEREXAMPLES;
use super::eval::{Verdict, Visibility, decided, keep_witness, verdict};
use super::file::CountBound;
use crate::access::UserIx;
use crate::devices::DeviceIx;
use crate::features::Feature;

/// Evaluates a `count` assertion: `subject` is set for the device bounds only.
pub(super) fn count(
    vis: &mut Visibility<'_>,
    f: Feature,
    target: &RoaringBitmap,
    subject: Option<&RoaringBitmap>,
    bound: CountBound,
    keep: bool,
) -> Verdict {
    let engine = vis.engine();
    let stamp = engine.clients().stamp();
    let asked: Vec<UserIx> = engine
        .users()
        .iter()
        .copied()
        .filter(|u| subject.is_none_or(|s| s.contains(u.index())))
        .collect();
    vis.ensure(&asked, f);
    let mut v = verdict(keep);
    // Per user: the devices of the target the user is allowed on (shared by class).
    let mut reach: Vec<(UserIx, Arc<RoaringBitmap>)> = Vec::with_capacity(asked.len());
    let mut by_class: std::collections::HashMap<*const RoaringBitmap, Arc<RoaringBitmap>> =
        std::collections::HashMap::new();
    for u in asked {
        let visible = vis.get(u, f);
        let on_target = Arc::clone(
            by_class
                .entry(Arc::as_ptr(&visible))
                .or_insert_with(|| Arc::new(visible.as_ref() & target)),
        );
        keep_witness(&mut v, keep, u, f, Arc::clone(&on_target));
        reach.push((u, on_target));
    }
    let explain = |v: &mut Verdict, u: UserIx, d: u32| {
        if v.counterexamples.len() < MAX_COUNTEREXAMPLES {
            v.counterexamples
                .push(decided(engine, u, DeviceIx::new(d, stamp), f));
        }
    };
    match bound {
        CountBound::UsersAtMost(n) | CountBound::UsersAtLeast(n) => {
            let reached: Vec<&(UserIx, Arc<RoaringBitmap>)> =
                reach.iter().filter(|(_, r)| !r.is_empty()).collect();
            let count = reached.len() as u64;
            if let CountBound::UsersAtMost(_) = bound {
                v.passed = count <= n;
                if !v.passed {
                    // Every reached user, with the first device that reaches them.
                    v.total = count;
                    for (u, r) in &reached {
                        if let Some(d) = r.min() {
                            explain(&mut v, *u, d);
                        }
                    }
                }
            } else {
                v.passed = count >= n;
                if !v.passed {
                    // The users not reached, denied on the first device of the target.
                    v.total = reach.len() as u64 - count;
                    for (u, r) in &reach {
                        if let (true, Some(d)) = (r.is_empty(), target.min()) {
                            explain(&mut v, *u, d);
                        }
                    }
                }
            }
        }
        CountBound::DevicesAtMost(n) | CountBound::DevicesAtLeast(n) => {
            let mut union = RoaringBitmap::new();
            for (_, r) in &reach {
                union |= r.as_ref();
            }
            let count = union.len();
            if let CountBound::DevicesAtMost(_) = bound {
                v.passed = count <= n;
                if !v.passed {
                    // Each reached device with the first subject user allowed on it.
                    v.total = count;
                    for d in union.iter().take(MAX_COUNTEREXAMPLES) {
                        if let Some((u, _)) = reach.iter().find(|(_, r)| r.contains(d)) {
                            explain(&mut v, *u, d);
                        }
                    }
                }
            } else {
                v.passed = count >= n;
                if !v.passed {
                    // The devices no subject user reaches, denied for the first user.
                    let missed = target - &union;
                    v.total = missed.len();
                    if let Some((u, _)) = reach.first() {
                        for d in missed.iter().take(MAX_COUNTEREXAMPLES) {
                            explain(&mut v, *u, d);
                        }
                    }
                }
            }
        }
    }
    v
}
