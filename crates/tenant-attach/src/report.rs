//! The full report on one hierarchy: validation, upload, access per user and per feature,
//! offboarding, lifecycle advice (R-H1..R-H6) and findings. `tenant-attach report` and `demo`
//! print it; its JSON shape is documented in the README.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::collections::CollectionIx;
use crate::engine::Engine;
use crate::error::Diagnostic;
use crate::findings::{Finding, findings};
use crate::fix::{FindingFix, Options, for_findings};
use crate::snapshot::{AttachState, DirectoryRole};
use crate::upload::UPLOAD_DELAY_MINUTES_MAX;

/// `report`'s `identity` values.
pub(crate) const HYBRID: &str = "hybrid";
/// See [`HYBRID`].
pub(crate) const CLOUD_ONLY: &str = "cloud_only";

/// R-H1: importing an existing Entra app at onboarding needs this version.
pub const APP_IMPORT_SINCE: u32 = 2006;

/// R-H3: the *Configure Cloud Attach* wizard replaced *Configure co-management* in this version.
pub const CLOUD_ATTACH_WIZARD_SINCE: u32 = 2111;

/// How many example devices a report lists per reason; the count is always given in full.
pub const EXAMPLES: usize = 10;

/// The whole picture of one hierarchy.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// Per feature, the users who can use it on at least one device (UPNs).
    pub features: BTreeMap<&'static str, Vec<String>>,
    /// Settings that quietly expose or hide devices.
    pub findings: Vec<Finding>,
    /// Per user-facing finding, the least-privilege fix for the first user it names
    /// ([`crate::fix::for_findings`]); empty until [`Report::with_fixes`] adds them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<FindingFix>,
    /// The hierarchy and the mode.
    pub hierarchy: HierarchySummary,
    /// Lifecycle advice (R-H1..R-H6, R-U6).
    pub lifecycle: Vec<Advice>,
    /// Who may offboard, and how long it takes (R-H4).
    pub offboarding: Offboarding,
    /// What is uploaded, through which paths, and what is left out.
    pub upload: UploadSummary,
    /// Per user, the features and on how many devices.
    pub users: Vec<UserSummary>,
    /// Configuration errors and warnings (a report is only built for a valid snapshot).
    pub validation: Validation,
}

/// The hierarchy at a glance.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct HierarchySummary {
    /// Attach state.
    pub attach_state: AttachState,
    /// Cloud.
    pub cloud: crate::snapshot::Cloud,
    /// How many collections.
    pub collections: usize,
    /// How many devices.
    pub devices: usize,
    /// `combined` or `intune_only` (R-M1).
    pub mode: &'static str,
    /// Display name.
    pub name: Option<String>,
    /// Top-level site code.
    pub site_code: String,
    /// How many Entra users.
    pub users: usize,
    /// Version (`YYMM`).
    pub version: u32,
}

/// Configuration errors and warnings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Validation {
    /// Configuration errors.
    pub errors: Vec<Diagnostic>,
    /// Warnings.
    pub warnings: Vec<Diagnostic>,
}

/// The upload in numbers.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct UploadSummary {
    /// The child relations in force (`policy.child_relations`).
    pub child_relations: Vec<&'static str>,
    /// R-U6: a change shows in the admin center within this many minutes.
    pub delay_minutes_max: u32,
    /// Per reason, how many devices are left out, with examples.
    pub not_uploaded: BTreeMap<&'static str, LeftOut>,
    /// Per collection path (`via`), how many devices it brought in.
    pub paths: Vec<PathCount>,
    /// `all_devices`, or the selected collection id.
    pub setting: String,
    /// How many devices are uploaded.
    pub uploaded: u64,
}

/// One upload path and how many devices came through it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PathCount {
    /// How many devices.
    pub devices: u64,
    /// Collection ids from the selected collection down.
    pub via: Vec<String>,
}

/// Devices left out for one reason.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct LeftOut {
    /// How many devices.
    pub count: u64,
    /// The first few device names (at most [`EXAMPLES`]), in resource-id order.
    pub examples: Vec<String>,
    /// The rule.
    pub rule: &'static str,
}

