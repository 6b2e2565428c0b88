//! Builds a `WHERE` clause and its arguments step by step, numbering placeholders as it goes.

use super::Value;

#[derive(Default, Clone, Debug)]
pub struct Filter {
    conds: Vec<String>,
    args: Vec<Value>,
}

impl Filter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a condition whose `?` marks are replaced by the next placeholders, one value each.
    pub fn and(&mut self, sql: &str, values: Vec<Value>) -> &mut Self {
        let mut out = String::with_capacity(sql.len() + 8);
        let mut values = values.into_iter();
        for c in sql.chars() {
            if c == '?'
                && let Some(v) = values.next()
            {
                self.args.push(v);
                out.push_str(&format!("${}", self.args.len()));
                continue;
            }
            out.push(c);
        }
        self.conds.push(out);
        self
    }

    /// Adds `column IN (…)` over the given ids (the caller answers an empty list without a query).
    pub fn and_in(&mut self, column: &str, ids: &[i64]) -> &mut Self {
        let marks = vec!["?"; ids.len()].join(", ");
        self.and(&format!("{column} IN ({marks})"), ids.iter().map(|i| Value::from(*i)).collect())
    }

    /// Adds one condition with one value: `filter.eq("status = ?", "active")`.
    pub fn and1(&mut self, sql: &str, value: impl Into<Value>) -> &mut Self {
        self.and(sql, vec![value.into()])
    }

    /// ` WHERE a AND b` (or nothing).
    pub fn where_sql(&self) -> String {
        if self.conds.is_empty() { String::new() } else { format!(" WHERE {}", self.conds.join(" AND ")) }
    }

    pub fn args(&self) -> Vec<Value> {
        self.args.clone()
    }

    /// The arguments followed by `extra`, and the placeholder numbers of the extras (for LIMIT/OFFSET).
    pub fn args_with(&self, extra: Vec<Value>) -> (Vec<Value>, Vec<String>) {
        let start = self.args.len();
        let marks = (1..=extra.len()).map(|i| format!("${}", start + i)).collect();
        let mut all = self.args.clone();
        all.extend(extra);
        (all, marks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_placeholders_in_order() {
        let mut f = Filter::new();
        f.and1("a = ?", 1i64).and("b BETWEEN ? AND ?", vec![2i64.into(), 3i64.into()]);
        assert_eq!(f.where_sql(), " WHERE a = $1 AND b BETWEEN $2 AND $3");
        let (args, marks) = f.args_with(vec![10i64.into(), 0i64.into()]);
        assert_eq!(args.len(), 5);
        assert_eq!(marks, vec!["$4", "$5"]);
    }
}
