//! The tenant-attach rulebook translated into Cedar, for a differential check against an
//! engine written by others and for a side-by-side benchmark.
//!
//! # The translation
//!
//! Cedar decides one request at a time from entities and policies. The rulebook needs an
//! existential over assignments ("some assignment holds the permission *and* reaches the
//! device"), which Cedar policies cannot quantify over entities; so identity is resolved by
//! the entity loader, as a Cedar deployment would do, and Cedar decides everything about the
//! device:
//!
//! - `User` entities carry, computed here straight from the snapshot (nested groups with
//!   cycles, R-I2; unions per R-I4 `merged` or per permission for `scoped`):
//!   `intune_all` (R-I1), `has_assignment`, `reach` (permission → `{all, tags}`: the scope tags
//!   under which the permission applies), `cover` (permission → `{all, groups}`: the scope groups
//!   of the assignments holding it, R-I6), `cm_ok` (R-G1..R-G3 hold) and `cm` (operation → set of
//!   `Collection` entities where an association grants it, R-G4/R-G5).
//! - `Device` entities have their collections (evaluated membership, R-C1, which Cedar cannot
//!   compute: excludes) and their scope groups as parents, and attributes `uploaded` (R-U),
//!   `tagless` (R-S2), `tags` (effective tags, R-S1) and `co_managed`.
//! - One `permit` policy per feature (R-F0..R-F2), generated from the requirement table and the
//!   knobs: `resource.uploaded && !resource.tagless && <Intune> && <scope groups> && <ConfigMgr>`,
//!   with `resource in principal.cm["read"]` for each operation.
//!
//! Users who prefer Cedar can keep this shape: the policy text is printed by
//! [`CedarWorld::policy_text`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cedar_policy::{
    Authorizer, Context, Decision, Entities, EntityId, EntityTypeName, EntityUid, PolicySet,
    Request,
};
use serde_json::{Value, json};
use tenant_attach::snapshot::{
    AssociationMode, DiscoveryAgent, DiscoveryRequired, PermissionMerge, Snapshot,
    UntaggedAssignment,
};
use tenant_attach::{Engine, Feature, Mode};

/// A snapshot in Cedar's terms.
pub struct CedarWorld {
    pub policies: PolicySet,
    pub policy_text: String,
    pub entities: Entities,
    authorizer: Authorizer,
}

fn uid(kind: &str, id: &str) -> EntityUid {
    let t: EntityTypeName = kind.parse().expect("entity type names are constants");
    EntityUid::from_type_name_and_id(t, EntityId::new(id))
}

fn entity_ref(kind: &str, id: &str) -> Value {
    json!({"__entity": {"type": kind, "id": id}})
}

fn cedar_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl CedarWorld {
    /// The Cedar policy text.
    pub fn policy_text(&self) -> &str {
        &self.policy_text
    }

    /// Whether Cedar allows `user` (Entra id) to use `feature` on device `resource_id`.
    pub fn allows(&self, user: &str, resource_id: u32, feature: Feature) -> bool {
        let request = Request::new(
            uid("User", user),
            uid("Action", feature.as_str()),
            uid("Device", &resource_id.to_string()),
            Context::empty(),
            None,
        )
        .expect("requests without a schema always build");
        self.authorizer
            .is_authorized(&request, &self.policies, &self.entities)
            .decision()
            == Decision::Allow
    }

    /// Translates an engine's snapshot (membership and upload come from the engine: data).
    pub fn translate(engine: &Engine) -> CedarWorld {
        let s = engine.snapshot();
        let policy_text = policies(engine);
        let policies: PolicySet = policy_text.parse().expect("generated policies parse");
        let entities = Entities::from_json_value(Value::Array(entities(engine, s)), None)
            .expect("generated entities load");
        CedarWorld {
            policies,
            policy_text,
            entities,
            authorizer: Authorizer::new(),
        }
    }
}

/// The requirement of a feature in the engine's mode: (Intune permissions, acting permissions,
/// ConfigMgr operations), typed from the rulebook's table with the snapshot's overrides.
fn requirement(s: &Snapshot, mode: Mode, f: Feature) -> (Vec<String>, Vec<String>, Vec<String>) {
    let row = |f: Feature| {
        let r = f.requirement(&s.policy);
        let intune = match mode {
            Mode::Combined => r.intune_combined,
            Mode::IntuneOnly => r.intune_only,
        };
        (intune, r.configmgr)
    };
    let (view_perms, view_ops) = row(Feature::View);
    let (own_perms, own_ops) = row(f);
    let mut perms = view_perms.clone();
    for p in &own_perms {
        if !perms.contains(p) {
            perms.push(p.clone());
        }
    }
    let acting = if f.is_acting() {
        if own_perms.is_empty() {
            view_perms
        } else {
            own_perms
        }
    } else {
        Vec::new()
    };
    let mut ops: BTreeSet<String> = BTreeSet::new();
    if f != Feature::View {
        ops.extend(own_ops.iter().map(|o| o.as_str().to_owned()));
    }
    if s.policy.configmgr_gates_view {
        ops.extend(view_ops.iter().map(|o| o.as_str().to_owned()));
    }
    (perms, acting, ops.into_iter().collect())
}

