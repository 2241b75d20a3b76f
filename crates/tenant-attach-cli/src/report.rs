//! Rendering of `report` (and `demo`) and `diff`.

use std::collections::BTreeMap;

use tenant_attach::{Diff, Engine, Feature, Report};

use crate::args::Format;
use crate::output::{self, Style, plural};
use crate::render::escape;

/// Names joined by `sep`, each escaped for a terminal.
fn joined<S: AsRef<str>>(names: &[S], sep: &str) -> String {
    names
        .iter()
        .map(|n| escape(n.as_ref()))
        .collect::<Vec<_>>()
        .join(sep)
}

/// Whether `report` adds the `knob_dependent_access` findings (`--sensitivity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Knobs {
    /// Without them (the default: the report stays within a load's cost).
    Omitted,
    /// With them (`demo`, `report --sensitivity`).
    Included,
}

impl From<bool> for Knobs {
    fn from(sensitivity: bool) -> Knobs {
        if sensitivity {
            Knobs::Included
        } else {
            Knobs::Omitted
        }
    }
}

/// The library's report, with the knob findings if asked.
pub fn build(engine: &Engine, knobs: Knobs) -> Report {
    match knobs {
        Knobs::Omitted => Report::build(engine),
        Knobs::Included => Report::build_with_sensitivity(engine),
    }
}

/// The report as one self-contained HTML page (`report --format html`, `demo --format html`):
/// with `--sensitivity`, the knob table and the knob findings from one sensitivity run.
/// `snapshot` names the file in the commands the page suggests.
pub fn html(engine: &Engine, knobs: Knobs, snapshot: &str) -> String {
    let mut report = Report::build(engine);
    let run = match knobs {
        Knobs::Omitted => None,
        Knobs::Included => {
            let run = tenant_attach::sensitivity(engine, None);
            // As `Report::build_with_sensitivity` orders them: the knob findings last.
            report
                .findings
                .extend(tenant_attach::findings::knob_findings_from(&run));
            Some(run)
        }
    };
    crate::html::render(&crate::html::Page {
        engine,
        report: &report,
        sensitivity: run.as_ref(),
        snapshot,
    })
}

pub fn report(engine: &Engine, knobs: Knobs, style: &Style) -> String {
    let r = build(engine, knobs);
    match style.format {
        Format::Json => output::json(&serde_json::to_value(&r).unwrap_or_default()),
        _ => report_text(&r, style),
    }
}

fn heading(out: &mut String, style: &Style, text: &str) {
    out.push_str(&format!("\n{}\n", style.bold(text)));
}

