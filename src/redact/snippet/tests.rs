use super::*;

const KEY: &str = "AKIARZPUZDIKGB2VALC4";
const SECRET: &str = "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";

/// The snippet of the key ID at its first occurrence in `line`.
fn of_key(line: &str, masks: &[Range<usize>]) -> String {
    let masks = &Masks::new(masks.to_vec());
    let at = line.find(KEY).unwrap();
    redacted(
        line.as_bytes(),
        0..line.len(),
        at..at + KEY.len(),
        true,
        masks,
    )
}

/// Longest piece of `secret` (decoded) that `shown` contains.
fn longest_piece(shown: &str, secret: &str) -> usize {
    (0..secret.len())
        .flat_map(|i| (i + 1..=secret.len()).map(move |j| (i, j)))
        .filter(|&(i, j)| shown.contains(&secret[i..j]))
        .map(|(i, j)| j - i)
        .max()
        .unwrap_or(0)
}

#[test]
fn key_ids_stay_and_secrets_go() {
    let line = format!("k={KEY} s=\"{SECRET}\"");
    assert_eq!(of_key(&line, &[]), format!("k={KEY} s=\"q8Lr…\""));
    let line = format!("AccessKeyId={KEY}");
    assert_eq!(of_key(&line, &[]), line);
}

/// A key ID glued inside a longer run (a secret or token that holds `AKIA…`, a binary
/// record) stays readable; the rest of the run does not, though the key splits it into
/// pieces too short to hide by shape. A credential scope after a key stays readable.
#[test]
fn a_key_glued_inside_a_secret_hides_the_rest() {
    let line = format!("x = q8Lr2Zx/Kd7PwYm3VfT{KEY}s_ac");
    assert_eq!(of_key(&line, &[]), format!("x = q8Lr…{KEY}…_ac"));
    let line = format!("t={KEY}{}", &SECRET[..20]);
    assert_eq!(of_key(&line, &[]), format!("t={KEY}…"));
    let line = format!("X-Amz-Credential={KEY}/20230101/us-east-1/s3/aws4_request");
    assert_eq!(of_key(&line, &[]), line);
    let line = format!("id={KEY}x");
    assert_eq!(of_key(&line, &[]), line);
}

