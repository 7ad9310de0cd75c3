//! The machinery both scripts share: sending commands at moving times,
//! counting what was refused on purpose and what was refused (or
//! accepted) against the script's expectation.

use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng;
use rand_pcg::Pcg64Mcg;

use crate::actor::Actor;
use crate::id::CaseId;
use crate::workflow::{Case, Context, HasKind, Workflow};

/// Why a deliberately refused command is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Sent by someone the rules do not allow.
    WrongActor,
    /// Sent after its time ran out.
    TooLate,
    /// Sent in a state it does not apply to.
    NotApplicable,
}

/// What happened to the commands of one case.
#[derive(Debug, Clone, Default)]
pub(crate) struct Log {
    pub(crate) commands: u32,
    pub(crate) wrong_actor: u32,
    pub(crate) too_late: u32,
    pub(crate) not_applicable: u32,
    pub(crate) unexpected: u32,
    /// The first unexpected outcome, described.
    pub(crate) first_unexpected: Option<String>,
    /// The case's entry in the due index: [`Case::next_due`] after the
    /// last command that recorded events, as a store's append would
    /// write it beside them (`None`: no timer pending, or nothing
    /// recorded).
    pub(crate) due: Option<DateTime<Utc>>,
}

impl Log {
    fn note_unexpected(&mut self, what: impl FnOnce() -> String) {
        self.unexpected += 1;
        if self.first_unexpected.is_none() {
            self.first_unexpected = Some(what());
        }
    }
}

/// One case being played: the case, the script's clock and the log.
pub(crate) struct Script<W: Workflow> {
    pub(crate) case: Case<W>,
    pub(crate) at: DateTime<Utc>,
    end: DateTime<Utc>,
    pub(crate) stopped: bool,
    pub(crate) log: Log,
}

impl<W: Workflow> Script<W> {
    pub(crate) fn new(id: CaseId, at: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        let mut case = Case::new(id);
        case.reserve(24);
        Script {
            case,
            at,
            end,
            stopped: false,
            log: Log::default(),
        }
    }

    /// Whether the script should go on: not stopped by the end of the
    /// year, the case not terminal.
    pub(crate) fn goes_on(&self) -> bool {
        !self.stopped && !self.case.is_terminal()
    }

    /// Moves the clock on by `minutes`.
    pub(crate) fn wait(&mut self, minutes: i64) {
        self.at += TimeDelta::minutes(minutes.max(0));
    }

    /// Moves the clock on by a random number of minutes in `range`.
    pub(crate) fn wait_between(&mut self, rng: &mut Pcg64Mcg, low: i64, high: i64) {
        let minutes = if high > low {
            rng.random_range(low..=high)
        } else {
            low
        };
        self.wait(minutes);
    }

    /// Moves the clock to `at` if that is later.
    pub(crate) fn wait_until(&mut self, at: DateTime<Utc>) {
        if at > self.at {
            self.at = at;
        }
    }

    /// Whether the clock passed the end of the year: then nothing more is
    /// sent and the case stays as it is.
    fn past_end(&mut self) -> bool {
        if self.at >= self.end {
            self.stopped = true;
        }
        self.stopped
    }

    /// Sends a command the script expects to be accepted. Returns whether
    /// it was; a refusal is counted as unexpected.
    pub(crate) fn send(&mut self, workflow: &W, actor: &Actor, command: &W::Command) -> bool {
        if self.past_end() {
            return false;
        }
        self.log.commands += 1;
        match self
            .case
            .handle(workflow, command, &Context::new(self.at, actor))
        {
            Ok(_) => {
                self.log.due = self.case.next_due();
                true
            }
            Err(e) => {
                let state = self.case.state().kind();
                self.log
                    .note_unexpected(|| format!("{} refused in {state}: {e}", command.kind()));
                false
            }
        }
    }

    /// Sends a command the script expects to be refused, for `why`. An
    /// accepted one is counted as unexpected.
    pub(crate) fn send_refused(
        &mut self,
        workflow: &W,
        actor: &Actor,
        command: &W::Command,
        why: Refusal,
    ) {
        if self.past_end() {
            return;
        }
        self.log.commands += 1;
        let before = self.case.version();
        let refused = self
            .case
            .handle(workflow, command, &Context::new(self.at, actor))
            .is_err();
        match refused {
            true if self.case.version() == before => match why {
                Refusal::WrongActor => self.log.wrong_actor += 1,
                Refusal::TooLate => self.log.too_late += 1,
                Refusal::NotApplicable => self.log.not_applicable += 1,
            },
            _ => {
                if self.case.version() != before {
                    self.log.due = self.case.next_due();
                }
                let state = self.case.state().kind();
                self.log.note_unexpected(|| {
                    format!(
                        "{} accepted in {state} though meant to be refused",
                        command.kind()
                    )
                });
            }
        }
    }

    /// Notes that the script could not go on as planned (it found no one
    /// to send the next command).
    pub(crate) fn give_up(&mut self, why: &str) {
        let state = self.case.state().kind();
        self.log
            .note_unexpected(|| format!("script gave up in {state}: {why}"));
        self.stopped = true;
    }
}

/// `true` with probability `p`.
pub(crate) fn chance(rng: &mut Pcg64Mcg, p: f64) -> bool {
    p > 0.0 && rng.random_bool(p.min(1.0))
}

/// An index drawn with the given relative weights (the first when they
/// are all zero).
pub(crate) fn weighted(rng: &mut Pcg64Mcg, weights: &[u32]) -> usize {
    let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
    if total == 0 {
        return 0;
    }
    let mut roll = rng.random_range(0..total);
    for (i, w) in weights.iter().enumerate() {
        let w = u64::from(*w);
        if roll < w {
            return i;
        }
        roll -= w;
    }
    weights.len() - 1
}

/// Writes `prefix`, then `n` zero-padded to at least `width` digits, then
/// `.k` when `k` is given, into `buf` and returns it: what
/// `write!(buf, "{prefix}{n:0width$}.{k}")` writes, without the formatting
/// machinery (every case names itself and its people: `core::fmt` was 5 %
/// of a played case).
pub(crate) fn numbered<'b>(
    buf: &'b mut String,
    prefix: &str,
    n: u64,
    width: usize,
    k: Option<u64>,
) -> &'b str {
    let mut digits = itoa::Buffer::new();
    let n = digits.format(n);
    buf.clear();
    buf.push_str(prefix);
    for _ in n.len()..width {
        buf.push('0');
    }
    buf.push_str(n);
    if let Some(k) = k {
        buf.push('.');
        buf.push_str(itoa::Buffer::new().format(k));
    }
    buf.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_writes_what_the_format_string_writes() {
        let mut buf = String::from("left over");
        for n in [0, 7, 1_234, 12_345_678, 123_456_789, u64::MAX] {
            assert_eq!(numbered(&mut buf, "D", n, 8, None), format!("D{n:08}"));
            assert_eq!(numbered(&mut buf, "ap", n, 0, None), format!("ap{n}"));
            for k in [0, 2, 10] {
                assert_eq!(
                    numbered(&mut buf, "dp", n, 0, Some(k)),
                    format!("dp{n}.{k}")
                );
            }
        }
    }
}
