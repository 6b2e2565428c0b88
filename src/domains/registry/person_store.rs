//! SQL for people and transfers; every read bounded by the caller's register scope.

use crate::args;
use crate::clock::Millis;
use crate::db::{Db, Filter, Tx, Value, like_contains};
use crate::domains::org::model::subtree_end;
use crate::web::paging::{Page, Paging};

/// What part of the register a caller sees: a subtree, and for departments only people with a
/// special-population file of the kinds they sign off.
#[derive(Clone, Debug)]
pub struct RegScope {
    pub path: String,
    pub special_kinds: Option<Vec<&'static str>>,
}

impl RegScope {
    /// Adds the scope condition on persons `p` joined to their grid `g`.
    pub fn apply(&self, f: &mut Filter) {
        f.and("g.path >= ? AND g.path < ?", vec![self.path.clone().into(), subtree_end(&self.path).into()]);
        if let Some(kinds) = &self.special_kinds {
            if kinds.is_empty() {
                f.and("1 = 0", vec![]);
            } else {
                let marks = vec!["?"; kinds.len()].join(", ");
                f.and(
                    &format!(
                        "EXISTS (SELECT 1 FROM special_files sf WHERE sf.person_id = p.id AND sf.status = 'active' AND sf.kind IN ({marks}))"
                    ),
                    kinds.iter().map(|k| Value::from(*k)).collect(),
                );
            }
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonRow {
    pub id: i64,
    pub grid_id: i64,
    pub grid_name: String,
    pub kind: String,
    pub name: String,
    pub former_name: String,
    pub id_type: String,
    pub id_enc: Vec<u8>,
    pub id_masked: String,
    pub sex: String,
    pub birth_date: String,
    pub ethnicity: String,
    pub native_place: String,
    pub marital_status: String,
    pub political_status: String,
    pub education: String,
    pub religion: String,
    pub occupation: String,
    pub workplace: String,
    pub phone_enc: Option<Vec<u8>>,
    pub phone_masked: String,
    pub registered_address: String,
    pub address: String,
    pub house_id: Option<i64>,
    pub household_id: Option<i64>,
    pub relation_to_head: String,
    pub extra: String,
    pub tags: String,
    pub status: String,
    pub status_date: Option<String>,
    pub status_reason: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

pub const COLUMNS: &str = "p.id, p.grid_id, g.name AS grid_name, p.kind, p.name, p.former_name, p.id_type, p.id_enc, p.id_masked, \
     p.sex, p.birth_date, p.ethnicity, p.native_place, p.marital_status, p.political_status, p.education, p.religion, \
     p.occupation, p.workplace, p.phone_enc, p.phone_masked, p.registered_address, p.address, p.house_id, p.household_id, \
     p.relation_to_head, p.extra, p.tags, p.status, p.status_date, p.status_reason, p.created_at, p.updated_at, p.version";
const FROM: &str = "FROM persons p JOIN areas g ON g.id = p.grid_id";

/// Filters of the person list and search.
#[derive(Debug, Default, Clone)]
pub struct PersonFilter {
    pub area_path: Option<String>,
    pub grid_id: Option<i64>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub tag: Option<String>,
    pub id_bidx: Option<String>,
    pub phone_bidx: Option<String>,
    pub initials: Option<String>,
    /// A name prefix (uses the name index).
    pub name_prefix: Option<String>,
    /// Text anywhere in the address (a scan within the scope).
    pub address: Option<String>,
    pub house_id: Option<i64>,
    pub household_id: Option<i64>,
    pub sort: Sort,
}

#[derive(Debug, Default, Clone, Copy)]
pub enum Sort {
    #[default]
    Id,
    Name,
    BirthDate,
    Updated,
}

pub async fn list(db: &Db, scope: &RegScope, pf: &PersonFilter, paging: Paging) -> sqlx::Result<Page<PersonRow>> {
    let mut f = Filter::new();
    scope.apply(&mut f);
    if let Some(p) = &pf.area_path {
        f.and("g.path >= ? AND g.path < ?", vec![p.clone().into(), subtree_end(p).into()]);
    }
    if let Some(g) = pf.grid_id {
        f.and1("p.grid_id = ?", g);
    }
    if let Some(k) = &pf.kind {
        f.and1("p.kind = ?", k.as_str());
    }
    match pf.status.as_deref() {
        Some("all") => {
            f.and1("p.status <> ?", "deleted");
        }
        Some(s) => {
            f.and1("p.status = ?", s);
        }
        None => {
            f.and1("p.status = ?", "active");
        }
    }
    if let Some(t) = &pf.tag {
        f.and1("p.tags LIKE ? ESCAPE '\\'", like_contains(&format!(",{t},")));
    }
    if let Some(b) = &pf.id_bidx {
        // Phrased to match the partial unique index (id_type, id_bidx) WHERE status <> 'deleted'.
        f.and1("p.id_type = '111' AND p.status <> 'deleted' AND p.id_bidx = ?", b.as_str());
    }
    if let Some(b) = &pf.phone_bidx {
        f.and1("p.phone_bidx = ?", b.as_str());
    }
    if let Some(i) = &pf.initials {
        f.and("p.name_initials >= ? AND p.name_initials < ?", vec![i.clone().into(), format!("{i}\u{7f}").into()]);
    }
    if let Some(n) = pf.name_prefix.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        f.and("p.name >= ? AND p.name < ?", vec![n.into(), format!("{n}\u{10FFFF}").into()]);
    }
    if let Some(t) = pf.address.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        f.and1("p.address LIKE ? ESCAPE '\\'", like_contains(t));
    }
    if let Some(h) = pf.house_id {
        f.and1("p.house_id = ?", h);
    }
    if let Some(h) = pf.household_id {
        f.and1("p.household_id = ?", h);
    }
    // A prefix search reads its index in order, so the first page stops after a few rows.
    let order = match pf.sort {
        Sort::Id if pf.initials.is_some() => "p.name_initials, p.id",
        Sort::Id if pf.name_prefix.is_some() => "p.name, p.id",
        Sort::Id => "p.id",
        Sort::Name => "p.name, p.id",
        Sort::BirthDate => "p.birth_date, p.id",
        Sort::Updated => "p.updated_at DESC, p.id",
    };
    // How SQLite should walk (CROSS JOIN fixes the order; PostgreSQL plans it like any join): an ID
    // number finds its one person through the register-wide unique index; a phone, a name prefix or
    // initials are looked up grid by grid in the scope through the grid-first indexes (which keep an
    // import's index writes within its grids instead of scattered over the whole register).
    let from = if pf.id_bidx.is_some() {
        f.and("g.id = p.grid_id", vec![]);
        "FROM persons p CROSS JOIN areas g"
    } else if pf.phone_bidx.is_some() || pf.initials.is_some() || pf.name_prefix.is_some() {
        f.and("p.grid_id = g.id", vec![]);
        "FROM areas g CROSS JOIN persons p"
    } else {
        FROM
    };
    let w = f.where_sql();
    // Text searches count at most TOTAL_CAP matches, so common initials answer as fast as rare ones.
    let searching = pf.initials.is_some() || pf.name_prefix.is_some() || pf.address.is_some();
    let count_sql = if searching {
        format!("SELECT COUNT(*) FROM (SELECT 1 {from}{w} LIMIT {TOTAL_CAP}) c")
    } else {
        format!("SELECT COUNT(*) {from}{w}")
    };
    let (total,): (i64,) = db.read().fetch_one(&count_sql, f.args()).await?;
    let (a, m) = f.args_with(args![paging.limit(), paging.offset()]);
    let items = db
        .read()
        .fetch_all(&format!("SELECT {COLUMNS} {from}{w} ORDER BY {order} LIMIT {} OFFSET {}", m[0], m[1]), a)
        .await?;
    Ok(paging.page(items, total))
}

/// The most matches a text search counts (`total` says 1000 when there are more; pages show "1000 人以上").
/// (200 was tried: PostgreSQL then picks a fast-start plan over the scope's grids and rare initials took seconds.)
pub const TOTAL_CAP: i64 = 1_000;

pub async fn get(db: &Db, scope: &RegScope, id: i64) -> sqlx::Result<Option<PersonRow>> {
    let mut f = Filter::new();
    f.and1("p.id = ?", id);
    scope.apply(&mut f);
    db.read().fetch_optional(&format!("SELECT {COLUMNS} {FROM}{}", f.where_sql()), f.args()).await
}

pub async fn get_tx(tx: &mut Tx, id: i64) -> sqlx::Result<Option<PersonRow>> {
    tx.fetch_optional(&format!("SELECT {COLUMNS} {FROM} WHERE p.id = $1"), args![id]).await
}

/// Where an ID number is already registered (any scope): the person, grid and its path.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Existing {
    pub id: i64,
    pub grid_id: i64,
    pub grid_name: String,
    pub grid_path: String,
    pub id_masked: String,
    pub status: String,
}

pub async fn find_by_id_bidx(tx: &mut Tx, id_type: &str, bidx: &str) -> sqlx::Result<Option<Existing>> {
    tx.fetch_optional(
        "SELECT p.id, p.grid_id, g.name AS grid_name, g.path AS grid_path, p.id_masked, p.status FROM persons p \
         JOIN areas g ON g.id = p.grid_id WHERE p.id_type = $1 AND p.id_bidx = $2 AND p.status <> 'deleted'",
        args![id_type, bidx],
    )
    .await
}

/// All columns a write sets (the encrypted and derived ones included).
pub struct PersonWrite {
    pub grid_id: i64,
    pub kind: String,
    pub name: String,
    pub name_initials: String,
    pub former_name: String,
    pub id_type: String,
    pub id_enc: Vec<u8>,
    pub id_bidx: String,
    pub id_masked: String,
    pub sex: String,
    pub birth_date: String,
    pub ethnicity: String,
    pub native_place: String,
    pub marital_status: String,
    pub political_status: String,
    pub education: String,
    pub religion: String,
    pub occupation: String,
    pub workplace: String,
    pub phone_enc: Option<Vec<u8>>,
    pub phone_bidx: Option<String>,
    pub phone_masked: String,
    pub registered_address: String,
    pub address: String,
    pub house_id: Option<i64>,
    pub household_id: Option<i64>,
    pub relation_to_head: String,
    pub extra: String,
    pub tags: String,
}

pub const WRITE_COLUMNS: [&str; 29] = [
    "grid_id",
    "kind",
    "name",
    "name_initials",
    "former_name",
    "id_type",
    "id_enc",
    "id_bidx",
    "id_masked",
    "sex",
    "birth_date",
    "ethnicity",
    "native_place",
    "marital_status",
    "political_status",
    "education",
    "religion",
    "occupation",
    "workplace",
    "phone_enc",
    "phone_bidx",
    "phone_masked",
    "registered_address",
    "address",
    "house_id",
    "household_id",
    "relation_to_head",
    "extra",
    "tags",
];

impl PersonWrite {
    /// The values in `WRITE_COLUMNS` order.
    pub fn values(&self) -> Vec<Value> {
        vec![
            self.grid_id.into(),
            self.kind.as_str().into(),
            self.name.as_str().into(),
            self.name_initials.as_str().into(),
            self.former_name.as_str().into(),
            self.id_type.as_str().into(),
            self.id_enc.clone().into(),
            self.id_bidx.as_str().into(),
            self.id_masked.as_str().into(),
            self.sex.as_str().into(),
            self.birth_date.as_str().into(),
            self.ethnicity.as_str().into(),
            self.native_place.as_str().into(),
            self.marital_status.as_str().into(),
            self.political_status.as_str().into(),
            self.education.as_str().into(),
            self.religion.as_str().into(),
            self.occupation.as_str().into(),
            self.workplace.as_str().into(),
            self.phone_enc.clone().into(),
            self.phone_bidx.clone().into(),
            self.phone_masked.as_str().into(),
            self.registered_address.as_str().into(),
            self.address.as_str().into(),
            self.house_id.into(),
            self.household_id.into(),
            self.relation_to_head.as_str().into(),
            self.extra.as_str().into(),
            self.tags.as_str().into(),
        ]
    }
}

pub async fn insert(tx: &mut Tx, p: &PersonWrite, now: Millis) -> sqlx::Result<i64> {
    let cols = WRITE_COLUMNS.join(", ");
    let n = WRITE_COLUMNS.len();
    let marks: Vec<String> = (1..=n + 2).map(|i| format!("${i}")).collect();
    let mut a = p.values();
    a.push(now.into());
    a.push(now.into());
    let (id,): (i64,) = tx
        .fetch_one(
            &format!("INSERT INTO persons ({cols}, created_at, updated_at) VALUES ({}) RETURNING id", marks.join(", ")),
            a,
        )
        .await?;
    Ok(id)
}

/// Rewrites every writable column if the version matches.
pub async fn update(tx: &mut Tx, id: i64, version: i64, p: &PersonWrite, now: Millis) -> sqlx::Result<bool> {
    update_columns(tx, id, version, p, now, &WRITE_COLUMNS).await
}

/// The columns an import's template carries: what an import may change on a person already
/// registered (the ID number itself, house, household, tags and the fields the template has no
/// column for stay as they are).
const IMPORT_COLUMNS: [&str; 16] = [
    "grid_id",
    "kind",
    "name",
    "name_initials",
    "phone_enc",
    "phone_bidx",
    "phone_masked",
    "address",
    "registered_address",
    "ethnicity",
    "education",
    "political_status",
    "marital_status",
    "relation_to_head",
    "occupation",
    "extra",
];

/// Updates a registered person from an import row: only `IMPORT_COLUMNS`, version-checked.
pub async fn update_from_import(
    tx: &mut Tx,
    id: i64,
    version: i64,
    p: &PersonWrite,
    now: Millis,
) -> sqlx::Result<bool> {
    update_columns(tx, id, version, p, now, &IMPORT_COLUMNS).await
}

/// Writes those of `WRITE_COLUMNS` that are in `columns` if the version matches.
async fn update_columns(
    tx: &mut Tx,
    id: i64,
    version: i64,
    p: &PersonWrite,
    now: Millis,
    columns: &[&str],
) -> sqlx::Result<bool> {
    let mut a: Vec<Value> = Vec::with_capacity(columns.len() + 3);
    let mut sets: Vec<String> = Vec::with_capacity(columns.len());
    for (column, value) in WRITE_COLUMNS.iter().zip(p.values()) {
        if columns.contains(column) {
            a.push(value);
            sets.push(format!("{column} = ${}", a.len()));
        }
    }
    let n = a.len();
    a.push(now.into());
    a.push(id.into());
    a.push(version.into());
    let sql = format!(
        "UPDATE persons SET {}, updated_at = ${}, version = version + 1 WHERE id = ${} AND version = ${} AND status <> 'deleted'",
        sets.join(", "),
        n + 1,
        n + 2,
        n + 3
    );
    Ok(tx.execute(&sql, a).await? == 1)
}

pub async fn set_status(
    tx: &mut Tx,
    id: i64,
    version: i64,
    status: &str,
    date: &str,
    reason: &str,
    now: Millis,
) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE persons SET status = $1, status_date = $2, status_reason = $3, updated_at = $4, version = version + 1 \
             WHERE id = $5 AND version = $6",
            args![status, date, reason, now, id, version],
        )
        .await?;
    Ok(n == 1)
}

