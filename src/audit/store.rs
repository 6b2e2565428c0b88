//! SQL for the audit trail: append under a lock, read pages, search.

use super::AuditCtx;
use super::chain::{Fields, GENESIS, row_hash};
use crate::args;
use crate::db::{Db, Filter, Tx, like_contains};
use crate::error::{AppError, AppResult};
use crate::web::paging::{Page, Paging};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub account_id: Option<i64>,
    pub username: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub detail: String,
    pub ip: String,
    pub request_id: String,
    pub prev_hash: String,
    pub hash: String,
}

const COLUMNS: &str =
    "id, at, account_id, username, action, object_type, object_id, detail, ip, request_id, prev_hash, hash";

/// One row to append: action, object type, object id, detail.
pub(super) type Entry<'a> = (&'a str, &'a str, String, &'a serde_json::Value);

pub(super) async fn append(
    tx: &mut Tx,
    ctx: &AuditCtx,
    action: &str,
    object_type: &str,
    object_id: &str,
    detail: &serde_json::Value,
) -> AppResult<()> {
    append_many(tx, ctx, &[(action, object_type, object_id.to_owned(), detail)]).await
}

/// The lock key of the audit chain's writers.
const AUDIT_CHAIN_LOCK: i64 = 726100101;

/// Appends rows in order, reading the end of the chain once and writing them in one statement.
pub(super) async fn append_many(tx: &mut Tx, ctx: &AuditCtx, entries: &[Entry<'_>]) -> AppResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    // Writers take turns on the chain.
    tx.take_turns(AUDIT_CHAIN_LOCK).await?;
    let last: Option<(i64, String)> =
        tx.fetch_optional("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", args![]).await?;
    let (mut id, mut prev_hash) = last.unwrap_or((0, GENESIS.to_owned()));
    let key = super::key::installed().ok_or_else(|| AppError::Internal(anyhow::anyhow!("审计密钥未加载")))?;
    let mut rows = Vec::with_capacity(entries.len());
    for (action, object_type, object_id, detail) in entries {
        id += 1;
        let detail = detail.to_string();
        let hash = row_hash(
            Some(key),
            &Fields {
                prev_hash: &prev_hash,
                id,
                at: ctx.now,
                account_id: ctx.account_id,
                username: &ctx.username,
                action,
                object_type,
                object_id,
                detail: &detail,
                ip: &ctx.ip,
                request_id: &ctx.request_id,
            },
        );
        rows.push(args![
            id,
            ctx.now,
            ctx.account_id,
            ctx.username.as_str(),
            *action,
            *object_type,
            object_id.as_str(),
            detail,
            ctx.ip.as_str(),
            ctx.request_id.as_str(),
            prev_hash,
            hash.as_str()
        ]);
        prev_hash = hash;
    }
    let columns: Vec<&str> = COLUMNS.split(", ").collect();
    crate::db::bulk::insert_rows(tx, "audit_log", &columns, rows).await?;
    Ok(())
}

pub(super) async fn fetch_range(db: &Db, after_id: i64, limit: i64) -> sqlx::Result<Vec<AuditRow>> {
    db.read()
        .fetch_all(
            &format!("SELECT {COLUMNS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2"),
            args![after_id, limit],
        )
        .await
}

/// The last row's id (the row count of an intact chain) and hash (0 and the genesis hash when empty).
pub(super) async fn head(db: &Db) -> sqlx::Result<(i64, String)> {
    let last: Option<(i64, String)> =
        db.read().fetch_optional("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", args![]).await?;
    Ok(last.unwrap_or((0, GENESIS.to_owned())))
}

/// Filters of the audit search page and API.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    pub username: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// Unix milliseconds, inclusive.
    pub from: Option<i64>,
    /// Unix milliseconds, exclusive.
    pub to: Option<i64>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Searches the trail, newest first.
pub async fn search(db: &Db, q: &AuditQuery) -> AppResult<Page<AuditRow>> {
    let paging = Paging::new(q.page, q.per_page);
    let mut f = Filter::new();
    if let Some(u) = q.username.as_deref().filter(|s| !s.is_empty()) {
        f.and1("username = ?", u);
    }
    if let Some(x) = q.action.as_deref().filter(|s| !s.is_empty()) {
        f.and1("LOWER(action) LIKE LOWER(?) ESCAPE '\\'", like_contains(x));
    }
    if let Some(x) = q.object_type.as_deref().filter(|s| !s.is_empty()) {
        f.and1("object_type = ?", x);
    }
    if let Some(x) = q.object_id.as_deref().filter(|s| !s.is_empty()) {
        f.and1("object_id = ?", x);
    }
    if let Some(x) = q.from {
        f.and1("at >= ?", x);
    }
    if let Some(x) = q.to {
        f.and1("at < ?", x);
    }
    let w = f.where_sql();
    let (total,): (i64,) = db.read().fetch_one(&format!("SELECT COUNT(*) FROM audit_log{w}"), f.args()).await?;
    let (page_args, m) = f.args_with(args![paging.limit(), paging.offset()]);
    let items = db
        .read()
        .fetch_all(
            &format!("SELECT {COLUMNS} FROM audit_log{w} ORDER BY id DESC LIMIT {} OFFSET {}", m[0], m[1]),
            page_args,
        )
        .await?;
    Ok(paging.page(items, total))
}

/// The change rows (not reads) of one object, oldest first: its history page.
pub async fn changes_of(db: &Db, object_type: &str, object_id: &str) -> AppResult<Vec<AuditRow>> {
    Ok(db
        .read()
        .fetch_all(
            &format!(
                "SELECT {COLUMNS} FROM audit_log WHERE object_type = $1 AND object_id = $2 AND action NOT LIKE '%_read' \
                 AND action <> 'person_unmask' ORDER BY id"
            ),
            args![object_type, object_id],
        )
        .await?)
}
