//! Quickstart: define a small workflow on the grassroots kernel, drive it,
//! watch a command get refused, replay the history, count it in the
//! governance metrics, test it with the testing kit (bounded exploration,
//! coverage and — with feature `proptest` — guided generation) and draw the
//! diagram.
//!
//! Run with `cargo run --example quickstart`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use grassroots::actor::{Actor, Forbidden, Role};
use grassroots::i18n::{Lang, Localized};
use grassroots::id::ActorId;
use grassroots::matter::DisputeKind;
use grassroots::metrics::{CaseFacts, CaseType, Exclusion, GovernanceMetrics, Measured};
use grassroots::org::Need;
use grassroots::testing::{Budget, Guide, explore};
use grassroots::workflow::{
    Case, Context, Decision, HasKind, Recorded, Transition, Workflow, mermaid,
};

/// A noise complaint between neighbours: a grid worker logs it, a mediator
/// talks to both sides, and it ends settled or withdrawn.
struct NoiseComplaint;

#[derive(Debug, Clone, PartialEq, HasKind)]
enum State {
    Blank,
    Logged {
        by: ActorId,
    },
    Talking {
        mediator: ActorId,
        since: DateTime<Utc>,
    },
    Settled {
        terms: String,
    },
    Withdrawn,
}

#[derive(Debug, Clone, HasKind)]
enum Command {
    Log,
    TakeUp,
    Settle { terms: String },
    Withdraw,
}

#[derive(Debug, Clone, PartialEq, HasKind)]
enum Event {
    Logged {
        by: ActorId,
    },
    TakenUp {
        mediator: ActorId,
        at: DateTime<Utc>,
    },
    Settled {
        terms: String,
    },
    Withdrawn,
}

#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error("{command} does not apply to a {state} complaint")]
    NotNow {
        command: CommandKind,
        state: StateKind,
    },
    #[error("only {mediator}, who took the complaint up, may settle it")]
    NotTheMediator { mediator: ActorId },
}

// Chinese beside the English: exhaustive matches, so a new kind or refusal
// without its Chinese does not compile. `--lang zh` prints them.
impl Localized for StateKind {
    fn en(&self) -> std::borrow::Cow<'_, str> {
        self.to_string().into()
    }

    fn zh(&self) -> std::borrow::Cow<'_, str> {
        match self {
            StateKind::Blank => "未登记",
            StateKind::Logged => "已登记",
            StateKind::Talking => "调解中",
            StateKind::Settled => "已调解成功",
            StateKind::Withdrawn => "已撤回",
        }
        .into()
    }
}

impl Localized for Event {
    fn en(&self) -> std::borrow::Cow<'_, str> {
        format!("{:?}", self).into()
    }

    fn zh(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Event::Logged { by } => format!("网格员 {by} 登记噪音投诉"),
            Event::TakenUp { mediator, .. } => format!("调解员 {mediator} 接手调解"),
            Event::Settled { terms } => format!("调解成功：{terms}"),
            Event::Withdrawn => "当事人撤回投诉".to_owned(),
        }
        .into()
    }
}

impl Localized for Refusal {
    fn en(&self) -> std::borrow::Cow<'_, str> {
        self.to_string().into()
    }

    fn zh(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Refusal::Forbidden(f) => f.zh(),
            Refusal::NotNow { command, state } => {
                format!("投诉处于“{}”状态，不能执行 {command}", state.zh()).into()
            }
            Refusal::NotTheMediator { mediator } => {
                format!("只有接手调解的 {mediator} 可以结案").into()
            }
        }
    }
}