pub async fn set_grid(tx: &mut Tx, id: i64, grid_id: i64, now: Millis) -> sqlx::Result<()> {
    tx.execute(
        "UPDATE persons SET grid_id = $1, house_id = NULL, household_id = NULL, updated_at = $2, version = version + 1 WHERE id = $3",
        args![grid_id, now, id],
    )
    .await
    .map(drop)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct TransferRow {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub id_masked: String,
    pub from_grid_id: i64,
    pub from_grid_name: String,
    pub to_grid_id: i64,
    pub to_grid_name: String,
    pub reason: String,
    pub status: String,
    pub requested_at: i64,
    pub decided_at: Option<i64>,
    pub decision_note: String,
}

const TRANSFER_SELECT: &str = "SELECT t.id, t.person_id, p.name AS person_name, p.id_masked, t.from_grid_id, fg.name AS from_grid_name, \
     t.to_grid_id, tg.name AS to_grid_name, t.reason, t.status, t.requested_at, t.decided_at, t.decision_note \
     FROM person_transfers t JOIN persons p ON p.id = t.person_id JOIN areas fg ON fg.id = t.from_grid_id \
     JOIN areas tg ON tg.id = t.to_grid_id";

pub async fn insert_transfer(
    tx: &mut Tx,
    person_id: i64,
    from: i64,
    to: i64,
    by: i64,
    reason: &str,
    now: Millis,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO person_transfers (person_id, from_grid_id, to_grid_id, requested_by, requested_at, reason) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            args![person_id, from, to, by, now, reason],
        )
        .await?;
    Ok(id)
}

