//! Buji subdistrict's Dongfang Bandao community, as the source report
//! describes it: nine housing estates and one urban village, and the
//! Mancheng (Slow City) estate that became a "self-running estate" under the
//! 1 + 1 + N model.
//!
//! - **Before**: Mancheng had a property company but no party branch and no
//!   owners' committee; the health check reports what is missing.
//! - **The owners' committee re-election**, tracked as a matter of its own:
//!   the crate ships no election workflow, so this example writes one on the
//!   kernel (announce, door-to-door visits, result) in a hundred lines.
//! - **After**: the estate party branch, the community grid, and N other
//!   forces — the property company, the newly elected owners' committee, the
//!   volunteers — with Chenghan School paired with the community; the health
//!   check finds nothing missing at Mancheng.
//! - **A property-management dispute settled inside the estate**: found by a
//!   grid worker, mediated by a resident mediator, never leaving Mancheng.
//!
//! The community, Mancheng and Chenghan School are the report's. The other
//! estates are placeholders (the report does not name them); the people,
//! dates and figures of the cases are made up.
//!
//! Run with `cargo run --example dongfang_bandao`. Diagrams go to
//! `target/dongfang_bandao/`, or to the directory given as the first
//! argument.

use std::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use grassroots::actor::{Actor, Forbidden, Role};
use grassroots::calendar::WorkingCalendar;
use grassroots::dispute::{
    Channel, Dispute, DisputeCommand, DisputeEvent, DisputeStateKind, Obligation, ObligationKind,
    ObligationPerformance, Party, Report, Satisfaction, Selection,
};
use grassroots::escalation::{Ladder, LadderEvent, MatterReport, PolicyBook};
use grassroots::i18n::{Lang, Localized};
use grassroots::id::{ActorId, CaseId, OrgId};
use grassroots::matter::DisputeKind;
use grassroots::org::{
    Capability, EstatePart, Finding, HealthReport, Mechanism, Org, OrgGraph, OrgKind, Relation,
    RouteReason, Validity,
};
use grassroots::tier::{Severity, Tier};
use grassroots::workflow::{Case, Context, Decision, HasKind, Transition, Workflow, mermaid};

// The tests include both story examples, and so this module twice.
#[allow(clippy::duplicate_mod)]
#[path = "support/args.rs"]
mod args;

type Result<T, E = Box<dyn Error>> = std::result::Result<T, E>;

// ---------------------------------------------------------------------------
// What the run found: the integration test asserts on it.
// ---------------------------------------------------------------------------

/// Everything the story ends with.
#[derive(Debug)]
#[allow(dead_code)] // read by tests/examples.rs
pub(crate) struct Outcome {
    /// Housing estates in the community.
    pub(crate) estates: usize,
    /// Urban villages in the community.
    pub(crate) urban_villages: usize,
    /// The health check before the 1 + 1 + N model.
    pub(crate) before: HealthReport,
    /// Whether an owners' committee served Mancheng before.
    pub(crate) owners_committee_before: bool,
    /// The re-election: seats filled and party members among them.
    pub(crate) election: Option<(u32, u32)>,
    /// The health check after.
    pub(crate) after: HealthReport,
    /// Whether an owners' committee serves Mancheng after.
    pub(crate) owners_committee_after: bool,
    /// The property-management dispute.
    pub(crate) dispute: DisputeOutcome,
    /// The diagram files written.
    pub(crate) diagrams: Vec<PathBuf>,
}

/// Who handled the dispute, where, and how it ended.
#[derive(Debug)]
#[allow(dead_code)] // read by tests/examples.rs
pub(crate) struct DisputeOutcome {
    /// The case.
    pub(crate) case: CaseId,
    /// The body that accepted it, and its tier.
    pub(crate) handler: (OrgId, Tier),
    /// Why routing chose it.
    pub(crate) reason: RouteReason,
    /// The mediators assigned.
    pub(crate) mediators: Vec<ActorId>,
    /// Steps up the ladder.
    pub(crate) escalations: u32,
    /// The state it ended in.
    pub(crate) state: DisputeStateKind,
    /// The end of the window for judicial confirmation (PML art. 33; a
    /// legal period, moved past holidays), once the agreement took effect.
    pub(crate) confirmation_due: Option<DateTime<Utc>>,
    /// When the parties applied for judicial confirmation, jointly.
    pub(crate) confirmation_applied: Option<DateTime<Utc>>,
}

// ---------------------------------------------------------------------------
// Ids and times.
// ---------------------------------------------------------------------------

const COMMUNITY: &str = "dongfang-bandao";
const MANCHENG: &str = "mancheng";

fn org(s: &str) -> Result<OrgId> {
    Ok(s.parse()?)
}

fn person(s: &str) -> Result<ActorId> {
    Ok(s.parse()?)
}

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("no date {y}-{m}-{d}").into())
}

fn shenzhen() -> FixedOffset {
    WorkingCalendar::prc().offset()
}

/// A day and time of 2026 in Shenzhen.
fn at(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    shenzhen()
        .with_ymd_and_hms(2026, month, day, hour, minute, 0)
        .single()
        .expect("a valid time in 2026")
        .with_timezone(&Utc)
}

fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&shenzhen())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn name(graph: &OrgGraph, id: &OrgId) -> String {
    graph
        .org(id)
        .map_or_else(|| id.to_string(), |o| o.name.clone())
}

// ---------------------------------------------------------------------------
// The organisation graph, before and after the 1 + 1 + N model.
// ---------------------------------------------------------------------------

/// Which graph to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Mancheng before: a property company, nothing else.
    Before,
    /// Mancheng after: the 1 + 1 + N model, with the owners' committee
    /// elected on the given day.
    After {
        /// The day the owners' committee was elected.
        elected: NaiveDate,
    },
}

/// Dongfang Bandao community at a stage.
pub(crate) fn dongfang_bandao(stage: Stage) -> Result<OrgGraph> {
    let mut graph = OrgGraph::new();
    let since = Validity::since(date(2020, 1, 1)?);
    let mut add = |o: Org| graph.try_add_org(o);
    add(Org::new(
        org("shenzhen")?,
        "Shenzhen",
        OrgKind::Municipality,
    ))?;
    add(Org::new(
        org("longgang")?,
        "Longgang district",
        OrgKind::District,
    ))?;
    add(Org::new(
        org("buji")?,
        "Buji subdistrict",
        OrgKind::Subdistrict,
    ))?;
    add(Org::new(
        org(COMMUNITY)?,
        "Dongfang Bandao community",
        OrgKind::Community,
    ))?;
    add(Org::new(
        org("community-party")?,
        "Dongfang Bandao community party committee",
        OrgKind::PartyCommittee,
    ))?;
    add(Org::new(
        org("community-mediation")?,
        "Dongfang Bandao people's mediation committee",
        OrgKind::MediationCommittee,
    )
    .with_capabilities(DisputeKind::ALL.map(Capability::Mediation)))?;
    add(Org::new(
        org("chenghan-school")?,
        "Chenghan School",
        OrgKind::School,
    ))?;
    // Mancheng settles its own neighbour and property matters once it runs
    // itself; before, it could not.
    let mancheng = Org::new(
        org(MANCHENG)?,
        "Mancheng (Slow City) estate",
        OrgKind::HousingEstate,
    );
    add(match stage {
        Stage::Before => mancheng,
        Stage::After { .. } => mancheng.with_capabilities([
            Capability::Mediation(DisputeKind::Neighbour),
            Capability::Mediation(DisputeKind::PropertyManagement),
        ]),
    })?;
    add(Org::new(
        org("mancheng-property")?,
        "Mancheng property management company",
        OrgKind::PropertyManagementCompany,
    ))?;
    // The other eight estates and the urban village: placeholders with a
    // grid and a property company each.
    for n in 2..=9 {
        add(Org::new(
            org(&format!("estate-{n}"))?,
            format!("Housing estate {n}"),
            OrgKind::HousingEstate,
        ))?;
        add(Org::new(
            org(&format!("estate-{n}-grid"))?,
            format!("Grid of estate {n}"),
            OrgKind::Grid,
        ))?;
        add(Org::new(
            org(&format!("estate-{n}-property"))?,
            format!("Property company of estate {n}"),
            OrgKind::PropertyManagementCompany,
        ))?;
    }
    add(Org::new(
        org("village")?,
        "The urban village",
        OrgKind::UrbanVillage,
    ))?;
    add(Org::new(
        org("village-grid")?,
        "Grid of the urban village",
        OrgKind::Grid,
    ))?;
    add(Org::new(
        org("village-company")?,
        "The village's joint-stock company",
        OrgKind::Enterprise,
    ))?;

    let mut link = |from: &str, relation: Relation, to: &str| -> Result<()> {
        graph.try_link(&org(from)?, relation, &org(to)?)?;
        Ok(())
    };
    link("longgang", Relation::PartOf, "shenzhen")?;
    link("buji", Relation::PartOf, "longgang")?;
    link(COMMUNITY, Relation::PartOf, "buji")?;
    link("community-party", Relation::Leads, COMMUNITY)?;
    link("community-mediation", Relation::Serves(since), COMMUNITY)?;
    link(MANCHENG, Relation::PartOf, COMMUNITY)?;
    link("mancheng-property", Relation::Serves(since), MANCHENG)?;
    for n in 2..=9 {
        let estate = format!("estate-{n}");
        link(&estate, Relation::PartOf, COMMUNITY)?;
        link(&format!("{estate}-grid"), Relation::PartOf, &estate)?;
        link(
            &format!("{estate}-property"),
            Relation::Serves(since),
            &estate,
        )?;
    }
    link("village", Relation::PartOf, COMMUNITY)?;
    link("village-grid", Relation::PartOf, "village")?;
    link("village-company", Relation::Serves(since), "village")?;

    match stage {
        // The school is a neighbour before the co-construction, and linked
        // by nothing: the health check will say so.
        Stage::Before => {}
        Stage::After { elected } => {
            // 1: the estate party branch, led by the community's committee.
            // 1: the community grid, now a grid of the estate.
            // N: the property company (already there), the owners'
            //    committee, the volunteers; the school, paired with the
            //    community for the weekly culture day.
            let model = Validity::since(date(2023, 3, 1)?);
            graph.try_add_org(Org::new(
                org("mancheng-branch")?,
                "Mancheng estate party branch",
                OrgKind::PartyBranch,
            ))?;
            graph.try_add_org(Org::new(
                org("mancheng-grid")?,
                "Shiyaling grid (Mancheng)",
                OrgKind::Grid,
            ))?;
            graph.try_add_org(Org::new(
                org("mancheng-owners")?,
                "Mancheng owners' committee",
                OrgKind::OwnersCommittee,
            ))?;
            graph.try_add_org(Org::new(
                org("mancheng-volunteers")?,
                "Mancheng volunteers",
                OrgKind::VolunteerTeam,
            ))?;
            graph.try_add_org(Org::new(
                org("p-zhou")?,
                "Zhou, resident mediator and volunteer",
                OrgKind::Person(person("zhou")?),
            ))?;
            let mut link = |from: &str, relation: Relation, to: &str| -> Result<()> {
                graph.try_link(&org(from)?, relation, &org(to)?)?;
                Ok(())
            };
            link("community-party", Relation::Leads, "mancheng-branch")?;
            link("mancheng-branch", Relation::Leads, MANCHENG)?;
            link("mancheng-grid", Relation::PartOf, MANCHENG)?;
            link(
                "mancheng-owners",
                Relation::Serves(Validity::since(elected)),
                MANCHENG,
            )?;
            link("mancheng-volunteers", Relation::Serves(model), MANCHENG)?;
            link("chenghan-school", Relation::PairedWith(model), COMMUNITY)?;
            link(
                "chenghan-school",
                Relation::Coordinates(Mechanism::JointCreation, model),
                MANCHENG,
            )?;
            link("p-zhou", Relation::MemberOf(model), MANCHENG)?;
            link("p-zhou", Relation::MemberOf(model), "mancheng-volunteers")?;
        }
    }
    Ok(graph)
}

