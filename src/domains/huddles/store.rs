//! SQL of daily huddles: the huddle of a day, problems (items) with their carry-over window, the
//! decisions per day, and the candidates pulled from open events and patrol findings.

use crate::args;
use crate::auth::scope::subtree_end;
use crate::auth::scope::within;
use crate::clock::Millis;
use crate::db::{Db, Filter, Tx};
use serde::Serialize;

/// Event states that count as still open (the grid could not solve it yet).
pub const OPEN_EVENT_STATES: &str = "'reported', 'accepted', 'dispatched', 'in_progress'";

/// A problem on the huddle's record.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ItemRow {
    pub id: i64,
    pub community_id: i64,
    pub source: String,
    pub event_id: Option<i64>,
    pub event_state: Option<String>,
    pub finding_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub grid_name: Option<String>,
    pub title: String,
    pub first_day: String,
    pub state: String,
    pub solved_day: Option<String>,
    pub version: i64,
}

const ITEM_SELECT: &str = "SELECT h.id, h.community_id, h.source, h.event_id, e.state AS event_state, h.finding_id, \
     h.grid_id, g.name AS grid_name, h.title, h.first_day, h.state, h.solved_day, h.version FROM huddle_items h \
     LEFT JOIN events e ON e.id = h.event_id LEFT JOIN areas g ON g.id = h.grid_id";

/// The items on a day's huddle: raised on or before the day and not solved before it.
pub async fn items_for_day(db: &Db, community_id: i64, day: &str) -> sqlx::Result<Vec<ItemRow>> {
    db.read()
        .fetch_all(
            &format!(
                "{ITEM_SELECT} WHERE h.community_id = $1 AND h.first_day <= $2 AND (h.solved_day IS NULL OR h.solved_day >= $2) \
                 ORDER BY h.first_day, h.id"
            ),
            args![community_id, day],
        )
        .await
}

/// One item inside a scope (by its community's path).
pub async fn item_tx(tx: &mut Tx, scope_path: &str, id: i64) -> sqlx::Result<Option<ItemRow>> {
    let mut f = Filter::new();
    f.and1("h.id = ?", id);
    within(&mut f, "h.community_path", scope_path);
    tx.fetch_optional(&format!("{ITEM_SELECT}{}", f.where_sql()), f.args()).await
}

/// A decision of one day on one item.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct EntryRow {
    pub id: i64,
    pub item_id: i64,
    pub day: String,
    pub decision: String,
    pub follow_up_staff_id: Option<i64>,
    pub follow_up_account_id: Option<i64>,
    pub follow_up_name: String,
    pub solved: bool,
    pub created_by_name: String,
    pub created_at: i64,
}

/// The decisions on the given items up to a day, oldest first.
pub async fn entries_until(db: &Db, item_ids: &[i64], day: &str) -> sqlx::Result<Vec<EntryRow>> {
    if item_ids.is_empty() {
        return Ok(vec![]);
    }
    let mut f = Filter::new();
    f.and_in("x.item_id", item_ids);
    f.and1("x.day <= ?", day);
    db.read()
        .fetch_all(
            &format!(
                "SELECT x.id, x.item_id, x.day, x.decision, x.follow_up_staff_id, x.follow_up_account_id, x.follow_up_name, \
                 x.solved, ac.display_name AS created_by_name, x.created_at FROM huddle_entries x \
                 JOIN accounts ac ON ac.id = x.created_by{} ORDER BY x.day, x.id",
                f.where_sql()
            ),
            f.args(),
        )
        .await
}

/// A problem not yet on the record: (source, event or finding id, title, grid).
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Candidate {
    pub source: String,
    pub ref_id: i64,
    pub title: String,
    pub grid_id: Option<i64>,
    pub grid_name: Option<String>,
}

