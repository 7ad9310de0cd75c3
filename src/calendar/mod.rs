//! Working calendars and time limits: when a service request or an
//! escalation tier is due.
//!
//! A [`WorkingCalendar`] says which civil dates are working days: it has a
//! UTC offset for its dates (default `+08:00`, China), a set of weekend
//! weekdays (default Saturday and Sunday), public holidays and make-up
//! working days (调休: a weekend day that is worked, as in the PRC holiday
//! arrangements). A [`TimeLimit`] is a number of calendar days, working days
//! or hours, and [`WorkingCalendar::deadline`] turns a start instant and a
//! limit into the instant the limit runs out.
//!
//! # Counting rule
//!
//! The day a period starts on is not counted (期间开始的当日不计入): a limit
//! of `n` days starting on date `d` ends when the `n`th day after `d` ends
//! (for working days, the `n`th working day after `d`).
//!
//! - [`WorkingCalendar::add_working_days`]`(d, n)` is the `n`th working day
//!   after `d`; `n = 0` gives `d` itself.
//! - [`WorkingCalendar::count_working_days`]`(from, to)` counts the working
//!   days in `(from, to]`, so `count(d, add(d, n)) == n`.
//! - [`WorkingCalendar::deadline`]`(start, limit)` is, for a day limit,
//!   00:00 local time of the day after the last day, in UTC; for an hour
//!   limit, `start` plus that many hours.
//!
//! None of these panic: dates beyond chrono's range give
//! [`CalendarError::OutOfRange`], and stretches without holidays or make-up
//! days are skipped a week at a time, so `u32::MAX` working days costs no
//! more than a handful. Within the years a calendar lists holidays or
//! make-up days in, the `n`th working day is read from a table of those
//! years' working days, which the calendar builds (its only allocation)
//! the first time it counts and drops when its days change.
//!
//! # Text format
//!
//! A calendar reads and writes a small line-based text format (see
//! [`WorkingCalendar::parse`]); it is also how a calendar is serialised with
//! serde. The PRC arrangements this crate ships are files in that format,
//! each citing its State Council notice: [`WorkingCalendar::prc_2025`],
//! [`WorkingCalendar::prc_2026`] and both together, [`WorkingCalendar::prc`].
//!
//! # Example
//!
//! ```
//! use chrono::{NaiveDate, TimeZone, Utc};
//! use grassroots::calendar::{CalendarError, TimeLimit, WorkingCalendar};
//!
//! let cal: WorkingCalendar = "
//!     ## PRC 2025, per 国办发明电〔2024〕12号 (excerpt)
//!     timezone +08:00
//!     weekend sat sun
//!     holiday 2025-01-28..2025-02-04 Spring Festival
//!     workday 2025-01-26 Spring Festival make-up day
//!     workday 2025-02-08 Spring Festival make-up day
//! "
//! .parse()?;
//!
//! let date = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
//! assert!(cal.is_working_day(date(1, 26))); // a Sunday, worked
//! assert!(!cal.is_working_day(date(1, 29))); // Spring Festival
//!
//! // Three working days from Friday 24 January: Sun 26, Mon 27, then the
//! // holiday is skipped and Wed 5 February is the third.
//! assert_eq!(cal.add_working_days(date(1, 24), 3)?, date(2, 5));
//! assert_eq!(cal.count_working_days(date(1, 24), date(2, 5)), 3);
//!
//! // Submitted at 10:00 Beijing time on 24 January, due when 5 February ends.
//! let submitted = Utc.with_ymd_and_hms(2025, 1, 24, 2, 0, 0).unwrap();
//! let due = cal.deadline(submitted, TimeLimit::WorkingDays(3))?;
//! assert_eq!(due, Utc.with_ymd_and_hms(2025, 2, 5, 16, 0, 0).unwrap());
//! # Ok::<(), CalendarError>(())
//! ```

mod count;
mod error;
mod format;
mod limit;
mod prc;
mod table;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use chrono::{Datelike, FixedOffset, NaiveDate, Weekday};
use serde::Deserialize;

pub use error::{CalendarError, Directive, NameProblem, ParseErrorKind};
pub use limit::TimeLimit;

/// The longest range of dates one `holiday` or `workday` entry may cover,
/// in days (a year, leap day included).
pub const MAX_RANGE_DAYS: u32 = 366;

