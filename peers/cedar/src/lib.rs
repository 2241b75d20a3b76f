//! The tenant-attach rulebook (rulebook 2) translated into Cedar, for a differential check
//! against an engine written by others and for a side-by-side benchmark.
//!
//! # The translation
//!
//! Cedar decides one request at a time from entities and policies. The rulebook needs an
//! existential over assignments ("some assignment holds the permission *and* reaches the
//! device"), which Cedar policies cannot quantify over entities; so identity is resolved by
//! the entity loader, as a Cedar deployment would do, and Cedar decides everything about the
//! device and the feature:
//!
//! - `User` entities carry, computed here straight from the snapshot (nested groups with
//!   cycles, R-I2; unions per R-I4 `merged` or per permission for `scoped`):
//!   `intune_all` (R-I1), `has_assignment`, `reach` (permission → `{all, tags}`: the scope tags
//!   under which the permission applies), `cover` (permission → `{all, groups}`: the scope groups
//!   of the assignments holding it, R-I6), `disc_ad` / `disc_entra` (hybrid and found by AD /
//!   Entra user discovery, R-G1/R-G2), `cm_admin` (hybrid and some ConfigMgr administrative user
//!   maps to the user or one of its AD groups, R-G1/R-G3), `cm` (operation → set of `Collection`
//!   entities where an association grants it, R-G4/R-G5), `class_ops` (the `"class:operation"`
//!   strings, e.g. `"site:read"`, granted by a role of a mapped administrative user — `roles`
//!   for cross-product admins, the roles of `associations` for specific ones, collections
//!   playing no part; Full Administrator grants every one, R-G5/R-G6) and `runnable_script`
//!   (some approved script without parameters whose scopes meet those of a mapped
//!   administrative user holding `scripts:read`, `SMS00ALL` meeting every scope, R-G7).
//! - `Device` entities have their collections (evaluated membership, R-C1, which Cedar cannot
//!   compute: excludes) and their scope groups as parents, and attributes `uploaded` (R-U),
//!   `tagless` (R-S2), `tags` (effective tags, R-S1) and `co_managed`.
//! - One `permit` policy per feature (R-F0..R-F2), generated from the requirement table as
//!   [`Feature::requirement`] gives it (overrides and `combined_page_permissions` applied) and
//!   the knobs: `resource.uploaded && !resource.tagless && <Intune> && <scope groups> &&
//!   <ConfigMgr>`. In `combined` mode `<ConfigMgr>` is `principal.cm_admin`, the discovery the
//!   feature needs (`principal.disc_ad && principal.disc_entra` or `||`, R-G2 per
//!   `discovery_required`, the version and the requested feature), `resource in
//!   principal.cm["read"]` per Collection operation, `principal.class_ops.contains("site:read")`
//!   per class operation (view's ConfigMgr row joins every feature's under
//!   `configmgr_gates_view`), and for `run_script`, when the snapshot lists scripts,
//!   `principal.runnable_script`.
//! - A feature whose `since` exceeds `hierarchy.version` (R-F3) gets `when { false }`: nobody,
//!   Global Administrators included.
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
use tenant_attach::{ClassOperation, Engine, Feature, Mode, SecuredClass};

/// The Full Administrator role: every operation of every class (R-G5).
const FULL_ADMINISTRATOR: &str = "SMS0001R";
/// The *All* security scope: meets every script (R-G7).
const ALL_SCOPE: &str = "SMS00ALL";
/// The first version where one discovery can suffice (R-G2).
const EITHER_DISCOVERY_SINCE: u32 = 2103;

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

/// A class operation as Cedar sees it: `"site:read"`.
fn class_op(class: SecuredClass, op: ClassOperation) -> String {
    format!("{}:{}", class.as_str(), op.as_str())
}

/// What a feature needs in the engine's mode, typed from the rulebook's table with the
/// snapshot's overrides and knobs.
struct Needs {
    /// R-F3: the first site version with the feature.
    since: u32,
    /// Intune permissions: view's and the feature's own (R-F0, R-F1).
    perms: Vec<String>,
    /// R-I6: the permissions whose holders must cover the device (acting features only).
    acting: Vec<String>,
    /// R-G4: Collection operations.
    ops: Vec<String>,
    /// R-G6: `"class:operation"` strings.
    classes: Vec<String>,
}

fn requirement(s: &Snapshot, mode: Mode, f: Feature) -> Needs {
    let row = |f: Feature| {
        let r = f.requirement(&s.policy);
        let intune = if mode == Mode::IntuneOnly {
            r.intune_only.clone()
        } else {
            r.intune_combined.clone()
        };
        (intune, r)
    };
    let (view_perms, view_row) = row(Feature::View);
    let (own_perms, own_row) = row(f);
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
    let mut classes: BTreeSet<String> = BTreeSet::new();
    let mut add = |r: &tenant_attach::features::Requirement| {
        ops.extend(r.configmgr.iter().map(|o| o.as_str().to_owned()));
        classes.extend(r.classes.iter().map(|(c, o)| class_op(*c, *o)));
    };
    if f != Feature::View {
        add(&own_row);
    }
    if s.policy.configmgr_gates_view {
        add(&view_row);
    }
    Needs {
        // R-F0: every feature needs view, so a feature exists only where view exists too.
        since: own_row.since.max(view_row.since),
        perms,
        acting,
        ops: ops.into_iter().collect(),
        classes: classes.into_iter().collect(),
    }
}

