//! Differential tests: the engine against the reference evaluator (written straight from
//! the rulebook) on every generated world: membership (R-C1, R-C2), upload (R-U1..R-U4, R-H2)
//! and every (user, device, feature) decision with its set of reason codes.

use std::collections::BTreeSet;

use proptest::prelude::*;
use tenant_attach::{AdvisoryCode, Engine, Feature, ReasonCode};

use crate::reference::Reference;
use crate::world::{SMALL, worlds};

/// The questions both evaluators answer, behind one trait (Cedar's shape).
pub trait Evaluator {
    fn members(&self, collection: &str) -> BTreeSet<u32>;
    fn uploaded(&self) -> BTreeSet<u32>;
    fn decide(&self, user: &str, resource_id: u32, f: Feature) -> (bool, BTreeSet<ReasonCode>);
    /// R-G7: whether the decision says R-G7 was not evaluated (no `configmgr.scripts`).
    fn r_g7_not_evaluated(&self, user: &str, resource_id: u32, f: Feature) -> bool;
    /// How many reasons of `code` the decision lists (R-G6 gives one per class operation).
    fn count_of(&self, user: &str, resource_id: u32, f: Feature, code: ReasonCode) -> usize;
    /// The rules the decision lists under `not_evaluated` (R-G7, R-I8, R-F3, R-F5).
    fn not_evaluated(&self, user: &str, resource_id: u32, f: Feature) -> BTreeSet<String>;
    /// R-F6: the advisory codes of the decision, in order (empty for a deny).
    fn advisories(&self, user: &str, resource_id: u32, f: Feature) -> Vec<AdvisoryCode>;
}

/// The order of an engine decision's reasons (the rulebook's "Decision output"): by side
/// (availability, upload, device tags, client R-F5, provider R-F6, Intune, ConfigMgr), and on
/// the Intune side `unlicensed_nested_membership` (R-I8) first.
fn assert_reason_order(decision: &tenant_attach::Decision) {
    let codes: Vec<ReasonCode> = decision.codes().collect();
    assert!(
        codes.windows(2).all(|w| w[0].side() <= w[1].side()),
        "reasons out of side order: {codes:?}"
    );
    if let Some(i) = codes
        .iter()
        .position(|c| *c == ReasonCode::UnlicensedNestedMembership)
    {
        assert!(
            codes[..i]
                .iter()
                .all(|c| c.side() != tenant_attach::Side::Intune),
            "R-I8: unlicensed_nested_membership is not the first Intune reason: {codes:?}"
        );
    }
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
        assert_reason_order(&decision);
        (decision.allowed, decision.codes().collect())
    }
    fn r_g7_not_evaluated(&self, user: &str, resource_id: u32, f: Feature) -> bool {
        let u = self.find_user(user).unwrap();
        let d = self.device_by_resource_id(resource_id).unwrap();
        self.check(u, d, f)
            .not_evaluated
            .iter()
            .any(|n| n.rule == "R-G7")
    }
    fn count_of(&self, user: &str, resource_id: u32, f: Feature, code: ReasonCode) -> usize {
        let u = self.find_user(user).unwrap();
        let d = self.device_by_resource_id(resource_id).unwrap();
        self.check(u, d, f).codes().filter(|c| *c == code).count()
    }
    fn not_evaluated(&self, user: &str, resource_id: u32, f: Feature) -> BTreeSet<String> {
        let u = self.find_user(user).unwrap();
        let d = self.device_by_resource_id(resource_id).unwrap();
        self.check(u, d, f)
            .not_evaluated
            .iter()
            .map(|n| n.rule.to_owned())
            .collect()
    }
    fn advisories(&self, user: &str, resource_id: u32, f: Feature) -> Vec<AdvisoryCode> {
        let u = self.find_user(user).unwrap();
        let d = self.device_by_resource_id(resource_id).unwrap();
        let decision = self.check(u, d, f);
        assert!(
            decision.advisories.iter().all(|a| a.rule == "R-F6"),
            "R-F6: an advisory with another rule id"
        );
        decision.advisories.iter().map(|a| a.code).collect()
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
    fn r_g7_not_evaluated(&self, user: &str, resource_id: u32, f: Feature) -> bool {
        self.answer(user, resource_id, f).r_g7_not_evaluated
    }
    fn count_of(&self, user: &str, resource_id: u32, f: Feature, code: ReasonCode) -> usize {
        let a = self.answer(user, resource_id, f);
        match code {
            ReasonCode::ConfigmgrClassPermissionMissing => a.missing_class_operations,
            _ => usize::from(a.codes.contains(&code)),
        }
    }
    fn not_evaluated(&self, user: &str, resource_id: u32, f: Feature) -> BTreeSet<String> {
        let a = self.answer(user, resource_id, f);
        a.not_evaluated.iter().map(|r| (*r).to_owned()).collect()
    }
    fn advisories(&self, user: &str, resource_id: u32, f: Feature) -> Vec<AdvisoryCode> {
        self.answer(user, resource_id, f).advisories
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
                let (id, rid, f) = (u.id.as_str(), d.resource_id, *f);
                prop_assert_eq!(
                    a.decide(id, rid, f),
                    b.decide(id, rid, f),
                    "decision for {} on {} ({})",
                    u.upn,
                    d.name,
                    f
                );
                prop_assert_eq!(
                    a.r_g7_not_evaluated(id, rid, f),
                    b.r_g7_not_evaluated(id, rid, f),
                    "R-G7 not_evaluated note for {} on {} ({})",
                    u.upn,
                    d.name,
                    f
                );
                prop_assert_eq!(
                    a.not_evaluated(id, rid, f),
                    b.not_evaluated(id, rid, f),
                    "not_evaluated rules (R-G7, R-I8, R-F3, R-F5) for {} on {} ({})",
                    u.upn,
                    d.name,
                    f
                );
                prop_assert_eq!(
                    a.advisories(id, rid, f),
                    b.advisories(id, rid, f),
                    "R-F6 advisories for {} on {} ({})",
                    u.upn,
                    d.name,
                    f
                );
                prop_assert_eq!(
                    a.count_of(id, rid, f, ReasonCode::ConfigmgrClassPermissionMissing),
                    b.count_of(id, rid, f, ReasonCode::ConfigmgrClassPermissionMissing),
                    "R-G6 reasons (one per class operation) for {} on {} ({})",
                    u.upn,
                    d.name,
                    f
                );
            }
        }
    }
    Ok(())
}

