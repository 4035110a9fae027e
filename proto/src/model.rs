//! Vocabulary of a workshop, shared by commands and views.

use crate::error::{ErrorCode, ProtoError};
use crate::text::{self, Lines};
use serde::{Deserialize, Serialize};

/// Who a connection acts as. Each role has its own view and its own commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Participant,
    Facilitator,
    Moderator,
    Projector,
    Organizer,
}

impl Role {
    /// Staff see personal data (e-mail addresses) and every secret.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Facilitator | Role::Moderator | Role::Organizer)
    }
}

/// Where the workshop stands. A round is one theme: writing, presenting, voting, results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Lobby,
    Writing,
    Presenting,
    Voting,
    Results,
    Showcase,
    Feedback,
    Closed,
}

/// A theme of the workshop; each theme is one round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Theme {
    pub key: String,
    pub title: String,
    pub prompt: String,
    /// Questions the facilitator can push to a stuck table.
    #[serde(default)]
    pub questions: Vec<String>,
    pub writing_minutes: u32,
}

/// Returns the preset themes offered when a workshop is prepared, in French.
pub fn preset_themes() -> Vec<Theme> {
    let preset = |key: &str, title: &str, prompt: &str, questions: &[&str]| Theme {
        key: key.into(),
        title: title.into(),
        prompt: prompt.into(),
        questions: questions.iter().map(|q| q.to_string()).collect(),
        writing_minutes: 10,
    };
    vec![
        preset(
            "bonnes-popotes",
            "Les bonnes popotes",
            "Où et quoi manger comme un vrai local ?",
            &[
                "Quel plat faites-vous goûter à vos amis de passage ?",
                "Où achetez-vous le meilleur pain, fromage ou poisson ?",
                "Quel repas vous rappelle votre enfance ici ?",
            ],
        ),
        preset(
            "boire-un-verre",
            "Boire un verre",
            "Le bon endroit pour trinquer, et le bon moment pour y aller.",
            &[
                "Où prenez-vous l'apéro quand il fait beau ?",
                "Quel cidre ou quel calvados faites-vous découvrir ?",
                "Quel café a une terrasse que les touristes ne voient pas ?",
            ],
        ),
        preset(
            "endroits-waouh",
            "Les endroits « waouh »",
            "Un spot photo, un pique-nique face au paysage, un lieu insolite…",
            &[
                "Où emmenez-vous quelqu'un pour le faire dire « waouh » ?",
                "Où pique-niquez-vous en regardant le coucher du soleil ?",
                "Quel lieu étonnant se cache près de chez vous ?",
            ],
        ),
        preset(
            "moments",
            "Les moments",
            "Le meilleur moment pour vivre un lieu ou une tradition.",
            &[
                "À quelle heure un lieu est-il le plus beau ?",
                "Quelle fête de village ne faut-il pas manquer ?",
                "Quelle saison préférez-vous ici, et pourquoi ?",
            ],
        ),
        preset(
            "specialites",
            "Les spécialités",
            "Une spécialité d'ici et où la trouver comme il faut.",
            &[
                "Quelle spécialité ramenez-vous à vos amis ?",
                "Qui la fabrique encore à l'ancienne ?",
                "Comment la mange-t-on vraiment, chez vous ?",
            ],
        ),
        preset(
            "rencontres",
            "Les rencontres",
            "Une personne à rencontrer, un savoir-faire à découvrir.",
            &[
                "Quel artisan ou producteur aimez-vous faire connaître ?",
                "Qui raconte le mieux l'histoire du coin ?",
                "Où rencontre-t-on les gens d'ici ?",
            ],
        ),
    ]
}

/// Moderation status of a secret. Every secret starts `pending`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretStatus {
    Pending,
    Approved,
    Rejected,
    ToCheck,
}

/// Preset reasons for rejecting a secret; `other` takes free text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    AlreadyOnline,
    Advertising,
    PrivatePlace,
    Dangerous,
    Duplicate,
    PersonalData,
    Other,
}

