//! Resident intake: every channel a resident reports through without an account (the public board's
//! 随手拍 page, Open311) comes here. It checks sizes, finds the grid, applies abuse control (sliding
//! windows per client address and per grid, duplicates of the same place and category), and files a
//! real event (channel `resident`) through the events domain, with the tracking code and the
//! encrypted call-back phone written in the event's own transaction.
//!
//! The reporter: `events.reporter_account_id` is NOT NULL, so resident events are reported by one
//! per-deployment system account (`resident-intake`, created on first use: retired, no usable
//! password — nobody can sign in with it). The events service sees it as a county-centre actor
//! scoped to the county of the grid; everything else about the resident lives in `public_reports`.

use super::model::{self, Place, Window};
use super::store::{self, NewReport, WindowKey};
use crate::audit;
use crate::auth::actor::Via;
use crate::auth::{Actor, Role, Scope};
use crate::clock::Millis;
use crate::db::Tx;
use crate::domains::events::model::Details;
use crate::domains::events::service::{self as events, Photo, ReportHook, ReportInput};
use crate::domains::org::{model as org_model, tree};
use crate::domains::registry::id_number::mask_phone;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::files::check_photo;
use crate::state::AppState;
use crate::web::meta::RequestMeta;
use serde::Serialize;
use serde_json::json;
use std::sync::{Arc, Mutex};

/// What a resident reports.
pub struct ResidentReport {
    /// The grid, when the report comes from its public board; else found from `location`.
    pub grid_id: Option<i64>,
    /// An event category code (the page offers `model::RESIDENT_CATEGORIES`).
    pub category: String,
    pub description: String,
    /// (longitude, latitude), already WGS-84.
    pub location: Option<(f64, f64)>,
    /// The place in words (may be empty when a location is given).
    pub address: String,
    pub photos: Vec<Photo>,
    /// A phone number for a call back (stored encrypted; staff see it masked).
    pub callback_phone: Option<String>,
}

/// Where a report came from; `meta` carries the client address and the request id for the audit.
#[derive(Clone, Debug)]
pub enum Source {
    PublicPage { meta: RequestMeta },
    Open311 { api_key_id: i64, meta: RequestMeta },
}

impl Source {
    pub fn meta(&self) -> &RequestMeta {
        match self {
            Source::PublicPage { meta } | Source::Open311 { meta, .. } => meta,
        }
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            Source::PublicPage { .. } => "public_page",
            Source::Open311 { .. } => "open311",
        }
    }
    /// The name the event's timeline shows as the reporter.
    pub fn label(&self) -> &'static str {
        match self {
            Source::PublicPage { .. } => "群众（公示牌随手拍）",
            Source::Open311 { .. } => "群众（Open311 接口）",
        }
    }
    fn api_key_id(&self) -> Option<i64> {
        match self {
            Source::PublicPage { .. } => None,
            Source::Open311 { api_key_id, .. } => Some(*api_key_id),
        }
    }
}

/// The answer to a report.
#[derive(Clone, Debug, Serialize)]
pub struct Receipt {
    pub event_id: i64,
    pub tracking_code: String,
    /// The same problem was reported a short while ago: this is its code, nothing new was filed.
    pub duplicate: bool,
}

/// A report after the size and shape checks.
struct Checked {
    description: String,
    address: String,
    address_key: String,
    phone: Option<String>,
}

