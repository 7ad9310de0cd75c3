//! Routing: which body handles a need for a location, and why.

use std::fmt;

use chrono::NaiveDate;
use petgraph::stable_graph::NodeIndex;
use serde::{Deserialize, Serialize};

use crate::id::OrgId;
use crate::tier::Tier;

use super::OrgGraph;
use super::error::OrgGraphError;
use super::graph::Hot;
use super::kind::{Capability, Need};

/// What routing looks for: a capability mask, confirmed on the capability
/// list when the need is custom (custom needs share one bit per family).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wanted<'a> {
    mask: u32,
    exact: Option<&'a Capability>,
}

impl<'a> Wanted<'a> {
    /// Exactly `need`.
    pub(crate) fn need(need: &'a Need) -> Self {
        Wanted {
            mask: need.bit(),
            exact: if need.is_custom() { Some(need) } else { None },
        }
    }

    /// Any mediation capability, built-in or custom.
    pub(crate) const ANY_MEDIATION: Wanted<'static> = Wanted {
        mask: Capability::MEDIATION_MASK,
        exact: None,
    };

    /// Whether the body `n` with the capability mask `caps` meets it: the
    /// mask alone for a built-in need, the body's capability list read
    /// only for a custom one.
    fn is_met_by(self, graph: &OrgGraph, n: NodeIndex, caps: u32) -> bool {
        caps & self.mask != 0
            && self
                .exact
                .is_none_or(|c| graph.graph[n].org.capabilities.binary_search(c).is_ok())
    }
}

/// The body that handles a need for a location, the area it handles it for
/// and why it was chosen. Returned by [`OrgGraph::route`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Route {
    /// The body that handles the need.
    pub handler: OrgId,
    /// The tier the need is handled at.
    pub tier: Tier,
    /// The territorial body at that tier that contains the location.
    pub area: OrgId,
    /// Why this body was chosen.
    pub reason: RouteReason,
}

/// Why [`Route::handler`] was chosen, in the order routing tries them.
///
/// A pairing (结对共建) is never a reason: it is party building, not
/// jurisdiction. A body a pairing brought in routes through the
/// [`Serves`](super::Relation::Serves) link it was given, whose recorded
/// [`LinkOrigin`](super::LinkOrigin) says why it exists.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RouteReason {
    /// The area itself has the capability.
    Itself,
    /// The handler [`Serves`](super::Relation::Serves) the area.
    Serves {
        /// The area served.
        area: OrgId,
    },
}

impl fmt::Display for Route {
    /// `hehua-med at community tier for hehua (serves hehua)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at {} tier for {} ({})",
            self.handler, self.tier, self.area, self.reason
        )
    }
}

impl fmt::Display for RouteReason {
    /// `the area itself`, `serves hehua`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteReason::Itself => f.write_str("the area itself"),
            RouteReason::Serves { area } => write!(f, "serves {area}"),
        }
    }
}

/// How a handler was found, with node indices (no allocation).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Found {
    Itself,
    Serves,
}

