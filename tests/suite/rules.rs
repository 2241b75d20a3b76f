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
            .map(|d| g.id(d.collection).unwrap())
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
        .map(|c| e.collections().id(*c).unwrap())
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
    // Alice's Help Desk Operator lacks ScriptActions (taken away here: the rulebook 2 sample's
    // role has it): another assignment adds it.
    s.intune.role_definitions[0]
        .permissions
        .retain(|p| p != "Microsoft.Intune_CloudAttach_ScriptActions");
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
    // Rulebook 1's discovery reading: Dave (Entra discovery only) is discovered for cmpivot.
    let mut s = contoso();
    s.policy.discovery_required = DiscoveryRequired::ByVersion;
    let e = Engine::new(s).unwrap();
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
    // Rulebook 1's discovery reading: Bob (AD discovery only) is discovered for timeline.
    let mut by_version = contoso();
    by_version.policy.discovery_required = DiscoveryRequired::ByVersion;
    let e = Engine::new(by_version.clone()).unwrap();
    // Timeline needs read_resource and notify_resource: alice has both, bob lacks notify.
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
    let mut s = by_version;
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

// ---- Rulebook 2: R-F3, R-G2 by feature, R-G6, R-G7, combined_page_permissions ----------
//
// On small hand-written variations of the Fabrikam worked example (tests/corpus/fabrikam):
// version 2409, combined mode; maria (AD + Entra discovery) reaches FAB-LT-001 through the
// `FABRIKAM\Desk` group, a specific association of role FB100004 (read, read_resource,
// notify_resource) with Fabrikam laptops; her Intune role is Help Desk Operator
// (ManagedDevices_Read, ConfigurationManagerAction, ClientDetails, Timeline).

const MARIA: &str = "maria@fabrikam.com";
const LAPTOP: &str = "FAB-LT-001";

fn check(e: &Engine, user: &str, device: &str, f: Feature) -> tenant_attach::Decision {
    e.check(
        e.find_user(user).unwrap(),
        e.find_device(device).unwrap(),
        f,
    )
}

fn class_ops(
    entries: &[(
        tenant_attach::SecuredClass,
        &[tenant_attach::ClassOperation],
    )],
) -> std::collections::BTreeMap<tenant_attach::SecuredClass, Vec<tenant_attach::ClassOperation>> {
    entries.iter().map(|(c, ops)| (*c, ops.to_vec())).collect()
}

fn intune_only(s: &mut Snapshot) {
    s.hierarchy.version = 2409;
    s.hierarchy.attach.enforce_configmgr_rbac = false;
    s.tenant.use_intune_rbac = true;
}

