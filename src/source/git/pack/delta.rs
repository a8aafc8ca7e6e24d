//! Git's delta format: a base object's bytes plus copy and insert instructions give the
//! object's bytes. Owns parsing and applying one delta; knows nothing of packs or caches.
//!
//! A delta is two sizes (base, result) as little-endian base-128 numbers, then instructions:
//! a byte with its high bit set copies from the base (bits 0–3 say which offset bytes follow,
//! bits 4–6 which size bytes; a size of 0 means 0x10000); a byte from 1 to 127 inserts that
//! many bytes that follow it; 0 is reserved. Anything malformed gives `None`, never a panic:
//! the caller then leaves the object to libgit2, which names what is wrong.

/// The size of the object `delta` builds, read from its header.
pub fn result_size(delta: &[u8]) -> Option<u64> {
    let (_, at) = varint(delta, 0)?;
    varint(delta, at).map(|(size, _)| size)
}

/// The object `delta` builds from `base`.
pub fn apply(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
    let (base_len, at) = varint(delta, 0)?;
    let (len, mut at) = varint(delta, at)?;
    if base_len != base.len() as u64 {
        return None;
    }
    let len = usize::try_from(len).ok()?;
    let mut out = Vec::new();
    out.try_reserve_exact(len).ok()?;
    while let Some(&op) = delta.get(at) {
        at += 1;
        if op & 0x80 != 0 {
            let mut offset = 0usize;
            for i in 0..4 {
                if op & (1 << i) != 0 {
                    offset |= usize::from(*delta.get(at)?) << (8 * i);
                    at += 1;
                }
            }
            let mut size = 0usize;
            for i in 0..3 {
                if op & (0x10 << i) != 0 {
                    size |= usize::from(*delta.get(at)?) << (8 * i);
                    at += 1;
                }
            }
            if size == 0 {
                size = 0x10000;
            }
            out.extend_from_slice(base.get(offset..offset.checked_add(size)?)?);
        } else if op != 0 {
            let end = at + usize::from(op);
            out.extend_from_slice(delta.get(at..end)?);
            at = end;
        } else {
            return None;
        }
        if out.len() > len {
            return None;
        }
    }
    (out.len() == len).then_some(out)
}

/// A little-endian base-128 number at `at`: its value and the offset after it.
fn varint(bytes: &[u8], mut at: usize) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(at)?;
        at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some((value, at));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `base`'s length, then `len`, each as one byte (both under 128 here).
    fn header(base: &[u8], len: u8) -> Vec<u8> {
        vec![u8::try_from(base.len()).unwrap(), len]
    }

    #[test]
    fn copies_and_inserts() {
        let base = b"hello, world";
        let mut delta = header(base, 17);
        // Copy 5 bytes from offset 7 ("world"), insert " again", copy 6 from offset 0.
        delta.extend([0x80 | 0x01 | 0x10, 7, 5]);
        delta.extend([6]);
        delta.extend(b" again");
        delta.extend([0x80 | 0x10, 6]);
        assert_eq!(result_size(&delta), Some(17));
        assert_eq!(
            apply(base, &delta).as_deref(),
            Some(&b"world againhello,"[..])
        );
    }

    #[test]
    fn a_copy_of_size_zero_is_64_kib() {
        let base = vec![7u8; 0x10000];
        let mut delta = vec![0x80, 0x80, 0x04, 0x80, 0x80, 0x04];
        delta.push(0x80);
        assert_eq!(apply(&base, &delta), Some(base.clone()));
    }

    #[test]
    fn malformed_deltas_are_refused() {
        let base = b"abcdef";
        // Wrong base size.
        assert_eq!(apply(base, &[5, 1, 1, b'x']), None);
        // The reserved instruction 0.
        assert_eq!(apply(base, &[6, 1, 0]), None);
        // A copy past the base's end.
        assert_eq!(apply(base, &[6, 4, 0x80 | 0x01 | 0x10, 4, 4]), None);
        // An insert past the delta's end.
        assert_eq!(apply(base, &[6, 4, 4, b'x']), None);
        // More bytes than the header said, and fewer.
        assert_eq!(apply(base, &[6, 1, 2, b'x', b'y']), None);
        assert_eq!(apply(base, &[6, 3, 2, b'x', b'y']), None);
        // A truncated header.
        assert_eq!(result_size(&[0x86]), None);
        assert_eq!(apply(base, &[]), None);
    }
}
