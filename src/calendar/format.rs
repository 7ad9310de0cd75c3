//! The calendar text format: parsing, writing and serde.

use std::fmt;
use std::str::FromStr;

use chrono::{FixedOffset, NaiveDate, Weekday};
use serde::Serialize;

use super::{
    CalendarError, Conflict, Directive, ParseErrorKind, Special, WeekdaySet, WorkingCalendar,
    check_name, check_range,
};

/// Splits off the first whitespace-separated word; the rest is trimmed.
fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(at) => (&s[..at], s[at..].trim()),
        None => (s, ""),
    }
}

/// Parses `+HH:MM` or `-HH:MM`, optionally followed by `:SS`.
fn parse_offset(s: &str) -> Option<FixedOffset> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let mut fields = [0i32; 3];
    let mut count = 0;
    for (i, field) in rest.split(':').enumerate() {
        let slot = fields.get_mut(i)?;
        if field.len() != 2 || !field.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *slot = field.parse().ok()?;
        count = i + 1;
    }
    let [hh, mm, ss] = fields;
    if count < 2 || hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hh * 3600 + mm * 60 + ss))
}

/// Writes an offset as `+HH:MM`, or `+HH:MM:SS` when it has seconds.
fn write_offset(f: &mut fmt::Formatter<'_>, offset: FixedOffset) -> fmt::Result {
    let secs = offset.local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let secs = secs.unsigned_abs();
    let (hh, mm, ss) = (secs / 3600, secs / 60 % 60, secs % 60);
    write!(f, "{sign}{hh:02}:{mm:02}")?;
    if ss != 0 {
        write!(f, ":{ss:02}")?;
    }
    Ok(())
}

const WEEKDAY_NAMES: [(&str, &str, Weekday); 7] = [
    ("mon", "monday", Weekday::Mon),
    ("tue", "tuesday", Weekday::Tue),
    ("wed", "wednesday", Weekday::Wed),
    ("thu", "thursday", Weekday::Thu),
    ("fri", "friday", Weekday::Fri),
    ("sat", "saturday", Weekday::Sat),
    ("sun", "sunday", Weekday::Sun),
];

/// Parses a weekday name, short or long, in any case.
fn parse_weekday(s: &str) -> Option<Weekday> {
    WEEKDAY_NAMES
        .iter()
        .find(|(short, long, _)| s.eq_ignore_ascii_case(short) || s.eq_ignore_ascii_case(long))
        .map(|&(_, _, day)| day)
}

/// The short lowercase name of a weekday.
fn weekday_name(day: Weekday) -> &'static str {
    WEEKDAY_NAMES[day.num_days_from_monday() as usize].0
}

/// Parses a date, `YYYY-MM-DD`, or a range, `YYYY-MM-DD..YYYY-MM-DD`.
fn parse_dates(s: &str) -> Result<(NaiveDate, NaiveDate), ParseErrorKind> {
    let date = |s: &str| NaiveDate::from_str(s).map_err(|_| ParseErrorKind::InvalidDate);
    let (first, last) = match s.split_once("..") {
        Some((first, last)) => (date(first)?, date(last)?),
        None => {
            let d = date(s)?;
            (d, d)
        }
    };
    check_range(first, last).map_err(|e| match e {
        CalendarError::RangeTooLong { max, .. } => ParseErrorKind::RangeTooLong { max },
        _ => ParseErrorKind::ReversedRange,
    })?;
    Ok((first, last))
}