/// R-F3: before its version a feature is unavailable to everyone, Global Administrators
/// included, and that is the only reason (checked first, nothing else evaluated).
#[test]
fn r_f3_feature_unavailable_before_its_version_is_the_only_reason() {
    let mut s = fabrikam();
    s.hierarchy.version = 2107;
    let e = Engine::new(s.clone()).unwrap();
    let d = check(&e, MARIA, LAPTOP, Feature::SoftwareUpdates);
    assert_eq!(
        d.codes().collect::<Vec<_>>(),
        [ReasonCode::FeatureUnavailable]
    );
    assert_eq!(d.reasons[0].rule, "R-F3");
    assert!(
        d.reasons[0].detail.contains("2111"),
        "{}",
        d.reasons[0].detail
    );
    // Not uploaded and no Collection operation on the kiosk: still the one reason.
    assert_eq!(
        codes(&e, MARIA, "FAB-KIOSK-01", Feature::SoftwareUpdates),
        [ReasonCode::FeatureUnavailable]
    );
    // Cloud-only li, even as Global Administrator.
    assert_eq!(
        codes(&e, "li@fabrikam.com", LAPTOP, Feature::SoftwareUpdates),
        [ReasonCode::FeatureUnavailable]
    );
    s.entra.users[1].directory_roles = vec![DirectoryRole::GlobalAdministrator];
    let e = Engine::new(s.clone()).unwrap();
    assert_eq!(
        codes(&e, "li@fabrikam.com", LAPTOP, Feature::SoftwareUpdates),
        [ReasonCode::FeatureUnavailable]
    );
    // BitLocker keys exist from 2107 (other reasons, not this one), not at 2106.
    assert!(
        !codes(&e, MARIA, LAPTOP, Feature::BitlockerKeys).contains(&ReasonCode::FeatureUnavailable)
    );
    s.hierarchy.version = 2106;
    let e = Engine::new(s.clone()).unwrap();
    assert_eq!(
        codes(&e, MARIA, LAPTOP, Feature::BitlockerKeys),
        [ReasonCode::FeatureUnavailable]
    );
    // 2006 features at 2002; client details is tenant attach's own 2002.
    s.hierarchy.version = 2002;
    let e = Engine::new(s.clone()).unwrap();
    for f in [
        Feature::ResourceExplorer,
        Feature::Timeline,
        Feature::ScriptsView,
        Feature::RunScript,
        Feature::Cmpivot,
        Feature::ApplicationsView,
        Feature::ApplicationActions,
    ] {
        assert_eq!(
            codes(&e, MARIA, LAPTOP, f),
            [ReasonCode::FeatureUnavailable],
            "{f}"
        );
    }
    assert!(allowed(&e, MARIA, LAPTOP, Feature::ClientDetails));
    assert!(allowed(&e, MARIA, LAPTOP, Feature::View));
    // At 2111 software updates is there.
    s.hierarchy.version = 2111;
    let e = Engine::new(s).unwrap();
    assert!(allowed(&e, MARIA, LAPTOP, Feature::SoftwareUpdates));
}

/// R-F3: the since column is overridable per feature, in both modes.
#[test]
fn r_f3_since_override_in_both_modes() {
    let mut s = fabrikam();
    s.policy.features.insert(
        Feature::Timeline,
        FeatureOverride {
            since: Some(2500),
            ..Default::default()
        },
    );
    let e = Engine::new(s.clone()).unwrap();
    assert_eq!(
        codes(&e, MARIA, LAPTOP, Feature::Timeline),
        [ReasonCode::FeatureUnavailable]
    );
    assert!(allowed(&e, MARIA, LAPTOP, Feature::View));
    intune_only(&mut s);
    let e = Engine::new(s.clone()).unwrap();
    assert_eq!(e.mode(), Mode::IntuneOnly);
    assert_eq!(
        codes(&e, MARIA, LAPTOP, Feature::Timeline),
        [ReasonCode::FeatureUnavailable]
    );
    // An override may also bring a feature earlier.
    let mut s = fabrikam();
    s.hierarchy.version = 2103;
    s.policy.features.insert(
        Feature::SoftwareUpdates,
        FeatureOverride {
            since: Some(2103),
            ..Default::default()
        },
    );
    let e = Engine::new(s).unwrap();
    assert!(allowed(&e, MARIA, "FAB-LT-001", Feature::SoftwareUpdates));
}

/// R-G2 `by_feature` (the default): from 2103 view and the device actions need either
/// discovery, the client-details pages both; before 2103 both for everything.
#[test]
fn r_g2_by_feature_discovery() {
    assert_eq!(
        Policy::default().discovery_required,
        DiscoveryRequired::ByFeature
    );
    let mut s = fabrikam();
    assert_eq!(s.policy.discovery_required, DiscoveryRequired::ByFeature);
    s.configmgr.users[0].discovered_by = vec![DiscoveryAgent::Entra];
    let e = Engine::new(s.clone()).unwrap();
    assert!(allowed(&e, MARIA, LAPTOP, Feature::View));
    assert!(allowed(&e, MARIA, LAPTOP, Feature::SyncMachinePolicy));
    for f in [Feature::ClientDetails, Feature::Timeline] {
        let d = check(&e, MARIA, LAPTOP, f);
        assert_eq!(
            d.codes().collect::<Vec<_>>(),
            [ReasonCode::NotDiscovered],
            "{f}"
        );
        assert_eq!(d.reasons[0].rule, "R-G2");
        assert!(
            d.reasons[0].detail.contains("AD"),
            "{}",
            d.reasons[0].detail
        );
    }
    // BitLocker keys: either discovery (its page lists none of its own).
    assert!(!codes(&e, MARIA, LAPTOP, Feature::BitlockerKeys).contains(&ReasonCode::NotDiscovered));
    // by_version: either, for every feature, from 2103.
    let mut v = s.clone();
    v.policy.discovery_required = DiscoveryRequired::ByVersion;
    let e = Engine::new(v).unwrap();
    assert!(allowed(&e, MARIA, LAPTOP, Feature::ClientDetails));
    // Before 2103: both, even for view.
    let mut old = s.clone();
    old.hierarchy.version = 2010;
    let e = Engine::new(old).unwrap();
    assert_eq!(
        codes(&e, MARIA, LAPTOP, Feature::View),
        [ReasonCode::NotDiscovered]
    );
    // both: both, for every feature.
    s.policy.discovery_required = DiscoveryRequired::Both;
    let e = Engine::new(s).unwrap();
    assert_eq!(
        codes(&e, MARIA, LAPTOP, Feature::View),
        [ReasonCode::NotDiscovered]
    );
}

