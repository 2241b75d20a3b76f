//! Evaluating one assertion with set algebra: per user class, `visible(u, f)` is computed once
//! (and shared by every assertion of the run) and intersected with the target; no (user,
//! device) pair is decided one by one, except the few counterexamples that are explained.

use std::collections::HashMap;
use std::sync::Arc;

use roaring::RoaringBitmap;

use super::file::{Assertion, Kind, OnlyBound, Subject, Target, Triple};
use super::resolve::{self, Place};
use super::upload::upload_decision;
use super::{AssertError, Counterexample, MAX_COUNTEREXAMPLES};
use crate::access::UserIx;
use crate::devices::DeviceIx;
use crate::engine::Engine;
use crate::features::Feature;

/// `visible(u, f)` per (user class, feature class), shared by every assertion of a run.
pub(super) struct Visibility<'e> {
    engine: &'e Engine,
    /// The class of each user, by [`UserIx::index`].
    classes: Vec<u32>,
    /// The class of each feature.
    feature_class: HashMap<Feature, usize>,
    cache: HashMap<(u32, usize), Arc<RoaringBitmap>>,
}

impl<'e> Visibility<'e> {
    pub(super) fn new(engine: &'e Engine) -> Visibility<'e> {
        let feature_class = engine
            .feature_classes()
            .into_iter()
            .enumerate()
            .flat_map(|(i, fs)| fs.into_iter().map(move |f| (f, i)))
            .collect();
        Visibility {
            engine,
            classes: engine.user_classes(),
            feature_class,
            cache: HashMap::new(),
        }
    }

    pub(super) fn engine(&self) -> &'e Engine {
        self.engine
    }

    fn key(&self, u: UserIx, f: Feature) -> (u32, usize) {
        let class = self.classes.get(u.index() as usize).copied();
        let fclass = self.feature_class.get(&f).copied();
        // A user or feature without a class (never, for this engine's handles) gets a key of
        // its own, so it is never confused with a computed class.
        (
            class.unwrap_or(u32::MAX - u.index()),
            fclass.unwrap_or(usize::MAX - f as usize),
        )
    }

    /// Computes, on every core, the visible sets of `users`' classes not computed yet.
    pub(super) fn ensure(&mut self, users: &[UserIx], f: Feature) {
        let mut todo: HashMap<(u32, usize), UserIx> = HashMap::new();
        for u in users {
            let key = self.key(*u, f);
            if !self.cache.contains_key(&key) {
                todo.entry(key).or_insert(*u);
            }
        }
        let mut todo: Vec<((u32, usize), UserIx)> = todo.into_iter().collect();
        todo.sort_unstable_by_key(|(k, _)| *k);
        let engine = self.engine;
        let sets =
            crate::parallel::map(todo, |(key, u)| (key, Arc::new(engine.visible(u, f).bits)));
        self.cache.extend(sets);
    }

    /// `visible(u, f)` (computed by [`Visibility::ensure`] first, else now).
    pub(super) fn get(&mut self, u: UserIx, f: Feature) -> Arc<RoaringBitmap> {
        let key = self.key(u, f);
        let engine = self.engine;
        Arc::clone(
            self.cache
                .entry(key)
                .or_insert_with(|| Arc::new(engine.visible(u, f).bits)),
        )
    }
}

/// The decisions an assertion's verdict rests on, for one user (none for `uploaded`) and
/// feature: what `--against` compares.
#[derive(Debug, Clone)]
pub(super) struct Witness {
    pub(super) user: Option<UserIx>,
    pub(super) feature: Option<Feature>,
    pub(super) devices: Arc<RoaringBitmap>,
}

/// One assertion's answer.
#[derive(Debug, Clone)]
pub(super) struct Verdict {
    pub(super) passed: bool,
    pub(super) counterexamples: Vec<Counterexample>,
    /// Every counterexample, not only the ones shown.
    pub(super) total: u64,
    pub(super) witness: Vec<Witness>,
}

