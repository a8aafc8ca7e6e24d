//! Exact findings for every file under `testdata/`: each planted key with its kind, risk,
//! pairing (the full secret and token, read with `--show-secrets`), account and advice
//! context, and nothing else. testdata/README.md says what each file holds. Runs are at
//! [`FIXED_NOW`], so the presigned URLs' risk does not change with the day.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{FIXED_NOW, ROOT, Run, Want, assert_findings, parse_table};
use crate::scan_negative::DOCS;

/// Every finding in `testdata/positive`, in report order (path, then line, then column).
/// Columns: see [`parse_table`]. Why the rows are what they are:
/// - An AKIA key ID with its secret on the next line is a working long-term credential:
///   critical. Each of the two profiles in `.aws/credentials` gets its own secret.
/// - `S3Client.java` uses an old-style key ID (fifth character `I`): no account encoded.
/// - `config.json`: an ASIA key with its secret and session token would be medium (it
///   expires), but its `expiration` has passed: low.
/// - `logs/deploy.log`: the ASIA key and the token are seven lines apart, beyond the pairing
///   window (5 lines), so each is reported alone: low and low.
/// - `lone_secret.properties`: a secret after `secretKey=` with no key ID: high.
/// - `sts/assume-role.json` and `ci/assume_role.sh`: an ASIA key with its secret and a
///   generated session token, medium; the token's own region and account are checked in
///   `scan_token_meta`. The STS output's `Expiration` (2024) has passed: low.
/// - `sts/` and `.aws/cli/cache/`: STS-shaped outputs whose `Expiration` is before or after
///   [`FIXED_NOW`]: low once passed, medium before; the expiry itself is checked in
///   `scan_sts_expiry`. A long-term key stays critical whatever `Expiration` is next to it.
/// - `terraform.tfstate` (72 lines apart), `application.properties` (38 lines apart) and
///   `dotnet/Web.config` (7 lines apart): configuration files by name, where a key ID and a
///   secret announced by their keywords pair file-wide: critical. `etc/default/uploader`
///   (8 lines apart) has no extension, but every line is `KEY=value`: a configuration file
///   by content, critical too. `settings.py` (Django, 48 lines apart) is no configuration file,
///   but assigns the SDK's variable names `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` once
///   each: one credential, critical (`env_pairing`).
/// - `presigned/`: a key ID that signs a presigned URL is one `presigned_url` finding, never
///   paired: `low` while the URL is valid or its expiry unknown, `info` once expired
///   (`scan_presigned.rs` checks the expiry fields). The ASIA URL carries its session token.
/// - `canary/`: key IDs of canarytokens.org accounts: at most `low` (`scan_canary.rs`).
/// - Contexts: `.aws/` and `.env` are credentials files, `.github/workflows/` GitHub Actions,
///   `Dockerfile` a container, `.tf` and `.tfstate` infrastructure as code, `k8s/` Kubernetes,
///   `serverless.yml` Lambda, `.py`/`.js`/`.java`/`.sh` SDK code; the rest has no marker:
///   generic.
pub const POSITIVE: &str = "
    // path line:col kind key_id account risk secret secret_line token(head#len) real|example context
    testdata/positive/.aws/cli/cache/6f2d9c0b4e1a87f35d2c9b0e41a7f3c58d6e2b19.json  1:34  aws_temporary_access_key  ASIAC73GWDLBH47KEKUY  205836917442  low  5cYvSMLF4X7L8icBcIJwK5ca1ijOo0KO1b4h3jKZ  1  IQoJb3JpZ2luX2VjkYqL8cj8#843  real  credentials_file
    testdata/positive/.aws/credentials              3:21   aws_access_key            AKIAVRUVS7NIUJULA7YF  381492067153  critical  ABkcIpIGICgR0DkqXbpBuzxPSil4m4siFj4AEZ3w  4   -                             real  credentials_file
    testdata/positive/.aws/credentials              8:21   aws_access_key            AKIA2PSAGESIRWAO6JP6  720615384209  critical  edUeJmWzF/9BCdhIaa1hhZ/8GFgypivOIPGrJl0h  9   -                             real  credentials_file
    testdata/positive/.env                          5:19   aws_access_key            AKIAVRUVS7NI7BB7QMHP  381492067153  critical  ztIlqWOx3DJsJi0cBD5bC9KRTELpsjRC76v7wV0W  6   -                             real  credentials_file
    testdata/positive/.github/workflows/deploy.yml  11:26  aws_access_key            AKIAVRUVS7NITTR7JPKH  381492067153  critical  OSrA29gvHZXzjJe5HKwycbQy9DIhxTAupXqug8eg  12  -                             real  github_actions
    testdata/positive/Dockerfile                    9:23   aws_access_key            AKIAS73GWDLBKZIQ5L5O  205836917442  critical  Hk/IiwrLVzD0YkKcUcqldIhNQATX1GkCr9gSk2t7  10  -                             real  ecs_container
    testdata/positive/S3Client.java                 11:47  aws_access_key            AKIAI7SSEIK3PGJSFUZ2  -             critical  4lC/lDp6UiA3NKeIgIIhLoLgkjoRkwpN77r1uIXb  12  -                             real  sdk_code
    testdata/positive/app.yaml                      11:19  aws_access_key            AKIAS73GWDLBLXUU22MZ  205836917442  critical  0V9TyB/uLkj/AROMqGLPGbA1Mc73nNsnNoP5nAZB  12  -                             real  generic
    testdata/positive/application.properties        7:19   aws_access_key            AKIA2PSAGESI3MSDHVLY  720615384209  critical  TmbQgJDy2IVEbToi0d7SWk2UJbglS53fZ9J6mS9s  45  -                             real  generic
    testdata/positive/canary/credentials            3:21   aws_access_key            AKIAQYLPMN5HP35U6F6W  052310077262  low       qy+ciB27mXY85V0EQhP2erUlgqzX3naCzcF+JcMH  4   -                             real  credentials_file
    testdata/positive/canary/credentials            7:21   aws_access_key            AKIAQU4OL7HG7MMCLTU6  044858866125  low       -                                         -   -                             real  credentials_file
    testdata/positive/ci/assume_role.sh             6:26   aws_temporary_access_key  ASIAS73GWDLBPACFRVGM  205836917442  medium    EPRXPGdVVBdyPvmtkcbfP5QcFsYm7V/x938c4SZL  7   IQoJb3JpZ2luX2VjED0aCXVz#956  real  sdk_code
    testdata/positive/config.json                   9:21   aws_temporary_access_key  ASIAVRUVS7NI7XTJWVMC  381492067153  low       Yc+TiPWMX9XTn0uR4Ec1Vt/1uDgaBCt5O6xYBzw2  10  IQoJb3JpZ2luX2VjUZB/0yk8#412  real  generic
    testdata/positive/deploy.js                     9:19   aws_access_key            AKIAVRUVS7NIWJOS7BII  381492067153  critical  K0qKLwKykR1mnAL+s8fc2+GYZxvS4ZhugozJDNwF  10  -                             real  sdk_code
    testdata/positive/dotnet/Web.config             8:36   aws_access_key            AKIAFRUVS7NIQ7VKLHUD  381492067153  critical  iY/YNBJJA4heNk1XySpQtAR/f5sfMaLCPnJ1Fbo7  15  -                             real  generic
    testdata/positive/etc/default/uploader          2:19   aws_access_key            AKIA2PSAGESITID4GMVG  720615384209  critical  g/uSHX8h486AK9J5ODiJVpDOrOGD8RQBXvAo6oaw  10  -                             real  generic
    testdata/positive/k8s/secret.yaml               8:22   aws_access_key            AKIA2PSAGESI2I7GONT2  720615384209  critical  I3gUK4RbYVHgU0kET3US2J8lUjOpyPd0weoB3eVT  9   -                             real  kubernetes
    testdata/positive/logs/deploy.log               2:81   aws_temporary_access_key  ASIA2PSAGESIV6X5CIFJ  720615384209  low       -                                         -   -                             real  generic
    testdata/positive/logs/deploy.log               9:206  aws_session_token         -                     -             low       -                                         -   IQoJb3JpZ2luX2VjEqKTMTbX#436  real  generic
    testdata/positive/lone_secret.properties        5:22   aws_secret_access_key     -                     -             high      QL8v3r+S36rVC6GupLFe+AIbQQ7JWkxqd+dOtpWG  5   -                             real  generic
    testdata/positive/main.tf                       12:17  aws_access_key            AKIAS73GWDLBGCYVAFWN  205836917442  critical  WNA1pLn6JZnzB9YyJAskBvXDk3FLNUzjB87wb0zZ  13  -                             real  infrastructure_as_code
    testdata/positive/presigned/access.log          1:93   presigned_url             AKIAVRUVS7NI3SH2AK3B  381492067153  low       -                                         -   -                             real  generic
    testdata/positive/presigned/access.log          2:155  presigned_url             AKIAS73GWDLBGKFC26BO  205836917442  info      -                                         -   -                             real  generic
    testdata/positive/presigned/access.log          3:127  presigned_url             AKIA2PSAGESIQFQ3JTZ7  720615384209  low       -                                         -   -                             real  generic
    testdata/positive/presigned/api-response.json   4:130  presigned_url             AKIAVRUVS7NI7K6MN6W5  381492067153  info      -                                         -   -                             real  generic
    testdata/positive/presigned/download.html       6:144  presigned_url             ASIA2PSAGESIQEWFDYAJ  720615384209  low       -                                         -   IQoJb3JpZ2luX2VjIU+hrDWT#844  real  generic
    testdata/positive/presigned/redirect.log        2:177  presigned_url             ASIA2PSAGESIUJZDEGXD  720615384209  low       -                                         -   IQoJb3JpZ2luX2VjEyGhnmQH#399  real  generic
    testdata/positive/presigned/redirect.log        3:98   presigned_url             AKIAS73GWDLBNCF32EPF  205836917442  info      -                                         -   -                             real  generic
    testdata/positive/presigned/share-links.md      5:146  presigned_url             AKIAVRUVS7NIRKJYE62L  381492067153  low       -                                         -   -                             real  generic
    testdata/positive/presigned/share-links.md      6:164  presigned_url             AKIA2PSAGESI4L34XAVW  720615384209  info      -                                         -   -                             real  generic
    testdata/positive/presigned/share-links.md      7:186  presigned_url             AKIAS73GWDLBGJ7U6WOO  205836917442  low       -                                         -   -                             real  generic
    testdata/positive/serverless.yml                10:23  aws_access_key            AKIAS73GWDLBKAG4U7WT  205836917442  critical  TlxxwY/pMAiJGLtlXUPN2mcaFK42nOLAwMu2oOU0  11  -                             real  lambda
    testdata/positive/settings.py                   8:22   aws_access_key            AKIAVRUVS7NI5B4DJH7S  381492067153  critical  KByrTDJUm8o0HvBMA2vtIeGZEzxZw42pnoMVm0gr  56  -                             real  sdk_code
    testdata/positive/sts/assume-role.json          3:25   aws_temporary_access_key  ASIA2PSAGESIXFWFUUEI  720615384209  low       fmLKKkVvOJJOlFbHjfKWi/rxyPanQ0/XniRIRewn  4   IQoJb3JpZ2luX2VjED0aCWV1#956  real  generic
    testdata/positive/sts/credential-process.json   3:19   aws_temporary_access_key  ASIA2PSAGESIQMAPWOOU  720615384209  low       fTmSFsU3DnngXGIjavXgk1mawymKkehxswlLYcq4  4   IQoJb3JpZ2luX2Vjrz+zchMn#390  real  generic
    testdata/positive/sts/export-credentials.env    1:26   aws_temporary_access_key  ASIAC73GWDLBADIV4XNU  205836917442  medium    uvuEK2gcBSAIK3oMRHUmaJEuy6mByggzqiv9xi1R  2   IQoJb3JpZ2luX2Vj3IgebYni#576  real  credentials_file
    testdata/positive/sts/get-session-token.json    3:25   aws_temporary_access_key  ASIAVRUVS7NIU6DHFG2S  381492067153  medium    1CJ1Z34NPULBHnsNzJSl5ZAz8XC5JWI8dC4On3LI  4   IQoJb3JpZ2luX2Vju6d5KY29#456  real  generic
    testdata/positive/sts/imds-security-credentials.json  5:20  aws_temporary_access_key  ASIAFRUVS7NIXQT3PAWY  381492067153  medium  9hR5hTodkkyfh0J5dlb6RIV+Hl5HjqnK3JO4I8i9  6  IQoJb3JpZ2luX2VjPGiOpmuz#950  real  generic
    testdata/positive/sts/long-term-process.json    3:19   aws_access_key            AKIAS73GWDLBCKFJU4WG  205836917442  critical  epsrP+sKEX1/Wr9Y4tRvh3QrBu8sJ1uVtgtHkOSX  4   -                             real  generic
    testdata/positive/sts/session-state.json        4:21   aws_temporary_access_key  ASIAVRUVS7NI6YPUCYWG  381492067153  medium    GQ6BtP1lNmZCCxh2NaCkg+MImUFIs46vu4+8BJOC  5   IQoJb3JpZ2luX2VjsF0L+xKb#550  real  generic
    testdata/positive/sts/sso-role-credentials.json 3:25   aws_temporary_access_key  ASIAKPSAGESIXFDZ5Y4K  720615384209  low       FG8xUFhtGisYsNXMNZoiJZ5oD+lGKGxjD41NoFbQ  4   IQoJb3JpZ2luX2Vjf9JoeKUK#683  real  generic
    testdata/positive/terraform.tfstate             8:17   aws_access_key            AKIAS73GWDLBLW7DBWHC  205836917442  critical  3j/XsG1DC1ndZ9PvSgL0MNjxpSnbaRXD3sF9c1E/  80  -                             real  infrastructure_as_code
    testdata/positive/upload.py                     9:24   aws_access_key            AKIA2PSAGESI2SSAKGP4  720615384209  critical  AAfZ7L0jmz2R5sj44WWItG6IxrOscO6S0KFaXIDd  10  -                             real  sdk_code
