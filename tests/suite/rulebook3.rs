//! Rulebook 3, a test per rule and per reason code, with the exact explanation: licences
//! (R-I8), the Entra reader roles (R-I1), applications by site and client version (R-F3,
//! R-F5), US Government and the scripts switch (R-F3), advisories and the SMS Provider's MFA
//! (R-F6). Every decision is also checked against the fast path (`Engine::allows`) and
//! `visible`.

use tenant_attach::snapshot::{
    ApplicationActionsSplit, Cloud, DirectoryRole, EntraRoles, FeatureOverride, LicenceUnknown,
    UsGovernmentFeatures,
};
use tenant_attach::{AdvisoryCode, Decision, Feature, ReasonCode, Snapshot};

const FRANK: &str = "frank@contoso.com";
const ERIN: &str = "erin@contoso.com";
const DAVE: &str = "dave@contoso.com";

fn contoso() -> Snapshot {
    Snapshot::from_json(tenant_attach::sample::CONTOSO).unwrap()
}

/// Contoso with *Enforce Configuration Manager RBAC* cleared: `intune_only` mode (2403, the
/// tenant's Use Intune RBAC on), so the Intune side alone decides.
fn intune_only() -> Snapshot {
    let mut s = contoso();
    s.hierarchy.attach.enforce_configmgr_rbac = false;
    s
}

fn user_mut<'a>(s: &'a mut Snapshot, upn: &str) -> &'a mut tenant_attach::snapshot::EntraUser {
    s.entra.users.iter_mut().find(|u| u.upn == upn).unwrap()
}

/// The decision, checked against the fast path and `visible`.
fn decide(s: &Snapshot, user: &str, device: &str, f: Feature) -> Decision {
    let e = crate::engine(s);
    let (u, d) = (e.find_user(user).unwrap(), e.find_device(device).unwrap());
    let decision = e.check(u, d, f);
    assert_eq!(
        decision.allowed,
        e.allows(u, d, f),
        "fast path: {user} {device} {f}"
    );
    assert_eq!(
        decision.allowed,
        e.visible(u, f).contains(d),
        "visible: {user} {device} {f}"
    );
    decision
}

fn codes(d: &Decision) -> Vec<ReasonCode> {
    d.codes().collect()
}

fn rules_not_evaluated(d: &Decision) -> Vec<&str> {
    d.not_evaluated.iter().map(|n| n.rule).collect()
}

/// R-I8: an unlicensed administrator who reaches the Help Desk assignment only through a
/// nested group gets nothing from it when unlicensed admins are allowed (the sample's Frank).
#[test]
fn r_i8_unlicensed_nested_membership_names_the_nesting() {
    let d = decide(
        &intune_only(),
        FRANK,
        "CON-WS-004",
        Feature::SyncMachinePolicy,
    );
    assert!(!d.allowed);
    assert_eq!(codes(&d), [ReasonCode::UnlicensedNestedMembership]);
    assert_eq!(d.reasons[0].rule, "R-I8");
    assert_eq!(
        d.reasons[0].detail,
        "`frank@contoso.com` has no Intune licence and reaches assignment `Helpdesk - all devices` only through the group `Helpdesk Tier 2`, nested in `Intune Helpdesk`; with unlicensed admins allowed, assignments apply to direct members only"
    );
    // In combined mode the ConfigMgr side is listed after it, independently.
    let d = decide(&contoso(), FRANK, "CON-WS-004", Feature::SyncMachinePolicy);
    assert_eq!(
        codes(&d),
        [
            ReasonCode::UnlicensedNestedMembership,
            ReasonCode::NotDiscovered
        ]
    );
}

/// R-I8: a direct member of the assignment's group keeps it, licensed or not.
#[test]
fn r_i8_direct_membership_applies_to_unlicensed_admins() {
    let mut s = intune_only();
    let frank = user_mut(&mut s, FRANK).id.clone();
    let helpdesk = s
        .entra
        .groups
        .iter_mut()
        .find(|g| g.name == "Intune Helpdesk")
        .unwrap();
    helpdesk.members.push(frank);
    let d = decide(&s, FRANK, "CON-WS-004", Feature::SyncMachinePolicy);
    assert!(d.allowed, "{:?}", d.reasons);
    assert!(d.not_evaluated.is_empty());
}

