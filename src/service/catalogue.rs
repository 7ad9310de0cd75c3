//! The service hall's [`Catalogue`]: the items it accepts (受理) — to handle
//! itself or to forward to the competent department — what each requires,
//! its statutory and promised time limits, and the typed intake attributes
//! it asks for.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use super::error::{CatalogueError, ServiceRequestError};
use crate::calendar::TimeLimit;
use crate::id::{IdError, MaterialId, OrgId, ServiceCode};
use crate::matter::ServiceCategory;

/// What the hall does with an item once it has accepted it (受理: formally
/// taken in the application). Accepting is the same in both modes; the
/// mode says who handles the item afterwards.
///
/// Acting *for the applicant* (代办) is not a mode: it is how a request is
/// submitted (see [`ServiceRequestCommand::SubmitForApplicant`](super::ServiceRequestCommand::SubmitForApplicant)).
///
/// Renamed in 0.x: `Accept` is [`Mode::Handle`] and `Agent` is
/// [`Mode::Forward`]; the old serde names `accept` and `agent` are still
/// read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The hall accepts the item and handles it itself: its handling body
    /// is the hall.
    #[serde(alias = "accept")]
    Handle,
    /// The hall accepts the item and forwards it to the competent
    /// department (转办), which signs for it and handles it.
    #[serde(alias = "agent")]
    Forward,
}

impl Mode {
    /// `"handle"` or `"forward"`, as in serde.
    pub const fn as_str(self) -> &'static str {
        match self {
            Mode::Handle => "handle",
            Mode::Forward => "forward",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a material may be pending at acceptance (容缺受理).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Materiality {
    /// The item cannot be accepted without it.
    #[default]
    Essential,
    /// Non-essential: the item may be accepted without it on the
    /// applicant's written promise to supply it by a date.
    NonEssential,
}

impl Materiality {
    fn is_essential(&self) -> bool {
        *self == Materiality::Essential
    }
}

/// The code of an intake attribute of a service item (`company_name`,
/// `registered_capital`, ...). Validated like the crate's identifiers (see
/// [`crate::id`]): not empty or blank, at most [`MAX_ID_LEN`](crate::id::MAX_ID_LEN) bytes, no
/// control or invisible formatting characters.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "SmolStr")]
pub struct AttributeCode(SmolStr);

/// The identifier rules of [`crate::id`], reported for an attribute code.
fn check_code(s: &str) -> Result<(), IdError> {
    const KIND: &str = "AttributeCode";
    MaterialId::new(s).map(drop).map_err(|e| match e {
        IdError::Empty { .. } => IdError::Empty { kind: KIND },
        IdError::TooLong { len, max, .. } => IdError::TooLong {
            kind: KIND,
            len,
            max,
        },
        IdError::Blank { .. } => IdError::Blank { kind: KIND },
        IdError::ControlCharacter { at, .. } => IdError::ControlCharacter { kind: KIND, at },
    })
}

impl AttributeCode {
    /// Builds the code.
    ///
    /// # Errors
    ///
    /// [`IdError`] for a code the crate's identifier rules refuse.
    pub fn new(s: impl AsRef<str>) -> Result<Self, IdError> {
        let s = s.as_ref();
        check_code(s)?;
        Ok(Self(SmolStr::new(s)))
    }

    /// The code as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AttributeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl fmt::Debug for AttributeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AttributeCode({:?})", self.0.as_str())
    }
}

impl FromStr for AttributeCode {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::new(s)
    }
}

impl TryFrom<SmolStr> for AttributeCode {
    type Error = IdError;
    fn try_from(s: SmolStr) -> Result<Self, IdError> {
        check_code(&s)?;
        Ok(Self(s))
    }
}

impl Serialize for AttributeCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// The type of an intake attribute — the six datatypes of Open311 GeoReport
/// v2 service definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Datatype {
    /// One line of text.
    String,
    /// A finite number.
    Number,
    /// An instant, in RFC 3339.
    #[serde(rename = "datetime")]
    DateTime,
    /// Free text, possibly several lines.
    Text,
    /// One key from the attribute's allowed values.
    #[serde(rename = "singlevaluelist")]
    SingleValueList,
    /// One or more keys from the attribute's allowed values.
    #[serde(rename = "multivaluelist")]
    MultiValueList,
}

