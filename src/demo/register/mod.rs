//! The demo register of 鹤山镇 with the seed's exact counts: 46,667 people (2,000 floating),
//! 21,363 houses, 2,007 rentals whose tenants are the floating people, 321 key places,
//! households that share houses, and some special-population files with visits.

mod homes;
mod people;

use super::names::Rng;
use crate::crypto::Keys;
use crate::db::bulk::{insert_rows, max_id, sync_sequence};
use crate::db::{Db, Tx, Value};
use homes::{houses, places, rentals};
use people::{
    IdNumbers, People, fix_house_ids, floating_people, registered_people, relabel_left_behind, special_files,
};

pub const PEOPLE: usize = 46_667;
pub const FLOATING: usize = 2_000;
pub const LEFT_BEHIND: usize = 500;
pub const HOUSES: usize = 21_363;
pub const RENTALS: usize = 2_007;
pub const PLACES: usize = 321;

/// Writes the register of the grids given as `(grid_id, grid_code)`; answers rows written.
pub async fn seed(db: &Db, keys: &Keys, grids: &[(i64, String)], now: i64) -> anyhow::Result<u64> {
    if grids.is_empty() {
        return Ok(0);
    }
    let mut rng = Rng::new(31000);
    let mut tx = db.begin().await?;
    let first_house = max_id(&mut tx, "houses").await? + 1;
    let first_household = max_id(&mut tx, "households").await? + 1;
    let mut next_person = max_id(&mut tx, "persons").await? + 1;
    let first_rental = max_id(&mut tx, "rentals").await? + 1;
    let first_file = max_id(&mut tx, "special_files").await? + 1;
    let mut ids = IdNumbers::default();

    // Houses, spread evenly over the grids; the first RENTALS of them are rented out.
    let houses = houses(keys, &mut rng, &mut ids, grids, first_house, now)?;
    // People: households of 1–5 in owner-occupied houses (some houses hold two households),
    // left-behind people among them, and floating people living in the rented houses.
    let homes = (&houses, first_house);
    let mut people = registered_people(keys, &mut rng, &mut ids, homes, first_household, &mut next_person, now)?;
    let floating = floating_people(keys, &mut rng, &mut ids, &houses, &mut next_person, &mut people.persons, now)?;
    // Fix house ids of persons (rows were built with the house index; turn it into the id).
    fix_house_ids(&mut people.persons, first_house);
    relabel_left_behind(&mut people.persons);
    // Rentals on the first RENTALS houses; the floating people are their tenants.
    let (rentals, tenants) = rentals(keys, &mut rng, &houses.grid, first_house, first_rental, &floating, now)?;
    let places = places(keys, &mut rng, grids, now)?;
    // Special-population files on a few adults, with a first visit each; some overdue.
    let (files, visits) = special_files(keys, &people.heads, first_file, now)?;

    let mut n = insert_register(&mut tx, houses.rows, people, (rentals, tenants), places, files).await?;
    n += insert_visits(&mut tx, keys, visits, now).await?;
    for t in ["houses", "households", "persons", "rentals", "places", "special_files", "special_visits"] {
        sync_sequence(&mut tx, t).await?;
    }
    crate::audit::record(
        &mut tx,
        &crate::audit::AuditCtx::cli(now),
        "demo_register_seeded",
        "area",
        "鹤山镇",
        serde_json::json!({ "rows": n }),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    tx.commit().await?;
    Ok(n)
}

type Rows = Vec<Vec<Value>>;

/// Inserts houses, households, persons, rentals with their tenants, places and special files.
async fn insert_register(
    tx: &mut Tx,
    houses: Rows,
    people: People,
    (rentals, tenants): (Rows, Rows),
    places: Rows,
    files: Rows,
) -> anyhow::Result<u64> {
    let mut n = 0;
    n += insert_rows(tx, "houses", &HOUSE_COLS, houses).await?;
    n += insert_rows(tx, "households", &HOUSEHOLD_COLS, people.households).await?;
    n += insert_rows(tx, "persons", &PERSON_COLS, people.persons).await?;
    n += insert_rows(tx, "rentals", &RENTAL_COLS, rentals).await?;
    n += insert_rows(tx, "rental_tenants", &["rental_id", "person_id"], tenants).await?;
    n += insert_rows(tx, "places", &PLACE_COLS, places).await?;
    n += insert_rows(tx, "special_files", &SPECIAL_FILE_COLS, files).await?;
    Ok(n)
}

/// The first visit of each special file, by the demo grid worker of 鹤山镇 (if the account exists).
async fn insert_visits(tx: &mut Tx, keys: &Keys, visits: Vec<(i64, &str)>, now: i64) -> anyhow::Result<u64> {
    let visitor: Option<(i64,)> =
        tx.fetch_optional("SELECT id FROM accounts WHERE username = 'heshan.c1.g1'", vec![]).await?;
    let Some((account,)) = visitor else {
        return Ok(0);
    };
    let rows: Vec<Vec<Value>> = visits
        .into_iter()
        .map(|(file, due)| {
            Ok(vec![
                file.into(),
                "2026-01-15".into(),
                account.into(),
                keys.encrypt_str("入户走访，情况稳定")?.into(),
                due.into(),
                now.into(),
            ])
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(insert_rows(
        tx,
        "special_visits",
        &["file_id", "visited_on", "account_id", "note_enc", "next_visit_due", "created_at"],
        rows,
    )
    .await?)
}

const HOUSE_COLS: [&str; 19] = [
    "id",
    "grid_id",
    "house_no",
    "road",
    "building",
    "unit",
    "room",
    "address",
    "house_use",
    "floor_area",
    "owner_name",
    "owner_id_enc",
    "owner_id_bidx",
    "owner_id_masked",
    "owner_phone_enc",
    "owner_phone_masked",
    "hazard",
    "created_at",
    "updated_at",
];

const HOUSEHOLD_COLS: [&str; 8] =
    ["id", "grid_id", "household_no", "house_id", "address", "head_person_id", "created_at", "updated_at"];

const RENTAL_COLS: [&str; 12] = [
    "id",
    "grid_id",
    "house_id",
    "landlord_name",
    "landlord_phone_enc",
    "landlord_phone_masked",
    "start_date",
    "end_date",
    "rental_use",
    "police_registered",
    "created_at",
    "updated_at",
];

const PLACE_COLS: [&str; 11] = [
    "grid_id",
    "name",
    "place_type",
    "credit_code",
    "legal_person",
    "safety_person",
    "contact_phone_enc",
    "contact_phone_masked",
    "address",
    "created_at",
    "updated_at",
];

const SPECIAL_FILE_COLS: [&str; 7] =
    ["id", "person_id", "kind", "data_enc", "next_visit_due", "created_at", "updated_at"];

const PERSON_COLS: [&str; 33] = [
    "id",
    "grid_id",
    "kind",
    "name",
    "name_initials",
    "id_type",
    "id_enc",
    "id_bidx",
    "id_masked",
    "sex",
    "birth_date",
    "ethnicity",
    "marital_status",
    "political_status",
    "education",
    "religion",
    "occupation",
    "phone_enc",
    "phone_bidx",
    "phone_masked",
    "registered_address",
    "address",
    "native_place",
    "workplace",
    "former_name",
    "house_id",
    "household_id",
    "relation_to_head",
    "extra",
    "tags",
    "status",
    "created_at",
    "updated_at",
];
