//! The dispute-mediation workflow: people's mediation (人民调解) from report
//! to follow-up visit, as the report and the law describe it.
//!
//! A dispute — labour, commercial, neighbour, property management, consumer
//! or other — between two or more [`Party`]s is reported at a place of the
//! organisation graph through a [`Channel`] (a party, a grid worker, a
//! merchants' council, a "secretary face-to-face" session, a court or
//! police referral). The body the graph routes it to accepts it at a tier
//! (or declines it, naming the routes left open); mediators are assigned
//! from its roster or chosen by the parties; sessions are recorded; the
//! agreement takes effect when every party and the mediator have signed;
//! the parties may jointly apply for judicial confirmation within 30 days;
//! the agreement is fulfilled or breached. Or mediation fails, and the
//! dispute goes up the escalation ladder to the next tier's routed body, or
//! out to arbitration or litigation. A follow-up visit with a satisfaction
//! rating closes it.
//!
//! [`Dispute`] is the configured machine: the [`Ladder`](crate::escalation::Ladder)
//! it embeds (and through it the org graph, the working calendar and the
//! escalation policies) plus its [`DisputeSettings`]. Its `decide` holds
//! every rule below; every refusal is a [`DisputeError`] naming who, what
//! and which rule.
//!
//! # Example
//!
//! An owner against the property company of Mancheng estate; a conflicted
//! mediator is refused, an agreement is signed, confirmation is applied for
//! jointly, and the ladder's report reads the history:
//!
//! ```
//! use chrono::{Duration, NaiveDate, TimeZone, Utc};
//! use grassroots::actor::{Actor, Role};
//! use grassroots::calendar::WorkingCalendar;
//! use grassroots::dispute::{
//!     Channel, Dispute, DisputeCommand as C, DisputeError, DisputeState, Obligation,
//!     ObligationKind, ObligationPerformance, Party, Report, Satisfaction, Selection,
//! };
//! use grassroots::escalation::{Ladder, MatterReport, Outcome, PolicyBook};
//! use grassroots::matter::DisputeKind;
//! use grassroots::org::{Capability, Org, OrgGraph, OrgKind, Relation, Validity};
//! use grassroots::tier::{Severity, Tier};
//! use grassroots::workflow::{Case, Context};
//!
//! let since = Validity::since(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
//! let mut graph = OrgGraph::new();
//! graph.try_add_org(Org::new("hehua".parse()?, "Hehua community", OrgKind::Community))?;
//! graph.try_add_org(Org::new("mancheng".parse()?, "Mancheng estate", OrgKind::HousingEstate))?;
//! graph.try_add_org(
//!     Org::new("hehua-med".parse()?, "Hehua mediation committee", OrgKind::MediationCommittee)
//!         .with_capability(Capability::Mediation(DisputeKind::PropertyManagement)),
//! )?;
//! graph.try_add_org(Org::new("pm-co".parse()?, "Property company", OrgKind::PropertyManagementCompany))?;
//! graph.try_add_org(Org::new("p-chen".parse()?, "Chen", OrgKind::Person("chen".parse()?)))?;
//! graph.try_add_org(Org::new("p-sun".parse()?, "Sun", OrgKind::Person("sun".parse()?)))?;
//! graph.try_link(&"mancheng".parse()?, Relation::PartOf, &"hehua".parse()?)?;
//! graph.try_link(&"hehua-med".parse()?, Relation::Serves(since), &"hehua".parse()?)?;
//! graph.try_link(&"p-chen".parse()?, Relation::MemberOf(since), &"hehua-med".parse()?)?;
//! graph.try_link(&"p-sun".parse()?, Relation::MemberOf(since), &"hehua-med".parse()?)?;
//! graph.try_link(&"p-sun".parse()?, Relation::MemberOf(since), &"pm-co".parse()?)?;
//!
//! let ladder = Ladder::new(PolicyBook::default(), graph, WorkingCalendar::prc());
//! let dispute = Dispute::new(ladder);
//!
//! let owner = Actor::new("owner-wu".parse()?).with_role(Role::Party);
//! let company = Actor::new("pm-rep".parse()?).with_role(Role::Party);
//! let officer = Actor::new("officer-lin".parse()?)
//!     .with_role(Role::Officer(Tier::Community))
//!     .acting_for("hehua-med".parse()?);
//! let chen = Actor::new("chen".parse()?).with_role(Role::Mediator);
//! let t = |minutes| Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap() + Duration::minutes(minutes);
//! let at = |minutes, actor| Context::new(t(minutes), actor);
//!
//! let mut case = Case::<Dispute>::new("LG-2026-0042".parse()?);
//! let report = Report {
//!     kind: DisputeKind::PropertyManagement,
//!     parties: vec![
//!         Party::person("owner-wu".parse()?),
//!         Party::enterprise("pm-rep".parse()?, "pm-co".parse()?),
//!     ],
//!     location: "mancheng".parse()?,
//!     channel: Channel::Party,
//!     severity: Severity::Serious, // big matters stay in the community
//! };
//! case.handle(&dispute, &C::Report(report), &at(0, &owner))?;
//! case.handle(&dispute, &C::Accept, &at(5, &officer))?;
//! assert_eq!(case.state().tier(), Some(Tier::Community));
//!
//! // Sun works for the property company: refused, naming who and why.
//! let sun = C::AssignMediators { mediators: vec!["sun".parse()?], selection: Selection::Roster };
//! let refused = case.handle(&dispute, &sun, &at(10, &officer)).unwrap_err();
//! assert_eq!(
//!     refused.rejection(),
//!     Some(&DisputeError::MediatorConflict {
//!         mediator: "sun".parse()?,
//!         party: "pm-rep".parse()?,
//!         org: "pm-co".parse()?,
//!     })
//! );
//! let chen_assigned = C::AssignMediators { mediators: vec!["chen".parse()?], selection: Selection::Roster };
//! case.handle(&dispute, &chen_assigned, &at(10, &officer))?;
//! case.handle(&dispute, &C::RecordSession, &at(60, &chen))?;
//! // The written agreement (PML art. 29): facts, terms, each obligation.
//! let terms = C::RecordAgreement {
//!     facts: "The lift of building 3 has been broken since January.".into(),
//!     terms: "The company repairs the lift by 31 March.".into(),
//!     obligations: vec![Obligation::new("pm-rep".parse()?, ObligationKind::Act, "repairs the lift")],
//! };
//! case.handle(&dispute, &terms, &at(90, &chen))?;
//! // In effect on the last of the signatures and the committee's seal.
//! case.handle(&dispute, &C::AffixSeal, &at(92, &officer))?;
//! for signer in [&owner, &company, &chen] {
//!     case.handle(&dispute, &C::Sign, &at(95, signer))?;
//! }
//! assert!(matches!(case.state(), DisputeState::Agreed { .. }));
//!
//! // Judicial confirmation is applied for jointly: one party alone is refused.
//! let alone = C::ApplyForConfirmation { applicants: vec!["owner-wu".parse()?] };
//! let refused = case.handle(&dispute, &alone, &at(120, &owner)).unwrap_err();
//! assert!(matches!(refused.rejection(), Some(DisputeError::ConfirmationNotJoint { .. })));
//! let joint = C::ApplyForConfirmation { applicants: vec!["owner-wu".parse()?, "pm-rep".parse()?] };
//! case.handle(&dispute, &joint, &at(120, &owner))?;
//!
//! // Performance is followed obligation by obligation (PML art. 31).
//! let repaired = C::RecordObligation { obligation: 0, performance: ObligationPerformance::Performed };
//! case.handle(&dispute, &repaired, &at(60 * 24 * 30, &chen))?;
//! assert!(matches!(case.state(), DisputeState::Fulfilled { .. }));
//! let visit = C::RecordFollowUp { rating: Satisfaction::Satisfied };
//! case.handle(&dispute, &visit, &at(60 * 24 * 31, &chen))?;
//! assert!(case.is_terminal());
//!
//! // The embedded ladder's report works on the dispute's own history.
//! let report = MatterReport::from_history(case.history());
//! assert_eq!(report.outcome, Outcome::Resolved(Tier::Community));
//! assert_eq!(Case::<Dispute>::replay(case.id().clone(), case.history().to_vec())?, case);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The rules `decide` enforces
//!
//! | rule | refusal |
//! |---|---|
//! | a dispute has two or more distinct parties, at a territorial place of the graph | [`TooFewParties`](DisputeError::TooFewParties), [`DuplicateParty`](DisputeError::DuplicateParty), [`UnknownLocation`](DisputeError::UnknownLocation), [`LocationNotTerritorial`](DisputeError::LocationNotTerritorial), [`UnknownPartyOrg`](DisputeError::UnknownPartyOrg) |
//! | the channel says who reports: a party (one of the parties), a grid worker, or an officer for a council, a face-to-face session, a court or the police | [`NotAParty`](DisputeError::NotAParty), [`Forbidden`](DisputeError::Forbidden) |
//! | only officers of the routed body (acting for it, officers of its tier) accept, decline, assign mediators and escalate | [`NotBodyOfficer`](DisputeError::NotBodyOfficer) |
//! | mediation is voluntary: a party may refuse before it starts (there is none) and withdraw while it is open | [`NotAParty`](DisputeError::NotAParty) |
//! | a decline names the routes left open | [`NoRoutesNamed`](DisputeError::NoRoutesNamed) |
//! | every ending without agreement — refusal, withdrawal, failure, referral — records the routes open by kind, [`Routes::open_for`] (PML art. 26) | — (recorded, never refused) |
//! | mediators: at least one, distinct, from the body's roster unless chosen by the parties; none a party, none a member of an organisation a party is, represents or belongs to, on the day | [`NoMediators`](DisputeError::NoMediators), [`DuplicateMediator`](DisputeError::DuplicateMediator), [`NotOnRoster`](DisputeError::NotOnRoster), [`MediatorIsParty`](DisputeError::MediatorIsParty), [`MediatorConflict`](DisputeError::MediatorConflict) |
//! | only an assigned mediator records sessions and the agreement (after a session, with terms) or ends the mediation | [`NotAssignedMediator`](DisputeError::NotAssignedMediator), [`NoSessionYet`](DisputeError::NoSessionYet), [`EmptyTerms`](DisputeError::EmptyTerms) |
//! | only people's mediators mediate: recording a session, an agreement, a signature as mediator or the end of mediation needs the mediator role and a place on the roster that day — the handling body's, or for a mediator the parties chose a people's mediation committee's (PML arts. 13, 19) | [`Forbidden`](DisputeError::Forbidden), [`MediatorNotRostered`](DisputeError::MediatorNotRostered) |
//! | a mediator the parties choose is a people's mediator (PML art. 19) | [`NotAPeoplesMediator`](DisputeError::NotAPeoplesMediator) |
//! | a party may ask for an assigned mediator to be replaced, giving the reason (PML art. 23) | [`NotAParty`](DisputeError::NotAParty), [`NotAnAssignedMediator`](DisputeError::NotAnAssignedMediator), [`NoRecusalReason`](DisputeError::NoRecusalReason) |
//! | an oral agreement (PML arts. 28, 30): recorded by a rostered mediator after a session, with its content; in effect at once; never judicially confirmed | [`NoSessionYet`](DisputeError::NoSessionYet), [`EmptyTerms`](DisputeError::EmptyTerms), [`OralAgreementNotConfirmable`](DisputeError::OralAgreementNotConfirmable) |
//! | the written agreement (PML art. 29) states the facts and issues and each obligation — who (a party), what, how much (never negative), by when (not before the agreement) | [`NoFactsStated`](DisputeError::NoFactsStated), [`ObligorNotAParty`](DisputeError::ObligorNotAParty), [`EmptyObligation`](DisputeError::EmptyObligation), [`NegativeAmount`](DisputeError::NegativeAmount), [`DueBeforeAgreement`](DisputeError::DueBeforeAgreement) |
//! | only parties and the agreement's mediator sign, once each, and an officer of the handling body affixes its seal, once; the last of the signatures and the seal puts it into effect (PML art. 29) | [`NotSignatory`](DisputeError::NotSignatory), [`AlreadySigned`](DisputeError::AlreadySigned), [`AlreadySealed`](DisputeError::AlreadySealed) |
//! | performance is followed obligation by obligation; the agreement is fulfilled only when none is outstanding, and an obligation is not breached before it falls due; a breach names the routes — litigation, for labour arbitration and a payment order for unpaid wages, enforcement once confirmed (PML arts. 31, 32; LDMAL arts. 15, 16) | [`UnknownObligation`](DisputeError::UnknownObligation), [`ObligationAlreadyPerformed`](DisputeError::ObligationAlreadyPerformed), [`ObligationNotYetDue`](DisputeError::ObligationNotYetDue), [`ObligationsOutstanding`](DisputeError::ObligationsOutstanding) |
//! | the court's ruling on a pending application is recorded, confirmed or refused with its ground; a confirmed agreement not performed may go to enforcement, once (PML art. 33) | [`NoConfirmationPending`](DisputeError::NoConfirmationPending), [`NotConfirmed`](DisputeError::NotConfirmed), [`EnforcementAlreadyApplied`](DisputeError::EnforcementAlreadyApplied) |
//! | a follow-up visit is recorded by a mediator, a grid worker or a grid-tier officer, once it is due | [`Forbidden`](DisputeError::Forbidden) |
//! | judicial confirmation: applied for by a party, naming every party, once, before the window (30 days from taking effect) closes | [`ConfirmationNotJoint`](DisputeError::ConfirmationNotJoint), [`ApplicantNotAParty`](DisputeError::ApplicantNotAParty), [`ConfirmationTooLate`](DisputeError::ConfirmationTooLate), [`ConfirmationAlreadyApplied`](DisputeError::ConfirmationAlreadyApplied) |
//! | judicial confirmation only of a people's mediation agreement: not before a commercial mediation organisation (PML art. 33) | [`NotJudiciallyConfirmable`](DisputeError::NotJudiciallyConfirmable) |
//! | labour disputes: a party may apply for arbitration directly, unwilling to mediate (LDMAL art. 5), or once 15 days from the body's receipt (its acceptance) passed without agreement (LDMAL art. 14), judged from the clock; a `Tick` records `ArbitrationOpened` | [`NotLabourDispute`](DisputeError::NotLabourDispute), [`NotAParty`](DisputeError::NotAParty), [`RouteNotOpen`](DisputeError::RouteNotOpen) |
//! | referral after a failed mediation: a party or the body's officer, to a route the law leaves open ([`Routes::open_for`]) | [`NotBodyOfficer`](DisputeError::NotBodyOfficer), [`RouteNotOpen`](DisputeError::RouteNotOpen) |
//! | a risk of intensification is reported (PML art. 25): by an assigned mediator or the handling body's officer, with the measures taken, to the nearest body with the capability asked for (public security, the comprehensive governance centre: `EarlyWarning`), mediation continuing or the case handed over | [`NotMediatorOrOfficer`](DisputeError::NotMediatorOrOfficer), [`NoMeasuresRecorded`](DisputeError::NoMeasuresRecorded), [`NoBodyToReportTo`](DisputeError::NoBodyToReportTo) |
//! | a risk flag raises the severity (on the ladder too, while it is being mediated), sent by a grid worker, mediator, officer, supervisor or the system | [`SeverityNotRaised`](DisputeError::SeverityNotRaised), [`Forbidden`](DisputeError::Forbidden) |
//! | the ladder's own rules: the ceiling, overrides in writing by the higher tier, routing | [`Ladder`](DisputeError::Ladder) |
//!
//! # The ladder inside
//!
//! The dispute embeds the escalation [`Ladder`](crate::escalation::Ladder):
//! [`DisputeEvent::Ladder`] wraps the ladder's events, `decide` calls
//! [`Ladder::decide_embedded`](crate::escalation::Ladder::decide_embedded)
//! and wraps what it returns, `evolve` delegates the ladder's part of the
//! state to the ladder's own `evolve`. Acceptance starts the ladder (the
//! `Started` step names the routed body, whose officers alone may accept);
//! a failed mediation escalates with reason `HandlingFailed` to the next
//! tier's routed body, which accepts and assigns mediators anew; a risk
//! flag is `RaiseSeverity { cause: RiskOfIntensifying }`; ticks drive the
//! ladder's time limits and supervision; the agreement taking effect
//! resolves it; an exhausted ladder is referred out with the dispute.
//! [`DisputeEvent`] implements [`LadderEvents`](crate::escalation::LadderEvents),
//! so ladder reports read dispute histories.
//!
//! # The state × command table
//!
//! Rows are commands, columns states. **→ X**: accepted, the dispute moves
//! to X; **=**: accepted, it stays; **·**: refused with
//! [`DisputeError::NotApplicable`]. `Declined`, `Refused` and `Closed` are
//! terminal: the kernel refuses every command there
//! ([`CaseError::Terminal`](crate::workflow::CaseError::Terminal)).
//! `tests/dispute.rs` asserts every cell.
//!
//! | command ╲ state | Unreported | Reported | Accepted | Escalated | Mediating | Signing | Agreed | MediationFailed | Fulfilled, Breached, Referred, Withdrawn | Declined, Refused, Closed |
//! |---|---|---|---|---|---|---|---|---|---|---|
//! | `Report` | → Reported | · | · | · | · | · | · | · | · | terminal |
//! | `Accept` | · | → Accepted ¹ | · | → Accepted | · | · | · | · | · | terminal |
//! | `Decline` | · | → Declined | · | → Declined | · | · | · | · | · | terminal |
//! | `Refuse` | · | → Refused | → Refused | → Refused | · | · | · | · | · | terminal |
//! | `Withdraw` | · | → Withdrawn | → Withdrawn | → Withdrawn | → Withdrawn | → Withdrawn | · | → Withdrawn | · | terminal |
//! | `AssignMediators` | · | · | → Mediating | · | · | · | · | · | · | terminal |
//! | `RequestRecusal` | · | · | · | · | = or → Accepted ⁸ | · | · | · | · | terminal |
//! | `RecordSession` | · | · | · | · | = | · | · | · | · | terminal |
//! | `RecordAgreement` | · | · | · | · | → Signing | · | · | · | · | terminal |
//! | `RecordOralAgreement` | · | · | · | · | → Agreed ¹⁰ | · | · | · | · | terminal |
//! | `Sign` | · | · | · | · | · | = or → Agreed ² | · | · | · | terminal |
//! | `AffixSeal` | · | · | · | · | · | = or → Agreed ² | · | · | · | terminal |
//! | `ApplyForConfirmation` | · | · | · | · | · | · | = | · | · | terminal |
//! | `RecordRuling` | · | · | · | · | · | · | = ¹² | · | · | terminal |
//! | `RecordPerformance` | · | · | · | · | · | · | → Fulfilled or Breached ¹¹ | · | · | terminal |
//! | `RecordObligation` | · | · | · | · | · | · | =, → Fulfilled or → Breached ¹¹ | · | · | terminal |
//! | `ApplyForEnforcement` | · | · | · | · | · | · | · | · | = (Breached only) ¹² | terminal |
//! | `TerminateMediation` | · | · | · | · | → MediationFailed | → MediationFailed | · | · | · | terminal |
//! | `Escalate` | · | · | · | · | · | · | · | → Escalated ³ | · | terminal |
//! | `OverrideCeiling` | · | · | · | · | · | · | · | → Escalated ³ | · | terminal |
//! | `Refer` | · | → Referred ⁴ | → Referred ⁴ | → Referred ⁴ | → Referred ⁴ | → Referred ⁴ | · | → Referred ⁵ | · | terminal |
//! | `FlagRisk` | · | = | = ⁶ | = ⁶ | = ⁶ | = ⁶ | = | = ⁶ | = | terminal |
//! | `ReportRisk` | · | · | = or → Referred ⁹ | = or → Referred ⁹ | = or → Referred ⁹ | = or → Referred ⁹ | · | = or → Referred ⁹ | · | terminal |
//! | `Tick` | = | = ⁷ | = ⁶ ⁷ | = ⁶ ⁷ | = ⁶ ⁷ | = ⁶ ⁷ | = | = ⁶ ⁷ | = | terminal |
//! | `RecordFollowUp` | · | · | · | · | · | · | · | · | → Closed | terminal |
//!
//! 1. Records `Ladder.Started` (the routed body) then `Accepted`; only an
//!    officer acting for that body.
//! 2. The written agreement is in effect on the last of the parties'
//!    signatures, the mediator's and the handling body's seal (PML art.
//!    29): that last step also records `AgreementTookEffect` (with the
//!    confirmation deadline) and resolves the ladder (`Ladder.Resolved`).
//! 3. Up one tier to its routed body (`Ladder.Escalated`); `Escalate`
//!    within the ceiling, `OverrideCeiling` past it. At the top of the graph
//!    the ladder is exhausted instead (`Ladder.Exhausted`) and the dispute
//!    stays, to be referred out.
//! 4. Labour disputes only: a party, to arbitration — directly (LDMAL
//!    art. 5), or after 15 days from acceptance without agreement (art. 14;
//!    `ArbitrationOpened` is recorded first if no tick did).
//! 5. A party or the body's officer, to a route named at the failure; an
//!    exhausted ladder records `Ladder.ReferredOut` first.
//! 6. On the ladder: a raised severity whose band starts higher, or a tier's
//!    time limit running out on a tick, moves the dispute up (→ Escalated,
//!    to be accepted anew); at the ceiling a tick sends supervision
//!    reminders and notices instead.
//! 7. A labour dispute's first tick after its deadline (15 days from
//!    acceptance) records `ArbitrationOpened`. A tick with nothing due
//!    records nothing.
//! 8. The mediator leaves; the last one leaving sends the dispute back to
//!    `Accepted`, to await new mediators.
//! 9. `RiskReported`; a hand-over also records `Referred` (administrative
//!    handling, ground `RiskHandedOver`, the routes named).
//! 10. `OralAgreementReached`, then `Ladder.Resolved`: in effect at once.
//! 11. Performance is followed obligation by obligation (PML art. 31):
//!     `ObligationPerformed`, the last one also `AgreementFulfilled`; one
//!     not performed (once due) or disputed records `AgreementBreached`
//!     with the routes (PML art. 32; LDMAL arts. 15–16; enforcement once
//!     confirmed). `RecordPerformance { Fulfilled }` is refused while an
//!     obligation is outstanding.
//! 12. `ConfirmationRuled` on a pending application (confirmed, or refused
//!     on a ground, naming litigation); a confirmed agreement breached may
//!     go to enforcement (`EnforcementApplied`, once, by a party; PML art.
//!     33).
//!
//! # The state diagram
//!
//! Generated from the transition table by
//! [`mermaid::<Dispute>()`](crate::workflow::mermaid) (also in
//! `docs/dispute.mmd`; a test keeps both equal to the table):
//!
//! ```mermaid
//! stateDiagram-v2
//!     [*] --> Unreported
//!     Unreported --> Reported: Reported
//!     Reported --> Reported: Ladder.Started, RiskFlagged, ArbitrationOpened
//!     Reported --> Accepted: Accepted
//!     Reported --> Declined: Declined
//!     Reported --> Refused: MediationRefused
//!     Reported --> Withdrawn: Withdrawn
//!     Reported --> Referred: Referred
//!     Accepted --> Mediating: MediatorsAssigned
//!     Accepted --> Refused: MediationRefused
//!     Accepted --> Withdrawn: Withdrawn
//!     Accepted --> Referred: Referred
//!     Accepted --> Escalated: Ladder.Escalated
//!     Accepted --> Accepted: RiskFlagged, RiskReported, ArbitrationOpened, Ladder.SeverityRaised, Ladder.SupervisionReminded, Ladder.SupervisionNoticeIssued
//!     Escalated --> Accepted: Accepted
//!     Escalated --> Declined: Declined
//!     Escalated --> Refused: MediationRefused
//!     Escalated --> Withdrawn: Withdrawn
//!     Escalated --> Referred: Referred
//!     Escalated --> Escalated: Ladder.Escalated, RiskFlagged, RiskReported, ArbitrationOpened, Ladder.SeverityRaised, Ladder.SupervisionReminded, Ladder.SupervisionNoticeIssued
//!     Mediating --> Mediating: SessionRecorded, MediatorRecused, RiskFlagged, RiskReported, ArbitrationOpened, Ladder.SeverityRaised, Ladder.SupervisionReminded, Ladder.SupervisionNoticeIssued
//!     Mediating --> Accepted: MediatorRecused
//!     Mediating --> Signing: AgreementRecorded
//!     Mediating --> Agreed: OralAgreementReached
//!     Mediating --> MediationFailed: MediationFailed
//!     Mediating --> Withdrawn: Withdrawn
//!     Mediating --> Referred: Referred
//!     Mediating --> Escalated: Ladder.Escalated
//!     Signing --> Signing: AgreementSigned, SealAffixed, RiskFlagged, RiskReported, ArbitrationOpened, Ladder.SeverityRaised, Ladder.SupervisionReminded, Ladder.SupervisionNoticeIssued
//!     Signing --> Agreed: AgreementTookEffect
//!     Signing --> MediationFailed: MediationFailed
//!     Signing --> Withdrawn: Withdrawn
//!     Signing --> Referred: Referred
//!     Signing --> Escalated: Ladder.Escalated
//!     Agreed --> Agreed: Ladder.Resolved, ConfirmationApplied, ConfirmationRuled, ObligationPerformed, RiskFlagged
//!     Agreed --> Fulfilled: AgreementFulfilled
//!     Agreed --> Breached: AgreementBreached
//!     MediationFailed --> Escalated: Ladder.Escalated
//!     MediationFailed --> Referred: Referred
//!     MediationFailed --> Withdrawn: Withdrawn
//!     MediationFailed --> MediationFailed: Ladder.Exhausted, Ladder.ReferredOut, RiskFlagged, RiskReported, ArbitrationOpened, Ladder.SeverityRaised, Ladder.SupervisionReminded, Ladder.SupervisionNoticeIssued
//!     Fulfilled --> Closed: FollowedUp
//!     Fulfilled --> Fulfilled: RiskFlagged
//!     Breached --> Closed: FollowedUp
//!     Breached --> Breached: EnforcementApplied, RiskFlagged
//!     Referred --> Closed: FollowedUp
//!     Referred --> Referred: RiskFlagged
//!     Withdrawn --> Closed: FollowedUp
//!     Withdrawn --> Withdrawn: RiskFlagged
//!     Declined --> [*]
//!     Refused --> [*]
//!     Closed --> [*]
//! ```