impl Datatype {
    /// The GeoReport name: `string`, `number`, `datetime`, `text`,
    /// `singlevaluelist` or `multivaluelist`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Datatype::String => "string",
            Datatype::Number => "number",
            Datatype::DateTime => "datetime",
            Datatype::Text => "text",
            Datatype::SingleValueList => "singlevaluelist",
            Datatype::MultiValueList => "multivaluelist",
        }
    }

    /// Whether values come from a list of allowed values.
    pub const fn is_list(self) -> bool {
        matches!(self, Datatype::SingleValueList | Datatype::MultiValueList)
    }
}

impl fmt::Display for Datatype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether the applicant must give an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// A request without it is refused.
    Required,
    /// It may be left out.
    Optional,
}

/// One allowed value of a list attribute: its key (what is submitted) and
/// its name (what people read).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowedValue {
    /// The key submitted.
    pub key: String,
    /// The name shown.
    pub name: String,
}

impl AllowedValue {
    /// An allowed value.
    pub fn new(key: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
        }
    }
}

/// An intake attribute of a service item: what the applicant fills in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    /// Its code, unique within the item.
    pub code: AttributeCode,
    /// What it asks for, for people.
    pub description: String,
    /// Its type.
    pub datatype: Datatype,
    /// Whether it must be given.
    pub requirement: Requirement,
    /// The allowed values of a list attribute (empty for the others).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<AllowedValue>,
}

impl Attribute {
    /// A required attribute with no allowed values yet.
    pub fn required(
        code: AttributeCode,
        description: impl Into<String>,
        datatype: Datatype,
    ) -> Self {
        Self {
            code,
            description: description.into(),
            datatype,
            requirement: Requirement::Required,
            values: Vec::new(),
        }
    }

    /// An optional attribute with no allowed values yet.
    pub fn optional(
        code: AttributeCode,
        description: impl Into<String>,
        datatype: Datatype,
    ) -> Self {
        Self {
            requirement: Requirement::Optional,
            ..Self::required(code, description, datatype)
        }
    }

    /// The same attribute with one more allowed value.
    #[must_use]
    pub fn with_value(mut self, key: impl Into<String>, name: impl Into<String>) -> Self {
        self.values.push(AllowedValue::new(key, name));
        self
    }

    /// Whether it must be given.
    pub fn is_required(&self) -> bool {
        self.requirement == Requirement::Required
    }

    fn allows(&self, key: &str) -> bool {
        self.values.iter().any(|v| v.key == key)
    }

    /// Checks a submitted value against the attribute's type and allowed
    /// values.
    ///
    /// A [`Datatype::String`] takes a [`AttributeValue::Text`] of one line;
    /// a [`Datatype::Text`] takes any text; a number must be finite; a
    /// multiple choice must name at least one key, each once.
    ///
    /// # Errors
    ///
    /// [`ServiceRequestError::AttributeWrongType`] naming the attribute and
    /// the type it expects, or [`ServiceRequestError::NotAllowedValue`]
    /// naming the attribute and the value.
    pub fn check(&self, value: &AttributeValue) -> Result<(), ServiceRequestError> {
        let wrong_type = || ServiceRequestError::AttributeWrongType {
            code: self.code.clone(),
            expected: self.datatype,
        };
        let not_allowed = |value: &str| ServiceRequestError::NotAllowedValue {
            code: self.code.clone(),
            value: value.to_owned(),
        };
        match (self.datatype, value) {
            (Datatype::String, AttributeValue::Text(s)) if !s.contains(['\n', '\r']) => Ok(()),
            (Datatype::Text, AttributeValue::Text(_)) => Ok(()),
            (Datatype::Number, AttributeValue::Number(n)) if n.is_finite() => Ok(()),
            (Datatype::DateTime, AttributeValue::DateTime(_)) => Ok(()),
            (Datatype::SingleValueList, AttributeValue::Choice(key)) => {
                if self.allows(key) {
                    Ok(())
                } else {
                    Err(not_allowed(key))
                }
            }
            (Datatype::MultiValueList, AttributeValue::Choices(keys)) if !keys.is_empty() => {
                for (i, key) in keys.iter().enumerate() {
                    if !self.allows(key) || keys[..i].contains(key) {
                        return Err(not_allowed(key));
                    }
                }
                Ok(())
            }
            _ => Err(wrong_type()),
        }
    }
}

