//! Reshuffle (brassage): new tables for the next theme that keep apart people who already sat
//! together, previewed and adjusted by the facilitator before they are applied.

use super::events::DomainEvent;
use super::state::{pair, Workshop};
use super::*;
use atelier_proto::model::Phase;
use serde_json::json;
use std::collections::HashSet;

type Met = HashSet<(ParticipantId, ParticipantId)>;

/// Number of pairs seated together in `seating` who already met.
pub fn repeat_pairs(seating: &[(ParticipantId, TableId)], met: &Met) -> u32 {
    let mut count = 0;
    for (i, (a, table_a)) in seating.iter().enumerate() {
        for (b, table_b) in &seating[i + 1..] {
            if table_a == table_b && met.contains(&pair(a, b)) {
                count += 1;
            }
        }
    }
    count
}

fn conflicts(person: &ParticipantId, members: &[usize], people: &[ParticipantId], met: &Met) -> usize {
    members.iter().filter(|&&m| met.contains(&pair(person, &people[m]))).count()
}

/// Seats `people` at `tables` with balanced sizes (they differ by one at most) and as few
/// repeated pairs as a greedy placement followed by improving swaps finds. Deterministic: the
/// same input gives the same proposal.
pub fn propose(people: &[ParticipantId], tables: &[TableId], met: &Met) -> Vec<(ParticipantId, TableId)> {
    if tables.is_empty() {
        return Vec::new();
    }
    let k = tables.len();
    let capacity: Vec<usize> = (0..k).map(|t| people.len() / k + usize::from(t < people.len() % k)).collect();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];

    // Most constrained people first: those who already met the most others.
    let mut order: Vec<usize> = (0..people.len()).collect();
    let degree = |i: usize| people.iter().filter(|other| *other != &people[i] && met.contains(&pair(&people[i], other))).count();
    order.sort_by_key(|&i| (std::cmp::Reverse(degree(i)), i));
    for i in order {
        let best = (0..k)
            .filter(|&t| members[t].len() < capacity[t])
            .min_by_key(|&t| (conflicts(&people[i], &members[t], people, met), members[t].len(), t))
            .unwrap_or(0);
        members[best].push(i);
    }

    // Swap two people at different tables while that lowers the number of repeated pairs.
    for _pass in 0..50 {
        let mut improved = false;
        for ta in 0..k {
            for tb in (ta + 1)..k {
                for ia in 0..members[ta].len() {
                    for ib in 0..members[tb].len() {
                        let a = members[ta][ia];
                        let b = members[tb][ib];
                        let others_a: Vec<usize> = members[ta].iter().copied().filter(|&m| m != a).collect();
                        let others_b: Vec<usize> = members[tb].iter().copied().filter(|&m| m != b).collect();
                        let before = conflicts(&people[a], &others_a, people, met) + conflicts(&people[b], &others_b, people, met);
                        let after = conflicts(&people[a], &others_b, people, met) + conflicts(&people[b], &others_a, people, met);
                        if after < before {
                            members[ta][ia] = b;
                            members[tb][ib] = a;
                            improved = true;
                        }
                    }
                }
            }
        }
        if !improved {
            break;
        }
    }

    let mut seating: Vec<(ParticipantId, TableId)> =
        members.iter().enumerate().flat_map(|(t, list)| list.iter().map(move |&i| (people[i].clone(), tables[t].clone()))).collect();
    seating.sort_by_key(|(p, _)| people.iter().position(|q| q == p));
    seating
}

fn require_between_themes(workshop: &Workshop) -> Result<(), ProtoError> {
    require_phase(workshop, &[Phase::Lobby, Phase::Results])
}

