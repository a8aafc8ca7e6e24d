//! Hex text holding a key: `xxd -p` dumps, `bytes.hex()` output, `bytes.fromhex("41 4b …")`,
//! C/Java/Python byte lists `0x41, 0x4b, …`. (`\x41\x4b…` string escapes belong to `escape`.)
//!
//! A hex run is a list of items — two hex digits, optionally after `0x` — separated by
//! nothing or by up to [`MAX_SEP`] bytes of spaces, tabs, line breaks, commas and colons, so a
//! dump wrapped over lines or a byte array wrapped with indentation is one run.
//!
//! Found two ways, both without looking at every hex run in every file:
//! - [`key_literals`]: pieces of the hex of `AKIA`/`ASIA` (`4941`, `49 41`, `x4b,`, …) that
//!   the prefilter finds in the same pass as plain keys; [`run_around`] checks that the items
//!   around the hit read `AKIA`/`ASIA` and that a key ID's 20 characters follow, and only
//!   then decodes the run, at most [`WINDOW`] items each side of the prefix.
//! - [`runs_in`]: near a key ID or a secret keyword (the caller's pairing window), runs that
//!   decode to a secret's 40 characters: a secret written in hex beside its key.
//!
//! Hashes in hex are never decoded by the first way (no `AKIA` inside) and too short for the
//! second (a SHA-256 is 32 bytes).

use super::Run;

/// Key ID prefixes searched for in hex form: the credentials (identifiers are not).
const PREFIXES: &[&[u8; 4]] = &[b"AKIA", b"ASIA"];

/// Literals for the prefilter, each a piece of `AKIA`/`ASIA` in hex that survives a line
/// break of `xxd -p` anywhere in the prefix: `4941` (`IA`) unless the break falls between `I`
/// and `A`, then `49\n41`; `49 41` for space-separated bytes; `x4b,` / `x4B,` / `x53,` (`K`,
/// `S`) for byte lists. Not `0x41`: the prefilter's vectorised search filters on a literal's
/// first three bytes, and `0x4` starts countless hex constants in source code, each a
/// candidate to verify; `x4b,` is rare outside a byte list.
pub fn key_literals() -> Vec<String> {
    ["4941", "49\n41", "49 41", "x4b,", "x4B,", "x53,"]
        .map(String::from)
        .to_vec()
}

/// Separator bytes between items, and the most of them between two items.
pub const MAX_SEP: usize = 24;
/// Items decoded each side of a key prefix: more than the pairing window, so a secret beside
/// the key in the same dump is decoded too.
pub const WINDOW: usize = 4096;
/// Items a run must hold from the key prefix on: a whole key ID.
const KEY_ITEMS: usize = 20;
/// Items a run near a key must hold: a whole secret access key.
pub const SECRET_ITEMS: usize = 40;

fn is_sep(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',' | b':')
}

fn digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The item starting at `at` (`0x41` or `41`): its byte and its end.
fn item_at(hay: &[u8], at: usize) -> Option<(u8, usize)> {
    let digits = match hay.get(at..at + 2) {
        Some(b"0x" | b"0X") => at + 2,
        _ => at,
    };
    let &[hi, lo] = hay.get(digits..digits + 2)? else {
        return None;
    };
    Some((digit(hi)? << 4 | digit(lo)?, digits + 2))
}

/// The kind of separator `sep` is: `Some(false)` glued (`414b`), `Some(true)` spaced (`41 4b`,
/// `0x41, 0x4b`), `None` line breaks only, which go with either (a wrapped dump). A run keeps
/// one kind: hex-looking text glued to a spaced run (a secret written right before it) is not
/// part of it.
fn sep_kind(sep: &[u8]) -> Option<bool> {
    match sep {
        [] => Some(false),
        _ if sep.iter().all(|&b| matches!(b, b'\r' | b'\n')) => None,
        _ => Some(true),
    }
}

/// Does a separator of kind `kind` fit a run whose kind so far is `*run` (and record it)?
fn same_kind(run: &mut Option<bool>, kind: Option<bool>) -> bool {
    match (*run, kind) {
        (Some(a), Some(b)) => a == b,
        (None, k) => {
            *run = k;
            true
        }
        (_, None) => true,
    }
}

/// The item after the one ending at `end`: (its start, byte, end).
fn next_item(hay: &[u8], end: usize) -> Option<(usize, u8, usize)> {
    let sep = hay[end..]
        .iter()
        .take(MAX_SEP + 1)
        .take_while(|&&b| is_sep(b))
        .count();
    if sep > MAX_SEP {
        return None;
    }
    // Two hex digits glued to a longer hex word are not an item boundary we can trust.
    let (byte, item_end) = item_at(hay, end + sep)?;
    Some((end + sep, byte, item_end))
}

