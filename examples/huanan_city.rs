//! Pinghu subdistrict's Huanan City commercial district, as the source
//! report describes it, with the whole library at work:
//!
//! - the organisation graph: the parks ringed around Huanan City ("seven
//!   stars around the moon"), the merchants' council, the party–public
//!   service centres, the mediation academy and the people's mediation
//!   committee it hosts (whose members are its trainee mediators), the
//!   comprehensive governance centre, Hehua community and its commercial
//!   mediation studio, the 13-member expert think tank, and the Huanan City
//!   branch of the district service hall (the crate's `service::sample`
//!   graph, extended);
//! - a labour dispute mediated by a trainee of the academy inside the park;
//! - a commercial dispute that fails at the park and goes up to the
//!   community tier, where the commercial mediation studio serves the
//!   commercial district through a service link that came from a pairing;
//! - three service requests at the branch, each accepted (受理): one it
//!   handles itself; one its agent clerk submits for the applicant on a
//!   written authorisation (代办) and the branch forwards to the bureau;
//!   one that goes overdue and under supervision — found and ticked by the
//!   sweeper from the due index, not by hand — and, reviewed as
//!   dissatisfied, is rectified and followed up before it closes;
//! - every history kept in an event store (a SQLite file with the `sqlite`
//!   feature, memory without), hash chains verified, one case reloaded;
//! - the metrics, with the share of matters that stayed within their ceiling
//!   ("small matters stay in the park, big matters stay in the community");
//! - the Mermaid and DOT diagrams written to files.
//!
//! Where the places are, and why. The report puts the commercial district
//! (华南城商圈: Huanan City with the parks around it) in Pinghu subdistrict,
//! and the commercial mediation studio in Hehua community; it does not say
//! the district lies inside one community. So the district is part of
//! Pinghu, at the community tier, and Huanan City and the three parks are
//! part of the district; Hehua is a community of Pinghu beside it. "Small
//! matters stay in the park, big matters stay in the community" then reads:
//! a small matter is handled at the park (the estate tier), a big one at the
//! community tier, where Hehua's studio serves the district. The studio is
//! there because Pinghu's party working committee paired with the
//! legal-affairs party branch of the municipal council for the promotion of
//! international trade (结对共建); a pairing is party building, not
//! jurisdiction, so the studio handles cases through its service links to
//! Hehua and to the district, each recording that pairing as its origin.
//! Hehua's people's mediation committee serving the district for the other
//! kinds of big matters is ours, not the report's.
//!
//! Who mediates. The mediation academy trains; it is not a mediation
//! organisation. Its trainees mediate as members of the parks' people's
//! mediation committee, which the academy hosts. The merchants' council
//! collects problems and reports disputes; it does not mediate. The studio
//! is a commercial mediation organisation: its agreements are contracts.
//!
//! The places and bodies are the report's, but for the two people's
//! mediation committees (the parks', hosted by the academy, and Hehua's) and
//! the Pinghu party working committee. The people, enterprises, cases,
//! amounts and dates are made up, and so are the service items (see
//! `grassroots::service::sample`).
//!
//! Run with `cargo run --features sim --example huanan_city` (histories in memory) or
//! `cargo run --features sim,sqlite --example huanan_city` (histories in a SQLite
//! file). Files go to `target/huanan_city/`, or to the directory given as the
//! first argument.

use std::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::calendar::WorkingCalendar;
use grassroots::dispute::{
    Channel, Dispute, DisputeCommand, DisputeError, DisputeEvent, DisputeStateKind, FailureReason,
    Obligation, ObligationKind, ObligationPerformance, Party, Report, Routes, Satisfaction,
    Selection,
};
use grassroots::escalation::{
    EscalationReason, Ladder, LadderEvent, LadderSummary, MatterReport, PolicyBook,
};
use grassroots::i18n::{Lang, Localized};
use grassroots::id::{ActorId, CaseId, OrgId, TenantId};
use grassroots::journal::read::{self, CaseIndex, CaseQueries, Page, Runner, WorkItem, WorkQueue};
use grassroots::journal::{self, EventStore, ExecuteError, Journaled, Sweeper};
use grassroots::matter::DisputeKind;
use grassroots::org::{
    Capability, Link, LinkOrigin, Mechanism, Need, Org, OrgGraph, OrgKind, Relation, RouteReason,
    Validity,
};
use grassroots::service::{
    AttributeValue, HallMetrics, Mode, Review, ServiceRequest, ServiceRequestCommand,
    ServiceRequestEvent, ServiceRequestStateKind, sample, supervision_policy,
};
use grassroots::tier::{Severity, Tier};
use grassroots::workflow::HasKind;
use grassroots::workflow::{Case, Context, Recorded, dot, mermaid};

#[path = "support/args.rs"]
pub(crate) mod args;

type Result<T, E = Box<dyn Error>> = std::result::Result<T, E>;

// ---------------------------------------------------------------------------
// What the run found: the integration test asserts on it.
// ---------------------------------------------------------------------------

/// Everything the story ends with.
#[derive(Debug)]
#[allow(dead_code)] // read by tests/examples.rs
pub(crate) struct Outcome {
    /// The labour dispute in the park.
    pub(crate) labour: DisputeOutcome,
    /// Why the academy's first choice of mediator was refused.
    pub(crate) conflict: Option<DisputeError>,
    /// The commercial dispute that went up to the community.
    pub(crate) commercial: DisputeOutcome,
    /// Why the parties' joint application to confirm the studio's
    /// agreement was refused (PML art. 33: a commercial mediation
    /// agreement is a contract).
    pub(crate) confirmation_refused: Option<DisputeError>,
    /// The three service requests.
    pub(crate) requests: Vec<RequestOutcome>,
    /// The disputes' ladder reports added up.
    pub(crate) ladder: LadderSummary,
    /// The hall's indicators.
    pub(crate) hall: HallMetrics,
    /// The governance indicators over every case.
    pub(crate) governance: grassroots::metrics::GovernanceMetrics,
    /// Where the histories were kept.
    pub(crate) store: StoreKind,
    /// Events in the store, over every case.
    pub(crate) events_stored: usize,
    /// Streams whose hash chain was verified.
    pub(crate) streams_verified: usize,
    /// The diagram files written.
    pub(crate) diagrams: Vec<PathBuf>,
    /// The morning work queues read from the journal: the branch's and the
    /// mediation academy's (with the parks' committee it hosts).
    pub(crate) morning: Morning,
}

/// Who handled a dispute, where, and how it ended.
#[derive(Debug)]
#[allow(dead_code)] // read by tests/examples.rs
pub(crate) struct DisputeOutcome {
    /// The case.
    pub(crate) case: CaseId,
    /// The body that accepted it first, and its tier.
    pub(crate) first_handler: (OrgId, Tier),
    /// The body that accepted it last (the one that settled it), its tier,
    /// and why routing chose it.
    pub(crate) handler: (OrgId, Tier),
    /// Why routing chose the last handler.
    pub(crate) reason: RouteReason,
    /// Steps up the ladder.
    pub(crate) escalations: u32,
    /// Every mediator assigned, in order.
    pub(crate) mediators: Vec<ActorId>,
    /// The state it ended in.
    pub(crate) state: DisputeStateKind,
    /// For a labour dispute, the end of its 15 days, counted from the
    /// first body's receipt (LDMAL art. 14).
    pub(crate) labour_deadline: Option<DateTime<Utc>>,
}

/// Who handled a service request and how it went.
#[derive(Debug)]
#[allow(dead_code)] // read by tests/examples.rs
pub(crate) struct RequestOutcome {
    /// The case.
    pub(crate) case: CaseId,
    /// The catalogue item.
    pub(crate) item: String,
    /// Handled by the hall, or forwarded to the competent department.
    pub(crate) mode: Mode,
    /// Whether the hall's agent clerk submitted it for the applicant (代办).
    pub(crate) by_agent: bool,
    /// The applicant's review, if any.
    pub(crate) review: Option<Review>,
    /// Whether a bad review was rectified and followed up.
    pub(crate) rectified: bool,
    /// The body that handled it: the hall, or the department that signed.
    pub(crate) handled_by: OrgId,
    /// Whether a tick found it overdue.
    pub(crate) overdue: bool,
    /// Supervision steps (reminders and written notices).
    pub(crate) supervision: Vec<&'static str>,
    /// The state it ended in.
    pub(crate) state: ServiceRequestStateKind,
}

/// Where the histories were kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StoreKind {
    /// A SQLite file (feature `sqlite`).
    #[allow(dead_code)] // built only with the `sqlite` feature
    Sqlite(PathBuf),
    /// Memory (without the `sqlite` feature).
    #[allow(dead_code)] // built only without the `sqlite` feature
    Memory,
}

// ---------------------------------------------------------------------------
// Ids, times and people.
// ---------------------------------------------------------------------------

const HEHUA: &str = "hehua";
const BAONENG: &str = "baoneng-park";
const GUANGHONG: &str = "guanghong-park";
const HENGLU: &str = "henglu-park";
const COUNCIL: &str = "merchants-council";
const ACADEMY: &str = "mediation-academy";
const PARK_MEDIATION: &str = "park-mediation";
const STUDIO: &str = "hehua-studio";
/// The parks of the commercial district: Huanan City itself and the three
/// around it that the story names.
pub(crate) const PARKS: [&str; 4] = [sample::AREA, BAONENG, GUANGHONG, HENGLU];

fn org(s: &str) -> Result<OrgId> {
    Ok(s.parse()?)
}

fn person(s: &str) -> Result<ActorId> {
    Ok(s.parse()?)
}

/// Shenzhen's offset: every time in the story is local.
fn shenzhen() -> FixedOffset {
    WorkingCalendar::prc().offset()
}

/// A day and time of March 2026 in Shenzhen.
fn march(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    shenzhen()
        .with_ymd_and_hms(2026, 3, day, hour, minute, 0)
        .single()
        .expect("a valid time in March 2026")
        .with_timezone(&Utc)
}

fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&shenzhen())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn local_date(at: DateTime<Utc>) -> String {
    at.with_timezone(&shenzhen()).format("%Y-%m-%d").to_string()
}

fn party(id: &str) -> Result<Actor> {
    Ok(Actor::new(person(id)?).with_role(Role::Party))
}

fn mediator(id: &str) -> Result<Actor> {
    Ok(Actor::new(person(id)?).with_role(Role::Mediator))
}

/// An officer of `tier` acting for `body`.
fn officer(id: &str, tier: Tier, body: &str) -> Result<Actor> {
    Ok(Actor::new(person(id)?)
        .with_role(Role::Officer(tier))
        .acting_for(org(body)?))
}

// ---------------------------------------------------------------------------
// The organisation graph.
// ---------------------------------------------------------------------------

