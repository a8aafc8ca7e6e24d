//! Command-line types (clap derive). No I/O and no validation beyond what clap does:
//! [`crate::settings::Settings::resolve`] turns these into the one validated configuration.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The global STS endpoint, which signs in `us-east-1`: `--sts-endpoint`'s default.
pub const DEFAULT_STS_ENDPOINT: &str = "https://sts.amazonaws.com";

#[derive(Debug, Parser)]
#[command(
    name = "keyleak",
    version,
    about = "Find hardcoded AWS access keys in files and git history, rate their risk, and say which role replaces them",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Built once per run and moved straight into `Settings`: boxing the big variant saves nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories (or `-` for standard input) for AWS keys.
    Scan(ScanArgs),
    /// Print the role setup that replaces the key at `PATH[:LINE]`: AWS CLI, Terraform and
    /// CloudFormation, ready to paste.
    #[command(after_help = ROLE_HELP)]
    Role(RoleArgs),
    /// Install a git pre-commit hook running `keyleak scan --staged` (honours core.hooksPath).
    InstallHook(InstallHookArgs),
    /// Print a shell completion script to standard output.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to standard output.
    Man,
    /// Merge the JSONL reports of `scan --repos … --shard K/N` runs into one report, sorted
    /// and summarised as one run over all the repositories would be.
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSONL reports written by `keyleak scan --git --repos… --format jsonl` (`-`: standard
    /// input).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Output format [default: human].
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,

    /// When to colour human output (`NO_COLOR` is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,

    /// Exit 1 when a finding has at least this risk; `never` always exits 0 on success.
    #[arg(long, value_enum, default_value_t = FailOnArg::Low)]
    pub fail_on: FailOnArg,

    /// Human output and GitHub annotations: list `info` findings one by one.
    #[arg(long)]
    pub show_info: bool,
}

const ROLE_HELP: &str = "Scans the one file as `keyleak scan PATH` would (its context, the \
repository's `origin` remote and branch, the services the file calls) and prints, for each key \
found at LINE (or in the whole file): the trust policy, the OIDC provider (GitHub, GitLab) or \
instance profile (EC2) it needs, and a permissions policy with a statement per service the \
file calls, never a wildcard: its actions and resources are placeholders (CLI) or variables and \
parameters without defaults (Terraform, CloudFormation) to name. For people (credentials files, .env), the `aws configure sso` profile \
instead. `<ACCOUNT_ID>` is the key's own account when its ID encodes one. Secrets are never \
printed, only key IDs.

Exit codes: 0 printed; 2 no key to replace at PATH[:LINE] (none, or only an example, an \
identifier or a canary token), or an error.";

#[derive(Debug, Args)]
pub struct RoleArgs {
    /// The file, and the line of the key or its secret (`deploy.yml:14`); without a line,
    /// every key in the file.
    #[arg(value_name = "PATH[:LINE]")]
    pub target: String,

    /// `text`: comments and the three snippets; `json`: `{"setups": [...]}`, each with the
    /// finding's path, lines, key IDs, account, context, role name, `role` and the snippets.
    #[arg(long, value_enum, default_value_t = RoleFormatArg::Text)]
    pub format: RoleFormatArg,

    /// Print only this snippet (text: nothing else, ready to redirect to a file).
    #[arg(long, value_enum)]
    pub only: Option<SnippetArg>,

