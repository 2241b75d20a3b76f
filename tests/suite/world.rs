//! Random valid worlds for property tests: the strategies live in the published
//! `tenant-attach-testkit` crate (so adopters' property tests draw the same worlds); this module
//! re-exports them under the names the suite uses.

pub use tenant_attach_testkit::*;
