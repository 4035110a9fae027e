//! Plays the shipped scenario while the server is killed and restarted between steps.
//!
//! Needs a built server; run with
//! `ATELIER_SERVER_BIN=target/debug/atelier cargo test -p atelier-client --test restart -- --ignored`.

use atelier_client::{play, Hooks, Scenario};
use std::sync::{Arc, Mutex};

mod common;
use common::Server;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs ATELIER_SERVER_BIN"]
async fn the_scenario_survives_server_crashes_between_steps() {
    let server = Server::new("restart");
    let url = server.url();
    let server = Arc::new(tokio::sync::Mutex::new(server));
    server.lock().await.start().await;

    let steps = Arc::new(Mutex::new(Vec::new()));
    let hooks = {
        let server = server.clone();
        let steps = steps.clone();
        Hooks::new().on_step(move |step| {
            let server = server.clone();
            steps.lock().unwrap().push(step.clone());
            async move {
                let mut s = server.lock().await;
                s.crash().await;
                s.start().await;
            }
        })
    };
    let scenario = Scenario::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/atelier-pays-d-auge.json")).unwrap();
    let result = play(&scenario, &url, "test-admin", hooks).await;
    server.lock().await.crash().await;
    let report = match result {
        Ok(r) => r,
        Err(e) => panic!("{e:?}"),
    };
    let steps = steps.lock().unwrap().clone();
    assert!(steps.len() >= 10, "{steps:?}");
    assert_eq!(report.facilitator.secrets.len(), 29);
    // The sockets did drop and come back (a connection idle during a step may come back once
    // for two crashes, hence no exact count).
    assert!(report.reconnections >= steps.len() as u64, "{} reconnections for {} crashes", report.reconnections, steps.len());
}
