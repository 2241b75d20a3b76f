//! One or more tests per rule of the rulebook, each named after its rule id, on the Contoso
//! sample, the Fabrikam worked example, or small variations of them.

use tenant_attach::snapshot::*;
use tenant_attach::{Engine, Feature, Mode, Operation, ReasonCode, Severity, validate};

fn contoso() -> Snapshot {
    Snapshot::from_json(tenant_attach::sample::CONTOSO).unwrap()
}

fn fabrikam() -> Snapshot {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/fabrikam/snapshot.json"
    );
    Snapshot::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn names(e: &Engine, set: &tenant_attach::DeviceSet) -> Vec<String> {
    set.iter()
        .map(|d| e.device(d).unwrap().name.clone())
        .collect()
}

fn members(e: &Engine, id: &str) -> Vec<String> {
    names(e, e.collections().members(e.find_collection(id).unwrap()))
}

fn codes(e: &Engine, user: &str, device: &str, f: Feature) -> Vec<ReasonCode> {
    let d = e.check(
        e.find_user(user).unwrap(),
        e.find_device(device).unwrap(),
        f,
    );
    d.codes().collect()
}

fn allowed(e: &Engine, user: &str, device: &str, f: Feature) -> bool {
    let (u, d) = (e.find_user(user).unwrap(), e.find_device(device).unwrap());
    let fast = e.allows(u, d, f);
    assert_eq!(fast, e.check(u, d, f).allowed);
    fast
}

fn errors(s: &Snapshot) -> Vec<(String, String)> {
    validate(s)
        .errors()
        .map(|d| (d.rule().to_owned(), d.path().to_owned()))
        .collect()
}

fn collection(id: &str, limiting: Option<&str>, rules: Vec<CollectionRule>) -> Collection {
    Collection {
        id: id.into(),
        name: id.into(),
        kind: CollectionType::Device,
        limiting: limiting.map(Into::into),
        rules,
    }
}

// ---- 1. Collections ---------------------------------------------------------------------

/// R-C1: membership follows the formula.
#[test]
fn r_c1_membership_follows_the_formula() {
    // R-C1: Production workstations = (Desktops ∪ Laptops) ∩ All Workstations \ Lab machines.
    let e = Engine::new(contoso()).unwrap();
    let prod = members(&e, "PS100015");
    assert_eq!(prod.len(), 14);
    assert!(
        prod.iter()
            .all(|n| n.starts_with("CON-WS-") || n.starts_with("CON-LT-"))
    );
    // The limiting collection bounds a query rule's result: Tier-1 servers' query lists every
    // server, the excludes take web servers and DCs away.
    assert_eq!(members(&e, "PS100032"), ["CON-SRV-SQL01", "CON-SRV-FS01"]);
}

/// R-C1: limiting bounds direct and included members.
#[test]
fn r_c1_limiting_bounds_direct_and_included_members() {
    let mut s = fabrikam();
    // Servers (limited to All Systems) gains a limited child that lists a laptop directly.
    s.collections.push(collection(
        "FB100030",
        Some("FB100022"),
        vec![CollectionRule::Direct(vec![16777301, 16777304])],
    ));
    let e = Engine::new(s).unwrap();
    assert_eq!(members(&e, "FB100030"), ["FAB-SQL-01"]);
}

/// R-C2: exclude wins over direct and include.
#[test]
fn r_c2_exclude_wins_over_direct_and_include() {
    let mut s = fabrikam();
    s.collections.push(collection(
        "FB100031",
        Some("SMS00001"),
        vec![
            CollectionRule::Direct(vec![16777301]),
            CollectionRule::Include("FB100020".into()),
            CollectionRule::Exclude("FB100020".into()),
        ],
    ));
    let e = Engine::new(s).unwrap();
    assert!(members(&e, "FB100031").is_empty());
}

