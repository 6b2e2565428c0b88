//! Parses a database URL and opens the pool; a malformed or unknown URL is refused, never replaced.

use super::Db;
use anyhow::{Context, bail};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// A database location, parsed from `--database-url` or derived from the data directory.
#[derive(Clone, Debug)]
pub enum DbUrl {
    /// A SQLite file; `create` says whether a missing file may be created.
    Sqlite { path: PathBuf, create: bool },
    /// A PostgreSQL URL.
    Postgres(String),
}

impl DbUrl {
    /// The default: `wangge.db` inside the data directory, created when missing.
    pub fn default_in(data_dir: &Path) -> Self {
        DbUrl::Sqlite { path: data_dir.join("wangge.db"), create: true }
    }

    /// Parses an explicit URL. `sqlite:PATH` opens an existing file (add `?mode=rwc` to allow
    /// creating it); `postgres://` or `postgresql://` selects PostgreSQL. Anything else is refused.
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            PgConnectOptions::from_str(url).context("数据库地址格式不正确（PostgreSQL）")?;
            return Ok(DbUrl::Postgres(url.to_owned()));
        }
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
            if path.is_empty() || path == ":memory:" {
                bail!("数据库地址格式不正确：SQLite 地址必须指向一个文件，例如 sqlite:./data/wangge.db");
            }
            let mut create = false;
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                match pair {
                    "mode=rwc" => create = true,
                    "mode=rw" => create = false,
                    other => bail!("数据库地址格式不正确：不认识的参数 {other}（只支持 mode=rw 或 mode=rwc）"),
                }
            }
            return Ok(DbUrl::Sqlite { path: PathBuf::from(path), create });
        }
        bail!("数据库地址格式不正确：应以 sqlite: 或 postgres:// 开头")
    }

    /// A description without credentials, for logs.
    pub fn describe(&self) -> String {
        match self {
            DbUrl::Sqlite { path, .. } => format!("SQLite {}", path.display()),
            DbUrl::Postgres(url) => match PgConnectOptions::from_str(url) {
                Ok(o) => format!("PostgreSQL {}:{}/{}", o.get_host(), o.get_port(), o.get_database().unwrap_or("")),
                Err(_) => "PostgreSQL".into(),
            },
        }
    }
}

/// Opens the pool (without migrating).
pub async fn connect(url: &DbUrl) -> anyhow::Result<Db> {
    match url {
        DbUrl::Sqlite { path, create } => {
            if !*create && !path.exists() {
                bail!("数据库文件 {} 不存在。若要新建，请在地址后加 ?mode=rwc", path.display());
            }
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).with_context(|| format!("无法创建数据目录 {}", dir.display()))?;
            }
            if *create && !path.exists() {
                // Readable by its owner only; SQLite gives its log and shared-memory files the same mode.
                crate::crypto::write_private(path, b"")
                    .with_context(|| format!("无法创建数据库文件 {}", path.display()))?;
            }
            let opts = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(*create)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(15))
                // Rows travel from the connection's thread to the caller through a bounded queue;
                // at the default 50 a multi-row INSERT … RETURNING stalled its thread every 50 rows
                // until the caller was scheduled, which on a busy machine took longer than the insert.
                .row_buffer_size(1024)
                // A 32 MiB page cache and memory-mapped reads of up to 2 GiB of the file (SQLite's
                // limit): the register is millions of rows, and an import touches pages all over it.
                .pragma("cache_size", "-32768")
                .pragma("mmap_size", "2147418112")
                .pragma("temp_store", "memory")
                // Commits do not copy the log into the database file; the checkpointer below does.
                .pragma("wal_autocheckpoint", "0");
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(opts)
                .await
                .with_context(|| format!("无法打开数据库 {}", path.display()))?;
            spawn_checkpointer(pool.clone());
            Ok(Db::Sqlite(pool))
        }
        DbUrl::Postgres(url) => {
            // No JIT: the figures' queries cross its cost threshold and then spend more time
            // compiling (30–180 ms) than running.
            let opts = PgConnectOptions::from_str(url)?.options([("jit", "off")]);
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(15))
                .connect_with(opts)
                .await
                .context("无法连接 PostgreSQL 数据库")?;
            Ok(Db::Postgres(pool))
        }
    }
}

/// How often the write-ahead log is copied into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(5);

/// Bulk writers (imports) running now; checkpoints wait until there are none.
static BULK_WRITERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Held by a bulk writer for its whole run: a checkpoint meanwhile would copy the batches already
/// committed while the next are written, competing for the same disk and cores; it runs after.
pub struct CheckpointPause(());

impl CheckpointPause {
    pub fn start() -> CheckpointPause {
        BULK_WRITERS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        CheckpointPause(())
    }
}

impl Drop for CheckpointPause {
    fn drop(&mut self) {
        BULK_WRITERS.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Copies the SQLite write-ahead log into the database file every few seconds, in the background
/// and without blocking writers or readers (PASSIVE). With automatic checkpoints a commit that
/// crossed 1,000 log pages did this itself: the user whose save came after an import waited for
/// the import's pages to be written a second time.
fn spawn_checkpointer(pool: sqlx::SqlitePool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            if pool.is_closed() {
                return;
            }
            if BULK_WRITERS.load(std::sync::atomic::Ordering::SeqCst) > 0 {
                continue;
            }
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(error = %e, "SQLite checkpoint failed");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_malformed_urls() {
        for bad in
            ["", "mysql://x", "postgress://x", "sqlite:", "sqlite::memory:", "sqlite:a.db?mode=ro", "data/wangge.db"]
        {
            assert!(DbUrl::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn parses_good_urls() {
        assert!(matches!(DbUrl::parse("postgres://root@127.0.0.1/test").unwrap(), DbUrl::Postgres(_)));
        match DbUrl::parse("sqlite:./data/x.db?mode=rwc").unwrap() {
            DbUrl::Sqlite { path, create } => {
                assert_eq!(path, PathBuf::from("./data/x.db"));
                assert!(create);
            }
            _ => panic!("expected sqlite"),
        }
        assert!(matches!(DbUrl::parse("sqlite://x.db").unwrap(), DbUrl::Sqlite { create: false, .. }));
    }
}
