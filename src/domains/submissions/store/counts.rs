//! Counts of submissions: by town, kind and department for the statistics page, and per period for
//! the monthly bulletin (per child area, per department, overdue per grid).

use crate::args;
use crate::auth::Scope;
use crate::auth::scope::subtree_end;
use crate::auth::scope::within;
use crate::clock::Millis;
use crate::db::{Db, Filter};
use serde::Serialize;

/// One line of the counts: a town, a kind and a department (none when the town had none).
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct StatRow {
    pub town_id: i64,
    pub town_name: String,
    pub kind: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub sent: i64,
    pub signed: i64,
    pub signed_on_time: i64,
    pub returned: i64,
    pub waiting: i64,
    pub overdue: i64,
}

/// Counts of the submissions first sent in `[from, to)` under `area_path`, by their state now.
pub async fn stats(
    db: &Db,
    v: &Scope,
    area_path: Option<&str>,
    from: Option<Millis>,
    to: Option<Millis>,
    now: Millis,
) -> sqlx::Result<Vec<StatRow>> {
    let mut f = Filter::new();
    v.restrict_submissions(&mut f);
    if let Some(p) = area_path {
        within(&mut f, "s.grid_path", p);
    }
    if let Some(t) = from {
        f.and1("s.sent_at >= ?", t);
    }
    if let Some(t) = to {
        f.and1("s.sent_at < ?", t);
    }
    let (args, m) = f.args_with(args![now]);
    db.read()
        .fetch_all(
            &format!(
                "SELECT s.town_id, t.name AS town_name, s.kind, s.department_id, d.name AS department_name, COUNT(*) AS sent, \
                 SUM(CASE WHEN s.state = 'signed' THEN 1 ELSE 0 END) AS signed, \
                 SUM(CASE WHEN s.state = 'signed' AND s.signed_at <= s.deadline THEN 1 ELSE 0 END) AS signed_on_time, \
                 SUM(CASE WHEN s.state = 'returned' THEN 1 ELSE 0 END) AS returned, \
                 SUM(CASE WHEN s.state = 'waiting' THEN 1 ELSE 0 END) AS waiting, \
                 SUM(CASE WHEN s.state = 'waiting' AND s.deadline <= {} THEN 1 ELSE 0 END) AS overdue \
                 FROM submissions s JOIN areas t ON t.id = s.town_id LEFT JOIN departments d ON d.id = s.department_id{} \
                 GROUP BY s.town_id, t.name, t.path, s.kind, s.department_id, d.name ORDER BY t.path, s.kind, s.department_id",
                m[0],
                f.where_sql()
            ),
            args,
        )
        .await
}

/// Counts of the submissions sent in a period, as they stood at its end: sent, signed and returned
/// before the end, and the rest still waiting then.
#[derive(Debug, Clone, Default, sqlx::FromRow, Serialize)]
pub struct PeriodCounts {
    pub sent: i64,
    pub signed: i64,
    pub returned: i64,
}

/// Per child area of `path` and kind.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChildKindCounts {
    pub child: String,
    pub kind: String,
    #[sqlx(flatten)]
    pub counts: PeriodCounts,
}

/// Per department (signing side) and kind.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DepartmentKindCounts {
    pub department_id: i64,
    pub department_name: String,
    pub department_kind: String,
    pub kind: String,
    #[sqlx(flatten)]
    pub counts: PeriodCounts,
}

fn period_counts_sql(to: Millis) -> String {
    format!(
        "COUNT(*) AS sent, \
         CAST(COALESCE(SUM(CASE WHEN s.state = 'signed' AND s.signed_at < {to} THEN 1 ELSE 0 END), 0) AS BIGINT) AS signed, \
         CAST(COALESCE(SUM(CASE WHEN s.state = 'returned' AND s.returned_at < {to} THEN 1 ELSE 0 END), 0) AS BIGINT) AS returned"
    )
}

/// The submissions first sent in `[from, to)` under `path`, summed per child area × kind and per
/// department × kind (for the monthly bulletin).
pub async fn period_counts(
    db: &Db,
    path: &str,
    from: Millis,
    to: Millis,
) -> sqlx::Result<(Vec<ChildKindCounts>, Vec<DepartmentKindCounts>)> {
    let child = crate::db::child_segment_sql(db.backend(), "s.grid_path", path);
    let counts = period_counts_sql(to);
    let end = subtree_end(path);
    let by_child = db
        .read()
        .fetch_all(
            &format!(
                "SELECT {child} AS child, s.kind, {counts} FROM submissions s \
                 WHERE s.sent_at >= $1 AND s.sent_at < $2 AND s.grid_path >= $3 AND s.grid_path < $4 GROUP BY {child}, s.kind"
            ),
            args![from, to, path, end.as_str()],
        )
        .await?;
    let by_department = db
        .read()
        .fetch_all(
            &format!(
                "SELECT s.department_id, d.name AS department_name, d.kind AS department_kind, s.kind, {counts} \
                 FROM submissions s JOIN departments d ON d.id = s.department_id \
                 WHERE s.sent_at >= $1 AND s.sent_at < $2 AND s.grid_path >= $3 AND s.grid_path < $4 \
                 GROUP BY s.department_id, d.name, d.kind, s.kind"
            ),
            args![from, to, path, end.as_str()],
        )
        .await?;
    Ok((by_child, by_department))
}

/// Submissions sent in `[from, to)` under `path` that were still unsigned (neither signed nor
/// returned) at `to` although their sign-off deadline had passed, per grid path.
pub async fn overdue_unsigned_by_grid(
    db: &Db,
    path: &str,
    from: Millis,
    to: Millis,
) -> sqlx::Result<Vec<(String, i64)>> {
    let end = subtree_end(path);
    db.read()
        .fetch_all(
            "SELECT s.grid_path, COUNT(*) FROM submissions s \
             WHERE s.sent_at >= $1 AND s.sent_at < $2 AND s.grid_path >= $3 AND s.grid_path < $4 AND s.deadline < $2 \
             AND NOT (s.state = 'signed' AND s.signed_at < $2) AND NOT (s.state = 'returned' AND s.returned_at < $2) \
             GROUP BY s.grid_path",
            args![from, to, path, end.as_str()],
        )
        .await
}
