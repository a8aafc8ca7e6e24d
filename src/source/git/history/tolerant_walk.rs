//! The commit walk for a damaged history: used when libgit2's revwalk fails.
//!
//! libgit2's sorted revwalk (topological, reversed) reads every commit before it yields the
//! first, so one corrupt or missing commit anywhere ends the whole walk with nothing — and a
//! scan that walked nothing finds nothing and exits 0. This walk reads commit by commit from
//! the tips instead, skips a commit it cannot read (a `Warning`: what lies only behind it is
//! out of reach) and orders the rest the same way: parents before children, older committer
//! time first, then object id, so the order is the same on every run. It reads no trees.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use git2::{ErrorCode, Oid, Repository};

use crate::error::Warning;

/// What the walk knows about one readable commit.
struct Node {
    time: i64,
    parents: Vec<Oid>,
}

/// The commits reachable from `tips` but not from `hide`, oldest first. In a shallow clone a
/// missing commit is the boundary (the repository-level warning covers it); elsewhere each
/// unreadable commit is a warning.
pub fn walk(
    repo: &Repository,
    tips: &[Oid],
    hide: &[Oid],
    shallow: bool,
    warnings: &mut Vec<Warning>,
) -> Vec<Oid> {
    let hidden: HashSet<Oid> = reachable(repo, hide, &HashSet::new(), shallow, warnings)
        .into_keys()
        .collect();
    let nodes = reachable(repo, tips, &hidden, shallow, warnings);
    topological(&nodes)
}

fn reachable(
    repo: &Repository,
    tips: &[Oid],
    stop: &HashSet<Oid>,
    shallow: bool,
    warnings: &mut Vec<Warning>,
) -> HashMap<Oid, Node> {
    let mut nodes = HashMap::new();
    let mut unreadable = HashSet::new();
    let mut stack = tips.to_vec();
    while let Some(oid) = stack.pop() {
        if nodes.contains_key(&oid) || unreadable.contains(&oid) || stop.contains(&oid) {
            continue;
        }
        match repo.find_commit(oid) {
            Ok(c) => {
                let parents: Vec<Oid> = c.parent_ids().collect();
                stack.extend(&parents);
                let time = c.time().seconds();
                nodes.insert(oid, Node { time, parents });
            }
            Err(e) => {
                unreadable.insert(oid);
                if !(shallow && e.code() == ErrorCode::NotFound) {
                    warnings.push(Warning::new(
                        format!("commit {oid}"),
                        format!(
                            "missing or corrupt: {}; history only behind it was not walked",
                            e.message()
                        ),
                    ));
                }
            }
        }
    }
    nodes
}

/// Kahn's algorithm over the readable commits: a commit comes once all its readable parents
/// have, the oldest ready one first.
fn topological(nodes: &HashMap<Oid, Node>) -> Vec<Oid> {
    let mut waiting: HashMap<Oid, usize> = HashMap::new();
    let mut children: HashMap<Oid, Vec<Oid>> = HashMap::new();
    let mut ready = BinaryHeap::new();
    for (&oid, node) in nodes {
        let known: Vec<Oid> = node
            .parents
            .iter()
            .copied()
            .filter(|p| nodes.contains_key(p))
            .collect();
        if known.is_empty() {
            ready.push(Reverse((node.time, oid)));
        } else {
            waiting.insert(oid, known.len());
            for p in known {
                children.entry(p).or_default().push(oid);
            }
        }
    }
    let mut order = Vec::with_capacity(nodes.len());
    while let Some(Reverse((_, oid))) = ready.pop() {
        order.push(oid);
        for child in children.get(&oid).into_iter().flatten() {
            let left = waiting
                .get_mut(child)
                .expect("a child waits for its parents");
            *left -= 1;
            if *left == 0 {
                ready.push(Reverse((nodes[child].time, *child)));
            }
        }
    }
    order
}
