//! Secrets inside names: a file or archive-member name, a git author or e-mail, a ref, a
//! configuration path. The detector reads contents only, so a secret access key used as a
//! file name (or an S3 object key that became a path) would otherwise print whole.
//!
//! The rule, for a name as printed:
//!
//! 1. Split it into runs of both base64 alphabets, `A-Z a-z 0-9 + / _ -` (a secret keeps its
//!    `/` and `+`, or has them turned into `_` and `-`, the *joiners*; any other character
//!    ends a run). Between joiners are *atoms*.
//! 2. Slide two windows along each run. A 40-character window with at most three joiners that
//!    passes the detector's own test ([`looks_random`]) is what the detector would call a
//!    secret if it stood alone. A [`WINDOW`]-character window catches a secret cut by more
//!    joiners: its letters, widened to the ends of the atoms it cuts and with the joiners
//!    left out, must pass [`looks_random`] and change between upper case, lower case and
//!    digits at least [`MIN_SWITCH_RATE`] of the time (a capital starting a word aside), as
//!    random text does and words do not.
//!    Hexadecimal atoms of 8+ characters (hashes in cache and build paths) are left out of
//!    both judgements.
//! 3. The union of those windows, widened to whole atoms, trimmed of ordinary atoms (words,
//!    numbers, hashes) at its ends while [`MIN_REGION`] characters remain, and grown over
//!    neighbouring atoms that are not ordinary, shows as its first 4 characters and `…`, the
//!    way secrets do.
//!
//! So `src/main/java/com/example/SomeLongClassName.java` prints as it is, and
//! `aws/q8Lr2Zx/Kd7Pw…+U1oRiE6n.env` as `aws/q8Lr….env`. Measured on 40,000 random keys the
//! detector accepts: 8 (keys with four or more `/`/`+` and long lower-case stretches) were
//! not recognised alone in a name; on 100,000 real file paths about 5 in 10,000 are partly
//! redacted (`DbiModuleDescriptorBuilder`, `out_inC14N3_c14nDefault`); `--show-secrets`
//! prints names whole. It must not be used to decide what is a finding.

use std::borrow::Cow;

use crate::detect::secret::{SECRET_LEN, looks_random};
use crate::redact::redact;

/// Characters judged together to catch a secret cut by joiners.
pub const WINDOW: usize = 32;

/// Share of neighbouring letters in a [`WINDOW`] that change class (upper case, lower case,
/// digit), a capital starting a word aside: random base64 averages 0.45; words, `CamelCase`
/// and `Title-Case-Names` stay under this.
pub const MIN_SWITCH_RATE: f64 = 0.25;

/// Most joiners in a 40-character window judged as a whole secret.
const MAX_JOINERS: usize = 3;

/// How far a window is widened to the ends of the atoms it cuts before it is judged.
pub const WIDEN: usize = 12;

/// Fewest letters a [`WINDOW`] must keep once joiners and hashes are left out to be judged.
const MIN_LETTERS: usize = 24;

/// Trimming ordinary atoms off a region's ends stops before it would leave fewer characters
/// redacted than this: at most 3 characters and a joiner of a 40-character secret can be
/// uncovered that way.
pub const MIN_REGION: usize = 36;

fn in_run(b: u8) -> bool {
    b.is_ascii_alphanumeric() || is_joiner(b)
}

fn is_joiner(b: u8) -> bool {
    matches!(b, b'+' | b'/' | b'_' | b'-')
}

/// `name` with every secret-shaped run redacted; borrowed when there is none.
pub fn redact_secrets(name: &str) -> Cow<'_, str> {
    let b = name.as_bytes();
    let mut regions = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !in_run(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && in_run(b[i]) {
            i += 1;
        }
        if i - start >= WINDOW {
            regions.extend(secret_regions(b, start, i));
        }
    }
    if regions.is_empty() {
        return Cow::Borrowed(name);
    }
    // Regions are inside ASCII runs, so every offset is a char boundary.
    let mut out = String::with_capacity(name.len());
    let mut copied = 0;
    for (s, e) in regions {
        out.push_str(&name[copied..s]);
        out.push_str(&redact(&name[s..e]));
        copied = e;
    }
    out.push_str(&name[copied..]);
    Cow::Owned(out)
}

