//! Differential tests: the engine against the reference evaluator (written straight from
//! the rulebook) on every generated world: membership (R-C1, R-C2), upload (R-U1..R-U4, R-H2)
//! and every (user, device, feature) decision with its set of reason codes.

use std::collections::BTreeSet;

use proptest::prelude::*;
use tenant_attach::{Engine, Feature, ReasonCode};

use crate::reference::Reference;
use crate::world::{SMALL, worlds};

/// The questions both evaluators answer, behind one trait (Cedar's shape).
pub trait Evaluator {
    fn members(&self, collection: &str) -> BTreeSet<u32>;
    fn uploaded(&self) -> BTreeSet<u32>;
    fn decide(&self, user: &str, resource_id: u32, f: Feature) -> (bool, BTreeSet<ReasonCode>);
}

impl Evaluator for Engine {
    fn members(&self, collection: &str) -> BTreeSet<u32> {
        let c = self.find_collection(collection).unwrap();
        self.collections()
            .members(c)
            .iter()
            .map(|d| self.device(d).unwrap().resource_id)
            .collect()
    }
    fn uploaded(&self) -> BTreeSet<u32> {
        self.upload()
            .uploaded()
            .iter()
            .map(|d| self.device(d).unwrap().resource_id)
            .collect()
    }
    fn decide(&self, user: &str, resource_id: u32, f: Feature) -> (bool, BTreeSet<ReasonCode>) {
        let u = self.find_user(user).unwrap();
        let d = self.device_by_resource_id(resource_id).unwrap();
        let decision = self.check(u, d, f);
        assert_eq!(
            decision.allowed,
            self.allows(u, d, f),
            "fast path and explanation disagree"
        );
        (decision.allowed, decision.codes().collect())
    }
}

impl Evaluator for Reference<'_> {
    fn members(&self, collection: &str) -> BTreeSet<u32> {
        Reference::members(self, collection)
    }
    fn uploaded(&self) -> BTreeSet<u32> {
        Reference::uploaded(self)
    }
    fn decide(&self, user: &str, resource_id: u32, f: Feature) -> (bool, BTreeSet<ReasonCode>) {
        Reference::decide(self, user, resource_id, f)
    }
}

/// Compares two evaluators on every question about `s`.
pub fn agree(
    s: &tenant_attach::Snapshot,
    a: &dyn Evaluator,
    b: &dyn Evaluator,
) -> Result<(), TestCaseError> {
    for c in &s.collections {
        prop_assert_eq!(
            a.members(&c.id),
            b.members(&c.id),
            "R-C1 members of {}",
            c.id
        );
    }
    prop_assert_eq!(a.uploaded(), b.uploaded(), "R-U upload");
    for u in &s.entra.users {
        for d in &s.devices {
            for f in Feature::ALL {
                prop_assert_eq!(
                    a.decide(&u.id, d.resource_id, *f),
                    b.decide(&u.id, d.resource_id, *f),
                    "decision for {} on {} ({})",
                    u.upn,
                    d.name,
                    f
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// R-C1, R-C2, R-U1..R-U4, R-M1, R-I1..R-I7, R-S1..R-S3, R-G1..R-G5, R-F0..R-F2: the engine
    /// and the reference agree on membership, upload and every decision.
    #[test]
    fn engine_agrees_with_reference(s in worlds(SMALL)) {
        let engine = crate::engine(&s);
        let reference = Reference { s: &s };
        agree(&s, &engine, &reference)?;
    }

    /// R-H4: offboarding agrees with the reference.
    #[test]
    fn offboard_agrees_with_reference(s in worlds(SMALL)) {
        let engine = crate::engine(&s);
        let reference = Reference { s: &s };
        for u in &s.entra.users {
            let o = engine.offboard(engine.find_user(&u.id).unwrap());
            prop_assert_eq!((o.allowed, o.eta_minutes_max), reference.offboard(&u.id));
        }
    }
}
