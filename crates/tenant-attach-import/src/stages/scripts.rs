//! Stage: scripts (`SMS_Scripts`, optional, R-G7).
//!
//! `ScriptGuid`, `ScriptName` and `ApprovalState` are observed in real exports; the parameter
//! definition (`ParamsDefinition`) and the security scopes (`SecuredScopeNames`) are not
//! confirmed (exports.md G2), so the import says which of them it found.

use serde_json::Value;
use tenant_attach::snapshot::Script;

use crate::constants::SCRIPT_APPROVED;
use crate::error::Report;
use crate::exports;
use crate::records::Record;
use crate::stages::cm_rbac::Scopes;

/// The unconfirmed parameter field.
const PARAMETERS_FIELD: &str = "ParamsDefinition";
/// The unconfirmed scopes field.
const SCOPES_FIELD: &str = "SecuredScopeNames";

/// `SMS_Scripts` rows → `configmgr.scripts`; `None` without the file (R-G7 not evaluated).
pub(crate) fn scripts(
    records: Option<&[Record]>,
    scopes: &Scopes,
    report: &mut Report,
) -> Option<Vec<Script>> {
    let records = records?;
    let mut out = Vec::new();
    let (mut with_parameters_field, mut with_scopes_field) = (0usize, 0usize);
    for r in records {
        let mut errors = Vec::new();
        let id = r.str("", "ScriptGuid", &mut errors);
        let key = id.clone().unwrap_or_default();
        let name = r.str(&key, "ScriptName", &mut errors);
        let state = r.u32(&key, "ApprovalState", &mut errors);
        report.errors.extend(errors);
        if r.has(PARAMETERS_FIELD) {
            with_parameters_field += 1;
        }
        let has_parameters = match r.get(PARAMETERS_FIELD) {
            None => false,
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(Value::Array(a)) => !a.is_empty(),
            Some(Value::Object(o)) => !o.is_empty(),
            Some(_) => true,
        };
        let mut ids = Vec::new();
        if r.has(SCOPES_FIELD) {
            with_scopes_field += 1;
        }
        for (i, name) in r.strings(SCOPES_FIELD).iter().enumerate() {
            match scopes.resolve(name) {
                Some(id) => ids.push(id),
                None => report.refer(&exports::SMS_SECURED_CATEGORY, r.fail(
                    &key,
                    &format!("{SCOPES_FIELD}[{i}]"),
                    format!("security scope `{name}` is neither built in nor in SMS_SecuredCategory.json"),
                )),
            }
        }
        ids.sort();
        ids.dedup();
        if let (Some(id), Some(name), Some(state)) = (id, name, state) {
            out.push(Script {
                id,
                name,
                approved: state == SCRIPT_APPROVED,
                has_parameters,
                scopes: ids,
            });
        }
    }
    let total = records.len();
    report.warn(format!(
        "SMS_Scripts.json: the field names for parameters and scopes are not confirmed: `{PARAMETERS_FIELD}` found in {with_parameters_field} of {total} scripts (absent: no parameters), `{SCOPES_FIELD}` found in {with_scopes_field} of {total} (absent: no security scope)"
    ));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exports::SMS_SCRIPTS;
    use crate::records::{Source, read};
    use crate::stages::cm_rbac;

    /// R-G7: approval, parameters and scopes, with the unconfirmed field names reported.
    #[test]
    fn r_g7_scripts_with_unconfirmed_fields() {
        let mut errors = Vec::new();
        let rows = read(
            &[Source::text(
                "SMS_Scripts.json",
                r#"{"value":[
                {"ScriptGuid":"A","ScriptName":"Restart spooler","ApprovalState":3,"ParamsDefinition":"","SecuredScopeNames":["Default"]},
                {"ScriptGuid":"B","ScriptName":"Wipe","ApprovalState":0,"ParamsDefinition":"PFBhcmFtPg==","SecuredScopeNames":["Nowhere"]},
                {"ScriptGuid":"C","ScriptName":"Old","ApprovalState":3}]}"#,
            )],
            &SMS_SCRIPTS,
            &mut errors,
        )
        .unwrap();
        let mut report = Report::default();
        let s = scripts(Some(&rows), &cm_rbac::scopes(None, &[]), &mut report).unwrap();
        assert_eq!(s.len(), 3);
        assert!(s[0].approved && !s[0].has_parameters && s[0].scopes == ["SMS00UNA"]);
        assert!(!s[1].approved && s[1].has_parameters);
        assert!(s[2].scopes.is_empty());
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        assert_eq!(report.errors[0].field(), "SecuredScopeNames[0]");
        assert!(
            report.warnings[0].contains("`ParamsDefinition` found in 2 of 3"),
            "{:?}",
            report.warnings
        );
        assert!(scripts(None, &cm_rbac::scopes(None, &[]), &mut report).is_none());
    }
}
