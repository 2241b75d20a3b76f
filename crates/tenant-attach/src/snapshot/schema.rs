//! The snapshot's JSON Schema, derived from the types of this module (`schemars`): what an
//! editor checks a snapshot against while it is written, and what `tenant-attach schema`
//! prints. `docs/snapshot.schema.json` is this text, committed (a test compares the two).

use super::{SCHEMA, Snapshot};
use crate::features::{Feature, SecuredClass};

/// The JSON Schema (draft 2020-12) of a snapshot: every field with its type, its default and
/// its doc comment; unknown fields refused (`additionalProperties: false`) as
/// [`Snapshot::from_json`] refuses them. The shape only: references between objects, cycles
/// and the rest of [`crate::validate`]'s checks are not in a schema.
///
/// ```
/// let schema = tenant_attach::snapshot::json_schema();
/// assert_eq!(schema["title"], "Snapshot");
/// assert_eq!(schema["properties"]["schema"]["const"], "tenant-attach.snapshot/1");
/// assert_eq!(schema["additionalProperties"], false);
/// let features = &schema["$defs"]["Policy"]["properties"]["features"];
/// assert_eq!(features["propertyNames"]["enum"][0], "view"); // keys are feature names
/// ```
pub fn json_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(Snapshot).to_value();
    if let Some(props) = schema
        .get_mut("properties")
        .and_then(|p| p.get_mut("schema"))
        .and_then(serde_json::Value::as_object_mut)
    {
        // The type says `String`; the contract says this one string.
        props.insert(String::from("const"), serde_json::Value::from(SCHEMA));
    }
    // Maps keyed by an enum: the keys are the enum's names (schemars leaves them free).
    let names = |all: &[&str]| serde_json::json!({ "enum": all });
    let features: Vec<&str> = Feature::ALL.iter().map(|f| f.as_str()).collect();
    let classes: Vec<&str> = SecuredClass::ALL.iter().map(|c| c.as_str()).collect();
    for (def, field, keys) in [
        ("Policy", "features", names(&features)),
        ("ConfigMgrRole", "class_operations", names(&classes)),
        ("FeatureOverride", "classes", names(&classes)),
    ] {
        if let Some(map) = schema
            .get_mut("$defs")
            .and_then(|d| d.get_mut(def))
            .and_then(|d| d.get_mut("properties"))
            .and_then(|p| p.get_mut(field))
            .and_then(serde_json::Value::as_object_mut)
        {
            map.insert(String::from("propertyNames"), keys);
        }
    }
    schema
}

/// [`json_schema`] as the text `tenant-attach schema` prints and `docs/snapshot.schema.json`
/// holds: pretty JSON, keys sorted, without a final line break.
///
/// ```
/// let text = tenant_attach::snapshot::json_schema_text();
/// assert!(text.starts_with("{\n  \"$defs\": {"));
/// ```
pub fn json_schema_text() -> String {
    // serde_json's map sorts its keys (no `preserve_order`): the same types give the same
    // bytes.
    serde_json::to_string_pretty(&json_schema()).unwrap_or_default()
}
