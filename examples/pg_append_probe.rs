//! A probe for the PostgreSQL stores' server-side cost: one connection
//! appends batches of 1,000 events (the `async_store` bench's note) to new
//! cases of one tenant, so the server's work per batch can be counted with
//! callgrind on the backend (DESIGN.md, "PostgreSQL appends, round 8").
//!
//! ```sh
//! GRASSROOTS_POSTGRES_URL=... cargo run --release --features tokio,postgres \
//!     --example pg_append_probe -- async TENANT BATCHES
//! ```
//!
//! `sync` or `async` picks the store. Two batches are appended first (the
//! partition, the prepared statements); then `BATCHES` more. Run it twice,
//! with 0 and with N batches, against a server whose backends run under
//! `valgrind --tool=callgrind`: the difference of the two backends' counts,
//! divided by N, is the server's work per 1,000-row append.
#![allow(missing_docs)]

use chrono::{TimeZone, Utc};
use grassroots::id::TenantId;
use grassroots::journal::{
    AsyncEventStore, AsyncPostgresOptions, AsyncPostgresStore, EventStore, NewEvent,
    PostgresOptions, PostgresStore, StreamKey,
};
use serde_json::json;

const BATCH: usize = 1_000;

fn batch(tenant: &TenantId, b: usize) -> (StreamKey, Vec<NewEvent>) {
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let events = (0..BATCH)
        .map(|i| {
            NewEvent::new(
                format!("p{b}-{i}").parse().unwrap(),
                "Noted",
                json!({"Noted": {"by": "clerk-li", "text": "材料已补齐, applicant notified", "at": "2026-03-02T09:00:00Z"}}),
                "clerk-li".parse().unwrap(),
                at,
            )
        })
        .collect();
    let key = StreamKey::new(
        tenant.clone(),
        "notes".parse().unwrap(),
        format!("P-{b}").parse().unwrap(),
    );
    (key, events)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, tenant, batches] = args.as_slice() else {
        eprintln!("usage: pg_append_probe sync|async TENANT BATCHES");
        std::process::exit(2);
    };
    let Ok(url) = std::env::var("GRASSROOTS_POSTGRES_URL") else {
        eprintln!("pg_append_probe: set GRASSROOTS_POSTGRES_URL to the server to probe");
        std::process::exit(2);
    };
    let tenant: TenantId = tenant.parse()?;
    let batches: usize = batches.parse()?;
    match mode.as_str() {
        "sync" => {
            let store = PostgresStore::connect_with(&url, PostgresOptions::new().pool_size(1))?;
            for b in 0..2 + batches {
                let (key, events) = batch(&tenant, b);
                store.append(&key, 0, &events)?;
            }
        }
        "async" => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let options = AsyncPostgresOptions::new().max_connections(1);
                let store = AsyncPostgresStore::connect_with(&url, options).await?;
                for b in 0..2 + batches {
                    let (key, events) = batch(&tenant, b);
                    store.append(&key, 0, &events).await?;
                }
                Ok::<(), grassroots::journal::JournalError>(())
            })?;
        }
        other => return Err(format!("unknown store {other}: sync or async").into()),
    }
    println!("appended {} batches of {BATCH}", 2 + batches);
    Ok(())
}
