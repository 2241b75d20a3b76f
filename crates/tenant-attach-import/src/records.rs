//! Reading export files into records, whatever shape the exporter wrote: an OData envelope
//! `{"value": [...]}`, several pages as an array of envelopes or as `NAME.1.json`,
//! `NAME.2.json`, a bare array, a single object carrying the export's key field, or PowerShell
//! `ConvertTo-Json` of CIM instances (WMI `__` system properties and `Cim*` wrappers ignored).
//! Field names match case-insensitively (`ResourceId` = `ResourceID`).
//!
//! What is not a record list is an error, never an empty list: a scalar, an object without
//! `value` (except the exports documented as single objects), an array of scalars, a page whose
//! `@odata.nextLink` has no next page, bytes that are not UTF-8, a directory. Nothing is lost
//! or invented silently either: numbered pages must start at 1 and have no gap (or two files for
//! one page), an object may not carry one field twice (`members` and `Members` count as the
//! same), and a file larger than the cap is refused before it is decoded.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::error::{ImportError, Location, Place};
use crate::exports::Export;

/// The contents of one export file as the caller found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// The file's bytes (UTF-8, with or without a byte order mark; UTF-16 with one).
    Bytes(Vec<u8>),
    /// The file could not be read: the reason.
    Unreadable(String),
    /// A directory stands where a file should be.
    Directory,
    /// The caller did not read it: its name is no export the importer reads (see
    /// [`crate::exports::is_export`]). The import only names it, in one warning.
    Skipped,
}

/// One exported file: its name (for messages, and to know which export it is) and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The file name, e.g. `SMS_Collection.json` or `users.2.json` (a path is fine).
    pub name: String,
    /// Its contents, or why there are none.
    pub body: Body,
}

impl Source {
    /// A file with this text.
    pub fn text(name: impl Into<String>, text: impl Into<String>) -> Source {
        Source::bytes(name, text.into().into_bytes())
    }

    /// A file with these bytes.
    pub fn bytes(name: impl Into<String>, bytes: Vec<u8>) -> Source {
        Source {
            name: name.into(),
            body: Body::Bytes(bytes),
        }
    }

    /// A file that could not be read, and why.
    pub fn unreadable(name: impl Into<String>, reason: impl Into<String>) -> Source {
        Source {
            name: name.into(),
            body: Body::Unreadable(reason.into()),
        }
    }

    /// A directory where a file should be.
    pub fn directory(name: impl Into<String>) -> Source {
        Source {
            name: name.into(),
            body: Body::Directory,
        }
    }

    /// A file left unread because its name is no export's (named in a warning).
    pub fn skipped(name: impl Into<String>) -> Source {
        Source {
            name: name.into(),
            body: Body::Skipped,
        }
    }

    /// The size of the body in bytes, when it was read.
    pub fn size(&self) -> Option<u64> {
        match &self.body {
            Body::Bytes(b) => Some(u64::try_from(b.len()).unwrap_or(u64::MAX)),
            _ => None,
        }
    }

    /// An error when the body is larger than `limit` bytes (the per-file cap,
    /// [`crate::MAX_FILE_BYTES`] unless [`crate::Options::max_file_bytes`] says otherwise).
    pub fn check_size(&self, limit: u64) -> Result<(), ImportError> {
        match self.size() {
            Some(n) if n > limit => Err(Location::file(&self.name).error(format!(
                "{n} bytes: larger than the {limit} bytes an export file may have (the cap, `Options::max_file_bytes`)"
            ))),
            _ => Ok(()),
        }
    }

    /// The text: UTF-8 (a byte order mark is accepted), or UTF-16 with a byte order mark
    /// (what Windows PowerShell 5 writes with `>`); otherwise an error with the position.
    pub fn decode(&self) -> Result<String, ImportError> {
        let bytes = match &self.body {
            Body::Bytes(b) => b,
            Body::Unreadable(reason) => {
                return Err(Location::file(&self.name).error(format!("cannot read: {reason}")));
            }
            Body::Directory => {
                return Err(
                    Location::file(&self.name).error("is a directory, expected an export file")
                );
            }
            Body::Skipped => {
                return Err(Location::file(&self.name).error("not read: no export has this name"));
            }
        };
        if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
            return utf8(&self.name, rest);
        }
        let utf16 = |rest: &[u8], le: bool| {
            let units = rest.chunks(2).map(|c| match c {
                [a, b] if le => u16::from_le_bytes([*a, *b]),
                [a, b] => u16::from_be_bytes([*a, *b]),
                _ => 0xFFFD,
            });
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .map_err(|e| {
                    Location::file(&self.name).error(format!(
                        "not valid UTF-16: unpaired surrogate {:#06x}",
                        e.unpaired_surrogate()
                    ))
                })
        };
        if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
            return utf16(rest, true);
        }
        if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
            return utf16(rest, false);
        }
        utf8(&self.name, bytes)
    }
}

