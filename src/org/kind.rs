//! Organisations: [`Org`], its [`OrgKind`] and its [`Capability`] list.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::id::{ActorId, OrgId};
use crate::matter::{DisputeKind, ServiceCategory};
use crate::tier::Tier;
use crate::vocabulary::{Name, Vocabulary, VocabularyError};

/// What sort of body an organisation is.
///
/// Territorial kinds (a district, a community, a housing estate, a grid, ...)
/// have a [`Tier`] and form the administrative tree through
/// [`Relation::PartOf`](super::Relation::PartOf). Party organisations lead
/// other bodies. Every other kind is a body that serves an area, pairs with
/// another body or has members. A person is a node too, named by the actor id
/// they act under, so memberships say which organisations an actor belongs to.
///
/// A city's own kind of body (a law firm, a tenants' association, ...) is
/// [`OrgKind::Custom`]: a body like the report's non-territorial ones. What
/// a body handles is never read from its kind but from the capabilities it
/// is added with ([`Org::with_capability`]), so a custom body routes like
/// any other. In JSON a kind is its snake_case name (a custom kind's own
/// name) and a person `{"person":"A-0001"}`; as text a person is
/// `person(A-0001)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum OrgKind {
    /// A municipality (市), the top of the territorial tree.
    Municipality,
    /// A district (区), such as Longgang.
    District,
    /// A subdistrict (街道), such as Pinghu or Buji.
    Subdistrict,
    /// A community (社区), such as Hehua or Dongfang Bandao.
    Community,
    /// A housing estate (小区).
    HousingEstate,
    /// An industrial park (园区).
    IndustrialPark,
    /// A commercial district (商圈), such as Huanan City with the parks
    /// around it: an area at the [`Tier::Community`] tier, part of a
    /// subdistrict, whose parks and complexes are part of it.
    CommercialDistrict,
    /// An urban village (城中村).
    UrbanVillage,
    /// A grid (网格), walked by grid workers.
    Grid,
    /// A party committee (党委).
    PartyCommittee,
    /// A party branch (党支部), for example an estate party branch.
    PartyBranch,
    /// A property management company (物业).
    PropertyManagementCompany,
    /// An owners' committee (业委会).
    OwnersCommittee,
    /// A merchants' council (商户议事会).
    MerchantsCouncil,
    /// A party–public service centre (党群服务中心).
    PartyPublicServiceCentre,
    /// An administrative service centre (行政服务中心), a service hall or one
    /// of its branches.
    AdministrativeServiceCentre,
    /// A mediation committee: a people's mediation committee (人民调解委员会)
    /// unless it is declared another committee-shaped
    /// [`MediationOrganisation`] with [`Org::as_mediation_organisation`].
    MediationCommittee,
    /// A commercial mediation organisation (商事调解组织), such as a
    /// commercial mediation studio (商事调解工作室): always a
    /// [`MediationOrganisation::Commercial`].
    CommercialMediationStudio,
    /// A mediation academy (调解学院) training mediators: not a mediation
    /// organisation. Its trainees mediate as members of a committee.
    MediationAcademy,
    /// A comprehensive governance centre (综治中心).
    ComprehensiveGovernanceCentre,
    /// An expert think tank (专家人才智库).
    ExpertThinkTank,
    /// A school (学校).
    School,
    /// An enterprise or a merchant.
    Enterprise,
    /// A volunteer team.
    VolunteerTeam,
    /// A person, named by the actor id they act under.
    Person(ActorId),
    /// A kind of body of the city's own (a law firm, a tenants'
    /// association, ...): neither territorial nor a party organisation, so
    /// it serves areas, pairs and has members like the report's bodies.
    Custom(Name),
}

/// How an [`OrgKind`] takes part in the graph, as the insert rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KindClass {
    /// A territorial body at a tier: the only kind that may be
    /// [`PartOf`](super::Relation::PartOf) another, and the only kind a body
    /// may [`Serve`](super::Relation::Serves).
    Territorial(Tier),
    /// A party committee or branch: the only kind that may
    /// [`Lead`](super::Relation::Leads).
    Party,
    /// Any other body: a committee, a centre, a studio, an enterprise, ...
    Body,
    /// A person.
    Person,
}