/// The item before the one starting at `start`, not before `lo`: (its start, byte).
fn prev_item(hay: &[u8], start: usize, lo: usize) -> Option<(usize, u8)> {
    let sep = hay[lo..start]
        .iter()
        .rev()
        .take(MAX_SEP + 1)
        .take_while(|&&b| is_sep(b))
        .count();
    if sep > MAX_SEP {
        return None;
    }
    let end = start - sep;
    let digits = end.checked_sub(2).filter(|&d| d >= lo)?;
    let (byte, _) = item_at(hay, digits)?;
    let prefixed = digits >= lo + 2 && matches!(&hay[digits - 2..digits], b"0x" | b"0X");
    Some((if prefixed { digits - 2 } else { digits }, byte))
}

/// Items from `start` on, at most `max`: (start, byte) each, and the end of the last.
fn items_from(hay: &[u8], start: usize, max: usize) -> (Vec<(usize, u8)>, usize) {
    let mut items = Vec::new();
    let Some((byte, mut end)) = item_at(hay, start) else {
        return (items, start);
    };
    items.push((start, byte));
    let mut kind = None;
    while items.len() < max {
        match next_item(hay, end) {
            Some((at, byte, item_end)) if same_kind(&mut kind, sep_kind(&hay[end..at])) => {
                items.push((at, byte));
                end = item_end;
            }
            _ => break,
        }
    }
    (items, end)
}

fn run_of(items: &[(usize, u8)], end: usize) -> Run {
    Run {
        start: items[0].0,
        end,
        decoded: items.iter().map(|&(_, b)| b).collect(),
        origins: items.iter().map(|&(at, _)| at).collect(),
    }
}

/// The hex run around a prefilter hit at `at` (the start of an item of the key prefix),
/// decoded when it holds `AKIA`/`ASIA` and a whole key ID after it; starts no earlier than
/// `lo` (the end of the run found before, so runs never overlap).
pub fn run_around(hay: &[u8], at: usize, lo: usize) -> Option<Run> {
    // A byte-list literal starts at the `x` of `0x4b`: the item starts at its `0`.
    let at = match hay.get(at) {
        Some(b'x') => at.checked_sub(1).filter(|&a| hay[a] == b'0')?,
        _ => at,
    };
    if at < lo {
        return None;
    }
    // The hit is the prefix's second (`0x4b`) or third (`4941`) item: look three back.
    let mut first = at;
    for _ in 0..3 {
        match prev_item(hay, first, lo) {
            Some((start, _)) => first = start,
            None => break,
        }
    }
    let (near, _) = items_from(hay, first, 7);
    let prefix = near.windows(4).position(|w| {
        PREFIXES
            .iter()
            .any(|p| w.iter().map(|&(_, b)| b).eq(p.iter().copied()))
    })?;
    let key_start = near[prefix].0;
    let (after, end) = items_from(hay, key_start, WINDOW);
    // A key ID's 20 bytes (upper-case letters and digits), not just its prefix.
    let key_shaped = |&(_, b): &(usize, u8)| b.is_ascii_uppercase() || b.is_ascii_digit();
    if after.len() < KEY_ITEMS || !after[..KEY_ITEMS].iter().all(key_shaped) {
        return None;
    }
    let mut before = Vec::new();
    let mut start = key_start;
    let mut kind = after
        .get(1)
        .and_then(|&(next, _)| sep_kind(&hay[item_at(hay, key_start)?.1..next]));
    while before.len() < WINDOW {
        match prev_item(hay, start, lo) {
            Some((s, b))
                if same_kind(
                    &mut kind,
                    sep_kind(&hay[item_at(hay, s).map_or(s, |i| i.1)..start]),
                ) =>
            {
                before.push((s, b));
                start = s;
            }
            _ => break,
        }
    }
    before.reverse();
    before.extend(after);
    Some(run_of(&before, end))
}

/// Hex runs starting in `hay[lo..hi]` (each at most [`WINDOW`] items) that decode to at least
/// [`SECRET_ITEMS`] secret characters in a row: where a secret beside a key may be written in
/// hex.
pub fn runs_in(hay: &[u8], lo: usize, hi: usize) -> Vec<Run> {
    runs_in_skipping(hay, lo, hi, |block, _| block)
}

/// [`runs_in`], told which blocks of its stretch search need no test: `next_block(b, to)`,
/// for a multiple `b` of `STEP`, is the first block at or after `b` not known to hold a
/// byte outside hex runs (the prefilter's pass tested them as it went), or `to` or more
/// when there is none before `to`.
pub fn runs_in_skipping(
    hay: &[u8],
    lo: usize,
    hi: usize,
    next_block: impl Fn(usize, usize) -> usize,
) -> Vec<Run> {
    let hi = hi.min(hay.len());
    let mut out = Vec::new();
    for (start, end) in stretches(hay, lo, hi, next_block) {
        runs_in_stretch(hay, start, hi.min(end), &mut out);
    }
    out
}

/// Bytes a hex run is made of: digits, the `x` of `0x`, separators. A table: [`stretches`]
/// asks it of every byte of each stretch it measures.
pub(crate) fn in_run(b: u8) -> bool {
    const TABLE: [bool; 256] = {
        let mut t = [false; 256];
        let mut b = 0;
        while b < 256 {
            t[b] = in_run_by_compares(b as u8);
            b += 1;
        }
        t
    };
    TABLE[usize::from(b)]
}

