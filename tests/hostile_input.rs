//! Hostile input (issue 18): every public deserialisation entry point and
//! every store's append and read path, fed generated hostile input — deep
//! nesting, huge strings, invisible and odd Unicode, extreme times and
//! numbers, and real histories, states, catalogues, graphs, policies and
//! calendars with one of their values swapped for a hostile one.
//!
//! Each property asserts what issue 18 asks for: no panic (proptest reports
//! one as a failure), a typed error for what is refused, and no poisoned
//! stream — after any append, accepted or refused, the stream and the
//! tenant's feed still read back and verify against the anchor.
//!
//! Bounded for CI: a few hundred cases in all, a few seconds in a debug
//! build. `PROPTEST_CASES` raises the count for a longer soak.

mod support {
    pub mod stores;
}

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::calendar::WorkingCalendar;
use grassroots::dispute::{Dispute, DisputeCommand, DisputeEvent, DisputeState};
use grassroots::escalation::{
    EscalationPolicy, LadderEvent, LadderState, LadderSummary, MatterReport, PolicyBook,
};
use grassroots::id::{
    ActorId, CaseId, CorrelationId, EventId, MaterialId, OrgId, PolicyId, ServiceCode, TenantId,
};
use grassroots::journal::{
    self, EventStore, JournalError, NewEvent, PayloadLimit, StreamKey, StreamType,
};
use grassroots::load::{City, CityCase, CityYear};
use grassroots::metrics::{CaseFacts, Figures, GovernanceMetrics};
use grassroots::org::{OrgGraph, OrgGraphData};
use grassroots::service::{
    Catalogue, ServiceRequest, ServiceRequestCommand, ServiceRequestEvent, ServiceRequestState,
};
use grassroots::workflow::{Case, Context, EARLIEST, LATEST, Recorded, Workflow};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------
// Samples: real values to mutate.
// ---------------------------------------------------------------------------

struct Samples {
    city: City,
    disputes: Vec<Value>,
    requests: Vec<Value>,
    dispute_states: Vec<Value>,
    request_states: Vec<Value>,
    graph: Value,
    catalogue: Value,
    policy: Value,
    calendar: String,
    figures: Value,
}

fn samples() -> &'static Samples {
    static SAMPLES: OnceLock<Samples> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let city = City::build(&CityYear::small().with_cases(40)).unwrap();
        let (mut disputes, mut requests) = (Vec::new(), Vec::new());
        let (mut dispute_states, mut request_states) = (Vec::new(), Vec::new());
        let mut metrics = GovernanceMetrics::new();
        for n in 0..40 {
            match city.play(n).case {
                CityCase::Dispute(case) => {
                    metrics.observe_dispute(case.history());
                    disputes.push(serde_json::to_value(case.history()).unwrap());
                    dispute_states.push(serde_json::to_value(case.state()).unwrap());
                }
                CityCase::ServiceRequest(case) => {
                    metrics.observe_service_request(case.history());
                    requests.push(serde_json::to_value(case.history()).unwrap());
                    request_states.push(serde_json::to_value(case.state()).unwrap());
                }
                // Work orders have their own probes (tests/work_order*.rs).
                _ => {}
            }
        }
        assert!(!disputes.is_empty() && !requests.is_empty());
        let hall = city.halls().next().unwrap();
        Samples {
            graph: serde_json::to_value(city.graph().to_data()).unwrap(),
            catalogue: serde_json::to_value(hall.catalogue()).unwrap(),
            policy: serde_json::to_value(EscalationPolicy::report_default()).unwrap(),
            calendar: WorkingCalendar::prc().to_text(),
            figures: serde_json::to_value(metrics.total()).unwrap(),
            city,
            disputes,
            requests,
            dispute_states,
            request_states,
        }
    })
}

// ---------------------------------------------------------------------------
// Hostile values.
// ---------------------------------------------------------------------------

/// `[[...[1]...]]`, `depth` arrays deep.
fn nested(depth: usize) -> Value {
    let mut value = json!(1);
    for _ in 0..depth {
        value = Value::Array(vec![value]);
    }
    value
}

