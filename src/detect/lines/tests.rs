use super::*;

#[test]
fn positions() {
    let hay = "ab\ncdé f\n\nxyz".as_bytes();
    let mut idx = LineIndex::new(hay);
    let p = idx.locate(0);
    assert_eq!((p.line, p.column), (1, 1));
    let f = hay.iter().position(|&b| b == b'f').unwrap();
    let p = idx.locate(f);
    assert_eq!((p.line, p.column), (2, 5));
    assert_eq!(&hay[p.line_start..p.line_end], "cdé f".as_bytes());
    let p = idx.locate(hay.len() - 1);
    assert_eq!((p.line, p.column), (4, 3));
    // Going backwards restarts the count.
    assert_eq!(idx.locate(1).line, 1);
}

/// Offsets asked in order on one line count on from the last one, and agree with a
/// fresh count, valid UTF-8 or not, wherever the last offset fell.
#[test]
fn many_offsets_on_one_line_agree_with_fresh_counts() {
    let hay = "aé b\u{fffd}c d\nxyz".as_bytes().to_vec();
    let mut bad = hay.clone();
    bad[1] = 0xff;
    for text in [hay, bad] {
        let mut idx = LineIndex::new(&text);
        for offset in 0..text.len() {
            let fresh = LineIndex::new(&text).locate(offset);
            assert_eq!(idx.locate(offset), fresh, "{offset}");
        }
    }
}

/// Jumping by marks gives what counting all the way gives, in order or not, at marks,
/// around them and on a line that spans one.
#[test]
fn marks_give_the_counted_positions() {
    let every = LineMarks::EVERY;
    let mut hay = Vec::new();
    let mut i = 0u32;
    while hay.len() < 3 * every + 5000 {
        // Lines of varied length, one of them over a mark.
        let len = if i == 40_000 {
            every
        } else {
            (i * 7 % 90) as usize
        };
        hay.extend(std::iter::repeat_n(b'a' + (i % 26) as u8, len));
        hay.push(b'\n');
        i += 1;
    }
    hay.extend_from_slice("é tail".as_bytes());
    let marks = LineMarks::count(&hay);
    // Counted in uneven ranges, as another pass tells them: the same marks.
    let mut counter = LineCounter::default();
    let mut to = 0;
    while to < hay.len() / 2 {
        to += 1 + to % 70_001;
        counter.count_to(&hay, to);
    }
    assert_eq!(counter.finish(&hay), marks);
    assert_eq!(marks.newlines.len(), hay.len() / LineMarks::EVERY + 1);
    let mut offsets: Vec<usize> = (0..4)
        .flat_map(|k| [k * every, (k * every).saturating_sub(1), k * every + 1])
        .chain([hay.len() - 1, hay.len() - 3, 17, 2 * every + 999])
        .filter(|&o| o < hay.len())
        .collect();
    offsets.sort();
    let (mut plain, mut jumping) = (
        LineIndex::new(&hay),
        LineIndex::with_marks(&hay, Some(&marks)),
    );
    for &o in offsets.iter().chain(offsets.iter().rev()) {
        assert_eq!(jumping.locate(o), plain.locate(o), "{o}");
        assert_eq!(
            LineIndex::with_marks(&hay, Some(&marks)).locate(o),
            LineIndex::new(&hay).locate(o)
        );
    }
}

#[test]
fn windows() {
    let hay = b"l1\nl2\nl3\nl4\nl5";
    let l3 = 6;
    assert_eq!(lines_back(hay, l3, 1, 100), 3);
    assert_eq!(lines_back(hay, l3, 9, 100), 0);
    assert_eq!(lines_forward(hay, l3, 1, 100), 11);
    assert_eq!(lines_forward(hay, l3, 9, 100), hay.len());
    assert_eq!(lines_back(hay, l3, 9, 4), 2);
    assert_eq!(newlines_between(hay, 0, hay.len()), 4);
}
