//! The Open311 server example, started in-process on a loopback port and
//! driven over HTTP with hyper's client: every GeoReport v2 call, the
//! filters of `requests.json`, and bad input answered with the
//! specification's error list and status code while the journal's feed
//! stays as it was.

#[allow(dead_code)] // `main` and the command line are the example's
#[path = "../examples/open311_server.rs"]
mod server;

mod support {
    pub mod georeport;
}

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::http::{Method, header};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use grassroots::id::TenantId;
use grassroots::journal::{EventStore, SqliteStore};
use serde_json::{Value, json};
use support::georeport::{definition_problems, request_problems, service_problems};

const KEY: &str = "test-key";

/// A server running on a loopback port, its store and its clock.
struct Running {
    addr: SocketAddr,
    store: Arc<SqliteStore>,
    now: Arc<Mutex<DateTime<Utc>>>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Monday 2 March 2026, 10:00 in Shenzhen.
fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
}

async fn start(store: Arc<SqliteStore>) -> Running {
    let now = Arc::new(Mutex::new(monday()));
    let clock = Arc::clone(&now);
    let server = Arc::new(server::Server {
        endpoint: server::endpoint(Arc::clone(&store), KEY).unwrap(),
        clock: Arc::new(move || *clock.lock().unwrap()),
    });
    // Port 0: the system picks a free one; the bound address says which.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server::serve(listener, server::app(server), async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        store,
        now,
        stop,
        task,
    }
}

impl Running {
    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
    }

    fn set_time(&self, at: DateTime<Utc>) {
        *self.now.lock().unwrap() = at;
    }

    /// How many events the tenant's feed holds.
    fn stored(&self) -> usize {
        let tenant: TenantId = "longgang".parse().unwrap();
        let page = self.store.read_feed(&tenant, 0, 100_000).unwrap();
        assert!(page.skipped.is_empty());
        page.events.len()
    }

    async fn get(&self, path: &str) -> Answer {
        call(self.addr, Method::GET, path, None, Vec::new()).await
    }

    async fn post_form(&self, form: &str) -> Answer {
        self.post(
            "application/x-www-form-urlencoded",
            form.as_bytes().to_vec(),
        )
        .await
    }

    async fn post(&self, content_type: &str, body: Vec<u8>) -> Answer {
        call(
            self.addr,
            Method::POST,
            "/requests.json",
            Some(content_type),
            body,
        )
        .await
    }
}

/// A reply: its status, content type and JSON body.
#[derive(Debug)]
struct Answer {
    status: u16,
    content_type: String,
    body: Value,
}

/// One request on a fresh HTTP/1.1 connection with hyper's client.
async fn call(
    addr: SocketAddr,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Answer {
    use http_body_util::{BodyExt, Full};
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, addr.to_string());
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    let response = sender
        .send_request(
            request
                .body(Full::new(axum::body::Bytes::from(body)))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "{path}: not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    Answer {
        status,
        content_type,
        body,
    }
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|r| r["service_request_id"].as_str().unwrap())
        .collect()
}

fn fresh_store() -> Arc<SqliteStore> {
    Arc::new(SqliteStore::open_in_memory().unwrap())
}

