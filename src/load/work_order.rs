//! The script of one work order: a plan drawn from the case's random
//! stream, played against the state the order reaches.

use chrono::{DateTime, Utc};
use rand::Rng;
use rand_pcg::Pcg64Mcg;

use super::city::{Beat, City, Orders};
use super::script::{Refusal, Script, chance, numbered, weighted};
use crate::actor::{Actor, Role};
use crate::id::{ActorId, CaseId};
use crate::org::Need;
use crate::work_order::sample::{CITY_APPEARANCE, NOISE, STREET_LIGHTING};
use crate::work_order::{
    Channel, Finding, GeoFields, GeoPoint, Lead, ReturnGround, ReturnReason, Satisfaction,
    WorkOrder, WorkOrderCommand as C, WorkOrderState as S,
};

/// The matters work orders are about, in the order of
/// [`Mix::work_order_matters`](super::Mix::work_order_matters).
const MATTERS: [Need; 3] = [CITY_APPEARANCE, NOISE, STREET_LIGHTING];

/// How the plan means the order to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Closed,
    Dismissed,
    Withdrawn(Stage),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Intake,
    Dispatched,
    InHand,
}

/// A command sent on purpose to be refused, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Injection {
    /// A dispatcher dismisses a request a body received first (首问负责).
    DismissAtFirstContact,
    /// A dispatcher sends the order to a body that cannot handle its
    /// matter (the hotline centre itself).
    DispatchToIncapable,
    /// An officer of another body signs for the order.
    SignForOtherBody,
    /// A dispatcher calls the requester back before the reply.
    CallbackBeforeReply,
    /// The lead asks for an extension after the deadline.
    LateExtension,
    /// The requester withdraws after the reply.
    WithdrawAfterReply,
    /// A dispatcher closes an order the callback found wanting.
    CloseBeforeRedo,
}

const INJECTIONS: [Injection; 7] = [
    Injection::DismissAtFirstContact,
    Injection::DispatchToIncapable,
    Injection::SignForOtherBody,
    Injection::CallbackBeforeReply,
    Injection::LateExtension,
    Injection::WithdrawAfterReply,
    Injection::CloseBeforeRedo,
];

struct Plan {
    channel: Channel,
    matter: usize,
    ending: Ending,
    take_on: bool,
    joint: bool,
    late_sign_for: bool,
    returned: bool,
    extend: bool,
    lapse: bool,
    redo: bool,
    dissatisfied: bool,
    injection: Option<Injection>,
}

fn draw_plan(city: &City, beat: &Beat, rng: &mut Pcg64Mcg) -> Plan {
    let mix = &city.year.mix;
    let mut channel = Channel::ALL[weighted(rng, &mix.work_order_channels)];
    if channel == Channel::MerchantsCouncil && beat.council.is_none() {
        // No council serves the place: the merchant calls the hotline.
        channel = Channel::Hotline;
    }
    let roll: f64 = rng.random();
    let ending = if roll < mix.dismissed {
        Ending::Dismissed
    } else if roll < mix.dismissed + mix.withdrawn {
        Ending::Withdrawn(
            [Stage::Intake, Stage::Dispatched, Stage::InHand][weighted(rng, &[3, 3, 4])],
        )
    } else {
        Ending::Closed
    };
    Plan {
        channel,
        matter: weighted(rng, &mix.work_order_matters),
        ending,
        take_on: rng.random_bool(0.6),
        joint: chance(rng, mix.joint_handling),
        late_sign_for: chance(rng, mix.late_sign_for),
        returned: chance(rng, mix.returned_orders),
        extend: chance(rng, mix.extended),
        lapse: chance(rng, mix.lapsed),
        redo: chance(rng, mix.redone),
        dissatisfied: chance(rng, mix.bad_reviews),
        injection: chance(rng, mix.refused_commands)
            .then(|| INJECTIONS[rng.random_range(0..INJECTIONS.len())]),
    }
}

