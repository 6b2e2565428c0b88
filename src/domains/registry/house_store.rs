//! SQL for houses, households, rentals (with tenants) and key places; reads bounded by the subtree.

use crate::args;
use crate::auth::scope::subtree_end;
use crate::clock::Millis;
use crate::db::{Db, Filter, Tx, Value, like_contains};
use crate::web::paging::{Page, Paging};
use serde::Serialize;

fn within(f: &mut Filter, path: &str) {
    f.and("g.path >= ? AND g.path < ?", vec![path.into(), subtree_end(path).into()]);
}

/// The labels of houses (their numbers) or households (their 户号), by id.
pub async fn labels(db: &Db, of: Labelled, ids: &[i64]) -> sqlx::Result<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let (table, column) = match of {
        Labelled::House => ("houses", "house_no"),
        Labelled::Household => ("households", "household_no"),
    };
    let mut f = Filter::new();
    f.and_in("id", ids);
    db.read().fetch_all(&format!("SELECT id, {column} FROM {table}{}", f.where_sql()), f.args()).await
}

/// Records whose label `labels` reads.
#[derive(Debug, Clone, Copy)]
pub enum Labelled {
    House,
    Household,
}

pub async fn grid_of_house(db: &Db, id: i64) -> sqlx::Result<Option<i64>> {
    let r: Option<(i64,)> =
        db.read().fetch_optional("SELECT grid_id FROM houses WHERE id = $1 AND status = 'active'", args![id]).await?;
    Ok(r.map(|r| r.0))
}

pub async fn grid_of_household(db: &Db, id: i64) -> sqlx::Result<Option<i64>> {
    let r: Option<(i64,)> = db
        .read()
        .fetch_optional("SELECT grid_id FROM households WHERE id = $1 AND status = 'active'", args![id])
        .await?;
    Ok(r.map(|r| r.0))
}

/// A generic list query over one of the four tables joined to its grid `g`.
pub struct ListSpec<'a> {
    pub table: &'a str,
    pub alias: &'a str,
    pub columns: &'a str,
    pub extra_join: &'a str,
    pub text_columns: &'a [&'a str],
}

#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub scope_path: String,
    pub area_path: Option<String>,
    pub grid_id: Option<i64>,
    pub q: Option<String>,
    pub status: Option<String>,
    pub exact: Vec<(String, Value)>,
}

pub async fn list<T: crate::db::Record>(
    db: &Db,
    spec: &ListSpec<'_>,
    lf: &ListFilter,
    paging: Paging,
) -> sqlx::Result<Page<T>> {
    let a = spec.alias;
    let mut f = Filter::new();
    within(&mut f, &lf.scope_path);
    if let Some(p) = &lf.area_path {
        within(&mut f, p);
    }
    if let Some(g) = lf.grid_id {
        f.and1(&format!("{a}.grid_id = ?"), g);
    }
    match lf.status.as_deref() {
        Some("all") => {
            f.and1(&format!("{a}.status <> ?"), "deleted");
        }
        Some(s) => {
            f.and1(&format!("{a}.status = ?"), s);
        }
        None => {
            f.and1(&format!("{a}.status = ?"), "active");
        }
    }
    for (col, v) in &lf.exact {
        f.and1(&format!("{col} = ?"), v.clone());
    }
    if let Some(q) = lf.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pat = like_contains(&q.to_lowercase());
        let ors: Vec<String> = spec.text_columns.iter().map(|c| format!("LOWER({c}) LIKE ? ESCAPE '\\'")).collect();
        f.and(&format!("({})", ors.join(" OR ")), vec![pat.into(); spec.text_columns.len()]);
    }
    let from = format!("FROM {} {a} JOIN areas g ON g.id = {a}.grid_id {}", spec.table, spec.extra_join);
    let w = f.where_sql();
    let (total,): (i64,) = db.read().fetch_one(&format!("SELECT COUNT(*) {from}{w}"), f.args()).await?;
    let (args, m) = f.args_with(args![paging.limit(), paging.offset()]);
    let items = db
        .read()
        .fetch_all(&format!("SELECT {} {from}{w} ORDER BY {a}.id LIMIT {} OFFSET {}", spec.columns, m[0], m[1]), args)
        .await?;
    Ok(paging.page(items, total))
}

