//! The dashboard's parts: register counts, open and overdue events, submissions waiting.

use super::super::store;
use super::*;
use crate::clock::{DAY, Millis};
use crate::db::Db;
use crate::domains::activity::model::ReportPeriod;
use crate::domains::events::model::Card;
use crate::domains::events::workflow::State as EventState;
use crate::domains::registry::model::special_label;
use crate::error::AppResult;
use std::collections::HashMap;

pub(super) async fn register_counts(db: &Db, path: &str, t: &Figures) -> AppResult<Register> {
    let special: Vec<Count> = store::special_counts(db, path)
        .await?
        .into_iter()
        .map(|(kind, count)| Count { label: special_label(&kind).to_owned(), code: kind, count, bar: 0 })
        .collect();
    Ok(Register {
        people: t.people,
        households: t.households,
        houses: t.houses,
        rentals: t.rentals,
        places: t.places,
        special_total: special.iter().map(|c| c.count).sum(),
        special: with_bars(special),
    })
}

/// Adds a count to a labelled list, keeping the list's order of first appearance.
pub(super) fn bump(list: &mut Vec<Count>, code: &str, label: impl FnOnce() -> String, n: i64) {
    match list.iter_mut().find(|c| c.code == code) {
        Some(c) => c.count += n,
        None => list.push(Count { code: code.to_owned(), label: label(), count: n, bar: 0 }),
    }
}

pub(super) async fn events(
    db: &Db,
    path: &str,
    now: Millis,
    period: &ReportPeriod,
    overdue_total: i64,
) -> AppResult<Events> {
    let categories = crate::domains::events::reads::categories(db).await?;
    let parent: HashMap<&str, (&str, Option<&str>)> =
        categories.iter().map(|c| (c.code.as_str(), (c.name.as_str(), c.parent_code.as_deref()))).collect();
    // The top-level category of a code (walking up at most a few levels).
    let top = |code: &str| -> (String, String) {
        let mut at = code;
        for _ in 0..5 {
            match parent.get(at) {
                Some((_, Some(p))) => at = p,
                _ => break,
            }
        }
        (at.to_owned(), parent.get(at).map(|(n, _)| (*n).to_owned()).unwrap_or_else(|| at.to_owned()))
    };
    let (mut by_state, mut by_category, mut by_card) = (Vec::new(), Vec::new(), Vec::new());
    let mut open = 0;
    for (state, category, card, n) in store::open_events(db, path).await? {
        open += n;
        let state_label = EventState::parse(&state).map(|s| s.label()).unwrap_or("");
        bump(&mut by_state, &state, || state_label.to_owned(), n);
        let (code, name) = top(&category);
        bump(&mut by_category, &code, || name, n);
        let card_label = match Card::parse(&card) {
            Card::None => "未亮牌",
            c => c.label(),
        };
        bump(&mut by_card, &card, || card_label.to_owned(), n);
    }
    // States in the order of the life cycle, categories and cards by size.
    by_state.sort_by_key(|c| {
        crate::domains::events::workflow::STATES.iter().position(|s| s.as_str() == c.code).unwrap_or(99)
    });
    by_category.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
    by_card.sort_by_key(|c| match c.code.as_str() {
        "red" => 0,
        "yellow" => 1,
        _ => 2,
    });
    let overdue_list = store::overdue_events(db, path, now, OVERDUE_LIST)
        .await?
        .into_iter()
        .map(|r| OverdueEvent {
            link: format!("/events/{}", r.id),
            category: top(&r.category).1,
            state_label: EventState::parse(&r.state).map(|s| s.label()).unwrap_or(""),
            card_label: Card::parse(&r.card).label(),
            deadline_text: crate::clock::format_local(r.deadline),
            days_overdue: (now - r.deadline).max(0) / DAY,
            id: r.id,
            title: r.title,
            card: r.card,
            grid_name: r.grid_name,
            deadline: r.deadline,
        })
        .collect();
    let (from, to) = period.millis();
    let (reported, closed) = store::month_counts(db, path, from, to).await?;
    Ok(Events {
        open,
        overdue: overdue_total,
        reported_this_month: reported,
        closed_this_month: closed,
        by_state: with_bars(by_state),
        by_category: with_bars(by_category),
        by_card: with_bars(by_card),
        overdue_list,
    })
}

pub(super) async fn submissions(db: &Db, path: &str, now: Millis) -> AppResult<Submissions> {
    let by_kind: Vec<SubmissionKind> = store::waiting_submissions(db, path, now)
        .await?
        .into_iter()
        .map(|(kind, waiting, overdue)| SubmissionKind {
            label: crate::domains::submissions::model::kind_label(&kind),
            kind,
            waiting,
            overdue,
        })
        .collect();
    Ok(Submissions {
        waiting: by_kind.iter().map(|k| k.waiting).sum(),
        overdue: by_kind.iter().map(|k| k.overdue).sum(),
        by_kind,
    })
}
