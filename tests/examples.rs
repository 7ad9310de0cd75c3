//! The two places of the source report, as runnable examples: their key
//! outcomes are asserted here, so the story cannot silently rot. Also keeps
//! the README's diagrams equal to `docs/*.mmd`.

#[allow(dead_code)] // `main` is the example's, not the test's
#[path = "../examples/huanan_city.rs"]
mod huanan_city;

#[allow(dead_code)]
#[path = "../examples/dongfang_bandao.rs"]
mod dongfang_bandao;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use grassroots::actor::{Actor, Role};
use grassroots::calendar::WorkingCalendar;
use grassroots::dispute::DisputeError;
use grassroots::escalation::{Ladder, LadderCommand, LadderEvent, PolicyBook};
use grassroots::id::{ActorId, OrgId};
use grassroots::matter::DisputeKind;
use grassroots::org::{
    EstatePart, Finding, LinkOrigin, MediationOrganisation, Need, OrgKind, Relation, RouteReason,
};
use grassroots::service::{Mode, Review, sample};
use grassroots::tier::{Severity, Tier};
use grassroots::workflow::{Case, Context};

fn id(s: &str) -> OrgId {
    s.parse().unwrap()
}

fn actor(s: &str) -> ActorId {
    s.parse().unwrap()
}

/// An example's `run`: the story told into a writer, its files into a
/// directory.
type Story<O> =
    fn(&mut dyn std::io::Write, &std::path::Path) -> Result<O, Box<dyn std::error::Error>>;

/// Runs an example's story into a fresh directory; returns the outcome and
/// what it printed.
fn run<O>(story: Story<O>) -> (O, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut out = Vec::new();
    let outcome = story(&mut out, dir.path()).unwrap_or_else(|e| panic!("the story failed: {e}"));
    (outcome, String::from_utf8(out).unwrap(), dir)
}

#[test]
fn huanan_city_labour_dispute_stays_in_the_park_with_an_academy_trainee() {
    let (o, text, _dir) = run(huanan_city::run);
    let labour = &o.labour;
    assert_eq!(labour.case.as_str(), "LD-001");
    // The academy trains; the committee it hosts mediates.
    assert_eq!(labour.first_handler, (id("park-mediation"), Tier::Estate));
    assert_eq!(labour.handler, (id("park-mediation"), Tier::Estate));
    assert_eq!(
        labour.reason,
        RouteReason::Serves {
            area: id("baoneng-park")
        }
    );
    assert_eq!(labour.escalations, 0);
    assert_eq!(labour.mediators, [actor("he-jun")]);
    assert_eq!(labour.state, "Closed");
    // The trainee who manages the employer's staff is refused first.
    assert_eq!(
        o.conflict,
        Some(DisputeError::MediatorConflict {
            mediator: actor("luo"),
            party: actor("gao"),
            org: id("pengda"),
        })
    );
    assert!(text.contains("Labour dispute LD-001"));
    // The 15 days run from the committee's receipt (accepted Monday 2
    // March, 09:30): they end with Tuesday 17 March (LDMAL art. 14), and
    // the story says from when a party may apply for arbitration.
    assert_eq!(
        labour.labour_deadline,
        Some(Utc.with_ymd_and_hms(2026, 3, 17, 16, 0, 0).unwrap())
    );
    assert!(
        text.contains("arbitration may be applied for from 2026-03-18"),
        "{text}"
    );
    assert_eq!(o.commercial.labour_deadline, None);
}

#[test]
fn huanan_city_commercial_dispute_goes_up_to_the_community_tier_and_the_studio_serving_it() {
    let (o, text, _dir) = run(huanan_city::run);
    let commercial = &o.commercial;
    // The merchants' council reports it; the parks' committee mediates.
    assert_eq!(
        commercial.first_handler,
        (id("park-mediation"), Tier::Estate)
    );
    assert_eq!(commercial.handler, (id("hehua-studio"), Tier::Community));
    // Routed by the studio's service link, not by the pairing.
    assert_eq!(
        commercial.reason,
        RouteReason::Serves {
            area: id(sample::DISTRICT),
        }
    );
    assert_eq!(commercial.escalations, 1);
    assert_eq!(commercial.mediators, [actor("deng"), actor("fang")]);
    assert_eq!(commercial.state, "Closed");
    // The studio's agreement is a contract: the joint application for
    // judicial confirmation is refused (PML art. 33).
    assert_eq!(
        o.confirmation_refused,
        Some(DisputeError::NotJudiciallyConfirmable {
            body: id("hehua-studio"),
            organisation: grassroots::org::MediationOrganisation::Commercial,
        })
    );
    assert!(text.contains("joint application for judicial confirmation refused"));
    // The written agreements carry obligations, followed one by one (PML
    // arts. 29, 31): the studio's two, the last fulfilling it.
    assert!(text.contains("obligation 1 performed 2026-03-20"));
    assert!(text.contains("obligation 2 performed 2026-03-23; fulfilled 2026-03-23"));
    assert!(text.contains("obligation 1 performed 2026-03-13; fulfilled 2026-03-13"));
}

