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

/// The graph with virtual points, its order per layer and its coordinates.
struct Virtual {
    /// Per vertex (nodes first, then virtual points): layer, size.
    layer: Vec<usize>,
    size: Vec<Size>,
    /// Per vertex, its neighbours in the previous and the next layer.
    up: Vec<Vec<usize>>,
    down: Vec<Vec<usize>>,
    /// Per layer, its vertices in order.
    rows: Vec<Vec<usize>>,
    /// Per vertex, its centre height; per layer, its left edge and width.
    y: Vec<f64>,
    column_x: Vec<f64>,
    column_w: Vec<f64>,
    width: f64,
    height: f64,
}

impl Virtual {
    fn new(sizes: &[Size], layers: &[usize]) -> Virtual {
        let n = sizes.len();
        Virtual {
            layer: layers.to_vec(),
            size: sizes.to_vec(),
            up: vec![Vec::new(); n],
            down: vec![Vec::new(); n],
            rows: Vec::new(),
            y: Vec::new(),
            column_x: Vec::new(),
            column_w: Vec::new(),
            width: 0.0,
            height: 0.0,
        }
    }

    fn layer_of(&self, v: usize) -> usize {
        self.layer.get(v).copied().unwrap_or(0)
    }

    /// The vertices from `a` to `b` (a's layer < b's), adding a virtual point per layer between.
    fn chain(&mut self, a: usize, b: usize) -> Vec<usize> {
        let (la, lb) = (self.layer_of(a), self.layer_of(b));
        let mut chain = vec![a];
        for l in la + 1..lb {
            self.layer.push(l);
            self.size.push(Size {
                width: 0.0,
                height: VIRTUAL_HEIGHT,
            });
            self.up.push(Vec::new());
            self.down.push(Vec::new());
            chain.push(self.layer.len() - 1);
        }
        chain.push(b);
        for pair in chain.windows(2) {
            if let [x, y] = *pair {
                if let Some(d) = self.down.get_mut(x) {
                    d.push(y);
                }
                if let Some(u) = self.up.get_mut(y) {
                    u.push(x);
                }
            }
        }
        chain
    }

