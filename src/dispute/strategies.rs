//! proptest strategies for the dispute workflow (feature `proptest`):
//! command sequences that follow the lifecycle, arbitrary ones that mostly
//! break the rules, and the two mixed.
//!
//! A [`Cast`] names the people and places of the drawn disputes; the
//! strategies draw [`Step`]s to feed
//! [`check_invariants`](crate::testing::check_invariants) or your own
//! driver.
//!
//! - [`lifecycle`]: *valid* sequences. Each drawn move picks one of the
//!   commands that make sense in the state the dispute has reached, sent by
//!   the actor the rules ask for (an officer acting for the routed body, an
//!   assigned mediator, a party, the system for ticks), with gaps from
//!   minutes to weeks so time limits, labour lapses and the ladder's
//!   timeouts come into play. Most steps are accepted; some are refused by
//!   rules no move can foresee (a ceiling, a late confirmation).
//! - [`any_steps`]: *arbitrary* sequences of [`command`]s from [`actor`]s
//!   of the cast with random roles — mostly refusals.
//! - [`noisy_lifecycle`]: a lifecycle with arbitrary steps mixed in.
//!
//! # A user's invariant test
//!
//! ```
//! use grassroots::dispute::strategies::{lifecycle, noisy_lifecycle, sample};
//! use grassroots::dispute::{DisputeEvent, DisputeState};
//! use grassroots::id::CaseId;
//! use grassroots::testing::check_invariants;
//! use proptest::prelude::*;
//!
//! // A small world; in your tests, build the Dispute on your own graph and
//! // name your own cast.
//! let (dispute, cast) = sample();
//!
//! proptest!(ProptestConfig::with_cases(32), |(steps in noisy_lifecycle(dispute.clone(), cast.clone(), 1..40))| {
//!     // The kernel's invariants: refusals change nothing, every transition
//!     // is declared, live equals replay, nothing after a terminal state.
//!     let checked = check_invariants(&dispute, CaseId::new("P-1").unwrap(), steps);
//!     prop_assert!(checked.is_ok(), "{:?}", checked.err());
//!     let case = checked.unwrap().case;
//!
//!     // Your own invariant: a closed dispute was followed up exactly once.
//!     if let DisputeState::Closed { .. } = case.state() {
//!         let visits = case.history().iter()
//!             .filter(|r| matches!(r.event, DisputeEvent::FollowedUp { .. }))
//!             .count();
//!         prop_assert_eq!(visits, 1);
//!     }
//! });
//! ```

use std::ops::Range;

use chrono::Duration;
use proptest::prelude::*;
use proptest::sample::{Index, select};

use super::command::{
    Channel, DeclineReason, DisputeCommand, FailureReason, Party, Performance, Report,
    RiskContinuation, Satisfaction, Selection,
};
use super::decide::Dispute;
use super::error::DisputeError;
use super::routes::Routes;
use super::state::{DisputeState, LabourLimit};
use crate::actor::{Actor, Role};
use crate::escalation::Referral;
use crate::id::{ActorId, CaseId, OrgId};
use crate::matter::DisputeKind;
use crate::org::Need;
use crate::testing::strategies::{epoch, role, steps};
use crate::testing::{Guide, Step};
use crate::tier::{Severity, Tier};
use crate::workflow::{Case, Context, Workflow};

/// The people and places of the drawn disputes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cast {
    /// The kind of dispute the lifecycle reports.
    pub kind: DisputeKind,
    /// Where it arises (a territorial node of the dispute's org graph).
    pub location: OrgId,
    /// Its parties (two or more).
    pub parties: Vec<Party>,
    /// Mediators free of conflicts with the parties; the lifecycle assigns
    /// them as chosen by the parties (and sometimes from the roster).
    pub mediators: Vec<ActorId>,
    /// Bodies arbitrary actors may claim to act for (handlers, other
    /// bodies).
    pub bodies: Vec<OrgId>,
    /// The id officers are given (they act for whichever body the rules
    /// ask for).
    pub officer: ActorId,
    /// The id grid workers are given.
    pub grid_worker: ActorId,
    /// Ids with no part in the dispute.
    pub strangers: Vec<ActorId>,
}

