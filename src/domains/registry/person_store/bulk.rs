//! Bulk writes of the import: the people an import finds already registered, many-row inserts that leave out default columns, and the start-up key check's sample.

use super::*;
use crate::args;
use crate::clock::Millis;
use crate::db::{Db, Tx, Value};

/// What an import compares with a row already registered under the same ID number.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImportExisting {
    pub id: i64,
    pub id_bidx: String,
    pub grid_id: i64,
    pub grid_name: String,
    pub grid_path: String,
    pub id_masked: String,
    pub version: i64,
    pub kind: String,
    pub name: String,
    pub phone_bidx: Option<String>,
    pub address: String,
    pub registered_address: String,
    pub ethnicity: String,
    pub education: String,
    pub political_status: String,
    pub marital_status: String,
    pub relation_to_head: String,
    pub occupation: String,
    pub extra: String,
}

impl ImportExisting {
    /// Whether a prepared row would change nothing.
    pub fn same_as(&self, w: &PersonWrite) -> bool {
        self.grid_id == w.grid_id
            && self.kind == w.kind
            && self.name == w.name
            && self.phone_bidx == w.phone_bidx
            && self.address == w.address
            && self.registered_address == w.registered_address
            && self.ethnicity == w.ethnicity
            && self.education == w.education
            && self.political_status == w.political_status
            && self.marital_status == w.marital_status
            && self.relation_to_head == w.relation_to_head
            && self.occupation == w.occupation
            && serde_json::from_str::<serde_json::Value>(&self.extra).ok()
                == serde_json::from_str::<serde_json::Value>(&w.extra).ok()
    }
}

pub async fn existing_for_import(tx: &mut Tx, bidxs: &[String]) -> sqlx::Result<Vec<ImportExisting>> {
    let mut out = Vec::new();
    // Lists of a few hundred: SQLite looks numbered parameters up one by one.
    for part in bidxs.chunks(500) {
        out.extend(existing_part(tx, part).await?);
    }
    Ok(out)
}

async fn existing_part(tx: &mut Tx, bidxs: &[String]) -> sqlx::Result<Vec<ImportExisting>> {
    if bidxs.is_empty() {
        return Ok(vec![]);
    }
    let marks: Vec<String> = (1..=bidxs.len()).map(|i| format!("${i}")).collect();
    tx.fetch_all(
        &format!(
            "SELECT p.id, p.id_bidx, p.grid_id, g.name AS grid_name, g.path AS grid_path, p.id_masked, p.version, p.kind, p.name, \
             p.phone_bidx, p.address, p.registered_address, p.ethnicity, p.education, p.political_status, p.marital_status, \
             p.relation_to_head, p.occupation, p.extra FROM persons p JOIN areas g ON g.id = p.grid_id \
             WHERE p.id_type = '111' AND p.status <> 'deleted' AND p.id_bidx IN ({})",
            marks.join(", ")
        ),
        bidxs.iter().map(|b| Value::from(b.as_str())).collect(),
    )
    .await
}

/// The insert columns (with the explicit id) and the values of people numbered from `first`.
fn numbered_rows(first: i64, rows: &[PersonWrite], now: Millis) -> (Vec<&'static str>, Vec<Vec<Value>>) {
    let mut cols: Vec<&str> = vec!["id"];
    cols.extend(WRITE_COLUMNS);
    cols.extend(["created_at", "updated_at"]);
    let values = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut v = vec![Value::from(first + i as i64)];
            v.extend(new_row(r, now));
            v
        })
        .collect();
    (cols, values)
}

/// Inserts many prepared people at once; answers their ids in order.
pub async fn insert_many(tx: &mut Tx, rows: &[PersonWrite], now: Millis) -> sqlx::Result<Vec<i64>> {
    let first = crate::db::bulk::max_id(tx, "persons").await? + 1;
    let (cols, values) = numbered_rows(first, rows, now);
    crate::db::bulk::insert_rows(tx, "persons", &cols, values).await?;
    crate::db::bulk::sync_sequence(tx, "persons").await?;
    Ok((0..rows.len()).map(|i| first + i as i64).collect())
}

/// A new person's row for `insert_new`: the values of `WRITE_COLUMNS` and the two timestamps.
pub fn new_row(p: &PersonWrite, now: Millis) -> Vec<Value> {
    let mut v = p.values();
    v.push(now.into());
    v.push(now.into());
    v
}

