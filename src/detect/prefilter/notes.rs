//! What the prefilter notes of a text besides its hits, for the decoders that look near the
//! hits afterwards: which of the gate bytes each chunk holds, and which 64-byte steps start
//! with a block of hex-run bytes.
//!
//! Owns the two byte classes (as nibble tables a vector loop looks up), the loop that notes
//! them chunk by chunk right after the bucket pass searched the chunk, and the record of what
//! was noted, up to where. It must not decide anything: a decoder asks it about bytes the
//! pass went over and reads the rest itself, so a run is found with or without notes.
//!
//! Why: in keyword-dense text the decoders' windows cover every byte, and their own gate
//! search and hex-block test read the whole text a second time once the search was done: from
//! memory when it is a large file. Noting each chunk while it is still in the cache costs
//! less than that second read (40 MB keyword-dense file: 30.0 → 23.6 ms, ripgrep 13.7;
//! instructions 216 M → 200 M).

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::{
    __m256i, _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_movemask_epi8, _mm256_or_si256,
    _mm256_set1_epi8, _mm256_setzero_si256, _mm256_shuffle_epi8, _mm256_srli_epi16,
    _mm256_storeu_si256,
};

use super::CHUNK;
#[cfg(target_arch = "x86_64")]
use super::buckets::{load, table};
use crate::detect::decode::hex;

/// Positions of a step each register holds.
#[cfg(target_arch = "x86_64")]
const LANES: usize = 32;

/// The bytes a decoder's runs need (see `near`): bit `i` of a gate set is `GATE_BYTES[i]`.
pub const GATE_BYTES: [u8; 4] = [0, b'%', b'\\', b'&'];

/// Bytes between two hex blocks the pass tests, and the block's length: the grid of
/// `decode::hex`'s stretch search, whose blocks start at multiples of the step.
pub(crate) use hex::{BLOCK as HEX_BLOCK, STEP as HEX_STEP};

/// Nibble tables of a byte class: `b` is in it when `lo[b & 15] & hi[b >> 4] != 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nibbles {
    pub lo: [u8; 16],
    pub hi: [u8; 16],
}

impl Nibbles {
    /// The gate bytes, each with a bit of its own (bit `i` for `GATE_BYTES[i]`): a lookup
    /// gives which of them a byte is.
    pub fn gates() -> Nibbles {
        let mut t = Nibbles {
            lo: [0; 16],
            hi: [0; 16],
        };
        for (i, &b) in GATE_BYTES.iter().enumerate() {
            t.lo[usize::from(b & 15)] |= 1 << i;
            t.hi[usize::from(b >> 4)] |= 1 << i;
        }
        t
    }

    /// The bytes of a hex run (`decode::hex::in_run`): the high nibbles with the same set
    /// of low nibbles in the class share a bit, so the tables hold the class exactly.
    pub fn hex_run() -> Nibbles {
        let mut t = Nibbles {
            lo: [0; 16],
            hi: [0; 16],
        };
        let mut sets: Vec<u16> = Vec::new();
        for h in 0..16u8 {
            let set = (0..16u8)
                .filter(|&l| hex::in_run(h << 4 | l))
                .fold(0u16, |s, l| s | 1 << l);
            if set == 0 {
                continue;
            }
            let bit = match sets.iter().position(|&s| s == set) {
                Some(i) => i,
                None => {
                    sets.push(set);
                    sets.len() - 1
                }
            };
            assert!(bit < 8, "the hex-run class fits eight bits");
            t.hi[usize::from(h)] |= 1 << bit;
            (0..16)
                .filter(|l| set & 1 << l != 0)
                .for_each(|l| t.lo[l] |= 1 << bit);
        }
        t
    }

    /// The class's bits for `b`: what the vector loop's lookups give.
    #[cfg(test)]
    pub fn of(&self, b: u8) -> u8 {
        self.lo[usize::from(b & 15)] & self.hi[usize::from(b >> 4)]
    }
}

/// The pass that notes a text's gate bytes and hex blocks, present only where the CPU runs
/// AVX2 (the bucket pass's machines).
#[derive(Debug, Clone)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub struct Noter {
    gates: Nibbles,
    hex_run: Nibbles,
}

