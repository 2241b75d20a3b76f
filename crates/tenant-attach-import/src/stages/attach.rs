//! Stage: the attach state (`tenantAttachRBAC`): the tenant-wide *Use Intune RBAC* toggle.

use crate::records::Record;

/// `tenantAttachRBAC/getState` → `enabled`, when the export says.
pub(crate) fn use_intune_rbac(records: &[Record]) -> Option<bool> {
    records.iter().find_map(|r| r.opt_bool("enabled"))
}
