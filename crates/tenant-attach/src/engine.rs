//! [`Engine`]: a validated snapshot, indexed once, answering questions.

use std::sync::Arc;

use crate::access::{Access, Explain, Offboard, UserIx};
use crate::collections::{CollectionGraph, CollectionIx};
use crate::decision::{Decision, Mode};
use crate::devices::{DeviceIndex, DeviceIx, DeviceSet};
use crate::error::{BuildError, Diagnostics, QueryError};
use crate::features::Feature;
use crate::snapshot::{ChildRelation, Collection, Device, EntraUser, Policy, Snapshot, Upload};
use crate::upload::UploadScope;
use crate::validate::resolve;

/// A snapshot that passed validation, with its indexes: device numbering, the collection
/// graph with every membership evaluated, and the upload scope.
///
/// Building is linear in the snapshot (plus the membership set algebra); queries then read
/// the indexes.
///
/// The snapshot, the device numbering, the collection graph and the client set are shared
/// (reference-counted) between an engine and the what-if engines made from it with
/// [`Engine::with_policy`]; cloning an engine is cheap for them.
#[derive(Debug, Clone)]
pub struct Engine {
    snapshot: Arc<Snapshot>,
    /// The policy in force: the snapshot's own, or a what-if's.
    policy: Arc<Policy>,
    diagnostics: Arc<Diagnostics>,
    devices: Arc<DeviceIndex>,
    graph: Arc<CollectionGraph>,
    clients: Arc<DeviceSet>,
    upload: UploadScope,
    access: Access,
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
        let policy = Arc::new(snapshot.policy.clone());
        Ok(Engine::assemble(
            Arc::new(snapshot),
            policy,
            Arc::new(resolved.diagnostics),
            Arc::new(devices),
            Arc::new(graph),
            Arc::new(clients),
        ))
    }

    /// The upload scope and the access indexes for a policy, over shared indexes.
    fn assemble(
        snapshot: Arc<Snapshot>,
        policy: Arc<Policy>,
        diagnostics: Arc<Diagnostics>,
        devices: Arc<DeviceIndex>,
        graph: Arc<CollectionGraph>,
        clients: Arc<DeviceSet>,
    ) -> Engine {
        let upload = UploadScope::compute(
            &snapshot.hierarchy,
            &snapshot.hierarchy.attach.upload,
            &policy.child_relations,
            &clients,
            devices.len(),
            &graph,
        );
        let access = Access::build(&snapshot, &policy, &devices, &graph);
        Engine {
            snapshot,
            policy,
            diagnostics,
            devices,
            graph,
            clients,
            upload,
            access,
        }
    }

    /// The same hierarchy under another policy (what-if): the snapshot, the device numbering
    /// and the evaluated memberships are shared; only the upload scope and the access indexes
    /// are rebuilt. [`Engine::snapshot`] still returns the original snapshot;
    /// [`Engine::policy`] returns `policy`.
    pub fn with_policy(&self, policy: Policy) -> Engine {
        Engine::assemble(
            Arc::clone(&self.snapshot),
            Arc::new(policy),
            Arc::clone(&self.diagnostics),
            Arc::clone(&self.devices),
            Arc::clone(&self.graph),
            Arc::clone(&self.clients),
        )
    }

    /// The policy in force: the snapshot's `policy`, unless this engine was made by
    /// [`Engine::with_policy`].
    pub fn policy(&self) -> &Policy {
        &self.policy
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

    /// Which RBAC applies (R-M1).
    pub fn mode(&self) -> Mode {
        self.access.mode()
    }

    /// A user by position in `$.entra.users`.
    pub fn user(&self, u: UserIx) -> Option<&EntraUser> {
        self.snapshot.entra.users.get(u as usize)
    }

    /// Every user, sorted by UPN (then id).
    pub fn users(&self) -> &[UserIx] {
        self.access.users_sorted()
    }

    /// A user named on the command line: by Entra id, else by UPN (case-insensitive).
    pub fn find_user(&self, upn_or_id: &str) -> Result<UserIx, QueryError> {
        self.access
            .find_user(upn_or_id)
            .ok_or_else(|| QueryError::UnknownUser(upn_or_id.to_owned()))
    }

    /// Whether `user` may use `feature` on `device`: the fast path (a few lookups, no
    /// allocation). Always equal to `check(..).allowed`.
    pub fn allows(&self, user: UserIx, device: DeviceIx, feature: Feature) -> bool {
        self.access
            .allows(&self.upload, &self.graph, user, device, feature)
    }

    /// The explained decision for `user`, `device` and `feature`: every failed condition in
    /// evaluation order (upload, device tags, Intune, ConfigMgr) with its reason code and rule,
    /// or the grants behind an allow, and the policy knobs it depended on.
    pub fn check(&self, user: UserIx, device: DeviceIx, feature: Feature) -> Decision {
        Explain {
            access: &self.access,
            s: &self.snapshot,
            policy: &self.policy,
            upload: &self.upload,
            graph: &self.graph,
            devices: &self.devices,
        }
        .decide(user, device, feature)
    }

    /// The devices `user` may use `feature` on.
    pub fn visible(&self, user: UserIx, feature: Feature) -> DeviceSet {
        self.access
            .visible(&self.upload, &self.graph, user, feature)
    }

    /// The users who may use `feature` on `device`, sorted by UPN.
    pub fn who(&self, device: DeviceIx, feature: Feature) -> Vec<UserIx> {
        self.users()
            .iter()
            .copied()
            .filter(|u| self.allows(*u, device, feature))
            .collect()
    }

    /// R-H4: may `user` offboard the hierarchy from the admin center, and how long it takes.
    pub fn offboard(&self, user: UserIx) -> Offboard {
        self.access.offboard(&self.snapshot, user)
    }

    /// The features grouped so that every feature of a group decides alike in this engine
    /// (same compiled requirement); set-wide queries compute one answer per group.
    pub fn feature_classes(&self) -> Vec<Vec<Feature>> {
        self.access.feature_classes()
    }

    /// For each user (by [`UserIx`]), a class number: users of one class decide alike on every
    /// device and feature (same directory role, assignments and ConfigMgr grants).
    pub fn user_classes(&self) -> Vec<u32> {
        self.access.user_classes()
    }

    /// The resource ids of every device, in index order.
    pub fn resource_ids(&self) -> &[u32] {
        self.devices.resource_ids()
    }

    /// Whether the user holds every Intune permission `feature` needs in this mode, on some
    /// object (scope tags and groups aside); R-I1 users always do.
    pub fn intune_holds(&self, user: UserIx, feature: Feature) -> bool {
        self.access.intune_holds(user, feature)
    }

    /// In `combined` mode, whether the user's ConfigMgr associations grant every operation
    /// `feature` needs on some collection (`None` when R-G1..R-G3 stop the chain or in
    /// `intune_only` mode).
    pub fn configmgr_grants_somewhere(&self, user: UserIx, feature: Feature) -> Option<bool> {
        self.access.configmgr_grants_somewhere(user, feature)
    }

    /// The Intune role assignments that apply to the user (positions in
    /// `$.intune.role_assignments`, R-I2).
    pub fn assignments_of(&self, user: UserIx) -> Vec<usize> {
        self.access.assignments_of(user)
    }

    /// Why R-G1..R-G3 stop the ConfigMgr side for this user and feature (R-G2 depends on the
    /// feature), as a reason code, if they do.
    pub fn configmgr_block(
        &self,
        user: UserIx,
        feature: Feature,
    ) -> Option<crate::decision::ReasonCode> {
        self.access.configmgr_block(user, feature)
    }
}