/// Inserts the people (rows from `new_row`) whose ID number is not in the register yet and skips
/// the others (the unique index decides, so no lookup is needed first); the database numbers them.
/// Answers `(id, id_bidx)` of those inserted.
pub async fn insert_new(tx: &mut Tx, rows: Vec<Vec<Value>>) -> sqlx::Result<Vec<(i64, String)>> {
    let mut all: Vec<&str> = WRITE_COLUMNS.to_vec();
    all.extend(["created_at", "updated_at"]);
    let (cols, rows) = without_default_columns(&all, rows);
    crate::db::bulk::insert_rows_returning(
        tx,
        "persons",
        &cols,
        rows,
        "ON CONFLICT (id_type, id_bidx) WHERE status <> 'deleted' DO NOTHING RETURNING id, id_bidx",
    )
    .await
}

/// Leaves out the columns that every row leaves at the table's default: a typical file fills a
/// third of the columns, and each value bound costs the single writer time.
fn without_default_columns<'c>(all: &[&'c str], rows: Vec<Vec<Value>>) -> (Vec<&'c str>, Vec<Vec<Value>>) {
    let keep: Vec<bool> =
        (0..all.len()).map(|j| !rows.iter().all(|r| r.get(j).is_some_and(|v| is_default(all[j], v)))).collect();
    let cols: Vec<&str> = all.iter().zip(&keep).filter(|(_, k)| **k).map(|(c, _)| *c).collect();
    if cols.len() == all.len() {
        return (cols, rows);
    }
    let rows =
        rows.into_iter().map(|r| r.into_iter().zip(&keep).filter(|(_, k)| **k).map(|(v, _)| v).collect()).collect();
    (cols, rows)
}

/// Columns of `persons` whose default is the empty text, and those whose default is NULL
/// (the same on both engines: migrations 0002).
const EMPTY_BY_DEFAULT: [&str; 13] = [
    "former_name",
    "native_place",
    "marital_status",
    "political_status",
    "education",
    "religion",
    "occupation",
    "workplace",
    "phone_masked",
    "registered_address",
    "address",
    "relation_to_head",
    "tags",
];
const NULL_BY_DEFAULT: [&str; 4] = ["phone_enc", "phone_bidx", "house_id", "household_id"];

/// Is this the value the column gets when an insert leaves it out?
fn is_default(column: &str, v: &Value) -> bool {
    match v {
        Value::Text(Some(s)) => s.is_empty() && EMPTY_BY_DEFAULT.contains(&column),
        Value::Text(None) | Value::Int(None) | Value::Bytes(None) => NULL_BY_DEFAULT.contains(&column),
        _ => false,
    }
}

/// One encrypted ID number, if the register has any (to check the data key at start-up).
pub async fn any_encrypted(db: &Db) -> sqlx::Result<Option<Vec<u8>>> {
    let r: Option<(Vec<u8>,)> =
        db.read().fetch_optional("SELECT id_enc FROM persons ORDER BY id LIMIT 1", args![]).await?;
    Ok(r.map(|r| r.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_columns_every_row_leaves_at_the_default_are_left_out() {
        let all = ["name", "former_name", "address", "house_id", "tags"];
        let row = |address: &str, house: Option<i64>| {
            vec![Value::from("张三"), Value::from(""), Value::from(address), Value::from(house), Value::from("")]
        };
        // `address` is empty in one row only; `house_id` is set in one row only: both stay.
        let (cols, rows) = without_default_columns(&all, vec![row("", None), row("嫩水路1号", Some(7))]);
        assert_eq!(cols, vec!["name", "address", "house_id"]);
        assert_eq!(rows[1], vec![Value::from("张三"), Value::from("嫩水路1号"), Value::from(Some(7i64))]);
        // A column without an empty default (the name) stays even when empty everywhere; a value of
        // the wrong kind for a default (an empty text where NULL is the default) stays too.
        let empty = vec![Value::from(""), Value::from(""), Value::from(""), Value::from(None::<i64>), Value::from("")];
        let (cols, rows) = without_default_columns(&all, vec![empty]);
        assert_eq!(cols, vec!["name"]);
        assert_eq!(rows[0].len(), 1);
        let odd = vec![Value::from(""), Value::from(""), Value::from(""), Value::from(""), Value::from("")];
        let (cols, _) = without_default_columns(&all, vec![odd]);
        assert_eq!(cols, vec!["name", "house_id"]);
        // Nothing to leave out: the rows pass unchanged.
        let full =
            vec![Value::from("a"), Value::from("b"), Value::from("c"), Value::from(Some(1i64)), Value::from("t")];
        let (cols, rows) = without_default_columns(&all, vec![full.clone()]);
        assert_eq!((cols.len(), rows), (5, vec![full]));
    }
}
