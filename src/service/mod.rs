//! Service requests (placeholder docs).

mod catalogue;
mod command;
mod error;
mod event;
mod machine;
mod note;
pub mod sample;
mod state;

pub use catalogue::{
    AllowedValue, Attribute, AttributeCode, AttributeValue, Attributes, Catalogue, Datatype,
    Material, Mode, Requirement, ServiceItem,
};
pub use command::{Review, ServiceRequestCommand};
pub use error::{CatalogueError, OrgUse, ServiceRequestError};
pub use event::{ServiceRequestEvent, Submission};
pub use machine::{ServiceRequest, supervision_policy};
pub use note::{MAX_NOTE_LEN, Note, NoteError};
pub use state::{Handling, Intake, Outcome, Request, ServiceRequestState};
