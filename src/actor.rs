//! Who acts on a case, in which role, and the permission check every
//! workflow calls in `decide`.
//!
//! An [`Actor`] is an [`ActorId`] with the [`Role`]s the embedding program has
//! vouched for (after its own authentication), and optionally the
//! organisation the actor acts for. Workflows never trust a command's claim
//! about who sent it: they look at the actor in the
//! [`Context`](crate::workflow::Context) and call [`Actor::require`].
//!
//! ```
//! use grassroots::actor::{Actor, Forbidden, Role};
//! use grassroots::tier::Tier;
//!
//! let clerk = Actor::new("clerk-li".parse()?).with_role(Role::HallClerk);
//! assert!(clerk.require("accept", Role::HallClerk).is_ok());
//!
//! let refusal: Forbidden = clerk.require("override ceiling", Role::Officer(Tier::Community)).unwrap_err();
//! assert_eq!(
//!     refusal.to_string(),
//!     "actor clerk-li may not override ceiling: it needs the role officer of the community tier"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::id::{ActorId, OrgId};
use crate::tier::Tier;
use crate::vocabulary::{Name, Vocabulary, VocabularyError};

/// A kind of person (or the system) acting on a case.
///
/// The report's roles are variants; a city's own role (an owners' committee
/// member, a building steward, ...) is [`Role::Custom`], matched exactly.
/// In JSON a role is its snake_case name (`"grid_worker"`, a custom role's
/// own name), and an officer `{"officer":"community"}`; as text (`FromStr`)
/// an officer is `officer(community)`.
///
/// ```
/// use grassroots::actor::{Actor, Role};
/// use grassroots::tier::Tier;
/// use grassroots::vocabulary::Name;
///
/// const COMMITTEE_MEMBER: Role = Role::Custom(Name::from_static("owners_committee_member"));
///
/// let member = Actor::new("owner-gao".parse()?).with_role(COMMITTEE_MEMBER);
/// assert!(member.require("call an owners' meeting", COMMITTEE_MEMBER).is_ok());
/// assert!(member.require("mediate", Role::Mediator).is_err());
/// assert_eq!("owners_committee_member".parse::<Role>()?, COMMITTEE_MEMBER);
/// assert_eq!("officer(community)".parse::<Role>()?, Role::Officer(Tier::Community));
/// assert_eq!(serde_json::to_string(&Role::Officer(Tier::Community))?, r#"{"officer":"community"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Role {
    /// A party to a dispute, or the applicant of a service request.
    Party,
    /// A community grid worker (网格员) who visits door to door and reports.
    GridWorker,
    /// A people's mediator (调解员), including trainee mediators of a
    /// mediation academy.
    Mediator,
    /// A manager of a property management company (物业).
    PropertyManager,
    /// A clerk of an administrative service centre who accepts service
    /// items (受理) and handles or forwards them.
    HallClerk,
    /// A clerk of the centre who acts for an applicant (代办), on its written
    /// authorisation.
    AgentClerk,
    /// An officer of the competent department that a forwarded item goes to.
    DepartmentOfficer,
    /// An officer of a body at the given tier (a community officer, a
    /// subdistrict officer, ...). An officer of a tier also holds the
    /// authority of every tier below it.
    Officer(Tier),
    /// A supervisor (督办) who approves extensions and oversees overdue
    /// matters.
    Supervisor,
    /// The system itself, sending timer commands (`Tick`).
    System,
    /// A role of the city's own (an owners' committee member, a building
    /// steward, ...). It satisfies only a requirement for the same role.
    Custom(Name),
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::Party => f.write_str("party"),
            Role::GridWorker => f.write_str("grid worker"),
            Role::Mediator => f.write_str("mediator"),
            Role::PropertyManager => f.write_str("property manager"),
            Role::HallClerk => f.write_str("service-hall clerk"),
            Role::AgentClerk => f.write_str("agent clerk"),
            Role::DepartmentOfficer => f.write_str("department officer"),
            Role::Officer(tier) => write!(f, "officer of the {tier} tier"),
            Role::Supervisor => f.write_str("supervisor"),
            Role::System => f.write_str("system"),
            Role::Custom(name) => f.write_str(name.as_str()),
        }
    }
}

