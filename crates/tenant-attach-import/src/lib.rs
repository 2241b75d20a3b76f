//! Builds a tenant-attach snapshot from what the documented APIs export: the ConfigMgr
//! AdminService / WMI classes and the Microsoft Graph beta Intune RBAC endpoints, plus a
//! settings file for what no API returns.
//!
//! The library is pure: it takes file names and bytes ([`Source`]) and returns the snapshot
//! with warnings, or every problem found ([`ImportError`]: the file, the record, the field).
//! The command line reads the directories.
//!
//! ```
//! use tenant_attach_import::{Inputs, Source, import};
//! let inputs = Inputs {
//!     configmgr: vec![
//!         Source::text("SMS_R_System.json", r#"{"value":[{"ResourceID":16777220,"Name":"WS-1","Client":1}]}"#),
//!         Source::text("SMS_Collection.json", r#"{"value":[{"CollectionID":"SMS00001","Name":"All Systems","CollectionType":2,"LimitToCollectionID":"","CollectionRules":[]}]}"#),
//!         Source::text("SMS_FullCollectionMembership.json", r#"{"value":[{"CollectionID":"SMS00001","ResourceID":16777220}]}"#),
//!         Source::text("SMS_R_User.json", r#"{"value":[]}"#),
//!         Source::text("SMS_Admin.json", r#"{"value":[]}"#),
//!         Source::text("SMS_Role.json", r#"{"value":[]}"#),
//!     ],
//!     graph: ["roleDefinitions", "roleAssignments", "roleScopeTags", "users", "groups", "directoryRoles"]
//!         .iter().map(|n| Source::text(format!("{n}.json"), r#"{"value":[]}"#))
//!         .chain([Source::text("tenantAttachRBAC.json", r#"{"value":{"enabled":false}}"#)])
//!         .collect(),
//!     settings: Source::text("settings.json", r#"{"tenant":{},"hierarchy":{"site_code":"PS1","version":2403,"cloud":"public",
//!         "attach":{"state":"attached","upload":{"all_devices":true}}}}"#),
//! };
//! let imported = import(&inputs).unwrap();
//! assert_eq!(imported.snapshot.devices.len(), 1);
//! ```

#![deny(missing_docs)]

mod constants;
mod error;
pub mod exports;
mod records;
mod stages;

use tenant_attach::snapshot::{Collection, ConfigMgr, Entra, Intune, SCHEMA, Snapshot};

pub use constants::*;
pub use error::{ImportError, Location, Place, Report};
use exports::{Export, Side};
pub use records::{Body, Record, Source, records_of};
use stages::settings::Settings;

/// Everything an import reads.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The ConfigMgr export files.
    pub configmgr: Vec<Source>,
    /// The Microsoft Graph export files.
    pub graph: Vec<Source>,
    /// The settings file.
    pub settings: Source,
}

/// A successful import: the snapshot and what the importer could not know for sure.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The snapshot (already validated: it has no input error).
    pub snapshot: Snapshot,
    /// Warnings: information the exports lose (see the README's list).
    pub warnings: Vec<String>,
}

/// Every export's records, read once; a missing required export is an error.
struct Files {
    systems: Vec<Record>,
    collections: Vec<Record>,
    membership: Vec<Record>,
    users: Vec<Record>,
    user_groups: Option<Vec<Record>>,
    admins: Vec<Record>,
    roles: Vec<Record>,
    operations: Option<Vec<Record>>,
    secured_objects: Option<Vec<Record>>,
    categories: Option<Vec<Record>>,
    scripts: Option<Vec<Record>>,
    role_definitions: Vec<Record>,
    role_assignments: Vec<Record>,
    scope_tags: Vec<Record>,
    entra_users: Vec<Record>,
    groups: Vec<Record>,
    directory_roles: Vec<Record>,
    attach: Vec<Record>,
    managed_devices: Option<Vec<Record>>,
}

/// Reads exports from the inputs, noting the required ones that are missing.
struct Reader<'a> {
    inputs: &'a Inputs,
    report: &'a mut Report,
    missing: Vec<Export>,
}

