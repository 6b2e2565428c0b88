//! Pages of the closed loop, part one: the route table of every event page, the form reader they
//! share (urlencoded or multipart with photos) and the report form a grid worker fills in on a phone.
//! The event page is in `event_pages.rs`, the lists in `list_pages.rs`, the settings in `settings_pages.rs`.

use super::model::{CHANNELS, MEDIATION_METHODS, SEVERITIES};
use super::service::{self, Photo, ReportInput};
use super::settings;
use super::store::CategoryRow;
use crate::auth::{Actor, Permission, Role};
use crate::domains::org::areas::{self, AreaOut, AreaQuery};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::state::AppState;
use crate::web::pages::{Layout, redirect, render};
use crate::web::routes::{Access, Entry, get, post};
use askama::Template;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

pub const READ: Access = Access::Perm(Permission::ReadEvents);
pub const REPORT: Access = Access::Perm(Permission::ReportEvents);
pub const HANDLE: Access = Access::Perm(Permission::HandleEvents);
pub const SETTINGS: Access = Access::Perm(Permission::ManageEventSettings);

pub fn routes() -> Vec<Entry> {
    use super::{event_pages as ev, list_pages as lists, settings_pages as set};
    vec![
        get("/events/new", REPORT, "上报事件表单", new_event),
        post("/events", REPORT, "提交上报（表单，可带照片）", create_event),
        get("/events", READ, "事件列表（按状态、类别、牌色、超时、日期、区域筛选）", lists::events),
        get("/todo", READ, "待办、已办、我上报的", lists::todo),
        get("/events/{id}", READ, "事件详情（全过程时间线、照片、督办记录、可执行的操作）", ev::event_page),
        post("/events/{id}/actions", HANDLE, "对事件执行操作（表单，可带照片）", ev::act),
        post("/events/{id}/grid", HANDLE, "指定事件所在网格", ev::set_grid),
        get("/supervisions", READ, "督办清单（按级别、是否办结筛选）", super::supervision::page),
        get("/notifications", READ, "站内通知", lists::notifications),
        post("/notifications/read", READ, "通知全部标为已读", lists::read_all),
        get("/settings/events", SETTINGS, "事件类别时限和工作日历", set::settings_page),
        post("/settings/events/categories/{code}", SETTINGS, "修改类别时限和预警阈值", set::update_category),
        post("/settings/events/calendar", SETTINGS, "设置工作日历中的一天", set::set_day),
    ]
}

/// A submitted form, urlencoded or multipart: its text fields in order, and any photos (`photos` files).
pub struct MixedForm {
    pub fields: Vec<(String, String)>,
    pub photos: Vec<Photo>,
}

impl MixedForm {
    /// The first value of a field, trimmed ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).unwrap_or("")
    }
    /// Every value of a field (checkboxes).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim()).collect()
    }
}

/// The most form text accepted besides photos.
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

impl<S: Send + Sync> FromRequest<S> for MixedForm {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        if ct.starts_with("application/x-www-form-urlencoded") {
            let bytes = axum::body::to_bytes(req.into_body(), MAX_FORM_BYTES)
                .await
                .map_err(|_| AppError::TooLarge("提交的内容过大".into()))?;
            let fields: Vec<(String, String)> =
                serde_urlencoded::from_bytes(&bytes)
                    .map_err(|_| AppError::Invalid {
                        message: "表单内容不正确".into(), fields: Default::default()
                    })?;
            return Ok(MixedForm { fields, photos: vec![] });
        }
        if !ct.starts_with("multipart/form-data") {
            return Err(AppError::UnsupportedType("请通过页面上的表单提交".into()));
        }
        let mut mp =
            Multipart::from_request(req, state).await.map_err(|_| AppError::field("photos", "上传内容不完整"))?;
        let (mut fields, mut photos, mut text_bytes) = (Vec::new(), Vec::new(), 0usize);
        while let Some(field) =
            mp.next_field().await.map_err(|_| AppError::TooLarge("上传内容不完整或过大，请少选几张照片".into()))?
        {
            let name = field.name().unwrap_or("").to_owned();
            if name == "photos" {
                let has_file = field.file_name().is_some_and(|n| !n.is_empty());
                let bytes = field.bytes().await.map_err(|_| AppError::TooLarge("照片过大".into()))?;
                if has_file && !bytes.is_empty() {
                    photos.push(Photo(bytes.to_vec()));
                }
            } else {
                let text = field.text().await.map_err(|_| AppError::field(&name, "表单内容不正确"))?;
                text_bytes += text.len();
                if text_bytes > MAX_FORM_BYTES {
                    return Err(AppError::TooLarge("提交的内容过大".into()));
                }
                fields.push((name, text));
            }
        }
        Ok(MixedForm { fields, photos })
    }
}

