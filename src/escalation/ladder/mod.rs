//! The escalation [`Ladder`]: commands, events, states, refusals, the rules
//! `decide` holds and the transition table, one file each.
//!
//! # The state × command table
//!
//! `→ X` moves the matter to `X`; `=` keeps its state (recording a fact or
//! nothing); `·` is refused as not applicable.
//!
//! | command ╲ state | Idle | Handling | Exhausted | Resolved, ReferredOut |
//! |---|---|---|---|---|
//! | `Start` | → Handling | · | · | · |
//! | `Escalate` | · | = (one tier up, within the ceiling) or → Exhausted at the top | · | · |
//! | `Override` | · | = (one tier up, past the ceiling only) or → Exhausted at the top | · | · |
//! | `RaiseSeverity` | · | = (up to the new band's start) | = | · |
//! | `Reschedule` | · | = | = | · |
//! | `Resolve` | · | → Resolved | → Resolved | · |
//! | `ReferOut` | · | · | → ReferredOut | · |
//! | `Tick` | = (nothing) | = (timed out: up within the ceiling, or supervision once per stage) | = (nothing) | = (nothing) |

mod command;
mod decide;
mod display;
mod error;
mod event;
mod state;
mod table;

pub use command::{EscalationReason, LadderCommand, LadderCommandKind, Referral, SeverityCause};
pub use decide::Ladder;
pub use error::{LadderError, LadderStateError};
pub use event::{Escalated, LadderEvent, LadderEventKind, Override, Started};
pub use state::{LadderState, LadderStateKind, Rung, Supervision};
