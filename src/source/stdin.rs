//! Standard input as one blob named `<stdin>`.
//!
//! Owns the `--max-filesize` bound for a stream: at most that many bytes are kept (one more is
//! read to tell whether there was more). A longer stream has its first `--max-filesize` bytes
//! scanned, with a warning, rather than being skipped: a secret scanner that reads some of a
//! pipe is better than one that reads none of it. The rest is never read, so
//! `yes | keyleak scan -` ends, and memory stays bounded by `--max-filesize`.

use super::{Blob, Origin, read_capped};
use crate::error::{Error, Warning};

pub const STDIN_NAME: &str = "<stdin>";

/// Reads standard input up to `max` bytes, with a warning when there was more.
pub fn read(max: u64) -> Result<(Blob, Option<Warning>), Error> {
    let (bytes, cut) = read_capped(std::io::stdin().lock(), max).map_err(Error::Stdin)?;
    let warning = cut.then(|| {
        Warning::new(
            STDIN_NAME,
            format!("over --max-filesize ({max} bytes): scanned the first {max} bytes only"),
        )
    });
    let blob = Blob {
        origin: Origin::file(STDIN_NAME),
        bytes: bytes.into(),
    };
    Ok((blob, warning))
}

#[cfg(test)]
mod tests {
    use crate::source::read_capped;

    #[test]
    fn an_endless_stream_is_cut_at_the_cap() {
        let (bytes, cut) = read_capped(std::io::repeat(b'y'), 1000).unwrap();
        assert_eq!((bytes.len(), cut), (1000, true));
    }

    #[test]
    fn a_stream_up_to_the_cap_is_whole() {
        for (len, max) in [(0, 0), (0, 10), (10, 10), (9, 10)] {
            let input = vec![b'x'; len];
            assert_eq!(
                read_capped(&input[..], max).unwrap(),
                (input.clone(), false)
            );
        }
        assert_eq!(read_capped(&b"xy"[..], 1).unwrap(), (b"x".to_vec(), true));
    }
}
