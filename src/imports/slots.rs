//! How many imports run at once: one per account, `config.max_imports` per server. A slot is held
//! from the upload's first read until its background job ends (dropping it frees it).

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Slots(Mutex<(usize, HashMap<i64, usize>)>);

/// A running import's place; freed when dropped.
pub struct ImportSlot {
    slots: Arc<Slots>,
    account: i64,
}

impl Drop for ImportSlot {
    fn drop(&mut self) {
        if let Ok(mut g) = self.slots.0.lock() {
            g.0 = g.0.saturating_sub(1);
            if let Some(n) = g.1.get_mut(&self.account) {
                *n -= 1;
                if *n == 0 {
                    g.1.remove(&self.account);
                }
            }
        }
    }
}

/// Takes a slot for an import by `account`, or answers 429 "稍后再试" in Chinese.
pub fn take(state: &AppState, account: i64) -> AppResult<ImportSlot> {
    let slots = state.cache::<Slots>();
    let mut g = slots.0.lock().map_err(|_| AppError::Internal(anyhow::anyhow!("import slots poisoned")))?;
    if g.1.get(&account).copied().unwrap_or(0) >= 1 {
        return Err(AppError::TooManyRequests("您已有一个导入正在进行，请等它完成后再试".into()));
    }
    if g.0 >= state.config.max_imports.max(1) {
        return Err(AppError::TooManyRequests("服务器上正在进行的导入较多，请稍后再试".into()));
    }
    g.0 += 1;
    *g.1.entry(account).or_insert(0) += 1;
    drop(g);
    Ok(ImportSlot { slots, account })
}
