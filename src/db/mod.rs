//! The database layer: one `Db` enum over native SQLite and PostgreSQL pools, so every query is written once.
//!
//! SQL is written in the portable subset both engines share, with numbered placeholders (`$1`, `$2` …),
//! which sqlx accepts on SQLite too. Dialect differences live here and in `dialect`, nowhere else.

pub mod bulk;
mod connect;
mod dialect;
mod filter;
mod value;

pub use connect::{CheckpointPause, DbUrl, connect};
pub use dialect::{Statistics, child_segment_sql};
pub use filter::Filter;
pub use value::Value;

use futures_util::TryStreamExt;
use sqlx::postgres::{PgPool, PgRow};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{AssertSqlSafe, FromRow, Postgres, Sqlite, Transaction};

/// A row type that can be read from both engines (derive `sqlx::FromRow`, or use a tuple).
pub trait Record: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Record for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

/// Builds the argument list of a query: `args![a, b, c]`.
#[macro_export]
macro_rules! args {
    () => { Vec::<$crate::db::Value>::new() };
    ($($v:expr),+ $(,)?) => { vec![$($crate::db::Value::from($v)),+] };
}

/// Which engine a connection talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool to one of the two engines.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open transaction; dropping it without `commit` rolls it back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Value::Int(v) => q.bind(v),
                Value::Float(v) => q.bind(v),
                Value::Text(v) => q.bind(v),
                Value::Bool(v) => q.bind(v),
                Value::Bytes(v) => q.bind(v),
            };
        }
        q
    }};
}

macro_rules! run_on {
    ($exec:expr, $db:ty, fetch_all, $sql:expr, $args:expr) => {
        bind_all!(sqlx::query_as::<$db, T>(AssertSqlSafe($sql.to_owned())), $args)
            .fetch($exec)
            .try_collect::<Vec<T>>()
            .await
    };
    ($exec:expr, $db:ty, fetch_optional, $sql:expr, $args:expr) => {
        bind_all!(sqlx::query_as::<$db, T>(AssertSqlSafe($sql.to_owned())), $args).fetch_optional($exec).await
    };
    ($exec:expr, $db:ty, execute, $sql:expr, $args:expr) => {
        bind_all!(sqlx::query::<$db>(AssertSqlSafe($sql.to_owned())), $args)
            .execute($exec)
            .await
            .map(|r| r.rows_affected())
    };
}

/// The query methods shared by a pool and a transaction.
macro_rules! query_methods {
    ($c:ident => $exec_s:expr, $exec_p:expr) => {
        /// All rows of a query.
        pub async fn fetch_all<T: Record>(&mut self, sql: &str, args: Vec<Value>) -> sqlx::Result<Vec<T>> {
            match self {
                Self::Sqlite($c) => run_on!($exec_s, Sqlite, fetch_all, sql, args),
                Self::Postgres($c) => run_on!($exec_p, Postgres, fetch_all, sql, args),
            }
        }
        /// The first row of a query, if any.
        pub async fn fetch_optional<T: Record>(&mut self, sql: &str, args: Vec<Value>) -> sqlx::Result<Option<T>> {
            match self {
                Self::Sqlite($c) => run_on!($exec_s, Sqlite, fetch_optional, sql, args),
                Self::Postgres($c) => run_on!($exec_p, Postgres, fetch_optional, sql, args),
            }
        }
        /// Exactly one row; `RowNotFound` otherwise.
        pub async fn fetch_one<T: Record>(&mut self, sql: &str, args: Vec<Value>) -> sqlx::Result<T> {
            self.fetch_optional(sql, args).await?.ok_or(sqlx::Error::RowNotFound)
        }
        /// A statement without result rows; answers the number of rows affected.
        pub async fn execute(&mut self, sql: &str, args: Vec<Value>) -> sqlx::Result<u64> {
            match self {
                Self::Sqlite($c) => run_on!($exec_s, Sqlite, execute, sql, args),
                Self::Postgres($c) => run_on!($exec_p, Postgres, execute, sql, args),
            }
        }
        /// Which engine this is.
        pub fn backend(&self) -> Backend {
            match self {
                Self::Sqlite(_) => Backend::Sqlite,
                Self::Postgres(_) => Backend::Postgres,
            }
        }
    };
}