/// A page answered with an error status (a form shown again with what was wrong).
pub fn with_status(status: StatusCode, page: AppResult<Response>) -> AppResult<Response> {
    page.map(|r| (status, r).into_response())
}

/// `2026-03-05T14:30` (a datetime-local input) as the service writes it, and back.
fn when_to_service(v: &str) -> String {
    v.trim().replacen('T', " ", 1)
}
fn when_to_input(v: &str) -> String {
    v.trim().replacen(' ', "T", 1)
}

/// One category of the two-level select.
pub struct CategoryOption {
    pub code: String,
    pub name: String,
    pub is_dispute: bool,
    pub required: String,
}

/// A top-level category with its sub-categories (none: the top level itself is chosen).
pub struct CategoryGroup {
    pub top: CategoryOption,
    pub children: Vec<CategoryOption>,
}

pub fn category_groups(rows: &[CategoryRow]) -> Vec<CategoryGroup> {
    let opt = |c: &CategoryRow| CategoryOption {
        code: c.code.clone(),
        name: c.name.clone(),
        is_dispute: c.is_dispute,
        required: c.required_fields.clone(),
    };
    rows.iter()
        .filter(|c| c.parent_code.is_none() && c.active)
        .map(|top| CategoryGroup {
            top: opt(top),
            children: rows
                .iter()
                .filter(|c| c.active && c.parent_code.as_deref() == Some(top.code.as_str()))
                .map(opt)
                .collect(),
        })
        .collect()
}

/// What the report form holds, as typed.
#[derive(Default)]
struct ReportValues {
    category: String,
    severity: String,
    channel: String,
    title: String,
    what: String,
    r#where: String,
    when: String,
    who: String,
    how_many: String,
    parties: String,
    mediation_method: String,
    mediation_outcome: String,
    address: String,
    lon: String,
    lat: String,
    grid_id: String,
    handle_in_place: bool,
}

#[derive(Template)]
#[template(path = "events/new.html")]
struct ReportPage {
    l: Layout,
    groups: Vec<CategoryGroup>,
    v: ReportValues,
    errors: FieldErrors,
    grids: Vec<AreaOut>,
    grid_role: bool,
    severities: &'static [(&'static str, &'static str)],
    channels: &'static [(&'static str, &'static str)],
    methods: &'static [(&'static str, &'static str)],
    /// Photos were chosen but the form came back: they must be chosen again.
    photos_lost: bool,
    max_photos: usize,
}

impl ReportPage {
    /// Whether the chosen category is a dispute (its fields shown open).
    fn dispute_chosen(&self) -> bool {
        self.groups
            .iter()
            .flat_map(|g| std::iter::once(&g.top).chain(g.children.iter()))
            .any(|c| c.code == self.v.category && c.is_dispute)
    }
    /// Whether the chosen category requires a part of the description (marks the label).
    fn req(&self, part: &str) -> bool {
        self.groups
            .iter()
            .flat_map(|g| std::iter::once(&g.top).chain(g.children.iter()))
            .find(|c| c.code == self.v.category)
            .is_some_and(|c| c.required.split(',').any(|p| p.trim() == part))
    }
}