/// One user's access.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct UserSummary {
    /// Names of the Intune role assignments that apply (R-I2).
    pub assignments: Vec<String>,
    /// Where the ConfigMgr side stops for `view` (R-G1..R-G3), if it does.
    pub configmgr_blocked: Option<&'static str>,
    /// Entra directory roles (R-I1).
    pub directory_roles: Vec<DirectoryRole>,
    /// Per feature, how many devices the user can use it on (features with none omitted).
    pub features: BTreeMap<&'static str, u64>,
    /// Entra id.
    pub id: String,
    /// `hybrid` or `cloud_only`.
    pub identity: &'static str,
    /// UPN.
    pub upn: String,
}

/// Who may offboard.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Offboarding {
    /// UPNs of the users who may offboard from the admin center.
    pub allowed: Vec<String>,
    /// The longest it takes.
    pub eta_minutes_max: u32,
    /// The wait before onboarding again.
    pub reonboard_wait_minutes: u32,
}

/// One piece of lifecycle advice.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Advice {
    /// The advice.
    pub message: String,
    /// The rule.
    pub rule: &'static str,
}

impl Report {
    /// Builds the report: one `visible` per user class and feature class, plus the
    /// [`findings`] (not the knob ones: see [`Report::build_with_sensitivity`]).
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let report = tenant_attach::Report::build(&engine);
    /// assert_eq!(report.upload.uploaded, 16);
    /// assert!(report.findings.iter().any(|f| f.id == "helpdesk_sees_servers"));
    /// assert!(!report.findings.iter().any(|f| f.id == "knob_dependent_access"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build(engine: &Engine) -> Report {
        Report::build_inner(engine, false)
    }

    /// [`Report::build`] plus a `knob_dependent_access` finding per policy knob whose other
    /// values would change some decision ([`crate::knob_findings`]; `report --sensitivity`).
    /// Costs a [`crate::sensitivity()`] run on top of the report.
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let report = tenant_attach::Report::build_with_sensitivity(&engine);
    /// assert!(report.findings.iter().any(|f| f.id == "knob_dependent_access"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build_with_sensitivity(engine: &Engine) -> Report {
        Report::build_inner(engine, true)
    }

    /// This report with, for each user-facing finding, the least-privilege fix for the first
    /// user it names ([`crate::fix::for_findings`], one change set each): `tenant-attach
    /// report`'s default. Costs one [`crate::fix()`] per such finding.
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let report = tenant_attach::Report::build(&engine).with_fixes(&engine);
    /// let f = report.fixes.iter().find(|f| f.finding == "unlicensed_admins").ok_or("none")?;
    /// assert_eq!(report.findings[f.index].id, "unlicensed_admins");
    /// assert_eq!(f.user, "frank@contoso.com"); // R-I8: nested only, no licence
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_fixes(mut self, engine: &Engine) -> Report {
        self.fixes = for_findings(engine, &self.findings, &Options::with_max(1));
        self
    }

    fn build_inner(engine: &Engine, knobs: bool) -> Report {
        let s = engine.snapshot();
        let upload = engine.upload();
        let ids = engine.collections();

        // Paths counted by collection handles (no text per device), named once each below.
        let mut by_path: BTreeMap<Vec<CollectionIx>, u64> = BTreeMap::new();
        let mut not_uploaded: BTreeMap<&'static str, LeftOut> = BTreeMap::new();
        for d in engine.device_ixs() {
            let Some(dev) = engine.device(d) else {
                continue;
            };
            if upload.is_uploaded(d) {
                *by_path.entry(upload.via(d)).or_default() += 1;
            } else if let Some(r) = upload.reasons(d, dev.client).first() {
                let e = not_uploaded.entry(r.code()).or_insert(LeftOut {
                    rule: upload.rule(*r),
                    count: 0,
                    examples: Vec::new(),
                });
                e.count += 1;
                if e.examples.len() < EXAMPLES {
                    e.examples.push(dev.name.clone());
                }
            }
        }

        // In the order of the collection ids (distinct handles have distinct ids).
        let mut paths: BTreeMap<Vec<String>, u64> = BTreeMap::new();
        for (via, n) in by_path {
            let named = via
                .iter()
                .filter_map(|c| ids.id(*c).map(str::to_owned))
                .collect();
            *paths.entry(named).or_default() += n;
        }

        let mut features: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        let mut users = Vec::new();
        let classes = engine.feature_classes();
        let user_classes = engine.user_classes();
        let mut memo: std::collections::HashMap<(u32, usize), u64> =
            std::collections::HashMap::new();
        for u in engine.users() {
            let Some(user) = engine.user(*u) else {
                continue;
            };
            let mut counts = BTreeMap::new();
            // One `visible` per group of features that decide alike.
            let uc = user_classes
                .get(u.index() as usize)
                .copied()
                .unwrap_or(u32::MAX);
            for (ci, class) in classes.iter().enumerate() {
                let Some(first) = class.first() else { continue };
                let n = *memo
                    .entry((uc, ci))
                    .or_insert_with(|| engine.visible(*u, *first).len());
                if n > 0 {
                    for f in class {
                        counts.insert(f.as_str(), n);
                        features
                            .entry(f.as_str())
                            .or_default()
                            .push(user.upn.clone());
                    }
                }
            }
            users.push(UserSummary {
                id: user.id.clone(),
                upn: user.upn.clone(),
                identity: if user.on_premises_sid.is_some() {
                    HYBRID
                } else {
                    CLOUD_ONLY
                },
                directory_roles: {
                    let mut roles = user.directory_roles.clone();
                    roles.sort_unstable();
                    roles.dedup();
                    roles
                },
                assignments: {
                    // By name: the list follows the content, not the file order.
                    let mut names: Vec<String> = engine
                        .assignments_of(*u)
                        .iter()
                        .filter_map(|a| s.intune.role_assignments.get(*a))
                        .map(|a| a.name.clone())
                        .collect();
                    names.sort();
                    names
                },
                configmgr_blocked: engine
                    .configmgr_block(*u, crate::features::Feature::View)
                    .map(|r| r.as_str()),
                features: counts,
            });
        }

        let mut allowed = Vec::new();
        let mut eta = 0;
        let mut wait = 0;
        for u in engine.users() {
            let o = engine.offboard(*u);
            eta = o.eta_minutes_max;
            wait = o.reonboard_wait_minutes;
            if o.allowed
                && let Some(user) = engine.user(*u)
            {
                allowed.push(user.upn.clone());
            }
        }
        let diags = engine.diagnostics();
        Report {
            fixes: Vec::new(),
            hierarchy: HierarchySummary {
                name: s.hierarchy.name.clone(),
                site_code: s.hierarchy.site_code.clone(),
                version: s.hierarchy.version,
                cloud: s.hierarchy.cloud,
                attach_state: s.hierarchy.attach.state,
                mode: engine.mode().as_str(),
                devices: s.devices.len(),
                collections: s.collections.len(),
                users: s.entra.users.len(),
            },
            validation: Validation {
                errors: diags.errors().cloned().collect(),
                warnings: diags.warnings().cloned().collect(),
            },
            upload: UploadSummary {
                setting: s
                    .hierarchy
                    .attach
                    .upload
                    .collection
                    .clone()
                    .unwrap_or_else(|| String::from("all_devices")),
                child_relations: s
                    .policy
                    .child_relations
                    .iter()
                    .map(|r| r.as_str())
                    .collect(),
                uploaded: upload.uploaded().len(),
                paths: paths
                    .into_iter()
                    .map(|(via, devices)| PathCount { via, devices })
                    .collect(),
                not_uploaded,
                delay_minutes_max: UPLOAD_DELAY_MINUTES_MAX,
            },
            users,
            features,
            offboarding: Offboarding {
                allowed,
                eta_minutes_max: if eta == 0 {
                    crate::access::OFFBOARD_MINUTES_MAX
                } else {
                    eta
                },
                reonboard_wait_minutes: if wait == 0 {
                    crate::access::REONBOARD_WAIT_MINUTES
                } else {
                    wait
                },
            },
            lifecycle: lifecycle(engine),
            // Each part is in canonical order; the knob findings are a kind of their own, last.
            findings: if knobs {
                let mut all = findings(engine);
                all.extend(crate::findings::knob_findings(engine));
                all
            } else {
                findings(engine)
            },
        }
    }
}

