//! Reading export files into records, whatever shape the exporter wrote: an OData envelope
//! `{"value": [...]}`, several pages as an array of envelopes or as `NAME.1.json`,
//! `NAME.2.json`, a bare array, a single object, or PowerShell `ConvertTo-Json` of CIM
//! instances (WMI `__` system properties and `Cim*` wrappers ignored). Field names match
//! case-insensitively (`ResourceId` = `ResourceID`).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{ImportError, Source};

/// One exported object: its fields by lowercase name, and where it came from.
#[derive(Debug, Clone)]
pub struct Record {
    /// The file it came from.
    pub file: String,
    /// Its index within the file's records (after unwrapping envelopes and pages).
    pub index: usize,
    fields: BTreeMap<String, Value>,
}

impl Record {
    fn new(file: &str, index: usize, object: serde_json::Map<String, Value>) -> Record {
        let fields = object
            .into_iter()
            .filter(|(k, _)| !k.starts_with("__") && !k.starts_with("Cim"))
            .map(|(k, v)| (k.to_lowercase(), v))
            .collect();
        Record {
            file: file.to_owned(),
            index,
            fields,
        }
    }

    /// A field by name, case-insensitively.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields
            .get(&name.to_lowercase())
            .filter(|v| !v.is_null())
    }

    /// A record from a nested object (an embedded rule, permission, operation).
    pub fn nested(&self, value: &Value) -> Option<Record> {
        value
            .as_object()
            .map(|o| Record::new(&self.file, self.index, o.clone()))
    }

    fn error(&self, key: &str, field: &str, message: impl Into<String>) -> ImportError {
        ImportError {
            file: self.file.clone(),
            record: format!(
                "record {}{}",
                self.index,
                if key.is_empty() {
                    String::new()
                } else {
                    format!(" (`{key}`)")
                }
            ),
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// A required string field.
    pub fn str(&self, key: &str, field: &str, errors: &mut Vec<ImportError>) -> Option<String> {
        match self.get(field) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(other) => {
                errors.push(self.error(
                    key,
                    field,
                    format!("expected a string, found {}", kind(other)),
                ));
                None
            }
            None => {
                errors.push(self.error(key, field, "required field is missing"));
                None
            }
        }
    }

    /// An optional string field (empty strings are absent).
    pub fn opt_str(&self, field: &str) -> Option<String> {
        match self.get(field) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A required unsigned 32-bit field (numbers, or numeric strings).
    pub fn u32(&self, key: &str, field: &str, errors: &mut Vec<ImportError>) -> Option<u32> {
        match self.get(field) {
            Some(v) => match as_u32(v) {
                Some(n) => Some(n),
                None => {
                    errors.push(self.error(
                        key,
                        field,
                        format!("expected an unsigned 32-bit number, found {}", kind(v)),
                    ));
                    None
                }
            },
            None => {
                errors.push(self.error(key, field, "required field is missing"));
                None
            }
        }
    }

    /// An optional unsigned 32-bit field.
    pub fn opt_u32(&self, field: &str) -> Option<u32> {
        self.get(field).and_then(as_u32)
    }

    /// A boolean that may be written as `true`, `1` or `"True"`.
    pub fn opt_bool(&self, field: &str) -> Option<bool> {
        match self.get(field)? {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => n.as_u64().map(|n| n != 0),
            Value::String(s) => match s.to_lowercase().as_str() {
                "true" | "1" | "yes" => Some(true),
                "false" | "0" | "no" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A string array (a single string counts as one element: PowerShell unwraps them).
    pub fn strings(&self, field: &str) -> Vec<String> {
        match self.get(field) {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        }
    }

    /// An array field (a single object counts as one element).
    pub fn array(&self, field: &str) -> Option<Vec<Value>> {
        match self.get(field)? {
            Value::Array(a) => Some(a.clone()),
            v @ Value::Object(_) => Some(vec![v.clone()]),
            _ => None,
        }
    }

    /// A lazy property (WMI does not return it when enumerating): missing is an error that says
    /// how to fetch it (`fetch`, e.g. "collection by key (`SMS_Collection('ID')`)").
    pub fn lazy_array(
        &self,
        key: &str,
        field: &str,
        fetch: &str,
        errors: &mut Vec<ImportError>,
    ) -> Option<Vec<Value>> {
        match self.get(field) {
            None => {
                errors.push(self.error(
                    key,
                    field,
                    format!("missing: it is a lazy property, so fetch each {fetch}"),
                ));
                None
            }
            Some(Value::Array(a)) => Some(a.clone()),
            Some(v @ Value::Object(_)) => Some(vec![v.clone()]),
            Some(other) => {
                errors.push(self.error(
                    key,
                    field,
                    format!("expected an array, found {}", kind(other)),
                ));
                None
            }
        }
    }

    /// An error about this record.
    pub fn fail(&self, key: &str, field: &str, message: impl Into<String>) -> ImportError {
        self.error(key, field, message)
    }
}

fn as_u32(v: &Value) -> Option<u32> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The page number of `NAME.N.json`, 0 for `NAME.json`; `None` when the file is not `NAME`'s.
fn page_of(file_name: &str, name: &str) -> Option<u32> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = base.strip_suffix(".json")?;
    if stem.eq_ignore_ascii_case(name) {
        return Some(0);
    }
    let (head, page) = stem.rsplit_once('.')?;
    if head.eq_ignore_ascii_case(name) {
        page.parse().ok()
    } else {
        None
    }
}

/// The records of one file, whatever its shape (the per-file parser).
pub fn records_of(source: &Source) -> Result<Vec<Record>, ImportError> {
    let value: Value = serde_json::from_str(&source.text).map_err(|e| ImportError {
        file: source.name.clone(),
        record: format!("line {}, column {}", e.line(), e.column()),
        field: String::new(),
        message: format!("not valid JSON: {e}"),
    })?;
    let mut objects = Vec::new();
    unwrap_value(value, &mut objects);
    Ok(objects
        .into_iter()
        .enumerate()
        .map(|(i, o)| Record::new(&source.name, i, o))
        .collect())
}

/// Every record of the export `name`, over all its pages; `None` when no file has that name.
pub fn read(sources: &[Source], name: &str, errors: &mut Vec<ImportError>) -> Option<Vec<Record>> {
    let mut pages: Vec<(u32, &Source)> = sources
        .iter()
        .filter_map(|s| page_of(&s.name, name).map(|p| (p, s)))
        .collect();
    if pages.is_empty() {
        return None;
    }
    pages.sort_by_key(|(p, s)| (*p, s.name.clone()));
    let mut out = Vec::new();
    for (_, source) in pages {
        let value: Value = match serde_json::from_str(&source.text) {
            Ok(v) => v,
            Err(e) => {
                errors.push(ImportError {
                    file: source.name.clone(),
                    record: format!("line {}, column {}", e.line(), e.column()),
                    field: String::new(),
                    message: format!("not valid JSON: {e}"),
                });
                continue;
            }
        };
        let mut objects = Vec::new();
        unwrap_value(value, &mut objects);
        let start = out.len();
        for (i, o) in objects.into_iter().enumerate() {
            out.push(Record::new(&source.name, start + i, o));
        }
    }
    Some(out)
}

/// Envelopes, arrays of envelopes, bare arrays and single objects, flattened to objects.
fn unwrap_value(value: Value, out: &mut Vec<serde_json::Map<String, Value>>) {
    match value {
        Value::Array(items) => {
            for item in items {
                unwrap_value(item, out);
            }
        }
        Value::Object(mut o) => {
            let value_key = o.keys().find(|k| k.eq_ignore_ascii_case("value")).cloned();
            match value_key.and_then(|k| o.remove(&k)) {
                Some(inner @ (Value::Array(_) | Value::Object(_)))
                    if o.keys()
                        .all(|k| k.starts_with('@') || k.eq_ignore_ascii_case("count")) =>
                {
                    unwrap_value(inner, out)
                }
                Some(other) => {
                    o.insert(String::from("value"), other);
                    out.push(o);
                }
                None => out.push(o),
            }
        }
        _ => {}
    }
}
