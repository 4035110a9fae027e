//! The end of the workshop: the showcase on the projector, feedback, closing.

use super::events::DomainEvent;
use super::state::Workshop;
use super::*;
use atelier_proto::model::{validated_note, Phase};

pub fn start_showcase(workshop: &Workshop) -> Result<Decision, ProtoError> {
    require_phase(workshop, &[Phase::Results, Phase::Feedback])?;
    Ok(Decision::of(vec![DomainEvent::ShowcaseStarted]))
}

pub fn show_showcase_step(workshop: &Workshop, step: u32) -> Result<Decision, ProtoError> {
    require_phase(workshop, &[Phase::Showcase])?;
    if step as usize >= workshop.rounds.len() {
        return Err(error(ErrorCode::InvalidField).with_detail("step"));
    }
    Ok(Decision::of(vec![DomainEvent::ShowcaseStepShown { step }]))
}

pub fn open_feedback(workshop: &Workshop) -> Result<Decision, ProtoError> {
    require_phase(workshop, &[Phase::Results, Phase::Showcase])?;
    Ok(Decision::of(vec![DomainEvent::FeedbackOpened]))
}

/// Records a participant's feedback; sending it again replaces it.
pub fn submit_feedback(
    workshop: &Workshop,
    participant: &ParticipantId,
    rating: u8,
    comment: &str,
    invite_suggestion: &str,
) -> Result<Decision, ProtoError> {
    require_phase(workshop, &[Phase::Showcase, Phase::Feedback])?;
    require_known_participant(workshop, participant)?;
    if !(1..=5).contains(&rating) {
        return Err(error(ErrorCode::InvalidField).with_detail("rating"));
    }
    let comment = validated_note("comment", comment)?;
    let invite_suggestion = validated_note("invite_suggestion", invite_suggestion)?;
    Ok(Decision::of(vec![DomainEvent::FeedbackGiven { participant: participant.clone(), rating, comment, invite_suggestion }]))
}

pub fn close_workshop(workshop: &Workshop) -> Result<Decision, ProtoError> {
    if workshop.phase == Phase::Closed {
        return Err(error(ErrorCode::WorkshopClosed));
    }
    Ok(Decision::of(vec![DomainEvent::WorkshopClosed]))
}
