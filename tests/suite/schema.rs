//! The snapshot's JSON Schema: the committed `docs/snapshot.schema.json` is what the types
//! generate, the sample snapshots validate against it with a standard validator (`boon`), the
//! invalid corpus's shape errors do not, and every field it names is in `docs/snapshot.md`.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The schema, compiled by `boon` (a JSON Schema validator that knows nothing of our types).
fn compiled() -> (boon::Schemas, boon::SchemaIndex) {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let url = "https://tenant-attach.invalid/snapshot.schema.json";
    compiler
        .add_resource(url, tenant_attach::snapshot::json_schema())
        .unwrap();
    let index = compiler.compile(url, &mut schemas).unwrap();
    (schemas, index)
}

fn conforms(compiled: &(boon::Schemas, boon::SchemaIndex), path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    compiled
        .0
        .validate(&value, compiled.1)
        .map_err(|e| format!("{e:#}"))
}

#[test]
fn the_committed_schema_is_what_the_types_generate() {
    let committed = std::fs::read_to_string(root().join("docs/snapshot.schema.json")).unwrap();
    let generated = format!("{}\n", tenant_attach::snapshot::json_schema_text());
    assert!(
        committed == generated,
        "docs/snapshot.schema.json is not what the snapshot types generate; update it with \
         `cargo run -q -p tenant-attach-cli -- schema > docs/snapshot.schema.json` (and say \
         the change in docs/snapshot.md and the CHANGELOG)"
    );
}

#[test]
fn the_sample_snapshots_conform() {
    let schema = compiled();
    let mut files = vec![root().join("crates/tenant-attach/data/contoso.json")];
    for entry in std::fs::read_dir(root().join("tests/corpus")).unwrap() {
        let snapshot = entry.unwrap().path().join("snapshot.json");
        if snapshot.is_file() {
            files.push(snapshot);
        }
    }
    assert!(files.len() >= 4, "{files:?}");
    for f in &files {
        if let Err(e) = conforms(&schema, f) {
            panic!("{} does not conform to the schema: {e}", f.display());
        }
    }
}

/// The invalid corpus: a case whose expected errors are shape errors (rule `schema`: syntax,
/// unknown field, wrong type, unknown name) fails the schema too; a case refused by a rule
/// (R-C3, R-C4, …) has the right shape, and passes it.
#[test]
fn shape_errors_fail_the_schema_and_rule_errors_do_not() {
    let schema = compiled();
    let dir = root().join("tests/corpus/invalid");
    let mut shape = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(case) = name.strip_suffix(".expected.json") else {
            continue;
        };
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let is_shape = expected["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["rule"] == "schema");
        let verdict = conforms(&schema, &dir.join(format!("{case}.json")));
        if is_shape {
            shape += 1;
            assert!(verdict.is_err(), "{case}: a shape error the schema accepts");
        } else if let Err(e) = verdict {
            panic!("{case}: a rule error, but the schema refuses its shape: {e}");
        }
    }
    assert!(shape >= 8, "only {shape} shape-error cases");
}

/// `$schema` is not a snapshot field: a snapshot carrying it is refused (unknown fields are
/// errors), so editors are pointed at the schema by their settings (README).
#[test]
fn a_dollar_schema_key_is_refused_not_ignored() {
    let text = tenant_attach::sample::CONTOSO.replacen(
        '{',
        "{\"$schema\": \"docs/snapshot.schema.json\",",
        1,
    );
    assert!(tenant_attach::Snapshot::from_json(&text).is_err());
}

/// Every property the schema names (every field of every snapshot type) appears in
/// docs/snapshot.md as `` `name` ``: a field added to the types without its documentation
/// fails here.
#[test]
fn every_snapshot_field_is_documented() {
    let doc = std::fs::read_to_string(root().join("docs/snapshot.md")).unwrap();
    let schema = tenant_attach::snapshot::json_schema();
    let mut names = std::collections::BTreeSet::new();
    collect_properties(&schema, &mut names);
    assert!(names.contains("client_since") && names.contains("unlicensed_admins"));
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !doc.contains(&format!("`{n}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "fields of the snapshot types missing from docs/snapshot.md: {missing:?}"
    );
}

fn collect_properties(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Object(props)) = map.get("properties") {
                out.extend(props.keys().cloned());
            }
            for child in map.values() {
                collect_properties(child, out);
            }
        }
        serde_json::Value::Array(items) => {
            for child in items {
                collect_properties(child, out);
            }
        }
        _ => {}
    }
}

/// The complete example of docs/snapshot.md (its first `json` block) is a snapshot the
/// engine accepts, and it conforms to the schema.
#[test]
fn the_documented_example_is_a_valid_snapshot() {
    let doc = std::fs::read_to_string(root().join("docs/snapshot.md")).unwrap();
    let start = doc.find("```json\n").expect("a ```json block") + "```json\n".len();
    let end = start + doc[start..].find("\n```").unwrap();
    let example = &doc[start..end];
    let snapshot = tenant_attach::Snapshot::from_json(example).unwrap();
    let diags = tenant_attach::validate(&snapshot);
    assert!(!diags.has_errors(), "{diags}");
    let value: serde_json::Value = serde_json::from_str(example).unwrap();
    let schema = compiled();
    schema.0.validate(&value, schema.1).unwrap();
    // Every field is written out: the example names every field the schema has.
    let mut names = std::collections::BTreeSet::new();
    collect_properties(&tenant_attach::snapshot::json_schema(), &mut names);
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !example.contains(&format!("\"{n}\"")))
        .collect();
    assert!(missing.is_empty(), "fields not in the example: {missing:?}");
}
