//! The serde model of the snapshot contract (`tenant-attach.snapshot/1`).
//!
//! Every struct refuses unknown fields (a typo must not silently change a decision), except
//! the free `x` object. Optional fields carry the defaults of `interface.md`. The model is
//! plain data with public fields: it *is* the contract, versioned by [`SCHEMA`].

mod access;
mod build;
mod collections;
mod hierarchy;
mod policy;

pub use access::{
    AssignmentScope, Association, AssociationMode, ConfigMgr, ConfigMgrAdmin, ConfigMgrRole,
    DirectoryRole, DiscoveredUser, DiscoveryAgent, Entra, EntraGroup, EntraUser, Intune,
    RoleAssignment, RoleDefinition, ScopeTag, Script,
};
pub use collections::{Collection, CollectionRule, CollectionType, QueryRule};
pub use hierarchy::{
    Attach, AttachState, Cloud, Device, Discovery, Hierarchy, PermissionMerge, Tenant, Upload,
};
pub use policy::{
    ChildRelation, CombinedPagePermissions, DiscoveryRequired, FeatureOverride, Policy,
    UntaggedAssignment,
};

use serde::{Deserialize, Serialize};

use crate::error::LoadError;

/// The only schema this version reads and writes.
pub const SCHEMA: &str = "tenant-attach.snapshot/1";

/// The id of Intune's Default scope tag (R-S1).
pub const DEFAULT_SCOPE_TAG: &str = "0";

/// One hierarchy and its tenant at one moment: the engine's whole input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Tenant-wide Intune settings (R-M1, R-I4).
    pub tenant: Tenant,
    /// The ConfigMgr hierarchy and its attach settings.
    pub hierarchy: Hierarchy,
    /// ConfigMgr device resources.
    #[serde(default)]
    pub devices: Vec<Device>,
    /// ConfigMgr collections (R-C).
    #[serde(default)]
    pub collections: Vec<Collection>,
    /// ConfigMgr RBAC: security roles, administrative users, discovered users (R-G).
    #[serde(default)]
    pub configmgr: ConfigMgr,
    /// Entra users and groups (R-I1, R-I2, R-G1, R-G3).
    #[serde(default)]
    pub entra: Entra,
    /// Intune RBAC: scope tags, role definitions and assignments (R-I, R-S).
    #[serde(default)]
    pub intune: Intune,
    /// The policy knobs where Microsoft is silent (see the rulebook).
    #[serde(default)]
    pub policy: Policy,
    /// Free for users; never read by the engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<serde_json::Value>,
}

impl Snapshot {
    /// Parses a snapshot from JSON text.
    ///
    /// A syntax error, an unknown field or a value of the wrong type is a [`LoadError`] that
    /// carries the line, the column and the JSON path of the offending value. The schema
    /// string is checked here too; everything else is [`crate::validate`]'s job.
    pub fn from_json(text: &str) -> Result<Snapshot, LoadError> {
        // The fast path parses without tracking paths; only a failure is parsed again with
        // serde_path_to_error, to say where.
        let snapshot: Snapshot = match serde_json::from_str(text) {
            Ok(s) => s,
            Err(_) => {
                let mut de = serde_json::Deserializer::from_str(text);
                let s: Snapshot = serde_path_to_error::deserialize(&mut de)
                    .map_err(LoadError::from_path_error)?;
                de.end()
                    .map_err(|e| LoadError::from_json_error(e, String::from("$")))?;
                s
            }
        };
        snapshot.check_schema()?;
        Ok(snapshot)
    }

    /// Parses a snapshot from a reader (a file, standard input).
    ///
    /// The reader is read to its end first; the library itself opens no file.
    pub fn from_reader(mut reader: impl std::io::Read) -> Result<Snapshot, LoadError> {
        let mut text = String::new();
        reader
            .read_to_string(&mut text)
            .map_err(|e| LoadError::Io(e.to_string()))?;
        Snapshot::from_json(&text)
    }

    /// Writes the snapshot as pretty-printed JSON, every default spelt out.
    pub fn to_json(&self) -> String {
        // Serializing plain data into a String cannot fail: every map key is a string.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    fn check_schema(&self) -> Result<(), LoadError> {
        if self.schema == SCHEMA {
            Ok(())
        } else {
            Err(LoadError::Schema {
                found: self.schema.clone(),
            })
        }
    }
}
