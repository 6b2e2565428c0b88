//! The audit trail: one append-only, hash-chained row per sign-in, change, export and personal-data read.

pub mod api;
mod chain;
pub mod labels;
pub mod pages;
mod store;

pub use chain::{VerifyReport, verify};
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
