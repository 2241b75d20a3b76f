//! `graph`: the collection graph as DOT, SVG (laid out in Rust by `crate::svg`, or through
//! Graphviz with `--engine dot`), JSON or a text listing.
//! Collections are nodes with their member counts; limiting, include and exclude edges are
//! styled apart; the uploaded collections are highlighted, the selected one bold.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

use tenant_attach::snapshot::ChildRelation;
use tenant_attach::{CollectionIx, Engine};

use crate::args::Format;
use crate::drawn::id;
pub use crate::drawn::neighbourhood;
pub(crate) use crate::drawn::{edges_between, in_id_order};

/// A DOT string's content: escaped for a terminal first (the escapes then show in the
/// drawing), then for DOT.
fn escape(s: &str) -> String {
    crate::render::escape(s)
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}

/// The graph as DOT, written line by line.
///
/// # Errors
///
/// A failed write.
pub fn write_dot(
    engine: &Engine,
    nodes: &BTreeSet<CollectionIx>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let g = engine.collections();
    let upload = engine.upload();
    let in_scope: BTreeSet<CollectionIx> = upload.collections().collect();
    let selected = upload.collections().next();
    out.write_all(
        b"digraph collections {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f5f5f5\", fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
    )?;
    for c in &in_id_order(engine, nodes) {
        let Some(col) = engine.collection(*c) else {
            continue;
        };
        let members = g.members(*c).len();
        let kind = match col.kind {
            tenant_attach::snapshot::CollectionType::Device => "",
            tenant_attach::snapshot::CollectionType::User => " (user)",
        };
        let id = escape(id(g, *c));
        let highlight = if Some(*c) == selected {
            ", fillcolor=\"#9ecae1\", penwidth=2.5, peripheries=2"
        } else if in_scope.contains(c) {
            ", fillcolor=\"#deebf7\", penwidth=1.5"
        } else {
            ""
        };
        writeln!(
            out,
            "  \"{id}\" [label=\"{id}\\n{}{}\\n{}\"{highlight}];",
            escape(&col.name),
            kind,
            crate::output::plural(members, "member", "members")
        )?;
    }
    for (a, b, rel) in edges_between(engine, nodes) {
        let style = match rel {
            ChildRelation::Limiting => "color=\"#737373\", label=\"limits\"",
            ChildRelation::Include => "color=\"#31a354\", label=\"included by\"",
            ChildRelation::Exclude => "color=\"#de2d26\", style=dashed, label=\"excluded by\"",
        };
        writeln!(
            out,
            "  \"{}\" -> \"{}\" [{style}];",
            escape(id(g, a)),
            escape(id(g, b))
        )?;
    }
    out.write_all(b"}\n")
}

/// The graph as text: one `FROM --relation--> TO` line per edge, written line by line.
///
/// # Errors
///
/// A failed write.
pub fn write_text(
    engine: &Engine,
    nodes: &BTreeSet<CollectionIx>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let g = engine.collections();
    for (a, b, r) in edges_between(engine, nodes) {
        writeln!(
            out,
            "{} --{}--> {}",
            crate::render::escape(id(g, a)),
            r.as_str(),
            crate::render::escape(id(g, b))
        )?;
    }
    Ok(())
}