#[test]
fn one_escape_does_not_split_a_secret() {
    for escaped in [
        SECRET.replace('/', r"\/"),
        SECRET.replace('/', r"\\/"),
        SECRET.replace('+', r"\u002B").replace('/', r"\u002F"),
        SECRET.replace('+', "&#43;").replace('/', "&#x2F;"),
        SECRET.replace('+', "&plus;").replace('/', "&sol;"),
        SECRET.replace('+', "%2B").replace('/', "%2F"),
        SECRET.replace('+', "%252B").replace('/', "%252F"),
        SECRET.replace('/', r"\x2f"),
    ] {
        let line = format!(r#"{{"AccessKeyId":"{KEY}","SecretAccessKey":"{escaped}"}}"#);
        let shown = of_key(&line, &[]);
        assert!(shown.contains("q8Lr…"), "{shown}");
        assert!(longest_piece(&shown, SECRET) <= 4, "{escaped}: {shown}");
    }
}

#[test]
fn utf16_secret_beside_an_ascii_key() {
    let mut text = format!("key={KEY}\0\0").into_bytes();
    for b in SECRET.bytes() {
        text.extend([b, 0]);
    }
    let at = 4;
    let shown = redacted(&text, 0..text.len(), at..at + 20, true, &Masks::default());
    let readable: String = shown.chars().filter(|&c| c != '\u{fffd}').collect();
    assert!(longest_piece(&readable, SECRET) <= 4, "{shown}");
    assert!(shown.starts_with(&format!("key={KEY}")), "{shown}");
}

/// Two key IDs on one long line with a secret between them, placed so that each window
/// ends inside it: the windows together must not show it.
#[test]
fn windows_never_cut_inside_a_secret() {
    let second = "AKIAQ3T7WZKXM5RDPV2N";
    let mut line = format!("a={KEY}");
    let secret_at = 2 + 20 + CONTEXT - 31;
    line.push_str(&" ".repeat(secret_at - line.len()));
    line.push_str(SECRET);
    line.push_str(&" ".repeat(secret_at + 9 + CONTEXT - line.len()));
    line.push_str(second);
    let at2 = line.find(second).unwrap();
    let one = of_key(&line, &[]);
    let none = Masks::default();
    let two = redacted(line.as_bytes(), 0..line.len(), at2..at2 + 20, true, &none);
    for shown in [&one, &two] {
        assert!(longest_piece(shown, SECRET) <= 4, "{shown}");
    }
    assert!(one.contains(KEY) && two.contains(second));
}

#[test]
fn detected_spans_are_hidden_whatever_their_shape() {
    // A short value the shape rule would let through, hidden because it was detected.
    let line = format!("{KEY} token=abcdefghijklmnop end");
    let at = line.find("abcd").unwrap();
    let mask = at..at + 16;
    let shown = of_key(&line, std::slice::from_ref(&mask));
    assert_eq!(shown, format!("{KEY} token=abcd… end"));
}

#[test]
fn lone_secret_anchor_is_hidden() {
    let line = format!("aws_secret_access_key = {SECRET}");
    let at = line.find(SECRET).unwrap();
    let shown = redacted(
        line.as_bytes(),
        0..line.len(),
        at..at + 40,
        false,
        &Masks::default(),
    );
    assert_eq!(shown, "aws_secret_access_key = q8Lr…");
}

#[test]
fn presigned_values_are_hidden_by_name_nested_or_not() {
    let line = format!(
        "https://h/k?X-Amz-Credential={KEY}%2F20250101&X-Amz-Security-Token=IQoJb3JpZ2luX2Vj%2Fab%2Bc&X-Amz-Signature=0a1b2c3d\""
    );
    assert_eq!(
        of_key(&line, &[]),
        format!(
            "https://h/k?X-Amz-Credential={KEY}%2F20250101&X-Amz-Security-Token=IQoJ…&X-Amz-Signature=0a…\""
        )
    );
    let token = "IQoJb3JpZ2luX2Vj%252Fabc%252Bdefghijklmn%252Fopqrstuv%252Bwxyz0123456789";
    let line = format!(
        "next=https%3A%2F%2Fh%2Fk%3FX-Amz-Security-Token%3D{token}%26X-Amz-Credential%3D{KEY}%252F2025"
    );
    let shown = of_key(&line, &[]);
    assert!(!shown.contains("Fabc"), "{shown}");
    assert!(shown.contains(KEY), "{shown}");
}

#[test]
fn a_run_cut_by_the_edge_of_what_is_read_is_hidden() {
    // A long run of credential characters from far before the key: whatever is left of
    // it after the stretch read is cut shows nothing.
    let line = format!("{} {} x={KEY}", "Ab1/".repeat(2000), "Zz9+".repeat(3));
    let shown = of_key(&line, &[]);
    assert!(shown.starts_with('…'), "{shown}");
    assert!(shown.contains(&format!("x={KEY}")), "{shown}");
}

#[test]
fn an_escape_never_swallows_the_key() {
    let line = format!("v=%4{KEY} s={SECRET}");
    assert_eq!(of_key(&line, &[]), format!("v=%4{KEY} s=q8Lr…"));
}

/// A base64 run that swallowed the start of a plain secret leaves its tail in the view:
/// counted with the decoded bytes before it, it is hidden.
#[test]
fn a_tail_after_base64_decoded_bytes_is_hidden() {
    let tail = &SECRET[18..];
    let line = format!("{KEY} s = \u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}\u{e}\u{f}{tail}");
    let decoded_at = line.find('\u{1}').unwrap();
    let masks =
        Masks::default().with_decoded(std::iter::once(decoded_at..decoded_at + 10).collect());
    let shown = redacted(line.as_bytes(), 0..line.len(), 0..20, true, &masks);
    // The run's first credential characters, as for any hidden run.
    assert_eq!(shown, format!("{KEY} s = {}…", &tail[..4]));
    let plain = of_key(&line, &[]);
    assert!(plain.contains(tail), "{plain}");
}

/// However few bytes base64 left on the line, or none (the decoded text ended with a
/// line break), a tail glued to them is hidden: its length here says nothing.
#[test]
fn a_tail_glued_to_decoded_bytes_is_hidden_at_any_length() {
    let tail = &SECRET[30..];
    let same_line = format!("{KEY} s = \u{1}\u{2}{tail}\" x");
    let at = same_line.find('\u{1}').unwrap();
    let masks = Masks::default().with_decoded(std::iter::once(at..at + 2).collect());
    let shown = redacted(
        same_line.as_bytes(),
        0..same_line.len(),
        0..20,
        true,
        &masks,
    );
    assert_eq!(shown, format!("{KEY} s = {}…\" x", &tail[..3]));
    // The decoded text ends with its line break: the tail starts the next line.
    let two_lines = format!("\u{1}\u{2}\n{tail}\" {KEY}");
    let masks = Masks::default().with_decoded(std::iter::once(0..3).collect());
    let line = 3..two_lines.len();
    let anchor = two_lines.len() - 20..two_lines.len();
    let shown = redacted(two_lines.as_bytes(), line, anchor, true, &masks);
    assert_eq!(shown, format!("{}…\" {KEY}", &tail[..2]));
    // Not glued: a space between.
    let apart = format!("\u{1}\u{2} {tail}\" {KEY}");
    let masks = Masks::default().with_decoded(std::iter::once(0..2).collect());
    let anchor = apart.len() - 20..apart.len();
    let shown = redacted(apart.as_bytes(), 0..apart.len(), anchor, true, &masks);
    assert!(shown.contains(tail), "{shown}");
}

/// A detected value read up to a byte its alphabet lacks (`%`) may go on past it: what
/// is glued to it, on either side, is hidden with it.
#[test]
fn runs_glued_to_a_hidden_value_are_hidden() {
    let line = format!("{KEY} t=IQoJb3JpZ2lu%252BAAAAAAAAAAAAA x");
    let at = line.find("IQoJ").unwrap();
    let token = at..at + 12;
    let shown = of_key(&line, std::slice::from_ref(&token));
    assert_eq!(shown, format!("{KEY} t=IQo…+AA… x"));
    let before = format!("{KEY} t=AAAAAAAAAA%2BIQoJb3JpZ2lu x");
    let at = before.find("IQoJ").unwrap();
    let token = at..at + 12;
    let shown = of_key(&before, std::slice::from_ref(&token));
    assert!(!shown.contains("AAAAAAAA"), "{shown}");
}

#[test]
fn masks_near_an_offset() {
    let masks = Masks::new(vec![50..60, 0..100, 10..12, 200..210, 205..300]);
    let near = |lo, hi| {
        masks
            .overlapping(lo, hi)
            .map(|r| (r.start, r.end))
            .collect::<Vec<_>>()
    };
    assert_eq!(near(20, 30), [(0, 100)]);
    assert_eq!(near(55, 56), [(0, 100), (50, 60)]);
    assert!(near(100, 200).is_empty());
    assert_eq!(near(206, 207), [(200, 210), (205, 300)]);
    assert!(near(400, 500).is_empty());
}

#[test]
fn raw_is_the_line_as_written() {
    let line = format!("k={KEY} s=\"{SECRET}\"\u{1b}");
    let at = 2;
    assert_eq!(
        raw(line.as_bytes(), 0..line.len(), at..at + 20),
        format!("k={KEY} s=\"{SECRET}\"\u{fffd}")
    );
}

#[test]
fn names_keep_short_parts() {
    assert_eq!(
        redact_text(format!("creds-{SECRET}.env").as_bytes()),
        "creds-q8Lr….env"
    );
    assert_eq!(redact_text(b"src/app.py"), "src/app.py");
}
