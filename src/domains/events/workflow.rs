//! The event life cycle as data: states, actions, and one table saying from which states each action
//! may be taken, by whom (role + scope + current holder), what it needs and where it leads.

use crate::auth::Role;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Waiting for the holder to accept (受理/签收).
    Reported,
    /// Accepted by an area holder, being handled there.
    Accepted,
    /// Sent to a department or a lower level, waiting for it to accept.
    Dispatched,
    /// Accepted by the receiver of a dispatch, being handled.
    InProgress,
    /// Handled, waiting for verification on site.
    Completed,
    /// Verified, waiting to be closed.
    Verified,
    Closed,
    Evaluated,
    Cancelled,
    Merged,
}

pub const STATES: [State; 10] = [
    State::Reported,
    State::Accepted,
    State::Dispatched,
    State::InProgress,
    State::Completed,
    State::Verified,
    State::Closed,
    State::Evaluated,
    State::Cancelled,
    State::Merged,
];

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Reported => "reported",
            State::Accepted => "accepted",
            State::Dispatched => "dispatched",
            State::InProgress => "in_progress",
            State::Completed => "completed",
            State::Verified => "verified",
            State::Closed => "closed",
            State::Evaluated => "evaluated",
            State::Cancelled => "cancelled",
            State::Merged => "merged",
        }
    }
    pub fn parse(s: &str) -> Option<State> {
        STATES.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            State::Reported => "待受理",
            State::Accepted => "办理中",
            State::Dispatched => "待签收",
            State::InProgress => "办理中（交办）",
            State::Completed => "待核查",
            State::Verified => "待结案",
            State::Closed => "已结案",
            State::Evaluated => "已评价",
            State::Cancelled => "已作废",
            State::Merged => "已合并",
        }
    }
    /// No more work: closed, evaluated, cancelled or merged.
    pub fn is_finished(self) -> bool {
        matches!(self, State::Closed | State::Evaluated | State::Cancelled | State::Merged)
    }
    /// The timed step the event is in, if any.
    pub fn step(self) -> Option<Step> {
        match self {
            State::Reported | State::Dispatched => Some(Step::Accept),
            State::Accepted | State::InProgress => Some(Step::Handle),
            State::Completed | State::Verified => Some(Step::Verify),
            _ => None,
        }
    }
}

/// The steps that carry a time limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Accept,
    Handle,
    Verify,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Accept => "accept",
            Step::Handle => "handle",
            Step::Verify => "verify",
        }
    }
    pub fn parse(s: &str) -> Option<Step> {
        [Step::Accept, Step::Handle, Step::Verify].into_iter().find(|x| x.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Step::Accept => "受理",
            Step::Handle => "办理",
            Step::Verify => "核查结案",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Accept,
    Dispatch,
    Escalate,
    Complete,
    Verify,
    Reopen,
    Close,
    Return,
    Extend,
    ApproveExtension,
    RejectExtension,
    Cancel,
    Merge,
    Evaluate,
    Supervise,
    Urge,
}

pub const ACTIONS: [Action; 16] = [
    Action::Accept,
    Action::Dispatch,
    Action::Escalate,
    Action::Complete,
    Action::Verify,
    Action::Reopen,
    Action::Close,
    Action::Return,
    Action::Extend,
    Action::ApproveExtension,
    Action::RejectExtension,
    Action::Cancel,
    Action::Merge,
    Action::Evaluate,
    Action::Supervise,
    Action::Urge,
];

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Dispatch => "dispatch",
            Action::Escalate => "escalate",
            Action::Complete => "complete",
            Action::Verify => "verify",
            Action::Reopen => "reopen",
            Action::Close => "close",
            Action::Return => "return",
            Action::Extend => "extend",
            Action::ApproveExtension => "approve_extension",
            Action::RejectExtension => "reject_extension",
            Action::Cancel => "cancel",
            Action::Merge => "merge",
            Action::Evaluate => "evaluate",
            Action::Supervise => "supervise",
            Action::Urge => "urge",
        }
    }
    pub fn parse(s: &str) -> Option<Action> {
        ACTIONS.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Action::Accept => "签收受理",
            Action::Dispatch => "交办",
            Action::Escalate => "上报上级",
            Action::Complete => "办结",
            Action::Verify => "核查通过",
            Action::Reopen => "核查不通过，重办",
            Action::Close => "结案",
            Action::Return => "回退",
            Action::Extend => "申请延期",
            Action::ApproveExtension => "批准延期",
            Action::RejectExtension => "驳回延期",
            Action::Cancel => "作废",
            Action::Merge => "合并重复事件",
            Action::Evaluate => "评价",
            Action::Supervise => "督办",
            Action::Urge => "催办",
        }
    }
}

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

