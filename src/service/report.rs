//! [`HallMetrics`]: a hall's indicators, folded from request histories.

use chrono::{DateTime, Utc};

use super::event::ServiceRequestEvent;
use crate::calendar::WorkingCalendar;
use crate::workflow::Recorded;

/// What one request's history says, for [`HallMetrics`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestFacts {
    /// When it was submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When it was accepted (from receipt, when it counts as accepted for
    /// want of a supplement notice).
    pub accepted_at: Option<DateTime<Utc>>,
    /// When handling was first concluded — completed or denied (办结) —
    /// and the promised date in force then.
    pub concluded: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Whether a tick ever found it overdue.
    pub overdue: bool,
    /// Good reviews it received (好评: very satisfied, satisfied or basically
    /// satisfied; a request sent back for rework may be rated again).
    pub good_reviews: u32,
    /// Bad reviews it received (差评: dissatisfied or very dissatisfied).
    pub bad_reviews: u32,
}

impl RequestFacts {
    /// Folds one request's history.
    pub fn from_history<'a>(
        history: impl IntoIterator<Item = &'a Recorded<ServiceRequestEvent>>,
    ) -> Self {
        use ServiceRequestEvent as E;
        let mut facts = RequestFacts::default();
        let mut promised = None;
        for r in history {
            match &r.event {
                E::Submitted(s) => facts.submitted_at = Some(s.request.submitted_at),
                E::Accepted { at, promised: p }
                | E::AcceptedWithPending {
                    at, promised: p, ..
                }
                | E::DeemedAccepted {
                    received: at,
                    promised: p,
                } => {
                    facts.accepted_at = Some(*at);
                    promised = Some(*p);
                }
                E::Resumed { promised: p, .. }
                | E::PendingSupplied { promised: p, .. }
                | E::ExtensionApproved { promised: p, .. } => {
                    promised = Some(*p);
                }
                E::Completed | E::Denied { .. } if facts.concluded.is_none() => {
                    facts.concluded = promised.map(|p| (r.at, p));
                }
                E::Overdue { .. } => facts.overdue = true,
                E::Rated { review, .. } if review.is_dissatisfied() => {
                    facts.bad_reviews = facts.bad_reviews.saturating_add(1);
                }
                E::Rated { .. } => facts.good_reviews = facts.good_reviews.saturating_add(1),
                _ => {}
            }
        }
        facts
    }

    /// Whether it was concluded before its promised date ran out; `None`
    /// while it is not concluded.
    pub fn concluded_on_time(&self) -> Option<bool> {
        self.concluded.map(|(at, promised)| at < promised)
    }
}

/// A service hall's indicators, folded from the histories of its requests:
/// the on-time completion rate, the overdue count, the average working days
/// to completion and the good-review rate.
///
/// *Completion* is the conclusion of handling — completed or denied on the
/// merits (办结) — the first time it happens (a request sent back for rework
/// and concluded again keeps its first date). It is *on time* when it comes
/// before the promised date in force at that moment (after suspensions and
/// approved extensions). Working days to completion are counted on the
/// calendar from the day of acceptance to the day of completion, the first
/// not counted. Every review counts towards the good-review rate.
///
/// ```
/// use grassroots::service::HallMetrics;
///
/// let metrics = HallMetrics::default();
/// assert_eq!(metrics.on_time_rate(), None); // nothing completed yet
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HallMetrics {
    /// Requests counted.
    pub requests: u64,
    /// Requests accepted.
    pub accepted: u64,
    /// Requests concluded (completed or denied).
    pub completed: u64,
    /// Requests concluded before their promised date.
    pub completed_on_time: u64,
    /// Requests a tick found overdue at least once.
    pub overdue: u64,
    /// Working days from acceptance to completion, summed over the
    /// completed requests.
    pub working_days_to_completion: u64,
    /// Good reviews.
    pub good_reviews: u64,
    /// Bad reviews.
    pub bad_reviews: u64,
}

impl HallMetrics {
    /// Adds one request's history, counting working days on `calendar`.
    pub fn add<'a>(
        &mut self,
        calendar: &WorkingCalendar,
        history: impl IntoIterator<Item = &'a Recorded<ServiceRequestEvent>>,
    ) {
        let facts = RequestFacts::from_history(history);
        let date = |at: DateTime<Utc>| calendar.local_date(at).unwrap_or(at.date_naive());
        if facts.submitted_at.is_none() {
            return;
        }
        // Counts saturate: the fields are public, so a caller may start
        // from any value.
        fn bump(count: &mut u64, by: u64) {
            *count = count.saturating_add(by);
        }
        bump(&mut self.requests, 1);
        bump(&mut self.accepted, u64::from(facts.accepted_at.is_some()));
        bump(&mut self.overdue, u64::from(facts.overdue));
        if let (Some(accepted), Some((at, promised))) = (facts.accepted_at, facts.concluded) {
            bump(&mut self.completed, 1);
            bump(&mut self.completed_on_time, u64::from(at < promised));
            bump(
                &mut self.working_days_to_completion,
                u64::from(calendar.count_working_days(date(accepted), date(at))),
            );
        }
        bump(&mut self.good_reviews, u64::from(facts.good_reviews));
        bump(&mut self.bad_reviews, u64::from(facts.bad_reviews));
    }

    /// Folds many requests' histories.
    pub fn from_histories<'a, H>(
        calendar: &WorkingCalendar,
        histories: impl IntoIterator<Item = H>,
    ) -> Self
    where
        H: IntoIterator<Item = &'a Recorded<ServiceRequestEvent>>,
    {
        let mut metrics = HallMetrics::default();
        for history in histories {
            metrics.add(calendar, history);
        }
        metrics
    }

    /// The share of completed requests completed on time; `None` when none
    /// was completed.
    pub fn on_time_rate(&self) -> Option<f64> {
        ratio(self.completed_on_time, self.completed)
    }

    /// The average working days from acceptance to completion; `None` when
    /// none was completed.
    pub fn average_working_days_to_completion(&self) -> Option<f64> {
        ratio(self.working_days_to_completion, self.completed)
    }

    /// The share of reviews that were good; `None` without reviews.
    pub fn good_review_rate(&self) -> Option<f64> {
        ratio(
            self.good_reviews,
            self.good_reviews.saturating_add(self.bad_reviews),
        )
    }
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}
