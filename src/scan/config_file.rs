//! Which blobs are small configuration files, by name, content and size: the [`BlobKind`] the
//! detector cannot tell from bytes alone. In those, a key ID and its secret pair file-wide
//! (`detect::file_pairing`).
//!
//! Configuration by name: the extensions in [`EXTENSIONS`] (ini, cfg, conf, cnf, env, JSON,
//! YAML, HCL, Terraform variables and state, XML, .NET `.config`, plist, properties, TOML),
//! the names in [`NAMES`], names starting `.env` (`.env.production`, `.env-staging`),
//! `*.tfstate.backup`, and `credentials` / `config` in an `.aws` directory. An archive member
//! is judged by its own name (`app.jar!application.yml`).
//!
//! Configuration by content, where the name cannot tell (no extension, a dotfile, or one of
//! [`UNTELLING_EXTENSIONS`]: `credentials`, `secrets.txt`, `app.ini.bak`): every non-blank
//! line is an assignment (`key = value`, `key: value`, `export KEY=value`), a `[section]` or a
//! comment, and there are at least [`MIN_ASSIGNMENTS`]. A script or prose has other lines.
//!
//! Small: at most [`MAX_CONFIG_BYTES`]; a bigger "configuration" is a dump, where far-apart
//! values are rarely one credential.

use crate::detect::BlobKind;

/// Largest blob treated as a configuration file.
pub const MAX_CONFIG_BYTES: usize = 64 * 1024;

/// File extensions of configuration formats, lower case, without the dot.
pub const EXTENSIONS: &[&str] = &[
    "cfg",
    "cnf",
    "conf",
    "config",
    "env",
    "hcl",
    "ini",
    "json",
    "plist",
    "properties",
    "tf",
    "tfstate",
    "tfvars",
    "toml",
    "xml",
    "yaml",
    "yml",
];

/// Whole file names of configuration files, lower case.
pub const NAMES: &[&str] = &[".s3cfg", ".boto"];

/// Extensions that say nothing of the format: such a file is judged by its content.
pub const UNTELLING_EXTENSIONS: &[&str] = &[
    "bak", "dist", "example", "local", "old", "orig", "sample", "template", "tmpl", "txt",
];

/// Assignments a file judged by content must hold at least: one line of `key=value` is any
/// text's accident.
pub const MIN_ASSIGNMENTS: usize = 2;

/// The blob kind for a blob at `path` (as reported: `/`-separated, `!` before an archive
/// member) holding `bytes`.
pub fn blob_kind(path: &str, bytes: &[u8]) -> BlobKind {
    let config = bytes.len() <= MAX_CONFIG_BYTES
        && match by_name(path) {
            Some(config) => config,
            None => is_assignments(bytes),
        };
    if config {
        BlobKind::Config
    } else {
        BlobKind::Other
    }
}

/// Whether the name says configuration (`Some(true)`), something else (`Some(false)`), or
/// nothing (`None`: judge the content).
fn by_name(path: &str) -> Option<bool> {
    let member = path.rsplit('!').next().unwrap_or(path);
    let mut parts = member.rsplit(['/', '\\']);
    let name = parts.next().unwrap_or(member).to_ascii_lowercase();
    let parent = parts.next();
    // A dotfile's one dot starts its name, not an extension.
    let extension = name
        .get(1..)
        .and_then(|rest| rest.rsplit_once('.'))
        .map(|(_, e)| e);
    let config = NAMES.contains(&name.as_str())
        || name.starts_with(".env")
        || name.ends_with(".tfstate.backup")
        || extension.is_some_and(|e| EXTENSIONS.contains(&e))
        || (parent == Some(".aws") && matches!(name.as_str(), "credentials" | "config"));
    match extension {
        _ if config => Some(true),
        None => None,
        Some(e) if UNTELLING_EXTENSIONS.contains(&e) => None,
        Some(_) => Some(false),
    }
}

/// Every non-blank line an assignment, a section header or a comment, with at least
/// [`MIN_ASSIGNMENTS`] assignments; text only (no NUL byte).
fn is_assignments(bytes: &[u8]) -> bool {
    if memchr::memchr(0, bytes).is_some() {
        return false;
    }
    let mut assignments = 0;
    for line in bytes.split(|&b| b == b'\n') {
        let line = line.trim_ascii();
        if line.is_empty() || is_comment(line) || is_section(line) {
            continue;
        }
        if !is_assignment(line) {
            return false;
        }
        assignments += 1;
    }
    assignments >= MIN_ASSIGNMENTS
}

fn is_comment(line: &[u8]) -> bool {
    line.starts_with(b"#") || line.starts_with(b";") || line.starts_with(b"//")
}

