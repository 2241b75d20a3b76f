//! When two access indexes of the same devices decide alike for a user, without deciding:
//! what lets a what-if's [`crate::diff()`] skip the users an edit did not touch.

use std::sync::Arc;

use super::{Access, Profile, UserNo};

impl Access {
    /// Whether every engine-wide input of [`Access::visible`] and [`Access::allows`] is the
    /// same in `other`: the mode, the merge and tag knobs, the compiled requirements (with
    /// their interned permission numbers), what the reader roles hold, and the very same
    /// device side of the Intune index (the same devices, scope tags and groups). The upload
    /// scope and the collection memberships are the caller's to compare.
    pub(crate) fn same_rules(&self, other: &Access) -> bool {
        self.mode == other.mode
            && self.merge == other.merge
            && self.check_tags == other.check_tags
            && self.scope_groups_on_attached == other.scope_groups_on_attached
            && Arc::ptr_eq(&self.intune.side, &other.intune.side)
            && self.all_devices == other.all_devices
            && self.requirements == other.requirements
            && self.reader_perms == other.reader_perms
    }

    /// Whether user `a` here and user `b` in `other` hold the same: the same directory or
    /// reader role, merged permissions and tags, discoveries and ConfigMgr grants (the
    /// mapped admins aside: only what they grant decides), and applicable assignments with
    /// the same permissions, tags and scope groups, in the same order. With
    /// [`Access::same_rules`] and the same memberships and upload scope, the two decide alike
    /// on every device and feature. Conservative: `false` may still decide alike.
    pub(crate) fn same_user(&self, a: UserNo, other: &Access, b: UserNo) -> bool {
        let (Some(p), Some(q)) = (
            self.profiles.get(a as usize),
            other.profiles.get(b as usize),
        ) else {
            return false;
        };
        same_profile(p, q)
            && p.assignments.len() == q.assignments.len()
            && p.assignments.iter().zip(&q.assignments).all(|(x, y)| {
                match (
                    self.intune.assignments.get(*x as usize),
                    other.intune.assignments.get(*y as usize),
                ) {
                    (Some(x), Some(y)) => {
                        x.perms == y.perms && x.tags == y.tags && x.cover == y.cover
                    }
                    _ => false,
                }
            })
    }
}

fn same_profile(p: &Profile, q: &Profile) -> bool {
    p.directory_role == q.directory_role
        && p.reader == q.reader
        && p.perms == q.perms
        && p.reach == q.reach
        && p.discovery == q.discovery
        && match (&p.configmgr, &q.configmgr) {
            (Ok(g), Ok(h)) => {
                g.by_op == h.by_op
                    && g.classes == h.classes
                    && g.runnable_script == h.runnable_script
            }
            (Err(x), Err(y)) => x == y,
            _ => false,
        }
}
