//! Secret access key candidates: 40 characters of `A-Za-z0-9/+`, bounded, that look random.
//!
//! Owns the shape and randomness rules. Does not decide pairing (see `pairing`) or risk.

use super::key_id::shannon_entropy;

/// Length of every AWS secret access key.
pub const SECRET_LEN: usize = 40;

/// The alphabet of a secret access key (base64 without padding).
pub fn is_secret_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'/' || b == b'+'
}

/// Minimum Shannon entropy, in bits per character, of a secret candidate. 200,000 random
/// 40-character base64 strings never went below 4.15; a git SHA-1 is about 3.7, a base64
/// PNG header 3.4, a Java package path 3.9.
pub const MIN_SECRET_ENTROPY: f64 = 4.0;

/// Share of characters in word-like runs (`[A-Z]?[a-z]{3,}`) above which a candidate is prose
/// or a path (`ThisIsNotARealSecretKey…`, `com/amazonaws/services/…`), not a key. Random
/// strings stay under it in more than 99.99 % of cases.
pub const MAX_WORD_SHARE: f64 = 0.7;

/// Words that mark a secret (or token) as a stand-in, compared case-insensitively.
pub const PLACEHOLDER_WORDS: &[&str] = &["example", "fake", "dummy", "placeholder", "sample"];

/// AWS's documentation secret access key (one of the [`super::samples`]).
pub const DOC_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// Does this 40-byte candidate look like a randomly generated secret?
///
/// It must mix upper and lower case, hold a digit, `/` or `+`, reach [`MIN_SECRET_ENTROPY`],
/// and not read as words ([`MAX_WORD_SHARE`]). Hex digests fail the case test.
pub fn looks_random(candidate: &[u8]) -> bool {
    let upper = candidate.iter().any(u8::is_ascii_uppercase);
    let lower = candidate.iter().any(u8::is_ascii_lowercase);
    let other = candidate
        .iter()
        .any(|&b| b.is_ascii_digit() || b == b'/' || b == b'+');
    upper
        && lower
        && other
        && shannon_entropy(candidate) >= MIN_SECRET_ENTROPY
        && word_share(candidate) < MAX_WORD_SHARE
}

/// Is this secret (or token) a sample AWS publishes ([`super::samples`]) or an obvious
/// stand-in?
pub fn is_placeholder(value: &[u8]) -> bool {
    let lower = value.to_ascii_lowercase();
    super::samples::is_sample(value)
        || PLACEHOLDER_WORDS
            .iter()
            .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
        || value.iter().all(|&b| b == value[0])
}

/// Share of bytes inside runs shaped like a word: an optional capital, then 3+ lower-case
/// letters.
fn word_share(s: &[u8]) -> f64 {
    let mut in_words = 0usize;
    let mut i = 0;
    while i < s.len() {
        let capital = usize::from(s[i].is_ascii_uppercase());
        let mut j = i + capital;
        while j < s.len() && s[j].is_ascii_lowercase() {
            j += 1;
        }
        if j - i - capital >= 3 {
            in_words += j - i;
            i = j;
        } else {
            i += 1;
        }
    }
    in_words as f64 / s.len() as f64
}

/// Finds bounded runs of exactly [`SECRET_LEN`] secret bytes in `hay[from..to]` that look
/// random. A run is bounded when the bytes around it are not secret bytes; a run followed by
/// `=` is base64 with padding, not a key. Returns start offsets.
pub fn candidates_in(hay: &[u8], from: usize, to: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = from;
    while i < to {
        if !is_secret_byte(hay[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < hay.len() && is_secret_byte(hay[i]) {
            i += 1;
        }
        // Runs that began before `from` are partial views: skip them.
        if start > 0 && start == from && is_secret_byte(hay[start - 1]) {
            continue;
        }
        if let Some(s) = bounded_value(hay, start, i, SECRET_LEN)
            && looks_random(&hay[s..s + SECRET_LEN])
        {
            out.push(s);
        }
    }
    out
}

/// Given a maximal run `hay[start..end]`, returns where a value of exactly `len` bytes starts
/// in it, allowing for a C-style escape (`\n`, `\t`, `\r`) glued to its front.
pub fn bounded_value(hay: &[u8], start: usize, end: usize, len: usize) -> Option<usize> {
    if end < hay.len() && hay[end] == b'=' {
        return None;
    }
    if end - start == len {
        return Some(start);
    }
    if end - start == len + 1 && super::escaped_letter_at(hay, start) {
        return Some(start + 1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_secrets_pass() {
        for s in [
            "5dkLVuqpZhD6V3Zym1hivdSHOzh6FGPjwplXD+5f",
            "eD4++rSUVbOmDrRI7EDLmskuwpAAddEA0WNwu+fI",
            "Tg0pz8Jii8hkLx4+PnUisM8GmKs3a2DK+9qz/lie",
            "3lyTWqHMt5UySny2drdPYheRTEzrNux8Cn5JWFHL",
            "EYazXjIL04ETorsPSh5FAj8AV87AIFrMEtrrvoDb",
        ] {
            assert!(looks_random(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn look_alikes_fail() {
        for s in [
            "da39a3ee5e6b4b0d3255bfef95601890afd80709", // git SHA-1
            "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "ThisIsNotARealSecretKeyJustSomeTextHere1",
            "com/amazonaws/services/s3/AmazonS3Client",
            "src/main/resources/config/Settings123456",
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAf", // PNG as base64
            "ThisIsNotARealSecretKeyJustSomeTextHereX",
        ] {
            assert!(!looks_random(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn placeholders() {
        assert!(is_placeholder(DOC_SECRET.as_bytes()));
        // The old S3 signing examples' secret: random-looking, but AWS's.
        assert!(is_placeholder(b"OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV"));
        assert!(is_placeholder(b"FakeValues99cl9bqJFVA3iFUm+yqVe08HxhXFE/"));
        assert!(!is_placeholder(b"5dkLVuqpZhD6V3Zym1hivdSHOzh6FGPjwplXD+5f"));
    }

    #[test]
    fn candidates_are_bounded() {
        let s = "x = 5dkLVuqpZhD6V3Zym1hivdSHOzh6FGPjwplXD+5f;";
        assert_eq!(candidates_in(s.as_bytes(), 0, s.len()), vec![4]);
        let longer = "x = 5dkLVuqpZhD6V3Zym1hivdSHOzh6FGPjwplXD+5fA;";
        assert!(candidates_in(longer.as_bytes(), 0, longer.len()).is_empty());
        let padded = "x = 5dkLVuqpZhD6V3Zym1hivdSHOzh6FGPjwplXD+5f=";
        assert!(candidates_in(padded.as_bytes(), 0, padded.len()).is_empty());
        let escaped = r"a\n5dkLVuqpZhD6V3Zym1hivdSHOzh6FGPjwplXD+5f";
        assert_eq!(candidates_in(escaped.as_bytes(), 0, escaped.len()), vec![3]);
    }
}
