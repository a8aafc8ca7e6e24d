//! Standard input as one blob named `<stdin>`.

use std::io::Read;

use super::{Blob, Origin};
use crate::error::Error;

pub const STDIN_NAME: &str = "<stdin>";

pub fn read() -> Result<Blob, Error> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .map_err(Error::Stdin)?;
    Ok(Blob {
        origin: Origin::file(STDIN_NAME),
        bytes,
    })
}