impl RejectReason {
    pub fn label_fr(self) -> &'static str {
        match self {
            RejectReason::AlreadyOnline => "Déjà sur internet",
            RejectReason::Advertising => "Publicité",
            RejectReason::PrivatePlace => "Lieu privé",
            RejectReason::Dangerous => "Dangereux",
            RejectReason::Duplicate => "Doublon",
            RejectReason::PersonalData => "Données personnelles",
            RejectReason::Other => "Autre raison",
        }
    }
}

/// TourinSoft object type ("bordereau") suggested for a secret in the import sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TourinsoftType {
    /// Restaurants, places to eat.
    #[serde(rename = "RES")]
    Res,
    /// Tastings, producers, specialities.
    #[serde(rename = "DEG")]
    Deg,
    /// Natural spots.
    #[serde(rename = "PNA")]
    Pna,
    /// Cultural heritage.
    #[serde(rename = "PCU")]
    Pcu,
    /// Walks and routes.
    #[serde(rename = "ITI")]
    Iti,
    /// Dated events.
    #[serde(rename = "FMA")]
    Fma,
}

impl TourinsoftType {
    pub const ALL: [TourinsoftType; 6] =
        [TourinsoftType::Res, TourinsoftType::Deg, TourinsoftType::Pna, TourinsoftType::Pcu, TourinsoftType::Iti, TourinsoftType::Fma];

    pub fn code(self) -> &'static str {
        match self {
            TourinsoftType::Res => "RES",
            TourinsoftType::Deg => "DEG",
            TourinsoftType::Pna => "PNA",
            TourinsoftType::Pcu => "PCU",
            TourinsoftType::Iti => "ITI",
            TourinsoftType::Fma => "FMA",
        }
    }

    /// The type suggested from a theme key, before a moderator changes it.
    pub fn suggested_for_theme(theme_key: &str) -> TourinsoftType {
        match theme_key {
            "bonnes-popotes" | "boire-un-verre" => TourinsoftType::Res,
            "specialites" | "rencontres" => TourinsoftType::Deg,
            "endroits-waouh" => TourinsoftType::Pna,
            "moments" => TourinsoftType::Fma,
            _ => TourinsoftType::Pcu,
        }
    }
}

/// How a secret reached the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Phone,
    Paper,
}

/// A commune: either one of the list of Normandy (by INSEE code) or free text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommuneRef {
    /// INSEE code from the list of communes of Normandy; `None` for "other".
    #[serde(default)]
    pub insee: Option<String>,
    /// Display name (from the list, or typed by the person for "other").
    pub name: String,
}

/// Consent choices, one per purpose, recorded when a participant joins.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consents {
    /// Show my first name with my secrets (showcase, copy for everyone, credit line).
    #[serde(default)]
    pub show_name: bool,
    /// The tourist office may contact me by e-mail.
    #[serde(default)]
    pub contact: bool,
    /// My photos may be published under the workshop's licence.
    #[serde(default)]
    pub photo_licence: bool,
}

/// GPS coordinates in decimal degrees (WGS 84).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coordinates {
    pub lat: f64,
    pub lon: f64,
}

/// The fields of a secret that a person types.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecretFields {
    pub title: String,
    pub text: String,
    #[serde(default)]
    pub place: String,
    pub commune: CommuneRef,
    #[serde(default)]
    pub best_moment: String,
    #[serde(default)]
    pub coordinates: Option<Coordinates>,
}

fn check_len(field: &'static str, value: &str, min: usize, max: usize) -> Result<(), ProtoError> {
    let len = text::char_len(value);
    if len < min || len > max {
        return Err(ProtoError::field(ErrorCode::InvalidField, field, min, max, len));
    }
    Ok(())
}

