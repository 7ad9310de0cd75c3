//! The typed layer: a workflow's [`Recorded`] events to rows and back,
//! [`load`] and the retrying [`execute`].

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::hash::{HashFields, canonical_payload, derived_event_id, rows_reach_anchor};
use super::upcast::upcast_to_current;
use super::{
    Appended, EventSchema, EventStore, ExecuteError, FeedRow, JournalError, NewEvent, StoredEvent,
    StreamKey, to_micros, truncate_to_micros,
};
use crate::id::{CaseId, EventId, TenantId};
use crate::workflow::{Case, Context, HasKind, Kind, Recorded, Workflow};

/// Turns one recorded event of workflow `W` into a row for `stream`.
///
/// The payload is the event's serde JSON; the event type is
/// the name of its [`Kind`](crate::workflow::Kind); the schema version is
/// [`EventSchema::schema_version`]. The event id is derived from the stream,
/// the version (`recorded.seq`) and the event's content, so encoding the same
/// event at the same place twice gives the same id — the store then treats a
/// second append as an idempotent retry.
///
/// # Errors
///
/// [`JournalError::Encode`] when the event does not serialize to JSON;
/// [`JournalError::PayloadRefused`] when its JSON is deeper, longer or holds
/// a character a store refuses (see [`EventStore::append`]).
pub fn encode<W>(
    stream: &StreamKey,
    recorded: &Recorded<W::Event>,
) -> Result<NewEvent, JournalError>
where
    W: EventSchema,
    W::Event: Serialize,
{
    let kind = recorded.event.kind().name();
    let event_type = kind.as_str();
    let payload = serde_json::to_value(&recorded.event).map_err(|source| JournalError::Encode {
        stream: stream.clone(),
        event_type: kind.clone(),
        source,
    })?;
    let schema_version = W::schema_version(event_type);
    let mut canonical = Vec::with_capacity(128);
    canonical_payload(&payload, &mut canonical).map_err(|limit| JournalError::PayloadRefused {
        stream: stream.clone(),
        version: recorded.seq,
        limit,
    })?;
    let occurred_at = truncate_to_micros(recorded.at);
    // Not hashed (the id is derived from everything else): a constant.
    const PLACEHOLDER: EventId = EventId::from_static("-");
    let event_id = derived_event_id(&HashFields {
        stream,
        version: recorded.seq,
        event_id: &PLACEHOLDER,
        event_type,
        schema_version,
        payload: &canonical,
        actor: &recorded.actor,
        correlation: recorded.correlation.as_ref(),
        occurred_at: to_micros(occurred_at),
    })?;
    Ok(NewEvent {
        event_id,
        event_type: event_type.to_owned(),
        schema_version,
        payload,
        actor: recorded.actor.clone(),
        correlation: recorded.correlation.clone(),
        occurred_at,
    })
}

/// Turns a stored row back into a recorded event of workflow `W`, upcasting
/// an older schema version to the current one first.
///
/// # Errors
///
/// - [`JournalError::StreamTypeMismatch`] when the row is not from a `W`
///   stream;
/// - [`JournalError::Upcast`] when an older payload cannot be upcast;
/// - [`JournalError::Decode`] when the payload is not a `W::Event`, naming
///   the stream, version and event type;
/// - [`JournalError::EventTypeMismatch`] when it decodes as another event
///   type than the one stored.
pub fn decode<W>(row: &StoredEvent) -> Result<Recorded<W::Event>, JournalError>
where
    W: EventSchema,
    W::Event: DeserializeOwned,
{
    Ok(Recorded {
        seq: row.version,
        at: row.occurred_at,
        actor: row.actor.clone(),
        correlation: row.correlation.clone(),
        event: decode_event::<W>(row)?,
    })
}

/// The event of a stored row, as [`decode`] reads it (with the same
/// checks), without the row's actor and correlation: for the read models,
/// which need the event only.
pub(crate) fn decode_event<W>(row: &StoredEvent) -> Result<W::Event, JournalError>
where
    W: EventSchema,
    W::Event: DeserializeOwned,
{
    decode_parts::<W>(
        &row.stream,
        row.version,
        &row.event_type,
        row.schema_version,
        &row.payload,
    )
}

