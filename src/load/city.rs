//! [`City`]: the organisation graph of a city-year, completed for the
//! workflows, and everything the scripts need prepared once.

use std::fmt::Write as _;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::{CityYear, LoadError};
use crate::actor::{Actor, Role};
use crate::calendar::WorkingCalendar;
use crate::dispute::Dispute;
use crate::escalation::{Ladder, PolicyBook};
use crate::id::{ActorId, MaterialId, OrgId, PolicyId};
use crate::matter::{DisputeKind, ServiceCategory};
use crate::org::generate::city;
use crate::org::{Capability, Need, Org, OrgGraph, OrgKind, Relation, Validity};
use crate::service::{
    AttributeValue, Attributes, Catalogue, Datatype, Mode, Note, ServiceItem, ServiceRequest,
    ServiceRequestCommand, sample, supervision_policy,
};
use crate::tier::Tier;
use crate::work_order::sample::{CITY_APPEARANCE, NOISE, STREET_LIGHTING};
use crate::work_order::{COUNCIL_LIAISON, DISPATCHER, WorkOrder};

/// The city's id maps: foldhash (as the graph's indexes), not SipHash —
/// the scripts look officers, rosters and departments up on every case.
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// What kind of place an estate-tier body is, for the mix of disputes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    Housing,
    Park,
    Commercial,
    Village,
}

/// A place where disputes arise: an estate-tier body.
#[derive(Debug, Clone)]
pub(crate) struct Estate {
    pub(crate) id: OrgId,
    pub(crate) place: Place,
    /// The property management company serving it, if any.
    pub(crate) property_company: Option<OrgId>,
    /// The grid worker who walks it.
    pub(crate) grid_worker: Actor,
}

/// A service hall: its workflow (catalogue and supervision ladder) and
/// the people at its windows.
#[derive(Debug, Clone)]
pub(crate) struct Hall {
    pub(crate) service: ServiceRequest,
    pub(crate) clerk: Actor,
    pub(crate) agent: Actor,
    pub(crate) supervisor: Actor,
    /// The competent department forwarded items go to (an index into
    /// [`City::departments`]).
    pub(crate) department: usize,
}

/// A competent department and its officer.
#[derive(Debug, Clone)]
pub(crate) struct Department {
    pub(crate) id: OrgId,
    pub(crate) officer: Actor,
}

/// The commands of one catalogue item, prepared once: a complete
/// submission and, when the item requires materials, one missing the
/// first, with the supplement request and supply that complete it.
#[derive(Debug, Clone)]
pub(crate) struct ItemCommands {
    pub(crate) complete: ServiceRequestCommand,
    pub(crate) incomplete: Option<Incomplete>,
}

#[derive(Debug, Clone)]
pub(crate) struct Incomplete {
    pub(crate) submit: ServiceRequestCommand,
    pub(crate) ask: ServiceRequestCommand,
    pub(crate) supply: ServiceRequestCommand,
}

/// Short notes the scripts put in commands (each at most 23 bytes, so a
/// clone never touches a shared counter).
#[derive(Debug, Clone)]
pub(crate) struct Notes {
    pub(crate) basis: Note,
    pub(crate) waiting: Note,
    pub(crate) survey: Note,
    pub(crate) not_ours: Note,
    pub(crate) rejected: Note,
    pub(crate) bad_review: Note,
    pub(crate) rectified: Note,
    pub(crate) followed_up: Note,
    pub(crate) authorisation: Note,
    pub(crate) not_eligible: Note,
    pub(crate) changed_mind: Note,
}

/// A body that handles work orders, and the officer who acts for it.
#[derive(Debug, Clone)]
pub(crate) struct Office {
    pub(crate) id: OrgId,
    pub(crate) member: Actor,
}

/// A community's work station (社区工作站): its office, and the grid worker
/// and secretary who meet residents and act for it.
#[derive(Debug, Clone)]
pub(crate) struct Station {
    /// An index into [`Orders::offices`].
    pub(crate) office: usize,
    pub(crate) grid_worker: Actor,
    pub(crate) secretary: Actor,
}

