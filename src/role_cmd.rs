//! `keyleak role PATH[:LINE]`: the role setup for the keys in one file, written out by
//! [`crate::risk::role::render`].
//!
//! A driver like [`crate::run_scan`]: it scans the file through the same `Settings` and `scan`
//! as `keyleak scan PATH` (no detection of its own), picks the findings at LINE, and prints.
//! Findings with the same setup are one role. No finding with a role there is an error (exit
//! 2), so a script never takes an empty output for a setup. Prints key IDs, never secrets.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{Args, FromArgMatches};
use serde::Serialize;

use crate::cli::{RoleArgs, RoleFormatArg, ScanArgs, SnippetArg};
use crate::error::Error;
use crate::model::finding::Finding;
use crate::model::role::RoleSetup;
use crate::printable;
use crate::risk::role::render::{self, Snippets, Target};
use crate::settings::Settings;

/// One role to create, for the findings that share its setup.
#[derive(Debug, Serialize)]
struct Setup<'a> {
    path: &'a str,
    lines: Vec<u32>,
    key_ids: Vec<String>,
    /// The account the key IDs encode, when they do.
    account_id: Option<String>,
    context: &'static str,
    role_name: String,
    role: &'a RoleSetup,
    #[serde(skip_serializing_if = "Option::is_none")]
    cli: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    terraform: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cloudformation: Option<String>,
}

/// Runs `keyleak role`; `Ok` when something was printed.
pub fn run(args: &RoleArgs) -> Result<(), Error> {
    let (path, line) = split_target(&args.target);
    if !path.is_file() {
        return Err(Error::PathNotFound(path));
    }
    if let Some(name) = &args.role_name {
        check_role_name(name)?;
    }
    let settings = Settings::resolve(scan_args(&path)?)?;
    let result = crate::scan::scan(&settings)?.result;
    for w in &result.warnings {
        eprintln!("keyleak: warning: {w}");
    }
    let at = match line {
        Some(l) => format!("{}:{l}", path.display()),
        None => path.display().to_string(),
    };
    let at_line =
        |f: &&Finding| line.is_none_or(|l| f.location.line == l || f.secret_line == Some(l));
    let found: Vec<&Finding> = result.findings.iter().filter(at_line).collect();
    let with_role: Vec<&Finding> = found
        .iter()
        .copied()
        .filter(|f| f.advice.role.is_some())
        .collect();
    if with_role.is_empty() {
        let allowed = result.stats.suppressed.total();
        let why = match (found.is_empty(), allowed) {
            (true, 0) => "no AWS key found there".to_string(),
            (true, n) => format!(
                "no AWS key reported there ({n} in the file left out by an inline marker or the \
                 configuration's allow-list)"
            ),
            (false, _) => "only an example key, an identifier or a canary token there: no key \
                           to replace"
                .to_string(),
        };
        return Err(Error::NoRole { at, why });
    }
    let repo = settings.repo.remote.as_ref().map(|r| r.path.as_str());
    let setups = setups(&with_role, args, repo);
    if setups
        .iter()
        .all(|s| s.cli.is_none() && s.terraform.is_none() && s.cloudformation.is_none())
    {
        return Err(Error::NoRole {
            at,
            why: "no role to create here (people sign in through IAM Identity Center; a \
                  third-party tool or break-glass user keeps an IAM user), so no Terraform or \
                  CloudFormation: `--only cli` prints what to do instead"
                .to_string(),
        });
    }
    // One template is one stack's document: two roles' templates one after the other are
    // neither valid YAML nor, for Terraform, free of a second provider for the same URL.
    if matches!(
        args.only,
        Some(SnippetArg::Terraform | SnippetArg::Cloudformation)
    ) && args.format == RoleFormatArg::Text
        && setups.len() > 1
    {
        let lines: Vec<String> = setups
            .iter()
            .map(|s| {
                s.lines
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect();
        return Err(Error::Usage {
            flag: "--only",
            message: format!(
                "{} role setups in {} (lines {}): one template per role; name one with \
                 PATH:LINE",
                setups.len(),
                printable::text(setups[0].path),
                lines.join("; ")
            ),
        });
    }
    let text = match args.format {
        RoleFormatArg::Json => {
            serde_json::to_string_pretty(&serde_json::json!({ "setups": setups })).expect("JSON")
                + "\n"
        }
        RoleFormatArg::Text => setups
            .iter()
            .map(|s| text(s, args.only))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    use std::io::Write;
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(Error::Output)
}

/// `PATH:LINE` → the path and line; a path that exists whole, or whose suffix is no number,
/// is all path.
fn split_target(target: &str) -> (PathBuf, Option<u32>) {
    if !Path::new(target).exists()
        && let Some((path, line)) = target.rsplit_once(':')
        && let Ok(line) = line.parse::<u32>()
    {
        return (PathBuf::from(path), Some(line));
    }
    (PathBuf::from(target), None)
}

/// IAM's role-name grammar: 1 to 64 of letters, digits and `+=,.@_-`.
fn check_role_name(name: &str) -> Result<(), Error> {
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    match ok {
        true => Ok(()),
        false => Err(Error::Usage {
            flag: "--role-name",
            message: "1 to 64 letters, digits or +=,.@_-".into(),
        }),
    }
}

/// `keyleak scan PATH` with every option at its default: clap fills them, so the role command
/// scans exactly as the scan command does.
fn scan_args(path: &Path) -> Result<ScanArgs, Error> {
    let argv = [OsString::from("scan"), "--".into(), path.as_os_str().into()];
    let matches = ScanArgs::augment_args(clap::Command::new("scan"))
        .try_get_matches_from(argv)
        .map_err(|e| Error::Usage {
            flag: "PATH",
            message: e.to_string(),
        })?;
    ScanArgs::from_arg_matches(&matches).map_err(|e| Error::Usage {
        flag: "PATH",
        message: e.to_string(),
    })
}

/// The findings grouped by setup and account (a role is made in the key's account), in report
/// order; a second role in one file gets `-2`.
fn setups<'a>(found: &[&'a Finding], args: &RoleArgs, repo: Option<&str>) -> Vec<Setup<'a>> {
    let mut groups: Vec<(&'a RoleSetup, Vec<&'a Finding>)> = Vec::new();
    for f in found {
        let role = f.advice.role.as_ref().expect("filtered on a role");
        let same = |(r, fs): &&mut (&RoleSetup, Vec<&Finding>)| {
            *r == role && fs[0].account_id == f.account_id
        };
        match groups.iter_mut().find(same) {
            Some((_, fs)) => fs.push(f),
            None => groups.push((role, vec![f])),
        }
    }
    groups
        .iter()
        .enumerate()
        .map(|(i, (role, fs))| {
            let first = fs[0];
            let path = first.location.path.as_str();
            let mut role_name = args.role_name.clone().unwrap_or_else(|| {
                render::default_role_name(role, first.advice.context, repo, path)
            });
            if i > 0 {
                role_name = format!("{}-{}", &role_name[..role_name.len().min(60)], i + 1);
            }
            let Snippets {
                cli,
                terraform,
                cloudformation,
            } = render::render(&Target {
                setup: role,
                role_name: &role_name,
            });
            let want = |s: SnippetArg| args.only.is_none_or(|o| o == s);
            let mut key_ids: Vec<String> = Vec::new();
            for id in fs.iter().filter_map(|f| f.key_id.map(|k| k.to_string())) {
                if !key_ids.contains(&id) {
                    key_ids.push(id);
                }
            }
            Setup {
                path,
                lines: fs.iter().map(|f| f.location.line).collect(),
                key_ids,
                account_id: first.account_id.map(crate::model::account_string),
                context: first.advice.context,
                role_name,
                role,
                cli: want(SnippetArg::Cli).then_some(cli),
                terraform: terraform.filter(|_| want(SnippetArg::Terraform)),
                cloudformation: cloudformation.filter(|_| want(SnippetArg::Cloudformation)),
            }
        })
        .collect()
}

