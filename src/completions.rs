//! `keyleak completions SHELL` and `keyleak man`: a shell completion script and the man page,
//! generated from the clap definition in [`crate::cli`] (`clap_complete`, `clap_mangen`), so
//! they name exactly the options and values the binary accepts.
//!
//! Owns only the rendering; `lib.rs` picks the writer (standard output). Nothing is installed:
//! where a shell looks for completions is the user's or the packager's business (docs/install.md).

use std::io::{self, Write};

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// The name the scripts complete: the binary's.
const BIN: &str = "keyleak";

/// Writes `shell`'s completion script for `keyleak`.
pub fn completions(shell: Shell, out: &mut dyn Write) -> io::Result<()> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, BIN, out);
    out.flush()
}

/// Writes the man page, roff: `keyleak(1)`, then one page per subcommand (`keyleak-scan(1)`,
/// ...) in the same document, so `keyleak man > keyleak.1` documents every option.
pub fn man(out: &mut dyn Write) -> io::Result<()> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    // Builds the subcommands' display names (`keyleak-scan`) and usage (`keyleak scan`).
    cmd.build();
    let page = |c: &clap::Command| {
        clap_mangen::Man::new(c.clone()).source(format!("{BIN} {}", env!("CARGO_PKG_VERSION")))
    };
    page(&cmd).render(out)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        page(sub).render(out)?;
    }
    out.flush()
}
