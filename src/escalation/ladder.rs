//! [`Ladder`]: the escalation machine, on the kernel.

use crate::workflow::HasKind;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::policy::{Band, EscalationPolicy, PolicyBook, PolicyRef};
use crate::actor::{Actor, Forbidden, Role};
use crate::calendar::{CalendarError, WorkingCalendar};
use crate::id::{ActorId, OrgId};
use crate::org::{Need, OrgGraph, OrgGraphError, Route};
use crate::tier::{Severity, Tier};
use crate::workflow::{Context, Decision, Transition, Workflow};

/// Why a matter moved up a tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EscalationReason {
    /// It waited past its tier's time limit (recorded by a `Tick`).
    TimedOut,
    /// Handling at the tier failed (a mediation that did not settle).
    HandlingFailed,
    /// Its severity was raised above what the tier may handle.
    SeverityRaised,
    /// A party asked for it to go up.
    RequestedByParty,
    /// A supervisor sent it up.
    Supervision,
}

/// What raises a matter's severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeverityCause {
    /// The dispute may intensify (the early-warning flag).
    RiskOfIntensifying,
    /// Many parties are involved.
    ManyParties,
    /// Someone's safety is at stake.
    Safety,
    /// The same complaint keeps coming back.
    RepeatComplaints,
}

/// Where a matter goes when the ladder is exhausted, or when mediation ends
/// without agreement: the routes the law leaves open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Referral {
    /// Arbitration (仲裁), e.g. a labour arbitration commission.
    Arbitration,
    /// Litigation (诉讼) before a people's court.
    Litigation,
    /// Handling by the competent administrative department.
    Administrative,
}

/// Passing the ceiling: who allowed it and why, in writing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    /// The officer of the higher tier who allowed it.
    pub by: ActorId,
    /// The written reason.
    pub justification: String,
}

/// Where supervision of an overdue matter stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "stage")]
pub enum Supervision {
    /// Not under supervision.
    None,
    /// A reminder was sent; a written notice follows at `notice_due`.
    Reminded {
        /// When the written notice falls due.
        notice_due: DateTime<Utc>,
    },
    /// A written notice was issued.
    Noticed,
}

/// Where a matter stands on the ladder while it is handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rung {
    /// Where the matter arose (an org-graph node).
    pub location: OrgId,
    /// What it needs (mediation of a dispute kind, a service category).
    pub need: Need,
    /// The policy it started under, kept for its whole life.
    pub policy: PolicyRef,
    /// Its severity now.
    pub severity: Severity,
    /// Its band under that severity.
    pub band: Band,
    /// The tier handling it.
    pub tier: Tier,
    /// The body handling it (routed through the org graph).
    pub handler: OrgId,
    /// When it reached this tier.
    pub since: DateTime<Utc>,
    /// When this tier's time runs out, if the policy limits it.
    pub due: Option<DateTime<Utc>>,
    /// Where supervision stands.
    pub supervision: Supervision,
}

/// The state of a matter on the ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, HasKind)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum LadderState {
    /// Not started.
    Idle,
    /// Handled at a tier.
    Handling(Rung),
    /// At the top with nowhere left to go: it must be resolved or referred
    /// out.
    Exhausted(Rung),
    /// Resolved at a tier. Terminal.
    Resolved {
        /// Where it stood when it was resolved.
        rung: Rung,
        /// When.
        at: DateTime<Utc>,
    },
    /// Referred out of the ladder. Terminal.
    ReferredOut {
        /// Where it stood.
        rung: Rung,
        /// Where it went.
        to: Referral,
    },
}

impl LadderState {
    /// The rung, unless the ladder has not started.
    pub fn rung(&self) -> Option<&Rung> {
        match self {
            LadderState::Idle => None,
            LadderState::Handling(r) | LadderState::Exhausted(r) => Some(r),
            LadderState::Resolved { rung, .. } | LadderState::ReferredOut { rung, .. } => {
                Some(rung)
            }
        }
    }

