//! The public board of a grid (公示牌): what a resident may see — the grid, its outline, who serves it
//! (photo, name, phone, duties) and the community office's hours and phone — and nothing else; plus
//! the in-memory cache of rendered boards, posters and QR codes with their ETags (a board changes
//! rarely and is read by everyone who scans a card: entries live a minute).

use super::board_store::{self, BoardStaff, Office};
use crate::clock::{MINUTE, Millis};
use crate::domains::org::{map, model as org_model, tree};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Everything the board shows.
#[derive(Serialize)]
pub struct Board {
    pub grid_id: i64,
    pub grid_code: String,
    pub grid_name: String,
    pub community_id: Option<i64>,
    pub community_name: String,
    pub town_name: String,
    #[serde(skip)]
    pub outline: Option<map::Outline>,
    pub staff: Vec<BoardStaff>,
    pub office: Option<Office>,
}

/// The board of an active grid by its code; anything else is "not found".
pub async fn load(state: &AppState, code: &str) -> AppResult<Board> {
    let grid = tree::get_by_code(&state.db, code.trim())
        .await?
        .filter(|a| a.kind == "grid" && a.status == "active")
        .ok_or_else(|| AppError::NotFound("没有这个网格，请核对卡片上的二维码或网址".into()))?;
    let ids = org_model::path_ids(&grid.path);
    let names = tree::names(&state.db, &ids).await?;
    let name_of = |id: Option<i64>| id.and_then(|i| names.iter().find(|(n, _)| *n == i).map(|(_, s)| s.clone()));
    // The path is /county/town/community/grid/.
    let community_id = grid.parent_id;
    let town_id = ids.len().checked_sub(3).and_then(|i| ids.get(i).copied());
    let office = match community_id {
        Some(c) => board_store::office(&state.db, c).await?,
        None => None,
    };
    let outline = grid
        .boundary
        .as_deref()
        .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
        .as_ref()
        .and_then(map::outline);
    Ok(Board {
        grid_id: grid.id,
        grid_code: grid.code,
        grid_name: grid.name,
        community_id,
        community_name: name_of(community_id).unwrap_or_default(),
        town_name: name_of(town_id).unwrap_or_default(),
        outline,
        staff: board_store::staff_of_grid(&state.db, grid.id).await?,
        office,
    })
}

/// The path of the public board of a grid.
pub fn board_path(code: &str) -> String {
    format!("/public/grids/{code}")
}

/// A rendered answer kept in the cache.
pub struct Rendered {
    pub body: Bytes,
    pub etag: String,
    pub content_type: &'static str,
}

impl Rendered {
    pub fn new(body: impl Into<Bytes>, content_type: &'static str) -> Rendered {
        let body = body.into();
        let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..32]);
        Rendered { body, etag, content_type }
    }

    /// 200 with the body, or 304 when the client holds this version; cacheable for a minute.
    pub fn answer(&self, request: &HeaderMap) -> Response {
        let fresh = request
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == self.etag || t.trim() == "*"));
        let mut resp = if fresh { StatusCode::NOT_MODIFIED.into_response() } else { self.body.clone().into_response() };
        let h = resp.headers_mut();
        if !fresh {
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        }
        if let Ok(v) = HeaderValue::from_str(&self.etag) {
            h.insert(header::ETAG, v);
        }
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
        resp
    }
}

/// What browsers and proxies may do with a public board: keep it a minute, then ask again (ETag).
pub const CACHE_CONTROL: &str = "public, max-age=60";
/// How long a rendered board stays in the server's cache.
pub const TTL: Millis = MINUTE;
/// Entries kept at most (a county has a few thousand grids; beyond this the cache starts over).
const MAX_ENTRIES: usize = 50_000;

/// Rendered public answers by key (`board:CODE`, `qr:BASE:CODE` …), each with the time it was made.
#[derive(Default)]
pub struct Cache(Mutex<HashMap<String, (Millis, Arc<Rendered>)>>);

impl Cache {
    fn get(&self, key: &str, now: Millis) -> Option<Arc<Rendered>> {
        let map = self.0.lock().ok()?;
        map.get(key).filter(|(at, _)| now - *at < TTL && now >= *at).map(|(_, r)| r.clone())
    }

    fn put(&self, key: String, now: Millis, r: Arc<Rendered>) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            map.insert(key, (now, r));
        }
    }

    /// Forgets everything (after an edit the public sees, such as office hours).
    pub fn clear(&self) {
        if let Ok(mut map) = self.0.lock() {
            map.clear();
        }
    }
}

/// The cached answer for `key`, made by `make` when missing or older than the TTL.
pub async fn cached<F, Fut>(state: &AppState, key: String, make: F) -> AppResult<Arc<Rendered>>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = AppResult<Rendered>>,
{
    let now = state.clock.now();
    if let Some(r) = state.cache::<Cache>().get(&key, now) {
        return Ok(r);
    }
    let r = Arc::new(make().await?);
    state.cache::<Cache>().put(key, now, r.clone());
    Ok(r)
}
