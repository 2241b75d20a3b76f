//! The `configmgr`, `entra` and `intune` sections: who holds which rights.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::features::{ClassOperation, Operation, SecuredClass};

/// ConfigMgr RBAC (R-G).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigMgr {
    /// Security roles.
    #[serde(default)]
    pub roles: Vec<ConfigMgrRole>,
    /// Administrative users (AD users and groups).
    #[serde(default)]
    pub admins: Vec<ConfigMgrAdmin>,
    /// Discovered user resources (R-G2).
    #[serde(default)]
    pub users: Vec<DiscoveredUser>,
    /// The site's scripts (R-G7); `None` when not known, and R-G7 is then not evaluated.
    #[serde(default)]
    pub scripts: Option<Vec<Script>>,
}

/// A ConfigMgr script (`SMS_Scripts`, R-G7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Script {
    /// `ScriptGuid`.
    pub id: String,
    /// `ScriptName`.
    pub name: String,
    /// Approved (`ApprovalState` 3).
    pub approved: bool,
    /// Whether the script takes parameters (the admin center lists only scripts without).
    pub has_parameters: bool,
    /// Its security scopes (category ids, e.g. `SMS00UNA`).
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// A ConfigMgr security role (`SMS_Role`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigMgrRole {
    /// `RoleID`, e.g. `SMS0001R`.
    pub id: String,
    /// The display name.
    pub name: String,
    /// The operations the role grants on the Collection class.
    #[serde(default)]
    pub collection_operations: Vec<Operation>,
    /// The operations the role grants on other secured classes (R-G6).
    #[serde(default)]
    pub class_operations: BTreeMap<SecuredClass, Vec<ClassOperation>>,
}

/// A ConfigMgr administrative user (`SMS_Admin`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigMgrAdmin {
    /// `AdminID`.
    pub id: u32,
    /// `DOMAIN\name`.
    pub account: String,
    /// The AD SID of the user or group (R-G3).
    pub sid: String,
    /// An AD security group rather than a user.
    #[serde(default)]
    pub is_group: bool,
    /// How roles pair with collections (R-G4).
    #[serde(default)]
    pub association_mode: AssociationMode,
    /// Assigned security roles.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Assigned collections.
    #[serde(default)]
    pub collections: Vec<String>,
    /// Security scopes (they do not secure collections, R-G4).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Role-to-collections pairs, for `specific` associations.
    #[serde(default)]
    pub associations: Vec<Association>,
    /// The associations were inferred, not read: the import found no `Permissions` (a list
    /// call) and paired every role with every collection by name (`cross_product`), which may
    /// grant more than the admin's specific associations. Written only when `true`
    /// (`"associations_inferred": true`); absent means the associations are as the site holds
    /// them (or were written by hand).
    #[serde(default, skip_serializing_if = "is_false")]
    pub associations_inferred: bool,
}

/// For `skip_serializing_if`: leave a `false` flag out.
fn is_false(b: &bool) -> bool {
    !*b
}

/// How an administrative user's roles pair with its collections (R-G4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssociationMode {
    /// Every role pairs with every assigned collection.
    #[default]
    CrossProduct,
    /// Each role pairs only with its own collections (`associations`).
    Specific,
}

/// One role with its own collections (`specific` associations).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Association {
    /// A security role id.
    pub role: String,
    /// The collections this role is associated with.
    #[serde(default)]
    pub collections: Vec<String>,
}

/// A discovered user resource (R-G2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscoveredUser {
    /// The user's SID.
    pub sid: String,
    /// The discovery methods that found the user.
    #[serde(default)]
    pub discovered_by: Vec<DiscoveryAgent>,
}

/// A user discovery method.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DiscoveryAgent {
    /// Active Directory user discovery.
    Ad,
    /// Microsoft Entra user discovery.
    Entra,
}

/// Entra ID (R-I1, R-I2, R-G1, R-G3).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entra {
    /// Users (administrators).
    #[serde(default)]
    pub users: Vec<EntraUser>,
    /// Groups; members are user or group ids.
    #[serde(default)]
    pub groups: Vec<EntraGroup>,
}

/// An Entra user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntraUser {
    /// The object id.
    pub id: String,
    /// The user principal name.
    pub upn: String,
    /// The synced on-premises SID; `None` for a cloud-only user (R-G1).
    #[serde(default)]
    pub on_premises_sid: Option<String>,
    /// SIDs of the AD security groups the user is in (R-G3).
    #[serde(default)]
    pub on_premises_group_sids: Vec<String>,
    /// Entra directory roles that give access to Intune data (R-I1).
    #[serde(default)]
    pub directory_roles: Vec<DirectoryRole>,
    /// Whether the user holds an Intune licence (R-I8, rulebook 3); `None` (the default) = not
    /// known, decided by `policy.licence_unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intune_licensed: Option<bool>,
}

/// An Entra directory role that gives access to Intune data (R-I1).
///
/// Global and Intune Administrator hold every Intune permission; the five reader roles of
/// rulebook 3 hold what `policy.entra_roles` says. The order is the order of strength: a user
/// with several roles is decided by the first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DirectoryRole {
    /// Global Administrator.
    GlobalAdministrator,
    /// Intune Administrator.
    IntuneAdministrator,
    /// Helpdesk Administrator (rulebook 3): read only, or Help Desk Operator's permissions
    /// under `entra_roles = helpdesk_as_operator`.
    HelpdeskAdministrator,
    /// Global Reader (rulebook 3): read only.
    GlobalReader,
    /// Security Administrator (rulebook 3): read only.
    SecurityAdministrator,
    /// Security Operator (rulebook 3): read only.
    SecurityOperator,
    /// Security Reader (rulebook 3): read only.
    SecurityReader,
}

