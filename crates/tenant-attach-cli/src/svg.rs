//! The collection graph as SVG, laid out in Rust (`tenant_attach::layout`): no Graphviz.
//! `graph --format svg` writes it as a file, the HTML report inlines it.
//!
//! Boxes are collections (id, name, member count), left to right from the limiting roots;
//! limiting edges grey, include green, exclude red and dashed; the upload collection is
//! double-framed and its children shaded, as in the DOT drawing. A graph of more than
//! [`MAX_DRAWN`] collections is drawn around the upload collection ([`drawable`]) with a note:
//! a few hundred boxes is what a page can show readably.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;

use tenant_attach::layout::{Point, Size, layered};
use tenant_attach::snapshot::{ChildRelation, CollectionType};
use tenant_attach::{CollectionIx, Engine};

/// The most collections one drawing holds.
pub const MAX_DRAWN: usize = 300;
/// How many edges away from the upload collection a large graph is drawn by default.
pub const DEFAULT_DEPTH: usize = 2;

const FONT: f64 = 11.0;
/// Average advance of a character of the sans-serif font at [`FONT`] (an estimate: no font
/// metrics without a renderer; generous so labels stay inside their box).
const CHAR_WIDTH: f64 = 6.6;
const LINE: f64 = 14.0;
const PAD: f64 = 8.0;
/// Longest name shown in a box, in characters (the rest is cut with `…`).
const NAME_CHARS: usize = 40;
/// Room above the graph for the title, the note and the legend.
const HEADER: f64 = 52.0;

