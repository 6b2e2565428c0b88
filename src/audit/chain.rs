//! The chain over audit rows — HMAC-SHA256 under the audit key (rows before keying: plain SHA-256) —
//! and `audit verify`, which finds the first altered or missing row and checks the anchors.

use super::anchor::Anchor;
use super::key::AuditKey;
use super::store::{AuditRow, fetch_range};
use crate::db::Db;
use hmac::Mac;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of a row that its hash covers, in order.
pub struct Fields<'a> {
    pub prev_hash: &'a str,
    pub id: i64,
    pub at: i64,
    pub account_id: Option<i64>,
    pub username: &'a str,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub detail: &'a str,
    pub ip: &'a str,
    pub request_id: &'a str,
}

/// The hash of a row over the previous hash and every field, separated unambiguously: HMAC-SHA256 under
/// `key`, or plain SHA-256 (`None`, only for rows chained before the key existed).
pub fn row_hash(key: Option<&AuditKey>, f: &Fields<'_>) -> String {
    let account = f.account_id.map(|a| a.to_string()).unwrap_or_default();
    let parts = [
        f.prev_hash,
        &f.id.to_string(),
        &f.at.to_string(),
        &account,
        f.username,
        f.action,
        f.object_type,
        f.object_id,
        f.detail,
        f.ip,
        f.request_id,
    ];
    match key {
        Some(k) => {
            let mut m = k.mac();
            for part in parts {
                m.update(&(part.len() as u64).to_be_bytes());
                m.update(part.as_bytes());
            }
            hex::encode(m.finalize().into_bytes())
        }
        None => {
            let mut h = Sha256::new();
            for part in parts {
                h.update((part.len() as u64).to_be_bytes());
                h.update(part.as_bytes());
            }
            hex::encode(h.finalize())
        }
    }
}

pub fn hash_of(key: Option<&AuditKey>, r: &AuditRow) -> String {
    row_hash(
        key,
        &Fields {
            prev_hash: &r.prev_hash,
            id: r.id,
            at: r.at,
            account_id: r.account_id,
            username: &r.username,
            action: &r.action,
            object_type: &r.object_type,
            object_id: &r.object_id,
            detail: &r.detail,
            ip: &r.ip,
            request_id: &r.request_id,
        },
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
    /// Fewer rows than an anchor outside the database recorded: the end of the chain was cut.
    Truncated {
        rows: u64,
        anchored: i64,
        at: i64,
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
            VerifyReport::Truncated { rows, anchored, at } => write!(
                f,
                "审计记录被截断：现有 {rows} 条，但 {} 的锚点记录有 {anchored} 条（第 {} 至 {anchored} 条缺失）",
                crate::clock::format_local(*at),
                rows + 1
            ),
        }
    }
}

/// What the chain is checked against: the key, the last row chained before keying (0: all keyed), and the
/// anchors written outside the database.
pub struct Expect<'a> {
    pub key: &'a AuditKey,
    pub plain_until: i64,
    pub anchors: &'a [Anchor],
}

/// Walks the chain in id order, a page at a time, then compares it with the anchors.
pub async fn verify_with(db: &Db, e: &Expect<'_>) -> anyhow::Result<VerifyReport> {
    let mut wanted: BTreeMap<i64, &Anchor> = BTreeMap::new();
    for a in e.anchors.iter().filter(|a| a.rows > 0) {
        wanted.entry(a.rows).or_insert(a);
    }
    let mut prev_hash = GENESIS.to_owned();
    let mut expected = 1i64;
    loop {
        let page = fetch_range(db, expected - 1, 5000).await?;
        if page.is_empty() {
            break;
        }
        for r in page {
            if r.id != expected {
                return Ok(VerifyReport::Missing { expected_id: expected, found_id: r.id });
            }
            if r.prev_hash != prev_hash {
                return Ok(VerifyReport::Altered { id: r.id, reason: "与上一条的链接不符".into() });
            }
            let key = if r.id <= e.plain_until { None } else { Some(e.key) };
            if hash_of(key, &r) != r.hash {
                return Ok(VerifyReport::Altered {
                    id: r.id, reason: "内容与哈希不符（或审计密钥不符）".into()
                });
            }
            if let Some(a) = wanted.get(&r.id)
                && a.hash != r.hash
            {
                return Ok(VerifyReport::Altered { id: r.id, reason: "与库外锚点记录的哈希不符".into() });
            }
            prev_hash = r.hash;
            expected += 1;
        }
    }
    let rows = (expected - 1) as u64;
    if let Some((&anchored, a)) = wanted.iter().next_back()
        && anchored > rows as i64
    {
        return Ok(VerifyReport::Truncated { rows, anchored, at: a.at });
    }
    Ok(VerifyReport::Intact { rows })
}

/// Checks the chain under this process's installed key, with no anchors and every row keyed.
pub async fn verify(db: &Db) -> anyhow::Result<VerifyReport> {
    let key = super::key::installed().ok_or_else(|| anyhow::anyhow!("审计密钥未加载"))?;
    verify_with(db, &Expect { key, plain_until: 0, anchors: &[] }).await
}
