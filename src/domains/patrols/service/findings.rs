//! What a patrol records on the way: checklist results and findings, one tap from a finding to an event.

use super::{CHANGED, FindingOut, finding_out, own};
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::clock::format_local;
use crate::domains::events::model::{Details, WHAT_MIN_CHARS};
use crate::domains::events::service::{self as events, ReportInput};
use crate::domains::org::model::check_text;
use crate::domains::patrols::model::{self, CheckResult};
use crate::domains::patrols::store::{self, ItemRow};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInput {
    pub item_id: i64,
    pub result: String,
    pub note: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecksInput {
    pub items: Vec<CheckInput>,
}

/// Records (or corrects) checklist results of one's patrol; all or nothing.
pub async fn record_checks(state: &AppState, actor: &Actor, id: i64, i: &ChecksInput) -> AppResult<()> {
    let p = own(state, actor, id).await?;
    let results: Vec<CheckResult> = i
        .items
        .iter()
        .map(|c| CheckResult {
            item_id: c.item_id,
            result: c.result.trim().to_owned(),
            note: c.note.clone().unwrap_or_default().trim().to_owned(),
        })
        .collect();
    let mut tx = state.db.begin().await?;
    let active = store::active_item_ids_tx(&mut tx).await?;
    let e = model::check_results(&results, &active);
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    for r in &results {
        store::upsert_check(&mut tx, p.id, r.item_id, &r.result, &r.note, actor.now).await?;
    }
    let detail: Vec<_> = results.iter().map(|r| json!({ "item_id": r.item_id, "result": r.result })).collect();
    audit::record(&mut tx, &actor.audit(), "patrol_checked", "patrol", id, json!({ "items": detail })).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingInput {
    pub item_id: Option<i64>,
    pub description: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// Report it as an event at once (一键上报).
    pub report: Option<bool>,
    /// The event category (default: the checklist item's).
    pub category: Option<String>,
}

/// A finding checked, before anything is written.
struct CheckedFinding {
    item: Option<ItemRow>,
    description: String,
    address: String,
}

async fn check_finding(state: &AppState, i: &FindingInput) -> AppResult<CheckedFinding> {
    let mut e = FieldErrors::new();
    let description = AppError::gather(
        &mut e,
        check_text("description", "发现的问题", i.description.as_deref().unwrap_or(""), 500, true),
    );
    if !description.is_empty() && description.chars().count() < WHAT_MIN_CHARS {
        e.insert("description".into(), format!("请把问题写清楚（至少 {WHAT_MIN_CHARS} 个字）"));
    }
    let address =
        AppError::gather(&mut e, check_text("address", "地点", i.address.as_deref().unwrap_or(""), 200, false));
    model::check_position(i.lat, i.lng, &mut e);
    let mut item = None;
    if let Some(item_id) = i.item_id {
        let mut tx = state.db.begin().await?;
        item = store::item_tx(&mut tx, item_id).await?.filter(|it| it.active);
        tx.commit().await?;
        if item.is_none() {
            e.insert("item_id".into(), "检查项不存在或已停用".into());
        }
    }
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    Ok(CheckedFinding { item, description, address })
}

/// Reports a finding as an event of channel `patrol` in the patrol's grid; answers the event id.
#[allow(clippy::too_many_arguments)]
async fn report_event(
    state: &AppState,
    actor: &Actor,
    grid: (i64, &str),
    item: Option<&ItemRow>,
    description: &str,
    address: &str,
    position: (Option<f64>, Option<f64>),
    found_at: i64,
    category: Option<&str>,
) -> AppResult<i64> {
    let category = category
        .filter(|c| !c.trim().is_empty())
        .map(str::to_owned)
        .or_else(|| item.map(|i| i.event_category.clone()))
        .unwrap_or_else(|| "09".into());
    let title = match item {
        Some(i) => format!("巡查发现：{}", i.name),
        None => format!("巡查发现：{}", description.chars().take(20).collect::<String>()),
    };
    let r#where = if address.is_empty() { format!("{}（巡查途中）", grid.1) } else { address.to_owned() };
    let input = ReportInput {
        category: Some(category),
        channel: Some("patrol".into()),
        title: Some(title),
        details: Some(Details {
            what: description.to_owned(),
            r#where,
            when: format_local(found_at),
            ..Default::default()
        }),
        address: Some(address.to_owned()),
        lon: position.1,
        lat: position.0,
        grid_id: Some(grid.0),
        ..Default::default()
    };
    events::report(state, actor, &input, vec![]).await
}

/// Records a finding on one's patrol; with `report`, it becomes an event first (if the event is
/// refused, nothing is written).
pub async fn add_finding(state: &AppState, actor: &Actor, id: i64, i: &FindingInput) -> AppResult<FindingOut> {
    let p = own(state, actor, id).await?;
    let c = check_finding(state, i).await?;
    let now = actor.now;
    let event_id = if i.report.unwrap_or(false) {
        let pos = (i.lat, i.lng);
        let grid = (p.grid_id, p.grid_name.as_str());
        Some(
            report_event(
                state,
                actor,
                grid,
                c.item.as_ref(),
                &c.description,
                &c.address,
                pos,
                now,
                i.category.as_deref(),
            )
            .await?,
        )
    } else {
        None
    };
    let mut tx = state.db.begin().await?;
    let nf = store::NewFinding {
        patrol: &p,
        item_id: c.item.as_ref().map(|it| it.id),
        description: &c.description,
        address: &c.address,
        lat: i.lat,
        lng: i.lng,
        now,
    };
    let fid = store::insert_finding(&mut tx, &nf).await?;
    if let Some(ev) = event_id {
        store::link_event(&mut tx, fid, 1, ev, now).await?;
    }
    audit::record(
        &mut tx,
        &actor.audit(),
        "patrol_finding_added",
        "patrol_finding",
        fid,
        json!({ "patrol": id, "item_id": nf.item_id, "event_id": event_id }),
    )
    .await?;
    tx.commit().await?;
    store::finding(&state.db, "/", fid).await?.map(finding_out).ok_or_else(|| AppError::not_found("巡查发现"))
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportFindingInput {
    pub category: Option<String>,
    pub version: Option<i64>,
}

/// Turns an earlier finding of one's own into an event (one tap).
pub async fn report_finding(
    state: &AppState,
    actor: &Actor,
    patrol_id: i64,
    finding_id: i64,
    i: &ReportFindingInput,
) -> AppResult<FindingOut> {
    actor.require(Permission::FieldWork)?;
    let f = store::finding(&state.db, actor.scope.path(), finding_id)
        .await?
        .filter(|f| f.patrol_id == patrol_id)
        .ok_or_else(|| AppError::not_found("巡查发现"))?;
    if f.account_id != actor.id {
        return Err(AppError::Forbidden("只能上报本人巡查中的发现".into()));
    }
    if let Some(ev) = f.event_id {
        return Err(AppError::Conflict(format!("该发现已转为事件（编号 {ev}）")));
    }
    if i.version.is_some_and(|v| v != f.version) {
        return Err(AppError::Conflict(CHANGED.into()));
    }
    let mut tx = state.db.begin().await?;
    let item = match f.item_id {
        Some(it) => store::item_tx(&mut tx, it).await?,
        None => None,
    };
    tx.commit().await?;
    let grid = (f.grid_id, f.grid_name.as_str());
    let pos = (f.lat, f.lng);
    let ev = report_event(
        state,
        actor,
        grid,
        item.as_ref(),
        &f.description,
        &f.address,
        pos,
        f.found_at,
        i.category.as_deref(),
    )
    .await?;
    let mut tx = state.db.begin().await?;
    if !store::link_event(&mut tx, f.id, f.version, ev, actor.now).await? {
        return Err(AppError::Conflict(format!("该发现已被同时上报，本次生成的事件编号 {ev} 请作废")));
    }
    audit::record(
        &mut tx,
        &actor.audit(),
        "patrol_finding_reported",
        "patrol_finding",
        f.id,
        json!({ "patrol": f.patrol_id, "event_id": ev }),
    )
    .await?;
    tx.commit().await?;
    store::finding(&state.db, "/", f.id).await?.map(finding_out).ok_or_else(|| AppError::not_found("巡查发现"))
}
