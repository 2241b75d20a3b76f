//! Stage: the settings file (what no single API returns).

use std::collections::HashMap;

use serde::Deserialize;
use tenant_attach::snapshot::{Device, Hierarchy, Policy, Tenant};

use crate::error::{Location, Place, Report};
use crate::records::Source;

/// The settings file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Settings {
    #[serde(default)]
    pub tenant: Tenant,
    pub hierarchy: Hierarchy,
    #[serde(default)]
    pub policy: Policy,
    #[serde(default)]
    pub devices: Vec<PartialDevice>,
}

/// A partial device record merged by `resource_id` (facts no export carries).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PartialDevice {
    pub resource_id: u32,
    name: Option<String>,
    client: Option<bool>,
    os: Option<String>,
    co_managed: Option<bool>,
    scope_tags: Option<Vec<String>>,
    entra_device_id: Option<String>,
    scope_groups: Option<Vec<String>>,
    client_version: Option<u32>,
}

impl PartialDevice {
    /// Overwrites what this record gives.
    pub fn apply(&self, d: &mut Device) {
        if let Some(v) = &self.name {
            d.name.clone_from(v);
        }
        if let Some(v) = self.client {
            d.client = v;
        }
        if let Some(v) = &self.os {
            d.os = Some(v.clone());
        }
        if let Some(v) = self.co_managed {
            d.co_managed = v;
        }
        if let Some(v) = &self.scope_tags {
            d.scope_tags.clone_from(v);
        }
        if let Some(v) = &self.entra_device_id {
            d.entra_device_id = Some(v.clone());
        }
        if let Some(v) = &self.scope_groups {
            d.scope_groups.clone_from(v);
        }
        if let Some(v) = self.client_version {
            d.client_version = Some(v);
        }
    }
}

/// Parses the settings file; `None` (with the error reported) when it is unusable: not one
/// JSON object (a second value or anything after it is an error), a field twice (in any case),
/// or two partial records for one device.
pub(crate) fn settings(source: &Source, report: &mut Report) -> Option<Settings> {
    let text = match source.decode() {
        Ok(t) => t,
        Err(e) => {
            report.error(e);
            return None;
        }
    };
    let at = |e: &serde_json::Error| {
        let message = e.to_string();
        Location {
            file: source.name.clone(),
            place: Place::Position {
                line: e.line(),
                column: e.column(),
            },
            field: None,
        }
        .error(message.split(" at line ").next().unwrap_or_default())
    };
    if let Err(e) = crate::records::parse_json(&text) {
        report.error(at(&e));
        return None;
    }
    let mut de = serde_json::Deserializer::from_str(&text);
    let settings = match Settings::deserialize(&mut de).and_then(|s| de.end().map(|()| s)) {
        Ok(s) => s,
        Err(e) => {
            report.error(at(&e));
            return None;
        }
    };
    let mut first: HashMap<u32, usize> = HashMap::new();
    let mut twice = false;
    for (i, d) in settings.devices.iter().enumerate() {
        if let Some(j) = first.insert(d.resource_id, i) {
            twice = true;
            report.error(
                Location {
                    file: source.name.clone(),
                    place: Place::Path(format!("devices[{i}]")),
                    field: Some(String::from("resource_id")),
                }
                .error(format!(
                    "device `{}` has two partial records, `devices[{j}]` and `devices[{i}]`: merge them into one",
                    d.resource_id
                )),
            );
        }
    }
    (!twice).then_some(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_settings_file_names_line_and_column() {
        let mut report = Report::default();
        let s = settings(
            &Source::text("settings.json", "{\n  \"hierarchy\": 3\n}"),
            &mut report,
        );
        assert!(s.is_none());
        assert_eq!(report.errors.len(), 1);
        assert!(
            report.errors[0]
                .to_string()
                .starts_with("settings.json: line 2"),
            "{:?}",
            report.errors
        );
    }
}
