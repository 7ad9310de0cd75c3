//! The law's must-hold properties (issue 13), over drawn days of 2025–2026
//! on the shipped holiday tables:
//!
//! - no joint confirmation application inside its window (30 days, the last
//!   day moved past a holiday) is refused for lateness (PML art. 33, Civil
//!   Code art. 203);
//! - no arbitration request after the 15 days from the body's receipt is
//!   refused for time (LDMAL art. 14);
//! - only rostered people's mediators record.

mod support {
    pub mod dispute_fixture;
}

use chrono::{DateTime, Days, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::calendar::WorkingCalendar;
use grassroots::dispute::{
    DisputeCommand as C, DisputeError, DisputeEvent as E, DisputeState, ReferralGround, Selection,
};
use grassroots::escalation::Referral;
use grassroots::workflow::{Case, CaseError, Context};
use proptest::prelude::*;
use support::dispute_fixture::*;

fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

/// A local time in Beijing on `day`, `minute` minutes after midnight.
fn local(day: NaiveDate, minute: u32) -> DateTime<Utc> {
    beijing()
        .from_local_datetime(&day.and_hms_opt(minute / 60, minute % 60, 0).unwrap())
        .unwrap()
        .to_utc()
}

/// Any day of 2025–2026.
fn day() -> impl Strategy<Value = NaiveDate> {
    (0u64..730).prop_map(|n| {
        NaiveDate::from_ymd_opt(2025, 1, 1)
            .unwrap()
            .checked_add_days(Days::new(n))
            .unwrap()
    })
}

/// The last day of a legal period of `n` days from `start`, computed from
/// the law and the calendar's days, not from `TimeLimit`: `start + n`,
/// moved to the next working day if it is a rest day or holiday.
fn last_day(start: NaiveDate, n: u64) -> NaiveDate {
    let cal = WorkingCalendar::prc();
    let mut last = start.checked_add_days(Days::new(n)).unwrap();
    while !cal.is_working_day(last) {
        last = last.succ_opt().unwrap();
    }
    last
}

/// Reports, accepts at `accepted` and assigns the academy's `qian`; then
/// `more` steps after it, a minute apart.
fn labour_case_from(accepted: DateTime<Utc>, more: usize) -> Case<Dispute> {
    let at = |n: i64| accepted + Duration::minutes(n);
    let mut steps = vec![
        (party("li"), at(-1), C::Report(labour_report())),
        (academy_officer(), at(0), C::Accept),
        (
            academy_officer(),
            at(1),
            C::AssignMediators {
                mediators: vec![aid("qian")],
                selection: Selection::Roster,
            },
        ),
        (mediator("qian"), at(2), C::RecordSession),
        (
            mediator("qian"),
            at(3),
            C::RecordAgreement {
                terms: "Acme pays the wages by the end of the month.".into(),
            },
        ),
        (party("li"), at(4), C::Sign),
        (party("acme-rep"), at(5), C::Sign),
        (mediator("qian"), at(6), C::Sign),
    ];
    steps.truncate(more + 2);
    drive(&dispute(), &steps)
}

use grassroots::dispute::Dispute;

fn handle(
    case: &mut Case<Dispute>,
    actor: &Actor,
    at: DateTime<Utc>,
    command: C,
) -> Result<(), CaseError<DisputeError>> {
    case.handle(&dispute(), &command, &Context::new(at, actor))
        .map(|_| ())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// PML art. 33 and Civil Code art. 203: an application on any day up
    /// to the window's last day (moved past holidays) is not refused for
    /// lateness; the day after it is.
    #[test]
    fn no_confirmation_application_inside_its_window_is_refused_for_lateness(
        start in day(),
        minute in 8 * 60u32..18 * 60,
        offset in 0u64..=31,
        apply_minute in 0u32..24 * 60,
    ) {
        let took_effect = local(start, minute);
        let case = labour_case_from(took_effect - Duration::minutes(6), 6);
        let agreed = matches!(case.state(), DisputeState::Agreed { .. });
        prop_assert!(agreed);
        let last = last_day(start, 30);
        let on = start.checked_add_days(Days::new(offset)).unwrap().min(last);
        let at = local(on, apply_minute).max(took_effect);
        let applicants = vec![aid("li"), aid("acme-rep")];
        let mut inside = case.clone();
        let outcome = handle(&mut inside, &party("li"), at, C::ApplyForConfirmation { applicants: applicants.clone() });
        prop_assert!(outcome.is_ok(), "applied {at} for an agreement of {took_effect}, last day {last}: {outcome:?}");
        // The first minute after the last day is late.
        let mut late = case;
        let after = local(last.succ_opt().unwrap(), 0);
        let outcome = handle(&mut late, &party("li"), after, C::ApplyForConfirmation { applicants });
        prop_assert!(
            matches!(outcome, Err(CaseError::Rejected(DisputeError::ConfirmationTooLate { .. }))),
            "{outcome:?}"
        );
    }

    /// LDMAL art. 14: once the 15 days from the body's receipt ended, a
    /// party's request for arbitration is accepted on that ground, in any
    /// state mediation is still open in, whether or not a tick ran.
    #[test]
    fn no_arbitration_request_after_the_period_is_refused_for_time(
        start in day(),
        minute in 8 * 60u32..18 * 60,
        stage in 0usize..=5,
        late_days in 0u64..40,
        late_minute in 0u32..24 * 60,
        ticked in any::<bool>(),
    ) {
        let accepted = local(start, minute);
        let mut case = labour_case_from(accepted, stage);
        let last = last_day(start, 15);
        let at = local(last.checked_add_days(Days::new(1 + late_days)).unwrap(), late_minute);
        if ticked {
            handle(&mut case, &system(), local(last.succ_opt().unwrap(), 0), C::Tick).unwrap();
        }
        if !case.state().is_open() {
            return Ok(());
        }
        let before = case.history().len();
        let outcome = handle(&mut case, &party("acme-rep"), at, C::Refer { to: Referral::Arbitration });
        prop_assert!(outcome.is_ok(), "{outcome:?} at {at}, accepted {accepted}");
        let recorded: Vec<&E> = case.history()[before..].iter().map(|r| &r.event).collect();
        prop_assert!(
            matches!(
                recorded.last(),
                Some(E::Referred { ground: Some(ReferralGround::NoAgreementWithinPeriod), .. })
            ),
            "{recorded:?}"
        );
    }

    /// PML arts. 13 and 19: whatever is drawn — who, with which role, on
    /// which day of March 2026, assigned from the roster or chosen — a
    /// session, an agreement or the end of mediation is recorded only by
    /// an assigned mediator with the mediator role who is on a roster that
    /// day (the fixture's rosters, written out here as the oracle).
    #[test]
    fn only_rostered_mediators_record(
        who in prop::sample::select(vec!["qian", "he", "chen", "zhou", "fang", "volunteer", "li"]),
        with_role in any::<bool>(),
        chosen in any::<bool>(),
        day in 2u32..=31,
        command in 0usize..3,
    ) {
        let selection = if chosen { Selection::ChosenByParties } else { Selection::Roster };
        let assign = C::AssignMediators { mediators: vec![aid(who)], selection };
        let mut case = labour_case_from(local(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), 9 * 60), 0);
        let assigned = handle(&mut case, &academy_officer(), local(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), 10 * 60), assign).is_ok();
        if !assigned {
            // Someone else mediates; `who` tries anyway.
            let qian = C::AssignMediators { mediators: vec![aid("qian")], selection: Selection::Roster };
            handle(&mut case, &academy_officer(), local(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), 10 * 60), qian).unwrap();
        }
        let date = NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
        let at = local(date, 11 * 60);
        if command > 0 {
            // Sessions first, by Qian or `who` if assigned.
            let by = if assigned { who } else { "qian" };
            let _ = handle(&mut case, &mediator(by), at - Duration::minutes(5), C::RecordSession);
        }
        let actor = if with_role { mediator(who) } else { Actor::new(aid(who)).with_role(Role::Party) };
        let command = match command {
            0 => C::RecordSession,
            1 => C::RecordAgreement { terms: "Acme pays.".into() },
            _ => C::TerminateMediation { reason: grassroots::dispute::FailureReason::PartyAbsent },
        };
        let accepted = handle(&mut case, &actor, at, command).is_ok();
        let on_roster = match who {
            "qian" => true,
            "he" => day <= 10,
            "chen" | "zhou" => chosen,
            _ => false,
        };
        let assigned_here = assigned || who == "qian";
        prop_assert!(!accepted || (with_role && assigned_here && on_roster),
            "{who} (role {with_role}, chosen {chosen}, assigned {assigned}) recorded on {date}");
        // And the other way: an assigned, rostered mediator is not refused
        // for who it is (only for the rules of the state).
        if with_role && assigned_here && on_roster {
            let refused_for_who = !accepted && matches!(
                case.state(),
                DisputeState::Mediating { .. }
            );
            prop_assert!(!refused_for_who || case.state().mediators().is_empty(),
                "{who} on {date} refused");
        }
    }
}