/// Since when an owners' committee serves `estate`, if one does on `day`.
fn owners_committee_since(graph: &OrgGraph, estate: &OrgId, day: NaiveDate) -> Option<NaiveDate> {
    graph.links_on(day).find_map(|l| match l.relation {
        Relation::Serves(validity)
            if l.to == *estate
                && graph
                    .org(&l.from)
                    .is_some_and(|o| o.kind == OrgKind::OwnersCommittee) =>
        {
            Some(validity.from)
        }
        _ => None,
    })
}

// ---------------------------------------------------------------------------
// The owners' committee re-election, a workflow of this example's own.
// ---------------------------------------------------------------------------

/// The re-election of an estate's owners' committee (业委会换届), tracked as a
/// matter: announced with its seats, canvassed door to door, its result
/// recorded.
struct Reelection;

#[derive(Debug, Clone, PartialEq, HasKind)]
enum ElectionState {
    NotAnnounced,
    Announced { seats: u32 },
    Canvassing { seats: u32, households: u32 },
    Elected { members: u32, party_members: u32 },
}

#[derive(Debug, HasKind)]
enum ElectionCommand {
    /// The estate party branch announces the re-election.
    Announce { seats: u32 },
    /// Party members, property staff or grid workers record a round of
    /// door-to-door visits explaining the election law.
    RecordVisits { households: u32 },
    /// The result of the vote.
    RecordResult { members: u32, party_members: u32 },
}

#[derive(Debug, Clone, PartialEq, HasKind)]
enum ElectionEvent {
    Announced { seats: u32 },
    HouseholdsVisited { households: u32 },
    Elected { members: u32, party_members: u32 },
}

#[derive(Debug, thiserror::Error)]
enum ElectionRefusal {
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error("{command} does not apply to an election that is {state}")]
    NotNow {
        command: ElectionCommandKind,
        state: ElectionStateKind,
    },
    #[error("a committee needs at least one seat")]
    NoSeats,
    #[error("{members} members elected for {seats} seats")]
    TooManyMembers { members: u32, seats: u32 },
    #[error("{party_members} party members among {members} members")]
    MorePartyMembersThanMembers { party_members: u32, members: u32 },
}

/// The refusals in Chinese too: an exhaustive match, so a new refusal
/// without its Chinese does not compile.
impl Localized for ElectionRefusal {
    fn en(&self) -> std::borrow::Cow<'_, str> {
        self.to_string().into()
    }

    fn zh(&self) -> std::borrow::Cow<'_, str> {
        match self {
            ElectionRefusal::Forbidden(f) => f.zh(),
            ElectionRefusal::NotNow { command, state } => {
                format!("选举处于 {state} 状态，不能执行 {command}").into()
            }
            ElectionRefusal::NoSeats => "业委会至少须有一个席位".into(),
            ElectionRefusal::TooManyMembers { members, seats } => {
                format!("{seats} 个席位却选出 {members} 名委员").into()
            }
            ElectionRefusal::MorePartyMembersThanMembers {
                party_members,
                members,
            } => format!("{members} 名委员中有 {party_members} 名党员，不可能").into(),
        }
    }
}

impl Workflow for Reelection {
    const NAME: &'static str = "owners_committee_reelection";
    type State = ElectionState;
    type Command = ElectionCommand;
    type Event = ElectionEvent;
    type Rejection = ElectionRefusal;

