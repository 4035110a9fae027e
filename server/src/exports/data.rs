//! The facts every export is built from, read once from a workshop's state so that the room's
//! lock is held only while copying them.

use crate::communes::Communes;
use crate::workflow::state::Workshop;
use atelier_proto::model::*;
use atelier_proto::{SecretId, TableId};

/// One secret with everything an export may print about it. The author's identity stays in
/// its own fields, so that public exports take it only through [`SecretRecord::public_name`]
/// and [`SecretRecord::credit_line`].
#[derive(Clone, Debug)]
pub struct SecretRecord {
    pub id: SecretId,
    /// Stable id for other databases: `atelier-CODE-sN`.
    pub external_id: String,
    pub theme_key: String,
    pub theme_title: String,
    pub table: TableId,
    pub author_name: String,
    pub author_commune: String,
    pub show_name: bool,
    pub source: Source,
    pub late: bool,
    pub status: SecretStatus,
    pub reject_reason: Option<RejectReason>,
    pub moderation_note: Option<String>,
    pub fields: SecretFields,
    /// First postal code of the secret's commune, from the list of communes of Normandy.
    pub postal_code: Option<String>,
    pub created_at_ms: i64,
    /// Time of the last edit by a moderator, or of the submission.
    pub updated_at_ms: i64,
    pub edited: bool,
    /// Whether the secret won its table's vote (alone or jointly).
    pub winner: bool,
    /// The moderator's choice, or the type suggested for the theme.
    pub tourinsoft_type: TourinsoftType,
}

impl SecretRecord {
    /// Whether the secret may leave the staff's hands: approved by a moderator.
    pub fn is_published(&self) -> bool {
        self.status == SecretStatus::Approved
    }

    /// The author's first name, where they agreed to show it.
    pub fn public_name(&self) -> Option<&str> {
        self.show_name.then_some(self.author_name.as_str())
    }

    /// "Prénom, Commune" of the author, where they agreed to show their first name.
    pub fn credit_line(&self) -> Option<String> {
        let name = self.public_name()?;
        if self.author_commune.is_empty() {
            Some(name.to_owned())
        } else {
            Some(format!("{name}, {}", self.author_commune))
        }
    }
}

/// A table's winner for one theme; joint winners give one record each.
#[derive(Clone, Debug)]
pub struct WinnerRecord {
    pub theme_key: String,
    pub theme_title: String,
    pub table: TableId,
    /// Index in [`Results::secrets`].
    pub secret: usize,
    pub votes: u32,
}

#[derive(Clone, Debug)]
pub struct ParticipantRecord {
    pub name: String,
    pub commune: String,
    pub table: Option<TableId>,
    pub source: Source,
    pub consents: Consents,
    pub email: Option<String>,
}

#[derive(Clone, Debug)]
pub struct FeedbackRecord {
    pub name: String,
    pub rating: u8,
    pub comment: String,
    pub invite_suggestion: String,
}

/// Everything the exports of one workshop need, copied out of its state.
#[derive(Clone, Debug)]
pub struct Results {
    pub code: String,
    pub title: String,
    pub venue: String,
    pub starts_at: String,
    pub phase: Phase,
    pub themes: Vec<Theme>,
    pub tables: Vec<TableId>,
    /// In theme order, then table order, then submission order.
    pub secrets: Vec<SecretRecord>,
    /// In theme order, then table order.
    pub winners: Vec<WinnerRecord>,
    pub participants: Vec<ParticipantRecord>,
    pub feedback: Vec<FeedbackRecord>,
    /// The last event's time, for the linked data's `lastUpdate` of the workshop.
    pub last_event_at_ms: i64,
}

