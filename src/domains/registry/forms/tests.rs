use super::*;
use crate::audit::AuditRow;
use std::collections::HashMap;

#[test]
fn id_lists_split_on_any_separator_and_drop_repeats() {
    assert_eq!(id_list("12, 13\n12、x1"), vec!["12", "13", "X1"]);
    assert!(id_list("  \n ").is_empty());
}

#[test]
fn errors_land_on_their_inputs_or_in_the_banner() {
    let specs = [spec("house_no", "房屋编号", Kind::Text, true, 40).also(&["house_id"])];
    let mut fields = FieldErrors::new();
    fields.insert("house_id".into(), "房屋不存在".into());
    fields.insert("version".into(), "缺少版本号".into());
    let f = Failure { status: StatusCode::UNPROCESSABLE_ENTITY, message: "有误".into(), fields };
    let mut v = Values::default();
    v.set("house_no", "NS-1");
    let form = form("x-", &specs, &v, Some(&f), &|_| vec![]);
    assert_eq!(form.inputs[0].error, "房屋不存在");
    assert_eq!(form.inputs[0].value, "NS-1");
    assert_eq!(form.inputs[0].id, "x-house_no");
    assert_eq!(form.other, vec!["缺少版本号".to_owned()]);
}

#[test]
fn history_shows_old_to_new() {
    let row = AuditRow {
        id: 1,
        at: 0,
        account_id: None,
        username: "w".into(),
        action: "house_updated".into(),
        object_type: "house".into(),
        object_id: "1".into(),
        detail: r#"{"owner_name":{"from":"甲","to":"乙"}}"#.into(),
        ip: String::new(),
        request_id: String::new(),
        prev_hash: String::new(),
        hash: String::new(),
    };
    let mut moved = row.clone();
    moved.detail = r#"{"house_id":{"from":7,"to":9}}"#.into();
    assert_eq!(linked_ids(&[row.clone(), moved.clone()]).get("house_id"), Some(&vec![7, 9]));
    let names = LinkNames(HashMap::from([(("house_id", 9), "NS-0009".to_owned())]));
    let h = history(vec![row, moved], &Codes::default(), &names);
    assert_eq!(h[0].action, "修改");
    assert_eq!(
        (h[0].changes[0].field.as_str(), h[0].changes[0].from.as_str(), h[0].changes[0].to.as_str()),
        ("房主姓名", "甲", "乙")
    );
    // A linked record shows by name; one that is gone keeps its number.
    assert_eq!((h[1].changes[0].from.as_str(), h[1].changes[0].to.as_str()), ("7", "NS-0009（#9）"));
}
