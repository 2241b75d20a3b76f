//! Which role assignments apply to a user (R-I2), given the user's Intune licence and the
//! tenant's *Allow access to unlicensed admins* setting (R-I8, rulebook 3); and what the Entra
//! reader roles hold (R-I1, rulebook 3).

use fixedbitset::FixedBitSet;

use super::intune::{IntuneIndex, Permissions};
use crate::features::MANAGED_DEVICES_READ;
use crate::snapshot::{DirectoryRole, EntraRoles, EntraUser, LicenceUnknown, Policy, Snapshot};

/// The name of the built-in role definition a Helpdesk Administrator stands for under
/// `entra_roles = helpdesk_as_operator` (R-I1).
pub const HELP_DESK_OPERATOR: &str = "Help Desk Operator";

/// R-I8: how a user's licence decides which assignments apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum LicenceCase {
    /// Licensed (or read as licensed): every assignment reached directly or through nested
    /// groups applies (R-I2).
    Licensed,
    /// Unlicensed, and the tenant does not allow unlicensed admins: none applies.
    Refused,
    /// Unlicensed, and the tenant allows unlicensed admins: direct memberships only.
    DirectOnly,
}

/// The assignments that apply to one user, and why the others do not.
#[derive(Debug, Clone)]
pub(crate) struct Membership {
    /// The assignments that apply (sorted).
    pub(crate) effective: Vec<u32>,
    /// The rest, unless the user is licensed as the snapshot says (the usual case).
    pub(crate) note: Option<Box<LicenceNote>>,
}

/// Why a user's licence keeps assignments from applying, or rests on `licence_unknown`.
#[derive(Debug, Clone)]
pub(crate) struct LicenceNote {
    /// Whether any assignment reaches the user at all, directly or nested (R-I2).
    pub(crate) reached: bool,
    pub(crate) case: LicenceCase,
    /// Under `DirectOnly`: the assignments reached only through nested groups (sorted).
    pub(crate) nested_only: Vec<u32>,
    /// Whether the snapshot does not give the licence and the other reading of
    /// `licence_unknown` would change `effective` (R-I8 is then listed as not evaluated).
    pub(crate) unknown_matters: bool,
}

/// R-I2, R-I8: the assignments that apply to user `u`. `stamp` is scratch space of one slot
/// per group, shared across users.
pub(crate) fn membership(
    intune: &IntuneIndex,
    s: &Snapshot,
    policy: &Policy,
    u: usize,
    stamp: &mut [u32],
) -> Membership {
    let all = nested(intune, u, stamp);
    let user = s.entra.users.get(u);
    let known = user.and_then(|x| x.intune_licensed);
    let licensed = known.unwrap_or(policy.licence_unknown == LicenceUnknown::Licensed);
    let full_admin = user.is_some_and(|x| x.directory_roles.iter().any(|r| r.is_intune_admin()));
    let allowed = s.tenant.unlicensed_admins;
    let reached = !all.is_empty();
    // Only computed where it can matter: unlicensed admins allowed and some assignment reached.
    let direct_differs = |direct: &[u32]| direct.len() != all.len();
    if licensed {
        let unknown_matters = known.is_none()
            && !full_admin
            && reached
            && (!allowed || direct_differs(&direct(intune, u)));
        // A licensed user needs a note only where the licence is unknown and that matters
        // (without one, `reached` is "has assignments", as it is when licensed).
        let note = unknown_matters.then(|| {
            Box::new(LicenceNote {
                reached,
                case: LicenceCase::Licensed,
                nested_only: Vec::new(),
                unknown_matters,
            })
        });
        return Membership {
            effective: all,
            note,
        };
    }
    let unknown_matters = known.is_none() && !full_admin && reached;
    if !allowed {
        return Membership {
            effective: Vec::new(),
            note: Some(Box::new(LicenceNote {
                reached,
                case: LicenceCase::Refused,
                nested_only: Vec::new(),
                unknown_matters,
            })),
        };
    }
    let effective = direct(intune, u);
    let nested_only: Vec<u32> = all
        .iter()
        .copied()
        .filter(|a| effective.binary_search(a).is_err())
        .collect();
    Membership {
        note: Some(Box::new(LicenceNote {
            unknown_matters: unknown_matters && !nested_only.is_empty(),
            reached,
            case: LicenceCase::DirectOnly,
            nested_only,
        })),
        effective,
    }
}