impl Role {
    /// The report's roles without a tier, in declaration order (an officer
    /// is `Officer(tier)` for every [`Tier`]; custom roles are not listed).
    pub const BUILT_IN: [Role; 9] = [
        Role::Party,
        Role::GridWorker,
        Role::Mediator,
        Role::PropertyManager,
        Role::HallClerk,
        Role::AgentClerk,
        Role::DepartmentOfficer,
        Role::Supervisor,
        Role::System,
    ];

    /// The snake_case name, as used in serde: `grid_worker`, `officer` for
    /// an officer of any tier, a custom role's own name.
    pub fn as_str(&self) -> &str {
        match self {
            Role::Party => "party",
            Role::GridWorker => "grid_worker",
            Role::Mediator => "mediator",
            Role::PropertyManager => "property_manager",
            Role::HallClerk => "hall_clerk",
            Role::AgentClerk => "agent_clerk",
            Role::DepartmentOfficer => "department_officer",
            Role::Officer(_) => "officer",
            Role::Supervisor => "supervisor",
            Role::System => "system",
            Role::Custom(name) => name.as_str(),
        }
    }

    /// The built-in role without a tier named `name`.
    fn built_in(name: &str) -> Option<Role> {
        Role::BUILT_IN.into_iter().find(|r| r.as_str() == name)
    }

    /// Whether holding `self` satisfies a requirement for `needed`.
    ///
    /// Roles match exactly, except that an officer of a tier satisfies a
    /// requirement for an officer of any lower tier.
    pub fn satisfies(self, needed: Role) -> bool {
        match (self, needed) {
            (Role::Officer(held), Role::Officer(wanted)) => held >= wanted,
            (held, wanted) => held == wanted,
        }
    }
}

impl FromStr for Role {
    type Err = VocabularyError;

    /// `grid_worker`, `officer(community)`, or a custom role's name.
    ///
    /// # Errors
    ///
    /// [`VocabularyError`] when the text is no built-in role, no
    /// `officer(<tier>)` with a known tier, and no valid custom name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(role) = Role::built_in(s) {
            return Ok(role);
        }
        if let Some(tier) = s
            .strip_prefix("officer(")
            .and_then(|rest| rest.strip_suffix(')'))
            .and_then(|tier| tier.parse::<Tier>().ok())
        {
            return Ok(Role::Officer(tier));
        }
        Name::new(s)
            .map(Role::Custom)
            .map_err(|reason| VocabularyError::new(Vocabulary::Role, s, reason))
    }
}

impl From<Name> for Role {
    fn from(name: Name) -> Self {
        Role::Custom(name)
    }
}

impl Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Role::Officer(tier) => {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("officer", tier)?;
                map.end()
            }
            other => serializer.serialize_str(other.as_str()),
        }
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RoleVisitor)
    }
}

/// Reads a role's name, or `{"officer": tier}`.
struct RoleVisitor;

impl<'de> serde::de::Visitor<'de> for RoleVisitor {
    type Value = Role;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a role name or {\"officer\": tier}")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Role, E> {
        match Role::built_in(v) {
            Some(role) => Ok(role),
            None => Name::new(v)
                .map(Role::Custom)
                .map_err(|reason| E::custom(VocabularyError::new(Vocabulary::Role, v, reason))),
        }
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Role, A::Error> {
        use serde::de::Error;
        let key: String = map
            .next_key()?
            .ok_or_else(|| A::Error::invalid_length(0, &self))?;
        if key != "officer" {
            return Err(A::Error::unknown_variant(&key, &["officer"]));
        }
        let tier: Tier = map.next_value()?;
        if map.next_key::<serde::de::IgnoredAny>()?.is_some() {
            return Err(A::Error::invalid_length(2, &self));
        }
        Ok(Role::Officer(tier))
    }
}

/// A command was refused because the actor lacks the role it needs.
///
/// Names who was refused, what they tried and which role would have allowed
/// it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("actor {actor} may not {action}: it needs the role {needed}")]
pub struct Forbidden {
    /// The actor that was refused.
    pub actor: ActorId,
    /// What the actor tried to do (usually the command's name).
    pub action: String,
    /// The role that was needed.
    pub needed: Role,
}

/// Someone (or something) acting on a case.
///
/// Built by the embedding program after its own authentication; the library
/// only checks roles.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    id: ActorId,
    roles: SmallVec<[Role; 2]>,
    org: Option<OrgId>,
}

