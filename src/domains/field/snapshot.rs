//! The device cache of the field app: only what the worker's own scope holds (their grid), read
//! through the register and event services (so personal fields come masked and every read is
//! audited as usual), with versions; plus the day's to-do and when the session ends.

use crate::auth::actor::Via;
use crate::auth::{Actor, Permission};
use crate::domains::events::{pages as event_pages, queries as events, settings as event_settings};
use crate::domains::org::tree;
use crate::domains::patrols::service as patrols;
use crate::domains::registry::codes::Codes;
use crate::domains::registry::{houses, persons};
use crate::domains::visits::service as visits;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::paging::MAX_PER_PAGE;
use serde::Serialize;
use serde_json::{Value, json};

/// The most records of one kind a phone keeps (a grid holds far fewer).
pub const MAX_RECORDS: usize = 3000;

#[derive(Debug, Serialize)]
pub struct Snapshot {
    pub account: Value,
    /// When the phone must forget the cache: `expires_at` (absolute) and the idle limit in ms.
    pub session: Value,
    pub grids: Vec<Value>,
    pub todo: Value,
    pub people: Vec<Value>,
    pub houses: Vec<Value>,
    pub households: Vec<Value>,
    pub rentals: Vec<Value>,
    pub places: Vec<Value>,
    /// The event categories in the order and grouping of the desktop report form.
    pub categories: Vec<Value>,
    pub codes: Value,
    /// The special-population kinds this worker may open a file of, with their fields (none without the permissions).
    pub special_kinds: Vec<Value>,
    /// Some kind had more than `MAX_RECORDS` records; only the first were sent.
    pub truncated: bool,
    pub taken_at: i64,
}

/// A to-do event as the first screen shows it ("SJ20260305-000123 标题（待受理）").
#[derive(Debug, Serialize)]
pub struct TodoEvent {
    pub id: i64,
    pub event_no: String,
    pub title: String,
    pub category_name: String,
    pub state: String,
    pub state_label: &'static str,
    /// `none`, `yellow` or `red`.
    pub card: &'static str,
    pub deadline_text: String,
}

/// A household or special-population file due for a visit, as the first screen shows it.
#[derive(Debug, Serialize)]
pub struct TodoVisit {
    /// `household` (the phone records its visit) or `person` (a special-population file).
    pub subject_type: String,
    pub subject_id: i64,
    /// The household number, or the person's name.
    pub subject: String,
    /// 户, or the special-population kind (社区矫正人员 …).
    pub kind_label: String,
    pub next_visit_due: String,
    pub days_overdue: i64,
}

fn to_values<T: Serialize>(items: Vec<T>) -> AppResult<Vec<Value>> {
    items.into_iter().map(|v| serde_json::to_value(v).map_err(|e| AppError::Internal(e.into()))).collect()
}

/// Reads page after page of a list service until it is done or the cap is reached.
macro_rules! all_pages {
    ($truncated:ident, |$page:ident| $call:expr) => {{
        let mut out: Vec<Value> = Vec::new();
        let mut $page: i64 = 1;
        loop {
            let p = $call.await?;
            let n = p.items.len();
            let total = p.total;
            out.extend(to_values(p.items)?);
            if out.len() >= MAX_RECORDS {
                $truncated |= (total as usize) > out.len();
                out.truncate(MAX_RECORDS);
                break;
            }
            if n == 0 || (out.len() as i64) >= total {
                break;
            }
            $page += 1;
        }
        out
    }};
}

/// Every category the desktop report form offers, as it offers them (one grouping,
/// `events::pages::category_groups`): a top-level category without children on its own (`group`
/// null), else its children and then the top level itself as “（未细分）” under the top's name.
fn category_choices(groups: Vec<event_pages::CategoryGroup>) -> Vec<Value> {
    let one = |c: &event_pages::CategoryOption, name: String, group: Option<&str>| json!({ "code": c.code, "name": name, "group": group, "required": c.required, "dispute": c.is_dispute });
    let mut out = Vec::new();
    for g in groups {
        if g.children.is_empty() {
            out.push(one(&g.top, g.top.name.clone(), None));
            continue;
        }
        for c in &g.children {
            out.push(one(c, c.name.clone(), Some(&g.top.name)));
        }
        out.push(one(&g.top, format!("{}（未细分）", g.top.name), Some(&g.top.name)));
    }
    out
}

/// The special-population kinds and their fields (registry::model), for the phone's file form.
fn special_kinds(actor: &Actor) -> Vec<Value> {
    use crate::domains::registry::model::{FieldType, SPECIAL_KINDS, special_fields};
    if !actor.can(Permission::ReadSpecialFiles) || !actor.can(Permission::EditRegister) {
        return Vec::new();
    }
    let kind = |t: FieldType| match t {
        FieldType::Date => "date",
        FieldType::Bool => "bool",
        FieldType::Text | FieldType::Code(_) => "text",
    };
    SPECIAL_KINDS
        .iter()
        .map(|(k, label, _)| {
            let fields: Vec<Value> = special_fields(k)
                .iter()
                .map(|f| json!({ "key": f.key, "label": f.label, "type": kind(f.kind), "required": f.required }))
                .collect();
            json!({ "kind": k, "label": label, "fields": fields })
        })
        .collect()
}