/// The graph as JSON, serialized while it is walked (no document built first): the same
/// bytes as building `{"collections": [...], "edges": [...]}` and printing it.
///
/// # Errors
///
/// A failed write.
pub fn write_json(
    engine: &Engine,
    nodes: &BTreeSet<CollectionIx>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    // Typed rows with their keys in sorted order.
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
    struct Nodes<'a>(&'a Engine, &'a [CollectionIx], &'a BTreeSet<CollectionIx>);
    impl serde::Serialize for Nodes<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let Nodes(engine, order, upload) = *self;
            let g = engine.collections();
            s.collect_seq(order.iter().filter_map(|c| {
                engine.collection(*c).map(|col| Node {
                    id: id(g, *c),
                    members: g.members(*c).len(),
                    name: &col.name,
                    uploaded: upload.contains(c),
                })
            }))
        }
    }
    struct Edges<'a>(
        &'a Engine,
        &'a [(CollectionIx, CollectionIx, ChildRelation)],
    );
    impl serde::Serialize for Edges<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let g = self.0.collections();
            s.collect_seq(self.1.iter().map(|(a, b, r)| Edge {
                from: id(g, *a),
                relation: r.as_str(),
                to: id(g, *b),
            }))
        }
    }
    #[derive(serde::Serialize)]
    struct Graph<'a> {
        collections: Nodes<'a>,
        edges: Edges<'a>,
    }
    let upload: BTreeSet<CollectionIx> = engine.upload().collections().collect();
    let order = in_id_order(engine, nodes);
    let edges = edges_between(engine, nodes);
    crate::output::write_json(
        out,
        &Graph {
            collections: Nodes(engine, &order, &upload),
            edges: Edges(engine, &edges),
        },
    )
}

/// Writes the graph in `format` (DOT, text, JSON, or SVG laid out in Rust: every collection
/// in `nodes`, no note; the command picks them with [`crate::svg::drawable`]).
///
/// # Errors
///
/// A failed write, or Graphviz missing or failing (the message for stderr).
pub fn write(
    engine: &Engine,
    nodes: &BTreeSet<CollectionIx>,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), GraphError> {
    match format {
        Format::Dot => write_dot(engine, nodes, out)?,
        Format::Text | Format::Junit => write_text(engine, nodes, out)?,
        Format::Json => write_json(engine, nodes, out)?,
        Format::Svg => out.write_all(crate::svg::render(engine, nodes, None, true).as_bytes())?,
        Format::Html => {
            return Err(GraphError::Graphviz(String::from(
                "error[usage]: --format html is for `report` and `demo`",
            )));
        }
    }
    Ok(())
}

/// Why `graph` could not print.
#[derive(Debug)]
pub enum GraphError {
    /// Writing the output failed.
    Write(std::io::Error),
    /// Graphviz is missing or failed, or the format is not one `graph` writes: the
    /// `error[usage]` line.
    Graphviz(String),
}

impl From<std::io::Error> for GraphError {
    fn from(e: std::io::Error) -> GraphError {
        GraphError::Write(e)
    }
}

/// The graph rendered to SVG by Graphviz `dot` (`graph --format svg --engine dot`).
///
/// # Errors
///
/// Graphviz missing or failing: the `error[usage]` line.
pub fn dot_svg(engine: &Engine, nodes: &BTreeSet<CollectionIx>) -> Result<String, GraphError> {
    let usage = |m: String| GraphError::Graphviz(m);
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| usage(format!("error[usage]: cannot run Graphviz `dot` ({e}); install graphviz or use --format dot")))?;
    if let Some(mut stdin) = child.stdin.take() {
        write_dot(engine, nodes, &mut stdin)
            .map_err(|e| usage(format!("error[usage]: writing to `dot`: {e}")))?;
    }
    let done = child
        .wait_with_output()
        .map_err(|e| usage(format!("error[usage]: `dot` failed: {e}")))?;
    if !done.status.success() {
        return Err(usage(format!(
            "error[usage]: `dot` failed: {}",
            String::from_utf8_lossy(&done.stderr).trim()
        )));
    }
    String::from_utf8(done.stdout)
        .map_err(|e| usage(format!("error[usage]: `dot` wrote non-UTF-8: {e}")))
}

/// The graph in `format` as one string (the fuzz target; the command line streams).
///
/// # Errors
///
/// A format `graph` does not write (HTML): the `error[usage]` line.
pub fn render(
    engine: &Engine,
    nodes: &BTreeSet<CollectionIx>,
    format: Format,
) -> Result<String, String> {
    let mut buf = Vec::new();
    match write(engine, nodes, format, &mut buf) {
        Ok(()) => Ok(String::from_utf8_lossy(&buf).into_owned()),
        Err(GraphError::Graphviz(m)) => Err(m),
        Err(GraphError::Write(e)) => Err(format!("error[usage]: cannot render the graph: {e}")),
    }
}
