//! `?` turns every public error of the crate into [`grassroots::Error`]:
//! each module's error, the journal's `execute` error and the parse errors.

mod support {
    pub mod dispute_fixture;
}

use grassroots::calendar::WorkingCalendar;
use grassroots::dispute::{DisputeCommand, DisputeError};
use grassroots::escalation::{LadderError, PolicyError, PolicyRef};
use grassroots::id::{CaseId, OrgId, TenantId};
use grassroots::journal::{self, ExecuteError, JournalError, MemoryStore, StreamKey};
use grassroots::matter::DisputeKind;
use grassroots::org::OrgGraph;
use grassroots::service::{CatalogueError, Note, ServiceRequestError};
use grassroots::tier::Tier;
use grassroots::workflow::{CaseError, Context, ReplayError};
use grassroots::{Actor, Dispute, Error, Role};
use support::dispute_fixture::*;

/// `Err(e)?` in a function returning [`Error`]: what a user writes.
fn lift<E>(e: E) -> Result<(), Error>
where
    Error: From<E>,
{
    Err(e)?;
    Ok(())
}

#[test]
fn parse_errors_convert() {
    assert!(matches!(
        lift(CaseId::new("").unwrap_err()),
        Err(Error::Id(_))
    ));
    assert!(matches!(
        lift("sky".parse::<Tier>().unwrap_err()),
        Err(Error::Level(_))
    ));
    assert!(matches!(
        lift("Not A Name".parse::<DisputeKind>().unwrap_err()),
        Err(Error::Vocabulary(_))
    ));
    assert!(matches!(
        lift("weekend someday".parse::<WorkingCalendar>().unwrap_err()),
        Err(Error::Calendar(_))
    ));
    assert!(matches!(
        lift(Note::new(" ").unwrap_err()),
        Err(Error::Note(_))
    ));
}

#[test]
fn module_errors_convert() {
    let stranger = Actor::new("stranger".parse().unwrap());
    let forbidden = stranger.require("accept", Role::GridWorker).unwrap_err();
    assert!(matches!(lift(forbidden.clone()), Err(Error::Forbidden(_))));
    assert!(matches!(
        lift(ServiceRequestError::Forbidden(forbidden)),
        Err(Error::ServiceRequest(_))
    ));
    let missing = OrgGraph::new()
        .ancestor_at(&"nowhere".parse::<OrgId>().unwrap(), Tier::Community)
        .unwrap_err();
    assert!(matches!(lift(missing), Err(Error::OrgGraph(_))));
    assert!(matches!(
        lift(DisputeError::TooFewParties { count: 1 }),
        Err(Error::Dispute(_))
    ));
    let shape = journal::convert::<u32, u32>("Counted", 1, serde_json::json!("one"), |n| n + 1);
    assert!(matches!(lift(shape.unwrap_err()), Err(Error::Upcast(_))));
    let gap = ReplayError::Gap {
        case: "D-9".parse().unwrap(),
        expected: 1,
        found: 3,
    };
    assert!(matches!(lift(gap), Err(Error::Replay(_))));
    assert!(matches!(
        lift(LadderError::MissingJustification),
        Err(Error::Ladder(_))
    ));
    assert!(matches!(
        lift(CatalogueError::EmptyName {
            code: "BR-001".parse().unwrap()
        }),
        Err(Error::Catalogue(_))
    ));
    let policy = PolicyRef {
        id: "pinghu".parse().unwrap(),
        version: 1,
    };
    assert!(matches!(
        lift(PolicyError::DuplicatePolicy { policy }),
        Err(Error::Policy(_))
    ));
    let terminal = CaseError::<DisputeError>::Rejected(DisputeError::TooFewParties { count: 0 });
    assert!(matches!(lift(terminal), Err(Error::Case(_))));
}

#[cfg(feature = "sim")]
#[test]
fn the_load_generators_error_converts() {
    assert!(matches!(
        lift(grassroots::load::LoadError::NoEstates),
        Err(Error::Load(_))
    ));
}

#[test]
fn the_journals_execute_error_converts_by_meaning() -> Result<(), Error> {
    let store = MemoryStore::new();
    let tenant: TenantId = "longgang".parse()?;
    let case: CaseId = "D-1".parse()?;

    // A refusal: the same variant as a refusal by `Case::handle`.
    let refused = (|| -> Result<(), Error> {
        journal::execute(
            &store,
            &tenant,
            &dispute(),
            &case,
            &DisputeCommand::Accept,
            &Context::new(t0(), &party("li")),
            0,
        )?;
        Ok(())
    })();
    let Err(Error::Case(refusal)) = refused else {
        panic!("not a case error: {refused:?}");
    };
    let CaseError::Rejected(rejection) = *refusal else {
        panic!("not a rejection: {refusal:?}");
    };
    assert!(rejection.downcast_ref::<DisputeError>().is_some());

    // Contention keeps the stream and the attempts.
    let stream = StreamKey::of::<Dispute>(tenant.clone(), case.clone())?;
    let contended = ExecuteError::<DisputeError>::Contended {
        stream: stream.clone(),
        attempts: 4,
    };
    let message = contended.to_string();
    let Err(e) = lift(contended) else {
        panic!("converted to Ok");
    };
    assert_eq!(e.to_string(), message);
    assert!(matches!(e, Error::Contended { stream: s, attempts: 4 } if s == stream));

    // A journal failure: the same variant as from `journal::load`.
    let failure = ExecuteError::<DisputeError>::from(JournalError::VersionConflict {
        stream,
        expected: 1,
        actual: 2,
    });
    assert!(matches!(
        lift(failure),
        Err(Error::Journal(JournalError::VersionConflict { .. }))
    ));
    Ok(())
}
