//! What a `.gitlab-ci.yml` says about the branches a job runs on: its `rules: - if:`
//! (`$CI_COMMIT_BRANCH == "main"`, `$CI_COMMIT_REF_NAME`, `$CI_DEFAULT_BRANCH`; a rule with
//! `when: never` excludes, so it is not read) and its `only:` (a list, or `only: refs:`), else
//! the `workflow: rules:`. Read with [`super::workflow`]'s line reader: a layout it cannot read
//! (`extends:`, `!reference`, regular expressions) gives nothing, and the caller says it
//! guessed.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::workflow::{Line, block, child, items, lines, value_of};

/// Top-level keys that are not jobs.
const NOT_JOBS: &[&str] = &[
    "after_script",
    "before_script",
    "cache",
    "default",
    "image",
    "include",
    "services",
    "stages",
    "variables",
    "workflow",
];

/// `only:` entries that name kinds of pipelines, not branches.
const ONLY_KEYWORDS: &[&str] = &[
    "api",
    "branches",
    "chat",
    "external",
    "external_pull_requests",
    "merge_requests",
    "pipelines",
    "pushes",
    "schedules",
    "tags",
    "triggers",
    "web",
];

/// A branch compared with `==`, either way round; group 1 or 2 (quoted) or 3 (the default
/// branch variable).
static BRANCH_IS: LazyLock<Regex> = LazyLock::new(|| {
    let var = r"\$\{?CI_COMMIT_(?:BRANCH|REF_NAME)\}?";
    let value = r#"(?:"([^"]*)"|'([^']*)'|(\$\{?CI_DEFAULT_BRANCH\}?))"#;
    Regex::new(&format!(r"{var}\s*==\s*{value}|{value}\s*==\s*{var}")).expect("compiles")
});

/// The branches rules name.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Branches {
    /// Plain branch names, in order, each once.
    pub names: Vec<String>,
    /// A rule names `$CI_DEFAULT_BRANCH`, which the file does not spell out.
    pub default_branch: bool,
}

impl Branches {
    fn add(&mut self, other: Branches) {
        for n in other.names {
            if !self.names.contains(&n) {
                self.names.push(n);
            }
        }
        self.default_branch |= other.default_branch;
    }

    fn is_empty(&self) -> bool {
        self.names.is_empty() && !self.default_branch
    }
}

/// A pipeline's jobs (their lines, 0-based) and branches, and the workflow's.
#[derive(Debug, Default)]
pub struct Pipeline {
    jobs: Vec<(Range<usize>, Branches)>,
    workflow: Branches,
}

