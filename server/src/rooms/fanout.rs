//! Turning one stored event into the messages each audience receives.
//!
//! Each change is serialized once per audience class (staff, projector, one table's
//! participants, one participant's own data) and the per-device messages are assembled from
//! those pieces, so a busy table costs one serialization per change, not one per phone.

use crate::views::{self, Viewer};
use crate::workflow::events::DomainEvent;
use crate::workflow::state::Workshop;
use atelier_proto::view::LiveView;
use atelier_proto::*;
use std::collections::HashMap;
use std::sync::Arc;

/// The messages of one sequence number, per audience. A device sends the one meant for it.
#[derive(Debug, Default)]
pub struct Outbound {
    pub seq: u64,
    pub staff: Option<Arc<str>>,
    pub projector: Option<Arc<str>>,
    pub participants: HashMap<ParticipantId, Arc<str>>,
}

impl Outbound {
    pub fn for_viewer(&self, viewer: &Viewer) -> Option<&Arc<str>> {
        match viewer {
            Viewer::Staff => self.staff.as_ref(),
            Viewer::Projector => self.projector.as_ref(),
            Viewer::Participant(id) => self.participants.get(id),
        }
    }
}

/// One entity touched by an event.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Change {
    Stage,
    AllTables,
    Table(TableId),
    Participant(ParticipantId),
    /// A secret; `removable` sends `secret_removed` to viewers who may no longer see it.
    Secret { id: SecretId, removable: bool },
    Me(ParticipantId),
    Reshuffle,
    Showcase,
    Feedback(ParticipantId),
    Question { table: TableId, text: String },
    VoteClearedNotice(ParticipantId),
    /// The whole view: for changes that reshape it (new theme, new seats, results).
    Reset,
}

/// The audience class a piece is serialized for: pieces are shared within a class.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Class {
    Staff,
    Projector,
    Table(Option<TableId>),
    Own(ParticipantId),
}

fn changes_of(workshop: &Workshop, event: &DomainEvent) -> Vec<Change> {
    let table_of = |p: &ParticipantId| workshop.participant(p).and_then(|p| p.table.clone());
    match event {
        DomainEvent::WorkshopCreated { .. } | DomainEvent::ParticipantTokenAdded { .. } | DomainEvent::RoleTokensReplaced { .. } => Vec::new(),
        DomainEvent::ParticipantJoined { id, .. } => {
            let mut changes = vec![Change::Participant(id.clone())];
            if let Some(t) = table_of(id) {
                changes.push(Change::Table(t));
            }
            changes
        }
        DomainEvent::TimerExtended { table, .. } | DomainEvent::TimerPaused { table, .. } | DomainEvent::TimerResumed { table, .. } => match table {
            None => vec![Change::Stage, Change::AllTables],
            Some(t) => vec![Change::Table(t.clone())],
        },
        DomainEvent::SecretSubmitted { id, table, .. } => vec![Change::Secret { id: id.clone(), removable: false }, Change::Table(table.clone())],
        DomainEvent::TourinsoftTypeSet { id, .. } => vec![Change::Secret { id: id.clone(), removable: false }],
        DomainEvent::SecretModerated { id, .. } => {
            let mut changes = vec![Change::Secret { id: id.clone(), removable: true }];
            if workshop.phase == atelier_proto::model::Phase::Showcase || workshop.phase == atelier_proto::model::Phase::Feedback {
                changes.push(Change::Showcase);
            }
            changes
        }
        DomainEvent::SecretSpotlighted { table, .. } | DomainEvent::PresenterFinished { table, .. } => vec![Change::Table(table.clone())],
        DomainEvent::VoteCast { participant, .. } => {
            let mut changes = vec![Change::Me(participant.clone())];
            if let Some(t) = table_of(participant) {
                changes.push(Change::Table(t));
            }
            changes
        }
        DomainEvent::VoteCleared { participant } => {
            let mut changes = vec![Change::Me(participant.clone()), Change::VoteClearedNotice(participant.clone())];
            if let Some(t) = table_of(participant) {
                changes.push(Change::Table(t));
            }
            changes
        }
        DomainEvent::ReshuffleProposed { .. } | DomainEvent::ReshuffleAdjusted { .. } | DomainEvent::ReshuffleCancelled => vec![Change::Reshuffle],
        DomainEvent::QuestionPushed { table, text } => vec![Change::Question { table: table.clone(), text: text.clone() }],
        DomainEvent::ShowcaseStepShown { .. } => vec![Change::Showcase],
        DomainEvent::FeedbackGiven { participant, .. } => vec![Change::Feedback(participant.clone()), Change::Me(participant.clone())],
        DomainEvent::TieSettled { table, .. } => vec![Change::Table(table.clone())],
        DomainEvent::ParticipantSeated { .. }
        | DomainEvent::WritingStarted { .. }
        | DomainEvent::PresentingStarted { .. }
        | DomainEvent::VotingOpened { .. }
        | DomainEvent::VotingClosed
        | DomainEvent::ReshuffleApplied
        | DomainEvent::ShowcaseStarted
        | DomainEvent::FeedbackOpened
        | DomainEvent::WorkshopClosed => vec![Change::Reset],
    }
}