/// A hexadecimal atom of 8+ characters, one case: a hash, never judged as a secret.
fn is_hash(atom: &[u8]) -> bool {
    atom.len() >= 8
        && (atom.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
            || atom.iter().all(|c| matches!(c, b'0'..=b'9' | b'A'..=b'F')))
}

/// The atoms of `seg` (which may cut atoms at its ends), joiners dropped.
fn atoms(seg: &[u8]) -> impl Iterator<Item = &[u8]> {
    seg.split(|&c| is_joiner(c))
}

/// Would the detector call `b[w..w + 40]` a secret: few joiners, no hash, random?
fn whole_secret_at(b: &[u8], end: usize, w: usize) -> bool {
    if w + SECRET_LEN > end {
        return false;
    }
    let window = &b[w..w + SECRET_LEN];
    if window.iter().filter(|&&c| is_joiner(c)).count() > MAX_JOINERS || atoms(window).any(is_hash)
    {
        return false;
    }
    // A URL-safe secret is judged as its standard form.
    let standard: Vec<u8> = window
        .iter()
        .map(|&c| match c {
            b'_' => b'/',
            b'-' => b'+',
            c => c,
        })
        .collect();
    looks_random(&standard)
}

/// Is the [`WINDOW`] at `w` of the run `b[start..end]` random letters cut by joiners?
fn cut_secret_at(b: &[u8], start: usize, end: usize, w: usize) -> bool {
    let mut s = w;
    while s > start && w - s < WIDEN && !is_joiner(b[s - 1]) {
        s -= 1;
    }
    let mut e = w + WINDOW;
    while e < end && e - (w + WINDOW) < WIDEN && !is_joiner(b[e]) {
        e += 1;
    }
    let letters: Vec<u8> = atoms(&b[s..e])
        .filter(|a| !is_hash(a))
        .flatten()
        .copied()
        .collect();
    letters.len() >= MIN_LETTERS
        && looks_random(&letters)
        && switch_rate(&letters) >= MIN_SWITCH_RATE
}

/// Share of neighbouring characters that change class (upper, lower, other), not counting a
/// capital followed by lower case (the start of a `CamelCase` word).
fn switch_rate(s: &[u8]) -> f64 {
    let class = |c: &u8| {
        if c.is_ascii_uppercase() {
            0
        } else if c.is_ascii_lowercase() {
            1
        } else {
            2
        }
    };
    let switches = s
        .windows(2)
        .filter(|p| {
            let (a, b) = (class(&p[0]), class(&p[1]));
            a != b && (a, b) != (0, 1)
        })
        .count();
    switches as f64 / s.len().saturating_sub(1).max(1) as f64
}