impl WorkingCalendar {
    /// Parses a calendar from the text format.
    ///
    /// One entry per line; blank lines and lines starting with `#` are
    /// ignored, and words are separated by any whitespace:
    ///
    /// | line | meaning |
    /// |---|---|
    /// | `timezone +08:00` | the UTC offset of the civil dates, `±HH:MM` or `±HH:MM:SS`; at most once, default `+08:00` |
    /// | `weekend sat sun` | the weekend weekdays (`mon` … `sun` or full names, any case), or `weekend none`; at most once, default `sat sun` |
    /// | `holiday 2025-01-01 New Year's Day` | a public holiday and its name (the rest of the line, required) |
    /// | `holiday 2025-01-28..2025-02-04 Spring Festival` | a range of holidays, both ends included, at most [`MAX_RANGE_DAYS`](super::MAX_RANGE_DAYS) days |
    /// | `workday 2025-01-26 Spring Festival make-up day` | a make-up working day (or a range), the name optional |
    ///
    /// `#` only starts a comment at the start of a line: in a name it is
    /// text. [`to_text`](Self::to_text) writes the same format back, so
    /// `parse(&cal.to_text()) == Ok(cal)`.
    ///
    /// ```
    /// use chrono::{NaiveDate, Weekday};
    /// use grassroots::calendar::{CalendarError, ParseErrorKind, WorkingCalendar};
    ///
    /// let cal = WorkingCalendar::parse(
    ///     "# a six-day week\nweekend sun\nholiday 2025-05-01 Labour Day\n",
    /// )?;
    /// assert_eq!(cal.weekend().collect::<Vec<_>>(), [Weekday::Sun]);
    /// assert_eq!(cal.offset().local_minus_utc(), 8 * 3600);
    /// assert_eq!(WorkingCalendar::parse(&cal.to_text())?, cal);
    ///
    /// let bad = WorkingCalendar::parse("weekend sat sun\nholiday 2025-02-30 ?");
    /// assert_eq!(
    ///     bad,
    ///     Err(CalendarError::Parse { line: 2, reason: ParseErrorKind::InvalidDate })
    /// );
    /// # Ok::<(), CalendarError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`CalendarError::Parse`] with the 1-based number of the first bad
    /// line and a [`ParseErrorKind`] saying what is wrong with it: an
    /// unknown directive, a missing or extra argument, a repeated
    /// `timezone` or `weekend`, a bad offset, weekday, date or range, a bad
    /// name, or a date that is already a holiday or make-up working day.
    pub fn parse(text: &str) -> Result<Self, CalendarError> {
        let mut cal = WorkingCalendar::new();
        let mut seen_timezone = false;
        let mut seen_weekend = false;
        for (index, line) in text.lines().enumerate() {
            cal.parse_line(line, &mut seen_timezone, &mut seen_weekend)
                .map_err(|reason| CalendarError::Parse {
                    line: index + 1,
                    reason,
                })?;
        }
        Ok(cal)
    }