    /// The tier the matter is (or was last) handled at.
    pub fn tier(&self) -> Option<Tier> {
        self.rung().map(|r| r.tier)
    }

    /// When a `Tick` could next change the matter (see
    /// [`Workflow::next_due`]): while handled, the tier's due date — or,
    /// once reminded at the ceiling, the written notice's date (never
    /// before the due date); nothing once noticed, exhausted, resolved,
    /// referred out or not started.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        let LadderState::Handling(rung) = self else {
            return None;
        };
        match rung.supervision {
            Supervision::None => rung.due,
            Supervision::Reminded { notice_due } => rung.due.map(|due| due.max(notice_due)),
            Supervision::Noticed => None,
        }
    }
}

/// A command to the ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, HasKind)]
#[serde(rename_all = "snake_case", tag = "command")]
#[non_exhaustive]
pub enum LadderCommand {
    /// Puts a matter on the ladder at the tier its severity starts at.
    Start {
        /// Where it arose.
        location: OrgId,
        /// What it needs.
        need: Need,
        /// How big it is.
        severity: Severity,
        /// The first tier's due date, when the embedding workflow decides
        /// it (a service request's promised date); `None` takes the policy's
        /// limit for the tier.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<DateTime<Utc>>,
    },
    /// Moves the current tier's due date: the embedding workflow's deadline
    /// moved (a suspension ended, an extension was approved), and
    /// supervision follows it. Recorded as [`LadderEvent::Rescheduled`].
    Reschedule {
        /// The new due date.
        due: DateTime<Utc>,
    },
    /// Moves it up one tier, within the ceiling.
    Escalate {
        /// Why (`HandlingFailed`, `RequestedByParty` or `Supervision`;
        /// timeouts come from `Tick`, severity from `RaiseSeverity`).
        reason: EscalationReason,
    },
    /// Moves it up one tier past the ceiling, allowed by an officer of the
    /// higher tier with a written reason.
    Override {
        /// Why it moves.
        reason: EscalationReason,
        /// The written reason for passing the ceiling.
        justification: String,
    },
    /// Raises its severity; if the new band starts above the current tier,
    /// the matter moves up to it.
    RaiseSeverity {
        /// The new severity.
        to: Severity,
        /// What raised it.
        cause: SeverityCause,
    },
    /// Records that it was resolved at its current tier.
    Resolve,
    /// Refers an exhausted matter out of the ladder.
    ReferOut {
        /// Where to.
        to: Referral,
    },
    /// A timer: escalates what waited past its tier's limit, or puts it
    /// under supervision at the ceiling; does nothing otherwise.
    Tick,
}

/// The first step on the ladder, with the routed handler.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Started {
    /// Where the matter arose.
    pub location: OrgId,
    /// What it needs.
    pub need: Need,
    /// Its severity.
    pub severity: Severity,
    /// The policy it starts under.
    pub policy: PolicyRef,
    /// Its band under that policy.
    pub band: Band,
    /// Who handles it first, where and why.
    pub route: Route,
    /// When.
    pub at: DateTime<Utc>,
    /// When the first tier's time runs out.
    pub due: Option<DateTime<Utc>>,
}

/// One step up the ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalated {
    /// The tier it left.
    pub from: Tier,
    /// The tier it reached.
    pub to: Tier,
    /// Why.
    pub reason: EscalationReason,
    /// Who handles it at the new tier, where and why (routed through the org
    /// graph when the step was decided).
    pub route: Route,
    /// When.
    pub at: DateTime<Utc>,
    /// When the new tier's time runs out.
    pub due: Option<DateTime<Utc>>,
    /// Present when the step passed the ceiling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overridden: Option<Override>,
}

