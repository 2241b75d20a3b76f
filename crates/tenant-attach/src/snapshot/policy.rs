//! The `policy` section: the knobs where Microsoft is silent.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::features::{ClassOperation, Feature, Operation, SecuredClass};

/// The policy knobs (see the rulebook); every decision reports the ones it used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// R-U4: which dependents of the upload collection count as its children.
    #[serde(default = "ChildRelation::all")]
    pub child_relations: Vec<ChildRelation>,
    /// R-I5: what an assignment without scope tags reaches.
    #[serde(default)]
    pub untagged_assignment: UntaggedAssignment,
    /// R-I6: whether scope groups limit actions on tenant-attached devices.
    #[serde(default)]
    pub scope_groups_apply_to_attached: bool,
    /// R-I7: whether `intune_only` mode ignores scope tags.
    #[serde(default)]
    pub intune_only_ignores_scope_tags: bool,
    /// R-F1: whether `view` needs the ConfigMgr *Read* operation in `combined` mode.
    #[serde(default = "yes")]
    pub configmgr_gates_view: bool,
    /// R-G2: which discoveries a user needs.
    #[serde(default)]
    pub discovery_required: DiscoveryRequired,
    /// R-F1: what the `combined`-mode rows marked "—" need from Intune.
    #[serde(default)]
    pub combined_page_permissions: CombinedPagePermissions,
    /// R-I1 (rulebook 3): what the Entra reader roles and Helpdesk Administrator hold.
    #[serde(default)]
    pub entra_roles: EntraRoles,
    /// R-I8 (rulebook 3): how a user whose licence the snapshot does not give is read.
    #[serde(default)]
    pub licence_unknown: LicenceUnknown,
    /// R-F3 (rulebook 3): whether `application_management` has its own versions.
    #[serde(default)]
    pub application_actions_split: ApplicationActionsSplit,
    /// R-F3 (rulebook 3): which features exist on the US Government cloud.
    #[serde(default)]
    pub us_government_features: UsGovernmentFeatures,
    /// R-F1: overrides of the requirement table, by feature.
    #[serde(default)]
    pub features: BTreeMap<Feature, FeatureOverride>,
}

fn yes() -> bool {
    true
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            child_relations: ChildRelation::all(),
            untagged_assignment: UntaggedAssignment::default(),
            scope_groups_apply_to_attached: false,
            intune_only_ignores_scope_tags: false,
            configmgr_gates_view: true,
            discovery_required: DiscoveryRequired::default(),
            combined_page_permissions: CombinedPagePermissions::default(),
            entra_roles: EntraRoles::default(),
            licence_unknown: LicenceUnknown::default(),
            application_actions_split: ApplicationActionsSplit::default(),
            us_government_features: UsGovernmentFeatures::default(),
            features: BTreeMap::new(),
        }
    }
}

/// An edge kind that makes a dependent collection a child (R-U4, R-C5).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ChildRelation {
    /// The child is limited to the parent.
    Limiting,
    /// The child includes the parent.
    Include,
    /// The child excludes the parent.
    Exclude,
}

impl ChildRelation {
    /// The default: the console's *Dependent* view.
    pub fn all() -> Vec<ChildRelation> {
        vec![
            ChildRelation::Limiting,
            ChildRelation::Include,
            ChildRelation::Exclude,
        ]
    }

    /// A list of relations in canonical order (limiting, include, exclude), without
    /// duplicates: the reading it stands for does not depend on how it was written.
    pub fn canonical(relations: &[ChildRelation]) -> Vec<ChildRelation> {
        let mut out = relations.to_vec();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The snake_case name used in the snapshot.
    pub fn as_str(self) -> &'static str {
        match self {
            ChildRelation::Limiting => "limiting",
            ChildRelation::Include => "include",
            ChildRelation::Exclude => "exclude",
        }
    }
}

/// `policy.untagged_assignment` (R-I5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UntaggedAssignment {
    /// An assignment with no scope tags reaches every object.
    #[default]
    AllTags,
    /// An assignment with no scope tags carries Default only.
    DefaultTag,
}

/// `policy.discovery_required` (R-G2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DiscoveryRequired {
    /// Rulebook 2's default: before 2103 both discoveries; from 2103, either for `view`, the
    /// device actions, `enroll_now` and `bitlocker_keys`, both for the pages that require
    /// the client-details prerequisites.
    #[default]
    ByFeature,
    /// Rulebook 1's default: 2103+ Entra or AD user discovery; 2010 and earlier both.
    ByVersion,
    /// Both discoveries on every version, for every feature.
    Both,
}

