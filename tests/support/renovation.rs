#![allow(unreachable_pub, dead_code)]
//! A workflow of a user's own, for the tests: a renovation filing (装修备案)
//! at a housing estate. An owners' committee member (a custom role) files
//! it; the graph routes the city's own service category `renovation_filing`
//! to the body that handles it; a property manager reviews and approves it
//! within three days; the filer rates it. It tells the metrics what its
//! history means through `Measured`.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use grassroots::actor::{Forbidden, Role};
use grassroots::id::OrgId;
use grassroots::journal::EventSchema;
use grassroots::matter::ServiceCategory;
use grassroots::metrics::{CaseFacts, Exclusion, Measured, Rating};
use grassroots::org::{
    Capability, Need, Org, OrgGraph, OrgGraphError, OrgKind, Relation, Validity,
};
use grassroots::tier::Tier;
use grassroots::vocabulary::Name;
use grassroots::workflow::{Context, Decision, HasKind, Recorded, Transition, Workflow};
use serde::{Deserialize, Serialize};

/// The city's own role: a member of an estate's owners' committee.
pub const COMMITTEE_MEMBER: Role = Role::Custom(Name::from_static("owners_committee_member"));

/// The city's own service category.
pub const RENOVATION: ServiceCategory = ServiceCategory::from_static("renovation_filing");

/// How long the handling body has to approve a filing.
pub fn approval_limit() -> Duration {
    Duration::days(3)
}

/// The workflow, routing filings on its graph.
pub struct RenovationFiling {
    graph: Arc<OrgGraph>,
}

impl RenovationFiling {
    pub fn new(graph: Arc<OrgGraph>) -> Self {
        RenovationFiling { graph }
    }
}

#[derive(Debug, Clone, PartialEq, HasKind)]
pub enum State {
    Blank,
    Filed,
    Reviewed,
    Approved,
    Closed,
    Withdrawn,
}

#[derive(Debug, HasKind)]
pub enum Command {
    File { estate: OrgId },
    Review,
    Approve,
    Rate { verdict: Verdict },
    Withdraw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    Good,
    Bad,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
pub enum Event {
    Filed {
        estate: OrgId,
        handler: OrgId,
        due: DateTime<Utc>,
    },
    Reviewed,
    Approved,
    Rated {
        verdict: Verdict,
    },
    Withdrawn,
}

#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error(transparent)]
    Route(#[from] OrgGraphError),
    #[error("{command} does not apply to a {state} filing")]
    NotNow {
        command: CommandKind,
        state: StateKind,
    },
}

impl Workflow for RenovationFiling {
    const NAME: &'static str = "renovation_filing";
    type State = State;
    type Command = Command;
    type Event = Event;
    type Rejection = Refusal;

    fn initial() -> State {
        State::Blank
    }

    fn decide(
        &self,
        state: &State,
        command: &Command,
        ctx: &Context<'_>,
    ) -> Result<Decision<Event>, Refusal> {
        let actor = ctx.actor();
        match (state, command) {
            (State::Blank, Command::File { estate }) => {
                actor.require("file a renovation", COMMITTEE_MEMBER)?;
                let route = self.graph.route(
                    estate,
                    Tier::Estate,
                    &Need::Service(RENOVATION),
                    ctx.at().date_naive(),
                )?;
                Ok(Event::Filed {
                    estate: estate.clone(),
                    handler: route.handler,
                    due: ctx.at() + approval_limit(),
                }
                .into())
            }
            (State::Filed, Command::Review) => {
                actor.require("review a filing", Role::PropertyManager)?;
                Ok(Event::Reviewed.into())
            }
            (State::Reviewed, Command::Approve) => {
                actor.require("approve a filing", Role::PropertyManager)?;
                Ok(Event::Approved.into())
            }
            (State::Approved, Command::Rate { verdict }) => {
                actor.require("rate a filing", COMMITTEE_MEMBER)?;
                Ok(Event::Rated { verdict: *verdict }.into())
            }
            (State::Filed | State::Reviewed, Command::Withdraw) => {
                actor.require("withdraw a filing", COMMITTEE_MEMBER)?;
                Ok(Event::Withdrawn.into())
            }
            _ => Err(Refusal::NotNow {
                command: command.kind(),
                state: state.kind(),
            }),
        }
    }

