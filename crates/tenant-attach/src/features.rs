//! Features and what each requires (R-F0, R-F1).

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use crate::snapshot::{ApplicationActionsSplit, CombinedPagePermissions, Policy};

/// The prefix of every Intune permission string.
pub const INTUNE_PREFIX: &str = "Microsoft.Intune_";

/// The Intune permission that `view` needs in both modes (R-F1).
pub const MANAGED_DEVICES_READ: &str = "Microsoft.Intune_ManagedDevices_Read";

/// The Intune permission of the three device actions (R-F1).
pub const CONFIGURATION_MANAGER_ACTION: &str =
    "Microsoft.Intune_RemoteTasks_ConfigurationManagerAction";

/// The version tenant attach itself appeared in: the *since* of undated features (R-F3).
pub const TENANT_ATTACH_SINCE: u32 = 2002;

/// R-F3: resource explorer, timeline, scripts, CMPivot and applications became GA in 2006.
pub const DEVICE_PAGES_SINCE: u32 = 2006;

/// R-F3: BitLocker recovery keys, 2107.
pub const BITLOCKER_KEYS_SINCE: u32 = 2107;

/// R-F3, R-F5 (rulebook 3): uninstall, repair and re-evaluate came with 2010, on the site and
/// the client.
pub const APPLICATION_MANAGEMENT_SINCE: u32 = 2010;

/// R-F3: the Software updates page, 2111 with its update rollup.
pub const SOFTWARE_UPDATES_SINCE: u32 = 2111;

/// The Intune permission that offboarding needs (R-H4).
pub const ORGANIZATION_DELETE: &str = "Microsoft.Intune_Organization_Delete";

/// A name that is not one of a vocabulary's (a feature, an operation, a class).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {} `{name}`; one of: {}", kind.to_lowercase(), known.join(", "))]
#[non_exhaustive]
pub struct UnknownName {
    /// The vocabulary: `Feature`, `Operation`, `SecuredClass` or `ClassOperation`.
    pub kind: &'static str,
    /// The name given.
    pub name: String,
    /// Every name the vocabulary has.
    pub known: Vec<&'static str>,
}

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[derive(schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in table order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The snake_case name used in snapshots and on the command line.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// Parses the snake_case name.
            ///
            #[doc = concat!(
                "```\n",
                "use tenant_attach::features::", stringify!($name), ";\n",
                "for v in ", stringify!($name), "::ALL {\n",
                "    assert_eq!(", stringify!($name), "::from_name(v.as_str()), Some(*v));\n",
                "    let rust_name = format!(\"{v:?}\"); // the variant, not its snake_case name\n",
                "    assert_eq!(", stringify!($name), "::from_name(&rust_name), None);\n",
                "}\n",
                "```",
            )]
            pub fn from_name(name: &str) -> Option<$name> {
                match name {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownName;

            /// Parses the snake_case name; the error lists the names it knows.
            fn from_str(name: &str) -> Result<$name, UnknownName> {
                $name::from_name(name).ok_or_else(|| UnknownName {
                    kind: stringify!($name),
                    name: name.to_owned(),
                    known: $name::ALL.iter().map(|v| v.as_str()).collect(),
                })
            }
        }
    };
}

named_enum! {
    /// A ConfigMgr operation on the Collection class (R-G4).
    Operation {
        /// Read.
        Read = "read",
        /// Modify.
        Modify = "modify",
        /// Delete.
        Delete = "delete",
        /// Create.
        Create = "create",
        /// Read Resource.
        ReadResource = "read_resource",
        /// Modify Resource.
        ModifyResource = "modify_resource",
        /// Delete Resource.
        DeleteResource = "delete_resource",
        /// Notify Resource (client notification).
        NotifyResource = "notify_resource",
        /// Remote Control.
        RemoteControl = "remote_control",
        /// Run Script.
        RunScript = "run_script",
        /// Run CMPivot.
        RunCmpivot = "run_cmpivot",
        /// Read BitLocker Recovery Key.
        ReadBitlockerRecoveryKey = "read_bitlocker_recovery_key",
        /// Deploy Applications.
        DeployApplications = "deploy_applications",
        /// Modify Collection Setting.
        ModifyCollectionSetting = "modify_collection_setting",
        /// Enforce Security.
        EnforceSecurity = "enforce_security",
        /// Control AMT.
        ControlAmt = "control_amt",
    }
}

