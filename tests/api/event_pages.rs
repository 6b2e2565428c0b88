//! The pages of the closed loop: the report form (multipart with photos, re-shown with Chinese errors
//! and nothing written when wrong), the to-do lists, the event page with one form per action (a refused
//! action shows its reason), grid assignment, notifications, settings, and the scope of the event page.

use crate::fixtures::{County, Login, Who, garbage, report};
use crate::helpers::*;
use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use wangge::auth::Role::*;

async fn setup() -> County {
    County::new(&[Who::Worker, Who::WorkerB, Who::Community, Who::Police], Login::Cookie).await
}

async fn page(app: &TestApp, s: &Session, path: &str) -> (StatusCode, String) {
    let r = app.call(Method::GET, path, s, None).await;
    (r.status, r.text())
}

/// A multipart form as a browser sends it: text fields, then `photos` files (an empty one when none chosen).
async fn post_multipart(app: &TestApp, s: &Session, path: &str, pairs: &[(&str, &str)], photos: &[&[u8]]) -> Resp {
    let boundary = "----wanggePageBoundary";
    let mut body = Vec::new();
    for (k, v) in pairs {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    let empty: &[u8] = &[];
    let files: Vec<(&str, &[u8])> =
        if photos.is_empty() { vec![("", empty)] } else { photos.iter().map(|p| ("scene.png", *p)).collect() };
    for (name, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = app
        .request(Method::POST, path, s)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .expect("request");
    app.send(req).await
}

/// The event id a redirect after reporting points at.
fn event_of(r: &Resp) -> i64 {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let loc = r.header("location");
    assert!(loc.ends_with("?msg=reported"), "{loc}");
    loc.trim_start_matches("/events/").split('?').next().unwrap().parse().expect("event id")
}

async fn report_json(app: &TestApp, s: &Session, title: &str) -> i64 {
    report(app, s, garbage(title)).await
}

async fn version(app: &TestApp, s: &Session, id: i64) -> String {
    let (_, v) = app.get(s, &format!("/api/v1/events/{id}")).await;
    v["version"].as_i64().unwrap().to_string()
}

async fn act(app: &TestApp, s: &Session, id: i64, pairs: &[(&str, &str)]) -> Resp {
    let v = version(app, s, id).await;
    let mut all = vec![("version", v.as_str())];
    all.extend_from_slice(pairs);
    app.post_form(s, &format!("/events/{id}/actions"), &all).await
}

#[track_caller]
fn redirected_to(r: &Resp, to: &str) {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.header("location"), to);
}

#[tokio::test]
async fn pages_render_for_a_grid_worker_community_staff_and_department_handler() {
    let p = setup().await;
    let app = &p.app;
    let id = report_json(app, p.worker(), "幸福小区东门垃圾满溢").await;

    // The grid worker: home links to the to-do list with its count, the form, the lists, the event.
    let (st, home) = page(app, p.worker(), "/").await;
    assert_eq!(st, StatusCode::OK);
    assert!(home.contains(r#"待办事件 <b class="count">1 件</b>"#), "{home}");
    assert!(home.contains("href=\"/events/new\""));
    let (st, form) = page(app, p.worker(), "/events/new").await;
    assert_eq!(st, StatusCode::OK);
    for text in [
        "上报事件",
        "事情经过",
        "具体地点",
        "涉及人数",
        "当事人",
        "网格内自行处置",
        "嫩水第一网格",
        "capture=\"environment\" multiple",
    ] {
        assert!(form.contains(text), "{text}");
    }
    let (st, todo) = page(app, p.worker(), "/todo").await;
    assert_eq!(st, StatusCode::OK);
    assert!(todo.contains("幸福小区东门垃圾满溢") && todo.contains("期限 2026-03-02 14:00"), "{todo}");
    let (_, mine) = page(app, p.worker(), "/todo?list=mine").await;
    assert!(mine.contains("幸福小区东门垃圾满溢"));
    let (_, done) = page(app, p.worker(), "/todo?list=done").await;
    assert!(done.contains("还没有办理过事件"));
    let (st, ev) = page(app, p.worker(), &format!("/events/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    for text in [
        "幸福小区东门垃圾满溢",
        "暴露垃圾",
        "事情经过",
        "嫩水路幸福小区东门",
        "办理过程",
        "id=\"act-accept-submit\"",
        "上报",
    ] {
        assert!(ev.contains(text), "{text}: {ev}");
    }
    let (st, _) = page(app, p.worker(), "/settings/events").await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // Community staff: the filtered list, the event with supervision and urging (the grid holds it).
    let (st, list) = page(
        app,
        p.community(),
        "/events?state=reported&category=04&card=&overdue=&from=2026-03-01&to=2026-03-02&area=",
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(list.contains("幸福小区东门垃圾满溢") && list.contains("共 1 件"), "{list}");
    let (_, none) = page(app, p.community(), "/events?card=red").await;
    assert!(none.contains("没有符合条件的事件"));
    let (_, overdue) = page(app, p.community(), "/events?overdue=1").await;
    assert!(overdue.contains("共 0 件"));
    let (st, ev) = page(app, p.community(), &format!("/events/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(ev.contains("id=\"act-supervise\"") && ev.contains("id=\"act-urge-submit\""), "{ev}");
    assert!(!ev.contains("id=\"act-accept-submit\""));

    // The department sees nothing until it is sent the event; then it is in its to-do list.
    let (st, _) = page(app, p.police(), &format!("/events/{id}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, todo) = page(app, p.police(), "/todo").await;
    assert_eq!(st, StatusCode::OK);
    assert!(todo.contains("没有待办的事件"));
    redirected_to(
        &act(app, p.worker(), id, &[("action", "escalate"), ("note", "需要社区协调")]).await,
        &format!("/events/{id}?msg=escalate"),
    );
    redirected_to(&act(app, p.community(), id, &[("action", "accept")]).await, &format!("/events/{id}?msg=accept"));
    let (_, ev) = page(app, p.community(), &format!("/events/{id}")).await;
    assert!(ev.contains("鹤山派出所") && ev.contains("嫩水第一网格"), "dispatch targets: {ev}");
    let target = format!("department:{}", p.tree.dept_a);
    let r = act(app, p.community(), id, &[("action", "dispatch"), ("target", &target), ("note", "请派出所处理")]).await;
    redirected_to(&r, &format!("/events/{id}?msg=dispatch"));
    let (_, todo) = page(app, p.police(), "/todo").await;
    assert!(todo.contains("幸福小区东门垃圾满溢"), "{todo}");
    let (st, ev) = page(app, p.police(), &format!("/events/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(ev.contains("id=\"act-accept-submit\"") && ev.contains("id=\"act-return\""), "{ev}");
    let (st, n) = page(app, p.police(), "/notifications").await;
    assert_eq!(st, StatusCode::OK);
    assert!(n.contains("交办：幸福小区东门垃圾满溢") && n.contains("未读 1 条"), "{n}");
    let (st, home) = page(app, p.police(), "/").await;
    assert_eq!(st, StatusCode::OK);
    assert!(home.contains("1 条未读"), "{home}");
}

#[tokio::test]
async fn the_report_form_creates_with_photos_and_redirects_to_the_event() {
    let p = setup().await;
    let app = &p.app;
    let png = tiny_png();
    let r = post_multipart(
        app,
        p.worker(),
        "/events",
        &[
            ("category", "0102"),
            ("title", "三栋邻里漏水纠纷"),
            ("severity", "major"),
            ("what", "楼上卫生间漏水到楼下，两家多次争吵"),
            ("where", "嫩水路 12 号 3 栋"),
            ("when", "2026-03-01T20:30"),
            ("who", "张某、李某"),
            ("how_many", "4"),
            ("parties", "张某（楼上）、李某（楼下）"),
            ("mediation_method", "people"),
            ("mediation_outcome", ""),
            ("address", "嫩水路 12 号"),
            ("lon", ""),
            ("lat", ""),
            ("grid_id", &p.tree.grid_a1_1.to_string()),
        ],
        &[&png],
    )
    .await;
    let id = event_of(&r);
    let (st, ev) = page(app, p.worker(), &format!("/events/{id}?msg=reported")).await;
    assert_eq!(st, StatusCode::OK);
    for text in [
        "事件已上报",
        "三栋邻里漏水纠纷",
        "较大",
        "邻里纠纷",
        "2026-03-01 20:30",
        "张某（楼上）",
        "人民调解",
        "处置前照片",
        "待受理",
    ] {
        assert!(ev.contains(text), "{text}: {ev}");
    }
    let (_, v) = app.get(p.worker(), &format!("/api/v1/events/{id}")).await;
    assert_eq!(v["photos"].as_array().unwrap().len(), 1);
    assert_eq!(v["details"]["how_many"], 4);
    let url = format!("/api/v1/events/{id}/photos/{}", v["photos"][0]["file_id"].as_str().unwrap());
    assert!(ev.contains(&url));
    assert_eq!(app.call(Method::GET, &url, p.worker(), None).await.status, StatusCode::OK);

    // Handled in the grid: accepted at once; no photo chosen (an empty file part) is fine.
    let r = post_multipart(
        app,
        p.worker(),
        "/events",
        &[
            ("category", "0401"),
            ("title", "东门垃圾满溢"),
            ("what", "小区东门垃圾桶满溢三天无人清运"),
            ("where", "东门"),
            ("grid_id", &p.tree.grid_a1_1.to_string()),
            ("handle_in_place", "1"),
        ],
        &[],
    )
    .await;
    let id = event_of(&r);
    let (_, v) = app.get(p.worker(), &format!("/api/v1/events/{id}")).await;
    assert_eq!(v["state"], "accepted");
    assert_eq!(v["photos"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_bad_report_is_shown_again_with_chinese_errors_and_nothing_is_written() {
    let p = setup().await;
    let app = &p.app;
    let png = tiny_png();
    let fields = [
        ("category", "0102"),
        ("title", "纠纷"),
        ("what", "吵架"),
        ("where", ""),
        ("who", ""),
        ("how_many", ""),
        ("address", "嫩水路 8 号"),
        ("grid_id", ""),
    ];
    let r = post_multipart(app, p.worker(), "/events", &fields, &[&png]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    for text in [
        "请修改下面标出的",
        "标题至少 4 个字",
        "请把事情经过写清楚",
        "请填写具体地点",
        "请填写涉及人员",
        "请填写涉及人数",
        "矛盾纠纷请填写当事人",
        "照片需要重新选择",
        "value=\"嫩水路 8 号\"",
        "<option value=\"0102\" data-dispute=\"true\" data-required=\"what,where,who,how_many\" selected>",
    ] {
        assert!(html.contains(text), "{text}: {html}");
    }
    // The dispute fields are open again for a dispute.
    assert!(html.contains("<fieldset id=\"dispute-fields\">"), "{html}");
    // A number that is not a number.
    let r = post_multipart(
        app,
        p.worker(),
        "/events",
        &[
            ("category", "0401"),
            ("title", "垃圾满溢无人清运"),
            ("what", "小区东门垃圾桶满溢三天无人清运"),
            ("where", "东门"),
            ("how_many", "很多"),
            ("lon", "东经"),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("涉及人数请填写数字") && html.contains("经度请填写数字"), "{html}");
    assert!(!html.contains("照片需要重新选择"));
    // A file that is not a photo.
    let r = post_multipart(
        app,
        p.worker(),
        "/events",
        &[
            ("category", "0401"),
            ("title", "垃圾满溢无人清运"),
            ("what", "小区东门垃圾桶满溢三天无人清运"),
            ("where", "东门"),
        ],
        &[b"not an image at all"],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("照片只能是 JPEG、PNG 或 WebP 图片"), "{}", r.text());
    let (_, list) = app.get(p.community(), "/api/v1/events").await;
    assert_eq!(list["total"], 0, "{list}");
    assert!(app.audit_rows("event_reported").await.is_empty());
}

#[tokio::test]
async fn action_forms_carry_the_loop_and_refusals_show_their_reason() {
    let p = setup().await;
    let app = &p.app;
    let id = report_json(app, p.worker(), "垃圾满溢无人清运").await;
    let at = format!("/events/{id}");

    // Not the holder: 409 and the page says why, in Chinese.
    let r = act(app, p.community(), id, &[("action", "accept")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("只有当前承办单位才能签收受理"), "{}", r.text());
    assert!(r.text().contains("办理过程"), "the event page is shown again");
    // Accepted; escalating without a note is refused with the field named.
    redirected_to(&act(app, p.worker(), id, &[("action", "accept")]).await, &format!("{at}?msg=accept"));
    let (_, ev) = page(app, p.worker(), &format!("{at}?msg=accept")).await;
    assert!(ev.contains("已签收受理"));
    let r = act(app, p.worker(), id, &[("action", "escalate"), ("note", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("请填写说明") && r.text().contains("open id=\"act-escalate-box\""), "{}", r.text());
    // A grid may not dispatch.
    let r = act(app, p.worker(), id, &[("action", "dispatch"), ("target", "department:1"), ("note", "x")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("网格不能交办"));
    // An old version: someone else acted first.
    let r = app
        .post_form(p.worker(), &format!("{at}/actions"), &[("action", "escalate"), ("note", "再报"), ("version", "1")])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("请刷新后重试"));

    redirected_to(
        &act(app, p.worker(), id, &[("action", "escalate"), ("note", "需要社区协调物业")]).await,
        &format!("{at}?msg=escalate"),
    );
    redirected_to(&act(app, p.community(), id, &[("action", "accept")]).await, &format!("{at}?msg=accept"));
    // Extension: the days must be a number.
    let r = act(app, p.community(), id, &[("action", "extend"), ("days", "两天"), ("note", "等资料")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("延期天数请填写数字"));
    let target = format!("department:{}", p.tree.dept_a);
    redirected_to(
        &act(app, p.community(), id, &[("action", "dispatch"), ("target", &target), ("note", "请派出所协助")]).await,
        &format!("{at}?msg=dispatch"),
    );
    redirected_to(&act(app, p.police(), id, &[("action", "accept")]).await, &format!("{at}?msg=accept"));
    // Completing with a photo (multipart, the version in the form).
    let v = version(app, p.police(), id).await;
    let png = tiny_png();
    let r = post_multipart(
        app,
        p.police(),
        &format!("{at}/actions"),
        &[("action", "complete"), ("version", &v), ("note", "已联系物业清运完毕")],
        &[&png],
    )
    .await;
    redirected_to(&r, &format!("{at}?msg=complete"));
    redirected_to(
        &act(app, p.worker(), id, &[("action", "verify"), ("note", "现场已清理")]).await,
        &format!("{at}?msg=verify"),
    );
    redirected_to(&act(app, p.community(), id, &[("action", "close")]).await, &format!("{at}?msg=close"));
    let (_, ev) = page(app, p.worker(), &at).await;
    assert!(ev.contains("id=\"act-evaluate\"") && ev.contains("5 非常满意"), "{ev}");
    redirected_to(
        &act(app, p.worker(), id, &[("action", "evaluate"), ("satisfaction", "5")]).await,
        &format!("{at}?msg=evaluate"),
    );
    let (_, ev) = page(app, p.worker(), &at).await;
    for text in [
        "已评价",
        "5 / 5",
        "处置后照片",
        "已联系物业清运完毕",
        "受理用时",
        "办理用时",
        "（时限",
        "承办：鹤山派出所",
        "交办",
    ] {
        assert!(ev.contains(text), "{text}: {ev}");
    }
    assert!(!ev.contains("id=\"event-actions\""), "nothing left to do");
    let (_, done) = page(app, p.police(), "/todo?list=done").await;
    assert!(done.contains("垃圾满溢无人清运"));
}

#[tokio::test]
async fn another_grids_worker_gets_404_and_events_outside_every_grid_get_one_on_the_page() {
    let p = setup().await;
    let app = &p.app;
    let id = report_json(app, p.worker(), "垃圾满溢无人清运").await;
    let (st, html) = page(app, p.worker_b(), &format!("/events/{id}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(html.contains("不存在或无权查看") || html.contains("没有找到"), "{html}");
    let r = act(app, p.worker(), id, &[("action", "accept")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app.post_form(p.worker_b(), &format!("/events/{id}/actions"), &[("action", "accept")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let (_, list) = page(app, p.worker_b(), "/events").await;
    assert!(list.contains("共 0 件"));

    // Community staff report a place outside every grid: the event page asks for a grid.
    let r = post_multipart(
        app,
        p.community(),
        "/events",
        &[
            ("category", "0401"),
            ("title", "河边垃圾堆放"),
            ("what", "河边有一大堆建筑垃圾无人清理"),
            ("where", "河边"),
            ("lon", "104.1"),
            ("lat", "31.2"),
            ("grid_id", ""),
        ],
        &[],
    )
    .await;
    let id = event_of(&r);
    let (_, ev) = page(app, p.community(), &format!("/events/{id}")).await;
    assert!(ev.contains("id=\"grid-form\"") && ev.contains("待指定网格"), "{ev}");
    let v = version(app, p.community(), id).await;
    let grid = p.tree.grid_a1_2.to_string();
    let r = app.post_form(p.community(), &format!("/events/{id}/grid"), &[("version", &v), ("grid_id", &grid)]).await;
    redirected_to(&r, &format!("/events/{id}?msg=grid"));
    let (_, ev) = page(app, p.community(), &format!("/events/{id}?msg=grid")).await;
    assert!(ev.contains("已指定所在网格") && ev.contains("嫩水第二网格") && !ev.contains("id=\"grid-form\""), "{ev}");
}

#[tokio::test]
async fn notifications_are_marked_read_and_the_county_edits_the_settings() {
    let p = setup().await;
    let app = &p.app;
    let id = report_json(app, p.worker(), "垃圾满溢无人清运").await;
    act(app, p.worker(), id, &[("action", "escalate"), ("note", "需要社区协调")]).await;
    let (_, n) = page(app, p.community(), "/notifications").await;
    assert!(
        n.contains("上报上级：垃圾满溢无人清运") && n.contains("未读 1 条") && n.contains(&format!("/events/{id}")),
        "{n}"
    );
    redirected_to(&app.post_form(p.community(), "/notifications/read", &[]).await, "/notifications?msg=read");
    let (_, n) = page(app, p.community(), "/notifications?msg=read").await;
    assert!(n.contains("已全部标为已读") && n.contains("未读 0 条"), "{n}");
    let (_, v) = app.get(p.community(), "/api/v1/notifications").await;
    assert_eq!(v["unread"], 0);

    let county = app.demo_session("pg_county", CountyCenter, Bind::Area(p.tree.county)).await;
    let (st, s) = page(app, &county, "/settings/events").await;
    assert_eq!(st, StatusCode::OK);
    for text in ["类别时限和预警", "暴露垃圾", "工作日历", "春节调休上班", "id=\"edit-0401\""] {
        assert!(s.contains(text), "{text}");
    }
    let edit = |limit: &'static str| {
        vec![
            ("version", "1"),
            ("accept_limit", "4h"),
            ("handle_limit", limit),
            ("verify_limit", "1d"),
            ("yellow_pct", "60"),
            ("red_pct", "100"),
            ("required", "what"),
            ("required", "where"),
        ]
    };
    let r = app.post_form(&county, "/settings/events/categories/0401", &edit("2 days")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("时限写作") && r.text().contains("<details open>"), "{}", r.text());
    redirected_to(
        &app.post_form(&county, "/settings/events/categories/0401", &edit("2d")).await,
        "/settings/events?msg=saved",
    );
    let (_, cats) = app.get(&county, "/api/v1/event-categories").await;
    let c = cats["items"].as_array().unwrap().iter().find(|c| c["code"] == "0401").unwrap().clone();
    assert_eq!((c["handle_limit"].clone(), c["yellow_pct"].clone()), (json!("2d"), json!(60)));
    // The old version again: refused with the reason.
    let r = app.post_form(&county, "/settings/events/categories/0401", &edit("3d")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("请刷新后重试"));
    let r = app
        .post_form(
            &county,
            "/settings/events/calendar",
            &[("day", "2026-03-02"), ("working", "0"), ("note", "测试停工")],
        )
        .await;
    redirected_to(&r, "/settings/events?msg=day");
    let (_, s) = page(app, &county, "/settings/events?msg=day").await;
    assert!(s.contains("工作日历已更新") && s.contains("测试停工"));
    let r =
        app.post_form(&county, "/settings/events/calendar", &[("day", "3/2"), ("working", "0"), ("note", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("日期格式应为"));
    let (_, cal) = app.get(&county, "/api/v1/work-calendar").await;
    assert!(
        cal["items"].as_array().unwrap().iter().any(|d| d["day"] == "2026-03-02" && d["working"] == Value::Bool(false))
    );
}