#[test]
fn huanan_city_service_requests_are_accepted_forwarded_and_supervised() {
    let (o, _, _dir) = run(huanan_city::run);
    let r = &o.requests;
    assert_eq!(r.len(), 3);

    assert_eq!(r[0].case.as_str(), "HN-001");
    assert_eq!(r[0].mode, Mode::Handle);
    assert_eq!(r[0].handled_by, id("huanan-hall"));
    assert!(!r[0].overdue);

    assert_eq!(r[1].case.as_str(), "HN-002");
    assert_eq!(r[1].mode, Mode::Forward);
    assert_eq!(r[1].handled_by, id("longgang-industry"));
    assert!(!r[1].overdue);

    assert_eq!(r[2].case.as_str(), "HN-003");
    assert_eq!(r[2].handled_by, id("huanan-hall"));
    assert!(r[2].overdue);
    assert_eq!(r[2].supervision, ["reminded", "notice issued"]);

    assert!(r.iter().all(|r| r.state == "Closed"));

    // Agent service (代办) is acting for the applicant: HN-002 came through
    // the agent clerk on a written authorisation and was forwarded.
    assert!(!r[0].by_agent && r[1].by_agent && !r[2].by_agent);
    // Five-level reviews; the dissatisfied one was rectified and followed
    // up before closing.
    assert_eq!(r[0].review, Some(Review::VerySatisfied));
    assert_eq!(r[1].review, Some(Review::Satisfied));
    assert_eq!(r[2].review, Some(Review::Dissatisfied));
    assert!(!r[0].rectified && !r[1].rectified && r[2].rectified);
}

#[test]
fn huanan_city_the_sweeper_finds_and_ticks_the_overdue_request() {
    let (o, text, _dir) = run(huanan_city::run);
    assert!(
        text.contains("  sweep at 2026-03-06 09:00: nothing due"),
        "{text}"
    );
    assert!(text.contains("  sweep at 2026-03-10 09:00: ticked HN-003 (2 events)"));
    assert!(text.contains("  sweep at 2026-03-16 09:00: ticked HN-003 (1 event)"));
    // What the sweeper recorded is in the request's history: overdue, the
    // reminder, the written notice.
    assert!(o.requests[2].overdue);
    assert!(text.contains("written supervision notice issued 2026-03-16 09:00"));
}

#[test]
fn huanan_city_metrics_count_what_the_cases_did() {
    let (o, text, _dir) = run(huanan_city::run);
    assert_eq!(o.ladder.matters, 2);
    assert_eq!(o.ladder.resolved_at.get(&Tier::Estate), Some(&1));
    assert_eq!(o.ladder.resolved_at.get(&Tier::Community), Some(&1));
    assert_eq!(o.ladder.share_within_ceiling(), Some(1.0));
    let all = o.governance.total();
    assert_eq!(all.received(), 5);
    assert_eq!(all.response_rate(), Some(1.0));
    assert_eq!(all.resolution_rate(), Some(1.0));
    assert_eq!(all.overdue(), 1);
    assert_eq!(o.hall.requests, 3);
    assert_eq!(o.hall.completed, 3);
    assert_eq!(o.hall.completed_on_time, 2);
    assert_eq!(o.hall.overdue, 1);
    assert_eq!(o.hall.good_reviews, 2);
    assert!(text.contains("2 of 2 resolved within their ceiling (100%)"));
}

