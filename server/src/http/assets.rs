//! The browser app: files under `server/assets/`, embedded in release builds and read from
//! disk in debug builds, so editing a page needs only a reload.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

fn respond(path: &str) -> Option<Response> {
    let file = Assets::get(path)?;
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let cache = if path == "index.html" { "no-cache" } else { "no-cache, must-revalidate" };
    Some(([(header::CONTENT_TYPE, mime.as_ref().to_owned()), (header::CACHE_CONTROL, cache.to_owned())], file.data.into_owned()).into_response())
}

pub async fn serve_asset(Path(path): Path<String>) -> Response {
    respond(&path).unwrap_or_else(|| (StatusCode::NOT_FOUND, "not found").into_response())
}

/// Every page route of the app loads `index.html`; its script reads the address.
pub async fn serve_index() -> Response {
    respond("index.html").unwrap_or_else(|| (StatusCode::NOT_FOUND, "the browser app is missing from this build").into_response())
}
