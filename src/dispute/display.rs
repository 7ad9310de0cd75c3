//! How a dispute's state reads in logs and messages: its kind, what the
//! dispute is about and where, who handles it, and the facts of the state.

use crate::workflow::HasKind;
use std::fmt;

use super::DisputeState;
use super::command::Satisfaction;
use super::state::Ending;
use crate::id::ActorId;

/// `wang, zhang`.
struct List<'a>(&'a [ActorId]);

impl fmt::Display for List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, id) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{id}")?;
        }
        Ok(())
    }
}

impl fmt::Display for DisputeState {
    /// The kind, then what and where, the tier and handler once accepted,
    /// and the state's own facts:
    /// `Mediating: neighbour dispute at mancheng, community tier, hehua-med;
    /// mediators wang, 2 sessions`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind())?;
        let Some(file) = self.file() else {
            return Ok(());
        };
        write!(f, ": {} dispute at {}", file.kind(), file.location())?;
        if let Some(rung) = file.rung() {
            write!(f, ", {} tier, {}", rung.tier(), rung.handler())?;
        }
        match self {
            DisputeState::Mediating { mediation, .. } => write!(
                f,
                "; mediators {}, {} session{}",
                List(mediation.mediators()),
                mediation.sessions(),
                if mediation.sessions() == 1 { "" } else { "s" }
            ),
            DisputeState::Signing { draft, .. } => write!(
                f,
                "; signed by {} of {}",
                draft.signed().len(),
                file.parties().len() + 1
            ),
            DisputeState::MediationFailed { routes, .. } => write!(f, "; routes open: {routes}"),
            DisputeState::Referred { to, .. } => write!(f, "; to {to}"),
            DisputeState::Withdrawn { by, routes, .. } => {
                write!(f, "; withdrawn by {by}, routes open: {routes}")
            }
            DisputeState::Refused { by, routes, .. } => {
                write!(f, "; refused by {by}, routes open: {routes}")
            }
            DisputeState::Declined { body, routes, .. } => {
                write!(f, "; declined by {body}, routes open: {routes}")
            }
            DisputeState::Closed { ending, rating, .. } => {
                match ending {
                    Ending::Fulfilled => f.write_str("; fulfilled")?,
                    Ending::Breached => f.write_str("; breached")?,
                    Ending::Referred { to } => write!(f, "; referred to {to}")?,
                    Ending::Withdrawn { by } => write!(f, "; withdrawn by {by}")?,
                }
                let rating = match rating {
                    Satisfaction::Satisfied => "satisfied",
                    Satisfaction::FairlySatisfied => "fairly satisfied",
                    Satisfaction::Dissatisfied => "dissatisfied",
                };
                write!(f, ", parties {rating}")
            }
            _ => Ok(()),
        }
    }
}
