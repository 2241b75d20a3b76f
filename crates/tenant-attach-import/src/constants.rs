//! Identifiers the exports use that the library does not define (the library's own, such as
//! Full Administrator's role id, come from `tenant_attach`).

use tenant_attach::Operation;

/// The Entra role template id of Global Administrator (R-I1).
pub const GLOBAL_ADMINISTRATOR_TEMPLATE: &str = "62e90394-69f5-4237-9190-012177145e10";
/// The Entra role template id of Intune Administrator (Intune Service Administrator, R-I1).
pub const INTUNE_ADMINISTRATOR_TEMPLATE: &str = "3a2c62db-5318-420d-8d74-23affee5d9d5";

/// `ObjectTypeID` of the Collection class in `SMS_ARoleOperation`.
pub const COLLECTION_OBJECT_TYPE_ID: u32 = 1;

/// `SMS_Collection.CollectionType` of a collection that is neither (e.g. `SMSOTHER`).
pub const COLLECTION_TYPE_OTHER: u32 = 0;
/// `SMS_Collection.CollectionType` of a user collection.
pub const COLLECTION_TYPE_USER: u32 = 1;
/// `SMS_Collection.CollectionType` of a device collection.
pub const COLLECTION_TYPE_DEVICE: u32 = 2;

/// `SMS_APermission.CategoryTypeID` of a collection.
pub const CATEGORY_TYPE_COLLECTION: u32 = 1;
/// `SMS_APermission.CategoryTypeID` of a security scope.
pub const CATEGORY_TYPE_SECURITY_SCOPE: u32 = 29;

/// The built-in *Default* security scope.
pub const DEFAULT_SECURITY_SCOPE: (&str, &str) = ("SMS00UNA", "Default");
/// The built-in *All* security scope.
pub const ALL_SECURITY_SCOPE: (&str, &str) = ("SMS00ALL", "All");

/// `SMS_Admin.AccountType` of a group, and of an unverified group.
pub const ACCOUNT_TYPES_GROUP: [u32; 2] = [1, 129];

/// `SMS_ResourceMap` resource types: user group, user, system.
pub const RESOURCE_TYPE_USER_GROUP: u32 = 3;
/// A user resource.
pub const RESOURCE_TYPE_USER: u32 = 4;
/// A system (device) resource.
pub const RESOURCE_TYPE_SYSTEM: u32 = 5;

/// `SMS_Scripts.ApprovalState` of an approved script.
pub const SCRIPT_APPROVED: u32 = 3;

/// The `AgentName` of Active Directory user discovery.
pub const AD_USER_DISCOVERY_AGENT: &str = "SMS_AD_USER_DISCOVERY_AGENT";
/// The prefix of the Entra (Azure AD) discovery agents (the user agent's exact name is not
/// documented).
pub const ENTRA_DISCOVERY_AGENT_PREFIX: &str = "SMS_AZUREAD";

/// The `managementAgent` prefix of co-managed devices (`configurationManagerClientMdm*`).
pub const CO_MANAGED_AGENT_PREFIX: &str = "configurationmanagerclientmdm";

/// The largest export file the import reads, in bytes (4 GiB): a larger file is an error
/// naming it, never read whole into memory. [`crate::Options::max_file_bytes`] overrides it.
pub const MAX_FILE_BYTES: u64 = 4 << 30;

/// Graph caps `$expand=members` at this many items, without a next link.
pub const GRAPH_EXPAND_CAP: usize = 20;

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
