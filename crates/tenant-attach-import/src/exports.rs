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
}

const fn cm(name: &'static str, required: bool, key: &'static str) -> Export {
    Export {
        name,
        side: Side::ConfigMgr,
        required,
        key: Some(key),
    }
}

const fn graph(name: &'static str, required: bool) -> Export {
    Export {
        name,
        side: Side::Graph,
        required,
        key: Some("id"),
    }
}

/// `SMS_R_System`: devices.
pub const SMS_R_SYSTEM: Export = cm("SMS_R_System", true, "ResourceID");
/// `SMS_Collection`: collections.
pub const SMS_COLLECTION: Export = cm("SMS_Collection", true, "CollectionID");
/// `SMS_FullCollectionMembership`: the evaluated membership.
pub const SMS_FULL_COLLECTION_MEMBERSHIP: Export =
    cm("SMS_FullCollectionMembership", true, "CollectionID");
/// `SMS_R_User`: discovered users.
pub const SMS_R_USER: Export = cm("SMS_R_User", true, "ResourceID");
/// `SMS_R_UserGroup`: discovered user groups (optional).
pub const SMS_R_USER_GROUP: Export = cm("SMS_R_UserGroup", false, "ResourceID");
/// `SMS_Admin`: administrative users.
pub const SMS_ADMIN: Export = cm("SMS_Admin", true, "AdminID");
/// `SMS_Role`: security roles.
pub const SMS_ROLE: Export = cm("SMS_Role", true, "RoleID");
/// `SMS_Operation`: the site's operation catalogue (optional).
pub const SMS_OPERATION: Export = cm("SMS_Operation", false, "ObjectTypeID");
/// `SMS_RbacSecuredObject`: the catalogue per secured class (optional).
pub const SMS_RBAC_SECURED_OBJECT: Export = cm("SMS_RbacSecuredObject", false, "ObjectTypeID");
/// `SMS_SecuredCategory`: security scope ids and names (optional).
pub const SMS_SECURED_CATEGORY: Export = cm("SMS_SecuredCategory", false, "CategoryID");
/// `SMS_Scripts`: scripts (optional, R-G7).
pub const SMS_SCRIPTS: Export = cm("SMS_Scripts", false, "ScriptGuid");
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
};
/// Co-managed devices (optional).
pub const MANAGED_DEVICES: Export = graph("managedDevices", false);

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
];
