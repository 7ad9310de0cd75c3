//! proptest strategies for service requests (feature `proptest`): command
//! sequences that follow the lifecycle, arbitrary ones, and a mix — to feed
//! [`check_invariants`](crate::testing::check_invariants) or your own
//! property tests.
//!
//! - [`valid_steps`] draws sequences every command of which is accepted:
//!   each step is chosen among the commands that apply to the state the
//!   case has reached, sent by the actor allowed to send it, with gaps of up
//!   to three days between steps so deadlines pass and supervision starts.
//! - [`any_steps`] draws arbitrary commands from arbitrary actors: most are
//!   refused.
//! - [`mixed_steps`] slips arbitrary commands into a valid sequence.
//!
//! # A user's invariant test
//!
//! "A closed request was delivered first, and its promised date never came
//! before its acceptance" — checked over drawn sequences, with the kernel's
//! own invariants (live equals replay, refused commands change nothing,
//! every transition declared) checked by `check_invariants` on the way:
//!
//! ```
//! # #[cfg(feature = "sim")]
//! # fn main() {
//! use grassroots::service::{sample, strategies, ServiceRequestEvent, ServiceRequestState};
//! use grassroots::testing::check_invariants;
//! use proptest::prelude::*;
//! use proptest::test_runner::{Config, TestRunner};
//!
//! let service = sample::huanan_city_service();
//! let mut runner = TestRunner::new(Config::with_cases(32));
//! runner
//!     .run(&strategies::mixed_steps(&service, 1..30), |steps| {
//!         let checked = check_invariants(&service, "HN-P-1".parse().unwrap(), steps)
//!             .map_err(|v| TestCaseError::fail(v.to_string()))?;
//!         let case = checked.case;
//!         if let ServiceRequestState::Closed { .. } = case.state() {
//!             prop_assert!(case.history().iter().any(|r| r.event == ServiceRequestEvent::Delivered));
//!         }
//!         if let Some(handling) = case.state().handling() {
//!             prop_assert!(handling.promised() > handling.accepted_at());
//!         }
//!         Ok(())
//!     })
//!     .unwrap();
//! # }
//! # #[cfg(not(feature = "sim"))]
//! # fn main() {}
//! ```
//!
//! In a test file, the same reads as a `proptest! { #[test] fn ... }` block
//! (see this crate's `tests/service_props.rs`).

use chrono::{DateTime, Duration};
use proptest::prelude::*;

use super::catalogue::{
    Attribute, AttributeValue, Attributes, Catalogue, Datatype, Mode, ServiceItem,
};
use super::command::{Review, ServiceRequestCommand};
use super::decide::ServiceRequest;
use super::note::Note;
use super::state::{Handling, ServiceRequestState};
use crate::actor::{Actor, Role};
use crate::id::{ActorId, CaseId, MaterialId, OrgId, ServiceCode};
use crate::testing::strategies::{epoch, role};
use crate::testing::{Guide, Step};
use crate::workflow::{Case, Context, Workflow};

/// The applicant of every drawn request.
pub const APPLICANT: &str = "applicant-1";

fn parse<T: std::str::FromStr>(s: &str) -> Option<T> {
    s.parse().ok()
}

fn actor_id(s: &str) -> ActorId {
    ActorId::new(s).unwrap_or_else(|_| ActorId::new("actor").expect("a valid id"))
}

fn reason() -> Note {
    Note::new("drawn by a property test").expect("not blank")
}

/// The applicant of drawn requests: a party with id [`APPLICANT`].
pub fn applicant() -> Actor {
    Actor::new(actor_id(APPLICANT)).with_role(Role::Party)
}

/// A clerk of the catalogue's hall.
pub fn hall_clerk(catalogue: &Catalogue) -> Actor {
    Actor::new(actor_id("clerk-1"))
        .with_role(Role::HallClerk)
        .acting_for(catalogue.hall().clone())
}

