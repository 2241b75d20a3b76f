//! The upload scope (R-U1..R-U6, R-H2): which devices tenant attach uploads, and why.

use serde::Serialize;

use crate::collections::{CollectionGraph, CollectionIx, Dependent};
use crate::decision::ReasonCode;
use crate::devices::{DeviceIx, DeviceNo, DeviceSet};
use crate::snapshot::{AttachState, ChildRelation, Cloud, Hierarchy, Upload};

/// R-U6: changes upload every 15 minutes and show 5–10 minutes later.
pub const UPLOAD_DELAY_MINUTES_MAX: u32 = 25;

/// Why a device is not uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NotUploaded {
    /// R-U1: the hierarchy is not attached.
    NotAttached,
    /// R-U2 / R-H2: the cloud cannot upload (China), or not at this version.
    UploadUnsupportedCloud,
    /// R-U3 / R-U4: the device has no ConfigMgr client.
    NotUploadedNoClient,
    /// R-U4: the device is in neither the selected collection nor its children.
    NotUploadedOutOfScope,
}

impl NotUploaded {
    /// The decision's reason code for this upload reason (one vocabulary for both).
    pub fn reason_code(self) -> ReasonCode {
        match self {
            NotUploaded::NotAttached => ReasonCode::NotAttached,
            NotUploaded::UploadUnsupportedCloud => ReasonCode::UploadUnsupportedCloud,
            NotUploaded::NotUploadedNoClient => ReasonCode::NotUploadedNoClient,
            NotUploaded::NotUploadedOutOfScope => ReasonCode::NotUploadedOutOfScope,
        }
    }

    /// The stable reason code, as text.
    pub fn code(self) -> &'static str {
        self.reason_code().as_str()
    }
}

/// Why the whole hierarchy uploads nothing, if it does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Blocked {
    /// R-U1.
    NotAttached,
    /// R-U2: Azure China.
    China,
    /// R-H2: the version predates the cloud (public needs 2002, US Government 2107).
    VersionTooOld {
        /// The first version that supports the cloud.
        needs: u32,
    },
}

impl Blocked {
    /// The rule id.
    pub fn rule(self) -> &'static str {
        match self {
            Blocked::NotAttached => "R-U1",
            Blocked::China => "R-U2",
            Blocked::VersionTooOld { .. } => "R-H2",
        }
    }

    /// The device-level reason this block gives.
    pub fn reason(self) -> NotUploaded {
        match self {
            Blocked::NotAttached => NotUploaded::NotAttached,
            Blocked::China | Blocked::VersionTooOld { .. } => NotUploaded::UploadUnsupportedCloud,
        }
    }
}

/// R-H2: the first version that supports the public cloud (tenant attach itself).
pub const PUBLIC_CLOUD_SINCE: u32 = crate::features::TENANT_ATTACH_SINCE;

/// R-H2: the first version that supports Azure US Government.
pub const US_GOVERNMENT_CLOUD_SINCE: u32 = 2107;

/// R-H2 / R-U2: the first version that can upload on a cloud, `None` when it never can.
///
/// ```
/// use tenant_attach::{Snapshot, sample, snapshot::Cloud, upload::first_version_for};
/// let contoso = Snapshot::from_json(sample::CONTOSO)?;
/// assert_eq!(first_version_for(contoso.hierarchy.cloud), Some(2002)); // public
/// assert_eq!(first_version_for(Cloud::UsGovernment), Some(2107));
/// assert_eq!(first_version_for(Cloud::China), None); // R-U2
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn first_version_for(cloud: Cloud) -> Option<u32> {
    match cloud {
        Cloud::Public => Some(PUBLIC_CLOUD_SINCE),
        Cloud::UsGovernment => Some(US_GOVERNMENT_CLOUD_SINCE),
        Cloud::China => None,
    }
}

/// What blocks every upload from this hierarchy (R-U1, R-U2, R-H2), in that order.
///
/// ```
/// use tenant_attach::{Snapshot, sample, snapshot::Cloud, upload::{Blocked, blocked}};
/// let mut h = Snapshot::from_json(sample::CONTOSO)?.hierarchy;
/// assert_eq!(blocked(&h), None);
/// (h.cloud, h.version) = (Cloud::UsGovernment, 2103);
/// assert_eq!(blocked(&h), Some(Blocked::VersionTooOld { needs: 2107 })); // R-H2
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn blocked(hierarchy: &Hierarchy) -> Option<Blocked> {
    if hierarchy.attach.state != AttachState::Attached {
        return Some(Blocked::NotAttached);
    }
    match first_version_for(hierarchy.cloud) {
        None => Some(Blocked::China),
        Some(needs) if hierarchy.version < needs => Some(Blocked::VersionTooOld { needs }),
        Some(_) => None,
    }
}

