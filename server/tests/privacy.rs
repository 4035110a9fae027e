//! What each role's device really receives, frame by frame: the projector never gets a
//! pending or rejected secret or an e-mail address, and a participant never gets another
//! table's secrets before the showcase.

mod common;

use atelier_client::{create_workshop, join, Connection};
use atelier_proto::command::{CreateWorkshop, JoinRequest};
use atelier_proto::model::{preset_themes, CommuneRef, Consents, Phase, RejectReason, SecretFields};
use atelier_proto::{Command, SecretId};
use common::{Backend, RawSocket, TestServer, ADMIN_TOKEN};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

fn fields(title: &str) -> SecretFields {
    common::secret_fields(title, "Un texte.")
}

async fn views_are_filtered(backend: Backend) {
    let server = TestServer::start(backend).await;
    let base = &server.base_url;
    let body = CreateWorkshop {
        title: "Atelier confidentialité".into(),
        venue: String::new(),
        starts_at: String::new(),
        themes: preset_themes().into_iter().take(1).collect(),
        tables: 2,
        table_min: 2,
        table_max: 8,
        language: "fr".into(),
    };
    let created = create_workshop(base, ADMIN_TOKEN, &body).await.expect("created");
    let projector = RawSocket::connect(base, &created.projector_token).await;
    let facilitator = Connection::connect(base, &created.facilitator_token).await.expect("facilitator");
    let moderator = Connection::connect(base, &created.moderator_token).await.expect("moderator");

    let mut tokens = Vec::new();
    for (name, table) in [("Anne", "T1"), ("Bruno", "T1"), ("Denis", "T2"), ("Emma", "T2")] {
        let request = JoinRequest {
            code: created.code.clone(),
            name: name.into(),
            commune: CommuneRef { insee: None, name: "Honfleur".into() },
            consents: Consents { show_name: false, contact: true, photo_licence: false },
            email: Some(format!("{}.secret@example.org", name.to_lowercase())),
            table: Some(table.into()),
            op: None,
        };
        tokens.push(join(base, &request).await.expect("joined").token);
    }
    let anne_raw = RawSocket::connect(base, &tokens[0]).await;
    let people: Vec<Connection> = {
        let mut list = Vec::new();
        for token in &tokens {
            list.push(Connection::connect(base, token).await.expect("participant"));
        }
        list
    };

    facilitator.send(Command::StartWriting { theme: None }).await.expect("writing");
    let titles = ["Titre approuvé T1", "Titre refusé T1", "Titre en attente T2", "Titre approuvé T2"];
    let mut secrets: Vec<SecretId> = Vec::new();
    for (person, title) in people.iter().zip(titles) {
        let answer = person.send(Command::SubmitSecret { fields: fields(title) }).await.expect("stored");
        secrets.push(serde_json::from_value(answer["secret"].clone()).unwrap());
    }
    moderator.send(Command::ApproveSecret { secret: secrets[0].clone(), version: 1 }).await.expect("approve");
    moderator
        .send(Command::RejectSecret { secret: secrets[1].clone(), version: 1, reason: RejectReason::Advertising, note: String::new() })
        .await
        .expect("reject");
    moderator.send(Command::ApproveSecret { secret: secrets[3].clone(), version: 1 }).await.expect("approve");
    facilitator.send(Command::StartPresenting).await.expect("presenting");
    facilitator.send(Command::OpenVoting).await.expect("voting");
    people[0].wait_for(WAIT, |s| s.stage.phase == Phase::Voting).await.expect("Anne sees the vote");
    // The facilitator's last command is acknowledged after its events were queued for everyone;
    // one more round trip on each raw socket's connection guarantees they arrived.
    facilitator.wait_for(WAIT, |s| s.stage.phase == Phase::Voting).await.expect("facilitator sees the vote");

    let wait_frames = |socket: &RawSocket| {
        let text = socket.all_text();
        text.contains("\"voting\"")
    };
    for _ in 0..100 {
        if wait_frames(&projector) && wait_frames(&anne_raw) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let projector_text = projector.all_text();
    assert!(projector_text.contains("\"voting\""), "the projector followed the workshop");
    assert!(projector_text.contains("Titre approuvé T1"), "approved secrets reach the projector");
    assert!(!projector_text.contains("Titre refusé T1"), "a rejected secret reached the projector");
    assert!(!projector_text.contains("Titre en attente T2"), "a pending secret reached the projector");
    assert!(!projector_text.contains('@'), "an e-mail address reached the projector");
    assert!(!projector_text.contains("\"pending\""), "a moderation status reached the projector");
    assert!(!projector_text.contains("Anne"), "a first name without consent reached the projector");

    let anne_text = anne_raw.all_text();
    assert!(anne_text.contains("Titre approuvé T1"), "Anne sees her own secret");
    assert!(!anne_text.contains("Titre approuvé T2"), "Anne received a secret of table T2");
    assert!(!anne_text.contains("Titre en attente T2"), "Anne received a secret of table T2");
    assert!(!anne_text.contains("denis.secret@example.org"), "Anne received another participant's e-mail");

    // A reshuffle during the results moves Anne to T2: she must not get T2's secrets of the
    // round she did not sit there for.
    facilitator.send(Command::CloseVoting).await.expect("vote closed");
    facilitator.send(Command::PreviewReshuffle).await.expect("preview");
    let anne_id = people[0].snapshot().and_then(|s| s.me.map(|m| m.participant.id)).expect("Anne's id");
    facilitator.send(Command::AdjustReshuffle { participant: anne_id.clone(), table: "T2".into() }).await.expect("move Anne");
    facilitator.send(Command::ApplyReshuffle).await.expect("applied");
    people[0].wait_for(WAIT, |s| s.me.as_ref().is_some_and(|m| m.participant.table.as_ref().map(|t| t.as_str()) == Some("T2"))).await.expect("Anne at T2");
    let view = people[0].snapshot().expect("Anne's view");
    assert!(view.secrets.iter().all(|s| s.table.as_str() == "T1"), "Anne's view after the move: {:?}", view.secrets.iter().map(|s| &s.fields.title).collect::<Vec<_>>());
    let anne_text = anne_raw.all_text();
    assert!(!anne_text.contains("Titre approuvé T2"), "Anne received a secret of table T2 after moving there");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_are_filtered_on_sqlite() {
    views_are_filtered(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_are_filtered_on_postgres() {
    views_are_filtered(Backend::Postgres).await;
}
