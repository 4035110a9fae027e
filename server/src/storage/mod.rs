//! Durable storage: one trait in front of SQLite and PostgreSQL.
//!
//! A workshop is stored as its event log. A command's events and its answer are written in one
//! transaction before the command is acknowledged, and a restart rebuilds every workshop by
//! replaying its log.

mod sql;

pub use sql::SqlStore;

use async_trait::async_trait;

/// One stored event of a workshop's log.
#[derive(Clone, Debug)]
pub struct StoredEvent {
    pub seq: u64,
    pub at_ms: i64,
    /// The event as JSON (`workflow::events::DomainEvent`).
    pub body: String,
}

/// Everything stored about one workshop, as loaded at start-up.
#[derive(Debug)]
pub struct WorkshopLog {
    pub id: String,
    pub code: String,
    pub events: Vec<StoredEvent>,
    /// `(operation id, JSON answer)` of every applied command.
    pub operations: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("join code already taken")]
    CodeTaken,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Stores a new workshop and its first events.
    async fn create_workshop(&self, id: &str, code: &str, created_at_ms: i64, events: &[StoredEvent]) -> Result<(), StoreError>;

    /// Appends events and, for a command, its answer, in one transaction.
    async fn append(&self, workshop_id: &str, events: &[StoredEvent], operation: Option<(&str, &str)>) -> Result<(), StoreError>;

    /// Loads every workshop with its full log, for start-up.
    async fn load_all(&self) -> Result<Vec<WorkshopLog>, StoreError>;

    async fn get_setting(&self, name: &str) -> Result<Option<String>, StoreError>;
    async fn put_setting(&self, name: &str, value: &str) -> Result<(), StoreError>;

    /// Records this server process; `remove_node` at a clean shutdown.
    async fn register_node(&self, node_id: &str, started_at_ms: i64) -> Result<(), StoreError>;
    async fn remove_node(&self, node_id: &str) -> Result<(), StoreError>;

    /// Whether the database answers, for `/readyz`.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Name of the backend for logs (`sqlite` or `postgres`).
    fn backend(&self) -> &'static str;
}
