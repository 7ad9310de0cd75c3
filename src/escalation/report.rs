//! Reports folded from ladder histories: where each matter was resolved,
//! the share resolved at or below the ceiling ("small matters stayed in the
//! park"), and time spent per tier.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::ladder::{LadderEvent, Referral};
use crate::tier::Tier;
use crate::workflow::Recorded;

/// Events that may carry a ladder event: the ladder's own, and the events
/// of workflows that embed the ladder (a dispute's `Ladder(..)` variant).
pub trait LadderEvents {
    /// The ladder event inside, if this is one.
    fn ladder_event(&self) -> Option<&LadderEvent>;
}

impl LadderEvents for LadderEvent {
    fn ladder_event(&self) -> Option<&LadderEvent> {
        Some(self)
    }
}

/// How a matter left the ladder, if it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Still on the ladder.
    Open,
    /// Resolved at a tier.
    Resolved(Tier),
    /// Referred out from a tier.
    ReferredOut(Tier, Referral),
}

/// What one matter's history says about its climb.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatterReport {
    /// The tier it started at (`None` if the history never started one).
    pub started_at: Option<Tier>,
    /// How it left the ladder.
    pub outcome: Outcome,
    /// The ceiling in force at the end (it moves when severity is raised).
    pub ceiling: Option<Tier>,
    /// Time spent at each tier it reached. An open matter's last tier counts
    /// up to its last recorded event.
    pub time_per_tier: BTreeMap<Tier, Duration>,
    /// How many steps up it took.
    pub escalations: u32,
    /// How many of them passed the ceiling by override.
    pub overrides: u32,
}

impl MatterReport {
    /// Folds one matter's history (a ladder's, or any workflow's that
    /// embeds the ladder).
    pub fn from_history<'a, E: LadderEvents + 'a>(
        history: impl IntoIterator<Item = &'a Recorded<E>>,
    ) -> Self {
        let mut report = MatterReport {
            started_at: None,
            outcome: Outcome::Open,
            ceiling: None,
            time_per_tier: BTreeMap::new(),
            escalations: 0,
            overrides: 0,
        };
        let mut current: Option<(Tier, DateTime<Utc>)> = None;
        let mut last_at = None;
        for r in history {
            last_at = Some(r.at);
            let Some(event) = r.event.ladder_event() else {
                continue;
            };
            match event {
                LadderEvent::Started(s) => {
                    report.started_at = Some(s.route.tier);
                    report.ceiling = Some(s.band.ceiling);
                    current = Some((s.route.tier, r.at));
                }
                LadderEvent::Escalated(e) => {
                    report.add_time(current.take(), r.at);
                    report.escalations = report.escalations.saturating_add(1);
                    report.overrides = report
                        .overrides
                        .saturating_add(u32::from(e.overridden.is_some()));
                    current = Some((e.to, r.at));
                }
                LadderEvent::SeverityRaised { band, .. } => report.ceiling = Some(band.ceiling),
                LadderEvent::Resolved { tier, .. } => {
                    report.add_time(current.take(), r.at);
                    report.outcome = Outcome::Resolved(*tier);
                }
                LadderEvent::ReferredOut { tier, to } => {
                    report.add_time(current.take(), r.at);
                    report.outcome = Outcome::ReferredOut(*tier, *to);
                }
                _ => {}
            }
        }
        if let Some(last) = last_at {
            report.add_time(current, last);
        }
        report
    }

    fn add_time(&mut self, entered: Option<(Tier, DateTime<Utc>)>, left: DateTime<Utc>) {
        if let Some((tier, since)) = entered {
            // Any two of chrono's instants are less than 600,000 years
            // apart, far inside a `Duration`: the difference cannot
            // overflow, the sum can (a history not checked by replay).
            let time = self
                .time_per_tier
                .entry(tier)
                .or_insert_with(Duration::zero);
            *time = saturating_add(*time, left - since);
        }
    }

    /// Whether it was resolved at or below its ceiling; `None` while it is
    /// not resolved.
    pub fn resolved_within_ceiling(&self) -> Option<bool> {
        match (self.outcome, self.ceiling) {
            (Outcome::Resolved(tier), Some(ceiling)) => Some(tier <= ceiling),
            _ => None,
        }
    }
}

/// Many matters' reports added up.
///
/// ```
/// use grassroots::escalation::LadderSummary;
///
/// let summary = LadderSummary::default();
/// assert_eq!(summary.share_within_ceiling(), None); // nothing resolved yet
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LadderSummary {
    /// Matters counted.
    pub matters: u64,
    /// Matters resolved, by the tier they were resolved at.
    pub resolved_at: BTreeMap<Tier, u64>,
    /// Matters resolved at or below their ceiling.
    pub resolved_within_ceiling: u64,
    /// Matters referred out.
    pub referred_out: u64,
    /// Total time spent at each tier, over all matters.
    pub time_per_tier: BTreeMap<Tier, Duration>,
    /// Matters that spent any time at each tier.
    pub matters_per_tier: BTreeMap<Tier, u64>,
}

impl LadderSummary {
    /// Adds one matter.
    ///
    /// Every count and total saturates rather than overflows: a total at
    /// [`Duration::MAX`] (about 292 million years) or a count at
    /// `u64::MAX` stays there.
    pub fn add(&mut self, report: &MatterReport) {
        fn bump(count: &mut u64) {
            *count = count.saturating_add(1);
        }
        bump(&mut self.matters);
        match report.outcome {
            Outcome::Resolved(tier) => bump(self.resolved_at.entry(tier).or_default()),
            Outcome::ReferredOut(..) => bump(&mut self.referred_out),
            Outcome::Open => {}
        }
        if report.resolved_within_ceiling() == Some(true) {
            bump(&mut self.resolved_within_ceiling);
        }
        for (tier, time) in &report.time_per_tier {
            let total = self
                .time_per_tier
                .entry(*tier)
                .or_insert_with(Duration::zero);
            *total = saturating_add(*total, *time);
            bump(self.matters_per_tier.entry(*tier).or_default());
        }
    }

    /// Matters resolved, at any tier (saturating at `u64::MAX`).
    pub fn resolved(&self) -> u64 {
        self.resolved_at
            .values()
            .fold(0u64, |sum, n| sum.saturating_add(*n))
    }

    /// The share of resolved matters resolved at or below their ceiling —
    /// "small matters stayed in the park, big matters stayed in the
    /// community". `None` when nothing was resolved.
    pub fn share_within_ceiling(&self) -> Option<f64> {
        let resolved = self.resolved();
        (resolved > 0).then(|| self.resolved_within_ceiling as f64 / resolved as f64)
    }

    /// The mean time a matter spent at `tier`, over the matters that reached
    /// it.
    pub fn mean_time_at(&self, tier: Tier) -> Option<Duration> {
        let n = *self.matters_per_tier.get(&tier)?;
        let total = self.time_per_tier.get(&tier)?;
        i32::try_from(n).ok().filter(|n| *n > 0).map(|n| *total / n)
    }
}

/// `a + b`, or the bound it passed.
pub(crate) fn saturating_add(a: Duration, b: Duration) -> Duration {
    a.checked_add(&b).unwrap_or(if b < Duration::zero() {
        Duration::MIN
    } else {
        Duration::MAX
    })
}
