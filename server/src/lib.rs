//! The atelier workshop server.
//!
//! Map of the components:
//! - [`config`]: command-line flags and `ATELIER_*` environment variables.
//! - [`workflow`]: the workshop flow (lobby, writing, presenting, voting, results, reshuffle,
//!   moderation, showcase, feedback) as pure decisions over a state rebuilt from events.
//! - [`views`]: what each role may see of a workshop.
//! - [`rooms`]: one room per workshop, which stores, applies and fans out events; the hub
//!   that finds rooms by id, join code and token.
//! - [`storage`]: the event log on SQLite or PostgreSQL.
//! - [`http`]: HTTP endpoints, the WebSocket, the embedded browser app.
//! - [`auth`]: tokens and the admin token.
//! - [`communes`]: the communes of Normandy.
//!
//! A command's path: WebSocket frame → `http::ws` → `Room::execute` → `workflow::decide` →
//! `Store::append` (committed) → `Workshop::apply` → `rooms::fanout::render` → every device's
//! bounded queue → acknowledgement to the sender.

pub mod auth;
pub mod clock;
pub mod communes;
pub mod config;
pub mod exports;
pub mod http;
pub mod rooms;
pub mod storage;
pub mod views;
pub mod workflow;

use anyhow::Context;
use config::ServeConfig;
use http::AppState;
use rooms::Hub;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use storage::{SqlStore, Store};
use tokio::sync::watch;

/// Name of the setting that keeps the Argon2 hash of the generated admin token.
const ADMIN_TOKEN_SETTING: &str = "admin_token_hash";

/// Returns the admin token's hash, generating and printing a token on first start.
///
/// A configured token replaces the stored one for good, so setting `ATELIER_ADMIN_TOKEN`
/// once is how a lost token is replaced.
async fn admin_token_hash(store: &dyn Store, configured: Option<&str>) -> anyhow::Result<String> {
    if let Some(token) = configured.filter(|t| !t.is_empty()) {
        let hash = auth::hash_admin_token(token);
        store.put_setting(ADMIN_TOKEN_SETTING, &hash).await?;
        return Ok(hash);
    }
    if let Some(hash) = store.get_setting(ADMIN_TOKEN_SETTING).await? {
        return Ok(hash);
    }
    let token = auth::new_token();
    let hash = auth::hash_admin_token(&token.0);
    store.put_setting(ADMIN_TOKEN_SETTING, &hash).await?;
    // Printed once on purpose: only the hash is stored, so this is the one chance to copy it.
    println!("Admin token (shown once, keep it to create workshops): {}", token.0);
    Ok(hash)
}

/// The address phones should use: the configured public URL, or this machine's network
/// address when listening on all interfaces.
fn join_base_url(config: &ServeConfig, bound: SocketAddr) -> String {
    if let Some(url) = &config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let ip = if bound.ip().is_unspecified() { local_ip_address::local_ip().unwrap_or(bound.ip()) } else { bound.ip() };
    format!("http://{}", SocketAddr::new(ip, bound.port()))
}

/// Runs the server until SIGINT or SIGTERM.
pub async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| format!("cannot create the data folder {}", config.data_dir.display()))?;
    let url = config.effective_database_url();
    let store: Arc<dyn Store> = Arc::new(SqlStore::connect(&url).await.context("cannot open the database")?);
    // Listen first: a generated admin token is printed only once, so it must not be printed by
    // a server that then fails because its port is taken.
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}: is another server using this port? Choose another with --bind", config.bind))?;
    let bound = listener.local_addr()?;
    let node_id = uuid::Uuid::new_v4().to_string();
    store.register_node(&node_id, clock::now_ms()).await?;
    let admin_hash = admin_token_hash(store.as_ref(), config.admin_token.as_deref()).await?;

    let hub = Arc::new(Hub::new(store.clone(), Arc::new(communes::Communes::load())));
    let restored = hub.restore().await.context("cannot restore workshops from the database")?;
    let (shutdown_sender, shutdown) = watch::channel(false);
    let state = Arc::new(AppState {
        hub: hub.clone(),
        admin_token: auth::AdminToken::new(admin_hash),
        join_base_url: join_base_url(&config, bound),
        join_limiter: http::limits::RateLimiter::new(config.join_rate, Duration::from_secs(60)),
        command_rate: config.command_rate.max(0.1),
        shutdown,
    });
    spawn_ticker(hub.clone());

    tracing::info!(address = %bound, database = store.backend(), workshops = restored, node.id = %node_id, "atelier listening");
    // Tests and scripts wait for this line: it means the server accepts connections.
    println!("atelier listening on http://{bound} (phones: {})", state.join_base_url);
    if bound.ip().is_loopback() && config.public_url.is_none() {
        println!("Note: {bound} is reachable from this machine only; use --bind 0.0.0.0:{} for phones on the same network.", bound.port());
    }

    let app = http::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    // Small WebSocket frames must leave at once: with Nagle's algorithm, each acknowledgement
    // could wait for the peer's delayed ACK (about 40 ms on Linux).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!(%error, "TCP_NODELAY could not be set");
        }
    });
    let grace = Duration::from_secs(config.shutdown_grace_seconds);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            wait_for_signal().await;
            tracing::info!("shutdown requested; closing sockets");
            let _ = shutdown_sender.send(true);
        })
        .await
        .context("server failed")?;
    // Connections got their close frames; bounded wait for the database to settle.
    let _ = tokio::time::timeout(grace, store.remove_node(&node_id)).await;
    tracing::info!("atelier stopped");
    Ok(())
}

/// Re-evaluates time-based signals (stuck tables) every few seconds.
fn spawn_ticker(hub: Arc<Hub>) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(5));
        loop {
            interval.tick().await;
            for room in hub.rooms() {
                room.tick().await;
            }
        }
    });
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler installs");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
