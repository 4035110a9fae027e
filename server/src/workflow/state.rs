//! The in-memory state of one workshop, rebuilt by applying its domain events in order.
//!
//! `apply` never reads a clock and never fails: every check happens before an event is
//! stored (in `decide`), so replaying a log always yields the same state.

use super::events::{DomainEvent, Moderation, RoleTokenHashes};
use super::timer::Timer;
use super::tally;
use atelier_proto::model::*;
use atelier_proto::view::{FeedbackView, PresentingView, SecretRevision, WorkshopInfo};
use atelier_proto::*;
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Clone, Debug)]
pub struct Participant {
    pub id: ParticipantId,
    pub name: String,
    pub commune: CommuneRef,
    pub consents: Consents,
    pub email: Option<String>,
    pub source: Source,
    pub table: Option<TableId>,
    /// Table announced by an applied reshuffle, until the next theme starts.
    pub move_to: Option<TableId>,
}

#[derive(Clone, Debug)]
pub struct Secret {
    pub id: SecretId,
    pub round: usize,
    pub table: TableId,
    pub author: ParticipantId,
    pub source: Source,
    pub fields: SecretFields,
    pub status: SecretStatus,
    pub version: u32,
    pub reject_reason: Option<RejectReason>,
    pub moderation_note: Option<String>,
    pub late: bool,
    pub created_at_ms: i64,
    pub history: Vec<SecretRevision>,
    pub tourinsoft_type: Option<TourinsoftType>,
}

impl Secret {
    pub fn edited(&self) -> bool {
        !self.history.is_empty()
    }
}

/// Outcome of a table's vote for one round.
#[derive(Clone, Debug, Default)]
pub struct TableResult {
    pub tallies: Vec<(SecretId, u32)>,
    pub tie: Vec<SecretId>,
    pub winners: Vec<SecretId>,
}

/// One theme's round.
#[derive(Clone, Debug, Default)]
pub struct Round {
    pub theme: usize,
    pub started_at_ms: i64,
    /// Seating when writing started; later seat changes during the round update it.
    pub seating: BTreeMap<TableId, Vec<ParticipantId>>,
    pub table_timers: HashMap<TableId, Timer>,
    pub presenting: BTreeMap<TableId, PresentingView>,
    /// When each table's presentations last moved, for the stuck signal.
    pub presenting_moved_at_ms: HashMap<TableId, i64>,
    pub voting_opened_at_ms: Option<i64>,
    pub votes: BTreeMap<ParticipantId, SecretId>,
    pub results: BTreeMap<TableId, TableResult>,
    pub voting_closed: bool,
}

#[derive(Clone, Debug)]
pub struct Workshop {
    pub info: WorkshopInfo,
    pub tokens: RoleTokenHashes,
    pub phase: Phase,
    pub seq: u64,
    pub created_at_ms: i64,
    /// The clock of the last applied event that carried one.
    pub last_event_at_ms: i64,
    pub participants: Vec<Participant>,
    pub participant_index: HashMap<ParticipantId, usize>,
    /// Device tokens of participants (SHA-256 hex) and whom they belong to.
    pub participant_tokens: HashMap<String, ParticipantId>,
    pub secrets: Vec<Secret>,
    pub secret_index: HashMap<SecretId, usize>,
    pub rounds: Vec<Round>,
    pub room_timer: Timer,
    pub reshuffle: Option<Vec<(ParticipantId, TableId)>>,
    pub showcase_step: u32,
    pub feedback: BTreeMap<ParticipantId, FeedbackView>,
    /// Pairs of participants who already sat at one table, smaller id first.
    pub met: HashSet<(ParticipantId, ParticipantId)>,
}

/// Orders a pair so that (a, b) and (b, a) are the same key.
pub fn pair(a: &ParticipantId, b: &ParticipantId) -> (ParticipantId, ParticipantId) {
    if a <= b {
        (a.clone(), b.clone())
    } else {
        (b.clone(), a.clone())
    }
}

