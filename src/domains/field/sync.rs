//! Applying a batch of queued operations from a phone: each through the existing domain service
//! (same checks, scope, audit, one transaction each), idempotent by operation id (a receipt keeps
//! the first answer), a stale base version answered with the current record for the worker to choose.

use super::model::{self, Batch, Kind, Op, Outcome};
use super::store;
use crate::auth::{Actor, Permission};
use crate::db::Tx;
use crate::domains::events::service::{self as events, Photo, ReportHook, ReportInput};
use crate::domains::patrols::service as patrols;
use crate::domains::registry::{houses, persons, special};
use crate::domains::visits::{model::VisitInput, service as visits};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The answers of a batch, in the order sent.
#[derive(Debug, Serialize)]
pub struct SyncOut {
    pub results: Vec<Value>,
}

/// Applies the operations one after the other (a later one may refer to an earlier one).
pub async fn run(state: &AppState, actor: &Actor, batch: &Batch) -> AppResult<SyncOut> {
    actor.require(Permission::FieldWork)?;
    if batch.ops.is_empty() {
        return Err(AppError::field("ops", "没有要同步的内容"));
    }
    if batch.ops.len() > model::MAX_OPS {
        return Err(AppError::field("ops", format!("每批最多 {} 条，请分批同步", model::MAX_OPS)));
    }
    let mut results = Vec::with_capacity(batch.ops.len());
    for op in &batch.ops {
        results.push(run_one(state, actor, op).await?);
    }
    Ok(SyncOut { results })
}

/// One operation: checked, claimed, applied, its answer kept.
async fn run_one(state: &AppState, actor: &Actor, op: &Op) -> AppResult<Value> {
    let kind = match model::check(op) {
        Ok(k) => k,
        Err(msg) => return Ok(Outcome::invalid(msg).to_json(&op.op_id)),
    };
    if let Some(waiting) = dependencies(state, actor, op).await? {
        return Ok(waiting.to_json(&op.op_id));
    }
    if !store::claim(&state.db, actor.id, &op.op_id, kind.as_str(), actor.now).await? {
        let Some(r) = store::receipt(&state.db, actor.id, &op.op_id).await? else {
            return Ok(Outcome::Retry { message: "请稍后再同步".into() }.to_json(&op.op_id));
        };
        if r.state != "pending" {
            let mut first: Value = serde_json::from_str(&r.result).unwrap_or_else(|_| json!({}));
            first["replayed"] = json!(true);
            return Ok(first);
        }
        let stale_before = actor.now - model::STALE_CLAIM_MS;
        if !store::take_over(&state.db, actor.id, &op.op_id, stale_before, actor.now).await? {
            return Ok(Outcome::Retry { message: "这一条正在处理，请稍后再同步".into() }.to_json(&op.op_id));
        }
    }
    let outcome = match apply(state, actor, kind, op).await {
        Ok(record) => match model::id_and_version(&record) {
            Some((id, version)) => Outcome::Applied { id, version, record },
            None => Outcome::Retry { message: "系统内部错误，请稍后再试".into() },
        },
        Err(AppError::Internal(e)) => {
            tracing::error!(error = %e, kind = kind.as_str(), "field sync operation failed");
            Outcome::Retry { message: "系统内部错误，请稍后再试".into() }
        }
        Err(AppError::Conflict(msg)) if kind.is_update() => conflict_or_reject(state, actor, kind, op, msg).await?,
        Err(e) => Outcome::rejected(&e),
    };
    let answer = outcome.to_json(&op.op_id);
    match outcome.state() {
        Some(s) => store::finish(&state.db, actor.id, &op.op_id, s, outcome.record_id(), &answer.to_string()).await?,
        None => store::release(&state.db, actor.id, &op.op_id).await?,
    }
    Ok(answer)
}

/// Whether the earlier operations this one refers to have been applied: `None` when they all have;
/// else retry later (not yet sent) or a refusal (one of them was refused or is in conflict).
async fn dependencies(state: &AppState, actor: &Actor, op: &Op) -> AppResult<Option<Outcome>> {
    for r in op.ref_op.iter().chain(op.data_refs.values()) {
        match store::receipt(&state.db, actor.id, r).await? {
            Some(rc) if rc.state == "applied" => {}
            Some(rc) if rc.state != "pending" => {
                return Ok(Some(Outcome::invalid("它所依赖的那一条没有同步成功，请先处理那一条")));
            }
            _ => return Ok(Some(Outcome::Retry { message: "等它所依赖的那一条同步后再发送".into() })),
        }
    }
    Ok(None)
}