impl Reader<'_> {
    fn optional(&mut self, e: &Export) -> Option<Vec<Record>> {
        let sources = match e.side {
            Side::ConfigMgr => &self.inputs.configmgr,
            Side::Graph => &self.inputs.graph,
        };
        let before = self.report.errors.len();
        let records = records::read(sources, e, &mut self.report.errors);
        if self.report.errors.len() > before {
            self.report.broken.insert(e.name);
        }
        records
    }

    fn required(&mut self, e: &Export) -> Vec<Record> {
        self.optional(e).unwrap_or_else(|| {
            self.report.broken.insert(e.name);
            self.missing.push(*e);
            Vec::new()
        })
    }
}

impl Files {
    fn read(inputs: &Inputs, report: &mut Report) -> Files {
        use exports::*;
        let mut r = Reader {
            inputs,
            report,
            missing: Vec::new(),
        };
        let files = Files {
            systems: r.required(&SMS_R_SYSTEM),
            collections: r.required(&SMS_COLLECTION),
            membership: r.required(&SMS_FULL_COLLECTION_MEMBERSHIP),
            users: r.required(&SMS_R_USER),
            user_groups: r.optional(&SMS_R_USER_GROUP),
            admins: r.required(&SMS_ADMIN),
            roles: r.required(&SMS_ROLE),
            operations: r.optional(&SMS_OPERATION),
            secured_objects: r.optional(&SMS_RBAC_SECURED_OBJECT),
            categories: r.optional(&SMS_SECURED_CATEGORY),
            scripts: r.optional(&SMS_SCRIPTS),
            role_definitions: r.required(&ROLE_DEFINITIONS),
            role_assignments: r.required(&ROLE_ASSIGNMENTS),
            scope_tags: r.required(&ROLE_SCOPE_TAGS),
            entra_users: r.required(&USERS),
            groups: r.required(&GROUPS),
            directory_roles: r.required(&DIRECTORY_ROLES),
            attach: r.required(&TENANT_ATTACH_RBAC),
            managed_devices: r.optional(&MANAGED_DEVICES),
        };
        for e in r.missing {
            let side = match e.side {
                Side::ConfigMgr => "ConfigMgr",
                Side::Graph => "Graph",
            };
            let name = e.name;
            r.report.error(Location::file(&format!("{name}.json")).error(format!(
                "missing: export {name} into the {side} directory (as {name}.json, or pages {name}.1.json, {name}.2.json, …)"
            )));
        }
        files
    }
}

/// Builds the snapshot, or lists every problem found.
pub fn import(inputs: &Inputs) -> Result<Imported, Vec<ImportError>> {
    let mut report = Report::default();
    let files = Files::read(inputs, &mut report);
    let settings = stages::settings::settings(&inputs.settings, &mut report);
    let (mut devices, collections, configmgr) = configmgr(&files, &mut report);
    let (entra, intune) = graph(&files, &mut devices, &mut report);
    let use_intune_rbac = stages::attach::use_intune_rbac(&files.attach);
    let Some(mut settings) = settings else {
        return Err(report.errors);
    };
    merge_settings(
        &mut settings,
        use_intune_rbac,
        &mut devices,
        &inputs.settings.name,
        &mut report,
    );
    if !report.errors.is_empty() {
        return Err(report.errors);
    }
    let snapshot = Snapshot {
        schema: String::from(SCHEMA),
        tenant: settings.tenant,
        hierarchy: settings.hierarchy,
        devices: devices.list,
        collections,
        configmgr,
        entra,
        intune,
        policy: settings.policy,
        x: Some(serde_json::json!({"imported_by": "tenant-attach import"})),
    };
    validated(snapshot).map(|snapshot| Imported {
        snapshot,
        warnings: report.warnings,
    })
}

