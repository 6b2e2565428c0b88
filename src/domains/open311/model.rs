//! Open311 GeoReport v2 parsed at the edge (pure, no I/O): the format a path asks for, services made
//! of event categories and their attributes, the filters of a request list, a posted request, the
//! spec's open/closed status, its datetimes (+08:00) and masking of numbers residents type into text.

use crate::clock::{DAY, Millis, to_local};
use crate::domains::events::calendar::Limit;
use crate::domains::events::reads::CategoryRow;
use crate::domains::events::workflow::State;
use crate::domains::registry::id_number::{mask_id, mask_phone};
use crate::error::FieldErrors;
use chrono::{NaiveDate, NaiveDateTime, SecondsFormat};

/// The answer format a path asks for with its suffix (`services.json`, `0401.xml`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// Splits `0401.json` into `("0401", Json)`; anything else is not an Open311 resource.
    pub fn split(name: &str) -> Option<(&str, Format)> {
        if let Some(s) = name.strip_suffix(".json") {
            return Some((s, Format::Json));
        }
        name.strip_suffix(".xml").map(|s| (s, Format::Xml))
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
        }
    }
}

/// How long a request list may span, and its default span back from now (the spec's 90 days).
pub const MAX_SPAN: Millis = 90 * DAY;
pub const DEFAULT_PAGE_SIZE: i64 = 200;
pub const MAX_PAGE_SIZE: i64 = 1000;
/// Most ids one `service_request_id=a,b,c` list may name.
pub const MAX_IDS: usize = 100;

/// One service of `services.json`: an event category residents may report.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub metadata: bool,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub keywords: String,
    pub group: String,
}

/// The time limits of a category in words, for the service description and notice.
pub fn limits_text(accept: &str, handle: &str, verify: &str) -> String {
    let l = |s: &str| Limit::parse(s).unwrap_or(Limit::Days(1)).label();
    format!("受理时限 {}，办理时限 {}，核查结案时限 {}（按工作时间计算）", l(accept), l(handle), l(verify))
}

/// The services: the categories residents choose from (code, plain words), in that order, those
/// that exist and are active. The name is the resident's plain words; the description names the
/// official category and its time limits; the group is the parent category.
pub fn services(categories: &[CategoryRow], resident: &[(&str, &str)]) -> Vec<Service> {
    let find = |code: &str| categories.iter().find(|c| c.code == code);
    resident
        .iter()
        .filter_map(|(code, plain)| find(code).filter(|c| c.active).map(|c| (c, *plain)))
        .map(|(c, plain)| {
            let group =
                c.parent_code.as_deref().and_then(find).map(|p| p.name.clone()).unwrap_or_else(|| c.name.clone());
            Service {
                service_code: c.code.clone(),
                service_name: plain.to_owned(),
                description: format!("{}。{}", c.name, limits_text(&c.accept_limit, &c.handle_limit, &c.verify_limit)),
                metadata: true,
                kind: "realtime",
                keywords: format!("{},{plain}", c.name),
                group,
            }
        })
        .collect()
}

/// One attribute of a service definition (`attribute[code]=…` when posting).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Attribute {
    pub variable: bool,
    pub code: &'static str,
    pub datatype: &'static str,
    pub required: bool,
    pub datatype_description: &'static str,
    pub order: i64,
    pub description: &'static str,
    pub values: Vec<AttributeValue>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AttributeValue {
    pub key: String,
    pub name: String,
}

/// The code of the one attribute every service takes: the grid, for a request without coordinates.
pub const GRID_ATTRIBUTE: &str = "grid";

/// The attributes of every service: the grid code, needed when a request has only an address.
pub fn attributes() -> Vec<Attribute> {
    vec![Attribute {
        variable: true,
        code: GRID_ATTRIBUTE,
        datatype: "string",
        required: false,
        datatype_description: "网格编码（印在网格公示牌和服务联系卡上）；只有 address_string、没有 lat/long 时必填",
        order: 1,
        description: "所在网格",
        values: vec![],
    }]
}

/// The spec's status of an event: closed once no more work is done on it.
pub fn status_of(state: &str) -> &'static str {
    match State::parse(state) {
        Some(s) if s.is_finished() => "closed",
        _ => "open",
    }
}

/// The event states of a spec status, for the list filter.
pub fn states_of(status: &str) -> Vec<&'static str> {
    crate::domains::events::workflow::STATES
        .iter()
        .filter(|s| status_of(s.as_str()) == status)
        .map(|s| s.as_str())
        .collect()
}

