//! Findings: settings that quietly expose or hide devices, each with a stable id, a severity,
//! the rule behind it and the objects involved.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::decision::{Mode, ReasonCode};
use crate::engine::Engine;
use crate::features::{Feature, MANAGED_DEVICES_READ};
use crate::snapshot::{DEFAULT_SCOPE_TAG, UntaggedAssignment};

/// The built-in Help Desk Operator role definition id.
pub const HELP_DESK_OPERATOR_ID: &str = "9e0cc482-82df-4ab2-a24c-0c23a3f52e1e";

/// Finding id `helpdesk_sees_servers` (see the README's table of findings).
pub const HELPDESK_SEES_SERVERS: &str = "helpdesk_sees_servers";
/// Finding id `cloud_only_intune_admins` (see the README's table of findings).
pub const CLOUD_ONLY_INTUNE_ADMINS: &str = "cloud_only_intune_admins";
/// Finding id `undiscovered_admins` (see the README's table of findings).
pub const UNDISCOVERED_ADMINS: &str = "undiscovered_admins";
/// Finding id `half_configured_access` (see the README's table of findings).
pub const HALF_CONFIGURED_ACCESS: &str = "half_configured_access";
/// Finding id `attached_without_default` (see the README's table of findings).
pub const ATTACHED_WITHOUT_DEFAULT: &str = "attached_without_default";
/// Finding id `assignment_without_default` (see the README's table of findings).
pub const ASSIGNMENT_WITHOUT_DEFAULT: &str = "assignment_without_default";
/// Finding id `upload_children_outside` (see the README's table of findings).
pub const UPLOAD_CHILDREN_OUTSIDE: &str = "upload_children_outside";
/// Finding id `gain_if_enforce_cleared` (see the README's table of findings).
pub const GAIN_IF_ENFORCE_CLEARED: &str = "gain_if_enforce_cleared";
/// Finding id `knob_dependent_access` (see the README's table of findings).
pub const KNOB_DEPENDENT_ACCESS: &str = "knob_dependent_access";

/// Finding id `unlicensed_admins` (see the README's table of findings).
pub const UNLICENSED_ADMINS: &str = "unlicensed_admins";

/// Finding id `inferred_associations` (see the README's table of findings).
pub const INFERRED_ASSOCIATIONS: &str = "inferred_associations";

/// Every finding id, in the order the checks run.
pub const FINDING_IDS: &[&str] = &[
    HELPDESK_SEES_SERVERS,
    CLOUD_ONLY_INTUNE_ADMINS,
    UNDISCOVERED_ADMINS,
    UNLICENSED_ADMINS,
    INFERRED_ASSOCIATIONS,
    HALF_CONFIGURED_ACCESS,
    ATTACHED_WITHOUT_DEFAULT,
    ASSIGNMENT_WITHOUT_DEFAULT,
    UPLOAD_CHILDREN_OUTSIDE,
    GAIN_IF_ENFORCE_CLEARED,
    KNOB_DEPENDENT_ACCESS,
];

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FindingSeverity {
    /// Worth knowing.
    Info,
    /// Probably not what was meant: devices exposed or hidden.
    Warning,
}

impl FindingSeverity {
    /// `info` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingSeverity::Info => "info",
            FindingSeverity::Warning => "warning",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// The stable id, e.g. `helpdesk_sees_servers`.
    pub id: &'static str,
    /// What was found, in words.
    pub message: String,
    /// The objects involved: assignment names, UPNs, device names, collection ids.
    pub objects: Vec<String>,
    /// The rule behind it.
    pub rule: &'static str,
    /// How much it matters.
    pub severity: FindingSeverity,
}