    fn initial() -> ElectionState {
        ElectionState::NotAnnounced
    }

    fn decide(
        &self,
        state: &ElectionState,
        command: &ElectionCommand,
        ctx: &Context<'_>,
    ) -> Result<Decision<ElectionEvent>, ElectionRefusal> {
        use ElectionCommand as C;
        use ElectionState as S;
        let actor = ctx.actor();
        match (state, command) {
            (S::NotAnnounced, C::Announce { seats }) => {
                actor.require("announce the re-election", Role::Officer(Tier::Estate))?;
                if *seats == 0 {
                    return Err(ElectionRefusal::NoSeats);
                }
                Ok(ElectionEvent::Announced { seats: *seats }.into())
            }
            (S::Announced { .. } | S::Canvassing { .. }, C::RecordVisits { households }) => {
                actor.require_any(
                    "record door-to-door visits",
                    &[
                        Role::Officer(Tier::Estate),
                        Role::PropertyManager,
                        Role::GridWorker,
                    ],
                )?;
                Ok(ElectionEvent::HouseholdsVisited {
                    households: *households,
                }
                .into())
            }
            (
                S::Canvassing { seats, .. },
                C::RecordResult {
                    members,
                    party_members,
                },
            ) => {
                actor.require("record the result", Role::Officer(Tier::Estate))?;
                if members > seats {
                    return Err(ElectionRefusal::TooManyMembers {
                        members: *members,
                        seats: *seats,
                    });
                }
                if party_members > members {
                    return Err(ElectionRefusal::MorePartyMembersThanMembers {
                        party_members: *party_members,
                        members: *members,
                    });
                }
                Ok(ElectionEvent::Elected {
                    members: *members,
                    party_members: *party_members,
                }
                .into())
            }
            _ => Err(ElectionRefusal::NotNow {
                command: command.kind(),
                state: state.kind(),
            }),
        }
    }

    fn evolve(state: ElectionState, event: &ElectionEvent) -> ElectionState {
        match (state, event) {
            (_, ElectionEvent::Announced { seats }) => ElectionState::Announced { seats: *seats },
            (
                ElectionState::Announced { seats },
                ElectionEvent::HouseholdsVisited { households },
            ) => ElectionState::Canvassing {
                seats,
                households: *households,
            },
            (
                ElectionState::Canvassing { seats, households },
                ElectionEvent::HouseholdsVisited { households: more },
            ) => ElectionState::Canvassing {
                seats,
                households: households + more,
            },
            (
                _,
                ElectionEvent::Elected {
                    members,
                    party_members,
                },
            ) => ElectionState::Elected {
                members: *members,
                party_members: *party_members,
            },
            (state, _) => state,
        }
    }

    fn is_terminal(state: &ElectionState) -> bool {
        matches!(state, ElectionState::Elected { .. })
    }

    fn transitions() -> &'static [Transition<ElectionStateKind, ElectionEventKind>] {
        const TABLE: &[Transition<ElectionStateKind, ElectionEventKind>] = &[
            Transition::new(
                ElectionStateKind::NotAnnounced,
                ElectionEventKind::Announced,
                ElectionStateKind::Announced,
            ),
            Transition::new(
                ElectionStateKind::Announced,
                ElectionEventKind::HouseholdsVisited,
                ElectionStateKind::Canvassing,
            ),
            Transition::new(
                ElectionStateKind::Canvassing,
                ElectionEventKind::HouseholdsVisited,
                ElectionStateKind::Canvassing,
            ),
            Transition::new(
                ElectionStateKind::Canvassing,
                ElectionEventKind::Elected,
                ElectionStateKind::Elected,
            ),
        ];
        TABLE
    }
}

// ---------------------------------------------------------------------------
// The story.
// ---------------------------------------------------------------------------

/// Runs the whole story, writing the narrative to `out` and the diagrams
/// into `dir`.
#[allow(dead_code)] // tests/examples.rs runs it
pub(crate) fn run(out: &mut dyn Write, dir: &Path) -> Result<Outcome> {
    run_in(out, dir, Lang::En)
}

