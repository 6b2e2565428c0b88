//! JSON API of the assessment: the ranking with breakdowns, the rules and their changes.

use super::model::Rule;
use super::service::{self, Ranking, RankingQuery, RuleInput};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};
use crate::web::routes::{Access, Entry, get, patch};
use axum::Json;
use axum::extract::State;

pub fn routes() -> Vec<Entry> {
    let read = Access::Perm(Permission::ReadSupervision);
    let rules_read = Access::AnyOf(&[Permission::ReadSupervision, Permission::ManageSupervisionSettings]);
    let settings = Access::Perm(Permission::ManageSupervisionSettings);
    vec![
        get("/api/v1/assessment", read, "月度考核排名：乡镇、社区或网格员的得分、名次和每一项扣分的来由", ranking)
            .query("area?, month?, level?"),
        get("/api/v1/assessment/rules", rules_read, "考核规则（每项扣分、上限、是否启用）", rules),
        patch("/api/v1/assessment/rules/{code}", settings, "修改考核规则", update_rule)
            .body("version, name?, points?, max_points?, enabled?"),
    ]
}

async fn ranking(State(s): State<AppState>, a: Actor, ApiQuery(q): ApiQuery<RankingQuery>) -> AppResult<Json<Ranking>> {
    Ok(Json(service::ranking(&s, &a, &q).await?))
}

async fn rules(State(s): State<AppState>, a: Actor) -> AppResult<Json<Vec<Rule>>> {
    Ok(Json(service::rules(&s, &a).await?))
}

async fn update_rule(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(code): ApiPath<String>,
    ApiJson(i): ApiJson<RuleInput>,
) -> AppResult<Json<Rule>> {
    Ok(Json(service::update_rule(&s, &a, &code, &i).await?))
}