pub fn preview_reshuffle(workshop: &Workshop) -> Result<Decision, ProtoError> {
    require_between_themes(workshop)?;
    let people: Vec<ParticipantId> = workshop.participants.iter().map(|p| p.id.clone()).collect();
    let seating = propose(&people, &workshop.info.tables, &workshop.met);
    let repeats = repeat_pairs(&seating, &workshop.met);
    Ok(Decision { events: vec![DomainEvent::ReshuffleProposed { seating }], result: json!({ "repeat_pairs": repeats }) })
}

pub fn adjust_reshuffle(workshop: &Workshop, participant: &ParticipantId, table: &TableId) -> Result<Decision, ProtoError> {
    require_between_themes(workshop)?;
    if workshop.reshuffle.is_none() {
        return Err(error(ErrorCode::WrongPhase).with_detail("no reshuffle preview"));
    }
    require_known_participant(workshop, participant)?;
    require_table(workshop, table)?;
    Ok(Decision::of(vec![DomainEvent::ReshuffleAdjusted { participant: participant.clone(), table: table.clone() }]))
}

/// Applies the preview, unless a table would exceed the maximum size.
pub fn apply_reshuffle(workshop: &Workshop) -> Result<Decision, ProtoError> {
    require_between_themes(workshop)?;
    let seating = workshop.reshuffle.as_ref().ok_or_else(|| error(ErrorCode::WrongPhase).with_detail("no reshuffle preview"))?;
    for table in &workshop.info.tables {
        let size = seating.iter().filter(|(_, t)| t == table).count();
        if size > workshop.info.table_max as usize {
            return Err(error(ErrorCode::InvalidSeating).with_detail(format!("{table}: {size}")));
        }
    }
    Ok(Decision::of(vec![DomainEvent::ReshuffleApplied]))
}

pub fn cancel_reshuffle(workshop: &Workshop) -> Result<Decision, ProtoError> {
    require_between_themes(workshop)?;
    if workshop.reshuffle.is_none() {
        return Err(error(ErrorCode::WrongPhase).with_detail("no reshuffle preview"));
    }
    Ok(Decision::of(vec![DomainEvent::ReshuffleCancelled]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<ParticipantId> {
        (1..=n).map(|i| ParticipantId(format!("p{i}"))).collect()
    }

    fn tables(n: usize) -> Vec<TableId> {
        (1..=n).map(|i| TableId(format!("T{i}"))).collect()
    }

    fn met_by_tables(people: &[ParticipantId], size: usize) -> Met {
        let mut met = Met::new();
        for chunk in people.chunks(size) {
            for (i, a) in chunk.iter().enumerate() {
                for b in &chunk[i + 1..] {
                    met.insert(pair(a, b));
                }
            }
        }
        met
    }

    #[test]
    fn reshuffle_of_eighteen_at_three_tables_is_balanced() {
        let people = ids(18);
        let met = met_by_tables(&people, 6);
        let seating = propose(&people, &tables(3), &met);
        assert_eq!(seating.len(), 18);
        for table in tables(3) {
            assert_eq!(seating.iter().filter(|(_, t)| t == &table).count(), 6);
        }
        // Three old tables of six over three new tables: two from each old table must meet again
        // at every new table, so 3 pairs per table is the minimum.
        assert!(repeat_pairs(&seating, &met) <= 9, "repeats: {}", repeat_pairs(&seating, &met));
    }

    #[test]
    fn reshuffle_without_history_has_no_repeats() {
        let people = ids(14);
        let seating = propose(&people, &tables(2), &Met::new());
        assert_eq!(repeat_pairs(&seating, &Met::new()), 0);
        let first = seating.iter().filter(|(_, t)| t.0 == "T1").count();
        assert_eq!(first, 7);
    }

    #[test]
    fn reshuffle_separates_a_previous_pair_when_possible() {
        let people = ids(4);
        let mut met = Met::new();
        met.insert(pair(&people[0], &people[1]));
        met.insert(pair(&people[2], &people[3]));
        let seating = propose(&people, &tables(2), &met);
        assert_eq!(repeat_pairs(&seating, &met), 0);
    }
}
