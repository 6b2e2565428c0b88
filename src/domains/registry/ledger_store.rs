//! SQL for the three ledgers (台账): counts per child area of an area, rolled up the tree.

use crate::args;
use crate::db::Db;

/// One child area's counts, in the order of the ledger's columns.
#[derive(Debug, Clone)]
pub struct CountRow {
    pub area_id: i64,
    pub name: String,
    pub code: String,
    pub counts: Vec<i64>,
}

/// The child areas of `parent` (or the area itself when it is a grid), with their paths.
async fn units(db: &Db, parent: i64) -> sqlx::Result<Vec<(i64, String, String, String)>> {
    let rows: Vec<(i64, String, String, String)> = db
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

/// Counts per unit for several `(table alias join, condition)` measures on persons-like tables.
/// Each measure is a full `SELECT u.id, COUNT(*) …` fragment taking the unit path as `$1`-prefix pattern.
async fn count_each(
    db: &Db,
    units: &[(i64, String, String, String)],
    measures: &[&str],
) -> sqlx::Result<Vec<CountRow>> {
    let mut out = Vec::with_capacity(units.len());
    for (id, name, code, path) in units {
        let pattern = format!("{path}%");
        let mut counts = Vec::with_capacity(measures.len());
        for m in measures {
            let (n,): (i64,) = db.read().fetch_one(m, args![pattern.as_str()]).await?;
            counts.push(n);
        }
        out.push(CountRow { area_id: *id, name: name.clone(), code: code.clone(), counts });
    }
    Ok(out)
}

const PERSONS_IN: &str = "FROM persons p JOIN areas g ON g.id = p.grid_id WHERE g.path LIKE $1 AND p.status = 'active'";

pub async fn basic(db: &Db, parent: i64) -> sqlx::Result<Vec<CountRow>> {
    let u = units(db, parent).await?;
    let m = [
        format!("SELECT COUNT(*) {PERSONS_IN}"),
        format!("SELECT COUNT(*) {PERSONS_IN} AND p.kind = 'registered'"),
        format!("SELECT COUNT(*) {PERSONS_IN} AND p.kind = 'floating'"),
        format!("SELECT COUNT(*) {PERSONS_IN} AND p.kind = 'foreigner'"),
        format!("SELECT COUNT(*) {PERSONS_IN} AND p.kind = 'left_behind'"),
        "SELECT COUNT(*) FROM households h JOIN areas g ON g.id = h.grid_id WHERE g.path LIKE $1 AND h.status = 'active'".to_owned(),
        "SELECT COUNT(*) FROM houses h JOIN areas g ON g.id = h.grid_id WHERE g.path LIKE $1 AND h.status = 'active'".to_owned(),
        "SELECT COUNT(*) FROM rentals r JOIN areas g ON g.id = r.grid_id WHERE g.path LIKE $1 AND r.status = 'active'".to_owned(),
        "SELECT COUNT(*) FROM places pl JOIN areas g ON g.id = pl.grid_id WHERE g.path LIKE $1 AND pl.status = 'active'".to_owned(),
    ];
    let refs: Vec<&str> = m.iter().map(String::as_str).collect();
    count_each(db, &u, &refs).await
}

pub async fn special(db: &Db, parent: i64, today: &str) -> sqlx::Result<Vec<CountRow>> {
    let u = units(db, parent).await?;
    let base = "FROM special_files sf JOIN persons p ON p.id = sf.person_id JOIN areas g ON g.id = p.grid_id \
                WHERE g.path LIKE $1 AND sf.status = 'active' AND p.status = 'active'";
    let mut m: Vec<String> = super::model::SPECIAL_KINDS
        .iter()
        .map(|(k, _, _)| format!("SELECT COUNT(*) {base} AND sf.kind = '{k}'"))
        .collect();
    m.push(format!("SELECT COUNT(*) {base}"));
    // The date is a fixed ISO string made by the server, never user text.
    m.push(format!("SELECT COUNT(*) {base} AND sf.next_visit_due < '{}'", today.replace('\'', "")));
    let refs: Vec<&str> = m.iter().map(String::as_str).collect();
    count_each(db, &u, &refs).await
}

pub async fn floating(db: &Db, parent: i64, adult_born_before: &str) -> sqlx::Result<Vec<CountRow>> {
    let u = units(db, parent).await?;
    let born = adult_born_before.replace('\'', "");
    let m = [
        format!("SELECT COUNT(*) {PERSONS_IN} AND p.kind = 'floating'"),
        format!("SELECT COUNT(*) {PERSONS_IN} AND p.kind = 'floating' AND p.sex = 'male'"),
        format!("SELECT COUNT(*) {PERSONS_IN} AND p.kind = 'floating' AND p.sex = 'female'"),
        format!("SELECT COUNT(*) {PERSONS_IN} AND p.kind = 'floating' AND p.birth_date > '{born}'"),
        format!(
            "SELECT COUNT(*) {PERSONS_IN} AND p.kind = 'floating' AND EXISTS (SELECT 1 FROM rental_tenants t WHERE t.person_id = p.id)"
        ),
        format!("SELECT COUNT(*) {PERSONS_IN} AND p.kind = 'floating' AND p.house_id IS NULL"),
    ];
    let refs: Vec<&str> = m.iter().map(String::as_str).collect();
    count_each(db, &u, &refs).await
}
