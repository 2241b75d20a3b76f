//! Building and editing snapshots in code: constructors with the contract's defaults, and
//! edits that keep the snapshot consistent (removing a device removes it from every
//! collection rule).

use super::Shared;
use super::{
    Attach, AttachState, Cloud, Collection, CollectionRule, CollectionType, Device, Discovery,
    Hierarchy, SCHEMA, Snapshot, Tenant, Upload,
};

impl Snapshot {
    /// An empty snapshot of `hierarchy`: no device, collection, admin or user, Intune's
    /// Default scope tag (R-S1), every policy knob at its default. The `with_…` methods here
    /// and in the section types ([`super::EntraUser::new`], [`super::RoleAssignment::new`], …)
    /// fill it in.
    ///
    /// ```
    /// use tenant_attach::Engine;
    /// use tenant_attach::snapshot::{Collection, Device, Hierarchy, Snapshot};
    ///
    /// // A two-device world: all devices with a client are uploaded (R-U3).
    /// let s = Snapshot::new(Hierarchy::new("PS1", 2403))
    ///     .with_device(Device::new(16777220, "SRV-01"))
    ///     .with_device(Device::new(16777221, "WS-01").without_client())
    ///     .with_collection(Collection::all_systems(&[16777220, 16777221]));
    /// let engine = Engine::new(s)?;
    /// assert_eq!(engine.upload().uploaded().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(hierarchy: Hierarchy) -> Snapshot {
        Snapshot {
            schema: String::from(SCHEMA),
            tenant: Tenant::default(),
            hierarchy,
            devices: Shared::default(),
            collections: Shared::default(),
            configmgr: Default::default(),
            entra: Default::default(),
            intune: super::Intune {
                scope_tags: vec![super::ScopeTag::default()],
                ..Default::default()
            },
            policy: Default::default(),
            x: None,
        }
    }

    /// The snapshot with one more device.
    ///
    /// ```
    /// use tenant_attach::{Engine, Snapshot, sample, snapshot::Device};
    /// let ws9 = Device::new(16777325, "CON-WS-009");
    /// let s = Snapshot::from_json(sample::CONTOSO)?.with_device(ws9);
    /// let engine = Engine::new(s)?;
    /// assert_eq!(engine.device_count(), 25);
    /// let ws9 = engine.find_device("CON-WS-009")?;
    /// assert!(!engine.upload().is_uploaded(ws9)); // in no collection yet (R-U4)
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_device(mut self, device: Device) -> Snapshot {
        self.devices.push(device);
        self
    }

    /// The snapshot with one more collection.
    ///
    /// ```
    /// use tenant_attach::{Engine, Snapshot, sample};
    /// use tenant_attach::snapshot::{Collection, CollectionRule};
    /// let paris = Collection::device("PS100040", "Paris desktops", "PS100011")
    ///     .with_rule(CollectionRule::Direct(vec![16777301, 16777302]));
    /// let engine = Engine::new(Snapshot::from_json(sample::CONTOSO)?.with_collection(paris))?;
    /// let c = engine.find_collection("PS100040")?;
    /// assert_eq!(engine.collections().members(c).len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_collection(mut self, collection: Collection) -> Snapshot {
        self.collections.push(collection);
        self
    }

    /// Removes the device with `resource_id` from `devices` and from every direct and query
    /// rule of every collection; returns it, or `None` when no device has that id.
    ///
    /// ```
    /// let mut s = tenant_attach::Snapshot::from_json(tenant_attach::sample::CONTOSO)?;
    /// let sql = s.remove_device(16777316).expect("CON-SRV-SQL01");
    /// assert_eq!(sql.name, "CON-SRV-SQL01");
    /// assert!(tenant_attach::Engine::new(s)?.find_device("CON-SRV-SQL01").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn remove_device(&mut self, resource_id: u32) -> Option<Device> {
        let at = self
            .devices
            .iter()
            .position(|d| d.resource_id == resource_id)?;
        let device = self.devices.remove(at);
        for c in &mut self.collections {
            for rule in &mut c.rules {
                match rule {
                    CollectionRule::Direct(ids) => ids.retain(|d| *d != resource_id),
                    CollectionRule::Query(q) => q.members.retain(|d| *d != resource_id),
                    CollectionRule::Include(_) | CollectionRule::Exclude(_) => {}
                }
            }
        }
        Some(device)
    }
}

impl Hierarchy {
    /// An attached hierarchy on the public cloud, online and healthy, uploading all devices
    /// with a client, *Enforce Configuration Manager RBAC* checked, both user discoveries on.
    ///
    /// ```
    /// use tenant_attach::snapshot::{AttachState, Hierarchy, Upload};
    /// let h = Hierarchy::new("PS1", 2403); // Contoso's site code and version
    /// assert_eq!(h.attach.state, AttachState::Attached);
    /// assert_eq!(h.attach.upload, Upload::all_devices());
    /// assert!(h.online && h.healthy && h.attach.enforce_configmgr_rbac);
    /// assert!(tenant_attach::upload::blocked(&h).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(site_code: impl Into<String>, version: u32) -> Hierarchy {
        Hierarchy {
            name: None,
            site_code: site_code.into(),
            version,
            cloud: Cloud::Public,
            online: true,
            healthy: true,
            co_management: false,
            attach: Attach {
                state: AttachState::Attached,
                upload: Upload::all_devices(),
                enforce_configmgr_rbac: true,
                endpoint_analytics: false,
                defender_data: false,
            },
            discovery: Discovery::default(),
            scripts_feature_enabled: None,
            sms_provider_mfa: None,
        }
    }
}

