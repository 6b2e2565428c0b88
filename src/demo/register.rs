//! The demo register of 鹤山镇 with the seed's exact counts: 46,667 people (2,000 floating),
//! 21,363 houses, 2,007 rentals whose tenants are the floating people, 321 key places,
//! households that share houses, and some special-population files with visits.

use super::names::{Rng, mobile, person_name};
use crate::crypto::Keys;
use crate::db::bulk::{insert_rows, max_id, sync_sequence};
use crate::db::{Db, Value};
use crate::domains::registry::id_number::{make, mask_id, mask_phone};
use crate::domains::registry::model::initials;
use chrono::NaiveDate;
use std::collections::HashSet;

pub const PEOPLE: usize = 46_667;
pub const FLOATING: usize = 2_000;
pub const LEFT_BEHIND: usize = 500;
pub const HOUSES: usize = 21_363;
pub const RENTALS: usize = 2_007;
pub const PLACES: usize = 321;

const ROADS: &[&str] =
    &["嫩水路", "鹤鸣街", "白鹤巷", "青山路", "东街", "西街", "南桥路", "政通路", "文化街", "人民路"];
const PLACE_TYPES: &[(&str, &str)] = &[
    ("school", "学校"),
    ("hospital", "诊所"),
    ("internet_cafe", "网吧"),
    ("entertainment", "KTV"),
    ("hazardous_chemicals", "加油站"),
    ("market", "农贸市场"),
    ("hotel", "宾馆"),
    ("enterprise", "有限公司"),
    ("social_org", "协会"),
];
const FROM: &[&str] = &["四川省南充市", "四川省巴中市", "重庆市万州区", "甘肃省陇南市", "四川省广元市", "贵州省遵义市"];

/// A unified social credit code with a correct check character (GB 32100).
fn credit_code(rng: &mut Rng) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const W: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let mut v: Vec<usize> = vec![9, 1, 5, 1, 0, 7, 2, 5];
    while v.len() < 17 {
        v.push(rng.below(31));
    }
    let sum: usize = v.iter().zip(W).map(|(a, w)| a * w).sum();
    v.push((31 - sum % 31) % 31);
    v.into_iter().map(|i| CHARS[i] as char).collect()
}

fn birth(rng: &mut Rng, min_year: i32, max_year: i32) -> NaiveDate {
    let y = min_year + rng.below((max_year - min_year + 1) as usize) as i32;
    NaiveDate::from_ymd_opt(y, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32).unwrap_or_default()
}

