//! How a ladder's state and a referral read in logs and messages: the
//! state's kind, then the tier and the body handling it.

use std::fmt;

use super::{LadderState, Referral, Rung};

impl fmt::Display for Referral {
    /// `arbitration`, `litigation` or `administrative` (the names
    /// [`Routes`](crate::dispute::Routes) lists).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Referral::Arbitration => "arbitration",
            Referral::Litigation => "litigation",
            Referral::Administrative => "administrative",
        })
    }
}

/// `community tier, hehua-med`.
struct Where<'a>(&'a Rung);

impl fmt::Display for Where<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} tier, {}", self.0.tier(), self.0.handler())
    }
}

impl fmt::Display for LadderState {
    /// `Idle`, `Handling at community tier, hehua-med`, `Resolved at
    /// estate tier, academy`, `ReferredOut to arbitration from community
    /// tier, hehua-med`, ...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LadderState::Idle => f.write_str("Idle"),
            LadderState::Handling(rung) => write!(f, "Handling at {}", Where(rung)),
            LadderState::Exhausted(rung) => write!(f, "Exhausted at {}", Where(rung)),
            LadderState::Resolved { rung, .. } => write!(f, "Resolved at {}", Where(rung)),
            LadderState::ReferredOut { rung, to } => {
                write!(f, "ReferredOut to {to} from {}", Where(rung))
            }
        }
    }
}
