//! An Open311 GeoReport v2 server over the SQLite journal: the Huanan City
//! service hall's catalogue and the Longgang 12345 centre's work orders,
//! behind one service list.
//!
//! ```text
//! cargo run --features sim,sqlite --example open311_server -- --db open311.db --api-key demo-key
//! curl -s localhost:3311/services.json
//! curl -s -d api_key=demo-key -d service_code=noise -d address_id=huanan-city \
//!      -d 'description=presses at night' localhost:3311/requests.json
//! curl -s 'localhost:3311/requests.json?service_code=noise&status=open'
//! ```
//!
//! `--smoke` serves on a loopback port over an in-memory journal, asks
//! itself for the service list, posts a work order, reads it back and
//! exits (CI runs it so).
//!
//! The GeoReport rules — decoding the body, the API key, the filters, the
//! error list and its status codes — are `grassroots::open311::server`'s;
//! this file only routes with axum and runs the synchronous journal on
//! tokio's blocking threads (`spawn_blocking`).

use std::error::Error;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use grassroots::id::ActorId;
use grassroots::journal::{EventStore, Journal, SqliteStore};
use grassroots::open311::server::{
    Answer, CONTENT_TYPE, Endpoint, EndpointBuilder, MAX_BODY_BYTES, Open311Error, Reply,
};
use grassroots::service::sample as hall;
use grassroots::work_order::sample as centre;

/// Where the server takes the time from: the wall clock, or a fixed time
/// in tests.
pub(crate) type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The time now, from the system's clock (chrono's `clock` feature is
/// not on).
fn wall_clock() -> DateTime<Utc> {
    DateTime::from(std::time::SystemTime::now())
}

/// What the handlers share: the endpoint and the clock.
pub(crate) struct Server<S> {
    /// The GeoReport endpoint over the journal.
    pub(crate) endpoint: Endpoint<S>,
    /// The clock.
    pub(crate) clock: Clock,
}

/// The client the example's API key belongs to: the city's app.
pub(crate) const CLIENT: &str = "huanan-app";

/// The endpoint of the Huanan City hall and the Longgang 12345 centre on
/// `store`, for the tenant `longgang`, taking `api_key` on POST.
pub(crate) fn endpoint<S: EventStore>(
    store: S,
    api_key: &str,
) -> Result<Endpoint<S>, Box<dyn Error>> {
    let journal = Journal::new(store, "longgang".parse()?);
    let endpoint = EndpointBuilder::new(
        hall::huanan_city_service(),
        centre::huanan_work_orders(),
        centre::HUANAN_CITY.parse()?,
    )
    .work_order_service(
        centre::NOISE,
        "Noise",
        "Noise from workshops, building sites or neighbours",
    )
    .work_order_service(
        centre::CITY_APPEARANCE,
        "City appearance",
        "Stalls, clutter and blocked lanes",
    )
    .work_order_service(
        centre::STREET_LIGHTING,
        "Street lighting",
        "A street light out or flickering",
    )
    .api_key(api_key, CLIENT.parse::<ActorId>()?)
    .open(journal)?;
    Ok(endpoint)
}

/// The routes: GeoReport's five calls, with the specification's error
/// list for a path that is not a resource, a method it does not take and
/// a body axum refuses.
pub(crate) fn app<S>(server: Arc<Server<S>>) -> Router
where
    S: EventStore + Send + Sync + 'static,
{
    Router::new()
        .route("/services.json", get(services::<S>))
        .route("/services/{file}", get(definition::<S>))
        .route("/requests.json", get(list::<S>).post(post::<S>))
        .route("/requests/{file}", get(one::<S>))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(server)
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Writes a reply out as JSON with its status.
fn respond(reply: &Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        reply.to_bytes(),
    )
        .into_response()
}

/// Runs `call` on a blocking thread (the journal is synchronous) and
/// writes its reply; a server error is logged with its detail.
async fn blocking<S, F>(server: Arc<Server<S>>, call: F) -> Response
where
    S: EventStore + Send + Sync + 'static,
    F: FnOnce(&Server<S>) -> Answer + Send + 'static,
{
    let (reply, error) = match tokio::task::spawn_blocking(move || call(&server)).await {
        Ok(answer) => answer,
        Err(e) => {
            eprintln!("open311: a handler failed: {e}");
            (Reply::error_with(500, "the handler failed"), None)
        }
    };
    if let Some(e) = error.filter(|_| reply.status >= 500) {
        eprintln!("open311: {e}");
    }
    respond(&reply)
}

/// A path rejected before the endpoint saw it (bad percent-encoding).
fn rejected(status: StatusCode, text: &str) -> Response {
    respond(&Reply::error_with(status.as_u16(), text))
}

async fn services<S>(State(server): State<Arc<Server<S>>>) -> Response
where
    S: EventStore + Send + Sync + 'static,
{
    blocking(server, |s| s.endpoint.services()).await
}

async fn definition<S>(
    State(server): State<Arc<Server<S>>>,
    file: Result<Path<String>, PathRejection>,
) -> Response
where
    S: EventStore + Send + Sync + 'static,
{
    match file {
        Ok(Path(file)) => blocking(server, move |s| s.endpoint.service_definition(&file)).await,
        Err(e) => rejected(e.status(), &e.body_text()),
    }
}

