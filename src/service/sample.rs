//! **Sample data, for examples and tests only**: an illustrative catalogue
//! for the Huanan City branch of the Longgang district administrative
//! service hall, and the small organisation graph around it.
//!
//! The report says the branch accepts (受理) or acts as agent (代办) for 168
//! enterprise service items in 9 categories (business registration,
//! funding support, talent support, ...). Here the branch accepts every
//! item, handling some itself and forwarding the others to a district
//! department; any item may be submitted through its agent clerk on the
//! applicant's written authorisation. The real list is not public in the report, so the
//! 18 items here — two per category — are *made up*: their codes, names,
//! departments, time limits (promised and statutory), materials (and
//! which may be pending at acceptance) and attributes are plausible
//! examples, not the hall's actual terms. Do not use them for anything but
//! examples and tests.
//!
//! The organisation graph is sample data too. It has no kind for a
//! government department, so the competent departments are drawn as
//! [`OrgKind::AdministrativeServiceCentre`] bodies serving the district.
//!
//! ```
//! use grassroots::matter::ServiceCategory;
//! use grassroots::service::{Mode, sample};
//!
//! let catalogue = sample::huanan_city_catalogue();
//! assert_eq!(catalogue.len(), 18);
//! for category in ServiceCategory::ALL {
//!     assert_eq!(catalogue.in_category(category).count(), 2);
//! }
//! assert!(catalogue.items().iter().any(|i| i.mode == Mode::Forward));
//! let service = sample::huanan_city_service();
//! assert_eq!(service.catalogue().hall().as_str(), sample::HALL);
//! ```

use std::str::FromStr;
use std::sync::Arc;

use chrono::NaiveDate;

use super::catalogue::{Attribute, Catalogue, Datatype, Material, Mode, ServiceItem};
use super::decide::{ServiceRequest, supervision_policy};
use crate::calendar::WorkingCalendar;
use crate::escalation::{Ladder, PolicyBook};
use crate::matter::ServiceCategory;
use crate::org::{Capability, Org, OrgGraph, OrgKind, Relation, Validity};
use crate::tier::Tier;

/// The id of the Huanan City branch of the district service hall.
pub const HALL: &str = "huanan-hall";
/// The id of Huanan City itself (华南城园区, the "moon" of the commercial
/// district): an industrial park at the estate tier, the area the branch
/// serves and the catalogue's area.
pub const AREA: &str = "huanan-city";
/// The id of the Huanan City commercial district (华南城商圈): Huanan City
/// with the parks around it, an area at the community tier in Pinghu
/// subdistrict. The report does not put it inside any one community.
pub const DISTRICT: &str = "huanan-district";
/// The id of the sample's district bureau of industry (funding support).
pub const INDUSTRY_BUREAU: &str = "longgang-industry";
/// The id of the sample's district human resources bureau (talent
/// support).
pub const HR_BUREAU: &str = "longgang-hr";
/// The id of the sample's district market regulation bureau (licences,
/// trademarks).
pub const MARKET_BUREAU: &str = "longgang-market";

/// Parses a constant of the sample.
fn id<T: FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse()
        .unwrap_or_else(|e| panic!("sample id {s:?} is valid: {e:?}"))
}

/// The departments of the sample, with the categories they handle.
const DEPARTMENTS: &[(&str, &str, &[ServiceCategory])] = &[
    (
        INDUSTRY_BUREAU,
        "Longgang district bureau of industry and information technology",
        &[ServiceCategory::FundingSupport],
    ),
    (
        HR_BUREAU,
        "Longgang district human resources bureau",
        &[ServiceCategory::TalentSupport],
    ),
    (
        MARKET_BUREAU,
        "Longgang district market regulation bureau",
        &[
            ServiceCategory::PermitsAndLicences,
            ServiceCategory::IntellectualProperty,
        ],
    ),
    (
        "longgang-science",
        "Longgang district science, technology and innovation bureau",
        &[ServiceCategory::IntellectualProperty],
    ),
    (
        "longgang-urban",
        "Longgang district urban management bureau",
        &[ServiceCategory::PermitsAndLicences],
    ),
    (
        "longgang-housing-fund",
        "Housing provident fund centre, Longgang office",
        &[ServiceCategory::SocialInsurance],
    ),
    (
        "ccpit-longgang",
        "Longgang sub-council for the promotion of international trade",
        &[ServiceCategory::TradeAndCustoms],
    ),
    (
        "longgang-notary",
        "Longgang notary office",
        &[ServiceCategory::LegalServices],
    ),
];

