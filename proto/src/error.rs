//! Stable error codes, each with a French and an English message.
//!
//! Codes are part of the protocol: clients may branch on them, so they never change meaning.
//! Messages may be reworded.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! error_codes {
    ($($variant:ident => $code:literal, $fr:literal, $en:literal;)*) => {
        /// Stable error code sent in every error answer.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            /// Every code, for documentation and tests.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as it appears on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            /// Message for a French-speaking user.
            pub fn message_fr(self) -> &'static str {
                match self { $(ErrorCode::$variant => $fr,)* }
            }

            /// Message for an English-speaking user.
            pub fn message_en(self) -> &'static str {
                match self { $(ErrorCode::$variant => $en,)* }
            }
        }
    };
}

error_codes! {
    InvalidJson => "invalid_json", "Message illisible : ce n'est pas du JSON valide.", "Unreadable message: this is not valid JSON.";
    InvalidMessage => "invalid_message", "Message incomplet ou de type inconnu.", "Incomplete message or unknown message type.";
    BinaryFrame => "binary_frame", "Seuls les messages texte sont acceptés.", "Only text messages are accepted.";
    FrameTooLarge => "frame_too_large", "Message trop long.", "Message too large.";
    UnsupportedVersion => "unsupported_version", "Version du protocole non prise en charge : rechargez la page.", "Unsupported protocol version: reload the page.";
    HelloRequired => "hello_required", "Connexion non identifiée : envoyez d'abord « hello ».", "Connection not identified: send \"hello\" first.";
    InvalidToken => "invalid_token", "Lien ou jeton invalide. Demandez un nouveau lien à l'équipe.", "Invalid link or token. Ask the staff for a new link.";
    Forbidden => "forbidden", "Votre rôle ne permet pas cette action.", "Your role does not allow this action.";
    UnknownWorkshop => "unknown_workshop", "Atelier introuvable. Vérifiez le code.", "Workshop not found. Check the code.";
    UnknownParticipant => "unknown_participant", "Participant introuvable.", "Participant not found.";
    UnknownSecret => "unknown_secret", "Secret introuvable.", "Secret not found.";
    UnknownTable => "unknown_table", "Table introuvable.", "Table not found.";
    UnknownTheme => "unknown_theme", "Thème introuvable.", "Theme not found.";
    InvalidField => "invalid_field", "Un champ est vide, trop long ou mal formé.", "A field is empty, too long or malformed.";
    WrongPhase => "wrong_phase", "Ce n'est pas le moment pour cette action.", "This action is not possible at this stage of the workshop.";
    WorkshopClosed => "workshop_closed", "L'atelier est terminé.", "The workshop is over.";
    OwnSecret => "own_secret", "Vous ne pouvez pas voter pour votre propre secret.", "You cannot vote for your own secret.";
    OtherTable => "other_table", "Ce secret n'est pas celui de votre table.", "This secret is not from your table.";
    SecretRejected => "secret_rejected", "Ce secret a été refusé : il ne peut pas être choisi.", "This secret was rejected: it cannot be chosen.";
    NotSeated => "not_seated", "Vous n'êtes pas encore installé à une table.", "You are not seated at a table yet.";
    NotPresenter => "not_presenter", "Ce n'est pas votre tour de présenter.", "It is not your turn to present.";
    StaleVersion => "stale_version", "Ce secret a changé depuis que vous l'avez ouvert : quelqu'un d'autre a déjà décidé. Relisez-le.", "This secret changed since you opened it: someone else decided first. Read it again.";
    TableFull => "table_full", "Cette table est complète.", "This table is full.";
    InvalidSeating => "invalid_seating", "Répartition impossible : chaque table doit rester dans les limites de taille.", "Impossible seating: every table must stay within its size limits.";
    NoTie => "no_tie", "Il n'y a pas d'égalité à départager à cette table.", "There is no tie to settle at this table.";
    RateLimited => "rate_limited", "Trop de demandes d'un coup. Patientez quelques secondes.", "Too many requests at once. Wait a few seconds.";
    OpConflict => "op_conflict", "Cet identifiant d'opération a déjà servi pour une autre commande.", "This operation id was already used for another command.";
    Unauthorized => "unauthorized", "Jeton manquant ou invalide : utilisez le lien ou le jeton fourni par l'équipe.", "Missing or invalid token: use the link or token given by the staff.";
    NotFound => "not_found", "Adresse introuvable.", "No such address.";
    BadOrigin => "bad_origin", "Connexion refusée depuis un autre site.", "Connection rejected from another site.";
    Internal => "internal", "Erreur du serveur. Réessayez : rien n'a été perdu.", "Server error. Try again: nothing was lost.";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error as the protocol carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtoError {
    pub code: ErrorCode,
    pub message_fr: String,
    pub message_en: String,
    /// Which field or value the error is about, when there is one (`title`, `s12`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl ProtoError {
    pub fn new(code: ErrorCode) -> Self {
        ProtoError { code, message_fr: code.message_fr().into(), message_en: code.message_en().into(), detail: None }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// A length error on one field, with the limits in both messages.
    pub fn field(code: ErrorCode, field: &str, min: usize, max: usize, actual: usize) -> Self {
        ProtoError {
            code,
            message_fr: format!("Le champ « {} » doit compter entre {min} et {max} caractères (actuellement {actual}).", field_label_fr(field)),
            message_en: format!("The field \"{field}\" must have between {min} and {max} characters (now {actual})."),
            detail: Some(field.into()),
        }
    }
}

fn field_label_fr(field: &str) -> &str {
    match field {
        "title" => "titre",
        "text" => "texte",
        "place" => "lieu",
        "commune" => "commune",
        "best_moment" => "meilleur moment",
        "name" => "prénom",
        "comment" => "commentaire",
        "note" => "note",
        other => other,
    }
}

impl fmt::Display for ProtoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message_en)?;
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ProtoError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_wire_name() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert!(!code.message_fr().is_empty());
            assert!(!code.message_en().is_empty());
        }
    }
}
