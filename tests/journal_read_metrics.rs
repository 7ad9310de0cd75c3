//! The live governance metrics on every read store (issue 15, item 5): for
//! random histories — disputes and service requests of a city-year, their
//! events interleaved — the facts kept per case and the metrics added up
//! from them equal the batch fold over the same histories, through
//! restarts of the projection at random points and with any history cache;
//! on SQLite and PostgreSQL the facts are a table a user can query with
//! SQL; facts written by a newer schema version are refused.

mod support {
    pub mod stores;
}

use std::sync::OnceLock;

use grassroots::dispute::Dispute;
use grassroots::id::TenantId;
use grassroots::journal::read::{
    CaseKey, Checkpoint, LiveMetrics, MemoryReadStore, MetricsQueries, Projection, ProjectionError,
    ReadStore, Runner,
};
use grassroots::journal::{self, EventStore, StreamKey, StreamType};
use grassroots::load::{City, CityCase, CityYear};
use grassroots::metrics::{CaseFacts, GovernanceMetrics, Measured};
use grassroots::service::ServiceRequest;
use grassroots::workflow::Case;

/// One small city, built once: each test plays some of its cases.
fn city() -> &'static City {
    static CITY: OnceLock<City> = OnceLock::new();
    CITY.get_or_init(|| {
        let mut year = CityYear::small().with_seed(15);
        year.mix.work_orders = 0.0;
        City::build(&year).unwrap()
    })
}

/// The cases numbered `picks` (repeats dropped).
fn play(picks: &[u16]) -> Vec<CityCase> {
    let mut numbers: Vec<u64> = picks.iter().map(|&n| u64::from(n) % 20_000).collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers.into_iter().map(|n| city().play(n).case).collect()
}

fn live(cache: usize) -> LiveMetrics {
    LiveMetrics::new()
        .with::<Dispute>()
        .with::<ServiceRequest>()
        .with_cache(cache)
}

/// Appends the `round`-th event of `case`, if it has one.
fn append<W: journal::Journaled>(
    store: &dyn EventStore,
    tenant: &TenantId,
    case: &Case<W>,
    round: usize,
) -> bool {
    let Some(recorded) = case.history().get(round) else {
        return false;
    };
    let stream = StreamKey::of::<W>(tenant.clone(), case.id().clone()).unwrap();
    let row = journal::encode::<W>(&stream, recorded).unwrap();
    store.append(&stream, round as u64, &[row]).unwrap();
    true
}

fn append_round(store: &dyn EventStore, tenant: &TenantId, case: &CityCase, round: usize) -> bool {
    match case {
        CityCase::Dispute(c) => append(store, tenant, c, round),
        CityCase::ServiceRequest(c) => append(store, tenant, c, round),
        other => panic!("not in this mix: {}", other.id()),
    }
}

fn key_of<W: Measured + journal::Journaled>(case: &Case<W>) -> CaseKey {
    CaseKey {
        stream_type: StreamType::of::<W>().unwrap(),
        id: case.id().clone(),
    }
}

/// Each case's key and the facts its whole history says.
fn expected(cases: &[CityCase]) -> Vec<(CaseKey, Option<CaseFacts>)> {
    cases
        .iter()
        .map(|case| match case {
            CityCase::Dispute(c) => (key_of(c), Dispute::case_facts(c.history())),
            CityCase::ServiceRequest(c) => (key_of(c), ServiceRequest::case_facts(c.history())),
            other => panic!("not in this mix: {}", other.id()),
        })
        .collect()
}

/// The batch fold over the cases' histories.
fn batch(cases: &[CityCase]) -> GovernanceMetrics {
    let mut metrics = GovernanceMetrics::new();
    for case in cases {
        match case {
            CityCase::Dispute(c) => metrics.observe_case::<Dispute>(c.history()),
            CityCase::ServiceRequest(c) => metrics.observe_case::<ServiceRequest>(c.history()),
            other => panic!("not in this mix: {}", other.id()),
        }
    }
    metrics
}

