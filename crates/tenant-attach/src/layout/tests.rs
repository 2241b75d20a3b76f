//! The layout's own checks: no overlap, every box inside the drawing, bad input survived.

use super::*;

const B: Size = Size {
    width: 50.0,
    height: 20.0,
};

fn overlaps(l: &Layout, sizes: &[Size]) -> bool {
    let boxes: Vec<(Point, Size)> = l.nodes.iter().copied().zip(sizes.iter().copied()).collect();
    boxes.iter().enumerate().any(|(i, (p, s))| {
        boxes.iter().skip(i + 1).any(|(q, t)| {
            p.x < q.x + t.width
                && q.x < p.x + s.width
                && p.y < q.y + t.height
                && q.y < p.y + s.height
        })
    })
}

#[test]
fn a_diamond_has_three_columns_and_no_overlap() {
    let sizes = [B; 4];
    let l = layered(&sizes, &[(0, 1), (0, 2), (1, 3), (2, 3)]);
    assert_eq!(l.layers, [0, 1, 1, 2]);
    assert!(!overlaps(&l, &sizes));
    assert!(l.nodes.iter().all(|p| p.x >= 0.0 && p.y >= 0.0));
    assert!(
        l.nodes
            .iter()
            .zip(&sizes)
            .all(|(p, s)| p.x + s.width <= l.width && p.y + s.height <= l.height)
    );
}

#[test]
fn cycles_self_loops_and_bad_edges_do_not_panic() {
    let sizes = [B; 3];
    let l = layered(&sizes, &[(0, 1), (1, 2), (2, 0), (1, 1), (0, 9)]);
    assert_eq!(l.edges.len(), 5);
    assert!(l.edges.get(3).is_some_and(Vec::is_empty));
    assert!(l.edges.get(4).is_some_and(Vec::is_empty));
    // The reversed edge still runs from its own source to its own target.
    let back = l.edges.get(2).cloned().unwrap_or_default();
    let (Some(first), Some(last)) = (back.first(), back.last()) else {
        unreachable!("the edge 2 → 0 has points");
    };
    assert!(first.x > last.x);
    assert!(!overlaps(&l, &sizes));
    let empty = layered(&[], &[]);
    assert!(empty.nodes.is_empty() && empty.width > 0.0);
}

#[test]
fn a_wide_fan_and_a_long_chain_stay_apart() {
    let mut sizes = vec![B; 60];
    let mut edges: Vec<(usize, usize)> = (1..30).map(|i| (0, i)).collect();
    edges.extend((30..59).map(|i| (i, i + 1)));
    edges.push((0, 59));
    sizes.push(Size {
        width: 200.0,
        height: 40.0,
    });
    edges.push((5, 60));
    let l = layered(&sizes, &edges);
    assert!(!overlaps(&l, &sizes));
    assert_eq!(l.layers.get(59), Some(&29));
}

#[test]
fn a_long_chain_with_edges_across_it_stays_quick_and_apart() {
    // 300 boxes in a chain, and the first linked to every other: about 45,000 virtual points.
    let sizes = vec![B; 300];
    let mut edges: Vec<(usize, usize)> = (0..299).map(|i| (i, i + 1)).collect();
    edges.extend((2..300).map(|i| (0, i)));
    let start = std::time::Instant::now();
    let l = layered(&sizes, &edges);
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(l.layers.get(299), Some(&299));
    assert!(!overlaps(&l, &sizes));
    assert_eq!(l.edges.last().map(Vec::len), Some(300));
}

#[test]
fn crossings_are_undone() {
    // 0 → 3 and 1 → 2: in index order they cross; the drawing puts 3 beside 0.
    let l = layered(&[B; 4], &[(0, 3), (1, 2)]);
    let y = |v: usize| l.nodes.get(v).map_or(0.0, |p| p.y);
    assert_eq!(y(0) < y(1), y(3) < y(2));
}

#[test]
fn the_crossing_count_counts() {
    // Two layers in index order: 0 → 3 and 1 → 2 cross once; 0 → 2 and 1 → 3 do not.
    let count = |edges: &[(usize, usize)]| {
        let mut g = super::Virtual::new(&[B; 4], &[0, 0, 1, 1]);
        for (a, b) in edges {
            g.chain(*a, *b);
        }
        g.rows = vec![vec![0, 1], vec![2, 3]];
        g.crossings()
    };
    assert_eq!(count(&[(0, 3), (1, 2)]), 1);
    assert_eq!(count(&[(0, 2), (1, 3)]), 0);
    assert_eq!(count(&[(0, 3), (1, 2), (0, 2), (1, 3)]), 1);
}
