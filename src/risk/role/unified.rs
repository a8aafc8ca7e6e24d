//! Writes a line edit of a file as a unified diff that `git apply` takes, and redacts it.
//!
//! Owns the diff's text only: hunks with three lines of context, `\ No newline at end of
//! file` where the file has none, and which of its lines may be printed. What to change is
//! [`super::wiring_diff`]'s business; this module reads no YAML.

use crate::model::role::WiringDiff;
use crate::redact::{Secret, redact_line};

/// Lines of context around each change, as `git diff` writes.
const CONTEXT: usize = 3;

/// One line of the diff: an old line kept or removed (by index), or a new line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Keep(usize),
    Remove(usize),
    Add(String),
}

/// The file as read: its lines without `\n` (a `\r` stays), and whether it ends in `\n`.
#[derive(Debug, Clone)]
pub struct Old {
    pub lines: Vec<String>,
    pub newline_at_end: bool,
}

impl Old {
    pub fn read(text: &str) -> Old {
        let newline_at_end = text.ends_with('\n');
        let body = text.strip_suffix('\n').unwrap_or(text);
        Old {
            lines: body.split('\n').map(String::from).collect(),
            newline_at_end,
        }
    }
}

/// A diff as a report printed it (`merge`, `--cache` read reports back): redacted again, so
/// one written with `--show-secrets` is printed whole only with `--show-secrets` again.
pub fn reread(printed: String) -> WiringDiff {
    let mut patch = String::with_capacity(printed.len());
    for (i, line) in printed.split_inclusive('\n').enumerate() {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        match body.split_at_checked(1) {
            // After the `---`/`+++` header: removed and kept lines are the file's.
            Some((mark @ ("-" | " "), text)) if i >= 2 => {
                patch.push_str(&format!("{mark}{}{nl}", shown(text)));
            }
            _ => patch.push_str(line),
        }
    }
    let applies = patch == printed;
    WiringDiff {
        patch,
        applies,
        full: (!applies).then(|| Secret::new(printed)),
    }
}

/// A line as it may be printed: credential-shaped runs redacted (key IDs stay).
fn shown(line: &str) -> String {
    let (body, cr) = match line.strip_suffix('\r') {
        Some(b) => (b, "\r"),
        None => (line, ""),
    };
    format!("{}{cr}", redact_line(body))
}

/// Each run of changes as its removed lines, then its added ones, as `git diff` shows them.
fn grouped(ops: &[Op]) -> Vec<Op> {
    let mut out: Vec<Op> = Vec::with_capacity(ops.len());
    for run in ops.chunk_by(|a, b| matches!(a, Op::Keep(_)) == matches!(b, Op::Keep(_))) {
        let (removed, rest): (Vec<&Op>, Vec<&Op>) =
            run.iter().partition(|op| matches!(op, Op::Remove(_)));
        out.extend(removed.into_iter().chain(rest).cloned());
    }
    out
}

