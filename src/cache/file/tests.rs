use super::super::Key;
use super::write::write_json;
use super::*;

fn oid(n: u8) -> Oid {
    Oid::from_bytes(&[n; 20]).expect("20 bytes")
}

/// The streamed file is byte for byte what serializing the whole value gives, with the
/// loaded and fresh clean blobs merged in id order (a blob in both once, this run's counts).
#[test]
fn streamed_file_is_the_serialized_value() {
    let loaded: HashMap<Oid, Clean, foldhash::fast::RandomState> = [
        (
            oid(9),
            Clean {
                blobs: 1,
                bytes: 90,
            },
        ),
        (
            oid(2),
            Clean {
                blobs: 1,
                bytes: 20,
            },
        ),
        (
            oid(5),
            Clean {
                blobs: 1,
                bytes: 50,
            },
        ),
    ]
    .into_iter()
    .collect();
    let mut fresh = vec![
        (oid(7), Clean { blobs: 3, bytes: 7 }),
        (
            oid(5),
            Clean {
                blobs: 2,
                bytes: 55,
            },
        ),
        (oid(1), Clean { blobs: 1, bytes: 0 }),
    ];
    let warnings = [Warning::new("a \"b\"", "c\nd")];
    let notes = ["note é".to_string()];
    let counts = ReplayCounts {
        commits: Some(3),
        blobs: 4,
        bytes: 5,
        unique_blobs: None,
        plan_bytes: Some(6),
    };
    let replay = ReplayOut {
        findings: Vec::new(),
        counts,
        warnings: warnings
            .iter()
            .map(|w| (w.subject.as_str(), w.message.as_str()))
            .collect(),
        notes: &notes,
    };
    let key = Key::new(&["key\u{1}"], &["place\t"]);
    let paths: Vec<(String, Box<RawValue>)> = vec![(
        "a \"b\"".to_string(),
        RawValue::from_string("[1]".into()).unwrap(),
    )];
    let found = [BlobOut {
        oid: oid(7).to_string(),
        first: "a",
        blobs: 3,
        bytes: 7,
        warnings: Vec::new(),
        paths: &paths,
    }];
    let mut streamed = Vec::new();
    // oid(7) gave something this run: it is in `found`, not `clean`.
    let is_found = |o: &Oid| *o == oid(7);
    write_json(
        &mut streamed,
        &key,
        "tips\t",
        ((&loaded, &mut fresh), &is_found),
        &found,
        &replay,
    )
    .unwrap();
    let clean = [(1, 1, 0), (2, 1, 20), (5, 2, 55), (9, 1, 90)]
        .iter()
        .map(|&(n, blobs, bytes)| format!("{} {blobs} {bytes}\n", oid(n)))
        .collect();
    let whole = FileOut {
        format: FORMAT,
        key: &key.detect,
        place: &key.place,
        tips: "tips\t",
        clean,
        found: found.into(),
        replay,
    };
    assert_eq!(
        String::from_utf8(streamed).unwrap(),
        serde_json::to_string(&whole).unwrap()
    );
}
