//! Building the `configmgr`, `entra` and `intune` sections in code: constructors with the
//! contract's defaults and `with_…` methods, in the style of [`Snapshot::new`] and
//! [`Snapshot::with_device`].

use super::{
    AssignmentScope, Association, AssociationMode, ConfigMgrAdmin, ConfigMgrRole,
    DEFAULT_SCOPE_TAG, DirectoryRole, DiscoveredUser, DiscoveryAgent, EntraGroup, EntraUser,
    RoleAssignment, RoleDefinition, ScopeTag, Snapshot,
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

impl EntraUser {
    /// A cloud-only user (no on-premises SID, R-G1) in no group, with no directory role and
    /// an unknown licence.
    ///
    /// ```
    /// use tenant_attach::snapshot::EntraUser;
    /// let u = EntraUser::new("5f0c1d9e-0000-4000-8000-000000000010", "frank@contoso.com");
    /// assert!(u.on_premises_sid.is_none() && u.intune_licensed.is_none());
    /// ```
    pub fn new(id: impl Into<String>, upn: impl Into<String>) -> EntraUser {
        EntraUser {
            id: id.into(),
            upn: upn.into(),
            on_premises_sid: None,
            on_premises_group_sids: Vec::new(),
            directory_roles: Vec::new(),
            intune_licensed: None,
        }
    }

    /// The same user, synced from AD with this SID (a hybrid identity, R-G1).
    ///
    /// ```
    /// use tenant_attach::snapshot::EntraUser;
    /// let u = EntraUser::new("u1", "frank@contoso.com").hybrid("S-1-5-21-1-2-3-2010");
    /// assert_eq!(u.on_premises_sid.as_deref(), Some("S-1-5-21-1-2-3-2010"));
    /// ```
    pub fn hybrid(mut self, sid: impl Into<String>) -> EntraUser {
        self.on_premises_sid = Some(sid.into());
        self
    }

    /// The same user, in one more synced AD security group (R-G3).
    ///
    /// ```
    /// use tenant_attach::snapshot::EntraUser;
    /// let u = EntraUser::new("u1", "frank@contoso.com").in_ad_group("S-1-5-21-1-2-3-1105");
    /// assert_eq!(u.on_premises_group_sids, ["S-1-5-21-1-2-3-1105"]);
    /// ```
    pub fn in_ad_group(mut self, sid: impl Into<String>) -> EntraUser {
        self.on_premises_group_sids.push(sid.into());
        self
    }

    /// The same user, holding one more directory role (R-I1).
    ///
    /// ```
    /// use tenant_attach::snapshot::{DirectoryRole, EntraUser};
    /// let u = EntraUser::new("u1", "frank@contoso.com").with_directory_role(DirectoryRole::GlobalReader);
    /// assert_eq!(u.directory_roles, [DirectoryRole::GlobalReader]);
    /// ```
    pub fn with_directory_role(mut self, role: DirectoryRole) -> EntraUser {
        if !self.directory_roles.contains(&role) {
            self.directory_roles.push(role);
        }
        self
    }

    /// The same user, with a known Intune licence state (R-I8).
    ///
    /// ```
    /// use tenant_attach::snapshot::EntraUser;
    /// assert_eq!(EntraUser::new("u1", "frank@contoso.com").licensed(true).intune_licensed, Some(true));
    /// ```
    pub fn licensed(mut self, licensed: bool) -> EntraUser {
        self.intune_licensed = Some(licensed);
        self
    }
}

impl EntraGroup {
    /// A group with no member yet.
    ///
    /// ```
    /// use tenant_attach::snapshot::EntraGroup;
    /// assert!(EntraGroup::new("g1", "Help desk").members.is_empty());
    /// ```
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> EntraGroup {
        EntraGroup {
            id: id.into(),
            name: name.into(),
            members: Vec::new(),
        }
    }

    /// The same group with one more member: a user id or a nested group id (R-I2).
    ///
    /// ```
    /// use tenant_attach::snapshot::EntraGroup;
    /// let g = EntraGroup::new("g1", "Help desk").with_member("u1").with_member("g2");
    /// assert_eq!(g.members, ["u1", "g2"]);
    /// ```
    pub fn with_member(mut self, id: impl Into<String>) -> EntraGroup {
        self.members.push(id.into());
        self
    }
}

impl ScopeTag {
    /// A scope tag.
    ///
    /// ```
    /// use tenant_attach::snapshot::ScopeTag;
    /// assert_eq!(ScopeTag::new("1", "Paris").name, "Paris");
    /// ```
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> ScopeTag {
        ScopeTag {
            id: id.into(),
            name: name.into(),
        }
    }
}

impl Default for ScopeTag {
    /// Intune's built-in Default scope tag (id `"0"`, R-S1).
    ///
    /// ```
    /// use tenant_attach::snapshot::{DEFAULT_SCOPE_TAG, ScopeTag};
    /// assert_eq!(ScopeTag::default(), ScopeTag::new(DEFAULT_SCOPE_TAG, "Default"));
    /// ```
    fn default() -> ScopeTag {
        ScopeTag::new(DEFAULT_SCOPE_TAG, "Default")
    }
}

impl RoleDefinition {
    /// A custom role definition holding no permission yet.
    ///
    /// ```
    /// use tenant_attach::snapshot::RoleDefinition;
    /// let d = RoleDefinition::new("d1", "Device reader");
    /// assert!(!d.built_in && d.permissions.is_empty());
    /// ```
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> RoleDefinition {
        RoleDefinition {
            id: id.into(),
            name: name.into(),
            built_in: false,
            permissions: Vec::new(),
        }
    }

    /// The same definition, a built-in role (such as *Help Desk Operator*).
    ///
    /// ```
    /// use tenant_attach::snapshot::RoleDefinition;
    /// assert!(RoleDefinition::new("d1", "Help Desk Operator").built_in().built_in);
    /// ```
    pub fn built_in(mut self) -> RoleDefinition {
        self.built_in = true;
        self
    }

    /// The same definition, holding these permissions too (`Microsoft.Intune_…`, R-I3).
    ///
    /// ```
    /// use tenant_attach::{features, snapshot::RoleDefinition};
    /// let d = RoleDefinition::new("d1", "Device reader").with_permissions(&[features::MANAGED_DEVICES_READ]);
    /// assert_eq!(d.permissions, ["Microsoft.Intune_ManagedDevices_Read"]);
    /// ```
    pub fn with_permissions(mut self, permissions: &[&str]) -> RoleDefinition {
        for p in permissions {
            if !self.permissions.iter().any(|x| x == p) {
                self.permissions.push((*p).to_owned());
            }
        }
        self
    }
}

impl RoleAssignment {
    /// An assignment of role definition `role` with no member yet, scope *All devices* and the
    /// Default scope tag (so it reaches tenant-attached devices, R-S3).
    ///
    /// ```
    /// use tenant_attach::snapshot::RoleAssignment;
    /// let a = RoleAssignment::new("a1", "Help desk", "d1");
    /// assert!(a.scope.covers_all_devices());
    /// assert_eq!(a.scope_tags, ["0"]);
    /// ```
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        role: impl Into<String>,
    ) -> RoleAssignment {
        RoleAssignment {
            id: id.into(),
            name: name.into(),
            role: role.into(),
            members: Vec::new(),
            scope: AssignmentScope::all_devices(),
            scope_tags: vec![String::from(DEFAULT_SCOPE_TAG)],
        }
    }

    /// The same assignment with one more member group (R-I2).
    ///
    /// ```
    /// use tenant_attach::snapshot::RoleAssignment;
    /// assert_eq!(RoleAssignment::new("a1", "Help desk", "d1").with_member("g1").members, ["g1"]);
    /// ```
    pub fn with_member(mut self, group: impl Into<String>) -> RoleAssignment {
        self.members.push(group.into());
        self
    }

    /// The same assignment, its scope (Groups) these groups instead of *All devices* (R-I6).
    ///
    /// ```
    /// use tenant_attach::snapshot::RoleAssignment;
    /// let a = RoleAssignment::new("a1", "Help desk", "d1").scoped_to(&["g-paris"]);
    /// assert!(!a.scope.covers_all_devices());
    /// ```
    pub fn scoped_to(mut self, groups: &[&str]) -> RoleAssignment {
        self.scope = AssignmentScope {
            all_devices: None,
            groups: Some(groups.iter().map(|g| (*g).to_owned()).collect()),
        };
        self
    }

    /// The same assignment with these scope tags instead (R-I5).
    ///
    /// ```
    /// use tenant_attach::snapshot::RoleAssignment;
    /// let a = RoleAssignment::new("a1", "Paris help desk", "d1").with_scope_tags(&["1"]);
    /// assert_eq!(a.scope_tags, ["1"]);
    /// ```
    pub fn with_scope_tags(mut self, tags: &[&str]) -> RoleAssignment {
        self.scope_tags = tags.iter().map(|t| (*t).to_owned()).collect();
        self
    }
}
