//! Property tests as an adopter writes them: only the public API of `tenant-attach` and
//! `tenant-attach-testkit`. User and device handles come from the engine (`users`,
//! `device_ixs`, `find_user`, `device_by_resource_id`) and go back to it unchanged; across two
//! engines they are matched by Entra id and resource id, never by position.

use proptest::prelude::*;
use proptest::sample::Index;
use tenant_attach::{Engine, Feature};
use tenant_attach_testkit::{SMALL, Shape, features, worlds};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 64,
        // An adopter's crate keeps its own regressions; this one does not write any.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The engine of a generated world, or the test case's failure.
fn engine(s: tenant_attach::Snapshot) -> Result<Engine, TestCaseError> {
    Engine::new(s).map_err(|e| TestCaseError::fail(format!("world refused: {e}")))
}

proptest! {
    #![proptest_config(config())]

    /// The fast path `allows` equals the explanation's verdict, and a deny names its
    /// conditions while an allow names none.
    #[test]
    fn fast_path_equals_the_explanation(s in worlds(SMALL)) {
        let e = engine(s)?;
        for &u in e.users() {
            for d in e.device_ixs() {
                for &f in Feature::ALL {
                    let decision = e.check(u, d, f);
                    prop_assert_eq!(e.allows(u, d, f), decision.allowed, "{}", decision);
                    prop_assert_eq!(decision.allowed, decision.reasons.is_empty(), "{}", decision);
                }
            }
        }
    }

    /// `visible(u, f)` holds `d` exactly when `allows(u, d, f)`.
    #[test]
    fn visible_is_the_set_of_allowed_devices(s in worlds(SMALL)) {
        let e = engine(s)?;
        for &u in e.users() {
            for &f in Feature::ALL {
                let visible = e.visible(u, f);
                let mut count = 0u64;
                for d in e.device_ixs() {
                    prop_assert_eq!(visible.contains(d), e.allows(u, d, f));
                    count += u64::from(visible.contains(d));
                }
                prop_assert_eq!(count, visible.len(), "visible holds a device outside device_ixs");
            }
        }
    }

    /// `who(d, f)` and `visible(u, f)` are the same relation read from both ends.
    #[test]
    fn who_and_visible_agree(s in worlds(SMALL), f in features()) {
        let e = engine(s)?;
        for d in e.device_ixs() {
            let who = e.who(d, f);
            for &u in e.users() {
                prop_assert_eq!(who.contains(&u), e.visible(u, f).contains(d));
            }
        }
    }

    /// R-F0: any feature allowed on a device implies `view` allowed on it, and a device outside
    /// the upload scope is allowed nothing.
    #[test]
    fn r_f0_every_feature_needs_view_and_the_upload(s in worlds(SMALL)) {
        let e = engine(s)?;
        for &u in e.users() {
            for d in e.device_ixs() {
                for &f in Feature::ALL {
                    if e.allows(u, d, f) {
                        prop_assert!(e.allows(u, d, Feature::View), "R-F0: {} without view", f);
                        prop_assert!(e.upload().is_uploaded(d), "R-F0: {} outside the upload", f);
                    }
                }
            }
        }
    }

    /// A world written as JSON and read back gives the same named answers, user by user
    /// (matched by Entra id) and device by device (matched by resource id).
    #[test]
    fn json_round_trip_keeps_every_answer(s in worlds(SMALL), f in features()) {
        let json = s.to_json();
        let a = engine(s)?;
        let b = Engine::from_json(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(a.users().len(), b.users().len());
        for &u in a.users() {
            let id = &a.user(u).ok_or_else(|| TestCaseError::fail("a listed user has no record"))?.id;
            let v = b.find_user(id).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(a.visible_devices(u, f), b.visible_devices(v, f));
        }
        for d in a.device_ixs() {
            let rid = a.device(d).ok_or_else(|| TestCaseError::fail("a listed device has no record"))?.resource_id;
            let w = b.device_by_resource_id(rid).ok_or_else(|| TestCaseError::fail(format!("device `{rid}` lost")))?;
            prop_assert_eq!(a.who_users(d, f), b.who_users(w, f));
        }
    }

    /// Aimed worlds: a wider shape stays within its bounds, and a user picked by proptest's
    /// `Index` from `users()` is found again by UPN.
    #[test]
    fn aimed_worlds_stay_in_their_shape(
        s in worlds(Shape::new(25, 12, 3)),
        pick in any::<Index>(),
    ) {
        prop_assert!((1..=25).contains(&s.devices.len()));
        prop_assert!((1..=3).contains(&s.entra.users.len()));
        // All Systems and the drawn ones, plus All Users.
        prop_assert!((2..=13).contains(&s.collections.len()));
        let e = engine(s)?;
        let u = *pick.get(e.users());
        let upn = e.user(u).map(|r| r.upn.clone()).unwrap_or_default();
        prop_assert_eq!(e.find_user(&upn).ok(), Some(u));
    }
}
