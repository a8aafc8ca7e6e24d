//! `.keyleak.toml`: allowed paths and key IDs, extra placeholder keys, `fail_on`, `verify`.
//!
//! Owns reading and validating the file; unknown keys and bad values are errors that name
//! the line (exit 2). It does not apply anything: `crate::filter` does.
//!
//! ```toml
//! fail_on = "high"                     # info | low | medium | high | critical | never
//! placeholders = ["AKIA2BCD3EFG4HIJ5KLM"]  # reported as info, example: true
//! verify = true                        # as --verify, except in --staged runs
//!
//! [allow]
//! paths = ["testdata/**", "*.md"]      # globs on the reported path; no `/` = any file name
//! key_ids = ["AKIAUJZDEGXDNCF32EPF"]    # suppressed wherever they appear
//! ```

pub mod allow_paths;
pub mod baseline;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use globset::GlobBuilder;
use serde::Deserialize;
use toml::Spanned;

use allow_paths::AllowPaths;

use crate::detect::key_id::KeyId;
use crate::model::FailOn;
use crate::model::finding::Risk;
use crate::printable::values;

/// The file looked for when `--config` is not given.
pub const FILE_NAME: &str = ".keyleak.toml";

/// A configuration file that cannot be used, with the line at fault when known. The message
/// never echoes a value that could be a secret (see [`crate::printable::values`]).
#[derive(Debug, thiserror::Error)]
#[error("{path}{}: {message}", .line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ConfigError {
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
}

/// The validated content of a configuration file.
#[derive(Debug, Clone, Default)]
pub struct FileConfig {
    pub fail_on: Option<FailOn>,
    /// `verify = true`: check found key pairs with STS (not applied to `--staged`).
    pub verify: bool,
    pub allow_paths: Vec<String>,
    pub allow_key_ids: BTreeSet<String>,
    pub placeholders: BTreeSet<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    verify: bool,
    #[serde(default)]
    placeholders: Vec<Spanned<String>>,
    #[serde(default)]
    allow: RawAllow,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    key_ids: Vec<Spanned<String>>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parses a `fail_on` value (also used by the CLI's own names).
pub fn parse_fail_on(s: &str) -> Option<FailOn> {
    Some(match s {
        "info" => FailOn::AtLeast(Risk::Info),
        "low" => FailOn::AtLeast(Risk::Low),
        "medium" => FailOn::AtLeast(Risk::Medium),
        "high" => FailOn::AtLeast(Risk::High),
        "critical" => FailOn::AtLeast(Risk::Critical),
        "never" => FailOn::Never,
        _ => return None,
    })
}

impl FileConfig {
    pub fn load(path: &Path) -> Result<FileConfig, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: shown.clone(),
            line: None,
            message: format!("cannot read: {e}"),
        })?;
        FileConfig::parse(&shown, &text)
    }

    pub fn parse(shown: &str, text: &str) -> Result<FileConfig, ConfigError> {
        // Every message, toml's included, goes through `hide_quoted`: a secret pasted where
        // a key ID or a flag belongs must not come back on stderr.
        let err = |span: Option<std::ops::Range<usize>>, message: String| ConfigError {
            path: shown.to_string(),
            line: span.map(|s| line_of(text, s.start)),
            message: values::hide_quoted(&message),
        };
        let raw: Raw = toml::from_str(text).map_err(|e| err(e.span(), e.message().to_string()))?;
        let mut config = FileConfig {
            verify: raw.verify,
            ..FileConfig::default()
        };
        if let Some(f) = raw.fail_on {
            config.fail_on = Some(parse_fail_on(f.get_ref()).ok_or_else(|| {
                err(
                    Some(f.span()),
                    format!(
                        "fail_on = {} is not one of info, low, medium, high, critical, never",
                        values::describe(f.get_ref())
                    ),
                )
            })?);
        }
        for (list, name, target) in [
            (&raw.placeholders, "placeholders", &mut config.placeholders),
            (
                &raw.allow.key_ids,
                "allow.key_ids",
                &mut config.allow_key_ids,
            ),
        ] {
            for id in list {
                if KeyId::parse(id.get_ref().as_bytes()).is_none() {
                    return Err(err(
                        Some(id.span()),
                        format!(
                            "{name}: {} is not an AWS key ID (4-letter prefix + 16 of A-Z2-7)",
                            values::describe(id.get_ref())
                        ),
                    ));
                }
                target.insert(id.get_ref().clone());
            }
        }
        for glob in &raw.allow.paths {
            // globset's own message quotes the whole glob: say what is wrong with `kind()`.
            build_glob(glob.get_ref()).map_err(|e| {
                let what = values::describe(glob.get_ref());
                err(
                    Some(glob.span()),
                    format!("allow.paths: {what}: {}", e.kind()),
                )
            })?;
            config.allow_paths.push(glob.get_ref().clone());
        }
        Ok(config)
    }

    /// The allowed paths as one matcher, or `None` when there are none.
    pub fn allow_globs(&self) -> Option<AllowPaths> {
        (!self.allow_paths.is_empty()).then(|| AllowPaths::new(&self.allow_paths))
    }
}

fn build_glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

/// `--config FILE` if given; else `.keyleak.toml` in the current directory or, failing
/// that, at the root of the git work tree holding it.
pub fn locate(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let here = PathBuf::from(FILE_NAME);
    if here.is_file() {
        return Some(here);
    }
    let repo = git2::Repository::discover(".").ok()?;
    let root = repo.workdir()?.join(FILE_NAME);
    root.is_file().then_some(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_file() {
        let c = FileConfig::parse(
            "k.toml",
            "fail_on = \"high\"\nverify = true\nplaceholders = [\"AKIAUJZDEGXDNCF32EPF\"]\n[allow]\npaths = [\"testdata/**\", \"*.md\"]\nkey_ids = [\"ASIAY34FZKBOKMUTVV7A\"]\n",
        )
        .unwrap();
        assert_eq!(c.fail_on, Some(FailOn::AtLeast(Risk::High)));
        assert!(c.verify);
        assert!(c.placeholders.contains("AKIAUJZDEGXDNCF32EPF"));
        assert!(c.allow_key_ids.contains("ASIAY34FZKBOKMUTVV7A"));
        let globs = c.allow_globs().unwrap();
        assert!(globs.is_match("testdata/a/b.env"));
        assert!(globs.is_match("docs/guide.md"));
        assert!(!globs.is_match("src/main.rs"));
    }

    #[test]
    fn errors_name_the_line() {
        let e = FileConfig::parse("k.toml", "fail_on = \"low\"\n\nfail_son = 1\n").unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.to_string().starts_with("k.toml:3: "), "{e}");
        let e = FileConfig::parse("k.toml", "\nfail_on = \"sometimes\"\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        let e = FileConfig::parse("k.toml", "[allow]\nkey_ids = [\n \"AKIA123\"]\n").unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        let e = FileConfig::parse("k.toml", "[allow]\npaths = [\"a/[\"]\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        let e = FileConfig::parse("k.toml", "[allow]\npaths = 3\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
    }
}
