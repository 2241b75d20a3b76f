//! Reading a [`Report`] back from its JSON form.
//!
//! The report's words (feature names, reason codes, rule ids, finding ids, the mode and the
//! identity) are the engine's static strings; read back, each must be one the engine writes,
//! and becomes that static string again. A derive would demand `'de: 'static`, so each type
//! is read through a wire struct of owned strings and checked here.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::decision::{Mode, ReasonCode, known_rule};
use crate::features::Feature;
use crate::findings::{FINDING_IDS, Finding, FindingSeverity};
use crate::fix::{FindingFix, LeastPrivilege, Step, Unfixable};
use crate::report::{
    Advice, CLOUD_ONLY, HYBRID, HierarchySummary, LeftOut, Offboarding, PathCount, Report,
    UploadSummary, UserSummary, Validation,
};
use crate::snapshot::{AttachState, ChildRelation, Cloud, DirectoryRole};

/// A word of the engine's vocabulary `T` (an enum serialized as a string), as its static name.
fn word<T: DeserializeOwned>(
    w: &str,
    name: impl Fn(T) -> &'static str,
) -> Result<&'static str, String> {
    serde_json::from_value::<T>(serde_json::Value::String(w.to_owned()))
        .map(name)
        .map_err(|_| format!("`{w}` is not a known value here"))
}

fn feature(w: &str) -> Result<&'static str, String> {
    word::<Feature>(w, Feature::as_str)
}

fn reason(w: &str) -> Result<&'static str, String> {
    word::<ReasonCode>(w, ReasonCode::as_str)
}

