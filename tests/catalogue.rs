//! Loading a catalogue: what is refused, naming the entry; and building a
//! workflow on an organisation graph that lacks what the catalogue names.

use std::sync::Arc;

use grassroots::calendar::WorkingCalendar;
use grassroots::escalation::{Ladder, PolicyBook};
use grassroots::matter::ServiceCategory;
use grassroots::org::OrgGraph;
use grassroots::service::{
    Attribute, Catalogue, CatalogueError, Datatype, Material, Mode, OrgUse, ServiceItem,
    ServiceRequest, sample,
};
use serde_json::{Value, json};

fn sample_json() -> Value {
    serde_json::to_value(sample::huanan_city_catalogue()).unwrap()
}

fn load(value: Value) -> Result<Catalogue, String> {
    serde_json::from_value::<Catalogue>(value).map_err(|e| e.to_string())
}

#[test]
fn the_sample_round_trips_through_json() {
    let catalogue = sample::huanan_city_catalogue();
    let back = load(sample_json()).unwrap();
    assert_eq!(back, catalogue);
    assert_eq!(
        sample_json()["items"][0]["category"],
        "business_registration"
    );
    assert_eq!(sample_json()["items"][0]["working_days"], 3);
}

#[test]
fn items_are_looked_up_by_code_or_by_its_text() {
    let catalogue = sample::huanan_city_catalogue();
    let by_text = catalogue.item("TX-001").expect("the sample has TX-001");
    let code: grassroots::id::ServiceCode = "TX-001".parse().unwrap();
    assert_eq!(catalogue.item(&code), Some(by_text));
    assert_eq!(by_text.code, code);
    assert!(catalogue.item("TX-999").is_none());
}

#[test]
fn a_duplicate_code_is_refused_naming_it() {
    let mut value = sample_json();
    value["items"][1]["code"] = json!("BR-001");
    assert_eq!(
        load(value).unwrap_err(),
        "service code BR-001 appears twice in the catalogue"
    );
}

#[test]
fn a_malformed_category_is_refused_naming_the_item() {
    let mut value = sample_json();
    value["items"][2]["category"] = json!("Subsidies!");
    assert_eq!(
        load(value).unwrap_err(),
        "item FS-001: \"Subsidies!\" is not a valid service category: \
         it holds 'S' at byte 0; a name uses lowercase ascii letters, digits, `_` and `-`"
    );
}

#[test]
fn a_city_s_own_category_is_loaded_as_a_custom_category() {
    let mut value = sample_json();
    value["items"][2]["category"] = json!("subsidies");
    let catalogue = load(value.clone()).unwrap();
    let subsidies = ServiceCategory::from_static("subsidies");
    let item = catalogue.in_category(subsidies).next().unwrap();
    assert_eq!(item.code.as_str(), "FS-001");
    assert_eq!(
        serde_json::to_value(&catalogue).unwrap()["items"][2]["category"],
        "subsidies"
    );
    assert_eq!(
        load(serde_json::to_value(&catalogue).unwrap()).unwrap(),
        catalogue
    );
}

#[test]
fn a_zero_or_negative_limit_is_refused_naming_the_item() {
    for limit in [0, -3] {
        let mut value = sample_json();
        value["items"][3]["working_days"] = json!(limit);
        assert_eq!(
            load(value).unwrap_err(),
            format!(
                "item FS-002: the time limit must be a positive number of working days, not {limit}"
            )
        );
    }
    let mut huge = sample_json();
    huge["items"][3]["working_days"] = json!(1_u64 << 40);
    assert!(
        load(huge)
            .unwrap_err()
            .starts_with("item FS-002: the time limit")
    );
}

#[test]
fn an_invalid_code_is_refused_naming_its_position() {
    let mut value = sample_json();
    value["items"][4]["code"] = json!("");
    assert_eq!(
        load(value).unwrap_err(),
        "catalogue entry 4: ServiceCode must not be empty"
    );
}

/// What is wrong, how to break the sample, and the message expected.
type Mistake = (&'static str, fn(&mut Value), &'static str);

