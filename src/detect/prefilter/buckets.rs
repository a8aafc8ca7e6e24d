//! The prefilter's one pass on machines with AVX2: every position where a literal of either
//! search may start, found 64 bytes (two AVX2 registers) a step, then checked literal by literal.
//!
//! Owns the choice of buckets and the vector loop. It must not change a hit: the positions
//! it lets through are a superset of the literals' starts (by construction, below), and
//! each is checked against the literals in the searches' own order, so the hits are the two
//! leftmost-first searches' hits, merged (test `buckets_find_what_the_searches_find`).
//!
//! Why not the two Teddy searches: Teddy puts literals into 8 buckets by the low nibbles of
//! their first bytes and lets a position through when its first three or four bytes fit the
//! nibbles of some bucket. With unrelated literals sharing a bucket, ordinary words fit (on
//! 40 MB of keyword-dense text the two searches cost 16 ms each from memory, 5.6 in cache,
//! where the loop alone takes 4), and the text was read twice. Here the buckets group
//! literals that look alike (key prefixes `A??A`, keywords `se[cs][rus]`, ...), each
//! offset's accepted bytes are the low- and high-nibble sets of the bucket's bytes there,
//! which for these groups admit few other bytes, and both searches' literals share one
//! pass.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::{
    __m256i, _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8,
    _mm256_set1_epi8, _mm256_setzero_si256, _mm256_shuffle_epi8, _mm256_srli_epi16,
};

use super::Anchor;
#[cfg(target_arch = "x86_64")]
use crate::detect::prefetch;

/// Offsets of a position's bytes the buckets test: a literal's first four (or all of a
/// shorter one's; past its end a bucket accepts any byte).
const WIDTH: usize = 4;
/// Positions tested at once: one AVX2 register.
const LANES: usize = 32;
/// How far ahead of the block it tests the loop asks for the bytes to be brought into the
/// cache. A large file is mapped, and this pass is the first to read it: without the
/// hint each block waits for memory.
const AHEAD: usize = 1024;

/// Which bucket a literal goes into: literals that look alike share one, so that few
/// other byte strings fit the bucket's nibbles. Any choice keeps every hit; this one
/// decides how many ordinary positions get through to be checked.
fn bucket(literal: &[u8], anchor: Anchor) -> u8 {
    match anchor {
        // `AKIA`, `ASIA`, ...: `A` at 0 and 3.
        Anchor::KeyPrefix => 0,
        // `IQoJ`, `FwoG`, `FQoG`, `AQoD`.
        Anchor::TokenPrefix => 1,
        // `\u0`, `\x4`, `&#x`, ...
        Anchor::Escape => 2,
        // `secret`, `Session`, `SECURITY`: `se[cs][rus]` in either case.
        Anchor::SecretWord | Anchor::TokenWord(_) => 3,
        // `4941`, `49 41`, `x4b,`.
        Anchor::HexKey => 4,
        Anchor::Base64Key => match literal {
            // `FLSU`, `FTSU`, `FWTk`.
            [b'F', second, ..] if *second != b'V' => 6,
            // `BS0l`, `BU0l`.
            [b'B', ..] => 7,
            // `QUtJ`, `QVNJ`, `UVV0`, `FVdE`, `RVXR`, ...: `V` or `U` second.
            _ => 5,
        },
    }
}

/// The nibble tables of the bucket filter: for offset `j`, a byte `b` there fits bucket
/// `k` when bit `k` is set in both `lo[j][b & 15]` and `hi[j][b >> 4]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    lo: [[u8; 16]; WIDTH],
    hi: [[u8; 16]; WIDTH],
}

impl Tables {
    /// Tables that let through every position where one of `literals` starts.
    pub fn new<'a>(literals: impl IntoIterator<Item = (&'a [u8], Anchor)>) -> Tables {
        let mut t = Tables {
            lo: [[0; 16]; WIDTH],
            hi: [[0; 16]; WIDTH],
        };
        for (literal, anchor) in literals {
            let bit = 1 << bucket(literal, anchor);
            for j in 0..WIDTH {
                match literal.get(j) {
                    Some(&b) => {
                        t.lo[j][usize::from(b & 15)] |= bit;
                        t.hi[j][usize::from(b >> 4)] |= bit;
                    }
                    // Past a short literal's end: any byte.
                    None => {
                        t.lo[j].iter_mut().for_each(|e| *e |= bit);
                        t.hi[j].iter_mut().for_each(|e| *e |= bit);
                    }
                }
            }
        }
        t
    }

    /// Whether a literal may start at `at`: what the vector loop computes for one position,
    /// bytes past the end fitting anything.
    pub fn fits(&self, hay: &[u8], at: usize) -> bool {
        let mut buckets = 0xFF;
        for j in 0..WIDTH {
            if let Some(&b) = hay.get(at + j) {
                buckets &= self.class(j, b);
            }
        }
        buckets != 0
    }

    /// The buckets byte `b` fits at offset `j` of a position.
    pub fn class(&self, j: usize, b: u8) -> u8 {
        self.lo[j][usize::from(b & 15)] & self.hi[j][usize::from(b >> 4)]
    }
}

/// The vector filter, present only where the CPU runs AVX2; with AVX-512 VBMI too, its
/// whole blocks of 64 positions go through the wide loop (`wide`).
#[derive(Debug, Clone)]
pub struct Filter {
    tables: Tables,
    #[cfg(target_arch = "x86_64")]
    wide: Option<wide::Wide>,
}

