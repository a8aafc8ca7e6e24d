//! [`AllowPaths`]: the `allow.paths` matcher, built so that its cost follows the paths asked
//! about, not the length of the list.
//!
//! globset compiles a regular expression for most globs (about 8 KB each): one set of
//! 200,000 globs took 8 s and 1.7 GB before the first file was read. So:
//!
//! - a pattern with no glob syntax is a plain path (`a/b.env`), or with no `/` a file name in
//!   any directory (`b.env`), looked up in a hash set;
//! - a glob is filed under its fixed leading directory (`dir5` for `dir5/**/*.x5`; none for
//!   `**/*.md` or a bare `*.md`), then under the fixed start of its file name (`file` for
//!   `**/file*.env`) or, when that is empty, the fixed end (`.x5`); each such group is
//!   compiled the first time a path that could match it is asked about.
//!
//! A path is asked about only when it has a finding, so a long generated list costs its text
//! and a few hash lookups per directory level and file-name character. Globs with no fixed
//! directory and a file name with no fixed start or end (`**/*key*`, `*`, a `[...]` or
//! `{...}` in the name) share one group: thousands of those still cost their 8 KB each.
//! Matching is exactly globset's, with `literal_separator` (`*` and `?` stay within one
//! directory) and a bare pattern matching a file name anywhere, as in `.gitignore`.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use globset::{GlobSet, GlobSetBuilder};

use super::build_glob;

/// Characters that make a pattern a glob (`\` escapes one; `]`, `}` and `,` are listed so
/// that nothing glob-like is ever read as a plain path).
const GLOB_SYNTAX: &[char] = &['*', '?', '[', ']', '{', '}', ',', '\\'];
/// What may match inside one path component only: a file name made of literal text, `*` and
/// `?` alone can be filed by its fixed start or end.
const WITHIN_A_NAME: &[char] = &['*', '?'];

/// Matches reported paths against `allow.paths`.
#[derive(Debug, Clone, Default)]
pub struct AllowPaths {
    /// Patterns without glob syntax that contain a `/`: whole paths.
    paths: HashSet<String>,
    /// Patterns without glob syntax or `/`: a file name in any directory.
    names: HashSet<String>,
    /// Globs by fixed leading directory (`""`: none) and what their file name is filed by.
    globs: HashMap<(String, Filed), Group>,
    /// The directories of `globs`: only these are looked up by file name.
    dirs: HashSet<String>,
}

/// What a glob's file name (its last component) is filed by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Filed {
    /// Its fixed start: `file` for `**/file*.env`.
    Start(String),
    /// Its fixed end, when it has no fixed start: `.env` for `**/*.env`.
    End(String),
    /// Neither.
    Any,
}

impl Filed {
    fn of(name: &str) -> Filed {
        let other_syntax = |c| GLOB_SYNTAX.contains(&c) && !WITHIN_A_NAME.contains(&c);
        // `**` has no fixed start or end either: it is `Any`.
        if name.contains(other_syntax) {
            return Filed::Any;
        }
        let start = &name[..name.find(WITHIN_A_NAME).unwrap_or(name.len())];
        let end = &name[name.rfind(WITHIN_A_NAME).map_or(0, |i| i + 1)..];
        match (start, end) {
            ("", "") => Filed::Any,
            ("", end) => Filed::End(end.to_string()),
            (start, _) => Filed::Start(start.to_string()),
        }
    }

    /// Every filing a glob that matches file name `name` can have.
    fn candidates(name: &str) -> impl Iterator<Item = Filed> + '_ {
        let cuts = name.char_indices().map(|(i, _)| i).chain([name.len()]);
        cuts.flat_map(move |i| {
            [
                Filed::Start(name[..i].to_string()),
                Filed::End(name[i..].to_string()),
            ]
        })
        .chain([Filed::Any])
    }
}