impl Results {
    /// Copies what the exports need from a workshop's state.
    pub fn collect(workshop: &Workshop, communes: &Communes) -> Results {
        let info = &workshop.info;
        let table_position = |table: &TableId| info.tables.iter().position(|t| t == table).unwrap_or(usize::MAX);
        let theme_of_round = |round: usize| workshop.rounds.get(round).and_then(|r| info.themes.get(r.theme));

        let mut ordered: Vec<_> = workshop.secrets.iter().enumerate().collect();
        ordered.sort_by_key(|(position, s)| (s.round, table_position(&s.table), *position));

        let winner_ids: Vec<&SecretId> = workshop.rounds.iter().flat_map(|r| r.results.values()).flat_map(|result| result.winners.iter()).collect();

        let secrets: Vec<SecretRecord> = ordered
            .into_iter()
            .map(|(_, secret)| {
                let author = workshop.participant(&secret.author);
                let theme = theme_of_round(secret.round);
                let theme_key = theme.map(|t| t.key.clone()).unwrap_or_default();
                let postal_code = secret
                    .fields
                    .commune
                    .insee
                    .as_deref()
                    .and_then(|insee| communes.by_insee(insee))
                    .and_then(|commune| commune.postal_codes.first().cloned());
                SecretRecord {
                    id: secret.id.clone(),
                    external_id: format!("atelier-{}-{}", info.code, secret.id.as_str()),
                    tourinsoft_type: secret.tourinsoft_type.unwrap_or_else(|| TourinsoftType::suggested_for_theme(&theme_key)),
                    theme_key,
                    theme_title: theme.map(|t| t.title.clone()).unwrap_or_default(),
                    table: secret.table.clone(),
                    author_name: author.map(|a| a.name.clone()).unwrap_or_default(),
                    author_commune: author.map(|a| a.commune.name.clone()).unwrap_or_default(),
                    show_name: author.is_some_and(|a| a.consents.show_name),
                    source: secret.source,
                    late: secret.late,
                    status: secret.status,
                    reject_reason: secret.reject_reason,
                    moderation_note: secret.moderation_note.clone(),
                    fields: secret.fields.clone(),
                    postal_code,
                    created_at_ms: secret.created_at_ms,
                    updated_at_ms: secret.history.iter().map(|r| r.at_ms).max().unwrap_or(secret.created_at_ms).max(secret.created_at_ms),
                    edited: secret.edited(),
                    winner: winner_ids.contains(&&secret.id),
                }
            })
            .collect();

        let mut winners = Vec::new();
        for round in &workshop.rounds {
            let Some(theme) = info.themes.get(round.theme) else { continue };
            for table in &info.tables {
                let Some(result) = round.results.get(table) else { continue };
                for winner in &result.winners {
                    let Some(index) = secrets.iter().position(|s| &s.id == winner) else { continue };
                    let votes = result.tallies.iter().find(|(id, _)| id == winner).map(|(_, n)| *n).unwrap_or(0);
                    winners.push(WinnerRecord { theme_key: theme.key.clone(), theme_title: theme.title.clone(), table: table.clone(), secret: index, votes });
                }
            }
        }

        let participants = workshop
            .participants
            .iter()
            .map(|p| ParticipantRecord {
                name: p.name.clone(),
                commune: p.commune.name.clone(),
                table: p.table.clone(),
                source: p.source,
                consents: p.consents,
                email: p.email.clone(),
            })
            .collect();

        let feedback = workshop
            .feedback
            .values()
            .map(|f| FeedbackRecord {
                name: workshop.participant(&f.participant).map(|p| p.name.clone()).unwrap_or_default(),
                rating: f.rating,
                comment: f.comment.clone(),
                invite_suggestion: f.invite_suggestion.clone(),
            })
            .collect();

        Results {
            code: info.code.clone(),
            title: info.title.clone(),
            venue: info.venue.clone(),
            starts_at: info.starts_at.clone(),
            phase: workshop.phase,
            themes: info.themes.clone(),
            tables: info.tables.clone(),
            secrets,
            winners,
            participants,
            feedback,
            last_event_at_ms: workshop.last_event_at_ms,
        }
    }

    /// Approved secrets: the only ones an export outside the staff workbook may contain.
    pub fn published(&self) -> impl Iterator<Item = &SecretRecord> {
        self.secrets.iter().filter(|s| s.is_published())
    }

    /// Winners whose secret is approved, with their secret.
    pub fn published_winners(&self) -> impl Iterator<Item = (&WinnerRecord, &SecretRecord)> {
        self.winners.iter().map(|w| (w, &self.secrets[w.secret])).filter(|(_, s)| s.is_published())
    }

    /// Every winner with its secret, whatever its status, for staff.
    pub fn all_winners(&self) -> impl Iterator<Item = (&WinnerRecord, &SecretRecord)> {
        self.winners.iter().map(|w| (w, &self.secrets[w.secret]))
    }
}

/// French label of a moderation status.
pub fn status_label(status: SecretStatus) -> &'static str {
    match status {
        SecretStatus::Pending => "En attente",
        SecretStatus::Approved => "Validé",
        SecretStatus::Rejected => "Refusé",
        SecretStatus::ToCheck => "À vérifier",
    }
}

/// French label of how a secret or a participant reached the server.
pub fn source_label(source: Source) -> &'static str {
    match source {
        Source::Phone => "Téléphone",
        Source::Paper => "Papier",
    }
}

pub fn yes_no(value: bool) -> &'static str {
    if value {
        "Oui"
    } else {
        "Non"
    }
}
