//! Counts for figures, bulletins and assessments: per area path and department over a period.

use super::super::figures::{Counts, Period, counts_sql, counts_sql_of};
use crate::args;
use crate::auth::scope::within;
use crate::clock::Millis;
use crate::db::Filter;
use crate::db::{Db, Value};

/// The counts of one child area (its path below the area's, `1107/`; empty for events of the area
/// itself) and category.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AreaCounts {
    pub child: String,
    pub category: String,
    #[sqlx(flatten)]
    pub counts: Counts,
}

/// The counts of the events one department held.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DepartmentCounts {
    pub department_id: i64,
    #[sqlx(flatten)]
    pub counts: Counts,
}

/// The condition on events `e` under a path (`$1` ≤ area_path < `$2`) that arrived, were accepted,
/// closed or due in the period: four ranges, each on an index that leads with the time and carries
/// the area. Written as an OR, each event is read once: SQLite walks the four indexes and skips
/// repeated rows (MULTI-INDEX OR); PostgreSQL ORs four bitmaps and reads the table in order.
fn in_period(p: Period) -> String {
    in_period_of(p, &["reported_at", "accepted_at", "closed_at", "close_due_at"])
}

/// The same condition on some of the four times only.
fn in_period_of(p: Period, times: &[&str]) -> String {
    times
        .iter()
        .map(|col| format!("(e.{col} >= {} AND e.{col} < {} AND e.area_path >= $1 AND e.area_path < $2)", p.from, p.to))
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// The figures' counts for the events under `path` in a period, summed by the database per child
/// area and category, and per department that held them.
pub async fn figure_counts(db: &Db, path: &str, p: Period) -> sqlx::Result<(Vec<AreaCounts>, Vec<DepartmentCounts>)> {
    let end = crate::auth::scope::subtree_end(path);
    let when = in_period(p);
    let counts = counts_sql(p);
    let child = crate::db::child_segment_sql(db.backend(), "e.area_path", path);
    let areas = db
        .read()
        .fetch_all(
            &format!(
                "SELECT {child} AS child, e.category, {counts} FROM events e WHERE {when} GROUP BY {child}, e.category"
            ),
            args![path, end.as_str()],
        )
        .await?;
    let departments = db
        .read()
        .fetch_all(
            &format!(
                "SELECT ed.department_id, {counts} FROM event_departments ed JOIN events e ON e.id = ed.event_id \
                 WHERE {when} GROUP BY ed.department_id"
            ),
            args![path, end.as_str()],
        )
        .await?;
    Ok((areas, departments))
}

/// Timed steps that ended in the period: (step, count, total working minutes, count over the limit).
pub async fn step_totals(db: &Db, path: &str, from: Millis, to: Millis) -> sqlx::Result<Vec<(String, i64, i64, i64)>> {
    let mut f = Filter::new();
    within(&mut f, "e.area_path", path);
    f.and("s.at >= ? AND s.at < ? AND s.step IS NOT NULL", vec![from.into(), to.into()]);
    db.read()
        .fetch_all(
            &format!(
                "SELECT s.step, COUNT(*), CAST(COALESCE(SUM(s.step_minutes), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN s.step_minutes > s.limit_minutes THEN 1 ELSE 0 END), 0) AS BIGINT) \
                 FROM event_steps s JOIN events e ON e.id = s.event_id{} GROUP BY s.step",
                f.where_sql()
            ),
            f.args(),
        )
        .await
}

/// Every active grid with its path and parent, and one grid worker account of each (benchmarks and demo).
pub async fn grids_with_workers(db: &Db) -> sqlx::Result<Vec<(i64, String, i64, i64, String)>> {
    db.read()
        .fetch_all(
            "SELECT g.id, g.path, g.parent_id, MIN(a.id), MIN(a.username) FROM areas g JOIN accounts a ON a.area_id = g.id \
             AND a.role = 'grid_worker' WHERE g.kind = 'grid' AND g.status = 'active' GROUP BY g.id, g.path, g.parent_id ORDER BY g.id",
            args![],
        )
        .await
}

/// Active departments whose area holds the area at `area_path` (the area itself or one above it):
/// those that serve an event there. `(id, name, area name)`, nearest area first.
pub async fn departments_serving(db: &Db, area_path: &str) -> sqlx::Result<Vec<(i64, String, String)>> {
    let ancestors: Vec<String> =
        area_path.match_indices('/').skip(1).map(|(i, _)| area_path[..=i].to_owned()).collect();
    if ancestors.is_empty() {
        return Ok(vec![]);
    }
    let mut f = Filter::new();
    let marks = vec!["?"; ancestors.len()].join(", ");
    f.and(&format!("ar.path IN ({marks})"), ancestors.iter().map(|p| Value::from(p.as_str())).collect());
    f.and1("d.status = ?", "active");
    db.read()
        .fetch_all(
            &format!(
                "SELECT d.id, d.name, ar.name FROM departments d JOIN areas ar ON ar.id = d.area_id{} \
                 ORDER BY ar.depth DESC, d.kind, d.id",
                f.where_sql()
            ),
            f.args(),
        )
        .await
}

/// Events under `path` that arrived and that closed in a period, per child area (the two counts
/// of the completion rate, read on the two time ranges they need and nothing else).
pub async fn completion_counts(db: &Db, path: &str, p: Period) -> sqlx::Result<Vec<(String, i64, i64)>> {
    let end = crate::auth::scope::subtree_end(path);
    let child = crate::db::child_segment_sql(db.backend(), "e.area_path", path);
    db.read()
        .fetch_all(
            &format!(
                "SELECT {child} AS child, {} FROM events e WHERE {} GROUP BY {child}",
                counts_sql_of(p, &["arrived", "closed"]),
                in_period_of(p, &["reported_at", "closed_at"])
            ),
            args![path, end.as_str()],
        )
        .await
}

/// The counts the assessment needs (arrived, closed, due, due and closed on time) for the events
/// under `path` in a period, per grid (by the event's area path). Two statements, each on the time
/// ranges its counts need (an OR over three ranges makes SQLite's planner slow down tenfold).
pub async fn assessment_counts(db: &Db, path: &str, p: Period) -> sqlx::Result<Vec<PathCounts>> {
    let end = crate::auth::scope::subtree_end(path);
    let run = |names: &'static [&'static str], times: &'static [&'static str]| {
        let sql = format!(
            "SELECT e.area_path, {} FROM events e WHERE {} GROUP BY e.area_path",
            counts_sql_of(p, names),
            in_period_of(p, times)
        );
        let args = args![path, end.as_str()];
        async move { db.read().fetch_all::<(String, i64, i64)>(&sql, args).await }
    };
    let (done, due) = tokio::try_join!(
        run(&["arrived", "closed"], &["reported_at", "closed_at"]),
        run(&["due", "due_closed_on_time"], &["close_due_at"])
    )?;
    let mut by: std::collections::BTreeMap<String, PathCounts> = std::collections::BTreeMap::new();
    let blank = |area_path: &str| PathCounts {
        area_path: area_path.to_owned(),
        arrived: 0,
        closed: 0,
        due: 0,
        due_closed_on_time: 0,
    };
    for (path, arrived, closed) in done {
        let e = by.entry(path.clone()).or_insert_with(|| blank(&path));
        (e.arrived, e.closed) = (arrived, closed);
    }
    for (path, due, on_time) in due {
        let e = by.entry(path.clone()).or_insert_with(|| blank(&path));
        (e.due, e.due_closed_on_time) = (due, on_time);
    }
    Ok(by.into_values().collect())
}

/// Per grid: arrived, closed, due, due and closed on time.
#[derive(Debug, Clone)]
pub struct PathCounts {
    pub area_path: String,
    pub arrived: i64,
    pub closed: i64,
    pub due: i64,
    pub due_closed_on_time: i64,
}
