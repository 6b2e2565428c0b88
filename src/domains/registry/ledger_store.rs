//! SQL for the three ledgers (台账): counts per child area of an area, rolled up the tree.
//!
//! Each measure is one grouped statement over the area's whole subtree (a range scan on the grids'
//! materialised paths, then each grid's `(grid_id, status …)` index), answering a count per grid path;
//! the grids are then summed into the child area whose path they start with. The number of statements
//! is the number of measures, whatever the number of child areas.

use crate::args;
use crate::auth::scope::subtree_end;
use crate::db::Db;

/// One child area's counts, in the order of the ledger's columns.
#[derive(Debug, Clone)]
pub struct CountRow {
    pub area_id: i64,
    pub name: String,
    pub code: String,
    pub counts: Vec<i64>,
}

/// A child area: id, name, code, path.
type Unit = (i64, String, String, String);

/// The child areas of `parent` (or the area itself when it is a grid), with their paths.
async fn units(db: &Db, parent: i64) -> sqlx::Result<Vec<Unit>> {
    let rows: Vec<Unit> = db
        .read()
        .fetch_all(
            "SELECT id, name, code, path FROM areas WHERE parent_id = $1 AND status = 'active' ORDER BY code",
            args![parent],
        )
        .await?;
    if !rows.is_empty() {
        return Ok(rows);
    }
    db.read().fetch_all("SELECT id, name, code, path FROM areas WHERE id = $1", args![parent]).await
}

async fn parent_path(db: &Db, parent: i64) -> sqlx::Result<String> {
    let (path,): (String,) = db.read().fetch_one("SELECT path FROM areas WHERE id = $1", args![parent]).await?;
    Ok(path)
}

/// A measure: `FROM … WHERE …` over a table joined to its grid `g`, after which the grid range and
/// `GROUP BY g.path` are added. `$1`/`$2` are the subtree's path bounds.
struct Measure(String);

/// Runs every measure once over the subtree of `parent` and sums the per-grid counts into `units`.
async fn tally(db: &Db, parent: i64, units: &[Unit], measures: &[Measure]) -> sqlx::Result<Vec<CountRow>> {
    let path = parent_path(db, parent).await?;
    let end = subtree_end(&path);
    let mut out: Vec<CountRow> = units
        .iter()
        .map(|(id, name, code, _)| CountRow {
            area_id: *id,
            name: name.clone(),
            code: code.clone(),
            counts: vec![0; measures.len()],
        })
        .collect();
    for (i, Measure(from)) in measures.iter().enumerate() {
        let sql = format!("SELECT g.path, COUNT(*) {from} AND g.path >= $1 AND g.path < $2 GROUP BY g.path");
        let rows: Vec<(String, i64)> = db.read().fetch_all(&sql, args![path.as_str(), end.as_str()]).await?;
        for (grid_path, n) in rows {
            if let Some(k) = units.iter().position(|u| grid_path.starts_with(u.3.as_str())) {
                out[k].counts[i] += n;
            }
        }
    }
    Ok(out)
}

// CROSS JOIN: SQLite walks the subtree's grids first, then each grid's index (PostgreSQL plans as usual).
const PERSONS_IN: &str = "FROM areas g CROSS JOIN persons p WHERE p.grid_id = g.id AND p.status = 'active'";

fn on_grid(table: &str) -> Measure {
    Measure(format!("FROM areas g CROSS JOIN {table} t WHERE t.grid_id = g.id AND t.status = 'active'"))
}

fn persons(cond: &str) -> Measure {
    Measure(format!("{PERSONS_IN}{cond}"))
}

pub async fn basic(db: &Db, parent: i64) -> sqlx::Result<Vec<CountRow>> {
    let u = units(db, parent).await?;
    let m = [
        persons(""),
        persons(" AND p.kind = 'registered'"),
        persons(" AND p.kind = 'floating'"),
        persons(" AND p.kind = 'foreigner'"),
        persons(" AND p.kind = 'left_behind'"),
        on_grid("households"),
        on_grid("houses"),
        on_grid("rentals"),
        on_grid("places"),
    ];
    tally(db, parent, &u, &m).await
}

pub async fn special(db: &Db, parent: i64, today: &str) -> sqlx::Result<Vec<CountRow>> {
    let u = units(db, parent).await?;
    let base = "FROM areas g CROSS JOIN special_files sf JOIN persons p ON p.id = sf.person_id \
                WHERE sf.grid_id = g.id AND sf.status = 'active' AND p.status = 'active'";
    let mut m: Vec<Measure> =
        super::model::SPECIAL_KINDS.iter().map(|(k, _, _)| Measure(format!("{base} AND sf.kind = '{k}'"))).collect();
    m.push(Measure(base.to_owned()));
    // The date is a fixed ISO string made by the server, never user text.
    m.push(Measure(format!("{base} AND sf.next_visit_due < '{}'", today.replace('\'', ""))));
    tally(db, parent, &u, &m).await
}

pub async fn floating(db: &Db, parent: i64, adult_born_before: &str) -> sqlx::Result<Vec<CountRow>> {
    let u = units(db, parent).await?;
    let born = adult_born_before.replace('\'', "");
    let f = " AND p.kind = 'floating'";
    let m = [
        persons(f),
        persons(&format!("{f} AND p.sex = 'male'")),
        persons(&format!("{f} AND p.sex = 'female'")),
        persons(&format!("{f} AND p.birth_date > '{born}'")),
        persons(&format!("{f} AND EXISTS (SELECT 1 FROM rental_tenants rt WHERE rt.person_id = p.id)")),
        persons(&format!("{f} AND p.house_id IS NULL")),
    ];
    tally(db, parent, &u, &m).await
}