/// R-I8: without the tenant setting, an unlicensed administrator gets no assignment at all;
/// licensed, nesting works as R-I2 says.
#[test]
fn r_i8_no_intune_license_without_the_tenant_setting() {
    let mut s = intune_only();
    s.tenant.unlicensed_admins = false;
    let d = decide(&s, FRANK, "CON-WS-004", Feature::View);
    assert_eq!(codes(&d), [ReasonCode::NoIntuneLicense]);
    assert_eq!(
        d.reasons[0].detail,
        "`frank@contoso.com` has no Intune licence and the tenant does not allow unlicensed admins: no Intune role assignment applies"
    );
    user_mut(&mut s, FRANK).intune_licensed = Some(true);
    assert!(decide(&s, FRANK, "CON-WS-004", Feature::SyncMachinePolicy).allowed);
}

/// R-I8 after R-I2: an unlicensed user whom no assignment reaches gets `no_intune_role`.
#[test]
fn r_i8_no_assignment_at_all_is_still_no_intune_role() {
    let mut s = intune_only();
    s.tenant.unlicensed_admins = false;
    let grace = user_mut(&mut s, "grace@contoso.com");
    grace.intune_licensed = Some(false);
    let id = grace.id.clone();
    for g in &mut s.entra.groups {
        g.members.retain(|m| *m != id);
    }
    let d = decide(&s, "grace@contoso.com", "CON-WS-001", Feature::View);
    assert_eq!(codes(&d), [ReasonCode::NoIntuneRole]);
}

/// R-I8: a licence the snapshot does not give is read by `licence_unknown` and listed under
/// `not_evaluated` where the other reading changes which assignments apply.
#[test]
fn r_i8_licence_unknown_knob_and_not_evaluated() {
    let mut s = intune_only();
    user_mut(&mut s, FRANK).intune_licensed = None;
    let d = decide(&s, FRANK, "CON-WS-004", Feature::SyncMachinePolicy);
    assert!(d.allowed, "{:?}", d.reasons);
    assert_eq!(rules_not_evaluated(&d), ["R-I8"]);
    assert_eq!(d.policy["licence_unknown"], "licensed");
    s.policy.licence_unknown = LicenceUnknown::Unlicensed;
    let d = decide(&s, FRANK, "CON-WS-004", Feature::SyncMachinePolicy);
    assert_eq!(codes(&d), [ReasonCode::UnlicensedNestedMembership]);
    assert_eq!(rules_not_evaluated(&d), ["R-I8"]);
    // A direct member's assignments are the same either way: nothing to list.
    user_mut(&mut s, "alice@contoso.com").intune_licensed = None;
    let d = decide(&s, "alice@contoso.com", "CON-WS-004", Feature::View);
    assert!(d.allowed && d.not_evaluated.is_empty());
}

/// R-I8: more than 350 unlicensed direct members in a group of an assignment is a warning
/// while unlicensed admins are allowed.
#[test]
fn r_i8_warns_past_350_unlicensed_direct_members() {
    let mut s = contoso();
    let group = s
        .entra
        .groups
        .iter()
        .position(|g| g.name == "Server Operators")
        .unwrap();
    for i in 0..351 {
        let id = format!("aaaaaaaa-0000-4000-8000-{i:012}");
        s.entra.users.push(tenant_attach::snapshot::EntraUser {
            id: id.clone(),
            upn: format!("temp{i}@contoso.com"),
            on_premises_sid: None,
            on_premises_group_sids: Vec::new(),
            directory_roles: Vec::new(),
            intune_licensed: Some(false),
        });
        s.entra.groups[group].members.push(id);
    }
    let warned = |s: &Snapshot| {
        tenant_attach::validate(s)
            .warnings()
            .filter(|d| d.rule() == "R-I8")
            .count()
    };
    assert_eq!(warned(&s), 1);
    s.tenant.unlicensed_admins = false;
    assert_eq!(warned(&s), 0);
}

/// R-I1 (rulebook 3): a reader role holds `view`'s permission on every device, unlimited by
/// tags or groups, and nothing else; `admins_only` gives rulebook 2 back.
#[test]
fn r_i1_reader_roles_read_only() {
    let mut s = intune_only();
    // Erin (Global Reader) out of the Help Desk group: the role alone decides.
    let erin = user_mut(&mut s, ERIN).id.clone();
    for g in &mut s.entra.groups {
        g.members.retain(|m| *m != erin);
    }
    for role in [
        DirectoryRole::GlobalReader,
        DirectoryRole::SecurityReader,
        DirectoryRole::SecurityOperator,
        DirectoryRole::SecurityAdministrator,
        DirectoryRole::HelpdeskAdministrator,
    ] {
        user_mut(&mut s, ERIN).directory_roles = vec![role];
        let d = decide(&s, ERIN, "CON-SRV-SQL01", Feature::View);
        assert!(d.allowed, "{role:?}: {:?}", d.reasons);
        assert_eq!(d.grants[1].id, role.as_str());
        let d = decide(&s, ERIN, "CON-WS-004", Feature::SyncMachinePolicy);
        assert_eq!(codes(&d), [ReasonCode::IntunePermissionMissing], "{role:?}");
    }
    s.policy.entra_roles = EntraRoles::AdminsOnly;
    let d = decide(&s, ERIN, "CON-SRV-SQL01", Feature::View);
    assert_eq!(codes(&d), [ReasonCode::NoIntuneRole]);
}