impl OrgGraph {
    /// The body that handles `need` for `location` at `tier` on `date`.
    ///
    /// Routing first finds the *area*: the territorial body at `tier` that
    /// is the location or one of its ancestors. Then, in this order:
    ///
    /// 1. the area itself, if it has the capability ([`RouteReason::Itself`]);
    /// 2. else a body that [`Serves`](super::Relation::Serves) the area on
    ///    that date with the capability ([`RouteReason::Serves`]).
    ///
    /// Nothing else: a body [`PairedWith`](super::Relation::PairedWith) the
    /// area is never routed to for being paired. Co-construction pairing
    /// (结对共建) links party organisations; it is party building, not
    /// jurisdiction. Where a pairing brought a body in (Hehua community's
    /// commercial mediation studio), the body serves the area through a
    /// service link that records the pairing as its origin
    /// ([`OrgGraph::try_add_link`], [`LinkOrigin`](super::LinkOrigin)).
    ///
    /// Only mediation organisations hold mediation capabilities (the graph
    /// refuses the rest at insert), so a dispute is only ever routed to one;
    /// [`OrgGraph::mediation_organisation`] says which kind.
    ///
    /// Ties are broken by the smallest handler id, so the answer does not
    /// depend on insertion order. The walk reads a small row per node up the
    /// parent chain and the area's service links, kept sorted by the serving
    /// body's id as they are added (the first match is the answer), and
    /// allocates nothing but the returned ids.
    ///
    /// # Errors
    ///
    /// - [`OrgGraphError::UnknownOrg`] if the location is not in the graph;
    /// - [`OrgGraphError::NotTerritorial`] if it has no tier;
    /// - [`OrgGraphError::NoAncestorAt`] if no body at `tier` contains it;
    /// - [`OrgGraphError::NoHandler`] if no body handles the need there.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use grassroots::id::OrgId;
    /// use grassroots::matter::DisputeKind;
    /// use grassroots::org::{
    ///     Capability, Need, Org, OrgGraph, OrgGraphError, OrgKind, Relation, RouteReason, Validity,
    /// };
    /// use grassroots::tier::Tier;
    ///
    /// let mut graph = OrgGraph::new();
    /// let (hehua, grid, studio) = (OrgId::new("hehua")?, OrgId::new("grid-1")?, OrgId::new("studio")?);
    /// graph.try_add_org(Org::new(hehua.clone(), "Hehua community", OrgKind::Community))?;
    /// graph.try_add_org(Org::new(grid.clone(), "Grid 1", OrgKind::Grid))?;
    /// graph.try_add_org(
    ///     Org::new(studio.clone(), "Commercial mediation studio", OrgKind::CommercialMediationStudio)
    ///         .with_capability(Capability::Mediation(DisputeKind::Commercial)),
    /// )?;
    /// let since = Validity::since(NaiveDate::from_ymd_opt(2024, 5, 1).unwrap());
    /// graph.try_link(&grid, Relation::PartOf, &hehua)?;
    /// graph.try_link(&studio, Relation::PairedWith(since), &hehua)?;
    ///
    /// // Paired, but not serving: the studio is not routed to.
    /// let day = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
    /// let commercial = Need::Mediation(DisputeKind::Commercial);
    /// assert!(matches!(
    ///     graph.route(&grid, Tier::Community, &commercial, day),
    ///     Err(OrgGraphError::NoHandler { .. })
    /// ));
    /// // Serving, it is.
    /// graph.try_link(&studio, Relation::Serves(since), &hehua)?;
    /// let route = graph.route(&grid, Tier::Community, &commercial, day)?;
    /// assert_eq!(route.handler, studio);
    /// assert_eq!(route.reason, RouteReason::Serves { area: hehua });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn route(
        &self,
        location: &OrgId,
        tier: Tier,
        need: &Need,
        date: NaiveDate,
    ) -> Result<Route, OrgGraphError> {
        let n = self.node(location)?;
        let area = self.area_at(n, tier)?;
        match self.find_handler(area, Wanted::need(need), date) {
            Some((handler, found)) => Ok(self.make_route(handler, area, found)),
            None => Err(OrgGraphError::NoHandler {
                location: location.clone(),
                tier,
                need: *need,
            }),
        }
    }

    /// Who handles `need` for `location` at each tier, from the location's
    /// own tier up to the top of its chain of ancestors.
    ///
    /// Tiers where the chain has no body (a grid directly part of a
    /// community has no estate) and tiers where no body handles the need are
    /// *skipped*: the path lists only the tiers where the need can go, lowest
    /// first, each [`Route`] naming its tier. An empty path means nobody
    /// above the location handles it.
    ///
    /// # Errors
    ///
    /// [`OrgGraphError::UnknownOrg`] if the location is not in the graph and
    /// [`OrgGraphError::NotTerritorial`] if it has no tier.
    pub fn escalation_path(
        &self,
        location: &OrgId,
        need: &Need,
        date: NaiveDate,
    ) -> Result<Vec<Route>, OrgGraphError> {
        let n = self.node(location)?;
        if self.hot[n.index()].tier.is_none() {
            return Err(self.not_territorial(n));
        }
        let mut path = Vec::new();
        let mut at = Some(n);
        while let Some(area) = at {
            if let Some((handler, found)) = self.find_handler(area, Wanted::need(need), date) {
                path.push(self.make_route(handler, area, found));
            }
            at = self.hot[area.index()].parent;
        }
        Ok(path)
    }

    fn make_route(&self, handler: NodeIndex, area: NodeIndex, found: Found) -> Route {
        let area_id = self.id_of(area).clone();
        let reason = match found {
            Found::Itself => RouteReason::Itself,
            Found::Serves => RouteReason::Serves {
                area: area_id.clone(),
            },
        };
        Route {
            handler: self.id_of(handler).clone(),
            tier: self.hot[area.index()]
                .tier
                .expect("routing areas are territorial"),
            area: area_id,
            reason,
        }
    }

    /// The handler of what is `wanted` for `area` on `date`.
    pub(crate) fn find_handler(
        &self,
        area: NodeIndex,
        wanted: Wanted<'_>,
        date: NaiveDate,
    ) -> Option<(NodeIndex, Found)> {
        let hot: &Hot = &self.hot[area.index()];
        if wanted.is_met_by(self, area, hot.caps) {
            return Some((area, Found::Itself));
        }
        // Sorted by id: the first body in force with the capability is the
        // smallest. The copied mask rules most bodies out before their node
        // is read, and a built-in need never reads it.
        hot.served_by
            .iter()
            .find(|l| {
                l.other_caps & wanted.mask != 0
                    && l.validity.is_in_force(date)
                    && wanted.is_met_by(self, l.other, l.other_caps)
            })
            .map(|l| (l.other, Found::Serves))
    }
}
