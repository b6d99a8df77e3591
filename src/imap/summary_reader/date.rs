//! INTERNALDATE (`dd-Mon-yyyy hh:mm:ss +hhmm`) to seconds since the epoch and an offset.

/// Seconds since the epoch and the UTC offset of an INTERNALDATE, (0, 0) when it does not
/// parse. Dates parse as in the crate (chrono with its format); the form servers send takes a
/// short cut, as chrono's general parser was a tenth of the reader's time.
pub(super) fn internal_date(bytes: &[u8]) -> (i64, i32) {
    canonical_date(bytes).unwrap_or_else(|| {
        std::str::from_utf8(bytes)
            .ok()
            .and_then(|d| chrono::DateTime::parse_from_str(d, "%d-%b-%Y %H:%M:%S %z").ok())
            .map_or((0, 0), |d| (d.timestamp(), d.offset().local_minus_utc()))
    })
}

/// `dd-Mon-yyyy hh:mm:ss +hhmm` (the day zero- or space-padded) with every field in range;
/// anything else is left to chrono.
fn canonical_date(b: &[u8]) -> Option<(i64, i32)> {
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let b: &[u8; 26] = b.try_into().ok()?;
    let num = |from: usize, to: usize| {
        b[from..to].iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let punctuation = [
        (2, b'-'),
        (6, b'-'),
        (11, b' '),
        (14, b':'),
        (17, b':'),
        (20, b' '),
    ];
    if punctuation.iter().any(|&(at, c)| b[at] != c) {
        return None;
    }
    let day = if b[0] == b' ' { num(1, 2)? } else { num(0, 2)? };
    let month = MONTHS.iter().position(|m| *m == &b[3..6])? as u32 + 1;
    let year = num(7, 11)?;
    let (hour, minute, second) = (num(12, 14)?, num(15, 17)?, num(18, 20)?);
    let east = match b[21] {
        b'+' => true,
        b'-' => false,
        _ => return None,
    };
    let (zone_hours, zone_minutes) = (num(22, 24)?, num(24, 26)?);
    let in_range = (1..=days_in_month(year, month)).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60
        && zone_hours < 24
        && zone_minutes < 60;
    if !in_range {
        return None;
    }
    let offset = (zone_hours * 3600 + zone_minutes * 60) as i32;
    let offset = if east { offset } else { -offset };
    let local =
        days_from_civil(year, month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Some((local - i64::from(offset), offset))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's method).
fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}