impl Device {
    /// A tenant-attached device with a ConfigMgr client and the Default scope tag.
    ///
    /// ```
    /// use tenant_attach::{Engine, Snapshot, sample, snapshot::Device};
    /// let d = Device::new(16777325, "CON-WS-009");
    /// assert!(d.client && !d.co_managed);
    /// assert_eq!(d.scope_tags, ["0"]); // Default (R-S1)
    /// let engine = Engine::new(Snapshot::from_json(sample::CONTOSO)?.with_device(d))?;
    /// assert!(engine.clients().contains(engine.find_device("CON-WS-009")?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(resource_id: u32, name: impl Into<String>) -> Device {
        Device {
            resource_id,
            name: name.into(),
            client: true,
            os: None,
            co_managed: false,
            scope_tags: vec![String::from(super::DEFAULT_SCOPE_TAG)],
            entra_device_id: None,
            scope_groups: Vec::new(),
            client_version: None,
        }
    }

    /// The same device without a ConfigMgr client (never uploaded, R-U3).
    ///
    /// ```
    /// use tenant_attach::{Engine, Snapshot, sample, snapshot::{Device, Upload}};
    /// let d = Device::new(16777325, "CON-WS-009").without_client();
    /// let engine = Engine::new(Snapshot::from_json(sample::CONTOSO)?.with_device(d))?;
    /// let ws9 = engine.find_device("CON-WS-009")?;
    /// assert!(!engine.clients().contains(ws9));
    /// assert!(!engine.upload_with(&Upload::all_devices(), &[]).is_uploaded(ws9)); // R-U3
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn without_client(mut self) -> Device {
        self.client = false;
        self
    }

    /// The same device, co-managed (enrolled in Intune too) with these scope tags.
    ///
    /// ```
    /// use tenant_attach::{Snapshot, sample, snapshot::Device};
    /// let d = Device::new(16777325, "CON-WS-009").co_managed(&["0", "1"]); // Default and Paris
    /// let contoso = Snapshot::from_json(sample::CONTOSO)?;
    /// let ws1 = contoso.devices.first().ok_or("no device")?; // CON-WS-001
    /// assert_eq!((d.co_managed, &d.scope_tags), (ws1.co_managed, &ws1.scope_tags));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn co_managed(mut self, scope_tags: &[&str]) -> Device {
        self.co_managed = true;
        self.scope_tags = scope_tags.iter().map(|t| (*t).to_owned()).collect();
        self
    }
}

impl Collection {
    /// The built-in *All Systems* collection (`SMS00001`) holding these devices.
    ///
    /// ```
    /// use tenant_attach::{Engine, Snapshot, sample, snapshot::Collection};
    /// let mut s = Snapshot::from_json(sample::CONTOSO)?;
    /// let ids: Vec<u32> = s.devices.iter().map(|d| d.resource_id).collect();
    /// s.collections[0] = Collection::all_systems(&ids); // Contoso's own, without the WQL text
    /// let engine = Engine::new(s)?;
    /// assert_eq!(engine.collections().members(engine.find_collection("SMS00001")?).len(), 24);
    /// assert_eq!(engine.upload().uploaded().len(), 16); // the same answers
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn all_systems(members: &[u32]) -> Collection {
        Collection {
            id: String::from("SMS00001"),
            name: String::from("All Systems"),
            kind: CollectionType::Device,
            limiting: None,
            rules: vec![CollectionRule::Query(super::QueryRule {
                name: String::from("All Systems"),
                wql: None,
                members: members.to_vec(),
            })],
        }
    }

    /// A device collection limited to `limiting`, with no rules yet.
    ///
    /// ```
    /// use tenant_attach::{Engine, Snapshot, sample};
    /// use tenant_attach::snapshot::{Collection, CollectionRule};
    /// let mixed = Collection::device("PS100040", "Mixed", "PS100011") // limited to Desktops
    ///     .with_rule(CollectionRule::Direct(vec![16777301, 16777316])); // WS-001, SRV-SQL01
    /// let engine = Engine::new(Snapshot::from_json(sample::CONTOSO)?.with_collection(mixed))?;
    /// let c = engine.find_collection("PS100040")?;
    /// assert_eq!(engine.collections().members(c).len(), 1); // the server is not a desktop (R-C1)
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn device(id: impl Into<String>, name: impl Into<String>, limiting: &str) -> Collection {
        Collection {
            id: id.into(),
            name: name.into(),
            kind: CollectionType::Device,
            limiting: Some(limiting.to_owned()),
            rules: Vec::new(),
        }
    }

    /// The same collection with one more rule.
    ///
    /// ```
    /// use tenant_attach::{Engine, Snapshot, sample};
    /// use tenant_attach::snapshot::{Collection, CollectionRule};
    /// let c = Collection::device("PS100040", "Desktops outside the pilot", "PS100010")
    ///     .with_rule(CollectionRule::Include(String::from("PS100011")))
    ///     .with_rule(CollectionRule::Exclude(String::from("PS100021")));
    /// let engine = Engine::new(Snapshot::from_json(sample::CONTOSO)?.with_collection(c))?;
    /// let c = engine.find_collection("PS100040")?;
    /// assert_eq!(engine.collections().members(c).len(), 6); // 8 desktops, CON-WS-001/002 piloted
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_rule(mut self, rule: CollectionRule) -> Collection {
        self.rules.push(rule);
        self
    }
}
