//! The bulletin's narrative in natural Chinese, written from its figures (pure; unit-tested): who
//! reached 100%, who stayed at 0, who closed more than arrived and who closed under half, who
//! reported the key groups and which departments signed.

use super::figures::{ActivityRow, BulletinFigures, CompletionRow, DepartmentSignRow, KEY_KINDS, SubmissionRow};

/// Units at or above this activity rate (short of 100%) are "relatively good".
const GOOD_ACTIVITY: f64 = 0.6;

/// How the bulletin's area is called in "全县" / "全镇".
fn whole(area_kind: &str) -> &'static str {
    match area_kind {
        "county" => "全县",
        "town" => "全乡镇",
        "community" => "全社区",
        _ => "本网格",
    }
}

fn pct(r: f64) -> String {
    let p = r * 100.0;
    if (p - p.round()).abs() < 0.05 { format!("{}%", p.round() as i64) } else { format!("{p:.1}%") }
}

/// `甲、乙、丙`.
fn names<'a>(it: impl IntoIterator<Item = &'a str>) -> String {
    it.into_iter().collect::<Vec<_>>().join("、")
}

/// How a figure moved from last month, in words (`有所提升` …); None without last month's figure.
fn change(now: Option<f64>, before: Option<f64>) -> Option<&'static str> {
    let (n, b) = (now?, before?);
    let d = n - b;
    Some(if d.abs() < 0.005 {
        "与上月基本持平"
    } else if d >= 0.2 || (b > 0.0 && n / b >= 1.5) {
        "较上月有明显提升"
    } else if d > 0.0 {
        "较上月有所提升"
    } else if d <= -0.2 {
        "较上月明显下降"
    } else {
        "较上月有所下降"
    })
}

/// Section (一): account activity.
pub fn activity(f: &BulletinFigures, month: &str) -> String {
    let a = &f.activity;
    let mut s = String::new();
    let all = whole(&f.area_kind);
    match a.overall.rate {
        None => {
            s.push_str(&format!("{month}{all}尚未开通业务账号，无法统计账号活跃度。"));
            return s;
        }
        Some(r) => {
            let moved = change(a.overall.rate, a.overall.previous_rate)
                .map(|c| format!("{c}（上月{}）", pct(a.overall.previous_rate.unwrap_or_default())))
                .unwrap_or_default();
            s.push_str(&format!(
                "{month}{all}账号活跃度总体为{}（已开通账号{}个，当月活跃{}天及以上的{}个）{}。",
                pct(r),
                a.overall.total,
                a.min_days,
                a.overall.active,
                if moved.is_empty() { String::new() } else { format!("，{moved}") }
            ));
        }
    }
    let towns: Vec<&ActivityRow> = a.towns.iter().filter(|t| t.total > 0).collect();
    let full: Vec<&str> = towns.iter().filter(|t| t.rate == Some(1.0)).map(|t| t.name.as_str()).collect();
    let good: Vec<&str> = towns
        .iter()
        .filter(|t| t.rate.is_some_and(|r| (GOOD_ACTIVITY..1.0).contains(&r)))
        .map(|t| t.name.as_str())
        .collect();
    let zero: Vec<&str> = towns.iter().filter(|t| t.active == 0).map(|t| t.name.as_str()).collect();
    let rest = towns.len() - full.len() - good.len() - zero.len();
    let mut parts = Vec::new();
    if !full.is_empty() {
        parts.push(format!("{}活跃度达到100%", names(full.iter().copied())));
    }
    if !good.is_empty() {
        parts.push(format!("{}活跃度相对较好", names(good.iter().copied())));
    }
    if rest > 0 && (!full.is_empty() || !good.is_empty()) {
        parts.push("其余各地活跃度相对较差".into());
    } else if rest > 0 {
        parts.push("各地活跃度普遍较差".into());
    }
    let mut sentence = parts.join("；");
    if !zero.is_empty() {
        let zero_text = format!("{}活跃度为“0”", names(zero.iter().copied()));
        sentence = if sentence.is_empty() { zero_text } else { format!("{sentence}，{zero_text}") };
    }
    if !sentence.is_empty() {
        s.push_str(&sentence);
        s.push('。');
    }
    s.push_str(&departments_activity(&a.departments));
    if !zero.is_empty() || a.departments.iter().any(|d| d.total > 0 && d.active == 0) {
        s.push_str("各地需引起高度重视，尽快提升账号活跃度。");
    }
    s
}

