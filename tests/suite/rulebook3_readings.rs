//! Rulebook 3, case by case (the independent side): small hand-built worlds that pin the rulebook's "Rulebook 3
//! readings" (R-I1 reader roles, R-I8 licences, R-F3 availability, R-F5 client versions, R-F6
//! advisories and the SMS Provider's MFA, R-H4 offboarding), each answered by the engine and by
//! the reference evaluator through the differential test's [`Evaluator`] trait.

use std::collections::BTreeSet;

use tenant_attach::snapshot::*;
use tenant_attach::{AdvisoryCode, Engine, Feature, ReasonCode, validate};

use crate::differential::Evaluator;
use crate::reference::Reference;

const DEVICE: u32 = 16_777_220;
const USER: &str = "u1";
const P: &str = "Microsoft.Intune_";

fn perms(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| format!("{P}{n}")).collect()
}

/// An `intune_only` world (2403, the box cleared, Intune RBAC on: no ConfigMgr side): one
/// tenant-attached device with a 2403 client; cloud-only user `u1` directly in group `g-direct`,
/// which is itself a member of `g-outer`; role `r-all` (view, device actions, application
/// actions, client details) assigned to `g-direct` as `a-direct` and to `g-outer` as
/// `a-nested`, both on all devices with no scope tags.
fn world() -> Snapshot {
    let mut h = Hierarchy::new("PS1", 2403);
    h.attach.enforce_configmgr_rbac = false;
    h.sms_provider_mfa = Some(false);
    let mut d = Device::new(DEVICE, "WS-01");
    d.client_version = Some(2403);
    let mut s = Snapshot::new(h)
        .with_device(d)
        .with_collection(Collection::all_systems(&[DEVICE]));
    s.tenant.use_intune_rbac = true;
    // `Snapshot::new` lists the Default tag (id "0").
    s.intune.scope_tags.push(ScopeTag::new("1", "Paris"));
    s.entra.users.push(EntraUser {
        id: USER.into(),
        upn: "user1@contoso.com".into(),
        on_premises_sid: None,
        on_premises_group_sids: vec![],
        directory_roles: vec![],
        intune_licensed: Some(true),
    });
    for (id, members) in [("g-direct", vec![USER]), ("g-outer", vec!["g-direct"])] {
        s.entra.groups.push(EntraGroup {
            id: id.into(),
            name: id.into(),
            members: members.into_iter().map(String::from).collect(),
        });
    }
    s.intune.role_definitions.push(RoleDefinition {
        id: "r-all".into(),
        name: "Operator".into(),
        built_in: false,
        permissions: perms(&[
            "ManagedDevices_Read",
            "RemoteTasks_ConfigurationManagerAction",
            "CloudAttach_ApplicationActions",
            "CloudAttach_ClientDetails",
        ]),
    });
    for (id, group) in [("a-direct", "g-direct"), ("a-nested", "g-outer")] {
        s.intune.role_assignments.push(RoleAssignment {
            id: id.into(),
            name: id.into(),
            role: "r-all".into(),
            members: vec![group.into()],
            scope: AssignmentScope::all_devices(),
            scope_tags: vec![],
        });
    }
    s
}

fn user(s: &mut Snapshot) -> &mut EntraUser {
    s.entra.users.iter_mut().find(|u| u.id == USER).unwrap()
}

/// A role definition `id` with the permissions `names`.
fn role(s: &mut Snapshot, id: &str, name: &str, built_in: bool, names: &[&str]) {
    s.intune.role_definitions.push(RoleDefinition {
        id: id.into(),
        name: name.into(),
        built_in,
        permissions: perms(names),
    });
}

fn assignment<'a>(s: &'a mut Snapshot, id: &str) -> &'a mut RoleAssignment {
    s.intune
        .role_assignments
        .iter_mut()
        .find(|a| a.id == id)
        .unwrap()
}

/// What both evaluators answer: allowed, reason codes, `not_evaluated` rules, advisories.
#[derive(Debug, PartialEq, Eq)]
struct Said {
    allowed: bool,
    codes: BTreeSet<ReasonCode>,
    not_evaluated: BTreeSet<String>,
    advisories: Vec<AdvisoryCode>,
}

