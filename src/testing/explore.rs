//! [`explore`]: every state a workflow reaches from `initial` over the
//! commands a [`Guide`] offers, breadth-first, up to a budget.

use std::collections::{HashSet, VecDeque};
use std::fmt::{self, Write as _};
use std::hash::{DefaultHasher, Hasher};

use chrono::{DateTime, Utc};

use super::{Coverage, Guide, Step, Violation, check_step};
use crate::workflow::{Case, Context, HasKind, Kind, TransitionOf, Workflow};

/// How far [`explore`] goes: a depth (commands from `initial`), a number of
/// distinct states, and a seed ordering the commands tried in each state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    depth: usize,
    states: usize,
    seed: u64,
}

impl Budget {
    /// Up to `depth` commands from `initial`, at most a million distinct
    /// states, seed 0 (the guide's order).
    pub fn depth(depth: usize) -> Self {
        Self {
            depth,
            states: 1_000_000,
            seed: 0,
        }
    }

    /// At most `states` distinct states: once reached, the states already
    /// queued are still expanded and checked, but no new one is queued.
    #[must_use]
    pub fn states(mut self, states: usize) -> Self {
        self.states = states.max(1);
        self
    }

    /// Orders the commands tried in each state by `seed` (0: the guide's
    /// order). Only matters when the state budget cuts the walk short.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The depth bound.
    pub fn max_depth(&self) -> usize {
        self.depth
    }

    /// The state bound.
    pub fn max_states(&self) -> usize {
        self.states
    }
}

/// The shortest command sequence from `initial` to a violation.
pub struct Counterexample<W: Workflow> {
    /// What broke.
    pub violation: Violation,
    /// The commands, the last one breaking it.
    pub steps: Vec<Step<W::Command>>,
}

impl<W: Workflow> fmt::Debug for Counterexample<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Counterexample")
            .field("violation", &self.violation)
            .field("steps", &self.steps)
            .finish()
    }
}

impl<W: Workflow> fmt::Display for Counterexample<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} after {} steps:", self.violation, self.steps.len())?;
        for (i, s) in self.steps.iter().enumerate() {
            writeln!(
                f,
                "  {i}: {} at {} sends {:?}",
                s.actor.id(),
                s.at,
                s.command
            )?;
        }
        Ok(())
    }
}

/// What [`explore`] found.
pub struct Exploration<W: Workflow> {
    /// Distinct states reached, `initial` included.
    pub states: usize,
    /// Commands sent (each on a copy of the case in the state reached).
    pub tried: usize,
    /// The depth of the deepest state reached.
    pub depth: usize,
    /// Whether every state within the depth was reached (the state budget
    /// did not cut the walk short).
    pub complete: bool,
    /// The transitions performed, against the guide's table: those never
    /// performed are unreachable within the budget.
    pub coverage: Coverage<W>,
    /// How many violations were found (the walk goes on past them, without
    /// expanding a state that broke an invariant).
    pub violations: usize,
    /// The first violation found, with the shortest command sequence to it.
    pub violation: Option<Counterexample<W>>,
}

impl<W: Workflow> Exploration<W> {
    /// The declared transitions never performed: unreachable within the
    /// budget with the guide's commands.
    pub fn unreachable(&self) -> Vec<TransitionOf<W>> {
        self.coverage.unreached()
    }

    /// The transitions performed that the table does not declare.
    pub fn undeclared(&self) -> Vec<TransitionOf<W>> {
        self.coverage
            .undeclared()
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    }
}

impl<W: Workflow> fmt::Debug for Exploration<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exploration")
            .field("states", &self.states)
            .field("tried", &self.tried)
            .field("depth", &self.depth)
            .field("complete", &self.complete)
            .field("coverage", &self.coverage)
            .field("violations", &self.violations)
            .field("violation", &self.violation)
            .finish()
    }
}

impl<W: Workflow> fmt::Display for Exploration<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "explored {} states to depth {} with {} commands ({})",
            self.states,
            self.depth,
            self.tried,
            if self.complete {
                "complete"
            } else {
                "cut short by the state budget"
            }
        )?;
        write!(f, "{}", self.coverage)?;
        if let Some(c) = &self.violation {
            write!(f, "{} violations; the first: {c}", self.violations)?;
        }
        Ok(())
    }
}