/// The crate's sample graph (Shenzhen, Longgang, Pinghu, the Huanan City
/// commercial district and Huanan City in it, the district hall and its
/// Huanan City branch, the district departments) with the report's other
/// bodies added.
pub(crate) fn huanan_city_graph() -> Result<OrgGraph> {
    let mut graph = sample::huanan_city_graph();
    let all_but_commercial = DisputeKind::ALL
        .into_iter()
        .filter(|k| *k != DisputeKind::Commercial)
        .map(Capability::Mediation);
    let orgs = [
        Org::new(org(HEHUA)?, "Hehua community", OrgKind::Community),
        Org::new(
            org("hehua-party")?,
            "Hehua community party committee",
            OrgKind::PartyCommittee,
        ),
        Org::new(
            org("pinghu-party")?,
            "Pinghu subdistrict party working committee",
            OrgKind::PartyCommittee,
        ),
        Org::new(
            org("hehua-mediation")?,
            "Hehua community people's mediation committee",
            OrgKind::MediationCommittee,
        )
        .with_capabilities(all_but_commercial),
        Org::new(
            org(BAONENG)?,
            "Baoneng Zhichuang Valley",
            OrgKind::IndustrialPark,
        ),
        Org::new(
            org(GUANGHONG)?,
            "Guanghong industrial park",
            OrgKind::IndustrialPark,
        ),
        Org::new(org(HENGLU)?, "Henglu E-era park", OrgKind::IndustrialPark),
        // Collects problems and meets merchants; not a mediation organisation.
        Org::new(
            org(COUNCIL)?,
            "Huanan City merchants' council",
            OrgKind::MerchantsCouncil,
        ),
        Org::new(
            org("huanan-party-centre")?,
            "Huanan City park party–public service centre",
            OrgKind::PartyPublicServiceCentre,
        )
        .with_capability(Capability::LegalConsultation),
        Org::new(
            org("wanda-party-centre")?,
            "Pinghu Wanda commercial district party–public service centre (Warm Bee Station)",
            OrgKind::PartyPublicServiceCentre,
        )
        .with_capability(Capability::LegalConsultation),
        // Trains mediators; the committee it hosts mediates.
        Org::new(
            org(ACADEMY)?,
            "Huanan City mediation academy",
            OrgKind::MediationAcademy,
        )
        .with_capability(Capability::MediatorTraining),
        Org::new(
            org(PARK_MEDIATION)?,
            "Huanan City parks people's mediation committee (hosted by the mediation academy)",
            OrgKind::MediationCommittee,
        )
        .with_capabilities(DisputeKind::ALL.map(Capability::Mediation)),
        Org::new(
            org("governance-centre")?,
            "Huanan City comprehensive governance centre",
            OrgKind::ComprehensiveGovernanceCentre,
        )
        .with_capabilities([Capability::EarlyWarning, Capability::Supervision]),
        // 中国国际贸易促进委员会深圳调解中心禾花社区商事调解工作室: a commercial
        // mediation organisation, so its agreements are contracts.
        Org::new(
            org(STUDIO)?,
            "Hehua community commercial mediation studio of the CCPIT Shenzhen mediation centre",
            OrgKind::CommercialMediationStudio,
        )
        .with_capability(Capability::Mediation(DisputeKind::Commercial)),
        Org::new(
            org("ccpit-legal-branch")?,
            "Legal affairs party branch of the municipal council for the promotion of international trade",
            OrgKind::PartyBranch,
        ),
        Org::new(
            org("think-tank")?,
            "Hehua expert think tank",
            OrgKind::ExpertThinkTank,
        ),
        Org::new(org("pengda")?, "Pengda Electronics", OrgKind::Enterprise),
        Org::new(org("haoyun")?, "Haoyun Garments", OrgKind::Enterprise),
        Org::new(org("yixun")?, "Yixun E-commerce", OrgKind::Enterprise),
    ];
    for o in orgs {
        graph.try_add_org(o)?;
    }
    let people = [
        ("gao", "Gao, a worker at Pengda"),
        ("pengda-rep", "Pengda's representative"),
        ("luo", "Luo, trainee mediator and Pengda's HR manager"),
        (
            "he-jun",
            "He Jun, trainee mediator and Baoneng park manager",
        ),
        (
            "xie",
            "Xie, trainee mediator and Hehua party committee member",
        ),
        ("haoyun-rep", "Haoyun's representative"),
        ("yixun-rep", "Yixun's representative"),
        ("deng", "Deng, people's mediator of the parks' committee"),
        ("fang", "Fang, studio mediator"),
    ];
    for (id, name) in people {
        graph.try_add_org(Org::new(
            org(&format!("p-{id}"))?,
            name,
            OrgKind::Person(person(id)?),
        ))?;
    }
    let fields = ["e-commerce", "smart environmental protection"];
    for n in 1..=13 {
        let name = match fields.get(n - 1) {
            Some(field) => format!("Expert {n} ({field})"),
            None => format!("Expert {n}"),
        };
        graph.try_add_org(Org::new(
            org(&format!("p-expert-{n:02}"))?,
            name,
            OrgKind::Person(person(&format!("expert-{n:02}"))?),
        ))?;
    }

    let since = Validity::since(date(2020, 1, 1)?);
    // The pairing's date is illustrative: the report gives none.
    let paired = Validity::since(date(2023, 6, 1)?);
    let mut link = |from: &str, relation: Relation, to: &str| -> Result<()> {
        graph.try_link(&org(from)?, relation, &org(to)?)?;
        Ok(())
    };
    link(HEHUA, Relation::PartOf, "pinghu")?;
    link("hehua-party", Relation::Leads, HEHUA)?;
    link("pinghu-party", Relation::Leads, "pinghu")?;
    link("pinghu-party", Relation::Leads, "hehua-party")?;
    link("hehua-mediation", Relation::Serves(since), HEHUA)?;
    // Ours, not the report's: Hehua's committee takes the district's big
    // matters of every kind but commercial.
    link("hehua-mediation", Relation::Serves(since), sample::DISTRICT)?;
    for park in [BAONENG, GUANGHONG, HENGLU] {
        link(park, Relation::PartOf, sample::DISTRICT)?;
        // "Seven stars around the moon": the parks and the centre govern together.
        link(
            park,
            Relation::Coordinates(Mechanism::JointGovernance, since),
            sample::AREA,
        )?;
    }
    for park in PARKS {
        link(COUNCIL, Relation::Serves(since), park)?;
        link(PARK_MEDIATION, Relation::Serves(since), park)?;
    }
    link(ACADEMY, Relation::Serves(since), sample::DISTRICT)?;
    // The academy hosts the committee: joint mediation between them.
    link(
        PARK_MEDIATION,
        Relation::Coordinates(Mechanism::JointMediation, since),
        ACADEMY,
    )?;
    link("huanan-party-centre", Relation::Serves(since), sample::AREA)?;
    link("wanda-party-centre", Relation::Serves(since), "pinghu")?;
    link(
        "governance-centre",
        Relation::Serves(since),
        sample::DISTRICT,
    )?;
    // The six joint mechanisms between the hall, the academy and the centre.
    for (a, mechanism, b) in [
        ("governance-centre", Mechanism::JointMediation, ACADEMY),
        ("governance-centre", Mechanism::JointDefence, COUNCIL),
        ("governance-centre", Mechanism::JointAction, sample::HALL),
        ("governance-centre", Mechanism::JointGovernance, HEHUA),
        (ACADEMY, Mechanism::JointCreation, sample::HALL),
        (
            "governance-centre",
            Mechanism::JointOversight,
            "hehua-party",
        ),
    ] {
        link(a, Relation::Coordinates(mechanism, since), b)?;
    }
    // The pairing (结对共建) of Pinghu with the legal-affairs party branch of
    // the municipal council for the promotion of international trade: party
    // building between two party organisations. It routes nothing.
    link(
        "pinghu-party",
        Relation::PairedWith(paired),
        "ccpit-legal-branch",
    )?;
    link("ccpit-legal-branch", Relation::Leads, STUDIO)?;
    // The studio it brought to Hehua serves Hehua and the commercial
    // district through service links that record the pairing as their
    // origin: the links route, the origin says why they exist.
    let origin = LinkOrigin::pairing(org("pinghu-party")?, org("ccpit-legal-branch")?);
    for area in [HEHUA, sample::DISTRICT] {
        graph.try_add_link(
            Link::new(org(STUDIO)?, Relation::Serves(paired), org(area)?)
                .originating_in(origin.clone()),
        )?;
    }
    let mut link = |from: &str, relation: Relation, to: &str| -> Result<()> {
        graph.try_link(&org(from)?, relation, &org(to)?)?;
        Ok(())
    };
    link("think-tank", Relation::Serves(since), HEHUA)?;
    for n in 1..=13 {
        link(
            &format!("p-expert-{n:02}"),
            Relation::MemberOf(since),
            "think-tank",
        )?;
    }
    for (member, body) in [
        ("p-gao", "pengda"),
        ("p-pengda-rep", "pengda"),
        ("p-luo", ACADEMY),
        ("p-luo", PARK_MEDIATION),
        ("p-luo", "pengda"),
        ("p-he-jun", ACADEMY),
        ("p-he-jun", PARK_MEDIATION),
        ("p-he-jun", BAONENG),
        ("p-xie", ACADEMY),
        ("p-xie", PARK_MEDIATION),
        ("p-xie", "hehua-party"),
        ("p-haoyun-rep", "haoyun"),
        ("p-yixun-rep", "yixun"),
        ("haoyun", COUNCIL),
        ("yixun", COUNCIL),
        ("p-deng", PARK_MEDIATION),
        ("p-fang", STUDIO),
    ] {
        link(member, Relation::MemberOf(since), body)?;
    }
    Ok(graph)
}

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("no date {y}-{m}-{d}").into())
}

fn name(graph: &OrgGraph, id: &OrgId) -> String {
    graph
        .org(id)
        .map_or_else(|| id.to_string(), |o| o.name.clone())
}

// ---------------------------------------------------------------------------
// The journal: every command goes through the event store.
// ---------------------------------------------------------------------------

struct Journal {
    store: Arc<dyn EventStore + Send + Sync>,
    tenant: TenantId,
    kind: StoreKind,
    /// The tenant's cases: handles each command, keeping recent cases.
    cases: journal::Journal<Arc<dyn EventStore + Send + Sync>>,
}

impl Journal {
    /// A SQLite file in `dir` with the `sqlite` feature (emptied first, so
    /// every run tells the same story); memory without it.
    fn open(dir: &Path) -> Result<Self> {
        let tenant: TenantId = "longgang".parse()?;
        #[cfg(feature = "sqlite")]
        {
            let path = dir.join("histories.sqlite3");
            for suffix in ["", "-wal", "-shm"] {
                let file = PathBuf::from(format!("{}{suffix}", path.display()));
                if file.exists() {
                    std::fs::remove_file(&file)?;
                }
            }
            let store: Arc<dyn EventStore + Send + Sync> =
                Arc::new(journal::SqliteStore::open(&path)?);
            Ok(Self {
                cases: journal::Journal::new(store.clone(), tenant.clone()).with_retries(0),
                store,
                tenant,
                kind: StoreKind::Sqlite(path),
            })
        }
        #[cfg(not(feature = "sqlite"))]
        {
            let _ = dir;
            let store: Arc<dyn EventStore + Send + Sync> = Arc::new(journal::MemoryStore::new());
            Ok(Self {
                cases: journal::Journal::new(store.clone(), tenant.clone()).with_retries(0),
                store,
                tenant,
                kind: StoreKind::Memory,
            })
        }
    }

