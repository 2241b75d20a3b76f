//! What changes if *Enforce Configuration Manager RBAC* is cleared, and which answers rest on a
//! policy knob: `cargo run -p tenant-attach --example what_if`.

use tenant_attach::{Engine, diff, sample, sensitivity};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::from_json(sample::CONTOSO)?;
    let mut cleared = engine.snapshot().clone();
    cleared.hierarchy.attach.enforce_configmgr_rbac = false;
    let what_if = Engine::new(cleared)?;
    let changes = diff(&engine, &what_if).changes();
    let knobs = sensitivity(&engine, None);
    #[expect(clippy::print_stdout, reason = "an example prints its answer")]
    {
        println!(
            "clearing the box: {} decisions gained, {} lost",
            changes.gained.len(),
            changes.lost.len()
        );
        for k in knobs.knobs.iter().filter(|k| k.matters()) {
            for a in &k.alternatives {
                println!(
                    "{} = {} ({}): +{} -{}",
                    k.knob, a.value, k.rule, a.gained, a.lost
                );
            }
        }
    }
    Ok(())
}
