//! The named answers of the questions: what `visible`, `who` and `upload` print, as types
//! with one JSON form (serialized with sorted keys, read back with `Deserialize`). The
//! decision ([`crate::Decision`]) and offboarding ([`crate::Offboard`]) answers live beside
//! the code that makes them.

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use crate::decision::{Mode, ReasonCode};
use crate::devices::DeviceSet;
use crate::engine::Engine;
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

/// `upload`'s document, written as it is walked: serializing it holds nothing of the size of
/// the answer (the same JSON as [`UploadAnswer`], keys in the same order).
#[derive(Debug, Clone, Copy)]
pub struct UploadStream<'a> {
    pub(crate) engine: &'a Engine,
}

/// One uploaded device, borrowed from the engine.
#[derive(Serialize)]
struct UploadedRef<'a> {
    name: &'a str,
    resource_id: u32,
    via: Vec<&'a str>,
}

/// One device left out, borrowed from the engine.
#[derive(Serialize)]
struct LeftOutRef<'a> {
    name: &'a str,
    reason: ReasonCode,
    resource_id: u32,
    rule: &'static str,
}

struct Uploaded<'a>(&'a Engine);
struct NotUploaded<'a>(&'a Engine);

impl Serialize for Uploaded<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        let scope = e.upload();
        s.collect_seq(e.device_ixs().filter_map(|d| {
            let dev = e.device(d)?;
            scope.is_uploaded(d).then(|| UploadedRef {
                name: &dev.name,
                resource_id: dev.resource_id,
                via: scope
                    .via(d)
                    .iter()
                    .filter_map(|c| e.collections().id(*c))
                    .collect(),
            })
        }))
    }
}

impl Serialize for NotUploaded<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        let scope = e.upload();
        s.collect_seq(e.device_ixs().filter_map(|d| {
            let dev = e.device(d)?;
            if scope.is_uploaded(d) {
                return None;
            }
            let reason = *scope.reasons(d, dev.client).first()?;
            Some(LeftOutRef {
                name: &dev.name,
                reason: reason.reason_code(),
                resource_id: dev.resource_id,
                rule: scope.rule(reason),
            })
        }))
    }
}

impl Serialize for UploadStream<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("UploadAnswer", 2)?;
        st.serialize_field("devices", &Uploaded(self.engine))?;
        st.serialize_field("not_uploaded", &NotUploaded(self.engine))?;
        st.end()
    }
}

/// `visible`'s document, written as it is walked (the same JSON as [`VisibleDevices`]): it
/// holds the device set (a compressed bitmap), not a list of names.
#[derive(Debug, Clone)]
pub struct VisibleStream<'a> {
    pub(crate) engine: &'a Engine,
    pub(crate) devices: DeviceSet,
    pub(crate) feature: Feature,
    pub(crate) user: &'a str,
    pub(crate) user_id: &'a str,
}

struct DeviceList<'a>(&'a Engine, &'a DeviceSet);

impl Serialize for DeviceList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        s.collect_seq(self.1.iter().filter_map(|d| {
            e.device(d).map(|dev| DeviceRefBorrowed {
                name: &dev.name,
                resource_id: dev.resource_id,
            })
        }))
    }
}

#[derive(Serialize)]
struct DeviceRefBorrowed<'a> {
    name: &'a str,
    resource_id: u32,
}

impl Serialize for VisibleStream<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("VisibleDevices", 5)?;
        st.serialize_field("devices", &DeviceList(self.engine, &self.devices))?;
        st.serialize_field("feature", &self.feature)?;
        st.serialize_field("mode", &self.engine.mode())?;
        st.serialize_field("user", self.user)?;
        st.serialize_field("user_id", self.user_id)?;
        st.end()
    }
}
