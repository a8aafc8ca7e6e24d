//! `keyleak role`'s exit 2: no key to replace at PATH[:LINE] (none, an example, one an inline
//! marker allows, a missing file) or a bad option, each with its reason on stderr and nothing
//! on stdout, so a script never takes empty output for a setup.

use crate::role_cmd::{repo, role};
use crate::role_setup::key_pair;

#[test]
fn no_key_to_replace_is_exit_2_with_the_reason() {
    let (key, secret, _) = key_pair();
    let repo = repo(&key, &secret);
    repo.write(
        "docs/example.env",
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n",
    );
    repo.write(
        "allowed.env",
        &format!("AWS_ACCESS_KEY_ID={key} # keyleak:allow\n"),
    );
    for (target, why) in [
        (".github/workflows/deploy.yml:3", "no AWS key found there"),
        (
            "docs/example.env",
            "only an example key, an identifier or a canary token there",
        ),
        ("missing.yml:4", "missing.yml: no such file or directory"),
        (
            "allowed.env:1",
            "allowed.env:1: no AWS key reported there (1 in the file left out by an inline marker",
        ),
    ] {
        let run = role(repo.path(), &[target]);
        assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{target}");
        assert!(run.stderr.contains(why), "{target}: {}", run.stderr);
    }
    let bad = role(repo.path(), &["user-data.sh", "--role-name", "a b"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}