/// Writes the register of the grids given as `(grid_id, grid_code)`; answers rows written.
pub async fn seed(db: &Db, keys: &Keys, grids: &[(i64, String)], now: i64) -> anyhow::Result<u64> {
    if grids.is_empty() {
        return Ok(0);
    }
    let mut rng = Rng::new(31000);
    let mut tx = db.begin().await?;
    let mut next_house = max_id(&mut tx, "houses").await? + 1;
    let mut next_household = max_id(&mut tx, "households").await? + 1;
    let mut next_person = max_id(&mut tx, "persons").await? + 1;
    let mut next_rental = max_id(&mut tx, "rentals").await? + 1;
    let mut next_file = max_id(&mut tx, "special_files").await? + 1;
    let enc = |s: &str| keys.encrypt_str(s);

    // Houses, spread evenly over the grids; the first RENTALS of them are rented out.
    let mut houses = Vec::with_capacity(HOUSES);
    let mut house_grid = Vec::with_capacity(HOUSES);
    let mut house_addr = Vec::with_capacity(HOUSES);
    let mut ids_seen = HashSet::new();
    let mut new_id = |rng: &mut Rng, min: i32, max: i32| loop {
        let b = birth(rng, min, max);
        let s = make("510725", b, rng.below(1000) as u32);
        if ids_seen.insert(s.clone()) {
            return (s, b);
        }
    };
    for h in 0..HOUSES {
        let (grid_id, grid_code) = &grids[h % grids.len()];
        let road = ROADS[(h / grids.len()) % ROADS.len()];
        let (no, b, u, r) = (
            1 + h % 97,
            format!("{}栋", 1 + (h / 7) % 12),
            format!("{}单元", 1 + h % 3),
            format!("{}", 101 + (h % 6) * 100 + h % 4),
        );
        let address = format!("{road}{no}号{b}{u}{r}");
        let owner = person_name(&mut rng);
        let (owner_id, _) = new_id(&mut rng, 1945, 1995);
        let phone = mobile(&mut rng);
        let id = next_house;
        next_house += 1;
        houses.push(vec![
            id.into(),
            (*grid_id).into(),
            format!("F{}-{:05}", &grid_code[9..], h).into(),
            format!("{road}{no}号").into(),
            b.into(),
            u.into(),
            r.into(),
            address.clone().into(),
            if h < RENTALS { "20" } else { "10" }.into(),
            Value::Float(Some(40.0 + (h % 90) as f64)),
            owner.into(),
            enc(&owner_id)?.into(),
            keys.blind_index("id_number", &owner_id).into(),
            mask_id(&owner_id).into(),
            enc(&phone)?.into(),
            mask_phone(&phone).into(),
            if h % 50 == 0 { "fire" } else { "none" }.into(),
            now.into(),
            now.into(),
        ]);
        house_grid.push(*grid_id);
        house_addr.push(address);
    }

    // People: households of 1–5 in owner-occupied houses (some houses hold two households),
    // left-behind people among them, and floating people living in the rented houses.
    let registered = PEOPLE - FLOATING;
    let mut persons = Vec::with_capacity(PEOPLE);
    let mut households = Vec::new();
    let mut floating_ids = Vec::with_capacity(FLOATING);
    let mut heads = Vec::new();
    let mut h = RENTALS;
    let mut made = 0;
    while made < registered {
        let house = h % HOUSES;
        let house = if house < RENTALS { RENTALS + house } else { house };
        h += if rng.below(10) == 0 { 0 } else { 1 }; // one household in ten shares its house with the next
        let size = (1 + rng.below(5)).min(registered - made);
        let hh_id = next_household;
        next_household += 1;
        let head_id = next_person;
        let surname_rng_name = person_name(&mut rng);
        let surname: String = surname_rng_name.chars().take(1).collect();
        for m in 0..size {
            let (kind, relation, (min, max)) = match m {
                0 => ("registered", "01", (1940, 2000)),
                1 => ("registered", "02", (1940, 2000)),
                _ => ("registered", if m % 2 == 0 { "10" } else { "20" }, (1975, 2022)),
            };
            if m == 0 {
                heads.push(next_person);
            }
            let name = if m == 1 {
                person_name(&mut rng)
            } else {
                format!("{surname}{}", person_name(&mut rng).chars().skip(1).collect::<String>())
            };
            let (id_number, b) = new_id(&mut rng, min, max);
            let extra = format!(r#"{{"household_no":"HS{:06}"}}"#, hh_id);
            persons.push(person_row(
                keys,
                &mut rng,
                next_person,
                house_grid[house],
                kind,
                &name,
                &id_number,
                b,
                &house_addr[house],
                Some(house),
                Some(hh_id),
                relation,
                &extra,
                now,
            )?);
            next_person += 1;
            made += 1;
        }
        households.push(vec![
            hh_id.into(),
            house_grid[house].into(),
            format!("HS{hh_id:06}").into(),
            (next_house - HOUSES as i64 + house as i64).into(),
            house_addr[house].clone().into(),
            head_id.into(),
            now.into(),
            now.into(),
        ]);
    }
    // Fix house ids of persons (rows were built with the house index; turn it into the id).
    let first_house = next_house - HOUSES as i64;
    for f in 0..FLOATING {
        let house = f % RENTALS;
        let name = person_name(&mut rng);
        let (id_number, b) = new_id(&mut rng, 1970, 2004);
        let extra = format!(
            r#"{{"permit_type":"1","permit_start":"2026-01-05","permit_end":"2027-01-04","reason":"务工","from_place":"{}","arrived_on":"2026-01-0{}","watch":false}}"#,
            FROM[f % FROM.len()],
            1 + f % 9
        );
        floating_ids.push((next_person, house));
        persons.push(person_row(
            keys,
            &mut rng,
            next_person,
            house_grid[house],
            "floating",
            &name,
            &id_number,
            b,
            &house_addr[house],
            Some(house),
            None,
            "",
            &extra,
            now,
        )?);
        next_person += 1;
    }
    for row in persons.iter_mut() {
        if let Value::Int(Some(idx)) = row[25] {
            row[25] = (first_house + idx).into();
        }
    }
    // Left-behind people are a share of the registered ones: relabel the first LEFT_BEHIND children.
    let mut left = 0;
    for row in persons.iter_mut() {
        if left >= LEFT_BEHIND {
            break;
        }
        if row[2] == Value::from("registered") && row[27] == Value::from("10") {
            row[2] = "left_behind".into();
            row[28] = r#"{"left_behind_type":"child","health":"良好","needs":"课后照看"}"#.into();
            left += 1;
        }
    }

    // Rentals on the first RENTALS houses; the floating people are their tenants.
    let mut rentals = Vec::with_capacity(RENTALS);
    let mut tenants = Vec::with_capacity(FLOATING);
    let first_rental = next_rental;
    for (r, grid) in house_grid.iter().enumerate().take(RENTALS) {
        let phone = mobile(&mut rng);
        rentals.push(vec![
            next_rental.into(),
            (*grid).into(),
            (first_house + r as i64).into(),
            person_name(&mut rng).into(),
            enc(&phone)?.into(),
            mask_phone(&phone).into(),
            "2026-01-01".into(),
            "2026-12-31".into(),
            "10".into(),
            (r % 3 != 0).into(),
            now.into(),
            now.into(),
        ]);
        next_rental += 1;
    }
    for (pid, house) in &floating_ids {
        tenants.push(vec![(first_rental + *house as i64).into(), (*pid).into()]);
    }

    // Key places.
    let mut places = Vec::with_capacity(PLACES);
    let mut codes_seen = HashSet::new();
    for p in 0..PLACES {
        let (ty, label) = PLACE_TYPES[p % PLACE_TYPES.len()];
        let grid = grids[p % grids.len()].0;
        let code = loop {
            let c = credit_code(&mut rng);
            if codes_seen.insert(c.clone()) {
                break c;
            }
        };
        let phone = mobile(&mut rng);
        places.push(vec![
            grid.into(),
            format!("鹤山{}{}", ROADS[p % ROADS.len()].trim_end_matches(['路', '街', '巷']), label).into(),
            ty.into(),
            code.into(),
            person_name(&mut rng).into(),
            person_name(&mut rng).into(),
            enc(&phone)?.into(),
            mask_phone(&phone).into(),
            format!("{}{}号", ROADS[p % ROADS.len()], 100 + p).into(),
            now.into(),
            now.into(),
        ]);
    }

    // Special-population files on a few adults, with a first visit each; some overdue.
    let mut files = Vec::new();
    let mut visits = Vec::new();
    let kinds: [(&str, usize, &str); 5] = [
        (
            "released_prisoner",
            15,
            r#"{"crime":"盗窃罪","sentence":"有期徒刑二年","released_on":"2025-06-30","resettlement":"已就业"}"#,
        ),
        (
            "community_correction",
            12,
            r#"{"correction_no":"SJ2026001","category":"缓刑","crime":"危险驾驶罪","start_on":"2026-01-10","end_on":"2026-07-09"}"#,
        ),
        ("drug_user", 10, r#"{"found_on":"2024-11-03","control_status":"社区康复"}"#),
        (
            "mental_disorder",
            15,
            r#"{"diagnosis":"精神分裂症","risk_level":"1","treatment":"规律服药","guardian":"配偶"}"#,
        ),
        ("at_risk_youth", 8, r#"{"youth_type":"闲散青少年","help_given":"职业培训"}"#),
    ];
    let mut k = 0;
    for (kind, count, data) in kinds {
        for i in 0..count {
            let person_id = heads[(k * 150) % heads.len()];
            k += 1;
            let due = if i % 4 == 0 { "2026-02-15" } else { "2026-12-15" };
            files.push(vec![
                next_file.into(),
                person_id.into(),
                kind.into(),
                enc(data)?.into(),
                due.into(),
                now.into(),
                now.into(),
            ]);
            visits.push((next_file, due));
            next_file += 1;
        }
    }

    let mut n = 0;
    n += insert_rows(&mut tx, "houses", &HOUSE_COLS, houses).await?;
    n += insert_rows(
        &mut tx,
        "households",
        &["id", "grid_id", "household_no", "house_id", "address", "head_person_id", "created_at", "updated_at"],
        households,
    )
    .await?;
    n += insert_rows(&mut tx, "persons", &PERSON_COLS, persons).await?;
    n += insert_rows(
        &mut tx,
        "rentals",
        &[
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
        ],
        rentals,
    )
    .await?;
    n += insert_rows(&mut tx, "rental_tenants", &["rental_id", "person_id"], tenants).await?;
    n += insert_rows(
        &mut tx,
        "places",
        &[
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
        ],
        places,
    )
    .await?;
    n += insert_rows(
        &mut tx,
        "special_files",
        &["id", "person_id", "kind", "data_enc", "next_visit_due", "created_at", "updated_at"],
        files,
    )
    .await?;
    let visitor: Option<(i64,)> =
        tx.fetch_optional("SELECT id FROM accounts WHERE username = 'heshan.c1.g1'", vec![]).await?;
    if let Some((account,)) = visitor {
        let rows: Vec<Vec<Value>> = visits
            .into_iter()
            .map(|(file, due)| {
                Ok(vec![
                    file.into(),
                    "2026-01-15".into(),
                    account.into(),
                    enc("入户走访，情况稳定")?.into(),
                    due.into(),
                    now.into(),
                ])
            })
            .collect::<anyhow::Result<_>>()?;
        n += insert_rows(
            &mut tx,
            "special_visits",
            &["file_id", "visited_on", "account_id", "note_enc", "next_visit_due", "created_at"],
            rows,
        )
        .await?;
    }
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

#[allow(clippy::too_many_arguments)]
fn person_row(
    keys: &Keys,
    rng: &mut Rng,
    id: i64,
    grid: i64,
    kind: &str,
    name: &str,
    id_number: &str,
    birth: NaiveDate,
    address: &str,
    house_index: Option<usize>,
    household: Option<i64>,
    relation: &str,
    extra: &str,
    now: i64,
) -> anyhow::Result<Vec<Value>> {
    let phone = mobile(rng);
    let sex = if (id_number.as_bytes()[16] - b'0') % 2 == 1 { "male" } else { "female" };
    let adult = birth.format("%Y").to_string().parse::<i32>().unwrap_or(2000) < 2006;
    let education = ["20", "30", "60", "70", "80"][rng.below(5)];
    Ok(vec![
        id.into(),
        grid.into(),
        kind.into(),
        name.into(),
        initials(name).into(),
        "111".into(),
        keys.encrypt_str(id_number)?.into(),
        keys.blind_index("id_number", id_number).into(),
        mask_id(id_number).into(),
        sex.into(),
        birth.to_string().into(),
        if rng.below(30) == 0 { "03" } else { "01" }.into(),
        if adult { "20" } else { "10" }.into(),
        if adult && rng.below(8) == 0 { "01" } else { "13" }.into(),
        education.into(),
        "0".into(),
        if adult { ["个体经营", "务工", "教师", "退休", "农民", "职员"][rng.below(6)] } else { "学生" }.into(),
        Value::Bytes(if adult { Some(keys.encrypt_str(&phone)?) } else { None }),
        (if adult { Some(keys.blind_index("phone", &phone)) } else { None }).into(),
        if adult { mask_phone(&phone) } else { String::new() }.into(),
        if kind == "floating" { "外地".to_owned() } else { format!("四川省演示县鹤山镇{address}") }.into(),
        address.into(),
        if kind == "floating" { "外省市" } else { "四川演示县" }.into(),
        "".into(),
        "".into(),
        house_index.map(|i| i as i64).into(),
        household.into(),
        relation.into(),
        extra.into(),
        "".into(),
        "active".into(),
        now.into(),
        now.into(),
    ])
}