impl Verdict {
    fn new(witness_kept: bool) -> Verdict {
        Verdict {
            passed: true,
            counterexamples: Vec::new(),
            total: 0,
            witness: Vec::with_capacity(usize::from(witness_kept)),
        }
    }

    /// Counts `devices` as counterexamples of `user`, explaining the first few.
    fn fail_on(&mut self, engine: &Engine, user: UserIx, devices: &RoaringBitmap, f: Feature) {
        if devices.is_empty() {
            return;
        }
        self.passed = false;
        self.total += devices.len();
        let room = MAX_COUNTEREXAMPLES.saturating_sub(self.counterexamples.len());
        for d in devices.iter().take(room) {
            let d = DeviceIx::new(d, engine.clients().stamp());
            self.counterexamples.push(decided(engine, user, d, f));
        }
    }

    fn keep(
        &mut self,
        keep: bool,
        user: Option<UserIx>,
        f: Option<Feature>,
        devices: Arc<RoaringBitmap>,
    ) {
        if keep && !devices.is_empty() {
            self.witness.push(Witness {
                user,
                feature: f,
                devices,
            });
        }
    }
}

/// The explained decision of one (user, device, feature).
pub(super) fn decided(engine: &Engine, u: UserIx, d: DeviceIx, f: Feature) -> Counterexample {
    let decision = engine.check(u, d, f);
    Counterexample {
        allowed: decision.allowed,
        device: decision.device,
        feature: Some(f),
        grants: decision.grants,
        reasons: decision.reasons,
        user: Some(decision.user),
    }
}

/// Evaluates one assertion (at position `i` of the file) against the engine.
pub(super) fn evaluate(
    vis: &mut Visibility<'_>,
    i: usize,
    a: &Assertion,
    keep: bool,
) -> Result<Verdict, AssertError> {
    let place = Place {
        assertion: &a.name,
        path: format!("$.assertions[{i}]"),
    };
    let engine = vis.engine();
    match &a.kind {
        Kind::Allowed(t) => explicit(engine, t, true, &place.at("allowed"), keep),
        Kind::Denied(t) => explicit(engine, t, false, &place.at("denied"), keep),
        Kind::Never {
            subject,
            feature,
            target,
        } => {
            let p = place.at("never");
            let (s, t) = (
                users(engine, subject, &p.at("subject"))?,
                devices(engine, target, &p)?,
            );
            Ok(quantified(
                vis,
                *feature,
                &t,
                keep,
                |u| s.contains(u.index()),
                |_| false,
            ))
        }
        Kind::Only {
            feature,
            target,
            bound,
            subject,
        } => {
            let p = place.at("only");
            let field = match bound {
                OnlyBound::AtMost => "at_most",
                OnlyBound::AtLeast => "at_least",
                OnlyBound::Exactly => "exactly",
            };
            let (s, t) = (
                users(engine, subject, &p.at(field))?,
                devices(engine, target, &p)?,
            );
            let most = matches!(bound, OnlyBound::AtMost | OnlyBound::Exactly);
            let least = matches!(bound, OnlyBound::AtLeast | OnlyBound::Exactly);
            Ok(quantified(
                vis,
                *feature,
                &t,
                keep,
                |u| most && !s.contains(u.index()),
                |u| least && s.contains(u.index()),
            ))
        }
        Kind::Count {
            feature,
            target,
            subject,
            bound,
        } => {
            let p = place.at("count");
            let t = devices(engine, target, &p)?;
            let s = match subject {
                Some(s) => Some(users(engine, s, &p.at("subject"))?),
                None => None,
            };
            Ok(super::count::count(
                vis,
                *feature,
                &t,
                s.as_ref(),
                *bound,
                keep,
            ))
        }
        Kind::Uploaded(target) | Kind::NotUploaded(target) => {
            let want = matches!(a.kind, Kind::Uploaded(_));
            let field = if want { "uploaded" } else { "not_uploaded" };
            let t = devices(engine, target, &place.at(field))?;
            let up = &engine.upload().uploaded().bits;
            let wrong = Arc::new(if want { &t - up } else { &t & up });
            let mut v = Verdict::new(keep);
            v.passed = wrong.is_empty();
            v.total = wrong.len();
            for d in wrong.iter().take(MAX_COUNTEREXAMPLES) {
                v.counterexamples.push(upload_decision(
                    engine,
                    DeviceIx::new(d, engine.clients().stamp()),
                ));
            }
            v.keep(keep, None, None, wrong);
            Ok(v)
        }
    }
}