/// A value the applicant gives for an intake attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum AttributeValue {
    /// Text, for a `string` (one line) or `text` attribute.
    Text(String),
    /// A number, for a `number` attribute.
    Number(f64),
    /// An instant, for a `datetime` attribute.
    DateTime(DateTime<Utc>),
    /// One key, for a `singlevaluelist` attribute.
    Choice(String),
    /// Several keys, for a `multivaluelist` attribute.
    Choices(Vec<String>),
}

/// The attribute values of one request, by code.
pub type Attributes = BTreeMap<AttributeCode, AttributeValue>;

/// A material a service item requires (a business licence, a copy of an
/// identity card, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Material {
    /// Its id, unique within the item.
    pub id: MaterialId,
    /// Its name, for people.
    pub name: String,
    /// Whether the item may be accepted while it is pending (容缺受理).
    #[serde(default, skip_serializing_if = "Materiality::is_essential")]
    pub materiality: Materiality,
}

impl Material {
    /// An essential material.
    pub fn new(id: MaterialId, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            materiality: Materiality::Essential,
        }
    }

    /// A non-essential material: the item may be accepted without it on the
    /// applicant's written promise to supply it by a date.
    pub fn non_essential(id: MaterialId, name: impl Into<String>) -> Self {
        Self {
            materiality: Materiality::NonEssential,
            ..Self::new(id, name)
        }
    }
}

/// One item of the catalogue.
///
/// Build one with [`ServiceItem::new`] and the `with_` methods; it is
/// checked when it joins a [`Catalogue`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceItem {
    /// Its code, unique in the catalogue.
    pub code: ServiceCode,
    /// Its name.
    pub name: String,
    /// What it is, for people (may be empty).
    pub description: String,
    /// Its category: one of the report's nine, or the city's own.
    pub category: ServiceCategory,
    /// Whether the hall handles it itself or forwards it, once accepted.
    pub mode: Mode,
    /// Who handles it: the hall itself in [`Mode::Handle`], the competent
    /// department in [`Mode::Forward`] (an org-graph node).
    pub handling_body: OrgId,
    /// The hall's promised time limit (承诺时限), in working days, counted
    /// from the day after acceptance. Never longer than the statutory one.
    pub working_days: u32,
    /// The statutory time limit (法定时限), in working days: the promised
    /// limit plus every approved extension may not exceed it.
    pub statutory_working_days: u32,
    /// The materials it requires, all of them required.
    pub materials: Vec<Material>,
    /// The intake attributes it asks for, in the order they are shown.
    pub attributes: Vec<Attribute>,
}

impl ServiceItem {
    /// An item without materials or attributes yet, whose statutory limit
    /// is its promised one until [`with_statutory_limit`](Self::with_statutory_limit)
    /// says otherwise.
    pub fn new(
        code: ServiceCode,
        name: impl Into<String>,
        category: ServiceCategory,
        mode: Mode,
        handling_body: OrgId,
        working_days: u32,
    ) -> Self {
        Self {
            code,
            name: name.into(),
            description: String::new(),
            category,
            mode,
            handling_body,
            working_days,
            statutory_working_days: working_days,
            materials: Vec::new(),
            attributes: Vec::new(),
        }
    }

    /// The same item with a statutory time limit of `working_days` (the
    /// promised limit stays; the catalogue refuses a statutory limit
    /// shorter than it).
    #[must_use]
    pub fn with_statutory_limit(mut self, working_days: u32) -> Self {
        self.statutory_working_days = working_days;
        self
    }

    /// The same item with a description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// The same item requiring one more material.
    #[must_use]
    pub fn with_material(mut self, material: Material) -> Self {
        self.materials.push(material);
        self
    }