/// [`decode_event`] on an event's parts: its stream, version, type, schema
/// version and payload.
fn decode_parts<W>(
    stream: &StreamKey,
    version: u64,
    event_type: &str,
    schema_version: u32,
    payload: &serde_json::Value,
) -> Result<W::Event, JournalError>
where
    W: EventSchema,
    W::Event: DeserializeOwned,
{
    if stream.stream_type.as_str() != W::NAME {
        return Err(JournalError::StreamTypeMismatch {
            stream: stream.clone(),
            expected: W::NAME,
        });
    }
    let decode_error = |source| JournalError::Decode {
        stream: stream.clone(),
        version,
        event_type: event_type.into(),
        schema_version,
        source,
    };
    let event: W::Event = if schema_version == W::schema_version(event_type) {
        W::Event::deserialize(payload).map_err(decode_error)?
    } else {
        let payload = upcast_to_current::<W>(event_type, schema_version, payload.clone()).map_err(
            |source| JournalError::Upcast {
                stream: stream.clone(),
                version,
                source: Box::new(source),
            },
        )?;
        serde_json::from_value(payload).map_err(decode_error)?
    };
    let decoded = event.kind();
    if !decoded.is_named(event_type) {
        return Err(JournalError::EventTypeMismatch {
            stream: stream.clone(),
            version,
            stored: event_type.into(),
            decoded: decoded.name(),
        });
    }
    Ok(event)
}

/// The event of a feed row, as [`decode_event`] reads it: straight from
/// the payload's text when its schema version is current and it decodes
/// as the event type stored beside it; otherwise (an old schema version to
/// upcast, a payload that does not decode) through the stored event, for
/// the same event or the same error.
pub(crate) fn decode_row_event<W>(row: &FeedRow) -> Result<W::Event, JournalError>
where
    W: EventSchema,
    W::Event: DeserializeOwned,
{
    if row.stream.stream_type.as_str() == W::NAME
        && row.schema_version == W::schema_version(&row.event_type)
    {
        if let Ok(event) = serde_json::from_str::<W::Event>(row.payload.get()) {
            if event.kind().is_named(&row.event_type) {
                return Ok(event);
            }
        }
    }
    decode_parts::<W>(
        &row.stream,
        row.version,
        &row.event_type,
        row.schema_version,
        &row.payload_value()?,
    )
}

/// Loads case `id` of workflow `W` from `tenant`'s journal: reads its stream,
/// checks its hash chain, decodes every event (upcasting old ones) and
/// replays them. An unknown case loads as a new one, at version 0.
///
/// # Errors
///
/// - [`JournalError::Tampered`] (or [`JournalError::Corrupt`]) when a row
///   was changed, removed, reordered or inserted behind the store's back —
///   see [`verify_rows`](super::verify_rows);
/// - [`JournalError::Truncated`] or [`JournalError::AnchorMismatch`] when the
///   stream's last rows were cut off after its anchor was written (see
///   [`verify_anchored`](super::verify_anchored));
/// - everything [`decode`] returns, for the first event that fails;
/// - [`JournalError::Replay`] when the history does not replay;
/// - [`JournalError::InvalidName`] when `W::NAME` is not a valid stream type;
/// - whatever [`EventStore::read_anchored_stream_with`] returns.
pub fn load<W, S>(store: &S, tenant: &TenantId, id: &CaseId) -> Result<Case<W>, JournalError>
where
    W: EventSchema,
    W::Event: DeserializeOwned,
    S: EventStore + ?Sized,
{
    let stream = StreamKey::of::<W>(tenant.clone(), id.clone())?;
    Ok(load_anchored(store, &stream)?.0)
}

/// The case of `stream` and the hash of its last event, read with its
/// anchor ([`EventStore::read_anchored_stream_with`]) and verified in full.
pub(super) fn load_anchored<W, S>(
    store: &S,
    stream: &StreamKey,
) -> Result<(Case<W>, super::EventHash), JournalError>
where
    W: EventSchema,
    W::Event: DeserializeOwned,
    S: EventStore + ?Sized,
{
    let mut loaded = None;
    // From the text a store keeps, where it lends it and the text settles
    // everything; otherwise (and for the same case or the same error) from
    // the parsed rows.
    let lent = store.read_anchored_stream_text_with(stream, &mut |anchor, rows| {
        loaded = case_from_text_rows(stream, rows, anchor).map(Ok);
    })?;
    if lent {
        if let Some(loaded) = loaded {
            return loaded;
        }
    }
    store.read_anchored_stream_with(stream, &mut |anchor, rows| {
        loaded = Some(case_from_rows(stream, rows, anchor));
    })?;
    // A store that lent nothing lent an empty, unanchored stream.
    loaded.unwrap_or_else(|| case_from_rows(stream, &[], None))
}

