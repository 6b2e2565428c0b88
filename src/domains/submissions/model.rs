//! Pure rules of the stream: kinds, states, actions, who may take which action, and the card of a
//! waiting submission. No I/O.

use crate::auth::Role;
use crate::clock::Millis;
use crate::domains::registry::model as registry;

/// The kinds that can be submitted: floating people and the special-population file kinds.
pub fn kinds() -> Vec<(&'static str, &'static str)> {
    std::iter::once(("floating", registry::kind_label("floating")))
        .chain(registry::SPECIAL_KINDS.iter().map(|(k, l, _)| (*k, *l)))
        .collect()
}

pub fn kind_label(kind: &str) -> &'static str {
    if kind == "floating" { registry::kind_label(kind) } else { registry::special_label(kind) }
}

pub const STATES: [(&str, &str); 3] = [("waiting", "待签收"), ("signed", "已签收"), ("returned", "已退回")];

pub fn state_label(state: &str) -> &'static str {
    STATES.iter().find(|(k, _)| *k == state).map(|(_, l)| *l).unwrap_or("")
}

/// What was submitted: a new registration (or new file) or a change.
pub fn action_label(action: &str) -> &'static str {
    match action {
        "created" => "新登记",
        "changed" => "信息变更",
        _ => "",
    }
}

/// The lines of a submission's history.
pub fn step_label(action: &str) -> &'static str {
    match action {
        "send" => "报送",
        "update" => "待签收期间信息变更",
        "resend" => "重新报送",
        "sign" => "签收",
        "return" => "退回",
        _ => "",
    }
}

/// What a caller may do to a submission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Sign,
    Return,
    Resend,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        match s {
            "sign" => Some(Action::Sign),
            "return" => Some(Action::Return),
            "resend" => Some(Action::Resend),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Sign => "sign",
            Action::Return => "return",
            Action::Resend => "resend",
        }
    }
}

pub const ACTIONS: [Action; 3] = [Action::Sign, Action::Return, Action::Resend];

/// The caller as the rules see them.
#[derive(Clone, Debug)]
pub enum Party {
    /// A department handler of this department.
    Department(i64),
    /// An area-bound account: its role and the path of its subtree.
    Area { role: Role, path: String },
}

/// The parts of a submission the rules look at.
#[derive(Clone, Debug)]
pub struct View<'a> {
    pub state: &'a str,
    pub department_id: Option<i64>,
    pub department_name: &'a str,
    pub grid_path: &'a str,
}

/// Whether `party` may take `action` now; the refusal is the reason shown to the caller (409).
pub fn check(action: Action, party: &Party, v: &View<'_>) -> Result<(), String> {
    match action {
        Action::Sign | Action::Return => {
            let verb = if action == Action::Sign { "签收" } else { "退回" };
            let mine = matches!(party, Party::Department(d) if Some(*d) == v.department_id);
            if !mine {
                return Err(match v.department_id {
                    None => {
                        format!("该报送所在乡镇没有对应的职能部门，无人可以{verb}；请乡镇综治中心设立部门后重新报送")
                    }
                    Some(_) => format!("只有签收部门（{}）的办理人才能{verb}", v.department_name),
                });
            }
            if v.state != "waiting" {
                return Err(format!("该报送{}，不能{verb}", state_label(v.state)));
            }
            Ok(())
        }
        Action::Resend => {
            let in_grid = match party {
                Party::Area { role, path } => {
                    matches!(role, Role::GridWorker | Role::GridLeader | Role::CommunityStaff | Role::TownCenter)
                        && v.grid_path.starts_with(path.as_str())
                }
                Party::Department(_) => false,
            };
            if !in_grid {
                return Err("只有所在网格的网格员、网格长、社区或乡镇工作人员才能重新报送".into());
            }
            match (v.state, v.department_id) {
                ("returned", _) => Ok(()),
                // Re-routing one that had no department, after the town set one up.
                ("waiting", None) => Ok(()),
                ("waiting", Some(_)) => Err("该报送正在等待签收，不需要重新报送".into()),
                (s, _) => Err(format!("该报送{}，不能重新报送", state_label(s))),
            }
        }
    }
}

/// The actions a party may take now.
pub fn allowed(party: &Party, v: &View<'_>) -> Vec<&'static str> {
    ACTIONS.iter().filter(|a| check(**a, party, v).is_ok()).map(|a| a.as_str()).collect()
}

/// The card of a submission: only waiting ones have one; yellow from `yellow_at`, red from the deadline.
pub fn card(state: &str, yellow_at: Millis, deadline: Millis, now: Millis) -> &'static str {
    if state != "waiting" {
        "none"
    } else if now >= deadline {
        "red"
    } else if now >= yellow_at {
        "yellow"
    } else {
        "none"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(state: &str, dept: Option<i64>) -> View<'_> {
        View { state, department_id: dept, department_name: "鹤山派出所", grid_path: "/1/2/3/4/" }
    }

    #[test]
    fn only_the_department_signs_and_returns_waiting_ones() {
        let d = Party::Department(7);
        assert_eq!(allowed(&d, &view("waiting", Some(7))), vec!["sign", "return"]);
        assert!(allowed(&d, &view("signed", Some(7))).is_empty());
        let other = Party::Department(8);
        let e = check(Action::Sign, &other, &view("waiting", Some(7))).unwrap_err();
        assert!(e.contains("鹤山派出所"), "{e}");
        let town = Party::Area { role: Role::TownCenter, path: "/1/2/".into() };
        assert!(check(Action::Sign, &town, &view("waiting", Some(7))).is_err());
        let e = check(Action::Sign, &d, &view("waiting", None)).unwrap_err();
        assert!(e.contains("没有对应的职能部门"), "{e}");
    }

    #[test]
    fn the_grid_resends_after_a_return() {
        let w = Party::Area { role: Role::GridWorker, path: "/1/2/3/4/".into() };
        assert_eq!(allowed(&w, &view("returned", Some(7))), vec!["resend"]);
        assert!(check(Action::Resend, &w, &view("waiting", Some(7))).unwrap_err().contains("等待签收"));
        assert!(check(Action::Resend, &w, &view("waiting", None)).is_ok(), "re-route when there was no department");
        let elsewhere = Party::Area { role: Role::GridWorker, path: "/1/2/3/5/".into() };
        assert!(check(Action::Resend, &elsewhere, &view("returned", Some(7))).is_err());
        let viewer = Party::Area { role: Role::CountyViewer, path: "/1/".into() };
        assert!(check(Action::Resend, &viewer, &view("returned", Some(7))).is_err());
        assert!(check(Action::Resend, &Party::Department(7), &view("returned", Some(7))).is_err());
    }

    #[test]
    fn cards_follow_the_clock_while_waiting() {
        assert_eq!(card("waiting", 10, 20, 5), "none");
        assert_eq!(card("waiting", 10, 20, 10), "yellow");
        assert_eq!(card("waiting", 10, 20, 20), "red");
        assert_eq!(card("signed", 10, 20, 30), "none");
        assert_eq!(kind_label("mental_disorder"), "严重精神障碍患者");
        assert_eq!(kind_label("floating"), "流动人口");
        assert_eq!(kinds().len(), 6);
        assert_eq!(state_label("returned"), "已退回");
    }
}