/// Where work orders arise: an estate and the bodies around it that
/// handle them (indices into [`Orders::stations`], [`Orders::offices`],
/// [`Orders::liaisons`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Beat {
    /// An index into [`City::estates`].
    pub(crate) estate: usize,
    /// The community's work station: city appearance.
    pub(crate) station: usize,
    /// The subdistrict's urban management office: city appearance and
    /// street lighting.
    pub(crate) urban: usize,
    /// The subdistrict's environment office: noise.
    pub(crate) environment: usize,
    /// The district's street lighting office: main roads' lights.
    pub(crate) lighting: usize,
    /// The merchants' council serving the estate, if any.
    pub(crate) council: Option<usize>,
}

/// Short notes of work orders (each at most 23 bytes).
#[derive(Debug, Clone)]
pub(crate) struct OrderNotes {
    /// What requesters say, by matter (city appearance, noise, street
    /// lighting).
    pub(crate) described: [Note; 3],
    pub(crate) handed_over: Note,
    pub(crate) municipal_road: Note,
    pub(crate) main_road: Note,
    pub(crate) no_address: Note,
    pub(crate) address_given: Note,
    pub(crate) private_matter: Note,
    pub(crate) site_checked: Note,
    pub(crate) parts_ordered: Note,
    pub(crate) dealt_with: Note,
    pub(crate) came_back: Note,
}

/// The city's 12345 hotline: its workflow, the bodies that handle work
/// orders, the places they arise and the people who act.
#[derive(Debug)]
pub(crate) struct Orders {
    pub(crate) workflow: WorkOrder,
    pub(crate) offices: Vec<Office>,
    pub(crate) office_index: HashMap<OrgId, usize>,
    pub(crate) stations: Vec<Station>,
    /// The liaison of each merchants' council that serves an estate.
    pub(crate) liaisons: Vec<Actor>,
    pub(crate) beats: Vec<Beat>,
    pub(crate) dispatcher: Actor,
    pub(crate) supervisor: Actor,
    pub(crate) notes: OrderNotes,
}

/// The city a [`CityYear`] runs in: the generated organisation graph,
/// completed so every dispute, request and work order can be routed, the
/// dispute workflow, one service hall per subdistrict with its catalogue,
/// the 12345 work-order workflow, and the people who act.
///
/// Built once by [`City::build`] (about a second at the default scale)
/// and shared by every worker: cases are played with [`City::play`].
///
/// What is added to the generated graph (see the [module docs](super)):
/// a people's mediation team serving every estate-tier body (all dispute
/// kinds, three mediators on its roster) and, for each community where
/// some dispute kind has no handler at the community tier, a mediation
/// point serving it with the missing kinds; a 12345 hotline centre
/// serving the municipality, a work station for every community with an
/// estate (city appearance), an urban management office (city appearance,
/// street lighting) and an environment office (noise) for every
/// subdistrict, and a street lighting office for every district.
#[derive(Debug)]
pub struct City {
    pub(crate) year: CityYear,
    pub(crate) graph: Arc<OrgGraph>,
    pub(crate) dispute: Dispute,
    pub(crate) halls: Vec<Hall>,
    pub(crate) departments: Vec<Department>,
    pub(crate) department_index: HashMap<OrgId, usize>,
    pub(crate) estates: Vec<Estate>,
    pub(crate) enterprises: Vec<OrgId>,
    pub(crate) rosters: HashMap<OrgId, Vec<ActorId>>,
    /// An officer of every mediating body, acting for it at the tier of
    /// the area it serves.
    pub(crate) officers: HashMap<OrgId, Actor>,
    pub(crate) items: Vec<ItemCommands>,
    pub(crate) notes: Notes,
    pub(crate) orders: Orders,
    pub(crate) intake_officer: Actor,
    pub(crate) system: Actor,
    pub(crate) probe: Actor,
    pub(crate) start: DateTime<Utc>,
    pub(crate) end: DateTime<Utc>,
}

fn org_id(buf: &mut String, args: std::fmt::Arguments<'_>) -> Result<OrgId, LoadError> {
    buf.clear();
    let _ = buf.write_fmt(args);
    Ok(OrgId::new(buf.as_str())?)
}