pub async fn pending_transfer_exists(tx: &mut Tx, person_id: i64) -> sqlx::Result<bool> {
    let r: Option<(i64,)> = tx
        .fetch_optional("SELECT id FROM person_transfers WHERE person_id = $1 AND status = 'pending'", args![person_id])
        .await?;
    Ok(r.is_some())
}

/// Transfers touching the subtree (into or out of it).
pub async fn transfers(db: &Db, path: &str, status: Option<&str>) -> sqlx::Result<Vec<TransferRow>> {
    let mut f = Filter::new();
    let end = subtree_end(path);
    f.and(
        "((fg.path >= ? AND fg.path < ?) OR (tg.path >= ? AND tg.path < ?))",
        vec![path.into(), end.clone().into(), path.into(), end.into()],
    );
    if let Some(s) = status {
        f.and1("t.status = ?", s);
    }
    db.read().fetch_all(&format!("{TRANSFER_SELECT}{} ORDER BY t.id DESC LIMIT 200", f.where_sql()), f.args()).await
}

pub async fn transfer(tx: &mut Tx, id: i64) -> sqlx::Result<Option<(TransferRow, String)>> {
    let row: Option<TransferRow> = tx.fetch_optional(&format!("{TRANSFER_SELECT} WHERE t.id = $1"), args![id]).await?;
    match row {
        Some(r) => {
            let (path,): (String,) =
                tx.fetch_one("SELECT path FROM areas WHERE id = $1", args![r.from_grid_id]).await?;
            Ok(Some((r, path)))
        }
        None => Ok(None),
    }
}