    /// Loads the case, handles the command, appends what it decided.
    fn send<W>(
        &self,
        workflow: &W,
        case: &CaseId,
        actor: &Actor,
        at: DateTime<Utc>,
        command: &W::Command,
    ) -> Result<Case<W>, ExecuteError<W::Rejection>>
    where
        W: Journaled,
    {
        let ctx = Context::new(at, actor);
        self.cases
            .handle(workflow, case, command, &ctx)
            .map(|done| done.case)
    }

    /// Runs `steps` in order and returns the case after the last.
    fn run<W>(
        &self,
        workflow: &W,
        case: &CaseId,
        steps: &[(&Actor, DateTime<Utc>, W::Command)],
    ) -> Result<Case<W>>
    where
        W: Journaled,
        W::Rejection: Error + 'static,
    {
        let mut last = None;
        for (actor, at, command) in steps {
            last = Some(self.send(workflow, case, actor, *at, command)?);
        }
        last.ok_or_else(|| "no steps".into())
    }
}

// ---------------------------------------------------------------------------
// The story.
// ---------------------------------------------------------------------------

/// Runs the whole story, writing the narrative to `out` and the files into
/// `dir`.
#[allow(dead_code)] // tests/examples.rs runs it
pub(crate) fn run(out: &mut dyn Write, dir: &Path) -> Result<Outcome> {
    run_in(out, dir, Lang::En)
}

/// Runs the whole story told in `lang`: in Chinese, the cases are the same
/// and the narrative is built from the crate's Chinese texts (states, event
/// lines, refusals, status notes).
pub(crate) fn run_in(out: &mut dyn Write, dir: &Path, lang: Lang) -> Result<Outcome> {
    let zh_out = out;
    let mut zh = Vec::new();
    let mut sink = std::io::sink();
    let out: &mut dyn Write = if lang == Lang::Zh {
        &mut sink
    } else {
        &mut *zh_out
    };
    std::fs::create_dir_all(dir)?;
    let graph = Arc::new(huanan_city_graph()?);
    let calendar = Arc::new(WorkingCalendar::prc());
    let journal = Journal::open(dir)?;

    writeln!(
        out,
        "Huanan City commercial district, Pinghu subdistrict, Longgang district"
    )?;
    writeln!(
        out,
        "======================================================================"
    )?;
    writeln!(
        out,
        "(The places are the report's, and so are the bodies but for the two people's mediation committees; the people, enterprises, cases and dates are made up.)\n"
    )?;
    writeln!(
        out,
        "Organisation graph: {} bodies and people, {} links.",
        graph.len(),
        graph.link_count()
    )?;
    who_handles_what(out, &graph)?;

    // The disputes follow the report's policy: small matters stay in the
    // park, big matters stay in the community.
    let dispute = Dispute::new(Ladder::new(
        Arc::new(PolicyBook::default()),
        Arc::clone(&graph),
        Arc::clone(&calendar),
    ));
    let (labour_case, conflict) = labour_dispute(out, &journal, &dispute, &graph)?;
    let (commercial_case, confirmation_refused) =
        commercial_dispute(out, &journal, &dispute, &graph)?;

    // The hall's requests are supervised at the branch (the sample policy).
    let service = ServiceRequest::try_new(
        Arc::new(sample::huanan_city_catalogue()),
        Ladder::new(
            Arc::new(PolicyBook::new(supervision_policy(
                "huanan-city-service".parse()?,
                1,
                Tier::Estate,
            )?)),
            Arc::clone(&graph),
            Arc::clone(&calendar),
        ),
    )?;
    let requests = service_requests(out, &journal, &service, &graph)?;
    if lang == Lang::Zh {
        story_zh(
            &mut zh,
            &graph,
            [
                (&labour_case, conflict.as_ref()),
                (&commercial_case, confirmation_refused.as_ref()),
            ],
            &service,
            &requests,
        )?;
        work_orders_in(&mut zh, Lang::Zh)?;
    } else {
        work_orders(out)?;
    }

    writeln!(
        out,
        "\nAudit trail of {} (times in Shenzhen, +08:00)",
        commercial_case.id()
    )?;
    writeln!(out, "-----------------------------------------------")?;
    audit_trail(out, &graph, commercial_case.history())?;

    // Metrics.
    let mut ladder = LadderSummary::default();
    for case in [&labour_case, &commercial_case] {
        ladder.add(&MatterReport::from_history(case.history()));
    }
    let hall = HallMetrics::from_histories(&calendar, requests.iter().map(|c| c.history()));
    let mut governance = grassroots::metrics::GovernanceMetrics::new();
    for case in [&labour_case, &commercial_case] {
        governance.observe_dispute(case.history());
    }
    for case in &requests {
        governance.observe_service_request(case.history());
    }
    metrics(out, &ladder, &hall, &governance)?;

    // The histories, read back from the store.
    let (events_stored, streams_verified) = check_store(out, &journal, &commercial_case)?;
    let morning = morning_work_queue(out, &journal, &graph, &dispute, &service)?;

    let diagrams = write_diagrams(out, &graph, dir)?;

    let outcome = Outcome {
        labour: dispute_outcome(&labour_case)?,
        conflict,
        commercial: dispute_outcome(&commercial_case)?,
        confirmation_refused,
        requests: requests
            .iter()
            .map(request_outcome)
            .collect::<Result<_>>()?,
        ladder,
        hall,
        governance,
        store: journal.kind.clone(),
        events_stored,
        streams_verified,
        morning,
        diagrams,
    };
    zh_out.write_all(&zh)?;
    Ok(outcome)
}

/// The story in Chinese: the graph, each dispute's audit trail with its
/// refusal, each request's trail and Open311 status notes.
fn story_zh(
    out: &mut dyn Write,
    graph: &OrgGraph,
    disputes: [(&Case<Dispute>, Option<&DisputeError>); 2],
    service: &ServiceRequest,
    requests: &[Case<ServiceRequest>],
) -> Result<()> {
    writeln!(out, "华南城商圈（龙岗区平湖街道）")?;
    writeln!(out, "============================")?;
    writeln!(
        out,
        "（地点和机构取自报道，两个人民调解委员会除外；人员、企业、案件和日期均为虚构。）\n"
    )?;
    writeln!(
        out,
        "组织图：{} 个单位和人员，{} 条关系。",
        graph.len(),
        graph.link_count()
    )?;
    for (case, refusal) in disputes {
        writeln!(out, "\n矛盾纠纷 {}（时间为深圳时间 +08:00）", case.id())?;
        writeln!(out, "--------------------------------------")?;
        for r in case.history() {
            let mut line = r.event.zh().into_owned();
            if let DisputeEvent::Accepted { body, tier, .. } = &r.event {
                line = format!("{}级 {} 受理纠纷", tier.zh(), name(graph, body));
                if let Some(m) = graph.mediation_organisation(body) {
                    line.push_str(&format!("（{}）", m.zh()));
                }
            }
            writeln!(
                out,
                "{:>3}  {}  {:<18} {line}",
                r.seq,
                local(r.at),
                r.actor.as_str()
            )?;
        }
        if let Some(refusal) = refusal {
            writeln!(out, "     其间被拒绝的命令：{}", refusal.zh())?;
        }
        writeln!(out, "     现状：{}", case.state().kind().zh())?;
    }
    writeln!(out, "\n华南城分中心（行政服务中心）的申请")?;
    writeln!(out, "--------------------------------")?;
    for case in requests {
        writeln!(out, "{}：", case.id())?;
        for r in case.history() {
            writeln!(
                out,
                "{:>3}  {}  {:<18} {}",
                r.seq,
                local(r.at),
                r.actor.as_str(),
                r.event.zh()
            )?;
        }
        writeln!(
            out,
            "     现状：{}；Open311 状态说明：{}",
            case.state().kind().zh(),
            grassroots::i18n::service_status_notes(service, case.state(), Lang::Zh)
        )?;
    }
    Ok(())
}

/// Where routing sends the three needs the story is about.
fn who_handles_what(out: &mut dyn Write, graph: &OrgGraph) -> Result<()> {
    let day = date(2026, 3, 2)?;
    writeln!(out, "\nWho handles what (routed through the graph):")?;
    for (need, location, tier) in [
        (DisputeKind::Labour, BAONENG, Tier::Estate),
        (DisputeKind::Commercial, HENGLU, Tier::Estate),
        (DisputeKind::Commercial, HENGLU, Tier::Community),
        (DisputeKind::Commercial, sample::AREA, Tier::Community),
        (DisputeKind::Labour, HENGLU, Tier::Community),
    ] {
        let route = graph.route(&org(location)?, tier, &Need::Mediation(need), day)?;
        writeln!(
            out,
            "  {} dispute in {}, at the {} tier: {} ({})",
            words(need.as_str()),
            name(graph, &org(location)?),
            tier,
            name(graph, &route.handler),
            reason_in_words(graph, &route.reason),
        )?;
    }
    Ok(())
}