impl Noter {
    /// The noter, when this CPU has AVX2 (checked once, here).
    pub fn new() -> Option<Noter> {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            return Some(Noter {
                gates: Nibbles::gates(),
                hex_run: Nibbles::hex_run(),
            });
        }
        None
    }

    /// Notes the gate bytes and hex blocks of one chunk of the prefilter, `from..to` (`from`
    /// a multiple of 64 [`HEX_STEP`]s), in `notes`, which holds the notes of the chunks
    /// before it: whole steps of [`HEX_STEP`] bytes, as far as they go. A pass of its own
    /// right after the chunk's search, which left the chunk in the cache: in the search's
    /// loop, the two classes' tables and values did not fit the 16 vector registers, and
    /// the spills cost more than this pass (40 MB keyword-dense file: 23 M instructions more
    /// in the search, 17 M here).
    pub fn note(&self, hay: &[u8], from: usize, to: usize, notes: &mut Notes) {
        if notes.noted != from {
            // Notes are one stretch from the text's start (every chunk but the last is
            // noted whole, so this is only a guard).
            return;
        }
        debug_assert!(from % (64 * HEX_STEP) == 0);
        // SAFETY: `new` built this noter only after the CPU said it runs AVX2.
        #[cfg(target_arch = "x86_64")]
        #[allow(unsafe_code)]
        unsafe {
            self.note_avx2(hay, from, to, notes)
        };
        #[cfg(not(target_arch = "x86_64"))]
        let _ = (hay, to);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn note_avx2(&self, hay: &[u8], from: usize, to: usize, notes: &mut Notes) {
        let gates = [table(&self.gates.lo), table(&self.gates.hi)];
        let hex_run = [table(&self.hex_run.lo), table(&self.hex_run.hi)];
        let mut gated = _mm256_setzero_si256();
        // The hex blocks of 64 steps, and the bit of this step's: `from` starts a word.
        let (mut word, mut bit) = (0u64, 1u64);
        let to = to.min(hay.len());
        let mut at = from;
        while at + HEX_STEP <= to {
            let step: &[u8; HEX_STEP] = hay[at..at + HEX_STEP].try_into().expect("in bounds");
            let (a, b) = (load(step, 0), load(step, LANES));
            let a_nibbles = nibbles(a);
            let b_nibbles = nibbles(b);
            gated = _mm256_or_si256(gated, class(&gates, a_nibbles));
            gated = _mm256_or_si256(gated, class(&gates, b_nibbles));
            // The step's first HEX_BLOCK bytes all in the class: their lanes all nonzero.
            let outside = _mm256_cmpeq_epi8(class(&hex_run, a_nibbles), _mm256_setzero_si256());
            let all_in = _mm256_movemask_epi8(outside) as u32 & ((1 << HEX_BLOCK) - 1) == 0;
            word |= bit & u64::from(all_in).wrapping_neg();
            bit = bit.rotate_left(1);
            if bit == 1 {
                notes.hex.push(std::mem::take(&mut word));
            }
            at += HEX_STEP;
        }
        if bit != 1 {
            notes.hex.push(word);
        }
        let mut lanes = [0u8; LANES];
        // SAFETY: `lanes` holds 32 writable bytes; the store takes any alignment.
        #[allow(unsafe_code)]
        unsafe {
            _mm256_storeu_si256(lanes.as_mut_ptr().cast(), gated)
        };
        notes.gates.push(lanes.iter().fold(0, |g, &b| g | b));
        notes.blocks = at / HEX_STEP;
        notes.noted = at;
    }
}

/// The low and high nibbles of each byte of `v`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn nibbles(v: __m256i) -> [__m256i; 2] {
    let nibble = _mm256_set1_epi8(0x0F);
    [
        _mm256_and_si256(v, nibble),
        _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble),
    ]
}

/// A byte class's bits for each byte whose nibbles are `[lo, hi]` (see [`Nibbles`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn class(tables: &[__m256i; 2], [lo, hi]: [__m256i; 2]) -> __m256i {
    _mm256_and_si256(
        _mm256_shuffle_epi8(tables[0], lo),
        _mm256_shuffle_epi8(tables[1], hi),
    )
}

