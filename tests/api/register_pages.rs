//! The register's pages for houses, households, rentals, key places, special-population files and
//! transfers: lists and forms render, a good form creates and leads to the record, a bad form comes
//! back with Chinese errors and the values typed and writes nothing, another area's worker gets 404,
//! and an edit with a stale version is refused.

use crate::fixtures::{County, Login, Who, id_number, register_id};
use crate::helpers::*;
use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use wangge::auth::Role::*;

async fn setup() -> County {
    County::new(&[Who::Worker, Who::WorkerB], Login::Cookie).await
}

/// What the register's page tests do on a `County`.
trait Pages {
    async fn page(&self, s: &Session, path: &str) -> Resp;
    async fn form(&self, s: &Session, path: &str, pairs: &[(&str, &str)]) -> Resp;
    async fn count(&self, table: &str) -> i64;
    async fn person(&self, s: &Session, body: Value) -> i64;
    async fn house(&self, no: &str) -> i64;
}

impl Pages for County {
    async fn page(&self, s: &Session, path: &str) -> Resp {
        self.app.call(Method::GET, path, s, None).await
    }

    /// Posts a page form the way a browser does: urlencoded, the CSRF token as `_csrf`.
    async fn form(&self, s: &Session, path: &str, pairs: &[(&str, &str)]) -> Resp {
        let mut all: Vec<(&str, &str)> = pairs.to_vec();
        all.push(("_csrf", s.csrf.as_deref().unwrap()));
        let req = self
            .app
            .request(Method::POST, path, &s.without_csrf())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(&all).unwrap()))
            .unwrap();
        self.app.send(req).await
    }

    async fn count(&self, table: &str) -> i64 {
        let (n,): (i64,) =
            self.app.db.read().fetch_one(&format!("SELECT COUNT(*) FROM {table}"), vec![]).await.unwrap();
        n
    }

    async fn person(&self, s: &Session, body: Value) -> i64 {
        register_id(&self.app, s, body).await
    }

    async fn house(&self, no: &str) -> i64 {
        let (st, h) = self
            .app
            .post_json(self.worker(), "/api/v1/houses", json!({ "grid_id": self.tree.grid_a1_1, "house_no": no, "road": "嫩水路8号",
                "building": "2栋", "unit": "1单元", "room": "301", "house_use": "20", "owner_name": "钱七", "owner_phone": "13512345678" }))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{h}");
        h["id"].as_i64().unwrap()
    }
}

/// The record a successful form post leads to: `/prefix/{id}?msg=…`.
#[track_caller]
fn created(r: &Resp, prefix: &str) -> i64 {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let loc = r.header("location");
    let rest = loc.strip_prefix(prefix).unwrap_or_else(|| panic!("{loc} is not under {prefix}"));
    rest.split('?').next().unwrap().parse().unwrap_or_else(|_| panic!("no id in {loc}"))
}

#[track_caller]
fn refused(r: &Resp, status: StatusCode, texts: &[&str]) {
    assert_eq!(r.status, status, "{}", r.text());
    assert!(r.header("content-type").starts_with("text/html"), "a refused form answers with the page");
    let html = r.text();
    for t in texts {
        assert!(html.contains(t), "the page should show {t}: {html}");
    }
}

