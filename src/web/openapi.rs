//! The OpenAPI 3.1 document, generated from the route table so it cannot drift from the router.

use super::routes::{Access, RouteSpec};
use axum::Json;
use serde_json::{Map, Value, json};

fn fields(spec: &str) -> Vec<(String, bool)> {
    spec.split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|f| match f.strip_suffix('?') {
            Some(name) => (name.to_owned(), false),
            None => (f.to_owned(), true),
        })
        .collect()
}

fn operation(r: &RouteSpec) -> Value {
    // Open311 (GeoReport v2) has string path parameters, form bodies and its own error list.
    let open311 = r.path.starts_with("/open311/");
    let id_type = if open311 { "string" } else { "integer" };
    let mut params: Vec<Value> = r
        .path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": id_type } }))
        .collect();
    for (name, required) in fields(r.query) {
        params.push(json!({ "name": name, "in": "query", "required": required, "schema": { "type": "string" } }));
    }
    let tag = if open311 { "open311" } else { r.path.split('/').nth(3).unwrap_or("pages") };
    let error = if open311 { "#/components/schemas/Open311Errors" } else { "#/components/schemas/Error" };
    let mut op = json!({
        "summary": r.summary,
        "tags": [tag],
        "parameters": params,
        "responses": {
            "200": { "description": "成功" },
            "default": { "description": "错误", "content": { "application/json": { "schema": { "$ref": error } } } }
        }
    });
    if !open311 && !r.body.is_empty() {
        let list = fields(r.body);
        let props: Map<String, Value> = list.iter().map(|(n, _)| (n.clone(), json!({}))).collect();
        let required: Vec<&String> = list.iter().filter(|(_, req)| *req).map(|(n, _)| n).collect();
        op["requestBody"] = json!({
            "required": true,
            "content": { "application/json": { "schema": { "type": "object", "additionalProperties": false, "properties": props, "required": required } } }
        });
    }
    if open311 && !r.body.is_empty() {
        let list = fields(r.body);
        let props: Map<String, Value> = list.iter().map(|(n, _)| (n.clone(), json!({ "type": "string" }))).collect();
        let required: Vec<&String> = list.iter().filter(|(_, req)| *req).map(|(n, _)| n).collect();
        op["requestBody"] = json!({
            "required": true,
            "content": { "application/x-www-form-urlencoded": { "schema": { "type": "object", "properties": props, "required": required } } }
        });
    }
    if r.path.ends_with("/photo") {
        op["requestBody"] = json!({
            "required": true,
            "content": { "multipart/form-data": { "schema": { "type": "object", "properties": { "photo": { "type": "string", "format": "binary" } } } } }
        });
    }
    if r.access == Access::Public {
        op["security"] = json!([]);
    }
    op
}

/// The document for every `/api/v1` and `/open311` route of the table.
pub fn document(routes: &[RouteSpec]) -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for r in routes.iter().filter(|r| r.path.starts_with("/api/v1/") || r.path.starts_with("/open311/")) {
        let entry = paths.entry(r.path.to_owned()).or_insert_with(|| json!({}));
        entry[r.method.to_lowercase()] = operation(r);
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "wangge 网格化服务管理信息系统 API", "version": env!("CARGO_PKG_VERSION"),
                  "description": "列表统一返回 {items, total, page, per_page}；错误统一返回 {code, message, fields}。" },
        "servers": [{ "url": "/" }],
        "paths": paths,
        "components": {
            "schemas": {
                "Error": { "type": "object", "required": ["code", "message", "fields"], "properties": {
                    "code": { "type": "string" }, "message": { "type": "string" },
                    "fields": { "type": "object", "additionalProperties": { "type": "string" } } } },
                "Open311Errors": { "type": "array", "items": { "type": "object", "required": ["code", "description"],
                    "properties": { "code": { "type": "integer" }, "description": { "type": "string" } } } }
            },
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" },
                "session": { "type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE }
            }
        },
        "security": [{ "bearer": [] }, { "session": [] }]
    })
}

pub async fn serve() -> Json<Value> {
    Json(document(&super::route_table()))
}
