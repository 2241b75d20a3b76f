//! Issue 6: findings (each triggered, each silent when the setting is right), `diff`
//! properties, the report and the graph.

use std::collections::BTreeSet;

use proptest::prelude::*;
use tenant_attach::snapshot::*;
use tenant_attach::{Engine, Feature, Operation, Report, diff, findings};

use crate::world::{SMALL, worlds};

fn contoso() -> Snapshot {
    Snapshot::from_json(tenant_attach::sample::CONTOSO).unwrap()
}

fn ids(s: &Snapshot) -> BTreeSet<&'static str> {
    findings(&Engine::new(s.clone()).unwrap())
        .iter()
        .map(|f| f.id)
        .collect()
}

fn fires(s: &Snapshot, id: &str) -> bool {
    ids(s).contains(id)
}

#[test]
fn demo_sample_shows_at_least_five_findings() {
    let all = ids(&contoso());
    assert!(all.len() >= 5, "{all:?}");
}

/// R-S3: a Help Desk Operator assignment reaching servers through Default.
#[test]
fn finding_helpdesk_sees_servers() {
    let mut s = contoso();
    assert!(fires(&s, "helpdesk_sees_servers"));
    s.intune.role_assignments[0].scope_tags = vec!["1".into()];
    assert!(!fires(&s, "helpdesk_sees_servers"));
}

/// R-G1: cloud-only users with Intune roles in combined mode.
#[test]
fn finding_cloud_only_intune_admins() {
    let mut s = contoso();
    assert!(fires(&s, "cloud_only_intune_admins"));
    let erin = s.entra.users[4].id.clone();
    s.entra.groups[0].members.retain(|m| *m != erin);
    assert!(!fires(&s, "cloud_only_intune_admins"));
}

/// R-G2: Intune admins that ConfigMgr has not discovered.
#[test]
fn finding_undiscovered_admins() {
    let mut s = contoso();
    assert!(fires(&s, "undiscovered_admins"));
    s.configmgr.users.push(DiscoveredUser {
        sid: s.entra.users[5].on_premises_sid.clone().unwrap(),
        discovered_by: vec![DiscoveryAgent::Ad],
    });
    // Rulebook 2 (`by_feature`): frank found by AD alone still misses the client-details
    // pages, as do bob (AD only) and dave (Entra only).
    assert!(fires(&s, "undiscovered_admins"));
    for u in &mut s.configmgr.users {
        u.discovered_by = vec![DiscoveryAgent::Ad, DiscoveryAgent::Entra];
    }
    assert!(!fires(&s, "undiscovered_admins"));
}

/// R-F1: an Intune role grants an action that ConfigMgr never allows.
#[test]
fn finding_half_configured_access() {
    let mut s = contoso();
    assert!(fires(&s, "half_configured_access"));
    s.configmgr.roles[1]
        .collection_operations
        .push(Operation::NotifyResource); // bob's analyst role
    assert!(!fires(&s, "half_configured_access"));
}

/// R-S2: uploaded tenant-attached devices without Default.
#[test]
fn finding_attached_without_default() {
    let mut s = contoso();
    assert!(fires(&s, "attached_without_default"));
    let lab2 = s
        .devices
        .iter_mut()
        .find(|d| d.name == "CON-LAB-02")
        .unwrap();
    lab2.scope_tags = vec!["0".into()];
    assert!(!fires(&s, "attached_without_default"));
}

/// R-S3: assignments without Default.
#[test]
fn finding_assignment_without_default() {
    let mut s = contoso();
    assert!(fires(&s, "assignment_without_default"));
    s.intune.role_assignments[2].scope_tags = vec!["0".into(), "1".into()];
    assert!(!fires(&s, "assignment_without_default"));
}

/// R-U4: children of the upload collection pull in devices outside it.
#[test]
fn finding_upload_children_outside() {
    let mut s = contoso();
    assert!(fires(&s, "upload_children_outside"));
    s.policy.child_relations = vec![ChildRelation::Limiting];
    assert!(!fires(&s, "upload_children_outside"));
}

/// R-M1: users who would gain access if the enforce box were cleared.
#[test]
fn finding_gain_if_enforce_cleared() {
    let mut s = contoso();
    assert!(fires(&s, "gain_if_enforce_cleared"));
    s.tenant.use_intune_rbac = false; // clearing the box alone would not change the mode
    assert!(!fires(&s, "gain_if_enforce_cleared"));
}

