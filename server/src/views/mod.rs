//! Each role's view of a workshop: what a device of that role may see, and nothing more.
//!
//! - Staff (facilitator, moderator, organizer) see everything, e-mail addresses included.
//! - The projector sees approved secrets only, no personal data, and first names only where
//!   the author agreed to show them.
//! - A participant sees their own data and secrets (with moderation status), their table's
//!   members, and their table's secrets of the current theme once presentations start.

use crate::workflow::state::{Participant, Secret, Workshop};
use atelier_proto::model::*;
use atelier_proto::view::*;
use atelier_proto::*;

/// Whose view is built.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Viewer {
    Staff,
    Projector,
    Participant(ParticipantId),
}

pub fn stage_view(workshop: &Workshop, now_ms: i64) -> StageView {
    StageView {
        phase: workshop.phase,
        round: workshop.current_round().map(|r| r.theme),
        timer: if workshop.phase == Phase::Writing { workshop.room_timer.view() } else { TimerView::default() },
        server_now_ms: now_ms,
    }
}

pub fn participant_view(workshop: &Workshop, participant: &Participant, viewer: &Viewer) -> Option<ParticipantView> {
    let full = match viewer {
        Viewer::Staff => true,
        Viewer::Participant(me) if me == &participant.id => true,
        Viewer::Participant(me) => {
            let my_table = workshop.participant(me).and_then(|p| p.table.as_ref());
            if my_table.is_none() || my_table != participant.table.as_ref() {
                return None;
            }
            false
        }
        Viewer::Projector => return None,
    };
    Some(ParticipantView {
        id: participant.id.clone(),
        name: participant.name.clone(),
        table: participant.table.clone(),
        source: participant.source,
        commune: full.then(|| participant.commune.clone()),
        email: if full { participant.email.clone() } else { None },
        consents: full.then_some(participant.consents),
    })
}

/// Tells whether presentations of the secret's round have started, so its table may see it.
fn shown_to_table(workshop: &Workshop, secret: &Secret) -> bool {
    Some(secret.round) == workshop.round_index() && matches!(workshop.phase, Phase::Presenting | Phase::Voting | Phase::Results)
}

pub fn secret_view(workshop: &Workshop, secret: &Secret, viewer: &Viewer) -> Option<SecretView> {
    let author = workshop.participant(&secret.author);
    let consented_name = author.filter(|a| a.consents.show_name).map(|a| a.name.clone());
    let (show_status, show_author) = match viewer {
        Viewer::Staff => (true, true),
        Viewer::Projector => {
            if secret.status != SecretStatus::Approved {
                return None;
            }
            (false, false)
        }
        Viewer::Participant(me) if me == &secret.author => (true, true),
        Viewer::Participant(me) => {
            // Where the viewer sat during the secret's round, not where they sit now: after a
            // reshuffle, the new table's secrets of that round belong to other people.
            let sat_there = workshop.rounds.get(secret.round).and_then(|r| r.seating.get(&secret.table)).is_some_and(|members| members.contains(me));
            let visible = sat_there && shown_to_table(workshop, secret) && secret.status != SecretStatus::Rejected;
            if !visible {
                return None;
            }
            (false, true)
        }
    };
    let author_name = if *viewer == Viewer::Staff || show_status { author.map(|a| a.name.clone()) } else { consented_name };
    Some(SecretView {
        id: secret.id.clone(),
        version: secret.version,
        theme: workshop.theme_of_round(secret.round).key.clone(),
        table: secret.table.clone(),
        fields: secret.fields.clone(),
        author: show_author.then(|| secret.author.clone()),
        author_name,
        status: show_status.then_some(secret.status),
        reject_reason: if show_status { secret.reject_reason } else { None },
        moderation_note: if show_status { secret.moderation_note.clone() } else { None },
        source: secret.source,
        late: secret.late,
        created_at_ms: secret.created_at_ms,
        edited: secret.edited(),
        tourinsoft_type: if *viewer == Viewer::Staff { secret.tourinsoft_type } else { None },
        history: if *viewer == Viewer::Staff { secret.history.clone() } else { Vec::new() },
    })
}

