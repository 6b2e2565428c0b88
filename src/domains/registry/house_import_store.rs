//! SQL of the house, household, rental and place imports: records by their keys anywhere (with where they are) and by id.

use super::house_store::ListSpec;
use crate::args;
use crate::db::{Db, Record, Value};

/// Keys per `IN (…)` list.
const CHUNK: usize = 500;

/// A record found by its key, and where it is.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Hit {
    pub key: String,
    pub id: i64,
    pub grid_id: i64,
    pub grid_name: String,
    pub grid_path: String,
    pub status: String,
}

fn marks(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// `head` ends in `… IN`; the keys are asked in lists of `CHUNK`.
async fn by_keys(db: &Db, head: &str, keys: &[String]) -> sqlx::Result<Vec<Hit>> {
    let mut out = Vec::new();
    for chunk in keys.chunks(CHUNK) {
        let sql = format!("{head} ({})", marks(chunk.len()));
        out.extend(db.read().fetch_all::<Hit>(&sql, chunk.iter().map(Value::from).collect()).await?);
    }
    Ok(out)
}

/// Houses by house number, in any area and any status (the number is unique over all of them).
pub async fn houses_by_no(db: &Db, nos: &[String]) -> sqlx::Result<Vec<Hit>> {
    by_keys(
        db,
        "SELECT t.house_no AS key, t.id, t.grid_id, g.name AS grid_name, g.path AS grid_path, t.status \
         FROM houses t JOIN areas g ON g.id = t.grid_id WHERE t.house_no IN",
        nos,
    )
    .await
}

/// Households by household number, in any area and any status.
pub async fn households_by_no(db: &Db, nos: &[String]) -> sqlx::Result<Vec<Hit>> {
    by_keys(
        db,
        "SELECT t.household_no AS key, t.id, t.grid_id, g.name AS grid_name, g.path AS grid_path, t.status \
         FROM households t JOIN areas g ON g.id = t.grid_id WHERE t.household_no IN",
        nos,
    )
    .await
}

/// Places (not deleted) by unified social credit code, in any area.
pub async fn places_by_credit_code(db: &Db, codes: &[String]) -> sqlx::Result<Vec<Hit>> {
    by_keys(
        db,
        "SELECT t.credit_code AS key, t.id, t.grid_id, g.name AS grid_name, g.path AS grid_path, t.status \
         FROM places t JOIN areas g ON g.id = t.grid_id WHERE t.status <> 'deleted' AND t.credit_code IN",
        codes,
    )
    .await
}

/// Persons (not deleted, resident ID card) by the blind index of their ID number, in any area.
pub async fn persons_by_bidx(db: &Db, bidxs: &[String]) -> sqlx::Result<Vec<Hit>> {
    by_keys(
        db,
        "SELECT p.id_bidx AS key, p.id, p.grid_id, g.name AS grid_name, g.path AS grid_path, p.status \
         FROM persons p JOIN areas g ON g.id = p.grid_id WHERE p.status <> 'deleted' AND p.id_type = '111' AND p.id_bidx IN",
        bidxs,
    )
    .await
}

/// The rentals (not deleted) of these houses: `(house id, start date, rental id)`.
pub async fn rentals_of_houses(db: &Db, house_ids: &[i64]) -> sqlx::Result<Vec<(i64, String, i64)>> {
    let mut out = Vec::new();
    for chunk in house_ids.chunks(CHUNK) {
        let sql = format!(
            "SELECT house_id, start_date, id FROM rentals WHERE status <> 'deleted' AND house_id IN ({}) ORDER BY id",
            marks(chunk.len())
        );
        out.extend(db.read().fetch_all(&sql, chunk.iter().map(|i| Value::from(*i)).collect()).await?);
    }
    Ok(out)
}

/// The first place (not deleted) of a grid with this name and address — with `uncoded`, only one
/// without a credit code: `(id, credit code)`.
pub async fn place_by_name(
    db: &Db,
    grid_id: i64,
    name: &str,
    address: &str,
    uncoded: bool,
) -> sqlx::Result<Option<(i64, Option<String>)>> {
    let extra = if uncoded { " AND credit_code IS NULL" } else { "" };
    db.read()
        .fetch_optional(
            &format!(
                "SELECT id, credit_code FROM places WHERE grid_id = $1 AND name = $2 AND address = $3 \
                 AND status <> 'deleted'{extra} ORDER BY id LIMIT 1"
            ),
            args![grid_id, name, address],
        )
        .await
}

/// Records of one of the four tables by id (the caller has checked they are in its area).
pub async fn rows_by_ids<T: Record>(db: &Db, spec: &ListSpec<'_>, ids: &[i64]) -> sqlx::Result<Vec<T>> {
    let a = spec.alias;
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "SELECT {} FROM {} {a} JOIN areas g ON g.id = {a}.grid_id {} WHERE {a}.id IN ({})",
            spec.columns,
            spec.table,
            spec.extra_join,
            marks(chunk.len())
        );
        out.extend(db.read().fetch_all(&sql, chunk.iter().map(|i| Value::from(*i)).collect()).await?);
    }
    Ok(out)
}