impl Actor {
    /// An actor with no roles yet.
    pub fn new(id: ActorId) -> Self {
        Self {
            id,
            roles: SmallVec::new(),
            org: None,
        }
    }

    /// The system actor that sends timer commands, with id `system` and the
    /// role [`Role::System`].
    pub fn system() -> Self {
        Self::new(const { ActorId::from_static("system") }).with_role(Role::System)
    }

    /// Adds a role (adding one the actor already holds changes nothing).
    #[must_use]
    pub fn with_role(mut self, role: Role) -> Self {
        if !self.roles.contains(&role) {
            self.roles.push(role);
        }
        self
    }

    /// Says which organisation the actor acts for (a clerk's service centre,
    /// an officer's community).
    #[must_use]
    pub fn acting_for(mut self, org: OrgId) -> Self {
        self.org = Some(org);
        self
    }

    /// The actor's id.
    pub fn id(&self) -> &ActorId {
        &self.id
    }

    /// The roles the actor holds.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// The organisation the actor acts for, if any.
    pub fn org(&self) -> Option<&OrgId> {
        self.org.as_ref()
    }

    /// Whether the actor acts for `org`.
    pub fn acts_for(&self, org: &OrgId) -> bool {
        self.org.as_ref() == Some(org)
    }

    /// Whether any role the actor holds satisfies `needed` (see
    /// [`Role::satisfies`]).
    pub fn has_role(&self, needed: Role) -> bool {
        self.roles.iter().any(|held| held.satisfies(needed))
    }

    /// The highest tier the actor is an officer of, if any.
    pub fn officer_tier(&self) -> Option<Tier> {
        self.roles
            .iter()
            .filter_map(|r| match r {
                Role::Officer(t) => Some(*t),
                _ => None,
            })
            .max()
    }

    /// Checks that the actor may do `action`, which needs the role `needed`.
    ///
    /// # Errors
    ///
    /// [`Forbidden`] naming the actor, the action and the role that was
    /// needed, when no role the actor holds satisfies `needed`.
    pub fn require(&self, action: &str, needed: Role) -> Result<(), Forbidden> {
        if self.has_role(needed) {
            Ok(())
        } else {
            Err(self.forbidden(action, needed))
        }
    }

    /// Checks that the actor holds at least one of `roles`.
    ///
    /// # Errors
    ///
    /// [`Forbidden`] naming the first of `roles` when the actor holds none of
    /// them.
    pub fn require_any(&self, action: &str, roles: &[Role]) -> Result<(), Forbidden> {
        match roles.iter().find(|r| self.has_role(**r)) {
            Some(_) => Ok(()),
            None => Err(self.forbidden(action, roles.first().copied().unwrap_or(Role::System))),
        }
    }

    /// The refusal for this actor trying `action` without the role `needed`,
    /// for rules that are more than a role check (an officer of the wrong
    /// body, a party who is not a party to *this* case).
    pub fn forbidden(&self, action: &str, needed: Role) -> Forbidden {
        Forbidden {
            actor: self.id.clone(),
            action: action.to_owned(),
            needed,
        }
    }
}