impl Cast {
    /// A cast for a dispute of `kind` at `location`, between `parties`, with
    /// `mediators` to assign; officers are `officer-on-duty`, the grid
    /// worker `grid-worker`, one stranger `stranger`.
    pub fn new(
        kind: DisputeKind,
        location: OrgId,
        parties: Vec<Party>,
        mediators: Vec<ActorId>,
    ) -> Self {
        Self {
            kind,
            location,
            parties,
            mediators,
            bodies: Vec::new(),
            officer: id("officer-on-duty"),
            grid_worker: id("grid-worker"),
            strangers: vec![id("stranger")],
        }
    }

    /// The same cast, with bodies arbitrary actors may claim to act for.
    #[must_use]
    pub fn with_bodies(mut self, bodies: impl IntoIterator<Item = OrgId>) -> Self {
        self.bodies.extend(bodies);
        self
    }

    fn ids(&self) -> Vec<ActorId> {
        let mut ids: Vec<ActorId> = self.parties.iter().map(|p| p.actor.clone()).collect();
        ids.extend(self.mediators.iter().cloned());
        ids.extend(self.strangers.iter().cloned());
        ids.push(self.officer.clone());
        ids.push(self.grid_worker.clone());
        ids.push(Actor::system().id().clone());
        ids
    }

    fn party_ids(&self) -> Vec<ActorId> {
        self.parties.iter().map(|p| p.actor.clone()).collect()
    }

    fn places(&self) -> Vec<OrgId> {
        let mut places = vec![self.location.clone()];
        places.extend(self.bodies.iter().cloned());
        places.extend(self.parties.iter().filter_map(|p| p.org.clone()));
        places
    }
}

fn id(s: &str) -> ActorId {
    ActorId::new(s).expect("a valid id")
}

/// Any severity.
pub fn severity() -> impl Strategy<Value = Severity> {
    select(Severity::ALL.to_vec())
}

/// Any referral route.
pub fn referral() -> impl Strategy<Value = Referral> {
    select(vec![
        Referral::Arbitration,
        Referral::Litigation,
        Referral::Administrative,
    ])
}

/// Any set of routes, the empty one included.
pub fn routes() -> impl Strategy<Value = Routes> {
    proptest::collection::vec(referral(), 0..3).prop_map(Routes::from)
}

/// Any channel.
pub fn channel() -> impl Strategy<Value = Channel> {
    select(vec![
        Channel::Party,
        Channel::GridWorker,
        Channel::MerchantsCouncil,
        Channel::SecretaryFaceToFace,
        Channel::CourtReferral,
        Channel::PoliceReferral,
    ])
}

/// A report drawn around the cast: its parties (or too few, or repeated
/// ones), its kind or any, its location or a party's organisation.
pub fn report(cast: &Cast) -> impl Strategy<Value = Report> + use<> {
    let parties = cast.parties.clone();
    let n = parties.len().max(1);
    (
        prop_oneof![4 => Just(cast.kind), 1 => select(DisputeKind::ALL.to_vec())],
        prop_oneof![
            4 => Just(parties.clone()),
            1 => proptest::collection::vec(select(parties), 0..n + 2),
        ],
        prop_oneof![4 => Just(cast.location.clone()), 1 => select(cast.places())],
        channel(),
        severity(),
    )
        .prop_map(|(kind, parties, location, channel, severity)| Report {
            kind,
            parties,
            location,
            channel,
            severity,
        })
}

