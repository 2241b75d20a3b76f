//! Rendering of the access commands: `check`, `visible`, `who`, `offboard`.

use tenant_attach::{Decision, DeviceIx, Engine, Feature, UserIx};

use crate::args::Format;
use crate::output::{self, Style, plural};
use crate::render::escape;

/// The library's JSON form of an answer, pretty, keys sorted.
fn to_json<T: serde::Serialize>(answer: &T) -> String {
    output::json(&serde_json::to_value(answer).unwrap_or_default())
}

/// The library's text of a decision, with colour on the verdict and the knobs line.
pub fn decision_text(_engine: &Engine, decision: &Decision, style: &Style) -> String {
    let text = decision.to_string();
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("ALLOWED ") {
            out.push_str(&format!("{} {rest}", style.green("ALLOWED")));
        } else if let Some(rest) = line.strip_prefix("DENIED ") {
            out.push_str(&format!("{} {rest}", style.red("DENIED")));
        } else if line.starts_with("Policy knobs used: ") {
            out.push_str(&style.dim(line));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

pub fn check(engine: &Engine, decision: &Decision, style: &Style) -> String {
    match style.format {
        Format::Json => to_json(decision),
        Format::Text | Format::Dot | Format::Svg | Format::Html | Format::Junit => {
            decision_text(engine, decision, style)
        }
    }
}

pub fn visible(engine: &Engine, u: UserIx, f: Feature, style: &Style) -> String {
    let answer = engine.visible_devices(u, f);
    match style.format {
        Format::Json => to_json(&answer),
        Format::Text | Format::Dot | Format::Svg | Format::Html | Format::Junit => {
            let mut out = format!(
                "{} can {} {} ({} mode):\n",
                escape(&answer.user),
                f.phrase(),
                plural(answer.devices.len() as u64, "device", "devices"),
                answer.mode.as_str()
            );
            let rows: Vec<Vec<String>> = answer
                .devices
                .iter()
                .map(|d| vec![d.resource_id.to_string(), d.name.clone()])
                .collect();
            if !rows.is_empty() {
                out.push_str(&output::table(&["RESOURCE ID", "NAME"], &rows));
            }
            out
        }
    }
}

pub fn who(engine: &Engine, d: DeviceIx, f: Feature, style: &Style) -> String {
    let answer = engine.who_users(d, f);
    match style.format {
        Format::Json => to_json(&answer),
        Format::Text | Format::Dot | Format::Svg | Format::Html | Format::Junit => {
            let mut out = format!(
                "{} can {} {} ({} mode):\n",
                plural(answer.users.len() as u64, "user", "users"),
                f.phrase(),
                escape(&answer.device),
                answer.mode.as_str()
            );
            for u in &answer.users {
                out.push_str(&format!("  {}\n", escape(&u.upn)));
            }
            out
        }
    }
}

pub fn offboard(engine: &Engine, u: UserIx, style: &Style) -> String {
    let o = engine.offboard(u);
    match style.format {
        Format::Json => to_json(&o),
        Format::Text | Format::Dot | Format::Svg | Format::Html | Format::Junit => {
            let mut out = if o.allowed {
                format!(
                    "{} {} can offboard this hierarchy from the Intune admin center (R-H4).\n",
                    style.green("ALLOWED"),
                    escape(&o.user)
                )
            } else {
                format!(
                    "{} {} can't offboard this hierarchy from the Intune admin center.\n",
                    style.red("DENIED"),
                    escape(&o.user)
                )
            };
            for r in &o.reasons {
                out.push_str(&format!(
                    "  {} [{}] {}\n",
                    r.code,
                    r.rule,
                    escape(&r.detail)
                ));
            }
            for g in &o.grants {
                out.push_str(&format!(
                    "  granted by {}: {}\n",
                    g.kind.label(),
                    escape(&g.detail)
                ));
            }
            out.push_str(&format!(
                "Offboarding takes up to {} minutes; onboarding again needs a wait of at least {} minutes (R-H4).\n",
                o.eta_minutes_max, o.reonboard_wait_minutes
            ));
            out
        }
    }
}
