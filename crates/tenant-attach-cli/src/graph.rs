//! `graph`: the collection graph as DOT (or SVG through Graphviz), JSON or a text listing.
//! Collections are nodes with their member counts; limiting, include and exclude edges are
//! styled apart; the uploaded collections are highlighted, the selected one bold.

use std::collections::{BTreeSet, VecDeque};
use std::io::Write;
use std::process::{Command, Stdio};

use tenant_attach::snapshot::ChildRelation;
use tenant_attach::{CollectionGraph, CollectionIx, Engine};

use crate::args::Format;

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
fn id(g: &CollectionGraph, c: CollectionIx) -> &str {
    g.id(c).unwrap_or_default()
}

/// The drawn collections in id order.
fn in_id_order(engine: &Engine, nodes: &BTreeSet<CollectionIx>) -> Vec<CollectionIx> {
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
fn edges_between(
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

/// A DOT string's content: escaped for a terminal first (the escapes then show in the
/// drawing), then for DOT.
fn escape(s: &str) -> String {
    crate::render::escape(s)
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}

pub fn dot(engine: &Engine, nodes: &BTreeSet<CollectionIx>) -> String {
    let g = engine.collections();
    let upload = engine.upload();
    let in_scope: BTreeSet<CollectionIx> = upload.collections().collect();
    let selected = upload.collections().next();
    let mut out = String::from(
        "digraph collections {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f5f5f5\", fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    for c in &in_id_order(engine, nodes) {
        let Some(col) = engine.collection(*c) else {
            continue;
        };
        let members = g.members(*c).len();
        let kind = match col.kind {
            tenant_attach::snapshot::CollectionType::Device => "",
            tenant_attach::snapshot::CollectionType::User => " (user)",
        };
        let mut attrs = format!(
            "label=\"{}\\n{}{}\\n{}\"",
            escape(id(g, *c)),
            escape(&col.name),
            kind,
            crate::output::plural(members, "member", "members")
        );
        if Some(*c) == selected {
            attrs.push_str(", fillcolor=\"#9ecae1\", penwidth=2.5, peripheries=2");
        } else if in_scope.contains(c) {
            attrs.push_str(", fillcolor=\"#deebf7\", penwidth=1.5");
        }
        out.push_str(&format!("  \"{}\" [{attrs}];\n", escape(id(g, *c))));
    }
    for (a, b, rel) in edges_between(engine, nodes) {
        let style = match rel {
            ChildRelation::Limiting => "color=\"#737373\", label=\"limits\"",
            ChildRelation::Include => "color=\"#31a354\", label=\"included by\"",
            ChildRelation::Exclude => "color=\"#de2d26\", style=dashed, label=\"excluded by\"",
        };
        out.push_str(&format!(
            "  \"{}\" -> \"{}\" [{style}];\n",
            escape(id(g, a)),
            escape(id(g, b))
        ));
    }
    out.push_str("}\n");
    out
}

pub fn render(
    engine: &Engine,
    nodes: &BTreeSet<CollectionIx>,
    format: Format,
) -> Result<String, String> {
    let g = engine.collections();
    match format {
        Format::Dot => Ok(dot(engine, nodes)),
        Format::Svg => {
            let mut child = Command::new("dot")
                .arg("-Tsvg")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| format!("error[usage]: cannot run Graphviz `dot` ({e}); install graphviz or use --format dot"))?;
            if let Some(mut stdin) = child.stdin.take() {
                stdin
                    .write_all(dot(engine, nodes).as_bytes())
                    .map_err(|e| format!("error[usage]: writing to `dot`: {e}"))?;
            }
            let done = child
                .wait_with_output()
                .map_err(|e| format!("error[usage]: `dot` failed: {e}"))?;
            if !done.status.success() {
                return Err(format!(
                    "error[usage]: `dot` failed: {}",
                    String::from_utf8_lossy(&done.stderr).trim()
                ));
            }
            String::from_utf8(done.stdout)
                .map_err(|e| format!("error[usage]: `dot` wrote non-UTF-8: {e}"))
        }
        Format::Json => {
            // Typed rows with their keys in sorted order, serialized without a Value tree.
            #[derive(serde::Serialize)]
            struct Node<'a> {
                id: &'a str,
                members: u64,
                name: &'a str,
                uploaded: bool,
            }
            #[derive(serde::Serialize)]
            struct Edge<'a> {
                from: &'a str,
                relation: &'static str,
                to: &'a str,
            }
            #[derive(serde::Serialize)]
            struct Graph<'a> {
                collections: Vec<Node<'a>>,
                edges: Vec<Edge<'a>>,
            }
            let upload: BTreeSet<CollectionIx> = engine.upload().collections().collect();
            let collections: Vec<Node<'_>> = in_id_order(engine, nodes)
                .iter()
                .filter_map(|c| {
                    engine.collection(*c).map(|col| Node {
                        id: id(g, *c),
                        members: g.members(*c).len(),
                        name: &col.name,
                        uploaded: upload.contains(c),
                    })
                })
                .collect();
            let edges: Vec<Edge<'_>> = edges_between(engine, nodes)
                .into_iter()
                .map(|(a, b, r)| Edge {
                    from: id(g, a),
                    relation: r.as_str(),
                    to: id(g, b),
                })
                .collect();
            let mut text = serde_json::to_string_pretty(&Graph { collections, edges })
                .map_err(|e| format!("error[usage]: cannot render the graph: {e}"))?;
            text.push('\n');
            Ok(text)
        }
        Format::Text => {
            let mut out = String::new();
            for (a, b, r) in edges_between(engine, nodes) {
                out.push_str(&format!(
                    "{} --{}--> {}\n",
                    crate::render::escape(id(g, a)),
                    r.as_str(),
                    crate::render::escape(id(g, b))
                ));
            }
            Ok(out)
        }
    }
}
