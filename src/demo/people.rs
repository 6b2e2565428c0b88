//! Synthetic people for the city and province scales: millions of valid, unique, encrypted people
//! spread evenly over the synthetic grids, generated in batches (kept across runs, topped up only).

use crate::crypto::Keys;
use crate::db::Db;
use crate::demo::names::{Rng, person_name};
use crate::domains::org::area_store;
use crate::domains::registry::id_number::{make, mask_id, mask_phone};
use crate::domains::registry::model::initials;
use crate::domains::registry::person_store::{self, PersonWrite};
use anyhow::Context;
use chrono::NaiveDate;
use std::time::Instant;

/// The `i`-th synthetic person of a county: unique ID (birth day and sequence from `i`), name, phone.
pub fn synthetic(i: u64, county: &str) -> (String, String, String) {
    let base = NaiveDate::from_ymd_opt(1940, 1, 1).unwrap_or_default();
    let day = base + chrono::Days::new(i % 29_000);
    let seq = ((i / 29_000) % 1000) as u32;
    let id = make(county, day, seq);
    let name = person_name(&mut Rng::new(i));
    let phone = format!("13{:09}", i % 1_000_000_000);
    (id, name, phone)
}

/// The row of a synthetic registered person.
pub fn write_of(keys: &Keys, grid: i64, id: &str, name: &str, phone: &str) -> anyhow::Result<PersonWrite> {
    let birth = format!("{}-{}-{}", &id[6..10], &id[10..12], &id[12..14]);
    Ok(PersonWrite {
        grid_id: grid,
        kind: "registered".into(),
        name: name.into(),
        name_initials: initials(name),
        former_name: String::new(),
        id_type: "111".into(),
        id_enc: keys.encrypt_str(id)?,
        id_bidx: keys.blind_index("id_number", id),
        id_masked: mask_id(id),
        sex: if (id.as_bytes()[16] - b'0') % 2 == 1 { "male" } else { "female" }.into(),
        birth_date: birth,
        ethnicity: "01".into(),
        native_place: String::new(),
        marital_status: "20".into(),
        political_status: "13".into(),
        education: "30".into(),
        religion: "0".into(),
        occupation: "职员".into(),
        workplace: String::new(),
        phone_enc: Some(keys.encrypt_str(phone)?),
        phone_bidx: Some(keys.blind_index("phone", phone)),
        phone_masked: mask_phone(phone),
        registered_address: String::new(),
        address: format!("合成路{}号", grid % 500),
        house_id: None,
        household_id: None,
        relation_to_head: String::new(),
        extra: "{}".into(),
        tags: String::new(),
    })
}

/// The code of the `i`-th synthetic county (as `seed_synthetic` numbers them).
pub fn county_code(i: usize) -> String {
    format!("51{:02}{:02}", 10 + i / 10, 1 + i % 10)
}

/// Every synthetic grid with its county's code, in a fixed order: person `n` lives in grid `n mod len`.
pub async fn synthetic_grids(db: &Db, counties: usize) -> anyhow::Result<Vec<(i64, String)>> {
    let mut grids = Vec::new();
    for i in 0..counties {
        let code = county_code(i);
        let c = area_store::get_by_code(db, &code).await?.context("synthetic county")?;
        for g in area_store::grids_under(db, &c.path).await? {
            grids.push((g.0, code.clone()));
        }
    }
    Ok(grids)
}

/// Tops the register up to `want` people over the synthetic grids of `counties` counties, printing
/// progress every 500,000; answers how many were added.
pub async fn generate(db: &Db, keys: &Keys, counties: usize, want: u64, now: i64) -> anyhow::Result<u64> {
    let grids = synthetic_grids(db, counties).await?;
    anyhow::ensure!(!grids.is_empty(), "no synthetic grids");
    let have = person_store::count_under(db, "/").await? as u64;
    if have >= want {
        return Ok(0);
    }
    let t = Instant::now();
    // Millions of rows: build the secondary indexes once at the end instead of row by row.
    let indexes =
        if want - have >= 500_000 { crate::db::bulk::secondary_indexes(db, "persons").await? } else { vec![] };
    crate::db::bulk::drop_indexes(db, &indexes).await?;
    let loaded = load(db, keys, &grids, have, want, now, t).await;
    if !indexes.is_empty() {
        let t = Instant::now();
        crate::db::bulk::create_indexes(db, &indexes).await?;
        println!("  {} indexes rebuilt in {:.1} s", indexes.len(), t.elapsed().as_secs_f64());
    }
    loaded?;
    // Fresh bulk-loaded tables: statistics and the visibility map (for index-only scans).
    db.refresh_statistics(&["persons"], crate::db::Statistics { vacuum: true, sqlite: false }).await?;
    Ok(want - have)
}

/// Writes people `have..want` in batches of 50,000, prepared on two threads.
async fn load(
    db: &Db,
    keys: &Keys,
    grids: &[(i64, String)],
    have: u64,
    want: u64,
    now: i64,
    t: Instant,
) -> anyhow::Result<()> {
    let mut i = have;
    while i < want {
        let end = (i + 50_000).min(want);
        let (k, g) = (keys.clone(), grids.to_vec());
        let rows: Vec<PersonWrite> = tokio::task::spawn_blocking(move || {
            let make = |from: u64, to: u64| {
                (from..to)
                    .map(|n| {
                        let (grid, county) = &g[(n as usize) % g.len()];
                        let (id, name, phone) = synthetic(n, county);
                        write_of(&k, *grid, &id, &name, &phone)
                    })
                    .collect::<anyhow::Result<Vec<_>>>()
            };
            let mid = i + (end - i) / 2;
            std::thread::scope(|s| {
                let second = s.spawn(|| make(mid, end));
                let mut rows = make(i, mid)?;
                rows.extend(second.join().map_err(|_| anyhow::anyhow!("generator thread failed"))??);
                Ok::<_, anyhow::Error>(rows)
            })
        })
        .await??;
        let mut tx = db.begin().await?;
        person_store::insert_many(&mut tx, &rows, now).await?;
        tx.commit().await?;
        i = end;
        if i.is_multiple_of(500_000) || i == want {
            println!("  {i} people ({:.0} rows/s)", (i - have) as f64 / t.elapsed().as_secs_f64());
        }
    }
    Ok(())
}
