//! A device's WebSocket connection: hello, a local copy of its view kept up to date by events,
//! commands with operation ids, and reconnection.
//!
//! A background task owns the socket. It connects to `ws://HOST/ws`, sends
//! `hello {v, token, last_seq}`, and applies what the server sends to a local [`LocalState`].
//! When the socket drops it reconnects with jittered exponential backoff (100 ms doubling to
//! 5 s, ±50 %), says which sequence number it last applied, and re-sends every command still
//! waiting for an answer with the same operation id: the server applies an id once and
//! answers a retry with the original acknowledgement.
//!
//! Tests never sleep: they wait on state with [`Connection::wait_for`] and friends.

use atelier_proto::message::{Event, ServerMessage};
use atelier_proto::model::Role;
use atelier_proto::view::Snapshot;
use atelier_proto::{ClientMessage, Command, ErrorCode, OpId, ParticipantId, ProtoError, TableId, WorkshopId, PROTOCOL_VERSION};
use futures_util::{SinkExt, StreamExt};
use rand::Rng;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

/// How long a connection attempt (TCP, upgrade and welcome) may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time a command waits for its answer, reconnections included.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// Jittered exponential backoff: 100 ms doubling to 5 s, each delay ±50 %.
#[derive(Clone, Debug)]
pub struct Backoff {
    next: Duration,
    min: Duration,
    max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new(Duration::from_millis(100), Duration::from_secs(5))
    }
}

impl Backoff {
    pub fn new(min: Duration, max: Duration) -> Self {
        Backoff { next: min, min, max }
    }

    /// The next delay to wait, with jitter; doubles the base for the time after.
    pub fn next_delay(&mut self) -> Duration {
        let base = self.next;
        self.next = (self.next * 2).min(self.max);
        base.mul_f64(rand::thread_rng().gen_range(0.5..1.5))
    }

    /// Back to the shortest delay (after a connection that worked).
    pub fn reset(&mut self) {
        self.next = self.min;
    }
}

/// Something the person should know, as sent in a `notice` event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub code: String,
    pub message_fr: String,
    pub message_en: String,
}

/// Everything a connection knows.
#[derive(Clone, Debug, Default)]
pub struct LocalState {
    pub role: Option<Role>,
    pub workshop_id: Option<WorkshopId>,
    pub participant_id: Option<ParticipantId>,
    /// The role's view, once a welcome brought one.
    pub snapshot: Option<Snapshot>,
    /// Sequence number of the last event applied (or of the snapshot).
    pub last_seq: Option<u64>,
    /// Inspiration questions pushed to a table, in order.
    pub questions: Vec<(TableId, String)>,
    pub notices: Vec<Notice>,
    pub connected: bool,
    /// Number of sessions that reached the welcome (1 on the first connection).
    pub sessions: u64,
    /// Number of welcomes that carried a snapshot.
    pub snapshots_received: u64,
    /// The last error the server sent without an operation id.
    pub last_error: Option<ProtoError>,
}

/// Applies one server message to a local state. Returns whether the state changed.
///
/// Events whose sequence number is not above the last one applied are duplicates and ignored.
pub fn apply_message(state: &mut LocalState, msg: ServerMessage) -> bool {
    match msg {
        ServerMessage::Welcome { role, workshop_id, participant_id, seq, snapshot, .. } => {
            state.role = Some(role);
            state.workshop_id = Some(workshop_id);
            state.participant_id = participant_id;
            if let Some(snapshot) = snapshot {
                state.snapshot = Some(*snapshot);
                state.last_seq = Some(seq);
                state.snapshots_received += 1;
            }
            true
        }
        ServerMessage::Event { seq, changes } => {
            if matches!(state.last_seq, Some(last) if seq <= last) {
                return false;
            }
            state.last_seq = Some(seq);
            for change in changes {
                apply_event(state, change);
            }
            true
        }
        ServerMessage::Live { live } => {
            if let Some(s) = state.snapshot.as_mut() {
                s.live = live;
            }
            true
        }
        ServerMessage::Error { op: None, error } => {
            state.last_error = Some(error);
            true
        }
        ServerMessage::Ack { .. } | ServerMessage::Error { .. } | ServerMessage::Pong => false,
    }
}

