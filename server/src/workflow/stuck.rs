//! The stuck-table signal ("une table qui patauge"): which tables the facilitator should look
//! at, and why, without walking around the room.

use super::state::Workshop;
use atelier_proto::model::Phase;
use atelier_proto::view::{StuckReason, StuckTable};
use atelier_proto::*;

/// A table with no secret this long after writing started is stuck even if others are slow too.
pub const NO_SECRET_AFTER_MS: i64 = 3 * 60_000;
/// A table whose last secret is this old, while another table wrote one since, has gone quiet.
pub const QUIET_AFTER_MS: i64 = 4 * 60_000;
/// Presentations that have not moved for this long, while another table's did, are stalled.
pub const PRESENTING_STALLED_MS: i64 = 3 * 60_000;
/// How long after the vote opened missing votes count against a table.
pub const VOTES_MISSING_AFTER_MS: i64 = 2 * 60_000;

fn reason(code: &str, message_fr: String, message_en: String) -> StuckReason {
    StuckReason { code: code.into(), message_fr, message_en }
}

fn median(values: &mut [u32]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        f64::from(values[mid])
    } else {
        f64::from(values[mid - 1] + values[mid]) / 2.0
    }
}

/// Lists the stuck tables of the current round at `now_ms`, each with its reasons.
pub fn stuck_tables(workshop: &Workshop, now_ms: i64) -> Vec<StuckTable> {
    let Some(round) = workshop.current_round() else { return Vec::new() };
    let tables: Vec<&TableId> = round.seating.iter().filter(|(_, members)| !members.is_empty()).map(|(t, _)| t).collect();
    let mut stuck = Vec::new();
    match workshop.phase {
        Phase::Writing => {
            let counts: Vec<(TableId, u32, Option<i64>)> = tables
                .iter()
                .map(|t| {
                    let secrets: Vec<i64> = workshop.round_secrets(t).map(|s| s.created_at_ms).collect();
                    ((*t).clone(), secrets.len() as u32, secrets.iter().copied().max())
                })
                .collect();
            let median = median(&mut counts.iter().map(|c| c.1).collect::<Vec<_>>());
            let elapsed = now_ms - round.started_at_ms;
            for (table, count, last) in &counts {
                let mut reasons = Vec::new();
                if *count == 0 && (median >= 2.0 || elapsed >= NO_SECRET_AFTER_MS) {
                    reasons.push(reason(
                        "no_secret_yet",
                        format!("Aucun secret depuis le début ({} min), la médiane des tables est à {median}.", elapsed / 60_000),
                        format!("No secret since writing started ({} min); the median table has {median}.", elapsed / 60_000),
                    ));
                } else if *count > 0 && median >= 4.0 && f64::from(*count) < median / 2.0 {
                    reasons.push(reason(
                        "few_secrets",
                        format!("{count} secret(s) seulement, contre {median} pour la table médiane."),
                        format!("Only {count} secret(s), against {median} for the median table."),
                    ));
                }
                if let Some(last) = last {
                    let others_active = counts.iter().any(|(t, _, other)| t != table && other.is_some_and(|o| now_ms - o < QUIET_AFTER_MS));
                    if now_ms - last >= QUIET_AFTER_MS && others_active {
                        reasons.push(reason(
                            "quiet",
                            format!("Plus de nouveau secret depuis {} min alors que les autres tables avancent.", (now_ms - last) / 60_000),
                            format!("No new secret for {} min while other tables progress.", (now_ms - last) / 60_000),
                        ));
                    }
                }
                if !reasons.is_empty() {
                    stuck.push(StuckTable { table: table.clone(), reasons });
                }
            }
        }
        Phase::Presenting => {
            let moved = |t: &TableId| round.presenting_moved_at_ms.get(t).copied().unwrap_or(round.started_at_ms);
            let finished = |t: &TableId| round.presenting.get(t).is_none_or(|p| p.current >= p.order.len());
            for table in &tables {
                if finished(table) {
                    continue;
                }
                let idle = now_ms - moved(table);
                let others_moving = tables.iter().any(|t| t != table && (finished(t) || now_ms - moved(t) < PRESENTING_STALLED_MS));
                if idle >= PRESENTING_STALLED_MS && others_moving {
                    stuck.push(StuckTable {
                        table: (*table).clone(),
                        reasons: vec![reason(
                            "presentations_stalled",
                            format!("Les présentations n'avancent plus depuis {} min.", idle / 60_000),
                            format!("Presentations have not moved for {} min.", idle / 60_000),
                        )],
                    });
                }
            }
        }
        Phase::Voting => {
            let opened = round.voting_opened_at_ms.unwrap_or(now_ms);
            if now_ms - opened >= VOTES_MISSING_AFTER_MS {
                for table in &tables {
                    let members = &round.seating[*table];
                    let cast = members.iter().filter(|m| round.votes.contains_key(*m)).count();
                    if cast < members.len() {
                        stuck.push(StuckTable {
                            table: (*table).clone(),
                            reasons: vec![reason(
                                "votes_missing",
                                format!("{} vote(s) manquant(s) sur {}.", members.len() - cast, members.len()),
                                format!("{} of {} votes missing.", members.len() - cast, members.len()),
                            )],
                        });
                    }
                }
            }
        }
        _ => {}
    }
    stuck
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::events::{DomainEvent, RoleTokenHashes};
    use atelier_proto::model::{preset_themes, CommuneRef, Consents, SecretFields, Source};
    use atelier_proto::view::WorkshopInfo;

    const START: i64 = 1_000_000;

    fn workshop_with_tables(tables: usize, per_table: usize) -> Workshop {
        let info = WorkshopInfo {
            id: WorkshopId("w".into()),
            code: "ABCDEF".into(),
            title: "t".into(),
            venue: String::new(),
            starts_at: String::new(),
            language: "fr".into(),
            themes: preset_themes(),
            tables: (1..=tables).map(|i| TableId(format!("T{i}"))).collect(),
            table_min: 1,
            table_max: 8,
        };
        let tokens = RoleTokenHashes { facilitator: "f".into(), moderator: "m".into(), projector: "p".into() };
        let mut w = Workshop::created(info, tokens, START);
        for t in 1..=tables {
            for n in 0..per_table {
                w.apply(&DomainEvent::ParticipantJoined {
                    id: ParticipantId(format!("p{t}_{n}")),
                    name: "x".into(),
                    commune: CommuneRef { insee: None, name: "Honfleur".into() },
                    consents: Consents::default(),
                    email: None,
                    source: Source::Phone,
                    token_hash: None,
                    table: Some(TableId(format!("T{t}"))),
                });
            }
        }
        w.apply(&DomainEvent::WritingStarted { theme: 0, at_ms: START, ends_at_ms: START + 600_000 });
        w
    }

    fn submit(w: &mut Workshop, table: usize, at_ms: i64) {
        let id = w.next_secret_id();
        w.apply(&DomainEvent::SecretSubmitted {
            id,
            round: 0,
            table: TableId(format!("T{table}")),
            author: ParticipantId(format!("p{table}_0")),
            source: Source::Phone,
            fields: SecretFields {
                title: "t".into(),
                text: "x".into(),
                place: String::new(),
                commune: CommuneRef { insee: None, name: "Honfleur".into() },
                best_moment: String::new(),
                coordinates: None,
            },
            at_ms,
            late: false,
        });
    }

    fn stuck_codes(w: &Workshop, now: i64) -> Vec<(String, Vec<String>)> {
        stuck_tables(w, now).into_iter().map(|s| (s.table.0, s.reasons.into_iter().map(|r| r.code).collect())).collect()
    }

    #[test]
    fn nobody_is_stuck_at_the_start() {
        let w = workshop_with_tables(3, 6);
        assert!(stuck_codes(&w, START + 60_000).is_empty());
    }

    #[test]
    fn silent_table_is_stuck_when_others_write() {
        let mut w = workshop_with_tables(3, 6);
        for i in 0..4 {
            submit(&mut w, 1, START + 10_000 * i);
            submit(&mut w, 2, START + 10_000 * i);
        }
        assert_eq!(stuck_codes(&w, START + 60_000), vec![("T3".to_owned(), vec!["no_secret_yet".to_owned()])]);
    }

    #[test]
    fn empty_table_is_stuck_after_three_minutes_alone() {
        let w = workshop_with_tables(2, 6);
        assert!(stuck_codes(&w, START + NO_SECRET_AFTER_MS - 1).is_empty());
        assert_eq!(stuck_codes(&w, START + NO_SECRET_AFTER_MS).len(), 2);
    }

    #[test]
    fn quiet_table_is_stuck_while_others_progress() {
        let mut w = workshop_with_tables(2, 6);
        submit(&mut w, 1, START + 10_000);
        submit(&mut w, 2, START + 10_000);
        let now = START + 10_000 + QUIET_AFTER_MS + 1;
        submit(&mut w, 2, now - 30_000);
        let codes = stuck_codes(&w, now);
        assert_eq!(codes, vec![("T1".to_owned(), vec!["quiet".to_owned()])]);
    }

    #[test]
    fn far_fewer_secrets_than_median_is_stuck() {
        let mut w = workshop_with_tables(3, 6);
        for i in 0..8 {
            submit(&mut w, 1, START + 1_000 * i);
            submit(&mut w, 2, START + 1_000 * i);
        }
        submit(&mut w, 3, START + 5_000);
        let codes = stuck_codes(&w, START + 20_000);
        assert_eq!(codes, vec![("T3".to_owned(), vec!["few_secrets".to_owned()])]);
    }
}
