//! The `tenant`, `hierarchy` and `devices` sections.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::DEFAULT_SCOPE_TAG;

/// Tenant-wide Intune settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tenant {
    /// The tenant-wide *Use Intune RBAC* toggle (R-M1).
    #[serde(default)]
    pub use_intune_rbac: bool,
    /// How permissions combine across a user's assignments (R-I4).
    #[serde(default)]
    pub intune_permission_merge: PermissionMerge,
    /// The tenant setting *Allow access to unlicensed admins* (R-I8, rulebook 3; Graph beta
    /// `deviceManagement.unlicensedAdminstratorsEnabled`). Default `false`: an administrator
    /// without an Intune licence gets no Intune role assignment; with it on, assignments apply
    /// to direct members of their member groups only.
    #[serde(default)]
    pub unlicensed_admins: bool,
}

/// `tenant.intune_permission_merge` (R-I4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PermissionMerge {
    /// A permission from any assignment applies to everything any assignment's tags reach.
    #[default]
    Merged,
    /// A permission applies only to what the same assignment's tags reach.
    Scoped,
}

/// The ConfigMgr hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hierarchy {
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The top-level site code, e.g. `PS1`.
    pub site_code: String,
    /// The version as `YYMM`, e.g. 2403.
    pub version: u32,
    /// The cloud environment of the tenant (R-H2).
    pub cloud: Cloud,
    /// Whether the site is online (R-H4).
    #[serde(default = "yes")]
    pub online: bool,
    /// Whether the site is healthy (R-H4).
    #[serde(default = "yes")]
    pub healthy: bool,
    /// Whether co-management is enabled (R-H3).
    #[serde(default)]
    pub co_management: bool,
    /// The tenant attach settings.
    pub attach: Attach,
    /// Which user discovery methods run (R-G2).
    #[serde(default)]
    pub discovery: Discovery,
    /// Whether the optional feature *Create and run scripts* is on (R-F3, rulebook 3). Read only
    /// at version 2006 and earlier, where it is off by default; `None` (the default) = not known:
    /// `scripts_view` and `run_script` are then decided without it and say so under
    /// `not_evaluated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scripts_feature_enabled: Option<bool>,
    /// Whether the SMS Provider requires multi-factor authentication (R-F6, rulebook 3).
    /// `Some(true)` denies the acting features and the applications, CMPivot and scripts pages
    /// (`sms_provider_mfa`, a known issue: HTTP 403); `None` (the default) = not known, an
    /// advisory on those features' allowed decisions; `Some(false)` = neither.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_provider_mfa: Option<bool>,
}

fn yes() -> bool {
    true
}

/// The cloud environment (R-H2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Cloud {
    /// Azure public cloud (2002+).
    Public,
    /// Azure US Government (2107+).
    UsGovernment,
    /// Azure China (no upload, R-U2).
    China,
}

/// The tenant attach settings of a hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attach {
    /// Attached or detached (R-U1).
    pub state: AttachState,
    /// Which devices are uploaded (R-U3, R-U4).
    pub upload: Upload,
    /// The *Enforce Configuration Manager RBAC* box (R-M1).
    #[serde(default = "yes")]
    pub enforce_configmgr_rbac: bool,
    /// Endpoint analytics data upload (R-H5).
    #[serde(default)]
    pub endpoint_analytics: bool,
    /// Microsoft Defender for Endpoint data upload.
    #[serde(default)]
    pub defender_data: bool,
}

/// The attach state (R-U1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttachState {
    /// Tenant attach is enabled.
    Attached,
    /// Tenant attach is off (never enabled or offboarded).
    Detached,
}

/// The upload setting: `{"all_devices": true}` or `{"collection": "PS100012"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Upload {
    /// *All my devices managed by Configuration Manager* (R-U3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_devices: Option<bool>,
    /// *A specified collection* (R-U4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<String>,
}

impl Upload {
    /// Upload every device with a client (R-U3).
    ///
    /// ```
    /// use tenant_attach::{Engine, sample, snapshot::Upload};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let all = engine.upload_with(&Upload::all_devices(), &[]);
    /// assert!(all.is_all_devices());
    /// assert_eq!(all.uploaded().len(), 21); // every client (R-U3)
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn all_devices() -> Upload {
        Upload {
            all_devices: Some(true),
            collection: None,
        }
    }

    /// Upload one collection and its children (R-U4).
    ///
    /// ```
    /// use tenant_attach::{Engine, sample, snapshot::Upload};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// assert_eq!(engine.snapshot().hierarchy.attach.upload, Upload::collection("PS100020"));
    /// let desktops = engine.upload_with(&Upload::collection("PS100011"), &[]); // no children
    /// assert_eq!(desktops.uploaded().len(), 8);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn collection(id: impl Into<String>) -> Upload {
        Upload {
            all_devices: None,
            collection: Some(id.into()),
        }
    }
}

/// Which user discovery methods run (R-G2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Discovery {
    /// Active Directory user discovery.
    #[serde(default = "yes")]
    pub ad_users: bool,
    /// Microsoft Entra user discovery.
    #[serde(default = "yes")]
    pub entra_users: bool,
}

impl Default for Discovery {
    fn default() -> Self {
        Discovery {
            ad_users: true,
            entra_users: true,
        }
    }
}

/// A ConfigMgr device resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// `SMS_R_System.ResourceID`.
    pub resource_id: u32,
    /// The NetBIOS name.
    pub name: String,
    /// The console's *Client* column (R-U3).
    pub client: bool,
    /// The operating system caption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// Also enrolled in Intune (co-managed) rather than only tenant-attached.
    #[serde(default)]
    pub co_managed: bool,
    /// Intune scope tags (R-S1): `[]` on a tenant-attached device means Default was removed.
    #[serde(default = "default_tags")]
    pub scope_tags: Vec<String>,
    /// The Entra device id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entra_device_id: Option<String>,
    /// The Entra groups the device is in (R-I6).
    #[serde(default)]
    pub scope_groups: Vec<String>,
    /// The ConfigMgr client's version as `YYMM` (R-F5, rulebook 3), like `hierarchy.version`;
    /// `None` (the default) = not known, and the features that depend on it say so under
    /// `not_evaluated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_version: Option<u32>,
}

fn default_tags() -> Vec<String> {
    vec![String::from(DEFAULT_SCOPE_TAG)]
}
