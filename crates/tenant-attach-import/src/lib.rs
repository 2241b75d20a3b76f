//! Builds a tenant-attach snapshot from what the documented APIs export: the ConfigMgr
//! AdminService / WMI classes and the Microsoft Graph beta Intune RBAC endpoints, plus a
//! settings file for what no API returns.
//!
//! The library is pure: it takes file names and texts ([`Source`]) and returns the snapshot
//! or every problem found ([`ImportError`]: the file, the record, the field). The command line
//! reads the directories.
//!
//! ```
//! use tenant_attach_import::{Inputs, Source, import};
//! let src = |name: &str, text: &str| Source { name: name.into(), text: text.into() };
//! let inputs = Inputs {
//!     configmgr: vec![
//!         src("SMS_R_System.json", r#"{"value":[{"ResourceID":16777220,"Name":"WS-1","Client":1}]}"#),
//!         src("SMS_Collection.json", r#"{"value":[{"CollectionID":"SMS00001","Name":"All Systems","CollectionType":2,"LimitToCollectionID":"","CollectionRules":[]}]}"#),
//!         src("SMS_FullCollectionMembership.json", r#"{"value":[{"CollectionID":"SMS00001","ResourceID":16777220}]}"#),
//!         src("SMS_R_User.json", r#"{"value":[]}"#),
//!         src("SMS_Admin.json", r#"{"value":[]}"#),
//!         src("SMS_Role.json", r#"{"value":[]}"#),
//!     ],
//!     graph: ["roleDefinitions", "roleAssignments", "roleScopeTags", "users", "groups", "directoryRoles"]
//!         .iter().map(|n| src(&format!("{n}.json"), r#"{"value":[]}"#))
//!         .chain([src("tenantAttachRBAC.json", r#"{"value":{"enabled":false}}"#)])
//!         .collect(),
//!     settings: src("settings.json", r#"{"tenant":{},"hierarchy":{"site_code":"PS1","version":2403,"cloud":"public",
//!         "attach":{"state":"attached","upload":{"all_devices":true}}}}"#),
//! };
//! let imported = import(&inputs).unwrap();
//! assert_eq!(imported.snapshot.devices.len(), 1);
//! ```

#![deny(missing_docs)]

mod records;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Deserialize;
use tenant_attach::Operation;
use tenant_attach::snapshot::*;

use records::read;
pub use records::{Record, records_of};

/// One exported file: its name (for messages, and to know which export it is) and its text.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file name, e.g. `SMS_Collection.json` or `users.2.json` (a path is fine).
    pub name: String,
    /// Its contents.
    pub text: String,
}

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

/// One problem: the file, the record (index and key) and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {record}{}: {message}", if field.is_empty() { String::new() } else { format!(": field `{field}`") })]
pub struct ImportError {
    /// The file.
    pub file: String,
    /// The record, e.g. `record 3 (`PS100012`)`, or a line and column.
    pub record: String,
    /// The field, when one is to blame.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// A successful import: the snapshot and what the importer could not know for sure.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The snapshot (already validated: it has no input error).
    pub snapshot: Snapshot,
    /// Warnings: unnamed operation bits, settings overridden by exports, truncated member lists.
    pub warnings: Vec<String>,
}

/// The Entra role template ids that hold every Intune permission (R-I1).
pub const GLOBAL_ADMINISTRATOR_TEMPLATE: &str = "62e90394-69f5-4237-9190-012177145e10";
/// Intune Administrator (Intune Service Administrator).
pub const INTUNE_ADMINISTRATOR_TEMPLATE: &str = "3a2c62db-5318-420d-8d74-23affee5d9d5";

/// The documented `GrantedOperations` bits of the Collection class (ObjectTypeID 1), used when
/// no `SMS_Operation` export names them. Notify Resource, Run Script, Run CMPivot and Read
/// BitLocker Recovery Key are not documented: they need the site's own catalogue.
pub const DOCUMENTED_COLLECTION_BITS: &[(u32, Operation)] = &[
    (1, Operation::Read),
    (2, Operation::Modify),
    (4, Operation::Delete),
    (32, Operation::RemoteControl),
    (128, Operation::ModifyResource),
    (512, Operation::DeleteResource),
    (1024, Operation::Create),
    (4096, Operation::ReadResource),
    (262_144, Operation::EnforceSecurity),
    (1_048_576, Operation::DeployApplications),
    (2_097_152, Operation::ModifyCollectionSetting),
    (16_777_216, Operation::ControlAmt),
];

/// The settings file: what no single API returns.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    #[serde(default)]
    tenant: Tenant,
    hierarchy: Hierarchy,
    #[serde(default)]
    policy: Policy,
    #[serde(default)]
    devices: Vec<PartialDevice>,
}

