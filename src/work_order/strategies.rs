//! proptest strategies for work orders (feature `proptest`): command
//! sequences that follow the lifecycle, arbitrary ones, a mix, and a
//! [`Guide`] for the testing kit.
//!
//! - [`valid_steps`] draws sequences every command of which is accepted:
//!   each step is chosen among the commands that apply to the state the
//!   order has reached, sent by the actor allowed to send it, 0 minutes to
//!   3 days after the step before, so deadlines pass and supervision
//!   starts.
//! - [`any_steps`] draws arbitrary commands from arbitrary actors: most are
//!   refused.
//! - [`mixed_steps`] slips arbitrary commands into a valid sequence.
//!
//! The cast is drawn from the workflow's organisation graph: a dispatcher
//! of the centre, a member of every body, the requester [`REQUESTER`], a
//! supervisor and the system.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

use super::command::{
    Channel, Finding, Lead, ReturnGround, ReturnReason, Satisfaction, WorkOrderCommand,
};
use super::decide::{COUNCIL_LIAISON, DISPATCHER, WorkOrder};
use super::geo::{GeoFields, GeoPoint};
use super::state::WorkOrderState;
use crate::actor::{Actor, Role};
use crate::id::{ActorId, CaseId, OrgId};
use crate::org::{Need, OrgKind};
use crate::service::Note;
use crate::testing::strategies::{epoch, role};
use crate::testing::{Guide, Step};
use crate::tier::Tier;
use crate::workflow::{Case, Context, Workflow};

/// The requester of every drawn order.
pub const REQUESTER: &str = "requester-1";

fn actor_id(s: &str) -> ActorId {
    ActorId::new(s).unwrap_or_else(|_| ActorId::new("actor").expect("a valid id"))
}

fn note() -> Note {
    Note::new("drawn by a property test").expect("not blank")
}

/// The requester of drawn orders: a party with id [`REQUESTER`].
pub fn requester() -> Actor {
    Actor::new(actor_id(REQUESTER)).with_role(Role::Party)
}

/// A dispatcher of the workflow's centre.
pub fn dispatcher(work_orders: &WorkOrder) -> Actor {
    Actor::new(actor_id("dispatcher-1"))
        .with_role(DISPATCHER)
        .acting_for(work_orders.centre().clone())
}

/// A member of `body`: a department officer acting for it.
pub fn member(body: &OrgId) -> Actor {
    Actor::new(actor_id(&format!("officer-{body}")))
        .with_role(Role::DepartmentOfficer)
        .acting_for(body.clone())
}

/// A supervisor.
pub fn supervisor() -> Actor {
    Actor::new(actor_id("supervisor-1")).with_role(Role::Supervisor)
}

/// What the graph offers drawn orders: places, matters and bodies.
struct Map {
    locations: Vec<OrgId>,
    matters: Vec<Need>,
    bodies: Vec<OrgId>,
    councils: Vec<OrgId>,
}

impl Map {
    fn of(work_orders: &WorkOrder) -> Self {
        let graph = work_orders.ladder().graph();
        let mut map = Map {
            locations: Vec::new(),
            matters: Vec::new(),
            bodies: Vec::new(),
            councils: Vec::new(),
        };
        for org in graph.orgs() {
            if org.tier().is_some() {
                map.locations.push(org.id.clone());
            }
            if org.kind == OrgKind::MerchantsCouncil {
                map.councils.push(org.id.clone());
            }
            map.bodies.push(org.id.clone());
            for c in &org.capabilities {
                if !map.matters.contains(c) {
                    map.matters.push(*c);
                }
            }
        }
        map.locations.sort();
        map.bodies.sort();
        map.councils.sort();
        map.matters.sort();
        map
    }

    fn pick<T>(list: &[T], n: u32) -> Option<&T> {
        if list.is_empty() {
            None
        } else {
            list.get(n as usize % list.len())
        }
    }
}

const ON: u32 = 8;
const TICK: u32 = 4;
const DETOUR: u32 = 3;
const END: u32 = 1;

