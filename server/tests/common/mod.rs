//! Test harness: the real `atelier` binary on a loopback port, on SQLite or PostgreSQL.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const ADMIN_TOKEN: &str = "test-admin-token";

/// Which database a test server uses.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running server process and what is needed to start it again on the same database.
pub struct TestServer {
    child: Option<Child>,
    pub base_url: String,
    pub port: u16,
    data_dir: PathBuf,
    database_url: Option<String>,
    env: Vec<(String, String)>,
}

/// Creates an empty PostgreSQL database for one test and returns its URL.
pub async fn fresh_postgres_database() -> String {
    let admin_url = std::env::var("ATELIER_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("atelier_test_{}", uuid::Uuid::new_v4().simple());
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {admin_url} is not reachable ({e}); start it or set ATELIER_TEST_POSTGRES_URL"));
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&pool).await.expect("create test database");
    pool.close().await;
    let base = admin_url.rsplit_once('/').map(|(base, _)| base.to_owned()).unwrap_or(admin_url);
    format!("{base}/{name}")
}

fn spawn(port: u16, data_dir: &PathBuf, database_url: Option<&str>, env: &[(String, String)]) -> (Child, u16) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_atelier"));
    command.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    command
        .arg("serve")
        .arg("--bind")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data-dir")
        .arg(data_dir)
        .env("ATELIER_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("ATELIER_LOG", "warn")
        .env_remove("ATELIER_DATABASE_URL")
        .env_remove("ATELIER_BIND")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(url) = database_url {
        command.arg("--database-url").arg(url);
    }
    let mut child = command.spawn().expect("start the atelier binary");
    let stdout = child.stdout.take().expect("piped stdout");
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut sender = Some(sender);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let address = rest.split_whitespace().next().unwrap_or_default().to_owned();
                if let Some(s) = sender.take() {
                    let _ = s.send(address);
                }
            }
        }
    });
    let address = receiver.recv_timeout(Duration::from_secs(60)).expect("server printed its listening address");
    let port = address.rsplit(':').next().and_then(|p| p.parse().ok()).expect("port in the listening address");
    (child, port)
}

impl TestServer {
    pub async fn start(backend: Backend) -> TestServer {
        Self::start_with(backend, &[]).await
    }

    /// Starts a server with extra environment variables (`ATELIER_COMMAND_RATE`…).
    pub async fn start_with(backend: Backend, env: &[(&str, &str)]) -> TestServer {
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let data_dir = std::env::temp_dir().join(format!("atelier-test-{}", uuid::Uuid::new_v4().simple()));
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(fresh_postgres_database().await),
        };
        let (child, port) = spawn(0, &data_dir, database_url.as_deref(), &env);
        TestServer { child: Some(child), base_url: format!("http://127.0.0.1:{port}"), port, data_dir, database_url, env }
    }

    /// Kills the process without warning (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and database.
    pub fn restart(&mut self) {
        self.kill();
        let (child, _) = spawn(self.port, &self.data_dir, self.database_url.as_deref(), &self.env);
        self.child = Some(child);
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }

    pub fn child_mut(&mut self) -> Option<&mut Child> {
        self.child.as_mut()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// Returns the shipped scenario's path: the workplace copy beside the checkout when present, else the crate's copy.
pub fn fixture_path() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let shared = root.join("../shared/fixtures/atelier-pays-d-auge.json");
    if shared.exists() {
        shared
    } else {
        root.join("client/fixtures/atelier-pays-d-auge.json")
    }
}

