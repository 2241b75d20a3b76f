//! Cedar and tenant-attach give the same allow/deny on at least 10,000 random
//! (user, device, feature) requests over several generated worlds and every mode.

use tenant_attach::snapshot::{PermissionMerge, UntaggedAssignment};
use tenant_attach::{Engine, Feature, Mode};
use tenant_attach_cedar::CedarWorld;
use tenant_attach_synth::{Params, Rng};

#[test]
fn cedar_agrees_with_tenant_attach() {
    let mut checked = 0usize;
    let mut allowed = 0usize;
    let mut modes = std::collections::BTreeSet::new();
    for seed in 1..=8u64 {
        let mut s = tenant_attach_synth::generate(&Params {
            devices: 400,
            collections: 60,
            users: 40,
            seed,
        });
        // Vary the mode and every knob across worlds.
        s.hierarchy.attach.enforce_configmgr_rbac = seed % 2 == 0;
        s.tenant.intune_permission_merge = if seed % 3 == 0 {
            PermissionMerge::Scoped
        } else {
            PermissionMerge::Merged
        };
        s.policy.untagged_assignment = if seed % 4 == 1 {
            UntaggedAssignment::DefaultTag
        } else {
            UntaggedAssignment::AllTags
        };
        s.policy.scope_groups_apply_to_attached = seed % 5 == 2;
        s.policy.intune_only_ignores_scope_tags = seed == 7;
        s.policy.configmgr_gates_view = seed != 4;
        let engine = Engine::new(s).unwrap();
        modes.insert(engine.mode() == Mode::IntuneOnly);
        let cedar = CedarWorld::translate(&engine);
        let mut rng = Rng::new(seed * 31);
        let users = engine.users().to_vec();
        for _ in 0..1_500 {
            let u = users[rng.below(users.len())];
            let d = rng.below(engine.device_count()) as u32;
            let f = Feature::ALL[rng.below(Feature::ALL.len())];
            let ours = engine.allows(u, d, f);
            let user = engine.user(u).unwrap();
            let dev = engine.device(d).unwrap();
            let theirs = cedar.allows(&user.id, dev.resource_id, f);
            assert_eq!(
                ours,
                theirs,
                "seed {seed}: {} {} {f}\n{}",
                user.upn,
                dev.name,
                engine
                    .check(u, d, f)
                    .reasons
                    .iter()
                    .map(|r| r.detail.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            checked += 1;
            allowed += usize::from(ours);
        }
    }
    assert!(checked >= 10_000);
    assert!(modes.len() == 2, "both modes covered");
    assert!(
        allowed > 100 && allowed < checked - 100,
        "a meaningful mix of allows ({allowed}) and denies"
    );
}
