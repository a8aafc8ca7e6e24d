//! Tests of `notes`.

use super::*;

#[test]
fn classes_hold_their_bytes_exactly() {
    let gates = Nibbles::gates();
    let hex_run = Nibbles::hex_run();
    for b in 0..=255u8 {
        let gate = GATE_BYTES.iter().position(|&g| g == b);
        assert_eq!(gates.of(b), gate.map_or(0, |i| 1 << i), "{b:#x}");
        assert_eq!(hex_run.of(b) != 0, hex::in_run(b), "{b:#x}");
    }
}

#[test]
fn next_hex_block_skips_only_noted_blocks_without_a_hex_block() {
    // Chunk 0 noted for 130 blocks, chunk 1 not noted, chunk 2 noted whole; hex blocks
    // at 3, 70, 129 and in chunk 2 at its block 5.
    let per_chunk = CHUNK / HEX_STEP;
    let mut hex = vec![0u64; 3 * WORDS];
    for k in [3usize, 70, 129, 2 * per_chunk + 5] {
        hex[k / 64] |= 1 << (k % 64);
    }
    let noted = |len| Noted { gates: 0, len };
    let notes = Notes {
        chunks: vec![noted(130 * HEX_STEP), noted(0), noted(CHUNK)],
        hex,
    };
    let at = |k: usize| k * HEX_STEP;
    let next = |from| notes.next_hex_block(from, usize::MAX);
    assert_eq!(next(0), at(3));
    assert_eq!(next(at(3)), at(3));
    assert_eq!(next(at(3) + 1), at(70));
    assert_eq!(next(at(71)), at(129));
    // Past the notes of chunk 0, and all of chunk 1: every block.
    assert_eq!(next(at(130)), at(130));
    assert_eq!(next(at(500) - 5), at(500));
    assert_eq!(next(CHUNK + 64), CHUNK + 64);
    // Chunk 2: its hex block, then past the notes.
    assert_eq!(next(2 * CHUNK), at(2 * per_chunk + 5));
    assert_eq!(next(at(2 * per_chunk + 6)), 3 * CHUNK);
    // No further than asked: `to` or the block at or after it.
    assert_eq!(notes.next_hex_block(at(4), at(60)), at(60));
    assert_eq!(notes.next_hex_block(at(4), at(60) - 3), at(60));
    assert_eq!(notes.next_hex_block(at(4), at(71)), at(70));
    // Nothing noted: every block is the next one.
    let none = Notes::default();
    assert_eq!(none.next_hex_block(0, 1000), 0);
    assert_eq!(none.next_hex_block(65, 1000), 128);
}

#[test]
fn gates_take_noted_chunks_and_hand_over_the_rest() {
    let notes = Notes {
        chunks: vec![
            Noted {
                gates: 1,
                len: CHUNK,
            },
            Noted { gates: 0, len: 0 },
            Noted { gates: 4, len: 640 },
        ],
        hex: Vec::new(),
    };
    let mut unnoted = Vec::new();
    let found = notes.gates(100, 2 * CHUNK + 1000, |a, b| unnoted.push((a, b)));
    assert_eq!(found, 1 | 4);
    assert_eq!(
        unnoted,
        [(CHUNK, 2 * CHUNK), (2 * CHUNK + 640, 2 * CHUNK + 1000)]
    );
    unnoted.clear();
    assert_eq!(
        notes.gates(CHUNK + 5, CHUNK + 9, |a, b| unnoted.push((a, b))),
        0
    );
    assert_eq!(unnoted, [(CHUNK + 5, CHUNK + 9)]);
    assert_eq!(notes.gates(7, 7, |_, _| panic!("nothing to read")), 0);
}
