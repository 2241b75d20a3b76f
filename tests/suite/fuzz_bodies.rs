//! The bodies of the fuzz targets, shared by `fuzz/` (through `#[path]`) and by the replay
//! test, so a committed regression runs the very code the fuzzer ran.

use tenant_attach::{Engine, Feature};

/// Arbitrary bytes → load + validate + upload: never a panic, and `Engine` refuses exactly
/// what validation calls an input error.
pub fn load_validate_upload(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let diags = tenant_attach::validate_json(text);
    match Engine::from_json(text) {
        Ok(engine) => {
            assert!(!diags.has_input_errors());
            for d in engine.device_ixs() {
                let _ = engine.upload().via(d);
            }
            if let Some(c) = engine.collections().in_id_order().next() {
                let _ = engine
                    .collections()
                    .dependents(c, &tenant_attach::snapshot::ChildRelation::all());
            }
        }
        Err(_) => assert!(diags.has_input_errors()),
    }
}

/// (selector bytes, snapshot bytes) → one decision: never a panic; the fast path, the
/// explanation, `visible` and `who` agree.
pub fn decide(data: &[u8]) {
    let [u, d, f, rest @ ..] = data else { return };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let Ok(engine) = Engine::from_json(text) else {
        return;
    };
    let users = engine.users();
    let (Some(user), Some(device)) = (
        users.get(*u as usize % users.len().max(1)).copied(),
        engine
            .device_ixs()
            .nth(*d as usize % engine.device_count().max(1)),
    ) else {
        return;
    };
    let feature = Feature::ALL[*f as usize % Feature::ALL.len()];
    let decision = engine.check(user, device, feature);
    assert_eq!(decision.allowed, engine.allows(user, device, feature));
    assert_eq!(
        decision.allowed,
        engine.visible(user, feature).contains(device)
    );
    assert_eq!(
        decision.allowed,
        engine.who(device, feature).contains(&user)
    );
    assert_eq!(decision.allowed, decision.reasons.is_empty());
}

/// The export names the importer reads, in a fixed order (the first input byte picks one).
pub const EXPORTS: &[(bool, &str)] = &[
    (false, "SMS_R_System"),
    (false, "SMS_Collection"),
    (false, "SMS_FullCollectionMembership"),
    (false, "SMS_R_User"),
    (false, "SMS_Admin"),
    (false, "SMS_Role"),
    (false, "SMS_Operation"),
    (true, "roleDefinitions"),
    (true, "roleAssignments"),
    (true, "roleScopeTags"),
    (true, "users"),
    (true, "groups"),
    (true, "directoryRoles"),
    (true, "tenantAttachRBAC"),
    (true, "managedDevices"),
];

/// (export selector, file bytes) → the importer with that one file, every other export empty
/// and minimal settings: never a panic; an accepted import is a valid snapshot.
pub fn import_file(data: &[u8]) {
    use tenant_attach_import::{Inputs, Source, import};
    let [selector, rest @ ..] = data else { return };
    let (graph, name) = EXPORTS[*selector as usize % EXPORTS.len()];
    let empty = |n: &str| Source::text(format!("{n}.json"), r#"{"value":[]}"#);
    let mut inputs = Inputs {
        configmgr: EXPORTS
            .iter()
            .filter(|(g, _)| !g)
            .map(|(_, n)| empty(n))
            .collect(),
        graph: EXPORTS
            .iter()
            .filter(|(g, _)| *g)
            .map(|(_, n)| empty(n))
            .collect(),
        settings: Source::text(
            "settings.json",
            r#"{"hierarchy":{"site_code":"PS1","version":2403,"cloud":"public","attach":{"state":"attached","upload":{"all_devices":true}}}}"#,
        ),
    };
    let files = if graph {
        &mut inputs.graph
    } else {
        &mut inputs.configmgr
    };
    if let Some(f) = files.iter_mut().find(|f| f.name == format!("{name}.json")) {
        *f = Source::bytes(f.name.clone(), rest.to_vec());
    }
    if let Ok(imported) = import(&inputs) {
        assert!(!tenant_attach::validate(&imported.snapshot).has_input_errors());
    }
}
