//! The demo's houses, rentals and key places (with valid unified social credit codes).

use super::people::IdNumbers;
use super::{HOUSES, PLACES, RENTALS, Rows};
use crate::crypto::Keys;
use crate::db::Value;
use crate::demo::names::{Rng, mobile, person_name};
use crate::domains::registry::id_number::{mask_id, mask_phone};
use std::collections::HashSet;

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

/// The houses' rows, and each house's grid and address (by index).
pub(super) struct Houses {
    pub(super) rows: Rows,
    pub(super) grid: Vec<i64>,
    pub(super) addr: Vec<String>,
}

/// Houses, spread evenly over the grids; the first RENTALS of them are rented out.
pub(super) fn houses(
    keys: &Keys,
    rng: &mut Rng,
    ids: &mut IdNumbers,
    grids: &[(i64, String)],
    first_house: i64,
    now: i64,
) -> anyhow::Result<Houses> {
    let mut houses = Vec::with_capacity(HOUSES);
    let mut house_grid = Vec::with_capacity(HOUSES);
    let mut house_addr = Vec::with_capacity(HOUSES);
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
        let owner = person_name(rng);
        let (owner_id, _) = ids.new_id(rng, 1945, 1995);
        let phone = mobile(rng);
        let id = first_house + h as i64;
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
            keys.encrypt_str(&owner_id)?.into(),
            keys.blind_index("id_number", &owner_id).into(),
            mask_id(&owner_id).into(),
            keys.encrypt_str(&phone)?.into(),
            mask_phone(&phone).into(),
            if h % 50 == 0 { "fire" } else { "none" }.into(),
            now.into(),
            now.into(),
        ]);
        house_grid.push(*grid_id);
        house_addr.push(address);
    }
    Ok(Houses { rows: houses, grid: house_grid, addr: house_addr })
}

/// Rentals on the first RENTALS houses, and their tenants: the floating people `(person id, house index)`.
pub(super) fn rentals(
    keys: &Keys,
    rng: &mut Rng,
    house_grid: &[i64],
    first_house: i64,
    first_rental: i64,
    floating_ids: &[(i64, usize)],
    now: i64,
) -> anyhow::Result<(Rows, Rows)> {
    let mut rentals = Vec::with_capacity(RENTALS);
    let mut tenants = Vec::with_capacity(super::FLOATING);
    for (r, grid) in house_grid.iter().enumerate().take(RENTALS) {
        let phone = mobile(rng);
        rentals.push(vec![
            (first_rental + r as i64).into(),
            (*grid).into(),
            (first_house + r as i64).into(),
            person_name(rng).into(),
            keys.encrypt_str(&phone)?.into(),
            mask_phone(&phone).into(),
            "2026-01-01".into(),
            "2026-12-31".into(),
            "10".into(),
            (r % 3 != 0).into(),
            now.into(),
            now.into(),
        ]);
    }
    for (pid, house) in floating_ids {
        tenants.push(vec![(first_rental + *house as i64).into(), (*pid).into()]);
    }
    Ok((rentals, tenants))
}

/// Key places, spread over the grids.
pub(super) fn places(keys: &Keys, rng: &mut Rng, grids: &[(i64, String)], now: i64) -> anyhow::Result<Rows> {
    let mut places = Vec::with_capacity(PLACES);
    let mut codes_seen = HashSet::new();
    for p in 0..PLACES {
        let (ty, label) = PLACE_TYPES[p % PLACE_TYPES.len()];
        let grid = grids[p % grids.len()].0;
        let code = loop {
            let c = credit_code(rng);
            if codes_seen.insert(c.clone()) {
                break c;
            }
        };
        let phone = mobile(rng);
        places.push(vec![
            grid.into(),
            format!("鹤山{}{}", ROADS[p % ROADS.len()].trim_end_matches(['路', '街', '巷']), label).into(),
            ty.into(),
            code.into(),
            person_name(rng).into(),
            person_name(rng).into(),
            keys.encrypt_str(&phone)?.into(),
            mask_phone(&phone).into(),
            format!("{}{}号", ROADS[p % ROADS.len()], 100 + p).into(),
            now.into(),
            now.into(),
        ]);
    }
    Ok(places)
}