pub async fn get<T: crate::db::Record>(
    db: &Db,
    spec: &ListSpec<'_>,
    scope_path: &str,
    id: i64,
) -> sqlx::Result<Option<T>> {
    let a = spec.alias;
    let mut f = Filter::new();
    f.and1(&format!("{a}.id = ?"), id);
    within(&mut f, scope_path);
    let from = format!("FROM {} {a} JOIN areas g ON g.id = {a}.grid_id {}", spec.table, spec.extra_join);
    db.read().fetch_optional(&format!("SELECT {} {from}{}", spec.columns, f.where_sql()), f.args()).await
}

/// Inserts a row of named columns plus timestamps; answers the id.
pub async fn insert(tx: &mut Tx, table: &str, cols: &[&str], mut values: Vec<Value>, now: Millis) -> sqlx::Result<i64> {
    let n = cols.len();
    let marks: Vec<String> = (1..=n + 2).map(|i| format!("${i}")).collect();
    values.push(now.into());
    values.push(now.into());
    let (id,): (i64,) = tx
        .fetch_one(
            &format!(
                "INSERT INTO {table} ({}, created_at, updated_at) VALUES ({}) RETURNING id",
                cols.join(", "),
                marks.join(", ")
            ),
            values,
        )
        .await?;
    Ok(id)
}

/// Updates named columns if the version matches.
pub async fn update(
    tx: &mut Tx,
    table: &str,
    id: i64,
    version: i64,
    cols: &[&str],
    mut values: Vec<Value>,
    now: Millis,
) -> sqlx::Result<bool> {
    let n = cols.len();
    let sets: Vec<String> = cols.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
    values.push(now.into());
    values.push(id.into());
    values.push(version.into());
    let sql = format!(
        "UPDATE {table} SET {}, updated_at = ${}, version = version + 1 WHERE id = ${} AND version = ${} AND status <> 'deleted'",
        sets.join(", "),
        n + 1,
        n + 2,
        n + 3
    );
    Ok(tx.execute(&sql, values).await? == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct HouseRow {
    pub id: i64,
    pub grid_id: i64,
    pub grid_name: String,
    pub house_no: String,
    pub road: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub address: String,
    pub house_use: String,
    pub floor_area: Option<f64>,
    pub owner_name: String,
    #[serde(skip)]
    pub owner_id_enc: Option<Vec<u8>>,
    pub owner_id_masked: Option<String>,
    #[serde(skip)]
    pub owner_phone_enc: Option<Vec<u8>>,
    pub owner_phone_masked: Option<String>,
    pub hazard: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub status: String,
    pub updated_at: i64,
    pub version: i64,
}

pub const HOUSES: ListSpec<'static> = ListSpec {
    table: "houses",
    alias: "h",
    columns: "h.id, h.grid_id, g.name AS grid_name, h.house_no, h.road, h.building, h.unit, h.room, h.address, h.house_use, \
              h.floor_area, h.owner_name, h.owner_id_enc, h.owner_id_masked, h.owner_phone_enc, h.owner_phone_masked, h.hazard, \
              h.lon, h.lat, h.status, h.updated_at, h.version",
    extra_join: "",
    text_columns: &["h.address", "h.house_no", "h.owner_name"],
};

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct HouseholdRow {
    pub id: i64,
    pub grid_id: i64,
    pub grid_name: String,
    pub household_no: String,
    pub house_id: Option<i64>,
    pub address: String,
    pub head_person_id: Option<i64>,
    pub head_name: Option<String>,
    pub status: String,
    pub updated_at: i64,
    pub version: i64,
}

pub const HOUSEHOLDS: ListSpec<'static> = ListSpec {
    table: "households",
    alias: "hh",
    columns: "hh.id, hh.grid_id, g.name AS grid_name, hh.household_no, hh.house_id, hh.address, hh.head_person_id, \
              hp.name AS head_name, hh.status, hh.updated_at, hh.version",
    extra_join: "LEFT JOIN persons hp ON hp.id = hh.head_person_id",
    text_columns: &["hh.household_no", "hh.address"],
};

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct RentalRow {
    pub id: i64,
    pub grid_id: i64,
    pub grid_name: String,
    pub house_id: i64,
    pub house_address: String,
    pub landlord_name: String,
    #[serde(skip)]
    pub landlord_phone_enc: Option<Vec<u8>>,
    pub landlord_phone_masked: String,
    pub start_date: String,
    pub end_date: Option<String>,
    pub rental_use: String,
    pub police_registered: bool,
    pub status: String,
    pub updated_at: i64,
    pub version: i64,
}

