//! Pure rules of household visits (走访户): the kinds, checking a visit, masking a name, days overdue. No I/O.

use crate::error::{AppError, AppResult, FieldErrors};
use chrono::NaiveDate;
use serde::Deserialize;

/// The kinds of a household visit: (code, label).
pub const VISIT_KINDS: [(&str, &str); 6] = [
    ("routine", "日常走访"),
    ("help", "帮扶走访"),
    ("dispute", "矛盾纠纷回访"),
    ("safety", "安全隐患回访"),
    ("policy", "政策宣传"),
    ("other", "其他"),
];

/// The kind shown for a special-population visit in the joint list.
pub const SPECIAL: &str = "special";

/// The label of a kind (household kinds and `special`); empty when unknown.
pub fn kind_label(kind: &str) -> &'static str {
    if kind == SPECIAL {
        return "特殊人群走访";
    }
    VISIT_KINDS.iter().find(|(k, _)| *k == kind).map(|(_, l)| *l).unwrap_or("")
}

/// The longest note, in characters.
pub const NOTE_MAX: usize = 500;

/// What a client sends to record a household visit.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitInput {
    pub visited_on: String,
    pub kind: String,
    pub note: String,
    #[serde(default)]
    pub next_visit_due: Option<String>,
}

/// A checked visit.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub visited_on: NaiveDate,
    pub kind: &'static str,
    pub note: String,
    pub next_visit_due: Option<NaiveDate>,
}

fn date(e: &mut FieldErrors, field: &str, v: &str) -> Option<NaiveDate> {
    match crate::domains::org::model::check_date(field, v) {
        Ok(d) => Some(d),
        Err(err) => {
            AppError::gather(e, Err(err));
            None
        }
    }
}

/// Checks every field at once (`today`: the Beijing date now); all errors in one answer.
pub fn check(i: &VisitInput, today: NaiveDate) -> AppResult<Visit> {
    let mut e = FieldErrors::new();
    let visited_on = if i.visited_on.trim().is_empty() {
        e.insert("visited_on".into(), "请填写走访日期".into());
        None
    } else {
        date(&mut e, "visited_on", &i.visited_on)
    };
    if let Some(d) = visited_on
        && d > today
    {
        e.insert("visited_on".into(), "走访日期不能晚于今天".into());
    }
    let kind = VISIT_KINDS.iter().find(|(k, _)| *k == i.kind.trim()).map(|(k, _)| *k);
    if kind.is_none() {
        e.insert(
            "kind".into(),
            "请选择走访类型（日常走访、帮扶走访、矛盾纠纷回访、安全隐患回访、政策宣传或其他）".into(),
        );
    }
    let note =
        AppError::gather(&mut e, crate::domains::org::model::check_text("note", "走访情况", &i.note, NOTE_MAX, true));
    let due = match i.next_visit_due.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => date(&mut e, "next_visit_due", s),
        None => None,
    };
    if let (Some(d), Some(on)) = (due, visited_on)
        && d <= on
    {
        e.insert("next_visit_due".into(), "下次走访日期应晚于本次走访日期".into());
    }
    match (visited_on, kind) {
        (Some(visited_on), Some(kind)) if e.is_empty() => Ok(Visit { visited_on, kind, note, next_visit_due: due }),
        _ => Err(AppError::fields(e)),
    }
}

/// A name as lists show it: the first character, the rest as `*` (`张三丰` → `张**`).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// Whole days a visit due on `due` is overdue on `on` (0 when not yet overdue or the date is unreadable).
pub fn days_overdue(due: &str, on: NaiveDate) -> i64 {
    NaiveDate::parse_from_str(due, "%Y-%m-%d").map(|d| (on - d).num_days().max(0)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn input(on: &str, kind: &str, note: &str, due: Option<&str>) -> VisitInput {
        VisitInput { visited_on: on.into(), kind: kind.into(), note: note.into(), next_visit_due: due.map(Into::into) }
    }

    #[test]
    fn a_good_visit_is_checked() {
        let v = check(&input("2026-03-02", "help", " 送米送油 ", Some("2026-04-02")), day("2026-03-02")).unwrap();
        assert_eq!((v.kind, v.note.as_str(), v.next_visit_due), ("help", "送米送油", Some(day("2026-04-02"))));
        assert!(
            check(&input("2026-03-01", "routine", "好", None), day("2026-03-02")).unwrap().next_visit_due.is_none()
        );
    }

    #[test]
    fn every_bad_field_is_named_in_chinese() {
        let Err(AppError::Invalid { fields, .. }) =
            check(&input("2026-03-03", "party", "", Some("2026-03-01")), day("2026-03-02"))
        else {
            panic!("should fail")
        };
        assert_eq!(fields["visited_on"], "走访日期不能晚于今天");
        assert!(fields["kind"].starts_with("请选择走访类型"));
        assert_eq!(fields["note"], "请填写走访情况");
        assert_eq!(fields["next_visit_due"], "下次走访日期应晚于本次走访日期");
        let Err(AppError::Invalid { fields, .. }) =
            check(&input("3/2", "routine", &"长".repeat(NOTE_MAX + 1), Some("later")), day("2026-03-02"))
        else {
            panic!("should fail")
        };
        assert!(fields["visited_on"].contains("日期格式"));
        assert!(fields["next_visit_due"].contains("日期格式"));
        assert!(fields["note"].contains("500"));
    }

    #[test]
    fn names_are_masked_and_overdue_days_counted() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("李"), "李");
        assert_eq!(mask_name(""), "");
        assert_eq!(days_overdue("2026-03-01", day("2026-03-02")), 1);
        assert_eq!(days_overdue("2026-02-27", day("2026-03-02")), 3, "across the end of February");
        assert_eq!(days_overdue("2026-03-05", day("2026-03-02")), 0);
        assert_eq!(days_overdue("bad", day("2026-03-02")), 0);
        assert_eq!((kind_label("help"), kind_label(SPECIAL), kind_label("x")), ("帮扶走访", "特殊人群走访", ""));
    }
}
