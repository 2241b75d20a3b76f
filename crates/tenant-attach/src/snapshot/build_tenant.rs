//! Building the `entra` and `intune` sections in code: constructors with the contract's
//! defaults and `with_…` methods (the snapshot's `with_…` methods are in `build_access.rs`).

use super::{
    AssignmentScope, DEFAULT_SCOPE_TAG, DirectoryRole, EntraGroup, EntraUser, RoleAssignment,
    RoleDefinition, ScopeTag,
};

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
