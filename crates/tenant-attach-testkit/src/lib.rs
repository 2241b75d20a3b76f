#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use tenant_attach::snapshot::*;
use tenant_attach::{ClassOperation, Feature, Operation, SecuredClass};

/// Deterministic choices read from proptest's words: every choice reads the next word, and a
/// word past the end reads as 0, the first choice. [`build`] draws a whole world from one.
#[derive(Debug, Clone)]
pub struct Dice<'a> {
    words: &'a [u32],
    at: usize,
}

impl<'a> Dice<'a> {
    /// Dice reading `words` from the first.
    pub fn new(words: &'a [u32]) -> Dice<'a> {
        Dice { words, at: 0 }
    }

    /// The next word (0 once the words are used up).
    #[expect(
        clippy::should_implement_trait,
        reason = "an endless source of words, not an iterator"
    )]
    pub fn next(&mut self) -> u32 {
        let w = self.words.get(self.at).copied().unwrap_or(0);
        self.at = self.at.saturating_add(1);
        w
    }

    /// A number in `0..n` (0 when `n` is 0, without reading a word).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { self.next() as usize % n }
    }

    /// True with probability about `percent`%, false when the word is 0.
    pub fn chance(&mut self, percent: u32) -> bool {
        let w = self.next();
        w != 0 && w % 100 < percent
    }

    /// Each of `items` with probability about `percent`%, in order (one word per item).
    pub fn subset<T: Clone>(&mut self, items: &[T], percent: u32) -> Vec<T> {
        items
            .iter()
            .filter(|_| self.chance(percent))
            .cloned()
            .collect()
    }

    /// One of `items` (`None`, without reading a word, when `items` is empty).
    pub fn pick<'b, T>(&mut self, items: &'b [T]) -> Option<&'b T> {
        items.get(self.below(items.len()))
    }
}

/// Knobs for what kinds of world [`worlds`] draws. Counts are drawn uniformly from 1 up to
/// each maximum; proptest shrinks them toward 1.
///
/// ```
/// use tenant_attach_testkit::Shape;
///
/// // Up to 30 devices, 12 collections and 8 users; words sized for that.
/// let shape = Shape::new(30, 12, 8);
/// assert_eq!(shape.max_devices, 30);
/// assert!(shape.min_words >= Shape::SMALL.min_words);
/// // More words per world: more varied choices, slower cases.
/// let rich = shape.with_words(5_000, 6_000);
/// assert_eq!((rich.min_words, rich.max_words), (5_000, 6_000));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Shape {
    /// The most devices a world holds (at least 1 is always drawn; 0 counts as 1). Devices
    /// get distinct resource ids from 16777000 up and names `DEV-00`, `DEV-01`, ...
    pub max_devices: usize,
    /// The most device collections a world holds, counting `SMS00001` (All Systems), which
    /// every world has (0 counts as 1). The others form a DAG of limiting, include and
    /// exclude references with ids `PS1nnnnn`; `SMS00002` (All Users) is added besides.
    pub max_collections: usize,
    /// The most Entra users a world holds (0 counts as 1). User `i` has id `u{i}`, UPN
    /// `user{i}@contoso.com` and, when hybrid, the on-premises SID [`user_sid`]`(i)`.
    pub max_users: usize,
    /// The fewest choice words a world is drawn from.
    pub min_words: usize,
    /// The most choice words a world is drawn from (inclusive; raised to `min_words` when
    /// below it). Once a world's words are used up, every later choice takes its first
    /// option (the simplest world), so a shape with many objects needs more words:
    /// [`Shape::new`] sizes the range from the counts.
    pub max_words: usize,
}

impl Shape {
    /// The shape the project's own suite uses: up to 10 devices, 9 collections, 5 users,
    /// drawn from 900 to 1199 words. Small enough for hundreds of cases per second.
    pub const SMALL: Shape = Shape::new(10, 9, 5);