/// R-G2: whether `f` needs both user discoveries.
fn needs_both_discoveries(s: &Snapshot, f: Feature) -> bool {
    let old = s.hierarchy.version < EITHER_DISCOVERY_SINCE;
    match s.policy.discovery_required {
        DiscoveryRequired::Both => true,
        DiscoveryRequired::ByVersion => old,
        DiscoveryRequired::ByFeature => old || f.needs_client_details_prerequisites(),
    }
}

fn policies(engine: &Engine) -> String {
    let s = engine.snapshot();
    let mode = engine.mode();
    let ignore_tags = mode == Mode::IntuneOnly && s.policy.intune_only_ignores_scope_tags;
    let mut out = String::new();
    for f in Feature::ALL {
        let needs = requirement(s, mode, *f);
        let action = cedar_str(f.as_str());
        if s.hierarchy.version < needs.since {
            out.push_str(&format!(
                "// {f}: R-F3, needs version {} (hierarchy {})\npermit(principal, action == Action::{action}, resource)\nwhen {{ false }};\n\n",
                needs.since, s.hierarchy.version
            ));
            continue;
        }
        let mut intune = vec![String::from("principal.has_assignment")];
        for p in &needs.perms {
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
        for q in &needs.acting {
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
            _ => {
                let discovery = if needs_both_discoveries(s, *f) {
                    "(principal.disc_ad && principal.disc_entra)"
                } else {
                    "(principal.disc_ad || principal.disc_entra)"
                };
                let mut c = vec![String::from("principal.cm_admin"), discovery.to_owned()];
                c.extend(
                    needs
                        .ops
                        .iter()
                        .map(|op| format!("resource in principal.cm[{}]", cedar_str(op))),
                );
                c.extend(
                    needs
                        .classes
                        .iter()
                        .map(|k| format!("principal.class_ops.contains({})", cedar_str(k))),
                );
                if *f == Feature::RunScript && s.configmgr.scripts.is_some() {
                    c.push(String::from("principal.runnable_script"));
                }
                c.join("\n     && ")
            }
        };
        out.push_str(&format!(
            "// {f}\npermit(principal, action == Action::{action}, resource)\nwhen {{\n  resource.uploaded && !resource.tagless\n  && (principal.intune_all || ({}))\n  && (principal.intune_all || {scope_groups})\n  && ({configmgr})\n}};\n\n",
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
        let id = graph.id(c).expect("the engine's own collection");
        for d in graph.members(c).iter() {
            if let Some(p) = parents.get_mut(d.index() as usize) {
                p.push(json!({"type": "Collection", "id": id}));
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
        let mut ps = std::mem::take(&mut parents[d.index() as usize]);
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
            let ops: BTreeSet<&str> = if r.id == FULL_ADMINISTRATOR {
                all_ops.iter().copied().collect()
            } else {
                r.collection_operations.iter().map(|o| o.as_str()).collect()
            };
            (r.id.as_str(), ops)
        })
        .collect();
    // R-G6: the "class:operation" strings each role grants (Full Administrator: all, R-G5).
    let every_class_op: BTreeSet<String> = SecuredClass::ALL
        .iter()
        .flat_map(|c| ClassOperation::ALL.iter().map(|o| class_op(*c, *o)))
        .collect();
    let role_class_ops: HashMap<&str, BTreeSet<String>> = s
        .configmgr
        .roles
        .iter()
        .map(|r| {
            let ops: BTreeSet<String> = if r.id == FULL_ADMINISTRATOR {
                every_class_op.clone()
            } else {
                r.class_operations
                    .iter()
                    .flat_map(|(c, os)| os.iter().map(|o| class_op(*c, *o)))
                    .collect()
            };
            (r.id.as_str(), ops)
        })
        .collect();
    // R-G7: the scripts the admin center lists (approved, without parameters).
    let listed: Vec<&tenant_attach::snapshot::Script> = s
        .configmgr
        .scripts
        .iter()
        .flatten()
        .filter(|x| x.approved && !x.has_parameters)
        .collect();
    let scripts_read = class_op(SecuredClass::Scripts, ClassOperation::Read);
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
        // R-G1..R-G7.
        let mut disc_ad = false;
        let mut disc_entra = false;
        let mut cm_admin = false;
        let mut class_ops: BTreeSet<String> = BTreeSet::new();
        let mut runnable_script = false;
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
            disc_ad = agents.contains(&DiscoveryAgent::Ad);
            disc_entra = agents.contains(&DiscoveryAgent::Entra);
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
            cm_admin = !admins.is_empty();
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
                // R-G6: the admin's roles, whatever their collections.
                let role_ids: Vec<&str> = match a.association_mode {
                    AssociationMode::CrossProduct => a.roles.iter().map(String::as_str).collect(),
                    AssociationMode::Specific => {
                        a.associations.iter().map(|x| x.role.as_str()).collect()
                    }
                };
                let mut mine: BTreeSet<&str> = BTreeSet::new();
                for r in role_ids {
                    for op in role_class_ops.get(r).into_iter().flatten() {
                        mine.insert(op);
                    }
                }
                // R-G7: a listed script meeting the scopes of an admin holding Scripts Read.
                if mine.contains(scripts_read.as_str()) {
                    let all_scopes = a.scopes.iter().any(|x| x == ALL_SCOPE);
                    runnable_script |= listed
                        .iter()
                        .any(|x| all_scopes || x.scopes.iter().any(|sc| a.scopes.contains(sc)));
                }
                class_ops.extend(mine.into_iter().map(str::to_owned));
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
                "disc_ad": disc_ad,
                "disc_entra": disc_entra,
                "cm_admin": cm_admin,
                "cm": cm_json,
                "class_ops": class_ops.into_iter().collect::<Vec<_>>(),
                "runnable_script": runnable_script,
            },
            "parents": [],
        }));
    }
    out
}
