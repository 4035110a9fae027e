//! One room per workshop: its state behind a lock, its event log writer and its fan-out.
//!
//! Commands of one workshop run one at a time: decide, store, apply, broadcast. Holding the
//! lock across the database write keeps sequence numbers, storage order and delivery order
//! identical.

use super::fanout::{self, Outbound};
use crate::clock::now_ms;
use crate::communes::Communes;
use crate::storage::{Store, StoredEvent};
use crate::views::{self, Viewer};
use crate::workflow::events::DomainEvent;
use crate::workflow::state::Workshop;
use crate::workflow::{self, stuck, Actor, Decision};
use atelier_proto::command::JoinRequest;
use atelier_proto::model::{Source, SecretFields};
use atelier_proto::view::{LiveView, StuckTable};
use atelier_proto::*;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use tokio::sync::{broadcast, Mutex};

/// How many recent sequence numbers a room keeps for devices that resume. A device further
/// behind gets a fresh snapshot instead.
pub const RESUME_BUFFER: usize = 4096;
/// Capacity of a room's broadcast channel; a device that falls further behind is resynchronised.
pub const BROADCAST_CAPACITY: usize = 1024;

/// A message a room broadcasts to its connections.
#[derive(Clone, Debug)]
pub enum RoomMessage {
    Outbound(Arc<Outbound>),
    /// A new live view for staff (`{"type":"live",…}`), outside the sequence.
    Live(Arc<str>),
}

pub struct RoomState {
    pub workshop: Workshop,
    /// Applied commands by operation id: who sent what, and the result returned.
    operations: HashMap<String, Operation>,
    buffer: VecDeque<Arc<Outbound>>,
    online: HashMap<ParticipantId, usize>,
    stuck: Vec<StuckTable>,
}

impl RoomState {
    fn live(&self) -> LiveView {
        let mut online: Vec<ParticipantId> = self.online.iter().filter(|(_, n)| **n > 0).map(|(p, _)| p.clone()).collect();
        online.sort();
        LiveView { online, stuck: self.stuck.clone() }
    }
}

/// An applied command, remembered so that a retry gets the same result.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Operation {
    /// SHA-256 of the sender and the command: a reused id with another command is a conflict.
    pub fingerprint: String,
    pub answer: Value,
}

impl Operation {
    /// Reads a stored operation. Results stored before fingerprints existed match any retry.
    pub fn from_stored(text: &str) -> Option<Operation> {
        let value: Value = serde_json::from_str(text).ok()?;
        match serde_json::from_value::<Operation>(value.clone()) {
            Ok(operation) => Some(operation),
            Err(_) => Some(Operation { fingerprint: String::new(), answer: value }),
        }
    }
}

fn fingerprint(actor: &str, command: &impl serde::Serialize) -> String {
    let body = serde_json::to_string(command).expect("commands serialize");
    crate::auth::hash_token(&format!("{actor}\n{body}"))
}

/// Returns the remembered answer to `op`, or `op_conflict` when the id was used for another
/// command or by another device.
fn remembered(state: &RoomState, op: &str, fingerprint: &str) -> Option<Result<Value, ProtoError>> {
    let operation = state.operations.get(op)?;
    if !operation.fingerprint.is_empty() && operation.fingerprint != fingerprint {
        return Some(Err(ProtoError::new(ErrorCode::OpConflict).with_detail(op)));
    }
    Some(Ok(operation.answer.clone()))
}

/// The first messages a device receives after its hello.
pub enum Attach {
    Snapshot { seq: u64, snapshot: Box<atelier_proto::view::Snapshot> },
    /// The device is resumed: these messages follow the welcome, in order.
    Resume { seq: u64, missed: Vec<Arc<str>> },
}

pub struct Room {
    pub id: WorkshopId,
    pub code: String,
    state: Mutex<RoomState>,
    sender: broadcast::Sender<RoomMessage>,
    store: Arc<dyn Store>,
    communes: Arc<Communes>,
}

/// Logs a storage failure and returns the `internal` protocol error for it.
fn internal(error: impl std::fmt::Display, workshop: &WorkshopId) -> ProtoError {
    tracing::error!(workshop.id = %workshop, %error, "storing events failed");
    ProtoError::new(ErrorCode::Internal)
}

impl Room {
    pub fn new(id: WorkshopId, code: String, workshop: Workshop, operations: HashMap<String, Operation>, store: Arc<dyn Store>, communes: Arc<Communes>) -> Room {
        let (sender, _) = broadcast::channel(BROADCAST_CAPACITY);
        let state = RoomState { workshop, operations, buffer: VecDeque::new(), online: HashMap::new(), stuck: Vec::new() };
        Room { id, code, state: Mutex::new(state), sender, store, communes }
    }