/// A value from the request as an error message quotes it: at most 40 characters.
pub fn quoted(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// A time as the spec writes it: ISO 8601 in China Standard Time, `2026-03-02T09:00:00+08:00`.
pub fn datetime(ms: Millis) -> String {
    to_local(ms).to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// Parses a datetime filter: ISO 8601 with a zone (`Z` or `+08:00`); without a zone, or a bare date,
/// it is read as Beijing time.
pub fn parse_datetime(s: &str) -> Option<Millis> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S"))
        .ok()
        .or_else(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))?;
    Some(local.and_utc().timestamp_millis() - i64::from(crate::clock::CST_OFFSET_SECONDS) * 1000)
}

/// The filters of `GET requests`, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct ListQuery {
    /// `service_request_id=a,b`: when given, every other filter is ignored (the spec's rule).
    pub ids: Vec<String>,
    pub codes: Vec<String>,
    /// Reported within `[from, to]`.
    pub from: Millis,
    pub to: Millis,
    /// Event states (from `status=open,closed`); empty means all.
    pub states: Vec<&'static str>,
    pub page: i64,
    pub page_size: i64,
}

/// Comma-separated values of every occurrence of a parameter.
fn list_of(pairs: &[(String, String)], key: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .flat_map(|(_, v)| v.split(','))
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

fn one_of<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
}

/// Reads the list filters; a date range defaults to the 90 days up to `now` and may not span more.
pub fn list_query(pairs: &[(String, String)], now: Millis) -> Result<ListQuery, FieldErrors> {
    let mut e = FieldErrors::new();
    let ids = list_of(pairs, "service_request_id");
    if ids.len() > MAX_IDS {
        e.insert("service_request_id".into(), format!("一次最多查询 {MAX_IDS} 个 service_request_id"));
    }
    let mut date = |key: &str| -> Option<Millis> {
        let v = one_of(pairs, key)?;
        let t = parse_datetime(v);
        if t.is_none() {
            e.insert(key.into(), format!("{key} 格式不正确，应为 ISO 8601，如 2026-03-01T00:00:00+08:00"));
        }
        t
    };
    let (start, end) = (date("start_date"), date("end_date"));
    let (from, to) = match (start, end) {
        (Some(s), Some(t)) => (s, t),
        (Some(s), None) => (s, (s + MAX_SPAN).min(now.max(s))),
        (None, Some(t)) => (t - MAX_SPAN, t),
        (None, None) => (now - MAX_SPAN, now),
    };
    if from > to {
        e.insert("start_date".into(), "start_date 不能晚于 end_date".into());
    } else if to - from > MAX_SPAN {
        e.insert("end_date".into(), "查询的时间范围不能超过 90 天".into());
    }
    let mut states = Vec::new();
    for s in list_of(pairs, "status") {
        match s.as_str() {
            "open" | "closed" => states.extend(states_of(&s)),
            _ => {
                e.insert("status".into(), "status 只能是 open 或 closed（可用逗号分隔）".into());
            }
        }
    }
    let mut number = |key: &str, default: i64, max: i64| -> i64 {
        match one_of(pairs, key).map(|v| v.parse::<i64>()) {
            None => default,
            Some(Ok(n)) if (1..=max).contains(&n) => n,
            Some(_) => {
                e.insert(key.into(), format!("{key} 应为 1–{max} 的整数"));
                default
            }
        }
    };
    let page = number("page", 1, 100_000);
    let size_key = if one_of(pairs, "page_size").is_some() { "page_size" } else { "per_page" };
    let page_size = number(size_key, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    if !e.is_empty() {
        return Err(e);
    }
    Ok(ListQuery { ids, codes: list_of(pairs, "service_code"), from, to, states, page, page_size })
}

/// A request posted by a third-party app, checked (coordinates in WGS-84).
#[derive(Clone, Debug, PartialEq)]
pub struct Posted {
    pub service_code: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub address: String,
    pub description: String,
    pub media_url: String,
    /// A phone number for a call back (stored encrypted by the intake, never shown in any answer).
    pub phone: Option<String>,
    /// `attribute[grid]`: the grid of a request that has only an address.
    pub grid_code: Option<String>,
}

pub const DESCRIPTION_MIN: usize = 10;
/// As the resident intake takes it.
pub const DESCRIPTION_MAX: usize = 1000;

fn text(e: &mut FieldErrors, field: &str, v: Option<&str>, max: usize) -> String {
    let t = v.unwrap_or("").trim().to_owned();
    if t.chars().count() > max {
        e.insert(field.into(), format!("{field} 最多 {max} 个字"));
    } else if t.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        e.insert(field.into(), format!("{field} 含有不可见字符"));
    }
    t
}

