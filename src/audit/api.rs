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
    ]
}

async fn api_search(State(s): State<AppState>, _a: Actor, ApiQuery(q): ApiQuery<AuditQuery>) -> AppResult<Json<Value>> {
    Ok(Json(json!(search(&s.db, &q).await?)))
}
