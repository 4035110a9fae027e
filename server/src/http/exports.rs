//! Downloads and printables of a workshop's results.
//!
//! Access: staff (the facilitator's or a moderator's role-link token for this workshop, or the
//! admin token of the organizer), sent as `Authorization: Bearer TOKEN`, get every export. A
//! participant's device token gets only the copy for everyone (`public.xlsx`), and only once
//! the showcase has started. The printable pages also accept the token as `?token=`, because a
//! browser tab opened on them cannot send a header.

use super::{ApiError, AppState};
use crate::exports::{linked_data, print, public, staff, tourinsoft, Results};
use atelier_proto::model::{Phase, Role};
use atelier_proto::{ErrorCode, ProtoError, WorkshopId};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;

/// The holder of the token a request carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Requester {
    Staff,
    Participant,
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const CSV: &str = "text/csv; charset=utf-8";

fn refused(status: StatusCode, code: ErrorCode) -> Response {
    let mut response = ApiError(ProtoError::new(code)).into_response();
    *response.status_mut() = status;
    response
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty())
}

/// Finds who the token belongs to, for this workshop only.
async fn authorize(state: &AppState, token: Option<&str>, workshop: &WorkshopId) -> Result<Requester, Response> {
    let Some(token) = token else {
        return Err(refused(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized));
    };
    if let Some(entry) = state.hub.lookup_token(token) {
        if &entry.workshop != workshop {
            tracing::warn!(workshop.id = %workshop, "export requested with a token of another workshop");
            return Err(refused(StatusCode::FORBIDDEN, ErrorCode::Forbidden));
        }
        return match entry.role {
            Role::Facilitator | Role::Moderator | Role::Organizer => Ok(Requester::Staff),
            Role::Participant => Ok(Requester::Participant),
            Role::Projector => Err(refused(StatusCode::FORBIDDEN, ErrorCode::Forbidden)),
        };
    }
    if state.admin_token.verify(token).await {
        return Ok(Requester::Staff);
    }
    tracing::warn!(workshop.id = %workshop, "export requested with an unknown token");
    Err(refused(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized))
}

/// Copies the workshop's results out of its room.
async fn results(state: &AppState, workshop: &WorkshopId) -> Result<Results, Response> {
    let room = state.hub.room(workshop).ok_or_else(|| ApiError(ProtoError::new(ErrorCode::UnknownWorkshop)).into_response())?;
    let communes = state.hub.communes().clone();
    Ok(room.with_state(|s| Results::collect(&s.workshop, &communes)).await)
}

fn download(content_type: &'static str, file_name: String, body: Vec<u8>) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")).unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type)), (header::CONTENT_DISPOSITION, disposition), (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        body,
    )
        .into_response()
}

fn build_failed(workshop: &WorkshopId, file: &str, error: impl std::fmt::Display) -> Response {
    tracing::error!(workshop.id = %workshop, file, %error, "building an export failed");
    ApiError(ProtoError::new(ErrorCode::Internal)).into_response()
}

/// `GET /api/workshops/{id}/exports/{file}`.
pub async fn download_export(State(state): State<Arc<AppState>>, Path((id, file)): Path<(String, String)>, headers: HeaderMap) -> Response {
    let workshop = WorkshopId(id);
    let requester = match authorize(&state, bearer(&headers), &workshop).await {
        Ok(requester) => requester,
        Err(response) => return response,
    };
    let known = ["staff.xlsx", "public.xlsx", "public.csv", "tourinsoft.xlsx", "tourinsoft.csv", "datatourisme.jsonld", "secrets.geojson"];
    if !known.contains(&file.as_str()) {
        return refused(StatusCode::NOT_FOUND, ErrorCode::NotFound);
    }
    let results = match results(&state, &workshop).await {
        Ok(results) => results,
        Err(response) => return response,
    };
    if requester == Requester::Participant {
        if file != "public.xlsx" {
            return refused(StatusCode::FORBIDDEN, ErrorCode::Forbidden);
        }
        if !matches!(results.phase, Phase::Showcase | Phase::Feedback | Phase::Closed) {
            return refused(StatusCode::FORBIDDEN, ErrorCode::WrongPhase);
        }
    }
    let code = results.code.clone();
    let built = match file.as_str() {
        "staff.xlsx" => staff::workbook(&results).map(|b| (XLSX, format!("atelier-{code}-equipe.xlsx"), b)).map_err(|e| e.to_string()),
        "public.xlsx" => public::workbook(&results).map(|b| (XLSX, format!("atelier-{code}-secrets.xlsx"), b)).map_err(|e| e.to_string()),
        "public.csv" => public::csv(&results).map(|b| (CSV, format!("atelier-{code}-secrets.csv"), b)).map_err(|e| e.to_string()),
        "tourinsoft.xlsx" => tourinsoft::workbook(&results).map(|b| (XLSX, format!("atelier-{code}-tourinsoft.xlsx"), b)).map_err(|e| e.to_string()),
        "tourinsoft.csv" => tourinsoft::csv(&results).map(|b| (CSV, format!("atelier-{code}-tourinsoft.csv"), b)).map_err(|e| e.to_string()),
        "datatourisme.jsonld" => serde_json::to_vec_pretty(&linked_data::json_ld(&results))
            .map(|b| ("application/ld+json", format!("atelier-{code}-datatourisme.jsonld"), b))
            .map_err(|e| e.to_string()),
        _ => serde_json::to_vec_pretty(&linked_data::geojson(&results))
            .map(|b| ("application/geo+json", format!("atelier-{code}-secrets.geojson"), b))
            .map_err(|e| e.to_string()),
    };
    match built {
        Ok((content_type, file_name, body)) => {
            tracing::info!(workshop.id = %workshop, file = %file, requester = ?requester, bytes = body.len(), "export downloaded");
            download(content_type, file_name, body)
        }
        Err(error) => build_failed(&workshop, &file, error),
    }
}

#[derive(Deserialize)]
pub struct PrintQuery {
    #[serde(default)]
    token: Option<String>,
    /// Pages of paper forms per theme.
    #[serde(default)]
    pages: Option<u32>,
}

/// `GET /api/workshops/{id}/print/{page}`: `forms`, `table-cards` or `winners`, for staff.
pub async fn print_page(State(state): State<Arc<AppState>>, Path((id, page)): Path<(String, String)>, Query(query): Query<PrintQuery>, headers: HeaderMap) -> Response {
    let workshop = WorkshopId(id);
    let token = bearer(&headers).or(query.token.as_deref());
    match authorize(&state, token, &workshop).await {
        Ok(Requester::Staff) => {}
        Ok(Requester::Participant) => return refused(StatusCode::FORBIDDEN, ErrorCode::Forbidden),
        Err(response) => return response,
    }
    if !["forms", "table-cards", "winners"].contains(&page.as_str()) {
        return refused(StatusCode::NOT_FOUND, ErrorCode::NotFound);
    }
    let results = match results(&state, &workshop).await {
        Ok(results) => results,
        Err(response) => return response,
    };
    let html = match page.as_str() {
        "forms" => print::forms(&results, &state.join_base_url, query.pages.unwrap_or(1)),
        "table-cards" => print::table_cards(&results, &state.join_base_url),
        _ => print::winners(&results),
    };
    tracing::info!(workshop.id = %workshop, page = %page, "printable page served");
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], html).into_response()
}
