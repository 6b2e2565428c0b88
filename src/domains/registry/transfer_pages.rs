//! The transfers page (迁入迁出): requests into and out of the caller's area, approve and reject
//! (a rejection needs a note), and asking to move in a person registered in another grid.

use super::forms::{self, Failure, Form, Kind, Spec, Values, spec};
use super::person_store::TransferRow;
use super::persons::{self, DecisionInput, TransferInput};
use super::record_pages::grid_choices;
use crate::auth::{Actor, Permission};
use crate::domains::org::areas;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery, PageForm};
use crate::web::pages::{Layout, MsgQuery, redirect, render};
use crate::web::routes::{Access, Entry, get, post};
use askama::Template;
use axum::extract::State;
use axum::response::Response;

const REGISTER: Access = Access::Perm(Permission::ReadRegister);
const EDIT: Access = Access::Perm(Permission::EditRegister);

pub fn routes() -> Vec<Entry> {
    vec![
        get("/transfers", REGISTER, "迁入迁出申请", list),
        post("/transfers", EDIT, "申请把已在别处登记的人迁入本网格", request),
        post("/transfers/{id}/approve", EDIT, "原网格确认迁出", approve),
        post("/transfers/{id}/reject", EDIT, "原网格拒绝迁出（需说明）", reject),
    ]
}

const REQUEST: [Spec; 3] = [
    spec("id_number", "身份证号码", Kind::Text, true, 18),
    spec("grid_id", "迁入网格", Kind::Select, true, 0),
    spec("reason", "迁入原因", Kind::Text, true, 200),
];

/// A request as the page shows it, with the reject note typed and its error after a refusal.
struct TransferView {
    t: TransferRow,
    status_label: &'static str,
    requested_at: String,
    decided_at: String,
    note: String,
    error: String,
}

#[derive(Template)]
#[template(path = "registry/transfers.html")]
struct TransfersPage {
    l: Layout,
    /// Waiting for the caller's side to confirm (the person leaves the caller's area).
    to_decide: Vec<TransferView>,
    /// Waiting for the other side.
    waiting: Vec<TransferView>,
    done: Vec<TransferView>,
    request: Option<Form>,
    banner: Option<String>,
}

fn status_label(s: &str) -> &'static str {
    match s {
        "pending" => "待确认",
        "approved" => "已迁移",
        "rejected" => "已拒绝",
        _ => "",
    }
}

/// What was refused, to draw again: the request form, or a decision on one transfer.
enum Refused<'a> {
    Request(&'a Values, &'a Failure),
    Decision(i64, &'a str, &'a Failure),
}

async fn page(s: &AppState, a: &Actor, msg: Option<&str>, refused: Option<Refused<'_>>) -> AppResult<Response> {
    let rows = persons::transfers(s, a, None).await?;
    let (mut to_decide, mut waiting, mut done) = (Vec::new(), Vec::new(), Vec::new());
    let mut banner = None;
    for t in rows {
        let pending = t.status == "pending";
        // The caller decides when the grid the person leaves lies in the caller's area.
        let decide =
            pending && a.can(Permission::EditRegister) && areas::row_in_scope(&s.db, a, t.from_grid_id).await.is_ok();
        let (note, error) = match &refused {
            Some(Refused::Decision(id, note, f)) if *id == t.id => {
                let error = f.fields.get("note").cloned().unwrap_or_else(|| f.message.clone());
                (note.to_string(), error)
            }
            _ => (String::new(), String::new()),
        };
        let v = TransferView {
            status_label: status_label(&t.status),
            requested_at: crate::clock::format_local(t.requested_at),
            decided_at: t.decided_at.map(crate::clock::format_local).unwrap_or_default(),
            note,
            error,
            t,
        };
        match (pending, decide) {
            (true, true) => to_decide.push(v),
            (true, false) => waiting.push(v),
            _ => done.push(v),
        }
    }
    if let Some(Refused::Decision(id, _, f)) = &refused
        && !to_decide.iter().any(|v| v.t.id == *id)
    {
        banner = Some(f.message.clone());
    }
    let request = if a.can(Permission::EditRegister) {
        let grids = grid_choices(s, a).await?;
        let (values, failure) = match &refused {
            Some(Refused::Request(v, f)) => ((*v).clone(), Some(*f)),
            _ => (Values::default(), None),
        };
        Some(forms::form("req-", &REQUEST, &values, failure, &|_| grids.clone()))
    } else {
        None
    };
    let l = Layout::for_actor(a, "迁入迁出").with_notice(msg);
    let failure = match &refused {
        Some(Refused::Request(_, f)) | Some(Refused::Decision(_, _, f)) => Some(*f),
        None => None,
    };
    let page = TransfersPage { l, to_decide, waiting, done, request, banner };
    Ok(forms::with_status(render(&page)?, failure))
}

async fn list(State(s): State<AppState>, a: Actor, ApiQuery(mq): ApiQuery<MsgQuery>) -> AppResult<Response> {
    page(&s, &a, mq.msg.as_deref(), None).await
}

async fn request(
    State(s): State<AppState>,
    a: Actor,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let v = Values::from_pairs(&pairs);
    v.only(&["id_number", "grid_id", "reason"])?;
    let mut errors = FieldErrors::new();
    let grid = v.i64("grid_id", &mut errors);
    if grid.is_none() && !errors.contains_key("grid_id") {
        errors.insert("grid_id".into(), "请选择迁入网格".into());
    }
    let done = match grid {
        Some(grid_id) if errors.is_empty() => {
            let input = TransferInput {
                id_type: None,
                id_number: v.get("id_number").trim().to_owned(),
                grid_id,
                reason: v.get("reason").to_owned(),
            };
            persons::request_transfer(&s, &a, &input).await
        }
        _ => Err(AppError::fields(errors)),
    };
    match done {
        Ok(_) => Ok(redirect("/transfers?msg=transfer_requested")),
        Err(e) => page(&s, &a, None, Some(Refused::Request(&v, &Failure::of(e)?))).await,
    }
}

async fn decide(s: &AppState, a: &Actor, id: i64, approve: bool, pairs: &[(String, String)]) -> AppResult<Response> {
    let v = Values::from_pairs(pairs);
    v.only(&["note"])?;
    let input = DecisionInput { note: v.opt("note") };
    match persons::decide_transfer(s, a, id, approve, &input).await {
        Ok(_) => {
            Ok(redirect(if approve { "/transfers?msg=transfer_approved" } else { "/transfers?msg=transfer_rejected" }))
        }
        Err(e) => page(s, a, None, Some(Refused::Decision(id, v.get("note"), &Failure::of(e)?))).await,
    }
}

async fn approve(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    decide(&s, &a, id, true, &pairs).await
}

async fn reject(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    decide(&s, &a, id, false, &pairs).await
}