";

fn positive() -> Vec<Want> {
    parse_table(POSITIVE)
}

fn scan(args: &[&str]) -> Run {
    crate::common::scan_at(FIXED_NOW, args)
}

/// Every regular file under `dir`, as the paths keyleak reports (relative to the crate root).
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::from(ROOT).join(dir)];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable testdata") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(ROOT).expect("under the root");
                out.push(rel.to_str().expect("UTF-8 testdata names").to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn positive_tree_exact_findings() {
    let run = scan(&["testdata/positive", "--format", "json", "--show-secrets"]);
    assert_eq!(
        run.code, 1,
        "critical findings fail with the default --fail-on"
    );
    assert_findings(&run.findings(), &positive());
    assert!(run.stderr.is_empty(), "no warnings: {}", run.stderr);
}

#[test]
fn positive_tree_summary() {
    let run = scan(&["testdata/positive", "--format", "json"]);
    let summary = &run.json()["summary"];
    let want = positive();
    assert_eq!(summary["findings"], want.len());
    let by_risk: BTreeMap<String, u64> =
        serde_json::from_value(summary["by_risk"].clone()).expect("by_risk is a map");
    let counts = [
        ("critical", 18),
        ("high", 1),
        ("medium", 5),
        ("low", 15),
        ("info", 4),
    ];
    for (risk, n) in counts {
        assert_eq!(by_risk.get(risk).copied().unwrap_or(0), n, "{risk}");
    }
    // By account, counted from the table (whose accounts are decoded independently).
    let mut by_account: BTreeMap<String, u64> = BTreeMap::new();
    for w in &want {
        let a = w.account.clone().unwrap_or_else(|| "unknown".into());
        *by_account.entry(a).or_default() += 1;
    }
    assert_eq!(
        serde_json::from_value::<BTreeMap<String, u64>>(summary["by_account"].clone()).unwrap(),
        by_account
    );
    // The three made-up accounts of testdata/README.md, the two canary accounts, and the
    // unknowns: the legacy key, the lone secret, the lone token.
    assert_eq!(by_account.len(), 6);
    assert_eq!(by_account["unknown"], 3);
    let files = files_under(Path::new("testdata/positive"));
    assert_eq!(summary["scanned_blobs"], files.len());
    assert_eq!(summary["allowed_inline"], 0);
    assert_eq!(summary["warnings"], 0);
}

/// The "done when": `keyleak scan testdata --format json` lists every planted key and
/// no look-alike. The negatives add only the documentation examples, as info; `samples/`
/// adds AWS's published samples, as info, and the one real key beside them.
#[test]
fn whole_testdata_tree_is_positives_and_doc_examples() {
    let run = scan(&["testdata", "--format", "json", "--show-secrets"]);
    assert_eq!(run.code, 1);
    // Report order: testdata/binary, deep, encoded, negative, positive, samples.
    let mut want = parse_table(crate::scan_binary_glued::BINARY);
    want.extend(parse_table(crate::scan_hex_nested::DEEP));
    want.extend(parse_table(crate::scan_decoding::ENCODED));
    want.extend(parse_table(DOCS));
    want.extend(positive());
    want.extend(parse_table(crate::scan_doc_samples::SAMPLES));
    assert_findings(&run.findings(), &want);
    let files = files_under(Path::new("testdata"));
    assert_eq!(run.json()["summary"]["scanned_blobs"], files.len());
}

/// Each file given alone as the PATH gives exactly its own rows: nothing depends on
/// neighbours, and a file path (not a directory) is reported as given.
#[test]
fn each_file_alone_gives_its_own_rows() {
    let mut all = parse_table(DOCS);
    all.extend(positive());
    all.extend(parse_table(crate::scan_decoding::ENCODED));
    all.extend(parse_table(crate::scan_doc_samples::SAMPLES));
    all.extend(parse_table(crate::scan_hex_nested::DEEP));
    all.extend(parse_table(crate::scan_binary_glued::BINARY));
    for file in files_under(Path::new("testdata")) {
        let run = scan(&[&file, "--format", "json", "--show-secrets"]);
        let want: Vec<Want> = all.iter().filter(|w| w.path == file).cloned().collect();
        let failing = want.iter().any(|w| w.risk != "info");
        assert_eq!(run.code, i32::from(failing), "{file}");
        assert_findings(&run.findings(), &want);
    }
}

fn advice(f: &Value) -> (&str, &str, &str) {
    let a = &f["advice"];
    (
        a["context"].as_str().unwrap(),
        a["first_step"].as_str().unwrap(),
        a["replace_with"].as_str().unwrap(),
    )
}

/// The advice the issue asks for, by key kind (first step) and by context (the role that
/// replaces the key). Checked on key phrases, not whole sentences.
#[test]
fn advice_names_the_first_step_and_the_replacing_role() {
    let run = scan(&["testdata/positive", "--format", "json"]);
    for f in run.findings() {
        let (context, first, instead) = advice(&f);
        let expired = f["expired"] == true;
        let first_words: &[&str] = match f["kind"].as_str().unwrap() {
            _ if f["canary"] == true => &["tripwire", "do not test it"],
            "presigned_url" if expired => &["Expired", "presigned URL"],
            "presigned_url" => &["presigned URL", "deactivate the signing key"],
            "aws_access_key" => &["delete", "CloudTrail"],
            "aws_temporary_access_key" if expired => &["Expired", "Expiration", "CloudTrail"],
            "aws_temporary_access_key" => &["12 h", "36 h", "sessions"],
            "aws_secret_access_key" => &["delete"],
            "aws_session_token" => &["sessions"],
            other => panic!("unexpected kind {other}"),
        };
        let instead_words: &[&str] = match context {
            "github_actions" => &["OIDC", "configure-aws-credentials", "role-to-assume"],
            "ecs_container" => &["task role"],
            "kubernetes" => &["Pod Identity", "IRSA"],
            "lambda" => &["execution role"],
            "infrastructure_as_code" => &["aws_iam_access_key", "instance profile"],
            "credentials_file" => &["IAM Identity Center", "aws configure sso"],
            "sdk_code" => &["default credential chain"],
            "generic" => &["role"],
            other => panic!("unexpected context {other}"),
        };
        for w in first_words {
            assert!(first.contains(w), "{f}: first_step lacks {w:?}");
        }
        for w in instead_words {
            assert!(instead.contains(w), "{f}: replace_with lacks {w:?}");
        }
    }
}

/// Fingerprints: 32 hex digits, the same on every run, different for different keys or files.
#[test]
fn fingerprints_are_stable_and_distinct() {
    let prints = || -> Vec<String> {
        scan(&["testdata/positive", "--format", "json"])
            .findings()
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    let first = prints();
    assert_eq!(first, prints());
    for p in &first {
        assert_eq!(p.len(), 32, "{p}");
        assert!(p.bytes().all(|b| b.is_ascii_hexdigit()), "{p}");
    }
    let mut unique = first.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), first.len());
}