/// What the differential run saw of rulebook 2, so that the test fails when the worlds stop
/// exercising a new rule or knob value.
#[derive(Debug, Default)]
pub struct Coverage {
    /// R-F3: decisions denied with `feature_unavailable`.
    pub feature_unavailable: usize,
    /// R-F3 through a `policy.features.F.since` override.
    pub feature_unavailable_by_override: usize,
    /// R-G6: decisions with `configmgr_class_permission_missing`.
    pub class_permission_missing: usize,
    /// R-G6: decisions with two or more of them (one per class operation).
    pub several_class_operations_missing: usize,
    /// R-G7: decisions with `no_runnable_script`.
    pub no_runnable_script: usize,
    /// R-G7: `run_script` allowed with a script list (R-G7 passed).
    pub run_script_allowed_with_scripts: usize,
    /// R-G7: `run_script` decisions that change when no administrative user has `SMS00ALL`.
    pub r_g7_all_scope_matters: usize,
    /// R-G6: decisions of features other than view that change when view's class override
    /// is dropped (view's row joins every feature under `configmgr_gates_view`).
    pub r_g6_view_classes_matter: usize,
    /// R-G7: decisions carrying the `not_evaluated` note.
    pub r_g7_not_evaluated: usize,
    /// R-G2: decisions that `by_feature` denies with `not_discovered` and `by_version` would not.
    pub by_feature_discovery_matters: usize,
    /// R-F1: decisions that `combined_page_permissions` changes (answer or reasons).
    pub combined_page_permissions_matters: usize,
    /// R-F1: of those, decisions under the `feature` value.
    pub combined_page_permissions_feature: usize,
    /// Decisions per reason code.
    pub histogram: std::collections::BTreeMap<ReasonCode, usize>,
    /// R-F6 (rulebook 3): allowed decisions per advisory code.
    pub advisories: std::collections::BTreeMap<AdvisoryCode, usize>,
    /// Rulebook 3: decisions per rule listed under `not_evaluated` (R-I8, R-F3, R-F5, R-G7).
    pub not_evaluated: std::collections::BTreeMap<&'static str, usize>,
    /// Rulebook 3 knobs: per `knob = value`, the decisions under that value that another value
    /// of the knob would change (R-I1 `entra_roles`, R-I8 `licence_unknown`, R-F3
    /// `application_actions_split` and `us_government_features`).
    pub rulebook_3_knobs: std::collections::BTreeMap<String, usize>,
    /// R-I8: `unlicensed_nested_membership` beside other Intune reasons (the side failed with the
    /// direct assignments), not alone.
    pub nested_with_other_reasons: usize,
    /// R-I1: decisions of a reader role (no Intune assignment needed) allowed.
    pub reader_allowed: usize,
    /// R-I1 with R-I8: a reader asking for more than its role holds, denied with
    /// `unlicensed_nested_membership`.
    pub reader_nested: usize,
    /// R-F3 `single` with R-F5: `application_management` too old through
    /// `application_actions`' `client_since` override (decided exactly as it).
    pub single_client_since: usize,
    /// Allowed decisions, and all decisions.
    pub allowed: usize,
    pub decisions: usize,
}