/// LD-001: a labour dispute in Baoneng Zhichuang Valley, mediated by a trainee
/// of the academy as a member of the parks' committee the academy hosts.
fn labour_dispute(
    out: &mut dyn Write,
    journal: &Journal,
    dispute: &Dispute,
    graph: &OrgGraph,
) -> Result<(Case<Dispute>, Option<DisputeError>)> {
    use DisputeCommand as C;
    let id: CaseId = "LD-001".parse()?;
    let gao = party("gao")?;
    let pengda = party("pengda-rep")?;
    let academy = officer("committee-director", Tier::Estate, PARK_MEDIATION)?;
    let he_jun = mediator("he-jun")?;

    let report = Report {
        kind: DisputeKind::Labour,
        parties: vec![
            Party::person(person("gao")?),
            Party::enterprise(person("pengda-rep")?, org("pengda")?),
        ],
        location: org(BAONENG)?,
        channel: Channel::Party,
        severity: Severity::Moderate,
    };
    journal.run(
        dispute,
        &id,
        &[
            (&gao, march(2, 9, 10), C::Report(report)),
            (&academy, march(2, 9, 30), C::Accept),
        ],
    )?;
    // The committee first proposes Luo, who manages Pengda's staff: refused.
    let luo = C::AssignMediators {
        mediators: vec![person("luo")?],
        selection: Selection::Roster,
    };
    let conflict = match journal.send(dispute, &id, &academy, march(2, 9, 40), &luo) {
        Ok(_) => None,
        Err(refused) => refused.rejection().cloned(),
    };
    let case = journal.run(
        dispute,
        &id,
        &[
            (
                &academy,
                march(2, 9, 45),
                C::AssignMediators {
                    mediators: vec![person("he-jun")?],
                    selection: Selection::Roster,
                },
            ),
            (&he_jun, march(4, 14, 0), C::RecordSession),
            (
                &he_jun,
                march(4, 15, 30),
                // The written agreement (PML art. 29): the facts, and
                // each obligation — who, what, how much, by when.
                C::RecordAgreement {
                    facts: "Gao worked overtime in February; Pengda has not paid it.".into(),
                    terms: "Pengda pays Gao's February overtime, 3,200 yuan, by 13 March.".into(),
                    obligations: vec![
                        Obligation::new(
                            pengda.id().clone(),
                            ObligationKind::Wages,
                            "pays Gao's February overtime",
                        )
                        .amount(320_000)
                        .due_by(march(13, 18, 0)),
                    ],
                },
            ),
            // In effect on the last of the signatures and the academy's
            // committee's seal.
            (&academy, march(4, 15, 35), C::AffixSeal),
            (&gao, march(4, 15, 40), C::Sign),
            (&pengda, march(4, 15, 42), C::Sign),
            (&he_jun, march(4, 15, 45), C::Sign),
            (
                &he_jun,
                march(13, 17, 0),
                // Followed obligation by obligation (PML art. 31).
                C::RecordObligation {
                    obligation: 0,
                    performance: ObligationPerformance::Performed,
                },
            ),
            (
                &he_jun,
                march(16, 10, 0),
                C::RecordFollowUp {
                    rating: Satisfaction::Satisfied,
                },
            ),
        ],
    )?;

    writeln!(
        out,
        "\nLabour dispute {id}: worker Gao against Pengda Electronics, unpaid overtime"
    )?;
    dispute_story(out, graph, &case, conflict.as_ref())?;
    Ok((case, conflict))
}

/// CD-002: a commercial dispute in Henglu E-era park, reported by the
/// merchants' council, that the parks' committee cannot settle; it goes up
/// to the community tier, where Hehua's commercial mediation studio serves
/// the commercial district.
fn commercial_dispute(
    out: &mut dyn Write,
    journal: &Journal,
    dispute: &Dispute,
    graph: &OrgGraph,
) -> Result<(Case<Dispute>, Option<DisputeError>)> {
    use DisputeCommand as C;
    let id: CaseId = "CD-002".parse()?;
    let haoyun = party("haoyun-rep")?;
    let yixun = party("yixun-rep")?;
    let council = officer("council-secretary", Tier::Estate, COUNCIL)?;
    let committee = officer("committee-director", Tier::Estate, PARK_MEDIATION)?;
    let studio = officer("studio-head", Tier::Community, STUDIO)?;
    let deng = mediator("deng")?;
    let fang = mediator("fang")?;
    let grid_worker = Actor::new(person("gw-hehua-03")?).with_role(Role::GridWorker);

    let report = Report {
        kind: DisputeKind::Commercial,
        parties: vec![
            Party::merchant(person("haoyun-rep")?, org("haoyun")?),
            Party::enterprise(person("yixun-rep")?, org("yixun")?),
        ],
        location: org(HENGLU)?,
        channel: Channel::MerchantsCouncil,
        severity: Severity::Moderate,
    };
    journal.run(
        dispute,
        &id,
        &[
            (&council, march(3, 10, 0), C::Report(report)),
            (&committee, march(3, 10, 30), C::Accept),
            (
                &committee,
                march(3, 10, 40),
                C::AssignMediators {
                    mediators: vec![person("deng")?],
                    selection: Selection::Roster,
                },
            ),
            (&deng, march(5, 15, 0), C::RecordSession),
            (&deng, march(6, 11, 0), C::RecordSession),
            (
                &deng,
                march(6, 16, 0),
                C::TerminateMediation {
                    reason: FailureReason::NoAgreementReached,
                },
            ),
            (&committee, march(6, 16, 30), C::Escalate),
            (&studio, march(9, 9, 30), C::Accept),
            (
                &studio,
                march(9, 9, 40),
                C::AssignMediators {
                    mediators: vec![person("fang")?],
                    selection: Selection::Roster,
                },
            ),
            (&fang, march(11, 14, 0), C::RecordSession),
            (
                &fang,
                march(11, 16, 0),
                C::RecordAgreement {
                    facts: "Yixun kept Haoyun's garments after the order was cancelled and has not paid for them.".into(),
                    terms: "Yixun pays 60,000 yuan for the garments it kept and returns the rest by 20 March.".into(),
                    obligations: vec![
                        Obligation::new(
                            yixun.id().clone(),
                            ObligationKind::Payment,
                            "pays for the garments it kept",
                        )
                        .amount(6_000_000)
                        .due_by(march(20, 18, 0)),
                        Obligation::new(
                            yixun.id().clone(),
                            ObligationKind::Act,
                            "returns the other garments",
                        )
                        .due_by(march(20, 18, 0)),
                    ],
                },
            ),
            (&studio, march(11, 16, 5), C::AffixSeal),
            (&haoyun, march(11, 16, 10), C::Sign),
            (&yixun, march(11, 16, 15), C::Sign),
            (&fang, march(11, 16, 20), C::Sign),
        ],
    )?;
    // The studio is a commercial mediation organisation: the agreement is
    // a contract, and the parties' joint application for judicial
    // confirmation is refused (PML art. 33 is for people's mediation).
    let apply = C::ApplyForConfirmation {
        applicants: vec![person("haoyun-rep")?, person("yixun-rep")?],
    };
    let confirmation_refused = match journal.send(dispute, &id, &haoyun, march(12, 9, 0), &apply) {
        Ok(_) => None,
        Err(refused) => refused.rejection().cloned(),
    };
    let case = journal.run(
        dispute,
        &id,
        &[
            (
                &fang,
                march(20, 17, 0),
                C::RecordObligation {
                    obligation: 0,
                    performance: ObligationPerformance::Performed,
                },
            ),
            (
                &fang,
                march(23, 17, 0),
                C::RecordObligation {
                    obligation: 1,
                    performance: ObligationPerformance::Performed,
                },
            ),
            (
                &grid_worker,
                march(24, 10, 0),
                C::RecordFollowUp {
                    rating: Satisfaction::FairlySatisfied,
                },
            ),
        ],
    )?;

    writeln!(
        out,
        "\nCommercial dispute {id}: Haoyun Garments against Yixun E-commerce, a returned shipment"
    )?;
    dispute_story(out, graph, &case, None)?;
    if let Some(refused) = &confirmation_refused {
        writeln!(
            out,
            "  joint application for judicial confirmation refused: {refused}"
        )?;
    }
    Ok((case, confirmation_refused))
}

/// HN-001 to HN-003 at the Huanan City branch of the district hall.
fn service_requests(
    out: &mut dyn Write,
    journal: &Journal,
    service: &ServiceRequest,
    graph: &OrgGraph,
) -> Result<Vec<Case<ServiceRequest>>> {
    use ServiceRequestCommand as C;
    let hall = sample::HALL;
    let clerk = Actor::new(person("clerk-lin")?)
        .with_role(Role::HallClerk)
        .acting_for(org(hall)?);
    let agent = Actor::new(person("agent-wu")?)
        .with_role(Role::AgentClerk)
        .acting_for(org(hall)?);
    let bureau = Actor::new(person("industry-officer-qiu")?)
        .with_role(Role::DepartmentOfficer)
        .acting_for(org(sample::INDUSTRY_BUREAU)?);
    let materials =
        |ids: &[&str]| -> Result<Vec<_>> { ids.iter().map(|m| Ok(m.parse()?)).collect() };
    let attr = |code: &str, value: AttributeValue| -> Result<_> { Ok((code.parse()?, value)) };

    // HN-001: accepted and handled by the branch itself.
    let pengda = party("pengda-rep")?;
    let hn1 = journal.run(
        service,
        &"HN-001".parse()?,
        &[
            (
                &pengda,
                march(2, 10, 0),
                C::Submit {
                    item: "TX-002".parse()?,
                    materials: materials(&["business-licence", "bank-account"])?,
                    attributes: [attr(
                        "taxpayer",
                        AttributeValue::Choice("small_scale".into()),
                    )?]
                    .into_iter()
                    .collect(),
                    description: None,
                },
            ),
            (&clerk, march(2, 10, 20), C::Accept),
            (&clerk, march(2, 10, 25), C::StartProcessing),
            (&clerk, march(3, 16, 0), C::Complete),
            (&clerk, march(3, 16, 30), C::Deliver),
            (
                &pengda,
                march(3, 17, 0),
                C::Rate {
                    review: Review::VerySatisfied,
                    comment: None,
                },
            ),
            (&clerk, march(4, 9, 0), C::Close),
        ],
    )?;

    // HN-002: a rent subsidy. The branch's agent clerk submits it for the
    // enterprise on its written authorisation (代办); the branch accepts it
    // and forwards it to the bureau of industry.
    let yixun = party("yixun-rep")?;
    let hn2 = journal.run(
        service,
        &"HN-002".parse()?,
        &[
            (
                &agent,
                march(2, 14, 0),
                C::SubmitForApplicant {
                    applicant: yixun.id().clone(),
                    authorisation: "authorisation YX-2026-03, signed by the legal representative"
                        .parse()?,
                    item: "FS-002".parse()?,
                    materials: materials(&["business-licence", "lease"])?,
                    attributes: [
                        attr("park", AttributeValue::Text("Henglu E-era park".into()))?,
                        attr("floor_area", AttributeValue::Number(1200.0))?,
                        attr("lease_start", AttributeValue::DateTime(march(1, 0, 0)))?,
                    ]
                    .into_iter()
                    .collect(),
                    description: None,
                },
            ),
            // Tell everything at once: the one missing material, named.
            (
                &clerk,
                march(2, 14, 10),
                C::RequestSupplement {
                    materials: materials(&["rent-invoices"])?,
                },
            ),
            (
                &agent,
                march(3, 9, 30),
                C::SupplyMaterials {
                    materials: materials(&["rent-invoices"])?,
                },
            ),
            (&clerk, march(3, 9, 40), C::Accept),
            (&clerk, march(3, 10, 0), C::Forward { to: None }),
            (&bureau, march(4, 9, 0), C::SignFor),
            (&bureau, march(17, 15, 0), C::Complete),
            (&clerk, march(18, 10, 0), C::Deliver),
            (
                &yixun,
                march(18, 11, 0),
                C::Rate {
                    review: Review::Satisfied,
                    comment: None,
                },
            ),
            (&clerk, march(18, 11, 30), C::Close),
        ],
    )?;

    // HN-003: handled by the branch, but nobody finishes it in time.
    let haoyun = party("haoyun-rep")?;
    journal.run(
        service,
        &"HN-003".parse()?,
        &[
            (
                &haoyun,
                march(2, 11, 0),
                C::Submit {
                    item: "SI-001".parse()?,
                    materials: materials(&["business-licence", "id-card", "bank-account"])?,
                    attributes: [
                        attr("employees", AttributeValue::Number(40.0))?,
                        attr(
                            "insurances",
                            AttributeValue::Choices(vec![
                                "pension".into(),
                                "medical".into(),
                                "work_injury".into(),
                            ]),
                        )?,
                    ]
                    .into_iter()
                    .collect(),
                    description: None,
                },
            ),
            (&clerk, march(2, 11, 30), C::Accept),
            (&clerk, march(2, 11, 40), C::StartProcessing),
        ],
    )?;
    // Nobody ticks HN-003 by hand: the sweeper, run each morning as a
    // service's background task would, finds it in the due index when its
    // promised date has passed (a reminder), and again when the written
    // notice falls due.
    let sweeper = Sweeper::new(&*journal.store, journal.tenant.clone(), service.clone());
    let mut swept = Vec::new();
    for morning in [march(6, 9, 0), march(10, 9, 0), march(16, 9, 0)] {
        let report = sweeper.sweep(morning)?;
        if let Some((stream, error)) = report.failed.first() {
            return Err(format!("the sweep could not tick {stream}: {error}").into());
        }
        let ticked: Vec<String> = report
            .ticked
            .iter()
            .map(|t| match t.events {
                1 => format!("{} (1 event)", t.stream.id),
                n => format!("{} ({n} events)", t.stream.id),
            })
            .collect();
        swept.push(if ticked.is_empty() {
            format!("  sweep at {}: nothing due", local(morning))
        } else {
            format!(
                "  sweep at {}: ticked {}",
                local(morning),
                ticked.join(", ")
            )
        });
    }
    let hn3 = journal.run(
        service,
        &"HN-003".parse()?,
        &[
            (&clerk, march(16, 15, 0), C::Complete),
            (&clerk, march(17, 10, 0), C::Deliver),
            (
                &haoyun,
                march(17, 11, 0),
                C::Rate {
                    review: Review::Dissatisfied,
                    comment: Some("a week late".parse()?),
                },
            ),
            // A bad review opens rectification (好差评, 整改): the branch
            // records what it changed, calls the enterprise back, and only
            // then is the request closed.
            (
                &clerk,
                march(19, 10, 0),
                C::Rectify {
                    action: "a daily check of requests near their promised date".parse()?,
                },
            ),
            (
                &clerk,
                march(20, 15, 0),
                C::FollowUp {
                    result: "the enterprise was told of the daily check".parse()?,
                },
            ),
        ],
    )?;

    writeln!(
        out,
        "\nService requests at the {}",
        name(graph, &org(hall)?)
    )?;
    for case in [&hn1, &hn2, &hn3] {
        request_story(out, graph, service, case)?;
    }
    writeln!(
        out,
        "\nTimers: the sweeper ticks what the due index says is due"
    )?;
    for line in &swept {
        writeln!(out, "{line}")?;
    }
    Ok(vec![hn1, hn2, hn3])
}