/// The departments' part of section (一): name the active ones when few are, else the idle ones.
fn departments_activity(depts: &[ActivityRow]) -> String {
    let counted: Vec<&ActivityRow> = depts.iter().filter(|d| d.total > 0).collect();
    if counted.is_empty() {
        return String::new();
    }
    let active: Vec<&str> = counted.iter().filter(|d| d.active > 0).map(|d| d.name.as_str()).collect();
    let idle: Vec<&ActivityRow> = counted.iter().filter(|d| d.active == 0).copied().collect();
    let mut kinds: Vec<&str> = Vec::new();
    for d in &idle {
        let k = crate::domains::org::model::department_kind_label(d.department_kind.as_deref().unwrap_or("other"));
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    if idle.is_empty() {
        format!("各职能部门账号均达到活跃标准（{}）。", names(active.iter().copied()))
    } else if active.is_empty() {
        format!("{}账号活跃度均为“0”。", names(kinds.iter().copied()))
    } else if active.len() <= idle.len() {
        format!("除{}以外，其余{}账号活跃度均为“0”。", names(active.iter().copied()), names(kinds.iter().copied()))
    } else {
        format!(
            "{}账号活跃度较好，{}账号活跃度为“0”。",
            names(active.iter().copied()),
            names(idle.iter().map(|d| d.name.as_str()))
        )
    }
}

/// Whether a unit closed at least as many events as arrived (100% and above): closing a backlog
/// with nothing new arriving counts too.
fn at_or_over_full(c: &CompletionRow) -> bool {
    match c.rate {
        Some(r) => r >= 1.0,
        None => c.closed > 0,
    }
}

/// Section (二): event completion.
pub fn completion(f: &BulletinFigures, month: &str) -> String {
    let c = &f.completion;
    let all = whole(&f.area_kind);
    let mut s = format!(
        "{month}{all}受理事件{}件，办结{}件，办结完成率{}",
        c.overall.arrived,
        c.overall.closed,
        c.overall.rate.map(pct).unwrap_or_else(|| "无从计算（当月没有受理事件）".into())
    );
    let closed_now = c.overall.closed as f64;
    let closed_before = c.overall.previous_closed as f64;
    if c.overall.previous_closed > 0 || c.overall.previous_arrived > 0 {
        let moved = if closed_now >= closed_before * 1.2 && closed_now > closed_before {
            "事件办结总量较上月有明显提升"
        } else if closed_now > closed_before {
            "事件办结总量较上月有所提升"
        } else if closed_now == closed_before {
            "事件办结总量与上月持平"
        } else {
            "事件办结总量较上月有所下降"
        };
        s.push_str(&format!("；{moved}（上月办结{}件）", c.overall.previous_closed));
    }
    s.push('。');
    let over: Vec<&str> = c.towns.iter().filter(|t| at_or_over_full(t)).map(|t| t.name.as_str()).collect();
    let under: Vec<&str> =
        c.towns.iter().filter(|t| t.rate.is_some_and(|r| r < 0.5)).map(|t| t.name.as_str()).collect();
    let quiet: Vec<&str> =
        c.towns.iter().filter(|t| t.arrived == 0 && t.closed == 0).map(|t| t.name.as_str()).collect();
    s.push_str(&if over.is_empty() {
        "没有事件办结完成率达到100%的单位".to_owned()
    } else {
        format!("事件办结完成率100%以上的有：{}", names(over.iter().copied()))
    });
    s.push('；');
    s.push_str(&if under.is_empty() {
        "没有事件办结完成率在50%以下的单位".to_owned()
    } else {
        format!("事件办结完成率50%以下的有：{}", names(under.iter().copied()))
    });
    s.push('。');
    if !quiet.is_empty() {
        s.push_str(&format!("{}当月没有受理和办结事件。", names(quiet.iter().copied())));
    }
    s
}

/// Section (三): reports of the key groups and their sign-off.
pub fn key_tasks(f: &BulletinFigures, month: &str) -> String {
    let mut sentences = Vec::new();
    let mut any_bad = false;
    for kind in KEY_KINDS {
        let rows: Vec<&SubmissionRow> = f.submissions.towns.iter().filter(|r| r.kind == kind).collect();
        let depts: Vec<&DepartmentSignRow> = f.submissions.departments.iter().filter(|d| d.kind == kind).collect();
        let label = crate::domains::submissions::model::kind_label(kind);
        let (text, bad) = one_kind(label, &rows, &depts);
        any_bad |= bad;
        sentences.push(text);
    }
    let mut s = month.to_owned();
    s.push_str(&sentences.join("；"));
    s.push('。');
    if any_bad {
        s.push_str(
            "其余各地“三项重点工作”的报送及签收情况均较差，各地仍需加强流动人口、特殊人群、发现治安隐患的信息报送，\
             派出所、司法所、卫生院要及时签收网格员所报送的信息。",
        );
    }
    s
}

/// One key group's sentence, and whether some unit sent nothing or some report waits unsigned.
fn one_kind(label: &str, rows: &[&SubmissionRow], depts: &[&DepartmentSignRow]) -> (String, bool) {
    let sent: i64 = rows.iter().map(|r| r.sent).sum();
    let signed: i64 = rows.iter().map(|r| r.signed).sum();
    let senders: Vec<&&SubmissionRow> = rows.iter().filter(|r| r.sent > 0).collect();
    if sent == 0 {
        return (format!("{label}信息各地网格员均未报送"), true);
    }
    let mut s = if senders.len() <= 2 && rows.len() > 2 {
        let who = senders.iter().map(|r| format!("{}报送了{}条", r.name, r.sent)).collect::<Vec<_>>().join("、");
        format!("{label}信息仅{who}，其余各地网格员均未报送")
    } else {
        // The better half of the units that sent anything (at least one, at most five), by number sent.
        let mut by_sent: Vec<&&SubmissionRow> = senders.clone();
        by_sent.sort_by_key(|r| std::cmp::Reverse(r.sent));
        let take = by_sent.len().div_ceil(2).clamp(1, 5);
        format!(
            "{}{label}信息报送情况相对较好（共报送{sent}条）",
            names(by_sent.iter().take(take).map(|r| r.name.as_str()))
        )
    };
    let well_signed: Vec<&str> =
        senders.iter().filter(|r| r.signed * 5 >= r.sent * 4).map(|r| r.name.as_str()).collect();
    if !well_signed.is_empty() && signed > 0 {
        s.push_str(&format!("，{}报送及签收情况均相对较好", names(well_signed.iter().copied())));
    }
    // The departments' side: who signed, and whether the others signed nothing.
    let signers: Vec<&str> = depts.iter().filter(|d| d.signed > 0).map(|d| d.name.as_str()).collect();
    let receivers = depts.iter().filter(|d| d.received > 0).count();
    let kind_label = depts.first().map(|d| d.department_kind_label.as_str()).unwrap_or("相关部门");
    if signed == 0 {
        s.push_str(&format!("，但{kind_label}均未签收"));
    } else if signers.len() < depts.len() && signers.len() * 2 <= depts.len().max(receivers) {
        s.push_str(&format!("，但仅{}进行了签收，其余{kind_label}签收情况为“0”", names(signers.iter().copied())));
    }
    let waiting: i64 = rows.iter().map(|r| r.waiting).sum();
    if waiting > 0 {
        s.push_str(&format!("，尚有{waiting}条待签收"));
    }
    let bad = senders.len() < rows.len() || waiting > 0 || signed == 0;
    (s, bad)
}

/// The whole narrative: the opening line, the three sections with their headings, one paragraph
/// per line. Headings are lines that start `一、` `二、` `三、`.
pub fn write(f: &BulletinFigures, month: &str) -> String {
    let mut lines = vec![format!(
        "为进一步推进{}网格化服务管理工作，保障、规范网格化服务管理信息系统和手持终端机使用管理，现将{month}{}网格化服务管理工作情况通报如下。",
        f.area_name, f.area_name
    )];
    lines.push("一、各地账户活跃度情况".into());
    lines.push(activity(f, month));
    lines.push("二、事件办结情况".into());
    lines.push(completion(f, month));
    lines.push("三、“三项重点工作”开展情况".into());
    lines.push(key_tasks(f, month));
    lines.push("附表：账号活跃度、事件办结、报送签收情况统计表。".into());
    lines.join("\n")
}

/// Whether a line of the narrative is a section heading (`一、…`).
pub fn is_heading(line: &str) -> bool {
    let mut chars = line.chars();
    matches!(chars.next(), Some('一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'))
        && chars.next() == Some('、')
        && line.chars().count() <= 30
}

#[cfg(test)]
mod tests {
    use super::super::figures::*;
    use super::*;

    fn act(id: i64, name: &str, active: i64, total: i64, prev: Option<f64>) -> ActivityRow {
        ActivityRow {
            area_id: Some(id),
            department_id: None,
            department_kind: None,
            name: name.into(),
            active,
            total,
            rate: crate::domains::activity::model::rate(active, total),
            previous_rate: prev,
        }
    }

    fn dept(id: i64, name: &str, kind: &str, active: i64, total: i64) -> ActivityRow {
        ActivityRow {
            area_id: None,
            department_id: Some(id),
            department_kind: Some(kind.into()),
            ..act(0, name, active, total, None)
        }
    }

    fn done(id: i64, name: &str, arrived: i64, closed: i64) -> CompletionRow {
        CompletionRow {
            area_id: id,
            name: name.into(),
            arrived,
            closed,
            rate: (arrived > 0).then(|| closed as f64 / arrived as f64),
            previous_arrived: 0,
            previous_closed: 0,
            previous_rate: None,
        }
    }

    fn sub(id: i64, name: &str, kind: &str, sent: i64, signed: i64) -> SubmissionRow {
        SubmissionRow {
            area_id: id,
            name: name.into(),
            kind: kind.into(),
            kind_label: crate::domains::submissions::model::kind_label(kind).into(),
            sent,
            signed,
            returned: 0,
            waiting: sent - signed,
        }
    }

    /// A county shaped like the seed's March bulletin.
    fn march() -> BulletinFigures {
        let towns = vec![
            act(1, "宏仁乡", 4, 4, Some(0.5)),
            act(2, "卧龙镇", 3, 4, None),
            act(3, "许州镇", 1, 4, None),
            act(4, "长卿镇", 0, 3, None),
            act(5, "双峰乡", 0, 2, None),
        ];
        let mut subs = Vec::new();
        for (id, name) in [(1, "宏仁乡"), (2, "卧龙镇"), (3, "许州镇"), (4, "长卿镇"), (5, "双峰乡")] {
            for kind in KEY_KINDS {
                let (sent, signed) = match (kind, id) {
                    ("floating", 1) => (6, 6),
                    ("floating", 2) => (5, 0),
                    ("floating", 3) => (2, 0),
                    ("drug_user", 2) => (4, 0),
                    _ => (0, 0),
                };
                subs.push(sub(id, name, kind, sent, signed));
            }
        }
        BulletinFigures {
            area_id: 100,
            area_name: "演示县".into(),
            area_kind: "county".into(),
            month: "2026-03".into(),
            previous_month: "2026-02".into(),
            activity: ActivitySection {
                min_days: 20,
                overall: ActivityRow { previous_rate: Some(0.2), ..act(100, "演示县", 8, 17, None) },
                towns,
                departments: vec![
                    dept(11, "宏仁派出所", "police_station", 1, 1),
                    dept(12, "卧龙派出所", "police_station", 0, 1),
                    dept(13, "许州司法所", "justice_office", 0, 1),
                    dept(14, "长卿卫生院", "health_center", 0, 2),
                ],
                idle_accounts: 5,
            },
            completion: CompletionSection {
                overall: done(100, "演示县", 20, 19),
                towns: vec![
                    done(1, "宏仁乡", 4, 4),
                    done(2, "卧龙镇", 5, 7),
                    done(3, "许州镇", 6, 2),
                    done(4, "长卿镇", 5, 6),
                    done(5, "双峰乡", 0, 0),
                ],
            },
            submissions: SubmissionSection {
                towns: subs,
                departments: vec![
                    DepartmentSignRow {
                        department_id: 11,
                        name: "宏仁派出所".into(),
                        department_kind: "police_station".into(),
                        department_kind_label: "派出所".into(),
                        kind: "floating".into(),
                        kind_label: "流动人口".into(),
                        received: 6,
                        signed: 6,
                        waiting: 0,
                    },
                    DepartmentSignRow {
                        department_id: 12,
                        name: "卧龙派出所".into(),
                        department_kind: "police_station".into(),
                        department_kind_label: "派出所".into(),
                        kind: "floating".into(),
                        kind_label: "流动人口".into(),
                        received: 7,
                        signed: 0,
                        waiting: 7,
                    },
                ],
            },
        }
    }

    #[test]
    fn activity_names_the_full_the_good_and_the_zero_units() {
        let t = activity(&march(), "3月份");
        assert!(t.starts_with("3月份全县账号活跃度总体为47.1%（已开通账号17个，当月活跃20天及以上的8个），较上月有明显提升（上月20%）。"), "{t}");
        assert!(
            t.contains(
                "宏仁乡活跃度达到100%；卧龙镇活跃度相对较好；其余各地活跃度相对较差，长卿镇、双峰乡活跃度为“0”。"
            ),
            "{t}"
        );
        // One of four departments active: the bulletin names the exception, then the idle kinds.
        assert!(t.contains("除宏仁派出所以外，其余派出所、司法所、卫生院账号活跃度均为“0”。"), "{t}");
        assert!(t.ends_with("各地需引起高度重视，尽快提升账号活跃度。"));
        assert!(!t.contains('{') && !t.contains("None") && !t.contains("NaN"));
    }

    #[test]
    fn completion_lists_units_at_or_over_100_and_under_50() {
        let t = completion(&march(), "3月份");
        assert!(t.starts_with("3月份全县受理事件20件，办结19件，办结完成率95%。"), "{t}");
        // 4/4 = 100% and 7/5 = 140% and 6/5 = 120% are "100%以上"; 2/6 = 33% is under 50%.
        assert!(
            t.contains("事件办结完成率100%以上的有：宏仁乡、卧龙镇、长卿镇；事件办结完成率50%以下的有：许州镇。"),
            "{t}"
        );
        assert!(t.contains("双峰乡当月没有受理和办结事件。"), "{t}");
        let mut none = march();
        none.completion.towns = vec![done(1, "宏仁乡", 4, 3)];
        let t = completion(&none, "3月份");
        assert!(t.contains("没有事件办结完成率达到100%的单位；没有事件办结完成率在50%以下的单位。"), "{t}");
        // A backlog closed with nothing new arriving counts as over 100%.
        none.completion.towns = vec![done(1, "宏仁乡", 0, 2)];
        assert!(completion(&none, "3月份").contains("100%以上的有：宏仁乡"));
    }

    #[test]
    fn key_tasks_name_who_reported_and_who_signed() {
        let t = key_tasks(&march(), "3月份");
        assert!(t.contains("宏仁乡、卧龙镇流动人口信息报送情况相对较好（共报送13条），宏仁乡报送及签收情况均相对较好，但仅宏仁派出所进行了签收，其余派出所签收情况为“0”，尚有7条待签收"), "{t}");
        assert!(t.contains("吸毒人员信息仅卧龙镇报送了4条，其余各地网格员均未报送"), "{t}");
        assert!(t.contains("严重精神障碍患者信息各地网格员均未报送"), "{t}");
        assert!(t.contains("其余各地“三项重点工作”的报送及签收情况均较差"));
    }

    #[test]
    fn the_whole_narrative_has_three_headed_sections() {
        let f = march();
        let text = write(&f, "3月份");
        let headings: Vec<&str> = text.lines().filter(|l| is_heading(l)).collect();
        assert_eq!(headings, ["一、各地账户活跃度情况", "二、事件办结情况", "三、“三项重点工作”开展情况"]);
        assert!(text.starts_with("为进一步推进演示县网格化服务管理工作"));
        assert!(!is_heading("一、这一行是很长的正文而不是标题，因为它超过了三十个字，所以不能算作标题行。"));
    }

    #[test]
    fn a_county_without_accounts_says_so() {
        let mut f = march();
        f.activity.overall = act(100, "演示县", 0, 0, None);
        assert_eq!(activity(&f, "3月份"), "3月份全县尚未开通业务账号，无法统计账号活跃度。");
    }
}