/// Open events reported by grid staff or on patrol, and findings not made into events, of the
/// community raised before `until`, that are not on its record yet.
pub async fn candidates(db: &Db, community_id: i64, path: &str, until: Millis) -> sqlx::Result<Vec<Candidate>> {
    let end = subtree_end(path);
    let mut rows: Vec<Candidate> = db
        .read()
        .fetch_all(
            &format!(
                "SELECT 'event' AS source, e.id AS ref_id, e.title, e.grid_id, g.name AS grid_name FROM events e \
                 LEFT JOIN areas g ON g.id = e.grid_id WHERE e.area_path >= $1 AND e.area_path < $2 \
                 AND e.state IN ({OPEN_EVENT_STATES}) AND e.channel IN ('grid_worker', 'patrol') AND e.reported_at < $3 \
                 AND NOT EXISTS (SELECT 1 FROM huddle_items h WHERE h.community_id = $4 AND h.event_id = e.id) \
                 ORDER BY e.reported_at, e.id LIMIT 200"
            ),
            args![path, end.as_str(), until, community_id],
        )
        .await?;
    let findings: Vec<Candidate> = db
        .read()
        .fetch_all(
            "SELECT 'finding' AS source, f.id AS ref_id, f.description AS title, f.grid_id, g.name AS grid_name \
             FROM patrol_findings f JOIN areas g ON g.id = f.grid_id WHERE f.grid_path >= $1 AND f.grid_path < $2 \
             AND f.event_id IS NULL AND f.found_at < $3 \
             AND NOT EXISTS (SELECT 1 FROM huddle_items h WHERE h.community_id = $4 AND h.finding_id = f.id) \
             ORDER BY f.found_at, f.id LIMIT 200",
            args![path, end.as_str(), until, community_id],
        )
        .await?;
    rows.extend(findings);
    Ok(rows)
}

pub struct NewItem<'a> {
    pub community_id: i64,
    pub community_path: &'a str,
    pub source: &'a str,
    pub event_id: Option<i64>,
    pub finding_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub title: &'a str,
    pub first_day: &'a str,
    pub created_by: i64,
    pub now: Millis,
}

pub async fn insert_item(tx: &mut Tx, i: &NewItem<'_>) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO huddle_items (community_id, community_path, source, event_id, finding_id, grid_id, title, first_day, \
             state, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, $10) RETURNING id",
            args![
                i.community_id,
                i.community_path,
                i.source,
                i.event_id,
                i.finding_id,
                i.grid_id,
                i.title,
                i.first_day,
                i.created_by,
                i.now
            ],
        )
        .await?;
    Ok(id)
}

/// Marks the day's huddle as held (once).
pub async fn hold(tx: &mut Tx, community_id: i64, day: &str, by: i64, now: Millis) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO huddles (community_id, day, held_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (community_id, day) DO NOTHING",
        args![community_id, day, by, now],
    )
    .await
    .map(drop)
}

/// Whether the day's huddle was held, and by whom.
pub async fn held(db: &Db, community_id: i64, day: &str) -> sqlx::Result<Option<(String, i64)>> {
    db.read()
        .fetch_optional(
            "SELECT ac.display_name, h.created_at FROM huddles h JOIN accounts ac ON ac.id = h.held_by \
             WHERE h.community_id = $1 AND h.day = $2",
            args![community_id, day],
        )
        .await
}

/// Open items of the community whose event is no longer open (handled, closed, cancelled, merged).
pub async fn items_with_finished_events(tx: &mut Tx, community_id: i64) -> sqlx::Result<Vec<(i64, i64, String)>> {
    tx.fetch_all(
        &format!(
            "SELECT h.id, h.version, e.state FROM huddle_items h JOIN events e ON e.id = h.event_id \
             WHERE h.community_id = $1 AND h.state = 'open' AND e.state NOT IN ({OPEN_EVENT_STATES})"
        ),
        args![community_id],
    )
    .await
}

pub struct NewEntry<'a> {
    pub item_id: i64,
    pub day: &'a str,
    pub decision: &'a str,
    pub follow_up_staff_id: Option<i64>,
    pub follow_up_account_id: Option<i64>,
    pub follow_up_name: &'a str,
    pub solved: bool,
    pub created_by: i64,
    pub now: Millis,
}

pub async fn insert_entry(tx: &mut Tx, e: &NewEntry<'_>) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO huddle_entries (item_id, day, decision, follow_up_staff_id, follow_up_account_id, follow_up_name, \
             solved, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            args![
                e.item_id,
                e.day,
                e.decision,
                e.follow_up_staff_id,
                e.follow_up_account_id,
                e.follow_up_name,
                e.solved,
                e.created_by,
                e.now
            ],
        )
        .await?;
    Ok(id)
}