/// What the script needs to know about the state, copied out of it.
enum Now {
    Received,
    AwaitingDispatch,
    Dispatched {
        lead: usize,
        due: DateTime<Utc>,
        overdue: bool,
    },
    ReturnPending,
    Running {
        lead: usize,
        due: DateTime<Utc>,
        overdue: bool,
        assisting: Option<usize>,
        asked: bool,
    },
    Replied {
        redos: u32,
    },
    CalledBack {
        warrants_redo: bool,
    },
    /// Held by a body the hotline does not know: the script cannot go on.
    Unknown,
    Done,
}

struct Run<'c> {
    orders: &'c Orders,
    beat: Beat,
    plan: Plan,
    injected: bool,
    s: Script<WorkOrder>,
}

impl<'c> Run<'c> {
    fn send(&mut self, actor: &Actor, command: &C) -> bool {
        self.s.send(&self.orders.workflow, actor, command)
    }

    fn refused(&mut self, actor: &Actor, command: &C, why: Refusal) {
        self.s
            .send_refused(&self.orders.workflow, actor, command, why);
        self.injected = true;
    }

    fn wants(&self, injection: Injection) -> bool {
        !self.injected && self.plan.injection == Some(injection)
    }

    /// Who acts for the body that received the request first: the grid
    /// worker, the secretary or the council's liaison who recorded it (the
    /// dispatcher for a request that reached the centre).
    fn first_contact(&self) -> &'c Actor {
        let orders = self.orders;
        let station = &orders.stations[self.beat.station];
        match self.plan.channel {
            Channel::GridWorker => &station.grid_worker,
            Channel::SecretaryFaceToFace => &station.secretary,
            Channel::MerchantsCouncil => match self.beat.council {
                Some(c) => &orders.liaisons[c],
                None => &orders.dispatcher,
            },
            Channel::Hotline | Channel::App => &orders.dispatcher,
        }
    }

    /// The body the graph routes the matter to, and the one that helps it
    /// in a joint handling.
    fn routed(&self) -> (usize, usize) {
        let b = &self.beat;
        match self.plan.matter {
            0 => (self.orders.stations[b.station].office, b.urban),
            1 => (b.environment, b.urban),
            _ => (b.urban, b.lighting),
        }
    }
}

