//! Stage: ConfigMgr devices (`SMS_R_System`).

use std::collections::HashMap;

use serde_json::Value;
use tenant_attach::snapshot::{DEFAULT_SCOPE_TAG, Device};

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
        client_version: None,
        resource_id: id,
        name,
        client,
        os,
        co_managed: false,
        scope_tags: vec![String::from(DEFAULT_SCOPE_TAG)],
        entra_device_id: entra.map(|s| s.to_lowercase()),
        scope_groups: Vec::new(),
    }
}

/// `SMS_R_System` rows → devices. `Client` is 1 for a client; 0, `null` or absent (an
/// AD-discovered machine without a client) is no client.
pub(crate) fn devices(systems: &[Record], report: &mut Report) -> Devices {
    let mut out = Devices::default();
    for r in systems {
        let mut errors = Vec::new();
        let key = r.opt_str("Name").unwrap_or_default();
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
            && !out.push(device(
                id,
                name,
                client,
                r.opt_str("OperatingSystemNameandVersion"),
                r.opt_str("AADDeviceID"),
            ))
        {
            report.error(r.fail(
                &key,
                "ResourceID",
                format!("resource id `{id}` appears twice"),
            ));
        }
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