impl Workshop {
    /// Builds the state from the creation event.
    pub fn created(info: WorkshopInfo, tokens: RoleTokenHashes, at_ms: i64) -> Workshop {
        Workshop {
            info,
            tokens,
            phase: Phase::Lobby,
            seq: 1,
            created_at_ms: at_ms,
            last_event_at_ms: at_ms,
            participants: Vec::new(),
            participant_index: HashMap::new(),
            participant_tokens: HashMap::new(),
            secrets: Vec::new(),
            secret_index: HashMap::new(),
            rounds: Vec::new(),
            room_timer: Timer::default(),
            reshuffle: None,
            showcase_step: 0,
            feedback: BTreeMap::new(),
            met: HashSet::new(),
        }
    }

    pub fn participant(&self, id: &ParticipantId) -> Option<&Participant> {
        self.participant_index.get(id).map(|&i| &self.participants[i])
    }

    fn participant_mut(&mut self, id: &ParticipantId) -> Option<&mut Participant> {
        self.participant_index.get(id).map(|&i| &mut self.participants[i])
    }

    pub fn secret(&self, id: &SecretId) -> Option<&Secret> {
        self.secret_index.get(id).map(|&i| &self.secrets[i])
    }

    fn secret_mut(&mut self, id: &SecretId) -> Option<&mut Secret> {
        self.secret_index.get(id).map(|&i| &mut self.secrets[i])
    }

    pub fn current_round(&self) -> Option<&Round> {
        self.rounds.last()
    }

    fn current_round_mut(&mut self) -> Option<&mut Round> {
        self.rounds.last_mut()
    }

    pub fn round_index(&self) -> Option<usize> {
        self.rounds.len().checked_sub(1)
    }

    pub fn theme_of_round(&self, round: usize) -> &Theme {
        &self.info.themes[self.rounds[round].theme]
    }

    pub fn has_table(&self, table: &TableId) -> bool {
        self.info.tables.contains(table)
    }

    /// Members of a table now, in joining order.
    pub fn members(&self, table: &TableId) -> Vec<ParticipantId> {
        self.participants.iter().filter(|p| p.table.as_ref() == Some(table)).map(|p| p.id.clone()).collect()
    }

    /// The countdown that applies at `table`: its own when extended or paused alone.
    pub fn timer_for(&self, table: Option<&TableId>) -> Timer {
        let own = table.and_then(|t| self.current_round().and_then(|r| r.table_timers.get(t)));
        own.copied().unwrap_or(self.room_timer)
    }