async fn report_page(
    s: &AppState,
    a: &Actor,
    v: ReportValues,
    errors: FieldErrors,
    photos_lost: bool,
) -> AppResult<Response> {
    let groups = category_groups(&settings::categories(s, a).await?);
    let grids =
        areas::list(&s.db, a, &AreaQuery { kind: Some("grid".into()), per_page: Some(200), ..Default::default() })
            .await?
            .items;
    render(&ReportPage {
        l: Layout::for_actor(a, "上报事件"),
        groups,
        v,
        errors,
        grids,
        grid_role: matches!(a.role, Role::GridWorker | Role::GridLeader),
        severities: &SEVERITIES,
        channels: &CHANNELS,
        methods: &MEDIATION_METHODS,
        photos_lost,
        max_photos: service::MAX_PHOTOS,
    })
}

async fn new_event(State(s): State<AppState>, a: Actor) -> AppResult<Response> {
    let grid_id = if matches!(a.role, Role::GridWorker | Role::GridLeader) {
        a.scope.area_id().to_string()
    } else {
        String::new()
    };
    let v = ReportValues { severity: "normal".into(), grid_id, ..Default::default() };
    report_page(&s, &a, v, FieldErrors::new(), false).await
}

fn values_of(f: &MixedForm) -> ReportValues {
    ReportValues {
        category: f.get("category").into(),
        severity: f.get("severity").into(),
        channel: f.get("channel").into(),
        title: f.get("title").into(),
        what: f.get("what").into(),
        r#where: f.get("where").into(),
        when: f.get("when").into(),
        who: f.get("who").into(),
        how_many: f.get("how_many").into(),
        parties: f.get("parties").into(),
        mediation_method: f.get("mediation_method").into(),
        mediation_outcome: f.get("mediation_outcome").into(),
        address: f.get("address").into(),
        lon: f.get("lon").into(),
        lat: f.get("lat").into(),
        grid_id: f.get("grid_id").into(),
        handle_in_place: matches!(f.get("handle_in_place"), "1" | "true" | "on"),
    }
}

fn parse_num<T: std::str::FromStr>(e: &mut FieldErrors, field: &str, v: &str, msg: &str) -> Option<T> {
    if v.is_empty() {
        return None;
    }
    match v.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            e.insert(field.into(), msg.into());
            None
        }
    }
}

/// The service's input from the typed values; malformed numbers are reported in `e`.
fn input_of(v: &ReportValues, e: &mut FieldErrors) -> ReportInput {
    let opt = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
    let details = super::model::Details {
        what: v.what.clone(),
        r#where: v.r#where.clone(),
        when: when_to_service(&v.when),
        who: v.who.clone(),
        how_many: parse_num(e, "details.how_many", &v.how_many, "涉及人数请填写数字"),
        parties: v.parties.clone(),
        mediation_method: v.mediation_method.clone(),
        mediation_outcome: v.mediation_outcome.clone(),
    };
    ReportInput {
        category: opt(&v.category),
        severity: opt(&v.severity),
        channel: opt(&v.channel),
        title: Some(v.title.clone()),
        details: Some(details),
        address: opt(&v.address),
        lon: parse_num(e, "lon", &v.lon, "经度请填写数字，如 104.123456"),
        lat: parse_num(e, "lat", &v.lat, "纬度请填写数字，如 31.123456"),
        grid_id: parse_num(e, "grid_id", &v.grid_id, "请选择网格"),
        handle_in_place: Some(v.handle_in_place),
        ..Default::default()
    }
}

async fn create_event(State(s): State<AppState>, a: Actor, f: MixedForm) -> AppResult<Response> {
    let photos_chosen = !f.photos.is_empty();
    let mut v = values_of(&f);
    let mut errors = FieldErrors::new();
    let input = input_of(&v, &mut errors);
    v.when = when_to_input(&v.when);
    if errors.is_empty() {
        match service::report(&s, &a, &input, f.photos).await {
            Ok(id) => return Ok(redirect(&format!("/events/{id}?msg=reported"))),
            Err(AppError::Invalid { message, fields }) => {
                errors = fields;
                if errors.is_empty() {
                    errors.insert("_".into(), message);
                }
            }
            Err(e @ (AppError::UnsupportedType(_) | AppError::TooLarge(_))) => {
                errors.insert("photos".into(), e.to_string());
            }
            Err(e) => return Err(e),
        }
    }
    with_status(StatusCode::UNPROCESSABLE_ENTITY, report_page(&s, &a, v, errors, photos_chosen).await)
}
