//! The field app checks a form on the device at once, offline, with the server's words (issue 22.3):
//! a wrong ID check digit, birth date or sex disagreeing with the ID, a malformed phone, a missing
//! required field, a value not in the code table, a part the event category requires. Nothing is
//! queued; each message is compared with what the server answers for the same data at sync.

use super::field::{OFFLINE, api, api_login, install, network, open, wait_js, waiting};
use super::{fill, shot, start_app, start_driver};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

/// The error the phone shows at a form's field, once it shows one.
async fn phone_error(c: &Client, form: &str, name: &str) -> String {
    let find = format!(
        "const i = document.querySelector('#{form} [name=\"{name}\"]'); const e = i && i.closest('.field').querySelector('.err');"
    );
    wait_js(c, &format!("{find} return !!e;"), &format!("{form} {name}")).await;
    let v = c.execute(&format!("{find} return e.textContent;"), vec![]).await.unwrap();
    v.as_str().unwrap_or_default().to_owned()
}

/// What the server says about one field of the same operation sent at sync.
async fn server_error(base: &str, auth: (&str, &str), n: u32, kind: &str, data: Value, field: &str) -> String {
    let op = json!({ "ops": [{ "op_id": format!("op-check-{n:06}"), "kind": kind, "data": data }] });
    let (st, v, _) = api(base, "POST", "/api/v1/field/sync", Some(auth), op).await;
    assert_eq!((st, v["results"][0]["status"].as_str()), (200, Some("rejected")), "{v}");
    v["results"][0]["fields"][field].as_str().unwrap_or_else(|| panic!("{field}: {v}")).to_owned()
}

async fn set(c: &Client, css: &str, value: &str) {
    c.execute(
        &format!("const e = document.querySelector('{css}'); e.value = {value:?}; e.dispatchEvent(new Event('change', {{ bubbles: true }}));"),
        vec![],
    )
    .await
    .unwrap();
}

