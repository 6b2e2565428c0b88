//! Pure rules of the field app's sync: the kinds of operation a phone may queue, checking one
//! operation before anything is touched, and the answers (applied / conflict / rejected / retry).

use crate::error::AppError;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The most operations in one batch (the app sends 50 at a time).
pub const MAX_OPS: usize = 100;

/// The most photos of one event report (as the event service allows).
pub const MAX_PHOTOS: usize = crate::domains::events::service::MAX_PHOTOS;

/// A claim older than this is taken to be abandoned (the server stopped while applying it).
pub const STALE_CLAIM_MS: i64 = 2 * crate::clock::MINUTE;
/// A photo uploaded ahead of an operation that never came is forgotten (row and file) after this;
/// the app sends the operation right after its photos, so only an abandoned one is ever this old.
pub const UPLOAD_KEEP_MS: i64 = 30 * crate::clock::DAY;

/// What a phone may queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    PersonCreate,
    PersonUpdate,
    /// 迁出、死亡、离开 (or back): `POST /api/v1/persons/{id}/status`, from a known version.
    PersonStatus,
    HouseCreate,
    HouseUpdate,
    HouseholdCreate,
    HouseholdUpdate,
    RentalCreate,
    RentalUpdate,
    PlaceCreate,
    PlaceUpdate,
    EventReport,
    VisitRecord,
    /// A special-population file for a person (`POST /api/v1/persons/{id}/special`); `id` or `ref_op` is the person.
    SpecialCreate,
    /// A visit to a special-population file (`POST /api/v1/persons/{id}/special/{file}/visits`); `id` is the person.
    SpecialVisit,
    /// The day's check-in (`POST /api/v1/check-ins`), with the phone's time.
    CheckIn,
    PatrolStart,
    PatrolPoints,
    PatrolEnd,
    /// Results of the patrol's checklist (the six areas), as `POST /api/v1/patrols/{id}/checks` takes them.
    PatrolChecks,
    /// A finding of the patrol, reported as an event at once if asked (`POST …/findings`).
    PatrolFinding,
}

pub const ALL_KINDS: [Kind; 21] = [
    Kind::PersonCreate,
    Kind::PersonUpdate,
    Kind::PersonStatus,
    Kind::HouseCreate,
    Kind::HouseUpdate,
    Kind::HouseholdCreate,
    Kind::HouseholdUpdate,
    Kind::RentalCreate,
    Kind::RentalUpdate,
    Kind::PlaceCreate,
    Kind::PlaceUpdate,
    Kind::EventReport,
    Kind::VisitRecord,
    Kind::SpecialCreate,
    Kind::SpecialVisit,
    Kind::CheckIn,
    Kind::PatrolStart,
    Kind::PatrolPoints,
    Kind::PatrolEnd,
    Kind::PatrolChecks,
    Kind::PatrolFinding,
];

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PersonCreate => "person.create",
            Kind::PersonUpdate => "person.update",
            Kind::PersonStatus => "person.status",
            Kind::HouseCreate => "house.create",
            Kind::HouseUpdate => "house.update",
            Kind::HouseholdCreate => "household.create",
            Kind::HouseholdUpdate => "household.update",
            Kind::RentalCreate => "rental.create",
            Kind::RentalUpdate => "rental.update",
            Kind::PlaceCreate => "place.create",
            Kind::PlaceUpdate => "place.update",
            Kind::EventReport => "event.report",
            Kind::VisitRecord => "visit.record",
            Kind::SpecialCreate => "special.create",
            Kind::SpecialVisit => "special.visit",
            Kind::CheckIn => "check_in",
            Kind::PatrolStart => "patrol.start",
            Kind::PatrolPoints => "patrol.points",
            Kind::PatrolEnd => "patrol.end",
            Kind::PatrolChecks => "patrol.checks",
            Kind::PatrolFinding => "patrol.finding",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        ALL_KINDS.into_iter().find(|k| k.as_str() == s)
    }

    /// A change of an existing register record, made from a known version (may conflict).
    pub fn is_update(self) -> bool {
        matches!(
            self,
            Kind::PersonUpdate
                | Kind::PersonStatus
                | Kind::HouseUpdate
                | Kind::HouseholdUpdate
                | Kind::RentalUpdate
                | Kind::PlaceUpdate
        )
    }

    /// Works on an existing record (named by `id`, or by `ref_op`: an earlier operation that created it).
    pub fn needs_target(self) -> bool {
        self.is_update()
            || matches!(
                self,
                Kind::VisitRecord
                    | Kind::SpecialCreate
                    | Kind::SpecialVisit
                    | Kind::PatrolPoints
                    | Kind::PatrolEnd
                    | Kind::PatrolChecks
                    | Kind::PatrolFinding
            )
    }

    /// The record type, for conflicts and messages.
    pub fn object(self) -> &'static str {
        match self {
            Kind::PersonCreate | Kind::PersonUpdate | Kind::PersonStatus | Kind::SpecialCreate | Kind::SpecialVisit => {
                "person"
            }
            Kind::HouseCreate | Kind::HouseUpdate => "house",
            Kind::HouseholdCreate | Kind::HouseholdUpdate | Kind::VisitRecord => "household",
            Kind::RentalCreate | Kind::RentalUpdate => "rental",
            Kind::PlaceCreate | Kind::PlaceUpdate => "place",
            Kind::EventReport => "event",
            Kind::CheckIn => "check_in",
            Kind::PatrolStart | Kind::PatrolPoints | Kind::PatrolEnd | Kind::PatrolChecks | Kind::PatrolFinding => {
                "patrol"
            }
        }
    }
}

