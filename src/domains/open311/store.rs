//! SQL of the public Open311 requests: resident reports that came in through Open311 (or that an
//! Open311 post was found to duplicate), and only the columns a public answer may carry — never the
//! reporter, the call-back phone, timeline notes or staff.

use crate::args;
use crate::clock::Millis;
use crate::db::{Db, Filter, Tx, Value};

/// One public request as stored: the event's public columns and what the public side keeps beside it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestRow {
    pub service_request_id: String,
    pub event_id: i64,
    pub state: String,
    pub category: String,
    pub category_name: String,
    pub accept_limit: String,
    pub handle_limit: String,
    pub verify_limit: String,
    pub details: String,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub reported_at: i64,
    pub updated_at: i64,
    pub close_due_at: Option<i64>,
    pub holder_name: Option<String>,
    pub media_url: Option<String>,
    /// The latest public reply of the handling unit: (unit, words).
    pub reply_unit: Option<String>,
    pub reply_body: Option<String>,
}

const COLUMNS: &str = "p.tracking_code AS service_request_id, e.id AS event_id, e.state, e.category, \
     c.name AS category_name, c.accept_limit, c.handle_limit, c.verify_limit, e.details, e.address, e.lat, e.lon, \
     e.reported_at, e.updated_at, e.close_due_at, COALESCE(ha.name, hd.name) AS holder_name, \
     (SELECT o.media_url FROM open311_posts o WHERE o.event_id = e.id AND o.media_url <> '' \
      ORDER BY o.created_at LIMIT 1) AS media_url, \
     (SELECT r.unit_name FROM public_replies r WHERE r.event_id = e.id ORDER BY r.id DESC LIMIT 1) AS reply_unit, \
     (SELECT r.body FROM public_replies r WHERE r.event_id = e.id ORDER BY r.id DESC LIMIT 1) AS reply_body";

const FROM: &str = "FROM public_reports p JOIN events e ON e.id = p.event_id \
     JOIN event_categories c ON c.code = e.category \
     LEFT JOIN areas ha ON ha.id = e.holder_area_id LEFT JOIN departments hd ON hd.id = e.holder_department_id";

/// Only what came in through Open311: posted there, or what a post there duplicated.
const VIA_OPEN311: &str =
    "(p.source = 'open311' OR EXISTS (SELECT 1 FROM open311_posts o WHERE o.event_id = p.event_id))";

/// What a list asks for (already checked).
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    pub ids: Vec<String>,
    pub codes: Vec<String>,
    pub from: Millis,
    pub to: Millis,
    pub states: Vec<&'static str>,
    pub limit: i64,
    pub offset: i64,
}

fn in_list(f: &mut Filter, column: &str, values: &[&str]) {
    let marks = vec!["?"; values.len()].join(", ");
    f.and(&format!("{column} IN ({marks})"), values.iter().map(|v| Value::from(*v)).collect());
}

/// Requests newest first. Named ids override every other filter (the spec's rule).
pub async fn list(db: &Db, q: &RequestFilter) -> sqlx::Result<Vec<RequestRow>> {
    let mut f = Filter::new();
    f.and(VIA_OPEN311, vec![]);
    if !q.ids.is_empty() {
        in_list(&mut f, "p.tracking_code", &q.ids.iter().map(String::as_str).collect::<Vec<_>>());
    } else {
        f.and("e.reported_at >= ? AND e.reported_at <= ?", args![q.from, q.to]);
        if !q.codes.is_empty() {
            in_list(&mut f, "e.category", &q.codes.iter().map(String::as_str).collect::<Vec<_>>());
        }
        if !q.states.is_empty() {
            in_list(&mut f, "e.state", &q.states);
        }
    }
    let (args, m) = f.args_with(args![q.limit, q.offset]);
    db.read()
        .fetch_all(
            &format!(
                "SELECT {COLUMNS} {FROM}{} ORDER BY e.reported_at DESC, e.id DESC LIMIT {} OFFSET {}",
                f.where_sql(),
                m[0],
                m[1]
            ),
            args,
        )
        .await
}

pub async fn get(db: &Db, service_request_id: &str) -> sqlx::Result<Option<RequestRow>> {
    db.read()
        .fetch_optional(
            &format!("SELECT {COLUMNS} {FROM} WHERE p.tracking_code = $1 AND {VIA_OPEN311}"),
            args![service_request_id],
        )
        .await
}

/// The request id a token stands for.
pub async fn by_token(db: &Db, token: &str) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = db
        .read()
        .fetch_optional(
            "SELECT p.tracking_code FROM open311_posts o JOIN public_reports p ON p.event_id = o.event_id \
             WHERE o.token = $1",
            args![token],
        )
        .await?;
    Ok(row.map(|r| r.0))
}

pub struct NewPost<'a> {
    pub token: &'a str,
    pub event_id: i64,
    pub key_id: i64,
    pub media_url: &'a str,
    pub duplicate: bool,
}

pub async fn insert_post(tx: &mut Tx, p: &NewPost<'_>, now: Millis) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO open311_posts (token, event_id, key_id, media_url, duplicate, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        args![p.token, p.event_id, p.key_id, p.media_url, p.duplicate, now],
    )
    .await
    .map(drop)
}

/// The code of the root county: the one jurisdiction this server answers for.
pub async fn jurisdiction(db: &Db) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = db
        .read()
        .fetch_optional(
            "SELECT code FROM areas WHERE kind = 'county' AND parent_id IS NULL ORDER BY id LIMIT 1",
            args![],
        )
        .await?;
    Ok(row.map(|r| r.0))
}

/// An active grid by its code: (id).
pub async fn grid_by_code(db: &Db, code: &str) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = db
        .read()
        .fetch_optional("SELECT id FROM areas WHERE code = $1 AND kind = 'grid' AND status = 'active'", args![code])
        .await?;
    Ok(row.map(|r| r.0))
}