pub const RENTALS: ListSpec<'static> = ListSpec {
    table: "rentals",
    alias: "r",
    columns: "r.id, r.grid_id, g.name AS grid_name, r.house_id, rh.address AS house_address, r.landlord_name, r.landlord_phone_enc, \
              r.landlord_phone_masked, r.start_date, r.end_date, r.rental_use, r.police_registered, r.status, r.updated_at, r.version",
    extra_join: "JOIN houses rh ON rh.id = r.house_id",
    text_columns: &["rh.address", "r.landlord_name"],
};

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PlaceRow {
    pub id: i64,
    pub grid_id: i64,
    pub grid_name: String,
    pub name: String,
    pub place_type: String,
    pub credit_code: Option<String>,
    pub legal_person: String,
    pub safety_person: String,
    #[serde(skip)]
    pub contact_phone_enc: Option<Vec<u8>>,
    pub contact_phone_masked: String,
    pub address: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub status: String,
    pub updated_at: i64,
    pub version: i64,
}

pub const PLACES: ListSpec<'static> = ListSpec {
    table: "places",
    alias: "pl",
    columns: "pl.id, pl.grid_id, g.name AS grid_name, pl.name, pl.place_type, pl.credit_code, pl.legal_person, pl.safety_person, \
              pl.contact_phone_enc, pl.contact_phone_masked, pl.address, pl.lon, pl.lat, pl.status, pl.updated_at, pl.version",
    extra_join: "",
    text_columns: &["pl.name", "pl.address", "pl.credit_code"],
};

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TenantRow {
    pub rental_id: i64,
    pub person_id: i64,
    pub name: String,
    pub id_masked: String,
    pub kind: String,
}

pub async fn tenants(db: &Db, rental_ids: &[i64]) -> sqlx::Result<Vec<TenantRow>> {
    if rental_ids.is_empty() {
        return Ok(vec![]);
    }
    let marks: Vec<String> = (1..=rental_ids.len()).map(|i| format!("${i}")).collect();
    db.read()
        .fetch_all(
            &format!(
                "SELECT t.rental_id, t.person_id, p.name, p.id_masked, p.kind FROM rental_tenants t JOIN persons p ON p.id = t.person_id \
                 WHERE t.rental_id IN ({}) ORDER BY t.rental_id, p.id",
                marks.join(", ")
            ),
            rental_ids.iter().map(|i| Value::from(*i)).collect(),
        )
        .await
}

pub async fn set_tenants(tx: &mut Tx, rental_id: i64, person_ids: &[i64]) -> sqlx::Result<()> {
    tx.execute("DELETE FROM rental_tenants WHERE rental_id = $1", args![rental_id]).await?;
    for p in person_ids {
        tx.execute("INSERT INTO rental_tenants (rental_id, person_id) VALUES ($1, $2)", args![rental_id, *p]).await?;
    }
    Ok(())
}

/// Whether persons exist in the subtree (for tenants and household heads).
pub async fn persons_in_scope(db: &Db, scope_path: &str, ids: &[i64]) -> sqlx::Result<i64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut f = Filter::new();
    within(&mut f, scope_path);
    let marks = vec!["?"; ids.len()].join(", ");
    f.and(&format!("p.id IN ({marks})"), ids.iter().map(|i| Value::from(*i)).collect());
    f.and1("p.status <> ?", "deleted");
    let (n,): (i64,) = db
        .read()
        .fetch_one(
            &format!("SELECT COUNT(*) FROM persons p JOIN areas g ON g.id = p.grid_id{}", f.where_sql()),
            f.args(),
        )
        .await?;
    Ok(n)
}