/// Runs the whole story told in `lang`.
pub(crate) fn run_in(out: &mut dyn Write, dir: &Path, lang: Lang) -> Result<Outcome> {
    let zh = lang == Lang::Zh;
    std::fs::create_dir_all(dir)?;
    let mancheng = org(MANCHENG)?;

    if zh {
        writeln!(out, "东方半岛社区（龙岗区布吉街道）")?;
        writeln!(out, "==============================")?;
    } else {
        writeln!(
            out,
            "Dongfang Bandao community, Buji subdistrict, Longgang district"
        )?;
        writeln!(
            out,
            "============================================================="
        )?;
    }
    let before = dongfang_bandao(Stage::Before)?;
    let count = |kind: OrgKind| before.orgs().filter(|o| o.kind == kind).count();
    let (estates, urban_villages) = (count(OrgKind::HousingEstate), count(OrgKind::UrbanVillage));
    if zh {
        writeln!(
            out,
            "{estates} 个小区和 {urban_villages} 个城中村；试点漫城小区有 2000 多户。"
        )?;
        writeln!(
            out,
            "（社区、漫城小区和承翰学校取自报道；其他小区为占位；人员、案件和日期均为虚构。）"
        )?;
    } else {
        writeln!(
            out,
            "{estates} housing estates and {urban_villages} urban village; Mancheng, the pilot, has over 2,000 households."
        )?;
        writeln!(
            out,
            "(The community, Mancheng and Chenghan School are the report's; the other estates are placeholders; the people, cases and dates are made up.)"
        )?;
    }

    // Before.
    let before_day = date(2022, 6, 1)?;
    let before_report = before.health(before_day);
    let owners_committee_before = owners_committee_since(&before, &mancheng, before_day);
    if zh {
        writeln!(out, "\n之前：{before_day} 的组织健康检查")?;
    } else {
        writeln!(out, "\nBefore: health check on {before_day}")?;
    }
    health_lines(
        out,
        &before_report,
        &mancheng,
        owners_committee_before,
        lang,
    )?;

    // The re-election.
    let (election, elected_on) = reelection(out, lang)?;

    // After.
    let after = dongfang_bandao(Stage::After {
        elected: elected_on,
    })?;
    let after_day = date(2026, 4, 1)?;
    let after_report = after.health(after_day);
    let owners_committee_after = owners_committee_since(&after, &mancheng, after_day);
    if zh {
        writeln!(out, "\n之后：1+1+N 共建模式，{after_day} 的组织健康检查")?;
        writeln!(
            out,
            "  1 个小区党支部：{}",
            name(&after, &org("mancheng-branch")?)
        )?;
        writeln!(
            out,
            "  1 个社区网格：{}",
            name(&after, &org("mancheng-grid")?)
        )?;
        writeln!(
            out,
            "  N 种其他力量：物业、业委会、志愿者；与社区结对共建的承翰学校"
        )?;
    } else {
        writeln!(
            out,
            "\nAfter: the 1 + 1 + N model, health check on {after_day}"
        )?;
        writeln!(
            out,
            "  1 estate party branch: {}",
            name(&after, &org("mancheng-branch")?)
        )?;
        writeln!(
            out,
            "  1 community grid: {}",
            name(&after, &org("mancheng-grid")?)
        )?;
        writeln!(
            out,
            "  N other forces: the property company, the owners' committee, the volunteers; Chenghan School, paired with the community"
        )?;
    }
    health_lines(out, &after_report, &mancheng, owners_committee_after, lang)?;

    // A property-management dispute, settled inside the estate.
    let dispute = property_dispute(out, &after, lang)?;

    let diagrams = vec![
        write(dir, "dongfang_bandao_before.mmd", &before.to_mermaid())?,
        write(dir, "dongfang_bandao_after.mmd", &after.to_mermaid())?,
        write(dir, "dongfang_bandao_after.dot", &after.to_dot())?,
        write(
            dir,
            "owners_committee_reelection.mmd",
            &mermaid::<Reelection>(),
        )?,
    ];
    if zh {
        writeln!(out, "\n图已写入 {}：", dir.display())?;
    } else {
        writeln!(out, "\nDiagrams written to {}:", dir.display())?;
    }
    for path in &diagrams {
        if let Some(file) = path.file_name() {
            writeln!(out, "  {}", file.to_string_lossy())?;
        }
    }

    Ok(Outcome {
        estates,
        urban_villages,
        before: before_report,
        owners_committee_before: owners_committee_before.is_some(),
        election: Some(election),
        after: after_report,
        owners_committee_after: owners_committee_after.is_some(),
        dispute,
        diagrams,
    })
}

fn election_event_in_words(event: &ElectionEvent, lang: Lang) -> String {
    if lang == Lang::Zh {
        return match event {
            ElectionEvent::Announced { seats } => {
                format!("小区党支部发布业委会换届公告：{seats} 个席位")
            }
            ElectionEvent::HouseholdsVisited { households } => {
                format!("入户走访 {households} 户，宣讲选举办法")
            }
            ElectionEvent::Elected {
                members,
                party_members,
            } => format!(
                "选出委员 {members} 名，其中党员 {party_members} 名（{:.0}%）",
                f64::from(*party_members) * 100.0 / f64::from(*members)
            ),
        };
    }
    match event {
        ElectionEvent::Announced { seats } => {
            format!("re-election announced by the estate party branch: {seats} seats")
        }
        ElectionEvent::HouseholdsVisited { households } => format!(
            "{} households visited door to door, the election law explained",
            thousands(*households)
        ),
        ElectionEvent::Elected {
            members,
            party_members,
        } => format!(
            "{members} members elected, {party_members} of them party members ({:.0}%)",
            f64::from(*party_members) * 100.0 / f64::from(*members)
        ),
    }
}

/// `1130` as `1,130`.
fn thousands(n: u32) -> String {
    if n < 1000 {
        n.to_string()
    } else {
        format!("{},{:03}", thousands(n / 1000), n % 1000)
    }
}

fn write(dir: &Path, file: &str, text: &str) -> Result<PathBuf> {
    let path = dir.join(file);
    std::fs::write(&path, text)?;
    Ok(path)
}