/// An agent clerk of the catalogue's hall.
pub fn agent_clerk(catalogue: &Catalogue) -> Actor {
    Actor::new(actor_id("agent-1"))
        .with_role(Role::AgentClerk)
        .acting_for(catalogue.hall().clone())
}

/// An officer of `department`.
pub fn department_officer(department: &OrgId) -> Actor {
    Actor::new(actor_id(&format!("officer-{department}")))
        .with_role(Role::DepartmentOfficer)
        .acting_for(department.clone())
}

/// A supervisor.
pub fn supervisor() -> Actor {
    Actor::new(actor_id("supervisor-1")).with_role(Role::Supervisor)
}

/// A valid value for an attribute.
fn valid_value(attribute: &Attribute) -> AttributeValue {
    let first = || {
        attribute
            .values
            .first()
            .map(|v| v.key.clone())
            .unwrap_or_default()
    };
    match attribute.datatype {
        Datatype::String => AttributeValue::Text("a drawn value".into()),
        Datatype::Number => AttributeValue::Number(1.0),
        Datatype::DateTime => AttributeValue::DateTime(epoch()),
        Datatype::Text => AttributeValue::Text("a drawn\ntext".into()),
        Datatype::SingleValueList => AttributeValue::Choice(first()),
        Datatype::MultiValueList => AttributeValue::Choices(vec![first()]),
    }
}

/// How often a drawn step takes an option: moving on is common, pausing
/// less so, and ending a request early (refusal, withdrawal, denial,
/// return) rare, so drawn requests run long.
const ON: u32 = 8;
const TICK: u32 = 4;
const DETOUR: u32 = 3;
const END: u32 = 1;

