//! The `keyleak` binary: parse arguments, run, map the outcome to an exit code.
//!
//! Exit codes: 0 nothing at or above `--fail-on`, 1 findings, 2 error. Nothing else
//! happens here; the pipeline lives in the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = keyleak::cli::Cli::parse();
    match keyleak::run(cli) {
        Ok(status) => ExitCode::from(status.code()),
        Err(err) => {
            // Errors quote paths, revisions and other crates' messages: printed through
            // `printable`, never raw.
            let text = |e: &dyn std::fmt::Display| keyleak::printable::text(&e.to_string());
            eprintln!("keyleak: error: {}", text(&err));
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                eprintln!("  caused by: {}", text(cause));
                source = cause.source();
            }
            ExitCode::from(2)
        }
    }
}
