//! A complaint desk as an axum service: the async journal on SQLite
//! (`AsyncJournal` over `AsyncSqliteStore`), the sweeper as a background
//! task that reminds the complaints nobody answered in two days, and the
//! journal's spans through `tracing`.
//!
//! ```sh
//! cargo run --features tokio,sqlite,tracing --example axum_service              # serves on 127.0.0.1:3000
//! curl -X POST localhost:3000/complaints/C-1 -H 'x-actor: gw-7'                 # a grid worker opens C-1
//! curl localhost:3000/complaints/C-1                                            # its state
//! cargo run --features tokio,sqlite,tracing --example axum_service -- --smoke   # serves itself once and exits
//! ```
//!
//! The kernel stays synchronous: `decide` and `evolve` run on the task
//! that awaits `handle`; only the store's I/O is async.

use std::error::Error;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use chrono::{DateTime, TimeDelta, Utc};
use grassroots::actor::{Actor, Forbidden, Role};
use grassroots::journal::{AsyncJournal, AsyncSqliteStore, EventSchema, ExecuteError};
use grassroots::workflow::{Context, Decision, HasKind, Transition, Workflow};
use serde::{Deserialize, Serialize};

/// A complaint a grid worker opens; unanswered two days later, the system
/// reminds the desk.
#[derive(Debug, Clone, Copy)]
struct Complaints;

#[derive(Debug, Clone, PartialEq, HasKind)]
enum Complaint {
    New,
    Open { due: DateTime<Utc> },
    Reminded,
}

#[derive(Debug, Clone, HasKind)]
enum Command {
    Open,
    Tick,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, HasKind)]
enum Event {
    Opened { due: DateTime<Utc> },
    Reminded,
}

impl Workflow for Complaints {
    const NAME: &'static str = "complaint";
    type State = Complaint;
    type Command = Command;
    type Event = Event;
    type Rejection = Forbidden;

    fn initial() -> Complaint {
        Complaint::New
    }

    fn decide(
        &self,
        state: &Complaint,
        command: &Command,
        ctx: &Context<'_>,
    ) -> Result<Decision<Event>, Forbidden> {
        match (state, command) {
            (Complaint::New, Command::Open) => {
                ctx.actor().require("open a complaint", Role::GridWorker)?;
                let due = ctx.at() + TimeDelta::days(2);
                Ok(Event::Opened { due }.into())
            }
            (Complaint::Open { due }, Command::Tick) if ctx.at() >= *due => {
                Ok(Event::Reminded.into())
            }
            // Anything else changes nothing.
            _ => Ok(Decision::none()),
        }
    }

    fn evolve(state: Complaint, event: &Event) -> Complaint {
        match (state, event) {
            (Complaint::New, Event::Opened { due }) => Complaint::Open { due: *due },
            (Complaint::Open { .. }, Event::Reminded) => Complaint::Reminded,
            (state, _) => state,
        }
    }

    fn is_terminal(state: &Complaint) -> bool {
        matches!(state, Complaint::Reminded)
    }

    fn transitions() -> &'static [Transition<ComplaintKind, EventKind>] {
        const TABLE: &[Transition<ComplaintKind, EventKind>] = &[
            Transition::new(ComplaintKind::New, EventKind::Opened, ComplaintKind::Open),
            Transition::new(
                ComplaintKind::Open,
                EventKind::Reminded,
                ComplaintKind::Reminded,
            ),
        ];
        TABLE
    }

    fn next_due(state: &Complaint) -> Option<DateTime<Utc>> {
        match state {
            Complaint::Open { due } => Some(*due),
            _ => None,
        }
    }

    fn timer_command() -> Option<Command> {
        Some(Command::Tick)
    }
}

impl EventSchema for Complaints {}

type Desk = Arc<AsyncJournal<AsyncSqliteStore>>;