impl SecretFields {
    /// Cleans every field and checks the limits; returns the cleaned fields.
    pub fn validated(&self) -> Result<SecretFields, ProtoError> {
        let cleaned = SecretFields {
            title: text::clean(&self.title, Lines::Fold),
            text: text::clean(&self.text, Lines::Keep),
            place: text::clean(&self.place, Lines::Fold),
            commune: CommuneRef {
                insee: self.commune.insee.as_ref().map(|c| text::clean(c, Lines::Fold)).filter(|c| !c.is_empty()),
                name: text::clean(&self.commune.name, Lines::Fold),
            },
            best_moment: text::clean(&self.best_moment, Lines::Fold),
            coordinates: self.coordinates,
        };
        check_len("title", &cleaned.title, 1, text::TITLE_MAX)?;
        check_len("text", &cleaned.text, 1, text::TEXT_MAX)?;
        check_len("place", &cleaned.place, 0, text::PLACE_MAX)?;
        check_len("commune", &cleaned.commune.name, 1, text::PLACE_MAX)?;
        check_len("best_moment", &cleaned.best_moment, 0, text::PLACE_MAX)?;
        if let Some(insee) = &cleaned.commune.insee {
            if insee.len() != 5 || !insee.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(ProtoError::new(ErrorCode::InvalidField).with_detail("commune.insee"));
            }
        }
        if let Some(c) = cleaned.coordinates {
            let valid = c.lat.is_finite() && c.lon.is_finite() && (-90.0..=90.0).contains(&c.lat) && (-180.0..=180.0).contains(&c.lon);
            if !valid {
                return Err(ProtoError::new(ErrorCode::InvalidField).with_detail("coordinates"));
            }
        }
        Ok(cleaned)
    }
}

/// Cleans and checks a first name (1–40 characters, one line).
pub fn validated_name(name: &str) -> Result<String, ProtoError> {
    let cleaned = text::clean(name, Lines::Fold);
    check_len("name", &cleaned, 1, text::NAME_MAX)?;
    Ok(cleaned)
}

/// Cleans and checks a free-text note (0–1000 characters, line breaks kept).
pub fn validated_note(field: &'static str, note: &str) -> Result<String, ProtoError> {
    let cleaned = text::clean(note, Lines::Keep);
    check_len(field, &cleaned, 0, text::NOTE_MAX)?;
    Ok(cleaned)
}

/// Cleans and checks an optional e-mail address; an empty one becomes `None`.
pub fn validated_email(email: Option<&str>) -> Result<Option<String>, ProtoError> {
    let Some(email) = email else { return Ok(None) };
    let cleaned = text::clean(email, Lines::Fold);
    if cleaned.is_empty() {
        return Ok(None);
    }
    let shape_ok = cleaned.len() <= text::EMAIL_MAX
        && !cleaned.contains(char::is_whitespace)
        && matches!(cleaned.split_once('@'), Some((local, domain)) if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.'));
    if !shape_ok {
        return Err(ProtoError::new(ErrorCode::InvalidField).with_detail("email"));
    }
    Ok(Some(cleaned))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(title: &str, text: &str) -> SecretFields {
        SecretFields {
            title: title.into(),
            text: text.into(),
            place: String::new(),
            commune: CommuneRef { insee: Some("14333".into()), name: "Honfleur".into() },
            best_moment: String::new(),
            coordinates: None,
        }
    }

    #[test]
    fn secret_limits_count_characters() {
        assert!(fields(&"é".repeat(120), "x").validated().is_ok());
        let err = fields(&"é".repeat(121), "x").validated().unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidField);
        assert!(fields("", "x").validated().is_err());
        assert!(fields("t", &"x".repeat(2001)).validated().is_err());
    }

    #[test]
    fn secret_text_keeps_line_breaks() {
        let ok = fields("t", "ligne 1\r\nligne 2").validated().unwrap();
        assert_eq!(ok.text, "ligne 1\nligne 2");
    }

    #[test]
    fn email_shape_is_checked() {
        assert_eq!(validated_email(Some("")).unwrap(), None);
        assert!(validated_email(Some("a@b.fr")).unwrap().is_some());
        assert!(validated_email(Some("not an email")).is_err());
    }
}