named_enum! {
    /// A ConfigMgr secured class other than Collection whose operations some features need
    /// (R-G6).
    SecuredClass {
        /// `SMS_Site` (ObjectTypeID 6).
        Site = "site",
        /// `SMS_Application` (ObjectTypeID 31).
        Application = "application",
        /// `SMS_Scripts` (ObjectTypeID 213).
        Scripts = "scripts",
    }
}

named_enum! {
    /// An operation on a [`SecuredClass`] (R-G6), named after the console's permission.
    ClassOperation {
        /// Read (bit 1).
        Read = "read",
        /// Modify (bit 2).
        Modify = "modify",
        /// Delete (bit 4).
        Delete = "delete",
        /// Set Security Scope (bit 16).
        SetSecurityScope = "set_security_scope",
        /// Create (bit 1024).
        Create = "create",
        /// Approve (bit 2048).
        Approve = "approve",
        /// Run Report (bit 268435456).
        RunReport = "run_report",
    }
}

impl SecuredClass {
    /// The class's `ObjectTypeID` in `SMS_ARoleOperation` (R-G6).
    pub fn object_type_id(self) -> u32 {
        match self {
            SecuredClass::Site => 6,
            SecuredClass::Application => 31,
            SecuredClass::Scripts => 213,
        }
    }

    /// The class for an `ObjectTypeID`, if the rulebook names it.
    pub fn from_object_type_id(id: u32) -> Option<SecuredClass> {
        SecuredClass::ALL
            .iter()
            .copied()
            .find(|c| c.object_type_id() == id)
    }

    /// The name in the ConfigMgr console.
    pub fn display_name(self) -> &'static str {
        match self {
            SecuredClass::Site => "Site",
            SecuredClass::Application => "Application",
            SecuredClass::Scripts => "SMS Scripts",
        }
    }
}

impl ClassOperation {
    /// The documented `GrantedOperations` bit (R-G6; `SMS_Operation`).
    pub fn bit(self) -> u32 {
        match self {
            ClassOperation::Read => 1,
            ClassOperation::Modify => 2,
            ClassOperation::Delete => 4,
            ClassOperation::SetSecurityScope => 16,
            ClassOperation::Create => 1024,
            ClassOperation::Approve => 2048,
            ClassOperation::RunReport => 268_435_456,
        }
    }

    /// The name in the ConfigMgr console.
    pub fn display_name(self) -> &'static str {
        match self {
            ClassOperation::Read => "Read",
            ClassOperation::Modify => "Modify",
            ClassOperation::Delete => "Delete",
            ClassOperation::SetSecurityScope => "Set Security Scope",
            ClassOperation::Create => "Create",
            ClassOperation::Approve => "Approve",
            ClassOperation::RunReport => "Run Report",
        }
    }
}

/// One operation on one secured class, as a requirement or a grant (R-G6).
pub type ClassPermission = (SecuredClass, ClassOperation);

named_enum! {
    /// Something an admin does with a device in the Intune admin center (R-F1).
    Feature {
        /// See the device.
        View = "view",
        /// Sync Machine Policy.
        SyncMachinePolicy = "sync_machine_policy",
        /// Sync User Policy.
        SyncUserPolicy = "sync_user_policy",
        /// App Evaluation Cycle.
        AppEvaluationCycle = "app_evaluation_cycle",
        /// Client details.
        ClientDetails = "client_details",
        /// The Collections page.
        CollectionsView = "collections_view",
        /// Resource explorer.
        ResourceExplorer = "resource_explorer",
        /// Timeline.
        Timeline = "timeline",
        /// The Scripts page.
        ScriptsView = "scripts_view",
        /// Run a script.
        RunScript = "run_script",
        /// CMPivot.
        Cmpivot = "cmpivot",
        /// The Applications page.
        ApplicationsView = "applications_view",
        /// Install and reinstall applications.
        ApplicationActions = "application_actions",
        /// Uninstall, repair and re-evaluate applications (rulebook 3: 2010+ site and client).
        ApplicationManagement = "application_management",
        /// Software updates.
        SoftwareUpdates = "software_updates",
        /// BitLocker recovery keys.
        BitlockerKeys = "bitlocker_keys",
        /// Enroll now (co-management).
        EnrollNow = "enroll_now",
    }
}