    fn parse_line(
        &mut self,
        line: &str,
        seen_timezone: &mut bool,
        seen_weekend: &mut bool,
    ) -> Result<(), ParseErrorKind> {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(());
        }
        let (word, rest) = split_word(line);
        let directive = match word {
            "timezone" => Directive::Timezone,
            "weekend" => Directive::Weekend,
            "holiday" => Directive::Holiday,
            "workday" => Directive::Workday,
            _ => return Err(ParseErrorKind::UnknownDirective),
        };
        if rest.is_empty() {
            return Err(ParseErrorKind::MissingArgument { directive });
        }
        let once = |seen: &mut bool| {
            if std::mem::replace(seen, true) {
                Err(ParseErrorKind::RepeatedDirective { directive })
            } else {
                Ok(())
            }
        };
        match directive {
            Directive::Timezone => {
                once(seen_timezone)?;
                let (offset, extra) = split_word(rest);
                if !extra.is_empty() {
                    return Err(ParseErrorKind::UnexpectedArgument { directive });
                }
                self.offset = parse_offset(offset).ok_or(ParseErrorKind::InvalidOffset)?;
            }
            Directive::Weekend => {
                once(seen_weekend)?;
                self.changed();
                self.weekend = if rest.eq_ignore_ascii_case("none") {
                    WeekdaySet::default()
                } else {
                    let mut set = WeekdaySet::default();
                    for word in rest.split_whitespace() {
                        let day = parse_weekday(word).ok_or(ParseErrorKind::InvalidWeekday)?;
                        set.0 |= 1 << day.num_days_from_monday();
                    }
                    set
                };
            }
            Directive::Holiday | Directive::Workday => {
                let (dates, name) = split_word(rest);
                let (first, last) = parse_dates(dates)?;
                let holiday = directive == Directive::Holiday;
                let name = check_name(name, holiday).map_err(ParseErrorKind::InvalidName)?;
                let special = match name {
                    Some(name) if holiday => Special::Holiday(name),
                    name => Special::Workday(name),
                };
                self.insert_range(first, last, &special).map_err(
                    |(date, conflict)| match conflict {
                        Conflict::HolidayIsWorkday => ParseErrorKind::HolidayIsWorkday { date },
                        Conflict::Duplicate => ParseErrorKind::DuplicateDate { date },
                    },
                )?;
            }
        }
        Ok(())
    }

    /// Writes the calendar in the text format [`parse`](Self::parse) reads:
    /// the `timezone` and `weekend` lines, then one line per run of
    /// consecutive holidays (or make-up days) sharing a name, in date order.
    ///
    /// Comments in parsed text are not kept; everything else round-trips.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use grassroots::calendar::{CalendarError, WorkingCalendar};
    ///
    /// let date = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    /// let cal = WorkingCalendar::new()
    ///     .try_with_holiday_range(date(5, 1), date(5, 5), "Labour Day")?
    ///     .try_with_named_workday(date(4, 27), "Labour Day make-up day")?;
    /// assert_eq!(
    ///     cal.to_text(),
    ///     "timezone +08:00\n\
    ///      weekend sat sun\n\
    ///      workday 2025-04-27 Labour Day make-up day\n\
    ///      holiday 2025-05-01..2025-05-05 Labour Day\n"
    /// );
    /// # Ok::<(), CalendarError>(())
    /// ```
    pub fn to_text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for WorkingCalendar {
    /// Writes the text format; see [`WorkingCalendar::to_text`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("timezone ")?;
        write_offset(f, self.offset)?;
        f.write_str("\nweekend")?;
        if self.weekend.iter().next().is_none() {
            f.write_str(" none")?;
        }
        for day in self.weekend.iter() {
            write!(f, " {}", weekday_name(day))?;
        }
        f.write_str("\n")?;

        let mut entries = self.days.iter().peekable();
        while let Some((&first, special)) = entries.next() {
            let mut last = first;
            let mut len = 1;
            while let Some(&(&next, next_special)) = entries.peek() {
                if next_special != special
                    || last.succ_opt() != Some(next)
                    || len >= super::MAX_RANGE_DAYS
                {
                    break;
                }
                last = next;
                len += 1;
                entries.next();
            }
            let (directive, name) = match special {
                Special::Holiday(name) => (Directive::Holiday, Some(&**name)),
                Special::Workday(name) => (Directive::Workday, name.as_deref()),
            };
            write!(f, "{directive} {first}")?;
            if last != first {
                write!(f, "..{last}")?;
            }
            if let Some(name) = name {
                write!(f, " {name}")?;
            }
            f.write_str("\n")?;
        }
        Ok(())
    }
}

impl FromStr for WorkingCalendar {
    type Err = CalendarError;

    /// Parses the text format; see [`WorkingCalendar::parse`].
    fn from_str(s: &str) -> Result<Self, CalendarError> {
        WorkingCalendar::parse(s)
    }
}

impl TryFrom<&str> for WorkingCalendar {
    type Error = CalendarError;

    fn try_from(s: &str) -> Result<Self, CalendarError> {
        WorkingCalendar::parse(s)
    }
}

impl TryFrom<String> for WorkingCalendar {
    type Error = CalendarError;

    fn try_from(s: String) -> Result<Self, CalendarError> {
        WorkingCalendar::parse(&s)
    }
}

/// Serialises as the text format, one string.
impl Serialize for WorkingCalendar {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::NameProblem;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn parse_err(text: &str) -> (usize, ParseErrorKind) {
        match WorkingCalendar::parse(text) {
            Err(CalendarError::Parse { line, reason }) => (line, reason),
            other => panic!("expected a parse error for {text:?}, got {other:?}"),
        }
    }