    /// A shape with these maximum counts and a word range large enough for them (at least
    /// `SMALL`'s 900 to 1199).
    pub const fn new(max_devices: usize, max_collections: usize, max_users: usize) -> Shape {
        // What a world reads on average: about 8 words per device, 2 per collection plus
        // up to 2 per device and collection (membership rules), 10 per user, 200 for the rest.
        let per_collection = 2usize.saturating_add(max_devices.saturating_mul(2));
        let need = 200usize
            .saturating_add(max_devices.saturating_mul(8))
            .saturating_add(max_collections.saturating_mul(per_collection))
            .saturating_add(max_users.saturating_mul(10));
        let min_words = if need > 900 { need } else { 900 };
        Shape {
            max_devices,
            max_collections,
            max_users,
            min_words,
            max_words: min_words.saturating_add(min_words / 3).saturating_sub(1),
        }
    }

    /// This shape with at most `max_devices` devices (the word range is kept).
    pub const fn with_devices(self, max_devices: usize) -> Shape {
        Shape {
            max_devices,
            ..self
        }
    }

    /// This shape with at most `max_collections` device collections (the word range is kept).
    pub const fn with_collections(self, max_collections: usize) -> Shape {
        Shape {
            max_collections,
            ..self
        }
    }

    /// This shape with at most `max_users` users (the word range is kept).
    pub const fn with_users(self, max_users: usize) -> Shape {
        Shape { max_users, ..self }
    }

    /// This shape drawing each world from `min_words..=max_words` words.
    pub const fn with_words(self, min_words: usize, max_words: usize) -> Shape {
        Shape {
            min_words,
            max_words,
            ..self
        }
    }
}

impl Default for Shape {
    /// [`Shape::SMALL`].
    fn default() -> Shape {
        Shape::SMALL
    }
}

/// [`Shape::SMALL`], the shape the project's own suite draws its worlds from.
pub const SMALL: Shape = Shape::SMALL;

/// Random valid worlds of `shape`: every snapshot passes `Engine::new`. A strategy draws the
/// counts and a vector of choice words, and [`build`] turns them into a snapshot; shrinking
/// the words toward zero makes the world simpler (fewer objects, first choices everywhere),
/// so failures shrink well.
///
/// A world varies every input the rulebook reads: co-managed and tagless devices, devices
/// without a client, a DAG of collections (limiting, direct, query, include and exclude
/// rules), the upload setting, the site version around every boundary ([`VERSIONS`]), cloud,
/// health and attach state, hybrid and cloud-only users in nested (possibly cyclic) Entra
/// groups, Intune role definitions over [`PERMISSION_POOL`] with assignments scoped by tags
/// and device groups, ConfigMgr roles with collection and class operations, administrative
/// users and AD groups in both association modes, discovery, scripts, and every policy knob
/// including per-feature overrides. Rulebook 3: Intune licences known or not with the tenant's
/// *unlicensed admins* setting (R-I8), the reader directory roles and a built-in *Help Desk
/// Operator* role (R-I1), client versions (R-F5), the scripts switch (R-F3), the SMS Provider's
/// MFA (R-F6), and every value of `entra_roles`, `licence_unknown`,
/// `application_actions_split` and `us_government_features`.
pub fn worlds(shape: Shape) -> impl Strategy<Value = Snapshot> {
    let words = shape.min_words..=shape.max_words.max(shape.min_words);
    (
        1..=shape.max_devices.max(1),
        1..=shape.max_collections.max(1),
        1..=shape.max_users.max(1),
        proptest::collection::vec(any::<u32>(), words),
    )
        .prop_map(|(nd, nc, nu, words)| build(nd, nc, nu, &words))
}

/// Any feature of the R-F1 table ([`Feature::ALL`]), shrinking toward `view`.
pub fn features() -> impl Strategy<Value = Feature> {
    proptest::sample::select(Feature::ALL)
}