/// The commands that apply to `state`, each with the actor allowed to send
/// it and a weight. Most are accepted; a routing or capability rule may
/// still refuse one.
fn options(
    work_orders: &WorkOrder,
    map: &Map,
    state: &WorkOrderState,
    detail: u32,
) -> Vec<(u32, Actor, WorkOrderCommand)> {
    use WorkOrderCommand as C;
    use WorkOrderState as S;
    let dispatcher = || dispatcher(work_orders);
    let tick = (TICK, Actor::system(), C::Tick);
    let withdraw = (END, requester(), C::Withdraw { reason: None });
    let dismiss = (END, dispatcher(), C::Dismiss { reason: note() });
    // Routed, or chosen among the bodies able to handle the matter (not
    // the one whose return is pending), with an assisting body now and then.
    let dispatch = |matter: &Need, returner: Option<&OrgId>| {
        let graph = work_orders.ladder().graph();
        let capable: Vec<&OrgId> = map
            .bodies
            .iter()
            .filter(|b| Some(*b) != returner && graph.org(*b).is_some_and(|o| o.has(*matter)))
            .collect();
        let lead = match (detail / 3 % 3, Map::pick(&capable, detail / 9)) {
            (0 | 1, Some(body)) if returner.is_some() || detail / 3 % 3 == 0 => Lead::Chosen {
                body: (*body).clone(),
                reason: note(),
            },
            _ => Lead::Routed,
        };
        let assisting = match (detail / 27 % 4, Map::pick(&map.bodies, detail / 7)) {
            (0, Some(body)) => vec![body.clone()],
            _ => Vec::new(),
        };
        (ON, dispatcher(), C::Dispatch { lead, assisting })
    };
    let grounds = [
        ReturnGround::NotOurRemit,
        ReturnGround::OutsideOurArea,
        ReturnGround::InformationIncomplete,
        ReturnGround::AlreadyHandled,
    ];
    match state {
        S::New => {
            let (Some(location), Some(matter)) = (
                Map::pick(&map.locations, detail),
                Map::pick(&map.matters, detail / 5),
            ) else {
                return Vec::new();
            };
            let channel = Channel::ALL[detail as usize % Channel::ALL.len()];
            // A body that meets the requester: every other draw one that can
            // handle a matter itself (with that matter), so it may take the
            // request on.
            let graph = work_orders.ladder().graph();
            let capable = map.locations.iter().find_map(|l| {
                let org = graph.org(l)?;
                org.capabilities.first().map(|c| (l, *c))
            });
            let (territorial, matter) = match capable {
                Some((body, need)) if detail / 5 % 2 == 0 => (body, need),
                _ => (
                    Map::pick(&map.locations, detail / 11).unwrap_or(location),
                    *matter,
                ),
            };
            let matter = &matter;
            let recorder = match channel {
                Channel::Hotline => dispatcher(),
                Channel::App => requester(),
                Channel::GridWorker => Actor::new(actor_id("gw-1"))
                    .with_role(Role::GridWorker)
                    .acting_for(territorial.clone()),
                Channel::SecretaryFaceToFace => Actor::new(actor_id("secretary-1"))
                    .with_role(Role::Officer(Tier::Subdistrict))
                    .acting_for(territorial.clone()),
                Channel::MerchantsCouncil => Actor::new(actor_id("liaison-1"))
                    .with_role(COUNCIL_LIAISON)
                    .acting_for(
                        Map::pick(&map.councils, detail)
                            .unwrap_or(territorial)
                            .clone(),
                    ),
            };
            let geo = if detail % 2 == 0 {
                GeoFields::default()
            } else {
                GeoFields {
                    point: GeoPoint::new(22.66, 114.13).ok(),
                    address: Some(note()),
                    media_url: "https://img.example.cn/drawn.jpg".parse().ok(),
                }
            };
            vec![(
                ON,
                recorder,
                C::Receive {
                    channel,
                    requester: actor_id(REQUESTER),
                    matter: *matter,
                    location: location.clone(),
                    description: note(),
                    geo,
                },
            )]
        }
        S::Received(order) => {
            let first = member(&order.intake().first_receiver);
            vec![
                (ON, first.clone(), C::TakeOn),
                (ON, first, C::HandOver { record: note() }),
                withdraw,
                tick,
            ]
        }
        S::AwaitingDispatch(order) => vec![
            dispatch(&order.intake().matter, None),
            dismiss,
            withdraw,
            tick,
        ],
        S::Dispatched { pending, .. } => {
            let lead = member(&pending.assignment().lead);
            vec![
                (ON, lead.clone(), C::SignFor),
                (
                    DETOUR,
                    lead,
                    C::Return {
                        reason: ReturnReason {
                            ground: grounds[detail as usize % grounds.len()],
                            note: note(),
                        },
                    },
                ),
                withdraw,
                tick,
            ]
        }
        S::ReturnPending { order, pending } => vec![
            dispatch(&order.intake().matter, Some(&pending.assignment().lead)),
            (DETOUR, dispatcher(), C::UpholdDispatch { reason: note() }),
            dismiss,
            withdraw,
            tick,
        ],
        S::InHand { handling, .. } | S::ExtensionRequested { handling, .. } => {
            let lead = member(handling.lead());
            let mut out = vec![
                (ON, lead.clone(), C::Reply { reply: note() }),
                withdraw,
                tick,
            ];
            if let Some(body) = handling.pending_assistance() {
                out.push((ON, member(body), C::Assist { note: note() }));
            }
            if let S::ExtensionRequested { .. } = state {
                out.push((DETOUR, supervisor(), C::ApproveExtension));
                out.push((DETOUR, supervisor(), C::RejectExtension { reason: note() }));
            } else {
                out.push((
                    DETOUR,
                    lead,
                    C::RequestExtension {
                        working_days: 1 + detail % 3,
                        reason: note(),
                    },
                ));
            }
            out
        }
        S::Replied { .. } => {
            let (satisfaction, finding) = match detail % 4 {
                0 => (Satisfaction::Dissatisfied, Finding::ReplyWanting),
                1 => (Satisfaction::Dissatisfied, Finding::ReplyAdequate),
                2 => (Satisfaction::BasicallySatisfied, Finding::ReplyAdequate),
                _ => (Satisfaction::Satisfied, Finding::ReplyAdequate),
            };
            vec![(
                ON,
                dispatcher(),
                C::Callback {
                    satisfaction,
                    finding,
                    note: None,
                },
            )]
        }
        S::CalledBack { .. } => vec![
            (ON, dispatcher(), C::Redo { reason: note() }),
            (ON, dispatcher(), C::Close),
        ],
        S::Closed { .. } | S::Dismissed { .. } | S::Withdrawn { .. } => Vec::new(),
    }
}