/// The ConfigMgr stages: discovery, devices, collections, RBAC, scripts.
fn configmgr(
    f: &Files,
    report: &mut Report,
) -> (stages::cm_devices::Devices, Vec<Collection>, ConfigMgr) {
    use stages::*;
    let discovery = discovery::discovery(&f.users, f.user_groups.as_deref());
    let mut devices = cm_devices::devices(&f.systems, report);
    let collections = collections::collections(
        &f.collections,
        &f.membership,
        &mut devices,
        &discovery,
        report,
    );
    let catalogue = cm_rbac::catalogue(f.operations.as_deref(), f.secured_objects.as_deref());
    let roles = cm_rbac::roles(&f.roles, &catalogue, report);
    let scopes = cm_rbac::scopes(f.categories.as_deref(), &f.admins);
    let admins = cm_rbac::admins(&f.admins, &roles, &collections, &scopes, &discovery, report);
    let scripts = scripts::scripts(f.scripts.as_deref(), &scopes, report);
    let configmgr = ConfigMgr {
        roles: roles.list,
        admins,
        users: discovery.users,
        scripts,
    };
    (devices, collections.list, configmgr)
}

/// The Graph stages: Intune RBAC, the directory, co-managed devices.
fn graph(
    f: &Files,
    devices: &mut stages::cm_devices::Devices,
    report: &mut Report,
) -> (Entra, Intune) {
    use stages::*;
    let scope_tags = graph_rbac::scope_tags(&f.scope_tags, report);
    let role_definitions = graph_rbac::role_definitions(&f.role_definitions, report);
    let directory = directory::directory(&f.entra_users, &f.groups, &f.directory_roles, report);
    let role_assignments = graph_rbac::role_assignments(
        &f.role_assignments,
        &role_definitions,
        &directory,
        &scope_tags,
        report,
    );
    if let Some(managed) = &f.managed_devices {
        graph_devices::co_managed(managed, devices, report);
    }
    let entra = Entra {
        users: directory.users,
        groups: directory.groups,
    };
    let intune = Intune {
        scope_tags,
        role_definitions,
        role_assignments,
    };
    (entra, intune)
}

/// Stage: the settings merged in. Partial device records apply by resource id; the export's
/// word on the *Use Intune RBAC* toggle wins, with a warning when they disagree.
fn merge_settings(
    settings: &mut Settings,
    use_intune_rbac: Option<bool>,
    devices: &mut stages::cm_devices::Devices,
    settings_file: &str,
    report: &mut Report,
) {
    if let Some(e) = use_intune_rbac {
        if settings.tenant.use_intune_rbac != e {
            report.warn(format!(
                "tenantAttachRBAC says the *Use Intune RBAC* toggle is {}; the settings file said {}: the export wins",
                if e { "on" } else { "off" },
                if settings.tenant.use_intune_rbac { "on" } else { "off" }
            ));
        }
        settings.tenant.use_intune_rbac = e;
    }
    for (i, p) in settings.devices.iter().enumerate() {
        match devices.get_mut(p.resource_id) {
            Some(d) => p.apply(d),
            None => report.refer(
                &exports::SMS_R_SYSTEM,
                Location {
                    file: settings_file.to_owned(),
                    place: Place::Record {
                        index: i,
                        key: Some(p.resource_id.to_string()),
                    },
                    field: Some(String::from("resource_id")),
                }
                .error("no device with this resource id in SMS_R_System or SMS_FullCollectionMembership"),
            ),
        }
    }
}

/// What the exports could not catch, validation does (R-C3 cycles, R-U5, R-S1…).
fn validated(snapshot: Snapshot) -> Result<Snapshot, Vec<ImportError>> {
    let diags = tenant_attach::validate(&snapshot);
    let errors: Vec<ImportError> = diags
        .errors()
        .filter(|d| d.severity() == tenant_attach::Severity::InputError)
        .map(|d| {
            Location {
                file: String::from("(imported snapshot)"),
                place: Place::Path(d.path().to_owned()),
                field: None,
            }
            .error(format!("[{}] {}", d.rule(), d.message()))
        })
        .collect();
    if errors.is_empty() {
        Ok(snapshot)
    } else {
        Err(errors)
    }
}