/// Any command, its arguments drawn from the cast — valid ones and
/// invalid ones (no mediators, a party as mediator, one applicant, empty
/// terms, a lower severity, ...).
pub fn command(cast: &Cast) -> impl Strategy<Value = DisputeCommand> + use<> {
    use DisputeCommand as C;
    let ids = cast.ids();
    let party_ids = cast.party_ids();
    prop_oneof![
        report(cast).prop_map(C::Report),
        Just(C::Accept),
        (
            select(vec![
                DeclineReason::OutOfScope,
                DeclineReason::PendingElsewhere,
                DeclineReason::NotMediableByLaw,
            ]),
            routes()
        )
            .prop_map(|(reason, routes)| C::Decline { reason, routes }),
        Just(C::Refuse),
        Just(C::Withdraw),
        (
            proptest::collection::vec(select(ids.clone()), 0..3),
            select(vec![Selection::Roster, Selection::ChosenByParties])
        )
            .prop_map(|(mediators, selection)| C::AssignMediators {
                mediators,
                selection
            }),
        (
            select(ids.clone()),
            select(vec!["", "The mediator is the employer's cousin."])
        )
            .prop_map(|(mediator, reason)| C::RequestRecusal {
                mediator,
                reason: reason.to_owned()
            }),
        Just(C::RecordSession),
        select(vec!["", "  ", "Pays the wages by Friday."]).prop_map(|t| C::RecordAgreement {
            terms: t.to_owned()
        }),
        select(vec!["", "Settled by word."]).prop_map(|c| C::RecordOralAgreement {
            content: c.to_owned()
        }),
        Just(C::Sign),
        prop_oneof![
            Just(party_ids.clone()),
            proptest::collection::vec(select(ids), 0..4)
        ]
        .prop_map(|applicants| C::ApplyForConfirmation { applicants }),
        select(vec![Performance::Fulfilled, Performance::Breached])
            .prop_map(|performance| C::RecordPerformance { performance }),
        select(vec![
            FailureReason::NoAgreementReached,
            FailureReason::PartyAbsent,
            FailureReason::PartyRefusedToSign,
        ])
        .prop_map(|reason| C::TerminateMediation { reason }),
        Just(C::Escalate),
        select(vec!["", "the parties threaten to block the gate"]).prop_map(|j| {
            C::OverrideCeiling {
                justification: j.to_owned(),
            }
        }),
        referral().prop_map(|to| C::Refer { to }),
        severity().prop_map(|severity| C::FlagRisk { severity }),
        (
            select(vec!["", "Kept the parties apart."]),
            select(vec![Need::EarlyWarning, Need::LegalAid]),
            select(vec![
                RiskContinuation::MediationContinues,
                RiskContinuation::HandedOver
            ])
        )
            .prop_map(|(measures, to, continuation)| C::ReportRisk {
                measures: measures.to_owned(),
                to,
                continuation
            }),
        Just(C::Tick),
        select(vec![
            Satisfaction::Satisfied,
            Satisfaction::FairlySatisfied,
            Satisfaction::Dissatisfied,
        ])
        .prop_map(|rating| C::RecordFollowUp { rating }),
    ]
}

/// An actor of the cast (or a stranger, or the system) with up to two
/// random roles, sometimes acting for one of the cast's places.
pub fn actor(cast: &Cast) -> impl Strategy<Value = Actor> + use<> {
    (
        select(cast.ids()),
        proptest::collection::vec(role(), 0..=2),
        proptest::option::of(select(cast.places())),
    )
        .prop_map(|(id, roles, org)| {
            let actor = roles.into_iter().fold(Actor::new(id), Actor::with_role);
            match org {
                Some(org) => actor.acting_for(org),
                None => actor,
            }
        })
}

/// Arbitrary timed sequences of [`command`]s from [`actor`]s: most are
/// refused.
pub fn any_steps(
    cast: &Cast,
    len: Range<usize>,
) -> impl Strategy<Value = Vec<Step<DisputeCommand>>> + use<> {
    steps((actor(cast), command(cast)), len)
}

/// One move of a lifecycle: which of the sensible commands to send, and
/// how many minutes after the previous step.
#[derive(Debug, Clone, Copy)]
struct Move {
    choice: u8,
    gap: i64,
}

fn moves(len: Range<usize>) -> impl Strategy<Value = Vec<Move>> {
    let gap = prop_oneof![
        6 => 1i64..=120,
        3 => 121i64..=3 * 24 * 60,
        1 => 4 * 24 * 60i64..=20 * 24 * 60,
    ];
    proptest::collection::vec((any::<u8>(), gap), len).prop_map(|v| {
        v.into_iter()
            .map(|(choice, gap)| Move { choice, gap })
            .collect()
    })
}

/// Valid sequences: each move sends one of the commands that make sense in
/// the state reached, by the actor the rules ask for.
pub fn lifecycle(
    dispute: Dispute,
    cast: Cast,
    len: Range<usize>,
) -> impl Strategy<Value = Vec<Step<DisputeCommand>>> {
    moves(len).prop_map(move |moves| drive(&dispute, &cast, &moves, Vec::new()))
}