/// R-G6: operations on Application (and Site, SMS Scripts) come from the roles of a mapped
/// administrative user, one reason per missing operation; collections play no part; R-G4
/// failing stops it; Full Administrator grants every class operation (R-G5).
#[test]
fn r_g6_class_operations_one_reason_each_collections_aside() {
    use tenant_attach::{ClassOperation as C, SecuredClass as K};
    let mut s = fabrikam();
    let e = Engine::new(s.clone()).unwrap();
    let d = check(&e, MARIA, LAPTOP, Feature::ApplicationsView);
    assert_eq!(
        d.codes().collect::<Vec<_>>(),
        [ReasonCode::ConfigmgrClassPermissionMissing]
    );
    assert_eq!(d.reasons[0].rule, "R-G6");
    assert!(
        d.reasons[0].detail.contains("Application"),
        "{}",
        d.reasons[0].detail
    );
    let d = check(&e, MARIA, LAPTOP, Feature::ApplicationActions);
    assert_eq!(
        d.codes().collect::<Vec<_>>(),
        [
            ReasonCode::ConfigmgrClassPermissionMissing,
            ReasonCode::ConfigmgrClassPermissionMissing
        ]
    );
    assert!(d.reasons.iter().any(|r| r.detail.contains("Approve")));
    assert!(d.reasons.iter().any(|r| r.detail.contains("Read")));
    // R-G4 fails on the server: R-G6 is not evaluated.
    assert_eq!(
        codes(&e, MARIA, "FAB-SQL-01", Feature::ApplicationActions),
        [ReasonCode::ConfigmgrPermissionMissing]
    );
    // Read on Application: the page opens; the actions still lack Approve.
    s.configmgr.roles[0].class_operations = class_ops(&[(K::Application, &[C::Read])]);
    let e = Engine::new(s.clone()).unwrap();
    assert!(allowed(&e, MARIA, LAPTOP, Feature::ApplicationsView));
    let d = check(&e, MARIA, LAPTOP, Feature::ApplicationActions);
    assert_eq!(
        d.codes().collect::<Vec<_>>(),
        [ReasonCode::ConfigmgrClassPermissionMissing]
    );
    assert!(
        d.reasons[0].detail.contains("Approve"),
        "{}",
        d.reasons[0].detail
    );
    // A role in an association without any collection still grants its class operations.
    let mut approver = s.clone();
    approver.configmgr.roles.push(ConfigMgrRole {
        id: "FB100005".into(),
        name: "Application approver".into(),
        collection_operations: vec![],
        class_operations: class_ops(&[(K::Application, &[C::Approve])]),
    });
    approver.configmgr.admins[0].roles.push("FB100005".into());
    approver.configmgr.admins[0].associations.push(Association {
        role: "FB100005".into(),
        collections: vec![],
    });
    let e = Engine::new(approver).unwrap();
    assert!(allowed(&e, MARIA, LAPTOP, Feature::ApplicationActions));
    // Full Administrator, with no class operation listed, grants them all.
    let mut full = fabrikam();
    full.configmgr.roles.push(ConfigMgrRole {
        id: "SMS0001R".into(),
        name: "Full Administrator".into(),
        collection_operations: vec![],
        class_operations: Default::default(),
    });
    full.configmgr.admins[0].roles.push("SMS0001R".into());
    full.configmgr.admins[0].associations.push(Association {
        role: "SMS0001R".into(),
        collections: vec![],
    });
    let e = Engine::new(full).unwrap();
    assert!(allowed(&e, MARIA, LAPTOP, Feature::ApplicationActions));
    // intune_only mode: no ConfigMgr side, so no R-G6.
    let mut only = fabrikam();
    intune_only(&mut only);
    only.intune.role_definitions[0]
        .permissions
        .push("Microsoft.Intune_CloudAttach_ApplicationActions".into());
    let e = Engine::new(only).unwrap();
    assert!(allowed(&e, MARIA, LAPTOP, Feature::ApplicationActions));
}