impl OrgKind {
    /// The tier of a territorial kind, or `None` for every other kind.
    ///
    /// Housing estates, industrial parks and urban villages are all
    /// [`Tier::Estate`]; a commercial district is at [`Tier::Community`],
    /// with its parks part of it.
    ///
    /// ```
    /// use grassroots::org::OrgKind;
    /// use grassroots::tier::Tier;
    ///
    /// assert_eq!(OrgKind::IndustrialPark.tier(), Some(Tier::Estate));
    /// assert_eq!(OrgKind::MediationCommittee.tier(), None);
    /// ```
    pub const fn tier(&self) -> Option<Tier> {
        match self {
            OrgKind::Municipality => Some(Tier::Municipal),
            OrgKind::District => Some(Tier::District),
            OrgKind::Subdistrict => Some(Tier::Subdistrict),
            OrgKind::Community | OrgKind::CommercialDistrict => Some(Tier::Community),
            OrgKind::HousingEstate | OrgKind::IndustrialPark | OrgKind::UrbanVillage => {
                Some(Tier::Estate)
            }
            OrgKind::Grid => Some(Tier::Grid),
            _ => None,
        }
    }

    /// How this kind takes part in the graph.
    pub const fn class(&self) -> KindClass {
        match self {
            OrgKind::PartyCommittee | OrgKind::PartyBranch => KindClass::Party,
            OrgKind::Person(_) => KindClass::Person,
            _ => match self.tier() {
                Some(tier) => KindClass::Territorial(tier),
                None => KindClass::Body,
            },
        }
    }

    /// Whether this kind is territorial (has a tier).
    pub const fn is_territorial(&self) -> bool {
        self.tier().is_some()
    }

    /// Whether this kind is a party committee or branch.
    pub const fn is_party_organisation(&self) -> bool {
        matches!(self, OrgKind::PartyCommittee | OrgKind::PartyBranch)
    }

    /// The actor id of a person, or `None` for every other kind.
    pub const fn actor(&self) -> Option<&ActorId> {
        match self {
            OrgKind::Person(actor) => Some(actor),
            _ => None,
        }
    }

    /// The kind's snake_case name, as used in serde (a person is
    /// `"person"`, a custom kind its own name).
    pub fn as_str(&self) -> &str {
        match self {
            OrgKind::Municipality => "municipality",
            OrgKind::District => "district",
            OrgKind::Subdistrict => "subdistrict",
            OrgKind::Community => "community",
            OrgKind::HousingEstate => "housing_estate",
            OrgKind::IndustrialPark => "industrial_park",
            OrgKind::CommercialDistrict => "commercial_district",
            OrgKind::UrbanVillage => "urban_village",
            OrgKind::Grid => "grid",
            OrgKind::PartyCommittee => "party_committee",
            OrgKind::PartyBranch => "party_branch",
            OrgKind::PropertyManagementCompany => "property_management_company",
            OrgKind::OwnersCommittee => "owners_committee",
            OrgKind::MerchantsCouncil => "merchants_council",
            OrgKind::PartyPublicServiceCentre => "party_public_service_centre",
            OrgKind::AdministrativeServiceCentre => "administrative_service_centre",
            OrgKind::MediationCommittee => "mediation_committee",
            OrgKind::CommercialMediationStudio => "commercial_mediation_studio",
            OrgKind::MediationAcademy => "mediation_academy",
            OrgKind::ComprehensiveGovernanceCentre => "comprehensive_governance_centre",
            OrgKind::ExpertThinkTank => "expert_think_tank",
            OrgKind::School => "school",
            OrgKind::Enterprise => "enterprise",
            OrgKind::VolunteerTeam => "volunteer_team",
            OrgKind::Person(_) => "person",
            OrgKind::Custom(name) => name.as_str(),
        }
    }

