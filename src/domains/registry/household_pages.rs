//! Pages of households (户): the list, the new-household form (house by its number, head by ID
//! number), and a household's page with its members, the head, the visits (and the visit form), the edit
//! form and the change history.

use super::codes::Codes;
use super::forms::{self, Failure, Form, HistoryEntry, Kind, Spec, Values, spec};
use super::house_store::HouseholdRow;
use super::houses::{self, HouseholdInput};
use super::persons::{self, PersonOut, PersonQuery};
use super::record_pages::{ListParams, grid_choices, house_by_no, new_page, person_by_id_number};
use crate::auth::{Actor, Permission};
use crate::domains::visits::model::{VISIT_KINDS, VisitInput};
use crate::domains::visits::service::{self as visit_service, HouseholdVisitOut};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::extract::{ApiPath, ApiQuery, PageForm};
use crate::web::pages::{Layout, MsgQuery, redirect, render};
use crate::web::paging::Page;
use crate::web::routes::{Access, Entry, get, post};
use askama::Template;
use axum::extract::State;
use axum::response::Response;

const REGISTER: Access = Access::Perm(Permission::ReadRegister);
const EDIT: Access = Access::Perm(Permission::EditRegister);

pub fn routes() -> Vec<Entry> {
    vec![
        get("/households", REGISTER, "户", list),
        get("/households/new", EDIT, "登记户表单", new_household),
        post("/households", EDIT, "提交登记户", create),
        get("/households/{id}", REGISTER, "户详情（成员、户主、修改记录）", detail),
        post("/households/{id}/edit", EDIT, "提交修改户", edit),
        post("/households/{id}/visits", Access::Perm(Permission::FieldWork), "提交走访户", visit),
    ]
}

const GRID: Spec = spec("grid_id", "所属网格", Kind::Select, true, 0);
const FIELDS: [Spec; 4] = [
    spec("household_no", "户号", Kind::Text, true, 30).hint("字母、数字和 -"),
    spec("house_no", "所住房屋的房屋编号", Kind::Text, false, 40)
        .hint("须是同一网格已登记的房屋，可不填")
        .also(&["house_id"]),
    spec("address", "地址", Kind::Text, false, 200),
    spec("head_id_number", "户主身份证号码", Kind::Text, false, 18)
        .hint("户主须已登记在本辖区，可不填")
        .also(&["head_person_id"]),
];

const VISIT_FIELDS: [Spec; 4] = [
    spec("visited_on", "走访日期", Kind::Date, true, 0),
    spec("kind", "走访类型", Kind::Select, true, 0),
    spec("note", "走访情况", Kind::Textarea, true, crate::domains::visits::model::NOTE_MAX)
        .hint("见到了谁、说了什么、有什么困难、帮了什么"),
    spec("next_visit_due", "下次走访日期", Kind::Date, false, 0).hint("可不填；到期未走访会列入走访逾期"),
];

fn specs(with_grid: bool) -> Vec<Spec> {
    let mut v = if with_grid { vec![GRID] } else { vec![] };
    v.extend(FIELDS);
    v
}

/// The service input: the house number and the head's ID number are looked up in scope first.
async fn input(s: &AppState, a: &Actor, v: &Values, edit: bool) -> AppResult<Result<HouseholdInput, FieldErrors>> {
    let mut errors = FieldErrors::new();
    let mut i = HouseholdInput {
        version: if edit { v.i64("version", &mut errors) } else { None },
        grid_id: if edit { None } else { v.i64("grid_id", &mut errors) },
        household_no: v.text("household_no"),
        address: v.text("address"),
        head_person_id: v.i64("head_person_id", &mut errors),
        ..Default::default()
    };
    if let Some(no) = v.opt("house_no") {
        match house_by_no(s, a, &no).await? {
            Some(h) => i.house_id = Some(h.id),
            None => {
                errors.insert("house_no".into(), "房屋编号不存在或不在您的管辖范围内".into());
            }
        }
    }
    if let Some(n) = v.opt("head_id_number") {
        match person_by_id_number(s, a, "户主", &n).await? {
            Ok(p) => i.head_person_id = Some(p.id),
            Err(m) => {
                errors.insert("head_id_number".into(), m);
            }
        }
    }
    Ok(if errors.is_empty() { Ok(i) } else { Err(errors) })
}

#[derive(Template)]
#[template(path = "registry/households.html")]
struct ListPage {
    l: Layout,
    p: ListParams,
    grids: Vec<(String, String)>,
    list: Page<HouseholdRow>,
    prev: Option<String>,
    next: Option<String>,
    can_edit: bool,
}

async fn list(State(s): State<AppState>, a: Actor, ApiQuery(p): ApiQuery<ListParams>) -> AppResult<Response> {
    let list = houses::list_households(&s, &a, &p.query()?).await?;
    let (prev, next) = p.pager("/households", &list);
    let l = Layout::for_actor(&a, "户").with_notice(p.msg.as_deref());
    render(&ListPage {
        l,
        grids: grid_choices(&s, &a).await?,
        p,
        list,
        prev,
        next,
        can_edit: a.can(Permission::EditRegister),
    })
}

async fn new_form(s: &AppState, a: &Actor, v: &Values, failure: Option<&Failure>) -> AppResult<Response> {
    let grids = grid_choices(s, a).await?;
    let form = forms::form("", &specs(true), v, failure, &|n| if n == "grid_id" { grids.clone() } else { vec![] });
    new_page(a, "登记户", "/households", "/households", "household-submit", "", form, failure)
}