fn check(state: &AppState, r: &ResidentReport) -> AppResult<Checked> {
    let mut e = FieldErrors::new();
    let description = r.description.trim().to_owned();
    let n = description.chars().count();
    if n < model::DESCRIPTION_MIN {
        e.insert(
            "description".into(),
            format!("请把情况说清楚（至少 {} 个字：哪里、出了什么问题）", model::DESCRIPTION_MIN),
        );
    } else if n > model::DESCRIPTION_MAX {
        e.insert("description".into(), format!("情况描述最多 {} 个字", model::DESCRIPTION_MAX));
    }
    let address =
        AppError::gather(&mut e, org_model::check_text("address", "地点", &r.address, model::ADDRESS_MAX, false));
    if r.category.trim().is_empty() {
        e.insert("category".into(), "请选择问题类型".into());
    } else if !model::is_resident_category(r.category.trim()) {
        e.insert("category".into(), "请从列表中选择问题类型".into());
    }
    match r.location {
        Some((lon, lat)) if crate::geo::coords::check(lon, lat).is_err() => {
            e.insert("location".into(), crate::geo::coords::OUTSIDE_CHINA.into());
        }
        None if address.is_empty() && !e.contains_key("address") => {
            e.insert("address".into(), "请填写地点，或允许使用手机定位".into());
        }
        _ => {}
    }
    if r.photos.len() > model::MAX_PHOTOS {
        e.insert("photos".into(), format!("最多上传 {} 张照片", model::MAX_PHOTOS));
    } else if r.photos.iter().map(|p| p.0.len()).sum::<usize>() > model::MAX_TOTAL_PHOTO_BYTES {
        e.insert("photos".into(), format!("照片合计不能超过 {} MB", model::MAX_TOTAL_PHOTO_BYTES / 1024 / 1024));
    } else {
        for p in &r.photos {
            if let Err(err) = check_photo("photos", &p.0, state.config.max_photo_bytes) {
                e.insert("photos".into(), err.to_string());
                break;
            }
        }
    }
    let phone = r
        .callback_phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| AppError::gather(&mut e, org_model::check_phone("callback_phone", p, true)));
    if !e.is_empty() {
        return Err(AppError::fields(e));
    }
    Ok(Checked { address_key: model::address_key(&address), description, address, phone })
}

/// The grid of a report: the one named (must be an active grid), else the one holding the location
/// (`None`: outside every grid, the county centre places it).
async fn locate(state: &AppState, r: &ResidentReport) -> AppResult<Option<(i64, String)>> {
    if let Some(g) = r.grid_id {
        return match tree::get(&state.db, "/", g).await? {
            Some(a) if a.kind == "grid" && a.status == "active" => Ok(Some((a.id, a.path))),
            _ => Err(AppError::field("grid_id", "网格不存在或已撤销")),
        };
    }
    match r.location {
        Some((lon, lat)) => crate::domains::org::locate::grid_at_within(state, "/", lon, lat).await,
        None => Err(AppError::field("location", "请在网格的公示牌页面上反映，或允许使用手机定位")),
    }
}

/// The county (root area) of a path `/1/5/23/`: (id, `/1/`).
fn root_of(path: &str) -> Option<(i64, String)> {
    let first = path.trim_start_matches('/').split('/').next()?;
    Some((first.parse().ok()?, format!("/{first}/")))
}

/// The intake's system account, created on first use (audited).
async fn intake_account(state: &AppState, meta: &RequestMeta, now: Millis) -> AppResult<i64> {
    if let Some(id) = store::intake_account(&state.db).await? {
        return Ok(id);
    }
    let (county, _) = store::first_root(&state.db)
        .await?
        .ok_or_else(|| AppError::Conflict("系统尚未建立区域，暂不能受理群众反映".into()))?;
    let mut tx = state.db.begin().await?;
    if let Some(id) = store::insert_intake_account(&mut tx, county, now).await? {
        let ctx = audit::AuditCtx {
            account_id: None,
            username: "系统".into(),
            ip: meta.ip.clone(),
            request_id: meta.request_id.clone(),
            now,
        };
        audit::record(
            &mut tx,
            &ctx,
            "intake_account_created",
            "account",
            id,
            json!({ "username": store::INTAKE_USERNAME }),
        )
        .await?;
    }
    tx.commit().await?;
    store::intake_account(&state.db).await?.ok_or_else(|| AppError::Internal(anyhow::anyhow!("intake account missing")))
}

/// The first earlier report of the same problem, if any.
fn same_problem(recent: &[store::RecentRow], new: &Place) -> Option<(i64, String)> {
    recent
        .iter()
        .find(|r| {
            let old = Place {
                grid_id: r.grid_id,
                category: r.category.clone(),
                lon: r.lon,
                lat: r.lat,
                address_key: r.address_key.clone(),
                at: r.created_at,
            };
            model::is_duplicate(&old, new)
        })
        .map(|r| (r.event_id, r.tracking_code.clone()))
}

fn limited(what: &str, wait: Millis) -> AppError {
    AppError::RateLimited {
        message: format!("{what}，请{}后再试。紧急情况请直接拨打公示牌上网格员的电话。", model::wait_words(wait)),
        retry_after_secs: (wait + 999) / 1000,
    }
}

