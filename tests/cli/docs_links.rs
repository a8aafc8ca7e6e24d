//! Every relative link in README.md and docs/*.md leads somewhere: the file exists, and a
//! `#anchor` names a heading of the page it points into (GitHub's rule: lower case, spaces to
//! `-`, punctuation other than `-` and `_` dropped, `-1`, `-2` … on repeats). Links with a
//! scheme (`https://`) are not followed. Code blocks and code spans are not links.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::ROOT;

/// The markdown pages: README.md and every docs/*.md.
fn pages() -> Vec<PathBuf> {
    let root = Path::new(ROOT);
    let mut pages = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    assert!(!docs.is_empty(), "no docs/*.md");
    pages.extend(docs);
    pages
}

/// The lines of `text` outside fenced code blocks, code spans blanked (indented code blocks
/// hold no `](`, and list items continue on indented lines, so those are kept).
fn prose_lines(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        out.push(prose);
    }
    out
}

/// GitHub's anchor for a heading's text.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of every heading in `text`, repeats numbered as GitHub numbers them.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        let Some(title) = line.strip_prefix('#') else {
            continue;
        };
        let title = title.trim_start_matches('#');
        if fenced || !title.starts_with(' ') {
            continue;
        }
        // Inline code in a heading keeps its text, without the backticks.
        let base = anchor(&title.replace('`', ""));
        let mut name = base.clone();
        let mut n = 0;
        while !seen.insert(name.clone()) {
            n += 1;
            name = format!("{base}-{n}");
        }
    }
    seen
}

/// The targets of the inline links `[text](target)` in `text`.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in prose_lines(text) {
        let mut rest = line.as_str();
        while let Some(i) = rest.find("](") {
            rest = &rest[i + 2..];
            let end = rest.find(')').unwrap_or(rest.len());
            targets.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    targets
}

/// What is wrong with the relative links of `page` (its text `text`): one line per link.
fn broken_links(page: &Path, text: &str) -> Vec<String> {
    let mut broken = Vec::new();
    for target in link_targets(text) {
        if target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        let (path, fragment) = target.split_once('#').unwrap_or((&target, ""));
        let file = if path.is_empty() {
            page.to_path_buf()
        } else {
            page.parent().unwrap().join(path)
        };
        let name = page.display();
        if !file.exists() {
            broken.push(format!("{name}: ({target}): no file {}", file.display()));
            continue;
        }
        if fragment.is_empty() {
            continue;
        }
        let heads = if path.is_empty() {
            anchors(text)
        } else {
            anchors(&std::fs::read_to_string(&file).unwrap_or_default())
        };
        if !heads.contains(fragment) {
            broken.push(format!("{name}: ({target}): no heading #{fragment} there"));
        }
    }
    broken
}

#[test]
fn every_relative_link_in_readme_and_docs_resolves() {
    let mut broken = Vec::new();
    let mut links = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        links += link_targets(&text).len();
        broken.extend(broken_links(&page, &text));
    }
    assert!(
        links > 40,
        "only {links} links found: is the parser broken?"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn anchors_follow_githubs_rule() {
    let text = "# Verify: is a found key still active?\n## CI: only what a push adds\n\
                ## `--staged` and scan_file\n## Notes\n## Notes\n";
    let expected = [
        "verify-is-a-found-key-still-active",
        "ci-only-what-a-push-adds",
        "--staged-and-scan_file",
        "notes",
        "notes-1",
    ];
    assert_eq!(
        anchors(text),
        expected.iter().map(|s| s.to_string()).collect()
    );
}

#[test]
fn broken_links_are_reported_and_code_is_not_a_link() {
    let readme = Path::new(ROOT).join("README.md");
    let text = "# Top\n\nSee [here](#top), [gone](#nowhere), [page](docs/safety.md#safety),\n\
                [wrong](docs/safety.md#top), [missing](docs/none.md), [web](https://x.y/#z).\n\
                `[code](#no)`\n\n```\n[fenced](#no)\n```\n";
    assert_eq!(
        broken_links(&readme, text),
        [
            format!(
                "{}: (#nowhere): no heading #nowhere there",
                readme.display()
            ),
            format!(
                "{}: (docs/safety.md#top): no heading #top there",
                readme.display()
            ),
            format!(
                "{}: (docs/none.md): no file {}",
                readme.display(),
                Path::new(ROOT).join("docs/none.md").display()
            ),
        ]
    );
}