fn policies(engine: &Engine) -> String {
    let s = engine.snapshot();
    let mode = engine.mode();
    let ignore_tags = mode == Mode::IntuneOnly && s.policy.intune_only_ignores_scope_tags;
    let mut out = String::new();
    for f in Feature::ALL {
        let (perms, acting, ops) = requirement(s, mode, *f);
        let mut intune = vec![String::from("principal.has_assignment")];
        for p in &perms {
            let k = cedar_str(p);
            let tags = if ignore_tags {
                String::new()
            } else {
                format!(
                    " && (principal.reach[{k}].all || principal.reach[{k}].tags.containsAny(resource.tags))"
                )
            };
            intune.push(format!("(principal.reach has {k}{tags})"));
        }
        let mut cover = Vec::new();
        for q in &acting {
            let k = cedar_str(q);
            cover.push(format!("(principal.cover has {k} && (principal.cover[{k}].all || resource in principal.cover[{k}].groups))"));
        }
        let scope_groups = if cover.is_empty() {
            String::from("true")
        } else if s.policy.scope_groups_apply_to_attached {
            cover.join(" && ")
        } else {
            format!("(!resource.co_managed || ({}))", cover.join(" && "))
        };
        let configmgr = match mode {
            Mode::IntuneOnly => String::from("true"),
            Mode::Combined => {
                let mut c = vec![String::from("principal.cm_ok")];
                c.extend(
                    ops.iter()
                        .map(|op| format!("resource in principal.cm[{}]", cedar_str(op))),
                );
                c.join(" && ")
            }
        };
        out.push_str(&format!(
            "// {f}\npermit(principal, action == Action::{}, resource)\nwhen {{\n  resource.uploaded && !resource.tagless\n  && (principal.intune_all || ({}))\n  && (principal.intune_all || {scope_groups})\n  && ({configmgr})\n}};\n\n",
            cedar_str(f.as_str()),
            intune.join(" && "),
        ));
    }
    out
}

