//! The tenant-attach rulebook (rulebook 3) translated into Cedar, for a differential check
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
//! Rulebook 3 (see README.md for what Cedar cannot say):
//!
//! - R-F3: a feature outside the US Government list (cloud `us_government`,
//!   `us_government_features = documented`) and, at 2006 or earlier, the scripts pages with
//!   `scripts_feature_enabled = false` get `when { false }`, as does every feature an SMS
//!   Provider requiring MFA blocks (R-F6, `sms_provider_mfa = true`).
//! - R-F5: `Device` entities carry `client_version` when the snapshot gives it; a feature with a
//!   `client_since` asks `!(resource has client_version) || resource.client_version >= N`.
//! - R-I1: `User.intune_all` is Global or Intune Administrator only; `User.reader` is the set of
//!   permissions a reader role holds on every device under `entra_roles` (`ManagedDevices_Read`,
//!   and the built-in Help Desk Operator's permissions for a Helpdesk Administrator under
//!   `helpdesk_as_operator`), `reader_any` whether the user has such a role. A permission the
//!   reader role holds needs neither an assignment, nor a tag, nor a scope group.
//! - R-I2 / R-I8: the loader resolves two views of the user's assignments, `nested` (through
//!   nested groups, R-I2) and `direct` (a member group lists the user itself), each with
//!   `has_assignment`, `reach` and `cover`; `User.licensed` is `intune_licensed` with
//!   `licence_unknown` applied. The policy picks the view: `principal.licensed && <nested>`, or
//!   `!principal.licensed && <unlicensed_admins> && <direct>` (the tenant setting, a constant of
//!   the generated text), or with the setting off the empty view `none` (only a reader role's
//!   permissions count).
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
    AssociationMode, Cloud, DirectoryRole, DiscoveryAgent, DiscoveryRequired, EntraRoles,
    LicenceUnknown, PermissionMerge, RoleAssignment, Snapshot, UntaggedAssignment,
    UsGovernmentFeatures,
};
use tenant_attach::{ClassOperation, Engine, Feature, Mode, SecuredClass};

/// The Full Administrator role: every operation of every class (R-G5).
const FULL_ADMINISTRATOR: &str = "SMS0001R";
/// The *All* security scope: meets every script (R-G7).
const ALL_SCOPE: &str = "SMS00ALL";
/// The first version where one discovery can suffice (R-G2).
const EITHER_DISCOVERY_SINCE: u32 = 2103;
/// R-F3 (rulebook 3): the scripts switch is read at this version and earlier.
const SCRIPTS_SWITCH_UNTIL: u32 = 2006;
/// R-I1 (rulebook 3): what every reader role holds.
const MANAGED_DEVICES_READ: &str = "Microsoft.Intune_ManagedDevices_Read";
/// R-I1 (rulebook 3): the built-in role a Helpdesk Administrator equals under
/// `helpdesk_as_operator`.
const HELP_DESK_OPERATOR: &str = "Help Desk Operator";

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
    /// R-F5: the first client version with the feature.
    client_since: Option<u32>,
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
        // R-F0 with R-F5: view's client version joins every feature's, as its `since` does.
        client_since: match (own_row.client_since, view_row.client_since) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        },
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
        let h = &s.hierarchy;
        let nobody = if h.version < needs.since {
            Some(format!(
                "R-F3, needs version {} (hierarchy {})",
                needs.since, h.version
            ))
        } else if h.cloud == Cloud::UsGovernment
            && s.policy.us_government_features == UsGovernmentFeatures::Documented
            && !f.on_us_government()
        {
            Some(String::from("R-F3, not documented for US Government"))
        } else if h.version <= SCRIPTS_SWITCH_UNTIL
            && f.needs_scripts_feature()
            && h.scripts_feature_enabled == Some(false)
        {
            Some(String::from("R-F3, the scripts feature is off"))
        } else if h.sms_provider_mfa == Some(true) && f.blocked_by_provider_mfa() {
            Some(String::from("R-F6, the SMS Provider requires MFA"))
        } else {
            None
        };
        if let Some(why) = nobody {
            out.push_str(&format!(
                "// {f}: {why}\npermit(principal, action == Action::{action}, resource)\nwhen {{ false }};\n\n"
            ));
            continue;
        }
        // R-F5: an unknown client version is not evaluated (the engine says so).
        let client = match needs.client_since {
            Some(n) => {
                format!("\n  && (!(resource has client_version) || resource.client_version >= {n})")
            }
            None => String::new(),
        };
        // R-I8: the licensed view (nested groups); for an unlicensed user, the direct one
        // with the tenant setting on, none with it off (a reader role still counts, R-I1).
        let setting = s.tenant.unlicensed_admins;
        let intune = format!(
            "principal.intune_all\n     || (principal.licensed && {})\n     || (!principal.licensed && {setting} && {})\n     || (!principal.licensed && {} && {})",
            intune_view(s, &needs, "nested", ignore_tags),
            intune_view(s, &needs, "direct", ignore_tags),
            !setting,
            intune_view(s, &needs, "none", ignore_tags),
        );
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
            "// {f}\npermit(principal, action == Action::{action}, resource)\nwhen {{\n  resource.uploaded && !resource.tagless{client}\n  && ({intune})\n  && ({configmgr})\n}};\n\n",
        ));
    }
    out
}

