//! The script of one dispute: a plan drawn from the case's random stream,
//! played against the state the dispute reaches.

use chrono::{DateTime, Utc};
use rand::Rng;
use rand_pcg::Pcg64Mcg;
use smallvec::SmallVec;

use super::Scratch;
use super::city::{City, Place};
use super::script::{Refusal, Script, chance, numbered, weighted};
use crate::actor::{Actor, Role};
use crate::dispute::{
    Channel, DeclineReason, Dispute, DisputeCommand as C, DisputeError, DisputeState,
    FailureReason, LabourLimit, Party, Performance, Report, Routes, Satisfaction, Selection,
};
use crate::escalation::Referral;
use crate::id::{ActorId, CaseId, OrgId};
use crate::matter::DisputeKind;
use crate::tier::{Severity, Tier};
use crate::workflow::{Context, Workflow};

/// How the plan means the dispute to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// Mediated to an agreement (after `failures` failed mediations).
    Agreement,
    /// Declined by the routed body.
    Declined(DeclineReason),
    /// A party refuses mediation: before acceptance or after it.
    Refused { before_acceptance: bool },
    /// A party withdraws, at a stage.
    Withdrawn(Stage),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Reported,
    Accepted,
    Mediating,
}

/// A command sent on purpose to be refused, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Injection {
    /// A passer-by tries to accept the reported dispute.
    StrangerAccepts,
    /// A party tries to record a session.
    PartyRecordsSession,
    /// The mediator tries to sign before any agreement is recorded.
    SignBeforeAgreement,
    /// A grid worker tries to record the follow-up visit mid-mediation.
    EarlyFollowUp,
    /// The parties apply for judicial confirmation after the window.
    LateConfirmation,
    /// A worker takes a labour dispute to court while it is mediated
    /// (arbitration comes first; going there directly is lawful, LDMAL
    /// art. 5, so it is not a refusal to inject).
    EarlyLitigation,
}

struct Plan {
    ending: Ending,
    failures: u32,
    roster: bool,
    risk: bool,
    lapse: bool,
    arbitrate_on_lapse: bool,
    confirm: bool,
    breach: bool,
    injection: Option<Injection>,
}

/// What the script needs to know about the state, copied out of it.
enum Now {
    Reported,
    Accepted {
        body: OrgId,
        tier: Tier,
    },
    Escalated {
        body: OrgId,
        tier: Tier,
    },
    Mediating {
        mediator: ActorId,
        sessions: u32,
        due: Option<DateTime<Utc>>,
        lapsed: bool,
    },
    Signing {
        next: Option<(ActorId, bool)>,
        seal: Option<(OrgId, Tier)>,
    },
    Agreed {
        mediator: ActorId,
        effective_at: DateTime<Utc>,
        due: DateTime<Utc>,
        applied: bool,
        /// The body the agreement was reached before (whether its
        /// agreements may be judicially confirmed is the graph's to say).
        handler: Option<OrgId>,
    },
    Failed {
        body: OrgId,
        tier: Tier,
        ceiling: Tier,
        route: Referral,
    },
    FollowUpDue {
        breached: bool,
        agreed: bool,
    },
    Done,
}

