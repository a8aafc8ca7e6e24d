//! Detector throughput (issue 5): MB/s of `Detector::detect_layers` on three generated inputs,
//! and of `scan::scan_blob` (detection + pairing + classification) on the key-dense ones.
//!
//! Inputs are generated here from a fixed seed, not read from disk, so every run and every
//! machine measures the same bytes and the bench needs no fixture files. Every key in them is
//! random: none is a real credential.
//!
//! Run: `cargo bench --bench detector` (add `-- --quick` for a fast pass).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use keyleak::detect::{DetectOptions, Detector};
use keyleak::scan::scan_blob;
use keyleak::source::{Blob, Origin};

/// About 4 MB per input: large enough that per-call overhead vanishes, small enough to stay
/// in L3-plus-RAM range like a typical big source file, and quick to generate.
const SIZE: usize = 4 << 20;

/// Sizes of the key-dense input. Not 4 MB by default: pairing (`detect::pairing::pair`)
/// compares every key ID with every secret candidate in the blob, so its cost grows with
/// keys x secrets, and 4 MB of credentials (~25k pairs) took 211 s per call. Two sizes 4x
/// apart show the growth (linear code keeps its MB/s; quadratic code loses 4x).
/// `KEYLEAK_BENCH_DENSE_KIB=4096` measures the full size once pairing is fixed.
fn dense_sizes() -> Vec<usize> {
    match std::env::var("KEYLEAK_BENCH_DENSE_KIB") {
        Ok(list) => list
            .split(',')
            .map(|k| {
                k.trim()
                    .parse::<usize>()
                    .expect("KEYLEAK_BENCH_DENSE_KIB: KiB list")
                    << 10
            })
            .collect(),
        Err(_) => vec![64 << 10, 256 << 10],
    }
}

/// A fixed point in time for expiry checks, so classification does not depend on the clock.
const NOW: i64 = 1_750_000_000;

/// splitmix64: tiny, deterministic, good enough for shaping text (no `rand` dependency).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn run(&mut self, alphabet: &[u8], len: usize, out: &mut Vec<u8>) {
        for _ in 0..len {
            out.push(alphabet[self.below(alphabet.len())]);
        }
    }
}

const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const HEX: &[u8] = b"0123456789abcdef";

/// Identifiers and keywords typical of source code. None contains `secret`, `session` or
/// `security`, so input (a) exercises only the prefilter's no-hit path.
const WORDS: &[&str] = &[
    "fn", "let", "mut", "self", "return", "if", "else", "for", "while", "match", "struct", "impl",
    "pub", "use", "const", "static", "value", "buffer", "config", "request", "response", "handler",
    "client", "server", "index", "count", "result", "error", "options", "builder", "parse",
    "render", "update", "the", "of", "and", "to", "in", "is", "with", "data", "path",
];

/// Code-ish punctuation that separates words.
const PUNCT: &[&str] = &[
    " ", " ", " ", ".", "(", ")", ", ", " = ", ";", "::", " { ", " }", "->", "\"", "[", "]",
];

/// One line of plausible source: indentation, words and punctuation, a comment now and then.
fn code_line(rng: &mut Rng, out: &mut Vec<u8>) {
    out.extend(std::iter::repeat_n(b' ', 4 * rng.below(4)));
    if rng.below(8) == 0 {
        out.extend_from_slice(b"// ");
    }
    for _ in 0..3 + rng.below(9) {
        out.extend_from_slice(rng.pick(WORDS).as_bytes());
        out.extend_from_slice(rng.pick(PUNCT).as_bytes());
    }
    if rng.below(6) == 0 {
        out.extend_from_slice(format!("{}", rng.next() % 100_000).as_bytes());
    }
    out.push(b'\n');
}

/// (a) Source-code-like text with no keys and no keyword anchors.
fn plain_code(seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed);
    let mut out = Vec::with_capacity(SIZE + 256);
    while out.len() < SIZE {
        code_line(&mut rng, &mut out);
    }
    out
}

/// (b) Every line is a near miss: long base32/base64 runs, hex digests, `AKIA`/`ASIA` runs of
/// the wrong length or glued to a word, and the anchor words followed by values that are not
/// secrets. Each one makes the prefilter fire and the validators run, then reject.
fn look_alikes(seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed);
    let mut out = Vec::with_capacity(SIZE + 256);
    while out.len() < SIZE {
        match rng.below(9) {
            0 => {
                out.extend_from_slice(b"blob = \"");
                let n = 24 + rng.below(80);
                rng.run(BASE32, n, &mut out);
                out.extend_from_slice(b"\"\n");
            }
            1 => {
                out.extend_from_slice(b"data: ");
                let n = 32 + rng.below(120);
                rng.run(BASE64, n, &mut out);
                out.extend_from_slice(b"==\n");
            }
            2 => {
                out.extend_from_slice(b"commit ");
                rng.run(HEX, 40, &mut out);
                out.extend_from_slice(b" sha256:");
                rng.run(HEX, 64, &mut out);
                out.push(b'\n');
            }
            3 => {
                // Too short or too long to be a key ID.
                out.extend_from_slice(rng.pick::<&[u8]>(&[b"AKIA", b"ASIA"]));
                let n = *rng.pick(&[12, 15, 17, 20, 28]);
                rng.run(BASE32, n, &mut out);
                out.push(b'\n');
            }
            4 => {
                // Right length, but inside a longer word or with digits outside base32.
                out.extend_from_slice(b"xAKIA");
                rng.run(BASE32, 16, &mut out);
                out.extend_from_slice(b" AKIA");
                rng.run(b"0189ABCDEF", 15, &mut out);
                out.extend_from_slice(b"8\n");
            }
            5 => {
                // Keyword, then a 40-character hex digest: not a secret.
                out.extend_from_slice(b"secret_hash = \"");
                rng.run(HEX, 40, &mut out);
                out.extend_from_slice(b"\"\n");
            }
            6 => {
                out.extend_from_slice(
                    b"session.close(); let security = Security::default(); // Session\n",
                );
            }
            7 => {
                out.extend_from_slice(b"SECRET_NAME=my-app/prod/database SESSION_TTL=3600\n");
            }
            _ => code_line(&mut rng, &mut out),
        }
    }
    out
}

