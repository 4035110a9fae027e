//! Rust client of atelier and the `atelier-bot` scenario player.
//!
//! - [`http`]: workshop creation (admin token) and joining by code.
//! - [`connection`]: a device's WebSocket connection with its local view, commands with
//!   operation ids, reconnection with the last sequence number, and waits on state.
//! - [`scenario`]: `atelier-scenario/1` files, parsed and validated.
//! - [`player`]: plays a scenario against a server and checks its `expected` block.
//! - [`diff`]: readable differences between a scenario and what the server did.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use atelier_client::{play, Hooks, Scenario};
//! let scenario = Scenario::from_path("fixtures/atelier-pays-d-auge.json")?;
//! let hooks = Hooks::new().on_step(|step| async move { println!("step {step}") });
//! let report = play(&scenario, "http://127.0.0.1:8080", "test-admin", hooks).await?;
//! println!("workshop {} {}", report.code, report.workshop_id);
//! # Ok(()) }
//! ```

pub mod connection;
pub mod diff;
pub mod http;
pub mod player;
pub mod scenario;

pub use connection::{Backoff, ConnectError, Connection, LocalState, WaitTimeout};
pub use diff::{Differences, Mismatch};
pub use http::{create_workshop, join, ws_url, HttpError};
pub use player::{play, Hooks, PlayFailed, PlayReport};
pub use scenario::Scenario;
