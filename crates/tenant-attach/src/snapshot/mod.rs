//! The serde model of the snapshot contract (`tenant-attach.snapshot/1`).
//!
//! Every struct refuses unknown fields (a typo must not silently change a decision), except
//! the free `x` object. Optional fields carry the defaults of `docs/snapshot.md`. The model is
//! plain data with public fields: it *is* the contract, versioned by [`SCHEMA`].

mod access;
mod build;
mod build_access;
mod build_tenant;
mod collections;
mod hierarchy;
mod outside;
mod policy;
mod schema;
mod shared;
mod unique;

pub use access::{
    AssignmentScope, Association, AssociationMode, ConfigMgr, ConfigMgrAdmin, ConfigMgrRole,
    DirectoryRole, DiscoveredUser, DiscoveryAgent, Entra, EntraGroup, EntraUser, Intune,
    RoleAssignment, RoleDefinition, ScopeTag, Script,
};
pub use collections::{Collection, CollectionRule, CollectionType, QueryRule};
pub use hierarchy::{
    Attach, AttachState, Cloud, Device, Discovery, Hierarchy, PermissionMerge, Tenant, Upload,
};
pub use policy::{
    ApplicationActionsSplit, ChildRelation, CombinedPagePermissions, DiscoveryRequired, EntraRoles,
    FeatureOverride, LicenceUnknown, Policy, UntaggedAssignment, UsGovernmentFeatures,
};
pub use schema::{json_schema, json_schema_text};
pub use shared::Shared;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::LoadError;
use outside::{BOM, Outside};

/// The only schema this version reads and writes.
pub const SCHEMA: &str = "tenant-attach.snapshot/1";

/// The id of Intune's Default scope tag (R-S1).
pub const DEFAULT_SCOPE_TAG: &str = "0";

/// One hierarchy and its tenant at one moment: the engine's whole input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Tenant-wide Intune settings (R-M1, R-I4).
    pub tenant: Tenant,
    /// The ConfigMgr hierarchy and its attach settings.
    pub hierarchy: Hierarchy,
    /// ConfigMgr device resources.
    #[serde(default)]
    pub devices: Shared<Vec<Device>>,
    /// ConfigMgr collections (R-C).
    #[serde(default)]
    pub collections: Shared<Vec<Collection>>,
    /// ConfigMgr RBAC: security roles, administrative users, discovered users (R-G).
    #[serde(default)]
    pub configmgr: ConfigMgr,
    /// Entra users and groups (R-I1, R-I2, R-G1, R-G3).
    #[serde(default)]
    pub entra: Entra,
    /// Intune RBAC: scope tags, role definitions and assignments (R-I, R-S).
    #[serde(default)]
    pub intune: Intune,
    /// The policy knobs where Microsoft is silent (see the rulebook).
    #[serde(default)]
    pub policy: Policy,
    /// Free for users; never read by the engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<serde_json::Value>,
}

