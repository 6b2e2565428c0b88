//! The public reads of Open311 (no sign-in): services from the event categories, a service's
//! definition, requests reported through Open311 with their public status, tokens; and the
//! jurisdiction check every call shares.

use super::model::{self, ListQuery, Service, datetime, mask_numbers, quoted, status_of};
use super::render::{Definition, RequestOut, TokenOut};
use super::store::{self, RequestFilter, RequestRow};
use crate::domains::events::model::Details;
use crate::domains::events::reads as event_reads;
use crate::domains::events::workflow::State;
use crate::domains::public::model::{RESIDENT_CATEGORIES, plain_category, state_words};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A `jurisdiction_id` other than this county's code is refused (the spec's 404).
pub async fn check_jurisdiction(state: &AppState, given: Option<&str>) -> AppResult<()> {
    let Some(given) = given.map(str::trim).filter(|g| !g.is_empty()) else { return Ok(()) };
    let own = store::jurisdiction(&state.db).await?.unwrap_or_default();
    if given == own {
        Ok(())
    } else {
        Err(AppError::NotFound(format!("jurisdiction_id {} 不存在：本系统的 jurisdiction_id 是 {own}", quoted(given))))
    }
}

pub async fn services(state: &AppState) -> AppResult<Vec<Service>> {
    Ok(model::services(&event_reads::categories(&state.db).await?, &RESIDENT_CATEGORIES))
}

/// The definition of a service (its attributes); a code that is not a service is 404.
pub async fn definition(state: &AppState, code: &str) -> AppResult<Definition> {
    if services(state).await?.iter().any(|s| s.service_code == code) {
        Ok(Definition { service_code: code.to_owned(), attributes: model::attributes() })
    } else {
        Err(AppError::NotFound(format!("service_code {} 不存在或不接受群众反映，见 services.json", quoted(code))))
    }
}

/// A stored request as the public may read it.
pub fn public_view(r: &RequestRow) -> RequestOut {
    let what = serde_json::from_str::<Details>(&r.details).map(|d| d.what).unwrap_or_default();
    let state = State::parse(&r.state);
    let expected = match state {
        Some(State::Cancelled | State::Merged) => None,
        _ => r.close_due_at.map(datetime),
    };
    RequestOut {
        service_request_id: r.service_request_id.clone(),
        status: status_of(&r.state),
        status_notes: match (&r.reply_unit, &r.reply_body) {
            (Some(unit), Some(body)) => mask_numbers(&format!("{unit}：{body}")),
            _ => state_words(&r.state).to_owned(),
        },
        // The same name `services.json` gives the service.
        service_name: Some(plain_category(&r.category))
            .filter(|p| !p.is_empty())
            .map_or_else(|| r.category_name.clone(), str::to_owned),
        service_code: r.category.clone(),
        description: mask_numbers(&what),
        agency_responsible: r.holder_name.clone().unwrap_or_default(),
        service_notice: model::limits_text(&r.accept_limit, &r.handle_limit, &r.verify_limit),
        requested_datetime: datetime(r.reported_at),
        updated_datetime: datetime(r.updated_at),
        expected_datetime: expected,
        address: mask_numbers(&r.address),
        address_id: None,
        zipcode: None,
        lat: r.lat,
        long: r.lon,
        media_url: r.media_url.clone().filter(|m| !m.is_empty()),
    }
}

pub async fn requests(state: &AppState, q: &ListQuery) -> AppResult<Vec<RequestOut>> {
    let f = RequestFilter {
        ids: q.ids.clone(),
        codes: q.codes.clone(),
        from: q.from,
        to: q.to,
        states: q.states.clone(),
        limit: q.page_size,
        offset: (q.page - 1).saturating_mul(q.page_size),
    };
    Ok(store::list(&state.db, &f).await?.iter().map(public_view).collect())
}

pub async fn request(state: &AppState, id: &str) -> AppResult<RequestOut> {
    match store::get(&state.db, id).await? {
        Some(r) => Ok(public_view(&r)),
        None => Err(AppError::NotFound(format!("service_request_id {} 不存在", quoted(id)))),
    }
}

pub async fn token(state: &AppState, token: &str) -> AppResult<TokenOut> {
    match store::by_token(&state.db, token).await? {
        Some(id) => Ok(TokenOut { token: token.to_owned(), service_request_id: id }),
        None => Err(AppError::NotFound("token 不存在".into())),
    }
}
