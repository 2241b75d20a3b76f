//! Rendering of the access commands: `check`, `visible`, `who`, `offboard`. The text is the
//! library's (`Display`); the command line only colours the verdicts on a terminal.

use tenant_attach::{Decision, DeviceIx, Engine, Feature, UserIx};

use crate::args::Format;
use crate::output::{self, Style};

/// The library's JSON form of an answer, pretty, keys sorted.
fn to_json<T: serde::Serialize>(answer: &T) -> String {
    output::json(&serde_json::to_value(answer).unwrap_or_default())
}

/// The library's text of an answer with a final line break, the verdicts (`ALLOWED`,
/// `DENIED` at the start of a line) in colour and the knobs line dimmed, on a terminal.
pub fn painted(text: &str, style: &Style) -> String {
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

/// The library's text of a decision, with colour on the verdict and the knobs line.
pub fn decision_text(decision: &Decision, style: &Style) -> String {
    painted(&decision.to_string(), style)
}

pub fn check(decision: &Decision, style: &Style) -> String {
    match style.format {
        Format::Json => to_json(decision),
        Format::Text | Format::Dot | Format::Svg | Format::Html | Format::Junit => {
            decision_text(decision, style)
        }
    }
}

pub fn visible(engine: &Engine, u: UserIx, f: Feature, style: &Style) -> String {
    let answer = engine.visible_devices(u, f);
    match style.format {
        Format::Json => to_json(&answer),
        Format::Text | Format::Dot | Format::Svg | Format::Html | Format::Junit => {
            format!("{answer}\n")
        }
    }
}

pub fn who(engine: &Engine, d: DeviceIx, f: Feature, style: &Style) -> String {
    let answer = engine.who_users(d, f);
    match style.format {
        Format::Json => to_json(&answer),
        Format::Text | Format::Dot | Format::Svg | Format::Html | Format::Junit => {
            format!("{answer}\n")
        }
    }
}

pub fn offboard(engine: &Engine, u: UserIx, style: &Style) -> String {
    let o = engine.offboard(u);
    match style.format {
        Format::Json => to_json(&o),
        Format::Text | Format::Dot | Format::Svg | Format::Html | Format::Junit => {
            painted(&o.to_string(), style)
        }
    }
}
