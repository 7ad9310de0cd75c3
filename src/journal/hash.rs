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

use super::error::{Breakage, PayloadLimit};
use super::{
    EventStore, JournalError, MAX_PAYLOAD_BYTES, MAX_PAYLOAD_DEPTH, StoredEvent, StreamHead,
    StreamKey, to_micros,
};
use crate::id::{ActorId, CorrelationId, EventId, IdError};

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

/// Gathers a hash's small pieces on the stack and hands them to SHA-256 a
/// buffer at a time: an update costs far more than copying a few bytes.
struct Gather<'h> {
    hasher: &'h mut Sha256,
    buf: [u8; 256],
    len: usize,
}

impl<'h> Gather<'h> {
    fn new(hasher: &'h mut Sha256) -> Self {
        Self {
            hasher,
            buf: [0; 256],
            len: 0,
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        if bytes.len() > self.buf.len() - self.len {
            self.flush();
            if bytes.len() > self.buf.len() / 2 {
                // Long (a payload): hashed where it lies.
                self.hasher.update(bytes);
                return;
            }
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    /// `bytes` prefixed with their length.
    fn put(&mut self, bytes: &[u8]) {
        self.write(&(bytes.len() as u64).to_be_bytes());
        self.write(bytes);
    }

    fn flush(&mut self) {
        self.hasher.update(&self.buf[..self.len]);
        self.len = 0;
    }
}

impl HashFields<'_> {
    /// Feeds `tag`, `prev` (if any) and the fields to `hasher`, in the
    /// documented order.
    fn feed(&self, hasher: &mut Sha256, tag: &[u8], prev: Option<&EventHash>, with_id: bool) {
        let mut out = Gather::new(hasher);
        out.write(tag);
        if let Some(prev) = prev {
            out.write(&prev.0);
        }
        out.put(self.stream.tenant.as_str().as_bytes());
        out.put(self.stream.stream_type.as_str().as_bytes());
        out.put(self.stream.id.as_str().as_bytes());
        out.write(&self.version.to_be_bytes());
        if with_id {
            out.put(self.event_id.as_str().as_bytes());
        }
        out.put(self.event_type.as_bytes());
        out.write(&self.schema_version.to_be_bytes());
        out.put(self.payload);
        out.put(self.actor.as_str().as_bytes());
        match self.correlation {
            None => out.write(&[0u8]),
            Some(c) => {
                out.write(&[1u8]);
                out.put(c.as_str().as_bytes());
            }
        }
        out.write(&self.occurred_at.to_be_bytes());
        out.flush();
    }

    /// The hash of this event linked to `prev`.
    pub(crate) fn link(&self, prev: &EventHash) -> EventHash {
        let mut hasher = Sha256::new();
        self.feed(
            &mut hasher,
            b"grassroots.journal.event.v1\0",
            Some(prev),
            true,
        );
        EventHash(hasher.finalize().into())
    }
}

/// An event id derived from everything but the id itself: the same event at
/// the same place of the same stream always gets the same id, so a retried
/// append is recognised. 128 bits, as 32 hex digits: the event's time in
/// microseconds (16 digits, ordered as the times are) and 64 bits of the
/// hash of its fields.
///
/// Time first, so ids recorded together sort together: a store's unique
/// index of event ids takes new ids at its newest end, in pages that stay
/// in cache, however many events it already holds — with the hash alone,
/// every insert landed at a random leaf of the whole index (the sweep
/// beside 10,000,000 closed cases, DESIGN.md "Event ids in time order").
/// Two events share an id only if they share the microsecond and 64 bits
/// of hash; a store refuses such an append rather than take one for the
/// other.
pub(crate) fn derived_event_id(fields: &HashFields<'_>) -> Result<EventId, IdError> {
    let mut hasher = Sha256::new();
    fields.feed(
        &mut hasher,
        b"grassroots.journal.event-id.v2\0",
        None,
        false,
    );
    let digest: [u8; 32] = hasher.finalize().into();
    // The sign bit flipped: times before 1970 sort before later ones.
    let time = (fields.occurred_at as u64 ^ (1 << 63)).to_be_bytes();
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // Written on the stack: the id is built with one allocation.
    let mut id = [0u8; 32];
    for (i, &byte) in time.iter().chain(&digest[..8]).enumerate() {
        id[2 * i] = HEX[usize::from(byte >> 4)];
        id[2 * i + 1] = HEX[usize::from(byte & 0xf)];
    }
    // Hex digits are ASCII: never the empty string `EventId` refuses.
    EventId::new(std::str::from_utf8(&id).unwrap_or_default())
}

/// The deepest nesting [`canonical_json`] follows when it checks a stored
/// row: serde_json refuses to parse text nested 128 deep, so no row read
/// from text is deeper.
pub(crate) const READ_DEPTH: usize = 128;

/// What writing canonical JSON noticed on the way.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Written {
    /// Whether a string or key holds U+0000.
    pub(crate) nul: bool,
}

/// Writes `value` as canonical JSON: object keys in byte order, no
/// whitespace, numbers as serde_json prints them (with `-0.0` as `0.0`).
/// The form survives a round trip through PostgreSQL's `jsonb`.
///
/// Arrays and objects nested deeper than `max_depth` are refused (a bare
/// scalar is depth 0, `[1]` depth 1), so the recursion is bounded whatever
/// the value: it never overflows the stack. On an error `out` holds a
/// partial write.
pub(crate) fn canonical_json(
    value: &Value,
    max_depth: usize,
    out: &mut Vec<u8>,
) -> Result<Written, PayloadLimit> {
    let mut written = Written::default();
    write_value(value, max_depth, max_depth, out, &mut written)?;
    Ok(written)
}

/// Writes an event's payload as canonical JSON for an append, refusing what
/// the store could not read back on every backend: nesting deeper than
/// [`MAX_PAYLOAD_DEPTH`], more than [`MAX_PAYLOAD_BYTES`] of canonical JSON,
/// or U+0000 in a string.
pub(crate) fn canonical_payload(value: &Value, out: &mut Vec<u8>) -> Result<(), PayloadLimit> {
    let start = out.len();
    let written = canonical_json(value, MAX_PAYLOAD_DEPTH, out)?;
    let bytes = out.len() - start;
    if bytes > MAX_PAYLOAD_BYTES {
        return Err(PayloadLimit::TooLarge {
            bytes,
            max: MAX_PAYLOAD_BYTES,
        });
    }
    if written.nul {
        return Err(PayloadLimit::NulCharacter);
    }
    Ok(())
}

/// Writes `value`, allowed `depth_left` more levels of nesting out of
/// `max_depth`.
fn write_value(
    value: &Value,
    depth_left: usize,
    max_depth: usize,
    out: &mut Vec<u8>,
    written: &mut Written,
) -> Result<(), PayloadLimit> {
    let too_deep = || PayloadLimit::TooDeep { max: max_depth };
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
        Value::String(s) => write_string(s, out, written),
        Value::Array(items) => {
            let inner = depth_left.checked_sub(1).ok_or_else(too_deep)?;
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, inner, max_depth, out, written)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let inner = depth_left.checked_sub(1).ok_or_else(too_deep)?;
            out.push(b'{');
            // serde_json's map keeps its keys sorted (unless a crate turns
            // on its `preserve_order`): written as they come in one pass,
            // with no list to sort (an allocation per object), checking the
            // order on the way. Keys out of order are written again,
            // sorted. (A partial write's error, too deep, is the one the
            // sorted write would meet; its strings are among the map's.)
            let start = out.len();
            if !write_entries(map.iter(), true, inner, max_depth, out, written)? {
                out.truncate(start);
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                write_entries(entries.into_iter(), false, inner, max_depth, out, written)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// Writes an object's `entries`, in the order given, as `"key":value`
/// pairs separated by commas. With `check_order`, stops at the first key
/// not after the one before it and returns `false` (a partial write).
fn write_entries<'v>(
    entries: impl Iterator<Item = (&'v String, &'v Value)>,
    check_order: bool,
    depth_left: usize,
    max_depth: usize,
    out: &mut Vec<u8>,
    written: &mut Written,
) -> Result<bool, PayloadLimit> {
    let mut last: Option<&str> = None;
    for (i, (key, value)) in entries.enumerate() {
        if check_order {
            if last.is_some_and(|last| last.as_bytes() >= key.as_bytes()) {
                return Ok(false);
            }
            last = Some(key);
        }
        if i > 0 {
            out.push(b',');
        }
        write_string(key, out, written);
        out.push(b':');
        write_value(value, depth_left, max_depth, out, written)?;
    }
    Ok(true)
}

fn write_string(s: &str, out: &mut Vec<u8>, written: &mut Written) {
    // serde_json escapes only `"`, `\` and the controls below U+0020 (U+0000
    // among them): a string with none of them is written as it is, in the
    // same bytes serde_json would write.
    if !needs_escape(s.as_bytes()) {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return;
    }
    written.nul |= s.contains('\0');
    // serde_json's own escaping; writing a str to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Whether `bytes` hold one that serde_json escapes in a string: `"`, `\`
/// or a control below U+0020. Eight bytes at a time: a word has a byte
/// below `n` (`n` at most 128) exactly when `(x - n·0x01…) & !x & 0x80…`
/// is not zero, and a byte equal to `c` when `x ^ c·0x01…` has a zero byte.
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH != 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        if below(x, 0x20) || below(x ^ (ONES * 0x22), 1) || below(x ^ (ONES * 0x5C), 1) {
            return true;
        }
    }
    // The last bytes padded with spaces, which need no escape.
    let rest = chunks.remainder();
    let mut word = [b' '; 8];
    word[..rest.len()].copy_from_slice(rest);
    let x = u64::from_le_bytes(word);
    below(x, 0x20) || below(x ^ (ONES * 0x22), 1) || below(x ^ (ONES * 0x5C), 1)
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
/// The chain shows that the rows are the ones recorded, in order, unchanged;
/// not that they decode as a workflow's events or replay. Rows appended
/// through [`EventStore::append`] with a payload no workflow accepts verify
/// and then fail [`load`](super::load) with [`JournalError::Decode`].
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
    if let Some(verified) = verify_text(store, stream)? {
        return Ok(verified);
    }
    let rows = store.read_stream(stream, 0)?;
    verify_rows(stream, &rows)
}

/// The chain checked over the text a store keeps, where it lends it
/// ([`EventStore::read_anchored_stream_text_with`]), the text links and
/// reaches the anchor lent beside it: the text is what was hashed, so no
/// payload is parsed. `None` when the store lends no text or the text does
/// not settle it; the parsed rows then say what is wrong (or that nothing
/// is, for [`verify_stream`], which asks nothing of the anchor).
fn verify_text<S: EventStore + ?Sized>(
    store: &S,
    stream: &StreamKey,
) -> Result<Option<Verified>, JournalError> {
    let mut verified = None;
    let lent = store.read_anchored_stream_text_with(stream, &mut |anchor, rows| {
        verified = verify_text_rows(stream, rows, anchor).map(|head| Verified {
            stream: stream.clone(),
            version: rows.len() as u64,
            head,
        });
    })?;
    Ok(if lent { verified } else { None })
}

/// Reads `stream` from `store`, checks its hash chain, and checks it against
/// the stream's anchor (see the module docs, "Anchors"): rows cut off after
/// the anchor was written are found here, which the chain alone cannot
/// show.
///
/// The anchor is read before the rows, so an append by another writer in
/// between is not mistaken for tampering (rows only grow); rows after the
/// anchored version are checked by the chain only.
///
/// # Errors
///
/// - [`JournalError::Truncated`] naming the stream, the anchored version
///   and the version the rows reach, when rows were cut off;
/// - [`JournalError::AnchorMismatch`] when the event at the anchored version
///   is not the anchored one;
/// - everything [`verify_stream`] returns.
///
/// # Example
///
/// ```
/// use grassroots::journal::{EventStore, MemoryStore, NewEvent, StreamKey, verify_anchored};
///
/// let store = MemoryStore::new();
/// let stream = StreamKey::new("longgang".parse()?, "ticket".parse()?, "T-1".parse()?);
/// let at = chrono::DateTime::from_timestamp(1_772_000_000, 0).unwrap();
/// let event = NewEvent::new("e-1".parse()?, "Opened", serde_json::json!("Opened"), "gw-7".parse()?, at);
/// store.append(&stream, 0, &[event])?;
///
/// let verified = verify_anchored(&store, &stream)?;
/// assert_eq!(store.anchor(&stream)?.map(|head| head.hash), Some(verified.head));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_anchored<S: EventStore + ?Sized>(
    store: &S,
    stream: &StreamKey,
) -> Result<Verified, JournalError> {
    if let Some(verified) = verify_text(store, stream)? {
        return Ok(verified);
    }
    let anchor = store.anchor(stream)?;
    let rows = store.read_stream(stream, 0)?;
    let verified = verify_rows(stream, &rows)?;
    rows_reach_anchor(stream, &rows, anchor)?;
    Ok(verified)
}

