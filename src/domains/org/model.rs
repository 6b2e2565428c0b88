//! Pure types of the organisation: area kinds and codes, grid boundaries, departments, staff, accounts.
//! Everything here parses and validates; nothing does I/O.

use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The level of an area in the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    County,
    Town,
    Community,
    Grid,
}

impl AreaKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "county" => Some(Self::County),
            "town" => Some(Self::Town),
            "community" => Some(Self::Community),
            "grid" => Some(Self::Grid),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::County => "county",
            Self::Town => "town",
            Self::Community => "community",
            Self::Grid => "grid",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::County => "县（区）",
            Self::Town => "乡镇（街道）",
            Self::Community => "社区（村）",
            Self::Grid => "网格",
        }
    }
    /// The kind an area of this kind must hang under (`None`: a root).
    pub fn parent_kind(self) -> Option<AreaKind> {
        match self {
            Self::County => None,
            Self::Town => Some(Self::County),
            Self::Community => Some(Self::Town),
            Self::Grid => Some(Self::Community),
        }
    }
    pub fn child_kind(self) -> Option<AreaKind> {
        match self {
            Self::County => Some(Self::Town),
            Self::Town => Some(Self::Community),
            Self::Community => Some(Self::Grid),
            Self::Grid => None,
        }
    }
    /// The allowed sub-kinds with their Chinese names; the first is the default.
    pub fn subkinds(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::County => &[("county", "县"), ("district", "区")],
            Self::Town => &[("town", "镇"), ("township", "乡"), ("subdistrict", "街道"), ("devzone", "开发区")],
            Self::Community => &[("community", "社区"), ("village", "村")],
            Self::Grid => &[("urban", "城镇网格"), ("rural", "农村网格")],
        }
    }
    pub fn subkind_label(self, sub: &str) -> &'static str {
        self.subkinds().iter().find(|(k, _)| *k == sub).map(|(_, l)| *l).unwrap_or("")
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Province-level prefixes of GB/T 2260.
const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
    "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
];

/// Checks an area's code against its kind and its parent's code:
/// county — 6 digits (GB/T 2260); town — 12 digits, county code + 3-digit town + `000`;
/// community — 12 digits, the town's first 9 + 3 digits; grid — the community's 12 + a 2–3 digit sequence.
pub fn check_code(kind: AreaKind, code: &str, parent_code: Option<&str>) -> Result<(), String> {
    if !all_digits(code) {
        return Err("编码只能由数字组成".into());
    }
    match (kind, parent_code) {
        (AreaKind::County, _) => {
            if code.len() != 6 {
                return Err("县级编码应为 6 位数字（GB/T 2260）".into());
            }
            if !PROVINCES.contains(&&code[..2]) {
                return Err("县级编码前两位不是有效的省级代码".into());
            }
            if &code[4..] == "00" {
                return Err("县级编码末两位不能为 00".into());
            }
        }
        (AreaKind::Town, Some(p)) => {
            if code.len() != 12 {
                return Err("乡镇编码应为 12 位数字".into());
            }
            if !code.starts_with(p) {
                return Err(format!("乡镇编码前 6 位应为所属县的编码 {p}"));
            }
            if &code[6..9] == "000" || &code[9..] != "000" {
                return Err("乡镇编码第 7–9 位为乡镇代码（不能为 000），第 10–12 位应为 000".into());
            }
        }
        (AreaKind::Community, Some(p)) => {
            if code.len() != 12 {
                return Err("社区（村）编码应为 12 位数字".into());
            }
            if code[..9] != p[..p.len().min(9)] {
                return Err(format!("社区（村）编码前 9 位应与所属乡镇一致（{}）", &p[..p.len().min(9)]));
            }
            if &code[9..] == "000" {
                return Err("社区（村）编码第 10–12 位不能为 000".into());
            }
        }
        (AreaKind::Grid, Some(p)) => {
            if !code.starts_with(p) || !(p.len() + 2..=p.len() + 3).contains(&code.len()) {
                return Err(format!("网格编码应为所属社区编码 {p} 加 2–3 位序号"));
            }
            if code[p.len()..].bytes().all(|b| b == b'0') {
                return Err("网格序号不能全为 0".into());
            }
        }
        (_, None) => return Err("缺少上级区域".into()),
    }
    Ok(())
}

/// A name: trimmed, 1 to `max` characters, no control characters.
pub fn check_text(field: &str, label: &str, value: &str, max: usize, required: bool) -> AppResult<String> {
    let v = value.trim();
    if v.is_empty() {
        if required {
            return Err(AppError::field(field, format!("请填写{label}")));
        }
        return Ok(String::new());
    }
    if v.chars().count() > max {
        return Err(AppError::field(field, format!("{label}不能超过 {max} 个字")));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(AppError::field(field, format!("{label}含有不可见字符")));
    }
    Ok(v.to_owned())
}

