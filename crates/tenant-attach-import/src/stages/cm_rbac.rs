//! Stage: ConfigMgr RBAC (`SMS_Role`, `SMS_Admin`, the operation catalogue `SMS_Operation` /
//! `SMS_RbacSecuredObject`, security scope names `SMS_SecuredCategory`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use tenant_attach::access::configmgr::FULL_ADMINISTRATOR;
use tenant_attach::snapshot::{Association, AssociationMode, ConfigMgrAdmin, ConfigMgrRole};
use tenant_attach::{ClassOperation, Operation, SecuredClass};

use crate::constants::{
    ACCOUNT_TYPES_GROUP, ALL_SECURITY_SCOPE, CATEGORY_TYPE_COLLECTION,
    CATEGORY_TYPE_SECURITY_SCOPE, COLLECTION_OBJECT_TYPE_ID, DEFAULT_SECURITY_SCOPE,
    DOCUMENTED_COLLECTION_BITS,
};
use crate::error::Report;
use crate::exports;
use crate::records::Record;
use crate::stages::collections::{Collections, Found};
use crate::stages::discovery::Discovery;

/// The site's catalogue of operation names by `ObjectTypeID` and bit.
#[derive(Debug, Default)]
pub(crate) struct Catalogue {
    /// Whether any catalogue file was given.
    pub given: bool,
    names: BTreeMap<u32, Vec<(u32, String)>>,
}

/// An operation name as the site's catalogue spells it (`Notify Resource`), in snake case.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out
}

/// A Collection operation by its catalogue name.
fn operation_by_name(name: &str) -> Option<Operation> {
    let snake = snake(name);
    Operation::from_name(&snake).or(match snake.as_str() {
        "modify_collection_settings" => Some(Operation::ModifyCollectionSetting),
        "manage_bmc" | "control_amt" => Some(Operation::ControlAmt),
        "read_bitlocker_recovery_keys" => Some(Operation::ReadBitlockerRecoveryKey),
        _ => None,
    })
}

/// `SMS_Operation` rows, or `SMS_RbacSecuredObject` rows with their lazy `Operations`.
pub(crate) fn catalogue(operations: Option<&[Record]>, secured: Option<&[Record]>) -> Catalogue {
    let mut out = Catalogue::default();
    for r in operations.into_iter().chain(secured).flatten() {
        out.given = true;
        let parent = r.opt_u32("ObjectTypeID");
        let flat: Vec<Record> = match r.array("Operations") {
            Some(inner) => inner.iter().filter_map(|v| r.nested(v)).collect(),
            None => vec![r.clone()],
        };
        for op in flat {
            if let (Some(t), Some(bit), Some(name)) = (
                op.opt_u32("ObjectTypeID").or(parent),
                op.opt_u32("BitFlag"),
                op.opt_str("OperationName"),
            ) {
                out.names.entry(t).or_default().push((bit, name));
            }
        }
    }
    out
}

impl Catalogue {
    /// Bit → operation for the Collection class.
    fn collection_bits(&self) -> Vec<(u32, Operation)> {
        match self.names.get(&COLLECTION_OBJECT_TYPE_ID) {
            Some(names) => names
                .iter()
                .filter_map(|(bit, n)| operation_by_name(n).map(|o| (*bit, o)))
                .collect(),
            None => DOCUMENTED_COLLECTION_BITS.to_vec(),
        }
    }

    /// Bit → operation for another class (R-G6).
    fn class_bits(&self, class: SecuredClass) -> Vec<(u32, ClassOperation)> {
        match self.names.get(&class.object_type_id()) {
            Some(names) => names
                .iter()
                .filter_map(|(bit, n)| ClassOperation::from_name(&snake(n)).map(|o| (*bit, o)))
                .collect(),
            None => ClassOperation::ALL.iter().map(|o| (o.bit(), *o)).collect(),
        }
    }

    /// The bits the catalogue names for an `ObjectTypeID`, named or not by our model.
    fn named_bits(&self, object_type: u32) -> Option<u32> {
        self.names
            .get(&object_type)
            .map(|n| n.iter().fold(0, |acc, (bit, _)| acc | bit))
    }
}

