//! Writing: starting a theme, the countdown, and secrets sent by phone or typed from paper.

use super::events::DomainEvent;
use super::state::Workshop;
use super::*;
use atelier_proto::model::{validated_note, Phase, SecretFields, Source};
use serde_json::json;

/// Writing time beyond which an extension is refused: a day, far past any real workshop.
const MAX_TIMER_MS: i64 = 24 * 3600 * 1000;

pub fn start_writing(workshop: &Workshop, theme_key: Option<&str>, now_ms: i64) -> Result<Decision, ProtoError> {
    require_phase(workshop, &[Phase::Lobby, Phase::Results])?;
    let played: Vec<usize> = workshop.rounds.iter().map(|r| r.theme).collect();
    let theme = match theme_key {
        Some(key) => workshop.info.themes.iter().position(|t| t.key == key).ok_or_else(|| error(ErrorCode::UnknownTheme).with_detail(key))?,
        None => (0..workshop.info.themes.len()).find(|i| !played.contains(i)).ok_or_else(|| error(ErrorCode::UnknownTheme))?,
    };
    if played.contains(&theme) {
        return Err(error(ErrorCode::WrongPhase).with_detail("theme already played"));
    }
    let minutes = i64::from(workshop.info.themes[theme].writing_minutes.max(1));
    let mut events = Vec::new();
    if workshop.reshuffle.is_some() {
        events.push(DomainEvent::ReshuffleCancelled);
    }
    events.push(DomainEvent::WritingStarted { theme, at_ms: now_ms, ends_at_ms: now_ms + minutes * 60_000 });
    Ok(Decision { events, result: json!({ "theme": workshop.info.themes[theme].key }) })
}

/// Stores a secret for `author`. Late secrets are kept and flagged, never refused.
pub fn submit_secret(
    workshop: &Workshop,
    author: &ParticipantId,
    fields: &SecretFields,
    theme_key: Option<&str>,
    now_ms: i64,
    paper: bool,
) -> Result<Decision, ProtoError> {
    require_phase(workshop, &[Phase::Writing, Phase::Presenting, Phase::Voting, Phase::Results])?;
    let participant = require_known_participant(workshop, author)?;
    let current = workshop.round_index().ok_or_else(|| error(ErrorCode::WrongPhase))?;
    let round = match theme_key {
        None => current,
        Some(key) => workshop
            .rounds
            .iter()
            .position(|r| workshop.info.themes[r.theme].key == key)
            .ok_or_else(|| error(ErrorCode::UnknownTheme).with_detail(key))?,
    };
    // The table is where the author sat during that round; a late arrival counts where seated now.
    let seated_then = workshop.rounds[round].seating.iter().find(|(_, members)| members.contains(author)).map(|(t, _)| t.clone());
    let table = seated_then.or_else(|| participant.table.clone()).ok_or_else(|| error(ErrorCode::NotSeated))?;
    let fields = fields.validated()?;
    let late = round != current || workshop.phase != Phase::Writing || workshop.timer_for(Some(&table)).is_over(now_ms);
    let id = workshop.next_secret_id();
    let source = if paper { Source::Paper } else { Source::Phone };
    let event = DomainEvent::SecretSubmitted { id: id.clone(), round, table, author: author.clone(), source, fields, at_ms: now_ms, late };
    Ok(Decision { events: vec![event], result: json!({ "secret": id, "late": late }) })
}

fn require_timer_table(workshop: &Workshop, table: Option<&TableId>) -> Result<(), ProtoError> {
    require_phase(workshop, &[Phase::Writing])?;
    if let Some(table) = table {
        require_table(workshop, table)?;
    }
    Ok(())
}

pub fn extend_timer(workshop: &Workshop, table: Option<&TableId>, seconds: i64) -> Result<Decision, ProtoError> {
    require_timer_table(workshop, table)?;
    let ms = seconds.saturating_mul(1000);
    if seconds == 0 || ms.abs() > MAX_TIMER_MS {
        return Err(error(ErrorCode::InvalidField).with_detail("seconds"));
    }
    Ok(Decision::of(vec![DomainEvent::TimerExtended { table: table.cloned(), ms }]))
}

pub fn pause_timer(workshop: &Workshop, table: Option<&TableId>, now_ms: i64) -> Result<Decision, ProtoError> {
    require_timer_table(workshop, table)?;
    if workshop.timer_for(table).ends_at_ms.is_none() {
        return Err(error(ErrorCode::WrongPhase).with_detail("timer already paused"));
    }
    Ok(Decision::of(vec![DomainEvent::TimerPaused { table: table.cloned(), at_ms: now_ms }]))
}

pub fn resume_timer(workshop: &Workshop, table: Option<&TableId>, now_ms: i64) -> Result<Decision, ProtoError> {
    require_timer_table(workshop, table)?;
    if workshop.timer_for(table).paused_remaining_ms.is_none() {
        return Err(error(ErrorCode::WrongPhase).with_detail("timer not paused"));
    }
    Ok(Decision::of(vec![DomainEvent::TimerResumed { table: table.cloned(), at_ms: now_ms }]))
}

pub fn push_question(workshop: &Workshop, table: &TableId, text: &str) -> Result<Decision, ProtoError> {
    require_phase(workshop, &[Phase::Lobby, Phase::Writing, Phase::Presenting, Phase::Voting, Phase::Results])?;
    require_table(workshop, table)?;
    let text = validated_note("text", text)?;
    if text.is_empty() {
        return Err(error(ErrorCode::InvalidField).with_detail("text"));
    }
    Ok(Decision::of(vec![DomainEvent::QuestionPushed { table: table.clone(), text }]))
}