/// A fact about a matter on the ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, HasKind)]
#[serde(rename_all = "snake_case", tag = "event")]
#[non_exhaustive]
pub enum LadderEvent {
    /// The matter was put on the ladder.
    Started(Started),
    /// It moved up.
    Escalated(Escalated),
    /// Its severity was raised.
    SeverityRaised {
        /// The old severity.
        from: Severity,
        /// The new one.
        to: Severity,
        /// What raised it.
        cause: SeverityCause,
        /// The band under the new severity.
        band: Band,
    },
    /// The current tier's due date moved (see
    /// [`LadderCommand::Reschedule`]).
    Rescheduled {
        /// The tier.
        tier: Tier,
        /// The new due date.
        due: DateTime<Utc>,
    },
    /// It waited past its limit at the ceiling: a supervision reminder was
    /// sent to the handler.
    SupervisionReminded {
        /// The tier.
        tier: Tier,
        /// The body reminded.
        handler: OrgId,
        /// When a written notice follows if it is still open.
        notice_due: DateTime<Utc>,
    },
    /// A written supervision notice was issued.
    SupervisionNoticeIssued {
        /// The tier.
        tier: Tier,
        /// The body noticed.
        handler: OrgId,
    },
    /// An escalation was asked for at the top: nowhere left to go.
    Exhausted {
        /// The top tier reached.
        tier: Tier,
    },
    /// Resolved at a tier.
    Resolved {
        /// The tier.
        tier: Tier,
        /// The body that resolved it.
        handler: OrgId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Referred out of the ladder.
    ReferredOut {
        /// The tier it stood at.
        tier: Tier,
        /// Where it went.
        to: Referral,
    },
}

/// Why the ladder refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LadderError {
    /// The actor lacks the role the command needs.
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    /// The command does not apply in the ladder's state.
    #[error("command {command} does not apply to a matter that is {state}")]
    NotApplicable {
        /// The command's kind.
        command: LadderCommandKind,
        /// The state's kind.
        state: LadderStateKind,
    },
    /// The next tier is above the ceiling: only an override may pass it.
    #[error(
        "escalating from {tier} to {next} passes the ceiling {ceiling}: it needs an override by an {needed}"
    )]
    CeilingReached {
        /// The current tier.
        tier: Tier,
        /// The tier above.
        next: Tier,
        /// The ceiling.
        ceiling: Tier,
        /// The role whose override is needed.
        needed: Role,
    },
    /// An override was asked for below the ceiling, where none is needed.
    #[error(
        "escalating from {tier} to {next} stays within the ceiling {ceiling}: no override is needed"
    )]
    OverrideNotNeeded {
        /// The current tier.
        tier: Tier,
        /// The tier above.
        next: Tier,
        /// The ceiling.
        ceiling: Tier,
    },
    /// An override without a written reason.
    #[error("an override past the ceiling needs a written reason")]
    MissingJustification,
    /// The reason may not be given to `Escalate`.
    #[error("{reason:?} is recorded by {by}, not by an escalate command")]
    ReasonNotAllowed {
        /// The reason.
        reason: EscalationReason,
        /// The command that records it.
        by: LadderCommandKind,
    },
    /// No body handles the need at the tier the matter would move to.
    #[error("no body handles {need} for {location} at the {tier} tier")]
    NoHandler {
        /// Where the matter arose.
        location: OrgId,
        /// The tier.
        tier: Tier,
        /// The need.
        need: Need,
    },
    /// The org graph could not route the matter.
    #[error("routing failed: {0}")]
    Routing(OrgGraphError),
    /// The case's policy is not in the ladder's policy book.
    #[error("the case started under policy {policy}, which this ladder does not have")]
    UnknownPolicy {
        /// The policy.
        policy: PolicyRef,
    },
    /// A deadline could not be computed.
    #[error("deadline: {0}")]
    Calendar(#[from] CalendarError),
    /// The new severity is not higher than the current one.
    #[error("severity {requested} does not raise {current}")]
    SeverityNotRaised {
        /// The current severity.
        current: Severity,
        /// The severity asked for.
        requested: Severity,
    },
}