fn entities(engine: &Engine, s: &Snapshot) -> Vec<Value> {
    let mut out = Vec::new();
    let all_ops: Vec<&str> = tenant_attach::Operation::ALL
        .iter()
        .map(|o| o.as_str())
        .collect();
    for c in &s.collections {
        out.push(json!({"uid": {"type": "Collection", "id": c.id}, "attrs": {}, "parents": []}));
    }
    for g in &s.entra.groups {
        out.push(json!({"uid": {"type": "Group", "id": g.id}, "attrs": {}, "parents": []}));
    }
    // Devices: collections holding them (evaluated membership) and scope groups as parents.
    let graph = engine.collections();
    let mut parents: Vec<Vec<Value>> = vec![Vec::new(); engine.device_count()];
    for c in graph.in_id_order() {
        for d in graph.members(*c).iter() {
            if let Some(p) = parents.get_mut(d as usize) {
                p.push(json!({"type": "Collection", "id": graph.id(*c)}));
            }
        }
    }
    for d in engine.device_ixs() {
        let dev = engine.device(d).expect("index in range");
        let tags: Vec<String> = if dev.co_managed {
            if dev.scope_tags.is_empty() {
                vec![String::from("0")]
            } else {
                dev.scope_tags.clone()
            }
        } else {
            dev.scope_tags
                .iter()
                .filter(|t| *t == "0")
                .cloned()
                .collect()
        };
        let mut ps = std::mem::take(&mut parents[d as usize]);
        ps.extend(
            dev.scope_groups
                .iter()
                .map(|g| json!({"type": "Group", "id": g})),
        );
        out.push(json!({
            "uid": {"type": "Device", "id": dev.resource_id.to_string()},
            "attrs": {
                "uploaded": engine.upload().is_uploaded(d),
                "tagless": tags.is_empty(),
                "tags": tags,
                "co_managed": dev.co_managed,
            },
            "parents": ps,
        }));
    }
    // Users: identity resolved here, straight from the snapshot.
    let group_index: HashMap<&str, &tenant_attach::snapshot::EntraGroup> =
        s.entra.groups.iter().map(|g| (g.id.as_str(), g)).collect();
    let defs: HashMap<&str, &tenant_attach::snapshot::RoleDefinition> = s
        .intune
        .role_definitions
        .iter()
        .map(|d| (d.id.as_str(), d))
        .collect();
    let roles: HashMap<&str, BTreeSet<&str>> = s
        .configmgr
        .roles
        .iter()
        .map(|r| {
            let ops: BTreeSet<&str> = if r.id == "SMS0001R" {
                all_ops.iter().copied().collect()
            } else {
                r.collection_operations.iter().map(|o| o.as_str()).collect()
            };
            (r.id.as_str(), ops)
        })
        .collect();
    for u in &s.entra.users {
        // R-I2: every group holding the user, through nesting (cycles tolerated).
        let mut groups: BTreeSet<&str> = BTreeSet::new();
        let mut changed = true;
        while changed {
            changed = false;
            for g in &s.entra.groups {
                if !groups.contains(g.id.as_str())
                    && g.members
                        .iter()
                        .any(|m| *m == u.id || groups.contains(m.as_str()))
                {
                    groups.insert(&g.id);
                    changed = true;
                }
            }
        }
        let _ = &group_index;
        let mine: Vec<&tenant_attach::snapshot::RoleAssignment> = s
            .intune
            .role_assignments
            .iter()
            .filter(|a| a.members.iter().any(|m| groups.contains(m.as_str())))
            .collect();
        let perms_of = |a: &tenant_attach::snapshot::RoleAssignment| -> BTreeSet<String> {
            defs.get(a.role.as_str())
                .map(|d| d.permissions.iter().cloned().collect())
                .unwrap_or_default()
        };
        let tags_of = |a: &tenant_attach::snapshot::RoleAssignment| -> (bool, BTreeSet<String>) {
            if a.scope_tags.is_empty() {
                match s.policy.untagged_assignment {
                    UntaggedAssignment::AllTags => (true, BTreeSet::new()),
                    UntaggedAssignment::DefaultTag => (false, [String::from("0")].into()),
                }
            } else {
                (false, a.scope_tags.iter().cloned().collect())
            }
        };
        let all_held: BTreeSet<String> = mine.iter().flat_map(|a| perms_of(a)).collect();
        let mut reach = serde_json::Map::new();
        let mut cover = serde_json::Map::new();
        for p in &all_held {
            let contributing: Vec<_> = match s.tenant.intune_permission_merge {
                PermissionMerge::Merged => mine.clone(),
                PermissionMerge::Scoped => mine
                    .iter()
                    .copied()
                    .filter(|a| perms_of(a).contains(p))
                    .collect(),
            };
            let mut all = false;
            let mut tags = BTreeSet::new();
            for a in &contributing {
                let (a_all, t) = tags_of(a);
                all |= a_all;
                tags.extend(t);
            }
            reach.insert(
                p.clone(),
                json!({"all": all, "tags": tags.into_iter().collect::<Vec<_>>()}),
            );
            let holders: Vec<_> = mine.iter().filter(|a| perms_of(a).contains(p)).collect();
            let cover_all = holders.iter().any(|a| a.scope.all_devices == Some(true));
            let cover_groups: BTreeSet<&str> = holders
                .iter()
                .flat_map(|a| a.scope.groups.iter().flatten().map(String::as_str))
                .collect();
            cover.insert(
                p.clone(),
                json!({"all": cover_all, "groups": cover_groups.into_iter().map(|g| entity_ref("Group", g)).collect::<Vec<_>>()}),
            );
        }
        // R-G1..R-G4.
        let mut cm_ok = false;
        let mut cm: BTreeMap<&str, BTreeSet<&str>> =
            all_ops.iter().map(|o| (*o, BTreeSet::new())).collect();
        if let Some(sid) = &u.on_premises_sid {
            let agents: BTreeSet<DiscoveryAgent> = s
                .configmgr
                .users
                .iter()
                .filter(|x| x.sid.eq_ignore_ascii_case(sid))
                .flat_map(|x| x.discovered_by.iter().copied())
                .collect();
            let both = s.policy.discovery_required == DiscoveryRequired::Both
                || s.hierarchy.version < 2103;
            let discovered = if both {
                agents.len() == 2
            } else {
                !agents.is_empty()
            };
            let admins: Vec<_> = s
                .configmgr
                .admins
                .iter()
                .filter(|a| {
                    if a.is_group {
                        u.on_premises_group_sids
                            .iter()
                            .any(|g| g.eq_ignore_ascii_case(&a.sid))
                    } else {
                        a.sid.eq_ignore_ascii_case(sid)
                    }
                })
                .collect();
            cm_ok = discovered && !admins.is_empty();
            for a in admins {
                let pairs: Vec<(&str, &str)> = match a.association_mode {
                    AssociationMode::CrossProduct => a
                        .roles
                        .iter()
                        .flat_map(|r| a.collections.iter().map(move |c| (r.as_str(), c.as_str())))
                        .collect(),
                    AssociationMode::Specific => a
                        .associations
                        .iter()
                        .flat_map(|x| {
                            x.collections
                                .iter()
                                .map(move |c| (x.role.as_str(), c.as_str()))
                        })
                        .collect(),
                };
                for (r, c) in pairs {
                    for op in roles.get(r).into_iter().flatten() {
                        if let Some(set) = cm.get_mut(op) {
                            set.insert(c);
                        }
                    }
                }
            }
        }
        let cm_json: serde_json::Map<String, Value> = cm
            .into_iter()
            .map(|(op, cs)| {
                (
                    op.to_owned(),
                    Value::Array(
                        cs.into_iter()
                            .map(|c| entity_ref("Collection", c))
                            .collect(),
                    ),
                )
            })
            .collect();
        out.push(json!({
            "uid": {"type": "User", "id": u.id},
            "attrs": {
                "intune_all": !u.directory_roles.is_empty(),
                "has_assignment": !mine.is_empty(),
                "reach": reach,
                "cover": cover,
                "cm_ok": cm_ok,
                "cm": cm_json,
            },
            "parents": [],
        }));
    }
    out
}
