//! Navigation by role (issue 22.11): each role's header starts with the few pages it opens every day,
//! then menus for the rest; it links to nothing the role cannot open and leaves out nothing it can
//! (but the pages reached from another page); the home page shows the daily pages as big buttons
//! instead of repeating the whole navigation.

use crate::helpers::*;
use axum::http::{Method, StatusCode};
use wangge::auth::Role::{self, *};

/// What this test expects each role to do every day (after 首页), in order.
const DAILY: &[(Role, &[&str])] = &[
    (GridWorker, &["/field/", "/todo", "/events/new", "/field/patrol", "/people"]),
    (GridLeader, &["/field/", "/todo", "/events/new", "/field/patrol", "/people"]),
    (CommunityStaff, &["/todo", "/huddles", "/events/new", "/people", "/dashboard"]),
    (TownCenter, &["/dashboard", "/todo", "/supervisions", "/huddles", "/bulletins"]),
    (CountyCenter, &["/dashboard", "/todo", "/supervisions", "/bulletins", "/assessment"]),
    (DepartmentHandler, &["/todo", "/events", "/people", "/notifications"]),
    (CountyViewer, &["/dashboard", "/events", "/bulletins", "/assessment"]),
    (SystemAdmin, &["/areas", "/staff", "/departments", "/accounts"]),
    (SecurityAdmin, &["/accounts"]),
    (AuditAdmin, &["/audit"]),
];

/// Pages without a path parameter that are reached from another page, not from the header.
const ELSEWHERE: &[&str] = &[
    "/",
    "/login",
    "/account",
    "/account/password",
    "/account/totp",
    "/field",
    "/people/new",
    "/people/import",
    "/houses/new",
    "/households/new",
    "/rentals/new",
    "/places/new",
    "/staff/new",
    "/bulletins/print",
    "/huddles/print",
    "/patrols", // forwards old bookmarks to the field app's patrol screen
    "/healthz",
    "/favicon.ico",
];

/// Pages a role may open that its header leaves out on purpose.
/// (碰头会 and 月度通报 are kept by communities and towns: below them the pages have nothing to show.)
const NOT_OFFERED: &[(Role, &str)] = &[
    (GridWorker, "/huddles"),
    (GridLeader, "/huddles"),
    (GridWorker, "/bulletins"),
    (GridLeader, "/bulletins"),
    (CommunityStaff, "/bulletins"),
];

/// The header's navigation of a page: the daily links (after 首页) and each menu with its links.
fn parse_nav(html: &str) -> (Vec<String>, Vec<(String, Vec<String>)>) {
    let start = html.find("<nav id=\"nav\"").expect("the page has the navigation");
    let nav = &html[start..start + html[start..].find("</nav>").expect("</nav>")];
    let hrefs = |s: &str, marker: &str| -> Vec<String> {
        s.split(marker).skip(1).map(|p| p.split('"').next().unwrap_or("").to_owned()).collect()
    };
    let head = nav.split("<details").next().unwrap_or("");
    let daily: Vec<String> = hrefs(head, "<a class=\"daily\" href=\"").into_iter().filter(|h| h != "/").collect();
    let menus = nav
        .split("<details class=\"menu\"><summary>")
        .skip(1)
        .map(|m| {
            let label = m.split("</summary>").next().unwrap_or("").to_owned();
            (label, hrefs(m.split("</details>").next().unwrap_or(""), "<a href=\""))
        })
        .collect();
    (daily, menus)
}

async fn sessions(app: &TestApp, t: &Tree) -> Vec<(Role, Session)> {
    let mut v = Vec::new();
    for (role, _) in DAILY {
        let bind = match role {
            GridWorker | GridLeader => Bind::Area(t.grid_a1_1),
            CommunityStaff => Bind::Area(t.comm_a1),
            TownCenter => Bind::Area(t.town_a),
            DepartmentHandler => Bind::Department(t.dept_a),
            _ => Bind::Area(t.county),
        };
        v.push((*role, app.demo_session(&format!("nav_{}", role.as_str()), *role, bind).await));
    }
    v
}