/// Lines of a story: a step starts a line or adds to the last one.
#[derive(Default)]
struct Story(Vec<String>);

impl Story {
    fn line(&mut self, text: impl Into<String>) {
        self.0.push(text.into());
    }

    fn add(&mut self, text: impl AsRef<str>) {
        match self.0.last_mut() {
            Some(last) => last.push_str(text.as_ref()),
            None => self.0.push(text.as_ref().to_owned()),
        }
    }

    fn write(&self, out: &mut dyn Write, indent: usize) -> Result<()> {
        for line in &self.0 {
            writeln!(out, "{:indent$}{line}", "")?;
        }
        Ok(())
    }
}

/// A dispute's story, told from its history.
fn dispute_story(
    out: &mut dyn Write,
    graph: &OrgGraph,
    case: &Case<Dispute>,
    refusal: Option<&DisputeError>,
) -> Result<()> {
    use DisputeEvent as E;
    let mut story = Story::default();
    let mut reason = None;
    let mut ceiling = None;
    let mut accepted = false;
    let mut handler: Option<OrgId> = None;
    let history = case.history();
    for (i, r) in history.iter().enumerate() {
        match &r.event {
            E::Reported(report) => story.line(format!(
                "reported {} at {} by {}, {} severity",
                local(r.at),
                name(graph, &report.location),
                channel_in_words(report.channel, &r.actor),
                report.severity,
            )),
            E::Ladder(step) => match &**step {
                LadderEvent::Started(s) => {
                    reason = Some(s.route.reason.clone());
                    ceiling = Some(s.band.ceiling);
                    story.add(format!(
                        ": starts at the {} tier, may go up to the {} tier",
                        s.band.start, s.band.ceiling
                    ));
                }
                LadderEvent::Escalated(e) => {
                    reason = Some(e.route.reason.clone());
                    story.line(format!(
                        "escalated {} to the {} tier: routed to {}, {}",
                        local_date(r.at),
                        e.to,
                        name(graph, &e.route.handler),
                        reason_in_words(graph, &e.route.reason)
                    ));
                }
                _ => {}
            },
            E::Accepted {
                body,
                tier,
                labour_deadline,
            } => {
                handler = Some(body.clone());
                let why = reason.as_ref().map_or(String::new(), |r| {
                    format!(" ({})", reason_in_words(graph, r))
                });
                story.line(format!(
                    "accepted by {}, {tier} tier{why}",
                    name(graph, body)
                ));
                // LDMAL art. 14: 15 days from the body's receipt.
                if let Some(deadline) = labour_deadline {
                    story.line(format!(
                        "without an agreement, arbitration may be applied for from {} (15 days from receipt)",
                        local_date(*deadline)
                    ));
                }
                if let Some(refusal) = refusal.filter(|_| !accepted) {
                    story.line(format!(
                        "the first mediator proposed was refused: {refusal}"
                    ));
                }
                accepted = true;
            }
            E::MediatorsAssigned { mediators, .. } => {
                story.line(format!("mediator {} assigned", actors(mediators)));
            }
            E::SessionRecorded { number } => {
                let more = matches!(
                    history.get(i + 1).map(|n| &n.event),
                    Some(E::SessionRecorded { .. })
                );
                if !more {
                    story.add(format!(
                        "; {number} session{}",
                        if *number == 1 { "" } else { "s" }
                    ));
                }
            }
            E::MediationFailed { reason, routes } => story.add(format!(
                "; mediation failed ({}), routes open: {routes}",
                failure_in_words(*reason)
            )),
            E::AgreementRecorded(agreement) => {
                story.line(format!("agreement: \"{}\"", agreement.terms))
            }
            E::AgreementSigned { .. } => {}
            E::AgreementTookEffect { at, .. } => {
                story.line(format!("signed by all, in effect {}", local_date(*at)));
                if !confirmable(graph, handler.as_ref()) {
                    story.add(
                        ": a contract, as the agreements of a commercial mediation organisation are (no judicial confirmation)",
                    );
                }
            }
            E::ConfirmationApplied { at, .. } => story.add(format!(
                "; judicial confirmation applied for jointly {}",
                local_date(*at)
            )),
            E::SealAffixed { .. } => {}
            E::ObligationPerformed { obligation } => story.line(format!(
                "obligation {} performed {}",
                obligation + 1,
                local_date(r.at)
            )),
            E::AgreementFulfilled => story.add(format!("; fulfilled {}", local_date(r.at))),
            E::AgreementBreached { remedies, .. } => story.line(format!(
                "breached {}; routes open: {remedies:?}",
                local_date(r.at)
            )),
            E::FollowedUp { rating } => story.add(format!(
                "; follow-up visit {}: {}",
                local_date(r.at),
                rating_in_words(*rating)
            )),
            other => story.line(dispute_event_in_words(graph, &r.actor, other)),
        }
    }
    let o = dispute_outcome(case)?;
    let within = ceiling.is_some_and(|c| o.handler.1 <= c);
    let steps = match o.escalations {
        0 => "no step up".to_owned(),
        1 => "one step up".to_owned(),
        n => format!("{n} steps up"),
    };
    story.line(format!(
        "=> {}: settled at the {} tier by {}, {steps}{}",
        o.state,
        o.handler.1,
        name(graph, &o.handler.0),
        if within {
            ", within its ceiling"
        } else {
            ", past its ceiling"
        }
    ));
    story.write(out, 2)
}

/// A service request's story, told from its history.
fn request_story(
    out: &mut dyn Write,
    graph: &OrgGraph,
    service: &ServiceRequest,
    case: &Case<ServiceRequest>,
) -> Result<()> {
    use ServiceRequestEvent as E;
    let mut story = Story::default();
    let mut promised = None;
    for r in case.history() {
        match &r.event {
            E::Submitted(s) => {
                let item = service
                    .catalogue()
                    .item(&s.request.item)
                    .ok_or("an item of the catalogue")?;
                writeln!(
                    out,
                    "  {} {} \"{}\" ({} mode, {} working days)",
                    case.id(),
                    item.code,
                    item.name,
                    s.request.mode.as_str(),
                    item.working_days
                )?;
                story.line(format!(
                    "submitted {} by {}",
                    local(r.at),
                    s.request.applicant
                ));
            }
            E::SupplementRequested { materials } => story.add(format!(
                "; missing materials named all at once: {}",
                join(materials)
            )),
            E::MaterialsSupplied { .. } => story.add(format!("; supplied {}", local(r.at))),
            E::Accepted { at, promised: p } => {
                promised = Some(*p);
                story.line(format!(
                    "accepted {}, promised by the end of {}",
                    local(*at),
                    end_of(*p)
                ));
            }
            E::ProcessingStarted => story.add("; handled by the branch itself"),
            E::Forwarded { to } => {
                story.line(format!("forwarded to the {}", name(graph, to)));
            }
            E::RectificationOpened { due } => {
                story.add(format!(
                    "; rectification due by the end of {}",
                    end_of(*due)
                ));
            }
            E::Rectified { at, action } => {
                story.line(format!("rectified {}: {action}", local(*at)));
            }
            E::FollowedUp { at, result } => {
                story.line(format!("followed up {}: {result}; closed", local(*at)));
            }
            E::SignedFor { .. } => story.add(format!(", which signed for it {}", local(r.at))),
            E::Overdue { .. } => story.line(format!("overdue {}", local(r.at))),
            E::Ladder(step) => match &**step {
                LadderEvent::SupervisionReminded {
                    handler,
                    notice_due,
                    ..
                } => {
                    story.add(format!(
                        ": supervision reminder to the {}, written notice due by the end of {}",
                        name(graph, handler),
                        end_of(*notice_due)
                    ));
                }
                LadderEvent::SupervisionNoticeIssued { .. } => {
                    story.line(format!("written supervision notice issued {}", local(r.at)));
                }
                _ => {}
            },
            E::Completed => {
                let late = promised.is_some_and(|p| r.at >= p);
                story.line(format!(
                    "completed {}, {}",
                    local(r.at),
                    if late { "late" } else { "on time" }
                ));
            }
            E::Rated { review, comment } => story.add(format!(
                "; rated {}{}",
                review.as_str().replace('_', " "),
                comment
                    .as_ref()
                    .map_or(String::new(), |c| format!(" (\"{c}\")"))
            )),
            E::Closed => story.add("; closed"),
            _ => {}
        }
    }
    story.write(out, 4)
}

