//! Voting: one vote per participant per theme, for a secret of their own table.

use super::events::DomainEvent;
use super::state::Workshop;
use super::*;
use atelier_proto::model::{Phase, SecretStatus};

pub fn open_voting(workshop: &Workshop, now_ms: i64) -> Result<Decision, ProtoError> {
    require_phase(workshop, &[Phase::Writing, Phase::Presenting])?;
    Ok(Decision::of(vec![DomainEvent::VotingOpened { at_ms: now_ms }]))
}

/// Records `voter`'s vote, replacing an earlier one in the same theme.
pub fn cast_vote(workshop: &Workshop, voter: &ParticipantId, secret_id: &SecretId) -> Result<Decision, ProtoError> {
    require_phase(workshop, &[Phase::Voting])?;
    let participant = require_known_participant(workshop, voter)?;
    let table = participant.table.as_ref().ok_or_else(|| error(ErrorCode::NotSeated))?;
    let secret = require_secret(workshop, secret_id)?;
    if &secret.table != table || Some(secret.round) != workshop.round_index() {
        return Err(error(ErrorCode::OtherTable).with_detail(secret_id.as_str()));
    }
    if &secret.author == voter {
        return Err(error(ErrorCode::OwnSecret).with_detail(secret_id.as_str()));
    }
    if secret.status == SecretStatus::Rejected {
        return Err(error(ErrorCode::SecretRejected).with_detail(secret_id.as_str()));
    }
    Ok(Decision::of(vec![DomainEvent::VoteCast { participant: voter.clone(), secret: secret_id.clone() }]))
}

pub fn close_voting(workshop: &Workshop) -> Result<Decision, ProtoError> {
    require_phase(workshop, &[Phase::Voting])?;
    Ok(Decision::of(vec![DomainEvent::VotingClosed]))
}

pub fn settle_tie(workshop: &Workshop, table: &TableId, winners: &[SecretId]) -> Result<Decision, ProtoError> {
    require_phase(workshop, &[Phase::Results])?;
    require_table(workshop, table)?;
    let round = workshop.current_round().ok_or_else(|| error(ErrorCode::WrongPhase))?;
    let result = round.results.get(table).ok_or_else(|| error(ErrorCode::NoTie))?;
    if result.tie.is_empty() {
        return Err(error(ErrorCode::NoTie));
    }
    if winners.is_empty() || winners.iter().any(|w| !result.tie.contains(w)) {
        return Err(error(ErrorCode::InvalidField).with_detail("winners"));
    }
    let mut unique = winners.to_vec();
    unique.dedup();
    Ok(Decision::of(vec![DomainEvent::TieSettled { table: table.clone(), winners: unique }]))
}