/// A pool handle used for one-off reads (`db.read()`), so reads and transactions share one API.
pub enum PoolRef<'a> {
    Sqlite(&'a SqlitePool),
    Postgres(&'a PgPool),
}

impl PoolRef<'_> {
    query_methods!(c => *c, *c);
}

impl Tx {
    query_methods!(c => &mut **c, &mut **c);

    /// Commits the transaction.
    pub async fn commit(self) -> sqlx::Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }

    /// Commits what was written so far and goes on in a new transaction on the same connection
    /// (for batches of one bulk write: on SQLite the connection's page cache stays warm, and a
    /// `begin_bulk` connection keeps its settings). Dropping the `Tx` still rolls back only the
    /// work since this call.
    pub async fn commit_and_continue(&mut self) -> sqlx::Result<()> {
        let begin = if self.backend() == Backend::Sqlite { "BEGIN IMMEDIATE" } else { "BEGIN" };
        self.execute("COMMIT", vec![]).await?;
        self.execute(begin, vec![]).await.map(drop)
    }

    /// Makes writers of one thing (named by `key`) take turns until this transaction ends. SQLite
    /// transactions are already exclusive (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped
    /// advisory lock.
    pub async fn take_turns(&mut self, key: i64) -> sqlx::Result<()> {
        match self.backend() {
            Backend::Sqlite => Ok(()),
            Backend::Postgres => {
                self.execute("SELECT pg_advisory_xact_lock($1)", vec![Value::from(key)]).await.map(drop)
            }
        }
    }
}

impl Db {
    /// A handle for reads outside a transaction.
    pub fn read(&self) -> PoolRef<'_> {
        match self {
            Db::Sqlite(p) => PoolRef::Sqlite(p),
            Db::Postgres(p) => PoolRef::Postgres(p),
        }
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
    /// so two writers queue on the busy timeout instead of failing half-way.
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        match self {
            Db::Sqlite(p) => Ok(Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?)),
            Db::Postgres(p) => Ok(Tx::Postgres(p.begin().await?)),
        }
    }

    /// Begins a transaction for bulk writes (imports), whose caller has checked every reference
    /// itself. On SQLite its connection skips foreign-key checks, so a multi-row `INSERT OR FAIL`
    /// needs no statement journal (a copy of every page it touches), and keeps a 256 MiB page
    /// cache, so a batch that touches most pages of a large index does not spill them to the log
    /// half-way; its commit writes the log without waiting for the disk (`synchronous = NORMAL`:
    /// after a power cut the database is intact but may lack the last batches) — the caller makes
    /// its batches durable with `sync_log` before it reports them done. The connection is closed
    /// afterwards instead of going back to the pool with those settings. On PostgreSQL it is an
    /// ordinary transaction.
    pub async fn begin_bulk(&self) -> sqlx::Result<Tx> {
        match self {
            Db::Sqlite(p) => {
                let mut conn = p.acquire().await?;
                conn.close_on_drop();
                sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *conn).await?;
                sqlx::query("PRAGMA cache_size = -262144").execute(&mut *conn).await?;
                sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
                let begin = sqlx::SqlSafeStr::into_sql_str(AssertSqlSafe("BEGIN IMMEDIATE"));
                Ok(Tx::Sqlite(Transaction::begin(conn, Some(begin)).await?))
            }
            Db::Postgres(p) => Ok(Tx::Postgres(p.begin().await?)),
        }
    }

    /// Forces what bulk transactions committed to disk: on SQLite, the write-ahead log, from a
    /// blocking thread (so it can run while the next batch is written); on PostgreSQL every commit
    /// is durable already. Any later ordinary commit on SQLite forces the whole log too.
    pub async fn sync_log(&self) -> std::io::Result<()> {
        match self {
            Db::Sqlite(p) => {
                let mut log = p.connect_options().get_filename().as_os_str().to_owned();
                log.push("-wal");
                let sync = move || match std::fs::File::open(&log) {
                    Ok(f) => f.sync_data(),
                    // No log (an in-memory database, or none written yet): nothing to force.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                    Err(e) => Err(e),
                };
                tokio::task::spawn_blocking(sync).await.map_err(std::io::Error::other)?
            }
            Db::Postgres(_) => Ok(()),
        }
    }

    /// Which engine this is.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations of this engine.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Db::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// Closes every connection.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern and wraps it in `%`.
pub fn like_contains(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Is this error a unique-constraint violation (on either engine)?
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d.is_unique_violation(),
        _ => false,
    }
}