/// A mainland mobile number (11 digits starting with 1) or a landline (`0816-1234567`).
pub fn check_phone(field: &str, value: &str, required: bool) -> AppResult<String> {
    let v: String = value.trim().chars().filter(|c| *c != ' ').collect();
    if v.is_empty() {
        return if required { Err(AppError::field(field, "请填写联系电话")) } else { Ok(v) };
    }
    let mobile = v.len() == 11 && v.starts_with('1') && all_digits(&v) && v.as_bytes()[1] >= b'3';
    let landline = {
        let (area, num) = v.split_once('-').unwrap_or(("", &v));
        (area.is_empty() || (area.starts_with('0') && (3..=4).contains(&area.len()) && all_digits(area)))
            && (7..=8).contains(&num.len())
            && all_digits(num)
            && !area.is_empty()
    };
    if mobile || landline {
        Ok(v)
    } else {
        Err(AppError::field(field, "电话号码格式不正确（手机 11 位，或座机如 0816-1234567）"))
    }
}

/// A date `YYYY-MM-DD`.
pub fn check_date(field: &str, value: &str) -> AppResult<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field(field, "日期格式应为 年-月-日，例如 2026-03-01"))
}

/// Validates a grid boundary: a GeoJSON Polygon or MultiPolygon (or a Feature holding one),
/// closed rings of at least four positions, longitude/latitude in range. Answers the geometry.
pub fn check_boundary(value: &Value) -> Result<Value, String> {
    let geom = match value.get("type").and_then(Value::as_str) {
        Some("Feature") => value.get("geometry").cloned().ok_or("Feature 缺少 geometry")?,
        Some("Polygon") | Some("MultiPolygon") => value.clone(),
        Some(other) => return Err(format!("边界应为 Polygon 或 MultiPolygon，而不是 {other}")),
        None => return Err("边界不是有效的 GeoJSON（缺少 type）".into()),
    };
    let coords = geom.get("coordinates").ok_or("边界缺少 coordinates")?;
    let polygons: Vec<&Value> = match geom.get("type").and_then(Value::as_str) {
        Some("Polygon") => vec![coords],
        Some("MultiPolygon") => coords.as_array().ok_or("MultiPolygon 的 coordinates 应为数组")?.iter().collect(),
        _ => return Err("边界应为 Polygon 或 MultiPolygon".into()),
    };
    if polygons.is_empty() {
        return Err("边界没有多边形".into());
    }
    let mut vertices = 0usize;
    for poly in polygons {
        let rings = poly.as_array().ok_or("多边形应为环的数组")?;
        if rings.is_empty() {
            return Err("多边形没有外环".into());
        }
        for ring in rings {
            let pts = ring.as_array().ok_or("环应为坐标数组")?;
            if pts.len() < 4 {
                return Err("每个环至少需要 4 个坐标点（首尾相同）".into());
            }
            let mut parsed = Vec::with_capacity(pts.len());
            for p in pts {
                let xy = p.as_array().filter(|a| a.len() >= 2).ok_or("坐标应为 [经度, 纬度]")?;
                let (x, y) = (xy[0].as_f64().ok_or("经度应为数字")?, xy[1].as_f64().ok_or("纬度应为数字")?);
                if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
                    return Err("坐标超出经纬度范围".into());
                }
                parsed.push((x, y));
            }
            if parsed.first() != parsed.last() {
                return Err("环的首尾坐标必须相同（闭合）".into());
            }
            vertices += parsed.len();
        }
    }
    if vertices > 20_000 {
        return Err("边界坐标点过多（最多 20000 个）".into());
    }
    Ok(geom)
}

/// Kinds of department.
pub const DEPARTMENT_KINDS: [(&str, &str); 7] = [
    ("police_station", "派出所"),
    ("justice_office", "司法所"),
    ("health_center", "卫生院"),
    ("urban_mgmt", "城管"),
    ("civil_affairs", "民政"),
    ("education", "教育"),
    ("other", "其他"),
];

pub fn department_kind_label(kind: &str) -> &'static str {
    DEPARTMENT_KINDS.iter().find(|(k, _)| *k == kind).map(|(_, l)| *l).unwrap_or("其他")
}

/// Positions of staff.
pub const STAFF_POSITIONS: [(&str, &str); 4] = [
    ("grid_worker", "网格员"),
    ("grid_leader", "网格长"),
    ("community_staff", "社区工作人员"),
    ("centre_staff", "综治中心工作人员"),
];

pub fn position_label(p: &str) -> &'static str {
    STAFF_POSITIONS.iter().find(|(k, _)| *k == p).map(|(_, l)| *l).unwrap_or("")
}

pub const EMPLOYMENTS: [(&str, &str); 2] = [("full_time", "专职"), ("part_time", "兼职")];