/// A [`Guide`] for the testing kit's guided generation and
/// [`explore`](crate::testing::explore): in each state, the commands
/// [`valid_steps`] could send there, by the actor it would send them as.
///
/// It is a `Guide<WorkOrder>` in your tests; it is generic so that a wrapper
/// of the workflow can use it.
pub fn guide<W>(work_orders: &WorkOrder) -> Guide<W>
where
    W: Workflow<State = WorkOrderState, Command = WorkOrderCommand>,
{
    let work_orders = work_orders.clone();
    let map = Map::of(&work_orders);
    Guide::new().anywhere(move |state| {
        let mut out: Vec<(Actor, WorkOrderCommand)> = Vec::new();
        for detail in 0..12 {
            for (_, actor, command) in options(&work_orders, &map, state, detail) {
                if !out.iter().any(|(a, c)| *a == actor && *c == command) {
                    out.push((actor, command));
                }
            }
        }
        out
    })
}

fn choose(
    options: Vec<(u32, Actor, WorkOrderCommand)>,
    pick: u32,
) -> Option<(Actor, WorkOrderCommand)> {
    let total: u32 = options.iter().map(|(w, ..)| *w).sum();
    if total == 0 {
        return None;
    }
    let mut at = pick % total;
    for (weight, actor, command) in options {
        if at < weight {
            return Some((actor, command));
        }
        at -= weight;
    }
    None
}