fn upsert<T>(list: &mut Vec<T>, item: T, same: impl Fn(&T, &T) -> bool) {
    match list.iter().position(|x| same(x, &item)) {
        Some(i) => list[i] = item,
        None => list.push(item),
    }
}

/// Applies one event: each replaces one entity of the view by id.
pub fn apply_event(state: &mut LocalState, event: Event) {
    match event {
        Event::Question { table, text } => {
            state.questions.push((table, text));
            return;
        }
        Event::Notice { code, message_fr, message_en } => {
            state.notices.push(Notice { code, message_fr, message_en });
            return;
        }
        Event::Reset(snapshot) => {
            state.snapshot = Some(*snapshot);
            state.snapshots_received += 1;
            return;
        }
        _ => {}
    }
    let Some(s) = state.snapshot.as_mut() else {
        tracing::warn!("event before any snapshot, ignored: {event:?}");
        return;
    };
    match event {
        Event::Stage(stage) => s.stage = stage,
        Event::Participant(p) => upsert(&mut s.participants, p, |a, b| a.id == b.id),
        Event::Secret(secret) => upsert(&mut s.secrets, secret, |a, b| a.id == b.id),
        Event::SecretRemoved { id } => s.secrets.retain(|x| x.id != id),
        Event::Table(t) => upsert(&mut s.tables, t, |a, b| a.id == b.id),
        Event::Me(me) => {
            if let Some(p) = s.participants.iter_mut().find(|p| p.id == me.participant.id) {
                *p = me.participant.clone();
            }
            s.me = Some(me);
        }
        Event::Reshuffle { reshuffle } => s.reshuffle = reshuffle,
        Event::Showcase(showcase) => s.showcase = Some(showcase),
        Event::Feedback(f) => upsert(&mut s.feedback, f, |a, b| a.participant == b.participant),
        Event::Question { .. } | Event::Notice { .. } | Event::Reset(_) => unreachable!(),
    }
}

/// Why a first connection failed.
#[derive(Debug)]
pub enum ConnectError {
    /// TCP or WebSocket failure.
    Transport(String),
    /// The server answered the hello with an error (bad token, version…).
    Rejected(ProtoError),
    /// No welcome in time.
    Timeout,
    /// The server closed the socket before the welcome.
    Closed(String),
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::Transport(e) => write!(f, "cannot connect: {e}"),
            ConnectError::Rejected(e) => write!(f, "hello refused: {e}"),
            ConnectError::Timeout => write!(f, "no welcome within {HANDSHAKE_TIMEOUT:?}"),
            ConnectError::Closed(why) => write!(f, "closed before the welcome: {why}"),
        }
    }
}

impl std::error::Error for ConnectError {}

/// A wait on state that timed out.
#[derive(Debug, Clone)]
pub struct WaitTimeout {
    pub label: String,
    pub timeout: Duration,
}

impl fmt::Display for WaitTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: the expected state did not come within {:?}", self.label, self.timeout)
    }
}

impl std::error::Error for WaitTimeout {}

/// Called after every change of a connection's state, with the lock held: it must be quick and
/// must not call back into the same connection.
pub type Observer = Box<dyn Fn(&LocalState) + Send + Sync>;

struct PendingOp {
    id: u64,
    op: OpId,
    text: String,
    /// Session in which it was last sent (0: never).
    sent_in: u64,
    reply: oneshot::Sender<Result<serde_json::Value, ProtoError>>,
}

