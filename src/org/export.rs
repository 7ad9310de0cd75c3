//! Export and import: Mermaid and DOT diagrams, the plain serde form, and
//! equality as sets.

use std::collections::HashSet;
use std::fmt::Write as _;

use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use super::OrgGraph;
use super::error::{DataEntry, OrgGraphError};
use super::kind::{KindClass, Org};
use super::relation::{Link, Relation};

/// The plain form of an [`OrgGraph`]: a list of organisations and a list of
/// links, as it appears in JSON:
///
/// ```json
/// { "orgs": [{ "id": "hehua", "name": "Hehua community", "kind": "community" }],
///   "relations": [{ "from": "grid-1", "to": "hehua", "relation": "part_of" }] }
/// ```
///
/// Turning it into a graph ([`TryFrom`]) inserts every organisation, then
/// every link (those recording an origin last, so the pairing they name is
/// in), through the checking inserts; the first refused entry is
/// reported as [`OrgGraphError::InvalidEntry`] with its index and ids.
/// Deserialising an [`OrgGraph`] goes through the same path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgGraphData {
    /// The organisations.
    #[serde(default)]
    pub orgs: Vec<Org>,
    /// The links between them.
    #[serde(default)]
    pub relations: Vec<Link>,
}

impl TryFrom<OrgGraphData> for OrgGraph {
    type Error = OrgGraphError;

    /// # Errors
    ///
    /// [`OrgGraphError::InvalidEntry`] naming the first entry refused (a
    /// duplicate id, a dangling id, a cycle, a part-of pointing downward,
    /// ...) and why.
    fn try_from(data: OrgGraphData) -> Result<Self, Self::Error> {
        let mut graph = OrgGraph::with_capacity(data.orgs.len(), data.relations.len());
        for (index, org) in data.orgs.into_iter().enumerate() {
            let id = org.id.clone();
            graph
                .insert_org(org)
                .map_err(|source| OrgGraphError::InvalidEntry {
                    entry: DataEntry::Org { index, id },
                    source: Box::new(source),
                })?;
        }
        // Links with an origin go in last, so the pairing they name is in
        // whatever the order of the list.
        let (later, first): (Vec<_>, Vec<_>) = data
            .relations
            .into_iter()
            .enumerate()
            .partition(|(_, link)| link.origin.is_some());
        for (index, link) in first.into_iter().chain(later) {
            let (from, to) = (link.from.clone(), link.to.clone());
            graph
                .try_add_link(link)
                .map_err(|source| OrgGraphError::InvalidEntry {
                    entry: DataEntry::Relation { index, from, to },
                    source: Box::new(source),
                })?;
        }
        Ok(graph)
    }
}

impl From<&OrgGraph> for OrgGraphData {
    fn from(graph: &OrgGraph) -> Self {
        graph.to_data()
    }
}

impl Serialize for OrgGraph {
    /// Serialises as [`OrgGraphData`] (organisations and links in insertion
    /// order), without copying the graph.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Orgs<'a>(&'a OrgGraph);
        impl Serialize for Orgs<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.orgs())
            }
        }
        struct Links<'a>(&'a OrgGraph);
        impl Serialize for Links<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.links())
            }
        }
        let mut s = serializer.serialize_struct("OrgGraphData", 2)?;
        s.serialize_field("orgs", &Orgs(self))?;
        s.serialize_field("relations", &Links(self))?;
        s.end()
    }
}

impl PartialEq for OrgGraph {
    fn eq(&self, other: &Self) -> bool {
        if self.len() != other.len() || self.link_count() != other.link_count() {
            return false;
        }
        if !self.orgs().all(|o| other.org(&o.id) == Some(o)) {
            return false;
        }
        // Links are never duplicated, so equal counts and inclusion mean
        // equal sets.
        let theirs: HashSet<Link> = other.links().map(Link::canonical).collect();
        self.links().all(|l| theirs.contains(&l.canonical()))
    }
}

impl Eq for OrgGraph {}

/// How a node is drawn: (Mermaid class, Mermaid shape open/close, DOT shape,
/// DOT fill colour).
fn node_style(
    class: KindClass,
) -> (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
) {
    match class {
        KindClass::Territorial(_) => ("territorial", "[", "]", "box", "#dbe8fb"),
        KindClass::Party => ("party", "([", "])", "box", "#fbdcdc"),
        KindClass::Body => ("body", "[[", "]]", "component", "#ddf3de"),
        KindClass::Person => ("person", "((", "))", "ellipse", "#eeeeee"),
    }
}

/// How an edge is drawn: (Mermaid arrow with a `{}` for the label, DOT
/// attributes).
fn edge_style(relation: &Relation) -> (&'static str, &'static str) {
    match relation {
        Relation::PartOf => ("-->", "color=\"#34495e\""),
        Relation::Leads => ("-.->", "style=dashed, color=\"#c0392b\""),
        Relation::Serves(_) => ("==>", "penwidth=2, color=\"#27ae60\""),
        Relation::PairedWith(_) => ("<-->", "dir=both, style=dotted, color=\"#8e44ad\""),
        Relation::MemberOf(_) => ("-.->", "style=dotted, arrowhead=empty, color=\"#7f8c8d\""),
        Relation::Coordinates(..) => ("<-->", "dir=both, style=dashed, color=\"#d35400\""),
    }
}