/// Times at and past the edges of the accepted range and of chrono's.
fn hostile_time_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("+262142-12-31T23:59:59.999999999Z".to_owned()),
        Just("-262143-01-01T00:00:00Z".to_owned()),
        Just("9999-12-31T23:59:59.999999999Z".to_owned()),
        Just("10000-01-01T00:00:00Z".to_owned()),
        Just("1899-12-31T23:59:59Z".to_owned()),
        Just("0000-01-01T00:00:00Z".to_owned()),
        Just("2026-02-30T25:61:61Z".to_owned()),
        any::<i64>().prop_map(|micros| {
            DateTime::<Utc>::from_timestamp_micros(micros)
                .map_or_else(|| micros.to_string(), |at| at.to_rfc3339())
        }),
    ]
}

/// Strings a reader cannot see, or that break logs, SQL or decoders.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" ".to_owned()),
        Just("\u{3164}".to_owned()),
        Just("a\u{0}b".to_owned()),
        Just("x\u{202E}gnp.exe".to_owned()),
        Just("\u{E0001}\u{E0041}".to_owned()),
        Just("\u{1D173}\u{13430}\u{1BCA0}\u{110BD}\u{0890}\u{08E2}".to_owned()),
        Just("'; DROP TABLE journal_events; --".to_owned()),
        Just("x".repeat(200_000)),
        Just("网".repeat(MAX_ID_BYTES / 3 + 1)),
        "\\PC{0,40}",
        any::<String>(),
    ]
}

const MAX_ID_BYTES: usize = grassroots::id::MAX_ID_LEN;

/// One hostile JSON value: a scalar at an extreme, a hostile string or
/// time, a deep array or object.
fn hostile_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop_oneof![
            Just(json!(u64::MAX)),
            Just(json!(i64::MIN)),
            Just(json!(u32::MAX)),
            Just(json!(-1)),
            Just(json!(1e308)),
            Just(json!(-0.0)),
        ],
        hostile_text().prop_map(Value::from),
        hostile_time_text().prop_map(Value::from),
        (0usize..200).prop_map(nested),
        Just(json!({})),
        Just(json!([])),
    ]
}