/// What the pass noted of a text, from its start to [`Notes::noted`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes {
    /// Per chunk of the prefilter (`CHUNK` bytes from the text's start; the last one up to
    /// `noted`): the gate bytes it holds, a set of `GATE_BYTES` bits.
    pub(super) gates: Vec<u8>,
    /// Bit `k % 64` of word `k / 64`: the [`HEX_BLOCK`] bytes at `k * HEX_STEP` are all
    /// hex-run bytes. Blocks `0..blocks` are noted.
    pub(super) hex: Vec<u64>,
    pub(super) blocks: usize,
    /// Bytes noted: `0..noted`.
    pub(super) noted: usize,
}

impl Notes {
    /// The gate bytes `lo..hi` may hold as far as the notes reach, as `GATE_BYTES` bits:
    /// those of the noted chunks it overlaps (a superset: a chunk may hold them outside
    /// `lo..hi`); and where the notes end within `lo..hi` (`hi` when they reach it), from
    /// which on the caller reads the text itself.
    pub fn gates(&self, lo: usize, hi: usize) -> (u8, usize) {
        let end = hi.min(self.noted);
        let mut found = 0;
        if lo < end {
            for &g in &self.gates[lo / CHUNK..=(end - 1) / CHUNK] {
                found |= g;
            }
        }
        (found, lo.max(end))
    }

    /// The first multiple of [`HEX_STEP`] at or after `from` whose block is not noted to
    /// hold a byte outside hex runs: a noted block of hex-run bytes, or the first block the
    /// notes do not reach. Looks no further than `to`: returns `to` or more when there is none
    /// before.
    pub fn next_hex_block(&self, from: usize, to: usize) -> usize {
        let first = from.div_ceil(HEX_STEP);
        let end = self.blocks.min(to.div_ceil(HEX_STEP));
        let mut k = first;
        while k < end {
            let word = self.hex[k / 64] >> (k % 64);
            if word != 0 {
                return (k + word.trailing_zeros() as usize).min(self.blocks) * HEX_STEP;
            }
            k = (k / 64 + 1) * 64;
        }
        first.max(end) * HEX_STEP
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_hold_their_bytes_exactly() {
        let gates = Nibbles::gates();
        let hex_run = Nibbles::hex_run();
        for b in 0..=255u8 {
            let gate = GATE_BYTES.iter().position(|&g| g == b);
            assert_eq!(gates.of(b), gate.map_or(0, |i| 1 << i), "{b:#x}");
            assert_eq!(hex_run.of(b) != 0, hex::in_run(b), "{b:#x}");
        }
    }

    #[test]
    fn next_hex_block_skips_only_noted_blocks_without_a_hex_block() {
        // Blocks 0..130 noted; 3, 70 and 129 are hex blocks.
        let mut hex = vec![0u64; 3];
        for k in [3usize, 70, 129] {
            hex[k / 64] |= 1 << (k % 64);
        }
        let notes = Notes {
            gates: Vec::new(),
            hex,
            blocks: 130,
            noted: 130 * HEX_STEP,
        };
        let at = |k: usize| k * HEX_STEP;
        let next = |from| notes.next_hex_block(from, usize::MAX);
        assert_eq!(next(0), at(3));
        assert_eq!(next(at(3)), at(3));
        assert_eq!(next(at(3) + 1), at(70));
        assert_eq!(next(at(71)), at(129));
        assert_eq!(next(at(130)), at(130));
        assert_eq!(next(at(500) - 5), at(500));
        // No further than asked: `to` or the block at or after it.
        assert_eq!(notes.next_hex_block(at(4), at(60)), at(60));
        assert_eq!(notes.next_hex_block(at(4), at(60) - 3), at(60));
        assert_eq!(notes.next_hex_block(at(4), at(71)), at(70));
        // Nothing noted: every block is the next one.
        let none = Notes::default();
        assert_eq!(none.next_hex_block(0, 1000), 0);
        assert_eq!(none.next_hex_block(65, 1000), 128);
    }
}
