//! Reporting an event: checked, located in a grid, timed, linked to the register, with photos.

use super::act::{ActionInput, act};
use super::{Photo, attach, check_text, cleanup, store_photos};
use crate::audit;
use crate::auth::{Actor, Permission, Role, Scope};
use crate::db::{Tx, Value};
use crate::domains::events::model::{CHANNELS, Card, Details, SEVERITIES, label_of};
use crate::domains::events::store::{self, NewStep};
use crate::domains::events::timing::{StepClock, step_clock, total_minutes};
use crate::domains::events::workflow::{self, State};
use crate::domains::org::tree;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    pub category: Option<String>,
    pub severity: Option<String>,
    pub channel: Option<String>,
    pub title: Option<String>,
    pub details: Option<Details>,
    pub address: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub grid_id: Option<i64>,
    pub person_ids: Option<Vec<i64>>,
    pub house_ids: Option<Vec<i64>>,
    pub place_ids: Option<Vec<i64>>,
    /// The reporting grid worker accepts it at once to handle it in the grid (小事不出网格).
    pub handle_in_place: Option<bool>,
}

/// The grid of a report: the one named (active, in scope), else the one whose boundary holds the
/// coordinates, else the reporter's own grid; `None` when coordinates fall outside every grid.
async fn locate(
    state: &AppState,
    actor: &Actor,
    i: &ReportInput,
    e: &mut FieldErrors,
) -> AppResult<Option<(i64, String)>> {
    if let Some(g) = i.grid_id {
        let grid =
            tree::get(&state.db, actor.scope.path(), g).await?.filter(|a| a.kind == "grid" && a.status == "active");
        return match grid {
            Some(a) => Ok(Some((a.id, a.path))),
            None => {
                e.insert("grid_id".into(), "网格不存在、已撤销或不在您的管辖范围内".into());
                Ok(None)
            }
        };
    }
    if let (Some(lon), Some(lat)) = (i.lon, i.lat) {
        if let Err(msg) = crate::geo::coords::check(lon, lat) {
            e.insert("lon".into(), msg.into());
            return Ok(None);
        }
        return crate::domains::org::locate::grid_at_within(state, actor.scope.path(), lon, lat).await;
    }
    if matches!(actor.role, Role::GridWorker | Role::GridLeader) {
        return Ok(Some((actor.scope.area_id(), actor.scope.path().to_owned())));
    }
    e.insert("grid_id".into(), "请选择事件所在网格，或提供经纬度".into());
    Ok(None)
}

/// Rows another domain writes in the report's own transaction (the public intake's tracking code),
/// so the event and what depends on it are committed or rolled back together. It runs after the
/// event's audit row, i.e. while the transaction holds the audit chain's write lock: a check it
/// makes there sees every report committed before it.
pub trait ReportHook: Send {
    fn write(self, tx: &mut Tx, event_id: i64) -> impl std::future::Future<Output = AppResult<()>> + Send;
}

/// No extra rows.
pub struct NoHook;

impl ReportHook for NoHook {
    async fn write(self, _tx: &mut Tx, _event_id: i64) -> AppResult<()> {
        Ok(())
    }
}

/// Reports an event: validated, located, timed, linked to the register, with photos; holder = its grid.
pub async fn report(state: &AppState, actor: &Actor, i: &ReportInput, photos: Vec<Photo>) -> AppResult<i64> {
    report_with(state, actor, i, photos, NoHook).await
}