/// Feeds the cases' events to the journal round by round (every case's
/// first event, then every second one, ...), catching the metrics up in
/// `read` after each round; at the rounds `restarts` marks, the projection
/// is a fresh value, as after a crash. Then checks, against the batch fold
/// and against one uninterrupted run: every case's facts and the metrics.
fn check<R>(
    cases: &[CityCase],
    page: usize,
    restarts: &[bool],
    cache: usize,
    read: R,
    store: &dyn EventStore,
    tenant: TenantId,
) where
    R: ReadStore + MetricsQueries,
    LiveMetrics: Projection<R>,
{
    let runner = Runner::new(store, tenant.clone(), read).with_page(page);
    let mut projection = live(cache);
    let mut round = 0;
    loop {
        let mut any = false;
        for case in cases {
            any |= append_round(store, &tenant, case, round);
        }
        if restarts[round % restarts.len()] {
            projection = live(cache);
        }
        runner.catch_up(&mut projection).unwrap();
        if !any {
            break;
        }
        round += 1;
    }

    let once = Runner::new(store, tenant.clone(), MemoryReadStore::new());
    once.catch_up(&mut live(cache)).unwrap();

    let reads = runner.read_store();
    for (key, facts) in expected(cases) {
        let kept = reads.case_facts(&tenant, &key).unwrap();
        assert_eq!(kept, facts, "{key}");
        assert_eq!(
            once.read_store().case_facts(&tenant, &key).unwrap(),
            kept,
            "{key}"
        );
    }
    let metrics = LiveMetrics::metrics(reads, &tenant).unwrap();
    assert_eq!(metrics, batch(cases));
    assert_eq!(
        LiveMetrics::metrics(once.read_store(), &tenant).unwrap(),
        metrics
    );
    assert_eq!(metrics.total().received(), cases.len() as u64);
}

mod random {
    use super::*;
    use proptest::prelude::*;

    fn cache() -> impl Strategy<Value = usize> {
        prop_oneof![
            Just(0),
            1usize..4,
            Just(grassroots::journal::read::DEFAULT_HISTORIES)
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn live_metrics_equal_the_batch_fold_in_memory(
            picks in prop::collection::vec(any::<u16>(), 1..14),
            page in 1usize..9,
            restarts in prop::collection::vec(any::<bool>(), 1..5),
            cache in cache(),
        ) {
            let store = support::stores::memory();
            let tenant = support::stores::tenant("metrics-memory");
            check(&play(&picks), page, &restarts, cache, MemoryReadStore::new(), &store, tenant);
        }

        #[cfg(feature = "sqlite")]
        #[test]
        fn live_metrics_equal_the_batch_fold_on_sqlite(
            picks in prop::collection::vec(any::<u16>(), 1..14),
            page in 1usize..9,
            restarts in prop::collection::vec(any::<bool>(), 1..5),
            cache in cache(),
        ) {
            let (dir, store) = support::stores::sqlite();
            let tenant = support::stores::tenant("metrics-sqlite");
            // The read models in the journal's own file.
            let read = grassroots::journal::read::SqliteReadStore::open(dir.path().join("journal.db")).unwrap();
            check(&play(&picks), page, &restarts, cache, read, &store, tenant);
        }
    }
}

/// A few random histories on PostgreSQL (a proptest there would take
/// minutes): the same check, the configurations drawn from a fixed
/// generator.
#[cfg(feature = "postgres")]
#[test]
#[cfg_attr(
    not(grassroots_pg),
    ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
)]
fn live_metrics_equal_the_batch_fold_on_postgres() {
    let Some(store) = support::stores::postgres() else {
        return;
    };
    let url = support::stores::postgres_url().unwrap();
    let mut seed: u64 = 0x15_0005;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        seed >> 33
    };
    for _ in 0..6 {
        let picks: Vec<u16> = (0..1 + next() % 12).map(|_| next() as u16).collect();
        let page = 1 + (next() % 8) as usize;
        let restarts: Vec<bool> = (0..1 + next() % 4).map(|_| next() % 2 == 0).collect();
        let cache = [0, 2, grassroots::journal::read::DEFAULT_HISTORIES][(next() % 3) as usize];
        let read = grassroots::journal::read::PostgresReadStore::connect(&url).unwrap();
        let tenant = support::stores::tenant("metrics-postgres");
        check(&play(&picks), page, &restarts, cache, read, &store, tenant);
    }
}

// ---------------------------------------------------------------------------
// Schema versions.
// ---------------------------------------------------------------------------