/// The escalation ladder: a typed state machine that moves a matter up the
/// tiers, routing each step through the org graph.
///
/// Usable on its own ([`Case<Ladder>`](crate::workflow::Case)) for any
/// matter, and embedded by the dispute and service-request workflows through
/// [`Ladder::decide_embedded`].
#[derive(Debug, Clone)]
pub struct Ladder {
    policies: Arc<PolicyBook>,
    graph: Arc<OrgGraph>,
    calendar: Arc<WorkingCalendar>,
}

impl Ladder {
    /// A ladder deciding with `policies`, routing through `graph` and
    /// counting deadlines on `calendar`.
    ///
    /// Each part may be given as a value or as an `Arc` shared with the
    /// rest of the program.
    pub fn new(
        policies: impl Into<Arc<PolicyBook>>,
        graph: impl Into<Arc<OrgGraph>>,
        calendar: impl Into<Arc<WorkingCalendar>>,
    ) -> Self {
        Self {
            policies: policies.into(),
            graph: graph.into(),
            calendar: calendar.into(),
        }
    }

    /// Whether `command` applies to a matter in `state` at all, before any
    /// rule or permission is looked at.
    pub fn applies(state: &LadderState, command: &LadderCommand) -> bool {
        matches!(
            (state, command),
            (LadderState::Idle, LadderCommand::Start { .. })
                | (
                    LadderState::Handling(_),
                    LadderCommand::Escalate { .. } | LadderCommand::Override { .. }
                )
                | (
                    LadderState::Handling(_) | LadderState::Exhausted(_),
                    LadderCommand::RaiseSeverity { .. }
                        | LadderCommand::Resolve
                        | LadderCommand::Reschedule { .. }
                )
                | (LadderState::Exhausted(_), LadderCommand::ReferOut { .. })
                | (_, LadderCommand::Tick)
        )
    }

    /// The policy book.
    pub fn policies(&self) -> &PolicyBook {
        &self.policies
    }

    /// The organisation graph.
    pub fn graph(&self) -> &OrgGraph {
        &self.graph
    }

    /// The working calendar.
    pub fn calendar(&self) -> &WorkingCalendar {
        &self.calendar
    }

    /// Checks who may send `command` in `state`.
    ///
    /// # Errors
    ///
    /// [`LadderError::Forbidden`] naming the actor, the action and the role
    /// needed.
    pub fn authorize(
        &self,
        state: &LadderState,
        command: &LadderCommand,
        actor: &Actor,
    ) -> Result<(), LadderError> {
        let handler_or_officer = |action: &str| -> Result<(), LadderError> {
            match state.rung() {
                Some(r) if actor.acts_for(&r.handler) => Ok(()),
                Some(r) => Ok(actor.require(action, Role::Officer(r.tier))?),
                None => Ok(()),
            }
        };
        match command {
            LadderCommand::Start { .. } => Ok(actor.require_any(
                "start an escalation",
                &[
                    Role::Officer(Tier::Grid),
                    Role::GridWorker,
                    Role::HallClerk,
                    Role::AgentClerk,
                    Role::Mediator,
                    Role::System,
                ],
            )?),
            LadderCommand::Escalate { reason } => match reason {
                EscalationReason::RequestedByParty => Ok(actor.require("escalate", Role::Party)?),
                EscalationReason::Supervision => Ok(actor.require("escalate", Role::Supervisor)?),
                _ => handler_or_officer("escalate"),
            },
            LadderCommand::Override { .. } => {
                let next = state
                    .rung()
                    .and_then(|r| r.tier.above())
                    .unwrap_or(Tier::Municipal);
                Ok(actor.require("override the ceiling", Role::Officer(next))?)
            }
            LadderCommand::RaiseSeverity { .. } => Ok(actor.require_any(
                "raise the severity",
                &[
                    Role::Officer(Tier::Grid),
                    Role::GridWorker,
                    Role::Mediator,
                    Role::Supervisor,
                    Role::System,
                ],
            )?),
            LadderCommand::Resolve => handler_or_officer("resolve"),
            LadderCommand::Reschedule { .. } => handler_or_officer("reschedule"),
            LadderCommand::ReferOut { .. } => handler_or_officer("refer out"),
            LadderCommand::Tick => Ok(actor.require("tick", Role::System)?),
        }
    }

