//! Where the register feeds the stream: registering or changing a person, or creating a
//! special-population file, sends (or updates, or resends) a submission in the register's own
//! transaction, so the change and its submission land together or not at all. The register does
//! not call this by name: `on_person_written` subscribes to `registry::observe`.

use super::model::{action_label, kind_label};
use super::store::{self, MappingRow, NewStep, NewSubmission, SubmissionRow};
use crate::audit;
use crate::auth::Actor;
use crate::clock::{Millis, format_local};
use crate::db::{Tx, Value as Arg};
use crate::domains::events::calendar::{Limit, WorkCalendar};
use crate::domains::events::reads::holder_accounts;
use crate::domains::org::model::department_kind_label;
use crate::domains::registry::model as registry;
use crate::domains::registry::observe::{AfterCommit, PersonWritten, Subject};
use crate::domains::registry::observe::{PersonRow, person_tx};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde_json::{Value, json};

/// Messages for the outside sender, delivered once the transaction has committed.
#[derive(Default, Debug)]
#[must_use]
pub struct Outbox(Vec<(Vec<i64>, String)>);

impl Outbox {
    pub fn deliver(self, state: &AppState) {
        for (to, text) in self.0 {
            state.notifier.send(&to, &text);
        }
    }

    /// The same messages, as work for after the register's commit.
    fn after_commit(self) -> AfterCommit {
        let mut after = AfterCommit::default();
        if !self.0.is_empty() {
            after.then(move |state| self.deliver(state));
        }
        after
    }
}

/// The register's subscriber (wired in `domains::wire`).
pub fn on_person_written<'a>(
    state: &'a AppState,
    tx: &'a mut Tx,
    actor: &'a Actor,
    w: &'a PersonWritten<'a>,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = AppResult<AfterCommit>> + Send + 'a>> {
    Box::pin(async move {
        let out = person_written(state, tx, actor, w.person_id, w.subject, w.action, w.detail.clone()).await?;
        Ok(out.after_commit())
    })
}

/// The masked view of a person a submission carries (no ID number or phone in clear).
pub fn summary(r: &PersonRow) -> Value {
    json!({
        "name": r.name, "kind": r.kind, "kind_label": registry::kind_label(&r.kind), "sex": r.sex,
        "birth_date": r.birth_date, "id_number": r.id_masked, "phone": r.phone_masked, "grid": r.grid_name,
        "address": r.address, "status": r.status, "extra": serde_json::from_str::<Value>(&r.extra).unwrap_or(Value::Null),
    })
}

/// Where a submission goes now and by when it is due.
pub struct Route {
    pub department_id: Option<i64>,
    pub limit_minutes: i64,
    pub yellow_at: Millis,
    pub deadline: Millis,
}

impl Route {
    /// The columns that (re)start a submission's clock at `now` towards this route.
    pub fn sets(&self, now: Millis) -> Vec<(&'static str, Arg)> {
        vec![
            ("state", "waiting".into()),
            ("department_id", self.department_id.into()),
            ("no_department", self.department_id.is_none().into()),
            ("last_sent_at", now.into()),
            ("limit_minutes", self.limit_minutes.into()),
            ("yellow_at", self.yellow_at.into()),
            ("deadline", self.deadline.into()),
        ]
    }
}

/// The town's department of the mapped kind and the sign-off clock from `now`.
pub async fn route(tx: &mut Tx, cal: &WorkCalendar, m: &MappingRow, town_id: i64, now: Millis) -> AppResult<Route> {
    let limit = Limit::parse(&m.sign_limit).unwrap_or(Limit::Days(3)).minutes();
    Ok(Route {
        department_id: store::department_for(tx, town_id, &m.department_kind).await?,
        limit_minutes: limit,
        yellow_at: cal.add(now, limit * m.yellow_pct.clamp(1, 100) / 100),
        deadline: cal.add(now, limit),
    })
}