/// The default offset of a calendar's civil dates: China Standard Time,
/// `+08:00`.
pub const CHINA_STANDARD_TIME: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("+08:00 is a valid offset"),
};

/// Which civil dates are working days: weekends, public holidays and
/// make-up working days, in one UTC offset.
///
/// Built with [`WorkingCalendar::new`] and the `with_` / `try_with_` methods,
/// or parsed from the text format with [`WorkingCalendar::parse`]. A date is
///
/// 1. a working day if it is listed as a make-up working day (调休上班);
/// 2. otherwise a day off if it is listed as a public holiday;
/// 3. otherwise a day off if its weekday is a weekend day, and a working day
///    if not.
///
/// No date is both a holiday and a make-up working day: that is refused with
/// [`CalendarError::HolidayIsWorkday`]. See the [module docs](self) for the
/// counting rule.
///
/// ```
/// use chrono::{NaiveDate, Weekday};
/// use grassroots::calendar::{CalendarError, DayKind, WorkingCalendar};
///
/// let date = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
/// let cal = WorkingCalendar::new()
///     .try_with_holiday(date(5, 1), "Labour Day")?
///     .try_with_named_workday(date(4, 27), "Labour Day make-up day")?;
/// assert_eq!(cal.day_kind(date(5, 1)), DayKind::Holiday);
/// assert_eq!(cal.day_kind(date(4, 27)), DayKind::MakeupWorkday);
/// assert_eq!(cal.day_kind(date(4, 26)), DayKind::Weekend);
/// assert_eq!(cal.next_working_day(date(4, 30))?, date(5, 2));
///
/// let clash = cal.try_with_workday(date(5, 1));
/// assert_eq!(clash, Err(CalendarError::HolidayIsWorkday { date: date(5, 1) }));
/// # Ok::<(), CalendarError>(())
/// ```
///
/// It serialises as its text (one string) and deserialises only through
/// [`WorkingCalendar::parse`], so serialised data cannot build a calendar
/// that fails validation.
#[derive(Clone, Deserialize)]
#[serde(try_from = "String")]
pub struct WorkingCalendar {
    offset: FixedOffset,
    weekend: WeekdaySet,
    days: BTreeMap<NaiveDate, Special>,
    /// The working days of the years with special dates, built on first
    /// use from `weekend` and `days` and dropped whenever they change
    /// (`WorkingCalendar::changed`).
    table: OnceLock<Option<table::WorkingDays>>,
}

/// Equal when the offset, the weekend and the special dates are: the
/// table is theirs to derive, built or not.
impl PartialEq for WorkingCalendar {
    fn eq(&self, other: &Self) -> bool {
        self.offset == other.offset && self.weekend == other.weekend && self.days == other.days
    }
}

impl Eq for WorkingCalendar {}

/// A date the weekday rule does not decide on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Special {
    /// A public holiday, with its name.
    Holiday(Box<str>),
    /// A make-up working day, with an optional name.
    Workday(Option<Box<str>>),
}

/// What kind of day a date is in a [`WorkingCalendar`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayKind {
    /// An ordinary working day: not a weekend day, not a holiday.
    Workday,
    /// A weekend day that is neither a holiday nor a make-up working day.
    Weekend,
    /// A public holiday (on a weekday or a weekend day).
    Holiday,
    /// A listed make-up working day (调休上班), usually a weekend day.
    MakeupWorkday,
}

impl DayKind {
    /// Whether a day of this kind is worked.
    pub const fn is_working(self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeupWorkday)
    }
}

/// A set of weekdays, one bit per day from Monday (bit 0) to Sunday (bit 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
struct WeekdaySet(u8);

impl WeekdaySet {
    const SAT_SUN: WeekdaySet = WeekdaySet(0b110_0000);

    fn from_slice(days: &[Weekday]) -> Self {
        WeekdaySet(
            days.iter()
                .fold(0, |bits, d| bits | 1 << d.num_days_from_monday()),
        )
    }

    /// Whether the weekday `index` days from Monday (taken modulo 7) is in
    /// the set.
    const fn contains_index(self, index: u32) -> bool {
        self.0 & (1 << (index % 7)) != 0
    }