/// The case [`case_from_rows`] gives for the same rows, read from the text
/// a store keeps ([`EventStore::read_anchored_stream_text_with`]): the
/// chain verified over each payload's text (the canonical form it was
/// hashed in) and each event decoded from it. `None` for anything the text
/// does not settle — a row that does not link or reach the anchor, an
/// old schema version to upcast, a payload that does not decode as its
/// type, a history that does not replay — which the parsed rows then
/// settle, with the same error [`case_from_rows`] gives.
pub(super) fn case_from_text_rows<W>(
    stream: &StreamKey,
    rows: &[super::StoredText<'_>],
    anchor: Option<super::StreamHead>,
) -> Option<(Case<W>, super::EventHash)>
where
    W: EventSchema,
    W::Event: DeserializeOwned,
{
    let head = super::hash::verify_text_rows(stream, rows, anchor)?;
    if stream.stream_type.as_str() != W::NAME {
        return None;
    }
    let mut history = Vec::with_capacity(rows.len() + 1);
    for row in rows {
        if row.schema_version != W::schema_version(row.event_type) {
            return None;
        }
        let event = serde_json::from_str::<W::Event>(row.payload).ok()?;
        if !event.kind().is_named(row.event_type) {
            return None;
        }
        history.push(Recorded {
            seq: row.version,
            at: row.occurred_at,
            actor: row.actor.clone(),
            correlation: row.correlation.cloned(),
            event,
        });
    }
    let case = Case::replay(stream.id.clone(), history).ok()?;
    Some((case, head))
}

/// The case of `stream` and the hash of its last event, read and verified
/// in full; `anchor` was read before the rows.
pub(super) fn load_stream<W, S>(
    store: &S,
    stream: &StreamKey,
    anchor: Option<super::StreamHead>,
) -> Result<(Case<W>, super::EventHash), JournalError>
where
    W: EventSchema,
    W::Event: DeserializeOwned,
    S: EventStore + ?Sized,
{
    // From the text a store keeps where it settles the case (checked
    // against `anchor`, not the one lent beside it, as the rows below are).
    let mut loaded = None;
    let lent = store.read_anchored_stream_text_with(stream, &mut |_, rows| {
        loaded = case_from_text_rows(stream, rows, anchor).map(Ok);
    })?;
    if lent {
        if let Some(loaded) = loaded {
            return loaded;
        }
    }
    // The rows are lent, not copied, where the store can.
    store.read_stream_with(stream, 0, &mut |rows| {
        loaded = Some(case_from_rows(stream, rows, anchor));
    })?;
    // A store that lent nothing lent an empty stream.
    loaded.unwrap_or_else(|| case_from_rows(stream, &[], anchor))
}

/// The case of `stream` and the hash of its last event, from all its
/// `rows`, verified against the chain and `anchor` (read before the rows):
/// the pure half of [`load_stream`], shared with the async journal.
pub(super) fn case_from_rows<W>(
    stream: &StreamKey,
    rows: &[StoredEvent],
    anchor: Option<super::StreamHead>,
) -> Result<(Case<W>, super::EventHash), JournalError>
where
    W: EventSchema,
    W::Event: DeserializeOwned,
{
    // Tamper evidence on every load: a changed, removed, reordered or
    // inserted row, or rows cut off after the anchor, are refused before
    // they can become state.
    let verified = super::hash::verify_rows(stream, rows)?;
    rows_reach_anchor(stream, rows, anchor)?;
    let history = decode_rows::<W>(rows)?;
    let case = Case::replay(stream.id.clone(), history).map_err(|source| JournalError::Replay {
        stream: stream.clone(),
        source: Box::new(source),
    })?;
    Ok((case, verified.head))
}

/// Decodes `rows` of one stream, in order, into a history with room for
/// one more event: the case it becomes is loaded to handle a command, and
/// the one event a command usually decides is pushed without moving the
/// history (replay keeps the allocation).
pub(super) fn decode_rows<W>(rows: &[StoredEvent]) -> Result<Vec<Recorded<W::Event>>, JournalError>
where
    W: EventSchema,
    W::Event: DeserializeOwned,
{
    let mut history = Vec::with_capacity(rows.len() + 1);
    for row in rows {
        history.push(decode::<W>(row)?);
    }
    Ok(history)
}

/// `ctx` with its time truncated to the microsecond, the journal's
/// resolution, so a live case equals the stored one.
pub(super) fn with_micros<'a>(ctx: &Context<'a>) -> Context<'a> {
    let mut at_micros = Context::new(truncate_to_micros(ctx.at()), ctx.actor());
    if let Some(correlation) = ctx.correlation() {
        at_micros = at_micros.with_correlation(correlation);
    }
    at_micros
}