/// Checks that `rows`, a whole stream with an intact chain read after its
/// anchor, still hold the anchored event.
pub(crate) fn rows_reach_anchor(
    stream: &StreamKey,
    rows: &[StoredEvent],
    anchor: Option<StreamHead>,
) -> Result<(), JournalError> {
    let Some(anchor) = anchor.filter(|a| a.version > 0) else {
        return Ok(());
    };
    let found = rows.len() as u64;
    let at = usize::try_from(anchor.version - 1)
        .ok()
        .and_then(|i| rows.get(i));
    match at {
        None => Err(JournalError::Truncated {
            stream: stream.clone(),
            anchored: anchor.version,
            found,
        }),
        Some(row) if row.hash != anchor.hash => Err(JournalError::AnchorMismatch {
            stream: stream.clone(),
            anchored: anchor.version,
            found,
        }),
        Some(_) => Ok(()),
    }
}

/// The head of `rows`, a whole stream lent as text
/// ([`EventStore::read_anchored_stream_text_with`](super::EventStore::read_anchored_stream_text_with)),
/// if every row is at its place, links to the one before over its
/// payload's text, follows it in position, and the rows reach `anchor`;
/// `None` otherwise, for [`verify_rows`] and [`rows_reach_anchor`] to tell
/// what is wrong from the parsed rows.
///
/// The text is hashed as it is: text a store wrote is the canonical form
/// it hashed, and a row whose text is not (changed behind the store's back)
/// does not link.
pub(crate) fn verify_text_rows(
    stream: &StreamKey,
    rows: &[super::StoredText<'_>],
    anchor: Option<StreamHead>,
) -> Option<EventHash> {
    let mut prev = EventHash::GENESIS;
    let mut position = 0;
    for (i, row) in rows.iter().enumerate() {
        if row.version != i as u64 + 1 || (i > 0 && row.position <= position) {
            return None;
        }
        let fields = HashFields {
            stream,
            version: row.version,
            event_id: row.event_id,
            event_type: row.event_type,
            schema_version: row.schema_version,
            payload: row.payload.as_bytes(),
            actor: row.actor,
            correlation: row.correlation,
            occurred_at: to_micros(row.occurred_at),
        };
        if fields.link(&prev) != row.hash {
            return None;
        }
        prev = row.hash;
        position = row.position;
    }
    if let Some(anchor) = anchor.filter(|a| a.version > 0) {
        let at = usize::try_from(anchor.version - 1).ok()?;
        if rows.get(at)?.hash != anchor.hash {
            return None;
        }
    }
    Some(prev)
}

/// Checks the hash chain of `rows`, a whole stream read in version order.
///
/// # Errors
///
/// [`JournalError::Tampered`] naming the first broken version, the row's
/// global position and the kind of change.
pub fn verify_rows(stream: &StreamKey, rows: &[StoredEvent]) -> Result<Verified, JournalError> {
    let mut buf = Vec::with_capacity(256);
    // The hash each row must link to: the last verified row's.
    let mut prev = EventHash::GENESIS;
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
        if !links(&prev, row, slot, &mut buf) {
            // The rows before `i` all verified: each links to the hash of
            // the one before it.
            let trusted: Vec<EventHash> = std::iter::once(EventHash::GENESIS)
                .chain(rows[..i].iter().map(|r| r.hash))
                .collect();
            let (version, position, breakage) = classify(rows, i, &trusted, &mut buf);
            return Err(tampered(version, position, breakage));
        }
        if i > 0 && row.position <= rows[i - 1].position {
            return Err(tampered(slot, Some(row.position), Breakage::Reordered));
        }
        prev = row.hash;
    }
    Ok(Verified {
        stream: stream.clone(),
        version: rows.len() as u64,
        head: prev,
    })
}

