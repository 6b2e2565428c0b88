//! Validation ahead of the writer: each chunk of rows as read is validated and encrypted on all
//! cores but the writer's, on blocking threads a few chunks ahead.

use super::super::codes::Codes;
use super::super::person_store::{self as store, PersonWrite};
use super::super::persons;
use super::columns::{header_of, row_input};
use crate::error::AppResult;
use crate::excel;
use crate::state::AppState;
use std::collections::HashMap;

/// Most rows written in one go: the chunks already validated when the writer is ready, together.
pub(super) const WRITE_GROUP: usize = 20_000;

/// One row after validation: its index and what to write (the values of its new row built here,
/// off the writer's path), or the reason it failed.
pub(super) type Prepared = (usize, Result<(PersonWrite, Vec<crate::db::Value>), String>);

/// Validates and encrypts the rows `base..base + chunk.len()` on all cores but one (the writer's).
pub(super) fn prepare_chunk(
    state: &AppState,
    codes: &Codes,
    grids: &HashMap<String, i64>,
    h: &HashMap<&'static str, usize>,
    now: crate::clock::Millis,
    base: usize,
    chunk: &[Vec<String>],
) -> Vec<Prepared> {
    let one = |offset: usize, part: &[Vec<String>]| -> Vec<Prepared> {
        part.iter()
            .enumerate()
            .map(|(i, row)| {
                let r = row_input(row, h, grids).and_then(|input| {
                    let w = persons::prepare_import(state, codes, &input).map_err(|fields| {
                        fields.iter().map(|(f, m)| format!("{}：{m}", header_of(f))).collect::<Vec<_>>().join("；")
                    })?;
                    let values = store::new_row(&w, now);
                    Ok((w, values))
                });
                (base + offset + i, r)
            })
            .collect()
    };
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).saturating_sub(1).max(1);
    let per = chunk.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = chunk
            .chunks(per)
            .enumerate()
            .map(|(k, part)| {
                let one = &one;
                // Below the writer's priority: validation keeps ahead of it anyway.
                (
                    k * per,
                    part.len(),
                    scope.spawn(move || {
                        crate::background::lower_this_thread();
                        one(k * per, part)
                    }),
                )
            })
            .collect();
        // A part whose thread failed is reported row by row rather than lost.
        parts
            .into_iter()
            .flat_map(|(offset, len, p)| {
                p.join().unwrap_or_else(|_| {
                    (0..len).map(|i| (base + offset + i, Err("校验这一行时程序出错，请重新导入".to_owned()))).collect()
                })
            })
            .collect()
    })
}

/// A chunk of rows as read, with each row validated and encrypted, or why the file stopped being readable.
pub(super) type PreparedChunk = AppResult<(Vec<Vec<String>>, Vec<Prepared>)>;

/// Starts validating `first` and then the rest of `sheet` on a blocking thread; the chunks come
/// out of the receiver in order, at most four ahead of the writer.
pub(super) fn spawn_validation(
    state: &AppState,
    now: crate::clock::Millis,
    codes: Codes,
    grids: HashMap<String, i64>,
    h: HashMap<&'static str, usize>,
    first: Vec<Vec<String>>,
    mut sheet: excel::SheetStream,
) -> (tokio::task::JoinHandle<()>, tokio::sync::mpsc::Receiver<PreparedChunk>) {
    let (sender, receiver) = tokio::sync::mpsc::channel::<PreparedChunk>(4);
    let state = state.clone();
    let producer = tokio::task::spawn_blocking(move || {
        let mut next = Some(Ok(first));
        let mut base = 0;
        while let Some(chunk) = next.take().or_else(|| sheet.blocking_next_chunk()) {
            let item = chunk.map(|chunk| {
                let prepared = prepare_chunk(&state, &codes, &grids, &h, now, base, &chunk);
                base += chunk.len();
                (chunk, prepared)
            });
            let stop = item.is_err();
            if sender.blocking_send(item).is_err() || stop {
                break;
            }
        }
    });
    (producer, receiver)
}