fn ask(s: &Snapshot, f: Feature) -> Said {
    let engine = Engine::new(s.clone()).unwrap();
    let reference = Reference { s };
    let said = |e: &dyn Evaluator| {
        let (allowed, codes) = e.decide(USER, DEVICE, f);
        Said {
            allowed,
            codes,
            not_evaluated: e.not_evaluated(USER, DEVICE, f),
            advisories: e.advisories(USER, DEVICE, f),
        }
    };
    let r = said(&reference);
    let e = said(&engine);
    assert_eq!(e, r, "engine (left) and reference (right) on {f}");
    r
}

fn codes(list: &[ReasonCode]) -> BTreeSet<ReasonCode> {
    list.iter().copied().collect()
}

fn rules(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|r| (*r).to_owned()).collect()
}

/// The engine's reasons in order.
fn ordered(s: &Snapshot, f: Feature) -> Vec<ReasonCode> {
    let e = Engine::new(s.clone()).unwrap();
    let d = e.check(
        e.find_user(USER).unwrap(),
        e.device_by_resource_id(DEVICE).unwrap(),
        f,
    );
    d.codes().collect()
}

/// R-I8: a licensed user reaches assignments through nested groups; the world allows.
#[test]
fn r_i8_licensed_user_allowed() {
    let s = world();
    let a = ask(&s, Feature::SyncMachinePolicy);
    assert!(a.allowed, "{a:?}");
    assert!(a.not_evaluated.is_empty());
}

/// R-I8: unlicensed with *unlicensed admins* off: `no_intune_license`, which stops the Intune
/// side.
#[test]
fn r_i8_unlicensed_setting_off_no_intune_license() {
    let mut s = world();
    user(&mut s).intune_licensed = Some(false);
    let a = ask(&s, Feature::SyncMachinePolicy);
    assert_eq!(a.codes, codes(&[ReasonCode::NoIntuneLicense]));
}

/// R-I2 before R-I8: unlicensed with no assignment at all is `no_intune_role`.
#[test]
fn r_i8_no_assignment_is_no_intune_role() {
    let mut s = world();
    user(&mut s).intune_licensed = Some(false);
    s.intune.role_assignments.clear();
    let a = ask(&s, Feature::View);
    assert_eq!(a.codes, codes(&[ReasonCode::NoIntuneRole]));
}

/// R-I8: setting on, the only assignment reached through a nested group:
/// `unlicensed_nested_membership`, alone.
#[test]
fn r_i8_unlicensed_nested_only() {
    let mut s = world();
    s.tenant.unlicensed_admins = true;
    user(&mut s).intune_licensed = Some(false);
    s.intune.role_assignments.retain(|a| a.id == "a-nested");
    let a = ask(&s, Feature::View);
    assert_eq!(a.codes, codes(&[ReasonCode::UnlicensedNestedMembership]));
}

/// R-I8: setting on, a direct assignment that suffices: the nested one dropped never turns the
/// allow into a deny.
#[test]
fn r_i8_nested_dropped_but_direct_suffices() {
    let mut s = world();
    s.tenant.unlicensed_admins = true;
    user(&mut s).intune_licensed = Some(false);
    assert!(ask(&s, Feature::SyncMachinePolicy).allowed);
}

/// R-I8: setting on, the direct assignment lacks the permission the nested one holds:
/// `unlicensed_nested_membership` first, then `intune_permission_missing`.
#[test]
fn r_i8_nested_listed_first_when_direct_fails() {
    let mut s = world();
    s.tenant.unlicensed_admins = true;
    user(&mut s).intune_licensed = Some(false);
    role(&mut s, "r-read", "Reader", false, &["ManagedDevices_Read"]);
    assignment(&mut s, "a-direct").role = "r-read".into();
    let a = ask(&s, Feature::SyncMachinePolicy);
    assert_eq!(
        a.codes,
        codes(&[
            ReasonCode::UnlicensedNestedMembership,
            ReasonCode::IntunePermissionMissing
        ])
    );
    assert_eq!(
        ordered(&s, Feature::SyncMachinePolicy),
        [
            ReasonCode::UnlicensedNestedMembership,
            ReasonCode::IntunePermissionMissing
        ]
    );
}