/// The windows a report must fit: (key, window, words when full). An Open311 post comes from the
/// third-party app's server, not the resident's phone, so its API key's own hourly limit takes the
/// place of the per-address window; the per-grid window holds for every channel.
fn windows<'a>(source: &Source, client_key: &'a str, grid: Option<i64>) -> Vec<(WindowKey<'a>, Window, &'static str)> {
    let mut v = Vec::with_capacity(2);
    if let Source::PublicPage { .. } = source {
        v.push((WindowKey::Client(client_key), model::PER_ADDRESS, "您提交得太频繁了"));
    }
    if let Some(g) = grid {
        v.push((WindowKey::Grid(g), model::PER_GRID, "本网格刚收到很多反映，暂时不能再提交"));
    }
    v
}

/// Accepts a resident's report: a new event with a tracking code, or the code of the same problem
/// reported within the duplicate window. Refusals: 422 with the fields named, 429 when a window is
/// full (with `Retry-After`).
pub async fn accept(state: &AppState, report: ResidentReport, source: Source) -> AppResult<Receipt> {
    let now = state.clock.now();
    let checked = check(state, &report)?;
    let located = locate(state, &report).await?;
    let category = report.category.trim().to_owned();
    let grid_id = located.as_ref().map(|(g, _)| *g);
    let client_key = state.keys.blind_index("client_ip", &source.meta().ip);
    let place = Place {
        grid_id,
        category: category.clone(),
        lon: report.location.map(|l| l.0),
        lat: report.location.map(|l| l.1),
        address_key: checked.address_key.clone(),
        at: now,
    };
    // Fast refusals before any photo is stored; repeated under the write lock in the hook.
    let recent = store::recent_db(&state.db, grid_id, &category, now - model::DUPLICATE_WINDOW).await?;
    if let Some((event_id, tracking_code)) = same_problem(&recent, &place) {
        return Ok(Receipt { event_id, tracking_code, duplicate: true });
    }
    for (key, w, what) in windows(&source, &client_key, grid_id) {
        let (count, oldest) = store::window_db(&state.db, &key, w.start(now)).await?;
        if let Some(wait) = w.wait(count, oldest, now) {
            return Err(limited(what, wait));
        }
    }
    let actor = intake_actor(state, &source, located.as_ref(), now).await?;
    let input = report_input(&checked, &report, &category, grid_id, now);
    let phone_enc = match &checked.phone {
        Some(p) => Some(state.keys.encrypt_str(p).map_err(AppError::Internal)?),
        None => None,
    };
    let found = Arc::new(Mutex::new(None));
    let hook = WriteReport {
        code: model::new_tracking_code(),
        source: &source,
        place: &place,
        client_key: &client_key,
        phone_enc,
        phone_masked: checked.phone.as_deref().map(mask_phone),
        duplicate_of: found.clone(),
    };
    let code = hook.code.clone();
    match events::report_with(state, &actor, &input, report.photos, hook).await {
        Ok(event_id) => Ok(Receipt { event_id, tracking_code: code, duplicate: false }),
        Err(err) => {
            let dup = found.lock().map(|mut f| f.take()).unwrap_or(None);
            match dup {
                Some((event_id, tracking_code)) => Ok(Receipt { event_id, tracking_code, duplicate: true }),
                None => Err(rename_fields(err)),
            }
        }
    }
}

/// The intake account, acting as the county centre over the problem's county (the first county
/// when it lies in no grid).
async fn intake_actor(
    state: &AppState,
    source: &Source,
    located: Option<&(i64, String)>,
    now: Millis,
) -> AppResult<Actor> {
    let account_id = intake_account(state, source.meta(), now).await?;
    let (county_id, county_path) = match located {
        Some((_, path)) => root_of(path),
        None => store::first_root(&state.db).await?,
    }
    .ok_or_else(|| AppError::Conflict("系统尚未建立区域，暂不能受理群众反映".into()))?;
    Ok(Actor {
        id: account_id,
        username: store::INTAKE_USERNAME.into(),
        display_name: source.label().into(),
        role: Role::CountyCenter,
        scope: Scope::Area { area_id: county_id, path: county_path },
        via: Via::Token { token_id: 0 },
        meta: source.meta().clone(),
        now,
        must_change_password: false,
        needs_totp_setup: false,
        totp_enabled: false,
        demo: false,
    })
}

