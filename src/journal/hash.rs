//! The hash chain: [`EventHash`], the canonical form of a payload, and
//! [`verify_stream`].
//!
//! An event's hash is SHA-256 over a domain tag, the previous event's hash
//! (32 zero bytes for a stream's first event) and, each prefixed with its
//! length, the tenant, stream type, stream id, version, event id, event type,
//! schema version, the payload in canonical JSON (object keys sorted, no
//! whitespace), the actor, the correlation id and the occurred-at time in
//! microseconds. The global position and `recorded_at` are left out: the
//! store assigns them, and a stream keeps its hashes when it is copied to
//! another backend.

use std::fmt;
use std::io::Write as _;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::error::Breakage;
use super::{EventStore, JournalError, StoredEvent, StreamKey, to_micros};
use crate::id::{ActorId, CorrelationId, EventId};

/// A SHA-256 hash in a stream's chain. Displays as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventHash([u8; 32]);

impl EventHash {
    /// The hash a stream's first event is linked to: 32 zero bytes.
    pub const GENESIS: EventHash = EventHash([0; 32]);

    /// A hash from its 32 bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The hash's 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A hash from a byte slice, if it is 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; 32]>::try_from(bytes).ok().map(Self)
    }
}

impl fmt::Display for EventHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for EventHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventHash({self})")
    }
}

/// The columns of one event that its hash covers.
pub(crate) struct HashFields<'a> {
    pub(crate) stream: &'a StreamKey,
    pub(crate) version: u64,
    pub(crate) event_id: &'a EventId,
    pub(crate) event_type: &'a str,
    pub(crate) schema_version: u32,
    /// The payload in canonical JSON (see [`canonical_json`]).
    pub(crate) payload: &'a [u8],
    pub(crate) actor: &'a ActorId,
    pub(crate) correlation: Option<&'a CorrelationId>,
    /// Microseconds since the Unix epoch.
    pub(crate) occurred_at: i64,
}

impl<'a> HashFields<'a> {
    /// The hashed fields of a new event about to be stored at `version`,
    /// with its payload already in canonical JSON and its time in
    /// microseconds.
    pub(crate) fn of_new(
        stream: &'a StreamKey,
        version: u64,
        event: &'a super::NewEvent,
        payload: &'a [u8],
        occurred_at: i64,
    ) -> Self {
        HashFields {
            stream,
            version,
            event_id: &event.event_id,
            event_type: &event.event_type,
            schema_version: event.schema_version,
            payload,
            actor: &event.actor,
            correlation: event.correlation.as_ref(),
            occurred_at,
        }
    }
}

fn put(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_be_bytes());
    hasher.update(bytes);
}

impl HashFields<'_> {
    fn feed(&self, hasher: &mut Sha256, with_id: bool) {
        put(hasher, self.stream.tenant.as_str().as_bytes());
        put(hasher, self.stream.stream_type.as_str().as_bytes());
        put(hasher, self.stream.id.as_str().as_bytes());
        hasher.update(self.version.to_be_bytes());
        if with_id {
            put(hasher, self.event_id.as_str().as_bytes());
        }
        put(hasher, self.event_type.as_bytes());
        hasher.update(self.schema_version.to_be_bytes());
        put(hasher, self.payload);
        put(hasher, self.actor.as_str().as_bytes());
        match self.correlation {
            None => hasher.update([0u8]),
            Some(c) => {
                hasher.update([1u8]);
                put(hasher, c.as_str().as_bytes());
            }
        }
        hasher.update(self.occurred_at.to_be_bytes());
    }

    /// The hash of this event linked to `prev`.
    pub(crate) fn link(&self, prev: &EventHash) -> EventHash {
        let mut hasher = Sha256::new();
        hasher.update(b"grassroots.journal.event.v1\0");
        hasher.update(prev.0);
        self.feed(&mut hasher, true);
        EventHash(hasher.finalize().into())
    }
}

/// An event id derived from everything but the id itself: the same event at
/// the same place of the same stream always gets the same id, so a retried
/// append is recognised. 128 bits, as 32 hex digits.
pub(crate) fn derived_event_id(fields: &HashFields<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"grassroots.journal.event-id.v1\0");
    fields.feed(&mut hasher, false);
    let digest: [u8; 32] = hasher.finalize().into();
    let mut id = String::with_capacity(32);
    for byte in &digest[..16] {
        let _ = fmt::Write::write_fmt(&mut id, format_args!("{byte:02x}"));
    }
    id
}

