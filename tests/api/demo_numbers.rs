//! The demo builds exactly the numbers README.md promises: the table of 鹤山镇's register (people, of
//! them floating and left-behind, households, houses, rentals and their tenants, places, special files
//! by group and overdue) is parsed from the README and compared with the ledgers of a freshly built
//! demo county, and so is the line on the other towns' floating people. A change on either side fails.

use crate::helpers::*;
use serde_json::Value;

const README: &str = include_str!("../../README.md");

/// The rows (label, text) of the table under the README's heading on the demo's register.
fn seed_table() -> Vec<(String, String)> {
    let at = README.find("## 演示数据：鹤山镇").expect("the README section on the demo's register");
    let section = &README[at..];
    let section = &section[..section[3..].find("\n## ").map(|e| e + 3).unwrap_or(section.len())];
    section
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---") && !l.starts_with("| 内容"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (cells.len() == 2).then(|| (cells[0].to_owned(), cells[1].to_owned()))
        })
        .collect()
}

/// The first number (digits with thousands commas) in `s`.
fn first_number(s: &str) -> i64 {
    let start = s.find(|c: char| c.is_ascii_digit()).unwrap_or_else(|| panic!("no number in {s}"));
    let digits: String =
        s[start..].chars().take_while(|c| c.is_ascii_digit() || *c == ',').filter(char::is_ascii_digit).collect();
    digits.parse().expect("number")
}

/// The number right after `word` in `s` (spaces and line breaks between them allowed).
fn number_after(s: &str, word: &str) -> i64 {
    let at = s.find(word).unwrap_or_else(|| panic!("no {word} in {s}"));
    first_number(&s[at + word.len()..])
}

fn row<'a>(table: &'a [(String, String)], label: &str) -> &'a str {
    table.iter().find(|(l, _)| l == label).map(|(_, t)| t.as_str()).unwrap_or_else(|| panic!("README row {label}"))
}

fn counts(ledger: &Value, name: &str) -> Vec<i64> {
    let rows = ledger["rows"].as_array().expect("rows");
    let r = rows.iter().find(|r| r["name"] == name).unwrap_or_else(|| panic!("{name} in {ledger}"));
    r["counts"].as_array().unwrap().iter().map(|n| n.as_i64().unwrap()).collect()
}

#[tokio::test]
async fn the_demo_builds_the_numbers_of_the_readme_table() {
    let table = seed_table();
    assert!(table.len() >= 6, "{table:?}");
    let app = TestApp::empty().await;
    let (_, lines) = wangge::demo::seed_all(&app.state, password_hash(), app.now()).await.expect("demo");
    assert!(lines.iter().any(|l| l.starts_with("演示报送 24 件")), "{lines:?}");
    let county = app.login("county", PASSWORD).await;
    let (_, basic) = app.get(&county, "/api/v1/ledgers/basic").await;
    let (_, floating) = app.get(&county, "/api/v1/ledgers/floating").await;
    let (_, special) = app.get(&county, "/api/v1/ledgers/special").await;
    let b = counts(&basic, "鹤山镇");
    let people = row(&table, "实有人口");
    let (all, float, left) = (first_number(people), number_after(people, "流动人口"), number_after(people, "留守人员"));
    assert_eq!((b[0], b[2], b[4]), (all, float, left), "实有人口: README {people}; ledger {b:?}");
    assert!(people.contains("其余为户籍人口"));
    assert_eq!((b[1], b[3]), (all - float - left, 0), "户籍人口 and no foreigners");
    assert_eq!(b[5], first_number(row(&table, "户")), "户");
    assert_eq!(b[6], first_number(row(&table, "实有房屋")), "实有房屋");
    let rentals = row(&table, "出租房屋");
    assert_eq!(b[7], first_number(rentals), "出租房屋");
    assert_eq!(counts(&floating, "鹤山镇")[4], number_after(rentals, "就是那"), "tenants are the floating people");
    assert_eq!(b[8], first_number(row(&table, "重点场所")), "重点场所");
    let files = row(&table, "特殊人群档案");
    let s = counts(&special, "鹤山镇");
    let columns: Vec<&str> = special["columns"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    for word in ["刑满释放", "社区矫正", "吸毒", "严重精神障碍", "重点青少年"] {
        let k = columns.iter().position(|c| c.starts_with(word)).unwrap_or_else(|| panic!("column {word}"));
        assert_eq!(s[k], number_after(files, word), "{word}: {files}");
    }
    assert_eq!(s[5], first_number(files), "特殊人群档案 in all");
    assert_eq!(s[6], number_after(files, "其中"), "overdue on the test's 2 March 2026: {files}");
    // The other towns hold only the floating people the bulletin's demo registers.
    let others = number_after(README, "只有演示月度通报时");
    assert_eq!(basic["total"][0].as_i64().unwrap() - b[0], others, "{basic}");
    assert_eq!(basic["total"][2].as_i64().unwrap() - b[2], others);

    // A re-run writes nothing, still prints the tracking codes, and no "0 次" / "0 件" lines.
    let codes: Vec<String> = lines.iter().filter(|l| l.starts_with("  ") && l.contains(" · ")).cloned().collect();
    assert_eq!(codes.len(), 3, "{lines:?}");
    let (rows, again) = wangge::demo::seed_all(&app.state, password_hash(), app.now()).await.expect("re-run");
    assert_eq!(rows, 0);
    for code in &codes {
        assert!(again.contains(code), "{code} missing on the re-run: {again:?}");
    }
    assert!(again.iter().all(|l| !l.contains(" 0 次") && !l.contains(" 0 件")), "{again:?}");
    // The sign-in page of a demo install says where its accounts are listed.
    let page = app.call(axum::http::Method::GET, "/login", &Session::anon(), None).await.text();
    assert!(page.contains("id=\"demo-accounts\"") && page.contains("wangge demo"), "{page}");
}

#[tokio::test]
async fn the_sign_in_page_of_a_real_install_has_no_demo_note() {
    let app = TestApp::new().await;
    app.account("clerk", wangge::auth::Role::CountyCenter, Bind::Area(app.county_id)).await;
    let page = app.call(axum::http::Method::GET, "/login", &Session::anon(), None).await.text();
    assert!(page.contains("登录") && !page.contains("demo-accounts"), "{page}");
}
