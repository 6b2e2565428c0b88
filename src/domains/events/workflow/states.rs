//! The vocabulary of the life cycle: states, timed steps and actions, with their codes and Chinese labels.

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
