//! Archive expansion (`source::archive::expand`): any bytes, under small limits.
//!
//! Properties: it never panics and always ends; an input that is not an archive comes back
//! as itself; every blob it hands on is the input itself (a damaged archive is scanned raw;
//! an opened one's own bytes follow its members, with the data they took blanked: zeros,
//! newlines kept) or a member named `input!…`; members never exceed the per-member size,
//! their count the member cap, their bytes together the total cap; the input is handed on at
//! most once, members or not.

use keyleak::source::archive::{self, Limits};
use keyleak::source::{Blob, Origin};

const INPUT: &str = "in.zip";

/// Small caps, so the fuzzer reaches them.
pub const LIMITS: Limits = Limits {
    depth: 2,
    members: 32,
    member_bytes: 1 << 14,
    total_bytes: 1 << 16,
};

fn looks_like_archive(hay: &[u8]) -> bool {
    hay.starts_with(b"PK") || hay.starts_with(&[0x1f, 0x8b]) || hay.get(257..262) == Some(b"ustar")
}

pub fn check(hay: &[u8]) {
    members(hay);
}

/// [`check`], returning how many members were handed on.
pub fn members(hay: &[u8]) -> u64 {
    let blob = Blob {
        origin: Origin::file(INPUT),
        bytes: hay.to_vec().into(),
    };
    let (mut raw, mut members, mut member_bytes) = (0, 0u64, 0u64);
    archive::expand(blob, &LIMITS, &mut |item| {
        let Ok(b) = item else { return };
        if b.origin.path == INPUT {
            assert_eq!(
                b.bytes.len(),
                hay.len(),
                "the input handed on changed length"
            );
            let kept = |(got, was): (&u8, &u8)| got == was || (*got == 0 && *was != b'\n');
            assert!(
                b.bytes.iter().zip(hay).all(kept),
                "the input handed on changed beyond blanked data"
            );
            raw += 1;
            return;
        }
        let inner =
            b.origin.path.strip_prefix("in.zip!").unwrap_or_else(|| {
                panic!("member {:?} is not named after its archive", b.origin.path)
            });
        assert!(!inner.is_empty(), "a member with no name");
        assert!(b.origin.commit.is_none());
        assert!(
            b.bytes.len() as u64 <= LIMITS.member_bytes,
            "member over the member cap"
        );
        members += 1;
        member_bytes += b.bytes.len() as u64;
    });
    assert!(raw <= 1, "the input was handed on {raw} times");
    if !looks_like_archive(hay) {
        assert_eq!(
            (raw, members),
            (1, 0),
            "a non-archive was not handed on as itself"
        );
    }
    assert!(members <= LIMITS.members, "{members} members over the cap");
    assert!(
        member_bytes <= LIMITS.total_bytes,
        "{member_bytes} bytes over the cap"
    );
    members
}