    /// Barycenter sweeps over the layers.
    fn order(&mut self) {
        let depth = self.layer.iter().max().map_or(0, |m| m + 1);
        self.rows = vec![Vec::new(); depth];
        for (v, l) in self.layer.iter().enumerate() {
            if let Some(r) = self.rows.get_mut(*l) {
                r.push(v);
            }
        }
        let mut pos = vec![0usize; self.layer.len()];
        for row in &self.rows {
            for (i, v) in row.iter().enumerate() {
                if let Some(p) = pos.get_mut(*v) {
                    *p = i;
                }
            }
        }
        for sweep in 0..SWEEPS * 2 {
            let downward = sweep.is_multiple_of(2);
            let ls: Vec<usize> = if downward {
                (1..depth).collect()
            } else {
                (0..depth.saturating_sub(1)).rev().collect()
            };
            for l in ls {
                let Some(row) = self.rows.get(l) else {
                    continue;
                };
                let neighbours = if downward { &self.up } else { &self.down };
                let mut keyed: Vec<(f64, usize, usize)> = row
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let ns = neighbours.get(*v).map(Vec::as_slice).unwrap_or(&[]);
                        let key = if ns.is_empty() {
                            i as f64
                        } else {
                            ns.iter()
                                .map(|w| pos.get(*w).copied().unwrap_or(0) as f64)
                                .sum::<f64>()
                                / ns.len() as f64
                        };
                        (key, i, *v)
                    })
                    .collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                let sorted: Vec<usize> = keyed.into_iter().map(|(_, _, v)| v).collect();
                for (i, v) in sorted.iter().enumerate() {
                    if let Some(p) = pos.get_mut(*v) {
                        *p = i;
                    }
                }
                if let Some(r) = self.rows.get_mut(l) {
                    *r = sorted;
                }
            }
        }
    }

    fn height_of(&self, v: usize) -> f64 {
        self.size.get(v).map_or(0.0, |s| s.height)
    }

    /// Columns, then heights: stacked, then pulled toward their neighbours a few times.
    fn place(&mut self) {
        let mut x = MARGIN;
        for row in &self.rows {
            let w = row
                .iter()
                .filter_map(|v| self.size.get(*v))
                .map(|s| s.width)
                .fold(0.0, f64::max);
            self.column_x.push(x);
            self.column_w.push(w);
            x += w + LAYER_GAP;
        }
        self.width = (x - LAYER_GAP + MARGIN).max(2.0 * MARGIN);
        self.y = vec![0.0; self.layer.len()];
        for l in 0..self.rows.len() {
            self.settle(l, |_, _| None);
        }
        let (up, down) = (std::mem::take(&mut self.up), std::mem::take(&mut self.down));
        for sweep in 0..SWEEPS * 2 {
            let downward = sweep.is_multiple_of(2);
            let neighbours = if downward { &up } else { &down };
            for l in 0..self.rows.len() {
                let l = if downward { l } else { self.rows.len() - 1 - l };
                self.settle(l, |g, v| {
                    let ns = neighbours.get(v)?;
                    (!ns.is_empty()).then(|| {
                        ns.iter()
                            .map(|w| g.y.get(*w).copied().unwrap_or(0.0))
                            .sum::<f64>()
                            / ns.len() as f64
                    })
                });
            }
        }
        (self.up, self.down) = (up, down);
        let top = (0..self.layer.len())
            .map(|v| self.y.get(v).copied().unwrap_or(0.0) - self.height_of(v) / 2.0)
            .fold(f64::INFINITY, f64::min);
        let shift = if top.is_finite() { MARGIN - top } else { 0.0 };
        for y in &mut self.y {
            *y += shift;
        }
        let bottom = (0..self.layer.len())
            .map(|v| self.y.get(v).copied().unwrap_or(0.0) + self.height_of(v) / 2.0)
            .fold(0.0, f64::max);
        self.height = (bottom + MARGIN).max(2.0 * MARGIN);
    }

    /// Layer `l`'s centres: each at its wish (or just below the previous box), in order, then
    /// the layer moved as a whole so that on average each box sits at its wish.
    fn settle(&mut self, l: usize, wish: impl Fn(&Virtual, usize) -> Option<f64>) {
        let Some(row) = self.rows.get(l).cloned() else {
            return;
        };
        let mut placed: Vec<(usize, f64, Option<f64>)> = Vec::with_capacity(row.len());
        let mut floor = f64::NEG_INFINITY;
        for v in row {
            let half = self.height_of(v) / 2.0;
            let want = wish(self, v);
            let current = self.y.get(v).copied().unwrap_or(0.0);
            let y = want.unwrap_or(current).max(floor + half);
            floor = y + half + NODE_GAP;
            placed.push((v, y, want));
        }
        let wished: Vec<f64> = placed
            .iter()
            .filter_map(|(_, y, w)| w.map(|w| w - y))
            .collect();
        let shift = if wished.is_empty() {
            0.0
        } else {
            wished.iter().sum::<f64>() / wished.len() as f64
        };
        for (v, y, _) in placed {
            if let Some(slot) = self.y.get_mut(v) {
                *slot = y + shift;
            }
        }
    }

    /// A node's top-left corner: centred in its column.
    fn corner(&self, v: usize) -> Point {
        let l = self.layer_of(v);
        let s = self.size.get(v).copied().unwrap_or(Size {
            width: 0.0,
            height: 0.0,
        });
        let cx = self.column_x.get(l).copied().unwrap_or(0.0)
            + self.column_w.get(l).copied().unwrap_or(0.0) / 2.0;
        Point {
            x: cx - s.width / 2.0,
            y: self.y.get(v).copied().unwrap_or(0.0) - s.height / 2.0,
        }
    }

    /// An edge's points: the source box's right side, the virtual points, the target's left
    /// side; from the original source when the edge was reversed.
    fn polyline(&self, chain: &[usize], reversed: bool) -> Vec<Point> {
        let last = chain.len().saturating_sub(1);
        let mut points: Vec<Point> = chain
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let c = self.corner(*v);
                let s = self.size.get(*v).map_or(0.0, |s| s.width);
                let h = self.height_of(*v) / 2.0;
                let x = if i == 0 {
                    c.x + s
                } else if i == last {
                    c.x
                } else {
                    c.x + s / 2.0
                };
                Point { x, y: c.y + h }
            })
            .collect();
        if reversed {
            points.reverse();
        }
        points
    }
}

#[cfg(test)]
mod tests;
