//! Pages of the register for grid workers and staff: search people (masked), register a person
//! with the fields of their kind, a person's page with unmasking (reason required), status changes,
//! special-population files and history.

mod imports;

use super::codes::Codes;
use super::forms::{self, Failure, HistoryEntry, Values};
use super::model::{ExtraField, FieldType, PERSON_KINDS, extra_fields};
use super::persons::{self, PersonInput, PersonOut, PersonQuery, StatusInput};
use super::{special, special_pages};
use crate::auth::{Actor, Permission};
use crate::domains::org::areas::{self, AreaOut, AreaQuery};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery, PageForm};
use crate::web::form::{opt_i64, req_i64, urlencode};
use crate::web::pages::{Layout, MsgQuery, redirect, render};
use crate::web::paging::Page;
use crate::web::routes::{Access, Entry, get, post};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use imports::{import_page, import_progress, import_upload, ledger, start_page, start_upload};
use serde::Deserialize;
use serde_json::{Map, Value};

const READ: Access = Access::Perm(Permission::ReadPersonalData);
const EDIT: Access = Access::Perm(Permission::EditRegister);

pub fn routes() -> Vec<Entry> {
    let mut v = vec![
        get("/people", READ, "人员检索", people),
        get("/people/new", EDIT, "登记人员表单", new_person),
        post("/people", EDIT, "提交登记人员", create_person),
        get("/people/{id}", READ, "人员详情", person_page),
        post("/people/{id}/unmask", Access::Perm(Permission::UnmaskPersonalData), "查看完整号码（需说明原因）", unmask),
        post("/people/{id}/status", EDIT, "迁出、死亡、离开或迁回", status),
        get("/ledgers", Access::Perm(Permission::ReadRegister), "台账（基本、特殊、流动群体）", ledger),
        get("/people/import", EDIT, "批量导入人员", import_page),
        post("/people/import", EDIT, "上传导入文件", import_upload),
        get("/imports/{id}", EDIT, "导入进度", import_progress),
        get("/imports/start/{entity}", EDIT, "批量导入（人员、房屋、户、出租房屋、重点场所）", start_page),
        post("/imports/start/{entity}", EDIT, "上传导入文件", start_upload),
    ];
    v.extend(super::house_pages::routes());
    v.extend(super::household_pages::routes());
    v.extend(super::rental_pages::routes());
    v.extend(super::place_pages::routes());
    v.extend(super::special_pages::routes());
    v.extend(super::transfer_pages::routes());
    v
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    grid: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    msg: Option<String>,
}

#[derive(Template)]
#[template(path = "registry/people.html")]
struct PeoplePage {
    l: Layout,
    q: String,
    kind: String,
    status: String,
    grid: String,
    kinds: &'static [(&'static str, &'static str)],
    list: Page<PersonOut>,
    prev: Option<String>,
    next: Option<String>,
    can_edit: bool,
    /// Where a text search stops counting.
    capped: i64,
}

async fn people(State(s): State<AppState>, a: Actor, ApiQuery(lq): ApiQuery<ListQuery>) -> AppResult<Response> {
    let q = PersonQuery {
        q: Some(lq.q.clone()).filter(|q| !q.trim().is_empty()),
        grid: opt_i64("grid", &lq.grid)?,
        kind: Some(lq.kind.clone()).filter(|k| !k.is_empty()),
        status: Some(lq.status.clone()).filter(|k| !k.is_empty()),
        page: opt_i64("page", &lq.page)?,
        per_page: Some(30),
        ..Default::default()
    };
    let list = persons::search(&s, &a, &q).await?;
    let base = format!("/people?q={}&grid={}&kind={}&status={}", urlencode(&lq.q), lq.grid, lq.kind, lq.status);
    let prev = list.has_prev().then(|| format!("{base}&page={}", list.page - 1));
    let next = list.has_next().then(|| format!("{base}&page={}", list.page + 1));
    let l = Layout::for_actor(&a, "实有人口").with_notice(lq.msg.as_deref());
    let capped = if lq.q.trim().is_empty() { i64::MAX } else { super::person_store::TOTAL_CAP };
    render(&PeoplePage {
        capped,
        l,
        q: lq.q,
        kind: lq.kind,
        status: lq.status,
        grid: lq.grid,
        kinds: &PERSON_KINDS,
        list,
        prev,
        next,
        can_edit: a.can(Permission::EditRegister),
    })
}

/// One input of the person form, with its choices when it is a code, the value typed and its error.
struct FieldView {
    name: String,
    label: &'static str,
    required: bool,
    date: bool,
    choices: Vec<(String, String)>,
    value: String,
    error: String,
}

