//! The `tenant-attach` command line as a library, so the integration tests and the fuzz
//! targets reach the very renderers the binary uses (`src/main.rs` is a thin shell over
//! [`commands::run`]). Not a stable API: the command line is the contract.

pub mod access;
pub mod args;
pub mod assert;
pub mod batch;
pub mod commands;
pub mod drawn;
pub mod fix;
pub mod graph;
pub mod html;
pub mod import;
pub mod load;
pub mod outcome;
pub mod output;
pub mod questions;
pub mod render;
pub mod report;
pub mod sensitivity;
pub mod svg;
pub mod write;