/// R-I8 `licence_unknown`: an unknown licence read as licensed allows and lists R-I8 under
/// `not_evaluated` (the other reading denies); read as unlicensed it denies, listing R-I8 too.
#[test]
fn r_i8_unknown_licence_not_evaluated() {
    let mut s = world();
    user(&mut s).intune_licensed = None;
    let a = ask(&s, Feature::View);
    assert!(a.allowed);
    assert_eq!(a.not_evaluated, rules(&["R-I8"]));
    s.policy.licence_unknown = LicenceUnknown::Unlicensed;
    let a = ask(&s, Feature::View);
    assert_eq!(a.codes, codes(&[ReasonCode::NoIntuneLicense]));
    assert_eq!(a.not_evaluated, rules(&["R-I8"]));
}

/// R-I8 `not_evaluated` only where the licence changes which assignments apply: with the
/// setting on and only direct assignments, both readings give the same set.
#[test]
fn r_i8_unknown_licence_that_changes_nothing() {
    let mut s = world();
    s.tenant.unlicensed_admins = true;
    user(&mut s).intune_licensed = None;
    s.intune.role_assignments.retain(|a| a.id == "a-direct");
    let a = ask(&s, Feature::View);
    assert!(a.allowed);
    assert!(a.not_evaluated.is_empty(), "{a:?}");
}

/// R-I1 reader roles (`entra_roles = documented`): a Global Reader with no assignment sees the
/// device (licence irrelevant), but asking for more is `intune_permission_missing`, not
/// `no_intune_role`; under `admins_only` it is rulebook 2's `no_intune_role`.
#[test]
fn r_i1_reader_role_reads_without_assignment() {
    let mut s = world();
    s.intune.role_assignments.clear();
    let u = user(&mut s);
    u.directory_roles = vec![DirectoryRole::GlobalReader];
    u.intune_licensed = Some(false);
    assert!(ask(&s, Feature::View).allowed);
    let a = ask(&s, Feature::SyncMachinePolicy);
    assert_eq!(a.codes, codes(&[ReasonCode::IntunePermissionMissing]));
    s.policy.entra_roles = EntraRoles::AdminsOnly;
    let a = ask(&s, Feature::View);
    assert_eq!(a.codes, codes(&[ReasonCode::NoIntuneRole]));
}

/// R-I1 reader roles: view's permission is held on every device, whatever the scope tags
/// (R-S2 aside); an unlicensed reader with the setting off asking for more is
/// `no_intune_license`.
#[test]
fn r_i1_reader_unlimited_by_tags_and_licence() {
    let mut s = world();
    for a in &mut s.intune.role_assignments {
        a.scope_tags = vec!["1".into()]; // reaches nothing on a Default-only device
    }
    let u = user(&mut s);
    u.directory_roles = vec![DirectoryRole::SecurityReader];
    u.intune_licensed = Some(false);
    assert!(ask(&s, Feature::View).allowed);
    let a = ask(&s, Feature::SyncMachinePolicy);
    assert_eq!(a.codes, codes(&[ReasonCode::NoIntuneLicense]));
}

/// R-I1 `helpdesk_as_operator`: a Helpdesk Administrator holds the built-in Help Desk
/// Operator's permissions (not a custom role of that name); under `documented` only view's.
#[test]
fn r_i1_helpdesk_as_operator() {
    let mut s = world();
    s.intune.role_assignments.clear();
    user(&mut s).directory_roles = vec![DirectoryRole::HelpdeskAdministrator];
    role(
        &mut s,
        "r-hdo",
        "Help Desk Operator",
        true,
        &[
            "ManagedDevices_Read",
            "RemoteTasks_ConfigurationManagerAction",
        ],
    );
    s.policy.entra_roles = EntraRoles::HelpdeskAsOperator;
    assert!(ask(&s, Feature::SyncMachinePolicy).allowed);
    s.policy.entra_roles = EntraRoles::Documented;
    assert!(!ask(&s, Feature::SyncMachinePolicy).allowed);
    s.policy.entra_roles = EntraRoles::HelpdeskAsOperator;
    s.intune
        .role_definitions
        .iter_mut()
        .find(|d| d.id == "r-hdo")
        .unwrap()
        .built_in = false;
    assert!(!ask(&s, Feature::SyncMachinePolicy).allowed);
}

