//! Loading from the text a store keeps (`read_anchored_stream_text_with`):
//! the memory store lends its rows' canonical text, and a case loaded from
//! it — by `load`, the journal and the sweeper — is the case the parsed rows
//! give. Text that does not settle the case (a row that does not link, a
//! row missing after the anchor) sends the load to the parsed rows, for the
//! same case or the same error.

mod support {
    pub mod ticket;
}

use chrono::{DateTime, Duration, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::id::{CaseId, TenantId};
use grassroots::journal::{
    self, Appended, Breakage, DueEntry, DueQuery, DueUpdate, EventStore, FeedPage, Journal,
    JournalError, MemoryStore, NewEvent, StoredEvent, StoredText, StreamHead, StreamKey,
    StreamType,
};
use grassroots::workflow::{Case, Context};
use support::ticket::{Command, Ticket};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn tenant() -> TenantId {
    "longgang".parse().unwrap()
}

/// Tickets in a memory store, each a little further along than the last.
fn tickets() -> (MemoryStore, Vec<CaseId>) {
    let store = MemoryStore::new();
    let worker = Actor::new("gw-7".parse().unwrap()).with_role(Role::GridWorker);
    let journal = Journal::new(&store, tenant()).with_cache(0);
    let steps = [
        Command::Open,
        Command::Hold,
        Command::Resume,
        Command::Hold,
        Command::Resume,
        Command::Resolve,
    ];
    let mut ids = Vec::new();
    for n in 0..steps.len() {
        let id: CaseId = format!("T-{n}").parse().unwrap();
        for (i, command) in steps[..=n].iter().enumerate() {
            let ctx = Context::new(t0() + Duration::minutes(i as i64), &worker);
            journal.handle(&Ticket, &id, command, &ctx).unwrap();
        }
        ids.push(id);
    }
    (store, ids)
}

/// The case the parsed rows give: verified and decoded row by row.
fn from_parsed_rows(store: &dyn EventStore, id: &CaseId) -> Case<Ticket> {
    let stream = StreamKey::of::<Ticket>(tenant(), id.clone()).unwrap();
    let rows = store.read_stream(&stream, 0).unwrap();
    journal::verify_rows(&stream, &rows).unwrap();
    let history = rows.iter().map(journal::decode::<Ticket>);
    Case::replay(id.clone(), history.collect::<Result<Vec<_>, _>>().unwrap()).unwrap()
}

#[test]
fn the_memory_store_lends_each_rows_canonical_text_beside_its_columns() {
    let (store, ids) = tickets();
    for id in &ids {
        let stream = StreamKey::of::<Ticket>(tenant(), id.clone()).unwrap();
        let parsed = store.read_stream(&stream, 0).unwrap();
        let mut lent = Vec::new();
        let kept = store
            .read_anchored_stream_text_with(&stream, &mut |anchor, rows| {
                assert_eq!(anchor, store.anchor(&stream).unwrap());
                lent.extend(rows.iter().map(|row| {
                    (
                        row.position,
                        row.version,
                        row.event_id.clone(),
                        row.event_type.to_owned(),
                        serde_json::from_str::<serde_json::Value>(row.payload).unwrap(),
                        row.actor.clone(),
                        row.occurred_at,
                        row.recorded_at,
                        row.hash,
                    )
                }));
            })
            .unwrap();
        assert!(kept);
        let expected: Vec<_> = parsed
            .into_iter()
            .map(|row| {
                (
                    row.position,
                    row.version,
                    row.event_id,
                    row.event_type,
                    row.payload,
                    row.actor,
                    row.occurred_at,
                    row.recorded_at,
                    row.hash,
                )
            })
            .collect();
        assert_eq!(lent, expected);
    }
}

#[test]
fn a_case_loaded_from_text_is_the_case_the_parsed_rows_give() {
    let (store, ids) = tickets();
    for id in &ids {
        let loaded = journal::load::<Ticket, _>(&store, &tenant(), id).unwrap();
        assert_eq!(loaded, from_parsed_rows(&store, id));
    }
    // An unknown case loads as a new one.
    let unknown: CaseId = "T-none".parse().unwrap();
    let loaded = journal::load::<Ticket, _>(&store, &tenant(), &unknown).unwrap();
    assert_eq!(loaded.version(), 0);
}

/// How [`Lying`] changes the text it lends.
#[derive(Clone, Copy)]
enum Lie {
    /// The first payload with a space: the same JSON, not the text hashed.
    Spaced,
    /// The last row left out: the rows stop short of the anchor.
    Short,
    /// The first payload a `Resolved` in text and parsed row alike: a
    /// change behind the store's back.
    Forged,
    /// The text as kept, the parsed rows a different case: what loads shows
    /// which of the two was read.
    TextOnly,
}

/// A memory store whose text, and for [`Lie::Forged`] its parsed rows too,
/// lie about one stream.
struct Lying {
    store: MemoryStore,
    lie: Lie,
}

impl EventStore for Lying {
    fn append_with_due(
        &self,
        stream: &StreamKey,
        expected_version: u64,
        events: &[NewEvent],
        due: DueUpdate,
    ) -> Result<Appended, JournalError> {
        self.store
            .append_with_due(stream, expected_version, events, due)
    }
    fn due(&self, query: &DueQuery) -> Result<Vec<DueEntry>, JournalError> {
        self.store.due(query)
    }
    fn claim_due(
        &self,
        query: &DueQuery,
        lease: chrono::TimeDelta,
    ) -> Result<Vec<DueEntry>, JournalError> {
        self.store.claim_due(query, lease)
    }
    fn replace_due(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        entries: &[DueEntry],
    ) -> Result<(), JournalError> {
        self.store.replace_due(tenant, stream_type, entries)
    }
    fn read_stream(
        &self,
        stream: &StreamKey,
        after: u64,
    ) -> Result<Vec<StoredEvent>, JournalError> {
        let mut rows = self.store.read_stream(stream, after)?;
        if let (Lie::Forged, Some(first)) = (self.lie, rows.first_mut()) {
            first.event_type = "Resolved".into();
            first.payload = serde_json::json!("Resolved");
        }
        if let Lie::TextOnly = self.lie {
            rows.clear();
        }
        Ok(rows)
    }
    fn read_anchored_stream_text_with(
        &self,
        stream: &StreamKey,
        visit: &mut dyn FnMut(Option<StreamHead>, &[StoredText<'_>]),
    ) -> Result<bool, JournalError> {
        let lie = self.lie;
        self.store
            .read_anchored_stream_text_with(stream, &mut |anchor, rows| {
                let mut rows = rows.to_vec();
                let spaced = rows.first().map(|row| format!(" {}", row.payload));
                match (lie, rows.first_mut()) {
                    (Lie::Spaced, Some(first)) => {
                        first.payload = spaced.as_deref().unwrap_or_default();
                    }
                    (Lie::Short, Some(_)) => {
                        rows.pop();
                    }
                    (Lie::Forged, Some(first)) => {
                        first.event_type = "Resolved";
                        first.payload = "\"Resolved\"";
                    }
                    (Lie::TextOnly, _) | (_, None) => {}
                }
                visit(anchor, &rows);
            })
    }
    fn read_feed(
        &self,
        tenant: &TenantId,
        after: u64,
        limit: usize,
    ) -> Result<FeedPage, JournalError> {
        self.store.read_feed(tenant, after, limit)
    }
    fn anchor(&self, stream: &StreamKey) -> Result<Option<StreamHead>, JournalError> {
        self.store.anchor(stream)
    }
    fn stream_version(&self, stream: &StreamKey) -> Result<u64, JournalError> {
        self.store.stream_version(stream)
    }
    fn list_streams(
        &self,
        tenant: &TenantId,
        stream_type: &StreamType,
        after: Option<&CaseId>,
        limit: usize,
    ) -> Result<Vec<CaseId>, JournalError> {
        self.store.list_streams(tenant, stream_type, after, limit)
    }
}

#[test]
fn text_that_does_not_settle_the_case_sends_the_load_to_the_parsed_rows() {
    for lie in [Lie::Spaced, Lie::Short] {
        let (store, ids) = tickets();
        let expected: Vec<_> = ids.iter().map(|id| from_parsed_rows(&store, id)).collect();
        let lying = Lying { store, lie };
        for (id, expected) in ids.iter().zip(expected) {
            let loaded = journal::load::<Ticket, _>(&lying, &tenant(), id).unwrap();
            assert_eq!(loaded, expected);
        }
    }
}

#[test]
fn a_row_changed_behind_the_stores_back_is_refused_from_text_as_from_rows() {
    let (store, ids) = tickets();
    let lying = Lying {
        store,
        lie: Lie::Forged,
    };
    let err = journal::load::<Ticket, _>(&lying, &tenant(), &ids[2]).unwrap_err();
    assert_first_event_changed(&err);
}

/// `err` says the stream's first event was changed.
fn assert_first_event_changed(err: &JournalError) {
    assert!(
        matches!(
            err,
            JournalError::Tampered {
                version: 1,
                breakage: Breakage::Changed,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn text_that_settles_the_case_is_all_that_is_read() {
    let (store, ids) = tickets();
    let expected: Vec<_> = ids.iter().map(|id| from_parsed_rows(&store, id)).collect();
    let lying = Lying {
        store,
        lie: Lie::TextOnly,
    };
    for (id, expected) in ids.iter().zip(expected) {
        // The parsed rows would be an empty stream short of its anchor.
        let loaded = journal::load::<Ticket, _>(&lying, &tenant(), id).unwrap();
        assert_eq!(loaded, expected);
    }
}

/// `verify_stream` and `verify_anchored` check the chain over the text
/// where it settles it, and over the parsed rows otherwise: the same
/// result an honest store gives, or the same error.
#[test]
fn the_chain_is_verified_from_text_where_it_settles_it_and_from_rows_otherwise() {
    for lie in [Lie::Spaced, Lie::Short, Lie::TextOnly] {
        let (store, ids) = tickets();
        let streams: Vec<_> = ids
            .iter()
            .map(|id| StreamKey::of::<Ticket>(tenant(), id.clone()).unwrap())
            .collect();
        let honest: Vec<_> = streams
            .iter()
            .map(|key| journal::verify_anchored(&store, key).unwrap())
            .collect();
        let lying = Lying { store, lie };
        for (key, honest) in streams.iter().zip(honest) {
            assert_eq!(journal::verify_stream(&lying, key).unwrap(), honest);
            assert_eq!(journal::verify_anchored(&lying, key).unwrap(), honest);
        }
    }
    let (store, ids) = tickets();
    let key = StreamKey::of::<Ticket>(tenant(), ids[2].clone()).unwrap();
    let lying = Lying {
        store,
        lie: Lie::Forged,
    };
    for err in [
        journal::verify_stream(&lying, &key).unwrap_err(),
        journal::verify_anchored(&lying, &key).unwrap_err(),
    ] {
        assert_first_event_changed(&err);
    }
}
