//! Counting working days and computing deadlines.
//!
//! The weekday rule alone repeats every week, so between two special dates
//! (holidays and make-up working days) whole weeks are counted arithmetically
//! and at most six single days are looked at. The `n`th working day after a
//! date within the years the calendar lists special dates in is read from
//! the calendar's table of those years' working days (`table.rs`, built on
//! first use); outside them only the weekday rule applies. A calendar whose
//! special dates spread too wide for a table, and
//! [`count_working_days`](WorkingCalendar::count_working_days), walk the
//! special dates between the ends once, through the calendar's ordered map.
//! No call allocates (but the first, which builds the table).

use std::ops::Bound::{Excluded, Included, Unbounded};

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeDelta, Utc};

use super::table::Found;
use super::{CalendarError, Special, TimeLimit, WorkingCalendar};

/// Why a count could not be finished; turned into a [`CalendarError`] with
/// the start date and the limit by the public methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shortfall {
    /// The answer lies beyond chrono's date range.
    OutOfRange,
    /// Every weekday is a weekend day and the make-up days ran out.
    NoWorkingDays,
}

impl Shortfall {
    fn at(self, from: NaiveDate, limit: TimeLimit) -> CalendarError {
        match self {
            Shortfall::OutOfRange => CalendarError::OutOfRange { from, limit },
            Shortfall::NoWorkingDays => CalendarError::NoWorkingDays { from, limit },
        }
    }
}

impl WorkingCalendar {
    /// Whether the weekday rule alone makes the day `offset` days after a
    /// day with weekday index `base` (days from Monday) a working day.
    pub(super) fn is_regular(&self, base: u32, offset: u64) -> bool {
        // `offset % 7` is below 7, so the cast cannot truncate.
        !self.weekend.contains_index(base + (offset % 7) as u32)
    }

    /// Working days by the weekday rule alone among the `len` days after
    /// `after` (that is, in `(after, after + len]`).
    pub(super) fn regular_in(&self, after: NaiveDate, len: u64) -> u64 {
        let base = after.weekday().num_days_from_monday();
        let per_week = u64::from(self.weekend.complement_len());
        let tail = (1..=len % 7).filter(|&k| self.is_regular(base, k)).count() as u64;
        len / 7 * per_week + tail
    }

    /// The `nth` (at least 1) working day after `after` by the weekday rule
    /// alone.
    fn nth_regular(&self, after: NaiveDate, nth: u64) -> Result<NaiveDate, Shortfall> {
        let per_week = u64::from(self.weekend.complement_len());
        if per_week == 0 {
            return Err(Shortfall::NoWorkingDays);
        }
        let weeks = (nth - 1) / per_week;
        let mut left = nth - weeks * per_week; // 1..=per_week
        let base = after.weekday().num_days_from_monday();
        let mut offset = 0;
        for k in 1..=7 {
            if self.is_regular(base, k) {
                left -= 1;
                if left == 0 {
                    offset = k;
                    break;
                }
            }
        }
        weeks
            .checked_mul(7)
            .and_then(|days| days.checked_add(offset))
            .and_then(|days| after.checked_add_days(Days::new(days)))
            .ok_or(Shortfall::OutOfRange)
    }