/// Every finding on the engine's snapshot, in a fixed order of checks, except the
/// `knob_dependent_access` ones ([`knob_findings`]: they cost a [`crate::sensitivity()`] run).
/// The order is a function of the snapshot's content, not of its array order: within a kind,
/// by message, then objects; each finding's `objects` sorted by name.
///
/// ```
/// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
/// let ids: Vec<&str> = tenant_attach::findings(&engine).iter().map(|f| f.id).collect();
/// assert!(ids.contains(&"helpdesk_sees_servers")); // R-S3
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn findings(engine: &Engine) -> Vec<Finding> {
    let mut out = Vec::new();
    helpdesk_sees_servers(engine, &mut out);
    cloud_only_intune_admins(engine, &mut out);
    undiscovered_admins(engine, &mut out);
    unlicensed_admins(engine, &mut out);
    inferred_associations(engine, &mut out);
    half_configured_access(engine, &mut out);
    attached_without_default(engine, &mut out);
    assignment_without_default(engine, &mut out);
    upload_children_outside(engine, &mut out);
    gain_if_enforce_cleared(engine, &mut out);
    canonical(out)
}

/// Findings in an order that is a function of the snapshot's content, not of its array order:
/// the kinds keep the order they are produced in; within a kind, by message, then objects; each
/// finding's `objects` by name.
pub(crate) fn canonical(mut found: Vec<Finding>) -> Vec<Finding> {
    for f in &mut found {
        f.objects.sort();
    }
    // A stable sort on the position of each kind's first finding keeps the kinds in order.
    let mut first: Vec<&'static str> = Vec::new();
    for f in &found {
        if !first.contains(&f.id) {
            first.push(f.id);
        }
    }
    let rank = |id: &str| first.iter().position(|x| *x == id).unwrap_or(usize::MAX);
    found.sort_by(|a, b| {
        (rank(a.id), &a.message, &a.objects).cmp(&(rank(b.id), &b.message, &b.objects))
    });
    found
}

/// Answers that rest on a reading: one `knob_dependent_access` finding per policy knob whose
/// other values would change some decision (rulebook 2; `tenant-attach sensitivity` gives the
/// detail). Runs [`crate::sensitivity()`]: one what-if access index per knob value that can
/// matter, so on a large hierarchy it costs several loads' worth; `report` adds these findings
/// only when asked (`--sensitivity`).
///
/// ```
/// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
/// let found = tenant_attach::knob_findings(&engine);
/// assert!(found.iter().any(|f| f.objects.contains(&"knob:discovery_required".to_owned())));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn knob_findings(engine: &Engine) -> Vec<Finding> {
    knob_findings_from(&crate::sensitivity::sensitivity(engine, None))
}

/// [`knob_findings`] from a [`crate::sensitivity()`] run already made (the HTML report shows
/// the run and its findings without paying for it twice).
///
/// ```
/// use tenant_attach::{Engine, knob_findings, sample, sensitivity::sensitivity};
/// let engine = Engine::from_json(sample::CONTOSO)?;
/// let run = sensitivity(&engine, None);
/// assert_eq!(tenant_attach::findings::knob_findings_from(&run), knob_findings(&engine));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn knob_findings_from(run: &crate::sensitivity::Sensitivity) -> Vec<Finding> {
    let mut out = Vec::new();
    knob_dependent_access(run, &mut out);
    canonical(out)
}

fn knob_dependent_access(run: &crate::sensitivity::Sensitivity, out: &mut Vec<Finding>) {
    let value = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    for k in &run.knobs {
        if !k.matters() {
            continue;
        }
        let effects: Vec<String> = k
            .alternatives
            .iter()
            .filter(|a| a.gained + a.lost > 0)
            .map(|a| {
                format!(
                    "`{}` would grant {} and deny {} decision(s) of {} user(s) on {} device(s)",
                    value(&a.value),
                    a.gained,
                    a.lost,
                    a.users,
                    a.devices
                )
            })
            .collect();
        let mut objects = vec![format!("knob:{}", k.knob)];
        for a in &k.alternatives {
            for e in &a.examples {
                let user = format!("user:{}", e.user);
                if !objects.contains(&user) {
                    objects.push(user);
                }
            }
        }
        out.push(Finding {
            id: KNOB_DEPENDENT_ACCESS,
            severity: FindingSeverity::Info,
            rule: k.rule,
            message: format!(
                "answers rest on the reading `{}` = `{}`: {} (see `tenant-attach sensitivity --knob {}`)",
                k.knob,
                value(&k.current),
                effects.join("; "),
                k.knob
            ),
            objects,
        });
    }
}