#[tokio::test]
async fn each_role_sees_its_daily_pages_first_then_menus_of_everything_else_it_may_open() {
    let (app, t, _admin) = TestApp::with_tree().await;
    let table = wangge::web::route_table();
    let mut refused = Vec::new();
    for (role, s) in sessions(&app, &t).await {
        let home = app.call(Method::GET, "/", &s, None).await;
        assert_eq!(home.status, StatusCode::OK, "{role:?}");
        let html = home.text();
        let (daily, menus) = parse_nav(&html);
        let want = DAILY.iter().find(|(r, _)| *r == role).map(|(_, d)| *d).unwrap_or_default();
        assert_eq!(daily, want, "{role:?}: the daily pages, in order");
        assert!(html.contains("<a class=\"who\" href=\"/account\""), "{role:?}: the name leads to 我的账号");

        let mut all: Vec<String> = daily.clone();
        for (label, items) in &menus {
            assert!(!items.is_empty(), "{role:?}: menu {label} is empty");
            all.extend(items.iter().cloned());
        }
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), all.len(), "{role:?}: a page is offered twice: {all:?}");

        // Nothing the role cannot open.
        for href in &all {
            let r = app.call(Method::GET, href, &s, None).await;
            if r.status != StatusCode::OK {
                refused.push(format!("{role:?} is offered {href}: {} {}", r.status, first_message(&r.text())));
            }
        }
        // Nothing it can open left out, but the pages reached from another page.
        for r in table.iter().filter(|r| r.method == "GET" && r.access.allows(role)) {
            let p = r.path;
            let skip = p.contains('{')
                || ["/api/", "/static/", "/open311/", "/public/"].iter().any(|x| p.starts_with(x))
                || (p.starts_with("/field/") && p != "/field/")
                || ELSEWHERE.contains(&p)
                || NOT_OFFERED.contains(&(role, p));
            if !skip {
                assert!(
                    all.iter().any(|h| h == p),
                    "{role:?} may open {p} ({}) but the header does not offer it",
                    r.summary
                );
            }
        }
        for (r, p) in NOT_OFFERED.iter().filter(|(r, _)| *r == role) {
            assert!(!all.iter().any(|h| h == p), "{r:?} is not offered {p}");
        }

        // The home page: the daily pages as big buttons, not the whole navigation again.
        let main = &html[html.find("<main>").expect("<main>")..];
        let tiles: Vec<String> = main
            .split("<a class=\"tile\" ")
            .skip(1)
            .map(|p| p.split("href=\"").nth(1).and_then(|h| h.split('"').next()).unwrap_or("").to_owned())
            .collect();
        assert_eq!(tiles, want, "{role:?}: the home page's buttons are the daily pages");
        for (_, items) in &menus {
            for href in items {
                assert!(!main.contains(&format!("href=\"{href}\"")), "{role:?}: the home page repeats {href}");
            }
        }
    }
    assert!(refused.is_empty(), "{refused:#?}");
}

/// The message of an error page.
fn first_message(html: &str) -> &str {
    html.split("role=\"alert\">").nth(1).and_then(|m| m.split('<').next()).unwrap_or("")
}

#[tokio::test]
async fn the_home_page_shows_the_figures_of_the_daily_pages() {
    let (app, t, _admin) = TestApp::with_tree().await;
    let w = app.demo_session("navw", GridWorker, Bind::Area(t.grid_a1_1)).await;
    let html = app.call(Method::GET, "/", &w, None).await.text();
    assert!(html.contains("id=\"home-todo\" href=\"/todo\""), "{html}");
    assert!(html.contains("待办事件 <b class=\"count\">0 件</b>"), "{html}");
    assert!(html.contains("id=\"home-report\" href=\"/events/new\""), "{html}");
    assert!(html.contains("添加到主屏幕"), "grid workers are told how to install the field app");
    assert!(html.contains("查人、登记、迁出"), "{html}");
    // A department's register is the people of its special-population files, and the button says so.
    let d = app.demo_session("navd", DepartmentHandler, Bind::Department(t.dept_a)).await;
    let html = app.call(Method::GET, "/", &d, None).await.text();
    assert!(html.contains("有本部门签收的特殊人群档案的人") && !html.contains("查人、登记、迁出"), "{html}");
    // An account that still owes its password change sees no navigation, only 退出.
    app.insert_account("navnew", GridWorker, Bind::Area(t.grid_a1_1), true, false).await;
    let fresh = app.login("navnew", PASSWORD).await;
    let r = app.call(Method::GET, "/account/password", &fresh, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.text().contains("<nav id=\"nav\""), "{}", r.text());
}
