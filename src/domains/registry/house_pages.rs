//! Pages of houses (实有房屋): the list (search, grid, house number), the new-house form, and a house's
//! page with the people living there, the edit form and the change history.

use super::codes::Codes;
use super::forms::{self, Failure, Form, HistoryEntry, Kind, Spec, Values, spec};
use super::house_store::HouseRow;
use super::houses::{self, HouseInput};
use super::persons::{self, PersonOut, PersonQuery};
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
        get("/houses", REGISTER, "实有房屋", list),
        get("/houses/new", EDIT, "登记房屋表单", new_house),
        post("/houses", EDIT, "提交登记房屋", create),
        get("/houses/{id}", REGISTER, "房屋详情（居住人员、修改记录）", detail),
        post("/houses/{id}/edit", EDIT, "提交修改房屋", edit),
    ]
}

const GRID: Spec = spec("grid_id", "所属网格", Kind::Select, true, 0);
const FIELDS: [Spec; 14] = [
    spec("house_no", "房屋编号", Kind::Text, true, 40).hint("字母、数字和 -，如 NS-0001"),
    spec("road", "街路巷（含门牌号）", Kind::Text, false, 100),
    spec("building", "楼栋", Kind::Text, false, 20),
    spec("unit", "单元", Kind::Text, false, 20),
    spec("room", "房号", Kind::Text, false, 20),
    spec("address", "标准地址", Kind::Text, false, 200).hint("不填则由街路巷、楼栋、单元、房号拼成"),
    spec("house_use", "房屋用途", Kind::Select, true, 0),
    spec("floor_area", "建筑面积（平方米）", Kind::Number, false, 0),
    spec("owner_name", "房主姓名", Kind::Text, false, 50),
    spec("owner_id_number", "房主身份证号码", Kind::Text, false, 18),
    spec("owner_phone", "房主电话", Kind::Tel, false, 20),
    spec("hazard", "隐患类型", Kind::Select, true, 0),
    spec("lon", "经度", Kind::Number, false, 0),
    spec("lat", "纬度", Kind::Number, false, 0),
];

fn specs(with_grid: bool) -> Vec<Spec> {
    let mut v = if with_grid { vec![GRID] } else { vec![] };
    v.extend(FIELDS);
    v
}

fn known(edit: bool) -> Vec<&'static str> {
    let mut k: Vec<&str> = specs(!edit).iter().map(|s| s.name).collect();
    if edit {
        k.push("version");
    }
    k
}

fn choices(codes: &Codes, grids: &[(String, String)], name: &str) -> Vec<(String, String)> {
    match name {
        "grid_id" => grids.to_vec(),
        "house_use" => codes.items("house_use"),
        "hazard" => codes.items("hazard"),
        _ => vec![],
    }
}

/// The service input from the form; blank owner numbers on the edit form keep the stored ones.
fn input(v: &Values, edit: bool, errors: &mut FieldErrors) -> HouseInput {
    let secret = |name: &str| if edit { v.opt(name) } else { v.text(name) };
    HouseInput {
        version: if edit { v.i64("version", errors) } else { None },
        grid_id: if edit { None } else { v.i64("grid_id", errors) },
        house_no: v.text("house_no"),
        road: v.text("road"),
        building: v.text("building"),
        unit: v.text("unit"),
        room: v.text("room"),
        address: v.text("address"),
        house_use: v.text("house_use"),
        floor_area: v.f64("floor_area", errors),
        owner_name: v.text("owner_name"),
        owner_id_number: secret("owner_id_number"),
        owner_phone: secret("owner_phone"),
        hazard: v.opt("hazard"),
        lon: v.f64("lon", errors),
        lat: v.f64("lat", errors),
    }
}

/// The current values of a house for its edit form (owner numbers stay blank: typing replaces them).
fn values_of(h: &HouseRow) -> Values {
    let mut v = Values::default();
    v.set("version", h.version.to_string());
    for (k, x) in [
        ("house_no", &h.house_no),
        ("road", &h.road),
        ("building", &h.building),
        ("unit", &h.unit),
        ("room", &h.room),
        ("address", &h.address),
        ("house_use", &h.house_use),
        ("owner_name", &h.owner_name),
        ("hazard", &h.hazard),
    ] {
        v.set(k, x.clone());
    }
    for (k, x) in [("floor_area", h.floor_area), ("lon", h.lon), ("lat", h.lat)] {
        v.set(k, x.map(|n| n.to_string()).unwrap_or_default());
    }
    v
}