    /// The ladder's rules without the permission check: for workflows that
    /// embed the ladder and decide themselves who may act (a dispute lets
    /// its mediator report a failed mediation, say).
    ///
    /// # Errors
    ///
    /// Every [`LadderError`] but [`Forbidden`](LadderError::Forbidden).
    pub fn decide_embedded(
        &self,
        state: &LadderState,
        command: &LadderCommand,
        ctx: &Context<'_>,
    ) -> Result<Decision<LadderEvent>, LadderError> {
        let not_applicable = || LadderError::NotApplicable {
            command: command.kind(),
            state: state.kind(),
        };
        let at = ctx.at();
        match (state, command) {
            (
                LadderState::Idle,
                LadderCommand::Start {
                    location,
                    need,
                    severity,
                    due: given,
                },
            ) => {
                let policy = self.policies.current();
                let band = policy.band(Some(need), *severity);
                let (route, due) = self.first_route(policy, location, need, band.start, at)?;
                let due = given.or(due);
                Ok(LadderEvent::Started(Started {
                    location: location.clone(),
                    need: *need,
                    severity: *severity,
                    policy: policy.reference().clone(),
                    band,
                    route,
                    at,
                    due,
                })
                .into())
            }
            (LadderState::Handling(rung), LadderCommand::Escalate { reason }) => match reason {
                EscalationReason::TimedOut => Err(LadderError::ReasonNotAllowed {
                    reason: *reason,
                    by: LadderCommandKind::Tick,
                }),
                EscalationReason::SeverityRaised => Err(LadderError::ReasonNotAllowed {
                    reason: *reason,
                    by: LadderCommandKind::RaiseSeverity,
                }),
                _ => self.step_up(rung, *reason, None, ctx),
            },
            (
                LadderState::Handling(rung),
                LadderCommand::Override {
                    reason,
                    justification,
                },
            ) => {
                if justification.trim().is_empty() {
                    return Err(LadderError::MissingJustification);
                }
                let overridden = Override {
                    by: ctx.actor().id().clone(),
                    justification: justification.clone(),
                };
                self.step_up(rung, *reason, Some(overridden), ctx)
            }
            (
                LadderState::Handling(rung) | LadderState::Exhausted(rung),
                LadderCommand::RaiseSeverity { to, cause },
            ) => {
                if *to <= rung.severity {
                    return Err(LadderError::SeverityNotRaised {
                        current: rung.severity,
                        requested: *to,
                    });
                }
                let policy = self.policy_of(rung)?;
                let band = policy.band(Some(&rung.need), *to);
                let raised = LadderEvent::SeverityRaised {
                    from: rung.severity,
                    to: *to,
                    cause: *cause,
                    band,
                };
                if matches!(state, LadderState::Handling(_)) && band.start > rung.tier {
                    let (route, due) =
                        self.first_route(policy, &rung.location, &rung.need, band.start, at)?;
                    Ok(Decision::one(raised).and(LadderEvent::Escalated(Escalated {
                        from: rung.tier,
                        to: route.tier,
                        reason: EscalationReason::SeverityRaised,
                        route,
                        at,
                        due,
                        overridden: None,
                    })))
                } else {
                    Ok(raised.into())
                }
            }
            (
                LadderState::Handling(rung) | LadderState::Exhausted(rung),
                LadderCommand::Resolve,
            ) => Ok(LadderEvent::Resolved {
                tier: rung.tier,
                handler: rung.handler.clone(),
                at,
            }
            .into()),
            (
                LadderState::Handling(rung) | LadderState::Exhausted(rung),
                LadderCommand::Reschedule { due },
            ) => Ok(LadderEvent::Rescheduled {
                tier: rung.tier,
                due: *due,
            }
            .into()),
            (LadderState::Exhausted(rung), LadderCommand::ReferOut { to }) => {
                Ok(LadderEvent::ReferredOut {
                    tier: rung.tier,
                    to: *to,
                }
                .into())
            }
            (LadderState::Handling(rung), LadderCommand::Tick) => self.tick(rung, ctx),
            (_, LadderCommand::Tick) => Ok(Decision::none()),
            _ => Err(not_applicable()),
        }
    }

