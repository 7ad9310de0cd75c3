//! Properties of `grassroots::calendar`, driven through the public API only.

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, Utc, Weekday};
use grassroots::calendar::{
    CalendarError, Directive, NameProblem, ParseErrorKind, TimeLimit, WorkingCalendar,
};
use proptest::prelude::*;

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The first day the generated special days may fall on.
fn epoch() -> NaiveDate {
    d(2024, 1, 1)
}

fn weekend_of(mask: u8) -> Vec<Weekday> {
    WEEK.into_iter()
        .filter(|w| mask & (1 << w.num_days_from_monday()) != 0)
        .collect()
}

/// One generated holiday or make-up entry: a start (days after the epoch),
/// a length, whether it is a holiday, and a name.
type Entry = (u16, u8, bool, String);

fn entry() -> impl Strategy<Value = Entry> {
    (
        0u16..2200,
        prop_oneof![4 => Just(1u8), 1 => 1u8..12],
        any::<bool>(),
        prop_oneof![
            "[A-Za-z][A-Za-z0-9 '()#.-]{0,24}",
            "\\PC{0,12}",
            Just("春节 (Spring Festival)".to_owned()),
        ],
    )
}

/// Builds a calendar from generated parts, skipping entries the calendar
/// refuses (clashes, duplicates, empty holiday names).
fn build(offset_secs: i32, mask: u8, entries: &[Entry]) -> WorkingCalendar {
    let offset = FixedOffset::east_opt(offset_secs).unwrap();
    let mut cal = WorkingCalendar::new()
        .with_offset(offset)
        .with_weekend(&weekend_of(mask));
    for (start, len, holiday, name) in entries {
        let first = epoch() + Days::new(u64::from(*start));
        let last = first + Days::new(u64::from(*len) - 1);
        let next = if *holiday {
            cal.clone().try_with_holiday_range(first, last, name)
        } else {
            cal.clone().try_with_named_workday(first, name)
        };
        if let Ok(next) = next {
            cal = next;
        }
    }
    cal
}

/// An arbitrary calendar whose week has at least one working weekday.
fn calendar() -> impl Strategy<Value = WorkingCalendar> {
    (
        -86_399i32..=86_399,
        0u8..127,
        prop::collection::vec(entry(), 0..40),
    )
        .prop_map(|(offset, mask, entries)| build(offset, mask, &entries))
}

/// An arbitrary calendar, possibly with all seven weekdays off.
fn any_calendar() -> impl Strategy<Value = WorkingCalendar> {
    (
        -86_399i32..=86_399,
        0u8..128,
        prop::collection::vec(entry(), 0..40),
    )
        .prop_map(|(offset, mask, entries)| build(offset, mask, &entries))
}

/// A date around the generated special days.
fn date() -> impl Strategy<Value = NaiveDate> {
    (0u64..3000).prop_map(|k| d(2023, 6, 1) + Days::new(k))
}

/// Any date chrono can represent.
fn extreme_date() -> impl Strategy<Value = NaiveDate> {
    let span = NaiveDate::MAX
        .signed_duration_since(NaiveDate::MIN)
        .num_days()
        .unsigned_abs();
    (0..=span).prop_map(|k| NaiveDate::MIN + Days::new(k))
}

fn limit() -> impl Strategy<Value = TimeLimit> {
    let amount = prop_oneof![4 => 0u32..400, 1 => any::<u32>()];
    (0u8..3, amount).prop_map(|(kind, n)| match kind {
        0 => TimeLimit::CalendarDays(n),
        1 => TimeLimit::WorkingDays(n),
        _ => TimeLimit::Hours(n),
    })
}

/// Any instant chrono can represent.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let min = DateTime::<Utc>::MIN_UTC.timestamp();
    let max = DateTime::<Utc>::MAX_UTC.timestamp();
    prop_oneof![
        4 => (1_600_000_000i64..1_900_000_000).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap()),
        1 => (min..=max).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap()),
    ]
}

