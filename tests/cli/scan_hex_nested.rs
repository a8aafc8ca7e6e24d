//! Keys written in hex (`xxd -p`, `bytes.fromhex`, `0x41, 0x4b, …`) and in nested encodings
//! (base64 of base64, base64 inside JSON inside base64, URL encoding inside base64 inside
//! base64) are found, located where the encoded text starts, and paired; hashes, random hex
//! and hex dumps without a key are not. testdata/deep/ is written by
//! scripts/gen_deep_testdata.sh with xxd, Python and base64.

use crate::common::{assert_findings, parse_table, scan, scan_stdin};

/// Every finding in `testdata/deep`. Columns: see `parse_table`. Not listed, so checked
/// absent: `hashes.txt` (sha256sum lines and git object ids holding `4941`), `prefixes.hex`
/// (`xxd -p` of a sentence naming `AKIA` and `ASIA`), `random.hex`, `blob.xxd`, `blob.h` (a
/// random binary with `AKIA` and three binary bytes in it, through `xxd -p`, `xxd`, `xxd -i`).
/// - `aws_key.h`: `xxd -i` of a key ID alone: `0x41, 0x4b, …` over two lines.
/// - `config.json.b64`: base64 of JSON whose value is the base64 of a credentials pair.
/// - `credentials.hex`: `xxd -p` of a credentials file; key ID and secret each from its
///   line of hex digits.
/// - `form.b64.b64`: a form body with `%2F` in the secret, base64-encoded twice: three levels.
/// - `k8s-double.yaml`: a Kubernetes Secret whose values were already base64.
/// - `keys.py`: `bytes.fromhex("41 4b …")` for the key ID, and for the secret two lines on.
pub const DEEP: &str = "
    testdata/deep/aws_key.h          2:3   aws_access_key  AKIAVRUVS7NIU2T5SEY4  381492067153  high      -                                         -  -  real  sdk_code
    testdata/deep/config.json.b64    1:83  aws_access_key  AKIAFRUVS7NIRCT6V2WC  381492067153  critical  Dgw2nDFw3pwUu8029eeNLX4oL1eFS8HFEfT/yGqZ  1  -  real  generic
    testdata/deep/credentials.hex    2:1   aws_access_key  AKIAFRUVS7NITBZVFQZP  381492067153  critical  IAt9cMm4xXfnXRioYDHsVLgKXIbHErTerzNf/C8g  3  -  real  generic
    testdata/deep/form.b64.b64       1:33  aws_access_key  AKIAFRUVS7NIZB3MQQSB  381492067153  critical  2pmu3u/PUOmZhmPWRYAC51wZ1KsXkY4NkoHELWw1  1  -  real  generic
    testdata/deep/k8s-double.yaml    7:22  aws_access_key  AKIAVRUVS7NI64SGRHBD  381492067153  critical  l7B3vTN/8aPpLlLPMo/T59cLf9CpETONOojb+FcM  8  -  real  kubernetes
    testdata/deep/keys.py            3:22  aws_access_key  AKIAFRUVS7NI5PGTR2PO  381492067153  critical  9lzl4O2yYb/2hi7HMaFl2zW9TsF6cfAnXeG5HXkp  5  -  real  sdk_code
";

