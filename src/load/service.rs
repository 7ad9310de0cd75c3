//! The script of one service request: a plan drawn from the case's random
//! stream, played against the state the request reaches.

use chrono::{DateTime, Utc};
use rand::Rng;
use rand_pcg::Pcg64Mcg;

use super::city::{City, Hall};
use super::script::{Refusal, Script, chance, numbered, weighted};
use crate::actor::{Actor, Role};
use crate::id::{ActorId, CaseId};
use crate::service::{
    Handling, Mode, Review, ServiceRequest, ServiceRequestCommand as C, ServiceRequestState as S,
};

/// How the plan means the request to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Handled,
    RefusedAtIntake,
    Withdrawn(Stage),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Intake,
    Accepted,
    InProcess,
}

/// A command sent on purpose to be refused, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Injection {
    /// The applicant tries to accept their own request.
    ApplicantAccepts,
    /// A clerk of another hall tries to accept it.
    OtherHallClerk,
    /// The applicant supplies a material nobody asked for.
    SupplyUnasked,
    /// The handler asks for an extension after the promised date.
    LateExtension,
    /// The applicant rates the request before it is delivered.
    RateBeforeDelivery,
    /// The applicant withdraws a completed request.
    WithdrawAfterCompletion,
    /// A supervisor sends back a request with a good review.
    ReworkGoodReview,
}

const INJECTIONS: [Injection; 7] = [
    Injection::ApplicantAccepts,
    Injection::OtherHallClerk,
    Injection::SupplyUnasked,
    Injection::LateExtension,
    Injection::RateBeforeDelivery,
    Injection::WithdrawAfterCompletion,
    Injection::ReworkGoodReview,
];

struct Plan {
    ending: Ending,
    incomplete: bool,
    returned: bool,
    suspend: bool,
    extend: bool,
    lapse: bool,
    deny: bool,
    rate: bool,
    bad: bool,
    rework: bool,
    injection: Option<Injection>,
}

fn draw_plan(city: &City, rng: &mut Pcg64Mcg) -> Plan {
    let mix = &city.year.mix;
    let roll: f64 = rng.random();
    let ending = if roll < mix.refused_at_intake {
        Ending::RefusedAtIntake
    } else if roll < mix.refused_at_intake + mix.withdrawn {
        Ending::Withdrawn(
            [Stage::Intake, Stage::Accepted, Stage::InProcess][weighted(rng, &[4, 2, 4])],
        )
    } else {
        Ending::Handled
    };
    Plan {
        ending,
        incomplete: chance(rng, mix.supplements),
        returned: chance(rng, mix.returned_by_department),
        suspend: chance(rng, mix.suspended),
        extend: chance(rng, mix.extended),
        lapse: chance(rng, mix.lapsed),
        deny: chance(rng, mix.denied),
        rate: chance(rng, mix.rated),
        bad: chance(rng, mix.bad_reviews),
        rework: rng.random_bool(0.5),
        injection: chance(rng, mix.refused_commands)
            .then(|| INJECTIONS[rng.random_range(0..INJECTIONS.len())]),
    }
}

struct Run<'c> {
    city: &'c City,
    hall: &'c Hall,
    other_hall: &'c Hall,
    applicant: Actor,
    plan: Plan,
    injected: bool,
    s: Script<ServiceRequest>,
}

impl Run<'_> {
    fn send(&mut self, actor: &Actor, command: &C) -> bool {
        self.s.send(&self.hall.service, actor, command)
    }

    fn refused(&mut self, actor: &Actor, command: &C, why: Refusal) {
        self.s.send_refused(&self.hall.service, actor, command, why);
        self.injected = true;
    }

    fn wants(&self, injection: Injection) -> bool {
        !self.injected && self.plan.injection == Some(injection)
    }

    /// Who handles the request now: the hall's clerk for an item it
    /// handles itself, the department's officer for one it forwards.
    fn handler(&self, h: &Handling) -> Option<Actor> {
        match h.request().mode {
            Mode::Handle => Some(self.hall.clerk.clone()),
            Mode::Forward => self
                .city
                .department_index
                .get(h.handler())
                .map(|&d| self.city.departments[d].officer.clone()),
        }
    }
}