    /// The role's name [default: from the context and the repository or file name].
    #[arg(long, value_name = "NAME")]
    pub role_name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleFormatArg {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SnippetArg {
    /// AWS CLI commands (for people: the `aws configure sso` profile).
    Cli,
    Terraform,
    Cloudformation,
}

#[derive(Debug, Args)]
pub struct InstallHookArgs {
    /// A directory inside the repository.
    #[arg(default_value = ".")]
    pub repo: PathBuf,

    /// Replace a pre-commit hook that keyleak did not install.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan [default: .]; `-` reads standard input. With --git or
    /// --staged: the repository (default: the one containing the current directory). With
    /// --hook-files: only the files given, none when none are.
    pub paths: Vec<PathBuf>,

    /// Scan git history instead of files: every blob reachable from every ref (branches,
    /// tags, remote-tracking refs, HEAD), each unique blob once.
    #[arg(long, help_heading = "Git")]
    pub git: bool,

    /// Only history reachable from REF (repeatable; a branch, tag or any revision). Implies --git.
    #[arg(long = "ref", value_name = "REF", help_heading = "Git")]
    pub refs: Vec<String>,

    /// Only what the commits after REV added (REV..HEAD, or REV..each --ref). Implies --git.
    /// An all-zero REV (a new branch in CI) scans what HEAD adds over the other
    /// remote-tracking branches.
    #[arg(long, value_name = "REV", help_heading = "Git")]
    pub since: Option<String>,

    /// Only what the commits in BASE..HEAD added: a push or merge request in CI. Implies --git.
    /// An all-zero BASE (new branch, scheduled or manual run) scans what HEAD adds over the
    /// other remote-tracking branches, or its whole history when there are none.
    #[arg(long, value_name = "BASE..HEAD", help_heading = "Git")]
    pub range: Option<String>,

    /// Scan what is staged for the next commit (pre-commit): index entries that differ from
    /// HEAD, read from the index, not the working tree.
    #[arg(long, help_heading = "Git")]
    pub staged: bool,

    /// Scan the history of every repository listed in FILE: one local path (relative to the
    /// current directory) or git URL per line; blank lines and lines starting with `#` are
    /// skipped. URLs are cloned as mirrors
    /// into --clone-dir (fetched again on later runs). Implies --git.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["paths", "repos_under", "staged"], help_heading = "Repositories")]
    pub repos: Option<PathBuf>,

    /// Scan the history of every git repository below DIR, bare (`git clone --mirror`) or
    /// not; a repository's own tree is not searched for more. Implies --git.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["paths", "staged"], help_heading = "Repositories")]
    pub repos_under: Option<PathBuf>,

    /// Where --repos clones URLs (as mirrors, reused and fetched on later runs)
    /// [default: $XDG_CACHE_HOME/keyleak/clones, else ~/.cache/keyleak/clones].
    #[arg(long, value_name = "DIR", help_heading = "Repositories")]
    pub clone_dir: Option<PathBuf>,

    /// Remember each repository's scan in DIR: the next `--git` run reads only the blobs it
    /// has not seen, and replays the findings when no reference moved. Holds the secrets
    /// found (created 0700). Invalidated by another keyleak version or detection setting.
    #[arg(long, value_name = "DIR", help_heading = "Repositories")]
    pub cache: Option<PathBuf>,

    /// Scan only shard K of N (1 ≤ K ≤ N) of the repository list: the repositories whose
    /// name hashes to it, so adding a repository moves no other. Write each shard's report
    /// with `--format jsonl` and combine them with `keyleak merge`.
    #[arg(long, value_name = "K/N", help_heading = "Repositories")]
    pub shard: Option<String>,

    /// Output format of standard output [default: human]. With `--output FORMAT=-` it may
    /// only repeat that FORMAT.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,

    /// When to colour human output (`NO_COLOR` is honoured with `auto`).
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,

    /// Print secret access keys and session tokens in full (never do this in CI logs).
    #[arg(long)]
    pub show_secrets: bool,

    /// Also report IAM unique IDs (AIDA, AROA, AIPA, ...) as `info`: identifiers, not credentials.
    #[arg(long)]
    pub include_identifiers: bool,

    /// Exit 1 when a finding has at least this risk; `never` always exits 0 on success
    /// [default: `fail_on` from the config file, else low].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOnArg>,

    /// Configuration file [default: .keyleak.toml in the current directory or at the root of
    /// its git work tree].
    #[arg(long, value_name = "FILE", help_heading = "Adoption")]
    pub config: Option<PathBuf>,

    /// Ignore any .keyleak.toml.
    #[arg(long, conflicts_with = "config", help_heading = "Adoption")]
    pub no_config: bool,

    /// Suppress the findings recorded in this baseline file (a new key still fails).
    #[arg(long, value_name = "FILE", help_heading = "Adoption")]
    pub baseline: Option<PathBuf>,

    /// Write the current findings' fingerprints to FILE, to use later with --baseline.
    #[arg(long, value_name = "FILE", help_heading = "Adoption")]
    pub baseline_out: Option<PathBuf>,

    /// Worker threads (0 = one per CPU).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,

    /// Also scan files ignored by .gitignore, .ignore and git's exclude files.
    #[arg(long)]
    pub no_ignore: bool,

    /// Follow symbolic links (loops are detected and skipped with a warning). A link into
    /// /proc, /sys or /dev, to a FIFO, socket or device, or out of the scanned paths is not
    /// followed: a warning names it.
    #[arg(short = 'L', long)]
    pub follow: bool,

    /// With -L, also follow links that lead outside the scanned paths (never into /proc,
    /// /sys or /dev).
    #[arg(long, requires = "follow")]
    pub follow_outside: bool,

    /// Skip files larger than this, with a warning (suffixes K, M, G: powers of 1024). Also
    /// the largest archive member scanned; an archive expands to at most 4 times this.
    #[arg(long, default_value = "100M", value_name = "SIZE")]
    pub max_filesize: String,

    /// Do not open archives and compressed files (zip, jar, war, tar, tar.gz, gzip): scan
    /// their raw bytes like any file's. By default their members are scanned, two archive
    /// levels deep, as `archive.zip!inner/path`.
    #[arg(long)]
    pub no_archives: bool,

    /// Ask AWS STS whether each found key pair works (GetCallerIdentity): sends the key ID,
    /// a signature made with the secret, and the session token, to --sts-endpoint. Off by
    /// default; canary and example keys are never sent.
    #[arg(long, help_heading = "Verification")]
    pub verify: bool,

    /// Do not verify, even when the configuration file says `verify = true`.
    #[arg(long, conflicts_with = "verify", help_heading = "Verification")]
    pub no_verify: bool,

    /// Where --verify sends its requests: https, or http to a loopback host (a local STS).
    /// The signing region comes from an AWS host name, else us-east-1.
    #[arg(long, value_name = "URL", default_value = DEFAULT_STS_ENDPOINT, help_heading = "Verification")]
    pub sts_endpoint: String,

    /// Time allowed for each --verify request (seconds; suffix `ms` for milliseconds).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value = "10",
        help_heading = "Verification"
    )]
    pub verify_timeout: String,