/// The last day before `at` (a deadline runs out at midnight after it).
fn end_of(at: DateTime<Utc>) -> String {
    local_date(at - chrono::Duration::seconds(1))
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn metrics(
    out: &mut dyn Write,
    ladder: &LadderSummary,
    hall: &HallMetrics,
    governance: &grassroots::metrics::GovernanceMetrics,
) -> Result<()> {
    let percent =
        |share: Option<f64>| share.map_or("n/a".to_owned(), |s| format!("{:.0}%", s * 100.0));
    writeln!(out, "\nMetrics")?;
    writeln!(out, "-------")?;
    let resolved_at = ladder
        .resolved_at
        .iter()
        .map(|(tier, n)| format!("{n} at the {tier} tier"))
        .collect::<Vec<_>>()
        .join(", ");
    writeln!(
        out,
        "Disputes: {} resolved of {} ({resolved_at}); {} referred out.",
        ladder.resolved(),
        ladder.matters,
        ladder.referred_out
    )?;
    writeln!(
        out,
        "  Small matters stayed in the park, big matters in the community: {} of {} resolved within their ceiling ({}).",
        ladder.resolved_within_ceiling,
        ladder.resolved(),
        percent(ladder.share_within_ceiling())
    )?;
    for tier in [Tier::Estate, Tier::Community] {
        if let Some(mean) = ladder.mean_time_at(tier) {
            writeln!(
                out,
                "  Mean time a dispute spent at the {tier} tier: {:.1} days.",
                mean.num_minutes() as f64 / (60.0 * 24.0)
            )?;
        }
    }
    writeln!(
        out,
        "Service hall: {} requests, {} accepted, {} completed, {} on time ({}), {} overdue;",
        hall.requests,
        hall.accepted,
        hall.completed,
        hall.completed_on_time,
        percent(hall.on_time_rate()),
        hall.overdue
    )?;
    writeln!(
        out,
        "  {:.1} working days to completion on average; good reviews {} of {} ({}).",
        hall.average_working_days_to_completion().unwrap_or(0.0),
        hall.good_reviews,
        hall.good_reviews + hall.bad_reviews,
        percent(hall.good_review_rate())
    )?;
    let all = governance.total();
    writeln!(
        out,
        "All {} cases (grassroots::metrics): response {}, resolution {}, satisfaction {}, on time {}; {} overdue.",
        all.received(),
        percent(all.response_rate()),
        percent(all.resolution_rate()),
        percent(all.satisfaction_rate()),
        percent(all.on_time_rate()),
        all.overdue()
    )?;
    Ok(())
}

/// The morning work queues of the Huanan City branch and of the mediation
/// academy (with the parks' committee it hosts).
#[derive(Debug)]
#[allow(dead_code)] // read by tests/examples.rs
pub(crate) struct Morning {
    /// What waits at the branch.
    pub(crate) branch: Vec<WorkItem>,
    /// What waits at the academy and its committee.
    pub(crate) academy: Vec<WorkItem>,
}

/// Next morning: two cases arrived overnight; the read models catch up from
/// the journal, and each desk finds what waits for it — the list a clerk
/// opens first thing.
fn morning_work_queue(
    out: &mut dyn Write,
    journal: &Journal,
    graph: &OrgGraph,
    dispute: &Dispute,
    service: &ServiceRequest,
) -> Result<Morning> {
    // Thursday evening: a wage dispute between a shop assistant and the
    // shop's owner in Guanghong park, accepted by the parks' committee; a
    // tax registration submitted online to the branch.
    let report = Report {
        kind: DisputeKind::Labour,
        parties: vec![
            Party::person(person("zhou")?),
            Party::person(person("wei")?),
        ],
        location: org(GUANGHONG)?,
        channel: Channel::Party,
        severity: Severity::Minor,
    };
    let director = officer("committee-director", Tier::Estate, PARK_MEDIATION)?;
    journal.run(
        dispute,
        &"LD-002".parse()?,
        &[
            (
                &party("zhou")?,
                march(5, 17, 0),
                DisputeCommand::Report(report),
            ),
            (&director, march(5, 17, 40), DisputeCommand::Accept),
        ],
    )?;
    let submit = ServiceRequestCommand::Submit {
        item: "TX-002".parse()?,
        materials: vec!["business-licence".parse()?, "bank-account".parse()?],
        attributes: [(
            "taxpayer".parse()?,
            AttributeValue::Choice("small_scale".into()),
        )]
        .into_iter()
        .collect(),
        description: None,
    };
    journal.send(
        service,
        &"HN-004".parse()?,
        &party("xinda-rep")?,
        march(5, 21, 15),
        &submit,
    )?;

    #[cfg(not(feature = "sqlite"))]
    let read = read::MemoryReadStore::new();
    #[cfg(feature = "sqlite")]
    let read = match &journal.kind {
        // Beside the histories, in the same file: query them with SQL too.
        StoreKind::Sqlite(path) => read::SqliteReadStore::open(path)?,
        StoreKind::Memory => read::SqliteReadStore::open_in_memory()?,
    };
    let runner = Runner::new(&journal.store, journal.tenant.clone(), read);
    let mut index = CaseIndex::new().with::<Dispute>().with::<ServiceRequest>();
    let mut queue = WorkQueue::new().with::<Dispute>().with::<ServiceRequest>();
    let caught_up = runner.catch_up(&mut index)?;
    runner.catch_up(&mut queue)?;
    let reads = runner.read_store();
    writeln!(out, "\nThe morning work queue")?;
    writeln!(out, "----------------------")?;
    writeln!(
        out,
        "Overnight, two new cases: LD-002, a wage dispute between shop assistant Zhou and \
         the shop's owner Wei in Guanghong park, accepted by the parks' committee on 5 March \
         at 17:40; HN-004, a tax registration Xinda's representative submitted online at 21:15."
    )?;
    writeln!(
        out,
        "Case index and work queue caught up from the journal ({} events).",
        caught_up.events
    )?;
    let page = Page::first(50);
    let branch = reads.work_of(&journal.tenant, &org(sample::HALL)?, &page)?;
    let mut academy = reads.work_of(&journal.tenant, &org(ACADEMY)?, &page)?;
    academy.extend(reads.work_of(&journal.tenant, &org(PARK_MEDIATION)?, &page)?);
    for (desk, items) in [
        (name(graph, &org(sample::HALL)?), &branch),
        (
            format!("{} and the committee it hosts", name(graph, &org(ACADEMY)?)),
            &academy,
        ),
    ] {
        writeln!(out, "{desk}:")?;
        if items.is_empty() {
            writeln!(out, "  nothing waiting")?;
        }
        for item in items.iter() {
            let due = item
                .due
                .map(|d| {
                    format!(
                        ", due {}",
                        d.with_timezone(&shenzhen()).format("%-d %B %H:%M")
                    )
                })
                .unwrap_or_default();
            writeln!(
                out,
                "  {}: {} ({} waits, since {}{due})",
                item.key.id,
                item.action,
                item.role,
                item.since.with_timezone(&shenzhen()).format("%-d %B %H:%M"),
            )?;
        }
    }
    let overdue = reads.overdue_at(
        &journal.tenant,
        Tier::Estate,
        march(31, 9, 0),
        &Page::first(50),
    )?;
    writeln!(
        out,
        "Overdue at the estate tier by 31 March: {}.",
        if overdue.is_empty() {
            "none".to_owned()
        } else {
            overdue
                .iter()
                .map(|row| row.key.id.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        }
    )?;
    Ok(Morning { branch, academy })
}

/// Counts the stored events, verifies every stream's hash chain and reloads
/// one case to check it equals the live one.
fn check_store(
    out: &mut dyn Write,
    journal: &Journal,
    reload: &Case<Dispute>,
) -> Result<(usize, usize)> {
    let rows = journal.store.read_all(&journal.tenant, 0, 100_000)?;
    let mut streams: Vec<_> = rows.iter().map(|r| r.stream.clone()).collect();
    streams.sort();
    streams.dedup();
    for stream in &streams {
        journal::verify_stream(&*journal.store, stream)?;
    }
    let loaded = journal::load::<Dispute, _>(&*journal.store, &journal.tenant, reload.id())?;
    if &loaded != reload {
        return Err(format!("{} reloaded differs from the live case", reload.id()).into());
    }
    writeln!(out, "\nHistories")?;
    writeln!(out, "---------")?;
    match &journal.kind {
        StoreKind::Sqlite(path) => {
            writeln!(
                out,
                "{} events of {} cases in the SQLite file {}",
                rows.len(),
                streams.len(),
                path.display()
            )?;
            writeln!(
                out,
                "(tables journal_events and journal_streams; try: sqlite3 {} \"select stream_id, version, event_type, actor from journal_events join journal_streams using (stream_key)\").",
                path.display()
            )?;
        }
        StoreKind::Memory => writeln!(
            out,
            "{} events of {} cases in a memory store (run with `--features sqlite` to keep them in a SQLite file).",
            rows.len(),
            streams.len()
        )?,
    }
    writeln!(
        out,
        "Every hash chain verified; {} reloaded from the store equals the live case.",
        reload.id()
    )?;
    Ok((rows.len(), streams.len()))
}

fn write_diagrams(out: &mut dyn Write, graph: &OrgGraph, dir: &Path) -> Result<Vec<PathBuf>> {
    let files = [
        ("huanan_city.mmd", graph.to_mermaid()),
        ("huanan_city.dot", graph.to_dot()),
        ("dispute.mmd", mermaid::<Dispute>()),
        ("dispute.dot", dot::<Dispute>()),
        ("service_request.mmd", mermaid::<ServiceRequest>()),
        ("service_request.dot", dot::<ServiceRequest>()),
    ];
    writeln!(out, "\nDiagrams written to {}:", dir.display())?;
    let mut written = Vec::with_capacity(files.len());
    for (file, text) in files {
        let path = dir.join(file);
        std::fs::write(&path, text)?;
        writeln!(out, "  {file}")?;
        written.push(path);
    }
    writeln!(
        out,
        "(Mermaid renders on most code hosts and at mermaid.live; DOT with `dot -Tsvg`.)"
    )?;
    Ok(written)
}

// ---------------------------------------------------------------------------
// Reading histories.
// ---------------------------------------------------------------------------

fn dispute_outcome(case: &Case<Dispute>) -> Result<DisputeOutcome> {
    let mut first = None;
    let mut last = None;
    let mut reason = None;
    let mut mediators = Vec::new();
    let mut labour_deadline = None;
    for r in case.history() {
        match &r.event {
            DisputeEvent::Accepted {
                body,
                tier,
                labour_deadline: deadline,
            } => {
                first.get_or_insert_with(|| (body.clone(), *tier));
                last = Some((body.clone(), *tier));
                labour_deadline = labour_deadline.or(*deadline);
            }
            DisputeEvent::MediatorsAssigned { mediators: m, .. } => {
                mediators.extend(m.iter().cloned());
            }
            DisputeEvent::Ladder(step) => match &**step {
                LadderEvent::Started(s) => reason = Some(s.route.reason.clone()),
                LadderEvent::Escalated(e) => reason = Some(e.route.reason.clone()),
                _ => {}
            },
            _ => {}
        }
    }
    Ok(DisputeOutcome {
        case: case.id().clone(),
        first_handler: first.ok_or("never accepted")?,
        handler: last.ok_or("never accepted")?,
        reason: reason.ok_or("never routed")?,
        escalations: MatterReport::from_history(case.history()).escalations,
        mediators,
        state: case.state().kind(),
        labour_deadline,
    })
}

fn request_outcome(case: &Case<ServiceRequest>) -> Result<RequestOutcome> {
    let mut item = None;
    let mut handled_by = None;
    let mut overdue = false;
    let mut supervision = Vec::new();
    let (mut by_agent, mut review, mut rectified) = (false, None, false);
    for r in case.history() {
        match &r.event {
            ServiceRequestEvent::Submitted(s) => {
                item = Some((s.request.item.to_string(), s.request.mode));
                handled_by = Some(s.request.hall.clone());
                by_agent = s.request.agent.is_some();
            }
            ServiceRequestEvent::Rated { review: r, .. } => review = Some(*r),
            ServiceRequestEvent::FollowedUp { .. } => rectified = true,
            ServiceRequestEvent::SignedFor { by } => handled_by = Some(by.clone()),
            ServiceRequestEvent::Overdue { .. } => overdue = true,
            ServiceRequestEvent::Ladder(step) => match &**step {
                LadderEvent::SupervisionReminded { .. } => supervision.push("reminded"),
                LadderEvent::SupervisionNoticeIssued { .. } => supervision.push("notice issued"),
                _ => {}
            },
            _ => {}
        }
    }
    let (item, mode) = item.ok_or("never submitted")?;
    Ok(RequestOutcome {
        case: case.id().clone(),
        item,
        mode,
        by_agent,
        review,
        rectified,
        handled_by: handled_by.ok_or("never submitted")?,
        overdue,
        supervision,
        state: case.state().kind(),
    })
}

fn audit_trail(
    out: &mut dyn Write,
    graph: &OrgGraph,
    history: &[Recorded<DisputeEvent>],
) -> Result<()> {
    let mut handler = None;
    for r in history {
        if let DisputeEvent::Accepted { body, .. } = &r.event {
            handler = Some(body.clone());
        }
        let words = match &r.event {
            DisputeEvent::AgreementTookEffect { .. } if !confirmable(graph, handler.as_ref()) => {
                "agreement in effect, as a contract: a commercial mediation organisation's agreement is not judicially confirmed".to_owned()
            }
            event => dispute_event_in_words(graph, &r.actor, event),
        };
        writeln!(
            out,
            "{:>3}  {}  {:<18} {words}",
            r.seq,
            local(r.at),
            r.actor.as_str(),
        )?;
    }
    Ok(())
}

/// Whether an agreement reached before `handler` may go to judicial
/// confirmation: not when the handler is a commercial mediation
/// organisation, whose agreements are contracts (PML art. 33 is for
/// people's mediation agreements).
fn confirmable(graph: &OrgGraph, handler: Option<&OrgId>) -> bool {
    handler
        .and_then(|h| graph.mediation_organisation(h))
        .is_none_or(|m| m.agreement_may_be_judicially_confirmed())
}

fn words(snake: &str) -> String {
    snake.replace('_', " ")
}

fn reason_in_words(graph: &OrgGraph, reason: &RouteReason) -> String {
    match reason {
        RouteReason::Itself => "the area itself".to_owned(),
        RouteReason::Serves { area } => format!("it serves {}", name(graph, area)),
        other => other.to_string(),
    }
}

fn actors(ids: &[ActorId]) -> String {
    join(ids)
}

fn channel_in_words(channel: Channel, actor: &ActorId) -> String {
    match channel {
        Channel::Party => format!("{actor}, a party"),
        Channel::GridWorker => format!("{actor}, a grid worker"),
        Channel::MerchantsCouncil => "the merchants' council".to_owned(),
        Channel::SecretaryFaceToFace => "a secretary face-to-face session".to_owned(),
        Channel::CourtReferral => "a court referral".to_owned(),
        Channel::PoliceReferral => "a police referral".to_owned(),
        _ => actor.to_string(),
    }
}

fn failure_in_words(reason: FailureReason) -> &'static str {
    match reason {
        FailureReason::NoAgreementReached => "no agreement reached",
        FailureReason::PartyAbsent => "a party stayed away",
        FailureReason::PartyRefusedToSign => "a party would not sign",
    }
}

fn rating_in_words(rating: Satisfaction) -> &'static str {
    match rating {
        Satisfaction::Satisfied => "satisfied",
        Satisfaction::FairlySatisfied => "fairly satisfied",
        Satisfaction::Dissatisfied => "dissatisfied",
    }
}