/// R-C3: cycle names every collection on it.
#[test]
fn r_c3_cycle_names_every_collection_on_it() {
    let mut s = fabrikam();
    s.collections
        .push(collection("FB100040", Some("FB100042"), vec![]));
    s.collections
        .push(collection("FB100041", Some("FB100040"), vec![]));
    s.collections.push(collection(
        "FB100042",
        Some("SMS00001"),
        vec![CollectionRule::Include("FB100041".into())],
    ));
    let d = validate(&s);
    let cycles: Vec<_> = d.errors().filter(|d| d.rule() == "R-C3").collect();
    assert_eq!(cycles.len(), 1);
    for id in ["FB100040", "FB100041", "FB100042"] {
        assert!(cycles[0].message().contains(id), "{}", cycles[0].message());
    }
    assert!(!cycles[0].message().contains("FB100020"));
    assert!(Engine::new(s).is_err());
}

/// R-C3: deep chains do not overflow the stack.
#[test]
fn r_c3_deep_chains_do_not_overflow_the_stack() {
    // A 100,000-deep limiting chain: membership, dependents and upload stay iterative.
    let mut s = fabrikam();
    let depth = 100_000;
    let mut parent = String::from("SMS00001");
    for i in 0..depth {
        let id = format!("DP{i:06}");
        s.collections.push(collection(
            &id,
            Some(&parent),
            vec![CollectionRule::Direct(vec![16777304])],
        ));
        parent = id;
    }
    s.hierarchy.attach.upload = Upload::collection("DP000000");
    let e = Engine::new(s.clone()).unwrap();
    assert_eq!(members(&e, &parent), ["FAB-SQL-01"]);
    assert_eq!(
        e.collections()
            .dependents(
                e.find_collection("DP000000").unwrap(),
                &ChildRelation::all()
            )
            .len(),
        depth - 1
    );
    // Closing the chain into a cycle is reported with every one of its collections.
    s.collections[4].limiting = Some(parent.clone());
    let d = validate(&s);
    let cycle = d.errors().find(|d| d.rule() == "R-C3").unwrap();
    assert!(cycle.message().contains("DP000000") && cycle.message().contains(&parent));
}

/// R-C4: references duplicates types and limiting are input errors.
#[test]
fn r_c4_references_duplicates_types_and_limiting_are_input_errors() {
    let mut s = fabrikam();
    s.collections[3].limiting = Some("FB1XXXXX".into());
    s.collections
        .push(collection("FB100020", Some("SMS00001"), vec![]));
    s.collections.push(collection("FB100050", None, vec![]));
    s.collections.push(Collection {
        id: "SMS00002".into(),
        name: "All Users".into(),
        kind: CollectionType::User,
        limiting: None,
        rules: vec![],
    });
    s.collections
        .push(collection("FB100051", Some("SMS00002"), vec![]));
    let e = errors(&s);
    assert!(
        e.contains(&("R-C4".into(), "$.collections[3].limiting".into())),
        "{e:?}"
    );
    assert!(
        e.contains(&("R-C4".into(), "$.collections[4].id".into())),
        "{e:?}"
    );
    assert!(
        e.contains(&("R-C4".into(), "$.collections[5].limiting".into())),
        "{e:?}"
    );
    assert!(
        e.contains(&("R-C4".into(), "$.collections[7].limiting".into())),
        "{e:?}"
    );
    assert!(
        validate(&s)
            .errors()
            .all(|d| d.severity() == Severity::InputError)
    );
}

/// R-C5: dependents follow all three relations transitively.
#[test]
fn r_c5_dependents_follow_all_three_relations_transitively() {
    let e = Engine::new(contoso()).unwrap();
    let g = e.collections();
    let deps = |rels: &[ChildRelation]| -> Vec<&str> {
        g.dependents(g.find("PS100011").unwrap(), rels)
            .iter()
            .map(|d| g.id(d.collection))
            .collect()
    };
    // Desktops ← Production workstations (include) ← Upload (include) ← Pilot (limiting), Upload plus SQL (include)
    assert_eq!(
        deps(&ChildRelation::all()),
        ["PS100015", "PS100020", "PS100021", "PS100022"]
    );
    assert_eq!(
        deps(&[ChildRelation::Include]),
        ["PS100015", "PS100020", "PS100022"]
    );
    assert!(deps(&[ChildRelation::Exclude]).is_empty());
    let lab = g.dependents(g.find("PS100014").unwrap(), &[ChildRelation::Exclude]);
    assert_eq!(lab.len(), 1);
    assert_eq!(lab[0].relation, ChildRelation::Exclude);
}

