//! Writing people: the columns of a write, insert, versioned update, status and grid changes.

use crate::args;
use crate::clock::Millis;
use crate::db::{Tx, Value};

/// All columns a write sets (the encrypted and derived ones included).
pub struct PersonWrite {
    pub grid_id: i64,
    pub kind: String,
    pub name: String,
    pub name_initials: String,
    pub former_name: String,
    pub id_type: String,
    pub id_enc: Vec<u8>,
    pub id_bidx: String,
    pub id_masked: String,
    pub sex: String,
    pub birth_date: String,
    pub ethnicity: String,
    pub native_place: String,
    pub marital_status: String,
    pub political_status: String,
    pub education: String,
    pub religion: String,
    pub occupation: String,
    pub workplace: String,
    pub phone_enc: Option<Vec<u8>>,
    pub phone_bidx: Option<String>,
    pub phone_masked: String,
    pub registered_address: String,
    pub address: String,
    pub house_id: Option<i64>,
    pub household_id: Option<i64>,
    pub relation_to_head: String,
    pub extra: String,
    pub tags: String,
}

pub const WRITE_COLUMNS: [&str; 29] = [
    "grid_id",
    "kind",
    "name",
    "name_initials",
    "former_name",
    "id_type",
    "id_enc",
    "id_bidx",
    "id_masked",
    "sex",
    "birth_date",
    "ethnicity",
    "native_place",
    "marital_status",
    "political_status",
    "education",
    "religion",
    "occupation",
    "workplace",
    "phone_enc",
    "phone_bidx",
    "phone_masked",
    "registered_address",
    "address",
    "house_id",
    "household_id",
    "relation_to_head",
    "extra",
    "tags",
];

impl PersonWrite {
    /// The values in `WRITE_COLUMNS` order.
    pub fn values(&self) -> Vec<Value> {
        vec![
            self.grid_id.into(),
            self.kind.as_str().into(),
            self.name.as_str().into(),
            self.name_initials.as_str().into(),
            self.former_name.as_str().into(),
            self.id_type.as_str().into(),
            self.id_enc.clone().into(),
            self.id_bidx.as_str().into(),
            self.id_masked.as_str().into(),
            self.sex.as_str().into(),
            self.birth_date.as_str().into(),
            self.ethnicity.as_str().into(),
            self.native_place.as_str().into(),
            self.marital_status.as_str().into(),
            self.political_status.as_str().into(),
            self.education.as_str().into(),
            self.religion.as_str().into(),
            self.occupation.as_str().into(),
            self.workplace.as_str().into(),
            self.phone_enc.clone().into(),
            self.phone_bidx.clone().into(),
            self.phone_masked.as_str().into(),
            self.registered_address.as_str().into(),
            self.address.as_str().into(),
            self.house_id.into(),
            self.household_id.into(),
            self.relation_to_head.as_str().into(),
            self.extra.as_str().into(),
            self.tags.as_str().into(),
        ]
    }
}

pub async fn insert(tx: &mut Tx, p: &PersonWrite, now: Millis) -> sqlx::Result<i64> {
    let cols = WRITE_COLUMNS.join(", ");
    let n = WRITE_COLUMNS.len();
    let marks: Vec<String> = (1..=n + 2).map(|i| format!("${i}")).collect();
    let mut a = p.values();
    a.push(now.into());
    a.push(now.into());
    let (id,): (i64,) = tx
        .fetch_one(
            &format!("INSERT INTO persons ({cols}, created_at, updated_at) VALUES ({}) RETURNING id", marks.join(", ")),
            a,
        )
        .await?;
    Ok(id)
}

/// Rewrites every writable column if the version matches.
pub async fn update(tx: &mut Tx, id: i64, version: i64, p: &PersonWrite, now: Millis) -> sqlx::Result<bool> {
    update_columns(tx, id, version, p, now, &WRITE_COLUMNS).await
}

/// The columns an import's template carries: what an import may change on a person already
/// registered (the ID number itself, house, household, tags and the fields the template has no
/// column for stay as they are).
const IMPORT_COLUMNS: [&str; 16] = [
    "grid_id",
    "kind",
    "name",
    "name_initials",
    "phone_enc",
    "phone_bidx",
    "phone_masked",
    "address",
    "registered_address",
    "ethnicity",
    "education",
    "political_status",
    "marital_status",
    "relation_to_head",
    "occupation",
    "extra",
];

/// Updates a registered person from an import row: only `IMPORT_COLUMNS`, version-checked.
pub async fn update_from_import(
    tx: &mut Tx,
    id: i64,
    version: i64,
    p: &PersonWrite,
    now: Millis,
) -> sqlx::Result<bool> {
    update_columns(tx, id, version, p, now, &IMPORT_COLUMNS).await
}

/// Writes those of `WRITE_COLUMNS` that are in `columns` if the version matches.
async fn update_columns(
    tx: &mut Tx,
    id: i64,
    version: i64,
    p: &PersonWrite,
    now: Millis,
    columns: &[&str],
) -> sqlx::Result<bool> {
    let mut a: Vec<Value> = Vec::with_capacity(columns.len() + 3);
    let mut sets: Vec<String> = Vec::with_capacity(columns.len());
    for (column, value) in WRITE_COLUMNS.iter().zip(p.values()) {
        if columns.contains(column) {
            a.push(value);
            sets.push(format!("{column} = ${}", a.len()));
        }
    }
    let n = a.len();
    a.push(now.into());
    a.push(id.into());
    a.push(version.into());
    let sql = format!(
        "UPDATE persons SET {}, updated_at = ${}, version = version + 1 WHERE id = ${} AND version = ${} AND status <> 'deleted'",
        sets.join(", "),
        n + 1,
        n + 2,
        n + 3
    );
    Ok(tx.execute(&sql, a).await? == 1)
}

pub async fn set_status(
    tx: &mut Tx,
    id: i64,
    version: i64,
    status: &str,
    date: &str,
    reason: &str,
    now: Millis,
) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE persons SET status = $1, status_date = $2, status_reason = $3, updated_at = $4, version = version + 1 \
             WHERE id = $5 AND version = $6",
            args![status, date, reason, now, id, version],
        )
        .await?;
    Ok(n == 1)
}

pub async fn set_grid(tx: &mut Tx, id: i64, grid_id: i64, now: Millis) -> sqlx::Result<()> {
    tx.execute(
        "UPDATE persons SET grid_id = $1, house_id = NULL, household_id = NULL, updated_at = $2, version = version + 1 WHERE id = $3",
        args![grid_id, now, id],
    )
    .await
    .map(drop)
}