impl Filter {
    /// The filter, when this CPU has AVX2 (checked once, here).
    pub fn new(tables: Tables) -> Option<Filter> {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            let wide = wide::Wide::new(&tables);
            return Some(Filter { tables, wide });
        }
        let _ = tables;
        None
    }

    /// This filter without its wide loop: the AVX2 loop takes every whole block (for the
    /// tests that compare the two).
    #[cfg(test)]
    pub fn narrow(self) -> Filter {
        Filter {
            #[cfg(target_arch = "x86_64")]
            wide: None,
            ..self
        }
    }

    /// Whether the wide (AVX-512) loop runs.
    #[cfg(test)]
    pub fn is_wide(&self) -> bool {
        #[cfg(target_arch = "x86_64")]
        return self.wide.is_some();
        #[cfg(not(target_arch = "x86_64"))]
        false
    }

    /// Calls `each` with every position in `from..to` where a literal may start, in order:
    /// whole blocks by the vector loops (the wide one first, where it runs), the rest one by
    /// one.
    pub fn candidates(&self, hay: &[u8], from: usize, to: usize, mut each: impl FnMut(usize)) {
        #[cfg(target_arch = "x86_64")]
        let from = match &self.wide {
            // SAFETY: `Wide::new` built it only after the CPU said it runs AVX-512 VBMI.
            #[allow(unsafe_code)]
            Some(wide) => unsafe { wide.run(hay, from, to, &mut each) },
            None => from,
        };
        // SAFETY: `new` built this filter only after the CPU said it runs AVX2.
        #[cfg(target_arch = "x86_64")]
        #[allow(unsafe_code)]
        let at = unsafe { self.avx2(hay, from, to, &mut each) };
        #[cfg(not(target_arch = "x86_64"))]
        let at = from;
        (at..to)
            .filter(|&at| self.tables.fits(hay, at))
            .for_each(each);
    }

    /// The vector loop over whole blocks of [`LANES`] positions in `from..to`; returns where
    /// it stopped (the first position it did not test).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn avx2(&self, hay: &[u8], from: usize, to: usize, each: &mut impl FnMut(usize)) -> usize {
        let lo: [__m256i; WIDTH] = std::array::from_fn(|j| table(&self.tables.lo[j]));
        let hi: [__m256i; WIDTH] = std::array::from_fn(|j| table(&self.tables.hi[j]));
        let mut at = from;
        // Two blocks a step: one hint per cache line, one test of both blocks' positions.
        while at + 2 * LANES <= to && at + 2 * LANES + WIDTH - 1 <= hay.len() {
            prefetch::line(hay, at + AHEAD);
            let pair: &[u8; 2 * LANES + WIDTH - 1] = hay[at..at + 2 * LANES + WIDTH - 1]
                .try_into()
                .expect("the loop's condition keeps both blocks in bounds");
            let first = fits32(
                &lo,
                &hi,
                pair[..LANES + WIDTH - 1].try_into().expect("fixed"),
            );
            let second = fits32(&lo, &hi, pair[LANES..].try_into().expect("fixed"));
            let mut mask = u64::from(first) | u64::from(second) << LANES;
            while mask != 0 {
                each(at + mask.trailing_zeros() as usize);
                mask &= mask - 1;
            }
            at += 2 * LANES;
        }
        while at + LANES <= to && at + LANES + WIDTH - 1 <= hay.len() {
            let block = hay[at..at + LANES + WIDTH - 1]
                .try_into()
                .expect("the loop's condition keeps the block in bounds");
            let mut mask = fits32(&lo, &hi, block);
            while mask != 0 {
                each(at + mask.trailing_zeros() as usize);
                mask &= mask - 1;
            }
            at += LANES;
        }
        at
    }
}

#[cfg(target_arch = "x86_64")]
mod wide;

/// Bit `i` set when position `i` of `block` fits some bucket (a block holds the
/// [`WIDTH`]` - 1` bytes after its last position too).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn fits32(lo: &[__m256i; WIDTH], hi: &[__m256i; WIDTH], block: &[u8; LANES + WIDTH - 1]) -> u32 {
    let mut fit = _mm256_set1_epi8(-1);
    for j in 0..WIDTH {
        let bits = class(&[lo[j], hi[j]], nibbles(load(block, j)));
        fit = _mm256_and_si256(fit, bits);
    }
    !(_mm256_movemask_epi8(_mm256_cmpeq_epi8(fit, _mm256_setzero_si256())) as u32)
}

/// The low and high nibbles of each byte of `v`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
pub(super) fn nibbles(v: __m256i) -> [__m256i; 2] {
    let nibble = _mm256_set1_epi8(0x0F);
    [
        _mm256_and_si256(v, nibble),
        _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble),
    ]
}

/// A byte class's bits for each byte whose nibbles are `[lo, hi]` (see `notes::Nibbles`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
pub(super) fn class(tables: &[__m256i; 2], [lo, hi]: [__m256i; 2]) -> __m256i {
    _mm256_and_si256(
        _mm256_shuffle_epi8(tables[0], lo),
        _mm256_shuffle_epi8(tables[1], hi),
    )
}

/// A nibble table in both halves of a register, as `_mm256_shuffle_epi8` looks it up.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
pub(super) fn table(t: &[u8; 16]) -> __m256i {
    let mut both = [0u8; 32];
    both[..16].copy_from_slice(t);
    both[16..].copy_from_slice(t);
    load(&both, 0)
}

/// The 32 bytes of `bytes` from `at`, which must be in bounds (checked).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
pub(super) fn load(bytes: &[u8], at: usize) -> __m256i {
    let block = &bytes[at..at + LANES];
    // SAFETY: `block` holds 32 readable bytes; the load takes any alignment.
    #[allow(unsafe_code)]
    unsafe {
        _mm256_loadu_si256(block.as_ptr().cast())
    }
}