// ---- 2. Upload ------------------------------------------------------------------------

/// R-U1: detached hierarchy uploads nothing.
#[test]
fn r_u1_detached_hierarchy_uploads_nothing() {
    let mut s = fabrikam();
    s.hierarchy.attach.state = AttachState::Detached;
    let e = Engine::new(s).unwrap();
    assert!(e.upload().uploaded().is_empty());
    assert_eq!(
        codes(&e, "maria@fabrikam.com", "FAB-LT-001", Feature::View)[0],
        ReasonCode::NotAttached
    );
}

/// R-U2: china cloud is a configuration error and uploads nothing.
#[test]
fn r_u2_china_cloud_is_a_configuration_error_and_uploads_nothing() {
    let mut s = fabrikam();
    s.hierarchy.cloud = Cloud::China;
    let d = validate(&s);
    assert!(
        d.errors()
            .any(|d| d.rule() == "R-U2" && d.severity() == Severity::ConfigurationError)
    );
    assert!(!d.has_input_errors());
    let e = Engine::new(s).unwrap(); // a configuration error does not refuse the snapshot
    assert!(e.upload().uploaded().is_empty());
    assert_eq!(
        codes(&e, "maria@fabrikam.com", "FAB-LT-001", Feature::View)[0],
        ReasonCode::UploadUnsupportedCloud
    );
}

/// R-U3: all devices uploads every client.
#[test]
fn r_u3_all_devices_uploads_every_client() {
    let mut s = contoso();
    s.hierarchy.attach.upload = Upload::all_devices();
    let e = Engine::new(s).unwrap();
    assert_eq!(e.upload().uploaded(), e.clients());
    assert_eq!(e.upload().uploaded().len(), 21);
    let lt6 = e.find_device("CON-LT-006").unwrap();
    assert_eq!(e.upload().rule(e.upload().reasons(lt6, false)[0]), "R-U3");
}

/// R-U4: collection and its children with the path.
#[test]
fn r_u4_collection_and_its_children_with_the_path() {
    let e = Engine::new(fabrikam()).unwrap();
    let up = names(&e, e.upload().uploaded());
    assert_eq!(up, ["FAB-LT-001", "FAB-LT-002", "FAB-SQL-01"]);
    let sql = e.find_device("FAB-SQL-01").unwrap();
    let via: Vec<&str> = e
        .upload()
        .via(sql)
        .iter()
        .map(|c| e.collections().id(*c))
        .collect();
    assert_eq!(via, ["FB100020", "FB100022"]);
    let kiosk = e.find_device("FAB-KIOSK-01").unwrap();
    assert_eq!(
        e.upload().reasons(kiosk, false),
        [tenant_attach::NotUploaded::NotUploadedNoClient]
    );
}

/// R-U4: child relations knob limits the children.
#[test]
fn r_u4_child_relations_knob_limits_the_children() {
    let mut s = fabrikam();
    s.policy.child_relations = vec![ChildRelation::Limiting, ChildRelation::Include];
    let e = Engine::new(s).unwrap();
    assert_eq!(
        names(&e, e.upload().uploaded()),
        ["FAB-LT-001", "FAB-LT-002"]
    );
    let sql = e.find_device("FAB-SQL-01").unwrap();
    assert_eq!(
        e.upload().reasons(sql, true),
        [tenant_attach::NotUploaded::NotUploadedOutOfScope]
    );
}

/// R-U5: upload collection must exist and hold devices.
#[test]
fn r_u5_upload_collection_must_exist_and_hold_devices() {
    let mut s = fabrikam();
    s.hierarchy.attach.upload = Upload::collection("FB100404");
    assert_eq!(
        errors(&s),
        [("R-U5".into(), "$.hierarchy.attach.upload.collection".into())]
    );
    s.hierarchy.attach.upload = Upload {
        all_devices: Some(true),
        collection: Some("FB100020".into()),
    };
    assert_eq!(
        errors(&s),
        [("R-U5".into(), "$.hierarchy.attach.upload".into())]
    );
}