impl Workflow for NoiseComplaint {
    const NAME: &'static str = "noise_complaint";
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
            (State::Blank, Command::Log) => {
                actor.require("log a complaint", Role::GridWorker)?;
                Ok(Event::Logged {
                    by: actor.id().clone(),
                }
                .into())
            }
            (State::Logged { .. }, Command::TakeUp) => {
                actor.require("take up a complaint", Role::Mediator)?;
                Ok(Event::TakenUp {
                    mediator: actor.id().clone(),
                    at: ctx.at(),
                }
                .into())
            }
            (State::Talking { mediator, .. }, Command::Settle { terms }) => {
                if actor.id() != mediator {
                    return Err(Refusal::NotTheMediator {
                        mediator: mediator.clone(),
                    });
                }
                Ok(Event::Settled {
                    terms: terms.clone(),
                }
                .into())
            }
            (State::Logged { .. } | State::Talking { .. }, Command::Withdraw) => {
                actor.require("withdraw", Role::Party)?;
                Ok(Event::Withdrawn.into())
            }
            _ => Err(Refusal::NotNow {
                command: command.kind(),
                state: state.kind(),
            }),
        }
    }

    fn evolve(state: State, event: &Event) -> State {
        match event {
            Event::Logged { by } => State::Logged { by: by.clone() },
            Event::TakenUp { mediator, at } => State::Talking {
                mediator: mediator.clone(),
                since: *at,
            },
            Event::Settled { terms } => State::Settled {
                terms: terms.clone(),
            },
            Event::Withdrawn => match state {
                State::Settled { .. } => state,
                _ => State::Withdrawn,
            },
        }
    }

    fn is_terminal(state: &State) -> bool {
        matches!(state, State::Settled { .. } | State::Withdrawn)
    }

    fn transitions() -> &'static [Transition<StateKind, EventKind>] {
        use {EventKind as E, StateKind as S};
        const TABLE: &[Transition<S, E>] = &[
            Transition::new(S::Blank, E::Logged, S::Logged),
            Transition::new(S::Logged, E::TakenUp, S::Talking),
            Transition::new(S::Talking, E::Settled, S::Settled),
            Transition::new(S::Logged, E::Withdrawn, S::Withdrawn),
            Transition::new(S::Talking, E::Withdrawn, S::Withdrawn),
        ];
        TABLE
    }
}