/// Reads the form of `POST requests` (every field the spec names; unknown ones are ignored, as the
/// spec lets servers do). The key and the jurisdiction are checked by the caller.
pub fn posted(pairs: &[(String, String)]) -> Result<Posted, FieldErrors> {
    let mut e = FieldErrors::new();
    let service_code = one_of(pairs, "service_code").unwrap_or("").to_owned();
    if service_code.is_empty() {
        e.insert("service_code".into(), "缺少 service_code（事件类别代码，见 services.json）".into());
    }
    let coord = |e: &mut FieldErrors, key: &str, range: f64| -> Option<f64> {
        let v = one_of(pairs, key)?;
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() && x.abs() <= range => Some(x),
            _ => {
                e.insert(key.into(), format!("{key} 应为 WGS-84 十进制度数（-{range}–{range}）"));
                None
            }
        }
    };
    let lat = coord(&mut e, "lat", 90.0);
    let lon = coord(&mut e, "long", 180.0);
    let has_lat = one_of(pairs, "lat").is_some();
    let has_long = one_of(pairs, "long").is_some();
    if has_lat != has_long {
        e.insert("long".into(), "lat 和 long 须同时提供".into());
    }
    if let (Some(y), Some(x)) = (lat, lon)
        && let Err(msg) = crate::geo::coords::check(x, y)
    {
        e.insert("lat".into(), msg.into());
    }
    let address = text(&mut e, "address_string", one_of(pairs, "address_string"), 200);
    let grid_code = one_of(pairs, &format!("attribute[{GRID_ATTRIBUTE}]")).map(str::to_owned);
    if !has_lat && !has_long {
        if address.is_empty() {
            let msg = if one_of(pairs, "address_id").is_some() {
                "本系统不使用 address_id，请提供 lat/long（WGS-84），或 address_string 加 attribute[grid]"
            } else {
                "请提供位置：lat 和 long（WGS-84），或 address_string 加 attribute[grid]"
            };
            e.insert("lat".into(), msg.into());
        } else if grid_code.is_none() {
            e.insert(
                format!("attribute[{GRID_ATTRIBUTE}]"),
                "只有 address_string 时系统无法确定所在网格：请提供 lat/long，或用 attribute[grid] 填写网格编码（印在网格公示牌上）"
                    .into(),
            );
        }
    }
    let description = text(&mut e, "description", one_of(pairs, "description"), DESCRIPTION_MAX);
    if !e.contains_key("description") && description.chars().count() < DESCRIPTION_MIN {
        e.insert(
            "description".into(),
            format!("请在 description 里把问题写清楚（至少 {DESCRIPTION_MIN} 个字：发生了什么、现在什么情况）"),
        );
    }
    let media_url = text(&mut e, "media_url", one_of(pairs, "media_url"), 500);
    let web = media_url.is_empty() || media_url.starts_with("https://") || media_url.starts_with("http://");
    if !web && !e.contains_key("media_url") {
        e.insert("media_url".into(), "media_url 应为 http:// 或 https:// 开头的地址".into());
    }
    let phone = match one_of(pairs, "phone").map(|p| crate::domains::org::model::check_phone("phone", p, false)) {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(_)) => {
            e.insert("phone".into(), "phone 应为 11 位手机号或带区号的固定电话（如 0816-1234567）".into());
            None
        }
    };
    if !e.is_empty() {
        return Err(e);
    }
    Ok(Posted { service_code, lat, lon, address, description, media_url, phone, grid_code })
}

/// Masks what looks like a mobile number or an 18-character ID number inside free text, so a
/// public answer never carries one even when a resident typed it into the description.
pub fn mask_numbers(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            // An ID number may end in X.
            let run_end = if j - i == 17 && j < chars.len() && matches!(chars[j], 'X' | 'x') { j + 1 } else { j };
            let run: String = chars[i..run_end].iter().collect();
            let bounded = run_end == chars.len() || !chars[run_end].is_ascii_alphanumeric();
            match run.len() {
                11 if bounded && run.starts_with('1') => out.push_str(&mask_phone(&run)),
                18 if bounded => out.push_str(&mask_id(&run)),
                _ => out.push_str(&run),
            }
            i = run_end;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// A new key: `o311_` and 64 random hex characters; stored as its SHA-256 with its first 9 characters.
pub fn new_key() -> (String, String, String) {
    let key = format!("o311_{}", crate::auth::secret::random_token());
    let hash = crate::auth::secret::sha256_hex(&key);
    let prefix = key[..9].to_owned();
    (key, hash, prefix)
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
