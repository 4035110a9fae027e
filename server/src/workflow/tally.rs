//! Counting a table's votes when the vote closes.

use super::state::{TableResult, Workshop};
use atelier_proto::model::SecretStatus;
use atelier_proto::*;
use std::collections::BTreeMap;

/// Computes each table's tallies, winner or tie for the current round.
///
/// Rejected secrets cannot win. With no vote at all, a single candidate wins and several are a
/// tie for the facilitator to settle.
pub fn close_round(workshop: &Workshop) -> BTreeMap<TableId, TableResult> {
    let Some(round) = workshop.current_round() else { return BTreeMap::new() };
    let mut results = BTreeMap::new();
    for table in round.seating.keys() {
        let candidates: Vec<&SecretId> =
            workshop.round_secrets(table).filter(|s| s.status != SecretStatus::Rejected).map(|s| &s.id).collect();
        let mut tallies: Vec<(SecretId, u32)> = candidates
            .iter()
            .map(|id| {
                let count = round.votes.values().filter(|voted| voted == id).count() as u32;
                ((*id).clone(), count)
            })
            .collect();
        tallies.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| natural_key(&a.0).cmp(&natural_key(&b.0))));
        let top = tallies.first().map(|t| t.1).unwrap_or(0);
        let leaders: Vec<SecretId> = tallies.iter().filter(|t| t.1 == top).map(|t| t.0.clone()).collect();
        let result = match leaders.len() {
            0 => TableResult { tallies, ..TableResult::default() },
            1 => TableResult { tallies, winners: leaders, tie: Vec::new() },
            _ => TableResult { tallies, winners: Vec::new(), tie: leaders },
        };
        results.insert(table.clone(), result);
    }
    results
}

/// Sorts `s2` before `s10`.
pub fn natural_key(id: &SecretId) -> (usize, u64, String) {
    let digits: String = id.0.chars().filter(|c| c.is_ascii_digit()).collect();
    (id.0.len(), digits.parse().unwrap_or(0), id.0.clone())
}
