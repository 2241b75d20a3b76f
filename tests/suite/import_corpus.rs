//! Issue 13: real-shaped export bundles under `tests/import/`, each with its expected snapshot
//! or its expected errors, and the round trip over the new cases.
//!
//! - `realsite`: every quirk of a real site's list calls (exports.md G3) plus class operations
//!   and scripts (R-G6, R-G7): imports, with the warnings in `expected/warnings.txt`.
//! - `broken`: the same bundle with two files in Latin-1, `SMS_Role` missing, `directoryRoles`
//!   holding a number and a `@odata.nextLink` whose page is missing: one error per problem.
//!
//! `TENANT_ATTACH_WRITE_BUNDLE=1 cargo test --test suite import_corpus` rewrites the expected
//! files from what the importer does now (review the diff).

use std::collections::BTreeSet;
use std::path::PathBuf;

use tenant_attach::Engine;
use tenant_attach_import::{Inputs, Place, Source, import, records_of};

use crate::bundle::write;
use crate::import::{bundle, same_answers};

fn expected(bundle: &str, file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import")
        .join(bundle)
        .join("expected")
        .join(file)
}

/// The committed expectation, or (with `TENANT_ATTACH_WRITE_BUNDLE`) the new one written.
fn check(bundle: &str, file: &str, actual: &str) {
    let path = expected(bundle, file);
    if std::env::var_os("TENANT_ATTACH_WRITE_BUNDLE").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap();
    assert_eq!(actual, want, "{} differs", path.display());
}

fn lines(items: &[String]) -> String {
    items.iter().map(|l| format!("{l}\n")).collect()
}

