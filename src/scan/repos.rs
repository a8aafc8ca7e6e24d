//! Multi-repository driver (`--repos`, `--repos-under`): each repository's history in turn,
//! through the history driver, into the one collector, so the findings of all are filtered,
//! sorted and reported once.
//!
//! Repositories run one after another; each one's scan is parallel inside (plan, then read
//! and detect). Every finding is tagged with its repository; warnings and notes name it
//! first. A repository that cannot be cloned, fetched or opened, or whose history cannot be
//! walked, is a warning and a failed repository in the summary: the run goes on.

use std::sync::Arc;

use super::{Collector, history};
use crate::detect::Detector;
use crate::error::{Error, Warning};
use crate::model::result::Repositories;
use crate::progress::Progress;
use crate::settings::repos::RepoList;
use crate::settings::{Settings, repo};
use crate::source::git::{history::Selection, mirror};
use crate::source::repos::{RepoSource, RepoSpec};

pub(super) fn scan(
    settings: &Settings,
    list: &RepoList,
    selection: &Selection,
    detector: &Detector,
    collector: &mut Collector,
) {
    for w in &list.warnings {
        collector.warn(w.clone());
    }
    let mut counts = Repositories {
        shard: list.shard.map(|s| (s.index, s.count)),
        ..Repositories::default()
    };
    let total = list.repos.len();
    for (done, spec) in list.repos.iter().enumerate() {
        let name = crate::printable::text(&spec.name);
        let prefix = format!("repository {}/{total} {name}: ", done + 1);
        match one(settings, list, spec, selection, detector, collector, prefix) {
            Ok(()) => counts.scanned += 1,
            Err(message) => {
                counts.failed += 1;
                collector.warn(Warning::new(
                    spec.name.clone(),
                    format!("repository not scanned: {message}"),
                ));
            }
        }
    }
    collector.repositories = Some(counts);
}

/// Scans one repository into `collector`, its findings tagged with it.
fn one(
    settings: &Settings,
    list: &RepoList,
    spec: &RepoSpec,
    selection: &Selection,
    detector: &Detector,
    collector: &mut Collector,
    prefix: String,
) -> Result<(), String> {
    let path = match &spec.source {
        RepoSource::Local(path) => path.clone(),
        RepoSource::Remote(url) => {
            // Cloning may take a while: say so on a terminal, like the scan's own progress.
            let progress = Progress::waiting(format!("{prefix}cloning or fetching"));
            let path = mirror::update(url, &list.clone_dir);
            progress.finish();
            path?
        }
    };
    // The others' findings stay out of this one's history merge.
    let before = std::mem::take(collector.findings.get_mut().expect("no workers running"));
    let warnings_before = collector
        .warnings
        .get_mut()
        .expect("no workers running")
        .len();
    let notes_before = collector.notes.len();
    // The history driver sets these for its one repository: summed here.
    let stages_before = std::mem::take(&mut collector.stages);
    let commits_before = collector.commits.take();
    // Role setups name this repository's own remote and branch.
    let mut own = settings.clone();
    own.repo = repo::identity_of(&path);
    collector.progress_prefix = prefix;
    let scanned = history::scan(&own, &path, selection, detector, collector);
    let name: Arc<str> = Arc::from(spec.name.as_str());
    let findings = collector.findings.get_mut().expect("no workers running");
    let mine = std::mem::replace(findings, before);
    if scanned.is_ok() {
        findings.extend(mine.into_iter().map(|mut f| {
            f.repository = Some(Arc::clone(&name));
            f
        }));
    }
    for w in &mut collector.warnings.get_mut().expect("no workers running")[warnings_before..] {
        w.subject = format!("{}: {}", spec.name, w.subject);
    }
    for note in &mut collector.notes[notes_before..] {
        *note = format!("{}: {note}", spec.name);
    }
    let this = std::mem::replace(&mut collector.stages, stages_before);
    let sum = |a: Option<u64>, b: Option<u64>| Some(a.unwrap_or(0) + b.unwrap_or(0));
    let stages = &mut collector.stages;
    stages.plan = Some(stages.plan.unwrap_or_default() + this.plan.unwrap_or_default());
    stages.unique_blobs = sum(stages.unique_blobs, this.unique_blobs);
    stages.plan_bytes = sum(stages.plan_bytes, this.plan_bytes);
    stages.scan += this.scan;
    stages.merge += this.merge;
    if let Some(cache) = this.cache {
        stages.cache.get_or_insert_default().add(&cache);
    }
    collector.commits = sum(commits_before, collector.commits);
    scanned.map_err(|e| chain(&e))
}

/// An error and its causes, `: `-separated: one warning's message.
fn chain(e: &Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}
