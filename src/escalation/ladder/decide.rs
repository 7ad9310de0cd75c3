//! [`Ladder`]: the configured machine, and the rules its `decide` holds.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use super::command::{EscalationReason, LadderCommand, LadderCommandKind};
use super::error::LadderError;
use super::event::{Escalated, LadderEvent, LadderEventKind, Override, Started};
use super::state::{LadderState, LadderStateKind, Rung, Supervision};
use super::table::TRANSITIONS;
use crate::actor::{Actor, Role};
use crate::calendar::WorkingCalendar;
use crate::escalation::{EscalationPolicy, PolicyBook};
use crate::id::OrgId;
use crate::org::{Need, OrgGraph, OrgGraphError, Route};
use crate::tier::Tier;
use crate::workflow::{Context, Decision, HasKind, Transition, Workflow};

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
                Some(r) if actor.acts_for(r.handler()) => Ok(()),
                Some(r) => Ok(actor.require(action, Role::Officer(r.tier()))?),
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
                    .and_then(|r| r.tier().above())
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
                if *to <= rung.severity() {
                    return Err(LadderError::SeverityNotRaised {
                        current: rung.severity(),
                        requested: *to,
                    });
                }
                let policy = self.policy_of(rung)?;
                let band = policy.band(Some(rung.need()), *to);
                let raised = LadderEvent::SeverityRaised {
                    from: rung.severity(),
                    to: *to,
                    cause: *cause,
                    band,
                };
                if matches!(state, LadderState::Handling(_)) && band.start > rung.tier() {
                    let (route, due) =
                        self.first_route(policy, rung.location(), rung.need(), band.start, at)?;
                    Ok(Decision::one(raised).and(LadderEvent::Escalated(Escalated {
                        from: rung.tier(),
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
                tier: rung.tier(),
                handler: rung.handler().clone(),
                at,
            }
            .into()),
            (
                LadderState::Handling(rung) | LadderState::Exhausted(rung),
                LadderCommand::Reschedule { due },
            ) => Ok(LadderEvent::Rescheduled {
                tier: rung.tier(),
                due: *due,
            }
            .into()),
            (LadderState::Exhausted(rung), LadderCommand::ReferOut { to }) => {
                Ok(LadderEvent::ReferredOut {
                    tier: rung.tier(),
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
            .get(rung.policy())
            .ok_or_else(|| LadderError::UnknownPolicy {
                policy: rung.policy().clone(),
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
        let mut t = rung.tier().above();
        while let Some(tier) = t {
            match self.graph.ancestor_at(rung.location(), tier) {
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
            return Ok(LadderEvent::Exhausted { tier: rung.tier() }.into());
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
        let ceiling = rung.band().ceiling;
        match (&overridden, next > ceiling) {
            (None, true) => {
                return Err(LadderError::CeilingReached {
                    tier: rung.tier(),
                    next,
                    ceiling,
                    needed: Role::Officer(next),
                });
            }
            (Some(_), false) => {
                return Err(LadderError::OverrideNotNeeded {
                    tier: rung.tier(),
                    next,
                    ceiling,
                });
            }
            _ => {}
        }
        let policy = self.policy_of(rung)?;
        let route = self
            .route(rung.location(), next, rung.need(), ctx.at())?
            .ok_or_else(|| LadderError::NoHandler {
                location: rung.location().clone(),
                tier: next,
                need: *rung.need(),
            })?;
        let due = self.due(policy, next, ctx.at())?;
        Ok(LadderEvent::Escalated(Escalated {
            from: rung.tier(),
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
        let Some(due) = rung.due() else {
            return Ok(Decision::none());
        };
        if at < due {
            return Ok(Decision::none());
        }
        let within = self
            .next_tier(rung)?
            .filter(|next| *next <= rung.band().ceiling);
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
        match rung.supervision() {
            Supervision::None => {
                let policy = self.policy_of(rung)?;
                let notice_due = self.calendar.deadline(at, policy.supervision())?;
                Ok(LadderEvent::SupervisionReminded {
                    tier: rung.tier(),
                    handler: rung.handler().clone(),
                    notice_due,
                }
                .into())
            }
            Supervision::Reminded { notice_due } if at >= notice_due => {
                Ok(LadderEvent::SupervisionNoticeIssued {
                    tier: rung.tier(),
                    handler: rung.handler().clone(),
                }
                .into())
            }
            _ => Ok(Decision::none()),
        }
    }
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
        state.evolve(event)
    }

    #[inline]
    fn evolve_in_place(state: &mut LadderState, event: &LadderEvent) {
        state.apply(event);
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
        TRANSITIONS
    }
}

#[cfg(test)]
mod tests {
    //! The ladder's rules, each on the smallest graph that shows it:
    //! grid-7 ⊂ park (an estate) ⊂ hehua (a community, the top).

    use chrono::{DateTime, TimeDelta, TimeZone, Utc};

    use super::*;
    use crate::actor::Actor;
    use crate::escalation::{Referral, SeverityCause};
    use crate::matter::DisputeKind;
    use crate::org::{Capability, Org, OrgKind, Relation};
    use crate::tier::Severity;
    use crate::workflow::Case;

    fn ladder() -> Ladder {
        let labour = Capability::Mediation(DisputeKind::Labour);
        let mut graph = OrgGraph::new();
        for (id, kind) in [
            ("hehua", OrgKind::Community),
            ("park", OrgKind::IndustrialPark),
            ("grid-7", OrgKind::Grid),
        ] {
            graph
                .try_add_org(Org::new(id.parse().unwrap(), id, kind).with_capability(labour))
                .unwrap();
        }
        for (child, parent) in [("park", "hehua"), ("grid-7", "park")] {
            graph
                .try_link(
                    &child.parse().unwrap(),
                    Relation::PartOf,
                    &parent.parse().unwrap(),
                )
                .unwrap();
        }
        Ladder::new(PolicyBook::default(), graph, WorkingCalendar::prc())
    }

    /// Monday 2 March 2026, 09:00 in Shenzhen.
    fn monday() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
    }

    fn actor(id: &str, role: Role) -> Actor {
        Actor::new(id.parse().unwrap()).with_role(role)
    }

    fn officer(tier: Tier) -> Actor {
        actor(&format!("officer-{tier}"), Role::Officer(tier))
    }

    fn system() -> Actor {
        actor("clock", Role::System)
    }

    fn start(location: &str, severity: Severity) -> LadderCommand {
        LadderCommand::Start {
            location: location.parse().unwrap(),
            need: Need::Mediation(DisputeKind::Labour),
            severity,
            due: None,
        }
    }

    /// A case on `ladder` after `commands`, each sent at `monday()` by a
    /// grid officer.
    struct Given {
        ladder: Ladder,
        case: Case<Ladder>,
    }

    impl Given {
        fn started(location: &str, severity: Severity) -> Self {
            let mut given = Given {
                ladder: ladder(),
                case: Case::new("matter-1".parse().unwrap()),
            };
            given
                .send(start(location, severity), monday(), &officer(Tier::Grid))
                .unwrap();
            given
        }

        fn send(
            &mut self,
            command: LadderCommand,
            at: DateTime<Utc>,
            actor: &Actor,
        ) -> Result<Vec<LadderEvent>, LadderError> {
            self.case
                .handle(&self.ladder, &command, &Context::new(at, actor))
                .map(|recorded| recorded.iter().map(|r| r.event.clone()).collect())
                .map_err(|e| e.rejection().cloned().expect("a rejection"))
        }

        fn rung(&self) -> &Rung {
            self.case.state().rung().expect("on the ladder")
        }

        fn tick(&mut self, at: DateTime<Utc>) -> Vec<LadderEvent> {
            self.send(LadderCommand::Tick, at, &system()).unwrap()
        }
    }

    fn escalate() -> LadderCommand {
        LadderCommand::Escalate {
            reason: EscalationReason::HandlingFailed,
        }
    }

    fn override_ceiling(justification: &str) -> LadderCommand {
        LadderCommand::Override {
            reason: EscalationReason::HandlingFailed,
            justification: justification.into(),
        }
    }

    #[test]
    fn a_minor_matter_starts_at_the_grid_with_the_grid_limit() {
        let given = Given::started("grid-7", Severity::Minor);
        assert_eq!(given.rung().tier(), Tier::Grid);
        assert_eq!(given.rung().band().ceiling, Tier::Estate);
        // Three working days from Monday: the end of Thursday.
        let due = given.rung().due().expect("the grid has a limit");
        assert!(due > monday() + TimeDelta::days(3) && due <= monday() + TimeDelta::days(4));
    }

    #[test]
    fn escalation_stops_at_the_ceiling_without_an_override() {
        let mut given = Given::started("grid-7", Severity::Minor);
        given
            .send(escalate(), monday(), &officer(Tier::Grid))
            .unwrap();
        assert_eq!(given.rung().tier(), Tier::Estate);
        let refused = given
            .send(escalate(), monday(), &officer(Tier::Estate))
            .unwrap_err();
        assert_eq!(
            refused,
            LadderError::CeilingReached {
                tier: Tier::Estate,
                next: Tier::Community,
                ceiling: Tier::Estate,
                needed: Role::Officer(Tier::Community),
            }
        );
        assert_eq!(given.rung().tier(), Tier::Estate);
    }

    #[test]
    fn an_override_is_refused_within_the_ceiling() {
        let mut given = Given::started("grid-7", Severity::Minor);
        let refused = given
            .send(override_ceiling("urgent"), monday(), &officer(Tier::Estate))
            .unwrap_err();
        assert_eq!(
            refused,
            LadderError::OverrideNotNeeded {
                tier: Tier::Grid,
                next: Tier::Estate,
                ceiling: Tier::Estate,
            }
        );
        assert_eq!(given.rung().tier(), Tier::Grid);
    }

    #[test]
    fn an_override_passes_the_ceiling_with_a_written_reason_by_the_higher_tier() {
        let mut given = Given::started("park", Severity::Minor);
        assert_eq!(given.rung().tier(), Tier::Estate);
        let refused = given
            .send(override_ceiling("  "), monday(), &officer(Tier::Community))
            .unwrap_err();
        assert_eq!(refused, LadderError::MissingJustification);
        let refused = given
            .send(override_ceiling("urgent"), monday(), &officer(Tier::Estate))
            .unwrap_err();
        assert!(matches!(refused, LadderError::Forbidden(_)), "{refused:?}");
        let events = given
            .send(
                override_ceiling("urgent"),
                monday(),
                &officer(Tier::Community),
            )
            .unwrap();
        let [LadderEvent::Escalated(step)] = events.as_slice() else {
            panic!("one step up: {events:?}");
        };
        assert_eq!((step.from, step.to), (Tier::Estate, Tier::Community));
        let overridden = step.overridden.as_ref().expect("recorded");
        assert_eq!(overridden.justification, "urgent");
        assert_eq!(given.rung().tier(), Tier::Community);
    }

    #[test]
    fn escalating_at_the_top_exhausts_the_ladder() {
        let mut given = Given::started("hehua", Severity::Critical);
        assert_eq!(given.rung().tier(), Tier::Community);
        let events = given
            .send(escalate(), monday(), &officer(Tier::Community))
            .unwrap();
        assert_eq!(
            events,
            [LadderEvent::Exhausted {
                tier: Tier::Community
            }]
        );
        assert!(matches!(given.case.state(), LadderState::Exhausted(_)));
        let refused = given
            .send(escalate(), monday(), &officer(Tier::Community))
            .unwrap_err();
        assert!(matches!(refused, LadderError::NotApplicable { .. }));
        let events = given
            .send(
                LadderCommand::ReferOut {
                    to: Referral::Litigation,
                },
                monday(),
                &officer(Tier::Community),
            )
            .unwrap();
        assert_eq!(events.len(), 1);
        assert!(matches!(
            given.case.state(),
            LadderState::ReferredOut { .. }
        ));
    }

    #[test]
    fn a_timeout_moves_up_within_the_ceiling_and_not_before_the_due_date() {
        let mut given = Given::started("grid-7", Severity::Minor);
        let due = given.rung().due().unwrap();
        assert_eq!(given.tick(due - TimeDelta::seconds(1)), []);
        let events = given.tick(due);
        let [LadderEvent::Escalated(step)] = events.as_slice() else {
            panic!("one step up: {events:?}");
        };
        assert_eq!(step.reason, EscalationReason::TimedOut);
        assert_eq!(given.rung().tier(), Tier::Estate);
        assert_eq!(given.rung().since(), due);
    }

    #[test]
    fn supervision_reminds_then_notices_once_per_stage() {
        let mut given = Given::started("park", Severity::Minor);
        let due = given.rung().due().unwrap();
        // At the ceiling: a reminder, not a step up.
        let events = given.tick(due);
        let [LadderEvent::SupervisionReminded { notice_due, .. }] = events.as_slice() else {
            panic!("a reminder: {events:?}");
        };
        let notice_due = *notice_due;
        assert_eq!(given.rung().tier(), Tier::Estate);
        assert_eq!(
            given.rung().supervision(),
            Supervision::Reminded { notice_due }
        );
        // No second reminder while the notice is not due.
        assert_eq!(given.tick(notice_due - TimeDelta::seconds(1)), []);
        let events = given.tick(notice_due);
        assert!(
            matches!(
                events.as_slice(),
                [LadderEvent::SupervisionNoticeIssued { .. }]
            ),
            "{events:?}"
        );
        assert_eq!(given.rung().supervision(), Supervision::Noticed);
        // Once noticed, nothing more at this stage.
        assert_eq!(given.tick(notice_due + TimeDelta::days(30)), []);
        // A new stage (an override up) starts supervision afresh.
        let later = notice_due + TimeDelta::days(30);
        given
            .send(override_ceiling("urgent"), later, &officer(Tier::Community))
            .unwrap();
        assert_eq!(given.rung().supervision(), Supervision::None);
        let due = given.rung().due().unwrap();
        let events = given.tick(due);
        assert!(
            matches!(events.as_slice(), [LadderEvent::SupervisionReminded { .. }]),
            "{events:?}"
        );
    }

    #[test]
    fn reschedule_moves_the_due_date_and_ticks_follow_it() {
        let mut given = Given::started("grid-7", Severity::Minor);
        let due = given.rung().due().unwrap();
        let later = due + TimeDelta::days(7);
        let events = given
            .send(
                LadderCommand::Reschedule { due: later },
                monday(),
                &officer(Tier::Grid),
            )
            .unwrap();
        assert_eq!(
            events,
            [LadderEvent::Rescheduled {
                tier: Tier::Grid,
                due: later
            }]
        );
        assert_eq!(given.rung().due(), Some(later));
        assert_eq!(given.tick(due), []);
        assert_eq!(given.rung().tier(), Tier::Grid);
        assert_eq!(given.tick(later).len(), 1);
        assert_eq!(given.rung().tier(), Tier::Estate);
    }

    #[test]
    fn a_given_due_date_at_start_replaces_the_policy_limit() {
        let mut given = Given {
            ladder: ladder(),
            case: Case::new("matter-1".parse().unwrap()),
        };
        let promised = monday() + TimeDelta::days(20);
        let command = LadderCommand::Start {
            location: "grid-7".parse().unwrap(),
            need: Need::Mediation(DisputeKind::Labour),
            severity: Severity::Minor,
            due: Some(promised),
        };
        given.send(command, monday(), &officer(Tier::Grid)).unwrap();
        assert_eq!(given.rung().due(), Some(promised));
    }

    #[test]
    fn timeouts_and_raised_severity_are_not_reasons_an_escalate_may_give() {
        let mut given = Given::started("grid-7", Severity::Minor);
        for (reason, by) in [
            (EscalationReason::TimedOut, LadderCommandKind::Tick),
            (
                EscalationReason::SeverityRaised,
                LadderCommandKind::RaiseSeverity,
            ),
        ] {
            let refused = given
                .send(
                    LadderCommand::Escalate { reason },
                    monday(),
                    &officer(Tier::Grid),
                )
                .unwrap_err();
            assert_eq!(refused, LadderError::ReasonNotAllowed { reason, by });
        }
    }

    #[test]
    fn a_raised_severity_moves_the_matter_up_to_its_new_band() {
        let mut given = Given::started("grid-7", Severity::Minor);
        let raise = |to| LadderCommand::RaiseSeverity {
            to,
            cause: SeverityCause::Safety,
        };
        let events = given
            .send(raise(Severity::Serious), monday(), &officer(Tier::Grid))
            .unwrap();
        assert_eq!(events.len(), 2, "{events:?}");
        assert_eq!(given.rung().tier(), Tier::Community);
        assert_eq!(given.rung().severity(), Severity::Serious);
        let refused = given
            .send(raise(Severity::Moderate), monday(), &officer(Tier::Grid))
            .unwrap_err();
        assert_eq!(
            refused,
            LadderError::SeverityNotRaised {
                current: Severity::Serious,
                requested: Severity::Moderate,
            }
        );
    }
}
