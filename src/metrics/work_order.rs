//! [`WorkOrderMetrics`]: the 12345 indicators, folded from work-order
//! histories.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::work_order::WorkOrderEvent;
use crate::workflow::Recorded;

/// The usual indicators of work orders, folded from histories alone:
///
/// - **on-time sign-for rate** (按时签收率): sign-fors at or before their
///   sign-for deadline, over all sign-fors (a dispatch upheld after a
///   return sets a new deadline);
/// - **on-time completion rate** (按时办结率): orders replied to whose
///   every reply came at or before the handling deadline then in force
///   (extended or set by a redo), over orders replied to;
/// - **return rate** (退单率): orders returned at least once, over orders
///   dispatched;
/// - **redo rate** (重办率): orders redone at least once, over orders
///   called back;
/// - **callback satisfaction** (回访满意率): orders whose last callback
///   found the requester satisfied or basically satisfied, over orders
///   called back.
///
/// Streaming and mergeable, like [`GovernanceMetrics`](super::GovernanceMetrics):
/// observe a history, drop it, keep going; add up per-thread folds with
/// [`merge`](Self::merge). A rate with nothing to count is `None`.
///
/// ```
/// use grassroots::metrics::WorkOrderMetrics;
///
/// let metrics = WorkOrderMetrics::default();
/// assert_eq!(metrics.received(), 0);
/// assert_eq!(metrics.return_rate(), None);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WorkOrderMetrics {
    received: u64,
    dispatched: u64,
    returned: u64,
    sign_fors: u64,
    sign_fors_on_time: u64,
    replied: u64,
    replied_on_time: u64,
    called_back: u64,
    redone: u64,
    satisfied: u64,
}

impl WorkOrderMetrics {
    /// Folds one order's history in.
    pub fn observe(&mut self, history: &[Recorded<WorkOrderEvent>]) {
        use WorkOrderEvent as E;
        let mut received = false;
        let mut dispatched = false;
        let mut returned = false;
        let mut sign_for_due: Option<DateTime<Utc>> = None;
        let mut due: Option<DateTime<Utc>> = None;
        let mut replies = 0u32;
        let mut late = false;
        let mut redone = false;
        let mut last_callback = None;
        for r in history {
            match &r.event {
                E::Received(_) => received = true,
                E::Dispatched {
                    sign_for_due: d, ..
                } => {
                    dispatched = true;
                    sign_for_due = Some(*d);
                }
                E::DispatchUpheld {
                    sign_for_due: d, ..
                } => sign_for_due = Some(*d),
                E::Returned { .. } => returned = true,
                E::SignedFor { at, due: d, .. } => {
                    self.sign_fors += 1;
                    if sign_for_due.is_some_and(|s| *at <= s) {
                        self.sign_fors_on_time += 1;
                    }
                    due = Some(*d);
                }
                E::TakenOn { due: d, .. } => due = Some(*d),
                E::ExtensionApproved { due: d, .. } | E::RedoOrdered { due: d, .. } => {
                    due = Some(*d);
                    if matches!(r.event, E::RedoOrdered { .. }) {
                        redone = true;
                    }
                }
                E::Replied { at, .. } => {
                    replies += 1;
                    if due.is_none_or(|d| *at > d) {
                        late = true;
                    }
                }
                E::CalledBack { satisfaction, .. } => last_callback = Some(*satisfaction),
                _ => {}
            }
        }
        self.received += u64::from(received);
        self.dispatched += u64::from(dispatched);
        self.returned += u64::from(returned);
        if replies > 0 {
            self.replied += 1;
            self.replied_on_time += u64::from(!late);
        }
        if let Some(satisfaction) = last_callback {
            self.called_back += 1;
            self.redone += u64::from(redone);
            self.satisfied += u64::from(satisfaction.is_satisfied());
        }
    }

