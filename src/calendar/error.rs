//! The calendar's errors: [`CalendarError`] and the typed reasons it carries.

use std::fmt;

use chrono::NaiveDate;

use super::TimeLimit;

/// Why a calendar could not be built, parsed or counted with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// A date was given both as a public holiday and as a make-up working
    /// day.
    #[error("{date} is both a holiday and a make-up working day")]
    HolidayIsWorkday {
        /// The date given both ways.
        date: NaiveDate,
    },
    /// A date was given twice as a holiday, or twice as a make-up working
    /// day.
    #[error("{date} is listed twice")]
    DuplicateDate {
        /// The date given twice.
        date: NaiveDate,
    },
    /// The name of a holiday or make-up working day was refused.
    #[error("the name given for {date} {problem}")]
    InvalidName {
        /// The date the name was given for.
        date: NaiveDate,
        /// What is wrong with the name.
        problem: NameProblem,
    },
    /// A range of dates ends before it starts.
    #[error("the range {first}..{last} ends before it starts")]
    ReversedRange {
        /// The first date of the range.
        first: NaiveDate,
        /// The last date of the range.
        last: NaiveDate,
    },
    /// A range of dates is longer than [`MAX_RANGE_DAYS`](super::MAX_RANGE_DAYS).
    #[error("the range {first}..{last} is longer than {max} days")]
    RangeTooLong {
        /// The first date of the range.
        first: NaiveDate,
        /// The last date of the range.
        last: NaiveDate,
        /// The longest range accepted, in days.
        max: u32,
    },
    /// A line of the text format was refused.
    #[error("line {line}: {reason}")]
    Parse {
        /// The 1-based number of the refused line.
        line: usize,
        /// Why the line was refused.
        reason: ParseErrorKind,
    },
    /// Counting the limit from the date runs past the dates chrono can
    /// represent (about 262,000 years either side of year 0).
    #[error("{limit} from {from} runs past the supported date range")]
    OutOfRange {
        /// The civil date counting started from: the local date of the start
        /// for day limits, the UTC date of the start for hour limits.
        from: NaiveDate,
        /// The limit being counted.
        limit: TimeLimit,
    },
    /// Every day of the week is a weekend day and the calendar's make-up
    /// working days run out before the limit is reached.
    #[error("the calendar has too few working days after {from} for {limit}")]
    NoWorkingDays {
        /// The civil date counting started from.
        from: NaiveDate,
        /// The limit being counted.
        limit: TimeLimit,
    },
}

/// What is wrong with the name of a holiday or make-up working day.
///
/// Names are one line of text: they are trimmed of surrounding whitespace
/// when given, and a holiday's name must not be empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NameProblem {
    /// A holiday was given an empty name.
    Empty,
    /// The name holds a control character (a newline, a tab, a NUL, ...).
    ControlCharacter {
        /// The byte offset of the first control character in the trimmed
        /// name.
        at: usize,
    },
}

impl fmt::Display for NameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameProblem::Empty => f.write_str("is empty"),
            NameProblem::ControlCharacter { at } => {
                write!(f, "holds a control character at byte {at}")
            }
        }
    }
}

/// A directive of the calendar text format: the first word of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Directive {
    /// `timezone +08:00`: the UTC offset of the calendar's civil dates.
    Timezone,
    /// `weekend sat sun`: the weekend weekdays.
    Weekend,
    /// `holiday 2025-01-01 New Year's Day`: a public holiday or a range of
    /// them.
    Holiday,
    /// `workday 2025-01-26 Spring Festival make-up day`: a make-up working
    /// day or a range of them.
    Workday,
}

impl Directive {
    /// The directive as written in the text format.
    pub const fn as_str(self) -> &'static str {
        match self {
            Directive::Timezone => "timezone",
            Directive::Weekend => "weekend",
            Directive::Holiday => "holiday",
            Directive::Workday => "workday",
        }
    }
}

impl fmt::Display for Directive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a line of the calendar text format was refused; carried by
/// [`CalendarError::Parse`] with the line number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The line starts with a word that is not a directive.
    #[error("unknown directive, expected timezone, weekend, holiday or workday")]
    UnknownDirective,
    /// The directive is missing its argument (an offset, a weekday, a date).
    #[error("{directive} needs an argument")]
    MissingArgument {
        /// The directive.
        directive: Directive,
    },
    /// The directive was given more words than it takes.
    #[error("too many arguments for {directive}")]
    UnexpectedArgument {
        /// The directive.
        directive: Directive,
    },
    /// `timezone` or `weekend` appears more than once.
    #[error("{directive} is given more than once")]
    RepeatedDirective {
        /// The repeated directive.
        directive: Directive,
    },
    /// The offset is not `+HH:MM` or `-HH:MM` (optionally `:SS`) below 24
    /// hours.
    #[error("not a utc offset of the form +hh:mm")]
    InvalidOffset,
    /// A word of a `weekend` line is not a weekday name.
    #[error("not a weekday name")]
    InvalidWeekday,
    /// The date is not a valid `YYYY-MM-DD` date or `YYYY-MM-DD..YYYY-MM-DD`
    /// range.
    #[error("not a date of the form yyyy-mm-dd or a range yyyy-mm-dd..yyyy-mm-dd")]
    InvalidDate,
    /// The range ends before it starts.
    #[error("the range ends before it starts")]
    ReversedRange,
    /// The range is longer than [`MAX_RANGE_DAYS`](super::MAX_RANGE_DAYS).
    #[error("the range is longer than {max} days")]
    RangeTooLong {
        /// The longest range accepted, in days.
        max: u32,
    },
    /// The name of the holiday or make-up working day was refused.
    #[error("the name {0}")]
    InvalidName(NameProblem),
    /// The date is already a make-up working day (for `holiday`) or a holiday
    /// (for `workday`).
    #[error("{date} is both a holiday and a make-up working day")]
    HolidayIsWorkday {
        /// The date given both ways.
        date: NaiveDate,
    },
    /// The date was already given by an earlier line of the same directive.
    #[error("{date} is listed twice")]
    DuplicateDate {
        /// The date given twice.
        date: NaiveDate,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn messages_are_lowercase_without_a_full_stop() {
        let errors = [
            CalendarError::HolidayIsWorkday {
                date: d(2025, 1, 26),
            },
            CalendarError::DuplicateDate {
                date: d(2025, 1, 1),
            },
            CalendarError::InvalidName {
                date: d(2025, 1, 1),
                problem: NameProblem::ControlCharacter { at: 3 },
            },
            CalendarError::ReversedRange {
                first: d(2025, 2, 4),
                last: d(2025, 1, 28),
            },
            CalendarError::Parse {
                line: 3,
                reason: ParseErrorKind::UnknownDirective,
            },
            CalendarError::OutOfRange {
                from: d(2025, 1, 1),
                limit: TimeLimit::WorkingDays(u32::MAX),
            },
        ];
        for e in errors {
            let msg = e.to_string();
            assert!(!msg.ends_with('.'), "{msg}");
            assert_eq!(msg, msg.to_lowercase(), "{msg}");
        }
    }

    #[test]
    fn a_parse_error_names_its_line_and_reason() {
        let e = CalendarError::Parse {
            line: 7,
            reason: ParseErrorKind::MissingArgument {
                directive: Directive::Holiday,
            },
        };
        assert_eq!(e.to_string(), "line 7: holiday needs an argument");
        let e = CalendarError::Parse {
            line: 2,
            reason: ParseErrorKind::InvalidName(NameProblem::Empty),
        };
        assert_eq!(e.to_string(), "line 2: the name is empty");
    }
}