fn field_views(codes: &Codes, defs: &[ExtraField], values: &Values, errors: &FieldErrors) -> Vec<FieldView> {
    defs.iter()
        .map(|d| {
            let name = format!("extra.{}", d.key);
            FieldView {
                value: values.get(&name).to_owned(),
                error: errors.get(&name).cloned().unwrap_or_default(),
                name,
                label: d.label,
                required: d.required,
                date: d.kind == FieldType::Date,
                choices: match d.kind {
                    FieldType::Code(t) => codes.items(t),
                    FieldType::Bool => vec![("false".into(), "否".into()), ("true".into(), "是".into())],
                    _ => vec![],
                },
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "registry/person_form.html")]
struct PersonForm {
    l: Layout,
    kind: String,
    kind_label: &'static str,
    kinds: &'static [(&'static str, &'static str)],
    grids: Vec<AreaOut>,
    grid: i64,
    extras: Vec<FieldView>,
    education: Vec<(String, String)>,
    ethnicity: Vec<(String, String)>,
    political: Vec<(String, String)>,
    marital: Vec<(String, String)>,
    relation: Vec<(String, String)>,
    values: Values,
    failure: Option<Failure>,
    /// After “already registered elsewhere”: the number and grid to ask a transfer for.
    transfer: Option<(String, i64)>,
}

impl PersonForm {
    /// The value typed into a field (empty on a fresh form).
    fn v(&self, name: &str) -> &str {
        self.values.get(name)
    }
    /// The error of a field (empty when none).
    fn e(&self, name: &str) -> &str {
        self.failure.as_ref().and_then(|f| f.fields.get(name)).map(String::as_str).unwrap_or("")
    }
    /// Errors that belong to no input of the form.
    fn other_errors(&self) -> Vec<&str> {
        const INPUTS: [&str; 12] = [
            "grid_id",
            "name",
            "id_number",
            "phone",
            "address",
            "ethnicity",
            "education",
            "political_status",
            "marital_status",
            "relation_to_head",
            "occupation",
            "kind",
        ];
        let Some(f) = &self.failure else { return vec![] };
        f.fields
            .iter()
            .filter(|(k, _)| !INPUTS.contains(&k.as_str()) && !self.extras.iter().any(|x| &x.name == *k))
            .map(|(_, m)| m.as_str())
            .collect()
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NewQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    grid: String,
}

async fn person_form(
    s: &AppState,
    a: &Actor,
    kind: &str,
    grid: Option<i64>,
    values: Values,
    failure: Option<Failure>,
) -> AppResult<Response> {
    let kind = if super::model::kind_label(kind).is_empty() { "registered".to_owned() } else { kind.to_owned() };
    let grids =
        areas::list(&s.db, a, &AreaQuery { kind: Some("grid".into()), per_page: Some(200), ..Default::default() })
            .await?
            .items;
    let grid = grid.or_else(|| grids.first().map(|g| g.id)).unwrap_or(0);
    let codes = Codes::load(&s.db).await?;
    let errors = failure.as_ref().map(|f| f.fields.clone()).unwrap_or_default();
    let transfer =
        failure.as_ref().filter(|f| f.is_conflict()).and_then(|_| values.opt("id_number")).map(|number| (number, grid));
    let page = PersonForm {
        l: Layout::for_actor(a, "登记人员"),
        kind_label: super::model::kind_label(&kind),
        extras: field_views(&codes, extra_fields(&kind), &values, &errors),
        kind,
        kinds: &PERSON_KINDS,
        grids,
        grid,
        education: codes.items("education"),
        ethnicity: codes.items("ethnicity"),
        political: codes.items("political_status"),
        marital: codes.items("marital_status"),
        relation: codes.items("relation"),
        values,
        transfer,
        failure,
    };
    let status = page.failure.clone();
    Ok(forms::with_status(render(&page)?, status.as_ref()))
}

async fn new_person(State(s): State<AppState>, a: Actor, ApiQuery(nq): ApiQuery<NewQuery>) -> AppResult<Response> {
    let mut values = Values::default();
    values.set("ethnicity", "01");
    person_form(&s, &a, &nq.kind, opt_i64("grid", &nq.grid)?, values, None).await
}

/// Builds the API input from the flat form (`extra.KEY` fields become the `extra` object).
fn input_from_form(pairs: Vec<(String, String)>) -> AppResult<PersonInput> {
    let mut i = PersonInput::default();
    let mut extra = Map::new();
    for (k, v) in pairs {
        let some = || Some(v.clone()).filter(|s| !s.trim().is_empty());
        match k.as_str() {
            "kind" => i.kind = some(),
            "name" => i.name = some(),
            "id_number" => i.id_number = some(),
            "phone" => i.phone = some(),
            "grid_id" => i.grid_id = Some(req_i64("grid_id", &v)?),
            "address" => i.address = some(),
            "registered_address" => i.registered_address = some(),
            "ethnicity" => i.ethnicity = some(),
            "education" => i.education = some(),
            "political_status" => i.political_status = some(),
            "marital_status" => i.marital_status = some(),
            "relation_to_head" => i.relation_to_head = some(),
            "occupation" => i.occupation = some(),
            "workplace" => i.workplace = some(),
            key if key.starts_with("extra.") => {
                if !v.trim().is_empty() {
                    extra.insert(key["extra.".len()..].to_owned(), Value::String(v));
                }
            }
            other => return Err(AppError::field(other, format!("不认识的字段 {other}"))),
        }
    }
    i.extra = Some(Value::Object(extra));
    Ok(i)
}

async fn create_person(
    State(s): State<AppState>,
    a: Actor,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let values = Values::from_pairs(&pairs);
    let done = match input_from_form(pairs) {
        Ok(i) => persons::create(&s, &a, &i).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(p) => Ok(redirect(&format!("/people/{}?msg=created", p.id))),
        Err(e) => {
            let failure = Failure::of(e)?;
            let mut errors = FieldErrors::new();
            let grid = values.i64("grid_id", &mut errors);
            person_form(&s, &a, values.get("kind"), grid, values.clone(), Some(failure)).await
        }
    }
}

#[derive(Template)]
#[template(path = "registry/person.html")]
struct PersonPage {
    l: Layout,
    p: PersonOut,
    /// Whether the caller sees special-population files at all.
    can_special: bool,
    files: Vec<special_pages::FileView>,
    new_files: Vec<special_pages::NewFileView>,
    special_error: Option<String>,
    history: Vec<HistoryEntry>,
    can_unmask: bool,
    can_edit: bool,
    /// Whether the caller may open the person's house and household.
    can_register: bool,
    today: String,
}

impl PersonPage {
    fn extra_text(&self) -> Vec<(&'static str, String)> {
        let defs = extra_fields(&self.p.kind);
        defs.iter()
            .filter_map(|d| {
                let v = self.p.extra.get(d.key)?;
                let text = match v {
                    Value::Bool(true) => "是".to_owned(),
                    Value::Bool(false) => "否".to_owned(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                Some((d.label, text))
            })
            .collect()
    }
}

/// The person's page; `special` draws a refused special-file form again (with its status).
pub(super) async fn person_view(
    s: &AppState,
    a: &Actor,
    id: i64,
    unmask: Option<&str>,
    msg: Option<&str>,
    special: Option<&special_pages::Submitted>,
) -> AppResult<Response> {
    let p = persons::get(s, a, id, unmask).await?;
    let can_special = a.can(Permission::ReadSpecialFiles);
    let files = if can_special { special::list(s, a, id).await.unwrap_or_default() } else { vec![] };
    let codes = Codes::load(&s.db).await?;
    let today = s.clock.today().to_string();
    let can_edit = a.can(Permission::EditRegister);
    let (files, new_files, special_error) =
        special_pages::views(files, can_special && can_edit, &today, &codes, special);
    let history = super::houses::named_history(s, persons::history(s, a, id).await?, &codes).await?;
    let l = Layout::for_actor(a, &p.name).with_notice(msg);
    let page = PersonPage {
        l,
        p,
        can_special,
        files,
        new_files,
        special_error,
        history,
        can_unmask: a.can(Permission::UnmaskPersonalData),
        can_edit,
        can_register: a.can(Permission::ReadRegister),
        today,
    };
    Ok(forms::with_status(render(&page)?, special.map(|x| &x.failure)))
}

async fn person_page(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(mq): ApiQuery<MsgQuery>,
) -> AppResult<Response> {
    person_view(&s, &a, id, None, mq.msg.as_deref(), None).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnmaskForm {
    reason: String,
}

/// Full numbers are shown in answer to a POST, so the reason never sits in a URL or a log.
async fn unmask(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<UnmaskForm>,
) -> AppResult<Response> {
    person_view(&s, &a, id, Some(&f.reason), None, None).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusForm {
    version: String,
    status: String,
    date: String,
    reason: String,
}

async fn status(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(f): PageForm<StatusForm>,
) -> AppResult<Response> {
    let input =
        StatusInput { version: req_i64("version", &f.version)?, status: f.status, date: f.date, reason: f.reason };
    persons::change_status(&s, &a, id, &input).await?;
    Ok(redirect(&format!("/people/{id}?msg=saved")))
}