    /// The report's kinds without data, in declaration order (a person
    /// and custom kinds are not listed).
    pub const BUILT_IN: [OrgKind; 24] = [
        OrgKind::Municipality,
        OrgKind::District,
        OrgKind::Subdistrict,
        OrgKind::Community,
        OrgKind::HousingEstate,
        OrgKind::IndustrialPark,
        OrgKind::CommercialDistrict,
        OrgKind::UrbanVillage,
        OrgKind::Grid,
        OrgKind::PartyCommittee,
        OrgKind::PartyBranch,
        OrgKind::PropertyManagementCompany,
        OrgKind::OwnersCommittee,
        OrgKind::MerchantsCouncil,
        OrgKind::PartyPublicServiceCentre,
        OrgKind::AdministrativeServiceCentre,
        OrgKind::MediationCommittee,
        OrgKind::CommercialMediationStudio,
        OrgKind::MediationAcademy,
        OrgKind::ComprehensiveGovernanceCentre,
        OrgKind::ExpertThinkTank,
        OrgKind::School,
        OrgKind::Enterprise,
        OrgKind::VolunteerTeam,
    ];

    /// The built-in kind without data named `name`.
    fn built_in(name: &str) -> Option<OrgKind> {
        OrgKind::BUILT_IN.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether this is a kind of the city's own.
    pub const fn is_custom(&self) -> bool {
        matches!(self, OrgKind::Custom(_))
    }

    /// The mediation organisation a body of this kind is unless declared
    /// otherwise: a mediation committee is a people's mediation committee, a
    /// commercial mediation studio a commercial mediation organisation;
    /// every other kind is none.
    pub const fn default_mediation_organisation(&self) -> Option<MediationOrganisation> {
        match self {
            OrgKind::MediationCommittee => Some(MediationOrganisation::PeoplesMediationCommittee),
            OrgKind::CommercialMediationStudio => Some(MediationOrganisation::Commercial),
            _ => None,
        }
    }

    /// Whether a body of this kind may be declared `organisation`: a
    /// mediation committee may be any committee but a commercial one, a
    /// commercial mediation studio only commercial, a custom kind anything;
    /// no other kind is a mediation organisation (a mediation academy, a
    /// merchants' council, a party branch, an area, ... host or lead
    /// mediation; they do not mediate).
    pub const fn may_be(&self, organisation: MediationOrganisation) -> bool {
        match self {
            OrgKind::MediationCommittee => {
                !matches!(organisation, MediationOrganisation::Commercial)
            }
            OrgKind::CommercialMediationStudio => {
                matches!(organisation, MediationOrganisation::Commercial)
            }
            OrgKind::Custom(_) => true,
            _ => false,
        }
    }
}

/// Which kind of mediation organisation a body is: who may mediate what, and
/// what its agreements are.
///
/// | organisation | mediates labour disputes (LDMAL art. 10) | agreement may go to judicial confirmation (PML art. 33) |
/// |---|---|---|
/// | people's mediation committee | yes (art. 10(2)) | yes |
/// | industry or professional | no | yes |
/// | commercial | no | no: its agreement is a contract |
/// | enterprise labour dispute committee | yes (art. 10(1)) | yes |
/// | subdistrict labour dispute mediation | yes (art. 10(3)) | yes |
///
/// An area (a community, a park, ...) with a mediation capability stands for
/// the people's mediation committee established there (PML arts. 8 and 34)
/// and counts as one; see [`OrgGraph::mediation_organisation`](super::OrgGraph::mediation_organisation).
///
/// ```
/// use grassroots::org::MediationOrganisation;
///
/// assert!(MediationOrganisation::PeoplesMediationCommittee.mediates_labour_disputes());
/// assert!(!MediationOrganisation::Commercial.mediates_labour_disputes());
/// assert!(!MediationOrganisation::Commercial.agreement_may_be_judicially_confirmed());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MediationOrganisation {
    /// A people's mediation committee (人民调解委员会), PML arts. 7–8 and 34;
    /// for labour disputes a grassroots people's mediation organisation
    /// established according to law (LDMAL art. 10(2)).
    PeoplesMediationCommittee,
    /// An industry or professional mediation organisation
    /// (行业性、专业性调解组织). LDMAL art. 10 does not name it for labour
    /// disputes.
    IndustryOrProfessional,
    /// A commercial mediation organisation (商事调解组织): its agreements are
    /// contracts, not people's mediation agreements, so PML art. 33's
    /// judicial confirmation does not apply. LDMAL art. 10 does not name it.
    Commercial,
    /// An enterprise labour dispute mediation committee
    /// (企业劳动争议调解委员会), LDMAL art. 10(1).
    EnterpriseLabourDisputeCommittee,
    /// An organisation with labour dispute mediation functions set up in a
    /// township or subdistrict (在乡镇、街道设立的具有劳动争议调解职能的组织),
    /// LDMAL art. 10(3).
    SubdistrictLabourDisputeMediation,
}