fn actor_id(buf: &mut String, args: std::fmt::Arguments<'_>) -> Result<ActorId, LoadError> {
    buf.clear();
    let _ = buf.write_fmt(args);
    Ok(ActorId::new(buf.as_str())?)
}

fn note(s: &str) -> Result<Note, LoadError> {
    Ok(Note::new(s)?)
}

impl City {
    /// Generates the city of `year` ([`org::generate::city`](crate::org::generate::city)
    /// with its scale and seed), completes it for the workflows and
    /// prepares the halls, rosters and commands.
    ///
    /// # Errors
    ///
    /// [`LoadError::NoEstates`] or [`LoadError::NoHalls`] when the scale
    /// leaves nowhere for disputes to arise or requests to go, and the
    /// graph's or a catalogue's error if completing them fails (not for
    /// generated cities).
    pub fn build(year: &CityYear) -> Result<City, LoadError> {
        let mut graph = city(&year.scale, year.seed);
        let since = Validity::since(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default());
        let day = year.start;
        let mut buf = String::with_capacity(32);

        // What the generator made, by kind, in insertion order.
        let mut estate_ids = Vec::new();
        let mut communities = Vec::new();
        let mut subdistricts = Vec::new();
        let mut districts = Vec::new();
        let mut municipalities = Vec::new();
        let mut enterprises = Vec::new();
        for org in graph.orgs() {
            match org.kind {
                OrgKind::District => districts.push(org.id.clone()),
                OrgKind::Municipality => municipalities.push(org.id.clone()),
                OrgKind::HousingEstate
                | OrgKind::IndustrialPark
                | OrgKind::CommercialDistrict
                | OrgKind::UrbanVillage => estate_ids.push((org.id.clone(), org.kind.clone())),
                OrgKind::Community => communities.push(org.id.clone()),
                OrgKind::Subdistrict => subdistricts.push(org.id.clone()),
                OrgKind::Enterprise => enterprises.push(org.id.clone()),
                _ => {}
            }
        }
        if estate_ids.is_empty() {
            return Err(LoadError::NoEstates);
        }
        let mut property_companies: HashMap<OrgId, OrgId> = HashMap::default();
        let mut estate_councils: HashMap<OrgId, OrgId> = HashMap::default();
        for (from, relation, to) in graph.link_ends() {
            if !matches!(relation, Relation::Serves(_)) {
                continue;
            }
            let servers = match from.kind {
                OrgKind::PropertyManagementCompany => &mut property_companies,
                OrgKind::MerchantsCouncil => &mut estate_councils,
                _ => continue,
            };
            servers
                .entry(to.id.clone())
                .or_insert_with(|| from.id.clone());
        }

        // A mediation team for every estate, with three mediators.
        let all_kinds = DisputeKind::ALL.map(Capability::Mediation);
        let mut rosters: HashMap<OrgId, Vec<ActorId>> = HashMap::default();
        let mut estates = Vec::with_capacity(estate_ids.len());
        for (i, (estate, kind)) in estate_ids.into_iter().enumerate() {
            let team = org_id(&mut buf, format_args!("mt-{estate}"))?;
            graph.try_add_org(
                Org::new(
                    team.clone(),
                    format!("{estate} people's mediation team"),
                    OrgKind::MediationCommittee,
                )
                .with_capabilities(all_kinds),
            )?;
            graph.try_link(&team, Relation::Serves(since), &estate)?;
            let mut roster = Vec::with_capacity(3);
            for k in 0..3 {
                let actor = actor_id(&mut buf, format_args!("med.{i}.{k}"))?;
                let person = org_id(&mut buf, format_args!("mp-{i}-{k}"))?;
                graph.try_add_org(Org::new(
                    person.clone(),
                    format!("Mediator {i}.{k}"),
                    OrgKind::Person(actor.clone()),
                ))?;
                graph.try_link(&person, Relation::MemberOf(since), &team)?;
                roster.push(actor);
            }
            rosters.insert(team, roster);
            let place = match kind {
                OrgKind::IndustrialPark => Place::Park,
                OrgKind::CommercialDistrict => Place::Commercial,
                OrgKind::UrbanVillage => Place::Village,
                _ => Place::Housing,
            };
            let grid_worker = Actor::new(actor_id(&mut buf, format_args!("gw.{estate}"))?)
                .with_role(Role::GridWorker);
            estates.push(Estate {
                property_company: property_companies.remove(&estate),
                id: estate,
                place,
                grid_worker,
            });
        }

        // A mediation point where a community has no handler for a kind.
        for community in &communities {
            let missing: Vec<Capability> = DisputeKind::ALL
                .into_iter()
                .map(Need::Mediation)
                .filter(|need| graph.route(community, Tier::Community, need, day).is_err())
                .collect();
            if missing.is_empty() {
                continue;
            }
            let point = org_id(&mut buf, format_args!("mpt-{community}"))?;
            graph.try_add_org(
                Org::new(
                    point.clone(),
                    format!("{community} mediation point"),
                    OrgKind::MediationCommittee,
                )
                .with_capabilities(missing),
            )?;
            graph.try_link(&point, Relation::Serves(since), community)?;
        }

        // Rosters of the generated mediation committees.
        for org in graph.orgs() {
            if org.kind == OrgKind::MediationCommittee && !rosters.contains_key(&org.id) {
                let members: Vec<ActorId> = graph
                    .members_of(&org.id, day)?
                    .into_iter()
                    .filter_map(|o| o.kind.actor().cloned())
                    .collect();
                if !members.is_empty() {
                    rosters.insert(org.id.clone(), members);
                }
            }
        }

        // An officer for every body that mediates, at the tier of the area
        // it serves (or is paired with).
        let mut officers: HashMap<OrgId, Actor> = HashMap::default();
        for (from, relation, to) in graph.link_ends() {
            let (body, area) = match relation {
                Relation::Serves(_) => (from, to),
                Relation::PairedWith(_) => match to.tier() {
                    Some(_) => (from, to),
                    None => (to, from),
                },
                _ => continue,
            };
            let Some(tier) = area.tier() else {
                continue;
            };
            if officers.contains_key(&body.id)
                || !DisputeKind::ALL
                    .into_iter()
                    .any(|k| body.has(Capability::Mediation(k)))
            {
                continue;
            }
            let officer = Actor::new(actor_id(&mut buf, format_args!("off.{}", body.id))?)
                .with_role(Role::Officer(tier))
                .acting_for(body.id.clone());
            officers.insert(body.id.clone(), officer);
        }

        let hotline = add_hotline(
            &mut graph,
            &mut buf,
            since,
            &estates,
            &estate_councils,
            municipalities.first(),
        )?;

        let graph = Arc::new(graph);
        let calendar = Arc::new(WorkingCalendar::prc());
        let dispute = Dispute::new(Ladder::new(
            PolicyBook::default(),
            Arc::clone(&graph),
            Arc::clone(&calendar),
        ));

        // One hall per subdistrict: the body routing gives for services
        // there; forwarded items go to the department routing gives one tier up.
        let sample_items = sample::huanan_city_catalogue().items().to_vec();
        let policy = PolicyBook::new(supervision_policy(
            PolicyId::new("city-year-supervision")?,
            1,
            Tier::Subdistrict,
        )?);
        let policies = Arc::new(policy);
        let mut departments: Vec<Department> = Vec::new();
        let mut department_index: HashMap<OrgId, usize> = HashMap::default();
        let mut halls = Vec::with_capacity(subdistricts.len());
        for area in &subdistricts {
            let need = Need::Service(ServiceCategory::BusinessRegistration);
            let Ok(hall_route) = graph.route(area, Tier::Subdistrict, &need, day) else {
                continue;
            };
            let Ok(department_route) = graph.route(area, Tier::District, &need, day) else {
                continue;
            };
            let hall = hall_route.handler;
            let department = department_route.handler;
            let d = match department_index.get(&department) {
                Some(&d) => d,
                None => {
                    let officer =
                        Actor::new(actor_id(&mut buf, format_args!("dept.{department}"))?)
                            .with_role(Role::DepartmentOfficer)
                            .acting_for(department.clone());
                    departments.push(Department {
                        id: department.clone(),
                        officer,
                    });
                    department_index.insert(department.clone(), departments.len() - 1);
                    departments.len() - 1
                }
            };
            let items = sample_items.iter().map(|item| {
                let mut item = item.clone();
                item.handling_body = match item.mode {
                    Mode::Handle => hall.clone(),
                    Mode::Forward => department.clone(),
                };
                item
            });
            let catalogue = Catalogue::try_new(hall.clone(), area.clone(), items)?;
            let ladder = Ladder::new(
                Arc::clone(&policies),
                Arc::clone(&graph),
                Arc::clone(&calendar),
            );
            let service = ServiceRequest::try_new(Arc::new(catalogue), ladder)?;
            let clerk = Actor::new(actor_id(&mut buf, format_args!("clerk.{hall}"))?)
                .with_role(Role::HallClerk)
                .acting_for(hall.clone());
            let agent = Actor::new(actor_id(&mut buf, format_args!("agent.{hall}"))?)
                .with_role(Role::AgentClerk)
                .acting_for(hall.clone());
            let supervisor = Actor::new(actor_id(&mut buf, format_args!("sup.{hall}"))?)
                .with_role(Role::Supervisor);
            halls.push(Hall {
                service,
                clerk,
                agent,
                supervisor,
                department: d,
            });
        }
        if halls.is_empty() {
            return Err(LoadError::NoHalls);
        }
        let items = sample_items
            .iter()
            .map(|item| item_commands(item, year.start))
            .collect();
        let work_orders = WorkOrder::try_new(
            hotline.centre.clone(),
            Ladder::new(
                Arc::clone(&policies),
                Arc::clone(&graph),
                Arc::clone(&calendar),
            ),
        )?;
        let orders = Orders {
            dispatcher: Actor::new(ActorId::new("dispatcher.12345")?)
                .with_role(DISPATCHER)
                .acting_for(hotline.centre.clone()),
            supervisor: Actor::new(ActorId::new("sup.12345")?).with_role(Role::Supervisor),
            workflow: work_orders,
            offices: hotline.offices,
            office_index: hotline.office_index,
            stations: hotline.stations,
            liaisons: hotline.liaisons,
            beats: hotline.beats,
            notes: OrderNotes {
                described: [
                    note("stalls block the lane")?,
                    note("noise at night")?,
                    note("street light out")?,
                ],
                handed_over: note("passed on to 12345")?,
                municipal_road: note("a municipal road")?,
                main_road: note("a main road's light")?,
                no_address: note("no house number")?,
                address_given: note("the call gives it")?,
                private_matter: note("a private matter")?,
                site_checked: note("site checked")?,
                parts_ordered: note("parts on order")?,
                dealt_with: note("dealt with on site")?,
                came_back: note("it came back")?,
            },
        };

        let start = start_of(year.start);
        let end = start_of(year.start + chrono::Days::new(u64::from(year.days)));
        Ok(City {
            year: year.clone(),
            graph,
            dispute,
            halls,
            departments,
            department_index,
            estates,
            enterprises,
            rosters,
            officers,
            items,
            orders,
            notes: Notes {
                basis: note("catalogue terms")?,
                waiting: note("awaiting an appraisal")?,
                survey: note("site survey needed")?,
                not_ours: note("not our competence")?,
                rejected: note("not justified")?,
                bad_review: note("bad review upheld")?,
                rectified: note("the window's procedure was explained and corrected")?,
                followed_up: note("the applicant was told what was corrected")?,
                authorisation: note("written authorisation on file")?,
                not_eligible: note("not eligible")?,
                changed_mind: note("no longer needed")?,
            },
            intake_officer: Actor::new(ActorId::new("intake-officer")?)
                .with_role(Role::Officer(Tier::Community)),
            system: Actor::system(),
            probe: Actor::new(ActorId::new("probe")?),
            start,
            end,
        })
    }