/// A collection in the upload scope and how it got there (R-U4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reached {
    collection: CollectionIx,
    /// Index into `reached` of the parent; `None` for the selected collection.
    parent: Option<u32>,
}

/// The upload scope of one setting: uploaded devices, and for each the collection path.
#[derive(Debug, Clone)]
pub struct UploadScope {
    blocked: Option<Blocked>,
    all_devices: bool,
    uploaded: DeviceSet,
    /// Devices in the selected collection or a child (R-U4), client or not.
    in_scope: DeviceSet,
    /// For each device, the index into `reached` of the first collection that holds it.
    origin: Vec<u32>,
    reached: Vec<Reached>,
}

const NO_ORIGIN: u32 = u32::MAX;

impl UploadScope {
    /// Computes the scope of `setting`, with `children` as `policy.child_relations`.
    ///
    /// `setting` names a collection that exists and is a device collection (R-U5, checked by
    /// validation); an unknown one uploads nothing.
    pub(crate) fn compute(
        hierarchy: &Hierarchy,
        setting: &Upload,
        children: &[ChildRelation],
        clients: &DeviceSet,
        device_count: usize,
        graph: &CollectionGraph,
    ) -> UploadScope {
        let n = device_count;
        let blocked = blocked(hierarchy);
        let mut scope = UploadScope {
            blocked,
            all_devices: setting.collection.is_none(),
            uploaded: DeviceSet::empty(clients.stamp()),
            in_scope: DeviceSet::empty(clients.stamp()),
            origin: Vec::new(),
            reached: Vec::new(),
        };
        match &setting.collection {
            None => {
                // R-U3: every device with a client.
                let mut all = roaring::RoaringBitmap::new();
                all.insert_range(0..n as DeviceNo);
                scope.in_scope = DeviceSet::from_bits(all, clients.stamp());
                if blocked.is_none() {
                    scope.uploaded = clients.clone();
                }
            }
            Some(id) => {
                let Some(root) = graph.find(id) else {
                    return scope;
                };
                let mut walk = vec![Dependent {
                    collection: root,
                    parent: root,
                    relation: ChildRelation::Limiting,
                }];
                walk.extend(graph.dependents(root, children));
                scope.origin = vec![NO_ORIGIN; n];
                // Collection → its index in `reached`, to link each child to its parent.
                let mut slot = vec![NO_ORIGIN; graph.len()];
                let mut in_scope = roaring::RoaringBitmap::new();
                for (i, step) in walk.iter().enumerate() {
                    let parent = if i == 0 {
                        None
                    } else {
                        slot.get(step.parent.index() as usize)
                            .copied()
                            .filter(|s| *s != NO_ORIGIN)
                    };
                    if let Some(s) = slot.get_mut(step.collection.index() as usize) {
                        *s = i as u32;
                    }
                    scope.reached.push(Reached {
                        collection: step.collection,
                        parent,
                    });
                    let fresh = &graph.members(step.collection).bits - &in_scope;
                    for d in &fresh {
                        if let Some(o) = scope.origin.get_mut(d as usize) {
                            *o = i as u32;
                        }
                    }
                    in_scope |= fresh;
                }
                scope.in_scope = DeviceSet::from_bits(in_scope, clients.stamp());
                if blocked.is_none() {
                    scope.uploaded =
                        DeviceSet::from_bits(&scope.in_scope.bits & &clients.bits, clients.stamp());
                }
            }
        }
        scope
    }

    /// What blocks every upload, if anything.
    ///
    /// ```
    /// use tenant_attach::{Engine, sample, snapshot::AttachState, upload::Blocked};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// assert_eq!(engine.upload().blocked(), None);
    /// let mut s = engine.snapshot().clone();
    /// s.hierarchy.attach.state = AttachState::Detached;
    /// assert_eq!(Engine::new(s)?.upload().blocked(), Some(Blocked::NotAttached)); // R-U1
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn blocked(&self) -> Option<Blocked> {
        self.blocked
    }