/// Whether an assignment's tags reach the Default tag (R-I5 with the untagged knob).
fn reaches_default(engine: &Engine, tags: &[String]) -> bool {
    if tags.is_empty() {
        // Both knob values reach Default: `all_tags` reaches everything, `default_tag` is Default.
        matches!(
            engine.snapshot().policy.untagged_assignment,
            UntaggedAssignment::AllTags | UntaggedAssignment::DefaultTag
        )
    } else {
        tags.iter().any(|t| t == DEFAULT_SCOPE_TAG)
    }
}

/// R-S3: the documentation's own example of what to avoid: a Help Desk Operator assignment
/// that reaches uploaded, tenant-attached servers through the Default tag.
fn helpdesk_sees_servers(engine: &Engine, out: &mut Vec<Finding>) {
    let s = engine.snapshot();
    // The assignments first: without one, no device needs looking at.
    let help_desk: Vec<&crate::snapshot::RoleAssignment> = s
        .intune
        .role_assignments
        .iter()
        .filter(|a| {
            s.intune
                .role_definitions
                .iter()
                .find(|d| d.id == a.role)
                .is_some_and(|def| {
                    (def.id == HELP_DESK_OPERATOR_ID || def.name == "Help Desk Operator")
                        && def.permissions.iter().any(|p| p == MANAGED_DEVICES_READ)
                })
                && reaches_default(engine, &a.scope_tags)
        })
        .collect();
    if help_desk.is_empty() {
        return;
    }
    let servers: Vec<String> = engine
        .upload()
        .uploaded()
        .iter()
        .filter_map(|d| engine.device(d))
        // The caption first: most devices are not servers, and their tags are not read.
        .filter(|d| {
            d.os.as_deref().is_some_and(names_a_server)
                && !d.co_managed
                && d.scope_tags.iter().any(|t| t == DEFAULT_SCOPE_TAG)
        })
        .map(|d| d.name.clone())
        .collect();
    if servers.is_empty() {
        return;
    }
    for a in help_desk {
        let mut objects = vec![format!("assignment:{}", a.name)];
        objects.extend(servers.iter().map(|n| format!("device:{n}")));
        out.push(Finding {
            id: HELPDESK_SEES_SERVERS,
            severity: FindingSeverity::Warning,
            rule: "R-S3",
            message: format!(
                "Help Desk Operator assignment `{}` reaches {} uploaded server(s) through the Default scope tag; remove Default from the assignment (or scope it to a tag the servers lack) to hide them",
                a.name,
                servers.len()
            ),
            objects,
        });
    }
}

/// Whether an OS caption contains "server" in any case (without allocating: every uploaded
/// device's caption is read). No non-ASCII character lowercases to one of its letters, so
/// an ASCII comparison is the same test as lowercasing first.
fn names_a_server(os: &str) -> bool {
    const SERVER: &[u8] = b"server";
    // `c | 0x20` is `s` for `s` and `S` only: the whole word is compared only where it can start.
    os.as_bytes()
        .windows(SERVER.len())
        .any(|w| w.first().is_some_and(|c| c | 0x20 == b's') && w.eq_ignore_ascii_case(SERVER))
}

/// Users holding Intune roles whose ConfigMgr side stops at `reason` for at least one feature
/// (R-G2 depends on the feature).
fn intune_admins_blocked(engine: &Engine, reason: ReasonCode) -> Vec<String> {
    engine
        .users()
        .iter()
        .filter(|u| !engine.assignments_of(**u).is_empty())
        .filter(|u| {
            Feature::ALL
                .iter()
                .any(|f| engine.configmgr_block(**u, *f) == Some(reason))
        })
        .filter_map(|u| engine.user(*u).map(|u| format!("user:{}", u.upn)))
        .collect()
}

