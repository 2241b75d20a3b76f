//! The Intune side: directory roles (R-I1), nested groups (R-I2), permissions (R-I3), merging
//! (R-I4), scope tags (R-I5, R-I7, R-S1..R-S3) and scope groups (R-I6), compiled into indexes.

use std::collections::HashMap;
use std::sync::Arc;

use fixedbitset::FixedBitSet;
use roaring::RoaringBitmap;

use crate::devices::{DeviceIndex, DeviceNo};
use crate::snapshot::{DEFAULT_SCOPE_TAG, Policy, Snapshot, UntaggedAssignment};

/// Interned permission strings.
#[derive(Debug, Clone, Default)]
pub(crate) struct Permissions {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Permissions {
    pub(crate) fn intern(&mut self, name: &str) -> u32 {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(name.to_owned(), id);
        self.names.push(name.to_owned());
        id
    }

    pub(crate) fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}

/// What an assignment's scope tags reach (R-I5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TagReach {
    /// Every object (an untagged assignment under `untagged_assignment = all_tags`).
    All,
    /// Objects carrying one of these tags (sorted tag numbers).
    Tags(Vec<u32>),
}

/// What an assignment's scope (Groups) covers (R-I6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cover {
    AllDevices,
    /// Devices in one of these groups (group numbers).
    Groups(Vec<u32>),
}

/// One compiled role assignment.
#[derive(Debug, Clone)]
pub(crate) struct Assignment {
    /// Position in `$.intune.role_assignments`.
    pub(crate) position: usize,
    /// Position of its role definition in `$.intune.role_definitions`.
    pub(crate) definition: Option<usize>,
    pub(crate) perms: FixedBitSet,
    pub(crate) tags: TagReach,
    /// Whether the assignment has no scope tags (the `untagged_assignment` knob decided).
    pub(crate) untagged: bool,
    pub(crate) cover: Cover,
}

/// Compressed rows: for each device, a short list of numbers.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rows {
    offsets: Vec<u32>,
    values: Vec<u32>,
}

impl Rows {
    fn push_row(&mut self, row: impl IntoIterator<Item = u32>) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        self.values.extend(row);
        self.offsets.push(self.values.len() as u32);
    }

    pub(crate) fn row(&self, i: DeviceNo) -> &[u32] {
        let (Some(a), Some(b)) = (
            self.offsets.get(i as usize),
            self.offsets.get(i as usize + 1),
        ) else {
            return &[];
        };
        self.values.get(*a as usize..*b as usize).unwrap_or(&[])
    }
}

/// The Intune side of a snapshot, indexed.
#[derive(Debug, Clone)]
pub(crate) struct IntuneIndex {
    pub(crate) perms: Permissions,
    pub(crate) assignments: Vec<Assignment>,
    /// For each group, the groups that list it as a member (R-I2 nesting, upward).
    pub(crate) group_parents: Vec<Vec<u32>>,
    /// For each user position, the groups that list the user directly.
    pub(crate) user_groups: Vec<Vec<u32>>,
    /// For each group, the assignments that list it as a member.
    pub(crate) group_assignments: Vec<Vec<u32>>,
    pub(crate) tag_names: Vec<String>,
    /// What each device carries, shared with the what-if indexes of the same devices.
    pub(crate) side: Arc<DeviceSide>,
}

/// The device side of the Intune index: what depends only on the devices, the scope tags'
/// ids and the groups' ids (all in order), so a what-if that changes none of them (an edit
/// of assignments, roles, memberships or licences) shares it.
#[derive(Debug)]
pub(crate) struct DeviceSide {
    /// The scope tags' ids and the groups' ids this was built for, in order.
    key: (Vec<String>, Vec<String>),
    /// Effective scope tags per device (R-S1): Default for tenant-attached devices (none
    /// when removed), the device's tags or Default for co-managed ones.
    pub(crate) device_tags: Rows,
    /// Devices per tag.
    pub(crate) tag_devices: Vec<RoaringBitmap>,
    /// Tenant-attached devices whose Default tag was removed (R-S2).
    pub(crate) tagless: RoaringBitmap,
    /// Scope groups per device.
    pub(crate) device_groups: Rows,
    /// Devices per group.
    pub(crate) group_devices: Vec<RoaringBitmap>,
    /// Co-managed devices (scope groups apply to them, R-I6).
    pub(crate) co_managed: RoaringBitmap,
}

impl DeviceSide {
    fn key(s: &Snapshot) -> (Vec<String>, Vec<String>) {
        (
            s.intune.scope_tags.iter().map(|t| t.id.clone()).collect(),
            s.entra.groups.iter().map(|g| g.id.clone()).collect(),
        )
    }