struct Renderer<'a> {
    workshop: &'a Workshop,
    now_ms: i64,
    live: &'a LiveView,
    cache: HashMap<(Change, Class), Option<Arc<str>>>,
}

fn to_json(event: &Event) -> Arc<str> {
    serde_json::to_string(event).expect("views serialize").into()
}

impl Renderer<'_> {
    fn class_for(&self, viewer: &Viewer, change: &Change) -> Class {
        match viewer {
            Viewer::Staff => Class::Staff,
            Viewer::Projector => Class::Projector,
            Viewer::Participant(me) => {
                let own = match change {
                    Change::Participant(p) | Change::Me(p) | Change::Feedback(p) | Change::VoteClearedNotice(p) => p == me,
                    Change::Secret { id, .. } => self.workshop.secret(id).is_some_and(|s| &s.author == me),
                    Change::Reset => true,
                    _ => false,
                };
                if own {
                    Class::Own(me.clone())
                } else {
                    Class::Table(self.workshop.participant(me).and_then(|p| p.table.clone()))
                }
            }
        }
    }

    /// Collects the pieces of `viewer`'s message, serialized once per class.
    fn pieces(&mut self, viewer: &Viewer, changes: &[Change]) -> Vec<Arc<str>> {
        let mut pieces = Vec::new();
        for change in changes {
            if *change == Change::AllTables {
                for table in self.workshop.info.tables.clone() {
                    pieces.extend(self.piece(viewer, &Change::Table(table)));
                }
                continue;
            }
            pieces.extend(self.piece(viewer, change));
        }
        pieces
    }

    fn piece(&mut self, viewer: &Viewer, change: &Change) -> Option<Arc<str>> {
        let key = (change.clone(), self.class_for(viewer, change));
        if let Some(cached) = self.cache.get(&key) {
            return cached.clone();
        }
        let rendered = self.render(viewer, change);
        self.cache.insert(key, rendered.clone());
        rendered
    }

    fn render(&self, viewer: &Viewer, change: &Change) -> Option<Arc<str>> {
        let w = self.workshop;
        let staff = *viewer == Viewer::Staff;
        let event = match change {
            Change::Stage => Event::Stage(views::stage_view(w, self.now_ms)),
            Change::AllTables => return None,
            Change::Table(t) => Event::Table(views::table_view(w, t, viewer)?),
            Change::Participant(p) => Event::Participant(views::participant_view(w, w.participant(p)?, viewer)?),
            Change::Secret { id, removable } => match views::secret_view(w, w.secret(id)?, viewer) {
                Some(view) => Event::Secret(view),
                None if *removable && could_have_seen(w, id, viewer) => Event::SecretRemoved { id: id.clone() },
                None => return None,
            },
            Change::Me(p) => match viewer {
                Viewer::Participant(me) if me == p => Event::Me(views::me_view(w, w.participant(p)?)),
                _ => return None,
            },
            Change::Reshuffle if staff => Event::Reshuffle { reshuffle: views::reshuffle_view(w) },
            Change::Reshuffle => return None,
            Change::Showcase => Event::Showcase(views::showcase_view(w)?),
            Change::Feedback(p) if staff => Event::Feedback(w.feedback.get(p)?.clone()),
            Change::Feedback(_) => return None,
            Change::Question { table, text } => {
                let at_table = match viewer {
                    Viewer::Staff => true,
                    Viewer::Projector => false,
                    Viewer::Participant(me) => w.participant(me).and_then(|p| p.table.as_ref()) == Some(table),
                };
                if !at_table {
                    return None;
                }
                Event::Question { table: table.clone(), text: text.clone() }
            }
            Change::VoteClearedNotice(p) => match viewer {
                Viewer::Participant(me) if me == p => Event::Notice {
                    code: "vote_cleared".into(),
                    message_fr: "Le secret pour lequel vous aviez voté a été refusé : votez à nouveau.".into(),
                    message_en: "The secret you voted for was rejected: please vote again.".into(),
                },
                _ => return None,
            },
            Change::Reset => Event::Reset(Box::new(views::snapshot(w, viewer, self.now_ms, self.live.clone()))),
        };
        Some(to_json(&event))
    }
}

