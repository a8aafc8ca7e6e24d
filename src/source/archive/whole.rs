//! Inflating a zip member whole, in one libdeflate call, when its headers give its size and
//! CRC-32: the fast path beside the streaming [`Inflate`](super::inflate). Owns that call and
//! when it is trusted; the stream stays the reference for everything else.
//!
//! It is trusted only when it gives what the stream would: the stream ends, having inflated
//! exactly the declared size, and the CRC-32 matches; the member then counts against the
//! budget and is scanned as `Expansion::member` would scan it. Any other outcome (damage, a
//! header that lies about the size, a wrong CRC-32, a member larger than the budget left)
//! returns nothing, and the member is read by the stream as before, with the same warnings
//! and partial content. libdeflate also says where the stream ended (the compressed bytes it
//! took), which the zip's blanking and its search for unlisted entries go by.
//!
//! Why: libdeflate inflates a whole buffer into a whole buffer faster than zlib-rs streams
//! it, with no state kept between calls: a zip of 9,208 members 543 -> 448 ms with `-j1`
//! (docs/benchmarks.md, round 11).

use std::cell::RefCell;
use std::ptr::NonNull;

use flate2::Crc;
use libdeflate_sys::{
    libdeflate_alloc_decompressor, libdeflate_decompressor, libdeflate_deflate_decompress_ex,
    libdeflate_free_decompressor, libdeflate_result_LIBDEFLATE_SUCCESS,
};

use super::Expansion;
use crate::source::{Blob, Origin};

impl Expansion<'_> {
    /// A deflated member's bytes inflated whole, and the compressed bytes its stream took:
    /// `None` when it must be read by the stream (see the module doc). `known` is the size
    /// and CRC-32 its headers record, the size already within `--max-filesize`.
    pub(super) fn inflate_whole(
        &self,
        method: u16,
        compressed: &[u8],
        known: Option<(u64, u32)>,
    ) -> Option<(Vec<u8>, usize)> {
        let (size, crc) = known.filter(|_| method == 8)?;
        #[cfg(test)]
        if tests::STREAM_ONLY.get() {
            return None;
        }
        if size > self.budget.left.get() {
            return None;
        }
        let (bytes, took) = inflate(compressed, usize::try_from(size).ok()?)?;
        let mut sum = Crc::new();
        sum.update(&bytes);
        (sum.sum() == crc).then_some((bytes, took))
    }

    /// Scans a member [`inflate_whole`](Self::inflate_whole) gave, as `member` scans one read
    /// to its end: its bytes count against the budget.
    pub(super) fn whole_member(&mut self, origin: Origin, bytes: Vec<u8>, depth: u32) {
        let left = self.budget.left.get();
        self.budget.left.set(left - bytes.len() as u64);
        let blob = Blob {
            origin,
            bytes: bytes.into(),
        };
        self.blob(blob, depth + 1);
    }
}

/// The raw deflate stream at the start of `input` inflated, and how many bytes of `input` it
/// took: `None` unless it ends after exactly `size` bytes.
pub(super) fn inflate(input: &[u8], size: usize) -> Option<(Vec<u8>, usize)> {
    DECOMPRESSOR.with_borrow_mut(|d| {
        let d = d.get_or_insert_with(Decompressor::new);
        d.inflate(input, size)
    })
}

thread_local! {
    /// libdeflate's tables (about 10 KiB), made once per thread.
    static DECOMPRESSOR: RefCell<Option<Decompressor>> = const { RefCell::new(None) };
}

/// An allocated `libdeflate_decompressor`, freed on drop.
struct Decompressor(NonNull<libdeflate_decompressor>);

impl Decompressor {
    #[allow(unsafe_code)]
    fn new() -> Decompressor {
        // SAFETY: allocates and initialises a decompressor owned by no one else; null only
        // when memory is exhausted.
        let raw = unsafe { libdeflate_alloc_decompressor() };
        Decompressor(NonNull::new(raw).expect("libdeflate: out of memory"))
    }

    #[allow(unsafe_code)]
    fn inflate(&mut self, input: &[u8], size: usize) -> Option<(Vec<u8>, usize)> {
        // Reserved, not touched: a header that lies (within --max-filesize) costs address
        // space, and its pages only as far as the stream really inflates.
        let mut out: Vec<u8> = Vec::with_capacity(size);
        let (mut took, mut wrote) = (0usize, 0usize);
        // SAFETY: libdeflate reads at most `input.len()` bytes of `input` and writes at most
        // `size` bytes into `out`'s spare capacity, which holds `size`; `self.0` is a live
        // decompressor used by this thread only (`&mut self`). On success it has written
        // `wrote` (<= `size`) bytes from the start of that capacity.
        let result = unsafe {
            libdeflate_deflate_decompress_ex(
                self.0.as_ptr(),
                input.as_ptr().cast(),
                input.len(),
                out.as_mut_ptr().cast(),
                size,
                &mut took,
                &mut wrote,
            )
        };
        if result != libdeflate_result_LIBDEFLATE_SUCCESS || wrote != size {
            return None;
        }
        // SAFETY: the first `wrote` bytes were written by libdeflate (above).
        unsafe { out.set_len(wrote) };
        Some((out, took))
    }
}

impl Drop for Decompressor {
    #[allow(unsafe_code)]
    fn drop(&mut self) {
        // SAFETY: allocated by `libdeflate_alloc_decompressor`, freed once.
        unsafe { libdeflate_free_decompressor(self.0.as_ptr()) }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::cell::Cell;

    thread_local! {
        /// Every member is streamed: the reference the whole path is held to.
        pub(in super::super) static STREAM_ONLY: Cell<bool> = const { Cell::new(false) };
    }
}
