//! Slow and vanished devices. A phone that stops reading does not hold up the others and is
//! disconnected. One that vanishes without a close frame is shown offline within 30 s. An
//! idle socket gets a ping well within a reverse proxy's 60 s read timeout.

mod common;

use atelier_client::Connection;
use atelier_proto::model::Consents;
use atelier_proto::{Command, TableId};
use common::{Backend, RawSocket, TestServer};
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(30);

async fn new_workshop(base: &str) -> atelier_proto::command::CreatedWorkshop {
    common::create_test_workshop(base, "Atelier lenteurs", 1, 2, 1).await
}

async fn join_token(base: &str, code: &str, name: &str) -> (String, atelier_proto::ParticipantId) {
    let joined = common::join_participant(base, code, name, Some("T1"), Consents::default(), None).await;
    (joined.token, joined.participant_id)
}

fn resident_memory_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_reader_is_disconnected_without_delaying_others() {
    let server = TestServer::start_with(Backend::Sqlite, &[("ATELIER_COMMAND_RATE", "5000")]).await;
    let base = server.base_url.clone();
    let created = new_workshop(&base).await;
    let facilitator = Connection::connect(&base, &created.facilitator_token).await.expect("facilitator");
    let (anne_token, anne) = join_token(&base, &created.code, "Anne").await;
    let anne_phone = Connection::connect(&base, &anne_token).await.expect("Anne");
    facilitator.send(Command::StartWriting { theme: None }).await.expect("writing");
    // Long secrets make every staff snapshot large, so the slow socket's buffers fill quickly.
    for i in 0..20 {
        let fields = common::secret_fields(&format!("Long secret {i}"), &"x".repeat(2000));
        anne_phone.send(Command::SubmitSecret { fields }).await.expect("secret");
    }

    // The slow device: a moderator socket that sends hello and then never reads.
    let ws_url = format!("{}/ws", base.replacen("http://", "ws://", 1));
    let (mut slow, _) = tokio_tungstenite::connect_async(ws_url).await.expect("slow socket connects");
    let hello = serde_json::json!({ "type": "hello", "v": 1, "token": created.moderator_token });
    slow.send(Message::text(hello.to_string())).await.expect("hello");

    let pid = server.pid().expect("server pid");
    let memory_before = resident_memory_kib(pid);
    // Every seat change resets every staff view: about 45 KB each for the slow moderator.
    let tables = [TableId("T2".into()), TableId("T1".into())];
    for round in 0..1500 {
        let table = tables[round % 2].clone();
        facilitator.send(Command::SeatParticipant { participant: anne.clone(), table: Some(table) }).await.expect("seat change");
    }
    // The other devices are up to date at once.
    let last_table = tables[1499 % 2].clone();
    facilitator.wait_for(Duration::from_secs(5), |s| s.participants.iter().any(|p| p.id == anne && p.table.as_ref() == Some(&last_table))).await.expect("facilitator current");
    anne_phone.wait_for(Duration::from_secs(5), |s| s.me.as_ref().is_some_and(|m| m.participant.table.as_ref() == Some(&last_table))).await.expect("phone current");
    let memory_after = resident_memory_kib(pid);
    assert!(memory_after < memory_before + 200 * 1024, "server memory grew from {memory_before} KiB to {memory_after} KiB");

    // The slow socket was cut: reading it now drains what the kernel buffered, then ends.
    let ended = tokio::time::timeout(WAIT, async {
        let mut close_code = None;
        while let Some(frame) = slow.next().await {
            match frame {
                Ok(Message::Close(Some(frame))) => close_code = Some(u16::from(frame.code)),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        close_code
    })
    .await
    .expect("the server closed the slow socket");
    if let Some(code) = ended {
        assert_eq!(code, 4008, "documented close code for a device that is too slow");
    }

    // Coming back, the slow device resynchronises.
    let back = RawSocket::connect_with(&base, serde_json::json!({ "type": "hello", "v": 1, "token": created.moderator_token, "last_seq": 3 })).await;
    let welcome = back.wait_message(WAIT, |m| m["type"] == "welcome").await;
    let current = welcome["seq"].as_u64().expect("welcome seq");
    if welcome["snapshot"].is_null() {
        // Within the resume buffer: every missed event follows, up to the current one.
        back.wait_message(WAIT, |m| m["type"] == "event" && m["seq"].as_u64() == Some(current)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vanished_device_goes_offline_and_idle_socket_gets_pings() {
    let server = TestServer::start(Backend::Sqlite).await;
    let base = server.base_url.clone();
    let created = new_workshop(&base).await;
    let facilitator = Connection::connect(&base, &created.facilitator_token).await.expect("facilitator");
    let (idle_token, idle_id) = join_token(&base, &created.code, "Idle").await;
    let (gone_token, gone_id) = join_token(&base, &created.code, "Gone").await;

    let idle = RawSocket::connect(&base, &idle_token).await;
    idle.wait_message(WAIT, |m| m["type"] == "welcome").await;
    // The vanished phone: hello, then silence, no pong and no close frame.
    let ws_url = format!("{}/ws", base.replacen("http://", "ws://", 1));
    let (mut gone, _) = tokio_tungstenite::connect_async(ws_url).await.expect("connects");
    gone.send(Message::text(serde_json::json!({ "type": "hello", "v": 1, "token": gone_token }).to_string())).await.expect("hello");
    facilitator.wait_for(WAIT, |s| s.live.online.contains(&gone_id) && s.live.online.contains(&idle_id)).await.expect("both online");

    let vanished_at = std::time::Instant::now();
    facilitator.wait_for(Duration::from_secs(40), |s| !s.live.online.contains(&gone_id)).await.expect("vanished phone shown offline");
    assert!(vanished_at.elapsed() <= Duration::from_secs(30), "offline after {:?}", vanished_at.elapsed());

    // The idle but healthy socket replied to every ping (tungstenite does) and stays online.
    assert!(idle.pings.load(std::sync::atomic::Ordering::SeqCst) >= 1, "an idle socket gets pings, so a 60 s proxy timeout never fires");
    let view = facilitator.snapshot().expect("view");
    assert!(view.live.online.contains(&idle_id), "the idle phone stays online");
    drop(gone);
}