/// The commands that apply to `state` at `at`, each with the actor allowed
/// to send it and a weight. Every one of them is accepted, except that a
/// calendar or routing error may still refuse one.
fn options(
    service: &ServiceRequest,
    state: &ServiceRequestState,
    at: DateTime<chrono::Utc>,
    detail: u32,
) -> Vec<(u32, Actor, ServiceRequestCommand)> {
    use ServiceRequestCommand as C;
    use ServiceRequestState as S;
    let catalogue = service.catalogue();
    let clerk = || hall_clerk(catalogue);
    let handler = |h: &Handling| match h.request().mode {
        Mode::Handle => clerk(),
        Mode::Forward => department_officer(h.handler()),
    };
    let tick = (TICK, Actor::system(), C::Tick);
    let withdraw = (END, applicant(), C::Withdraw { reason: None });
    let refuse = (
        END,
        clerk(),
        C::Refuse {
            reason: reason(),
            legal_basis: reason(),
        },
    );
    let deny = |h: &Handling| {
        (
            END,
            handler(h),
            C::Deny {
                reason: reason(),
                legal_basis: reason(),
            },
        )
    };
    match state {
        S::New => {
            let items = catalogue.items();
            if items.is_empty() {
                return Vec::new();
            }
            let with_pending: Vec<_> = items
                .iter()
                .filter(|i| i.non_essential().next().is_some())
                .collect();
            let ids = |item: &ServiceItem| -> Vec<MaterialId> {
                item.materials.iter().map(|m| m.id.clone()).collect()
            };
            let (item, provided) = if detail % 4 == 2 && !with_pending.is_empty() {
                // One draw in four: an item that may be accepted with a
                // material pending, without its non-essential ones.
                let item = with_pending[detail as usize / 4 % with_pending.len()];
                let mut provided = ids(item);
                provided.retain(|m| !item.non_essential().any(|n| n == m));
                (item, provided)
            } else {
                let item = &items[detail as usize % items.len()];
                let all = ids(item);
                // Every other draw leaves the last material out.
                if detail / 64 % 2 == 0 || all.is_empty() {
                    (item, all)
                } else {
                    let some = all[..all.len() - 1].to_vec();
                    (item, some)
                }
            };
            let attributes: Attributes = item
                .attributes
                .iter()
                .map(|a| (a.code.clone(), valid_value(a)))
                .collect();
            // One draw in eight comes through the hall's agent clerk.
            if detail % 8 == 3 {
                return vec![(
                    ON,
                    agent_clerk(catalogue),
                    C::SubmitForApplicant {
                        applicant: applicant().id().clone(),
                        authorisation: reason(),
                        item: item.code.clone(),
                        materials: provided,
                        attributes,
                        description: None,
                    },
                )];
            }
            vec![(
                ON,
                applicant(),
                C::Submit {
                    item: item.code.clone(),
                    materials: provided,
                    attributes,
                    description: None,
                },
            )]
        }
        S::Submitted(i) => {
            let mut out = vec![refuse, withdraw, tick];
            let missing: Vec<MaterialId> = i.missing().cloned().collect();
            let outstanding: Vec<MaterialId> = i.outstanding().cloned().collect();
            if outstanding.is_empty() && missing.is_empty() {
                out.push((ON, clerk(), C::Accept));
            } else if i
                .materials()
                .iter()
                .filter(|m| m.status() != super::MaterialStatus::Provided)
                .all(|m| m.materiality() == super::Materiality::NonEssential)
            {
                // Accepted with the non-essential materials pending, on a
                // promise to supply them within a day or two.
                let pending: Vec<MaterialId> =
                    missing.iter().chain(&outstanding).cloned().collect();
                out.push((
                    ON,
                    clerk(),
                    C::AcceptWithPromise {
                        pending,
                        supply_by: i.request().submitted_at.max(at)
                            + Duration::days(2 + i64::from(detail / 128 % 5)),
                        promise: reason(),
                    },
                ));
            }
            if i.supplement_rounds() == 0 {
                if !missing.is_empty() {
                    out.push((ON, clerk(), C::RequestSupplement { materials: missing }));
                } else if let Some(m) = i.required().next() {
                    // A provided material to be corrected.
                    out.push((
                        END,
                        clerk(),
                        C::RequestSupplement {
                            materials: vec![m.clone()],
                        },
                    ));
                }
            } else if !outstanding.is_empty() {
                out.push((
                    ON,
                    clerk(),
                    C::RequestSupplement {
                        materials: outstanding,
                    },
                ));
            }
            out
        }
        S::SupplementRequested(i) => {
            let mut out = vec![refuse, withdraw, tick];
            out.push((
                ON,
                applicant(),
                C::SupplyMaterials {
                    materials: i.outstanding().cloned().collect(),
                },
            ));
            if let Some(first) = i.outstanding().next() {
                out.push((
                    DETOUR,
                    applicant(),
                    C::SupplyMaterials {
                        materials: vec![first.clone()],
                    },
                ));
            }
            out
        }
        S::Accepted(h) => {
            let mut out = vec![withdraw, tick];
            out.extend(supply_pending(h));
            match h.request().mode {
                Mode::Handle => out.push((ON, clerk(), C::StartProcessing)),
                Mode::Forward => {
                    let to = if h.returned_by().contains(&h.request().handling_body) {
                        catalogue
                            .items()
                            .iter()
                            .map(|i| &i.handling_body)
                            .find(|b| **b != *catalogue.hall() && !h.returned_by().contains(b))
                            .cloned()
                    } else {
                        Some(h.request().handling_body.clone())
                    };
                    if let Some(to) = to {
                        let forward = C::Forward {
                            to: (detail % 2 == 0).then_some(to),
                        };
                        out.push((ON, clerk(), forward));
                    }
                }
            }
            out
        }
        S::Forwarded { to, handling } => {
            let mut out = vec![
                withdraw,
                tick,
                (ON, department_officer(to), C::SignFor),
                (END, department_officer(to), C::Return { reason: reason() }),
            ];
            out.extend(supply_pending(handling));
            out
        }
        S::InProcess(h) => {
            let mut out = vec![
                withdraw,
                tick,
                (DETOUR, handler(h), C::Suspend { reason: reason() }),
                (ON, handler(h), C::Complete),
                deny(h),
            ];
            out.extend(supply_pending(h));
            if !h.is_past_deadline(at) {
                // With a material pending, an extension is as likely as
                // anything else, so its promise can lapse while it waits.
                let weight = if h.pending().is_some() { ON } else { DETOUR };
                out.push((
                    weight,
                    handler(h),
                    C::RequestExtension {
                        working_days: 1 + detail % h.request().statutory_limit().max(1),
                        reason: reason(),
                    },
                ));
            }
            out
        }
        S::Suspended { handling, .. } => {
            let mut out = vec![withdraw, tick, (ON, handler(handling), C::Resume)];
            out.extend(supply_pending(handling));
            out
        }
        S::ExtensionRequested { handling, .. } => {
            let mut out = vec![
                withdraw,
                tick,
                (ON, supervisor(), C::ApproveExtension),
                (
                    DETOUR,
                    supervisor(),
                    C::RejectExtension { reason: reason() },
                ),
                (DETOUR, handler(handling), C::Complete),
                deny(handling),
            ];
            // While the supervisor considers it, time passes and the
            // applicant may supply what is pending.
            out.extend(supply_pending(handling).map(|(_, a, c)| (ON, a, c)));
            if handling.pending().is_some() {
                out.push((ON, Actor::system(), C::Tick));
            }
            out
        }
        S::Completed(_) | S::Denied { .. } => vec![tick, (ON, clerk(), C::Deliver)],
        S::Delivered { .. } => vec![
            (
                ON,
                applicant(),
                C::Rate {
                    review: Review::ALL[detail as usize % 3],
                    comment: None,
                },
            ),
            (
                DETOUR,
                applicant(),
                C::Rate {
                    review: Review::ALL[3 + detail as usize % 2],
                    comment: Some(reason()),
                },
            ),
            (END, clerk(), C::Close),
        ],
        S::Rated { .. } => vec![(ON, clerk(), C::Close)],
        S::Rectifying { .. } => vec![
            tick,
            (ON, clerk(), C::Rectify { action: reason() }),
            (
                DETOUR,
                supervisor(),
                C::SendBackForRework { reason: reason() },
            ),
        ],
        S::FollowingUp { .. } => vec![(ON, clerk(), C::FollowUp { result: reason() })],
        S::Refused { .. } | S::Closed { .. } | S::Withdrawn { .. } => Vec::new(),
    }
}