    /// The `n`th working day after `date` (`date` itself for `n = 0`):
    /// through the calendar's table of working days (two array reads)
    /// where it has one, by walking its special dates where it has not.
    fn nth_working_day(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, Shortfall> {
        let n = u64::from(n);
        if n == 0 {
            return Ok(date);
        }
        match self.table() {
            Some(table) => match table.nth_after(self, date, n) {
                Found::Day(day) => Ok(day),
                Found::Regular { after, left } => self.nth_regular(after, left),
            },
            None => self.walk_special_dates(date, n),
        }
    }

    /// The `n`th (at least 1) working day after `date`, walking the
    /// special dates after it: for a calendar with no table, and the
    /// reference the table is tested against.
    fn walk_special_dates(&self, date: NaiveDate, n: u64) -> Result<NaiveDate, Shortfall> {
        let mut left = n;
        let mut cursor = date;
        for (&special_date, special) in self.days.range((Excluded(date), Unbounded)) {
            // Days strictly between the cursor and the special date follow
            // the weekday rule.
            let gap = special_date.signed_duration_since(cursor).num_days() - 1;
            let regular = self.regular_in(cursor, gap.unsigned_abs());
            if left <= regular {
                return self.nth_regular(cursor, left);
            }
            left -= regular;
            if let Special::Workday(_) = special {
                left -= 1;
                if left == 0 {
                    return Ok(special_date);
                }
            }
            cursor = special_date;
        }
        self.nth_regular(cursor, left)
    }

    /// The `n`th working day after `date`; `date` itself when `n` is 0.
    ///
    /// `date` itself is never counted, whether or not it is a working day
    /// (the day a period starts is not counted). For `n ≥ 1` the result is
    /// always a working day, and
    /// [`count_working_days`](Self::count_working_days)`(date, result) == n`.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use grassroots::calendar::{CalendarError, WorkingCalendar};
    ///
    /// let date = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    /// let cal = WorkingCalendar::new();
    /// // From Friday 7 March: Mon 10 is the 1st working day, Fri 14 the 5th.
    /// assert_eq!(cal.add_working_days(date(3, 7), 1)?, date(3, 10));
    /// assert_eq!(cal.add_working_days(date(3, 7), 5)?, date(3, 14));
    /// // Counting from a Saturday: Monday is still the 1st.
    /// assert_eq!(cal.add_working_days(date(3, 8), 1)?, date(3, 10));
    /// assert_eq!(cal.add_working_days(date(3, 8), 0)?, date(3, 8));
    /// # Ok::<(), CalendarError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - [`CalendarError::OutOfRange`] if the result lies beyond the dates
    ///   chrono can represent;
    /// - [`CalendarError::NoWorkingDays`] if every weekday is a weekend day
    ///   and the calendar has fewer than `n` make-up working days after
    ///   `date`.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        self.nth_working_day(date, n)
            .map_err(|e| e.at(date, TimeLimit::WorkingDays(n)))
    }

    /// The first working day after `date`: `add_working_days(date, 1)`.
    ///
    /// # Errors
    ///
    /// As [`add_working_days`](Self::add_working_days).
    pub fn next_working_day(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        self.add_working_days(date, 1)
    }

    /// The number of working days in `(from, to]`: after `from`, up to and
    /// including `to`. It is 0 when `to` is not after `from`.
    ///
    /// This undoes [`add_working_days`](Self::add_working_days):
    /// `count_working_days(d, add_working_days(d, n)?) == n`.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use grassroots::calendar::WorkingCalendar;
    ///
    /// let date = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    /// let cal = WorkingCalendar::new();
    /// assert_eq!(cal.count_working_days(date(3, 7), date(3, 14)), 5);
    /// assert_eq!(cal.count_working_days(date(3, 7), date(3, 9)), 0);
    /// assert_eq!(cal.count_working_days(date(3, 14), date(3, 7)), 0);
    /// ```
    pub fn count_working_days(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let len = to.signed_duration_since(from).num_days();
        if len <= 0 {
            return 0;
        }
        let mut total = self.regular_in(from, len.unsigned_abs());
        for (&date, special) in self.days.range((Excluded(from), Included(to))) {
            let regular = !self.weekend.contains(date.weekday());
            match special {
                Special::Holiday(_) if regular => total -= 1,
                Special::Workday(_) if !regular => total += 1,
                _ => {}
            }
        }
        // Chrono's whole range holds fewer than 2^32 days, so this saturation
        // never happens; it is here so the conversion cannot panic.
        u32::try_from(total).unwrap_or(u32::MAX)
    }

    /// The civil date of `at` in the calendar's time zone — the day a
    /// working-day rule or a link's validity is judged on.
    ///
    /// ```
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// use grassroots::calendar::WorkingCalendar;
    ///
    /// // 20:00 UTC is already the next morning in Shenzhen (+08:00).
    /// let at = Utc.with_ymd_and_hms(2026, 3, 1, 20, 0, 0).unwrap();
    /// assert_eq!(WorkingCalendar::new().local_date(at)?, NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
    /// # Ok::<(), grassroots::calendar::CalendarError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`CalendarError::OutOfRange`] (with a limit of zero calendar days)
    /// when the local time lies beyond what chrono can represent.
    pub fn local_date(&self, at: DateTime<Utc>) -> Result<NaiveDate, CalendarError> {
        at.naive_utc()
            .checked_add_offset(self.offset)
            .map(|local| local.date())
            .ok_or(CalendarError::OutOfRange {
                from: at.date_naive(),
                limit: TimeLimit::CalendarDays(0),
            })
    }