impl Coverage {
    /// Counts what one world exercises, from the reference's answers.
    pub fn add(&mut self, s: &tenant_attach::Snapshot) {
        use tenant_attach::snapshot::{CombinedPagePermissions, DiscoveryRequired};
        let r = Reference { s };
        let mut by_version = s.clone();
        by_version.policy.discovery_required = DiscoveryRequired::ByVersion;
        let by_version = Reference { s: &by_version };
        let mut flipped = s.clone();
        flipped.policy.combined_page_permissions = match s.policy.combined_page_permissions {
            CombinedPagePermissions::View => CombinedPagePermissions::Feature,
            CombinedPagePermissions::Feature => CombinedPagePermissions::View,
        };
        let flipped = Reference { s: &flipped };
        let combined = !r.intune_only();
        let mut no_all = s.clone();
        for a in &mut no_all.configmgr.admins {
            a.scopes.retain(|x| x != "SMS00ALL");
        }
        let no_all = Reference { s: &no_all };
        let mut no_view_classes = s.clone();
        if let Some(o) = no_view_classes.policy.features.get_mut(&Feature::View) {
            o.classes = None;
        }
        let view_classes = s
            .policy
            .features
            .get(&Feature::View)
            .is_some_and(|o| o.classes.is_some());
        let no_view_classes = Reference {
            s: &no_view_classes,
        };
        let knobs = rulebook_3_variants(s);
        for u in &s.entra.users {
            let reader = !u.directory_roles.is_empty()
                && u.directory_roles.iter().all(|r| !r.is_intune_admin())
                && s.policy.entra_roles != tenant_attach::snapshot::EntraRoles::AdminsOnly;
            for d in &s.devices {
                for f in Feature::ALL {
                    let (id, rid, f) = (u.id.as_str(), d.resource_id, *f);
                    let a = r.answer(id, rid, f);
                    self.decisions += 1;
                    self.allowed += usize::from(a.allowed);
                    for c in &a.codes {
                        *self.histogram.entry(*c).or_default() += 1;
                    }
                    for c in &a.advisories {
                        *self.advisories.entry(*c).or_default() += 1;
                    }
                    for rule in &a.not_evaluated {
                        *self.not_evaluated.entry(rule).or_default() += 1;
                    }
                    if a.codes.contains(&ReasonCode::UnlicensedNestedMembership)
                        && a.codes.iter().any(|c| {
                            *c != ReasonCode::UnlicensedNestedMembership
                                && c.side() == tenant_attach::Side::Intune
                        })
                    {
                        self.nested_with_other_reasons += 1;
                    }
                    self.reader_allowed += usize::from(reader && a.allowed);
                    self.reader_nested += usize::from(
                        reader && a.codes.contains(&ReasonCode::UnlicensedNestedMembership),
                    );
                    self.single_client_since += usize::from(
                        f == Feature::ApplicationManagement
                            && s.policy.application_actions_split
                                == tenant_attach::snapshot::ApplicationActionsSplit::Single
                            && a.codes.contains(&ReasonCode::ClientVersionTooOld),
                    );
                    for (knob, value, relevant, others) in &knobs {
                        if relevant(u, f)
                            && others
                                .iter()
                                .any(|o| Reference { s: o }.answer(id, rid, f) != a)
                        {
                            *self
                                .rulebook_3_knobs
                                .entry(format!("{knob} = {value}"))
                                .or_default() += 1;
                        }
                    }
                    if a.codes.contains(&ReasonCode::FeatureUnavailable) {
                        self.feature_unavailable += 1;
                        if s.policy.features.get(&f).is_some_and(|o| o.since.is_some()) {
                            self.feature_unavailable_by_override += 1;
                        }
                    }
                    if a.missing_class_operations > 0 {
                        self.class_permission_missing += 1;
                    }
                    if a.missing_class_operations > 1 {
                        self.several_class_operations_missing += 1;
                    }
                    if a.codes.contains(&ReasonCode::NoRunnableScript) {
                        self.no_runnable_script += 1;
                    }
                    if a.allowed && f == Feature::RunScript && combined {
                        self.run_script_allowed_with_scripts +=
                            usize::from(s.configmgr.scripts.is_some());
                    }
                    self.r_g7_not_evaluated += usize::from(a.r_g7_not_evaluated);
                    if f == Feature::RunScript && no_all.answer(id, rid, f) != a {
                        self.r_g7_all_scope_matters += 1;
                    }
                    if view_classes && f != Feature::View && no_view_classes.answer(id, rid, f) != a
                    {
                        self.r_g6_view_classes_matter += 1;
                    }
                    if s.policy.discovery_required == DiscoveryRequired::ByFeature
                        && a.codes.contains(&ReasonCode::NotDiscovered)
                        && !by_version
                            .decide(id, rid, f)
                            .1
                            .contains(&ReasonCode::NotDiscovered)
                    {
                        self.by_feature_discovery_matters += 1;
                    }
                    if combined && flipped.answer(id, rid, f) != a {
                        self.combined_page_permissions_matters += 1;
                        if s.policy.combined_page_permissions == CombinedPagePermissions::Feature {
                            self.combined_page_permissions_feature += 1;
                        }
                    }
                }
            }
        }
    }

