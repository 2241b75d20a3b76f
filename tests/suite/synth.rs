//! The synthetic generator: deterministic for a seed, and realistic in shape.

use tenant_attach::Engine;
use tenant_attach::snapshot::{AssociationMode, CollectionRule};
use tenant_attach_synth::{Params, generate, write_json};

const P: Params = Params {
    devices: 20_000,
    collections: 2_000,
    users: 300,
    seed: 9,
};

#[test]
fn same_seed_same_bytes_other_seed_other_world() {
    let text = |p: &Params| {
        let mut buf = Vec::new();
        write_json(p, &mut buf, |_, _, _| {}).unwrap();
        buf
    };
    assert_eq!(text(&P), text(&P));
    assert_ne!(text(&P), text(&Params { seed: 10, ..P }));
    // The streamed JSON is the snapshot.
    let parsed =
        tenant_attach::Snapshot::from_json(std::str::from_utf8(&text(&P)).unwrap()).unwrap();
    assert_eq!(parsed, generate(&P));
}

#[test]
fn generated_worlds_have_the_promised_shape() {
    let s = generate(&P);
    let e = Engine::new(s.clone()).unwrap();
    assert!(e.diagnostics().all().is_empty(), "{:?}", e.diagnostics());
    assert_eq!(s.devices.len(), P.devices);
    assert_eq!(s.collections.len(), P.collections);
    assert_eq!(s.entra.users.len(), P.users);
    let no_client = s.devices.iter().filter(|d| !d.client).count() as f64 / s.devices.len() as f64;
    assert!(
        (0.03..0.07).contains(&no_client),
        "about 5% without a client: {no_client}"
    );
    assert!(
        s.devices
            .iter()
            .any(|d| d.co_managed && d.scope_tags.len() > 1)
    );
    assert!(
        s.devices
            .iter()
            .any(|d| !d.co_managed && d.scope_tags.is_empty()),
        "a few attached devices lost Default"
    );
    let with_rule = |f: fn(&CollectionRule) -> bool| {
        s.collections
            .iter()
            .filter(|c| c.rules.iter().any(f))
            .count()
    };
    assert!(with_rule(|r| matches!(r, CollectionRule::Include(_))) > 0);
    assert!(with_rule(|r| matches!(r, CollectionRule::Exclude(_))) > 0);
    // Limiting chains up to depth 8 (the site roots sit at depth 1 under All Systems).
    let depth = |id: &str| {
        let mut d = 0;
        let mut at = s.collections.iter().find(|c| c.id == id);
        while let Some(c) = at.and_then(|c| c.limiting.as_ref()) {
            d += 1;
            at = s.collections.iter().find(|x| x.id == *c);
        }
        d
    };
    let deepest = s.collections.iter().map(|c| depth(&c.id)).max().unwrap();
    assert!(
        (5..=8).contains(&deepest),
        "deepest limiting chain: {deepest}"
    );
    assert!(
        s.configmgr
            .admins
            .iter()
            .any(|a| a.association_mode == AssociationMode::Specific)
    );
    assert!(
        s.configmgr
            .admins
            .iter()
            .any(|a| a.association_mode == AssociationMode::CrossProduct)
    );
    assert!(
        s.configmgr.admins.iter().any(|a| !a.is_group),
        "user admins too"
    );
    assert!(
        s.entra.groups.iter().any(|g| g.members.iter().any(|m| s
            .entra
            .groups
            .iter()
            .any(|x| x.id == *m))),
        "nested groups"
    );
    assert!(
        s.entra.users.iter().any(|u| u.on_premises_sid.is_none()),
        "cloud-only users"
    );
    assert!(s.intune.scope_tags.len() > 2);
    assert!(!e.upload().uploaded().is_empty());
}
