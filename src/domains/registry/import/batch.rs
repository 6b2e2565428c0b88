//! An import's open transaction: the rows it holds, the people it created and updated (one audit
//! row per batch) and the notifications its submissions send once it commits.

use super::super::observe::AfterCommit;
use crate::audit;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::state::AppState;
use serde_json::json;

/// An import's open transaction: the rows it holds, the people it created and updated, and the
/// notifications its submissions send once it commits.
pub(super) struct Batch {
    pub tx: crate::db::Tx,
    pub held: i64,
    pub created: Vec<i64>,
    pub updated: Vec<i64>,
    pub outbox: AfterCommit,
}

impl Batch {
    /// An empty batch in a new bulk transaction.
    pub async fn open(state: &AppState) -> AppResult<Batch> {
        Ok(Batch {
            tx: state.db.begin_bulk().await?,
            held: 0,
            created: Vec::new(),
            updated: Vec::new(),
            outbox: AfterCommit::default(),
        })
    }

    /// The people the batch created or updated.
    pub fn people(&self) -> i64 {
        (self.created.len() + self.updated.len()) as i64
    }

    /// Records the batch's audit row, commits it, sends its notifications and goes on with an
    /// empty batch on the same connection; answers how many people it imported.
    pub async fn commit_and_continue(&mut self, state: &AppState, actor: &Actor, job: i64) -> AppResult<i64> {
        let n = self.audit(actor, job).await?;
        self.tx.commit_and_continue().await?;
        std::mem::take(&mut self.outbox).run(state);
        self.created.clear();
        self.updated.clear();
        self.held = 0;
        Ok(n)
    }

    /// The same for the import's last batch, ending its transaction.
    pub async fn commit(mut self, state: &AppState, actor: &Actor, job: i64) -> AppResult<i64> {
        let n = self.audit(actor, job).await?;
        self.tx.commit().await?;
        self.outbox.run(state);
        Ok(n)
    }

    /// The audit row of the people the batch created and updated (none when it has none).
    async fn audit(&mut self, actor: &Actor, job: i64) -> AppResult<i64> {
        let n = self.people();
        if n > 0 {
            let detail = json!({ "created": self.created, "updated": self.updated });
            audit::record(&mut self.tx, &actor.audit(), "person_imported", "import_job", job, detail).await?;
        }
        Ok(n)
    }
}
