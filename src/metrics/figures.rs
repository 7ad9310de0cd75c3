//! [`Figures`]: the counts of one row of the metrics, and the [`Rates`]
//! computed from them.

use serde::{Deserialize, Serialize};

use super::facts::{AgreementOutcome, CaseFacts, Exclusion};

/// The counts behind every indicator, for one row: the whole city, one
/// workflow, one tier, one kind of matter or one organisation.
///
/// `received` counts every case; the three exclusions say how many left
/// the rates; every other count is over the *eligible* cases only
/// (received, not excluded). The [module docs](super) define each count.
///
/// The counts are read through accessors and only [`add`](Self::add) and
/// [`merge`](Self::merge) change them, so they fit together: no more
/// excluded than received; no more responded, resolved, overdue or
/// ladder-resolved than eligible; no more resolved on time than resolved,
/// within the ceiling than ladder-resolved, satisfied than ratings.
/// Deserialising checks the same rules and refuses figures that break one
/// with a [`FiguresError`]. Counts saturate at `u64::MAX` rather than wrap.
///
/// ```
/// use grassroots::metrics::Figures;
///
/// let figures: Figures = serde_json::from_str(r#"{"received": 3, "withdrawn": 1, "resolved": 2}"#)?;
/// assert_eq!(figures.eligible(), 2);
/// assert_eq!(figures.resolution_rate(), Some(1.0));
///
/// // More excluded than received is refused.
/// assert!(serde_json::from_str::<Figures>(r#"{"received": 1, "withdrawn": 2}"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawFigures")]
pub struct Figures {
    received: u64,
    withdrawn: u64,
    duplicate: u64,
    returned: u64,
    responded: u64,
    resolved: u64,
    resolved_on_time: u64,
    overdue: u64,
    ladder_resolved: u64,
    within_ceiling: u64,
    escalations: u64,
    ratings: u64,
    satisfied: u64,
    mediated: u64,
    agreements: u64,
    performed: u64,
}

/// [`Figures`] as read, before they are checked. A missing count is 0.
#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawFigures {
    received: u64,
    withdrawn: u64,
    duplicate: u64,
    returned: u64,
    responded: u64,
    resolved: u64,
    resolved_on_time: u64,
    overdue: u64,
    ladder_resolved: u64,
    within_ceiling: u64,
    escalations: u64,
    ratings: u64,
    satisfied: u64,
    mediated: u64,
    agreements: u64,
    performed: u64,
}

/// Why deserialised [`Figures`] were refused: a count is larger than the
/// count it is part of.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FiguresError {
    /// `part` counts a subset of `whole` but is larger than it.
    #[error("{part} is {value}, more than {whole} ({limit})")]
    PartExceedsWhole {
        /// The count that is too large (`"withdrawn + duplicate + returned"`
        /// for the exclusions together).
        part: &'static str,
        /// Its value (saturated at `u64::MAX` for a sum).
        value: u64,
        /// The count it is part of.
        whole: &'static str,
        /// That count's value.
        limit: u64,
    },
}

impl TryFrom<RawFigures> for Figures {
    type Error = FiguresError;

    fn try_from(raw: RawFigures) -> Result<Self, FiguresError> {
        let RawFigures {
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
            mediated,
            agreements,
            performed,
        } = raw;
        let excluded = u128::from(withdrawn) + u128::from(duplicate) + u128::from(returned);
        if excluded > u128::from(received) {
            return Err(FiguresError::PartExceedsWhole {
                part: "withdrawn + duplicate + returned",
                value: u64::try_from(excluded).unwrap_or(u64::MAX),
                whole: "received",
                limit: received,
            });
        }
        let figures = Figures {
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
            mediated,
            agreements,
            performed,
        };
        let eligible = figures.eligible();
        let rules = [
            ("responded", responded, "eligible", eligible),
            ("resolved", resolved, "eligible", eligible),
            ("overdue", overdue, "eligible", eligible),
            ("ladder_resolved", ladder_resolved, "eligible", eligible),
            ("resolved_on_time", resolved_on_time, "resolved", resolved),
            (
                "within_ceiling",
                within_ceiling,
                "ladder_resolved",
                ladder_resolved,
            ),
            ("satisfied", satisfied, "ratings", ratings),
            ("mediated", mediated, "eligible", eligible),
            ("agreements", agreements, "mediated", mediated),
            ("performed", performed, "agreements", agreements),
        ];
        for (part, value, whole, limit) in rules {
            if value > limit {
                return Err(FiguresError::PartExceedsWhole {
                    part,
                    value,
                    whole,
                    limit,
                });
            }
        }
        Ok(figures)
    }
}