    /// The policy a rung started under.
    fn policy_of(&self, rung: &Rung) -> Result<&EscalationPolicy, LadderError> {
        self.policies
            .get(&rung.policy)
            .ok_or_else(|| LadderError::UnknownPolicy {
                policy: rung.policy.clone(),
            })
    }

    fn date(&self, at: DateTime<Utc>) -> Result<NaiveDate, LadderError> {
        Ok(self.calendar.local_date(at)?)
    }

    fn due(
        &self,
        policy: &EscalationPolicy,
        tier: Tier,
        at: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, LadderError> {
        policy
            .limit(tier)
            .map(|limit| self.calendar.deadline(at, limit))
            .transpose()
            .map_err(LadderError::from)
    }

    /// Routes at the lowest tier from `tier` up where the location has an
    /// ancestor (and not below the location's own tier).
    fn first_route(
        &self,
        policy: &EscalationPolicy,
        location: &OrgId,
        need: &Need,
        tier: Tier,
        at: DateTime<Utc>,
    ) -> Result<(Route, Option<DateTime<Utc>>), LadderError> {
        let own = self
            .graph
            .org(location)
            .and_then(|o| o.kind.tier())
            .unwrap_or(Tier::Grid);
        let mut candidate = Some(tier.max(own));
        while let Some(t) = candidate {
            match self.route(location, t, need, at)? {
                Some(route) => {
                    let due = self.due(policy, route.tier, at)?;
                    return Ok((route, due));
                }
                None => candidate = t.above(),
            }
        }
        Err(LadderError::Routing(OrgGraphError::NoAncestorAt {
            location: location.clone(),
            tier,
        }))
    }

    /// `Ok(None)` when the location has no body at that tier (the tier is
    /// skipped); a typed error when there is one but nobody handles the need.
    fn route(
        &self,
        location: &OrgId,
        tier: Tier,
        need: &Need,
        at: DateTime<Utc>,
    ) -> Result<Option<Route>, LadderError> {
        match self.graph.route(location, tier, need, self.date(at)?) {
            Ok(route) => Ok(Some(route)),
            Err(OrgGraphError::NoAncestorAt { .. }) => Ok(None),
            Err(OrgGraphError::NoHandler {
                location,
                tier,
                need,
            }) => Err(LadderError::NoHandler {
                location,
                tier,
                need,
            }),
            Err(e) => Err(LadderError::Routing(e)),
        }
    }

    /// The next tier up that the location has a body at, if any.
    fn next_tier(&self, rung: &Rung) -> Result<Option<Tier>, LadderError> {
        let mut t = rung.tier.above();
        while let Some(tier) = t {
            match self.graph.ancestor_at(&rung.location, tier) {
                Ok(_) => return Ok(Some(tier)),
                Err(OrgGraphError::NoAncestorAt { .. }) => t = tier.above(),
                Err(e) => return Err(LadderError::Routing(e)),
            }
        }
        Ok(None)
    }

    fn step_up(
        &self,
        rung: &Rung,
        reason: EscalationReason,
        overridden: Option<Override>,
        ctx: &Context<'_>,
    ) -> Result<Decision<LadderEvent>, LadderError> {
        let Some(next) = self.next_tier(rung)? else {
            return Ok(LadderEvent::Exhausted { tier: rung.tier }.into());
        };
        self.step_up_to(rung, next, reason, overridden, ctx)
    }

    /// One step up to `next`, the tier above `rung` that the location has.
    fn step_up_to(
        &self,
        rung: &Rung,
        next: Tier,
        reason: EscalationReason,
        overridden: Option<Override>,
        ctx: &Context<'_>,
    ) -> Result<Decision<LadderEvent>, LadderError> {
        let ceiling = rung.band.ceiling;
        match (&overridden, next > ceiling) {
            (None, true) => {
                return Err(LadderError::CeilingReached {
                    tier: rung.tier,
                    next,
                    ceiling,
                    needed: Role::Officer(next),
                });
            }
            (Some(_), false) => {
                return Err(LadderError::OverrideNotNeeded {
                    tier: rung.tier,
                    next,
                    ceiling,
                });
            }
            _ => {}
        }
        let policy = self.policy_of(rung)?;
        let route = self
            .route(&rung.location, next, &rung.need, ctx.at())?
            .ok_or_else(|| LadderError::NoHandler {
                location: rung.location.clone(),
                tier: next,
                need: rung.need,
            })?;
        let due = self.due(policy, next, ctx.at())?;
        Ok(LadderEvent::Escalated(Escalated {
            from: rung.tier,
            to: next,
            reason,
            route,
            at: ctx.at(),
            due,
            overridden,
        })
        .into())
    }

    fn tick(&self, rung: &Rung, ctx: &Context<'_>) -> Result<Decision<LadderEvent>, LadderError> {
        let at = ctx.at();
        let Some(due) = rung.due else {
            return Ok(Decision::none());
        };
        if at < due {
            return Ok(Decision::none());
        }
        let within = self
            .next_tier(rung)?
            .filter(|next| *next <= rung.band.ceiling);
        if let Some(next) = within {
            match self.step_up_to(rung, next, EscalationReason::TimedOut, None, ctx) {
                // Nobody above handles the need: the matter stays and is
                // supervised here, as at the ceiling — a timer that could
                // only be refused would leave it overdue and unnoticed.
                Err(LadderError::NoHandler { .. }) => {}
                decided => return decided,
            }
        }
        // At the ceiling (or the top), or nobody above handles it:
        // supervision instead of escalation.
        match rung.supervision {
            Supervision::None => {
                let policy = self.policy_of(rung)?;
                let notice_due = self.calendar.deadline(at, policy.supervision())?;
                Ok(LadderEvent::SupervisionReminded {
                    tier: rung.tier,
                    handler: rung.handler.clone(),
                    notice_due,
                }
                .into())
            }
            Supervision::Reminded { notice_due } if at >= notice_due => {
                Ok(LadderEvent::SupervisionNoticeIssued {
                    tier: rung.tier,
                    handler: rung.handler.clone(),
                }
                .into())
            }
            _ => Ok(Decision::none()),
        }
    }
}

/// Applies a ladder event to a rung; shared by the states that hold one.
fn evolve_rung(mut rung: Rung, event: &LadderEvent) -> Rung {
    match event {
        LadderEvent::Escalated(e) => {
            rung.tier = e.to;
            rung.handler = e.route.handler.clone();
            rung.since = e.at;
            rung.due = e.due;
            rung.supervision = Supervision::None;
        }
        LadderEvent::SeverityRaised { to, band, .. } => {
            // Supervision is what a matter stuck at its ceiling gets; a
            // higher ceiling unsticks it, and its timer runs again.
            if band.ceiling > rung.band.ceiling {
                rung.supervision = Supervision::None;
            }
            rung.severity = *to;
            rung.band = *band;
        }
        LadderEvent::SupervisionReminded { notice_due, .. } => {
            rung.supervision = Supervision::Reminded {
                notice_due: *notice_due,
            };
        }
        LadderEvent::SupervisionNoticeIssued { .. } => rung.supervision = Supervision::Noticed,
        LadderEvent::Rescheduled { due, .. } => rung.due = Some(*due),
        _ => {}
    }
    rung
}

impl Workflow for Ladder {
    const NAME: &'static str = "escalation";
    type State = LadderState;
    type Command = LadderCommand;
    type Event = LadderEvent;
    type Rejection = LadderError;

