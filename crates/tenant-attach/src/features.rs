//! Features and what each requires (R-F0, R-F1).

use serde::{Deserialize, Serialize};

use crate::snapshot::Policy;

/// The prefix of every Intune permission string.
pub const INTUNE_PREFIX: &str = "Microsoft.Intune_";

/// The Intune permission that `view` needs in both modes (R-F1).
pub const MANAGED_DEVICES_READ: &str = "Microsoft.Intune_ManagedDevices_Read";

/// The Intune permission that offboarding needs (R-H4).
pub const ORGANIZATION_DELETE: &str = "Microsoft.Intune_Organization_Delete";

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
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
        /// Install, uninstall, repair applications.
        ApplicationActions = "application_actions",
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
    pub fn is_acting(self) -> bool {
        matches!(
            self,
            Feature::SyncMachinePolicy
                | Feature::SyncUserPolicy
                | Feature::AppEvaluationCycle
                | Feature::RunScript
                | Feature::Cmpivot
                | Feature::ApplicationActions
                | Feature::EnrollNow
                | Feature::BitlockerKeys
        )
    }

    /// The default row of the R-F1 table.
    pub fn default_requirement(self) -> Requirement {
        use Operation as O;
        let action = "Microsoft.Intune_RemoteTasks_ConfigurationManagerAction";
        let (combined, only, ops): (&[&str], &[&str], &[Operation]) = match self {
            Feature::View => (&[MANAGED_DEVICES_READ], &[MANAGED_DEVICES_READ], &[O::Read]),
            Feature::SyncMachinePolicy | Feature::SyncUserPolicy | Feature::AppEvaluationCycle => {
                (&[action], &[action], &[O::Read, O::NotifyResource])
            }
            Feature::ClientDetails => (
                &[],
                &["Microsoft.Intune_CloudAttach_ClientDetails"],
                &[O::Read],
            ),
            Feature::CollectionsView => (
                &[],
                &["Microsoft.Intune_CloudAttach_Collections"],
                &[O::Read],
            ),
            Feature::ResourceExplorer => (
                &[],
                &["Microsoft.Intune_CloudAttach_ResourceExplorer"],
                &[O::Read, O::ReadResource],
            ),
            Feature::Timeline => (
                &[],
                &["Microsoft.Intune_CloudAttach_Timeline"],
                &[O::Read, O::ReadResource, O::NotifyResource],
            ),
            Feature::ScriptsView => (
                &[],
                &["Microsoft.Intune_CloudAttach_Scripts"],
                &[O::Read, O::ReadResource],
            ),
            Feature::RunScript => (
                &[],
                &["Microsoft.Intune_CloudAttach_ScriptActions"],
                &[O::Read, O::ReadResource, O::RunScript],
            ),
            Feature::Cmpivot => (
                &[],
                &["Microsoft.Intune_CloudAttach_CMPivot"],
                &[O::Read, O::RunCmpivot],
            ),
            Feature::ApplicationsView => (
                &[],
                &["Microsoft.Intune_CloudAttach_Applications"],
                &[O::Read],
            ),
            Feature::ApplicationActions => (
                &[],
                &["Microsoft.Intune_CloudAttach_ApplicationActions"],
                &[O::Read],
            ),
            Feature::SoftwareUpdates => (
                &[],
                &["Microsoft.Intune_CloudAttach_SoftwareUpdates"],
                &[O::Read],
            ),
            Feature::BitlockerKeys => (
                &[],
                &["Microsoft.Intune_RemoteTasks_RotateBitLockerKeys"],
                &[O::Read, O::ReadBitlockerRecoveryKey],
            ),
            Feature::EnrollNow => (
                &["Microsoft.Intune_CloudAttach_EnrollNow"],
                &["Microsoft.Intune_CloudAttach_EnrollNow"],
                &[O::Read],
            ),
        };
        let owned = |perms: &[&str]| perms.iter().map(|p| (*p).to_owned()).collect();
        Requirement {
            intune_combined: owned(combined),
            intune_only: owned(only),
            configmgr: ops.to_vec(),
        }
    }

    /// The row of the R-F1 table in force under `policy` (defaults with its overrides).
    pub fn requirement(self, policy: &Policy) -> Requirement {
        let mut row = self.default_requirement();
        if let Some(o) = policy.features.get(&self) {
            if let Some(p) = &o.intune_combined {
                row.intune_combined.clone_from(p);
            }
            if let Some(p) = &o.intune_only {
                row.intune_only.clone_from(p);
            }
            if let Some(ops) = &o.configmgr {
                row.configmgr.clone_from(ops);
            }
        }
        row
    }
}

/// One row of the R-F1 requirement table: what a feature needs beyond nothing.
///
/// Every feature also needs `view` (R-F0); [`Requirement`] holds the feature's own row only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Intune permissions in `combined` mode.
    pub intune_combined: Vec<String>,
    /// Intune permissions in `intune_only` mode.
    pub intune_only: Vec<String>,
    /// ConfigMgr Collection operations in `combined` mode.
    pub configmgr: Vec<Operation>,
}
