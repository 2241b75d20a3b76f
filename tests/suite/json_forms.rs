//! Issue 10: one JSON form per result type, read back. Every result a user would store and
//! read again (decision, diff changes, report, sensitivity, diagnostics) deserializes from the
//! JSON it serializes to, and serializing what was read gives the same bytes; words the engine
//! never writes (a rule id, a finding id, a feature) are refused with a message naming them.

use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tenant_attach::sensitivity::Sensitivity;
use tenant_attach::snapshot::Snapshot;
use tenant_attach::{Decision, Engine, Feature, Report, diff, validate};

use crate::world::{SMALL, worlds};

/// `value` → JSON → `T` → JSON: the same text.
fn round_trips<T: Serialize + DeserializeOwned>(value: &T) -> Result<(), String> {
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    let read: T = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
    let again = serde_json::to_string(&read).map_err(|e| e.to_string())?;
    if again == text {
        Ok(())
    } else {
        Err(format!("{text}\n!=\n{again}"))
    }
}

fn contoso() -> Engine {
    Engine::from_json(tenant_attach::sample::CONTOSO).unwrap()
}

#[test]
fn the_samples_results_read_back() {
    let e = contoso();
    round_trips(&Report::build_with_sensitivity(&e).with_fixes(&e)).unwrap();
    round_trips(&tenant_attach::sensitivity(&e, None)).unwrap();
    round_trips(e.diagnostics()).unwrap();
    let mut cleared = e.snapshot().clone();
    cleared.hierarchy.attach.enforce_configmgr_rbac = false;
    let other = Engine::new(cleared).unwrap();
    round_trips(&diff(&e, &other).changes()).unwrap();
    for u in e.users() {
        for d in e.device_ixs() {
            for f in Feature::ALL {
                round_trips(&e.check(*u, d, *f)).unwrap();
            }
        }
    }
}

#[test]
fn diagnostics_of_a_broken_snapshot_read_back_errors_then_warnings() {
    let mut s = Snapshot::from_json(tenant_attach::sample::CONTOSO).unwrap();
    s.collections[1].limiting = Some(String::from("NOPE0001"));
    s.hierarchy.attach.upload.collection = Some(String::from("NOPE0002"));
    let diags = validate(&s);
    assert!(diags.has_input_errors());
    round_trips(&diags).unwrap();
    let read: tenant_attach::error::Diagnostics =
        serde_json::from_str(&serde_json::to_string(&diags).unwrap()).unwrap();
    assert_eq!(read.errors().count(), diags.errors().count());
    assert_eq!(read.warnings().count(), diags.warnings().count());
}

#[test]
fn words_the_engine_never_writes_are_refused() {
    let e = contoso();
    let report = serde_json::to_value(Report::build(&e)).unwrap();
    let bad = |mut v: serde_json::Value, edit: fn(&mut serde_json::Value)| {
        edit(&mut v);
        serde_json::from_value::<Report>(v).unwrap_err().to_string()
    };
    let msg = bad(report.clone(), |v| {
        v["findings"][0]["id"] = "made_up".into()
    });
    assert!(msg.contains("unknown finding id `made_up`"), "{msg}");
    let msg = bad(report.clone(), |v| {
        v["lifecycle"][0]["rule"] = "R-Z9".into()
    });
    assert!(msg.contains("unknown rule id `R-Z9`"), "{msg}");
    let msg = bad(report, |v| {
        let users = v["users"].as_array_mut().unwrap();
        users[0]["features"] = serde_json::json!({"teleport": 1});
    });
    assert!(msg.contains("`teleport`"), "{msg}");

    let s = serde_json::to_value(tenant_attach::sensitivity(&e, None)).unwrap();
    let mut bad = s.clone();
    bad["knobs"][0]["rule"] = "R-Z9".into();
    let msg = serde_json::from_value::<Sensitivity>(bad)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("R-Z9"), "{msg}");

    let d = serde_json::json!({"errors": [{"kind": "warning", "message": "m", "path": "$", "rule": "R-C1"}], "warnings": []});
    let msg = serde_json::from_value::<tenant_attach::error::Diagnostics>(d)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("kind `warning`"), "{msg}");
    let decision =
        serde_json::to_value(e.check(e.users()[0], e.device_ixs().next().unwrap(), Feature::View))
            .unwrap();
    let mut bad = decision;
    bad["feature"] = "teleport".into();
    assert!(serde_json::from_value::<Decision>(bad).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// On generated worlds (every knob value, both modes): report (with the knob findings),
    /// sensitivity, diagnostics, every decision and a what-if diff read back to the same JSON.
    #[test]
    fn results_read_back_to_the_same_json(s in worlds(SMALL)) {
        round_trips(&validate(&s)).map_err(TestCaseError::fail)?;
        let e = Engine::new(s).unwrap();
        round_trips(&Report::build_with_sensitivity(&e)).map_err(TestCaseError::fail)?;
        round_trips(&tenant_attach::sensitivity(&e, None)).map_err(TestCaseError::fail)?;
        let other = e.with_enforce(!e.snapshot().hierarchy.attach.enforce_configmgr_rbac);
        round_trips(&diff(&e, &other).changes()).map_err(TestCaseError::fail)?;
        for u in e.users() {
            for d in e.device_ixs() {
                for f in Feature::ALL {
                    round_trips(&e.check(*u, d, *f)).map_err(TestCaseError::fail)?;
                }
            }
        }
    }
}