/// R-I1 (rulebook 3): under `helpdesk_as_operator` a Helpdesk Administrator also holds the
/// built-in Help Desk Operator's permissions, unlimited.
#[test]
fn r_i1_helpdesk_administrator_as_operator() {
    let mut s = intune_only();
    let erin = user_mut(&mut s, ERIN).id.clone();
    for g in &mut s.entra.groups {
        g.members.retain(|m| *m != erin);
    }
    user_mut(&mut s, ERIN).directory_roles = vec![DirectoryRole::HelpdeskAdministrator];
    assert!(!decide(&s, ERIN, "CON-WS-004", Feature::SyncMachinePolicy).allowed);
    s.policy.entra_roles = EntraRoles::HelpdeskAsOperator;
    let d = decide(&s, ERIN, "CON-WS-004", Feature::SyncMachinePolicy);
    assert!(d.allowed, "{:?}", d.reasons);
    assert_eq!(d.policy["entra_roles"], "helpdesk_as_operator");
    // A Global Reader stays read only.
    user_mut(&mut s, ERIN).directory_roles = vec![DirectoryRole::GlobalReader];
    assert!(!decide(&s, ERIN, "CON-WS-004", Feature::SyncMachinePolicy).allowed);
}

/// R-F3 (rulebook 3): uninstall, repair and re-evaluate came with 2010; install with 2006.
#[test]
fn r_f3_application_management_needs_a_2010_site() {
    let mut s = intune_only();
    s.hierarchy.version = 2006;
    s.hierarchy.attach.enforce_configmgr_rbac = true;
    s.tenant.use_intune_rbac = true;
    let d = decide(&s, DAVE, "CON-WS-004", Feature::ApplicationManagement);
    assert_eq!(codes(&d), [ReasonCode::FeatureUnavailable]);
    assert_eq!(
        d.reasons[0].detail,
        "Application management needs site version 2010 or later; the hierarchy's lowest site runs 2006"
    );
    let actions = decide(&s, DAVE, "CON-WS-004", Feature::ApplicationActions);
    assert!(!actions.codes().any(|c| c == ReasonCode::FeatureUnavailable));
    s.policy.application_actions_split = ApplicationActionsSplit::Single;
    let single = decide(&s, DAVE, "CON-WS-004", Feature::ApplicationManagement);
    assert_eq!(codes(&single), codes(&actions));
}

/// R-F3 (rulebook 3): on the US Government cloud only viewing and the device actions are
/// documented.
#[test]
fn r_f3_us_government_documents_device_sync_and_actions_only() {
    let mut s = intune_only();
    s.hierarchy.cloud = Cloud::UsGovernment;
    assert!(decide(&s, DAVE, "CON-WS-004", Feature::SyncMachinePolicy).allowed);
    let d = decide(&s, DAVE, "CON-WS-004", Feature::ClientDetails);
    assert_eq!(codes(&d), [ReasonCode::FeatureUnavailable]);
    assert_eq!(
        d.reasons[0].detail,
        "Client details is not among the tenant attach features documented for the US Government cloud (device sync and device actions; us_government_features `documented`)"
    );
    s.policy.us_government_features = UsGovernmentFeatures::All;
    assert!(decide(&s, DAVE, "CON-WS-004", Feature::ClientDetails).allowed);
}

/// R-F3 (rulebook 3): at 2006 and earlier the scripts pages need the optional feature.
#[test]
fn r_f3_scripts_feature_switch_on_old_sites() {
    let mut s = contoso();
    s.hierarchy.version = 2006;
    s.hierarchy.scripts_feature_enabled = Some(false);
    let d = decide(&s, DAVE, "CON-WS-004", Feature::RunScript);
    assert_eq!(codes(&d), [ReasonCode::ScriptsFeatureDisabled]);
    assert_eq!(d.reasons[0].rule, "R-F3");
    assert_eq!(
        d.reasons[0].detail,
        "Run script needs the optional feature Create and run scripts, which is off on this version 2006 site"
    );
    s.hierarchy.scripts_feature_enabled = None;
    let d = decide(
        &s,
        "carol@contoso.com",
        "CON-SRV-SQL01",
        Feature::ScriptsView,
    );
    assert_eq!(rules_not_evaluated(&d)[0], "R-F3");
    s.hierarchy.version = 2010;
    let d = decide(
        &s,
        "carol@contoso.com",
        "CON-SRV-SQL01",
        Feature::ScriptsView,
    );
    assert!(!rules_not_evaluated(&d).contains(&"R-F3"));
}

