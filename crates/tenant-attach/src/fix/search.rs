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
    /// Minimal change sets that allow the question, each sorted, in the order found.
    pub(crate) sets: Vec<Vec<Op>>,
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

struct Search<'a> {
    base: &'a Engine,
    q: &'a Question,
    options: &'a Options,
    /// Every set evaluated, and whether it allows the question.
    known: HashMap<Vec<Op>, bool>,
    evaluations: usize,
    exhausted: bool,
}

impl Search<'_> {
    /// Decides `set` (sorted): `None` when it cannot be applied or the budget is spent;
    /// otherwise whether it allows, and for a deny the candidates to extend it with.
    fn evaluate(&mut self, set: &[Op], extend: bool) -> Option<(bool, Vec<Op>)> {
        if let Some(known) = self.known.get(set) {
            return Some((*known, Vec::new()));
        }
        if self.evaluations >= self.options.max_evaluations {
            self.exhausted = true;
            return None;
        }
        self.evaluations += 1;
        let Some(engine) = what_if(self.base, set) else {
            self.known.insert(set.to_vec(), false);
            return None;
        };
        let ok = allows(&engine, self.q);
        self.known.insert(set.to_vec(), ok);
        let more = if !ok && extend {
            explain(&engine, self.q)
                .filter(|d| !d.codes().any(|c| unfixable(&engine, self.q, c)))
                .map(|d| candidates(&engine, self.q, &d))
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        Some((ok, more))
    }

    /// Whether no proper non-empty subset of `set` allows the question.
    fn minimal(&mut self, set: &[Op]) -> bool {
        let n = set.len();
        // Subsets as bit masks, every one but the empty set and `set` itself.
        (1..(1u32 << n).saturating_sub(1)).all(|mask| {
            let subset: Vec<Op> = set
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, op)| op.clone())
                .collect();
            // A subset that cannot be evaluated (refused, or over budget) does not count as
            // allowing; over budget, the set is dropped rather than shown unproved.
            match self.evaluate(&subset, false) {
                Some((ok, _)) => !ok,
                None => !self.exhausted,
            }
        })
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
        evaluations: 0,
        exhausted: false,
    };
    let mut found: Vec<Vec<Op>> = Vec::new();
    let start = candidates(engine, q, decision);
    // The frontier: denied sets with the candidates that may extend them.
    let mut frontier: Vec<(Vec<Op>, Vec<Op>)> = vec![(Vec::new(), start)];
    let max_edits = options.max_edits.min(super::MAX_EDITS);
    for size in 1..=max_edits {
        let mut next = Vec::new();
        for (set, more) in &frontier {
            for op in more {
                if set.contains(op) {
                    continue;
                }
                let mut child = set.clone();
                child.push(op.clone());
                child.sort();
                if s.known.contains_key(&child) {
                    continue;
                }
                match s.evaluate(&child, size < max_edits) {
                    Some((true, _)) if s.minimal(&child) => found.push(child),
                    Some((false, ext)) if !ext.is_empty() => next.push((child, ext)),
                    _ => {}
                }
                if s.exhausted {
                    break;
                }
            }
        }
        if found.len() >= options.max_fixes || s.exhausted {
            break;
        }
        frontier = next;
    }
    Found {
        sets: found,
        evaluations: s.evaluations,
        exhausted: s.exhausted,
    }
}
