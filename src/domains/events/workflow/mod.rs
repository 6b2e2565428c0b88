//! The event life cycle as data: states, actions, and one table saying from which states each action
//! may be taken, by whom (role + scope + current holder), what it needs and where it leads.

mod states;

use crate::auth::Role;
use Party::*;
use State as S;
pub use states::{ACTIONS, Action, STATES, State, Step};

/// Who holds an event now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holder {
    /// An area (grid, community, town or county), by id, materialised path and kind.
    Area {
        id: i64,
        path: String,
        kind: String,
    },
    Department {
        id: i64,
    },
}

/// The caller, as the table needs to see them.
#[derive(Clone, Debug)]
pub struct Who {
    pub account_id: i64,
    pub role: Role,
    /// The area the account is bound to (for department handlers: their department's area).
    pub area_id: i64,
    pub area_path: String,
    pub department_id: Option<i64>,
}

/// What the table needs to know about an event.
#[derive(Clone, Debug)]
pub struct EventView {
    pub state: State,
    pub holder: Holder,
    /// The path of the event's grid (empty when it still waits for a grid).
    pub grid_path: String,
    pub reporter_account_id: i64,
    /// Whether a previous holder exists to return the event to.
    pub has_sender: bool,
    pub extension_pending: bool,
    /// The account that completed the event last, and whether its category wants someone else to
    /// verify it.
    pub completed_by: Option<i64>,
    pub verifier_must_differ: bool,
}

/// Who may take an action, relative to the event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    /// Staff at the current holder: accounts bound to the holding area with the role of that level,
    /// or handlers of the holding department.
    Holder,
    /// Community, town or county centre staff strictly above the holder (for a department holder:
    /// the town or county centre over the event's grid).
    Above,
    /// The grid's workers, or community staff over the grid (verification on site).
    OriginGrid,
    /// Community, town or county centre staff over the event's grid.
    Centre,
    /// The account that reported the event.
    Reporter,
}

/// Where the holder goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Keep,
    /// Back to the previous holder.
    Sender,
    /// Up one level of the area tree.
    Parent,
    /// To the target named in the action (a department or a lower area).
    Target,
}

/// What an action needs besides the right party.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Needs {
    pub note: bool,
    pub target: bool,
    pub photos: bool,
    pub days: bool,
    pub satisfaction: bool,
    pub merge_into: bool,
}

/// One row of the transition table.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub action: Action,
    pub from: &'static [State],
    pub by: &'static [Party],
    /// `None` keeps the state.
    pub to: Option<State>,
    pub holder: Move,
    pub needs: Needs,
}

const NOTE: Needs =
    Needs { note: true, target: false, photos: false, days: false, satisfaction: false, merge_into: false };
const NONE: Needs =
    Needs { note: false, target: false, photos: false, days: false, satisfaction: false, merge_into: false };
const OPEN: &[State] =
    &[State::Reported, State::Accepted, State::Dispatched, State::InProgress, State::Completed, State::Verified];
const HANDLING: &[State] = &[State::Accepted, State::InProgress];

/// The transition table. An action not listed for a state is refused.
pub const RULES: &[Rule] = &[
    Rule {
        action: Action::Accept,
        from: &[S::Reported],
        by: &[Holder],
        to: Some(S::Accepted),
        holder: Move::Keep,
        needs: NONE,
    },
    Rule {
        action: Action::Accept,
        from: &[S::Dispatched],
        by: &[Holder],
        to: Some(S::InProgress),
        holder: Move::Keep,
        needs: NONE,
    },
    Rule {
        action: Action::Dispatch,
        from: HANDLING,
        by: &[Holder],
        to: Some(S::Dispatched),
        holder: Move::Target,
        needs: Needs { target: true, ..NOTE },
    },
    Rule {
        action: Action::Escalate,
        from: &[S::Reported, S::Accepted, S::InProgress],
        by: &[Holder],
        to: Some(S::Reported),
        holder: Move::Parent,
        needs: NOTE,
    },
    Rule {
        action: Action::Complete,
        from: HANDLING,
        by: &[Holder],
        to: Some(S::Completed),
        holder: Move::Keep,
        needs: NOTE,
    },
    Rule {
        action: Action::Verify,
        from: &[S::Completed],
        by: &[OriginGrid],
        to: Some(S::Verified),
        holder: Move::Keep,
        needs: NONE,
    },
    Rule {
        action: Action::Reopen,
        from: &[S::Completed],
        by: &[OriginGrid],
        to: Some(S::InProgress),
        holder: Move::Keep,
        needs: NOTE,
    },
    Rule {
        action: Action::Close,
        from: &[S::Verified],
        by: &[Centre],
        to: Some(S::Closed),
        holder: Move::Keep,
        needs: NONE,
    },
    Rule {
        action: Action::Return,
        from: &[S::Reported, S::Dispatched],
        by: &[Holder],
        to: Some(S::Accepted),
        holder: Move::Sender,
        needs: NOTE,
    },
    Rule {
        action: Action::Extend,
        from: &[S::Accepted, S::InProgress],
        by: &[Holder],
        to: None,
        holder: Move::Keep,
        needs: Needs { days: true, ..NOTE },
    },
    Rule {
        action: Action::ApproveExtension,
        from: &[S::Accepted, S::InProgress],
        by: &[Above],
        to: None,
        holder: Move::Keep,
        needs: NONE,
    },
    Rule {
        action: Action::RejectExtension,
        from: &[S::Accepted, S::InProgress],
        by: &[Above],
        to: None,
        holder: Move::Keep,
        needs: NOTE,
    },
    Rule {
        action: Action::Cancel,
        from: &[S::Reported, S::Accepted],
        by: &[Holder, Reporter],
        to: Some(S::Cancelled),
        holder: Move::Keep,
        needs: NOTE,
    },
    Rule {
        action: Action::Merge,
        from: &[S::Reported, S::Accepted],
        by: &[Holder],
        to: Some(S::Merged),
        holder: Move::Keep,
        needs: Needs { merge_into: true, ..NOTE },
    },
    Rule {
        action: Action::Evaluate,
        from: &[S::Closed],
        by: &[Centre, Reporter],
        to: Some(S::Evaluated),
        holder: Move::Keep,
        needs: Needs { satisfaction: true, ..NONE },
    },
    Rule { action: Action::Supervise, from: OPEN, by: &[Above], to: None, holder: Move::Keep, needs: NOTE },
    Rule { action: Action::Urge, from: OPEN, by: &[Above], to: None, holder: Move::Keep, needs: NONE },
];

