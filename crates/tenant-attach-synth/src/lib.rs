//! Deterministic synthetic hierarchies of any size, realistic in shape: a few sites, OU-like
//! trees of limiting collections up to depth 8, include and exclude rules on a few percent of
//! collections, about 5% devices without a client, co-managed devices with site scope tags, a
//! few tenant-attached devices whose Default tag was removed, users in nested groups, Intune
//! assignments over several scope tags, and ConfigMgr admins (users and AD groups) on
//! collection subtrees in both association modes.
//!
//! The same [`Params`] always give the same snapshot, byte for byte.
//!
//! ```
//! let params = tenant_attach_synth::Params { devices: 200, collections: 40, users: 12, seed: 7 };
//! let snapshot = tenant_attach_synth::generate(&params);
//! let engine = tenant_attach::Engine::new(snapshot).unwrap();
//! assert_eq!(engine.device_count(), 200);
//! ```

#![deny(missing_docs)]

use std::collections::BTreeMap;
use std::io::Write;

use tenant_attach::snapshot::*;
use tenant_attach::{ClassOperation, Feature, Operation, SecuredClass};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// How many devices.
    pub devices: usize,
    /// How many collections (at least 2 per site plus the built-ins are always made).
    pub collections: usize,
    /// How many Entra users.
    pub users: usize,
    /// The seed.
    pub seed: u64,
}

/// The most devices [`Params::check`] accepts: ten times the largest benchmarked size (L).
/// Generating holds the whole snapshot in memory, about 400 bytes a device (L, 1,000,000
/// devices, peaks at 393 MB), and loading the result about 900 bytes a device: 10,000,000
/// devices need about 4 GB to generate and 9 GB to load, beyond any real hierarchy.
pub const MAX_DEVICES: usize = 10_000_000;
/// The most collections [`Params::check`] accepts (ten times L).
pub const MAX_COLLECTIONS: usize = 1_000_000;
/// The most Entra users [`Params::check`] accepts (a hundred times L).
pub const MAX_USERS: usize = 1_000_000;

/// Rough bytes of memory per generated device, collection and user (see [`MAX_DEVICES`]).
const BYTES_PER_DEVICE: usize = 400;
const BYTES_PER_COLLECTION: usize = 1_000;
const BYTES_PER_USER: usize = 2_000;

/// Sizes that [`Params::check`] refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeError {
    /// The parameter: `devices`, `collections` or `users`.
    pub what: &'static str,
    /// The value asked for.
    pub asked: usize,
    /// The most accepted.
    pub max: usize,
}

impl std::fmt::Display for SizeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} `{}` is more than the {} a generated snapshot may have",
            self.what, self.asked, self.max
        )
    }
}

impl std::error::Error for SizeError {}

impl Params {
    /// Refuses sizes beyond [`MAX_DEVICES`], [`MAX_COLLECTIONS`] and [`MAX_USERS`]: check
    /// before [`generate`] or [`write_json`], which allocate for every device.
    pub fn check(&self) -> Result<(), SizeError> {
        for (what, asked, max) in [
            ("devices", self.devices, MAX_DEVICES),
            ("collections", self.collections, MAX_COLLECTIONS),
            ("users", self.users, MAX_USERS),
        ] {
            if asked > max {
                return Err(SizeError { what, asked, max });
            }
        }
        Ok(())
    }

    /// A rough estimate of the memory [`generate`] needs, in bytes (`None` if it overflows).
    pub fn estimated_bytes(&self) -> Option<usize> {
        self.devices
            .checked_mul(BYTES_PER_DEVICE)?
            .checked_add(self.collections.checked_mul(BYTES_PER_COLLECTION)?)?
            .checked_add(self.users.checked_mul(BYTES_PER_USER)?)
    }
}

/// SplitMix64: small, fast, deterministic; no dependency needed for reproducible shapes.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with probability `percent` / 100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.next_u64() % 10_000 < percent * 100
    }

    /// True with probability `permille` / 1000.
    pub fn permille(&mut self, permille: u64) -> bool {
        self.next_u64() % 1000 < permille
    }
}

