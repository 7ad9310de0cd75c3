//! Guided generation (feature `proptest`): command sequences drawn from a
//! [`Guide`] that mostly advance, with a share of deliberate mistakes, and
//! a runner that checks them and counts [`Coverage`].
//!
//! A drawn sequence is a list of *choices* resolved against the state the
//! case has reached, so proptest shrinks the choices (fewer, earlier
//! options, shorter gaps, no mistakes) and the commands follow.

use std::cell::RefCell;
use std::fmt;
use std::ops::Range;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};

use super::{Coverage, Guide, Step, Violation, check_with};
use crate::actor::Actor;
use crate::workflow::{Case, Context, HasKind, Workflow};

/// One drawn move: which option, whether and how to get it wrong, and
/// which time step to wait.
#[derive(Debug, Clone, Copy)]
struct Move {
    choice: u32,
    roll: u8,
    mistake: u8,
    gap: u8,
}

/// Sequences of `len` commands drawn from `guide`: in each state reached,
/// one of the offered commands the workflow would accept (any offered one
/// when it would accept none), after one of the guide's time steps; a
/// [`mistakes`](Guide::mistakes) share of steps is instead a command offered
/// in another state, the outsider as sender, or a time before the last
/// event.
pub fn steps<'a, W: Workflow>(
    workflow: &'a W,
    guide: &'a Guide<W>,
    len: Range<usize>,
) -> impl Strategy<Value = Vec<Step<W::Command>>> + 'a
where
    W::Command: Clone,
{
    proptest::collection::vec(any::<(u32, u8, u8, u8)>(), len).prop_map(move |drawn| {
        let moves: Vec<Move> = drawn
            .into_iter()
            .map(|(choice, roll, mistake, gap)| Move {
                choice,
                roll,
                mistake,
                gap,
            })
            .collect();
        drive(workflow, guide, &moves)
    })
}

fn drive<W: Workflow>(workflow: &W, guide: &Guide<W>, moves: &[Move]) -> Vec<Step<W::Command>>
where
    W::Command: Clone,
{
    let mut case = Case::<W>::new(guide.case_id().clone());
    let mut now = guide.start();
    // Commands offered so far, for wrong-command mistakes.
    let mut pool: Vec<(Actor, W::Command)> = Vec::new();
    let mut out = Vec::with_capacity(moves.len());
    let gaps = guide.time_steps();
    for m in moves {
        now += gaps[usize::from(m.gap) % gaps.len()];
        // Shrinking drives `roll` to 0: no mistake.
        let wrong = (m.roll % 100) >= 100 - guide.mistake_percent();
        let options = guide.options(case.state());
        let advancing: Vec<&(Actor, W::Command)> = options
            .iter()
            .filter(|(actor, command)| {
                workflow
                    .decide(case.state(), command, &Context::new(now, actor))
                    .is_ok_and(|d| !d.is_empty())
            })
            .collect();
        let base: Vec<&(Actor, W::Command)> = if advancing.is_empty() {
            options.iter().collect()
        } else {
            advancing
        };
        let pick = (!base.is_empty()).then(|| base[m.choice as usize % base.len()].clone());
        let step = match (wrong, pick) {
            (false, Some((actor, command))) if !case.is_terminal() => Step {
                actor,
                at: now,
                command,
            },
            (false, _) => continue,
            (true, pick) => match (m.mistake % 3, pick) {
                (1, Some((_, command))) => Step {
                    actor: guide.outsider_actor().clone(),
                    at: now,
                    command,
                },
                (2, Some((actor, command))) if case.last_at().is_some() => {
                    let last = case.last_at().unwrap_or(now);
                    Step {
                        actor,
                        at: last - chrono::Duration::minutes(1 + i64::from(m.gap)),
                        command,
                    }
                }
                (_, pick) => {
                    // A command offered in another kind of state.
                    let others: Vec<&(Actor, W::Command)> = pool
                        .iter()
                        .filter(|(_, c)| options.iter().all(|(_, o)| o.kind() != c.kind()))
                        .collect();
                    match (others.is_empty(), pick) {
                        (false, _) => {
                            let (actor, command) = others[m.choice as usize % others.len()].clone();
                            Step {
                                actor,
                                at: now,
                                command,
                            }
                        }
                        (true, Some((actor, command))) => Step {
                            actor,
                            at: now,
                            command,
                        },
                        (true, None) => continue,
                    }
                }
            },
        };
        for (actor, command) in &options {
            if pool.len() < 64 && pool.iter().all(|(_, c)| c.kind() != command.kind()) {
                pool.push((actor.clone(), command.clone()));
            }
        }
        let _ = case.handle(workflow, &step.command, &Context::new(step.at, &step.actor));
        out.push(step);
    }
    out
}