/// The day's to-do: events waiting for the worker, visits due by the end of today, the open patrol.
async fn todo(state: &AppState, actor: &Actor) -> AppResult<Value> {
    let events_todo = events::todo(state, actor, "todo", Some(1), Some(50)).await?;
    let tomorrow = (crate::clock::to_local(actor.now).date_naive() + chrono::Days::new(1)).to_string();
    let due = visits::overdue(
        state,
        actor,
        &visits::OverdueQuery { on: Some(tomorrow), page: Some(1), per_page: Some(50), ..Default::default() },
    )
    .await?;
    let events: Vec<TodoEvent> = events_todo
        .items
        .into_iter()
        .map(|e| TodoEvent {
            id: e.id,
            event_no: e.no,
            title: e.title,
            category_name: e.category_name,
            state: e.state,
            state_label: e.state_label,
            card: e.card,
            deadline_text: e.deadline_text,
        })
        .collect();
    let visits_due: Vec<TodoVisit> = due
        .items
        .into_iter()
        .map(|v| TodoVisit {
            subject_type: v.subject_type,
            subject_id: v.subject_id,
            subject: v.subject,
            kind_label: v.kind_label,
            next_visit_due: v.next_visit_due,
            days_overdue: v.days_overdue,
        })
        .collect();
    Ok(json!({
        "events": events,
        "events_total": events_todo.total,
        "visits_due": visits_due,
        "visits_due_total": due.total,
        "patrol": patrols::current(state, actor).await?,
        "checklist": patrols::checklist(state, actor).await?,
        "check_in": patrols::my_check_in(state, actor).await?.map(|c| json!({ "day": c.day, "at": c.at })),
        "recent_patrols": recent_patrols(state, actor).await?,
    }))
}

/// The worker's last patrols, as the patrol screen lists them (each links to its record page).
async fn recent_patrols(state: &AppState, actor: &Actor) -> AppResult<Vec<Value>> {
    let q = patrols::ListQuery { account: Some(actor.id), per_page: Some(10), ..Default::default() };
    let list = patrols::list(state, actor, &q).await?.items;
    Ok(list
        .into_iter()
        .map(|p| {
            json!({
                "id": p.row.id, "grid_name": p.row.grid_name, "started_text": p.started_text, "open": p.open,
                "minutes": p.minutes, "km": p.km, "findings": p.row.findings,
            })
        })
        .collect())
}

pub async fn take(state: &AppState, actor: &Actor) -> AppResult<Snapshot> {
    actor.require(Permission::FieldWork)?;
    let per = Some(MAX_PER_PAGE);
    let mut truncated = false;
    let people = all_pages!(truncated, |page| persons::search(
        state,
        actor,
        &persons::PersonQuery { page: Some(page), per_page: per, ..Default::default() }
    ));
    let q = |page: i64| houses::ListQuery { page: Some(page), per_page: per, ..Default::default() };
    let house_list = all_pages!(truncated, |page| houses::list_houses(state, actor, &q(page)));
    let households = all_pages!(truncated, |page| houses::list_households(state, actor, &q(page)));
    let rentals = all_pages!(truncated, |page| houses::list_rentals(state, actor, &q(page)));
    let places = all_pages!(truncated, |page| houses::list_places(state, actor, &q(page)));

    let todo = todo(state, actor).await?;

    let grid_ids: Vec<i64> =
        tree::grids_under(&state.db, actor.scope.path()).await?.into_iter().map(|(id, _)| id).collect();
    let mut grids = Vec::with_capacity(grid_ids.len());
    for (id, name) in tree::names(&state.db, &grid_ids).await? {
        grids.push(json!({ "id": id, "name": name }));
    }
    let categories = category_choices(event_pages::category_groups(&event_settings::categories(state, actor).await?));
    let codes = Codes::load(&state.db).await?;
    let table = |t: &str| codes.items(t).into_iter().map(|(c, l)| json!([c, l])).collect::<Vec<_>>();
    let expires_at = match &actor.via {
        Via::Session { id_hash, .. } => {
            crate::auth::store::session(&state.db, id_hash).await?.map(|s| s.expires_at).unwrap_or(actor.now)
        }
        Via::Token { .. } => actor.now + state.config.absolute_timeout,
    };
    Ok(Snapshot {
        account: crate::auth::api::me_json(actor),
        session: json!({ "expires_at": expires_at, "idle_ms": state.config.idle_timeout, "now": actor.now }),
        grids,
        todo,
        people,
        houses: house_list,
        households,
        rentals,
        places,
        categories,
        codes: json!({
            "house_use": table("house_use"),
            "rental_use": table("rental_use"),
            "place_type": table("place_type"),
            "permit_type": table("permit_type"),
            "left_behind_type": table("left_behind_type"),
            "relation": table("relation"),
        }),
        special_kinds: special_kinds(actor),
        truncated,
        taken_at: actor.now,
    })
}