impl Snapshot {
    /// Parses a snapshot from JSON text.
    ///
    /// A syntax error, an unknown field or a value of the wrong type is a [`LoadError`] that
    /// carries the line, the column and the JSON path of the offending value (map keys
    /// named). The schema string is checked here too; everything else is [`crate::validate`]'s
    /// job. A leading byte order mark (U+FEFF, as Windows PowerShell 5.1 writes) is skipped
    /// (RFC 8259 §8.1 allows it); anywhere else it is an error that says so.
    ///
    /// # Errors
    ///
    /// [`LoadError::Syntax`] (line, column, JSON path, serde's message) or
    /// [`LoadError::Schema`].
    ///
    /// ```
    /// use tenant_attach::{LoadError, Snapshot};
    /// let text = tenant_attach::sample::CONTOSO.replace("\"client\": true", "\"client\": 1");
    /// match Snapshot::from_json(&text) {
    ///     Err(LoadError::Syntax { path, .. }) => assert_eq!(path, "$.devices[0].client"),
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    pub fn from_json(text: &str) -> Result<Snapshot, LoadError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // The fast path parses without tracking paths; only a failure is parsed again with
        // serde_path_to_error, to say where.
        let snapshot: Snapshot = match serde_json::from_str(text) {
            Ok(s) => s,
            Err(_) => {
                let mut de = serde_json::Deserializer::from_str(text);
                let s: Snapshot = serde_path_to_error::deserialize(&mut de)
                    .map_err(|e| LoadError::from_path_error(e, text.as_bytes()))?;
                de.end().map_err(|e| {
                    let path = crate::error::path_at_error(text.as_bytes(), &e);
                    LoadError::from_json_error(e, path, text.as_bytes())
                })?;
                s
            }
        };
        snapshot.check_schema()?;
        Ok(snapshot.canonical())
    }

    /// Parses a snapshot from bytes: as [`Snapshot::from_json`], and bytes that are not
    /// UTF-8 are an error at the line and column of the first bad byte.
    ///
    /// ```
    /// use tenant_attach::{LoadError, Snapshot, sample};
    /// let s = Snapshot::from_slice(sample::CONTOSO.as_bytes())?;
    /// assert_eq!(s.devices.len(), 24);
    /// let latin1 = Snapshot::from_slice(b"{\"schema\": \"\xe9\"}"); // not UTF-8
    /// assert!(matches!(latin1, Err(LoadError::Syntax { line: 1, column: 13, .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Snapshot::from_json`], and [`LoadError::Syntax`] at the first byte that is not
    /// UTF-8.
    pub fn from_slice(bytes: &[u8]) -> Result<Snapshot, LoadError> {
        let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
        match std::str::from_utf8(bytes) {
            Ok(text) => Snapshot::from_json(text),
            Err(e) => Err(LoadError::not_utf8(bytes, e.valid_up_to(), None)),
        }
    }

    /// Parses a snapshot from a reader (a file, standard input), checking the bytes while it
    /// reads: bytes that are not UTF-8, a byte that cannot appear in JSON where it stands
    /// (a NUL, a letter outside a string and outside `true`/`false`/`null`, a control
    /// character inside a string), an unbalanced bracket, or anything after the top-level
    /// value stop the read there, with the error (line, column, path) of the text up to that
    /// byte (`/dev/zero` fails at 1:1 after one buffer, not when memory runs out). What was
    /// read is then parsed as [`Snapshot::from_slice`] does. The library itself opens no file.
    ///
    /// ```
    /// use tenant_attach::{LoadError, Snapshot, sample};
    /// let s = Snapshot::from_reader(sample::CONTOSO.as_bytes())?;
    /// assert_eq!(s.hierarchy.attach.upload.collection.as_deref(), Some("PS100020"));
    /// let endless = Snapshot::from_reader(std::io::repeat(0)); // stops at the first NUL
    /// assert!(matches!(endless, Err(LoadError::Syntax { line: 1, column: 1, .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`LoadError::Io`] when the reader fails; otherwise as [`Snapshot::from_slice`], at the
    /// first byte that cannot stand where it is.
    pub fn from_reader(reader: impl std::io::Read) -> Result<Snapshot, LoadError> {
        Snapshot::from_reader_sized(reader, 0)
    }

    /// [`Snapshot::from_reader`] for a reader whose length is known (a regular file):
    /// `size` reserves the buffer once instead of growing it (pages of it that whitespace
    /// never fills are never touched). Whitespace before and after the document is not
    /// kept, so memory is the document's own size whatever surrounds it (1.5 GB of spaces on
    /// standard input cost nothing); errors still name its line and column in the input.
    ///
    /// ```
    /// use tenant_attach::{LoadError, Snapshot, sample};
    /// let padded = format!("{}{}{}", " ".repeat(1000), sample::CONTOSO, "\n".repeat(1000));
    /// let s = Snapshot::from_reader_sized(padded.as_bytes(), padded.len() as u64)?;
    /// assert_eq!(s.devices.len(), 24);
    /// let lines = sample::CONTOSO.lines().count();
    /// let late = format!("\n\n  {}\n \n   x", sample::CONTOSO.trim_end());
    /// let e = Snapshot::from_reader(late.as_bytes()).err();
    /// assert_eq!(e, Snapshot::from_slice(late.as_bytes()).err());
    /// assert!(matches!(e, Some(LoadError::Syntax { line, column: 4, .. }) if line == lines + 4));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Snapshot::from_reader`].
    pub fn from_reader_sized(
        mut reader: impl std::io::Read,
        size: u64,
    ) -> Result<Snapshot, LoadError> {
        let mut seen: Vec<u8> = Vec::new();
        // Best effort: a size the allocator refuses is read by growing instead.
        let _ = seen.try_reserve_exact(usize::try_from(size).unwrap_or(0));
        let mut scan = Scan::default();
        let mut outside = Outside::default();
        let mut chunk = vec![0u8; 1 << 16];
        loop {
            let got = match reader.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(LoadError::Io(e.into())),
            };
            let start = seen.len();
            let fresh = outside.skip(chunk.get(..got).unwrap_or(&[]), &seen, scan.closed);
            seen.extend_from_slice(&fresh);
            if let Some(bad) = scan.feed(&seen, start) {
                // The text up to and including the first bad character fails to parse there.
                let width = match seen.get(bad) {
                    Some(0xC0..=0xDF) => 2,
                    Some(0xE0..=0xEF) => 3,
                    Some(0xF0..=0xFF) => 4,
                    _ => 1,
                };
                seen.truncate(bad + width);
                let e = match Snapshot::from_slice(&seen) {
                    Err(e) => e,
                    Ok(_) => LoadError::Syntax {
                        line: 1,
                        column: 1,
                        path: String::from("$"),
                        message: String::from("not a snapshot"),
                    },
                };
                return Err(outside.place(e, bad));
            }
        }
        Snapshot::from_slice(&seen).map_err(|e| outside.place(e, usize::MAX))
    }

    /// Writes the snapshot as pretty-printed JSON, every default spelt out.
    ///
    /// ```
    /// use tenant_attach::{Snapshot, sample};
    /// let s = Snapshot::from_json(sample::CONTOSO)?;
    /// let text = s.to_json();
    /// assert_eq!(Snapshot::from_json(&text)?, s);
    /// // CON-WS-004 has no `co_managed` in the file; the default is written out.
    /// assert!(!sample::CONTOSO.contains("\"co_managed\": false"));
    /// assert!(text.contains("\"co_managed\": false"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_json(&self) -> String {
        // Serializing plain data into a String cannot fail: every map key is a string.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Lists that are sets in the contract, in one order, so every answer that echoes them
    /// is a function of the content, not of the file's order: `policy.child_relations` in
    /// the rulebook's order (limiting, include, exclude).
    fn canonical(mut self) -> Snapshot {
        self.policy.child_relations.sort();
        self
    }

    fn check_schema(&self) -> Result<(), LoadError> {
        if self.schema == SCHEMA {
            Ok(())
        } else {
            Err(LoadError::Schema {
                found: self.schema.clone(),
                expected: SCHEMA,
            })
        }
    }
}

