//! Pages of key places (重点场所): the list, the new-place form, and a place's page with the edit
//! form and the change history.

use super::codes::Codes;
use super::forms::{self, Failure, Form, HistoryEntry, Kind, Spec, Values, spec};
use super::house_store::PlaceRow;
use super::houses::{self, PlaceInput};
use super::record_pages::{ListParams, code_label, grid_choices, new_page};
use crate::auth::{Actor, Permission};
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
        get("/places", REGISTER, "重点场所", list),
        get("/places/new", EDIT, "登记重点场所表单", new_place),
        post("/places", EDIT, "提交登记重点场所", create),
        get("/places/{id}", REGISTER, "重点场所详情（修改记录）", detail),
        post("/places/{id}/edit", EDIT, "提交修改重点场所", edit),
    ]
}

const GRID: Spec = spec("grid_id", "所属网格", Kind::Select, true, 0);
const FIELDS: [Spec; 9] = [
    spec("name", "场所名称", Kind::Text, true, 100),
    spec("place_type", "场所类型", Kind::Select, true, 0),
    spec("credit_code", "统一社会信用代码", Kind::Text, false, 18).hint("18 位，会核对校验位"),
    spec("legal_person", "法定代表人", Kind::Text, false, 50),
    spec("safety_person", "安全责任人", Kind::Text, true, 50),
    spec("contact_phone", "联系电话", Kind::Tel, true, 20),
    spec("address", "地址", Kind::Text, true, 200),
    spec("lon", "经度", Kind::Number, false, 0),
    spec("lat", "纬度", Kind::Number, false, 0),
];

fn specs(edit: bool) -> Vec<Spec> {
    let mut v = if edit { vec![] } else { vec![GRID] };
    // On the edit form the phone may stay blank: the stored one is kept.
    v.extend(FIELDS.iter().map(|s| if edit && s.name == "contact_phone" { s.optional() } else { *s }));
    v
}

fn known(edit: bool) -> Vec<&'static str> {
    let mut k: Vec<&str> = specs(edit).iter().map(|s| s.name).collect();
    if edit {
        k.push("version");
    }
    k
}

fn input(v: &Values, edit: bool, errors: &mut FieldErrors) -> PlaceInput {
    PlaceInput {
        version: if edit { v.i64("version", errors) } else { None },
        grid_id: if edit { None } else { v.i64("grid_id", errors) },
        name: v.text("name"),
        place_type: v.text("place_type"),
        credit_code: v.text("credit_code"),
        legal_person: v.text("legal_person"),
        safety_person: v.text("safety_person"),
        contact_phone: if edit { v.opt("contact_phone") } else { v.text("contact_phone") },
        address: v.text("address"),
        lon: v.f64("lon", errors),
        lat: v.f64("lat", errors),
    }
}

#[derive(Template)]
#[template(path = "registry/places.html")]
struct ListPage {
    l: Layout,
    p: ListParams,
    grids: Vec<(String, String)>,
    list: Page<PlaceRow>,
    types: Vec<String>,
    prev: Option<String>,
    next: Option<String>,
    can_edit: bool,
}

async fn list(State(s): State<AppState>, a: Actor, ApiQuery(p): ApiQuery<ListParams>) -> AppResult<Response> {
    let list = houses::list_places(&s, &a, &p.query()?).await?;
    let codes = Codes::load(&s.db).await?;
    let types = list.items.iter().map(|x| code_label(&codes, "place_type", &x.place_type)).collect();
    let (prev, next) = p.pager("/places", &list);
    let l = Layout::for_actor(&a, "重点场所").with_notice(p.msg.as_deref());
    render(&ListPage {
        l,
        grids: grid_choices(&s, &a).await?,
        p,
        list,
        types,
        prev,
        next,
        can_edit: a.can(Permission::EditRegister),
    })
}

async fn new_form(s: &AppState, a: &Actor, v: &Values, failure: Option<&Failure>) -> AppResult<Response> {
    let codes = Codes::load(&s.db).await?;
    let grids = grid_choices(s, a).await?;
    let form = forms::form("", &specs(false), v, failure, &|n| match n {
        "grid_id" => grids.clone(),
        "place_type" => codes.items(n),
        _ => vec![],
    });
    new_page(a, "登记重点场所", "/places", "/places", "place-submit", "", form, failure)
}

async fn new_place(State(s): State<AppState>, a: Actor) -> AppResult<Response> {
    new_form(&s, &a, &Values::default(), None).await
}

async fn create(
    State(s): State<AppState>,
    a: Actor,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let v = Values::from_pairs(&pairs);
    v.only(&known(false))?;
    let mut errors = FieldErrors::new();
    let i = input(&v, false, &mut errors);
    let done = if errors.is_empty() { houses::create_place(&s, &a, &i).await } else { Err(AppError::fields(errors)) };
    match done {
        Ok(p) => Ok(redirect(&format!("/places/{}?msg=created", p.id))),
        Err(e) => new_form(&s, &a, &v, Some(&Failure::of(e)?)).await,
    }
}

#[derive(Template)]
#[template(path = "registry/place.html")]
struct DetailPage {
    l: Layout,
    p: PlaceRow,
    type_label: String,
    form: Option<Form>,
    history: Vec<HistoryEntry>,
}

async fn detail_page(
    s: &AppState,
    a: &Actor,
    id: i64,
    msg: Option<&str>,
    submitted: Option<(&Values, &Failure)>,
) -> AppResult<Response> {
    let p = houses::get_place(s, a, id).await?;
    let codes = Codes::load(&s.db).await?;
    let history = houses::named_history(s, houses::history(s, a, "place", id).await?, &codes).await?;
    let form = a.can(Permission::EditRegister).then(|| {
        let mut current = Values::default();
        current.set("version", p.version.to_string());
        for (k, x) in [
            ("name", &p.name),
            ("place_type", &p.place_type),
            ("legal_person", &p.legal_person),
            ("safety_person", &p.safety_person),
            ("address", &p.address),
        ] {
            current.set(k, x.clone());
        }
        current.set("credit_code", p.credit_code.clone().unwrap_or_default());
        current.set("lon", p.lon.map(|n| n.to_string()).unwrap_or_default());
        current.set("lat", p.lat.map(|n| n.to_string()).unwrap_or_default());
        let (v, failure) = match submitted {
            Some((v, f)) => (v, Some(f)),
            None => (&current, None),
        };
        let mut form = forms::form("edit-", &specs(true), v, failure, &|n| {
            if n == "place_type" { codes.items(n) } else { vec![] }
        });
        form.hint("contact_phone", format!("不修改请留空（现为 {}）", p.contact_phone_masked));
        form
    });
    let l = Layout::for_actor(a, &p.name).with_notice(msg);
    let page = DetailPage { l, type_label: code_label(&codes, "place_type", &p.place_type), p, form, history };
    Ok(forms::with_status(render(&page)?, submitted.map(|(_, f)| f)))
}

async fn detail(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(mq): ApiQuery<MsgQuery>,
) -> AppResult<Response> {
    detail_page(&s, &a, id, mq.msg.as_deref(), None).await
}

async fn edit(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let v = Values::from_pairs(&pairs);
    v.only(&known(true))?;
    let mut errors = FieldErrors::new();
    let i = input(&v, true, &mut errors);
    let done =
        if errors.is_empty() { houses::update_place(&s, &a, id, &i).await } else { Err(AppError::fields(errors)) };
    match done {
        Ok(_) => Ok(redirect(&format!("/places/{id}?msg=saved"))),
        Err(e) => detail_page(&s, &a, id, None, Some((&v, &Failure::of(e)?))).await,
    }
}