/// R-F5 (rulebook 3): application management needs a 2010 client; an unknown client version
/// is not evaluated; `client_since` overrides.
#[test]
fn r_f5_client_version_too_old() {
    let mut s = intune_only();
    let d = decide(&s, DAVE, "CON-WS-008", Feature::ApplicationManagement);
    assert_eq!(codes(&d), [ReasonCode::ClientVersionTooOld]);
    assert_eq!(
        d.reasons[0].detail,
        "the ConfigMgr client of `CON-WS-008` is version 2006; Application management needs a client of 2010 or later"
    );
    assert!(decide(&s, DAVE, "CON-WS-008", Feature::ApplicationActions).allowed);
    let ws8 = s
        .devices
        .iter_mut()
        .find(|d| d.name == "CON-WS-008")
        .unwrap();
    ws8.client_version = None;
    let d = decide(&s, DAVE, "CON-WS-008", Feature::ApplicationManagement);
    assert!(d.allowed);
    assert_eq!(rules_not_evaluated(&d), ["R-F5"]);
    s.policy.features.insert(
        Feature::Cmpivot,
        FeatureOverride {
            client_since: Some(2500),
            ..FeatureOverride::default()
        },
    );
    let d = decide(&s, DAVE, "CON-WS-004", Feature::Cmpivot);
    assert_eq!(codes(&d), [ReasonCode::ClientVersionTooOld]);
}

/// R-F6 (rulebook 3): preconditions the snapshot cannot see are advisories on an allow, never
/// a deny; a stated MFA requirement on the SMS Provider denies the acting features and the
/// applications, CMPivot and scripts pages.
#[test]
fn r_f6_advisories_and_sms_provider_mfa() {
    let mut s = intune_only();
    let advisories = |s: &Snapshot, f: Feature| -> Vec<AdvisoryCode> {
        let d = decide(s, DAVE, "CON-WS-004", f);
        assert!(d.allowed, "{f}: {:?}", d.reasons);
        d.advisories.iter().map(|a| a.code).collect()
    };
    assert_eq!(advisories(&s, Feature::View), []);
    assert_eq!(
        advisories(&s, Feature::Timeline),
        [AdvisoryCode::EndpointAnalyticsDataCollection]
    );
    assert_eq!(
        advisories(&s, Feature::BitlockerKeys),
        [
            AdvisoryCode::BitlockerManagementPolicy,
            AdvisoryCode::SmsProviderMfa
        ]
    );
    assert_eq!(
        advisories(&s, Feature::Cmpivot),
        [
            AdvisoryCode::PowershellOnClient,
            AdvisoryCode::SmsProviderMfa
        ]
    );
    assert_eq!(
        advisories(&s, Feature::ApplicationActions),
        [AdvisoryCode::ClientOnline, AdvisoryCode::SmsProviderMfa]
    );
    s.hierarchy.sms_provider_mfa = Some(false);
    assert_eq!(advisories(&s, Feature::SyncMachinePolicy), []);
    s.hierarchy.sms_provider_mfa = Some(true);
    let d = decide(&s, DAVE, "CON-WS-004", Feature::SyncMachinePolicy);
    assert_eq!(codes(&d), [ReasonCode::SmsProviderMfa]);
    assert_eq!(d.reasons[0].rule, "R-F6");
    assert_eq!(
        d.reasons[0].detail,
        "the SMS Provider requires multi-factor authentication, and Sync Machine Policy fails with HTTP 403 from the admin center (a known issue)"
    );
    assert!(d.advisories.is_empty());
    assert!(
        decide(&s, DAVE, "CON-WS-004", Feature::ApplicationsView)
            .codes()
            .eq([ReasonCode::SmsProviderMfa])
    );
    assert!(decide(&s, DAVE, "CON-WS-004", Feature::ClientDetails).allowed);
}

