//! How the audit trail reads to its administrator: Chinese names of actions, object types and
//! fields, and the content of a row as a list of "field: before → after" lines. Pure, no I/O.

use serde_json::Value;

/// Every action the program records, with its Chinese name. `audit_labels` (an API test) scans the
/// source for recorded actions and fails on one missing here.
pub const ACTIONS: &[(&str, &str)] = &[
    ("login", "登录"),
    ("login_failed", "登录失败"),
    ("logout", "退出登录"),
    ("password_change", "修改密码"),
    ("password_reset", "重置密码"),
    ("totp_setup_started", "开始绑定动态口令"),
    ("totp_enabled", "启用动态口令"),
    ("totp_disabled", "停用动态口令"),
    ("totp_reset", "重置动态口令"),
    ("token_created", "签发访问令牌"),
    ("token_revoked", "作废访问令牌"),
    ("account_created", "新建账号"),
    ("account_updated", "修改账号"),
    ("account_locked", "锁定账号"),
    ("account_unlocked", "解锁账号"),
    ("account_retired", "注销账号"),
    ("account_activated", "启用账号（另一管理员）"),
    ("setup_code_used", "用一次性设置码设置密码"),
    ("intake_account_created", "建立群众上报专用账号"),
    ("area_created", "新建区域"),
    ("area_updated", "修改区域"),
    ("area_moved", "移动区域"),
    ("area_retired", "撤销区域"),
    ("area_boundary_set", "绘制网格边界"),
    ("area_boundary_imported", "导入网格边界"),
    ("area_office_saved", "保存公示信息"),
    ("contact_cards_printed", "打印联系卡"),
    ("department_created", "新建职能部门"),
    ("department_updated", "修改职能部门"),
    ("department_retired", "撤销职能部门"),
    ("staff_created", "新建工作人员"),
    ("staff_updated", "修改工作人员"),
    ("staff_retired", "工作人员离职"),
    ("staff_assigned", "网格任职"),
    ("staff_unassigned", "解除网格任职"),
    ("staff_photo_set", "上传工作人员照片"),
    ("person_created", "登记人员"),
    ("person_updated", "修改人员信息"),
    ("person_status", "人员状态变更"),
    ("person_deleted", "删除人员"),
    ("person_read", "查看人员"),
    ("person_list_read", "查看人员列表"),
    ("person_unmask", "查看完整证件号码或电话"),
    ("person_export", "导出人员"),
    ("person_imported", "导入人员"),
    ("person_transfer_requested", "申请迁入"),
    ("person_transferred", "人员迁移"),
    ("import_started", "开始导入"),
    ("ledger_export", "导出台账"),
    ("household_created", "登记户"),
    ("household_updated", "修改户"),
    ("household_read", "查看户"),
    ("household_visited", "入户走访"),
    ("house_created", "登记房屋"),
    ("house_updated", "修改房屋"),
    ("house_read", "查看房屋"),
    ("rental_created", "登记出租房"),
    ("rental_updated", "修改出租房"),
    ("rental_read", "查看出租房"),
    ("place_created", "登记重点场所"),
    ("place_updated", "修改重点场所"),
    ("place_read", "查看重点场所"),
    ("special_created", "建立特殊人群档案"),
    ("special_read", "查看特殊人群档案"),
    ("special_visited", "特殊人群走访"),
    ("visit_list_read", "查看走访记录"),
    ("visit_overdue_read", "查看逾期走访"),
    ("checked_in", "签到"),
    ("event_reported", "上报事件"),
    ("event_read", "查看事件"),
    ("event_grid_set", "指定事件网格"),
    ("event_card", "事件亮牌"),
    ("event_accept", "受理事件"),
    ("event_dispatch", "交办事件"),
    ("event_escalate", "上报上级"),
    ("event_complete", "办结事件"),
    ("event_verify", "核查事件"),
    ("event_reopen", "重新办理"),
    ("event_close", "结案"),
    ("event_return", "退回事件"),
    ("event_extend", "申请延期"),
    ("event_approve_extension", "批准延期"),
    ("event_reject_extension", "驳回延期"),
    ("event_cancel", "作废事件"),
    ("event_merge", "合并事件"),
    ("event_evaluate", "评价事件"),
    ("event_supervise", "督办"),
    ("event_urge", "催办"),
    ("event_category_updated", "修改事件类别"),
    ("work_calendar_set", "修改工作日历"),
    ("callback_phone_revealed", "查看回访电话"),
    ("public_report_received", "收到群众上报"),
    ("public_reply_published", "公开答复"),
    ("open311_request_posted", "第三方应用上报"),
    ("open311_key_created", "签发第三方接入密钥"),
    ("open311_key_revoked", "作废第三方接入密钥"),
    ("submission_send", "报送"),
    ("submission_update", "更新报送"),
    ("submission_resend", "重新报送"),
    ("submission_sign", "签收报送"),
    ("submission_return", "退回报送"),
    ("submission_read", "查看报送"),
    ("submission_list_read", "查看报送列表"),
    ("submission_mapping_updated", "修改报送去向"),
    ("patrol_started", "开始巡查"),
    ("patrol_checked", "巡查打卡"),
    ("patrol_ended", "结束巡查"),
    ("patrol_finding_added", "记录巡查发现"),
    ("patrol_finding_reported", "巡查发现转为事件"),
    ("patrol_item_created", "新建巡查项目"),
    ("patrol_item_updated", "修改巡查项目"),
    ("huddle_held", "召开碰头会"),
    ("huddle_item_added", "碰头会添加事项"),
    ("huddle_decision", "碰头会议定"),
    ("supervision_settings_update", "修改督导设置"),
    ("assessment_rule_update", "修改考核规则"),
    ("demo_seeded", "生成演示数据"),
    ("demo_register_seeded", "生成演示登记数据"),
];