    fn initial() -> LadderState {
        LadderState::Idle
    }

    fn decide(
        &self,
        state: &LadderState,
        command: &LadderCommand,
        ctx: &Context<'_>,
    ) -> Result<Decision<LadderEvent>, LadderError> {
        if !Self::applies(state, command) {
            return Err(LadderError::NotApplicable {
                command: command.kind(),
                state: state.kind(),
            });
        }
        self.authorize(state, command, ctx.actor())?;
        self.decide_embedded(state, command, ctx)
    }

    fn evolve(state: LadderState, event: &LadderEvent) -> LadderState {
        match (state, event) {
            (LadderState::Idle, LadderEvent::Started(s)) => LadderState::Handling(Rung {
                location: s.location.clone(),
                need: s.need,
                policy: s.policy.clone(),
                severity: s.severity,
                band: s.band,
                tier: s.route.tier,
                handler: s.route.handler.clone(),
                since: s.at,
                due: s.due,
                supervision: Supervision::None,
            }),
            (LadderState::Handling(rung), LadderEvent::Exhausted { .. }) => {
                LadderState::Exhausted(rung)
            }
            (
                LadderState::Handling(rung) | LadderState::Exhausted(rung),
                LadderEvent::Resolved { at, .. },
            ) => LadderState::Resolved { rung, at: *at },
            (LadderState::Exhausted(rung), LadderEvent::ReferredOut { to, .. }) => {
                LadderState::ReferredOut { rung, to: *to }
            }
            (LadderState::Handling(rung), e) => LadderState::Handling(evolve_rung(rung, e)),
            (LadderState::Exhausted(rung), e) => LadderState::Exhausted(evolve_rung(rung, e)),
            (state, _) => state,
        }
    }

