//! The hash chain over audit rows, and `audit verify`, which finds the first altered or missing row.

use super::store::{AuditRow, fetch_range};
use crate::db::Db;
use sha2::{Digest, Sha256};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of a row: SHA-256 over the previous hash and every field, separated unambiguously.
#[allow(clippy::too_many_arguments)]
pub fn row_hash(
    prev_hash: &str,
    id: i64,
    at: i64,
    account_id: Option<i64>,
    username: &str,
    action: &str,
    object_type: &str,
    object_id: &str,
    detail: &str,
    ip: &str,
    request_id: &str,
) -> String {
    let mut h = Sha256::new();
    let account = account_id.map(|a| a.to_string()).unwrap_or_default();
    for part in [
        prev_hash,
        &id.to_string(),
        &at.to_string(),
        &account,
        username,
        action,
        object_type,
        object_id,
        detail,
        ip,
        request_id,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

pub fn hash_of(r: &AuditRow) -> String {
    row_hash(
        &r.prev_hash,
        r.id,
        r.at,
        r.account_id,
        &r.username,
        &r.action,
        &r.object_type,
        &r.object_id,
        &r.detail,
        &r.ip,
        &r.request_id,
    )
}

/// The outcome of checking the whole chain.
#[derive(Debug, PartialEq, Eq)]
pub enum VerifyReport {
    Intact {
        rows: u64,
    },
    /// The first row whose content no longer matches its hash, or whose link to the previous row is broken.
    Altered {
        id: i64,
        reason: String,
    },
    /// A row is missing before this id.
    Missing {
        expected_id: i64,
        found_id: i64,
    },
}

impl std::fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyReport::Intact { rows } => write!(f, "审计记录完整：共 {rows} 条，哈希链校验通过"),
            VerifyReport::Altered { id, reason } => write!(f, "审计记录第 {id} 条被篡改：{reason}"),
            VerifyReport::Missing { expected_id, found_id } => {
                write!(f, "审计记录缺失：应为第 {expected_id} 条，实为第 {found_id} 条")
            }
        }
    }
}

/// Walks the chain in id order, a page at a time.
pub async fn verify(db: &Db) -> anyhow::Result<VerifyReport> {
    let mut prev_hash = GENESIS.to_owned();
    let mut expected = 1i64;
    let mut rows = 0u64;
    loop {
        let page = fetch_range(db, expected - 1, 5000).await?;
        if page.is_empty() {
            return Ok(VerifyReport::Intact { rows });
        }
        for r in page {
            if r.id != expected {
                return Ok(VerifyReport::Missing { expected_id: expected, found_id: r.id });
            }
            if r.prev_hash != prev_hash {
                return Ok(VerifyReport::Altered { id: r.id, reason: "与上一条的链接不符".into() });
            }
            if hash_of(&r) != r.hash {
                return Ok(VerifyReport::Altered { id: r.id, reason: "内容与哈希不符".into() });
            }
            prev_hash = r.hash;
            expected += 1;
            rows += 1;
        }
    }
}