/// R-G6: a class override on view joins every feature under `configmgr_gates_view`, like
/// view's Collection operations; `policy.features.F.classes` replaces a row's classes.
#[test]
fn r_g6_view_classes_follow_configmgr_gates_view_and_overrides_replace() {
    use tenant_attach::{ClassOperation as C, SecuredClass as K};
    let mut s = fabrikam();
    s.policy.features.insert(
        Feature::View,
        FeatureOverride {
            classes: Some(class_ops(&[(K::Site, &[C::Read])])),
            ..Default::default()
        },
    );
    let e = Engine::new(s.clone()).unwrap();
    for f in [Feature::View, Feature::Timeline, Feature::SyncMachinePolicy] {
        assert_eq!(
            codes(&e, MARIA, LAPTOP, f),
            [ReasonCode::ConfigmgrClassPermissionMissing],
            "{f}"
        );
    }
    s.policy.configmgr_gates_view = false;
    let e = Engine::new(s).unwrap();
    assert!(allowed(&e, MARIA, LAPTOP, Feature::View));
    assert!(allowed(&e, MARIA, LAPTOP, Feature::Timeline));
    // The applications page with its classes overridden to none.
    let mut s = fabrikam();
    s.policy.features.insert(
        Feature::ApplicationsView,
        FeatureOverride {
            classes: Some(Default::default()),
            ..Default::default()
        },
    );
    let e = Engine::new(s).unwrap();
    assert!(allowed(&e, MARIA, LAPTOP, Feature::ApplicationsView));
}

/// Fabrikam where maria may run scripts as far as R-G4 and R-G6 go.
fn script_runner() -> Snapshot {
    use tenant_attach::{ClassOperation as C, SecuredClass as K};
    let mut s = fabrikam();
    s.configmgr.roles[0]
        .collection_operations
        .push(Operation::RunScript);
    s.configmgr.roles[0].class_operations =
        class_ops(&[(K::Site, &[C::Read]), (K::Scripts, &[C::Read])]);
    s
}

fn script(approved: bool, has_parameters: bool, scopes: &[&str]) -> Script {
    Script {
        id: "6d1f0a3e-0000-4000-8000-000000000001".into(),
        name: "Restart print spooler".into(),
        approved,
        has_parameters,
        scopes: scopes.iter().map(|x| (*x).to_owned()).collect(),
    }
}

