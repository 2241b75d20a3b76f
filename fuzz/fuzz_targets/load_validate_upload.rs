//! Arbitrary bytes → load + validate + upload: no panic, no hang.
#![no_main]

#[path = "../../tests/suite/fuzz_bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::load_validate_upload(data));
