//! The named answers of the questions: what `visible`, `who` and `upload` print, as types
//! with one JSON form (serialized with sorted keys, read back with `Deserialize`). The
//! decision ([`crate::Decision`]) and offboarding ([`crate::Offboard`]) answers live beside
//! the code that makes them.

use serde::{Deserialize, Serialize};

use crate::decision::{Mode, ReasonCode};
use crate::features::Feature;

/// A device named in an answer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeviceRef {
    /// The device's name.
    pub name: String,
    /// The device's resource id.
    pub resource_id: u32,
}

/// A user named in an answer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserRef {
    /// The user's Entra id.
    pub id: String,
    /// The user's UPN.
    pub upn: String,
}

/// `visible`: the devices a user may use a feature on, in resource-id order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VisibleDevices {
    /// The devices.
    pub devices: Vec<DeviceRef>,
    /// The feature.
    pub feature: Feature,
    /// The mode (R-M1).
    pub mode: Mode,
    /// The user's UPN.
    pub user: String,
    /// The user's Entra id.
    pub user_id: String,
}

/// `who`: the users who may use a feature on a device, sorted by UPN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WhoUsers {
    /// The device's name.
    pub device: String,
    /// The feature.
    pub feature: Feature,
    /// The mode (R-M1).
    pub mode: Mode,
    /// The device's resource id.
    pub resource_id: u32,
    /// The users.
    pub users: Vec<UserRef>,
}

/// One uploaded device and the collection path that brought it in (R-U4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UploadedDevice {
    /// The device's name.
    pub name: String,
    /// The device's resource id.
    pub resource_id: u32,
    /// Collection ids from the selected collection down; empty for *all devices* (R-U3).
    pub via: Vec<String>,
}

/// One device left out, with the first reason (R-U).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LeftOutDevice {
    /// The device's name.
    pub name: String,
    /// The first reason, in evaluation order.
    pub reason: ReasonCode,
    /// The device's resource id.
    pub resource_id: u32,
    /// The rule behind the reason.
    pub rule: String,
}

/// `upload`: every device, uploaded or not, in resource-id order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UploadAnswer {
    /// The uploaded devices.
    pub devices: Vec<UploadedDevice>,
    /// The devices left out.
    pub not_uploaded: Vec<LeftOutDevice>,
}