/// A refused update: a conflict when the record moved on from the worker's base version (answered
/// with the current record, masked, read as the worker), else a plain refusal.
async fn conflict_or_reject(state: &AppState, actor: &Actor, kind: Kind, op: &Op, msg: String) -> AppResult<Outcome> {
    let Some(id) = target(state, actor, op).await.ok().flatten() else {
        return Ok(Outcome::rejected(&AppError::Conflict(msg)));
    };
    let current = match kind.object() {
        "person" => value(persons::get(state, actor, id, None).await),
        "house" => value(houses::get_house(state, actor, id).await),
        "household" => value(houses::get_household(state, actor, id).await),
        "rental" => value(houses::get_rental(state, actor, id).await),
        _ => value(houses::get_place(state, actor, id).await),
    };
    match current {
        Ok(cur) if cur.get("version").and_then(Value::as_i64) != op.base_version => {
            Ok(Outcome::Conflict { current: cur })
        }
        Ok(_) => Ok(Outcome::rejected(&AppError::Conflict(msg))),
        Err(AppError::Internal(e)) => Err(AppError::Internal(e)),
        Err(e) => Ok(Outcome::rejected(&e)),
    }
}

fn value<T: Serialize>(r: AppResult<T>) -> AppResult<Value> {
    r.and_then(|v| serde_json::to_value(v).map_err(|e| AppError::Internal(e.into())))
}

/// The record an operation works on: its `id`, or the one its `ref_op` created.
async fn target(state: &AppState, actor: &Actor, op: &Op) -> AppResult<Option<i64>> {
    match (&op.id, &op.ref_op) {
        (Some(id), _) => Ok(Some(*id)),
        (None, Some(r)) => Ok(Some(created_by(state, actor, r).await?)),
        (None, None) => Ok(None),
    }
}

/// The id of the record an earlier operation of this account created.
async fn created_by(state: &AppState, actor: &Actor, op_id: &str) -> AppResult<i64> {
    store::receipt(&state.db, actor.id, op_id)
        .await?
        .filter(|r| r.state == "applied")
        .and_then(|r| r.record_id)
        .ok_or_else(|| AppError::Conflict("它所依赖的记录还没有同步成功，请先处理那一条".into()))
}

/// The operation's data as the service's input, with references filled in and `version` set.
async fn input<T: DeserializeOwned>(state: &AppState, actor: &Actor, op: &Op) -> AppResult<T> {
    let mut data = if op.data.is_null() { json!({}) } else { op.data.clone() };
    for (field, r) in &op.data_refs {
        data[field.as_str()] = json!(created_by(state, actor, r).await?);
    }
    if let (Some(v), Some(obj)) = (op.base_version, data.as_object_mut()) {
        obj.insert("version".into(), json!(v));
    }
    serde_json::from_value(data).map_err(|e| crate::web::extract::explain(&e.to_string()))
}

async fn need_target(state: &AppState, actor: &Actor, op: &Op) -> AppResult<i64> {
    target(state, actor, op).await?.ok_or_else(|| AppError::field("id", "缺少要修改的记录"))
}

/// Runs the operation through its domain service; answers the record as the service answered it.
async fn apply(state: &AppState, actor: &Actor, kind: Kind, op: &Op) -> AppResult<Value> {
    match kind {
        Kind::PersonCreate => value(persons::create(state, actor, &input(state, actor, op).await?).await),
        Kind::PersonUpdate => {
            let id = need_target(state, actor, op).await?;
            value(persons::update(state, actor, id, &input(state, actor, op).await?).await)
        }
        Kind::PersonStatus => {
            let id = need_target(state, actor, op).await?;
            value(persons::change_status(state, actor, id, &input(state, actor, op).await?).await)
        }
        Kind::HouseCreate => value(houses::create_house(state, actor, &input(state, actor, op).await?).await),
        Kind::HouseUpdate => {
            let id = need_target(state, actor, op).await?;
            value(houses::update_house(state, actor, id, &input(state, actor, op).await?).await)
        }
        Kind::HouseholdCreate => value(houses::create_household(state, actor, &input(state, actor, op).await?).await),
        Kind::HouseholdUpdate => {
            let id = need_target(state, actor, op).await?;
            value(houses::update_household(state, actor, id, &input(state, actor, op).await?).await)
        }
        Kind::RentalCreate => value(houses::create_rental(state, actor, &input(state, actor, op).await?).await),
        Kind::RentalUpdate => {
            let id = need_target(state, actor, op).await?;
            value(houses::update_rental(state, actor, id, &input(state, actor, op).await?).await)
        }
        Kind::PlaceCreate => value(houses::create_place(state, actor, &input(state, actor, op).await?).await),
        Kind::PlaceUpdate => {
            let id = need_target(state, actor, op).await?;
            value(houses::update_place(state, actor, id, &input(state, actor, op).await?).await)
        }
        Kind::EventReport => report(state, actor, op).await,
        Kind::VisitRecord => {
            let id = need_target(state, actor, op).await?;
            let i: VisitInput = input(state, actor, op).await?;
            value(visits::record(state, actor, id, &i).await)
        }
        Kind::SpecialCreate => {
            let person = need_target(state, actor, op).await?;
            let f = special::create(state, actor, person, &input(state, actor, op).await?).await?;
            Ok(special_answer(&f))
        }
        Kind::SpecialVisit => special_visit(state, actor, op).await,
        Kind::CheckIn => {
            let (created, row) = patrols::check_in(state, actor, &input(state, actor, op).await?).await?;
            // A check-in is the account's for its day (no id of its own): the receipt names the account.
            Ok(json!({ "id": row.account_id, "created": created, "day": row.day, "at": row.at }))
        }
        Kind::PatrolStart => value(patrols::start(state, actor, &input(state, actor, op).await?).await),
        Kind::PatrolPoints => {
            let id = need_target(state, actor, op).await?;
            value(patrols::add_points(state, actor, id, &input(state, actor, op).await?).await)
        }
        Kind::PatrolEnd => {
            let id = need_target(state, actor, op).await?;
            value(patrols::end(state, actor, id, &input(state, actor, op).await?).await)
        }
        Kind::PatrolChecks => {
            let id = need_target(state, actor, op).await?;
            let i: patrols::ChecksInput = input(state, actor, op).await?;
            patrols::record_checks(state, actor, id, &i).await?;
            Ok(json!({ "id": id, "checked": i.items.len() }))
        }
        Kind::PatrolFinding => {
            let id = need_target(state, actor, op).await?;
            value(patrols::add_finding(state, actor, id, &input(state, actor, op).await?).await)
        }
    }
}