/// R-H1..R-H6 and R-U6, as advice for this hierarchy.
///
/// ```
/// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
/// let advice = tenant_attach::report::lifecycle(&engine);
/// let rules: Vec<&str> = advice.iter().map(|a| a.rule).collect();
/// assert_eq!(rules, ["R-H1", "R-H2", "R-H3", "R-H4", "R-U6"]); // no Endpoint analytics (R-H5)
/// assert!(advice.first().is_some_and(|a| a.message.contains("dave@contoso.com"))); // the GA
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn lifecycle(engine: &Engine) -> Vec<Advice> {
    let s = engine.snapshot();
    let h = &s.hierarchy;
    let mut out = Vec::new();
    let mut gas: Vec<&str> = s
        .entra
        .users
        .iter()
        .filter(|u| {
            u.directory_roles
                .contains(&DirectoryRole::GlobalAdministrator)
        })
        .map(|u| u.upn.as_str())
        .collect();
    gas.sort_unstable(); // by name, not by place in the file
    out.push(Advice {
        rule: "R-H1",
        message: format!(
            "onboarding signs in a Global Administrator ({}) and creates an Entra app{}",
            if gas.is_empty() {
                String::from("none in this snapshot")
            } else {
                gas.join(", ")
            },
            if h.version >= APP_IMPORT_SINCE {
                format!(", or imports an existing one ({APP_IMPORT_SINCE}+)")
            } else {
                format!("; importing an existing app needs {APP_IMPORT_SINCE} or later")
            }
        ),
    });
    out.push(Advice {
        rule: "R-H2",
        message: match crate::upload::first_version_for(h.cloud) {
            None => String::from(
                "Azure China cloud: device upload and Endpoint analytics cannot be enabled",
            ),
            Some(v) if h.version < v => format!(
                "version {} is too old for this cloud: tenant attach needs {v} or later",
                h.version
            ),
            Some(v) => format!(
                "this cloud supports tenant attach from version {v}; the hierarchy runs {}",
                h.version
            ),
        },
    });
    out.push(Advice {
        rule: "R-H3",
        message: if h.co_management {
            String::from("co-management is enabled: configure the upload in the co-management properties, *Configure upload* tab")
        } else if h.version >= CLOUD_ATTACH_WIZARD_SINCE {
            String::from("configure the upload with the *Configure Cloud Attach* wizard (Cloud Attach node)")
        } else {
            String::from("configure the upload with the *Configure co-management* wizard under the *Co-management* node")
        },
    });
    let fast = h.version >= crate::access::OFFBOARD_FAST_SINCE && h.online && h.healthy;
    out.push(Advice {
        rule: "R-H4",
        message: format!(
            "offboarding from the admin center takes up to {} minutes{}; wait at least {} minutes before onboarding again",
            if fast { crate::access::OFFBOARD_FAST_MINUTES_MAX } else { crate::access::OFFBOARD_MINUTES_MAX },
            if fast { format!(" (the site is {}+, online and healthy)", crate::access::OFFBOARD_FAST_SINCE) } else { String::new() },
            crate::access::REONBOARD_WAIT_MINUTES
        ),
    });
    if h.attach.endpoint_analytics {
        out.push(Advice {
            rule: "R-H5",
            message: String::from("Endpoint analytics upload changes the default client settings; redeploy custom client settings that override them"),
        });
    }
    if !h.online || h.name.is_none() {
        out.push(Advice {
            rule: "R-H6",
            message: String::from("the admin center lists the connector as `Unknown` while site information is lacking (the site is offline or its name is not reported)"),
        });
    }
    out.push(Advice {
        rule: "R-U6",
        message: format!(
            "changes upload every 15 minutes and appear 5 to 10 minutes later: allow {UPLOAD_DELAY_MINUTES_MAX} minutes"
        ),
    });
    out
}