/// The roles, and their ids by name.
#[derive(Debug, Default)]
pub(crate) struct Roles {
    pub list: Vec<ConfigMgrRole>,
    /// Lowercase name → the ids of the roles of that name (names should be unique).
    by_name: HashMap<String, Vec<String>>,
    /// Uppercase id → id.
    by_id: HashMap<String, String>,
}

/// Names the granted bits; returns the operations and the bits left unnamed.
fn name_bits<T: Ord + Copy>(granted: u32, bits: &[(u32, T)], known: Option<u32>) -> (Vec<T>, u32) {
    let mut named = BTreeSet::new();
    let mut unnamed = granted & !known.unwrap_or(0);
    for (bit, op) in bits {
        if granted & bit != 0 {
            named.insert(*op);
            unnamed &= !bit;
        }
    }
    (named.into_iter().collect(), unnamed)
}

/// `SMS_Role` rows → roles: Collection operations and the operations on Site, Application and
/// SMS Scripts (R-G6), named through the catalogue or the documented bits.
pub(crate) fn roles(records: &[Record], catalogue: &Catalogue, report: &mut Report) -> Roles {
    if !catalogue.given {
        report.warn(
            "SMS_Operation.json not given: operations are named from the documented bits; Notify Resource, Run Script, Run CMPivot and Read BitLocker Recovery Key (Collection) and any undocumented bit of Site, Application and SMS Scripts cannot be named without the site's catalogue",
        );
    }
    let collection_bits = catalogue.collection_bits();
    let mut out = Roles::default();
    for r in records {
        let Some((id, name)) = r.key_and("RoleID", "RoleName", &mut report.errors) else {
            continue;
        };
        let key = id.clone();
        let full_administrator = id.eq_ignore_ascii_case(FULL_ADMINISTRATOR);
        let ops = match r.lazy_array(&key, "Operations") {
            // Full Administrator grants everything whatever it lists (R-G5).
            Ok(None) if full_administrator => Vec::new(),
            Ok(Some(ops)) if !ops.is_empty() || full_administrator => ops,
            // A list call gives the lazy property absent or `[]`; a role grants something.
            Ok(found) => {
                report.error(r.fail(
                    &key,
                    "Operations",
                    format!(
                        "{}: it is a lazy property, so fetch each role by key (`SMS_Role('ID')`); without it the role would grant nothing",
                        if found.is_some() { "empty" } else { "missing" }
                    ),
                ));
                Vec::new()
            }
            Err(e) => {
                report.error(e);
                Vec::new()
            }
        };
        let mut granted: BTreeMap<u32, u32> = BTreeMap::new();
        for op in &ops {
            let Some(op) = r.nested(op) else { continue };
            if let Some(t) = op.opt_u32("ObjectTypeID") {
                *granted.entry(t).or_default() |= op.opt_u32("GrantedOperations").unwrap_or(0);
            }
        }
        let warn_unnamed = |report: &mut Report, class: &str, unnamed: u32| {
            if unnamed != 0 && !full_administrator {
                report.warn(format!(
                    "{}: role `{id}` ({name}) grants {class} operation bits {unnamed:#x} that no catalogue names; they are left out",
                    r.file
                ));
            }
        };
        let (collection_operations, unnamed) = name_bits(
            granted
                .get(&COLLECTION_OBJECT_TYPE_ID)
                .copied()
                .unwrap_or(0),
            &collection_bits,
            catalogue.named_bits(COLLECTION_OBJECT_TYPE_ID),
        );
        warn_unnamed(report, "Collection", unnamed);
        let mut class_operations = BTreeMap::new();
        for class in SecuredClass::ALL {
            let Some(bits) = granted.get(&class.object_type_id()) else {
                continue;
            };
            let (ops, unnamed) = name_bits(
                *bits,
                &catalogue.class_bits(*class),
                catalogue.named_bits(class.object_type_id()),
            );
            warn_unnamed(report, class.display_name(), unnamed);
            if !ops.is_empty() {
                class_operations.insert(*class, ops);
            }
        }
        out.by_name
            .entry(name.to_lowercase())
            .or_default()
            .push(id.clone());
        out.by_id.insert(id.to_uppercase(), id.clone());
        out.list.push(ConfigMgrRole {
            id,
            name,
            collection_operations,
            class_operations,
        });
    }
    out
}

