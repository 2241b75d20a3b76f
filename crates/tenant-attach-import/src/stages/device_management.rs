//! Stage: the Intune tenant settings (`deviceManagement`, optional): *Allow access to unlicensed
//! admins* (R-I8, rulebook 3).

use crate::error::Report;
use crate::records::Record;

/// The property, in Microsoft's spelling.
pub(crate) const UNLICENSED_ADMINS_FIELD: &str = "unlicensedAdminstratorsEnabled";

/// `GET /beta/deviceManagement?$select=unlicensedAdminstratorsEnabled` →
/// `tenant.unlicensed_admins`; `None` without the export. The export is one object: a second, or
/// an object without the property, is an error (the setting is never guessed).
pub(crate) fn unlicensed_admins(records: Option<&[Record]>, report: &mut Report) -> Option<bool> {
    let records = records?;
    if let [first, second, ..] = records {
        report.error(second.fail(
            "",
            "",
            format!(
                "a second object: `deviceManagement` is one object (the first is record {} of {})",
                first.index, first.file
            ),
        ));
    }
    let Some(r) = records.first() else {
        report.error(crate::error::Location::file("deviceManagement.json").error(
            "no object: export `GET /beta/deviceManagement?$select=unlicensedAdminstratorsEnabled`",
        ));
        return None;
    };
    let value = r.opt_bool(UNLICENSED_ADMINS_FIELD);
    if value.is_none() {
        report.error(r.fail(
            "",
            UNLICENSED_ADMINS_FIELD,
            if r.get(UNLICENSED_ADMINS_FIELD).is_some() {
                "expected a boolean"
            } else {
                "required field is missing: select it (`$select=unlicensedAdminstratorsEnabled`, Microsoft's spelling)"
            },
        ));
    }
    value
}