fn keyed<V, W>(
    map: BTreeMap<String, W>,
    key: fn(&str) -> Result<&'static str, String>,
    value: impl Fn(W) -> Result<V, String>,
) -> Result<BTreeMap<&'static str, V>, String> {
    map.into_iter()
        .map(|(k, v)| Ok((key(&k)?, value(v)?)))
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportWire {
    features: BTreeMap<String, Vec<String>>,
    findings: Vec<FindingWire>,
    #[serde(default)]
    fixes: Vec<FindingFixWire>,
    hierarchy: HierarchyWire,
    lifecycle: Vec<AdviceWire>,
    offboarding: Offboarding,
    upload: UploadWire,
    users: Vec<UserWire>,
    validation: Validation,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HierarchyWire {
    attach_state: AttachState,
    cloud: Cloud,
    collections: usize,
    devices: usize,
    mode: Mode,
    name: Option<String>,
    site_code: String,
    users: usize,
    version: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadWire {
    child_relations: Vec<ChildRelation>,
    delay_minutes_max: u32,
    not_uploaded: BTreeMap<String, LeftOutWire>,
    paths: Vec<PathCount>,
    setting: String,
    uploaded: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LeftOutWire {
    count: u64,
    examples: Vec<String>,
    rule: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserWire {
    assignments: Vec<String>,
    configmgr_blocked: Option<String>,
    directory_roles: Vec<DirectoryRole>,
    features: BTreeMap<String, u64>,
    id: String,
    identity: String,
    upn: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdviceWire {
    message: String,
    rule: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FindingWire {
    id: String,
    message: String,
    objects: Vec<String>,
    rule: String,
    severity: FindingSeverity,
}

impl TryFrom<FindingWire> for Finding {
    type Error = String;

    fn try_from(w: FindingWire) -> Result<Finding, String> {
        Ok(Finding {
            id: finding_id(&w.id)?,
            message: w.message,
            objects: w.objects,
            rule: known_rule(&w.rule)?,
            severity: w.severity,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FindingFixWire {
    device: String,
    feature: Feature,
    finding: String,
    fix: Option<LeastPrivilegeWire>,
    index: usize,
    #[serde(default)]
    unfixable: Vec<UnfixableWire>,
    user: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LeastPrivilegeWire {
    devices: u64,
    edits: Vec<StepWire>,
    gained: u64,
    lost: u64,
    summary: String,
    users: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepWire {
    detail: String,
    kind: String,
    rule: String,
    target: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnfixableWire {
    code: ReasonCode,
    detail: String,
    rule: String,
}

impl TryFrom<FindingFixWire> for FindingFix {
    type Error = String;

    fn try_from(w: FindingFixWire) -> Result<FindingFix, String> {
        let fix = match w.fix {
            None => None,
            Some(f) => Some(LeastPrivilege {
                devices: f.devices,
                edits: f
                    .edits
                    .into_iter()
                    .map(|e| {
                        Ok(Step {
                            detail: e.detail,
                            kind: e.kind,
                            rule: known_rule(&e.rule)?,
                            target: e.target,
                        })
                    })
                    .collect::<Result<_, String>>()?,
                gained: f.gained,
                lost: f.lost,
                summary: f.summary,
                users: f.users,
            }),
        };
        Ok(FindingFix {
            device: w.device,
            feature: w.feature,
            finding: finding_id(&w.finding)?,
            fix,
            index: w.index,
            unfixable: w
                .unfixable
                .into_iter()
                .map(|u| {
                    Ok(Unfixable {
                        code: u.code,
                        detail: u.detail,
                        rule: known_rule(&u.rule)?,
                    })
                })
                .collect::<Result<_, String>>()?,
            user: w.user,
        })
    }
}

fn finding_id(id: &str) -> Result<&'static str, String> {
    FINDING_IDS
        .iter()
        .copied()
        .find(|i| *i == id)
        .ok_or_else(|| format!("unknown finding id `{id}`"))
}

impl TryFrom<ReportWire> for Report {
    type Error = String;

    fn try_from(w: ReportWire) -> Result<Report, String> {
        let h = w.hierarchy;
        let u = w.upload;
        Ok(Report {
            features: keyed(w.features, feature, Ok)?,
            findings: w
                .findings
                .into_iter()
                .map(Finding::try_from)
                .collect::<Result<_, _>>()?,
            fixes: w
                .fixes
                .into_iter()
                .map(FindingFix::try_from)
                .collect::<Result<_, _>>()?,
            hierarchy: HierarchySummary {
                attach_state: h.attach_state,
                cloud: h.cloud,
                collections: h.collections,
                devices: h.devices,
                mode: h.mode.as_str(),
                name: h.name,
                site_code: h.site_code,
                users: h.users,
                version: h.version,
            },
            lifecycle: w
                .lifecycle
                .into_iter()
                .map(|a| {
                    Ok(Advice {
                        message: a.message,
                        rule: known_rule(&a.rule)?,
                    })
                })
                .collect::<Result<_, String>>()?,
            offboarding: w.offboarding,
            upload: UploadSummary {
                child_relations: u
                    .child_relations
                    .into_iter()
                    .map(ChildRelation::as_str)
                    .collect(),
                delay_minutes_max: u.delay_minutes_max,
                not_uploaded: keyed(u.not_uploaded, reason, |l| {
                    Ok(LeftOut {
                        count: l.count,
                        examples: l.examples,
                        rule: known_rule(&l.rule)?,
                    })
                })?,
                paths: u.paths,
                setting: u.setting,
                uploaded: u.uploaded,
            },
            users: w
                .users
                .into_iter()
                .map(|x| {
                    Ok(UserSummary {
                        assignments: x.assignments,
                        configmgr_blocked: x
                            .configmgr_blocked
                            .as_deref()
                            .map(reason)
                            .transpose()?,
                        directory_roles: x.directory_roles,
                        features: keyed(x.features, feature, Ok)?,
                        id: x.id,
                        identity: [HYBRID, CLOUD_ONLY]
                            .into_iter()
                            .find(|i| *i == x.identity)
                            .ok_or_else(|| format!("unknown identity `{}`", x.identity))?,
                        upn: x.upn,
                    })
                })
                .collect::<Result<_, String>>()?,
            validation: w.validation,
        })
    }
}

// Written by hand: the report's words are the engine's static strings (this module).
impl<'de> Deserialize<'de> for Report {
    /// Reads the form [`Report`] serializes to (`report --format json`); every feature name,
    /// reason code, rule id, finding id, mode and identity must be one the engine writes.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Report, D::Error> {
        Report::try_from(ReportWire::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}