pub async fn decide_transfer(
    tx: &mut Tx,
    id: i64,
    status: &str,
    by: i64,
    note: &str,
    now: Millis,
) -> sqlx::Result<bool> {
    let n = tx
        .execute(
            "UPDATE person_transfers SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4 WHERE id = $5 AND status = 'pending'",
            args![status, by, now, note, id],
        )
        .await?;
    Ok(n == 1)
}

/// People (not deleted) under a path.
pub async fn count_under(db: &Db, path: &str) -> sqlx::Result<i64> {
    let mut f = Filter::new();
    f.and("g.path >= ? AND g.path < ?", vec![path.into(), subtree_end(path).into()]);
    f.and1("p.status <> ?", "deleted");
    let (n,): (i64,) = db.read().fetch_one(&format!("SELECT COUNT(*) {FROM}{}", f.where_sql()), f.args()).await?;
    Ok(n)
}

/// The code tables, `(table, code, label)`.
pub async fn code_items(db: &Db) -> sqlx::Result<Vec<(String, String, String)>> {
    db.read().fetch_all("SELECT code_table, code, label FROM code_items ORDER BY code_table, sort", args![]).await
}

/// What an import compares with a row already registered under the same ID number.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImportExisting {
    pub id: i64,
    pub id_bidx: String,
    pub grid_id: i64,
    pub grid_name: String,
    pub grid_path: String,
    pub id_masked: String,
    pub version: i64,
    pub kind: String,
    pub name: String,
    pub phone_bidx: Option<String>,
    pub address: String,
    pub registered_address: String,
    pub ethnicity: String,
    pub education: String,
    pub political_status: String,
    pub marital_status: String,
    pub relation_to_head: String,
    pub occupation: String,
    pub extra: String,
}