fn utf8(file: &str, bytes: &[u8]) -> Result<String, ImportError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => {
            let good = bytes.get(..e.valid_up_to()).unwrap_or_default();
            let text = String::from_utf8_lossy(good);
            let line = text.matches('\n').count() + 1;
            let column = text.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
            let byte = bytes.get(e.valid_up_to()).copied().unwrap_or_default();
            Err(Location {
                file: file.to_owned(),
                place: Place::Position { line, column },
                field: None,
            }
            .error(format!(
                "not valid UTF-8 (byte {byte:#04x}): save the export as UTF-8"
            )))
        }
    }
}

/// One exported object: its fields by lowercase name, and where it came from.
#[derive(Debug, Clone)]
pub struct Record {
    /// The file it came from.
    pub file: String,
    /// Its index within the file's records (after unwrapping envelopes).
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

    /// A field by name, case-insensitively (`null` counts as absent).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields
            .get(&name.to_lowercase())
            .filter(|v| !v.is_null())
    }

    /// Whether the field is written at all (even as `null`).
    pub fn has(&self, name: &str) -> bool {
        self.fields.contains_key(&name.to_lowercase())
    }

    /// A record from a nested object (an embedded rule, permission, operation).
    pub fn nested(&self, value: &Value) -> Option<Record> {
        value
            .as_object()
            .map(|o| Record::new(&self.file, self.index, o.clone()))
    }

    /// This record, named by `key` when not empty.
    pub fn at(&self, key: &str) -> Location {
        Location {
            file: self.file.clone(),
            place: Place::Record {
                index: self.index,
                key: (!key.is_empty()).then(|| key.to_owned()),
            },
            field: None,
        }
    }

    /// An error about a field of this record.
    pub fn fail(&self, key: &str, field: &str, message: impl Into<String>) -> ImportError {
        let at = self.at(key);
        if field.is_empty() {
            at.error(message)
        } else {
            at.field(field).error(message)
        }
    }

    /// The record's key (`key_field`) and one more required string (`field`, named by the key
    /// in its error); every problem goes to `errors`, and `None` when either is missing.
    pub fn key_and(
        &self,
        key_field: &str,
        field: &str,
        errors: &mut Vec<ImportError>,
    ) -> Option<(String, String)> {
        let id = self.str("", key_field, errors);
        let other = self.str(id.as_deref().unwrap_or_default(), field, errors);
        id.zip(other)
    }

    /// A required string field.
    pub fn str(&self, key: &str, field: &str, errors: &mut Vec<ImportError>) -> Option<String> {
        match self.get(field) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(other) => {
                errors.push(self.fail(
                    key,
                    field,
                    format!("expected a string, found {}", kind(other)),
                ));
                None
            }
            None => {
                errors.push(self.fail(key, field, "required field is missing"));
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
                    errors.push(self.fail(
                        key,
                        field,
                        format!("expected an unsigned 32-bit number, found {}", kind(v)),
                    ));
                    None
                }
            },
            None => {
                errors.push(self.fail(key, field, "required field is missing"));
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

    /// A lazy property (WMI does not return it when enumerating): `Ok(None)` when absent (the
    /// caller decides whether the meaning survives), an error when it is not an array.
    pub fn lazy_array(&self, key: &str, field: &str) -> Result<Option<Vec<Value>>, ImportError> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a.clone())),
            Some(v @ Value::Object(_)) => Ok(Some(vec![v.clone()])),
            Some(other) => Err(self.fail(
                key,
                field,
                format!("expected an array, found {}", kind(other)),
            )),
        }
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
pub(crate) fn page_of(file_name: &str, name: &str) -> Option<u32> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let cut = base.len().checked_sub(".json".len())?;
    let (stem, ext) = (base.get(..cut)?, base.get(cut..)?);
    if !ext.eq_ignore_ascii_case(".json") {
        return None;
    }
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

