//! `diff` as text.

use std::collections::BTreeMap;
use std::fmt;

use super::trimmed;
use crate::devices::DeviceIx;
use crate::diff::Diff;
use crate::engine::Engine;
use crate::features::Feature;
use crate::text::{escape, plural};

impl fmt::Display for Diff<'_> {
    /// The counts, then one line per group of changes: the users who gain (`+`) or lose (`-`)
    /// one feature on the same devices, a group of users named by the Entra group whose
    /// members they are exactly, a set of devices by the collection whose uploaded members
    /// they are exactly, as `tenant-attach diff` prints it.
    ///
    /// ```
    /// use tenant_attach::{Engine, diff, sample};
    /// let old = Engine::from_json(sample::CONTOSO)?;
    /// let mut cleared = old.snapshot().clone();
    /// cleared.hierarchy.attach.enforce_configmgr_rbac = false; // R-M1: Intune-only RBAC
    /// let new = Engine::new(cleared)?;
    /// let text = diff(&old, &new).to_string();
    /// assert!(text.starts_with("800 permissions gained, 4 permissions lost\n"));
    /// assert!(text.contains("\n+ 2 users (bob@contoso.com, erin@contoso.com) gain the right to run Sync Machine Policy on 15 devices"));
    /// assert!(text.contains("\n+ alice@contoso.com gains the right to see CON-SRV-SQL01\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        trimmed(f, &diff_text(self))
    }
}

/// Groups changes by (feature, device set) and names the group of users and the collection of
/// devices when one matches exactly: "3 users of Intune Helpdesk gain the right to run Sync
/// Machine Policy on 120 devices of Servers (PS100010)".
fn diff_text(d: &Diff<'_>) -> String {
    let (old, new) = (d.old(), d.new_engine());
    let (gained, lost) = d.counts();
    let mut out = format!(
        "{} gained, {} lost\n",
        plural(gained, "permission", "permissions"),
        plural(lost, "permission", "permissions")
    );
    for (verbs, is_gain, engine) in [
        (("gains", "gain"), true, new),
        (("loses", "lose"), false, old),
    ] {
        // (feature, devices) → users.
        let mut groups: BTreeMap<(Feature, Vec<u32>), Vec<String>> = BTreeMap::new();
        for e in &d.entries {
            let set = if is_gain { &e.gained } else { &e.lost };
            if set.is_empty() {
                continue;
            }
            let Some(user) = engine
                .find_user(&e.user_id)
                .ok()
                .and_then(|u| engine.user(u))
            else {
                continue;
            };
            let ids: Vec<u32> = set
                .iter()
                .filter_map(|x| engine.device(x).map(|d| d.resource_id))
                .collect();
            groups
                .entry((e.feature, ids))
                .or_default()
                .push(user.upn.clone());
        }
        for ((f, devices), mut users) in groups {
            users.sort();
            // One user gains; a group of users gain.
            let verb = if users.len() == 1 { verbs.0 } else { verbs.1 };
            let who = name_users(engine, &users);
            let who = escape(&who);
            let what = name_devices(engine, &devices);
            let what = escape(&what);
            out.push_str(&format!(
                "{} {who} {verb} {} {what}\n",
                if is_gain { "+" } else { "-" },
                feature_words(f),
            ));
        }
    }
    out
}

fn feature_words(f: Feature) -> String {
    let p = f.phrase();
    match p.strip_suffix(" on").or_else(|| p.strip_suffix(" of")) {
        Some(stem) => format!("the right to {stem} on"),
        None => format!("the right to {p}"),
    }
}

fn name_users(engine: &Engine, upns: &[String]) -> String {
    if let [one] = upns {
        return one.clone();
    }
    // A group whose (nested) user members are exactly these users names them.
    let s = engine.snapshot();
    let wanted: std::collections::BTreeSet<&str> = upns.iter().map(String::as_str).collect();
    for g in &s.entra.groups {
        let mut members = std::collections::BTreeSet::new();
        let mut stack = vec![g.id.as_str()];
        let mut seen = std::collections::BTreeSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            if let Some(grp) = s.entra.groups.iter().find(|x| x.id == id) {
                stack.extend(grp.members.iter().map(String::as_str));
            } else if let Some(u) = s.entra.users.iter().find(|u| u.id == id) {
                members.insert(u.upn.as_str());
            }
        }
        if members == wanted {
            return format!("{} users of {}", upns.len(), g.name);
        }
    }
    format!("{} users ({})", upns.len(), upns.join(", "))
}

fn name_devices(engine: &Engine, resource_ids: &[u32]) -> String {
    let ixs: Vec<DeviceIx> = resource_ids
        .iter()
        .filter_map(|r| engine.device_by_resource_id(*r))
        .collect();
    if let [one] = ixs.as_slice() {
        return engine
            .device(*one)
            .map(|d| d.name.clone())
            .unwrap_or_default();
    }
    // A collection whose uploaded members are exactly these devices names them.
    let uploaded = engine.upload().uploaded();
    let set: std::collections::BTreeSet<DeviceIx> = ixs.iter().copied().collect();
    for c in engine.collections().in_id_order() {
        let m: std::collections::BTreeSet<DeviceIx> = engine
            .collections()
            .members(c)
            .iter()
            .filter(|d| uploaded.contains(*d))
            .collect();
        if m == set {
            let name = engine.collection(c).map_or("", |c| c.name.as_str());
            return format!(
                "{} devices of {name} ({})",
                ixs.len(),
                engine.collections().id(c).unwrap_or_default()
            );
        }
    }
    let names: Vec<String> = ixs
        .iter()
        .take(5)
        .filter_map(|d| engine.device(*d).map(|d| d.name.clone()))
        .collect();
    format!(
        "{} ({}{})",
        plural(ixs.len() as u64, "device", "devices"),
        names.join(", "),
        if ixs.len() > 5 { ", …" } else { "" }
    )
}
