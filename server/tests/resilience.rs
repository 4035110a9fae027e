//! Reconnects, retries, restarts, shutdown and bad input: nothing lost, nothing duplicated.

mod common;

use atelier_client::{join, Connection};
use atelier_proto::command::{CreatedWorkshop, JoinRequest};
use atelier_proto::model::{CommuneRef, Consents, SecretFields};
use atelier_proto::{Command, ErrorCode, OpId};
use common::{Backend, RawSocket, TestServer};
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

async fn workshop(base: &str) -> CreatedWorkshop {
    common::create_test_workshop(base, "Atelier robustesse", 2, 2, 1).await
}

async fn participant_token(base: &str, code: &str, name: &str, table: &str) -> String {
    common::join_participant(base, code, name, Some(table), Consents::default(), None).await.token
}

fn secret_command(title: &str) -> Value {
    json!({ "type": "submit_secret", "fields": { "title": title, "text": "Texte", "commune": { "name": "Honfleur" } } })
}

fn cmd(op: &str, command: Value) -> String {
    json!({ "type": "cmd", "op": op, "command": command }).to_string()
}

fn is_answer(message: &Value, op: &str) -> bool {
    (message["type"] == "ack" || message["type"] == "error") && message["op"] == op
}

fn welcome_seq(message: &Value) -> u64 {
    message["seq"].as_u64().expect("welcome carries seq")
}