    /// The same item asking for one more attribute.
    #[must_use]
    pub fn with_attribute(mut self, attribute: Attribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    /// The time limit as a [`TimeLimit`].
    pub fn time_limit(&self) -> TimeLimit {
        TimeLimit::WorkingDays(self.working_days)
    }

    /// The attribute with this code.
    pub fn attribute(&self, code: &AttributeCode) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.code == *code)
    }

    /// Whether the item requires this material.
    pub fn requires(&self, material: &MaterialId) -> bool {
        self.materials.iter().any(|m| m.id == *material)
    }

    /// The materials the item may be accepted without (容缺受理), in
    /// catalogue order.
    pub fn non_essential(&self) -> impl Iterator<Item = &MaterialId> {
        self.materials
            .iter()
            .filter(|m| m.materiality == Materiality::NonEssential)
            .map(|m| &m.id)
    }

    /// Checks a request's attribute values: every required attribute is
    /// given, every value has the right type and an allowed value, and no
    /// unknown attribute is given.
    ///
    /// # Errors
    ///
    /// The first problem found, in the item's attribute order:
    /// [`ServiceRequestError::AttributeMissing`],
    /// [`ServiceRequestError::AttributeWrongType`] or
    /// [`ServiceRequestError::NotAllowedValue`]; then
    /// [`ServiceRequestError::UnknownAttribute`] for a code the item does
    /// not ask for.
    pub fn check_attributes(&self, given: &Attributes) -> Result<(), ServiceRequestError> {
        for attribute in &self.attributes {
            match given.get(&attribute.code) {
                Some(value) => attribute.check(value)?,
                None if attribute.is_required() => {
                    return Err(ServiceRequestError::AttributeMissing {
                        code: attribute.code.clone(),
                    });
                }
                None => {}
            }
        }
        match given.keys().find(|code| self.attribute(code).is_none()) {
            Some(code) => Err(ServiceRequestError::UnknownAttribute { code: code.clone() }),
            None => Ok(()),
        }
    }

    fn check(&self, hall: &OrgId) -> Result<(), CatalogueError> {
        let code = || self.code.clone();
        if self.name.trim().is_empty() {
            return Err(CatalogueError::EmptyName { code: code() });
        }
        if self.working_days == 0 {
            return Err(CatalogueError::LimitNotPositive {
                code: code(),
                working_days: 0,
            });
        }
        if self.statutory_working_days < self.working_days {
            return Err(CatalogueError::PromiseBeyondStatutoryLimit {
                code: code(),
                promised: self.working_days,
                statutory: self.statutory_working_days,
            });
        }
        match self.mode {
            Mode::Handle if self.handling_body != *hall => {
                return Err(CatalogueError::HandledElsewhere {
                    code: code(),
                    body: self.handling_body.clone(),
                    hall: hall.clone(),
                });
            }
            Mode::Forward if self.handling_body == *hall => {
                return Err(CatalogueError::ForwardToItself {
                    code: code(),
                    hall: hall.clone(),
                });
            }
            _ => {}
        }
        for (i, m) in self.materials.iter().enumerate() {
            if self.materials[..i].iter().any(|n| n.id == m.id) {
                return Err(CatalogueError::DuplicateMaterial {
                    code: code(),
                    material: m.id.clone(),
                });
            }
        }
        for (i, a) in self.attributes.iter().enumerate() {
            if self.attributes[..i].iter().any(|b| b.code == a.code) {
                return Err(CatalogueError::DuplicateAttribute {
                    code: code(),
                    attribute: a.code.clone(),
                });
            }
            match (a.datatype.is_list(), a.values.is_empty()) {
                (true, true) => {
                    return Err(CatalogueError::MissingValues {
                        code: code(),
                        attribute: a.code.clone(),
                        datatype: a.datatype,
                    });
                }
                (false, false) => {
                    return Err(CatalogueError::UnexpectedValues {
                        code: code(),
                        attribute: a.code.clone(),
                        datatype: a.datatype,
                    });
                }
                _ => {}
            }
            for (j, v) in a.values.iter().enumerate() {
                if a.values[..j].iter().any(|w| w.key == v.key) {
                    return Err(CatalogueError::DuplicateValue {
                        code: code(),
                        attribute: a.code.clone(),
                        value: v.key.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// The catalogue of one service hall (or branch): the items it accepts,
/// to handle itself or to forward.
///
/// Every item is checked when the catalogue is built — with
/// [`Catalogue::try_new`] or from serde, which goes through the same
/// checks and names the offending entry:
///
/// - codes are valid and unique;
/// - categories are the nine [`ServiceCategory`] names of the report or
///   valid custom names (a city's own category, such as
///   `renovation_filing`);
/// - time limits are a positive number of working days, and the promised
///   limit is no longer than the statutory one;
/// - names are not blank; materials and attribute codes are unique within
///   an item; list attributes have allowed values (unique keys) and other
///   attributes none;
/// - an item the hall handles itself names the hall as its handling body;
///   an item the hall forwards names another body (the competent
///   department).
///
/// ```
/// use grassroots::matter::ServiceCategory;
/// use grassroots::service::{Catalogue, CatalogueError, Mode, ServiceItem};
///
/// let hall = "huanan-hall".parse()?;
/// let item = ServiceItem::new(
///     "TX-001".parse()?,
///     "Apply for invoices",
///     ServiceCategory::TaxAndInvoicing,
///     Mode::Handle,
///     "huanan-hall".parse()?,
///     1,
/// );
/// let catalogue = Catalogue::try_new(hall, "huanan-city".parse()?, [item.clone()])?;
/// assert_eq!(catalogue.item("TX-001").map(|i| i.working_days), Some(1));
///
/// let twice = Catalogue::try_new("huanan-hall".parse()?, "huanan-city".parse()?, [item.clone(), item]);
/// assert!(matches!(twice, Err(CatalogueError::DuplicateCode { .. })));
///
/// let own = r#"{"hall": "huanan-hall", "area": "huanan-city", "items": [
///     {"code": "X-1", "name": "Something", "category": "renovation_filing", "mode": "handle",
///      "handling_body": "huanan-hall", "working_days": 3}]}"#;
/// let catalogue = serde_json::from_str::<Catalogue>(own)?;
/// let renovation = ServiceCategory::from_static("renovation_filing");
/// assert_eq!(catalogue.in_category(renovation).count(), 1);
///
/// let bad = own.replace("renovation_filing", "Taxes & fees");
/// let err = serde_json::from_str::<Catalogue>(&bad).unwrap_err();
/// assert!(err.to_string().starts_with("item X-1: \"Taxes & fees\" is not a valid service category"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CatalogueData", into = "CatalogueData")]
pub struct Catalogue {
    hall: OrgId,
    area: OrgId,
    items: Vec<ServiceItem>,
    index: BTreeMap<ServiceCode, usize>,
}

impl Catalogue {
    /// The catalogue of the hall `hall`, which serves the territorial body
    /// `area`, holding `items` in the order given.
    ///
    /// # Errors
    ///
    /// The first [`CatalogueError`] found, naming the item.
    pub fn try_new(
        hall: OrgId,
        area: OrgId,
        items: impl IntoIterator<Item = ServiceItem>,
    ) -> Result<Self, CatalogueError> {
        let mut catalogue = Catalogue {
            hall,
            area,
            items: Vec::new(),
            index: BTreeMap::new(),
        };
        for item in items {
            item.check(&catalogue.hall)?;
            if catalogue.index.contains_key(&item.code) {
                return Err(CatalogueError::DuplicateCode { code: item.code });
            }
            catalogue
                .index
                .insert(item.code.clone(), catalogue.items.len());
            catalogue.items.push(item);
        }
        Ok(catalogue)
    }

    /// The hall (or branch) that publishes the catalogue and takes requests.
    pub fn hall(&self) -> &OrgId {
        &self.hall
    }

    /// The territorial body the hall serves: where its requests are
    /// supervised on the escalation ladder.
    pub fn area(&self) -> &OrgId {
        &self.area
    }

    /// Every item, in catalogue order.
    pub fn items(&self) -> &[ServiceItem] {
        &self.items
    }

    /// The item with this code (the code or its text: `catalogue.item("TX-001")`).
    pub fn item<Q>(&self, code: &Q) -> Option<&ServiceItem>
    where
        ServiceCode: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.index.get(code).map(|&i| &self.items[i])
    }

    /// The items of one category, in catalogue order.
    pub fn in_category(&self, category: ServiceCategory) -> impl Iterator<Item = &ServiceItem> {
        self.items.iter().filter(move |i| i.category == category)
    }

    /// The number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the catalogue holds no item.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// The serialised form of a catalogue: codes and categories as plain text,
/// limits as signed numbers, so each can be refused naming its entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueData {
    hall: OrgId,
    area: OrgId,
    items: Vec<ItemData>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemData {
    code: String,
    name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    description: String,
    category: String,
    mode: Mode,
    handling_body: OrgId,
    working_days: i64,
    /// The promised limit when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    statutory_working_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    materials: Vec<Material>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    attributes: Vec<Attribute>,
}

impl TryFrom<CatalogueData> for Catalogue {
    type Error = CatalogueError;
    fn try_from(data: CatalogueData) -> Result<Self, CatalogueError> {
        let mut items = Vec::with_capacity(data.items.len());
        for (index, item) in data.items.into_iter().enumerate() {
            let code = ServiceCode::new(&item.code)
                .map_err(|source| CatalogueError::InvalidCode { index, source })?;
            let category = item.category.parse::<ServiceCategory>().map_err(|e| {
                CatalogueError::InvalidCategory {
                    code: code.clone(),
                    category: item.category.clone(),
                    reason: e.reason,
                }
            })?;
            let working_days = u32::try_from(item.working_days)
                .ok()
                .filter(|d| *d > 0)
                .ok_or(CatalogueError::LimitNotPositive {
                    code: code.clone(),
                    working_days: item.working_days,
                })?;
            let statutory = item.statutory_working_days.unwrap_or(item.working_days);
            let statutory_working_days = u32::try_from(statutory).ok().filter(|d| *d > 0).ok_or(
                CatalogueError::LimitNotPositive {
                    code: code.clone(),
                    working_days: statutory,
                },
            )?;
            items.push(ServiceItem {
                code,
                name: item.name,
                description: item.description,
                category,
                mode: item.mode,
                handling_body: item.handling_body,
                working_days,
                statutory_working_days,
                materials: item.materials,
                attributes: item.attributes,
            });
        }
        Catalogue::try_new(data.hall, data.area, items)
    }
}

impl From<Catalogue> for CatalogueData {
    fn from(c: Catalogue) -> Self {
        CatalogueData {
            hall: c.hall,
            area: c.area,
            items: c
                .items
                .into_iter()
                .map(|i| ItemData {
                    code: i.code.as_str().to_owned(),
                    name: i.name,
                    description: i.description,
                    category: i.category.as_str().to_owned(),
                    mode: i.mode,
                    handling_body: i.handling_body,
                    working_days: i64::from(i.working_days),
                    statutory_working_days: (i.statutory_working_days != i.working_days)
                        .then_some(i64::from(i.statutory_working_days)),
                    materials: i.materials,
                    attributes: i.attributes,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> AttributeCode {
        s.parse().unwrap()
    }

    #[test]
    fn attribute_values_are_checked_against_type_and_allowed_values() {
        let kind = Attribute::required(code("kind"), "Kind", Datatype::SingleValueList)
            .with_value("a", "A")
            .with_value("b", "B");
        assert!(kind.check(&AttributeValue::Choice("a".into())).is_ok());
        assert_eq!(
            kind.check(&AttributeValue::Choice("c".into())),
            Err(ServiceRequestError::NotAllowedValue {
                code: code("kind"),
                value: "c".into()
            })
        );
        assert_eq!(
            kind.check(&AttributeValue::Text("a".into())),
            Err(ServiceRequestError::AttributeWrongType {
                code: code("kind"),
                expected: Datatype::SingleValueList
            })
        );
        let many = Attribute::required(code("many"), "Many", Datatype::MultiValueList)
            .with_value("a", "A")
            .with_value("b", "B");
        assert!(
            many.check(&AttributeValue::Choices(vec!["a".into(), "b".into()]))
                .is_ok()
        );
        assert!(many.check(&AttributeValue::Choices(vec![])).is_err());
        assert!(
            many.check(&AttributeValue::Choices(vec!["a".into(), "a".into()]))
                .is_err()
        );
        let name = Attribute::required(code("name"), "Name", Datatype::String);
        assert!(name.check(&AttributeValue::Text("one line".into())).is_ok());
        assert!(
            name.check(&AttributeValue::Text("two\nlines".into()))
                .is_err()
        );
        let text = Attribute::required(code("text"), "Text", Datatype::Text);
        assert!(
            text.check(&AttributeValue::Text("two\nlines".into()))
                .is_ok()
        );
        let number = Attribute::required(code("n"), "N", Datatype::Number);
        assert!(number.check(&AttributeValue::Number(1.5)).is_ok());
        assert!(number.check(&AttributeValue::Number(f64::NAN)).is_err());
        assert!(number.check(&AttributeValue::Text("1.5".into())).is_err());
    }

    #[test]
    fn datatypes_use_their_georeport_names() {
        for (d, name) in [
            (Datatype::String, "string"),
            (Datatype::Number, "number"),
            (Datatype::DateTime, "datetime"),
            (Datatype::Text, "text"),
            (Datatype::SingleValueList, "singlevaluelist"),
            (Datatype::MultiValueList, "multivaluelist"),
        ] {
            assert_eq!(d.as_str(), name);
            assert_eq!(serde_json::to_string(&d).unwrap(), format!("\"{name}\""));
        }
    }
}