/// Bumps an item's version (and marks it solved on `solved_day`), if the version still matches.
pub async fn touch_item(
    tx: &mut Tx,
    id: i64,
    version: i64,
    solved_day: Option<&str>,
    by: i64,
    now: Millis,
) -> sqlx::Result<bool> {
    let n = match solved_day {
        Some(d) => {
            tx.execute(
                "UPDATE huddle_items SET state = 'solved', solved_day = $1, solved_at = $2, solved_by = $3, updated_at = $2, \
                 version = version + 1 WHERE id = $4 AND version = $5 AND state = 'open'",
                args![d, now, by, id, version],
            )
            .await?
        }
        None => {
            tx.execute(
                "UPDATE huddle_items SET updated_at = $1, version = version + 1 WHERE id = $2 AND version = $3",
                args![now, id, version],
            )
            .await?
        }
    };
    Ok(n == 1)
}

/// The name of a staff member or account inside a subtree (who follows up).
pub async fn person_in(db: &Db, table: &str, id: i64, path: &str) -> sqlx::Result<Option<String>> {
    let (sql, col) = if table == "staff" {
        ("SELECT x.name FROM staff x JOIN areas a ON a.id = x.area_id", "x.status = 'active'")
    } else {
        ("SELECT x.display_name FROM accounts x JOIN areas a ON a.id = x.area_id", "x.status = 'active'")
    };
    let r: Option<(String,)> = db
        .read()
        .fetch_optional(
            &format!("{sql} WHERE x.id = $1 AND {col} AND a.path >= $2 AND a.path < $3"),
            args![id, path, subtree_end(path).as_str()],
        )
        .await?;
    Ok(r.map(|r| r.0))
}

/// Active staff of a subtree (for the follow-up choice).
pub async fn staff_under(db: &Db, path: &str) -> sqlx::Result<Vec<(i64, String)>> {
    db.read()
        .fetch_all(
            "SELECT x.id, x.name FROM staff x JOIN areas a ON a.id = x.area_id WHERE x.status = 'active' \
             AND a.path >= $1 AND a.path < $2 ORDER BY x.name LIMIT 300",
            args![path, subtree_end(path).as_str()],
        )
        .await
}

/// Active communities of a subtree (for the choice of a town centre).
pub async fn communities_under(db: &Db, path: &str) -> sqlx::Result<Vec<(i64, String)>> {
    db.read()
        .fetch_all(
            "SELECT id, name FROM areas WHERE kind = 'community' AND status = 'active' AND path >= $1 AND path < $2 \
             ORDER BY code LIMIT 500",
            args![path, subtree_end(path).as_str()],
        )
        .await
}

/// One community of a scope on a day: problems still open on its record, its open events now,
/// and whether the day's huddle was held.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CommunityDay {
    pub id: i64,
    pub name: String,
    pub town_name: String,
    pub open_items: i64,
    pub open_events: i64,
    pub held: i64,
}

/// Every active community of a subtree with its day's figures, in one grouped query.
pub async fn community_days(db: &Db, path: &str, day: &str) -> sqlx::Result<Vec<CommunityDay>> {
    let end = subtree_end(path);
    db.read()
        .fetch_all(
            &format!(
                "SELECT c.id, c.name, COALESCE(p.name, '') AS town_name, COALESCE(it.n, 0) AS open_items, \
                 COALESCE(ev.n, 0) AS open_events, COALESCE(hd.n, 0) AS held FROM areas c \
                 LEFT JOIN areas p ON p.id = c.parent_id \
                 LEFT JOIN (SELECT h.community_id, COUNT(*) AS n FROM huddle_items h WHERE h.community_path >= $1 \
                   AND h.community_path < $2 AND h.first_day <= $3 AND (h.solved_day IS NULL OR h.solved_day > $3) \
                   GROUP BY h.community_id) it ON it.community_id = c.id \
                 LEFT JOIN (SELECT c2.id AS community_id, COUNT(*) AS n FROM areas c2 JOIN events e \
                   ON e.area_path >= c2.path AND e.area_path < substr(c2.path, 1, length(c2.path) - 1) || '0' \
                   WHERE c2.kind = 'community' AND c2.path >= $1 AND c2.path < $2 AND e.state IN ({OPEN_EVENT_STATES}) \
                   GROUP BY c2.id) ev ON ev.community_id = c.id \
                 LEFT JOIN (SELECT community_id, COUNT(*) AS n FROM huddles WHERE day = $3 GROUP BY community_id) hd \
                   ON hd.community_id = c.id \
                 WHERE c.kind = 'community' AND c.status = 'active' AND c.path >= $1 AND c.path < $2 \
                 ORDER BY c.code LIMIT 2000"
            ),
            args![path, end.as_str(), day],
        )
        .await
}