/// Globs compiled together on first use.
#[derive(Debug, Clone, Default)]
struct Group {
    patterns: Vec<String>,
    set: OnceLock<GlobSet>,
}

impl Group {
    fn is_match(&self, path: &str) -> bool {
        self.set
            .get_or_init(|| {
                let mut set = GlobSetBuilder::new();
                for p in &self.patterns {
                    // Each pattern was validated when the configuration was read.
                    if let Ok(g) = build_glob(p) {
                        set.add(g);
                    }
                }
                // A set of valid globs builds; if it ever did not, nothing is allowed by it
                // (findings are reported rather than hidden).
                set.build().unwrap_or_else(|_| GlobSet::empty())
            })
            .is_match(path)
    }
}

impl AllowPaths {
    /// The matcher for `patterns`, each already validated when the configuration was read.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> AllowPaths {
        let mut allow = AllowPaths::default();
        for p in patterns {
            let p = p.as_ref();
            let Some(syntax_at) = p.find(GLOB_SYNTAX) else {
                match p.contains('/') || p.is_empty() {
                    true => allow.paths.insert(p.to_string()),
                    false => allow.names.insert(p.to_string()),
                };
                continue;
            };
            let (dir, glob) = match p[..syntax_at].rfind('/') {
                Some(slash) => (&p[..slash], p.to_string()),
                // A bare glob matches a file name in any directory.
                None if !p.contains('/') => ("", format!("**/{p}")),
                None => ("", p.to_string()),
            };
            let filed = Filed::of(&p[p.rfind('/').map_or(0, |i| i + 1)..]);
            allow.dirs.insert(dir.to_string());
            let group = allow.globs.entry((dir.to_string(), filed)).or_default();
            group.patterns.push(glob);
        }
        allow
    }

    /// Does an allow pattern match `path` (as reported: `/` separators, no `./`)?
    pub fn is_match(&self, path: &str) -> bool {
        let name = &path[path.rfind('/').map_or(0, |i| i + 1)..];
        if self.paths.contains(path) || self.names.contains(name) {
            return true;
        }
        // The fixed directories `path` is under: none, then each leading directory.
        let dirs = std::iter::once("").chain(path.match_indices('/').map(|(i, _)| &path[..i]));
        dirs.filter(|d| self.dirs.contains(*d))
            .flat_map(|d| Filed::candidates(name).map(move |f| (d.to_string(), f)))
            .filter_map(|key| self.globs.get(&key))
            .any(|group| group.is_match(path))
    }

    /// Globs compiled so far (for tests: the rest cost only their text).
    pub fn compiled(&self) -> usize {
        let compiled = self.globs.values().filter(|g| g.set.get().is_some());
        compiled.map(|g| g.patterns.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What `allow.paths` meant before: every pattern in one globset, a bare one also as
    /// `**/pattern`.
    fn reference(patterns: &[&str]) -> GlobSet {
        let mut set = GlobSetBuilder::new();
        for p in patterns {
            set.add(build_glob(p).unwrap());
            if !p.contains('/') {
                set.add(build_glob(&format!("**/{p}")).unwrap());
            }
        }
        set.build().unwrap()
    }

    #[test]
    fn plain_paths_names_and_globs() {
        let allow = AllowPaths::new(&[
            "src/gen/keys.env",
            "fixtures.json",
            "testdata/**",
            "docs/*.md",
            "*.example",
            "a/**/b/*.env",
            "**/vendor/**",
            "/abs/dir/*.txt",
            "lit\\*eral/x",
        ]);
        let yes = [
            "src/gen/keys.env",
            "fixtures.json",
            "deep/down/fixtures.json",
            "testdata/a/b.env",
            "docs/guide.md",
            "x.example",
            "p/q/x.example",
            "a/b/k.env",
            "a/1/2/b/k.env",
            "vendor/x.env",
            "p/vendor/x/y.env",
            "/abs/dir/n.txt",
            "lit*eral/x",
        ];
        let no = [
            "src/gen/keys.env.bak",
            "gen/keys.env",
            "fixtures.json5",
            "testdata",
            "other/testdata/a.env",
            "docs/sub/guide.md",
            "docs.md",
            "x.example.env",
            "a/b/c/k.txt",
            "vendors/x.env",
            "/abs/dir/sub/n.txt",
            "/abs/n.txt",
            "litteral/x",
        ];
        for p in yes {
            assert!(allow.is_match(p), "{p} not allowed");
        }
        for p in no {
            assert!(!allow.is_match(p), "{p} allowed");
        }
    }

    #[test]
    fn a_long_list_compiles_only_the_directories_asked_about() {
        let patterns: Vec<String> = (0..20_000)
            .map(|i| format!("dir{i}/**/*.x{i}"))
            .chain((0..20_000).map(|i| format!("plain/file{i}.env")))
            .collect();
        let allow = AllowPaths::new(&patterns);
        assert_eq!(allow.compiled(), 0);
        assert!(allow.is_match("plain/file19999.env"));
        assert!(!allow.is_match("k.env"));
        assert!(!allow.is_match("plain/file20000.env"));
        assert_eq!(allow.compiled(), 0);
        assert!(allow.is_match("dir7/a/b/c.x7"));
        assert!(!allow.is_match("dir7/a/b/c.x8"));
        assert!(!allow.is_match("dir8/c.x7"));
        // `dir7/**/*.x7` alone: dir8's one glob ends in `.x8`.
        assert_eq!(allow.compiled(), 1);
    }

    #[test]
    fn globs_with_no_fixed_directory_are_filed_by_file_name() {
        let patterns: Vec<String> = (0..20_000)
            .map(|i| format!("**/file{i}*.env"))
            .chain((0..20_000).map(|i| format!("*.x{i}")))
            .chain(["**/*key*".to_string()])
            .collect();
        let allow = AllowPaths::new(&patterns);
        assert!(!allow.is_match("k.env"));
        // Only `**/*key*`, which any name could match, is compiled.
        assert_eq!(allow.compiled(), 1);
        assert!(allow.is_match("a/b/file123abc.env"));
        assert!(allow.is_match("file9999.env"));
        assert!(!allow.is_match("a/file123.txt"));
        assert!(allow.is_match("a/b.x42"));
        assert!(!allow.is_match("a/b.x42.bak"));
        assert!(allow.is_match("my-key.pem"));
        // And one glob each for the names asked about: `file1*` (which matched
        // file123abc.env), `file9*`, `file12*` and `file123*` (file123.txt), `*.x42`.
        assert_eq!(allow.compiled(), 6);
    }

    /// Paths of one to four components drawn from `pieces` (a regex alternation).
    fn paths_of(pieces: &str) -> impl Strategy<Value = String> {
        let regex = format!("({pieces})(/({pieces})){{0,3}}");
        proptest::string::string_regex(&regex).expect("a valid regex")
    }

    proptest! {
        /// Same answers as one globset of every pattern, on paths and patterns drawn from
        /// the same few pieces so that they meet.
        #[test]
        fn matches_like_one_globset(
            patterns in proptest::collection::vec(
                paths_of(
                    "a|b|\\*|\\*\\*|x\\.env|\\*\\.env|\\?|\\[ab\\]|\\{a,b\\}|x\\*|x\\?\\.env\
                     |c\\*\\.env|\\*\\*\\.env|\\*a\\*|\\{x,c\\}\\*",
                ),
                1..6,
            ),
            paths in proptest::collection::vec(
                paths_of("a|b|x|xa|x\\.env|c\\.env|xa\\.env|cc\\.env"),
                1..8,
            ),
        ) {
            let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
            let want = reference(&patterns);
            let allow = AllowPaths::new(&patterns);
            for p in &paths {
                prop_assert_eq!(allow.is_match(p), want.is_match(p), "{} vs {:?}", p, patterns);
            }
        }
    }
}
