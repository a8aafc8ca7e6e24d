//! The whole per-blob path (`scan::scan_blob`: plain pass, decoded layers, classify) and
//! every reporter on what it finds.
//!
//! Properties: a finding written plainly is located at its credential in the input; a finding
//! from a decoded layer is located where that layer's detection maps to in the text the reader
//! sees (the input, or its UTF-16 text), and an escaped or UTF-16 layer maps to bytes that
//! read back as the credential; no layer maps outside the text below it; every key ID written
//! plainly or hidden in escapes is reported; examples and unique IDs are `info`; no reporter
//! prints a secret or session token whole unless asked to.

use keyleak::detect::decode::{Encoding, View};
use keyleak::detect::key_id::KEY_ID_LEN;
use keyleak::detect::{DetectOptions, Detection, Detections, Layer, Span};
use keyleak::model::finding::{Finding, Kind, Risk};
use keyleak::scan::scan_blob;
use keyleak::source::{Blob, Origin};

/// Any time will do: findings from a file have no commit, so nothing can expire.
const NOW: i64 = 1_700_000_000;

pub fn check(hay: &[u8], options: DetectOptions) {
    let detector = super::detector(options);
    let layers = detector.detect_layers(hay);
    let expected = check_layers(hay, &layers);
    let blob = Blob {
        origin: Origin::file("fuzz/input.txt"),
        bytes: hay.to_vec().into(),
    };
    let findings = scan_blob(detector, &blob, NOW);
    for f in &findings {
        match f.encoding {
            None => check_plain_location(hay, f),
            Some(_) => assert!(
                expected.iter().any(|e| e.matches(f)),
                "{f:?} is not where any decoded detection maps"
            ),
        }
        if f.example || f.kind == Kind::UniqueId {
            assert_eq!(f.risk, Risk::Info, "{f:?}");
        }
        assert!(
            options.include_identifiers || f.kind != Kind::UniqueId,
            "{f:?}"
        );
    }
    check_every_key_reported(hay, options, &findings);
    check_reports(findings);
}

/// A decoded detection as it must be reported: its credential, at `at` in `display`.
struct Expected<'a> {
    display: &'a [u8],
    at: usize,
    credential: &'a [u8],
}

impl Expected<'_> {
    fn matches(&self, f: &Finding) -> bool {
        f.credential().as_bytes() == self.credential
            && super::offsets_at(self.display, f.location.line, f.location.column)
                .contains(&self.at)
    }
}

fn spans(d: &Detection) -> Vec<Span> {
    match *d {
        Detection::Key {
            span,
            secret,
            token,
            ..
        } => [Some(span), secret, token].into_iter().flatten().collect(),
        Detection::Secret { span } | Detection::Token { span } => vec![span],
        _ => vec![d.anchor()],
    }
}

fn credential<'a>(d: &'a Detection, text: &'a [u8]) -> &'a [u8] {
    match d {
        Detection::Key { key, .. } => key.as_str().as_bytes(),
        _ => d.anchor().bytes(text),
    }
}

/// Checks each layer's mapping and returns where its detections must be reported.
fn check_layers<'a>(hay: &'a [u8], found: &'a Detections) -> Vec<Expected<'a>> {
    let mut expected = Vec::new();
    for layer in &found.decoded {
        let texts: Vec<&[u8]> = std::iter::once(hay)
            .chain(layer.chain.iter().map(|v| &v.bytes[..]))
            .collect();
        let level = layer.display_level();
        for d in &layer.detections {
            for span in spans(d) {
                assert!(span.end <= layer.bytes().len(), "{d:?} past its view");
                for (l, text) in texts.iter().enumerate() {
                    let at = layer.to_level(span.start, l);
                    assert!(
                        at < text.len(),
                        "{d:?} maps to {at} at level {l}, past the text"
                    );
                }
            }
            let anchor = d.anchor().start;
            let want = credential(d, layer.bytes());
            check_reads_back(hay, layer, anchor, want);
            expected.push(Expected {
                display: texts[level],
                at: layer.to_level(anchor, level),
                credential: want,
            });
        }
    }
    expected
}