pub fn table_view(workshop: &Workshop, table: &TableId, viewer: &Viewer) -> Option<TableView> {
    if let Viewer::Participant(me) = viewer {
        let mine = workshop.participant(me).and_then(|p| p.table.as_ref()) == Some(table);
        if !mine {
            return None;
        }
    }
    let round = workshop.current_round();
    let members = workshop.members(table);
    let secrets: Vec<&Secret> = workshop.round_secrets(table).collect();
    let votes_cast = round.map(|r| members.iter().filter(|m| r.votes.contains_key(*m)).count() as u32).unwrap_or(0);
    let result = round.and_then(|r| r.results.get(table));
    let closed = round.is_some_and(|r| r.voting_closed);
    let own_timer = round.and_then(|r| r.table_timers.get(table)).filter(|_| workshop.phase == Phase::Writing);
    Some(TableView {
        id: table.clone(),
        members: if *viewer == Viewer::Projector { Vec::new() } else { members.clone() },
        timer: own_timer.map(|t| t.view()).unwrap_or_default(),
        presenting: round.and_then(|r| r.presenting.get(table)).cloned().unwrap_or_default(),
        secrets_count: secrets.len() as u32,
        last_secret_at_ms: secrets.iter().map(|s| s.created_at_ms).max(),
        votes_cast,
        votes_expected: members.len() as u32,
        tallies: match (viewer, result) {
            (Viewer::Staff, Some(r)) => r.tallies.clone(),
            (Viewer::Staff, None) => live_tallies(workshop, table),
            (Viewer::Participant(_), Some(r)) if closed => r.tallies.clone(),
            _ => Vec::new(),
        },
        tie: result.map(|r| r.tie.clone()).unwrap_or_default(),
        winners: result.map(|r| r.winners.clone()).unwrap_or_default(),
    })
}

/// Votes so far at a table during the vote, for staff.
fn live_tallies(workshop: &Workshop, table: &TableId) -> Vec<(SecretId, u32)> {
    let Some(round) = workshop.current_round() else { return Vec::new() };
    if workshop.phase != Phase::Voting {
        return Vec::new();
    }
    workshop
        .round_secrets(table)
        .map(|s| (s.id.clone(), round.votes.values().filter(|v| *v == &s.id).count() as u32))
        .collect()
}

pub fn me_view(workshop: &Workshop, participant: &Participant) -> MeView {
    MeView {
        participant: participant_view(workshop, participant, &Viewer::Participant(participant.id.clone())).expect("own view"),
        vote: workshop.current_round().and_then(|r| r.votes.get(&participant.id).cloned()),
        feedback_given: workshop.feedback.contains_key(&participant.id),
        move_to: participant.move_to.clone(),
    }
}

pub fn reshuffle_view(workshop: &Workshop) -> Option<ReshuffleView> {
    let seating = workshop.reshuffle.clone()?;
    let repeat_pairs = crate::workflow::reshuffle::repeat_pairs(&seating, &workshop.met);
    Some(ReshuffleView { seating, repeat_pairs })
}

/// Builds the showcase, once started: each played theme with each table's approved winners.
pub fn showcase_view(workshop: &Workshop) -> Option<ShowcaseView> {
    if !matches!(workshop.phase, Phase::Showcase | Phase::Feedback | Phase::Closed) {
        return None;
    }
    let themes = workshop
        .rounds
        .iter()
        .map(|round| {
            let items = round
                .results
                .iter()
                .flat_map(|(table, result)| result.winners.iter().map(move |w| (table, w)))
                .filter_map(|(table, winner)| {
                    let secret = workshop.secret(winner)?;
                    // NOTE: a winner that is not approved (still pending, or "à vérifier") is
                    // left out of the showcase, since the projector never shows unapproved text.
                    let view = secret_view(workshop, secret, &Viewer::Projector)?;
                    Some(ShowcaseItem { table: table.clone(), secret: view })
                })
                .collect();
            ShowcaseTheme { theme: workshop.info.themes[round.theme].key.clone(), items }
        })
        .collect();
    Some(ShowcaseView { step: workshop.showcase_step, themes })
}

/// Builds the whole view of `viewer`.
pub fn snapshot(workshop: &Workshop, viewer: &Viewer, now_ms: i64, live: LiveView) -> Snapshot {
    let me = match viewer {
        Viewer::Participant(id) => workshop.participant(id).map(|p| me_view(workshop, p)),
        _ => None,
    };
    let staff = *viewer == Viewer::Staff;
    Snapshot {
        workshop: workshop.info.clone(),
        stage: stage_view(workshop, now_ms),
        me,
        participants: workshop.participants.iter().filter_map(|p| participant_view(workshop, p, viewer)).collect(),
        secrets: workshop.secrets.iter().filter_map(|s| secret_view(workshop, s, viewer)).collect(),
        tables: workshop.info.tables.iter().filter_map(|t| table_view(workshop, t, viewer)).collect(),
        reshuffle: if staff { reshuffle_view(workshop) } else { None },
        showcase: showcase_view(workshop),
        feedback: if staff { workshop.feedback.values().cloned().collect() } else { Vec::new() },
        live: if staff { live } else { LiveView::default() },
    }
}