/// R-I2: the assignments whose member groups hold the user, directly or through nesting
/// (cycles tolerated: each group is visited once, marked with the user's number).
pub(crate) fn nested(intune: &IntuneIndex, u: usize, stamp: &mut [u32]) -> Vec<u32> {
    let mut out = Vec::new();
    let mut stack: Vec<u32> = intune.user_groups.get(u).cloned().unwrap_or_default();
    while let Some(g) = stack.pop() {
        match stamp.get_mut(g as usize) {
            Some(s) if *s != u as u32 => *s = u as u32,
            _ => continue,
        }
        out.extend(
            intune
                .group_assignments
                .get(g as usize)
                .into_iter()
                .flatten(),
        );
        stack.extend(intune.group_parents.get(g as usize).into_iter().flatten());
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// R-I8: the assignments of the groups that list the user in their own members.
pub(crate) fn direct(intune: &IntuneIndex, u: usize) -> Vec<u32> {
    let mut out: Vec<u32> = intune
        .user_groups
        .get(u)
        .into_iter()
        .flatten()
        .flat_map(|g| {
            intune
                .group_assignments
                .get(*g as usize)
                .into_iter()
                .flatten()
        })
        .copied()
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// R-I8's explanation: the groups from one of the user's own groups up to a member group of
/// assignment `a` (the shortest such path), as group positions.
pub(crate) fn nesting_path(intune: &IntuneIndex, u: usize, a: u32) -> Vec<u32> {
    let starts = intune.user_groups.get(u).map_or(&[][..], Vec::as_slice);
    let mut parent: std::collections::HashMap<u32, Option<u32>> =
        starts.iter().map(|g| (*g, None)).collect();
    let mut queue: std::collections::VecDeque<u32> = starts.iter().copied().collect();
    while let Some(g) = queue.pop_front() {
        if intune
            .group_assignments
            .get(g as usize)
            .is_some_and(|list| list.contains(&a))
        {
            let mut path = vec![g];
            let mut at = g;
            while let Some(Some(p)) = parent.get(&at) {
                path.push(*p);
                at = *p;
            }
            path.reverse();
            return path;
        }
        for p in intune.group_parents.get(g as usize).into_iter().flatten() {
            if !parent.contains_key(p) {
                parent.insert(*p, Some(g));
                queue.push_back(*p);
            }
        }
    }
    Vec::new()
}

/// R-I1 (rulebook 3): the reader role a user's Intune access rests on, if the user holds no
/// Global or Intune Administrator role: the strongest of its other Entra roles, under
/// `entra_roles` (`admins_only` counts none).
pub(crate) fn reader_role(user: &EntraUser, policy: &Policy) -> Option<DirectoryRole> {
    if policy.entra_roles == EntraRoles::AdminsOnly
        || user.directory_roles.iter().any(|r| r.is_intune_admin())
    {
        return None;
    }
    user.directory_roles.iter().min().copied()
}

/// R-I1 (rulebook 3): what a reader role holds, unlimited by scope tags and groups: `view`'s
/// permission, and under `helpdesk_as_operator` a Helpdesk Administrator also every
/// permission of the built-in *Help Desk Operator* role definitions.
pub(crate) fn reader_permissions(
    role: DirectoryRole,
    s: &Snapshot,
    policy: &Policy,
    perms: &mut Permissions,
) -> FixedBitSet {
    let mut ids = vec![perms.intern(MANAGED_DEVICES_READ)];
    if role == DirectoryRole::HelpdeskAdministrator
        && policy.entra_roles == EntraRoles::HelpdeskAsOperator
    {
        for d in s
            .intune
            .role_definitions
            .iter()
            .filter(|d| d.built_in && d.name == HELP_DESK_OPERATOR)
        {
            ids.extend(d.permissions.iter().map(|p| perms.intern(p)));
        }
    }
    let mut set = FixedBitSet::new();
    for id in ids {
        set.grow(id as usize + 1);
        set.insert(id as usize);
    }
    set
}
