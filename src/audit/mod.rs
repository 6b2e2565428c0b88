//! The audit trail: one append-only, hash-chained row per sign-in, change, export and personal-data read.

pub mod anchor;
pub mod api;
mod chain;
pub mod key;
pub mod labels;
pub mod pages;
mod store;

pub use chain::{VerifyReport, verify};

/// `audit verify` of a data directory: the chain under the installed key, the rows before keying as the
/// anchor file records them, and every anchor; a passing check is anchored too. Answers the report and
/// notes for the operator.
pub async fn verify_data_dir(
    db: &crate::db::Db,
    data_dir: &std::path::Path,
    now: Millis,
) -> anyhow::Result<(VerifyReport, Vec<String>)> {
    let key = key::installed().ok_or_else(|| anyhow::anyhow!("审计密钥未加载"))?;
    let mut notes = Vec::new();
    let anchors = match anchor::read(data_dir)? {
        Some(a) => a,
        None => {
            notes.push(format!(
                "注意：锚点文件 {} 不存在，只能校验库内的链，无法发现末尾被删除的记录",
                anchor::path(data_dir).display()
            ));
            Vec::new()
        }
    };
    let plain_until = anchors.iter().find(|a| a.keyed_after).map(|a| a.rows).unwrap_or(0);
    if plain_until > 0 {
        notes.push(format!("第 1 至 {plain_until} 条记录写于启用审计密钥之前，按原 SHA-256 链校验"));
    }
    let report = chain::verify_with(db, &chain::Expect { key, plain_until, anchors: &anchors }).await?;
    if let VerifyReport::Intact { .. } = report {
        anchor::anchor_now(db, data_dir, now, false).await?;
    }
    Ok((report, notes))
}
pub use store::{AuditQuery, AuditRow, changes_of, search};

use crate::clock::Millis;
use crate::db::Tx;
use crate::error::AppResult;
use serde_json::{Map, Value, json};

/// Who is acting, from where: stamped on every audit row.
#[derive(Clone, Debug)]
pub struct AuditCtx {
    pub account_id: Option<i64>,
    pub username: String,
    pub ip: String,
    pub request_id: String,
    pub now: Millis,
}

impl AuditCtx {
    /// A context for command-line actions.
    pub fn cli(now: Millis) -> Self {
        AuditCtx { account_id: None, username: "命令行".into(), ip: "local".into(), request_id: "cli".into(), now }
    }
    /// A context for background jobs of the server.
    pub fn job(name: &str, now: Millis) -> Self {
        AuditCtx {
            account_id: None,
            username: "系统".into(),
            ip: "local".into(),
            request_id: format!("job:{name}"),
            now,
        }
    }
}

/// Appends one row (inside the caller's transaction, so it lands with the change or not at all).
pub async fn record(
    tx: &mut Tx,
    ctx: &AuditCtx,
    action: &str,
    object_type: &str,
    object_id: impl ToString,
    detail: Value,
) -> AppResult<()> {
    store::append(tx, ctx, action, object_type, &object_id.to_string(), &detail).await
}

/// Appends several rows for one actor, in order (a background job's batch), in one statement.
pub async fn record_many(tx: &mut Tx, ctx: &AuditCtx, entries: &[(&str, &str, String, &Value)]) -> AppResult<()> {
    store::append_many(tx, ctx, entries).await
}

/// The fields that differ between two JSON objects, as `{field: {from, to}}`.
pub fn changes(before: &Value, after: &Value) -> Value {
    let empty = Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut out = Map::new();
    for (k, new) in a {
        let old = b.get(k).unwrap_or(&Value::Null);
        if old != new {
            out.insert(k.clone(), json!({ "from": old, "to": new }));
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_lists_only_changed_fields() {
        let d = changes(&json!({"name": "a", "phone": "1"}), &json!({"name": "b", "phone": "1"}));
        assert_eq!(d, json!({"name": {"from": "a", "to": "b"}}));
    }
}