/// R-U6: changes show within 25 minutes.
#[test]
fn r_u6_changes_show_within_25_minutes() {
    assert_eq!(tenant_attach::upload::UPLOAD_DELAY_MINUTES_MAX, 15 + 10);
}

// ---- 3. Mode --------------------------------------------------------------------------

/// R-M1: mode needs version box and toggle.
#[test]
fn r_m1_mode_needs_version_box_and_toggle() {
    let mode = |version: u32, enforce: bool, toggle: bool| {
        let mut s = fabrikam();
        s.hierarchy.version = version;
        s.hierarchy.attach.enforce_configmgr_rbac = enforce;
        s.tenant.use_intune_rbac = toggle;
        Engine::new(s).unwrap().mode()
    };
    assert_eq!(mode(2207, false, true), Mode::IntuneOnly);
    assert_eq!(mode(2207, true, true), Mode::Combined);
    assert_eq!(mode(2207, false, false), Mode::Combined);
    assert_eq!(mode(2203, false, true), Mode::Combined);
    // Before 2207 the box is ignored, with a warning.
    let mut s = fabrikam();
    s.hierarchy.version = 2203;
    s.hierarchy.attach.enforce_configmgr_rbac = false;
    let d = validate(&s);
    assert!(d.warnings().any(|w| w.rule() == "R-M1"));
    assert!(!d.has_errors());
}

// ---- 4. Intune ------------------------------------------------------------------------

/// R-I1: global administrator needs no assignment or tag.
#[test]
fn r_i1_global_administrator_needs_no_assignment_or_tag() {
    let mut s = contoso();
    s.intune.role_assignments.clear();
    s.hierarchy.attach.enforce_configmgr_rbac = false;
    s.tenant.use_intune_rbac = true;
    let e = Engine::new(s).unwrap();
    assert!(allowed(
        &e,
        "dave@contoso.com",
        "CON-WS-001",
        Feature::RunScript
    ));
    assert_eq!(
        codes(&e, "alice@contoso.com", "CON-WS-001", Feature::View),
        [ReasonCode::NoIntuneRole]
    );
    // R-S2 still hides a device without Default.
    assert_eq!(
        codes(&e, "dave@contoso.com", "CON-LAB-02", Feature::View),
        [ReasonCode::MissingDefaultScopeTag]
    );
}

/// R-I2: nested groups apply and cycles are tolerated.
#[test]
fn r_i2_nested_groups_apply_and_cycles_are_tolerated() {
    let mut s = contoso();
    // Helpdesk Tier 2 (bob) is nested in Intune Helpdesk; make the nesting a cycle.
    let tier1 = s.entra.groups[0].id.clone();
    s.entra.groups[1].members.push(tier1);
    let e = Engine::new(s).unwrap();
    assert!(allowed(&e, "bob@contoso.com", "CON-WS-004", Feature::View));
}

/// R-I3: permissions are additive across assignments.
#[test]
fn r_i3_permissions_are_additive_across_assignments() {
    let mut s = contoso();
    // Alice's Help Desk Operator lacks ScriptActions: another assignment adds it.
    s.hierarchy.version = 2403;
    s.hierarchy.attach.enforce_configmgr_rbac = false;
    s.tenant.use_intune_rbac = true;
    let e = Engine::new(s.clone()).unwrap();
    assert_eq!(
        codes(&e, "alice@contoso.com", "CON-WS-004", Feature::RunScript),
        [ReasonCode::IntunePermissionMissing]
    );
    let helpdesk = s.entra.groups[0].id.clone();
    s.intune.role_assignments.push(RoleAssignment {
        id: "extra".into(),
        name: "Scripts".into(),
        role: "7e5b2c11-0000-4000-8000-00000000r001".into(),
        members: vec![helpdesk],
        scope: AssignmentScope::all_devices(),
        scope_tags: vec!["0".into()],
    });
    let e = Engine::new(s).unwrap();
    assert!(allowed(
        &e,
        "alice@contoso.com",
        "CON-WS-004",
        Feature::RunScript
    ));
}