impl DiscoveryRequired {
    /// Every value.
    pub const ALL: &'static [DiscoveryRequired] = &[
        DiscoveryRequired::ByFeature,
        DiscoveryRequired::ByVersion,
        DiscoveryRequired::Both,
    ];

    /// The snake_case name used in the snapshot.
    pub fn as_str(self) -> &'static str {
        match self {
            DiscoveryRequired::ByFeature => "by_feature",
            DiscoveryRequired::ByVersion => "by_version",
            DiscoveryRequired::Both => "both",
        }
    }
}

/// `policy.combined_page_permissions` (R-F1, rulebook 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CombinedPagePermissions {
    /// The "—" rows need nothing beyond `view` in `combined` mode (every tenant-attach page
    /// asks only for "an Intune role assigned to the user").
    #[default]
    View,
    /// Each `combined`-mode row equals its `intune_only` row (Intune's custom-role page).
    Feature,
}

impl CombinedPagePermissions {
    /// The snake_case name used in the snapshot.
    pub fn as_str(self) -> &'static str {
        match self {
            CombinedPagePermissions::View => "view",
            CombinedPagePermissions::Feature => "feature",
        }
    }
}

impl UntaggedAssignment {
    /// The snake_case name used in the snapshot.
    pub fn as_str(self) -> &'static str {
        match self {
            UntaggedAssignment::AllTags => "all_tags",
            UntaggedAssignment::DefaultTag => "default_tag",
        }
    }
}

/// An override of one row of the R-F1 table; a missing field keeps the default.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureOverride {
    /// Intune permissions in `combined` mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intune_combined: Option<Vec<String>>,
    /// Intune permissions in `intune_only` mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intune_only: Option<Vec<String>>,
    /// ConfigMgr Collection operations (`combined` mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configmgr: Option<Vec<Operation>>,
    /// Operations on other secured classes (`combined` mode, R-G6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classes: Option<BTreeMap<SecuredClass, Vec<ClassOperation>>>,
    /// The first site version with the feature (R-F3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<u32>,
    /// The first ConfigMgr client version with the feature (R-F5, rulebook 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_since: Option<u32>,
}

/// Declares a knob's enum: its values, the default, `ALL` and `as_str`.
macro_rules! knob_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, the default first.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The snake_case name used in the snapshot.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }
    };
}

knob_enum! {
    /// `policy.entra_roles` (R-I1, rulebook 3): what the Entra roles other than Global and
    /// Intune Administrator hold.
    EntraRoles {
        /// Global Reader, Security Reader, Security Operator, Security Administrator and
        /// Helpdesk Administrator hold `view`'s Intune permission on every device, unlimited by
        /// scope tags or groups, and nothing else (the RBAC overview's "Read only").
        #[default]
        Documented = "documented",
        /// As `documented`, and a Helpdesk Administrator also holds the permissions of the
        /// snapshot's built-in *Help Desk Operator* role definition ("equivalent to").
        HelpdeskAsOperator = "helpdesk_as_operator",
        /// Only Global and Intune Administrator count (rulebook 2).
        AdminsOnly = "admins_only",
    }
}

knob_enum! {
    /// `policy.licence_unknown` (R-I8, rulebook 3): a user whose `intune_licensed` is absent.
    LicenceUnknown {
        /// Read as licensed; decisions that depend on it list R-I8 under `not_evaluated`.
        #[default]
        Licensed = "licensed",
        /// Read as unlicensed.
        Unlicensed = "unlicensed",
    }
}

knob_enum! {
    /// `policy.application_actions_split` (R-F3, rulebook 3).
    ApplicationActionsSplit {
        /// `application_actions` (install, reinstall) from 2006; `application_management`
        /// (uninstall, repair, re-evaluate) from 2010 with a 2010+ client (R-F5).
        #[default]
        ByVersion = "by_version",
        /// Rulebook 2: `application_management` is decided exactly as `application_actions`.
        Single = "single",
    }
}

knob_enum! {
    /// `policy.us_government_features` (R-F3, rulebook 3).
    UsGovernmentFeatures {
        /// On `us_government`, only `view` and the three device actions exist.
        #[default]
        Documented = "documented",
        /// Every feature exists as on `public`.
        All = "all",
    }
}
