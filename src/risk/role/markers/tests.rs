use aho_corasick::{AhoCorasick, Input, MatchKind};

use super::*;

/// Literals Teddy, the vectorised searcher, takes in its slim form, which walks 32 bytes a
/// step; with more it goes fat, 16 bytes a step.
const SLIM_TEDDY_MAX: usize = 32;

#[test]
fn same_answer_as_one_search_per_string() {
    let contents: &[&str] = &[
        "",
        "apiVersion: v1\nkind: Pod",
        // Overlapping strings: "Client." does not hide "ClientBuilder" in
        // "Client.ClientBuilder", nor "AWS::Serverless" hide "AWS." after it.
        "AmazonS3Client.ClientBuilder boto3 @aws-sdk/ software.amazon.awssdk",
        "AWS::ServerlessAWS.S3(",
        "kinkind:d:",
        // A short string, found on demand, beside the long one that holds it.
        "duplicity --s3-use-new-style type = s3",
        "s3",
        "AWS::Serverless AWS::Lambda::Function #cloud-config aws-cdk-lib resource \"aws_vpc\"",
        // Strings beside and inside the words searched in the same pass.
        "break-glass kind: BREAKGLASS apiVersion: boto3",
        "kind:break_glass\"aws_breakglass",
    ];
    for content in contents {
        let present = Present::in_content(content.as_bytes());
        for needle in &NEEDLES.list {
            assert_eq!(
                present.has(needle),
                content.contains(needle),
                "{needle:?} in {content:?}"
            );
        }
    }
}

/// Teddy and the automaton (its fallback) find the same next start of a string or word
/// from every offset, in texts shorter and longer than Teddy's minimum and in every case.
#[test]
fn teddy_finds_what_the_automaton_finds() {
    let mut long = b"bre brEA xbreak ".repeat(20);
    long.extend_from_slice(b"BREAK-glass brEAKGLASS bre break_Glas bReA");
    long.extend_from_slice(b" kind: AWS.S3 Client(Client. boto boto3 type = s3 ");
    // Strings across the ends of the spans searched at a time.
    let mut spans = b"x".repeat(2 * SPAN + 40);
    for (at, s) in [
        (SPAN - 2, "brea"),
        (2 * SPAN - 4, "apiVersion:"),
        (2 * SPAN + 30, "boto3"),
    ] {
        spans[at..at + s.len()].copy_from_slice(s.as_bytes());
    }
    let texts: [&[u8]; 7] = [
        b"",
        b"brea",
        b"xBrEaK",
        b"b r e a BREA",
        b"AWS::",
        &long,
        &spans,
    ];
    let search = &*NEEDLES;
    // The automaton a machine without Teddy searches with (built here: this one has Teddy).
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(literals(&search.list, &search.searched, &search.words))
        .expect("marker strings build an automaton");
    for text in texts {
        let step = if text.len() > SPAN { 997 } else { 1 };
        for from in (0..=text.len())
            .step_by(step)
            .chain([SPAN - 3, SPAN - 2, SPAN - 1])
        {
            let from = from.min(text.len());
            let by_automaton = automaton
                .find(Input::new(text).range(from..))
                .map(|m| (m.start(), m.pattern().as_usize()));
            let mut warm = 0;
            assert_eq!(
                search.next_start(text, from, &mut warm, &mut |_, _| ControlFlow::Continue(())),
                ControlFlow::Continue(by_automaton),
                "{from}"
            );
        }
    }
}

/// The search stays within Teddy's slim form: one more literal makes it fat, twice the
/// steps over the content (answers unchanged).
#[test]
fn search_fits_slim_teddy() {
    let n = &*NEEDLES;
    let literals = literals(&n.list, &n.searched, &n.words);
    assert!(literals.len() <= SLIM_TEDDY_MAX, "{}", literals.len());
    // Every searched string starts with a literal, so the search stops where it does.
    for &i in &n.searched {
        assert!(literals.iter().any(|l| n.list[i].as_bytes().starts_with(l)));
    }
    let shared: Vec<&[u8]> = literals.iter().map(Vec::as_slice).collect();
    assert!(shared.contains(&&b"AWS::"[..]) && !shared.contains(&&b"kind:"[..]));
}