impl Figures {
    /// Cases received (reported or submitted).
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Of those, withdrawn by a party or the applicant (or, for a
    /// dispute, mediation refused by a party).
    pub fn withdrawn(&self) -> u64 {
        self.withdrawn
    }

    /// Of those, duplicates of a matter handled elsewhere.
    pub fn duplicate(&self) -> u64 {
        self.duplicate
    }

    /// Of those, returned as not the body's to handle.
    pub fn returned(&self) -> u64 {
        self.returned
    }

    /// Eligible cases answered within the response limit.
    pub fn responded(&self) -> u64 {
        self.responded
    }

    /// Eligible cases resolved.
    pub fn resolved(&self) -> u64 {
        self.resolved
    }

    /// Of those, resolved on time.
    pub fn resolved_on_time(&self) -> u64 {
        self.resolved_on_time
    }

    /// Eligible cases found overdue at least once.
    pub fn overdue(&self) -> u64 {
        self.overdue
    }

    /// Eligible cases the ladder resolved (disputes whose agreement took
    /// effect).
    pub fn ladder_resolved(&self) -> u64 {
        self.ladder_resolved
    }

    /// Of those, resolved at or below their ceiling.
    pub fn within_ceiling(&self) -> u64 {
        self.within_ceiling
    }

    /// Steps up the ladder taken by eligible cases.
    pub fn escalations(&self) -> u64 {
        self.escalations
    }

    /// Ratings of eligible cases (follow-up visits, reviews).
    pub fn ratings(&self) -> u64 {
        self.ratings
    }

    /// Of those, satisfied ones.
    pub fn satisfied(&self) -> u64 {
        self.satisfied
    }

    /// Eligible cases mediated (mediators assigned). A withdrawn case is
    /// not eligible, so it is in neither this count nor
    /// [`agreements`](Self::agreements): see
    /// [`mediation_success_rate`](Self::mediation_success_rate).
    pub fn mediated(&self) -> u64 {
        self.mediated
    }

    /// Of those, cases whose agreement (written or oral) took effect.
    pub fn agreements(&self) -> u64 {
        self.agreements
    }

    /// Of those, agreements fulfilled (人民调解法 art. 31).
    pub fn performed(&self) -> u64 {
        self.performed
    }

    /// Adds one case. Counts saturate at `u64::MAX`.
    pub fn add(&mut self, facts: &CaseFacts) {
        fn bump(count: &mut u64, by: u64) {
            *count = count.saturating_add(by);
        }
        bump(&mut self.received, 1);
        match facts.excluded {
            Some(Exclusion::Withdrawn) => bump(&mut self.withdrawn, 1),
            Some(Exclusion::Duplicate) => bump(&mut self.duplicate, 1),
            Some(Exclusion::Returned) => bump(&mut self.returned, 1),
            None => {
                bump(&mut self.responded, u64::from(facts.responded));
                bump(&mut self.resolved, u64::from(facts.resolved));
                bump(
                    &mut self.resolved_on_time,
                    u64::from(facts.resolved_on_time == Some(true)),
                );
                bump(&mut self.overdue, u64::from(facts.overdue));
                bump(
                    &mut self.ladder_resolved,
                    u64::from(facts.within_ceiling.is_some()),
                );
                bump(
                    &mut self.within_ceiling,
                    u64::from(facts.within_ceiling == Some(true)),
                );
                bump(&mut self.escalations, u64::from(facts.ladder.escalations));
                bump(&mut self.ratings, u64::from(facts.ratings));
                bump(&mut self.satisfied, u64::from(facts.satisfied));
                // An agreement needs a mediation; a fact that says
                // otherwise still counts the case as mediated, so the
                // parts never exceed their wholes.
                let agreed = facts.agreement.is_some();
                bump(&mut self.mediated, u64::from(facts.mediated || agreed));
                bump(&mut self.agreements, u64::from(agreed));
                bump(
                    &mut self.performed,
                    u64::from(facts.agreement == Some(AgreementOutcome::Fulfilled)),
                );
            }
        }
    }

    /// Adds another row's counts to this one. Each count saturates at
    /// `u64::MAX` rather than wrapping: 18 quintillion cases cannot be
    /// counted, only forged, and a saturated count stays visibly at the
    /// maximum. A build with overflow checks and one without behave alike.
    pub fn merge(&mut self, other: &Figures) {
        self.received = self.received.saturating_add(other.received);
        self.withdrawn = self.withdrawn.saturating_add(other.withdrawn);
        self.duplicate = self.duplicate.saturating_add(other.duplicate);
        self.returned = self.returned.saturating_add(other.returned);
        self.responded = self.responded.saturating_add(other.responded);
        self.resolved = self.resolved.saturating_add(other.resolved);
        self.resolved_on_time = self.resolved_on_time.saturating_add(other.resolved_on_time);
        self.overdue = self.overdue.saturating_add(other.overdue);
        self.ladder_resolved = self.ladder_resolved.saturating_add(other.ladder_resolved);
        self.within_ceiling = self.within_ceiling.saturating_add(other.within_ceiling);
        self.escalations = self.escalations.saturating_add(other.escalations);
        self.ratings = self.ratings.saturating_add(other.ratings);
        self.satisfied = self.satisfied.saturating_add(other.satisfied);
        self.mediated = self.mediated.saturating_add(other.mediated);
        self.agreements = self.agreements.saturating_add(other.agreements);
        self.performed = self.performed.saturating_add(other.performed);
    }

    /// Cases excluded from the rates: withdrawn, duplicate or returned.
    pub fn excluded(&self) -> u64 {
        self.withdrawn
            .saturating_add(self.duplicate)
            .saturating_add(self.returned)
    }

    /// Cases the rates are over: received minus excluded (never below 0).
    pub fn eligible(&self) -> u64 {
        self.received.saturating_sub(self.excluded())
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

    /// Mediation success rate (调解成功率): agreements that took effect ÷
    /// mediated cases. `None` with nothing mediated.
    ///
    /// Withdrawn cases count in neither: a withdrawal (or a refusal of
    /// mediation) is the party's right at any time (人民调解法 art. 23), not
    /// an outcome the mediation reached, and every rate here leaves the
    /// withdrawn out alike ([`Exclusion::Withdrawn`]); they are counted
    /// beside, in [`withdrawn`](Self::withdrawn). Counting them as failures
    /// would make a committee's rate turn on parties' choices to go
    /// elsewhere; counting them as successes would be false.
    pub fn mediation_success_rate(&self) -> Option<f64> {
        ratio(self.agreements, self.mediated)
    }

    /// Performance rate (履行率): agreements fulfilled ÷ agreements in
    /// effect (人民调解法 art. 31). An agreement still being performed
    /// counts in the denominator, as in the common definition: a period's
    /// newest agreements lower it until they are performed. `None`
    /// without agreements.
    pub fn performance_rate(&self) -> Option<f64> {
        ratio(self.performed, self.agreements)
    }

    /// Every rate at once.
    pub fn rates(&self) -> Rates {
        Rates {
            response: self.response_rate(),
            resolution: self.resolution_rate(),
            satisfaction: self.satisfaction_rate(),
            on_time: self.on_time_rate(),
            within_ceiling: self.within_ceiling_rate(),
            mediation_success: self.mediation_success_rate(),
            performance: self.performance_rate(),
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
    /// [`Figures::mediation_success_rate`].
    pub mediation_success: Option<f64>,
    /// [`Figures::performance_rate`].
    pub performance: Option<f64>,
}

/// `part ÷ whole`, at most 1 (a saturated row may hold a part larger than
/// its whole); `None` when `whole` is 0.
fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64).min(1.0))
}