/// `report`, with a hook that writes more rows in the same transaction.
pub async fn report_with(
    state: &AppState,
    actor: &Actor,
    i: &ReportInput,
    photos: Vec<Photo>,
    hook: impl ReportHook,
) -> AppResult<i64> {
    actor.require(Permission::ReportEvents)?;
    let mut e = FieldErrors::new();
    let category = match i.category.as_deref().filter(|c| !c.is_empty()) {
        None => {
            e.insert("category".into(), "请选择事件类别".into());
            None
        }
        Some(c) => {
            let row = store::category(&state.db, c).await?.filter(|r| r.active);
            if row.is_none() {
                e.insert("category".into(), "事件类别不存在或已停用".into());
            }
            row
        }
    };
    let severity = i.severity.clone().unwrap_or_else(|| "normal".into());
    if label_of(&SEVERITIES, &severity).is_empty() {
        e.insert("severity".into(), "紧急程度只能是一般、较大或紧急".into());
    }
    let default_channel =
        if matches!(actor.role, Role::GridWorker | Role::GridLeader) { "grid_worker" } else { "upper_level" };
    let channel = i.channel.clone().unwrap_or_else(|| default_channel.into());
    if label_of(&CHANNELS, &channel).is_empty() {
        e.insert("channel".into(), "来源渠道不正确".into());
    }
    let title = check_text(&mut e, "title", "标题", i.title.as_deref().unwrap_or(""), 4, 60);
    let address = check_text(&mut e, "address", "地址", i.address.as_deref().unwrap_or(""), 0, 200);
    let mut details = i.details.clone().unwrap_or_default();
    if let Some(c) = &category {
        details.check(&c.required_fields, c.is_dispute, &mut e);
    }
    let located = locate(state, actor, i, &mut e).await?;
    let links: Vec<(&str, Vec<i64>)> = vec![
        ("person", i.person_ids.clone().unwrap_or_default()),
        ("house", i.house_ids.clone().unwrap_or_default()),
        ("place", i.place_ids.clone().unwrap_or_default()),
    ];
    for (kind, ids) in &links {
        if ids.len() > 50 {
            e.insert(format!("{kind}_ids"), "关联对象最多 50 个".into());
        } else if !ids.is_empty()
            && store::count_in_scope(&state.db, kind, ids, actor.scope.path()).await? != ids.len() as i64
        {
            e.insert(format!("{kind}_ids"), "有关联对象不存在或不在您的管辖范围内".into());
        }
    }
    let category = match category {
        Some(c) if e.is_empty() => c,
        _ => return Err(AppError::fields(e)),
    };
    let files = store_photos(state, &photos).await?;
    let result = write_report(
        state,
        actor,
        i,
        &category,
        (&severity, &channel, &title, &address),
        &details,
        located,
        &links,
        &files,
        hook,
    )
    .await;
    if result.is_err() {
        cleanup(state, &files).await;
    }
    result
}

