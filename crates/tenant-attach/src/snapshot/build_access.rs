//! Building the `configmgr`, `entra` and `intune` sections in code: the snapshot's `with_…`
//! methods and the ConfigMgr constructors, in the style of [`Snapshot::new`] and
//! [`Snapshot::with_device`] (the Entra and Intune constructors are in `build_tenant.rs`).

use super::{
    Association, AssociationMode, ConfigMgrAdmin, ConfigMgrRole, DiscoveredUser, DiscoveryAgent,
    EntraGroup, EntraUser, RoleAssignment, RoleDefinition, ScopeTag, Snapshot,
};
use crate::features::{ClassOperation, Operation, SecuredClass};

impl Snapshot {
    /// The snapshot with one more ConfigMgr security role.
    ///
    /// ```
    /// use tenant_attach::{Engine, Snapshot, sample, features::Operation, snapshot::ConfigMgrRole};
    /// let role = ConfigMgrRole::new("PS100009", "Remote tools").with_operations(&[Operation::Read]);
    /// let engine = Engine::new(Snapshot::from_json(sample::CONTOSO)?.with_configmgr_role(role))?;
    /// assert_eq!(engine.snapshot().configmgr.roles.len(), 5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_configmgr_role(mut self, role: ConfigMgrRole) -> Snapshot {
        self.configmgr.roles.push(role);
        self
    }

    /// The snapshot with one more ConfigMgr administrative user (or group).
    ///
    /// ```
    /// use tenant_attach::{Engine, Snapshot, sample, snapshot::ConfigMgrAdmin};
    /// let frank = ConfigMgrAdmin::new(16777230, "CONTOSO\\frank", "S-1-5-21-1-2-3-2010")
    ///     .with_role("SMS0002R", &["PS100011"]); // Read-only Analyst on Desktops
    /// let engine = Engine::new(Snapshot::from_json(sample::CONTOSO)?.with_admin(frank))?;
    /// assert_eq!(engine.snapshot().configmgr.admins.len(), 5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_admin(mut self, admin: ConfigMgrAdmin) -> Snapshot {
        self.configmgr.admins.push(admin);
        self
    }

    /// The snapshot with one more user found by ConfigMgr user discovery (R-G2).
    ///
    /// ```
    /// use tenant_attach::{Snapshot, sample, snapshot::DiscoveredUser};
    /// let s = Snapshot::from_json(sample::CONTOSO)?
    ///     .with_discovered_user(DiscoveredUser::new("S-1-5-21-1-2-3-2010"));
    /// assert_eq!(s.configmgr.users.len(), 6);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_discovered_user(mut self, user: DiscoveredUser) -> Snapshot {
        self.configmgr.users.push(user);
        self
    }

    /// The snapshot with one more Entra user.
    ///
    /// ```
    /// use tenant_attach::{Engine, Snapshot, sample, snapshot::EntraUser};
    /// let heidi = EntraUser::new("5f0c1d9e-0000-4000-8000-000000000010", "heidi@contoso.com");
    /// let engine = Engine::new(Snapshot::from_json(sample::CONTOSO)?.with_entra_user(heidi))?;
    /// assert!(engine.find_user("heidi@contoso.com").is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_entra_user(mut self, user: EntraUser) -> Snapshot {
        self.entra.users.push(user);
        self
    }

    /// The snapshot with one more Entra group.
    ///
    /// ```
    /// use tenant_attach::{Engine, Snapshot, sample, snapshot::EntraGroup};
    /// let g = EntraGroup::new("3c1e6a10-0000-4000-8000-0000000000f1", "Night shift")
    ///     .with_member("5f0c1d9e-0000-4000-8000-000000000001"); // alice
    /// let engine = Engine::new(Snapshot::from_json(sample::CONTOSO)?.with_entra_group(g))?;
    /// assert!(engine.snapshot().entra.groups.iter().any(|g| g.name == "Night shift"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_entra_group(mut self, group: EntraGroup) -> Snapshot {
        self.entra.groups.push(group);
        self
    }

    /// The snapshot with one more Intune scope tag.
    ///
    /// ```
    /// use tenant_attach::{Snapshot, snapshot::{Hierarchy, ScopeTag}};
    /// let s = Snapshot::new(Hierarchy::new("PS1", 2403)).with_scope_tag(ScopeTag::new("1", "Paris"));
    /// let names: Vec<&str> = s.intune.scope_tags.iter().map(|t| t.name.as_str()).collect();
    /// assert_eq!(names, ["Default", "Paris"]);
    /// ```
    pub fn with_scope_tag(mut self, tag: ScopeTag) -> Snapshot {
        self.intune.scope_tags.push(tag);
        self
    }

    /// The snapshot with one more Intune role definition.
    ///
    /// ```
    /// use tenant_attach::{Engine, Snapshot, sample, snapshot::RoleDefinition};
    /// let reader = RoleDefinition::new("d-reader", "Device reader")
    ///     .with_permissions(&["Microsoft.Intune_ManagedDevices_Read"]);
    /// let engine = Engine::new(Snapshot::from_json(sample::CONTOSO)?.with_role_definition(reader))?;
    /// assert!(engine.snapshot().intune.role_definitions.iter().any(|d| d.id == "d-reader"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_role_definition(mut self, definition: RoleDefinition) -> Snapshot {
        self.intune.role_definitions.push(definition);
        self
    }

    /// The snapshot with one more Intune role assignment.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, Snapshot, sample, snapshot::RoleAssignment};
    /// // Intune Administrators' role given again, to a group holding bob (R-I2).
    /// let s = Snapshot::from_json(sample::CONTOSO)?;
    /// let role = s.intune.role_assignments[0].role.clone();
    /// let group = s.intune.role_assignments[0].members[0].clone();
    /// let extra = RoleAssignment::new("a-extra", "Extra", role).with_member(group);
    /// let engine = Engine::new(s.with_role_assignment(extra))?;
    /// assert_eq!(engine.snapshot().intune.role_assignments.len(), 5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_role_assignment(mut self, assignment: RoleAssignment) -> Snapshot {
        self.intune.role_assignments.push(assignment);
        self
    }
}