    /// Whether this was built for `s`'s scope tags and groups (its devices are the caller's
    /// to vouch for).
    fn fits(&self, s: &Snapshot) -> bool {
        self.key
            .0
            .iter()
            .eq(s.intune.scope_tags.iter().map(|t| &t.id))
            && self.key.1.iter().eq(s.entra.groups.iter().map(|g| &g.id))
    }
}

impl IntuneIndex {
    /// Compiles `s`'s Intune side. `same_devices`, when given, is an index built from a
    /// snapshot with the very same devices (the same [`crate::snapshot::Shared`] list and
    /// numbering): its device side is shared when the scope tags and groups have the same
    /// ids in the same order.
    pub(crate) fn build(
        s: &Snapshot,
        policy: &Policy,
        devices: &DeviceIndex,
        same_devices: Option<&IntuneIndex>,
    ) -> IntuneIndex {
        let mut perms = Permissions::default();
        let definitions: HashMap<&str, usize> = s
            .intune
            .role_definitions
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.as_str(), i))
            .collect();
        let definition_perms: Vec<Vec<u32>> = s
            .intune
            .role_definitions
            .iter()
            .map(|d| d.permissions.iter().map(|p| perms.intern(p)).collect())
            .collect();

        let mut tag_ix = HashMap::from([(String::from(DEFAULT_SCOPE_TAG), 0u32)]);
        let mut tag_names = vec![String::from("Default")];
        for t in &s.intune.scope_tags {
            if t.id == DEFAULT_SCOPE_TAG {
                if let Some(n) = tag_names.first_mut() {
                    n.clone_from(&t.name);
                }
            } else if !tag_ix.contains_key(&t.id) {
                tag_ix.insert(t.id.clone(), tag_names.len() as u32);
                tag_names.push(t.name.clone());
            }
        }

        let mut group_ix: HashMap<String, u32> = HashMap::with_capacity(s.entra.groups.len());
        for (i, g) in s.entra.groups.iter().enumerate() {
            group_ix.entry(g.id.clone()).or_insert(i as u32);
        }
        let user_ix: HashMap<&str, usize> = s
            .entra
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.as_str(), i))
            .collect();
        let mut group_parents = vec![Vec::new(); s.entra.groups.len()];
        let mut user_groups = vec![Vec::new(); s.entra.users.len()];
        for (gi, g) in s.entra.groups.iter().enumerate() {
            for m in &g.members {
                if let Some(child) = group_ix.get(m) {
                    if let Some(p) = group_parents.get_mut(*child as usize) {
                        p.push(gi as u32);
                    }
                } else if let Some(u) = user_ix.get(m.as_str())
                    && let Some(p) = user_groups.get_mut(*u)
                {
                    p.push(gi as u32);
                }
            }
        }

        let mut group_assignments = vec![Vec::new(); s.entra.groups.len()];
        let mut assignments = Vec::with_capacity(s.intune.role_assignments.len());
        for (ai, a) in s.intune.role_assignments.iter().enumerate() {
            let definition = definitions.get(a.role.as_str()).copied();
            let mut set = FixedBitSet::new();
            for p in definition
                .and_then(|d| definition_perms.get(d))
                .map_or(&[][..], Vec::as_slice)
            {
                set.grow(*p as usize + 1);
                set.insert(*p as usize);
            }
            let untagged = a.scope_tags.is_empty();
            let tags = if untagged {
                match policy.untagged_assignment {
                    UntaggedAssignment::AllTags => TagReach::All,
                    UntaggedAssignment::DefaultTag => TagReach::Tags(vec![0]),
                }
            } else {
                let mut t: Vec<u32> = a
                    .scope_tags
                    .iter()
                    .filter_map(|t| tag_ix.get(t).copied())
                    .collect();
                t.sort_unstable();
                t.dedup();
                TagReach::Tags(t)
            };
            let cover = if a.scope.covers_all_devices() {
                Cover::AllDevices
            } else {
                Cover::Groups(
                    a.scope
                        .groups
                        .iter()
                        .flatten()
                        .filter_map(|g| group_ix.get(g).copied())
                        .collect(),
                )
            };
            for m in &a.members {
                if let Some(g) = group_ix.get(m)
                    && let Some(list) = group_assignments.get_mut(*g as usize)
                {
                    list.push(ai as u32);
                }
            }
            assignments.push(Assignment {
                position: ai,
                definition,
                perms: set,
                tags,
                untagged,
                cover,
            });
        }

        let side = match same_devices {
            Some(prev) if prev.side.fits(s) => Arc::clone(&prev.side),
            _ => Arc::new(DeviceSide::build(s, devices, &tag_ix, &group_ix)),
        };
        IntuneIndex {
            perms,
            assignments,
            group_parents,
            user_groups,
            group_assignments,
            tag_names,
            side,
        }
    }
}

