//! The ConfigMgr side (`combined` mode): hybrid identity (R-G1), discovery (R-G2), SID
//! mapping (R-G3), associations and per-operation grants (R-G4, R-G5), operations on other
//! secured classes (R-G6) and runnable scripts (R-G7).

use std::collections::HashMap;

use crate::collections::{CollectionGraph, CollectionNo};
use crate::features::{
    ClassOperation, ClassPermission, Feature, Operation, OperationSet, SecuredClass,
};
use crate::snapshot::{AssociationMode, DiscoveryAgent, DiscoveryRequired, EntraUser, Snapshot};

/// The built-in Full Administrator role (R-G5).
pub const FULL_ADMINISTRATOR: &str = "SMS0001R";

/// The first version where either discovery is enough (R-G2).
pub const EITHER_DISCOVERY_SINCE: u32 = 2103;

/// The *All* security scope: an administrative user holding it meets every object (R-G7).
pub const ALL_SCOPE: &str = "SMS00ALL";

/// R-G2: whether `feature` needs **both** user discoveries under the knob and version.
pub fn needs_both_discoveries(required: DiscoveryRequired, version: u32, feature: Feature) -> bool {
    match required {
        DiscoveryRequired::Both => true,
        DiscoveryRequired::ByVersion => version < EITHER_DISCOVERY_SINCE,
        DiscoveryRequired::ByFeature => {
            version < EITHER_DISCOVERY_SINCE || feature.needs_client_details_prerequisites()
        }
    }
}

/// A set of class operations (R-G6), as a bitmask over [`SecuredClass`] × [`ClassOperation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub(crate) struct ClassSet(u32);

impl ClassSet {
    /// No operation.
    pub(crate) const EMPTY: ClassSet = ClassSet(0);

    fn bit((class, op): ClassPermission) -> u32 {
        1 << (class as u32 * ClassOperation::ALL.len() as u32 + op as u32)
    }

    /// Every operation on every class (Full Administrator, R-G5).
    pub(crate) fn all() -> ClassSet {
        SecuredClass::ALL
            .iter()
            .flat_map(|c| ClassOperation::ALL.iter().map(move |o| (*c, *o)))
            .collect()
    }

    /// Whether the pair is in the set.
    pub(crate) fn contains(self, p: ClassPermission) -> bool {
        self.0 & ClassSet::bit(p) != 0
    }

    /// Adds a pair.
    pub(crate) fn insert(&mut self, p: ClassPermission) {
        self.0 |= ClassSet::bit(p);
    }

    /// Adds every pair of `other`.
    pub(crate) fn union_with(&mut self, other: ClassSet) {
        self.0 |= other.0;
    }

    /// Whether every pair of `self` is in `other`.
    pub(crate) fn is_subset(self, other: ClassSet) -> bool {
        self.0 & !other.0 == 0
    }

    /// The pairs, in class then operation order.
    pub(crate) fn iter(self) -> impl Iterator<Item = ClassPermission> {
        SecuredClass::ALL
            .iter()
            .flat_map(|c| ClassOperation::ALL.iter().map(move |o| (*c, *o)))
            .filter(move |p| self.contains(*p))
    }
}

impl FromIterator<ClassPermission> for ClassSet {
    fn from_iter<I: IntoIterator<Item = ClassPermission>>(iter: I) -> Self {
        let mut set = ClassSet::EMPTY;
        for p in iter {
            set.insert(p);
        }
        set
    }
}

/// One role × collection pair of an administrative user (R-G4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pair {
    /// Position in `$.configmgr.admins`.
    pub(crate) admin: u32,
    /// Position in `$.configmgr.roles`.
    pub(crate) role: u32,
    pub(crate) collection: CollectionNo,
    pub(crate) ops: OperationSet,
}

/// Why the ConfigMgr side stops before R-G4, whatever the feature (R-G2 depends on the
/// feature and is checked at decision time, between these two).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Block {
    /// R-G1.
    CloudOnly,
    /// R-G3.
    NoAdmin,
}