async fn resume_delivers_missed_events(backend: Backend) {
    let server = TestServer::start(backend).await;
    let base = &server.base_url;
    let created = workshop(base).await;
    let facilitator = Connection::connect(base, &created.facilitator_token).await.expect("facilitator");
    let token = participant_token(base, &created.code, "Anne", "T1").await;

    // A device that disconnects before it received any event.
    let first = RawSocket::connect(base, &token).await;
    let welcome = first.wait_message(WAIT, |m| m["type"] == "welcome").await;
    let seen = welcome_seq(&welcome);
    drop(first);

    // Events while it is away: writing starts, a question is pushed to its table.
    facilitator.send(Command::StartWriting { theme: None }).await.expect("writing");
    facilitator.send(Command::PushQuestion { table: "T1".into(), text: "Où mangez-vous le dimanche ?".into() }).await.expect("question");
    facilitator.send(Command::ExtendTimer { table: None, seconds: 60 }).await.expect("extend");

    let back = RawSocket::connect_with(base, json!({ "type": "hello", "v": 1, "token": token, "last_seq": seen })).await;
    let welcome = back.wait_message(WAIT, |m| m["type"] == "welcome").await;
    assert!(welcome["snapshot"].is_null(), "a short absence resumes without a snapshot: {welcome}");
    let last = welcome_seq(&welcome);
    assert_eq!(last, seen + 3, "three events were missed");
    back.wait_message(WAIT, |m| m["type"] == "event" && m["seq"].as_u64() == Some(last)).await;
    let seqs: Vec<u64> = back.messages().iter().filter(|m| m["type"] == "event").map(|m| m["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, vec![seen + 1, seen + 2, seen + 3], "missed events, once each and in order");
    let text = back.frames.lock().unwrap().join("\n");
    assert!(text.contains("Où mangez-vous le dimanche ?"), "the pushed question was resumed");

    // A quiet connection that drops: nothing happened, so nothing is resent.
    drop(back);
    let again = RawSocket::connect_with(base, json!({ "type": "hello", "v": 1, "token": token, "last_seq": last })).await;
    let welcome = again.wait_message(WAIT, |m| m["type"] == "welcome").await;
    assert!(welcome["snapshot"].is_null());
    assert_eq!(welcome_seq(&welcome), last);

    // A device from an unknown future (sequence ahead of the server) gets a snapshot.
    let confused = RawSocket::connect_with(base, json!({ "type": "hello", "v": 1, "token": token, "last_seq": last + 1000 })).await;
    let welcome = confused.wait_message(WAIT, |m| m["type"] == "welcome").await;
    assert!(welcome["snapshot"].is_object(), "an impossible last_seq gets a fresh snapshot");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_on_sqlite() {
    resume_delivers_missed_events(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_on_postgres() {
    resume_delivers_missed_events(Backend::Postgres).await;
}

async fn retries_apply_once(backend: Backend) {
    let mut server = TestServer::start(backend).await;
    let base = server.base_url.clone();
    let created = workshop(&base).await;
    let facilitator = Connection::connect(&base, &created.facilitator_token).await.expect("facilitator");
    let token = participant_token(&base, &created.code, "Anne", "T1").await;
    facilitator.send(Command::StartWriting { theme: None }).await.expect("writing");

    // Double tap: the same operation twice in a row.
    let phone = RawSocket::connect(&base, &token).await;
    phone.wait_message(WAIT, |m| m["type"] == "welcome").await;
    phone.send_text(cmd("op-double-tap", secret_command("Le secret du double tap")));
    phone.send_text(cmd("op-double-tap", secret_command("Le secret du double tap")));
    phone.wait_message(WAIT, |m| is_answer(m, "op-double-tap") && m["result"]["secret"] == "s1").await;
    let answers: Vec<Value> = {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let answers: Vec<Value> = phone.messages().into_iter().filter(|m| is_answer(m, "op-double-tap")).collect();
            if answers.len() == 2 || tokio::time::Instant::now() > deadline {
                break answers;
            }
            phone.wait_message(WAIT, |m| m["type"] == "ack").await;
            tokio::task::yield_now().await;
        }
    };
    assert_eq!(answers.len(), 2, "both taps are answered");
    assert_eq!(answers[0]["result"], answers[1]["result"], "the retry gets the original answer");
    drop(phone);

    // Retry across a server crash and restart: still one secret.
    server.restart();
    let phone = RawSocket::connect(&base, &token).await;
    phone.wait_message(WAIT, |m| m["type"] == "welcome").await;
    phone.send_text(cmd("op-double-tap", secret_command("Le secret du double tap")));
    let retried = phone.wait_message(WAIT, |m| is_answer(m, "op-double-tap")).await;
    assert_eq!(retried["type"], "ack");
    assert_eq!(retried["result"]["secret"], "s1", "the retry after a restart gets the original answer");
    let facilitator = Connection::connect(&base, &created.facilitator_token).await.expect("facilitator again");
    let snapshot = facilitator.snapshot().expect("view");
    assert_eq!(snapshot.secrets.len(), 1, "one secret stored despite three sends");

    // The same operation id for another command is a conflict, not a silent replay.
    phone.send_text(cmd("op-double-tap", json!({ "type": "cast_vote", "secret": "s1" })));
    let conflict = phone.wait_message(WAIT, |m| is_answer(m, "op-double-tap") && m["type"] == "error").await;
    assert_eq!(conflict["error"]["code"], "op_conflict");

    // The typed client retries with its own op id too.
    let op = OpId("op-client-retry".into());
    let fields = SecretFields {
        title: "Deuxième".into(),
        text: "Texte".into(),
        place: String::new(),
        commune: CommuneRef { insee: None, name: "Honfleur".into() },
        best_moment: String::new(),
        coordinates: None,
    };
    let client = Connection::connect(&base, &token).await.expect("client");
    let first = client.send_with_op(op.clone(), Command::SubmitSecret { fields: fields.clone() }).await.expect("first");
    let second = client.send_with_op(op, Command::SubmitSecret { fields }).await.expect("retry");
    assert_eq!(first, second);
    let snapshot = facilitator.wait_for(WAIT, |s| s.secrets.len() == 2).await.expect("two secrets");
    assert_eq!(snapshot.secrets.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_on_sqlite() {
    retries_apply_once(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_on_postgres() {
    retries_apply_once(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_clear_errors() {
    let server = TestServer::start(Backend::Sqlite).await;
    let base = &server.base_url;
    let created = workshop(base).await;
    let facilitator = Connection::connect(base, &created.facilitator_token).await.expect("facilitator");
    let token = participant_token(base, &created.code, "Anne", "T1").await;
    let phone = RawSocket::connect(base, &token).await;
    phone.wait_message(WAIT, |m| m["type"] == "welcome").await;

    let error_code = |m: &Value| m["error"]["code"].as_str().unwrap_or_default().to_owned();
    phone.send_text("{not json");
    let answer = phone.wait_message(WAIT, |m| m["type"] == "error" && m["error"]["code"] == "invalid_json").await;
    assert!(answer["error"]["message_fr"].as_str().unwrap().len() > 5);
    phone.send_text(json!({ "type": "teleport" }).to_string());
    phone.wait_message(WAIT, |m| m["type"] == "error" && m["error"]["code"] == "invalid_message").await;
    phone.send_message(tokio_tungstenite::tungstenite::Message::binary(vec![1u8, 2, 3]));
    phone.wait_message(WAIT, |m| m["type"] == "error" && m["error"]["code"] == "binary_frame").await;
    // Voting while writing has not even started.
    phone.send_text(cmd("op-vote-early", json!({ "type": "cast_vote", "secret": "s1" })));
    let early = phone.wait_message(WAIT, |m| is_answer(m, "op-vote-early")).await;
    assert_eq!(error_code(&early), "wrong_phase");

    facilitator.send(Command::StartWriting { theme: None }).await.expect("writing");
    let too_long = "x".repeat(121);
    phone.send_text(cmd("op-long", json!({ "type": "submit_secret", "fields": { "title": too_long, "text": "t", "commune": { "name": "Honfleur" } } })));
    let long = phone.wait_message(WAIT, |m| is_answer(m, "op-long")).await;
    assert_eq!(error_code(&long), "invalid_field");
    assert_eq!(long["error"]["detail"], "title");

    // Control characters and bidirectional overrides are removed; HTML stays plain text.
    let tricky = "Le <b>vrai</b>\u{202E} secret\u{0007}";
    phone.send_text(cmd("op-tricky", secret_command(tricky)));
    let stored = phone.wait_message(WAIT, |m| is_answer(m, "op-tricky")).await;
    assert_eq!(stored["type"], "ack", "{stored}");
    let snapshot = facilitator.wait_for(WAIT, |s| !s.secrets.is_empty()).await.expect("secret stored");
    assert_eq!(snapshot.secrets[0].fields.title, "Le <b>vrai</b> secret");

    // A frame over the size limit closes the socket (code 1009); the server keeps serving.
    let big = RawSocket::connect(base, &token).await;
    big.wait_message(WAIT, |m| m["type"] == "welcome").await;
    big.send_text("x".repeat(atelier_proto::MAX_FRAME_BYTES + 10));
    let (code, _) = big.wait_closed(WAIT).await;
    assert_eq!(code, 1009, "oversized frame closed with {code}");

    // A flood of commands: past the burst, commands get rate_limited and the socket stays open.
    for i in 0..80 {
        phone.send_text(cmd(&format!("op-flood-{i}"), json!({ "type": "cast_vote", "secret": "s1" })));
    }
    let limited = phone.wait_message(WAIT, |m| m["type"] == "error" && m["error"]["code"] == "rate_limited").await;
    assert!(limited["op"].as_str().unwrap().starts_with("op-flood-"));
    phone.wait_message(WAIT, |m| is_answer(m, "op-flood-79")).await;

    // After all that, the first socket is still usable.
    phone.send_text(json!({ "type": "ping" }).to_string());
    phone.wait_message(WAIT, |m| m["type"] == "pong").await;

    // Writing after the workshop closed is refused with its own code, and nothing is stored.
    facilitator.send(Command::CloseWorkshop).await.expect("closed");
    let closed_phone = RawSocket::connect(base, &token).await;
    closed_phone.wait_message(WAIT, |m| m["type"] == "welcome").await;
    closed_phone.send_text(cmd("op-after-close", secret_command("Trop tard")));
    let after_close = closed_phone.wait_message(WAIT, |m| is_answer(m, "op-after-close")).await;
    assert_eq!(error_code(&after_close), "workshop_closed");
    let secrets = facilitator.wait_for(WAIT, |s| s.stage.phase == atelier_proto::model::Phase::Closed).await.expect("closed view").secrets;
    assert_eq!(secrets.len(), 1, "nothing stored after closing");
    // Moderation goes on after closing: "à vérifier" is often checked the next day.
    let approved = facilitator.send(Command::ApproveSecret { secret: secrets[0].id.clone(), version: secrets[0].version }).await;
    assert!(approved.is_ok(), "moderation after closing: {approved:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_sockets_with_1001() {
    let mut server = TestServer::start(Backend::Sqlite).await;
    let base = server.base_url.clone();
    let created = workshop(&base).await;
    let projector = RawSocket::connect(&base, &created.projector_token).await;
    projector.wait_message(WAIT, |m| m["type"] == "welcome").await;
    let pid = server.pid().expect("server runs");
    let started = std::time::Instant::now();
    let status = std::process::Command::new("kill").arg("-TERM").arg(pid.to_string()).status().expect("kill runs");
    assert!(status.success());
    let (code, _) = projector.wait_closed(WAIT).await;
    assert_eq!(code, 1001, "sockets are told the server is going away");
    let child = server.child_mut().expect("child");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(exit) = child.try_wait().expect("wait") {
            assert!(exit.success(), "clean exit, got {exit:?}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the server did not exit within 10 s");
        std::thread::yield_now();
        tokio::task::yield_now().await;
    }
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_socket_is_rejected() {
    let server = TestServer::start(Backend::Sqlite).await;
    let ws_url = format!("{}/ws", server.base_url.replacen("http://", "ws://", 1));
    let mut request = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(ws_url.as_str()).unwrap();
    request.headers_mut().insert("Origin", "http://evil.example".parse().unwrap());
    let refused = tokio_tungstenite::connect_async(request).await;
    assert!(refused.is_err(), "a socket from another origin was accepted");

    let mut request = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(ws_url.as_str()).unwrap();
    let own_origin = server.base_url.clone();
    request.headers_mut().insert("Origin", own_origin.parse().unwrap());
    assert!(tokio_tungstenite::connect_async(request).await.is_ok(), "the server's own origin is accepted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_attempts_are_rate_limited() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut limited = false;
    for attempt in 0..80 {
        let request = JoinRequest {
            code: format!("ZZZ{attempt:03}"),
            name: "Robot".into(),
            commune: CommuneRef { insee: None, name: "Honfleur".into() },
            consents: Consents::default(),
            email: None,
            table: None,
            op: None,
        };
        match join(&server.base_url, &request).await {
            Err(error) if error.code() == Some(ErrorCode::RateLimited) => {
                limited = true;
                assert!(attempt >= 60, "limited too early, at attempt {attempt}");
                break;
            }
            Err(error) => assert_eq!(error.code(), Some(ErrorCode::UnknownWorkshop)),
            Ok(_) => panic!("a made-up code was accepted"),
        }
    }
    assert!(limited, "80 wrong codes in a row were never rate-limited");
}
