//! Dense device indices and device sets.
//!
//! Devices are numbered `0..n` in resource-id order, so every per-device table is a plain
//! vector and every set of devices is a compressed bitmap over those numbers.

use roaring::RoaringBitmap;

use crate::error::Diagnostics;
use crate::snapshot::Device;

/// A dense device number: the rank of the device's resource id.
pub type DeviceIx = u32;

/// Resource id ↔ dense index, and index → position in `$.devices`.
#[derive(Debug, Clone, Default)]
pub(crate) struct DeviceIndex {
    /// Resource ids, sorted; position = [`DeviceIx`].
    resource_ids: Vec<u32>,
    /// For each [`DeviceIx`], the device's position in the snapshot.
    positions: Vec<u32>,
    /// When resource ids are dense (as ConfigMgr allocates them), a direct table:
    /// `table[rid - base]` is the index, or `u32::MAX`. Membership lists map millions of ids,
    /// so this replaces a binary search per member with one load.
    base: u32,
    table: Vec<u32>,
}

impl DeviceIndex {
    /// Numbers the devices; duplicate resource ids are input errors (R-C4).
    pub(crate) fn build(devices: &[Device], diags: &mut Diagnostics) -> DeviceIndex {
        let mut order: Vec<(u32, u32)> = devices
            .iter()
            .enumerate()
            .map(|(pos, d)| (d.resource_id, pos as u32))
            .collect();
        order.sort_unstable();
        let mut resource_ids = Vec::with_capacity(order.len());
        let mut positions = Vec::with_capacity(order.len());
        for (id, pos) in order {
            if resource_ids.last() == Some(&id) {
                diags.input(
                    "R-C4",
                    format!("$.devices[{pos}].resource_id"),
                    format!("resource id `{id}` is used by more than one device"),
                );
                continue;
            }
            resource_ids.push(id);
            positions.push(pos);
        }
        let (base, table) = match (resource_ids.first(), resource_ids.last()) {
            (Some(&lo), Some(&hi)) if ((hi - lo) as usize) <= resource_ids.len() * 4 + 1024 => {
                let mut table = vec![u32::MAX; (hi - lo) as usize + 1];
                for (ix, id) in resource_ids.iter().enumerate() {
                    if let Some(slot) = table.get_mut((id - lo) as usize) {
                        *slot = ix as u32;
                    }
                }
                (lo, table)
            }
            _ => (0, Vec::new()),
        };
        DeviceIndex {
            resource_ids,
            positions,
            base,
            table,
        }
    }

    /// The dense index of a resource id.
    pub(crate) fn ix(&self, resource_id: u32) -> Option<DeviceIx> {
        if !self.table.is_empty() {
            return resource_id
                .checked_sub(self.base)
                .and_then(|off| self.table.get(off as usize))
                .copied()
                .filter(|ix| *ix != u32::MAX);
        }
        self.resource_ids
            .binary_search(&resource_id)
            .ok()
            .map(|i| i as DeviceIx)
    }

    /// The snapshot position of a device.
    pub(crate) fn position(&self, ix: DeviceIx) -> Option<usize> {
        self.positions.get(ix as usize).map(|p| *p as usize)
    }

    /// The resource ids, in index order.
    pub(crate) fn resource_ids(&self) -> &[u32] {
        &self.resource_ids
    }

    /// How many devices.
    pub(crate) fn len(&self) -> usize {
        self.resource_ids.len()
    }
}

/// A set of devices, by dense index: a compressed bitmap.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeviceSet(pub(crate) RoaringBitmap);

impl DeviceSet {
    /// The empty set.
    pub fn new() -> DeviceSet {
        DeviceSet(RoaringBitmap::new())
    }

    /// Whether the device is in the set.
    pub fn contains(&self, ix: DeviceIx) -> bool {
        self.0.contains(ix)
    }

    /// How many devices.
    pub fn len(&self) -> u64 {
        self.0.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The devices in index order (which is resource-id order).
    pub fn iter(&self) -> impl Iterator<Item = DeviceIx> + '_ {
        self.0.iter()
    }

    /// Whether every device of `self` is in `other`.
    pub fn is_subset(&self, other: &DeviceSet) -> bool {
        self.0.is_subset(&other.0)
    }

    /// Bytes this set takes when serialized (a proxy for its size in memory).
    pub fn serialized_size(&self) -> usize {
        self.0.serialized_size()
    }
}

impl FromIterator<DeviceIx> for DeviceSet {
    fn from_iter<I: IntoIterator<Item = DeviceIx>>(iter: I) -> Self {
        DeviceSet(iter.into_iter().collect())
    }
}
