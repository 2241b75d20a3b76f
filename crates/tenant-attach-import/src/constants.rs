//! Identifiers the exports use that the library does not define (the library's own, such as
//! Full Administrator's role id, come from `tenant_attach`).

use tenant_attach::Operation;

/// The Entra role template id of Global Administrator (R-I1).
pub const GLOBAL_ADMINISTRATOR_TEMPLATE: &str = "62e90394-69f5-4237-9190-012177145e10";
/// The Entra role template id of Intune Administrator (Intune Service Administrator, R-I1).
pub const INTUNE_ADMINISTRATOR_TEMPLATE: &str = "3a2c62db-5318-420d-8d74-23affee5d9d5";

/// The Entra role template id of Global Reader (R-I1, rulebook 3; exports.md F6).
pub const GLOBAL_READER_TEMPLATE: &str = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
/// The Entra role template id of Security Reader.
pub const SECURITY_READER_TEMPLATE: &str = "5d6b6bb7-de71-4623-b4af-96380a352509";
/// The Entra role template id of Security Operator.
pub const SECURITY_OPERATOR_TEMPLATE: &str = "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f";
/// The Entra role template id of Security Administrator.
pub const SECURITY_ADMINISTRATOR_TEMPLATE: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";
/// The Entra role template id of Helpdesk Administrator.
pub const HELPDESK_ADMINISTRATOR_TEMPLATE: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";

/// `assignedPlans[].service` of Intune's service plans (R-I8, exports.md G4).
pub const INTUNE_PLAN_SERVICE: &str = "SCO";
/// `assignedPlans[].capabilityStatus` of a plan in force (`Deleted`, `Suspended` do not count).
pub const PLAN_ENABLED: &str = "Enabled";
/// `INTUNE_O365` (*Mobile Device Management for Office 365*): a plan of service `SCO` that is not
/// an Intune licence.
pub const INTUNE_O365_PLAN: &str = "882e1d05-acd1-4ccb-8708-6ee03664b117";

/// ConfigMgr client builds (`SMS_R_System.ClientVersion` `5.00.BUILD.N`) and their `YYMM`
/// versions (R-F5, exports.md G4, and the two later releases), ascending. A build between two maps to the older, a build
/// after the last to the last; a build before the first (older than 2002) leaves
/// `client_version` absent with a warning: no version it could be mapped to is known.
pub const CLIENT_BUILDS: &[(u32, u32)] = &[
    (8968, 2002),
    (9012, 2006),
    (9040, 2010),
    (9049, 2103),
    (9058, 2107),
    (9068, 2111),
    (9078, 2203),
    (9088, 2207),
    (9096, 2211),
    (9106, 2303),
    (9122, 2309),
    // Later builds (R-F5: "later builds from Microsoft's supported-versions page"; not in
    // exports.md G4): 2403's client is 5.00.9128, 2409's 5.00.9132.
    (9128, 2403),
    (9132, 2409),
];

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