/// A partial device record merged by `resource_id` (facts no export carries).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PartialDevice {
    resource_id: u32,
    name: Option<String>,
    client: Option<bool>,
    os: Option<String>,
    co_managed: Option<bool>,
    scope_tags: Option<Vec<String>>,
    entra_device_id: Option<String>,
    scope_groups: Option<Vec<String>>,
}

struct Ctx<'a> {
    inputs: &'a Inputs,
    errors: Vec<ImportError>,
    warnings: Vec<String>,
}

impl Ctx<'_> {
    fn required(&mut self, graph: bool, name: &str) -> Vec<Record> {
        let sources = if graph {
            &self.inputs.graph
        } else {
            &self.inputs.configmgr
        };
        match read(sources, name, &mut self.errors) {
            Some(r) => r,
            None => {
                self.errors.push(ImportError {
                    file: format!("{name}.json"),
                    record: String::from("(file)"),
                    field: String::new(),
                    message: format!(
                        "missing: export {name} into the {} directory (as {name}.json, or pages {name}.1.json, {name}.2.json, …)",
                        if graph { "Graph" } else { "ConfigMgr" }
                    ),
                });
                Vec::new()
            }
        }
    }

    fn optional(&mut self, graph: bool, name: &str) -> Option<Vec<Record>> {
        let sources = if graph {
            &self.inputs.graph
        } else {
            &self.inputs.configmgr
        };
        read(sources, name, &mut self.errors)
    }
}

/// The collection rule kinds, matched on the `@odata.type` suffix or, without one (PowerShell
/// exports), on the fields present.
enum RuleKind {
    Direct,
    Query,
    Include,
    Exclude,
}

fn rule_kind(rule: &Record) -> Option<RuleKind> {
    if let Some(t) = rule
        .opt_str("@odata.type")
        .or_else(|| rule.opt_str("__CLASS"))
    {
        let t = t.to_lowercase();
        if t.ends_with("direct") {
            return Some(RuleKind::Direct);
        }
        if t.ends_with("query") {
            return Some(RuleKind::Query);
        }
        if t.ends_with("includecollection") || t.ends_with("include") {
            return Some(RuleKind::Include);
        }
        if t.ends_with("excludecollection") || t.ends_with("exclude") {
            return Some(RuleKind::Exclude);
        }
    }
    if rule.get("IncludeCollectionID").is_some() {
        Some(RuleKind::Include)
    } else if rule.get("ExcludeCollectionID").is_some() {
        Some(RuleKind::Exclude)
    } else if rule.get("QueryExpression").is_some() {
        Some(RuleKind::Query)
    } else if rule.get("ResourceID").is_some() {
        Some(RuleKind::Direct)
    } else {
        None
    }
}

/// Operation name as the site's catalogue spells it (`Notify Resource`) → ours.
fn operation_by_name(name: &str) -> Option<Operation> {
    let snake: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let snake = snake.replace("__", "_");
    Operation::from_name(&snake).or(match snake.as_str() {
        "modify_collection_settings" => Some(Operation::ModifyCollectionSetting),
        "manage_bmc" | "control_amt" => Some(Operation::ControlAmt),
        "read_bitlocker_recovery_keys" => Some(Operation::ReadBitlockerRecoveryKey),
        _ => None,
    })
}