async fn one<S>(
    State(server): State<Arc<Server<S>>>,
    file: Result<Path<String>, PathRejection>,
) -> Response
where
    S: EventStore + Send + Sync + 'static,
{
    match file {
        Ok(Path(file)) => blocking(server, move |s| s.endpoint.request(&file)).await,
        Err(e) => rejected(e.status(), &e.body_text()),
    }
}

async fn list<S>(State(server): State<Arc<Server<S>>>, RawQuery(query): RawQuery) -> Response
where
    S: EventStore + Send + Sync + 'static,
{
    blocking(server, move |s| {
        s.endpoint.requests(query.as_deref(), (s.clock)())
    })
    .await
}

async fn post<S>(
    State(server): State<Arc<Server<S>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response
where
    S: EventStore + Send + Sync + 'static,
{
    let body = match body {
        Ok(body) => body,
        // Too long for the body limit, or cut off.
        Err(e) => return rejected(e.status(), &e.body_text()),
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    blocking(server, move |s| {
        s.endpoint
            .post_request(content_type.as_deref(), &body, (s.clock)())
    })
    .await
}

async fn not_found(uri: Uri) -> Response {
    respond(&Reply::error(&Open311Error::NoSuchResource {
        path: uri.path().to_owned(),
    }))
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    respond(&Reply::error(&Open311Error::MethodNotAllowed {
        method: method.to_string(),
        path: uri.path().to_owned(),
    }))
}

/// One HTTP/1.1 exchange with the server at `addr` (hyper's client on a
/// fresh connection): the status and the JSON body.
pub(crate) async fn fetch(
    addr: SocketAddr,
    method: Method,
    path: &str,
    form: Option<&str>,
) -> Result<(u16, serde_json::Value), Box<dyn Error>> {
    use http_body_util::{BodyExt, Full};
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, addr.to_string());
    if form.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    let body = Full::new(Bytes::from(form.unwrap_or("").to_owned()));
    let response = sender.send_request(request.body(body)?).await?;
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await?.to_bytes();
    Ok((status, serde_json::from_slice(&bytes)?))
}

/// Serves on a loopback port over an in-memory journal, asks itself for
/// the service list, posts a work order and reads it back; returns the new
/// request's id.
pub(crate) async fn smoke(out: &mut dyn std::io::Write) -> Result<String, Box<dyn Error>> {
    let server = Arc::new(Server {
        endpoint: endpoint(SqliteStore::open_in_memory()?, "smoke-key")?,
        clock: Arc::new(wall_clock),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(serve(listener, app(server), async {
        let _ = stopped.await;
    }));
    let (status, services) = fetch(addr, Method::GET, "/services.json", None).await?;
    let count = services.as_array().map_or(0, Vec::len);
    writeln!(out, "GET /services.json: {status}, {count} services")?;
    let form = "api_key=smoke-key&service_code=noise&address_id=huanan-city\
                &description=presses+running+at+night";
    let (status, posted) = fetch(addr, Method::POST, "/requests.json", Some(form)).await?;
    let id = posted[0]["service_request_id"]
        .as_str()
        .ok_or_else(|| format!("POST /requests.json: {status} {posted}"))?
        .to_owned();
    writeln!(out, "POST /requests.json: {status}, {id}")?;
    let (status, read) = fetch(addr, Method::GET, &format!("/requests/{id}.json"), None).await?;
    writeln!(
        out,
        "GET /requests/{id}.json: {status}, {}: {}",
        read[0]["status"], read[0]["status_notes"]
    )?;
    let _ = stop.send(());
    running.await??;
    if status != 200 {
        return Err(format!("reading {id} back answered {status}").into());
    }
    Ok(id)
}

/// The command line: `--addr`, `--db`, `--api-key`, `--smoke`.
struct Args {
    addr: SocketAddr,
    db: String,
    api_key: String,
    smoke: bool,
}

fn args() -> Result<Args, Box<dyn Error>> {
    let mut args = Args {
        addr: "127.0.0.1:3311".parse()?,
        db: "open311.db".to_owned(),
        api_key: std::env::var("OPEN311_API_KEY").unwrap_or_else(|_| "demo-key".to_owned()),
        smoke: false,
    };
    let mut given = std::env::args().skip(1);
    while let Some(arg) = given.next() {
        let mut value = || given.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--addr" => args.addr = value()?.parse()?,
            "--db" => args.db = value()?,
            "--api-key" => args.api_key = value()?,
            "--smoke" => args.smoke = true,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let args = args()?;
    if args.smoke {
        smoke(&mut std::io::stdout()).await?;
        return Ok(());
    }
    let store = SqliteStore::open(&args.db)?;
    let server = Arc::new(Server {
        endpoint: endpoint(store, &args.api_key)?,
        clock: Arc::new(wall_clock),
    });
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    println!(
        "Open311 GeoReport v2 on http://{} over {}; POST takes the key of --api-key or OPEN311_API_KEY (demo-key by default)",
        listener.local_addr()?,
        args.db,
    );
    serve(listener, app(server), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
