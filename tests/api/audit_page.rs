//! The audit page as its administrator reads it (issue 22.10): Chinese action names, accounts by
//! name and unit, content as before → after, a filter by action in Chinese; and every action the
//! program records has its Chinese name.

use crate::helpers::*;
use axum::http::{Method, StatusCode};
use serde_json::json;
use wangge::auth::Role;

#[tokio::test]
async fn the_audit_page_reads_in_chinese() {
    let (app, t, admin) = TestApp::with_tree().await;
    let aud = app.demo_session("auditor", Role::AuditAdmin, Bind::Area(t.county)).await;
    let path = format!("/api/v1/areas/{}", t.grid_a1_1);
    let (_, g) = app.get(&admin, &path).await;
    let (st, _) = app.patch_json(&admin, &path, json!({ "version": g["version"], "name": "嫩水一格" })).await;
    assert_eq!(st, StatusCode::OK);

    let r = app.call(Method::GET, "/audit?action=area_updated", &aud, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    // The action by name, the account by its name and unit, the change as before → after.
    assert!(html.contains(">修改区域</td>"), "{html}");
    assert!(html.contains("区域 ") && !html.contains(">area_updated<"), "{html}");
    assert!(html.contains("<b>名称/姓名</b>：<del>嫩水第一网格</del> → 嫩水一格"), "{html}");
    assert!(!html.contains("{&quot;") && !html.contains("&quot;from&quot;"), "no raw JSON: {html}");
    let (st, me) = app.get(&admin, "/api/v1/auth/me").await;
    assert_eq!(st, StatusCode::OK, "{me}");
    let who = format!("{}（系统管理员 · 演示县）", me["account"]["display_name"].as_str().unwrap());
    assert!(html.contains(&who), "{who} in {html}");
    // The filter offers the actions by their Chinese names.
    assert!(html.contains("<option value=\"login\">登录</option>"), "{html}");
    assert!(html.contains("<option value=\"area_updated\" selected>修改区域</option>"), "{html}");
    // Sign-ins read as such.
    let html = app.call(Method::GET, "/audit?action=login", &aud, None).await.text();
    assert!(html.contains(">登录</td>") && !html.contains(">login</td>"), "{html}");
}

/// Every action recorded anywhere in the source (`audit::record(…, "action", …)`, the event and
/// submission steps) has a Chinese name in `audit::labels::ACTIONS`.
#[test]
fn every_recorded_action_has_a_chinese_name() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let (mut missing, mut checked) = (Vec::new(), 0);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (at, _) in text.match_indices("audit::record(") {
            // The third argument of record(tx, ctx, action, …), when it is a literal.
            let args = top_level_args(&text[at + "audit::record(".len()..]);
            let Some(code) = args.get(2).and_then(|a| a.strip_prefix('"')).and_then(|a| a.strip_suffix('"')) else {
                continue;
            };
            checked += 1;
            if wangge::audit::labels::action_label(code) == code {
                missing.push(format!("{} {code}", f.display()));
            }
        }
        for (at, _) in text.match_indices("audit_read(state, actor, \"") {
            let rest = &text[at + "audit_read(state, actor, \"".len()..];
            let code = rest.split('"').next().unwrap_or("");
            let read = format!("{code}_read");
            let label = wangge::audit::labels::action_label;
            if label(code) == code && label(&read) == read {
                missing.push(format!("{} {code}", f.display()));
            }
        }
    }
    // Actions built from a step: every step of the event workflow and of submissions.
    for a in wangge::domains::events::workflow::ACTIONS {
        let code = format!("event_{}", a.as_str());
        if wangge::audit::labels::action_label(&code) == code {
            missing.push(code);
        }
    }
    for step in ["send", "update", "resend", "sign", "return"] {
        let code = format!("submission_{step}");
        if wangge::audit::labels::action_label(&code) == code {
            missing.push(code);
        }
    }
    assert!(checked > 60, "the scan found only {checked} recorded actions: is it still reading the calls?");
    assert!(missing.is_empty(), "actions without a Chinese name (add them to src/audit/labels.rs): {missing:#?}");
}

/// The arguments of a call up to its closing parenthesis, split at top-level commas, trimmed.
fn top_level_args(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth, mut in_str) = (Vec::new(), String::new(), 0, false);
    let mut prev = ' ';
    for c in s.chars() {
        if in_str {
            cur.push(c);
            if c == '"' && prev != '\\' {
                in_str = false;
            }
        } else {
            match c {
                '"' => {
                    in_str = true;
                    cur.push(c);
                }
                '(' | '[' | '{' => {
                    depth += 1;
                    cur.push(c);
                }
                ')' | ']' | '}' if depth == 0 => break,
                ')' | ']' | '}' => {
                    depth -= 1;
                    cur.push(c);
                }
                ',' if depth == 0 => out.push(std::mem::take(&mut cur).trim().to_owned()),
                _ => cur.push(c),
            }
        }
        prev = c;
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_owned());
    }
    out
}