impl ConfigMgrRole {
    /// A security role granting nothing yet.
    ///
    /// ```
    /// use tenant_attach::snapshot::ConfigMgrRole;
    /// let r = ConfigMgrRole::new("PS100009", "Remote tools");
    /// assert!(r.collection_operations.is_empty() && r.class_operations.is_empty());
    /// ```
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> ConfigMgrRole {
        ConfigMgrRole {
            id: id.into(),
            name: name.into(),
            collection_operations: Vec::new(),
            class_operations: Default::default(),
        }
    }

    /// The same role, granting these operations on the Collection class too (R-G4).
    ///
    /// ```
    /// use tenant_attach::{features::Operation, snapshot::ConfigMgrRole};
    /// let r = ConfigMgrRole::new("PS100009", "Sync")
    ///     .with_operations(&[Operation::Read, Operation::NotifyResource]);
    /// assert_eq!(r.collection_operations, [Operation::Read, Operation::NotifyResource]);
    /// ```
    pub fn with_operations(mut self, operations: &[Operation]) -> ConfigMgrRole {
        for op in operations {
            if !self.collection_operations.contains(op) {
                self.collection_operations.push(*op);
            }
        }
        self
    }

    /// The same role, granting these operations on another secured class too (R-G6).
    ///
    /// ```
    /// use tenant_attach::features::{ClassOperation, SecuredClass};
    /// use tenant_attach::snapshot::ConfigMgrRole;
    /// let r = ConfigMgrRole::new("PS100009", "Scripts")
    ///     .with_class_operations(SecuredClass::Scripts, &[ClassOperation::Read]);
    /// assert_eq!(r.class_operations[&SecuredClass::Scripts], [ClassOperation::Read]);
    /// ```
    pub fn with_class_operations(
        mut self,
        class: SecuredClass,
        operations: &[ClassOperation],
    ) -> ConfigMgrRole {
        let granted = self.class_operations.entry(class).or_default();
        for op in operations {
            if !granted.contains(op) {
                granted.push(*op);
            }
        }
        self
    }
}

impl ConfigMgrAdmin {
    /// An administrative user (not a group) with no role yet, its roles and collections
    /// paired as a cross product (R-G4), in the Default security scope (`SMS00UNA`).
    ///
    /// ```
    /// use tenant_attach::snapshot::{AssociationMode, ConfigMgrAdmin};
    /// let a = ConfigMgrAdmin::new(16777230, "CONTOSO\\frank", "S-1-5-21-1-2-3-2010");
    /// assert!(!a.is_group && a.roles.is_empty());
    /// assert_eq!(a.association_mode, AssociationMode::CrossProduct);
    /// ```
    pub fn new(id: u32, account: impl Into<String>, sid: impl Into<String>) -> ConfigMgrAdmin {
        ConfigMgrAdmin {
            id,
            account: account.into(),
            sid: sid.into(),
            is_group: false,
            association_mode: AssociationMode::CrossProduct,
            roles: Vec::new(),
            collections: Vec::new(),
            scopes: vec![String::from("SMS00UNA")],
            associations: Vec::new(),
            associations_inferred: false,
        }
    }

