//! The workshop flow, enforced by the server.
//!
//! A command goes through [`decide`], which checks the sender's role and the workshop's phase
//! against the current [`state::Workshop`] and returns the domain events to store. Once stored,
//! the events are applied with [`state::Workshop::apply`]. Deciding is pure (the clock is an
//! argument), so it is tested without a server.

pub mod events;
mod moderation;
mod presenting;
pub mod reshuffle;
mod seating;
mod showcase;
pub mod state;
pub mod stuck;
pub mod tally;
pub mod timer;
mod voting;
mod writing;

use atelier_proto::model::{Phase, Role};
use atelier_proto::*;
use events::DomainEvent;
use serde_json::{json, Value};
use state::Workshop;

/// The sender of a command, as established by the connection's token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    Staff(Role),
    Projector,
    Participant(ParticipantId),
}

impl Actor {
    pub fn role(&self) -> Role {
        match self {
            Actor::Staff(role) => *role,
            Actor::Projector => Role::Projector,
            Actor::Participant(_) => Role::Participant,
        }
    }
}

/// The events a command produces and the result sent back in its acknowledgement.
#[derive(Debug, Default)]
pub struct Decision {
    pub events: Vec<DomainEvent>,
    pub result: Value,
}

impl Decision {
    fn of(events: Vec<DomainEvent>) -> Decision {
        Decision { events, result: json!({}) }
    }

    /// A decision with an empty result, for events the server itself produces.
    pub fn of_events(events: Vec<DomainEvent>) -> Decision {
        Decision::of(events)
    }
}

pub use seating::join_participant as seating_join;

pub(crate) fn error(code: ErrorCode) -> ProtoError {
    ProtoError::new(code)
}

/// Rejects the command unless the actor is staff with one of `roles`.
pub(crate) fn require_staff(actor: &Actor, roles: &[Role]) -> Result<(), ProtoError> {
    match actor {
        Actor::Staff(role) if roles.contains(role) || *role == Role::Organizer => Ok(()),
        _ => Err(error(ErrorCode::Forbidden)),
    }
}

pub(crate) fn require_participant(actor: &Actor) -> Result<&ParticipantId, ProtoError> {
    match actor {
        Actor::Participant(id) => Ok(id),
        _ => Err(error(ErrorCode::Forbidden)),
    }
}

pub(crate) fn require_phase(workshop: &Workshop, phases: &[Phase]) -> Result<(), ProtoError> {
    if workshop.phase == Phase::Closed {
        return Err(error(ErrorCode::WorkshopClosed));
    }
    if !phases.contains(&workshop.phase) {
        return Err(error(ErrorCode::WrongPhase).with_detail(format!("{:?}", workshop.phase).to_lowercase()));
    }
    Ok(())
}

pub(crate) fn require_table(workshop: &Workshop, table: &TableId) -> Result<(), ProtoError> {
    if workshop.has_table(table) {
        Ok(())
    } else {
        Err(error(ErrorCode::UnknownTable).with_detail(table.as_str()))
    }
}

pub(crate) fn require_known_participant<'a>(workshop: &'a Workshop, id: &ParticipantId) -> Result<&'a state::Participant, ProtoError> {
    workshop.participant(id).ok_or_else(|| error(ErrorCode::UnknownParticipant).with_detail(id.as_str()))
}

pub(crate) fn require_secret<'a>(workshop: &'a Workshop, id: &SecretId) -> Result<&'a state::Secret, ProtoError> {
    workshop.secret(id).ok_or_else(|| error(ErrorCode::UnknownSecret).with_detail(id.as_str()))
}

const FACILITATOR: &[Role] = &[Role::Facilitator];
const STAFF: &[Role] = &[Role::Facilitator, Role::Moderator];

