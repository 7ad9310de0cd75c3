//! [`TimeLimit`]: how long a step of a workflow may take.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How long a step may take: a number of calendar days, working days or
/// hours.
///
/// Day limits follow the rule that the day a period starts on is not counted
/// (期间开始的当日不计入): a limit of `n` days starting on date `d` ends when
/// the `n`th (working) day after `d` ends. See
/// [`WorkingCalendar::deadline`](super::WorkingCalendar::deadline) for the
/// exact instant.
///
/// It serialises as a one-key object, `{"working_days": 15}`, and displays as
/// `15 working days`.
///
/// ```
/// use grassroots::calendar::TimeLimit;
///
/// assert_eq!(TimeLimit::WorkingDays(15).to_string(), "15 working days");
/// assert_eq!(TimeLimit::CalendarDays(1).to_string(), "1 calendar day");
/// assert_eq!(TimeLimit::Hours(48).to_string(), "48 hours");
/// let json = serde_json::to_string(&TimeLimit::WorkingDays(20))?;
/// assert_eq!(json, r#"{"working_days":20}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeLimit {
    /// Consecutive days, weekends and holidays included (自然日), ending
    /// on the `n`th day whatever day that is: for the crate's own service
    /// limits and the policy's defaults, not for periods the law sets.
    CalendarDays(u32),
    /// A period the law sets in days (期间), counted in calendar days, whose
    /// last day, when it is a rest day or a statutory holiday (法定休假日),
    /// moves to the first working day after it — Civil Code (民法典)
    /// art. 203 and Civil Procedure Law (民事诉讼法, 2021) art. 85. Weekends
    /// count as rest days unless the calendar makes them make-up working
    /// days. The crate's legal periods use it: the 30-day window for judicial
    /// confirmation (People's Mediation Law art. 33) and the 15-day labour
    /// mediation period (Labour Dispute Mediation and Arbitration Law
    /// art. 14).
    LegalDays(u32),
    /// Working days of the calendar (工作日): weekends and holidays are
    /// skipped, make-up working days count.
    WorkingDays(u32),
    /// Elapsed hours from the start instant, whatever the calendar says.
    Hours(u32),
}

impl TimeLimit {
    /// The number of days or hours, without its unit.
    pub const fn amount(self) -> u32 {
        match self {
            TimeLimit::CalendarDays(n)
            | TimeLimit::LegalDays(n)
            | TimeLimit::WorkingDays(n)
            | TimeLimit::Hours(n) => n,
        }
    }
}

impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, unit) = match *self {
            TimeLimit::CalendarDays(n) => (n, "calendar day"),
            TimeLimit::LegalDays(n) => (n, "day (legal period)"),
            TimeLimit::WorkingDays(n) => (n, "working day"),
            TimeLimit::Hours(n) => (n, "hour"),
        };
        let plural = if n == 1 { "" } else { "s" };
        write!(f, "{n} {unit}{plural}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_displays_its_amount_and_unit() {
        assert_eq!(TimeLimit::WorkingDays(15).to_string(), "15 working days");
        assert_eq!(TimeLimit::WorkingDays(1).to_string(), "1 working day");
        assert_eq!(TimeLimit::CalendarDays(0).to_string(), "0 calendar days");
        assert_eq!(TimeLimit::Hours(1).to_string(), "1 hour");
        assert_eq!(TimeLimit::Hours(72).amount(), 72);
    }

    #[test]
    fn a_limit_round_trips_through_serde() {
        for limit in [
            TimeLimit::CalendarDays(30),
            TimeLimit::WorkingDays(15),
            TimeLimit::Hours(24),
        ] {
            let json = serde_json::to_string(&limit).unwrap();
            assert_eq!(serde_json::from_str::<TimeLimit>(&json).unwrap(), limit);
        }
        assert_eq!(
            serde_json::to_string(&TimeLimit::CalendarDays(30)).unwrap(),
            r#"{"calendar_days":30}"#
        );
        assert!(serde_json::from_str::<TimeLimit>(r#"{"working_days":-1}"#).is_err());
        assert!(serde_json::from_str::<TimeLimit>(r#"{"fortnights":2}"#).is_err());
    }
}
