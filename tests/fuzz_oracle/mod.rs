//! Oracles for fuzzing: each submodule's `check` runs one part of keyleak on arbitrary input
//! and panics when a property that must hold for every input does not.
//!
//! Compiled twice, so a libFuzzer crash and a proptest failure mean the same thing: as a
//! module of the `fuzz_twins` test (proptest, normal suite) and, by `#[path]`, into each
//! target under `fuzz/fuzz_targets/` (`scripts/fuzz.sh`). One submodule per fuzz target, named
//! like it. Only keyleak's public API is used; numbers docs/detection.md documents (the pairing
//! window) are restated here, so a change to them has to be made on purpose in both places.

pub mod archive;
pub mod decode_base64;
pub mod decode_escapes;
pub mod decode_hex;
pub mod decode_percent;
pub mod decode_utf16;
pub mod detect;
pub mod lines;
pub mod no_leak;
pub mod pairing;

use std::sync::OnceLock;

use keyleak::detect::decode::{Encoding, Run, View, escape_at, run_at};
use keyleak::detect::key_id::{KEY_ID_LEN, KeyClass, KeyId};
use keyleak::detect::{DetectOptions, Detector};
use memchr::{memchr, memchr_iter};

/// One detector per option set, built once: building the prefilter on every input would cost
/// more than scanning it.
pub fn detector(options: DetectOptions) -> &'static Detector {
    static DETECTORS: [OnceLock<Detector>; 2] = [OnceLock::new(), OnceLock::new()];
    let include = options.include_identifiers;
    DETECTORS[usize::from(include)].get_or_init(|| Detector::new(options))
}

/// Offset of the first byte of 1-based line `line`, if `hay` has that many lines.
pub fn line_start(hay: &[u8], line: u32) -> Option<usize> {
    let skip = usize::try_from(line.checked_sub(1)?).ok()?;
    if skip == 0 {
        return Some(0);
    }
    memchr_iter(b'\n', hay).nth(skip - 1).map(|nl| nl + 1)
}

/// Every byte offset that 1-based `line` and `column` can name. Columns count characters when
/// the line before the offset is valid UTF-8 and bytes otherwise (docs/detection.md, "What is
/// detected"), so up to two offsets fit; the caller checks which holds what it expects.
pub fn offsets_at(hay: &[u8], line: u32, column: u32) -> Vec<usize> {
    let (Some(start), Some(col)) = (line_start(hay, line), column.checked_sub(1)) else {
        return Vec::new();
    };
    let col = col as usize;
    let end = memchr(b'\n', &hay[start..]).map_or(hay.len(), |i| start + i);
    let text = &hay[start..end];
    let valid = match std::str::from_utf8(text) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&text[..e.valid_up_to()]).expect("checked prefix"),
    };
    let mut out = Vec::new();
    let by_chars = valid
        .char_indices()
        .map(|(i, _)| i)
        .chain([valid.len()])
        .nth(col);
    if let Some(i) = by_chars {
        out.push(start + i);
    }
    if col <= text.len() && std::str::from_utf8(&text[..col]).is_err() {
        out.push(start + col);
    }
    out
}

/// Does reading `hay` from `at`, decoding escapes and taking other bytes as they are, give
/// `want`? Credentials never contain `\` or `&`, so reading greedily cannot disagree with a
/// view about where an escape starts; the anchor itself may be plain (a key ID written plainly
/// whose secret was escaped is reported from the escaped layer).
pub fn decodes_to(hay: &[u8], mut at: usize, want: &[u8]) -> bool {
    for &w in want {
        let Some(&literal) = hay.get(at) else {
            return false;
        };
        let (byte, len) = escape_at(hay, at).unwrap_or((literal, 1));
        if byte != w {
            return false;
        }
        at += len;
    }
    true
}

/// Escape runs as the detector collects them: a run may start at any escape not inside the
/// previous run. (The detector starts only at its prefilter's escape literals; `detect`
/// fails if they miss an escape that hides a key.)
pub fn escape_runs(hay: &[u8]) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for at in 0..hay.len() {
        if runs.last().is_none_or(|r| at >= r.end) {
            runs.extend(run_at(hay, at));
        }
    }
    runs
}

/// Offsets of every key ID in `hay`, bounded as docs/detection.md says: no `[A-Za-z0-9]` right
/// before (except the letter of a `\n`, `\t`, `\r` escape or the last digit of a `%XX`
/// escape) or right after. Unique IDs only when `options` asks for them.
pub fn every_key_id(hay: &[u8], options: DetectOptions) -> Vec<usize> {
    (0..hay.len().saturating_sub(KEY_ID_LEN - 1))
        .filter(|&at| {
            KeyId::parse(&hay[at..at + KEY_ID_LEN]).is_some_and(|k| {
                (options.include_identifiers || k.class() != KeyClass::Identifier)
                    && (bounded_before(hay, at, u8::is_ascii_alphanumeric)
                        || url_escape_before(hay, at))
                    && hay
                        .get(at + KEY_ID_LEN)
                        .is_none_or(|b| !b.is_ascii_alphanumeric())
            })
        })
        .collect()
}

