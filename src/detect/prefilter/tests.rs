use aho_corasick::{AhoCorasick, Input, MatchKind};

use super::*;

/// The leftmost-first automata over the two searches' literals: what the searches must
/// find.
fn automata(pre: &Prefilter) -> [(AhoCorasick, Vec<Anchor>); 2] {
    pre.sets.clone().map(|set| {
        let (literals, anchors): (Vec<String>, Vec<Anchor>) = set.into_iter().unzip();
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(literals)
            .expect("a few short literals always build");
        (automaton, anchors)
    })
}

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
    let mut hits: Vec<(usize, Anchor)> = automata(pre)
        .iter()
        .flat_map(|(automaton, anchors)| {
            automaton
                .find_iter(hay)
                .map(|m| (m.start(), anchors[m.pattern().as_usize()]))
        })
        .collect();
    hits.sort_by_key(|&(at, _)| at);
    hits
}

/// Searched a chunk at a time, the same hits as searched whole: literals across a
/// chunk's end, overlapping ones (`\\x4941`: an escape and a hex literal), one at the very
/// end, and a run of literals where each hit ends inside the next one's bytes.
#[test]
fn chunks_change_no_hit() {
    for pre in [Prefilter::new(false), searches_only(false)] {
        chunks_change_no_hit_with(&pre);
    }
}

/// The prefilter of machines without AVX2: the two searches, a chunk at a time.
fn searches_only(identifiers: bool) -> Prefilter {
    let mut pre = Prefilter::new(identifiers);
    pre.one_pass = None;
    pre
}

fn chunks_change_no_hit_with(pre: &Prefilter) {
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
            let chunked: Vec<(usize, Anchor)> = pre.hits(&hay, None).collect();
            assert_eq!(chunked, hits_by_find_iter(pre, &hay), "{literal} {shift}");
            assert!(chunked.len() >= 3, "{literal} {shift}");
        }
    }
    let short = b"AKIA SECRET \\x4941";
    assert_eq!(
        pre.hits(short, None).collect::<Vec<_>>(),
        hits_by_find_iter(pre, short)
    );
    assert_eq!(pre.hits(b"", None).count(), 0);
}

