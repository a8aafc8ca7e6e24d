//! The state a replay depends on: every reference and what it points at, HEAD (its name and
//! its commit, for `in_head`), and the caller's own parts (the commits selected, the
//! repository's identity), hashed. Two runs with the same text would walk the same commits
//! and find the same things.

use git2::Repository;

/// The tips of `repo` and `parts`, hashed. A reference that cannot be read is named with
/// its error, so the text still changes when it does.
pub fn tips(repo: &Repository, parts: &[&str]) -> String {
    let mut lines: Vec<String> = Vec::new();
    if let Ok(refs) = repo.references() {
        for r in refs {
            lines.push(match r {
                Ok(r) => format!(
                    "{} {} {}",
                    String::from_utf8_lossy(r.name_bytes()),
                    r.target().map(|o| o.to_string()).unwrap_or_default(),
                    r.symbolic_target().unwrap_or_default()
                ),
                Err(e) => format!("error {}", e.message()),
            });
        }
    }
    lines.sort();
    let head = match repo.find_reference("HEAD") {
        Ok(h) => format!(
            "HEAD {} {}",
            h.symbolic_target().unwrap_or_default(),
            h.resolve()
                .ok()
                .and_then(|r| r.target())
                .map(|o| o.to_string())
                .unwrap_or_default()
        ),
        Err(e) => format!("HEAD error {}", e.message()),
    };
    lines.push(head);
    super::hash(
        lines
            .iter()
            .map(String::as_str)
            .chain(parts.iter().copied()),
    )
}