/// How [`run`] draws: how many sequences, how long, from which seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// How many sequences to draw and check.
    pub cases: u32,
    /// How many moves each draws.
    pub len: Range<usize>,
    /// The seed of the draws: the same seed draws the same sequences.
    pub seed: u64,
}

impl Default for Run {
    /// 256 sequences of 1 to 60 moves, seed 0.
    fn default() -> Self {
        Self {
            cases: 256,
            len: 1..60,
            seed: 0,
        }
    }
}

/// A drawn sequence broke an invariant: the violation and the sequence,
/// shrunk by proptest to a minimal one.
pub struct Failure<W: Workflow> {
    /// What broke.
    pub violation: Violation,
    /// The shrunk sequence.
    pub steps: Vec<Step<W::Command>>,
    /// The coverage of the sequences that passed before it.
    pub coverage: Coverage<W>,
}

impl<W: Workflow> fmt::Debug for Failure<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Failure")
            .field("violation", &self.violation)
            .field("steps", &self.steps)
            .finish_non_exhaustive()
    }
}

impl<W: Workflow> fmt::Display for Failure<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} (shrunk to {} steps)",
            W::NAME,
            self.violation,
            self.steps.len()
        )?;
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

impl<W: Workflow> std::error::Error for Failure<W> {}

/// Draws `config.cases` sequences with [`steps`], checks each as
/// [`check_invariants`](super::check_invariants) does against the guide's
/// table, plus the outsider's refusals and your invariants, and returns the
/// coverage of them all.
///
/// # Errors
///
/// The first [`Failure`], its sequence shrunk.
pub fn run<W: Workflow>(
    workflow: &W,
    guide: &Guide<W>,
    config: Run,
) -> Result<Coverage<W>, Box<Failure<W>>>
where
    W::Command: Clone,
{
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&config.seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: config.cases,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed),
    );
    let total = RefCell::new(Coverage::of(guide.table()));
    let check = |steps: &[Step<W::Command>], coverage: &mut Coverage<W>| {
        check_with(
            workflow,
            guide.case_id().clone(),
            steps.iter().cloned(),
            guide.table(),
            Some(guide),
            Some(coverage),
        )
        .map(|_| ())
    };
    let strategy = steps(workflow, guide, config.len);
    let outcome = runner.run(&strategy, |steps| {
        let mut coverage = Coverage::of(guide.table());
        check(&steps, &mut coverage).map_err(|v| TestCaseError::fail(v.to_string()))?;
        total.borrow_mut().merge(&coverage);
        Ok(())
    });
    let coverage = total.into_inner();
    match outcome {
        Ok(()) => Ok(coverage),
        Err(TestError::Fail(_, steps)) => {
            let mut scratch = Coverage::of(guide.table());
            let violation = match check(&steps, &mut scratch) {
                Err(v) => v,
                // Checks are deterministic; a pass here is a bug of the kit.
                Ok(()) => Violation::ReplayDiffers {
                    reason: "the shrunk sequence passed when checked again".to_owned(),
                },
            };
            Err(Box::new(Failure {
                violation,
                steps,
                coverage,
            }))
        }
        Err(TestError::Abort(reason)) => Err(Box::new(Failure {
            violation: Violation::ReplayDiffers {
                reason: format!("proptest aborted: {reason}"),
            },
            steps: Vec::new(),
            coverage,
        })),
    }
}
