//! SQL of the public board and the contact cards: the staff now serving a grid (only the public
//! fields), their photos, the community office's hours and phone with their revisions, and the
//! addresses of a grid's households.

use crate::args;
use crate::clock::Millis;
use crate::db::{Db, Tx};
use serde::Serialize;

/// Someone serving the grid now, as the board shows them.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct BoardStaff {
    pub staff_id: i64,
    pub name: String,
    pub phone: String,
    /// `leader` (网格长) or `worker` (网格员).
    pub duty: String,
    pub duties: String,
    pub has_photo: bool,
}

impl BoardStaff {
    /// 网格长 or 网格员.
    pub fn duty_label(&self) -> &'static str {
        if self.duty == "leader" { "网格长" } else { "网格员" }
    }
}

/// Staff with an open assignment to the grid, leaders first.
pub async fn staff_of_grid(db: &Db, grid_id: i64) -> sqlx::Result<Vec<BoardStaff>> {
    db.read()
        .fetch_all(
            "SELECT s.id AS staff_id, s.name, s.phone, sa.duty, s.duties, (s.photo_file_id IS NOT NULL) AS has_photo \
             FROM staff_assignments sa JOIN staff s ON s.id = sa.staff_id \
             WHERE sa.grid_id = $1 AND sa.end_date IS NULL AND s.status = 'active' \
             ORDER BY sa.duty DESC, sa.start_date, s.id",
            args![grid_id],
        )
        .await
}

/// The photo of a staff member, only while they serve the grid: (file id, content type).
pub async fn photo_of_grid_staff(db: &Db, grid_id: i64, staff_id: i64) -> sqlx::Result<Option<(String, String)>> {
    db.read()
        .fetch_optional(
            "SELECT f.id, f.content_type FROM staff s JOIN files f ON f.id = s.photo_file_id \
             WHERE s.id = $1 AND s.status = 'active' AND EXISTS (SELECT 1 FROM staff_assignments sa \
             WHERE sa.staff_id = s.id AND sa.grid_id = $2 AND sa.end_date IS NULL)",
            args![staff_id, grid_id],
        )
        .await
}

/// A community's office details for the public.
#[derive(Debug, Clone, Default, sqlx::FromRow, Serialize)]
pub struct Office {
    pub area_id: i64,
    pub office_hours: String,
    pub office_phone: String,
    pub office_address: String,
    pub updated_at: Millis,
    pub version: i64,
}

pub async fn office(db: &Db, area_id: i64) -> sqlx::Result<Option<Office>> {
    db.read()
        .fetch_optional(
            "SELECT area_id, office_hours, office_phone, office_address, updated_at, version FROM area_offices WHERE area_id = $1",
            args![area_id],
        )
        .await
}

/// Writes the office details if the stored version is `version` (0: none stored yet).
pub async fn save_office(
    tx: &mut Tx,
    area_id: i64,
    version: i64,
    (hours, phone, address): (&str, &str, &str),
    account_id: i64,
    now: Millis,
) -> sqlx::Result<bool> {
    let n = if version == 0 {
        tx.execute(
            "INSERT INTO area_offices (area_id, office_hours, office_phone, office_address, updated_by, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, 1) ON CONFLICT (area_id) DO NOTHING",
            args![area_id, hours, phone, address, account_id, now],
        )
        .await?
    } else {
        tx.execute(
            "UPDATE area_offices SET office_hours = $1, office_phone = $2, office_address = $3, updated_by = $4, \
             updated_at = $5, version = version + 1 WHERE area_id = $6 AND version = $7",
            args![hours, phone, address, account_id, now, area_id, version],
        )
        .await?
    };
    Ok(n == 1)
}

/// One saved version of the office details.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct OfficeRevision {
    pub office_hours: String,
    pub office_phone: String,
    pub office_address: String,
    pub actor_name: String,
    pub at: Millis,
}

pub async fn insert_revision(
    tx: &mut Tx,
    area_id: i64,
    (hours, phone, address): (&str, &str, &str),
    account_id: i64,
    actor_name: &str,
    now: Millis,
) -> sqlx::Result<()> {
    tx.execute(
        "INSERT INTO area_office_revisions (area_id, office_hours, office_phone, office_address, account_id, actor_name, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![area_id, hours, phone, address, account_id, actor_name, now],
    )
    .await?;
    Ok(())
}

pub async fn revisions(db: &Db, area_id: i64) -> sqlx::Result<Vec<OfficeRevision>> {
    db.read()
        .fetch_all(
            "SELECT office_hours, office_phone, office_address, actor_name, at FROM area_office_revisions \
             WHERE area_id = $1 ORDER BY id DESC LIMIT 50",
            args![area_id],
        )
        .await
}

/// The address of each active household of a grid (door numbers, never names), in address order.
pub async fn household_addresses(db: &Db, grid_id: i64) -> sqlx::Result<Vec<(i64, String)>> {
    db.read()
        .fetch_all(
            "SELECT hh.id, COALESCE(NULLIF(h.address, ''), hh.address) AS address FROM households hh \
             LEFT JOIN houses h ON h.id = hh.house_id WHERE hh.grid_id = $1 AND hh.status = 'active' \
             ORDER BY address, hh.id",
            args![grid_id],
        )
        .await
}