/// Writes `value` as canonical JSON: object keys in byte order, no
/// whitespace, numbers as serde_json prints them (with `-0.0` as `0.0`).
/// The form survives a round trip through PostgreSQL's `jsonb`.
pub(crate) fn canonical_json(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if n.as_f64().is_some_and(|f| f == 0.0) && n.is_f64() {
                out.extend_from_slice(b"0.0");
            } else {
                let _ = write!(out, "{n}");
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical_json(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            let sorted = map
                .keys()
                .zip(map.keys().skip(1))
                .all(|(a, b)| a.as_bytes() < b.as_bytes());
            let write_entry = |i: usize, key: &str, value: &Value, out: &mut Vec<u8>| {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out);
                out.push(b':');
                canonical_json(value, out);
            };
            if sorted {
                for (i, (key, value)) in map.iter().enumerate() {
                    write_entry(i, key, value, out);
                }
            } else {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                for (i, (key, value)) in entries.into_iter().enumerate() {
                    write_entry(i, key, value, out);
                }
            }
            out.push(b'}');
        }
    }
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    // serde_json's own escaping; writing a str to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// What [`verify_stream`] found: an intact chain of `version` events ending
/// in `head`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The stream checked.
    pub stream: StreamKey,
    /// The number of events checked (the stream's version).
    pub version: u64,
    /// The last event's hash ([`EventHash::GENESIS`] for an empty stream).
    /// Keep it elsewhere to detect later truncation or a rewritten chain.
    pub head: EventHash,
}

/// Reads `stream` from `store` and checks its hash chain.
///
/// # Errors
///
/// - [`JournalError::Tampered`] naming the first broken version, the row's
///   global position and the kind of change;
/// - whatever [`EventStore::read_stream`] returns.
///
/// # Example
///
/// ```
/// use grassroots::journal::{EventStore, MemoryStore, NewEvent, StreamKey, verify_stream};
///
/// let store = MemoryStore::new();
/// let stream = StreamKey::new("longgang".parse()?, "ticket".parse()?, "T-1".parse()?);
/// let at = chrono::DateTime::from_timestamp(1_772_000_000, 0).unwrap();
/// let event = NewEvent::new("e-1".parse()?, "Opened", serde_json::json!({"Opened": {}}), "gw-7".parse()?, at);
/// store.append(&stream, 0, &[event])?;
///
/// let verified = verify_stream(&store, &stream)?;
/// assert_eq!(verified.version, 1);
/// assert_eq!(verified.head, store.read_stream(&stream, 0)?[0].hash);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_stream<S: EventStore + ?Sized>(
    store: &S,
    stream: &StreamKey,
) -> Result<Verified, JournalError> {
    let rows = store.read_stream(stream, 0)?;
    verify_rows(stream, &rows)
}

/// Checks the hash chain of `rows`, a whole stream read in version order.
///
/// # Errors
///
/// [`JournalError::Tampered`] naming the first broken version, the row's
/// global position and the kind of change.
pub fn verify_rows(stream: &StreamKey, rows: &[StoredEvent]) -> Result<Verified, JournalError> {
    let mut buf = Vec::with_capacity(256);
    let mut trusted = Vec::with_capacity(rows.len() + 1);
    trusted.push(EventHash::GENESIS);
    let tampered =
        |version: u64, position: Option<u64>, breakage: Breakage| JournalError::Tampered {
            stream: stream.clone(),
            version,
            position,
            breakage,
        };
    for (i, row) in rows.iter().enumerate() {
        let slot = i as u64 + 1;
        if row.version > slot {
            return Err(tampered(slot, None, Breakage::Removed));
        }
        if row.version < slot {
            let breakage = if i > 0 && rows[i - 1].version == row.version {
                Breakage::Inserted
            } else {
                Breakage::Reordered
            };
            return Err(tampered(row.version, Some(row.position), breakage));
        }
        if !links(&trusted[i], row, slot, &mut buf) {
            let (version, position, breakage) = classify(rows, i, &trusted, &mut buf);
            return Err(tampered(version, position, breakage));
        }
        if i > 0 && row.position <= rows[i - 1].position {
            return Err(tampered(slot, Some(row.position), Breakage::Reordered));
        }
        trusted.push(row.hash);
    }
    Ok(Verified {
        stream: stream.clone(),
        version: rows.len() as u64,
        head: trusted.last().copied().unwrap_or(EventHash::GENESIS),
    })
}