struct Inner {
    label: String,
    ws_url: String,
    token: String,
    state: Mutex<LocalState>,
    changed: watch::Sender<u64>,
    pending: Mutex<Vec<PendingOp>>,
    next_pending: AtomicU64,
    command_timeout: Mutex<Duration>,
    observer: Mutex<Option<Observer>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Inner {
    fn update<R>(&self, f: impl FnOnce(&mut LocalState) -> R) -> R {
        let mut state = lock(&self.state);
        let r = f(&mut state);
        if let Some(obs) = lock(&self.observer).as_ref() {
            obs(&state);
        }
        drop(state);
        self.changed.send_modify(|v| *v += 1);
        r
    }

    fn resolve(&self, op: &OpId, result: Result<serde_json::Value, ProtoError>) {
        let mut pending = lock(&self.pending);
        let mut i = 0;
        let mut found = false;
        while i < pending.len() {
            if &pending[i].op == op {
                let p = pending.remove(i);
                let _ = p.reply.send(result.clone());
                found = true;
            } else {
                i += 1;
            }
        }
        if !found {
            tracing::debug!(conn = %self.label, %op, "answer for an op nobody waits for (already answered)");
        }
    }

    /// Texts of the pending commands not yet sent in `session`, marked as sent.
    fn unsent(&self, session: u64) -> Vec<String> {
        let mut pending = lock(&self.pending);
        pending
            .iter_mut()
            .filter(|p| p.sent_in != session)
            .map(|p| {
                p.sent_in = session;
                p.text.clone()
            })
            .collect()
    }
}

enum Wake {
    Flush,
    Raw(String),
    Close,
}

/// A live connection of one device. Cheap to clone; the socket closes when the last clone is
/// dropped or [`Connection::close`] is called.
#[derive(Clone)]
pub struct Connection {
    inner: Arc<Inner>,
    wake: mpsc::UnboundedSender<Wake>,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection").field("label", &self.inner.label).field("url", &self.inner.ws_url).finish()
    }
}

enum End {
    /// The connection was dropped or closed by its owner.
    Shutdown,
    /// Failed before the welcome.
    Failed(ConnectError),
    /// A welcomed session ended.
    Lost(String),
}

pub(crate) fn client_error(detail: &str, message_en: String) -> ProtoError {
    ProtoError {
        code: ErrorCode::Internal,
        message_fr: format!("Erreur côté client : {message_en}"),
        message_en: format!("client: {message_en}"),
        detail: Some(detail.to_string()),
    }
}

impl Connection {
    /// Connects to the server at `base` (`http://host:port`) with a role or device token and
    /// waits for the welcome. Fails at once if the first attempt fails.
    pub async fn connect(base: &str, token: &str) -> Result<Connection, ConnectError> {
        Connection::connect_labeled(base, token, "device").await
    }

