//! What a caller may see — one type for every domain — and the SQL that restricts each table shape to it:
//! areas and records by materialised path, department-dispatched events, submissions and supervisions,
//! and the people a department sees through the special-population groups it signs off.

use crate::db::{Filter, Value};

/// The part of the tree a caller sees.
#[derive(Clone, Debug)]
pub enum Scope {
    /// The subtree under this area.
    Area { area_id: i64, path: String },
    /// A department (of kind `kind`): what is sent to it; for the organisation itself, its town's subtree,
    /// read-only; of the register, only people with files of the special groups it signs off.
    Department { department_id: i64, kind: String, area_id: i64, path: String },
}

/// The exclusive upper bound of a subtree's paths, for `path >= p AND path < end` range scans.
pub fn subtree_end(path: &str) -> String {
    // '/' + 1 == '0' in ASCII: every path under `/1/5/` sorts before `/1/50`.
    match path.strip_suffix('/') {
        Some(stem) => format!("{stem}0"),
        None => format!("{path}0"),
    }
}

/// Restricts `column` (a materialised path) to the subtree at `path` (the caller's, or one they chose in it).
pub fn within(f: &mut Filter, column: &str, path: &str) {
    f.and(&format!("{column} >= ? AND {column} < ?"), vec![path.into(), subtree_end(path).into()]);
}

impl Scope {
    /// The whole tree: for the server's own reads (the card scan, hooks), never for a caller.
    pub fn everything() -> Scope {
        Scope::Area { area_id: 0, path: "/".into() }
    }

    /// The materialised path of the subtree root.
    pub fn path(&self) -> &str {
        match self {
            Scope::Area { path, .. } | Scope::Department { path, .. } => path,
        }
    }

    pub fn area_id(&self) -> i64 {
        match self {
            Scope::Area { area_id, .. } | Scope::Department { area_id, .. } => *area_id,
        }
    }

    /// The department, for a department's account.
    pub fn department_id(&self) -> Option<i64> {
        match self {
            Scope::Area { .. } => None,
            Scope::Department { department_id, .. } => Some(*department_id),
        }
    }

    /// Whether an area (by its path) lies inside this scope.
    pub fn contains(&self, area_path: &str) -> bool {
        area_path.starts_with(self.path())
    }

    /// Areas, or records by their area's or grid's path in `column`: the subtree.
    pub fn restrict_path(&self, f: &mut Filter, column: &str) {
        within(f, column, self.path());
    }

    /// Events `e`: an area sees its subtree; a department what it holds or has held.
    pub fn restrict_events(&self, f: &mut Filter) {
        match self {
            Scope::Area { path, .. } => within(f, "e.area_path", path),
            Scope::Department { department_id: d, .. } => {
                f.and(
                    "(e.holder_department_id = ? OR EXISTS (SELECT 1 FROM event_departments ed WHERE ed.event_id = e.id AND ed.department_id = ?))",
                    vec![(*d).into(), (*d).into()],
                );
            }
        };
    }

    /// Submissions `s`: an area sees its subtree's (by grid path); a department what is sent to it.
    pub fn restrict_submissions(&self, f: &mut Filter) {
        match self {
            Scope::Area { path, .. } => within(f, "s.grid_path", path),
            Scope::Department { department_id: d, .. } => {
                f.and1("s.department_id = ?", *d);
            }
        };
    }

    /// Supervisions addressed to areas `a` of the subtree; for a department, those of the events `e` it holds.
    pub fn restrict_supervisions(&self, f: &mut Filter) {
        match self {
            Scope::Area { path, .. } => within(f, "a.path", path),
            Scope::Department { department_id: d, .. } => {
                f.and1("e.holder_department_id = ?", *d);
            }
        };
    }

    /// People `p` joined to their grid `g`: the subtree; for a department, only people with an active
    /// special-population file of the groups `signs` says its kind signs off (none: nobody).
    pub fn restrict_persons(&self, f: &mut Filter, signs: impl Fn(&str) -> Vec<&'static str>) {
        within(f, "g.path", self.path());
        let Scope::Department { kind, .. } = self else { return };
        let kinds = signs(kind);
        if kinds.is_empty() {
            f.and("1 = 0", vec![]);
            return;
        }
        let marks = vec!["?"; kinds.len()].join(", ");
        f.and(
            &format!(
                "EXISTS (SELECT 1 FROM special_files sf WHERE sf.person_id = p.id AND sf.status = 'active' AND sf.kind IN ({marks}))"
            ),
            kinds.into_iter().map(Value::from).collect(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtrees_end_before_their_siblings() {
        assert_eq!(subtree_end("/1/5/"), "/1/50");
        // Moved from org::model's `usernames_and_paths`.
        assert!("/1/5/23/".as_bytes() < subtree_end("/1/5/").as_bytes());
        assert!("/1/51/".as_bytes() > subtree_end("/1/5/").as_bytes());
        assert!("/1/5/12/" < subtree_end("/1/5/").as_str() && "/1/50/" >= subtree_end("/1/5/").as_str());
        let town = Scope::Area { area_id: 5, path: "/1/5/".into() };
        assert!(town.contains("/1/5/12/") && !town.contains("/1/50/") && town.department_id().is_none());
        let police = Scope::Department { department_id: 3, kind: "police".into(), area_id: 5, path: "/1/5/".into() };
        assert_eq!((police.department_id(), police.area_id()), (Some(3), 5));
        assert!(Scope::everything().contains("/9/"));
    }

    #[test]
    fn a_department_sees_only_the_groups_it_signs_off() {
        let police = Scope::Department { department_id: 3, kind: "police".into(), area_id: 5, path: "/1/5/".into() };
        let mut f = Filter::new();
        police.restrict_persons(&mut f, |k| if k == "police" { vec!["drug_user"] } else { vec![] });
        assert!(f.where_sql().contains("sf.kind IN ($3)"), "{}", f.where_sql());
        let mut none = Filter::new();
        police.restrict_persons(&mut none, |_| vec![]);
        assert!(none.where_sql().contains("1 = 0"));
        let mut town = Filter::new();
        Scope::Area { area_id: 5, path: "/1/5/".into() }.restrict_persons(&mut town, |_| vec![]);
        assert!(!town.where_sql().contains("special_files"));
    }
}