    fn evolve(_: State, event: &Event) -> State {
        match event {
            Event::Filed { .. } => State::Filed,
            Event::Reviewed => State::Reviewed,
            Event::Approved => State::Approved,
            Event::Rated { .. } => State::Closed,
            Event::Withdrawn => State::Withdrawn,
        }
    }

    fn is_terminal(state: &State) -> bool {
        matches!(state, State::Closed | State::Withdrawn)
    }

    fn transitions() -> &'static [Transition<StateKind, EventKind>] {
        const TABLE: &[Transition<StateKind, EventKind>] = &[
            Transition::new(StateKind::Blank, EventKind::Filed, StateKind::Filed),
            Transition::new(StateKind::Filed, EventKind::Reviewed, StateKind::Reviewed),
            Transition::new(
                StateKind::Reviewed,
                EventKind::Approved,
                StateKind::Approved,
            ),
            Transition::new(StateKind::Approved, EventKind::Rated, StateKind::Closed),
            Transition::new(StateKind::Filed, EventKind::Withdrawn, StateKind::Withdrawn),
            Transition::new(
                StateKind::Reviewed,
                EventKind::Withdrawn,
                StateKind::Withdrawn,
            ),
        ];
        TABLE
    }
}

impl EventSchema for RenovationFiling {}

impl Measured for RenovationFiling {
    /// Received when filed; answered when reviewed; resolved when approved
    /// (on time before the due date); rated by the filer; withdrawn filings
    /// leave the rates. It counts under the body that handled it, at the
    /// estate tier, with the time from filing to approval at that tier.
    fn case_facts(history: &[Recorded<Event>]) -> Option<CaseFacts> {
        let first = history.first()?;
        let Event::Filed { handler, due, .. } = &first.event else {
            return None;
        };
        let mut facts = CaseFacts::received(Self::CASE_TYPE, Need::Service(RENOVATION), first.at);
        facts.body = Some(handler.clone());
        facts.tier = Some(Tier::Estate);
        for r in history {
            match &r.event {
                Event::Filed { .. } => {}
                Event::Reviewed => facts.respond(r.at),
                Event::Approved => {
                    facts.resolve(r.at, Some(*due));
                    facts.add_time_at(Tier::Estate, r.at - first.at);
                }
                Event::Rated { verdict } => facts.rate(match verdict {
                    Verdict::Good => Rating::Satisfied,
                    Verdict::Bad => Rating::Dissatisfied,
                }),
                Event::Withdrawn => facts.exclude(Exclusion::Withdrawn),
            }
        }
        Some(facts)
    }
}

/// A community with one estate whose owners' committee handles renovation
/// filings.
pub fn estate_graph() -> OrgGraph {
    let since = Validity::since(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
    let mut graph = OrgGraph::new();
    let id = |s: &str| -> OrgId { s.parse().unwrap() };
    graph
        .try_add_org(Org::new(id("hehua"), "Hehua community", OrgKind::Community))
        .unwrap();
    graph
        .try_add_org(Org::new(
            id("mancheng"),
            "Mancheng estate",
            OrgKind::HousingEstate,
        ))
        .unwrap();
    graph
        .try_add_org(
            Org::new(
                id("mancheng-oc"),
                "Mancheng owners' committee",
                OrgKind::OwnersCommittee,
            )
            .with_capability(Capability::Service(RENOVATION)),
        )
        .unwrap();
    graph
        .try_link(&id("mancheng"), Relation::PartOf, &id("hehua"))
        .unwrap();
    graph
        .try_link(&id("mancheng-oc"), Relation::Serves(since), &id("mancheng"))
        .unwrap();
    graph
}
