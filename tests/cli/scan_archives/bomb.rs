//! Decompression bombs and hostile zips, built by hand. A bomb takes milliseconds, not the
//! minutes of deflating a gibibyte: one mebibyte of zeros is deflated once with a sync flush
//! (so it ends on a byte boundary without closing the stream), repeated, and closed with an
//! empty final block; the CRC-32 of the whole is combined from the chunk's. Zip and gzip
//! containers are written field by field, so a member may declare any size and attributes it
//! likes, and a zip may list its local entries any number of times, or not at all.

use std::io::{Read, Write};

use flate2::{Compress, Compression, Crc, FlushCompress};

const MIB: usize = 1 << 20;

/// A raw deflate stream of `mib` mebibytes of zeros, and their CRC-32.
pub fn deflated_zeros(mib: u32) -> (Vec<u8>, u32) {
    let zeros = vec![0u8; MIB];
    let mut piece = Vec::with_capacity(MIB);
    let mut c = Compress::new(Compression::best(), false);
    c.compress_vec(&zeros, &mut piece, FlushCompress::Sync)
        .expect("deflate");
    assert_eq!(c.total_in(), MIB as u64, "the whole chunk went in");
    let mut end = Vec::with_capacity(64);
    Compress::new(Compression::best(), false)
        .compress_vec(&[], &mut end, FlushCompress::Finish)
        .expect("final block");
    let mut stream = Vec::with_capacity(piece.len() * mib as usize + end.len());
    let mut one = Crc::new();
    one.update(&zeros);
    let mut crc = Crc::new();
    for _ in 0..mib {
        stream.extend_from_slice(&piece);
        crc.combine(&one);
    }
    stream.extend_from_slice(&end);
    (stream, crc.sum())
}

/// One zip entry as written: deflated `data`, and the sizes it claims.
pub struct Entry<'a> {
    pub name: &'a str,
    /// 0 stored, 8 deflated.
    pub method: u16,
    pub data: &'a [u8],
    pub crc: u32,
    pub declared_size: u32,
    /// External attributes: a Unix mode in the top 16 bits.
    pub attributes: u32,
}

/// A stored entry holding `data`, honest about its size.
pub fn stored<'a>(name: &'a str, data: &'a [u8]) -> Entry<'a> {
    Entry {
        name,
        method: 0,
        data,
        crc: crc_of(data),
        declared_size: data.len() as u32,
        attributes: 0,
    }
}

/// `text` deflated, so that only inflating it shows it, and its CRC-32.
pub fn deflate(text: &[u8]) -> (Vec<u8>, u32) {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), Compression::best());
    e.write_all(text).expect("deflate");
    (e.finish().expect("deflate"), crc_of(text))
}

/// A deflated entry: `compressed` as [`deflate`] made it from `text`.
pub fn deflated<'a>(name: &'a str, text: &[u8], compressed: &'a [u8]) -> Entry<'a> {
    Entry {
        name,
        method: 8,
        data: compressed,
        crc: crc_of(text),
        declared_size: text.len() as u32,
        attributes: 0,
    }
}

fn crc_of(data: &[u8]) -> u32 {
    let mut crc = Crc::new();
    crc.update(data);
    crc.sum()
}

/// What a zip holds besides one local entry and one directory entry for each of its entries.
#[derive(Default)]
pub struct Layout<'a> {
    /// Local entries written after the others, which the directory does not list.
    pub unlisted: Vec<Entry<'a>>,
    /// What the directory lists instead: (index of a local entry, the entry as listed; its
    /// `data` only gives the compressed size).
    pub listing: Option<Vec<(usize, Entry<'a>)>>,
    /// The archive comment, after the end record.
    pub comment: &'a [u8],
}

/// A zip file holding `entries`, with local headers, a central directory and its end record.
pub fn zip(entries: &[Entry<'_>]) -> Vec<u8> {
    zip_with(entries, &Layout::default())
}

/// A zip file holding `entries`, laid out as `layout` says.
pub fn zip_with(entries: &[Entry<'_>], layout: &Layout<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    let fields = |e: &Entry<'_>, v: &mut Vec<u8>| {
        v.extend(20u16.to_le_bytes()); // version needed
        v.extend(0u16.to_le_bytes()); // flags
        v.extend(e.method.to_le_bytes());
        v.extend(0u16.to_le_bytes()); // time
        v.extend(0x21u16.to_le_bytes()); // date: 1980-01-01
        v.extend(e.crc.to_le_bytes());
        v.extend((e.data.len() as u32).to_le_bytes());
        v.extend(e.declared_size.to_le_bytes());
        v.extend((e.name.len() as u16).to_le_bytes());
        v.extend(0u16.to_le_bytes()); // extra field length
    };
    for e in entries.iter().chain(&layout.unlisted) {
        offsets.push(out.len() as u32);
        out.extend(b"PK\x03\x04");
        fields(e, &mut out);
        out.extend(e.name.as_bytes());
        out.extend(e.data);
    }
    let each: Vec<(usize, &Entry<'_>)> = match &layout.listing {
        Some(listing) => listing.iter().map(|(i, e)| (*i, e)).collect(),
        None => entries.iter().enumerate().collect(),
    };
    let mut central = Vec::new();
    for (i, e) in &each {
        central.extend(b"PK\x01\x02");
        central.extend(0x031eu16.to_le_bytes()); // made by: Unix, zip 3.0
        fields(e, &mut central);
        central.extend([0u8; 6]); // comment length, disk, internal attributes
        central.extend(e.attributes.to_le_bytes());
        central.extend(offsets[*i].to_le_bytes());
        central.extend(e.name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(b"PK\x05\x06");
    out.extend([0u8; 4]); // this disk, the directory's disk
    out.extend((each.len() as u16).to_le_bytes());
    out.extend((each.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend((layout.comment.len() as u16).to_le_bytes());
    out.extend(layout.comment);
    out
}

/// A gzip file around a raw deflate stream of `size` bytes with CRC-32 `crc`.
pub fn gzip(deflate: &[u8], crc: u32, size: u64) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend(deflate);
    out.extend(crc.to_le_bytes());
    out.extend((size as u32).to_le_bytes()); // ISIZE is the size modulo 2^32
    out
}

#[test]
fn the_builders_make_what_they_claim() {
    let (stream, crc) = deflated_zeros(3);
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(&stream[..])
        .read_to_end(&mut out)
        .expect("inflates");
    assert_eq!(out.len(), 3 * MIB);
    assert!(out.iter().all(|&b| b == 0));
    let mut check = Crc::new();
    check.update(&out);
    assert_eq!(check.sum(), crc);
    let mut gz = Vec::new();
    flate2::read::GzDecoder::new(&gzip(&stream, crc, out.len() as u64)[..])
        .read_to_end(&mut gz)
        .expect("gunzips with a valid checksum");
    assert_eq!(gz.len(), 3 * MIB);
    let entry = |name| Entry {
        name,
        method: 8,
        data: &stream,
        crc,
        declared_size: out.len() as u32,
        attributes: 0,
    };
    let honest = zip(&[entry("a"), entry("b")]);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(honest)).expect("opens");
    assert_eq!(archive.file_names().collect::<Vec<_>>(), ["a", "b"]);
    let mut member = Vec::new();
    let mut second = archive.by_index(1).expect("entry");
    assert_eq!(second.size(), out.len() as u64);
    second
        .read_to_end(&mut member)
        .expect("inflates with a valid checksum");
    assert_eq!(member, out);
}