/// The sample organisation graph: Shenzhen → Longgang → Pinghu → the Huanan
/// City commercial district → Huanan City itself; the district hall and its
/// Huanan City branch (which handles all nine service categories for Huanan
/// City); and the competent departments, serving the district.
///
/// The report puts the commercial district in Pinghu subdistrict and says
/// nothing of a community it lies in, so it is part of the subdistrict, at
/// the community tier, and Huanan City and the parks around it are part of
/// it.
///
/// # Panics
///
/// Never: the sample is checked by this crate's tests.
pub fn huanan_city_graph() -> OrgGraph {
    let since = Validity::since(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default());
    let mut graph = OrgGraph::new();
    let mut add = |org: Org| {
        graph
            .try_add_org(org)
            .unwrap_or_else(|e| panic!("sample graph: {e}"));
    };
    add(Org::new(id("shenzhen"), "Shenzhen", OrgKind::Municipality));
    add(Org::new(
        id("longgang"),
        "Longgang district",
        OrgKind::District,
    ));
    add(Org::new(
        id("pinghu"),
        "Pinghu subdistrict",
        OrgKind::Subdistrict,
    ));
    add(Org::new(
        id(DISTRICT),
        "Huanan City commercial district",
        OrgKind::CommercialDistrict,
    ));
    add(Org::new(id(AREA), "Huanan City", OrgKind::IndustrialPark));
    add(Org::new(
        id("longgang-hall"),
        "Longgang district administrative service hall",
        OrgKind::AdministrativeServiceCentre,
    )
    .with_capabilities(ServiceCategory::ALL.map(Capability::Service)));
    add(Org::new(
        id(HALL),
        "Huanan City branch of the district administrative service hall",
        OrgKind::AdministrativeServiceCentre,
    )
    .with_capabilities(ServiceCategory::ALL.map(Capability::Service)));
    for (department, name, categories) in DEPARTMENTS {
        add(
            Org::new(id(department), *name, OrgKind::AdministrativeServiceCentre)
                .with_capabilities(categories.iter().map(|c| Capability::Service(*c))),
        );
    }
    let mut link = |from: &str, relation: Relation, to: &str| {
        graph
            .try_link(&id(from), relation, &id(to))
            .unwrap_or_else(|e| panic!("sample graph: {e}"));
    };
    link("longgang", Relation::PartOf, "shenzhen");
    link("pinghu", Relation::PartOf, "longgang");
    link(DISTRICT, Relation::PartOf, "pinghu");
    link(AREA, Relation::PartOf, DISTRICT);
    link("longgang-hall", Relation::Serves(since), "longgang");
    link(HALL, Relation::Serves(since), AREA);
    for (department, _, _) in DEPARTMENTS {
        link(department, Relation::Serves(since), "longgang");
    }
    graph
}

fn material(s: &str, name: &str) -> Material {
    Material::new(id(s), name)
}

fn required(code: &str, description: &str, datatype: Datatype) -> Attribute {
    Attribute::required(id(code), description, datatype)
}

fn optional(code: &str, description: &str, datatype: Datatype) -> Attribute {
    Attribute::optional(id(code), description, datatype)
}

fn yes_no(attribute: Attribute) -> Attribute {
    attribute.with_value("yes", "Yes").with_value("no", "No")
}

