//! A layered drawing of a directed graph, left to right, without Graphviz: the positions of
//! boxes and the polylines of the edges between them (`tenant-attach graph --format svg`, the
//! HTML report). Pure arithmetic over indices: it knows nothing of collections.
//!
//! A small Sugiyama-style layout:
//! 1. cycles, should there be any, are broken by reversing the edges that go against a
//!    topological order (smallest index first; the collection graph is acyclic, R-C3);
//! 2. layers by longest path from the sources (a node sits one column after its last
//!    predecessor);
//! 3. an edge spanning several layers passes through a virtual point in each layer between;
//! 4. within a layer, the order comes from a few barycenter sweeps (down and up), ties by the
//!    previous order, so the same input gives the same drawing;
//! 5. each column is as wide as its widest box; within it the boxes are pulled toward the
//!    mean height of their neighbours, keeping their order and a gap.
//!
//! Cost: linear in nodes plus virtual points per sweep, plus a sort per layer: fine for the
//! few hundred boxes a readable drawing holds.

use std::collections::BTreeSet;

mod place;

use place::Virtual;

/// Horizontal gap between two columns (edges run through it).
pub const LAYER_GAP: f64 = 70.0;
/// Vertical gap between two boxes of a column.
pub const NODE_GAP: f64 = 18.0;
/// Margin around the drawing.
pub const MARGIN: f64 = 12.0;
/// Barycenter sweeps (a down and an up sweep each).
const SWEEPS: usize = 6;
/// Height a virtual point occupies in its column.
const VIRTUAL_HEIGHT: f64 = 4.0;

/// A box's size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Size {
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// A point of the drawing (y grows downward, as in SVG).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Horizontal.
    pub x: f64,
    /// Vertical.
    pub y: f64,
}

/// Where everything goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Per node (in the input's order), the top-left corner of its box.
    pub nodes: Vec<Point>,
    /// Per edge (in the input's order), its polyline from the source box's edge to the
    /// target's; empty for an edge naming a missing node or a node itself.
    pub edges: Vec<Vec<Point>>,
    /// The column of each node (0 = sources).
    pub layers: Vec<usize>,
    /// The width of the whole drawing, margins included.
    pub width: f64,
    /// Its height.
    pub height: f64,
}

/// Lays out `sizes.len()` boxes and the `edges` between them (source, target), left to right.
///
/// ```
/// use tenant_attach::layout::{Size, layered};
/// let b = Size { width: 80.0, height: 30.0 };
/// // a → b, a → c, b → c: three columns, c after b.
/// let l = layered(&[b, b, b], &[(0, 1), (0, 2), (1, 2)]);
/// assert_eq!(l.layers, [0, 1, 2]);
/// assert!(l.nodes[0].x < l.nodes[1].x && l.nodes[1].x < l.nodes[2].x);
/// assert_eq!(l.edges[1].len(), 3); // a → c bends through column 1
/// assert_eq!(l, layered(&[b, b, b], &[(0, 1), (0, 2), (1, 2)])); // deterministic
/// ```
pub fn layered(sizes: &[Size], edges: &[(usize, usize)]) -> Layout {
    let n = sizes.len();
    let valid = |&(a, b): &(usize, usize)| a < n && b < n && a != b;
    let rank = topological_rank(n, edges.iter().copied().filter(valid));
    let at = |v: usize| rank.get(v).copied().unwrap_or(0);
    // Every valid edge oriented along the order: (from, to, reversed).
    let oriented: Vec<Option<(usize, usize, bool)>> = edges
        .iter()
        .map(|e| {
            valid(e).then(|| {
                let (a, b) = *e;
                if at(a) < at(b) {
                    (a, b, false)
                } else {
                    (b, a, true)
                }
            })
        })
        .collect();
    let layers = longest_path_layers(n, &rank, &oriented);
    let mut g = Virtual::new(sizes, &layers);
    let chains: Vec<Option<(Vec<usize>, bool)>> = oriented
        .iter()
        .map(|o| o.map(|(a, b, rev)| (g.chain(a, b), rev)))
        .collect();
    g.order();
    g.place();
    let nodes: Vec<Point> = (0..n).map(|v| g.corner(v)).collect();
    let edges = chains
        .iter()
        .map(|c| match c {
            Some((chain, reversed)) => g.polyline(chain, *reversed),
            None => Vec::new(),
        })
        .collect();
    Layout {
        nodes,
        edges,
        layers,
        width: g.width,
        height: g.height,
    }
}

/// Each node's place in a topological order, smallest index first among the ready; when
/// only cycles are left, the smallest remaining index is taken as if ready.
fn topological_rank(n: usize, edges: impl Iterator<Item = (usize, usize)>) -> Vec<usize> {
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indegree = vec![0usize; n];
    for (a, b) in edges {
        if let Some(s) = succ.get_mut(a) {
            s.push(b);
        }
        if let Some(d) = indegree.get_mut(b) {
            *d += 1;
        }
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|v| indegree.get(*v) == Some(&0)).collect();
    let mut remaining: BTreeSet<usize> = (0..n).collect();
    let mut rank = vec![0usize; n];
    let mut next = 0;
    while let Some(v) = ready.pop_first().or_else(|| remaining.first().copied()) {
        if !remaining.remove(&v) {
            continue;
        }
        if let Some(r) = rank.get_mut(v) {
            *r = next;
        }
        next += 1;
        for w in succ.get(v).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(d) = indegree.get_mut(*w) {
                *d = d.saturating_sub(1);
                if *d == 0 && remaining.contains(w) {
                    ready.insert(*w);
                }
            }
        }
    }
    rank
}

/// Longest path from the sources, over the oriented edges, in rank order.
fn longest_path_layers(
    n: usize,
    rank: &[usize],
    oriented: &[Option<(usize, usize, bool)>],
) -> Vec<usize> {
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (a, b, _) in oriented.iter().flatten() {
        if let Some(p) = preds.get_mut(*b) {
            p.push(*a);
        }
    }
    let mut by_rank: Vec<usize> = (0..n).collect();
    by_rank.sort_by_key(|v| rank.get(*v).copied().unwrap_or(0));
    let mut layer = vec![0usize; n];
    for v in by_rank {
        let l = preds
            .get(v)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .map(|p| layer.get(*p).map_or(0, |l| l + 1))
            .max()
            .unwrap_or(0);
        if let Some(slot) = layer.get_mut(v) {
            *slot = l;
        }
    }
    layer
}

#[cfg(test)]
mod tests;