/// Whether `viewer` may hold a copy of the secret that a moderation decision just hid: the
/// projector (approved secrets) and the table-mates once presentations started.
fn could_have_seen(workshop: &Workshop, id: &SecretId, viewer: &Viewer) -> bool {
    match viewer {
        Viewer::Staff => false,
        Viewer::Projector => true,
        Viewer::Participant(_) => {
            let presenting = matches!(workshop.phase, atelier_proto::model::Phase::Presenting | atelier_proto::model::Phase::Voting | atelier_proto::model::Phase::Results);
            presenting && workshop.secret(id).is_some_and(|s| Some(s.round) == workshop.round_index())
        }
    }
}

fn assemble(seq: u64, pieces: &[Arc<str>]) -> Option<Arc<str>> {
    if pieces.is_empty() {
        return None;
    }
    let body_len: usize = pieces.iter().map(|p| p.len() + 1).sum();
    let mut message = String::with_capacity(body_len + 48);
    message.push_str("{\"type\":\"event\",\"seq\":");
    message.push_str(&seq.to_string());
    message.push_str(",\"changes\":[");
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            message.push(',');
        }
        message.push_str(piece);
    }
    message.push_str("]}");
    Some(message.into())
}

/// Builds the messages for `event`, which has just been applied to `workshop` as `seq`.
pub fn render(workshop: &Workshop, event: &DomainEvent, seq: u64, now_ms: i64, live: &LiveView) -> Outbound {
    let changes = changes_of(workshop, event);
    let mut outbound = Outbound { seq, ..Outbound::default() };
    if changes.is_empty() {
        return outbound;
    }
    let mut renderer = Renderer { workshop, now_ms, live, cache: HashMap::new() };
    let staff = renderer.pieces(&Viewer::Staff, &changes);
    outbound.staff = assemble(seq, &staff);
    let projector = renderer.pieces(&Viewer::Projector, &changes);
    outbound.projector = assemble(seq, &projector);
    for participant in &workshop.participants {
        if participant.source == atelier_proto::model::Source::Paper {
            continue;
        }
        let viewer = Viewer::Participant(participant.id.clone());
        let pieces = renderer.pieces(&viewer, &changes);
        if let Some(message) = assemble(seq, &pieces) {
            outbound.participants.insert(participant.id.clone(), message);
        }
    }
    outbound
}