fn facts_written_by_a_newer_schema_are_refused<R>(store: &dyn EventStore, tenant: TenantId, read: R)
where
    R: ReadStore + MetricsQueries,
    LiveMetrics: Projection<R>,
{
    let cases = play(&[3, 4, 5]);
    for round in 0..4 {
        for case in &cases {
            append_round(store, &tenant, case, round);
        }
    }
    let runner = Runner::new(store, tenant.clone(), read);
    let mut metrics = live(8);
    runner.catch_up(&mut metrics).unwrap();
    let before = LiveMetrics::metrics(runner.read_store(), &tenant).unwrap();
    assert_eq!(before.total().received(), 3);
    let newer = Checkpoint {
        position: 1,
        schema_version: LiveMetrics::SCHEMA_VERSION + 1,
    };
    runner
        .read_store()
        .in_transaction(|tx| R::set_checkpoint(tx, LiveMetrics::NAME, &tenant, newer))
        .unwrap();
    let refused = runner.catch_up(&mut metrics).unwrap_err();
    assert!(
        matches!(&refused, ProjectionError::SchemaTooNew { projection, found, known }
            if projection == LiveMetrics::NAME
                && *found == LiveMetrics::SCHEMA_VERSION + 1
                && *known == LiveMetrics::SCHEMA_VERSION),
        "{refused:?}"
    );
    assert_eq!(
        refused.to_string(),
        "read model governance_metrics was written at schema version 2, this library knows up to 1"
    );
    let query = LiveMetrics::metrics(runner.read_store(), &tenant).unwrap_err();
    assert!(
        matches!(query, ProjectionError::SchemaTooNew { .. }),
        "{query:?}"
    );
    let (key, _) = expected(&cases).remove(0);
    let one = runner.read_store().case_facts(&tenant, &key).unwrap_err();
    assert!(
        matches!(one, ProjectionError::SchemaTooNew { .. }),
        "{one:?}"
    );
    assert!(matches!(
        runner.rebuild(&mut metrics).unwrap_err(),
        ProjectionError::SchemaTooNew { .. }
    ));
    // The checkpoint is left as the newer version wrote it.
    let kept = runner
        .read_store()
        .in_transaction(|tx| R::checkpoint(tx, LiveMetrics::NAME, &tenant))
        .unwrap();
    assert_eq!(kept, Some(newer));
}

/// Metrics following no workflow refuse to catch up (and leave their
/// checkpoint where it was), on every read store.
fn metrics_following_no_workflow_refuse_to_catch_up<R>(
    store: &dyn EventStore,
    tenant: TenantId,
    read: R,
) where
    R: ReadStore,
    LiveMetrics: Projection<R>,
{
    let cases = play(&[1, 2, 3]);
    for case in &cases {
        append_round(store, &tenant, case, 0);
    }
    let runner = Runner::new(store, tenant, read);
    let err = runner.catch_up(&mut LiveMetrics::new()).unwrap_err();
    assert!(
        matches!(
            err,
            ProjectionError::NothingFollowed {
                projection: "governance_metrics"
            }
        ),
        "{err:?}"
    );
    let mut metrics = LiveMetrics::new()
        .with::<Dispute>()
        .with::<ServiceRequest>();
    assert!(
        runner.catch_up(&mut metrics).unwrap().events > 0,
        "read from the start"
    );
}

#[test]
fn metrics_following_no_workflow_refuse_to_catch_up_in_memory() {
    let store = support::stores::memory();
    let tenant = support::stores::tenant("nothing-memory");
    metrics_following_no_workflow_refuse_to_catch_up(&store, tenant, MemoryReadStore::new());
}

#[cfg(feature = "sqlite")]
#[test]
fn metrics_following_no_workflow_refuse_to_catch_up_on_sqlite() {
    let (dir, store) = support::stores::sqlite();
    let tenant = support::stores::tenant("nothing-sqlite");
    let read =
        grassroots::journal::read::SqliteReadStore::open(dir.path().join("journal.db")).unwrap();
    metrics_following_no_workflow_refuse_to_catch_up(&store, tenant, read);
}

#[test]
fn facts_written_by_a_newer_schema_are_refused_in_memory() {
    let store = support::stores::memory();
    let tenant = support::stores::tenant("newer-memory");
    facts_written_by_a_newer_schema_are_refused(&store, tenant, MemoryReadStore::new());
}

#[cfg(feature = "sqlite")]
#[test]
fn facts_written_by_a_newer_schema_are_refused_on_sqlite() {
    let (dir, store) = support::stores::sqlite();
    let tenant = support::stores::tenant("newer-sqlite");
    let read =
        grassroots::journal::read::SqliteReadStore::open(dir.path().join("journal.db")).unwrap();
    facts_written_by_a_newer_schema_are_refused(&store, tenant, read);
}