/// The applicant supplying every material still pending after acceptance,
/// if any.
fn supply_pending(h: &Handling) -> Option<(u32, Actor, ServiceRequestCommand)> {
    h.pending().map(|p| {
        (
            DETOUR,
            applicant(),
            ServiceRequestCommand::SupplyMaterials {
                materials: p.materials().to_vec(),
            },
        )
    })
}

/// A [`Guide`] for the testing kit's guided generation and
/// [`explore`](crate::testing::explore): in each state, every command
/// [`valid_steps`] could send there, by the actor it would send it as.
///
/// It is a `Guide<ServiceRequest>` in your tests; it is generic so that a
/// wrapper of the workflow (a mutant in the kit's own tests) can use it.
pub fn guide<W>(service: &ServiceRequest) -> Guide<W>
where
    W: Workflow<State = ServiceRequestState, Command = ServiceRequestCommand>,
{
    let service = service.clone();
    Guide::new().anywhere(move |state| {
        let mut out: Vec<(Actor, ServiceRequestCommand)> = Vec::new();
        // 2 and 6: an item with a non-essential material, submitted
        // without it (the two of the sample).
        for detail in [0, 1, 2, 6, 64, 65] {
            for (_, actor, command) in options(&service, state, epoch(), detail) {
                if !out.iter().any(|(a, c)| *a == actor && *c == command) {
                    out.push((actor, command));
                }
            }
        }
        out
    })
}