fn now(state: &DisputeState) -> Now {
    use DisputeState as S;
    let rung = state.file().and_then(|f| f.rung());
    match state {
        S::Reported { .. } => Now::Reported,
        S::Accepted { file } | S::Escalated { file } => match file.rung() {
            Some(r) if matches!(state, S::Accepted { .. }) => Now::Accepted {
                body: r.handler().clone(),
                tier: r.tier(),
            },
            Some(r) => Now::Escalated {
                body: r.handler().clone(),
                tier: r.tier(),
            },
            None => Now::Done,
        },
        S::Mediating { file, mediation } => match mediation.mediators().first() {
            Some(m) => Now::Mediating {
                mediator: m.clone(),
                sessions: mediation.sessions(),
                due: rung.and_then(|r| r.due()),
                lapsed: matches!(file.labour(), LabourLimit::MayApplyForArbitration { .. }),
            },
            None => Now::Done,
        },
        S::Signing { file, draft, .. } => {
            let party = file
                .parties()
                .iter()
                .find(|p| !draft.is_signed_by(&p.actor))
                .map(|p| (p.actor.clone(), false));
            let next = party.or_else(|| {
                (!draft.is_signed_by(draft.mediator())).then(|| (draft.mediator().clone(), true))
            });
            let seal = match (draft.sealed_by(), file.rung()) {
                (None, Some(r)) => Some((r.handler().clone(), r.tier())),
                _ => None,
            };
            Now::Signing { next, seal }
        }
        S::Agreed { file, agreement } => Now::Agreed {
            handler: file.handler().cloned(),
            mediator: agreement.mediator().clone(),
            effective_at: agreement.effective_at(),
            due: agreement.confirmation_due(),
            applied: !matches!(
                agreement.confirmation(),
                crate::dispute::Confirmation::NotApplied
            ),
        },
        S::MediationFailed { routes, .. } => match rung {
            Some(r) => Now::Failed {
                body: r.handler().clone(),
                tier: r.tier(),
                ceiling: r.band().ceiling,
                route: routes.iter().next().unwrap_or(Referral::Litigation),
            },
            None => Now::Done,
        },
        S::Fulfilled { .. } | S::Breached { .. } | S::Referred { .. } | S::Withdrawn { .. } => {
            Now::FollowUpDue {
                breached: matches!(state, S::Breached { .. }),
                agreed: matches!(state, S::Fulfilled { .. } | S::Breached { .. }),
            }
        }
        _ => Now::Done,
    }
}

fn draw_plan(city: &City, kind: DisputeKind, rng: &mut Pcg64Mcg) -> Plan {
    let mix = &city.year.mix;
    let roll: f64 = rng.random();
    let mut edge = mix.declined;
    let ending = if roll < edge {
        Ending::Declined(
            [
                DeclineReason::OutOfScope,
                DeclineReason::PendingElsewhere,
                DeclineReason::NotMediableByLaw,
            ][weighted(rng, &[5, 4, 1])],
        )
    } else if roll < {
        edge += mix.refused_by_party;
        edge
    } {
        Ending::Refused {
            before_acceptance: rng.random_bool(0.5),
        }
    } else if roll < {
        edge += mix.withdrawn;
        edge
    } {
        Ending::Withdrawn(
            [Stage::Reported, Stage::Accepted, Stage::Mediating][weighted(rng, &[2, 3, 5])],
        )
    } else {
        Ending::Agreement
    };
    let failures = if chance(rng, mix.failed) {
        if rng.random_bool(0.25) { 2 } else { 1 }
    } else {
        0
    };
    let injection = if chance(rng, mix.refused_commands) {
        let mut options: SmallVec<[Injection; 6]> = SmallVec::new();
        options.extend([
            Injection::StrangerAccepts,
            Injection::PartyRecordsSession,
            Injection::SignBeforeAgreement,
            Injection::EarlyFollowUp,
            Injection::LateConfirmation,
        ]);
        if kind == DisputeKind::Labour {
            options.push(Injection::EarlyLitigation);
        }
        Some(options[rng.random_range(0..options.len())])
    } else {
        None
    };
    Plan {
        ending,
        failures,
        roster: rng.random_bool(0.75),
        risk: chance(rng, mix.risk_flags),
        lapse: chance(rng, mix.lapsed),
        arbitrate_on_lapse: rng.random_bool(0.5),
        confirm: rng.random_bool(0.3),
        breach: chance(rng, mix.breached),
        injection,
    }
}

/// One dispute being played.
struct Run<'c> {
    city: &'c City,
    /// The index of the place among the city's estates.
    place: u32,
    kind: DisputeKind,
    parties: SmallVec<[Actor; 3]>,
    party_ids: Vec<ActorId>,
    grid_worker: &'c Actor,
    plan: Plan,
    injected: bool,
    s: Script<Dispute>,
}

