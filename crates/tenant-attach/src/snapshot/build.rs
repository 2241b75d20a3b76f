//! Building and editing snapshots in code: constructors with the contract's defaults, and
//! edits that keep the snapshot consistent (removing a device removes it from every
//! collection rule).

use super::{
    Attach, AttachState, Cloud, Collection, CollectionRule, CollectionType, Device, Discovery,
    Hierarchy, SCHEMA, Snapshot, Tenant, Upload,
};

impl Snapshot {
    /// An empty snapshot of `hierarchy`: no device, collection, admin or user, every policy
    /// knob at its default.
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
            devices: Vec::new(),
            collections: Vec::new(),
            configmgr: Default::default(),
            entra: Default::default(),
            intune: Default::default(),
            policy: Default::default(),
            x: None,
        }
    }

    /// The snapshot with one more device.
    pub fn with_device(mut self, device: Device) -> Snapshot {
        self.devices.push(device);
        self
    }

    /// The snapshot with one more collection.
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
        }
    }
}

impl Device {
    /// A tenant-attached device with a ConfigMgr client and the Default scope tag.
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
        }
    }

    /// The same device without a ConfigMgr client (never uploaded, R-U3).
    pub fn without_client(mut self) -> Device {
        self.client = false;
        self
    }

    /// The same device, co-managed (enrolled in Intune too) with these scope tags.
    pub fn co_managed(mut self, scope_tags: &[&str]) -> Device {
        self.co_managed = true;
        self.scope_tags = scope_tags.iter().map(|t| (*t).to_owned()).collect();
        self
    }
}

impl Collection {
    /// The built-in *All Systems* collection (`SMS00001`) holding these devices.
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
    pub fn with_rule(mut self, rule: CollectionRule) -> Collection {
        self.rules.push(rule);
        self
    }
}