impl ImportExisting {
    /// Whether a prepared row would change nothing.
    pub fn same_as(&self, w: &PersonWrite) -> bool {
        self.grid_id == w.grid_id
            && self.kind == w.kind
            && self.name == w.name
            && self.phone_bidx == w.phone_bidx
            && self.address == w.address
            && self.registered_address == w.registered_address
            && self.ethnicity == w.ethnicity
            && self.education == w.education
            && self.political_status == w.political_status
            && self.marital_status == w.marital_status
            && self.relation_to_head == w.relation_to_head
            && self.occupation == w.occupation
            && serde_json::from_str::<serde_json::Value>(&self.extra).ok()
                == serde_json::from_str::<serde_json::Value>(&w.extra).ok()
    }
}

pub async fn existing_for_import(tx: &mut Tx, bidxs: &[String]) -> sqlx::Result<Vec<ImportExisting>> {
    let mut out = Vec::new();
    // Lists of a few hundred: SQLite looks numbered parameters up one by one.
    for part in bidxs.chunks(500) {
        out.extend(existing_part(tx, part).await?);
    }
    Ok(out)
}

async fn existing_part(tx: &mut Tx, bidxs: &[String]) -> sqlx::Result<Vec<ImportExisting>> {
    if bidxs.is_empty() {
        return Ok(vec![]);
    }
    let marks: Vec<String> = (1..=bidxs.len()).map(|i| format!("${i}")).collect();
    tx.fetch_all(
        &format!(
            "SELECT p.id, p.id_bidx, p.grid_id, g.name AS grid_name, g.path AS grid_path, p.id_masked, p.version, p.kind, p.name, \
             p.phone_bidx, p.address, p.registered_address, p.ethnicity, p.education, p.political_status, p.marital_status, \
             p.relation_to_head, p.occupation, p.extra FROM persons p JOIN areas g ON g.id = p.grid_id \
             WHERE p.id_type = '111' AND p.status <> 'deleted' AND p.id_bidx IN ({})",
            marks.join(", ")
        ),
        bidxs.iter().map(|b| Value::from(b.as_str())).collect(),
    )
    .await
}