/// Every permission of the R-F1 table (every `CloudAttach_*` one, so that
/// `combined_page_permissions = feature` matters), and `Organization_Delete` (R-H4): the
/// permissions the worlds' Intune role definitions draw from.
pub const PERMISSION_POOL: &[&str] = &[
    "Microsoft.Intune_ManagedDevices_Read",
    "Microsoft.Intune_RemoteTasks_ConfigurationManagerAction",
    "Microsoft.Intune_CloudAttach_ClientDetails",
    "Microsoft.Intune_CloudAttach_Collections",
    "Microsoft.Intune_CloudAttach_ResourceExplorer",
    "Microsoft.Intune_CloudAttach_Timeline",
    "Microsoft.Intune_CloudAttach_Scripts",
    "Microsoft.Intune_CloudAttach_ScriptActions",
    "Microsoft.Intune_CloudAttach_CMPivot",
    "Microsoft.Intune_CloudAttach_Applications",
    "Microsoft.Intune_CloudAttach_ApplicationActions",
    "Microsoft.Intune_CloudAttach_SoftwareUpdates",
    "Microsoft.Intune_CloudAttach_EnrollNow",
    "Microsoft.Intune_RemoteTasks_RotateBitLockerKeys",
    "Microsoft.Intune_Organization_Delete",
];

/// The Intune scope tag ids of every world: `0` (Default), `1` (Paris), `2` (Servers).
pub const SCOPE_TAGS: &[&str] = &["0", "1", "2"];

/// Site versions around every boundary of the rulebook: R-F3's since column (2002, 2006,
/// 2107, 2111), R-G2's 2103, R-M1's 2207.
pub const VERSIONS: &[u32] = &[2002, 2006, 2010, 2103, 2107, 2111, 2207, 2403];

/// ConfigMgr client versions of devices (R-F5), around the 2010 boundary of
/// `application_management`; a device with a client gets one no newer than its site.
pub const CLIENT_VERSIONS: &[u32] = &[2002, 2006, 2010, 2103, 2207, 2403];

/// The name of the built-in Intune role a Helpdesk Administrator equals under
/// `entra_roles = helpdesk_as_operator` (R-I1).
pub const HELP_DESK_OPERATOR: &str = "Help Desk Operator";

/// The Entra reader roles of rulebook 3 (R-I1).
pub const READER_ROLES: &[DirectoryRole] = &[
    DirectoryRole::HelpdeskAdministrator,
    DirectoryRole::GlobalReader,
    DirectoryRole::SecurityAdministrator,
    DirectoryRole::SecurityOperator,
    DirectoryRole::SecurityReader,
];

/// Security scopes of administrative users (R-G7); `SMS00ALL` meets every script.
pub const ADMIN_SCOPES: &[&str] = &["SMS00UNA", "SMS00ALL", "PS100003"];

/// Security scopes of scripts (R-G7).
pub const SCRIPT_SCOPES: &[&str] = &["SMS00UNA", "PS100003"];

/// SIDs of the on-premises AD groups users belong to and administrative users may be.
pub const AD_GROUPS: &[&str] = &[
    "S-1-5-21-9-9-9-1101",
    "S-1-5-21-9-9-9-1102",
    "S-1-5-21-9-9-9-1103",
];

/// Entra device groups: devices' scope groups and the groups assignments may be scoped to
/// (R-I6).
pub const DEVICE_GROUPS: &[&str] = &["dg-1", "dg-2"];

/// The on-premises SID of user `i` (`u{i}`) when the user is hybrid.
pub fn user_sid(i: usize) -> String {
    format!("S-1-5-21-9-9-9-{}", 2000_usize.saturating_add(i))
}

