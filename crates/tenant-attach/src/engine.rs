//! [`Engine`]: a validated snapshot, indexed once, answering questions.

use std::sync::Arc;

use crate::access::{Access, Explain, Offboard, UserIx};
use crate::collections::{CollectionGraph, CollectionIx};
use crate::decision::{Decision, Mode};
use crate::devices::{DeviceIndex, DeviceIx, DeviceNo, DeviceSet};
use crate::error::{BuildError, Diagnostics, QueryError};
use crate::features::Feature;
use crate::snapshot::{ChildRelation, Collection, Device, EntraUser, Policy, Snapshot, Upload};
use crate::upload::UploadScope;
use crate::validate::resolve;

mod what_if;

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
    /// Every user's handle, sorted by UPN (then id).
    users: Arc<[UserIx]>,
    /// Lookup tables built on first use (device names, names that are another's id).
    names: Arc<crate::names::Lookups>,
}

impl Engine {
    /// Validates and indexes a snapshot; refuses it when validation finds an input error.
    ///
    /// Configuration errors and warnings do not refuse it: they stay in
    /// [`Engine::diagnostics`], and the answers follow the rules (for example, a China-cloud
    /// hierarchy uploads nothing).
    ///
    /// # Errors
    ///
    /// [`BuildError::Invalid`] with every input error (rule, JSON path, message) when the
    /// snapshot does not describe a hierarchy (R-C3, R-C4, R-U5, R-S1, dangling references);
    /// [`BuildError::StampsExhausted`] when the process has built 2^64 engines.
    ///
    /// ```
    /// let mut s = tenant_attach::Snapshot::from_json(tenant_attach::sample::CONTOSO)?;
    /// s.collections[3].limiting = Some(String::from("PS1NOPE")); // a dangling reference
    /// let err = tenant_attach::Engine::new(s).unwrap_err();
    /// assert!(err.to_string().contains("R-C4"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(snapshot: Snapshot) -> Result<Engine, BuildError> {
        let resolved = resolve(&snapshot);
        if resolved.diagnostics.has_input_errors() {
            return Err(BuildError::Invalid(resolved.diagnostics));
        }
        let devices = resolved.devices;
        if devices.stamp() == crate::devices::Stamp::SPENT {
            return Err(BuildError::StampsExhausted);
        }
        let mut graph = resolved.graph;
        graph.evaluate(&snapshot.collections, &devices);
        let clients: roaring::RoaringBitmap = (0..devices.len() as DeviceNo)
            .filter(|ix| {
                devices
                    .position(*ix)
                    .and_then(|p| snapshot.devices.get(p))
                    .is_some_and(|d| d.client)
            })
            .collect();
        let clients = DeviceSet::from_bits(clients, devices.stamp());
        let policy = Arc::new(snapshot.policy.clone());
        let mode = crate::access::mode::mode(&snapshot);
        Ok(Engine::assemble(
            Arc::new(snapshot),
            (policy, mode),
            Arc::new(resolved.diagnostics),
            Arc::new(devices),
            Arc::new(graph),
            Arc::new(clients),
            None,
        ))
    }

    /// The upload scope and the access indexes for a policy, over shared indexes.
    fn assemble(
        snapshot: Arc<Snapshot>,
        (policy, mode): (Arc<Policy>, Mode),
        diagnostics: Arc<Diagnostics>,
        devices: Arc<DeviceIndex>,
        graph: Arc<CollectionGraph>,
        clients: Arc<DeviceSet>,
        same_devices: Option<&Access>,
    ) -> Engine {
        let upload = UploadScope::compute(
            &snapshot.hierarchy,
            &snapshot.hierarchy.attach.upload,
            &policy.child_relations,
            &clients,
            devices.len(),
            &graph,
        );
        let access = Access::build(&snapshot, &policy, mode, &devices, &graph, same_devices);
        let users = access
            .users_sorted()
            .iter()
            .map(|u| UserIx::new(*u, devices.stamp()))
            .collect();
        Engine {
            users,
            names: Arc::new(crate::names::Lookups::default()),
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
    /// [`Engine::policy`] returns `policy`. Handles of either engine are valid in the other.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, sample, snapshot::DiscoveryRequired};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let mut p = engine.policy().clone();
    /// p.discovery_required = DiscoveryRequired::ByVersion; // rulebook 1's reading
    /// let r1 = engine.with_policy(p);
    /// let (bob, ws) = (engine.find_user("bob@contoso.com")?, engine.find_device("CON-WS-004")?);
    /// assert!(!engine.allows(bob, ws, Feature::ClientDetails)); // AD discovery only (R-G2)
    /// assert!(r1.allows(bob, ws, Feature::ClientDetails));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_policy(&self, policy: Policy) -> Engine {
        Engine::assemble(
            Arc::clone(&self.snapshot),
            (Arc::new(policy), self.mode()),
            Arc::clone(&self.diagnostics),
            Arc::clone(&self.devices),
            Arc::clone(&self.graph),
            Arc::clone(&self.clients),
            Some(&self.access),
        )
        .sharing_names(&self.names)
    }

    /// The same hierarchy with the *Enforce Configuration Manager RBAC* box set to `enforce`
    /// (what-if, R-M1): the indexes are shared as by [`Engine::with_policy`], and handles of
    /// either engine are valid in the other.
    ///
    /// ```
    /// use tenant_attach::{Engine, Mode, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// assert_eq!(engine.with_enforce(false).mode(), Mode::IntuneOnly); // 2403, Use Intune RBAC on
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_enforce(&self, enforce: bool) -> Engine {
        Engine::assemble(
            Arc::clone(&self.snapshot),
            (
                Arc::clone(&self.policy),
                crate::access::mode::mode_with(&self.snapshot, enforce),
            ),
            Arc::clone(&self.diagnostics),
            Arc::clone(&self.devices),
            Arc::clone(&self.graph),
            Arc::clone(&self.clients),
            Some(&self.access),
        )
        .sharing_names(&self.names)
    }

    fn sharing_names(mut self, names: &Arc<crate::names::Lookups>) -> Engine {
        self.names = Arc::clone(names);
        self
    }

    /// A user handle's number in this engine, if the engine issued it.
    fn user_no(&self, u: UserIx) -> Option<u32> {
        u.no(self.devices.stamp())
            .filter(|n| (*n as usize) < self.snapshot.entra.users.len())
    }

    /// A device handle's number in this engine, if the engine issued it.
    fn device_no(&self, d: DeviceIx) -> Option<DeviceNo> {
        d.no(self.devices.stamp())
            .filter(|n| (*n as usize) < self.devices.len())
    }

    /// The stamp of this engine's handles and sets.
    pub(crate) fn device_stamp(&self) -> crate::devices::Stamp {
        self.devices.stamp()
    }

    fn handle(&self, d: DeviceNo) -> DeviceIx {
        DeviceIx::new(d, self.devices.stamp())
    }

    /// The policy in force: the snapshot's `policy`, unless this engine was made by
    /// [`Engine::with_policy`].
    ///
    /// ```
    /// use tenant_attach::{Engine, sample, snapshot::DiscoveryRequired};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// assert_eq!(engine.policy().discovery_required, DiscoveryRequired::ByFeature);
    /// let mut p = engine.policy().clone();
    /// p.discovery_required = DiscoveryRequired::Both;
    /// let what_if = engine.with_policy(p);
    /// assert_eq!(what_if.policy().discovery_required, DiscoveryRequired::Both);
    /// assert_eq!(what_if.snapshot().policy.discovery_required, DiscoveryRequired::ByFeature);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Parses, validates and indexes a snapshot from JSON text.
    ///
    /// # Errors
    ///
    /// [`BuildError::Load`] for text that is not a snapshot (bad JSON, unknown field, wrong
    /// type, wrong schema: line, column and JSON path), [`BuildError::Invalid`] as
    /// [`Engine::new`].
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// assert_eq!(engine.device_count(), 24);
    /// assert!(tenant_attach::Engine::from_json("{}").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Engine, BuildError> {
        Engine::new(Snapshot::from_json(text)?)
    }

    /// The snapshot.
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let s = engine.snapshot();
    /// assert_eq!((s.hierarchy.site_code.as_str(), s.hierarchy.version), ("PS1", 2403));
    /// assert_eq!(s.devices.len(), engine.device_count());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// Configuration errors and warnings (an engine never holds input errors).
    ///
    /// ```
    /// use tenant_attach::{Engine, sample, snapshot::Cloud};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// assert!(!engine.diagnostics().has_errors());
    /// let mut s = engine.snapshot().clone();
    /// s.hierarchy.cloud = Cloud::China; // a configuration error (R-U2): the engine still builds
    /// let china = Engine::new(s)?;
    /// assert_eq!(china.diagnostics().errors().next().map(|d| d.rule()), Some("R-U2"));
    /// assert!(china.upload().uploaded().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    /// How many devices.
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// assert_eq!(engine.device_count(), 24);
    /// assert_eq!(engine.device_count(), engine.device_ixs().count());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn device_count(&self) -> usize {
        self.devices.len()
    }

    /// Every device, in resource-id order.
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let first = engine.device_ixs().next().ok_or("no device")?;
    /// assert_eq!(engine.device(first).map(|d| d.name.as_str()), Some("CON-WS-001")); // 16777301
    /// let servers = engine
    ///     .device_ixs()
    ///     .filter_map(|d| engine.device(d))
    ///     .filter(|d| d.name.starts_with("CON-SRV-"))
    ///     .count();
    /// assert_eq!(servers, 5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn device_ixs(&self) -> impl Iterator<Item = DeviceIx> + '_ {
        (0..self.devices.len() as DeviceNo).map(|d| self.handle(d))
    }

    /// A device by handle (`None` for a handle this engine did not issue).
    ///
    /// ```
    /// use tenant_attach::{Engine, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let kiosk = engine.find_device("CON-KIOSK-02")?;
    /// assert_eq!(engine.device(kiosk).map(|d| d.client), Some(false));
    /// let other = Engine::from_json(sample::CONTOSO)?;
    /// assert!(other.device(kiosk).is_none()); // another engine's handle
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn device(&self, ix: DeviceIx) -> Option<&Device> {
        self.device_no(ix)
            .and_then(|d| self.devices.position(d))
            .and_then(|p| self.snapshot.devices.get(p))
    }

    /// The device with this resource id.
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let sql = engine.device_by_resource_id(16777316).ok_or("no such device")?;
    /// assert_eq!(engine.device(sql).map(|d| d.name.as_str()), Some("CON-SRV-SQL01"));
    /// assert!(engine.device_by_resource_id(16777216).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn device_by_resource_id(&self, resource_id: u32) -> Option<DeviceIx> {
        self.devices.ix(resource_id).map(|d| self.handle(d))
    }

    /// A device named on the command line: by resource id, else by name (case-insensitive,
    /// as NetBIOS names are).
    ///
    /// # Errors
    ///
    /// [`QueryError::UnknownDevice`] when no device has that id or name;
    /// [`QueryError::AmbiguousDevice`], listing their resource ids, when several devices share
    /// the name, or when the text is one device's resource id and another's name.
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let sql = engine.find_device("con-srv-sql01")?;
    /// assert_eq!(engine.find_device("16777316")?, sql);
    /// assert!(engine.find_device("NOPE").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn find_device(&self, name_or_id: &str) -> Result<DeviceIx, QueryError> {
        if let Ok(id) = name_or_id.parse::<u32>()
            && let Some(ix) = self.device_by_resource_id(id)
        {
            // A device named by another device's resource id makes the text ambiguous.
            let named = self
                .names
                .numeric_device_names
                .get_or_init(|| crate::names::numeric_device_names(&self.snapshot));
            let mut ids: Vec<u32> = named
                .get(&id)
                .into_iter()
                .flatten()
                .filter_map(|p| self.snapshot.devices.get(*p).map(|d| d.resource_id))
                .filter(|rid| *rid != id)
                .collect();
            if ids.is_empty() {
                return Ok(ix);
            }
            ids.insert(0, id);
            return Err(QueryError::AmbiguousDevice {
                name: name_or_id.to_owned(),
                resource_ids: ids,
            });
        }
        let names = self.names.device_names.get_or_init(|| {
            let mut map: std::collections::HashMap<String, Vec<DeviceNo>> =
                std::collections::HashMap::with_capacity(self.devices.len());
            for d in 0..self.devices.len() as DeviceNo {
                if let Some(dev) = self
                    .devices
                    .position(d)
                    .and_then(|p| self.snapshot.devices.get(p))
                {
                    map.entry(dev.name.to_lowercase()).or_default().push(d);
                }
            }
            map
        });
        let matches: Vec<DeviceIx> = names
            .get(&name_or_id.to_lowercase())
            .into_iter()
            .flatten()
            .map(|d| self.handle(*d))
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
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// // CON-LT-006, CON-SRV-WEB02 and CON-KIOSK-02 have no client.
    /// assert_eq!(engine.clients().len(), 21);
    /// assert!(!engine.clients().contains(engine.find_device("CON-KIOSK-02")?));
    /// assert!(engine.clients().contains(engine.find_device("CON-KIOSK-01")?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn clients(&self) -> &DeviceSet {
        &self.clients
    }

    /// The collection graph with every membership evaluated (R-C).
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let graph = engine.collections();
    /// assert_eq!(graph.len(), 15);
    /// let desktops = graph.find("PS100011").ok_or("no Desktops")?;
    /// assert_eq!(graph.members(desktops).len(), 8); // CON-WS-001 to CON-WS-008
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn collections(&self) -> &CollectionGraph {
        &self.graph
    }

    /// A collection by handle; `None` for a handle this engine does not hold.
    ///
    /// ```
    /// use tenant_attach::{Engine, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let desktops = engine.find_collection("PS100011")?;
    /// let c = engine.collection(desktops).ok_or("no collection")?;
    /// assert_eq!((c.name.as_str(), c.limiting.as_deref()), ("Desktops", Some("PS100010")));
    /// let other = Engine::from_json(sample::CONTOSO)?;
    /// assert!(other.collection(desktops).is_none()); // another engine's handle
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn collection(&self, c: CollectionIx) -> Option<&Collection> {
        c.no(self.graph.stamp())
            .and_then(|c| self.snapshot.collections.get(c as usize))
    }

    /// A collection by id.
    ///
    /// # Errors
    ///
    /// [`QueryError::UnknownCollection`] when no collection has that id.
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let all_systems = engine.find_collection("SMS00001")?;
    /// assert_eq!(engine.collections().members(all_systems).len(), 24);
    /// assert!(engine.find_collection("PS1NOPE").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn find_collection(&self, id: &str) -> Result<CollectionIx, QueryError> {
        self.graph
            .find(id)
            .ok_or_else(|| QueryError::UnknownCollection(id.to_owned()))
    }

    /// The upload scope of the snapshot's own setting (R-U).
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let upload = engine.upload(); // PS100020 and its children, clients only
    /// assert_eq!(upload.uploaded().len(), 16);
    /// assert!(upload.is_uploaded(engine.find_device("CON-WS-004")?));
    /// assert!(!upload.is_uploaded(engine.find_device("CON-SRV-DC01")?)); // out of scope
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn upload(&self) -> &UploadScope {
        &self.upload
    }

    /// The upload scope another setting would give (what-if): `setting` with `children` as
    /// `policy.child_relations`. A collection that does not exist uploads nothing.
    ///
    /// ```
    /// use tenant_attach::{Engine, sample, snapshot::{ChildRelation, Upload}};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let all = engine.upload_with(&Upload::all_devices(), &[]);
    /// assert_eq!(all.uploaded(), engine.clients()); // R-U3: every client
    /// // PS100022 includes PS100020: with limiting children only, CON-SRV-SQL01 drops out.
    /// let limiting =
    ///     engine.upload_with(&Upload::collection("PS100020"), &[ChildRelation::Limiting]);
    /// assert!(!limiting.is_uploaded(engine.find_device("CON-SRV-SQL01")?));
    /// assert!(engine.upload_with(&Upload::collection("PS1NOPE"), &[]).uploaded().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
    ///
    /// ```
    /// use tenant_attach::{Engine, Mode, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// assert_eq!(engine.mode(), Mode::Combined); // the enforce box is checked (R-M1)
    /// assert_eq!(engine.with_enforce(false).mode(), Mode::IntuneOnly);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn mode(&self) -> Mode {
        self.access.mode()
    }

    /// A user by handle (`None` for a handle this engine did not issue).
    ///
    /// ```
    /// use tenant_attach::{Engine, sample, snapshot::DirectoryRole};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let dave = engine.find_user("dave@contoso.com")?;
    /// let user = engine.user(dave).ok_or("no user")?;
    /// assert_eq!(user.directory_roles, [DirectoryRole::GlobalAdministrator]);
    /// let other = Engine::from_json(sample::CONTOSO)?;
    /// assert!(other.user(dave).is_none()); // another engine's handle
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn user(&self, u: UserIx) -> Option<&EntraUser> {
        self.user_no(u)
            .and_then(|u| self.snapshot.entra.users.get(u as usize))
    }

    /// Every user, sorted by UPN (then id).
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let upns: Vec<&str> = engine
    ///     .users()
    ///     .iter()
    ///     .filter_map(|u| engine.user(*u).map(|u| u.upn.as_str()))
    ///     .collect();
    /// assert_eq!(upns.len(), 7);
    /// assert_eq!(upns.first(), Some(&"alice@contoso.com"));
    /// assert_eq!(upns.last(), Some(&"grace@contoso.com"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn users(&self) -> &[UserIx] {
        &self.users
    }

    /// This engine's handle for the user `u` of `other` (matched by Entra id): how to carry a
    /// question from one engine to another, e.g. before and after a change.
    ///
    /// ```
    /// use tenant_attach::{Engine, sample};
    /// let old = Engine::from_json(sample::CONTOSO)?;
    /// let mut s = old.snapshot().clone();
    /// s.entra.users.reverse(); // the same users, in another order
    /// let new = Engine::new(s)?;
    /// let bob = old.find_user("bob@contoso.com")?;
    /// assert!(new.user(bob).is_none()); // `old`'s handle means nothing to `new`
    /// let bob_new = new.user_from(&old, bob).ok_or("bob is gone")?;
    /// assert_eq!(new.user(bob_new).map(|u| u.upn.as_str()), Some("bob@contoso.com"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn user_from(&self, other: &Engine, u: UserIx) -> Option<UserIx> {
        self.find_user(&other.user(u)?.id).ok()
    }

    /// This engine's handle for the device `d` of `other` (matched by resource id).
    ///
    /// ```
    /// use tenant_attach::{Engine, sample};
    /// let old = Engine::from_json(sample::CONTOSO)?;
    /// let mut s = old.snapshot().clone();
    /// s.remove_device(16777301).ok_or("no CON-WS-001")?;
    /// let new = Engine::new(s)?;
    /// let (ws1, ws4) = (old.find_device("CON-WS-001")?, old.find_device("CON-WS-004")?);
    /// assert!(new.device_from(&old, ws1).is_none()); // removed
    /// let ws4_new = new.device_from(&old, ws4).ok_or("CON-WS-004 is gone")?;
    /// assert_eq!(new.device(ws4_new).map(|d| d.name.as_str()), Some("CON-WS-004"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn device_from(&self, other: &Engine, d: DeviceIx) -> Option<DeviceIx> {
        self.device_by_resource_id(other.device(d)?.resource_id)
    }

    /// A user named on the command line: by Entra id, else by UPN (case-insensitive).
    ///
    /// # Errors
    ///
    /// [`QueryError::UnknownUser`] when no user has that id or UPN;
    /// [`QueryError::AmbiguousUser`], listing both, when the text is one user's Entra id and
    /// another's UPN.
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let bob = engine.find_user("BOB@contoso.com")?;
    /// assert_eq!(engine.user(bob).map(|u| u.upn.as_str()), Some("bob@contoso.com"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn find_user(&self, upn_or_id: &str) -> Result<UserIx, QueryError> {
        let ambiguous = self
            .names
            .ambiguous_user_ids
            .get_or_init(|| crate::names::ambiguous_user_ids(&self.snapshot));
        if let Some(named) = ambiguous.get(upn_or_id) {
            return Err(QueryError::AmbiguousUser {
                name: upn_or_id.to_owned(),
                users: named
                    .iter()
                    .filter_map(|p| self.snapshot.entra.users.get(*p))
                    .map(|u| format!("{} (id {})", u.upn, u.id))
                    .collect(),
            });
        }
        self.access
            .find_user(upn_or_id)
            .map(|u| UserIx::new(u, self.devices.stamp()))
            .ok_or_else(|| QueryError::UnknownUser(upn_or_id.to_owned()))
    }

    /// Whether `user` may use `feature` on `device`: the fast path (a few lookups, no
    /// allocation). Always equal to `check(..).allowed`; `false` for a handle this engine did
    /// not issue.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let (carol, sql) = (engine.find_user("carol@contoso.com")?, engine.find_device("CON-SRV-SQL01")?);
    /// assert!(engine.allows(carol, sql, Feature::RunScript));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allows(&self, user: UserIx, device: DeviceIx, feature: Feature) -> bool {
        let (Some(u), Some(d)) = (self.user_no(user), self.device_no(device)) else {
            return false;
        };
        self.access.allows(&self.upload, &self.graph, u, d, feature)
    }

    /// The explained decision for `user`, `device` and `feature`: every failed condition in
    /// evaluation order (upload, device tags, Intune, ConfigMgr) with its reason code and rule,
    /// or the grants behind an allow, and the policy knobs it depended on. `Display` gives
    /// the text `tenant-attach check` prints; `Serialize` its JSON.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, ReasonCode, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let (erin, ws) = (engine.find_user("erin@contoso.com")?, engine.find_device("CON-WS-004")?);
    /// let d = engine.check(erin, ws, Feature::View);
    /// assert_eq!(d.codes().collect::<Vec<_>>(), [ReasonCode::CloudOnlyAccount]); // R-G1
    /// assert!(d.to_string().starts_with("DENIED erin@contoso.com can't see CON-WS-004"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check(&self, user: UserIx, device: DeviceIx, feature: Feature) -> Decision {
        Explain {
            access: &self.access,
            s: &self.snapshot,
            policy: &self.policy,
            upload: &self.upload,
            graph: &self.graph,
            devices: &self.devices,
        }
        .decide(
            self.user_no(user).unwrap_or(u32::MAX),
            self.device_no(device).unwrap_or(DeviceNo::MAX),
            feature,
        )
    }

    /// The devices `user` may use `feature` on (none for a handle this engine did not issue).
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let grace = engine.find_user("grace@contoso.com")?;
    /// let names: Vec<&str> = engine
    ///     .visible(grace, Feature::SyncMachinePolicy)
    ///     .iter()
    ///     .filter_map(|d| engine.device(d).map(|d| d.name.as_str()))
    ///     .collect();
    /// assert_eq!(names, ["CON-WS-001", "CON-WS-002"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn visible(&self, user: UserIx, feature: Feature) -> DeviceSet {
        let bits = match self.user_no(user) {
            Some(u) => self.access.visible(&self.upload, &self.graph, u, feature),
            None => roaring::RoaringBitmap::new(),
        };
        DeviceSet::from_bits(bits, self.devices.stamp())
    }

    /// The users who may use `feature` on `device`, sorted by UPN.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let sql = engine.find_device("CON-SRV-SQL01")?;
    /// assert_eq!(engine.who(sql, Feature::RunScript).len(), 1); // carol
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn who(&self, device: DeviceIx, feature: Feature) -> Vec<UserIx> {
        self.users()
            .iter()
            .copied()
            .filter(|u| self.allows(*u, device, feature))
            .collect()
    }

    /// R-H4: may `user` offboard the hierarchy from the admin center, and how long it takes.
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let o = engine.offboard(engine.find_user("dave@contoso.com")?);
    /// assert!(o.allowed);
    /// assert_eq!(o.eta_minutes_max, 10); // a 2103+ site, online and healthy
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn offboard(&self, user: UserIx) -> Offboard {
        self.access
            .offboard(&self.snapshot, self.user_no(user).unwrap_or(u32::MAX))
    }

    /// The features grouped so that every feature of a group decides alike in this engine
    /// (same compiled requirement); set-wide queries compute one answer per group.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let classes = engine.feature_classes();
    /// assert_eq!(classes.iter().map(Vec::len).sum::<usize>(), Feature::ALL.len());
    /// let sync = classes.iter().find(|c| c.contains(&Feature::SyncMachinePolicy)).ok_or("none")?;
    /// assert!(sync.contains(&Feature::SyncUserPolicy)); // the same row of the R-F1 table
    /// assert!(!sync.contains(&Feature::View));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn feature_classes(&self) -> Vec<Vec<Feature>> {
        self.access.feature_classes()
    }

    /// For each user (by [`UserIx::index`]), a class number: users of one class decide alike
    /// on every device and feature (same directory role, assignments and ConfigMgr grants).
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let classes = engine.user_classes();
    /// assert_eq!(classes.len(), engine.users().len());
    /// let alice = engine.find_user("alice@contoso.com")?;
    /// let erin = engine.find_user("erin@contoso.com")?;
    /// // Both get Helpdesk - all devices, but erin is cloud-only (R-G1): they decide differently.
    /// assert_ne!(classes.get(alice.index() as usize), classes.get(erin.index() as usize));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn user_classes(&self) -> Vec<u32> {
        self.access.user_classes()
    }

    /// For a what-if of this engine (the same device numbering): the devices on which some
    /// user whose holdings are the same in both ([`Engine::same_user`]) may be decided
    /// differently, that is the devices whose collection memberships or upload differ; `None`
    /// when an engine-wide input differs (mode, knobs, requirements, devices' tags and
    /// groups) or more than `limit` devices differ, and every user must be compared.
    pub(crate) fn devices_changed_in(
        &self,
        other: &Engine,
        limit: u64,
    ) -> Option<roaring::RoaringBitmap> {
        if !self.access.same_rules(&other.access) {
            return None;
        }
        let mut out = if Arc::ptr_eq(&self.graph, &other.graph) {
            roaring::RoaringBitmap::new()
        } else {
            self.graph.membership_changes(&other.graph, limit)?
        };
        out |= &self.upload.uploaded().bits ^ &other.upload.uploaded().bits;
        (out.len() <= limit).then_some(out)
    }

    /// Whether user `a` here holds what user `b` holds in `other` (roles, assignments as
    /// compiled, grants): with [`Engine::devices_changed_in`], they are decided alike on every
    /// other device.
    pub(crate) fn same_user(&self, a: UserIx, other: &Engine, b: UserIx) -> bool {
        a.no(self.devices.stamp())
            .zip(b.no(other.devices.stamp()))
            .is_some_and(|(a, b)| self.access.same_user(a, &other.access, b))
    }

    /// The resource ids of every device, in index order.
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let ids = engine.resource_ids();
    /// assert_eq!((ids.len(), ids.first()), (24, Some(&16777301))); // CON-WS-001 first
    /// let sql = engine.find_device("CON-SRV-SQL01")?;
    /// assert_eq!(ids.get(sql.index() as usize), Some(&16777316));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resource_ids(&self) -> &[u32] {
        self.devices.resource_ids()
    }

    /// Whether the user holds every Intune permission `feature` needs in this mode, on some
    /// object (scope tags and groups aside); R-I1 users always do.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let carol = engine.find_user("carol@contoso.com")?;
    /// let dave = engine.find_user("dave@contoso.com")?;
    /// assert!(engine.intune_holds(carol, Feature::View));
    /// assert!(!engine.intune_holds(carol, Feature::EnrollNow)); // not in her custom role
    /// assert!(engine.intune_holds(dave, Feature::EnrollNow)); // Global Administrator (R-I1)
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn intune_holds(&self, user: UserIx, feature: Feature) -> bool {
        self.user_no(user)
            .is_some_and(|u| self.access.intune_holds(u, feature))
    }

    /// Issue 18 (R-G4): the accounts of the administrative users the user maps to whose
    /// associations the importer inferred from a list call (`associations_inferred`), sorted:
    /// every ConfigMgr answer for the user rests on that reading. Empty in `intune_only` mode.
    ///
    /// ```
    /// use tenant_attach::{Engine, Snapshot, sample};
    /// let mut s = Snapshot::from_json(sample::CONTOSO)?;
    /// for a in &mut s.configmgr.admins {
    ///     a.associations_inferred = a.account == "CONTOSO\\CM-ServerOps";
    /// }
    /// let engine = Engine::new(s)?;
    /// let carol = engine.find_user("carol@contoso.com")?;
    /// assert_eq!(engine.inferred_admins(carol), ["CONTOSO\\CM-ServerOps"]);
    /// assert!(engine.inferred_admins(engine.find_user("alice@contoso.com")?).is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn inferred_admins(&self, user: UserIx) -> Vec<&str> {
        self.user_no(user)
            .map(|u| self.access.inferred_admins(self.snapshot(), u))
            .unwrap_or_default()
    }

    /// R-I8 (rulebook 3): when the user's Intune licence keeps role assignments that reach it
    /// from applying, the reason (`no_intune_license`, or `unlicensed_nested_membership` for
    /// assignments reached only through nested groups while unlicensed admins are allowed)
    /// and those assignments' positions in `$.intune.role_assignments`; `None` otherwise.
    ///
    /// ```
    /// use tenant_attach::{Engine, ReasonCode, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let frank = engine.find_user("frank@contoso.com")?; // unlicensed, in a nested group
    /// let (code, lost) = engine.licence_block(frank).ok_or("frank keeps his assignments")?;
    /// assert_eq!(code, ReasonCode::UnlicensedNestedMembership);
    /// assert_eq!(engine.snapshot().intune.role_assignments[lost[0]].name, "Helpdesk - all devices");
    /// assert_eq!(engine.licence_block(engine.find_user("bob@contoso.com")?), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn licence_block(&self, user: UserIx) -> Option<(crate::decision::ReasonCode, Vec<usize>)> {
        self.user_no(user)
            .and_then(|u| self.access.licence_block(u))
    }

    /// In `combined` mode, whether the user's ConfigMgr associations grant every operation
    /// `feature` needs on some collection (`None` when R-G1..R-G3 stop the chain or in
    /// `intune_only` mode).
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature::RunScript, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let carol = engine.find_user("carol@contoso.com")?;
    /// let alice = engine.find_user("alice@contoso.com")?;
    /// let erin = engine.find_user("erin@contoso.com")?;
    /// assert_eq!(engine.configmgr_grants_somewhere(carol, RunScript), Some(true)); // Tier-1
    /// assert_eq!(engine.configmgr_grants_somewhere(alice, RunScript), Some(false)); // Help Desk
    /// assert_eq!(engine.configmgr_grants_somewhere(erin, RunScript), None); // cloud-only (R-G1)
    /// assert_eq!(engine.with_enforce(false).configmgr_grants_somewhere(carol, RunScript), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn configmgr_grants_somewhere(&self, user: UserIx, feature: Feature) -> Option<bool> {
        self.access
            .configmgr_grants_somewhere(self.user_no(user)?, feature)
    }

    /// The Intune role assignments that apply to the user (positions in
    /// `$.intune.role_assignments`, R-I2).
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let bob = engine.find_user("bob@contoso.com")?;
    /// let names: Vec<&str> = engine
    ///     .assignments_of(bob)
    ///     .iter()
    ///     .filter_map(|a| engine.snapshot().intune.role_assignments.get(*a))
    ///     .map(|a| a.name.as_str())
    ///     .collect();
    /// // Through Helpdesk Tier 2, a group nested in Intune Helpdesk.
    /// assert_eq!(names, ["Helpdesk - all devices"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn assignments_of(&self, user: UserIx) -> Vec<usize> {
        self.user_no(user)
            .map(|u| self.access.assignments_of(u))
            .unwrap_or_default()
    }

    /// Why R-G1..R-G3 stop the ConfigMgr side for this user and feature (R-G2 depends on the
    /// feature), as a reason code, if they do.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, ReasonCode, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let bob = engine.find_user("bob@contoso.com")?; // found by AD user discovery only
    /// assert_eq!(engine.configmgr_block(bob, Feature::View), None);
    /// let block = engine.configmgr_block(bob, Feature::ClientDetails); // needs both (R-G2)
    /// assert_eq!(block, Some(ReasonCode::NotDiscovered));
    /// let erin = engine.find_user("erin@contoso.com")?;
    /// assert_eq!(engine.configmgr_block(erin, Feature::View), Some(ReasonCode::CloudOnlyAccount));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn configmgr_block(
        &self,
        user: UserIx,
        feature: Feature,
    ) -> Option<crate::decision::ReasonCode> {
        self.access.configmgr_block(self.user_no(user)?, feature)
    }
}
