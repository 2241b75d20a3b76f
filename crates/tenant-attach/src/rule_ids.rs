//! The rule ids the library cites, as static strings: the rulebook's (described in
//! [`crate::rules`]) and the two ids that are not rules. The lowest module: errors, decisions,
//! findings and reports all cite these, and it knows none of them.

/// The rule id given to format errors: bad JSON, unknown fields, wrong types, wrong schema.
pub const SCHEMA_RULE: &str = "schema";

/// The rule id of an unknown user or device handle (`ReasonCode::UnknownHandle`): the query
/// itself is wrong, no rule decided.
pub const QUERY_RULE: &str = "query";

/// Every rule id a decision, a diagnostic or a finding may cite: the rulebook's, plus
/// [`QUERY_RULE`] and [`SCHEMA_RULE`].
pub const RULE_IDS: &[&str] = &[
    "R-C1",
    "R-C2",
    "R-C3",
    "R-C4",
    "R-C5",
    "R-U1",
    "R-U2",
    "R-U3",
    "R-U4",
    "R-U5",
    "R-U6",
    "R-M1",
    "R-I1",
    "R-I2",
    "R-I3",
    "R-I4",
    "R-I5",
    "R-I6",
    "R-I7",
    "R-I8",
    "R-S1",
    "R-S2",
    "R-S3",
    "R-G1",
    "R-G2",
    "R-G3",
    "R-G4",
    "R-G5",
    "R-G6",
    "R-G7",
    "R-F0",
    "R-F1",
    "R-F2",
    "R-F3",
    "R-F5",
    "R-F6",
    "R-H1",
    "R-H2",
    "R-H3",
    "R-H4",
    "R-H5",
    "R-H6",
    QUERY_RULE,
    SCHEMA_RULE,
];

/// The static rule id equal to `id`, if it is one of [`RULE_IDS`].
pub fn rule_id_of(id: &str) -> Option<&'static str> {
    RULE_IDS.iter().copied().find(|r| *r == id)
}

/// The static rule id for `id`, or an error naming it (reading results back from JSON).
pub(crate) fn known_rule(id: &str) -> Result<&'static str, String> {
    rule_id_of(id).ok_or_else(|| format!("unknown rule id `{id}`"))
}