    const SAMPLE: &str = "\
# PRC 2025, per 国办发明电〔2024〕12号
timezone +08:00
weekend sat sun

holiday 2025-01-01 New Year's Day
holiday 2025-01-28..2025-02-04 Spring Festival
workday 2025-01-26 Spring Festival make-up day
";

    #[test]
    fn the_documented_example_parses() {
        let cal = WorkingCalendar::parse(SAMPLE).unwrap();
        assert_eq!(cal.holidays().count(), 9);
        assert_eq!(cal.holiday_name(d(2025, 2, 4)), Some("Spring Festival"));
        assert_eq!(
            cal.makeup_workdays().collect::<Vec<_>>(),
            [(d(2025, 1, 26), Some("Spring Festival make-up day"))]
        );
        assert_eq!(SAMPLE.parse::<WorkingCalendar>(), Ok(cal));
    }

    #[test]
    fn the_text_written_is_the_text_read() {
        let cal = WorkingCalendar::parse(SAMPLE).unwrap();
        let text = cal.to_text();
        assert_eq!(
            text,
            "timezone +08:00\n\
             weekend sat sun\n\
             holiday 2025-01-01 New Year's Day\n\
             workday 2025-01-26 Spring Festival make-up day\n\
             holiday 2025-01-28..2025-02-04 Spring Festival\n"
        );
        assert_eq!(WorkingCalendar::parse(&text), Ok(cal));
    }

    #[test]
    fn blank_lines_comments_crlf_and_extra_spaces_are_accepted() {
        let cal = WorkingCalendar::parse(
            "\r\n   # comment\r\n\ttimezone\t-05:30 \r\nweekend   FRI  Saturday\r\n\
             holiday  2025-03-01   Name  with # inside \r\nworkday 2025-03-08\r\n",
        )
        .unwrap();
        assert_eq!(
            cal.offset(),
            FixedOffset::west_opt(5 * 3600 + 1800).unwrap()
        );
        assert_eq!(
            cal.weekend().collect::<Vec<_>>(),
            [Weekday::Fri, Weekday::Sat]
        );
        assert_eq!(cal.holiday_name(d(2025, 3, 1)), Some("Name  with # inside"));
        assert_eq!(
            cal.makeup_workdays().collect::<Vec<_>>(),
            [(d(2025, 3, 8), None)]
        );
        assert_eq!(WorkingCalendar::parse(""), Ok(WorkingCalendar::new()));
    }

    #[test]
    fn offsets_with_seconds_and_empty_weekends_round_trip() {
        let cal = WorkingCalendar::new()
            .with_offset(FixedOffset::west_opt(3600 + 62).unwrap())
            .with_weekend(&[]);
        let text = cal.to_text();
        assert_eq!(text, "timezone -01:01:02\nweekend none\n");
        assert_eq!(WorkingCalendar::parse(&text), Ok(cal));
        let utc = WorkingCalendar::new().with_offset(FixedOffset::east_opt(0).unwrap());
        assert!(utc.to_text().starts_with("timezone +00:00\n"));
    }

    #[test]
    fn long_runs_are_split_at_the_range_limit() {
        let mut cal = WorkingCalendar::new();
        for year in [2024, 2025] {
            cal = cal
                .try_with_holiday_range(d(year, 1, 1), d(year, 12, 31), "sabbatical")
                .unwrap();
        }
        let text = cal.to_text();
        assert!(
            text.contains("holiday 2024-01-01..2024-12-31 sabbatical\n"),
            "{text}"
        );
        assert!(
            text.contains("holiday 2025-01-01..2025-12-31 sabbatical\n"),
            "{text}"
        );
        assert_eq!(WorkingCalendar::parse(&text), Ok(cal));
    }

