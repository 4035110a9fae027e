//! The WebSocket of one device: hello, then commands in and events out.
//!
//! Outbound messages go through a bounded queue drained by a writer task. A device that does
//! not read fast enough fills its queue and is closed with [`CLOSE_TOO_SLOW`]; when it comes
//! back it resumes or gets a snapshot. A lagging broadcast receiver is resynchronised with a
//! snapshot, never skipped silently.

use super::AppState;
use crate::rooms::{Attach, Room, RoomMessage};
use crate::views::Viewer;
use crate::workflow::Actor;
use atelier_proto::command::ClientMessage;
use atelier_proto::model::Role;
use atelier_proto::*;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc, oneshot};
use tracing::Instrument;

/// Server shutting down (standard "going away").
pub const CLOSE_GOING_AWAY: u16 = 1001;
/// A frame broke the WebSocket protocol.
pub const CLOSE_PROTOCOL_ERROR: u16 = 1002;
/// A frame was larger than [`MAX_FRAME_BYTES`].
pub const CLOSE_TOO_LARGE: u16 = 1009;
/// No valid `hello` in time, or an invalid token.
pub const CLOSE_UNAUTHENTICATED: u16 = 4001;
/// The device did not read its messages fast enough; reconnect and resume.
pub const CLOSE_TOO_SLOW: u16 = 4008;
/// No sign of life from the device within [`IDLE_TIMEOUT`].
pub const CLOSE_IDLE: u16 = 4009;

/// Initial read and write buffer of one socket, in bytes.
const SOCKET_BUFFER_BYTES: usize = 8 * 1024;
/// Messages waiting for one device before it counts as too slow.
pub const OUTBOUND_QUEUE: usize = 512;
/// How often the server pings each device.
pub const PING_INTERVAL: Duration = Duration::from_secs(5);
/// A device silent for this long (no message, no pong) is dropped and shown offline.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(20);
const HELLO_TIMEOUT: Duration = Duration::from_secs(15);
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection may send a burst of this many times its average command rate.
const COMMAND_BURST_FACTOR: f64 = 4.0;

/// Checks that the request's Origin (when a browser sends one) is this server, so another site
/// cannot open a socket with a visitor's cookies or tokens.
fn origin_allowed(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else { return false };
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or(origin);
    origin_host.eq_ignore_ascii_case(host)
}

pub async fn upgrade(State(state): State<Arc<AppState>>, headers: HeaderMap, ws: WebSocketUpgrade) -> Response {
    if !origin_allowed(&headers) {
        tracing::warn!(origin = ?headers.get(header::ORIGIN), "WebSocket from another origin rejected");
        return super::ApiError(ProtoError::new(ErrorCode::BadOrigin)).into_response();
    }
    // tungstenite reserves 128 KiB per direction by default: 2.5 GiB for 10,000 phones. Small
    // buffers grow when a large frame needs it.
    ws.max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .read_buffer_size(SOCKET_BUFFER_BYTES)
        .write_buffer_size(SOCKET_BUFFER_BYTES)
        .on_upgrade(move |socket| run_connection(socket, state))
}

/// Sends queued messages; on a kill signal sends a close frame with that code and stops.
fn spawn_writer(socket_sink: futures_util::stream::SplitSink<WebSocket, Message>) -> (mpsc::Sender<Message>, oneshot::Sender<(u16, &'static str)>) {
    let (queue, mut queued) = mpsc::channel::<Message>(OUTBOUND_QUEUE);
    let (kill, mut killed) = oneshot::channel::<(u16, &'static str)>();
    let mut sink = socket_sink;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                biased;
                close = &mut killed => {
                    // Messages queued before the close (such as the error that explains it) go first.
                    while let Ok(message) = queued.try_recv() {
                        if !matches!(tokio::time::timeout(Duration::from_secs(2), sink.send(message)).await, Ok(Ok(()))) {
                            break;
                        }
                    }
                    if let Ok((code, reason)) = close {
                        let frame = CloseFrame { code, reason: Utf8Bytes::from_static(reason) };
                        let _ = tokio::time::timeout(Duration::from_secs(2), sink.send(Message::Close(Some(frame)))).await;
                    }
                    break;
                }
                message = queued.recv() => {
                    let Some(message) = message else { break };
                    match tokio::time::timeout(WRITE_TIMEOUT, sink.send(message)).await {
                        Ok(Ok(())) => {}
                        _ => break,
                    }
                }
            }
        }
        let _ = sink.close().await;
    });
    (queue, kill)
}

