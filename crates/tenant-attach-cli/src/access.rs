//! Rendering of the access commands: `check`, `visible`, `who`, `offboard`.

use serde_json::{Value, json};
use tenant_attach::{Decision, DeviceIx, Engine, Feature, Grant, Reason, UserIx};

use crate::args::Format;
use crate::output::{self, Style, plural};
use crate::render::escape;

/// What a feature lets a person do, as a verb phrase.
pub fn phrase(f: Feature) -> &'static str {
    match f {
        Feature::View => "see",
        Feature::SyncMachinePolicy => "run Sync Machine Policy on",
        Feature::SyncUserPolicy => "run Sync User Policy on",
        Feature::AppEvaluationCycle => "run App Evaluation Cycle on",
        Feature::ClientDetails => "open the client details of",
        Feature::CollectionsView => "list the collections of",
        Feature::ResourceExplorer => "open Resource explorer on",
        Feature::Timeline => "open the timeline of",
        Feature::ScriptsView => "list the scripts of",
        Feature::RunScript => "run a script on",
        Feature::Cmpivot => "run CMPivot on",
        Feature::ApplicationsView => "list the applications of",
        Feature::ApplicationActions => "install or uninstall applications on",
        Feature::SoftwareUpdates => "see the software updates of",
        Feature::BitlockerKeys => "read the BitLocker keys of",
        Feature::EnrollNow => "run Enroll now on",
    }
}

fn upn(engine: &Engine, u: UserIx) -> String {
    engine.user(u).map(|u| u.upn.clone()).unwrap_or_default()
}

fn device_name(engine: &Engine, d: DeviceIx) -> (u32, String) {
    engine
        .device(d)
        .map(|d| (d.resource_id, d.name.clone()))
        .unwrap_or_default()
}

fn reasons_json(reasons: &[Reason]) -> Vec<Value> {
    reasons
        .iter()
        .map(|r| json!({"code": r.code.as_str(), "rule": r.rule, "detail": r.detail}))
        .collect()
}

/// Grants in one order whatever the snapshot's array order: by kind (the evaluation order),
/// then id (a ConfigMgr association's `ADMIN/ROLE/COLLECTION` by admin, collection, role),
/// then detail.
fn sorted(grants: &[Grant]) -> Vec<&Grant> {
    fn key(g: &Grant) -> (tenant_attach::GrantKind, Vec<&str>, &str) {
        let mut parts: Vec<&str> = g.id.split('/').collect();
        if let [_, role, collection] = parts.as_mut_slice() {
            std::mem::swap(role, collection);
        }
        (g.kind, parts, &g.detail)
    }
    let mut v: Vec<&Grant> = grants.iter().collect();
    v.sort_by(|a, b| key(a).cmp(&key(b)));
    v
}

fn grants_json(grants: &[Grant]) -> Vec<Value> {
    sorted(grants)
        .into_iter()
        .map(|g| json!({"kind": g.kind, "id": g.id, "detail": g.detail}))
        .collect()
}

pub fn decision_json(engine: &Engine, decision: &Decision) -> Value {
    let user = engine.find_user(&decision.user).ok();
    let (resource_id, name) = device_name(engine, decision.device_ix);
    json!({
        "user": user.map(|u| upn(engine, u)).unwrap_or_default(),
        "user_id": decision.user,
        "device": name,
        "resource_id": resource_id,
        "feature": decision.feature.as_str(),
        "mode": decision.mode.as_str(),
        "allowed": decision.allowed,
        "reasons": reasons_json(&decision.reasons),
        "grants": grants_json(&decision.grants),
        "not_evaluated": decision.not_evaluated,
        "policy": decision.policy,
    })
}

/// "alice@contoso.com can't run Sync Machine Policy on CON-SRV-DC01: …"
pub fn decision_text(engine: &Engine, decision: &Decision, style: &Style) -> String {
    let who = engine
        .find_user(&decision.user)
        .map(|u| upn(engine, u))
        .unwrap_or_default();
    let who = escape(&who);
    let (_, dev) = device_name(engine, decision.device_ix);
    let dev = escape(&dev);
    let what = phrase(decision.feature);
    let mut out = String::new();
    if decision.allowed {
        out.push_str(&format!(
            "{} {who} can {what} {dev} ({} mode).\n",
            style.green("ALLOWED"),
            decision.mode.as_str()
        ));
        for g in sorted(&decision.grants) {
            out.push_str(&format!(
                "  granted by {}: {}\n",
                g.kind_label(),
                escape(&g.detail)
            ));
        }
    } else {
        let first = decision
            .reasons
            .first()
            .map(|r| format!("{} ({})", escape(&r.detail), r.rule))
            .unwrap_or_default();
        out.push_str(&format!(
            "{} {who} can't {what} {dev}: {first}.\n",
            style.red("DENIED")
        ));
        if decision.reasons.len() > 1 {
            out.push_str(&format!(
                "Every failed condition ({} mode), in evaluation order:\n",
                decision.mode.as_str()
            ));
            for r in &decision.reasons {
                out.push_str(&format!(
                    "  {} [{}] {}\n",
                    r.code,
                    r.rule,
                    escape(&r.detail)
                ));
            }
        } else {
            out.push_str(&format!(
                "  {} [{}] ({} mode)\n",
                decision
                    .reasons
                    .first()
                    .map(|r| r.code.as_str())
                    .unwrap_or(""),
                decision.reasons.first().map(|r| r.rule).unwrap_or(""),
                decision.mode.as_str()
            ));
        }
    }
    if !decision.policy.is_empty() {
        let knobs: Vec<String> = decision
            .policy
            .iter()
            .map(|(k, v)| format!("{}={}", escape(k), escape(&v.to_string())))
            .collect();
        out.push_str(&style.dim(&format!("Policy knobs used: {}\n", knobs.join(", "))));
    }
    out
}

