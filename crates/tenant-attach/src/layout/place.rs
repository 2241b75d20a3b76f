//! The layout's inner graph: the nodes plus a virtual point per layer crossed by a long
//! edge, their order within each layer (barycenter sweeps, the fewest crossings kept) and
//! their coordinates.

use super::{LAYER_GAP, MARGIN, NODE_GAP, Point, SWEEPS, Size, VIRTUAL_HEIGHT};

/// The graph with virtual points, its order per layer and its coordinates.
pub(super) struct Virtual {
    /// Per vertex (nodes first, then virtual points): layer, size.
    layer: Vec<usize>,
    size: Vec<Size>,
    /// Per vertex, its neighbours in the previous and the next layer.
    up: Vec<Vec<usize>>,
    down: Vec<Vec<usize>>,
    /// Per layer, its vertices in order.
    pub(super) rows: Vec<Vec<usize>>,
    /// Per vertex, its centre height; per layer, its left edge and width.
    y: Vec<f64>,
    column_x: Vec<f64>,
    column_w: Vec<f64>,
    pub(super) width: f64,
    pub(super) height: f64,
}

impl Virtual {
    pub(super) fn new(sizes: &[Size], layers: &[usize]) -> Virtual {
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
    pub(super) fn chain(&mut self, a: usize, b: usize) -> Vec<usize> {
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
    pub(super) fn order(&mut self) {
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
        // Sweeps can oscillate: the order with the fewest crossings seen is kept.
        let mut best = (self.crossings(), self.rows.clone());
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
            let c = self.crossings();
            if c < best.0 {
                best = (c, self.rows.clone());
            }
        }
        self.rows = best.1;
    }

    /// Edge crossings between neighbouring layers in the current order: per pair of layers,
    /// the inversions among the lower ends of the edges sorted by their upper ends (a
    /// Fenwick tree, so E log V).
    pub(super) fn crossings(&self) -> u64 {
        let mut pos = vec![0usize; self.layer.len()];
        for row in &self.rows {
            for (i, v) in row.iter().enumerate() {
                if let Some(p) = pos.get_mut(*v) {
                    *p = i;
                }
            }
        }
        let at = |v: usize| pos.get(v).copied().unwrap_or(0);
        let mut total = 0u64;
        for (l, row) in self.rows.iter().enumerate() {
            let width = self.rows.get(l + 1).map_or(0, Vec::len);
            let mut ends: Vec<(usize, usize)> = row
                .iter()
                .flat_map(|u| {
                    self.down
                        .get(*u)
                        .map(Vec::as_slice)
                        .unwrap_or(&[])
                        .iter()
                        .map(move |w| (at(*u), at(*w)))
                })
                .collect();
            ends.sort_unstable();
            // Fenwick tree over the lower layer's positions: how many ends seen so far lie
            // to the right of this one.
            let mut tree = vec![0u64; width + 1];
            for (seen, (_, w)) in ends.iter().enumerate() {
                let mut i = w + 1;
                let mut at_or_left = 0;
                while i > 0 {
                    at_or_left += tree.get(i).copied().unwrap_or(0);
                    i &= i - 1;
                }
                total += seen as u64 - at_or_left;
                let mut i = w + 1;
                while i <= width {
                    if let Some(t) = tree.get_mut(i) {
                        *t += 1;
                    }
                    i += i & i.wrapping_neg();
                }
            }
        }
        total
    }

    fn height_of(&self, v: usize) -> f64 {
        self.size.get(v).map_or(0.0, |s| s.height)
    }

    /// Columns, then heights: stacked, then pulled toward their neighbours a few times.
    pub(super) fn place(&mut self) {
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
    pub(super) fn corner(&self, v: usize) -> Point {
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
    pub(super) fn polyline(&self, chain: &[usize], reversed: bool) -> Vec<Point> {
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