/// R-I4: scoped permissions need tag and permission on one assignment.
#[test]
fn r_i4_scoped_permissions_need_tag_and_permission_on_one_assignment() {
    let mut s = contoso();
    // Grace: HDO with tag Paris. Add a read-only assignment on Default: under `merged`, the
    // Default tag extends her Help Desk permissions to attached devices; under `scoped`, not.
    let paris = s.entra.groups[3].id.clone();
    s.intune.role_assignments.push(RoleAssignment {
        id: "ro".into(),
        name: "Read only".into(),
        role: "fa1d7878-e8cb-41a1-8254-0142355c9f84".into(),
        members: vec![paris],
        scope: AssignmentScope::all_devices(),
        scope_tags: vec!["0".into()],
    });
    let e = Engine::new(s.clone()).unwrap();
    assert!(allowed(
        &e,
        "grace@contoso.com",
        "CON-WS-004",
        Feature::SyncMachinePolicy
    ));
    s.tenant.intune_permission_merge = PermissionMerge::Scoped;
    let e = Engine::new(s).unwrap();
    assert!(allowed(
        &e,
        "grace@contoso.com",
        "CON-WS-004",
        Feature::View
    ));
    assert_eq!(
        codes(
            &e,
            "grace@contoso.com",
            "CON-WS-004",
            Feature::SyncMachinePolicy
        ),
        [ReasonCode::ScopeTagMismatch]
    );
}

/// R-I5: untagged assignment knob.
#[test]
fn r_i5_untagged_assignment_knob() {
    let mut s = contoso();
    s.intune.role_assignments[2].scope_tags.clear(); // Paris helpdesk, now untagged
    let e = Engine::new(s.clone()).unwrap();
    assert!(allowed(
        &e,
        "grace@contoso.com",
        "CON-WS-004",
        Feature::View
    )); // all_tags
    let d = e.check(
        e.find_user("grace@contoso.com").unwrap(),
        e.find_device("CON-WS-004").unwrap(),
        Feature::View,
    );
    assert_eq!(
        d.policy.get("untagged_assignment"),
        Some(&serde_json::json!("all_tags"))
    );
    s.policy.untagged_assignment = UntaggedAssignment::DefaultTag;
    let e = Engine::new(s).unwrap();
    assert!(allowed(
        &e,
        "grace@contoso.com",
        "CON-WS-004",
        Feature::View
    )); // Default reaches it too
    assert!(allowed(
        &e,
        "grace@contoso.com",
        "CON-WS-001",
        Feature::View
    ));
}

/// R-I6: scope groups limit actions on co managed devices.
#[test]
fn r_i6_scope_groups_limit_actions_on_co_managed_devices() {
    let s = contoso();
    let e = Engine::new(s.clone()).unwrap();
    // CON-WS-003 is co-managed, tagged Paris, but not in the Paris devices scope group.
    assert!(allowed(
        &e,
        "grace@contoso.com",
        "CON-WS-003",
        Feature::View
    )); // view is never limited
    assert_eq!(
        codes(
            &e,
            "grace@contoso.com",
            "CON-WS-003",
            Feature::SyncMachinePolicy
        ),
        [ReasonCode::ScopeGroupMismatch]
    );
    assert!(allowed(
        &e,
        "grace@contoso.com",
        "CON-WS-002",
        Feature::SyncMachinePolicy
    ));
}

/// R-I6: scope groups on attached devices follow the knob.
#[test]
fn r_i6_scope_groups_on_attached_devices_follow_the_knob() {
    let mut s = contoso();
    s.intune.role_assignments[0].scope = AssignmentScope {
        all_devices: None,
        groups: Some(vec![s.entra.groups[5].id.clone()]),
    };
    let e = Engine::new(s.clone()).unwrap();
    assert!(allowed(
        &e,
        "alice@contoso.com",
        "CON-WS-004",
        Feature::SyncMachinePolicy
    )); // default: not checked
    s.policy.scope_groups_apply_to_attached = true;
    let e = Engine::new(s).unwrap();
    assert_eq!(
        codes(
            &e,
            "alice@contoso.com",
            "CON-WS-004",
            Feature::SyncMachinePolicy
        ),
        [ReasonCode::ScopeGroupMismatch]
    );
}

