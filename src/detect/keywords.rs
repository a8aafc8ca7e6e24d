//! Keyword shapes that announce a secret or a session token, and how to find the value that
//! follows one on the same line.
//!
//! The prefilter finds the anchor word (`secret`, `session`, `security` in lower, Title or
//! UPPER case); this module checks the words around it. Accepted spellings, separators `_`,
//! `-`, `.`, space or none, any case after the anchor:
//! - secret: `aws<sep>secret…`, `secret<sep>access<sep>key`, `secret<sep>key`
//!   (`aws_secret_access_key`, `SecretAccessKey`, `awsSecretKey`, `Secret Access Key`, ...);
//! - token: `session<sep>token`, `security<sep>token` (`aws_session_token`,
//!   `SessionToken`, `x-amz-security-token`, ...).

/// How far past the keyword (bytes, same line) the value may start.
pub const VALUE_REACH: usize = 96;

fn is_sep(b: u8) -> bool {
    matches!(b, b'_' | b'-' | b'.' | b' ')
}

/// If `word` (case-insensitive) starts at `at`, possibly after one separator, returns its end.
fn word_after(hay: &[u8], at: usize, word: &str) -> Option<usize> {
    let at = if hay.get(at).copied().is_some_and(is_sep) {
        at + 1
    } else {
        at
    };
    let end = at + word.len();
    (end <= hay.len() && hay[at..end].eq_ignore_ascii_case(word.as_bytes())).then_some(end)
}

/// If `word` (case-insensitive) ends at `at`, possibly before one separator.
fn word_before(hay: &[u8], at: usize, word: &str) -> bool {
    let at = if at > 0 && is_sep(hay[at - 1]) {
        at - 1
    } else {
        at
    };
    at >= word.len() && hay[at - word.len()..at].eq_ignore_ascii_case(word.as_bytes())
}

/// `anchor_at` is where `secret` starts; returns where the whole keyword ends.
pub fn secret_keyword_end(hay: &[u8], anchor_at: usize) -> Option<usize> {
    let after_secret = anchor_at + "secret".len();
    if let Some(access) = word_after(hay, after_secret, "access")
        && let Some(end) = word_after(hay, access, "key")
    {
        return Some(end);
    }
    if let Some(end) = word_after(hay, after_secret, "key") {
        return Some(end);
    }
    word_before(hay, anchor_at, "aws").then_some(after_secret)
}

/// `anchor_at` is where `session` or `security` starts (`len` its length); returns where the
/// keyword ends.
pub fn token_keyword_end(hay: &[u8], anchor_at: usize, len: usize) -> Option<usize> {
    word_after(hay, anchor_at + len, "token")
}

/// The first run of `is_value` bytes at least `min_run` long that starts within
/// [`VALUE_REACH`] bytes after `from`, on the keyword's line or the next one (an XML element
/// or a YAML key whose value sits on its own line). Returns the run's bounds.
pub fn value_after(
    hay: &[u8],
    from: usize,
    is_value: fn(u8) -> bool,
    min_run: usize,
) -> Option<(usize, usize)> {
    let limit = hay.len().min(from + VALUE_REACH);
    let mut i = from;
    let mut crossed_line = false;
    while i < limit {
        let b = hay[i];
        if b == b'\n' {
            if crossed_line {
                return None;
            }
            crossed_line = true;
        }
        if !is_value(b) {
            i += 1;
            continue;
        }
        let start = i;
        while i < hay.len() && is_value(hay[i]) {
            i += 1;
        }
        if i - start >= min_run {
            return Some((start, i));
        }
    }
    None
}

/// Words that announce an access key ID, compared lower-cased with the separators `_ - .`
/// and spaces removed: `aws_access_key_id`, `AccessKeyId`, `access-key`, `fs.s3a.access.key`,
/// `Access key ID`, `aws_key_id`, `awsKey`.
pub const ACCESS_KEY_WORDS: &[&str] = &["accesskey", "awskey"];

