//! Domain events: the stored history of a workshop. Applying them in order rebuilds the state,
//! so they carry every value decided at command time (ids, clocks, computed seatings).

use atelier_proto::model::*;
use atelier_proto::view::WorkshopInfo;
use atelier_proto::*;
use serde::{Deserialize, Serialize};

/// SHA-256 hashes of the role links' tokens, in hex.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RoleTokenHashes {
    pub facilitator: String,
    pub moderator: String,
    pub projector: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Moderation {
    Approve,
    /// Edit and approve; the previous fields go to the history.
    Edit { fields: SecretFields },
    Reject { reason: RejectReason, note: String },
    ToCheck { note: String },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DomainEvent {
    WorkshopCreated { info: WorkshopInfo, tokens: RoleTokenHashes, at_ms: i64 },
    ParticipantJoined {
        id: ParticipantId,
        name: String,
        commune: CommuneRef,
        consents: Consents,
        email: Option<String>,
        source: Source,
        token_hash: Option<String>,
        table: Option<TableId>,
    },
    /// New role links: the previous facilitator, moderator and projector tokens stop working.
    RoleTokensReplaced { tokens: RoleTokenHashes },
    /// Another device token for the same participant (a retried join).
    ParticipantTokenAdded { id: ParticipantId, token_hash: String },
    ParticipantSeated { id: ParticipantId, table: Option<TableId> },
    WritingStarted { theme: usize, at_ms: i64, ends_at_ms: i64 },
    TimerExtended { table: Option<TableId>, ms: i64 },
    TimerPaused { table: Option<TableId>, at_ms: i64 },
    TimerResumed { table: Option<TableId>, at_ms: i64 },
    SecretSubmitted {
        id: SecretId,
        round: usize,
        table: TableId,
        author: ParticipantId,
        source: Source,
        fields: SecretFields,
        at_ms: i64,
        late: bool,
    },
    SecretModerated { id: SecretId, decision: Moderation, at_ms: i64 },
    TourinsoftTypeSet { id: SecretId, object_type: TourinsoftType },
    PresentingStarted { orders: Vec<(TableId, Vec<ParticipantId>)>, at_ms: i64 },
    SecretSpotlighted { table: TableId, secret: SecretId, at_ms: i64 },
    PresenterFinished { table: TableId, at_ms: i64 },
    VotingOpened { at_ms: i64 },
    VoteCast { participant: ParticipantId, secret: SecretId },
    /// A vote removed because its secret was rejected; the voter may vote again.
    VoteCleared { participant: ParticipantId },
    /// Closing computes each table's winners or tie from the votes, deterministically.
    VotingClosed,
    TieSettled { table: TableId, winners: Vec<SecretId> },
    ReshuffleProposed { seating: Vec<(ParticipantId, TableId)> },
    ReshuffleAdjusted { participant: ParticipantId, table: TableId },
    ReshuffleApplied,
    ReshuffleCancelled,
    QuestionPushed { table: TableId, text: String },
    ShowcaseStarted,
    ShowcaseStepShown { step: u32 },
    FeedbackOpened,
    FeedbackGiven { participant: ParticipantId, rating: u8, comment: String, invite_suggestion: String },
    WorkshopClosed,
}