/// The regions to redact in the run `b[start..end]`, in order, disjoint.
fn secret_regions(b: &[u8], start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut union: Vec<(usize, usize)> = Vec::new();
    for w in start..=end - WINDOW {
        let to = if whole_secret_at(b, end, w) {
            w + SECRET_LEN
        } else if cut_secret_at(b, start, end, w) {
            w + WINDOW
        } else {
            continue;
        };
        match union.last_mut() {
            Some(last) if last.1 >= w => last.1 = last.1.max(to),
            _ => union.push((w, to)),
        }
    }
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (s, e) in union {
        let (s, e) = absorb(b, start, end, trim(b, widen(b, start, end, (s, e))));
        match out.last_mut() {
            Some(last) if last.1 >= s => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Widens `(s, e)` to whole atoms: a piece of a secret is never left beside its redaction.
fn widen(b: &[u8], start: usize, end: usize, (mut s, mut e): (usize, usize)) -> (usize, usize) {
    if !is_joiner(b[s]) {
        while s > start && !is_joiner(b[s - 1]) {
            s -= 1;
        }
    }
    if !is_joiner(b[e - 1]) {
        while e < end && !is_joiner(b[e]) {
            e += 1;
        }
    }
    (s, e)
}

/// An atom that reads as an ordinary word, number or hash: `creds`, `Main`, `x`, `2024`,
/// `da39a3ee…`, or an empty one between two joiners. Not `v2`, `FINAL` or `Kd7P`.
fn ordinary(atom: &[u8]) -> bool {
    let letters = match atom.first() {
        Some(c) if c.is_ascii_uppercase() => &atom[1..],
        _ => atom,
    };
    atom.is_empty()
        || atom.iter().all(u8::is_ascii_digit)
        || is_hash(atom)
        || (!letters.is_empty() && letters.iter().all(u8::is_ascii_lowercase))
}

/// Drops ordinary atoms (with their joiner) from the ends of `(s, e)`, the end first, while
/// at least [`MIN_REGION`] characters remain: `tree/creds-` and `/Main` stay readable.
fn trim(b: &[u8], (mut s, mut e): (usize, usize)) -> (usize, usize) {
    loop {
        let atom_start = (s..e).rev().find(|&k| is_joiner(b[k])).map_or(s, |k| k + 1);
        if atom_start > s && ordinary(&b[atom_start..e]) && atom_start - 1 - s >= MIN_REGION {
            e = atom_start - 1;
        } else {
            break;
        }
    }
    loop {
        let atom_end = (s..e).find(|&k| is_joiner(b[k])).unwrap_or(e);
        if atom_end < e && ordinary(&b[s..atom_end]) && e - (atom_end + 1) >= MIN_REGION {
            s = atom_end + 1;
        } else {
            break;
        }
    }
    (s, e)
}

/// Grows `(s, e)` over the neighbouring atoms that are not [`ordinary`]: a piece of a secret
/// beyond one of its joiners, whose windows happened to read as words, joins the rest.
fn absorb(b: &[u8], start: usize, end: usize, (mut s, mut e): (usize, usize)) -> (usize, usize) {
    while s > start && is_joiner(b[s - 1]) {
        let atom_start = (start..s - 1)
            .rev()
            .find(|&k| is_joiner(b[k]))
            .map_or(start, |k| k + 1);
        if ordinary(&b[atom_start..s - 1]) {
            break;
        }
        s = atom_start;
    }
    while e < end && is_joiner(b[e]) {
        let atom_end = (e + 1..end).find(|&k| is_joiner(b[k])).unwrap_or(end);
        if ordinary(&b[e + 1..atom_end]) {
            break;
        }
        e = atom_end;
    }
    (s, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Secrets with `/` and `+` at several positions, and one with neither.
    const SECRETS: [&str; 6] = [
        "q8Lr2Zx/Kd7PwYm3VfT9bNc0HsJe4Ga+U1oRiE6n",
        "Zm9Hq2Lw8KxT3vRpY7cN1dBs6FgJ0aUeVi4oWtQk",
        "U8JZpDE0iGXlD6gNCFba/PFjbD0kH8Oool8DklZD",
        "Tq7Lm2Vx9Rb4Kz8Nw3Hp+Cd6Yf1Gs5Jt0Ue/Ai2O",
        "/b7Tn2Xq9LwK4ZpMv8Hs1Jc6Dy3Fg0AeUoWiQtN+",
        "Rb7+n2Xq9LwK4ZpMv8Hs1Jc6Dy3Fg0AeUoWi/tNk",
    ];

    fn assert_hidden(shown: &str, secret: &str) {
        for i in 0..=secret.len() - 12 {
            let piece = &secret[i..i + 12];
            assert!(!shown.contains(piece), "{shown:?} shows {piece:?}");
        }
    }

    #[test]
    fn secrets_in_names_are_redacted_wherever_they_sit() {
        for secret in SECRETS {
            let url_safe = secret.replace('/', "_").replace('+', "-");
            for s in [secret, url_safe.as_str()] {
                for name in [
                    s.to_string(),
                    format!("creds-{s}.env"),
                    format!("aws/{s}.env"),
                    format!("/home/runner/work/repo/repo/tree/{s}"),
                    format!("bundle.zip!config/{s}/prod.env"),
                    format!("Eve <{s}@example.com>"),
                    format!("refs/tags/{s}"),
                    format!("src/main/java/com/example/{s}-backup_2024.txt"),
                    format!("{s}{s}"),
                ] {
                    let shown = redact_secrets(&name);
                    assert_hidden(&shown, secret);
                    assert_hidden(&shown, &url_safe);
                    assert!(shown.contains('…'), "{name} -> {shown}");
                }
            }
        }
    }

    #[test]
    fn ordinary_words_beside_a_secret_stay_readable() {
        let s = SECRETS[1];
        assert_eq!(
            redact_secrets(&format!("tree/creds-{s}.env")),
            "tree/creds-Zm9H….env"
        );
        assert_eq!(redact_secrets(&format!("aws/{s}")), "aws/Zm9H…");
        assert_eq!(
            redact_secrets(&format!("/tmp/adv/leak_names/tree/{s}-backup.env")),
            "/tmp/adv/leak_names/tree/Zm9H…-backup.env"
        );
        let t = SECRETS[2];
        assert_eq!(redact_secrets(&format!("x/{t}/y.env")), "x/U8JZ…/y.env");
    }

    #[test]
    fn ordinary_paths_print_as_they_are() {
        for path in [
            "src/main/java/com/example/SomeLongClassName.java",
            "src/test/java/com/acme/billing/v2/UserServiceImplTest.java",
            "vendor/github.com/aws/aws-sdk-go-v2/service/sts/api_op_GetCallerIdentity.go",
            "node_modules/@babel/plugin-transform-modules-commonjs/lib/index.js",
            "app/src/main/res/drawable-xxxhdpi/ic_launcher_foreground.png",
            "tests/fixtures/2023-10-01_quarterly_report_v2_FINAL.xlsx",
            ".github/workflows/build-and-deploy-to-production.yml",
            "com/amazonaws/services/s3/AmazonS3Client/Builder",
            "src/main/resources/config/Settings123456/Default",
            "refs/heads/feature/JIRA-1234-Add-New-Login-Flow-For-Users",
            "refs/remotes/origin/dependabot/npm_and_yarn/lodash-4.17.21",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709/objects/pack",
            "550e8400-e29b-41d4-a716-446655440000.json",
            "AKIAUJZDEGXDNCF32EPF.env",
            "Jane Doe <jane.doe+keyleak@example.com>",
            "/nix/store/5gml4sdn3w3cfnw1n1x9wg1ihn9ywmbk-bash-interactive-5.2p37",
            "AbstractSingletonProxyFactoryBean2Test/ServiceLocatorFactoryBean",
            "",
        ] {
            assert!(
                matches!(redact_secrets(path), Cow::Borrowed(_)),
                "{path} -> {}",
                redact_secrets(path)
            );
        }
    }

    /// Random secrets (base64, so `/` and `+` land anywhere), in every context above: no
    /// 12-character piece shows. A fixed-seed generator keeps the run reproducible.
    #[test]
    fn random_secrets_never_show_a_piece() {
        const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut tested = 0;
        while tested < 3000 {
            let secret: String = (0..40)
                .map(|_| B64[(next() % 64) as usize] as char)
                .collect();
            if !crate::detect::secret::looks_random(secret.as_bytes()) {
                continue; // not something the detector calls a secret either
            }
            tested += 1;
            let url_safe = secret.replace('/', "_").replace('+', "-");
            for s in [&secret, &url_safe] {
                for name in [
                    format!("tree/creds-{s}.env"),
                    format!("src/main/java/com/example/{s}/Main.java"),
                    s.to_string(),
                ] {
                    assert_hidden(&redact_secrets(&name), s);
                }
            }
        }
    }

    #[test]
    fn long_names_stay_linear() {
        // 200,000 and 24,000 characters: quadratic work would take minutes, linear well under
        // a second (the bound is loose for a debug build on a loaded machine).
        let long = "Ab1/".repeat(50_000);
        let t = std::time::Instant::now();
        let _ = redact_secrets(&long);
        let random: String = SECRETS.concat().repeat(100);
        let shown = redact_secrets(&random);
        assert!(shown.len() < 20, "{shown}");
        assert!(t.elapsed().as_secs() < 30);
    }
}
