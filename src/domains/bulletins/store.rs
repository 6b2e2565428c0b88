//! SQL of bulletins: the draft or published bulletin of an area and month, its revisions, the archive.

use crate::args;
use crate::auth::scope::within;
use crate::clock::Millis;
use crate::db::{Db, Filter, Tx};
use crate::web::paging::{Page, Paging};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct BulletinRow {
    pub id: i64,
    pub area_id: i64,
    pub area_name: String,
    pub month: String,
    pub state: String,
    pub title: String,
    pub text: String,
    #[serde(skip)]
    pub figures: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub updated_by_name: String,
    pub published_at: Option<i64>,
    pub published_by_name: Option<String>,
    pub version: i64,
}

const COLUMNS: &str = "b.id, b.area_id, ar.name AS area_name, b.month, b.state, b.title, b.text, b.figures, b.created_at, \
     b.updated_at, u.display_name AS updated_by_name, b.published_at, p.display_name AS published_by_name, b.version";
const FROM: &str = "FROM bulletins b JOIN areas ar ON ar.id = b.area_id JOIN accounts u ON u.id = b.updated_by \
     LEFT JOIN accounts p ON p.id = b.published_by";

pub async fn get(db: &Db, area_id: i64, month: &str) -> sqlx::Result<Option<BulletinRow>> {
    db.read()
        .fetch_optional(
            &format!("SELECT {COLUMNS} {FROM} WHERE b.area_id = $1 AND b.month = $2"),
            args![area_id, month],
        )
        .await
}

pub async fn get_tx(tx: &mut Tx, area_id: i64, month: &str) -> sqlx::Result<Option<BulletinRow>> {
    tx.fetch_optional(&format!("SELECT {COLUMNS} {FROM} WHERE b.area_id = $1 AND b.month = $2"), args![area_id, month])
        .await
}

pub async fn insert_draft(
    tx: &mut Tx,
    area_id: i64,
    month: &str,
    title: &str,
    text: &str,
    by: i64,
    now: Millis,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO bulletins (area_id, month, state, title, text, created_by, created_at, updated_by, updated_at) \
             VALUES ($1, $2, 'draft', $3, $4, $5, $6, $5, $6) RETURNING id",
            args![area_id, month, title, text, by, now],
        )
        .await?;
    Ok(id)
}

/// Changes a draft's text if it is still at `version`; false when someone saved or published meanwhile.
pub async fn update_draft(
    tx: &mut Tx,
    id: i64,
    version: i64,
    title: &str,
    text: &str,
    by: i64,
    now: Millis,
) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE bulletins SET title = $1, text = $2, updated_by = $3, updated_at = $4, version = version + 1 \
             WHERE id = $5 AND version = $6 AND state = 'draft'",
            args![title, text, by, now, id, version],
        )
        .await?;
    Ok(n == 1)
}

/// Publishes a draft at `version` with the figures it was published with.
pub async fn publish(tx: &mut Tx, id: i64, version: i64, figures: &str, by: i64, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE bulletins SET state = 'published', figures = $1, published_by = $2, published_at = $3, updated_by = $2, \
             updated_at = $3, version = version + 1 WHERE id = $4 AND version = $5 AND state = 'draft'",
            args![figures, by, now, id, version],
        )
        .await?;
    Ok(n == 1)
}

/// Keeps the text as saved (every save and the publication).
pub async fn insert_revision(tx: &mut Tx, id: i64, by: i64, now: Millis) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO bulletin_revisions (bulletin_id, version, state, title, text, saved_by, saved_at) \
         SELECT id, version, state, title, text, $2, $3 FROM bulletins WHERE id = $1",
        args![id, by, now],
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct RevisionRow {
    pub version: i64,
    pub state: String,
    pub title: String,
    pub text: String,
    pub saved_by_name: String,
    pub saved_at: i64,
}

pub async fn revisions(db: &Db, id: i64) -> sqlx::Result<Vec<RevisionRow>> {
    db.read()
        .fetch_all(
            "SELECT r.version, r.state, r.title, r.text, a.display_name AS saved_by_name, r.saved_at \
             FROM bulletin_revisions r JOIN accounts a ON a.id = r.saved_by WHERE r.bulletin_id = $1 ORDER BY r.version DESC",
            args![id],
        )
        .await
}

/// Bulletins of areas inside a subtree, newest month first.
pub async fn list(db: &Db, scope_path: &str, state: Option<&str>, paging: Paging) -> sqlx::Result<Page<BulletinRow>> {
    let mut f = Filter::new();
    within(&mut f, "ar.path", scope_path);
    if let Some(s) = state {
        f.and1("b.state = ?", s);
    }
    let w = f.where_sql();
    let (total,): (i64,) = db.read().fetch_one(&format!("SELECT COUNT(*) {FROM}{w}"), f.args()).await?;
    let (a, m) = f.args_with(args![paging.limit(), paging.offset()]);
    let items = db
        .read()
        .fetch_all(
            &format!("SELECT {COLUMNS} {FROM}{w} ORDER BY b.month DESC, ar.path LIMIT {} OFFSET {}", m[0], m[1]),
            a,
        )
        .await?;
    Ok(paging.page(items, total))
}
