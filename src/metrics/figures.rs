//! [`Figures`]: the counts of one row of the metrics, and the [`Rates`]
//! computed from them.

use serde::{Deserialize, Serialize};

use super::facts::{CaseFacts, Exclusion};

/// The counts behind every indicator, for one row: the whole city, one
/// workflow, one tier, one kind of matter or one organisation.
///
/// `received` counts every case; the three exclusions say how many left
/// the rates; every other count is over the *eligible* cases only
/// (received, not excluded). The [module docs](super) define each count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    /// Cases received (reported or submitted).
    pub received: u64,
    /// Of those, withdrawn by a party or the applicant (or, for a
    /// dispute, mediation refused by a party).
    pub withdrawn: u64,
    /// Of those, duplicates of a matter handled elsewhere.
    pub duplicate: u64,
    /// Of those, returned as not the body's to handle.
    pub returned: u64,
    /// Eligible cases answered within the response limit.
    pub responded: u64,
    /// Eligible cases resolved.
    pub resolved: u64,
    /// Of those, resolved on time.
    pub resolved_on_time: u64,
    /// Eligible cases found overdue at least once.
    pub overdue: u64,
    /// Eligible cases the ladder resolved (disputes whose agreement took
    /// effect).
    pub ladder_resolved: u64,
    /// Of those, resolved at or below their ceiling.
    pub within_ceiling: u64,
    /// Steps up the ladder taken by eligible cases.
    pub escalations: u64,
    /// Ratings of eligible cases (follow-up visits, reviews).
    pub ratings: u64,
    /// Of those, satisfied ones.
    pub satisfied: u64,
}

impl Figures {
    /// Adds one case.
    pub fn add(&mut self, facts: &CaseFacts) {
        self.received += 1;
        match facts.excluded {
            Some(Exclusion::Withdrawn) => self.withdrawn += 1,
            Some(Exclusion::Duplicate) => self.duplicate += 1,
            Some(Exclusion::Returned) => self.returned += 1,
            None => {
                self.responded += u64::from(facts.responded);
                self.resolved += u64::from(facts.resolved);
                self.resolved_on_time += u64::from(facts.resolved_on_time == Some(true));
                self.overdue += u64::from(facts.overdue);
                self.ladder_resolved += u64::from(facts.within_ceiling.is_some());
                self.within_ceiling += u64::from(facts.within_ceiling == Some(true));
                self.escalations += u64::from(facts.ladder.escalations);
                self.ratings += u64::from(facts.ratings);
                self.satisfied += u64::from(facts.satisfied);
            }
        }
    }

    /// Adds another row's counts to this one.
    pub fn merge(&mut self, other: &Figures) {
        let Figures {
            received,
            withdrawn,
            duplicate,
            returned,
            responded,
            resolved,
            resolved_on_time,
            overdue,
            ladder_resolved,
            within_ceiling,
            escalations,
            ratings,
            satisfied,
        } = *other;
        self.received += received;
        self.withdrawn += withdrawn;
        self.duplicate += duplicate;
        self.returned += returned;
        self.responded += responded;
        self.resolved += resolved;
        self.resolved_on_time += resolved_on_time;
        self.overdue += overdue;
        self.ladder_resolved += ladder_resolved;
        self.within_ceiling += within_ceiling;
        self.escalations += escalations;
        self.ratings += ratings;
        self.satisfied += satisfied;
    }

    /// Cases excluded from the rates: withdrawn, duplicate or returned.
    pub fn excluded(&self) -> u64 {
        self.withdrawn + self.duplicate + self.returned
    }

    /// Cases the rates are over: received minus excluded.
    pub fn eligible(&self) -> u64 {
        self.received - self.excluded()
    }

    /// Response rate: responded ÷ eligible. `None` without eligible cases.
    pub fn response_rate(&self) -> Option<f64> {
        ratio(self.responded, self.eligible())
    }

    /// Resolution rate: resolved ÷ eligible. `None` without eligible cases.
    pub fn resolution_rate(&self) -> Option<f64> {
        ratio(self.resolved, self.eligible())
    }

    /// Satisfaction rate: satisfied ratings ÷ ratings. `None` without
    /// ratings.
    pub fn satisfaction_rate(&self) -> Option<f64> {
        ratio(self.satisfied, self.ratings)
    }

    /// On-time rate: resolved on time ÷ resolved. `None` with nothing
    /// resolved.
    pub fn on_time_rate(&self) -> Option<f64> {
        ratio(self.resolved_on_time, self.resolved)
    }

    /// Share within the ceiling: resolved by the ladder at or below the
    /// ceiling ÷ resolved by the ladder ("small matters stayed in the
    /// park"). `None` when the ladder resolved nothing.
    pub fn within_ceiling_rate(&self) -> Option<f64> {
        ratio(self.within_ceiling, self.ladder_resolved)
    }

    /// Every rate at once.
    pub fn rates(&self) -> Rates {
        Rates {
            response: self.response_rate(),
            resolution: self.resolution_rate(),
            satisfaction: self.satisfaction_rate(),
            on_time: self.on_time_rate(),
            within_ceiling: self.within_ceiling_rate(),
        }
    }
}

/// The rates of one [`Figures`] row, each `None` when its denominator is
/// zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    /// [`Figures::response_rate`].
    pub response: Option<f64>,
    /// [`Figures::resolution_rate`].
    pub resolution: Option<f64>,
    /// [`Figures::satisfaction_rate`].
    pub satisfaction: Option<f64>,
    /// [`Figures::on_time_rate`].
    pub on_time: Option<f64>,
    /// [`Figures::within_ceiling_rate`].
    pub within_ceiling: Option<f64>,
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}
