//! A GitHub Actions workflow rewired to assume a role, as a diff of the bytes the scanner read:
//! `aws-actions/configure-aws-credentials` gets `role-to-assume` in place of its key inputs;
//! keys in an `env:` (workflow, job or step) are removed and the job gets that action as a
//! step; each job changed gets `permissions: id-token: write`, merged into the `permissions:`
//! that applies to it (the job's, else the workflow's; a new job-level block also grants
//! `contents: read`, which a job-level block would otherwise take away).
//!
//! Owns which lines change. Reads the YAML's block structure with [`super::workflow`]'s line
//! reader: a layout it cannot read (flow mappings, anchors) is left as it is, and a file with
//! nothing it can change gives no diff. The diff's text and redaction are `super::unified`'s.

use std::collections::{BTreeMap, BTreeSet};

use super::unified::{self, Old, Op};
use super::workflow::{Line, block, child, lines, scalar, value_of};
use crate::model::role::WiringDiff;

const ACTION: &str = "aws-actions/configure-aws-credentials";
/// The action as a new step names it.
const ACTION_AT: &str = "aws-actions/configure-aws-credentials@v4";
/// The action's inputs that take a key.
const KEY_INPUTS: &[&str] = &[
    "aws-access-key-id",
    "aws-secret-access-key",
    "aws-session-token",
];
/// The environment variables that hold a key.
const KEY_ENV: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];
/// Where a new step takes its `aws-region` from, when the keys' `env:` names it.
const REGION_ENV: &[&str] = &["AWS_REGION", "AWS_DEFAULT_REGION"];
/// `aws-region` when no `env:` names it.
const REGION: &str = "<AWS_REGION>";
/// Stands for the role ARN in new lines until a finding's account is known.
const ARN: &str = "\u{1}ROLE_ARN\u{1}";

/// The changes, by old line index.
#[derive(Debug, Default)]
struct Edits {
    remove: BTreeSet<usize>,
    /// New lines before an old line.
    before: BTreeMap<usize, Vec<String>>,
    /// New lines in place of an old line.
    instead: BTreeMap<usize, Vec<String>>,
}

impl Edits {
    /// Removes `lines[at]` and the lines under it.
    fn remove_block(&mut self, lines: &[Line<'_>], at: usize) {
        self.remove.insert(lines[at].no);
        self.remove.extend(block(lines, at).iter().map(|l| l.no));
    }

    fn before(&mut self, no: usize, new: Vec<String>) {
        self.before.entry(no).or_default().extend(new);
    }

    fn is_empty(&self) -> bool {
        self.remove.is_empty() && self.before.is_empty() && self.instead.is_empty()
    }
}

/// The edit of one workflow file, rendered per role ARN.
#[derive(Debug)]
pub struct Plan {
    /// The path from the repository root: `.github/workflows/NAME`.
    path: String,
    old: Old,
    edits: Edits,
}

impl Plan {
    /// The diff with `arn` as the role to assume.
    pub fn render(&self, arn: &str) -> Option<WiringDiff> {
        let cr = match self.old.lines.first() {
            Some(l) if l.ends_with('\r') => "\r",
            _ => "",
        };
        let add = |s: &String| Op::Add(format!("{}{cr}", s.replace(ARN, arn)));
        let e = &self.edits;
        let mut ops = Vec::new();
        for i in 0..self.old.lines.len() {
            ops.extend(e.before.get(&i).into_iter().flatten().map(add));
            match e.instead.get(&i) {
                Some(new) => {
                    ops.push(Op::Remove(i));
                    ops.extend(new.iter().map(add));
                }
                None if e.remove.contains(&i) => ops.push(Op::Remove(i)),
                None => ops.push(Op::Keep(i)),
            }
        }
        unified::diff(&self.path, &self.old, &ops)
    }
}

/// The path git applies a workflow's diff to: from `.github/workflows/`, where GitHub reads
/// workflows (the repository root).
fn repo_path(path: &str) -> Option<String> {
    let path = path.replace('\\', "/");
    let at = path
        .rmatch_indices(".github/workflows/")
        .map(|(at, _)| at)
        .find(|&at| at == 0 || path[..at].ends_with('/'))?;
    Some(path[at..].to_string())
}

/// The indices of the shallowest keys of `lines` that are one of `names`.
fn children(lines: &[Line<'_>], names: &[&str]) -> Vec<usize> {
    let indent = lines.iter().map(|l| l.indent).min().unwrap_or(0);
    (0..lines.len())
        .filter(|&i| lines[i].indent == indent)
        .filter(|&i| names.iter().any(|n| value_of(lines[i].text, n).is_some()))
        .collect()
}

/// Removes the key variables from the `env:` at `lines[at]` (the whole `env:` when nothing
/// else is left in it); whether there were any.
fn drop_env(lines: &[Line<'_>], at: usize, edits: &mut Edits) -> bool {
    let under = block(lines, at);
    if value_of(lines[at].text, "env") != Some("") || under.is_empty() {
        return false;
    }
    let keys = children(under, KEY_ENV);
    if keys.is_empty() {
        return false;
    }
    let indent = under.iter().map(|l| l.indent).min().unwrap_or(0);
    let all = under.iter().filter(|l| l.indent == indent).count() == keys.len();
    if all {
        edits.remove_block(lines, at);
    } else {
        for k in keys {
            edits.remove_block(under, k);
        }
    }
    true
}

/// The region the `env:` at `lines[at]` names, as written.
fn region(lines: &[Line<'_>], at: usize) -> Option<String> {
    let under = block(lines, at);
    let k = *children(under, REGION_ENV).first()?;
    let value = REGION_ENV.iter().find_map(|n| value_of(under[k].text, n))?;
    (!scalar(value).is_empty()).then(|| value.to_string())
}

/// A new step at `indent` (of its `-`) that assumes the role.
fn new_step(indent: usize, region: Option<&str>) -> Vec<String> {
    let p = " ".repeat(indent);
    vec![
        format!("{p}- name: Configure AWS credentials"),
        format!("{p}  uses: {ACTION_AT}"),
        format!("{p}  with:"),
        format!("{p}    role-to-assume: {ARN}"),
        format!("{p}    aws-region: {}", region.unwrap_or(REGION)),
    ]
}

/// One step of `steps:`: its lines with the first one's `- ` taken as indentation.
struct Step<'a> {
    /// Indentation of the `-`.
    dash: usize,
    lines: Vec<Line<'a>>,
}

fn steps<'a>(under: &[Line<'a>]) -> Vec<Step<'a>> {
    let Some(dash) = under.iter().map(|l| l.indent).min() else {
        return Vec::new();
    };
    let mut found: Vec<Step<'a>> = Vec::new();
    for l in under {
        let item = l.indent == dash && l.text.starts_with("- ");
        match found.last_mut() {
            _ if item => {
                let text = l.text[2..].trim_start();
                let first = Line {
                    indent: l.indent + l.text.len() - text.len(),
                    text,
                    ..*l
                };
                found.push(Step {
                    dash,
                    lines: vec![first],
                });
            }
            Some(step) => step.lines.push(*l),
            None => {}
        }
    }
    found
}

