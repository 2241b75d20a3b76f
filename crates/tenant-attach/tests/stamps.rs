//! Engine stamps never collide (issue 18, item 3). Its own test binary: it moves the
//! process-wide stamp counter to its end, which would disturb any other test of the process.

use tenant_attach::{BuildError, Engine, Feature, Snapshot, sample};

#[test]
fn a_handle_of_an_old_engine_is_never_answered_by_a_new_one_even_at_the_counters_end() {
    let snapshot = Snapshot::from_json(sample::CONTOSO).unwrap();
    let first = Engine::new(snapshot.clone()).unwrap();
    let user = first.find_user("carol@contoso.com").unwrap();
    let device = first.find_device("CON-SRV-SQL01").unwrap();
    assert!(first.allows(user, device, Feature::View));

    // A 32-bit counter wrapped here: the 2^32-th engine got the first one's stamp and
    // answered its handles. Stamps are 64-bit now; go to their end.
    tenant_attach::devices::set_next_stamp_for_tests(u64::from(u32::MAX) + 1);
    let past_u32 = Engine::new(snapshot.clone()).unwrap();
    assert_ne!(
        past_u32.find_user("carol@contoso.com").unwrap().stamp(),
        user.stamp()
    );
    assert!(
        !past_u32.allows(user, device, Feature::View),
        "a foreign handle is allowed"
    );

    tenant_attach::devices::set_next_stamp_for_tests(u64::MAX);
    let last = Engine::new(snapshot.clone()).unwrap();
    assert!(!last.allows(user, device, Feature::View));
    let own_user = last.find_user("carol@contoso.com").unwrap();
    let own_device = last.find_device("CON-SRV-SQL01").unwrap();
    assert!(last.allows(own_user, own_device, Feature::View));

    // The counter does not wrap: the next engine is refused instead of reusing stamp 1.
    let refused = Engine::new(snapshot);
    assert!(
        matches!(refused, Err(BuildError::StampsExhausted)),
        "{refused:?}"
    );
    assert!(!first.allows(own_user, own_device, Feature::View));
}