    const fn contains(self, day: Weekday) -> bool {
        self.contains_index(day.num_days_from_monday())
    }

    /// How many weekdays are *not* in the set: working weekdays per week.
    const fn complement_len(self) -> u32 {
        7 - (self.0 & 0x7f).count_ones()
    }

    fn iter(self) -> impl Iterator<Item = Weekday> {
        (0u8..7)
            .filter(move |i| self.0 & (1 << i) != 0)
            .filter_map(|i| Weekday::try_from(i).ok())
    }
}

/// How inserting a special day failed; mapped to a [`CalendarError`] by the
/// builder and to a [`ParseErrorKind`] by the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conflict {
    HolidayIsWorkday,
    Duplicate,
}

/// Checks and trims the name of a holiday (`required`) or make-up day.
fn check_name(name: &str, required: bool) -> Result<Option<Box<str>>, NameProblem> {
    let name = name.trim();
    if let Some((at, _)) = name.char_indices().find(|(_, c)| c.is_control()) {
        return Err(NameProblem::ControlCharacter { at });
    }
    match (name.is_empty(), required) {
        (true, true) => Err(NameProblem::Empty),
        (true, false) => Ok(None),
        (false, _) => Ok(Some(name.into())),
    }
}

/// Checks a range and returns its length in days.
fn check_range(first: NaiveDate, last: NaiveDate) -> Result<u32, CalendarError> {
    let span = last.signed_duration_since(first).num_days();
    if span < 0 {
        return Err(CalendarError::ReversedRange { first, last });
    }
    match u32::try_from(span + 1) {
        Ok(len) if len <= MAX_RANGE_DAYS => Ok(len),
        _ => Err(CalendarError::RangeTooLong {
            first,
            last,
            max: MAX_RANGE_DAYS,
        }),
    }
}

impl WorkingCalendar {
    /// A calendar in China Standard Time (`+08:00`) with Saturday and Sunday
    /// as the weekend and no holidays or make-up working days.
    pub fn new() -> Self {
        WorkingCalendar {
            offset: CHINA_STANDARD_TIME,
            weekend: WeekdaySet::SAT_SUN,
            days: BTreeMap::new(),
            table: OnceLock::new(),
        }
    }

    /// Drops the table of working days after the weekend or the special
    /// dates changed; the next count builds it again.
    fn changed(&mut self) {
        self.table.take();
    }

    /// The table of working days, built on first use; `None` for a
    /// calendar with no special dates or with them spread too wide.
    fn table(&self) -> Option<&table::WorkingDays> {
        self.table
            .get_or_init(|| table::WorkingDays::of(self))
            .as_ref()
    }

    /// Sets the UTC offset in which the calendar's civil dates are reckoned:
    /// [`deadline`](Self::deadline) takes the start's date in this offset
    /// and ends days at local midnight.
    #[must_use]
    pub fn with_offset(mut self, offset: FixedOffset) -> Self {
        self.offset = offset;
        self
    }

    /// Replaces the weekend weekdays. Repeated weekdays count once; an empty
    /// slice means every weekday is worked.
    ///
    /// A weekend of all seven days is allowed: then only make-up working
    /// days are worked, and counting past the last of them gives
    /// [`CalendarError::NoWorkingDays`].
    #[must_use]
    pub fn with_weekend(mut self, weekend: &[Weekday]) -> Self {
        self.weekend = WeekdaySet::from_slice(weekend);
        self.changed();
        self
    }

    /// Adds a public holiday with its name (trimmed of surrounding
    /// whitespace).
    ///
    /// # Errors
    ///
    /// - [`CalendarError::InvalidName`] if the name is empty or holds a
    ///   control character;
    /// - [`CalendarError::HolidayIsWorkday`] if the date is already a make-up
    ///   working day;
    /// - [`CalendarError::DuplicateDate`] if it is already a holiday.
    pub fn try_with_holiday(
        self,
        date: NaiveDate,
        name: impl AsRef<str>,
    ) -> Result<Self, CalendarError> {
        self.try_with_holiday_range(date, date, name)
    }