/// The world of `nd` devices, `nc` device collections (counting All Systems) and `nu` users
/// drawn from `words`: the same arguments always give the same snapshot, and it always passes
/// `Engine::new`. [`worlds`] calls it; call it yourself to replay or hand-pick a world.
///
/// ```
/// let s = tenant_attach_testkit::build(3, 2, 2, &[7; 600]);
/// assert_eq!((s.devices.len(), s.entra.users.len()), (3, 2));
/// assert!(tenant_attach::Engine::new(s).is_ok());
/// ```
pub fn build(nd: usize, nc: usize, nu: usize, words: &[u32]) -> Snapshot {
    let mut x = Dice::new(words);
    // Devices: distinct resource ids, in a shuffled order.
    let mut devices = Vec::new();
    for i in 0..nd {
        let co_managed = x.chance(25);
        let scope_tags = if co_managed {
            x.subset(SCOPE_TAGS, 50)
                .into_iter()
                .map(String::from)
                .collect()
        } else if x.chance(10) {
            vec![] // Default removed (R-S2)
        } else {
            vec![String::from("0")]
        };
        devices.push(Device {
            resource_id: 16_777_000_u32
                .wrapping_add((i as u32).wrapping_mul(7))
                .wrapping_add(x.next() % 5),
            name: format!("DEV-{i:02}"),
            client: !x.chance(15),
            os: None,
            co_managed,
            scope_tags,
            entra_device_id: None,
            client_version: None,
            scope_groups: x
                .subset(DEVICE_GROUPS, 40)
                .into_iter()
                .map(String::from)
                .collect(),
        });
    }
    let ids: Vec<u32> = devices.iter().map(|d| d.resource_id).collect();

    // Collections: a DAG, each referring only to earlier ones; ids drawn so that file order
    // and id order differ.
    let mut collections = vec![Collection {
        id: String::from("SMS00001"),
        name: String::from("All Systems"),
        kind: CollectionType::Device,
        limiting: None,
        rules: vec![CollectionRule::Query(QueryRule {
            name: String::from("All Systems"),
            wql: None,
            members: ids.clone(),
        })],
    }];
    // Shuffled numbers, so that file order and id order differ.
    let mut numbers: Vec<usize> = (1..nc).collect();
    for k in (1..numbers.len()).rev() {
        let j = x.below(k + 1);
        numbers.swap(k, j);
    }
    for i in 1..nc {
        let earlier: Vec<String> = collections.iter().map(|c| c.id.clone()).collect();
        let limiting = x.pick(&earlier).cloned();
        let mut rules = Vec::new();
        for _ in 0..x.below(4) {
            let rule = match x.below(4) {
                0 => CollectionRule::Direct(x.subset(&ids, 30)),
                1 => CollectionRule::Query(QueryRule {
                    name: format!("q{i}"),
                    wql: Some(String::from("select ...")),
                    members: x.subset(&ids, 40),
                }),
                2 => CollectionRule::Include(x.pick(&earlier).cloned().unwrap_or_default()),
                _ => CollectionRule::Exclude(x.pick(&earlier).cloned().unwrap_or_default()),
            };
            rules.push(rule);
        }
        collections.push(Collection {
            id: format!("PS1{:05}", numbers.get(i - 1).copied().unwrap_or(i)),
            name: format!("Collection {i}"),
            kind: CollectionType::Device,
            limiting,
            rules,
        });
    }
    let coll_ids: Vec<String> = collections.iter().map(|c| c.id.clone()).collect();
    collections.push(Collection {
        id: String::from("SMS00002"),
        name: String::from("All Users"),
        kind: CollectionType::User,
        limiting: None,
        rules: vec![],
    });

    let upload = if x.chance(35) {
        Upload::all_devices()
    } else {
        Upload::collection(x.pick(&coll_ids).cloned().unwrap_or_default())
    };
    let hierarchy = Hierarchy {
        name: Some(String::from("Generated")),
        site_code: String::from("PS1"),
        version: x.pick(VERSIONS).copied().unwrap_or_default(),
        cloud: if x.chance(5) {
            Cloud::China
        } else if x.chance(10) {
            Cloud::UsGovernment
        } else {
            Cloud::Public
        },
        online: !x.chance(10),
        healthy: !x.chance(10),
        co_management: x.chance(50),
        attach: Attach {
            state: if x.chance(8) {
                AttachState::Detached
            } else {
                AttachState::Attached
            },
            upload,
            enforce_configmgr_rbac: !x.chance(40),
            endpoint_analytics: false,
            defender_data: false,
        },
        discovery: Discovery::default(),
        scripts_feature_enabled: None,
        sms_provider_mfa: None,
    };

    // Entra: users and (possibly cyclic) nested groups.
    let user_ids: Vec<String> = (0..nu).map(|i| format!("u{i}")).collect();
    let mut users = Vec::new();
    let mut discovered = Vec::new();
    for (i, id) in user_ids.iter().enumerate() {
        let hybrid = !x.chance(20);
        if hybrid {
            let by = x.subset(&[DiscoveryAgent::Ad, DiscoveryAgent::Entra], 75);
            if !by.is_empty() {
                discovered.push(DiscoveredUser {
                    sid: user_sid(i),
                    discovered_by: by,
                });
            }
        }
        users.push(EntraUser {
            id: id.clone(),
            upn: format!("user{i}@contoso.com"),
            on_premises_sid: hybrid.then(|| user_sid(i)),
            on_premises_group_sids: if hybrid {
                x.subset(AD_GROUPS, 40)
                    .into_iter()
                    .map(String::from)
                    .collect()
            } else {
                vec![]
            },
            directory_roles: if x.chance(8) {
                vec![DirectoryRole::IntuneAdministrator]
            } else {
                vec![]
            },
            intune_licensed: None,
        });
    }
    let group_ids: Vec<String> = (0..1 + x.below(4)).map(|i| format!("g{i}")).collect();
    let mut groups: Vec<EntraGroup> = group_ids
        .iter()
        .map(|g| {
            let mut members = x.subset(&user_ids, 50);
            members.extend(x.subset(&group_ids, 20).into_iter().filter(|m| m != g));
            EntraGroup {
                id: g.clone(),
                name: format!("Group {g}"),
                members,
            }
        })
        .collect();
    for g in DEVICE_GROUPS {
        groups.push(EntraGroup {
            id: (*g).into(),
            name: format!("Devices {g}"),
            members: vec![],
        });
    }

    // Intune.
    let defs: Vec<RoleDefinition> = (0..1 + x.below(3))
        .map(|i| RoleDefinition {
            id: format!("role-{i}"),
            name: format!("Role {i}"),
            built_in: false,
            permissions: x
                .subset(PERMISSION_POOL, 55)
                .into_iter()
                .map(String::from)
                .collect(),
        })
        .collect();
    let def_ids: Vec<String> = defs.iter().map(|d| d.id.clone()).collect();
    let assignments: Vec<RoleAssignment> = (0..1 + x.below(4))
        .map(|i| RoleAssignment {
            id: format!("a{i}"),
            name: format!("Assignment {i}"),
            role: x.pick(&def_ids).cloned().unwrap_or_default(),
            members: x.subset(&group_ids, 50),
            scope: if x.chance(70) {
                AssignmentScope::all_devices()
            } else {
                AssignmentScope {
                    all_devices: None,
                    groups: Some(
                        x.subset(DEVICE_GROUPS, 50)
                            .into_iter()
                            .map(String::from)
                            .collect(),
                    ),
                }
            },
            scope_tags: x
                .subset(SCOPE_TAGS, 45)
                .into_iter()
                .map(String::from)
                .collect(),
        })
        .collect();

    // ConfigMgr.
    let mut roles: Vec<ConfigMgrRole> = (0..1 + x.below(3))
        .map(|i| ConfigMgrRole {
            id: format!("PS10000{i}"),
            name: format!("CM role {i}"),
            collection_operations: x.subset(Operation::ALL, 45),
            class_operations: class_operations(&mut x, 50),
        })
        .collect();
    if x.chance(30) {
        roles.push(ConfigMgrRole {
            id: String::from("SMS0001R"),
            name: String::from("Full Administrator"),
            collection_operations: x.subset(Operation::ALL, 20),
            class_operations: class_operations(&mut x, 20), // listed or not, it grants all
        });
    }
    let role_ids: Vec<String> = roles.iter().map(|r| r.id.clone()).collect();
    let mut sids: Vec<(String, bool)> = (0..nu).map(|i| (user_sid(i), false)).collect();
    sids.extend(AD_GROUPS.iter().map(|g| ((*g).to_owned(), true)));
    let mut admins: Vec<ConfigMgrAdmin> = (0..x.below(5))
        .map(|i| {
            let (sid, is_group) = x.pick(&sids).cloned().unwrap_or_default();
            let specific = x.chance(40);
            ConfigMgrAdmin {
                id: 16_777_200 + i as u32,
                account: format!("CONTOSO\\admin{i}"),
                sid,
                is_group,
                association_mode: if specific {
                    AssociationMode::Specific
                } else {
                    AssociationMode::CrossProduct
                },
                roles: x.subset(&role_ids, 50),
                collections: x.subset(&coll_ids, 40),
                scopes: if x.chance(75) {
                    x.subset(ADMIN_SCOPES, 40)
                        .into_iter()
                        .map(String::from)
                        .collect()
                } else {
                    vec![String::from("SMS00UNA")]
                },
                associations: if specific {
                    (0..1 + x.below(2))
                        .map(|_| Association {
                            role: x.pick(&role_ids).cloned().unwrap_or_default(),
                            collections: x.subset(&coll_ids, 40),
                        })
                        .collect()
                } else {
                    vec![]
                },
                associations_inferred: false,
            }
        })
        .collect();

    // Now and then a broad administrative user (most roles on All Systems), so that the later
    // rules of the ConfigMgr chain (R-G6, R-G7) are reached and pass often enough.
    if x.chance(40) {
        let (sid, is_group) = x.pick(&sids).cloned().unwrap_or_default();
        admins.push(ConfigMgrAdmin {
            id: 16_777_299,
            account: String::from("CONTOSO\\broad"),
            sid,
            is_group,
            association_mode: AssociationMode::CrossProduct,
            roles: x.subset(&role_ids, 70),
            collections: vec![String::from("SMS00001")],
            scopes: x
                .subset(ADMIN_SCOPES, 50)
                .into_iter()
                .map(String::from)
                .collect(),
            associations: vec![],
            associations_inferred: false,
        });
    }

    let relations = [
        ChildRelation::Limiting,
        ChildRelation::Include,
        ChildRelation::Exclude,
    ];
    let mut policy = Policy {
        child_relations: if x.chance(70) {
            relations.to_vec()
        } else {
            x.subset(&relations, 50)
        },
        untagged_assignment: if x.chance(30) {
            UntaggedAssignment::DefaultTag
        } else {
            UntaggedAssignment::AllTags
        },
        scope_groups_apply_to_attached: x.chance(25),
        intune_only_ignores_scope_tags: x.chance(25),
        configmgr_gates_view: !x.chance(15),
        discovery_required: x.pick(DiscoveryRequired::ALL).copied().unwrap_or_default(),
        combined_page_permissions: if x.chance(40) {
            CombinedPagePermissions::Feature
        } else {
            CombinedPagePermissions::View
        },
        features: Default::default(),
        ..Policy::default()
    };
    for _ in 0..(if x.chance(40) { 1 + x.below(2) } else { 0 }) {
        // View's row joins every feature (R-F0): overridden more often than the others.
        let f = if x.chance(25) {
            Feature::View
        } else {
            x.pick(Feature::ALL).copied().unwrap_or(Feature::View)
        };
        policy.features.insert(
            f,
            FeatureOverride {
                intune_combined: x.chance(50).then(|| {
                    x.subset(PERMISSION_POOL, 30)
                        .into_iter()
                        .map(String::from)
                        .collect()
                }),
                intune_only: x.chance(50).then(|| {
                    x.subset(PERMISSION_POOL, 30)
                        .into_iter()
                        .map(String::from)
                        .collect()
                }),
                configmgr: x.chance(50).then(|| x.subset(Operation::ALL, 20)),
                classes: x.chance(50).then(|| class_operations(&mut x, 40)),
                since: x.chance(40).then(|| x.pick(VERSIONS).copied()).flatten(),
                client_since: None,
            },
        );
    }

    // R-G7: the site's scripts, unknown sometimes.
    let scripts = x.chance(75).then(|| {
        (0..x.below(4))
            .map(|i| Script {
                id: format!("00000000-0000-4000-8000-{i:012}"),
                name: format!("Script {i}"),
                approved: !x.chance(25),
                has_parameters: x.chance(25),
                scopes: x
                    .subset(SCRIPT_SCOPES, 50)
                    .into_iter()
                    .map(String::from)
                    .collect(),
            })
            .collect()
    });

    let mut s = Snapshot {
        schema: String::from(SCHEMA),
        tenant: Tenant {
            use_intune_rbac: x.chance(60),
            intune_permission_merge: if x.chance(35) {
                PermissionMerge::Scoped
            } else {
                PermissionMerge::Merged
            },
            unlicensed_admins: false,
        },
        hierarchy,
        devices: devices.into(),
        collections: collections.into(),
        configmgr: ConfigMgr {
            scripts,
            roles,
            admins,
            users: discovered,
        },
        entra: Entra { users, groups },
        intune: Intune {
            scope_tags: vec![
                ScopeTag {
                    id: "0".into(),
                    name: "Default".into(),
                },
                ScopeTag {
                    id: "1".into(),
                    name: "Paris".into(),
                },
                ScopeTag {
                    id: "2".into(),
                    name: "Servers".into(),
                },
            ],
            role_definitions: defs,
            role_assignments: assignments,
        },
        policy,
        x: None,
    };
    rulebook_3(&mut x, &mut s);
    s
}