/// How the metrics read a complaint's history: received when logged,
/// answered when a mediator takes it up, resolved when settled (on time
/// within a week), left out of the rates when withdrawn. It counts under
/// its own case type, `noise_complaint` (the workflow's `NAME`), and under
/// neighbour mediation as its kind of matter.
impl Measured for NoiseComplaint {
    fn case_facts(history: &[Recorded<Event>]) -> Option<CaseFacts> {
        let logged = history.first()?;
        let need = Need::Mediation(DisputeKind::Neighbour);
        let mut facts = CaseFacts::received(Self::CASE_TYPE, need, logged.at);
        for r in history {
            match &r.event {
                Event::Logged { .. } => {}
                Event::TakenUp { at, .. } => facts.respond(*at),
                Event::Settled { .. } => facts.resolve(r.at, Some(logged.at + Duration::days(7))),
                Event::Withdrawn => facts.exclude(Exclusion::Withdrawn),
            }
        }
        Some(facts)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let lang = match args.iter().position(|a| a == "--lang") {
        Some(i) => args.get(i + 1).ok_or("--lang needs en or zh")?.parse()?,
        None => Lang::En,
    };
    let zh = lang == Lang::Zh;
    let grid_worker = Actor::new("grid-worker-zhou".parse()?).with_role(Role::GridWorker);
    let mediator = Actor::new("mediator-lin".parse()?).with_role(Role::Mediator);
    let trainee = Actor::new("trainee-he".parse()?).with_role(Role::Mediator);
    let monday = Utc
        .with_ymd_and_hms(2026, 3, 2, 1, 30, 0)
        .single()
        .ok_or("bad date")?;

    let workflow = NoiseComplaint;
    let mut case = Case::<NoiseComplaint>::new("noise-2026-0042".parse()?);

    case.handle(
        &workflow,
        &Command::Log,
        &Context::new(monday, &grid_worker),
    )?;
    case.handle(
        &workflow,
        &Command::TakeUp,
        &Context::new(monday + Duration::hours(2), &mediator),
    )?;

    // A trainee who did not take the complaint up tries to settle it: refused,
    // and the case is exactly as it was.
    let version = case.version();
    let settle = Command::Settle {
        terms: "quiet hours after 22:00".into(),
    };
    match case.handle(
        &workflow,
        &settle,
        &Context::new(monday + Duration::hours(3), &trainee),
    ) {
        Ok(_) => return Err("the trainee should have been refused".into()),
        Err(refusal) if zh => println!("被拒绝：{}", refusal.zh()),
        Err(refusal) => println!("refused: {refusal}"),
    }
    assert_eq!(case.version(), version);

    case.handle(
        &workflow,
        &settle,
        &Context::new(monday + Duration::days(1), &mediator),
    )?;

    if zh {
        println!(
            "\n案件 {}，共 {} 个事件：{}",
            case.id(),
            case.version(),
            case.state().kind().zh()
        );
        println!("\n处理记录：");
    } else {
        println!(
            "\ncase {} after {} events: {:?}",
            case.id(),
            case.version(),
            case.state()
        );
        println!("\naudit trail:");
    }
    for r in case.history() {
        if zh {
            println!(
                "  #{} {} {:<18} {}",
                r.seq,
                r.at.format("%Y-%m-%d %H:%M"),
                r.actor,
                r.event.zh()
            );
            continue;
        }
        println!(
            "  #{} {} {:<18} {:?}",
            r.seq,
            r.at.format("%Y-%m-%d %H:%M"),
            r.actor,
            r.event
        );
    }

    let replayed = Case::<NoiseComplaint>::replay(case.id().clone(), case.history().to_vec())?;
    assert_eq!(replayed, case);
    if zh {
        println!("\n由历史记录重放：与实时案件一致");
    } else {
        println!("\nreplayed from its history: equal to the live case");
    }

    // A second complaint: one neighbour withdraws before mediation starts.
    let neighbour = Actor::new("neighbour-wu".parse()?).with_role(Role::Party);
    let mut other = Case::<NoiseComplaint>::new("noise-2026-0043".parse()?);
    other.handle(
        &workflow,
        &Command::Log,
        &Context::new(monday, &grid_worker),
    )?;
    other.handle(
        &workflow,
        &Command::Withdraw,
        &Context::new(monday + Duration::hours(5), &neighbour),
    )?;
    if zh {
        println!("案件 {} 结束于：{}", other.id(), other.state().kind().zh());
    } else {
        println!("case {} ends {}", other.id(), other.state().kind());
    }

    // Both complaints in the governance metrics, under their own case type.
    let mut metrics = GovernanceMetrics::new();
    metrics.observe_case::<NoiseComplaint>(case.history());
    metrics.observe_case::<NoiseComplaint>(other.history());
    let complaints = metrics.by_case_type(NoiseComplaint::CASE_TYPE);
    assert_eq!(
        NoiseComplaint::CASE_TYPE,
        CaseType::from_static("noise_complaint")
    );
    assert_eq!((complaints.received(), complaints.withdrawn()), (2, 1));
    assert_eq!(complaints.response_rate(), Some(1.0));
    assert_eq!(complaints.resolution_rate(), Some(1.0));
    assert_eq!(complaints.on_time_rate(), Some(1.0));
    println!("\n{metrics}");

    test_with_the_kit(grid_worker, mediator, neighbour)?;

    println!("\n{}", mermaid::<NoiseComplaint>());
    Ok(())
}

/// What a user's integration test writes: per state, the commands that make
/// sense and who sends them; the kit explores every reachable state, checks
/// the kernel's invariants and this one, and reports the declared
/// transitions it never performed.
fn test_with_the_kit(
    grid_worker: Actor,
    mediator: Actor,
    neighbour: Actor,
) -> Result<(), Box<dyn std::error::Error>> {
    let settle = || Command::Settle {
        terms: "quiet hours".into(),
    };
    let (m, n) = (mediator.clone(), neighbour.clone());
    let guide = Guide::<NoiseComplaint>::new()
        .when(StateKind::Blank, move |_| {
            vec![(grid_worker.clone(), Command::Log)]
        })
        .when(StateKind::Logged, move |_| {
            vec![(m.clone(), Command::TakeUp), (n.clone(), Command::Withdraw)]
        })
        .when(StateKind::Talking, move |_| {
            vec![
                (mediator.clone(), settle()),
                (neighbour.clone(), Command::Withdraw),
            ]
        })
        .invariant("settled only by the mediator who took it up", |case| {
            !matches!(case.state(), State::Settled { .. })
                || case.history()[1].actor == case.history()[2].actor
        });
    let report = explore(&NoiseComplaint, &guide, Budget::depth(6));
    println!("\n{report}");
    if let Some(counterexample) = report.violation {
        return Err(counterexample.to_string().into());
    }
    report.coverage.require(1.0)?;
    #[cfg(feature = "proptest")]
    {
        use grassroots::testing::guided::{self, Run};
        let coverage = guided::run(&NoiseComplaint, &guide, Run::default())?;
        println!("{coverage}");
    }
    Ok(())
}
