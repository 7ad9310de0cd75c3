//! [`DueIndex`]: the city-year's due index, as it stands at the year's end.

use chrono::{DateTime, Utc};

/// The due index a city-year keeps: every case still open at the year's
/// end with a timer pending, by when its workflow's timer command is next
/// due ([`Case::next_due`](crate::workflow::Case::next_due) after its last
/// recorded command, what a store's append writes beside the events),
/// then by case number.
///
/// Each case's entry is worked out at every command that records events,
/// as a store's due index is written with every append; a case that ends
/// or has no timer pending has no entry. A sweeper would tick
/// [`due_by`](Self::due_by) the time it wakes.
///
/// ```
/// use grassroots::load::{self, CityYear};
///
/// let report = load::run(&CityYear::small().with_cases(2_000), 1)?;
/// let due = &report.due_index;
/// assert!(!due.is_empty()); // some cases are still open at the year's end
/// let (first, n) = due.first().expect("an entry");
/// assert_eq!(due.due_by(first).next(), Some((first, n)));
/// # Ok::<(), grassroots::load::LoadError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DueIndex {
    /// (due, in microseconds since the epoch; case number), sorted once
    /// the workers' parts are merged.
    entries: Vec<(i64, u64)>,
}

impl DueIndex {
    /// Notes case `n`'s entry (workers add in any order; [`sort`](Self::sort)
    /// orders them).
    pub(crate) fn add(&mut self, due: DateTime<Utc>, n: u64) {
        self.entries.push((due.timestamp_micros(), n));
    }

    pub(crate) fn merge(&mut self, mut other: DueIndex) {
        if self.entries.is_empty() {
            self.entries = other.entries;
        } else {
            self.entries.append(&mut other.entries);
        }
    }

    pub(crate) fn sort(&mut self) {
        self.entries.sort_unstable();
    }

    /// How many cases have an entry.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no case has an entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry due first: when, and the case's number in the year
    /// ([`City::play`](super::City::play) plays it again).
    pub fn first(&self) -> Option<(DateTime<Utc>, u64)> {
        self.entries.first().map(|&(due, n)| (time(due), n))
    }

    /// Every entry due at or before `at`, earliest first: what a sweeper
    /// waking at `at` would tick.
    pub fn due_by(&self, at: DateTime<Utc>) -> impl Iterator<Item = (DateTime<Utc>, u64)> + '_ {
        let end = self
            .entries
            .partition_point(|&(due, _)| due <= at.timestamp_micros());
        self.entries[..end].iter().map(|&(due, n)| (time(due), n))
    }
}

fn time(micros: i64) -> DateTime<Utc> {
    // Every entry was made from a `DateTime<Utc>`, so it reads back.
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}