    /// Same as [`Connection::connect`], with a label used in logs and error messages.
    pub async fn connect_labeled(base: &str, token: &str, label: &str) -> Result<Connection, ConnectError> {
        let (changed, _) = watch::channel(0u64);
        let inner = Arc::new(Inner {
            label: label.to_string(),
            ws_url: crate::http::ws_url(base),
            token: token.to_string(),
            state: Mutex::new(LocalState::default()),
            changed,
            pending: Mutex::new(Vec::new()),
            next_pending: AtomicU64::new(1),
            command_timeout: Mutex::new(DEFAULT_COMMAND_TIMEOUT),
            observer: Mutex::new(None),
        });
        let (wake, wake_rx) = mpsc::unbounded_channel();
        let (ready_tx, ready_rx) = oneshot::channel();
        tokio::spawn(run(inner.clone(), wake_rx, ready_tx));
        match ready_rx.await {
            Ok(Ok(())) => Ok(Connection { inner, wake }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(ConnectError::Closed("connection task ended".into())),
        }
    }

    pub fn label(&self) -> &str {
        &self.inner.label
    }

    /// How long [`Connection::send`] waits for an answer (default 30 s).
    pub fn set_command_timeout(&self, timeout: Duration) {
        *lock(&self.inner.command_timeout) = timeout;
    }

    /// Installs a function called after every change of the state (see [`Observer`]).
    pub fn set_observer(&self, observer: Option<Observer>) {
        *lock(&self.inner.observer) = observer;
        // Same lock order as `Inner::update`: state, then observer.
        let state = lock(&self.inner.state);
        if let Some(obs) = lock(&self.inner.observer).as_ref() {
            obs(&state);
        }
    }

    /// Sends a command with a fresh operation id and waits for its ack (the ack's `result`) or
    /// error. Commands sent while disconnected, or whose answer was lost, are re-sent with the
    /// same operation id after reconnecting. Client-side failures (no answer in time,
    /// connection closed) come back as code `internal` with a detail starting with `client_`.
    pub async fn send(&self, command: Command) -> Result<serde_json::Value, ProtoError> {
        self.send_with_op(OpId(uuid::Uuid::new_v4().to_string()), command).await
    }

    /// Sends a command with a chosen operation id (to test retries).
    pub async fn send_with_op(&self, op: OpId, command: Command) -> Result<serde_json::Value, ProtoError> {
        let name = command.name();
        let text = serde_json::to_string(&ClientMessage::Cmd { op: op.clone(), command }).expect("commands serialize");
        let (reply, answer) = oneshot::channel();
        let id = self.inner.next_pending.fetch_add(1, Ordering::Relaxed);
        lock(&self.inner.pending).push(PendingOp { id, op: op.clone(), text, sent_in: 0, reply });
        if self.wake.send(Wake::Flush).is_err() {
            lock(&self.inner.pending).retain(|p| p.id != id);
            return Err(client_error("client_closed", format!("{}: connection closed, {name} not sent", self.inner.label)));
        }
        let timeout = *lock(&self.inner.command_timeout);
        match tokio::time::timeout(timeout, answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(client_error("client_closed", format!("{}: connection closed while waiting for {name} (op {op})", self.inner.label))),
            Err(_) => {
                lock(&self.inner.pending).retain(|p| p.id != id);
                Err(client_error(
                    "client_timeout",
                    format!("{}: no answer to {name} (op {op}) within {timeout:?}", self.inner.label),
                ))
            }
        }
    }

    /// Sends a raw text frame on the current session (not retried), to test bad input.
    pub fn send_raw(&self, text: impl Into<String>) {
        let _ = self.wake.send(Wake::Raw(text.into()));
    }

    /// Closes the socket and stops reconnecting, for every clone.
    pub fn close(&self) {
        let _ = self.wake.send(Wake::Close);
    }

    /// A copy of the whole local state.
    pub fn state(&self) -> LocalState {
        lock(&self.inner.state).clone()
    }

    /// A copy of the current view.
    pub fn snapshot(&self) -> Option<Snapshot> {
        lock(&self.inner.state).snapshot.clone()
    }

    /// Reads the current view without copying it.
    pub fn with_snapshot<R>(&self, f: impl FnOnce(Option<&Snapshot>) -> R) -> R {
        f(lock(&self.inner.state).snapshot.as_ref())
    }

    pub fn last_seq(&self) -> Option<u64> {
        lock(&self.inner.state).last_seq
    }

    pub fn participant_id(&self) -> Option<ParticipantId> {
        lock(&self.inner.state).participant_id.clone()
    }

    pub fn role(&self) -> Option<Role> {
        lock(&self.inner.state).role
    }

    pub fn is_connected(&self) -> bool {
        lock(&self.inner.state).connected
    }

    /// Number of sessions that reached the welcome (grows with every reconnection).
    pub fn sessions(&self) -> u64 {
        lock(&self.inner.state).sessions
    }

    /// Waits until `f` returns `Some` on the whole local state.
    pub async fn wait_state<T>(&self, timeout: Duration, mut f: impl FnMut(&LocalState) -> Option<T>) -> Result<T, WaitTimeout> {
        let mut rx = self.inner.changed.subscribe();
        let deadline = Instant::now() + timeout;
        loop {
            rx.borrow_and_update();
            if let Some(v) = f(&lock(&self.inner.state)) {
                return Ok(v);
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => continue,
                Ok(Err(_)) | Err(_) => {
                    // One last look: the change may have come with the deadline.
                    if let Some(v) = f(&lock(&self.inner.state)) {
                        return Ok(v);
                    }
                    return Err(WaitTimeout { label: self.inner.label.clone(), timeout });
                }
            }
        }
    }

    /// Waits until `f` returns `Some` on the view.
    pub async fn wait_until<T>(&self, timeout: Duration, mut f: impl FnMut(&Snapshot) -> Option<T>) -> Result<T, WaitTimeout> {
        self.wait_state(timeout, |s| s.snapshot.as_ref().and_then(&mut f)).await
    }

    /// Waits until the view satisfies `pred`; returns a copy of it.
    pub async fn wait_for(&self, timeout: Duration, mut pred: impl FnMut(&Snapshot) -> bool) -> Result<Snapshot, WaitTimeout> {
        self.wait_until(timeout, |s| pred(s).then(|| s.clone())).await
    }
}

async fn run(inner: Arc<Inner>, mut wake: mpsc::UnboundedReceiver<Wake>, ready: oneshot::Sender<Result<(), ConnectError>>) {
    let mut ready = Some(ready);
    let mut backoff = Backoff::default();
    loop {
        let end = session(&inner, &mut wake, &mut ready).await;
        inner.update(|s| s.connected = false);
        match end {
            End::Shutdown => return,
            End::Failed(e) => {
                if let Some(r) = ready.take() {
                    let _ = r.send(Err(e));
                    return;
                }
                tracing::debug!(conn = %inner.label, "reconnection failed: {e}");
            }
            End::Lost(why) => {
                backoff.reset();
                tracing::info!(conn = %inner.label, "connection lost ({why}), reconnecting");
            }
        }
        let sleep = tokio::time::sleep(backoff.next_delay());
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => break,
                w = wake.recv() => match w {
                    None | Some(Wake::Close) => return,
                    Some(_) => {}
                },
            }
        }
    }
}