fn text(json: &str) -> Message {
    Message::Text(Utf8Bytes::from(json))
}

fn encode(message: &ServerMessage) -> Message {
    text(&serde_json::to_string(message).expect("server messages serialize"))
}

fn error_message(op: Option<OpId>, error: ProtoError) -> Message {
    encode(&ServerMessage::Error { op, error })
}

/// Parses a client frame into a message, or into the protocol error to send back.
fn parse(frame: &str) -> Result<ClientMessage, ProtoError> {
    serde_json::from_str(frame).map_err(|error| {
        let code = if error.is_syntax() || error.is_eof() { ErrorCode::InvalidJson } else { ErrorCode::InvalidMessage };
        ProtoError::new(code).with_detail(error.to_string())
    })
}

struct Identity {
    room: Arc<Room>,
    viewer: Viewer,
    actor: Actor,
    role: Role,
    last_seq: Option<u64>,
}

/// Waits for a valid hello and replies to other frames with errors. `None` closes the socket.
async fn await_hello(state: &AppState, stream: &mut futures_util::stream::SplitStream<WebSocket>, queue: &mpsc::Sender<Message>) -> Option<Identity> {
    let deadline = tokio::time::Instant::now() + HELLO_TIMEOUT;
    loop {
        let frame = tokio::time::timeout_at(deadline, stream.next()).await.ok()??.ok()?;
        let body = match frame {
            Message::Text(body) => body,
            Message::Binary(_) => {
                let _ = queue.try_send(error_message(None, ProtoError::new(ErrorCode::BinaryFrame)));
                continue;
            }
            Message::Close(_) => return None,
            _ => continue,
        };
        match parse(body.as_str()) {
            Ok(ClientMessage::Hello { v, token, last_seq }) => {
                if v != PROTOCOL_VERSION {
                    let _ = queue.try_send(error_message(None, ProtoError::new(ErrorCode::UnsupportedVersion).with_detail(format!("server speaks {PROTOCOL_VERSION}"))));
                    continue;
                }
                let Some(entry) = state.hub.lookup_token(&token) else {
                    tracing::info!("hello with an unknown token");
                    let _ = queue.try_send(error_message(None, ProtoError::new(ErrorCode::InvalidToken)));
                    return None;
                };
                let room = state.hub.room(&entry.workshop)?;
                let (viewer, actor) = match (entry.role, entry.participant) {
                    (Role::Participant, Some(id)) => (Viewer::Participant(id.clone()), Actor::Participant(id)),
                    (Role::Projector, _) => (Viewer::Projector, Actor::Projector),
                    (role, _) => (Viewer::Staff, Actor::Staff(role)),
                };
                return Some(Identity { room, viewer, actor, role: entry.role, last_seq });
            }
            Ok(ClientMessage::Ping) => {
                let _ = queue.try_send(encode(&ServerMessage::Pong));
            }
            Ok(ClientMessage::Cmd { op, .. }) => {
                let _ = queue.try_send(error_message(Some(op), ProtoError::new(ErrorCode::HelloRequired)));
            }
            Err(error) => {
                let _ = queue.try_send(error_message(None, error));
            }
        }
    }
}

/// Per-connection token bucket for commands.
struct CommandBudget {
    tokens: f64,
    rate: f64,
    refilled_at: Instant,
}

impl CommandBudget {
    fn new(rate: f64) -> CommandBudget {
        CommandBudget { tokens: rate * COMMAND_BURST_FACTOR, rate, refilled_at: Instant::now() }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.refilled_at).as_secs_f64() * self.rate).min(self.rate * COMMAND_BURST_FACTOR);
        self.refilled_at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The reason a connection ended.