/// Reference: walk day by day.
fn slow_add(cal: &WorkingCalendar, mut date: NaiveDate, n: u32) -> NaiveDate {
    let mut left = n;
    while left > 0 {
        date = date.succ_opt().unwrap();
        if cal.is_working_day(date) {
            left -= 1;
        }
    }
    date
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn adding_working_days_never_lands_on_a_non_working_day(
        cal in calendar(), start in date(), n in 1u32..5000,
    ) {
        let end = cal.add_working_days(start, n).unwrap();
        prop_assert!(end > start);
        prop_assert!(cal.is_working_day(end), "{start} + {n} = {end}");
    }

    #[test]
    fn adding_working_days_agrees_with_walking_day_by_day(
        cal in calendar(), start in date(), n in 0u32..400,
    ) {
        prop_assert_eq!(cal.add_working_days(start, n).unwrap(), slow_add(&cal, start, n));
    }

    #[test]
    fn counting_back_what_was_added_gives_n(
        cal in calendar(), start in date(), n in prop_oneof![0u32..3000, any::<u32>()],
    ) {
        match cal.add_working_days(start, n) {
            Ok(end) => {
                prop_assert_eq!(cal.count_working_days(start, end), n);
                if n > 0 {
                    // `end` is the first date that reaches n.
                    let before = end.pred_opt().unwrap();
                    prop_assert_eq!(cal.count_working_days(start, before), n - 1);
                }
            }
            Err(CalendarError::OutOfRange { from, limit }) => {
                prop_assert_eq!(from, start);
                prop_assert_eq!(limit, TimeLimit::WorkingDays(n));
                // There really are fewer than n working days left.
                prop_assert!(cal.count_working_days(start, NaiveDate::MAX) < n);
            }
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }

    #[test]
    fn a_makeup_working_day_counts(
        cal in calendar(), from in date(), len in 1u64..60, pick in any::<prop::sample::Index>(),
    ) {
        let to = from + Days::new(len);
        let free_weekend_days: Vec<NaiveDate> = from
            .iter_days()
            .skip(1)
            .take_while(|x| *x <= to)
            .filter(|x| cal.is_weekend(x.weekday()) && cal.holiday_name(*x).is_none())
            .filter(|x| cal.makeup_workdays().all(|(m, _)| m != *x))
            .collect();
        prop_assume!(!free_weekend_days.is_empty());
        let makeup = free_weekend_days[pick.index(free_weekend_days.len())];
        prop_assert!(!cal.is_working_day(makeup));
        let worked = cal.clone().try_with_workday(makeup).unwrap();
        prop_assert!(worked.is_working_day(makeup));
        prop_assert_eq!(
            worked.count_working_days(from, to),
            cal.count_working_days(from, to) + 1
        );
        let before = makeup.pred_opt().unwrap();
        prop_assert_eq!(worked.add_working_days(before, 1), Ok(makeup));
    }

    #[test]
    fn counts_add_up_over_adjacent_spans(
        cal in any_calendar(), a in date(), b in date(), c in date(),
    ) {
        let mut v = [a, b, c];
        v.sort();
        let [a, b, c] = v;
        prop_assert_eq!(
            cal.count_working_days(a, b) + cal.count_working_days(b, c),
            cal.count_working_days(a, c)
        );
        prop_assert_eq!(cal.count_working_days(c, a), 0);
    }

    #[test]
    fn a_deadline_is_never_earlier_than_its_start(
        cal in any_calendar(), start in instant(), limit in limit(),
    ) {
        match cal.deadline(start, limit) {
            Ok(due) => {
                prop_assert!(due >= start);
                if !matches!(limit, TimeLimit::Hours(_)) {
                    prop_assert!(due > start);
                    // A day limit ends at local midnight.
                    let local = due.naive_utc().checked_add_offset(cal.offset()).unwrap();
                    prop_assert_eq!(local.time(), NaiveTime::MIN);
                }
            }
            Err(CalendarError::OutOfRange { limit: l, .. }
                | CalendarError::NoWorkingDays { limit: l, .. }) => prop_assert_eq!(l, limit),
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }

    #[test]
    fn a_working_day_deadline_ends_the_last_working_day(
        cal in calendar(), start in instant(), n in 0u32..400,
    ) {
        let Some(local) = start.naive_utc().checked_add_offset(cal.offset()) else {
            return Ok(());
        };
        let (Ok(due), Ok(last)) = (
            cal.deadline(start, TimeLimit::WorkingDays(n)),
            cal.add_working_days(local.date(), n),
        ) else {
            return Ok(());
        };
        let due_local = due.naive_utc().checked_add_offset(cal.offset()).unwrap();
        prop_assert_eq!(due_local.date(), last.succ_opt().unwrap());
        if n > 0 {
            prop_assert!(cal.is_working_day(last));
        }
    }

    #[test]
    fn counting_never_panics_anywhere_in_chronos_range(
        cal in any_calendar(), start in extreme_date(), end in extreme_date(), n in any::<u32>(),
    ) {
        let count = cal.count_working_days(start, end);
        prop_assert!(i64::from(count) <= end.signed_duration_since(start).num_days().max(0));
        if let Ok(end) = cal.add_working_days(start, n) {
            prop_assert_eq!(cal.count_working_days(start, end), n);
            prop_assert!(n == 0 || cal.is_working_day(end));
        }
    }

    #[test]
    fn text_round_trips(cal in any_calendar()) {
        let text = cal.to_text();
        prop_assert_eq!(WorkingCalendar::parse(&text), Ok(cal.clone()));
        prop_assert_eq!(text.parse::<WorkingCalendar>(), Ok(cal.clone()));
        let json = serde_json::to_string(&cal).unwrap();
        prop_assert_eq!(serde_json::from_str::<WorkingCalendar>(&json).unwrap(), cal);
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(text in "\\PC*(\n\\PC*){0,8}") {
        let _ = WorkingCalendar::parse(&text);
    }

    #[test]
    fn parsing_nearly_valid_lines_never_panics(
        lines in prop::collection::vec(
            (
                prop_oneof![
                    Just("timezone"), Just("weekend"), Just("holiday"), Just("workday"), Just("#"),
                ],
                "[-+0-9:. a-zA-Z]{0,30}",
            ),
            0..12,
        ),
    ) {
        let text: String = lines.iter().map(|(word, rest)| format!("{word} {rest}\n")).collect();
        if let Ok(cal) = WorkingCalendar::parse(&text) {
            prop_assert_eq!(WorkingCalendar::parse(&cal.to_text()), Ok(cal));
        }
    }
}

/// Bad calendars, each with the error it must produce.
fn bad_calendars() -> Vec<(&'static str, CalendarError)> {
    let parse = |line, reason| CalendarError::Parse { line, reason };
    vec![
        (
            "# PRC 2025\ntimezone +08:00\nweekend sat sun\nholiday 2025-01-26 Spring Festival\nworkday 2025-01-26 make-up day\n",
            parse(
                5,
                ParseErrorKind::HolidayIsWorkday {
                    date: d(2025, 1, 26),
                },
            ),
        ),
        (
            "workday 2025-01-26\n\nholiday 2025-01-28..2025-02-04 Spring Festival\nholiday 2025-01-20..2025-01-26 x\n",
            parse(
                4,
                ParseErrorKind::HolidayIsWorkday {
                    date: d(2025, 1, 26),
                },
            ),
        ),
        (
            "holiday 2025-01-01 New Year's Day\nholiday 2025-01-01 New Year's Day\n",
            parse(
                2,
                ParseErrorKind::DuplicateDate {
                    date: d(2025, 1, 1),
                },
            ),
        ),
        (
            "timezone +08:00\nholliday 2025-01-01 x\n",
            parse(2, ParseErrorKind::UnknownDirective),
        ),
        ("timezone +25:00\n", parse(1, ParseErrorKind::InvalidOffset)),
        (
            "\n\nweekend sat caturday\n",
            parse(3, ParseErrorKind::InvalidWeekday),
        ),
        (
            "holiday 2025-13-01 x\n",
            parse(1, ParseErrorKind::InvalidDate),
        ),
        (
            "holiday 2025-02-04..2025-01-28 x\n",
            parse(1, ParseErrorKind::ReversedRange),
        ),
        (
            "holiday 2025-01-01\n",
            parse(1, ParseErrorKind::InvalidName(NameProblem::Empty)),
        ),
        (
            "workday 2025-01-26 a\u{1b}b\n",
            parse(
                1,
                ParseErrorKind::InvalidName(NameProblem::ControlCharacter { at: 1 }),
            ),
        ),
        (
            "weekend sat sun\nweekend fri\n",
            parse(
                2,
                ParseErrorKind::RepeatedDirective {
                    directive: Directive::Weekend,
                },
            ),
        ),
        (
            "workday\n",
            parse(
                1,
                ParseErrorKind::MissingArgument {
                    directive: Directive::Workday,
                },
            ),
        ),
        (
            "holiday 0001-01-01..9999-12-31 forever\n",
            parse(1, ParseErrorKind::RangeTooLong { max: 366 }),
        ),
    ]
}

#[test]
fn bad_text_is_refused_on_construction_with_its_line_and_reason() {
    for (text, expected) in bad_calendars() {
        assert_eq!(
            WorkingCalendar::parse(text),
            Err(expected.clone()),
            "{text:?}"
        );
        assert_eq!(
            text.parse::<WorkingCalendar>(),
            Err(expected.clone()),
            "{text:?}"
        );
        assert_eq!(
            WorkingCalendar::try_from(text.to_owned()),
            Err(expected),
            "{text:?}"
        );
    }
}

#[test]
fn bad_text_is_refused_on_deserialisation_with_its_line_and_reason() {
    for (text, expected) in bad_calendars() {
        let json = serde_json::to_string(text).unwrap();
        let err = serde_json::from_str::<WorkingCalendar>(&json).unwrap_err();
        // serde_json appends its own position; the calendar's error comes first.
        assert!(
            err.to_string().starts_with(&expected.to_string()),
            "{text:?}: {err}"
        );
        let value = serde_json::Value::String(text.to_owned());
        assert!(
            serde_json::from_value::<WorkingCalendar>(value).is_err(),
            "{text:?}"
        );
    }
    // Not a string at all.
    for json in ["null", "7", "{}", "[\"weekend sat sun\"]"] {
        assert!(
            serde_json::from_str::<WorkingCalendar>(json).is_err(),
            "{json}"
        );
    }
}

#[test]
fn a_holiday_that_is_also_a_makeup_day_is_refused_by_the_builder() {
    let date = d(2025, 2, 8);
    let cal = WorkingCalendar::new().try_with_workday(date).unwrap();
    assert_eq!(
        cal.try_with_holiday(date, "Spring Festival"),
        Err(CalendarError::HolidayIsWorkday { date })
    );
    let cal = WorkingCalendar::new()
        .try_with_holiday_range(d(2025, 1, 28), d(2025, 2, 4), "Spring Festival")
        .unwrap();
    assert_eq!(
        cal.try_with_named_workday(d(2025, 1, 30), "make-up"),
        Err(CalendarError::HolidayIsWorkday {
            date: d(2025, 1, 30)
        })
    );
}

#[test]
fn the_shipped_prc_calendars_round_trip_through_json() {
    for cal in [
        WorkingCalendar::prc_2025(),
        WorkingCalendar::prc_2026(),
        WorkingCalendar::prc(),
    ] {
        let json = serde_json::to_string(&cal).unwrap();
        assert_eq!(serde_json::from_str::<WorkingCalendar>(&json).unwrap(), cal);
    }
}

/// Civil Code art. 203, Civil Procedure Law art. 85: a legal period whose
/// last day is a rest day or statutory holiday ends on the first working
/// day after it. Checked for every start day of 2025 and 2026 and every
/// length up to 60 days, against the shipped PRC holiday tables.
#[test]
fn a_legal_period_ending_on_a_holiday_ends_on_the_next_working_day() {
    use chrono::{Days, NaiveDate, NaiveTime};
    use grassroots::calendar::{TimeLimit, WorkingCalendar};
    let cal = WorkingCalendar::prc();
    let offset = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let mut moved = 0;
    let mut day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    while day <= NaiveDate::from_ymd_opt(2026, 12, 31).unwrap() {
        // 10:00 in Beijing.
        let start = day
            .and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap())
            .and_local_timezone(offset)
            .unwrap()
            .to_utc();
        for n in 1..=60u32 {
            let due = cal.deadline(start, TimeLimit::LegalDays(n)).unwrap();
            // The deadline is the midnight after the period's last day.
            let last = due.with_timezone(&offset).date_naive().pred_opt().unwrap();
            let nominal = day.checked_add_days(Days::new(u64::from(n))).unwrap();
            assert!(last >= nominal, "{day} + {n}: ends {last} before {nominal}");
            assert!(
                cal.is_working_day(last),
                "{day} + {n}: ends on a rest day {last}"
            );
            // Every day it was moved over is a rest day or holiday.
            let mut d = nominal;
            while d < last {
                assert!(
                    !cal.is_working_day(d),
                    "{day} + {n}: moved past working day {d}"
                );
                d = d.succ_opt().unwrap();
            }
            moved += usize::from(last != nominal);
            // A plain calendar-day limit is never moved.
            let plain = cal.deadline(start, TimeLimit::CalendarDays(n)).unwrap();
            assert_eq!(
                plain
                    .with_timezone(&offset)
                    .date_naive()
                    .pred_opt()
                    .unwrap(),
                nominal
            );
        }
        day = day.succ_opt().unwrap();
    }
    // Weekends alone move about two sevenths of all periods.
    assert!(moved > 730 * 60 / 4, "only {moved} periods moved");
}

/// People's Mediation Law art. 33 with Civil Code art. 203: an agreement
/// that took effect on 1 September 2025 has a confirmation window whose
/// 30th day, 1 October, is National Day; the window runs to the first
/// working day after the holiday, Thursday 9 October.
#[test]
fn the_confirmation_window_runs_past_national_day() {
    use chrono::TimeZone;
    use grassroots::calendar::{TimeLimit, WorkingCalendar};
    let cal = WorkingCalendar::prc();
    let took_effect = chrono::Utc.with_ymd_and_hms(2025, 9, 1, 2, 0, 0).unwrap();
    let due = cal.deadline(took_effect, TimeLimit::LegalDays(30)).unwrap();
    // Midnight at the end of 9 October in Beijing.
    assert_eq!(
        due,
        chrono::Utc.with_ymd_and_hms(2025, 10, 9, 16, 0, 0).unwrap()
    );
}
