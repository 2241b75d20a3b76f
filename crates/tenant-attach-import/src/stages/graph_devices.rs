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
