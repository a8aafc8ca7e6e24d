//! Which blobs are small configuration files, by name and size: the [`BlobKind`] the detector
//! cannot tell from bytes. In those, a key ID and its secret pair file-wide
//! (`detect::file_pairing`).
//!
//! Configuration by name: the extensions in [`EXTENSIONS`] (ini, env, JSON, YAML, HCL,
//! Terraform variables and state, XML, properties, TOML), the names in [`NAMES`], `.env.*`
//! (`.env.production`), `*.tfstate.backup`, and `credentials` / `config` in an `.aws`
//! directory. An archive member is judged by its own name (`app.jar!application.yml`). Small:
//! at most [`MAX_CONFIG_BYTES`]; a bigger "configuration" is a dump, where far-apart values
//! are rarely one credential.

use crate::detect::BlobKind;

/// Largest blob treated as a configuration file.
pub const MAX_CONFIG_BYTES: usize = 64 * 1024;

/// File extensions of configuration formats, lower case, without the dot.
pub const EXTENSIONS: &[&str] = &[
    "cfg",
    "conf",
    "env",
    "hcl",
    "ini",
    "json",
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
pub const NAMES: &[&str] = &[".env", ".envrc", ".s3cfg", ".boto"];

/// The blob kind for a blob at `path` (as reported: `/`-separated, `!` before an archive
/// member) holding `len` bytes.
pub fn blob_kind(path: &str, len: usize) -> BlobKind {
    if len <= MAX_CONFIG_BYTES && is_config_name(path) {
        BlobKind::Config
    } else {
        BlobKind::Other
    }
}

fn is_config_name(path: &str) -> bool {
    let member = path.rsplit('!').next().unwrap_or(path);
    let mut parts = member.rsplit(['/', '\\']);
    let name = parts.next().unwrap_or(member).to_ascii_lowercase();
    let parent = parts.next();
    let extension = name.rsplit_once('.').map(|(_, e)| e);
    NAMES.contains(&name.as_str())
        || name.starts_with(".env.")
        || name.ends_with(".tfstate.backup")
        || extension.is_some_and(|e| EXTENSIONS.contains(&e))
        || (parent == Some(".aws") && matches!(name.as_str(), "credentials" | "config"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_files_by_name() {
        for path in [
            "deploy/.env",
            ".env.production",
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
            "home/me/.aws/credentials",
            ".aws/config",
            ".s3cfg",
            "dist/app.jar!BOOT-INF/classes/application.yml",
            "C:\\Users\\me\\.aws\\credentials",
        ] {
            assert_eq!(blob_kind(path, 100), BlobKind::Config, "{path}");
        }
        for path in [
            "README.md",
            "settings.py",
            "deploy.sh",
            "logs/app.log",
            "credentials",
            "config",
            "src/config",
            "env",
            "app.jar",
            "conf.d.py",
            "<stdin>",
        ] {
            assert_eq!(blob_kind(path, 100), BlobKind::Other, "{path}");
        }
    }

    #[test]
    fn only_small_ones() {
        assert_eq!(blob_kind("a.json", MAX_CONFIG_BYTES), BlobKind::Config);
        assert_eq!(blob_kind("a.json", MAX_CONFIG_BYTES + 1), BlobKind::Other);
    }
}