/// A string asked only after another was found is answered on demand, in content that
/// holds it without the one before it, too.
#[test]
fn strings_not_searched_found_on_demand() {
    for (content, needle) in [
        ("kind: Pod", "kind:"),
        ("new S3Client(x)", "Client("),
        ("access_key_id = x", "access_key_id"),
        ("S3Client.builder()", "Client."),
    ] {
        let at = NEEDLES.list.iter().position(|n| *n == needle).unwrap();
        assert!(!NEEDLES.searched.contains(&at), "{needle}");
        assert!(Present::in_content(content.as_bytes()).has(needle));
        assert!(!Present::in_content(b"no such string here").has(needle));
    }
}

#[test]
fn words_in_any_case() {
    let mut text = b"x ".repeat(50).to_vec();
    text.extend_from_slice(b"BREAK-glass brEAKGLASS bre break_Glas");
    let words_in = |text: &[u8]| {
        let present = Present::in_content(text);
        let mut found: Vec<&str> = NEEDLES
            .words
            .iter()
            .copied()
            .filter(|w| present.has_word(w))
            .collect();
        found.sort_unstable();
        found
    };
    assert_eq!(words_in(&text), ["break-glass", "breakglass"]);
    assert_eq!(
        words_in(b"[BreakGlass-admin] break glass break_glass"),
        ["break glass", "break_glass", "breakglass"]
    );
    // Beside the strings, and inside one.
    assert_eq!(
        words_in(b"kind: break-glass boto3 \"aws_breakglass\""),
        ["break-glass", "breakglass"]
    );
    assert!(words_in(b"").is_empty());
    assert!(words_in(b"brea").is_empty());
}

/// Contents made of the strings and words themselves, whole, cut, glued and in mixed case:
/// every string and word is found exactly where the content holds it.
#[test]
fn same_answer_on_strings_glued_and_cut() {
    let needles = &*NEEDLES;
    let pieces: Vec<&str> = needles.list.iter().chain(&needles.words).copied().collect();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..400 {
        let mut content = Vec::new();
        for _ in 0..12 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let piece = pieces[(state >> 8) as usize % pieces.len()].as_bytes();
            let keep = 1 + (state >> 24) as usize % piece.len();
            let piece = if state.is_multiple_of(3) {
                piece
            } else {
                &piece[..keep]
            };
            content.extend(piece.iter().map(|&b| match state % 5 {
                0 => b.to_ascii_uppercase(),
                _ => b,
            }));
            if state.is_multiple_of(4) {
                content.push(b' ');
            }
        }
        let text = String::from_utf8_lossy(&content);
        let present = Present::in_content(&content);
        for needle in &needles.list {
            assert_eq!(
                present.has(needle),
                text.contains(needle),
                "{needle:?} in {text:?}"
            );
        }
        for word in &needles.words {
            let holds = text
                .to_ascii_lowercase()
                .contains(&word.to_ascii_lowercase());
            assert_eq!(present.has_word(word), holds, "{word:?} in {text:?}");
        }
    }
}

/// What a caller is told of ahead of the search: ranges one after the other from the start,
/// up to the end when the search goes there, and the same answer as without it.
#[test]
fn ranges_told_ahead_cover_what_the_search_reads() {
    let mut content = b"plain words and more words\n".repeat(20_000);
    content.extend_from_slice(b"boto3.client('s3')\n");
    let mut told: Vec<(usize, usize)> = Vec::new();
    let present = Present::in_content_reading(&content, &mut |lo, hi| {
        told.push((lo, hi));
        ControlFlow::Continue(())
    })
    .expect("never stopped");
    assert!(told.len() > 4, "{told:?}");
    assert_eq!(told[0].0, 0);
    assert!(told.windows(2).all(|w| w[0].1 == w[1].0 && w[0].0 < w[0].1));
    assert_eq!(told.last().unwrap().1, content.len());
    let plain = Present::in_content(&content);
    for needle in &NEEDLES.list {
        assert_eq!(present.has(needle), plain.has(needle), "{needle}");
    }
    assert_eq!(present.words, plain.words);
    // Stopped at the third range: no answer.
    let mut n = 0;
    let stopped = Present::in_content_reading(&content, &mut |_, _| {
        n += 1;
        match n {
            3 => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        }
    });
    assert!(stopped.is_none());
    assert_eq!(n, 3);
}
