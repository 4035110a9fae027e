//! What the server sends to a device.

use crate::error::ProtoError;
use crate::ids::*;
use crate::model::Role;
use crate::view::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// Answer to `hello`. With a snapshot, the device replaces its state; without one, the
    /// server resumes: the events after `last_seq` follow, in order.
    Welcome {
        v: u32,
        role: Role,
        workshop_id: WorkshopId,
        #[serde(default)]
        participant_id: Option<ParticipantId>,
        /// Sequence number of the last event included in the snapshot or about to be resumed to.
        seq: u64,
        #[serde(default)]
        snapshot: Option<Box<Snapshot>>,
    },
    /// Changes to this device's view caused by one stored event. Sequence numbers are per
    /// workshop and increase; a device only receives the changes its role may see, so numbers
    /// can skip. Apply the changes in order, then remember `seq` for `hello.last_seq`.
    Event { seq: u64, changes: Vec<Event> },
    /// Facts outside the sequence (who is online). Newer replaces older.
    Live { live: LiveView },
    /// The command `op` was applied and stored.
    Ack {
        op: OpId,
        #[serde(default)]
        result: serde_json::Value,
    },
    /// The command `op` (or the last message, without `op`) was not applied.
    Error {
        #[serde(default)]
        op: Option<OpId>,
        error: ProtoError,
    },
    Pong,
}

/// One entity of the view, replaced whole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    Stage(StageView),
    Participant(ParticipantView),
    Secret(SecretView),
    /// The secret left this view (rejected, for a projector; moved table, for a participant).
    SecretRemoved { id: SecretId },
    Table(TableView),
    Me(MeView),
    Reshuffle { reshuffle: Option<ReshuffleView> },
    Showcase(ShowcaseView),
    Feedback(FeedbackView),
    /// An inspiration question pushed to a table.
    Question { table: TableId, text: String },
    /// Replace the whole view (sent to a participant whose table or round changed).
    Reset(Box<Snapshot>),
    /// Something the person should know (their vote was cleared because the secret was rejected).
    Notice { code: String, message_fr: String, message_en: String },
}