/// A JSON value of any shape, with hostile leaves.
fn hostile_json() -> impl Strategy<Value = Value> {
    hostile_leaf().prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(hostile_text(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Up to three edits of a value: which node (counted in pre-order) is
/// replaced, and by what.
fn edits() -> impl Strategy<Value = Vec<(usize, Value)>> {
    prop::collection::vec((any::<usize>(), hostile_leaf()), 1..4)
}

/// `value` with each edit applied: the node at the edit's index (modulo the
/// node count) replaced by the edit's value.
fn mutate(value: &Value, edits: &[(usize, Value)]) -> Value {
    fn count(v: &Value) -> usize {
        1 + match v {
            Value::Array(items) => items.iter().map(count).sum(),
            Value::Object(map) => map.values().map(count).sum(),
            _ => 0,
        }
    }
    fn replace(v: &mut Value, mut index: usize, with: &Value) -> usize {
        if index == 0 {
            *v = with.clone();
            return usize::MAX;
        }
        index -= 1;
        let children: Vec<&mut Value> = match v {
            Value::Array(items) => items.iter_mut().collect(),
            Value::Object(map) => map.values_mut().collect(),
            _ => Vec::new(),
        };
        for child in children {
            let n = count(child);
            if index < n {
                replace(child, index, with);
                return usize::MAX;
            }
            index -= n;
        }
        index
    }
    let mut out = value.clone();
    for (index, with) in edits {
        let at = index % count(&out);
        replace(&mut out, at, with);
    }
    out
}

/// Deserialises `value` as `T`, from the value and from its text; both ways
/// must agree on success.
fn decode<T: DeserializeOwned>(value: &Value) -> Option<T> {
    let text = serde_json::to_string(value).unwrap();
    let from_text = serde_json::from_str::<T>(&text);
    let from_value = serde_json::from_value::<T>(value.clone());
    assert_eq!(from_text.is_ok(), from_value.is_ok(), "{text:.300}");
    from_value.ok()
}

/// Every deserialisable public type, tried on `value`: none may panic.
fn try_every_type(value: &Value) {
    macro_rules! each {
        ($($t:ty),* $(,)?) => {$( let _ = decode::<$t>(value); )*};
    }
    each!(
        CaseId,
        OrgId,
        ActorId,
        ServiceCode,
        TenantId,
        PolicyId,
        MaterialId,
        EventId,
        CorrelationId,
        Actor,
        Role,
        grassroots::Severity,
        grassroots::Tier,
        DisputeEvent,
        DisputeState,
        ServiceRequestEvent,
        ServiceRequestState,
        LadderEvent,
        LadderState,
        Recorded<DisputeEvent>,
        Recorded<ServiceRequestEvent>,
        Recorded<LadderEvent>,
        Vec<Recorded<DisputeEvent>>,
        Vec<Recorded<ServiceRequestEvent>>,
        Figures,
        Catalogue,
        OrgGraph,
        OrgGraphData,
        EscalationPolicy,
        WorkingCalendar,
        grassroots::open311::GeoReportRequest,
        grassroots::open311::ServiceDefinition,
        grassroots::open311::Service,
    );
}

// ---------------------------------------------------------------------------
// Using what deserialised.
// ---------------------------------------------------------------------------

fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

/// A time after `last` (or `monday`), inside the accepted range.
fn next_time(last: Option<DateTime<Utc>>) -> DateTime<Utc> {
    let at = last.map_or(monday(), |at| at.max(EARLIEST));
    at.checked_add_signed(TimeDelta::days(3))
        .filter(|at| *at <= LATEST)
        .unwrap_or(LATEST)
}

/// Replays a history of `W`; when it replays, runs `command` on it at an
/// accepted time. Nothing may panic; a refusal is a typed error.
fn replay_and_handle<W: Workflow>(
    workflow: &W,
    history: Vec<Recorded<W::Event>>,
    command: &W::Command,
    actor: &Actor,
) {
    if let Ok(mut case) = Case::<W>::replay("C-1".parse().unwrap(), history) {
        let before = case.clone();
        let at = next_time(case.last_at());
        if case
            .handle(workflow, command, &Context::new(at, actor))
            .is_err()
        {
            assert_eq!(case, before, "a refused command changed the case");
        }
    }
}

fn system() -> Actor {
    Actor::system()
}

fn dispute_history(h: &[Recorded<DisputeEvent>]) {
    let report = MatterReport::from_history(h);
    let mut summary = LadderSummary::default();
    summary.add(&report);
    summary.add(&report);
    let _ = summary.mean_time_at(grassroots::Tier::Community);
    let mut metrics = GovernanceMetrics::new();
    metrics.observe_dispute(h);
    metrics.merge(metrics.clone());
    let _ = metrics.to_string();
    let _ = CaseFacts::from_dispute(h);
}

fn request_history(h: &[Recorded<ServiceRequestEvent>]) {
    let _ = MatterReport::from_history(h);
    let mut metrics = GovernanceMetrics::new();
    metrics.observe_service_request(h);
    metrics.merge(metrics.clone());
    let _ = metrics.to_string();
}

/// `n` cases, or `PROPTEST_CASES` when set (for a longer soak).
fn cases(n: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(n);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn config() -> ProptestConfig {
    cases(40)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_json_is_refused_or_accepted_by_every_type_without_panic(value in hostile_json()) {
        try_every_type(&value);
    }

    #[test]
    fn ids_and_stream_types_refuse_hostile_text_with_a_typed_error(text in hostile_text()) {
        for result in [
            CaseId::new(&text).map(|id| id.to_string()),
            ActorId::new(&text).map(|id| id.to_string()),
            TenantId::new(&text).map(|id| id.to_string()),
            StreamType::new(&text).map(|t| t.to_string()),
        ] {
            match result {
                Ok(accepted) => {
                    prop_assert_eq!(&accepted, &text);
                    prop_assert!(!text.trim().is_empty() && text.len() <= MAX_ID_BYTES);
                    let invisible = text.chars().any(|c| c.is_control() || c == '\u{3164}');
                    prop_assert!(!invisible, "accepted {:?}", text);
                }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }
        let _ = decode::<CaseId>(&Value::from(text));
    }

    #[test]
    fn deep_or_huge_text_is_a_typed_error_for_every_type(
        depth in prop_oneof![Just(127usize), Just(128), Just(129), 200usize..100_000],
        open in prop_oneof![Just("["), Just("{\"a\":")],
    ) {
        let text = open.repeat(depth);
        prop_assert!(serde_json::from_str::<Vec<Recorded<DisputeEvent>>>(&text).is_err());
        prop_assert!(serde_json::from_str::<DisputeState>(&text).is_err());
        prop_assert!(serde_json::from_str::<Figures>(&text).is_err());
        prop_assert!(serde_json::from_str::<OrgGraph>(&text).is_err());
        prop_assert!(serde_json::from_str::<Catalogue>(&text).is_err());
        prop_assert!(serde_json::from_str::<Value>(&text).is_err());
    }

    #[test]
    fn mutated_dispute_histories_and_states_never_panic(
        pick in any::<usize>(),
        edits in edits(),
    ) {
        let s = samples();
        let history = mutate(&s.disputes[pick % s.disputes.len()], &edits);
        try_every_type(&history);
        if let Some(h) = decode::<Vec<Recorded<DisputeEvent>>>(&history) {
            dispute_history(&h);
            replay_and_handle(s.city.dispute(), h, &DisputeCommand::Tick, &system());
        }
        let state = mutate(&s.dispute_states[pick % s.dispute_states.len()], &edits);
        if let Some(state) = decode::<DisputeState>(&state) {
            let at = next_time(None);
            let _ = s.city.dispute().decide(&state, &DisputeCommand::Tick, &Context::new(at, &system()));
            let _ = Dispute::is_terminal(&state);
        }
    }

    #[test]
    fn mutated_service_histories_and_states_never_panic(
        pick in any::<usize>(),
        edits in edits(),
    ) {
        let s = samples();
        let hall: &ServiceRequest = s.city.halls().next().unwrap();
        let history = mutate(&s.requests[pick % s.requests.len()], &edits);
        try_every_type(&history);
        if let Some(h) = decode::<Vec<Recorded<ServiceRequestEvent>>>(&history) {
            request_history(&h);
            replay_and_handle(hall, h, &ServiceRequestCommand::Tick, &system());
        }
        let state = mutate(&s.request_states[pick % s.request_states.len()], &edits);
        if let Some(state) = decode::<ServiceRequestState>(&state) {
            let at = next_time(None);
            let _ = hall.decide(&state, &ServiceRequestCommand::Tick, &Context::new(at, &system()));
        }
    }

    #[test]
    fn mutated_figures_graphs_catalogues_policies_and_calendars_never_panic(edits in edits()) {
        let s = samples();
        if let Some(figures) = decode::<Figures>(&mutate(&s.figures, &edits)) {
            let mut sum = figures;
            sum.merge(&figures);
            sum.merge(&figures);
            for rate in [sum.response_rate(), sum.resolution_rate(), sum.satisfaction_rate(),
                         sum.on_time_rate(), sum.within_ceiling_rate()] {
                prop_assert!(rate.is_none_or(|r| (0.0..=1.0).contains(&r)));
            }
        }
        if let Some(graph) = decode::<OrgGraph>(&mutate(&s.graph, &edits)) {
            let _ = graph.to_data();
            let _ = graph.to_mermaid();
        }
        let _ = decode::<Catalogue>(&mutate(&s.catalogue, &edits));
        if let Some(policy) = decode::<EscalationPolicy>(&mutate(&s.policy, &edits)) {
            let _ = PolicyBook::new(policy);
        }
        let calendar = mutate(&Value::from(s.calendar.clone()), &edits);
        if let Some(calendar) = decode::<WorkingCalendar>(&calendar) {
            let date = monday().date_naive();
            let _ = calendar.count_working_days(date, date + TimeDelta::days(400));
        }
    }

    #[test]
    fn calendar_text_with_hostile_lines_is_parsed_or_refused(
        lines in prop::collection::vec(
            prop_oneof![
                hostile_text(),
                hostile_time_text(),
                Just("holiday 2026-02-30".to_owned()),
                Just("workday +262142-12-31".to_owned()),
                Just("offset +99:99".to_owned()),
                any::<String>(),
            ],
            0..8,
        ),
        keep in any::<bool>(),
    ) {
        let base = if keep { samples().calendar.clone() } else { String::new() };
        let text = format!("{base}\n{}", lines.join("\n"));
        if let Ok(calendar) = WorkingCalendar::parse(&text) {
            let again = WorkingCalendar::parse(&calendar.to_text());
            prop_assert_eq!(again.as_ref().ok(), Some(&calendar));
        }
    }
}

// ---------------------------------------------------------------------------
// Stores.
// ---------------------------------------------------------------------------

/// A hostile event: any payload, any time (as microseconds), any type.
fn hostile_event() -> impl Strategy<Value = NewEvent> {
    (
        prop_oneof![
            3 => hostile_json(),
            1 => prop_oneof![Just(journal::MAX_PAYLOAD_DEPTH), Just(journal::MAX_PAYLOAD_DEPTH + 1), Just(127usize), Just(128), 129usize..600]
                .prop_map(nested),
            1 => (journal::MAX_PAYLOAD_BYTES - 8..journal::MAX_PAYLOAD_BYTES + 8)
                .prop_map(|n| Value::from("x".repeat(n))),
        ],
        prop_oneof![
            3 => (-2_208_988_800_000_000i64..253_402_300_799_999_999).prop_map(Some),
            1 => any::<i64>().prop_map(Some),
            1 => Just(None),
        ],
        prop_oneof![3 => Just("Noted".to_owned()), 1 => hostile_text()],
        any::<u32>(),
    )
        .prop_map(|(payload, micros, event_type, schema_version)| {
            let at = micros
                .and_then(DateTime::<Utc>::from_timestamp_micros)
                .unwrap_or(DateTime::<Utc>::MAX_UTC);
            NewEvent {
                event_id: format!("e-{}", next_id()).parse().unwrap(),
                event_type,
                schema_version,
                payload,
                actor: "gw-7".parse().unwrap(),
                correlation: None,
                occurred_at: at,
            }
        })
}

fn next_id() -> u64 {
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// Appends `batch` to a fresh stream holding one good event, then checks
/// that the stream is not poisoned whatever the append did: it reads back,
/// verifies against its anchor, the tenant's feed skips nothing, and a
/// refusal is a typed error that wrote nothing.
fn append_hostile(store: &dyn EventStore, tenant: &TenantId, batch: &[NewEvent]) {
    let key = StreamKey::new(
        tenant.clone(),
        "ticket".parse().unwrap(),
        format!("T-{}", next_id()).parse().unwrap(),
    );
    let good = NewEvent::new(
        format!("g-{}", next_id()).parse().unwrap(),
        "Noted",
        json!({"Noted": 1}),
        "gw-7".parse().unwrap(),
        monday(),
    );
    store.append(&key, 0, &[good]).unwrap();
    let expected = match store.append(&key, 1, batch) {
        Ok(appended) => {
            assert_eq!(appended.version, 1 + batch.len() as u64);
            let rows = store.read_stream(&key, 1).unwrap();
            for (row, new) in rows.iter().zip(batch) {
                assert!(new.matches(row), "{row:?}");
            }
            1 + batch.len() as u64
        }
        Err(
            JournalError::PayloadRefused { version, .. }
            | JournalError::TimeOutOfRange { version, .. },
        ) => {
            assert!((2..=1 + batch.len() as u64).contains(&version));
            1
        }
        Err(JournalError::InvalidName(_)) => 1,
        Err(other) => panic!("an untyped refusal: {other:?}"),
    };
    assert_eq!(store.stream_version(&key).unwrap(), expected);
    assert_eq!(
        journal::verify_anchored(store, &key).unwrap().version,
        expected
    );
    let page = store.read_feed(tenant, 0, 10_000).unwrap();
    assert!(page.skipped.is_empty(), "{:?}", page.skipped);
    store.read_all(tenant, 0, 10_000).unwrap();
}

proptest! {
    #![proptest_config(cases(32))]

    #[test]
    fn hostile_appends_to_a_memory_store_never_poison_a_stream(
        batch in prop::collection::vec(hostile_event(), 1..4),
    ) {
        static STORE: OnceLock<(journal::MemoryStore, TenantId)> = OnceLock::new();
        let (store, tenant) = STORE.get_or_init(|| {
            (support::stores::memory(), support::stores::tenant("hostile"))
        });
        append_hostile(store, tenant, &batch);
    }

    #[cfg(feature = "sqlite")]
    #[test]
    fn hostile_appends_to_sqlite_never_poison_a_stream(
        batch in prop::collection::vec(hostile_event(), 1..4),
    ) {
        static STORE: OnceLock<(journal::SqliteStore, TenantId)> = OnceLock::new();
        let (store, tenant) = STORE.get_or_init(|| {
            (journal::SqliteStore::open_in_memory().unwrap(), support::stores::tenant("hostile"))
        });
        append_hostile(store, tenant, &batch);
    }
}

#[cfg(feature = "postgres")]
proptest! {
    #![proptest_config(cases(16))]

    #[test]
    #[cfg_attr(not(grassroots_pg), ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL")]
    fn hostile_appends_to_postgres_never_poison_a_stream(
        batch in prop::collection::vec(hostile_event(), 1..3),
    ) {
        static STORE: OnceLock<Option<(journal::PostgresStore, TenantId)>> = OnceLock::new();
        let Some((store, tenant)) = STORE.get_or_init(|| {
            support::stores::postgres().map(|s| (s, support::stores::tenant("hostile")))
        }) else {
            return Ok(());
        };
        append_hostile(store, tenant, &batch);
    }
}

/// Rows that decode as JSON but not as a workflow's event: `decode` is a
/// typed error, never a panic, whatever the stored type and schema version.
#[test]
fn hostile_rows_decode_to_a_typed_error() {
    let store = support::stores::memory();
    let tenant = support::stores::tenant("decode");
    let mut runner = proptest::test_runner::TestRunner::new(config());
    runner
        .run(
            &(hostile_json(), hostile_text(), any::<u32>()),
            |(payload, event_type, schema_version)| {
                for name in ["dispute", "service_request"] {
                    let key = StreamKey::new(
                        tenant.clone(),
                        name.parse().unwrap(),
                        format!("D-{}", next_id()).parse().unwrap(),
                    );
                    let mut event = NewEvent::new(
                        format!("d-{}", next_id()).parse().unwrap(),
                        "Reported",
                        payload.clone(),
                        "gw-7".parse().unwrap(),
                        monday(),
                    )
                    .with_schema_version(schema_version.max(1));
                    if event_type.len() < 64 && StreamType::new(&event_type).is_ok() {
                        event.event_type = event_type.clone();
                    }
                    if store.append(&key, 0, &[event]).is_err() {
                        continue;
                    }
                    let row = &store.read_stream(&key, 0).unwrap()[0];
                    let _ = journal::decode::<Dispute>(row);
                    let _ = journal::decode::<ServiceRequest>(row);
                    let _ = journal::load::<Dispute, _>(&store, &tenant, &key.id);
                }
                Ok(())
            },
        )
        .unwrap();
}

/// The payload limits the properties rely on are the documented ones.
#[test]
fn the_payload_limits_are_the_documented_ones() {
    assert_eq!(journal::MAX_PAYLOAD_DEPTH, 64);
    assert_eq!(journal::MAX_PAYLOAD_BYTES, 1 << 20);
    let limit = PayloadLimit::TooDeep { max: 64 };
    assert_eq!(
        limit.to_string(),
        "arrays and objects nest more than 64 deep"
    );
    let _ = Role::GridWorker;
}

/// Hall metrics start from whatever a caller sets their public counts to:
/// adding to counts near `u64::MAX` saturates, with or without overflow
/// checks.
#[test]
fn hall_metrics_near_u64_max_do_not_overflow() {
    let s = samples();
    let calendar = WorkingCalendar::prc();
    let mut metrics = grassroots::service::HallMetrics {
        requests: u64::MAX,
        completed: u64::MAX,
        good_reviews: u64::MAX,
        bad_reviews: u64::MAX,
        working_days_to_completion: u64::MAX,
        ..Default::default()
    };
    for history in &s.requests {
        let h: Vec<Recorded<ServiceRequestEvent>> =
            serde_json::from_value(history.clone()).unwrap();
        metrics.add(&calendar, &h);
    }
    assert_eq!(metrics.requests, u64::MAX);
    assert_eq!(metrics.good_review_rate(), Some(1.0));
}
