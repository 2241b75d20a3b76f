//! From a denied decision's failed conditions to the edits of the vocabulary that can meet
//! them: each [`ReasonCode`] maps to its edits, read off the snapshot of the engine that
//! decided. Candidates are guesses; the search proves them with the engine.

use crate::decision::{Decision, Mode, ReasonCode};
use crate::engine::Engine;
use crate::features::Feature;
use crate::snapshot::{AssociationMode, ConfigMgrAdmin, DiscoveryAgent, EntraUser, Snapshot};

use super::vocabulary::{Op, builtin_collection, builtin_configmgr_role};

/// At most this many candidates per failed condition and per kind of edit, least privilege
/// first (the search is bounded by it).
pub(crate) const PER_KIND: usize = 3;

/// The question, by stable keys (valid in every what-if engine).
#[derive(Debug, Clone)]
pub(crate) struct Question {
    pub(crate) user_id: String,
    pub(crate) resource_id: u32,
    pub(crate) feature: Feature,
}

/// Whether no edit of the vocabulary can meet a failed condition of this code on `engine`.
pub(crate) fn unfixable(engine: &Engine, q: &Question, code: ReasonCode) -> bool {
    match code {
        ReasonCode::FeatureUnavailable => engine.snapshot().hierarchy.version >= since(engine, q),
        ReasonCode::UnknownHandle
        | ReasonCode::NotAttached
        | ReasonCode::UploadUnsupportedCloud
        | ReasonCode::NotUploadedNoClient
        | ReasonCode::MissingDefaultScopeTag
        | ReasonCode::SmsProviderMfa
        | ReasonCode::CloudOnlyAccount
        | ReasonCode::NoRunnableScript => true,
        _ => false,
    }
}

/// The first site version with the feature and `view` (R-F0, R-F3).
fn since(engine: &Engine, q: &Question) -> u32 {
    let p = engine.policy();
    q.feature
        .requirement(p)
        .since
        .max(Feature::View.requirement(p).since)
}

/// The Intune permissions the question needs in the engine's mode (the feature's and view's).
fn intune_perms(engine: &Engine, f: Feature) -> Vec<String> {
    let p = engine.policy();
    let mut out = Vec::new();
    for r in [Feature::View.requirement(p), f.requirement(p)] {
        out.extend(match engine.mode() {
            Mode::Combined => r.intune_combined,
            _ => r.intune_only,
        });
    }
    out.sort();
    out.dedup();
    out
}

fn gates_view(engine: &Engine, f: Feature) -> Vec<Feature> {
    if engine.policy().configmgr_gates_view && f != Feature::View {
        vec![Feature::View, f]
    } else {
        vec![f]
    }
}

