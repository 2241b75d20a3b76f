//! The serde model of the snapshot contract (`tenant-attach.snapshot/1`).
//!
//! Every struct refuses unknown fields (a typo must not silently change a decision), except
//! the free `x` object. Optional fields carry the defaults of `interface.md`. The model is
//! plain data with public fields: it *is* the contract, versioned by [`SCHEMA`].

mod access;
mod build;
mod collections;
mod hierarchy;
mod policy;

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
    ChildRelation, CombinedPagePermissions, DiscoveryRequired, FeatureOverride, Policy,
    UntaggedAssignment,
};

use serde::{Deserialize, Serialize};

use crate::error::LoadError;

/// The only schema this version reads and writes.
pub const SCHEMA: &str = "tenant-attach.snapshot/1";

/// The id of Intune's Default scope tag (R-S1).
pub const DEFAULT_SCOPE_TAG: &str = "0";

/// One hierarchy and its tenant at one moment: the engine's whole input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub devices: Vec<Device>,
    /// ConfigMgr collections (R-C).
    #[serde(default)]
    pub collections: Vec<Collection>,
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
    pub fn from_slice(bytes: &[u8]) -> Result<Snapshot, LoadError> {
        let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
        match std::str::from_utf8(bytes) {
            Ok(text) => Snapshot::from_json(text),
            Err(e) => Err(LoadError::not_utf8(bytes, e.valid_up_to(), None)),
        }
    }

    /// Parses a snapshot from a reader (a file, standard input), checking the JSON syntax and
    /// the UTF-8 while it reads: the first bad byte stops the read with an error at its line
    /// and column (`/dev/zero` fails at its first byte, not when memory runs out). What was
    /// read is then parsed into the model as [`Snapshot::from_json`] does. The library itself
    /// opens no file.
    pub fn from_reader(reader: impl std::io::Read) -> Result<Snapshot, LoadError> {
        let mut recorder = Recorder {
            inner: reader,
            seen: Vec::new(),
            pending: Vec::new(),
            started: false,
            ended: false,
            bad: None,
        };
        {
            let mut buffered = std::io::BufReader::with_capacity(1 << 16, &mut recorder);
            let mut de = serde_json::Deserializer::from_reader(&mut buffered);
            // Syntax only: nothing is built, and the read stops at the first bad byte.
            let checked = serde::de::IgnoredAny::deserialize(&mut de).and_then(|_| de.end());
            drop(de);
            drop(buffered);
            if let Err(e) = checked {
                if let Some(at) = recorder.bad {
                    let byte = recorder.pending.first().copied();
                    return Err(LoadError::not_utf8(&recorder.seen, at, byte));
                }
                if e.is_io() {
                    return Err(LoadError::Io(e.to_string()));
                }
                let path = crate::error::path_at_error(&recorder.seen, &e);
                return Err(LoadError::from_json_error(e, path, &recorder.seen));
            }
        }
        Snapshot::from_slice(&recorder.seen)
    }
    /// Writes the snapshot as pretty-printed JSON, every default spelt out.
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
            })
        }
    }
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A reader that keeps what it hands out (the text to parse once the syntax is checked),
/// skips a leading byte order mark, and refuses bytes that are not UTF-8: it hands out the
/// valid bytes before a bad one, then fails, so the parser reports any earlier error first.
struct Recorder<R> {
    inner: R,
    /// Every byte handed out.
    seen: Vec<u8>,
    /// Bytes read but not handed out yet (the start of the stream, or bytes after a valid
    /// prefix).
    pending: Vec<u8>,
    started: bool,
    /// The input has ended.
    ended: bool,
    /// The offset in `seen` of the first byte that is not UTF-8.
    bad: Option<usize>,
}

impl<R: std::io::Read> Recorder<R> {
    /// Reads into `pending` until it holds at least `n` bytes or the input ends.
    fn fill(&mut self, n: usize) -> std::io::Result<()> {
        let mut chunk = [0u8; 1 << 16];
        while self.pending.len() < n {
            let got = loop {
                match self.inner.read(&mut chunk) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    other => break other?,
                }
            };
            if got == 0 {
                self.ended = true;
                break;
            }
            self.pending
                .extend_from_slice(chunk.get(..got).unwrap_or(&[]));
        }
        Ok(())
    }
}

impl<R: std::io::Read> std::io::Read for Recorder<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.bad.is_some() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the snapshot is not UTF-8",
            ));
        }
        if !self.started {
            self.started = true;
            self.fill(BOM.len())?;
            if self.pending.starts_with(BOM) {
                self.pending.drain(..BOM.len());
            }
        }
        // At least 4 bytes, so a UTF-8 sequence cut by a read is whole.
        self.fill(4)?;
        if self.pending.is_empty() || buf.is_empty() {
            return Ok(0);
        }
        let take = self.pending.len().min(buf.len());
        let candidate = self.pending.get(..take).unwrap_or(&[]);
        let valid = match std::str::from_utf8(candidate) {
            Ok(_) => take,
            // A sequence cut by `take` or by the last read: hand out what precedes it (with
            // at least 4 bytes pending, something does).
            Err(e) if e.error_len().is_none() && (take < self.pending.len() || !self.ended) => {
                e.valid_up_to()
            }
            Err(e) if e.error_len().is_none() => {
                // The input ends inside a sequence.
                self.bad = Some(self.seen.len() + e.valid_up_to());
                e.valid_up_to()
            }
            Err(e) => {
                self.bad = Some(self.seen.len() + e.valid_up_to());
                e.valid_up_to()
            }
        };
        if valid == 0 {
            if self.bad.is_some() {
                return self.read(buf);
            }
            // A sequence longer than `buf`: cannot happen with BufReader's 64 KiB buffer;
            // hand out one byte and let the next read see the rest.
            return self.read_one(buf);
        }
        let out = self.pending.drain(..valid);
        for (slot, byte) in buf.iter_mut().zip(out) {
            *slot = byte;
        }
        if let Some(b) = buf.get(..valid) {
            self.seen.extend_from_slice(b);
        }
        Ok(valid)
    }
}

impl<R: std::io::Read> Recorder<R> {
    fn read_one(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match (buf.first_mut(), self.pending.first().copied()) {
            (Some(slot), Some(b)) => {
                *slot = b;
                self.pending.remove(0);
                self.seen.push(b);
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}