/// Whether an access-key keyword precedes the key ID at `key_at`, within [`VALUE_REACH`]
/// bytes on its line or the line before (an XML element, a YAML key or a Terraform output
/// whose value sits on the next line). `secret access key` does not count.
pub fn access_keyword_before(hay: &[u8], key_at: usize) -> bool {
    let from = super::lines::lines_back(hay, key_at, 1, VALUE_REACH);
    let squeezed: Vec<u8> = hay[from..key_at]
        .iter()
        .filter(|&&b| !is_sep(b))
        .map(u8::to_ascii_lowercase)
        .collect();
    ACCESS_KEY_WORDS.iter().any(|w| {
        memchr::memmem::find_iter(&squeezed, w.as_bytes())
            .any(|i| !squeezed[..i].ends_with(b"secret"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret_kw(s: &str) -> bool {
        let lower = s.to_ascii_lowercase();
        let at = lower.find("secret").unwrap();
        secret_keyword_end(s.as_bytes(), at).is_some()
    }

    #[test]
    fn secret_keywords() {
        for s in [
            "aws_secret_access_key",
            "AWS_SECRET_ACCESS_KEY",
            "SecretAccessKey",
            "secretAccessKey",
            "aws_secret",
            "awsSecretKey",
            "secretKey",
            "secret_key",
            "Secret Access Key",
            "secret key",
            "foo.backup.archive.aws.secretkey",
            "--aws-secret-access-key",
        ] {
            assert!(secret_kw(s), "{s}");
        }
        for s in [
            "client_secret",
            "secret",
            "secretary",
            "top secret plans",
            "secret_token",
        ] {
            assert!(!secret_kw(s), "{s}");
        }
    }

    #[test]
    fn token_keywords() {
        let check = |s: &str, anchor: &str| {
            let at = s.to_ascii_lowercase().find(anchor).unwrap();
            token_keyword_end(s.as_bytes(), at, anchor.len()).is_some()
        };
        assert!(check("aws_session_token", "session"));
        assert!(check("AWS_SESSION_TOKEN", "session"));
        assert!(check("SessionToken", "session"));
        assert!(check("x-amz-security-token", "security"));
        assert!(check("aws_security_token", "security"));
        assert!(!check("session_id", "session"));
        assert!(!check("security group", "security"));
    }

    #[test]
    fn access_keywords() {
        let key = "AKIAVRUVS7NIUJULA7YF";
        let check = |before: &str| {
            let text = format!("{before}{key}");
            access_keyword_before(text.as_bytes(), before.len())
        };
        for before in [
            "aws_access_key_id = ",
            "AWS_ACCESS_KEY_ID=",
            "\"accessKeyId\": \"",
            "<AccessKeyId>",
            "cloud.aws.credentials.access-key: ",
            "fs.s3a.access.key=",
            "Access key ID: ",
            "aws_key_id = ",
            "\"access_key_id\": {\n      \"value\": \"",
        ] {
            assert!(check(before), "{before:?}");
        }
        for before in [
            "id = ",
            "aws_secret_access_key = ",
            "aws_access_key_id = x\n\nid = ",
            "# mentions an access key, then goes on and on and on, for well over ninety-six bytes, before it finally reaches the value: ",
        ] {
            assert!(!check(before), "{before:?}");
        }
    }

    #[test]
    fn values_stay_on_the_line_or_the_next() {
        let is_secret = super::super::secret::is_secret_byte;
        let s = b"<key>\n  5dkLVuqpZhD6V3Zym1hivdSHOzh6FGPjwplXD+5f";
        assert_eq!(value_after(s, 4, is_secret, 30), Some((8, 48)));
        let s = b"key =\n\n 5dkLVuqpZhD6V3Zym1hivdSHOzh6FGPjwplXD+5f";
        assert_eq!(value_after(s, 3, is_secret, 30), None);
        let s = b"key: 'abc' 5dkLVuqpZhD6V3Zym1hivdSHOzh6FGPjwplXD+5f";
        assert_eq!(value_after(s, 3, is_secret, 30), Some((11, 51)));
    }
}