    /// The organisation graph, as completed.
    pub fn graph(&self) -> &OrgGraph {
        &self.graph
    }

    /// The dispute workflow the city's disputes run on.
    pub fn dispute(&self) -> &Dispute {
        &self.dispute
    }

    /// The service halls' workflows, one per subdistrict.
    pub fn halls(&self) -> impl Iterator<Item = &ServiceRequest> {
        self.halls.iter().map(|h| &h.service)
    }

    /// The 12345 work-order workflow the city's work orders run on.
    pub fn work_orders(&self) -> &WorkOrder {
        &self.orders.workflow
    }

    /// The estate-tier places disputes arise at.
    pub fn places(&self) -> impl Iterator<Item = &OrgId> {
        self.estates.iter().map(|e| &e.id)
    }

    /// The city-year it was built for.
    pub fn year(&self) -> &CityYear {
        &self.year
    }
}

/// Local midnight at the start of `date` in China Standard Time.
fn start_of(date: NaiveDate) -> DateTime<Utc> {
    let local = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    chrono::FixedOffset::east_opt(8 * 3600)
        .and_then(|cst| cst.from_local_datetime(&local).single())
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

/// A valid value for each required attribute of `item`.
fn attributes(item: &ServiceItem, day: NaiveDate) -> Attributes {
    item.attributes
        .iter()
        .filter(|a| a.is_required())
        .map(|a| {
            let first = a.values.first().map(|v| v.key.clone()).unwrap_or_default();
            let value = match a.datatype {
                Datatype::String => AttributeValue::Text("Shenzhen".to_owned()),
                Datatype::Text => AttributeValue::Text("As described in the form.".to_owned()),
                Datatype::Number => AttributeValue::Number(10.0),
                Datatype::DateTime => AttributeValue::DateTime(start_of(day)),
                Datatype::SingleValueList => AttributeValue::Choice(first),
                Datatype::MultiValueList => AttributeValue::Choices(vec![first]),
            };
            (a.code.clone(), value)
        })
        .collect()
}

fn item_commands(item: &ServiceItem, day: NaiveDate) -> ItemCommands {
    let materials: Vec<MaterialId> = item.materials.iter().map(|m| m.id.clone()).collect();
    let attributes = attributes(item, day);
    let submit = |materials: Vec<MaterialId>| ServiceRequestCommand::Submit {
        item: item.code.clone(),
        materials,
        attributes: attributes.clone(),
        description: None,
    };
    let incomplete = materials.first().map(|first| Incomplete {
        submit: submit(materials[1..].to_vec()),
        ask: ServiceRequestCommand::RequestSupplement {
            materials: vec![first.clone()],
        },
        supply: ServiceRequestCommand::SupplyMaterials {
            materials: vec![first.clone()],
        },
    });
    ItemCommands {
        complete: submit(materials),
        incomplete,
    }
}

/// What [`add_hotline`] added to the graph.
struct Hotline {
    centre: OrgId,
    offices: Vec<Office>,
    office_index: HashMap<OrgId, usize>,
    stations: Vec<Station>,
    liaisons: Vec<Actor>,
    beats: Vec<Beat>,
}

/// The offices added so far, by id.
struct OfficeBook {
    list: Vec<Office>,
    index: HashMap<OrgId, usize>,
    since: Validity,
}

impl OfficeBook {
    /// Adds an office of `kind` serving `area` with `capabilities`, once;
    /// its index.
    fn add(
        &mut self,
        graph: &mut OrgGraph,
        buf: &mut String,
        prefix: &str,
        kind: &'static str,
        area: &OrgId,
        capabilities: &[Need],
    ) -> Result<usize, LoadError> {
        let id = org_id(buf, format_args!("{prefix}-{area}"))?;
        if let Some(&i) = self.index.get(&id) {
            return Ok(i);
        }
        graph.try_add_org(
            Org::new(
                id.clone(),
                format!("{area} {kind}"),
                OrgKind::Custom(crate::vocabulary::Name::from_static(kind)),
            )
            .with_capabilities(capabilities.iter().copied()),
        )?;
        graph.try_link(&id, Relation::Serves(self.since), area)?;
        let member = Actor::new(actor_id(buf, format_args!("wo.{id}"))?)
            .with_role(Role::DepartmentOfficer)
            .acting_for(id.clone());
        self.list.push(Office {
            id: id.clone(),
            member,
        });
        self.index.insert(id, self.list.len() - 1);
        Ok(self.list.len() - 1)
    }
}

/// Adds the city's 12345 hotline centre (serving the municipality) and the
/// bodies work orders are dispatched to: a work station for every
/// community with an estate (city appearance), an urban management office
/// (city appearance, street lighting) and an environment office (noise)
/// for every subdistrict, a street lighting office for every district.
/// Every estate whose community, subdistrict and district the graph knows
/// becomes a beat.
fn add_hotline(
    graph: &mut OrgGraph,
    buf: &mut String,
    since: Validity,
    estates: &[Estate],
    estate_councils: &HashMap<OrgId, OrgId>,
    municipality: Option<&OrgId>,
) -> Result<Hotline, LoadError> {
    let centre = OrgId::new("hotline-12345")?;
    graph.try_add_org(Org::new(
        centre.clone(),
        "City 12345 hotline centre",
        OrgKind::ComprehensiveGovernanceCentre,
    ))?;
    if let Some(city) = municipality {
        graph.try_link(&centre, Relation::Serves(since), city)?;
    }
    let mut offices = OfficeBook {
        list: Vec::new(),
        index: HashMap::default(),
        since,
    };
    let mut stations: Vec<Station> = Vec::new();
    let mut station_of: HashMap<OrgId, usize> = HashMap::default();
    let mut liaisons: Vec<Actor> = Vec::new();
    let mut liaison_of: HashMap<OrgId, usize> = HashMap::default();
    let mut beats = Vec::new();
    for (e, estate) in estates.iter().enumerate() {
        let (mut community, mut subdistrict, mut district) = (None, None, None);
        for org in graph.ancestors(&estate.id) {
            match org.kind {
                OrgKind::Community if community.is_none() => community = Some(org.id.clone()),
                OrgKind::Subdistrict if subdistrict.is_none() => {
                    subdistrict = Some(org.id.clone());
                }
                OrgKind::District if district.is_none() => district = Some(org.id.clone()),
                _ => {}
            }
        }
        let (Some(community), Some(subdistrict), Some(district)) =
            (community, subdistrict, district)
        else {
            continue;
        };
        let station = match station_of.get(&community) {
            Some(&s) => s,
            None => {
                let office = offices.add(
                    graph,
                    buf,
                    "ws",
                    "community_work_station",
                    &community,
                    &[CITY_APPEARANCE],
                )?;
                let grid_worker = Actor::new(actor_id(buf, format_args!("gw.ws.{community}"))?)
                    .with_role(Role::GridWorker)
                    .acting_for(offices.list[office].id.clone());
                let secretary = Actor::new(actor_id(buf, format_args!("sec.{community}"))?)
                    .with_role(Role::Officer(Tier::Community))
                    .acting_for(offices.list[office].id.clone());
                stations.push(Station {
                    office,
                    grid_worker,
                    secretary,
                });
                station_of.insert(community, stations.len() - 1);
                stations.len() - 1
            }
        };
        let urban = offices.add(
            graph,
            buf,
            "urb",
            "urban_management",
            &subdistrict,
            &[CITY_APPEARANCE, STREET_LIGHTING],
        )?;
        let environment = offices.add(
            graph,
            buf,
            "env",
            "environment_office",
            &subdistrict,
            &[NOISE],
        )?;
        let lighting = offices.add(
            graph,
            buf,
            "lit",
            "lighting_office",
            &district,
            &[STREET_LIGHTING],
        )?;
        let council = match estate_councils.get(&estate.id) {
            Some(council) => Some(match liaison_of.get(council) {
                Some(&l) => l,
                None => {
                    liaisons.push(
                        Actor::new(actor_id(buf, format_args!("liaison.{council}"))?)
                            .with_role(COUNCIL_LIAISON)
                            .acting_for(council.clone()),
                    );
                    liaison_of.insert(council.clone(), liaisons.len() - 1);
                    liaisons.len() - 1
                }
            }),
            None => None,
        };
        beats.push(Beat {
            estate: e,
            station,
            urban,
            environment,
            lighting,
            council,
        });
    }
    Ok(Hotline {
        centre,
        offices: offices.list,
        office_index: offices.index,
        stations,
        liaisons,
        beats,
    })
}