/// Security scopes: name ↔ id.
#[derive(Debug, Default)]
pub(crate) struct Scopes {
    /// Lowercase name → id.
    by_name: HashMap<String, String>,
    /// Uppercase id → id.
    by_id: HashMap<String, String>,
}

impl Scopes {
    fn add(&mut self, id: &str, name: &str) {
        self.by_name.insert(name.to_lowercase(), id.to_owned());
        self.by_id.insert(id.to_uppercase(), id.to_owned());
    }

    /// A scope id by name (or by id), case-insensitively.
    pub fn resolve(&self, name: &str) -> Option<String> {
        self.by_name
            .get(&name.to_lowercase())
            .or_else(|| self.by_id.get(&name.to_uppercase()))
            .cloned()
    }
}

/// Scope names from the built-ins, `SMS_SecuredCategory` and the admins' `Permissions` rows.
pub(crate) fn scopes(categories: Option<&[Record]>, admins: &[Record]) -> Scopes {
    let mut out = Scopes::default();
    for (id, name) in [DEFAULT_SECURITY_SCOPE, ALL_SECURITY_SCOPE] {
        out.add(id, name);
    }
    for r in categories.into_iter().flatten() {
        if let (Some(id), Some(name)) = (r.opt_str("CategoryID"), r.opt_str("CategoryName")) {
            out.add(&id, &name);
        }
    }
    for a in admins {
        for p in a.array("Permissions").into_iter().flatten() {
            if let Some(p) = a.nested(&p)
                && p.opt_u32("CategoryTypeID") == Some(CATEGORY_TYPE_SECURITY_SCOPE)
                && let (Some(id), Some(name)) = (p.opt_str("CategoryID"), p.opt_str("CategoryName"))
            {
                out.add(&id, &name);
            }
        }
    }
    out
}

/// Where an admin's associations come from.
struct Granted {
    mode: AssociationMode,
    assoc: BTreeMap<String, Vec<String>>,
    roles: BTreeSet<String>,
    collections: BTreeSet<String>,
    scopes: BTreeSet<String>,
    /// Type-0 collections dropped from the assignment.
    dropped: BTreeSet<String>,
}

/// What the admins' references resolve against, and whether inferring is allowed.
pub(crate) struct Context<'a> {
    pub roles: &'a Roles,
    pub collections: &'a Collections,
    pub scopes: &'a Scopes,
    pub discovery: &'a Discovery,
    /// `import --strict`: an admin without `Permissions` is an error, not a cross product, and
    /// one without `AdminSid` an error, not a SID found in discovery by logon name.
    pub strict: bool,
}

