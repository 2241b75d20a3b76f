//! The `tenant-attach` command line: flags → library → text or JSON.
//!
//! Exit codes (the contract): 0 the command ran (a deny is still 0); 1 `validate` found
//! errors; 2 bad input or usage, with a message on stderr and nothing on stdout.

mod access;
mod args;
mod batch;
mod commands;
mod graph;
mod output;
mod report;
mod sensitivity;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version on stdout (exit 0) and usage errors on stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let style = output::Style::detect(cli.format);
    match commands::run(&cli, &style) {
        Ok(done) => {
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(done.stdout.as_bytes())
                .and_then(|()| stdout.flush())
                .is_err()
            {
                // A closed pipe (`| head`) is not an error worth a message.
                return ExitCode::SUCCESS;
            }
            ExitCode::from(done.code)
        }
        Err(failure) => {
            let mut stderr = std::io::stderr().lock();
            for line in failure.lines() {
                let _ = writeln!(stderr, "{}", style.error_line(&line));
            }
            ExitCode::from(2)
        }
    }
}