/// Text escaped for a terminal (hostile characters become visible `\u{…}`), then for XML.
pub fn xml(s: &str) -> String {
    let safe = crate::render::escape(s);
    let mut out = String::with_capacity(safe.len());
    for c in safe.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The collections to draw and, when not all are drawn, a note saying which.
///
/// `around` given: within `depth` edges of it, at most [`MAX_DRAWN`] (nearest first).
/// Otherwise everything when the graph has at most [`MAX_DRAWN`] collections, else the
/// neighbourhood of the upload collection (or of the first collection by id when every
/// device is uploaded) within [`DEFAULT_DEPTH`] edges, at most [`MAX_DRAWN`].
pub fn drawable(
    engine: &Engine,
    around: Option<CollectionIx>,
    depth: usize,
) -> (BTreeSet<CollectionIx>, Option<String>) {
    let g = engine.collections();
    let (start, depth) = match around {
        Some(c) => (c, depth),
        None if g.len() <= MAX_DRAWN => return (g.in_id_order().collect(), None),
        None => match engine
            .upload()
            .collections()
            .next()
            .or_else(|| g.in_id_order().next())
        {
            Some(c) => (c, DEFAULT_DEPTH),
            None => return (BTreeSet::new(), None),
        },
    };
    let (nodes, cut) = bounded(engine, start, depth, MAX_DRAWN);
    let name = g.id(start).unwrap_or_default();
    let note = match (around.is_some(), cut) {
        (true, false) => return (nodes, None),
        (true, true) => format!(
            "{} collections within {depth} edges of {name} drawn (at most {MAX_DRAWN}, nearest first); the whole graph: --format json",
            nodes.len()
        ),
        (false, _) => format!(
            "{} of {} collections drawn: those within {depth} edges of {name}{}; another view: --around ID --depth N; the whole graph: --format json or dot",
            nodes.len(),
            g.len(),
            if cut {
                format!(" (at most {MAX_DRAWN}, nearest first)")
            } else {
                String::new()
            }
        ),
    };
    (nodes, Some(note))
}

/// Breadth-first within `depth` edges of `start`, stopping at `max` collections: the set and
/// whether it was cut.
fn bounded(
    engine: &Engine,
    start: CollectionIx,
    depth: usize,
    max: usize,
) -> (BTreeSet<CollectionIx>, bool) {
    let g = engine.collections();
    let mut seen = BTreeSet::from([start]);
    let mut queue = VecDeque::from([(start, 0)]);
    while let Some((c, d)) = queue.pop_front() {
        if d == depth {
            continue;
        }
        for (a, b, _) in g.edges_at(c) {
            let next = if a == c { b } else { a };
            if seen.contains(&next) {
                continue;
            }
            if seen.len() >= max {
                return (seen, true);
            }
            seen.insert(next);
            queue.push_back((next, d + 1));
        }
    }
    (seen, false)
}

/// A name cut to [`NAME_CHARS`] characters.
fn cut(name: &str) -> String {
    if name.chars().count() <= NAME_CHARS {
        return name.to_owned();
    }
    let mut s: String = name.chars().take(NAME_CHARS - 1).collect();
    s.push('…');
    s
}

fn relation_style(r: ChildRelation) -> (&'static str, &'static str, &'static str) {
    // (class, colour, words for the hover title)
    match r {
        ChildRelation::Limiting => ("limiting", "#737373", "limits"),
        ChildRelation::Include => ("include", "#31a354", "is included by"),
        ChildRelation::Exclude => ("exclude", "#de2d26", "is excluded by"),
    }
}

fn points(ps: &[Point]) -> String {
    let mut s = String::new();
    for p in ps {
        let _ = write!(s, "{:.1},{:.1} ", p.x, p.y);
    }
    s.trim_end().to_owned()
}

/// The drawing of `nodes` and the edges between them, as one `<svg>` element. `standalone`
/// adds the XML declaration and namespace a `.svg` file needs (inline in HTML they are not
/// needed). Deterministic: the same engine and nodes give the same bytes.
pub fn render(
    engine: &Engine,
    nodes: &BTreeSet<CollectionIx>,
    note: Option<&str>,
    standalone: bool,
) -> String {
    let g = engine.collections();
    let order = crate::drawn::in_id_order(engine, nodes);
    let index: BTreeMap<CollectionIx, usize> =
        order.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    let edges = crate::drawn::edges_between(engine, nodes);
    let upload: BTreeSet<CollectionIx> = engine.upload().collections().collect();
    let selected = engine.upload().collections().next();

    // Labels: id, name, members.
    let labels: Vec<[String; 3]> = order
        .iter()
        .map(|c| {
            let col = engine.collection(*c);
            let kind = match col.map(|c| c.kind) {
                Some(CollectionType::User) => " (user)",
                _ => "",
            };
            [
                g.id(*c).unwrap_or_default().to_owned(),
                format!("{}{kind}", cut(col.map_or("", |c| c.name.as_str()))),
                crate::output::plural(g.members(*c).len(), "member", "members"),
            ]
        })
        .collect();
    let sizes: Vec<Size> = labels
        .iter()
        .map(|l| {
            let chars = l
                .iter()
                .map(|s| crate::render::escape(s).chars().count())
                .max()
                .unwrap_or(0);
            Size {
                width: chars as f64 * CHAR_WIDTH + 2.0 * PAD,
                height: 3.0 * LINE + PAD,
            }
        })
        .collect();
    let pairs: Vec<(usize, usize)> = edges
        .iter()
        .map(|(a, b, _)| {
            (
                index.get(a).copied().unwrap_or(usize::MAX),
                index.get(b).copied().unwrap_or(usize::MAX),
            )
        })
        .collect();
    let layout = layered(&sizes, &pairs);

    let legend_width = 560.0;
    let note_width = note.map_or(0.0, |n| n.chars().count() as f64 * CHAR_WIDTH + 24.0);
    let width = layout.width.max(legend_width).max(note_width).ceil();
    let height = (layout.height + HEADER).ceil();
    let mut s = String::with_capacity(512 + order.len() * 400);
    if standalone {
        s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }
    let _ = writeln!(
        s,
        "<svg {}width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"{FONT}\" role=\"img\" aria-label=\"Collection graph\" class=\"collection-graph\">",
        if standalone {
            "xmlns=\"http://www.w3.org/2000/svg\" "
        } else {
            ""
        }
    );
    s.push_str("<defs>\n");
    for r in [
        ChildRelation::Limiting,
        ChildRelation::Include,
        ChildRelation::Exclude,
    ] {
        let (class, colour, _) = relation_style(r);
        let _ = writeln!(
            s,
            "<marker id=\"arrow-{class}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{colour}\"/></marker>"
        );
    }
    s.push_str("</defs>\n");
    let _ = writeln!(
        s,
        "<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );
    let _ = writeln!(
        s,
        "<text x=\"12\" y=\"18\" font-weight=\"bold\">Collections: {} drawn, {} edges</text>",
        order.len(),
        edges.len()
    );
    // Legend.
    let mut x = 200.0;
    for r in [
        ChildRelation::Limiting,
        ChildRelation::Include,
        ChildRelation::Exclude,
    ] {
        let (class, colour, words) = relation_style(r);
        let dash = if r == ChildRelation::Exclude {
            " stroke-dasharray=\"5,3\""
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "<line x1=\"{x}\" y1=\"14\" x2=\"{}\" y2=\"14\" stroke=\"{colour}\" stroke-width=\"1.5\"{dash} marker-end=\"url(#arrow-{class})\"/><text x=\"{}\" y=\"18\">{words}</text>",
            x + 28.0,
            x + 34.0
        );
        x += 120.0;
    }
    let _ = writeln!(
        s,
        "<rect x=\"{x}\" y=\"7\" width=\"14\" height=\"14\" rx=\"3\" fill=\"#deebf7\" stroke=\"#3182bd\"/><text x=\"{}\" y=\"18\">uploaded</text>",
        x + 18.0
    );
    if let Some(n) = note {
        let _ = writeln!(
            s,
            "<text x=\"12\" y=\"38\" fill=\"#a63603\" class=\"note\">{}</text>",
            xml(n)
        );
    }
    let _ = writeln!(s, "<g transform=\"translate(0,{HEADER})\">");
    for ((a, b, r), line) in edges.iter().zip(&layout.edges) {
        if line.is_empty() {
            continue;
        }
        let (class, colour, words) = relation_style(*r);
        let dash = if *r == ChildRelation::Exclude {
            " stroke-dasharray=\"5,3\""
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "<polyline class=\"edge {class}\" points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.4\"{dash} marker-end=\"url(#arrow-{class})\"><title>{} {words} {}</title></polyline>",
            points(line),
            xml(g.id(*a).unwrap_or_default()),
            xml(g.id(*b).unwrap_or_default())
        );
    }
    for (((c, label), p), size) in order.iter().zip(&labels).zip(&layout.nodes).zip(&sizes) {
        let (fill, stroke, sw) = if Some(*c) == selected {
            ("#9ecae1", "#08519c", 2.5)
        } else if upload.contains(c) {
            ("#deebf7", "#3182bd", 1.5)
        } else {
            ("#f5f5f5", "#636363", 1.0)
        };
        let class = if Some(*c) == selected {
            "node upload"
        } else if upload.contains(c) {
            "node uploaded"
        } else {
            "node"
        };
        let _ = writeln!(
            s,
            "<g class=\"{class}\" data-id=\"{}\"><title>{} {}</title>",
            xml(&label[0]),
            xml(&label[0]),
            xml(engine.collection(*c).map_or("", |c| c.name.as_str()))
        );
        let _ = writeln!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"5\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{sw}\"/>",
            p.x, p.y, size.width, size.height
        );
        if Some(*c) == selected {
            let _ = writeln!(
                s,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1\"/>",
                p.x + 3.0,
                p.y + 3.0,
                size.width - 6.0,
                size.height - 6.0
            );
        }
        let cx = p.x + size.width / 2.0;
        for (i, (text, weight)) in label.iter().zip(["bold", "normal", "normal"]).enumerate() {
            let _ = writeln!(
                s,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-weight=\"{weight}\">{}</text>",
                p.y + PAD / 2.0 + LINE * (i as f64 + 1.0) - 3.0,
                xml(text)
            );
        }
        s.push_str("</g>\n");
    }
    s.push_str("</g>\n</svg>\n");
    s
}
