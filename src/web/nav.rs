//! The navigation by role, in one table: the few pages a role opens every day (first in the header,
//! and the big buttons of the home page), then the rest of what it may open in grouped menus.
//!
//! An item is offered only when the route table lets the role open it (`Access::allows`), so the
//! header never links to a refusal; `NOT_OFFERED` names the pages a role may open but has no use for.

use super::routes::Access;
use crate::auth::Role;
use std::collections::HashMap;
use std::sync::OnceLock;

/// One page of the navigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item {
    /// A short name for element ids (`home-KEY` on the home page).
    pub key: &'static str,
    pub href: &'static str,
    pub label: &'static str,
    /// One line saying what the page is for (under the home page's buttons).
    pub hint: &'static str,
}

/// A menu of the header (a `<details>` box: works without script and on a phone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub label: &'static str,
    pub items: Vec<Item>,
}

/// What one role's header offers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Nav {
    /// The daily pages, in the order the role uses them.
    pub daily: Vec<Item>,
    /// Everything else the role may open, by subject; no menu is empty.
    pub groups: Vec<Group>,
}

const fn it(key: &'static str, href: &'static str, label: &'static str, hint: &'static str) -> Item {
    Item { key, href, label, hint }
}

/// Every page the navigation offers, in the menus' order.
const GROUPS: &[(&str, &[Item])] = &[
    (
        "事件",
        &[
            it("todo", "/todo", "待办事件", "等您签收、办理、核查的事件"),
            it("report", "/events/new", "上报事件", "拍照、定位，报一件新事件"),
            it("events", "/events", "事件查询", "按状态、类别、网格查事件"),
            it("supervisions", "/supervisions", "督办", "超时和挂牌督办的事件"),
            it("notifications", "/notifications", "通知", "交办、督办、退回的提醒"),
            it("submissions", "/submissions", "报送签收", "下级报送、上级签收"),
            it("event-stats", "/stats/events", "事件统计", "办结率、结案率、按期结案率"),
        ],
    ),
    (
        "人口房屋",
        &[
            it("people", "/people", "实有人口", "查人、登记、迁出"),
            it("houses", "/houses", "实有房屋", "房屋和住在那里的人"),
            it("households", "/households", "户", "户和成员"),
            it("rentals", "/rentals", "出租房屋", "出租房和承租人"),
            it("places", "/places", "重点场所", "学校、诊所、网吧等场所"),
            it("transfers", "/transfers", "迁入迁出", "确认或申请人员迁移"),
            it("ledgers", "/ledgers", "台账", "各类人员、房屋的数字"),
        ],
    ),
    (
        "巡查走访",
        &[
            it("field", "/field/", "手机外勤", "没有信号也能登记、上报"),
            it("patrols", "/field/patrol", "日巡查", "签到、巡查、记下发现"),
            it("visits", "/visits", "走访记录", "走访户和特殊人群"),
            it("visits-overdue", "/visits/overdue", "走访逾期", "到期没走访的档案"),
            it("huddles", "/huddles", "日碰头会", "当天的问题、决定和跟进人"),
        ],
    ),
    (
        "督导考核",
        &[
            it("dashboard", "/dashboard", "驾驶舱", "辖区数字和地图"),
            it("bulletins", "/bulletins", "月度通报", "生成、修改、发布通报"),
            it("assessment", "/assessment", "考核排名", "各单位得分和排名"),
            it("activity", "/activity", "账号活跃度", "各单位账号用了多少天"),
            it("patrol-figures", "/patrols/figures", "巡查统计", "巡查天数、时长、里程"),
        ],
    ),
    (
        "组织机构",
        &[
            it("areas", "/areas", "区域网格", "区域树、网格和地图"),
            it("staff", "/staff", "工作人员", "网格员、任职和照片"),
            it("departments", "/departments", "职能部门", "派出所、司法所等部门"),
            it("accounts", "/accounts", "账号管理", "新建、锁定、解锁账号"),
        ],
    ),
    (
        "设置",
        &[
            it("audit", "/audit", "审计记录", "谁在什么时候做了什么"),
            it("settings-events", "/settings/events", "事件设置", "类别时限和工作日历"),
            it("settings-supervision", "/settings/supervision", "督导设置", "活跃度、巡查、考核规则"),
            it("settings-open311", "/settings/open311", "Open311 接入", "第三方应用的接入密钥"),
        ],
    ),
];

