//! The demo's people: registered households in owner-occupied houses, left-behind children among
//! them, floating people in the rented houses, and special-population files on some heads.

use super::homes::Houses;
use super::{FLOATING, HOUSES, LEFT_BEHIND, PEOPLE, RENTALS, Rows};
use crate::crypto::Keys;
use crate::db::Value;
use crate::demo::names::{Rng, mobile, person_name};
use crate::domains::registry::id_number::{make, mask_id, mask_phone};
use crate::domains::registry::model::initials;
use chrono::NaiveDate;
use std::collections::HashSet;

const FROM: &[&str] = &["四川省南充市", "四川省巴中市", "重庆市万州区", "甘肃省陇南市", "四川省广元市", "贵州省遵义市"];

fn birth(rng: &mut Rng, min_year: i32, max_year: i32) -> NaiveDate {
    let y = min_year + rng.below((max_year - min_year + 1) as usize) as i32;
    NaiveDate::from_ymd_opt(y, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32).unwrap_or_default()
}

/// Identity numbers handed out so far: each person gets a new one.
#[derive(Default)]
pub(super) struct IdNumbers(HashSet<String>);

impl IdNumbers {
    /// A new identity number born between the years, and its birth date.
    pub(super) fn new_id(&mut self, rng: &mut Rng, min: i32, max: i32) -> (String, NaiveDate) {
        loop {
            let b = birth(rng, min, max);
            let s = make("510725", b, rng.below(1000) as u32);
            if self.0.insert(s.clone()) {
                return (s, b);
            }
        }
    }
}

/// The registered people's rows, their households' rows and the heads' person ids.
pub(super) struct People {
    pub(super) persons: Rows,
    pub(super) households: Rows,
    pub(super) heads: Vec<i64>,
}

/// Households of 1–5 in owner-occupied houses (some houses hold two households).
pub(super) fn registered_people(
    keys: &Keys,
    rng: &mut Rng,
    ids: &mut IdNumbers,
    (houses, first_house): (&Houses, i64),
    first_household: i64,
    next_person: &mut i64,
    now: i64,
) -> anyhow::Result<People> {
    let registered = PEOPLE - FLOATING;
    let mut persons = Vec::with_capacity(PEOPLE);
    let mut households = Vec::new();
    let mut heads = Vec::new();
    let mut next_household = first_household;
    let mut h = RENTALS;
    let mut made = 0;
    while made < registered {
        let house = h % HOUSES;
        let house = if house < RENTALS { RENTALS + house } else { house };
        h += if rng.below(10) == 0 { 0 } else { 1 }; // one household in ten shares its house with the next
        let size = (1 + rng.below(5)).min(registered - made);
        let hh_id = next_household;
        next_household += 1;
        let head_id = *next_person;
        let surname_rng_name = person_name(rng);
        let surname: String = surname_rng_name.chars().take(1).collect();
        for m in 0..size {
            if m == 0 {
                heads.push(*next_person);
            }
            persons.push(member(keys, rng, ids, houses, house, hh_id, &surname, m, *next_person, now)?);
            *next_person += 1;
            made += 1;
        }
        households.push(vec![
            hh_id.into(),
            houses.grid[house].into(),
            format!("HS{hh_id:06}").into(),
            (first_house + house as i64).into(),
            houses.addr[house].clone().into(),
            head_id.into(),
            now.into(),
            now.into(),
        ]);
    }
    Ok(People { persons, households, heads })
}

/// The `m`-th member of a household: the head, the spouse, then children.
#[allow(clippy::too_many_arguments)]
fn member(
    keys: &Keys,
    rng: &mut Rng,
    ids: &mut IdNumbers,
    houses: &Houses,
    house: usize,
    hh_id: i64,
    surname: &str,
    m: usize,
    person_id: i64,
    now: i64,
) -> anyhow::Result<Vec<Value>> {
    let (kind, relation, (min, max)) = match m {
        0 => ("registered", "01", (1940, 2000)),
        1 => ("registered", "02", (1940, 2000)),
        _ => ("registered", if m.is_multiple_of(2) { "10" } else { "20" }, (1975, 2022)),
    };
    let name = if m == 1 {
        person_name(rng)
    } else {
        format!("{surname}{}", person_name(rng).chars().skip(1).collect::<String>())
    };
    let (id_number, b) = ids.new_id(rng, min, max);
    let extra = format!(r#"{{"household_no":"HS{:06}"}}"#, hh_id);
    person_row(
        keys,
        rng,
        person_id,
        houses.grid[house],
        kind,
        &name,
        &id_number,
        b,
        &houses.addr[house],
        Some(house),
        Some(hh_id),
        relation,
        &extra,
        now,
    )
}

/// Floating people living in the rented houses; answers `(person id, house index)` of each.
pub(super) fn floating_people(
    keys: &Keys,
    rng: &mut Rng,
    ids: &mut IdNumbers,
    houses: &Houses,
    next_person: &mut i64,
    persons: &mut Rows,
    now: i64,
) -> anyhow::Result<Vec<(i64, usize)>> {
    let mut floating_ids = Vec::with_capacity(FLOATING);
    for f in 0..FLOATING {
        let house = f % RENTALS;
        let name = person_name(rng);
        let (id_number, b) = ids.new_id(rng, 1970, 2004);
        let extra = format!(
            r#"{{"permit_type":"1","permit_start":"2026-01-05","permit_end":"2027-01-04","reason":"务工","from_place":"{}","arrived_on":"2026-01-0{}","watch":false}}"#,
            FROM[f % FROM.len()],
            1 + f % 9
        );
        floating_ids.push((*next_person, house));
        persons.push(person_row(
            keys,
            rng,
            *next_person,
            houses.grid[house],
            "floating",
            &name,
            &id_number,
            b,
            &houses.addr[house],
            Some(house),
            None,
            "",
            &extra,
            now,
        )?);
        *next_person += 1;
    }
    Ok(floating_ids)
}

/// Persons' rows were built with the house index; turn it into the house id.
pub(super) fn fix_house_ids(persons: &mut Rows, first_house: i64) {
    for row in persons.iter_mut() {
        if let Value::Int(Some(idx)) = row[25] {
            row[25] = (first_house + idx).into();
        }
    }
}

/// Left-behind people are a share of the registered ones: relabel the first LEFT_BEHIND children.
pub(super) fn relabel_left_behind(persons: &mut Rows) {
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
}

/// Special-population files on a few heads of household, and `(file id, next visit due)` of each.
pub(super) fn special_files(
    keys: &Keys,
    heads: &[i64],
    first_file: i64,
    now: i64,
) -> anyhow::Result<(Rows, Vec<(i64, &'static str)>)> {
    let mut next_file = first_file;
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
                keys.encrypt_str(data)?.into(),
                due.into(),
                now.into(),
                now.into(),
            ]);
            visits.push((next_file, due));
            next_file += 1;
        }
    }
    Ok((files, visits))
}

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
