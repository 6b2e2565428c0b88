//! Reading people within the caller's scope: the row, filters and sorts, lists, one person, the ID-number lookup.

use crate::args;
use crate::auth::Scope;
use crate::auth::scope::subtree_end;
use crate::db::{Db, Filter, Tx, like_contains};
use crate::domains::registry::model::special_kinds_of_department;
use crate::web::paging::{Page, Paging};

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
pub(super) const FROM: &str = "FROM persons p JOIN areas g ON g.id = p.grid_id";

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

pub async fn list(db: &Db, scope: &Scope, pf: &PersonFilter, paging: Paging) -> sqlx::Result<Page<PersonRow>> {
    let mut f = filter_of(scope, pf);
    let order = order_of(pf);
    let from = walk(pf, &mut f);
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

/// The list's conditions: the caller's scope, then each filter set.
fn filter_of(scope: &Scope, pf: &PersonFilter) -> Filter {
    let mut f = Filter::new();
    scope.restrict_persons(&mut f, special_kinds_of_department);
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
    f
}

/// The list's order. A prefix search reads its index in order, so the first page stops after a few rows.
fn order_of(pf: &PersonFilter) -> &'static str {
    match pf.sort {
        Sort::Id if pf.initials.is_some() => "p.name_initials, p.id",
        Sort::Id if pf.name_prefix.is_some() => "p.name, p.id",
        Sort::Id => "p.id",
        Sort::Name => "p.name, p.id",
        Sort::BirthDate => "p.birth_date, p.id",
        Sort::Updated => "p.updated_at DESC, p.id",
    }
}

/// How SQLite should walk (CROSS JOIN fixes the order; PostgreSQL plans it like any join): an ID
/// number finds its one person through the register-wide unique index; a phone, a name prefix or
/// initials are looked up grid by grid in the scope through the grid-first indexes (which keep an
/// import's index writes within its grids instead of scattered over the whole register).
fn walk(pf: &PersonFilter, f: &mut Filter) -> &'static str {
    if pf.id_bidx.is_some() {
        f.and("g.id = p.grid_id", vec![]);
        "FROM persons p CROSS JOIN areas g"
    } else if pf.phone_bidx.is_some() || pf.initials.is_some() || pf.name_prefix.is_some() {
        f.and("p.grid_id = g.id", vec![]);
        "FROM areas g CROSS JOIN persons p"
    } else {
        FROM
    }
}

/// The most matches a text search counts (`total` says 1000 when there are more; pages show "1000 人以上").
/// (200 was tried: PostgreSQL then picks a fast-start plan over the scope's grids and rare initials took seconds.)
pub const TOTAL_CAP: i64 = 1_000;

pub async fn get(db: &Db, scope: &Scope, id: i64) -> sqlx::Result<Option<PersonRow>> {
    let mut f = Filter::new();
    f.and1("p.id = ?", id);
    scope.restrict_persons(&mut f, special_kinds_of_department);
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