fn report_text(r: &Report, style: &Style) -> String {
    let h = &r.hierarchy;
    let mut out = format!(
        "{}\nsite {} · version {} · {} devices, {} collections, {} Entra users · mode {} (R-M1)\n",
        style.bold(&format!(
            "Hierarchy {}",
            escape(h.name.as_deref().unwrap_or("(unnamed)"))
        )),
        escape(&h.site_code),
        h.version,
        h.devices,
        h.collections,
        h.users,
        h.mode
    );

    heading(&mut out, style, "Validation");
    if r.validation.errors.is_empty() && r.validation.warnings.is_empty() {
        out.push_str("no errors, no warnings\n");
    }
    for d in &r.validation.errors {
        out.push_str(&format!(
            "{} [{}] {}: {}\n",
            style.red("configuration error"),
            d.rule(),
            escape(d.path()),
            escape(d.message())
        ));
    }
    for d in &r.validation.warnings {
        out.push_str(&format!(
            "{} [{}] {}: {}\n",
            style.yellow("warning"),
            d.rule(),
            escape(d.path()),
            escape(d.message())
        ));
    }

    heading(&mut out, style, "Upload");
    let u = &r.upload;
    out.push_str(&format!(
        "setting: {} · {} uploaded\n",
        if u.setting == "all_devices" {
            String::from("all devices with a client (R-U3)")
        } else {
            format!(
                "collection {} and its children through {} (R-U4)",
                escape(&u.setting),
                u.child_relations.join(", ")
            )
        },
        plural(u.uploaded, "device", "devices"),
    ));
    let rows: Vec<Vec<String>> = u
        .paths
        .iter()
        .map(|p| {
            vec![
                p.devices.to_string(),
                if p.via.is_empty() {
                    String::from("all devices")
                } else {
                    p.via.join(" → ")
                },
            ]
        })
        .collect();
    if !rows.is_empty() {
        out.push_str(&output::table(&["DEVICES", "VIA"], &rows));
    }
    for (reason, left) in &u.not_uploaded {
        out.push_str(&format!(
            "left out: {} {reason} ({}): {}{}\n",
            left.count,
            left.rule,
            joined(&left.examples, ", "),
            if left.count as usize > left.examples.len() {
                ", …"
            } else {
                ""
            }
        ));
    }

    heading(&mut out, style, "Access per user (devices per feature)");
    let shown = [
        Feature::View,
        Feature::SyncMachinePolicy,
        Feature::ClientDetails,
        Feature::Timeline,
        Feature::RunScript,
        Feature::Cmpivot,
        Feature::BitlockerKeys,
    ];
    let mut header = vec!["USER", "IDENTITY"];
    header.extend(shown.iter().map(|f| f.as_str()));
    let rows: Vec<Vec<String>> = r
        .users
        .iter()
        .map(|user| {
            let mut row = vec![
                user.upn.clone(),
                match user.configmgr_blocked {
                    Some(code) => format!("{} ({code})", user.identity),
                    None => user.identity.to_owned(),
                },
            ];
            row.extend(shown.iter().map(|f| {
                user.features
                    .get(f.as_str())
                    .copied()
                    .unwrap_or(0)
                    .to_string()
            }));
            row
        })
        .collect();
    out.push_str(&output::table(&header, &rows));

    heading(&mut out, style, "Who can use each feature");
    for f in Feature::ALL {
        let users = r.features.get(f.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        out.push_str(&format!(
            "{:<22} {}\n",
            f.as_str(),
            if users.is_empty() {
                style.dim("nobody")
            } else {
                joined(users, ", ")
            }
        ));
    }

    heading(&mut out, style, "Offboarding (R-H4)");
    out.push_str(&format!(
        "may offboard: {} · takes up to {} minutes · wait {} minutes before onboarding again\n",
        if r.offboarding.allowed.is_empty() {
            String::from("nobody")
        } else {
            joined(&r.offboarding.allowed, ", ")
        },
        r.offboarding.eta_minutes_max,
        r.offboarding.reonboard_wait_minutes
    ));

    heading(&mut out, style, "Lifecycle");
    for a in &r.lifecycle {
        out.push_str(&format!("[{}] {}\n", a.rule, escape(&a.message)));
    }

    heading(&mut out, style, &format!("Findings ({})", r.findings.len()));
    if r.findings.is_empty() {
        out.push_str("none\n");
    }
    for f in &r.findings {
        let sev = match f.severity {
            tenant_attach::FindingSeverity::Warning => style.yellow("warning"),
            other => String::from(other.as_str()),
        };
        out.push_str(&format!(
            "{sev} {} [{}] {}\n",
            f.id,
            f.rule,
            escape(&f.message)
        ));
        let shown: Vec<&str> = f.objects.iter().take(8).map(String::as_str).collect();
        out.push_str(&style.dim(&format!(
            "    {}{}\n",
            joined(&shown, ", "),
            if f.objects.len() > shown.len() {
                format!(" and {} more", f.objects.len() - shown.len())
            } else {
                String::new()
            }
        )));
    }
    out
}

pub fn diff(old: &Engine, new: &Engine, style: &Style) -> String {
    let d = tenant_attach::diff(old, new);
    match style.format {
        Format::Json => output::json(&serde_json::to_value(d.changes()).unwrap_or_default()),
        _ => diff_text(old, new, &d, style),
    }
}

/// Groups changes by (feature, device set) and names the group of users and the collection of
/// devices when one matches exactly: "3 users of Intune Helpdesk gain the right to run Sync
/// Machine Policy on 120 devices of Servers (PS100010)".
fn diff_text(old: &Engine, new: &Engine, d: &Diff, style: &Style) -> String {
    let (gained, lost) = d.counts();
    let mut out = format!(
        "{} gained, {} lost\n",
        plural(gained, "permission", "permissions"),
        plural(lost, "permission", "permissions")
    );
    for (verb, is_gain, engine) in [("gain", true, new), ("lose", false, old)] {
        // (feature, devices) → users.
        let mut groups: BTreeMap<(Feature, Vec<u32>), Vec<String>> = BTreeMap::new();
        for e in &d.entries {
            let set = if is_gain { &e.gained } else { &e.lost };
            if set.is_empty() {
                continue;
            }
            let Some(user) = engine
                .find_user(&e.user_id)
                .ok()
                .and_then(|u| engine.user(u))
            else {
                continue;
            };
            let ids: Vec<u32> = set
                .iter()
                .filter_map(|x| engine.device(x).map(|d| d.resource_id))
                .collect();
            groups
                .entry((e.feature, ids))
                .or_default()
                .push(user.upn.clone());
        }
        for ((f, devices), mut users) in groups {
            users.sort();
            let who = name_users(engine, &users);
            let who = escape(&who);
            let what = name_devices(engine, &devices);
            let what = escape(&what);
            out.push_str(&format!(
                "{} {who} {verb} {} {what}\n",
                if is_gain {
                    style.green("+")
                } else {
                    style.red("-")
                },
                feature_words(f),
            ));
        }
    }
    out
}

fn feature_words(f: Feature) -> String {
    let p = f.phrase();
    match p.strip_suffix(" on").or_else(|| p.strip_suffix(" of")) {
        Some(stem) => format!("the right to {stem} on"),
        None => format!("the right to {p}"),
    }
}

fn name_users(engine: &Engine, upns: &[String]) -> String {
    if let [one] = upns {
        return one.clone();
    }
    // A group whose (nested) user members are exactly these users names them.
    let s = engine.snapshot();
    let wanted: std::collections::BTreeSet<&str> = upns.iter().map(String::as_str).collect();
    for g in &s.entra.groups {
        let mut members = std::collections::BTreeSet::new();
        let mut stack = vec![g.id.as_str()];
        let mut seen = std::collections::BTreeSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            if let Some(grp) = s.entra.groups.iter().find(|x| x.id == id) {
                stack.extend(grp.members.iter().map(String::as_str));
            } else if let Some(u) = s.entra.users.iter().find(|u| u.id == id) {
                members.insert(u.upn.as_str());
            }
        }
        if members == wanted {
            return format!("{} users of {}", upns.len(), g.name);
        }
    }
    format!("{} users ({})", upns.len(), upns.join(", "))
}