/// One administrative user's roles as they bear on other classes (R-G6, R-G7).
#[derive(Debug, Clone, Default)]
pub(crate) struct AdminRoles {
    /// Role positions: `roles` (cross product) or the roles of `associations` (specific).
    pub(crate) roles: Vec<u32>,
    /// Union of those roles' class operations.
    pub(crate) classes: ClassSet,
}

/// The ConfigMgr side of a snapshot, indexed.
#[derive(Debug, Clone)]
pub(crate) struct ConfigMgrIndex {
    /// Uppercase SID → admin positions, for user admins and group admins.
    user_admins: HashMap<String, Vec<u32>>,
    group_admins: HashMap<String, Vec<u32>>,
    /// Uppercase SID → (AD, Entra) discovery.
    discovered: HashMap<String, (bool, bool)>,
    /// Role × collection pairs per admin.
    pub(crate) pairs: Vec<Vec<Pair>>,
    /// Roles and class operations per admin.
    pub(crate) admin_roles: Vec<AdminRoles>,
    /// Class operations per role position.
    pub(crate) role_classes: Vec<ClassSet>,
    /// Per admin, the first runnable script its scopes meet, if it holds Scripts Read (R-G7).
    pub(crate) admin_script: Vec<Option<u32>>,
}

/// A user's ConfigMgr grants.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Grants {
    /// Mapped administrative users (positions).
    pub(crate) admins: Vec<u32>,
    /// Per operation (by `Operation as usize`), sorted, deduplicated collections.
    pub(crate) by_op: Vec<Vec<CollectionNo>>,
    /// Class operations granted by the mapped admins' roles (R-G6).
    pub(crate) classes: ClassSet,
    /// Whether some runnable script meets the scopes of a mapped admin with Scripts Read (R-G7).
    pub(crate) runnable_script: bool,
}

impl Grants {
    pub(crate) fn collections(&self, op: Operation) -> &[CollectionNo] {
        self.by_op.get(op as usize).map_or(&[], Vec::as_slice)
    }
}

