//! The connection against a scripted WebSocket server: welcome, events, acks, a lost socket,
//! resumption with the last sequence number and a retried command with the same op id.

use atelier_client::Connection;
use atelier_proto::{ClientMessage, Command};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

type Ws = WebSocketStream<tokio::net::TcpStream>;

fn snapshot() -> serde_json::Value {
    json!({
        "workshop": { "id": "w1", "code": "ABCD", "title": "t", "venue": "", "starts_at": "", "language": "fr",
                      "themes": [], "tables": ["T1"], "table_min": 1, "table_max": 8 },
        "stage": { "phase": "lobby", "round": null, "timer": { "ends_at_ms": null, "paused_remaining_ms": null }, "server_now_ms": 0 },
        "participants": [], "secrets": [], "tables": []
    })
}

fn participant(id: &str, name: &str) -> serde_json::Value {
    json!({ "kind": "participant", "id": id, "name": name, "table": null, "source": "phone" })
}

/// Next client message; answers nothing itself (tungstenite answers pings).
async fn next(ws: &mut Ws) -> Option<ClientMessage> {
    loop {
        match ws.next().await? {
            Ok(Message::Text(t)) => return Some(serde_json::from_str(t.as_str()).expect("client sends valid JSON")),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

async fn send(ws: &mut Ws, v: serde_json::Value) {
    ws.send(Message::text(v.to_string())).await.unwrap();
}

#[tokio::test]
async fn reconnects_resumes_and_retries_with_the_same_op() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());

    let server = tokio::spawn(async move {
        // Session 1.
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        match next(&mut ws).await.unwrap() {
            ClientMessage::Hello { v, token, last_seq } => {
                assert_eq!((v, token.as_str(), last_seq), (1, "tok", None));
            }
            other => panic!("expected hello, got {other:?}"),
        }
        send(&mut ws, json!({ "type": "welcome", "v": 1, "role": "facilitator", "workshop_id": "w1", "seq": 3, "snapshot": snapshot() })).await;
        // A ping must be answered with a pong.
        ws.send(Message::Ping(vec![7u8].into())).await.unwrap();
        let op_a = match next(&mut ws).await.unwrap() {
            ClientMessage::Cmd { op, command: Command::StartPresenting } => op,
            other => panic!("expected start_presenting, got {other:?}"),
        };
        send(&mut ws, json!({ "type": "event", "seq": 4, "changes": [participant("p1", "Ana")] })).await;
        send(&mut ws, json!({ "type": "ack", "op": op_a, "result": { "ok": true } })).await;
        let op_b = match next(&mut ws).await.unwrap() {
            ClientMessage::Cmd { op, command: Command::OpenVoting } => op,
            other => panic!("expected open_voting, got {other:?}"),
        };
        // The socket dies before the answer.
        drop(ws);

        // Session 2: resume from seq 4, the command comes again with the same op id.
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        match next(&mut ws).await.unwrap() {
            ClientMessage::Hello { last_seq, .. } => assert_eq!(last_seq, Some(4)),
            other => panic!("expected hello, got {other:?}"),
        }
        send(&mut ws, json!({ "type": "welcome", "v": 1, "role": "facilitator", "workshop_id": "w1", "seq": 5 })).await;
        // A duplicate of seq 4 (ignored), then the missed seq 5.
        send(&mut ws, json!({ "type": "event", "seq": 4, "changes": [participant("p1", "WRONG")] })).await;
        send(&mut ws, json!({ "type": "event", "seq": 5, "changes": [participant("p2", "Bob")] })).await;
        match next(&mut ws).await.unwrap() {
            ClientMessage::Cmd { op, command: Command::OpenVoting } => assert_eq!(op, op_b),
            other => panic!("expected the retried open_voting, got {other:?}"),
        }
        send(&mut ws, json!({ "type": "ack", "op": op_b, "result": { "retried": true } })).await;
        // An error answer.
        let op_c = match next(&mut ws).await.unwrap() {
            ClientMessage::Cmd { op, .. } => op,
            other => panic!("expected a command, got {other:?}"),
        };
        send(&mut ws, json!({ "type": "error", "op": op_c, "error": { "code": "wrong_phase", "message_fr": "x", "message_en": "y" } })).await;
        // Keep the socket until the client closes it.
        while next(&mut ws).await.is_some() {}
    });

    let conn = Connection::connect(&base, "tok").await.unwrap();
    assert_eq!(conn.sessions(), 1);
    let a = conn.send(Command::StartPresenting).await.unwrap();
    assert_eq!(a, json!({ "ok": true }));
    let b = conn.send(Command::OpenVoting).await.unwrap();
    assert_eq!(b, json!({ "retried": true }));
    assert_eq!(conn.sessions(), 2);
    let snap = conn
        .wait_for(Duration::from_secs(5), |s| s.participants.len() == 2)
        .await
        .unwrap();
    assert_eq!(snap.participants[0].name, "Ana");
    assert_eq!(snap.participants[1].name, "Bob");
    assert_eq!(conn.last_seq(), Some(5));
    let err = conn.send(Command::CloseVoting).await.unwrap_err();
    assert_eq!(err.code, atelier_proto::ErrorCode::WrongPhase);
    conn.close();
    tokio::time::timeout(Duration::from_secs(5), server).await.unwrap().unwrap();
}

#[tokio::test]
async fn a_refused_hello_fails_the_connect() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        let _ = next(&mut ws).await;
        send(&mut ws, json!({ "type": "error", "error": { "code": "invalid_token", "message_fr": "x", "message_en": "y" } })).await;
        let _ = ws.close(None).await;
    });
    let err = Connection::connect(&base, "bad").await.unwrap_err();
    assert!(matches!(err, atelier_client::ConnectError::Rejected(ref e) if e.code == atelier_proto::ErrorCode::InvalidToken), "{err}");
}

#[tokio::test]
async fn a_command_without_answer_times_out_as_a_client_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        let _ = next(&mut ws).await;
        send(&mut ws, json!({ "type": "welcome", "v": 1, "role": "projector", "workshop_id": "w1", "seq": 0, "snapshot": snapshot() })).await;
        while next(&mut ws).await.is_some() {}
    });
    let conn = Connection::connect(&base, "tok").await.unwrap();
    conn.set_command_timeout(Duration::from_millis(200));
    let err = conn.send(Command::StartShowcase).await.unwrap_err();
    assert_eq!(err.detail.as_deref(), Some("client_timeout"));
    // Waiting on state that never comes times out too.
    assert!(conn.wait_for(Duration::from_millis(100), |s| !s.secrets.is_empty()).await.is_err());
}
