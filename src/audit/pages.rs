//! Pages (HTML) of this domain.

use crate::web::routes::Entry;

pub fn routes() -> Vec<Entry> {
    vec![]
}