/// What [`execute`] recorded.
#[derive(Debug)]
pub struct Executed<W: Workflow> {
    /// The case after the command, equal to what [`load`] now returns.
    pub case: Case<W>,
    /// What the store did with the decided events.
    pub appended: Appended,
    /// How many times the command was decided (1 unless other writers
    /// forced a retry).
    pub attempts: u32,
    from: usize,
}

impl<W: Workflow> Executed<W> {
    pub(super) fn new(case: Case<W>, appended: Appended, attempts: u32, from: usize) -> Self {
        Self {
            case,
            appended,
            attempts,
            from,
        }
    }

    /// The events this command recorded (empty when it decided nothing).
    pub fn events(&self) -> &[Recorded<W::Event>] {
        &self.case.history()[self.from..]
    }
}

/// Handles `command` on case `id` of `tenant` and appends the events it
/// decides: loads the case, runs [`Case::handle`], and appends with the
/// version it loaded. When another writer appended in between (a version
/// conflict), it reloads and decides again, up to `retries` more times.
///
/// The command's time is truncated to the microsecond first (the journal's
/// resolution), so the returned case equals the stored one. A command that
/// decides nothing appends nothing.
///
/// # Errors
///
/// - [`ExecuteError::Refused`] when the case refuses the command (the
///   workflow's rejection, a terminal case, time running backwards) — never
///   retried;
/// - [`ExecuteError::Contended`] when every attempt met a version conflict;
/// - [`ExecuteError::Journal`] for everything [`load`] and
///   [`EventStore::append`] return besides a version conflict.
///
/// On every error nothing was written for this command.
#[allow(clippy::too_many_arguments)]
pub fn execute<W, S>(
    store: &S,
    tenant: &TenantId,
    workflow: &W,
    id: &CaseId,
    command: &W::Command,
    ctx: &Context<'_>,
    retries: u32,
) -> Result<Executed<W>, ExecuteError<W::Rejection>>
where
    W: EventSchema,
    W::Event: Serialize + DeserializeOwned,
    S: EventStore + ?Sized,
{
    super::trace::command::<W>(tenant, id, command, ctx).handled(decide_and_append(
        store, tenant, workflow, id, command, ctx, retries,
    ))
}

/// [`execute`] inside its span.
#[allow(clippy::too_many_arguments)]
fn decide_and_append<W, S>(
    store: &S,
    tenant: &TenantId,
    workflow: &W,
    id: &CaseId,
    command: &W::Command,
    ctx: &Context<'_>,
    retries: u32,
) -> Result<Executed<W>, ExecuteError<W::Rejection>>
where
    W: EventSchema,
    W::Event: Serialize + DeserializeOwned,
    S: EventStore + ?Sized,
{
    let stream = StreamKey::of::<W>(tenant.clone(), id.clone()).map_err(JournalError::from)?;
    let at_micros = with_micros(ctx);
    let mut attempts: u32 = 0;
    loop {
        attempts = attempts.saturating_add(1);
        let (mut case, _) = load_anchored::<W, S>(store, &stream)?;
        let expected = case.version();
        let from = case.history().len();
        case.handle(workflow, command, &at_micros)
            .map_err(ExecuteError::Refused)?;
        let events = case.history()[from..]
            .iter()
            .map(|recorded| encode::<W>(&stream, recorded))
            .collect::<Result<Vec<_>, _>>()?;
        if events.is_empty() {
            let appended = Appended {
                version: expected,
                positions: 0..0,
                outcome: super::AppendOutcome::Recorded,
            };
            return Ok(Executed {
                case,
                appended,
                attempts,
                from,
            });
        }
        // The due index moves in the same transaction as the events.
        let due = super::DueUpdate::of(case.next_due().map(truncate_to_micros));
        match store.append_with_due(&stream, expected, &events, due) {
            Ok(appended) => {
                return Ok(Executed {
                    case,
                    appended,
                    attempts,
                    from,
                });
            }
            Err(e) if e.is_conflict() => {
                if attempts > retries {
                    return Err(ExecuteError::Contended { stream, attempts });
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
}
