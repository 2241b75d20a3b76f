//! The access matrix: users × features, the number of devices each user can see or act on,
//! colour-scaled; each cell opens (`<details>`) to the devices and, for the first of them,
//! the grants that allow it.
//!
//! Counts come from the library's [`tenant_attach::Report`]; the devices from
//! [`tenant_attach::Engine::visible`], once per class of users and of features that decide
//! alike. At scale the rows, the devices per cell and the bytes of cell details are bounded
//! ([`USERS`], [`CELL_DEVICES`], [`DETAIL_BYTES`]); each cut says what the full list costs.

use std::collections::HashMap;
use std::fmt::{self, Write as _};

use tenant_attach::{DeviceIx, Feature, UserIx};

use super::{Page, h, n};

/// Users (rows) shown; the rest are counted, with the JSON command that lists them all.
pub const USERS: usize = 200;
/// Devices listed in one cell.
pub const CELL_DEVICES: usize = 20;
/// Bytes of cell details (devices, grants) the matrix writes at most; past it cells show
/// their count and the command that lists their devices.
pub const DETAIL_BYTES: usize = 5_000_000;

/// The first [`CELL_DEVICES`] devices of every (user class, feature class) asked, computed once.
struct Devices<'a> {
    page: &'a Page<'a>,
    user_class: Vec<u32>,
    feature_class: HashMap<Feature, usize>,
    memo: HashMap<(u32, usize), Vec<DeviceIx>>,
}

impl<'a> Devices<'a> {
    fn new(page: &'a Page<'a>) -> Devices<'a> {
        let feature_class = page
            .engine
            .feature_classes()
            .iter()
            .enumerate()
            .flat_map(|(i, c)| c.iter().map(move |f| (*f, i)))
            .collect();
        Devices {
            page,
            user_class: page.engine.user_classes(),
            feature_class,
            memo: HashMap::new(),
        }
    }

    fn first(&mut self, u: UserIx, f: Feature) -> Vec<DeviceIx> {
        let engine = self.page.engine;
        let compute = || engine.visible(u, f).iter().take(CELL_DEVICES).collect();
        let uc = self.user_class.get(u.index() as usize).copied();
        match (uc, self.feature_class.get(&f).copied()) {
            (Some(uc), Some(fc)) => self.memo.entry((uc, fc)).or_insert_with(compute).clone(),
            // Classes unknown to the engine (none expected): computed, never shared.
            _ => compute(),
        }
    }
}

/// `hsl` lightness for a count: a log scale from 95% (one device) to 38% (the most).
fn lightness(count: u64, max: u64) -> f64 {
    if max == 0 {
        return 95.0;
    }
    let t = ((count as f64) + 1.0).ln() / ((max as f64) + 1.0).ln();
    95.0 - 57.0 * t
}

