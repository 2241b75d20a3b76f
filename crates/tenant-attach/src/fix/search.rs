//! The search: change sets of growing size, each applied to a copy of the snapshot and the
//! question decided again by the engine; only sets that allow it survive, and only those of
//! which no proper subset also allows it (minimal).

use std::collections::HashMap;

use super::Options;
use super::candidates::{Question, candidates, unfixable};
use super::vocabulary::Op;
use crate::decision::Decision;
use crate::engine::Engine;
use crate::snapshot::Snapshot;

/// What the search found.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// Minimal change sets that allow the question, each sorted, in the order found, with
    /// its what-if engine (kept for the blast radius).
    pub(crate) sets: Vec<(Vec<Op>, Engine)>,
    /// How many what-if engines were built.
    pub(crate) evaluations: usize,
    /// Whether the evaluation budget ran out before the search did.
    pub(crate) exhausted: bool,
}

/// The snapshot with `ops` applied, or `None` when an edit is refused or changes nothing.
pub(crate) fn applied(base: &Snapshot, ops: &[Op]) -> Option<Snapshot> {
    let mut s = base.clone();
    ops.iter().all(|op| op.apply(&mut s)).then_some(s)
}

/// The what-if engine of `ops` over `base`.
pub(crate) fn what_if(base: &Engine, ops: &[Op]) -> Option<Engine> {
    applied(base.snapshot(), ops).and_then(|s| base.with_snapshot(s).ok())
}

/// Whether the question is allowed on `engine` (the fast path).
pub(crate) fn allows(engine: &Engine, q: &Question) -> bool {
    match (
        engine.find_user(&q.user_id),
        engine.device_by_resource_id(q.resource_id),
    ) {
        (Ok(u), Some(d)) => engine.allows(u, d, q.feature),
        _ => false,
    }
}

fn explain(engine: &Engine, q: &Question) -> Option<Decision> {
    match (
        engine.find_user(&q.user_id),
        engine.device_by_resource_id(q.resource_id),
    ) {
        (Ok(u), Some(d)) => Some(engine.check(u, d, q.feature)),
        _ => None,
    }
}

/// What deciding a set gave: its what-if engine when it allows the question, otherwise the
/// candidates to extend it with.
type Decided = (Option<Engine>, Vec<Op>);

/// Decides `set`: `None` when it cannot be applied; otherwise its engine when it allows the
/// question, and for a deny (when `extend`) the candidates to extend it with. Pure, so the
/// sets of one size are decided on [`crate::parallel::map`].
fn decide(base: &Engine, q: &Question, set: &[Op], extend: bool) -> Option<Decided> {
    let engine = what_if(base, set)?;
    let ok = allows(&engine, q);
    let more = if !ok && extend {
        explain(&engine, q)
            .filter(|d| !d.codes().any(|c| unfixable(&engine, q, c)))
            .map(|d| candidates(&engine, q, &d))
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    Some((ok.then_some(engine), more))
}

/// Every proper, non-empty subset of `set` (at most [`super::MAX_EDITS`] edits: 6 subsets).
fn proper_subsets(set: &[Op]) -> Vec<Vec<Op>> {
    let n = set.len().min(super::MAX_EDITS);
    (1..(1u32 << n).saturating_sub(1))
        .map(|mask| {
            set.iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, op)| op.clone())
                .collect()
        })
        .collect()
}

struct Search<'a> {
    base: &'a Engine,
    q: &'a Question,
    options: &'a Options,
    /// Every set decided, and whether it allows the question (`false` when it cannot be
    /// applied).
    known: HashMap<Vec<Op>, bool>,
    /// The what-if engine of every set that allows the question.
    engines: HashMap<Vec<Op>, Engine>,
    evaluations: usize,
    exhausted: bool,
}