fn uses_action(step: &Step<'_>) -> bool {
    child(&step.lines, "uses")
        .and_then(|u| value_of(step.lines[u].text, "uses"))
        .is_some_and(|v| scalar(v).starts_with(&format!("{ACTION}@")))
}

/// Replaces the action's key inputs with `role-to-assume`; whether there were any.
fn action_inputs(step: &Step<'_>, edits: &mut Edits) -> bool {
    let Some(with) = child(&step.lines, "with") else {
        return false;
    };
    let under = block(&step.lines, with);
    let keys = children(under, KEY_INPUTS);
    let has_role = child(under, "role-to-assume").is_some();
    for (n, &k) in keys.iter().enumerate() {
        edits.remove_block(under, k);
        if n == 0 && !has_role {
            let p = " ".repeat(under[k].indent);
            edits.remove.remove(&under[k].no);
            edits
                .instead
                .insert(under[k].no, vec![format!("{p}role-to-assume: {ARN}")]);
        }
    }
    !keys.is_empty()
}

/// Rewires one job (`job`: the lines under its name); whether it changed. `inherited`: the
/// workflow's `env:` held keys that were removed; `region` as that `env:` names it.
fn job(job: &[Line<'_>], inherited: bool, region_up: Option<&str>, edits: &mut Edits) -> bool {
    let env = child(job, "env");
    let region_job = env.and_then(|e| region(job, e));
    let region_job = region_job.as_deref().or(region_up);
    let job_keys = env.is_some_and(|e| drop_env(job, e, edits));
    let Some(at) = child(job, "steps") else {
        return job_keys;
    };
    let steps = steps(block(job, at));
    let mut has_action = steps.iter().any(uses_action);
    let mut changed = job_keys;
    if (job_keys || inherited)
        && !has_action
        && let Some(first) = steps.first()
    {
        edits.before(first.lines[0].no, new_step(first.dash, region_job));
        has_action = true;
        changed = true;
    }
    for step in &steps {
        if uses_action(step) {
            changed |= action_inputs(step, edits);
            continue;
        }
        let Some(env) = child(&step.lines, "env") else {
            continue;
        };
        let region_step = region(&step.lines, env);
        if drop_env(&step.lines, env, edits) {
            changed = true;
            if !has_action {
                let region = region_step.as_deref().or(region_job);
                edits.before(step.lines[0].no, new_step(step.dash, region));
                has_action = true;
            }
        }
    }
    changed
}

/// The plan for the workflow at `path`; `None` when it is not UTF-8, not under
/// `.github/workflows/`, or holds nothing this module can rewire.
pub fn plan(path: &str, content: &[u8]) -> Option<Plan> {
    let text = std::str::from_utf8(content).ok()?;
    let path = repo_path(path)?;
    let all = lines(text);
    let mut edits = Edits::default();
    let top = |key| child(&all, key).filter(|&i| all[i].indent == 0);
    let env = top("env");
    let region_top = env.and_then(|e| region(&all, e));
    let inherited = env.is_some_and(|e| drop_env(&all, e, &mut edits));
    let jobs = block(&all, top("jobs")?);
    let indent = jobs.first()?.indent;
    let mut granted_top = false;
    for (j, _) in jobs.iter().enumerate().filter(|(_, l)| l.indent == indent) {
        let lines = block(jobs, j);
        if lines.is_empty() || !job(lines, inherited, region_top.as_deref(), &mut edits) {
            continue;
        }
        match (child(lines, "permissions"), top("permissions")) {
            (Some(p), _) => permissions::grant(lines, p, &mut edits),
            (None, Some(p)) if !granted_top => {
                permissions::grant(&all, p, &mut edits);
                granted_top = true;
            }
            (None, Some(_)) => {}
            (None, None) => {
                let p = " ".repeat(lines[0].indent);
                let new = ["permissions:", "  id-token: write", "  contents: read"];
                edits.before(lines[0].no, new.iter().map(|s| format!("{p}{s}")).collect());
            }
        }
    }
    (!edits.is_empty()).then(|| Plan {
        path,
        old: Old::read(text),
        edits,
    })
}

mod permissions;
#[cfg(test)]
mod tests;
