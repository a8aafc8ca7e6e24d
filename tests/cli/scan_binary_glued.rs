//! Keys stored by binary formats, glued to their neighbours (issue 17): SQLite rows,
//! marshalled Python constants, a Java class constant pool and protobuf, each made by the real
//! tool (protobuf encoded by hand) by scripts/gen_binary_testdata.py, which explains each
//! layout. Lines count `\n` bytes and columns count bytes on such lines, so `line:column` is
//! where the key ID starts. Negatives: random bytes, base32 runs that hold a key-shaped
//! stretch, and a text file where a key ID glued to a word stays unreported.

use crate::common::{assert_findings, parse_table, scan, scan_stdin};

/// Every finding in `testdata/binary`. Columns: see `parse_table`.
/// - `Creds.class`: `CONSTANT_Utf8` entries (tag 1, u16 length `00 14` / `00 28`).
/// - `credential.pb`: fields 8 and 9: `B 0x14 <key ID> J ( <secret> R …`; the key ID is
///   followed by `J`, a base32 letter, then `(` (length 40) and the secret: paired, no token.
/// - `creds.sqlite`: rows `(name, key_id, secret)`: `backupAKIA…yIUK…`, `deployAKIA…NSSq…`:
///   the second key ID is followed by an upper-case letter, and the record header's serial
///   types `5 ]` (text of 20 and of 40 bytes) say where it ends.
/// - `settings.cpython.pyc`: marshal `0xda 0x14 <key ID> z ( <secret> z …`.
pub const BINARY: &str = "
    testdata/binary/Creds.class           3:61    aws_access_key            AKIAVRUVS7NI5KDGSFSR  381492067153  critical  qFtigorhpJnxHGJToMJ4N0Ix0r7m+NNOtnJuvURm  3  -  real  sdk_code
    testdata/binary/credential.pb         2:10    aws_temporary_access_key  ASIAFRUVS7NI7VX6QTJV  381492067153  medium    p8M9fyE6IBBZcPofp5C63iuge2bgE92q0sN1FxKM  2  -  real  generic
    testdata/binary/creds.sqlite          1:8060  aws_access_key            AKIAVRUVS7NI23IG2VAN  381492067153  critical  yIUK+XAp/pwTLHgfqKTnJykQQwP9F7WpTEWSGyQV  1  -  real  generic
    testdata/binary/creds.sqlite          1:8133  aws_access_key            AKIAFRUVS7NI7LE46I7V  381492067153  critical  NSSqnmKDKoSdBZz3Qaaew8/hzQjlgGMNVMDcuPBw  1  -  real  generic
    testdata/binary/settings.cpython.pyc  2:61    aws_access_key            AKIAFRUVS7NI7TYBQ6HM  381492067153  critical  jqtDjv1Tx5HEqWEPflg8z+zUxG8eCKaRD0ufspWM  2  -  real  sdk_code
";

#[test]
fn binary_testdata_exact_findings_and_pairs() {
    let run = scan(&["testdata/binary", "--format", "json", "--show-secrets"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_findings(&run.findings(), &parse_table(BINARY));
    assert_eq!(run.json()["summary"]["scanned_blobs"], 7);
}

/// The glued secrets are hidden like any other: a 4-character prefix in the report.
#[test]
fn glued_secrets_are_not_printed() {
    let run = scan(&["testdata/binary"]);
    assert_eq!(run.code, 1);
    for row in parse_table(BINARY) {
        let secret = row.secret.unwrap();
        assert!(!run.stdout.contains(&secret), "{secret} printed");
        assert!(run.stdout.contains(&secret[..4]), "{secret} prefix");
    }
}

/// Random bytes, base32 runs and a text file where a key ID is glued to a word: nothing.
#[test]
fn negatives_stay_clean() {
    for file in ["random.bin", "base32.bin", "glued.txt"] {
        let run = scan(&[&format!("testdata/binary/{file}"), "--format", "json"]);
        assert_eq!(run.code, 0, "{file}: {}", run.stdout);
        assert!(run.findings().is_empty(), "{file}");
    }
}

/// The protobuf record again, as text (its control bytes made printable): the same glued key
/// ID and secret are not reported, since text keeps the strict boundary rule. With the
/// control bytes, it is binary and the pair is found.
#[test]
fn text_keeps_the_strict_rule() {
    let record = |len20: &str, len40: &str| {
        format!("user ci-botB{len20}{KEY}J{len40}{SECRET}R\teu-west-1\n").into_bytes()
    };
    let text = scan_stdin(&record("_", "("), &["--format", "json"]);
    assert_eq!(text.code, 0, "{}", text.stdout);
    let binary = scan_stdin(&record("\x14", "("), &["--format", "json"]);
    assert_eq!(binary.code, 1, "{}", binary.stdout);
    let found = binary.findings();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["key_id"], KEY);
    assert_eq!(found[0]["has_secret"], true);
    assert_eq!(found[0]["column"], 14);
}

const KEY: &str = "AKIAVRUVS7NI5KDGSFSR";
const SECRET: &str = "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";