#[test]
fn huanan_city_keeps_every_history_and_writes_the_diagrams() {
    let (o, text, dir) = run(huanan_city::run);
    assert_eq!(o.streams_verified, 5);
    assert!(o.events_stored > 50, "{} events", o.events_stored);
    #[cfg(feature = "sqlite")]
    assert_eq!(
        o.store,
        huanan_city::StoreKind::Sqlite(dir.path().join("histories.sqlite3"))
    );
    #[cfg(not(feature = "sqlite"))]
    assert_eq!(o.store, huanan_city::StoreKind::Memory);
    for file in [
        "huanan_city.mmd",
        "huanan_city.dot",
        "dispute.mmd",
        "service_request.mmd",
    ] {
        let path = dir.path().join(file);
        assert!(o.diagrams.contains(&path), "{file} not reported");
        assert!(std::fs::metadata(&path).unwrap().len() > 0, "{file} empty");
    }
    let chart = std::fs::read_to_string(dir.path().join("huanan_city.mmd")).unwrap();
    assert!(chart.contains("Hehua community commercial mediation studio"));
    // A person reads it: no debug dumps.
    assert!(!text.contains("Some("), "{text}");
    assert!(!text.contains("OrgId("), "{text}");
}

/// The report puts the commercial district in Pinghu subdistrict, with
/// Huanan City and the parks in it, and the studio in Hehua community,
/// serving through links whose origin is Pinghu's pairing with the
/// legal-affairs party branch of the municipal council for the promotion of
/// international trade.
#[test]
fn huanan_city_studio_serves_through_links_that_record_the_pairing() {
    let graph = huanan_city::huanan_city_graph().unwrap();
    assert_eq!(
        graph.parent(sample::DISTRICT).map(|o| o.id.clone()),
        Some(id("pinghu"))
    );
    assert_eq!(
        graph.org(sample::DISTRICT).map(|o| o.kind.clone()),
        Some(OrgKind::CommercialDistrict)
    );
    for park in huanan_city::PARKS {
        assert_eq!(
            graph.parent(park).map(|o| o.id.clone()),
            Some(id(sample::DISTRICT)),
            "{park}"
        );
    }
    assert_eq!(
        graph.parent("hehua").map(|o| o.id.clone()),
        Some(id("pinghu"))
    );

    let pairing = LinkOrigin::pairing(id("pinghu-party"), id("ccpit-legal-branch"));
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let partners: Vec<OrgId> = graph
        .paired_with(&id("pinghu-party"), day)
        .unwrap()
        .into_iter()
        .map(|o| o.id.clone())
        .collect();
    assert_eq!(partners, [id("ccpit-legal-branch")]);
    let mut served: Vec<(OrgId, Option<LinkOrigin>)> = graph
        .links()
        .filter(|l| l.from == id("hehua-studio") && matches!(l.relation, Relation::Serves(_)))
        .map(|l| (l.to, l.origin))
        .collect();
    served.sort();
    assert_eq!(
        served,
        [
            (id("hehua"), Some(pairing.clone())),
            (id(sample::DISTRICT), Some(pairing)),
        ]
    );
    // Who mediates: the studio is a commercial mediation organisation (its
    // agreements are contracts); the academy and the council are none.
    assert_eq!(
        graph.mediation_organisation("hehua-studio"),
        Some(MediationOrganisation::Commercial)
    );
    assert_eq!(
        graph.mediation_organisation("park-mediation"),
        Some(MediationOrganisation::PeoplesMediationCommittee)
    );
    assert_eq!(graph.mediation_organisation("mediation-academy"), None);
    assert_eq!(graph.mediation_organisation("merchants-council"), None);
}

/// Every severity of every kind of dispute in a park of the district finds
/// a handler where the ladder starts, and "small matters stay in the park,
/// big matters stay in the community" holds: minor and moderate start at or
/// below the park's tier, serious at the community tier.
#[test]
fn huanan_city_every_dispute_in_a_park_finds_a_handler_within_the_ceilings() {
    let graph = Arc::new(huanan_city::huanan_city_graph().unwrap());
    let ladder = Ladder::new(
        Arc::new(PolicyBook::default()),
        Arc::clone(&graph),
        Arc::new(WorkingCalendar::prc()),
    );
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap();
    let grid_worker = Actor::new(actor("gw-1")).with_role(Role::GridWorker);
    let start = |location: &str, kind: &DisputeKind, severity| {
        let mut case = Case::<Ladder>::new("M-1".parse().unwrap());
        let command = LadderCommand::Start {
            location: id(location),
            need: Need::Mediation(*kind),
            severity,
            due: None,
        };
        case.handle(&ladder, &command, &Context::new(at, &grid_worker))
            .unwrap_or_else(|e| panic!("{kind} {severity} at {location}: {e}"));
        match &case.history()[0].event {
            LadderEvent::Started(s) => s.route.clone(),
            other => panic!("{other:?}"),
        }
    };
    for park in huanan_city::PARKS {
        for kind in DisputeKind::ALL {
            for severity in Severity::ALL {
                let route = start(park, &kind, severity);
                match severity {
                    Severity::Minor | Severity::Moderate => {
                        assert!(route.tier <= Tier::Estate, "{kind} {severity}: {route}");
                    }
                    Severity::Serious => {
                        assert_eq!(route.tier, Tier::Community, "{kind}: {route}");
                    }
                    _ => assert!(route.tier >= Tier::Community, "{kind}: {route}"),
                }
            }
        }
    }
    // A serious commercial dispute at the commercial district itself goes
    // to the studio serving it.
    let route = start(
        sample::DISTRICT,
        &DisputeKind::Commercial,
        Severity::Serious,
    );
    assert_eq!(route.handler, id("hehua-studio"));
}

