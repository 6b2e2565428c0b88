//! The code tables (ethnicity, education, …) loaded from the database for validation and labels.

use super::person_store;
use crate::db::Db;
use std::collections::HashMap;

#[derive(Clone, Debug, Default)]
pub struct Codes {
    labels: HashMap<(String, String), String>,
    order: Vec<(String, String, String)>,
}

impl Codes {
    pub async fn load(db: &Db) -> sqlx::Result<Codes> {
        let order = person_store::code_items(db).await?;
        let labels = order.iter().map(|(t, c, l)| ((t.clone(), c.clone()), l.clone())).collect();
        Ok(Codes { labels, order })
    }

    pub fn has(&self, table: &str, code: &str) -> bool {
        self.labels.contains_key(&(table.to_owned(), code.to_owned()))
    }

    pub fn label(&self, table: &str, code: &str) -> String {
        self.labels.get(&(table.to_owned(), code.to_owned())).cloned().unwrap_or_default()
    }

    /// `(code, label)` of one table in display order.
    pub fn items(&self, table: &str) -> Vec<(String, String)> {
        self.order.iter().filter(|(t, _, _)| t == table).map(|(_, c, l)| (c.clone(), l.clone())).collect()
    }

    /// The code for a label or a code (imports accept either).
    pub fn find(&self, table: &str, text: &str) -> Option<String> {
        let t = text.trim();
        self.order.iter().find(|(tb, c, l)| tb == table && (c == t || l == t)).map(|(_, c, _)| c.clone())
    }
}
