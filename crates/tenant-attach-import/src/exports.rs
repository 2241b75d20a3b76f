//! The export files the importer reads: their names, which are optional, and the field every
//! record of a list carries (how a bare object is told apart from a broken file).

/// Which directory an export lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// ConfigMgr AdminService / WMI classes.
    ConfigMgr,
    /// Microsoft Graph.
    Graph,
}

/// One export: a class or an endpoint, saved as `NAME.json` or pages `NAME.1.json`, ….
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Export {
    /// The file name without `.json`, e.g. `SMS_Collection`.
    pub name: &'static str,
    /// Its directory.
    pub side: Side,
    /// Whether the import fails without it.
    pub required: bool,
    /// The field each record carries (a bare object with it is one record); `None` for an
    /// export documented as a single object.
    pub key: Option<&'static str>,
    /// What identifies a record: two records with the same values of these fields (compared
    /// case-insensitively) are an error, or for [`Duplicates::KeepFirst`] one record kept with a
    /// warning. Empty: no check here (the stage checks what needs checking).
    pub unique: &'static [&'static str],
    /// What two records with the same `unique` fields mean.
    pub duplicates: Duplicates,
}

/// What two records of one export with the same identifying fields mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duplicates {
    /// An error: the export is broken (which of the two is right cannot be known).
    Error,
    /// The same fact listed twice (`SMS_FullCollectionMembership` lists a resource once per site
    /// in a hierarchy; an `SMS_Operation` row names the same bit the same way): the first row is
    /// kept, with one warning.
    KeepFirst,
}

const fn cm(name: &'static str, required: bool, key: &'static str) -> Export {
    Export {
        name,
        side: Side::ConfigMgr,
        required,
        key: Some(key),
        unique: &[],
        duplicates: Duplicates::Error,
    }
}

const fn graph(name: &'static str, required: bool) -> Export {
    Export {
        name,
        side: Side::Graph,
        required,
        key: Some("id"),
        unique: &["id"],
        duplicates: Duplicates::Error,
    }
}

const fn unique(mut e: Export, fields: &'static [&'static str]) -> Export {
    e.unique = fields;
    e
}

/// `SMS_R_System`: devices.
pub const SMS_R_SYSTEM: Export = unique(cm("SMS_R_System", true, "ResourceID"), &["ResourceID"]);
/// `SMS_Collection`: collections.
pub const SMS_COLLECTION: Export = unique(
    cm("SMS_Collection", true, "CollectionID"),
    &["CollectionID"],
);
/// `SMS_FullCollectionMembership`: the evaluated membership.
pub const SMS_FULL_COLLECTION_MEMBERSHIP: Export = Export {
    duplicates: Duplicates::KeepFirst,
    ..unique(
        cm("SMS_FullCollectionMembership", true, "CollectionID"),
        &["CollectionID", "ResourceID"],
    )
};
/// `SMS_R_User`: discovered users.
pub const SMS_R_USER: Export = unique(cm("SMS_R_User", true, "ResourceID"), &["ResourceID"]);
/// `SMS_R_UserGroup`: discovered user groups (optional).
pub const SMS_R_USER_GROUP: Export =
    unique(cm("SMS_R_UserGroup", false, "ResourceID"), &["ResourceID"]);
/// `SMS_Admin`: administrative users.
pub const SMS_ADMIN: Export = unique(cm("SMS_Admin", true, "AdminID"), &["AdminID"]);
/// `SMS_Role`: security roles.
pub const SMS_ROLE: Export = unique(cm("SMS_Role", true, "RoleID"), &["RoleID"]);
/// `SMS_Operation`: the site's operation catalogue (optional).
pub const SMS_OPERATION: Export = Export {
    duplicates: Duplicates::KeepFirst,
    ..unique(
        cm("SMS_Operation", false, "ObjectTypeID"),
        &["ObjectTypeID", "BitFlag", "OperationName"],
    )
};
/// `SMS_RbacSecuredObject`: the catalogue per secured class (optional).
pub const SMS_RBAC_SECURED_OBJECT: Export = unique(
    cm("SMS_RbacSecuredObject", false, "ObjectTypeID"),
    &["ObjectTypeID"],
);
/// `SMS_SecuredCategory`: security scope ids and names (optional).
pub const SMS_SECURED_CATEGORY: Export = unique(
    cm("SMS_SecuredCategory", false, "CategoryID"),
    &["CategoryID"],
);
/// `SMS_Scripts`: scripts (optional, R-G7).
pub const SMS_SCRIPTS: Export = unique(cm("SMS_Scripts", false, "ScriptGuid"), &["ScriptGuid"]);
/// Intune role definitions.
pub const ROLE_DEFINITIONS: Export = graph("roleDefinitions", true);
/// Intune role assignments.
pub const ROLE_ASSIGNMENTS: Export = graph("roleAssignments", true);
/// Intune scope tags.
pub const ROLE_SCOPE_TAGS: Export = graph("roleScopeTags", true);
/// Entra users.
pub const USERS: Export = graph("users", true);
/// Entra groups.
pub const GROUPS: Export = graph("groups", true);
/// Entra directory roles (or unified role assignments).
pub const DIRECTORY_ROLES: Export = graph("directoryRoles", true);
/// The *Use Intune RBAC* toggle: a single object.
pub const TENANT_ATTACH_RBAC: Export = Export {
    name: "tenantAttachRBAC",
    side: Side::Graph,
    required: true,
    key: None,
    unique: &[],
    duplicates: Duplicates::Error,
};
/// Co-managed devices (optional).
pub const MANAGED_DEVICES: Export = graph("managedDevices", false);
/// The Intune tenant settings (`GET /beta/deviceManagement`, optional, a single object):
/// `unlicensedAdminstratorsEnabled` (R-I8, rulebook 3).
pub const DEVICE_MANAGEMENT: Export = Export {
    name: "deviceManagement",
    side: Side::Graph,
    required: false,
    key: None,
    unique: &[],
    duplicates: Duplicates::Error,
};

/// Every export, in the order the README lists them.
pub const ALL: &[Export] = &[
    SMS_R_SYSTEM,
    SMS_COLLECTION,
    SMS_FULL_COLLECTION_MEMBERSHIP,
    SMS_R_USER,
    SMS_R_USER_GROUP,
    SMS_ADMIN,
    SMS_ROLE,
    SMS_OPERATION,
    SMS_RBAC_SECURED_OBJECT,
    SMS_SECURED_CATEGORY,
    SMS_SCRIPTS,
    ROLE_DEFINITIONS,
    ROLE_ASSIGNMENTS,
    ROLE_SCOPE_TAGS,
    USERS,
    GROUPS,
    DIRECTORY_ROLES,
    TENANT_ATTACH_RBAC,
    MANAGED_DEVICES,
    DEVICE_MANAGEMENT,
];

/// Whether a file of this name, in the directory of `side`, is one the importer reads (`NAME.json`
/// or a page `NAME.N.json` of an export of that side, case-insensitively). Callers read only
/// these; the others are named in one warning.
pub fn is_export(side: Side, file_name: &str) -> bool {
    export_of(side, file_name).is_some()
}

/// The export a file of this name holds, in the directory of `side`.
pub fn export_of(side: Side, file_name: &str) -> Option<&'static Export> {
    ALL.iter()
        .find(|e| e.side == side && crate::records::page_of(file_name, e.name).is_some())
}