/// Plays work order number `n` of the year at `beat`.
pub(crate) fn play(
    city: &City,
    n: u64,
    id: CaseId,
    at: DateTime<Utc>,
    rng: &mut Pcg64Mcg,
    buf: &mut String,
) -> Script<WorkOrder> {
    let orders = &city.orders;
    let beat = orders.beats[rng.random_range(0..orders.beats.len())];
    let requester = &Actor::new(
        ActorId::new(numbered(buf, "rq", n, 0, None))
            .unwrap_or_else(|_| ActorId::new("requester").expect("a valid id")),
    )
    .with_role(Role::Party);
    let plan = draw_plan(city, &beat, rng);
    let mut run = Run {
        orders,
        beat,
        plan,
        injected: false,
        s: Script::new(id, at, city.end),
    };
    let notes = &orders.notes;
    let matter = MATTERS[run.plan.matter];
    // The app sends the phone's position with the request.
    let geo = match run.plan.channel {
        Channel::App => GeoFields {
            point: GeoPoint::new(
                22.5 + rng.random_range(0.0..0.3),
                113.9 + rng.random_range(0.0..0.4),
            )
            .ok(),
            ..GeoFields::default()
        },
        _ => GeoFields::default(),
    };
    let receive = C::Receive {
        channel: run.plan.channel,
        requester: requester.id().clone(),
        matter,
        location: city.estates[beat.estate].id.clone(),
        description: notes.described[run.plan.matter].clone(),
        geo,
    };
    let recorder = match run.plan.channel {
        Channel::App => requester,
        _ => run.first_contact(),
    };
    if !run.send(recorder, &receive) {
        return run.s;
    }
    let (mut late_signed, mut returned, mut extended, mut lapsed) = (false, false, false, false);
    for _ in 0..64 {
        if !run.s.goes_on() {
            break;
        }
        let now = match run.s.case.state() {
            S::Received(_) => Now::Received,
            S::AwaitingDispatch(_) => Now::AwaitingDispatch,
            S::Dispatched { pending, .. } => {
                match orders.office_index.get(&pending.assignment().lead) {
                    Some(&lead) => Now::Dispatched {
                        lead,
                        due: pending.sign_for_due(),
                        overdue: pending.sign_for_overdue().is_some(),
                    },
                    None => Now::Unknown,
                }
            }
            S::ReturnPending { .. } => Now::ReturnPending,
            S::InHand { handling, .. } | S::ExtensionRequested { handling, .. } => {
                let asked = matches!(run.s.case.state(), S::ExtensionRequested { .. });
                match orders.office_index.get(handling.lead()) {
                    Some(&lead) => Now::Running {
                        lead,
                        due: handling.due(),
                        overdue: handling.overdue() == Some(handling.due()),
                        assisting: handling
                            .pending_assistance()
                            .and_then(|b| orders.office_index.get(b).copied()),
                        asked,
                    },
                    None => Now::Unknown,
                }
            }
            S::Replied { handling, .. } => Now::Replied {
                redos: handling.redos(),
            },
            S::CalledBack { callback, .. } => Now::CalledBack {
                warrants_redo: callback.warrants_redo(),
            },
            _ => Now::Done,
        };
        match now {
            Now::Received => {
                let contact = run.first_contact();
                if run.wants(Injection::DismissAtFirstContact) {
                    run.s.wait_between(rng, 5, 60);
                    let dispatcher = &orders.dispatcher;
                    run.refused(
                        dispatcher,
                        &C::Dismiss {
                            reason: notes.private_matter.clone(),
                        },
                        Refusal::NotApplicable,
                    );
                    continue;
                }
                if run.plan.ending == Ending::Withdrawn(Stage::Intake) {
                    run.s.wait_between(rng, 10, 8 * 60);
                    run.send(
                        requester,
                        &C::Withdraw {
                            reason: Some(city.notes.changed_mind.clone()),
                        },
                    );
                    continue;
                }
                run.s.wait_between(rng, 5, 2 * 60);
                // A work station handles city appearance itself, more often
                // than not; anything else it hands over, as a council does.
                let capable = run.plan.channel != Channel::MerchantsCouncil && run.plan.matter == 0;
                if capable && run.plan.take_on {
                    run.send(contact, &C::TakeOn);
                } else {
                    run.send(
                        contact,
                        &C::HandOver {
                            record: notes.handed_over.clone(),
                        },
                    );
                }
            }
            Now::AwaitingDispatch => {
                let dispatcher = &orders.dispatcher;
                if run.wants(Injection::DispatchToIncapable) {
                    run.s.wait_between(rng, 2, 30);
                    run.refused(
                        dispatcher,
                        &C::Dispatch {
                            lead: Lead::Chosen {
                                body: orders.workflow.centre().clone(),
                                reason: notes.municipal_road.clone(),
                            },
                            assisting: Vec::new(),
                        },
                        Refusal::NotApplicable,
                    );
                    continue;
                }
                match run.plan.ending {
                    Ending::Dismissed => {
                        run.s.wait_between(rng, 10, 4 * 60);
                        run.send(
                            dispatcher,
                            &C::Dismiss {
                                reason: notes.private_matter.clone(),
                            },
                        );
                    }
                    Ending::Withdrawn(Stage::Intake) => {
                        run.s.wait_between(rng, 10, 4 * 60);
                        run.send(requester, &C::Withdraw { reason: None });
                    }
                    _ => {
                        run.s.wait_between(rng, 2, 60);
                        let assisting = if run.plan.joint {
                            vec![orders.offices[run.routed().1].id.clone()]
                        } else {
                            Vec::new()
                        };
                        run.send(
                            dispatcher,
                            &C::Dispatch {
                                lead: Lead::Routed,
                                assisting,
                            },
                        );
                    }
                }
            }
            Now::Dispatched { lead, due, overdue } => {
                if run.wants(Injection::SignForOtherBody) {
                    run.s.wait_between(rng, 5, 30);
                    let other = &orders.offices[(lead + 1) % orders.offices.len()].member;
                    run.refused(other, &C::SignFor, Refusal::WrongActor);
                    continue;
                }
                if run.plan.ending == Ending::Withdrawn(Stage::Dispatched) {
                    run.s.wait_between(rng, 5, 60);
                    run.send(requester, &C::Withdraw { reason: None });
                    continue;
                }
                let member = &orders.offices[lead].member;
                if run.plan.late_sign_for && !late_signed && !overdue {
                    late_signed = true;
                    run.s.wait_until(due);
                    run.s.wait_between(rng, 1, 60);
                    run.send(&city.system, &C::Tick);
                    continue;
                }
                if run.plan.returned && !returned {
                    returned = true;
                    run.s.wait_between(rng, 10, 90);
                    // City appearance on a municipal road, a main road's
                    // light: another body's; a noise complaint without a
                    // house number: the dispatcher upholds it.
                    let (ground, note) = match run.plan.matter {
                        0 => (ReturnGround::NotOurRemit, notes.municipal_road.clone()),
                        1 => (
                            ReturnGround::InformationIncomplete,
                            notes.no_address.clone(),
                        ),
                        _ => (ReturnGround::OutsideOurArea, notes.main_road.clone()),
                    };
                    run.send(
                        member,
                        &C::Return {
                            reason: ReturnReason { ground, note },
                        },
                    );
                    continue;
                }
                if rng.random_bool(0.9) {
                    run.s.wait_between(rng, 5, 90);
                } else {
                    run.s.wait_between(rng, 90, 10 * 60);
                }
                run.send(member, &C::SignFor);
            }
            Now::ReturnPending => {
                run.s.wait_between(rng, 10, 2 * 60);
                let dispatcher = &orders.dispatcher;
                let b = run.beat;
                let to = match run.plan.matter {
                    0 => Some(b.urban),
                    2 => Some(b.lighting),
                    _ => None,
                };
                match to {
                    Some(office) => {
                        let body = orders.offices[office].id.clone();
                        run.send(
                            dispatcher,
                            &C::Dispatch {
                                lead: Lead::Chosen {
                                    body,
                                    reason: notes.municipal_road.clone(),
                                },
                                assisting: Vec::new(),
                            },
                        );
                    }
                    None => {
                        run.send(
                            dispatcher,
                            &C::UpholdDispatch {
                                reason: notes.address_given.clone(),
                            },
                        );
                    }
                }
            }
            Now::Running {
                lead,
                due,
                overdue,
                assisting,
                asked,
            } => {
                let member = &orders.offices[lead].member;
                if asked {
                    run.s.wait_between(rng, 30, 24 * 60);
                    let supervisor = &orders.supervisor;
                    if rng.random_bool(0.8) {
                        run.send(supervisor, &C::ApproveExtension);
                    } else {
                        run.send(
                            supervisor,
                            &C::RejectExtension {
                                reason: city.notes.rejected.clone(),
                            },
                        );
                    }
                    continue;
                }
                if run.wants(Injection::CallbackBeforeReply) {
                    run.s.wait_between(rng, 10, 60);
                    let dispatcher = &orders.dispatcher;
                    run.refused(
                        dispatcher,
                        &C::Callback {
                            satisfaction: Satisfaction::Satisfied,
                            finding: Finding::ReplyAdequate,
                            note: None,
                        },
                        Refusal::NotApplicable,
                    );
                    continue;
                }
                if run.wants(Injection::LateExtension) {
                    run.s.wait_until(due);
                    run.s.wait_between(rng, 30, 24 * 60);
                    run.refused(
                        member,
                        &C::RequestExtension {
                            working_days: 1,
                            reason: notes.parts_ordered.clone(),
                        },
                        Refusal::TooLate,
                    );
                    continue;
                }
                if run.plan.ending == Ending::Withdrawn(Stage::InHand) {
                    run.s.wait_between(rng, 60, 2 * 24 * 60);
                    run.send(
                        requester,
                        &C::Withdraw {
                            reason: Some(city.notes.changed_mind.clone()),
                        },
                    );
                    continue;
                }
                let left = (due - run.s.at).num_minutes();
                if let Some(office) = assisting {
                    run.s
                        .wait_between(rng, 30, (left / 2).clamp(30, 2 * 24 * 60));
                    let helper = &orders.offices[office].member;
                    run.send(
                        helper,
                        &C::Assist {
                            note: notes.site_checked.clone(),
                        },
                    );
                } else if run.plan.extend && !extended && left > 120 {
                    extended = true;
                    run.s.wait_between(rng, 10, left / 2);
                    run.send(
                        member,
                        &C::RequestExtension {
                            working_days: 1 + rng.random_range(0..3),
                            reason: notes.parts_ordered.clone(),
                        },
                    );
                } else if run.plan.lapse && !lapsed {
                    lapsed = true;
                    run.s.wait_until(due);
                    run.s.wait_between(rng, 1, 8 * 60);
                    run.send(&city.system, &C::Tick);
                    if rng.random_bool(0.4) {
                        // Still not replied when the written notice falls due.
                        run.s.wait(5 * 24 * 60);
                        run.send(&city.system, &C::Tick);
                    }
                } else {
                    let span = if overdue || left < 60 {
                        24 * 60
                    } else {
                        left - 30
                    };
                    run.s.wait_between(rng, 10, span);
                    run.send(
                        member,
                        &C::Reply {
                            reply: notes.dealt_with.clone(),
                        },
                    );
                }
            }
            Now::Replied { redos } => {
                if run.wants(Injection::WithdrawAfterReply) {
                    run.refused(
                        requester,
                        &C::Withdraw { reason: None },
                        Refusal::NotApplicable,
                    );
                    continue;
                }
                run.s.wait_between(rng, 60, 2 * 24 * 60);
                let (satisfaction, finding) = if run.plan.redo && redos == 0 {
                    (Satisfaction::Dissatisfied, Finding::ReplyWanting)
                } else if run.plan.dissatisfied {
                    (Satisfaction::Dissatisfied, Finding::ReplyAdequate)
                } else if rng.random_bool(0.8) {
                    (Satisfaction::Satisfied, Finding::ReplyAdequate)
                } else {
                    (Satisfaction::BasicallySatisfied, Finding::ReplyAdequate)
                };
                let dispatcher = &orders.dispatcher;
                run.send(
                    dispatcher,
                    &C::Callback {
                        satisfaction,
                        finding,
                        note: None,
                    },
                );
            }
            Now::CalledBack { warrants_redo } => {
                let dispatcher = &orders.dispatcher;
                if warrants_redo {
                    if run.wants(Injection::CloseBeforeRedo) {
                        run.refused(dispatcher, &C::Close, Refusal::NotApplicable);
                        continue;
                    }
                    run.s.wait_between(rng, 10, 4 * 60);
                    run.send(
                        dispatcher,
                        &C::Redo {
                            reason: notes.came_back.clone(),
                        },
                    );
                } else {
                    run.s.wait_between(rng, 10, 24 * 60);
                    run.send(dispatcher, &C::Close);
                }
            }
            Now::Unknown => {
                run.s
                    .give_up("the order is with a body the hotline does not know");
                break;
            }
            Now::Done => break,
        }
    }
    run.s
}