/// The Chinese name of an action (the code itself when it is not known, so nothing is hidden).
pub fn action_label(code: &str) -> &str {
    ACTIONS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or(code)
}

const OBJECTS: &[(&str, &str)] = &[
    ("account", "账号"),
    ("api_token", "访问令牌"),
    ("area", "区域"),
    ("department", "职能部门"),
    ("staff", "工作人员"),
    ("person", "人员"),
    ("household", "户"),
    ("house", "房屋"),
    ("rental", "出租房"),
    ("place", "重点场所"),
    ("visit", "走访"),
    ("check_in", "签到"),
    ("import_job", "导入任务"),
    ("event", "事件"),
    ("event_category", "事件类别"),
    ("work_calendar", "工作日历"),
    ("submission", "报送"),
    ("submission_mapping", "报送去向"),
    ("patrol", "巡查"),
    ("patrol_finding", "巡查发现"),
    ("patrol_item", "巡查项目"),
    ("huddle", "碰头会"),
    ("huddle_item", "碰头会事项"),
    ("supervision_settings", "督导设置"),
    ("assessment_rule", "考核规则"),
    ("open311_key", "接入密钥"),
];

/// The object types, for the search form.
pub fn objects() -> &'static [(&'static str, &'static str)] {
    OBJECTS
}

pub fn object_label(code: &str) -> &str {
    OBJECTS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l).unwrap_or(code)
}

/// Who acted when it was not a person's account (`username` of rows without an account).
pub fn system_actor_label(username: &str) -> Option<&'static str> {
    match username {
        "resident-intake" => Some("群众上报（系统账号）"),
        "命令行" => Some("命令行（服务器上的管理员）"),
        "系统" => Some("系统（后台任务）"),
        _ => None,
    }
}

