//! Issue 18 (importer half): nothing lost or guessed silently. Each test breaks the committed
//! Contoso bundle in one way and checks that the import says so: an error naming the file, the
//! place and the field, or (where a real export has it) a documented choice with a warning.
//! Listed in docs/reliability.md, "Session 5: importer".

use serde_json::{Value, json};
use tenant_attach::{Engine, Feature};
use tenant_attach_import::{ImportError, Imported, Inputs, Options, Source, import, import_with};

use crate::import::bundle;

fn contoso() -> Inputs {
    bundle("contoso")
}

fn errors(inputs: &Inputs) -> Vec<String> {
    match import(inputs) {
        Ok(_) => panic!("the broken bundle was accepted"),
        Err(e) => e.iter().map(ImportError::to_string).collect(),
    }
}

fn imported(inputs: &Inputs) -> Imported {
    import(inputs).unwrap_or_else(|e| {
        panic!(
            "{}",
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

fn side<'a>(inputs: &'a mut Inputs, name: &str) -> &'a mut Vec<Source> {
    if inputs.configmgr.iter().any(|s| s.name == name) {
        &mut inputs.configmgr
    } else {
        &mut inputs.graph
    }
}

/// Edits one file's JSON in place.
fn edit(inputs: &mut Inputs, name: &str, f: impl FnOnce(&mut Value)) {
    let files = side(inputs, name);
    let s = files
        .iter_mut()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no {name}"));
    let mut v: Value = serde_json::from_str(&s.decode().unwrap()).unwrap();
    f(&mut v);
    *s = Source::text(name, serde_json::to_string_pretty(&v).unwrap());
}

/// Edits one file's text in place.
fn edit_text(inputs: &mut Inputs, name: &str, f: impl FnOnce(&str) -> String) {
    let files = side(inputs, name);
    let s = files.iter_mut().find(|s| s.name == name).unwrap();
    *s = Source::text(name, f(&s.decode().unwrap()));
}

/// A file's records: a bare array, or an envelope's `value`.
fn records(v: &mut Value) -> &mut Vec<Value> {
    if v.is_array() {
        v.as_array_mut().unwrap()
    } else {
        v["value"].as_array_mut().unwrap()
    }
}

fn contains(errors: &[String], what: &[&str]) -> bool {
    errors.iter().any(|e| what.iter().all(|w| e.contains(w)))
}

/// `roleAssignments.2.json` without `.1`: the import used to succeed with half the data.
#[test]
fn pages_start_at_one() {
    let mut inputs = contoso();
    inputs.graph.retain(|s| s.name != "roleAssignments.1.json");
    let e = errors(&inputs);
    assert!(
        contains(
            &e,
            &[
                "roleAssignments.2.json: (file)",
                "the pages start at 2: `roleAssignments.1.json` is missing"
            ]
        ),
        "{e:#?}"
    );
}

/// Pages numbered 4294967295 used to panic (add with overflow); two files for one page, and a
/// whole file beside pages, are errors.
#[test]
fn page_numbers_do_not_overflow_and_a_page_is_one_file() {
    let mut inputs = contoso();
    let page = |n: &str| Source::text(n, r#"{"value":[],"@odata.nextLink":"https://graph/next"}"#);
    inputs.graph.retain(|s| !s.name.starts_with("users."));
    inputs
        .graph
        .extend([page("users.4294967295.json"), page("USERS.4294967295.json")]);
    let e = errors(&inputs);
    assert!(
        contains(
            &e,
            &[
                "the pages start at 4294967295: `users.1.json` to `users.4294967294.json` are missing"
            ]
        ),
        "{e:#?}"
    );
    assert!(
        contains(&e, &["are both page 4294967295 of users"]),
        "{e:#?}"
    );
    assert!(
        contains(&e, &["save it as `users.4294967296.json`"]),
        "{e:#?}"
    );

    let mut inputs = contoso();
    inputs
        .graph
        .push(Source::text("groups.json", r#"{"value":[]}"#));
    let e = errors(&inputs);
    assert!(
        contains(
            &e,
            &["`groups.json` holds the whole export groups, and numbered pages are given too"]
        ),
        "{e:#?}"
    );
}

/// The same record twice is an error in every export that has a key (it was kept twice, or the
/// second silently won).
#[test]
fn duplicate_records_are_errors_in_every_export() {
    for (file, field) in [
        ("SMS_R_System.json", "ResourceID"),
        ("SMS_Collection.json", "CollectionID"),
        ("SMS_R_User.json", "ResourceID"),
        ("SMS_Admin.json", "AdminID"),
        ("SMS_Role.json", "RoleID"),
        ("SMS_SecuredCategory.json", "CategoryID"),
        ("SMS_Scripts.json", "ScriptGuid"),
        ("roleDefinitions.1.json", "id"),
        ("roleAssignments.1.json", "id"),
        ("roleScopeTags.1.json", "id"),
        ("users.1.json", "id"),
        ("groups.1.json", "id"),
        ("directoryRoles.1.json", "id"),
        ("managedDevices.1.json", "id"),
    ] {
        let mut inputs = contoso();
        edit(&mut inputs, file, |v| {
            let list = records(v);
            let first = list[0].clone();
            list.push(first);
        });
        let e = errors(&inputs);
        assert!(
            contains(
                &e,
                &[
                    file,
                    &format!("field `{field}`"),
                    "appears twice: also record 0"
                ]
            ),
            "{file}: {e:#?}"
        );
    }
    // The single-object exports: a second object.
    for file in ["tenantAttachRBAC.json", "deviceManagement.json"] {
        let mut inputs = contoso();
        edit(&mut inputs, file, |v| {
            let one = v.clone();
            *v = json!([one.clone(), one]);
        });
        let e = errors(&inputs);
        assert!(contains(&e, &[file, "a second"]), "{file}: {e:#?}");
    }
}

/// `SMS_FullCollectionMembership` lists a resource once per site in a hierarchy: a repeated
/// row is kept once, with one warning naming both rows.
#[test]
fn repeated_membership_rows_are_kept_once_with_a_warning() {
    let mut inputs = contoso();
    let before = imported(&inputs).snapshot;
    edit(&mut inputs, "SMS_FullCollectionMembership.json", |v| {
        let list = records(v);
        let first = list[0].clone();
        list.push(first);
    });
    let after = imported(&inputs);
    assert_eq!(after.snapshot.collections, before.collections);
    let w: Vec<&String> = after
        .warnings
        .iter()
        .filter(|w| w.starts_with("SMS_FullCollectionMembership: 1 rows repeat"))
        .collect();
    assert_eq!(w.len(), 1, "{:#?}", after.warnings);
    assert!(
        w[0].contains(
            "repeats record 0 of SMS_FullCollectionMembership.json (`SMS00001, 16777301`)"
        ),
        "{w:?}"
    );
    // A catalogue row repeated (same class, bit and name): the same.
    let mut inputs = contoso();
    edit(&mut inputs, "SMS_Operation.json", |v| {
        let list = records(v);
        let first = list[0].clone();
        list.push(first);
    });
    let i = imported(&inputs);
    assert!(
        i.warnings.iter().any(|w| w.starts_with(
            "SMS_Operation: 1 rows repeat the (ObjectTypeID, BitFlag, OperationName)"
        )),
        "{:#?}",
        i.warnings
    );
}

/// A device re-enrolled in Intune has a stale row beside its current one: the row synced last
/// wins whatever the order (the last row read used to win), with a warning naming both.
#[test]
fn stale_managed_device_rows_keep_the_latest_sync() {
    let mut inputs = contoso();
    edit(&mut inputs, "managedDevices.1.json", |v| {
        let list = records(v);
        let mut current = list[0].clone();
        current["lastSyncDateTime"] = json!("2026-11-30T08:00:00Z");
        current["roleScopeTagIds"] = json!(["1"]);
        let mut stale = list[0].clone();
        stale["id"] = json!("md-stale");
        stale["lastSyncDateTime"] = json!("2025-02-01T08:00:00Z");
        stale["roleScopeTagIds"] = json!(["0", "2"]);
        *list = vec![current, stale];
    });
    let i = imported(&inputs);
    let d = i
        .snapshot
        .devices
        .iter()
        .find(|d| d.name == "CON-WS-001")
        .unwrap();
    assert_eq!(d.scope_tags, ["1"]);
    assert!(
        i.warnings.iter().any(|w| w.contains("`md-16777301`")
            && w.contains("`md-stale`")
            && w.contains("the one synced last, record 0 of managedDevices.1.json (`md-16777301`")),
        "{:#?}",
        i.warnings
    );
}

/// `settings.json` is one object: anything after it, and two records for one device, are
/// errors (the rest used to be ignored, the second record applied over the first).
#[test]
fn settings_is_one_object_with_one_record_per_device() {
    for (tail, what) in [
        (" {\"tenant\": {}}", "trailing characters"),
        (" garbage", "trailing characters"),
    ] {
        let mut inputs = contoso();
        let text = inputs.settings.decode().unwrap();
        inputs.settings = Source::text("settings.json", format!("{}{tail}", text.trim_end()));
        let e = errors(&inputs);
        assert!(contains(&e, &["settings.json: line", what]), "{e:#?}");
    }
    let mut inputs = contoso();
    let mut v: Value = serde_json::from_str(&inputs.settings.decode().unwrap()).unwrap();
    v["devices"] = json!([{"resource_id": 16777301, "scope_tags": []}, {"resource_id": 16777301, "scope_tags": ["1"]}]);
    inputs.settings = Source::text("settings.json", v.to_string());
    let e = errors(&inputs);
    assert!(
        contains(
            &e,
            &[
                "settings.json: devices[1]: field `resource_id`",
                "`devices[0]` and `devices[1]`"
            ]
        ),
        "{e:#?}"
    );
    // A field twice in the settings file.
    let mut inputs = contoso();
    let text = inputs.settings.decode().unwrap();
    inputs.settings = Source::text(
        "settings.json",
        text.replacen(
            "\"tenant\": {",
            "\"tenant\": {\"use_intune_rbac\": false, ",
            1,
        ),
    );
    let e = errors(&inputs);
    assert!(
        contains(&e, &["settings.json: line", "`use_intune_rbac`"]),
        "{e:#?}"
    );
}

/// `members` and `Members` in one record: one would hide the other (the last silently won), and
/// so would a field written twice.
#[test]
fn a_field_twice_in_any_case_is_an_error() {
    let mut inputs = contoso();
    edit_text(&mut inputs, "groups.1.json", |t| {
        t.replacen("\"members\": [", "\"Members\": [], \"members\": [", 1)
    });
    let e = errors(&inputs);
    assert!(
        contains(
            &e,
            &[
                "groups.1.json: line",
                "fields `Members` and `members` in one object"
            ]
        ),
        "{e:#?}"
    );
    let mut inputs = contoso();
    edit_text(&mut inputs, "SMS_Admin.json", |t| {
        t.replacen(
            "\"AdminID\": 16777217,",
            "\"AdminID\": 16777217, \"AdminID\": 16777299,",
            1,
        )
    });
    let e = errors(&inputs);
    assert!(
        contains(
            &e,
            &[
                "SMS_Admin.json: line",
                "field `AdminID` appears twice in one object"
            ]
        ),
        "{e:#?}"
    );
}

/// Files no export has are not read, and one warning names them all.
#[test]
fn unlisted_files_are_ignored_with_one_warning() {
    let mut inputs = contoso();
    let base = imported(&inputs);
    inputs
        .configmgr
        .push(Source::text("SMS_R_System.backup.json", "not even JSON"));
    inputs
        .configmgr
        .push(Source::text("users.json", r#"{"value":[]}"#));
    inputs.graph.push(Source::skipped("notes.txt"));
    let i = imported(&inputs);
    assert_eq!(i.snapshot, base.snapshot);
    let w: Vec<&String> = i
        .warnings
        .iter()
        .filter(|w| w.contains("no export the importer reads"))
        .collect();
    assert_eq!(w.len(), 1, "{:#?}", i.warnings);
    assert!(
        w[0].starts_with("3 files")
            && w[0].contains("`SMS_R_System.backup.json` (ConfigMgr)")
            && w[0].contains("`users.json` (ConfigMgr)")
            && w[0].contains("`notes.txt` (Graph)"),
        "{w:?}"
    );
}

/// A file over the per-file cap is an error naming it (the cap is an option of the library).
#[test]
fn files_over_the_size_cap_are_errors() {
    let inputs = contoso();
    let mut options = Options::default();
    assert_eq!(options.max_file_bytes, tenant_attach_import::MAX_FILE_BYTES);
    options.max_file_bytes = 1_000;
    let e: Vec<String> = match import_with(&inputs, &options) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    };
    assert!(
        contains(
            &e,
            &[
                "SMS_Admin.json: (file)",
                "larger than the 1000 bytes an export file may have"
            ]
        ),
        "{e:#?}"
    );
    assert!(
        contains(&e, &["settings.json: (file)", "larger than the 1000 bytes"]),
        "{e:#?}"
    );
}

/// Every decision allowed on `b` is allowed on `a` (users by id, devices by resource id).
pub fn no_more_allowed(a: &Engine, b: &Engine) -> Result<(), String> {
    for ub in b.users() {
        let id = &b.user(*ub).unwrap().id;
        let Ok(ua) = a.find_user(id) else {
            return Err(format!("user {id} only in the import"));
        };
        for f in Feature::ALL {
            let va: std::collections::BTreeSet<u32> = a
                .visible(ua, *f)
                .iter()
                .map(|d| a.device(d).unwrap().resource_id)
                .collect();
            for d in b.visible(*ub, *f).iter() {
                let rid = b.device(d).unwrap().resource_id;
                if !va.contains(&rid) {
                    return Err(format!(
                        "the import allows {id} {f} on {rid}; the original does not"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// An admin fetched by key (`AdminSid` present) with `Permissions: []` pairs no collection (its
/// roles are held without one): it used to be read as a list call and given the cross product of
/// its names (an over-grant).
#[test]
fn an_empty_permissions_list_fetched_by_key_is_no_association() {
    let mut inputs = contoso();
    let original = Engine::new(imported(&inputs).snapshot).unwrap();
    edit(&mut inputs, "SMS_Admin.json", |v| {
        records(v)[1]["Permissions"] = json!([]);
    });
    let i = imported(&inputs);
    let a = i
        .snapshot
        .configmgr
        .admins
        .iter()
        .find(|a| a.account == "CONTOSO\\CM-Helpdesk")
        .unwrap();
    assert_eq!(
        a.association_mode,
        tenant_attach::snapshot::AssociationMode::Specific
    );
    // Its role (in `RoleNames`) is held without a collection: no collection is inferred.
    assert!(!a.associations_inferred);
    assert!(a.collections.is_empty(), "{a:?}");
    assert!(!a.roles.is_empty(), "{a:?}");
    assert!(
        a.associations.iter().all(|x| x.collections.is_empty()),
        "{a:?}"
    );
    assert!(
        !i.warnings.iter().any(|w| w.contains("CM-Helpdesk")),
        "{:#?}",
        i.warnings
    );
    no_more_allowed(&original, &Engine::new(i.snapshot).unwrap()).unwrap();
}

/// Without `Permissions` (a list call) the cross product is inferred and the snapshot says so
/// (`associations_inferred`); `--strict` refuses, naming the admin.
#[test]
fn inferred_associations_are_marked_and_strict_refuses_them() {
    let mut inputs = contoso();
    edit(&mut inputs, "SMS_Admin.json", |v| {
        records(v)[1].as_object_mut().unwrap().remove("Permissions");
    });
    let i = imported(&inputs);
    let a = i
        .snapshot
        .configmgr
        .admins
        .iter()
        .find(|a| a.account == "CONTOSO\\CM-Helpdesk")
        .unwrap();
    assert!(a.associations_inferred);
    assert!(
        i.snapshot
            .to_json()
            .contains("\"associations_inferred\": true")
    );
    assert!(
        i.warnings
            .iter()
            .any(|w| w.contains("CM-Helpdesk") && w.contains("associations_inferred")),
        "{:#?}",
        i.warnings
    );
    // Written only when true.
    let others = i
        .snapshot
        .configmgr
        .admins
        .iter()
        .filter(|a| !a.associations_inferred)
        .count();
    assert_eq!(
        i.snapshot
            .to_json()
            .matches("associations_inferred")
            .count(),
        i.snapshot.configmgr.admins.len() - others
    );
    let mut strict = Options::default();
    strict.strict = true;
    let e: Vec<String> = match import_with(&inputs, &strict) {
        Ok(_) => panic!("--strict inferred"),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    };
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(
        e[0].starts_with("SMS_Admin.json: record 1 (`CONTOSO\\CM-Helpdesk`): field `Permissions`:")
            && e[0].contains("`--strict` does not infer"),
        "{e:#?}"
    );
    // Nor does it take a SID from discovery.
    let mut inputs = contoso();
    edit(&mut inputs, "SMS_Admin.json", |v| {
        records(v)[3].as_object_mut().unwrap().remove("AdminSid");
    });
    edit(&mut inputs, "SMS_R_User.json", |v| {
        for u in records(v) {
            if u["SID"] == "S-1-5-21-1004336348-1177238915-682003330-2002" {
                u["UniqueUserName"] = json!("CONTOSO\\bob");
            }
        }
    });
    assert!(import(&inputs).is_ok());
    let e: Vec<String> = match import_with(&inputs, &strict) {
        Ok(_) => panic!("--strict took the SID from discovery"),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    };
    assert!(
        contains(
            &e,
            &[
                "field `AdminSid`",
                "`--strict` does not take the SID from discovery"
            ]
        ),
        "{e:#?}"
    );
    // The committed bundle has every admin's Permissions: strict changes nothing there.
    assert!(import_with(&contoso(), &strict).is_ok());
}

/// Rulebook 3: the tenant setting comes from `deviceManagement` (and wins over the settings
/// file, with a warning); an object without the property is an error; without the export the
/// settings file's value stands.
#[test]
fn unlicensed_admins_from_device_management() {
    let mut inputs = contoso();
    edit(&mut inputs, "deviceManagement.json", |v| {
        v["unlicensedAdminstratorsEnabled"] = json!(false);
    });
    let i = imported(&inputs);
    assert!(!i.snapshot.tenant.unlicensed_admins);
    assert!(
        i.warnings
            .iter()
            .any(|w| w.contains("unlicensed admins* is off; the settings file said on")),
        "{:#?}",
        i.warnings
    );
    let mut inputs = contoso();
    edit(&mut inputs, "deviceManagement.json", |v| {
        v.as_object_mut()
            .unwrap()
            .remove("unlicensedAdminstratorsEnabled");
    });
    let e = errors(&inputs);
    assert!(
        contains(
            &e,
            &[
                "deviceManagement.json: record 0: field `unlicensedAdminstratorsEnabled`: required field is missing"
            ]
        ),
        "{e:#?}"
    );
    let mut inputs = contoso();
    inputs.graph.retain(|s| s.name != "deviceManagement.json");
    assert!(imported(&inputs).snapshot.tenant.unlicensed_admins);
}

/// Rulebook 3: licences from `assignedPlans` (INTUNE_O365 and plans not `Enabled` do not count;
/// no `assignedPlans`, no answer), reader roles by template id, client versions by build.
#[test]
fn rulebook3_facts_from_their_exports() {
    let mut inputs = contoso();
    edit(&mut inputs, "users.1.json", |v| {
        let list = records(v);
        list[0]["assignedPlans"] = json!([
            {"service": "SCO", "capabilityStatus": "Enabled", "servicePlanId": "882e1d05-acd1-4ccb-8708-6ee03664b117"},
            {"service": "SCO", "capabilityStatus": "Suspended", "servicePlanId": "c1ec4a95-1f05-45b3-a911-aa3fa01094f5"}
        ]);
    });
    edit(&mut inputs, "SMS_R_System.json", |v| {
        let list = records(v);
        list[0]["ClientVersion"] = json!("5.00.9100.1000");
        list[1]["ClientVersion"] = json!("5.00.8913.1000");
    });
    let i = imported(&inputs);
    let first_user = &i.snapshot.entra.users[0];
    assert_eq!(first_user.intune_licensed, Some(false));
    assert_eq!(i.snapshot.devices[0].client_version, Some(2211));
    assert_eq!(i.snapshot.devices[1].client_version, None);
    assert!(
        i.warnings
            .iter()
            .any(|w| w.contains("older than build 8968") && w.contains("5.00.8913.1000")),
        "{:#?}",
        i.warnings
    );
    let roles: Vec<_> = i
        .snapshot
        .entra
        .users
        .iter()
        .flat_map(|u| u.directory_roles.clone())
        .collect();
    for r in tenant_attach::snapshot::DirectoryRole::ALL {
        if *r != tenant_attach::snapshot::DirectoryRole::IntuneAdministrator {
            assert!(roles.contains(r), "{r:?} not imported");
        }
    }
}