/// R-G7: run_script needs an approved script without parameters whose scopes meet those of
/// an administrative user holding Scripts Read (SMS00ALL meets all); without
/// `configmgr.scripts` it is not evaluated, and the decision says so.
#[test]
fn r_g7_runnable_script_or_not_evaluated() {
    let mut s = script_runner();
    // Scripts unknown: allowed, with the note.
    let e = Engine::new(s.clone()).unwrap();
    let d = check(&e, MARIA, LAPTOP, Feature::RunScript);
    assert!(d.allowed, "{:?}", d.reasons);
    assert_eq!(d.not_evaluated.len(), 1);
    assert_eq!(d.not_evaluated[0].rule, "R-G7");
    assert!(!d.not_evaluated[0].detail.is_empty());
    // Only run_script carries the note.
    assert!(
        check(&e, MARIA, LAPTOP, Feature::ScriptsView)
            .not_evaluated
            .is_empty()
    );
    // No script at all.
    s.configmgr.scripts = Some(vec![]);
    let e = Engine::new(s.clone()).unwrap();
    let d = check(&e, MARIA, LAPTOP, Feature::RunScript);
    assert_eq!(
        d.codes().collect::<Vec<_>>(),
        [ReasonCode::NoRunnableScript]
    );
    assert_eq!(d.reasons[0].rule, "R-G7");
    assert!(d.not_evaluated.is_empty());
    assert!(allowed(&e, MARIA, LAPTOP, Feature::ScriptsView)); // R-G7 is run_script's alone
    // One runnable script in the admin's scope.
    s.configmgr.scripts = Some(vec![script(true, false, &["SMS00UNA"])]);
    let e = Engine::new(s.clone()).unwrap();
    let d = check(&e, MARIA, LAPTOP, Feature::RunScript);
    assert!(d.allowed, "{:?}", d.reasons);
    assert!(d.not_evaluated.is_empty());
    // With parameters, or not approved: not listed.
    for (approved, params) in [(true, true), (false, false)] {
        s.configmgr.scripts = Some(vec![script(approved, params, &["SMS00UNA"])]);
        let e = Engine::new(s.clone()).unwrap();
        assert_eq!(
            codes(&e, MARIA, LAPTOP, Feature::RunScript),
            [ReasonCode::NoRunnableScript],
            "approved {approved}, parameters {params}"
        );
    }
    // Scopes: PS100003 does not meet SMS00UNA; SMS00ALL meets everything.
    s.configmgr.scripts = Some(vec![script(true, false, &["PS100003"])]);
    let e = Engine::new(s.clone()).unwrap();
    assert_eq!(
        codes(&e, MARIA, LAPTOP, Feature::RunScript),
        [ReasonCode::NoRunnableScript]
    );
    let mut all = s.clone();
    all.configmgr.admins[0].scopes = vec!["SMS00ALL".into()];
    let e = Engine::new(all).unwrap();
    assert!(allowed(&e, MARIA, LAPTOP, Feature::RunScript));
}

/// R-G7: the scope must meet that of an administrative user that itself holds Scripts Read.
#[test]
fn r_g7_scope_and_scripts_read_on_the_same_administrative_user() {
    let mut s = script_runner();
    s.configmgr.scripts = Some(vec![script(true, false, &["PS100003"])]);
    // Maria's own SID: a second administrative user in scope PS100003 without Scripts Read.
    s.configmgr.roles.push(ConfigMgrRole {
        id: "FB100006".into(),
        name: "Scoped nothing".into(),
        collection_operations: vec![],
        class_operations: Default::default(),
    });
    s.configmgr.admins.push(ConfigMgrAdmin {
        id: 16_777_231,
        account: "FABRIKAM\\maria".into(),
        sid: "S-1-5-21-7-7-7-3001".into(),
        is_group: false,
        association_mode: AssociationMode::CrossProduct,
        roles: vec!["FB100006".into()],
        collections: vec![],
        scopes: vec!["PS100003".into()],
        associations: vec![],
        associations_inferred: false,
    });
    let e = Engine::new(s.clone()).unwrap();
    assert_eq!(
        codes(&e, MARIA, LAPTOP, Feature::RunScript),
        [ReasonCode::NoRunnableScript]
    );
    s.configmgr.roles[1].class_operations = class_ops(&[(
        tenant_attach::SecuredClass::Scripts,
        &[tenant_attach::ClassOperation::Read],
    )]);
    let e = Engine::new(s).unwrap();
    assert!(allowed(&e, MARIA, LAPTOP, Feature::RunScript));
}

