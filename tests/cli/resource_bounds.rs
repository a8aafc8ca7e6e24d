//! Inputs that must not make keyleak grow or spin: standard input longer than
//! `--max-filesize`. Results are checked, not timings: a run that spins or grows is stopped
//! by the 60-second timeout every run here has.

use crate::common::{Run, scan_stdin};

const K1: &str = "AKIAS73GWDLBIRA6UTJW";
const K2: &str = "AKIAS73GWDLBIHG22U7G";

fn key_ids(run: &Run) -> Vec<String> {
    run.findings()
        .iter()
        .map(|f| format!("{}:{}", f["path"].as_str().unwrap(), f["key_id"]))
        .collect()
}

#[test]
fn standard_input_is_scanned_up_to_max_filesize_with_a_warning() {
    // K1 in the first 2 KiB, K2 after 4 MiB: only K1 is read, and the cut is said.
    let mut input = format!("AWS_ACCESS_KEY_ID={K1}\n").into_bytes();
    input.resize(4 << 20, b'x');
    input.extend_from_slice(format!("\nAWS_ACCESS_KEY_ID={K2}\n").as_bytes());
    let run = scan_stdin(&input, &["--max-filesize", "2K", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(key_ids(&run), [format!("<stdin>:\"{K1}\"")]);
    assert_eq!(run.json()["summary"]["scanned_bytes"], 2048);
    assert_eq!(
        run.stderr,
        "keyleak: warning: <stdin>: over --max-filesize (2048 bytes): scanned the first 2048 \
         bytes only\n"
    );
}

#[test]
fn standard_input_up_to_max_filesize_is_scanned_whole_without_a_warning() {
    let input = format!("AWS_ACCESS_KEY_ID={K1}\n");
    let size = input.len().to_string();
    let run = scan_stdin(
        input.as_bytes(),
        &["--max-filesize", &size, "--format", "json"],
    );
    assert_eq!(key_ids(&run), [format!("<stdin>:\"{K1}\"")]);
    assert_eq!(run.json()["summary"]["scanned_bytes"], input.len());
    assert_eq!(run.stderr, "");
}