/// R-G1: cloud-only users with Intune roles while ConfigMgr RBAC is enforced see nothing.
fn cloud_only_intune_admins(engine: &Engine, out: &mut Vec<Finding>) {
    let users = intune_admins_blocked(engine, ReasonCode::CloudOnlyAccount);
    if !users.is_empty() {
        out.push(Finding {
            id: CLOUD_ONLY_INTUNE_ADMINS,
            severity: FindingSeverity::Warning,
            rule: "R-G1",
            message: format!(
                "{} cloud-only user(s) hold Intune roles while ConfigMgr RBAC is enforced: they see no tenant-attached device",
                users.len()
            ),
            objects: users,
        });
    }
}

/// R-G2: hybrid users with Intune roles that ConfigMgr user discovery has not found.
fn undiscovered_admins(engine: &Engine, out: &mut Vec<Finding>) {
    let users = intune_admins_blocked(engine, ReasonCode::NotDiscovered);
    if !users.is_empty() {
        out.push(Finding {
            id: UNDISCOVERED_ADMINS,
            severity: FindingSeverity::Warning,
            rule: "R-G2",
            message: format!(
                "{} user(s) hold Intune roles but are not discovered as ConfigMgr needs for some features (R-G2 by feature and version): those features are denied on every device",
                users.len()
            ),
            objects: users,
        });
    }
}

/// R-I8: administrators whose Intune role assignments do not apply for lack of a licence:
/// none apply (the tenant does not allow unlicensed admins), or those reached through nested
/// groups do not (it does). One finding per case, with the fix.
fn unlicensed_admins(engine: &Engine, out: &mut Vec<Finding>) {
    let s = engine.snapshot();
    let mut refused: Vec<String> = Vec::new();
    let mut nested: Vec<String> = Vec::new();
    let mut nested_assignments: Vec<String> = Vec::new();
    for u in engine.users() {
        let (Some((code, lost)), Some(user)) = (engine.licence_block(*u), engine.user(*u)) else {
            continue;
        };
        if code == ReasonCode::NoIntuneLicense {
            refused.push(format!("user:{}", user.upn));
        } else {
            nested.push(format!("user:{}", user.upn));
            for a in lost
                .iter()
                .filter_map(|p| s.intune.role_assignments.get(*p))
            {
                let name = format!("assignment:{}", a.name);
                if !nested_assignments.contains(&name) {
                    nested_assignments.push(name);
                }
            }
        }
    }
    if !refused.is_empty() {
        out.push(Finding {
            id: UNLICENSED_ADMINS,
            severity: FindingSeverity::Warning,
            rule: "R-I8",
            message: format!(
                "{} user(s) are members of Intune role assignments but hold no Intune licence, and the tenant does not allow unlicensed admins: none of their assignments apply; assign them an Intune licence (or allow unlicensed admins and make them direct members)",
                refused.len()
            ),
            objects: refused,
        });
    }
    if !nested.is_empty() {
        let count = nested.len();
        nested.extend(nested_assignments);
        out.push(Finding {
            id: UNLICENSED_ADMINS,
            severity: FindingSeverity::Warning,
            rule: "R-I8",
            message: format!(
                "{count} unlicensed user(s) reach Intune role assignments only through nested groups, which do not apply to unlicensed admins: add them directly to the assignment's group, or assign them an Intune licence"
            ),
            objects: nested,
        });
    }
}

