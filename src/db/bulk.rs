//! Bulk writes for seeding and imports: multi-row `INSERT` in batches, and identity sequences
//! brought up to date after rows were written with explicit ids (PostgreSQL only).

use super::{Backend, Tx, Value};

/// Most parameters one statement may carry on either engine (SQLite allows 32766, PostgreSQL 65535).
const MAX_PARAMS: usize = 30_000;

/// Inserts rows into `table` in as few statements as the parameter limits allow.
pub async fn insert_rows(tx: &mut Tx, table: &str, columns: &[&str], rows: Vec<Vec<Value>>) -> sqlx::Result<u64> {
    let mut written = 0;
    for (sql, args) in statements(tx.backend(), table, columns, rows, "") {
        written += tx.execute(&sql, args).await?;
    }
    Ok(written)
}

/// The same, with `tail` after the values (an `ON CONFLICT … RETURNING …` clause), answering the
/// rows the statements return.
pub async fn insert_rows_returning<T: super::Record>(
    tx: &mut Tx,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
    tail: &str,
) -> sqlx::Result<Vec<T>> {
    let mut out = Vec::new();
    for (sql, args) in statements(tx.backend(), table, columns, rows, tail) {
        out.extend(tx.fetch_all::<T>(&sql, args).await?);
    }
    Ok(out)
}

/// Inserts one row; answers its id.
pub async fn insert_one(tx: &mut Tx, table: &str, columns: &[&str], values: Vec<Value>) -> sqlx::Result<i64> {
    let ids: Vec<(i64,)> = insert_rows_returning(tx, table, columns, vec![values], "RETURNING id").await?;
    ids.first().map(|r| r.0).ok_or(sqlx::Error::RowNotFound)
}

/// Multi-row `INSERT` statements with their arguments, each within the parameter limits.
fn statements(
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
    tail: &str,
) -> Vec<(String, Vec<Value>)> {
    let per_row = columns.len().max(1);
    let batch = (MAX_PARAMS / per_row).max(1);
    let sqlite = backend == Backend::Sqlite;
    let mut out = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(batch).collect();
        // `OR FAIL`: a failing row ends the statement without undoing the rows before it, which
        // spares SQLite the statement journal when foreign keys are off (`Db::begin_bulk`); every
        // caller abandons its whole transaction on an error anyway.
        let verb = if sqlite { "INSERT OR FAIL" } else { "INSERT" };
        let mut sql = format!("{verb} INTO {table} ({}) VALUES ", columns.join(", "));
        let mut args = Vec::with_capacity(chunk.len() * per_row);
        for (i, row) in chunk.into_iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for (j, v) in row.into_iter().enumerate() {
                if j > 0 {
                    sql.push_str(", ");
                }
                args.push(v);
                // SQLite looks numbered parameters up in a linear list, which makes a statement with
                // thousands of `$N` quadratic; anonymous `?` are bound in order at no cost.
                if sqlite {
                    sql.push('?');
                } else {
                    sql.push_str(&format!("${}", args.len()));
                }
            }
            sql.push(')');
        }
        if !tail.is_empty() {
            sql.push(' ');
            sql.push_str(tail);
        }
        out.push((sql, args));
    }
    out
}

/// The largest id in a table (0 when empty).
pub async fn max_id(tx: &mut Tx, table: &str) -> sqlx::Result<i64> {
    let (n,): (i64,) = tx.fetch_one(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"), vec![]).await?;
    Ok(n)
}

/// After explicit ids: moves PostgreSQL's identity sequence past the largest id (SQLite needs nothing).
pub async fn sync_sequence(tx: &mut Tx, table: &str) -> sqlx::Result<()> {
    if tx.backend() == Backend::Postgres {
        tx.execute(
            &format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"),
            vec![],
        )
        .await?;
    }
    Ok(())
}

/// The secondary indexes of a table as (name, CREATE statement), so a bulk load of millions of rows
/// can drop them, load, and build each once from sorted data instead of growing it row by row.
pub async fn secondary_indexes(db: &super::Db, table: &str) -> sqlx::Result<Vec<(String, String)>> {
    match db.backend() {
        Backend::Sqlite => {
            db.read()
                .fetch_all(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL",
                    crate::args![table],
                )
                .await
        }
        Backend::Postgres => {
            db.read()
                .fetch_all(
                    "SELECT i.indexname::text, i.indexdef::text FROM pg_indexes i WHERE i.tablename = $1 \
                     AND i.indexname NOT IN (SELECT conname::text FROM pg_constraint)",
                    crate::args![table],
                )
                .await
        }
    }
}

/// Drops indexes listed by `secondary_indexes`.
pub async fn drop_indexes(db: &super::Db, indexes: &[(String, String)]) -> sqlx::Result<()> {
    for (name, _) in indexes {
        db.read().execute(&format!("DROP INDEX {name}"), vec![]).await?;
    }
    Ok(())
}

/// Recreates indexes listed by `secondary_indexes`.
pub async fn create_indexes(db: &super::Db, indexes: &[(String, String)]) -> sqlx::Result<()> {
    for (_, sql) in indexes {
        db.read().execute(sql, vec![]).await?;
    }
    Ok(())
}

/// Sets the named columns of one row of `table` if its version is still `version`; bumps the version
/// and `updated_at`. Answers whether the row was changed (false: someone else changed it first).
pub async fn update_versioned(
    tx: &mut Tx,
    table: &str,
    id: i64,
    version: i64,
    sets: &[(&str, Value)],
    now: i64,
) -> sqlx::Result<bool> {
    let mut sql = format!("UPDATE {table} SET ");
    let mut values = Vec::new();
    for (i, (col, v)) in sets.iter().enumerate() {
        sql.push_str(&format!("{col} = ${}, ", i + 1));
        values.push(v.clone());
    }
    let n = values.len();
    sql.push_str(&format!(
        "updated_at = ${}, version = version + 1 WHERE id = ${} AND version = ${}",
        n + 1,
        n + 2,
        n + 3
    ));
    values.extend(crate::args![now, id, version]);
    Ok(tx.execute(&sql, values).await? == 1)
}