    /// The instant a time limit that starts at `start` runs out.
    ///
    /// - [`TimeLimit::Hours`]`(h)`: `start + h` hours, calendar
    ///   notwithstanding.
    /// - [`TimeLimit::CalendarDays`]`(n)`: let `d` be the civil date of
    ///   `start` in the calendar's offset; the last day is `d + n` days, and
    ///   the deadline is 00:00 local time of the day after it, in UTC. A
    ///   last day that falls on a holiday is *not* moved.
    /// - [`TimeLimit::LegalDays`]`(n)`: as for calendar days, but a last
    ///   day that is not a working day moves to the first working day after
    ///   it (Civil Code art. 203; Civil Procedure Law art. 85).
    /// - [`TimeLimit::WorkingDays`]`(n)`: as for calendar days, with the
    ///   last day [`add_working_days`](Self::add_working_days)`(d, n)`.
    ///
    /// The start day is never counted; for `n = 0` the limit runs out when
    /// the start day ends. The deadline is always after `start` for a day
    /// limit, and never before it for an hour limit.
    ///
    /// ```
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// use grassroots::calendar::{CalendarError, TimeLimit, WorkingCalendar};
    ///
    /// let cal = WorkingCalendar::new(); // +08:00, Saturday and Sunday off
    /// // Friday 7 March 2025, 23:30 in Beijing (15:30 UTC).
    /// let start = Utc.with_ymd_and_hms(2025, 3, 7, 15, 30, 0).unwrap();
    ///
    /// // Two working days: Mon 10 and Tue 11; due at 00:00 on Wed 12 in
    /// // Beijing, which is 16:00 UTC on Tue 11.
    /// let due = cal.deadline(start, TimeLimit::WorkingDays(2))?;
    /// assert_eq!(due, Utc.with_ymd_and_hms(2025, 3, 11, 16, 0, 0).unwrap());
    ///
    /// // Two calendar days: Sat 8 and Sun 9.
    /// let due = cal.deadline(start, TimeLimit::CalendarDays(2))?;
    /// assert_eq!(due, Utc.with_ymd_and_hms(2025, 3, 9, 16, 0, 0).unwrap());
    ///
    /// // 24 hours are 24 hours.
    /// let due = cal.deadline(start, TimeLimit::Hours(24))?;
    /// assert_eq!(due, Utc.with_ymd_and_hms(2025, 3, 8, 15, 30, 0).unwrap());
    /// # Ok::<(), CalendarError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - [`CalendarError::OutOfRange`] if the deadline lies beyond the
    ///   instants chrono can represent;
    /// - [`CalendarError::NoWorkingDays`] for a working-day limit, as for
    ///   [`add_working_days`](Self::add_working_days).
    pub fn deadline(
        &self,
        start: DateTime<Utc>,
        limit: TimeLimit,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let out_of_range = |from| CalendarError::OutOfRange { from, limit };
        let (n, working, legal) = match limit {
            TimeLimit::Hours(h) => {
                return TimeDelta::try_hours(i64::from(h))
                    .and_then(|hours| start.checked_add_signed(hours))
                    .ok_or_else(|| out_of_range(start.date_naive()));
            }
            TimeLimit::CalendarDays(n) => (n, false, false),
            TimeLimit::LegalDays(n) => (n, false, true),
            TimeLimit::WorkingDays(n) => (n, true, false),
        };
        let first = start
            .naive_utc()
            .checked_add_offset(self.offset)
            .ok_or_else(|| out_of_range(start.date_naive()))?
            .date();
        let last = if working {
            self.nth_working_day(first, n)
                .map_err(|e| e.at(first, limit))?
        } else {
            first
                .checked_add_days(Days::new(u64::from(n)))
                .ok_or_else(|| out_of_range(first))?
        };
        // A legal period's last day on a rest day or holiday moves to the
        // first working day after it (Civil Code art. 203).
        let last = if legal && !self.is_working_day(last) {
            self.nth_working_day(last, 1)
                .map_err(|e| e.at(first, limit))?
        } else {
            last
        };
        last.succ_opt()
            .map(|next| next.and_time(NaiveTime::MIN))
            .and_then(|midnight| midnight.checked_sub_offset(self.offset))
            .map(|end| end.and_utc())
            .ok_or_else(|| out_of_range(first))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{FixedOffset, TimeZone, Weekday};

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// The 2025 Spring Festival excerpt of the PRC arrangement.
    fn spring_festival() -> WorkingCalendar {
        WorkingCalendar::new()
            .try_with_holiday_range(d(2025, 1, 28), d(2025, 2, 4), "Spring Festival")
            .unwrap()
            .try_with_workday(d(2025, 1, 26))
            .unwrap()
            .try_with_workday(d(2025, 2, 8))
            .unwrap()
    }

    /// Day-by-day reference implementation.
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

    #[test]
    fn the_start_day_is_not_counted() {
        let cal = WorkingCalendar::new();
        // Monday 3 March 2025: one working day later is Tuesday.
        assert_eq!(cal.add_working_days(d(2025, 3, 3), 1), Ok(d(2025, 3, 4)));
        assert_eq!(cal.count_working_days(d(2025, 3, 3), d(2025, 3, 3)), 0);
        assert_eq!(cal.count_working_days(d(2025, 3, 3), d(2025, 3, 4)), 1);
    }

    #[test]
    fn zero_working_days_is_the_start_date_itself() {
        let cal = WorkingCalendar::new();
        assert_eq!(cal.add_working_days(d(2025, 3, 8), 0), Ok(d(2025, 3, 8)));
        assert_eq!(cal.add_working_days(NaiveDate::MAX, 0), Ok(NaiveDate::MAX));
    }

    #[test]
    fn weekends_and_holidays_are_skipped_and_makeup_days_count() {
        let cal = spring_festival();
        // From Friday 24 January: Sun 26 (make-up), Mon 27, then the holiday
        // to 4 February, then Wed 5.
        assert_eq!(cal.add_working_days(d(2025, 1, 24), 1), Ok(d(2025, 1, 26)));
        assert_eq!(cal.add_working_days(d(2025, 1, 24), 2), Ok(d(2025, 1, 27)));
        assert_eq!(cal.add_working_days(d(2025, 1, 24), 3), Ok(d(2025, 2, 5)));
        // Wed 5 .. Fri 7, then Sat 8 is a make-up day.
        assert_eq!(cal.add_working_days(d(2025, 2, 4), 4), Ok(d(2025, 2, 8)));
        assert_eq!(cal.add_working_days(d(2025, 2, 4), 5), Ok(d(2025, 2, 10)));
        assert_eq!(cal.next_working_day(d(2025, 1, 27)), Ok(d(2025, 2, 5)));
        assert_eq!(cal.count_working_days(d(2025, 1, 24), d(2025, 2, 10)), 7);
    }

    #[test]
    fn fast_counting_agrees_with_walking_day_by_day() {
        let cal = spring_festival()
            .try_with_holiday(d(2025, 1, 1), "New Year's Day")
            .unwrap()
            .try_with_holiday(d(2025, 1, 4), "a holiday on a Saturday")
            .unwrap()
            .try_with_workday(d(2025, 1, 8))
            .unwrap(); // a make-up day on a Wednesday changes nothing
        for start in d(2024, 12, 20).iter_days().take(70) {
            for n in 0..40 {
                let fast = cal.add_working_days(start, n).unwrap();
                assert_eq!(fast, slow_add(&cal, start, n), "{start} + {n}");
                assert_eq!(cal.count_working_days(start, fast), n, "{start} + {n}");
            }
        }
    }

    #[test]
    fn huge_limits_skip_whole_weeks_and_stop_at_the_end_of_time() {
        let cal = spring_festival();
        let start = d(2025, 1, 1);
        let far = cal.add_working_days(start, 1_000_000).unwrap();
        assert_eq!(cal.count_working_days(start, far), 1_000_000);
        assert!(cal.is_working_day(far));
        assert_eq!(
            cal.add_working_days(start, u32::MAX),
            Err(CalendarError::OutOfRange {
                from: start,
                limit: TimeLimit::WorkingDays(u32::MAX)
            })
        );
        assert_eq!(
            cal.add_working_days(NaiveDate::MAX, 1),
            Err(CalendarError::OutOfRange {
                from: NaiveDate::MAX,
                limit: TimeLimit::WorkingDays(1)
            })
        );
        let whole_range = cal.count_working_days(NaiveDate::MIN, NaiveDate::MAX);
        assert!(whole_range > 100_000_000);
    }

    /// Calendars to check the table against: the shipped PRC years, and
    /// seeded random special dates over a few years under several weekends
    /// (none, Sunday, Saturday and Sunday, all seven days).
    fn table_calendars() -> Vec<WorkingCalendar> {
        let mut calendars = vec![WorkingCalendar::prc(), spring_festival()];
        let weekends: [&[Weekday]; 4] = [
            &[],
            &[Weekday::Sun],
            &[Weekday::Sat, Weekday::Sun],
            &[
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Sat,
                Weekday::Sun,
            ],
        ];
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for weekend in weekends {
            let mut cal = WorkingCalendar::new().with_weekend(weekend);
            for date in d(2023, 3, 1).iter_days().take(3 * 365) {
                cal = match next() % 10 {
                    0 => cal.try_with_holiday(date, "a holiday").unwrap(),
                    1 => cal.try_with_workday(date).unwrap(),
                    _ => cal,
                };
            }
            calendars.push(cal);
        }
        calendars
    }

    #[test]
    fn the_table_of_working_days_finds_what_walking_the_special_dates_finds() {
        let ns: Vec<u32> = (0..=40)
            .chain([100, 250, 261, 262, 366, 730, 1_000, 100_000, u32::MAX])
            .collect();
        for cal in table_calendars() {
            let (start, end) = cal
                .table()
                .expect("special dates in a few years: a table")
                .edges();
            // From well before the table's first year to well after its last.
            let from = start - Days::new(400);
            let days = (end - start).num_days() + 800;
            for date in from.iter_days().take(days as usize) {
                for &n in &ns {
                    let walked = match n {
                        0 => Ok(date),
                        _ => cal.walk_special_dates(date, u64::from(n)),
                    };
                    assert_eq!(cal.nth_working_day(date, n), walked, "{date} + {n}");
                }
            }
            // Day by day too, where days are worked every week (walking day
            // by day past a seven-day weekend's last make-up day never ends).
            if cal.weekend.complement_len() == 0 {
                continue;
            }
            for date in from.iter_days().step_by(37).take(40) {
                for n in 0..30 {
                    let slow = slow_add(&cal, date, n);
                    assert_eq!(cal.add_working_days(date, n), Ok(slow), "{date} + {n}");
                }
            }
        }
    }

    #[test]
    fn a_calendar_changed_after_counting_counts_with_the_change() {
        let cal = spring_festival();
        // Counting builds the table.
        assert_eq!(cal.add_working_days(d(2025, 2, 4), 1), Ok(d(2025, 2, 5)));
        assert!(cal.table().is_some());
        let cal = cal.try_with_holiday(d(2025, 2, 5), "one more day").unwrap();
        assert_eq!(cal.add_working_days(d(2025, 2, 4), 1), Ok(d(2025, 2, 6)));
        let cal = spring_festival().try_with_workday(d(2025, 3, 8)).unwrap();
        assert_eq!(cal.add_working_days(d(2025, 3, 7), 1), Ok(d(2025, 3, 8)));
        // A weekend changed after counting.
        let cal = cal.with_weekend(&[Weekday::Sun]);
        assert_eq!(cal.add_working_days(d(2025, 3, 14), 1), Ok(d(2025, 3, 15)));
        assert_eq!(cal.add_working_days(d(2025, 3, 15), 1), Ok(d(2025, 3, 17)));
        // The merged PRC years count across both.
        let prc = WorkingCalendar::prc();
        assert_eq!(prc.add_working_days(d(2025, 12, 29), 3), Ok(d(2026, 1, 4)));
    }

    #[test]
    fn a_counted_calendar_equals_one_never_counted() {
        let counted = spring_festival();
        counted.add_working_days(d(2025, 1, 24), 3).unwrap();
        assert!(counted.table.get().is_some());
        let fresh = spring_festival();
        assert!(fresh.table.get().is_none());
        assert_eq!(counted, fresh);
        assert_eq!(counted.clone(), fresh);
    }

    #[test]
    fn special_dates_too_far_apart_for_a_table_are_walked() {
        let cal = WorkingCalendar::new()
            .try_with_holiday(d(2000, 1, 3), "early")
            .unwrap()
            .try_with_workday(d(2200, 1, 4))
            .unwrap();
        assert!(cal.table().is_none());
        for start in [d(1999, 12, 28), d(2000, 1, 1), d(2199, 12, 30)] {
            for n in 0..20 {
                assert_eq!(
                    cal.add_working_days(start, n),
                    Ok(slow_add(&cal, start, n)),
                    "{start} + {n}"
                );
            }
        }
    }

    #[test]
    fn a_calendar_with_no_working_weekdays_runs_out_of_makeup_days() {
        let all = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ];
        let cal = WorkingCalendar::new()
            .with_weekend(&all)
            .try_with_workday(d(2025, 1, 26))
            .unwrap();
        assert_eq!(cal.add_working_days(d(2025, 1, 1), 1), Ok(d(2025, 1, 26)));
        assert_eq!(
            cal.add_working_days(d(2025, 1, 1), 2),
            Err(CalendarError::NoWorkingDays {
                from: d(2025, 1, 1),
                limit: TimeLimit::WorkingDays(2)
            })
        );
        assert_eq!(cal.count_working_days(NaiveDate::MIN, NaiveDate::MAX), 1);
    }

