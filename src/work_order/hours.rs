//! [`WorkingHours`]: the daily window in which sign-for limits run, on the
//! working days of a calendar.

use chrono::{DateTime, Days, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::error::WorkOrderConfigError;
use crate::calendar::{CalendarError, TimeLimit, WorkingCalendar};

/// The most days a working-hours deadline is looked for in: ten years.
const MAX_DAYS: u32 = 3660;

/// The daily working hours, in the calendar's local time, on its working
/// days: a limit "in working hours" counts only time inside them.
///
/// ```
/// use chrono::{NaiveTime, TimeZone, Utc};
/// use grassroots::calendar::WorkingCalendar;
/// use grassroots::work_order::WorkingHours;
///
/// let hours = WorkingHours::default(); // 09:00 to 18:00
/// let cal = WorkingCalendar::prc();
/// // Friday 6 March 2026, 17:00 in Shenzhen: one hour left that day, the
/// // second runs on Monday from 09:00.
/// let friday = Utc.with_ymd_and_hms(2026, 3, 6, 9, 0, 0).unwrap();
/// let due = hours.deadline(&cal, friday, 2)?;
/// assert_eq!(due, Utc.with_ymd_and_hms(2026, 3, 9, 2, 0, 0).unwrap());
/// # Ok::<(), grassroots::calendar::CalendarError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingHours {
    opens: NaiveTime,
    closes: NaiveTime,
}

impl Default for WorkingHours {
    /// 09:00 to 18:00.
    fn default() -> Self {
        Self {
            opens: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
            closes: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or(NaiveTime::MIN),
        }
    }
}

impl WorkingHours {
    /// Working hours from `opens` to `closes`, local time.
    ///
    /// # Errors
    ///
    /// [`WorkOrderConfigError::HoursEmpty`] unless `opens` is before
    /// `closes`.
    pub fn new(opens: NaiveTime, closes: NaiveTime) -> Result<Self, WorkOrderConfigError> {
        if opens >= closes {
            return Err(WorkOrderConfigError::HoursEmpty { opens, closes });
        }
        Ok(Self { opens, closes })
    }

    /// When the hours open, local time.
    pub fn opens(&self) -> NaiveTime {
        self.opens
    }

    /// When they close, local time.
    pub fn closes(&self) -> NaiveTime {
        self.closes
    }

    /// The instant `hours` working hours after `start`: time outside the
    /// window and on rest days does not count. A start outside the window
    /// counts from the next opening.
    ///
    /// # Errors
    ///
    /// [`CalendarError::OutOfRange`] when the deadline would lie beyond
    /// ten years or the representable range.
    pub fn deadline(
        &self,
        calendar: &WorkingCalendar,
        start: DateTime<Utc>,
        hours: u32,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let limit = TimeLimit::Hours(hours);
        let out_of_range = || CalendarError::OutOfRange {
            from: start.date_naive(),
            limit,
        };
        let offset = calendar.offset();
        let mut local = start
            .naive_utc()
            .checked_add_offset(offset)
            .ok_or_else(out_of_range)?;
        let mut remaining = TimeDelta::hours(i64::from(hours));
        for _ in 0..MAX_DAYS {
            let date = local.date();
            if calendar.is_working_day(date) {
                let from = local.max(date.and_time(self.opens));
                let close = date.and_time(self.closes);
                if from < close {
                    let left = close - from;
                    if remaining <= left {
                        let end = from + remaining;
                        return end
                            .checked_sub_offset(offset)
                            .map(|t| t.and_utc())
                            .ok_or_else(out_of_range);
                    }
                    remaining -= left;
                }
            }
            local = date
                .checked_add_days(Days::new(1))
                .ok_or_else(out_of_range)?
                .and_time(NaiveTime::MIN);
        }
        Err(out_of_range())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn cal() -> WorkingCalendar {
        WorkingCalendar::prc()
    }

    #[test]
    fn hours_inside_one_day_are_elapsed_time() {
        // Monday 2 March 2026, 10:00 in Shenzhen (02:00 UTC).
        let monday = Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap();
        let due = WorkingHours::default().deadline(&cal(), monday, 2).unwrap();
        assert_eq!(due, Utc.with_ymd_and_hms(2026, 3, 2, 4, 0, 0).unwrap());
    }

    #[test]
    fn nights_and_weekends_do_not_count() {
        // Saturday 7 March, noon: counts from Monday 09:00.
        let saturday = Utc.with_ymd_and_hms(2026, 3, 7, 4, 0, 0).unwrap();
        let due = WorkingHours::default()
            .deadline(&cal(), saturday, 10)
            .unwrap();
        // Nine hours on Monday, one on Tuesday: Tuesday 10:00 local.
        assert_eq!(due, Utc.with_ymd_and_hms(2026, 3, 10, 2, 0, 0).unwrap());
    }

    #[test]
    fn empty_hours_are_refused_and_huge_limits_are_errors_not_hangs() {
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        assert!(WorkingHours::new(nine, nine).is_err());
        let start = Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap();
        assert!(
            WorkingHours::default()
                .deadline(&cal(), start, u32::MAX)
                .is_err()
        );
        let end = DateTime::<Utc>::MAX_UTC;
        assert!(WorkingHours::default().deadline(&cal(), end, 1).is_err());
    }
}
