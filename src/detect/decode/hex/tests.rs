//! Tests of `hex`.

use super::*;

const KEY: &str = "AKIAQZQZQZQZQZQZQZQZ";

fn hex(text: &str, sep: &str, prefix: &str) -> String {
    text.bytes()
        .map(|b| format!("{prefix}{b:02x}"))
        .collect::<Vec<_>>()
        .join(sep)
}

fn hit(text: &str) -> usize {
    key_literals()
        .iter()
        .filter_map(|l| text.find(l.as_str()))
        .min()
        .expect("a literal")
}

/// The comparisons the block test vectorises say what the items and separators say, for
/// every byte.
#[test]
fn run_bytes_are_digits_x_and_separators() {
    for b in 0..=255u8 {
        let want = digit(b).is_some() || is_sep(b) || b.eq_ignore_ascii_case(&b'x');
        assert_eq!(in_run_by_compares(b), want, "{b:#04x}");
        assert_eq!(in_run(b), want, "{b:#04x}");
    }
}

#[test]
fn decodes_every_written_form() {
    for (sep, prefix) in [("", ""), (" ", ""), (", ", "0x"), (",", "0x")] {
        let body = hex(&format!("id={KEY}\n"), sep, prefix);
        let text = format!("k = \"{body}\"");
        let run = run_around(text.as_bytes(), hit(&text), 0).expect(&text);
        assert_eq!(run.decoded, format!("id={KEY}\n").as_bytes(), "{text}");
        assert_eq!((run.start, run.end), (5, text.len() - 1), "{text}");
        assert_eq!(
            run.origins[3],
            text.find(&hex("A", "", prefix)[..]).unwrap()
        );
    }
}

#[test]
fn upper_case_and_wrapped_lines() {
    let body = hex(&format!("x {KEY}"), "", "").to_ascii_uppercase();
    // Wrapped at every possible place in the prefix, as `xxd -p` wraps at 60 digits.
    for cut in (2..12).step_by(2) {
        let text = format!("{}\n{}\n", &body[..cut], &body[cut..]);
        let run = run_around(text.as_bytes(), hit(&text), 0).expect(&text);
        assert_eq!(run.decoded, format!("x {KEY}").as_bytes(), "{text}");
    }
    let list = format!(
        "{{\n    {}\n}}",
        hex(KEY, ",\n    ", "0x")
            .to_ascii_uppercase()
            .replace("0X", "0x")
    );
    let run = run_around(list.as_bytes(), hit(&list), 0).expect(&list);
    assert_eq!(run.decoded, KEY.as_bytes());
}

#[test]
fn no_key_no_run() {
    let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    for text in [
        format!("{sha}4941{sha}"),
        hex("AKIA too short", "", ""),
        hex("AKIB0000000000000000000", "", ""),
        hex("IA0000000000000000000000", " ", "0x"),
    ] {
        for (at, _) in key_literals()
            .iter()
            .flat_map(|l| text.match_indices(l.as_str()).collect::<Vec<_>>())
        {
            assert_eq!(run_around(text.as_bytes(), at, 0), None, "{text}");
        }
    }
    // A digit before the run shifts no grid: the run starts after it.
    let text = format!("a{}", hex(KEY, "", ""));
    let run = run_around(text.as_bytes(), hit(&text), 0).unwrap();
    assert_eq!((run.start, &run.decoded[..]), (1, KEY.as_bytes()));
}

#[test]
fn runs_start_after_the_run_before() {
    let text = hex(&format!("{KEY} {KEY}"), "", "");
    let first = run_around(text.as_bytes(), hit(&text), 0).unwrap();
    assert_eq!(first.end, text.len());
    let second = text.rfind("4941").unwrap();
    assert!(run_around(text.as_bytes(), second, first.end).is_none());
    let lo = 42;
    let run = run_around(text.as_bytes(), second, lo).unwrap();
    assert_eq!(run.start, lo);
}