/// R-G7 runs only after R-G4 and R-G6 hold, and only in combined mode.
#[test]
fn r_g7_only_after_r_g4_and_r_g6_and_in_combined_mode() {
    // R-G6 fails (no Scripts Read): no R-G7 reason, no note.
    for scripts in [None, Some(vec![])] {
        let mut s = script_runner();
        s.configmgr.scripts = scripts.clone();
        s.configmgr.roles[0]
            .class_operations
            .remove(&tenant_attach::SecuredClass::Scripts);
        let e = Engine::new(s).unwrap();
        let d = check(&e, MARIA, LAPTOP, Feature::RunScript);
        assert_eq!(
            d.codes().collect::<Vec<_>>(),
            [ReasonCode::ConfigmgrClassPermissionMissing],
            "{scripts:?}"
        );
        assert!(d.not_evaluated.is_empty());
    }
    // R-G4 fails (no Run Script on the collection): R-G6 and R-G7 are not evaluated.
    let mut s = script_runner();
    s.configmgr.roles[0]
        .collection_operations
        .retain(|o| *o != Operation::RunScript);
    s.configmgr.roles[0].class_operations = Default::default();
    let e = Engine::new(s).unwrap();
    let d = check(&e, MARIA, LAPTOP, Feature::RunScript);
    assert_eq!(
        d.codes().collect::<Vec<_>>(),
        [ReasonCode::ConfigmgrPermissionMissing]
    );
    assert!(d.not_evaluated.is_empty());
    // intune_only mode: no R-G7 (nor note), whatever the scripts.
    for scripts in [None, Some(vec![])] {
        let mut s = fabrikam();
        intune_only(&mut s);
        s.configmgr.scripts = scripts;
        s.intune.role_definitions[0]
            .permissions
            .push("Microsoft.Intune_CloudAttach_ScriptActions".into());
        let e = Engine::new(s).unwrap();
        let d = check(&e, MARIA, LAPTOP, Feature::RunScript);
        assert!(d.allowed, "{:?}", d.reasons);
        assert!(d.not_evaluated.is_empty());
    }
}

/// R-F1 knob `combined_page_permissions`: `view` (default) reads the "—" rows as nothing
/// beyond view; `feature` makes each combined row its intune_only row, unless the feature's
/// override sets `intune_combined` explicitly.
#[test]
fn r_f1_combined_page_permissions_knob_both_values() {
    let mut s = fabrikam();
    assert_eq!(
        s.policy.combined_page_permissions,
        CombinedPagePermissions::View
    );
    // Maria lacks CloudAttach_ResourceExplorer, holds CloudAttach_Timeline.
    let e = Engine::new(s.clone()).unwrap();
    assert!(allowed(&e, MARIA, LAPTOP, Feature::ResourceExplorer));
    let d = check(&e, MARIA, LAPTOP, Feature::ResourceExplorer);
    assert!(
        d.policy.contains_key("combined_page_permissions"),
        "{:?}",
        d.policy
    );
    s.policy.combined_page_permissions = CombinedPagePermissions::Feature;
    let e = Engine::new(s.clone()).unwrap();
    assert_eq!(
        codes(&e, MARIA, LAPTOP, Feature::ResourceExplorer),
        [ReasonCode::IntunePermissionMissing]
    );
    assert!(allowed(&e, MARIA, LAPTOP, Feature::Timeline));
    assert!(allowed(&e, MARIA, LAPTOP, Feature::View));
    assert!(allowed(&e, MARIA, LAPTOP, Feature::SyncMachinePolicy));
    // An overridden intune_only row is what `feature` copies.
    let mut o = s.clone();
    o.policy.features.insert(
        Feature::ResourceExplorer,
        FeatureOverride {
            intune_only: Some(vec!["Microsoft.Intune_CloudAttach_Timeline".into()]),
            ..Default::default()
        },
    );
    let e = Engine::new(o).unwrap();
    assert!(allowed(&e, MARIA, LAPTOP, Feature::ResourceExplorer));
    // An explicit intune_combined override wins over the knob.
    s.policy.features.insert(
        Feature::ResourceExplorer,
        FeatureOverride {
            intune_combined: Some(vec![]),
            ..Default::default()
        },
    );
    let e = Engine::new(s).unwrap();
    assert!(allowed(&e, MARIA, LAPTOP, Feature::ResourceExplorer));
}

// ---- input errors in the rulebook 2 fields ----------------------------------------------

