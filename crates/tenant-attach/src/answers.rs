//! The named answers of the questions: what `visible`, `who` and `upload` print, as types
//! with one JSON form (serialized with sorted keys, read back with `Deserialize`). The
//! decision ([`crate::Decision`]) and offboarding ([`crate::Offboard`]) answers live beside
//! the code that makes them.

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use crate::access::UserIx;
use crate::decision::{Mode, ReasonCode};
use crate::devices::DeviceIx;
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
    /// The administrative users (accounts) whose associations the importer inferred and the
    /// answer rests on (issue 18, R-G4); left out of the JSON when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inferred_associations: Vec<String>,
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
    /// The administrative users (accounts) whose inferred associations some listed user's
    /// access rests on (issue 18, R-G4); left out of the JSON when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inferred_associations: Vec<String>,
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
    pub(crate) inferred: Vec<&'a str>,
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
        if !self.inferred.is_empty() {
            st.serialize_field("inferred_associations", &self.inferred)?;
        }
        st.serialize_field("mode", &self.engine.mode())?;
        st.serialize_field("user", self.user)?;
        st.serialize_field("user_id", self.user_id)?;
        st.end()
    }
}

/// The named answers, made from the engine's indexes: here rather than in `engine`, so the
/// engine knows nothing of the answers' shapes (no import cycle between the two modules).
impl Engine {
    /// `visible` as a named answer: the devices with their names, the user, the mode.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, Mode, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let grace = engine.find_user("grace@contoso.com")?;
    /// let answer = engine.visible_devices(grace, Feature::View);
    /// let names: Vec<&str> = answer.devices.iter().map(|d| d.name.as_str()).collect();
    /// assert_eq!(names, ["CON-WS-001", "CON-WS-002", "CON-WS-003"]); // co-managed, tagged Paris
    /// assert_eq!((answer.user.as_str(), answer.mode), ("grace@contoso.com", Mode::Combined));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn visible_devices(&self, user: UserIx, feature: Feature) -> VisibleDevices {
        let u = self.user(user);
        VisibleDevices {
            devices: self
                .visible(user, feature)
                .iter()
                .filter_map(|d| self.device(d))
                .map(|d| DeviceRef {
                    name: d.name.clone(),
                    resource_id: d.resource_id,
                })
                .collect(),
            feature,
            inferred_associations: self
                .inferred_admins(user)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            mode: self.mode(),
            user: u.map(|u| u.upn.clone()).unwrap_or_default(),
            user_id: u.map(|u| u.id.clone()).unwrap_or_default(),
        }
    }

    /// `visible` as a document written while it is walked: the same JSON as
    /// [`Engine::visible_devices`], without a list of the size of the answer.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, sample, serde_json};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let grace = engine.find_user("grace@contoso.com")?;
    /// let streamed = serde_json::to_string(&engine.visible_stream(grace, Feature::View))?;
    /// let listed = serde_json::to_string(&engine.visible_devices(grace, Feature::View))?;
    /// assert_eq!(streamed, listed);
    /// assert!(streamed.contains(r#""name":"CON-WS-003""#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn visible_stream(&self, user: UserIx, feature: Feature) -> VisibleStream<'_> {
        let u = self.user(user);
        VisibleStream {
            engine: self,
            devices: self.visible(user, feature),
            feature,
            inferred: self.inferred_admins(user),
            user: u.map_or("", |u| u.upn.as_str()),
            user_id: u.map_or("", |u| u.id.as_str()),
        }
    }

    /// The upload as a document written while it is walked: the same JSON as
    /// [`Engine::upload_answer`], holding nothing of the size of the answer.
    ///
    /// ```
    /// use tenant_attach::{Engine, sample, serde_json};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let streamed = serde_json::to_string(&engine.upload_stream())?;
    /// assert_eq!(streamed, serde_json::to_string(&engine.upload_answer())?);
    /// assert!(streamed.contains(r#""via":["PS100020","PS100022"]"#)); // CON-SRV-SQL01
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn upload_stream(&self) -> UploadStream<'_> {
        UploadStream { engine: self }
    }

    /// `who` as a named answer: the users with their UPNs, the device, the mode.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let answer = engine.who_users(engine.find_device("CON-SRV-SQL01")?, Feature::View);
    /// let upns: Vec<&str> = answer.users.iter().map(|u| u.upn.as_str()).collect();
    /// assert_eq!(upns, ["carol@contoso.com", "dave@contoso.com"]);
    /// assert_eq!((answer.device.as_str(), answer.resource_id), ("CON-SRV-SQL01", 16777316));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn who_users(&self, device: DeviceIx, feature: Feature) -> WhoUsers {
        let d = self.device(device);
        let users = self.who(device, feature);
        // Each listed user's admins are looked at only when some admin was inferred at all.
        let any_inferred = self
            .snapshot()
            .configmgr
            .admins
            .iter()
            .any(|a| a.associations_inferred);
        let mut inferred: Vec<String> = users
            .iter()
            .filter(|_| any_inferred)
            .flat_map(|u| self.inferred_admins(*u))
            .map(str::to_owned)
            .collect();
        inferred.sort_unstable();
        inferred.dedup();
        WhoUsers {
            device: d.map(|d| d.name.clone()).unwrap_or_default(),
            feature,
            inferred_associations: inferred,
            mode: self.mode(),
            resource_id: d.map_or(0, |d| d.resource_id),
            users: users
                .iter()
                .filter_map(|u| self.user(*u))
                .map(|u| UserRef {
                    id: u.id.clone(),
                    upn: u.upn.clone(),
                })
                .collect(),
        }
    }

    /// The upload as a named answer: every uploaded device with its collection path, every
    /// other device with its first reason (R-U).
    ///
    /// ```
    /// use tenant_attach::{Engine, ReasonCode, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let answer = engine.upload_answer();
    /// assert_eq!((answer.devices.len(), answer.not_uploaded.len()), (16, 8));
    /// let sql = answer.devices.iter().find(|d| d.name == "CON-SRV-SQL01").ok_or("not uploaded")?;
    /// assert_eq!(sql.via, ["PS100020", "PS100022"]); // Upload plus SQL includes PS100020
    /// let dc = answer.not_uploaded.iter().find(|d| d.name == "CON-SRV-DC01").ok_or("uploaded")?;
    /// assert_eq!((dc.reason, dc.rule.as_str()), (ReasonCode::NotUploadedOutOfScope, "R-U4"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn upload_answer(&self) -> UploadAnswer {
        let scope = self.upload();
        let mut out = UploadAnswer {
            devices: Vec::new(),
            not_uploaded: Vec::new(),
        };
        for ix in self.device_ixs() {
            let Some(d) = self.device(ix) else { continue };
            if scope.is_uploaded(ix) {
                out.devices.push(UploadedDevice {
                    name: d.name.clone(),
                    resource_id: d.resource_id,
                    via: scope
                        .via(ix)
                        .iter()
                        .filter_map(|c| self.collections().id(*c).map(str::to_owned))
                        .collect(),
                });
            } else if let Some(reason) = scope.reasons(ix, d.client).first() {
                out.not_uploaded.push(LeftOutDevice {
                    name: d.name.clone(),
                    reason: reason.reason_code(),
                    resource_id: d.resource_id,
                    rule: scope.rule(*reason).to_owned(),
                });
            }
        }
        out
    }
}
