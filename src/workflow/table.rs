//! Declared transition tables and the diagrams drawn from them.

use std::any::TypeId;
use std::cell::Cell;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{OnceLock, PoisonError, RwLock};

use serde::Serialize;

use super::{EventKindOf, HasKind, Kind, StateKindOf, Workflow};

/// One row of a workflow's transition table: in a state of kind `from`, an
/// event of kind `event` leads to a state of kind `to`.
///
/// Kinds are typed ([`Kind`]): a table of the wrong workflow, or a row naming
/// a kind that does not exist, does not compile. A table is a `const` slice:
///
/// ```
/// # use grassroots::workflow::{HasKind, Transition};
/// # #[derive(HasKind)] enum State { New, Open }
/// # #[derive(HasKind)] enum Event { Opened }
/// const TABLE: &[Transition<StateKind, EventKind>] = &[
///     Transition::new(StateKind::New, EventKind::Opened, StateKind::Open),
/// ];
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Transition<S, E> {
    /// The kind of state the event applies to.
    pub from: S,
    /// The kind of event.
    pub event: E,
    /// The kind of state it leads to.
    pub to: S,
}

impl<S, E> Transition<S, E> {
    /// A table row; `const`, so a table can be a `const` slice.
    pub const fn new(from: S, event: E, to: S) -> Self {
        Self { from, event, to }
    }
}

impl<S: Kind, E: Kind> Serialize for Transition<S, E> {
    fn serialize<Ser: serde::Serializer>(&self, s: Ser) -> Result<Ser::Ok, Ser::Error> {
        use serde::ser::SerializeStruct as _;
        let mut row = s.serialize_struct("Transition", 3)?;
        row.serialize_field("from", &self.from.name())?;
        row.serialize_field("event", &self.event.name())?;
        row.serialize_field("to", &self.to.name())?;
        row.end()
    }
}

/// The row type of `W`'s transition table.
pub type TransitionOf<W> = Transition<StateKindOf<W>, EventKindOf<W>>;

/// Whether `W`'s table declares the transition `from --event--> to`.
pub fn is_declared<W: Workflow>(
    from: StateKindOf<W>,
    event: EventKindOf<W>,
    to: StateKindOf<W>,
) -> bool {
    W::transitions()
        .iter()
        .any(|t| t.from == from && t.event == event && t.to == to)
}

/// The kinds of state in `W`'s table: the initial state's kind first, then
/// the others in order of first appearance.
pub fn state_kinds<W: Workflow>() -> Vec<StateKindOf<W>> {
    let mut kinds = vec![W::initial().kind()];
    for t in W::transitions() {
        for k in [t.from, t.to] {
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
    }
    kinds
}

/// The kinds of state with no way out: those the table never leaves.
pub fn final_kinds<W: Workflow>() -> Vec<StateKindOf<W>> {
    let left: BTreeSet<StateKindOf<W>> = W::transitions().iter().map(|t| t.from).collect();
    state_kinds::<W>()
        .into_iter()
        .filter(|k| !left.contains(k))
        .collect()
}

/// Draws `W`'s transition table as a Mermaid `stateDiagram-v2`.
///
/// Transitions between the same two states are merged into one arrow whose
/// label lists the events. States the table never leaves point to `[*]`.
///
/// ```
/// # use grassroots::workflow::{mermaid, Workflow};
/// # fn show<W: Workflow>() {
/// let diagram: String = mermaid::<W>();
/// assert!(diagram.starts_with("stateDiagram-v2"));
/// # }
/// ```
pub fn mermaid<W: Workflow>() -> String {
    let mut out = String::from("stateDiagram-v2\n");
    let _ = writeln!(out, "    [*] --> {}", W::initial().kind());
    for (from, to, events) in merged::<W>() {
        let _ = writeln!(out, "    {from} --> {to}: {}", join(&events, ", "));
    }
    for k in final_kinds::<W>() {
        let _ = writeln!(out, "    {k} --> [*]");
    }
    out
}

/// Draws `W`'s transition table as a Graphviz DOT digraph.
///
/// The initial state hangs off a point; states the table never leaves are
/// drawn with a double border.
pub fn dot<W: Workflow>() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(W::NAME));
    out.push_str("    rankdir=LR;\n    node [shape=box, style=rounded];\n");
    out.push_str("    __start [shape=point, label=\"\"];\n");
    let _ = writeln!(
        out,
        "    __start -> {};",
        quote(W::initial().kind().name().as_str())
    );
    for k in final_kinds::<W>() {
        let _ = writeln!(out, "    {} [peripheries=2];", quote(k.name().as_str()));
    }
    for (from, to, events) in merged::<W>() {
        let _ = writeln!(
            out,
            "    {} -> {} [label={}];",
            quote(from.name().as_str()),
            quote(to.name().as_str()),
            quote(&join(&events, "\\n"))
        );
    }
    out.push_str("}\n");
    out
}