fn close_reason(frame: Option<tokio_tungstenite::tungstenite::protocol::CloseFrame>) -> String {
    match frame {
        Some(f) => format!("closed by the server, code {} {:?}", u16::from(f.code), f.reason.as_str()),
        None => "closed by the server".into(),
    }
}

async fn session(inner: &Arc<Inner>, wake: &mut mpsc::UnboundedReceiver<Wake>, ready: &mut Option<oneshot::Sender<Result<(), ConnectError>>>) -> End {
    let deadline = Instant::now() + HANDSHAKE_TIMEOUT;
    let ws = match tokio::time::timeout_at(deadline, tokio_tungstenite::connect_async_with_config(inner.ws_url.as_str(), None, true)).await {
        Err(_) => return End::Failed(ConnectError::Timeout),
        Ok(Err(e)) => return End::Failed(ConnectError::Transport(e.to_string())),
        Ok(Ok((ws, _response))) => ws,
    };
    let (mut sink, mut stream) = ws.split();
    let last_seq = {
        let s = lock(&inner.state);
        if s.snapshot.is_some() {
            s.last_seq
        } else {
            None
        }
    };
    let hello = ClientMessage::Hello { v: PROTOCOL_VERSION, token: inner.token.clone(), last_seq };
    if let Err(e) = sink.send(Message::text(serde_json::to_string(&hello).expect("hello serializes"))).await {
        return End::Failed(ConnectError::Transport(e.to_string()));
    }

    // Wait for the welcome.
    loop {
        let msg = match tokio::time::timeout_at(deadline, stream.next()).await {
            Err(_) => return End::Failed(ConnectError::Timeout),
            Ok(None) => return End::Failed(ConnectError::Closed("socket closed".into())),
            Ok(Some(Err(e))) => return End::Failed(ConnectError::Transport(e.to_string())),
            Ok(Some(Ok(m))) => m,
        };
        match msg {
            Message::Text(text) => match serde_json::from_str::<ServerMessage>(text.as_str()) {
                Ok(ServerMessage::Error { op: None, error }) => {
                    inner.update(|s| s.last_error = Some(error.clone()));
                    return End::Failed(ConnectError::Rejected(error));
                }
                Ok(welcome @ ServerMessage::Welcome { .. }) => {
                    let resumed = matches!(&welcome, ServerMessage::Welcome { snapshot: None, .. });
                    tracing::debug!(conn = %inner.label, last_seq = ?last_seq, resumed, "welcome");
                    inner.update(|s| {
                        apply_message(s, welcome);
                        s.connected = true;
                        s.sessions += 1;
                    });
                    break;
                }
                Ok(other) => {
                    tracing::debug!(conn = %inner.label, "before welcome: {other:?}");
                    handle(inner, other);
                }
                Err(e) => tracing::warn!(conn = %inner.label, "unreadable server message before welcome: {e}: {}", text.as_str()),
            },
            Message::Close(frame) => return End::Failed(ConnectError::Closed(close_reason(frame))),
            _ => {}
        }
    }
    let session_no = lock(&inner.state).sessions;
    if let Some(r) = ready.take() {
        let _ = r.send(Ok(()));
    }

    // Commands waiting for an answer go (again) first, in their order.
    for text in inner.unsent(session_no) {
        if let Err(e) = sink.send(Message::text(text)).await {
            return End::Lost(e.to_string());
        }
    }

    loop {
        tokio::select! {
            msg = stream.next() => match msg {
                None => return End::Lost("socket closed".into()),
                Some(Err(e)) => return End::Lost(e.to_string()),
                Some(Ok(Message::Text(text))) => match serde_json::from_str::<ServerMessage>(text.as_str()) {
                    Ok(m) => handle(inner, m),
                    Err(e) => tracing::warn!(conn = %inner.label, "unreadable server message: {e}: {}", text.as_str()),
                },
                Some(Ok(Message::Close(frame))) => return End::Lost(close_reason(frame)),
                Some(Ok(_)) => {}
            },
            w = wake.recv() => match w {
                None | Some(Wake::Close) => {
                    let _ = sink.send(Message::Close(None)).await;
                    return End::Shutdown;
                }
                Some(Wake::Flush) => {
                    for text in inner.unsent(session_no) {
                        if let Err(e) = sink.send(Message::text(text)).await {
                            return End::Lost(e.to_string());
                        }
                    }
                }
                Some(Wake::Raw(text)) => {
                    if let Err(e) = sink.send(Message::text(text)).await {
                        return End::Lost(e.to_string());
                    }
                }
            },
        }
    }
}

