//! The bucket pass on CPUs with AVX-512 VBMI: one byte lookup an offset, 64 positions a step.
//!
//! Owns only the vector loop and its table form. It must let through exactly the positions
//! [`Tables::fits`] lets through (test `the_wide_loop_computes_the_tables`); which positions
//! those are is the tables' business (`buckets`).
//!
//! Why: the AVX2 pass splits each byte into nibbles and looks each up in a 16-entry table,
//! two shuffles (and their `and`) for every offset of every 32 positions, and its 16 registers
//! cannot hold the eight tables and a block's bytes at once. `vpermi2b`
//! (`_mm512_permutex2var_epi8`) looks a byte's low seven bits up in a 128-entry table, so an
//! offset costs one lookup for 64 positions, and the 32 registers keep the tables. Bytes with
//! the top bit set get the value every such byte has in the tables: no literal holds one, so
//! only a short literal's "any byte" past its end lets them through, the same for all of them.
//! On this project's test machine (Sapphire Rapids class), over 256 KiB in cache: 15 GB/s
//! against 11 for the AVX2 loop; keyword-dense tree, user time 135 → 122 ms (round 13 of
//! docs/benchmarks.md). Kept in registers only because the masks are computed apart from the
//! candidates' handling (see `Wide::masks`): inlined with it, the loop was slower than AVX2's.

use std::arch::x86_64::{
    __m512i, _mm512_and_si512, _mm512_loadu_epi8, _mm512_mask_blend_epi8, _mm512_movepi8_mask,
    _mm512_permutex2var_epi8, _mm512_set1_epi8, _mm512_test_epi8_mask,
};

use super::{AHEAD, Tables, WIDTH};
use crate::detect::prefetch;

/// Positions tested at once: one AVX-512 register.
const LANES: usize = 64;
/// Blocks whose masks are computed before any of their candidates is handed on.
const BATCH: usize = 16;

/// The tables as 128-entry byte lookups, present only where the CPU runs AVX-512 VBMI.
#[derive(Debug, Clone)]
pub struct Wide {
    /// For offset `j`, the buckets each byte `b` below 128 fits: `ascii[j][b]`.
    ascii: [[u8; 128]; WIDTH],
    /// For offset `j`, the buckets every byte of 128 and above fits.
    high: [u8; WIDTH],
}

impl Wide {
    /// The wide loop for `tables`, when this CPU runs it (checked once, here) and the tables
    /// give every byte with the top bit set one value an offset (they do while no literal
    /// holds such a byte).
    pub fn new(tables: &Tables) -> Option<Wide> {
        let runs = std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512bw")
            && std::is_x86_feature_detected!("avx512vbmi");
        let high: [u8; WIDTH] = std::array::from_fn(|j| tables.class(j, 0x80));
        let uniform = (0x80..=0xFF).all(|b| (0..WIDTH).all(|j| tables.class(j, b) == high[j]));
        (runs && uniform).then(|| Wide {
            ascii: std::array::from_fn(|j| std::array::from_fn(|b| tables.class(j, b as u8))),
            high,
        })
    }

    /// Calls `each` with every position of the whole blocks of [`LANES`] positions in
    /// `from..to` where a literal may start, in order; returns where it stopped (the first
    /// position it did not test).
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub fn run(&self, hay: &[u8], from: usize, to: usize, each: &mut impl FnMut(usize)) -> usize {
        let mut at = from;
        let mut masks = [0u64; BATCH];
        loop {
            // A batch of blocks' masks, then their candidates (see `masks`).
            let blocks = (to.saturating_sub(at) / LANES)
                .min(hay.len().saturating_sub(at + WIDTH - 1) / LANES)
                .min(BATCH);
            if blocks == 0 {
                return at;
            }
            self.masks(hay, at, &mut masks[..blocks]);
            for (i, &mask) in masks[..blocks].iter().enumerate() {
                let mut mask = mask;
                while mask != 0 {
                    each(at + i * LANES + mask.trailing_zeros() as usize);
                    mask &= mask - 1;
                }
            }
            at += blocks * LANES;
            if blocks < BATCH {
                return at;
            }
        }
    }

    /// For each block of [`LANES`] positions from `at` on, one a mask, bit `i` of its mask
    /// set when the block's position `i` fits some bucket. `hay` must hold [`WIDTH`]` - 1`
    /// bytes after the last block (checked). Not inlined into `run`: there, the calls that
    /// handling a candidate makes (all vector registers are the caller's to save) had the
    /// tables reloaded from the stack for every block.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    #[inline(never)]
    fn masks(&self, hay: &[u8], at: usize, masks: &mut [u64]) {
        let [t0, t1, t2, t3]: [[__m512i; 2]; WIDTH] =
            std::array::from_fn(|j| [load(&self.ascii[j], 0), load(&self.ascii[j], 64)]);
        let [h0, h1, h2, h3]: [__m512i; WIDTH] =
            std::array::from_fn(|j| _mm512_set1_epi8(self.high[j] as i8));
        for (i, mask) in masks.iter_mut().enumerate() {
            let start = at + i * LANES;
            let block: &[u8; LANES + WIDTH - 1] = hay[start..start + LANES + WIDTH - 1]
                .try_into()
                .expect("the caller gives WIDTH - 1 bytes past the last block");
            prefetch::line(hay, start + AHEAD);
            let fit = _mm512_and_si512(
                _mm512_and_si512(class(t0, h0, load(block, 0)), class(t1, h1, load(block, 1))),
                class(t2, h2, load(block, 2)),
            );
            *mask = _mm512_test_epi8_mask(fit, class(t3, h3, load(block, 3)));
        }
    }
}

/// The buckets each byte of `v` fits at one offset: the 128-entry lookup of its low seven
/// bits, or `high` where its top bit is set.
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
#[inline]
fn class(table: [__m512i; 2], high: __m512i, v: __m512i) -> __m512i {
    let ascii = _mm512_permutex2var_epi8(table[0], v, table[1]);
    _mm512_mask_blend_epi8(_mm512_movepi8_mask(v), ascii, high)
}

/// The 64 bytes of `bytes` from `at`, which must be in bounds (checked).
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
#[inline]
fn load(bytes: &[u8], at: usize) -> __m512i {
    let block = &bytes[at..at + LANES];
    // SAFETY: `block` holds 64 readable bytes; the load takes any alignment.
    #[allow(unsafe_code)]
    unsafe {
        _mm512_loadu_epi8(block.as_ptr().cast())
    }
}