/// R-F5: `application_management` needs a 2010 client: older is `client_version_too_old`,
/// unknown is listed under `not_evaluated`; under `application_actions_split = single` it is
/// decided as `application_actions`, with no client check.
#[test]
fn r_f5_client_version() {
    let mut s = world();
    s.devices[0].client_version = Some(2006);
    let a = ask(&s, Feature::ApplicationManagement);
    assert_eq!(a.codes, codes(&[ReasonCode::ClientVersionTooOld]));
    assert!(ask(&s, Feature::ApplicationActions).allowed);
    s.devices[0].client_version = None;
    let a = ask(&s, Feature::ApplicationManagement);
    assert!(a.allowed);
    assert_eq!(a.not_evaluated, rules(&["R-F5"]));
    s.devices[0].client_version = Some(2006);
    s.policy.application_actions_split = ApplicationActionsSplit::Single;
    let a = ask(&s, Feature::ApplicationManagement);
    assert!(a.allowed);
    assert!(a.not_evaluated.is_empty());
}

/// R-F5 `policy.features.F.client_since`: any feature can ask for a client version.
#[test]
fn r_f5_client_since_override() {
    let mut s = world();
    s.policy.features.insert(
        Feature::ClientDetails,
        FeatureOverride {
            client_since: Some(2500),
            ..FeatureOverride::default()
        },
    );
    let a = ask(&s, Feature::ClientDetails);
    assert_eq!(a.codes, codes(&[ReasonCode::ClientVersionTooOld]));
}

/// R-F3 (rulebook 3): `application_management` from 2010 on the site; on US Government only
/// view and the device actions exist under `documented`, the only reason.
#[test]
fn r_f3_application_split_and_us_government() {
    let mut s = world();
    s.hierarchy.version = 2006;
    let a = ask(&s, Feature::ApplicationManagement);
    assert_eq!(a.codes, codes(&[ReasonCode::FeatureUnavailable]));
    let mut s = world();
    s.hierarchy.cloud = Cloud::UsGovernment;
    user(&mut s).intune_licensed = Some(false); // would deny too: not evaluated
    let a = ask(&s, Feature::ClientDetails);
    assert_eq!(a.codes, codes(&[ReasonCode::FeatureUnavailable]));
    assert!(a.not_evaluated.is_empty());
    s.policy.us_government_features = UsGovernmentFeatures::All;
    let a = ask(&s, Feature::ClientDetails);
    assert_eq!(a.codes, codes(&[ReasonCode::NoIntuneLicense]));
}

/// R-F3 (rulebook 3): at 2006 or earlier the scripts pages need the optional feature: off is
/// `scripts_feature_disabled` and nothing else; unknown is listed under `not_evaluated`.
#[test]
fn r_f3_scripts_switch() {
    let mut s = world();
    s.hierarchy.version = 2006;
    s.hierarchy.scripts_feature_enabled = Some(false);
    let a = ask(&s, Feature::ScriptsView);
    assert_eq!(a.codes, codes(&[ReasonCode::ScriptsFeatureDisabled]));
    s.hierarchy.scripts_feature_enabled = None;
    let a = ask(&s, Feature::RunScript);
    assert!(a.not_evaluated.contains("R-F3"), "{a:?}");
    s.hierarchy.version = 2010;
    s.hierarchy.scripts_feature_enabled = Some(false);
    let a = ask(&s, Feature::ScriptsView);
    assert!(!a.codes.contains(&ReasonCode::ScriptsFeatureDisabled));
}

