//! [`CommitInfo`]: the commit a history finding is attributed to, and [`rfc3339`], how every
//! report writes a time. `source::git::repo` builds a `CommitInfo` from a git commit.

/// The commit that introduced a blob at a path: what a history finding is attributed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full hexadecimal object id.
    pub id: String,
    pub author_name: String,
    pub author_email: String,
    /// Author time, seconds since the Unix epoch, and the author's UTC offset in minutes.
    pub author_time: i64,
    pub author_offset_minutes: i32,
    /// Committer time, seconds since the Unix epoch: an upper bound on when the content
    /// existed (amend and rebase keep the author date but renew this one), so expiry uses it.
    pub committer_time: i64,
    /// Position in the oldest-first walk: smaller is older. Orders attributions; not reported.
    pub walk_index: u32,
}

impl CommitInfo {
    /// The author date as RFC 3339 in the author's own offset (`2024-05-01T14:00:00+02:00`).
    pub fn author_date(&self) -> String {
        rfc3339(self.author_time, self.author_offset_minutes)
    }

    /// The committer date as RFC 3339, UTC.
    pub fn committer_date(&self) -> String {
        rfc3339(self.committer_time, 0)
    }
}

/// Formats Unix seconds at a UTC offset as RFC 3339 (`Z` for UTC).
pub fn rfc3339(unix: i64, offset_minutes: i32) -> String {
    let local = unix + i64::from(offset_minutes) * 60;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let time = format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    );
    let zone = if offset_minutes == 0 {
        "Z".to_string()
    } else {
        let sign = if offset_minutes < 0 { '-' } else { '+' };
        let abs = offset_minutes.unsigned_abs();
        format!("{sign}{:02}:{:02}", abs / 60, abs % 60)
    };
    format!("{y:04}-{m:02}-{d:02}T{time}{zone}")
}

/// Reads back what [`rfc3339`] writes: Unix seconds and the UTC offset in minutes. `None`
/// for anything else.
pub fn parse_rfc3339(text: &str) -> Option<(i64, i32)> {
    let b = text.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let offset = match &text[19..] {
        "Z" => 0,
        zone if zone.len() == 6 && zone.as_bytes()[3] == b':' => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            sign * (num(20..22)? * 60 + num(23..25)?)
        }
        _ => return None,
    };
    let days = days_from_civil(y, u32::try_from(m).ok()?, u32::try_from(d).ok()?);
    let local = days * 86_400 + hh * 3600 + mm * 60 + ss;
    Some((local - offset * 60, i32::try_from(offset).ok()?))
}

/// (year, month, day) to days since 1970-01-01: the inverse of [`civil_from_days`].
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::{parse_rfc3339, rfc3339};

    #[test]
    fn rfc3339_reads_back() {
        for (t, off) in [
            (0, 0),
            (951_782_400, 0),
            (1_714_564_800, 120),
            (1_714_564_800, -330),
            (-1, 0),
            (4_102_444_799, 59),
        ] {
            assert_eq!(parse_rfc3339(&rfc3339(t, off)), Some((t, off)), "{t} {off}");
        }
        for bad in [
            "",
            "2024-05-01",
            "2024-05-01T14:00:00",
            "2024-05-01T14:00:00+0200",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400, 0), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_714_564_800, 120), "2024-05-01T14:00:00+02:00");
        assert_eq!(rfc3339(1_714_564_800, -330), "2024-05-01T06:30:00-05:30");
        assert_eq!(rfc3339(-1, 0), "1969-12-31T23:59:59Z");
    }
}