    pub async fn with_state<T>(&self, read: impl FnOnce(&RoomState) -> T) -> T {
        let state = self.state.lock().await;
        read(&state)
    }

    fn resolve_fields(&self, fields: &SecretFields) -> SecretFields {
        SecretFields { commune: self.communes.resolve(&fields.commune), ..fields.clone() }
    }

    /// Resolves commune names to INSEE codes before the workflow checks a command.
    fn prepare(&self, command: &Command) -> Command {
        let mut command = command.clone();
        match &mut command {
            Command::SubmitSecret { fields } | Command::SubmitPaperSecret { fields, .. } | Command::EditSecret { fields, .. } => {
                *fields = self.resolve_fields(fields);
            }
            Command::AddPaperParticipant { commune, .. } => *commune = self.communes.resolve(commune),
            _ => {}
        }
        command
    }

    /// Runs a command: applies it once per operation id and returns its result.
    #[tracing::instrument(skip_all, fields(workshop.id = %self.id, op.id = %op, command = command.name(), actor = ?actor))]
    pub async fn execute(&self, actor: &Actor, op: &OpId, command: &Command) -> Result<Value, ProtoError> {
        let started = std::time::Instant::now();
        let fingerprint = fingerprint(&format!("{actor:?}"), command);
        let command = self.prepare(command);
        let mut state = self.state.lock().await;
        if let Some(answer) = remembered(&state, op.as_str(), &fingerprint) {
            tracing::debug!("retried operation: returning its stored result");
            return answer;
        }
        let now = now_ms();
        let decision = workflow::decide(&state.workshop, actor, &command, now)?;
        let result = self.commit(&mut state, decision, Some((op.as_str(), fingerprint)), now).await?;
        tracing::debug!(elapsed_ms = started.elapsed().as_millis() as u64, "command applied");
        Ok(result)
    }

    /// Adds a participant who joined with the code. A retried join (same `op`) returns the same
    /// participant with a new device token.
    pub async fn join(&self, request: &JoinRequest, token_hash: String) -> Result<(ParticipantId, Option<TableId>), ProtoError> {
        let commune = self.communes.resolve(&request.commune);
        let mut identity = request.clone();
        identity.op = None;
        let fingerprint = fingerprint("join", &identity);
        let mut state = self.state.lock().await;
        let now = now_ms();
        if let Some(op) = &request.op {
            if let Some(answer) = remembered(&state, op.as_str(), &fingerprint) {
                let answer = answer?;
                let participant: ParticipantId = serde_json::from_value(answer["participant"].clone()).map_err(|e| internal(e, &self.id))?;
                let table = state.workshop.participant(&participant).and_then(|p| p.table.clone());
                let decision = Decision::of_events(vec![DomainEvent::ParticipantTokenAdded { id: participant.clone(), token_hash }]);
                self.commit(&mut state, decision, None, now).await?;
                return Ok((participant, table));
            }
        }
        let (participant, decision) = workflow::seating_join(
            &state.workshop,
            &request.name,
            &commune,
            request.consents,
            request.email.as_deref(),
            request.table.as_ref(),
            Source::Phone,
            Some(token_hash),
        )?;
        self.commit(&mut state, decision, request.op.as_ref().map(|o| (o.as_str(), fingerprint)), now).await?;
        let table = state.workshop.participant(&participant).and_then(|p| p.table.clone());
        tracing::info!(workshop.id = %self.id, participant.id = %participant, table = ?table, "participant joined");
        Ok((participant, table))
    }

    /// Stores new role-link token hashes and returns the ones they replace.
    pub async fn replace_role_tokens(&self, tokens: crate::workflow::events::RoleTokenHashes) -> Result<crate::workflow::events::RoleTokenHashes, ProtoError> {
        let mut state = self.state.lock().await;
        let previous = state.workshop.tokens.clone();
        let decision = Decision::of_events(vec![DomainEvent::RoleTokensReplaced { tokens }]);
        self.commit(&mut state, decision, None, now_ms()).await?;
        tracing::info!(workshop.id = %self.id, "role links replaced");
        Ok(previous)
    }