fn users(e: &Engine, s: &Subject, p: &Place<'_>) -> Result<RoaringBitmap, AssertError> {
    resolve::subject(e, s, p)
}

fn devices(e: &Engine, t: &Target, p: &Place<'_>) -> Result<RoaringBitmap, AssertError> {
    resolve::target(e, t, &p.at("target")).map(|s| s.bits)
}

/// `allowed` / `denied`: each triple decided (with the fast path) and the wrong ones
/// explained.
fn explicit(
    engine: &Engine,
    triples: &[Triple],
    want: bool,
    place: &Place<'_>,
    keep: bool,
) -> Result<Verdict, AssertError> {
    let mut v = Verdict::new(keep);
    for (j, t) in triples.iter().enumerate() {
        let at = Place {
            assertion: place.assertion,
            path: format!("{}[{j}]", place.path),
        };
        let u = engine
            .find_user(&t.user)
            .map_err(|e| at.at("user").error(e.to_string()))?;
        let d = engine
            .find_device(&t.device)
            .map_err(|e| at.at("device").error(e.to_string()))?;
        if engine.allows(u, d, t.feature) != want {
            let wrong = RoaringBitmap::from_iter([d.index()]);
            v.fail_on(engine, u, &wrong, t.feature);
            v.keep(keep, Some(u), Some(t.feature), Arc::new(wrong));
        }
    }
    Ok(v)
}

/// `never` and `only`: for every user (in UPN order) `beyond(u)` (allowed anywhere on the
/// target is a counterexample: `visible ∩ target`) or `short(u)` (every device of the target
/// not visible is one: `target \ visible`). Sets are computed once per user class.
fn quantified(
    vis: &mut Visibility<'_>,
    f: Feature,
    target: &RoaringBitmap,
    keep: bool,
    beyond: impl Fn(UserIx) -> bool,
    short: impl Fn(UserIx) -> bool,
) -> Verdict {
    let engine = vis.engine();
    let asked: Vec<UserIx> = engine
        .users()
        .iter()
        .copied()
        .filter(|u| beyond(*u) || short(*u))
        .collect();
    vis.ensure(&asked, f);
    let mut v = Verdict::new(keep);
    let mut per_class: HashMap<(bool, *const RoaringBitmap), Arc<RoaringBitmap>> = HashMap::new();
    for u in asked {
        let visible = vis.get(u, f);
        let is_beyond = beyond(u);
        let wrong = per_class
            .entry((is_beyond, Arc::as_ptr(&visible)))
            .or_insert_with(|| {
                Arc::new(if is_beyond {
                    visible.as_ref() & target
                } else {
                    target - visible.as_ref()
                })
            });
        let wrong = Arc::clone(wrong);
        v.fail_on(engine, u, &wrong, f);
        v.keep(keep, Some(u), Some(f), wrong);
    }
    v
}

/// Shared with `count`.
pub(super) fn verdict(keep: bool) -> Verdict {
    Verdict::new(keep)
}

/// Shared with `count`.
pub(super) fn keep_witness(
    v: &mut Verdict,
    keep: bool,
    user: UserIx,
    f: Feature,
    devices: Arc<RoaringBitmap>,
) {
    v.keep(keep, Some(user), Some(f), devices);
}
