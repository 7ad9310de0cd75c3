#![allow(unreachable_pub, dead_code)]
//! A small hand-written `tracing` subscriber for the tests: it keeps every
//! span's name, its fields (as text, with those recorded after it opened)
//! and the name of the span it opened inside on its thread. It needs no
//! crate beyond `tracing` itself.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use tracing_core::span::Current;

/// One span as the subscriber saw it: its name, its fields as text, and
/// the name of the span it opened inside, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub name: &'static str,
    pub fields: BTreeMap<&'static str, String>,
    pub parent: Option<&'static str>,
}

impl Seen {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// Keeps every span, with the fields recorded after it opened too.
#[derive(Clone, Default)]
pub struct Capture {
    spans: Arc<Mutex<BTreeMap<u64, Seen>>>,
    next: Arc<AtomicU64>,
    /// The spans each thread is inside, innermost last.
    current: Arc<Mutex<HashMap<ThreadId, Vec<u64>>>>,
    /// Each span's metadata, for [`Subscriber::current_span`].
    metadata: Arc<Mutex<HashMap<u64, &'static Metadata<'static>>>>,
}

impl Capture {
    pub fn spans(&self) -> Vec<Seen> {
        self.spans.lock().unwrap().values().cloned().collect()
    }

    pub fn named(&self, name: &str) -> Vec<Seen> {
        self.spans()
            .into_iter()
            .filter(|s| s.name == name)
            .collect()
    }
}

struct Fields<'a>(&'a mut BTreeMap<&'static str, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name(), value.to_owned());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name(), value.to_string());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let mut fields = BTreeMap::new();
        attributes.record(&mut Fields(&mut fields));
        let spans = &mut *self.spans.lock().unwrap();
        let parent = self
            .current
            .lock()
            .unwrap()
            .get(&thread::current().id())
            .and_then(|stack| stack.last())
            .and_then(|p| spans.get(p))
            .map(|p| p.name);
        let seen = Seen {
            name: attributes.metadata().name(),
            fields,
            parent,
        };
        spans.insert(id, seen);
        self.metadata
            .lock()
            .unwrap()
            .insert(id, attributes.metadata());
        Id::from_u64(id)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        if let Some(seen) = self.spans.lock().unwrap().get_mut(&span.into_u64()) {
            values.record(&mut Fields(&mut seen.fields));
        }
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, span: &Id) {
        let mut current = self.current.lock().unwrap();
        let stack = current.entry(thread::current().id()).or_default();
        stack.push(span.into_u64());
    }
    fn exit(&self, span: &Id) {
        let mut current = self.current.lock().unwrap();
        let stack = current.entry(thread::current().id()).or_default();
        if stack.last() == Some(&span.into_u64()) {
            stack.pop();
        }
    }
    /// What `tracing::Span::current()` answers: the innermost span this
    /// thread is inside.
    fn current_span(&self) -> Current {
        let current = self.current.lock().unwrap();
        let Some(&id) = current
            .get(&thread::current().id())
            .and_then(|stack| stack.last())
        else {
            return Current::none();
        };
        match self.metadata.lock().unwrap().get(&id) {
            Some(metadata) => Current::new(Id::from_u64(id), metadata),
            None => Current::none(),
        }
    }
}
