//! `tenant_attach::assert` refuses what it cannot check: a name the snapshot does not hold is
//! an error naming the assertion and the field (never a vacuous pass), and a malformed file
//! is refused before any snapshot is read.

use tenant_attach::assert::{AssertError, Assertions};

use crate::assert::error;

#[test]
fn unknown_names_are_errors_naming_the_assertion_and_field() {
    let cases = [
        (
            r#"{"name": "X", "allowed": [{"user": "nobody@contoso.com", "device": "CON-WS-001"}]}"#,
            "$.assertions[0].allowed[0].user",
        ),
        (
            r#"{"name": "X", "denied": [{"user": "bob@contoso.com", "device": "CON-NOPE"}]}"#,
            "$.assertions[0].denied[0].device",
        ),
        (
            r#"{"name": "X", "never": {"subject": {"group": "No Such Group"}, "target": "all"}}"#,
            "$.assertions[0].never.subject.group",
        ),
        (
            r#"{"name": "X", "never": {"subject": {"user": "ghost"}, "target": "all"}}"#,
            "$.assertions[0].never.subject.user",
        ),
        (
            r#"{"name": "X", "never": {"subject": {"ad_group": "S-1-5-21-0-0-0-9999"}, "target": "all"}}"#,
            "$.assertions[0].never.subject.ad_group",
        ),
        (
            r#"{"name": "X", "only": {"target": {"collection": "PS1NOPE"}, "at_most": {"user": "bob@contoso.com"}}}"#,
            "$.assertions[0].only.target.collection",
        ),
        (
            r#"{"name": "X", "only": {"target": "all", "exactly": {"group": "nope"}}}"#,
            "$.assertions[0].only.exactly.group",
        ),
        (
            r#"{"name": "X", "count": {"target": {"device": "CON-NOPE"}, "users_at_most": 1}}"#,
            "$.assertions[0].count.target.device",
        ),
        (
            r#"{"name": "X", "count": {"target": {"name_matches": "zz*"}, "users_at_most": 1}}"#,
            "$.assertions[0].count.target.name_matches",
        ),
        (
            r#"{"name": "X", "uploaded": {"collection": "PS1NOPE"}}"#,
            "$.assertions[0].uploaded.target.collection",
        ),
    ];
    for (text, field) in cases {
        let message = error(text);
        assert!(
            message.starts_with(&format!("assertion `X`: {field}: ")),
            "{message}"
        );
    }
    // The second assertion is named, not the first.
    let message = error(
        r#"{"name": "fine", "uploaded": "all"}, {"name": "Y", "uploaded": {"device": "CON-NOPE"}}"#,
    );
    assert!(
        message.starts_with("assertion `Y`: $.assertions[1]"),
        "{message}"
    );
}

#[test]
fn malformed_files_are_refused() {
    let bad = [
        r#"{"schema": "tenant-attach.assertions/2", "assertions": []}"#,
        r#"{"schema": "tenant-attach.assertions/1", "assertions": [], "extra": 1}"#,
        r#"{"schema": "tenant-attach.assertions/1", "assertions": [{"name": "a", "uploaded": "all", "denied": []}]}"#,
        r#"{"schema": "tenant-attach.assertions/1", "assertions": [{"name": "a"}]}"#,
        r#"{"schema": "tenant-attach.assertions/1", "assertions": [{"name": "a", "uploaded": "all"}, {"name": "a", "uploaded": "all"}]}"#,
        r#"{"schema": "tenant-attach.assertions/1", "assertions": [{"name": "a", "only": {"target": "all", "at_most": {"user": "x"}, "at_least": {"user": "x"}}}]}"#,
        r#"{"schema": "tenant-attach.assertions/1", "assertions": [{"name": "a", "count": {"target": "all", "devices_at_most": 1}}]}"#,
        r#"{"schema": "tenant-attach.assertions/1", "assertions": [{"name": "a", "count": {"target": "all", "users_at_most": 1, "subject": {"user": "x"}}}]}"#,
        r#"{"schema": "tenant-attach.assertions/1", "assertions": [{"name": "a", "never": {"subject": {"user": "x", "group": "y"}, "target": "all"}}]}"#,
        r#"{"schema": "tenant-attach.assertions/1", "assertions": [{"name": "a", "never": {"subject": {"user": "x"}, "target": "all", "feature": "teleport"}}]}"#,
        r#"{"schema": "tenant-attach.assertions/1", "assertions": [{"name": "a", "uploaded": {"devices": "x"}}]}"#,
    ];
    for text in bad {
        assert!(Assertions::from_json(text).is_err(), "accepted: {text}");
    }
    let Err(AssertError::Syntax { line, path, .. }) = Assertions::from_json(
        "{\"schema\": \"tenant-attach.assertions/1\",\n \"assertions\": [{\"name\": \"a\", \"uploaded\": {\"colection\": \"x\"}}]}",
    ) else {
        panic!("not a syntax error")
    };
    assert_eq!((line, path.as_str()), (2, "$.assertions[0].uploaded"));
}