impl DirectoryRole {
    /// The snake_case name used in the snapshot.
    pub fn as_str(self) -> &'static str {
        match self {
            DirectoryRole::GlobalAdministrator => "global_administrator",
            DirectoryRole::IntuneAdministrator => "intune_administrator",
            DirectoryRole::HelpdeskAdministrator => "helpdesk_administrator",
            DirectoryRole::GlobalReader => "global_reader",
            DirectoryRole::SecurityAdministrator => "security_administrator",
            DirectoryRole::SecurityOperator => "security_operator",
            DirectoryRole::SecurityReader => "security_reader",
        }
    }

    /// The name shown in the Entra admin center.
    pub fn display_name(self) -> &'static str {
        match self {
            DirectoryRole::GlobalAdministrator => "Global Administrator",
            DirectoryRole::IntuneAdministrator => "Intune Administrator",
            DirectoryRole::HelpdeskAdministrator => "Helpdesk Administrator",
            DirectoryRole::GlobalReader => "Global Reader",
            DirectoryRole::SecurityAdministrator => "Security Administrator",
            DirectoryRole::SecurityOperator => "Security Operator",
            DirectoryRole::SecurityReader => "Security Reader",
        }
    }

    /// Every role, strongest first.
    pub const ALL: &'static [DirectoryRole] = &[
        DirectoryRole::GlobalAdministrator,
        DirectoryRole::IntuneAdministrator,
        DirectoryRole::HelpdeskAdministrator,
        DirectoryRole::GlobalReader,
        DirectoryRole::SecurityAdministrator,
        DirectoryRole::SecurityOperator,
        DirectoryRole::SecurityReader,
    ];

    /// Whether the role holds every Intune permission (Global and Intune Administrator, R-I1).
    ///
    /// ```
    /// use tenant_attach::snapshot::DirectoryRole;
    /// assert!(DirectoryRole::IntuneAdministrator.is_intune_admin());
    /// assert!(!DirectoryRole::GlobalReader.is_intune_admin());
    /// ```
    pub fn is_intune_admin(self) -> bool {
        matches!(
            self,
            DirectoryRole::GlobalAdministrator | DirectoryRole::IntuneAdministrator
        )
    }
}

/// An Entra group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntraGroup {
    /// The object id.
    pub id: String,
    /// The display name.
    pub name: String,
    /// Member user ids and nested group ids (R-I2).
    #[serde(default)]
    pub members: Vec<String>,
}

/// Intune RBAC.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Intune {
    /// Scope tags; Default (`"0"`) always exists even when not listed.
    #[serde(default)]
    pub scope_tags: Vec<ScopeTag>,
    /// Role definitions.
    #[serde(default)]
    pub role_definitions: Vec<RoleDefinition>,
    /// Role assignments.
    #[serde(default)]
    pub role_assignments: Vec<RoleAssignment>,
}

/// An Intune scope tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeTag {
    /// The id; `"0"` is Default.
    pub id: String,
    /// The display name.
    pub name: String,
}

/// An Intune role definition (R-I3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleDefinition {
    /// The id.
    pub id: String,
    /// The display name.
    pub name: String,
    /// A built-in role.
    #[serde(default)]
    pub built_in: bool,
    /// The effective permissions (`allowedResourceActions` minus `notAllowedResourceActions`).
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// An Intune role assignment (R-I2, R-I5, R-I6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleAssignment {
    /// The id.
    pub id: String,
    /// The display name.
    pub name: String,
    /// The role definition id.
    pub role: String,
    /// Member groups (admins).
    #[serde(default)]
    pub members: Vec<String>,
    /// Scope (Groups): the users and devices the admins may act on (R-I6).
    pub scope: AssignmentScope,
    /// Scope tags (R-I5).
    #[serde(default)]
    pub scope_tags: Vec<String>,
}

/// The scope (Groups) of an assignment: `{"all_devices": true}` or `{"groups": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentScope {
    /// *All devices*.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_devices: Option<bool>,
    /// Scope groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
}

impl AssignmentScope {
    /// Scope *All devices*.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, Snapshot, sample, snapshot::AssignmentScope};
    /// let mut s = Snapshot::from_json(sample::CONTOSO)?;
    /// s.intune.role_assignments[2].scope = AssignmentScope::all_devices(); // Paris helpdesk
    /// let engine = Engine::new(s)?;
    /// let grace = engine.find_user("grace@contoso.com")?;
    /// // CON-WS-003 is not in the Paris devices group; now the scope covers it (R-I6).
    /// assert_eq!(engine.visible(grace, Feature::SyncMachinePolicy).len(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn all_devices() -> AssignmentScope {
        AssignmentScope {
            all_devices: Some(true),
            groups: None,
        }
    }

    /// Whether the scope covers every device.
    ///
    /// ```
    /// let s = tenant_attach::Snapshot::from_json(tenant_attach::sample::CONTOSO)?;
    /// let all: Vec<bool> =
    ///     s.intune.role_assignments.iter().map(|a| a.scope.covers_all_devices()).collect();
    /// assert_eq!(all, [true, true, false, true]); // Paris helpdesk: the Paris devices group
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn covers_all_devices(&self) -> bool {
        self.all_devices == Some(true)
    }
}
