//! Inputs for the twins: arbitrary bytes, and text planted with what keyleak looks for —
//! key IDs, secrets, tokens, keywords, and the same written in escapes, base64, hex, URL encoding
//! or UTF-16 — so the oracles run on the deep paths and not only on the prefilter.

use keyleak::detect::secret::DOC_SECRET;
use keyleak::detect::token::TOKEN_PREFIXES;
use proptest::prelude::*;

pub fn key_id() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec!["AKIA", "AKIA", "ASIA", "ABIA", "ACCA", "AIDA", "AROA"]);
    (prefix, "[A-Z2-7]{16}").prop_map(|(p, body)| format!("{p}{body}"))
}

pub fn secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9/+]{40}"
}

pub fn token() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(TOKEN_PREFIXES.to_vec());
    (prefix, "[A-Za-z0-9/+]{90,300}", "={0,2}").prop_map(|(p, body, pad)| format!("{p}{body}{pad}"))
}

/// `text` in quotes, as escapes live in string literals, with each character written as one of
/// the escapes the decoder reads or, now and then, as itself (which splits a run).
pub fn escaped(text: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    text.prop_flat_map(|t| {
        let forms = prop::collection::vec(0..10u8, t.len());
        (Just(t), forms)
    })
    .prop_map(|(t, forms)| {
        let body: String = t
            .bytes()
            .zip(forms)
            .map(|(b, form)| match form {
                0 | 1 => format!("\\u{b:04x}"),
                2 => format!("\\u{{{b:x}}}"),
                3 | 4 => format!("\\x{b:02X}"),
                5 | 6 => format!("&#x{b:x};"),
                7 | 8 => format!("&#{b};"),
                _ => char::from(b).to_string(),
            })
            .collect();
        format!("\"{body}\"")
    })
}

/// One piece of planted text.
pub fn fragment() -> impl Strategy<Value = Vec<u8>> {
    let keyword = prop::sample::select(vec![
        "aws_secret_access_key = ",
        "AWS_SECRET_ACCESS_KEY=",
        "\"SecretAccessKey\": \"",
        "secretKey: ",
        "aws_session_token = ",
        "x-amz-security-token: ",
        "SessionToken=",
        "aws_access_key_id = ",
    ]);
    let secret_keyword = prop::sample::select(vec![
        "aws_secret_access_key = ",
        "SecretAccessKey: ",
        "--aws-secret-access-key ",
    ]);
    let separator = prop::sample::select(vec![
        " ",
        "\n",
        "\n",
        "\r\n",
        "\"",
        "'",
        "=",
        ":",
        ",",
        "\\n",
        "\\t",
        "\t",
        "é",
        "日本語",
        "😀",
        "keyleak:allow",
        "&",
        "\\",
        "&#",
        "\\u",
        "\\x4",
        "=\n",
    ]);
    let placeholder = prop::sample::select(vec![
        "AKIAIOSFODNN7EXAMPLE",
        DOC_SECRET,
        "AKIAXXXXXXXXXXXXXXXX",
    ]);
    let text = prop_oneof![
        4 => key_id(),
        3 => secret(),
        // A key and a secret some lines apart, around the edge of the pairing window.
        2 => (key_id(), 3..8usize, secret())
            .prop_map(|(k, n, s)| format!(" {k}{} {s} ", "\n".repeat(n))),
        // A secret after its keyword, on a line of its own: alone unless a key ID is near.
        2 => (secret_keyword.clone(), secret()).prop_map(|(k, s)| format!("\n{k}{s}\n")),
        1 => token(),
        3 => keyword.prop_map(str::to_string),
        2 => escaped(prop_oneof![key_id(), secret()]),
        // Base64 of a key ID or of a credentials snippet (Kubernetes secret data), and of a
        // secret after its keyword.
        2 => prop_oneof![
            key_id(),
            (key_id(), secret()).prop_map(|(k, s)| format!("id = {k}\nsecret = {s}\n")),
        ]
        .prop_map(|t| format!(" {} ", base64(t.as_bytes()))),
        1 => (secret_keyword, secret()).prop_map(|(k, s)| format!("\n{k}{}\n", base64(s.as_bytes()))),
        // Hex of a key ID or of a credentials snippet: plain, spaced, or a `0x` list.
        1 => (
            prop_oneof![
                key_id(),
                (key_id(), secret()).prop_map(|(k, s)| format!("id = {k}\nsecret = {s}\n")),
            ],
            prop::sample::select(vec![("", ""), (" ", ""), (", ", "0x"), (",", "0x")]),
        )
            .prop_map(|(t, (sep, pre))| {
                let items: Vec<String> = t.bytes().map(|b| format!("{pre}{b:02x}")).collect();
                format!(" {} ", items.join(sep))
            }),
        // A key ID or a secret split across string literals, joined as some language would.
        1 => (
            prop_oneof![key_id(), secret()],
            1..19usize,
            prop::sample::select(vec![" + ", " +\n    ", " ", "\n", " . ", ".", " .. ", "", "\\\n"]),
        )
            .prop_map(|(t, cut, join)| {
                let (a, b) = t.split_at(cut.min(t.len() - 1));
                match join {
                    "\\\n" => format!("\"{a}{join}{b}\""),
                    _ => format!("\"{a}\"{join}\"{b}\""),
                }
            }),
        // A URL-encoded secret.
        1 => secret().prop_map(|s| s.replace('/', "%2F").replace('+', "%2b")),
        6 => separator.prop_map(str::to_string),
        // Line breaks often enough that values fall both inside and outside the pairing window.
        3 => "(\r?\n){1,3}",
        3 => "[a-z]{1,10}",
        1 => placeholder.prop_map(str::to_string),
        1 => "[a-z ]{200,2500}",
    ];
    // Now and then a few raw bytes: invalid UTF-8 switches columns to bytes.
    prop_oneof![
        12 => text.prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 1..4),
    ]
}

