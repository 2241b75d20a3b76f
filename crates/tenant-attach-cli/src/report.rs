//! Rendering of `report` (and `demo`) and `diff` (the text is the library's `Display`).

use tenant_attach::{Engine, Report};

use crate::args::Format;
use crate::output::{self, Style};

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

/// Whether `report` attaches the least-privilege fix of each user-facing finding (the
/// default; `--no-fixes` leaves them out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixes {
    /// With them (`report`, `demo`).
    Included,
    /// Without them (`report --no-fixes`).
    Omitted,
}

/// The library's report, with the knob findings and the findings' fixes if asked.
pub fn build(engine: &Engine, knobs: Knobs, fixes: Fixes) -> Report {
    let r = match knobs {
        Knobs::Omitted => Report::build(engine),
        Knobs::Included => Report::build_with_sensitivity(engine),
    };
    match fixes {
        Fixes::Included => r.with_fixes(engine),
        Fixes::Omitted => r,
    }
}

/// The report as one self-contained HTML page (`report --format html`, `demo --format html`):
/// with `--sensitivity`, the knob table and the knob findings from one sensitivity run.
/// `snapshot` names the file in the commands the page suggests.
pub fn html(engine: &Engine, knobs: Knobs, fixes: Fixes, snapshot: &str) -> String {
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
    if fixes == Fixes::Included {
        report = report.with_fixes(engine);
    }
    crate::html::render(&crate::html::Page {
        engine,
        report: &report,
        sensitivity: run.as_ref(),
        snapshot,
    })
}

pub fn report(engine: &Engine, knobs: Knobs, fixes: Fixes, style: &Style) -> String {
    let r = build(engine, knobs, fixes);
    match style.format {
        Format::Json => output::json(&serde_json::to_value(&r).unwrap_or_default()),
        _ => format!("{r}\n"),
    }
}

pub fn diff(old: &Engine, new: &Engine, style: &Style) -> String {
    let d = tenant_attach::diff(old, new);
    match style.format {
        Format::Json => output::json(&serde_json::to_value(d.changes()).unwrap_or_default()),
        _ => format!("{d}\n"),
    }
}