/// Whether `row`, placed at `version` after an event hashed `prev`, hashes to
/// its stored hash.
fn links(prev: &EventHash, row: &StoredEvent, version: u64, buf: &mut Vec<u8>) -> bool {
    buf.clear();
    canonical_json(&row.payload, buf);
    let fields = HashFields {
        stream: &row.stream,
        version,
        event_id: &row.event_id,
        event_type: &row.event_type,
        schema_version: row.schema_version,
        payload: buf,
        actor: &row.actor,
        correlation: row.correlation.as_ref(),
        occurred_at: to_micros(row.occurred_at),
    };
    fields.link(prev) == row.hash
}

/// How many renumbered versions to look past when telling a removal that
/// closed its gap from a changed event.
const MAX_RENUMBERED: u64 = 16;

/// Explains why `rows[i]` does not link to the trusted chain before it:
/// returns the first bad version, the position of the row there, and the
/// kind of change.
fn classify(
    rows: &[StoredEvent],
    i: usize,
    trusted: &[EventHash],
    buf: &mut Vec<u8>,
) -> (u64, Option<u64>, Breakage) {
    let slot = i as u64 + 1;
    let prev = trusted[i];
    let here = Some(rows[i].position);
    // The event recorded at this version stands later in the stream.
    if let Some(s) = (i + 1..rows.len()).find(|&s| links(&prev, &rows[s], slot, buf)) {
        // Swapped: the row here is the recorded event of the other place.
        let other_prev = if s - 1 == i {
            rows[s].hash
        } else {
            rows[s - 1].hash
        };
        let breakage = if links(&other_prev, &rows[i], s as u64 + 1, buf) {
            Breakage::Reordered
        } else {
            Breakage::Inserted
        };
        return (slot, here, breakage);
    }
    // The row here is a recorded event of an earlier version: the rows
    // between were inserted (with hashes that link).
    if let Some(j) = (0..i)
        .rev()
        .find(|&j| links(&trusted[j], &rows[i], j as u64 + 1, buf))
    {
        return (j as u64 + 1, Some(rows[j].position), Breakage::Inserted);
    }
    // The next row follows this one when numbered higher: events were removed
    // and the later ones renumbered to close the gap.
    if let Some(next) = rows.get(i + 1) {
        let renumbered =
            (1..=MAX_RENUMBERED).any(|k| links(&rows[i].hash, next, next.version + k, buf));
        if renumbered {
            return (slot, here, Breakage::Removed);
        }
    }
    (slot, here, Breakage::Changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canonical(value: &Value) -> String {
        let mut out = Vec::new();
        canonical_json(value, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn canonical_json_sorts_keys_and_drops_whitespace() {
        let value: Value =
            serde_json::from_str(r#"{ "b": [1, 2.5, "x\"y"], "a": {"d": null, "c": true} }"#)
                .unwrap();
        assert_eq!(
            canonical(&value),
            r#"{"a":{"c":true,"d":null},"b":[1,2.5,"x\"y"]}"#
        );
    }

    #[test]
    fn canonical_json_writes_negative_zero_as_zero() {
        assert_eq!(canonical(&json!(-0.0)), "0.0");
        assert_eq!(canonical(&json!(0)), "0");
        assert_eq!(canonical(&json!(1e300)), canonical(&json!(1e300)));
    }

    #[test]
    fn canonical_json_parses_back_to_the_same_value() {
        let value = json!({"z": [1, -2, 3.25, u64::MAX], "é": "中文\n", "a": {}});
        let text = canonical(&value);
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
    }

    #[test]
    fn hashes_display_as_hex() {
        let mut bytes = [0u8; 32];
        bytes[0] = 0xab;
        bytes[31] = 0x01;
        let hash = EventHash::from_bytes(bytes);
        let hex = hash.to_string();
        assert_eq!(hex.len(), 64);
        assert!(hex.starts_with("ab00"));
        assert!(hex.ends_with("01"));
        assert_eq!(EventHash::from_slice(&bytes), Some(hash));
        assert_eq!(EventHash::from_slice(&bytes[1..]), None);
    }
}
