//! Service contact cards (服务联系卡) for every household of a grid: the household's address (door
//! number, never a resident's name), the grid's staff and office phone, and the QR code of the
//! public board; printed eight to an A4 sheet. Reading the addresses is a read of the register:
//! scoped to the caller and audited.

use super::board::{self, Board};
use super::board_store;
use crate::audit;
use crate::auth::{Actor, Permission};
use crate::domains::org::tree;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde_json::json;

/// Cards on one A4 sheet (2 × 4).
pub const PER_SHEET: usize = 8;

pub struct Cards {
    pub board: Board,
    /// Household addresses, `PER_SHEET` to a sheet.
    pub sheets: Vec<Vec<String>>,
    pub households: usize,
}

pub async fn for_grid(state: &AppState, actor: &Actor, grid_id: i64) -> AppResult<Cards> {
    actor.require(Permission::ReadRegister)?;
    let grid = tree::get(&state.db, actor.scope.path(), grid_id)
        .await?
        .filter(|a| a.kind == "grid" && a.status == "active")
        .ok_or_else(|| AppError::not_found("网格"))?;
    let board = board::load(state, &grid.code).await?;
    let addresses: Vec<String> = board_store::household_addresses(&state.db, grid.id)
        .await?
        .into_iter()
        .map(|(_, a)| if a.trim().is_empty() { "（地址未登记）".to_owned() } else { a })
        .collect();
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        &actor.audit(),
        "contact_cards_printed",
        "area",
        grid.id,
        json!({ "households": addresses.len() }),
    )
    .await?;
    tx.commit().await?;
    let households = addresses.len();
    Ok(Cards { board, sheets: addresses.chunks(PER_SHEET).map(<[String]>::to_vec).collect(), households })
}
