//! JSON endpoints.

use super::{ApiError, AppState};
use atelier_proto::command::{CreateWorkshop, JoinRequest};
use atelier_proto::{ErrorCode, ProtoError};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;

/// Parses a JSON body into a protocol error rather than axum's plain-text rejection.
fn parse_body<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    if body.len() > atelier_proto::MAX_FRAME_BYTES {
        return Err(ProtoError::new(ErrorCode::FrameTooLarge).into());
    }
    serde_json::from_slice(body).map_err(|error| {
        let code = if error.is_syntax() || error.is_eof() { ErrorCode::InvalidJson } else { ErrorCode::InvalidMessage };
        ApiError(ProtoError::new(code).with_detail(error.to_string()))
    })
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    match state.hub.store().ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn check_admin(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| ApiError(ProtoError::new(ErrorCode::Unauthorized)))?;
    if state.admin_token.verify(token).await {
        Ok(())
    } else {
        tracing::warn!("workshop creation with a wrong admin token");
        Err(ApiError(ProtoError::new(ErrorCode::Unauthorized)))
    }
}

pub async fn create_workshop(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    check_admin(&state, &headers).await?;
    let request: CreateWorkshop = parse_body(&body)?;
    let created = state.hub.create_workshop(&request).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// `GET /api/workshops`: every workshop on this server, for the organizer (admin token).
pub async fn list_workshops(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, ApiError> {
    check_admin(&state, &headers).await?;
    Ok(Json(state.hub.list_workshops().await).into_response())
}

/// `POST /api/workshops/{id}/role-links`: new role links when the old ones were lost.
pub async fn replace_role_links(State(state): State<Arc<AppState>>, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    check_admin(&state, &headers).await?;
    let links = state.hub.replace_role_links(&atelier_proto::WorkshopId(id)).await?;
    Ok((StatusCode::CREATED, Json(links)).into_response())
}

pub async fn join_workshop(State(state): State<Arc<AppState>>, ConnectInfo(peer): ConnectInfo<SocketAddr>, body: Bytes) -> Result<Response, ApiError> {
    if !state.join_limiter.allow(peer.ip()) {
        tracing::warn!(peer = %peer.ip(), "join attempts rate-limited");
        return Err(ProtoError::new(ErrorCode::RateLimited).into());
    }
    let request: JoinRequest = parse_body(&body)?;
    let joined = state.hub.join(&request).await?;
    Ok((StatusCode::CREATED, Json(joined)).into_response())
}

pub async fn find_workshop_by_code(State(state): State<Arc<AppState>>, ConnectInfo(peer): ConnectInfo<SocketAddr>, Path(code): Path<String>) -> Result<Response, ApiError> {
    if !state.join_limiter.allow(peer.ip()) {
        return Err(ProtoError::new(ErrorCode::RateLimited).into());
    }
    let room = state.hub.room_by_code(&code).ok_or_else(|| ProtoError::new(ErrorCode::UnknownWorkshop))?;
    let body = room
        .with_state(|s| {
            let info = &s.workshop.info;
            serde_json::json!({
                "workshop_id": info.id,
                "code": info.code,
                "title": info.title,
                "venue": info.venue,
                "starts_at": info.starts_at,
                "language": info.language,
                "tables": info.tables,
                "phase": s.workshop.phase,
            })
        })
        .await;
    Ok(Json(body).into_response())
}

pub async fn list_presets() -> Json<Vec<atelier_proto::model::Theme>> {
    Json(atelier_proto::model::preset_themes())
}

#[derive(Deserialize)]
pub struct CommuneQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    limit: Option<usize>,
}

pub async fn search_communes(State(state): State<Arc<AppState>>, Query(query): Query<CommuneQuery>) -> Response {
    let limit = query.limit.unwrap_or(8).clamp(1, 50);
    let hits = state.hub.communes().search(&query.q, limit);
    Json(hits).into_response()
}

#[derive(Deserialize)]
pub struct QrQuery {
    text: String,
}

/// A QR code as SVG, for table cards and the projector's join screen.
pub async fn render_qr(Query(query): Query<QrQuery>) -> Result<Response, ApiError> {
    if query.text.is_empty() || query.text.len() > 1024 {
        return Err(ProtoError::new(ErrorCode::InvalidField).with_detail("text").into());
    }
    let code = qrcode::QrCode::with_error_correction_level(query.text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| ApiError(ProtoError::new(ErrorCode::InvalidField).with_detail("text")))?;
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(240, 240).quiet_zone(true).build();
    Ok(([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "max-age=3600")], svg).into_response())
}

pub async fn server_info(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "join_base_url": state.join_base_url, "version": env!("CARGO_PKG_VERSION") }))
}
