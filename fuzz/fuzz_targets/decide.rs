//! (user, device, feature selectors, snapshot bytes) → one decision: no panic, and every
//! query agrees with it.
#![no_main]

#[path = "../../tests/suite/fuzz_bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::decide(data));
