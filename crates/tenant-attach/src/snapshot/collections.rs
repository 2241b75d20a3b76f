//! The `collections` section (R-C).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A ConfigMgr collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Collection {
    /// `CollectionID`, e.g. `PS100012`.
    pub id: String,
    /// The display name.
    pub name: String,
    /// Device or user collection.
    #[serde(rename = "type")]
    pub kind: CollectionType,
    /// The limiting collection; `null` only for a root such as All Systems (R-C4).
    #[serde(default)]
    pub limiting: Option<String>,
    /// Membership rules (R-C1).
    #[serde(default)]
    pub rules: Vec<CollectionRule>,
}

/// Device or user collection.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CollectionType {
    /// Holds device resources; the only kind that is uploaded.
    Device,
    /// Holds user resources; accepted for ConfigMgr assignments, never uploaded.
    User,
}

/// One membership rule (R-C1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum CollectionRule {
    /// Direct rule: resource ids.
    Direct(Vec<u32>),
    /// Query rule, carried with its evaluated result.
    Query(QueryRule),
    /// Include the members of another collection.
    Include(String),
    /// Exclude the members of another collection.
    Exclude(String),
}

/// A query rule: WQL cannot be evaluated offline, so the snapshot carries its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryRule {
    /// The rule name.
    pub name: String,
    /// The WQL text, for display only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wql: Option<String>,
    /// The evaluated result (from `SMS_FullCollectionMembership`).
    #[serde(default)]
    pub members: Vec<u32>,
}
