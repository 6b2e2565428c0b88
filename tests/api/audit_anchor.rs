//! The keyed audit chain against an attacker who can write the database: cutting the end is found by the
//! anchors outside it, rewriting a row and recomputing every later plain hash by the key; rows chained
//! before keying are checked as plain SHA-256 up to the boundary the anchor file records.

use crate::audit::{AuditTuple, chain_hash, disable_triggers, total_rows};
use crate::helpers::*;
use wangge::audit::VerifyReport;
use wangge::audit::anchor::{Anchor, append};

const TUPLE: &str = "SELECT id, at, account_id, username, action, object_type, object_id, detail, ip, request_id, prev_hash FROM audit_log";

/// Runs `audit verify` as the command does (anchors in the app's data directory).
async fn verify(app: &TestApp) -> (VerifyReport, Vec<String>) {
    wangge::commands::audit_verify(&app.db, app.dir.path(), app.clock.now()).await.unwrap()
}

/// Recomputes every row's link and plain SHA-256 hash from `from_id` on, as an attacker without the key would.
async fn rechain_plain(app: &TestApp, from_id: i64) {
    let rows: Vec<AuditTuple> = app.db.read().fetch_all(&format!("{TUPLE} ORDER BY id"), vec![]).await.unwrap();
    let mut prev: Option<String> = None;
    for mut r in rows {
        if r.0 >= from_id {
            if let Some(p) = prev.take() {
                r.10 = p;
            }
            let h = chain_hash(&r);
            app.db
                .read()
                .execute(
                    &format!("UPDATE audit_log SET prev_hash = '{}', hash = '{h}' WHERE id = {}", r.10, r.0),
                    vec![],
                )
                .await
                .unwrap();
            prev = Some(h);
        } else {
            let (h,): (String,) = app
                .db
                .read()
                .fetch_one(&format!("SELECT hash FROM audit_log WHERE id = {}", r.0), vec![])
                .await
                .unwrap();
            prev = Some(h);
        }
    }
}

#[tokio::test]
async fn deleting_the_last_rows_is_reported_as_truncation() {
    let (app, _t, _admin) = TestApp::with_tree().await;
    let rows = total_rows(&app).await;
    assert!(rows > 5);
    let (first, _) = verify(&app).await;
    assert_eq!(first, VerifyReport::Intact { rows }, "a passing verify writes an anchor");
    disable_triggers(&app).await;
    let cut = app.db.read().execute(&format!("DELETE FROM audit_log WHERE id > {}", rows - 3), vec![]).await.unwrap();
    assert_eq!(cut, 3);
    assert_eq!(
        wangge::audit::verify(&app.db).await.unwrap(),
        VerifyReport::Intact { rows: rows - 3 },
        "the chain alone cannot tell"
    );
    let (report, _) = verify(&app).await;
    match &report {
        VerifyReport::Truncated { rows: left, anchored, .. } => {
            assert_eq!((*left, *anchored), (rows - 3, rows as i64));
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
    let text = report.to_string();
    assert!(text.starts_with(&format!("审计记录被截断：现有 {} 条", rows - 3)), "{text}");
    assert!(text.contains(&format!("第 {} 至 {rows} 条缺失", rows - 2)), "{text}");
    let printed = wangge::commands::audit_anchors_text(app.dir.path()).unwrap();
    assert!(printed.contains(&format!("\t{rows}\t")), "{printed}");
}

#[tokio::test]
async fn a_rewritten_row_with_every_later_hash_recomputed_is_reported() {
    let (app, _t, _admin) = TestApp::with_tree().await;
    let rows = total_rows(&app).await;
    disable_triggers(&app).await;
    app.db.read().execute("UPDATE audit_log SET detail = '{\"name\":\"篡改\"}' WHERE id = 5", vec![]).await.unwrap();
    rechain_plain(&app, 5).await;
    let (report, _) = verify(&app).await;
    assert_eq!(report, VerifyReport::Altered { id: 5, reason: "内容与哈希不符（或审计密钥不符）".into() });
    assert_eq!(report.to_string(), "审计记录第 5 条被篡改：内容与哈希不符（或审计密钥不符）");
    let anchors = wangge::audit::anchor::read(app.dir.path()).unwrap();
    assert!(anchors.is_none_or(|a| a.iter().all(|x| x.rows != rows as i64)), "a failed verify writes no anchor");
}

#[tokio::test]
async fn rows_chained_before_keying_are_checked_as_plain_up_to_the_boundary() {
    let (app, t, _admin) = TestApp::with_tree().await;
    let before = total_rows(&app).await as i64;
    disable_triggers(&app).await;
    // The chain as an earlier version wrote it: plain SHA-256 all along; then the key was created.
    rechain_plain(&app, 1).await;
    let (head,): (String,) =
        app.db.read().fetch_one(&format!("SELECT hash FROM audit_log WHERE id = {before}"), vec![]).await.unwrap();
    append(app.dir.path(), &Anchor { at: app.clock.now(), rows: before, hash: head, keyed_after: true }).unwrap();
    app.demo_session("keyed", wangge::auth::Role::SystemAdmin, Bind::Area(t.county)).await;
    let rows = total_rows(&app).await;
    assert!(rows as i64 > before, "new rows were appended under the key");
    let (report, notes) = verify(&app).await;
    assert_eq!(report, VerifyReport::Intact { rows });
    assert!(notes.iter().any(|n| n.contains(&format!("第 1 至 {before} 条"))), "{notes:?}");
    // Rewriting a plain row and recomputing the plain part breaks the first keyed row's link.
    app.db.read().execute("UPDATE audit_log SET detail = '{}' WHERE id = 2", vec![]).await.unwrap();
    let plain: Vec<AuditTuple> =
        app.db.read().fetch_all(&format!("{TUPLE} WHERE id <= {before} ORDER BY id"), vec![]).await.unwrap();
    let mut prev = plain[0].10.clone();
    for mut r in plain {
        r.10 = prev;
        prev = chain_hash(&r);
        app.db
            .read()
            .execute(
                &format!("UPDATE audit_log SET prev_hash = '{}', hash = '{prev}' WHERE id = {}", r.10, r.0),
                vec![],
            )
            .await
            .unwrap();
    }
    let (report, _) = verify(&app).await;
    assert_eq!(report, VerifyReport::Altered { id: before, reason: "与库外锚点记录的哈希不符".into() });
}