fn item(
    code: &str,
    name: &str,
    category: ServiceCategory,
    body: &str,
    working_days: u32,
) -> ServiceItem {
    let mode = if body == HALL {
        Mode::Handle
    } else {
        Mode::Forward
    };
    // Made up: the statutory limit is the promised one plus at least five
    // working days.
    ServiceItem::new(id(code), name, category, mode, id(body), working_days)
        .with_statutory_limit(working_days + working_days.max(5))
}

/// The sample catalogue: 18 made-up items, two in each of the nine
/// categories, some handled by the branch itself and some forwarded to a
/// district department.
///
/// # Panics
///
/// Never: the sample is checked by this crate's tests.
pub fn huanan_city_catalogue() -> Catalogue {
    use Datatype as D;
    use ServiceCategory as C;
    let licence = || material("business-licence", "Business licence");
    let id_card = || material("id-card", "Identity card of the legal representative");
    let bank = || material("bank-account", "Bank account licence");
    let items = [
        item(
            "BR-001",
            "Register a limited liability company",
            C::BusinessRegistration,
            HALL,
            3,
        )
        .with_description("Set up a company and receive its business licence")
        .with_material(material(
            "application-form",
            "Registration application form",
        ))
        .with_material(id_card())
        .with_material(material("articles", "Articles of association"))
        .with_material(Material::non_essential(
            id("premises-proof"),
            "Proof of the business premises",
        ))
        .with_attribute(required("company_name", "Proposed company name", D::String))
        .with_attribute(required(
            "registered_capital",
            "Registered capital, in yuan",
            D::Number,
        ))
        .with_attribute(
            required("company_type", "Type of company", D::SingleValueList)
                .with_value("limited_liability", "Limited liability company")
                .with_value("one_person", "One-person limited liability company"),
        )
        .with_attribute(required("business_scope", "Business scope", D::Text))
        .with_attribute(optional(
            "planned_opening",
            "Planned opening date",
            D::DateTime,
        )),
        item(
            "BR-002",
            "Change registered business details",
            C::BusinessRegistration,
            HALL,
            3,
        )
        .with_material(licence())
        .with_material(material("change-application", "Change application form"))
        .with_material(material("resolution", "Shareholders' resolution"))
        .with_attribute(
            required("changes", "What changes", D::MultiValueList)
                .with_value("name", "Name")
                .with_value("address", "Address")
                .with_value("scope", "Business scope")
                .with_value("representative", "Legal representative"),
        )
        .with_attribute(required("details", "Details of the change", D::Text)),
        item(
            "FS-001",
            "Apply for a start-up subsidy",
            C::FundingSupport,
            INDUSTRY_BUREAU,
            20,
        )
        .with_material(licence())
        .with_material(material("financial-statements", "Financial statements"))
        .with_material(bank())
        .with_attribute(required("amount", "Amount applied for, in yuan", D::Number))
        .with_attribute(required("employees", "Number of employees", D::Number))
        .with_attribute(
            required("sector", "Sector", D::SingleValueList)
                .with_value("ecommerce", "E-commerce")
                .with_value("manufacturing", "Manufacturing")
                .with_value("logistics", "Logistics")
                .with_value("services", "Services"),
        )
        .with_attribute(required("project", "The project", D::Text)),
        item(
            "FS-002",
            "Apply for a rent subsidy in an industrial park",
            C::FundingSupport,
            INDUSTRY_BUREAU,
            15,
        )
        .with_material(licence())
        .with_material(material("lease", "Lease contract"))
        .with_material(material("rent-invoices", "Rent invoices"))
        .with_attribute(required("park", "Industrial park", D::String))
        .with_attribute(required("floor_area", "Floor area, in m²", D::Number))
        .with_attribute(required("lease_start", "Start of the lease", D::DateTime)),
        item(
            "TS-001",
            "Apply for a talent housing subsidy",
            C::TalentSupport,
            HR_BUREAU,
            20,
        )
        .with_material(material("id-card", "Identity card"))
        .with_material(material("degree", "Degree certificate"))
        .with_material(Material::non_essential(
            id("labour-contract"),
            "Labour contract",
        ))
        .with_attribute(
            required("talent_category", "Talent category", D::SingleValueList)
                .with_value("a", "Category A")
                .with_value("b", "Category B")
                .with_value("c", "Category C")
                .with_value("graduate", "New graduate"),
        )
        .with_attribute(required("employer", "Employer", D::String))
        .with_attribute(optional(
            "arrival",
            "Date of arrival in Shenzhen",
            D::DateTime,
        )),
        item(
            "TS-002",
            "Register the residence of introduced talent",
            C::TalentSupport,
            HR_BUREAU,
            10,
        )
        .with_material(material("id-card", "Identity card"))
        .with_material(material("degree", "Degree certificate"))
        .with_attribute(yes_no(required(
            "move_household",
            "Move the household registration",
            D::SingleValueList,
        )))
        .with_attribute(optional(
            "family_members",
            "Family members moving",
            D::Number,
        )),
        item("TX-001", "Apply for invoices", C::TaxAndInvoicing, HALL, 1)
            .with_material(licence())
            .with_material(id_card())
            .with_attribute(
                required("invoice_type", "Type of invoice", D::SingleValueList)
                    .with_value("general", "General invoice")
                    .with_value("special_vat", "Special VAT invoice"),
            )
            .with_attribute(required("quantity", "Quantity", D::Number)),
        item("TX-002", "Register for tax", C::TaxAndInvoicing, HALL, 2)
            .with_material(licence())
            .with_material(bank())
            .with_attribute(
                required("taxpayer", "Kind of taxpayer", D::SingleValueList)
                    .with_value("small_scale", "Small-scale taxpayer")
                    .with_value("general", "General taxpayer"),
            ),
        item(
            "SI-001",
            "Register an enterprise for social insurance",
            C::SocialInsurance,
            HALL,
            5,
        )
        .with_material(licence())
        .with_material(id_card())
        .with_material(bank())
        .with_attribute(required("employees", "Number of employees", D::Number))
        .with_attribute(
            required("insurances", "Insurances", D::MultiValueList)
                .with_value("pension", "Pension")
                .with_value("medical", "Medical")
                .with_value("unemployment", "Unemployment")
                .with_value("work_injury", "Work injury")
                .with_value("maternity", "Maternity"),
        ),
        item(
            "SI-002",
            "Open a housing provident fund account",
            C::SocialInsurance,
            "longgang-housing-fund",
            5,
        )
        .with_material(licence())
        .with_material(id_card())
        .with_attribute(required(
            "contribution_rate",
            "Contribution rate, in percent",
            D::Number,
        )),
        item(
            "PL-001",
            "Apply for a food business licence",
            C::PermitsAndLicences,
            MARKET_BUREAU,
            10,
        )
        .with_material(licence())
        .with_material(material("premises-layout", "Layout of the premises"))
        .with_material(material("health-certificates", "Staff health certificates"))
        .with_attribute(
            required("food", "Kinds of food business", D::MultiValueList)
                .with_value("prepackaged", "Prepackaged food")
                .with_value("bulk", "Bulk food")
                .with_value("catering", "Catering"),
        )
        .with_attribute(required("floor_area", "Floor area, in m²", D::Number)),
        item(
            "PL-002",
            "Apply for an outdoor advertising permit",
            C::PermitsAndLicences,
            "longgang-urban",
            15,
        )
        .with_material(licence())
        .with_material(material("design", "Design drawing"))
        .with_attribute(required("location", "Where the sign goes", D::String))
        .with_attribute(yes_no(required("lit", "Lit at night", D::SingleValueList))),
        item(
            "IP-001",
            "Register a trademark",
            C::IntellectualProperty,
            MARKET_BUREAU,
            20,
        )
        .with_material(licence())
        .with_material(material("mark-design", "Design of the mark"))
        .with_attribute(required("mark", "The mark", D::String))
        .with_attribute(
            required("classes", "Nice classes", D::MultiValueList)
                .with_value("9", "Class 9")
                .with_value("25", "Class 25")
                .with_value("35", "Class 35")
                .with_value("42", "Class 42"),
        ),
        item(
            "IP-002",
            "Apply for patent funding",
            C::IntellectualProperty,
            "longgang-science",
            20,
        )
        .with_material(licence())
        .with_material(material("patent-certificate", "Patent certificate"))
        .with_material(bank())
        .with_attribute(
            required("patent_kind", "Kind of patent", D::SingleValueList)
                .with_value("invention", "Invention")
                .with_value("utility_model", "Utility model")
                .with_value("design", "Design"),
        )
        .with_attribute(required("patent_number", "Patent number", D::String)),
        item(
            "TC-001",
            "Apply for a certificate of origin",
            C::TradeAndCustoms,
            "ccpit-longgang",
            3,
        )
        .with_material(material("commercial-invoice", "Commercial invoice"))
        .with_material(material("export-declaration", "Export declaration"))
        .with_attribute(required("destination", "Country of destination", D::String))
        .with_attribute(optional("ship_date", "Shipping date", D::DateTime)),
        item(
            "TC-002",
            "Record a foreign trade operator",
            C::TradeAndCustoms,
            HALL,
            5,
        )
        .with_material(licence())
        .with_material(material("record-form", "Record form"))
        .with_attribute(
            required("trade", "Trade", D::MultiValueList)
                .with_value("import", "Import")
                .with_value("export", "Export"),
        ),
        item(
            "LS-001",
            "Ask for legal consultation for an enterprise",
            C::LegalServices,
            HALL,
            5,
        )
        .with_attribute(
            required("topic", "Topic", D::SingleValueList)
                .with_value("labour", "Labour")
                .with_value("contract", "Contracts")
                .with_value("ip", "Intellectual property")
                .with_value("other", "Other"),
        )
        .with_attribute(required("question", "The question", D::Text))
        .with_attribute(optional("preferred_time", "Preferred time", D::DateTime)),
        item(
            "LS-002",
            "Have a document notarised",
            C::LegalServices,
            "longgang-notary",
            10,
        )
        .with_material(id_card())
        .with_material(material("document", "The document"))
        .with_attribute(
            required("document_kind", "Kind of document", D::SingleValueList)
                .with_value("contract", "Contract")
                .with_value("power_of_attorney", "Power of attorney")
                .with_value("resolution", "Board resolution"),
        )
        .with_attribute(optional("copies", "Copies", D::Number)),
    ];
    Catalogue::try_new(id(HALL), id(AREA), items)
        .unwrap_or_else(|e| panic!("sample catalogue: {e}"))
}

/// The sample workflow: [`huanan_city_catalogue`] on [`huanan_city_graph`],
/// with the PRC working calendar and a [`supervision_policy`] that keeps
/// service requests at the estate tier (Huanan City's), so an overdue
/// request is supervised at the branch.
///
/// # Panics
///
/// Never: the sample is checked by this crate's tests.
pub fn huanan_city_service() -> ServiceRequest {
    let policy = supervision_policy(id("huanan-city-service"), 1, Tier::Estate)
        .unwrap_or_else(|e| panic!("sample policy: {e}"));
    let ladder = Ladder::new(
        Arc::new(PolicyBook::new(policy)),
        Arc::new(huanan_city_graph()),
        Arc::new(WorkingCalendar::prc()),
    );
    ServiceRequest::try_new(Arc::new(huanan_city_catalogue()), ladder)
        .unwrap_or_else(|e| panic!("sample service: {e}"))
}