/// R-H1, R-H3, R-H6: the report's lifecycle advice follows the hierarchy.
#[test]
fn report_lifecycle_advice() {
    let mut s = contoso();
    let advice = |s: &Snapshot| tenant_attach::report::lifecycle(&Engine::new(s.clone()).unwrap());
    let a = advice(&s);
    let rules: Vec<&str> = a.iter().map(|a| a.rule).collect();
    assert!(rules.contains(&"R-H1") && rules.contains(&"R-H3") && rules.contains(&"R-U6"));
    assert!(!rules.contains(&"R-H6"));
    assert!(
        a.iter()
            .any(|a| a.rule == "R-H1" && a.message.contains("dave@contoso.com"))
    );
    assert!(
        a.iter()
            .any(|a| a.rule == "R-H3" && a.message.contains("Configure upload"))
    );
    s.hierarchy.co_management = false;
    s.hierarchy.version = 2103;
    s.hierarchy.online = false;
    let a = advice(&s);
    assert!(
        a.iter()
            .any(|a| a.rule == "R-H3" && a.message.contains("Configure co-management"))
    );
    assert!(
        a.iter()
            .any(|a| a.rule == "R-H6" && a.message.contains("Unknown"))
    );
    s.hierarchy.version = 2111;
    assert!(
        advice(&s)
            .iter()
            .any(|a| a.rule == "R-H3" && a.message.contains("Configure Cloud Attach"))
    );
}

#[test]
fn report_counts_match_the_queries() {
    let e = Engine::new(contoso()).unwrap();
    let r = Report::build(&e);
    assert_eq!(r.upload.uploaded, e.upload().uploaded().len());
    let left: u64 = r.upload.not_uploaded.values().map(|l| l.count).sum();
    assert_eq!(left + r.upload.uploaded, e.device_count() as u64);
    let alice = r
        .users
        .iter()
        .find(|u| u.upn == "alice@contoso.com")
        .unwrap();
    let u = e.find_user("alice@contoso.com").unwrap();
    assert_eq!(alice.features["view"], e.visible(u, Feature::View).len());
    assert_eq!(r.offboarding.allowed, ["dave@contoso.com"]);
}

/// Every allowed (user id, resource id, feature), straight from `check`.
fn triples(e: &Engine) -> BTreeSet<(String, u32, Feature)> {
    let mut out = BTreeSet::new();
    for u in e.users() {
        for d in e.device_ixs() {
            for f in Feature::ALL {
                if e.check(*u, d, *f).allowed {
                    out.insert((
                        e.user(*u).unwrap().id.clone(),
                        e.device(d).unwrap().resource_id,
                        *f,
                    ));
                }
            }
        }
    }
    out
}

fn as_triples(changes: &[tenant_attach::Change]) -> BTreeSet<(String, u32, Feature)> {
    changes
        .iter()
        .map(|c| (c.user_id.clone(), c.resource_id, c.feature))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    /// diff(A, A) is empty.
    #[test]
    fn diff_with_itself_is_empty(a in worlds(SMALL)) {
        let e = Engine::new(a).unwrap();
        let d = diff(&e, &e);
        prop_assert!(d.is_empty());
    }

    /// diff(A, B).gained = diff(B, A).lost, and diff agrees with checking every triple.
    #[test]
    fn diff_is_antisymmetric_and_exact(a in worlds(SMALL), b in worlds(SMALL)) {
        let (ea, eb) = (Engine::new(a).unwrap(), Engine::new(b).unwrap());
        let ab = diff(&ea, &eb);
        let ba = diff(&eb, &ea);
        let (ab_gained, ab_lost) = (ab.gained(), ab.lost());
        prop_assert_eq!(&ab_gained, &ba.lost());
        prop_assert_eq!(&ab_lost, &ba.gained());
        let (ta, tb) = (triples(&ea), triples(&eb));
        prop_assert_eq!(as_triples(&ab_gained), tb.difference(&ta).cloned().collect::<BTreeSet<_>>());
        prop_assert_eq!(as_triples(&ab_lost), ta.difference(&tb).cloned().collect::<BTreeSet<_>>());
    }

    /// R-I3: monotonic changes (a group membership, an assignment) yield no losses.
    #[test]
    fn monotonic_changes_lose_nothing(a in worlds(SMALL), g in any::<usize>(), u in any::<usize>()) {
        let mut b = a.clone();
        let users: Vec<String> = b.entra.users.iter().map(|u| u.id.clone()).collect();
        let n = b.entra.groups.len();
        b.entra.groups[g % n].members.push(users[u % users.len()].clone());
        let role = b.intune.role_definitions[g % b.intune.role_definitions.len()].id.clone();
        let group = b.entra.groups[u % n].id.clone();
        b.intune.role_assignments.push(RoleAssignment {
            id: "added".into(), name: "Added".into(), role, members: vec![group],
            scope: AssignmentScope::all_devices(), scope_tags: vec![],
        });
        let (ea, eb) = (Engine::new(a).unwrap(), Engine::new(b).unwrap());
        let d = diff(&ea, &eb);
        prop_assert_eq!(d.counts().1, 0, "{:?}", d.lost());
    }
}

