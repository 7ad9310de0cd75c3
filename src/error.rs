//! [`Error`]: one type for callers who want one, wrapping every module's
//! errors.
//!
//! Each module has its own precise error enum; match on those where the
//! difference matters. Where it does not — an application's `main`, a
//! request handler — `?` converts any of them into [`Error`].
//!
//! ```
//! use grassroots::{Error, OrgId};
//!
//! fn parse(s: &str) -> Result<OrgId, Error> {
//!     Ok(s.parse::<OrgId>()?)
//! }
//! assert!(matches!(parse(""), Err(Error::Id(_))));
//! ```

use crate::actor::Forbidden;
use crate::calendar::CalendarError;
use crate::dispute::DisputeError;
use crate::escalation::{LadderError, PolicyError};
use crate::id::IdError;
use crate::journal::{ExecuteError, JournalError, StreamKey, UpcastError};
#[cfg(feature = "sim")]
use crate::load::LoadError;
use crate::org::OrgGraphError;
use crate::service::{CatalogueError, NoteError, ServiceRequestError};
use crate::tier::ParseLevelError;
use crate::vocabulary::{NameError, VocabularyError};
use crate::work_order::{GeoError, WorkOrderConfigError, WorkOrderError};
use crate::workflow::{CaseError, ReplayError};

/// Any error this crate returns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An identifier was refused.
    #[error(transparent)]
    Id(#[from] IdError),
    /// A tier or severity name was not recognised.
    #[error(transparent)]
    Level(#[from] ParseLevelError),
    /// A custom name was refused.
    #[error(transparent)]
    Name(#[from] NameError),
    /// A role, kind of body, dispute kind, service category or case type
    /// was refused.
    #[error(transparent)]
    Vocabulary(#[from] VocabularyError),
    /// An actor lacked the role a command needs.
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    /// A calendar was refused or a deadline could not be computed.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The organisation graph refused an insert or a query.
    #[error(transparent)]
    OrgGraph(#[from] OrgGraphError),
    /// An escalation policy was refused.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// The escalation ladder refused a command.
    #[error(transparent)]
    Ladder(#[from] LadderError),
    /// The dispute workflow refused a command.
    #[error(transparent)]
    Dispute(#[from] DisputeError),
    /// A service catalogue was refused.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    /// A note (a reason, a legal basis, a comment) was refused.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// The service-request rules refused a command (outside a case).
    #[error(transparent)]
    ServiceRequest(#[from] ServiceRequestError),
    /// The work-order rules refused a command (outside a case).
    #[error(transparent)]
    WorkOrder(#[from] WorkOrderError),
    /// A work-order configuration was refused.
    #[error(transparent)]
    WorkOrderConfig(#[from] WorkOrderConfigError),
    /// A GeoReport field of a work order was refused.
    #[error(transparent)]
    Geo(#[from] GeoError),
    /// An event store refused or failed an operation.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// An upcaster could not bring an old payload to the current schema
    /// (from [`journal::convert`](crate::journal::convert) or your own
    /// [`EventSchema::upcast`](crate::journal::EventSchema::upcast); inside
    /// a journal read it arrives as [`Error::Journal`]).
    #[error(transparent)]
    Upcast(#[from] UpcastError),
    /// [`journal::execute`](crate::journal::execute) gave up: other writers
    /// kept appending to the case. Retrying later may succeed. (Its other
    /// failures arrive as [`Error::Case`] and [`Error::Journal`].)
    #[error("stream {stream}: still conflicting after {attempts} attempts")]
    Contended {
        /// The case's stream.
        stream: StreamKey,
        /// How many times the command was decided and refused by the store.
        attempts: u32,
    },
    /// A city-year could not be set up by the load generator (feature
    /// `sim`).
    #[cfg(feature = "sim")]
    #[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A history could not be replayed.
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// A case refused a command. The workflow's rejection is boxed, so any
    /// workflow's — the crate's or your own — fits; downcast it to match on
    /// it.
    #[error(transparent)]
    Case(Box<CaseError<AnyRejection>>),
}

/// Any workflow's rejection, boxed, inside [`Error::Case`].
#[derive(Debug)]
pub struct AnyRejection(Box<dyn std::error::Error + Send + Sync>);

impl AnyRejection {
    /// The rejection as the workflow's own type, if it is a `T`.
    pub fn downcast_ref<T: std::error::Error + 'static>(&self) -> Option<&T> {
        self.0.downcast_ref()
    }
}

impl std::fmt::Display for AnyRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for AnyRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl<R: std::error::Error + Send + Sync + 'static> From<CaseError<R>> for Error {
    fn from(e: CaseError<R>) -> Self {
        Error::Case(Box::new(e.map_rejection(|r| AnyRejection(Box::new(r)))))
    }
}

/// A refusal becomes [`Error::Case`], a journal failure [`Error::Journal`]
/// and contention [`Error::Contended`]: the same variants as the same
/// failures outside `execute`.
impl<R: std::error::Error + Send + Sync + 'static> From<ExecuteError<R>> for Error {
    fn from(e: ExecuteError<R>) -> Self {
        match e {
            ExecuteError::Refused(e) => e.into(),
            ExecuteError::Contended { stream, attempts } => Error::Contended { stream, attempts },
            ExecuteError::Journal(e) => Error::Journal(*e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_error_keeps_its_message_through_the_umbrella() {
        let e: CaseError<LadderError> = CaseError::Rejected(LadderError::MissingJustification);
        let message = e.to_string();
        let umbrella: Error = e.into();
        assert_eq!(umbrella.to_string(), message);
        let Error::Case(case) = umbrella else {
            panic!("not a case error");
        };
        let CaseError::Rejected(rejection) = *case else {
            panic!("not a rejection");
        };
        assert_eq!(
            rejection.downcast_ref::<LadderError>(),
            Some(&LadderError::MissingJustification)
        );
    }

    #[test]
    fn vocabulary_and_name_errors_convert_into_the_umbrella() {
        fn role(s: &str) -> Result<crate::actor::Role, Error> {
            Ok(s.parse()?)
        }
        fn name(s: &str) -> Result<crate::vocabulary::Name, Error> {
            Ok(crate::vocabulary::Name::new(s)?)
        }
        assert!(matches!(role("Grid Worker"), Err(Error::Vocabulary(_))));
        assert!(matches!(name(""), Err(Error::Name(NameError::Empty))));
    }
}