pub fn employment_label(e: &str) -> &'static str {
    EMPLOYMENTS.iter().find(|(k, _)| *k == e).map(|(_, l)| *l).unwrap_or("")
}

/// A username: 3–32 characters, lower-case letters, digits, `_`, `.`, `-`, starting with a letter.
pub fn check_username(value: &str) -> AppResult<String> {
    let v = value.trim().to_lowercase();
    let ok = (3..=32).contains(&v.len())
        && v.starts_with(|c: char| c.is_ascii_lowercase())
        && v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(v)
    } else {
        Err(AppError::field("username", "用户名应为 3–32 位小写字母、数字或 _ . -，并以字母开头"))
    }
}

/// Materialised path of an area: `/1/5/23/`.
pub fn child_path(parent_path: &str, id: i64) -> String {
    format!("{parent_path}{id}/")
}

/// The ids in a materialised path, root first.
pub fn path_ids(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|s| s.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn county_codes() {
        assert!(check_code(AreaKind::County, "510725", None).is_ok());
        assert!(check_code(AreaKind::County, "51072", None).is_err());
        assert!(check_code(AreaKind::County, "990725", None).is_err());
        assert!(check_code(AreaKind::County, "510700", None).is_err());
        assert!(check_code(AreaKind::County, "51072a", None).is_err());
    }

    #[test]
    fn town_community_grid_codes_follow_parent() {
        assert!(check_code(AreaKind::Town, "510725101000", Some("510725")).is_ok());
        assert!(check_code(AreaKind::Town, "510726101000", Some("510725")).is_err());
        assert!(check_code(AreaKind::Town, "510725000000", Some("510725")).is_err());
        assert!(check_code(AreaKind::Town, "510725101001", Some("510725")).is_err());
        assert!(check_code(AreaKind::Community, "510725101001", Some("510725101000")).is_ok());
        assert!(check_code(AreaKind::Community, "510725102001", Some("510725101000")).is_err());
        assert!(check_code(AreaKind::Community, "510725101000", Some("510725101000")).is_err());
        assert!(check_code(AreaKind::Grid, "510725101001001", Some("510725101001")).is_ok());
        assert!(check_code(AreaKind::Grid, "51072510100101", Some("510725101001")).is_ok());
        assert!(check_code(AreaKind::Grid, "510725101001000", Some("510725101001")).is_err());
        assert!(check_code(AreaKind::Grid, "5107251010010011", Some("510725101001")).is_err());
        assert!(check_code(AreaKind::Grid, "510725101002001", Some("510725101001")).is_err());
    }

    #[test]
    fn parent_kinds() {
        assert_eq!(AreaKind::Grid.parent_kind(), Some(AreaKind::Community));
        assert_eq!(AreaKind::County.parent_kind(), None);
        assert_eq!(AreaKind::Town.child_kind(), Some(AreaKind::Community));
    }

    #[test]
    fn phones() {
        assert_eq!(check_phone("p", "138 1234 5678", true).unwrap(), "13812345678");
        assert!(check_phone("p", "0816-2345678", true).is_ok());
        assert!(check_phone("p", "12812345678", true).is_err());
        assert!(check_phone("p", "1381234567", true).is_err());
        assert!(check_phone("p", "2345678", true).is_err());
        assert!(check_phone("p", "", true).is_err());
        assert_eq!(check_phone("p", "", false).unwrap(), "");
    }

    #[test]
    fn boundaries() {
        let sq =
            json!({"type": "Polygon", "coordinates": [[[104.7, 31.7], [104.8, 31.7], [104.8, 31.8], [104.7, 31.7]]]});
        assert!(check_boundary(&sq).is_ok());
        assert!(check_boundary(&json!({"type": "Feature", "geometry": sq})).is_ok());
        let open =
            json!({"type": "Polygon", "coordinates": [[[104.7, 31.7], [104.8, 31.7], [104.8, 31.8], [104.7, 31.9]]]});
        assert!(check_boundary(&open).is_err());
        assert!(check_boundary(&json!({"type": "Point", "coordinates": [1, 2]})).is_err());
        let out =
            json!({"type": "Polygon", "coordinates": [[[204.7, 31.7], [104.8, 31.7], [104.8, 31.8], [204.7, 31.7]]]});
        assert!(check_boundary(&out).is_err());
        assert!(check_boundary(&json!({"type": "Polygon", "coordinates": [[[1, 1], [2, 2], [1, 1]]]})).is_err());
    }

    #[test]
    fn usernames_and_paths() {
        assert_eq!(check_username(" Heshan ").unwrap(), "heshan");
        assert!(check_username("1abc").is_err());
        assert!(check_username("ab").is_err());
        assert!(check_username("张三").is_err());
        assert_eq!(path_ids("/1/5/23/"), vec![1, 5, 23]);
    }
}