fn level_role(kind: &str) -> &'static [Role] {
    match kind {
        "grid" => &[Role::GridWorker, Role::GridLeader],
        "community" => &[Role::CommunityStaff],
        "town" => &[Role::TownCenter],
        "county" => &[Role::CountyCenter],
        _ => &[],
    }
}

fn is_centre(role: Role) -> bool {
    matches!(role, Role::CommunityStaff | Role::TownCenter | Role::CountyCenter)
}

/// Whether `who` is the given party for `e`.
pub fn is_party(who: &Who, e: &EventView, party: Party) -> bool {
    match party {
        Holder => match &e.holder {
            self::Holder::Area { id, kind, .. } => who.area_id == *id && level_role(kind).contains(&who.role),
            self::Holder::Department { id } => who.role == Role::DepartmentHandler && who.department_id == Some(*id),
        },
        Above => {
            is_centre(who.role)
                && match &e.holder {
                    self::Holder::Area { path, .. } => path.starts_with(&who.area_path) && *path != who.area_path,
                    self::Holder::Department { .. } => {
                        matches!(who.role, Role::TownCenter | Role::CountyCenter)
                            && !e.grid_path.is_empty()
                            && e.grid_path.starts_with(&who.area_path)
                    }
                }
        }
        OriginGrid => {
            !e.grid_path.is_empty()
                && match who.role {
                    Role::GridWorker | Role::GridLeader => who.area_path == e.grid_path,
                    Role::CommunityStaff => e.grid_path.starts_with(&who.area_path),
                    _ => false,
                }
        }
        Centre => is_centre(who.role) && !e.grid_path.is_empty() && e.grid_path.starts_with(&who.area_path),
        Reporter => who.account_id == e.reporter_account_id,
    }
}

/// Why an action was refused, in Chinese for the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal(pub String);

/// The rule that allows `who` to take `action` on `e`, or why not.
pub fn decide(who: &Who, e: &EventView, action: Action) -> Result<&'static Rule, Refusal> {
    let rules: Vec<&'static Rule> = RULES.iter().filter(|r| r.action == action).collect();
    let Some(rule) = rules.iter().copied().find(|r| r.from.contains(&e.state)) else {
        return Err(Refusal(format!("事件当前为“{}”，不能{}", e.state.label(), action.label())));
    };
    if !rule.by.iter().any(|p| is_party(who, e, *p)) {
        let whom = match rule.by[0] {
            Holder => "当前承办单位",
            Above => "承办单位的上级",
            OriginGrid => "事件所在网格",
            Centre => "事件所在社区、乡镇或县的综治中心",
            Reporter => "上报人",
        };
        return Err(Refusal(format!("只有{whom}才能{}", action.label())));
    }
    match action {
        Action::Return if !e.has_sender => {
            return Err(Refusal("这是首次上报的事件，没有可回退的单位；无效事件请作废".into()));
        }
        Action::Escalate => {
            if let self::Holder::Area { kind, .. } = &e.holder
                && kind == "county"
            {
                return Err(Refusal("县级没有上级可上报，请交办给职能部门".into()));
            }
            if matches!(e.holder, self::Holder::Department { .. }) {
                return Err(Refusal("职能部门不能上报，请回退给交办单位".into()));
            }
        }
        Action::Dispatch if matches!(e.holder, self::Holder::Department { .. }) => {
            return Err(Refusal("职能部门不能再交办，请回退给交办单位".into()));
        }
        Action::Dispatch if matches!(&e.holder, self::Holder::Area { kind, .. } if kind == "grid") => {
            return Err(Refusal("网格不能交办，请自行办结或上报社区".into()));
        }
        Action::Verify if e.verifier_must_differ && e.completed_by == Some(who.account_id) => {
            return Err(Refusal(
                "办结和核查须由不同的人：这件事件是您办结的，请由本网格的其他人员或社区工作人员到现场核查".into(),
            ));
        }
        Action::Extend if e.extension_pending => return Err(Refusal("已有延期申请待审批".into())),
        Action::ApproveExtension | Action::RejectExtension if !e.extension_pending => {
            return Err(Refusal("没有待审批的延期申请".into()));
        }
        Action::Cancel if !is_party(who, e, Holder) && e.state != State::Reported => {
            return Err(Refusal("事件已受理，只有承办单位才能作废".into()));
        }
        _ => {}
    }
    Ok(rule)
}

/// The actions `who` may take on `e` now (for buttons on the page).
pub fn allowed(who: &Who, e: &EventView) -> Vec<Action> {
    ACTIONS.into_iter().filter(|a| decide(who, e, *a).is_ok()).collect()
}

#[cfg(test)]
mod tests;