/// The text form: a commented header, then each snippet under its title; with `--only`, the
/// snippet alone.
fn text(setup: &Setup<'_>, only: Option<SnippetArg>) -> String {
    let sections = [
        ("AWS CLI", &setup.cli),
        ("Terraform", &setup.terraform),
        ("CloudFormation", &setup.cloudformation),
    ];
    if only.is_some() {
        return sections.iter().filter_map(|(_, s)| (*s).clone()).collect();
    }
    let lines: Vec<String> = setup.lines.iter().map(u32::to_string).collect();
    let mut head = format!("keyleak role: {}:{}", setup.path, lines.join(","));
    if !setup.key_ids.is_empty() {
        head += &format!(", key {}", setup.key_ids.join(", "));
    }
    if let Some(account) = &setup.account_id {
        head += &format!(" (account {account})");
    }
    head += &format!(
        "\ncontext: {}; assumed by: {}",
        setup.context,
        setup
            .role
            .principal
            .as_deref()
            .unwrap_or("no one: an IAM user stays, with its key out of the repository")
    );
    if setup.role.trust_policy.is_some() {
        head += &format!("\nrole name: {} (--role-name to change)", setup.role_name);
        let wiring = setup.role.wiring.replace("<ROLE_NAME>", &setup.role_name);
        head += &format!("\nwiring: {wiring}");
    }
    for g in &setup.role.guessed {
        head += &format!("\nassumed: {g}");
    }
    // Remote, branch and path names come from the repository: printable, never raw.
    let mut out: String = head
        .lines()
        .map(|l| format!("# {}\n", printable::text(l)))
        .collect();
    for (title, snippet) in sections {
        if let Some(s) = snippet {
            out += &format!("\n# ---- {title} ----\n{s}");
        }
    }
    out
}