    /// Adds the public holidays from `first` to `last`, both included, all
    /// with one name (trimmed of surrounding whitespace).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use grassroots::calendar::{CalendarError, WorkingCalendar};
    ///
    /// let date = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    /// let cal = WorkingCalendar::new()
    ///     .try_with_holiday_range(date(10, 1), date(10, 8), "National Day and Mid-Autumn Festival")?;
    /// assert_eq!(cal.holidays().count(), 8);
    /// assert_eq!(cal.holiday_name(date(10, 6)), Some("National Day and Mid-Autumn Festival"));
    /// # Ok::<(), CalendarError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - [`CalendarError::ReversedRange`] if `last` is before `first`;
    /// - [`CalendarError::RangeTooLong`] if the range is longer than
    ///   [`MAX_RANGE_DAYS`];
    /// - [`CalendarError::InvalidName`] if the name is empty or holds a
    ///   control character;
    /// - [`CalendarError::HolidayIsWorkday`] or
    ///   [`CalendarError::DuplicateDate`] for the first date of the range
    ///   that is already a make-up working day or a holiday.
    pub fn try_with_holiday_range(
        mut self,
        first: NaiveDate,
        last: NaiveDate,
        name: impl AsRef<str>,
    ) -> Result<Self, CalendarError> {
        check_range(first, last)?;
        let name = check_name(name.as_ref(), true)
            .map_err(|problem| CalendarError::InvalidName {
                date: first,
                problem,
            })?
            .unwrap_or_default();
        self.insert_range(first, last, &Special::Holiday(name))
            .map_err(|(date, conflict)| conflict.at(date))?;
        Ok(self)
    }

    /// Adds a make-up working day (调休上班) without a name.
    ///
    /// A make-up day is normally a weekend day; one on a weekday that is
    /// worked anyway changes no count but is kept (and written back by
    /// [`to_text`](Self::to_text)).
    ///
    /// # Errors
    ///
    /// - [`CalendarError::HolidayIsWorkday`] if the date is already a
    ///   holiday;
    /// - [`CalendarError::DuplicateDate`] if it is already a make-up working
    ///   day.
    pub fn try_with_workday(mut self, date: NaiveDate) -> Result<Self, CalendarError> {
        self.insert_range(date, date, &Special::Workday(None))
            .map_err(|(date, conflict)| conflict.at(date))?;
        Ok(self)
    }

    /// Adds a make-up working day with a name such as "Spring Festival
    /// make-up day" (trimmed; an empty name means none).
    ///
    /// # Errors
    ///
    /// - [`CalendarError::InvalidName`] if the name holds a control
    ///   character;
    /// - [`CalendarError::HolidayIsWorkday`] if the date is already a
    ///   holiday;
    /// - [`CalendarError::DuplicateDate`] if it is already a make-up working
    ///   day.
    pub fn try_with_named_workday(
        mut self,
        date: NaiveDate,
        name: impl AsRef<str>,
    ) -> Result<Self, CalendarError> {
        let name = check_name(name.as_ref(), false)
            .map_err(|problem| CalendarError::InvalidName { date, problem })?;
        self.insert_range(date, date, &Special::Workday(name))
            .map_err(|(date, conflict)| conflict.at(date))?;
        Ok(self)
    }

    /// Inserts `special` on every date of `first..=last`, stopping at the
    /// first conflict. The range must already be checked.
    fn insert_range(
        &mut self,
        first: NaiveDate,
        last: NaiveDate,
        special: &Special,
    ) -> Result<(), (NaiveDate, Conflict)> {
        self.changed();
        for date in first.iter_days().take_while(|d| *d <= last) {
            if let Some(existing) = self.days.get(&date) {
                let conflict = match (existing, special) {
                    (Special::Holiday(_), Special::Holiday(_))
                    | (Special::Workday(_), Special::Workday(_)) => Conflict::Duplicate,
                    _ => Conflict::HolidayIsWorkday,
                };
                return Err((date, conflict));
            }
            self.days.insert(date, special.clone());
        }
        Ok(())
    }

    /// The UTC offset of the calendar's civil dates.
    pub fn offset(&self) -> FixedOffset {
        self.offset
    }

    /// Whether `day` is a weekend day.
    pub fn is_weekend(&self, day: Weekday) -> bool {
        self.weekend.contains(day)
    }

    /// The weekend weekdays, Monday first.
    pub fn weekend(&self) -> impl Iterator<Item = Weekday> + use<> {
        self.weekend.iter()
    }