/// How many sites.
pub const SITES: usize = 3;
const MAX_DEPTH: usize = 8;
const FIRST_RESOURCE_ID: u32 = 16_777_216;

/// The resource id of the `i`-th device, checked (within [`MAX_DEVICES`] it never saturates).
fn resource_id(i: usize) -> u32 {
    u32::try_from(i)
        .ok()
        .and_then(|i| FIRST_RESOURCE_ID.checked_add(i))
        .unwrap_or(u32::MAX)
}

fn guid(kind: u32, i: usize) -> String {
    format!("{kind:08x}-0000-4000-8000-{i:012x}")
}

fn site_sid(site: usize, rid: usize) -> String {
    format!(
        "S-1-5-21-{}-1177238915-682003330-{rid}",
        1_004_336_348 + site
    )
}

/// Generates the whole snapshot in memory.
pub fn generate(p: &Params) -> Snapshot {
    let mut g = Generator::new(p);
    g.build()
}

/// Generates the snapshot and writes it as JSON to `out`, one section at a time; calls
/// `progress(done, total)` every 100,000 devices. The output equals
/// `generate(p).to_json()` parsed (the formatting is compact).
pub fn write_json(
    p: &Params,
    out: &mut impl Write,
    mut progress: impl FnMut(&str, usize, usize),
) -> std::io::Result<()> {
    let s = generate(p);
    let part = |out: &mut dyn Write, v: &dyn ErasedSer| v.write_to(out);
    write!(out, "{{\"schema\":{}", serde_json::to_string(&s.schema)?)?;
    write!(out, ",\"tenant\":")?;
    part(out, &s.tenant)?;
    write!(out, ",\"hierarchy\":")?;
    part(out, &s.hierarchy)?;
    write!(out, ",\"devices\":[")?;
    for (i, d) in s.devices.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        part(out, d)?;
        if (i + 1) % 100_000 == 0 {
            progress("devices", i + 1, s.devices.len());
        }
    }
    write!(out, "],\"collections\":[")?;
    for (i, c) in s.collections.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        part(out, c)?;
        if (i + 1) % 10_000 == 0 {
            progress("collections", i + 1, s.collections.len());
        }
    }
    write!(out, "],\"configmgr\":")?;
    part(out, &s.configmgr)?;
    write!(out, ",\"entra\":")?;
    part(out, &s.entra)?;
    write!(out, ",\"intune\":")?;
    part(out, &s.intune)?;
    write!(out, ",\"policy\":")?;
    part(out, &s.policy)?;
    writeln!(out, "}}")?;
    Ok(())
}

/// Object-safe serialization, so `write_json` can stream sections of different types.
trait ErasedSer {
    fn write_to(&self, out: &mut dyn Write) -> std::io::Result<()>;
}

impl<T: serde::Serialize> ErasedSer for T {
    fn write_to(&self, out: &mut dyn Write) -> std::io::Result<()> {
        serde_json::to_writer(out, self).map_err(std::io::Error::other)
    }
}

struct Generator {
    p: Params,
    rng: Rng,
}

/// One generated collection before it becomes a snapshot collection.
struct Node {
    parent: usize,
    site: usize,
    depth: usize,
}

impl Generator {
    fn new(p: &Params) -> Generator {
        Generator {
            p: *p,
            rng: Rng::new(p.seed),
        }
    }