    /// Secrets of the current round written at `table`.
    pub fn round_secrets<'a>(&'a self, table: &'a TableId) -> impl Iterator<Item = &'a Secret> + 'a {
        let round = self.round_index();
        self.secrets.iter().filter(move |s| Some(s.round) == round && &s.table == table)
    }

    pub fn next_participant_id(&self) -> ParticipantId {
        ParticipantId(format!("p{}", self.participants.len() + 1))
    }

    pub fn next_secret_id(&self) -> SecretId {
        SecretId(format!("s{}", self.secrets.len() + 1))
    }

    /// Applies one stored event. Events were validated before they were stored.
    pub fn apply(&mut self, event: &DomainEvent) {
        self.seq += 1;
        match event {
            DomainEvent::WorkshopCreated { .. } => {}
            DomainEvent::RoleTokensReplaced { tokens } => self.tokens = tokens.clone(),
            DomainEvent::ParticipantJoined { id, name, commune, consents, email, source, token_hash, table } => {
                self.participant_index.insert(id.clone(), self.participants.len());
                self.participants.push(Participant {
                    id: id.clone(),
                    name: name.clone(),
                    commune: commune.clone(),
                    consents: *consents,
                    email: email.clone(),
                    source: *source,
                    table: None,
                    move_to: None,
                });
                if let Some(hash) = token_hash {
                    self.participant_tokens.insert(hash.clone(), id.clone());
                }
                if table.is_some() {
                    self.seat(id, table.clone());
                }
            }
            DomainEvent::ParticipantTokenAdded { id, token_hash } => {
                self.participant_tokens.insert(token_hash.clone(), id.clone());
            }
            DomainEvent::ParticipantSeated { id, table } => self.seat(id, table.clone()),
            DomainEvent::WritingStarted { theme, at_ms, ends_at_ms } => {
                self.last_event_at_ms = *at_ms;
                for p in &mut self.participants {
                    p.move_to = None;
                }
                let mut seating: BTreeMap<TableId, Vec<ParticipantId>> = self.info.tables.iter().map(|t| (t.clone(), Vec::new())).collect();
                for p in &self.participants {
                    if let Some(t) = &p.table {
                        seating.entry(t.clone()).or_default().push(p.id.clone());
                    }
                }
                for members in seating.values() {
                    for (i, a) in members.iter().enumerate() {
                        for b in &members[i + 1..] {
                            self.met.insert(pair(a, b));
                        }
                    }
                }
                self.rounds.push(Round { theme: *theme, started_at_ms: *at_ms, seating, ..Round::default() });
                self.room_timer = Timer::running_until(*ends_at_ms);
                self.reshuffle = None;
                self.phase = Phase::Writing;
            }
            DomainEvent::TimerExtended { table, ms } => self.change_timer(table.as_ref(), |t| t.extend(*ms)),
            DomainEvent::TimerPaused { table, at_ms } => {
                self.last_event_at_ms = *at_ms;
                self.change_timer(table.as_ref(), |t| t.pause(*at_ms));
            }
            DomainEvent::TimerResumed { table, at_ms } => {
                self.last_event_at_ms = *at_ms;
                self.change_timer(table.as_ref(), |t| t.resume(*at_ms));
            }
            DomainEvent::SecretSubmitted { id, round, table, author, source, fields, at_ms, late } => {
                self.last_event_at_ms = *at_ms;
                self.secret_index.insert(id.clone(), self.secrets.len());
                self.secrets.push(Secret {
                    id: id.clone(),
                    round: *round,
                    table: table.clone(),
                    author: author.clone(),
                    source: *source,
                    fields: fields.clone(),
                    status: SecretStatus::Pending,
                    version: 1,
                    reject_reason: None,
                    moderation_note: None,
                    late: *late,
                    created_at_ms: *at_ms,
                    history: Vec::new(),
                    tourinsoft_type: None,
                });
            }
            DomainEvent::SecretModerated { id, decision, at_ms } => {
                self.last_event_at_ms = *at_ms;
                if let Some(secret) = self.secret_mut(id) {
                    secret.version += 1;
                    match decision {
                        Moderation::Approve => {
                            secret.status = SecretStatus::Approved;
                            secret.reject_reason = None;
                            secret.moderation_note = None;
                        }
                        Moderation::Edit { fields } => {
                            let previous = std::mem::replace(&mut secret.fields, fields.clone());
                            secret.history.push(SecretRevision { version: secret.version - 1, fields: previous, at_ms: *at_ms });
                            secret.status = SecretStatus::Approved;
                            secret.reject_reason = None;
                            secret.moderation_note = None;
                        }
                        Moderation::Reject { reason, note } => {
                            secret.status = SecretStatus::Rejected;
                            secret.reject_reason = Some(*reason);
                            secret.moderation_note = Some(note.clone()).filter(|n| !n.is_empty());
                        }
                        Moderation::ToCheck { note } => {
                            secret.status = SecretStatus::ToCheck;
                            secret.reject_reason = None;
                            secret.moderation_note = Some(note.clone()).filter(|n| !n.is_empty());
                        }
                    }
                }
            }
            DomainEvent::TourinsoftTypeSet { id, object_type } => {
                if let Some(secret) = self.secret_mut(id) {
                    secret.tourinsoft_type = Some(*object_type);
                }
            }
            DomainEvent::PresentingStarted { orders, at_ms } => {
                let at = *at_ms;
                if let Some(round) = self.current_round_mut() {
                    for (table, order) in orders {
                        round.presenting.insert(table.clone(), PresentingView { order: order.clone(), current: 0, spotlight: None });
                        round.presenting_moved_at_ms.insert(table.clone(), at);
                    }
                }
                self.phase = Phase::Presenting;
            }
            DomainEvent::SecretSpotlighted { table, secret, at_ms } => {
                let at = *at_ms;
                if let Some(round) = self.current_round_mut() {
                    if let Some(p) = round.presenting.get_mut(table) {
                        p.spotlight = Some(secret.clone());
                    }
                    round.presenting_moved_at_ms.insert(table.clone(), at);
                }
            }
            DomainEvent::PresenterFinished { table, at_ms } => {
                let at = *at_ms;
                if let Some(round) = self.current_round_mut() {
                    if let Some(p) = round.presenting.get_mut(table) {
                        p.current = (p.current + 1).min(p.order.len());
                        p.spotlight = None;
                    }
                    round.presenting_moved_at_ms.insert(table.clone(), at);
                }
            }
            DomainEvent::VotingOpened { at_ms } => {
                let at = *at_ms;
                if let Some(round) = self.current_round_mut() {
                    round.voting_opened_at_ms = Some(at);
                }
                self.phase = Phase::Voting;
            }
            DomainEvent::VoteCast { participant, secret } => {
                if let Some(round) = self.current_round_mut() {
                    round.votes.insert(participant.clone(), secret.clone());
                }
            }
            DomainEvent::VoteCleared { participant } => {
                if let Some(round) = self.current_round_mut() {
                    round.votes.remove(participant);
                }
            }
            DomainEvent::VotingClosed => {
                let results = tally::close_round(self);
                if let Some(round) = self.current_round_mut() {
                    round.results = results;
                    round.voting_closed = true;
                }
                self.phase = Phase::Results;
            }
            DomainEvent::TieSettled { table, winners } => {
                if let Some(round) = self.current_round_mut() {
                    let result = round.results.entry(table.clone()).or_default();
                    result.winners = winners.clone();
                    result.tie.clear();
                }
            }
            DomainEvent::ReshuffleProposed { seating } => self.reshuffle = Some(seating.clone()),
            DomainEvent::ReshuffleAdjusted { participant, table } => {
                if let Some(seating) = self.reshuffle.as_mut() {
                    match seating.iter_mut().find(|(p, _)| p == participant) {
                        Some(entry) => entry.1 = table.clone(),
                        None => seating.push((participant.clone(), table.clone())),
                    }
                }
            }
            DomainEvent::ReshuffleApplied => {
                if let Some(seating) = self.reshuffle.take() {
                    for (participant, table) in seating {
                        let moved = self.participant(&participant).is_some_and(|p| p.table.as_ref() != Some(&table));
                        self.seat(&participant, Some(table.clone()));
                        if let Some(p) = self.participant_mut(&participant) {
                            p.move_to = if moved { Some(table) } else { None };
                        }
                    }
                }
            }
            DomainEvent::ReshuffleCancelled => self.reshuffle = None,
            DomainEvent::QuestionPushed { .. } => {}
            DomainEvent::ShowcaseStarted => {
                self.phase = Phase::Showcase;
                self.showcase_step = 0;
            }
            DomainEvent::ShowcaseStepShown { step } => self.showcase_step = *step,
            DomainEvent::FeedbackOpened => self.phase = Phase::Feedback,
            DomainEvent::FeedbackGiven { participant, rating, comment, invite_suggestion } => {
                self.feedback.insert(
                    participant.clone(),
                    FeedbackView {
                        participant: participant.clone(),
                        rating: *rating,
                        comment: comment.clone(),
                        invite_suggestion: invite_suggestion.clone(),
                    },
                );
            }
            DomainEvent::WorkshopClosed => self.phase = Phase::Closed,
        }
    }

    /// Seats a participant and keeps the current round's seating in step, so that a person
    /// who arrives late still counts at their table.
    fn seat(&mut self, id: &ParticipantId, table: Option<TableId>) {
        if let Some(p) = self.participant_mut(id) {
            p.table = table.clone();
        }
        let in_round = matches!(self.phase, Phase::Writing | Phase::Presenting | Phase::Voting);
        if in_round {
            if let Some(round) = self.current_round_mut() {
                for members in round.seating.values_mut() {
                    members.retain(|m| m != id);
                }
                if let Some(t) = &table {
                    round.seating.entry(t.clone()).or_default().push(id.clone());
                }
            }
        }
    }

    fn change_timer(&mut self, table: Option<&TableId>, change: impl Fn(&mut Timer)) {
        match table {
            None => {
                change(&mut self.room_timer);
                if let Some(round) = self.rounds.last_mut() {
                    for timer in round.table_timers.values_mut() {
                        change(timer);
                    }
                }
            }
            Some(table) => {
                let room = self.room_timer;
                if let Some(round) = self.rounds.last_mut() {
                    change(round.table_timers.entry(table.clone()).or_insert(room));
                }
            }
        }
    }
}
