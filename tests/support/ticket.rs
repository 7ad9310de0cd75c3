#![allow(unreachable_pub, dead_code)]
//! A small test workflow for the kernel's tests: a ticket a grid worker
//! opens, may put on hold, resolves, and a supervisor closes.

use chrono::{DateTime, Duration, Utc};
use grassroots::actor::{Actor, Forbidden, Role};
use grassroots::id::ActorId;
use grassroots::journal::EventSchema;
use grassroots::workflow::{Context, Decision, HasKind, Transition, Workflow};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default)]
pub struct Ticket;

#[derive(Debug, Clone, PartialEq, HasKind)]
pub enum State {
    New,
    Open {
        owner: ActorId,
        since: DateTime<Utc>,
        reminded: bool,
    },
    OnHold {
        owner: ActorId,
    },
    Resolved,
    Closed,
    Cancelled,
}

#[derive(Debug, Clone, HasKind)]
pub enum Command {
    Open,
    Hold,
    Resume,
    Resolve,
    ResolveAndClose,
    Close,
    Cancel,
    Tick,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
pub enum Event {
    Opened { owner: ActorId, at: DateTime<Utc> },
    Held,
    Resumed { at: DateTime<Utc> },
    Reminded,
    Resolved,
    Closed,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TicketError {
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error("command {command} does not apply to a {state} ticket")]
    NotApplicable {
        command: CommandKind,
        state: StateKind,
    },
    #[error("only the owner {owner} may resolve the ticket")]
    NotOwner { owner: ActorId },
}

pub const REMIND_AFTER_HOURS: i64 = 72;

impl Workflow for Ticket {
    const NAME: &'static str = "ticket";
    type State = State;
    type Command = Command;
    type Event = Event;
    type Rejection = TicketError;

    fn initial() -> State {
        State::New
    }

    fn decide(
        &self,
        state: &State,
        command: &Command,
        ctx: &Context<'_>,
    ) -> Result<Decision<Event>, TicketError> {
        let actor: &Actor = ctx.actor();
        let not_applicable = || TicketError::NotApplicable {
            command: command.kind(),
            state: state.kind(),
        };
        match (state, command) {
            (State::New, Command::Open) => {
                actor.require("open", Role::GridWorker)?;
                Ok(Event::Opened {
                    owner: actor.id().clone(),
                    at: ctx.at(),
                }
                .into())
            }
            (State::Open { owner, .. }, Command::Hold) => {
                require_owner(actor, owner)?;
                Ok(Event::Held.into())
            }
            (State::OnHold { owner }, Command::Resume) => {
                require_owner(actor, owner)?;
                Ok(Event::Resumed { at: ctx.at() }.into())
            }
            (State::Open { owner, .. }, Command::Resolve) => {
                require_owner(actor, owner)?;
                Ok(Event::Resolved.into())
            }
            (State::Open { owner, .. }, Command::ResolveAndClose) => {
                require_owner(actor, owner)?;
                actor.require("close", Role::Supervisor)?;
                Ok(Decision::one(Event::Resolved).and(Event::Closed))
            }
            (State::Resolved, Command::Close) => {
                actor.require("close", Role::Supervisor)?;
                Ok(Event::Closed.into())
            }
            (State::New | State::Open { .. } | State::OnHold { .. }, Command::Cancel) => {
                actor.require("cancel", Role::Party)?;
                Ok(Event::Cancelled.into())
            }
            (
                State::Open {
                    since, reminded, ..
                },
                Command::Tick,
            ) => {
                actor.require("tick", Role::System)?;
                let due = ctx.at() >= *since + Duration::hours(REMIND_AFTER_HOURS);
                Ok(if due && !reminded {
                    Event::Reminded.into()
                } else {
                    Decision::none()
                })
            }
            (_, Command::Tick) => {
                actor.require("tick", Role::System)?;
                Ok(Decision::none())
            }
            _ => Err(not_applicable()),
        }
    }

    fn evolve(state: State, event: &Event) -> State {
        match (state, event) {
            (State::New, Event::Opened { owner, at }) => State::Open {
                owner: owner.clone(),
                since: *at,
                reminded: false,
            },
            (State::Open { owner, .. }, Event::Held) => State::OnHold { owner },
            (State::OnHold { owner }, Event::Resumed { at }) => State::Open {
                owner,
                since: *at,
                reminded: false,
            },
            (State::Open { owner, since, .. }, Event::Reminded) => State::Open {
                owner,
                since,
                reminded: true,
            },
            (State::Open { .. }, Event::Resolved) => State::Resolved,
            (State::Resolved, Event::Closed) => State::Closed,
            (_, Event::Cancelled) => State::Cancelled,
            (state, _) => state,
        }
    }

    fn is_terminal(state: &State) -> bool {
        matches!(state, State::Closed | State::Cancelled)
    }

    /// An open ticket not yet reminded is due 72 hours after it opened.
    fn next_due(state: &State) -> Option<DateTime<Utc>> {
        match state {
            State::Open {
                since,
                reminded: false,
                ..
            } => Some(*since + Duration::hours(REMIND_AFTER_HOURS)),
            _ => None,
        }
    }

    fn timer_command() -> Option<Command> {
        Some(Command::Tick)
    }

    fn transitions() -> &'static [Transition<StateKind, EventKind>] {
        const TABLE: &[Transition<StateKind, EventKind>] = &[
            Transition::new(StateKind::New, EventKind::Opened, StateKind::Open),
            Transition::new(StateKind::Open, EventKind::Held, StateKind::OnHold),
            Transition::new(StateKind::OnHold, EventKind::Resumed, StateKind::Open),
            Transition::new(StateKind::Open, EventKind::Reminded, StateKind::Open),
            Transition::new(StateKind::Open, EventKind::Resolved, StateKind::Resolved),
            Transition::new(StateKind::Resolved, EventKind::Closed, StateKind::Closed),
            Transition::new(StateKind::New, EventKind::Cancelled, StateKind::Cancelled),
            Transition::new(StateKind::Open, EventKind::Cancelled, StateKind::Cancelled),
            Transition::new(
                StateKind::OnHold,
                EventKind::Cancelled,
                StateKind::Cancelled,
            ),
        ];
        TABLE
    }
}

/// Every ticket event is at schema version 1.
impl EventSchema for Ticket {}

fn require_owner(actor: &Actor, owner: &ActorId) -> Result<(), TicketError> {
    if actor.id() == owner {
        Ok(())
    } else {
        Err(TicketError::NotOwner {
            owner: owner.clone(),
        })
    }
}

/// What the case index shows of a ticket: its owner's desk handles it at
/// the grid tier; the owner resolves or resumes it, a supervisor closes it.
impl grassroots::journal::read::Indexed for Ticket {
    fn summary(state: &State) -> grassroots::journal::read::CaseSummary {
        use grassroots::journal::read::{CaseSummary, Waiting};
        let desk = |owner: &ActorId| format!("desk-{owner}").parse().ok();
        let (body, waiting) = match state {
            State::Open { owner, .. } => (desk(owner), Some(("resolve", Role::GridWorker))),
            State::OnHold { owner } => (desk(owner), Some(("resume", Role::GridWorker))),
            State::Resolved => (None, Some(("close", Role::Supervisor))),
            _ => (None, None),
        };
        CaseSummary {
            tier: body.as_ref().map(|_| grassroots::tier::Tier::Grid),
            waiting: waiting.map(|(action, role)| Waiting {
                action,
                body: body.clone(),
                role,
            }),
            body,
            parties: 1,
        }
    }
}