impl fmt::Display for Actor {
    /// The id, the roles and the body it acts for:
    /// `clerk-li (hall clerk) for huanan-hall`, `stranger`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.id)?;
        for (i, role) in self.roles.iter().enumerate() {
            f.write_str(if i == 0 { " (" } else { ", " })?;
            write!(f, "{role}")?;
        }
        if !self.roles.is_empty() {
            f.write_str(")")?;
        }
        if let Some(org) = &self.org {
            write!(f, " for {org}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_actor_reads_as_id_roles_and_body() {
        let stranger = Actor::new(ActorId::from_static("stranger"));
        assert_eq!(stranger.to_string(), "stranger");
        let clerk = Actor::new(ActorId::from_static("clerk-li"))
            .with_role(Role::HallClerk)
            .with_role(Role::Party)
            .acting_for(OrgId::from_static("huanan-hall"));
        assert_eq!(
            clerk.to_string(),
            "clerk-li (service-hall clerk, party) for huanan-hall"
        );
        assert_eq!(Actor::system().to_string(), "system (system)");
    }

    fn actor(id: &str) -> Actor {
        Actor::new(id.parse().unwrap())
    }

    #[test]
    fn a_missing_role_is_refused_naming_actor_action_and_role() {
        let err = actor("zhang")
            .with_role(Role::Party)
            .require("assign mediators", Role::Mediator)
            .unwrap_err();
        assert_eq!(err.actor.as_str(), "zhang");
        assert_eq!(err.action, "assign mediators");
        assert_eq!(err.needed, Role::Mediator);
    }

    #[test]
    fn a_higher_officer_holds_the_authority_of_lower_tiers() {
        let officer = actor("chen").with_role(Role::Officer(Tier::Subdistrict));
        assert!(officer.has_role(Role::Officer(Tier::Community)));
        assert!(officer.has_role(Role::Officer(Tier::Subdistrict)));
        assert!(!officer.has_role(Role::Officer(Tier::District)));
        assert!(!officer.has_role(Role::Supervisor));
        assert_eq!(officer.officer_tier(), Some(Tier::Subdistrict));
    }

    #[test]
    fn require_any_accepts_one_of_several_roles() {
        let clerk = actor("li").with_role(Role::AgentClerk);
        assert!(
            clerk
                .require_any("forward", &[Role::HallClerk, Role::AgentClerk])
                .is_ok()
        );
        assert_eq!(
            clerk
                .require_any("rate", &[Role::Party])
                .unwrap_err()
                .needed,
            Role::Party
        );
    }

    #[test]
    fn a_custom_role_satisfies_only_itself() {
        let member = Role::Custom(Name::new("owners_committee_member").unwrap());
        let steward = Role::Custom(Name::new("building_steward").unwrap());
        let gao = actor("gao").with_role(member);
        assert!(gao.has_role(member));
        assert!(!gao.has_role(steward));
        assert!(!gao.has_role(Role::Party));
        assert!(!gao.has_role(Role::Officer(Tier::Grid)));
        let officer = actor("chen").with_role(Role::Officer(Tier::District));
        assert!(!officer.has_role(member));
        let err = actor("wu").require("call a meeting", member).unwrap_err();
        assert_eq!(
            err.to_string(),
            "actor wu may not call a meeting: it needs the role owners_committee_member"
        );
    }

    #[test]
    fn built_in_roles_keep_their_json() {
        let roles = [
            Role::Party,
            Role::GridWorker,
            Role::HallClerk,
            Role::Officer(Tier::Community),
            Role::System,
        ];
        let json = serde_json::to_string(&roles).unwrap();
        assert_eq!(
            json,
            r#"["party","grid_worker","hall_clerk",{"officer":"community"},"system"]"#
        );
        assert_eq!(serde_json::from_str::<Vec<Role>>(&json).unwrap(), roles);
        for role in Role::BUILT_IN {
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), role);
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        for tier in Tier::ALL {
            let role = Role::Officer(tier);
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), role);
            assert_eq!(format!("officer({tier})").parse::<Role>().unwrap(), role);
        }
    }

    #[test]
    fn a_custom_role_round_trips_and_malformed_roles_are_refused() {
        let member = Role::Custom(Name::new("owners_committee_member").unwrap());
        let json = serde_json::to_string(&member).unwrap();
        assert_eq!(json, "\"owners_committee_member\"");
        assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), member);
        assert_eq!("owners_committee_member".parse::<Role>().unwrap(), member);

        let err = "Grid Worker".parse::<Role>().unwrap_err();
        assert_eq!(err.vocabulary, Vocabulary::Role);
        assert_eq!(
            err.reason,
            crate::vocabulary::NameError::Character { found: 'G', at: 0 }
        );
        // An officer of an unknown tier is not silently a custom role.
        assert!("officer(galaxy)".parse::<Role>().is_err());
        let err = serde_json::from_str::<Role>("\"grid worker\"").unwrap_err();
        assert!(err.to_string().contains("is not a valid role"), "{err}");
        assert!(serde_json::from_str::<Role>(r#"{"officer":"galaxy"}"#).is_err());
        assert!(serde_json::from_str::<Role>(r#"{"mediator":"grid"}"#).is_err());
        assert!(
            serde_json::from_str::<Role>(r#"{"officer":"grid","officer":"community"}"#).is_err()
        );
        assert!(serde_json::from_str::<Role>("12").is_err());
    }

    #[test]
    fn the_system_actor_holds_the_system_role() {
        let system = Actor::system();
        assert!(system.has_role(Role::System));
        assert_eq!(system.id().as_str(), "system");
        assert_eq!(system.clone().with_role(Role::System).roles().len(), 1);
    }
}
