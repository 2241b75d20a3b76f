//! Which RBAC applies (R-M1).

use crate::decision::Mode;
use crate::snapshot::Snapshot;

/// The first version with the option to clear *Enforce Configuration Manager RBAC*.
pub const INTUNE_ONLY_SINCE: u32 = 2207;

/// R-M1: `intune_only` iff the version is 2207 or later, the enforce box is cleared and the
/// tenant's *Use Intune RBAC* toggle is on; `combined` otherwise.
pub fn mode(snapshot: &Snapshot) -> Mode {
    mode_with(snapshot, snapshot.hierarchy.attach.enforce_configmgr_rbac)
}

/// R-M1 with the *Enforce Configuration Manager RBAC* box set to `enforce` (what-if).
pub fn mode_with(snapshot: &Snapshot, enforce: bool) -> Mode {
    let h = &snapshot.hierarchy;
    if h.version >= INTUNE_ONLY_SINCE && !enforce && snapshot.tenant.use_intune_rbac {
        Mode::IntuneOnly
    } else {
        Mode::Combined
    }
}
