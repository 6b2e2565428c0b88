//! Anchors of the chain outside the database: the row count and head hash, appended to
//! `<data-dir>/audit/anchors.log` (hourly, and on `audit anchor` / a passing `audit verify`).

use super::store::head;
use crate::clock::Millis;
use crate::db::Db;
use anyhow::{Context, bail};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One anchor line: at that time the chain had `rows` rows ending in `hash`. The line written when the
/// audit key was created (`keyed_after`) marks the rows before keying: those are checked as plain SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub at: Millis,
    pub rows: i64,
    pub hash: String,
    pub keyed_after: bool,
}

const KIND_ANCHOR: &str = "anchor";
const KIND_KEYED: &str = "keyed-after";

pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("audit").join("anchors.log")
}

impl Anchor {
    fn line(&self) -> String {
        let kind = if self.keyed_after { KIND_KEYED } else { KIND_ANCHOR };
        format!("v1\t{}\t{}\t{}\t{}\t{}\n", self.at, self.rows, self.hash, kind, crate::clock::format_local(self.at))
    }

    fn parse(line: &str) -> Option<Anchor> {
        let mut f = line.split('\t');
        if f.next()? != "v1" {
            return None;
        }
        let at = f.next()?.parse().ok()?;
        let rows = f.next()?.parse().ok()?;
        let hash = f.next()?.to_owned();
        let keyed_after = match f.next()? {
            KIND_KEYED => true,
            KIND_ANCHOR => false,
            _ => return None,
        };
        Some(Anchor { at, rows, hash, keyed_after })
    }
}

/// Appends one line (the file is only ever opened for appending; created 0600 in a 0700 directory).
pub fn append(data_dir: &Path, a: &Anchor) -> anyhow::Result<()> {
    let p = path(data_dir);
    if let Some(dir) = p.parent() {
        crate::crypto::create_private_dir(dir)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&p).with_context(|| format!("无法写入审计锚点文件 {}", p.display()))?;
    f.write_all(a.line().as_bytes())?;
    f.sync_all()?;
    Ok(())
}

/// All anchors, oldest first; `None` when the file does not exist. A line that cannot be read is an error.
pub fn read(data_dir: &Path) -> anyhow::Result<Option<Vec<Anchor>>> {
    let p = path(data_dir);
    if !p.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&p).with_context(|| format!("无法读取审计锚点文件 {}", p.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        match Anchor::parse(line) {
            Some(a) => out.push(a),
            None => bail!("审计锚点文件第 {} 行格式不正确", n + 1),
        }
    }
    Ok(Some(out))
}

/// Writes an anchor of the chain as it is now.
pub async fn anchor_now(db: &Db, data_dir: &Path, now: Millis, keyed_after: bool) -> anyhow::Result<Anchor> {
    let (rows, hash) = head(db).await?;
    let a = Anchor { at: now, rows, hash, keyed_after };
    append(data_dir, &a)?;
    Ok(a)
}

/// Loads and installs the audit key for this process; when the key file is created now, first records
/// the rows chained before keying (they stay plain SHA-256 and are checked as such).
pub async fn prepare(db: &Db, data_dir: &Path, now: Millis) -> anyhow::Result<()> {
    let (key, created) = super::key::AuditKey::load(data_dir)?;
    if created {
        anchor_now(db, data_dir, now, true).await?;
    }
    super::key::install(key);
    Ok(())
}

/// Whether an hourly anchor is due: an hour of the clock since the last one (or none written yet).
pub fn due(last: Option<Millis>, now: Millis) -> bool {
    last.is_none_or(|t| now - t >= crate::clock::HOUR)
}

/// Anchors the chain every hour of the server's clock (checked each minute), for as long as the server runs.
pub fn spawn_hourly(db: Db, data_dir: PathBuf, clock: crate::clock::Clock) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        let mut last = None;
        loop {
            tick.tick().await;
            let now = clock.now();
            if !due(last, now) {
                continue;
            }
            match anchor_now(&db, &data_dir, now, false).await {
                Ok(_) => last = Some(now),
                Err(e) => tracing::error!(error = %e, "audit anchor could not be written"),
            }
        }
    });
}
