//! `report` (and `demo`) as text.

use std::fmt;

use super::trimmed;
use crate::features::Feature;
use crate::findings::FindingSeverity;
use crate::report::Report;
use crate::text::{escape, joined, plural, table};

impl fmt::Display for Report {
    /// The hierarchy, validation, upload, access per user and per feature, offboarding,
    /// lifecycle advice and findings, one section each, as `tenant-attach report` prints it.
    ///
    /// ```
    /// use tenant_attach::{Engine, Report, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let text = Report::build(&engine).to_string();
    /// assert!(text.starts_with("Hierarchy Contoso\nsite PS1 · version 2403 · 24 devices"));
    /// assert!(text.contains("\nOffboarding (R-H4)\nmay offboard: dave@contoso.com"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        trimmed(f, &report_text(self))
    }
}

fn heading(out: &mut String, text: &str) {
    out.push_str(&format!("\n{text}\n"));
}

fn report_text(r: &Report) -> String {
    let h = &r.hierarchy;
    let mut out = format!(
        "Hierarchy {}\nsite {} · version {} · {} devices, {} collections, {} Entra users · mode {} (R-M1)\n",
        escape(h.name.as_deref().unwrap_or("(unnamed)")),
        escape(&h.site_code),
        h.version,
        h.devices,
        h.collections,
        h.users,
        h.mode
    );

    heading(&mut out, "Validation");
    if r.validation.errors.is_empty() && r.validation.warnings.is_empty() {
        out.push_str("no errors, no warnings\n");
    }
    for d in &r.validation.errors {
        out.push_str(&format!(
            "{} [{}] {}: {}\n",
            "configuration error",
            d.rule(),
            escape(d.path()),
            escape(d.message())
        ));
    }
    for d in &r.validation.warnings {
        out.push_str(&format!(
            "{} [{}] {}: {}\n",
            "warning",
            d.rule(),
            escape(d.path()),
            escape(d.message())
        ));
    }

    heading(&mut out, "Upload");
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
        out.push_str(&table(&["DEVICES", "VIA"], &rows));
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

    heading(&mut out, "Access per user (devices per feature)");
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
    out.push_str(&table(&header, &rows));

    heading(&mut out, "Who can use each feature");
    for f in Feature::ALL {
        let users = r.features.get(f.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        out.push_str(&format!(
            "{:<22} {}\n",
            f.as_str(),
            if users.is_empty() {
                String::from("nobody")
            } else {
                joined(users, ", ")
            }
        ));
    }

    heading(&mut out, "Offboarding (R-H4)");
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

    heading(&mut out, "Lifecycle");
    for a in &r.lifecycle {
        out.push_str(&format!("[{}] {}\n", a.rule, escape(&a.message)));
    }

    heading(&mut out, &format!("Findings ({})", r.findings.len()));
    if r.findings.is_empty() {
        out.push_str("none\n");
    }
    for (i, f) in r.findings.iter().enumerate() {
        let sev = match f.severity {
            FindingSeverity::Warning => "warning",
            other => other.as_str(),
        };
        out.push_str(&format!(
            "{sev} {} [{}] {}\n",
            f.id,
            f.rule,
            escape(&f.message)
        ));
        let shown: Vec<&str> = f.objects.iter().take(8).map(String::as_str).collect();
        out.push_str(&format!(
            "    {}{}\n",
            joined(&shown, ", "),
            if f.objects.len() > shown.len() {
                format!(" and {} more", f.objects.len() - shown.len())
            } else {
                String::new()
            }
        ));
        for x in r.fixes.iter().filter(|x| x.index == i) {
            finding_fix(&mut out, x);
        }
    }
    out
}

/// A finding's least-privilege fix, under the finding: the question, then the change set's
/// steps and what else it opens up, or why nothing works.
fn finding_fix(out: &mut String, x: &crate::fix::FindingFix) {
    out.push_str(&format!(
        "    least-privilege fix for {} to {} {}:\n",
        escape(&x.user),
        x.feature.phrase(),
        escape(&x.device)
    ));
    match &x.fix {
        Some(c) => {
            for (j, e) in c.edits.iter().enumerate() {
                out.push_str(&format!(
                    "      {}. [{}] {}\n",
                    j + 1,
                    e.rule,
                    escape(&e.detail)
                ));
            }
            out.push_str(&format!("      then: {}\n", escape(&c.summary)));
        }
        None => {
            for u in &x.unfixable {
                out.push_str(&format!(
                    "      none: {} [{}] {}\n",
                    u.code,
                    u.rule,
                    escape(&u.detail)
                ));
            }
        }
    }
}