/// The branches the `if:` expressions of a `rules:` block name, `when: never` rules left out.
fn rules(under: &[Line<'_>]) -> Branches {
    let mut found = Branches::default();
    let Some(dash) = under.iter().map(|l| l.indent).min() else {
        return found;
    };
    let starts: Vec<usize> = (0..under.len())
        .filter(|&i| under[i].indent == dash && under[i].text.starts_with("- "))
        .chain([under.len()])
        .collect();
    for pair in starts.windows(2) {
        let rule = &under[pair[0]..pair[1]];
        let keys = || {
            rule.iter()
                .map(|l| l.text.strip_prefix("- ").unwrap_or(l.text).trim_start())
        };
        if keys()
            .any(|k| value_of(k, "when").is_some_and(|w| w.trim_matches(['"', '\'']) == "never"))
        {
            continue;
        }
        for expr in keys().filter_map(|k| value_of(k, "if")) {
            for caps in BRANCH_IS.captures_iter(expr) {
                let quoted = [1, 2, 4, 5].iter().find_map(|&g| caps.get(g));
                match quoted {
                    Some(name) => found.add(Branches {
                        names: items(name.as_str(), &[]),
                        default_branch: false,
                    }),
                    None => found.default_branch = true,
                }
            }
        }
    }
    found
}

/// The branches a job's `only:` names (`only: [main]`, a list, or `only: refs:`).
fn only(job: &[Line<'_>], at: usize) -> Branches {
    let inline = value_of(job[at].text, "only").unwrap_or("");
    let mut under = block(job, at);
    let refs = child(under, "refs");
    let inline = match refs {
        Some(r) => {
            let v = value_of(under[r].text, "refs").unwrap_or("");
            under = block(under, r);
            v
        }
        None => inline,
    };
    let names = items(inline, under)
        .into_iter()
        .filter(|n| !ONLY_KEYWORDS.contains(&n.as_str()))
        .collect();
    Branches {
        names,
        default_branch: false,
    }
}

impl Pipeline {
    pub fn read(content: &[u8]) -> Pipeline {
        let text = String::from_utf8_lossy(content);
        let all = lines(&text);
        let mut pipeline = Pipeline::default();
        let tops: Vec<usize> = (0..all.len()).filter(|&i| all[i].indent == 0).collect();
        for (n, &at) in tops.iter().enumerate() {
            let Some(key) = all[at].text.strip_suffix(':') else {
                continue;
            };
            let under = block(&all, at);
            if key == "workflow" {
                if let Some(r) = child(under, "rules") {
                    pipeline.workflow = rules(block(under, r));
                }
                continue;
            }
            if NOT_JOBS.contains(&key) {
                continue;
            }
            let end = tops.get(n + 1).map_or(usize::MAX, |&next| all[next].no);
            let mut branches = Branches::default();
            if let Some(r) = child(under, "rules") {
                branches.add(rules(block(under, r)));
            }
            if let Some(o) = child(under, "only") {
                branches.add(only(under, o));
            }
            pipeline.jobs.push((all[at].no..end, branches));
        }
        pipeline
    }

    /// The branches for a key on `line` (1-based): its job's, else the workflow's; for a key
    /// outside any job (global `variables:`), every job's.
    pub fn branches_at(&self, line: Option<u32>) -> Branches {
        let at = line.map(|l| l.saturating_sub(1) as usize);
        let job = self
            .jobs
            .iter()
            .find(|(lines, _)| at.is_some_and(|a| lines.contains(&a)));
        let mut found = match job {
            Some((_, b)) => b.clone(),
            None => {
                let mut all = Branches::default();
                for (_, b) in &self.jobs {
                    all.add(b.clone());
                }
                all
            }
        };
        if found.is_empty() {
            found = self.workflow.clone();
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(yaml: &str, line: u32) -> Branches {
        Pipeline::read(yaml.as_bytes()).branches_at(Some(line))
    }

    fn names(v: &[&str]) -> Branches {
        Branches {
            names: v.iter().map(|s| s.to_string()).collect(),
            default_branch: false,
        }
    }

    const PIPELINE: &str = "stages: [test, deploy]\nvariables:\n  AWS_ACCESS_KEY_ID: x\ntest:\n  script: make\n  only:\n    - branches\n    - dev\ndeploy:\n  script: make deploy\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"schedule\"\n      when: never\n    - if: '$CI_COMMIT_BRANCH == \"main\" || \"release\" == $CI_COMMIT_REF_NAME'\n  variables:\n    AWS_ACCESS_KEY_ID: y\n";

    #[test]
    fn the_keys_job_else_every_job() {
        assert_eq!(at(PIPELINE, 16), names(&["main", "release"]));
        assert_eq!(at(PIPELINE, 5), names(&["dev"]));
        assert_eq!(at(PIPELINE, 3), names(&["dev", "main", "release"]));
    }

    #[test]
    fn only_refs_default_branch_workflow_and_never() {
        let refs = "a:\n  only:\n    refs: [main, tags]\n  script: x\n";
        assert_eq!(at(refs, 3), names(&["main"]));
        let inline = "a:\n  only: [trunk, merge_requests]\n";
        assert_eq!(at(inline, 2), names(&["trunk"]));
        let default = "a:\n  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n";
        assert_eq!(
            at(default, 3),
            Branches {
                names: vec![],
                default_branch: true
            }
        );
        let workflow =
            "workflow:\n  rules:\n    - if: $CI_COMMIT_BRANCH == \"prod\"\na:\n  script: x\n";
        assert_eq!(at(workflow, 5), names(&["prod"]));
        let never = "a:\n  rules:\n    - if: $CI_COMMIT_BRANCH == \"main\"\n      when: never\n    - when: always\n";
        assert_eq!(at(never, 2), Branches::default());
        // A regular expression or `!=` names no branch.
        let regex = "a:\n  rules:\n    - if: $CI_COMMIT_BRANCH =~ /^release/ && $CI_COMMIT_BRANCH != \"x\"\n";
        assert_eq!(at(regex, 2), Branches::default());
    }
}