/// A random-looking 40-character secret (every character class present).
fn secret(rng: &mut Rng, out: &mut Vec<u8>) {
    rng.run(BASE64, 37, out);
    out.extend_from_slice(b"a7Q");
}

/// (c) Many real-looking credentials, in the layouts they appear in: credentials files,
/// environment files, JSON config and code, with key IDs and secrets paired, and some
/// lone key IDs. Every ID and secret is random, fake.
fn key_dense(seed: u64, size: usize) -> Vec<u8> {
    let mut rng = Rng(seed);
    let mut out = Vec::with_capacity(size + 512);
    let id = |rng: &mut Rng, out: &mut Vec<u8>| {
        out.extend_from_slice(rng.pick::<&[u8]>(&[b"AKIA", b"ASIA"]));
        rng.run(BASE32, 16, out);
    };
    while out.len() < size {
        match rng.below(5) {
            0 => {
                out.extend_from_slice(b"[profile-x]\naws_access_key_id = ");
                id(&mut rng, &mut out);
                out.extend_from_slice(b"\naws_secret_access_key = ");
                secret(&mut rng, &mut out);
                out.extend_from_slice(b"\n\n");
            }
            1 => {
                out.extend_from_slice(b"export AWS_ACCESS_KEY_ID=");
                id(&mut rng, &mut out);
                out.extend_from_slice(b"\nexport AWS_SECRET_ACCESS_KEY=");
                secret(&mut rng, &mut out);
                out.push(b'\n');
            }
            2 => {
                out.extend_from_slice(b"{\"accessKeyId\": \"");
                id(&mut rng, &mut out);
                out.extend_from_slice(b"\", \"secretAccessKey\": \"");
                secret(&mut rng, &mut out);
                out.extend_from_slice(b"\"}\n");
            }
            3 => {
                out.extend_from_slice(b"client = boto3.client('s3', '");
                id(&mut rng, &mut out);
                out.extend_from_slice(b"', '");
                secret(&mut rng, &mut out);
                out.extend_from_slice(b"')\n");
            }
            _ => {
                // Some surrounding code between credentials, as in real files.
                for _ in 0..4 {
                    code_line(&mut rng, &mut out);
                }
            }
        }
    }
    out
}

fn detector_benches(c: &mut Criterion) {
    let detector = Detector::new(DetectOptions::default());
    let mut inputs = vec![
        ("plain_code".to_string(), plain_code(1)),
        ("look_alikes".to_string(), look_alikes(2)),
    ];
    // Guard against a generator change that silently turns an input into a different case.
    assert!(detector.detect_layers(&inputs[0].1).is_empty());
    let near_misses = detector.detect_layers(&inputs[1].1);
    if let Some(d) = near_misses.plain.first() {
        let a = d.anchor();
        let context = &inputs[1].1[a.start.saturating_sub(80)..a.end + 80];
        panic!(
            "look-alike detected: {:?}",
            String::from_utf8_lossy(context)
        );
    }
    assert!(near_misses.is_empty());
    for size in dense_sizes() {
        let hay = key_dense(3, size);
        assert!(detector.detect(&hay).len() > size / 1000);
        inputs.push((format!("key_dense_{}KiB", size >> 10), hay));
    }

    let mut group = c.benchmark_group("detect_layers");
    for (name, hay) in &inputs {
        group.throughput(Throughput::Bytes(hay.len() as u64));
        group.bench_function(name.as_str(), |b| {
            b.iter(|| detector.detect_layers(black_box(hay)))
        });
    }
    group.finish();

    // Pairing is inside detect_layers; scan_blob adds classification (risk, fingerprints,
    // line/column) per finding, so on the key-dense inputs it shows the per-finding cost.
    // The same text on one line (a minified bundle) must cost about the same: per-finding
    // work once grew with the line's length (issue 16, D16), so compare the two.
    let mut dense: Vec<(String, Vec<u8>)> = inputs
        .iter()
        .filter(|(n, _)| n.starts_with("key_dense"))
        .cloned()
        .collect();
    for (name, hay) in dense.clone() {
        let one_line = hay
            .iter()
            .map(|&b| if b == b'\n' { b' ' } else { b })
            .collect();
        dense.push((name.replace("key_dense", "key_dense_one_line"), one_line));
    }
    let mut group = c.benchmark_group("scan_blob");
    for (name, hay) in &dense {
        let blob = Blob {
            origin: Origin::file("bench/key_dense.env"),
            bytes: hay.clone().into(),
        };
        group.throughput(Throughput::Bytes(blob.bytes.len() as u64));
        group.bench_function(name.as_str(), |b| {
            b.iter(|| scan_blob(&detector, black_box(&blob), NOW))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // 4 MB inputs take milliseconds per iteration: fewer samples keep a full run near a minute.
    config = Criterion::default().sample_size(20);
    targets = detector_benches
}
criterion_main!(benches);