/// The candidate edits for the first failed condition of `decision` (in evaluation order),
/// deduplicated, in a stable order. Every failed condition must be met by some edit, so a
/// change set is searched one condition at a time (a cartesian product of the conditions'
/// candidates, each condition as the edits before it leave it): what fixes the first is
/// tried first, and what it reveals (a chain that stopped, R-G1..R-G3) comes next.
pub(crate) fn candidates(engine: &Engine, q: &Question, decision: &Decision) -> Vec<Op> {
    let s = engine.snapshot();
    let Some(user) = s.entra.users.iter().find(|u| u.id == q.user_id) else {
        return Vec::new();
    };
    let mut out: Vec<Op> = Vec::new();
    for code in decision.codes().take(1) {
        match code {
            ReasonCode::FeatureUnavailable if !unfixable(engine, q, code) => {
                out.push(Op::UpgradeSite {
                    version: since(engine, q),
                });
            }
            ReasonCode::ScriptsFeatureDisabled => out.push(Op::ScriptsFeature),
            ReasonCode::NotUploadedOutOfScope => {
                if let Some(c) = &s.hierarchy.attach.upload.collection {
                    out.push(Op::UploadDevice {
                        collection: c.clone(),
                        resource_id: q.resource_id,
                    });
                }
            }
            ReasonCode::ClientVersionTooOld => {
                let p = engine.policy();
                let v = [q.feature, Feature::View]
                    .iter()
                    .filter_map(|f| f.requirement(p).client_since)
                    .max();
                if let Some(version) = v {
                    out.push(Op::UpgradeClient {
                        resource_id: q.resource_id,
                        version,
                    });
                }
            }
            ReasonCode::NoIntuneLicense => out.push(Op::Licence {
                user: user.id.clone(),
            }),
            ReasonCode::UnlicensedNestedMembership => {
                out.push(Op::Licence {
                    user: user.id.clone(),
                });
                if let Some((_, lost)) = engine
                    .find_user(&q.user_id)
                    .ok()
                    .and_then(|u| engine.licence_block(u))
                {
                    for a in lost
                        .iter()
                        .filter_map(|a| s.intune.role_assignments.get(*a))
                    {
                        if let Some(g) = a.members.first() {
                            out.push(Op::GroupMember {
                                group: g.clone(),
                                user: user.id.clone(),
                            });
                        }
                    }
                }
            }
            ReasonCode::NoIntuneRole
            | ReasonCode::IntunePermissionMissing
            | ReasonCode::ScopeTagMismatch
            | ReasonCode::ScopeGroupMismatch => intune(engine, q, user, code, &mut out),
            ReasonCode::NotDiscovered => {
                if let Some(sid) = &user.on_premises_sid {
                    for agent in [DiscoveryAgent::Ad, DiscoveryAgent::Entra] {
                        let found = s.configmgr.users.iter().any(|d| {
                            d.sid.eq_ignore_ascii_case(sid) && d.discovered_by.contains(&agent)
                        });
                        if !found {
                            out.push(Op::Discovery {
                                sid: sid.clone(),
                                agent,
                            });
                        }
                    }
                }
            }
            ReasonCode::ConfigmgrAdminMissing
            | ReasonCode::ConfigmgrPermissionMissing
            | ReasonCode::ConfigmgrClassPermissionMissing => {
                super::configmgr::candidates(engine, q, user, code, &mut out);
            }
            _ => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|op| seen.insert(op.clone()));
    out
}

/// Whether an Intune role definition holds every permission of `perms`.
fn role_holds(s: &Snapshot, role: &str, perms: &[String]) -> bool {
    s.intune
        .role_definitions
        .iter()
        .find(|r| r.id == role)
        .is_some_and(|r| {
            perms
                .iter()
                .all(|p| r.permissions.iter().any(|x| x.eq_ignore_ascii_case(p)))
        })
}

fn intune(engine: &Engine, q: &Question, user: &EntraUser, code: ReasonCode, out: &mut Vec<Op>) {
    let s = engine.snapshot();
    let perms = intune_perms(engine, q.feature);
    let mine: Vec<usize> = engine
        .find_user(&q.user_id)
        .map(|u| engine.assignments_of(u))
        .unwrap_or_default();
    let device = s.devices.iter().find(|d| d.resource_id == q.resource_id);
    let tags: Vec<String> = device.map(|d| d.scope_tags.clone()).unwrap_or_default();
    match code {
        ReasonCode::IntunePermissionMissing => {
            // Add the missing permissions to the custom roles the user already holds.
            for a in mine
                .iter()
                .filter_map(|a| s.intune.role_assignments.get(*a))
            {
                let Some(def) = s
                    .intune
                    .role_definitions
                    .iter()
                    .find(|r| r.id == a.role && !r.built_in)
                else {
                    continue;
                };
                for p in perms
                    .iter()
                    .filter(|p| !def.permissions.iter().any(|x| x.eq_ignore_ascii_case(p)))
                {
                    out.push(Op::RolePermission {
                        role: def.id.clone(),
                        permission: p.clone(),
                    });
                }
            }
        }
        ReasonCode::ScopeTagMismatch => {
            for a in mine
                .iter()
                .filter_map(|a| s.intune.role_assignments.get(*a))
            {
                for t in tags.iter().filter(|t| !a.scope_tags.contains(t)) {
                    out.push(Op::AssignmentTag {
                        assignment: a.id.clone(),
                        tag: t.clone(),
                    });
                }
            }
        }
        ReasonCode::ScopeGroupMismatch => {
            for a in mine
                .iter()
                .filter_map(|a| s.intune.role_assignments.get(*a))
            {
                for g in a.scope.groups.iter().flatten().take(PER_KIND) {
                    out.push(Op::ScopeGroup {
                        group: g.clone(),
                        resource_id: q.resource_id,
                    });
                }
            }
        }
        _ => {}
    }
    // Or join another assignment that holds every permission (R-I2): least privilege first
    // (the role with the fewest permissions, then the assignment's id).
    let mut others: Vec<(usize, &str, &str)> = s
        .intune
        .role_assignments
        .iter()
        .enumerate()
        .filter(|(i, a)| !mine.contains(i) && role_holds(s, &a.role, &perms))
        .filter(|(_, a)| {
            code != ReasonCode::ScopeTagMismatch || a.scope_tags.iter().any(|t| tags.contains(t))
        })
        .filter_map(|(_, a)| {
            let n = s
                .intune
                .role_definitions
                .iter()
                .find(|r| r.id == a.role)
                .map_or(usize::MAX, |r| r.permissions.len());
            a.members.first().map(|g| (n, a.id.as_str(), g.as_str()))
        })
        .collect();
    others.sort_unstable();
    others.truncate(PER_KIND);
    // With no role at all, joining an assignment of a custom role whose permissions can be
    // added next (R-I3) is a way too: the roles with the fewest permissions first.
    if code == ReasonCode::NoIntuneRole {
        let mut custom: Vec<(usize, &str, &str)> = s
            .intune
            .role_assignments
            .iter()
            .filter_map(|a| {
                let def = s
                    .intune
                    .role_definitions
                    .iter()
                    .find(|r| r.id == a.role && !r.built_in)?;
                Some((
                    def.permissions.len(),
                    a.id.as_str(),
                    a.members.first()?.as_str(),
                ))
            })
            .collect();
        custom.sort_unstable();
        others.extend(custom.into_iter().take(PER_KIND - 1));
    }
    let mut picked: Vec<&str> = Vec::new();
    for (_, _, g) in others {
        if !picked.contains(&g) {
            picked.push(g);
            out.push(Op::GroupMember {
                group: g.to_owned(),
                user: user.id.clone(),
            });
        }
    }
}

/// The administrative users the user maps to (R-G3): its own SID, or one of its groups'.
pub(crate) fn mapped_admins<'s>(s: &'s Snapshot, user: &EntraUser) -> Vec<&'s ConfigMgrAdmin> {
    s.configmgr
        .admins
        .iter()
        .filter(|a| {
            if a.is_group {
                user.on_premises_group_sids
                    .iter()
                    .any(|g| g.eq_ignore_ascii_case(&a.sid))
            } else {
                user.on_premises_sid
                    .as_deref()
                    .is_some_and(|sid| sid.eq_ignore_ascii_case(&a.sid))
            }
        })
        .collect()
}

/// The roles of an admin that pair with collections (R-G4): `roles`, or the associations'.
pub(crate) fn admin_roles(a: &ConfigMgrAdmin) -> Vec<&str> {
    match a.association_mode {
        AssociationMode::CrossProduct => a.roles.iter().map(String::as_str).collect(),
        AssociationMode::Specific => a.associations.iter().map(|x| x.role.as_str()).collect(),
    }
}

/// The features whose ConfigMgr rows the question needs (`view`'s when it gates).
pub(crate) fn configmgr_features(engine: &Engine, f: Feature) -> Vec<Feature> {
    gates_view(engine, f)
}

/// Whether a collection may take a direct rule (not built in, a device collection).
pub(crate) fn editable_collection(s: &Snapshot, id: &str) -> bool {
    !builtin_collection(id)
        && s.collections
            .iter()
            .any(|c| c.id == id && c.kind == crate::snapshot::CollectionType::Device)
}

/// Whether a ConfigMgr role may be edited (custom, present).
pub(crate) fn editable_role(s: &Snapshot, id: &str) -> bool {
    !builtin_configmgr_role(id) && s.configmgr.roles.iter().any(|r| r.id == id)
}