use Party::*;
use State as S;

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
mod tests {
    use super::*;
    use crate::auth::role::ALL_ROLES;

    const GRID: &str = "/1/2/3/4/";
    const COMMUNITY: &str = "/1/2/3/";
    const TOWN: &str = "/1/2/";
    const COUNTY: &str = "/1/";

    fn area(kind: &str) -> super::Holder {
        let (id, path) = match kind {
            "grid" => (4, GRID),
            "community" => (3, COMMUNITY),
            "town" => (2, TOWN),
            _ => (1, COUNTY),
        };
        super::Holder::Area { id, path: path.into(), kind: kind.into() }
    }

    fn who(role: Role) -> Who {
        let (area_id, path, dept) = match role {
            Role::GridWorker | Role::GridLeader => (4, GRID, None),
            Role::CommunityStaff => (3, COMMUNITY, None),
            Role::TownCenter => (2, TOWN, None),
            Role::DepartmentHandler => (2, TOWN, Some(9)),
            _ => (1, COUNTY, None),
        };
        Who { account_id: 100 + role as i64, role, area_id, area_path: path.into(), department_id: dept }
    }

    fn event(state: State, holder: super::Holder) -> EventView {
        EventView {
            state,
            holder,
            grid_path: GRID.into(),
            reporter_account_id: 100 + Role::GridWorker as i64,
            has_sender: true,
            extension_pending: false,
            completed_by: None,
            verifier_must_differ: true,
        }
    }

    /// Every role × every action on one event: exactly `expected` (role, action) pairs are allowed.
    fn check(e: &EventView, expected: &[(Role, &[Action])]) {
        for role in ALL_ROLES {
            let want: &[Action] = expected.iter().find(|(r, _)| *r == role).map(|(_, a)| *a).unwrap_or(&[]);
            let got = allowed(&who(role), e);
            assert_eq!(got, want, "{role:?} on {:?} held by {:?}", e.state, e.holder);
        }
    }

    #[test]
    fn reported_at_the_grid() {
        let e = EventView { has_sender: false, ..event(State::Reported, area("grid")) };
        use Action::*;
        check(
            &e,
            &[
                (Role::GridWorker, &[Accept, Escalate, Cancel, Merge]),
                (Role::GridLeader, &[Accept, Escalate, Cancel, Merge]),
                (Role::CommunityStaff, &[Supervise, Urge]),
                (Role::TownCenter, &[Supervise, Urge]),
                (Role::CountyCenter, &[Supervise, Urge]),
            ],
        );
    }

    #[test]
    fn accepted_at_the_community() {
        let e = event(State::Accepted, area("community"));
        use Action::*;
        check(
            &e,
            &[
                // The reporting grid worker may no longer withdraw it: once accepted only the holder cancels.
                (Role::CommunityStaff, &[Dispatch, Escalate, Complete, Extend, Cancel, Merge]),
                (Role::TownCenter, &[Supervise, Urge]),
                (Role::CountyCenter, &[Supervise, Urge]),
            ],
        );
    }

    #[test]
    fn dispatched_to_a_department() {
        let e = event(State::Dispatched, super::Holder::Department { id: 9 });
        use Action::*;
        check(
            &e,
            &[
                (Role::DepartmentHandler, &[Accept, Return]),
                (Role::TownCenter, &[Supervise, Urge]),
                (Role::CountyCenter, &[Supervise, Urge]),
            ],
        );
        // Another department's handler may not touch it.
        let other = Who { department_id: Some(8), ..who(Role::DepartmentHandler) };
        assert!(allowed(&other, &e).is_empty());
    }

    #[test]
    fn in_progress_at_a_department() {
        let e = event(State::InProgress, super::Holder::Department { id: 9 });
        let got = allowed(&who(Role::DepartmentHandler), &e);
        assert_eq!(got, vec![Action::Complete, Action::Extend]);
        assert_eq!(
            decide(&who(Role::DepartmentHandler), &e, Action::Escalate).unwrap_err().0,
            "职能部门不能上报，请回退给交办单位"
        );
        assert!(decide(&who(Role::DepartmentHandler), &e, Action::Dispatch).is_err());
    }

