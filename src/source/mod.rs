//! Sources: where bytes come from. Each yields [`Blob`]s — bytes plus the [`Origin`] they are
//! reported under — or [`Warning`](crate::error::Warning)s for items it cannot read.
//!
//! Sources know nothing about keys; the detector knows nothing about sources.

pub mod fs;
pub mod stdin;

/// Where a blob's bytes came from, as reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Display path: relative as given on the command line, `./` removed, `/` separators;
    /// `<stdin>` for standard input.
    pub path: String,
}

/// One unit of input: a file's content, standard input, (later) a git blob.
#[derive(Debug)]
pub struct Blob {
    pub origin: Origin,
    pub bytes: Vec<u8>,
}
