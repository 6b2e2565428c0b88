//! SQL of the assessment rules and the base score.

use super::model::{Metric, Rule};
use crate::args;
use crate::clock::Millis;
use crate::db::{Db, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
struct RuleRow {
    code: String,
    metric: String,
    name: String,
    points: f64,
    max_points: f64,
    enabled: bool,
    version: i64,
}

fn rule(r: RuleRow) -> Option<Rule> {
    Some(Rule {
        metric: Metric::parse(&r.metric)?,
        code: r.code,
        name: r.name,
        points: r.points,
        max_points: r.max_points,
        enabled: r.enabled,
        version: r.version,
    })
}

const COLUMNS: &str = "code, metric, name, points, max_points, enabled, version";

pub async fn rules(db: &Db) -> sqlx::Result<Vec<Rule>> {
    let rows: Vec<RuleRow> =
        db.read().fetch_all(&format!("SELECT {COLUMNS} FROM assessment_rules ORDER BY code"), args![]).await?;
    Ok(rows.into_iter().filter_map(rule).collect())
}

pub async fn rule_tx(tx: &mut Tx, code: &str) -> sqlx::Result<Option<Rule>> {
    let row: Option<RuleRow> =
        tx.fetch_optional(&format!("SELECT {COLUMNS} FROM assessment_rules WHERE code = $1"), args![code]).await?;
    Ok(row.and_then(rule))
}

/// Changes a rule if it is still at `version`.
pub async fn update_rule(tx: &mut Tx, r: &Rule, version: i64, now: Millis) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE assessment_rules SET name = $1, points = $2, max_points = $3, enabled = $4, updated_at = $5, \
             version = version + 1 WHERE code = $6 AND version = $7",
            args![r.name.as_str(), r.points, r.max_points, r.enabled, now, r.code.as_str(), version],
        )
        .await?;
    Ok(n == 1)
}

/// The score every unit starts from (setting `assessment_base`, default 100).
pub async fn base(db: &Db) -> sqlx::Result<f64> {
    let row: Option<(String,)> = db
        .read()
        .fetch_optional("SELECT value FROM supervision_settings WHERE key = 'assessment_base'", args![])
        .await?;
    Ok(row.and_then(|(v,)| v.parse().ok()).unwrap_or(100.0))
}
