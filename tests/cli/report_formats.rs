//! SARIF and GitHub annotation output: the SARIF document validates against the official
//! OASIS SARIF 2.1.0 schema (vendored in tests/schemas), carries what GitHub code scanning
//! reads, and neither format leaks a secret.

use assert_cmd::Command;
use serde_json::Value;

use crate::common::tree_of;

pub const KEY: &str = "AKIAUJZDEGXDNCF32EPF";
pub const SECRET: &str = "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";
const TMP: &str = "ASIAY34FZKBOKMUTVV7A";

/// `prod.env` with a key pair (lines 2 and 3), `notes.md` with a temporary key ID (line 1) and
/// AWS's documentation example (line 2): one finding of each of three risks. Also used by
/// `report_gitlab`.
pub fn tree() -> tempfile::TempDir {
    tree_of(&[
        (
            "prod.env",
            &format!("# prod\nAWS_ACCESS_KEY_ID={KEY}\nAWS_SECRET_ACCESS_KEY={SECRET}\n"),
        ),
        (
            "notes.md",
            &format!("temporary: {TMP}\nexample: AKIAIOSFODNN7EXAMPLE\n"),
        ),
    ])
}

fn scan(dir: &std::path::Path, format: &str) -> (i32, String) {
    let out = Command::cargo_bin("keyleak")
        .unwrap()
        .current_dir(dir)
        .args(["scan", ".", "--format", format])
        .output()
        .unwrap();
    let all = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
    (out.status.code().unwrap(), all)
}

#[test]
fn sarif_validates_against_the_oasis_schema() {
    let dir = tree();
    let (code, out) = scan(dir.path(), "sarif");
    assert_eq!(code, 1);
    let doc: Value = serde_json::from_str(&out).unwrap();
    let errors = crate::common::schema_errors(crate::common::SARIF_SCHEMA, &doc);
    assert!(errors.is_empty(), "{errors:#?}");

    let run = &doc["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let kinds = [
        "aws_access_key",
        "aws_temporary_access_key",
        "aws_secret_access_key",
        "aws_session_token",
        "aws_unique_id",
        "presigned_url",
    ];
    let risks = ["critical", "high", "medium", "low", "info"];
    let expected: Vec<String> = kinds
        .iter()
        .flat_map(|k| risks.iter().map(move |r| format!("{k}/{r}")))
        .collect();
    assert_eq!(rules, expected);
    let results = run["results"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str, &str, u64, u64)> = results
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap(),
                r["level"].as_str().unwrap(),
                r["properties"]["security-severity"]
                    .as_str()
                    .unwrap_or("none"),
                loc["artifactLocation"]["uri"].as_str().unwrap(),
                loc["region"]["startLine"].as_u64().unwrap(),
                loc["region"]["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "aws_temporary_access_key/low",
                "warning",
                "3.0",
                "notes.md",
                1,
                12
            ),
            ("aws_access_key/info", "note", "none", "notes.md", 2, 10),
            ("aws_access_key/critical", "error", "9.5", "prod.env", 2, 19),
        ]
    );
    for r in results {
        let fp = r["partialFingerprints"]["keyleak/v1"].as_str().unwrap();
        assert_eq!(fp.len(), 32);
        assert!(r["message"]["text"].as_str().unwrap().contains("Now: "));
    }
    assert!(
        out.contains("2hpC…") && !out.contains(SECRET),
        "secret leaked or missing"
    );
}

/// GitHub's band for a `security-severity` (none: the rule's level decides).
fn band(severity: Option<&str>) -> &'static str {
    match severity.map(|s| s.parse::<f64>().unwrap()) {
        None => "info",
        Some(s) if s >= 9.0 => "critical",
        Some(s) if s >= 7.0 => "high",
        Some(s) if s >= 4.0 => "medium",
        Some(s) if s >= 0.1 => "low",
        Some(_) => "info",
    }
}

/// Issue 14 item 2: GitHub takes an alert's severity from its rule, so each result's rule
/// (by `ruleIndex` and by `ruleId`) has the `security-severity` band of the finding's risk:
/// a documentation example (`info`) or a `low` finding never shows as high or critical.
#[test]
fn sarif_rule_severity_matches_each_findings_risk() {
    let dir = tree();
    let (code, out) = scan(dir.path(), "sarif");
    assert_eq!(code, 1);
    let doc: Value = serde_json::from_str(&out).unwrap();
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let mut risks = Vec::new();
    for r in doc["runs"][0]["results"].as_array().unwrap() {
        let risk = r["properties"]["risk"].as_str().unwrap();
        let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], r["ruleId"]);
        assert_eq!(rule["defaultConfiguration"]["level"], r["level"]);
        let severity = rule["properties"]["security-severity"].as_str();
        assert_eq!(band(severity), risk, "{rule}");
        risks.push(risk);
    }
    assert_eq!(risks, ["low", "info", "critical"]);
    for rule in rules {
        let (_, risk) = rule["id"].as_str().unwrap().split_once('/').unwrap();
        assert_eq!(band(rule["properties"]["security-severity"].as_str()), risk);
    }
}