const FIELDS: &[(&str, &str)] = &[
    ("name", "名称/姓名"),
    ("display_name", "显示名"),
    ("username", "用户名"),
    ("role", "角色"),
    ("status", "状态"),
    ("kind", "类别"),
    ("code", "编码"),
    ("title", "标题"),
    ("phone", "电话"),
    ("id_number", "证件号码"),
    ("id_type", "证件类型"),
    ("sex", "性别"),
    ("birth_date", "出生日期"),
    ("address", "地址"),
    ("grid_id", "网格"),
    ("area_id", "区域"),
    ("parent_id", "上级区域"),
    ("department_id", "部门"),
    ("boundary", "边界"),
    ("reason", "原因"),
    ("date", "日期"),
    ("note", "备注"),
    ("version", "版本"),
    ("ids", "涉及编号"),
    ("file", "档案"),
    ("special_file", "特殊人群档案"),
    ("import_job", "导入任务"),
    ("person", "人员"),
    ("event", "事件"),
    ("category", "类别"),
    ("ip", "地址"),
    ("reporter", "上报人"),
    ("min_days_month", "每月活跃天数门槛"),
    ("min_days_week", "每周活跃天数门槛"),
    ("counts_reads", "浏览也算活跃"),
    ("households", "户数"),
    ("ethnicity", "民族"),
    ("occupation", "职业"),
    ("workplace", "工作单位"),
    ("registered_address", "户籍地址"),
    ("native_place", "籍贯"),
    ("marital_status", "婚姻状况"),
    ("political_status", "政治面貌"),
    ("education", "文化程度"),
    ("religion", "宗教信仰"),
    ("former_name", "曾用名"),
    ("next_visit_due", "下次走访"),
    ("totp", "动态口令"),
    ("via", "方式"),
    ("failures", "连续失败次数"),
    ("created_by", "创建人"),
    ("code_expires_at", "设置码失效时间"),
    ("token", "令牌"),
    ("days", "有效天数"),
    ("visit", "走访记录"),
    ("visited_on", "走访日期"),
    ("step", "环节"),
    ("state", "状态"),
    ("from_state", "原状态"),
    ("to_state", "新状态"),
    ("limit", "时限"),
    ("accept_limit", "受理时限"),
    ("handle_limit", "办理时限"),
    ("verify_limit", "核查结案时限"),
    ("yellow_pct", "黄牌阈值（%）"),
    ("red_pct", "红牌阈值（%）"),
    ("required_fields", "必填描述项"),
    ("verifier_must_differ", "核查须由办结人以外的人进行"),
    ("rows", "行数"),
    ("filename", "文件名"),
];

/// Values that are codes, in words (statuses, roles, how one signed in).
fn value_label(key: &str, v: &str) -> Option<&'static str> {
    if key == "role" {
        return crate::auth::Role::parse(v).map(|r| r.label());
    }
    Some(match (key, v) {
        ("via", "password") => "密码",
        ("via", "token") => "访问令牌",
        ("via", "totp") => "动态口令",
        ("status" | "state", "active") => "正常",
        ("status" | "state", "locked") => "锁定",
        ("status" | "state", "retired") => "已注销/撤销",
        ("status" | "state", "moved_out") => "迁出",
        ("status" | "state", "deceased") => "死亡",
        ("status" | "state", "left") => "离开",
        ("status" | "state", "deleted") => "已删除",
        _ => return None,
    })
}

/// A field's value in words.
fn show_field(key: &str, v: &Value) -> String {
    match v.as_str().and_then(|s| value_label(key, s)) {
        Some(l) => l.to_owned(),
        None => show(v),
    }
}

pub fn field_label(key: &str) -> &str {
    FIELDS.iter().find(|(c, _)| *c == key).map(|(_, l)| *l).unwrap_or(key)
}

/// One line of a row's content: a field and its value, or its value before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub field: String,
    pub before: Option<String>,
    pub after: String,
}