/// A hall request for invoices, with its two required attributes.
const INVOICES: &str = "api_key=test-key&service_code=TX-001&account_id=ent-0042\
    &attribute%5Binvoice_type%5D=general&attribute%5Bquantity%5D=25\
    &description=invoices+for+March";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_answers_and_a_posted_request_reads_back_and_is_listed() {
    let server = start(fresh_store()).await;

    // The service list: the hall's 18 items, then the centre's 3 matters.
    let list = server.get("/services.json").await;
    assert_eq!(list.status, 200);
    assert!(
        list.content_type.starts_with("application/json"),
        "{list:?}"
    );
    let services = list.body.as_array().unwrap();
    assert_eq!(services.len(), 21);
    for service in services {
        assert!(service_problems(service).is_empty(), "{service}");
    }
    let codes: Vec<_> = services[18..]
        .iter()
        .map(|s| s["service_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["noise", "city_appearance", "street_lighting"]);
    assert_eq!(services[18]["metadata"], false);
    assert_eq!(services[18]["group"], "work_order");

    let definition = server.get("/services/TX-001.json").await;
    assert_eq!(definition.status, 200);
    assert!(definition_problems(&definition.body).is_empty());
    assert_eq!(definition.body["attributes"][0]["code"], "invoice_type");
    let noise = server.get("/services/noise.json").await;
    assert_eq!(noise.status, 200);
    assert_eq!(
        noise.body,
        json!({"service_code": "noise", "attributes": []})
    );

    // A hall request, form-encoded, as GeoReport posts.
    assert_eq!(server.stored(), 0);
    let posted = server.post_form(INVOICES).await;
    assert_eq!(posted.status, 201, "{posted:?}");
    assert_eq!(
        posted.body,
        json!([{"service_request_id": "311-000001", "service_notice": null, "account_id": "ent-0042"}])
    );
    assert_eq!(server.stored(), 1);

    // A hall request as JSON, with a multiple choice, an hour later.
    server.set_time(monday() + TimeDelta::hours(1));
    let body = json!({
        "api_key": KEY,
        "service_code": "SI-001",
        "account_id": "ent-0077",
        "attribute": {"employees": 12, "insurances": ["pension", "medical"]},
    });
    let posted = server
        .post("application/json", serde_json::to_vec(&body).unwrap())
        .await;
    assert_eq!(posted.status, 201, "{posted:?}");
    assert_eq!(posted.body[0]["service_request_id"], "311-000002");

    // A work order from the city's app, with a point, an address and a photo.
    server.set_time(monday() + TimeDelta::hours(2));
    let posted = server
        .post_form(
            "api_key=test-key&service_code=noise&lat=22.6631&long=114.1282\
             &address_string=Huanan+City+block+3&media_url=https%3A%2F%2Fimg.example.cn%2F1.jpg\
             &description=presses+running+at+night",
        )
        .await;
    assert_eq!(posted.status, 201, "{posted:?}");
    assert_eq!(
        posted.body[0],
        json!({"service_request_id": "311-000003", "service_notice": null, "account_id": null})
    );
    assert_eq!(server.stored(), 3);

    // Each reads back through requests/{id}.json, as a list of one.
    let hall = server.get("/requests/311-000001.json").await;
    assert_eq!(hall.status, 200);
    assert_eq!(hall.body.as_array().unwrap().len(), 1);
    let request = &hall.body[0];
    assert!(request_problems(request).is_empty(), "{request}");
    assert_eq!(request["service_code"], "TX-001");
    assert_eq!(request["status"], "open");
    assert_eq!(request["description"], "invoices for March");
    assert_eq!(request["requested_datetime"], "2026-03-02T02:00:00Z");
    assert_eq!(request["grassroots"]["state"], "Submitted");
    let order = server.get("/requests/311-000003.json").await;
    assert_eq!(order.status, 200);
    let order = &order.body[0];
    assert!(request_problems(order).is_empty(), "{order}");
    assert_eq!(order["service_code"], "noise");
    assert_eq!(order["lat"], 22.6631);
    assert_eq!(order["address"], "Huanan City block 3");
    assert_eq!(order["address_id"], "huanan-city");
    assert_eq!(order["media_url"], "https://img.example.cn/1.jpg");
    assert_eq!(order["grassroots"]["state_kind"], "AwaitingDispatch");
    assert_eq!(order["grassroots"]["channel"], "app");

    // requests.json: newest first, and each filter.
    let all = server.get("/requests.json").await;
    assert_eq!(all.status, 200);
    assert_eq!(ids(&all.body), ["311-000003", "311-000002", "311-000001"]);
    for request in all.body.as_array().unwrap() {
        assert!(request_problems(request).is_empty(), "{request}");
    }
    let cases = [
        ("service_code=noise", vec!["311-000003"]),
        (
            "service_code=TX-001,SI-001",
            vec!["311-000002", "311-000001"],
        ),
        (
            "service_code=TX-001&service_code=noise",
            vec!["311-000003", "311-000001"],
        ),
        ("status=closed", vec![]),
        (
            "status=open,closed",
            vec!["311-000003", "311-000002", "311-000001"],
        ),
        (
            "start_date=2026-03-02T02:30:00Z&end_date=2026-03-02T03:30:00Z",
            vec!["311-000002"],
        ),
        ("end_date=2026-03-02T10:00:30%2B08:00", vec!["311-000001"]),
        (
            "service_request_id=311-000003,311-000001,311-999999",
            vec!["311-000003", "311-000001"],
        ),
        // A list of ids overrides every other filter.
        (
            "service_request_id=311-000002&status=closed",
            vec!["311-000002"],
        ),
    ];
    for (query, expected) in cases {
        let found = server.get(&format!("/requests.json?{query}")).await;
        assert_eq!(found.status, 200, "{query}: {found:?}");
        assert_eq!(ids(&found.body), expected, "{query}");
    }

    // Without dates the span is the last 90 days: 100 days on, nothing.
    server.set_time(monday() + TimeDelta::days(100));
    assert_eq!(
        ids(&server.get("/requests.json").await.body),
        Vec::<&str>::new()
    );
    let from = server
        .get("/requests.json?start_date=2026-03-01T00:00:00Z")
        .await;
    assert_eq!(ids(&from.body).len(), 3);
    server.stop().await;
}

/// A bad request: what is sent, the status expected and a part of the
/// description.
struct Bad {
    what: &'static str,
    method: Method,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
    says: &'static str,
}

fn bad_post(
    what: &'static str,
    content_type: Option<&'static str>,
    body: &str,
    status: u16,
    says: &'static str,
) -> Bad {
    Bad {
        what,
        method: Method::POST,
        path: "/requests.json".into(),
        content_type,
        body: body.as_bytes().to_vec(),
        status,
        says,
    }
}

fn bad_form(what: &'static str, body: &str, status: u16, says: &'static str) -> Bad {
    bad_post(
        what,
        Some("application/x-www-form-urlencoded"),
        body,
        status,
        says,
    )
}

fn bad_get(what: &'static str, path: &str, status: u16, says: &'static str) -> Bad {
    Bad {
        what,
        method: Method::GET,
        path: path.into(),
        content_type: None,
        body: Vec::new(),
        status,
        says,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_answered_with_the_spec_error_and_nothing_is_stored() {
    let server = start(fresh_store()).await;
    assert_eq!(server.post_form(INVOICES).await.status, 201);
    let stored = server.stored();
    let noise = "api_key=test-key&service_code=noise&address_id=huanan-city";
    let json = Some("application/json");
    let cases = vec![
        bad_form(
            "a bad escape",
            "api_key=test-key&service_code=%zz",
            400,
            "not valid form data",
        ),
        bad_form(
            "bytes that are not utf-8",
            "api_key=%ff%fe",
            400,
            "not utf-8",
        ),
        bad_post(
            "malformed json",
            json,
            r#"{"api_key": "test-key","#,
            400,
            "not valid json",
        ),
        bad_post(
            "json that is a list",
            json,
            r#"["test-key"]"#,
            422,
            "(body) is not",
        ),
        bad_post(
            "a nested json value",
            json,
            r#"{"api_key": "test-key", "service_code": {"code": "noise"}}"#,
            422,
            "service_code is not",
        ),
        bad_post(
            "plain text",
            Some("text/plain"),
            "api_key=test-key",
            415,
            "is not served",
        ),
        bad_post(
            "no content type",
            None,
            "api_key=test-key",
            415,
            "is not served",
        ),
        bad_form(
            "no api key",
            "service_code=noise&address_id=huanan-city&description=x",
            403,
            "api_key was not provided",
        ),
        bad_form(
            "an empty api key",
            "api_key=&service_code=noise",
            403,
            "api_key was not provided",
        ),
        bad_form(
            "a wrong api key",
            "api_key=test-kez&service_code=noise",
            403,
            "api_key is not valid",
        ),
        bad_post(
            "a wrong api key in json",
            json,
            r#"{"api_key": "nope", "service_code": "noise"}"#,
            403,
            "api_key is not valid",
        ),
        bad_form(
            "the api key twice",
            "api_key=test-key&api_key=test-key",
            400,
            "given 2 times",
        ),
        bad_form(
            "no service code",
            "api_key=test-key&description=x",
            400,
            "service_code was not provided",
        ),
        bad_form(
            "an unknown service code",
            "api_key=test-key&service_code=XX-999",
            400,
            "\"XX-999\" is not a service",
        ),
        bad_form(
            "a missing required attribute",
            "api_key=test-key&service_code=TX-001&account_id=ent-1&attribute%5Binvoice_type%5D=general",
            400,
            "quantity",
        ),
        bad_form(
            "an attribute of the wrong type",
            "api_key=test-key&service_code=TX-001&account_id=ent-1&attribute%5Binvoice_type%5D=general&attribute%5Bquantity%5D=lots",
            400,
            "attribute[quantity]: \"lots\" is not a number",
        ),
        bad_form(
            "a value outside the attribute's list",
            "api_key=test-key&service_code=TX-001&account_id=ent-1&attribute%5Binvoice_type%5D=platinum&attribute%5Bquantity%5D=1",
            400,
            "platinum",
        ),
        bad_form(
            "an attribute the item does not ask for",
            "api_key=test-key&service_code=TX-002&account_id=ent-1&attribute%5Btaxpayer%5D=general&attribute%5Bcolour%5D=red",
            400,
            "colour",
        ),
        bad_form(
            "a date that is not rfc 3339",
            "api_key=test-key&service_code=TC-001&account_id=ent-1&attribute%5Bdestination%5D=Laos&attribute%5Bship_date%5D=next+week",
            400,
            "attribute[ship_date]",
        ),
        bad_form(
            "a bad account id",
            "api_key=test-key&service_code=noise&account_id=%09",
            400,
            "account_id",
        ),
        bad_form(
            "a work order without a location",
            "api_key=test-key&service_code=noise&description=loud",
            400,
            "needs a location",
        ),
        bad_form(
            "a work order without a description",
            noise,
            400,
            "description was not provided",
        ),
        bad_form(
            "a location that is not territorial",
            "api_key=test-key&service_code=noise&address_id=longgang-market&description=loud",
            400,
            "not a territorial body",
        ),
        bad_form(
            "a latitude out of range",
            "api_key=test-key&service_code=noise&lat=95&long=114&description=loud",
            400,
            "latitude 95",
        ),
        bad_form(
            "half a point",
            "api_key=test-key&service_code=noise&lat=22.6&description=loud",
            400,
            "lat and long",
        ),
        bad_form(
            "a media url that is not http",
            "api_key=test-key&service_code=noise&address_id=huanan-city&description=loud&media_url=javascript%3Aalert(1)",
            400,
            "media_url",
        ),
        bad_form(
            "a body over the limit",
            &format!(
                "api_key=test-key&service_code=noise&description={}",
                "x".repeat(70_000)
            ),
            413,
            "",
        ),
        bad_get(
            "an unknown request",
            "/requests/311-999999.json",
            404,
            "\"311-999999\" was not found",
        ),
        bad_get(
            "an id that cannot be one",
            "/requests/%20.json",
            404,
            "was not found",
        ),
        bad_get(
            "a request as xml",
            "/requests/311-000001.xml",
            404,
            "end in .json",
        ),
        bad_get(
            "an unknown service definition",
            "/services/XX-999.json",
            404,
            "\"XX-999\" was not found",
        ),
        bad_get(
            "the service list as xml",
            "/services.xml",
            404,
            "end in .json",
        ),
        bad_get(
            "a date filter that is not rfc 3339",
            "/requests.json?start_date=yesterday",
            400,
            "start_date: \"yesterday\"",
        ),
        bad_get(
            "an end date without its zone",
            "/requests.json?end_date=2026-03-02T10:00:00",
            400,
            "end_date",
        ),
        bad_get(
            "dates the wrong way round",
            "/requests.json?start_date=2026-03-05T00:00:00Z&end_date=2026-03-01T00:00:00Z",
            400,
            "is after end_date",
        ),
        bad_get(
            "an unknown status",
            "/requests.json?status=pending",
            400,
            "neither open nor closed",
        ),
        bad_get(
            "an unknown service filter",
            "/requests.json?service_code=XX-999",
            400,
            "is not a service",
        ),
        bad_get(
            "a malformed query",
            "/requests.json?status=%zz",
            400,
            "query string",
        ),
        Bad {
            what: "a method the list does not take",
            method: Method::DELETE,
            path: "/requests.json".into(),
            content_type: None,
            body: Vec::new(),
            status: 405,
            says: "does not take DELETE",
        },
        bad_post(
            "a post to the service list",
            None,
            "",
            405,
            "does not take POST",
        )
        .at("/services.json"),
    ];
    for bad in cases {
        let answer = call(
            server.addr,
            bad.method.clone(),
            &bad.path,
            bad.content_type,
            bad.body.clone(),
        )
        .await;
        assert_eq!(answer.status, bad.status, "{}: {answer:?}", bad.what);
        assert!(
            answer.content_type.starts_with("application/json"),
            "{}: {answer:?}",
            bad.what
        );
        // GeoReport's error list: one error, its code the HTTP status.
        let errors = answer
            .body
            .as_array()
            .unwrap_or_else(|| panic!("{}: {answer:?}", bad.what));
        assert_eq!(errors.len(), 1, "{}", bad.what);
        assert_eq!(errors[0]["code"], bad.status, "{}", bad.what);
        let description = errors[0]["description"].as_str().unwrap();
        assert!(!description.is_empty(), "{}", bad.what);
        assert!(
            description.contains(bad.says),
            "{}: {description:?} does not say {:?}",
            bad.what,
            bad.says
        );
        assert_eq!(
            server.stored(),
            stored,
            "{}: something was stored",
            bad.what
        );
    }
    // No refusal used up an id.
    let posted = server.post_form(INVOICES).await;
    assert_eq!(posted.body[0]["service_request_id"], "311-000002");
    server.stop().await;
}

impl Bad {
    fn at(mut self, path: &str) -> Self {
        self.path = path.into();
        self
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_continue_after_a_restart_on_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("open311.db");
    let server = start(Arc::new(SqliteStore::open(&path).unwrap())).await;
    let posted = server.post_form(INVOICES).await;
    assert_eq!(posted.body[0]["service_request_id"], "311-000001");
    server.stop().await;

    let server = start(Arc::new(SqliteStore::open(&path).unwrap())).await;
    assert_eq!(server.stored(), 1);
    assert_eq!(server.get("/requests/311-000001.json").await.status, 200);
    let posted = server
        .post_form("api_key=test-key&service_code=street_lighting&address_id=huanan-city&description=lamp+out")
        .await;
    assert_eq!(posted.status, 201, "{posted:?}");
    assert_eq!(posted.body[0]["service_request_id"], "311-000002");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_smoke_mode_serves_itself_once_and_returns() {
    let mut out = Vec::new();
    let id = server::smoke(&mut out).await.unwrap();
    assert_eq!(id, "311-000001");
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("GET /services.json: 200, 21 services"),
        "{text}"
    );
    assert!(
        text.contains("POST /requests.json: 201, 311-000001"),
        "{text}"
    );
    assert!(
        text.contains("GET /requests/311-000001.json: 200, \"open\""),
        "{text}"
    );
}