#[derive(Template)]
#[template(path = "registry/houses.html")]
struct ListPage {
    l: Layout,
    p: ListParams,
    grids: Vec<(String, String)>,
    list: Page<HouseRow>,
    uses: Vec<String>,
    prev: Option<String>,
    next: Option<String>,
    can_edit: bool,
}

async fn list(State(s): State<AppState>, a: Actor, ApiQuery(p): ApiQuery<ListParams>) -> AppResult<Response> {
    let list = houses::list_houses(&s, &a, &p.query()?).await?;
    let codes = Codes::load(&s.db).await?;
    let uses = list.items.iter().map(|h| code_label(&codes, "house_use", &h.house_use)).collect();
    let (prev, next) = p.pager("/houses", &list);
    let l = Layout::for_actor(&a, "实有房屋").with_notice(p.msg.as_deref());
    render(&ListPage {
        l,
        grids: grid_choices(&s, &a).await?,
        p,
        list,
        uses,
        prev,
        next,
        can_edit: a.can(Permission::EditRegister),
    })
}

async fn new_form(s: &AppState, a: &Actor, v: &Values, failure: Option<&Failure>) -> AppResult<Response> {
    let codes = Codes::load(&s.db).await?;
    let grids = grid_choices(s, a).await?;
    let form = forms::form("", &specs(true), v, failure, &|n| choices(&codes, &grids, n));
    new_page(a, "登记房屋", "/houses", "/houses", "house-submit", "", form, failure)
}

async fn new_house(State(s): State<AppState>, a: Actor) -> AppResult<Response> {
    let mut v = Values::default();
    v.set("hazard", "none");
    new_form(&s, &a, &v, None).await
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
    let done = if errors.is_empty() { houses::create_house(&s, &a, &i).await } else { Err(AppError::fields(errors)) };
    match done {
        Ok(h) => Ok(redirect(&format!("/houses/{}?msg=created", h.id))),
        Err(e) => new_form(&s, &a, &v, Some(&Failure::of(e)?)).await,
    }
}

#[derive(Template)]
#[template(path = "registry/house.html")]
struct DetailPage {
    l: Layout,
    h: HouseRow,
    use_label: String,
    hazard_label: String,
    people: Option<Page<PersonOut>>,
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
    let h = houses::get_house(s, a, id).await?;
    let codes = Codes::load(&s.db).await?;
    let people = if a.can(Permission::ReadPersonalData) {
        Some(persons::search(s, a, &PersonQuery { house: Some(id), per_page: Some(100), ..Default::default() }).await?)
    } else {
        None
    };
    let history = houses::named_history(s, houses::history(s, a, "house", id).await?, &codes).await?;
    let form = a.can(Permission::EditRegister).then(|| {
        let current = values_of(&h);
        let (v, failure) = match submitted {
            Some((v, f)) => (v, Some(f)),
            None => (&current, None),
        };
        let mut form = forms::form("edit-", &specs(false), v, failure, &|n| choices(&codes, &[], n));
        let keep = |masked: &Option<String>| match masked.as_deref().filter(|m| !m.is_empty()) {
            Some(m) => format!("不修改请留空（现为 {m}）"),
            None => "未登记".to_owned(),
        };
        form.hint("owner_id_number", keep(&h.owner_id_masked));
        form.hint("owner_phone", keep(&h.owner_phone_masked));
        form
    });
    let l = Layout::for_actor(a, &format!("房屋 {}", h.house_no)).with_notice(msg);
    let page = DetailPage {
        l,
        use_label: code_label(&codes, "house_use", &h.house_use),
        hazard_label: code_label(&codes, "hazard", &h.hazard),
        h,
        people,
        form,
        history,
    };
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
        if errors.is_empty() { houses::update_house(&s, &a, id, &i).await } else { Err(AppError::fields(errors)) };
    match done {
        Ok(_) => Ok(redirect(&format!("/houses/{id}?msg=saved"))),
        Err(e) => detail_page(&s, &a, id, None, Some((&v, &Failure::of(e)?))).await,
    }
}
