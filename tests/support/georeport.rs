#![allow(unreachable_pub, dead_code)]
//! The GeoReport v2 field rules, checked on JSON as an outside system
//! reads it.

use serde_json::Value;

/// Every field of a GeoReport v2 request.
pub const REQUEST_FIELDS: [&str; 17] = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
];

/// The fields a request response must give a value.
pub const REQUIRED_REQUEST_FIELDS: [&str; 6] = [
    "service_request_id",
    "status",
    "service_name",
    "service_code",
    "requested_datetime",
    "updated_datetime",
];

pub const DATATYPES: [&str; 6] = [
    "string",
    "number",
    "datetime",
    "text",
    "singlevaluelist",
    "multivaluelist",
];

/// Whether `s` is an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`,
/// checked by hand and then parsed.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || b[10] != b'T'
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    let zone_ok = match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            i + 6 == b.len() && digits(i + 1..i + 3) && b[i + 3] == b':' && digits(i + 4..i + 6)
        }
        _ => false,
    };
    zone_ok && chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

/// Checks one GeoReport request; returns every broken rule.
pub fn request_problems(v: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(object) = v.as_object() else {
        return vec!["not an object".into()];
    };
    for field in REQUEST_FIELDS {
        if !object.contains_key(field) {
            problems.push(format!("{field} missing"));
        }
    }
    for field in REQUIRED_REQUEST_FIELDS {
        if !object.get(field).is_some_and(Value::is_string) {
            problems.push(format!("{field} has no value"));
        }
    }
    match v["status"].as_str() {
        Some("open" | "closed") => {}
        other => problems.push(format!("status {other:?} is neither open nor closed")),
    }
    for field in [
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
    ] {
        match &v[field] {
            Value::Null if field == "expected_datetime" => {}
            Value::String(s) if is_rfc3339(s) => {}
            other => problems.push(format!("{field} {other} is not RFC 3339")),
        }
    }
    for field in ["lat", "long"] {
        if !(v[field].is_null() || v[field].is_number()) {
            problems.push(format!("{field} is not a number"));
        }
    }
    for field in [
        "status_notes",
        "description",
        "agency_responsible",
        "address",
    ] {
        if !(v[field].is_null() || v[field].is_string()) {
            problems.push(format!("{field} is not text"));
        }
    }
    problems
}

/// Checks one entry of a service list.
pub fn service_problems(v: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for field in [
        "service_code",
        "service_name",
        "description",
        "keywords",
        "group",
    ] {
        if !v[field].is_string() {
            problems.push(format!("{field} is not text"));
        }
    }
    if !v["metadata"].is_boolean() {
        problems.push("metadata is not a boolean".into());
    }
    if !matches!(v["type"].as_str(), Some("realtime" | "batch" | "blackbox")) {
        problems.push(format!("type {} is not a GeoReport type", v["type"]));
    }
    problems
}

/// Checks one service definition.
pub fn definition_problems(v: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if !v["service_code"].is_string() {
        problems.push("service_code is not text".into());
    }
    let Some(attributes) = v["attributes"].as_array() else {
        return vec!["attributes is not a list".into()];
    };
    for (i, a) in attributes.iter().enumerate() {
        let code = a["code"].as_str().unwrap_or("?");
        for field in ["variable", "required"] {
            if !a[field].is_boolean() {
                problems.push(format!("{code}: {field} is not a boolean"));
            }
        }
        for field in ["code", "datatype_description", "description"] {
            if !a[field].is_string() {
                problems.push(format!("{code}: {field} is not text"));
            }
        }
        if a["order"].as_u64() != Some(i as u64 + 1) {
            problems.push(format!("{code}: order {} out of place", a["order"]));
        }
        let datatype = a["datatype"].as_str().unwrap_or("");
        if !DATATYPES.contains(&datatype) {
            problems.push(format!(
                "{code}: datatype {datatype:?} is not a GeoReport datatype"
            ));
        }
        let is_list = datatype.ends_with("valuelist");
        match a.get("values").and_then(Value::as_array) {
            Some(values) if is_list && !values.is_empty() => {
                for value in values {
                    if !value["key"].is_string() || !value["name"].is_string() {
                        problems.push(format!("{code}: a value lacks its key or name"));
                    }
                }
            }
            None if !is_list => {}
            _ => problems.push(format!("{code}: values do not match the datatype")),
        }
    }
    problems
}
