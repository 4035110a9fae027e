//! HTTP and WebSocket endpoints.
//!
//! - `api`: JSON endpoints (create a workshop, join, look up a code, communes, QR codes).
//! - `ws`: the WebSocket every device keeps open.
//! - `assets`: the browser app, embedded in the binary.
//! - `limits`: per-address rate limits.

pub mod api;
pub mod assets;
pub mod exports;
pub mod limits;
pub mod ws;

use crate::rooms::Hub;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use atelier_proto::{ErrorCode, ProtoError};
use std::sync::Arc;
use tokio::sync::watch;
use tower_http::set_header::SetResponseHeaderLayer;

/// Shared by every handler.
pub struct AppState {
    pub hub: Arc<Hub>,
    /// The admin token, checked against its stored Argon2 hash.
    pub admin_token: crate::auth::AdminToken,
    pub join_base_url: String,
    pub join_limiter: limits::RateLimiter,
    /// Average commands per second allowed on one connection.
    pub command_rate: f64,
    /// Flips to `true` when the server shuts down, so sockets close with 1001.
    pub shutdown: watch::Receiver<bool>,
}

/// The browser app runs only code and styles served by this server.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// An error as a JSON response: `{"error": {code, message_fr, message_en, detail}}`.
pub struct ApiError(pub ProtoError);

impl From<ProtoError> for ApiError {
    fn from(error: ProtoError) -> Self {
        ApiError(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match self.0.code {
            ErrorCode::Unauthorized | ErrorCode::InvalidToken => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden | ErrorCode::BadOrigin => StatusCode::FORBIDDEN,
            ErrorCode::NotFound | ErrorCode::UnknownWorkshop | ErrorCode::UnknownParticipant | ErrorCode::UnknownSecret | ErrorCode::UnknownTable | ErrorCode::UnknownTheme => StatusCode::NOT_FOUND,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TableFull | ErrorCode::WorkshopClosed | ErrorCode::WrongPhase | ErrorCode::StaleVersion => StatusCode::CONFLICT,
            ErrorCode::FrameTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        (status, Json(serde_json::json!({ "error": self.0 }))).into_response()
    }
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/api/workshops", post(api::create_workshop).get(api::list_workshops))
        .route("/api/workshops/{id}/role-links", post(api::replace_role_links))
        .route("/api/workshops/by-code/{code}", get(api::find_workshop_by_code))
        .route("/api/join", post(api::join_workshop))
        .route("/api/presets", get(api::list_presets))
        .route("/api/communes", get(api::search_communes))
        .route("/api/qr.svg", get(api::render_qr))
        .route("/api/server-info", get(api::server_info))
        .route("/ws", get(ws::upgrade))
        .route("/app/{*path}", get(assets::serve_asset))
        .route("/api/workshops/{id}/exports/{file}", get(exports::download_export))
        .route("/api/workshops/{id}/print/{page}", get(exports::print_page))
        .fallback(assets::serve_index)
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .with_state(state)
}