/// Issue 10 regression: `check` once answered `allowed: true` with an upload grant for a user
/// index the engine did not hold. Handles now carry their engine: a handle of another engine
/// (here a copy of the same hierarchy with one more user, so the numbers are in range) is a
/// deny (`unknown_handle`), never an allow; `allows`, `visible` and `who` agree.
#[test]
fn check_fails_closed_on_foreign_handles() {
    let e = Engine::new(contoso()).unwrap();
    let dev = e.find_device("CON-WS-001").unwrap();
    let alice = e.find_user("alice@contoso.com").unwrap();
    assert!(e.check(alice, dev, Feature::View).allowed);
    let mut bigger = contoso();
    let mut extra = bigger.entra.users[0].clone();
    extra.id = String::from("extra");
    extra.upn = String::from("extra@contoso.com");
    bigger.entra.users.push(extra);
    let other = Engine::new(bigger).unwrap();
    let ghost_user = other.find_user("extra@contoso.com").unwrap();
    let alice_there = other.find_user("alice@contoso.com").unwrap();
    let dev_there = other.find_device("CON-WS-001").unwrap();
    assert_eq!(alice_there.index(), alice.index());
    for (u, d) in [
        (ghost_user, dev),
        (alice_there, dev),
        (alice, dev_there),
        (alice_there, dev_there),
    ] {
        for f in Feature::ALL {
            let decision = e.check(u, d, *f);
            assert!(!decision.allowed, "{u:?} {d:?} {f}");
            assert!(decision.grants.is_empty());
            assert_eq!(
                decision.codes().collect::<Vec<_>>(),
                [tenant_attach::ReasonCode::UnknownHandle]
            );
            assert!(!e.allows(u, d, *f));
        }
    }
    assert!(e.visible(alice_there, Feature::View).is_empty());
    assert!(e.who(dev_there, Feature::View).is_empty());
    assert!(e.user(ghost_user).is_none());
    assert!(e.device(dev_there).is_none());
    // Collections too: the same position in another engine is not this engine's collection.
    let here = e.find_collection("SMS00001").unwrap();
    let there = other.find_collection("SMS00001").unwrap();
    assert_eq!(here.index(), there.index());
    assert_eq!(e.collections().id(here), Some("SMS00001"));
    assert_eq!(e.collections().id(there), None);
    assert!(e.collection(there).is_none());
    assert!(e.collections().members(there).is_empty());
    assert!(!e.collections().members(here).is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// `sensitivity` (with its shortcuts for knobs that cannot matter) counts exactly the
    /// decisions a brute force finds: for every knob and other value, check every (user,
    /// device, feature) under the alternative policy.
    #[test]
    fn sensitivity_counts_match_a_brute_force(s in worlds(SMALL)) {
        let e = Engine::new(s).unwrap();
        let result = tenant_attach::sensitivity(&e, None);
        for k in &result.knobs {
            let alternatives = k.knob.alternatives(e.policy());
            prop_assert_eq!(alternatives.len(), k.alternatives.len());
            for (p, a) in alternatives.into_iter().zip(&k.alternatives) {
                let other = e.with_policy(p);
                let (mut gained, mut lost) = (0u64, 0u64);
                let mut users = BTreeSet::new();
                let mut devices = BTreeSet::new();
                for u in e.users() {
                    for d in e.device_ixs() {
                        for f in Feature::ALL {
                            match (e.allows(*u, d, *f), other.allows(*u, d, *f)) {
                                (false, true) => gained += 1,
                                (true, false) => lost += 1,
                                _ => continue,
                            }
                            users.insert(*u);
                            devices.insert(d);
                        }
                    }
                }
                prop_assert_eq!((a.gained, a.lost), (gained, lost), "{} = {}", k.knob, a.value);
                prop_assert_eq!(a.users, users.len() as u64);
                prop_assert_eq!(a.devices, devices.len() as u64);
            }
        }
    }
}

/// One edit of the kinds `fix` proposes (and their removals), picked by `k` and placed by `i`
/// and `j`: the what-if engine shares what the edit leaves alone.
fn edit(s: &mut Snapshot, k: u8, i: usize, j: usize) {
    let rid = s.devices[i % s.devices.len()].resource_id;
    let user = s.entra.users[j % s.entra.users.len()].id.clone();
    let group = s
        .entra
        .groups
        .get(i % s.entra.groups.len().max(1))
        .map(|g| g.id.clone());
    let collection = s.collections[j % s.collections.len()].id.clone();
    let (groups, admins) = (s.entra.groups.len().max(1), s.configmgr.admins.len().max(1));
    match k % 10 {
        0 | 8 => {
            let c = j % s.collections.len();
            s.collections[c]
                .rules
                .push(CollectionRule::Direct(vec![rid]));
        }
        1 | 9 => {
            for c in s.collections.iter_mut() {
                for r in c.rules.iter_mut() {
                    if let CollectionRule::Direct(ids) = r {
                        ids.retain(|x| *x != rid);
                    }
                }
            }
        }
        2 => {
            if let Some(g) = s.entra.groups.get_mut(i % groups) {
                g.members.push(user);
            }
        }
        3 => {
            if let Some(g) = s.entra.groups.get_mut(i % groups) {
                g.members.retain(|m| *m != user);
            }
        }
        4 => {
            if let Some(a) = s.configmgr.admins.get_mut(i % admins) {
                a.collections.push(collection);
            }
        }
        5 => {
            let perms: Vec<String> = s
                .intune
                .role_definitions
                .iter()
                .flat_map(|d| d.permissions.clone())
                .collect();
            let n = s.intune.role_definitions.len();
            if let (Some(d), Some(p)) = (
                s.intune.role_definitions.get_mut(i % n.max(1)),
                perms.get(j % perms.len().max(1)),
            ) {
                d.permissions.push(p.clone());
            }
        }
        6 => {
            let tag = s.intune.scope_tags[j % s.intune.scope_tags.len()]
                .id
                .clone();
            let n = s.intune.role_assignments.len();
            if let Some(a) = s.intune.role_assignments.get_mut(i % n.max(1)) {
                a.scope_tags.push(tag);
            }
        }
        7 => {
            if let Some(g) = group {
                let n = s.devices.len();
                s.devices[j % n].scope_groups.push(g);
            }
        }
        _ => unreachable!(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Issue 20: `diff` of an engine and its incremental what-if (`Engine::with_snapshot`,
    /// which shares the devices, the unchanged memberships and the device side of the access
    /// index, and lets `diff` decide only the changed devices for the users an edit left
    /// alone) is exactly the brute force over every (user, device, feature) of a fresh engine
    /// of the edited snapshot; so are its memberships (R-C1) and every decision.
    #[test]
    fn diff_of_an_incremental_what_if_is_exact(
        a in worlds(SMALL),
        edits in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..4),
    ) {
        let old = Engine::new(a.clone()).unwrap();
        let mut b = a;
        for (k, i, j) in edits {
            edit(&mut b, k, i, j);
        }
        let Ok(fresh) = Engine::new(b.clone()) else {
            return Ok(()); // an edit the engine refuses (a cycle): nothing to compare
        };
        let what_if = old.with_snapshot(b).unwrap();
        let d = diff(&old, &what_if);
        let (to, tn) = (triples(&old), triples(&fresh));
        prop_assert_eq!(as_triples(&d.gained()), tn.difference(&to).cloned().collect::<BTreeSet<_>>());
        prop_assert_eq!(as_triples(&d.lost()), to.difference(&tn).cloned().collect::<BTreeSet<_>>());
        prop_assert_eq!(triples(&what_if), tn);
    }
}
