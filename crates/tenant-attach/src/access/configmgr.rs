//! The ConfigMgr side (`combined` mode): hybrid identity (R-G1), discovery (R-G2), SID
//! mapping (R-G3), associations and per-operation grants (R-G4, R-G5).

use std::collections::HashMap;

use crate::collections::{CollectionGraph, CollectionIx};
use crate::features::{Operation, OperationSet};
use crate::snapshot::{AssociationMode, DiscoveryAgent, DiscoveryRequired, EntraUser, Snapshot};

/// The built-in Full Administrator role (R-G5).
pub const FULL_ADMINISTRATOR: &str = "SMS0001R";

/// The first version where either discovery is enough (R-G2).
pub const EITHER_DISCOVERY_SINCE: u32 = 2103;

/// One role × collection pair of an administrative user (R-G4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pair {
    /// Position in `$.configmgr.admins`.
    pub(crate) admin: u32,
    /// Position in `$.configmgr.roles`.
    pub(crate) role: u32,
    pub(crate) collection: CollectionIx,
    pub(crate) ops: OperationSet,
}

/// Why the ConfigMgr side stops before R-G4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Block {
    /// R-G1.
    CloudOnly,
    /// R-G2.
    NotDiscovered,
    /// R-G3.
    NoAdmin,
}

/// The ConfigMgr side of a snapshot, indexed.
#[derive(Debug, Clone)]
pub(crate) struct ConfigMgrIndex {
    /// Uppercase SID → admin positions, for user admins and group admins.
    user_admins: HashMap<String, Vec<u32>>,
    group_admins: HashMap<String, Vec<u32>>,
    /// Uppercase SID → discovery agents.
    discovered: HashMap<String, (bool, bool)>,
    /// Role × collection pairs per admin.
    pub(crate) pairs: Vec<Vec<Pair>>,
    version: u32,
    required: DiscoveryRequired,
}

/// A user's ConfigMgr grants: per operation, the collections where some association grants it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Grants {
    /// Mapped administrative users (positions).
    pub(crate) admins: Vec<u32>,
    /// Per operation (by `Operation as usize`), sorted, deduplicated collections.
    pub(crate) by_op: Vec<Vec<CollectionIx>>,
}

impl Grants {
    pub(crate) fn collections(&self, op: Operation) -> &[CollectionIx] {
        self.by_op.get(op as usize).map_or(&[], Vec::as_slice)
    }
}

impl ConfigMgrIndex {
    pub(crate) fn build(s: &Snapshot, graph: &CollectionGraph) -> ConfigMgrIndex {
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
        let mut user_admins: HashMap<String, Vec<u32>> = HashMap::new();
        let mut group_admins: HashMap<String, Vec<u32>> = HashMap::new();
        let mut pairs = Vec::with_capacity(s.configmgr.admins.len());
        for (ai, a) in s.configmgr.admins.iter().enumerate() {
            let map = if a.is_group {
                &mut group_admins
            } else {
                &mut user_admins
            };
            map.entry(a.sid.to_uppercase()).or_default().push(ai as u32);
            let mut mine = Vec::new();
            let mut pair = |role: &str, collection: &str| {
                if let (Some((r, ops)), Some(c)) = (roles.get(role), graph.find(collection)) {
                    mine.push(Pair {
                        admin: ai as u32,
                        role: *r,
                        collection: c,
                        ops: *ops,
                    });
                }
            };
            match a.association_mode {
                AssociationMode::CrossProduct => {
                    for r in &a.roles {
                        for c in &a.collections {
                            pair(r, c);
                        }
                    }
                }
                AssociationMode::Specific => {
                    for assoc in &a.associations {
                        for c in &assoc.collections {
                            pair(&assoc.role, c);
                        }
                    }
                }
            }
            pairs.push(mine);
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
            version: s.hierarchy.version,
            required: s.policy.discovery_required,
        }
    }

    /// Whether R-G2 needs both discoveries under the knob and version.
    pub(crate) fn needs_both_discoveries(&self) -> bool {
        match self.required {
            DiscoveryRequired::Both => true,
            DiscoveryRequired::ByVersion | DiscoveryRequired::ByFeature => {
                self.version < EITHER_DISCOVERY_SINCE
            }
        }
    }

    /// (AD, Entra) discovery of a SID.
    pub(crate) fn discovery(&self, sid: &str) -> (bool, bool) {
        self.discovered
            .get(&sid.to_uppercase())
            .copied()
            .unwrap_or_default()
    }

    /// R-G1..R-G4 for one user: the grants, or where the chain stops.
    pub(crate) fn resolve(&self, user: &EntraUser) -> Result<Grants, Block> {
        let Some(sid) = &user.on_premises_sid else {
            return Err(Block::CloudOnly);
        };
        let (ad, entra) = self.discovery(sid);
        let discovered = if self.needs_both_discoveries() {
            ad && entra
        } else {
            ad || entra
        };
        if !discovered {
            return Err(Block::NotDiscovered);
        }
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
            return Err(Block::NoAdmin);
        }
        let mut by_op = vec![Vec::new(); Operation::ALL.len()];
        for a in &admins {
            for p in self.pairs.get(*a as usize).into_iter().flatten() {
                for op in p.ops.iter() {
                    if let Some(list) = by_op.get_mut(op as usize) {
                        list.push(p.collection);
                    }
                }
            }
        }
        for list in &mut by_op {
            list.sort_unstable();
            list.dedup();
        }
        Ok(Grants { admins, by_op })
    }
}