/// Walks `workflow`'s reachable states breadth-first from `initial`,
/// sending in each state every command the `guide` offers after each of its
/// time steps, up to `budget`.
///
/// States are deduplicated by a 128-bit fingerprint of their `Debug` form
/// (as TLC fingerprints states), or of the guide's [`view`](Guide::view) of
/// them: a state reached again, by another path or at another time, is not
/// expanded again. Each state is expanded at the time
/// of the command that first reached it.
///
/// Every command is checked as [`check_invariants`](super::check_invariants)
/// does — a refusal changes nothing, nothing is accepted after a terminal
/// state, every performed transition is in the guide's table, replay gives
/// the live case back — and, on acceptance, against your
/// [`invariant`](Guide::invariant)s. In every state each offered command
/// that is not [`public`](Guide::public) is also tried from the guide's
/// [`outsider`](Guide::outsider), who must be refused.
///
/// The walk is deterministic for a guide, budget and seed. Breadth-first,
/// the first violation found has the shortest command sequence.
pub fn explore<W: Workflow>(workflow: &W, guide: &Guide<W>, budget: Budget) -> Exploration<W>
where
    W::Command: Clone,
{
    let table = guide.table();
    let mut coverage = Coverage::of(table);
    // Each node: the step that reached it and its parent, for paths.
    let mut nodes: Vec<(usize, Option<Step<W::Command>>)> = vec![(0, None)];
    let mut seen: HashSet<u128> = HashSet::new();
    let start = Case::<W>::new(guide.case_id().clone());
    seen.insert(guide.fingerprint(start.state()));
    let mut queue: VecDeque<(usize, usize, Case<W>, DateTime<Utc>)> = VecDeque::new();
    queue.push_back((0, 0, start, guide.start()));
    let (mut tried, mut deepest, mut complete) = (0, 0, true);
    let mut violations = 0;
    let mut first: Option<Counterexample<W>> = None;
    let mut report = |violation: Violation,
                      nodes: &[(usize, Option<Step<W::Command>>)],
                      node: usize,
                      step: Step<W::Command>| {
        violations += 1;
        if first.is_none() {
            let mut steps = path(nodes, node);
            steps.push(step);
            first = Some(Counterexample { violation, steps });
        }
    };
    while let Some((node, depth, case, now)) = queue.pop_front() {
        deepest = deepest.max(depth);
        if depth >= budget.depth {
            continue;
        }
        let mut options = guide.options(case.state());
        shuffle(&mut options, budget.seed, node as u64);
        for gap in guide.time_steps() {
            let at = now + *gap;
            if !case.is_terminal() {
                for (_, command) in &options {
                    if guide.is_public(command.kind()) {
                        continue;
                    }
                    let outsider = guide.outsider_actor();
                    let decided =
                        workflow.decide(case.state(), command, &Context::new(at, outsider));
                    if decided.is_ok_and(|d| !d.is_empty()) {
                        let violation = Violation::OutsiderAccepted {
                            step: depth,
                            command: command.kind().name(),
                            state: case.state().kind().name(),
                        };
                        let step = Step {
                            actor: outsider.clone(),
                            at,
                            command: command.clone(),
                        };
                        report(violation, &nodes, node, step);
                    }
                }
            }
            for (actor, command) in &options {
                tried += 1;
                let step = Step {
                    actor: actor.clone(),
                    at,
                    command: command.clone(),
                };
                let mut next = case.clone();
                match check_step(
                    workflow,
                    &mut next,
                    &step,
                    depth,
                    table,
                    Some(guide),
                    Some(&mut coverage),
                ) {
                    Err(violation) => report(violation, &nodes, node, step),
                    Ok(true) if next.version() > case.version() => {
                        if seen.len() >= budget.states {
                            complete = false;
                            continue;
                        }
                        if seen.insert(guide.fingerprint(next.state())) {
                            nodes.push((node, Some(step)));
                            queue.push_back((nodes.len() - 1, depth + 1, next, at));
                        }
                    }
                    Ok(_) => {}
                }
            }
        }
    }
    Exploration {
        states: seen.len(),
        tried,
        depth: deepest,
        complete,
        coverage,
        violations,
        violation: first,
    }
}

/// The steps from `initial` to `node`.
fn path<C: Clone>(nodes: &[(usize, Option<Step<C>>)], mut node: usize) -> Vec<Step<C>> {
    let mut steps = Vec::new();
    while let (parent, Some(step)) = &nodes[node] {
        steps.push(step.clone());
        node = *parent;
    }
    steps.reverse();
    steps
}

/// A 128-bit fingerprint of `value`'s `Debug` form, without building the
/// string: two SipHash streams with different prefixes.
pub(crate) fn fingerprint(value: &impl fmt::Debug) -> u128 {
    struct Two(DefaultHasher, DefaultHasher);
    impl fmt::Write for Two {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0.write(s.as_bytes());
            self.1.write(s.as_bytes());
            Ok(())
        }
    }
    let mut two = Two(DefaultHasher::new(), DefaultHasher::new());
    two.1.write_u8(0x5a);
    let _ = write!(two, "{value:?}");
    (u128::from(two.0.finish()) << 64) | u128::from(two.1.finish())
}

/// A 128-bit fingerprint of `value`'s `Hash`.
pub(crate) fn fingerprint_hash(value: &impl std::hash::Hash) -> u128 {
    let (mut a, mut b) = (DefaultHasher::new(), DefaultHasher::new());
    b.write_u8(0x5a);
    value.hash(&mut a);
    value.hash(&mut b);
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

/// Shuffles `items` by `seed` and `salt` (Fisher–Yates on splitmix64);
/// seed 0 leaves them in order.
fn shuffle<T>(items: &mut [T], seed: u64, salt: u64) {
    if seed == 0 {
        return;
    }
    let mut state = seed ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    for i in (1..items.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}
