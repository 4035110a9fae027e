//! Lost role links: the organizer lists the server's workshops and hands out new links; the
//! old ones stop working, also after a restart.

mod common;

use atelier_client::{ConnectError, Connection};
use atelier_proto::command::CreatedWorkshop;
use atelier_proto::ErrorCode;
use common::{Backend, TestServer, ADMIN_TOKEN};

async fn admin_request(method: reqwest::Method, url: String, token: &str) -> reqwest::Response {
    reqwest::Client::new().request(method, url).bearer_auth(token).send().await.expect("request sent")
}

async fn role_links_are_replaced(backend: Backend) {
    let mut server = TestServer::start(backend).await;
    let base = server.base_url.clone();
    let created = common::create_test_workshop(&base, "Atelier liens perdus", 1, 2, 1).await;

    let listed = admin_request(reqwest::Method::GET, format!("{base}/api/workshops"), ADMIN_TOKEN).await;
    assert_eq!(listed.status(), 200);
    let list: serde_json::Value = listed.json().await.expect("JSON list");
    assert_eq!(list[0]["code"], created.code.as_str());
    assert_eq!(list[0]["title"], "Atelier liens perdus");
    let refused = admin_request(reqwest::Method::GET, format!("{base}/api/workshops"), "wrong-token").await;
    assert_eq!(refused.status(), 401);

    let replaced = admin_request(reqwest::Method::POST, format!("{base}/api/workshops/{}/role-links", created.workshop_id), ADMIN_TOKEN).await;
    assert_eq!(replaced.status(), 201);
    let links: CreatedWorkshop = replaced.json().await.expect("new links");
    assert_ne!(links.facilitator_token, created.facilitator_token);

    server.restart();
    for old in [&created.facilitator_token, &created.moderator_token, &created.projector_token] {
        match Connection::connect(&base, old).await {
            Err(ConnectError::Rejected(error)) => assert_eq!(error.code, ErrorCode::InvalidToken),
            Err(other) => panic!("expected invalid_token for an old link, got {other:?}"),
            Ok(_) => panic!("an old role link still works"),
        }
    }
    let facilitator = Connection::connect(&base, &links.facilitator_token).await.expect("new facilitator link works after a restart");
    assert_eq!(facilitator.snapshot().expect("view").workshop.code, created.code);
    Connection::connect(&base, &links.projector_token).await.expect("new projector link works");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_links_on_sqlite() {
    role_links_are_replaced(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_links_on_postgres() {
    role_links_are_replaced(Backend::Postgres).await;
}
