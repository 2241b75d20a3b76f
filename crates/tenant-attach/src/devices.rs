//! Dense device numbers, the handles that carry them, and device sets.
//!
//! Devices are numbered `0..n` in resource-id order, so every per-device table is a plain
//! vector and every set of devices is a compressed bitmap over those numbers. Outside the
//! crate a device is a [`DeviceIx`] handle and a user a [`crate::UserIx`]: each carries the
//! [`Stamp`] of the engine that issued it, so a handle from another engine (or a number made
//! up by hand) is never mistaken for one of this engine's.

use std::sync::atomic::{AtomicU64, Ordering};

use roaring::RoaringBitmap;

use crate::error::Diagnostics;
use crate::snapshot::Device;

/// A dense device number inside the crate: the rank of the device's resource id.
pub(crate) type DeviceNo = u32;

/// Which engine issued a handle. Engines made from one another by
/// [`crate::Engine::with_policy`] or [`crate::Engine::with_enforce`] share it (same snapshot,
/// same numbering).
///
/// Stamps are 64-bit and never reused: the process-wide counter refuses to wrap, so two
/// engines of one process never share a stamp (with a 32-bit counter, the 2^32-th engine
/// reused the first one's and answered its handles). At one engine a nanosecond the counter
/// would last 584 years; should it ever run out, [`crate::Engine::new`] fails with
/// [`crate::BuildError::StampsExhausted`] instead of issuing a stamp twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp(u64);

/// The next stamp to issue; 0 is never issued (it marks a numbering without one).
static NEXT_STAMP: AtomicU64 = AtomicU64::new(1);

impl Stamp {
    /// The stamp of a numbering made when the counter had run out: no engine is built on it.
    pub(crate) const SPENT: Stamp = Stamp(0);

    /// A stamp no other engine of this process has, or `None` when every stamp was issued.
    pub(crate) fn fresh() -> Option<Stamp> {
        take(&NEXT_STAMP).map(Stamp)
    }
}

/// Takes the counter's value and advances it, refusing to wrap: once `u64::MAX` was issued,
/// every later call is `None`.
fn take(counter: &AtomicU64) -> Option<u64> {
    counter
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
            (n != 0).then(|| n.checked_add(1).unwrap_or(0))
        })
        .ok()
}

/// Sets the next engine stamp of this process, so a test can reach the end of the counter
/// without building 2^64 engines. Not part of the API: only for tests in their own process.
#[doc(hidden)]
pub fn set_next_stamp_for_tests(next: u64) {
    NEXT_STAMP.store(next.max(1), Ordering::Relaxed);
}

/// A device of one engine: obtained from [`crate::Engine::find_device`],
/// [`crate::Engine::device_ixs`] or a [`DeviceSet`], and only meaningful to the engine that
/// issued it (and its what-if siblings). Every query given a handle the engine does not hold
/// answers no (a deny, an empty set or `None`), never yes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeviceIx {
    ix: DeviceNo,
    stamp: Stamp,
}

impl DeviceIx {
    pub(crate) fn new(ix: DeviceNo, stamp: Stamp) -> DeviceIx {
        DeviceIx { ix, stamp }
    }

    /// The device's rank in resource-id order (`0..device_count`), for the caller's own
    /// per-device tables.
    pub fn index(self) -> u32 {
        self.ix
    }

    /// The engine that issued the handle.
    pub fn stamp(self) -> Stamp {
        self.stamp
    }

    /// The raw number, if the handle belongs to `stamp`.
    pub(crate) fn no(self, stamp: Stamp) -> Option<DeviceNo> {
        (self.stamp == stamp).then_some(self.ix)
    }
}