/// Rulebook 3's facts and knobs, drawn after everything else (so that a world's rulebook 2
/// part is drawn from the same words as before, and words past the end give rulebook 2's
/// answers: every first choice is the default or "not known"): licences (R-I8) and the
/// tenant's *unlicensed admins* setting, the reader directory roles (R-I1), a built-in *Help
/// Desk Operator* role definition sometimes, one more nesting edge between groups (so that
/// direct and nested membership differ), client versions (R-F5), the scripts switch (R-F3), the
/// SMS Provider's MFA (R-F6), every value of the four new knobs and `client_since` overrides.
fn rulebook_3(x: &mut Dice<'_>, s: &mut Snapshot) {
    s.tenant.unlicensed_admins = x.chance(50);
    s.hierarchy.scripts_feature_enabled = match x.below(3) {
        0 => None,
        1 => Some(true),
        _ => Some(false),
    };
    s.hierarchy.sms_provider_mfa = match x.below(6) {
        0 | 1 => None,
        2..=4 => Some(false),
        _ => Some(true),
    };
    let site = s.hierarchy.version;
    let clients: Vec<u32> = CLIENT_VERSIONS
        .iter()
        .copied()
        .filter(|v| *v <= site)
        .collect();
    for d in &mut s.devices {
        let version = if x.chance(80) {
            x.pick(&clients).copied()
        } else {
            None
        };
        // A device without a ConfigMgr client has no client version.
        d.client_version = version.filter(|_| d.client);
    }
    for u in &mut s.entra.users {
        u.intune_licensed = match x.below(3) {
            0 => None,
            1 => Some(true),
            _ => Some(false),
        };
        if x.chance(20)
            && let Some(r) = x.pick(READER_ROLES)
        {
            u.directory_roles.push(*r);
        }
    }
    // One more nesting edge: a group inside another (cycles allowed, as before).
    let group_ids: Vec<String> = s
        .entra
        .groups
        .iter()
        .map(|g| g.id.clone())
        .filter(|g| g.starts_with('g'))
        .collect();
    if x.chance(50) {
        let outer = x.pick(&group_ids).cloned().unwrap_or_default();
        let inner = x.pick(&group_ids).cloned().unwrap_or_default();
        if outer != inner
            && let Some(g) = s.entra.groups.iter_mut().find(|g| g.id == outer)
            && !g.members.contains(&inner)
        {
            g.members.push(inner);
        }
    }
    // R-I1 `helpdesk_as_operator`: the built-in Help Desk Operator (now and then a custom role
    // of that name, which does not count), assigned sometimes.
    if x.chance(50) {
        let built_in = !x.chance(20);
        s.intune.role_definitions.push(RoleDefinition {
            id: String::from("role-hdo"),
            name: String::from(HELP_DESK_OPERATOR),
            built_in,
            permissions: x
                .subset(PERMISSION_POOL, 50)
                .into_iter()
                .map(String::from)
                .collect(),
        });
        if x.chance(40) {
            let n = s.intune.role_assignments.len();
            if let Some(a) = s.intune.role_assignments.get_mut(x.below(n)) {
                a.role = String::from("role-hdo");
            }
        }
    }
    let p = &mut s.policy;
    p.entra_roles = x.pick(EntraRoles::ALL).copied().unwrap_or_default();
    p.licence_unknown = x.pick(LicenceUnknown::ALL).copied().unwrap_or_default();
    p.application_actions_split = x
        .pick(ApplicationActionsSplit::ALL)
        .copied()
        .unwrap_or_default();
    p.us_government_features = x
        .pick(UsGovernmentFeatures::ALL)
        .copied()
        .unwrap_or_default();
    // R-F5: `client_since` on the overrides drawn before, and now and then on its own.
    for o in p.features.values_mut() {
        if x.chance(30) {
            o.client_since = x.pick(CLIENT_VERSIONS).copied();
        }
    }
    if x.chance(30) {
        let f = x.pick(Feature::ALL).copied().unwrap_or(Feature::View);
        let since = x.pick(CLIENT_VERSIONS).copied();
        p.features.entry(f).or_default().client_since = since;
    }
}