    fn is_terminal(state: &LadderState) -> bool {
        matches!(
            state,
            LadderState::Resolved { .. } | LadderState::ReferredOut { .. }
        )
    }

    fn next_due(state: &LadderState) -> Option<DateTime<Utc>> {
        state.next_due()
    }

    fn timer_command() -> Option<LadderCommand> {
        Some(LadderCommand::Tick)
    }

    fn transitions() -> &'static [Transition<LadderStateKind, LadderEventKind>] {
        use {LadderEventKind as E, LadderStateKind as S};
        const TABLE: &[Transition<S, E>] = &[
            Transition::new(S::Idle, E::Started, S::Handling),
            Transition::new(S::Handling, E::Escalated, S::Handling),
            Transition::new(S::Handling, E::SeverityRaised, S::Handling),
            Transition::new(S::Handling, E::Rescheduled, S::Handling),
            Transition::new(S::Exhausted, E::Rescheduled, S::Exhausted),
            Transition::new(S::Handling, E::SupervisionReminded, S::Handling),
            Transition::new(S::Handling, E::SupervisionNoticeIssued, S::Handling),
            Transition::new(S::Handling, E::Exhausted, S::Exhausted),
            Transition::new(S::Handling, E::Resolved, S::Resolved),
            Transition::new(S::Exhausted, E::SeverityRaised, S::Exhausted),
            Transition::new(S::Exhausted, E::Resolved, S::Resolved),
            Transition::new(S::Exhausted, E::ReferredOut, S::ReferredOut),
        ];
        TABLE
    }
}