    #[test]
    fn a_day_limit_ends_at_local_midnight_after_its_last_day() {
        let cal = spring_festival();
        // 27 January 2025, 09:00 in Beijing.
        let start = Utc.with_ymd_and_hms(2025, 1, 27, 1, 0, 0).unwrap();
        assert_eq!(
            cal.deadline(start, TimeLimit::WorkingDays(1)),
            Ok(Utc.with_ymd_and_hms(2025, 2, 5, 16, 0, 0).unwrap())
        );
        assert_eq!(
            cal.deadline(start, TimeLimit::CalendarDays(1)),
            Ok(Utc.with_ymd_and_hms(2025, 1, 28, 16, 0, 0).unwrap())
        );
        assert_eq!(
            cal.deadline(start, TimeLimit::WorkingDays(0)),
            Ok(Utc.with_ymd_and_hms(2025, 1, 27, 16, 0, 0).unwrap())
        );
    }

    #[test]
    fn the_start_date_is_the_local_date_in_the_calendars_offset() {
        // 20:00 UTC on Friday 7 March is already Saturday 8 March in Beijing.
        let start = Utc.with_ymd_and_hms(2025, 3, 7, 20, 0, 0).unwrap();
        let beijing = WorkingCalendar::new();
        let utc = WorkingCalendar::new().with_offset(FixedOffset::east_opt(0).unwrap());
        // Beijing: from Sat 8, the 1st working day is Mon 10; ends 16:00 UTC Mon 10.
        assert_eq!(
            beijing.deadline(start, TimeLimit::WorkingDays(1)),
            Ok(Utc.with_ymd_and_hms(2025, 3, 10, 16, 0, 0).unwrap())
        );
        // UTC: from Fri 7, the 1st working day is also Mon 10; ends at midnight.
        assert_eq!(
            utc.deadline(start, TimeLimit::WorkingDays(1)),
            Ok(Utc.with_ymd_and_hms(2025, 3, 11, 0, 0, 0).unwrap())
        );
        // A western offset.
        let new_york = WorkingCalendar::new().with_offset(FixedOffset::west_opt(5 * 3600).unwrap());
        assert_eq!(
            new_york.deadline(start, TimeLimit::CalendarDays(0)),
            Ok(Utc.with_ymd_and_hms(2025, 3, 8, 5, 0, 0).unwrap())
        );
    }