/// `POST /complaints/{id}`, by the actor named in `x-actor` (a grid
/// worker in this sketch; a real service takes it from its login).
async fn open(
    State(desk): State<Desk>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> (StatusCode, String) {
    let Ok(id) = id.parse() else {
        return (StatusCode::BAD_REQUEST, format!("bad complaint id {id:?}"));
    };
    let actor = headers
        .get("x-actor")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .map(|id| Actor::new(id).with_role(Role::GridWorker));
    let Some(actor) = actor else {
        return (StatusCode::BAD_REQUEST, "x-actor names no actor".into());
    };
    let ctx = Context::new(wall_clock(), &actor);
    match desk.handle(&Complaints, &id, &Command::Open, &ctx).await {
        Ok(done) => (StatusCode::OK, format!("{:?}", done.case.state())),
        Err(ExecuteError::Refused(why)) => (StatusCode::FORBIDDEN, why.to_string()),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// `GET /complaints/{id}`: the case's state.
async fn show(State(desk): State<Desk>, Path(id): Path<String>) -> (StatusCode, String) {
    let Ok(id) = id.parse() else {
        return (StatusCode::BAD_REQUEST, format!("bad complaint id {id:?}"));
    };
    match desk.load::<Complaints>(&id).await {
        Ok(case) if case.version() == 0 => (StatusCode::NOT_FOUND, format!("no complaint {id}")),
        Ok(case) => (StatusCode::OK, format!("{:?}", case.state())),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// Serves `desk` on `listener` with its sweeper beside it, until `stop`.
/// `clock` is the sweeper's clock (the library reads none itself).
async fn serve(
    desk: Desk,
    listener: tokio::net::TcpListener,
    clock: fn() -> DateTime<Utc>,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Result<(), Box<dyn Error + Send + Sync>> {
    let sweeping = desk.clone();
    let mut sweeper_stop = stop.clone();
    let sweeper = tokio::spawn(async move {
        let sweeper = sweeping.sweeper(Complaints);
        let stopped = async move {
            let _ = sweeper_stop.wait_for(|stop| *stop).await;
        };
        sweeper
            .run(
                Duration::from_millis(200),
                clock,
                stopped,
                |swept| match swept {
                    Ok(report) if !report.ticked.is_empty() => println!("sweep: {report}"),
                    Ok(_) => {}
                    Err(e) => eprintln!("sweep failed: {e}"),
                },
            )
            .await;
    });
    let app = Router::new()
        .route("/complaints/{id}", get(show).post(open))
        .with_state(desk);
    let mut server_stop = stop;
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = server_stop.wait_for(|stop| *stop).await;
        })
        .await?;
    sweeper.await?;
    Ok(())
}

/// One HTTP/1 request with hyper's client; the status and the body.
async fn fetch(
    addr: SocketAddr,
    method: &str,
    path: &str,
) -> Result<(u16, String), Box<dyn Error>> {
    use http_body_util::{BodyExt, Empty};
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let request = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string())
        .header("x-actor", "gw-7")
        .body(Empty::<axum::body::Bytes>::new())?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// The wall clock (chrono is built without its `clock` feature).
fn wall_clock() -> DateTime<Utc> {
    std::time::SystemTime::now().into()
}

/// Three days ahead: the smoke run's sweeper finds the complaint overdue.
fn three_days_on() -> DateTime<Utc> {
    wall_clock() + TimeDelta::days(3)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // The journal's spans (`tracing` feature) printed as they close.
    tracing_subscriber::fmt()
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_target(false)
        .init();
    let smoke = std::env::args().any(|a| a == "--smoke");
    let store = if smoke {
        AsyncSqliteStore::new(grassroots::journal::SqliteStore::open_in_memory()?)
    } else {
        AsyncSqliteStore::open("complaints.sqlite3").await?
    };
    let desk: Desk = Arc::new(AsyncJournal::new(store, "longgang".parse()?));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    if !smoke {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
        println!("serving on http://{}", listener.local_addr()?);
        let server = tokio::spawn(serve(desk, listener, wall_clock, stopped));
        tokio::signal::ctrl_c().await?;
        stop.send(true)?;
        return server.await?.map_err(|e| e.to_string().into());
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(serve(desk.clone(), listener, three_days_on, stopped));
    let (status, body) = fetch(addr, "POST", "/complaints/C-1").await?;
    println!("POST /complaints/C-1: {status} {body}");
    // The sweeper, three days on by its clock, reminds the desk.
    let mut state = String::new();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (_, body) = fetch(addr, "GET", "/complaints/C-1").await?;
        state = body;
        if state == "Reminded" {
            break;
        }
    }
    println!("GET /complaints/C-1: {state}");
    stop.send(true)?;
    server.await?.map_err(|e| e.to_string())?;
    if state != "Reminded" {
        return Err(format!("the sweeper did not remind C-1: {state}").into());
    }
    Ok(())
}
