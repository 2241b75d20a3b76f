//! Tests that kill the mutants cargo-mutants found alive in the rule files (issue 18, item 7;
//! docs/reliability.md, session 6, lists each test with the mutant it kills).

use tenant_attach::sample::CONTOSO;
use tenant_attach::{Engine, ReasonCode, Snapshot};

/// `CollectionGraph::membership_bytes` is the sum of the serialized sizes of the R-C1
/// memberships, one bitmap per collection (`commands.rs` reports it as `membership_bytes`).
/// Kills `replace CollectionGraph::membership_bytes -> usize with 0` and `with 1`.
#[test]
fn r_c1_membership_bytes_sums_every_collections_bitmap() {
    let engine = Engine::from_json(CONTOSO).unwrap();
    let g = engine.collections();
    let sum: usize = g
        .in_id_order()
        .map(|c| g.members(c).serialized_size())
        .sum();
    assert_eq!(g.in_id_order().len(), g.len());
    assert_eq!(g.membership_bytes(), sum);
    // Every bitmap has a header, and the upload collection holds 17 devices.
    assert!(
        g.membership_bytes() > g.len() * 8,
        "{}",
        g.membership_bytes()
    );
}

/// R-I8: frank is unlicensed and reaches "Helpdesk - all devices" only through a nested group,
/// while the tenant allows unlicensed admins (direct memberships only): the block names that
/// assignment. Kills `replace match guard !p.nested_only().is_empty() with false in
/// Access::licence_block` (the doctest of `Engine::licence_block` checks it too, but
/// doctests are outside the mutants run).
#[test]
fn r_i8_licence_block_names_the_assignments_reached_only_through_nested_groups() {
    let engine = Engine::from_json(CONTOSO).unwrap();
    let frank = engine.find_user("frank@contoso.com").unwrap();
    let (code, lost) = engine.licence_block(frank).unwrap();
    assert_eq!(code, ReasonCode::UnlicensedNestedMembership);
    let names: Vec<&str> = lost
        .iter()
        .map(|p| engine.snapshot().intune.role_assignments[*p].name.as_str())
        .collect();
    assert_eq!(names, ["Helpdesk - all devices"]);
    let bob = engine.find_user("bob@contoso.com").unwrap();
    assert_eq!(engine.licence_block(bob), None);
}

/// R-H4 with R-I8: offboarding needs Organization_Delete; an unlicensed user whose assignments
/// the tenant refuses (unlicensed admins not allowed) is denied for the licence
/// (`no_intune_license`), not for having no role; with unlicensed admins allowed, for the
/// nested membership. Kills `delete match arm (true, licence::LicenceCase::Refused) in
/// Access::offboard`.
#[test]
fn r_h4_offboard_denial_names_the_licence_that_keeps_the_assignments_away() {
    let codes = |unlicensed_admins: bool| -> Vec<ReasonCode> {
        let mut s = Snapshot::from_json(CONTOSO).unwrap();
        s.tenant.unlicensed_admins = unlicensed_admins;
        let engine = crate::engine(&s);
        let o = engine.offboard(engine.find_user("frank@contoso.com").unwrap());
        assert!(!o.allowed);
        o.reasons.iter().map(|r| r.code).collect()
    };
    let refused = codes(false);
    assert!(
        refused.contains(&ReasonCode::NoIntuneLicense),
        "{refused:?}"
    );
    assert!(!refused.contains(&ReasonCode::NoIntuneRole), "{refused:?}");
    let direct_only = codes(true);
    assert!(
        direct_only.contains(&ReasonCode::UnlicensedNestedMembership),
        "{direct_only:?}"
    );
    assert!(
        !direct_only.contains(&ReasonCode::NoIntuneRole),
        "{direct_only:?}"
    );
}

/// R-C1 evaluated on a snapshot without collections: an empty graph says so. Kills `replace
/// CollectionGraph::is_empty -> bool with false`.
#[test]
fn r_c1_a_graph_without_collections_is_empty() {
    let mut s = Snapshot::from_json(CONTOSO).unwrap();
    let g = tenant_attach::collections::evaluate(&s).unwrap();
    assert!(!g.is_empty());
    s.collections.clear();
    let g = tenant_attach::collections::evaluate(&s).unwrap();
    assert!(g.is_empty());
    assert_eq!(g.len(), 0);
    assert_eq!(g.membership_bytes(), 0);
}
