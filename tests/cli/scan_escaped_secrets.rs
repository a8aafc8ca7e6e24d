//! A secret with one escaped character — as serialisers write `/` and `+` — pairs with its
//! key ID like a plain one, and no output shows it (issue 16, D1). PHP's `json_encode` writes
//! `\/`, .NET's System.Text.Json `\u002B`, HTML encoders `&#43;` / `&#x2F;` / `&sol;`, form
//! bodies `%2F`. A UTF-16 secret beside an ASCII key ID in a binary pairs too.

use crate::common::{Want, assert_findings, scan_in};

const KEY: &str = "AKIAUJZDEGXDNCF32EPF";
/// `+` at 20, `/` at 35.
const SECRET: &str = "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";

/// Each way of writing [`SECRET`], and the encoding the finding reports.
fn forms() -> Vec<(&'static str, String, &'static str)> {
    let esc = |plus: &str, slash: &str| SECRET.replace('+', plus).replace('/', slash);
    vec![
        ("json-slash", esc("+", r"\/"), "escaped"),
        ("dotnet", esc(r"\u002B", r"\u002F"), "escaped"),
        ("html-decimal-hex", esc("&#43;", "&#x2F;"), "escaped"),
        ("html-named", esc("&plus;", "&sol;"), "escaped"),
        ("python-hex", esc(r"\x2b", r"\x2f"), "escaped"),
        ("form-body", esc("%2B", "%2F"), "percent"),
    ]
}

#[test]
fn one_escaped_character_still_pairs_and_is_critical() {
    for (name, written, encoding) in forms() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(r#"{{"AccessKeyId":"{KEY}","SecretAccessKey":"{written}"}}"#);
        std::fs::write(dir.path().join("creds.json"), format!("{text}\n")).unwrap();
        let run = scan_in(dir.path(), &[".", "--format", "json", "--show-secrets"]);
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        let found = run.findings();
        let want = Want::critical_pair("creds.json", (1, 17), KEY, (SECRET, 1), "generic");
        assert_findings(&found, &[want]);
        assert_eq!(found[0]["encoding"], encoding, "{name}");

        // Without --show-secrets, no output shows it, escaped or not.
        for format in ["human", "json", "sarif", "github"] {
            let run = scan_in(dir.path(), &[".", "--format", format]);
            let shown = crate::no_leak::unescaped(&run.stdout);
            for piece in [&SECRET[..12], &SECRET[14..26], &SECRET[28..]] {
                assert!(
                    !shown.contains(piece) && !run.stdout.contains(&written[16..28]),
                    "{name} {format}: {}",
                    run.stdout
                );
            }
        }
    }
}

#[test]
fn utf16_secret_beside_an_ascii_key_in_a_binary() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"MZ\x90\x00".to_vec();
    bytes.extend([0u8; 64]);
    bytes.extend(format!("key={KEY}\0\0").bytes());
    let utf16 = |s: &str| {
        s.encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<u8>>()
    };
    bytes.extend(utf16("secret="));
    bytes.extend(utf16(SECRET));
    bytes.extend([0, 0]);
    bytes.extend((0..=255u8).cycle().take(1024));
    std::fs::write(dir.path().join("app.dll"), &bytes).unwrap();
    let run = scan_in(dir.path(), &[".", "--format", "json", "--show-secrets"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = run.findings();
    let want = Want::critical_pair("app.dll", (1, 73), KEY, (SECRET, 1), "generic");
    assert_findings(&found, &[want]);
    assert_eq!(found[0]["encoding"], "utf16");
    let plain = scan_in(dir.path(), &[".", "--format", "json"]);
    let snippet = plain.findings()[0]["snippet"].as_str().unwrap().to_string();
    let readable: String = snippet.chars().filter(|&c| c != '\u{fffd}').collect();
    assert!(readable.contains(&format!("key={KEY}")), "{snippet}");
    assert!(!readable.contains(&SECRET[4..16]), "{snippet}");
}

/// Escapes that are not in a secret change nothing: a key ID beside an escaped URL stays
/// alone (`high`), and a 40-character value that is not random after decoding is no secret.
#[test]
fn escapes_elsewhere_pair_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{{\"AccessKeyId\":\"{KEY}\",\"Url\":\"https:\\/\\/example.com\\/a\\/b\",\
         \"SecretAccessKey\":\"com\\/amazonaws\\/services\\/s3\\/AmazonS3Client\"}}\n"
    );
    std::fs::write(dir.path().join("creds.json"), text).unwrap();
    let run = scan_in(dir.path(), &[".", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = run.findings();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["key_id"], KEY);
    assert_eq!(found[0]["risk"], "high");
    assert_eq!(found[0]["has_secret"], false);
}