    /// Adds another fold's counts (saturating, like the other metrics:
    /// a merge never wraps or panics).
    pub fn merge(&mut self, other: &WorkOrderMetrics) {
        self.received = self.received.saturating_add(other.received);
        self.dispatched = self.dispatched.saturating_add(other.dispatched);
        self.returned = self.returned.saturating_add(other.returned);
        self.sign_fors = self.sign_fors.saturating_add(other.sign_fors);
        self.sign_fors_on_time = self
            .sign_fors_on_time
            .saturating_add(other.sign_fors_on_time);
        self.replied = self.replied.saturating_add(other.replied);
        self.replied_on_time = self.replied_on_time.saturating_add(other.replied_on_time);
        self.called_back = self.called_back.saturating_add(other.called_back);
        self.redone = self.redone.saturating_add(other.redone);
        self.satisfied = self.satisfied.saturating_add(other.satisfied);
    }

    /// Orders received.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Orders dispatched at least once.
    pub fn dispatched(&self) -> u64 {
        self.dispatched
    }

    /// Orders returned at least once.
    pub fn returned(&self) -> u64 {
        self.returned
    }

    /// Sign-fors, and those on time.
    pub fn sign_fors(&self) -> (u64, u64) {
        (self.sign_fors, self.sign_fors_on_time)
    }

    /// Orders replied to, and those replied to on time.
    pub fn replied(&self) -> (u64, u64) {
        (self.replied, self.replied_on_time)
    }

    /// Orders called back.
    pub fn called_back(&self) -> u64 {
        self.called_back
    }

    /// Orders called back that were redone at least once.
    pub fn redone(&self) -> u64 {
        self.redone
    }

    /// The on-time sign-for rate.
    pub fn on_time_sign_for_rate(&self) -> Option<f64> {
        rate(self.sign_fors_on_time, self.sign_fors)
    }

    /// The on-time completion rate.
    pub fn on_time_completion_rate(&self) -> Option<f64> {
        rate(self.replied_on_time, self.replied)
    }

    /// The return rate.
    pub fn return_rate(&self) -> Option<f64> {
        rate(self.returned, self.dispatched)
    }

    /// The redo rate.
    pub fn redo_rate(&self) -> Option<f64> {
        rate(self.redone, self.called_back)
    }

    /// The callback satisfaction rate.
    pub fn callback_satisfaction(&self) -> Option<f64> {
        rate(self.satisfied, self.called_back)
    }
}

fn rate(part: u64, whole: u64) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)]
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl fmt::Display for WorkOrderMetrics {
    /// One line per indicator with what it counted (`0.0% (0 of 1
    /// sign-fors)`), `n/a` where there is nothing to count.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "work orders received: {}", self.received)?;
        let indicators = [
            (
                "on-time sign-for rate",
                self.sign_fors_on_time,
                self.sign_fors,
                "sign-fors",
            ),
            (
                "on-time completion rate",
                self.replied_on_time,
                self.replied,
                "orders replied to",
            ),
            (
                "return rate",
                self.returned,
                self.dispatched,
                "orders dispatched",
            ),
            (
                "redo rate",
                self.redone,
                self.called_back,
                "orders called back",
            ),
            (
                "callback satisfaction",
                self.satisfied,
                self.called_back,
                "orders called back",
            ),
        ];
        for (name, part, whole, of) in indicators {
            match rate(part, whole) {
                Some(r) => write!(f, "\n{name}: {:.1}% ({part} of {whole} {of})", r * 100.0)?,
                None => write!(f, "\n{name}: n/a (no {of})")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_line_says_what_its_rate_counted() {
        let metrics = WorkOrderMetrics {
            received: 2,
            dispatched: 1,
            returned: 1,
            sign_fors: 1,
            called_back: 2,
            redone: 1,
            satisfied: 2,
            ..WorkOrderMetrics::default()
        };
        assert_eq!(
            metrics.to_string(),
            "work orders received: 2\n\
             on-time sign-for rate: 0.0% (0 of 1 sign-fors)\n\
             on-time completion rate: n/a (no orders replied to)\n\
             return rate: 100.0% (1 of 1 orders dispatched)\n\
             redo rate: 50.0% (1 of 2 orders called back)\n\
             callback satisfaction: 100.0% (2 of 2 orders called back)"
        );
    }
}
