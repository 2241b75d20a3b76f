//! Stage: Intune devices (`managedDevices`, optional): which ConfigMgr devices are co-managed,
//! and their scope tags.
//!
//! Joins are hash lookups (linear in the rows). A device re-enrolled in Intune may have stale
//! rows beside its current one: when two co-managed rows join one ConfigMgr device, the row
//! synced last (`lastSyncDateTime`, then the larger `id`) is kept, with a warning naming both. A
//! name that several ConfigMgr devices share joins none of them (a warning): which one the row is
//! cannot be known.

use std::collections::HashMap;

use tenant_attach::snapshot::DEFAULT_SCOPE_TAG;

use crate::constants::CO_MANAGED_AGENT_PREFIX;
use crate::error::Report;
use crate::records::Record;
use crate::stages::cm_devices::Devices;

/// A co-managed row joined to a ConfigMgr device.
struct Joined<'a> {
    row: &'a Record,
    /// `lastSyncDateTime` (ISO 8601 in UTC as Graph writes it: compares as text), or "".
    synced: String,
    id: String,
}

impl Joined<'_> {
    fn name(&self) -> String {
        format!(
            "record {} of {} (`{}`, last sync {})",
            self.row.index,
            self.row.file,
            self.id,
            if self.synced.is_empty() {
                "unknown"
            } else {
                &self.synced
            }
        )
    }
}

/// Marks the co-managed devices, joined on `azureADDeviceId` ↔ `AADDeviceID`, else on the name.
pub(crate) fn co_managed(records: &[Record], devices: &mut Devices, report: &mut Report) {
    let by_aad: HashMap<String, u32> = devices
        .list
        .iter()
        .filter_map(|d| {
            d.entra_device_id
                .clone()
                .map(|a| (a.to_lowercase(), d.resource_id))
        })
        .collect();
    let mut by_name: HashMap<String, Vec<u32>> = HashMap::new();
    for d in &devices.list {
        by_name
            .entry(d.name.to_ascii_lowercase())
            .or_default()
            .push(d.resource_id);
    }
    // Resource id → the row kept, in the order first joined.
    let mut joined: HashMap<u32, Joined<'_>> = HashMap::new();
    let mut order: Vec<u32> = Vec::new();
    for r in records {
        let agent = r
            .opt_str("managementAgent")
            .unwrap_or_default()
            .to_lowercase();
        if !agent.starts_with(CO_MANAGED_AGENT_PREFIX) {
            continue;
        }
        let aad = r
            .opt_str("azureADDeviceId")
            .or_else(|| r.opt_str("azureActiveDirectoryDeviceId"))
            .map(|a| a.to_lowercase());
        let name = r.opt_str("deviceName").unwrap_or_default();
        let at = match aad.as_ref().and_then(|a| by_aad.get(a).copied()) {
            Some(id) => Some(id),
            None => match by_name.get(&name.to_ascii_lowercase()).map(Vec::as_slice) {
                Some([id]) => Some(*id),
                Some(ids @ [_, _, ..]) => {
                    report.warn(format!(
                        "{}: co-managed device `{name}` matches {} ConfigMgr devices by name ({}) and none by azureADDeviceId: it joins none of them",
                        r.file,
                        ids.len(),
                        ids.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
                    ));
                    continue;
                }
                _ => None,
            },
        };
        let Some(id) = at.filter(|id| devices.contains(*id)) else {
            report.warn(format!(
                "{}: co-managed device `{name}` matches no ConfigMgr device (by azureADDeviceId or name)",
                r.file
            ));
            continue;
        };
        let row = Joined {
            row: r,
            synced: r.opt_str("lastSyncDateTime").unwrap_or_default(),
            id: r.opt_str("id").unwrap_or_default(),
        };
        match joined.get_mut(&id) {
            None => {
                order.push(id);
                joined.insert(id, row);
            }
            Some(kept) => {
                let newer = (&row.synced, &row.id) > (&kept.synced, &kept.id);
                let kept_name = if newer { row.name() } else { kept.name() };
                report.warn(format!(
                    "{}: co-managed rows {} and {} are both ConfigMgr device {id} (`{name}`), as stale rows after a re-enrolment are: the one synced last, {kept_name}, is kept",
                    r.file,
                    kept.name(),
                    row.name(),
                ));
                if newer {
                    *kept = row;
                }
            }
        }
    }
    for id in order {
        let (Some(row), Some(d)) = (joined.get(&id), devices.get_mut(id)) else {
            continue;
        };
        let tags = row.row.strings("roleScopeTagIds");
        d.co_managed = true;
        d.scope_tags = if tags.is_empty() {
            vec![String::from(DEFAULT_SCOPE_TAG)]
        } else {
            tags
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exports::{MANAGED_DEVICES, SMS_R_SYSTEM};
    use crate::records::{Source, read};
    use crate::stages::cm_devices;

    fn records(file: &str, export: &crate::exports::Export, text: String) -> Vec<Record> {
        let mut errors = Vec::new();
        let r = read(&[Source::text(file, text)], export, &mut errors).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        r
    }

    /// Issue 18: the name join is a hash lookup: 80,000 co-managed rows joined by name took 31 s
    /// (quadratic); now well under the bound, every row joined.
    #[test]
    fn the_name_join_is_linear() {
        const N: u32 = 80_000;
        let systems: Vec<String> = (0..N)
            .map(|i| {
                format!(
                    r#"{{"ResourceID":{},"Name":"WS-{i:06}","Client":1}}"#,
                    16_777_216 + i
                )
            })
            .collect();
        let managed: Vec<String> = (0..N)
            .rev()
            .map(|i| format!(r#"{{"id":"md-{i}","deviceName":"ws-{i:06}","managementAgent":"configurationManagerClientMdm"}}"#))
            .collect();
        let systems = records(
            "SMS_R_System.json",
            &SMS_R_SYSTEM,
            format!("[{}]", systems.join(",")),
        );
        let managed = records(
            "managedDevices.json",
            &MANAGED_DEVICES,
            format!("[{}]", managed.join(",")),
        );
        let mut report = Report::default();
        let mut devices = cm_devices::devices(&systems, &mut report);
        let start = std::time::Instant::now();
        co_managed(&managed, &mut devices, &mut report);
        let took = start.elapsed();
        assert!(took.as_secs() < 5, "the join took {took:?}");
        assert!(devices.list.iter().all(|d| d.co_managed));
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }

    /// A name two ConfigMgr devices share joins neither (a warning), never the first found.
    #[test]
    fn an_ambiguous_name_joins_nothing() {
        let systems = records(
            "SMS_R_System.json",
            &SMS_R_SYSTEM,
            String::from(
                r#"[{"ResourceID":1,"Name":"WS","Client":1},{"ResourceID":2,"Name":"ws","Client":1}]"#,
            ),
        );
        let managed = records(
            "managedDevices.json",
            &MANAGED_DEVICES,
            String::from(
                r#"[{"id":"a","deviceName":"WS","managementAgent":"configurationManagerClientMdm"}]"#,
            ),
        );
        let mut report = Report::default();
        let mut devices = cm_devices::devices(&systems, &mut report);
        co_managed(&managed, &mut devices, &mut report);
        assert!(devices.list.iter().all(|d| !d.co_managed));
        assert!(
            report.warnings[0].contains("matches 2 ConfigMgr devices by name (1, 2)"),
            "{:?}",
            report.warnings
        );
    }
}
