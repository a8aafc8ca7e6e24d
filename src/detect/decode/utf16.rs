//! UTF-16 text (PowerShell's `Out-File`, `reg export`, many Windows tools): recognised by its
//! byte-order mark, or without one by its zero bytes — in ASCII-range UTF-16 every other
//! byte is zero — and read as ASCII: each code unit below 0x80 becomes its byte, any other
//! becomes `?` (a key is ASCII; `?` separates values as any non-key character does). Line
//! breaks map one to one, so the view's lines are the file's lines.

use super::{Encoding, View};

/// How much of the start is sampled to recognise UTF-16 without a byte-order mark.
const SAMPLE: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    Little,
    Big,
}

/// The blob as ASCII text, if it is UTF-16.
pub fn view(hay: &[u8]) -> Option<View> {
    let (order, start) = detect(hay)?;
    let units = (hay.len() - start) / 2;
    let mut text = Vec::with_capacity(units);
    for pair in hay[start..start + units * 2].chunks_exact(2) {
        let unit = match order {
            Order::Little => u16::from_le_bytes([pair[0], pair[1]]),
            Order::Big => u16::from_be_bytes([pair[0], pair[1]]),
        };
        text.push(u8::try_from(unit).ok().filter(u8::is_ascii).unwrap_or(b'?'));
    }
    Some(View::strided(Encoding::Utf16, text, start, 2))
}

/// Byte order and where the text starts (after a byte-order mark).
fn detect(hay: &[u8]) -> Option<(Order, usize)> {
    match hay {
        [0xFF, 0xFE, ..] => return Some((Order::Little, 2)),
        [0xFE, 0xFF, ..] => return Some((Order::Big, 2)),
        _ => {}
    }
    let sample = &hay[..hay.len().min(SAMPLE) & !1];
    // Most files have no zero byte near the start: one memchr and done.
    if sample.len() < 16 || memchr::memchr(0, sample).is_none() {
        return None;
    }
    let units = sample.len() / 2;
    // Text: at least 60% of units have a zero high byte and almost none a zero low byte.
    // Binary files with zeros everywhere fail the second test.
    let mostly = |zeros: usize| zeros * 10 >= units * 6;
    let rarely = |zeros: usize| zeros * 20 <= units;
    let (even, odd) = zeros_by_parity(sample, units / 20);
    if mostly(odd) && rarely(even) {
        Some((Order::Little, 0))
    } else if mostly(even) && rarely(odd) {
        Some((Order::Big, 0))
    } else {
        None
    }
}

/// How many of `sample`'s even and odd bytes are zero, counted until both pass `enough`
/// (then the text test fails whatever follows; binary files get there within a few hundred
/// bytes). Eight bytes at a time: each zero byte becomes its top bit (exactly, no carries
/// between bytes), and the even and odd bytes' bits are summed in 16-bit lanes. Every
/// binary file is sampled here: a pair at a time cost 4% of a scan of a Python installation.
fn zeros_by_parity(sample: &[u8], enough: usize) -> (usize, usize) {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const EVEN: u64 = 0x0080_0080_0080_0080;
    // The four 16-bit lanes' sum, in the top lane (a lane holds at most 32 per block).
    let lanes = |acc: u64| (acc.wrapping_mul(0x0001_0001_0001_0001) >> 48) as usize;
    let (mut even, mut odd) = (0, 0);
    let mut blocks = sample.chunks_exact(256);
    for block in &mut blocks {
        let (mut e, mut o) = (0u64, 0u64);
        for word in block.chunks_exact(8) {
            let x = u64::from_le_bytes(word.try_into().expect("8 bytes"));
            let zero = !(((x & LOW7) + LOW7) | x | LOW7);
            e += (zero & EVEN) >> 7;
            o += (zero & (EVEN << 8)) >> 15;
        }
        even += lanes(e);
        odd += lanes(o);
        if even > enough && odd > enough {
            return (even, odd);
        }
    }
    for pair in blocks.remainder().chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    (even, odd)
}

/// Shortest stretch of UTF-16 text [`runs_in`] decodes: a key ID's length.
const MIN_UNITS: usize = 20;