impl Run<'_> {
    fn dispute(&self) -> &Dispute {
        &self.city.dispute
    }

    fn send(&mut self, actor: &Actor, command: &C) -> bool {
        let dispute = &self.city.dispute;
        self.s.send(dispute, actor, command)
    }

    fn refused(&mut self, actor: &Actor, command: &C, why: Refusal) {
        let dispute = &self.city.dispute;
        self.s.send_refused(dispute, actor, command, why);
        self.injected = true;
    }

    fn wants(&self, injection: Injection) -> bool {
        !self.injected && self.plan.injection == Some(injection)
    }

    /// The officer the rules ask for to send `command` now: the dispute's
    /// own refusal of an officer of nowhere names the body and tier.
    ///
    /// Each worker remembers the answer for the place, kind and severity
    /// (the graph does not change during the year); the workflow still
    /// routes the command itself, so a wrong memory would show as an
    /// unexpected refusal.
    fn routed_officer(&self, scratch: &mut Scratch, command: &C) -> Option<Actor> {
        let file = self.s.case.state().file()?;
        let places = self.city.estates.len();
        let (kind, severity) = (file.kind(), file.severity());
        if let Some((body, tier)) = scratch.routed.get(places, self.place, &kind, severity) {
            return officer(self.city, &mut scratch.buf, body, *tier);
        }
        let ctx = Context::new(self.s.at, &self.city.probe);
        match self.dispute().decide(self.s.case.state(), command, &ctx) {
            Err(DisputeError::NotBodyOfficer { body, tier, .. }) => {
                let found = officer(self.city, &mut scratch.buf, &body, tier);
                scratch
                    .routed
                    .insert(places, self.place, &kind, severity, (body, tier));
                found
            }
            _ => None,
        }
    }

    fn party(&self, i: usize) -> Actor {
        self.parties[i % self.parties.len()].clone()
    }

    /// Sends `command` as party `i` (of the parties, round).
    fn send_as_party(&mut self, i: usize, command: &C) -> bool {
        let party = &self.parties[i % self.parties.len()];
        self.s.send(&self.city.dispute, party, command)
    }
}

/// An officer of `tier` acting for `body`: the city's own for the body, or
/// one made up for it.
fn officer(city: &City, buf: &mut String, body: &OrgId, tier: Tier) -> Option<Actor> {
    use std::fmt::Write as _;
    if let Some(officer) = city.officers.get(body) {
        if officer.has_role(Role::Officer(tier)) {
            return Some(officer.clone());
        }
    }
    buf.clear();
    let _ = write!(buf, "off.{body}");
    let id = ActorId::new(buf.as_str()).ok()?;
    Some(
        Actor::new(id)
            .with_role(Role::Officer(tier))
            .acting_for(body.clone()),
    )
}

/// Party `k` of dispute `n`: `dp{n}.{k}`.
fn party_id(buf: &mut String, n: u64, k: u64) -> ActorId {
    ActorId::new(numbered(buf, "dp", n, 0, Some(k)))
        .unwrap_or_else(|_| ActorId::new("anonymous").expect("a valid id"))
}

fn id_of(buf: &mut String, args: std::fmt::Arguments<'_>) -> ActorId {
    use std::fmt::Write as _;
    buf.clear();
    let _ = buf.write_fmt(args);
    // Generated from a prefix and numbers: always a valid id.
    ActorId::new(buf.as_str()).unwrap_or_else(|_| ActorId::new("anonymous").expect("a valid id"))
}