/// The matrix section.
pub fn write(out: &mut String, page: &Page) -> fmt::Result {
    let r = page.report;
    let snap = h(page.snapshot);
    writeln!(
        out,
        "<section id=\"access\"><h2>Access matrix</h2>\n<p>How many devices each user can see or act on, per feature (combined ConfigMgr and Intune RBAC, mode <b>{}</b>). Open a cell for the devices and why. Scale: 1 <span class=\"scale\"></span> most.</p>",
        h(r.hierarchy.mode)
    )?;
    writeln!(
        out,
        "<p id=\"matrix-tools\" hidden><label>Filter users <input id=\"matrix-filter\" type=\"search\" placeholder=\"part of a UPN\"></label> <span class=\"note\">click a feature to sort</span></p>"
    )?;
    let shown: Vec<_> = r.users.iter().take(USERS).collect();
    let max = shown
        .iter()
        .flat_map(|u| u.features.values().copied())
        .max()
        .unwrap_or(0);
    out.push_str(
        "<div class=\"matrix-wrap\"><table class=\"matrix\" id=\"matrix\"><thead><tr><th>user</th>",
    );
    for f in Feature::ALL {
        write!(
            out,
            "<th class=\"feature\" title=\"{}\" data-feature=\"{}\">{}</th>",
            h(f.display_name()),
            f.as_str(),
            f.as_str()
        )?;
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let mut devices = Devices::new(page);
    let start = out.len();
    for user in shown {
        let mut notes = vec![user.identity.to_owned()];
        if let Some(code) = user.configmgr_blocked {
            notes.push(format!("ConfigMgr: {code}"));
        }
        notes.extend(user.directory_roles.iter().map(|d| d.as_str().to_owned()));
        write!(
            out,
            "<tr><th class=\"user\" title=\"{}\">{}<small>{}</small></th>",
            h(&format!("assignments: {}", user.assignments.join(", "))),
            h(&user.upn),
            h(&notes.join(" · "))
        )?;
        let handle = page.engine.find_user(&user.id).ok();
        for f in Feature::ALL {
            let count = user.features.get(f.as_str()).copied().unwrap_or(0);
            if count == 0 {
                out.push_str("<td class=\"cell zero\" data-n=\"0\">·</td>");
                continue;
            }
            let l = lightness(count, max);
            write!(
                out,
                "<td class=\"cell{}\" data-n=\"{count}\" style=\"background:hsl(210,70%,{l:.0}%)\">",
                if l < 62.0 { " dark" } else { "" }
            )?;
            let command = format!(
                "tenant-attach visible --snapshot {snap} --user {} --feature {} --format json",
                h(&user.upn),
                f.as_str()
            );
            match handle {
                Some(u) if out.len() - start < DETAIL_BYTES => {
                    cell(out, page, &mut devices, u, *f, count, &command)?;
                }
                _ => write!(
                    out,
                    "<details><summary>{}</summary><div class=\"pop\"><p class=\"note\">the devices: <code>{command}</code></p></div></details>",
                    n(count)
                )?,
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
    if r.users.len() > USERS {
        writeln!(
            out,
            "<p class=\"note\">{USERS} of {} users shown; every user's counts: <code>tenant-attach report --snapshot {snap} --format json</code> (<code>users[].features</code>)</p>",
            n(r.users.len() as u64)
        )?;
    }
    if out.len() - start >= DETAIL_BYTES {
        writeln!(
            out,
            "<p class=\"note\">Past {} MB of details, cells give the command that lists their devices.</p>",
            DETAIL_BYTES / 1_000_000
        )?;
    }
    out.push_str("</section>\n");
    Ok(())
}

/// One cell's details: its devices and the grants for the first.
fn cell(
    out: &mut String,
    page: &Page,
    devices: &mut Devices,
    u: UserIx,
    f: Feature,
    count: u64,
    command: &str,
) -> fmt::Result {
    let engine = page.engine;
    let first = devices.first(u, f);
    write!(
        out,
        "<details><summary>{}</summary><div class=\"pop\"><b>{}</b>: {}<ul class=\"compact\">",
        n(count),
        h(f.display_name()),
        if count == 1 { "1 device" } else { "devices" }
    )?;
    for d in &first {
        if let Some(dev) = engine.device(*d) {
            write!(
                out,
                "<li>{} <span class=\"dim\">{}</span></li>",
                h(&dev.name),
                dev.resource_id
            )?;
        }
    }
    out.push_str("</ul>");
    if count as usize > first.len() {
        write!(
            out,
            "<p class=\"note\">the first {} of {}; all: <code>{command}</code></p>",
            first.len(),
            n(count)
        )?;
    }
    if let Some(d) = first.first() {
        let decision = engine.check(u, *d, f);
        write!(
            out,
            "<div class=\"why\">Why on {}:<ul class=\"compact\">",
            h(&decision.device)
        )?;
        for g in &decision.grants {
            write!(out, "<li>{}</li>", h(&g.detail))?;
        }
        out.push_str("</ul></div>");
    }
    out.push_str("</div></details>");
    Ok(())
}