/// R-I7: intune only scope tags knob.
#[test]
fn r_i7_intune_only_scope_tags_knob() {
    let mut s = contoso();
    s.hierarchy.attach.enforce_configmgr_rbac = false;
    s.tenant.use_intune_rbac = true;
    let e = Engine::new(s.clone()).unwrap();
    assert_eq!(e.mode(), Mode::IntuneOnly);
    assert_eq!(
        codes(&e, "grace@contoso.com", "CON-WS-004", Feature::View),
        [ReasonCode::ScopeTagMismatch]
    );
    s.policy.intune_only_ignores_scope_tags = true;
    let e = Engine::new(s).unwrap();
    assert!(allowed(
        &e,
        "grace@contoso.com",
        "CON-WS-004",
        Feature::View
    ));
}

// ---- 5. Scope tags on devices ----------------------------------------------------------

/// R-S1: attached devices carry only default.
#[test]
fn r_s1_attached_devices_carry_only_default() {
    let mut s = contoso();
    s.devices[5].scope_tags = vec!["0".into(), "1".into()];
    assert_eq!(
        errors(&s),
        [("R-S1".into(), "$.devices[5].scope_tags[1]".into())]
    );
    // An untagged co-managed device carries Default.
    let mut s = contoso();
    s.devices[0].scope_tags.clear();
    let e = Engine::new(s).unwrap();
    assert!(allowed(
        &e,
        "alice@contoso.com",
        "CON-WS-001",
        Feature::View
    ));
}

/// R-S2: default removed hides the device from everyone.
#[test]
fn r_s2_default_removed_hides_the_device_from_everyone() {
    let e = Engine::new(contoso()).unwrap();
    let lab2 = e.find_device("CON-LAB-02").unwrap();
    assert!(e.upload().is_uploaded(lab2));
    for f in Feature::ALL {
        assert!(e.who(lab2, *f).is_empty());
    }
    assert_eq!(
        codes(&e, "dave@contoso.com", "CON-LAB-02", Feature::View),
        [ReasonCode::MissingDefaultScopeTag]
    );
}

/// R-S3: assignment without default never sees attached devices.
#[test]
fn r_s3_assignment_without_default_never_sees_attached_devices() {
    let e = Engine::new(contoso()).unwrap();
    let grace = e.find_user("grace@contoso.com").unwrap();
    let seen = names(&e, &e.visible(grace, Feature::View));
    assert_eq!(seen, ["CON-WS-001", "CON-WS-002", "CON-WS-003"]); // co-managed, tagged Paris
}

// ---- 6. ConfigMgr ---------------------------------------------------------------------

/// R-G1: cloud only users are denied in combined mode.
#[test]
fn r_g1_cloud_only_users_are_denied_in_combined_mode() {
    let e = Engine::new(fabrikam()).unwrap();
    assert_eq!(
        codes(&e, "li@fabrikam.com", "FAB-LT-001", Feature::View),
        [ReasonCode::CloudOnlyAccount]
    );
}

/// R-G2: discovery by version and knob.
#[test]
fn r_g2_discovery_by_version_and_knob() {
    let mut s = contoso();
    // Bob is found by AD discovery only: enough on 2103+, not on 2010, not with `both`.
    let e = Engine::new(s.clone()).unwrap();
    assert!(allowed(&e, "bob@contoso.com", "CON-WS-004", Feature::View));
    s.hierarchy.version = 2010;
    let e = Engine::new(s.clone()).unwrap();
    assert_eq!(
        codes(&e, "bob@contoso.com", "CON-WS-004", Feature::View),
        [ReasonCode::NotDiscovered]
    );
    s.hierarchy.version = 2403;
    s.policy.discovery_required = DiscoveryRequired::Both;
    let e = Engine::new(s).unwrap();
    assert_eq!(
        codes(&e, "bob@contoso.com", "CON-WS-004", Feature::View),
        [ReasonCode::NotDiscovered]
    );
    assert!(allowed(
        &e,
        "alice@contoso.com",
        "CON-WS-004",
        Feature::View
    ));
}