/// Plays dispute number `n` of the year.
pub(crate) fn play(
    city: &City,
    n: u64,
    id: CaseId,
    at: DateTime<Utc>,
    rng: &mut Pcg64Mcg,
    scratch: &mut Scratch,
) -> Script<Dispute> {
    let mix = &city.year.mix;
    let place = rng.random_range(0..city.estates.len());
    let estate = &city.estates[place];
    let mut kind = DisputeKind::ALL[weighted(rng, &mix.dispute_kinds)];
    // Parks see more labour disputes, commercial districts more
    // commercial and consumer ones.
    match estate.place {
        Place::Park if rng.random_bool(0.3) => kind = DisputeKind::Labour,
        Place::Commercial if rng.random_bool(0.3) => {
            kind = if rng.random_bool(0.5) {
                DisputeKind::Commercial
            } else {
                DisputeKind::Consumer
            }
        }
        _ => {}
    }
    let severity = Severity::ALL[weighted(rng, &mix.severities)];
    let enterprise = |rng: &mut Pcg64Mcg| -> Option<OrgId> {
        (!city.enterprises.is_empty())
            .then(|| city.enterprises[rng.random_range(0..city.enterprises.len())].clone())
    };
    let person = |buf: &mut String, k: u64| Party::person(party_id(buf, n, k));
    let firm = |buf: &mut String, k: u64, org: Option<OrgId>, merchant: bool| {
        let actor = party_id(buf, n, k);
        match (org, merchant) {
            (Some(org), false) => Party::enterprise(actor, org),
            (Some(org), true) => Party::merchant(actor, org),
            (None, _) => Party::person(actor),
        }
    };
    let mut parties: Vec<Party> = Vec::with_capacity(3);
    match kind {
        DisputeKind::Labour => {
            parties.push(person(&mut scratch.buf, 0));
            if rng.random_bool(0.15) {
                parties.push(person(&mut scratch.buf, 2));
            }
            let employer = enterprise(rng);
            parties.push(firm(&mut scratch.buf, 1, employer, false));
        }
        DisputeKind::Commercial => {
            let (a, b) = (enterprise(rng), enterprise(rng));
            parties.push(firm(&mut scratch.buf, 0, a, false));
            let b = b.filter(|b| Some(b) != parties[0].org.as_ref());
            parties.push(firm(&mut scratch.buf, 1, b, true));
        }
        DisputeKind::Consumer => {
            parties.push(person(&mut scratch.buf, 0));
            let shop = enterprise(rng);
            parties.push(firm(&mut scratch.buf, 1, shop, true));
        }
        DisputeKind::PropertyManagement => {
            parties.push(person(&mut scratch.buf, 0));
            parties.push(firm(
                &mut scratch.buf,
                1,
                estate.property_company.clone(),
                false,
            ));
        }
        DisputeKind::Neighbour | DisputeKind::Other | DisputeKind::Custom(_) => {
            parties.push(person(&mut scratch.buf, 0));
            parties.push(person(&mut scratch.buf, 1));
            if rng.random_bool(0.2) {
                parties.push(person(&mut scratch.buf, 2));
            }
        }
    }
    let party_actors: SmallVec<[Actor; 3]> = parties
        .iter()
        .map(|p| Actor::new(p.actor.clone()).with_role(Role::Party))
        .collect();
    let party_ids: Vec<ActorId> = parties.iter().map(|p| p.actor.clone()).collect();
    let channel = match weighted(rng, &[50, 30, 8, 6, 3, 3]) {
        0 => Channel::Party,
        1 => Channel::GridWorker,
        2 => Channel::SecretaryFaceToFace,
        3 if matches!(kind, DisputeKind::Commercial | DisputeKind::Consumer) => {
            Channel::MerchantsCouncil
        }
        3 => Channel::Party,
        4 => Channel::CourtReferral,
        _ => Channel::PoliceReferral,
    };
    let plan = draw_plan(city, kind, rng);
    let mut run = Run {
        city,
        place: u32::try_from(place).unwrap_or(u32::MAX),
        kind,
        parties: party_actors,
        party_ids,
        grid_worker: &estate.grid_worker,
        plan,
        injected: false,
        s: Script::new(id, at, city.end),
    };
    let reporter = match channel {
        Channel::Party => run.party(0),
        Channel::GridWorker => estate.grid_worker.clone(),
        _ => city.intake_officer.clone(),
    };
    let report = C::Report(Report {
        kind,
        parties,
        location: estate.id.clone(),
        channel,
        severity,
    });
    if !run.send(&reporter, &report) {
        return run.s;
    }
    drop(report);
    let mut sessions_planned = 1 + rng.random_range(0..3u32);
    let mut failures = 0u32;
    let (mut risk_done, mut lapse_done, mut confirm_done) = (false, false, false);
    for _ in 0..64 {
        if !run.s.goes_on() {
            break;
        }
        match now(run.s.case.state()) {
            Now::Reported => reported(&mut run, rng, scratch),
            Now::Escalated { body, tier } => {
                run.s.wait_between(rng, 60, 2 * 24 * 60);
                match officer(city, &mut scratch.buf, &body, tier) {
                    Some(o) => {
                        run.send(&o, &C::Accept);
                    }
                    None => run.s.give_up("no officer for the escalated body"),
                }
                sessions_planned = 1 + rng.random_range(0..3u32);
            }
            Now::Accepted { body, tier } => {
                if let Ending::Refused {
                    before_acceptance: false,
                } = run.plan.ending
                {
                    run.s.wait_between(rng, 60, 3 * 24 * 60);
                    run.send_as_party(1, &C::Refuse);
                    continue;
                }
                if run.plan.ending == Ending::Withdrawn(Stage::Accepted) {
                    run.s.wait_between(rng, 60, 3 * 24 * 60);
                    run.send_as_party(0, &C::Withdraw);
                    continue;
                }
                run.s.wait_between(rng, 30, 24 * 60);
                let roster = city.rosters.get(&body).filter(|r| !r.is_empty());
                let (mediators, selection) = match roster {
                    Some(roster) if run.plan.roster => {
                        let first = rng.random_range(0..roster.len());
                        let mut chosen = vec![roster[first].clone()];
                        if roster.len() > 1 && rng.random_bool(0.3) {
                            chosen.push(roster[(first + 1) % roster.len()].clone());
                        }
                        (chosen, Selection::Roster)
                    }
                    // The parties choose a people's mediator (PML art. 19):
                    // one of the body's, or of the mediation team of the
                    // estate where the dispute arose.
                    _ => {
                        let buf = &mut scratch.buf;
                        let team = city.estates.get(run.place as usize).and_then(|e| {
                            buf.clear();
                            buf.push_str("mt-");
                            buf.push_str(e.id.as_str());
                            OrgId::new(buf.as_str())
                                .ok()
                                .and_then(|t| city.rosters.get(&t))
                        });
                        match roster.or(team).filter(|r| !r.is_empty()) {
                            Some(r) => (
                                vec![r[(n as usize + failures as usize) % r.len()].clone()],
                                Selection::ChosenByParties,
                            ),
                            None => (
                                vec![id_of(&mut scratch.buf, format_args!("cm{n}.{failures}"))],
                                Selection::ChosenByParties,
                            ),
                        }
                    }
                };
                match officer(city, &mut scratch.buf, &body, tier) {
                    Some(o) => {
                        run.send(
                            &o,
                            &C::AssignMediators {
                                mediators,
                                selection,
                            },
                        );
                    }
                    None => run.s.give_up("no officer for the accepting body"),
                }
            }
            Now::Mediating {
                mediator,
                sessions,
                due,
                lapsed,
            } => {
                let mediator = Actor::new(mediator).with_role(Role::Mediator);
                if mediating_injection(&mut run, &mediator) {
                    continue;
                }
                if run.plan.ending == Ending::Withdrawn(Stage::Mediating) && sessions >= 1 {
                    run.s.wait_between(rng, 60, 5 * 24 * 60);
                    run.send_as_party(1, &C::Withdraw);
                    continue;
                }
                if lapsed && run.kind == DisputeKind::Labour && run.plan.arbitrate_on_lapse {
                    run.s.wait_between(rng, 60, 24 * 60);
                    run.send_as_party(
                        0,
                        &C::Refer {
                            to: Referral::Arbitration,
                        },
                    );
                    continue;
                }
                if run.plan.risk && !risk_done && sessions >= 1 {
                    risk_done = true;
                    let current = run
                        .s
                        .case
                        .state()
                        .file()
                        .map_or(Severity::Minor, |f| f.severity());
                    if let Some(higher) = Severity::ALL.into_iter().find(|s| *s > current) {
                        run.s.wait_between(rng, 60, 2 * 24 * 60);
                        let gw = run.grid_worker;
                        run.send(gw, &C::FlagRisk { severity: higher });
                        continue;
                    }
                }
                if run.plan.lapse && !lapse_done {
                    lapse_done = true;
                    if let Some(due) = due {
                        run.s.wait_until(due);
                        run.s.wait_between(rng, 1, 120);
                        run.send(&city.system, &C::Tick);
                        continue;
                    }
                }
                if sessions < sessions_planned {
                    run.s.wait_between(rng, 2 * 60, 3 * 24 * 60);
                    run.send(&mediator, &C::RecordSession);
                } else if failures < run.plan.failures {
                    run.s.wait_between(rng, 60, 24 * 60);
                    let reason = [
                        FailureReason::NoAgreementReached,
                        FailureReason::PartyAbsent,
                        FailureReason::PartyRefusedToSign,
                    ][weighted(rng, &[6, 2, 1])];
                    if run.send(&mediator, &C::TerminateMediation { reason }) {
                        failures += 1;
                    }
                } else {
                    run.s.wait_between(rng, 30, 3 * 60);
                    run.send(
                        &mediator,
                        &C::RecordAgreement {
                            facts: "The facts and issues as found in the sessions.".to_owned(),
                            terms: "The parties settle as recorded in the minutes.".to_owned(),
                            obligations: Vec::new(),
                        },
                    );
                }
            }
            Now::Signing {
                seal: Some((body, tier)),
                ..
            } => {
                // The seal goes on as the agreement is recorded: no wait
                // (and no draw, so the year's other draws stay as they were).
                match officer(city, &mut scratch.buf, &body, tier) {
                    Some(officer) => {
                        run.send(&officer, &C::AffixSeal);
                    }
                    None => run.s.give_up("no officer to affix the seal"),
                }
            }
            Now::Signing { next, .. } => {
                let Some((who, is_mediator)) = next else {
                    run.s.give_up("nobody left to sign");
                    continue;
                };
                let role = if is_mediator {
                    Role::Mediator
                } else {
                    Role::Party
                };
                run.s.wait_between(rng, 5, 8 * 60);
                run.send(&Actor::new(who).with_role(role), &C::Sign);
            }
            Now::Agreed {
                mediator,
                effective_at,
                due,
                applied,
                handler,
            } => {
                // A commercial mediation organisation's agreement is a
                // contract: no judicial confirmation (PML art. 33).
                let confirmable = handler
                    .as_ref()
                    .and_then(|h| city.graph.mediation_organisation(h))
                    .is_none_or(|m| m.agreement_may_be_judicially_confirmed());
                let apply = || C::ApplyForConfirmation {
                    applicants: run.party_ids.clone(),
                };
                if run.wants(Injection::LateConfirmation) && !applied && confirmable {
                    let (p, apply) = (run.party(0), apply());
                    run.s.wait_until(due);
                    run.s.wait_between(rng, 60, 3 * 24 * 60);
                    run.refused(&p, &apply, Refusal::TooLate);
                    confirm_done = true;
                    continue;
                }
                if run.plan.confirm && !confirm_done && !applied && confirmable {
                    let apply = apply();
                    confirm_done = true;
                    let latest = (due - effective_at).num_minutes().max(2) - 1;
                    run.s.wait_between(rng, 1, latest.min(20 * 24 * 60));
                    run.send_as_party(0, &apply);
                    continue;
                }
                run.s.wait_between(rng, 7 * 24 * 60, 60 * 24 * 60);
                let performance = if run.plan.breach {
                    Performance::Breached
                } else {
                    Performance::Fulfilled
                };
                run.send(
                    &Actor::new(mediator).with_role(Role::Mediator),
                    &C::RecordPerformance { performance },
                );
            }
            Now::Failed {
                body,
                tier,
                ceiling,
                route,
            } => {
                run.s.wait_between(rng, 60, 3 * 24 * 60);
                let next = tier.above().unwrap_or(Tier::Municipal);
                let below_district = tier < Tier::District;
                if below_district && next <= ceiling && rng.random_bool(0.8) {
                    match officer(city, &mut scratch.buf, &body, tier) {
                        Some(o) => {
                            run.send(&o, &C::Escalate);
                        }
                        None => run.s.give_up("no officer to escalate"),
                    }
                } else if below_district && next > ceiling && rng.random_bool(0.35) {
                    let higher = Actor::new(id_of(&mut scratch.buf, format_args!("off.{next}")))
                        .with_role(Role::Officer(next));
                    run.send(
                        &higher,
                        &C::OverrideCeiling {
                            justification: "The parties ask for the higher tier.".to_owned(),
                        },
                    );
                } else {
                    run.send_as_party(0, &C::Refer { to: route });
                }
            }
            Now::FollowUpDue { breached, agreed } => {
                run.s.wait_between(rng, 3 * 24 * 60, 30 * 24 * 60);
                let weights: [u32; 3] = match (agreed, breached) {
                    (true, false) => [75, 20, 5],
                    (true, true) => [25, 40, 35],
                    _ => [40, 35, 25],
                };
                let rating = [
                    Satisfaction::Satisfied,
                    Satisfaction::FairlySatisfied,
                    Satisfaction::Dissatisfied,
                ][weighted(rng, &weights)];
                let gw = run.grid_worker;
                run.send(gw, &C::RecordFollowUp { rating });
            }
            Now::Done => break,
        }
    }
    run.s
}

