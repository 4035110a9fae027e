//! What a device sends to the server over the WebSocket.
//!
//! A connection starts with [`ClientMessage::Hello`], which carries the device's token and the
//! last sequence number it saw. Every later action is a [`ClientMessage::Cmd`] with a
//! client-generated operation id: the server applies a given id once and answers a retry with
//! the original acknowledgement.

use crate::ids::*;
use crate::model::{CommuneRef, Consents, RejectReason, SecretFields, TourinsoftType};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// First message of a connection.
    Hello {
        /// Protocol version, [`crate::PROTOCOL_VERSION`].
        v: u32,
        /// Role link token or participant device token.
        token: String,
        /// Sequence number of the last event this device applied; absent on a first connection.
        #[serde(default)]
        last_seq: Option<u64>,
    },
    /// A command with its operation id.
    Cmd { op: OpId, command: Command },
    /// Application-level keepalive for clients that cannot send WebSocket pings.
    Ping,
}

/// Every command a device can send. The server checks the sender's role for each one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    // --- Participant ---
    /// Write a secret for the current theme at my table.
    SubmitSecret { fields: SecretFields },
    /// As the presenter, show one of my secrets in large type on my table's phones.
    SpotlightSecret { secret: SecretId },
    /// As the presenter (or the facilitator for a table), hand over to the next person.
    FinishPresenting {
        #[serde(default)]
        table: Option<TableId>,
    },
    /// Vote for the best secret of my table for the current theme; a new vote replaces the old.
    CastVote { secret: SecretId },
    /// Rate the workshop.
    SubmitFeedback {
        rating: u8,
        #[serde(default)]
        comment: String,
        #[serde(default)]
        invite_suggestion: String,
    },

    // --- Facilitator ---
    /// Register a participant who writes on paper forms and has no phone.
    AddPaperParticipant {
        name: String,
        commune: CommuneRef,
        #[serde(default)]
        consents: Consents,
        #[serde(default)]
        email: Option<String>,
        #[serde(default)]
        table: Option<TableId>,
    },
    /// Seat a participant at a table (or unseat with `None`).
    SeatParticipant { participant: ParticipantId, table: Option<TableId> },
    /// Seat every unseated participant, filling the emptiest tables first.
    SeatAutomatically,
    /// Start the writing step of the next theme (or of `theme`, by key).
    StartWriting {
        #[serde(default)]
        theme: Option<String>,
    },
    /// Add time to the countdown, for the room or one table. Negative values remove time.
    ExtendTimer {
        #[serde(default)]
        table: Option<TableId>,
        seconds: i64,
    },
    PauseTimer {
        #[serde(default)]
        table: Option<TableId>,
    },
    ResumeTimer {
        #[serde(default)]
        table: Option<TableId>,
    },
    StartPresenting,
    OpenVoting,
    /// Record the vote of a participant who has no phone.
    CastVoteFor { participant: ParticipantId, secret: SecretId },
    /// Close the vote and compute each table's winner.
    CloseVoting,
    /// Settle a tie: one winner, or several joint winners, among the tied secrets.
    SettleTie { table: TableId, winners: Vec<SecretId> },
    /// Compute new tables for the next theme and show them to staff, not yet applied.
    PreviewReshuffle,
    /// Move one participant in the previewed reshuffle.
    AdjustReshuffle { participant: ParticipantId, table: TableId },
    /// Apply the previewed reshuffle: every phone shows its new table.
    ApplyReshuffle,
    CancelReshuffle,
    /// Push an inspiration question to one table's phones.
    PushQuestion { table: TableId, text: String },
    StartShowcase,
    /// Show step `step` of the showcase on the projector (0 = first theme).
    ShowShowcaseStep { step: u32 },
    OpenFeedback,
    CloseWorkshop,

    // --- Staff (facilitator or moderator) ---
    /// Type a paper form on behalf of a participant.
    SubmitPaperSecret {
        participant: ParticipantId,
        fields: SecretFields,
        /// Theme key; by default the current theme.
        #[serde(default)]
        theme: Option<String>,
    },

    // --- Moderator (facilitators may moderate too) ---
    ApproveSecret { secret: SecretId, version: u32 },
    /// Edit a secret's fields; the history is kept and the author sees the new version.
    EditSecret { secret: SecretId, version: u32, fields: SecretFields },
    RejectSecret {
        secret: SecretId,
        version: u32,
        reason: RejectReason,
        #[serde(default)]
        note: String,
    },
    /// Choose the TourinSoft object type of a secret for the import sheet.
    SetTourinsoftType { secret: SecretId, object_type: TourinsoftType },
    /// Mark a secret "à vérifier" (opening hours, season…).
    MarkToCheck {
        secret: SecretId,
        version: u32,
        #[serde(default)]
        note: String,
    },
}

