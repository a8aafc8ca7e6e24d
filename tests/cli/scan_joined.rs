//! Keys split across string literals (issue 17): `"AKIA" + "…"` and the other ways languages
//! join strings are found with `encoding: joined`, located at the first piece, rated like the
//! plain key, with a split secret paired and redacted; variables, lists and strings that join to
//! no key are not reported.

use crate::common::scan_stdin;
use serde_json::Value;

const KEY: &str = "AKIA2PSAGESIV6X5CIFQ";

/// (key ID, line, column, risk, encoding, example) of each finding.
fn found(text: &str) -> Vec<(String, u64, u64, String, String, bool)> {
    let run = scan_stdin(text.as_bytes(), &["--format", "json"]);
    run.findings()
        .iter()
        .map(|f: &Value| {
            (
                f["key_id"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["risk"].as_str().unwrap().to_string(),
                f["encoding"].as_str().unwrap_or("-").to_string(),
                f["example"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// One form per language, each written out here: line and column of the key's first piece.
#[test]
fn each_language_form_is_found_at_its_first_piece() {
    let cases: &[(&str, &str, u64, u64)] = &[
        (
            "JavaScript +",
            "const key = \"AKIA2PSA\" + \"GESIV6X5CIFQ\";\n",
            1,
            14,
        ),
        (
            "Java + at line end",
            "String k = \"AKIA2PSAGE\" +\n    \"SIV6X5CIFQ\";\n",
            1,
            13,
        ),
        (
            "Python implicit, in parentheses",
            "KEY = (\n    \"AKIA2PSAGESI\"\n    \"V6X5CIFQ\"\n)\n",
            2,
            6,
        ),
        (
            "Python + with \\ continuation",
            "k = 'AKIA2PSAGE' \\\n    'SIV6X5CIFQ'\n",
            1,
            6,
        ),
        ("PHP .", "$k = 'AKIA2PSA' . 'GESIV6X5CIFQ';\n", 1, 7),
        (
            "Perl . no spaces",
            "my $k = 'AKIA2PSA'.'GESIV6X5CIFQ';\n",
            1,
            10,
        ),
        (
            "Lua ..",
            "local k = \"AKIA2PSA\" .. \"GESIV6X5CIFQ\"\n",
            1,
            12,
        ),
        (
            "JavaScript .concat",
            "const k = \"AKIA\".concat(\"2PSAGESIV6X5CIFQ\");\n",
            1,
            12,
        ),
        (
            "Java .concat chained",
            "k = \"AKIA2P\".concat(\"SAGESI\").concat(\"V6X5CIFQ\");\n",
            1,
            6,
        ),
        (
            "shell adjacent",
            "export K=\"AKIA2PSA\"\"GESIV6X5CIFQ\"\n",
            1,
            11,
        ),
        (
            "shell \\ newline in a string",
            "K=\"AKIA2PSAGE\\\nSIV6X5CIFQ\"\n",
            1,
            4,
        ),
        (
            "Go + at line end",
            "k := \"AKIA2PSAGESIV6\" +\n\t\"X5CIFQ\"\n",
            1,
            7,
        ),
        (
            "C adjacent",
            "const char *k = \"AKIA2PSAGE\" \"SIV6X5CIFQ\";\n",
            1,
            18,
        ),
        (
            "C# verbatim",
            "var k = \"AKIA2PSA\" + @\"GESIV6X5CIFQ\";\n",
            1,
            10,
        ),
    ];
    for &(form, text, line, column) in cases {
        assert_eq!(
            found(text),
            [(
                KEY.into(),
                line,
                column,
                "high".into(),
                "joined".into(),
                false
            )],
            "{form}: {text}"
        );
    }
}

/// A split secret after a keyword pairs with a split key ID: critical, like the plain pair, and
/// neither output prints the secret beyond its 4-character prefix.
#[test]
fn split_secret_pairs_and_stays_redacted() {
    let text = "const creds = {\n  accessKeyId: \"AKIA2PSA\" + \"GESIV6X5CIFQ\",\n  \
                secretAccessKey: \"q7Tn3Kv0Yb6Hw1Rj5Lm9\" +\n    \"Px2Cs4Df7Gu0Ei3Ao6BZ\",\n};\n";
    let run = scan_stdin(text.as_bytes(), &["--format", "json"]);
    let found = run.findings();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["key_id"], KEY);
    assert_eq!(found[0]["risk"], "critical");
    assert_eq!(found[0]["secret"], "q7Tn…");
    assert_eq!(found[0]["secret_line"], 3);
    assert_eq!(
        (&found[0]["line"], &found[0]["column"]),
        (&2.into(), &17.into())
    );
    assert_eq!(found[0]["encoding"], "joined");
    let human = scan_stdin(text.as_bytes(), &["--color", "never"]);
    assert!(
        human.stdout.lines().next().is_some_and(|l| l.starts_with(
            "critical: long-term AWS access key with its secret, split across string literals"
        )),
        "{}",
        human.stdout
    );
    for out in [&run.stdout, &human.stdout] {
        for piece in ["3Kv0Yb6Hw1Rj5Lm9", "Px2Cs4Df7Gu0Ei3Ao6BZ"] {
            assert!(!out.contains(piece), "{out}");
        }
    }
    // Without a keyword: a split secret right beside a split key (positional arguments).
    let text = "c = Client(\"AKIA2PSA\" + \"GESIV6X5CIFQ\", \"q7Tn3Kv0Yb6Hw1Rj5Lm9\" + \"Px2Cs4Df7Gu0Ei3Ao6BZ\")\n";
    let run = scan_stdin(text.as_bytes(), &["--format", "json"]);
    let found = run.findings();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["risk"], "critical");
    assert_eq!(found[0]["column"], 13);
}

/// What joins nothing, or joins to no key, is not reported; the AWS documentation key split in
/// two stays `info`, an example.
#[test]
fn variables_lists_and_non_keys_are_not_reported() {
    for text in [
        "k = \"AKIA\" + suffix\n",
        "k = \"AKIA2PSA\" + suffix + \"GESIV6X5CIFQ\"\n",
        "k = [\"AKIA2PSA\", \"GESIV6X5CIFQ\"]\n",
        "k = \"AKIA2PSA\" + \"gesiv6x5cifq\"\n",
        "k = \"AKIA2PSA\" + \"GESIV6X5CIFQ\" + \"MORE\"\n",
        "msg = \"ASIA\" + \" Pacific\"\n",
    ] {
        assert_eq!(found(text), [], "{text}");
    }
    assert_eq!(
        found("k = \"AKIAIOSFODNN7\" + \"EXAMPLE\"\n"),
        [(
            "AKIAIOSFODNN7EXAMPLE".into(),
            1,
            6,
            "info".into(),
            "joined".into(),
            true
        )]
    );
}