/// [`in_run`] by comparisons only, which the compiler turns into vector instructions over a
/// block of bytes ([`block_in_run`]); a table lookup per byte it cannot.
const fn in_run_by_compares(b: u8) -> bool {
    // `|`, not `||`: no branch per comparison.
    // `0`–`9` and `:` are one range, so one comparison fewer.
    let lower = b | 0x20;
    (b.wrapping_sub(b'0') <= b':' - b'0')
        | (lower.wrapping_sub(b'a') < 6)
        | (lower == b'x')
        | (b == b' ')
        | (b == b'\t')
        | (b == b'\r')
        | (b == b'\n')
        | (b == b',')
}

/// Whether all [`BLOCK`] bytes of `block` are [`in_run`] bytes: one test of a few vector
/// instructions (no early exit, so the loop vectorises).
fn block_in_run(block: &[u8; BLOCK]) -> bool {
    block
        .iter()
        .fold(true, |all, &b| all & in_run_by_compares(b))
}

/// The shortest run [`runs_in`] keeps, in bytes: [`SECRET_ITEMS`] items glued.
const MIN_RUN_BYTES: usize = 2 * SECRET_ITEMS;
/// Bytes tested at once for a stretch, and the step between tested blocks.
pub(crate) const BLOCK: usize = 16;
pub(crate) const STEP: usize = 64;
const _: () = assert!(STEP + BLOCK <= MIN_RUN_BYTES);

/// Stretches of [`in_run`] bytes, from `lo` on, that a run starting in `hay[lo..hi]` and
/// holding [`SECRET_ITEMS`] items may lie in: [`MIN_RUN_BYTES`] hex digits or more. Ordinary
/// text has none, and finding that out tests one block of [`BLOCK`] bytes in [`STEP`]: a
/// stretch of at least [`MIN_RUN_BYTES`] bytes starting at `s` holds the whole block starting
/// at the first multiple of [`STEP`] at or after `s` (`STEP - 1 + BLOCK <= MIN_RUN_BYTES`),
/// so only the stretches around blocks made of [`in_run`] bytes alone are measured. In text
/// (code, prose, keyword-dense lines) a block of 16 such bytes is rare; the test of one
/// sampled byte it replaces passed at one byte in three (spaces, `a`–`f`, digits).
/// (Two of the block's bytes looked up first, before the vector test, halve the
/// instructions, 35 M → 18 M on the 40 MB keyword-dense file, but took twice the time: the
/// lookups' branch goes either way.)
fn stretches(
    hay: &[u8],
    lo: usize,
    hi: usize,
    next_block: impl Fn(usize, usize) -> usize,
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    // A qualifying stretch starts before `hi`, so its block starts before `hi + STEP`.
    let last = (hi + STEP).min(hay.len().saturating_sub(BLOCK - 1));
    let mut block = lo.next_multiple_of(STEP);
    while block < last {
        block = next_block(block, last);
        if block >= last {
            break;
        }
        let bytes: &[u8; BLOCK] = hay[block..block + BLOCK].try_into().expect("BLOCK bytes");
        if !block_in_run(bytes) {
            block += STEP;
            continue;
        }
        let start = block
            - hay[lo..block]
                .iter()
                .rev()
                .take_while(|&&b| in_run(b))
                .count();
        let end = block + hay[block..].iter().take_while(|&&b| in_run(b)).count();
        let digits = hay[start..end]
            .iter()
            .filter(|&&b| digit(b).is_some())
            .count();
        if digits >= MIN_RUN_BYTES && start < hi {
            out.push((start, end));
        }
        // No block holding `end` (not an `in_run` byte) passes: the next one after it.
        block = (end + 1).next_multiple_of(STEP);
    }
    out
}

/// [`runs_in`] within one stretch: runs starting in `hay[lo..hi]`, appended to `out`.
fn runs_in_stretch(hay: &[u8], lo: usize, hi: usize, out: &mut Vec<Run>) {
    let mut at = lo;
    while at < hi {
        // Items start a run only at a word start: `…9f41…` inside a longer word has no grid.
        let word_start = at == 0 || digit(hay[at - 1]).is_none();
        if !word_start {
            at += 1;
            continue;
        }
        let (items, end) = items_from(hay, at, WINDOW);
        // Only runs that decode to a secret's 40 characters in a row: hex-looking text that
        // decodes to other bytes stays as written (an undecoded secret `AAAA…` must stay whole
        // for redaction).
        let secret_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+' | b'=');
        let longest = items
            .split(|&(_, b)| !secret_byte(b))
            .map(<[_]>::len)
            .max()
            .unwrap_or(0);
        if longest >= SECRET_ITEMS {
            out.push(run_of(&items, end));
        }
        at = end.max(at + 1);
    }
}

#[cfg(test)]
mod tests;
