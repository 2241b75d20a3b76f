//! Stage: Intune devices (`managedDevices`, optional): which ConfigMgr devices are co-managed,
//! and their scope tags.

use std::collections::HashMap;

use tenant_attach::snapshot::DEFAULT_SCOPE_TAG;

use crate::constants::CO_MANAGED_AGENT_PREFIX;
use crate::error::Report;
use crate::records::Record;
use crate::stages::cm_devices::Devices;

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
        let at = aad
            .as_ref()
            .and_then(|a| by_aad.get(a).copied())
            .or_else(|| {
                devices
                    .list
                    .iter()
                    .find(|d| d.name.eq_ignore_ascii_case(&name))
                    .map(|d| d.resource_id)
            });
        let Some(d) = at.and_then(|id| devices.get_mut(id)) else {
            report.warn(format!(
                "{}: co-managed device `{name}` matches no ConfigMgr device (by azureADDeviceId or name)",
                r.file
            ));
            continue;
        };
        let tags = r.strings("roleScopeTagIds");
        d.co_managed = true;
        d.scope_tags = if tags.is_empty() {
            vec![String::from(DEFAULT_SCOPE_TAG)]
        } else {
            tags
        };
    }
}
