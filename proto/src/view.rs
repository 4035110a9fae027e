//! What a device sees. A snapshot holds a whole role view; events replace one entity of it.
//!
//! Fields that a role may not see are absent (`None` or empty) in its copy, never hidden by
//! the client: the server builds each role's copy.

use crate::ids::*;
use crate::model::*;
use serde::{Deserialize, Serialize};

/// Static facts about the workshop, as prepared by the organizer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkshopInfo {
    pub id: WorkshopId,
    pub code: String,
    pub title: String,
    pub venue: String,
    pub starts_at: String,
    pub language: String,
    pub themes: Vec<Theme>,
    pub tables: Vec<TableId>,
    pub table_min: u32,
    pub table_max: u32,
}

/// A countdown. Times are server milliseconds since the Unix epoch; `server_now_ms` in the
/// stage lets a device correct its own clock.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TimerView {
    /// When writing ends, if the timer runs.
    pub ends_at_ms: Option<i64>,
    /// Remaining time while the timer is paused.
    pub paused_remaining_ms: Option<i64>,
}

/// Where the room stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageView {
    pub phase: Phase,
    /// Index of the current theme in `WorkshopInfo::themes`, once the first round started.
    pub round: Option<usize>,
    /// The room's countdown during writing.
    pub timer: TimerView,
    pub server_now_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParticipantView {
    pub id: ParticipantId,
    pub name: String,
    pub table: Option<TableId>,
    pub source: Source,
    /// Staff only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commune: Option<CommuneRef>,
    /// Staff only, and the participant's own copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Staff only, and the participant's own copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consents: Option<Consents>,
}

/// One earlier version of a secret, kept when a moderator edits it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecretRevision {
    pub version: u32,
    pub fields: SecretFields,
    pub at_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecretView {
    pub id: SecretId,
    /// Increases with every moderation decision; moderators send it back to detect conflicts.
    pub version: u32,
    pub theme: String,
    pub table: TableId,
    pub fields: SecretFields,
    /// Staff, the author and the author's table-mates; absent on the projector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<ParticipantId>,
    /// Shown only where the author agreed, or to staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    /// Staff and the author only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SecretStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_reason: Option<RejectReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderation_note: Option<String>,
    pub source: Source,
    /// Sent after the countdown ended (kept, only flagged).
    pub late: bool,
    pub created_at_ms: i64,
    /// Whether a moderator changed the text; the author sees the new version.
    pub edited: bool,
    /// TourinSoft object type chosen by a moderator (staff only); `None` means the theme's
    /// suggestion applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tourinsoft_type: Option<TourinsoftType>,
    /// Staff only: earlier versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<SecretRevision>,
}

/// Presentations at a table during the current round.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PresentingView {
    /// Speaking order.
    pub order: Vec<ParticipantId>,
    /// Index in `order` of the person presenting; equal to `order.len()` when all are done.
    pub current: usize,
    /// The secret shown in large type on the table's phones.
    pub spotlight: Option<SecretId>,
}

/// A stuck table and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StuckReason {
    /// Stable code: `no_secret_yet`, `few_secrets`, `quiet`, `presentations_stalled`, `votes_missing`.
    pub code: String,
    pub message_fr: String,
    pub message_en: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableView {
    pub id: TableId,
    pub members: Vec<ParticipantId>,
    /// This table's countdown when it differs from the room's (extended or paused alone).
    pub timer: TimerView,
    pub presenting: PresentingView,
    /// Number of secrets written at this table for the current theme.
    pub secrets_count: u32,
    pub last_secret_at_ms: Option<i64>,
    pub votes_cast: u32,
    pub votes_expected: u32,
    /// Votes per secret: staff always, participants of the table once the vote is closed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tallies: Vec<(SecretId, u32)>,
    /// Secrets tied for first place, waiting for the facilitator.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tie: Vec<SecretId>,
    /// Winners of the current theme once known (several for joint winners).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub winners: Vec<SecretId>,
}

/// The participant's own state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeView {
    pub participant: ParticipantView,
    /// My vote in the current round.
    pub vote: Option<SecretId>,
    pub feedback_given: bool,
    /// The table to go to after a reshuffle, until the next theme starts.
    pub move_to: Option<TableId>,
}

/// A reshuffle proposal, seen by staff until applied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReshuffleView {
    pub seating: Vec<(ParticipantId, TableId)>,
    /// Pairs of people who would sit together again.
    pub repeat_pairs: u32,
}

/// One table's winner in the showcase, as shown on the projector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShowcaseItem {
    pub table: TableId,
    pub secret: SecretView,
}

/// The final showcase: one step per theme.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShowcaseView {
    pub step: u32,
    pub themes: Vec<ShowcaseTheme>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShowcaseTheme {
    pub theme: String,
    pub items: Vec<ShowcaseItem>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedbackView {
    pub participant: ParticipantId,
    pub rating: u8,
    pub comment: String,
    pub invite_suggestion: String,
}

/// A table the facilitator should look at, with the reasons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StuckTable {
    pub table: TableId,
    pub reasons: Vec<StuckReason>,
}

/// Facts that change with time rather than with a command (who is online, which tables are
/// stuck); staff only, sent without a sequence number. A newer one replaces the older.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveView {
    pub online: Vec<ParticipantId>,
    pub stuck: Vec<StuckTable>,
}

/// A whole role view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub workshop: WorkshopInfo,
    pub stage: StageView,
    #[serde(default)]
    pub me: Option<MeView>,
    pub participants: Vec<ParticipantView>,
    pub secrets: Vec<SecretView>,
    pub tables: Vec<TableView>,
    #[serde(default)]
    pub reshuffle: Option<ReshuffleView>,
    #[serde(default)]
    pub showcase: Option<ShowcaseView>,
    #[serde(default)]
    pub feedback: Vec<FeedbackView>,
    #[serde(default)]
    pub live: LiveView,
}