impl MediationOrganisation {
    /// Every kind of mediation organisation, in declaration order.
    pub const ALL: [MediationOrganisation; 5] = [
        MediationOrganisation::PeoplesMediationCommittee,
        MediationOrganisation::IndustryOrProfessional,
        MediationOrganisation::Commercial,
        MediationOrganisation::EnterpriseLabourDisputeCommittee,
        MediationOrganisation::SubdistrictLabourDisputeMediation,
    ];

    /// Whether it may mediate labour disputes: LDMAL art. 10 names
    /// enterprise labour dispute mediation committees, grassroots people's
    /// mediation organisations established according to law, and
    /// organisations with labour dispute mediation functions set up in
    /// townships and subdistricts.
    pub const fn mediates_labour_disputes(self) -> bool {
        matches!(
            self,
            MediationOrganisation::PeoplesMediationCommittee
                | MediationOrganisation::EnterpriseLabourDisputeCommittee
                | MediationOrganisation::SubdistrictLabourDisputeMediation
        )
    }

    /// Whether the parties may apply for judicial confirmation of an
    /// agreement reached before it (PML art. 33): every kind but a
    /// commercial mediation organisation, whose agreements are contracts.
    pub const fn agreement_may_be_judicially_confirmed(self) -> bool {
        !matches!(self, MediationOrganisation::Commercial)
    }

    /// The snake_case name, as used in serde and [`Display`](fmt::Display).
    pub const fn as_str(self) -> &'static str {
        match self {
            MediationOrganisation::PeoplesMediationCommittee => "peoples_mediation_committee",
            MediationOrganisation::IndustryOrProfessional => "industry_or_professional",
            MediationOrganisation::Commercial => "commercial",
            MediationOrganisation::EnterpriseLabourDisputeCommittee => {
                "enterprise_labour_dispute_committee"
            }
            MediationOrganisation::SubdistrictLabourDisputeMediation => {
                "subdistrict_labour_dispute_mediation"
            }
        }
    }
}

impl fmt::Display for MediationOrganisation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OrgKind {
    type Err = VocabularyError;

    /// `community`, `person(A-0001)`, or a custom kind's name.
    ///
    /// # Errors
    ///
    /// [`VocabularyError`] when the text is no built-in kind, no
    /// `person(<actor id>)` with a valid id, and no valid custom name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(kind) = OrgKind::built_in(s) {
            return Ok(kind);
        }
        if let Some(actor) = s
            .strip_prefix("person(")
            .and_then(|rest| rest.strip_suffix(')'))
            .and_then(|id| ActorId::new(id).ok())
        {
            return Ok(OrgKind::Person(actor));
        }
        Name::new(s)
            .map(OrgKind::Custom)
            .map_err(|reason| VocabularyError::new(Vocabulary::OrgKind, s, reason))
    }
}

impl From<Name> for OrgKind {
    fn from(name: Name) -> Self {
        OrgKind::Custom(name)
    }
}

impl Serialize for OrgKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            OrgKind::Person(actor) => {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("person", actor)?;
                map.end()
            }
            other => serializer.serialize_str(other.as_str()),
        }
    }
}

impl<'de> Deserialize<'de> for OrgKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KindVisitor)
    }
}

/// Reads a kind's name, or `{"person": actor id}`.
struct KindVisitor;

