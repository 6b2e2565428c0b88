//! The bulletin's Word file read back (word/document.xml): it ends with the issuing unit and the date
//! (落款: of today before publication, of the publication after), and the tables of reports and
//! sign-off keep only the rows with something in them, the units with nothing named in one line.
//! The workbook keeps every row.

use crate::bulletins::{County, county, march};
use axum::http::{Method, StatusCode};
use serde_json::json;
use std::io::Read;

async fn document_xml(c: &County) -> String {
    let path = format!("/api/v1/bulletins/monthly.docx?area={}&month=2026-03", c.tree.county);
    let r = c.app.send(c.app.request(Method::GET, &path, &c.county).body(axum::body::Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.body)).expect("a docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml").expect("document.xml").read_to_string(&mut xml).unwrap();
    xml
}

/// The texts of the paragraphs outside tables, in order.
fn paragraphs(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find("<w:p>") {
        let tbl = rest.find("<w:tbl>");
        if let Some(t) = tbl.filter(|t| *t < i) {
            let end = rest[t..].find("</w:tbl>").map(|e| t + e + 8).unwrap_or(rest.len());
            rest = &rest[end..];
            continue;
        }
        let end = rest[i..].find("</w:p>").map(|e| i + e).unwrap_or(rest.len());
        let p = &rest[i..end];
        let text: String =
            p.split("<w:t xml:space=\"preserve\">").skip(1).filter_map(|s| s.split("</w:t>").next()).collect();
        out.push(text);
        rest = &rest[end..];
    }
    out
}

/// The body rows (after the header) of the table whose caption starts with `caption`, as cell texts.
fn table_rows(xml: &str, caption: &str) -> Vec<Vec<String>> {
    let at = xml.find(caption).unwrap_or_else(|| panic!("no table {caption}"));
    let t = &xml[at..];
    let t = &t[t.find("<w:tbl>").unwrap()..t.find("</w:tbl>").unwrap()];
    t.split("<w:tr>")
        .skip(2)
        .map(|r| {
            r.split("<w:t xml:space=\"preserve\">")
                .skip(1)
                .filter_map(|s| s.split("</w:t>").next())
                .map(String::from)
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn the_word_bulletin_ends_with_its_signature_and_folds_the_empty_rows() {
    let c = county().await;
    march(&c).await; // the clock is now 1 April
    let xml = document_xml(&c).await;
    let p = paragraphs(&xml);
    let tail: Vec<&str> = p.iter().rev().filter(|t| !t.is_empty()).take(2).map(String::as_str).collect();
    assert_eq!(tail, ["2026年4月1日", "演示县综治中心"], "the last lines: {:?}", &p[p.len().saturating_sub(4)..]);
    assert!(xml.contains("<w:pStyle w:val=\"Signature\"/></w:pPr><w:r><w:t xml:space=\"preserve\">演示县综治中心"));
    // 表4: only 鹤山镇's floating person; 文昌镇 and 双峰乡 in one line.
    let rows = table_rows(&xml, "表4");
    assert_eq!(rows, [["鹤山镇", "流动人口", "1", "1", "0", "0"]], "{rows:?}");
    assert!(xml.contains("本月没有报送的乡镇（街道）（2 个）：双峰乡、文昌镇。表中未列出的类别均为 0。"), "{p:?}");
    let rows = table_rows(&xml, "表5");
    assert_eq!(rows, [["鹤山派出所", "流动人口", "1", "1", "0"]], "{rows:?}");
    // Tables of rates keep every unit (a 0% is news, not nothing).
    assert_eq!(table_rows(&xml, "表1").len(), 4, "three towns and the total");

    // The workbook keeps every row of 表4: three towns × the kinds.
    let path = format!("/api/v1/bulletins/monthly.xlsx?area={}&month=2026-03", c.tree.county);
    let r = c.app.send(c.app.request(Method::GET, &path, &c.county).body(axum::body::Body::empty()).unwrap()).await;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.body)).expect("xlsx");
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet4.xml").expect("sheet4").read_to_string(&mut sheet).unwrap();
    assert!(sheet.matches("<row").count() > 4, "{sheet}");

    // Published: the date is the publication's.
    let (st, v) = c
        .app
        .post_json(
            &c.county,
            "/api/v1/bulletins/monthly/publish",
            json!({ "area": c.tree.county, "month": "2026-03", "version": 0 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    c.app.clock.advance(3 * wangge::clock::DAY);
    let p = paragraphs(&document_xml(&c).await);
    assert_eq!(p.iter().rev().find(|t| !t.is_empty()).map(String::as_str), Some("2026年4月1日"));
    // The page and the print page carry the same signature and the folded line.
    let page = c
        .app
        .call(Method::GET, &format!("/bulletins/print?area={}&month=2026-03", c.tree.county), &c.county, None)
        .await;
    let html = page.text();
    assert!(
        html.contains("演示县综治中心<br>2026年4月1日") && html.contains("本月没有报送的乡镇（街道）（2 个）"),
        "{html}"
    );
}
