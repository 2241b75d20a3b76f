//! Candidate edits for the ConfigMgr side (R-G3, R-G4, R-G6): AD group membership, role
//! operations, collections of an administrative user, direct rules.

use crate::decision::ReasonCode;
use crate::engine::Engine;
use crate::features::{Operation, Requirement};
use crate::snapshot::{AssociationMode, EntraUser};

use super::candidates::{
    PER_KIND, Question, admin_roles, configmgr_features, editable_collection, editable_role,
    mapped_admins,
};
use super::vocabulary::{Op, builtin_configmgr_role};

pub(crate) fn candidates(
    engine: &Engine,
    q: &Question,
    user: &EntraUser,
    code: ReasonCode,
    out: &mut Vec<Op>,
) {
    let s = engine.snapshot();
    let rows: Vec<Requirement> = configmgr_features(engine, q.feature)
        .iter()
        .map(|f| f.requirement(engine.policy()))
        .collect();
    let mut ops: Vec<Operation> = rows.iter().flat_map(|r| r.configmgr.clone()).collect();
    ops.sort_unstable();
    ops.dedup();
    let mut classes: Vec<_> = rows.iter().flat_map(|r| r.classes.clone()).collect();
    classes.sort_unstable();
    classes.dedup();
    let mapped = mapped_admins(s, user);
    let role = |id: &str| s.configmgr.roles.iter().find(|r| r.id == id);
    match code {
        ReasonCode::ConfigmgrPermissionMissing => {
            let device = engine.device_by_resource_id(q.resource_id);
            // The smallest collections holding the device: least privilege first.
            let mut holding: Vec<(u64, &str)> = Vec::new();
            if let Some(d) = device {
                let graph = engine.collections();
                for c in graph.in_id_order() {
                    let members = graph.members(c);
                    if members.contains(d)
                        && let Some(id) = graph.id(c)
                    {
                        holding.push((members.len(), id));
                    }
                }
            }
            holding.sort_unstable();
            for a in &mapped {
                for r in admin_roles(a) {
                    let Some(role) = role(r).filter(|x| editable_role(s, &x.id)) else {
                        continue;
                    };
                    for op in ops
                        .iter()
                        .filter(|o| !role.collection_operations.contains(o))
                    {
                        out.push(Op::RoleOperation {
                            role: role.id.clone(),
                            op: *op,
                        });
                    }
                }
                let pairs: Vec<Option<String>> = match a.association_mode {
                    AssociationMode::CrossProduct => vec![None],
                    AssociationMode::Specific => a
                        .associations
                        .iter()
                        .map(|x| Some(x.role.clone()))
                        .collect(),
                };
                for pair in pairs {
                    let held: &[String] = match &pair {
                        None => &a.collections,
                        Some(r) => a
                            .associations
                            .iter()
                            .find(|x| &x.role == r)
                            .map_or(&[], |x| x.collections.as_slice()),
                    };
                    for (_, c) in holding
                        .iter()
                        .filter(|(_, c)| !held.iter().any(|h| h == c))
                        .take(PER_KIND)
                    {
                        out.push(Op::AdminCollection {
                            admin: a.id,
                            role: pair.clone(),
                            collection: (*c).to_owned(),
                        });
                    }
                    for c in held
                        .iter()
                        .filter(|c| editable_collection(s, c))
                        .take(PER_KIND)
                    {
                        out.push(Op::DeviceToCollection {
                            collection: c.clone(),
                            resource_id: q.resource_id,
                        });
                    }
                }
            }
            other_admins(engine, user, &mapped, out);
        }
        ReasonCode::ConfigmgrClassPermissionMissing => {
            for a in &mapped {
                let roles: Vec<&str> = a
                    .roles
                    .iter()
                    .map(String::as_str)
                    .chain(admin_roles(a))
                    .collect();
                for r in roles {
                    let Some(role) = role(r).filter(|x| editable_role(s, &x.id)) else {
                        continue;
                    };
                    for (class, op) in &classes {
                        let held = role
                            .class_operations
                            .get(class)
                            .is_some_and(|v| v.contains(op));
                        if !held {
                            out.push(Op::RoleClassOperation {
                                role: role.id.clone(),
                                class: *class,
                                op: *op,
                            });
                        }
                    }
                }
            }
            other_admins(engine, user, &mapped, out);
        }
        ReasonCode::ConfigmgrAdminMissing => other_admins(engine, user, &mapped, out),
        _ => {}
    }
}

/// Join the AD group of another group administrative user (R-G3): admins without Full
/// Administrator first (least privilege), then by id.
fn other_admins(
    engine: &Engine,
    user: &EntraUser,
    mapped: &[&crate::snapshot::ConfigMgrAdmin],
    out: &mut Vec<Op>,
) {
    if user.on_premises_sid.is_none() {
        return;
    }
    let s = engine.snapshot();
    let mut others: Vec<(bool, usize, u32)> = s
        .configmgr
        .admins
        .iter()
        .filter(|a| a.is_group && !mapped.iter().any(|m| m.id == a.id))
        .map(|a| {
            let roles = admin_roles(a);
            (
                roles
                    .iter()
                    .any(|r| builtin_configmgr_role(r) && r.ends_with("0001R")),
                roles.len() + a.collections.len(),
                a.id,
            )
        })
        .collect();
    others.sort_unstable();
    for (_, _, id) in others.into_iter().take(PER_KIND) {
        out.push(Op::AdGroup {
            admin: id,
            user: user.id.clone(),
        });
    }
}