/// A value in words: text as is, numbers, 是/否, lists joined, nested objects briefly; long text cut.
fn show(v: &Value) -> String {
    let s = match v {
        Value::Null => "（空）".to_owned(),
        Value::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.is_empty() => "（空）".to_owned(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(show).collect::<Vec<_>>().join("、"),
        Value::Object(o) => {
            o.iter().map(|(k, v)| format!("{}：{}", field_label(k), show(v))).collect::<Vec<_>>().join("；")
        }
    };
    if s.chars().count() > 120 { format!("{}…", s.chars().take(120).collect::<String>()) } else { s }
}

/// `{from, to}` or `{old, new}`: a change.
fn change_of(v: &Value) -> Option<(&Value, &Value)> {
    let o = v.as_object()?;
    match (o.get("from"), o.get("to"), o.get("old"), o.get("new")) {
        (Some(a), Some(b), _, _) if o.len() == 2 => Some((a, b)),
        (_, _, Some(a), Some(b)) if o.len() == 2 => Some((a, b)),
        _ => None,
    }
}

/// The content of a row as lines: field changes as before → after, a `{before, after}` pair
/// compared field by field, anything else as field: value.
pub fn describe(detail: &str) -> Vec<Line> {
    let Ok(v) = serde_json::from_str::<Value>(detail) else {
        return vec![Line { field: "内容".into(), before: None, after: detail.to_owned() }];
    };
    let Some(o) = v.as_object() else {
        return vec![Line { field: "内容".into(), before: None, after: show(&v) }];
    };
    if let (Some(Value::Object(b)), Some(Value::Object(a))) = (o.get("before"), o.get("after")) {
        return a
            .iter()
            .filter(|(k, new)| b.get(*k) != Some(*new))
            .map(|(k, new)| Line {
                field: field_label(k).to_owned(),
                before: Some(b.get(k).map(|v| show_field(k, v)).unwrap_or_else(|| "（空）".into())),
                after: show_field(k, new),
            })
            .collect();
    }
    o.iter()
        .map(|(k, v)| match change_of(v) {
            Some((from, to)) => {
                Line { field: field_label(k).to_owned(), before: Some(show_field(k, from)), after: show_field(k, to) }
            }
            None => Line { field: field_label(k).to_owned(), before: None, after: show_field(k, v) },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_objects_and_fields_read_in_chinese() {
        assert_eq!(action_label("login"), "登录");
        assert_eq!(action_label("place_read"), "查看重点场所");
        assert_eq!(action_label("public_report_received"), "收到群众上报");
        assert_eq!(action_label("something_new"), "something_new");
        assert_eq!(object_label("person"), "人员");
        assert_eq!(system_actor_label("resident-intake"), Some("群众上报（系统账号）"));
        let codes: std::collections::HashSet<&str> = ACTIONS.iter().map(|(c, _)| *c).collect();
        assert_eq!(codes.len(), ACTIONS.len(), "each action once");
    }

    #[test]
    fn content_reads_as_before_and_after() {
        let lines = describe(r#"{"name":{"from":"张三","to":"张叁"},"phone":{"from":"138****0000","to":""}}"#);
        assert_eq!(
            lines,
            vec![
                Line { field: "名称/姓名".into(), before: Some("张三".into()), after: "张叁".into() },
                Line { field: "电话".into(), before: Some("138****0000".into()), after: "（空）".into() },
            ]
        );
        let lines = describe(
            r#"{"before":{"min_days_month":20,"counts_reads":false},"after":{"min_days_month":15,"counts_reads":false}}"#,
        );
        assert_eq!(
            lines,
            vec![Line { field: "每月活跃天数门槛".into(), before: Some("20".into()), after: "15".into() }]
        );
        let lines = describe(r#"{"grid_id":{"old":3,"new":5},"ids":[1,2,3]}"#);
        assert_eq!(lines[0], Line { field: "网格".into(), before: Some("3".into()), after: "5".into() });
        assert_eq!(lines[1], Line { field: "涉及编号".into(), before: None, after: "1、2、3".into() });
        assert_eq!(describe("{}"), Vec::<Line>::new());
        let lines = describe(r#"{"via":"password","totp":false,"role":"grid_worker"}"#);
        let words: Vec<String> = lines.iter().map(|l| format!("{}：{}", l.field, l.after)).collect();
        assert_eq!(words, ["角色：网格员", "动态口令：否", "方式：密码"]);
        assert_eq!(describe("not json")[0].after, "not json");
    }
}