fn dispute_event_in_words(graph: &OrgGraph, actor: &ActorId, event: &DisputeEvent) -> String {
    use DisputeEvent as E;
    match event {
        E::Reported(report) => format!(
            "reported: {} dispute at {}, via {}, {} severity; parties {}",
            words(report.kind.as_str()),
            name(graph, &report.location),
            channel_in_words(report.channel, actor),
            report.severity,
            report
                .parties
                .iter()
                .map(|p| p.actor.to_string())
                .collect::<Vec<_>>()
                .join(" and ")
        ),
        E::Accepted {
            body,
            tier,
            labour_deadline,
        } => match labour_deadline {
            Some(d) => format!(
                "accepted by {} ({tier} tier); arbitration may be applied for from {} without an agreement",
                name(graph, body),
                local_date(*d)
            ),
            None => format!("accepted by {} ({tier} tier)", name(graph, body)),
        },
        E::Declined { body, routes, .. } => {
            format!("declined by {}; routes open: {routes}", name(graph, body))
        }
        E::MediationRefused { party, routes } => {
            format!("{party} refused mediation; routes open: {routes}")
        }
        E::Withdrawn { party, routes } => format!("{party} withdrew; routes open: {routes}"),
        E::MediatorsAssigned {
            mediators,
            selection,
        } => format!(
            "mediator {} assigned {}",
            actors(mediators),
            match selection {
                Selection::Roster => "from the roster",
                Selection::ChosenByParties => "as chosen by the parties",
            }
        ),
        E::SessionRecorded { number } => format!("mediation session {number} held"),
        E::AgreementRecorded(agreement) => format!("agreement recorded: \"{}\"", agreement.terms),
        E::AgreementSigned { by } => format!("agreement signed by {by}"),
        E::AgreementTookEffect {
            confirmation_due, ..
        } => format!(
            "agreement in effect; judicial confirmation may be applied for until {}",
            local_date(*confirmation_due)
        ),
        E::ConfirmationApplied { applicants, .. } => format!(
            "judicial confirmation applied for jointly by {}",
            actors(applicants)
        ),
        E::AgreementFulfilled => "agreement fulfilled".to_owned(),
        E::AgreementBreached { remedies, .. } => {
            format!("agreement breached; routes open: {remedies:?}")
        }
        E::SealAffixed { body, .. } => format!("seal of {body} affixed"),
        E::ObligationPerformed { obligation } => format!("obligation {} performed", obligation + 1),
        E::MediationFailed { reason, routes } => format!(
            "mediation failed ({}); routes open: {routes}",
            failure_in_words(*reason)
        ),
        E::Referred { to, .. } => format!("referred out to {}", Routes::only(*to)),
        E::RiskFlagged { from, to } => format!("risk flagged: severity {from} → {to}"),
        E::ArbitrationOpened { deadline } => format!(
            "15 days from receipt passed on {} without an agreement: a party may apply for arbitration",
            local_date(*deadline)
        ),
        E::FollowedUp { rating } => {
            format!("follow-up visit: {}; closed", rating_in_words(*rating))
        }
        E::Ladder(step) => ladder_event_in_words(graph, step),
        other => format!("{other:?}"),
    }
}