/// Resource id ↔ dense index, and index → position in `$.devices`.
#[derive(Debug, Clone)]
pub(crate) struct DeviceIndex {
    /// The stamp of the engine built on this numbering.
    stamp: Stamp,
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
            stamp: Stamp::fresh().unwrap_or(Stamp::SPENT),
            resource_ids,
            positions,
            base,
            table,
        }
    }

    /// The stamp of handles into this numbering.
    pub(crate) fn stamp(&self) -> Stamp {
        self.stamp
    }

    /// The dense index of a resource id.
    pub(crate) fn ix(&self, resource_id: u32) -> Option<DeviceNo> {
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
            .map(|i| i as DeviceNo)
    }

    /// The snapshot position of a device.
    pub(crate) fn position(&self, ix: DeviceNo) -> Option<usize> {
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

/// A set of devices of one engine: a compressed bitmap over dense device numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceSet {
    pub(crate) bits: RoaringBitmap,
    stamp: Stamp,
}

impl DeviceSet {
    /// An empty set of `stamp`'s devices.
    pub(crate) fn empty(stamp: Stamp) -> DeviceSet {
        DeviceSet::from_bits(RoaringBitmap::new(), stamp)
    }

    pub(crate) fn from_bits(bits: RoaringBitmap, stamp: Stamp) -> DeviceSet {
        DeviceSet { bits, stamp }
    }

    /// Whether the device is in the set (never for another engine's handle).
    ///
    /// ```
    /// use tenant_attach::{Engine, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let uploaded = engine.upload().uploaded();
    /// assert!(uploaded.contains(engine.find_device("CON-SRV-SQL01")?));
    /// assert!(!uploaded.contains(engine.find_device("CON-SRV-DC01")?));
    /// let other = Engine::from_json(sample::CONTOSO)?;
    /// assert!(!uploaded.contains(other.find_device("CON-SRV-SQL01")?)); // another engine's handle
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn contains(&self, device: DeviceIx) -> bool {
        device.no(self.stamp).is_some_and(|d| self.bits.contains(d))
    }

    /// Whether the raw device number is in the set.
    pub(crate) fn has(&self, d: DeviceNo) -> bool {
        self.bits.contains(d)
    }

    /// How many devices.
    pub fn len(&self) -> u64 {
        self.bits.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.bits.is_empty()
    }

    /// The devices in index order (which is resource-id order).
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let laptops = engine.collections().members(engine.find_collection("PS100012")?);
    /// let ids: Vec<u32> =
    ///     laptops.iter().filter_map(|d| engine.device(d)).map(|d| d.resource_id).collect();
    /// assert_eq!(ids, (16777309..=16777314).collect::<Vec<_>>()); // CON-LT-001 to CON-LT-006
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = DeviceIx> + '_ {
        let stamp = self.stamp;
        self.bits.iter().map(move |ix| DeviceIx::new(ix, stamp))
    }

    /// Whether every device of `self` is in `other` (sets of different engines: only when
    /// `self` is empty).
    ///
    /// ```
    /// use tenant_attach::{Engine, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let (uploaded, clients) = (engine.upload().uploaded(), engine.clients());
    /// assert!(uploaded.is_subset(clients)); // only clients are uploaded (R-U4)
    /// assert!(!clients.is_subset(uploaded));
    /// let other = Engine::from_json(sample::CONTOSO)?;
    /// assert!(!uploaded.is_subset(other.clients())); // another engine's set
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_subset(&self, other: &DeviceSet) -> bool {
        self.bits.is_empty() || (self.stamp == other.stamp && self.bits.is_subset(&other.bits))
    }

    /// Bytes this set takes when serialized (a proxy for its size in memory).
    pub fn serialized_size(&self) -> usize {
        self.bits.serialized_size()
    }

    /// The engine the set belongs to.
    pub fn stamp(&self) -> Stamp {
        self.stamp
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU64;

    use super::take;

    #[test]
    fn the_stamp_counter_refuses_to_wrap() {
        let counter = AtomicU64::new(u64::MAX - 1);
        assert_eq!(take(&counter), Some(u64::MAX - 1));
        assert_eq!(take(&counter), Some(u64::MAX));
        assert_eq!(
            take(&counter),
            None,
            "no stamp after u64::MAX: it would wrap to 1"
        );
        assert_eq!(take(&counter), None);
    }
}
