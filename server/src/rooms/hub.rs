//! The hub: every workshop's room, and the indexes from join codes and tokens to rooms.

use super::room::Room;
use crate::auth;
use crate::clock::now_ms;
use crate::communes::Communes;
use crate::storage::{Store, StoreError, StoredEvent};
use crate::workflow::events::{DomainEvent, RoleTokenHashes};
use crate::workflow::state::Workshop;
use atelier_proto::command::{CreateWorkshop, CreatedWorkshop, JoinRequest, JoinResponse};
use atelier_proto::model::{Role, Theme};
use atelier_proto::text::{self, Lines};
use atelier_proto::view::WorkshopInfo;
use atelier_proto::*;
use dashmap::DashMap;
use std::collections::HashMap;
use std::sync::Arc;

/// The workshop, role and participant a token gives access to.
#[derive(Clone, Debug)]
pub struct TokenEntry {
    pub workshop: WorkshopId,
    pub role: Role,
    pub participant: Option<ParticipantId>,
}

/// Largest number of tables and themes a workshop may have.
const MAX_TABLES: u32 = 50;
const MAX_THEMES: usize = 12;

pub struct Hub {
    rooms: DashMap<WorkshopId, Arc<Room>>,
    codes: DashMap<String, WorkshopId>,
    tokens: DashMap<String, TokenEntry>,
    store: Arc<dyn Store>,
    communes: Arc<Communes>,
}

fn invalid(detail: &str) -> ProtoError {
    ProtoError::new(ErrorCode::InvalidField).with_detail(detail)
}

fn validated_themes(themes: &[Theme]) -> Result<Vec<Theme>, ProtoError> {
    if themes.is_empty() || themes.len() > MAX_THEMES {
        return Err(invalid("themes"));
    }
    let mut cleaned = Vec::new();
    for (i, theme) in themes.iter().enumerate() {
        let title = text::clean(&theme.title, Lines::Fold);
        let prompt = text::clean(&theme.prompt, Lines::Keep);
        if title.is_empty() || text::char_len(&title) > text::TITLE_MAX || text::char_len(&prompt) > text::NOTE_MAX {
            return Err(invalid("themes.title"));
        }
        let mut key = text::clean(&theme.key, Lines::Fold);
        if key.is_empty() {
            key = format!("theme-{}", i + 1);
        }
        if cleaned.iter().any(|t: &Theme| t.key == key) {
            return Err(invalid("themes.key"));
        }
        if theme.writing_minutes == 0 || theme.writing_minutes > 240 {
            return Err(invalid("themes.writing_minutes"));
        }
        let questions = theme.questions.iter().map(|q| text::clean(q, Lines::Fold)).filter(|q| !q.is_empty()).take(20).collect();
        cleaned.push(Theme { key, title, prompt, questions, writing_minutes: theme.writing_minutes });
    }
    Ok(cleaned)
}

/// Generates the facilitator, moderator and projector tokens of a workshop, with their hashes.
fn new_role_links() -> ([auth::Token; 3], RoleTokenHashes) {
    let links = [auth::new_token(), auth::new_token(), auth::new_token()];
    let tokens = RoleTokenHashes {
        facilitator: auth::hash_token(&links[0].0),
        moderator: auth::hash_token(&links[1].0),
        projector: auth::hash_token(&links[2].0),
    };
    (links, tokens)
}

