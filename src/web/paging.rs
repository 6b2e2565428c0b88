//! Paging of long lists: `?page=&per_page=` in, `{items, total, page, per_page}` out.

use serde::Serialize;

pub const DEFAULT_PER_PAGE: i64 = 20;
pub const MAX_PER_PAGE: i64 = 200;

#[derive(Clone, Copy, Debug)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

impl Paging {
    /// Clamps what the client asked for to sensible bounds.
    pub fn new(page: Option<i64>, per_page: Option<i64>) -> Self {
        Paging { page: page.unwrap_or(1).max(1), per_page: per_page.unwrap_or(DEFAULT_PER_PAGE).clamp(1, MAX_PER_PAGE) }
    }

    pub fn limit(&self) -> i64 {
        self.per_page
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }

    pub fn page<T>(&self, items: Vec<T>, total: i64) -> Page<T> {
        Page { items, total, page: self.page, per_page: self.per_page }
    }
}

/// One page of a list, the shape every list in the API answers with.
#[derive(Debug, Serialize, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
    pub fn has_prev(&self) -> bool {
        self.page > 1
    }
    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps_and_counts() {
        let p = Paging::new(Some(0), Some(10_000));
        assert_eq!((p.page, p.per_page), (1, MAX_PER_PAGE));
        let p = Paging::new(Some(3), Some(10));
        assert_eq!(p.offset(), 20);
        let page = p.page(vec![1, 2], 22);
        assert_eq!(page.pages(), 3);
        assert!(page.has_prev() && !page.has_next());
    }
}
