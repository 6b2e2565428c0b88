//! JSON API of the audit trail (audit administrators only).

use super::{AuditQuery, search};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::ApiQuery;
use crate::web::routes::{Access, Entry, get};
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

pub fn routes() -> Vec<Entry> {
    vec![
        get("/api/v1/audit", Access::Perm(Permission::ReadAudit), "检索审计记录", api_search)
            .query("username?, action?, object_type?, object_id?, from?, to?, page?, per_page?"),
        get(
            "/api/v1/audit/watch",
            Access::Perm(Permission::ReadAudit),
            "关注名单：账号建立、重置及其后首次登录",
            api_watch,
        ),
    ]
}

async fn api_search(State(s): State<AppState>, _a: Actor, ApiQuery(q): ApiQuery<AuditQuery>) -> AppResult<Json<Value>> {
    Ok(Json(json!(search(&s.db, &q).await?)))
}

async fn api_watch(State(s): State<AppState>, a: Actor) -> AppResult<Json<Value>> {
    Ok(Json(json!({ "items": crate::domains::org::duties::watch_list(&s.db, &a).await? })))
}