impl Search<'_> {
    /// Decides the sets not yet known, within the budget, in parallel; the results in order.
    fn decide_all(&mut self, sets: Vec<Vec<Op>>, extend: bool) -> Vec<(Vec<Op>, bool, Vec<Op>)> {
        let mut fresh: Vec<Vec<Op>> = Vec::new();
        for set in sets {
            if !self.known.contains_key(&set) && !fresh.contains(&set) {
                fresh.push(set);
            }
        }
        let room = self
            .options
            .max_evaluations
            .saturating_sub(self.evaluations);
        if fresh.len() > room {
            fresh.truncate(room);
            self.exhausted = true;
        }
        self.evaluations += fresh.len();
        let (base, q) = (self.base, self.q);
        let decided = crate::parallel::map(fresh, |set| {
            let res = decide(base, q, &set, extend);
            (set, res)
        });
        decided
            .into_iter()
            .map(|(set, res)| {
                let (engine, more) = res.unwrap_or((None, Vec::new()));
                let ok = engine.is_some();
                self.known.insert(set.clone(), ok);
                if let Some(e) = engine {
                    self.engines.insert(set.clone(), e);
                }
                (set, ok, more)
            })
            .collect()
    }

    /// The sets of `allowed` of which no proper subset allows the question, and the minimal
    /// subsets that allow it of the others (a subset found this way is a fix of its own); a
    /// set with a subset left undecided by the budget is dropped rather than shown unproved.
    fn minimal(&mut self, allowed: Vec<Vec<Op>>) -> Vec<Vec<Op>> {
        let subsets: Vec<Vec<Op>> = allowed.iter().flat_map(|s| proper_subsets(s)).collect();
        self.decide_all(subsets, false);
        let is_minimal = |known: &HashMap<Vec<Op>, bool>, set: &[Op]| {
            proper_subsets(set)
                .iter()
                .all(|sub| known.get(sub) == Some(&false))
        };
        let mut out: Vec<Vec<Op>> = Vec::new();
        for set in allowed {
            let candidates = if is_minimal(&self.known, &set) {
                vec![set]
            } else {
                proper_subsets(&set)
                    .into_iter()
                    .filter(|sub| self.known.get(sub) == Some(&true))
                    .filter(|sub| is_minimal(&self.known, sub))
                    .collect()
            };
            for c in candidates {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
        out
    }
}

/// Searches change sets of up to `options.max_edits` edits for a question `engine` denies
/// with `decision`: breadth first, so smaller sets come first, and stopping after the size
/// at which `options.max_fixes` sets have been found.
pub(crate) fn search(
    engine: &Engine,
    q: &Question,
    decision: &Decision,
    options: &Options,
) -> Found {
    let mut s = Search {
        base: engine,
        q,
        options,
        known: HashMap::new(),
        engines: HashMap::new(),
        evaluations: 0,
        exhausted: false,
    };
    let mut found: Vec<Vec<Op>> = Vec::new();
    // The frontier: denied sets with the candidates that may extend them.
    let mut frontier: Vec<(Vec<Op>, Vec<Op>)> = vec![(Vec::new(), candidates(engine, q, decision))];
    let max_edits = options.max_edits.min(super::MAX_EDITS);
    for size in 1..=max_edits {
        let mut children: Vec<Vec<Op>> = Vec::new();
        for (set, more) in &frontier {
            for op in more.iter().filter(|op| !set.contains(op)) {
                let mut child = set.clone();
                child.push(op.clone());
                child.sort();
                children.push(child);
            }
        }
        let mut allowed = Vec::new();
        let mut next = Vec::new();
        for (set, ok, more) in s.decide_all(children, size < max_edits) {
            if ok {
                allowed.push(set);
            } else if !more.is_empty() {
                next.push((set, more));
            }
        }
        for set in s.minimal(allowed) {
            if !found.contains(&set) {
                found.push(set);
            }
        }
        if found.len() >= options.max_fixes || s.exhausted {
            break;
        }
        frontier = next;
    }
    Found {
        sets: found
            .into_iter()
            .filter_map(|set| s.engines.remove(&set).map(|e| (set, e)))
            .collect(),
        evaluations: s.evaluations,
        exhausted: s.exhausted,
    }
}
