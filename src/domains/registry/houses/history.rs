//! The change history of a house, household, rental or place.

use super::super::codes::Codes;
use super::super::forms::{HistoryEntry, LinkNames, linked_ids};
use super::super::house_store::Labelled;
use super::super::house_store::{
    self as store, HOUSEHOLDS, HOUSES, HouseRow, HouseholdRow, PLACES, PlaceRow, RENTALS, RentalRow,
};
use super::*;
use crate::audit;
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The change history (audit rows, reads left out) of a house, household, rental or place in scope.
pub async fn history(state: &AppState, actor: &Actor, object: &str, id: i64) -> AppResult<Vec<audit::AuditRow>> {
    let path = scope_path(actor)?;
    let db = &state.db;
    let found = match object {
        "house" => store::get::<HouseRow>(db, &HOUSES, &path, id).await?.is_some(),
        "household" => store::get::<HouseholdRow>(db, &HOUSEHOLDS, &path, id).await?.is_some(),
        "rental" => store::get::<RentalRow>(db, &RENTALS, &path, id).await?.is_some(),
        "place" => store::get::<PlaceRow>(db, &PLACES, &path, id).await?.is_some(),
        _ => false,
    };
    if !found {
        return Err(AppError::not_found("记录"));
    }
    audit::changes_of(db, object, &id.to_string()).await
}

/// History rows as the pages show them, with linked grids, houses and households by name.
pub async fn named_history(
    state: &AppState,
    rows: Vec<audit::AuditRow>,
    codes: &Codes,
) -> AppResult<Vec<HistoryEntry>> {
    let mut names = LinkNames::default();
    for (field, ids) in linked_ids(&rows) {
        let found = match field {
            "grid_id" => crate::domains::org::locate::area_names(&state.db, &ids).await?,
            "house_id" => store::labels(&state.db, Labelled::House, &ids).await?,
            _ => store::labels(&state.db, Labelled::Household, &ids).await?,
        };
        names.0.extend(found.into_iter().map(|(id, name)| ((field, id), name)));
    }
    Ok(super::super::forms::history(rows, codes, &names))
}