    /// Fails when some new rule or knob value went unexercised.
    pub fn assert_exercised(&self) {
        let counts = [
            ("R-F3 feature_unavailable", self.feature_unavailable),
            ("R-F3 since override", self.feature_unavailable_by_override),
            (
                "R-G6 configmgr_class_permission_missing",
                self.class_permission_missing,
            ),
            (
                "R-G6 several class operations",
                self.several_class_operations_missing,
            ),
            ("R-G7 no_runnable_script", self.no_runnable_script),
            (
                "R-G7 run_script allowed with scripts",
                self.run_script_allowed_with_scripts,
            ),
            ("R-G7 not_evaluated", self.r_g7_not_evaluated),
            (
                "R-G7 SMS00ALL meets every script",
                self.r_g7_all_scope_matters,
            ),
            (
                "R-G6 view's classes join every feature",
                self.r_g6_view_classes_matter,
            ),
            ("R-G2 by_feature", self.by_feature_discovery_matters),
            (
                "R-F1 combined_page_permissions",
                self.combined_page_permissions_matters,
            ),
            (
                "R-F1 combined_page_permissions = feature",
                self.combined_page_permissions_feature,
            ),
            ("allowed", self.allowed),
            (
                "R-I8 unlicensed_nested_membership beside other reasons",
                self.nested_with_other_reasons,
            ),
            ("R-I1 a reader role allowed", self.reader_allowed),
            (
                "R-I1 a reader with R-I8 unlicensed_nested_membership",
                self.reader_nested,
            ),
            (
                "R-F5 application_management under single, through application_actions",
                self.single_client_since,
            ),
        ];
        for (what, n) in counts {
            assert!(n > 0, "the worlds no longer exercise {what}: {self:?}");
        }
        self.assert_rulebook_3_exercised();
    }