    /// Stores the decision's events (and the answer to `op`), then applies and broadcasts them.
    async fn commit(&self, state: &mut RoomState, decision: Decision, op: Option<(&str, String)>, now: i64) -> Result<Value, ProtoError> {
        let first_seq = state.workshop.seq + 1;
        let stored: Vec<StoredEvent> = decision
            .events
            .iter()
            .enumerate()
            .map(|(i, event)| StoredEvent { seq: first_seq + i as u64, at_ms: now, body: serde_json::to_string(event).expect("events serialize") })
            .collect();
        let operation = op.map(|(id, fingerprint)| (id, Operation { fingerprint, answer: decision.result.clone() }));
        let stored_operation = operation.as_ref().map(|(id, o)| (*id, serde_json::to_string(o).expect("operations serialize")));
        if !stored.is_empty() || operation.is_some() {
            let for_store = stored_operation.as_ref().map(|(id, text)| (*id, text.as_str()));
            self.store.append(self.id.as_str(), &stored, for_store).await.map_err(|e| internal(e, &self.id))?;
        }
        for event in &decision.events {
            state.workshop.apply(event);
            let live = state.live();
            let outbound = Arc::new(fanout::render(&state.workshop, event, state.workshop.seq, now, &live));
            state.buffer.push_back(outbound.clone());
            if state.buffer.len() > RESUME_BUFFER {
                state.buffer.pop_front();
            }
            // Sending fails only when no device is connected, which is not an error.
            let _ = self.sender.send(RoomMessage::Outbound(outbound));
        }
        if let Some((id, operation)) = operation {
            state.operations.insert(id.to_owned(), operation);
        }
        self.refresh_stuck(state, now);
        Ok(decision.result)
    }

    fn broadcast_live(&self, state: &RoomState) {
        let message = ServerMessage::Live { live: state.live() };
        let json: Arc<str> = serde_json::to_string(&message).expect("live view serializes").into();
        let _ = self.sender.send(RoomMessage::Live(json));
    }

    fn refresh_stuck(&self, state: &mut RoomState, now: i64) {
        let stuck = stuck::stuck_tables(&state.workshop, now);
        if stuck != state.stuck {
            if !stuck.is_empty() {
                let tables: Vec<&str> = stuck.iter().map(|s| s.table.as_str()).collect();
                tracing::info!(workshop.id = %self.id, ?tables, "stuck tables changed");
            }
            state.stuck = stuck;
            self.broadcast_live(state);
        }
    }

    /// Re-evaluates the time-based signals; called periodically.
    pub async fn tick(&self) {
        let mut state = self.state.lock().await;
        self.refresh_stuck(&mut state, now_ms());
    }

    /// Subscribes a device and returns what it must receive first. Subscribing under the lock
    /// means no event falls between the snapshot and the live stream.
    ///
    /// A device missing more than `max_missed` messages gets a snapshot instead, which is
    /// smaller and cannot overflow its outbound queue.
    pub async fn attach(&self, viewer: &Viewer, last_seq: Option<u64>, max_missed: usize) -> (Attach, broadcast::Receiver<RoomMessage>) {
        let mut state = self.state.lock().await;
        let receiver = self.sender.subscribe();
        if let Viewer::Participant(id) = viewer {
            *state.online.entry(id.clone()).or_insert(0) += 1;
            if state.online[id] == 1 {
                self.broadcast_live(&state);
            }
        }
        let seq = state.workshop.seq;
        let resumable = match last_seq {
            Some(last) if last == seq => Some(Vec::new()),
            Some(last) if last < seq => {
                let covered = state.buffer.front().is_some_and(|first| first.seq <= last + 1);
                let missed: Option<Vec<Arc<str>>> =
                    covered.then(|| state.buffer.iter().filter(|o| o.seq > last).filter_map(|o| o.for_viewer(viewer).cloned()).collect());
                missed.filter(|m| m.len() <= max_missed)
            }
            _ => None,
        };
        let attach = match resumable {
            Some(missed) => Attach::Resume { seq, missed },
            None => Attach::Snapshot { seq, snapshot: Box::new(views::snapshot(&state.workshop, viewer, now_ms(), state.live())) },
        };
        (attach, receiver)
    }

    /// Returns the current live view as a `live` message, for a staff device that resumed.
    pub async fn live_message(&self) -> Arc<str> {
        let state = self.state.lock().await;
        serde_json::to_string(&ServerMessage::Live { live: state.live() }).expect("live view serializes").into()
    }

    /// Builds a fresh snapshot for a device that fell behind the broadcast.
    pub async fn resync(&self, viewer: &Viewer) -> (u64, Box<atelier_proto::view::Snapshot>) {
        let state = self.state.lock().await;
        (state.workshop.seq, Box::new(views::snapshot(&state.workshop, viewer, now_ms(), state.live())))
    }

    pub async fn detach(&self, viewer: &Viewer) {
        if let Viewer::Participant(id) = viewer {
            let mut state = self.state.lock().await;
            if let Some(count) = state.online.get_mut(id) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    state.online.remove(id);
                    self.broadcast_live(&state);
                }
            }
        }
    }
}
