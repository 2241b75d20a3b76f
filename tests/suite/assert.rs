//! `tenant_attach::assert`: every kind holds and fails on the Contoso sample with the right
//! counterexamples, a name the snapshot does not hold is an error naming the assertion and
//! field (never a vacuous pass), the documented example parses, and JUnit has its shape.

use tenant_attach::assert::{self, AssertError, Assertions, Outcome};
use tenant_attach::{Engine, sample};

pub(crate) fn contoso() -> Engine {
    Engine::from_json(sample::CONTOSO).unwrap()
}

pub(crate) fn file(assertions: &str) -> Assertions {
    let text =
        format!(r#"{{"schema": "tenant-attach.assertions/1", "assertions": [{assertions}]}}"#);
    Assertions::from_json(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn run(assertions: &str) -> Outcome {
    assert::assert(&contoso(), &file(assertions)).unwrap()
}

/// (passed, [(user, device, allowed)]) of the only assertion.
fn one(assertions: &str) -> (bool, Vec<(String, String, bool)>) {
    let outcome = run(assertions);
    assert_eq!(outcome.results.len(), 1);
    let r = &outcome.results[0];
    let examples = r
        .counterexamples
        .iter()
        .map(|c| {
            (
                c.user.clone().unwrap_or_default(),
                c.device.clone(),
                c.allowed,
            )
        })
        .collect();
    (r.passed, examples)
}

pub(crate) fn error(assertions: &str) -> String {
    match assert::assert(&contoso(), &file(assertions)) {
        Err(e @ AssertError::Input { .. }) => e.to_string(),
        other => panic!("expected an input error, got {other:?}"),
    }
}

fn ex(user: &str, device: &str, allowed: bool) -> (String, String, bool) {
    (user.to_owned(), device.to_owned(), allowed)
}

#[test]
fn allowed_and_denied() {
    let ok = r#"{"name": "a", "allowed": [{"user": "grace@contoso.com", "device": "CON-WS-001", "feature": "sync_machine_policy"}]}"#;
    assert_eq!(one(ok), (true, vec![]));
    let bad = r#"{"name": "a", "allowed": [{"user": "bob@contoso.com", "device": "CON-WS-004", "feature": "sync_machine_policy"},
        {"user": "grace@contoso.com", "device": "CON-WS-001"}]}"#;
    assert_eq!(
        one(bad),
        (false, vec![ex("bob@contoso.com", "CON-WS-004", false)])
    );
    let outcome = run(bad);
    let c = &outcome.results[0].counterexamples[0];
    assert_eq!(c.reasons[0].rule, "R-G4"); // the engine's own explanation
    assert!(c.grants.is_empty());

    assert_eq!(
        one(
            r#"{"name": "d", "denied": [{"user": "erin@contoso.com", "device": "CON-SRV-SQL01"}]}"#
        ),
        (true, vec![])
    );
    let (passed, examples) = one(
        r#"{"name": "d", "denied": [{"user": "carol@contoso.com", "device": "CON-SRV-SQL01", "feature": "run_script"}]}"#,
    );
    assert!(!passed);
    assert_eq!(examples, [ex("carol@contoso.com", "CON-SRV-SQL01", true)]);
    assert!(
        !run(
            r#"{"name": "d", "denied": [{"user": "carol@contoso.com", "device": "CON-SRV-SQL01"}]}"#
        )
        .results[0]
            .counterexamples[0]
            .grants
            .is_empty()
    );
}

#[test]
fn never() {
    let holds = r#"{"name": "n", "never": {"subject": {"group": "Intune Helpdesk"}, "feature": "run_script", "target": {"collection": "PS100030"}}}"#;
    assert_eq!(one(holds), (true, vec![]));
    // Carol (Server Operators) runs scripts on the uploaded servers she administers.
    let (passed, examples) = one(
        r#"{"name": "n", "never": {"subject": {"group": "Server Operators"}, "feature": "run_script", "target": {"collection": "PS100030"}}}"#,
    );
    assert!(!passed);
    assert!(examples.contains(&ex("carol@contoso.com", "CON-SRV-SQL01", true)));
    assert!(
        examples
            .iter()
            .all(|(u, _, allowed)| u == "carol@contoso.com" && *allowed)
    );
    // Cloud-only Erin is stopped by R-G1 everywhere in combined mode.
    assert_eq!(
        one(r#"{"name": "n", "never": {"subject": {"cloud_only": true}, "target": "all"}}"#),
        (true, vec![])
    );
}

#[test]
fn only_at_most_at_least_exactly() {
    let sql = r#""target": {"device": "CON-SRV-SQL01"}"#;
    let (passed, examples) = one(&format!(
        r#"{{"name": "o", "only": {{{sql}, "at_most": {{"group": "Server Operators"}}}}}}"#
    ));
    assert!(!passed);
    assert_eq!(examples, [ex("dave@contoso.com", "CON-SRV-SQL01", true)]);
    let ad = "S-1-5-21-1004336348-1177238915-682003330-1107";
    assert_eq!(
        one(&format!(
            r#"{{"name": "o", "only": {{{sql}, "at_least": {{"ad_group": "{ad}"}}}}}}"#
        )),
        (true, vec![])
    );
    // Dave is a Global Administrator: the directory role is a subject too.
    assert_eq!(
        one(&format!(
            r#"{{"name": "o", "only": {{{sql}, "at_least": {{"directory_role": "global_administrator"}}}}}}"#
        )),
        (true, vec![])
    );
    let (passed, examples) = one(
        r#"{"name": "o", "only": {"target": {"collection": "PS100030"}, "at_least": {"user": "erin@contoso.com"}}}"#,
    );
    assert!(!passed);
    assert!(
        examples
            .iter()
            .all(|(u, _, allowed)| u == "erin@contoso.com" && !*allowed)
    );
    assert_eq!(examples.len(), 5); // every server, denied
    // exactly: both directions at once; ad group 1107 = carol, dave is beyond it.
    let (passed, examples) = one(&format!(
        r#"{{"name": "o", "only": {{{sql}, "exactly": {{"ad_group": "{ad}"}}}}}}"#
    ));
    assert!(!passed);
    assert_eq!(examples, [ex("dave@contoso.com", "CON-SRV-SQL01", true)]);
}

#[test]
fn count() {
    let engine = contoso();
    let who = engine.who(
        engine.find_device("CON-SRV-SQL01").unwrap(),
        tenant_attach::Feature::View,
    );
    assert_eq!(who.len(), 2);
    let at_most = |n: u32| {
        format!(
            r#"{{"name": "c", "count": {{"target": {{"device": "CON-SRV-SQL01"}}, "users_at_most": {n}}}}}"#
        )
    };
    assert_eq!(one(&at_most(2)), (true, vec![]));
    let (passed, examples) = one(&at_most(1));
    assert!(!passed);
    assert_eq!(examples.len(), 2);
    assert!(
        examples
            .iter()
            .all(|(_, d, allowed)| d == "CON-SRV-SQL01" && *allowed)
    );
    let (passed, examples) = one(
        r#"{"name": "c", "count": {"target": {"device": "CON-SRV-SQL01"}, "users_at_least": 3}}"#,
    );
    assert!(!passed);
    assert_eq!(examples.len(), 5); // the seven users but carol and dave, denied
    assert!(examples.iter().all(|(_, _, allowed)| !*allowed));
    let grace =
        r#""subject": {"user": "grace@contoso.com"}, "target": {"name_matches": "con-ws-00?"}"#;
    assert_eq!(
        one(&format!(
            r#"{{"name": "c", "count": {{{grace}, "devices_at_most": 3}}}}"#
        )),
        (true, vec![])
    );
    let (passed, examples) = one(&format!(
        r#"{{"name": "c", "count": {{{grace}, "devices_at_least": 4}}}}"#
    ));
    assert!(!passed);
    assert_eq!(examples.len(), 5); // CON-WS-004 to CON-WS-008
    assert!(
        examples
            .iter()
            .all(|(u, _, allowed)| u == "grace@contoso.com" && !*allowed)
    );
    let (passed, examples) = one(&format!(
        r#"{{"name": "c", "count": {{{grace}, "devices_at_most": 2}}}}"#
    ));
    assert!(!passed);
    assert_eq!(
        examples.iter().map(|e| e.1.as_str()).collect::<Vec<_>>(),
        ["CON-WS-001", "CON-WS-002", "CON-WS-003"]
    );
}

#[test]
fn uploaded_and_not_uploaded() {
    assert_eq!(
        one(r#"{"name": "u", "uploaded": {"collection": "PS100011"}}"#),
        (true, vec![])
    );
    let outcome = run(r#"{"name": "u", "uploaded": {"collection": "PS100012"}}"#);
    let r = &outcome.results[0];
    assert!(!r.passed);
    assert_eq!(r.counterexamples.len(), 1);
    let c = &r.counterexamples[0];
    assert_eq!(
        (c.device.as_str(), c.allowed, c.user.as_deref(), c.feature),
        ("CON-LT-006", false, None, None)
    );
    assert_eq!(c.reasons[0].code.as_str(), "not_uploaded_no_client");
    assert_eq!(
        one(r#"{"name": "u", "not_uploaded": {"collection": "PS100033"}}"#),
        (true, vec![])
    );
    let outcome = run(r#"{"name": "u", "not_uploaded": {"device": "CON-SRV-SQL01"}}"#);
    let c = &outcome.results[0].counterexamples[0];
    assert_eq!((c.allowed, c.grants[0].id.as_str()), (true, "PS100022"));
    // co_managed / tenant_attached targets
    assert_eq!(
        one(r#"{"name": "u", "uploaded": {"tenant_attached": true}}"#),
        (true, vec![])
    );
    assert_eq!(
        one(r#"{"name": "u", "not_uploaded": {"tenant_attached": false}}"#),
        (true, vec![])
    );
    assert!(!one(r#"{"name": "u", "uploaded": {"co_managed": false}}"#).0);
}

/// The complete example of docs/assertions.md and the README's example file parse and run.
#[test]
fn documented_examples_parse() {
    let doc = include_str!("../../docs/assertions.md");
    let start = doc.find("```json\n").unwrap() + "```json\n".len();
    let end = start + doc[start..].find("```").unwrap();
    let parsed = Assertions::from_json(&doc[start..end]).unwrap();
    assert!(parsed.assertions.len() >= 7);
    assert::assert(&contoso(), &parsed).unwrap();
    let example =
        Assertions::from_json(include_str!("../../examples/contoso.assertions.json")).unwrap();
    let outcome = assert::assert(&contoso(), &example).unwrap();
    assert_eq!((outcome.passed, outcome.failed), (5, 2));
    // The schema is JSON and names the format.
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../docs/assertions.schema.json")).unwrap();
    assert_eq!(
        schema["properties"]["schema"]["const"],
        "tenant-attach.assertions/1"
    );
}

#[test]
fn junit_has_testsuite_testcase_failure() {
    let outcome = run(
        r#"{"name": "ok <1>", "uploaded": {"collection": "PS100011"}},
        {"name": "bad & \"2\"", "uploaded": {"collection": "PS100012"}}"#,
    );
    let xml = outcome.junit();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite "));
    assert!(xml.contains(r#"tests="2" failures="1""#));
    assert_eq!(xml.matches("<testcase ").count(), 2);
    assert_eq!(xml.matches("<failure ").count(), 1);
    assert_eq!(xml.matches("</failure>").count(), 1);
    assert!(xml.contains(r#"name="ok &lt;1&gt;"/>"#));
    assert!(xml.contains(r#"name="bad &amp; &quot;2&quot;">"#));
    assert!(xml.contains(
        r#"<failure message="1 counterexample; first: not uploaded: CON-LT-006" type="assertion">"#
    ));
    assert!(xml.contains("not_uploaded_no_client [R-U4]"));
    assert!(xml.trim_end().ends_with("</testsuite>"));
    // Balanced: every opened element is closed, nothing raw inside attributes.
    let opened = xml.matches("<testcase ").count() - xml.matches("/>").count();
    assert_eq!(opened, xml.matches("</testcase>").count());
    assert!(!xml.replace("<?xml", "").contains("<\""));
}

#[test]
fn json_has_the_contract_shape() {
    let outcome = run(
        r#"{"name": "o", "only": {"target": {"device": "CON-SRV-SQL01"}, "at_most": {"user": "carol@contoso.com"}}}"#,
    );
    let v = serde_json::to_value(&outcome).unwrap();
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&v), ["failed", "passed", "results"]);
    assert_eq!(
        keys(&v["results"][0]),
        ["counterexamples", "name", "passed"]
    );
    assert_eq!(
        keys(&v["results"][0]["counterexamples"][0]),
        ["allowed", "device", "feature", "grants", "reasons", "user"]
    );
}

#[test]
fn at_most_ten_counterexamples_and_the_total_in_text() {
    let outcome = run(
        r#"{"name": "everyone sees nothing", "never": {"subject": {"directory_role": "global_administrator"}, "target": "all"}}"#,
    );
    let r = &outcome.results[0];
    assert_eq!(r.counterexamples.len(), 10);
    assert!(r.total > 10);
    assert!(
        outcome
            .to_string()
            .contains(&format!("… {} more not shown", r.total - 10))
    );
}

/// The schema's feature list is the engine's (`Feature::ALL`), so a new feature is not
/// refused by editors validating against a stale schema.
#[test]
fn schema_lists_every_feature() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../docs/assertions.schema.json")).unwrap();
    let listed: Vec<&str> = schema["$defs"]["feature"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let known: Vec<&str> = tenant_attach::Feature::ALL
        .iter()
        .map(|f| f.as_str())
        .collect();
    assert_eq!(listed, known);
}

/// `--against` with a device removed: the engines number devices differently, so witnesses
/// are compared by resource id; a decision about a device that is gone is explained by OLD.
#[test]
fn against_matches_devices_by_resource_id() {
    let old = contoso();
    let mut s = old.snapshot().clone();
    s.remove_device(16777301).unwrap(); // CON-WS-001
    let new = tenant_attach::Engine::new(s).unwrap();
    let file = file(
        r#"{"name": "Desktops are uploaded", "uploaded": {"collection": "PS100011"}},
           {"name": "Grace reaches at most 3 workstations",
            "count": {"subject": {"user": "grace@contoso.com"}, "target": {"name_matches": "con-ws-*"}, "devices_at_most": 3}}"#,
    );
    let outcome = assert::against(&old, &new, &file).unwrap();
    assert_eq!(outcome.results.len(), 1, "{outcome}");
    let r = &outcome.results[0];
    assert_eq!(r.name, "Grace reaches at most 3 workstations");
    assert!(r.passed);
    let change = r.against.as_ref().unwrap();
    assert_eq!(change.passed_before, Some(true));
    let changed: Vec<(&str, bool)> = change
        .changed
        .iter()
        .map(|c| (c.device.as_str(), c.allowed))
        .collect();
    assert_eq!(changed, [("CON-WS-001", true)]); // as OLD decided it: the device is gone
    // Against itself, nothing changes.
    assert!(
        assert::against(&old, &old, &file)
            .unwrap()
            .results
            .is_empty()
    );
}
