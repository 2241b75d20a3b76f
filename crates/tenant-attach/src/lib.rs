#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod access;
pub mod answers;
pub mod assert;
pub mod batch;
pub mod collections;
pub mod decision;
pub mod devices;
pub mod diff;
mod engine;
pub mod error;
pub mod features;
pub mod findings;
pub mod fix;
pub mod layout;
mod names;
mod parallel;
mod render;
pub mod report;
mod report_wire;
mod rule_ids;
pub mod rules;
pub mod sensitivity;
pub mod snapshot;
mod table;
pub mod text;
pub mod upload;
mod validate;

pub use access::{Offboard, UserIx};
pub use answers::{DeviceRef, UploadAnswer, UserRef, VisibleDevices, WhoUsers};
pub use collections::{CollectionGraph, CollectionIx, Dependent};
pub use decision::{
    Advisory, AdvisoryCode, Decision, Grant, GrantKind, Mode, NotEvaluated, Reason, ReasonCode,
    Side,
};
pub use devices::{DeviceIx, DeviceSet};
pub use diff::{Change, Diff, DiffEntry, diff};
pub use engine::Engine;
pub use error::{BuildError, Diagnostic, Diagnostics, IoError, LoadError, QueryError, Severity};
pub use features::{ClassOperation, Feature, Operation, SecuredClass};
pub use findings::{Finding, FindingSeverity, findings, knob_findings};
pub use fix::{ChangeSet, Fix, fix};
pub use render::Titled;
pub use report::Report;
pub use sensitivity::{Knob, Sensitivity, sensitivity};
pub use snapshot::Snapshot;
pub use upload::{NotUploaded, UploadScope};
pub use validate::{validate, validate_json};

/// Re-exported: `Decision::policy`, `Alternative::value` and `Snapshot::x` hold its `Value`.
pub use serde_json;

/// Built-in sample snapshots.
pub mod sample {
    /// Contoso: a small but realistic hierarchy (24 devices, 15 collections using all
    /// three edge kinds, servers and workstations, a few admins, roles and Intune
    /// assignments). `tenant-attach demo` runs on it; it is also a test fixture.
    pub const CONTOSO: &str = include_str!("../data/contoso.json");
}
