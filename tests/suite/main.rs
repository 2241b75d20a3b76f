//! The integration suite: one test binary (ripgrep's shape) holding the reference evaluator,
//! the world generator, the rule tests, the property tests, the differential tests, the data
//! corpus and the fuzz regressions.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a panic is how a test reports a failure"
)]

mod assert;
mod assert_errors;
mod assert_props;
mod bundle;
mod corpus;
mod differential;
mod fix;
mod fuzz_bodies;
mod fuzz_replay;
mod import;
mod import_corpus;
mod import_trust;
mod json_forms;
mod layering;
mod mutants;
mod props;
mod reference;
mod reliability;
mod rulebook3;
mod rulebook3_readings;
mod rules;
mod schema;
mod standalone;
mod synth;
mod tidy;
mod trust;
mod whatif;
mod world;

/// Builds an engine from a snapshot, failing the test with the diagnostics if refused.
pub fn engine(s: &tenant_attach::Snapshot) -> tenant_attach::Engine {
    match tenant_attach::Engine::new(s.clone()) {
        Ok(e) => e,
        Err(e) => panic!("snapshot refused: {e}\n{}", s.to_json()),
    }
}
