//! The collections and edges a drawing of the collection graph shows (`graph` in every
//! format, `svg`'s layout): below both, so neither knows the other for them.

use std::collections::{BTreeSet, VecDeque};

use tenant_attach::snapshot::ChildRelation;
use tenant_attach::{CollectionGraph, CollectionIx, Engine};

/// The collections to draw: all, or those within `depth` edges of `around` (either direction).
///
/// Breadth-first over each visited collection's own edges, each collection once: the cost is
/// the edges at the collections drawn, not the size of the graph (a 200,000-deep chain
/// drawn around one collection costs what is drawn).
pub fn neighbourhood(
    engine: &Engine,
    around: Option<CollectionIx>,
    depth: usize,
) -> BTreeSet<CollectionIx> {
    let g = engine.collections();
    let Some(start) = around else {
        return g.in_id_order().collect();
    };
    let mut seen = BTreeSet::from([start]);
    let mut queue = VecDeque::from([(start, 0)]);
    while let Some((c, d)) = queue.pop_front() {
        if d == depth {
            continue;
        }
        for (a, b, _) in g.edges_at(c) {
            let next = if a == c { b } else { a };
            if seen.insert(next) {
                queue.push_back((next, d + 1));
            }
        }
    }
    seen
}

/// A drawn collection's id (every handle drawn comes from the engine's own graph).
pub(crate) fn id(g: &CollectionGraph, c: CollectionIx) -> &str {
    g.id(c).unwrap_or_default()
}

/// The drawn collections in id order.
pub(crate) fn in_id_order(engine: &Engine, nodes: &BTreeSet<CollectionIx>) -> Vec<CollectionIx> {
    let g = engine.collections();
    if nodes.len() == g.len() {
        return g.in_id_order().collect();
    }
    let mut v: Vec<CollectionIx> = nodes.iter().copied().collect();
    v.sort_by(|a, b| id(g, *a).cmp(id(g, *b)));
    v
}

/// The edges between drawn collections, sorted as [`tenant_attach::CollectionGraph::edges`]
/// sorts them; found from the drawn collections' own edges.
pub(crate) fn edges_between(
    engine: &Engine,
    nodes: &BTreeSet<CollectionIx>,
) -> Vec<(CollectionIx, CollectionIx, ChildRelation)> {
    let g = engine.collections();
    if nodes.len() == g.len() {
        return g.edges();
    }
    let mut out: Vec<_> = nodes
        .iter()
        .flat_map(|c| g.edges_at(*c).filter(move |(a, _, _)| a == c))
        .filter(|(_, b, _)| nodes.contains(b))
        .collect();
    out.sort_by(|a, b| {
        id(g, a.0)
            .cmp(id(g, b.0))
            .then(id(g, a.1).cmp(id(g, b.1)))
            .then(a.2.cmp(&b.2))
    });
    out.dedup();
    out
}
