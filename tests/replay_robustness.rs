//! No input reaches a panic: histories that the workflows never produced —
//! events dropped, repeated or reordered (with sequence numbers and times
//! made consistent so replay's own checks pass), or JSON with values
//! swapped — replay to some state or a typed error, never a panic.

use grassroots::dispute::strategies::{lifecycle, sample};
use grassroots::dispute::{Dispute, DisputeEvent};
use grassroots::id::CaseId;
use grassroots::service::strategies::valid_steps;
use grassroots::service::{ServiceRequest, ServiceRequestEvent, sample::huanan_city_service};
use grassroots::testing::check_invariants;
use grassroots::workflow::{Case, Recorded, Workflow};
use proptest::prelude::*;

/// Rebuilds `history` from the events picked by `picks` (indices taken
/// modulo its length, so events may be dropped, repeated or reordered),
/// renumbered and with times made non-decreasing.
fn mutate<E: Clone>(history: &[Recorded<E>], picks: &[usize]) -> Vec<Recorded<E>> {
    if history.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<Recorded<E>> = Vec::with_capacity(picks.len());
    for (i, pick) in picks.iter().enumerate() {
        let mut r = history[pick % history.len()].clone();
        r.seq = i as u64 + 1;
        if let Some(prev) = out.last() {
            r.at = r.at.max(prev.at);
        }
        out.push(r);
    }
    out
}

/// Replays every prefix of `history`; returns how many replayed.
fn replay_prefixes<W: Workflow>(history: &[Recorded<W::Event>]) -> usize {
    (0..=history.len())
        .filter(|n| Case::<W>::replay(CaseId::new("R").unwrap(), history[..*n].to_vec()).is_ok())
        .count()
}

/// Swaps every string leaf of `value` that `flip` selects for `"x"` and
/// every number for 9e18.
fn scramble(value: &mut serde_json::Value, flip: &mut impl Iterator<Item = bool>) {
    use serde_json::Value;
    match value {
        Value::String(s) if flip.next().unwrap_or(false) => *s = "x".into(),
        Value::Number(_) if flip.next().unwrap_or(false) => *value = serde_json::json!(9e18),
        Value::Array(items) => items.iter_mut().for_each(|v| scramble(v, flip)),
        Value::Object(map) => map.values_mut().for_each(|v| scramble(v, flip)),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn dispute_histories_out_of_any_order_replay_without_panicking(
        steps in lifecycle(sample().0, sample().1, 1..40),
        picks in proptest::collection::vec(0usize..1000, 0..60),
    ) {
        let (dispute, _) = sample();
        let case = check_invariants(&dispute, CaseId::new("R").unwrap(), steps).unwrap().case;
        let mutated = mutate(case.history(), &picks);
        // The empty prefix always replays; the rest may or may not.
        prop_assert!(replay_prefixes::<Dispute>(&mutated) >= 1);
    }

    #[test]
    fn service_histories_out_of_any_order_replay_without_panicking(
        steps in valid_steps(&huanan_city_service(), 1..40),
        picks in proptest::collection::vec(0usize..1000, 0..60),
    ) {
        let service = huanan_city_service();
        let case = check_invariants(&service, CaseId::new("R").unwrap(), steps).unwrap().case;
        let mutated = mutate(case.history(), &picks);
        prop_assert!(replay_prefixes::<ServiceRequest>(&mutated) >= 1);
    }

    #[test]
    fn scrambled_json_histories_decode_to_an_error_or_replay_without_panicking(
        steps in lifecycle(sample().0, sample().1, 1..30),
        service_steps in valid_steps(&huanan_city_service(), 1..30),
        flips in proptest::collection::vec(any::<bool>(), 0..400),
    ) {
        let (dispute, _) = sample();
        let case = check_invariants(&dispute, CaseId::new("R").unwrap(), steps).unwrap().case;
        let mut json = serde_json::to_value(case.history()).unwrap();
        scramble(&mut json, &mut flips.iter().copied());
        if let Ok(history) = serde_json::from_value::<Vec<Recorded<DisputeEvent>>>(json) {
            let _ = Case::<Dispute>::replay(CaseId::new("R").unwrap(), history);
        }

        let service = huanan_city_service();
        let case = check_invariants(&service, CaseId::new("S").unwrap(), service_steps).unwrap().case;
        let mut json = serde_json::to_value(case.history()).unwrap();
        scramble(&mut json, &mut flips.iter().copied());
        if let Ok(history) = serde_json::from_value::<Vec<Recorded<ServiceRequestEvent>>>(json) {
            let _ = Case::<ServiceRequest>::replay(CaseId::new("S").unwrap(), history);
        }
    }
}
