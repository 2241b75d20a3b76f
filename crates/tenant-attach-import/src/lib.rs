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

use std::collections::HashMap;

use tenant_attach::snapshot::{Collection, ConfigMgr, Entra, Intune, SCHEMA, Snapshot};

pub use constants::*;
pub use error::{ImportError, Location, Place, Report};
use exports::{Duplicates, Export, Side};
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

/// How an import reads: the per-file size cap, and whether it may infer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The largest export file (and settings file) accepted, in bytes: a larger one is an
    /// error naming it. [`MAX_FILE_BYTES`] by default.
    pub max_file_bytes: u64,
    /// Refuse to infer: an admin without `Permissions` (a list call) is an error instead of a
    /// cross product of its role and collection names, and one without `AdminSid` an error
    /// instead of a SID found in discovery by logon name (`import --strict`).
    pub strict: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            max_file_bytes: MAX_FILE_BYTES,
            strict: false,
        }
    }
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
    device_management: Option<Vec<Record>>,
}

/// Reads exports from the inputs, noting the required ones that are missing.
struct Reader<'a> {
    inputs: &'a Inputs,
    options: &'a Options,
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
        let records = records::read_capped(
            sources,
            e,
            self.options.max_file_bytes,
            &mut self.report.errors,
        )
        .map(|r| unique(r, e, self.report));
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

/// The records with the export's duplicates taken out: each is an error naming both records,
/// or for [`Duplicates::KeepFirst`] the first is kept and one warning counts the rest.
fn unique(records: Vec<Record>, export: &Export, report: &mut Report) -> Vec<Record> {
    if export.unique.is_empty() {
        return records;
    }
    let mut first: HashMap<Vec<String>, (String, usize)> = HashMap::new();
    let mut repeated: Vec<String> = Vec::new();
    let mut out = Vec::with_capacity(records.len());
    for r in records {
        let values: Option<Vec<String>> = export.unique.iter().map(|f| r.opt_str(f)).collect();
        let Some(values) = values else {
            out.push(r); // a missing key field: the stage reports it
            continue;
        };
        let shown = values.join(", ");
        let key: Vec<String> = values.iter().map(|v| v.to_lowercase()).collect();
        match first.get(&key) {
            None => {
                first.insert(key, (r.file.clone(), r.index));
                out.push(r);
            }
            Some((file, index)) => {
                let also = format!("record {index} of {file}");
                match export.duplicates {
                    Duplicates::Error => report.error(r.fail(
                        &shown,
                        &export.unique.join(", "),
                        format!("`{shown}` appears twice: also {also}"),
                    )),
                    Duplicates::KeepFirst => {
                        repeated.push(format!(
                            "record {} of {} repeats {also} (`{shown}`)",
                            r.index, r.file
                        ));
                    }
                }
            }
        }
    }
    if let Some(example) = repeated.first() {
        report.warn(format!(
            "{}: {} rows repeat the ({}) of a row already listed (the same fact twice, as a hierarchy lists a resource once per site): each is kept once; {example}",
            export.name,
            repeated.len(),
            export.unique.join(", ")
        ));
    }
    out
}

/// The files given that no export of their directory has: one warning names them all.
fn ignored(inputs: &Inputs, report: &mut Report) {
    let mut names = Vec::new();
    for (side, dir, sources) in [
        (Side::ConfigMgr, "ConfigMgr", &inputs.configmgr),
        (Side::Graph, "Graph", &inputs.graph),
    ] {
        for s in sources {
            if !exports::is_export(side, &s.name) {
                names.push(format!("`{}` ({dir})", s.name));
            }
        }
    }
    if !names.is_empty() {
        report.warn(format!(
            "{} files are no export the importer reads and are ignored (see the README's import tables): {}",
            names.len(),
            names.join(", ")
        ));
    }
}

impl Files {
    fn read(inputs: &Inputs, options: &Options, report: &mut Report) -> Files {
        use exports::*;
        ignored(inputs, report);
        let mut r = Reader {
            inputs,
            options,
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
            device_management: r.optional(&DEVICE_MANAGEMENT),
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

/// Builds the snapshot, or lists every problem found (with the default [`Options`]).
pub fn import(inputs: &Inputs) -> Result<Imported, Vec<ImportError>> {
    import_with(inputs, &Options::default())
}

/// Builds the snapshot with these options, or lists every problem found.
pub fn import_with(inputs: &Inputs, options: &Options) -> Result<Imported, Vec<ImportError>> {
    let mut report = Report::default();
    let files = Files::read(inputs, options, &mut report);
    let settings = match inputs.settings.check_size(options.max_file_bytes) {
        Ok(()) => stages::settings::settings(&inputs.settings, &mut report),
        Err(e) => {
            report.error(e);
            None
        }
    };
    let (mut devices, collections, configmgr) = configmgr(&files, options, &mut report);
    let (entra, intune) = graph(&files, &mut devices, &mut report);
    let use_intune_rbac = stages::attach::use_intune_rbac(&files.attach, &mut report);
    let unlicensed_admins = stages::device_management::unlicensed_admins(
        files.device_management.as_deref(),
        &mut report,
    );
    let Some(mut settings) = settings else {
        return Err(report.errors);
    };
    merge_settings(
        &mut settings,
        Exported {
            use_intune_rbac,
            unlicensed_admins,
        },
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
        devices: devices.list.into(),
        collections: collections.into(),
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
    options: &Options,
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
    let admins = cm_rbac::admins(
        &f.admins,
        &cm_rbac::Context {
            roles: &roles,
            collections: &collections,
            scopes: &scopes,
            discovery: &discovery,
            strict: options.strict,
        },
        report,
    );
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

/// The tenant settings an export carries (they win over the settings file).
struct Exported {
    use_intune_rbac: Option<bool>,
    unlicensed_admins: Option<bool>,
}

/// Stage: the settings merged in. Partial device records apply by resource id; the exports'
/// word on the *Use Intune RBAC* toggle and on unlicensed admins wins, with a warning when they
/// disagree.
fn merge_settings(
    settings: &mut Settings,
    exported: Exported,
    devices: &mut stages::cm_devices::Devices,
    settings_file: &str,
    report: &mut Report,
) {
    if let Some(e) = exported.unlicensed_admins {
        if settings.tenant.unlicensed_admins != e {
            report.warn(format!(
                "deviceManagement says *Allow access to unlicensed admins* is {}; the settings file said {}: the export wins",
                if e { "on" } else { "off" },
                if settings.tenant.unlicensed_admins { "on" } else { "off" }
            ));
        }
        settings.tenant.unlicensed_admins = e;
    }
    if let Some(e) = exported.use_intune_rbac {
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