#[tokio::test]
async fn houses_list_create_refuse_edit_and_history() {
    let p = setup().await;
    let w = p.worker();
    let r = p.page(w, "/houses").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("实有房屋") && r.text().contains("href=\"/imports/start/houses\""), "{}", r.text());
    let r = p.page(w, "/houses/new").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("登记房屋") && r.text().contains("嫩水第一网格"));
    let home = p.page(w, "/").await.text();
    assert!(home.contains("href=\"/houses\"") && home.contains("href=\"/transfers\""), "the nav lists the register");

    // A bad form comes back with its errors and the values typed; nothing is written.
    let grid = p.tree.grid_a1_1.to_string();
    let bad = [
        ("grid_id", grid.as_str()),
        ("house_no", "坏 编号"),
        ("road", "嫩水路9号"),
        ("house_use", ""),
        ("owner_name", "钱七"),
        ("owner_phone", "1391234"),
        ("hazard", "none"),
    ];
    let r = p.form(w, "/houses", &bad).await;
    refused(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["房屋编号只能由字母、数字和 - 组成", "请选择房屋用途", "value=\"嫩水路9号\"", "value=\"钱七\""],
    );
    let r = p.form(w, "/houses", &[("grid_id", grid.as_str()), ("house_no", "NS-1"), ("floor_area", "八十")]).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, &["请填写数字"]);
    assert_eq!(p.count("houses").await, 0);

    let good = [
        ("grid_id", grid.as_str()),
        ("house_no", "NS-0101"),
        ("road", "嫩水路9号"),
        ("building", "3栋"),
        ("unit", "2单元"),
        ("room", "502"),
        ("address", ""),
        ("house_use", "10"),
        ("floor_area", "96.5"),
        ("owner_name", "钱七"),
        ("owner_id_number", &id_number(1966, 6, 6, 13)),
        ("owner_phone", "13512345678"),
        ("hazard", "none"),
        ("lon", ""),
        ("lat", ""),
    ];
    let r = p.form(w, "/houses", &good).await;
    let house = created(&r, "/houses/");
    let html = p.page(w, &format!("/houses/{house}?msg=created")).await.text();
    for t in ["嫩水路9号3栋2单元502", "NS-0101", "自住", "135****5678", "已新建"] {
        assert!(html.contains(t), "detail shows {t}");
    }
    assert!(!html.contains("13512345678"), "never the full phone");
    let list = p.page(w, "/houses?q=%E5%AB%A9%E6%B0%B4").await.text();
    assert!(list.contains("NS-0101") && list.contains("135****5678"), "{list}");
    let list = p.page(w, "/houses?house_no=NS-0101").await.text();
    assert!(list.contains("共 1 套"), "{list}");
    // A duplicate house number is a field error on the form.
    let r = p.form(w, "/houses", &good).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, &["房屋编号已存在"]);

    // The people living there.
    p.person(
        w,
        json!({ "kind": "registered", "name": "张住户", "id_number": id_number(1980, 1, 1, 21), "grid_id": p.tree.grid_a1_1, "house_id": house }),
    )
    .await;
    assert!(p.page(w, &format!("/houses/{house}")).await.text().contains("张住户"));
    let (_, people) = p.app.get(w, &format!("/api/v1/persons?house={house}")).await;
    let resident = people["items"][0]["id"].as_i64().unwrap();
    let html = p.page(w, &format!("/people/{resident}")).await.text();
    assert!(html.contains(&format!("href=\"/houses/{house}\"")), "the person's page links the house");

    // Another town's worker sees nothing of it.
    let r = p.page(p.worker_b(), &format!("/houses/{house}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!p.page(p.worker_b(), "/houses").await.text().contains("NS-0101"));

    // Edit: blank owner numbers keep the stored ones; the history shows old → new.
    let mut edit: Vec<(&str, &str)> =
        good[1..].iter().filter(|(k, _)| !k.starts_with("owner_id") && *k != "owner_phone").cloned().collect();
    edit.push(("version", "1"));
    let idx = edit.iter().position(|(k, _)| *k == "owner_name").unwrap();
    edit[idx] = ("owner_name", "孙八");
    let r = p.form(w, &format!("/houses/{house}/edit"), &edit).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = p.page(w, &format!("/houses/{house}")).await.text();
    assert!(html.contains("<del>钱七</del> → 孙八") && html.contains("房主姓名"), "{html}");
    assert!(html.contains("135****5678"), "the phone was kept");
    // The same (now stale) version is refused with the Chinese conflict message; nothing changes.
    edit[idx] = ("owner_name", "周九");
    let r = p.form(w, &format!("/houses/{house}/edit"), &edit).await;
    refused(&r, StatusCode::CONFLICT, &["数据已被他人修改，请刷新后重试", "value=\"周九\""]);
    let (_, h) = p.app.get(w, &format!("/api/v1/houses/{house}")).await;
    assert_eq!((h["owner_name"].as_str(), h["version"].as_i64()), (Some("孙八"), Some(2)));
    // A bad edit keeps the record as it was.
    edit[idx] = ("owner_name", "周九");
    let v = edit.iter().position(|(k, _)| *k == "version").unwrap();
    edit[v] = ("version", "2");
    let u = edit.iter().position(|(k, _)| *k == "house_use").unwrap();
    edit[u] = ("house_use", "火星");
    let r = p.form(w, &format!("/houses/{house}/edit"), &edit).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, &["房屋用途不是代码表中的值"]);
    let (_, h) = p.app.get(w, &format!("/api/v1/houses/{house}")).await;
    assert_eq!(h["owner_name"], "孙八");
}