/// R-G6: a random subset of operations per class (a class with none is left out or, now and
/// then, listed empty).
fn class_operations(x: &mut Dice<'_>, percent: u32) -> BTreeMap<SecuredClass, Vec<ClassOperation>> {
    let mut map = BTreeMap::new();
    for class in SecuredClass::ALL {
        // Read and Approve are what the table asks for: drawn on their own, more often.
        let mut ops = Vec::new();
        if x.chance(percent + 20) {
            ops.push(ClassOperation::Read);
        }
        if *class == SecuredClass::Application && x.chance(percent) {
            ops.push(ClassOperation::Approve);
        }
        let others: Vec<ClassOperation> = ClassOperation::ALL
            .iter()
            .copied()
            .filter(|o| !matches!(o, ClassOperation::Read | ClassOperation::Approve))
            .collect();
        ops.extend(x.subset(&others, 10));
        if !ops.is_empty() || x.chance(10) {
            map.insert(*class, ops);
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    /// Degenerate knobs still draw valid worlds: counts of 0 count as 1, a word range upside
    /// down is one size, and `build` takes any counts and words.
    #[test]
    fn degenerate_shapes_draw_valid_worlds() {
        let mut runner = TestRunner::deterministic();
        let shape = Shape::new(0, 0, 0).with_words(50, 10);
        for _ in 0..20 {
            let s = worlds(shape).new_tree(&mut runner).unwrap().current();
            assert_eq!((s.devices.len(), s.entra.users.len()), (1, 1));
            tenant_attach::Engine::new(s).unwrap();
        }
        for (nd, nc, nu) in [(0, 0, 0), (1, 0, 3), (4, 1, 0)] {
            for words in [&[][..], &[u32::MAX; 300][..], &[99; 300][..]] {
                let s = build(nd, nc, nu, words);
                assert_eq!(s.devices.len(), nd);
                tenant_attach::Engine::new(s).unwrap();
            }
        }
    }

    /// `SMALL` keeps the word range the suite's persisted regressions were drawn with.
    #[test]
    fn small_is_the_suites_shape() {
        assert_eq!(Shape::SMALL, Shape::new(10, 9, 5).with_words(900, 1199));
        assert_eq!(Shape::default(), SMALL);
    }

    /// A word past the end reads as 0; `pick` of nothing is `None` and reads no word.
    #[test]
    fn dice_read_zeros_past_the_end() {
        let mut x = Dice::new(&[7, 3]);
        assert_eq!(x.pick::<u8>(&[]), None);
        assert_eq!(x.pick(&[10, 11, 12]), Some(&11));
        assert_eq!(x.below(2), 1);
        assert!(!x.chance(100));
        assert_eq!(x.subset(&[1, 2, 3], 100), Vec::<i32>::new());
    }
}