/// A [`lifecycle`] with arbitrary steps (see [`any_steps`]) mixed in at
/// drawn places; those run on the case too, so the lifecycle carries on
/// from wherever they left it.
pub fn noisy_lifecycle(
    dispute: Dispute,
    cast: Cast,
    len: Range<usize>,
) -> impl Strategy<Value = Vec<Step<DisputeCommand>>> {
    let noise = proptest::collection::vec(
        (any::<Index>(), actor(&cast), command(&cast)),
        0..len.end / 3 + 1,
    );
    (moves(len), noise).prop_map(move |(moves, noise)| {
        let noise = noise
            .into_iter()
            .map(|(at, actor, command)| (at.index(moves.len() + 1), actor, command))
            .collect();
        drive(&dispute, &cast, &moves, noise)
    })
}

fn drive(
    dispute: &Dispute,
    cast: &Cast,
    moves: &[Move],
    mut noise: Vec<(usize, Actor, DisputeCommand)>,
) -> Vec<Step<DisputeCommand>> {
    let mut case = Case::<Dispute>::new(CaseId::new("drawn").expect("a valid id"));
    let mut at = epoch();
    let mut out = Vec::with_capacity(moves.len() + noise.len());
    noise.sort_by_key(|(i, ..)| *i);
    let mut noise = noise.into_iter().peekable();
    let mut send = |case: &mut Case<Dispute>, actor: Actor, command: DisputeCommand, at| {
        let _ = case.handle(dispute, &command, &Context::new(at, &actor));
        out.push(Step { actor, at, command });
    };
    for (i, m) in moves.iter().enumerate() {
        at += Duration::minutes(m.gap);
        while let Some((_, actor, command)) = noise.next_if(|(n, ..)| *n == i) {
            send(&mut case, actor, command, at);
        }
        if case.is_terminal() {
            continue;
        }
        let (actor, command) = next(dispute, cast, case.state(), m.choice, at);
        send(&mut case, actor, command, at);
    }
    for (_, actor, command) in noise {
        send(&mut case, actor, command, at);
    }
    out
}

/// The actor the rules ask for to send `command` in `state`: the
/// dispute's own refusal names the body and tier (or the role) needed.
fn officer_for(
    dispute: &Dispute,
    cast: &Cast,
    state: &DisputeState,
    command: &DisputeCommand,
    at: chrono::DateTime<chrono::Utc>,
) -> Actor {
    let probe = Actor::new(cast.officer.clone());
    match dispute.decide(state, command, &Context::new(at, &probe)) {
        Err(DisputeError::NotBodyOfficer { body, tier, .. }) => {
            probe.with_role(Role::Officer(tier)).acting_for(body)
        }
        Err(DisputeError::Forbidden(f)) => probe.with_role(f.needed),
        Err(DisputeError::NotMediatorOrOfficer { body, .. }) => probe
            .with_role(Role::Officer(state.tier().unwrap_or(Tier::Grid)))
            .acting_for(body),
        _ => probe,
    }
}