/// Teddy and the automaton (its fallback) find the same next hit from every offset, in
/// texts shorter and longer than Teddy's minimum.
#[test]
fn teddy_finds_what_the_automaton_finds() {
    let pre = Prefilter::new(true);
    let mut long = b"AKIA SECRET Secret session \\x4941 &#x4b; 49 41 QUtJQ ".repeat(8);
    long.extend_from_slice(b"AIDAAKIASECRETsecuritySESSION x4B, IQoJb3JpZ2luX2Vj AROA");
    let texts: [&[u8]; 5] = [b"", b"AKIA", b"xSECRET", b"\\u0041", &long];
    for (search, (automaton, _)) in pre.searches().iter().zip(automata(&pre)) {
        for text in texts {
            for from in 0..=text.len() {
                let by_automaton = automaton
                    .find(Input::new(text).range(from..))
                    .map(|m| (m.start(), m.end(), m.pattern().as_usize()));
                assert_eq!(
                    search.leftmost.find(text, from, text.len()),
                    by_automaton,
                    "{from}"
                );
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

/// Bytes that mostly fit some bucket's first bytes, so that random text holds many
/// candidates and literals cut at every length: a generator for the tests below.
fn noisy(len: usize, seed: u64) -> Vec<u8> {
    let alphabet = b"AKISQoJFwG\\ux&#0479 \n,seSEcCrRuUtTiInNV5Bl3bkWdpDXZ1yY";
    let mut state = seed | 1;
    let mut out = Vec::with_capacity(len);
    let [plain, other] = literal_sets(true);
    let literals: Vec<String> = plain.into_iter().chain(other).map(|(l, _)| l).collect();
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        if state.is_multiple_of(7) {
            // A literal, whole or cut short.
            let literal = &literals[(state >> 8) as usize % literals.len()];
            let keep = 1 + (state >> 20) as usize % literal.len();
            out.extend_from_slice(&literal.as_bytes()[..keep]);
        } else {
            out.push(alphabet[(state >> 8) as usize % alphabet.len()]);
        }
    }
    out.truncate(len);
    out
}

/// The bucket tables let through the start of every literal of both searches.
#[test]
fn buckets_let_every_literal_through() {
    for identifiers in [false, true] {
        let sets = literal_sets(identifiers);
        let all: Vec<(&[u8], Anchor)> = sets
            .iter()
            .flatten()
            .map(|(l, a)| (l.as_bytes(), *a))
            .collect();
        let tables = buckets::Tables::new(all.iter().copied());
        for (literal, _) in &all {
            let mut hay = b"zz".to_vec();
            hay.extend_from_slice(literal);
            assert!(
                tables.fits(&hay, 2),
                "{:?}",
                String::from_utf8_lossy(literal)
            );
        }
        // And ordinary words do not fit (four bytes from each position on: nearer the end,
        // anything fits).
        for word in [
            &b"the quick brown fox"[..],
            b"  return value;",
            b"ACCESS KEY",
        ] {
            let whole = |&at: &usize| at + 4 <= word.len() && tables.fits(word, at);
            let fit: Vec<usize> = (0..word.len()).filter(whole).collect();
            assert!(
                fit.is_empty(),
                "{:?} at {fit:?}",
                String::from_utf8_lossy(word)
            );
        }
    }
}

/// Text from `noisy` with every fifth byte given its top bit: what a binary file or UTF-8
/// holds, which the wide loop looks up apart from the rest.
fn noisy_high(len: usize, seed: u64) -> Vec<u8> {
    let mut hay = noisy(len, seed);
    for (i, b) in hay.iter_mut().enumerate() {
        if (i + seed as usize).is_multiple_of(5) {
            *b |= 0x80;
        }
    }
    hay
}

/// Both vector loops, the wide (AVX-512) one and the AVX2 one alone, let through exactly the
/// positions the tables say fit, at every alignment and length, bytes with the top bit set
/// included (past the last whole block, positions are tested one by one).
#[test]
fn the_wide_loop_computes_the_tables() {
    let [plain, other] = literal_sets(true);
    let all: Vec<(String, Anchor)> = plain.into_iter().chain(other).collect();
    let tables = buckets::Tables::new(all.iter().map(|(l, a)| (l.as_bytes(), *a)));
    let Some(filter) = buckets::Filter::new(tables.clone()) else {
        eprintln!("no AVX2 here: neither vector loop is used");
        return;
    };
    if !filter.is_wide() {
        eprintln!("no AVX-512 VBMI here: the wide loop is not used");
    }
    let narrow = filter.clone().narrow();
    assert!(!narrow.is_wide());
    for seed in 1..60u64 {
        for hay in [
            noisy(2000 + seed as usize, seed),
            noisy_high(2000 + seed as usize, seed),
        ] {
            for (from, to) in [
                (0, hay.len()),
                (3, hay.len() - 5),
                (31, 1200),
                (64, 64),
                (5, 70),
            ] {
                let want: Vec<usize> = (from..to).filter(|&at| tables.fits(&hay, at)).collect();
                for f in [&filter, &narrow] {
                    let mut got = Vec::new();
                    f.candidates(&hay, from, to, |at| got.push(at));
                    assert_eq!(got, want, "seed {seed} {from}..{to} wide {}", f.is_wide());
                }
            }
        }
    }
}

/// A literal with a byte of 128 or above gives those bytes different buckets: the wide loop,
/// which looks them all up as one, is not used, and the AVX2 loop still finds the literal.
#[test]
fn a_literal_with_a_high_byte_keeps_the_avx2_loop() {
    let high = "Aé".as_bytes();
    let tables = buckets::Tables::new([(&b"AKIA"[..], Anchor::KeyPrefix), (high, Anchor::Escape)]);
    let Some(filter) = buckets::Filter::new(tables.clone()) else {
        return;
    };
    assert!(!filter.is_wide());
    let mut hay = vec![b' '; 300];
    hay[100..103].copy_from_slice(high);
    hay[200..203].copy_from_slice("Aè".as_bytes());
    let mut got = Vec::new();
    filter.candidates(&hay, 0, hay.len(), |at| got.push(at));
    assert_eq!(got, [100]);
}

/// The one pass gives the two searches' hits, merged, on text full of literals and of
/// their cut pieces, at every length around the vector loop's blocks.
#[test]
fn buckets_find_what_the_searches_find() {
    for pre in [false, true].map(Prefilter::new) {
        for seed in 1..200u64 {
            let hay = noisy(seed as usize * 7, seed);
            let got: Vec<(usize, Anchor)> = pre.hits(&hay, None).collect();
            assert_eq!(got, hits_by_find_iter(&pre, &hay), "seed {seed}");
        }
        let long = noisy(3 * CHUNK + 77, 99);
        let got: Vec<(usize, Anchor)> = pre.hits(&long, None).collect();
        let want = hits_by_find_iter(&pre, &long);
        assert!(want.len() > 10_000);
        assert_eq!(got, want);
    }
}

/// Noting changes no hit, and what it notes is what the text holds: per chunk, its whole
/// steps, the gate bytes in them, and whether each step's block is all hex-run bytes. Chunks
/// dense in hits are noted; a long chunk with a hit or two is not.
#[test]
fn notes_say_what_the_text_holds() {
    use super::notes::{GATE_BYTES, HEX_BLOCK, HEX_STEP};
    let pre = Prefilter::new(false);
    if pre.one_pass.is_none() {
        return;
    }
    let cases = [(0, 1), (66, 2), (200, 4), (5000, 5), (2 * CHUNK + 3, 6)];
    for (len, seed) in cases
        .into_iter()
        .chain([(CHUNK + 40, 7), (3 * CHUNK + 777, 8)])
    {
        let mut hay = noisy(len, seed);
        // Gate bytes in one chunk only, hex blocks here and there.
        if len > CHUNK + 200 {
            hay[CHUNK + 100] = b'%';
            hay[CHUNK + 150] = 0;
        }
        for at in (0..len.saturating_sub(40)).step_by(4093) {
            hay[at..at + 40].copy_from_slice(b"0a1b2c3d 4e5f6a7b,8c9d0e1f 2a3b4c5d6e7f0");
        }
        let mut notes = Notes::default();
        let noted: Vec<(usize, Anchor)> = pre.hits(&hay, Some(&mut notes)).collect();
        assert_eq!(noted, pre.hits(&hay, None).collect::<Vec<_>>(), "{len}");
        // Noisy text is all hits: every whole chunk noted (a short one may hold none), every
        // whole step of it.
        let whole = (len / CHUNK).max(usize::from(len >= 5000));
        assert!(notes.chunks.len() >= whole, "{len}");
        let gate_of = |b: u8| {
            GATE_BYTES
                .iter()
                .position(|&g| g == b)
                .map_or(0, |i| 1 << i)
        };
        let mut hex_blocks = 0;
        for (c, chunk) in notes.chunks.iter().enumerate() {
            let start = c * CHUNK;
            let end = (start + CHUNK).min(len);
            assert_eq!(chunk.len, (end - start) / HEX_STEP * HEX_STEP, "{len} {c}");
            let bytes = &hay[start..start + chunk.len];
            assert_eq!(chunk.gates, bytes.iter().fold(0, |g, &b| g | gate_of(b)));
            for k in start / HEX_STEP..(start + chunk.len) / HEX_STEP {
                let block = &hay[k * HEX_STEP..k * HEX_STEP + HEX_BLOCK];
                let want = block.iter().all(|&b| crate::detect::decode::hex::in_run(b));
                let got = notes.hex[k / 64] >> (k % 64) & 1 == 1;
                assert_eq!(got, want, "{len} {k}");
                hex_blocks += usize::from(got);
            }
        }
        assert!(len < 5000 || hex_blocks > 0, "{len}");
    }
    // A hit or two in a long chunk: the decoders read their windows themselves.
    let mut sparse = b"x".repeat(CHUNK + 10);
    sparse[500..506].copy_from_slice(b"secret");
    let mut notes = Notes::default();
    assert_eq!(pre.hits(&sparse, Some(&mut notes)).count(), 1);
    assert_eq!(notes, Notes::default());
}