impl Command {
    /// The wire name of the command, for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Command::SubmitSecret { .. } => "submit_secret",
            Command::SpotlightSecret { .. } => "spotlight_secret",
            Command::FinishPresenting { .. } => "finish_presenting",
            Command::CastVote { .. } => "cast_vote",
            Command::SubmitFeedback { .. } => "submit_feedback",
            Command::AddPaperParticipant { .. } => "add_paper_participant",
            Command::SeatParticipant { .. } => "seat_participant",
            Command::SeatAutomatically => "seat_automatically",
            Command::StartWriting { .. } => "start_writing",
            Command::ExtendTimer { .. } => "extend_timer",
            Command::PauseTimer { .. } => "pause_timer",
            Command::ResumeTimer { .. } => "resume_timer",
            Command::StartPresenting => "start_presenting",
            Command::OpenVoting => "open_voting",
            Command::CastVoteFor { .. } => "cast_vote_for",
            Command::CloseVoting => "close_voting",
            Command::SettleTie { .. } => "settle_tie",
            Command::PreviewReshuffle => "preview_reshuffle",
            Command::AdjustReshuffle { .. } => "adjust_reshuffle",
            Command::ApplyReshuffle => "apply_reshuffle",
            Command::CancelReshuffle => "cancel_reshuffle",
            Command::PushQuestion { .. } => "push_question",
            Command::StartShowcase => "start_showcase",
            Command::ShowShowcaseStep { .. } => "show_showcase_step",
            Command::OpenFeedback => "open_feedback",
            Command::CloseWorkshop => "close_workshop",
            Command::SubmitPaperSecret { .. } => "submit_paper_secret",
            Command::ApproveSecret { .. } => "approve_secret",
            Command::EditSecret { .. } => "edit_secret",
            Command::RejectSecret { .. } => "reject_secret",
            Command::MarkToCheck { .. } => "mark_to_check",
            Command::SetTourinsoftType { .. } => "set_tourinsoft_type",
        }
    }
}

/// Body of `POST /api/workshops`: a workshop prepared by the organizer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreateWorkshop {
    pub title: String,
    #[serde(default)]
    pub venue: String,
    /// Local date and time as typed (ISO 8601), shown as is.
    #[serde(default)]
    pub starts_at: String,
    /// Themes in order; each is one round. Use [`crate::model::preset_themes`] for presets.
    pub themes: Vec<crate::model::Theme>,
    /// Number of tables (named T1, T2…).
    pub tables: u32,
    #[serde(default = "default_table_min")]
    pub table_min: u32,
    #[serde(default = "default_table_max")]
    pub table_max: u32,
    /// `fr` or `en`: the default language of the workshop's screens.
    #[serde(default = "default_language")]
    pub language: String,
}

fn default_table_min() -> u32 {
    6
}
fn default_table_max() -> u32 {
    8
}
fn default_language() -> String {
    "fr".into()
}

/// Body of `POST /api/join`: a participant joins with the workshop's code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JoinRequest {
    pub code: String,
    pub name: String,
    pub commune: CommuneRef,
    #[serde(default)]
    pub consents: Consents,
    #[serde(default)]
    pub email: Option<String>,
    /// Table from a table card's QR code.
    #[serde(default)]
    pub table: Option<TableId>,
    /// Client-generated id so that a retried join creates one participant.
    #[serde(default)]
    pub op: Option<OpId>,
}

/// Answer to a join.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JoinResponse {
    pub workshop_id: WorkshopId,
    pub participant_id: ParticipantId,
    /// Device token: keep it to reconnect as the same participant.
    pub token: String,
    #[serde(default)]
    pub table: Option<TableId>,
}

/// Answer to a workshop creation: the ids, the join code and the role links' tokens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreatedWorkshop {
    pub workshop_id: WorkshopId,
    pub code: String,
    pub facilitator_token: String,
    pub moderator_token: String,
    pub projector_token: String,
}