/// The insert columns (with the explicit id) and the values of people numbered from `first`.
fn numbered_rows(first: i64, rows: &[PersonWrite], now: Millis) -> (Vec<&'static str>, Vec<Vec<Value>>) {
    let mut cols: Vec<&str> = vec!["id"];
    cols.extend(WRITE_COLUMNS);
    cols.extend(["created_at", "updated_at"]);
    let values = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut v = vec![Value::from(first + i as i64)];
            v.extend(new_row(r, now));
            v
        })
        .collect();
    (cols, values)
}

/// Inserts many prepared people at once; answers their ids in order.
pub async fn insert_many(tx: &mut Tx, rows: &[PersonWrite], now: Millis) -> sqlx::Result<Vec<i64>> {
    let first = crate::db::bulk::max_id(tx, "persons").await? + 1;
    let (cols, values) = numbered_rows(first, rows, now);
    crate::db::bulk::insert_rows(tx, "persons", &cols, values).await?;
    crate::db::bulk::sync_sequence(tx, "persons").await?;
    Ok((0..rows.len()).map(|i| first + i as i64).collect())
}

/// A new person's row for `insert_new`: the values of `WRITE_COLUMNS` and the two timestamps.
pub fn new_row(p: &PersonWrite, now: Millis) -> Vec<Value> {
    let mut v = p.values();
    v.push(now.into());
    v.push(now.into());
    v
}

/// Inserts the people (rows from `new_row`) whose ID number is not in the register yet and skips
/// the others (the unique index decides, so no lookup is needed first); the database numbers them.
/// Answers `(id, id_bidx)` of those inserted.
pub async fn insert_new(tx: &mut Tx, rows: Vec<Vec<Value>>) -> sqlx::Result<Vec<(i64, String)>> {
    let mut all: Vec<&str> = WRITE_COLUMNS.to_vec();
    all.extend(["created_at", "updated_at"]);
    let (cols, rows) = without_default_columns(&all, rows);
    crate::db::bulk::insert_rows_returning(
        tx,
        "persons",
        &cols,
        rows,
        "ON CONFLICT (id_type, id_bidx) WHERE status <> 'deleted' DO NOTHING RETURNING id, id_bidx",
    )
    .await
}