enum Ending {
    PeerGone,
    Close(u16, &'static str),
}

async fn run_connection(socket: WebSocket, state: Arc<AppState>) {
    let (sink, mut stream) = socket.split();
    let (queue, kill) = spawn_writer(sink);
    let Some(identity) = await_hello(&state, &mut stream, &queue).await else {
        let _ = kill.send((CLOSE_UNAUTHENTICATED, "hello missing or token invalid"));
        return;
    };
    let span = tracing::info_span!("connection", workshop.id = %identity.room.id, role = ?identity.role, participant.id = ?match &identity.viewer { Viewer::Participant(p) => Some(p.as_str().to_owned()), _ => None });
    let ending = serve(&state, &identity, &mut stream, &queue).instrument(span.clone()).await;
    identity.room.detach(&identity.viewer).await;
    match ending {
        Ending::PeerGone => {}
        Ending::Close(code, reason) => {
            tracing::info!(parent: &span, code, reason, "closing connection");
            let _ = kill.send((code, reason));
        }
    }
}

/// Sends one room message to this device if it is meant for it.
/// Outbound messages up to `floor` are already in the device's snapshot and are skipped.
fn forward(message: &RoomMessage, identity: &Identity, queue: &mpsc::Sender<Message>, floor: u64) -> Result<(), Ending> {
    let json = match message {
        RoomMessage::Outbound(outbound) if outbound.seq <= floor => None,
        RoomMessage::Outbound(outbound) => outbound.for_viewer(&identity.viewer).cloned(),
        RoomMessage::Live(json) if identity.viewer == Viewer::Staff => Some(json.clone()),
        RoomMessage::Live(_) => None,
    };
    if let Some(json) = json {
        if queue.try_send(text(&json)).is_err() {
            tracing::warn!(workshop.id = %identity.room.id, "device too slow; closing its socket");
            return Err(Ending::Close(CLOSE_TOO_SLOW, "too slow: reconnect to resume"));
        }
    }
    Ok(())
}

/// Sends a fresh snapshot and returns its sequence number, the new floor.
async fn resync(identity: &Identity, queue: &mpsc::Sender<Message>) -> Result<u64, Ending> {
    let (seq, snapshot) = identity.room.resync(&identity.viewer).await;
    tracing::info!(workshop.id = %identity.room.id, seq, "device lagged; sending a fresh snapshot");
    let welcome = welcome(identity, seq, Some(snapshot));
    queue.try_send(encode(&welcome)).map_err(|_| Ending::Close(CLOSE_TOO_SLOW, "too slow: reconnect to resume"))?;
    Ok(seq)
}

fn welcome(identity: &Identity, seq: u64, snapshot: Option<Box<atelier_proto::view::Snapshot>>) -> ServerMessage {
    ServerMessage::Welcome {
        v: PROTOCOL_VERSION,
        role: identity.role,
        workshop_id: identity.room.id.clone(),
        participant_id: match &identity.viewer {
            Viewer::Participant(p) => Some(p.clone()),
            _ => None,
        },
        seq,
        snapshot,
    }
}

/// Forwards every room message already waiting, so an ack never overtakes its own events.
fn drain(receiver: &mut broadcast::Receiver<RoomMessage>, identity: &Identity, queue: &mpsc::Sender<Message>, floor: u64) -> Result<bool, Ending> {
    loop {
        match receiver.try_recv() {
            Ok(message) => forward(&message, identity, queue, floor)?,
            Err(broadcast::error::TryRecvError::Empty) => return Ok(false),
            Err(broadcast::error::TryRecvError::Lagged(_)) => return Ok(true),
            Err(broadcast::error::TryRecvError::Closed) => return Err(Ending::Close(CLOSE_GOING_AWAY, "workshop unloaded")),
        }
    }
}

async fn serve(state: &AppState, identity: &Identity, stream: &mut futures_util::stream::SplitStream<WebSocket>, queue: &mpsc::Sender<Message>) -> Ending {
    let (attach, mut receiver) = identity.room.attach(&identity.viewer, identity.last_seq, OUTBOUND_QUEUE / 2).await;
    let mut floor = match &attach {
        Attach::Snapshot { seq, .. } | Attach::Resume { seq, .. } => *seq,
    };
    match attach {
        Attach::Snapshot { seq, snapshot } => {
            let _ = queue.try_send(encode(&welcome(identity, seq, Some(snapshot))));
        }
        Attach::Resume { seq, missed } => {
            let _ = queue.try_send(encode(&welcome(identity, seq, None)));
            for json in missed {
                if queue.try_send(text(&json)).is_err() {
                    return Ending::Close(CLOSE_TOO_SLOW, "too slow: reconnect to resume");
                }
            }
            // Live facts are outside the sequence, so a resumed staff device gets them afresh.
            if identity.viewer == Viewer::Staff {
                let _ = queue.try_send(text(&identity.room.live_message().await));
            }
        }
    }
    let mut shutdown = state.shutdown.clone();
    let mut ping = tokio::time::interval(PING_INTERVAL);
    ping.tick().await;
    let mut last_heard = Instant::now();
    let mut budget = CommandBudget::new(state.command_rate);
    loop {
        tokio::select! {
            frame = stream.next() => {
                let frame = match frame {
                    Some(Ok(frame)) => frame,
                    Some(Err(error)) => {
                        let text = error.to_string();
                        // Phones that lose Wi-Fi or close a tab drop the TCP connection without a
                        // close frame: that is an ordinary disconnect, not a protocol error.
                        if text.contains("without closing handshake") || text.contains("Connection reset") {
                            tracing::debug!(workshop.id = %identity.room.id, %error, "device disconnected without a close frame");
                            return Ending::PeerGone;
                        }
                        tracing::info!(workshop.id = %identity.room.id, %error, "unreadable frame; closing the socket");
                        if text.contains("too long") || text.contains("Space limit") {
                            return Ending::Close(CLOSE_TOO_LARGE, "message too large");
                        }
                        return Ending::Close(CLOSE_PROTOCOL_ERROR, "WebSocket protocol error");
                    }
                    None => return Ending::PeerGone,
                };
                last_heard = Instant::now();
                let body = match frame {
                    Message::Text(body) => body,
                    Message::Binary(_) => {
                        let _ = queue.try_send(error_message(None, ProtoError::new(ErrorCode::BinaryFrame)));
                        continue;
                    }
                    Message::Close(_) => return Ending::PeerGone,
                    Message::Ping(_) | Message::Pong(_) => continue,
                };
                let message = match parse(body.as_str()) {
                    Ok(message) => message,
                    Err(error) => {
                        let _ = queue.try_send(error_message(None, error));
                        continue;
                    }
                };
                match message {
                    ClientMessage::Ping => {
                        let _ = queue.try_send(encode(&ServerMessage::Pong));
                    }
                    ClientMessage::Hello { .. } => {
                        let _ = queue.try_send(error_message(None, ProtoError::new(ErrorCode::InvalidMessage).with_detail("hello already received")));
                    }
                    ClientMessage::Cmd { op, command } => {
                        if !budget.take() {
                            let _ = queue.try_send(error_message(Some(op), ProtoError::new(ErrorCode::RateLimited)));
                            continue;
                        }
                        let answer = match identity.room.execute(&identity.actor, &op, &command).await {
                            Ok(result) => ServerMessage::Ack { op, result },
                            Err(error) => {
                                tracing::info!(workshop.id = %identity.room.id, op.id = %op, command = command.name(), code = %error.code, "command rejected");
                                ServerMessage::Error { op: Some(op), error }
                            }
                        };
                        match drain(&mut receiver, identity, queue, floor) {
                            Ok(false) => {}
                            Ok(true) => {
                                receiver = receiver.resubscribe();
                                match resync(identity, queue).await {
                                    Ok(seq) => floor = seq,
                                    Err(ending) => return ending,
                                }
                            }
                            Err(ending) => return ending,
                        }
                        if queue.try_send(encode(&answer)).is_err() {
                            return Ending::Close(CLOSE_TOO_SLOW, "too slow: reconnect to resume");
                        }
                    }
                }
            }
            message = receiver.recv() => {
                match message {
                    Ok(message) => {
                        if let Err(ending) = forward(&message, identity, queue, floor) {
                            return ending;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(skipped)) => {
                        tracing::warn!(workshop.id = %identity.room.id, skipped, "broadcast lagged");
                        receiver = receiver.resubscribe();
                        match resync(identity, queue).await {
                            Ok(seq) => floor = seq,
                            Err(ending) => return ending,
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return Ending::Close(CLOSE_GOING_AWAY, "workshop unloaded"),
                }
            }
            _ = ping.tick() => {
                if last_heard.elapsed() > IDLE_TIMEOUT {
                    tracing::info!(workshop.id = %identity.room.id, "device silent; dropping it");
                    return Ending::Close(CLOSE_IDLE, "no heartbeat");
                }
                if queue.try_send(Message::Ping(Default::default())).is_err() {
                    return Ending::Close(CLOSE_TOO_SLOW, "too slow: reconnect to resume");
                }
            }
            _ = shutdown.changed() => return Ending::Close(CLOSE_GOING_AWAY, "server shutting down"),
        }
    }
}
