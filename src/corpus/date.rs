//! Reading the calendar day out of a date string.

/// Days since 1970-01-01 for a date that starts `YYYY-MM-DD` (ISO 8601,
/// with or without a time after it), or `None`.
pub fn parse_day(date: &str) -> Option<i32> {
    let bytes = date.trim().as_bytes();
    if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i32> {
        let part = std::str::from_utf8(&bytes[range]).ok()?;
        if !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

fn days_in_month(year: i32, month: i32) -> i32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's days-from-civil algorithm.
fn days_from_civil(year: i32, month: i32, day: i32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` of days since 1970-01-01 (Hinnant's civil-from-days).
pub fn format_day(days: i32) -> String {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + (month <= 2) as i32;
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::{format_day, parse_day};

    #[test]
    fn reads_iso_days() {
        assert_eq!(parse_day("1970-01-01"), Some(0));
        assert_eq!(parse_day("2015-09-28"), Some(16706));
        assert_eq!(parse_day("2016-07-14T18:00:00Z"), Some(16996));
        assert_eq!(parse_day("2016-02-29"), Some(16860));
    }

    #[test]
    fn rejects_other_forms() {
        assert_eq!(parse_day("28/9/2015"), None);
        assert_eq!(parse_day("2015-02-30"), None);
        assert_eq!(parse_day("2015-13-01"), None);
        assert_eq!(parse_day(""), None);
    }

    #[test]
    fn format_day_inverts_parse_day() {
        for date in [
            "1970-01-01",
            "2015-09-28",
            "2016-02-29",
            "1999-12-31",
            "2100-03-01",
        ] {
            assert_eq!(format_day(parse_day(date).unwrap()), date);
        }
    }
}
