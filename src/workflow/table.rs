//! Declared transition tables and the diagrams drawn from them.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;

use super::Workflow;

/// One row of a workflow's transition table: in a state of kind `from`, an
/// event of kind `event` leads to a state of kind `to`.
///
/// Kinds are the names of enum variants (`"Mediating"`,
/// `"MediatorsAssigned"`); they are what [`Workflow::state_kind`] and
/// [`Workflow::event_kind`] return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Transition {
    /// The kind of state the event applies to.
    pub from: &'static str,
    /// The kind of event.
    pub event: &'static str,
    /// The kind of state it leads to.
    pub to: &'static str,
}

impl Transition {
    /// A table row; `const`, so a table can be a `const` slice.
    pub const fn new(from: &'static str, event: &'static str, to: &'static str) -> Self {
        Self { from, event, to }
    }
}

/// Whether `W`'s table declares the transition `from --event--> to`.
pub fn is_declared<W: Workflow>(from: &str, event: &str, to: &str) -> bool {
    W::transitions()
        .iter()
        .any(|t| t.from == from && t.event == event && t.to == to)
}

/// The kinds of state in `W`'s table: the initial state's kind first, then
/// the others in order of first appearance.
pub fn state_kinds<W: Workflow>() -> Vec<&'static str> {
    let mut kinds = vec![W::state_kind(&W::initial())];
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
pub fn final_kinds<W: Workflow>() -> Vec<&'static str> {
    let left: BTreeSet<&str> = W::transitions().iter().map(|t| t.from).collect();
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
    let _ = writeln!(out, "    [*] --> {}", W::state_kind(&W::initial()));
    for (from, to, events) in merged::<W>() {
        let _ = writeln!(out, "    {from} --> {to}: {}", events.join(", "));
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
        quote(W::state_kind(&W::initial()))
    );
    for k in final_kinds::<W>() {
        let _ = writeln!(out, "    {} [peripheries=2];", quote(k));
    }
    for (from, to, events) in merged::<W>() {
        let _ = writeln!(
            out,
            "    {} -> {} [label={}];",
            quote(from),
            quote(to),
            quote(&events.join("\\n"))
        );
    }
    out.push_str("}\n");
    out
}

fn merged<W: Workflow>() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    let mut rows: Vec<(&'static str, &'static str, Vec<&'static str>)> = Vec::new();
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