/// Mancheng's findings in full, the rest counted.
fn health_lines(
    out: &mut dyn Write,
    report: &HealthReport,
    mancheng: &OrgId,
    owners_committee: Option<NaiveDate>,
    lang: Lang,
) -> Result<()> {
    let zh = lang == Lang::Zh;
    let (ours, others): (Vec<&Finding>, Vec<&Finding>) =
        report.findings.iter().partition(|f| match f {
            Finding::EstateIncomplete { estate, .. } => estate == mancheng,
            Finding::Isolated { org } | Finding::Detached { org } => org == mancheng,
            _ => false,
        });
    if ours.is_empty() {
        if zh {
            writeln!(out, "  漫城：无问题——党组织、网格和其他力量齐备")?;
        } else {
            writeln!(
                out,
                "  Mancheng: no finding — party organisation, grid and other forces all present"
            )?;
        }
    }
    for finding in ours {
        if zh {
            writeln!(out, "  漫城：{}", finding.zh())?;
        } else {
            writeln!(out, "  Mancheng: {finding}")?;
        }
    }
    if zh {
        writeln!(
            out,
            "  漫城业委会：{}",
            match owners_committee {
                Some(since) => format!("自 {since} 起服务小区"),
                None => "无（据组织图，没有业委会服务该小区）".to_owned(),
            }
        )?;
    } else {
        writeln!(
            out,
            "  Mancheng's owners' committee: {}",
            match owners_committee {
                Some(since) => format!("serves the estate since {since}"),
                None => {
                    "none (asked of the graph: no owners' committee serves the estate)".to_owned()
                }
            }
        )?;
    }
    let lacks_party = |f: &&&Finding| matches!(f, Finding::EstateIncomplete { missing, .. } if missing == &[EstatePart::PartyOrganisation]);
    let (mut estates, mut villages) = (0, 0);
    for finding in others.iter().filter(lacks_party) {
        if let Finding::EstateIncomplete { kind, .. } = finding {
            if *kind == OrgKind::UrbanVillage {
                villages += 1;
            } else {
                estates += 1;
            }
        }
    }
    if estates + villages > 0 && zh {
        writeln!(
            out,
            "  其他：{estates} 个其他小区和 {villages} 个城中村缺少小区党组织（占位：报道未描述）"
        )?;
    } else if estates + villages > 0 {
        writeln!(
            out,
            "  Elsewhere: {estates} other estates and {villages} urban village lack an estate party organisation (placeholders: the report does not describe them)"
        )?;
    }
    for finding in others.iter().filter(|f| !lacks_party(f)) {
        if zh {
            writeln!(out, "  其他：{}", finding.zh())?;
        } else {
            writeln!(out, "  Elsewhere: {finding}")?;
        }
    }
    Ok(())
}

/// The owners' committee re-election: returns (members, party members) and
/// the day of the vote.
fn reelection(out: &mut dyn Write, lang: Lang) -> Result<((u32, u32), NaiveDate)> {
    let zh = lang == Lang::Zh;
    use ElectionCommand as C;
    let branch = Actor::new(person("branch-secretary")?).with_role(Role::Officer(Tier::Estate));
    let property = Actor::new(person("property-staff-li")?).with_role(Role::PropertyManager);
    let grid_worker = Actor::new(person("gw-shiyaling-2")?).with_role(Role::GridWorker);
    let resident = Actor::new(person("resident-chen")?).with_role(Role::Party);
    let mut case = Case::<Reelection>::new("MC-OC-2026".parse()?);
    let steps: [(&Actor, DateTime<Utc>, C); 4] = [
        (&branch, at(3, 2, 19, 0), C::Announce { seats: 7 }),
        (
            &property,
            at(3, 7, 10, 0),
            C::RecordVisits { households: 1_130 },
        ),
        (
            &grid_worker,
            at(3, 14, 10, 0),
            C::RecordVisits { households: 940 },
        ),
        (
            &branch,
            at(3, 28, 18, 0),
            C::RecordResult {
                members: 7,
                party_members: 5,
            },
        ),
    ];
    if zh {
        writeln!(out, "\n业委会换届选举，案件 {}", case.id())?;
        writeln!(out, "  （由本示例自己的流程记录，建立在本库的内核之上）")?;
    } else {
        writeln!(
            out,
            "\nThe owners' committee re-election, case {}",
            case.id()
        )?;
        writeln!(
            out,
            "  (tracked by a workflow of this example's own, written on the crate's kernel)"
        )?;
    }
    for (i, (actor, when, command)) in steps.iter().enumerate() {
        for r in case.handle(&Reelection, command, &Context::new(*when, actor))? {
            writeln!(
                out,
                "  {}  {:<17} {}",
                local(r.at),
                r.actor.as_str(),
                election_event_in_words(&r.event, lang)
            )?;
        }
        if i == 2 {
            // A resident cannot record the result for the branch: refused,
            // and the case is unchanged.
            let version = case.version();
            let refused = case
                .handle(
                    &Reelection,
                    &C::RecordResult {
                        members: 7,
                        party_members: 7,
                    },
                    &Context::new(*when, &resident),
                )
                .err()
                .ok_or("a resident should be refused")?;
            if zh {
                writeln!(out, "  {:<35} 被拒绝：{}", "", refused.zh())?;
            } else {
                writeln!(out, "  {:<35} refused: {refused}", "")?;
            }
            if case.version() != version {
                return Err("a refusal changed the case".into());
            }
        }
    }
    match case.state() {
        ElectionState::Elected {
            members,
            party_members,
        } => {
            let day = at(3, 28, 18, 0).with_timezone(&shenzhen()).date_naive();
            Ok(((*members, *party_members), day))
        }
        other => Err(format!("the election ended {}", other.kind()).into()),
    }
}

