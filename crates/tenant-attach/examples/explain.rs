//! Load a snapshot (a file given as the first argument, or the built-in sample), and explain
//! one decision for every feature: `cargo run -p tenant-attach --example explain -- FILE USER DEVICE`.

use tenant_attach::{Engine, Feature, sample};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let text = match args.first() {
        Some(path) => std::fs::read_to_string(path)?,
        None => sample::CONTOSO.to_owned(),
    };
    let engine = Engine::from_json(&text)?;
    let user = engine.find_user(args.get(1).map_or("carol@contoso.com", String::as_str))?;
    let device = engine.find_device(args.get(2).map_or("CON-SRV-SQL01", String::as_str))?;
    for feature in Feature::ALL {
        let decision = engine.check(user, device, *feature);
        #[expect(clippy::print_stdout, reason = "an example prints its answer")]
        {
            println!("{decision}");
        }
    }
    Ok(())
}
