//! Who may do what, checked against the real server on SQLite and PostgreSQL.

mod common;

use atelier_client::{create_workshop, ConnectError, Connection};
use atelier_proto::command::{CreateWorkshop, CreatedWorkshop};
use atelier_proto::model::{preset_themes, Consents, RejectReason, SecretFields};
use atelier_proto::view::Snapshot;
use atelier_proto::{Command, ErrorCode, SecretId};
use common::{Backend, TestServer};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

fn fields(title: &str) -> SecretFields {
    common::secret_fields(title, &format!("Texte de {title}"))
}

struct Room {
    created: CreatedWorkshop,
    facilitator: Connection,
    moderator: Connection,
    projector: Connection,
    /// Three participants at T1, then three at T2.
    people: Vec<Connection>,
    /// Secret of each participant, same order.
    secrets: Vec<SecretId>,
}

async fn new_workshop(base: &str) -> CreatedWorkshop {
    common::create_test_workshop(base, "Atelier test", 2, 2, 2).await
}

async fn join_as(base: &str, code: &str, name: &str, table: &str) -> Connection {
    let consents = Consents { show_name: true, contact: true, photo_licence: false };
    let email = Some(format!("{}@example.org", name.to_lowercase()));
    let joined = common::join_participant(base, code, name, Some(table), consents, email).await;
    Connection::connect(base, &joined.token).await.expect("participant connects")
}

/// A workshop in its writing step, where every participant wrote one secret.
async fn writing_room(base: &str) -> Room {
    let created = new_workshop(base).await;
    let facilitator = Connection::connect(base, &created.facilitator_token).await.expect("facilitator connects");
    let moderator = Connection::connect(base, &created.moderator_token).await.expect("moderator connects");
    let projector = Connection::connect(base, &created.projector_token).await.expect("projector connects");
    let mut people = Vec::new();
    for (name, table) in [("Anne", "T1"), ("Bruno", "T1"), ("Chloé", "T1"), ("Denis", "T2"), ("Emma", "T2"), ("Fanny", "T2")] {
        people.push(join_as(base, &created.code, name, table).await);
    }
    facilitator.send(Command::StartWriting { theme: None }).await.expect("writing starts");
    let mut secrets = Vec::new();
    for (i, person) in people.iter().enumerate() {
        let answer = person.send(Command::SubmitSecret { fields: fields(&format!("Secret numéro {i}")) }).await.expect("secret stored");
        secrets.push(serde_json::from_value(answer["secret"].clone()).expect("secret id in the ack"));
    }
    Room { created, facilitator, moderator, projector, people, secrets }
}

fn code_of(result: Result<serde_json::Value, atelier_proto::ProtoError>) -> ErrorCode {
    result.expect_err("the command should be rejected").code
}

async fn approve_all(room: &Room) {
    for secret in &room.secrets {
        room.moderator.send(Command::ApproveSecret { secret: secret.clone(), version: 1 }).await.expect("approved");
    }
}

async fn participant_rules(backend: Backend) {
    let server = TestServer::start(backend).await;
    let base = &server.base_url;
    let room = writing_room(base).await;
    let anne = &room.people[0];

    // A participant cannot moderate or run the workshop.
    assert_eq!(code_of(anne.send(Command::ApproveSecret { secret: room.secrets[1].clone(), version: 1 }).await), ErrorCode::Forbidden);
    assert_eq!(code_of(anne.send(Command::StartPresenting).await), ErrorCode::Forbidden);
    // Voting during writing is out of phase.
    assert_eq!(code_of(anne.send(Command::CastVote { secret: room.secrets[1].clone() }).await), ErrorCode::WrongPhase);

    approve_all(&room).await;
    room.facilitator.send(Command::OpenVoting).await.expect("vote opens");
    assert_eq!(code_of(anne.send(Command::CastVote { secret: room.secrets[0].clone() }).await), ErrorCode::OwnSecret);
    assert_eq!(code_of(anne.send(Command::CastVote { secret: room.secrets[3].clone() }).await), ErrorCode::OtherTable);
    assert_eq!(code_of(anne.send(Command::CastVote { secret: SecretId("s999".into()) }).await), ErrorCode::UnknownSecret);

    // Two votes in one theme: the second replaces the first.
    anne.send(Command::CastVote { secret: room.secrets[1].clone() }).await.expect("first vote");
    anne.send(Command::CastVote { secret: room.secrets[2].clone() }).await.expect("changed vote");
    let changed = room.secrets[2].clone();
    let snapshot = room.facilitator.wait_for(WAIT, |s| table(s, "T1").tallies.contains(&(changed.clone(), 1))).await.expect("changed vote counted");
    assert_eq!(table(&snapshot, "T1").votes_cast, 1);
    let tallies = &table(&snapshot, "T1").tallies;
    let total: u32 = tallies.iter().map(|(_, n)| n).sum();
    assert_eq!(total, 1, "tallies {tallies:?}");
    assert!(tallies.contains(&(room.secrets[2].clone(), 1)));

    // A vote for a secret that is then rejected is cleared, and the secret can no longer be chosen.
    room.moderator
        .send(Command::RejectSecret { secret: room.secrets[2].clone(), version: 2, reason: RejectReason::Duplicate, note: String::new() })
        .await
        .expect("rejected");
    anne.wait_for(WAIT, |s| s.me.as_ref().is_some_and(|me| me.vote.is_none())).await.expect("vote cleared");
    assert_eq!(code_of(anne.send(Command::CastVote { secret: room.secrets[2].clone() }).await), ErrorCode::SecretRejected);

    // A participant of another workshop cannot reach this one's secrets.
    let other = new_workshop(base).await;
    let stranger = join_as(base, &other.code, "Gaston", "T1").await;
    let stranger_view = stranger.snapshot().expect("stranger has a view");
    assert!(stranger_view.secrets.is_empty());
    assert_eq!(code_of(stranger.send(Command::CastVote { secret: room.secrets[1].clone() }).await), ErrorCode::WrongPhase);
    let other_facilitator = Connection::connect(base, &other.facilitator_token).await.expect("connects");
    other_facilitator.send(Command::StartWriting { theme: None }).await.expect("writing");
    other_facilitator.send(Command::OpenVoting).await.expect("vote");
    assert_eq!(code_of(stranger.send(Command::CastVote { secret: room.secrets[1].clone() }).await), ErrorCode::UnknownSecret);
}