#[test]
fn deep_testdata_exact_findings_and_encodings() {
    let run = scan(&["testdata/deep", "--format", "json", "--show-secrets"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stderr, "", "no cap reached, no warning");
    let found = run.findings();
    assert_findings(&found, &parse_table(DEEP));
    let encodings: Vec<&str> = found
        .iter()
        .map(|f| f["encoding"].as_str().unwrap())
        .collect();
    assert_eq!(
        encodings,
        ["hex", "base64", "hex", "percent", "base64", "hex"]
    );
}

/// The hex forms one at a time, each written out here (no shared encoder): a plain run, upper
/// case, `0x` lists with and without spaces, `bytes.fromhex` with spaces, and `\x41` escapes
/// (those are the `escaped` layer's, found once, not twice).
#[test]
fn each_hex_form_is_found_where_it_starts() {
    let cases = [
        ("k = '414b494132505341474553495636583543494651'\n", 6, "hex"),
        (
            "K = \"414B494132505341474553495636583543494651\"\n",
            6,
            "hex",
        ),
        (
            "b = [0x41, 0x4b, 0x49, 0x41, 0x32, 0x50, 0x53, 0x41, 0x47, 0x45, 0x53, 0x49, 0x56, \
             0x36, 0x58, 0x35, 0x43, 0x49, 0x46, 0x51]\n",
            6,
            "hex",
        ),
        (
            "b={0x41,0x4B,0x49,0x41,0x32,0x50,0x53,0x41,0x47,0x45,0x53,0x49,0x56,0x36,0x58,0x35,\
             0x43,0x49,0x46,0x51};\n",
            4,
            "hex",
        ),
        (
            "k = bytes.fromhex('41 4b 49 41 32 50 53 41 47 45 53 49 56 36 58 35 43 49 46 51')\n",
            20,
            "hex",
        ),
        (
            "k = b'\\x41\\x4b\\x49\\x41\\x32\\x50\\x53\\x41\\x47\\x45\\x53\\x49\\x56\\x36\\x58\\x35\
             \\x43\\x49\\x46\\x51'\n",
            7,
            "escaped",
        ),
    ];
    for (text, column, encoding) in cases {
        let run = scan_stdin(text.as_bytes(), &["--format", "json"]);
        let found = run.findings();
        let got: Vec<(&str, u64, u64, &str, &str)> = found
            .iter()
            .map(|f| {
                (
                    f["key_id"].as_str().unwrap(),
                    f["line"].as_u64().unwrap(),
                    f["column"].as_u64().unwrap(),
                    f["risk"].as_str().unwrap(),
                    f["encoding"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [("AKIA2PSAGESIV6X5CIFQ", 1, column, "high", encoding)],
            "{text}"
        );
    }
}

/// A plain key ID whose secret is written in hex on the next line: paired, and neither the
/// decoded secret nor its hex is printed.
#[test]
fn hex_secret_pairs_with_a_plain_key_and_stays_redacted() {
    let secret = "q7Tn3Kv0Yb6Hw1Rj5Lm9Px2Cs4Df7Gu0Ei3Ao6BZ";
    let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
    let text = format!("aws_access_key_id = AKIA2PSAGESIV6X5CIFQ\nsecret_hex = {hex}\n");
    let run = scan_stdin(text.as_bytes(), &["--format", "json"]);
    assert_eq!(run.code, 1);
    let found = run.findings();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["risk"], "critical");
    assert_eq!(found[0]["secret"], "q7Tn…");
    assert_eq!(found[0]["secret_line"], 2);
    assert_eq!(found[0]["encoding"], "hex");
    let human = scan_stdin(text.as_bytes(), &[]);
    for out in [&run.stdout, &human.stdout] {
        assert!(
            !out.contains(&secret[4..16]) && !out.contains(&hex[8..32]),
            "{out}"
        );
    }
}

/// Hex that holds no key ID is left alone even when it holds the literal the prefilter
/// looks for: a hash beside a key prefix's hex, the hex of `AKIA` and too few bytes after it.
#[test]
fn hex_without_a_key_is_not_reported() {
    for text in [
        "sha256 = 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d414b4941f00a08\n",
        "id = 414b4941325053414745\n",
        "v = [0x41, 0x4b, 0x49, 0x41, 0x00, 0x01, 0x02]\n",
        "commit 414b49412050534147455349563658354349465100\n",
    ] {
        let run = scan_stdin(text.as_bytes(), &["--format", "json"]);
        assert_eq!(run.code, 0, "{text}: {}", run.stdout);
    }
}