    /// Rulebook 3: every new reason code (R-I8, R-F3, R-F5, R-F6), every advisory code (R-F6),
    /// every new `not_evaluated` rule (R-I8, R-F3, R-F5) and every value of the four new knobs.
    pub fn assert_rulebook_3_exercised(&self) {
        use tenant_attach::snapshot::{
            ApplicationActionsSplit, EntraRoles, LicenceUnknown, UsGovernmentFeatures,
        };
        for code in [
            ReasonCode::NoIntuneLicense,
            ReasonCode::UnlicensedNestedMembership,
            ReasonCode::ScriptsFeatureDisabled,
            ReasonCode::ClientVersionTooOld,
            ReasonCode::SmsProviderMfa,
            ReasonCode::FeatureUnavailable,
        ] {
            assert!(
                self.histogram.get(&code).is_some_and(|n| *n > 0),
                "the worlds no longer exercise the reason {code}: {self:?}"
            );
        }
        for code in [
            AdvisoryCode::EndpointAnalyticsDataCollection,
            AdvisoryCode::BitlockerManagementPolicy,
            AdvisoryCode::ClientOnline,
            AdvisoryCode::PowershellOnClient,
            AdvisoryCode::SmsProviderMfa,
        ] {
            assert!(
                self.advisories.get(&code).is_some_and(|n| *n > 0),
                "the worlds no longer exercise the R-F6 advisory {code}: {self:?}"
            );
        }
        for rule in ["R-I8", "R-F3", "R-F5", "R-G7"] {
            assert!(
                self.not_evaluated.get(rule).is_some_and(|n| *n > 0),
                "the worlds no longer list {rule} under not_evaluated: {self:?}"
            );
        }
        let mut values: Vec<String> = vec![];
        values.extend(
            EntraRoles::ALL
                .iter()
                .map(|v| format!("entra_roles = {}", v.as_str())),
        );
        values.extend(
            LicenceUnknown::ALL
                .iter()
                .map(|v| format!("licence_unknown = {}", v.as_str())),
        );
        values.extend(
            ApplicationActionsSplit::ALL
                .iter()
                .map(|v| format!("application_actions_split = {}", v.as_str())),
        );
        values.extend(
            UsGovernmentFeatures::ALL
                .iter()
                .map(|v| format!("us_government_features = {}", v.as_str())),
        );
        for v in values {
            assert!(
                self.rulebook_3_knobs.get(&v).is_some_and(|n| *n > 0),
                "no decision under {v} changes with the knob's other values: {self:?}"
            );
        }
    }
}

/// Whether a rulebook 3 knob can matter for (user, feature): only then are its other values
/// evaluated (the coverage run stays fast).
type Relevant = fn(&tenant_attach::snapshot::EntraUser, Feature) -> bool;

/// For each rulebook 3 knob: its name, its value in `s`, when it can matter, and `s` under
/// each of its other values.
fn rulebook_3_variants(
    s: &tenant_attach::Snapshot,
) -> Vec<(
    &'static str,
    &'static str,
    Relevant,
    Vec<tenant_attach::Snapshot>,
)> {
    use tenant_attach::snapshot::{
        ApplicationActionsSplit, EntraRoles, LicenceUnknown, UsGovernmentFeatures,
    };
    let p = &s.policy;
    let with = |set: &dyn Fn(&mut tenant_attach::snapshot::Policy)| {
        let mut o = s.clone();
        set(&mut o.policy);
        o
    };
    vec![
        (
            "entra_roles",
            p.entra_roles.as_str(),
            (|u, _| !u.directory_roles.is_empty()) as Relevant,
            EntraRoles::ALL
                .iter()
                .filter(|v| **v != p.entra_roles)
                .map(|v| with(&|q| q.entra_roles = *v))
                .collect(),
        ),
        (
            "licence_unknown",
            p.licence_unknown.as_str(),
            |u, _| u.intune_licensed.is_none(),
            LicenceUnknown::ALL
                .iter()
                .filter(|v| **v != p.licence_unknown)
                .map(|v| with(&|q| q.licence_unknown = *v))
                .collect(),
        ),
        (
            "application_actions_split",
            p.application_actions_split.as_str(),
            |_, f| f == Feature::ApplicationManagement,
            ApplicationActionsSplit::ALL
                .iter()
                .filter(|v| **v != p.application_actions_split)
                .map(|v| with(&|q| q.application_actions_split = *v))
                .collect(),
        ),
        (
            "us_government_features",
            p.us_government_features.as_str(),
            |_, _| true,
            if s.hierarchy.cloud == tenant_attach::snapshot::Cloud::UsGovernment {
                UsGovernmentFeatures::ALL
                    .iter()
                    .filter(|v| **v != p.us_government_features)
                    .map(|v| with(&|q| q.us_government_features = *v))
                    .collect()
            } else {
                vec![]
            },
        ),
    ]
}