/// R-G4 (issue 18): administrative users whose associations the importer inferred from a list
/// call: every answer on their collections rests on that reading.
fn inferred_associations(engine: &Engine, out: &mut Vec<Finding>) {
    if engine.mode() != Mode::Combined {
        return;
    }
    let admins: Vec<String> = engine
        .snapshot()
        .configmgr
        .admins
        .iter()
        .filter(|a| a.associations_inferred)
        .map(|a| format!("admin:{}", a.account))
        .collect();
    if !admins.is_empty() {
        out.push(Finding {
            id: INFERRED_ASSOCIATIONS,
            severity: FindingSeverity::Warning,
            rule: "R-G4",
            message: format!(
                "{} ConfigMgr administrative user(s) have associations the importer inferred from a list call (every role paired with every collection), which may grant more than the site does: export each SMS_Admin by key and import again",
                admins.len()
            ),
            objects: admins,
        });
    }
}

/// R-F1: an Intune role grants the device actions that the user's ConfigMgr roles never allow,
/// or the reverse.
fn half_configured_access(engine: &Engine, out: &mut Vec<Finding>) {
    if engine.mode() != Mode::Combined {
        return;
    }
    let f = Feature::SyncMachinePolicy;
    let mut intune_only = Vec::new();
    let mut configmgr_only = Vec::new();
    for u in engine.users() {
        let Some(cm) = engine.configmgr_grants_somewhere(*u, f) else {
            continue;
        };
        let intune = engine.intune_holds(*u, f);
        let Some(user) = engine.user(*u) else {
            continue;
        };
        if intune && !cm {
            intune_only.push(format!("user:{}", user.upn));
        } else if cm && !intune {
            configmgr_only.push(format!("user:{}", user.upn));
        }
    }
    if !intune_only.is_empty() {
        out.push(Finding {
            id: HALF_CONFIGURED_ACCESS,
            severity: FindingSeverity::Info,
            rule: "R-F1",
            message: format!(
                "{} user(s) hold the Intune permission for the device actions (Sync Machine Policy, Sync User Policy, App Evaluation Cycle) but no ConfigMgr role allows them (read and notify_resource) on any collection",
                intune_only.len()
            ),
            objects: intune_only,
        });
    }
    if !configmgr_only.is_empty() {
        out.push(Finding {
            id: HALF_CONFIGURED_ACCESS,
            severity: FindingSeverity::Info,
            rule: "R-F1",
            message: format!(
                "{} user(s) may run the device actions in ConfigMgr but lack the Intune permission RemoteTasks_ConfigurationManagerAction",
                configmgr_only.len()
            ),
            objects: configmgr_only,
        });
    }
}

/// R-S2: uploaded tenant-attached devices whose Default tag was removed are invisible.
fn attached_without_default(engine: &Engine, out: &mut Vec<Finding>) {
    let devices: Vec<String> = engine
        .upload()
        .uploaded()
        .iter()
        .filter_map(|d| engine.device(d))
        .filter(|d| !d.co_managed && d.scope_tags.is_empty())
        .map(|d| format!("device:{}", d.name))
        .collect();
    if !devices.is_empty() {
        out.push(Finding {
            id: ATTACHED_WITHOUT_DEFAULT,
            severity: FindingSeverity::Warning,
            rule: "R-S2",
            message: format!(
                "{} uploaded tenant-attached device(s) lost the Default scope tag: nobody sees them, Global Administrators included",
                devices.len()
            ),
            objects: devices,
        });
    }
}

/// R-S3: assignments without Default never see a tenant-attached device.
fn assignment_without_default(engine: &Engine, out: &mut Vec<Finding>) {
    let s = engine.snapshot();
    let ignored = engine.mode() == Mode::IntuneOnly && s.policy.intune_only_ignores_scope_tags;
    if ignored {
        return;
    }
    let names: Vec<String> = s
        .intune
        .role_assignments
        .iter()
        .filter(|a| !reaches_default(engine, &a.scope_tags))
        .map(|a| format!("assignment:{}", a.name))
        .collect();
    if !names.is_empty() {
        out.push(Finding {
            id: ASSIGNMENT_WITHOUT_DEFAULT,
            severity: FindingSeverity::Info,
            rule: "R-S3",
            message: format!(
                "{} role assignment(s) lack the Default scope tag: they can never see a tenant-attached device (only co-managed ones with their tags)",
                names.len()
            ),
            objects: names,
        });
    }
}