/// The reported (not yet accepted) dispute: declined, refused, withdrawn
/// or accepted by the routed body's officer.
fn reported(run: &mut Run<'_>, rng: &mut Pcg64Mcg, scratch: &mut Scratch) {
    if run.wants(Injection::StrangerAccepts) {
        run.s.wait_between(rng, 5, 120);
        let stranger = Actor::new(id_of(&mut scratch.buf, format_args!("passer-by")));
        run.refused(&stranger, &C::Accept, Refusal::WrongActor);
        return;
    }
    match run.plan.ending {
        Ending::Declined(reason) => {
            run.s.wait_between(rng, 30, 24 * 60);
            let decline = C::Decline {
                reason,
                routes: Routes::open_for(run.kind),
            };
            match run.routed_officer(scratch, &decline) {
                Some(o) => {
                    run.send(&o, &decline);
                }
                None => run.s.give_up("no routed body to decline"),
            }
            return;
        }
        Ending::Refused {
            before_acceptance: true,
        } => {
            run.s.wait_between(rng, 30, 2 * 24 * 60);
            run.send_as_party(1, &C::Refuse);
            return;
        }
        Ending::Withdrawn(Stage::Reported) => {
            run.s.wait_between(rng, 30, 2 * 24 * 60);
            run.send_as_party(0, &C::Withdraw);
            return;
        }
        _ => {}
    }
    // Most are taken up within the day; some wait over a weekend.
    if rng.random_bool(0.85) {
        run.s.wait_between(rng, 10, 20 * 60);
    } else {
        run.s.wait_between(rng, 20 * 60, 4 * 24 * 60);
    }
    match run.routed_officer(scratch, &C::Accept) {
        Some(o) => {
            run.send(&o, &C::Accept);
        }
        None => run.s.give_up("no routed body to accept"),
    }
}

/// Sends the injected refusal that belongs to mediation, if one is
/// planned. Returns whether it sent one.
fn mediating_injection(run: &mut Run<'_>, mediator: &Actor) -> bool {
    let Some(injection) = run.plan.injection.filter(|_| !run.injected) else {
        return false;
    };
    run.s.wait(17);
    match injection {
        Injection::PartyRecordsSession => {
            let p = run.party(0);
            run.refused(&p, &C::RecordSession, Refusal::WrongActor);
        }
        Injection::SignBeforeAgreement => {
            run.refused(mediator, &C::Sign, Refusal::NotApplicable);
        }
        Injection::EarlyFollowUp => {
            let gw = run.grid_worker.clone();
            run.refused(
                &gw,
                &C::RecordFollowUp {
                    rating: Satisfaction::Satisfied,
                },
                Refusal::NotApplicable,
            );
        }
        Injection::EarlyLitigation => {
            let p = run.party(0);
            run.refused(
                &p,
                &C::Refer {
                    to: Referral::Litigation,
                },
                Refusal::NotApplicable,
            );
        }
        Injection::StrangerAccepts | Injection::LateConfirmation => return false,
    }
    true
}