/// The G3 bundle imports (exit 0 in the CLI) with the documented warnings; validation finds no
/// error; uploading all devices uploads exactly the devices with `Client = 1` (R-U2).
#[test]
fn realsite_imports_every_g3_quirk() {
    let inputs = bundle("realsite");
    let imported = import(&inputs).unwrap_or_else(|e| {
        panic!(
            "{}",
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    check(
        "realsite",
        "snapshot.json",
        &format!("{}\n", imported.snapshot.to_json()),
    );
    check("realsite", "warnings.txt", &lines(&imported.warnings));
    let diags = tenant_attach::validate(&imported.snapshot);
    assert!(!diags.has_errors(), "{diags:?}");

    // R-U2: all devices uploads the clients, and only them.
    let systems = inputs
        .configmgr
        .iter()
        .find(|s| s.name == "SMS_R_System.json")
        .unwrap();
    let clients: BTreeSet<u32> = records_of(systems)
        .unwrap()
        .iter()
        .filter(|r| r.opt_u32("Client") == Some(1))
        .map(|r| r.opt_u32("ResourceID").unwrap())
        .collect();
    assert_eq!(clients.len(), 3);
    let engine = Engine::new(imported.snapshot.clone()).unwrap();
    let uploaded: BTreeSet<u32> = engine
        .upload()
        .uploaded()
        .iter()
        .map(|d| engine.device(d).unwrap().resource_id)
        .collect();
    assert_eq!(uploaded, clients);

    let s = &imported.snapshot;
    // Placeholders: devices without a client; SMSOTHER is not in the graph.
    for id in [2_046_820_352, 2_046_820_353, 2_030_043_136] {
        let d = s.devices.iter().find(|d| d.resource_id == id).unwrap();
        assert!(!d.client, "{id}");
    }
    assert!(s.collections.iter().all(|c| c.id != "SMSOTHER"));
    // Lower-case references resolve to the collection as defined.
    let helpdesk = s.collections.iter().find(|c| c.id == "PS100011").unwrap();
    assert!(
        helpdesk
            .rules
            .contains(&tenant_attach::snapshot::CollectionRule::Include(
                String::from("PS100010")
            ))
    );
    // R-G6: the catalogue names Approve on SMS Scripts (bit 8192 at this site).
    let runners = s
        .configmgr
        .roles
        .iter()
        .find(|r| r.id == "PS100005")
        .unwrap();
    assert_eq!(
        runners.class_operations[&tenant_attach::SecuredClass::Scripts],
        [
            tenant_attach::ClassOperation::Read,
            tenant_attach::ClassOperation::Approve
        ]
    );
    // R-G7: scripts with their scopes resolved by name.
    let scripts = s.configmgr.scripts.as_ref().unwrap();
    assert_eq!(scripts[0].scopes, ["PS100003"]);
    // R-G4: without `Permissions`, a cross product of the names.
    let cas = s.configmgr.admins.iter().find(|a| a.id == 1).unwrap();
    assert_eq!(
        cas.association_mode,
        tenant_attach::snapshot::AssociationMode::CrossProduct
    );
    assert_eq!(cas.collections, ["SMS00001", "SMS00004"]);
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("`CONTOSO\\CM-Admins`") && w.contains("may grant more"))
    );
}

/// Several broken files: one error per problem, all in one run, and nothing else.
#[test]
fn broken_bundle_gives_one_error_per_problem() {
    let errors = match import(&bundle("broken")) {
        Ok(_) => panic!("the broken bundle was accepted"),
        Err(e) => e,
    };
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    check("broken", "errors.txt", &lines(&text));
    assert_eq!(errors.len(), 5, "{text:#?}");
    let utf8: Vec<&str> = errors
        .iter()
        .filter(|e| {
            matches!(e.location.place, Place::Position { .. }) && e.message.contains("UTF-8")
        })
        .map(|e| e.file())
        .collect();
    assert_eq!(utf8, ["SMS_R_User.json", "groups.json"]);
    assert!(
        errors
            .iter()
            .any(|e| e.file() == "SMS_Role.json" && e.message.starts_with("missing"))
    );
    assert!(
        errors
            .iter()
            .any(|e| e.file() == "directoryRoles.json" && e.message.contains("found a number"))
    );
    assert!(
        errors
            .iter()
            .any(|e| e.file() == "roleAssignments.1.json" && e.field() == "@odata.nextLink")
    );
}

/// Round trip over the new cases: the real-site snapshot, written in the real-site shape (and
/// paged, PowerShell-shaped, …) and imported again, gives the same answers.
#[test]
fn realsite_round_trips() {
    let original = Engine::new(import(&bundle("realsite")).unwrap().snapshot).unwrap();
    for variant in [32, 32 | 2, 32 | 4 | 8, 32 | 1 | 16] {
        let again = import(&write(&original, variant)).unwrap_or_else(|e| {
            panic!(
                "variant {variant}: {}",
                e.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        });
        same_answers(&original, &Engine::new(again.snapshot.clone()).unwrap()).unwrap();
        assert_eq!(
            again.snapshot.configmgr.scripts,
            original.snapshot().configmgr.scripts,
            "variant {variant}"
        );
        let ops = |s: &tenant_attach::Snapshot| {
            s.configmgr
                .roles
                .iter()
                .filter(|r| r.id != tenant_attach::access::configmgr::FULL_ADMINISTRATOR)
                .map(|r| (r.id.clone(), r.class_operations.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ops(&again.snapshot),
            ops(original.snapshot()),
            "variant {variant}"
        );
    }
}

fn minimal(configmgr: Vec<Source>, graph: Vec<Source>) -> Inputs {
    let mut inputs = bundle("realsite");
    for s in configmgr {
        inputs.configmgr.retain(|f| f.name != s.name);
        inputs.configmgr.push(s);
    }
    for s in graph {
        inputs.graph.retain(|f| f.name != s.name);
        inputs.graph.push(s);
    }
    inputs
}

fn errors(inputs: &Inputs) -> Vec<String> {
    match import(inputs) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

/// What is not a record list is an error, never an empty list: every shape at once.
#[test]
fn shapes_that_are_not_record_lists_are_errors() {
    let e = errors(&minimal(
        vec![
            Source::text(
                "SMS_R_UserGroup.json",
                r#"{"@odata.context": "x", "count": 2}"#,
            ),
            Source::text("SMS_SecuredCategory.json", r#"{"value": "SMS00UNA"}"#),
            Source::text("SMS_Scripts.json", r#"["a", "b"]"#),
            Source::directory("SMS_RbacSecuredObject.json"),
        ],
        vec![
            Source::text(
                "directoryRoles.json",
                r#"{"roleTemplateId": "62e90394-69f5-4237-9190-012177145e10"}"#,
            ),
            Source::unreadable("managedDevices.json", "permission denied"),
        ],
    ));
    let want = [
        "SMS_R_UserGroup.json: (file): expected a record list (`{\"value\": [...]}` or an array of records), found an object without `value`",
        "SMS_SecuredCategory.json: (file): field `value`: expected a list of records, found a string",
        "SMS_Scripts.json: record 0: expected a record (an object), found a string",
        "SMS_Scripts.json: record 1: expected a record (an object), found a string",
        "SMS_RbacSecuredObject.json: (file): is a directory, expected an export file",
        "directoryRoles.json: (file): expected a record list (`{\"value\": [...]}` or an array of records), found an object without `value`",
        "managedDevices.json: (file): cannot read: permission denied",
    ];
    for w in want {
        assert!(e.iter().any(|x| x == w), "missing {w}\nin {e:#?}");
    }
    assert_eq!(e.len(), want.len(), "{e:#?}");
}

/// Pages: a gap in the numbering is an error; a byte order mark and UTF-16 are accepted; a bad
/// byte names its line and column.
#[test]
fn pages_encodings_and_positions() {
    let mut gap = minimal(
        vec![],
        vec![Source::text(
            "users.3.json",
            r#"{"value": [{"id": "x", "userPrincipalName": "x@contoso.com"}]}"#,
        )],
    );
    gap.graph.retain(|f| f.name != "users.2.json");
    assert_eq!(
        errors(&gap),
        ["users.3.json: (file): pages jump from 1 to 3: `users.2.json` is missing"]
    );

    // The real-site bundle keeps Windows PowerShell's habits: a UTF-8 byte order mark, and
    // UTF-16 with one (`>` in Windows PowerShell 5); `realsite_imports_every_g3_quirk` reads them.
    let site = bundle("realsite");
    let bytes = |name: &str| match &site.configmgr.iter().find(|s| s.name == name).unwrap().body {
        tenant_attach_import::Body::Bytes(b) => b.clone(),
        other => panic!("{other:?}"),
    };
    assert!(bytes("SMS_Collection.json").starts_with(&[0xEF, 0xBB, 0xBF]));
    assert!(bytes("SMS_Scripts.json").starts_with(&[0xFF, 0xFE]));

    let bad = Source::bytes(
        "SMS_SecuredCategory.json",
        b"{\n  \"value\": [\n    {\"CategoryName\": \"Caf\xe9\"}]}".to_vec(),
    );
    let e = errors(&minimal(vec![bad], vec![]));
    assert_eq!(
        e,
        [
            "SMS_SecuredCategory.json: line 3, column 26: not valid UTF-8 (byte 0xe9): save the export as UTF-8"
        ]
    );
}
