//! Scenario files, format `atelier-scenario/1`.
//!
//! A scenario describes a whole workshop: participants, seating per round, secrets with their
//! author and source, moderation decisions (secrets not listed are approved), votes, feedback
//! and an `expected` block. Ids (`p01`, `s101`, table names…) are the scenario's own; the
//! player maps them to the server's ids.
//!
//! [`Scenario::from_json`] parses and then validates a file: every reference must resolve,
//! and a scenario the server would necessarily refuse (a vote for one's own secret, a phone
//! secret written by someone without a phone…) is reported before anything is sent.

use atelier_proto::model::{CommuneRef, SecretFields};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::Path;

/// The only format this player understands.
pub const FORMAT: &str = "atelier-scenario/1";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub format: String,
    #[serde(default)]
    pub description: String,
    pub workshop: ScenarioWorkshop,
    pub themes: Vec<ScenarioTheme>,
    /// Table names, in order; the server names its tables `T1..Tn` and the player maps them
    /// by position.
    pub tables: Vec<String>,
    pub participants: Vec<ScenarioParticipant>,
    pub rounds: Vec<Round>,
    #[serde(default)]
    pub feedback: Vec<ScenarioFeedback>,
    #[serde(default)]
    pub expected: Expected,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioWorkshop {
    pub title: String,
    #[serde(default)]
    pub venue: String,
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub organizer: String,
    #[serde(default)]
    pub table_size: Option<TableSize>,
    #[serde(default)]
    pub language: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSize {
    pub min: u32,
    pub max: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioTheme {
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub prompt: String,
    #[serde(default = "default_writing_minutes")]
    pub writing_minutes: u32,
    #[serde(default)]
    pub questions: Vec<String>,
}

fn default_writing_minutes() -> u32 {
    10
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Device {
    Phone,
    Paper,
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Device::Phone => "phone",
            Device::Paper => "paper",
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioParticipant {
    pub id: String,
    pub name: String,
    pub commune: String,
    pub device: Device,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub consent_contact: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Round {
    /// Theme key.
    pub theme: String,
    /// Table name -> participant ids seated there for this round.
    pub seating: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub secrets: Vec<ScenarioSecret>,
    #[serde(default)]
    pub stuck: Option<Stuck>,
    #[serde(default)]
    pub moderation: Vec<Moderation>,
    /// Voter id -> secret id.
    #[serde(default)]
    pub votes: BTreeMap<String, String>,
    /// Table name -> winning secret id (or several joint winners).
    #[serde(default)]
    pub expected_winners: BTreeMap<String, OneOrMany>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioSecret {
    pub id: String,
    pub author: String,
    pub via: Device,
    pub title: String,
    pub text: String,
    #[serde(default)]
    pub place: String,
    pub commune: String,
    #[serde(default)]
    pub best_moment: String,
}

impl ScenarioSecret {
    /// The fields as a person types them; the commune by name (the server resolves it).
    pub fn fields(&self) -> SecretFields {
        SecretFields {
            title: self.title.clone(),
            text: self.text.clone(),
            place: self.place.clone(),
            commune: CommuneRef { insee: None, name: self.commune.clone() },
            best_moment: self.best_moment.clone(),
            coordinates: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stuck {
    pub table: String,
    #[serde(default)]
    pub after_minutes: Option<f64>,
    #[serde(default)]
    pub note: String,
}

/// A moderation decision. Secrets of the round that are not listed are approved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Moderation {
    Reject {
        secret: String,
        #[serde(default)]
        reason: String,
    },
    Edit {
        secret: String,
        #[serde(default)]
        title: Option<String>,
        #[serde(default)]
        text: Option<String>,
    },
    Approve {
        secret: String,
    },
    ToCheck {
        secret: String,
        #[serde(default)]
        note: String,
    },
}

impl Moderation {
    pub fn secret(&self) -> &str {
        match self {
            Moderation::Reject { secret, .. }
            | Moderation::Edit { secret, .. }
            | Moderation::Approve { secret }
            | Moderation::ToCheck { secret, .. } => secret,
        }
    }
}

/// One id or a list of ids (joint winners).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn ids(&self) -> Vec<String> {
        match self {
            OneOrMany::One(id) => vec![id.clone()],
            OneOrMany::Many(ids) => ids.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioFeedback {
    pub who: String,
    pub rating: u8,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub invite_suggestion: Option<String>,
}

/// What the workshop must look like at the end. Every part is optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Expected {
    #[serde(default)]
    pub secrets_total: Option<usize>,
    #[serde(default)]
    pub secrets_by_theme: Option<BTreeMap<String, usize>>,
    #[serde(default)]
    pub paper_secrets: Option<usize>,
    #[serde(default)]
    pub rejected: Option<Vec<String>>,
    #[serde(default)]
    pub edited: Option<Vec<String>>,
    /// Theme key -> table name -> winning secret id(s).
    #[serde(default)]
    pub showcase: Option<BTreeMap<String, BTreeMap<String, OneOrMany>>>,
}

/// Why a scenario file cannot be played.
#[derive(Debug)]
pub enum ScenarioError {
    Io(String, std::io::Error),
    Json(serde_json::Error),
    Invalid(Vec<String>),
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Io(path, e) => write!(f, "cannot read scenario {path}: {e}"),
            ScenarioError::Json(e) => write!(f, "scenario is not valid {FORMAT} JSON: {e}"),
            ScenarioError::Invalid(problems) => {
                write!(f, "invalid scenario ({} problem{}):", problems.len(), if problems.len() == 1 { "" } else { "s" })?;
                for p in problems {
                    write!(f, "\n  - {p}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ScenarioError {}

impl Scenario {
    /// Reads, parses and validates a scenario file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::Io(path.display().to_string(), e))?;
        Scenario::from_json(&text)
    }

    /// Parses and validates a scenario.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = serde_json::from_str(text).map_err(ScenarioError::Json)?;
        let problems = scenario.problems();
        if problems.is_empty() {
            Ok(scenario)
        } else {
            Err(ScenarioError::Invalid(problems))
        }
    }

    pub fn participant(&self, id: &str) -> Option<&ScenarioParticipant> {
        self.participants.iter().find(|p| p.id == id)
    }

    pub fn theme(&self, key: &str) -> Option<&ScenarioTheme> {
        self.themes.iter().find(|t| t.key == key)
    }

    /// A secret and the index of its round.
    pub fn secret(&self, id: &str) -> Option<(usize, &ScenarioSecret)> {
        self.rounds.iter().enumerate().find_map(|(i, r)| r.secrets.iter().find(|s| s.id == id).map(|s| (i, s)))
    }

    /// Position of a table name in `tables`.
    pub fn table_index(&self, name: &str) -> Option<usize> {
        self.tables.iter().position(|t| t == name)
    }

    /// Every problem that makes the scenario unplayable, in a readable form.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut p = |s: String| problems.push(s);

        if self.format != FORMAT {
            p(format!("format is {:?}, expected {FORMAT:?}", self.format));
        }
        if self.workshop.title.trim().is_empty() {
            p("workshop.title is empty".into());
        }
        if let Some(size) = self.workshop.table_size {
            if size.min > size.max {
                p(format!("workshop.table_size: min {} is above max {}", size.min, size.max));
            }
        }
        if self.themes.is_empty() {
            p("no themes".into());
        }
        let mut theme_keys = HashSet::new();
        for t in &self.themes {
            if t.key.trim().is_empty() {
                p(format!("theme {:?} has an empty key", t.title));
            }
            if !theme_keys.insert(t.key.as_str()) {
                p(format!("theme key {:?} appears twice", t.key));
            }
        }
        if self.tables.is_empty() {
            p("no tables".into());
        }
        let mut table_names = HashSet::new();
        for t in &self.tables {
            if !table_names.insert(t.as_str()) {
                p(format!("table {t:?} appears twice in tables"));
            }
        }
        let mut people: HashMap<&str, &ScenarioParticipant> = HashMap::new();
        for person in &self.participants {
            if people.insert(person.id.as_str(), person).is_some() {
                p(format!("participant id {:?} appears twice", person.id));
            }
            if let Err(e) = atelier_proto::model::validated_name(&person.name) {
                p(format!("participant {}: {}", person.id, e.message_en));
            }
            if atelier_proto::model::validated_email(person.email.as_deref()).is_err() {
                p(format!("participant {}: e-mail {:?} is not an address", person.id, person.email.as_deref().unwrap_or("")));
            }
            if person.commune.trim().is_empty() {
                p(format!("participant {} has an empty commune", person.id));
            }
        }

        let mut secret_ids: HashMap<&str, usize> = HashMap::new();
        for (ri, round) in self.rounds.iter().enumerate() {
            let r = format!("round {} ({})", ri + 1, round.theme);
            if !theme_keys.contains(round.theme.as_str()) {
                p(format!("{r}: unknown theme {:?}", round.theme));
            }
            // Seating.
            let mut seat: HashMap<&str, &str> = HashMap::new();
            for (table, members) in &round.seating {
                if !table_names.contains(table.as_str()) {
                    p(format!("{r}: seating uses unknown table {table:?}"));
                }
                for m in members {
                    if !people.contains_key(m.as_str()) {
                        p(format!("{r}: seating of {table} names unknown participant {m:?}"));
                    }
                    if let Some(other) = seat.insert(m.as_str(), table.as_str()) {
                        p(format!("{r}: participant {m} is seated at both {other} and {table}"));
                    }
                }
            }
            // Secrets.
            let mut round_secrets: HashMap<&str, &ScenarioSecret> = HashMap::new();
            for s in &round.secrets {
                if let Some(prev) = secret_ids.insert(s.id.as_str(), ri) {
                    p(format!("{r}: secret id {:?} already used in round {}", s.id, prev + 1));
                }
                round_secrets.insert(s.id.as_str(), s);
                match people.get(s.author.as_str()) {
                    None => p(format!("{r}: secret {} has unknown author {:?}", s.id, s.author)),
                    Some(author) => {
                        if s.via == Device::Phone && author.device != Device::Phone {
                            p(format!("{r}: secret {} is sent by phone but its author {} has no phone", s.id, s.author));
                        }
                        if !seat.contains_key(s.author.as_str()) {
                            p(format!("{r}: secret {}: its author {} is not seated in this round", s.id, s.author));
                        }
                    }
                }
                if let Err(e) = s.fields().validated() {
                    p(format!("{r}: secret {}: {}", s.id, e.message_en));
                }
            }
            if let Some(stuck) = &round.stuck {
                if !table_names.contains(stuck.table.as_str()) {
                    p(format!("{r}: stuck table {:?} is unknown", stuck.table));
                }
            }
            // Moderation.
            let mut rejected = HashSet::new();
            let mut moderated = HashSet::new();
            for m in &round.moderation {
                if !round_secrets.contains_key(m.secret()) {
                    p(format!("{r}: moderation names {:?}, which is not a secret of this round", m.secret()));
                }
                if !moderated.insert(m.secret()) {
                    p(format!("{r}: secret {} is moderated twice", m.secret()));
                }
                if let Moderation::Reject { secret, .. } = m {
                    rejected.insert(secret.as_str());
                }
                if let Moderation::Edit { secret, title, text } = m {
                    if title.is_none() && text.is_none() {
                        p(format!("{r}: the edit of {secret} changes neither title nor text"));
                    }
                }
            }
            // Votes.
            for (voter, secret) in &round.votes {
                if !people.contains_key(voter.as_str()) {
                    p(format!("{r}: vote by unknown participant {voter:?}"));
                    continue;
                }
                let Some(s) = round_secrets.get(secret.as_str()) else {
                    p(format!("{r}: {voter} votes for {secret:?}, which is not a secret of this round"));
                    continue;
                };
                if &s.author == voter {
                    p(format!("{r}: {voter} votes for their own secret {secret}"));
                }
                if rejected.contains(secret.as_str()) {
                    p(format!("{r}: {voter} votes for {secret}, which is rejected"));
                }
                match (seat.get(voter.as_str()), seat.get(s.author.as_str())) {
                    (None, _) => p(format!("{r}: voter {voter} is not seated in this round")),
                    (Some(a), Some(b)) if a != b => {
                        p(format!("{r}: {voter} (table {a}) votes for {secret} of table {b}"))
                    }
                    _ => {}
                }
            }
            for (table, winners) in &round.expected_winners {
                if !table_names.contains(table.as_str()) {
                    p(format!("{r}: expected_winners names unknown table {table:?}"));
                }
                for w in winners.ids() {
                    match round_secrets.get(w.as_str()) {
                        None => p(format!("{r}: expected winner {w:?} of {table} is not a secret of this round")),
                        Some(s) => {
                            if seat.get(s.author.as_str()).copied() != Some(table.as_str()) {
                                p(format!("{r}: expected winner {w} of {table} was written at another table"));
                            }
                        }
                    }
                }
            }
        }

        for f in &self.feedback {
            if !people.contains_key(f.who.as_str()) {
                p(format!("feedback by unknown participant {:?}", f.who));
            }
            if !(1..=5).contains(&f.rating) {
                p(format!("feedback by {}: rating {} is not between 1 and 5", f.who, f.rating));
            }
        }

        let e = &self.expected;
        if let Some(by_theme) = &e.secrets_by_theme {
            for key in by_theme.keys() {
                if !theme_keys.contains(key.as_str()) {
                    p(format!("expected.secrets_by_theme names unknown theme {key:?}"));
                }
            }
        }
        for (what, list) in [("rejected", &e.rejected), ("edited", &e.edited)] {
            for id in list.iter().flatten() {
                if !secret_ids.contains_key(id.as_str()) {
                    p(format!("expected.{what} names unknown secret {id:?}"));
                }
            }
        }
        if let Some(showcase) = &e.showcase {
            for (theme, tables) in showcase {
                if !theme_keys.contains(theme.as_str()) {
                    p(format!("expected.showcase names unknown theme {theme:?}"));
                }
                for (table, ids) in tables {
                    if !table_names.contains(table.as_str()) {
                        p(format!("expected.showcase.{theme} names unknown table {table:?}"));
                    }
                    for id in ids.ids() {
                        if !secret_ids.contains_key(id.as_str()) {
                            p(format!("expected.showcase.{theme}.{table} names unknown secret {id:?}"));
                        }
                    }
                }
            }
        }
        problems
    }

    /// Table of each participant in round `round`.
    pub fn seat_of(&self, round: usize, participant: &str) -> Option<&str> {
        self.rounds.get(round)?.seating.iter().find(|(_, m)| m.iter().any(|x| x == participant)).map(|(t, _)| t.as_str())
    }

    /// Table where a secret is written: its author's table in its round.
    pub fn table_of_secret(&self, secret: &str) -> Option<&str> {
        let (ri, s) = self.secret(secret)?;
        self.seat_of(ri, &s.author)
    }

    /// Every secret id of the scenario, in order.
    pub fn secret_ids(&self) -> BTreeSet<String> {
        self.rounds.iter().flat_map(|r| r.secrets.iter().map(|s| s.id.clone())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../fixtures/atelier-pays-d-auge.json");

    fn minimal() -> serde_json::Value {
        serde_json::json!({
            "format": "atelier-scenario/1",
            "workshop": { "title": "Mini", "table_size": { "min": 1, "max": 4 } },
            "themes": [ { "key": "k", "title": "K", "prompt": "?", "writing_minutes": 5 } ],
            "tables": ["A", "B"],
            "participants": [
                { "id": "x1", "name": "Ana", "commune": "Caen", "device": "phone" },
                { "id": "x2", "name": "Bob", "commune": "Caen", "device": "phone" },
                { "id": "x3", "name": "Cid", "commune": "Bayeux", "device": "paper" }
            ],
            "rounds": [ {
                "theme": "k",
                "seating": { "A": ["x1", "x2", "x3"], "B": [] },
                "secrets": [
                    { "id": "a", "author": "x1", "via": "phone", "title": "t", "text": "x", "commune": "Caen" },
                    { "id": "b", "author": "x3", "via": "paper", "title": "t", "text": "x", "commune": "Bayeux" }
                ],
                "votes": { "x2": "a", "x3": "a", "x1": "b" },
                "expected_winners": { "A": "a" }
            } ],
            "expected": { "secrets_total": 2, "showcase": { "k": { "A": ["a"] } } }
        })
    }

    fn problems_of(v: serde_json::Value) -> Vec<String> {
        match Scenario::from_json(&v.to_string()) {
            Ok(_) => vec![],
            Err(ScenarioError::Invalid(p)) => p,
            Err(e) => panic!("unexpected error {e}"),
        }
    }

    #[test]
    fn the_shipped_fixture_parses_and_is_valid() {
        let s = Scenario::from_json(FIXTURE).unwrap();
        assert_eq!(s.participants.len(), 18);
        assert_eq!(s.rounds.len(), 2);
        assert_eq!(s.tables, vec!["T1", "T2", "T3"]);
        let secrets: usize = s.rounds.iter().map(|r| r.secrets.len()).sum();
        assert_eq!(Some(secrets), s.expected.secrets_total);
        assert_eq!(s.rounds[0].stuck.as_ref().unwrap().table, "T3");
        assert_eq!(s.rounds[0].stuck.as_ref().unwrap().after_minutes, Some(4.0));
        assert!(matches!(&s.rounds[0].moderation[1], Moderation::Edit { secret, title: Some(_), text: Some(_) } if secret == "s205"));
        assert_eq!(s.participant("p18").unwrap().device, Device::Paper);
        assert_eq!(s.seat_of(1, "p18"), Some("T1"));
        assert_eq!(s.table_of_secret("s302"), Some("T3"));
        assert_eq!(s.secret("s214").unwrap().0, 1);
        assert_eq!(s.expected.showcase.as_ref().unwrap()["endroits-waouh"]["T3"].ids(), vec!["s314".to_string()]);
    }

    #[test]
    fn a_minimal_scenario_is_valid_and_defaults_apply() {
        let s = Scenario::from_json(&minimal().to_string()).unwrap();
        assert_eq!(s.themes[0].questions, Vec::<String>::new());
        assert!(s.feedback.is_empty());
        assert_eq!(s.expected.rejected, None);
        assert_eq!(s.rounds[0].expected_winners["A"], OneOrMany::One("a".into()));
        assert_eq!(s.expected.showcase.unwrap()["k"]["A"], OneOrMany::Many(vec!["a".into()]));
    }

    #[test]
    fn wrong_format_is_reported() {
        let mut v = minimal();
        v["format"] = "atelier-scenario/2".into();
        let p = problems_of(v);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("atelier-scenario/2"));
    }

    #[test]
    fn broken_references_are_all_reported() {
        let mut v = minimal();
        v["rounds"][0]["secrets"][0]["author"] = "nobody".into();
        v["rounds"][0]["votes"]["x2"] = "zzz".into();
        v["rounds"][0]["seating"]["C"] = serde_json::json!(["x9"]);
        v["expected"]["rejected"] = serde_json::json!(["nope"]);
        v["rounds"][0]["theme"] = "unknown".into();
        let p = problems_of(v).join("\n");
        for needle in ["unknown author \"nobody\"", "\"zzz\"", "unknown table \"C\"", "unknown participant \"x9\"", "\"nope\"", "unknown theme \"unknown\""] {
            assert!(p.contains(needle), "{needle} missing in:\n{p}");
        }
    }

    #[test]
    fn impossible_actions_are_reported() {
        let mut v = minimal();
        // x1 votes for their own secret; x3 (paper) sends a phone secret; x2 seated twice.
        v["rounds"][0]["votes"]["x1"] = "a".into();
        v["rounds"][0]["secrets"][1]["via"] = "phone".into();
        v["rounds"][0]["seating"]["B"] = serde_json::json!(["x2"]);
        v["rounds"][0]["secrets"][0]["title"] = "t".repeat(121).into();
        v["participants"][1]["email"] = "pas une adresse".into();
        let p = problems_of(v).join("\n");
        assert!(p.contains("secret a: The field \"title\" must have between 1 and 120 characters (now 121)"), "{p}");
        assert!(p.contains("participant x2: e-mail \"pas une adresse\""), "{p}");
        assert!(p.contains("x1 votes for their own secret a"), "{p}");
        assert!(p.contains("has no phone"), "{p}");
        assert!(p.contains("x2 is seated at both A and B"), "{p}");
    }

    #[test]
    fn invalid_json_is_a_json_error() {
        assert!(matches!(Scenario::from_json("{"), Err(ScenarioError::Json(_))));
        let mut v = minimal();
        v["participants"][0]["device"] = "tablet".into();
        assert!(matches!(Scenario::from_json(&v.to_string()), Err(ScenarioError::Json(_))));
    }

    #[test]
    fn moderation_decisions_parse() {
        let m: Vec<Moderation> = serde_json::from_str(
            r#"[{"secret":"a","decision":"reject","reason":"r"},{"secret":"b","decision":"edit","text":"t"},
                {"secret":"c","decision":"approve"},{"secret":"d","decision":"to_check"}]"#,
        )
        .unwrap();
        assert_eq!(m[0], Moderation::Reject { secret: "a".into(), reason: "r".into() });
        assert_eq!(m[1], Moderation::Edit { secret: "b".into(), title: None, text: Some("t".into()) });
        assert_eq!(m[2].secret(), "c");
        assert_eq!(m[3], Moderation::ToCheck { secret: "d".into(), note: String::new() });
    }
}
