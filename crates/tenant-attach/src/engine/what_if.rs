//! [`Engine::with_snapshot`]: a what-if engine for an edited snapshot that reuses what the
//! edit did not touch.

use std::sync::Arc;

use super::Engine;
use crate::error::BuildError;
use crate::snapshot::{Shared, Snapshot};

/// At most this many devices changed in collection rules are evaluated one by one; beyond,
/// every membership is evaluated again.
const FEW: usize = 16;

impl Engine {
    /// The engine of `edited`, a copy of this engine's snapshot with some edits, built
    /// incrementally: when `edited` has the same devices (resource ids and client flags, in
    /// the same order) and the same collection references (ids, limiting, include and exclude
    /// rules), the device numbering and the collection graph are reused; memberships are
    /// evaluated again only when a collection's direct or query rules changed, and then, for
    /// a few devices, only for those devices in the changed collections and the ones
    /// downstream of them (the others keep their membership sets, shared); the access index
    /// is rebuilt, sharing what depends only on the devices when no device changed (a
    /// snapshot copy shares its device list, [`crate::snapshot::Shared`], so that check
    /// costs nothing), and the upload scope is computed again. Otherwise it is
    /// [`Engine::new`]. Handles of either engine are valid in the other when the indexes are
    /// reused, and [`crate::diff()`] of the two then decides again only the users and devices
    /// the edit can have changed.
    ///
    /// The what-if keeps this engine's [`Engine::diagnostics`] when it reuses the indexes:
    /// it is meant for edits that only add references to objects that exist (what
    /// `tenant_attach::fix` proposes), which validation has nothing to say about.
    ///
    /// # Errors
    ///
    /// As [`Engine::new`] when the indexes cannot be reused.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let (grace, ws3) = (engine.find_user("grace@contoso.com")?, engine.find_device("CON-WS-003")?);
    /// assert!(!engine.allows(grace, ws3, Feature::SyncMachinePolicy)); // not in Paris devices
    /// let mut s = engine.snapshot().clone();
    /// let paris = s.intune.role_assignments[2].scope.groups.clone().unwrap_or_default();
    /// s.devices[2].scope_groups = paris; // CON-WS-003 joins the scope group (R-I6)
    /// let what_if = engine.with_snapshot(s)?;
    /// assert!(what_if.allows(grace, ws3, Feature::SyncMachinePolicy)); // the same handles
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_snapshot(&self, edited: Snapshot) -> Result<Engine, BuildError> {
        if !self.same_devices(&edited) || !self.same_references(&edited) {
            return Engine::new(edited);
        }
        let graph = if edited.collections == self.snapshot.collections {
            Arc::clone(&self.graph)
        } else {
            let mut g = (*self.graph).clone();
            match self.changed_devices(&edited) {
                // A few devices added to or removed from direct or query rules: only their
                // memberships are evaluated again.
                Some((rids, changed)) => {
                    for rid in rids {
                        if let Some(d) = self.devices.ix(rid) {
                            g.reevaluate_device(&edited.collections, rid, d, &changed);
                        }
                    }
                }
                None => g.evaluate(&edited.collections, &self.devices),
            }
            Arc::new(g)
        };
        let policy = Arc::new(edited.policy.clone());
        let mode = crate::access::mode::mode(&edited);
        // The device side of the access index is shared when no device changed.
        let same_devices = (edited.devices == self.snapshot.devices).then_some(&self.access);
        Ok(Engine::assemble(
            Arc::new(edited),
            (policy, mode),
            Arc::clone(&self.diagnostics),
            Arc::clone(&self.devices),
            graph,
            Arc::clone(&self.clients),
            same_devices,
        )
        .sharing_names(&self.names))
    }

    /// The resource ids whose presence in some collection's direct or query rules differs
    /// between this engine's snapshot and `s` (same references), when there are at most
    /// [`FEW`] of them, and the positions of the collections whose rules differ.
    fn changed_devices(&self, s: &Snapshot) -> Option<(Vec<u32>, Vec<usize>)> {
        use crate::snapshot::CollectionRule as R;
        fn listed(c: &crate::snapshot::Collection) -> Vec<u32> {
            let mut ids: Vec<u32> = c
                .rules
                .iter()
                .flat_map(|r| match r {
                    R::Direct(ids) => ids.as_slice(),
                    R::Query(q) => q.members.as_slice(),
                    R::Include(_) | R::Exclude(_) => &[],
                })
                .copied()
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        }
        let mut out: Vec<u32> = Vec::new();
        let mut changed: Vec<usize> = Vec::new();
        for (pos, (a, b)) in s
            .collections
            .iter()
            .zip(&self.snapshot.collections)
            .enumerate()
        {
            if a == b {
                continue;
            }
            changed.push(pos);
            let (x, y) = (listed(a), listed(b));
            out.extend(x.iter().filter(|i| y.binary_search(i).is_err()));
            out.extend(y.iter().filter(|i| x.binary_search(i).is_err()));
            if out.len() > FEW {
                return None;
            }
        }
        out.sort_unstable();
        out.dedup();
        Some((out, changed))
    }

    /// Same resource ids, names and client flags in the same order.
    fn same_devices(&self, s: &Snapshot) -> bool {
        Shared::same(&s.devices, &self.snapshot.devices)
            || s.devices.len() == self.snapshot.devices.len()
                && s.devices.iter().zip(&self.snapshot.devices).all(|(a, b)| {
                    a.resource_id == b.resource_id && a.client == b.client && a.name == b.name
                })
    }

    /// Same collections with the same edges of the graph (R-C3, R-C4 need no new check).
    fn same_references(&self, s: &Snapshot) -> bool {
        use crate::snapshot::CollectionRule as R;
        fn edges(c: &crate::snapshot::Collection) -> impl Iterator<Item = &R> {
            c.rules
                .iter()
                .filter(|r| matches!(r, R::Include(_) | R::Exclude(_)))
        }
        Shared::same(&s.collections, &self.snapshot.collections)
            || s.collections.len() == self.snapshot.collections.len()
                && s.collections
                    .iter()
                    .zip(&self.snapshot.collections)
                    .all(|(a, b)| {
                        a.id == b.id
                            && a.kind == b.kind
                            && a.limiting == b.limiting
                            && edges(a).eq(edges(b))
                    })
    }
}
