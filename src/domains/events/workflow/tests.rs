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
