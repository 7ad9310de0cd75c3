//! [`Coverage`]: which declared transitions a run exercised, which it never
//! reached, and which it performed without their being declared.

use std::collections::BTreeMap;
use std::fmt;

use crate::workflow::{Case, HasKind, Kind, KindName, Transition, TransitionOf, Workflow};

/// A transition named by its kinds' names, as errors carry it.
pub type TransitionName = Transition<KindName, KindName>;

/// The transitions a run of the kit performed, counted against a table
/// (the workflow's declared one unless the guide says otherwise).
pub struct Coverage<W: Workflow> {
    table: Vec<TransitionOf<W>>,
    hits: Vec<u64>,
    undeclared: BTreeMap<TransitionOf<W>, u64>,
}

/// A run's coverage is below what the test asked for.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CoverageError {
    /// Fewer declared transitions were exercised than required.
    #[error(
        "{workflow}: {exercised} of {declared} declared transitions exercised, {required_percent}% required; never reached: {}",
        names(unreached)
    )]
    Below {
        /// The workflow's name.
        workflow: &'static str,
        /// How many declared transitions were exercised.
        exercised: usize,
        /// How many the table declares.
        declared: usize,
        /// The share required, in percent.
        required_percent: f64,
        /// The declared transitions never reached.
        unreached: Vec<TransitionName>,
    },
}

fn names(rows: &[TransitionName]) -> String {
    let mut out = String::new();
    for (i, t) in rows.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&format!("{} --{}--> {}", t.from, t.event, t.to));
    }
    out
}

fn name_of<S: Kind, E: Kind>(t: &Transition<S, E>) -> TransitionName {
    Transition::new(t.from.name(), t.event.name(), t.to.name())
}

impl<W: Workflow> Coverage<W> {
    /// Nothing exercised yet, counted against `W`'s declared table.
    pub fn new() -> Self {
        Self::of(W::transitions())
    }

    /// Nothing exercised yet, counted against `table`.
    pub fn of(table: &[TransitionOf<W>]) -> Self {
        Self {
            table: table.to_vec(),
            hits: vec![0; table.len()],
            undeclared: BTreeMap::new(),
        }
    }

    /// Counts one performed transition; returns whether the table declares
    /// it.
    pub fn record(&mut self, transition: TransitionOf<W>) -> bool {
        match self.table.iter().position(|t| *t == transition) {
            Some(i) => {
                self.hits[i] += 1;
                true
            }
            None => {
                *self.undeclared.entry(transition).or_default() += 1;
                false
            }
        }
    }

    /// Counts every transition of `case`'s history.
    pub fn record_case(&mut self, case: &Case<W>) {
        let mut state = W::initial();
        for r in case.history() {
            let from = state.kind();
            state = W::evolve(state, &r.event);
            self.record(Transition::new(from, r.event.kind(), state.kind()));
        }
    }

    /// Adds `other`'s counts (over the same table) to these.
    pub fn merge(&mut self, other: &Self) {
        for (t, n) in other.table.iter().zip(&other.hits) {
            if let Some(i) = self.table.iter().position(|r| r == t) {
                self.hits[i] += n;
            } else {
                *self.undeclared.entry(*t).or_default() += n;
            }
        }
        for (t, n) in &other.undeclared {
            *self.undeclared.entry(*t).or_default() += n;
        }
    }

    /// The declared transitions exercised, each with how often.
    pub fn exercised(&self) -> Vec<(TransitionOf<W>, u64)> {
        self.table
            .iter()
            .zip(&self.hits)
            .filter(|(_, n)| **n > 0)
            .map(|(t, n)| (*t, *n))
            .collect()
    }

    /// The declared transitions never reached.
    pub fn unreached(&self) -> Vec<TransitionOf<W>> {
        self.table
            .iter()
            .zip(&self.hits)
            .filter(|(_, n)| **n == 0)
            .map(|(t, _)| *t)
            .collect()
    }

    /// The transitions performed that the table does not declare, each with
    /// how often.
    pub fn undeclared(&self) -> Vec<(TransitionOf<W>, u64)> {
        self.undeclared.iter().map(|(t, n)| (*t, *n)).collect()
    }

    /// The share of declared transitions exercised, from 0 to 1 (1 for an
    /// empty table).
    pub fn ratio(&self) -> f64 {
        if self.table.is_empty() {
            return 1.0;
        }
        self.exercised().len() as f64 / self.table.len() as f64
    }

    /// Checks that at least `share` (0 to 1) of the declared transitions
    /// were exercised.
    ///
    /// # Errors
    ///
    /// [`CoverageError::Below`], naming every transition never reached.
    pub fn require(&self, share: f64) -> Result<(), CoverageError> {
        if self.ratio() + f64::EPSILON >= share {
            return Ok(());
        }
        Err(CoverageError::Below {
            workflow: W::NAME,
            exercised: self.exercised().len(),
            declared: self.table.len(),
            required_percent: share * 100.0,
            unreached: self.unreached().iter().map(name_of).collect(),
        })
    }

    /// Checks that every declared transition was exercised except those in
    /// `allowed` (the ones a test documents as out of its reach).
    ///
    /// # Errors
    ///
    /// [`CoverageError::Below`], naming the transitions never reached that
    /// `allowed` does not list.
    pub fn require_all_except(&self, allowed: &[TransitionOf<W>]) -> Result<(), CoverageError> {
        let missing: Vec<TransitionName> = self
            .unreached()
            .iter()
            .filter(|t| !allowed.contains(t))
            .map(name_of)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(CoverageError::Below {
            workflow: W::NAME,
            exercised: self.exercised().len(),
            declared: self.table.len(),
            required_percent: 100.0,
            unreached: missing,
        })
    }
}

impl<W: Workflow> Default for Coverage<W> {
    fn default() -> Self {
        Self::new()
    }
}

impl<W: Workflow> Clone for Coverage<W> {
    fn clone(&self) -> Self {
        Self {
            table: self.table.clone(),
            hits: self.hits.clone(),
            undeclared: self.undeclared.clone(),
        }
    }
}

impl<W: Workflow> fmt::Debug for Coverage<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Coverage")
            .field("workflow", &W::NAME)
            .field("exercised", &self.exercised().len())
            .field("declared", &self.table.len())
            .field("unreached", &self.unreached())
            .field("undeclared", &self.undeclared)
            .finish()
    }
}

/// A report: the share exercised, then every transition never reached and
/// every undeclared one performed, one a line.
impl<W: Workflow> fmt::Display for Coverage<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} of {} declared transitions exercised ({:.1}%)",
            W::NAME,
            self.exercised().len(),
            self.table.len(),
            self.ratio() * 100.0
        )?;
        for t in self.unreached() {
            writeln!(f, "  never reached: {} --{}--> {}", t.from, t.event, t.to)?;
        }
        for (t, n) in &self.undeclared {
            writeln!(
                f,
                "  undeclared, performed {n}x: {} --{}--> {}",
                t.from, t.event, t.to
            )?;
        }
        Ok(())
    }
}