/// Fields of `data` that may be filled from a record an earlier operation created (`data_refs`).
pub const REF_FIELDS: [&str; 3] = ["house_id", "household_id", "head_person_id"];

/// One queued operation as the phone sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Op {
    /// Generated on the phone (a UUID); the same id sent again answers the first result.
    pub op_id: String,
    pub kind: String,
    /// The record worked on, when it is known.
    pub id: Option<i64>,
    /// Or the earlier operation (of the same account) that created it.
    pub ref_op: Option<String>,
    /// The version the worker edited (updates).
    pub base_version: Option<i64>,
    /// The fields, as the matching JSON API takes them.
    #[serde(default)]
    pub data: Value,
    /// `field → op id`: fill a field of `data` with the id of a record an earlier operation created.
    #[serde(default)]
    pub data_refs: BTreeMap<String, String>,
    /// Upload ids of photos (event reports), uploaded first through `/api/v1/field/photos`.
    #[serde(default)]
    pub photos: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    pub ops: Vec<Op>,
}

/// An operation id or upload key: 8–64 letters, digits, `-` or `_`.
pub fn valid_key(s: &str) -> bool {
    (8..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Checks the shape of an operation; answers its kind or a Chinese reason.
pub fn check(op: &Op) -> Result<Kind, String> {
    if !valid_key(&op.op_id) {
        return Err("操作编号应为 8–64 位字母、数字、- 或 _".into());
    }
    let kind = Kind::parse(&op.kind).ok_or_else(|| format!("不支持的操作类型：{}", op.kind))?;
    if kind.needs_target() && op.id.is_none() && op.ref_op.is_none() {
        return Err("缺少要修改的记录（id 或 ref_op）".into());
    }
    if op.id.is_some() && op.ref_op.is_some() {
        return Err("id 和 ref_op 只能给一个".into());
    }
    if kind.is_update() && op.base_version.is_none() {
        return Err("缺少修改前的版本号（base_version）".into());
    }
    if !(op.data.is_object() || op.data.is_null()) {
        return Err("data 应为 JSON 对象".into());
    }
    if let Some((f, _)) = op.data_refs.iter().find(|(f, r)| !REF_FIELDS.contains(&f.as_str()) || !valid_key(r)) {
        return Err(format!("data_refs 中的 {f} 不能引用"));
    }
    if !op.photos.is_empty() && kind != Kind::EventReport {
        return Err("只有事件上报可以带照片".into());
    }
    if op.photos.len() > MAX_PHOTOS {
        return Err(format!("每次最多上传 {MAX_PHOTOS} 张照片"));
    }
    Ok(kind)
}

/// The answer to one operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Done: the record's id and version (if it has one) and the record as the worker may see it.
    Applied { id: i64, version: Option<i64>, record: Value },
    /// Someone changed the record since the worker's base version: the current record (masked).
    Conflict { current: Value },
    /// Refused for good (bad input, no right, not found): a Chinese message and field errors.
    Rejected { code: String, message: String, fields: BTreeMap<String, String> },
    /// Not applied for a passing reason; the phone sends it again later.
    Retry { message: String },
}

impl Outcome {
    pub fn rejected(e: &AppError) -> Outcome {
        let fields = match e {
            AppError::Invalid { fields, .. } => fields.clone(),
            _ => BTreeMap::new(),
        };
        Outcome::Rejected { code: e.code().into(), message: e.to_string(), fields }
    }

    pub fn invalid(message: impl Into<String>) -> Outcome {
        Outcome::Rejected { code: "invalid_input".into(), message: message.into(), fields: BTreeMap::new() }
    }

    /// The receipt state (`None` for retry, which is not kept).
    pub fn state(&self) -> Option<&'static str> {
        match self {
            Outcome::Applied { .. } => Some("applied"),
            Outcome::Conflict { .. } => Some("conflict"),
            Outcome::Rejected { .. } => Some("rejected"),
            Outcome::Retry { .. } => None,
        }
    }

    pub fn record_id(&self) -> Option<i64> {
        match self {
            Outcome::Applied { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// The JSON answer for the phone.
    pub fn to_json(&self, op_id: &str) -> Value {
        match self {
            Outcome::Applied { id, version, record } => {
                json!({ "op_id": op_id, "status": "applied", "id": id, "version": version, "record": record })
            }
            Outcome::Conflict { current } => json!({
                "op_id": op_id, "status": "conflict", "current": current,
                "message": "这条记录在您离线时已被别人修改，请对照后选择保留哪一份"
            }),
            Outcome::Rejected { code, message, fields } => {
                json!({ "op_id": op_id, "status": "rejected", "code": code, "message": message, "fields": fields })
            }
            Outcome::Retry { message } => json!({ "op_id": op_id, "status": "retry", "message": message }),
        }
    }
}

/// The id and version of a record as a service answered it.
pub fn id_and_version(record: &Value) -> Option<(i64, Option<i64>)> {
    Some((record.get("id")?.as_i64()?, record.get("version").and_then(Value::as_i64)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(kind: &str) -> Op {
        Op {
            op_id: "0f8e-4c1a-9d2b".into(),
            kind: kind.into(),
            id: None,
            ref_op: None,
            base_version: None,
            data: json!({}),
            data_refs: BTreeMap::new(),
            photos: vec![],
        }
    }

    #[test]
    fn every_kind_round_trips() {
        for k in ALL_KINDS {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("person.delete"), None);
    }

    #[test]
    fn operations_are_checked_before_anything_is_touched() {
        assert_eq!(check(&op("person.create")), Ok(Kind::PersonCreate));
        assert!(check(&Op { op_id: "short".into(), ..op("person.create") }).unwrap_err().contains("操作编号"));
        assert!(check(&Op { op_id: "a b c d e f g h".into(), ..op("person.create") }).is_err());
        assert!(check(&op("person.erase")).unwrap_err().contains("不支持"));
        assert!(check(&op("person.update")).unwrap_err().contains("id 或 ref_op"));
        assert!(check(&Op { id: Some(3), ..op("person.update") }).unwrap_err().contains("base_version"));
        assert_eq!(check(&Op { id: Some(3), base_version: Some(2), ..op("person.update") }), Ok(Kind::PersonUpdate));
        assert!(check(&Op { id: Some(3), ref_op: Some("abcdefgh".into()), ..op("visit.record") }).is_err());
        assert_eq!(check(&Op { ref_op: Some("abcdefgh".into()), ..op("visit.record") }), Ok(Kind::VisitRecord));
        assert!(check(&Op { data: json!([1]), ..op("event.report") }).is_err());
        assert!(check(&Op { photos: vec!["x".into()], ..op("person.create") }).unwrap_err().contains("照片"));
        let many = vec!["p".to_owned(); MAX_PHOTOS + 1];
        assert!(check(&Op { photos: many, ..op("event.report") }).is_err());
        let refs: BTreeMap<String, String> = [("grid_id".to_owned(), "abcdefgh".to_owned())].into();
        assert!(check(&Op { data_refs: refs, ..op("person.create") }).unwrap_err().contains("grid_id"));
        let refs: BTreeMap<String, String> = [("house_id".to_owned(), "abcdefgh".to_owned())].into();
        assert_eq!(check(&Op { data_refs: refs, ..op("person.create") }), Ok(Kind::PersonCreate));
    }

    #[test]
    fn answers_carry_status_and_what_the_phone_needs() {
        let a = Outcome::Applied { id: 7, version: Some(2), record: json!({"id": 7}) };
        assert_eq!(a.state(), Some("applied"));
        assert_eq!(a.to_json("op-123456")["status"], "applied");
        assert_eq!(a.to_json("op-123456")["version"], 2);
        let r = Outcome::rejected(&AppError::field("name", "请填写姓名"));
        assert_eq!(r.to_json("op-123456")["fields"]["name"], "请填写姓名");
        assert_eq!(Outcome::Retry { message: "稍后".into() }.state(), None);
        assert_eq!(id_and_version(&json!({"id": 3, "version": 5})), Some((3, Some(5))));
        assert_eq!(id_and_version(&json!({"id": 3})), Some((3, None)));
        assert_eq!(id_and_version(&json!({})), None);
    }
}