/// `SMS_Admin` rows → administrative users. `Permissions` gives specific associations (an
/// empty list on a record fetched by key, with `AdminSid`, pairs *no* collection: its roles in
/// `RoleNames` are held without one); without it (a list call) the names give a cross product
/// marked `associations_inferred`, with a warning, or an error when `strict`.
pub(crate) fn admins(
    records: &[Record],
    cx: &Context<'_>,
    report: &mut Report,
) -> Vec<ConfigMgrAdmin> {
    let Context {
        roles,
        collections,
        scopes,
        discovery,
        strict,
    } = *cx;
    let mut out = Vec::new();
    let mut dropped_all: BTreeSet<String> = BTreeSet::new();
    for r in records {
        let mut errors = Vec::new();
        let key = r.opt_str("LogonName").unwrap_or_default();
        let id = r.u32(&key, "AdminID", &mut errors);
        report.errors.extend(errors);
        let sid = match r.opt_str("AdminSid") {
            Some(s) => Some(s),
            None if strict => {
                report.error(r.fail(
                    &key,
                    "AdminSid",
                    format!(
                        "admin `{key}`: missing (a lazy property: a list call): `--strict` does not take the SID from discovery by logon name; fetch each admin by key (`SMS_Admin(ID)`)"
                    ),
                ));
                None
            }
            None => match discovery.sid_by_account.get(&key.to_lowercase()) {
                Some(sid) => {
                    report.warn(format!(
                        "{}: admin `{key}`: `AdminSid` (a lazy property) is missing: the SID `{sid}` comes from discovery (SMS_R_User or SMS_R_UserGroup) by logon name",
                        r.file
                    ));
                    Some(sid.clone())
                }
                None => {
                    report.refer(&exports::SMS_R_USER, r.fail(&key, "AdminSid", "missing: it is a lazy property, so fetch each administrative user by key (`SMS_Admin(ID)`), or export the discovery record of this account"));
                    None
                }
            },
        };
        let is_group = r.opt_bool("IsGroup").unwrap_or_else(|| {
            r.opt_u32("AccountType")
                .is_some_and(|t| ACCOUNT_TYPES_GROUP.contains(&t))
        });
        // A record fetched by key carries its lazy properties: `AdminSid` beside `Permissions`.
        let fetched_by_key = r.opt_str("AdminSid").is_some();
        let granted = match r.lazy_array(&key, "Permissions") {
            // An empty list from a GET by key: the admin has no association (never a guess).
            Ok(Some(perms)) if !perms.is_empty() || fetched_by_key => {
                specific(r, &key, &perms, roles, collections, report)
            }
            // A list call: absent, or `[]` without the other lazy property.
            Ok(_) if strict => {
                report.error(r.fail(
                    &key,
                    "Permissions",
                    format!(
                        "admin `{key}`: missing (a lazy property: a list call): `--strict` does not infer associations from `RoleNames` × `CollectionNames`; fetch each admin by key (`SMS_Admin(ID)`)"
                    ),
                ));
                continue;
            }
            Ok(_) => {
                let g = cross_product(r, &key, roles, collections, scopes, report);
                report.warn(format!(
                    "{}: admin `{key}`: `Permissions` (a lazy property) is missing, or empty without `AdminSid` (a list call): every role ({}) pairs with every collection ({}), which may grant more than the admin's specific associations; the snapshot marks them `associations_inferred` (fetch each admin by key, `SMS_Admin(ID)`, to keep them; `--strict` refuses to infer)",
                    r.file,
                    g.roles.iter().cloned().collect::<Vec<_>>().join(", "),
                    g.collections.iter().cloned().collect::<Vec<_>>().join(", "),
                ));
                g
            }
            Err(e) => {
                report.error(e);
                continue;
            }
        };
        dropped_all.extend(granted.dropped.iter().cloned());
        let (Some(id), Some(sid)) = (id, sid) else {
            continue;
        };
        out.push(ConfigMgrAdmin {
            id,
            account: key,
            sid,
            is_group,
            associations_inferred: granted.mode == AssociationMode::CrossProduct,
            association_mode: granted.mode,
            roles: granted.roles.into_iter().collect(),
            collections: granted.collections.into_iter().collect(),
            scopes: granted.scopes.into_iter().collect(),
            associations: granted
                .assoc
                .into_iter()
                .map(|(role, collections)| Association { role, collections })
                .collect(),
        });
    }
    if !dropped_all.is_empty() {
        report.warn(format!(
            "SMS_Admin.json: assigned collections of type 0 (other) hold no devices and are left out: {}",
            dropped_all
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out
}

fn specific(
    r: &Record,
    key: &str,
    perms: &[serde_json::Value],
    roles: &Roles,
    collections: &Collections,
    report: &mut Report,
) -> Granted {
    let mut g = Granted {
        mode: AssociationMode::Specific,
        assoc: BTreeMap::new(),
        roles: BTreeSet::new(),
        collections: BTreeSet::new(),
        scopes: BTreeSet::new(),
        dropped: BTreeSet::new(),
    };
    for (i, p) in perms.iter().enumerate() {
        let Some(p) = r.nested(p) else { continue };
        let (Some(role), Some(cat)) = (p.opt_str("RoleID"), p.opt_str("CategoryID")) else {
            continue;
        };
        match p.opt_u32("CategoryTypeID") {
            Some(CATEGORY_TYPE_COLLECTION) => {
                let Some(role) = roles.by_id.get(&role.to_uppercase()).cloned() else {
                    report.refer(
                        &exports::SMS_ROLE,
                        r.fail(
                            key,
                            &format!("Permissions[{i}].RoleID"),
                            format!("role `{role}` is not in SMS_Role"),
                        ),
                    );
                    continue;
                };
                match collections.by_id(&cat) {
                    Found::Collection(c) => {
                        g.roles.insert(role.clone());
                        g.collections.insert(c.clone());
                        let list = g.assoc.entry(role).or_default();
                        if !list.contains(&c) {
                            list.push(c);
                        }
                    }
                    Found::Other(c) => {
                        g.dropped.insert(c);
                    }
                    Found::Unknown => report.refer(
                        &exports::SMS_COLLECTION,
                        r.fail(
                            key,
                            &format!("Permissions[{i}].CategoryID"),
                            format!("collection `{cat}` is not in SMS_Collection"),
                        ),
                    ),
                }
            }
            Some(CATEGORY_TYPE_SECURITY_SCOPE) => {
                // A role held only through scope rows (no collection yet) still grants its
                // operations on other classes (R-G6): it becomes an association without
                // collections.
                if let Some(role) = roles.by_id.get(&role.to_uppercase()).cloned() {
                    g.roles.insert(role.clone());
                    g.assoc.entry(role).or_default();
                }
                g.scopes.insert(cat);
            }
            _ => {}
        }
    }
    // A role in `RoleNames` that no row names is held without a collection or scope (a GET by
    // key carries the names beside `Permissions`): an association without collections, as for
    // scope rows, so that its operations on other classes (R-G6) are kept; no collection is
    // inferred.
    for (i, name) in r.strings("RoleNames").iter().enumerate() {
        let ids = roles
            .by_name
            .get(&name.to_lowercase())
            .map(Vec::as_slice)
            .unwrap_or_default();
        match ids {
            [] => report.refer(
                &exports::SMS_ROLE,
                r.fail(
                    key,
                    &format!("RoleNames[{i}]"),
                    format!("role `{name}` is not in SMS_Role (by `RoleName`)"),
                ),
            ),
            _ if ids.iter().any(|id| g.assoc.contains_key(id)) => {}
            [id] => {
                g.roles.insert(id.clone());
                g.assoc.entry(id.clone()).or_default();
            }
            _ => report.error(r.fail(
                key,
                &format!("RoleNames[{i}]"),
                format!("several roles are named `{name}` and no `Permissions` row says which one the admin holds"),
            )),
        }
    }
    g
}

fn cross_product(
    r: &Record,
    key: &str,
    roles: &Roles,
    collections: &Collections,
    scopes: &Scopes,
    report: &mut Report,
) -> Granted {
    let mut g = Granted {
        mode: AssociationMode::CrossProduct,
        assoc: BTreeMap::new(),
        roles: BTreeSet::new(),
        collections: BTreeSet::new(),
        scopes: BTreeSet::new(),
        dropped: BTreeSet::new(),
    };
    for (i, name) in r.strings("RoleNames").iter().enumerate() {
        match roles.by_name.get(&name.to_lowercase()).map(Vec::as_slice) {
            Some([id]) => {
                g.roles.insert(id.clone());
            }
            Some([_, _, ..]) => report.error(r.fail(
                key,
                &format!("RoleNames[{i}]"),
                format!("several roles are named `{name}`: export `Permissions` (fetch each admin by key) to tell them apart"),
            )),
            Some([]) | None => report.refer(
                &exports::SMS_ROLE,
                r.fail(
                    key,
                    &format!("RoleNames[{i}]"),
                    format!("role `{name}` is not in SMS_Role (by `RoleName`)"),
                ),
            ),
        }
    }
    for (i, name) in r.strings("CollectionNames").iter().enumerate() {
        match collections.by_name(name).as_slice() {
            [Found::Collection(c)] => {
                g.collections.insert(c.clone());
            }
            [Found::Other(c)] => {
                g.dropped.insert(c.clone());
            }
            [] | [Found::Unknown] => report.refer(&exports::SMS_COLLECTION, r.fail(
                key,
                &format!("CollectionNames[{i}]"),
                format!("collection `{name}` is not in SMS_Collection (by `Name`)"),
            )),
            _ => report.error(r.fail(
                key,
                &format!("CollectionNames[{i}]"),
                format!("several collections are named `{name}`: export `Permissions` (fetch each admin by key) to tell them apart"),
            )),
        }
    }
    for (i, name) in r.strings("CategoryNames").iter().enumerate() {
        match scopes.resolve(name) {
            Some(id) => {
                g.scopes.insert(id);
            }
            None => report.refer(&exports::SMS_SECURED_CATEGORY, r.fail(
                key,
                &format!("CategoryNames[{i}]"),
                format!(
                    "security scope `{name}` is neither built in nor in SMS_SecuredCategory.json"
                ),
            )),
        }
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exports::SMS_ROLE;
    use crate::records::{Source, read};

    fn records(text: &str) -> Vec<Record> {
        let mut errors = Vec::new();
        let r = read(
            &[Source::text("SMS_Role.json", text)],
            &SMS_ROLE,
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
        r.unwrap()
    }

    /// R-G6: ObjectTypeIDs 6, 31 and 213 become class operations, named by the documented bits
    /// without a catalogue (the rest is a warning), by the catalogue with one.
    #[test]
    fn r_g6_class_operations_from_role_operations() {
        let text = r#"{"value":[{"RoleID":"PS100009","RoleName":"Script Runners","Operations":[
            {"ObjectTypeID":6,"GrantedOperations":1},{"ObjectTypeID":31,"GrantedOperations":2049},
            {"ObjectTypeID":213,"GrantedOperations":8193}]}]}"#;
        let mut report = Report::default();
        let r = roles(&records(text), &Catalogue::default(), &mut report);
        let ops = &r.list[0].class_operations;
        assert_eq!(ops[&SecuredClass::Site], [ClassOperation::Read]);
        assert_eq!(
            ops[&SecuredClass::Application],
            [ClassOperation::Read, ClassOperation::Approve]
        );
        assert_eq!(ops[&SecuredClass::Scripts], [ClassOperation::Read]);
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.contains("SMS Scripts operation bits 0x2000")),
            "{:?}",
            report.warnings
        );

        let cat = records(
            r#"[{"ObjectTypeID":213,"BitFlag":8192,"OperationName":"Approve"},{"ObjectTypeID":213,"BitFlag":1,"OperationName":"Read"}]"#,
        );
        let catalogue = catalogue(Some(&cat), None);
        let mut report = Report::default();
        let r = roles(&records(text), &catalogue, &mut report);
        assert_eq!(
            r.list[0].class_operations[&SecuredClass::Scripts],
            [ClassOperation::Read, ClassOperation::Approve]
        );
        assert!(
            !report.warnings.iter().any(|w| w.contains("SMS Scripts")),
            "{:?}",
            report.warnings
        );
    }

    /// R-G5: Full Administrator may come without `Operations`; any other role may not.
    #[test]
    fn r_g5_only_full_administrator_may_lack_operations() {
        let mut report = Report::default();
        roles(
            &records(
                r#"[{"RoleID":"SMS0001R","RoleName":"Full Administrator"},{"RoleID":"SMS0002R","RoleName":"Read-only Analyst"},
                    {"RoleID":"SMS0004R","RoleName":"Asset Manager","Operations":[]}]"#,
            ),
            &Catalogue {
                given: true,
                ..Catalogue::default()
            },
            &mut report,
        );
        assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
        assert!(report.errors[0].to_string().contains("`SMS0002R`"));
        assert!(report.errors[0].message.starts_with("missing"));
        assert!(report.errors[0].message.contains("SMS_Role('ID')"));
        assert!(report.errors[1].to_string().contains("`SMS0004R`"));
        assert!(report.errors[1].message.starts_with("empty"));
    }
}