fn handle(inner: &Arc<Inner>, msg: ServerMessage) {
    match msg {
        ServerMessage::Ack { op, result } => inner.resolve(&op, Ok(result)),
        ServerMessage::Error { op: Some(op), error } => inner.resolve(&op, Err(error)),
        ServerMessage::Error { op: None, error } => {
            tracing::warn!(conn = %inner.label, "server error: {error}");
            inner.update(|s| s.last_error = Some(error));
        }
        ServerMessage::Pong => {}
        other => {
            inner.update(|s| {
                apply_message(s, other);
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atelier_proto::model::{Phase, SecretStatus, Source, SecretFields, CommuneRef};
    use atelier_proto::view::*;
    use atelier_proto::SecretId;

    fn snapshot() -> Snapshot {
        serde_json::from_value(serde_json::json!({
            "workshop": { "id": "w", "code": "ABC", "title": "t", "venue": "", "starts_at": "", "language": "fr",
                          "themes": [], "tables": ["T1"], "table_min": 1, "table_max": 8 },
            "stage": { "phase": "lobby", "round": null, "timer": { "ends_at_ms": null, "paused_remaining_ms": null }, "server_now_ms": 0 },
            "participants": [], "secrets": [], "tables": []
        }))
        .unwrap()
    }

    fn secret(id: &str, version: u32) -> SecretView {
        SecretView {
            id: SecretId(id.into()),
            version,
            theme: "k".into(),
            table: TableId("T1".into()),
            fields: SecretFields {
                title: "t".into(),
                text: "x".into(),
                place: String::new(),
                commune: CommuneRef { insee: None, name: "Caen".into() },
                best_moment: String::new(),
                coordinates: None,
            },
            author: None,
            author_name: None,
            status: Some(SecretStatus::Pending),
            reject_reason: None,
            moderation_note: None,
            source: Source::Phone,
            late: false,
            created_at_ms: 0,
            edited: false,
            tourinsoft_type: None,
            history: vec![],
        }
    }

    fn ev(seq: u64, event: Event) -> ServerMessage {
        ServerMessage::Event { seq, changes: vec![event] }
    }

    fn welcome(seq: u64, snap: Option<Snapshot>) -> ServerMessage {
        ServerMessage::Welcome { v: 1, role: Role::Facilitator, workshop_id: WorkshopId("w".into()), participant_id: None, seq, snapshot: snap.map(Box::new) }
    }

    #[test]
    fn events_replace_entities_and_skip_duplicates() {
        let mut st = LocalState::default();
        assert!(apply_message(&mut st, welcome(5, Some(snapshot()))));
        assert_eq!(st.last_seq, Some(5));
        apply_message(&mut st, ev(6, Event::Secret(secret("s1", 1))));
        apply_message(&mut st, ev(7, Event::Secret(secret("s2", 1))));
        apply_message(&mut st, ev(9, Event::Secret(secret("s1", 2))));
        // A duplicate (resent after a reconnection) is ignored.
        assert!(!apply_message(&mut st, ev(7, Event::Secret(secret("s2", 9)))));
        let s = st.snapshot.as_ref().unwrap();
        assert_eq!(s.secrets.iter().map(|x| (x.id.as_str(), x.version)).collect::<Vec<_>>(), vec![("s1", 2), ("s2", 1)]);
        assert_eq!(st.last_seq, Some(9));
        apply_message(&mut st, ev(10, Event::SecretRemoved { id: SecretId("s1".into()) }));
        assert_eq!(st.snapshot.as_ref().unwrap().secrets.len(), 1);
    }

    #[test]
    fn a_resuming_welcome_keeps_the_state_and_the_seq() {
        let mut st = LocalState::default();
        apply_message(&mut st, welcome(3, Some(snapshot())));
        apply_message(&mut st, ev(4, Event::Secret(secret("s1", 1))));
        // Resume: no snapshot, the missed events (5, 6) follow.
        apply_message(&mut st, welcome(6, None));
        assert_eq!(st.last_seq, Some(4));
        let mut stage = st.snapshot.as_ref().unwrap().stage.clone();
        stage.phase = Phase::Writing;
        apply_message(&mut st, ev(5, Event::Stage(stage)));
        apply_message(&mut st, ev(6, Event::Question { table: TableId("T1".into()), text: "?".into() }));
        assert_eq!(st.snapshot.as_ref().unwrap().stage.phase, Phase::Writing);
        assert_eq!(st.snapshot.as_ref().unwrap().secrets.len(), 1);
        assert_eq!(st.questions.len(), 1);
        assert_eq!(st.last_seq, Some(6));
        // A fresh snapshot replaces everything.
        apply_message(&mut st, welcome(20, Some(snapshot())));
        assert!(st.snapshot.as_ref().unwrap().secrets.is_empty());
        assert_eq!(st.last_seq, Some(20));
    }

    #[test]
    fn tables_feedback_and_live_are_replaced() {
        let mut st = LocalState::default();
        apply_message(&mut st, welcome(0, Some(snapshot())));
        let table = |n: u32| Event::Table(TableView {
            id: TableId("T1".into()),
            members: vec![],
            timer: TimerView::default(),
            presenting: PresentingView::default(),
            secrets_count: n,
            last_secret_at_ms: None,
            votes_cast: 0,
            votes_expected: 0,
            tallies: vec![],
            tie: vec![],
            winners: vec![],
        });
        apply_message(&mut st, ev(1, table(1)));
        apply_message(&mut st, ev(2, table(3)));
        let fb = |r: u8| Event::Feedback(FeedbackView { participant: ParticipantId("p1".into()), rating: r, comment: String::new(), invite_suggestion: String::new() });
        apply_message(&mut st, ev(3, fb(2)));
        apply_message(&mut st, ev(4, fb(5)));
        apply_message(&mut st, ServerMessage::Live { live: LiveView { online: vec![ParticipantId("p1".into())], stuck: vec![] } });
        let s = st.snapshot.as_ref().unwrap();
        assert_eq!(s.tables.len(), 1);
        assert_eq!(s.tables[0].secrets_count, 3);
        assert_eq!(s.feedback.len(), 1);
        assert_eq!(s.feedback[0].rating, 5);
        assert_eq!(s.live.online.len(), 1);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        let mut b = Backoff::default();
        let delays: Vec<Duration> = (0..10).map(|_| b.next_delay()).collect();
        assert!(delays[0] >= Duration::from_millis(50) && delays[0] <= Duration::from_millis(150), "{delays:?}");
        assert!(delays[1] >= Duration::from_millis(100) && delays[1] <= Duration::from_millis(300), "{delays:?}");
        for d in &delays {
            assert!(*d <= Duration::from_millis(7500), "{delays:?}");
        }
        assert!(delays[9] >= Duration::from_millis(2500), "{delays:?}");
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(150));
    }

    #[tokio::test]
    async fn connecting_to_nothing_fails_fast() {
        let err = Connection::connect("http://127.0.0.1:1", "t").await.unwrap_err();
        assert!(matches!(err, ConnectError::Transport(_)), "{err}");
    }
}