impl Hub {
    pub fn new(store: Arc<dyn Store>, communes: Arc<Communes>) -> Hub {
        Hub { rooms: DashMap::new(), codes: DashMap::new(), tokens: DashMap::new(), store, communes }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn communes(&self) -> &Arc<Communes> {
        &self.communes
    }

    pub fn room(&self, id: &WorkshopId) -> Option<Arc<Room>> {
        self.rooms.get(id).map(|r| r.clone())
    }

    pub fn room_by_code(&self, code: &str) -> Option<Arc<Room>> {
        let id = self.codes.get(&auth::normalize_code(code))?.clone();
        self.room(&id)
    }

    pub fn rooms(&self) -> Vec<Arc<Room>> {
        self.rooms.iter().map(|r| r.clone()).collect()
    }

    pub fn lookup_token(&self, token: &str) -> Option<TokenEntry> {
        self.tokens.get(&auth::hash_token(token)).map(|e| e.clone())
    }

    fn index_role_tokens(&self, id: &WorkshopId, tokens: &RoleTokenHashes) {
        let roles = [(&tokens.facilitator, Role::Facilitator), (&tokens.moderator, Role::Moderator), (&tokens.projector, Role::Projector)];
        for (hash, role) in roles {
            self.tokens.insert(hash.clone(), TokenEntry { workshop: id.clone(), role, participant: None });
        }
    }

    fn index_workshop(&self, workshop: &Workshop) {
        let id = workshop.info.id.clone();
        self.index_role_tokens(&id, &workshop.tokens);
        for (hash, participant) in &workshop.participant_tokens {
            self.tokens.insert(hash.clone(), TokenEntry { workshop: id.clone(), role: Role::Participant, participant: Some(participant.clone()) });
        }
    }

    /// Rebuilds every workshop from its stored log.
    pub async fn restore(&self) -> Result<usize, StoreError> {
        let logs = self.store.load_all().await?;
        let count = logs.len();
        for log in logs {
            let mut events = log.events.iter();
            let Some(first) = events.next() else { continue };
            let Ok(DomainEvent::WorkshopCreated { info, tokens, at_ms }) = serde_json::from_str::<DomainEvent>(&first.body) else {
                tracing::error!(workshop.id = %log.id, "first stored event is not a workshop creation; workshop skipped");
                continue;
            };
            let mut workshop = Workshop::created(info, tokens, at_ms);
            for stored in events {
                match serde_json::from_str::<DomainEvent>(&stored.body) {
                    Ok(event) => workshop.apply(&event),
                    Err(error) => {
                        tracing::error!(workshop.id = %log.id, seq = stored.seq, %error, "stored event unreadable; replay stopped there");
                        break;
                    }
                }
            }
            let operations: HashMap<String, super::room::Operation> =
                log.operations.into_iter().filter_map(|(op, stored)| super::room::Operation::from_stored(&stored).map(|o| (op, o))).collect();
            self.index_workshop(&workshop);
            let id = WorkshopId(log.id.clone());
            self.codes.insert(log.code.clone(), id.clone());
            let room = Room::new(id.clone(), log.code, workshop, operations, self.store.clone(), self.communes.clone());
            self.rooms.insert(id, Arc::new(room));
        }
        Ok(count)
    }

    /// Creates a workshop and returns its code and role-link tokens (shown once, stored hashed).
    pub async fn create_workshop(&self, request: &CreateWorkshop) -> Result<CreatedWorkshop, ProtoError> {
        let title = text::clean(&request.title, Lines::Fold);
        if title.is_empty() || text::char_len(&title) > text::TITLE_MAX {
            return Err(invalid("title"));
        }
        let venue = text::clean(&request.venue, Lines::Fold);
        let starts_at = text::clean(&request.starts_at, Lines::Fold);
        if text::char_len(&venue) > text::PLACE_MAX {
            return Err(invalid("venue"));
        }
        if text::char_len(&starts_at) > 64 {
            return Err(invalid("starts_at"));
        }
        if request.tables == 0 || request.tables > MAX_TABLES {
            return Err(invalid("tables"));
        }
        if request.table_min == 0 || request.table_min > request.table_max || request.table_max > 30 {
            return Err(invalid("table_max"));
        }
        let language = if request.language == "en" { "en" } else { "fr" };
        let themes = validated_themes(&request.themes)?;
        let (links, tokens) = new_role_links();
        let [facilitator, moderator, projector] = links;
        let id = WorkshopId(uuid::Uuid::new_v4().to_string());
        let now = now_ms();
        for _attempt in 0..20 {
            let code = auth::new_join_code();
            let info = WorkshopInfo {
                id: id.clone(),
                code: code.clone(),
                title: title.clone(),
                venue: venue.clone(),
                starts_at: starts_at.clone(),
                language: language.into(),
                themes: themes.clone(),
                tables: (1..=request.tables).map(|i| TableId(format!("T{i}"))).collect(),
                table_min: request.table_min,
                table_max: request.table_max,
            };
            let event = DomainEvent::WorkshopCreated { info: info.clone(), tokens: tokens.clone(), at_ms: now };
            let stored = StoredEvent { seq: 1, at_ms: now, body: serde_json::to_string(&event).expect("events serialize") };
            match self.store.create_workshop(id.as_str(), &code, now, &[stored]).await {
                Ok(()) => {
                    let workshop = Workshop::created(info, tokens.clone(), now);
                    self.index_workshop(&workshop);
                    self.codes.insert(code.clone(), id.clone());
                    let room = Room::new(id.clone(), code.clone(), workshop, HashMap::new(), self.store.clone(), self.communes.clone());
                    self.rooms.insert(id.clone(), Arc::new(room));
                    tracing::info!(workshop.id = %id, workshop.code = %code, "workshop created");
                    return Ok(CreatedWorkshop {
                        workshop_id: id,
                        code,
                        facilitator_token: facilitator.0,
                        moderator_token: moderator.0,
                        projector_token: projector.0,
                    });
                }
                Err(StoreError::CodeTaken) => continue,
                Err(error) => {
                    tracing::error!(workshop.id = %id, %error, "storing a new workshop failed");
                    return Err(ProtoError::new(ErrorCode::Internal));
                }
            }
        }
        tracing::error!("no free join code after 20 attempts");
        Err(ProtoError::new(ErrorCode::Internal))
    }

    /// Lists every workshop on this server, newest first, for the organizer.
    pub async fn list_workshops(&self) -> Vec<serde_json::Value> {
        let mut list = Vec::new();
        for room in self.rooms() {
            let summary = room
                .with_state(|s| {
                    let w = &s.workshop;
                    (
                        w.created_at_ms,
                        serde_json::json!({
                            "workshop_id": w.info.id,
                            "code": w.info.code,
                            "title": w.info.title,
                            "venue": w.info.venue,
                            "starts_at": w.info.starts_at,
                            "phase": w.phase,
                            "participants": w.participants.len(),
                            "secrets": w.secrets.len(),
                            "created_at_ms": w.created_at_ms,
                        }),
                    )
                })
                .await;
            list.push(summary);
        }
        list.sort_by(|a, b| b.0.cmp(&a.0));
        list.into_iter().map(|(_, summary)| summary).collect()
    }

    /// Hands out new role links for a workshop whose links were lost. The old facilitator,
    /// moderator and projector links stop working; devices already connected stay connected.
    pub async fn replace_role_links(&self, id: &WorkshopId) -> Result<CreatedWorkshop, ProtoError> {
        let room = self.room(id).ok_or_else(|| ProtoError::new(ErrorCode::UnknownWorkshop))?;
        let (links, tokens) = new_role_links();
        let [facilitator, moderator, projector] = links;
        let previous = room.replace_role_tokens(tokens.clone()).await?;
        for old in [&previous.facilitator, &previous.moderator, &previous.projector] {
            self.tokens.remove(old);
        }
        self.index_role_tokens(id, &tokens);
        Ok(CreatedWorkshop { workshop_id: id.clone(), code: room.code.clone(), facilitator_token: facilitator.0, moderator_token: moderator.0, projector_token: projector.0 })
    }

    /// Adds a participant to the workshop with `request.code` and hands out their device token.
    pub async fn join(&self, request: &JoinRequest) -> Result<JoinResponse, ProtoError> {
        let room = self.room_by_code(&request.code).ok_or_else(|| ProtoError::new(ErrorCode::UnknownWorkshop))?;
        let token = auth::new_token();
        let hash = auth::hash_token(&token.0);
        let (participant, table) = room.join(request, hash.clone()).await?;
        self.tokens.insert(hash, TokenEntry { workshop: room.id.clone(), role: Role::Participant, participant: Some(participant.clone()) });
        Ok(JoinResponse { workshop_id: room.id.clone(), participant_id: participant, token: token.0, table })
    }
}
