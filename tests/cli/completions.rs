//! `keyleak completions SHELL` and `keyleak man`: generated from the clap definition, printed
//! to stdout, naming the real subcommands, options and values.

use std::path::Path;

use crate::common::{ROOT, Run, finish, isolate};

fn keyleak(args: &[&str]) -> Run {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_keyleak"));
    isolate(&mut cmd, Path::new(ROOT));
    finish(cmd.args(args))
}

#[test]
fn bash_completion_is_valid_bash_naming_subcommands_options_and_values() {
    let run = keyleak(&["completions", "bash"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    let script = &run.stdout;
    for word in ["scan", "install-hook", "--format", "--git", "--fail-on"] {
        assert!(script.contains(word), "{word} missing");
    }
    // The values of --format, the new one included.
    assert!(
        script.contains("human json jsonl sarif github gitlab"),
        "{script}"
    );
    assert!(script.contains("complete -F _keyleak"), "{script}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keyleak.bash");
    std::fs::write(&file, script).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&check.stderr)
    );

    // Sourced, it completes as bash would call it (command, word, previous word).
    let complete = |words: &str, cword: usize, cur: &str, prev: &str| {
        let script = format!(
            "source \"$1\"; COMP_WORDS=({words}); COMP_CWORD={cword}; \
             _keyleak keyleak '{cur}' '{prev}'; echo \"${{COMPREPLY[*]}}\""
        );
        let out = std::process::Command::new("bash")
            .args(["-c", &script, "bash"])
            .arg(&file)
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .trim_end()
            .to_string()
    };
    assert_eq!(
        complete("keyleak scan --format ''", 3, "", "--format"),
        "human json jsonl sarif github gitlab"
    );
    assert_eq!(
        complete("keyleak ''", 1, "", "keyleak"),
        "-h -V --help --version scan role install-hook completions man merge help"
    );
}

#[test]
fn every_shell_gets_a_script() {
    for (shell, marker) in [
        ("zsh", "#compdef keyleak"),
        ("fish", "complete -c keyleak"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[keyleak]"),
    ] {
        let run = keyleak(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains(marker), "{shell}: {marker} missing");
        assert!(run.stdout.contains("format"), "{shell}: --format missing");
        assert!(run.stdout.contains("install-hook"), "{shell}");
    }
}

#[test]
fn an_unknown_or_missing_shell_is_a_usage_error() {
    let run = keyleak(&["completions", "tcsh"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("[possible values: bash, elvish, fish, powershell, zsh]")
    );
    assert_eq!(run.stdout, "");
    assert_eq!(keyleak(&["completions"]).code, 2);
}

#[test]
fn man_page_is_roff_with_a_page_per_subcommand_naming_the_options() {
    let run = keyleak(&["man"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = &run.stdout;
    // Only clap_mangen's two-line apostrophe definition comes before the title.
    let lines: Vec<&str> = page.lines().collect();
    assert_eq!(lines[..2], [r".ie \n(.g .ds Aq \(aq", r".el .ds Aq '"]);
    assert!(
        lines[2].starts_with(".TH keyleak 1 "),
        "first title: {}",
        lines[2]
    );
    let titles: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix(".TH "))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "keyleak",
            "keyleak-scan",
            "keyleak-role",
            "keyleak-install-hook",
            "keyleak-completions",
            "keyleak-man",
            "keyleak-merge"
        ]
    );
    // roff escapes dashes: the options as the page writes them.
    for option in [
        r"\fB\-\-format\fR",
        r"\fB\-\-git\fR",
        r"\fB\-\-fail\-on\fR",
        r"\fB\-\-show\-secrets\fR",
        r"\fB\-\-force\fR",
    ] {
        assert!(page.contains(option), "{option} missing");
    }
    assert!(page.contains("gitlab: GitLab Secret Detection report"));
    assert!(page.contains(&format!("\"keyleak {}\"", env!("CARGO_PKG_VERSION"))));
}
