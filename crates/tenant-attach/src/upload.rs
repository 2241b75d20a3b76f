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
pub fn first_version_for(cloud: Cloud) -> Option<u32> {
    match cloud {
        Cloud::Public => Some(PUBLIC_CLOUD_SINCE),
        Cloud::UsGovernment => Some(US_GOVERNMENT_CLOUD_SINCE),
        Cloud::China => None,
    }
}

/// What blocks every upload from this hierarchy (R-U1, R-U2, R-H2), in that order.
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
    pub fn blocked(&self) -> Option<Blocked> {
        self.blocked
    }

    /// The uploaded devices.
    pub fn uploaded(&self) -> &DeviceSet {
        &self.uploaded
    }

    /// Whether the device is uploaded (never for another engine's handle).
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

    /// The collection path that brought an uploaded device in: the selected collection first,
    /// then each child down to the one whose members hold it. Empty when all devices are
    /// uploaded (R-U3) or the device is not in scope (or another engine's).
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
    pub fn collections(&self) -> impl Iterator<Item = CollectionIx> + '_ {
        self.reached.iter().map(|r| r.collection)
    }

    /// The rule behind a reason under this setting.
    pub fn rule(&self, reason: NotUploaded) -> &'static str {
        match reason {
            NotUploaded::NotAttached => "R-U1",
            NotUploaded::UploadUnsupportedCloud => self.blocked.map_or("R-U2", Blocked::rule),
            NotUploaded::NotUploadedNoClient if self.all_devices => "R-U3",
            NotUploaded::NotUploadedNoClient | NotUploaded::NotUploadedOutOfScope => "R-U4",
        }
    }

    /// Whether the setting is *all devices* (R-U3).
    pub fn is_all_devices(&self) -> bool {
        self.all_devices
    }
}
