//! The negatives: AWS's documentation keys are reported as info examples and never fail a
//! build; look-alikes are not reported at all; IAM unique IDs only with
//! `--include-identifiers`.

use crate::common::{Want, account_of, assert_findings, parse_table, scan};

/// `testdata/negative/docs.md`, in report order. Each documentation key ID pairs with the
/// documentation secret on the next line (the pairing still works for examples), is `info`
/// and `example`, and has no account: its fifth character is `I`. `AKIAI44QH8DHBEXAMPLE`
/// (line 36) holds an `8`, outside the base32 alphabet, so it is not a key ID at all; the
/// secret after it, with its keyword, is reported alone, also as an example.
pub const DOCS: &str = "
    // path line:col kind key_id account risk secret secret_line token(head#len) real|example context
    testdata/negative/docs.md  10:27  aws_access_key         AKIAIOSFODNN7EXAMPLE  -  info  wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY  11  -  example  generic
    testdata/negative/docs.md  20:21  aws_access_key         AKIAIOSFODNN7EXAMPLE  -  info  wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY  21  -  example  generic
    testdata/negative/docs.md  27:26  aws_access_key         AKIAIOSFODNN7EXAMPLE  -  info  wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY  28  -  example  generic
    testdata/negative/docs.md  37:25  aws_secret_access_key  -                     -  info  je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY  37  -  example  generic
";

#[test]
fn doc_examples_are_info_examples_that_never_fail() {
    let run = scan(&[
        "testdata/negative/docs.md",
        "--format",
        "json",
        "--show-secrets",
    ]);
    assert_eq!(
        run.code, 0,
        "info never fails with the default --fail-on low"
    );
    assert_findings(&run.findings(), &parse_table(DOCS));
    for f in run.findings() {
        assert!(
            f["advice"]["first_step"]
                .as_str()
                .unwrap()
                .contains("placeholder"),
            "{f}"
        );
    }
    // Only when asked.
    let run = scan(&["testdata/negative/docs.md", "--fail-on", "info"]);
    assert_eq!(run.code, 1);
}

#[test]
fn negative_tree_has_nothing_at_low_or_above() {
    for extra in [&[][..], &["--include-identifiers"][..]] {
        let mut args = vec!["testdata/negative", "--format", "json"];
        args.extend_from_slice(extra);
        let run = scan(&args);
        assert_eq!(run.code, 0, "{extra:?}");
        let findings = run.findings();
        assert!(!findings.is_empty(), "the doc examples are reported");
        for f in &findings {
            assert_eq!(f["risk"], "info", "{f}");
        }
        assert_eq!(run.json()["summary"]["by_risk"]["info"], findings.len());
    }
}

#[test]
fn lookalikes_are_not_reported_at_all() {
    // Not even as info, and not with identifiers included.
    let run = scan(&[
        "testdata/negative/lookalikes.txt",
        "--format",
        "json",
        "--include-identifiers",
        "--fail-on",
        "info",
    ]);
    assert_eq!(run.code, 0);
    assert_eq!(run.findings(), Vec::<serde_json::Value>::new());
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn identifiers_only_with_the_flag() {
    let path = "testdata/negative/identifiers.txt";
    let run = scan(&[path, "--format", "json"]);
    assert_eq!(run.code, 0);
    assert!(run.findings().is_empty(), "{}", run.stdout);

    let run = scan(&[path, "--format", "json", "--include-identifiers"]);
    assert_eq!(
        run.code, 0,
        "identifiers are info: they never fail by default"
    );
    // The accounts decoded from the IDs match the ones in the ARNs next to them, which is
    // what a reader of `aws iam get-role` output would check.
    let aroa = "AROAVRUVS7NIVCAVDX3P";
    let aida = "AIDA2PSAGESI36QEWNKE";
    assert_eq!(account_of(aroa).as_deref(), Some("381492067153"));
    assert_eq!(account_of(aida).as_deref(), Some("720615384209"));
    let row = |line: u64, key: &str| Want {
        path: path.into(),
        line,
        column: 20,
        kind: "aws_unique_id".into(),
        key_id: Some(key.into()),
        account: account_of(key),
        risk: "info".into(),
        secret: None,
        has_secret: false,
        secret_line: None,
        token: None,
        has_session_token: false,
        example: false,
        context: "generic".into(),
    };
    let findings = run.findings();
    assert_findings(&findings, &[row(6, aroa), row(16, aida)]);
    assert_eq!(findings[0]["key_type"], "IAM role ID");
    assert_eq!(findings[1]["key_type"], "IAM user ID");
    assert!(
        findings[0]["advice"]["first_step"]
            .as_str()
            .unwrap()
            .contains("Not a credential")
    );
}