/// A visit to a special-population file: the `file_id` given, else the person's file due first.
/// The answer holds the file's id and next visit only (the file itself stays out of the receipt).
async fn special_visit(state: &AppState, actor: &Actor, op: &Op) -> AppResult<Value> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Data {
        file_id: Option<i64>,
        visited_on: String,
        note: String,
        #[serde(default)]
        next_visit_due: Option<String>,
    }
    let person = need_target(state, actor, op).await?;
    let d: Data = input(state, actor, op).await?;
    let file = match d.file_id {
        Some(f) => f,
        None => special::list(state, actor, person)
            .await?
            .into_iter()
            .filter(|f| f.status != "deleted")
            .min_by_key(|f| f.next_visit_due.clone().unwrap_or_else(|| "9999-12-31".into()))
            .map(|f| f.id)
            .ok_or_else(|| AppError::field("file_id", "这个人没有可以走访的特殊人群档案"))?,
    };
    let visit = special::VisitInput { visited_on: d.visited_on, note: d.note, next_visit_due: d.next_visit_due };
    Ok(special_answer(&special::visit(state, actor, person, file, &visit).await?))
}

/// What a phone is told of a special-population file: its id and next visit, not its content
/// (the answer is kept in the receipt).
fn special_answer(f: &special::SpecialOut) -> Value {
    json!({ "id": f.id, "person_id": f.person_id, "kind": f.kind, "next_visit_due": f.next_visit_due, "version": f.version })
}

/// An event report with the photos uploaded ahead; the uploads are dropped once the event holds them.
async fn report(state: &AppState, actor: &Actor, op: &Op) -> AppResult<Value> {
    let i: ReportInput = input(state, actor, op).await?;
    let mut uploads = Vec::new();
    for id in &op.photos {
        let u = store::upload(&state.db, actor.id, id)
            .await?
            .ok_or_else(|| AppError::field("photos", "照片没有上传成功或已失效，请重新拍摄"))?;
        uploads.push(u);
    }
    let mut photos = Vec::new();
    for u in &uploads {
        photos.push(Photo(state.files.get(&u.file_id).await?));
    }
    let receipt = AppliedReceipt { account_id: actor.id, op_id: &op.op_id };
    let id = events::report_with(state, actor, &i, photos, receipt).await?;
    // The event is stored: what follows must not turn it into a retry (that would report it twice).
    if let Err(e) = store::delete_uploads(&state.db, actor.id, &op.photos).await {
        tracing::warn!(error = %e, "field uploads not removed");
    }
    for u in &uploads {
        state.files.remove(&u.file_id).await;
    }
    let detail = value(crate::domains::events::queries::get(state, actor, id).await);
    let mut record = detail.unwrap_or_else(|_| json!({}));
    record["id"] = json!(id);
    Ok(record)
}

/// Writes the event report's receipt in the event's own transaction: once the event exists, a
/// re-sent operation replays the receipt instead of reporting it again (`finish` then stores the
/// full answer).
struct AppliedReceipt<'a> {
    account_id: i64,
    op_id: &'a str,
}

impl ReportHook for AppliedReceipt<'_> {
    async fn write(self, tx: &mut Tx, event_id: i64) -> AppResult<()> {
        let first = Outcome::Applied { id: event_id, version: Some(1), record: json!({ "id": event_id }) };
        let answer = first.to_json(self.op_id).to_string();
        store::applied_in(tx, self.account_id, self.op_id, event_id, &answer).await?;
        Ok(())
    }
}