impl<'de> serde::de::Visitor<'de> for KindVisitor {
    type Value = OrgKind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a kind of body or {\"person\": actor id}")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OrgKind, E> {
        match OrgKind::built_in(v) {
            Some(kind) => Ok(kind),
            None => Name::new(v)
                .map(OrgKind::Custom)
                .map_err(|reason| E::custom(VocabularyError::new(Vocabulary::OrgKind, v, reason))),
        }
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<OrgKind, A::Error> {
        use serde::de::Error;
        let key: String = map
            .next_key()?
            .ok_or_else(|| A::Error::invalid_length(0, &self))?;
        if key != "person" {
            return Err(A::Error::unknown_variant(&key, &["person"]));
        }
        let actor: ActorId = map.next_value()?;
        if map.next_key::<serde::de::IgnoredAny>()?.is_some() {
            return Err(A::Error::invalid_length(2, &self));
        }
        Ok(OrgKind::Person(actor))
    }
}

impl fmt::Display for OrgKind {
    /// The snake_case name; a person shows their actor id:
    /// `person(A-0001)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrgKind::Person(actor) => write!(f, "person({actor})"),
            other => f.write_str(other.as_str()),
        }
    }
}

/// Something a body is able to handle.
///
/// A [`Need`] is met by the capability of the same name: routing looks for a
/// body whose capability list holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Capability {
    /// People's mediation of disputes of this kind.
    Mediation(DisputeKind),
    /// Accepting, or acting as agent for, service items of this category.
    Service(ServiceCategory),
    /// Legal consultation (a party–public service centre offers it to
    /// merchants and staff).
    LegalConsultation,
    /// Legal aid.
    LegalAid,
    /// Arbitration (for labour disputes, the arbitration commission).
    Arbitration,
    /// Judicial confirmation of mediation agreements (a court).
    JudicialConfirmation,
    /// Supervision (督办) of overdue requests and of the performance of
    /// agreements.
    Supervision,
    /// Monitoring and early warning of disputes that may intensify.
    EarlyWarning,
    /// Training mediators (a mediation academy's trainee mediators).
    MediatorTraining,
}

/// What a case needs from a body; met by the [`Capability`] of the same name.
///
/// ```
/// use grassroots::matter::DisputeKind;
/// use grassroots::org::{Capability, Need};
///
/// let need = Need::Mediation(DisputeKind::Labour);
/// assert_eq!(need, Capability::Mediation(DisputeKind::Labour));
/// ```
pub type Need = Capability;

impl Capability {
    /// Every capability, in declaration order.
    pub fn all() -> impl Iterator<Item = Capability> {
        DisputeKind::ALL
            .into_iter()
            .map(Capability::Mediation)
            .chain(ServiceCategory::ALL.into_iter().map(Capability::Service))
            .chain([
                Capability::LegalConsultation,
                Capability::LegalAid,
                Capability::Arbitration,
                Capability::JudicialConfirmation,
                Capability::Supervision,
                Capability::EarlyWarning,
                Capability::MediatorTraining,
            ])
    }

    /// This capability's bit in a capability mask. Every custom mediation
    /// capability shares one bit, and every custom service capability
    /// another: the mask says "maybe", the capability list decides (see
    /// [`is_custom`](Self::is_custom)).
    pub(crate) const fn bit(self) -> u32 {
        let n = match self {
            Capability::Mediation(k) => match k.ordinal() {
                Some(i) => i,
                None => Self::CUSTOM_MEDIATION_BIT,
            },
            Capability::Service(c) => match c.ordinal() {
                Some(i) => 6 + i,
                None => Self::CUSTOM_SERVICE_BIT,
            },
            Capability::LegalConsultation => 15,
            Capability::LegalAid => 16,
            Capability::Arbitration => 17,
            Capability::JudicialConfirmation => 18,
            Capability::Supervision => 19,
            Capability::EarlyWarning => 20,
            Capability::MediatorTraining => 21,
        };
        1 << n
    }

    const CUSTOM_MEDIATION_BIT: u32 = 22;
    const CUSTOM_SERVICE_BIT: u32 = 23;

