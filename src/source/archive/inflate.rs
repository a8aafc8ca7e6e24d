//! Readers over an archive's bytes: a raw deflate stream inflated as it is read ([`Inflate`],
//! which knows where the stream ended and whether it was cut short), and a CRC-32 check at
//! the end of a member ([`Checked`]). They read and fail; the formats decide what to say.

use std::io::{self, Read};

use flate2::{Crc, Decompress, FlushDecompress, Status};

/// A raw deflate stream at the start of `input`, inflated as it is read. It ends at the
/// stream's final block, whatever follows; input that runs out first is an error, after the
/// bytes inflated so far have been read.
pub(super) struct Inflate<'a> {
    input: &'a [u8],
    state: Decompress,
    /// The final block was inflated.
    done: bool,
    /// The error met, returned again by every later read.
    failed: Option<(io::ErrorKind, String)>,
}

impl<'a> Inflate<'a> {
    pub(super) fn new(input: &'a [u8]) -> Inflate<'a> {
        Inflate {
            input,
            state: Decompress::new(false),
            done: false,
            failed: None,
        }
    }

    /// Compressed bytes consumed so far: the stream's length once it has ended.
    pub(super) fn consumed(&self) -> usize {
        self.state.total_in() as usize
    }

    fn fail(&mut self, kind: io::ErrorKind, message: &str) -> io::Error {
        self.failed = Some((kind, message.to_string()));
        io::Error::new(kind, message)
    }
}

impl Read for Inflate<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some((kind, message)) = &self.failed {
            return Err(io::Error::new(*kind, message.clone()));
        }
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        loop {
            let (before_in, before_out) = (self.state.total_in(), self.state.total_out());
            let status = self
                .state
                .decompress(self.input, buf, FlushDecompress::None);
            let consumed = (self.state.total_in() - before_in) as usize;
            let produced = (self.state.total_out() - before_out) as usize;
            self.input = &self.input[consumed..];
            match status {
                Err(_) => {
                    let e = self.fail(io::ErrorKind::InvalidData, "corrupt deflate stream");
                    return if produced > 0 { Ok(produced) } else { Err(e) };
                }
                Ok(Status::StreamEnd) => {
                    self.done = true;
                    return Ok(produced);
                }
                Ok(_) if produced > 0 => return Ok(produced),
                Ok(_) if self.input.is_empty() => {
                    let message = "the deflate stream is cut short";
                    return Err(self.fail(io::ErrorKind::UnexpectedEof, message));
                }
                Ok(_) if consumed == 0 => {
                    return Err(self.fail(io::ErrorKind::InvalidData, "corrupt deflate stream"));
                }
                Ok(_) => {}
            }
        }
    }
}

/// A member's bytes, checked against the CRC-32 its header records once they end.
pub(super) struct Checked<R> {
    pub(super) inner: R,
    pub(super) want: u32,
    pub(super) crc: Crc,
}

impl<R: Read> Checked<R> {
    pub(super) fn new(inner: R, want: u32) -> Checked<R> {
        Checked {
            inner,
            want,
            crc: Crc::new(),
        }
    }
}

impl<R: Read> Read for Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.crc.update(&buf[..n]);
        if n == 0 && !buf.is_empty() && self.crc.sum() != self.want {
            return Err(io::Error::other("its CRC-32 does not match its header"));
        }
        Ok(n)
    }
}
