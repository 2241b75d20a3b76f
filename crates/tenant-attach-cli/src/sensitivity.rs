//! Rendering of `sensitivity`: which answers rest on a policy knob.

use tenant_attach::sensitivity::Sensitivity;
use tenant_attach::{Engine, Knob, sensitivity};

use crate::args::Format;
use crate::output::{self, Style};

pub fn render(engine: &Engine, knob: Option<Knob>, style: &Style) -> String {
    let result = sensitivity(engine, knob);
    match style.format {
        Format::Json => output::json(&serde_json::to_value(&result).unwrap_or_default()),
        Format::Text | Format::Dot | Format::Svg | Format::Html | Format::Junit => {
            text(&result, style)
        }
    }
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn text(result: &Sensitivity, style: &Style) -> String {
    let mut out = format!(
        "{}\n",
        style.bold("Which answers rest on a reading of the rulebook (policy knobs)")
    );
    let mut rows = Vec::new();
    for k in &result.knobs {
        for a in &k.alternatives {
            rows.push(vec![
                k.knob.as_str().to_owned(),
                k.rule.to_owned(),
                value_text(&k.current),
                value_text(&a.value),
                a.gained.to_string(),
                a.lost.to_string(),
                a.users.to_string(),
                a.devices.to_string(),
            ]);
        }
    }
    out.push_str(&output::table(
        &[
            "KNOB",
            "RULE",
            "CURRENT",
            "ALTERNATIVE",
            "GAINED",
            "LOST",
            "USERS",
            "DEVICES",
        ],
        &rows,
    ));
    for k in &result.knobs {
        for a in &k.alternatives {
            if a.examples.is_empty() {
                continue;
            }
            out.push_str(&format!(
                "\n{}\n",
                style.bold(&format!(
                    "{} = {} ({}): first changes",
                    k.knob,
                    crate::render::escape(&value_text(&a.value)),
                    k.rule
                ))
            ));
            let rows: Vec<Vec<String>> = a
                .examples
                .iter()
                .map(|e| {
                    vec![
                        // Plain words: table cells are escaped for the terminal (render.rs),
                        // colour sequences included.
                        String::from(e.change.as_str()),
                        e.user.clone(),
                        e.device.clone(),
                        e.feature.as_str().to_owned(),
                    ]
                })
                .collect();
            out.push_str(&output::table(
                &["CHANGE", "USER", "DEVICE", "FEATURE"],
                &rows,
            ));
        }
    }
    let quiet: Vec<&str> = result
        .knobs
        .iter()
        .filter(|k| !k.matters())
        .map(|k| k.knob.as_str())
        .collect();
    if !quiet.is_empty() {
        out.push_str(&style.dim(&format!(
            "\nNo answer of this snapshot depends on: {}\n",
            quiet.join(", ")
        )));
    }
    out
}