impl ConfigMgrIndex {
    pub(crate) fn build(s: &Snapshot, graph: &CollectionGraph) -> ConfigMgrIndex {
        let role_classes: Vec<ClassSet> = s
            .configmgr
            .roles
            .iter()
            .map(|r| {
                if r.id == FULL_ADMINISTRATOR {
                    ClassSet::all()
                } else {
                    crate::features::class_permissions(&r.class_operations)
                        .into_iter()
                        .collect()
                }
            })
            .collect();
        let roles: HashMap<&str, (u32, OperationSet)> = s
            .configmgr
            .roles
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let ops = if r.id == FULL_ADMINISTRATOR {
                    OperationSet::ALL
                } else {
                    r.collection_operations.iter().copied().collect()
                };
                (r.id.as_str(), (i as u32, ops))
            })
            .collect();
        let runnable: Vec<(u32, &[String])> = s
            .configmgr
            .scripts
            .iter()
            .flatten()
            .enumerate()
            .filter(|(_, x)| x.approved && !x.has_parameters)
            .map(|(i, x)| (i as u32, x.scopes.as_slice()))
            .collect();
        let scripts_read = (SecuredClass::Scripts, ClassOperation::Read);
        let mut user_admins: HashMap<String, Vec<u32>> = HashMap::new();
        let mut group_admins: HashMap<String, Vec<u32>> = HashMap::new();
        let mut pairs = Vec::with_capacity(s.configmgr.admins.len());
        let mut admin_roles = Vec::with_capacity(s.configmgr.admins.len());
        let mut admin_script = Vec::with_capacity(s.configmgr.admins.len());
        for (ai, a) in s.configmgr.admins.iter().enumerate() {
            let map = if a.is_group {
                &mut group_admins
            } else {
                &mut user_admins
            };
            map.entry(a.sid.to_uppercase()).or_default().push(ai as u32);
            let mut mine = Vec::new();
            let mut pair = |role: &str, collection: &str| {
                if let (Some((r, ops)), Some(c)) = (roles.get(role), graph.find_no(collection)) {
                    mine.push(Pair {
                        admin: ai as u32,
                        role: *r,
                        collection: c,
                        ops: *ops,
                    });
                }
            };
            let role_names: Vec<&str> = match a.association_mode {
                AssociationMode::CrossProduct => {
                    for r in &a.roles {
                        for c in &a.collections {
                            pair(r, c);
                        }
                    }
                    a.roles.iter().map(String::as_str).collect()
                }
                AssociationMode::Specific => {
                    for assoc in &a.associations {
                        for c in &assoc.collections {
                            pair(&assoc.role, c);
                        }
                    }
                    a.associations.iter().map(|x| x.role.as_str()).collect()
                }
            };
            pairs.push(mine);
            let mut held = AdminRoles::default();
            for name in role_names {
                if let Some((r, _)) = roles.get(name) {
                    held.roles.push(*r);
                    if let Some(c) = role_classes.get(*r as usize) {
                        held.classes.union_with(*c);
                    }
                }
            }
            held.roles.sort_unstable();
            held.roles.dedup();
            let all_scope = a.scopes.iter().any(|x| x == ALL_SCOPE);
            admin_script.push(if held.classes.contains(scripts_read) {
                runnable
                    .iter()
                    .find(|(_, scopes)| all_scope || scopes.iter().any(|x| a.scopes.contains(x)))
                    .map(|(i, _)| *i)
            } else {
                None
            });
            admin_roles.push(held);
        }
        let mut discovered: HashMap<String, (bool, bool)> = HashMap::new();
        for u in &s.configmgr.users {
            let e = discovered.entry(u.sid.to_uppercase()).or_default();
            for agent in &u.discovered_by {
                match agent {
                    DiscoveryAgent::Ad => e.0 = true,
                    DiscoveryAgent::Entra => e.1 = true,
                }
            }
        }
        ConfigMgrIndex {
            user_admins,
            group_admins,
            discovered,
            pairs,
            admin_roles,
            role_classes,
            admin_script,
        }
    }

    /// (AD, Entra) discovery of a SID.
    pub(crate) fn discovery(&self, sid: &str) -> (bool, bool) {
        self.discovered
            .get(&sid.to_uppercase())
            .copied()
            .unwrap_or_default()
    }

    /// R-G1, R-G3..R-G7 for one user: the user's discovery (for R-G2, which depends on the
    /// feature), and the grants or where the chain stops.
    pub(crate) fn resolve(&self, user: &EntraUser) -> ((bool, bool), Result<Grants, Block>) {
        let Some(sid) = &user.on_premises_sid else {
            return ((false, false), Err(Block::CloudOnly));
        };
        let discovery = self.discovery(sid);
        let mut admins: Vec<u32> = self
            .user_admins
            .get(&sid.to_uppercase())
            .into_iter()
            .flatten()
            .copied()
            .collect();
        for g in &user.on_premises_group_sids {
            admins.extend(
                self.group_admins
                    .get(&g.to_uppercase())
                    .into_iter()
                    .flatten(),
            );
        }
        admins.sort_unstable();
        admins.dedup();
        if admins.is_empty() {
            return (discovery, Err(Block::NoAdmin));
        }
        let mut by_op = vec![Vec::new(); Operation::ALL.len()];
        let mut classes = ClassSet::EMPTY;
        let mut runnable_script = false;
        for a in &admins {
            for p in self.pairs.get(*a as usize).into_iter().flatten() {
                for op in p.ops.iter() {
                    if let Some(list) = by_op.get_mut(op as usize) {
                        list.push(p.collection);
                    }
                }
            }
            if let Some(r) = self.admin_roles.get(*a as usize) {
                classes.union_with(r.classes);
            }
            runnable_script |= self
                .admin_script
                .get(*a as usize)
                .is_some_and(Option::is_some);
        }
        for list in &mut by_op {
            list.sort_unstable();
            list.dedup();
        }
        let grants = Grants {
            admins,
            by_op,
            classes,
            runnable_script,
        };
        (discovery, Ok(grants))
    }
}