#[test]
fn huanan_city_runs_twice_into_the_same_directory() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        huanan_city::run(&mut std::io::sink(), dir.path()).unwrap();
    }
}

#[test]
fn dongfang_bandao_health_check_finds_mancheng_incomplete_before_and_complete_after() {
    let (o, _, _dir) = run(dongfang_bandao::run);
    assert_eq!((o.estates, o.urban_villages), (9, 1));
    assert!(o.before.findings.contains(&Finding::EstateIncomplete {
        estate: id("mancheng"),
        kind: OrgKind::HousingEstate,
        missing: vec![EstatePart::PartyOrganisation, EstatePart::Grid],
    }));
    assert!(!o.owners_committee_before);
    let mancheng_after = o.after.findings.iter().any(|f| {
        matches!(f, Finding::EstateIncomplete { estate, .. } | Finding::Isolated { org: estate } if *estate == id("mancheng"))
    });
    assert!(!mancheng_after, "{}", o.after);
    assert!(o.owners_committee_after);
    // The school is linked only once the co-construction starts.
    assert!(o.before.findings.contains(&Finding::Isolated {
        org: id("chenghan-school")
    }));
    assert!(!o.after.findings.contains(&Finding::Isolated {
        org: id("chenghan-school")
    }));
}

#[test]
fn dongfang_bandao_reelection_and_property_dispute_stay_in_the_estate() {
    let (o, text, dir) = run(dongfang_bandao::run);
    let (members, party_members) = o.election.unwrap();
    assert_eq!((members, party_members), (7, 5));
    assert!(text.contains("refused: actor resident-chen may not record the result"));

    let d = &o.dispute;
    assert_eq!(d.case.as_str(), "PM-001");
    assert_eq!(d.handler, (id("mancheng"), Tier::Estate));
    assert_eq!(d.reason, RouteReason::Itself);
    assert_eq!(d.mediators, [actor("zhou")]);
    assert_eq!(d.escalations, 0);
    assert_eq!(d.state, "Closed");
    // In effect on 9 April: 30 days end on 9 May, a Saturday worked in
    // lieu of the Labour Day holiday, so the window closes at its midnight
    // (PML art. 33, a legal period); the joint application of 20 April is
    // in time.
    let due = d.confirmation_due.unwrap();
    assert_eq!(
        due,
        chrono::Utc.with_ymd_and_hms(2026, 5, 9, 16, 0, 0).unwrap()
    );
    assert!(d.confirmation_applied.is_some_and(|at| at < due));
    assert!(text.contains("judicial confirmation applied for jointly by owner-wu and pm-manager"));
    assert!(!o.diagrams.is_empty());
    for path in &o.diagrams {
        assert!(path.starts_with(dir.path()) && path.exists());
    }
}

