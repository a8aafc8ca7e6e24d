//! Configuration and baseline errors say which file and line and why, but never echo a value
//! that could be a secret: a user pasting into `.keyleak.toml` the secret keyleak just
//! reported must not see it come back on stderr (a CI log). Exit 2 every time.

use std::fs;
use std::path::Path;

use crate::common::{Run, scan_in};
use crate::git_common::fake_secret;

/// A fake secret with `/` and `+` in it, where base64 puts them.
pub fn secret_with_slashes() -> String {
    let mut s: Vec<char> = fake_secret().chars().collect();
    s[5] = '/';
    s[17] = '+';
    s[30] = '/';
    s.into_iter().collect()
}

/// Fails if `text` holds any 12-character piece of `secret`.
pub fn assert_no_piece(what: &str, text: &str, secret: &str) {
    for i in 0..=secret.len() - 12 {
        let piece = &secret[i..i + 12];
        assert!(!text.contains(piece), "{what} shows {piece:?}:\n{text}");
    }
}

fn run_with_config(dir: &Path, toml: &str) -> Run {
    fs::write(dir.join(".keyleak.toml"), toml).unwrap();
    scan_in(dir, &["."])
}

#[test]
fn configuration_errors_describe_the_value_instead_of_echoing_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = secret_with_slashes();
    let head = &s[..4];
    let described = format!("a 40-character value (\"{head}…\")");
    // (file, the whole error; `None` where toml's wording depends on the secret's first
    // character).
    let id_error = "is not an AWS key ID (4-letter prefix + 16 of A-Z2-7)";
    let fail_on_names = "is not one of info, low, medium, high, critical, never";
    let fields = "expected one of `fail_on`, `verify`, `placeholders`, `allow`";
    let cases: Vec<(String, Option<String>)> = vec![
        (
            format!("[allow]\nkey_ids = [\"{s}\"]\n"),
            Some(format!(
                ".keyleak.toml:2: allow.key_ids: {described} {id_error}"
            )),
        ),
        (
            format!("placeholders = [\"{s}\"]\n"),
            Some(format!(
                ".keyleak.toml:1: placeholders: {described} {id_error}"
            )),
        ),
        (
            format!("verify = \"{s}\"\n"),
            Some(format!(
                ".keyleak.toml:1: invalid type: string {described}, expected a boolean"
            )),
        ),
        (
            format!("\nfail_on = \"{s}\"\n"),
            Some(format!(
                ".keyleak.toml:2: fail_on = {described} {fail_on_names}"
            )),
        ),
        (
            format!("[allow]\npaths = [\"{s}[\"]\n"),
            Some(format!(
                ".keyleak.toml:2: allow.paths: a 41-character value (\"{head}…\"): unclosed character class; missing ']'"
            )),
        ),
        (
            format!("[allow]\nkey_ids = \"{s}\"\n"),
            Some(format!(
                ".keyleak.toml:2: invalid type: string {described}, expected a sequence"
            )),
        ),
        // A secret as a key, and on lines toml cannot parse: its message quotes nothing.
        (
            format!("\"{s}\" = 1\n"),
            Some(format!(
                ".keyleak.toml:1: unknown field {described}, {fields}"
            )),
        ),
        (format!("aws_secret_access_key = {s}\n"), None),
        (format!("fail_on = [\"high\" {s}]\n"), None),
        (
            format!("fail_on = \"\"\"{s}\n"),
            Some(".keyleak.toml:2: invalid multi-line basic string, expected `\"`".to_string()),
        ),
    ];
    for (toml, want) in cases {
        let run = run_with_config(d, &toml);
        assert_eq!(run.code, 2, "{toml}: {}", run.stderr);
        match want {
            Some(want) => assert_eq!(run.stderr, format!("keyleak: error: {want}\n"), "{toml}"),
            None => assert!(run.stderr.starts_with("keyleak: error: .keyleak.toml:1: ")),
        }
        assert_no_piece(&toml, &run.stderr, &s);
    }
    // A short bad value is still shown, so a typo is easy to find.
    let run = run_with_config(d, "fail_on = \"sometimes\"\n");
    assert_eq!(
        run.stderr,
        "keyleak: error: .keyleak.toml:1: fail_on = \"sometimes\" is not one of info, low, medium, high, critical, never\n"
    );
    // An unknown key whose value is a secret names the key only.
    let run = run_with_config(d, &format!("aws_secret_access_key = \"{s}\"\n"));
    assert_eq!(
        run.stderr,
        "keyleak: error: .keyleak.toml:1: unknown field `aws_secret_access_key`, expected one of `fail_on`, `verify`, `placeholders`, `allow`\n"
    );
}

#[test]
fn baseline_errors_describe_the_value_instead_of_echoing_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = secret_with_slashes();
    let head = &s[..4];
    let cases = [
        (
            format!("{{\"version\":\"{s}\",\"findings\":[]}}"),
            format!(
                "invalid type: string a 40-character value (\"{head}…\"), expected u32 at line 1 column 53"
            ),
        ),
        (
            format!("{{\"version\":1,\"findings\":\"{s}\"}}"),
            format!(
                "invalid type: string a 40-character value (\"{head}…\"), expected a sequence at line 1 column 66"
            ),
        ),
        (
            format!("{{\"version\":1,\"{s}\":[]}}"),
            format!(
                "unknown field a 40-character value (\"{head}…\"), expected `version` or `findings` at line 1 column 55"
            ),
        ),
    ];
    for (json, why) in cases {
        fs::write(d.join("b.json"), &json).unwrap();
        let run = scan_in(d, &[".", "--baseline", "b.json"]);
        assert_eq!(run.code, 2, "{json}: {}", run.stderr);
        assert_eq!(
            run.stderr,
            format!("keyleak: error: baseline b.json: not a keyleak baseline: {why}\n"),
            "{json}"
        );
        assert_no_piece(&json, &run.stderr, &s);
    }
}
