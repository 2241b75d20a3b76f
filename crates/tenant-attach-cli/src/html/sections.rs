//! The sections of the page around the access matrix.

use std::fmt::{self, Write as _};

use tenant_attach::FindingSeverity;

use super::{Page, h, n};

/// Rows of a long table shown before it is cut (the rest counted, with the command that
/// lists everything).
pub const ROWS: usize = 100;
/// Objects of one finding listed before the list is cut.
pub const OBJECTS: usize = 50;

/// A serialized enum's word (`attached`, `public`).
fn word<T: serde::Serialize>(t: &T) -> String {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A collection id with its name: `PS100020 (Cloud attach upload)`.
fn collection(page: &Page, id: &str) -> String {
    let name = page
        .engine
        .find_collection(id)
        .ok()
        .and_then(|c| page.engine.collection(c))
        .map(|c| c.name.as_str());
    match name {
        Some(name) => format!("<code>{}</code> {}", h(id), h(name)),
        None => format!("<code>{}</code>", h(id)),
    }
}

fn card(out: &mut String, value: &str, what: &str) -> fmt::Result {
    writeln!(
        out,
        "<div class=\"card\"><b>{value}</b><span>{what}</span></div>"
    )
}

/// The hierarchy and the mode at a glance, and the validation.
pub fn hierarchy(out: &mut String, page: &Page) -> fmt::Result {
    let r = page.report;
    let hs = &r.hierarchy;
    writeln!(
        out,
        "<section id=\"hierarchy\"><h2>The hierarchy at a glance</h2>"
    )?;
    writeln!(
        out,
        "<p>Site <code>{}</code> · version {} · cloud {} · {} · mode <b>{}</b> (R-M1)</p>",
        h(&hs.site_code),
        hs.version,
        h(&word(&hs.cloud)),
        h(&word(&hs.attach_state)),
        h(hs.mode)
    )?;
    out.push_str("<div class=\"cards\">\n");
    card(out, &n(hs.devices as u64), "devices")?;
    card(out, &n(r.upload.uploaded), "uploaded (R-U)")?;
    card(out, &n(hs.collections as u64), "collections")?;
    card(out, &n(hs.users as u64), "Entra users")?;
    card(out, &n(r.findings.len() as u64), "findings")?;
    out.push_str("</div>\n<h3>Validation</h3>\n");
    let v = &r.validation;
    if v.errors.is_empty() && v.warnings.is_empty() {
        out.push_str("<p>No configuration error, no warning.</p>\n");
    } else {
        out.push_str("<table><thead><tr><th>kind</th><th>rule</th><th>path</th><th>message</th></tr></thead><tbody>\n");
        for (kind, d) in v
            .errors
            .iter()
            .map(|d| ("configuration error", d))
            .chain(v.warnings.iter().map(|d| ("warning", d)))
        {
            writeln!(
                out,
                "<tr><td class=\"{}\">{kind}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                if kind == "warning" {
                    "sev-warning"
                } else {
                    "bad"
                },
                h(d.rule()),
                h(d.path()),
                h(d.message())
            )?;
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
    Ok(())
}

/// The upload: the setting, the counts per collection path, the devices left out and why.
pub fn upload(out: &mut String, page: &Page) -> fmt::Result {
    let u = &page.report.upload;
    writeln!(out, "<section id=\"upload\"><h2>Upload</h2>")?;
    if u.setting == "all_devices" {
        out.push_str("<p>Setting: <b>all devices with a client</b> (R-U3)");
    } else {
        write!(
            out,
            "<p>Setting: collection {} and its children through {} (R-U4)",
            collection(page, &u.setting),
            h(&u.child_relations.join(", "))
        )?;
    }
    writeln!(
        out,
        " · <b>{}</b> uploaded · changes reach the admin center within {} minutes (R-U6).</p>",
        n(u.uploaded),
        u.delay_minutes_max
    )?;
    writeln!(
        out,
        "<h3>Collection paths</h3><table><thead><tr><th class=\"num\">devices</th><th>through</th></tr></thead><tbody>"
    )?;
    for p in u.paths.iter().take(ROWS) {
        let via = if p.via.is_empty() {
            String::from("all devices")
        } else {
            p.via
                .iter()
                .map(|id| collection(page, id))
                .collect::<Vec<_>>()
                .join(" → ")
        };
        writeln!(
            out,
            "<tr><td class=\"num\">{}</td><td>{via}</td></tr>",
            n(p.devices)
        )?;
    }
    out.push_str("</tbody></table>\n");
    if u.paths.len() > ROWS {
        writeln!(
            out,
            "<p class=\"note\">{} of {} paths shown; every device with its path: <code>tenant-attach upload --snapshot {} --format json</code></p>",
            ROWS,
            n(u.paths.len() as u64),
            h(page.snapshot)
        )?;
    }
    out.push_str("<h3>Left out</h3>\n");
    if u.not_uploaded.is_empty() {
        out.push_str("<p>No device is left out.</p>\n");
    } else {
        out.push_str("<table><thead><tr><th>reason</th><th>rule</th><th class=\"num\">devices</th><th>which</th></tr></thead><tbody>\n");
        for (reason, left) in &u.not_uploaded {
            let mut names = String::new();
            for e in &left.examples {
                write!(names, "<li>{}</li>", h(e))?;
            }
            let more = if left.count as usize > left.examples.len() {
                format!(
                    "<p class=\"note\">the first {} of {}; all: <code>tenant-attach upload --snapshot {} --format json</code></p>",
                    left.examples.len(),
                    n(left.count),
                    h(page.snapshot)
                )
            } else {
                String::new()
            };
            writeln!(
                out,
                "<tr><td><code>{}</code></td><td class=\"nowrap\">{}</td><td class=\"num\">{}</td><td><details><summary>{} device{}</summary><ul class=\"compact\">{names}</ul>{more}</details></td></tr>",
                h(reason),
                h(left.rule),
                n(left.count),
                n(left.count),
                if left.count == 1 { "" } else { "s" }
            )?;
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
    Ok(())
}

/// A finding's least-privilege fix, under its message: the question, the steps, what else
/// they open up (or why nothing works).
fn fix_of(out: &mut String, x: &tenant_attach::fix::FindingFix) -> fmt::Result {
    write!(
        out,
        "<div class=\"fix\"><strong>Least-privilege fix</strong> for {} to {} {}:",
        h(&x.user),
        h(x.feature.phrase()),
        h(&x.device)
    )?;
    match &x.fix {
        Some(c) => {
            out.push_str("<ol class=\"compact\">");
            for e in &c.edits {
                write!(out, "<li>[{}] {}</li>", h(e.rule), h(&e.detail))?;
            }
            write!(
                out,
                "</ol><span class=\"note\">then {}</span>",
                h(&c.summary)
            )?;
        }
        None => {
            out.push_str("<ul class=\"compact\">");
            for u in &x.unfixable {
                write!(
                    out,
                    "<li>none: <code>{}</code> [{}] {}</li>",
                    h(u.code.as_str()),
                    h(u.rule),
                    h(&u.detail)
                )?;
            }
            out.push_str("</ul>");
        }
    }
    out.push_str("</div>");
    Ok(())
}

/// The findings, with their rule and severity.
pub fn findings(out: &mut String, page: &Page) -> fmt::Result {
    let fs = &page.report.findings;
    writeln!(
        out,
        "<section id=\"findings\"><h2>Findings ({})</h2>",
        n(fs.len() as u64)
    )?;
    if fs.is_empty() {
        out.push_str("<p>None.</p></section>\n");
        return Ok(());
    }
    out.push_str("<table><thead><tr><th>severity</th><th>finding</th><th>rule</th><th>what</th><th>objects</th></tr></thead><tbody>\n");
    for (i, f) in fs.iter().enumerate() {
        let sev = f.severity.as_str();
        let class = if f.severity == FindingSeverity::Warning {
            "sev-warning"
        } else {
            "sev-info"
        };
        let mut objects = String::new();
        for o in f.objects.iter().take(OBJECTS) {
            write!(objects, "<li>{}</li>", h(o))?;
        }
        if f.objects.len() > OBJECTS {
            write!(
                objects,
                "<li class=\"note\">and {} more: <code>tenant-attach report --snapshot {} --format json</code></li>",
                n((f.objects.len() - OBJECTS) as u64),
                h(page.snapshot)
            )?;
        }
        let mut what = h(&f.message);
        for x in page.report.fixes.iter().filter(|x| x.index == i) {
            fix_of(&mut what, x)?;
        }
        writeln!(
            out,
            "<tr><td class=\"{class}\">{sev}</td><td><code>{}</code></td><td class=\"nowrap\">{}</td><td>{what}</td><td><details><summary>{}</summary><ul class=\"compact\">{objects}</ul></details></td></tr>",
            h(f.id),
            h(f.rule),
            n(f.objects.len() as u64)
        )?;
    }
    out.push_str("</tbody></table></section>\n");
    Ok(())
}

/// Per policy knob and other value, the decisions gained and lost (when computed).
pub fn sensitivity(out: &mut String, page: &Page) -> fmt::Result {
    writeln!(
        out,
        "<section id=\"sensitivity\"><h2>Which answers rest on a reading (policy knobs)</h2>"
    )?;
    let Some(s) = page.sensitivity else {
        writeln!(
            out,
            "<p class=\"note\">Not computed: <code>tenant-attach report --sensitivity --format html</code> adds it (one what-if access index per knob value).</p></section>"
        )?;
        return Ok(());
    };
    let value = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    out.push_str("<table><thead><tr><th>knob</th><th>rule</th><th>current</th><th>other value</th><th class=\"num\">gained</th><th class=\"num\">lost</th><th class=\"num\">users</th><th class=\"num\">devices</th><th>examples</th></tr></thead><tbody>\n");
    for k in &s.knobs {
        for a in &k.alternatives {
            let mut ex = String::new();
            for e in &a.examples {
                write!(
                    ex,
                    "<li>{} {} · {} · <code>{}</code></li>",
                    e.change.as_str(),
                    h(&e.user),
                    h(&e.device),
                    e.feature.as_str()
                )?;
            }
            let examples = if a.examples.is_empty() {
                String::from("—")
            } else {
                format!(
                    "<details><summary>{}</summary><ul class=\"compact\">{ex}</ul></details>",
                    a.examples.len()
                )
            };
            writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{examples}</td></tr>",
                k.knob.as_str(),
                h(k.rule),
                h(&value(&k.current)),
                h(&value(&a.value)),
                n(a.gained),
                n(a.lost),
                n(a.users),
                n(a.devices)
            )?;
        }
    }
    writeln!(
        out,
        "</tbody></table><p class=\"note\">Every change: <code>tenant-attach sensitivity --snapshot {} --format json</code></p></section>",
        h(page.snapshot)
    )
}

/// Offboarding (R-H4) and the lifecycle advice.
pub fn lifecycle(out: &mut String, page: &Page) -> fmt::Result {
    let r = page.report;
    writeln!(
        out,
        "<section id=\"lifecycle\"><h2>Offboarding and lifecycle</h2>"
    )?;
    let allowed = &r.offboarding.allowed;
    let who = if allowed.is_empty() {
        String::from("nobody")
    } else {
        allowed
            .iter()
            .take(ROWS)
            .map(|u| h(u))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(
        out,
        "<p>May offboard from the admin center (R-H4): {who}{} · takes up to {} minutes · wait {} minutes before onboarding again.</p>",
        if allowed.len() > ROWS {
            format!(" and {} more", n((allowed.len() - ROWS) as u64))
        } else {
            String::new()
        },
        r.offboarding.eta_minutes_max,
        r.offboarding.reonboard_wait_minutes
    )?;
    out.push_str("<table><thead><tr><th>rule</th><th>advice</th></tr></thead><tbody>\n");
    for a in &r.lifecycle {
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td></tr>",
            h(a.rule),
            h(&a.message)
        )?;
    }
    out.push_str("</tbody></table></section>\n");
    Ok(())
}

/// The collection graph, inline SVG, the upload collection and its children highlighted.
pub fn graph(out: &mut String, page: &Page) -> fmt::Result {
    writeln!(out, "<section id=\"graph\"><h2>Collection graph</h2>")?;
    writeln!(
        out,
        "<p class=\"note\">Collections left to right from the limiting roots; the upload collection double-framed, its children shaded. DOT or JSON of the whole graph: <code>tenant-attach graph --snapshot {} --format json</code></p>",
        h(page.snapshot)
    )?;
    let (nodes, note) = crate::svg::drawable(page.engine, None, crate::svg::DEFAULT_DEPTH);
    writeln!(
        out,
        "<div class=\"graph-wrap\">{}</div></section>",
        crate::svg::render(page.engine, &nodes, note.as_deref(), false)
    )
}