    /// The name of the public holiday on `date`, if it is one.
    pub fn holiday_name(&self, date: NaiveDate) -> Option<&str> {
        match self.days.get(&date) {
            Some(Special::Holiday(name)) => Some(name),
            _ => None,
        }
    }

    /// The public holidays with their names, in date order.
    pub fn holidays(&self) -> impl Iterator<Item = (NaiveDate, &str)> {
        self.days
            .iter()
            .filter_map(|(date, special)| match special {
                Special::Holiday(name) => Some((*date, &**name)),
                Special::Workday(_) => None,
            })
    }

    /// The make-up working days with their names, if any, in date order.
    pub fn makeup_workdays(&self) -> impl Iterator<Item = (NaiveDate, Option<&str>)> {
        self.days
            .iter()
            .filter_map(|(date, special)| match special {
                Special::Workday(name) => Some((*date, name.as_deref())),
                Special::Holiday(_) => None,
            })
    }

    /// What kind of day `date` is.
    pub fn day_kind(&self, date: NaiveDate) -> DayKind {
        match self.days.get(&date) {
            Some(Special::Holiday(_)) => DayKind::Holiday,
            Some(Special::Workday(_)) => DayKind::MakeupWorkday,
            None if self.weekend.contains(date.weekday()) => DayKind::Weekend,
            None => DayKind::Workday,
        }
    }

    /// Whether `date` is worked: a make-up working day, or a day that is
    /// neither a holiday nor a weekend day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.day_kind(date).is_working()
    }
}

impl Conflict {
    fn at(self, date: NaiveDate) -> CalendarError {
        match self {
            Conflict::HolidayIsWorkday => CalendarError::HolidayIsWorkday { date },
            Conflict::Duplicate => CalendarError::DuplicateDate { date },
        }
    }
}

impl Default for WorkingCalendar {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for WorkingCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkingCalendar")
            .field("offset", &self.offset)
            .field("weekend", &self.weekend().collect::<Vec<_>>())
            .field("holidays", &self.holidays().count())
            .field("makeup_workdays", &self.makeup_workdays().count())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_new_calendar_is_china_time_with_a_saturday_sunday_weekend() {
        let cal = WorkingCalendar::new();
        assert_eq!(cal.offset().local_minus_utc(), 8 * 3600);
        assert_eq!(
            cal.weekend().collect::<Vec<_>>(),
            [Weekday::Sat, Weekday::Sun]
        );
        assert_eq!(cal, WorkingCalendar::default());
        assert!(cal.is_working_day(d(2025, 3, 3))); // a Monday
        assert!(!cal.is_working_day(d(2025, 3, 8))); // a Saturday
    }

    #[test]
    fn a_makeup_weekend_day_counts_as_a_working_day() {
        let cal = WorkingCalendar::new()
            .try_with_workday(d(2025, 1, 26))
            .unwrap();
        assert_eq!(cal.day_kind(d(2025, 1, 26)), DayKind::MakeupWorkday);
        assert!(cal.is_working_day(d(2025, 1, 26)));
    }

    #[test]
    fn a_holiday_on_a_weekday_is_a_day_off() {
        let cal = WorkingCalendar::new()
            .try_with_holiday(d(2025, 1, 1), "New Year's Day")
            .unwrap();
        assert_eq!(cal.day_kind(d(2025, 1, 1)), DayKind::Holiday);
        assert!(!cal.is_working_day(d(2025, 1, 1)));
        assert_eq!(cal.holiday_name(d(2025, 1, 1)), Some("New Year's Day"));
        assert_eq!(cal.holiday_name(d(2025, 1, 2)), None);
    }

    #[test]
    fn a_date_cannot_be_both_a_holiday_and_a_makeup_day() {
        let cal = WorkingCalendar::new()
            .try_with_workday(d(2025, 1, 26))
            .unwrap();
        assert_eq!(
            cal.clone()
                .try_with_holiday(d(2025, 1, 26), "Spring Festival"),
            Err(CalendarError::HolidayIsWorkday {
                date: d(2025, 1, 26)
            })
        );
        let cal = WorkingCalendar::new()
            .try_with_holiday_range(d(2025, 1, 28), d(2025, 2, 4), "Spring Festival")
            .unwrap();
        assert_eq!(
            cal.try_with_named_workday(d(2025, 2, 1), "make-up"),
            Err(CalendarError::HolidayIsWorkday {
                date: d(2025, 2, 1)
            })
        );
    }

