//! The few places where SQLite and PostgreSQL need different SQL or different maintenance: kept here so no
//! other module names a backend.

use super::{Backend, Db};

impl Backend {
    /// The engine's name, for benchmark and status output.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// SQL for the child segment of a materialised path under `path` (`12/` of `/1/5/12/40/` under `/1/5/`):
/// grouping rows by it rolls them up to the child areas in the database.
pub fn child_segment_sql(backend: Backend, column: &str, path: &str) -> String {
    let find = match backend {
        Backend::Sqlite => "instr",
        Backend::Postgres => "strpos",
    };
    let start = path.len() + 1;
    format!("substr({column}, {start}, {find}(substr({column}, {start}), '/'))")
}

/// What `Db::refresh_statistics` does besides PostgreSQL's ANALYZE of the named tables.
#[derive(Clone, Copy, Debug, Default)]
pub struct Statistics {
    /// Also VACUUM on PostgreSQL: sets the visibility map of freshly bulk-loaded tables (index-only scans).
    pub vacuum: bool,
    /// Also ANALYZE the whole SQLite database (the product's SQLite plans without statistics; benchmarks
    /// that want the planner's best plan ask for them).
    pub sqlite: bool,
}

impl Db {
    /// Refreshes the planner's statistics of these tables after a bulk load.
    pub async fn refresh_statistics(&self, tables: &[&str], s: Statistics) -> sqlx::Result<()> {
        match self.backend() {
            Backend::Postgres => {
                let verb = if s.vacuum { "VACUUM ANALYZE" } else { "ANALYZE" };
                for t in tables {
                    self.read().execute(&format!("{verb} {t}"), vec![]).await?;
                }
            }
            Backend::Sqlite if s.sqlite => {
                self.read().execute("ANALYZE", vec![]).await?;
            }
            Backend::Sqlite => {}
        }
        Ok(())
    }
}
