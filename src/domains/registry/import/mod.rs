//! Excel in for the register: which entities import, their templates, and the person import (read
//! as a stream, validated on all cores but the writer's, upserted by ID number so the same file
//! twice changes nothing). The job machinery is `crate::imports`; houses, households, rentals and
//! places are `house_import`.

mod batch;
mod columns;
mod run;
mod validate;

pub use columns::{PERSON_COLUMNS, person_template};

use super::codes::Codes;
use super::house_import;
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::excel;
use crate::imports;
use crate::state::AppState;

/// Rows validated at a time: the writer starts on the first chunk while the next are validated.
pub(super) const CHUNK: usize = 5_000;

/// Checks the file (nothing is written for a bad one: not an xlsx, wrong headers, no rows, an
/// unreadable start), creates the job and runs it in the background while the rest is read.
pub async fn start_person_import(state: &AppState, actor: &Actor, file_name: &str, bytes: Vec<u8>) -> AppResult<i64> {
    actor.require(Permission::EditRegister)?;
    let slot = imports::take_slot(state, actor.id)?;
    let mut sheet = excel::SheetStream::open(bytes, CHUNK).await?;
    let map = imports::header_map(&PERSON_COLUMNS, &sheet.headers)?;
    let first = match sheet.next_chunk().await {
        Some(chunk) => chunk?,
        None => return Err(AppError::field("file", "表格中没有数据行")),
    };
    let expected = sheet.declared_rows.max(first.len());
    let id = imports::create_job(state, actor, "persons", file_name, expected).await?;
    let (state2, actor2) = (state.clone(), actor.clone());
    imports::spawn_job(state, id, async move {
        run::run_person_import(&state2, &actor2, id, map, first, sheet, slot).await
    });
    Ok(id)
}

/// The template of an import: `persons`, or one of `houses`, `households`, `rentals`, `places`.
pub fn template(entity: &str, codes: &Codes) -> AppResult<Vec<u8>> {
    match entity {
        "persons" => person_template(codes),
        other => house_import::template(house_import::Entity::parse(other)?, codes),
    }
}

/// The Chinese name of an importable entity; an unknown one is not found.
pub fn entity_label(entity: &str) -> AppResult<&'static str> {
    match entity {
        "persons" => Ok("人员"),
        other => Ok(house_import::Entity::parse(other)?.label()),
    }
}

/// Starts the import of an entity (see `template`).
pub async fn start_import(
    state: &AppState,
    actor: &Actor,
    entity: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> AppResult<i64> {
    match entity {
        "persons" => start_person_import(state, actor, file_name, bytes).await,
        other => house_import::start(state, actor, house_import::Entity::parse(other)?, file_name, bytes).await,
    }
}