/// Stretches of ASCII-range UTF-16 text (either byte order) inside other bytes, in
/// `hay[lo..hi]`: a .NET string or a registry value beside ASCII in a binary file, near a key
/// ID the detector found there. Each becomes one run of its ASCII bytes.
pub fn runs_in(hay: &[u8], lo: usize, hi: usize) -> Vec<super::Run> {
    let hi = hi.min(hay.len());
    let is_text = |b: u8| b.is_ascii_graphic() || b == b' ';
    let mut out: Vec<super::Run> = Vec::new();
    let mut at = lo;
    while at + 1 < hi {
        // A run starts at a zero byte or just before one: skip to the byte before the next
        // zero (ASCII text has none, and the windows may cover a keyword-dense file whole).
        if hay[at] != 0 && hay[at + 1] != 0 {
            match memchr::memchr(0, &hay[at + 2..hi]) {
                Some(z) => at += 1 + z,
                None => break,
            }
        }
        // Little-endian: text byte then zero; big-endian: zero then text byte. A zero byte
        // before little-endian text reads as big-endian from there: the same text.
        let text_at = match (hay[at], hay[at + 1]) {
            (b, 0) if is_text(b) => 0,
            (0, b) if is_text(b) => 1,
            _ => {
                at += 1;
                continue;
            }
        };
        let mut run = super::Run {
            start: at,
            end: at,
            decoded: Vec::new(),
            origins: Vec::new(),
        };
        while run.end + 1 < hi {
            let (unit, zero) = (hay[run.end + text_at], hay[run.end + 1 - text_at]);
            if zero != 0 || !is_text(unit) {
                break;
            }
            run.decoded.push(unit);
            run.origins.push(run.end + text_at);
            run.end += 2;
        }
        if run.decoded.len() >= MIN_UNITS {
            at = run.end;
            out.push(run);
        } else {
            at += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    fn be(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_be_bytes).collect()
    }

    const TEXT: &str = "$env:AWS_ACCESS_KEY_ID = 'AKIA...'\r\n# café ☕\r\n";

    #[test]
    fn with_and_without_bom() {
        let want = "$env:AWS_ACCESS_KEY_ID = 'AKIA...'\r\n# caf? ?\r\n";
        let mut bom_le = vec![0xFF, 0xFE];
        bom_le.extend(le(TEXT));
        let mut bom_be = vec![0xFE, 0xFF];
        bom_be.extend(be(TEXT));
        for (bytes, start) in [(bom_le, 2), (bom_be, 2), (le(TEXT), 0), (be(TEXT), 0)] {
            let view = view(&bytes).expect("UTF-16");
            assert_eq!(String::from_utf8_lossy(&view.bytes), want);
            assert_eq!(view.to_original(5), start + 10);
            assert!(view.is_transcoding());
        }
    }

    #[test]
    fn not_utf16() {
        assert!(view(TEXT.as_bytes()).is_none());
        // Binary: zeros at both parities.
        assert!(view(&[0u8; 64]).is_none());
        let mut bin = vec![0u8; 64];
        bin.iter_mut()
            .enumerate()
            .for_each(|(i, b)| *b = (i % 3) as u8);
        assert!(view(&bin).is_none());
        // Too short to tell without a byte-order mark.
        assert!(view(&le("AKIA")).is_none());
    }

    #[test]
    fn stretches_inside_binary() {
        let mut hay = b"MZ\x90\0key=AKIA\0\0".to_vec();
        let from = hay.len();
        hay.extend(le("secret=Zm9Hq2Lw8KxT3vRpY7cN"));
        hay.extend([0xff, 0x01]);
        hay.extend(le("short"));
        let runs = runs_in(&hay, 0, hay.len());
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].decoded, b"secret=Zm9Hq2Lw8KxT3vRpY7cN");
        assert_eq!(runs[0].origins[0], from);
        let be_text = be("aws_secret_access_key=x");
        assert_eq!(
            runs_in(&be_text, 0, be_text.len())[0].decoded,
            b"aws_secret_access_key=x"
        );
    }

    /// `runs_in` before it skipped to zero bytes: every position tried. (start, end) of each run.
    fn every_position(hay: &[u8], lo: usize, hi: usize) -> Vec<(usize, usize)> {
        let hi = hi.min(hay.len());
        let is_text = |b: u8| b.is_ascii_graphic() || b == b' ';
        let (mut out, mut at) = (Vec::new(), lo);
        while at + 1 < hi {
            let text_at = match (hay[at], hay[at + 1]) {
                (b, 0) if is_text(b) => 0,
                (0, b) if is_text(b) => 1,
                _ => {
                    at += 1;
                    continue;
                }
            };
            let mut end = at;
            while end + 1 < hi && hay[end + 1 - text_at] == 0 && is_text(hay[end + text_at]) {
                end += 2;
            }
            if (end - at) / 2 >= MIN_UNITS {
                out.push((at, end));
                at = end;
            } else {
                at += 1;
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn skipping_to_zeros_finds_the_same_runs(
            pieces in proptest::collection::vec((
                proptest::sample::select(vec![&b"A\0"[..], b"\0z", b" \0", b"\0", b"x", b"\x80\n"]),
                1usize..30,
            ), 0..12),
            lo in 0usize..60,
            cut in 0usize..60,
        ) {
            let hay: Vec<u8> = pieces.iter().flat_map(|(p, n)| p.repeat(*n)).collect();
            let hi = hay.len().saturating_sub(cut);
            let got: Vec<(usize, usize)> =
                runs_in(&hay, lo, hi).iter().map(|r| (r.start, r.end)).collect();
            proptest::prop_assert_eq!(got, every_position(&hay, lo, hi));
        }
    }

    proptest::proptest! {
        /// Exact counts with no early stop, and a stop only once both counts pass `enough`.
        #[test]
        fn zeros_counted_by_parity(
            hay in proptest::collection::vec(
                proptest::sample::select(vec![0u8, 1, 0x7f, 0x80, 0xff]), 0..1200),
            enough in 0usize..300,
        ) {
            let hay = &hay[..hay.len() & !1];
            let pairs = hay.chunks_exact(2);
            let even = pairs.clone().filter(|p| p[0] == 0).count();
            let odd = pairs.filter(|p| p[1] == 0).count();
            proptest::prop_assert_eq!(zeros_by_parity(hay, usize::MAX), (even, odd));
            let (e, o) = zeros_by_parity(hay, enough);
            let whole = (e, o) == (even, odd);
            proptest::prop_assert!(whole || (e > enough && o > enough && e <= even && o <= odd));
        }
    }

    #[test]
    fn odd_length_ignores_the_last_byte() {
        let mut bytes = le("aws_access_key_id = x\n");
        bytes.push(b'Z');
        assert_eq!(view(&bytes).unwrap().bytes, b"aws_access_key_id = x\n");
    }
}
