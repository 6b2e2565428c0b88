//! Demo submissions (报送/签收): over the last month the seed town's grid workers update floating
//! people of the seed register (a new phone number, through the register's own service, which
//! submits the change to the police station) — so the demo's head counts stay the seed's. Most are
//! signed off, some returned and resent, some still waiting — a few past their sign-off limit.

use super::events::actor;
use crate::args;
use crate::clock::{DAY, HOUR, Millis};
use crate::domains::registry::persons::{self, PersonInput, PersonQuery};
use crate::domains::submissions::service::{self as submissions, ActionInput, ListQuery};
use crate::state::AppState;
use anyhow::anyhow;

/// Creates the demo submissions (once: only while there are none); answers how many.
pub async fn seed(state: &AppState, now: Millis) -> anyhow::Result<u64> {
    let (have,): (i64,) = state.db.read().fetch_one("SELECT COUNT(*) FROM submissions", args![]).await?;
    if have > 0 {
        return Ok(0);
    }
    let mut n = 0;
    for i in 0..24u32 {
        let worker = format!("heshan.c{}.g{}", 1 + i % 3, 1 + i % 5);
        let at = now - (30 - i64::from(i)) * DAY + 2 * HOUR;
        let w = actor(state, &worker, at).await?;
        // The (i / 15 + 1)-th floating person of the worker's grid: 15 workers, some twice.
        let q = PersonQuery {
            grid: Some(w.scope.area_id()),
            kind: Some("floating".into()),
            sort: Some("id".into()),
            page: Some(i64::from(i / 15) + 1),
            per_page: Some(1),
            ..Default::default()
        };
        let page = persons::search(state, &w, &q).await.map_err(|e| anyhow!("floating people: {e}"))?;
        let Some(p) = page.items.first() else { continue };
        let input = PersonInput {
            version: Some(p.version),
            phone: Some(format!("1398160{:04}", 1000 + i)),
            occupation: Some("务工".into()),
            ..Default::default()
        };
        persons::update(state, &w, p.id, &input).await.map_err(|e| anyhow!("floating person: {e}"))?;
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