/// The diff of `ops` (every old line once, in order, with the new lines among them) on the
/// file `path`; `None` when nothing changes.
pub fn diff(path: &str, old: &Old, ops: &[Op]) -> Option<WiringDiff> {
    let ops = &grouped(ops)[..];
    let changed: Vec<usize> = (0..ops.len())
        .filter(|&i| !matches!(ops[i], Op::Keep(_)))
        .collect();
    let first = *changed.first()?;
    // Line numbers (1-based) before each op, on each side.
    let (mut old_no, mut new_no) = (vec![1usize], vec![1usize]);
    for op in ops {
        let (o, n) = (*old_no.last().unwrap(), *new_no.last().unwrap());
        old_no.push(o + usize::from(!matches!(op, Op::Add(_))));
        new_no.push(n + usize::from(!matches!(op, Op::Remove(_))));
    }
    let mut hunks: Vec<(usize, usize)> = Vec::new();
    let (mut lo, mut hi) = (first.saturating_sub(CONTEXT), first + 1);
    for &c in &changed[1..] {
        if c.saturating_sub(CONTEXT) > hi + CONTEXT {
            hunks.push((lo, (hi + CONTEXT).min(ops.len())));
            lo = c - CONTEXT;
        }
        hi = c + 1;
    }
    hunks.push((lo, (hi + CONTEXT).min(ops.len())));

    let last = old.lines.len() - 1;
    let (mut full, mut patch) = (
        format!("--- a/{path}\n+++ b/{path}\n"),
        format!("--- a/{path}\n+++ b/{path}\n"),
    );
    for (lo, hi) in hunks {
        let count = |side: &[usize]| side[hi] - side[lo];
        let start = |side: &[usize], n: usize| if n == 0 { side[lo] - 1 } else { side[lo] };
        let (oc, nc) = (count(&old_no), count(&new_no));
        let header = format!(
            "@@ -{},{oc} +{},{nc} @@\n",
            start(&old_no, oc),
            start(&new_no, nc)
        );
        full.push_str(&header);
        patch.push_str(&header);
        for op in &ops[lo..hi] {
            let (mark, text, at) = match op {
                Op::Keep(i) => (' ', &old.lines[*i], Some(*i)),
                Op::Remove(i) => ('-', &old.lines[*i], Some(*i)),
                Op::Add(s) => ('+', s, None),
            };
            let eof = at == Some(last) && !old.newline_at_end;
            let end = if eof {
                "\n\\ No newline at end of file\n"
            } else {
                "\n"
            };
            full.push_str(&format!("{mark}{text}{end}"));
            let text = if at.is_some() {
                shown(text)
            } else {
                text.clone()
            };
            patch.push_str(&format!("{mark}{text}{end}"));
        }
    }
    let applies = patch == full;
    Some(WiringDiff {
        patch,
        applies,
        full: (!applies).then(|| Secret::new(full)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old(text: &str) -> Old {
        Old::read(text)
    }

    #[test]
    fn hunks_with_context_merge_when_close() {
        let text: String = (1..=20).map(|i| format!("l{i}\n")).collect();
        let mut ops: Vec<Op> = (0..20).map(Op::Keep).collect();
        ops[1] = Op::Remove(1);
        ops.insert(17, Op::Add("new".into()));
        let d = diff("f.yml", &old(&text), &ops).unwrap();
        assert_eq!(
            d.patch,
            "--- a/f.yml\n+++ b/f.yml\n@@ -1,5 +1,4 @@\n l1\n-l2\n l3\n l4\n l5\n\
             @@ -15,6 +14,7 @@\n l15\n l16\n l17\n+new\n l18\n l19\n l20\n"
        );
        assert!(d.applies && d.full.is_none());
        // Within twice the context: one hunk.
        let mut ops: Vec<Op> = (0..20).map(Op::Keep).collect();
        ops[1] = Op::Remove(1);
        ops[8] = Op::Remove(8);
        let d = diff("f.yml", &old(&text), &ops).unwrap();
        assert_eq!(d.patch.matches("@@ -").count(), 1, "{}", d.patch);
        assert!(d.patch.contains("@@ -1,12 +1,10 @@"));
        assert_eq!(
            diff(
                "f.yml",
                &old(&text),
                &(0..20).map(Op::Keep).collect::<Vec<_>>()
            ),
            None
        );
    }

    /// A diff printed with `--show-secrets` and read back is redacted again, and whole only
    /// when shown with secrets.
    #[test]
    fn a_diff_read_back_is_redacted_again() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKE";
        let text = format!("env:\n  KEY: {secret}\nrun: x\n");
        let before = old(&text);
        let ops = [Op::Keep(0), Op::Remove(1), Op::Keep(2)];
        let written = diff("w.yml", &before, &ops).unwrap();
        let full = written.full.as_ref().unwrap().expose().to_string();
        let again = reread(full.clone());
        assert_eq!(again.patch, written.patch);
        assert!(!again.applies && !again.patch.contains(secret));
        assert_eq!(again.full.unwrap().expose(), full);
        // Nothing to hide: the diff applies as it was printed.
        let clean = diff(
            "w.yml",
            &old("env:\n  REGION: eu-west-1\n"),
            &[Op::Keep(0), Op::Remove(1)],
        );
        let clean = clean.unwrap();
        let same = reread(clean.patch.clone());
        assert_eq!((same.patch, same.applies), (clean.patch, true));
        assert!(same.full.is_none());
    }

    #[test]
    fn no_newline_at_end_and_redaction() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
        let text = format!("a\nkey: {secret}\nb");
        let ops = [Op::Keep(0), Op::Remove(1), Op::Add("c".into()), Op::Keep(2)];
        let d = diff("w.yml", &old(&text), &ops).unwrap();
        assert_eq!(
            d.patch,
            "--- a/w.yml\n+++ b/w.yml\n@@ -1,3 +1,3 @@\n a\n-key: wJal…\n+c\n b\n\\ No newline at end of file\n"
        );
        assert!(!d.applies);
        assert_eq!(d.full.unwrap().expose(), d.patch.replace("wJal…", secret));
    }
}