    #[test]
    fn completed_is_verified_by_the_grid_and_closed_by_a_centre() {
        let e = event(State::Completed, super::Holder::Department { id: 9 });
        use Action::*;
        check(
            &e,
            &[
                (Role::GridWorker, &[Verify, Reopen]),
                (Role::GridLeader, &[Verify, Reopen]),
                (Role::CommunityStaff, &[Verify, Reopen]),
                (Role::TownCenter, &[Supervise, Urge]),
                (Role::CountyCenter, &[Supervise, Urge]),
            ],
        );
        // Whoever completed it does not verify it, unless the category allows that.
        let own = EventView { completed_by: Some(who(Role::GridWorker).account_id), ..e.clone() };
        assert_eq!(allowed(&who(Role::GridWorker), &own), [Reopen]);
        assert!(decide(&who(Role::GridWorker), &own, Verify).unwrap_err().0.starts_with("办结和核查须由不同的人"));
        assert!(decide(&who(Role::GridLeader), &own, Verify).is_ok());
        let allowed_here = EventView { verifier_must_differ: false, ..own };
        assert!(decide(&who(Role::GridWorker), &allowed_here, Verify).is_ok());
        let v = event(State::Verified, super::Holder::Department { id: 9 });
        check(
            &v,
            &[
                (Role::CommunityStaff, &[Close]),
                (Role::TownCenter, &[Close, Supervise, Urge]),
                (Role::CountyCenter, &[Close, Supervise, Urge]),
            ],
        );
    }

    #[test]
    fn closed_is_evaluated_and_finished_states_allow_nothing_else() {
        let e = event(State::Closed, area("grid"));
        use Action::*;
        check(
            &e,
            &[
                (Role::GridWorker, &[Evaluate]),
                (Role::CommunityStaff, &[Evaluate]),
                (Role::TownCenter, &[Evaluate]),
                (Role::CountyCenter, &[Evaluate]),
            ],
        );
        for s in [State::Evaluated, State::Cancelled, State::Merged] {
            check(&event(s, area("grid")), &[]);
            assert!(
                decide(&who(Role::CountyCenter), &event(s, area("county")), Action::Accept)
                    .unwrap_err()
                    .0
                    .contains("不能签收受理")
            );
        }
    }

    #[test]
    fn special_refusals() {
        let first = EventView { has_sender: false, ..event(State::Reported, area("community")) };
        assert!(decide(&who(Role::CommunityStaff), &first, Action::Return).unwrap_err().0.contains("没有可回退"));
        let county = event(State::Accepted, area("county"));
        assert!(decide(&who(Role::CountyCenter), &county, Action::Escalate).unwrap_err().0.contains("县级没有上级"));
        let grid = event(State::Accepted, area("grid"));
        assert!(decide(&who(Role::GridWorker), &grid, Action::Dispatch).unwrap_err().0.contains("网格不能交办"));
        let pending = EventView { extension_pending: true, ..event(State::Accepted, area("community")) };
        assert!(decide(&who(Role::CommunityStaff), &pending, Action::Extend).is_err());
        assert!(decide(&who(Role::TownCenter), &pending, Action::ApproveExtension).is_ok());
        assert!(decide(&who(Role::TownCenter), &pending, Action::RejectExtension).is_ok());
        assert!(decide(&who(Role::CommunityStaff), &pending, Action::ApproveExtension).is_err());
        // The reporter may withdraw an unaccepted report, not an accepted one.
        let reported = EventView { has_sender: false, ..event(State::Reported, area("community")) };
        assert!(decide(&who(Role::GridWorker), &reported, Action::Cancel).is_ok());
        let accepted = event(State::Accepted, area("community"));
        assert!(decide(&who(Role::GridWorker), &accepted, Action::Cancel).is_err());
        // Outside the scope: another grid's worker.
        let stranger = Who { area_id: 5, area_path: "/1/2/3/5/".into(), ..who(Role::GridWorker) };
        assert!(allowed(&stranger, &event(State::Completed, area("community"))).is_empty());
    }

    #[test]
    fn table_names_round_trip() {
        for s in STATES {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
        for a in ACTIONS {
            assert_eq!(Action::parse(a.as_str()), Some(a));
            assert!(RULES.iter().any(|r| r.action == a), "{a:?} has a rule");
        }
        assert_eq!(Action::parse("delete"), None);
    }
}