#[test]
fn item_level_mistakes_are_refused_naming_item_and_part() {
    let cases: [Mistake; 10] = [
        (
            "blank name",
            |v| v["items"][0]["name"] = json!("  "),
            "item BR-001 has no name",
        ),
        (
            "material twice",
            |v| v["items"][0]["materials"][1] = v["items"][0]["materials"][0].clone(),
            "item BR-001 lists the material application-form twice",
        ),
        (
            "attribute twice",
            |v| v["items"][0]["attributes"][1] = v["items"][0]["attributes"][0].clone(),
            "item BR-001 defines the attribute company_name twice",
        ),
        (
            "list without values",
            |v| {
                v["items"][0]["attributes"][2]
                    .as_object_mut()
                    .unwrap()
                    .remove("values");
            },
            "item BR-001: the attribute company_type is a singlevaluelist but lists no allowed values",
        ),
        (
            "values on a number",
            |v| v["items"][0]["attributes"][1]["values"] = json!([{"key": "1", "name": "one"}]),
            "item BR-001: the attribute registered_capital is a number and may not list allowed values",
        ),
        (
            "value twice",
            |v| v["items"][0]["attributes"][2]["values"][1]["key"] = json!("limited_liability"),
            "item BR-001: the attribute company_type lists the value \"limited_liability\" twice",
        ),
        (
            "handled elsewhere",
            |v| v["items"][0]["handling_body"] = json!("longgang-hr"),
            "item BR-001 is handled by the hall huanan-hall itself, not by longgang-hr",
        ),
        (
            "forwarded to itself",
            |v| v["items"][2]["handling_body"] = json!("huanan-hall"),
            "item FS-001 is forwarded: its handling body must be a competent department, not the hall huanan-hall",
        ),
        (
            "promise beyond the statutory limit",
            |v| v["items"][0]["statutory_working_days"] = json!(2),
            "item BR-001: the promised limit of 3 working days is longer than the statutory limit of 2",
        ),
        (
            "statutory limit not positive",
            |v| v["items"][0]["statutory_working_days"] = json!(-1),
            "item BR-001: the time limit must be a positive number of working days, not -1",
        ),
    ];
    for (what, change, message) in cases {
        let mut value = sample_json();
        change(&mut value);
        assert_eq!(load(value).unwrap_err(), message, "{what}");
    }
}

#[test]
fn unknown_fields_and_datatypes_are_refused() {
    let mut value = sample_json();
    value["items"][0]["price"] = json!(10);
    assert!(load(value).unwrap_err().contains("unknown field `price`"));
    let mut value = sample_json();
    value["items"][0]["attributes"][0]["datatype"] = json!("colour");
    assert!(load(value).is_err());
}

#[test]
fn building_in_code_goes_through_the_same_checks() {
    let hall = || "hall".parse().unwrap();
    let item = ServiceItem::new(
        "LS-9".parse().unwrap(),
        "Legal consultation",
        ServiceCategory::LegalServices,
        Mode::Handle,
        hall(),
        0,
    );
    assert_eq!(
        Catalogue::try_new(hall(), "area".parse().unwrap(), [item.clone()]),
        Err(CatalogueError::LimitNotPositive {
            code: "LS-9".parse().unwrap(),
            working_days: 0
        })
    );
    let good = ServiceItem {
        working_days: 5,
        statutory_working_days: 5,
        ..item
    }
    .with_material(Material::new("id-card".parse().unwrap(), "ID card"))
    .with_attribute(Attribute::optional(
        "question".parse().unwrap(),
        "Question",
        Datatype::Text,
    ));
    let catalogue = Catalogue::try_new(hall(), "area".parse().unwrap(), [good]).unwrap();
    assert_eq!(catalogue.len(), 1);
    assert!(!catalogue.is_empty());
}

#[test]
fn a_workflow_needs_every_body_the_catalogue_names_in_its_graph() {
    let ladder = |graph: OrgGraph| {
        Ladder::new(
            Arc::new(PolicyBook::default()),
            Arc::new(graph),
            Arc::new(WorkingCalendar::prc()),
        )
    };
    let catalogue = Arc::new(sample::huanan_city_catalogue());
    let err = ServiceRequest::try_new(catalogue.clone(), ladder(OrgGraph::new())).unwrap_err();
    assert_eq!(
        err,
        CatalogueError::NotInGraph {
            org: sample::HALL.parse().unwrap(),
            used_as: OrgUse::Hall
        }
    );
    assert_eq!(
        err.to_string(),
        "the hall, huanan-hall, is not in the organisation graph"
    );
    // Without the market bureau, the items it handles cannot be served.
    let mut data = serde_json::to_value(sample::huanan_city_graph()).unwrap();
    let orgs = data["orgs"].as_array_mut().unwrap();
    orgs.retain(|o| o["id"] != sample::MARKET_BUREAU);
    let links = data["relations"].as_array_mut().unwrap();
    links.retain(|l| l["from"] != sample::MARKET_BUREAU);
    let graph: OrgGraph = serde_json::from_value(data).unwrap();
    let err = ServiceRequest::try_new(catalogue, ladder(graph)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the handling body of item PL-001, longgang-market, is not in the organisation graph"
    );
}
