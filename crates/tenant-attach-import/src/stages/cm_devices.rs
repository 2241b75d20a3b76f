//! Stage: ConfigMgr devices (`SMS_R_System`).

use std::collections::HashMap;

use serde_json::Value;
use tenant_attach::snapshot::{DEFAULT_SCOPE_TAG, Device};

use crate::constants::CLIENT_BUILDS;
use crate::error::Report;
use crate::records::Record;

/// The devices, by resource id.
#[derive(Debug, Default)]
pub(crate) struct Devices {
    pub list: Vec<Device>,
    at: HashMap<u32, usize>,
    /// Members of device collections with no `SMS_R_System` row, as (id, name).
    pub placeholders: Vec<(u32, String)>,
}

impl Devices {
    pub fn contains(&self, id: u32) -> bool {
        self.at.contains_key(&id)
    }

    pub fn get_mut(&mut self, id: u32) -> Option<&mut Device> {
        self.at.get(&id).and_then(|i| self.list.get_mut(*i))
    }

    fn push(&mut self, d: Device) -> bool {
        if self.at.contains_key(&d.resource_id) {
            return false;
        }
        self.at.insert(d.resource_id, self.list.len());
        self.list.push(d);
        true
    }

    /// A device for a collection member that `SMS_R_System` does not list (the Unknown
    /// Computer and provisioning placeholders): no client, so never uploaded (R-U2).
    pub fn placeholder(&mut self, id: u32, name: Option<String>) {
        let name = name.unwrap_or_else(|| format!("resource {id}"));
        if self.push(device(id, name.clone(), false, None, None)) {
            self.placeholders.push((id, name));
        }
    }
}

fn device(
    id: u32,
    name: String,
    client: bool,
    os: Option<String>,
    entra: Option<String>,
) -> Device {
    Device {
        resource_id: id,
        name,
        client,
        os,
        co_managed: false,
        scope_tags: vec![String::from(DEFAULT_SCOPE_TAG)],
        entra_device_id: entra.map(|s| s.to_lowercase()),
        scope_groups: Vec::new(),
        client_version: None,
    }
}

/// R-F5: `ClientVersion` `5.00.BUILD.N` → `YYMM` by [`CLIENT_BUILDS`] (a build between two known
/// maps to the older, one after the last to the last). `Ok(None)` for a build older than every
/// known one (no version to map it to); an error for a value that is not a version.
fn client_version(text: &str) -> Result<Option<u32>, String> {
    let build: u32 = text
        .trim()
        .split('.')
        .nth(2)
        .and_then(|b| b.parse().ok())
        .ok_or_else(|| format!("`{text}` is not a client version (`5.00.BUILD.N`)"))?;
    Ok(CLIENT_BUILDS
        .iter()
        .take_while(|(b, _)| *b <= build)
        .last()
        .map(|(_, v)| *v))
}

/// `SMS_R_System` rows → devices. `Client` is 1 for a client; 0, `null` or absent (an
/// AD-discovered machine without a client) is no client.
pub(crate) fn devices(systems: &[Record], report: &mut Report) -> Devices {
    let mut out = Devices::default();
    let mut too_old: Vec<String> = Vec::new();
    for r in systems {
        let mut errors = Vec::new();
        let key = r.opt_str("Name").unwrap_or_default();
        let version = match r.opt_str("ClientVersion") {
            None => None,
            Some(v) => match client_version(&v) {
                Ok(Some(yymm)) => Some(yymm),
                Ok(None) => {
                    too_old.push(format!("`{key}` ({v})"));
                    None
                }
                Err(m) => {
                    errors.push(r.fail(&key, "ClientVersion", m));
                    None
                }
            },
        };
        let id = r.u32(&key, "ResourceID", &mut errors);
        let name = r.str(&key, "Name", &mut errors);
        let client = match r.get("Client") {
            None | Some(Value::Null) => Some(false),
            Some(_) => r.opt_bool("Client").or_else(|| {
                errors.push(r.fail(&key, "Client", "expected 0, 1, null or a boolean"));
                None
            }),
        };
        report.errors.extend(errors);
        if let (Some(id), Some(name), Some(client)) = (id, name, client)
            && !out.push(Device {
                client_version: version,
                ..device(
                    id,
                    name,
                    client,
                    r.opt_str("OperatingSystemNameandVersion"),
                    r.opt_str("AADDeviceID"),
                )
            })
        {
            report.error(r.fail(
                &key,
                "ResourceID",
                format!("resource id `{id}` appears twice"),
            ));
        }
    }
    if !too_old.is_empty() {
        report.warn(format!(
            "SMS_R_System.json: {} clients are older than build 8968 (2002), the oldest `ClientVersion` mapped: their `client_version` is left absent (features that need a recent client are not evaluated for them): {}",
            too_old.len(),
            too_old.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exports::SMS_R_SYSTEM;
    use crate::records::{Source, read};

    fn records(text: &str) -> Vec<Record> {
        let mut errors = Vec::new();
        let r = read(
            &[Source::text("SMS_R_System.json", text)],
            &SMS_R_SYSTEM,
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
        r.unwrap()
    }

    #[test]
    fn client_null_is_no_client() {
        let mut report = Report::default();
        let d = devices(
            &records(
                r#"{"value":[{"ResourceId":1,"Name":"A","Client":null},{"ResourceID":2,"Name":"B","Client":1},{"ResourceID":3,"Name":"C"}]}"#,
            ),
            &mut report,
        );
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let clients: Vec<bool> = d.list.iter().map(|d| d.client).collect();
        assert_eq!(clients, [false, true, false]);
    }

    /// R-F5: builds map to the known version at or before them.
    #[test]
    fn r_f5_client_builds_map_to_versions() {
        assert_eq!(client_version("5.00.9040.1044"), Ok(Some(2010)));
        assert_eq!(client_version("5.00.9041.1000"), Ok(Some(2010)));
        assert_eq!(client_version("5.00.8968.1000"), Ok(Some(2002)));
        assert_eq!(client_version("5.00.9128.1007"), Ok(Some(2403)));
        assert_eq!(client_version("5.00.9150.1000"), Ok(Some(2409)));
        assert_eq!(client_version("5.00.8913.1000"), Ok(None));
        assert!(client_version("five").is_err());
        let mut report = Report::default();
        let d = devices(
            &records(
                r#"[{"ResourceID":1,"Name":"A","Client":1,"ClientVersion":"5.00.9049.1008"},{"ResourceID":2,"Name":"B","Client":1,"ClientVersion":null},
                    {"ResourceID":3,"Name":"C","Client":1,"ClientVersion":"5.00.8913.1012"},{"ResourceID":4,"Name":"D","Client":1,"ClientVersion":"latest"}]"#,
            ),
            &mut report,
        );
        let v: Vec<Option<u32>> = d.list.iter().map(|d| d.client_version).collect();
        assert_eq!(v, [Some(2103), None, None, None]);
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        assert_eq!(report.errors[0].field(), "ClientVersion");
        assert!(
            report.warnings[0].contains("`C` (5.00.8913.1012)"),
            "{:?}",
            report.warnings
        );
    }

    #[test]
    fn a_duplicate_resource_id_is_an_error() {
        let mut report = Report::default();
        devices(
            &records(
                r#"[{"ResourceID":1,"Name":"A","Client":1},{"ResourceID":1,"Name":"B","Client":1}]"#,
            ),
            &mut report,
        );
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].field(), "ResourceID");
    }
}