/// Checks `command` from `actor` against the workshop and returns the events to store.
pub fn decide(workshop: &Workshop, actor: &Actor, command: &Command, now_ms: i64) -> Result<Decision, ProtoError> {
    if actor == &Actor::Projector {
        return Err(error(ErrorCode::Forbidden));
    }
    match command {
        Command::SubmitSecret { fields } => {
            let author = require_participant(actor)?;
            writing::submit_secret(workshop, author, fields, None, now_ms, false)
        }
        Command::SubmitPaperSecret { participant, fields, theme } => {
            require_staff(actor, STAFF)?;
            writing::submit_secret(workshop, participant, fields, theme.as_deref(), now_ms, true)
        }
        Command::SpotlightSecret { secret } => presenting::spotlight_secret(workshop, actor, secret, now_ms),
        Command::FinishPresenting { table } => presenting::finish_presenting(workshop, actor, table.as_ref(), now_ms),
        Command::CastVote { secret } => {
            let voter = require_participant(actor)?;
            voting::cast_vote(workshop, voter, secret)
        }
        Command::CastVoteFor { participant, secret } => {
            require_staff(actor, FACILITATOR)?;
            voting::cast_vote(workshop, participant, secret)
        }
        Command::SubmitFeedback { rating, comment, invite_suggestion } => {
            let participant = require_participant(actor)?;
            showcase::submit_feedback(workshop, participant, *rating, comment, invite_suggestion)
        }
        Command::AddPaperParticipant { name, commune, consents, email, table } => {
            require_staff(actor, STAFF)?;
            seating::add_paper_participant(workshop, name, commune, *consents, email.as_deref(), table.as_ref())
        }
        Command::SeatParticipant { participant, table } => {
            require_staff(actor, FACILITATOR)?;
            seating::seat_participant(workshop, participant, table.as_ref())
        }
        Command::SeatAutomatically => {
            require_staff(actor, FACILITATOR)?;
            seating::seat_automatically(workshop)
        }
        Command::StartWriting { theme } => {
            require_staff(actor, FACILITATOR)?;
            writing::start_writing(workshop, theme.as_deref(), now_ms)
        }
        Command::ExtendTimer { table, seconds } => {
            require_staff(actor, FACILITATOR)?;
            writing::extend_timer(workshop, table.as_ref(), *seconds)
        }
        Command::PauseTimer { table } => {
            require_staff(actor, FACILITATOR)?;
            writing::pause_timer(workshop, table.as_ref(), now_ms)
        }
        Command::ResumeTimer { table } => {
            require_staff(actor, FACILITATOR)?;
            writing::resume_timer(workshop, table.as_ref(), now_ms)
        }
        Command::StartPresenting => {
            require_staff(actor, FACILITATOR)?;
            presenting::start_presenting(workshop, now_ms)
        }
        Command::OpenVoting => {
            require_staff(actor, FACILITATOR)?;
            voting::open_voting(workshop, now_ms)
        }
        Command::CloseVoting => {
            require_staff(actor, FACILITATOR)?;
            voting::close_voting(workshop)
        }
        Command::SettleTie { table, winners } => {
            require_staff(actor, FACILITATOR)?;
            voting::settle_tie(workshop, table, winners)
        }
        Command::PreviewReshuffle => {
            require_staff(actor, FACILITATOR)?;
            reshuffle::preview_reshuffle(workshop)
        }
        Command::AdjustReshuffle { participant, table } => {
            require_staff(actor, FACILITATOR)?;
            reshuffle::adjust_reshuffle(workshop, participant, table)
        }
        Command::ApplyReshuffle => {
            require_staff(actor, FACILITATOR)?;
            reshuffle::apply_reshuffle(workshop)
        }
        Command::CancelReshuffle => {
            require_staff(actor, FACILITATOR)?;
            reshuffle::cancel_reshuffle(workshop)
        }
        Command::PushQuestion { table, text } => {
            require_staff(actor, FACILITATOR)?;
            writing::push_question(workshop, table, text)
        }
        Command::StartShowcase => {
            require_staff(actor, FACILITATOR)?;
            showcase::start_showcase(workshop)
        }
        Command::ShowShowcaseStep { step } => {
            require_staff(actor, FACILITATOR)?;
            showcase::show_showcase_step(workshop, *step)
        }
        Command::OpenFeedback => {
            require_staff(actor, FACILITATOR)?;
            showcase::open_feedback(workshop)
        }
        Command::CloseWorkshop => {
            require_staff(actor, FACILITATOR)?;
            showcase::close_workshop(workshop)
        }
        Command::ApproveSecret { secret, version } => {
            require_staff(actor, STAFF)?;
            moderation::moderate(workshop, secret, *version, events::Moderation::Approve, now_ms)
        }
        Command::EditSecret { secret, version, fields } => {
            require_staff(actor, STAFF)?;
            let fields = fields.validated()?;
            moderation::moderate(workshop, secret, *version, events::Moderation::Edit { fields }, now_ms)
        }
        Command::RejectSecret { secret, version, reason, note } => {
            require_staff(actor, STAFF)?;
            let note = atelier_proto::model::validated_note("note", note)?;
            moderation::moderate(workshop, secret, *version, events::Moderation::Reject { reason: *reason, note }, now_ms)
        }
        Command::SetTourinsoftType { secret, object_type } => {
            require_staff(actor, STAFF)?;
            require_secret(workshop, secret)?;
            Ok(Decision::of(vec![DomainEvent::TourinsoftTypeSet { id: secret.clone(), object_type: *object_type }]))
        }
        Command::MarkToCheck { secret, version, note } => {
            require_staff(actor, STAFF)?;
            let note = atelier_proto::model::validated_note("note", note)?;
            moderation::moderate(workshop, secret, *version, events::Moderation::ToCheck { note }, now_ms)
        }
    }
}