impl Operation {
    /// The name in the ConfigMgr console.
    pub fn display_name(self) -> &'static str {
        match self {
            Operation::Read => "Read",
            Operation::Modify => "Modify",
            Operation::Delete => "Delete",
            Operation::Create => "Create",
            Operation::ReadResource => "Read Resource",
            Operation::ModifyResource => "Modify Resource",
            Operation::DeleteResource => "Delete Resource",
            Operation::NotifyResource => "Notify Resource",
            Operation::RemoteControl => "Remote Control",
            Operation::RunScript => "Run Script",
            Operation::RunCmpivot => "Run CMPivot",
            Operation::ReadBitlockerRecoveryKey => "Read BitLocker Recovery Key",
            Operation::DeployApplications => "Deploy Applications",
            Operation::ModifyCollectionSetting => "Modify Collection Setting",
            Operation::EnforceSecurity => "Enforce Security",
            Operation::ControlAmt => "Control AMT",
        }
    }

    /// A bit for this operation in an [`OperationSet`].
    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of Collection operations, as a 16-bit mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct OperationSet(u16);

impl OperationSet {
    /// No operation.
    pub const EMPTY: OperationSet = OperationSet(0);
    /// Every operation (the Full Administrator role, R-G5).
    pub const ALL: OperationSet = OperationSet(u16::MAX);

    /// Whether `op` is in the set.
    pub fn contains(self, op: Operation) -> bool {
        self.0 & op.bit() != 0
    }