/// JSON parsed into a [`Value`], refusing an object that carries a field twice: exactly
/// (`serde_json` would keep the last silently) or in another case (`members` and `Members`:
/// fields compare case-insensitively, so one would hide the other).
pub(crate) fn parse_json(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let Strict(v) = Strict::deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// A [`Value`] deserialized with the duplicate-field check.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Strict, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Strict::deserialize(d).map(|Strict(v)| v)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        // Lowercase name → the name as first written.
        let mut seen: HashMap<String, String> = HashMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let lower = key.to_lowercase();
            if let Some(first) = seen.get(&lower) {
                return Err(de::Error::custom(if *first == key {
                    format!("field `{key}` appears twice in one object")
                } else {
                    format!(
                        "fields `{first}` and `{key}` in one object: field names compare case-insensitively, so one would hide the other"
                    )
                }));
            }
            let Strict(v) = map.next_value()?;
            seen.insert(lower, key.clone());
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// How strict the shape check is: what a bare object (no `value`) may be.
#[derive(Clone, Copy)]
enum Bare<'a> {
    /// Any object is one record (a file of unknown export).
    Any,
    /// An object carrying this field is one record (a single item of a list export).
    Keyed(&'a str),
    /// The export is documented as a single object.
    Single,
}

impl Bare<'_> {
    fn of(export: &Export) -> Bare<'static> {
        match export.key {
            Some(k) => Bare::Keyed(k),
            None => Bare::Single,
        }
    }

    fn accepts(self, o: &serde_json::Map<String, Value>) -> bool {
        match self {
            Bare::Any | Bare::Single => true,
            Bare::Keyed(k) => o.keys().any(|f| f.eq_ignore_ascii_case(k)),
        }
    }
}

/// One page of a file: its records, and whether it says a next page follows.
struct Page {
    objects: Vec<serde_json::Map<String, Value>>,
    next_link: bool,
}

/// The pages of one decoded file.
fn pages_of(file: &str, text: &str, bare: Bare<'_>) -> Result<Vec<Page>, Vec<ImportError>> {
    let value: Value = parse_json(text).map_err(|e| {
        vec![
            Location {
                file: file.to_owned(),
                place: Place::Position {
                    line: e.line(),
                    column: e.column(),
                },
                field: None,
            }
            .error(format!("not valid JSON: {}", json_message(&e))),
        ]
    })?;
    let mut errors = Vec::new();
    let mut pages = Vec::new();
    let whole = |m: String| Location::file(file).error(m);
    match value {
        Value::Array(items) => {
            // An array of envelopes (pages) or of records.
            let mut loose = Page {
                objects: Vec::new(),
                next_link: false,
            };
            for (i, item) in items.into_iter().enumerate() {
                match item {
                    Value::Object(o) if is_envelope(&o) => {
                        if !loose.objects.is_empty() {
                            pages.push(std::mem::replace(
                                &mut loose,
                                Page {
                                    objects: Vec::new(),
                                    next_link: false,
                                },
                            ));
                        }
                        match envelope(file, o, bare) {
                            Ok(p) => pages.push(p),
                            Err(e) => errors.push(e),
                        }
                    }
                    Value::Object(o) => loose.objects.push(o),
                    other => errors.push(not_a_record(file, i, &other)),
                }
            }
            if !loose.objects.is_empty() {
                pages.push(loose);
            }
        }
        Value::Object(o) if is_envelope(&o) => match envelope(file, o, bare) {
            Ok(p) => pages.push(p),
            Err(e) => errors.push(e),
        },
        Value::Object(o) if bare.accepts(&o) => pages.push(Page {
            objects: vec![o],
            next_link: false,
        }),
        Value::Object(_) => errors.push(whole(String::from(
            "expected a record list (`{\"value\": [...]}` or an array of records), found an object without `value`",
        ))),
        other => errors.push(whole(format!(
            "expected a record list (`{{\"value\": [...]}}` or an array of records), found {}",
            kind(&other)
        ))),
    }
    if errors.is_empty() {
        Ok(pages)
    } else {
        Err(errors)
    }
}

/// `{"value": ..., "@odata.*": ...}`: the OData envelope.
fn is_envelope(o: &serde_json::Map<String, Value>) -> bool {
    o.keys().any(|k| k.eq_ignore_ascii_case("value"))
        && o.keys().all(|k| {
            k.starts_with('@') || k.eq_ignore_ascii_case("value") || k.eq_ignore_ascii_case("count")
        })
}