/// Who to tell that a submission waits: the department's handlers, or (no department) the town centre.
pub async fn tell_waiting(
    state: &AppState,
    tx: &mut Tx,
    out: &mut Outbox,
    s: &SubmissionRow,
    r: &Route,
    now: Millis,
) -> AppResult<()> {
    let (to, kind, text) = match r.department_id {
        Some(d) => (
            holder_accounts(&state.db, None, Some(d)).await?,
            "submission_waiting",
            format!(
                "报送待签收：{}{}（{}），请于 {} 前签收",
                kind_label(&s.kind),
                action_label(&s.action),
                s.grid_name,
                format_local(r.deadline)
            ),
        ),
        None => (
            holder_accounts(&state.db, Some(s.town_id), None).await?,
            "submission_no_department",
            format!(
                "报送无对应部门：{}没有在用的{}，{}报送（{}）无人签收",
                s.town_name,
                department_kind_label(&s.department_kind),
                kind_label(&s.kind),
                s.grid_name
            ),
        ),
    };
    store::notify(tx, &to, kind, &text, now).await?;
    out.0.push((to, text));
    Ok(())
}

/// Tells the sender's side that a submission came back.
pub async fn tell_returned(
    state: &AppState,
    tx: &mut Tx,
    out: &mut Outbox,
    s: &SubmissionRow,
    reason: &str,
    now: Millis,
) -> AppResult<()> {
    let mut to = holder_accounts(&state.db, Some(s.grid_id), None).await?;
    to.push(s.sent_by);
    to.sort_unstable();
    to.dedup();
    let text =
        format!("报送被退回：{}{}（{}），原因：{}", kind_label(&s.kind), action_label(&s.action), s.grid_name, reason);
    store::notify(tx, &to, "submission_returned", &text, now).await?;
    out.0.push((to, text));
    Ok(())
}

/// Sends, updates or resends the submissions a register change calls for, in the caller's transaction.
/// `detail` is what changed (masked), or `{}` for a registration.
async fn person_written(
    state: &AppState,
    tx: &mut Tx,
    actor: &Actor,
    person_id: i64,
    subject: Subject<'_>,
    action: &str,
    detail: Value,
) -> AppResult<Outbox> {
    let mut out = Outbox::default();
    let Some(person) = person_tx(tx, person_id).await? else { return Ok(out) };
    let kinds = kinds_of(tx, &person, person_id, subject).await?;
    let maps = enabled_mappings(tx, &kinds).await?;
    if maps.is_empty() {
        return Ok(out);
    }
    let Some((grid_path, town_id, town_path)) = store::town_of(tx, person.grid_id).await? else { return Ok(out) };
    let cal = store::calendar_tx(tx).await?;
    let w = Written {
        person_id,
        grid_id: person.grid_id,
        grid_path,
        town_id,
        town_path,
        action,
        person_view: summary(&person),
        detail,
    };
    for m in maps {
        send_one(state, tx, actor, &mut out, &w, &cal, &m).await?;
    }
    Ok(out)
}

/// The kinds a change concerns: for a person, floating (if it is or was) and its active files' kinds;
/// for a file, its kind.
async fn kinds_of(tx: &mut Tx, person: &PersonRow, person_id: i64, subject: Subject<'_>) -> AppResult<Vec<String>> {
    Ok(match subject {
        Subject::Person { was_floating } => {
            let mut k = Vec::new();
            if person.kind == "floating" || was_floating {
                k.push("floating".to_owned());
            }
            k.extend(store::special_kinds_of(tx, person_id).await?);
            k
        }
        Subject::File(kind) => vec![kind.to_owned()],
    })
}

/// The mappings of those kinds that are submitted at all.
async fn enabled_mappings(tx: &mut Tx, kinds: &[String]) -> AppResult<Vec<MappingRow>> {
    let mut maps = Vec::new();
    for k in kinds {
        if let Some(m) = store::mapping_tx(tx, k).await?.filter(|m| m.enabled) {
            maps.push(m);
        }
    }
    Ok(maps)
}

/// What every submission of one register change shares.
struct Written<'a> {
    person_id: i64,
    grid_id: i64,
    grid_path: String,
    town_id: i64,
    town_path: String,
    action: &'a str,
    person_view: Value,
    detail: Value,
}

/// What was done to one submission: its id, the history step, the state it left (none when new)
/// and whether the signing side is to be told.
struct Sent<'a> {
    id: i64,
    step: &'static str,
    from_state: Option<&'a str>,
    tell: bool,
}