    /// Whether this capability names a custom dispute kind or service
    /// category (its bit is shared, so a match is confirmed on the list).
    pub const fn is_custom(&self) -> bool {
        match self {
            Capability::Mediation(k) => k.is_custom(),
            Capability::Service(c) => c.is_custom(),
            _ => false,
        }
    }

    /// The mask of every mediation capability, built-in or custom.
    pub(crate) const MEDIATION_MASK: u32 = ((1 << 6) - 1) | (1 << Self::CUSTOM_MEDIATION_BIT);
}

impl fmt::Display for Capability {
    /// `mediation(labour)`, `service(funding_support)`, `legal_aid`, ...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Capability::Mediation(k) => write!(f, "mediation({k})"),
            Capability::Service(c) => write!(f, "service({c})"),
            Capability::LegalConsultation => f.write_str("legal_consultation"),
            Capability::LegalAid => f.write_str("legal_aid"),
            Capability::Arbitration => f.write_str("arbitration"),
            Capability::JudicialConfirmation => f.write_str("judicial_confirmation"),
            Capability::Supervision => f.write_str("supervision"),
            Capability::EarlyWarning => f.write_str("early_warning"),
            Capability::MediatorTraining => f.write_str("mediator_training"),
        }
    }
}

/// An organisation: a node of the [`OrgGraph`](super::OrgGraph).
///
/// Build one with [`Org::new`] and add what it can handle with
/// [`Org::with_capability`]. The graph keeps capabilities sorted and without
/// repeats, so two organisations with the same capabilities compare equal
/// whatever order they were added in.
///
/// ```
/// use grassroots::id::OrgId;
/// use grassroots::matter::DisputeKind;
/// use grassroots::org::{Capability, Org, OrgKind};
///
/// let studio = Org::new(
///     OrgId::new("hehua-studio")?,
///     "Hehua commercial mediation studio",
///     OrgKind::CommercialMediationStudio,
/// )
/// .with_capability(Capability::Mediation(DisputeKind::Commercial));
/// assert!(studio.has(Capability::Mediation(DisputeKind::Commercial)));
/// # Ok::<(), grassroots::id::IdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Org {
    /// The organisation's identifier, unique in a graph.
    pub id: OrgId,
    /// The organisation's name, for people and diagrams.
    pub name: String,
    /// What sort of body it is.
    pub kind: OrgKind,
    /// What it is able to handle, sorted and without repeats.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<Capability>,
    /// The kind of mediation organisation it is, if it is one. [`Org::new`]
    /// takes the kind's default
    /// ([`OrgKind::default_mediation_organisation`]); so does the graph
    /// when the field is missing from JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mediation: Option<MediationOrganisation>,
}

impl Org {
    /// An organisation with no capabilities.
    pub fn new(id: OrgId, name: impl Into<String>, kind: OrgKind) -> Self {
        Org {
            id,
            name: name.into(),
            mediation: kind.default_mediation_organisation(),
            kind,
            capabilities: Vec::new(),
        }
    }

    /// The same organisation, declared a mediation organisation of this
    /// kind: an enterprise labour dispute mediation committee, say, or a
    /// custom kind of body that mediates. The graph refuses a declaration
    /// the kind does not allow ([`OrgKind::may_be`]).
    ///
    /// ```
    /// use grassroots::id::OrgId;
    /// use grassroots::org::{MediationOrganisation, Org, OrgKind};
    ///
    /// let committee = Org::new(OrgId::new("pengda-ldmc")?, "Pengda labour dispute mediation committee", OrgKind::MediationCommittee)
    ///     .as_mediation_organisation(MediationOrganisation::EnterpriseLabourDisputeCommittee);
    /// assert_eq!(committee.mediation, Some(MediationOrganisation::EnterpriseLabourDisputeCommittee));
    /// # Ok::<(), grassroots::id::IdError>(())
    /// ```
    #[must_use]
    pub fn as_mediation_organisation(mut self, organisation: MediationOrganisation) -> Self {
        self.mediation = Some(organisation);
        self
    }

