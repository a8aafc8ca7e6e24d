//! AWS's published sample credentials (`src/detect/samples.txt`), as the SDK sources carry
//! them, are `info` examples: the SNS API reference's key ID in botocore's old service model,
//! the old S3 signing examples' secrets, an expired STS session boto's tests keep, the CLI's
//! AssumeRole example token. A real-looking key next to them stays critical.
//! Each file alone never fails a build (`scan_testdata::each_file_alone_gives_its_own_rows`).
//! testdata/README.md says what each file holds.

use crate::common::{FIXED_NOW, Run, assert_findings, parse_table, scan_at};

/// `testdata/samples/`, in report order. Without the table the five samples were `low`,
/// `high`, `low`, `high` and `high`.
pub const SAMPLES: &str = "
    // path line:col kind key_id account risk secret secret_line token(head#len) real|example context
    testdata/samples/assume-role.rst  13:30  aws_session_token  -  -  info  -  -  AQoXdzELDDY//////////wEa#420  example  generic
    testdata/samples/sns.json  7:466  aws_access_key  AKIAJHS4T6XPF7XIURNA  -  info  -  -  -  example  generic
    testdata/samples/test_layer1.py  6:31  aws_temporary_access_key  ASIAIV7R2NUUJ6SB7GKQ  -  info  eIfijGxJlejHDSQiaGr6b7U805U0GKWmllCTt2ZM  6  AQoDYXdzEPn//////////wEa#272  example  sdk_code
    testdata/samples/test_signers.py  11:23  aws_secret_access_key  -  -  info  OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV  11  -  example  sdk_code
    testdata/samples/test_signers.py  18:30  aws_secret_access_key  -  -  info  uV3F3YluFJax1cknvbcGwgjvx4QpvB+leU8dUj2o  18  -  example  sdk_code
    testdata/samples/test_signers.py  23:26  aws_access_key  AKIAKPSAGESI7LE46I7V  720615384209  critical  NSSqnmKDKoSdBZz3Qaaew8/hzQjlgGMNVMDcuPBw  24  -  real  sdk_code
";

fn scan(args: &[&str]) -> Run {
    scan_at(FIXED_NOW, args)
}

#[test]
fn sdk_samples_are_info_examples_and_a_real_key_beside_them_is_critical() {
    let run = scan(&["testdata/samples", "--format", "json", "--show-secrets"]);
    assert_eq!(run.code, 1, "the real key fails the build");
    assert_findings(&run.findings(), &parse_table(SAMPLES));
}
