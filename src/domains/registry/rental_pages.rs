//! Pages of rentals (出租房屋): the list, the new-rental form (the house by its number, tenants by
//! their ID numbers), and a rental's page with the masked landlord, the tenants, the edit form and
//! the change history.

use super::codes::Codes;
use super::forms::{self, Failure, Form, HistoryEntry, Kind, Spec, Values, id_list, spec};
use super::house_store::TenantRow;
use super::houses::{self, RentalInput, RentalOut};
use super::model::kind_label;
use super::record_pages::{ListParams, code_label, grid_choices, house_by_no, new_page, person_by_id_number};
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
use serde::Deserialize;

const REGISTER: Access = Access::Perm(Permission::ReadRegister);
const EDIT: Access = Access::Perm(Permission::EditRegister);

pub fn routes() -> Vec<Entry> {
    vec![
        get("/rentals", REGISTER, "出租房屋", list),
        get("/rentals/new", EDIT, "登记出租房屋表单", new_rental),
        post("/rentals", EDIT, "提交登记出租房屋", create),
        get("/rentals/{id}", REGISTER, "出租房屋详情（承租人、修改记录）", detail),
        post("/rentals/{id}/edit", EDIT, "提交修改出租房屋", edit),
    ]
}

const FIELDS: [Spec; 8] = [
    spec("house_no", "出租房屋的房屋编号", Kind::Text, true, 40).hint("须是本辖区已登记的房屋").also(&["house_id"]),
    spec("landlord_name", "房东姓名", Kind::Text, true, 50),
    spec("landlord_phone", "房东电话", Kind::Tel, false, 20),
    spec("start_date", "起租日期", Kind::Date, true, 0),
    spec("end_date", "到期日期", Kind::Date, false, 0),
    spec("rental_use", "出租用途", Kind::Select, true, 0),
    spec("police_registered", "已向派出所登记", Kind::Check, false, 0),
    spec("tenants", "承租人身份证号码（每行一个）", Kind::Textarea, false, 2000)
        .hint("承租人须已登记在本辖区；可以先登记人员再填")
        .also(&["tenant_ids"]),
];

/// The service input: the house and the tenants are looked up in scope; on the edit form the
/// tenants ticked to stay (`keep_tenant`) are kept.
async fn input(
    s: &AppState,
    a: &Actor,
    pairs: &[(String, String)],
    edit: bool,
) -> AppResult<Result<RentalInput, FieldErrors>> {
    let v = Values::from_pairs(pairs);
    let mut errors = FieldErrors::new();
    let mut i = RentalInput {
        version: if edit { v.i64("version", &mut errors) } else { None },
        landlord_name: v.text("landlord_name"),
        landlord_phone: if edit { v.opt("landlord_phone") } else { v.text("landlord_phone") },
        start_date: v.text("start_date"),
        end_date: v.text("end_date"),
        rental_use: v.text("rental_use"),
        police_registered: Some(v.get("police_registered") == "true"),
        ..Default::default()
    };
    match v.opt("house_no") {
        Some(no) => match house_by_no(s, a, &no).await? {
            Some(h) => i.house_id = Some(h.id),
            None => {
                errors.insert("house_no".into(), "房屋编号不存在或不在您的管辖范围内".into());
            }
        },
        None if !edit => {
            errors.insert("house_no".into(), "请填写出租房屋的房屋编号".into());
        }
        None => {}
    }
    let mut tenants: Vec<i64> = Vec::new();
    for (k, val) in pairs.iter().filter(|(k, _)| k == "keep_tenant") {
        match val.trim().parse::<i64>() {
            Ok(id) if !tenants.contains(&id) => tenants.push(id),
            Ok(_) => {}
            Err(_) => {
                errors.insert(k.clone(), "承租人编号不正确".into());
            }
        }
    }
    let mut bad = Vec::new();
    for number in id_list(v.get("tenants")) {
        match person_by_id_number(s, a, "承租人", &number).await? {
            Ok(p) if !tenants.contains(&p.id) => tenants.push(p.id),
            Ok(_) => {}
            Err(m) => bad.push(m),
        }
    }
    if !bad.is_empty() {
        errors.insert("tenants".into(), bad.join("；"));
    }
    i.tenant_ids = Some(tenants);
    Ok(if errors.is_empty() { Ok(i) } else { Err(errors) })
}

#[derive(Template)]
#[template(path = "registry/rentals.html")]
struct ListPage {
    l: Layout,
    p: ListParams,
    grids: Vec<(String, String)>,
    list: Page<RentalOut>,
    uses: Vec<String>,
    prev: Option<String>,
    next: Option<String>,
    can_edit: bool,
}

