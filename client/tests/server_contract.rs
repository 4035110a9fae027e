//! A few guarantees of the protocol, checked through the client against a real server.
//!
//! Run with
//! `ATELIER_SERVER_BIN=target/debug/atelier cargo test -p atelier-client --test server_contract -- --ignored`.

use atelier_client::http::{create_workshop, join, HttpError};
use atelier_client::Connection;
use atelier_proto::command::{CreateWorkshop, JoinRequest};
use atelier_proto::model::{preset_themes, CommuneRef, Consents, SecretFields};
use atelier_proto::{Command, ErrorCode, OpId, SecretId, TableId};
use std::time::Duration;

mod common;
use common::Server;

const WAIT: Duration = Duration::from_secs(10);

fn fields(title: &str) -> SecretFields {
    SecretFields {
        title: title.into(),
        text: "Un texte.".into(),
        place: String::new(),
        commune: CommuneRef { insee: None, name: "Honfleur".into() },
        best_moment: String::new(),
        coordinates: None,
    }
}

#[tokio::test]
#[ignore = "needs ATELIER_SERVER_BIN"]
async fn retries_apply_once_and_stale_versions_are_refused() {
    let mut server = Server::new("contract");
    server.start().await;
    let base = server.url();

    let body = CreateWorkshop {
        title: "Contrat".into(),
        venue: String::new(),
        starts_at: String::new(),
        themes: preset_themes().into_iter().take(2).collect(),
        tables: 2,
        table_min: 1,
        table_max: 8,
        language: "fr".into(),
    };
    // A wrong admin token is refused with a protocol error.
    match create_workshop(&base, "wrong", &body).await {
        Err(HttpError::Api { status, error }) => assert_eq!((status, error.code), (401, ErrorCode::Unauthorized)),
        other => panic!("expected unauthorized, got {other:?}"),
    }
    let created = create_workshop(&base, "test-admin", &body).await.unwrap();
    let join_as = |name: &str, table: &str| JoinRequest {
        code: created.code.clone(),
        name: name.into(),
        commune: CommuneRef { insee: None, name: "Honfleur".into() },
        consents: Consents { show_name: true, contact: false, photo_licence: false },
        email: None,
        table: Some(TableId(table.into())),
        op: None,
    };
    match join(&base, &JoinRequest { code: "ZZZZZZ".into(), ..join_as("Ana", "T1") }).await {
        Err(HttpError::Api { error, .. }) => assert_eq!(error.code, ErrorCode::UnknownWorkshop),
        other => panic!("expected unknown_workshop, got {other:?}"),
    }
    let ana = join(&base, &join_as("Ana", "T1")).await.unwrap();
    let bob = join(&base, &join_as("Bob", "T1")).await.unwrap();
    let fac = Connection::connect_labeled(&base, &created.facilitator_token, "facilitator").await.unwrap();
    let modr = Connection::connect_labeled(&base, &created.moderator_token, "moderator").await.unwrap();
    let ana_c = Connection::connect_labeled(&base, &ana.token, "ana").await.unwrap();
    let bob_c = Connection::connect_labeled(&base, &bob.token, "bob").await.unwrap();

    // Too early.
    let err = ana_c.send(Command::SubmitSecret { fields: fields("Trop tôt") }).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::WrongPhase);
    fac.send(Command::StartWriting { theme: None }).await.unwrap();

    // The same op twice: one secret, the same answer.
    let op = OpId(uuid::Uuid::new_v4().to_string());
    let first = ana_c.send_with_op(op.clone(), Command::SubmitSecret { fields: fields("Une fois") }).await.unwrap();
    let again = ana_c.send_with_op(op.clone(), Command::SubmitSecret { fields: fields("Une fois") }).await.unwrap();
    assert_eq!(first, again);
    let sid = SecretId(first["secret"].as_str().unwrap().to_string());
    bob_c.send(Command::SubmitSecret { fields: fields("De Bob") }).await.unwrap();
    let snap = fac.wait_for(WAIT, |s| s.secrets.len() == 2).await.unwrap();
    assert_eq!(snap.secrets.iter().filter(|s| s.fields.title == "Une fois").count(), 1);

    // Two moderators deciding on the same version: the second is refused.
    let version = modr.wait_until(WAIT, |s| s.secrets.iter().find(|x| x.id == sid).map(|x| x.version)).await.unwrap();
    modr.send(Command::ApproveSecret { secret: sid.clone(), version }).await.unwrap();
    let err = fac
        .send(Command::RejectSecret { secret: sid.clone(), version, reason: atelier_proto::model::RejectReason::Duplicate, note: String::new() })
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::StaleVersion);

    // Voting for one's own secret is refused.
    fac.send(Command::StartPresenting).await.unwrap();
    fac.send(Command::OpenVoting).await.unwrap();
    let err = ana_c.send(Command::CastVote { secret: sid.clone() }).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::OwnSecret);
    bob_c.send(Command::CastVote { secret: sid.clone() }).await.unwrap();
    bob_c.wait_for(WAIT, |s| s.me.as_ref().is_some_and(|m| m.vote.as_ref() == Some(&sid))).await.unwrap();

    // The same op id for another command is a conflict, not the first command's answer.
    let answer = ana_c.send_with_op(op, Command::CastVote { secret: sid.clone() }).await;
    server.crash().await;
    match answer {
        Err(e) => assert_eq!(e.code, ErrorCode::OpConflict),
        Ok(v) => panic!("op id reused for another command: expected op_conflict, got the first answer {v}"),
    }
}