/// R-F6: an SMS Provider requiring MFA denies the acting features and the applications,
/// CMPivot and scripts pages (`sms_provider_mfa`), not view; unknown, it is an advisory on
/// those features' allowed decisions, after the feature's own.
#[test]
fn r_f6_sms_provider_mfa_and_advisories() {
    let mut s = world();
    s.hierarchy.sms_provider_mfa = Some(true);
    let a = ask(&s, Feature::SyncMachinePolicy);
    assert_eq!(a.codes, codes(&[ReasonCode::SmsProviderMfa]));
    assert!(ask(&s, Feature::View).allowed);
    s.hierarchy.sms_provider_mfa = None;
    let a = ask(&s, Feature::SyncMachinePolicy);
    assert!(a.allowed);
    assert_eq!(a.advisories, [AdvisoryCode::SmsProviderMfa]);
    let a = ask(&s, Feature::ApplicationManagement);
    assert_eq!(
        a.advisories,
        [AdvisoryCode::ClientOnline, AdvisoryCode::SmsProviderMfa]
    );
    assert!(ask(&s, Feature::View).advisories.is_empty());
    // Only on allowed decisions.
    user(&mut s).intune_licensed = Some(false);
    assert!(ask(&s, Feature::SyncMachinePolicy).advisories.is_empty());
}

/// R-H4 with R-I1 and R-I8: a reader role does not offboard (unless a Helpdesk Administrator
/// holds the built-in Help Desk Operator's `Organization_Delete` under
/// `helpdesk_as_operator`); an unlicensed user's assignments follow R-I8.
#[test]
fn r_h4_offboarding_readers_and_licences() {
    let offboard = |s: &Snapshot| {
        let e = Engine::new(s.clone()).unwrap();
        let o = e.offboard(e.find_user(USER).unwrap());
        let r = Reference { s }.offboard(USER);
        assert_eq!(
            (o.allowed, o.eta_minutes_max),
            r,
            "engine (left), reference"
        );
        r.0
    };
    let mut s = world();
    s.intune.role_assignments.clear();
    user(&mut s).directory_roles = vec![DirectoryRole::HelpdeskAdministrator];
    role(
        &mut s,
        "r-hdo",
        "Help Desk Operator",
        true,
        &["ManagedDevices_Read", "Organization_Delete"],
    );
    assert!(!offboard(&s));
    s.policy.entra_roles = EntraRoles::HelpdeskAsOperator;
    assert!(offboard(&s));
    let mut s = world();
    role(&mut s, "r-del", "Deleter", false, &["Organization_Delete"]);
    assignment(&mut s, "a-nested").role = "r-del".into();
    assert!(offboard(&s));
    s.tenant.unlicensed_admins = true;
    user(&mut s).intune_licensed = Some(false);
    assert!(!offboard(&s));
}

/// R-I8 validation warning: with *unlicensed admins* on, a member group of a role assignment
/// with more than 350 unlicensed direct member users (Microsoft's limit).
#[test]
fn r_i8_warns_past_350_unlicensed_direct_members() {
    let warned = |s: &Snapshot| validate(s).warnings().any(|d| d.rule() == "R-I8");
    let with = |n: usize, setting: bool, licensed: bool| {
        let mut s = world();
        s.tenant.unlicensed_admins = setting;
        for i in 0..n {
            let id = format!("x{i}");
            s.entra.users.push(EntraUser {
                id: id.clone(),
                upn: format!("x{i}@contoso.com"),
                on_premises_sid: None,
                on_premises_group_sids: vec![],
                directory_roles: vec![],
                intune_licensed: Some(licensed),
            });
            s.entra.groups[0].members.push(id);
        }
        s
    };
    assert!(warned(&with(351, true, false)));
    assert!(!warned(&with(350, true, false)));
    assert!(!warned(&with(351, false, false)));
    assert!(!warned(&with(351, true, true)));
}

/// R-F0 with R-F5: every feature needs `view`, so a `client_since` on view's row holds back
/// every feature on an older client (as view's `since` does, R-F3), and an unknown client
/// version is then listed under `not_evaluated` for every feature.
#[test]
fn r_f5_view_client_since_joins_every_feature() {
    let mut s = world();
    s.policy.features.insert(
        Feature::View,
        FeatureOverride {
            client_since: Some(2500),
            ..FeatureOverride::default()
        },
    );
    let a = ask(&s, Feature::View);
    assert_eq!(a.codes, codes(&[ReasonCode::ClientVersionTooOld]));
    let a = ask(&s, Feature::ClientDetails);
    assert_eq!(a.codes, codes(&[ReasonCode::ClientVersionTooOld]));
    s.devices[0].client_version = None;
    let a = ask(&s, Feature::SyncMachinePolicy);
    assert!(a.allowed);
    assert_eq!(a.not_evaluated, rules(&["R-F5"]));
}