/// R-G3: users map by own sid and group sids.
#[test]
fn r_g3_users_map_by_own_sid_and_group_sids() {
    let mut s = contoso();
    let e = Engine::new(s.clone()).unwrap();
    assert!(allowed(
        &e,
        "alice@contoso.com",
        "CON-WS-004",
        Feature::View
    )); // via CM-Helpdesk group SID
    assert!(allowed(&e, "bob@contoso.com", "CON-WS-004", Feature::View)); // via his own SID
    s.entra.users[0].on_premises_group_sids.clear();
    let e = Engine::new(s).unwrap();
    assert_eq!(
        codes(&e, "alice@contoso.com", "CON-WS-004", Feature::View),
        [ReasonCode::ConfigmgrAdminMissing]
    );
}

/// R-G4: each operation is granted on its own.
#[test]
fn r_g4_each_operation_is_granted_on_its_own() {
    let e = Engine::new(contoso()).unwrap();
    // Bob's Read-only Analyst role grants read but not notify_resource.
    assert_eq!(
        codes(
            &e,
            "bob@contoso.com",
            "CON-WS-004",
            Feature::SyncMachinePolicy
        ),
        [ReasonCode::ConfigmgrPermissionMissing]
    );
    let d = e.check(
        e.find_user("bob@contoso.com").unwrap(),
        e.find_device("CON-WS-004").unwrap(),
        Feature::SyncMachinePolicy,
    );
    assert!(
        d.reasons[0].detail.contains("Notify Resource"),
        "{}",
        d.reasons[0].detail
    );
}

/// R-G4: specific associations pair each role with its own collections.
#[test]
fn r_g4_specific_associations_pair_each_role_with_its_own_collections() {
    let mut s = contoso();
    let e = Engine::new(s.clone()).unwrap();
    // Carol: Server Operator only on Tier-1 servers; the analyst role on All Servers.
    assert!(allowed(
        &e,
        "carol@contoso.com",
        "CON-SRV-SQL01",
        Feature::RunScript
    ));
    // As a cross product, the analyst role would not add run_script; the Server Operator role
    // would reach All Servers. Show that specific ≠ cross product on a device outside Tier-1.
    s.hierarchy.attach.upload = Upload::all_devices();
    let e = Engine::new(s.clone()).unwrap();
    assert_eq!(
        codes(&e, "carol@contoso.com", "CON-SRV-DC01", Feature::RunScript),
        [ReasonCode::ConfigmgrPermissionMissing]
    );
    s.configmgr.admins[2].association_mode = AssociationMode::CrossProduct;
    let e = Engine::new(s).unwrap();
    assert!(allowed(
        &e,
        "carol@contoso.com",
        "CON-SRV-DC01",
        Feature::RunScript
    ));
}

/// R-G5: full administrator grants every operation.
#[test]
fn r_g5_full_administrator_grants_every_operation() {
    let mut s = contoso();
    s.configmgr.roles[0].collection_operations = vec![Operation::Read]; // listed ops do not matter
    let e = Engine::new(s).unwrap();
    assert!(allowed(
        &e,
        "dave@contoso.com",
        "CON-SRV-SQL01",
        Feature::BitlockerKeys
    ));
}

// ---- 7. Features ----------------------------------------------------------------------

/// R-F0: every feature needs view and the upload.
#[test]
fn r_f0_every_feature_needs_view_and_the_upload() {
    let e = Engine::new(contoso()).unwrap();
    assert_eq!(
        codes(&e, "dave@contoso.com", "CON-SRV-DC01", Feature::Cmpivot),
        [ReasonCode::NotUploadedOutOfScope]
    );
    let mut s = contoso();
    s.intune.role_definitions[0]
        .permissions
        .retain(|p| p != "Microsoft.Intune_ManagedDevices_Read");
    let e = Engine::new(s).unwrap();
    assert_eq!(
        codes(
            &e,
            "alice@contoso.com",
            "CON-WS-004",
            Feature::SyncMachinePolicy
        ),
        [ReasonCode::IntunePermissionMissing]
    );
}