    fn build(&mut self) -> Snapshot {
        let n_dev = self.p.devices.max(1);
        let n_users = self.p.users.max(1);
        let rng = &mut self.rng;

        // --- Collections: per site an OU-like tree of limiting collections (depth ≤ 8).
        // Node 0 is All Systems; nodes 1..=SITES the site roots.
        let mut nodes: Vec<Node> = vec![Node {
            parent: 0,
            site: 0,
            depth: 0,
        }];
        for site in 0..SITES {
            nodes.push(Node {
                parent: 0,
                site,
                depth: 1,
            });
        }
        let wanted = self.p.collections.max(SITES + 5);
        // Four more are added below: all servers, the upload collection, its child, All Users.
        let tree = wanted - 4;
        while nodes.len() < tree {
            // Prefer recent nodes so the trees grow deep; cap the depth.
            let pick = if rng.percent(60) && nodes.len() > SITES + 1 {
                nodes.len() - 1 - rng.below((nodes.len() - 1).min(50))
            } else {
                1 + rng.below(nodes.len() - 1)
            };
            let Some(parent) = nodes.get(pick) else { break };
            let (site, depth) = (parent.site, parent.depth);
            if depth >= MAX_DEPTH {
                continue;
            }
            nodes.push(Node {
                parent: pick,
                site,
                depth: depth + 1,
            });
        }

        // --- Devices: each lives in one OU collection (a tree node of its site).
        let mut site_nodes: Vec<Vec<usize>> = vec![Vec::new(); SITES];
        for (i, n) in nodes.iter().enumerate().skip(1) {
            if let Some(v) = site_nodes.get_mut(n.site) {
                v.push(i);
            }
        }
        let mut devices = Vec::with_capacity(n_dev);
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); nodes.len()];
        let mut servers = Vec::new();
        for i in 0..n_dev {
            let rid = resource_id(i);
            let site = rng.below(SITES);
            let server = rng.percent(10);
            let co_managed = !server && rng.percent(15);
            let scope_tags = if co_managed {
                let mut t = vec![String::from("0")];
                if rng.percent(70) {
                    t.push(format!("{}", site + 1));
                }
                t
            } else if rng.permille(2) {
                Vec::new() // Default removed (R-S2)
            } else {
                vec![String::from("0")]
            };
            devices.push(Device {
                resource_id: rid,
                name: format!("S{}-{}-{i:07}", site + 1, if server { "SRV" } else { "WS" }),
                client: !rng.percent(5),
                os: Some(String::from(if server {
                    "Microsoft Windows Server 2022 Standard"
                } else {
                    "Microsoft Windows 11 Enterprise"
                })),
                co_managed,
                scope_tags,
                entra_device_id: None,
                // R-F5: one client in 40 is older than 2010 (derived from the id, so the
                // random stream, and so every other choice, stays as it was).
                client_version: Some(if rid % 40 == 7 { 2006 } else { 2403 }),
                scope_groups: if co_managed {
                    vec![guid(0xd0, site)]
                } else {
                    Vec::new()
                },
            });
            if server {
                servers.push(rid);
            }
            // The device's OU, then every ancestor up to All Systems holds it (query rules
            // such as "OU=…" include sub-OUs).
            let ou = site_nodes
                .get(site)
                .and_then(|v| v.get(rng.below(v.len())).copied())
                .unwrap_or(0);
            let mut at = ou;
            loop {
                if let Some(m) = members.get_mut(at) {
                    m.push(rid);
                }
                if at == 0 {
                    break;
                }
                at = nodes.get(at).map_or(0, |n| n.parent);
            }
        }

        let id_of = |i: usize| -> String {
            if i == 0 {
                String::from("SMS00001")
            } else {
                format!("PS1{i:05X}")
            }
        };
        let mut collections = Vec::with_capacity(nodes.len() + 4);
        for (i, n) in nodes.iter().enumerate() {
            let mut rules = vec![CollectionRule::Query(QueryRule {
                name: if i == 0 {
                    String::from("All Systems")
                } else {
                    format!("OU {}", id_of(i))
                },
                wql: Some(format!(
                    "select * from SMS_R_System where SystemOUName = 'OU{i}'"
                )),
                members: members.get_mut(i).map(std::mem::take).unwrap_or_default(),
            })];
            // Include and exclude rules on a few percent, always toward earlier collections.
            if i > SITES + 1 && rng.percent(3) {
                let other = 1 + rng.below(i - 1);
                rules.push(if rng.percent(50) {
                    CollectionRule::Include(id_of(other))
                } else {
                    CollectionRule::Exclude(id_of(other))
                });
            }
            if i > 0 && rng.percent(2) {
                let few: Vec<u32> = (0..3).map(|_| resource_id(rng.below(n_dev))).collect();
                rules.push(CollectionRule::Direct(few));
            }
            collections.push(Collection {
                id: id_of(i),
                name: if i == 0 {
                    String::from("All Systems")
                } else if i <= SITES {
                    format!("Site {} devices", n.site + 1)
                } else {
                    format!("Site {} OU {} (depth {})", n.site + 1, id_of(i), n.depth)
                },
                kind: CollectionType::Device,
                limiting: if i == 0 { None } else { Some(id_of(n.parent)) },
                rules,
            });
        }
        let next = nodes.len();
        let servers_id = id_of(next);
        let upload_id = id_of(next + 1);
        let pilot_id = id_of(next + 2);
        collections.push(Collection {
            id: servers_id.clone(),
            name: String::from("All servers"),
            kind: CollectionType::Device,
            limiting: Some(String::from("SMS00001")),
            rules: vec![CollectionRule::Query(QueryRule {
                name: String::from("Server OS"),
                wql: Some(String::from("select * from SMS_R_System where OperatingSystemNameandVersion like '%Server%'")),
                members: servers,
            })],
        });
        // Upload: sites 1 and 2, minus the servers; a child pulls one site-3 OU in.
        collections.push(Collection {
            id: upload_id.clone(),
            name: String::from("Cloud attach upload"),
            kind: CollectionType::Device,
            limiting: Some(String::from("SMS00001")),
            rules: vec![
                CollectionRule::Include(id_of(1)),
                CollectionRule::Include(id_of(2)),
                CollectionRule::Exclude(servers_id.clone()),
            ],
        });
        collections.push(Collection {
            id: pilot_id,
            name: String::from("Upload plus pilot"),
            kind: CollectionType::Device,
            limiting: Some(String::from("SMS00001")),
            rules: vec![
                CollectionRule::Include(upload_id.clone()),
                CollectionRule::Include(id_of(
                    site_nodes
                        .get(2)
                        .and_then(|v| v.last().copied())
                        .unwrap_or(3),
                )),
            ],
        });
        collections.push(Collection {
            id: String::from("SMS00002"),
            name: String::from("All Users"),
            kind: CollectionType::User,
            limiting: None,
            rules: Vec::new(),
        });

        // --- Entra: users in nested groups. Per site: helpdesk and server-ops groups,
        // nested in tenant-wide groups.
        let mut groups = Vec::new();
        let all_help = guid(0x6a, 0);
        let all_srv = guid(0x6a, 1);
        let mut help: Vec<Vec<String>> = vec![Vec::new(); SITES];
        let mut srv: Vec<Vec<String>> = vec![Vec::new(); SITES];
        let mut users = Vec::with_capacity(n_users);
        let mut discovered = Vec::new();
        for i in 0..n_users {
            let id = guid(0x5f, i);
            let site = rng.below(SITES);
            let hybrid = !rng.percent(10);
            let role = rng.below(10); // 0..6 helpdesk, 7..8 server ops, 9 neither
            let sid = site_sid(site, 10_000 + i);
            let mut group_sids = Vec::new();
            if hybrid {
                if role < 7 {
                    group_sids.push(site_sid(site, 1105));
                } else if role < 9 {
                    group_sids.push(site_sid(site, 1107));
                }
                let by = match rng.below(20) {
                    0 => vec![],
                    1 => vec![DiscoveryAgent::Ad],
                    2 => vec![DiscoveryAgent::Entra],
                    _ => vec![DiscoveryAgent::Ad, DiscoveryAgent::Entra],
                };
                if !by.is_empty() {
                    discovered.push(DiscoveredUser {
                        sid: sid.clone(),
                        discovered_by: by,
                    });
                }
            }
            let bucket = if role < 7 {
                help.get_mut(site)
            } else if role < 9 {
                srv.get_mut(site)
            } else {
                None
            };
            if let Some(v) = bucket {
                v.push(id.clone());
            }
            users.push(EntraUser {
                id,
                upn: format!("user{i:06}@contoso.example"),
                on_premises_sid: hybrid.then_some(sid),
                on_premises_group_sids: group_sids,
                directory_roles: if i == 0 {
                    vec![DirectoryRole::GlobalAdministrator]
                } else if rng.permille(2) {
                    vec![DirectoryRole::IntuneAdministrator]
                } else {
                    Vec::new()
                },
                // R-I8: one user in 25 holds no Intune licence (derived from the number, so
                // the random stream stays as it was).
                intune_licensed: Some(i % 25 != 7),
            });
        }
        let mut site_help_ids = Vec::new();
        let mut site_srv_ids = Vec::new();
        for site in 0..SITES {
            let h = guid(0x6b, site);
            let s = guid(0x6c, site);
            let hm = help.get_mut(site).map(std::mem::take).unwrap_or_default();
            let sm = srv.get_mut(site).map(std::mem::take).unwrap_or_default();
            groups.push(EntraGroup {
                id: h.clone(),
                name: format!("Site {} helpdesk", site + 1),
                members: hm,
            });
            groups.push(EntraGroup {
                id: s.clone(),
                name: format!("Site {} server operators", site + 1),
                members: sm,
            });
            groups.push(EntraGroup {
                id: guid(0xd0, site),
                name: format!("Site {} co-managed devices", site + 1),
                members: Vec::new(),
            });
            site_help_ids.push(h);
            site_srv_ids.push(s);
        }
        groups.push(EntraGroup {
            id: all_help.clone(),
            name: String::from("All helpdesk"),
            members: site_help_ids.clone(),
        });
        groups.push(EntraGroup {
            id: all_srv.clone(),
            name: String::from("All server operators"),
            members: site_srv_ids.clone(),
        });

        // --- Intune: Default plus one tag per site; assignments per site and tenant-wide.
        let mut scope_tags = vec![ScopeTag {
            id: String::from("0"),
            name: String::from("Default"),
        }];
        for site in 0..SITES {
            scope_tags.push(ScopeTag {
                id: format!("{}", site + 1),
                name: format!("Site {}", site + 1),
            });
        }
        let p = |names: &[&str]| {
            names
                .iter()
                .map(|n| format!("Microsoft.Intune_{n}"))
                .collect::<Vec<_>>()
        };
        let role_definitions = vec![
            RoleDefinition {
                id: String::from(tenant_attach::findings::HELP_DESK_OPERATOR_ID),
                name: String::from("Help Desk Operator"),
                built_in: true,
                permissions: p(&[
                    "ManagedDevices_Read",
                    "RemoteTasks_ConfigurationManagerAction",
                    "CloudAttach_ClientDetails",
                    "CloudAttach_Timeline",
                ]),
            },
            RoleDefinition {
                id: String::from("fa1d7878-e8cb-41a1-8254-0142355c9f84"),
                name: String::from("Read Only Operator"),
                built_in: true,
                permissions: p(&["ManagedDevices_Read", "CloudAttach_ClientDetails"]),
            },
            RoleDefinition {
                id: guid(0x7e, 1),
                name: String::from("Cloud Attach Server Operator"),
                built_in: false,
                permissions: p(&[
                    "ManagedDevices_Read",
                    "RemoteTasks_ConfigurationManagerAction",
                    "CloudAttach_ScriptActions",
                    "CloudAttach_CMPivot",
                    "CloudAttach_Scripts",
                ]),
            },
        ];
        let mut role_assignments = Vec::new();
        for (site, helpdesk) in site_help_ids.iter().enumerate() {
            role_assignments.push(RoleAssignment {
                id: guid(0xa1, site),
                name: format!("Site {} helpdesk", site + 1),
                role: String::from(tenant_attach::findings::HELP_DESK_OPERATOR_ID),
                members: vec![helpdesk.clone()],
                scope: if site == 0 {
                    AssignmentScope {
                        all_devices: None,
                        groups: Some(vec![guid(0xd0, site)]),
                    }
                } else {
                    AssignmentScope::all_devices()
                },
                scope_tags: vec![String::from("0"), format!("{}", site + 1)],
            });
        }
        role_assignments.push(RoleAssignment {
            id: guid(0xa2, 0),
            name: String::from("Server operators"),
            role: guid(0x7e, 1),
            members: vec![all_srv],
            scope: AssignmentScope::all_devices(),
            scope_tags: vec![String::from("0")],
        });
        role_assignments.push(RoleAssignment {
            id: guid(0xa2, 1),
            name: String::from("Read only, all"),
            role: String::from("fa1d7878-e8cb-41a1-8254-0142355c9f84"),
            members: vec![all_help],
            scope: AssignmentScope::all_devices(),
            scope_tags: vec![],
        });

        // --- ConfigMgr: roles; per site AD groups on the site's subtree.
        let all_ops: Vec<Operation> = Operation::ALL.to_vec();
        let roles = vec![
            ConfigMgrRole {
                id: String::from("SMS0001R"),
                name: String::from("Full Administrator"),
                collection_operations: all_ops,
                class_operations: BTreeMap::new(),
            },
            ConfigMgrRole {
                id: String::from("PS100001"),
                name: String::from("Help Desk"),
                collection_operations: vec![
                    Operation::Read,
                    Operation::ReadResource,
                    Operation::NotifyResource,
                    Operation::RemoteControl,
                ],
                class_operations: BTreeMap::from([(
                    SecuredClass::Application,
                    vec![ClassOperation::Read, ClassOperation::Approve],
                )]),
            },
            ConfigMgrRole {
                id: String::from("PS100002"),
                name: String::from("Server Operator"),
                collection_operations: vec![
                    Operation::Read,
                    Operation::ReadResource,
                    Operation::NotifyResource,
                    Operation::RunScript,
                    Operation::RunCmpivot,
                ],
                class_operations: BTreeMap::from([
                    (SecuredClass::Site, vec![ClassOperation::Read]),
                    (SecuredClass::Scripts, vec![ClassOperation::Read]),
                ]),
            },
            ConfigMgrRole {
                id: String::from("SMS000AR"),
                name: String::from("Read-only Analyst"),
                collection_operations: vec![Operation::Read, Operation::ReadResource],
                class_operations: BTreeMap::from([
                    (SecuredClass::Application, vec![ClassOperation::Read]),
                    (SecuredClass::Site, vec![ClassOperation::Read]),
                    (SecuredClass::Scripts, vec![ClassOperation::Read]),
                ]),
            },
        ];
        // R-G7: scripts in the Default scope, one of them runnable from the admin center.
        let scripts = vec![
            Script {
                id: String::from("5e0b3a1c-0000-4000-8000-000000000001"),
                name: String::from("Restart print spooler"),
                approved: true,
                has_parameters: false,
                scopes: vec![String::from("SMS00UNA")],
            },
            Script {
                id: String::from("5e0b3a1c-0000-4000-8000-000000000002"),
                name: String::from("Collect logs"),
                approved: true,
                has_parameters: true,
                scopes: vec![String::from("SMS00UNA")],
            },
            Script {
                id: String::from("5e0b3a1c-0000-4000-8000-000000000003"),
                name: String::from("Clear CCM cache"),
                approved: false,
                has_parameters: false,
                scopes: vec![String::from("SMS00UNA")],
            },
        ];
        let mut admins = vec![ConfigMgrAdmin {
            id: 16_777_217,
            account: String::from("CONTOSO\\CM-Admins"),
            sid: site_sid(0, 1101),
            is_group: true,
            association_mode: AssociationMode::CrossProduct,
            roles: vec![String::from("SMS0001R")],
            collections: vec![String::from("SMS00001"), String::from("SMS00002")],
            scopes: vec![String::from("SMS00ALL")],
            associations: vec![],
            associations_inferred: false,
        }];
        for site in 0..SITES {
            let root = id_of(1 + site);
            // Helpdesk: a few OU subtrees of the site, cross product.
            let subtrees: Vec<String> = (0..3)
                .filter_map(|_| {
                    site_nodes
                        .get(site)
                        .and_then(|v| v.get(rng.below(v.len())))
                        .map(|c| id_of(*c))
                })
                .collect();
            admins.push(ConfigMgrAdmin {
                id: 16_777_300 + site as u32 * 2,
                account: format!("CONTOSO\\S{}-Helpdesk", site + 1),
                sid: site_sid(site, 1105),
                is_group: true,
                association_mode: AssociationMode::CrossProduct,
                roles: vec![String::from("PS100001")],
                collections: if site == 1 {
                    vec![root.clone()]
                } else {
                    subtrees
                },
                scopes: vec![String::from("SMS00UNA")],
                associations: vec![],
                associations_inferred: false,
            });
            admins.push(ConfigMgrAdmin {
                id: 16_777_301 + site as u32 * 2,
                account: format!("CONTOSO\\S{}-ServerOps", site + 1),
                sid: site_sid(site, 1107),
                is_group: true,
                association_mode: AssociationMode::Specific,
                roles: vec![String::from("PS100002"), String::from("SMS000AR")],
                collections: vec![servers_id.clone(), root.clone()],
                scopes: vec![String::from("SMS00UNA")],
                associations: vec![
                    Association {
                        role: String::from("PS100002"),
                        collections: vec![servers_id.clone()],
                    },
                    Association {
                        role: String::from("SMS000AR"),
                        collections: vec![root],
                    },
                ],
                associations_inferred: false,
            });
        }
        // A few user admins.
        for (k, u) in users
            .iter()
            .enumerate()
            .filter(|(_, u)| u.on_premises_sid.is_some())
            .take(5)
        {
            if let Some(sid) = &u.on_premises_sid {
                admins.push(ConfigMgrAdmin {
                    id: 16_777_400 + k as u32,
                    account: format!("CONTOSO\\user{k}"),
                    sid: sid.clone(),
                    is_group: false,
                    association_mode: AssociationMode::CrossProduct,
                    roles: vec![String::from("SMS000AR")],
                    collections: vec![id_of(1 + k % SITES)],
                    scopes: vec![String::from("SMS00UNA")],
                    associations: vec![],
                    associations_inferred: false,
                });
            }
        }

        Snapshot {
            schema: String::from(SCHEMA),
            tenant: Tenant {
                use_intune_rbac: true,
                intune_permission_merge: PermissionMerge::Merged,
                unlicensed_admins: true,
            },
            hierarchy: Hierarchy {
                name: Some(format!(
                    "Synthetic {}d/{}c/{}u seed {}",
                    self.p.devices, self.p.collections, self.p.users, self.p.seed
                )),
                site_code: String::from("CAS"),
                version: 2409,
                cloud: Cloud::Public,
                online: true,
                healthy: true,
                co_management: true,
                attach: Attach {
                    state: AttachState::Attached,
                    upload: Upload::collection(upload_id),
                    enforce_configmgr_rbac: true,
                    endpoint_analytics: false,
                    defender_data: false,
                },
                discovery: Discovery::default(),
                scripts_feature_enabled: None,
                sms_provider_mfa: Some(false),
            },
            devices: devices.into(),
            collections: collections.into(),
            configmgr: ConfigMgr {
                scripts: Some(scripts),
                roles,
                admins,
                users: discovered,
            },
            entra: Entra { users, groups },
            intune: Intune {
                scope_tags,
                role_definitions,
                role_assignments,
            },
            policy: Policy::default(),
            x: None,
        }
    }
}

/// The features a benchmark draws from.
pub fn features() -> &'static [Feature] {
    Feature::ALL
}