async fn list(State(s): State<AppState>, a: Actor, ApiQuery(p): ApiQuery<ListParams>) -> AppResult<Response> {
    let list = houses::list_rentals(&s, &a, &p.query()?).await?;
    let codes = Codes::load(&s.db).await?;
    let uses = list.items.iter().map(|r| code_label(&codes, "rental_use", &r.row.rental_use)).collect();
    let (prev, next) = p.pager("/rentals", &list);
    let l = Layout::for_actor(&a, "出租房屋").with_notice(p.msg.as_deref());
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
    let form = forms::form("", &FIELDS, v, failure, &|n| if n == "rental_use" { codes.items(n) } else { vec![] });
    new_page(a, "登记出租房屋", "/rentals", "/rentals", "rental-submit", "", form, failure)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NewQuery {
    #[serde(default)]
    house_no: String,
}

async fn new_rental(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<NewQuery>) -> AppResult<Response> {
    let mut v = Values::default();
    v.set("house_no", q.house_no);
    v.set("start_date", s.clock.today().to_string());
    new_form(&s, &a, &v, None).await
}

const KNOWN: [&str; 10] = [
    "version",
    "house_no",
    "landlord_name",
    "landlord_phone",
    "start_date",
    "end_date",
    "rental_use",
    "police_registered",
    "tenants",
    "keep_tenant",
];

async fn create(
    State(s): State<AppState>,
    a: Actor,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let v = Values::from_pairs(&pairs);
    v.only(&KNOWN[1..9])?;
    let done = match input(&s, &a, &pairs, false).await? {
        Ok(i) => houses::create_rental(&s, &a, &i).await,
        Err(errors) => Err(AppError::fields(errors)),
    };
    match done {
        Ok(r) => Ok(redirect(&format!("/rentals/{}?msg=created", r.row.id))),
        Err(e) => new_form(&s, &a, &v, Some(&Failure::of(e)?)).await,
    }
}

/// A tenant as the page lists it, with whether the edit form keeps them ticked.
struct TenantView {
    t: TenantRow,
    kind_label: &'static str,
    kept: bool,
}

#[derive(Template)]
#[template(path = "registry/rental.html")]
struct DetailPage {
    l: Layout,
    r: RentalOut,
    house_no: String,
    use_label: String,
    tenants: Vec<TenantView>,
    form: Option<Form>,
    history: Vec<HistoryEntry>,
}

async fn detail_page(
    s: &AppState,
    a: &Actor,
    id: i64,
    msg: Option<&str>,
    submitted: Option<(&[(String, String)], &Failure)>,
) -> AppResult<Response> {
    let r = houses::get_rental(s, a, id).await?;
    let house_no = houses::get_house(s, a, r.row.house_id).await.map(|h| h.house_no).unwrap_or_default();
    let codes = Codes::load(&s.db).await?;
    let history = houses::named_history(s, houses::history(s, a, "rental", id).await?, &codes).await?;
    let kept: Option<Vec<String>> = submitted
        .map(|(pairs, _)| pairs.iter().filter(|(k, _)| k == "keep_tenant").map(|(_, v)| v.trim().to_owned()).collect());
    let tenants = r
        .tenants
        .iter()
        .map(|t| TenantView {
            kind_label: kind_label(&t.kind),
            kept: kept.as_ref().is_none_or(|k| k.contains(&t.person_id.to_string())),
            t: t.clone(),
        })
        .collect();
    let form = a.can(Permission::EditRegister).then(|| {
        let mut current = Values::default();
        current.set("version", r.row.version.to_string());
        current.set("house_no", house_no.clone());
        current.set("landlord_name", r.row.landlord_name.clone());
        current.set("start_date", r.row.start_date.clone());
        current.set("end_date", r.row.end_date.clone().unwrap_or_default());
        current.set("rental_use", r.row.rental_use.clone());
        current.set("police_registered", r.row.police_registered.to_string());
        let submitted_values = submitted.map(|(pairs, f)| (Values::from_pairs(pairs), f));
        let (v, failure) = match &submitted_values {
            Some((v, f)) => (v, Some(*f)),
            None => (&current, None),
        };
        let mut form = forms::form("edit-", &FIELDS, v, failure, &|n| {
            if n == "rental_use" { codes.items(n) } else { vec![] }
        });
        form.hint(
            "landlord_phone",
            if r.row.landlord_phone_masked.is_empty() {
                "未登记".to_owned()
            } else {
                format!("不修改请留空（现为 {}）", r.row.landlord_phone_masked)
            },
        );
        form.hint("tenants", "在此添加承租人（身份证号码，每行一个）；已有的承租人在上方勾选保留".to_owned());
        form
    });
    let l = Layout::for_actor(a, "出租房屋").with_notice(msg);
    let page = DetailPage {
        l,
        use_label: code_label(&codes, "rental_use", &r.row.rental_use),
        r,
        house_no,
        tenants,
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
    Values::from_pairs(&pairs).only(&KNOWN)?;
    let done = match input(&s, &a, &pairs, true).await? {
        Ok(i) => houses::update_rental(&s, &a, id, &i).await,
        Err(errors) => Err(AppError::fields(errors)),
    };
    match done {
        Ok(_) => Ok(redirect(&format!("/rentals/{id}?msg=saved"))),
        Err(e) => detail_page(&s, &a, id, None, Some((&pairs, &Failure::of(e)?))).await,
    }
}
