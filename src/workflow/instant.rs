//! The range of instants the crate accepts: [`EARLIEST`] ..= [`LATEST`].

use chrono::{DateTime, Utc};

/// The earliest instant a command, an event or a journal row may carry:
/// 1900-01-01T00:00:00Z.
///
/// No governance record this crate handles predates it, and it keeps
/// every difference between two accepted instants (under 8,100 years) far
/// inside chrono's `TimeDelta`.
pub const EARLIEST: DateTime<Utc> = match DateTime::from_timestamp(-2_208_988_800, 0) {
    Some(at) => at,
    None => panic!("1900-01-01 is a valid instant"),
};

/// The latest instant a command, an event or a journal row may carry:
/// 9999-12-31T23:59:59.999999Z, to the journal's microsecond.
///
/// Four-digit years keep RFC 3339 text (the serde form of every time) and
/// SQL timestamps unambiguous, and a deadline computed from an accepted
/// instant (days, working days or years later) stays inside chrono's range
/// (year 262,143).
pub const LATEST: DateTime<Utc> = match DateTime::from_timestamp(253_402_300_799, 999_999_000) {
    Some(at) => at,
    None => panic!("9999-12-31 is a valid instant"),
};

/// Whether `at` lies in the accepted range, [`EARLIEST`] ..= [`LATEST`].
///
/// ```
/// use chrono::{DateTime, TimeZone, Utc};
/// use grassroots::workflow::{is_accepted_instant, EARLIEST};
///
/// assert!(is_accepted_instant(Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()));
/// assert!(is_accepted_instant(EARLIEST));
/// assert!(!is_accepted_instant(DateTime::<Utc>::MAX_UTC));
/// ```
#[inline]
pub fn is_accepted_instant(at: DateTime<Utc>) -> bool {
    (EARLIEST..=LATEST).contains(&at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_range_runs_from_1900_to_the_end_of_9999() {
        assert_eq!(EARLIEST, Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).unwrap());
        assert_eq!(
            LATEST,
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap()
                + chrono::TimeDelta::microseconds(999_999)
        );
        assert!(!is_accepted_instant(
            EARLIEST - chrono::TimeDelta::microseconds(1)
        ));
        assert!(!is_accepted_instant(
            LATEST + chrono::TimeDelta::microseconds(1)
        ));
        assert!(!is_accepted_instant(DateTime::<Utc>::MIN_UTC));
    }
}