/// Leaves out the columns that every row leaves at the table's default: a typical file fills a
/// third of the columns, and each value bound costs the single writer time.
fn without_default_columns<'c>(all: &[&'c str], rows: Vec<Vec<Value>>) -> (Vec<&'c str>, Vec<Vec<Value>>) {
    let keep: Vec<bool> =
        (0..all.len()).map(|j| !rows.iter().all(|r| r.get(j).is_some_and(|v| is_default(all[j], v)))).collect();
    let cols: Vec<&str> = all.iter().zip(&keep).filter(|(_, k)| **k).map(|(c, _)| *c).collect();
    if cols.len() == all.len() {
        return (cols, rows);
    }
    let rows =
        rows.into_iter().map(|r| r.into_iter().zip(&keep).filter(|(_, k)| **k).map(|(v, _)| v).collect()).collect();
    (cols, rows)
}

/// Columns of `persons` whose default is the empty text, and those whose default is NULL
/// (the same on both engines: migrations 0002).
const EMPTY_BY_DEFAULT: [&str; 13] = [
    "former_name",
    "native_place",
    "marital_status",
    "political_status",
    "education",
    "religion",
    "occupation",
    "workplace",
    "phone_masked",
    "registered_address",
    "address",
    "relation_to_head",
    "tags",
];
const NULL_BY_DEFAULT: [&str; 4] = ["phone_enc", "phone_bidx", "house_id", "household_id"];

/// Is this the value the column gets when an insert leaves it out?
fn is_default(column: &str, v: &Value) -> bool {
    match v {
        Value::Text(Some(s)) => s.is_empty() && EMPTY_BY_DEFAULT.contains(&column),
        Value::Text(None) | Value::Int(None) | Value::Bytes(None) => NULL_BY_DEFAULT.contains(&column),
        _ => false,
    }
}

/// One encrypted ID number, if the register has any (to check the data key at start-up).
pub async fn any_encrypted(db: &Db) -> sqlx::Result<Option<Vec<u8>>> {
    let r: Option<(Vec<u8>,)> =
        db.read().fetch_optional("SELECT id_enc FROM persons ORDER BY id LIMIT 1", args![]).await?;
    Ok(r.map(|r| r.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_columns_every_row_leaves_at_the_default_are_left_out() {
        let all = ["name", "former_name", "address", "house_id", "tags"];
        let row = |address: &str, house: Option<i64>| {
            vec![Value::from("张三"), Value::from(""), Value::from(address), Value::from(house), Value::from("")]
        };
        // `address` is empty in one row only; `house_id` is set in one row only: both stay.
        let (cols, rows) = without_default_columns(&all, vec![row("", None), row("嫩水路1号", Some(7))]);
        assert_eq!(cols, vec!["name", "address", "house_id"]);
        assert_eq!(rows[1], vec![Value::from("张三"), Value::from("嫩水路1号"), Value::from(Some(7i64))]);
        // A column without an empty default (the name) stays even when empty everywhere; a value of
        // the wrong kind for a default (an empty text where NULL is the default) stays too.
        let empty = vec![Value::from(""), Value::from(""), Value::from(""), Value::from(None::<i64>), Value::from("")];
        let (cols, rows) = without_default_columns(&all, vec![empty]);
        assert_eq!(cols, vec!["name"]);
        assert_eq!(rows[0].len(), 1);
        let odd = vec![Value::from(""), Value::from(""), Value::from(""), Value::from(""), Value::from("")];
        let (cols, _) = without_default_columns(&all, vec![odd]);
        assert_eq!(cols, vec!["name", "house_id"]);
        // Nothing to leave out: the rows pass unchanged.
        let full =
            vec![Value::from("a"), Value::from("b"), Value::from("c"), Value::from(Some(1i64)), Value::from("t")];
        let (cols, rows) = without_default_columns(&all, vec![full.clone()]);
        assert_eq!((cols.len(), rows), (5, vec![full]));
    }
}