/// The fenced blocks of `language` in `markdown`, in order.
fn fenced(markdown: &str, language: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line.trim_end() == format!("```{language}") => current = Some(String::new()),
            Some(block) if line.trim_end() == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn the_readme_diagrams_are_the_docs_diagrams() {
    let readme = include_str!("../README.md");
    let blocks = fenced(readme, "mermaid");
    assert_eq!(
        blocks,
        [
            include_str!("../docs/dispute.mmd"),
            include_str!("../docs/service_request.mmd")
        ]
    );
}

#[test]
fn the_readme_names_the_main_command() {
    let readme = include_str!("../README.md");
    assert!(readme.contains("cargo run --features sim --example huanan_city"));
    assert!(readme.contains("cargo test --all-features"));
}

#[test]
fn the_readme_excerpt_is_what_huanan_city_prints() {
    let readme = include_str!("../README.md");
    let excerpt = fenced(readme, "text");
    assert_eq!(excerpt.len(), 1, "one text block: the excerpt");
    let (_, printed, _dir) = run(huanan_city::run);
    let printed: Vec<&str> = printed.lines().collect();
    for line in excerpt[0].lines().filter(|l| l.trim() != "...") {
        assert!(
            printed.contains(&line),
            "the README shows a line the example no longer prints:\n{line}"
        );
    }
}

#[test]
fn huanan_city_morning_work_queues_show_what_arrived_overnight() {
    let (o, text, _dir) = run(huanan_city::run);
    let branch: Vec<_> = o
        .morning
        .branch
        .iter()
        .map(|w| (w.key.id.as_str().to_owned(), w.action.clone(), w.role))
        .collect();
    assert_eq!(
        branch,
        [("HN-004".to_owned(), "examine".to_owned(), Role::HallClerk)]
    );
    let academy: Vec<_> = o
        .morning
        .academy
        .iter()
        .map(|w| {
            (
                w.key.id.as_str().to_owned(),
                w.action.clone(),
                w.body.clone(),
            )
        })
        .collect();
    assert_eq!(
        academy,
        [(
            "LD-002".to_owned(),
            "assign mediators".to_owned(),
            Some(id("park-mediation"))
        )]
    );
    assert!(text.contains("The morning work queue"), "{text}");
    assert!(
        text.contains("Overdue at the estate tier by 31 March: LD-002."),
        "{text}"
    );
}

#[test]
fn huanan_city_tells_its_story_in_chinese_with_the_law_s_terms() {
    use grassroots::i18n::Lang;
    let dir = tempfile::tempdir().unwrap();
    let mut out = Vec::new();
    let zh = huanan_city::run_in(&mut out, dir.path(), Lang::Zh).unwrap();
    let text = String::from_utf8(out).unwrap();
    for term in [
        "人民调解委员会",
        "受理纠纷",
        "不能申请司法确认",
        "商事调解组织",
        "一次性告知需补正的全部材料",
        "督办通知",
        "申请人评价：不满意",
        "退单",
    ] {
        assert!(text.contains(term), "no {term} in:\n{text}");
    }
    assert!(!text.contains("Accepted"), "an English kind in:\n{text}");
    // The same cases as the English story.
    let en = huanan_city::run(&mut Vec::new(), dir.path()).unwrap();
    assert_eq!(zh.events_stored, en.events_stored);
}

#[test]
fn dongfang_bandao_tells_its_story_in_chinese() {
    use grassroots::i18n::Lang;
    let dir = tempfile::tempdir().unwrap();
    let mut out = Vec::new();
    let o = dongfang_bandao::run_in(&mut out, dir.path(), Lang::Zh).unwrap();
    let text = String::from_utf8(out).unwrap();
    for term in [
        "东方半岛社区",
        "1+1+N 共建模式",
        "缺少党组织",
        "业委会换届",
        "被拒绝：resident-chen 无权记录选举结果",
        "人民调解委员会）受理纠纷",
        "共同申请司法确认",
        "未出小区",
    ] {
        assert!(text.contains(term), "no {term} in:\n{text}");
    }
    assert!(!text.contains("refused"), "English in:\n{text}");
    assert!(o.owners_committee_after);
}

/// The story examples read `[--lang en|zh] [output-dir]` and refuse
/// anything else by name, rather than taking a mistyped option for a
/// directory.
#[test]
fn the_story_examples_refuse_an_unknown_option_instead_of_writing_into_it() {
    use grassroots::i18n::Lang;
    use huanan_city::args::{Args, parse};
    use std::ffi::OsString;
    let parse = |words: &[&str]| parse("huanan_city", words.iter().map(OsString::from));

    assert_eq!(
        parse(&["--lang", "zh", "out"]),
        Ok(Args {
            lang: Lang::Zh,
            dir: Some("out".into()),
            help: false
        })
    );
    assert_eq!(
        parse(&[]),
        Ok(Args {
            lang: Lang::En,
            dir: None,
            help: false
        })
    );
    assert!(parse(&["--help"]).is_ok_and(|a| a.help));
    for (words, says) in [
        (&["--lnag", "zh"][..], "unknown option --lnag"),
        (&["-o", "out"][..], "unknown option -o"),
        (&["--lang"][..], "--lang needs en or zh"),
        (
            &["out", "more"][..],
            "one output directory only, not also more",
        ),
    ] {
        let error = parse(words).unwrap_err();
        assert!(error.contains(says), "{words:?}: {error}");
        assert!(error.contains("usage: huanan_city"), "{error}");
    }
    assert!(parse(&["--lang", "fr"]).is_err());
}