/// The event a resident's report becomes: its title from the first line, where and when in words.
fn report_input(
    checked: &Checked,
    report: &ResidentReport,
    category: &str,
    grid_id: Option<i64>,
    now: Millis,
) -> ReportInput {
    let title: String = {
        let first_line = checked.description.lines().next().unwrap_or("").trim();
        let short: String = first_line.chars().take(24).collect();
        let more = if first_line.chars().count() > 24 { "…" } else { "" };
        format!("群众反映：{short}{more}")
    };
    let where_words = if checked.address.is_empty() {
        report.location.map(|(lon, lat)| format!("手机定位 {lat:.5}, {lon:.5}")).unwrap_or_default()
    } else {
        checked.address.clone()
    };
    ReportInput {
        category: Some(category.to_owned()),
        channel: Some("resident".into()),
        title: Some(title),
        details: Some(Details {
            what: checked.description.clone(),
            r#where: where_words,
            when: crate::clock::to_local(now).format("%Y-%m-%d %H:%M").to_string(),
            ..Default::default()
        }),
        address: Some(checked.address.clone()),
        lon: report.location.map(|l| l.0),
        lat: report.location.map(|l| l.1),
        grid_id,
        ..Default::default()
    }
}

/// The events service names its own fields; a resident's form has fewer.
fn rename_fields(err: AppError) -> AppError {
    match err {
        AppError::Invalid { fields, .. } => {
            let fields: FieldErrors = fields
                .into_iter()
                .map(|(k, v)| {
                    let k = match k.as_str() {
                        "details.what" | "title" => "description".to_owned(),
                        "details.where" => "address".to_owned(),
                        "lon" | "lat" => "location".to_owned(),
                        _ => k,
                    };
                    (k, v)
                })
                .collect();
            AppError::fields(fields)
        }
        other => other,
    }
}

/// Writes the tracking code with the event, after checking once more, under the write lock, that
/// no report of the same problem and no report over a window limit was committed meanwhile (two taps
/// on the send button).
struct WriteReport<'a> {
    code: String,
    source: &'a Source,
    place: &'a Place,
    client_key: &'a str,
    phone_enc: Option<Vec<u8>>,
    phone_masked: Option<String>,
    duplicate_of: Arc<Mutex<Option<(i64, String)>>>,
}

impl ReportHook for WriteReport<'_> {
    async fn write(self, tx: &mut Tx, event_id: i64) -> AppResult<()> {
        let now = self.place.at;
        let recent =
            store::recent_tx(tx, self.place.grid_id, &self.place.category, now - model::DUPLICATE_WINDOW).await?;
        if let Some(found) = same_problem(&recent, self.place) {
            if let Ok(mut slot) = self.duplicate_of.lock() {
                *slot = Some(found);
            }
            return Err(AppError::Conflict("同样的问题刚刚已有人反映".into()));
        }
        for (key, w, what) in windows(self.source, self.client_key, self.place.grid_id) {
            let (count, oldest) = store::window_tx(tx, &key, w.start(now)).await?;
            if let Some(wait) = w.wait(count, oldest, now) {
                return Err(limited(what, wait));
            }
        }
        let meta = self.source.meta();
        store::insert_report(
            tx,
            &NewReport {
                event_id,
                tracking_code: &self.code,
                source: self.source.as_str(),
                api_key_id: self.source.api_key_id(),
                grid_id: self.place.grid_id,
                category: &self.place.category,
                lon: self.place.lon,
                lat: self.place.lat,
                address_key: &self.place.address_key,
                client_key: self.client_key,
                phone_enc: self.phone_enc,
                phone_masked: self.phone_masked.clone(),
                at: now,
            },
        )
        .await?;
        let ctx = audit::AuditCtx {
            account_id: None,
            username: self.source.label().into(),
            ip: meta.ip.clone(),
            request_id: meta.request_id.clone(),
            now,
        };
        audit::record(
            tx,
            &ctx,
            "public_report_received",
            "event",
            event_id,
            json!({ "source": self.source.as_str(), "api_key_id": self.source.api_key_id(), "grid_id": self.place.grid_id,
                    "callback_phone": self.phone_masked }),
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_of_a_path() {
        assert_eq!(root_of("/1/5/23/40/"), Some((1, "/1/".to_owned())));
        assert_eq!(root_of("/7/"), Some((7, "/7/".to_owned())));
        assert_eq!(root_of("/"), None);
    }
}