fn edge_label(relation: &Relation) -> String {
    let name = match relation {
        Relation::PartOf => return "part of".to_owned(),
        Relation::Leads => return "leads".to_owned(),
        Relation::Serves(_) => "serves".to_owned(),
        Relation::PairedWith(_) => "paired with".to_owned(),
        Relation::MemberOf(_) => "member of".to_owned(),
        Relation::Coordinates(m, _) => m.as_str().replace('_', " "),
    };
    match relation.validity() {
        Some(v) => format!("{name} {v}"),
        None => name,
    }
}

/// Escapes text for a quoted Mermaid label: quotes and the characters
/// Mermaid or its HTML rendering would read are written as entity codes,
/// line breaks as spaces.
fn mermaid_escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("#34;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#38;"),
            '<' => out.push_str("#60;"),
            '>' => out.push_str("#62;"),
            '`' => out.push_str("#96;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
}

/// Escapes text for a quoted DOT string: backslashes and quotes are
/// escaped, line breaks become `\n`, other control characters spaces.
fn dot_escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
}

impl OrgGraph {
    /// The plain form: every organisation and every link, in insertion
    /// order.
    pub fn to_data(&self) -> OrgGraphData {
        OrgGraphData {
            orgs: self.orgs().cloned().collect(),
            relations: self.links().collect(),
        }
    }

    /// A Mermaid flowchart of the graph, drawn bottom-up so the territorial
    /// tree stands with the district on top. Nodes are styled by class
    /// (territorial, party, body, person) and labelled with name and kind;
    /// edges are styled by relation and labelled with their dates. Names are
    /// escaped, so any text is safe in the output.
    ///
    /// ```
    /// use grassroots::id::OrgId;
    /// use grassroots::org::{Org, OrgGraph, OrgKind, Relation};
    ///
    /// let mut graph = OrgGraph::new();
    /// let (c, e) = (OrgId::new("c")?, OrgId::new("e")?);
    /// graph.try_add_org(Org::new(c.clone(), "Hehua \"禾花\" community", OrgKind::Community))?;
    /// graph.try_add_org(Org::new(e.clone(), "Estate <1>", OrgKind::HousingEstate))?;
    /// graph.try_link(&e, Relation::PartOf, &c)?;
    /// let chart = graph.to_mermaid();
    /// assert!(chart.starts_with("flowchart BT"));
    /// assert!(chart.contains("Hehua #34;禾花#34; community"));
    /// assert!(chart.contains("n1 -->|\"part of\"| n0"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("flowchart BT\n");
        out.push_str("  classDef territorial fill:#dbe8fb,stroke:#34495e\n");
        out.push_str("  classDef party fill:#fbdcdc,stroke:#c0392b\n");
        out.push_str("  classDef body fill:#ddf3de,stroke:#27ae60\n");
        out.push_str("  classDef person fill:#eeeeee,stroke:#7f8c8d\n");
        for n in self.graph.node_indices() {
            let org = &self.graph[n].org;
            let (class, open, close, _, _) = node_style(org.kind.class());
            let _ = write!(out, "  n{}{open}\"", n.index());
            mermaid_escape(&org.name, &mut out);
            out.push_str("<br/><small>");
            mermaid_escape(&org.kind.to_string(), &mut out);
            let _ = writeln!(out, "</small>\"{close}:::{class}");
        }
        for e in self.graph.edge_references() {
            let (arrow, _) = edge_style(e.weight());
            let _ = writeln!(
                out,
                "  n{} {arrow}|\"{}\"| n{}",
                e.source().index(),
                edge_label(e.weight()),
                e.target().index()
            );
        }
        out
    }

    /// A Graphviz DOT digraph of the graph, drawn bottom-up. Nodes are
    /// styled by class and labelled with name, id and kind; edges are styled
    /// by relation (symmetric ones drawn both ways) and labelled with their
    /// dates. Every string is quoted and escaped.
    ///
    /// ```
    /// use grassroots::id::OrgId;
    /// use grassroots::org::{Org, OrgGraph, OrgKind};
    ///
    /// let mut graph = OrgGraph::new();
    /// graph.try_add_org(Org::new(OrgId::new("c")?, "say \"hi\"\\", OrgKind::Community))?;
    /// let dot = graph.to_dot();
    /// assert!(dot.starts_with("digraph org {"));
    /// assert!(dot.contains(r#"say \"hi\"\\"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph org {\n  rankdir=BT;\n  node [style=filled];\n");
        for n in self.graph.node_indices() {
            let org = &self.graph[n].org;
            let (_, _, _, shape, fill) = node_style(org.kind.class());
            let _ = write!(out, "  n{} [label=\"", n.index());
            dot_escape(&org.name, &mut out);
            out.push_str("\\n");
            dot_escape(org.id.as_str(), &mut out);
            out.push_str(" (");
            dot_escape(&org.kind.to_string(), &mut out);
            let _ = writeln!(out, ")\", shape={shape}, fillcolor=\"{fill}\"];");
        }
        for e in self.graph.edge_references() {
            let (_, attrs) = edge_style(e.weight());
            let _ = writeln!(
                out,
                "  n{} -> n{} [label=\"{}\", {attrs}];",
                e.source().index(),
                e.target().index(),
                edge_label(e.weight())
            );
        }
        out.push_str("}\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mermaid_escape_leaves_no_quote_or_angle_bracket() {
        let mut out = String::new();
        mermaid_escape("a\"b<c>d#e&f`g\nh", &mut out);
        assert_eq!(out, "a#34;b#60;c#62;d#35;e#38;f#96;g h");
    }

    #[test]
    fn dot_escape_escapes_quotes_backslashes_and_newlines() {
        let mut out = String::new();
        dot_escape("a\"b\\c\nd\te", &mut out);
        assert_eq!(out, "a\\\"b\\\\c\\nd e");
    }
}
