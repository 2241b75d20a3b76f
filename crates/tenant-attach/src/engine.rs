//! [`Engine`]: a validated snapshot, indexed once, answering questions.

use crate::collections::{CollectionGraph, CollectionIx};
use crate::devices::{DeviceIndex, DeviceIx, DeviceSet};
use crate::error::{BuildError, Diagnostics, QueryError};
use crate::snapshot::{ChildRelation, Collection, Device, Snapshot, Upload};
use crate::upload::UploadScope;
use crate::validate::resolve;

/// A snapshot that passed validation, with its indexes: device numbering, the collection
/// graph with every membership evaluated, and the upload scope.
///
/// Building is linear in the snapshot (plus the membership set algebra); queries then read
/// the indexes.
#[derive(Debug, Clone)]
pub struct Engine {
    snapshot: Snapshot,
    diagnostics: Diagnostics,
    devices: DeviceIndex,
    graph: CollectionGraph,
    clients: DeviceSet,
    upload: UploadScope,
}

impl Engine {
    /// Validates and indexes a snapshot; refuses it when validation finds an input error.
    ///
    /// Configuration errors and warnings do not refuse it: they stay in
    /// [`Engine::diagnostics`], and the answers follow the rules (for example, a China-cloud
    /// hierarchy uploads nothing).
    pub fn new(snapshot: Snapshot) -> Result<Engine, BuildError> {
        let resolved = resolve(&snapshot);
        if resolved.diagnostics.has_input_errors() {
            return Err(BuildError::Invalid(resolved.diagnostics));
        }
        let devices = resolved.devices;
        let mut graph = resolved.graph;
        graph.evaluate(&snapshot.collections, &devices);
        let clients: DeviceSet = (0..devices.len() as DeviceIx)
            .filter(|ix| {
                devices
                    .position(*ix)
                    .and_then(|p| snapshot.devices.get(p))
                    .is_some_and(|d| d.client)
            })
            .collect();
        let upload = UploadScope::compute(
            &snapshot.hierarchy,
            &snapshot.hierarchy.attach.upload,
            &snapshot.policy.child_relations,
            &clients,
            devices.len(),
            &graph,
        );
        Ok(Engine {
            snapshot,
            diagnostics: resolved.diagnostics,
            devices,
            graph,
            clients,
            upload,
        })
    }

    /// Parses, validates and indexes a snapshot from JSON text.
    pub fn from_json(text: &str) -> Result<Engine, BuildError> {
        Engine::new(Snapshot::from_json(text)?)
    }

    /// The snapshot.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// Configuration errors and warnings (an engine never holds input errors).
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    /// How many devices.
    pub fn device_count(&self) -> usize {
        self.devices.len()
    }

    /// Every device, in resource-id order.
    pub fn device_ixs(&self) -> std::ops::Range<DeviceIx> {
        0..self.devices.len() as DeviceIx
    }

    /// A device by dense index (`None` past [`Engine::device_count`]).
    pub fn device(&self, ix: DeviceIx) -> Option<&Device> {
        self.devices
            .position(ix)
            .and_then(|p| self.snapshot.devices.get(p))
    }

    /// The dense index of a resource id.
    pub fn device_by_resource_id(&self, resource_id: u32) -> Option<DeviceIx> {
        self.devices.ix(resource_id)
    }

    /// A device named on the command line: by resource id, else by name (case-insensitive,
    /// as NetBIOS names are); a name held by several devices is an error that lists them.
    pub fn find_device(&self, name_or_id: &str) -> Result<DeviceIx, QueryError> {
        if let Ok(id) = name_or_id.parse::<u32>()
            && let Some(ix) = self.devices.ix(id)
        {
            return Ok(ix);
        }
        let matches: Vec<DeviceIx> = self
            .device_ixs()
            .filter(|ix| {
                self.device(*ix)
                    .is_some_and(|d| d.name.eq_ignore_ascii_case(name_or_id))
            })
            .collect();
        match matches.as_slice() {
            [] => Err(QueryError::UnknownDevice(name_or_id.to_owned())),
            [one] => Ok(*one),
            many => Err(QueryError::AmbiguousDevice {
                name: name_or_id.to_owned(),
                resource_ids: many
                    .iter()
                    .filter_map(|ix| self.device(*ix).map(|d| d.resource_id))
                    .collect(),
            }),
        }
    }

    /// Devices with a ConfigMgr client.
    pub fn clients(&self) -> &DeviceSet {
        &self.clients
    }

    /// The collection graph with every membership evaluated (R-C).
    pub fn collections(&self) -> &CollectionGraph {
        &self.graph
    }

    /// A collection by index.
    pub fn collection(&self, c: CollectionIx) -> Option<&Collection> {
        self.snapshot.collections.get(c as usize)
    }

    /// A collection by id.
    pub fn find_collection(&self, id: &str) -> Result<CollectionIx, QueryError> {
        self.graph
            .find(id)
            .ok_or_else(|| QueryError::UnknownCollection(id.to_owned()))
    }

    /// The upload scope of the snapshot's own setting (R-U).
    pub fn upload(&self) -> &UploadScope {
        &self.upload
    }

    /// The upload scope another setting would give (what-if): `setting` with `children` as
    /// `policy.child_relations`. A collection that does not exist uploads nothing.
    pub fn upload_with(&self, setting: &Upload, children: &[ChildRelation]) -> UploadScope {
        UploadScope::compute(
            &self.snapshot.hierarchy,
            setting,
            children,
            &self.clients,
            self.devices.len(),
            &self.graph,
        )
    }
}
