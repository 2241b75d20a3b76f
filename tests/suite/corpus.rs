//! The data corpus: snapshots with expected answers, run against the engine and the
//! reference evaluator through one trait; invalid snapshots with their expected errors.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tenant_attach::{Engine, Feature, ReasonCode, Snapshot};

use crate::differential::Evaluator;
use crate::reference::Reference;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    #[allow(dead_code)]
    about: String,
    snapshot: String,
    /// Device name → the `via` path.
    uploaded: BTreeMap<String, Vec<String>>,
    /// Device name → the reason.
    not_uploaded: BTreeMap<String, String>,
    checks: Vec<Check>,
    #[serde(default)]
    offboard: BTreeMap<String, bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Check {
    user: String,
    device: String,
    feature: String,
    allowed: bool,
    codes: Vec<String>,
    /// When present: the rules the decision says it did not evaluate (R-G7 without
    /// `configmgr.scripts`).
    #[serde(default)]
    not_evaluated: Option<Vec<String>>,
}

fn valid_cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.json").exists())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 4, "the corpus lost its cases");
    dirs
}

/// R-U3, R-U4, R-C1 and the decisions of every corpus case (R-F3, R-G6, R-G7 included, with
/// R-G7's `not_evaluated` note), on both evaluators.
#[test]
fn corpus_cases_hold_on_engine_and_reference() {
    for dir in valid_cases() {
        let expected: Expected =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap())
                .unwrap();
        let text = std::fs::read_to_string(dir.join(&expected.snapshot)).unwrap();
        let snapshot = Snapshot::from_json(&text).unwrap();
        let engine = Engine::new(snapshot.clone()).unwrap();
        let reference = Reference { s: &snapshot };
        let by_name = |name: &str| {
            snapshot
                .devices
                .iter()
                .find(|d| d.name == name)
                .unwrap()
                .resource_id
        };
        let user_id = |upn: &str| {
            snapshot
                .entra
                .users
                .iter()
                .find(|u| u.upn == upn)
                .unwrap()
                .id
                .clone()
        };
        let evaluators: [(&str, &dyn Evaluator); 2] =
            [("engine", &engine), ("reference", &reference)];
        for (who, eval) in evaluators {
            let uploaded = eval.uploaded();
            for name in expected.uploaded.keys() {
                assert!(
                    uploaded.contains(&by_name(name)),
                    "{}: {who}: {name} should be uploaded",
                    dir.display()
                );
            }
            for name in expected.not_uploaded.keys() {
                assert!(
                    !uploaded.contains(&by_name(name)),
                    "{}: {who}: {name} should not be uploaded",
                    dir.display()
                );
            }
            for c in &expected.checks {
                let f = Feature::from_name(&c.feature).unwrap();
                let (allowed, codes) = eval.decide(&user_id(&c.user), by_name(&c.device), f);
                let want: BTreeSet<String> = c.codes.iter().cloned().collect();
                let got: BTreeSet<String> = codes
                    .iter()
                    .map(|c: &ReasonCode| c.as_str().to_owned())
                    .collect();
                assert_eq!(
                    (allowed, got),
                    (c.allowed, want),
                    "{}: {who}: {} {} {}",
                    dir.display(),
                    c.user,
                    c.feature,
                    c.device
                );
                if let Some(rules) = &c.not_evaluated {
                    let got: Vec<&str> =
                        if eval.r_g7_not_evaluated(&user_id(&c.user), by_name(&c.device), f) {
                            vec!["R-G7"]
                        } else {
                            vec![]
                        };
                    assert_eq!(
                        got,
                        rules.iter().map(String::as_str).collect::<Vec<_>>(),
                        "{}: {who}: not_evaluated of {} {} {}",
                        dir.display(),
                        c.user,
                        c.feature,
                        c.device
                    );
                }
            }
        }
        // The engine's own note lists exactly the expected rules (any rule, not only R-G7).
        for c in &expected.checks {
            if let Some(rules) = &c.not_evaluated {
                let d = engine.check(
                    engine.find_user(&c.user).unwrap(),
                    engine.find_device(&c.device).unwrap(),
                    Feature::from_name(&c.feature).unwrap(),
                );
                let got: Vec<&str> = d.not_evaluated.iter().map(|n| n.rule).collect();
                assert_eq!(
                    &got,
                    rules,
                    "{}: engine not_evaluated of {} {} {}",
                    dir.display(),
                    c.user,
                    c.feature,
                    c.device
                );
                for n in &d.not_evaluated {
                    assert!(
                        !n.detail.is_empty(),
                        "{}: empty not_evaluated detail",
                        dir.display()
                    );
                }
            }
        }
        // The engine's own explanations: paths and reasons.
        for (name, via) in &expected.uploaded {
            let d = engine.find_device(name).unwrap();
            let got: Vec<&str> = engine
                .upload()
                .via(d)
                .iter()
                .map(|c| engine.collections().id(*c).unwrap())
                .collect();
            assert_eq!(&got, via, "{}: via of {name}", dir.display());
        }
        for (name, reason) in &expected.not_uploaded {
            let d = engine.find_device(name).unwrap();
            let client = engine.device(d).unwrap().client;
            assert_eq!(
                engine.upload().reasons(d, client).first().unwrap().code(),
                reason,
                "{}: {name}",
                dir.display()
            );
        }
        for (upn, allowed) in &expected.offboard {
            let u = engine.find_user(upn).unwrap();
            assert_eq!(
                engine.offboard(u).allowed,
                *allowed,
                "{}: offboard {upn}",
                dir.display()
            );
            assert_eq!(
                reference.offboard(&user_id(upn)).0,
                *allowed,
                "{}: reference offboard {upn}",
                dir.display()
            );
        }
    }
}

#[derive(Deserialize)]
struct ExpectedErrors {
    errors: Vec<ExpectedError>,
}

#[derive(Deserialize, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct ExpectedError {
    rule: String,
    path: Option<String>,
}

/// R-C3, R-C4, R-U2, R-U5, R-S1, R-H2 and format errors: every invalid snapshot gives exactly
/// its expected errors (rule and JSON path), and the engine refuses the input errors.
#[test]
fn invalid_corpus_gives_its_errors() {
    let dir = corpus().join("invalid");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && !p.to_string_lossy().ends_with(".expected.json")
        })
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "the invalid corpus lost its cases");
    for case in cases {
        let text = std::fs::read_to_string(&case).unwrap();
        let expected: ExpectedErrors = serde_json::from_str(
            &std::fs::read_to_string(case.with_extension("expected.json")).unwrap(),
        )
        .unwrap();
        let diags = tenant_attach::validate_json(&text);
        let mut got: Vec<ExpectedError> = diags
            .errors()
            .map(|d| ExpectedError {
                rule: d.rule().to_owned(),
                path: Some(d.path().to_owned()),
            })
            .collect();
        let mut want = expected.errors;
        for (g, w) in got.iter_mut().zip(&want) {
            if w.path.is_none() {
                g.path = None;
            }
        }
        got.sort();
        want.sort();
        assert_eq!(got, want, "{}", case.display());
        let refused = Engine::from_json(&text).is_err();
        assert_eq!(refused, diags.has_input_errors(), "{}", case.display());
    }
}
