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
///
/// The samples are kept in chunks of at most 16,384 (64 KiB), so adding
/// never copies what was added before and [`merge`](Self::merge) moves
/// the other set's chunks rather than copying them; a quantile is found
/// by counting, without a copy of the samples.
#[derive(Debug, Clone, Default)]
pub struct TimeSamples {
    chunks: Vec<Vec<u32>>,
}

/// Samples per chunk (a power of two: the first chunk grows to it by
/// doubling, the others are made that size).
const CHUNK: usize = 1 << 14;

/// Below this many samples a quantile copies and selects; above it, it
/// counts (two passes and two tables of 2¹⁶ counts, whatever the number
/// of samples).
const COPY_BELOW: usize = 1 << 12;

impl PartialEq for TimeSamples {
    fn eq(&self, other: &Self) -> bool {
        if self.len() != other.len() {
            return false;
        }
        let (mut a, mut b) = (self.to_vec(), other.to_vec());
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
        let seconds = u32::try_from(seconds).unwrap_or(u32::MAX);
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => last.push(seconds),
            Some(_) => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(seconds);
                self.chunks.push(chunk);
            }
            None => self.chunks.push(vec![seconds]),
        }
    }

    /// Adds another set of samples to this one (its chunks are moved, not
    /// copied).
    pub fn merge(&mut self, other: TimeSamples) {
        // The last chunk takes the pushes: keep a partial one last.
        let mut theirs = other.chunks.into_iter().filter(|c| !c.is_empty());
        match self.chunks.pop() {
            Some(mine) => {
                self.chunks.extend(theirs);
                self.chunks.push(mine);
            }
            None => self.chunks.extend(&mut theirs),
        }
    }

    /// How many durations were added.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }

    /// Whether none was added.
    pub fn is_empty(&self) -> bool {
        self.chunks.iter().all(Vec::is_empty)
    }

    fn values(&self) -> impl Iterator<Item = u32> + '_ {
        self.chunks.iter().flatten().copied()
    }

    fn to_vec(&self) -> Vec<u32> {
        let mut all = Vec::with_capacity(self.len());
        for chunk in &self.chunks {
            all.extend_from_slice(chunk);
        }
        all
    }

    /// The median: the lower median (the `⌈n/2⌉`-th smallest) of an even
    /// count, so it is always an observed duration. `None` when empty.
    pub fn median(&self) -> Option<TimeDelta> {
        self.quantile(0.5)
    }

    /// The `q`-quantile (`q` in `0.0 ..= 1.0`, clamped): the smallest
    /// sample with at least a share `q` of the samples at or below it.
    /// `None` when empty. O(n), without a copy of the samples.
    pub fn quantile(&self, q: f64) -> Option<TimeDelta> {
        let n = self.len();
        if n == 0 {
            return None;
        }
        let q = if q.is_nan() { 0.5 } else { q.clamp(0.0, 1.0) };
        // The rank of the sample, from 1: ceil(q * n), at least 1.
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        let nth = if n < COPY_BELOW {
            let mut copy = self.to_vec();
            *copy.select_nth_unstable(rank - 1).1
        } else {
            self.nth_by_counting(rank - 1)
        };
        Some(TimeDelta::seconds(i64::from(nth)))
    }

    /// The `index`-th smallest sample (from 0; `index < len`): the high
    /// 16 bits are the bucket the index falls in, counted over every
    /// sample; the low 16 bits the same, counted over that bucket's.
    fn nth_by_counting(&self, index: usize) -> u32 {
        let (high, index) = nth_bucket(self.values().map(|v| v >> 16), index);
        let (low, _) = nth_bucket(
            self.values()
                .filter(|v| v >> 16 == high)
                .map(|v| v & 0xFFFF),
            index,
        );
        (high << 16) | low
    }
}

/// The bucket (of 2¹⁶) holding the `index`-th smallest of `keys`, and the
/// index within that bucket.
fn nth_bucket(keys: impl Iterator<Item = u32>, mut index: usize) -> (u32, usize) {
    let mut counts = vec![0usize; 1 << 16];
    for key in keys {
        counts[key as usize] += 1;
    }
    for (bucket, &count) in counts.iter().enumerate() {
        if index < count {
            return (bucket as u32, index);
        }
        index -= count;
    }
    // Unreachable while `index` is below the number of keys; the last
    // bucket is the safe answer.
    (u32::from(u16::MAX), 0)
}

impl Serialize for TimeSamples {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("TimeSamples", 2)?;
        s.serialize_field("cases", &self.len())?;
        s.serialize_field("median_seconds", &self.median().map(|d| d.num_seconds()))?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A spread of durations from a fixed sequence (splitmix64), some
    /// above 2¹⁶ seconds and some repeated.
    fn durations(n: usize, seed: u64) -> Vec<u32> {
        let mut z = seed;
        (0..n)
            .map(|i| {
                z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut x = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                let x = (x ^ (x >> 31)) as u32;
                match i % 4 {
                    0 => x,              // anywhere in u32
                    1 => x % 200_000,    // days
                    2 => 3_600,          // one value many times
                    _ => (x % 50) << 16, // whole buckets, low bits zero
                }
            })
            .collect()
    }

    fn samples(values: &[u32]) -> TimeSamples {
        let mut s = TimeSamples::default();
        for v in values {
            s.push(TimeDelta::seconds(i64::from(*v)));
        }
        s
    }

    fn by_sorting(values: &[u32], q: f64) -> TimeDelta {
        let mut sorted = values.to_vec();
        sorted.sort_unstable();
        let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        TimeDelta::seconds(i64::from(sorted[rank - 1]))
    }

    #[test]
    fn quantiles_by_counting_are_the_sorted_samples_at_their_rank() {
        for n in [COPY_BELOW - 1, COPY_BELOW, 50_001, 3 * CHUNK + 7] {
            let values = durations(n, n as u64);
            let s = samples(&values);
            assert_eq!(s.len(), n);
            for q in [0.0, 0.001, 0.25, 0.5, 0.5001, 0.9, 0.999, 1.0] {
                assert_eq!(s.quantile(q), Some(by_sorting(&values, q)), "n {n}, q {q}");
            }
        }
    }

    #[test]
    fn merge_moves_every_sample_and_pushes_go_on_after_it() {
        let (a, b) = (durations(CHUNK + 100, 1), durations(2 * CHUNK + 3, 2));
        let mut merged = samples(&a);
        merged.merge(samples(&b));
        merged.merge(TimeSamples::default());
        merged.push(TimeDelta::seconds(42));
        let mut all = [a.as_slice(), b.as_slice(), &[42]].concat();
        assert_eq!(merged.len(), all.len());
        assert_eq!(merged, samples(&all));
        assert_eq!(merged.median(), Some(by_sorting(&all, 0.5)));
        // Merged into an empty set, and in the other order: the same multiset.
        let mut other = TimeSamples::default();
        other.merge(samples(&b));
        other.merge(samples(&a));
        all.pop();
        assert_eq!(other, samples(&all));
        assert!(TimeSamples::default().is_empty());
        assert_eq!(TimeSamples::default().median(), None);
    }
}
