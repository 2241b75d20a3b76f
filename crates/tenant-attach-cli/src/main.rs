//! The `tenant-attach` command line: flags → library → text or JSON.
//!
//! Exit codes (the contract): 0 the command ran (a deny is still 0); 1 `validate` found
//! errors; 2 bad input or usage, with a message on stderr and nothing on stdout; 3 the result
//! could not be written (standard output or the `-o` file: a full disk, a closed device), with
//! a message on stderr; an existing `-o` file is then left as it was. A closed pipe on
//! standard output (`| head`) is not an error: exit as if everything was read.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use tenant_attach_cli::args::{self, Command, Format};
use tenant_attach_cli::{batch, commands, output, render};

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
            // Text for people passes the terminal-safety net; JSON and snapshots are data.
            let text = match (cli.format, &cli.command) {
                (_, Command::Generate { .. } | Command::Import { .. })
                | (Format::Json | Format::Svg | Format::Html | Format::Junit, _) => done.stdout,
                (Format::Text | Format::Dot, _) => render::finish(done.stdout, style.colour()),
            };
            let stdout = std::io::stdout().lock();
            let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout);
            let written = out.write_all(text.as_bytes()).and_then(|()| {
                // JSON documents are serialized as they are walked, straight into the buffer.
                match done.stream {
                    Some(stream) => stream(&mut out),
                    None => Ok(()),
                }
            });
            match written.and_then(|()| out.flush()) {
                Ok(()) => ExitCode::from(done.code),
                // A closed pipe (`| head`) is not an error worth a message.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                // `batch` could not read its questions: bad input, not a failed write.
                Err(ref e)
                    if let Some(read) = e
                        .get_ref()
                        .and_then(|inner| inner.downcast_ref::<batch::ReadFailure>()) =>
                {
                    let _ = writeln!(
                        std::io::stderr().lock(),
                        "{}",
                        style.error_line(&format!("error[input]: {read}"))
                    );
                    ExitCode::from(2)
                }
                Err(e) => {
                    let _ = writeln!(
                        std::io::stderr().lock(),
                        "{}",
                        style.error_line(&format!(
                            "error[write]: cannot write to standard output: {e}"
                        ))
                    );
                    ExitCode::from(commands::WRITE_FAILED)
                }
            }
        }
        Err(failure) => {
            let code = failure.code();
            let mut stderr = std::io::stderr().lock();
            for line in failure.lines() {
                let _ = writeln!(stderr, "{}", style.error_line(&line));
            }
            ExitCode::from(code)
        }
    }
}