/// A lenient check of JSON bytes as they arrive: it never refuses what serde_json accepts,
/// and catches early what can never be JSON, so an endless or binary input stops at its first
/// bad byte. The exact error is then serde_json's (or the UTF-8 check's) on the text so far.
#[derive(Debug, Default)]
struct Scan {
    /// Offset of the first byte not yet checked for UTF-8 (a sequence cut by a read waits).
    utf8_from: usize,
    in_string: bool,
    escaped: bool,
    depth: usize,
    /// A top-level container has closed: only whitespace may follow.
    closed: bool,
    /// Offset of the first byte not yet checked (the bytes of a cut sequence wait).
    next: usize,
}

impl Scan {
    /// Checks `text[start..]` (the bytes just read); the offset of the first bad byte.
    fn feed(&mut self, text: &[u8], start: usize) -> Option<usize> {
        if text.len() < BOM.len() && BOM.starts_with(text) {
            return None; // a byte order mark cut by a read: checked whole with the next
        }
        // UTF-8: a sequence cut at the end of the read is checked with the next read.
        let from = self.utf8_from.min(start);
        let fresh = text.get(from..).unwrap_or(&[]);
        let utf8_bad = match std::str::from_utf8(fresh) {
            Ok(_) => {
                self.utf8_from = text.len();
                None
            }
            Err(e) if e.error_len().is_none() => {
                self.utf8_from = from + e.valid_up_to();
                None
            }
            Err(e) => Some(from + e.valid_up_to()),
        };
        // Only whole characters are checked: a sequence cut by the read waits for the next.
        let end = utf8_bad.unwrap_or(self.utf8_from);
        // A leading byte order mark is skipped (see `from_json`).
        let start = if self.next < BOM.len() && text.starts_with(BOM) {
            BOM.len()
        } else {
            self.next.min(start)
        };
        self.next = end.max(start);
        for (i, &b) in text.iter().enumerate().take(end).skip(start) {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                } else if b < 0x20 {
                    return Some(i);
                }
                continue;
            }
            let ok = match b {
                b' ' | b'\t' | b'\n' | b'\r' => true,
                _ if self.closed => false,
                b'"' => {
                    self.in_string = true;
                    true
                }
                b'{' | b'[' => {
                    self.depth += 1;
                    true
                }
                b'}' | b']' => match self.depth.checked_sub(1) {
                    Some(d) => {
                        self.depth = d;
                        self.closed = d == 0;
                        true
                    }
                    None => false,
                },
                b':' | b',' => self.depth > 0,
                b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E' => true,
                b't' | b'r' | b'u' | b'f' | b'a' | b'l' | b's' | b'n' => true,
                _ => false,
            };
            if !ok {
                return Some(i);
            }
        }
        utf8_bad
    }
}
