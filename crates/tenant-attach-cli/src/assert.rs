//! `tenant-attach assert`: reads the assertions file, asks the library
//! (`tenant_attach::assert`), picks the form. Exit 0 when every assertion holds, 1 when some
//! fail, 2 on bad input (the file, a name the snapshot does not hold).

use std::path::Path;

use tenant_attach::assert::{self, Assertions};

use crate::args::{Cli, Format};
use crate::load::{load, load_path};
use crate::outcome::{Done, Failure, done};
use crate::output::{self, Style};

pub fn run(
    cli: &Cli,
    style: &Style,
    assertions: &Path,
    against: Option<&Path>,
) -> Result<Done, Failure> {
    let label = assertions.display().to_string();
    let text = std::fs::read_to_string(assertions)
        .map_err(|e| Failure::one(format!("error[usage]: cannot read `{label}`: {e}")))?;
    let file = Assertions::from_json(&text).map_err(|e| input(&label, &e))?;
    let (_, engine) = load(cli)?;
    let outcome = match against {
        Some(old) => assert::against(load_path(old)?, engine, &file),
        None => assert::assert(engine, &file),
    }
    .map_err(|e| input(&label, &e))?;
    let code = if outcome.all_hold() { 0 } else { 1 };
    Ok(match style.format {
        Format::Json => Done {
            stdout: String::new(),
            stream: Some(Box::new(move |w| output::write_json(w, &outcome))),
            code,
        },
        Format::Junit => done(outcome.junit(), code),
        Format::Text | Format::Dot | Format::Svg | Format::Html => done(outcome.to_string(), code),
    })
}

fn input(label: &str, e: &assert::AssertError) -> Failure {
    match e {
        assert::AssertError::Syntax { .. } => Failure::one(format!("error[input]: {label}:{e}")),
        _ => Failure::one(format!("error[input]: {label}: {e}")),
    }
}
