use super::*;

/// A keyword overlaps no other literal in any text (neither holds the other, no end of
/// one starts the other), so the search it is in changes neither search's hits: the
/// keywords sit with the encoded literals, which keeps each search at 32 literals or
/// fewer (without identifiers).
#[test]
fn keywords_overlap_no_other_literal() {
    let overlap = |a: &str, b: &str| {
        a.contains(b) || b.contains(a) || (1..a.len()).any(|i| b.starts_with(&a[i..]))
    };
    let is_keyword = |a: Anchor| matches!(a, Anchor::SecretWord | Anchor::TokenWord(_));
    for identifiers in [false, true] {
        let all = literal_sets(identifiers).concat();
        for (a, _) in all.iter().filter(|(_, anchor)| is_keyword(*anchor)) {
            for (b, _) in all.iter().filter(|(_, anchor)| !is_keyword(*anchor)) {
                assert!(!overlap(a, b) && !overlap(b, a), "{a:?} and {b:?}");
            }
        }
    }
    let [plain, other] = literal_sets(false);
    assert!(plain.len() <= 32 && other.len() <= 32);
}

/// The hits of the two whole-haystack searches, merged: what [`Prefilter::hits`] must
/// give.
fn hits_by_find_iter(pre: &Prefilter, hay: &[u8]) -> Vec<(usize, Anchor)> {
    let all = |s: &Searcher| -> Vec<(usize, Anchor)> {
        s.automaton
            .find_iter(hay)
            .map(|m| (m.start(), s.anchors[m.pattern().as_usize()]))
            .collect()
    };
    let mut hits = all(&pre.plain);
    hits.extend(all(&pre.encoded));
    hits.sort_by_key(|&(at, _)| at);
    hits
}

/// Searched a chunk at a time, the same hits as searched whole: literals across a
/// chunk's end, overlapping ones (`\\x4941`: an escape and a hex literal), one at the very
/// end, and a run of literals where each hit ends inside the next one's bytes.
#[test]
fn chunks_change_no_hit() {
    let pre = Prefilter::new(false);
    let literals = [
        "SECRET",
        "IQoJb3JpZ2luX2Vj",
        "AKIAAKIA",
        "\\x4941",
        "secretsession",
        "&#x49 41",
    ];
    for literal in literals {
        for shift in 0..literal.len() + 2 {
            let mut hay = b"x".repeat(2 * CHUNK + 100);
            for base in [CHUNK, 2 * CHUNK] {
                let at = base - shift.min(base);
                hay[at..at + literal.len()].copy_from_slice(literal.as_bytes());
            }
            hay.extend_from_slice(literal.as_bytes());
            let chunked: Vec<(usize, Anchor)> = pre.hits(&hay).collect();
            assert_eq!(chunked, hits_by_find_iter(&pre, &hay), "{literal} {shift}");
            assert!(chunked.len() >= 3, "{literal} {shift}");
        }
    }
    let short = b"AKIA SECRET \\x4941";
    assert_eq!(
        pre.hits(short).collect::<Vec<_>>(),
        hits_by_find_iter(&pre, short)
    );
    assert_eq!(pre.hits(b"").count(), 0);
}

/// Teddy and the automaton (its fallback) find the same next hit from every offset, in
/// texts shorter and longer than Teddy's minimum.
#[test]
fn teddy_finds_what_the_automaton_finds() {
    let pre = Prefilter::new(true);
    let mut long = b"AKIA SECRET Secret session \\x4941 &#x4b; 49 41 QUtJQ ".repeat(8);
    long.extend_from_slice(b"AIDAAKIASECRETsecuritySESSION x4B, IQoJb3JpZ2luX2Vj AROA");
    let texts: [&[u8]; 5] = [b"", b"AKIA", b"xSECRET", b"\\u0041", &long];
    for search in [&pre.plain, &pre.encoded] {
        for text in texts {
            for from in 0..=text.len() {
                let by_automaton = search
                    .automaton
                    .find(Input::new(text).range(from..))
                    .map(|m| (m.start(), m.end(), m.pattern().as_usize()));
                assert_eq!(search.find(text, from, text.len()), by_automaton, "{from}");
            }
        }
    }
}

/// Each case form of the three keywords sits at ids `8 * form + 0..3`, where its bucket
/// is the lower-case form's (see `literal_sets`), and no literal is lost or doubled.
#[test]
fn keywords_at_their_bucket_ids() {
    let [_, other] = literal_sets(false);
    for (w, word) in ["secret", "session", "security"].iter().enumerate() {
        for form in 0..3 {
            let (literal, _) = &other[8 * form + w];
            assert!(
                literal.eq_ignore_ascii_case(word),
                "{literal} at {form} {w}"
            );
        }
    }
    // Order changes no hit: no literal is another's prefix, so no two start alike.
    for (a, _) in &other {
        for (b, _) in &other {
            assert!(a == b || !b.starts_with(a.as_str()), "{a:?} {b:?}");
        }
    }
    let mut literals: Vec<&String> = other.iter().map(|(l, _)| l).collect();
    literals.sort();
    literals.dedup();
    assert_eq!(
        literals.len(),
        9 + base64::key_literals().len() + hex::key_literals().len()
    );
}
