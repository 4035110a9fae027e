//! The shipped workshop played end to end by the bot against the real server, on SQLite and
//! PostgreSQL, with and without a crash in the middle.

mod common;

use atelier_client::{play, Hooks, Scenario};
use atelier_proto::model::{SecretStatus, Source};
use common::{Backend, TestServer, ADMIN_TOKEN};
use std::sync::{Arc, Mutex};

async fn play_fixture(backend: Backend, restart_at: Option<&'static str>) {
    let scenario = Scenario::from_path(common::fixture_path()).expect("fixture parses");
    let server = Arc::new(Mutex::new(TestServer::start(backend).await));
    let base_url = server.lock().unwrap().base_url.clone();
    let restarted = Arc::new(Mutex::new(false));
    let hooks = {
        let server = server.clone();
        let restarted = restarted.clone();
        Hooks::new().on_step(move |step| {
            let server = server.clone();
            let restarted = restarted.clone();
            async move {
                if Some(step.as_str()) == restart_at {
                    // Crash (SIGKILL) and start again on the same database and port.
                    server.lock().unwrap().restart();
                    *restarted.lock().unwrap() = true;
                }
            }
        })
    };
    let report = play(&scenario, &base_url, ADMIN_TOKEN, hooks).await.unwrap_or_else(|e| panic!("play failed: {e:#}"));
    if restart_at.is_some() {
        assert!(*restarted.lock().unwrap(), "the restart step was never reached");
    }

    let secrets = &report.facilitator.secrets;
    assert_eq!(secrets.len(), 29, "secrets stored");
    assert_eq!(secrets.iter().filter(|s| s.source == Source::Paper).count(), 2, "paper secrets");
    let rejected: Vec<_> = secrets.iter().filter(|s| s.status == Some(SecretStatus::Rejected)).collect();
    assert_eq!(rejected.len(), 2, "rejected secrets");
    assert_eq!(secrets.iter().filter(|s| s.edited).count(), 1, "edited secrets");
    let showcase = report.facilitator.showcase.as_ref().expect("showcase in the facilitator's view");
    let expected_showcase = scenario.expected.showcase.as_ref().expect("the fixture lists the showcase");
    for (theme_key, winners) in expected_showcase {
        let theme = showcase.themes.iter().find(|t| &t.theme == theme_key).unwrap_or_else(|| panic!("theme {theme_key} missing from the showcase"));
        for (table, scenario_winners) in winners {
            let server_table = &report.tables[table];
            for scenario_secret in scenario_winners.ids() {
                let server_secret = &report.secrets[&scenario_secret];
                assert!(
                    theme.items.iter().any(|item| &item.table == server_table && &item.secret.id == server_secret),
                    "winner of {table} for {theme_key} should be {scenario_secret}"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixture_on_sqlite() {
    play_fixture(Backend::Sqlite, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixture_on_postgres() {
    play_fixture(Backend::Postgres, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixture_survives_crash_on_sqlite() {
    play_fixture(Backend::Sqlite, Some("round1.presented")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixture_survives_crash_on_postgres() {
    play_fixture(Backend::Postgres, Some("round2.writing")).await;
}
