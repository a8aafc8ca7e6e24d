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
    _mm256_cmpeq_epi8, _mm256_movemask_epi8, _mm256_or_si256, _mm256_setzero_si256,
    _mm256_storeu_si256,
};

use super::CHUNK;
#[cfg(target_arch = "x86_64")]
use super::buckets::{class, load, nibbles, table};
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
    /// a multiple of [`CHUNK`]), in `notes`, which holds the notes of chunks before it:
    /// whole steps of [`HEX_STEP`] bytes, as far as they go. A pass of its own
    /// right after the chunk's search, which left the chunk in the cache: in the search's
    /// loop, the two classes' tables and values did not fit the 16 vector registers, and
    /// the spills cost more than this pass (40 MB keyword-dense file: 23 M instructions more
    /// in the search, 17 M here).
    pub fn note(&self, hay: &[u8], from: usize, to: usize, notes: &mut Notes) {
        debug_assert!(from.is_multiple_of(CHUNK) && notes.chunks.len() <= from / CHUNK);
        // Chunks before it that were not noted: nothing noted, no hex block.
        let chunk = from / CHUNK;
        notes.chunks.resize(chunk, Noted::default());
        notes.hex.resize(chunk * WORDS, 0);
        // The chunk's words at once, not grown word by word.
        notes
            .hex
            .reserve(to.saturating_sub(from).div_ceil(64 * HEX_STEP));
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
        let to = to.min(hay.len());
        let len = (to.saturating_sub(from)) / HEX_STEP * HEX_STEP;
        // A word's 64 steps in a loop of fixed length, whose bit is the step's index.
        for word_steps in hay[from..from + len].chunks(64 * HEX_STEP) {
            let mut word = 0u64;
            for (i, step) in word_steps.chunks_exact(HEX_STEP).enumerate() {
                let step: &[u8; HEX_STEP] = step.try_into().expect("a whole step");
                let a = nibbles(load(step, 0));
                let b = nibbles(load(step, LANES));
                gated = _mm256_or_si256(gated, class(&gates, a));
                gated = _mm256_or_si256(gated, class(&gates, b));
                // The step's first HEX_BLOCK bytes all in the class: their lanes all nonzero.
                let outside = _mm256_cmpeq_epi8(class(&hex_run, a), _mm256_setzero_si256());
                let all_in = _mm256_movemask_epi8(outside) as u32 & ((1 << HEX_BLOCK) - 1) == 0;
                word |= u64::from(all_in) << i;
            }
            notes.hex.push(word);
        }
        let mut lanes = [0u8; LANES];
        // SAFETY: `lanes` holds 32 writable bytes; the store takes any alignment.
        #[allow(unsafe_code)]
        unsafe {
            _mm256_storeu_si256(lanes.as_mut_ptr().cast(), gated)
        };
        notes.chunks.push(Noted {
            gates: lanes.iter().fold(0, |g, &b| g | b),
            len,
        });
    }
}

/// Hex words (64 steps each) per chunk.
const WORDS: usize = CHUNK / HEX_STEP / 64;
const _: () = assert!(CHUNK.is_multiple_of(64 * HEX_STEP));

/// What was noted of one chunk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Noted {
    /// The gate bytes it holds, as `GATE_BYTES` bits.
    pub gates: u8,
    /// Bytes noted from its start (whole steps; 0 when it was not noted).
    pub len: usize,
}

/// What the pass noted of a text: of some of its chunks, each from its start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes {
    /// Per chunk of the prefilter ([`CHUNK`] bytes from the text's start); chunks past the
    /// end were not noted.
    pub(super) chunks: Vec<Noted>,
    /// Bit `k % 64` of word `k / 64`: the [`HEX_BLOCK`] bytes at `k * HEX_STEP` are all
    /// hex-run bytes, for the noted blocks ([`WORDS`] words per chunk; 0 elsewhere).
    pub(super) hex: Vec<u64>,
}

impl Notes {
    /// Where the noted bytes of the chunk holding `at` end: the chunk's start when it was
    /// not noted.
    fn noted_to(&self, at: usize) -> usize {
        let chunk = at / CHUNK;
        chunk * CHUNK + self.chunks.get(chunk).map_or(0, |n| n.len)
    }

    /// The gate bytes `lo..hi` may hold as far as it was noted, as `GATE_BYTES` bits: those
    /// of the noted chunks it overlaps (a superset: a chunk may hold them outside `lo..hi`).
    /// Each stretch of `lo..hi` that was not noted goes to `unnoted`, to be read by the
    /// caller.
    pub fn gates(&self, lo: usize, hi: usize, mut unnoted: impl FnMut(usize, usize)) -> u8 {
        let mut found = 0;
        let mut at = lo;
        while at < hi {
            let chunk_end = ((at / CHUNK + 1) * CHUNK).min(hi);
            let noted_to = self.noted_to(at).min(chunk_end);
            if at < noted_to {
                found |= self.chunks[at / CHUNK].gates;
                at = noted_to;
            }
            if at < chunk_end {
                unnoted(at, chunk_end);
                at = chunk_end;
            }
        }
        found
    }

    /// The first multiple of [`HEX_STEP`] at or after `from` whose block is not noted to
    /// hold a byte outside hex runs: a noted block of hex-run bytes, or a block that was
    /// not noted. Looks no further than `to`: returns `to` or more when there is none
    /// before.
    pub fn next_hex_block(&self, from: usize, to: usize) -> usize {
        let mut k = from.div_ceil(HEX_STEP);
        loop {
            let at = k * HEX_STEP;
            let noted_to = self.noted_to(at);
            if at >= to || at >= noted_to {
                return at;
            }
            // Blocks `k..end` are noted and start before `to`.
            let end = noted_to.min(to).div_ceil(HEX_STEP);
            while k < end {
                let word = self.hex[k / 64] >> (k % 64);
                if word != 0 {
                    return (k + word.trailing_zeros() as usize).min(end) * HEX_STEP;
                }
                k = (k / 64 + 1) * 64;
            }
            k = end;
        }
    }
}

#[cfg(test)]
mod tests;