trait KindLabel {
    fn kind_label(&self) -> &'static str;
}

impl KindLabel for Grant {
    fn kind_label(&self) -> &'static str {
        match self.kind {
            tenant_attach::GrantKind::Upload => "upload",
            tenant_attach::GrantKind::DirectoryRole => "directory role",
            tenant_attach::GrantKind::IntuneAssignment => "Intune",
            tenant_attach::GrantKind::ConfigmgrAssociation
            | tenant_attach::GrantKind::ConfigmgrClass
            | tenant_attach::GrantKind::ConfigmgrScript => "ConfigMgr",
        }
    }
}

pub fn check(engine: &Engine, decision: &Decision, style: &Style) -> String {
    match style.format {
        Format::Json => output::json(&decision_json(engine, decision)),
        Format::Text | Format::Dot | Format::Svg => decision_text(engine, decision, style),
    }
}

pub fn visible(engine: &Engine, u: UserIx, f: Feature, style: &Style) -> String {
    let set = engine.visible(u, f);
    let devices: Vec<(u32, String)> = set.iter().map(|d| device_name(engine, d)).collect();
    match style.format {
        Format::Json => output::json(&json!({
            "user": upn(engine, u),
            "feature": f.as_str(),
            "mode": engine.mode().as_str(),
            "devices": devices.iter().map(|(id, name)| json!({"resource_id": id, "name": name})).collect::<Vec<_>>(),
        })),
        Format::Text | Format::Dot | Format::Svg => {
            let mut out = format!(
                "{} can {} {} ({} mode):\n",
                escape(&upn(engine, u)),
                phrase(f),
                plural(devices.len() as u64, "device", "devices"),
                engine.mode().as_str()
            );
            let rows: Vec<Vec<String>> = devices
                .iter()
                .map(|(id, name)| vec![id.to_string(), name.clone()])
                .collect();
            if !rows.is_empty() {
                out.push_str(&output::table(&["RESOURCE ID", "NAME"], &rows));
            }
            out
        }
    }
}

pub fn who(engine: &Engine, d: DeviceIx, f: Feature, style: &Style) -> String {
    let users = engine.who(d, f);
    let (_, dev) = device_name(engine, d);
    let list: Vec<(String, String)> = users
        .iter()
        .filter_map(|u| engine.user(*u))
        .map(|u| (u.id.clone(), u.upn.clone()))
        .collect();
    match style.format {
        Format::Json => output::json(&json!({
            "device": dev,
            "feature": f.as_str(),
            "mode": engine.mode().as_str(),
            "users": list.iter().map(|(id, upn)| json!({"id": id, "upn": upn})).collect::<Vec<_>>(),
        })),
        Format::Text | Format::Dot | Format::Svg => {
            let mut out = format!(
                "{} can {} {} ({} mode):\n",
                plural(list.len() as u64, "user", "users"),
                phrase(f),
                escape(&dev),
                engine.mode().as_str()
            );
            for (_, upn) in &list {
                out.push_str(&format!("  {}\n", escape(upn)));
            }
            out
        }
    }
}

pub fn offboard(engine: &Engine, u: UserIx, style: &Style) -> String {
    let o = engine.offboard(u);
    match style.format {
        Format::Json => output::json(&json!({
            "user": upn(engine, u),
            "allowed": o.allowed,
            "reasons": reasons_json(&o.reasons),
            "grants": grants_json(&o.grants),
            "eta_minutes_max": o.eta_minutes_max,
            "reonboard_wait_minutes": o.reonboard_wait_minutes,
        })),
        Format::Text | Format::Dot | Format::Svg => {
            let mut out = if o.allowed {
                format!(
                    "{} {} can offboard this hierarchy from the Intune admin center (R-H4).\n",
                    style.green("ALLOWED"),
                    escape(&upn(engine, u))
                )
            } else {
                format!(
                    "{} {} can't offboard this hierarchy from the Intune admin center.\n",
                    style.red("DENIED"),
                    escape(&upn(engine, u))
                )
            };
            for r in &o.reasons {
                out.push_str(&format!(
                    "  {} [{}] {}\n",
                    r.code,
                    r.rule,
                    escape(&r.detail)
                ));
            }
            for g in sorted(&o.grants) {
                out.push_str(&format!(
                    "  granted by {}: {}\n",
                    g.kind_label(),
                    escape(&g.detail)
                ));
            }
            out.push_str(&format!(
                "Offboarding takes up to {} minutes; onboarding again needs a wait of at least {} minutes (R-H4).\n",
                o.eta_minutes_max, o.reonboard_wait_minutes
            ));
            out
        }
    }
}
