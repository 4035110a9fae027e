//! Presenting: each person in turn shows their secrets to their table, then hands over.

use super::events::DomainEvent;
use super::state::Workshop;
use super::*;
use atelier_proto::model::{Phase, SecretStatus};

pub fn start_presenting(workshop: &Workshop, now_ms: i64) -> Result<Decision, ProtoError> {
    require_phase(workshop, &[Phase::Writing])?;
    let round = workshop.current_round().ok_or_else(|| error(ErrorCode::WrongPhase))?;
    let orders = round.seating.iter().map(|(table, members)| (table.clone(), members.clone())).collect();
    Ok(Decision::of(vec![DomainEvent::PresentingStarted { orders, at_ms: now_ms }]))
}

/// The table whose presentations the actor may drive, and whether they are the presenter.
fn presenting_table(workshop: &Workshop, actor: &Actor, table: Option<&TableId>) -> Result<TableId, ProtoError> {
    let round = workshop.current_round().ok_or_else(|| error(ErrorCode::WrongPhase))?;
    match actor {
        Actor::Participant(id) => {
            let participant = require_known_participant(workshop, id)?;
            let table = participant.table.clone().ok_or_else(|| error(ErrorCode::NotSeated))?;
            let presenting = round.presenting.get(&table).ok_or_else(|| error(ErrorCode::WrongPhase))?;
            if presenting.order.get(presenting.current) != Some(id) {
                return Err(error(ErrorCode::NotPresenter));
            }
            Ok(table)
        }
        Actor::Staff(_) => {
            require_staff(actor, &[atelier_proto::model::Role::Facilitator])?;
            let table = table.ok_or_else(|| error(ErrorCode::UnknownTable).with_detail("table"))?;
            require_table(workshop, table)?;
            Ok(table.clone())
        }
        Actor::Projector => Err(error(ErrorCode::Forbidden)),
    }
}

pub fn spotlight_secret(workshop: &Workshop, actor: &Actor, secret_id: &SecretId, now_ms: i64) -> Result<Decision, ProtoError> {
    require_phase(workshop, &[Phase::Presenting])?;
    let secret = require_secret(workshop, secret_id)?;
    let table = presenting_table(workshop, actor, Some(&secret.table))?;
    if secret.table != table || Some(secret.round) != workshop.round_index() {
        return Err(error(ErrorCode::OtherTable));
    }
    if let Actor::Participant(id) = actor {
        if &secret.author != id {
            return Err(error(ErrorCode::NotPresenter).with_detail("not your secret"));
        }
    }
    if secret.status == SecretStatus::Rejected {
        return Err(error(ErrorCode::SecretRejected));
    }
    Ok(Decision::of(vec![DomainEvent::SecretSpotlighted { table, secret: secret_id.clone(), at_ms: now_ms }]))
}

pub fn finish_presenting(workshop: &Workshop, actor: &Actor, table: Option<&TableId>, now_ms: i64) -> Result<Decision, ProtoError> {
    require_phase(workshop, &[Phase::Presenting])?;
    let table = presenting_table(workshop, actor, table)?;
    let round = workshop.current_round().ok_or_else(|| error(ErrorCode::WrongPhase))?;
    let presenting = round.presenting.get(&table).ok_or_else(|| error(ErrorCode::WrongPhase))?;
    if presenting.current >= presenting.order.len() {
        return Err(error(ErrorCode::WrongPhase).with_detail("presentations already finished"));
    }
    Ok(Decision::of(vec![DomainEvent::PresenterFinished { table, at_ms: now_ms }]))
}
