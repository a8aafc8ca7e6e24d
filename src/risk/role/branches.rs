//! The branches a CI role's trust policy names: the GitHub workflow's push branches, the
//! GitLab job's rules ([`super::gitlab_ci`]), else HEAD's branch, said in `guessed`; a
//! `<BRANCH>` placeholder when HEAD names none. Never a silent guess.

use super::{BRANCH, Place};

impl Place<'_> {
    /// The branches a GitHub role is for: the workflow's, else HEAD's (said to be a guess).
    pub(super) fn branches(&self, guessed: &mut Vec<String>) -> Vec<String> {
        if !self.triggers.branches.is_empty() {
            return self.triggers.branches.clone();
        }
        self.head_branch("the workflow names no `on: push: branches`", guessed)
    }

    /// The branches a GitLab role is for: the job's `rules:` or `only:` (the workflow's),
    /// HEAD's for `$CI_DEFAULT_BRANCH` or when none is named (said to be a guess).
    pub(super) fn gitlab_branches(
        &self,
        line: Option<u32>,
        guessed: &mut Vec<String>,
    ) -> Vec<String> {
        let read = self
            .pipeline
            .as_ref()
            .map(|p| p.branches_at(line))
            .unwrap_or_default();
        let mut branches = read.names;
        if read.default_branch {
            let head = self.head_branch("a rule names `$CI_DEFAULT_BRANCH`", guessed);
            branches.extend(
                head.into_iter()
                    .filter(|b| !branches.contains(b))
                    .collect::<Vec<_>>(),
            );
        }
        if branches.is_empty() {
            branches = self.head_branch("the job names no branch in `rules:` or `only:`", guessed);
        }
        branches
    }

    /// HEAD's branch, said to be a guess because of `trigger`; a placeholder without one.
    fn head_branch(&self, trigger: &str, guessed: &mut Vec<String>) -> Vec<String> {
        match &self.repo.head_branch {
            Some(b) => {
                guessed.push(format!("branch `{b}`: HEAD's branch, as {trigger}"));
                vec![b.clone()]
            }
            None => {
                guessed.push(format!(
                    "branch `{BRANCH}`: a placeholder, as {trigger} and HEAD names no branch"
                ));
                vec![BRANCH.to_string()]
            }
        }
    }
}
