//! Reading publication times out of date strings, in the forms news
//! sources write them, with chrono doing the calendar work.
//!
//! A time is seconds since 1970-01-01T00:00:00Z. Forms without a zone are
//! taken as UTC, forms without a time of day as its midnight: a story's
//! reports are compared across days, so a few hours' zone error matters
//! far less than dropping the date.

use chrono::format::{Item, Parsed, StrftimeItems, parse, parse_and_remainder};
use chrono::{DateTime, NaiveTime};
use std::cell::Cell;
use std::sync::OnceLock;

/// Seconds in a day.
pub const DAY_SECONDS: i64 = 86_400;

/// Date-and-time forms without a zone, tried in order (chrono's month
/// names match in any case: `26-FEB-1987`, `26-Feb-1987`).
const NAIVE_DATE_TIMES: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%d-%b-%Y %H:%M:%S%.f",
    "%d-%b-%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
];

/// Date-only forms, tried in order.
const NAIVE_DATES: &[&str] = &["%Y-%m-%d", "%d-%b-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d %B %Y"];

/// Zoned forms beyond RFC 3339 and RFC 2822, tried in order.
const ZONED: &[&str] = &["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"];

/// Unix seconds of a date string, or `None` when it is in no known form.
///
/// Known forms: ISO 8601 / RFC 3339 with or without time and zone
/// (`2016-07-14`, `2016-07-14T18:00:00+03:00`, `2016-07-14 18:00`), RFC
/// 2822 (`Thu, 14 Jul 2016 18:00:00 GMT`), `DD-MON-YYYY HH:MM:SS.ff`
/// (Reuters), `DD.MM.YYYY`, `YYYY/MM/DD` (each with an optional time),
/// and Unix seconds (9 to 11 digits; 12 to 14 are milliseconds).
pub fn parse_time(date: &str) -> Option<i64> {
    let date = date.trim();
    if date.is_empty() || date.len() > 64 {
        return None;
    }
    if date.bytes().all(|b| b.is_ascii_digit()) {
        return unix_digits(date);
    }
    let forms = forms();
    // Every form with a time of day has a colon (RFC 3339 and RFC 2822
    // too): a date without one, the commonest kind (`2016-07-14`), goes
    // straight to the date-only forms instead of failing a dozen others.
    if !date.contains(':') {
        return naive_date(date, forms);
    }
    // A corpus writes its dates in one form: the form that read this
    // thread's last date is tried first (Reuters' form is the ninth
    // in order). No two forms read one string as different times (the
    // tests hold every form's examples to it), so the order changes no
    // result.
    thread_local! {
        static LAST_FORM: Cell<usize> = const { Cell::new(0) };
    }
    let last = LAST_FORM.get();
    if let Some(time) = forms.time_forms.get(last).and_then(|form| form.read(date)) {
        return Some(time);
    }
    for (at, form) in forms.time_forms.iter().enumerate() {
        if at != last
            && let Some(time) = form.read(date)
        {
            LAST_FORM.set(at);
            return Some(time);
        }
    }
    naive_date(date, forms)
}