mod command;
mod decide;
mod display;
mod error;
mod event;
mod routes;
mod state;
mod table;

pub use command::{
    Channel, DeclineReason, DisputeCommand, DisputeCommandKind, FailureReason, Obligation,
    ObligationKind, ObligationPerformance, Party, PartyKind, Performance, ReferralGround,
    RefusalGround, Report, RiskContinuation, Ruling, Satisfaction, Selection,
};
pub use decide::{Dispute, DisputeSettings};
pub use error::{DisputeError, DisputeStateError};
pub use event::{AgreementRecorded, DisputeEvent, DisputeEventKind, Reported};
pub use routes::{Remedy, Routes};
pub use state::{
    Agreement, AgreementForm, Confirmation, DisputeFile, DisputeState, DisputeStateKind, Draft,
    Ending, LabourLimit, Mediation,
};
#[cfg(feature = "proptest")]
pub mod strategies;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escalation::LadderEventKind;
    use crate::workflow::mermaid;

    /// The Mermaid block of these docs.
    fn documented_diagram() -> String {
        let source = include_str!("mod.rs");
        let mut lines = source
            .lines()
            .skip_while(|l| l.trim_end() != "//! ```mermaid")
            .skip(1);
        let mut out = String::new();
        for line in lines.by_ref() {
            if line.trim_end() == "//! ```" {
                break;
            }
            out.push_str(
                line.strip_prefix("//! ")
                    .unwrap_or(line.trim_start_matches("//!")),
            );
            out.push('\n');
        }
        out
    }

    #[test]
    fn the_diagram_in_the_docs_is_drawn_from_the_transition_table() {
        assert_eq!(documented_diagram(), mermaid::<Dispute>());
    }

    #[test]
    fn the_diagram_file_is_drawn_from_the_transition_table() {
        assert_eq!(include_str!("../../docs/dispute.mmd"), mermaid::<Dispute>());
    }

    #[test]
    fn every_state_and_event_kind_is_in_the_table() {
        use crate::workflow::{Kind, Workflow, state_kinds};
        let mut kinds = state_kinds::<Dispute>();
        kinds.sort_unstable();
        let all: Vec<DisputeStateKind> = DisputeStateKind::all().collect();
        assert_eq!(kinds, all);
        // Every event kind but the ladder's own bookkeeping is performed
        // somewhere.
        for event in DisputeEventKind::all() {
            let used = Dispute::transitions().iter().any(|t| t.event == event);
            // Disputes never move a tier's due date by hand.
            let ladder_only = event == DisputeEventKind::Ladder(LadderEventKind::Rescheduled);
            assert!(used || ladder_only, "{event} is in no transition");
        }
    }

    #[test]
    fn public_types_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Dispute>();
        assert_send_sync::<DisputeState>();
        assert_send_sync::<DisputeCommand>();
        assert_send_sync::<DisputeEvent>();
        assert_send_sync::<DisputeError>();
        assert_send_sync::<Routes>();
    }
}