async fn save_person(c: &Client) {
    c.find(Locator::Css("#person-save")).await.unwrap().click().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn field_forms_are_checked_on_the_device_with_the_servers_words() {
    let (base, _state, _dir) = start_app().await;
    let (cookie, csrf) = api_login(&base, "heshan.c1.g1").await;
    let auth = (cookie.as_str(), csrf.as_str());
    let (_, me, _) = api(&base, "GET", "/api/v1/auth/me", Some(auth), Value::Null).await;
    let grid = me["account"]["area_id"].as_i64().unwrap();
    let good =
        wangge::domains::registry::id_number::make("510725", chrono::NaiveDate::from_ymd_opt(1975, 8, 9).unwrap(), 77);
    let last = if good.ends_with('1') { '2' } else { '1' };
    let bad = format!("{}{last}", &good[..17]);
    let person = |extra: Value| {
        let mut p =
            json!({ "kind": "registered", "name": "校验测试", "id_number": &good, "grid_id": grid, "extra": {} });
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        p
    };

    let (_driver, c) = start_driver().await;
    install(&c, &base).await;
    network(&c, OFFLINE).await;
    // (field, what the phone is given, the same as the server would get)
    let cases: [(&str, Value); 6] = [
        ("id_number", json!({ "id_number": bad })),
        ("sex", json!({ "sex": "female" })),
        ("birth_date", json!({ "birth_date": "1975-08-10" })),
        ("phone", json!({ "phone": "12345" })),
        ("name", json!({ "name": "" })),
        ("extra.left_behind_type", json!({ "kind": "left_behind", "extra": { "left_behind_type": "ZZ" } })),
    ];
    for (n, (field, change)) in cases.iter().enumerate() {
        open(&c, &base, "/field/person").await;
        let data = person(change.clone());
        if data["kind"] != "registered" {
            c.find(Locator::Css(&format!("[name=kind][value={}]", data["kind"].as_str().unwrap())))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        }
        fill(&c, "#person-name", data["name"].as_str().unwrap()).await;
        fill(&c, "#person-id", data["id_number"].as_str().unwrap()).await;
        for (k, css) in [("sex", "#person-sex"), ("birth_date", "#person-birth")] {
            if let Some(v) = data[k].as_str() {
                set(&c, css, v).await;
            }
        }
        if let Some(p) = data["phone"].as_str() {
            fill(&c, "#person-phone", p).await;
        }
        if let Some(t) = data["extra"]["left_behind_type"].as_str() {
            // A value the code table lacks (a stale phone, a changed table): offered, then refused.
            c.execute(
                &format!("const s = document.querySelector('[name=\"extra.left_behind_type\"]'); s.append(new Option('旧代码', {t:?})); s.value = {t:?};"),
                vec![],
            )
            .await
            .unwrap();
        }
        save_person(&c).await;
        let mine = phone_error(&c, "person-form", field).await;
        assert_eq!(waiting(&c).await, "0", "{field}: nothing is queued");
        let theirs = server_error(&base, auth, n as u32, "person.create", data, field).await;
        assert_eq!(mine, theirs, "{field}: the phone speaks as the server");
    }
    shot(&c, "field_person_checked.png").await;

    // A floating person needs where from and why: every required part is named at once.
    open(&c, &base, "/field/person").await;
    c.find(Locator::Css("[name=kind][value=floating]")).await.unwrap().click().await.unwrap();
    fill(&c, "#person-name", "校验测试").await;
    fill(&c, "#person-id", &good).await;
    save_person(&c).await;
    let data = person(json!({ "kind": "floating" }));
    for (n, field) in ["extra.reason", "extra.from_place", "extra.arrived_on", "extra.permit_type"].iter().enumerate() {
        let mine = phone_error(&c, "person-form", field).await;
        let theirs = server_error(&base, auth, 10 + n as u32, "person.create", data.clone(), field).await;
        assert_eq!(mine, theirs, "{field}");
    }
    assert_eq!(waiting(&c).await, "0");

    // An emergency needs when it happened and how many people: the category's required parts.
    open(&c, &base, "/field/event").await;
    let code = c
        .execute(
            "const s = document.querySelector('#event-category'); const o = Array.from(s.options).find((o) => o.textContent === '突发事件'); \
             s.value = o.value; s.dispatchEvent(new Event('change')); return o.value;",
            vec![],
        )
        .await
        .unwrap();
    fill(&c, "#event-title", "路面塌陷").await;
    fill(&c, "#event-what", "嫩水路中段路面塌陷，有车辆陷入").await;
    c.find(Locator::Css("#event-save")).await.unwrap().click().await.unwrap();
    let data =
        json!({ "category": code, "title": "路面塌陷", "details": { "what": "嫩水路中段路面塌陷，有车辆陷入" } });
    for (n, field) in ["details.when", "details.how_many"].iter().enumerate() {
        let mine = phone_error(&c, "event-form", field).await;
        let theirs = server_error(&base, auth, 20 + n as u32, "event.report", data.clone(), field).await;
        assert_eq!(mine, theirs, "{field}");
    }
    assert_eq!(waiting(&c).await, "0");

    // A house number with a space.
    open(&c, &base, "/field/house").await;
    fill(&c, "[name=house_no]", "NS 12").await;
    fill(&c, "#house-form [name=address]", "嫩水路 12 号").await;
    c.find(Locator::Css("#house-form [name=house_use] option[value='10']")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#house-form button[type=submit]")).await.unwrap().click().await.unwrap();
    let data = json!({ "grid_id": grid, "house_no": "NS 12", "address": "嫩水路 12 号", "house_use": "10" });
    let mine = phone_error(&c, "house-form", "house_no").await;
    assert_eq!(mine, server_error(&base, auth, 30, "house.create", data, "house_no").await);
    assert_eq!(waiting(&c).await, "0");
    shot(&c, "field_event_checked.png").await;
    c.close().await.unwrap();
}