/// The Fabrikam snapshot as JSON, changed by `edit`: (rule, path, message) of each error,
/// and whether the engine refuses it (it must, without a panic).
fn input_errors(edit: impl FnOnce(&mut serde_json::Value)) -> Vec<(String, String, String)> {
    let mut v: serde_json::Value = serde_json::from_str(&fabrikam().to_json()).unwrap();
    edit(&mut v);
    let text = serde_json::to_string_pretty(&v).unwrap();
    let d = tenant_attach::validate_json(&text);
    assert!(d.has_input_errors());
    assert!(Engine::from_json(&text).is_err());
    d.errors()
        .map(|e| {
            (
                e.rule().to_owned(),
                e.path().to_owned(),
                e.message().to_owned(),
            )
        })
        .collect()
}

/// R-G6: an unknown secured class name is an input error with its JSON path.
#[test]
fn r_g6_unknown_class_name_is_an_input_error_with_its_path() {
    let e = input_errors(|v| {
        v["configmgr"]["roles"][0]["class_operations"] = serde_json::json!({ "sitex": ["read"] });
    });
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, "schema");
    assert_eq!(e[0].1, "$.configmgr.roles[0].class_operations.sitex");
    assert!(
        e[0].2.contains("`sitex`") && e[0].2.contains("line"),
        "{}",
        e[0].2
    );
    // Same in a feature override's `classes`.
    let e = input_errors(|v| {
        v["policy"]["features"] =
            serde_json::json!({ "run_script": { "classes": { "scriptz": ["read"] } } });
    });
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, "schema");
    assert_eq!(e[0].1, "$.policy.features.run_script.classes.scriptz");
    assert!(e[0].2.contains("`scriptz`"), "{}", e[0].2);
}

/// R-G6: an unknown class operation is an input error with its JSON path.
#[test]
fn r_g6_unknown_class_operation_is_an_input_error_with_its_path() {
    let e = input_errors(|v| {
        v["configmgr"]["roles"][0]["class_operations"] =
            serde_json::json!({ "application": ["read", "aprove"] });
    });
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, "schema");
    assert_eq!(
        e[0].1,
        "$.configmgr.roles[0].class_operations.application[1]"
    );
    assert!(e[0].2.contains("`aprove`"), "{}", e[0].2);
}

/// R-G7: an unknown key in a script is an input error with its JSON path.
#[test]
fn r_g7_unknown_key_in_a_script_is_an_input_error_with_its_path() {
    let e = input_errors(|v| {
        v["configmgr"]["scripts"] = serde_json::json!([{
            "id": "6d1f0a3e-0000-4000-8000-000000000001", "name": "Restart print spooler",
            "approved": true, "has_parameters": false, "scopes": ["SMS00UNA"], "aproved": true
        }]);
    });
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(
        (e[0].0.as_str(), e[0].1.as_str()),
        ("schema", "$.configmgr.scripts[0].aproved")
    );
    assert!(e[0].2.contains("`aproved`"), "{}", e[0].2);
    let e = input_errors(|v| {
        v["configmgr"]["scripts"] = serde_json::json!([{
            "id": "x", "name": "y", "approved": "yes", "has_parameters": false
        }]);
    });
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].1, "$.configmgr.scripts[0].approved");
}

/// R-F3: a `since` of the wrong type is an input error with its JSON path.
#[test]
fn r_f3_since_of_the_wrong_type_is_an_input_error_with_its_path() {
    let e = input_errors(|v| {
        v["policy"]["features"] = serde_json::json!({ "timeline": { "since": "2006" } });
    });
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, "schema");
    assert_eq!(e[0].1, "$.policy.features.timeline.since");
    assert!(e[0].2.contains("2006"), "{}", e[0].2);
}

/// R-F1: an unknown `combined_page_permissions` value is an input error with its path.
#[test]
fn r_f1_unknown_combined_page_permissions_is_an_input_error_with_its_path() {
    let e = input_errors(|v| {
        v["policy"]["combined_page_permissions"] = serde_json::json!("features");
    });
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(
        (e[0].0.as_str(), e[0].1.as_str()),
        ("schema", "$.policy.combined_page_permissions")
    );
    assert!(e[0].2.contains("`features`"), "{}", e[0].2);
}