/// PM-001: an owner against the property company, found by a grid worker and
/// settled inside Mancheng.
fn property_dispute(out: &mut dyn Write, graph: &OrgGraph, lang: Lang) -> Result<DisputeOutcome> {
    use DisputeCommand as C;
    let dispute = Dispute::new(Ladder::new(
        Arc::new(PolicyBook::default()),
        Arc::new(graph.clone()),
        Arc::new(WorkingCalendar::prc()),
    ));
    let owner = Actor::new(person("owner-wu")?).with_role(Role::Party);
    let company = Actor::new(person("pm-manager")?).with_role(Role::Party);
    let grid_worker = Actor::new(person("gw-shiyaling-2")?).with_role(Role::GridWorker);
    let branch = Actor::new(person("branch-secretary")?)
        .with_role(Role::Officer(Tier::Estate))
        .acting_for(org(MANCHENG)?);
    let zhou = Actor::new(person("zhou")?).with_role(Role::Mediator);

    let mut case = Case::<Dispute>::new("PM-001".parse()?);
    let report = Report {
        kind: DisputeKind::PropertyManagement,
        parties: vec![
            Party::person(person("owner-wu")?),
            Party::enterprise(person("pm-manager")?, org("mancheng-property")?),
        ],
        location: org(MANCHENG)?,
        channel: Channel::GridWorker,
        severity: Severity::Minor,
    };
    let steps: Vec<(&Actor, DateTime<Utc>, C)> = vec![
        (&grid_worker, at(4, 7, 10, 0), C::Report(report)),
        (&branch, at(4, 7, 16, 0), C::Accept),
        (
            &branch,
            at(4, 7, 16, 10),
            C::AssignMediators {
                mediators: vec![person("zhou")?],
                selection: Selection::Roster,
            },
        ),
        (&zhou, at(4, 9, 19, 30), C::RecordSession),
        (
            &zhou,
            at(4, 9, 20, 30),
            // The written agreement (PML art. 29): the facts, and each
            // obligation — who, what, how much, by when.
            C::RecordAgreement {
                facts: "The lift of building 3 has been out of service since February; Wu withholds the management fees.".into(),
                terms: "The company repairs the lift of building 3 by 20 April; Wu pays the withheld fees once it runs.".into(),
                obligations: vec![
                    Obligation::new(
                        company.id().clone(),
                        ObligationKind::Act,
                        "repairs the lift of building 3",
                    )
                    .due_by(at(4, 20, 18, 0)),
                    Obligation::new(
                        owner.id().clone(),
                        ObligationKind::Payment,
                        "pays the withheld management fees",
                    )
                    .amount(180_000),
                ],
            },
        ),
        // In effect on the last of the signatures and the committee's seal.
        (&branch, at(4, 9, 20, 35), C::AffixSeal),
        (&owner, at(4, 9, 20, 40), C::Sign),
        (&company, at(4, 9, 20, 42), C::Sign),
        (&zhou, at(4, 9, 20, 45), C::Sign),
        // The estate's committee is a people's mediation committee: the
        // parties may jointly apply for judicial confirmation within 30
        // days (PML art. 33). They do.
        (
            &owner,
            at(4, 20, 9, 0),
            C::ApplyForConfirmation {
                applicants: vec![person("owner-wu")?, person("pm-manager")?],
            },
        ),
        (
            &zhou,
            at(4, 21, 18, 0),
            // Followed obligation by obligation (PML art. 31): the lift
            // runs, then Wu pays.
            C::RecordObligation {
                obligation: 0,
                performance: ObligationPerformance::Performed,
            },
        ),
        (
            &zhou,
            at(4, 21, 18, 30),
            C::RecordObligation {
                obligation: 1,
                performance: ObligationPerformance::Performed,
            },
        ),
        (
            &grid_worker,
            at(4, 23, 10, 0),
            C::RecordFollowUp {
                rating: Satisfaction::Satisfied,
            },
        ),
    ];
    for (actor, when, command) in &steps {
        case.handle(&dispute, command, &Context::new(*when, actor))?;
    }

    let o = dispute_outcome(&case)?;
    if lang == Lang::Zh {
        return property_dispute_zh(out, graph, &case, o);
    }
    writeln!(
        out,
        "\nProperty-management dispute {}: owner Wu against the property company, a lift out of service",
        o.case
    )?;
    for r in case.history() {
        let what = match &r.event {
            DisputeEvent::Reported { .. } => Some(format!(
                "found on a door-to-door visit by grid worker {}; minor: a small matter stays in the estate",
                r.actor
            )),
            DisputeEvent::Accepted { body, tier, .. } => Some(format!(
                "accepted by {}, {tier} tier ({})",
                name(graph, body),
                match &o.reason {
                    RouteReason::Itself => "the estate settles its own matters".to_owned(),
                    RouteReason::Serves { area } => format!("it serves {}", name(graph, area)),
                    other => other.to_string(),
                }
            )),
            DisputeEvent::MediatorsAssigned { mediators, .. } => Some(format!(
                "resident mediator {} assigned from the estate's roster",
                mediators
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            DisputeEvent::AgreementRecorded(agreement) => {
                Some(format!("agreement: \"{}\"", agreement.terms))
            }
            DisputeEvent::AgreementTookEffect {
                confirmation_due, ..
            } => Some(format!(
                "signed by the owner, the company and the mediator: in effect; judicial confirmation may be applied for until {}",
                local(*confirmation_due)
            )),
            DisputeEvent::ConfirmationApplied { applicants, .. } => Some(format!(
                "judicial confirmation applied for jointly by {}",
                applicants
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" and ")
            )),
            DisputeEvent::AgreementFulfilled => Some("fulfilled: the lift runs".to_owned()),
            DisputeEvent::FollowedUp { .. } => Some("follow-up visit: satisfied".to_owned()),
            _ => None,
        };
        if let Some(what) = what {
            writeln!(out, "  {}  {what}", local(r.at))?;
        }
    }
    writeln!(
        out,
        "  => {}: settled at the {} tier by {}, {} — it never left the estate",
        o.state,
        o.handler.1,
        name(graph, &o.handler.0),
        match o.escalations {
            0 => "no step up".to_owned(),
            n => format!("{n} steps up"),
        }
    )?;
    Ok(o)
}

/// PM-001's trail in Chinese: each event's line from the crate, the
/// bodies and the route from the graph.
fn property_dispute_zh(
    out: &mut dyn Write,
    graph: &OrgGraph,
    case: &Case<Dispute>,
    o: DisputeOutcome,
) -> Result<DisputeOutcome> {
    writeln!(
        out,
        "\n物业纠纷 {}：业主吴某与物业公司，3号楼电梯停运",
        o.case
    )?;
    for r in case.history() {
        let what = match &r.event {
            DisputeEvent::Reported { .. } => Some(format!(
                "网格员 {} 入户走访发现；轻微：小事不出小区",
                r.actor
            )),
            DisputeEvent::Accepted { body, tier, .. } => Some(format!(
                "{}级 {}（{}）受理纠纷（{}）",
                tier.zh(),
                name(graph, body),
                graph
                    .mediation_organisation(body)
                    .map_or_else(String::new, |m| m.zh().into_owned()),
                o.reason.zh()
            )),
            DisputeEvent::AgreementRecorded(agreement) => {
                Some(format!("制作调解协议书：“{}”", agreement.terms))
            }
            DisputeEvent::AgreementTookEffect {
                confirmation_due, ..
            } => Some(format!(
                "业主、物业公司和调解员签名，调解协议生效；可在{}前申请司法确认",
                local(*confirmation_due)
            )),
            DisputeEvent::ConfirmationApplied { applicants, .. } => Some(format!(
                "{} 共同申请司法确认",
                applicants
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("、")
            )),
            DisputeEvent::MediatorsAssigned { mediators, .. } => Some(format!(
                "从小区调解员名册指派驻小区调解员 {}",
                mediators
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("、")
            )),
            DisputeEvent::AgreementFulfilled => Some("调解协议已履行：电梯恢复运行".to_owned()),
            DisputeEvent::FollowedUp { .. } => Some("回访：满意".to_owned()),
            _ => None,
        };
        if let Some(what) = what {
            writeln!(out, "  {}  {what}", local(r.at))?;
        }
    }
    writeln!(
        out,
        "  => {}：由{}级 {} 化解，{}——未出小区",
        o.state.zh(),
        o.handler.1.zh(),
        name(graph, &o.handler.0),
        match o.escalations {
            0 => "未上报".to_owned(),
            n => format!("上报 {n} 次"),
        }
    )?;
    Ok(o)
}

fn dispute_outcome(case: &Case<Dispute>) -> Result<DisputeOutcome> {
    let mut handler = None;
    let mut reason = None;
    let mut mediators = Vec::new();
    let (mut confirmation_due, mut confirmation_applied) = (None, None);
    for r in case.history() {
        match &r.event {
            DisputeEvent::Accepted { body, tier, .. } => handler = Some((body.clone(), *tier)),
            DisputeEvent::AgreementTookEffect {
                confirmation_due: due,
                ..
            } => confirmation_due = Some(*due),
            DisputeEvent::ConfirmationApplied { at, .. } => confirmation_applied = Some(*at),
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
        handler: handler.ok_or("never accepted")?,
        reason: reason.ok_or("never routed")?,
        mediators,
        escalations: MatterReport::from_history(case.history()).escalations,
        state: case.state().kind(),
        confirmation_due,
        confirmation_applied,
    })
}

fn main() -> Result<()> {
    let args = match args::parse("dongfang_bandao", std::env::args_os().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    if args.help {
        println!("{}", args::usage("dongfang_bandao"));
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
                .join("dongfang_bandao")
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
