//! One stage per export: each turns records into its part of the snapshot, reporting problems
//! and warnings, and can be tested alone.

pub(crate) mod attach;
pub(crate) mod cm_devices;
pub(crate) mod cm_rbac;
pub(crate) mod collections;
pub(crate) mod device_management;
pub(crate) mod directory;
pub(crate) mod discovery;
pub(crate) mod graph_devices;
pub(crate) mod graph_rbac;
pub(crate) mod scripts;
pub(crate) mod settings;
