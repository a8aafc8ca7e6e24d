//! URL encoding (`%2F`, `%2B`, `%3D`) of the bytes a secret or session token holds that a
//! query string or form body must escape. Key IDs need no escaping, so only those three are
//! decoded, and only where the detector asks: near a key ID or a secret keyword.

use super::Run;

/// Each `%2F` / `%2B` / `%3D` (either hex case) in `hay[lo..hi]`, as one-byte runs.
pub fn runs_in(hay: &[u8], lo: usize, hi: usize) -> Vec<Run> {
    let hi = hi.min(hay.len());
    let mut out: Vec<Run> = Vec::new();
    if lo >= hi {
        return out;
    }
    for at in memchr::memchr_iter(b'%', &hay[lo..hi]).map(|i| lo + i) {
        let Some(&[hi_digit, lo_digit]) = hay.get(at + 1..at + 3) else {
            continue;
        };
        let byte = match (hi_digit, lo_digit.to_ascii_uppercase()) {
            (b'2', b'F') => b'/',
            (b'2', b'B') => b'+',
            (b'3', b'D') => b'=',
            _ => continue,
        };
        out.push(Run {
            start: at,
            end: at + 3,
            decoded: vec![byte],
            origins: vec![at],
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_three_secret_bytes() {
        let hay = b"sig=ab%2Fcd%2bef%3D%20%2";
        let runs = runs_in(hay, 0, hay.len());
        let decoded: Vec<u8> = runs.iter().map(|r| r.decoded[0]).collect();
        assert_eq!(decoded, b"/+=");
        assert_eq!(runs[0].start, 6);
        assert_eq!(runs[0].end, 9);
        assert!(runs_in(hay, 10, 4).is_empty());
    }
}
