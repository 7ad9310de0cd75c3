#![allow(unreachable_pub, dead_code)]
//! A tally for the concurrency tests: each command adds an amount under a
//! token no other command uses, so every accepted command can be found in
//! the history exactly once.

use std::collections::BTreeSet;

use grassroots::actor::{Actor, Forbidden, Role};
use grassroots::journal::EventSchema;
use grassroots::workflow::{Context, Decision, HasKind, Transition, Workflow};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default)]
pub struct Tally;

#[derive(Debug, Clone, PartialEq, Default, HasKind)]
#[kind(variant = Counting)]
pub struct State {
    pub total: u64,
    pub tokens: BTreeSet<String>,
}

#[derive(Debug, Clone, HasKind)]
pub struct Add {
    pub token: String,
    pub amount: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
pub enum Event {
    Added { token: String, amount: u64 },
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TallyError {
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error("token {0} was already added")]
    Repeated(String),
}

impl Workflow for Tally {
    const NAME: &'static str = "tally";
    type State = State;
    type Command = Add;
    type Event = Event;
    type Rejection = TallyError;

    fn initial() -> State {
        State::default()
    }

    fn decide(
        &self,
        state: &State,
        add: &Add,
        ctx: &Context<'_>,
    ) -> Result<Decision<Event>, TallyError> {
        let actor: &Actor = ctx.actor();
        actor.require("add", Role::HallClerk)?;
        if state.tokens.contains(&add.token) {
            return Err(TallyError::Repeated(add.token.clone()));
        }
        Ok(Event::Added {
            token: add.token.clone(),
            amount: add.amount,
        }
        .into())
    }

    fn evolve(mut state: State, event: &Event) -> State {
        let Event::Added { token, amount } = event;
        state.total += amount;
        state.tokens.insert(token.clone());
        state
    }

    fn is_terminal(_: &State) -> bool {
        false
    }

    fn transitions() -> &'static [Transition<StateKind, EventKind>] {
        const TABLE: &[Transition<StateKind, EventKind>] = &[Transition::new(
            StateKind::Counting,
            EventKind::Added,
            StateKind::Counting,
        )];
        TABLE
    }
}

impl EventSchema for Tally {}

pub fn clerk(id: &str) -> Actor {
    Actor::new(id.parse().unwrap()).with_role(Role::HallClerk)
}