/// The Intune side (R-I1..R-I7) over one view of the user's assignments (`nested` or
/// `direct`, R-I8): some assignment or a reader role, every permission held by the reader role
/// or reaching the device, and the acting permissions covering it (R-I6).
fn intune_view(s: &Snapshot, needs: &Needs, v: &str, ignore_tags: bool) -> String {
    let mut parts = vec![format!(
        "(principal.{v}.has_assignment || principal.reader_any)"
    )];
    for p in &needs.perms {
        let k = cedar_str(p);
        let tags = if ignore_tags {
            String::new()
        } else {
            format!(
                " && (principal.{v}.reach[{k}].all || principal.{v}.reach[{k}].tags.containsAny(resource.tags))"
            )
        };
        parts.push(format!(
            "(principal.reader.contains({k}) || (principal.{v}.reach has {k}{tags}))"
        ));
    }
    let mut cover = Vec::new();
    for q in &needs.acting {
        let k = cedar_str(q);
        cover.push(format!("(principal.reader.contains({k}) || (principal.{v}.cover has {k} && (principal.{v}.cover[{k}].all || resource in principal.{v}.cover[{k}].groups)))"));
    }
    if !cover.is_empty() {
        parts.push(if s.policy.scope_groups_apply_to_attached {
            cover.join(" && ")
        } else {
            format!("(!resource.co_managed || ({}))", cover.join(" && "))
        });
    }
    format!("({})", parts.join("\n        && "))
}

/// One view of a user's assignments for Cedar (R-I3..R-I6): `has_assignment`, `reach`
/// (permission → `{all, tags}`, per R-I4/R-I5) and `cover` (permission → `{all, groups}`, R-I6).
fn assignments_view(
    s: &Snapshot,
    defs: &HashMap<&str, &tenant_attach::snapshot::RoleDefinition>,
    mine: &[&RoleAssignment],
) -> Value {
    let perms_of = |a: &RoleAssignment| -> BTreeSet<String> {
        defs.get(a.role.as_str())
            .map(|d| d.permissions.iter().cloned().collect())
            .unwrap_or_default()
    };
    let tags_of = |a: &RoleAssignment| -> (bool, BTreeSet<String>) {
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
        let contributing: Vec<&RoleAssignment> = match s.tenant.intune_permission_merge {
            PermissionMerge::Merged => mine.to_vec(),
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
    json!({"has_assignment": !mine.is_empty(), "reach": reach, "cover": cover})
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
        let mut attrs = json!({
            "uploaded": engine.upload().is_uploaded(d),
            "tagless": tags.is_empty(),
            "tags": tags,
            "co_managed": dev.co_managed,
        });
        // R-F5: the client version, when the snapshot gives it.
        if let (Some(v), Some(map)) = (dev.client_version, attrs.as_object_mut()) {
            map.insert(String::from("client_version"), json!(v));
        }
        out.push(json!({
            "uid": {"type": "Device", "id": dev.resource_id.to_string()},
            "attrs": attrs,
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
        let nested: Vec<&RoleAssignment> = s
            .intune
            .role_assignments
            .iter()
            .filter(|a| a.members.iter().any(|m| groups.contains(m.as_str())))
            .collect();
        // R-I8: the assignments one of whose member groups lists the user itself.
        let direct: Vec<&RoleAssignment> = s
            .intune
            .role_assignments
            .iter()
            .filter(|a| {
                a.members.iter().any(|m| {
                    s.entra
                        .groups
                        .iter()
                        .any(|g| g.id == *m && g.members.contains(&u.id))
                })
            })
            .collect();
        let licensed = u
            .intune_licensed
            .unwrap_or(s.policy.licence_unknown == LicenceUnknown::Licensed);
        // R-I1: Global and Intune Administrator hold everything; the reader roles what
        // `entra_roles` says.
        let intune_all = u.directory_roles.iter().any(|r| r.is_intune_admin());
        let reader_any = !intune_all
            && s.policy.entra_roles != EntraRoles::AdminsOnly
            && u.directory_roles.iter().any(|r| !r.is_intune_admin());
        let mut reader: BTreeSet<String> = BTreeSet::new();
        if reader_any {
            reader.insert(String::from(MANAGED_DEVICES_READ));
            if s.policy.entra_roles == EntraRoles::HelpdeskAsOperator
                && u.directory_roles
                    .contains(&DirectoryRole::HelpdeskAdministrator)
            {
                for d in &s.intune.role_definitions {
                    if d.built_in && d.name == HELP_DESK_OPERATOR {
                        reader.extend(d.permissions.iter().cloned());
                    }
                }
            }
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
                "intune_all": intune_all,
                "reader_any": reader_any,
                "reader": reader.into_iter().collect::<Vec<_>>(),
                "licensed": licensed,
                "nested": assignments_view(s, &defs, &nested),
                "direct": assignments_view(s, &defs, &direct),
                "none": assignments_view(s, &defs, &[]),
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
