//! The UTF-16 reader (`detect::decode::utf16`): any bytes it takes for UTF-16.
//!
//! Properties: the view has one byte per code unit after the byte-order mark, in one byte
//! order throughout: the unit itself when ASCII, else `?`; each maps to its unit's offset; a
//! blob starting with a byte-order mark is always read as UTF-16.

use keyleak::detect::decode::{Encoding, utf16};

pub fn check(hay: &[u8]) {
    let bom = hay.starts_with(&[0xFF, 0xFE]) || hay.starts_with(&[0xFE, 0xFF]);
    let Some(view) = utf16::view(hay) else {
        assert!(!bom, "a byte-order mark, yet not read as UTF-16");
        return;
    };
    assert_eq!(view.encoding, Encoding::Utf16);
    assert!(view.is_transcoding() && (0..view.bytes.len()).all(|i| view.is_decoded(i)));
    let start = if bom { 2 } else { 0 };
    assert_eq!(
        view.bytes.len(),
        (hay.len() - start) / 2,
        "one byte per unit"
    );
    let reads_as = |order: fn([u8; 2]) -> u16| {
        view.bytes.iter().enumerate().all(|(i, &b)| {
            let at = view.to_original(i);
            assert_eq!(at, start + 2 * i, "unit {i}");
            let unit = order([hay[at], hay[at + 1]]);
            b == u8::try_from(unit).ok().filter(u8::is_ascii).unwrap_or(b'?')
        })
    };
    assert!(
        reads_as(u16::from_le_bytes) || reads_as(u16::from_be_bytes),
        "the view is not the units in one byte order"
    );
}