fn name_devices(engine: &Engine, resource_ids: &[u32]) -> String {
    let ixs: Vec<tenant_attach::DeviceIx> = resource_ids
        .iter()
        .filter_map(|r| engine.device_by_resource_id(*r))
        .collect();
    if let [one] = ixs.as_slice() {
        return engine
            .device(*one)
            .map(|d| d.name.clone())
            .unwrap_or_default();
    }
    // A collection whose uploaded members are exactly these devices names them.
    let uploaded = engine.upload().uploaded();
    let set: std::collections::BTreeSet<tenant_attach::DeviceIx> = ixs.iter().copied().collect();
    for c in engine.collections().in_id_order() {
        let m: std::collections::BTreeSet<tenant_attach::DeviceIx> = engine
            .collections()
            .members(c)
            .iter()
            .filter(|d| uploaded.contains(*d))
            .collect();
        if m == set {
            let name = engine.collection(c).map_or("", |c| c.name.as_str());
            return format!(
                "{} devices of {name} ({})",
                ixs.len(),
                engine.collections().id(c).unwrap_or_default()
            );
        }
    }
    let names: Vec<String> = ixs
        .iter()
        .take(5)
        .filter_map(|d| engine.device(*d).map(|d| d.name.clone()))
        .collect();
    format!(
        "{} ({}{})",
        plural(ixs.len() as u64, "device", "devices"),
        names.join(", "),
        if ixs.len() > 5 { ", …" } else { "" }
    )
}
