//! A finding's path as a SARIF `artifactLocation`: an RFC 3986 URI reference, so that a
//! consumer resolves it to the file it names. Owns the percent-encoding only; redacting
//! secret-shaped names happens before, in [`crate::printable::names`], and must stay there.
//!
//! Unreserved characters (`A-Z a-z 0-9 - . _ ~`), `/` and `!` are kept; every other byte of
//! the path's UTF-8, `%` included, becomes `%XX`. So `c#frag.env` is `c%23frag.env` (not `c`
//! with a fragment) and `50%41.env` is `50%2541.env` (not `50A.env`). A name that was not valid
//! UTF-8 reaches the reporters with U+FFFD in place of each bad byte (as every format prints
//! it), and that is what is encoded (`%EF%BF%BD`). `!` is a legal path character: an archive
//! member keeps its `archive!member` name, readable, as in every other format; it does not
//! name a file in the repository, so a consumer shows it without source.
//!
//! A relative path is relative to the scanned root, `uriBaseId: %SRCROOT%`. An absolute path
//! becomes a `file://` URI without a base id (SARIF allows a base id only on relative
//! references; `/tmp/x` resolved against the source root would name another file).

/// The base id of relative paths: the root the scan ran from.
pub const SRCROOT: &str = "%SRCROOT%";

/// `path` as `(uri, uriBaseId)`.
pub fn artifact_uri(path: &str) -> (String, Option<&'static str>) {
    let encoded = encode(path);
    if path.starts_with('/') {
        (format!("file://{encoded}"), None)
    } else {
        (encoded, Some(SRCROOT))
    }
}

fn keep(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/' | b'!')
}

fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_everything_but_unreserved_slash_and_bang() {
        let cases = [
            ("a b.env", "a%20b.env"),
            ("c#frag.env", "c%23frag.env"),
            ("q?x=1.env", "q%3Fx%3D1.env"),
            ("100%.env", "100%25.env"),
            ("50%41.env", "50%2541.env"),
            ("back\\slash.env", "back%5Cslash.env"),
            ("\u{FFFD}.env", "%EF%BF%BD.env"),
            ("é/ü.env", "%C3%A9/%C3%BC.env"),
            ("a:b.env", "a%3Ab.env"),
            ("dist/app.zip!conf/a.env", "dist/app.zip!conf/a.env"),
            ("x/y-z_1~.env", "x/y-z_1~.env"),
        ];
        for (path, uri) in cases {
            assert_eq!(
                artifact_uri(path),
                (uri.to_string(), Some(SRCROOT)),
                "{path}"
            );
        }
    }

    #[test]
    fn absolute_paths_are_file_uris_without_a_base() {
        assert_eq!(
            artifact_uri("/tmp/a b.env"),
            ("file:///tmp/a%20b.env".to_string(), None)
        );
    }
}