#[tokio::test]
async fn households_with_house_head_and_members() {
    let p = setup().await;
    let w = p.worker();
    let house = p.house("NS-0201").await;
    let head_number = id_number(1975, 3, 3, 31);
    let head = p
        .person(
            w,
            json!({ "kind": "registered", "name": "王户主", "id_number": head_number, "grid_id": p.tree.grid_a1_1 }),
        )
        .await;
    let r = p.page(w, "/households").await;
    assert!(r.status == StatusCode::OK && r.text().contains("/imports/start/households"), "{}", r.text());
    let r = p.page(w, "/households/new").await;
    assert!(r.status == StatusCode::OK && r.text().contains("登记户"));

    let grid = p.tree.grid_a1_1.to_string();
    let unknown = id_number(1990, 9, 9, 41);
    let r = p
        .form(
            w,
            "/households",
            &[
                ("grid_id", &grid),
                ("household_no", ""),
                ("house_no", "NO-SUCH"),
                ("address", "嫩水路8号"),
                ("head_id_number", &unknown),
            ],
        )
        .await;
    refused(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["房屋编号不存在或不在您的管辖范围内", "本辖区没有登记身份证号码", "value=\"嫩水路8号\""],
    );
    assert_eq!(p.count("households").await, 0);

    let r = p
        .form(
            w,
            "/households",
            &[
                ("grid_id", &grid),
                ("household_no", "HH-001"),
                ("house_no", "NS-0201"),
                ("address", "嫩水路8号"),
                ("head_id_number", &head_number),
            ],
        )
        .await;
    let hh = created(&r, "/households/");
    let (_, v) = p.app.get(w, &format!("/api/v1/households/{hh}")).await;
    assert_eq!((v["house_id"].as_i64(), v["head_person_id"].as_i64()), (Some(house), Some(head)));
    let member = p
        .person(w, json!({ "kind": "registered", "name": "王成员", "id_number": id_number(2001, 4, 4, 51), "grid_id": p.tree.grid_a1_1, "household_id": hh }))
        .await;
    let html = p.page(w, &format!("/households/{hh}")).await.text();
    for t in ["HH-001", "王户主", "王成员", "NS-0201", "设为户主"] {
        assert!(html.contains(t), "household page shows {t}");
    }
    assert_eq!(p.page(p.worker_b(), &format!("/households/{hh}")).await.status, StatusCode::NOT_FOUND);

    // Make the member the head (a one-click form), then a stale edit is refused.
    let m = member.to_string();
    let r = p.form(w, &format!("/households/{hh}/edit"), &[("version", "1"), ("head_person_id", &m)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let (_, v) = p.app.get(w, &format!("/api/v1/households/{hh}")).await;
    assert_eq!((v["head_person_id"].as_i64(), v["household_no"].as_str()), (Some(member), Some("HH-001")));
    let r = p
        .form(w, &format!("/households/{hh}/edit"), &[("version", "1"), ("household_no", "HH-009"), ("address", "x")])
        .await;
    refused(&r, StatusCode::CONFLICT, &["数据已被他人修改", "value=\"HH-009\""]);
    let html = p.page(w, &format!("/households/{hh}")).await.text();
    assert!(html.contains("户主") && html.contains("→"), "history shows the change of head: {html}");
    // Histories name the records they link to instead of showing bare ids.
    assert!(html.contains(&format!("（#{grid}）")), "the household's history names its grid: {html}");
    let html = p.page(w, &format!("/people/{member}")).await.text();
    assert!(html.contains(&format!("HH-001（#{hh}）")), "the person's history names the household: {html}");
}

#[tokio::test]
async fn rentals_with_tenants_by_id_number() {
    let p = setup().await;
    let w = p.worker();
    let house = p.house("NS-0301").await;
    let tenant_number = id_number(1995, 5, 5, 15);
    let tenant = p
        .person(w, json!({ "kind": "floating", "name": "孙租客", "id_number": tenant_number, "grid_id": p.tree.grid_a1_1, "house_id": house,
            "extra": { "permit_type": "1", "reason": "务工", "from_place": "四川省南充市", "arrived_on": "2026-01-10" } }))
        .await;
    let r = p.page(w, "/rentals").await;
    assert!(r.status == StatusCode::OK && r.text().contains("/imports/start/rentals"));
    let r = p.page(w, "/rentals/new?house_no=NS-0301").await;
    assert!(r.status == StatusCode::OK && r.text().contains("value=\"NS-0301\""), "{}", r.text());
    assert!(p.page(w, &format!("/houses/{house}")).await.text().contains("/rentals/new?house_no=NS-0301"));

    let bad = [
        ("house_no", "NS-0301"),
        ("landlord_name", "钱房东"),
        ("landlord_phone", "13512345678"),
        ("start_date", "2026-05-01"),
        ("end_date", "2026-01-01"),
        ("rental_use", "10"),
        ("tenants", "110101199001011234"),
    ];
    let r = p.form(w, "/rentals", &bad).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, &["承租人：", "value=\"钱房东\""]);
    let mut bad2 = bad.to_vec();
    bad2[6] = ("tenants", &tenant_number);
    let r = p.form(w, "/rentals", &bad2).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, &["截止日期不能早于起始日期"]);
    assert_eq!(p.count("rentals").await, 0);

    let good = [
        ("house_no", "NS-0301"),
        ("landlord_name", "钱房东"),
        ("landlord_phone", "13512345678"),
        ("start_date", "2026-01-01"),
        ("end_date", "2026-12-31"),
        ("rental_use", "10"),
        ("police_registered", "true"),
        ("tenants", &tenant_number),
    ];
    let rental = created(&p.form(w, "/rentals", &good).await, "/rentals/");
    let html = p.page(w, &format!("/rentals/{rental}")).await.text();
    for t in ["孙租客", &format!("href=\"/people/{tenant}\""), "135****5678", "已向派出所登记", "居住"] {
        assert!(html.contains(t), "rental page shows {t}");
    }
    assert!(!html.contains("13512345678") && !html.contains(&tenant_number), "numbers stay masked");
    assert!(p.page(w, "/rentals").await.text().contains("承租人 1 人"));
    assert_eq!(p.page(p.worker_b(), &format!("/rentals/{rental}")).await.status, StatusCode::NOT_FOUND);

    // Edit without ticking the tenant to keep: the tenant leaves; a stale version is refused.
    let edit = [
        ("version", "1"),
        ("house_no", "NS-0301"),
        ("landlord_name", "钱房东"),
        ("landlord_phone", ""),
        ("start_date", "2026-01-01"),
        ("end_date", ""),
        ("rental_use", "10"),
        ("tenants", ""),
    ];
    let r = p.form(w, &format!("/rentals/{rental}/edit"), &edit).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let (_, v) = p.app.get(w, &format!("/api/v1/rentals/{rental}")).await;
    assert_eq!(v["tenants"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(
        (v["landlord_phone_masked"].as_str(), v["police_registered"].as_bool()),
        (Some("135****5678"), Some(false))
    );
    let r = p.form(w, &format!("/rentals/{rental}/edit"), &edit).await;
    refused(&r, StatusCode::CONFLICT, &["数据已被他人修改"]);
    let html = p.page(w, &format!("/rentals/{rental}")).await.text();
    assert!(html.contains("承租人") && html.contains("<del>2026-12-31</del>"), "{html}");
}

#[tokio::test]
async fn places_with_credit_code_check() {
    let p = setup().await;
    let w = p.worker();
    let r = p.page(w, "/places").await;
    assert!(r.status == StatusCode::OK && r.text().contains("/imports/start/places"));
    let r = p.page(w, "/places/new").await;
    assert!(r.status == StatusCode::OK && r.text().contains("网吧"));
    let grid = p.tree.grid_a1_1.to_string();
    let mut fields = vec![
        ("grid_id", grid.as_str()),
        ("name", "嫩水网吧"),
        ("place_type", "internet_cafe"),
        ("credit_code", "91350100M000100Y44"),
        ("legal_person", "周法人"),
        ("safety_person", "周九"),
        ("contact_phone", "13312345678"),
        ("address", "嫩水路10号"),
        ("lon", "104.1"),
        ("lat", ""),
    ];
    let r = p.form(w, "/places", &fields).await;
    refused(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        &["统一社会信用代码校验位不正确", "经纬度应成对填写", "value=\"嫩水网吧\""],
    );
    assert_eq!(p.count("places").await, 0);
    fields[3] = ("credit_code", "91350100M000100Y43");
    fields[8] = ("lon", "");
    let place = created(&p.form(w, "/places", &fields).await, "/places/");
    let html = p.page(w, &format!("/places/{place}")).await.text();
    for t in ["嫩水网吧", "网吧", "91350100M000100Y43", "133****5678"] {
        assert!(html.contains(t), "place page shows {t}");
    }
    assert_eq!(p.page(p.worker_b(), &format!("/places/{place}")).await.status, StatusCode::NOT_FOUND);
    let mut edit: Vec<(&str, &str)> = fields[1..].to_vec();
    edit.retain(|(k, _)| *k != "contact_phone");
    edit.push(("version", "1"));
    edit[0] = ("name", "嫩水网咖");
    let r = p.form(w, &format!("/places/{place}/edit"), &edit).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = p.form(w, &format!("/places/{place}/edit"), &edit).await;
    refused(&r, StatusCode::CONFLICT, &["数据已被他人修改"]);
    let html = p.page(w, &format!("/places/{place}")).await.text();
    assert!(html.contains("<del>嫩水网吧</del> → 嫩水网咖") && html.contains("133****5678"), "{html}");
}

#[tokio::test]
async fn special_files_and_visits_through_the_person_page() {
    let p = setup().await;
    let w = p.worker();
    let pid = p
        .person(w, json!({ "kind": "registered", "name": "赵特殊", "id_number": id_number(1982, 7, 7, 11), "grid_id": p.tree.grid_a1_1 }))
        .await;
    let html = p.page(w, &format!("/people/{pid}")).await.text();
    assert!(html.contains("建立吸毒人员档案") && html.contains("建立严重精神障碍患者档案"), "{html}");
    let path = format!("/people/{pid}/special");
    // Missing required fields of the kind: the form comes back open with the errors and values.
    let r = p
        .form(
            w,
            &path,
            &[("kind", "mental_disorder"), ("data.diagnosis", ""), ("data.risk_level", "3"), ("data.guardian", "")],
        )
        .await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, &["请填写诊断", "请填写监护人", "value=\"3\""]);
    assert_eq!(p.count("special_files").await, 0);
    let r = p
        .form(
            w,
            &path,
            &[
                ("kind", "drug_user"),
                ("data.found_on", "2025-10-01"),
                ("data.control_status", "社区戒毒"),
                ("data.helper", ""),
                ("next_visit_due", "2026-03-01"),
            ],
        )
        .await;
    assert_eq!(
        (r.status, r.header("location")),
        (StatusCode::SEE_OTHER, format!("/people/{pid}?msg=special_created")),
        "{}",
        r.text()
    );
    let html = p.page(w, &format!("/people/{pid}")).await.text();
    assert!(html.contains("吸毒人员") && html.contains("社区戒毒") && html.contains("走访已逾期"), "{html}");
    assert!(!html.contains("建立吸毒人员档案"), "one file per kind");
    let r =
        p.form(w, &path, &[("kind", "drug_user"), ("data.found_on", "2025-10-01"), ("data.control_status", "x")]).await;
    refused(&r, StatusCode::CONFLICT, &["此人已有吸毒人员档案"]);

    let (_, files) = p.app.get(w, &format!("/api/v1/persons/{pid}/special")).await;
    let fid = files["items"][0]["id"].as_i64().unwrap();
    let visit = format!("/people/{pid}/special/{fid}/visits");
    let r = p.form(w, &visit, &[("visited_on", "2026-03-02"), ("note", ""), ("next_visit_due", "2026-04-02")]).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, &["请填写走访情况", "value=\"2026-04-02\""]);
    let r = p
        .form(w, &visit, &[("visited_on", "2026-03-02"), ("note", "情况稳定"), ("next_visit_due", "2026-04-02")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = p.page(w, &format!("/people/{pid}?msg=visited")).await.text();
    assert!(
        html.contains("情况稳定") && html.contains("下次走访：2026-04-02") && !html.contains("走访已逾期"),
        "{html}"
    );
    assert!(html.contains("建立特殊人群档案") && html.contains("走访"), "the history names both");

    // Those without ReadSpecialFiles see the person but no files and no forms.
    let county = p.app.demo_session("county_c", CountyCenter, Bind::Area(p.tree.county)).await;
    let html = p.page(&county, &format!("/people/{pid}")).await.text();
    assert!(html.contains("赵特殊") && !html.contains("社区戒毒") && !html.contains("建立吸毒人员档案"));
    // Another town's worker cannot post a visit.
    let r = p.form(p.worker_b(), &visit, &[("visited_on", "2026-03-02"), ("note", "x")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn transfer_asked_from_the_person_form_and_decided_on_the_transfers_page() {
    let p = setup().await;
    let number = id_number(1980, 2, 29, 55);
    let pid = p
        .person(
            p.worker(),
            json!({ "kind": "registered", "name": "钱迁移", "id_number": number, "grid_id": p.tree.grid_a1_1 }),
        )
        .await;
    let grid_b = p.tree.grid_b1_1.to_string();
    let person_form = [
        ("kind", "registered"),
        ("grid_id", grid_b.as_str()),
        ("name", "钱迁移"),
        ("id_number", &number),
        ("ethnicity", "01"),
    ];
    // Registered again from the other town: the form comes back with the message and a transfer form.
    let r = p.form(p.worker_b(), "/people", &person_form).await;
    refused(&r, StatusCode::CONFLICT, &["嫩水第一网格", "申请迁入", "action=\"/transfers\"", "value=\"钱迁移\""]);
    // Bad person forms come back too, with the values typed.
    let r = p
        .form(
            p.worker_b(),
            "/people",
            &[("kind", "registered"), ("grid_id", &grid_b), ("name", "李四"), ("id_number", "123")],
        )
        .await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, &["身份证号码应为 18 位", "value=\"李四\""]);

    let r = p.form(p.worker_b(), "/transfers", &[("id_number", &number), ("grid_id", &grid_b), ("reason", "")]).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, &["请填写迁入原因"]);
    assert_eq!(p.count("person_transfers").await, 0);
    let r = p
        .form(p.worker_b(), "/transfers", &[("id_number", &number), ("grid_id", &grid_b), ("reason", "已搬到城北")])
        .await;
    assert_eq!(
        (r.status, r.header("location")),
        (StatusCode::SEE_OTHER, "/transfers?msg=transfer_requested".to_owned())
    );
    let html = p.page(p.worker_b(), "/transfers?msg=transfer_requested").await.text();
    assert!(html.contains("等待对方确认（1）") && html.contains("钱迁移"), "{html}");
    let (_, t) = p.app.get(p.worker(), "/api/v1/persons/transfers?status=pending").await;
    let tid = t["items"][0]["id"].as_i64().unwrap();
    // The asking side cannot decide.
    let r = p.form(p.worker_b(), &format!("/transfers/{tid}/approve"), &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let html = p.page(p.worker(), "/transfers").await.text();
    assert!(html.contains("待本辖区确认的迁出（1）") && html.contains(&format!("/transfers/{tid}/approve")), "{html}");
    let r = p.form(p.worker(), &format!("/transfers/{tid}/reject"), &[("note", "")]).await;
    refused(&r, StatusCode::UNPROCESSABLE_ENTITY, &["请填写说明"]);
    let r = p.form(p.worker(), &format!("/transfers/{tid}/approve"), &[("note", "")]).await;
    assert_eq!(
        (r.status, r.header("location")),
        (StatusCode::SEE_OTHER, "/transfers?msg=transfer_approved".to_owned())
    );
    let (st, v) = p.app.get(p.worker_b(), &format!("/api/v1/persons/{pid}")).await;
    assert_eq!((st, v["grid_id"].as_i64()), (StatusCode::OK, Some(p.tree.grid_b1_1)));
    let html = p.page(p.worker_b(), "/transfers").await.text();
    assert!(html.contains("已迁移"), "{html}");
    let r = p.form(p.worker(), &format!("/transfers/{tid}/reject"), &[("note", "晚了")]).await;
    refused(&r, StatusCode::CONFLICT, &["该申请已处理"]);
}