fn next(
    dispute: &Dispute,
    cast: &Cast,
    state: &DisputeState,
    choice: u8,
    at: chrono::DateTime<chrono::Utc>,
) -> (Actor, DisputeCommand) {
    use DisputeCommand as C;
    let pick = |n: usize| usize::from(choice) % n;
    let party = |i: usize| {
        let p = &cast.parties[i % cast.parties.len().max(1)];
        Actor::new(p.actor.clone()).with_role(Role::Party)
    };
    let mediator = |m: &ActorId| Actor::new(m.clone()).with_role(Role::Mediator);
    let grid_worker = || Actor::new(cast.grid_worker.clone()).with_role(Role::GridWorker);
    let officer = |command: C| (officer_for(dispute, cast, state, &command, at), command);
    let flag = || {
        let current = state.file().map_or(Severity::Minor, |f| f.severity());
        let severity = Severity::ALL
            .into_iter()
            .find(|s| *s > current)
            .unwrap_or(Severity::Critical);
        (grid_worker(), C::FlagRisk { severity })
    };
    let tick = || (Actor::system(), C::Tick);
    // A party goes to arbitration once the labour period ended (LDMAL
    // art. 14); going directly (art. 5) is the guide's, so that drawn
    // lifecycles still run their course.
    let period_ended = state.file().is_some_and(|f| match f.labour() {
        LabourLimit::Running { deadline } => at >= deadline,
        LabourLimit::MayApplyForArbitration { .. } => true,
        _ => false,
    });
    let to_arbitration = || {
        if !period_ended {
            return tick();
        }
        (
            party(usize::from(choice)),
            C::Refer {
                to: Referral::Arbitration,
            },
        )
    };
    if cast.parties.is_empty() {
        return tick();
    }
    match state {
        DisputeState::Unreported => {
            let severity = Severity::ALL[pick(3)];
            let channel = [
                Channel::Party,
                Channel::GridWorker,
                Channel::SecretaryFaceToFace,
            ][usize::from(choice / 3) % 3];
            let report = C::Report(Report {
                kind: cast.kind,
                parties: cast.parties.clone(),
                location: cast.location.clone(),
                channel,
                severity,
            });
            let actor = match channel {
                Channel::Party => party(0),
                Channel::GridWorker => grid_worker(),
                _ => officer(report.clone()).0,
            };
            (actor, report)
        }
        DisputeState::Reported { .. } | DisputeState::Escalated { .. } => match pick(12) {
            0..=5 => officer(C::Accept),
            6 => officer(C::Decline {
                reason: DeclineReason::OutOfScope,
                routes: Routes::open_for(cast.kind),
            }),
            7 => (party(1), C::Refuse),
            8 => (party(0), C::Withdraw),
            9 => flag(),
            10 => to_arbitration(),
            _ => tick(),
        },
        DisputeState::Accepted { .. } => match pick(10) {
            0..=4 => {
                let n = 1 + usize::from(choice / 10) % cast.mediators.len().clamp(1, 2);
                let selection = if choice % 7 == 0 {
                    Selection::Roster
                } else {
                    Selection::ChosenByParties
                };
                officer(C::AssignMediators {
                    mediators: cast.mediators.iter().take(n).cloned().collect(),
                    selection,
                })
            }
            5 => (party(1), C::Refuse),
            6 => (party(0), C::Withdraw),
            7 => flag(),
            8 => to_arbitration(),
            _ => tick(),
        },
        DisputeState::Mediating { mediation, .. } => {
            let first = mediation
                .mediators()
                .first()
                .map_or_else(grid_worker, mediator);
            match pick(12) {
                0..=4 => (first, C::RecordSession),
                5..=7 => (
                    first,
                    C::RecordAgreement {
                        terms: "The parties settle as recorded.".to_owned(),
                    },
                ),
                8 => (
                    first,
                    C::TerminateMediation {
                        reason: FailureReason::NoAgreementReached,
                    },
                ),
                9 => (party(usize::from(choice)), C::Withdraw),
                10 => flag(),
                _ => tick(),
            }
        }
        DisputeState::Signing { file, draft, .. } => {
            let mut unsigned: Vec<ActorId> = file
                .parties()
                .iter()
                .map(|p| p.actor.clone())
                .filter(|a| !draft.is_signed_by(a))
                .collect();
            if !draft.is_signed_by(draft.mediator()) {
                unsigned.push(draft.mediator().clone());
            }
            match pick(10) {
                0..=5 if !unsigned.is_empty() => {
                    let who = unsigned[usize::from(choice) % unsigned.len()].clone();
                    let actor = if who == *draft.mediator() {
                        mediator(&who)
                    } else {
                        Actor::new(who).with_role(Role::Party)
                    };
                    (actor, C::Sign)
                }
                6 => (
                    mediator(draft.mediator()),
                    C::TerminateMediation {
                        reason: FailureReason::PartyRefusedToSign,
                    },
                ),
                7 => (party(usize::from(choice)), C::Withdraw),
                8 => flag(),
                _ => tick(),
            }
        }
        DisputeState::Agreed { agreement, .. } => match pick(8) {
            0..=1 => (
                party(0),
                C::ApplyForConfirmation {
                    applicants: cast.party_ids(),
                },
            ),
            2..=4 => (
                mediator(agreement.mediator()),
                C::RecordPerformance {
                    performance: if choice % 4 == 0 {
                        Performance::Breached
                    } else {
                        Performance::Fulfilled
                    },
                },
            ),
            5 => flag(),
            _ => tick(),
        },
        DisputeState::MediationFailed { routes, .. } => match pick(10) {
            0..=2 => officer(C::Escalate),
            3 => officer(C::OverrideCeiling {
                justification: "the parties threaten to block the gate".to_owned(),
            }),
            4..=5 => (
                party(usize::from(choice)),
                C::Refer {
                    to: routes.iter().next().unwrap_or(Referral::Litigation),
                },
            ),
            6 => (party(0), C::Withdraw),
            7 => flag(),
            _ => tick(),
        },
        DisputeState::Fulfilled { .. }
        | DisputeState::Breached { .. }
        | DisputeState::Referred { .. }
        | DisputeState::Withdrawn { .. } => match pick(6) {
            0..=3 => (
                grid_worker(),
                C::RecordFollowUp {
                    rating: [
                        Satisfaction::Satisfied,
                        Satisfaction::FairlySatisfied,
                        Satisfaction::Dissatisfied,
                    ][usize::from(choice / 6) % 3],
                },
            ),
            4 => flag(),
            _ => tick(),
        },
        DisputeState::Declined { .. }
        | DisputeState::Refused { .. }
        | DisputeState::Closed { .. } => tick(),
    }
}