/// The option a draw picks, by weight.
fn choose(
    options: Vec<(u32, Actor, ServiceRequestCommand)>,
    pick: u32,
) -> Option<(Actor, ServiceRequestCommand)> {
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

/// Sequences of `len` steps that follow the lifecycle: each step is one of
/// the commands that apply to the state reached, sent by the actor allowed
/// to send it, 0 minutes to 3 days after the step before (from
/// [`epoch`], a Monday). Every step is accepted; a sequence stops early
/// when the request ends.
pub fn valid_steps(
    service: &ServiceRequest,
    len: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<Step<ServiceRequestCommand>>> + use<> {
    let service = service.clone();
    let draw = (any::<u32>(), any::<u32>(), 0..=3 * 24 * 60i64);
    proptest::collection::vec(draw, len).prop_map(move |draws| {
        let id = CaseId::new("drawn").expect("a valid id");
        let mut case = Case::<ServiceRequest>::new(id);
        let mut at = epoch();
        let mut steps = Vec::with_capacity(draws.len());
        for (pick, detail, gap) in draws {
            at += Duration::minutes(gap);
            let Some((actor, command)) = choose(options(&service, case.state(), at, detail), pick)
            else {
                break;
            };
            if case
                .handle(&service, &command, &Context::new(at, &actor))
                .is_ok()
            {
                steps.push(Step { actor, at, command });
            }
        }
        steps
    })
}

/// Any actor: one of the hall's cast (applicant, clerks, officers of the
/// catalogue's departments, a supervisor, the system), another party, or a
/// stranger with random roles acting for a random body.
pub fn actor(catalogue: &Catalogue) -> impl Strategy<Value = Actor> + use<> {
    let mut bodies: Vec<OrgId> = catalogue
        .items()
        .iter()
        .map(|i| i.handling_body.clone())
        .collect();
    bodies.push(catalogue.hall().clone());
    bodies.sort();
    bodies.dedup();
    let mut cast = vec![
        applicant(),
        Actor::new(actor_id("party-2")).with_role(Role::Party),
        hall_clerk(catalogue),
        agent_clerk(catalogue),
        supervisor(),
        Actor::system(),
    ];
    cast.extend(bodies.iter().map(department_officer));
    let strangers = (
        proptest::collection::vec(role(), 0..=2),
        proptest::sample::select(bodies),
        any::<bool>(),
    )
        .prop_map(|(roles, body, acting)| {
            let actor = roles
                .into_iter()
                .fold(Actor::new(actor_id("stranger")), Actor::with_role);
            if acting {
                actor.acting_for(body)
            } else {
                actor
            }
        });
    prop_oneof![3 => proptest::sample::select(cast), 1 => strangers]
}

/// Any command, valid or not: unknown items and materials, attribute values
/// of the wrong type or not allowed, extensions of zero days, forwards to
/// unknown departments, and every command in every state.
pub fn command(catalogue: &Catalogue) -> impl Strategy<Value = ServiceRequestCommand> + use<> {
    use ServiceRequestCommand as C;
    let mut codes: Vec<ServiceCode> = catalogue.items().iter().map(|i| i.code.clone()).collect();
    codes.extend(parse("XX-404"));
    let mut materials: Vec<MaterialId> = catalogue
        .items()
        .iter()
        .flat_map(|i| i.materials.iter().map(|m| m.id.clone()))
        .collect();
    materials.sort();
    materials.dedup();
    materials.extend(parse("unheard-of"));
    let mut bodies: Vec<Option<OrgId>> = catalogue
        .items()
        .iter()
        .map(|i| Some(i.handling_body.clone()))
        .collect();
    bodies.push(None);
    bodies.push(parse("nowhere"));
    let items: Vec<_> = catalogue.items().to_vec();
    let material_list = proptest::collection::vec(proptest::sample::select(materials), 0..4);
    let material_list_2 = material_list.clone();
    let submit = (
        proptest::sample::select(codes),
        material_list.clone(),
        any::<u8>(),
    )
        .prop_map(move |(item, materials, twist)| {
            let attributes: Attributes = items
                .iter()
                .find(|i| i.code == item)
                .map(|i| {
                    i.attributes
                        .iter()
                        .enumerate()
                        .filter(|(n, _)| twist % 5 != 1 || *n != 0)
                        .map(|(n, a)| {
                            let value = match (twist % 5, n) {
                                (2, 0) => AttributeValue::Number(f64::NAN),
                                (3, 0) => AttributeValue::Choice("not-a-key".into()),
                                (4, 0) => AttributeValue::Text("line\nbreak".into()),
                                _ => valid_value(a),
                            };
                            (a.code.clone(), value)
                        })
                        .collect()
                })
                .unwrap_or_default();
            C::Submit {
                item,
                materials,
                attributes,
                description: None,
            }
        });
    let submit_for = submit.clone().prop_map(|submit| match submit {
        C::Submit {
            item,
            materials,
            attributes,
            description,
        } => C::SubmitForApplicant {
            applicant: applicant().id().clone(),
            authorisation: reason(),
            item,
            materials,
            attributes,
            description,
        },
        other => other,
    });
    let note = Just(reason());
    prop_oneof![
        submit,
        material_list
            .clone()
            .prop_map(|materials| C::RequestSupplement { materials }),
        material_list.prop_map(|materials| C::SupplyMaterials { materials }),
        Just(C::Accept),
        note.clone().prop_map(|r| C::Refuse {
            reason: r.clone(),
            legal_basis: r
        }),
        Just(C::StartProcessing),
        proptest::sample::select(bodies).prop_map(|to| C::Forward { to }),
        Just(C::SignFor),
        note.clone().prop_map(|reason| C::Return { reason }),
        note.clone().prop_map(|reason| C::Suspend { reason }),
        Just(C::Resume),
        (0..25u32).prop_map(|working_days| C::RequestExtension {
            working_days,
            reason: reason()
        }),
        Just(C::ApproveExtension),
        note.clone()
            .prop_map(|reason| C::RejectExtension { reason }),
        Just(C::Complete),
        note.clone().prop_map(|r| C::Deny {
            reason: r.clone(),
            legal_basis: r
        }),
        Just(C::Deliver),
        proptest::sample::select(Review::ALL.to_vec()).prop_map(|review| C::Rate {
            review,
            comment: None
        }),
        note.clone()
            .prop_map(|reason| C::SendBackForRework { reason }),
        note.clone().prop_map(|action| C::Rectify { action }),
        note.clone().prop_map(|result| C::FollowUp { result }),
        (material_list_2, 0..6 * 24 * 60i64).prop_map(|(pending, minutes)| {
            C::AcceptWithPromise {
                pending,
                supply_by: epoch() + Duration::minutes(minutes),
                promise: reason(),
            }
        }),
        submit_for,
        Just(C::Close),
        Just(C::Withdraw { reason: None }),
        Just(C::Tick),
    ]
}

/// Arbitrary sequences of `len` steps: any actor, any command, 0 minutes
/// to 3 days apart. Most steps are refused.
pub fn any_steps(
    service: &ServiceRequest,
    len: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<Step<ServiceRequestCommand>>> + use<> {
    let catalogue = service.catalogue();
    crate::testing::strategies::steps((actor(catalogue), command(catalogue)), len)
}

/// A valid sequence ([`valid_steps`]) with arbitrary commands from
/// arbitrary actors slipped in between its steps (sent at the time of the
/// step before). Some of those are accepted and change the path, so later
/// steps of the valid sequence may be refused.
pub fn mixed_steps(
    service: &ServiceRequest,
    len: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<Step<ServiceRequestCommand>>> + use<> {
    let catalogue = service.catalogue();
    let noise = proptest::collection::vec(
        (
            any::<prop::sample::Index>(),
            actor(catalogue),
            command(catalogue),
        ),
        0..len.end.max(1) / 4 + 1,
    );
    (valid_steps(service, len), noise).prop_map(|(mut steps, noise)| {
        for (index, actor, command) in noise {
            let at = index.index(steps.len() + 1);
            let time = if at == 0 { epoch() } else { steps[at - 1].at };
            steps.insert(
                at,
                Step {
                    actor,
                    at: time,
                    command,
                },
            );
        }
        steps
    })
}