#[cfg(feature = "postgres")]
#[test]
#[cfg_attr(
    not(grassroots_pg),
    ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
)]
fn facts_written_by_a_newer_schema_are_refused_on_postgres() {
    let Some(store) = support::stores::postgres() else {
        return;
    };
    let url = support::stores::postgres_url().unwrap();
    let read = grassroots::journal::read::PostgresReadStore::connect(&url).unwrap();
    let tenant = support::stores::tenant("newer-postgres");
    facts_written_by_a_newer_schema_are_refused(&store, tenant, read);
}

// ---------------------------------------------------------------------------
// The table, as a user queries it with SQL.
// ---------------------------------------------------------------------------

/// What a user's SQL should find: per body, cases received, eligible,
/// responded and resolved on time.
fn per_body(metrics: &GovernanceMetrics) -> Vec<(String, i64, i64, i64, i64)> {
    metrics
        .by_organisation()
        .map(|(body, f)| {
            (
                body.as_str().to_owned(),
                f.received() as i64,
                f.eligible() as i64,
                f.responded() as i64,
                f.resolved_on_time() as i64,
            )
        })
        .collect()
}

const PER_BODY: &str = "SELECT body, count(*),
        sum(CASE WHEN exclusion IS NULL THEN 1 ELSE 0 END),
        sum(CASE WHEN exclusion IS NULL THEN responded ELSE 0 END),
        sum(CASE WHEN exclusion IS NULL AND resolved_on_time = 1 THEN 1 ELSE 0 END)
    FROM grassroots_case_facts WHERE tenant = $1 AND body IS NOT NULL
    GROUP BY body ORDER BY body";

#[cfg(feature = "sqlite")]
#[test]
fn the_facts_are_a_table_a_user_queries_with_sql_on_sqlite() {
    let (dir, store) = support::stores::sqlite();
    let tenant = support::stores::tenant("sql-sqlite");
    let cases = play(&(100..160).collect::<Vec<u16>>());
    let mut round = 0;
    while cases.iter().fold(false, |any, c| {
        append_round(&store, &tenant, c, round) | any
    }) {
        round += 1;
    }
    let path = dir.path().join("journal.db");
    let runner = Runner::new(
        &store,
        tenant.clone(),
        grassroots::journal::read::SqliteReadStore::open(&path).unwrap(),
    );
    runner.catch_up(&mut live(16)).unwrap();
    let metrics = LiveMetrics::metrics(runner.read_store(), &tenant).unwrap();
    assert_eq!(metrics, batch(&cases));

    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut stmt = conn.prepare(&PER_BODY.replace("$1", "?1")).unwrap();
    let found: Vec<(String, i64, i64, i64, i64)> = stmt
        .query_map([tenant.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(found.len() > 1, "{found:?}");
    assert_eq!(found, per_body(&metrics));

    // A value no projection writes is refused by name, not misread.
    conn.execute(
        "UPDATE grassroots_case_facts SET need = 'mediation(Not A Kind)' WHERE tenant = ?1",
        [tenant.as_str()],
    )
    .unwrap();
    let corrupt = LiveMetrics::metrics(runner.read_store(), &tenant).unwrap_err();
    assert!(
        matches!(
            corrupt,
            ProjectionError::Corrupt {
                table: "grassroots_case_facts",
                column: "need"
            }
        ),
        "{corrupt:?}"
    );
}

#[cfg(feature = "postgres")]
#[test]
#[cfg_attr(
    not(grassroots_pg),
    ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
)]
fn the_facts_are_a_table_a_user_queries_with_sql_on_postgres() {
    let Some(store) = support::stores::postgres() else {
        return;
    };
    let url = support::stores::postgres_url().unwrap();
    let tenant = support::stores::tenant("sql-postgres");
    let cases = play(&(100..140).collect::<Vec<u16>>());
    let mut round = 0;
    while cases.iter().fold(false, |any, c| {
        append_round(&store, &tenant, c, round) | any
    }) {
        round += 1;
    }
    let runner = Runner::new(
        &store,
        tenant.clone(),
        grassroots::journal::read::PostgresReadStore::connect(&url).unwrap(),
    );
    runner.catch_up(&mut live(16)).unwrap();
    let metrics = LiveMetrics::metrics(runner.read_store(), &tenant).unwrap();
    assert_eq!(metrics, batch(&cases));

    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let found: Vec<(String, i64, i64, i64, i64)> = client
        .query(PER_BODY, &[&tenant.as_str()])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
        .collect();
    assert!(found.len() > 1, "{found:?}");
    // PostgreSQL orders text by its collation: compare as sets.
    let mut found = found;
    found.sort();
    assert_eq!(found, per_body(&metrics));
}