/// Checks that `rows`, read after version `from` of a stream whose event at
/// `from` hashes to `prev` (a head verified earlier), continue its chain:
/// versions `from + 1 ..` in order, each linked to the one before. Returns
/// the new head. For the journal's cache, which verifies only what it has
/// not seen.
pub(crate) fn verify_continuation(
    stream: &StreamKey,
    from: u64,
    prev: EventHash,
    rows: &[StoredEvent],
) -> Result<EventHash, JournalError> {
    let mut buf = Vec::with_capacity(256);
    let mut head = prev;
    for (i, row) in rows.iter().enumerate() {
        let slot = from + 1 + i as u64;
        let breakage = if row.version > slot {
            Some(Breakage::Removed)
        } else if row.version < slot {
            Some(Breakage::Reordered)
        } else if !links(&head, row, slot, &mut buf) {
            Some(Breakage::Changed)
        } else {
            None
        };
        if let Some(breakage) = breakage {
            return Err(JournalError::Tampered {
                stream: stream.clone(),
                version: slot,
                position: Some(row.position),
                breakage,
            });
        }
        head = row.hash;
    }
    Ok(head)
}

/// Whether `row`, placed at `version` after an event hashed `prev`, hashes to
/// its stored hash.
fn links(prev: &EventHash, row: &StoredEvent, version: u64, buf: &mut Vec<u8>) -> bool {
    buf.clear();
    if canonical_json(&row.payload, READ_DEPTH, buf).is_err() {
        // Deeper than any row read from text: it cannot be what was hashed.
        return false;
    }
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
        canonical_json(value, READ_DEPTH, &mut out).unwrap();
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
    fn canonical_strings_are_escaped_exactly_as_serde_json_escapes_them() {
        // Every character up to U+00FF and a few beyond, alone and inside
        // plain text: the plain-string fast path and serde_json's escaping
        // must give the same bytes, or stored hashes would change.
        let chars = (0u32..=0xFF)
            .chain([0x2028, 0x2029, 0xFEFF, 0x4E2D, 0x1F600])
            .filter_map(char::from_u32);
        for c in chars {
            let mut texts = vec![c.to_string(), format!("T-00{c}12"), format!("{c}{c}")];
            // Every place in and around two eight-byte words.
            texts.extend((0..=18).map(|at| {
                let mut text = "2026-03-02T13:00:00".to_owned();
                text.insert(at, c);
                text
            }));
            for s in texts {
                let mut out = Vec::new();
                let mut written = Written::default();
                write_string(&s, &mut out, &mut written);
                assert_eq!(out, serde_json::to_vec(&s).unwrap(), "{s:?}");
                assert_eq!(written.nul, c == '\0', "{s:?}");
            }
        }
    }

    /// `[[...[null]...]]`, `depth` arrays deep, built without recursion.
    fn nested(depth: usize) -> Value {
        let mut value = Value::Null;
        for _ in 0..depth {
            value = Value::Array(vec![value]);
        }
        value
    }

    /// Drops a deep value one level at a time (serde_json's drop recurses).
    fn dismantle(mut value: Value) {
        while let Value::Array(mut items) = value {
            value = items.pop().unwrap_or(Value::Null);
        }
    }

    #[test]
    fn canonical_json_of_a_payload_10_000_deep_is_an_error_on_a_small_stack() {
        let deep = nested(10_000);
        let result = std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn_scoped(scope, || {
                    let mut out = Vec::new();
                    let read = canonical_json(&deep, READ_DEPTH, &mut out).map(|_| ());
                    out.clear();
                    (read, canonical_payload(&deep, &mut out))
                })
                .unwrap()
                .join()
                .unwrap()
        });
        assert_eq!(result.0, Err(PayloadLimit::TooDeep { max: READ_DEPTH }));
        assert_eq!(
            result.1,
            Err(PayloadLimit::TooDeep {
                max: MAX_PAYLOAD_DEPTH
            })
        );
        dismantle(deep);
    }

    #[test]
    fn canonical_payloads_stop_at_the_depth_limit_exactly() {
        let mut out = Vec::new();
        let deepest = nested(MAX_PAYLOAD_DEPTH);
        assert_eq!(canonical_payload(&deepest, &mut out), Ok(()));
        let object = serde_json::json!({"a": nested(MAX_PAYLOAD_DEPTH - 1)});
        assert_eq!(canonical_payload(&object, &mut out), Ok(()));
        let too_deep = serde_json::json!({"a": nested(MAX_PAYLOAD_DEPTH)});
        assert_eq!(
            canonical_payload(&too_deep, &mut out),
            Err(PayloadLimit::TooDeep {
                max: MAX_PAYLOAD_DEPTH
            })
        );
        // A stored row nested 127 deep (serde_json's most) still verifies.
        assert!(canonical_json(&nested(127), READ_DEPTH, &mut out).is_ok());
    }

    /// The hash as the module docs lay it out, one `update` per piece
    /// (`prev`: a link; `None`: a derived event id, without the id).
    fn hash_piece_by_piece(fields: &HashFields<'_>, prev: Option<&EventHash>) -> [u8; 32] {
        let put = |hasher: &mut Sha256, bytes: &[u8]| {
            hasher.update((bytes.len() as u64).to_be_bytes());
            hasher.update(bytes);
        };
        let mut hasher = Sha256::new();
        match prev {
            Some(prev) => {
                hasher.update(b"grassroots.journal.event.v1\0");
                hasher.update(prev.0);
            }
            None => hasher.update(b"grassroots.journal.event-id.v2\0"),
        }
        put(&mut hasher, fields.stream.tenant.as_str().as_bytes());
        put(&mut hasher, fields.stream.stream_type.as_str().as_bytes());
        put(&mut hasher, fields.stream.id.as_str().as_bytes());
        hasher.update(fields.version.to_be_bytes());
        if prev.is_some() {
            put(&mut hasher, fields.event_id.as_str().as_bytes());
        }
        put(&mut hasher, fields.event_type.as_bytes());
        hasher.update(fields.schema_version.to_be_bytes());
        put(&mut hasher, fields.payload);
        put(&mut hasher, fields.actor.as_str().as_bytes());
        match fields.correlation {
            None => hasher.update([0u8]),
            Some(c) => {
                hasher.update([1u8]);
                put(&mut hasher, c.as_str().as_bytes());
            }
        }
        hasher.update(fields.occurred_at.to_be_bytes());
        hasher.finalize().into()
    }

    #[test]
    fn an_events_hash_and_derived_id_cover_its_fields_in_the_documented_order() {
        let stream = StreamKey::new(
            "longgang".parse().unwrap(),
            "ticket".parse().unwrap(),
            "T-1".parse().unwrap(),
        );
        let event_id: EventId = "e-1".parse().unwrap();
        let actor: ActorId = "clerk-li".parse().unwrap();
        let correlation: CorrelationId = "req-9".parse().unwrap();
        let prev = EventHash::from_bytes([7; 32]);
        for size in [0, 1, 100, 400, 500, 511, 512, 513, 2000] {
            let payload = vec![b'x'; size];
            for correlation in [None, Some(&correlation)] {
                let fields = HashFields {
                    stream: &stream,
                    version: 3,
                    event_id: &event_id,
                    event_type: "Noted",
                    schema_version: 2,
                    payload: &payload,
                    actor: &actor,
                    correlation,
                    occurred_at: 1_772_000_000_000_000,
                };
                assert_eq!(
                    fields.link(&prev).0,
                    hash_piece_by_piece(&fields, Some(&prev)),
                    "payload of {size} bytes"
                );
                // The time (sign bit flipped), then half the hash.
                let id: String = format!("{:016x}", 1_772_000_000_000_000u64 | (1 << 63))
                    + &hash_piece_by_piece(&fields, None)[..8]
                        .iter()
                        .map(|byte| format!("{byte:02x}"))
                        .collect::<String>();
                assert_eq!(
                    derived_event_id(&fields).unwrap().as_str(),
                    id,
                    "payload of {size} bytes"
                );
            }
        }
    }

    /// Derived ids sort as the events' times do (before 1970 too), so a
    /// store's index of ids takes new ones at its newest end; events of
    /// the same microsecond differ by their hash.
    #[test]
    fn derived_event_ids_sort_by_the_events_time() {
        let stream = StreamKey::new(
            "longgang".parse().unwrap(),
            "ticket".parse().unwrap(),
            "T-1".parse().unwrap(),
        );
        let placeholder: EventId = "-".parse().unwrap();
        let actor: ActorId = "clerk-li".parse().unwrap();
        let id = |occurred_at: i64, version: u64| {
            derived_event_id(&HashFields {
                stream: &stream,
                version,
                event_id: &placeholder,
                event_type: "Noted",
                schema_version: 1,
                payload: b"{}",
                actor: &actor,
                correlation: None,
                occurred_at,
            })
            .unwrap()
        };
        let times = [
            i64::MIN,
            -62_135_596_800_000_000,
            -1,
            0,
            1,
            1_772_000_000_000_000,
            1_772_000_000_000_001,
            253_402_300_799_999_999,
            i64::MAX,
        ];
        let ids: Vec<EventId> = times.iter().map(|&t| id(t, 1)).collect();
        assert!(
            ids.windows(2).all(|w| w[0].as_str() < w[1].as_str()),
            "{ids:?}"
        );
        assert!(ids.iter().all(|id| id.as_str().len() == 32));
        assert_eq!(id(5, 1), id(5, 1), "the same event, the same id");
        assert_ne!(id(5, 1), id(5, 2));
        assert_eq!(id(5, 1).as_str()[..16], id(5, 2).as_str()[..16]);
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
