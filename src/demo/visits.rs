//! Demo household visits (走访户): the seed town's grid workers visit a few households of their grids
//! over the last six weeks through the visits service; some next visits are already overdue.

use super::events::actor;
use crate::args;
use crate::clock::{DAY, Millis};
use crate::domains::visits::model::{VISIT_KINDS, VisitInput};
use crate::domains::visits::service;
use crate::state::AppState;
use anyhow::anyhow;

const NOTES: [&str; 4] = [
    "入户走访，家中老人身体尚可，告知网格员电话",
    "了解低保办理进度，已转社区民政专干",
    "邻里漏水纠纷回访，双方已协商维修",
    "检查燃气管道和灭火器，提醒定期更换软管",
];

/// Creates the demo visits (once: only while there are none); answers how many.
pub async fn seed(state: &AppState, now: Millis) -> anyhow::Result<u64> {
    let (have,): (i64,) = state.db.read().fetch_one("SELECT COUNT(*) FROM household_visits", args![]).await?;
    if have > 0 {
        return Ok(0);
    }
    let mut n = 0;
    for w in 0..15u32 {
        let worker = format!("heshan.c{}.g{}", 1 + w % 3, 1 + w % 5);
        let Ok(a) = actor(state, &worker, now).await else { continue };
        let households: Vec<(i64,)> = state
            .db
            .read()
            .fetch_all(
                "SELECT id FROM households WHERE grid_id = $1 AND status = 'active' ORDER BY id LIMIT 4",
                args![a.scope.area_id()],
            )
            .await?;
        for (k, (id,)) in households.into_iter().enumerate() {
            let k = k as i64;
            let days_ago = 2 + (i64::from(w) * 7 + k * 11) % 40;
            let on = crate::clock::to_local(now - days_ago * DAY).date_naive();
            let input = VisitInput {
                visited_on: on.to_string(),
                kind: VISIT_KINDS[((i64::from(w) + k) % 4) as usize].0.to_owned(),
                note: NOTES[((i64::from(w) + k) % 4) as usize].to_owned(),
                next_visit_due: Some((on + chrono::Duration::days(30)).to_string()),
            };
            service::record(state, &a, id, &input).await.map_err(|e| anyhow!("household visit: {e}"))?;
            n += 1;
        }
    }
    Ok(n)
}