impl DeviceSide {
    fn build(
        s: &Snapshot,
        devices: &DeviceIndex,
        tag_ix: &HashMap<String, u32>,
        group_ix: &HashMap<String, u32>,
    ) -> DeviceSide {
        let n = devices.len();
        let tag_names_len = tag_ix.values().max().map_or(0, |m| *m as usize + 1);
        let mut device_tags = Rows::default();
        let mut device_groups = Rows::default();
        let mut tag_bits = vec![RoaringBitmap::new(); tag_names_len];
        let mut group_bits = vec![RoaringBitmap::new(); s.entra.groups.len()];
        let mut tagless = RoaringBitmap::new();
        let mut co_managed = RoaringBitmap::new();
        let mut row: Vec<u32> = Vec::new();
        for ix in 0..n as DeviceNo {
            let Some(d) = devices.position(ix).and_then(|p| s.devices.get(p)) else {
                device_tags.push_row([]);
                device_groups.push_row([]);
                continue;
            };
            row.clear();
            if d.co_managed {
                co_managed.insert(ix);
                row.extend(d.scope_tags.iter().filter_map(|t| tag_ix.get(t).copied()));
                if row.is_empty() {
                    row.push(0);
                }
            } else if d.scope_tags.iter().any(|t| t == DEFAULT_SCOPE_TAG) {
                row.push(0);
            }
            row.sort_unstable();
            row.dedup();
            if row.is_empty() {
                tagless.insert(ix);
            }
            for t in &row {
                if let Some(b) = tag_bits.get_mut(*t as usize) {
                    b.insert(ix);
                }
            }
            device_tags.push_row(row.iter().copied());
            row.clear();
            row.extend(
                d.scope_groups
                    .iter()
                    .filter_map(|g| group_ix.get(g).copied()),
            );
            row.sort_unstable();
            row.dedup();
            for g in &row {
                if let Some(b) = group_bits.get_mut(*g as usize) {
                    b.insert(ix);
                }
            }
            device_groups.push_row(row.iter().copied());
        }
        DeviceSide {
            key: DeviceSide::key(s),
            device_tags,
            tag_devices: tag_bits,
            tagless,
            device_groups,
            group_devices: group_bits,
            co_managed,
        }
    }
}

impl IntuneIndex {
    /// R-I5: whether tags reach the device (its effective tags intersect).
    pub(crate) fn reaches(&self, tags: &TagReach, d: DeviceNo) -> bool {
        match tags {
            TagReach::All => !self.side.tagless.contains(d),
            TagReach::Tags(t) => self
                .side
                .device_tags
                .row(d)
                .iter()
                .any(|dt| t.binary_search(dt).is_ok()),
        }
    }

    /// R-I6: whether a scope covers the device.
    pub(crate) fn covers(&self, cover: &Cover, d: DeviceNo) -> bool {
        match cover {
            Cover::AllDevices => true,
            Cover::Groups(gs) => self
                .side
                .device_groups
                .row(d)
                .iter()
                .any(|g| gs.contains(g)),
        }
    }

    /// The devices tags reach.
    pub(crate) fn reach_set(&self, tags: &TagReach, all: &RoaringBitmap) -> RoaringBitmap {
        match tags {
            TagReach::All => all - &self.side.tagless,
            TagReach::Tags(t) => {
                let mut out = RoaringBitmap::new();
                for tag in t {
                    if let Some(s) = self.side.tag_devices.get(*tag as usize) {
                        out |= s;
                    }
                }
                out
            }
        }
    }

    /// The devices a scope covers.
    pub(crate) fn cover_set(&self, cover: &Cover, all: &RoaringBitmap) -> RoaringBitmap {
        match cover {
            Cover::AllDevices => all.clone(),
            Cover::Groups(gs) => {
                let mut out = RoaringBitmap::new();
                for g in gs {
                    if let Some(s) = self.side.group_devices.get(*g as usize) {
                        out |= s;
                    }
                }
                out
            }
        }
    }

    /// The name of a tag number.
    pub(crate) fn tag_name(&self, t: u32) -> &str {
        self.tag_names.get(t as usize).map_or("", String::as_str)
    }
}
