//! Stage: the attach state (`tenantAttachRBAC`): the tenant-wide *Use Intune RBAC* toggle.

use crate::error::Report;
use crate::records::Record;

/// `tenantAttachRBAC/getState` → `enabled`, when the export says. The export is one object: a
/// second is an error (which state holds cannot be known).
pub(crate) fn use_intune_rbac(records: &[Record], report: &mut Report) -> Option<bool> {
    if let [first, second, ..] = records {
        report.error(second.fail(
            "",
            "",
            format!(
                "a second state: `tenantAttachRBAC/getState` returns one object (the first is record {} of {})",
                first.index, first.file
            ),
        ));
    }
    records.iter().find_map(|r| r.opt_bool("enabled"))
}
