//! (export selector, file bytes) → the importer's per-file parsers: no panic.
#![no_main]

#[path = "../../tests/suite/fuzz_bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::import_file(data));
