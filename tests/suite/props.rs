//! Invariants as proptest properties (issue 2: collections and upload; issue 3: access).

use std::collections::BTreeSet;

use proptest::prelude::*;
use tenant_attach::snapshot::*;
use tenant_attach::{Engine, Feature, Mode};

use crate::world::{SMALL, worlds};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 300,
        ..ProptestConfig::default()
    }
}

/// Resource ids of a device set.
fn ids(e: &Engine, set: impl Iterator<Item = tenant_attach::DeviceIx>) -> BTreeSet<u32> {
    set.map(|d| e.device(d).unwrap().resource_id).collect()
}

/// Every allowed (user id, resource id, feature) of an engine.
fn allowed(e: &Engine) -> BTreeSet<(String, u32, Feature)> {
    let mut out = BTreeSet::new();
    for u in e.users() {
        for d in e.device_ixs() {
            for f in Feature::ALL {
                if e.allows(*u, d, *f) {
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

proptest! {
    #![proptest_config(config())]

    /// R-C1: members(C) ⊆ members(limit(C)).
    #[test]
    fn members_within_limiting(s in worlds(SMALL)) {
        let e = crate::engine(&s);
        for c in &s.collections {
            if let Some(l) = &c.limiting {
                let m = e.collections().members(e.find_collection(&c.id).unwrap());
                let lm = e.collections().members(e.find_collection(l).unwrap());
                prop_assert!(m.is_subset(lm), "{} escapes its limiting collection {}", c.id, l);
            }
        }
    }

    /// R-C2: exclude wins.
    #[test]
    fn exclude_wins(s in worlds(SMALL)) {
        let e = crate::engine(&s);
        for c in &s.collections {
            let m = e.collections().members(e.find_collection(&c.id).unwrap());
            for r in &c.rules {
                if let CollectionRule::Exclude(x) = r {
                    let xm = e.collections().members(e.find_collection(x).unwrap());
                    prop_assert!(m.iter().all(|d| !xm.contains(d)), "{} keeps a member of excluded {}", c.id, x);
                }
            }
        }
    }

    /// R-U3, R-U4: one collection's upload ⊆ the upload of all devices.
    #[test]
    fn collection_upload_within_all_devices(s in worlds(SMALL), pick in any::<usize>()) {
        let e = crate::engine(&s);
        let devices: Vec<&Collection> = s.collections.iter().filter(|c| c.kind == CollectionType::Device).collect();
        let c = devices[pick % devices.len()];
        let one = e.upload_with(&Upload::collection(c.id.clone()), &s.policy.child_relations);
        let all = e.upload_with(&Upload::all_devices(), &s.policy.child_relations);
        prop_assert!(one.uploaded().is_subset(all.uploaded()));
    }

    /// R-U4: adding a relation kind to `child_relations` never shrinks the upload.
    #[test]
    fn more_child_relations_never_shrink_upload(s in worlds(SMALL), pick in any::<usize>(), mask in 0u8..8, add in 0usize..3) {
        let e = crate::engine(&s);
        let kinds = [ChildRelation::Limiting, ChildRelation::Include, ChildRelation::Exclude];
        let base: Vec<ChildRelation> = kinds.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, k)| *k).collect();
        let mut more = base.clone();
        if !more.contains(&kinds[add]) { more.push(kinds[add]); }
        let devices: Vec<&Collection> = s.collections.iter().filter(|c| c.kind == CollectionType::Device).collect();
        let setting = Upload::collection(devices[pick % devices.len()].id.clone());
        prop_assert!(e.upload_with(&setting, &base).uploaded().is_subset(e.upload_with(&setting, &more).uploaded()));
    }

    /// R-U3, R-U4: every uploaded device has a client.
    #[test]
    fn uploaded_devices_have_clients(s in worlds(SMALL)) {
        let e = crate::engine(&s);
        prop_assert!(e.upload().uploaded().iter().all(|d| e.device(d).unwrap().client));
    }

    /// Results do not depend on the order of devices, collections, users or groups in the file.
    #[test]
    fn order_does_not_matter(s in worlds(SMALL), seed in any::<u64>()) {
        let mut shuffled = s.clone();
        let mut state = seed | 1;
        let mut next = |n: usize| { state ^= state << 13; state ^= state >> 7; state ^= state << 17; (state % n as u64) as usize };
        for i in (1..shuffled.devices.len()).rev() { let j = next(i + 1); shuffled.devices.swap(i, j); }
        for i in (1..shuffled.collections.len()).rev() { let j = next(i + 1); shuffled.collections.swap(i, j); }
        for i in (1..shuffled.entra.users.len()).rev() { let j = next(i + 1); shuffled.entra.users.swap(i, j); }
        for i in (1..shuffled.entra.groups.len()).rev() { let j = next(i + 1); shuffled.entra.groups.swap(i, j); }
        let a = crate::engine(&s);
        let b = crate::engine(&shuffled);
        for c in &s.collections {
            let ma = ids(&a, a.collections().members(a.find_collection(&c.id).unwrap()).iter());
            let mb = ids(&b, b.collections().members(b.find_collection(&c.id).unwrap()).iter());
            prop_assert_eq!(ma, mb);
        }
        prop_assert_eq!(ids(&a, a.upload().uploaded().iter()), ids(&b, b.upload().uploaded().iter()));
        for d in &s.devices {
            let via = |e: &Engine| e.upload().via(e.device_by_resource_id(d.resource_id).unwrap()).iter().map(|c| e.collections().id(*c).unwrap().to_owned()).collect::<Vec<_>>();
            prop_assert_eq!(via(&a), via(&b));
        }
        prop_assert_eq!(allowed(&a), allowed(&b));
    }

    /// The snapshot model round-trips: parse(print(snapshot)) == snapshot.
    #[test]
    fn parse_print_round_trip(s in worlds(SMALL)) {
        let text = s.to_json();
        prop_assert_eq!(Snapshot::from_json(&text).unwrap(), s);
    }

    /// R-F0: any feature allowed ⇒ `view` allowed (R-F3 included: a feature exists only where
    /// view exists, so a `since` override of view holds back every feature).
    #[test]
    fn any_feature_implies_view(s in worlds(SMALL)) {
        let e = crate::engine(&s);
        for u in e.users() { for d in e.device_ixs() { for f in Feature::ALL {
            if e.allows(*u, d, *f) { prop_assert!(e.allows(*u, d, Feature::View), "{f} without view"); }
        }}}
    }

    /// R-S2: a tenant-attached device without Default is visible to nobody.
    #[test]
    fn attached_without_default_is_invisible(s in worlds(SMALL)) {
        let e = crate::engine(&s);
        for d in e.device_ixs() {
            let dev = e.device(d).unwrap();
            if !dev.co_managed && dev.scope_tags.is_empty() {
                for f in Feature::ALL { prop_assert!(e.who(d, *f).is_empty()); }
            }
        }
    }

    /// R-S3: an assignment set without Default reaches no tenant-attached device.
    #[test]
    fn assignments_without_default_see_no_attached_device(s in worlds(SMALL)) {
        let e = crate::engine(&s);
        let ignores_tags = e.mode() == Mode::IntuneOnly && s.policy.intune_only_ignores_scope_tags;
        prop_assume!(!ignores_tags);
        for u in e.users() {
            let user = e.user(*u).unwrap();
            if !user.directory_roles.is_empty() { continue; }
            // The user's assignments, straight from the snapshot (R-I2 with nesting).
            let mut groups: BTreeSet<&str> = BTreeSet::new();
            let mut changed = true;
            while changed {
                changed = false;
                for g in &s.entra.groups {
                    if !groups.contains(g.id.as_str()) && g.members.iter().any(|m| *m == user.id || groups.contains(m.as_str())) {
                        groups.insert(&g.id); changed = true;
                    }
                }
            }
            let mine: Vec<&RoleAssignment> = s.intune.role_assignments.iter().filter(|a| a.members.iter().any(|m| groups.contains(m.as_str()))).collect();
            let default_reach = |a: &&RoleAssignment| if a.scope_tags.is_empty() { true } else { a.scope_tags.iter().any(|t| t == "0") };
            if mine.iter().any(default_reach) { continue; }
            for d in e.device_ixs() {
                if !e.device(d).unwrap().co_managed {
                    prop_assert!(!e.allows(*u, d, Feature::View), "{} sees attached {}", user.upn, e.device(d).unwrap().name);
                }
            }
        }
    }

    /// R-I3 and friends: adding a group membership, a role assignment, a permission, a
    /// ConfigMgr association, a class operation (R-G6), a runnable script or a security scope
    /// (R-G7) never removes an allow (monotonic).
    #[test]
    fn grants_are_monotonic(s in worlds(SMALL), change in 0usize..7, a in any::<usize>(), b in any::<usize>()) {
        let before = allowed(&crate::engine(&s));
        let mut t = s.clone();
        match change {
            0 => {
                let users: Vec<String> = t.entra.users.iter().map(|u| u.id.clone()).collect();
                let ng = t.entra.groups.len();
                let g = &mut t.entra.groups[a % ng];
                g.members.push(users[b % users.len()].clone());
            }
            1 => {
                let role = t.intune.role_definitions[a % t.intune.role_definitions.len()].id.clone();
                let group = t.entra.groups[b % t.entra.groups.len()].id.clone();
                t.intune.role_assignments.push(RoleAssignment {
                    id: String::from("added"), name: String::from("Added"), role,
                    members: vec![group], scope: AssignmentScope::all_devices(), scope_tags: vec![String::from("0")],
                });
            }
            2 => {
                let n = t.intune.role_definitions.len();
                let p = crate::world::PERMISSION_POOL[b % crate::world::PERMISSION_POOL.len()];
                t.intune.role_definitions[a % n].permissions.push(p.to_owned());
            }
            4 => {
                // R-G6: one more class operation on a role.
                let n = t.configmgr.roles.len();
                let class = tenant_attach::SecuredClass::ALL[b % tenant_attach::SecuredClass::ALL.len()];
                let op = tenant_attach::ClassOperation::ALL[(b / 7) % tenant_attach::ClassOperation::ALL.len()];
                t.configmgr.roles[a % n].class_operations.entry(class).or_default().push(op);
            }
            5 => {
                // R-G7: one more runnable script (when the list is known).
                let scopes = ["SMS00UNA", "PS100003"];
                if let Some(list) = &mut t.configmgr.scripts {
                    list.push(Script {
                        id: String::from("added"), name: String::from("Added"), approved: true,
                        has_parameters: false, scopes: vec![scopes[b % 2].to_owned()],
                    });
                } else {
                    return Ok(());
                }
            }
            6 => {
                // R-G7: one more security scope on an administrative user.
                if t.configmgr.admins.is_empty() {
                    return Ok(());
                }
                let scopes = ["SMS00UNA", "SMS00ALL", "PS100003"];
                let n = t.configmgr.admins.len();
                t.configmgr.admins[a % n].scopes.push(scopes[b % 3].to_owned());
            }
            _ => {
                let role = t.configmgr.roles[a % t.configmgr.roles.len()].id.clone();
                let device_colls: Vec<String> = t.collections.iter().filter(|c| c.kind == CollectionType::Device).map(|c| c.id.clone()).collect();
                let coll = device_colls[b % device_colls.len()].clone();
                if t.configmgr.admins.is_empty() {
                    return Ok(());
                }
                let n = t.configmgr.admins.len();
                let admin = &mut t.configmgr.admins[a % n];
                match admin.association_mode {
                    AssociationMode::CrossProduct => { admin.roles.push(role); admin.collections.push(coll); }
                    AssociationMode::Specific => admin.associations.push(Association { role, collections: vec![coll] }),
                }
            }
        }
        let after = allowed(&crate::engine(&t));
        prop_assert!(before.is_subset(&after), "lost: {:?}", before.difference(&after).collect::<Vec<_>>());
    }

    /// R-I4: a `scoped` allow is a `merged` allow.
    #[test]
    fn scoped_allow_implies_merged_allow(s in worlds(SMALL)) {
        let mut scoped = s.clone();
        scoped.tenant.intune_permission_merge = PermissionMerge::Scoped;
        let mut merged = s;
        merged.tenant.intune_permission_merge = PermissionMerge::Merged;
        let a = allowed(&crate::engine(&scoped));
        let b = allowed(&crate::engine(&merged));
        prop_assert!(a.is_subset(&b));
    }

    /// R-G1: a cloud-only user is never allowed in `combined` mode.
    #[test]
    fn cloud_only_never_allowed_in_combined(s in worlds(SMALL)) {
        let e = crate::engine(&s);
        prop_assume!(e.mode() == Mode::Combined);
        for u in e.users() {
            if e.user(*u).unwrap().on_premises_sid.is_none() {
                for f in Feature::ALL { prop_assert!(e.visible(*u, *f).is_empty()); }
            }
        }
    }

    /// R-M1: for the three device actions, a `combined` allow is an `intune_only` allow.
    #[test]
    fn combined_allow_implies_intune_only_for_device_actions(s in worlds(SMALL)) {
        let mut combined = s;
        combined.policy.features.clear();
        combined.hierarchy.version = combined.hierarchy.version.max(2207);
        combined.tenant.use_intune_rbac = true;
        combined.hierarchy.attach.enforce_configmgr_rbac = true;
        let mut only = combined.clone();
        only.hierarchy.attach.enforce_configmgr_rbac = false;
        let c = crate::engine(&combined);
        let o = crate::engine(&only);
        prop_assert_eq!(c.mode(), Mode::Combined);
        prop_assert_eq!(o.mode(), Mode::IntuneOnly);
        for u in c.users() { for d in c.device_ixs() {
            for f in [Feature::SyncMachinePolicy, Feature::SyncUserPolicy, Feature::AppEvaluationCycle] {
                if c.allows(*u, d, f) {
                    let (ou, od) = (o.user_from(&c, *u).unwrap(), o.device_from(&c, d).unwrap());
                    prop_assert!(o.allows(ou, od, f));
                }
            }
        }}
    }

    /// `visible(u)` is exactly the devices d with `check(u, d)` allowed, and `who(d)` exactly
    /// the users u with it.
    #[test]
    fn visible_and_who_match_check(s in worlds(SMALL)) {
        let e = crate::engine(&s);
        for f in Feature::ALL {
            for u in e.users() {
                let by_check: BTreeSet<tenant_attach::DeviceIx> = e.device_ixs().filter(|d| e.check(*u, *d, *f).allowed).collect();
                let visible: BTreeSet<tenant_attach::DeviceIx> = e.visible(*u, *f).iter().collect();
                prop_assert_eq!(visible, by_check, "visible for {} ({})", e.user(*u).unwrap().upn, f);
            }
            for d in e.device_ixs() {
                let by_check: Vec<tenant_attach::UserIx> = e.users().iter().copied().filter(|u| e.check(*u, d, *f).allowed).collect();
                prop_assert_eq!(e.who(d, *f), by_check);
            }
        }
    }

    /// A deny has at least one reason; an allow has none and at least one grant.
    #[test]
    fn decisions_are_complete(s in worlds(SMALL)) {
        let e = crate::engine(&s);
        for u in e.users() { for d in e.device_ixs() { for f in Feature::ALL {
            let dec = e.check(*u, d, *f);
            if dec.allowed {
                prop_assert!(dec.reasons.is_empty());
                prop_assert!(!dec.grants.is_empty());
            } else {
                prop_assert!(!dec.reasons.is_empty());
            }
        }}}
    }

    /// Users of one class (same directory role, assignments and ConfigMgr grants) decide alike,
    /// and features of one class decide alike: `diff` and `report` rely on both.
    #[test]
    fn classes_decide_alike(s in worlds(SMALL)) {
        let e = crate::engine(&s);
        let classes = e.user_classes();
        for a in e.users() { for b in e.users() {
            if classes[a.index() as usize] == classes[b.index() as usize] {
                for f in Feature::ALL { prop_assert_eq!(e.visible(*a, *f), e.visible(*b, *f)); }
            }
        }}
        for class in e.feature_classes() {
            for u in e.users() {
                let first = e.visible(*u, class[0]);
                for f in &class[1..] { prop_assert_eq!(&e.visible(*u, *f), &first); }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Issue 10: handles fail closed. Handles issued by another engine (even with the same
    /// numbers, even of an identical snapshot) never yield an allow, a device, a user or a
    /// non-empty answer from this engine.
    #[test]
    fn foreign_handles_never_allow(a in worlds(SMALL), b in worlds(SMALL)) {
        let ea = crate::engine(&a);
        for other in [crate::engine(&b), crate::engine(&a)] {
            for u in other.users() {
                prop_assert!(ea.user(*u).is_none());
                prop_assert!(ea.offboard(*u).allowed.eq(&false));
                for f in Feature::ALL {
                    prop_assert!(ea.visible(*u, *f).is_empty());
                }
            }
            for d in other.device_ixs() {
                prop_assert!(ea.device(d).is_none());
                prop_assert!(!ea.upload().is_uploaded(d));
                for f in Feature::ALL {
                    prop_assert!(ea.who(d, *f).is_empty());
                    for u in ea.users().iter().chain(other.users()) {
                        prop_assert!(!ea.allows(*u, d, *f));
                        let c = ea.check(*u, d, *f);
                        prop_assert!(!c.allowed && c.grants.is_empty());
                        prop_assert_eq!(c.codes().collect::<Vec<_>>(), [tenant_attach::ReasonCode::UnknownHandle]);
                    }
                }
            }
            for u in other.users() {
                for d in ea.device_ixs() {
                    for f in Feature::ALL {
                        prop_assert!(!ea.allows(*u, d, *f));
                        prop_assert!(!ea.check(*u, d, *f).allowed);
                    }
                }
            }
            // Collection handles: no id, no collection, no members, no edges, no dependents.
            let g = ea.collections();
            for c in other.collections().in_id_order() {
                prop_assert!(g.id(c).is_none());
                prop_assert!(ea.collection(c).is_none());
                prop_assert!(g.members(c).is_empty());
                prop_assert_eq!(g.edges_at(c).count(), 0);
                prop_assert!(g.dependents(c, &tenant_attach::snapshot::ChildRelation::all()).is_empty());
            }
            for c in g.in_id_order() {
                prop_assert!(other.collections().id(c).is_none());
                prop_assert!(!g.edges().iter().any(|(x, y, _)| other.collections().id(*x).is_some() || other.collections().id(*y).is_some()));
            }
        }
    }
}
