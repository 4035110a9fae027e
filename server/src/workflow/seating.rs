//! Joining and seating: by table card, by the facilitator, or balanced automatically.

use super::events::DomainEvent;
use super::state::Workshop;
use super::*;
use atelier_proto::model::{validated_email, validated_name, CommuneRef, Consents, Phase, Source};
use serde_json::json;

/// The table with the fewest members that still has room; with every table full, the
/// smallest one, because a person who came to the workshop is never turned away.
pub fn balanced_table(workshop: &Workshop, extra: &[(TableId, usize)]) -> Option<TableId> {
    let count = |table: &TableId| {
        let seated = workshop.participants.iter().filter(|p| p.table.as_ref() == Some(table)).count();
        seated + extra.iter().filter(|(t, _)| t == table).map(|(_, n)| n).sum::<usize>()
    };
    workshop.info.tables.iter().min_by_key(|t| count(t)).cloned()
}

fn seated_count(workshop: &Workshop, table: &TableId) -> usize {
    workshop.participants.iter().filter(|p| p.table.as_ref() == Some(table)).count()
}

/// Checks a chosen table: it exists and is not full.
fn check_choice(workshop: &Workshop, table: &TableId) -> Result<(), ProtoError> {
    require_table(workshop, table)?;
    if seated_count(workshop, table) >= workshop.info.table_max as usize {
        return Err(error(ErrorCode::TableFull).with_detail(table.as_str()));
    }
    Ok(())
}

/// Cleans a new participant's identity and picks their table.
#[allow(clippy::too_many_arguments)]
pub fn join_participant(
    workshop: &Workshop,
    name: &str,
    commune: &CommuneRef,
    consents: Consents,
    email: Option<&str>,
    table: Option<&TableId>,
    source: Source,
    token_hash: Option<String>,
) -> Result<(ParticipantId, Decision), ProtoError> {
    if workshop.phase == Phase::Closed {
        return Err(error(ErrorCode::WorkshopClosed));
    }
    let name = validated_name(name)?;
    let commune = CommuneRef {
        insee: commune.insee.clone(),
        name: atelier_proto::text::clean(&commune.name, atelier_proto::text::Lines::Fold),
    };
    let commune_len = atelier_proto::text::char_len(&commune.name);
    if commune_len == 0 || commune_len > atelier_proto::text::PLACE_MAX {
        return Err(ProtoError::field(ErrorCode::InvalidField, "commune", 1, atelier_proto::text::PLACE_MAX, commune_len));
    }
    let email = validated_email(email)?;
    let table = match table {
        Some(table) => {
            check_choice(workshop, table)?;
            Some(table.clone())
        }
        None => balanced_table(workshop, &[]),
    };
    let id = workshop.next_participant_id();
    let event = DomainEvent::ParticipantJoined { id: id.clone(), name, commune, consents, email, source, token_hash, table: table.clone() };
    Ok((id.clone(), Decision { events: vec![event], result: json!({ "participant": id, "table": table }) }))
}

pub fn add_paper_participant(
    workshop: &Workshop,
    name: &str,
    commune: &CommuneRef,
    consents: Consents,
    email: Option<&str>,
    table: Option<&TableId>,
) -> Result<Decision, ProtoError> {
    join_participant(workshop, name, commune, consents, email, table, Source::Paper, None).map(|(_, decision)| decision)
}

pub fn seat_participant(workshop: &Workshop, participant: &ParticipantId, table: Option<&TableId>) -> Result<Decision, ProtoError> {
    if workshop.phase == Phase::Closed {
        return Err(error(ErrorCode::WorkshopClosed));
    }
    let current = require_known_participant(workshop, participant)?;
    if current.table.as_ref() == table {
        return Ok(Decision::of(Vec::new()));
    }
    if let Some(table) = table {
        check_choice(workshop, table)?;
    }
    Ok(Decision::of(vec![DomainEvent::ParticipantSeated { id: participant.clone(), table: table.cloned() }]))
}

pub fn seat_automatically(workshop: &Workshop) -> Result<Decision, ProtoError> {
    if workshop.phase == Phase::Closed {
        return Err(error(ErrorCode::WorkshopClosed));
    }
    let mut planned: Vec<(TableId, usize)> = Vec::new();
    let mut events = Vec::new();
    for participant in workshop.participants.iter().filter(|p| p.table.is_none()) {
        if let Some(table) = balanced_table(workshop, &planned) {
            planned.push((table.clone(), 1));
            events.push(DomainEvent::ParticipantSeated { id: participant.id.clone(), table: Some(table) });
        }
    }
    Ok(Decision::of(events))
}
