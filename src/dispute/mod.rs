//! The dispute-mediation workflow (people's mediation, 人民调解).
//!
//! TODO docs

mod command;
mod decide;
mod error;
mod event;
mod routes;
mod state;

pub use command::{
    Channel, DeclineReason, DisputeCommand, FailureReason, Party, PartyKind, Performance, Report,
    Satisfaction, Selection,
};
pub use decide::{Dispute, DisputeSettings};
pub use error::DisputeError;
pub use event::DisputeEvent;
pub use routes::Routes;
pub use state::{
    Agreement, Confirmation, DisputeFile, DisputeState, Draft, Ending, LabourLimit, Mediation,
};
#[cfg(feature = "proptest")]
pub mod strategies;