    /// The same organisation, able to handle `capability` as well.
    #[must_use]
    pub fn with_capability(mut self, capability: Capability) -> Self {
        if let Err(at) = self.capabilities.binary_search(&capability) {
            self.capabilities.insert(at, capability);
        }
        self
    }

    /// The same organisation, able to handle every capability in
    /// `capabilities` as well.
    #[must_use]
    pub fn with_capabilities(self, capabilities: impl IntoIterator<Item = Capability>) -> Self {
        capabilities
            .into_iter()
            .fold(self, |org, c| org.with_capability(c))
    }

    /// Whether the organisation is able to handle `capability`.
    pub fn has(&self, capability: Capability) -> bool {
        self.capabilities.contains(&capability)
    }

    /// The organisation's tier, if it is territorial.
    pub fn tier(&self) -> Option<Tier> {
        self.kind.tier()
    }

    /// Sorts and de-duplicates the capability list, and takes the kind's
    /// mediation organisation when none is declared.
    pub(crate) fn normalise(&mut self) {
        self.capabilities.sort_unstable();
        self.capabilities.dedup();
        if self.mediation.is_none() {
            self.mediation = self.kind.default_mediation_organisation();
        }
    }

    /// Whether any capability is a mediation capability.
    pub(crate) fn mediates(&self) -> bool {
        self.capabilities
            .iter()
            .any(|c| matches!(c, Capability::Mediation(_)))
    }