#[test]
fn github_annotations() {
    let dir = tree();
    let (code, out) = scan(dir.path(), "github");
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(lines.len(), 3, "{out}");
    // Most severe first; the documentation example is a count, not an annotation.
    assert!(lines[0].starts_with("::error file=prod.env,line=2,col=19,title=critical%3A long-term AWS access key::AKIAUJZDEGXDNCF32EPF (account 295889548742)"), "{}", lines[0]);
    assert!(lines[1].starts_with("::warning file=notes.md,line=1,col=12,title=low%3A temporary AWS access key::ASIAY34FZKBOKMUTVV7A"), "{}", lines[1]);
    assert_eq!(
        lines[2],
        "::notice title=keyleak::plus 1 info finding (documentation examples): --show-info lists it"
    );
    assert!(!out.contains(SECRET));
    // One annotation per line: messages carry no raw newline.
    assert_eq!(out.lines().filter(|l| !l.is_empty()).count(), 3, "{out}");
}

/// An IAM unique identifier is not a credential: its annotation, like every other format,
/// says there is nothing to rotate and offers no role to replace it with.
#[test]
fn github_identifier_annotation_offers_no_replacement() {
    let out = Command::cargo_bin("keyleak")
        .unwrap()
        .args([
            "scan",
            "testdata/negative/identifiers.txt",
            "--format",
            "github",
        ])
        .args(["--include-identifiers", "--show-info", "--no-config"])
        .output()
        .unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    let role = out
        .lines()
        .find(|l| l.contains("::AROAVRUVS7NIVCAVDX3P"))
        .unwrap_or_else(|| panic!("no annotation for the role ID: {out}"));
    assert!(role.contains("Now: "), "{role}");
    assert!(!role.contains("Instead"), "{role}");
}

/// `%XX` decoded: what a URI consumer makes of a path (D14).
fn percent_decode(uri: &str) -> String {
    let b = uri.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&uri[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// File names that read as URI syntax (D14 of issue 16): each `uri` is an RFC 3986 URI
/// reference (checked by jsonschema's `uri-reference` format, which the draft-04 SARIF schema
/// does not apply), holds only unreserved characters, `/`, `!` and `%XX`, and decodes to the
/// name as printed elsewhere; a secret-shaped name stays redacted.
#[test]
fn sarif_uris_are_percent_encoded_uri_references() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let body = format!("AWS_ACCESS_KEY_ID={KEY}\n");
    let secret_name = "q8Lr2ZxKd7PwYt3MvBn6Jc1HsGf9Wa4EoU1oRiE6.env";
    let names: [&[u8]; 10] = [
        b"a b.env",
        b"c#frag.env",
        b"q?x=1.env",
        b"100%.env",
        b"50%41.env",
        b"back\\slash.env",
        "\u{e9}t\u{e9}.env".as_bytes(),
        b"\xff.env",
        b"colon:x.env",
        secret_name.as_bytes(),
    ];
    for n in names {
        std::fs::write(dir.path().join(std::ffi::OsStr::from_bytes(n)), &body).unwrap();
    }
    // stdout only: the non-UTF-8 name is also a warning on stderr.
    let run = Command::cargo_bin("keyleak")
        .unwrap()
        .current_dir(dir.path())
        .args(["scan", ".", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let out = String::from_utf8(run.stdout).unwrap();
    let doc: Value = serde_json::from_str(&out).unwrap();
    let schema: Value =
        serde_json::from_str(include_str!("../schemas/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&doc));
    let uri_reference = jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&serde_json::json!({"type": "string", "format": "uri-reference"}))
        .unwrap();
    let mut uris = Vec::new();
    for r in doc["runs"][0]["results"].as_array().unwrap() {
        let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(loc["uriBaseId"], "%SRCROOT%");
        let uri = loc["uri"].as_str().unwrap();
        assert!(uri_reference.is_valid(&Value::from(uri)), "{uri}");
        assert!(
            uri.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~/!%".contains(&b)),
            "{uri}"
        );
        uris.push((uri.to_string(), percent_decode(uri)));
    }
    uris.sort();
    let expected: Vec<(&str, &str)> = vec![
        ("%C3%A9t%C3%A9.env", "\u{e9}t\u{e9}.env"),
        ("%EF%BF%BD.env", "\u{FFFD}.env"),
        ("100%25.env", "100%.env"),
        ("50%2541.env", "50%41.env"),
        ("a%20b.env", "a b.env"),
        ("back%5Cslash.env", "back\\slash.env"),
        ("c%23frag.env", "c#frag.env"),
        ("colon%3Ax.env", "colon:x.env"),
        ("q%3Fx%3D1.env", "q?x=1.env"),
        ("q8Lr%E2%80%A6.env", "q8Lr\u{2026}.env"),
    ];
    let got: Vec<(&str, &str)> = uris.iter().map(|(u, d)| (u.as_str(), d.as_str())).collect();
    assert_eq!(got, expected);
    assert!(!out.contains(&secret_name[..20]), "{out}");
}