type Merged<W> = Vec<(StateKindOf<W>, StateKindOf<W>, Vec<EventKindOf<W>>)>;

fn merged<W: Workflow>() -> Merged<W> {
    let mut rows: Merged<W> = Vec::new();
    for t in W::transitions() {
        match rows
            .iter_mut()
            .find(|(f, to, _)| *f == t.from && *to == t.to)
        {
            Some((_, _, events)) if !events.contains(&t.event) => events.push(t.event),
            Some(_) => {}
            None => rows.push((t.from, t.to, vec![t.event])),
        }
    }
    rows
}

fn join<K: Kind>(kinds: &[K], separator: &str) -> String {
    let mut out = String::new();
    for (i, k) in kinds.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        let _ = write!(out, "{k}");
    }
    out
}

fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        if c == '"' {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}

/// A workflow's table as a bit set over dense kind indices, built once per
/// workflow type and shared: checking one transition is one load and a mask.
#[derive(Debug)]
pub(crate) struct TableIndex {
    events: usize,
    states: usize,
    bits: Box<[u64]>,
}

impl TableIndex {
    fn build<W: Workflow>() -> Self {
        let states = <StateKindOf<W> as Kind>::COUNT;
        let events = <EventKindOf<W> as Kind>::COUNT;
        let len = states.saturating_mul(events).saturating_mul(states);
        let mut bits = vec![0u64; len.div_ceil(64)].into_boxed_slice();
        for t in W::transitions() {
            let bit = (t.from.index() * events + t.event.index()) * states + t.to.index();
            bits[bit / 64] |= 1 << (bit % 64);
        }
        Self {
            events,
            states,
            bits,
        }
    }

    /// The shared index of `W`'s table.
    ///
    /// Each thread remembers the last workflow type it asked for, so a run
    /// of replays of one workflow (a projection, a catch-up, a bench) takes
    /// the registry's lock once, not once per case.
    #[inline]
    pub(crate) fn of<W: Workflow>() -> &'static TableIndex {
        thread_local! {
            static LAST: Cell<Option<(TypeId, &'static TableIndex)>> = const { Cell::new(None) };
        }
        let id = TypeId::of::<W>();
        if let Ok(Some((last, index))) = LAST.try_with(Cell::get) {
            if last == id {
                return index;
            }
        }
        let index = Self::registered::<W>();
        // A thread being torn down has no cache: the registry answers.
        let _ = LAST.try_with(|last| last.set(Some((id, index))));
        index
    }

    /// The index of `W`'s table from the process-wide registry, built on
    /// first use.
    #[cold]
    #[inline(never)]
    fn registered<W: Workflow>() -> &'static TableIndex {
        // A `TypeId` is a hash already: keyed by it as it is, the lookup
        // every replay starts with costs a lock and a probe, not SipHash.
        type Registry =
            RwLock<HashMap<TypeId, &'static TableIndex, BuildHasherDefault<TypeIdHasher>>>;
        static REGISTRY: OnceLock<Registry> = OnceLock::new();
        let registry = REGISTRY.get_or_init(Registry::default);
        let id = TypeId::of::<W>();
        if let Some(index) = registry
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
        {
            return index;
        }
        let mut map = registry.write().unwrap_or_else(PoisonError::into_inner);
        // One leaked index per workflow type in the program: bounded by the
        // number of types, like a vtable.
        map.entry(id)
            .or_insert_with(|| Box::leak(Box::new(Self::build::<W>())))
    }

    /// Whether `W`'s table (this index, from [`of::<W>`](Self::of))
    /// declares `from --event--> to`.
    ///
    /// The kind counts are `W`'s constants, not the index's fields, so the
    /// bit's position is computed without loads (replay's hot loop).
    #[inline]
    pub(crate) fn allows<W: Workflow>(
        &self,
        from: StateKindOf<W>,
        event: EventKindOf<W>,
        to: StateKindOf<W>,
    ) -> bool {
        let events = <EventKindOf<W> as Kind>::COUNT;
        let states = <StateKindOf<W> as Kind>::COUNT;
        debug_assert_eq!((events, states), (self.events, self.states));
        let bit = (from.index() * events + event.index()) * states + to.index();
        self.bits
            .get(bit / 64)
            .is_some_and(|word| word & (1 << (bit % 64)) != 0)
    }
}

/// Hashes a [`TypeId`] by the bits it already carries (a `TypeId` is itself
/// a hash of the type): what it writes is folded in unchanged.
#[derive(Default)]
struct TypeIdHasher(u64);

impl Hasher for TypeIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = self.0.rotate_left(32) ^ n;
    }
}