async fn new_household(State(s): State<AppState>, a: Actor) -> AppResult<Response> {
    new_form(&s, &a, &Values::default(), None).await
}

async fn create(
    State(s): State<AppState>,
    a: Actor,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let v = Values::from_pairs(&pairs);
    v.only(&["grid_id", "household_no", "house_no", "address", "head_id_number"])?;
    let done = match input(&s, &a, &v, false).await? {
        Ok(i) => houses::create_household(&s, &a, &i).await,
        Err(errors) => Err(AppError::fields(errors)),
    };
    match done {
        Ok(h) => Ok(redirect(&format!("/households/{}?msg=created", h.id))),
        Err(e) => new_form(&s, &a, &v, Some(&Failure::of(e)?)).await,
    }
}

#[derive(Template)]
#[template(path = "registry/household.html")]
struct DetailPage {
    l: Layout,
    h: HouseholdRow,
    house_no: String,
    members: Option<Page<PersonOut>>,
    form: Option<Form>,
    history: Vec<HistoryEntry>,
    visits: Vec<HouseholdVisitOut>,
    visit_form: Option<Form>,
}

impl DetailPage {
    fn is_head(&self, id: &i64) -> bool {
        self.h.head_person_id == Some(*id)
    }
}

async fn detail_page(
    s: &AppState,
    a: &Actor,
    id: i64,
    msg: Option<&str>,
    submitted: Option<(&Values, &Failure)>,
    visit_submitted: Option<(&Values, &Failure)>,
) -> AppResult<Response> {
    let h = houses::get_household(s, a, id).await?;
    let house_no = match h.house_id {
        Some(hid) => houses::get_house(s, a, hid).await.map(|x| x.house_no).unwrap_or_default(),
        None => String::new(),
    };
    let members = if a.can(Permission::ReadPersonalData) {
        Some(
            persons::search(s, a, &PersonQuery { household: Some(id), per_page: Some(100), ..Default::default() })
                .await?,
        )
    } else {
        None
    };
    let codes = Codes::load(&s.db).await?;
    let history = houses::named_history(s, houses::history(s, a, "household", id).await?, &codes).await?;
    let form = a.can(Permission::EditRegister).then(|| {
        let mut current = Values::default();
        current.set("version", h.version.to_string());
        current.set("household_no", h.household_no.clone());
        current.set("house_no", house_no.clone());
        current.set("address", h.address.clone());
        let (v, failure) = match submitted {
            Some((v, f)) => (v, Some(f)),
            None => (&current, None),
        };
        let mut form = forms::form("edit-", &specs(false), v, failure, &|_| vec![]);
        if let Some(name) = &h.head_name {
            form.hint("head_id_number", format!("现为 {name}；不更换请留空，或在下方成员中点“设为户主”"));
        }
        form
    });
    let visits = visit_service::of_household(s, a, id).await?;
    let visit_form = a.can(Permission::FieldWork).then(|| {
        let mut today = Values::default();
        today.set("visited_on", crate::clock::to_local(a.now).date_naive().to_string());
        today.set("kind", "routine");
        let (v, failure) = match visit_submitted {
            Some((v, f)) => (v, Some(f)),
            None => (&today, None),
        };
        let kinds: Vec<(String, String)> =
            VISIT_KINDS.iter().map(|(k, l)| ((*k).to_owned(), (*l).to_owned())).collect();
        forms::form("visit-", &VISIT_FIELDS, v, failure, &|n| if n == "kind" { kinds.clone() } else { vec![] })
    });
    let l = Layout::for_actor(a, &format!("户 {}", h.household_no)).with_notice(msg);
    let page = DetailPage { l, h, house_no, members, form, history, visits, visit_form };
    let failed = submitted.or(visit_submitted).map(|(_, f)| f);
    Ok(forms::with_status(render(&page)?, failed))
}

async fn detail(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(mq): ApiQuery<MsgQuery>,
) -> AppResult<Response> {
    detail_page(&s, &a, id, mq.msg.as_deref(), None, None).await
}

async fn edit(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let v = Values::from_pairs(&pairs);
    v.only(&["version", "household_no", "house_no", "address", "head_id_number", "head_person_id"])?;
    let done = match input(&s, &a, &v, true).await? {
        Ok(i) => houses::update_household(&s, &a, id, &i).await,
        Err(errors) => Err(AppError::fields(errors)),
    };
    match done {
        Ok(_) => Ok(redirect(&format!("/households/{id}?msg=saved"))),
        Err(e) => detail_page(&s, &a, id, None, Some((&v, &Failure::of(e)?)), None).await,
    }
}

/// Records a household visit from the form on the household's page.
async fn visit(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let v = Values::from_pairs(&pairs);
    v.only(&["visited_on", "kind", "note", "next_visit_due"])?;
    let input = VisitInput {
        visited_on: v.get("visited_on").to_owned(),
        kind: v.get("kind").to_owned(),
        note: v.get("note").to_owned(),
        next_visit_due: v.opt("next_visit_due"),
    };
    match visit_service::record(&s, &a, id, &input).await {
        Ok(_) => Ok(redirect(&format!("/households/{id}?msg=visited"))),
        Err(e) => detail_page(&s, &a, id, None, None, Some((&v, &Failure::of(e)?))).await,
    }
}
