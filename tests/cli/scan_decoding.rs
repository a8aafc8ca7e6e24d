//! Keys hidden in escapes (`\u{41}`, `\u0041`, `&#x41;`, `&#65;`) are found, located at the
//! first escape in the original file, and marked `encoding: "escaped"`.

use crate::common::scan_stdin;

const KEY: &str = "AKIAVRUVS7NI7XTJWVMC";

#[test]
fn escaped_key_ids_are_found_where_they_start() {
    let js: String = KEY.bytes().map(|b| format!("\\u{{{b:x}}}")).collect();
    let json: String = KEY.bytes().map(|b| format!("\\u{b:04x}")).collect();
    let html: String = KEY.bytes().map(|b| format!("&#x{b:x};")).collect();
    let dec: String = KEY.bytes().map(|b| format!("&#{b};")).collect();
    let text = format!(
        "const a = \"{js}\";\n{{\"b\": \"{json}\"}}\n<p>{html}</p>\nx={dec}\nplain {KEY}\n"
    );
    let run = scan_stdin(text.as_bytes(), &["--format", "json"]);
    assert_eq!(run.code, 1);
    let got: Vec<(String, u64, u64, Option<String>)> = run
        .findings()
        .iter()
        .map(|f| {
            (
                f["key_id"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["encoding"].as_str().map(str::to_string),
            )
        })
        .collect();
    let escaped = Some("escaped".to_string());
    assert_eq!(
        got,
        [
            (KEY.to_string(), 1, 12, escaped.clone()),
            (KEY.to_string(), 2, 8, escaped.clone()),
            (KEY.to_string(), 3, 4, escaped.clone()),
            (KEY.to_string(), 4, 3, escaped),
            (KEY.to_string(), 5, 7, None),
        ]
    );
}