/// Sends (or updates, or resends) the submission of one mapped kind, with its step and audit line.
async fn send_one(
    state: &AppState,
    tx: &mut Tx,
    actor: &Actor,
    out: &mut Outbox,
    w: &Written<'_>,
    cal: &WorkCalendar,
    m: &MappingRow,
) -> AppResult<()> {
    let now = actor.now;
    let route = route(tx, cal, m, w.town_id, now).await?;
    let snapshot =
        json!({ "kind": m.kind, "kind_label": kind_label(&m.kind), "person": w.person_view, "changes": w.detail })
            .to_string();
    let open = store::open_for(tx, w.person_id, &m.kind).await?;
    let sent = match &open {
        None => insert_new(tx, actor, w, m, &route, snapshot).await?,
        Some(o) => refresh_open(tx, o, &route, snapshot, now).await?,
    };
    record_step(tx, actor, w, m, &route, &sent).await?;
    if sent.tell {
        let s = store::get_tx(tx, &crate::auth::Scope::everything(), sent.id)
            .await?
            .ok_or_else(|| AppError::not_found("报送"))?;
        tell_waiting(state, tx, out, &s, &route, now).await?;
    }
    Ok(())
}

async fn insert_new(
    tx: &mut Tx,
    actor: &Actor,
    w: &Written<'_>,
    m: &MappingRow,
    route: &Route,
    snapshot: String,
) -> AppResult<Sent<'static>> {
    let id = store::insert(
        tx,
        &NewSubmission {
            person_id: w.person_id,
            kind: &m.kind,
            action: w.action,
            town_id: w.town_id,
            town_path: &w.town_path,
            grid_id: w.grid_id,
            grid_path: &w.grid_path,
            department_kind: &m.department_kind,
            department_id: route.department_id,
            sent_by: actor.id,
            limit_minutes: route.limit_minutes,
            yellow_at: route.yellow_at,
            deadline: route.deadline,
            snapshot,
            now: actor.now,
        },
    )
    .await?;
    Ok(Sent { id, step: "send", from_state: None, tell: true })
}

/// An open submission takes the new snapshot. A returned one is resent; a waiting one that found no
/// department is re-routed if it now can be; otherwise a waiting one keeps its department and clock.
async fn refresh_open<'o>(
    tx: &mut Tx,
    o: &'o SubmissionRow,
    route: &Route,
    snapshot: String,
    now: Millis,
) -> AppResult<Sent<'o>> {
    let mut sets: Vec<(&str, Arg)> = vec![("snapshot", snapshot.into())];
    let (step, restart) = match (o.state.as_str(), o.department_id, route.department_id) {
        ("returned", _, _) => ("resend", true),
        (_, None, Some(_)) => ("resend", true),
        _ => ("update", false),
    };
    if restart {
        sets.extend(route.sets(now));
    }
    if step == "resend" && o.state == "returned" {
        sets.push(("resends", (o.resends + 1).into()));
    }
    if !store::update(tx, o.id, o.version, &sets, now).await? {
        return Err(AppError::Conflict("报送已被他人处理，请刷新后重试".into()));
    }
    Ok(Sent { id: o.id, step, from_state: Some(o.state.as_str()), tell: restart })
}

async fn record_step(
    tx: &mut Tx,
    actor: &Actor,
    w: &Written<'_>,
    m: &MappingRow,
    route: &Route,
    sent: &Sent<'_>,
) -> AppResult<()> {
    let note = match sent.step {
        "send" => "",
        "update" => "待签收期间信息变更，已更新报送内容",
        _ => "修改后重新报送",
    };
    store::insert_step(
        tx,
        &NewStep {
            submission_id: sent.id,
            action: sent.step,
            account_id: Some(actor.id),
            actor_name: &actor.display_name,
            from_state: sent.from_state,
            to_state: "waiting",
            department_id: route.department_id,
            note,
            data: json!({ "changes": w.detail }).to_string(),
            at: actor.now,
        },
    )
    .await?;
    audit::record(
        tx,
        &actor.audit(),
        &format!("submission_{}", sent.step),
        "submission",
        sent.id,
        json!({ "person": w.person_id, "kind": m.kind, "department": route.department_id }),
    )
    .await?;
    Ok(())
}