/// R-U4: child collections of the upload collection pull in devices outside it.
fn upload_children_outside(engine: &Engine, out: &mut Vec<Finding>) {
    let upload = engine.upload();
    if upload.is_all_devices() {
        return;
    }
    let mut objects = Vec::new();
    let mut via_children = std::collections::BTreeSet::new();
    for d in upload.uploaded().iter() {
        let via = upload.via(d);
        if via.len() > 1 {
            if let Some(c) = via.last() {
                via_children.insert(engine.collections().id(*c).unwrap_or_default().to_owned());
            }
            if let Some(dev) = engine.device(d) {
                objects.push(format!("device:{}", dev.name));
            }
        }
    }
    if objects.is_empty() {
        return;
    }
    let count = objects.len();
    let selected = upload
        .collections()
        .next()
        .and_then(|c| engine.collections().id(c))
        .map(str::to_owned)
        .unwrap_or_default();
    let mut all = vec![format!("collection:{selected}")];
    all.extend(via_children.iter().map(|c| format!("collection:{c}")));
    all.extend(objects);
    out.push(Finding {
        id: UPLOAD_CHILDREN_OUTSIDE,
        severity: FindingSeverity::Warning,
        rule: "R-U4",
        message: format!(
            "child collections of upload collection `{selected}` ({}) pull in {count} device(s) that are not members of it (child collections are uploaded too)",
            via_children.iter().cloned().collect::<Vec<_>>().join(", ")
        ),
        objects: all,
    });
}

/// R-M1: users who would gain access if *Enforce Configuration Manager RBAC* were cleared.
fn gain_if_enforce_cleared(engine: &Engine, out: &mut Vec<Finding>) {
    let s = engine.snapshot();
    if engine.mode() != Mode::Combined
        || s.hierarchy.version < crate::access::mode::INTUNE_ONLY_SINCE
        || !s.tenant.use_intune_rbac
    {
        return; // clearing the box alone would not change the mode
    }
    // The what-if engine shares the indexes (and the handles) with this one.
    let other = engine.with_enforce(false);
    // Users of one class decide alike in each engine: one comparison per pair of classes.
    let (before_classes, after_classes) = (engine.user_classes(), other.user_classes());
    let mut gained_by_class: HashMap<(Option<u32>, Option<u32>), u64> = HashMap::new();
    let mut objects = Vec::new();
    for u in engine.users() {
        let at = u.index() as usize;
        let key = (
            before_classes.get(at).copied(),
            after_classes.get(at).copied(),
        );
        let gained = *gained_by_class.entry(key).or_insert_with(|| {
            let before = engine.visible(*u, Feature::View);
            let after = other.visible(*u, Feature::View);
            // Same devices, same numbering: compare the bitmaps.
            after.bits.difference_len(&before.bits)
        });
        if gained > 0
            && let Some(user) = engine.user(*u)
        {
            objects.push(format!("user:{} (+{gained} devices)", user.upn));
        }
    }
    if !objects.is_empty() {
        out.push(Finding {
            id: GAIN_IF_ENFORCE_CLEARED,
            severity: FindingSeverity::Info,
            rule: "R-M1",
            message: format!(
                "clearing *Enforce Configuration Manager RBAC* would switch to Intune RBAC only: {} user(s) would see more devices",
                objects.len()
            ),
            objects,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::names_a_server;

    #[test]
    fn a_server_caption_is_found_in_any_case_as_lowercasing_would() {
        for (os, server) in [
            ("Microsoft Windows Server 2022 Datacenter", true),
            ("WINDOWS SERVER 2019", true),
            ("sErVeR", true),
            ("Microsoft Windows 11 Enterprise", false),
            ("Serve", false),
            ("", false),
            ("Śerver", false),
            ("Windows Sérver", false),
        ] {
            assert_eq!(names_a_server(os), server, "{os}");
            assert_eq!(os.to_lowercase().contains("server"), server, "{os}");
        }
    }
}