pub fn planted() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(fragment(), 0..40).prop_map(|parts| parts.concat())
}

/// Planted text saved as UTF-16, little or big endian, with or without a byte-order mark.
pub fn planted_utf16() -> impl Strategy<Value = Vec<u8>> {
    (planted(), any::<bool>(), any::<bool>()).prop_map(|(text, little, bom)| {
        let units = String::from_utf8_lossy(&text)
            .encode_utf16()
            .collect::<Vec<u16>>();
        let bom = bom.then_some(0xFEFF);
        bom.into_iter()
            .chain(units)
            .flat_map(|u| {
                if little {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                }
            })
            .collect()
    })
}

/// Standard base64 with padding (RFC 4648), to plant encoded values.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let group = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(group >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..1024)
}

/// A real archive (zip, possibly holding a zip; tar.gz; or gzip) of a few members with
/// planted text, then damaged at one byte or cut short (or left whole), so expansion meets
/// both sound and broken structure.
pub fn archive() -> impl Strategy<Value = Vec<u8>> {
    let members = prop::collection::vec(("[a-z]{1,8}(/[a-z]{1,8})?", planted()), 1..6);
    (
        members,
        0..4u8,
        any::<bool>(),
        any::<prop::sample::Index>(),
        any::<u8>(),
        0..3u8,
    )
        .prop_map(|(members, format, nest, at, byte, damage)| {
            let mut out = match format {
                0 => zip(&members, nest),
                1 => tar_gz(&members),
                2 => gzip(&members[0].1),
                _ => zip(&members, false),
            };
            let i = at.index(out.len().max(1)).min(out.len().saturating_sub(1));
            match damage {
                1 if !out.is_empty() => out[i] ^= byte | 1,
                2 => out.truncate(i),
                _ => {}
            }
            out
        })
}

pub fn zip(members: &[(String, Vec<u8>)], nest: bool) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (i, (name, body)) in members.iter().enumerate() {
        w.start_file(format!("{i}/{name}"), opts)
            .expect("in memory");
        w.write_all(body).expect("in memory");
    }
    if nest {
        let inner = zip(members, false);
        w.start_file("lib/inner.jar", opts).expect("in memory");
        w.write_all(&inner).expect("in memory");
    }
    w.finish().expect("in memory").into_inner()
}

fn tar_gz(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut t = tar::Builder::new(gz);
    for (i, (name, body)) in members.iter().enumerate() {
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        t.append_data(&mut header, format!("{i}/{name}"), &body[..])
            .expect("in memory");
    }
    t.into_inner()
        .expect("in memory")
        .finish()
        .expect("in memory")
}

fn gzip(body: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(body).expect("in memory");
    gz.finish().expect("in memory")
}

/// Binary records that store a key ID and a secret back to back with type and length bytes
/// (`detect::glued`): protobuf fields (tag, length), marshal short strings (`z`/`Z`, length),
/// class constants (tag 1, u16 length), SQLite records (serial types in a header, values
/// glued), between random bytes.
pub fn planted_binary() -> impl Strategy<Value = Vec<u8>> {
    let record = (key_id(), secret(), 0..4u8, any::<u8>(), "[a-z0-9]{0,6}").prop_map(
        |(key, secret, layout, tag, neighbour)| {
            let (key, secret, neighbour) =
                (key.as_bytes(), secret.as_bytes(), neighbour.as_bytes());
            match layout {
                0 => [&[tag, 20][..], key, &[tag | 2, 40], secret, &[tag]].concat(),
                1 => [&[b'Z', 20][..], key, b"z(", secret, b"N"].concat(),
                2 => [&[1, 0, 20][..], key, &[1, 0, 40], secret, &[7]].concat(),
                _ => [
                    &[4, 0x19, 0x35, 0x5d][..],
                    neighbour,
                    key,
                    secret,
                    neighbour,
                ]
                .concat(),
            }
        },
    );
    let noise = prop::collection::vec(any::<u8>(), 0..64);
    prop::collection::vec((noise, record), 1..6).prop_map(|parts| {
        parts
            .into_iter()
            .flat_map(|(n, r)| [n, r].concat())
            .collect()
    })
}