    /// The uploaded devices.
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let uploaded = engine.upload().uploaded();
    /// assert_eq!(uploaded.len(), 16);
    /// assert!(uploaded.is_subset(engine.clients()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn uploaded(&self) -> &DeviceSet {
        &self.uploaded
    }

    /// Whether the device is uploaded (never for another engine's handle).
    ///
    /// ```
    /// use tenant_attach::{Engine, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let upload = engine.upload();
    /// assert!(upload.is_uploaded(engine.find_device("CON-LAB-02")?)); // a direct rule of PS100020
    /// assert!(!upload.is_uploaded(engine.find_device("CON-LAB-01")?)); // labs are excluded
    /// let other = Engine::from_json(sample::CONTOSO)?;
    /// assert!(!upload.is_uploaded(other.find_device("CON-LAB-02")?)); // another engine's handle
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_uploaded(&self, ix: DeviceIx) -> bool {
        self.uploaded.contains(ix)
    }

    /// Whether the raw device number is uploaded.
    pub(crate) fn has(&self, d: DeviceNo) -> bool {
        self.uploaded.has(d)
    }

    /// Every reason the device is not uploaded, in evaluation order: the hierarchy's block
    /// (which stops the chain), then no client and out of scope (independent). Another
    /// engine's handle is out of scope.
    ///
    /// ```
    /// use tenant_attach::{Engine, NotUploaded, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let web02 = engine.find_device("CON-SRV-WEB02")?;
    /// let client = engine.device(web02).ok_or("no device")?.client;
    /// let reasons = engine.upload().reasons(web02, client);
    /// assert_eq!(reasons, [NotUploaded::NotUploadedNoClient, NotUploaded::NotUploadedOutOfScope]);
    /// assert!(engine.upload().reasons(engine.find_device("CON-WS-004")?, true).is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reasons(&self, ix: DeviceIx, client: bool) -> Vec<NotUploaded> {
        match ix.no(self.uploaded.stamp()) {
            Some(d) => self.reasons_no(d, client),
            None => vec![NotUploaded::NotUploadedOutOfScope],
        }
    }

    pub(crate) fn reasons_no(&self, ix: DeviceNo, client: bool) -> Vec<NotUploaded> {
        if let Some(b) = self.blocked {
            return vec![b.reason()];
        }
        let mut out = Vec::new();
        if !client {
            out.push(NotUploaded::NotUploadedNoClient);
        }
        if !self.in_scope.has(ix) {
            out.push(NotUploaded::NotUploadedOutOfScope);
        }
        out
    }

    /// The collection path that brings a device into the upload scope: the selected collection
    /// first, then each child down to the one whose members hold it. A device in scope
    /// without a client has a path too (it is not uploaded: R-U4 uploads clients only). Empty
    /// when all devices are uploaded (R-U3) or the device is not in scope (or another
    /// engine's).
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let (upload, g) = (engine.upload(), engine.collections());
    /// let sql = upload.via(engine.find_device("CON-SRV-SQL01")?);
    /// let path: Vec<&str> = sql.iter().filter_map(|c| g.id(*c)).collect();
    /// assert_eq!(path, ["PS100020", "PS100022"]); // Upload plus SQL, a child, holds it
    /// assert!(upload.via(engine.find_device("CON-SRV-DC01")?).is_empty()); // not in scope
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn via(&self, ix: DeviceIx) -> Vec<CollectionIx> {
        ix.no(self.uploaded.stamp())
            .map_or_else(Vec::new, |d| self.via_no(d))
    }

    pub(crate) fn via_no(&self, ix: DeviceNo) -> Vec<CollectionIx> {
        let mut path = Vec::new();
        if self.all_devices {
            return path;
        }
        let mut at = self
            .origin
            .get(ix as usize)
            .copied()
            .filter(|o| *o != NO_ORIGIN);
        while let Some(i) = at {
            let Some(r) = self.reached.get(i as usize) else {
                break;
            };
            path.push(r.collection);
            at = r.parent;
        }
        path.reverse();
        path
    }

    /// The collections in scope (the selected one and its children), in walk order.
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let g = engine.collections();
    /// let ids: Vec<&str> = engine.upload().collections().filter_map(|c| g.id(c)).collect();
    /// assert_eq!(ids, ["PS100020", "PS100021", "PS100022"]); // PS100020, then its children
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn collections(&self) -> impl Iterator<Item = CollectionIx> + '_ {
        self.reached.iter().map(|r| r.collection)
    }

    /// The rule behind a reason under this setting.
    ///
    /// ```
    /// use tenant_attach::{Engine, NotUploaded, sample, snapshot::Upload};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// assert_eq!(engine.upload().rule(NotUploaded::NotUploadedNoClient), "R-U4"); // PS100020
    /// let all = engine.upload_with(&Upload::all_devices(), &[]);
    /// assert_eq!(all.rule(NotUploaded::NotUploadedNoClient), "R-U3");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rule(&self, reason: NotUploaded) -> &'static str {
        match reason {
            NotUploaded::NotAttached => "R-U1",
            NotUploaded::UploadUnsupportedCloud => self.blocked.map_or("R-U2", Blocked::rule),
            NotUploaded::NotUploadedNoClient if self.all_devices => "R-U3",
            NotUploaded::NotUploadedNoClient | NotUploaded::NotUploadedOutOfScope => "R-U4",
        }
    }

    /// Whether the setting is *all devices* (R-U3).
    ///
    /// ```
    /// use tenant_attach::{Engine, sample, snapshot::Upload};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// assert!(!engine.upload().is_all_devices()); // Contoso uploads PS100020
    /// assert!(engine.upload_with(&Upload::all_devices(), &[]).is_all_devices());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_all_devices(&self) -> bool {
        self.all_devices
    }
}
