//! HTTP side of the protocol: workshop creation (admin) and joining (participants).
//!
//! Errors come back as JSON `{"error": ProtoError}` with a 4xx or 5xx status.

use atelier_proto::command::{CreateWorkshop, CreatedWorkshop, JoinRequest, JoinResponse};
use atelier_proto::{ErrorCode, OpId, ProtoError};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// Why an HTTP call failed.
#[derive(Debug)]
pub enum HttpError {
    /// The server answered with a protocol error.
    Api { status: u16, error: ProtoError },
    /// The server answered something that is not the expected JSON.
    Unexpected { status: u16, body: String },
    /// No answer (connection refused, reset, timeout…).
    Transport(reqwest::Error),
}

impl HttpError {
    /// The protocol error code, when the server sent one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            HttpError::Api { error, .. } => Some(error.code),
            _ => None,
        }
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Api { status, error } => write!(f, "HTTP {status}: {error}"),
            HttpError::Unexpected { status, body } => write!(f, "HTTP {status}, unexpected body: {body}"),
            HttpError::Transport(e) => write!(f, "no answer from the server: {e}"),
        }
    }
}

impl std::error::Error for HttpError {}

#[derive(Deserialize, Serialize)]
struct ErrorBody {
    error: ProtoError,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .no_proxy()
        .build()
        .expect("reqwest client")
}

/// `base` without a trailing slash.
fn trim(base: &str) -> &str {
    base.trim_end_matches('/')
}

/// The WebSocket URL of a server, from its base HTTP URL: `http://h:p` -> `ws://h:p/ws`.
pub fn ws_url(base: &str) -> String {
    let base = trim(base);
    let rest = if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else if base.starts_with("ws://") || base.starts_with("wss://") {
        base.to_string()
    } else {
        format!("ws://{base}")
    };
    format!("{rest}/ws")
}

/// Base URL with a scheme: `127.0.0.1:8080` -> `http://127.0.0.1:8080`.
pub fn http_base(base: &str) -> String {
    let base = trim(base);
    if base.starts_with("http://") || base.starts_with("https://") {
        base.to_string()
    } else if let Some(rest) = base.strip_prefix("ws://") {
        format!("http://{rest}")
    } else if let Some(rest) = base.strip_prefix("wss://") {
        format!("https://{rest}")
    } else {
        format!("http://{base}")
    }
}

async fn post<B: Serialize, R: DeserializeOwned>(url: &str, bearer: Option<&str>, body: &B) -> Result<R, HttpError> {
    let mut req = client().post(url).json(body);
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    let resp = req.send().await.map_err(HttpError::Transport)?;
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.map_err(HttpError::Transport)?;
    if (200..300).contains(&status) {
        return serde_json::from_slice(&bytes)
            .map_err(|_| HttpError::Unexpected { status, body: String::from_utf8_lossy(&bytes).into_owned() });
    }
    match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(b) => Err(HttpError::Api { status, error: b.error }),
        Err(_) => Err(HttpError::Unexpected { status, body: String::from_utf8_lossy(&bytes).into_owned() }),
    }
}

/// `POST /api/workshops` with `Authorization: Bearer ADMIN_TOKEN`.
pub async fn create_workshop(base: &str, admin_token: &str, body: &CreateWorkshop) -> Result<CreatedWorkshop, HttpError> {
    post(&format!("{}/api/workshops", http_base(base)), Some(admin_token), body).await
}

/// `POST /api/join`.
pub async fn join(base: &str, body: &JoinRequest) -> Result<JoinResponse, HttpError> {
    post(&format!("{}/api/join", http_base(base)), None, body).await
}

/// A join that survives a server that is briefly away or busy: a transport failure is retried
/// with the same operation id (so one participant is created), `rate_limited` after a pause.
/// Gives up after `patience`.
pub async fn join_with_retry(base: &str, body: &JoinRequest, patience: Duration) -> Result<JoinResponse, HttpError> {
    let mut body = body.clone();
    if body.op.is_none() {
        body.op = Some(OpId(uuid::Uuid::new_v4().to_string()));
    }
    let deadline = tokio::time::Instant::now() + patience;
    let mut backoff = crate::connection::Backoff::default();
    loop {
        match join(base, &body).await {
            Err(HttpError::Transport(_)) | Err(HttpError::Api { error: ProtoError { code: ErrorCode::RateLimited, .. }, .. })
                if tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(backoff.next_delay()).await;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ws_url_is_derived_from_the_base() {
        assert_eq!(ws_url("http://127.0.0.1:8080"), "ws://127.0.0.1:8080/ws");
        assert_eq!(ws_url("http://127.0.0.1:8080/"), "ws://127.0.0.1:8080/ws");
        assert_eq!(ws_url("https://atelier.example.org/app"), "wss://atelier.example.org/app/ws");
        assert_eq!(ws_url("127.0.0.1:9"), "ws://127.0.0.1:9/ws");
        assert_eq!(http_base("127.0.0.1:9/"), "http://127.0.0.1:9");
        assert_eq!(http_base("ws://h:1"), "http://h:1");
    }

    #[test]
    fn error_bodies_parse() {
        let body = r#"{"error":{"code":"unauthorized","message_fr":"x","message_en":"y"}}"#;
        let b: ErrorBody = serde_json::from_str(body).unwrap();
        assert_eq!(b.error.code, ErrorCode::Unauthorized);
    }
}