fn table<'a>(snapshot: &'a Snapshot, id: &str) -> &'a atelier_proto::view::TableView {
    snapshot.tables.iter().find(|t| t.id.as_str() == id).expect("table in view")
}

async fn staff_rules(backend: Backend) {
    let server = TestServer::start(backend).await;
    let base = &server.base_url;
    let room = writing_room(base).await;

    // The projector is read-only.
    assert_eq!(code_of(room.projector.send(Command::StartPresenting).await), ErrorCode::Forbidden);
    assert_eq!(code_of(room.projector.send(Command::ApproveSecret { secret: room.secrets[0].clone(), version: 1 }).await), ErrorCode::Forbidden);
    // A moderator does not run the phases.
    assert_eq!(code_of(room.moderator.send(Command::StartPresenting).await), ErrorCode::Forbidden);

    // Two moderators on the same version: the second decision is refused as stale.
    let second_moderator = Connection::connect(base, &room.created.moderator_token).await.expect("second moderator");
    room.moderator.send(Command::ApproveSecret { secret: room.secrets[0].clone(), version: 1 }).await.expect("first decision");
    let stale = second_moderator
        .send(Command::RejectSecret { secret: room.secrets[0].clone(), version: 1, reason: RejectReason::Advertising, note: String::new() })
        .await;
    assert_eq!(code_of(stale), ErrorCode::StaleVersion);

    // Wrong tokens are refused, for sockets and for workshop creation.
    match Connection::connect(base, "not-a-token").await {
        Err(ConnectError::Rejected(error)) => assert_eq!(error.code, ErrorCode::InvalidToken),
        Err(other) => panic!("expected an invalid_token rejection, got {other:?}"),
        Ok(_) => panic!("a wrong token was accepted"),
    }
    let body = CreateWorkshop {
        title: "x".into(),
        venue: String::new(),
        starts_at: String::new(),
        themes: preset_themes(),
        tables: 1,
        table_min: 6,
        table_max: 8,
        language: "fr".into(),
    };
    for token in ["", "wrong-admin-token"] {
        match create_workshop(base, token, &body).await {
            Err(error) => assert_eq!(error.code(), Some(ErrorCode::Unauthorized), "{error:?}"),
            Ok(_) => panic!("workshop created with admin token {token:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn participant_rules_on_sqlite() {
    participant_rules(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn participant_rules_on_postgres() {
    participant_rules(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_rules_on_sqlite() {
    staff_rules(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_rules_on_postgres() {
    staff_rules(Backend::Postgres).await;
}

async fn concurrent_decisions(backend: Backend) {
    let server = TestServer::start(backend).await;
    let base = &server.base_url;
    let room = writing_room(base).await;

    // Two moderators decide the same secret at the same moment: exactly one wins.
    let second_moderator = Connection::connect(base, &room.created.moderator_token).await.expect("second moderator");
    let secret = room.secrets[0].clone();
    let (first, second) = tokio::join!(
        room.moderator.send(Command::ApproveSecret { secret: secret.clone(), version: 1 }),
        second_moderator.send(Command::RejectSecret { secret: secret.clone(), version: 1, reason: RejectReason::Duplicate, note: String::new() }),
    );
    assert!(first.is_ok() != second.is_ok(), "exactly one decision applies: {first:?} / {second:?}");
    let loser = if first.is_err() { first } else { second };
    assert_eq!(code_of(loser), ErrorCode::StaleVersion);
    for other in &room.secrets[1..] {
        room.moderator.send(Command::ApproveSecret { secret: other.clone(), version: 1 }).await.expect("approved");
    }

    // Everyone at both tables votes at the same moment, some twice: one vote each is counted.
    room.facilitator.send(Command::OpenVoting).await.expect("vote opens");
    // Anne's secret may have lost the race to a rejection, so nobody votes for it.
    let candidates = [room.secrets[1].clone(), room.secrets[2].clone(), room.secrets[1].clone(), room.secrets[4].clone(), room.secrets[5].clone(), room.secrets[3].clone()];
    let mut votes = Vec::new();
    for (person, secret) in room.people.iter().zip(candidates.iter()) {
        votes.push(person.send(Command::CastVote { secret: secret.clone() }));
        votes.push(person.send(Command::CastVote { secret: secret.clone() }));
    }
    let results = futures_util::future::join_all(votes).await;
    let accepted = results.iter().filter(|r| r.is_ok()).count();
    let snapshot = room.facilitator.wait_for(WAIT, |s| s.tables.iter().map(|t| t.votes_cast).sum::<u32>() == 6).await.expect("six voters");
    let tallied: u32 = snapshot.tables.iter().flat_map(|t| t.tallies.iter().map(|(_, n)| *n)).sum();
    assert_eq!(tallied, 6, "tallies count one vote per participant");
    assert!(accepted >= 6, "{accepted} votes accepted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_decisions_on_sqlite() {
    concurrent_decisions(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_decisions_on_postgres() {
    concurrent_decisions(Backend::Postgres).await;
}