/// R-F1: requirement table and overrides.
#[test]
fn r_f1_requirement_table_and_overrides() {
    let e = Engine::new(contoso()).unwrap();
    // Timeline needs read_resource and notify_resource: alice has both, bob neither.
    assert!(allowed(
        &e,
        "alice@contoso.com",
        "CON-WS-004",
        Feature::Timeline
    ));
    assert_eq!(
        codes(&e, "bob@contoso.com", "CON-WS-004", Feature::Timeline),
        [ReasonCode::ConfigmgrPermissionMissing]
    );
    let mut s = contoso();
    s.policy.features.insert(
        Feature::Timeline,
        FeatureOverride {
            configmgr: Some(vec![Operation::Read]),
            ..Default::default()
        },
    );
    let e = Engine::new(s).unwrap();
    assert!(allowed(
        &e,
        "bob@contoso.com",
        "CON-WS-004",
        Feature::Timeline
    ));
    let d = e.check(
        e.find_user("bob@contoso.com").unwrap(),
        e.find_device("CON-WS-004").unwrap(),
        Feature::Timeline,
    );
    assert!(d.policy.contains_key("features.timeline"));
    assert_eq!(
        Feature::Timeline.default_requirement().configmgr,
        [
            Operation::Read,
            Operation::ReadResource,
            Operation::NotifyResource
        ]
    );
}

/// R-F1: configmgr gates view knob.
#[test]
fn r_f1_configmgr_gates_view_knob() {
    let mut s = contoso();
    s.policy.configmgr_gates_view = false;
    let e = Engine::new(s).unwrap();
    assert!(allowed(
        &e,
        "carol@contoso.com",
        "CON-WS-004",
        Feature::View
    ));
}

/// R-F2: intune requirement met by assignment or directory role.
#[test]
fn r_f2_intune_requirement_met_by_assignment_or_directory_role() {
    let e = Engine::new(contoso()).unwrap();
    let alice = e.check(
        e.find_user("alice@contoso.com").unwrap(),
        e.find_device("CON-WS-004").unwrap(),
        Feature::View,
    );
    assert!(
        alice
            .grants
            .iter()
            .any(|g| g.kind == tenant_attach::GrantKind::IntuneAssignment)
    );
    let dave = e.check(
        e.find_user("dave@contoso.com").unwrap(),
        e.find_device("CON-WS-004").unwrap(),
        Feature::View,
    );
    assert!(
        dave.grants
            .iter()
            .any(|g| g.kind == tenant_attach::GrantKind::DirectoryRole)
    );
    assert!(
        dave.grants
            .iter()
            .any(|g| g.kind == tenant_attach::GrantKind::ConfigmgrAssociation)
    );
}

// ---- 8. Lifecycle ---------------------------------------------------------------------

/// R-H2: cloud needs its version.
#[test]
fn r_h2_cloud_needs_its_version() {
    let mut s = fabrikam();
    s.hierarchy.cloud = Cloud::UsGovernment;
    s.hierarchy.version = 2103;
    let d = validate(&s);
    assert!(
        d.errors()
            .any(|d| d.rule() == "R-H2" && d.severity() == Severity::ConfigurationError)
    );
    assert!(Engine::new(s).unwrap().upload().uploaded().is_empty());
}

/// R-H4: offboarding needs organization delete and takes time.
#[test]
fn r_h4_offboarding_needs_organization_delete_and_takes_time() {
    let mut s = contoso();
    let e = Engine::new(s.clone()).unwrap();
    assert!(e.offboard(e.find_user("dave@contoso.com").unwrap()).allowed);
    let alice = e.offboard(e.find_user("alice@contoso.com").unwrap());
    assert!(!alice.allowed);
    assert_eq!(alice.reasons[0].rule, "R-H4");
    assert_eq!(alice.eta_minutes_max, 10);
    assert_eq!(alice.reonboard_wait_minutes, 120);
    s.hierarchy.healthy = false;
    s.entra.users[3].directory_roles.clear(); // dave keeps Organization_Delete by assignment
    let e = Engine::new(s).unwrap();
    let dave = e.offboard(e.find_user("dave@contoso.com").unwrap());
    assert!(dave.allowed);
    assert_eq!(dave.eta_minutes_max, 120);
}

/// R-H5: endpoint analytics warns about client settings.
#[test]
fn r_h5_endpoint_analytics_warns_about_client_settings() {
    let d = validate(&fabrikam());
    assert!(d.warnings().any(|w| w.rule() == "R-H5"));
    assert!(!d.has_errors());
}