/// A raw WebSocket that records every text frame, to check what a device really receives.
pub struct RawSocket {
    pub frames: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    arrived: std::sync::Arc<tokio::sync::Notify>,
    outgoing: tokio::sync::mpsc::UnboundedSender<tokio_tungstenite::tungstenite::Message>,
    /// Close code and reason, once the server closed the socket.
    pub closed: std::sync::Arc<std::sync::Mutex<Option<(u16, String)>>>,
    /// WebSocket pings received from the server.
    pub pings: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl RawSocket {
    pub async fn connect(base_url: &str, token: &str) -> RawSocket {
        Self::connect_with(base_url, serde_json::json!({ "type": "hello", "v": 1, "token": token })).await
    }

    /// Connects and sends `hello` as given (for example with a `last_seq`).
    pub async fn connect_with(base_url: &str, hello: serde_json::Value) -> RawSocket {
        use futures_util::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::Message;
        let ws_url = format!("{}/ws", base_url.replacen("http://", "ws://", 1));
        let (socket, _) = tokio_tungstenite::connect_async(ws_url).await.expect("WebSocket connects");
        let (mut sink, mut stream) = socket.split();
        sink.send(Message::text(hello.to_string())).await.expect("hello sent");
        let frames = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let arrived = std::sync::Arc::new(tokio::sync::Notify::new());
        let closed = std::sync::Arc::new(std::sync::Mutex::new(None));
        let (outgoing, mut to_send) = tokio::sync::mpsc::unbounded_channel::<Message>();
        let pings = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (frames_in, arrived_in, closed_in, pings_in) = (frames.clone(), arrived.clone(), closed.clone(), pings.clone());
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    message = stream.next() => match message {
                        Some(Ok(Message::Text(text))) => {
                            frames_in.lock().unwrap().push(text.to_string());
                            arrived_in.notify_waiters();
                        }
                        Some(Ok(Message::Close(frame))) => {
                            *closed_in.lock().unwrap() = Some(frame.map(|f| (u16::from(f.code), f.reason.to_string())).unwrap_or((1005, String::new())));
                            arrived_in.notify_waiters();
                            break;
                        }
                        Some(Ok(Message::Ping(_))) => {
                            pings_in.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            arrived_in.notify_waiters();
                        }
                        Some(Ok(_)) => {}
                        _ => {
                            let mut closed = closed_in.lock().unwrap();
                            if closed.is_none() {
                                *closed = Some((1006, String::new()));
                            }
                            arrived_in.notify_waiters();
                            break;
                        }
                    },
                    outgoing = to_send.recv() => match outgoing {
                        Some(message) => {
                            if sink.send(message).await.is_err() {
                                break;
                            }
                        }
                        None => break,
                    },
                }
            }
        });
        RawSocket { frames, arrived, outgoing, closed, pings, task }
    }

    pub fn send_text(&self, text: impl Into<String>) {
        let _ = self.outgoing.send(tokio_tungstenite::tungstenite::Message::text(text.into()));
    }

    pub fn send_message(&self, message: tokio_tungstenite::tungstenite::Message) {
        let _ = self.outgoing.send(message);
    }

    /// Returns the received frames parsed as JSON.
    pub fn messages(&self) -> Vec<serde_json::Value> {
        self.frames.lock().unwrap().iter().filter_map(|f| serde_json::from_str(f).ok()).collect()
    }

    /// Waits until a received message satisfies `predicate`, and returns it.
    pub async fn wait_message(&self, timeout: Duration, predicate: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.arrived.notified();
            if let Some(found) = self.messages().into_iter().find(|m| predicate(m)) {
                return found;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("no matching message within {timeout:?}; received: {:#?}", self.messages());
            }
        }
    }

    /// Waits until the server has sent at least `count` WebSocket pings.
    pub async fn wait_pings(&self, count: usize, timeout: Duration) {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.arrived.notified();
            if self.pings.load(std::sync::atomic::Ordering::SeqCst) >= count {
                return;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("fewer than {count} pings within {timeout:?}");
            }
        }
    }

    /// Waits until the server closes the socket and returns the close code.
    pub async fn wait_closed(&self, timeout: Duration) -> (u16, String) {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.arrived.notified();
            if let Some(closed) = self.closed.lock().unwrap().clone() {
                return closed;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("socket still open after {timeout:?}");
            }
        }
    }

    pub fn all_text(&self) -> String {
        self.frames.lock().unwrap().join("\n")
    }
}

impl Drop for RawSocket {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Builds the fields of a secret with a title and a text, in Honfleur.
pub fn secret_fields(title: &str, text: &str) -> atelier_proto::model::SecretFields {
    atelier_proto::model::SecretFields {
        title: title.into(),
        text: text.into(),
        place: String::new(),
        commune: atelier_proto::model::CommuneRef { insee: None, name: "Honfleur".into() },
        best_moment: String::new(),
        coordinates: None,
    }
}

/// Creates a workshop with the first `themes` preset themes and `tables` tables of 1 to 8
/// (or `table_min` to 8) people.
pub async fn create_test_workshop(base: &str, title: &str, themes: usize, tables: u32, table_min: u32) -> atelier_proto::command::CreatedWorkshop {
    let body = atelier_proto::command::CreateWorkshop {
        title: title.into(),
        venue: String::new(),
        starts_at: String::new(),
        themes: atelier_proto::model::preset_themes().into_iter().take(themes).collect(),
        tables,
        table_min,
        table_max: 8,
        language: "fr".into(),
    };
    atelier_client::create_workshop(base, ADMIN_TOKEN, &body).await.expect("workshop created")
}

/// Joins a workshop as a participant from Honfleur.
pub async fn join_participant(
    base: &str,
    code: &str,
    name: &str,
    table: Option<&str>,
    consents: atelier_proto::model::Consents,
    email: Option<String>,
) -> atelier_proto::command::JoinResponse {
    let request = atelier_proto::command::JoinRequest {
        code: code.into(),
        name: name.into(),
        commune: atelier_proto::model::CommuneRef { insee: None, name: "Honfleur".into() },
        consents,
        email,
        table: table.map(|t| atelier_proto::TableId(t.into())),
        op: None,
    };
    atelier_client::join(base, &request).await.expect("participant joined")
}