/// Hex-looking text glued to a spaced run is not one of its items (found by fuzzing).
#[test]
fn a_run_keeps_one_kind_of_separator() {
    let secret = "Zq8Tn3Kv0Yb6Hw1Rj5Lm9Px2Cs4Df7Gu0Ei3Ao6B";
    // `%252BAA5a` glued: four items, then a space ends them; the 39 after are no secret.
    let text = format!("AAAA%252BAA{}", hex(secret, " ", ""));
    assert_eq!(runs_in(text.as_bytes(), 0, text.len()), []);
    let text = format!("AAAA%252BAA {}", hex(secret, " ", ""));
    let runs = runs_in(text.as_bytes(), 0, text.len());
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].decoded, secret.as_bytes());
    let glued = format!("ab{}", hex(&format!(" {KEY}"), " ", ""));
    let run = run_around(glued.as_bytes(), hit(&glued), 0).unwrap();
    assert_eq!(run.decoded, format!(" {KEY}").as_bytes());
}

/// Skipping to the stretches that may hold a secret-sized run loses none: on text mixing
/// hex secrets (each kind of separator), hex-looking words, numbers and prose, with windows
/// starting and ending anywhere, `runs_in` finds what reading every byte finds.
#[test]
fn stretches_lose_no_run() {
    let secret = "Zq8Tn3Kv0Yb6Hw1Rj5Lm9Px2Cs4Df7Gu0Ei3Ao6B";
    let pieces = [
        hex(secret, "", ""),
        hex(secret, " ", ""),
        hex(secret, ", ", "0x"),
        hex(secret, ",\n    ", "0x"),
        hex(&secret[..30], " ", ""),
        // One item short of a secret: a stretch just under the shortest length.
        hex(&secret[..39], "", ""),
        "deadbeef cafe face bad ".to_string(),
        "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ".repeat(3),
        "the session secret is not here\n".to_string(),
        "ab".repeat(45),
        " ".repeat(100),
    ];
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % n as u64).unwrap()
    };
    let mut found = 0;
    for _ in 0..400 {
        let mut text = String::new();
        let mut starts = vec![0];
        for _ in 0..next(12) {
            text.push_str(&pieces[next(pieces.len())]);
            starts.push(text.len());
        }
        let hay = text.as_bytes();
        // Half the windows start where a piece does: a glued secret is then a run of
        // exactly the shortest length at the window's start.
        let lo = match next(2) {
            0 => starts[next(starts.len())],
            _ => next(hay.len() + 1),
        };
        let hi = lo + next(hay.len() + 200);
        let mut every = Vec::new();
        runs_in_stretch(hay, lo, hi.min(hay.len()), &mut every);
        assert_eq!(runs_in(hay, lo, hi), every, "{text:?} {lo}..{hi}");
        found += every.len();
    }
    assert!(found > 100, "{found} runs: the inputs must hold some");
}

/// The vectorisable test and the table agree with the class the module doc names, and a
/// block passes only when each of its bytes does.
#[test]
fn byte_class_by_compares() {
    for b in 0..=255u8 {
        let class = b.is_ascii_hexdigit()
            || matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',' | b':' | b'x' | b'X');
        assert_eq!(in_run(b), class, "{b}");
        let mut block = [b'0'; BLOCK];
        block[b as usize % BLOCK] = b;
        assert_eq!(block_in_run(&block), class, "{b}");
    }
}

#[test]
fn secret_runs_near_a_key() {
    let secret = "Zq8Tn3Kv0Yb6Hw1Rj5Lm9Px2Cs4Df7Gu0Ei3Ao6B";
    let text = format!(
        "sha {} s = {} x = {}",
        "ab".repeat(32),
        hex(secret, " ", ""),
        hex("short", "", "")
    );
    let runs = runs_in(text.as_bytes(), 0, text.len());
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].decoded, secret.as_bytes());
    assert!(runs_in(text.as_bytes(), 5, 5).is_empty());
}
