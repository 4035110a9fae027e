//! A crash (SIGKILL) while 100 phones submit: every acknowledged secret and vote is there
//! exactly once after the restart, timers keep their deadline, and every phone resumes.

mod common;

use atelier_client::{create_workshop, join, Connection};
use atelier_proto::command::{CreateWorkshop, JoinRequest};
use atelier_proto::model::{preset_themes, CommuneRef, Consents, Phase, SecretFields};
use atelier_proto::{Command, ProtoError};
use common::{Backend, TestServer, ADMIN_TOKEN};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

const PHONES: usize = 100;
const WAIT: Duration = Duration::from_secs(60);

async fn crash_while_submitting(backend: Backend) {
    // A high command rate lets the test hammer the server; the join limit counts one address.
    let mut server = TestServer::start_with(backend, &[("ATELIER_JOIN_RATE", "1000")]).await;
    let base = server.base_url.clone();
    let body = CreateWorkshop {
        title: "Atelier cent téléphones".into(),
        venue: String::new(),
        starts_at: String::new(),
        themes: preset_themes().into_iter().take(1).collect(),
        tables: 14,
        table_min: 6,
        table_max: 8,
        language: "fr".into(),
    };
    let created = create_workshop(&base, ADMIN_TOKEN, &body).await.expect("created");
    let facilitator = Connection::connect(&base, &created.facilitator_token).await.expect("facilitator");
    let mut phones = Vec::new();
    for i in 0..PHONES {
        let request = JoinRequest {
            code: created.code.clone(),
            name: format!("Bot{i}"),
            commune: CommuneRef { insee: None, name: "Honfleur".into() },
            consents: Consents::default(),
            email: None,
            table: None,
            op: None,
        };
        let joined = join(&base, &request).await.expect("joined");
        phones.push(Arc::new(Connection::connect(&base, &joined.token).await.expect("phone connects")));
    }
    facilitator.send(Command::StartWriting { theme: None }).await.expect("writing");
    let deadline_before = facilitator.wait_until(WAIT, |s| s.stage.timer.ends_at_ms).await.expect("deadline set");

    // Every phone submits two secrets while the server is killed in the middle.
    let mut tasks = Vec::new();
    for (i, phone) in phones.iter().enumerate() {
        let phone = phone.clone();
        tasks.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for n in 0..2 {
                let fields = SecretFields {
                    title: format!("Secret {n} du bot {i}"),
                    text: "Un texte".into(),
                    place: String::new(),
                    commune: CommuneRef { insee: None, name: "Honfleur".into() },
                    best_moment: String::new(),
                    coordinates: None,
                };
                let answer: Result<serde_json::Value, ProtoError> = phone.send(Command::SubmitSecret { fields: fields.clone() }).await;
                acknowledged.push((fields.title, answer.is_ok()));
            }
            acknowledged
        }));
    }
    // Kill as soon as some secrets are stored, while the rest are in flight.
    facilitator.wait_for(WAIT, |s| s.secrets.len() >= 30).await.expect("some secrets stored");
    server.restart();

    let mut acknowledged_titles = HashSet::new();
    for task in tasks {
        for (title, ok) in task.await.expect("phone task") {
            assert!(ok, "{title} was never acknowledged: the client retries across the restart");
            acknowledged_titles.insert(title);
        }
    }
    assert_eq!(acknowledged_titles.len(), PHONES * 2);

    let facilitator = Connection::connect(&base, &created.facilitator_token).await.expect("facilitator after restart");
    let snapshot = facilitator.snapshot().expect("view");
    let stored: Vec<&str> = snapshot.secrets.iter().map(|s| s.fields.title.as_str()).collect();
    let unique: HashSet<&str> = stored.iter().copied().collect();
    assert_eq!(stored.len(), PHONES * 2, "every acknowledged secret stored exactly once");
    assert_eq!(unique.len(), stored.len(), "no duplicate secret");
    for title in &acknowledged_titles {
        assert!(unique.contains(title.as_str()), "{title} acknowledged but lost");
    }
    assert_eq!(snapshot.stage.phase, Phase::Writing);
    assert_eq!(snapshot.stage.timer.ends_at_ms, Some(deadline_before), "the countdown keeps its deadline across the crash");

    // Every phone reconnected and resumed on its own.
    for phone in &phones {
        phone.wait_state(WAIT, |s| (s.connected && s.sessions >= 2).then_some(())).await.expect("phone reconnected");
    }

    // Votes: open the vote, every phone votes, crash again, every vote counted once.
    facilitator.send(Command::StartPresenting).await.expect("presenting");
    facilitator.send(Command::OpenVoting).await.expect("voting");
    let mut votes = Vec::new();
    for phone in &phones {
        let phone = phone.clone();
        votes.push(tokio::spawn(async move {
            let view = phone.wait_for(WAIT, |s| s.stage.phase == Phase::Voting).await.expect("phone sees the vote");
            let me = view.me.as_ref().expect("me").participant.id.clone();
            let candidate = view.secrets.iter().find(|s| s.author.as_ref() != Some(&me)).map(|s| s.id.clone());
            match candidate {
                Some(secret) => phone.send(Command::CastVote { secret }).await.is_ok(),
                None => true,
            }
        }));
    }
    facilitator.wait_for(WAIT, |s| s.tables.iter().map(|t| t.votes_cast).sum::<u32>() >= 20).await.expect("some votes");
    server.restart();
    for vote in votes {
        assert!(vote.await.expect("vote task"), "a vote was never acknowledged");
    }
    let facilitator = Connection::connect(&base, &created.facilitator_token).await.expect("facilitator after second restart");
    let snapshot = facilitator.snapshot().expect("view");
    let cast: u32 = snapshot.tables.iter().map(|t| t.votes_cast).sum();
    let tallied: u32 = snapshot.tables.iter().flat_map(|t| t.tallies.iter().map(|(_, n)| *n)).sum();
    assert_eq!(cast as usize, PHONES, "one vote per phone");
    assert_eq!(tallied as usize, PHONES, "tallies count each vote once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_on_sqlite() {
    crash_while_submitting(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_on_postgres() {
    crash_while_submitting(Backend::Postgres).await;
}