    /// Adds `op`.
    pub fn insert(&mut self, op: Operation) {
        self.0 |= op.bit();
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The operations in the set, in table order.
    pub fn iter(self) -> impl Iterator<Item = Operation> {
        Operation::ALL
            .iter()
            .copied()
            .filter(move |op| self.contains(*op))
    }
}

impl FromIterator<Operation> for OperationSet {
    fn from_iter<I: IntoIterator<Item = Operation>>(iter: I) -> Self {
        let mut set = OperationSet::EMPTY;
        for op in iter {
            set.insert(op);
        }
        set
    }
}

impl Feature {
    /// The acting features that scope groups limit (R-I6).
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, sample};
    /// assert!(Feature::SyncMachinePolicy.is_acting() && !Feature::View.is_acting());
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let grace = engine.find_user("grace@contoso.com")?;
    /// // Her assignment's scope group (Paris devices) holds CON-WS-001 and 002, not 003.
    /// assert_eq!(engine.visible(grace, Feature::View).len(), 3);
    /// assert_eq!(engine.visible(grace, Feature::SyncMachinePolicy).len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_acting(self) -> bool {
        matches!(
            self,
            Feature::SyncMachinePolicy
                | Feature::SyncUserPolicy
                | Feature::AppEvaluationCycle
                | Feature::RunScript
                | Feature::Cmpivot
                | Feature::ApplicationActions
                | Feature::ApplicationManagement
                | Feature::EnrollNow
                | Feature::BitlockerKeys
        )
    }

    /// R-F3 (rulebook 3): whether the feature is one of those documented for US Government
    /// clouds ("Device sync, Device actions"): `view` and the three device actions.
    pub fn on_us_government(self) -> bool {
        matches!(
            self,
            Feature::View
                | Feature::SyncMachinePolicy
                | Feature::SyncUserPolicy
                | Feature::AppEvaluationCycle
        )
    }

    /// R-F3 (rulebook 3): whether the feature needs the optional feature *Create and run
    /// scripts*, off by default at 2006 and earlier.
    pub fn needs_scripts_feature(self) -> bool {
        matches!(self, Feature::ScriptsView | Feature::RunScript)
    }

    /// R-F6 (rulebook 3): whether an SMS Provider that requires multi-factor authentication
    /// blocks the feature (HTTP 403): the acting features and the applications, CMPivot and
    /// scripts pages.
    ///
    /// ```
    /// use tenant_attach::Feature;
    /// assert!(Feature::ApplicationsView.blocked_by_provider_mfa());
    /// assert!(!Feature::View.blocked_by_provider_mfa());
    /// ```
    pub fn blocked_by_provider_mfa(self) -> bool {
        self.is_acting() || matches!(self, Feature::ApplicationsView | Feature::ScriptsView)
    }

    /// R-G2 (`by_feature`, 2103+): whether the feature's page requires "all of the
    /// prerequisites for client details", that is **both** user discoveries.
    pub fn needs_client_details_prerequisites(self) -> bool {
        matches!(
            self,
            Feature::ClientDetails
                | Feature::CollectionsView
                | Feature::ResourceExplorer
                | Feature::Timeline
                | Feature::ScriptsView
                | Feature::RunScript
                | Feature::Cmpivot
                | Feature::ApplicationsView
                | Feature::ApplicationActions
                | Feature::ApplicationManagement
                | Feature::SoftwareUpdates
        )
    }

    /// What the feature lets a person do, as a verb phrase: "run Sync Machine Policy on".
    pub fn phrase(self) -> &'static str {
        match self {
            Feature::View => "see",
            Feature::SyncMachinePolicy => "run Sync Machine Policy on",
            Feature::SyncUserPolicy => "run Sync User Policy on",
            Feature::AppEvaluationCycle => "run App Evaluation Cycle on",
            Feature::ClientDetails => "open the client details of",
            Feature::CollectionsView => "list the collections of",
            Feature::ResourceExplorer => "open Resource explorer on",
            Feature::Timeline => "open the timeline of",
            Feature::ScriptsView => "list the scripts of",
            Feature::RunScript => "run a script on",
            Feature::Cmpivot => "run CMPivot on",
            Feature::ApplicationsView => "list the applications of",
            Feature::ApplicationActions => "install or reinstall applications on",
            Feature::ApplicationManagement => "uninstall, repair or re-evaluate applications on",
            Feature::SoftwareUpdates => "see the software updates of",
            Feature::BitlockerKeys => "read the BitLocker keys of",
            Feature::EnrollNow => "run Enroll now on",
        }
    }

    /// The feature's proper name, as the admin center shows it ("View", "Run script"):
    /// explanations begin with it ("Software updates needs site version 2111 or later"). For
    /// a sentence about a person doing it, see [`Feature::phrase`].
    ///
    /// ```
    /// use tenant_attach::Feature;
    /// assert_eq!(Feature::View.display_name(), "View");
    /// assert_eq!(Feature::RunScript.display_name(), "Run script");
    /// assert_eq!(Feature::RunScript.phrase(), "run a script on"); // "… can run a script on WS-01"
    /// ```
    pub fn display_name(self) -> &'static str {
        match self {
            Feature::View => "View",
            Feature::SyncMachinePolicy => "Sync Machine Policy",
            Feature::SyncUserPolicy => "Sync User Policy",
            Feature::AppEvaluationCycle => "App Evaluation Cycle",
            Feature::ClientDetails => "Client details",
            Feature::CollectionsView => "Collections",
            Feature::ResourceExplorer => "Resource explorer",
            Feature::Timeline => "Timeline",
            Feature::ScriptsView => "Scripts",
            Feature::RunScript => "Run script",
            Feature::Cmpivot => "CMPivot",
            Feature::ApplicationsView => "Applications",
            Feature::ApplicationActions => "Application actions",
            Feature::ApplicationManagement => "Application management",
            Feature::SoftwareUpdates => "Software updates",
            Feature::BitlockerKeys => "BitLocker recovery keys",
            Feature::EnrollNow => "Enroll now",
        }
    }

    /// The default row of the R-F1 table.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, features::Operation, sample};
    /// let row = Feature::RunScript.default_requirement();
    /// assert_eq!(row.since, 2006);
    /// assert_eq!(row.configmgr, [Operation::Read, Operation::ReadResource, Operation::RunScript]);
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let roles = &engine.snapshot().configmgr.roles;
    /// let server_op = roles.iter().find(|r| r.id == "PS100002").ok_or("no role")?;
    /// assert!(row.configmgr.iter().all(|op| server_op.collection_operations.contains(op)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn default_requirement(self) -> Requirement {
        use ClassOperation as C;
        use Operation as O;
        use SecuredClass as K;
        let action = CONFIGURATION_MANAGER_ACTION;
        let page = |perm: &'static str| -> (&[&str], Vec<&str>) { (&[], vec![perm]) };
        type Row<'a> = (
            u32,
            (&'a [&'a str], Vec<&'a str>),
            &'a [Operation],
            &'a [ClassPermission],
        );
        let (since, (combined, only), ops, classes): Row<'_> = match self {
            Feature::View => (
                TENANT_ATTACH_SINCE,
                (&[MANAGED_DEVICES_READ], vec![MANAGED_DEVICES_READ]),
                &[O::Read],
                &[],
            ),
            Feature::SyncMachinePolicy | Feature::SyncUserPolicy | Feature::AppEvaluationCycle => (
                TENANT_ATTACH_SINCE,
                (&[action], vec![action]),
                &[O::Read, O::NotifyResource],
                &[],
            ),
            Feature::ClientDetails => (
                TENANT_ATTACH_SINCE,
                page("Microsoft.Intune_CloudAttach_ClientDetails"),
                &[O::Read],
                &[],
            ),
            Feature::CollectionsView => (
                TENANT_ATTACH_SINCE,
                page("Microsoft.Intune_CloudAttach_Collections"),
                &[O::Read],
                &[],
            ),
            Feature::ResourceExplorer => (
                DEVICE_PAGES_SINCE,
                page("Microsoft.Intune_CloudAttach_ResourceExplorer"),
                &[O::Read, O::ReadResource],
                &[],
            ),
            Feature::Timeline => (
                DEVICE_PAGES_SINCE,
                page("Microsoft.Intune_CloudAttach_Timeline"),
                &[O::Read, O::ReadResource, O::NotifyResource],
                &[],
            ),
            Feature::ScriptsView => (
                DEVICE_PAGES_SINCE,
                page("Microsoft.Intune_CloudAttach_Scripts"),
                &[O::Read, O::ReadResource],
                &[],
            ),
            Feature::RunScript => (
                DEVICE_PAGES_SINCE,
                page("Microsoft.Intune_CloudAttach_ScriptActions"),
                &[O::Read, O::ReadResource, O::RunScript],
                &[(K::Site, C::Read), (K::Scripts, C::Read)],
            ),
            Feature::Cmpivot => (
                DEVICE_PAGES_SINCE,
                page("Microsoft.Intune_CloudAttach_CMPivot"),
                &[O::Read, O::RunCmpivot],
                &[],
            ),
            Feature::ApplicationsView => (
                DEVICE_PAGES_SINCE,
                page("Microsoft.Intune_CloudAttach_Applications"),
                &[O::Read],
                &[(K::Application, C::Read)],
            ),
            Feature::ApplicationActions => (
                DEVICE_PAGES_SINCE,
                page("Microsoft.Intune_CloudAttach_ApplicationActions"),
                &[O::Read],
                &[(K::Application, C::Read), (K::Application, C::Approve)],
            ),
            Feature::ApplicationManagement => (
                APPLICATION_MANAGEMENT_SINCE,
                page("Microsoft.Intune_CloudAttach_ApplicationActions"),
                &[O::Read],
                &[(K::Application, C::Read), (K::Application, C::Approve)],
            ),
            Feature::SoftwareUpdates => (
                SOFTWARE_UPDATES_SINCE,
                page("Microsoft.Intune_CloudAttach_SoftwareUpdates"),
                &[O::Read],
                &[],
            ),
            Feature::BitlockerKeys => (
                BITLOCKER_KEYS_SINCE,
                page("Microsoft.Intune_RemoteTasks_RotateBitLockerKeys"),
                &[O::Read, O::ReadBitlockerRecoveryKey],
                &[],
            ),
            Feature::EnrollNow => (
                TENANT_ATTACH_SINCE,
                (
                    &["Microsoft.Intune_CloudAttach_EnrollNow"],
                    vec!["Microsoft.Intune_CloudAttach_EnrollNow"],
                ),
                &[O::Read],
                &[],
            ),
        };
        let owned = |perms: &[&str]| perms.iter().map(|p| (*p).to_owned()).collect();
        Requirement {
            since,
            client_since: (self == Feature::ApplicationManagement)
                .then_some(APPLICATION_MANAGEMENT_SINCE),
            intune_combined: owned(combined),
            intune_only: owned(&only),
            configmgr: ops.to_vec(),
            classes: classes.to_vec(),
        }
    }

    /// The row of the R-F1 table in force under `policy`: the defaults, then the feature's
    /// override (each key on its own), then `combined_page_permissions = feature`, which makes
    /// the `combined` row equal to the `intune_only` row unless the override set it.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, sample, snapshot::CombinedPagePermissions};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let row = Feature::Timeline.requirement(engine.policy());
    /// assert!(row.intune_combined.is_empty()); // `view`: nothing beyond view in combined mode
    /// let mut p = engine.policy().clone();
    /// p.combined_page_permissions = CombinedPagePermissions::Feature;
    /// let row = Feature::Timeline.requirement(&p);
    /// assert_eq!(row.intune_combined, ["Microsoft.Intune_CloudAttach_Timeline"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn requirement(self, policy: &Policy) -> Requirement {
        if self == Feature::ApplicationManagement
            && policy.application_actions_split == ApplicationActionsSplit::Single
        {
            // Rulebook 2: decided exactly as `application_actions` (its overrides included).
            return Feature::ApplicationActions.requirement(policy);
        }
        let mut row = self.default_requirement();
        let over = policy.features.get(&self);
        if let Some(o) = over {
            if let Some(p) = &o.intune_combined {
                row.intune_combined.clone_from(p);
            }
            if let Some(p) = &o.intune_only {
                row.intune_only.clone_from(p);
            }
            if let Some(ops) = &o.configmgr {
                row.configmgr.clone_from(ops);
            }
            if let Some(classes) = &o.classes {
                row.classes = class_permissions(classes);
            }
            if let Some(since) = o.since {
                row.since = since;
            }
            if let Some(since) = o.client_since {
                row.client_since = Some(since);
            }
        }
        let explicit_combined = over.is_some_and(|o| o.intune_combined.is_some());
        if policy.combined_page_permissions == CombinedPagePermissions::Feature
            && !explicit_combined
        {
            row.intune_combined.clone_from(&row.intune_only);
        }
        row
    }
}

/// A class → operations map as a flat, sorted, deduplicated list of pairs.
pub fn class_permissions(
    map: &BTreeMap<SecuredClass, Vec<ClassOperation>>,
) -> Vec<ClassPermission> {
    let mut out: Vec<ClassPermission> = map
        .iter()
        .flat_map(|(class, ops)| ops.iter().map(move |op| (*class, *op)))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// One row of the R-F1 table: what a feature needs beyond nothing.
///
/// Every feature also needs `view` (R-F0); [`Requirement`] holds the feature's own row only.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Requirement {
    /// The first site version with the feature (R-F3).
    pub since: u32,
    /// The first ConfigMgr client version with the feature (R-F5, rulebook 3), if it depends
    /// on the client.
    pub client_since: Option<u32>,
    /// Intune permissions in `combined` mode.
    pub intune_combined: Vec<String>,
    /// Intune permissions in `intune_only` mode.
    pub intune_only: Vec<String>,
    /// ConfigMgr Collection operations in `combined` mode.
    pub configmgr: Vec<Operation>,
    /// Operations on other secured classes in `combined` mode (R-G6).
    pub classes: Vec<ClassPermission>,
}