#[allow(clippy::too_many_arguments)]
async fn write_report(
    state: &AppState,
    actor: &Actor,
    i: &ReportInput,
    category: &store::CategoryRow,
    texts: (&str, &str, &str, &str),
    details: &Details,
    located: Option<(i64, String)>,
    links: &[(&str, Vec<i64>)],
    files: &[(String, &'static str, i64)],
    hook: impl ReportHook,
) -> AppResult<i64> {
    let (_, channel, title, _) = texts;
    let now = actor.now;
    let cal = store::calendar(&state.db).await?;
    let place = place(actor, located)?;
    let clock = step_clock(&cal, category, workflow::Step::Accept, now, 0);
    let close_due = cal.add(now, total_minutes(category));
    let values = event_values(i, category, texts, details, &place, actor.id, now, &clock);
    let mut tx = state.db.begin().await?;
    let id = store::insert_event(&mut tx, values).await?;
    store::set_close_due(&mut tx, id, close_due).await?;
    let holder = tree::get_tx(&mut tx, place.holder_area).await?.map(|a| a.name).unwrap_or_default();
    let step_id = insert_report_step(&mut tx, actor, id, &holder, channel, place.needs_grid).await?;
    attach(&mut tx, actor, id, step_id, "before", files).await?;
    for (kind, ids) in links {
        for t in ids {
            store::insert_link(&mut tx, id, kind, *t).await?;
        }
    }
    audit::record(
        &mut tx,
        &actor.audit(),
        "event_reported",
        "event",
        id,
        json!({ "category": category.code, "title": title, "grid_id": place.grid_id, "needs_grid": place.needs_grid, "photos": files.len() }),
    )
    .await?;
    let to = store::holder_accounts(&state.db, Some(place.holder_area), None).await?;
    let to: Vec<i64> = to.into_iter().filter(|a| *a != actor.id).collect();
    store::notify(&mut tx, &to, id, "new_event", &format!("新事件待受理：{title}"), now).await?;
    hook.write(&mut tx, id).await?;
    tx.commit().await?;
    handle_in_place(state, actor, i, id, place.grid_id).await?;
    Ok(id)
}

/// Where a new event lies and who holds it first.
struct Place {
    grid_id: Option<i64>,
    area_id: i64,
    area_path: String,
    needs_grid: bool,
    /// The first holder: the event's grid, else the reporter's area (a department must name a grid).
    holder_area: i64,
}

fn place(actor: &Actor, located: Option<(i64, String)>) -> AppResult<Place> {
    let (grid_id, area_id, area_path, needs_grid) = match located {
        Some((g, p)) => (Some(g), g, p, false),
        None => (None, actor.scope.area_id(), actor.scope.path().to_owned(), true),
    };
    let holder_area = match (grid_id, &actor.scope) {
        (Some(g), _) => g,
        (None, Scope::Area { area_id, .. }) => *area_id,
        (None, Scope::Department { .. }) => return Err(AppError::forbidden()),
    };
    Ok(Place { grid_id, area_id, area_path, needs_grid, holder_area })
}

/// The new event's columns, in the order of `store::insert_event`.
#[allow(clippy::too_many_arguments)]
fn event_values(
    i: &ReportInput,
    category: &store::CategoryRow,
    (severity, channel, title, address): (&str, &str, &str, &str),
    details: &Details,
    place: &Place,
    account_id: i64,
    now: i64,
    clock: &StepClock,
) -> Vec<Value> {
    vec![
        category.code.as_str().into(),
        severity.into(),
        channel.into(),
        title.into(),
        details.to_json().to_string().into(),
        address.into(),
        Value::Float(i.lon),
        Value::Float(i.lat),
        place.grid_id.into(),
        place.area_id.into(),
        place.area_path.as_str().into(),
        place.needs_grid.into(),
        State::Reported.as_str().into(),
        place.holder_area.into(),
        account_id.into(),
        workflow::Step::Accept.as_str().into(),
        now.into(),
        clock.deadline.into(),
        clock.yellow_at.into(),
        clock.red_at.into(),
        Card::None.as_str().into(),
        clock.yellow_at.into(),
        now.into(),
        Value::Int(None),
        Value::Bool(None),
        now.into(),
        now.into(),
    ]
}

/// The report's line in the timeline; answers its id.
async fn insert_report_step(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    holder: &str,
    channel: &str,
    needs_grid: bool,
) -> AppResult<i64> {
    Ok(store::insert_step(
        tx,
        &NewStep {
            event_id: id,
            action: "report",
            account_id: Some(actor.id),
            actor_name: &actor.display_name,
            from_state: None,
            to_state: State::Reported.as_str(),
            holder_label: holder,
            note: "",
            data: json!({ "channel": channel, "needs_grid": needs_grid }).to_string(),
            step: None,
            step_minutes: None,
            limit_minutes: None,
            at: actor.now,
        },
    )
    .await?)
}

/// A grid worker who reports in their own grid may accept it at once to handle it there (小事不出网格).
async fn handle_in_place(
    state: &AppState,
    actor: &Actor,
    i: &ReportInput,
    id: i64,
    grid_id: Option<i64>,
) -> AppResult<()> {
    if i.handle_in_place.unwrap_or(false)
        && matches!(actor.role, Role::GridWorker | Role::GridLeader)
        && grid_id == Some(actor.scope.area_id())
    {
        act(
            state,
            actor,
            id,
            &ActionInput { action: "accept".into(), note: Some("网格内自行处置".into()), ..Default::default() },
            vec![],
        )
        .await?;
    }
    Ok(())
}