fn envelope(
    file: &str,
    mut o: serde_json::Map<String, Value>,
    bare: Bare<'_>,
) -> Result<Page, ImportError> {
    let next_link = o
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("@odata.nextLink") && !v.is_null());
    let key = o
        .keys()
        .find(|k| k.eq_ignore_ascii_case("value"))
        .cloned()
        .unwrap_or_default();
    let at = Location::file(file).field(key.clone());
    match o.remove(&key) {
        Some(Value::Array(items)) => {
            let mut objects = Vec::new();
            for (i, item) in items.into_iter().enumerate() {
                match item {
                    Value::Object(r) => objects.push(r),
                    other => return Err(not_a_record(file, i, &other)),
                }
            }
            Ok(Page { objects, next_link })
        }
        // The documentation's single-entity artefact `{"value": {...}}`.
        Some(Value::Object(r)) if bare.accepts(&r) => Ok(Page {
            objects: vec![r],
            next_link,
        }),
        Some(other) => Err(at.error(format!(
            "expected a list of records, found {}",
            kind(&other)
        ))),
        None => Ok(Page {
            objects: Vec::new(),
            next_link,
        }),
    }
}

fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    text.split(" at line ")
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The records of one file, whatever its shape (the per-file parser). The export is guessed
/// from the file name; a file of no known export may be a single bare object.
pub fn records_of(source: &Source) -> Result<Vec<Record>, Vec<ImportError>> {
    let export = crate::exports::ALL
        .iter()
        .find(|e| page_of(&source.name, e.name).is_some());
    let bare = export.map_or(Bare::Any, Bare::of);
    let text = source.decode().map_err(|e| vec![e])?;
    let pages = pages_of(&source.name, &text, bare)?;
    Ok(pages
        .into_iter()
        .flat_map(|p| p.objects)
        .enumerate()
        .map(|(i, o)| Record::new(&source.name, i, o))
        .collect())
}

/// Every record of `export`, over all its pages; `None` when no file has its name.
#[cfg(test)]
pub fn read<'a>(
    sources: impl IntoIterator<Item = &'a Source>,
    export: &Export,
    errors: &mut Vec<ImportError>,
) -> Option<Vec<Record>> {
    read_capped(sources, export, u64::MAX, errors)
}

/// The page set's problems: numbered pages start at 1 and have no gap, a page is one file, and
/// `NAME.json` does not stand beside numbered pages (which one would hold what?).
fn check_pages(files: &[(u32, &Source)], export: &Export, errors: &mut Vec<ImportError>) {
    let name = export.name;
    let mut single: Option<&Source> = None;
    // The next page expected (u64: a page numbered u32::MAX has a successor).
    let mut expected: u64 = 1;
    let mut last: Option<(u32, &Source)> = None;
    for &(number, source) in files {
        if number == 0 {
            if let Some(first) = single {
                errors.push(Location::file(&source.name).error(format!(
                    "`{}` and `{}` are both the whole export {name}: keep one",
                    first.name, source.name
                )));
            }
            single = Some(source);
            continue;
        }
        if let Some(whole) = single
            && last.is_none()
        {
            errors.push(Location::file(&source.name).error(format!(
                "`{}` holds the whole export {name}, and numbered pages are given too: keep either `{name}.json` or the pages `{name}.1.json`, `{name}.2.json`, …",
                whole.name
            )));
        }
        match last {
            Some((prev, first)) if prev == number => {
                errors.push(Location::file(&source.name).error(format!(
                    "`{}` and `{}` are both page {number} of {name}: keep one",
                    first.name, source.name
                )));
                continue;
            }
            _ => {}
        }
        let n = u64::from(number);
        if n > expected {
            let missing = if n == expected + 1 {
                format!("`{name}.{expected}.json` is missing")
            } else {
                format!(
                    "`{name}.{expected}.json` to `{name}.{}.json` are missing",
                    n - 1
                )
            };
            errors.push(Location::file(&source.name).error(match last {
                None => format!("the pages start at {number}: {missing}"),
                Some((prev, _)) => format!("pages jump from {prev} to {number}: {missing}"),
            }));
        }
        expected = n + 1;
        last = Some((number, source));
    }
}