    /// The same administrative user, an AD security group (R-G3).
    ///
    /// ```
    /// use tenant_attach::snapshot::ConfigMgrAdmin;
    /// assert!(ConfigMgrAdmin::new(16777231, "CONTOSO\\CM-Night", "S-1-5-21-1-2-3-1200").group().is_group);
    /// ```
    pub fn group(mut self) -> ConfigMgrAdmin {
        self.is_group = true;
        self
    }

    /// The same administrative user holding `role` on `collections` (R-G4): the role is added
    /// to `roles`, the collections to `collections`. Under `cross_product` (the default) every
    /// role then pairs with every collection; after [`ConfigMgrAdmin::specific`] the pair is
    /// also added to `associations`, and the role holds on these collections only.
    ///
    /// ```
    /// use tenant_attach::snapshot::ConfigMgrAdmin;
    /// let a = ConfigMgrAdmin::new(16777230, "CONTOSO\\frank", "S-1-5-21-1-2-3-2010")
    ///     .with_role("SMS0002R", &["PS100011"]);
    /// assert_eq!(a.roles, ["SMS0002R"]);
    /// assert_eq!(a.collections, ["PS100011"]);
    /// ```
    pub fn with_role(mut self, role: &str, collections: &[&str]) -> ConfigMgrAdmin {
        if !self.roles.iter().any(|r| r == role) {
            self.roles.push(role.to_owned());
        }
        for c in collections {
            if !self.collections.iter().any(|x| x == c) {
                self.collections.push((*c).to_owned());
            }
        }
        if self.association_mode == AssociationMode::Specific {
            self.associations.push(Association {
                role: role.to_owned(),
                collections: collections.iter().map(|c| (*c).to_owned()).collect(),
            });
        }
        self
    }

    /// The same administrative user, each role paired only with its own collections
    /// (`specific`, R-G4): call it before [`ConfigMgrAdmin::with_role`].
    ///
    /// ```
    /// use tenant_attach::snapshot::{AssociationMode, ConfigMgrAdmin};
    /// let a = ConfigMgrAdmin::new(16777219, "CONTOSO\\CM-ServerOps", "S-1-5-21-1-2-3-1107")
    ///     .group()
    ///     .specific()
    ///     .with_role("PS100002", &["PS100032"]) // Contoso Server Operator on Tier-1 servers
    ///     .with_role("SMS0002R", &["PS100030"]); // Read-only Analyst on All Servers
    /// assert_eq!(a.association_mode, AssociationMode::Specific);
    /// assert_eq!(a.associations.len(), 2);
    /// ```
    pub fn specific(mut self) -> ConfigMgrAdmin {
        self.association_mode = AssociationMode::Specific;
        self
    }
}

impl DiscoveredUser {
    /// A user found by both AD and Entra user discovery (what R-G2 asks for every feature).
    ///
    /// ```
    /// use tenant_attach::snapshot::{DiscoveredUser, DiscoveryAgent};
    /// let u = DiscoveredUser::new("S-1-5-21-1-2-3-2010");
    /// assert_eq!(u.discovered_by, [DiscoveryAgent::Ad, DiscoveryAgent::Entra]);
    /// ```
    pub fn new(sid: impl Into<String>) -> DiscoveredUser {
        DiscoveredUser {
            sid: sid.into(),
            discovered_by: vec![DiscoveryAgent::Ad, DiscoveryAgent::Entra],
        }
    }

    /// The same user, found by these discovery methods only.
    ///
    /// ```
    /// use tenant_attach::snapshot::{DiscoveredUser, DiscoveryAgent};
    /// let u = DiscoveredUser::new("S-1-5-21-1-2-3-2010").found_by(&[DiscoveryAgent::Ad]);
    /// assert_eq!(u.discovered_by, [DiscoveryAgent::Ad]); // like bob in Contoso
    /// ```
    pub fn found_by(mut self, agents: &[DiscoveryAgent]) -> DiscoveredUser {
        self.discovered_by = agents.to_vec();
        self
    }
}