/// Where a layer is one escape, UTF-16 or joined-strings view (or escapes in UTF-16 text), the
/// bytes its anchor maps to read back as the credential: decoded, or as written where the view passed
/// them through.
fn check_reads_back(hay: &[u8], layer: &Layer, anchor: usize, want: &[u8]) {
    let encodings: Vec<Encoding> = layer.chain.iter().map(|v| v.encoding).collect();
    match encodings[..] {
        [Encoding::Escaped] => {
            let at = layer.to_level(anchor, 0);
            assert!(
                super::decodes_to(hay, at, want),
                "escapes at {at} vs {want:?}"
            );
        }
        [Encoding::Utf16, Encoding::Escaped] => {
            let (text, at) = (&layer.chain[0].bytes, layer.to_level(anchor, 1));
            assert!(
                super::decodes_to(text, at, want),
                "escapes at {at} vs {want:?}"
            );
        }
        // A split string: each character of the credential is the byte it maps to, in a
        // piece or passed through as written.
        [Encoding::Joined] => {
            for (i, &w) in want.iter().enumerate() {
                let at = layer.to_level(anchor + i, 0);
                assert_eq!(
                    hay.get(at),
                    Some(&w),
                    "joined at {at} vs {want:?} (character {i})"
                );
            }
        }
        // Each character reads back from its own origin: a code unit where the view decoded
        // it, the byte as written where the view passed it through (a key ID beside a UTF-16
        // stretch, paired with a secret decoded from it; or one whose last character a
        // stretch starting right after it took as a code unit). A decoded character maps to
        // the first byte of its code unit (a blob that is UTF-16 throughout), or to its text
        // byte (a stretch beside ASCII): in a big-endian stretch that is the unit's second
        // byte, whose next byte may be the ASCII after the stretch.
        [Encoding::Utf16] => {
            let view = &layer.chain[0];
            for (i, &w) in want.iter().enumerate() {
                let at = layer.to_level(anchor + i, 0);
                let read = match view.is_decoded(anchor + i) {
                    true => {
                        let unit_from = |from: usize| {
                            hay.get(from..from + 2).is_some_and(|u| {
                                [
                                    u16::from_le_bytes([u[0], u[1]]),
                                    u16::from_be_bytes([u[0], u[1]]),
                                ]
                                .contains(&u16::from(w))
                            })
                        };
                        unit_from(at)
                            || (hay.get(at) == Some(&w)
                                && at.checked_sub(1).is_some_and(|b| hay[b] == 0))
                    }
                    false => hay.get(at) == Some(&w),
                };
                assert!(read, "UTF-16 at {at} vs {want:?} (character {i})");
            }
        }
        _ => {}
    }
}

fn check_plain_location(hay: &[u8], f: &Finding) {
    let credential = f.credential();
    let want = credential.as_bytes();
    assert!(!want.is_empty(), "{f:?}");
    let at = super::offsets_at(hay, f.location.line, f.location.column);
    assert!(
        at.iter().any(|&o| hay[o..].starts_with(want)),
        "{}:{} (offsets {at:?}) does not hold {credential}",
        f.location.line,
        f.location.column,
    );
    if let (Some(line), Some(secret)) = (f.secret_line, &f.secret) {
        let start = super::line_start(hay, line).expect("the secret's line exists");
        let end = memchr::memchr(b'\n', &hay[start..]).map_or(hay.len(), |i| start + i);
        let on_line = memchr::memmem::find(&hay[start..end], secret.expose().as_bytes());
        assert!(on_line.is_some(), "secret not on line {line}: {f:?}");
    }
}

/// Every key ID written plainly, and every one that decoding the input's escapes reveals, is
/// reported (from the plain pass or a layer): layering and de-duplication lose none, and the
/// prefilter's escape literals miss no escape that decodes.
fn check_every_key_reported(hay: &[u8], options: DetectOptions, findings: &[Finding]) {
    let view = View::new(Encoding::Escaped, hay, super::escape_runs(hay));
    let mut present: Vec<&[u8]> = super::every_key_id(hay, options)
        .into_iter()
        .map(|at| &hay[at..at + KEY_ID_LEN])
        .chain(
            super::every_key_id(&view.bytes, options)
                .into_iter()
                .filter(|&at| view.is_decoded(at))
                .map(|at| &view.bytes[at..at + KEY_ID_LEN]),
        )
        .collect();
    let mut reported: Vec<&[u8]> = findings
        .iter()
        .filter_map(|f| f.key_id.as_ref())
        .map(|k| k.as_str().as_bytes())
        .collect();
    present.sort();
    reported.sort();
    let mut left = reported.iter().peekable();
    for key in &present {
        while left.next_if(|r| *r < key).is_some() {}
        assert!(
            left.next_if(|r| *r == key).is_some(),
            "{} is in the input but not reported",
            String::from_utf8_lossy(key)
        );
    }
}

/// Renders the findings with every reporter, secrets hidden: no secret or session token may
/// appear whole in the output. Nothing to render without findings (most inputs): skipped, as
/// rendering costs more than detecting.
fn check_reports(findings: Vec<Finding>) {
    if findings.is_empty() {
        return;
    }
    let hidden: Vec<String> = findings
        .iter()
        .flat_map(|f| [&f.secret, &f.session_token])
        .flatten()
        .map(|s| s.expose().to_string())
        .collect();
    for (name, out) in super::reports(findings) {
        for secret in &hidden {
            assert!(
                !out.contains(secret.as_str()),
                "{name} output shows {secret}:\n{out}"
            );
        }
    }
}