/// [`read`], refusing files larger than `limit` bytes.
pub(crate) fn read_capped<'a>(
    sources: impl IntoIterator<Item = &'a Source>,
    export: &Export,
    limit: u64,
    errors: &mut Vec<ImportError>,
) -> Option<Vec<Record>> {
    let mut files: Vec<(u32, &Source)> = sources
        .into_iter()
        .filter_map(|s| page_of(&s.name, export.name).map(|p| (p, s)))
        .collect();
    if files.is_empty() {
        return None;
    }
    files.sort_by(|(p, s), (q, t)| (p, &s.name).cmp(&(q, &t.name)));
    check_pages(&files, export, errors);
    let mut out = Vec::new();
    // The last page read, and whether it promised a next one.
    let mut pending: Option<(&Source, u32)> = None;
    for (number, source) in files {
        pending = None;
        if let Err(e) = source.check_size(limit) {
            errors.push(e);
            continue;
        }
        let text = match source.decode() {
            Ok(t) => t,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let pages = match pages_of(&source.name, &text, Bare::of(export)) {
            Ok(p) => p,
            Err(e) => {
                errors.extend(e);
                continue;
            }
        };
        let mut index = 0;
        let count = pages.len();
        for (i, page) in pages.into_iter().enumerate() {
            if page.next_link && i + 1 == count {
                pending = Some((source, number));
            }
            for o in page.objects {
                out.push(Record::new(&source.name, index, o));
                index += 1;
            }
        }
    }
    if let Some((source, number)) = pending {
        let name = export.name;
        let save = if number == 0 {
            format!("save the pages as `{name}.1.json`, `{name}.2.json`, …")
        } else {
            format!("save it as `{name}.{}.json`", u64::from(number) + 1)
        };
        errors.push(
            Location::file(&source.name)
                .field("@odata.nextLink")
                .error(format!(
                    "the last page says more follow, but the next page is not in the export: follow `@odata.nextLink` and {save}"
                )),
        );
    }
    Some(out)
}

/// The error for the `index`-th element of a record list that is not an object.
fn not_a_record(file: &str, index: usize, found: &Value) -> ImportError {
    Location {
        file: file.to_owned(),
        place: Place::Record { index, key: None },
        field: None,
    }
    .error(format!(
        "expected a record (an object), found {}",
        kind(found)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exports::USERS;

    fn errors(files: &[Source]) -> Vec<String> {
        let mut errors = Vec::new();
        read(files, &USERS, &mut errors);
        errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_next_link_needs_its_page() {
        let page = |n: &str, next: bool| {
            let link = if next {
                r#","@odata.nextLink":"https://graph/next""#
            } else {
                ""
            };
            Source::text(n, format!(r#"{{"value":[{{"id":"{n}"}}]{link}}}"#))
        };
        assert!(errors(&[page("users.1.json", true), page("users.2.json", false)]).is_empty());
        assert_eq!(
            errors(&[page("users.json", true)]),
            [
                "users.json: (file): field `@odata.nextLink`: the last page says more follow, but the next page is not in the export: follow `@odata.nextLink` and save the pages as `users.1.json`, `users.2.json`, …"
            ]
        );
        assert_eq!(errors(&[page("users.1.json", true)]).len(), 1);
        // Pages as an array of envelopes in one file.
        let two = Source::text(
            "users.json",
            r#"[{"value":[{"id":"a"}],"@odata.nextLink":"x"},{"value":[{"id":"b"}]}]"#,
        );
        assert!(errors(&[two]).is_empty());
    }

    #[test]
    fn file_names_match_case_insensitively() {
        assert_eq!(
            page_of("exports/SMS_R_System.JSON", "SMS_R_System"),
            Some(0)
        );
        assert_eq!(page_of("sms_r_system.2.json", "SMS_R_System"), Some(2));
        assert_eq!(page_of("SMS_R_SystemX.json", "SMS_R_System"), None);
        assert_eq!(page_of("é.json", "SMS_R_System"), None);
        assert_eq!(page_of("json", "SMS_R_System"), None);
    }

    #[test]
    fn records_are_numbered_within_their_file() {
        let mut errors = Vec::new();
        let r = read(
            &[
                Source::text("users.1.json", r#"{"value":[{"id":"a"},{"id":"b"}]}"#),
                Source::text("users.2.json", r#"[{"id":"c"}]"#),
            ],
            &USERS,
            &mut errors,
        )
        .unwrap();
        let at: Vec<(String, usize)> = r.iter().map(|r| (r.file.clone(), r.index)).collect();
        assert_eq!(
            at,
            [
                (String::from("users.1.json"), 0),
                (String::from("users.1.json"), 1),
                (String::from("users.2.json"), 0)
            ]
        );
    }
}