/// Is `hay[at - 3..at]` a `%XX` URL escape?
fn url_escape_before(hay: &[u8], at: usize) -> bool {
    at >= 3 && hay[at - 3] == b'%' && hay[at - 2..at].iter().all(u8::is_ascii_hexdigit)
}

/// Is `hay[at]` the start of a token, not glued to a `glued` byte before it? The letter of a
/// `\n`, `\t`, `\r` escape does not glue.
pub fn bounded_before(hay: &[u8], at: usize, glued: fn(&u8) -> bool) -> bool {
    let escaped_letter =
        at >= 2 && hay[at - 2] == b'\\' && matches!(hay[at - 1], b'n' | b't' | b'r');
    at == 0 || !glued(&hay[at - 1]) || escaped_letter
}

/// Checks the view `runs` make of `hay`, for any decoder: runs are placed in input order and
/// one overlapping a run already placed is left out (`View::new`); each view offset maps
/// inside `hay`, in order, to the byte it copies or into the run it was decoded from, and the
/// end maps to the end. With `same_lines` (decoders of printable text), decoding moves no
/// byte to another line.
pub fn check_view(hay: &[u8], encoding: Encoding, runs: &[Run], same_lines: bool) {
    let mut placed: Vec<&Run> = runs.iter().collect();
    placed.sort_by_key(|r| r.start);
    let mut end = 0;
    placed.retain(|r| {
        let keep = r.start >= end;
        end = if keep { r.end } else { end };
        keep
    });
    let view = View::new(encoding, hay, runs.to_vec());
    let removed: usize = placed.iter().map(|r| r.end - r.start).sum();
    let added: usize = placed.iter().map(|r| r.decoded.len()).sum();
    assert_eq!(view.bytes.len(), hay.len() - removed + added, "view length");
    let mut prev: Option<usize> = None;
    let (mut view_lines, mut hay_lines, mut hay_at) = (0, 0, 0);
    for (at, &byte) in view.bytes.iter().enumerate() {
        let orig = view.to_original(at);
        assert!(
            orig < hay.len(),
            "offset {at} maps to {orig}, past the input"
        );
        assert!(
            prev.is_none_or(|p| orig > p),
            "offset {at} maps back to {orig}"
        );
        if view.is_decoded(at) {
            let inside = placed.iter().any(|r| (r.start..r.end).contains(&orig));
            assert!(
                inside,
                "decoded offset {at} maps to {orig}, outside every run"
            );
        } else {
            assert_eq!(hay[orig], byte, "copied offset {at} from {orig}");
        }
        prev = Some(orig);
        if same_lines {
            hay_lines += memchr_iter(b'\n', &hay[hay_at..orig]).count();
            hay_at = orig;
            assert_eq!(view_lines, hay_lines, "offset {at} moved to another line");
            view_lines += usize::from(byte == b'\n');
        }
    }
    assert_eq!(
        view.to_original(view.bytes.len()),
        hay.len(),
        "end maps to end"
    );
}

/// Common shape of a decoded run: inside the input, one origin per decoded byte, origins in
/// order inside the run, and no longer than its text (every decoder shrinks).
pub fn check_run_shape(hay: &[u8], run: &Run) {
    assert!(run.start < run.end && run.end <= hay.len(), "{run:?}");
    assert_eq!(run.decoded.len(), run.origins.len(), "{run:?}");
    assert!(run.decoded.len() <= run.end - run.start, "{run:?}");
    let in_order = run.origins.windows(2).all(|w| w[0] < w[1]);
    let inside = run.origins.iter().all(|o| (run.start..run.end).contains(o));
    assert!(in_order && inside, "{run:?}");
}

/// Every reporter's output for `findings`, secrets hidden: (format name, text).
pub fn reports(findings: Vec<keyleak::model::finding::Finding>) -> Vec<(&'static str, String)> {
    use keyleak::report::{ReportOptions, Reporter, github, gitlab, human, json, sarif};
    use keyleak::scan::ScanResult;
    let result = ScanResult {
        findings,
        ..ScanResult::default()
    };
    // Info findings listed too: the oracle checks every block a reporter can write.
    let options = ReportOptions {
        show_info: true,
        ..ReportOptions::default()
    };
    let json = |lines| json::Json { options, lines };
    let reporters: [(&str, Box<dyn Reporter>); 6] = [
        ("human", Box::new(human::Human { options })),
        ("json", Box::new(json(false))),
        ("jsonl", Box::new(json(true))),
        ("sarif", Box::new(sarif::Sarif { options })),
        ("github", Box::new(github::Github { options })),
        (
            "gitlab",
            Box::new(gitlab::Gitlab {
                options,
                started: 0,
                finished: 0,
            }),
        ),
    ];
    reporters
        .into_iter()
        .map(|(name, reporter)| {
            let mut out = Vec::new();
            reporter.report(&mut out, &result).expect("in memory");
            (name, String::from_utf8(out).expect("reports are UTF-8"))
        })
        .collect()
}