/// A [`Guide`] for the testing kit's guided generation and
/// [`explore`](crate::testing::explore): in each state, every command the
/// [`lifecycle`] could send there, by the actor it would send it as, and a
/// party's referral to arbitration.
///
/// It is a `Guide<Dispute>` in your tests; it is generic so that a wrapper
/// of the dispute workflow (a mutant in the kit's own tests) can use it.
///
/// ```
/// use grassroots::dispute::strategies::{guide, sample};
/// use grassroots::testing::{Budget, explore};
///
/// let (dispute, cast) = sample();
/// let report = explore(&dispute, &guide(&dispute, &cast), Budget::depth(4));
/// assert!(report.violation.is_none(), "{report}");
/// ```
pub fn guide<W>(dispute: &Dispute, cast: &Cast) -> Guide<W>
where
    W: Workflow<State = DisputeState, Command = DisputeCommand>,
{
    let (dispute, cast) = (dispute.clone(), cast.clone());
    Guide::new().anywhere(move |state| {
        let mut out: Vec<(Actor, DisputeCommand)> = Vec::new();
        // `next` reads its choice modulo 3, 4, 6, 7, 8, 10 and 12 and in
        // tenths: 0..168 draws every option it has.
        for choice in 0..168 {
            let option = next(&dispute, &cast, state, choice, epoch());
            if !out.contains(&option) {
                out.push(option);
            }
        }
        // A labour party may go to arbitration in any open state: directly
        // (LDMAL art. 5) or once the period ended (art. 14).
        if let Some(party) = cast.parties.first() {
            let refer = (
                Actor::new(party.actor.clone()).with_role(Role::Party),
                DisputeCommand::Refer {
                    to: Referral::Arbitration,
                },
            );
            if !state.is_terminal() && !out.contains(&refer) {
                out.push(refer);
            }
            // The mediator records an oral agreement (PML arts. 28, 30).
            if let DisputeState::Mediating { mediation, .. } = state {
                if let Some(m) = mediation.mediators().first() {
                    out.push((
                        Actor::new(m.clone()).with_role(Role::Mediator),
                        DisputeCommand::RecordOralAgreement {
                            content: "The parties settle by word, as recorded.".to_owned(),
                        },
                    ));
                }
            }
            // The handling body's officer reports a risk (PML art. 25),
            // mediation continuing or the case handed over.
            if state.is_on_ladder() {
                for continuation in [
                    RiskContinuation::MediationContinues,
                    RiskContinuation::HandedOver,
                ] {
                    let report = DisputeCommand::ReportRisk {
                        measures: "Met the parties apart; the gate stays open.".to_owned(),
                        to: Need::EarlyWarning,
                        continuation,
                    };
                    out.push((
                        officer_for(&dispute, &cast, state, &report, epoch()),
                        report,
                    ));
                }
            }
            // A party may ask for each mediator to be replaced (PML art.
            // 23), the last one sending the dispute back to await
            // mediators.
            if let DisputeState::Mediating { mediation, .. } = state {
                for m in mediation.mediators() {
                    out.push((
                        Actor::new(party.actor.clone()).with_role(Role::Party),
                        DisputeCommand::RequestRecusal {
                            mediator: m.clone(),
                            reason: "The mediator knows the other party.".to_owned(),
                        },
                    ));
                }
            }
        }
        out
    })
}

