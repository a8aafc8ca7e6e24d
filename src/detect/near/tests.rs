use super::*;

/// The gate changes nothing: with and without it, the same runs, for text with and
/// without the bytes each decoder needs, near and far from them.
#[test]
fn gate_finds_what_the_windows_find() {
    let mut text = b"x".repeat(10_000);
    text.extend_from_slice(b"wJalrXUtnFEMI%2FK7MDENG\\/bPx&#43;RfiCY");
    text.extend(b"A\0K\0I\0A\0Q\0Z\0Q\0Z\0Q\0Z\0Q\0Z\0Q\0Z\0Q\0Z\0Q\0Z\0Q\0Z\0");
    text.extend(b"y".repeat(10_000));
    let ends = text.len() - 10_000;
    for near in [
        vec![],
        vec![5],
        vec![5, 9_000],
        vec![ends - 40],
        vec![ends + 2_100],
    ] {
        for (find, needs) in [PERCENT, SINGLES, UTF16] {
            let gated = runs(&text, &near, (find, needs));
            let plain = runs(&text, &near, (find, 0));
            assert_eq!(gated, plain, "{near:?}");
        }
    }
    assert_eq!(runs(&text, &[ends - 40], PERCENT).len(), 1);
    assert_eq!(runs(&text, &[ends - 40], SINGLES).len(), 2);
    assert_eq!(runs(&text, &[ends - 40], UTF16).len(), 1);
    assert!(runs(&text, &[5], PERCENT).is_empty());
}

/// One walk for the gate and a decoder's runs: the same gate as [`Windows::around`] and
/// the same runs as [`Windows::runs`], over spans shorter and longer than a
/// [`GATE_CHUNK`], gate bytes before, between and after the windows.
#[test]
fn around_with_gates_and_finds_as_apart() {
    let mut text = b"x".repeat(3 * GATE_CHUNK);
    // A secret's 40 characters in hex, which `hex::runs_in` decodes near a window.
    let hex = b"77 4a 61 6c 72 58 55 74 6e 46 45 4d 49 4b 37 4d 44 45 4e 47 \
        62 50 78 52 66 69 43 59 45 58 41 4d 50 4c 45 4b 45 59 31 32";
    text.extend_from_slice(hex);
    text.extend(b"y".repeat(GATE_CHUNK));
    let hex_at = 3 * GATE_CHUNK;
    let nears: [&[usize]; 5] = [
        &[],
        &[10],
        &[hex_at + 5],
        &[5, GATE_CHUNK + 7, 2 * GATE_CHUNK, hex_at],
        &[hex_at - 3 * GATE_CHUNK / 2, hex_at + GATE_CHUNK / 2],
    ];
    for bytes in [
        vec![],
        vec![(b'%', 0)],
        vec![(0, GATE_CHUNK + 100), (b'&', hex_at + 900)],
    ] {
        let mut text = text.clone();
        for &(b, at) in &bytes {
            text[at] = b;
        }
        for near in nears {
            let apart = Windows::around(&text, near, &Notes::default());
            let (together, runs) =
                Windows::around_with(&text, near, &Notes::default(), decode::hex::runs_in);
            assert_eq!(together.gates, apart.gates, "{near:?} {bytes:?}");
            assert_eq!(
                runs,
                apart.runs(&text, (decode::hex::runs_in, 0)),
                "{near:?}"
            );
        }
    }
    let (_, runs) = Windows::around_with(&text, &[hex_at], &Notes::default(), decode::hex::runs_in);
    assert_eq!(runs.len(), 1);
}

/// The bits of the bytes `text` holds, byte by byte: what [`gate_bytes`] must answer.
fn gate_by_byte(text: &[u8]) -> Needs {
    text.iter().fold(0, |bits, &b| {
        bits | match b {
            b'%' => PERCENT.1,
            b'\\' | b'&' => SINGLES.1,
            0 => UTF16.1,
            _ => 0,
        }
    })
}

/// The pieces' search finds what a search per byte finds, for one gate byte or two (the
/// search after a hit goes on for the others only), wherever they sit, in a piece or
/// across the end of one.
#[test]
fn gate_bytes_sees_each_byte() {
    let gate = [b'%', b'\\', b'&', 0];
    let edge = GATE_CHUNK;
    for len in [
        0usize,
        1,
        63,
        64,
        65,
        1025,
        edge - 1,
        edge,
        edge + 1,
        2 * edge + 7,
    ] {
        let places = [
            0,
            1,
            len / 2,
            edge - 1,
            edge,
            edge + 1,
            len.saturating_sub(1),
        ];
        for &at in places.iter().filter(|&&at| at < len.max(1)) {
            for &first in &gate {
                let mut text = b"x".repeat(len);
                assert_eq!(gate_bytes(&text), 0);
                let Some(b) = text.get_mut(at) else { continue };
                *b = first;
                assert_eq!(gate_bytes(&text), gate_by_byte(&text), "{len} {at} {first}");
                for &later in places.iter().filter(|&&l| l > at && l < len) {
                    for &second in &gate {
                        let mut two = text.clone();
                        two[later] = second;
                        assert_eq!(gate_bytes(&two), gate_by_byte(&two), "{at} {later}");
                    }
                }
            }
        }
    }
    assert_eq!(gate_bytes(b"%\\\0 and more after every bit is set"), 7);
    assert_eq!(gate_bytes(b"&x&y%"), PERCENT.1 | SINGLES.1);
}

/// A hex-written or URL-encoded secret beside a key is found wherever it sits against the
/// prefilter's chunks and the steps its pass notes (the hex search skips the steps noted as
/// no run; the gate trusts the notes' gate bytes).
#[test]
fn encoded_secret_found_across_chunks_and_noted_steps() {
    use crate::detect::{DetectOptions, Detection, Detector};
    let chunk = 256 << 10;
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let hexed: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
    let percent = secret.replace('/', "%2F");
    let detector = Detector::new(DetectOptions::default());
    for written in [hexed, percent] {
        for at in [
            0,
            63,
            64,
            chunk - 200,
            chunk - 61,
            chunk + 1,
            2 * chunk - 90,
        ] {
            // Keyword-dense, so that the prefilter notes every chunk.
            let mut text = b"word secret ".repeat((2 * chunk + 300) / 12);
            let pair = format!("id AKIAQZQZQZQZQZQZQZQZ sk {written} ");
            text[at..at + pair.len()].copy_from_slice(pair.as_bytes());
            let found = detector.detect_layers(&text);
            let secrets: Vec<&[u8]> = found
                .decoded
                .iter()
                .flat_map(|layer| {
                    layer.detections.iter().filter_map(|d| match d {
                        Detection::Key {
                            secret: Some(s), ..
                        } => Some(&layer.bytes()[s.start..s.end]),
                        _ => None,
                    })
                })
                .collect();
            assert_eq!(secrets, [secret.as_bytes()], "{written} at {at}");
        }
    }
}
