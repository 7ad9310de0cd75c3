//! A table of working days over the whole years a calendar lists special
//! dates in, so the `n`th working day after a date inside them is two
//! array reads instead of a walk over the special dates.
//!
//! Outside those years only the weekday rule applies, which `count.rs`
//! counts arithmetically; the table hands over to it at either end.

use chrono::{Datelike, NaiveDate};

use super::{Special, WorkingCalendar};

/// The longest table kept, in days (about 179 years): counts fit a `u16`.
/// A calendar whose special dates spread wider is counted by walking its
/// special dates instead.
const MAX_TABLE_DAYS: usize = u16::MAX as usize;

/// Working days from 1 January of the first year with a special date to
/// 31 December of the last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct WorkingDays {
    /// The table's first day (1 January).
    start: NaiveDate,
    /// The table's last day (31 December): no special date comes after it.
    end: NaiveDate,
    /// `rank[i]`: the working days in `start ..= start + i`.
    rank: Box<[u16]>,
    /// `nth[k]`: the table's `k + 1`th working day.
    nth: Box<[NaiveDate]>,
}

impl WorkingDays {
    /// The table of `calendar`'s special years; `None` when it lists no
    /// special date or they spread over more than [`MAX_TABLE_DAYS`].
    pub(super) fn of(calendar: &WorkingCalendar) -> Option<Self> {
        let first = *calendar.days.first_key_value()?.0;
        let last = *calendar.days.last_key_value()?.0;
        let start = NaiveDate::from_ymd_opt(first.year(), 1, 1)?;
        let end = NaiveDate::from_ymd_opt(last.year(), 12, 31)?;
        let len = usize::try_from(end.signed_duration_since(start).num_days()).ok()? + 1;
        if len > MAX_TABLE_DAYS {
            return None;
        }
        let mut rank = Vec::with_capacity(len);
        let mut nth = Vec::with_capacity(len);
        let mut specials = calendar.days.iter().peekable();
        let mut worked: u16 = 0;
        let base = start.weekday().num_days_from_monday();
        for (offset, date) in (0u64..).zip(start.iter_days().take(len)) {
            let working = match specials.next_if(|(d, _)| **d == date) {
                Some((_, Special::Workday(_))) => true,
                Some((_, Special::Holiday(_))) => false,
                None => calendar.is_regular(base, offset),
            };
            if working {
                // At most `len ≤ u16::MAX` working days.
                worked += 1;
                nth.push(date);
            }
            rank.push(worked);
        }
        Some(WorkingDays {
            start,
            end,
            rank: rank.into_boxed_slice(),
            nth: nth.into_boxed_slice(),
        })
    }
}

#[cfg(test)]
impl WorkingDays {
    /// The table's first and last day.
    pub(super) fn edges(&self) -> (NaiveDate, NaiveDate) {
        (self.start, self.end)
    }
}

/// Where the `n`th working day after a date lies, as the table sees it.
pub(super) enum Found {
    /// That day.
    Day(NaiveDate),
    /// Outside the table: the `left`th working day after `after` by the
    /// weekday rule alone.
    Regular { after: NaiveDate, left: u64 },
}

impl WorkingDays {
    /// The `n`th (at least 1) working day after `date` in `calendar` (the
    /// calendar this table was built from), or where the weekday rule
    /// alone finds it.
    pub(super) fn nth_after(&self, calendar: &WorkingCalendar, date: NaiveDate, n: u64) -> Found {
        let table = self;
        let offset = date.signed_duration_since(table.start).num_days();
        let counted = if offset < 0 {
            // Before the table the days follow the weekday rule up to
            // (not including) its start.
            let regular = calendar.regular_in(date, offset.unsigned_abs() - 1);
            if n <= regular {
                return Found::Regular {
                    after: date,
                    left: n,
                };
            }
            n - regular
        } else {
            match usize::try_from(offset).ok().and_then(|i| table.rank.get(i)) {
                Some(rank) => u64::from(*rank) + n,
                // After the table: no special date any more.
                None => {
                    return Found::Regular {
                        after: date,
                        left: n,
                    };
                }
            }
        };
        // `counted ≥ 1`: the table's `counted`th working day, if it has one.
        match usize::try_from(counted - 1)
            .ok()
            .and_then(|k| table.nth.get(k))
        {
            Some(day) => Found::Day(*day),
            None => Found::Regular {
                after: table.end,
                left: counted - table.nth.len() as u64,
            },
        }
    }
}