/// Builds the snapshot, or lists every problem found.
pub fn import(inputs: &Inputs) -> Result<Imported, Vec<ImportError>> {
    let mut cx = Ctx {
        inputs,
        errors: Vec::new(),
        warnings: Vec::new(),
    };

    // --- settings ---
    let settings: Option<Settings> = {
        let mut de = serde_json::Deserializer::from_str(&inputs.settings.text);
        match Settings::deserialize(&mut de) {
            Ok(s) => Some(s),
            Err(e) => {
                cx.errors.push(ImportError {
                    file: inputs.settings.name.clone(),
                    record: format!("line {}, column {}", e.line(), e.column()),
                    field: String::new(),
                    message: e
                        .to_string()
                        .split(" at line ")
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                });
                None
            }
        }
    };

    // --- ConfigMgr ---
    let systems = cx.required(false, "SMS_R_System");
    let collections_raw = cx.required(false, "SMS_Collection");
    let membership = cx.required(false, "SMS_FullCollectionMembership");
    let user_records = cx.required(false, "SMS_R_User");
    let admin_records = cx.required(false, "SMS_Admin");
    let role_records = cx.required(false, "SMS_Role");
    let operation_records = cx.optional(false, "SMS_Operation");

    let mut devices: Vec<Device> = Vec::new();
    let mut device_at: HashMap<u32, usize> = HashMap::new();
    for r in &systems {
        let mut errors = Vec::new();
        let key = r.opt_str("Name").unwrap_or_default();
        let id = r.u32(&key, "ResourceID", &mut errors);
        let name = r.str(&key, "Name", &mut errors);
        let client = match r.get("Client") {
            None => {
                errors.push(r.fail(&key, "Client", "required field is missing"));
                None
            }
            Some(_) => r.opt_bool("Client").or_else(|| {
                errors.push(r.fail(&key, "Client", "expected 0, 1 or a boolean"));
                None
            }),
        };
        cx.errors.extend(errors);
        if let (Some(id), Some(name), Some(client)) = (id, name, client) {
            if device_at.insert(id, devices.len()).is_some() {
                cx.errors.push(r.fail(
                    &key,
                    "ResourceID",
                    format!("resource id `{id}` appears twice"),
                ));
                continue;
            }
            devices.push(Device {
                resource_id: id,
                name,
                client,
                os: r.opt_str("OperatingSystemNameandVersion"),
                co_managed: false,
                scope_tags: vec![String::from(DEFAULT_SCOPE_TAG)],
                entra_device_id: r.opt_str("AADDeviceID").map(|s| s.to_lowercase()),
                scope_groups: Vec::new(),
            });
        }
    }

    // Membership per collection, from SMS_FullCollectionMembership.
    let mut members: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    let mut fcm_rows: Vec<(&Record, String, u32)> = Vec::new();
    for r in &membership {
        let mut errors = Vec::new();
        let coll = r.str("", "CollectionID", &mut errors);
        let res = r.u32("", "ResourceID", &mut errors);
        cx.errors.extend(errors);
        if let (Some(c), Some(d)) = (coll, res) {
            fcm_rows.push((r, c, d));
        }
    }

    let mut collections = Vec::new();
    let mut kinds: HashMap<String, CollectionType> = HashMap::new();
    for r in &collections_raw {
        let mut errors = Vec::new();
        let id = r.str("", "CollectionID", &mut errors);
        let key = id.clone().unwrap_or_default();
        let name = r.str(&key, "Name", &mut errors);
        let kind = match r.u32(&key, "CollectionType", &mut errors) {
            Some(1) => Some(CollectionType::User),
            Some(2) => Some(CollectionType::Device),
            Some(other) => {
                errors.push(r.fail(
                    &key,
                    "CollectionType",
                    format!("`{other}` is neither 1 (user) nor 2 (device)"),
                ));
                None
            }
            None => None,
        };
        let rules_raw = r
            .lazy_array(
                &key,
                "CollectionRules",
                "collection by key (`SMS_Collection('ID')`)",
                &mut errors,
            )
            .unwrap_or_default();
        cx.errors.extend(errors);
        let (Some(id), Some(name), Some(kind)) = (id, name, kind) else {
            continue;
        };
        let mut rules = Vec::new();
        let mut query_names = Vec::new();
        let mut wql = Vec::new();
        for (i, raw) in rules_raw.iter().enumerate() {
            let Some(rule) = r.nested(raw) else {
                cx.errors.push(r.fail(
                    &key,
                    &format!("CollectionRules[{i}]"),
                    "expected an object",
                ));
                continue;
            };
            let field = |f: &str| format!("CollectionRules[{i}].{f}");
            match rule_kind(&rule) {
                Some(RuleKind::Direct) => match rule.opt_u32("ResourceID") {
                    Some(d) if kind == CollectionType::Device => {
                        rules.push(CollectionRule::Direct(vec![d]))
                    }
                    Some(_) => {} // user resources: not devices
                    None => cx.errors.push(r.fail(
                        &key,
                        &field("ResourceID"),
                        "a direct rule needs an unsigned ResourceID",
                    )),
                },
                Some(RuleKind::Query) => {
                    query_names.push(rule.opt_str("RuleName").unwrap_or_default());
                    if let Some(q) = rule.opt_str("QueryExpression") {
                        wql.push(q);
                    }
                }
                Some(RuleKind::Include) => match rule.opt_str("IncludeCollectionID") {
                    Some(t) => rules.push(CollectionRule::Include(t)),
                    None => cx.errors.push(r.fail(
                        &key,
                        &field("IncludeCollectionID"),
                        "required field is missing",
                    )),
                },
                Some(RuleKind::Exclude) => match rule.opt_str("ExcludeCollectionID") {
                    Some(t) => rules.push(CollectionRule::Exclude(t)),
                    None => cx.errors.push(r.fail(
                        &key,
                        &field("ExcludeCollectionID"),
                        "required field is missing",
                    )),
                },
                None => cx.errors.push(r.fail(
                    &key,
                    &format!("CollectionRules[{i}]"),
                    "unknown rule type: expected a direct, query, include or exclude rule",
                )),
            }
        }
        // The evaluated membership stands in for the query rules (WQL is kept for display).
        let name_of_query = if query_names.is_empty() {
            String::from("Evaluated membership (SMS_FullCollectionMembership)")
        } else {
            query_names.join(", ")
        };
        rules.insert(
            0,
            CollectionRule::Query(QueryRule {
                name: name_of_query,
                wql: (!wql.is_empty()).then(|| wql.join("\n")),
                members: Vec::new(),
            }),
        );
        let limiting = r.opt_str("LimitToCollectionID");
        kinds.insert(id.clone(), kind);
        collections.push(Collection {
            id,
            name,
            kind,
            limiting,
            rules,
        });
    }
    for (r, c, d) in fcm_rows {
        match kinds.get(&c) {
            None => cx.errors.push(r.fail(
                "",
                "CollectionID",
                format!("collection `{c}` is not in SMS_Collection"),
            )),
            Some(CollectionType::User) => {} // user resources
            Some(CollectionType::Device) => {
                if device_at.contains_key(&d) {
                    members.entry(c).or_default().insert(d);
                } else {
                    cx.errors.push(r.fail(
                        &c,
                        "ResourceID",
                        format!("resource `{d}` is not in SMS_R_System"),
                    ));
                }
            }
        }
    }
    for c in &mut collections {
        if let Some(CollectionRule::Query(q)) = c.rules.first_mut() {
            q.members = members
                .remove(&c.id)
                .map(|m| m.into_iter().collect())
                .unwrap_or_default();
        }
        // Include/exclude/limiting references must exist.
        let refs: Vec<(String, &str)> = c
            .rules
            .iter()
            .filter_map(|r| match r {
                CollectionRule::Include(t) => Some((t.clone(), "IncludeCollectionID")),
                CollectionRule::Exclude(t) => Some((t.clone(), "ExcludeCollectionID")),
                _ => None,
            })
            .chain(c.limiting.clone().map(|l| (l, "LimitToCollectionID")))
            .collect();
        for (t, field) in refs {
            if !kinds.contains_key(&t) {
                cx.errors.push(ImportError {
                    file: String::from("SMS_Collection.json"),
                    record: format!("collection `{}`", c.id),
                    field: field.to_owned(),
                    message: format!("refers to collection `{t}`, which is not in SMS_Collection"),
                });
            }
        }
    }

    // Operation names ↔ bits (ObjectTypeID 1).
    let mut bits: Vec<(u32, Operation)> = Vec::new();
    match &operation_records {
        Some(ops) => {
            for r in ops {
                let flat: Vec<Record> = match r.array("Operations") {
                    Some(inner) => inner.iter().filter_map(|v| r.nested(v)).collect(),
                    None => vec![r.clone()],
                };
                for op in flat {
                    if op.opt_u32("ObjectTypeID") != Some(1) {
                        continue;
                    }
                    if let (Some(bit), Some(name)) =
                        (op.opt_u32("BitFlag"), op.opt_str("OperationName"))
                        && let Some(o) = operation_by_name(&name)
                    {
                        bits.push((bit, o));
                    }
                }
            }
        }
        None => {
            bits.extend_from_slice(DOCUMENTED_COLLECTION_BITS);
            cx.warnings.push(String::from(
                "SMS_Operation.json not given: Collection operations are named from the documented bit table; Notify Resource, Run Script, Run CMPivot and Read BitLocker Recovery Key cannot be named without the site's catalogue",
            ));
        }
    }
    let mut roles = Vec::new();
    let mut role_ids = BTreeSet::new();
    for r in &role_records {
        let mut errors = Vec::new();
        let id = r.str("", "RoleID", &mut errors);
        let key = id.clone().unwrap_or_default();
        let name = r.str(&key, "RoleName", &mut errors);
        let ops = r.lazy_array(
            &key,
            "Operations",
            "role by key (`SMS_Role('ID')`)",
            &mut errors,
        );
        cx.errors.extend(errors);
        let (Some(id), Some(name)) = (id, name) else {
            continue;
        };
        let mut granted = 0u32;
        for op in ops.into_iter().flatten() {
            let Some(op) = r.nested(&op) else { continue };
            if op.opt_u32("ObjectTypeID") == Some(1) {
                granted |= op.opt_u32("GrantedOperations").unwrap_or(0);
            }
        }
        let mut named: BTreeSet<Operation> = BTreeSet::new();
        let mut unnamed = granted;
        for (bit, op) in &bits {
            if granted & bit != 0 {
                named.insert(*op);
                unnamed &= !bit;
            }
        }
        if unnamed != 0 && id != "SMS0001R" {
            cx.warnings.push(format!("role `{id}` ({name}) grants Collection operation bits {unnamed:#x} that no catalogue names; they are left out"));
        }
        role_ids.insert(id.clone());
        roles.push(ConfigMgrRole {
            id,
            name,
            collection_operations: named.into_iter().collect(),
            class_operations: Default::default(),
        });
    }

    let mut admins = Vec::new();
    for r in &admin_records {
        let mut errors = Vec::new();
        let key = r.opt_str("LogonName").unwrap_or_default();
        let id = r.u32(&key, "AdminID", &mut errors);
        let sid = match r.opt_str("AdminSid") {
            Some(s) => Some(s),
            None => {
                errors.push(r.fail(&key, "AdminSid", "missing: it is a lazy property, so fetch each administrative user by key (`SMS_Admin(ID)`)"));
                None
            }
        };
        let is_group = r
            .opt_bool("IsGroup")
            .unwrap_or(matches!(r.opt_u32("AccountType"), Some(1 | 129)));
        let perms = r.lazy_array(
            &key,
            "Permissions",
            "administrative user by key (`SMS_Admin(ID)`)",
            &mut errors,
        );
        cx.errors.extend(errors);
        let (Some(id), Some(sid)) = (id, sid) else {
            continue;
        };
        let mut assoc: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut scopes = BTreeSet::new();
        for (i, p) in perms.into_iter().flatten().enumerate() {
            let Some(p) = r.nested(&p) else { continue };
            let role = p.opt_str("RoleID");
            let cat = p.opt_str("CategoryID");
            match (p.opt_u32("CategoryTypeID"), role, cat) {
                (Some(1), Some(role), Some(c)) => {
                    if !role_ids.contains(&role) {
                        cx.errors.push(r.fail(
                            &key,
                            &format!("Permissions[{i}].RoleID"),
                            format!("role `{role}` is not in SMS_Role"),
                        ));
                    }
                    if !kinds.contains_key(&c) {
                        cx.errors.push(r.fail(
                            &key,
                            &format!("Permissions[{i}].CategoryID"),
                            format!("collection `{c}` is not in SMS_Collection"),
                        ));
                    }
                    assoc.entry(role).or_default().push(c);
                }
                (Some(29), Some(_), Some(scope)) => {
                    scopes.insert(scope);
                }
                _ => {}
            }
        }
        let roles: Vec<String> = assoc.keys().cloned().collect();
        let mut colls: Vec<String> = assoc.values().flatten().cloned().collect();
        colls.sort();
        colls.dedup();
        admins.push(ConfigMgrAdmin {
            id,
            account: key,
            sid,
            is_group,
            association_mode: AssociationMode::Specific,
            roles,
            collections: colls,
            scopes: scopes.into_iter().collect(),
            associations: assoc
                .into_iter()
                .map(|(role, collections)| Association { role, collections })
                .collect(),
        });
    }

    let mut discovered: BTreeMap<String, BTreeSet<DiscoveryAgent>> = BTreeMap::new();
    for r in &user_records {
        let Some(sid) = r.opt_str("SID") else {
            continue; // a user resource without a SID cannot be matched (R-G3)
        };
        let agents = r.strings("AgentName");
        let set = discovered.entry(sid.to_uppercase()).or_default();
        if agents
            .iter()
            .any(|a| a.eq_ignore_ascii_case("SMS_AD_USER_DISCOVERY_AGENT"))
        {
            set.insert(DiscoveryAgent::Ad);
        }
        if r.opt_str("AADUserID").is_some()
            || agents
                .iter()
                .any(|a| a.to_uppercase().starts_with("SMS_AZUREAD"))
        {
            set.insert(DiscoveryAgent::Entra);
        }
    }
    let discovered: Vec<DiscoveredUser> = discovered
        .into_iter()
        .filter(|(_, a)| !a.is_empty())
        .map(|(sid, a)| DiscoveredUser {
            sid,
            discovered_by: a.into_iter().collect(),
        })
        .collect();

    // --- Graph ---
    let def_records = cx.required(true, "roleDefinitions");
    let assignment_records = cx.required(true, "roleAssignments");
    let tag_records = cx.required(true, "roleScopeTags");
    let users_raw = cx.required(true, "users");
    let groups_raw = cx.required(true, "groups");
    let dir_roles = cx.required(true, "directoryRoles");
    let rbac = cx.required(true, "tenantAttachRBAC");
    let managed = cx.optional(true, "managedDevices");

    let mut scope_tags = Vec::new();
    for r in &tag_records {
        let mut errors = Vec::new();
        let id = r.str("", "id", &mut errors);
        let name = r.str(&id.clone().unwrap_or_default(), "displayName", &mut errors);
        cx.errors.extend(errors);
        if let (Some(id), Some(name)) = (id, name) {
            scope_tags.push(ScopeTag { id, name });
        }
    }
    let tag_ids: BTreeSet<String> = scope_tags
        .iter()
        .map(|t| t.id.clone())
        .chain([String::from(DEFAULT_SCOPE_TAG)])
        .collect();

    let mut role_definitions = Vec::new();
    for r in &def_records {
        let mut errors = Vec::new();
        let id = r.str("", "id", &mut errors);
        let key = id.clone().unwrap_or_default();
        let name = r.str(&key, "displayName", &mut errors);
        cx.errors.extend(errors);
        let (Some(id), Some(name)) = (id, name) else {
            continue;
        };
        let mut allowed = BTreeSet::new();
        let mut denied = BTreeSet::new();
        for field in ["rolePermissions", "permissions"] {
            for p in r.array(field).into_iter().flatten() {
                let Some(p) = r.nested(&p) else { continue };
                for legacy in p.strings("actions") {
                    allowed.insert(legacy.replace('/', "_"));
                }
                for ra in p.array("resourceActions").into_iter().flatten() {
                    let Some(ra) = r.nested(&ra) else { continue };
                    allowed.extend(ra.strings("allowedResourceActions"));
                    denied.extend(ra.strings("notAllowedResourceActions"));
                }
            }
        }
        role_definitions.push(RoleDefinition {
            id,
            name,
            built_in: r
                .opt_bool("isBuiltIn")
                .or_else(|| r.opt_bool("isBuiltInRoleDefinition"))
                .unwrap_or(false),
            permissions: allowed.difference(&denied).cloned().collect(),
        });
    }
    let def_ids: BTreeSet<String> = role_definitions.iter().map(|d| d.id.clone()).collect();

    // Users and groups.
    let mut users = Vec::new();
    for r in &users_raw {
        let mut errors = Vec::new();
        let id = r.str("", "id", &mut errors);
        let key = id.clone().unwrap_or_default();
        let upn = r.str(&key, "userPrincipalName", &mut errors);
        cx.errors.extend(errors);
        if let (Some(id), Some(upn)) = (id, upn) {
            users.push(EntraUser {
                id,
                upn,
                on_premises_sid: r.opt_str("onPremisesSecurityIdentifier"),
                on_premises_group_sids: Vec::new(),
                directory_roles: Vec::new(),
            });
        }
    }
    let user_ids: BTreeSet<String> = users.iter().map(|u| u.id.clone()).collect();
    let mut groups = Vec::new();
    let mut group_sids: BTreeMap<String, String> = BTreeMap::new();
    let mut group_ids: BTreeSet<String> = BTreeSet::new();
    for r in &groups_raw {
        if let Some(id) = r.opt_str("id") {
            group_ids.insert(id);
        }
    }
    for r in &groups_raw {
        let mut errors = Vec::new();
        let id = r.str("", "id", &mut errors);
        let key = id.clone().unwrap_or_default();
        let name = r.str(&key, "displayName", &mut errors);
        cx.errors.extend(errors);
        let (Some(id), Some(name)) = (id, name) else {
            continue;
        };
        let list = r
            .array("members")
            .or_else(|| r.array("transitiveMembers"))
            .unwrap_or_default();
        if list.len() == 20 {
            cx.warnings.push(format!("group `{name}` has exactly 20 members: if they came from `$expand=members`, Graph truncated the list (export /groups/{{id}}/members instead)"));
        }
        let mut members = Vec::new();
        for (i, m) in list.iter().enumerate() {
            let Some(m) = r.nested(m) else { continue };
            let t = m.opt_str("@odata.type").unwrap_or_default().to_lowercase();
            let Some(mid) = m.opt_str("id") else { continue };
            let is_user = t.ends_with("user") || (t.is_empty() && user_ids.contains(&mid));
            let is_group = t.ends_with("group") || (t.is_empty() && group_ids.contains(&mid));
            if is_user {
                if user_ids.contains(&mid) {
                    members.push(mid);
                } else {
                    cx.errors.push(r.fail(
                        &name,
                        &format!("members[{i}]"),
                        format!("user `{mid}` is not in users.json"),
                    ));
                }
            } else if is_group {
                if group_ids.contains(&mid) {
                    members.push(mid);
                } else {
                    cx.errors.push(r.fail(
                        &name,
                        &format!("members[{i}]"),
                        format!("group `{mid}` is not in groups.json"),
                    ));
                }
            } // devices, service principals, contacts: not administrators
        }
        if let Some(sid) = r.opt_str("onPremisesSecurityIdentifier") {
            group_sids.insert(id.clone(), sid);
        }
        groups.push(EntraGroup { id, name, members });
    }
    // A user's on-premises group SIDs: the synced groups holding the user, through nesting.
    {
        let mut parents: HashMap<&str, Vec<&str>> = HashMap::new();
        for g in &groups {
            for m in &g.members {
                parents.entry(m.as_str()).or_default().push(g.id.as_str());
            }
        }
        let mut sids_of: Vec<Vec<String>> = Vec::new();
        for u in &users {
            let mut seen: BTreeSet<&str> = BTreeSet::new();
            let mut stack: Vec<&str> = parents.get(u.id.as_str()).cloned().unwrap_or_default();
            while let Some(g) = stack.pop() {
                if seen.insert(g) {
                    stack.extend(parents.get(g).cloned().unwrap_or_default());
                }
            }
            sids_of.push(
                seen.iter()
                    .filter_map(|g| group_sids.get(*g).cloned())
                    .collect(),
            );
        }
        for (u, sids) in users.iter_mut().zip(sids_of) {
            u.on_premises_group_sids = sids;
        }
    }
    // Directory roles (keyed on roleTemplateId; role-assignable groups expanded one level).
    for r in &dir_roles {
        let template = r
            .opt_str("roleTemplateId")
            .or_else(|| r.opt_str("roleDefinitionId"))
            .unwrap_or_default()
            .to_lowercase();
        let role = match template.as_str() {
            GLOBAL_ADMINISTRATOR_TEMPLATE => DirectoryRole::GlobalAdministrator,
            INTUNE_ADMINISTRATOR_TEMPLATE => DirectoryRole::IntuneAdministrator,
            _ => continue,
        };
        let mut principals: Vec<String> = Vec::new();
        for m in r.array("members").into_iter().flatten() {
            if let Some(m) = r.nested(&m).and_then(|m| m.opt_str("id")) {
                principals.push(m);
            }
        }
        if let Some(p) = r.opt_str("principalId") {
            principals.push(p);
        }
        for p in principals {
            let holders: Vec<String> = match groups.iter().find(|g| g.id == p) {
                Some(g) => g.members.clone(),
                None => vec![p],
            };
            for h in holders {
                if let Some(u) = users.iter_mut().find(|u| u.id == h)
                    && !u.directory_roles.contains(&role)
                {
                    u.directory_roles.push(role);
                }
            }
        }
    }

    let mut role_assignments = Vec::new();
    for r in &assignment_records {
        let mut errors = Vec::new();
        let id = r.str("", "id", &mut errors);
        let key = id.clone().unwrap_or_default();
        let name = r.opt_str("displayName").unwrap_or_else(|| key.clone());
        let role = r
            .get("roleDefinition")
            .and_then(|v| r.nested(v))
            .and_then(|d| d.opt_str("id"))
            .or_else(|| r.opt_str("roleDefinitionId"));
        if role.is_none() {
            errors.push(r.fail(&key, "roleDefinition", "missing: list with `$expand=roleDefinition`, or per role definition (`roleDefinitions/{id}/roleAssignments`) with `roleDefinitionId`"));
        }
        cx.errors.extend(errors);
        let (Some(id), Some(role)) = (id, role) else {
            continue;
        };
        if !def_ids.contains(&role) {
            cx.errors.push(r.fail(
                &id,
                "roleDefinition",
                format!("role definition `{role}` is not in roleDefinitions.json"),
            ));
        }
        let members = r.strings("members");
        for (i, m) in members.iter().enumerate() {
            if !group_ids.contains(m) {
                cx.errors.push(r.fail(
                    &id,
                    &format!("members[{i}]"),
                    format!("group `{m}` is not in groups.json"),
                ));
            }
        }
        let mut scope_groups: BTreeSet<String> = r.strings("resourceScopes").into_iter().collect();
        scope_groups.extend(r.strings("scopeMembers"));
        for g in &scope_groups {
            if !group_ids.contains(g) {
                cx.errors.push(r.fail(
                    &id,
                    "resourceScopes",
                    format!("scope group `{g}` is not in groups.json"),
                ));
            }
        }
        let scope_type = r
            .opt_str("scopeType")
            .unwrap_or_else(|| String::from("resourceScope"))
            .to_lowercase();
        let scope = match scope_type.as_str() {
            "alldevices" | "alldevicesandlicensedusers" => AssignmentScope::all_devices(),
            "resourcescope" => AssignmentScope {
                all_devices: None,
                groups: Some(scope_groups.into_iter().collect()),
            },
            // All users: no device is in scope.
            _ => AssignmentScope {
                all_devices: None,
                groups: Some(Vec::new()),
            },
        };
        let tags = r.strings("roleScopeTagIds");
        for t in &tags {
            if !tag_ids.contains(t) {
                cx.errors.push(r.fail(
                    &id,
                    "roleScopeTagIds",
                    format!("scope tag `{t}` is not in roleScopeTags.json"),
                ));
            }
        }
        role_assignments.push(RoleAssignment {
            id,
            name,
            role,
            members,
            scope,
            scope_tags: tags,
        });
    }

    // Co-managed devices from managedDevices.json.
    if let Some(managed) = &managed {
        let by_aad: HashMap<String, usize> = devices
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.entra_device_id.clone().map(|a| (a.to_lowercase(), i)))
            .collect();
        for r in managed {
            let agent = r
                .opt_str("managementAgent")
                .unwrap_or_default()
                .to_lowercase();
            if !agent.starts_with("configurationmanagerclientmdm") {
                continue;
            }
            let aad = r
                .opt_str("azureADDeviceId")
                .or_else(|| r.opt_str("azureActiveDirectoryDeviceId"))
                .map(|a| a.to_lowercase());
            let name = r.opt_str("deviceName").unwrap_or_default();
            let at = aad
                .as_ref()
                .and_then(|a| by_aad.get(a).copied())
                .or_else(|| {
                    devices
                        .iter()
                        .position(|d| d.name.eq_ignore_ascii_case(&name))
                });
            let Some(at) = at else {
                cx.warnings.push(format!("co-managed device `{name}` matches no ConfigMgr device (by azureADDeviceId or name)"));
                continue;
            };
            let tags = r.strings("roleScopeTagIds");
            if let Some(d) = devices.get_mut(at) {
                d.co_managed = true;
                d.scope_tags = if tags.is_empty() {
                    vec![String::from(DEFAULT_SCOPE_TAG)]
                } else {
                    tags
                };
            }
        }
    }

    // tenantAttachRBAC → tenant.use_intune_rbac.
    let enabled = rbac.iter().find_map(|r| r.opt_bool("enabled"));

    let Some(mut settings) = settings else {
        return Err(cx.errors);
    };
    if let Some(e) = enabled {
        if settings.tenant.use_intune_rbac != e {
            cx.warnings.push(format!(
                "tenantAttachRBAC says the *Use Intune RBAC* toggle is {}; the settings file said {}: the export wins",
                if e { "on" } else { "off" },
                if settings.tenant.use_intune_rbac { "on" } else { "off" }
            ));
        }
        settings.tenant.use_intune_rbac = e;
    }
    for p in &settings.devices {
        let Some(d) = device_at
            .get(&p.resource_id)
            .and_then(|i| devices.get_mut(*i))
        else {
            cx.errors.push(ImportError {
                file: inputs.settings.name.clone(),
                record: format!("device `{}`", p.resource_id),
                field: String::from("resource_id"),
                message: String::from("no device with this resource id in SMS_R_System"),
            });
            continue;
        };
        if let Some(v) = &p.name {
            d.name.clone_from(v);
        }
        if let Some(v) = p.client {
            d.client = v;
        }
        if let Some(v) = &p.os {
            d.os = Some(v.clone());
        }
        if let Some(v) = p.co_managed {
            d.co_managed = v;
        }
        if let Some(v) = &p.scope_tags {
            d.scope_tags.clone_from(v);
        }
        if let Some(v) = &p.entra_device_id {
            d.entra_device_id = Some(v.clone());
        }
        if let Some(v) = &p.scope_groups {
            d.scope_groups.clone_from(v);
        }
    }

    if !cx.errors.is_empty() {
        return Err(cx.errors);
    }
    let snapshot = Snapshot {
        schema: String::from(SCHEMA),
        tenant: settings.tenant,
        hierarchy: settings.hierarchy,
        devices,
        collections,
        configmgr: ConfigMgr {
            scripts: None,
            roles,
            admins,
            users: discovered,
        },
        entra: Entra { users, groups },
        intune: Intune {
            scope_tags,
            role_definitions,
            role_assignments,
        },
        policy: settings.policy,
        x: Some(serde_json::json!({"imported_by": "tenant-attach import"})),
    };
    // What the exports could not catch, validation does (R-C3 cycles, R-U5, R-S1…).
    let diags = tenant_attach::validate(&snapshot);
    let input_errors: Vec<ImportError> = diags
        .errors()
        .filter(|d| d.severity() == tenant_attach::Severity::InputError)
        .map(|d| ImportError {
            file: String::from("(imported snapshot)"),
            record: d.path().to_owned(),
            field: String::new(),
            message: format!("[{}] {}", d.rule(), d.message()),
        })
        .collect();
    if !input_errors.is_empty() {
        return Err(input_errors);
    }
    Ok(Imported {
        snapshot,
        warnings: cx.warnings,
    })
}
