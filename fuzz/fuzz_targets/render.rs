//! (sizes, selectors, arbitrary names) → every text renderer of the command line: no panic,
//! nothing hostile printed raw, escaping lossless.
#![no_main]

#[path = "../../crates/tenant-attach-cli/tests/support/fuzz_render.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::render_names(data));
