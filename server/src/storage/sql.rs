//! [`Store`] on sqlx's `Any` driver: SQLite or PostgreSQL, chosen by the database URL.
//!
//! The queries use `$1`-style parameters in order, which both SQLite and PostgreSQL accept,
//! and only TEXT and BIGINT columns, so one set of queries and migrations serves both.

use super::{Store, StoreError, StoredEvent, WorkshopLog};
use async_trait::async_trait;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Row};
use std::str::FromStr;
use std::time::Duration;

pub struct SqlStore {
    pool: AnyPool,
    backend: &'static str,
}

impl SqlStore {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) and runs the migrations.
    pub async fn connect(url: &str) -> Result<SqlStore, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres") { "postgres" } else { "sqlite" };
        let options = AnyConnectOptions::from_str(url)?;
        // SQLite allows one writer at a time; a single connection avoids "database is locked"
        // retries and keeps commits in command order.
        let max_connections = if backend == "sqlite" { 1 } else { 8 };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == "sqlite" {
                        // WAL lets readers proceed during a write; FULL syncs each commit, so an
                        // acknowledged command survives a power cut, not only a crash.
                        sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *conn).await?;
                        sqlx::query("PRAGMA synchronous = FULL").execute(&mut *conn).await?;
                        sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
                        sqlx::query("PRAGMA busy_timeout = 5000").execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(SqlStore { pool, backend })
    }
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(db) => {
            db.is_unique_violation() || db.code().is_some_and(|code| code == "23505" || code == "2067" || code == "1555")
        }
        _ => false,
    }
}

async fn insert_events(tx: &mut sqlx::Transaction<'_, sqlx::Any>, workshop_id: &str, events: &[StoredEvent]) -> Result<(), sqlx::Error> {
    for event in events {
        sqlx::query("INSERT INTO events (workshop_id, seq, at_ms, body) VALUES ($1, $2, $3, $4)")
            .bind(workshop_id)
            .bind(event.seq as i64)
            .bind(event.at_ms)
            .bind(event.body.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[async_trait]
impl Store for SqlStore {
    async fn create_workshop(&self, id: &str, code: &str, created_at_ms: i64, events: &[StoredEvent]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query("INSERT INTO workshops (id, code, created_at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(code)
            .bind(created_at_ms)
            .execute(&mut *tx)
            .await;
        if let Err(error) = inserted {
            if is_unique_violation(&error) {
                return Err(StoreError::CodeTaken);
            }
            return Err(error.into());
        }
        insert_events(&mut tx, id, events).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn append(&self, workshop_id: &str, events: &[StoredEvent], operation: Option<(&str, &str)>) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        insert_events(&mut tx, workshop_id, events).await?;
        if let Some((op_id, response)) = operation {
            sqlx::query("INSERT INTO operations (workshop_id, op_id, response) VALUES ($1, $2, $3)")
                .bind(workshop_id)
                .bind(op_id)
                .bind(response)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn load_all(&self) -> Result<Vec<WorkshopLog>, StoreError> {
        let workshops = sqlx::query("SELECT id, code FROM workshops ORDER BY created_at, id").fetch_all(&self.pool).await?;
        let mut logs = Vec::with_capacity(workshops.len());
        for row in workshops {
            let id: String = row.try_get("id")?;
            let code: String = row.try_get("code")?;
            let events = sqlx::query("SELECT seq, at_ms, body FROM events WHERE workshop_id = $1 ORDER BY seq")
                .bind(id.as_str())
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(|row| -> Result<StoredEvent, sqlx::Error> {
                    Ok(StoredEvent { seq: row.try_get::<i64, _>("seq")? as u64, at_ms: row.try_get("at_ms")?, body: row.try_get("body")? })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let operations = sqlx::query("SELECT op_id, response FROM operations WHERE workshop_id = $1")
                .bind(id.as_str())
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(|row| -> Result<(String, String), sqlx::Error> { Ok((row.try_get("op_id")?, row.try_get("response")?)) })
                .collect::<Result<Vec<_>, _>>()?;
            logs.push(WorkshopLog { id, code, events, operations });
        }
        Ok(logs)
    }

    async fn get_setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM settings WHERE name = $1").bind(name).fetch_optional(&self.pool).await?;
        Ok(match row {
            Some(row) => Some(row.try_get("value")?),
            None => None,
        })
    }

    async fn put_setting(&self, name: &str, value: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
            .bind(name)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn register_node(&self, node_id: &str, started_at_ms: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO nodes (id, started_at_ms) VALUES ($1, $2)").bind(node_id).bind(started_at_ms).execute(&self.pool).await?;
        Ok(())
    }

    async fn remove_node(&self, node_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM nodes WHERE id = $1").bind(node_id).execute(&self.pool).await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        self.backend
    }
}