/// Sequences of up to `len` steps that follow the lifecycle (from
/// [`epoch`], a Monday): each step is one of the commands that apply to the
/// state reached, sent by the actor allowed to send it. Only accepted steps
/// are kept; a sequence stops early when the order ends.
pub fn valid_steps(
    work_orders: &WorkOrder,
    len: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<Step<WorkOrderCommand>>> + use<> {
    let work_orders = work_orders.clone();
    let draw = (any::<u32>(), any::<u32>(), 0..=3 * 24 * 60i64);
    proptest::collection::vec(draw, len).prop_map(move |draws| {
        let map = Map::of(&work_orders);
        let mut case = Case::<WorkOrder>::new(CaseId::new("drawn").expect("a valid id"));
        let mut at: DateTime<Utc> = epoch();
        let mut steps = Vec::with_capacity(draws.len());
        for (pick, detail, gap) in draws {
            at += Duration::minutes(gap);
            let Some((actor, command)) =
                choose(options(&work_orders, &map, case.state(), detail), pick)
            else {
                break;
            };
            if case
                .handle(&work_orders, &command, &Context::new(at, &actor))
                .is_ok()
            {
                steps.push(Step { actor, at, command });
            }
        }
        steps
    })
}

/// Any actor: one of the cast, or a stranger with random roles acting for a
/// random body of the graph.
pub fn actor(work_orders: &WorkOrder) -> impl Strategy<Value = Actor> + use<> {
    let map = Map::of(work_orders);
    let mut cast = vec![
        requester(),
        Actor::new(actor_id("party-2")).with_role(Role::Party),
        dispatcher(work_orders),
        supervisor(),
        Actor::system(),
    ];
    cast.extend(map.bodies.iter().map(member));
    let bodies = map.bodies.clone();
    let strangers = (
        proptest::collection::vec(role(), 0..=2),
        proptest::sample::select(bodies),
    )
        .prop_map(|(roles, body)| {
            roles
                .into_iter()
                .fold(Actor::new(actor_id("stranger")), Actor::with_role)
                .acting_for(body)
        });
    prop_oneof![3 => proptest::sample::select(cast), 1 => strangers]
}

/// Any command, valid or not, with any actor: built from the options of
/// every kind of state, so each is well formed.
pub fn command(work_orders: &WorkOrder) -> impl Strategy<Value = WorkOrderCommand> + use<> {
    let wo = work_orders.clone();
    let map = Map::of(&wo);
    // The options of a few reached states, and the commands no option sends.
    let mut all: Vec<WorkOrderCommand> = Vec::new();
    let states = sample_states(&wo, &map);
    for state in &states {
        for detail in 0..12 {
            for (_, _, c) in options(&wo, &map, state, detail) {
                if !all.contains(&c) {
                    all.push(c);
                }
            }
        }
    }
    all.push(WorkOrderCommand::Tick);
    proptest::sample::select(all)
}

/// States reached by running each option's first choice from the start.
fn sample_states(work_orders: &WorkOrder, map: &Map) -> Vec<WorkOrderState> {
    let mut out = vec![WorkOrderState::New];
    for seed in 0..8u32 {
        let mut case = Case::<WorkOrder>::new(CaseId::new("sample").expect("a valid id"));
        let mut at = epoch();
        for step in 0..12u32 {
            at += Duration::hours(1);
            let options = options(work_orders, map, case.state(), seed.wrapping_add(step));
            let moved = options.into_iter().any(|(_, actor, command)| {
                case.handle(work_orders, &command, &Context::new(at, &actor))
                    .is_ok_and(|r| !r.is_empty())
            });
            if !moved {
                break;
            }
            if !out.contains(case.state()) {
                out.push(case.state().clone());
            }
        }
    }
    out
}

/// Arbitrary steps: any command from any actor, 0 minutes to 3 days apart.
pub fn any_steps(
    work_orders: &WorkOrder,
    len: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<Step<WorkOrderCommand>>> + use<> {
    crate::testing::strategies::steps((actor(work_orders), command(work_orders)), len)
}

/// Valid sequences with arbitrary steps slipped in (about one in four).
pub fn mixed_steps(
    work_orders: &WorkOrder,
    len: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<Step<WorkOrderCommand>>> + use<> {
    let noise = proptest::collection::vec(
        (any::<u8>(), actor(work_orders), command(work_orders)),
        len.clone(),
    );
    (valid_steps(work_orders, len), noise).prop_map(|(valid, noise)| {
        let mut out = Vec::with_capacity(valid.len() + noise.len());
        let mut noise = noise.into_iter();
        for step in valid {
            if let Some((roll, actor, command)) = noise.next() {
                if roll % 4 == 0 {
                    out.push(Step {
                        actor,
                        at: step.at,
                        command,
                    });
                }
            }
            out.push(step);
        }
        out
    })
}