    #[test]
    fn an_hour_limit_ignores_the_calendar() {
        let cal = spring_festival();
        let start = Utc.with_ymd_and_hms(2025, 1, 27, 1, 0, 0).unwrap();
        assert_eq!(
            cal.deadline(start, TimeLimit::Hours(48)),
            Ok(Utc.with_ymd_and_hms(2025, 1, 29, 1, 0, 0).unwrap())
        );
        assert_eq!(cal.deadline(start, TimeLimit::Hours(0)), Ok(start));
    }

    #[test]
    fn deadlines_past_the_end_of_time_are_errors_not_panics() {
        let cal = WorkingCalendar::new();
        let end = DateTime::<Utc>::MAX_UTC;
        for limit in [
            TimeLimit::Hours(1),
            TimeLimit::Hours(u32::MAX),
            TimeLimit::CalendarDays(0),
            TimeLimit::CalendarDays(u32::MAX),
            TimeLimit::WorkingDays(0),
            TimeLimit::WorkingDays(u32::MAX),
        ] {
            assert!(
                matches!(
                    cal.deadline(end, limit),
                    Err(CalendarError::OutOfRange { .. })
                ),
                "{limit}"
            );
        }
        let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            cal.deadline(start, TimeLimit::CalendarDays(u32::MAX)),
            Err(CalendarError::OutOfRange {
                from: d(2025, 1, 1),
                limit: TimeLimit::CalendarDays(u32::MAX)
            })
        );
        let west = cal.with_offset(FixedOffset::west_opt(86_399).unwrap());
        assert!(
            west.deadline(DateTime::<Utc>::MIN_UTC, TimeLimit::WorkingDays(0))
                .is_err()
        );
    }
}