    #[test]
    fn a_date_listed_twice_is_refused() {
        let cal = WorkingCalendar::new()
            .try_with_holiday(d(2025, 1, 1), "New Year's Day")
            .unwrap();
        assert_eq!(
            cal.try_with_holiday_range(d(2024, 12, 31), d(2025, 1, 2), "x"),
            Err(CalendarError::DuplicateDate {
                date: d(2025, 1, 1)
            })
        );
        let cal = WorkingCalendar::new()
            .try_with_workday(d(2025, 1, 26))
            .unwrap();
        assert_eq!(
            cal.try_with_workday(d(2025, 1, 26)),
            Err(CalendarError::DuplicateDate {
                date: d(2025, 1, 26)
            })
        );
    }

    #[test]
    fn holiday_names_must_be_one_nonempty_line() {
        let date = d(2025, 1, 1);
        assert_eq!(
            WorkingCalendar::new().try_with_holiday(date, "  "),
            Err(CalendarError::InvalidName {
                date,
                problem: NameProblem::Empty
            })
        );
        assert_eq!(
            WorkingCalendar::new().try_with_holiday(date, " New\nYear"),
            Err(CalendarError::InvalidName {
                date,
                problem: NameProblem::ControlCharacter { at: 3 }
            })
        );
        assert_eq!(
            WorkingCalendar::new().try_with_named_workday(date, "a\tb"),
            Err(CalendarError::InvalidName {
                date,
                problem: NameProblem::ControlCharacter { at: 1 }
            })
        );
        let cal = WorkingCalendar::new()
            .try_with_holiday(date, "  元旦 ")
            .unwrap()
            .try_with_named_workday(d(2025, 1, 26), " ")
            .unwrap();
        assert_eq!(cal.holiday_name(date), Some("元旦"));
        assert_eq!(
            cal.makeup_workdays().collect::<Vec<_>>(),
            [(d(2025, 1, 26), None)]
        );
    }

    #[test]
    fn ranges_must_run_forward_and_stay_short() {
        assert_eq!(
            WorkingCalendar::new().try_with_holiday_range(d(2025, 2, 4), d(2025, 1, 28), "x"),
            Err(CalendarError::ReversedRange {
                first: d(2025, 2, 4),
                last: d(2025, 1, 28)
            })
        );
        assert_eq!(
            WorkingCalendar::new().try_with_holiday_range(d(2025, 1, 1), d(2026, 1, 2), "x"),
            Err(CalendarError::RangeTooLong {
                first: d(2025, 1, 1),
                last: d(2026, 1, 2),
                max: MAX_RANGE_DAYS
            })
        );
        let leap_year = WorkingCalendar::new()
            .try_with_holiday_range(d(2024, 1, 1), d(2024, 12, 31), "x")
            .unwrap();
        assert_eq!(leap_year.holidays().count(), 366);
        assert!(
            WorkingCalendar::new()
                .try_with_holiday_range(NaiveDate::MIN, NaiveDate::MAX, "x")
                .is_err()
        );
    }

    #[test]
    fn the_weekend_can_be_any_set_of_weekdays() {
        let cal = WorkingCalendar::new().with_weekend(&[Weekday::Fri, Weekday::Sat, Weekday::Fri]);
        assert_eq!(
            cal.weekend().collect::<Vec<_>>(),
            [Weekday::Fri, Weekday::Sat]
        );
        assert!(cal.is_weekend(Weekday::Fri));
        assert!(!cal.is_weekend(Weekday::Sun));
        assert!(cal.is_working_day(d(2025, 3, 9))); // a Sunday
        let none = WorkingCalendar::new().with_weekend(&[]);
        assert_eq!(none.weekend().count(), 0);
        assert!(none.is_working_day(d(2025, 3, 9)));
    }

    #[test]
    fn calendar_types_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<WorkingCalendar>();
        assert_send_sync::<CalendarError>();
        assert_send_sync::<TimeLimit>();
    }
}
