//! Rendering of `sensitivity`: which answers rest on a policy knob (the text is the
//! library's `Display`).

use tenant_attach::{Engine, Knob, sensitivity};

use crate::args::Format;
use crate::output::{self, Style};

pub fn render(engine: &Engine, knob: Option<Knob>, style: &Style) -> String {
    let result = sensitivity(engine, knob);
    match style.format {
        Format::Json => output::json(&serde_json::to_value(&result).unwrap_or_default()),
        Format::Text | Format::Dot | Format::Svg | Format::Html | Format::Junit => {
            format!("{result}\n")
        }
    }
}