/// A runner with a fixed seed: the coverage counts below are the same on every run (no flaky
/// coverage assertion); `engine_agrees_with_reference_on_fresh_worlds` explores new worlds.
fn seeded(cases: u32) -> proptest::test_runner::TestRunner {
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    TestRunner::new_with_rng(
        ProptestConfig {
            cases,
            failure_persistence: None,
            ..ProptestConfig::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    )
}

/// R-C1, R-C2, R-U1..R-U4, R-M1, R-I1..R-I7, R-S1..R-S3, R-G1..R-G7, R-F0..R-F3: the engine and
/// the reference agree on membership, upload and every decision (its reason codes, the number
/// of R-G6 reasons and R-G7's `not_evaluated` note), on worlds that exercise every rulebook 2
/// rule and knob value (counted, and asserted at the end).
#[test]
fn engine_agrees_with_reference() {
    let coverage = std::cell::RefCell::new(Coverage::default());
    let mut runner = seeded(400);
    let result = runner.run(&worlds(SMALL), |s| {
        let engine = crate::engine(&s);
        let reference = Reference { s: &s };
        agree(&s, &engine, &reference)?;
        coverage.borrow_mut().add(&s);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let coverage = coverage.into_inner();
    eprintln!("rulebook 2 and 3 coverage: {coverage:#?}");
    coverage.assert_exercised();
}

/// R-F3, R-G2, R-G6, R-G7 and the rest on the hand-written snapshots: the Contoso sample and
/// every valid corpus case, each also under every value of the rulebook 2 knobs.
#[test]
fn engine_agrees_with_reference_on_the_samples() {
    use tenant_attach::snapshot::{CombinedPagePermissions, DiscoveryRequired};
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let all: Vec<(DiscoveryRequired, CombinedPagePermissions)> = DiscoveryRequired::ALL
        .iter()
        .flat_map(|d| {
            [
                CombinedPagePermissions::View,
                CombinedPagePermissions::Feature,
            ]
            .map(|c| (*d, c))
        })
        .collect();
    // The Contoso sample is the largest: its own knobs and the other value of each.
    let mut cases = vec![(
        tenant_attach::sample::CONTOSO.to_owned(),
        vec![
            (DiscoveryRequired::ByFeature, CombinedPagePermissions::View),
            (
                DiscoveryRequired::ByVersion,
                CombinedPagePermissions::Feature,
            ),
            (DiscoveryRequired::Both, CombinedPagePermissions::View),
        ],
    )];
    for case in ["fabrikam", "rulebook2", "rulebook2-scripts-unknown"] {
        let text = std::fs::read_to_string(corpus.join(case).join("snapshot.json")).unwrap();
        cases.push((text, all.clone()));
    }
    for (text, variants) in cases {
        let base = tenant_attach::Snapshot::from_json(&text).unwrap();
        for (d, c) in variants {
            let mut s = base.clone();
            s.policy.discovery_required = d;
            s.policy.combined_page_permissions = c;
            let engine = crate::engine(&s);
            let reference = Reference { s: &s };
            if let Err(e) = agree(&s, &engine, &reference) {
                panic!(
                    "{} ({d:?}, {c:?}): {e}",
                    s.hierarchy.name.as_deref().unwrap_or("?")
                );
            }
        }
    }
}

/// R-I1, R-I8, R-F3, R-F5, R-F6 (rulebook 3) on the hand-written snapshots: the Contoso sample
/// (an unlicensed nested admin, a Global Reader, an old client), Fabrikam and the rulebook 2
/// corpus case without scripts, each under every value of the four rulebook 3 knobs, the *unlicensed admins* setting both
/// ways, every licence unknown, the US Government cloud, the scripts switch and the SMS
/// Provider's MFA unknown.
#[test]
fn engine_agrees_with_reference_on_the_samples_rulebook_3() {
    use tenant_attach::snapshot::{
        ApplicationActionsSplit, Cloud, EntraRoles, LicenceUnknown, UsGovernmentFeatures,
    };
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut texts = vec![tenant_attach::sample::CONTOSO.to_owned()];
    // The rulebook2 case answers as rulebook2-scripts-unknown does beyond R-G7: left out.
    for case in ["fabrikam", "rulebook2-scripts-unknown"] {
        texts.push(std::fs::read_to_string(corpus.join(case).join("snapshot.json")).unwrap());
    }
    type Edit = fn(&mut tenant_attach::Snapshot);
    let edits: Vec<(&str, Edit)> = vec![
        ("as given", |_| {}),
        ("entra_roles = helpdesk_as_operator", |s| {
            s.policy.entra_roles = EntraRoles::HelpdeskAsOperator;
        }),
        ("entra_roles = admins_only", |s| {
            s.policy.entra_roles = EntraRoles::AdminsOnly;
        }),
        ("unlicensed_admins flipped", |s| {
            s.tenant.unlicensed_admins = !s.tenant.unlicensed_admins;
        }),
        ("every licence unknown, read as unlicensed", |s| {
            for u in &mut s.entra.users {
                u.intune_licensed = None;
            }
            s.policy.licence_unknown = LicenceUnknown::Unlicensed;
        }),
        ("every licence unknown, setting on", |s| {
            for u in &mut s.entra.users {
                u.intune_licensed = None;
            }
            s.tenant.unlicensed_admins = true;
        }),
        ("application_actions_split = single", |s| {
            s.policy.application_actions_split = ApplicationActionsSplit::Single;
        }),
        ("US Government, documented", |s| {
            s.hierarchy.cloud = Cloud::UsGovernment;
        }),
        ("US Government, all", |s| {
            s.hierarchy.cloud = Cloud::UsGovernment;
            s.policy.us_government_features = UsGovernmentFeatures::All;
        }),
        (
            "a 2006 site, scripts switch off, MFA unknown, clients unknown",
            |s| {
                s.hierarchy.version = 2006;
                s.hierarchy.scripts_feature_enabled = Some(false);
                s.hierarchy.sms_provider_mfa = None;
                for d in &mut s.devices {
                    d.client_version = None;
                }
            },
        ),
        ("a 2006 site, scripts switch unknown, MFA on", |s| {
            s.hierarchy.version = 2006;
            s.hierarchy.scripts_feature_enabled = None;
            s.hierarchy.sms_provider_mfa = Some(true);
        }),
    ];
    for text in &texts {
        let base = tenant_attach::Snapshot::from_json(text).unwrap();
        for (what, edit) in &edits {
            let mut s = base.clone();
            edit(&mut s);
            let engine = crate::engine(&s);
            let reference = Reference { s: &s };
            if let Err(e) = agree(&s, &engine, &reference) {
                panic!(
                    "{} ({what}): {e}",
                    s.hierarchy.name.as_deref().unwrap_or("?")
                );
            }
        }
    }
}

/// The worlds exercise every rulebook 2 rule (R-F3, R-G2 by_feature, R-G6, R-G7, the
/// `combined_page_permissions` knob) and every rulebook 3 one (R-I1 reader roles, R-I8
/// `no_intune_license` and `unlicensed_nested_membership`, R-F3 `scripts_feature_disabled`,
/// R-F5 `client_version_too_old`, R-F6 `sms_provider_mfa` and every advisory, the four new
/// knobs) on the reference alone, whatever the engine answers.
#[test]
fn worlds_exercise_rulebooks_2_and_3() {
    let coverage = std::cell::RefCell::new(Coverage::default());
    let mut runner = seeded(300);
    runner
        .run(&worlds(SMALL), |s| {
            coverage.borrow_mut().add(&s);
            Ok(())
        })
        .unwrap();
    let coverage = coverage.into_inner();
    eprintln!("rulebook 2 and 3 coverage: {coverage:#?}");
    coverage.assert_exercised();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// R-C1..R-C2, R-U, R-M1, R-I, R-S, R-G1..R-G7, R-F0..R-F3: as
    /// `engine_agrees_with_reference`, on fresh random worlds every run.
    #[test]
    fn engine_agrees_with_reference_on_fresh_worlds(s in worlds(SMALL)) {
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