fn is_section(line: &[u8]) -> bool {
    line.starts_with(b"[") && line.ends_with(b"]")
}

/// `key = value`, `key: value`, `export KEY=value`; keys of letters, digits, `_ - .`.
fn is_assignment(line: &[u8]) -> bool {
    let line = line.strip_prefix(b"export ").unwrap_or(line);
    let key = line
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        .count();
    let rest = line[key..].trim_ascii_start();
    key > 0
        && (line[0].is_ascii_alphabetic() || line[0] == b'_')
        && matches!(rest.first(), Some(b'=' | b':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text that is no configuration: judged by content, it stays `Other`.
    const PROSE: &[u8] = b"Deploy notes.\nRun make, then upload.\n";
    /// `key = value` lines: judged by content, a configuration.
    const ASSIGNMENTS: &[u8] = b"[default]\naws_access_key_id = a\n# note\nregion: x\n";

    #[test]
    fn configuration_files_by_name() {
        for path in [
            "deploy/.env",
            ".env.production",
            ".env-staging",
            ".envrc",
            "prod.env",
            "settings.ini",
            "app/config.JSON",
            "k8s/values.yaml",
            "ci.yml",
            "main.tf",
            "prod.tfvars",
            "terraform.tfstate",
            "terraform.tfstate.backup",
            "infra/vars.hcl",
            "pom.xml",
            "src/main/resources/application.properties",
            "pyproject.toml",
            "/etc/boto.cfg",
            "nginx.conf",
            "/etc/mysql/my.cnf",
            "MyApp/Web.config",
            "MyApp/App.config",
            "Library/Preferences/com.acme.uploader.plist",
            "home/me/.aws/credentials",
            ".aws/config",
            ".s3cfg",
            "dist/app.jar!BOOT-INF/classes/application.yml",
            "C:\\Users\\me\\.aws\\credentials",
        ] {
            assert_eq!(blob_kind(path, PROSE), BlobKind::Config, "{path}");
        }
        for path in [
            "README.md",
            "settings.py",
            "deploy.sh",
            "logs/app.log",
            "app.jar",
            "conf.d.py",
            "web.config.cs",
        ] {
            assert_eq!(blob_kind(path, ASSIGNMENTS), BlobKind::Other, "{path}");
        }
    }

    /// Where the name cannot tell (no extension, a dotfile, `.txt`, `.bak`, ...), lines of
    /// assignments make a configuration file, and anything else does not.
    #[test]
    fn configuration_files_by_content() {
        for path in [
            "credentials",
            "config",
            "src/config",
            "env",
            "<stdin>",
            ".secrets",
            "secrets.txt",
            "app.ini.bak",
            "dist/app.jar!META-INF/config",
        ] {
            assert_eq!(blob_kind(path, ASSIGNMENTS), BlobKind::Config, "{path}");
            assert_eq!(blob_kind(path, PROSE), BlobKind::Other, "{path}");
        }
        for text in [
            &b"export AWS_ACCESS_KEY_ID=a\nexport AWS_SECRET_ACCESS_KEY=b\n"[..],
            b"#!/bin/sh\nKEY=a\n\nSECRET = b\n",
            b"aws:\n  access_key: a\n  secret_key: b\n",
            b"; comment\r\nkey=a\r\nsecret=b\r\n",
        ] {
            assert_eq!(blob_kind("credentials", text), BlobKind::Config);
        }
        for text in [
            // One assignment is any text's accident.
            &b"key = a\n"[..],
            // A script: commands between the assignments.
            b"KEY=a\naws s3 ls\nSECRET=b\n",
            b"key = a\nsecret = b\n- item\n",
            b"= a\n= b\n",
            b"9key = a\nkey = b\n",
            b"key = a\0\nkey = b\n",
        ] {
            assert_eq!(blob_kind("credentials", text), BlobKind::Other);
        }
    }

    #[test]
    fn only_small_ones() {
        let big = [b'\n'; MAX_CONFIG_BYTES + 1];
        assert_eq!(blob_kind("a.json", &big[1..]), BlobKind::Config);
        assert_eq!(blob_kind("a.json", &big), BlobKind::Other);
        let mut lines = ASSIGNMENTS.repeat(MAX_CONFIG_BYTES / ASSIGNMENTS.len() + 1);
        assert_eq!(blob_kind("credentials", &lines), BlobKind::Other);
        lines.truncate(MAX_CONFIG_BYTES / ASSIGNMENTS.len() * ASSIGNMENTS.len());
        assert_eq!(blob_kind("credentials", &lines), BlobKind::Config);
    }
}