/// The pages each role opens every day, first in the header and on the home page.
fn daily(role: Role) -> &'static [&'static str] {
    match role {
        Role::GridWorker | Role::GridLeader => &["/field/", "/todo", "/events/new", "/field/patrol", "/people"],
        Role::CommunityStaff => &["/todo", "/huddles", "/events/new", "/people", "/dashboard"],
        Role::TownCenter => &["/dashboard", "/todo", "/supervisions", "/huddles", "/bulletins"],
        Role::CountyCenter => &["/dashboard", "/todo", "/supervisions", "/bulletins", "/assessment"],
        Role::DepartmentHandler => &["/todo", "/events", "/people", "/notifications"],
        Role::CountyViewer => &["/dashboard", "/events", "/bulletins", "/assessment"],
        Role::SystemAdmin => &["/areas", "/staff", "/departments", "/accounts"],
        Role::SecurityAdmin => &["/accounts"],
        Role::AuditAdmin => &["/audit"],
    }
}

/// A daily page whose line on the home page reads differently for a role.
const HINTS: &[(Role, &str, &str)] = &[
    (Role::DepartmentHandler, "/people", "有本部门签收的特殊人群档案的人"),
    (Role::DepartmentHandler, "/todo", "交办给本部门、等您签收和办理的事件"),
    (Role::CountyViewer, "/events", "全县的事件和办理进度（只读）"),
];

/// Pages a role may open that its navigation leaves out, and why.
pub const NOT_OFFERED: &[(Role, &str, &str)] = &[
    (Role::GridWorker, "/huddles", "碰头会由社区召开，网格员的辖区里没有社区可选"),
    (Role::GridLeader, "/huddles", "碰头会由社区召开，网格长的辖区里没有社区可选"),
    (Role::GridWorker, "/bulletins", "月度通报按县或乡镇生成，网格的账号看不到上级的通报"),
    (Role::GridLeader, "/bulletins", "月度通报按县或乡镇生成，网格的账号看不到上级的通报"),
    (Role::CommunityStaff, "/bulletins", "月度通报按县或乡镇生成，社区的账号看不到上级的通报"),
];

/// Who may open each GET page of the route table.
fn page_access(path: &str) -> Option<Access> {
    static TABLE: OnceLock<HashMap<&'static str, Access>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            super::route_table().into_iter().filter(|r| r.method == "GET").map(|r| (r.path, r.access)).collect()
        })
        .get(path)
        .copied()
}

fn offered(role: Role, href: &str) -> bool {
    page_access(href).is_some_and(|a| a.allows(role)) && !NOT_OFFERED.iter().any(|(r, h, _)| *r == role && *h == href)
}

fn find(href: &str) -> Option<Item> {
    GROUPS.iter().flat_map(|(_, items)| items.iter()).find(|i| i.href == href).copied()
}

/// The navigation of a role.
pub fn for_role(role: Role) -> Nav {
    let daily: Vec<Item> = daily(role)
        .iter()
        .filter(|h| offered(role, h))
        .filter_map(|h| find(h))
        .map(|i| match HINTS.iter().find(|(r, h, _)| *r == role && *h == i.href) {
            Some((_, _, hint)) => Item { hint, ..i },
            None => i,
        })
        .collect();
    let groups = GROUPS
        .iter()
        .map(|(label, items)| Group {
            label,
            items: items
                .iter()
                .filter(|i| offered(role, i.href) && !daily.iter().any(|d| d.href == i.href))
                .copied()
                .collect(),
        })
        .filter(|g| !g.items.is_empty())
        .collect();
    Nav { daily, groups }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::role::ALL_ROLES;

    #[test]
    fn every_item_is_a_page_of_the_route_table_and_daily_items_are_few() {
        for (_, items) in GROUPS {
            for i in *items {
                assert!(page_access(i.href).is_some(), "{} is not a GET route", i.href);
            }
        }
        for role in ALL_ROLES {
            let nav = for_role(role);
            assert!(!nav.daily.is_empty() && nav.daily.len() <= 5, "{role:?}: {:?}", nav.daily);
            assert_eq!(nav.daily.len(), daily(role).len(), "{role:?} may open each of its daily pages");
        }
    }
}
