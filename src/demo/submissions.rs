//! Demo submissions (报送/签收): floating people registered over the last month by the seed town's grid
//! workers through the register's own service (which submits them to the police station), most signed
//! off, some returned and resent, some still waiting — a few past their sign-off limit.

use super::events::actor;
use crate::args;
use crate::clock::{DAY, HOUR, Millis};
use crate::demo::names::{Rng, person_name};
use crate::domains::registry::id_number::make;
use crate::domains::registry::persons::{self, PersonInput};
use crate::domains::submissions::service::{self as submissions, ActionInput, ListQuery};
use crate::state::AppState;
use anyhow::anyhow;
use serde_json::json;

const FROM: [(&str, &str); 4] = [
    ("500101", "重庆市万州区"),
    ("510623", "四川省德阳市中江县"),
    ("511321", "四川省南充市南部县"),
    ("530102", "云南省昆明市五华区"),
];

/// Creates the demo submissions (once: only while there are none); answers how many.
pub async fn seed(state: &AppState, now: Millis) -> anyhow::Result<u64> {
    let (have,): (i64,) = state.db.read().fetch_one("SELECT COUNT(*) FROM submissions", args![]).await?;
    if have > 0 {
        return Ok(0);
    }
    let mut rng = Rng::new(311);
    let mut n = 0;
    for i in 0..24u32 {
        let worker = format!("heshan.c{}.g{}", 1 + i % 3, 1 + i % 5);
        let at = now - (30 - i64::from(i)) * DAY + 2 * HOUR;
        let w = actor(state, &worker, at).await?;
        let (code, place) = FROM[rng.below(FROM.len())];
        let birth = chrono::NaiveDate::from_ymd_opt(1975 + (i % 25) as i32, 1 + i % 12, 1 + i % 27).unwrap_or_default();
        let input = PersonInput {
            kind: Some("floating".into()),
            name: Some(person_name(&mut rng)),
            id_number: Some(make(code, birth, 500 + i)),
            phone: Some(format!("1398160{:04}", 1000 + i)),
            grid_id: Some(w.scope.area_id()),
            address: Some(format!("鹤山镇嫩水路 {} 号出租屋", 10 + i)),
            occupation: Some("务工".into()),
            extra: Some(
                json!({ "permit_type": "1", "reason": "务工", "from_place": place, "arrived_on": crate::clock::to_local(at - 5 * DAY).format("%Y-%m-%d").to_string() }),
            ),
            ..Default::default()
        };
        persons::create(state, &w, &input).await.map_err(|e| anyhow!("floating person: {e}"))?;
        n += 1;
    }
    // The police station signs most of them off a day or two later, returns a few, and leaves the latest waiting.
    let police = actor(state, "heshan.police", now).await?;
    let page = submissions::list(state, &police, &ListQuery { per_page: Some(100), ..Default::default() })
        .await
        .map_err(|e| anyhow!("{e}"))?;
    for (k, s) in page.items.iter().enumerate() {
        let (action, note) = match k % 8 {
            0..=4 if k < 18 => ("sign", None),
            5 if k < 18 => ("return", Some("居住证号码与来源地不一致，请核实后重报".to_owned())),
            _ => continue,
        };
        let input = ActionInput { action: Some(action.into()), note, version: None };
        submissions::act(state, &police, s.id, &input).await.map_err(|e| anyhow!("{action}: {e}"))?;
    }
    Ok(n)
}