/// What the script needs to know about the state, copied out of it.
enum Now {
    Submitted {
        asked: bool,
        missing: bool,
    },
    SupplementRequested,
    Accepted {
        mode: Mode,
        returned: bool,
    },
    Forwarded {
        department: usize,
    },
    InProcess {
        handler: Actor,
        promised: DateTime<Utc>,
        overdue: bool,
        limit: u32,
    },
    Suspended {
        handler: Actor,
    },
    ExtensionRequested,
    Concluded,
    Delivered,
    Rated {
        review: Review,
    },
    Rectifying,
    FollowingUp,
    Done,
}

/// Plays service request number `n` of the year.
pub(crate) fn play(
    city: &City,
    n: u64,
    id: CaseId,
    at: DateTime<Utc>,
    rng: &mut Pcg64Mcg,
    buf: &mut String,
) -> Script<ServiceRequest> {
    let h = rng.random_range(0..city.halls.len());
    let hall = &city.halls[h];
    let other_hall = &city.halls[(h + 1) % city.halls.len()];
    let item = &city.items[rng.random_range(0..city.items.len())];
    let applicant = Actor::new(
        ActorId::new(numbered(buf, "ap", n, 0, None))
            .unwrap_or_else(|_| ActorId::new("applicant").expect("a valid id")),
    )
    .with_role(Role::Party);
    let plan = draw_plan(city, rng);
    let mut run = Run {
        city,
        hall,
        other_hall,
        applicant,
        plan,
        injected: false,
        s: Script::new(id, at, city.end),
    };
    let incomplete = item.incomplete.as_ref().filter(|_| run.plan.incomplete);
    let submit = incomplete.map_or(&item.complete, |i| &i.submit);
    // One request in ten comes through the hall's agent clerk (代办), on
    // the applicant's written authorisation.
    let sent = match submit {
        C::Submit {
            item,
            materials,
            attributes,
            description,
        } if n % 10 == 7 => {
            let for_applicant = C::SubmitForApplicant {
                applicant: run.applicant.id().clone(),
                authorisation: city.notes.authorisation.clone(),
                item: item.clone(),
                materials: materials.clone(),
                attributes: attributes.clone(),
                description: description.clone(),
            };
            run.s.send(&hall.service, &hall.agent, &for_applicant)
        }
        _ => run.s.send(&hall.service, &run.applicant, submit),
    };
    if !sent {
        return run.s;
    }
    let notes = &city.notes;
    let (mut suspended, mut extended, mut lapsed, mut rated, mut reworked, mut returned) =
        (false, false, false, false, false, false);
    for _ in 0..64 {
        if !run.s.goes_on() {
            break;
        }
        let now = match run.s.case.state() {
            S::Submitted(intake) => Now::Submitted {
                asked: intake.supplement_rounds() > 0,
                missing: intake.missing().next().is_some(),
            },
            S::SupplementRequested(_) => Now::SupplementRequested,
            S::Accepted(h) => Now::Accepted {
                mode: h.request().mode,
                returned: !h.returned_by().is_empty(),
            },
            S::Forwarded { to, .. } => match city.department_index.get(to) {
                Some(&department) => Now::Forwarded { department },
                None => Now::Done,
            },
            S::InProcess(h) => match run.handler(h) {
                Some(handler) => Now::InProcess {
                    handler,
                    promised: h.promised(),
                    overdue: h.overdue() == Some(h.promised()),
                    limit: h.request().working_days,
                },
                None => Now::Done,
            },
            S::Suspended { handling, .. } => match run.handler(handling) {
                Some(handler) => Now::Suspended { handler },
                None => Now::Done,
            },
            S::ExtensionRequested { .. } => Now::ExtensionRequested,
            S::Completed(_) | S::Denied { .. } => Now::Concluded,
            S::Delivered { .. } => Now::Delivered,
            S::Rated { review, .. } => Now::Rated { review: *review },
            S::Rectifying { .. } => Now::Rectifying,
            S::FollowingUp { .. } => Now::FollowingUp,
            _ => Now::Done,
        };
        match now {
            Now::Submitted { asked, missing } => {
                if run.wants(Injection::ApplicantAccepts) {
                    run.s.wait(3);
                    let a = run.applicant.clone();
                    run.refused(&a, &C::Accept, Refusal::WrongActor);
                    continue;
                }
                if run.wants(Injection::OtherHallClerk) {
                    run.s.wait(3);
                    let other = run.other_hall.clerk.clone();
                    run.refused(&other, &C::Accept, Refusal::WrongActor);
                    continue;
                }
                if run.wants(Injection::SupplyUnasked) && !asked {
                    if let Some(incomplete) = &item.incomplete {
                        run.s.wait(3);
                        let a = run.applicant.clone();
                        run.refused(&a, &incomplete.supply, Refusal::NotApplicable);
                        continue;
                    }
                }
                let clerk = &hall.clerk;
                if run.plan.ending == Ending::RefusedAtIntake {
                    run.s.wait_between(rng, 10, 8 * 60);
                    run.send(
                        clerk,
                        &C::Refuse {
                            reason: notes.not_eligible.clone(),
                            legal_basis: notes.basis.clone(),
                        },
                    );
                } else if missing && !asked {
                    run.s.wait_between(rng, 5, 4 * 60);
                    if let Some(incomplete) = incomplete {
                        run.send(clerk, &incomplete.ask);
                    } else {
                        run.s
                            .give_up("materials missing but no supplement prepared");
                    }
                } else if run.plan.ending == Ending::Withdrawn(Stage::Intake) {
                    run.s.wait_between(rng, 10, 24 * 60);
                    run.s.send(
                        &hall.service,
                        &run.applicant,
                        &C::Withdraw {
                            reason: Some(notes.changed_mind.clone()),
                        },
                    );
                } else {
                    if rng.random_bool(0.9) {
                        run.s.wait_between(rng, 5, 20 * 60);
                    } else {
                        run.s.wait_between(rng, 20 * 60, 3 * 24 * 60);
                    }
                    run.send(clerk, &C::Accept);
                }
            }
            Now::SupplementRequested => {
                run.s.wait_between(rng, 60, 5 * 24 * 60);
                match incomplete {
                    Some(incomplete) => {
                        run.s
                            .send(&hall.service, &run.applicant, &incomplete.supply);
                    }
                    None => run.s.give_up("a supplement asked for but none prepared"),
                }
            }
            Now::Accepted {
                mode,
                returned: was_returned,
            } => {
                if run.plan.ending == Ending::Withdrawn(Stage::Accepted) {
                    run.s.wait_between(rng, 60, 2 * 24 * 60);
                    run.s
                        .send(&hall.service, &run.applicant, &C::Withdraw { reason: None });
                    continue;
                }
                run.s.wait_between(rng, 10, 24 * 60);
                match mode {
                    Mode::Handle => {
                        run.send(&hall.clerk, &C::StartProcessing);
                    }
                    Mode::Forward => {
                        let to = was_returned.then(|| {
                            let d = (hall.department + 1) % city.departments.len();
                            city.departments[d].id.clone()
                        });
                        run.send(&hall.clerk, &C::Forward { to });
                    }
                }
            }
            Now::Forwarded { department } => {
                run.s.wait_between(rng, 60, 2 * 24 * 60);
                let officer = &city.departments[department].officer;
                if run.plan.returned && !returned && city.departments.len() > 1 {
                    returned = true;
                    run.send(
                        officer,
                        &C::Return {
                            reason: notes.not_ours.clone(),
                        },
                    );
                } else {
                    run.send(officer, &C::SignFor);
                }
            }
            Now::InProcess {
                handler,
                promised,
                overdue,
                limit,
            } => {
                if run.wants(Injection::LateExtension) {
                    run.s.wait_until(promised);
                    run.s.wait_between(rng, 60, 2 * 24 * 60);
                    run.refused(
                        &handler,
                        &C::RequestExtension {
                            working_days: 1,
                            reason: notes.waiting.clone(),
                        },
                        Refusal::TooLate,
                    );
                    continue;
                }
                if run.plan.ending == Ending::Withdrawn(Stage::InProcess) {
                    run.s.wait_between(rng, 60, 3 * 24 * 60);
                    run.s.send(
                        &hall.service,
                        &run.applicant,
                        &C::Withdraw {
                            reason: Some(notes.changed_mind.clone()),
                        },
                    );
                    continue;
                }
                let left = (promised - run.s.at).num_minutes();
                if run.plan.suspend && !suspended {
                    suspended = true;
                    run.s
                        .wait_between(rng, 30, (left / 2).clamp(30, 2 * 24 * 60));
                    run.send(
                        &handler,
                        &C::Suspend {
                            reason: notes.survey.clone(),
                        },
                    );
                } else if run.plan.extend && !extended && left > 120 {
                    extended = true;
                    run.s.wait_between(rng, 10, left / 2);
                    run.send(
                        &handler,
                        &C::RequestExtension {
                            working_days: (1 + rng.random_range(0..3)).min(limit.max(1)),
                            reason: notes.waiting.clone(),
                        },
                    );
                } else if run.plan.lapse && !lapsed {
                    lapsed = true;
                    run.s.wait_until(promised);
                    run.s.wait_between(rng, 1, 8 * 60);
                    run.send(&city.system, &C::Tick);
                    if rng.random_bool(0.4) {
                        // Still not done when the written notice falls due.
                        run.s.wait(5 * 24 * 60);
                        run.send(&city.system, &C::Tick);
                    }
                } else {
                    // Concluded within the time left, or soon after a lapse.
                    let span = if overdue || left < 60 {
                        24 * 60
                    } else {
                        left - 30
                    };
                    run.s.wait_between(rng, 10, span);
                    let command = if run.plan.deny {
                        C::Deny {
                            reason: notes.rejected.clone(),
                            legal_basis: notes.basis.clone(),
                        }
                    } else {
                        C::Complete
                    };
                    run.send(&handler, &command);
                }
            }
            Now::Suspended { handler } => {
                run.s.wait_between(rng, 24 * 60, 10 * 24 * 60);
                run.send(&handler, &C::Resume);
            }
            Now::ExtensionRequested => {
                run.s.wait_between(rng, 30, 24 * 60);
                if rng.random_bool(0.8) {
                    run.send(&hall.supervisor, &C::ApproveExtension);
                } else {
                    run.send(
                        &hall.supervisor,
                        &C::RejectExtension {
                            reason: notes.rejected.clone(),
                        },
                    );
                }
            }
            Now::Concluded => {
                if run.wants(Injection::RateBeforeDelivery) {
                    let a = run.applicant.clone();
                    run.refused(
                        &a,
                        &C::Rate {
                            review: Review::Satisfied,
                            comment: None,
                        },
                        Refusal::NotApplicable,
                    );
                    continue;
                }
                if run.wants(Injection::WithdrawAfterCompletion) {
                    let a = run.applicant.clone();
                    run.refused(&a, &C::Withdraw { reason: None }, Refusal::NotApplicable);
                    continue;
                }
                run.s.wait_between(rng, 30, 3 * 24 * 60);
                run.send(&hall.clerk, &C::Deliver);
            }
            Now::Delivered => {
                if run.plan.rate && !rated {
                    rated = true;
                    run.s.wait_between(rng, 5, 3 * 24 * 60);
                    let review = if run.plan.bad && !reworked {
                        Review::Dissatisfied
                    } else {
                        Review::Satisfied
                    };
                    run.s.send(
                        &hall.service,
                        &run.applicant,
                        &C::Rate {
                            review,
                            comment: None,
                        },
                    );
                } else {
                    run.s.wait_between(rng, 10, 24 * 60);
                    run.send(&hall.clerk, &C::Close);
                }
            }
            Now::Rectifying => {
                run.s.wait_between(rng, 60, 2 * 24 * 60);
                if run.plan.rework && !reworked {
                    reworked = true;
                    rated = false;
                    run.s.wait_between(rng, 60, 2 * 24 * 60);
                    run.send(
                        &hall.supervisor,
                        &C::SendBackForRework {
                            reason: notes.bad_review.clone(),
                        },
                    );
                    continue;
                }
                run.send(
                    &hall.clerk,
                    &C::Rectify {
                        action: notes.rectified.clone(),
                    },
                );
            }
            Now::FollowingUp => {
                run.s.wait_between(rng, 60, 2 * 24 * 60);
                run.send(
                    &hall.clerk,
                    &C::FollowUp {
                        result: notes.followed_up.clone(),
                    },
                );
            }
            Now::Rated { review } => {
                if !review.is_dissatisfied() && run.wants(Injection::ReworkGoodReview) {
                    run.refused(
                        &hall.supervisor,
                        &C::SendBackForRework {
                            reason: notes.bad_review.clone(),
                        },
                        Refusal::NotApplicable,
                    );
                    continue;
                }
                run.s.wait_between(rng, 10, 24 * 60);
                run.send(&hall.clerk, &C::Close);
            }
            Now::Done => break,
        }
    }
    run.s
}