fn ladder_event_in_words(graph: &OrgGraph, event: &LadderEvent) -> String {
    match event {
        LadderEvent::Started(s) => format!(
            "on the ladder at the {} tier (ceiling: {}), routed to {}: {}",
            s.route.tier,
            s.band.ceiling,
            name(graph, &s.route.handler),
            reason_in_words(graph, &s.route.reason)
        ),
        LadderEvent::Rescheduled { tier, due } => {
            format!(
                "the {tier} tier's due date moved to {}",
                due.format("%Y-%m-%d")
            )
        }
        LadderEvent::Escalated(e) => format!(
            "escalated {} → {} ({}), routed to {}: {}",
            e.from,
            e.to,
            match e.reason {
                EscalationReason::TimedOut => "timed out",
                EscalationReason::HandlingFailed => "handling failed",
                EscalationReason::SeverityRaised => "severity raised",
                EscalationReason::RequestedByParty => "requested by a party",
                EscalationReason::Supervision => "supervision",
                _ => "another reason",
            },
            name(graph, &e.route.handler),
            reason_in_words(graph, &e.route.reason)
        ),
        LadderEvent::SeverityRaised { from, to, .. } => {
            format!("severity raised on the ladder: {from} → {to}")
        }
        LadderEvent::SupervisionReminded { handler, .. } => {
            format!("supervision reminder to {}", name(graph, handler))
        }
        LadderEvent::SupervisionNoticeIssued { handler, .. } => {
            format!("written supervision notice to {}", name(graph, handler))
        }
        LadderEvent::Exhausted { tier } => format!("no tier left above the {tier} tier"),
        LadderEvent::Resolved { tier, handler, .. } => {
            format!("resolved at the {tier} tier by {}", name(graph, handler))
        }
        LadderEvent::ReferredOut { tier, .. } => format!("referred out from the {tier} tier"),
        other => format!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Work orders: the 12345 loop (issue 16).
// ---------------------------------------------------------------------------

/// How a work order of the story went.
#[derive(Debug)]
#[allow(dead_code)] // read by tests/examples.rs
pub(crate) struct WorkOrderOutcome {
    /// The case.
    pub(crate) case: CaseId,
    /// How the request arrived.
    pub(crate) channel: grassroots::work_order::Channel,
    /// The body that received it first.
    pub(crate) first_receiver: OrgId,
    /// Every lead body it was dispatched to (or taken on by), in order.
    pub(crate) leads: Vec<OrgId>,
    /// The returns, by body.
    pub(crate) returned_by: Vec<OrgId>,
    /// Times it was redone.
    pub(crate) redos: u32,
    /// The last callback's satisfaction.
    pub(crate) satisfaction: Option<grassroots::work_order::Satisfaction>,
    /// The state it ended in.
    pub(crate) state: grassroots::work_order::WorkOrderStateKind,
}

/// Two requests through the Longgang 12345 centre (the crate's work-order
/// sample): one from the merchants' council, returned by the body the graph
/// routed it to and re-dispatched for joint handling; one heard at a
/// "secretary face-to-face" session, taken on by the subdistrict itself and
/// redone after a dissatisfied callback.
pub(crate) fn work_orders(out: &mut dyn Write) -> Result<Vec<WorkOrderOutcome>> {
    work_orders_in(out, Lang::En)
}

/// The work orders, told in `lang`.
pub(crate) fn work_orders_in(out: &mut dyn Write, lang: Lang) -> Result<Vec<WorkOrderOutcome>> {
    use grassroots::work_order::{
        Channel, Finding, GeoFields, GeoPoint, Lead, ReturnGround, ReturnReason, Satisfaction,
        WorkOrder, WorkOrderCommand as C, WorkOrderEvent as E, sample as wo,
    };
    let orders = wo::huanan_work_orders();
    let dispatcher = wo::dispatcher();
    match lang {
        Lang::Zh => writeln!(out, "\n龙岗区12345热线工单\n----------------------")?,
        _ => {
            writeln!(out, "\nWork orders through the Longgang 12345 centre")?;
            writeln!(out, "----------------------------------------------")?;
        }
    }
    let step = |case: &mut Case<WorkOrder>,
                out: &mut dyn Write,
                actor: &Actor,
                at: DateTime<Utc>,
                command: C|
     -> Result<()> {
        match case.handle(&orders, &command, &Context::new(at, actor)) {
            Ok(recorded) => {
                let kinds: Vec<String> = recorded
                    .iter()
                    .map(|r| match lang {
                        Lang::Zh => r.event.zh().into_owned(),
                        _ => r.event.kind().to_string(),
                    })
                    .collect();
                let sep = if lang == Lang::Zh { "；" } else { ", " };
                writeln!(out, "  {} {}: {}", local(at), actor.id(), kinds.join(sep))?;
            }
            Err(refused) if lang == Lang::Zh => writeln!(
                out,
                "  {} {}：被拒绝：{}",
                local(at),
                actor.id(),
                refused.zh()
            )?,
            Err(refused) => writeln!(out, "  {} {}: refused: {refused}", local(at), actor.id())?,
        }
        Ok(())
    };

    // The merchants' council brings a member's complaint: stalls block the
    // fire lane at gate 2.
    let mut council = Case::<WorkOrder>::new("12345-HN-0001".parse()?);
    match lang {
        Lang::Zh => writeln!(
            out,
            "{}（商户议事会）：2号门消防通道被夜市摊位占用",
            council.id()
        )?,
        _ => writeln!(
            out,
            "{} (merchants' council): stalls block the fire lane at gate 2",
            council.id()
        )?,
    }
    let receive = C::Receive {
        channel: Channel::MerchantsCouncil,
        requester: person("ent-huanan-0031")?,
        matter: wo::CITY_APPEARANCE,
        location: org(wo::HUANAN_CITY)?,
        description: "night-market stalls block the fire lane at gate 2".parse()?,
        geo: GeoFields {
            point: Some(GeoPoint::new(22.6634, 114.1321)?),
            address: Some("gate 2, Huanan City, Pinghu".parse()?),
            media_url: Some("https://img.example.cn/12345/hn-0001.jpg".parse()?),
        },
    };
    step(
        &mut council,
        out,
        &wo::council_liaison(),
        march(3, 10, 0),
        receive,
    )?;
    let record = "the council cannot clear stalls; passed to 12345 with the member's photo";
    step(
        &mut council,
        out,
        &wo::council_liaison(),
        march(3, 10, 5),
        C::HandOver {
            record: record.parse()?,
        },
    )?;
    let routed = C::Dispatch {
        lead: Lead::Routed,
        assisting: vec![],
    };
    step(&mut council, out, &dispatcher, march(3, 10, 20), routed)?;
    let outside = ReturnReason {
        ground: ReturnGround::OutsideOurArea,
        note: "the lane outside gate 2 is a municipal road, not the park's".parse()?,
    };
    step(
        &mut council,
        out,
        &wo::member(wo::PROPERTY),
        march(3, 11, 0),
        C::Return { reason: outside },
    )?;
    let market = C::Dispatch {
        lead: Lead::Chosen {
            body: org(wo::MARKET)?,
            reason: "the stalls sell food".parse()?,
        },
        assisting: vec![],
    };
    step(&mut council, out, &dispatcher, march(3, 11, 10), market)?;
    let urban = C::Dispatch {
        lead: Lead::Chosen {
            body: org(wo::URBAN)?,
            reason: "a municipal road: urban management, with the park keeping its gate clear"
                .parse()?,
        },
        assisting: vec![org(wo::PROPERTY)?],
    };
    step(&mut council, out, &dispatcher, march(3, 11, 15), urban)?;
    step(
        &mut council,
        out,
        &wo::member(wo::URBAN),
        march(3, 13, 30),
        C::SignFor,
    )?;
    let reply = C::Reply {
        reply: "stalls moved to the licensed night market on the east square".parse()?,
    };
    step(
        &mut council,
        out,
        &wo::member(wo::URBAN),
        march(4, 22, 0),
        reply.clone(),
    )?;
    step(
        &mut council,
        out,
        &wo::member(wo::PROPERTY),
        march(4, 22, 10),
        C::Assist {
            note: "gate 2 kept clear by park security".parse()?,
        },
    )?;
    step(
        &mut council,
        out,
        &wo::member(wo::URBAN),
        march(4, 22, 30),
        reply,
    )?;
    let satisfied = C::Callback {
        satisfaction: Satisfaction::Satisfied,
        finding: Finding::ReplyAdequate,
        note: None,
    };
    step(
        &mut council,
        out,
        &dispatcher,
        march(5, 10, 0),
        satisfied.clone(),
    )?;
    step(&mut council, out, &dispatcher, march(5, 10, 5), C::Close)?;
    if lang == Lang::Zh {
        writeln!(
            out,
            "  Open311 状态说明：{}",
            grassroots::i18n::work_order_status_notes(&orders, council.state(), Lang::Zh)
        )?;
    } else if let Some(view) = grassroots::open311::work_order_request(&orders, &council) {
        writeln!(
            out,
            "  GeoReport: {} {} at {} ({}, {}), {}",
            view.service_request_id,
            serde_json::to_string(&view.status)?,
            view.address.unwrap_or_default(),
            view.lat.unwrap_or_default(),
            view.long.unwrap_or_default(),
            view.status_notes.unwrap_or_default()
        )?;
    }

    // A secretary face-to-face: an enterprise says the street lights of the
    // park's east road have been out for a week.
    let mut lights = Case::<WorkOrder>::new("12345-HN-0002".parse()?);
    match lang {
        Lang::Zh => writeln!(out, "{}（书记面对面）：东路路灯不亮", lights.id())?,
        _ => writeln!(
            out,
            "{} (secretary face-to-face): the east road is dark",
            lights.id()
        )?,
    }
    let receive = C::Receive {
        channel: Channel::SecretaryFaceToFace,
        requester: person("ent-huanan-0107")?,
        matter: wo::STREET_LIGHTING,
        location: org(wo::HUANAN_CITY)?,
        description: "the street lights of the east road have been out for a week".parse()?,
        geo: GeoFields::default(),
    };
    let pinghu = wo::member(wo::PINGHU);
    step(&mut lights, out, &wo::secretary(), march(4, 15, 0), receive)?;
    step(
        &mut lights,
        out,
        &wo::secretary(),
        march(4, 15, 5),
        C::TakeOn,
    )?;
    let early = C::Callback {
        satisfaction: Satisfaction::Satisfied,
        finding: Finding::ReplyAdequate,
        note: None,
    };
    step(&mut lights, out, &dispatcher, march(5, 9, 0), early)?;
    step(
        &mut lights,
        out,
        &pinghu,
        march(6, 17, 0),
        C::Reply {
            reply: "bulbs replaced".parse()?,
        },
    )?;
    let wanting = C::Callback {
        satisfaction: Satisfaction::Dissatisfied,
        finding: Finding::ReplyWanting,
        note: Some("two lamps by the canteen are still dark".parse()?),
    };
    step(&mut lights, out, &dispatcher, march(9, 10, 0), wanting)?;
    step(&mut lights, out, &dispatcher, march(9, 10, 5), C::Close)?;
    step(
        &mut lights,
        out,
        &dispatcher,
        march(9, 10, 10),
        C::Redo {
            reason: "repair the cable to the canteen lamps".parse()?,
        },
    )?;
    step(
        &mut lights,
        out,
        &pinghu,
        march(11, 16, 0),
        C::Reply {
            reply: "cable repaired; every lamp lit".parse()?,
        },
    )?;
    step(&mut lights, out, &dispatcher, march(12, 10, 0), satisfied)?;
    step(&mut lights, out, &dispatcher, march(12, 10, 5), C::Close)?;

    let mut metrics = grassroots::metrics::WorkOrderMetrics::default();
    for case in [&council, &lights] {
        metrics.observe(case.history());
    }
    if lang != Lang::Zh {
        writeln!(out, "{metrics}")?;
    }

    let outcome = |case: &Case<WorkOrder>| -> Result<WorkOrderOutcome> {
        let order = case
            .state()
            .order()
            .ok_or("a work order was not received")?;
        let mut leads = Vec::new();
        for r in case.history() {
            match &r.event {
                E::Dispatched { assignment, .. } => leads.push(assignment.lead.clone()),
                E::TakenOn { by, .. } => leads.push(by.clone()),
                _ => {}
            }
        }
        Ok(WorkOrderOutcome {
            case: case.id().clone(),
            channel: order.intake().channel,
            first_receiver: order.intake().first_receiver.clone(),
            leads,
            returned_by: order.returns().iter().map(|r| r.by.clone()).collect(),
            redos: case.state().handling().map_or(0, |h| h.redos()),
            satisfaction: case.state().callback().map(|c| c.satisfaction),
            state: case.state().kind(),
        })
    };
    Ok(vec![outcome(&council)?, outcome(&lights)?])
}

fn main() -> Result<()> {
    let args = match args::parse("huanan_city", std::env::args_os().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    if args.help {
        println!("{}", args::usage("huanan_city"));
        return Ok(());
    }
    let (lang, dir) = (args.lang, args.dir);
    let dir = dir.map_or_else(
        || {
            // Beside the build, wherever `CARGO_TARGET_DIR` puts it.
            std::env::var_os("CARGO_TARGET_DIR")
                .map_or_else(
                    || Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
                    PathBuf::from,
                )
                .join("huanan_city")
        },
        PathBuf::from,
    );
    let stdout = std::io::stdout();
    match run_in(&mut stdout.lock(), &dir, lang) {
        // Piped into `head`: the reader has seen enough.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(())
        }
        result => result.map(drop),
    }
}
