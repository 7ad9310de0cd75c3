//! [`TimeSamples`]: durations kept exactly, for medians.

use chrono::TimeDelta;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// Durations, kept as whole seconds (4 bytes each), so medians and other
/// quantiles are exact rather than read off a histogram.
///
/// A duration is clamped to `0 ..= u32::MAX` seconds (about 136 years).
/// Serialises as a summary — `{"cases": n, "median_seconds": m}` — not as
/// the samples.
///
/// ```
/// use chrono::TimeDelta;
/// use grassroots::metrics::TimeSamples;
///
/// let mut samples = TimeSamples::default();
/// for hours in [5, 1, 3, 2] {
///     samples.push(TimeDelta::hours(hours));
/// }
/// // The lower median of an even count: an observed value.
/// assert_eq!(samples.median(), Some(TimeDelta::hours(2)));
/// assert_eq!(samples.quantile(1.0), Some(TimeDelta::hours(5)));
/// ```
///
/// Two sets of samples are equal when they hold the same durations, in
/// whatever order they were added (worker threads add them in any order).
#[derive(Debug, Clone, Default)]
pub struct TimeSamples {
    seconds: Vec<u32>,
}

impl PartialEq for TimeSamples {
    fn eq(&self, other: &Self) -> bool {
        if self.seconds.len() != other.seconds.len() {
            return false;
        }
        let (mut a, mut b) = (self.seconds.clone(), other.seconds.clone());
        a.sort_unstable();
        b.sort_unstable();
        a == b
    }
}

impl Eq for TimeSamples {}

impl TimeSamples {
    /// Adds one duration.
    pub fn push(&mut self, duration: TimeDelta) {
        let seconds = duration.num_seconds().clamp(0, i64::from(u32::MAX));
        self.seconds
            .push(u32::try_from(seconds).unwrap_or(u32::MAX));
    }

    /// Adds another set of samples to this one.
    pub fn merge(&mut self, mut other: TimeSamples) {
        if self.seconds.is_empty() {
            self.seconds = other.seconds;
        } else {
            self.seconds.append(&mut other.seconds);
        }
    }

    /// How many durations were added.
    pub fn len(&self) -> usize {
        self.seconds.len()
    }

    /// Whether none was added.
    pub fn is_empty(&self) -> bool {
        self.seconds.is_empty()
    }

    /// The median: the lower median (the `⌈n/2⌉`-th smallest) of an even
    /// count, so it is always an observed duration. `None` when empty.
    pub fn median(&self) -> Option<TimeDelta> {
        self.quantile(0.5)
    }

    /// The `q`-quantile (`q` in `0.0 ..= 1.0`, clamped): the smallest
    /// sample with at least a share `q` of the samples at or below it.
    /// `None` when empty. Costs a copy and a selection, O(n).
    pub fn quantile(&self, q: f64) -> Option<TimeDelta> {
        let n = self.seconds.len();
        if n == 0 {
            return None;
        }
        let q = if q.is_nan() { 0.5 } else { q.clamp(0.0, 1.0) };
        // The rank of the sample, from 1: ceil(q * n), at least 1.
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        let mut copy = self.seconds.clone();
        let (_, nth, _) = copy.select_nth_unstable(rank - 1);
        Some(TimeDelta::seconds(i64::from(*nth)))
    }
}

impl Serialize for TimeSamples {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("TimeSamples", 2)?;
        s.serialize_field("cases", &self.len())?;
        s.serialize_field("median_seconds", &self.median().map(|d| d.num_seconds()))?;
        s.end()
    }
}