/// Issue 18 (R-G4): a decision that rests on associations the importer inferred (a list call
/// without `Permissions`) says so under `not_evaluated`, allowed or not.
#[test]
fn r_g4_inferred_associations_are_never_silent() {
    let mut s = contoso();
    let d = decide(&s, "carol@contoso.com", "CON-SRV-SQL01", Feature::View);
    assert!(!rules_not_evaluated(&d).contains(&"R-G4"));
    for admin in &mut s.configmgr.admins {
        admin.associations_inferred = admin.account == "CONTOSO\\CM-ServerOps";
    }
    let d = decide(&s, "carol@contoso.com", "CON-SRV-SQL01", Feature::View);
    assert!(d.allowed);
    let note = d.not_evaluated.iter().find(|n| n.rule == "R-G4").unwrap();
    assert!(
        note.detail
            .contains("`CONTOSO\\CM-ServerOps` were inferred"),
        "{}",
        note.detail
    );
    let d = decide(&s, "carol@contoso.com", "CON-WS-004", Feature::View);
    assert!(!d.allowed);
    assert!(rules_not_evaluated(&d).contains(&"R-G4"));
    // Users who map to no such admin are not told.
    let d = decide(&s, "alice@contoso.com", "CON-WS-004", Feature::View);
    assert!(!rules_not_evaluated(&d).contains(&"R-G4"));
}

/// R-I8 and R-F5 through `diff`: licensing Frank gains him the Help Desk assignment's
/// features; upgrading CON-WS-008's client gains `application_management` on it.
#[test]
fn r_i8_r_f5_diff_understands_licences_and_client_versions() {
    let old_s = intune_only();
    let old = crate::engine(&old_s);
    let mut licensed = old_s.clone();
    user_mut(&mut licensed, FRANK).intune_licensed = Some(true);
    let new = crate::engine(&licensed);
    let d = tenant_attach::diff(&old, &new);
    let gained = d.gained();
    assert!(!gained.is_empty());
    assert!(gained.iter().all(|c| c.user == FRANK));
    assert!(d.lost().is_empty());
    let mut upgraded = old_s.clone();
    let ws8 = upgraded
        .devices
        .iter_mut()
        .find(|d| d.name == "CON-WS-008")
        .unwrap();
    ws8.client_version = Some(2403);
    let new = crate::engine(&upgraded);
    let d = tenant_attach::diff(&old, &new);
    let gained = d.gained();
    assert!(!gained.is_empty());
    assert!(
        gained
            .iter()
            .all(|c| c.device == "CON-WS-008" && c.feature == Feature::ApplicationManagement)
    );
}

/// Rulebook 3 through `batch`: the new feature by name, advisories in the answer.
#[test]
fn r_f6_batch_answers_carry_advisories_and_the_new_feature() {
    let e = crate::engine(&intune_only());
    let line = r#"{"check": {"user": "dave@contoso.com", "device": "CON-WS-004", "feature": "application_management"}}"#;
    let answer = tenant_attach::batch::answer_line(&e, line, 1)
        .unwrap()
        .unwrap();
    let json = serde_json::to_value(&answer).unwrap();
    assert_eq!(json["feature"], "application_management");
    assert_eq!(json["allowed"], true);
    let codes: Vec<&str> = json["advisories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["client_online", "sms_provider_mfa"]);
}

/// Issue 18 (R-G4): `visible` and `who` say when an answer rests on associations the importer
/// inferred, in JSON (streamed and listed alike) and in text; other answers are unchanged.
#[test]
fn r_g4_visible_and_who_name_inferred_associations() {
    let plain = crate::engine(&contoso());
    let mut s = contoso();
    for admin in &mut s.configmgr.admins {
        admin.associations_inferred = admin.account == "CONTOSO\\CM-ServerOps";
    }
    let e = crate::engine(&s);
    let carol = e.find_user("carol@contoso.com").unwrap();
    let listed = e.visible_devices(carol, Feature::View);
    assert_eq!(listed.inferred_associations, ["CONTOSO\\CM-ServerOps"]);
    let streamed = serde_json::to_string(&e.visible_stream(carol, Feature::View)).unwrap();
    assert_eq!(streamed, serde_json::to_string(&listed).unwrap());
    assert!(streamed.contains(r#""inferred_associations":["CONTOSO\\CM-ServerOps"]"#));
    assert!(listed.to_string().contains("not evaluated [R-G4]"));
    let sql = e.find_device("CON-SRV-SQL01").unwrap();
    let who = e.who_users(sql, Feature::View);
    assert_eq!(who.inferred_associations, ["CONTOSO\\CM-ServerOps"]);
    assert!(who.to_string().contains("`CONTOSO\\CM-ServerOps`"));
    // Without inferred associations the JSON has no such key.
    let alice = plain.find_user("alice@contoso.com").unwrap();
    let json = serde_json::to_string(&plain.visible_stream(alice, Feature::View)).unwrap();
    assert!(!json.contains("inferred_associations"));
}