    /// The capability list as a bit mask.
    pub(crate) fn capability_mask(&self) -> u32 {
        self.capabilities.iter().fold(0, |m, c| m | c.bit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::Vocabulary;

    #[test]
    fn every_capability_has_its_own_bit() {
        let mut seen = 0u32;
        let mut count = 0;
        for c in Capability::all() {
            assert_eq!(seen & c.bit(), 0, "{c} shares a bit");
            seen |= c.bit();
            count += 1;
        }
        assert_eq!(count, 22);
        for k in DisputeKind::ALL {
            assert_ne!(
                Capability::Mediation(k).bit() & Capability::MEDIATION_MASK,
                0
            );
        }
        for c in ServiceCategory::ALL {
            assert_eq!(Capability::Service(c).bit() & Capability::MEDIATION_MASK, 0);
        }
    }

    #[test]
    fn estate_level_kinds_are_all_at_the_estate_tier() {
        assert_eq!(OrgKind::CommercialDistrict.tier(), Some(Tier::Community));
        for k in [
            OrgKind::HousingEstate,
            OrgKind::IndustrialPark,
            OrgKind::UrbanVillage,
        ] {
            assert_eq!(k.tier(), Some(Tier::Estate));
            assert_eq!(k.class(), KindClass::Territorial(Tier::Estate));
        }
        assert_eq!(OrgKind::PartyBranch.class(), KindClass::Party);
        assert_eq!(OrgKind::School.class(), KindClass::Body);
        let person = OrgKind::Person(ActorId::new("A1").unwrap());
        assert_eq!(person.class(), KindClass::Person);
        assert_eq!(person.to_string(), "person(A1)");
    }

    #[test]
    fn capabilities_stay_sorted_and_unique() {
        let org = Org::new(OrgId::new("x").unwrap(), "X", OrgKind::School)
            .with_capability(Capability::LegalAid)
            .with_capability(Capability::Mediation(DisputeKind::Other))
            .with_capability(Capability::LegalAid);
        assert_eq!(
            org.capabilities,
            vec![
                Capability::Mediation(DisputeKind::Other),
                Capability::LegalAid
            ]
        );
    }

    #[test]
    fn kinds_and_capabilities_use_snake_case_in_serde() {
        let json = serde_json::to_string(&OrgKind::HousingEstate).unwrap();
        assert_eq!(json, "\"housing_estate\"");
        let json = serde_json::to_string(&OrgKind::Person(ActorId::new("A1").unwrap())).unwrap();
        assert_eq!(json, "{\"person\":\"A1\"}");
        let json =
            serde_json::to_string(&Capability::Service(ServiceCategory::TalentSupport)).unwrap();
        assert_eq!(json, "{\"service\":\"talent_support\"}");
        let json = serde_json::to_string(&Capability::LegalAid).unwrap();
        assert_eq!(json, "\"legal_aid\"");
    }

    #[test]
    fn built_in_kinds_keep_their_json() {
        let kinds = [
            OrgKind::Community,
            OrgKind::HousingEstate,
            OrgKind::AdministrativeServiceCentre,
            OrgKind::Person(ActorId::new("A1").unwrap()),
        ];
        let json = serde_json::to_string(&kinds).unwrap();
        assert_eq!(
            json,
            r#"["community","housing_estate","administrative_service_centre",{"person":"A1"}]"#
        );
        assert_eq!(serde_json::from_str::<Vec<OrgKind>>(&json).unwrap(), kinds);
        for kind in OrgKind::BUILT_IN {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<OrgKind>(&json).unwrap(), kind);
            assert_eq!(kind.as_str().parse::<OrgKind>().unwrap(), kind);
        }
        let caps = [
            Capability::Mediation(DisputeKind::Labour),
            Capability::Service(ServiceCategory::FundingSupport),
            Capability::Supervision,
        ];
        assert_eq!(
            serde_json::to_string(&caps).unwrap(),
            r#"[{"mediation":"labour"},{"service":"funding_support"},"supervision"]"#
        );
    }

    #[test]
    fn a_custom_kind_is_a_plain_body_named_by_its_text() {
        let law_firm: OrgKind = "law_firm".parse().unwrap();
        assert_eq!(law_firm, OrgKind::Custom(Name::new("law_firm").unwrap()));
        assert_eq!(law_firm.class(), KindClass::Body);
        assert_eq!(law_firm.tier(), None);
        assert!(law_firm.is_custom() && !law_firm.is_party_organisation());
        assert_eq!(law_firm.to_string(), "law_firm");
        let json = serde_json::to_string(&law_firm).unwrap();
        assert_eq!(json, "\"law_firm\"");
        assert_eq!(serde_json::from_str::<OrgKind>(&json).unwrap(), law_firm);
        assert_eq!(
            "person(A1)".parse::<OrgKind>().unwrap(),
            OrgKind::Person(ActorId::new("A1").unwrap())
        );
    }

    #[test]
    fn malformed_kinds_are_refused_with_a_typed_error() {
        let err = "Law Firm".parse::<OrgKind>().unwrap_err();
        assert_eq!(err.vocabulary, Vocabulary::OrgKind);
        assert_eq!(err.input, "Law Firm");
        assert!(
            serde_json::from_str::<OrgKind>("\"law firm\"")
                .unwrap_err()
                .to_string()
                .contains("is not a valid kind of body")
        );
        assert!(serde_json::from_str::<OrgKind>(r#"{"school":"A1"}"#).is_err());
        assert!(serde_json::from_str::<OrgKind>(r#"{"person":""}"#).is_err());
        assert!("person()".parse::<OrgKind>().is_err());
    }

    #[test]
    fn custom_capabilities_share_a_bit_per_family_and_count_as_mediation() {
        let tenancy = Capability::Mediation(DisputeKind::from_static("tenancy"));
        let renovation = Capability::Mediation(DisputeKind::from_static("renovation"));
        let filing = Capability::Service(ServiceCategory::from_static("renovation_filing"));
        assert_eq!(tenancy.bit(), renovation.bit());
        assert_ne!(tenancy.bit(), filing.bit());
        assert!(tenancy.is_custom() && filing.is_custom());
        assert!(!Capability::Mediation(DisputeKind::Labour).is_custom());
        assert_ne!(tenancy.bit() & Capability::MEDIATION_MASK, 0);
        assert_eq!(filing.bit() & Capability::MEDIATION_MASK, 0);
        for c in Capability::all() {
            assert_eq!(c.bit() & (tenancy.bit() | filing.bit()), 0, "{c}");
        }
        assert_eq!(
            serde_json::to_string(&tenancy).unwrap(),
            r#"{"mediation":"tenancy"}"#
        );
        assert_eq!(tenancy.to_string(), "mediation(tenancy)");
    }
}