/// Whether a labour dispute's 15 days ended without agreement in `state`,
/// as recorded (for users' invariants about arbitration).
pub fn may_apply_for_arbitration(state: &DisputeState) -> bool {
    state
        .file()
        .is_some_and(|f| matches!(f.labour(), LabourLimit::MayApplyForArbitration { .. }))
}

/// A small world and cast to try the strategies on: a labour dispute in an
/// industrial park (a worker against an enterprise), mediated by a park's
/// mediation academy, then its community's committee, then the
/// subdistrict's. Build your own on your own graph for real tests.
pub fn sample() -> (Dispute, Cast) {
    use std::sync::Arc;

    use crate::calendar::WorkingCalendar;
    use crate::escalation::{Ladder, PolicyBook};
    use crate::org::{Capability, Org, OrgGraph, OrgKind, Relation, Validity};

    let org = |s: &str| OrgId::new(s).expect("a valid id");
    let since = Validity::since(chrono::NaiveDate::MIN);
    let labour = Capability::Mediation(DisputeKind::Labour);
    let mut graph = OrgGraph::new();
    let orgs = [
        Org::new(org("pinghu"), "Pinghu subdistrict", OrgKind::Subdistrict),
        Org::new(org("hehua"), "Hehua community", OrgKind::Community),
        Org::new(org("park"), "Industrial park", OrgKind::IndustrialPark),
        // The committee the park's mediation academy hosts: only a
        // mediation organisation mediates.
        Org::new(
            org("academy"),
            "Park mediation committee (hosted by the academy)",
            OrgKind::MediationCommittee,
        )
        .with_capability(labour),
        Org::new(
            org("hehua-med"),
            "Hehua mediation committee",
            OrgKind::MediationCommittee,
        )
        .with_capability(labour),
        Org::new(
            org("pinghu-med"),
            "Pinghu mediation committee",
            OrgKind::MediationCommittee,
        )
        .with_capability(labour),
        Org::new(
            org("centre"),
            "Pinghu comprehensive governance centre",
            OrgKind::ComprehensiveGovernanceCentre,
        )
        .with_capability(Capability::EarlyWarning),
        Org::new(org("acme"), "Acme Electronics", OrgKind::Enterprise),
        Org::new(org("p-qian"), "Qian", OrgKind::Person(id("qian"))),
        Org::new(org("p-wu"), "Wu", OrgKind::Person(id("volunteer-wu"))),
    ];
    let links = [
        ("hehua", Relation::PartOf, "pinghu"),
        ("park", Relation::PartOf, "hehua"),
        ("academy", Relation::Serves(since), "park"),
        ("hehua-med", Relation::Serves(since), "hehua"),
        ("pinghu-med", Relation::Serves(since), "pinghu"),
        ("centre", Relation::Serves(since), "pinghu"),
        ("p-qian", Relation::MemberOf(since), "academy"),
        // Wu volunteers on Pinghu's committee: a people's mediator the
        // parties may choose (PML art. 19).
        ("p-wu", Relation::MemberOf(since), "pinghu-med"),
    ];
    for o in orgs {
        // The sample graph is fixed and valid; a refusal here would be a bug.
        graph.try_add_org(o).expect("the sample graph is valid");
    }
    for (from, relation, to) in links {
        graph
            .try_link(&org(from), relation, &org(to))
            .expect("the sample graph is valid");
    }
    let ladder = Ladder::new(
        Arc::new(PolicyBook::default()),
        Arc::new(graph),
        Arc::new(WorkingCalendar::prc()),
    );
    let cast = Cast::new(
        DisputeKind::Labour,
        org("park"),
        vec![
            Party::person(id("worker-li")),
            Party::enterprise(id("acme-rep"), org("acme")),
        ],
        vec![id("qian"), id("volunteer-wu")],
    )
    .with_bodies([org("academy"), org("hehua-med"), org("pinghu-med")]);
    (Dispute::new(ladder), cast)
}