    #[test]
    fn a_bad_line_is_refused_with_its_number_and_reason() {
        use ParseErrorKind as K;
        let cases: &[(&str, usize, ParseErrorKind)] = &[
            ("holidays 2025-01-01 x", 1, K::UnknownDirective),
            ("# ok\n\nHoliday 2025-01-01 x", 3, K::UnknownDirective),
            (
                "timezone",
                1,
                K::MissingArgument {
                    directive: Directive::Timezone,
                },
            ),
            (
                "weekend sat\nholiday",
                2,
                K::MissingArgument {
                    directive: Directive::Holiday,
                },
            ),
            (
                "timezone +08:00 UTC",
                1,
                K::UnexpectedArgument {
                    directive: Directive::Timezone,
                },
            ),
            (
                "timezone +08:00\ntimezone +08:00",
                2,
                K::RepeatedDirective {
                    directive: Directive::Timezone,
                },
            ),
            (
                "weekend sat\nweekend sun",
                2,
                K::RepeatedDirective {
                    directive: Directive::Weekend,
                },
            ),
            ("timezone 08:00", 1, K::InvalidOffset),
            ("timezone +24:00", 1, K::InvalidOffset),
            ("timezone +8:00", 1, K::InvalidOffset),
            ("timezone +08", 1, K::InvalidOffset),
            ("timezone +08:00:00:00", 1, K::InvalidOffset),
            ("timezone +08:60", 1, K::InvalidOffset),
            ("timezone +", 1, K::InvalidOffset),
            ("timezone +０８:00", 1, K::InvalidOffset),
            ("weekend sat sunday funday", 1, K::InvalidWeekday),
            ("weekend none sat", 1, K::InvalidWeekday),
            ("holiday 2025-02-29 x", 1, K::InvalidDate),
            ("holiday 2025/01/01 x", 1, K::InvalidDate),
            ("holiday 2025-01-01.. x", 1, K::InvalidDate),
            ("holiday 2025-01-01...2025-01-02 x", 1, K::InvalidDate),
            ("workday New Year", 1, K::InvalidDate),
            ("holiday 2025-02-04..2025-01-28 x", 1, K::ReversedRange),
            (
                "holiday 2025-01-01..2026-01-02 x",
                1,
                K::RangeTooLong { max: 366 },
            ),
            ("holiday 2025-01-01", 1, K::InvalidName(NameProblem::Empty)),
            (
                "holiday 2025-01-01 New\u{7}Year",
                1,
                K::InvalidName(NameProblem::ControlCharacter { at: 3 }),
            ),
            (
                "workday 2025-01-26\nholiday 2025-01-25..2025-01-27 x",
                2,
                K::HolidayIsWorkday {
                    date: d(2025, 1, 26),
                },
            ),
            (
                "holiday 2025-01-28..2025-02-04 x\nworkday 2025-02-01",
                2,
                K::HolidayIsWorkday {
                    date: d(2025, 2, 1),
                },
            ),
            (
                "holiday 2025-01-01 x\n# again\nholiday 2024-12-31..2025-01-01 y",
                3,
                K::DuplicateDate {
                    date: d(2025, 1, 1),
                },
            ),
        ];
        for (text, line, reason) in cases {
            assert_eq!(parse_err(text), (*line, *reason), "{text:?}");
        }
    }

    #[test]
    fn a_calendar_serialises_as_its_text() {
        let cal = WorkingCalendar::parse(SAMPLE).unwrap();
        let json = serde_json::to_string(&cal).unwrap();
        assert_eq!(json, serde_json::to_string(&cal.to_text()).unwrap());
        assert_eq!(serde_json::from_str::<WorkingCalendar>(&json).unwrap(), cal);
    }

    #[test]
    fn deserialising_refuses_what_parsing_refuses() {
        let json = r#""weekend sat sun\nholiday 2025-01-26 x\nworkday 2025-01-26""#;
        let err = serde_json::from_str::<WorkingCalendar>(json).unwrap_err();
        let expected = CalendarError::Parse {
            line: 3,
            reason: ParseErrorKind::HolidayIsWorkday {
                date: d(2025, 1, 26),
            },
        };
        assert!(err.to_string().starts_with(&expected.to_string()), "{err}");
        assert!(serde_json::from_str::<WorkingCalendar>("42").is_err());
    }
}
