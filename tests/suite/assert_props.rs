//! Properties of `tenant_attach::assert` over random worlds: an `only … exactly` built from
//! `who` holds and breaks when one user is left out; `never` and `count` agree with deciding
//! every pair one by one.

use proptest::prelude::*;
use tenant_attach::assert::{
    self, Assertion, Assertions, CountBound, Kind, OnlyBound, Subject, Target,
};
use tenant_attach::snapshot::EntraGroup;
use tenant_attach::{Engine, Feature, Snapshot};

use crate::world::{SMALL, features, worlds};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 200,
        ..ProptestConfig::default()
    }
}

const GROUP: &str = "assert-who";

/// The world with one more Entra group, referenced by nothing, holding `members`.
fn with_group(s: &Snapshot, members: Vec<String>) -> Engine {
    let mut s = s.clone();
    s.entra.groups.push(EntraGroup {
        id: String::from(GROUP),
        name: String::from("Who, by assert"),
        members,
    });
    crate::engine(&s)
}

fn exactly(device: u32, feature: Feature) -> Assertions {
    Assertions::new(vec![Assertion::new(
        "exactly who",
        Kind::Only {
            feature,
            target: Target::Device(device.to_string()),
            bound: OnlyBound::Exactly,
            subject: Subject::Group(String::from(GROUP)),
        },
    )])
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn only_exactly_from_who_holds_and_breaks_without_one(
        s in worlds(SMALL),
        pick in any::<prop::sample::Index>(),
        drop in any::<prop::sample::Index>(),
        f in features(),
    ) {
        let base = crate::engine(&s);
        let d = base.device_ixs().nth(pick.index(base.device_count())).unwrap();
        let rid = base.device(d).unwrap().resource_id;
        let who: Vec<String> = base.who(d, f).iter().map(|u| base.user(*u).unwrap().id.clone()).collect();
        let engine = with_group(&s, who.clone());
        let d2 = engine.device_by_resource_id(rid).unwrap();
        // The group changes nobody's access.
        let again: Vec<String> = engine.who(d2, f).iter().map(|u| engine.user(*u).unwrap().id.clone()).collect();
        prop_assert_eq!(&again, &who);
        let outcome = assert::assert(&engine, &exactly(rid, f)).unwrap();
        prop_assert!(outcome.all_hold(), "{}", outcome);
        if !who.is_empty() {
            let mut fewer = who.clone();
            let gone = fewer.remove(drop.index(who.len()));
            let engine = with_group(&s, fewer);
            let outcome = assert::assert(&engine, &exactly(rid, f)).unwrap();
            prop_assert!(!outcome.all_hold());
            let r = &outcome.results[0];
            // The one counterexample: the user left out, allowed (at_most breaks).
            prop_assert_eq!(r.counterexamples.len(), 1);
            let c = &r.counterexamples[0];
            let upn = engine.user(engine.find_user(&gone).unwrap()).unwrap().upn.clone();
            prop_assert_eq!((c.user.as_deref(), c.allowed), (Some(upn.as_str()), true));
        }
    }

    #[test]
    fn never_and_count_agree_with_every_pair(
        s in worlds(SMALL),
        pick_user in any::<prop::sample::Index>(),
        pick_collection in any::<prop::sample::Index>(),
        f in features(),
    ) {
        let engine = crate::engine(&s);
        let u = engine.users()[pick_user.index(engine.users().len())];
        let graph = engine.collections();
        let c = graph.in_id_order().nth(pick_collection.index(graph.len())).unwrap();
        let members = graph.members(c);
        let pairs = |u| members.iter().filter(|d| engine.allows(u, *d, f)).count() as u64;
        let id = graph.id(c).unwrap().to_owned();
        let upn = engine.user(u).unwrap().upn.clone();
        let reached = engine.users().iter().filter(|v| pairs(**v) > 0).count() as u64;
        let file = Assertions::new(vec![
            Assertion::new("never", Kind::Never {
                subject: Subject::User(upn.clone()),
                feature: f,
                target: Target::Collection(id.clone()),
            }),
            Assertion::new("count", Kind::Count {
                feature: f,
                target: Target::Collection(id.clone()),
                subject: None,
                bound: CountBound::UsersAtMost(reached),
            }),
            Assertion::new("count fewer", Kind::Count {
                feature: f,
                target: Target::Collection(id),
                subject: None,
                bound: CountBound::UsersAtMost(reached.saturating_sub(1)),
            }),
        ]);
        let outcome = assert::assert(&engine, &file).unwrap();
        let [never, count, fewer] = &outcome.results[..] else { panic!("three results") };
        prop_assert_eq!(never.passed, pairs(u) == 0);
        prop_assert_eq!(never.total, pairs(u));
        prop_assert_eq!(never.counterexamples.len() as u64, pairs(u).min(10));
        prop_assert!(never.counterexamples.iter().all(|c| c.allowed));
        prop_assert!(count.passed);
        prop_assert_eq!(fewer.passed, reached == 0);
    }
}