    /// Also write the report in FORMAT to PATH (`-`: standard output, instead of --format);
    /// repeatable, from the one scan. Files are replaced whole (written beside, then renamed),
    /// with or without findings. Example: `--output github=- --output sarif=keyleak.sarif`.
    #[arg(long = "output", value_name = "FORMAT=PATH", value_parser = output_spec)]
    pub outputs: Vec<OutputArg>,

    /// The paths are the files a pre-commit framework hook was given (`pass_filenames`): each
    /// is scanned as it is in the work tree, even if ignored; one that does not exist is
    /// skipped; `-` is a file name. Human output prints nothing when nothing is found.
    #[arg(long, conflicts_with_all = ["git", "refs", "since", "range", "staged"], help_heading = "Git")]
    pub hook_files: bool,

    /// Human output and GitHub annotations: list `info` findings (documentation examples,
    /// identifiers) one by one instead of counting them in one line.
    #[arg(long)]
    pub show_info: bool,

    /// Leave findings below this risk out of the report, in every format, and out of the exit
    /// code (like a baseline); the summary counts them [default: info, everything].
    #[arg(long, value_enum, value_name = "RISK")]
    pub min_risk: Option<RiskArg>,

    /// With --staged or --hook-files: one line when nothing is found (by default a clean run
    /// prints nothing).
    #[arg(short = 'v', long)]
    pub verbose: bool,

    /// After the run, print on stderr what was read (commits walked, unique blobs, bytes) and
    /// the seconds each stage took (plan, read/inflate, detect, merge, report).
    #[arg(long)]
    pub stats: bool,
}

/// One `--output FORMAT=PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputArg {
    pub format: FormatArg,
    /// `-` for standard output.
    pub path: PathBuf,
}

/// Parses `FORMAT=PATH`: FORMAT one of `--format`'s values, PATH not empty.
fn output_spec(text: &str) -> Result<OutputArg, String> {
    let names = || {
        FormatArg::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some((format, path)) = text.split_once('=') else {
        return Err(format!(
            "expected FORMAT=PATH (PATH `-` for standard output), FORMAT one of: {}",
            names()
        ));
    };
    let format = FormatArg::from_str(format, false)
        .map_err(|_| format!("unknown format `{format}`: expected one of {}", names()))?;
    if path.is_empty() {
        return Err("PATH is empty: give a file, or `-` for standard output".into());
    }
    Ok(OutputArg {
        format,
        path: PathBuf::from(path),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Compiler-style diagnostics and a summary.
    Human,
    /// One JSON document: findings and summary.
    Json,
    /// One JSON object per finding, one per line.
    Jsonl,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow-command annotations.
    Github,
    /// GitLab Secret Detection report (gl-secret-detection-report.json).
    Gitlab,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    Info,
    Low,
    Medium,
    High,
    Critical,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RiskArg {
    Info,
    Low,
    Medium,
    High,
    Critical,
}