/// A form with a time of day.
enum TimeForm {
    Rfc3339,
    Rfc2822,
    /// A format with a zone.
    Zoned(Vec<Item<'static>>),
    /// A format without a zone (read as UTC).
    Naive(Vec<Item<'static>>),
}

impl TimeForm {
    /// The time `date` reads as in this form.
    fn read(&self, date: &str) -> Option<i64> {
        let mut parsed = Parsed::new();
        match self {
            TimeForm::Rfc3339 => DateTime::parse_from_rfc3339(date)
                .ok()
                .map(|t| t.timestamp()),
            TimeForm::Rfc2822 => DateTime::parse_from_rfc2822(date)
                .ok()
                .map(|t| t.timestamp()),
            TimeForm::Zoned(items) => {
                parse(&mut parsed, date, items.iter()).ok()?;
                parsed.to_datetime().ok().map(|t| t.timestamp())
            }
            TimeForm::Naive(items) => {
                let rest = parse_and_remainder(&mut parsed, date, items.iter()).ok()?;
                // A zone name or a wire service's code after the time
                // (`15:01:01.79 EST`, Reuters' `…59.13RM`) is passed over;
                // any other remainder means the form was not this one.
                let time = parsed.to_naive_datetime_with_offset(0).ok()?;
                (rest.len() <= 16 && rest.bytes().all(|b| b.is_ascii_alphabetic() || b == b' '))
                    .then(|| time.and_utc().timestamp())
            }
        }
    }
}

/// Unix seconds of the midnight (UTC) of a date in a date-only form.
fn naive_date(date: &str, forms: &Forms) -> Option<i64> {
    for items in &forms.naive_dates {
        let mut parsed = Parsed::new();
        if parse(&mut parsed, date, items.iter()).is_ok()
            && let Ok(day) = parsed.to_naive_date()
        {
            return Some(day.and_time(NaiveTime::MIN).and_utc().timestamp());
        }
    }
    None
}

/// The format strings, parsed once (chrono's `parse_from_str` would parse
/// each format string again for every date it tries it on).
struct Forms {
    /// Forms with a time of day, in the order tried: RFC 3339, RFC 2822,
    /// [`ZONED`], [`NAIVE_DATE_TIMES`].
    time_forms: Vec<TimeForm>,
    naive_dates: Vec<Vec<Item<'static>>>,
}

fn forms() -> &'static Forms {
    static FORMS: OnceLock<Forms> = OnceLock::new();
    FORMS.get_or_init(|| {
        let items = |forms: &[&'static str]| -> Vec<Vec<Item<'static>>> {
            forms
                .iter()
                .map(|form| StrftimeItems::new(form).collect())
                .collect()
        };
        let time_forms = [TimeForm::Rfc3339, TimeForm::Rfc2822]
            .into_iter()
            .chain(items(ZONED).into_iter().map(TimeForm::Zoned))
            .chain(items(NAIVE_DATE_TIMES).into_iter().map(TimeForm::Naive))
            .collect();
        Forms {
            time_forms,
            naive_dates: items(NAIVE_DATES),
        }
    })
}

/// Unix seconds from a string of digits: seconds, or milliseconds when
/// longer than any date in seconds this side of the year 5000.
fn unix_digits(digits: &str) -> Option<i64> {
    let value: i64 = digits.parse().ok()?;
    match digits.len() {
        9..=11 => Some(value),
        12..=14 => Some(value.div_euclid(1000)),
        _ => None,
    }
}

/// `YYYY-MM-DD` of a time (UTC).
pub fn format_day(time: i64) -> String {
    match DateTime::from_timestamp(time, 0) {
        Some(t) => t.format("%Y-%m-%d").to_string(),
        None => String::from("?"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2016-07-14T18:00:00Z.
    const JULY_14_6PM: i64 = 1_468_519_200;

    /// Dates in every form read, and their times.
    const EVERY_COMMON_FORM: &[(&str, i64)] = &[
        ("1970-01-01", 0),
        ("2016-07-14", JULY_14_6PM - 18 * 3600),
        ("2016-07-14T18:00:00Z", JULY_14_6PM),
        ("2016-07-14T18:00:00.250Z", JULY_14_6PM),
        ("2016-07-14T21:00:00+03:00", JULY_14_6PM),
        ("2016-07-14T21:00:00+0300", JULY_14_6PM),
        ("2016-07-14T18:00:00", JULY_14_6PM),
        ("2016-07-14T18:00", JULY_14_6PM),
        ("2016-07-14 18:00:00", JULY_14_6PM),
        ("2016-07-14 18:00", JULY_14_6PM),
        ("Thu, 14 Jul 2016 18:00:00 GMT", JULY_14_6PM),
        ("Thu, 14 Jul 2016 14:00:00 -0400", JULY_14_6PM),
        ("14 Jul 2016 18:00:00 +0000", JULY_14_6PM),
        ("14-JUL-2016 18:00:00.79", JULY_14_6PM),
        ("14-Jul-2016 18:00:00", JULY_14_6PM),
        ("26-FEB-1987 15:01:01.79", 541_350_061),
        ("26-FEB-1987 15:01:01.79RM", 541_350_061),
        ("26-FEB-1987 15:01:01.79 C G T M", 541_350_061),
        ("2016-07-14 18:00 EST", JULY_14_6PM),
        ("14.07.2016", JULY_14_6PM - 18 * 3600),
        ("14.07.2016 18:00", JULY_14_6PM),
        ("2016/07/14", JULY_14_6PM - 18 * 3600),
        ("2016/07/14 18:00:00", JULY_14_6PM),
        ("14 July 2016", JULY_14_6PM - 18 * 3600),
        ("1468519200", JULY_14_6PM),
        ("1468519200000", JULY_14_6PM),
        ("  2016-07-14T18:00:00Z  ", JULY_14_6PM),
        ("2016-02-29", 1_456_704_000),
        ("2016-07-14T18:00Z", JULY_14_6PM),
        ("14-JUL-2016 18:00 EST", JULY_14_6PM),
    ];

    #[test]
    fn reads_every_common_form() {
        for &(input, expected) in EVERY_COMMON_FORM {
            assert_eq!(parse_time(input), Some(expected), "{input}");
        }
        // Whichever form read the last date (one thread).
        for &(first, _) in EVERY_COMMON_FORM {
            parse_time(first);
            for &(input, expected) in EVERY_COMMON_FORM {
                assert_eq!(parse_time(input), Some(expected), "{input} after {first}");
            }
        }
    }

    #[test]
    fn every_form_that_reads_a_date_reads_the_same_time() {
        // What trying the last form first relies on: a date one form
        // reads, every other form either rejects or reads alike.
        let forms = forms();
        for &(input, expected) in EVERY_COMMON_FORM {
            for (form, time_form) in forms.time_forms.iter().enumerate() {
                let read = time_form.read(input.trim());
                assert!(
                    read.is_none() || read == Some(expected),
                    "{input} in form {form}"
                );
            }
        }
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for input in [
            "",
            "yesterday",
            "28/9/2015",
            "2015-02-30",
            "2015-13-01",
            "32.01.2016",
            "12345",
            "123456789012345678",
            "2016-07-14T25:00:00Z",
            "2016-07-14 18:00:00 and 7",
        ] {
            assert_eq!(parse_time(input), None, "{input}");
        }
        assert_eq!(parse_time(&"9".repeat(5000)), None);
    }

    /// Whether any form with a time of day reads `date`.
    fn a_time_form_reads(date: &str) -> bool {
        let forms = forms();
        let reads = |items: &Vec<Item<'static>>| {
            parse_and_remainder(&mut Parsed::new(), date, items.iter()).is_ok()
        };
        forms.time_forms.iter().any(|form| match form {
            TimeForm::Rfc3339 => DateTime::parse_from_rfc3339(date).is_ok(),
            TimeForm::Rfc2822 => DateTime::parse_from_rfc2822(date).is_ok(),
            TimeForm::Zoned(items) | TimeForm::Naive(items) => reads(items),
        })
    }

    #[test]
    fn no_time_form_reads_a_date_without_a_colon() {
        // What the short cut for dates without a colon relies on: the
        // date-time forms themselves with the colons taken out, and dates.
        for date in [
            "2016-07-14",
            "2016-07-14T18",
            "2016-07-14T1800",
            "2016-07-14 180000",
            "2016-07-14T180000Z",
            "2016-07-14T180000+0300",
            "Thu, 14 Jul 2016 1800 GMT",
            "14 Jul 2016 180000 +0000",
            "14-JUL-2016 180000.79",
            "14.07.2016 1800",
            "2016/07/14 180000",
            "14 July 2016",
            "26-FEB-1987",
        ] {
            assert!(!a_time_form_reads(date), "{date}");
        }
        assert!(a_time_form_reads("2016-07-14 18:00"));
    }

    #[test]
    fn formats_invert_parsing() {
        for date in ["1970-01-01", "2015-09-28", "2016-02-29", "2100-03-01"] {
            assert_eq!(format_day(parse_time(date).unwrap()), date);
        }
        assert_eq!(format_day(JULY_14_6PM - 1), "2016-07-14");
    }
}
