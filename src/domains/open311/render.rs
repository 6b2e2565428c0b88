//! The answers of Open311 in the spec's two shapes: JSON (an array at the top) and XML (written
//! directly, escaped, UTF-8 with its declaration), errors as `[{code, description}]`.

use super::model::{Attribute, Format, Service};
use crate::error::AppError;
use crate::xml::escape;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A service definition: the attributes a request of the service may carry.
#[derive(Clone, Debug, Serialize)]
pub struct Definition {
    pub service_code: String,
    pub attributes: Vec<Attribute>,
}

/// A request as the public sees it: no internal notes, no staff names, no reporter's contact.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RequestOut {
    pub service_request_id: String,
    pub status: &'static str,
    pub status_notes: String,
    pub service_name: String,
    pub service_code: String,
    pub description: String,
    pub agency_responsible: String,
    pub service_notice: String,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: Option<String>,
    pub address: String,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

/// The answer to a posted request.
#[derive(Clone, Debug, Serialize)]
pub struct Created {
    pub service_request_id: String,
    pub token: String,
    pub service_notice: String,
    pub account_id: Option<String>,
}

/// A token resolved to its request.
#[derive(Clone, Debug, Serialize)]
pub struct TokenOut {
    pub token: String,
    pub service_request_id: String,
}

/// One error of the spec's error list.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorOut {
    pub code: u16,
    pub description: String,
}

/// Everything Open311 answers.
pub enum Body {
    Services(Vec<Service>),
    Definition(Definition),
    Requests(Vec<RequestOut>),
    Created(Created),
    Token(TokenOut),
    Errors(Vec<ErrorOut>),
}

/// A small XML writer: elements in order, text escaped.
struct Xml(String);

impl Xml {
    fn new() -> Self {
        Xml(String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"))
    }
    fn open(&mut self, tag: &str) {
        self.0.push_str(&format!("<{tag}>"));
    }
    fn close(&mut self, tag: &str) {
        self.0.push_str(&format!("</{tag}>"));
    }
    fn leaf(&mut self, tag: &str, text: &str) {
        if text.is_empty() {
            self.0.push_str(&format!("<{tag}/>"));
        } else {
            self.0.push_str(&format!("<{tag}>{}</{tag}>", escape(text)));
        }
    }
    fn opt(&mut self, tag: &str, v: Option<impl ToString>) {
        self.leaf(tag, &v.map(|v| v.to_string()).unwrap_or_default());
    }
}

fn service_xml(x: &mut Xml, s: &Service) {
    x.open("service");
    x.leaf("service_code", &s.service_code);
    x.leaf("service_name", &s.service_name);
    x.leaf("description", &s.description);
    x.leaf("metadata", if s.metadata { "true" } else { "false" });
    x.leaf("type", s.kind);
    x.leaf("keywords", &s.keywords);
    x.leaf("group", &s.group);
    x.close("service");
}

fn attribute_xml(x: &mut Xml, a: &Attribute) {
    x.open("attribute");
    x.leaf("variable", if a.variable { "true" } else { "false" });
    x.leaf("code", a.code);
    x.leaf("datatype", a.datatype);
    x.leaf("required", if a.required { "true" } else { "false" });
    x.leaf("datatype_description", a.datatype_description);
    x.leaf("order", &a.order.to_string());
    x.leaf("description", a.description);
    if !a.values.is_empty() {
        x.open("values");
        for v in &a.values {
            x.open("value");
            x.leaf("key", &v.key);
            x.leaf("name", &v.name);
            x.close("value");
        }
        x.close("values");
    }
    x.close("attribute");
}

fn request_xml(x: &mut Xml, r: &RequestOut) {
    x.open("request");
    x.leaf("service_request_id", &r.service_request_id);
    x.leaf("status", r.status);
    x.leaf("status_notes", &r.status_notes);
    x.leaf("service_name", &r.service_name);
    x.leaf("service_code", &r.service_code);
    x.leaf("description", &r.description);
    x.leaf("agency_responsible", &r.agency_responsible);
    x.leaf("service_notice", &r.service_notice);
    x.leaf("requested_datetime", &r.requested_datetime);
    x.leaf("updated_datetime", &r.updated_datetime);
    x.opt("expected_datetime", r.expected_datetime.as_ref());
    x.leaf("address", &r.address);
    x.opt("address_id", r.address_id.as_ref());
    x.opt("zipcode", r.zipcode.as_ref());
    x.opt("lat", r.lat);
    x.opt("long", r.long);
    x.opt("media_url", r.media_url.as_ref());
    x.close("request");
}

/// The XML document of an answer.
pub fn xml(b: &Body) -> String {
    let mut x = Xml::new();
    match b {
        Body::Services(list) => {
            x.open("services");
            list.iter().for_each(|s| service_xml(&mut x, s));
            x.close("services");
        }
        Body::Definition(d) => {
            x.open("service_definition");
            x.leaf("service_code", &d.service_code);
            x.open("attributes");
            d.attributes.iter().for_each(|a| attribute_xml(&mut x, a));
            x.close("attributes");
            x.close("service_definition");
        }
        Body::Requests(list) => {
            x.open("service_requests");
            list.iter().for_each(|r| request_xml(&mut x, r));
            x.close("service_requests");
        }
        Body::Created(c) => {
            x.open("service_requests");
            x.open("request");
            x.leaf("service_request_id", &c.service_request_id);
            x.leaf("token", &c.token);
            x.leaf("service_notice", &c.service_notice);
            x.opt("account_id", c.account_id.as_ref());
            x.close("request");
            x.close("service_requests");
        }
        Body::Token(t) => {
            x.open("service_requests");
            x.open("request");
            x.leaf("service_request_id", &t.service_request_id);
            x.leaf("token", &t.token);
            x.close("request");
            x.close("service_requests");
        }
        Body::Errors(list) => {
            x.open("errors");
            for e in list {
                x.open("error");
                x.leaf("code", &e.code.to_string());
                x.leaf("description", &e.description);
                x.close("error");
            }
            x.close("errors");
        }
    }
    x.0
}

/// The JSON document of an answer: always an array at the top, as the spec writes it (a service
/// definition is the one object).
pub fn json(b: &Body) -> String {
    let v = match b {
        Body::Services(l) => serde_json::to_value(l),
        Body::Definition(d) => serde_json::to_value(d),
        Body::Requests(l) => serde_json::to_value(l),
        Body::Created(c) => serde_json::to_value([c]),
        Body::Token(t) => serde_json::to_value([t]),
        Body::Errors(l) => serde_json::to_value(l),
    };
    v.map(|v| v.to_string()).unwrap_or_else(|_| "[]".into())
}

/// The answer in the format asked for.
pub fn respond(format: Format, status: StatusCode, b: &Body) -> Response {
    let text = match format {
        Format::Json => json(b),
        Format::Xml => xml(b),
    };
    let mut r = (status, text).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    r
}

/// An application error in the spec's shape: validation errors one entry per field (400, as the
/// spec says), a missing or bad key 403, anything unknown 404; the cause of a 500 only in the log.
pub fn failure(format: Format, e: AppError) -> Response {
    let status = match &e {
        AppError::Invalid { .. } => StatusCode::BAD_REQUEST,
        AppError::Unauthenticated(_) => StatusCode::FORBIDDEN,
        other => other.status(),
    };
    let list: Vec<ErrorOut> = match &e {
        AppError::Invalid { fields, .. } if !fields.is_empty() => {
            fields.values().map(|m| ErrorOut { code: 400, description: m.clone() }).collect()
        }
        AppError::Internal(cause) => {
            tracing::error!(error = ?cause, "internal error (open311)");
            vec![ErrorOut { code: 500, description: e.to_string() }]
        }
        _ => vec![ErrorOut { code: status.as_u16(), description: e.to_string() }],
    };
    let mut r = respond(format, status, &Body::Errors(list));
    if let AppError::RateLimited { retry_after_secs, .. } = &e {
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> RequestOut {
        RequestOut {
            service_request_id: "K7Q2M9".into(),
            status: "open",
            status_notes: "已收到，等待受理".into(),
            service_name: "暴露垃圾".into(),
            service_code: "0401".into(),
            description: "楼下垃圾 <堆> 了 & 没人清\u{1}".into(),
            agency_responsible: "嫩水社区第1网格".into(),
            service_notice: String::new(),
            requested_datetime: "2026-03-02T09:00:00+08:00".into(),
            updated_datetime: "2026-03-02T09:00:00+08:00".into(),
            expected_datetime: None,
            address: "东街 3 号".into(),
            address_id: None,
            zipcode: None,
            lat: Some(30.5),
            long: Some(104.25),
            media_url: None,
        }
    }

    #[test]
    fn xml_is_escaped_and_shaped_as_the_spec() {
        let x = xml(&Body::Requests(vec![request()]));
        assert!(x.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><service_requests><request>"));
        assert!(x.contains("<description>楼下垃圾 &lt;堆&gt; 了 &amp; 没人清</description>"));
        assert!(x.contains("<expected_datetime/>"));
        assert!(x.contains("<lat>30.5</lat><long>104.25</long>"));
        assert!(x.ends_with("</request></service_requests>"));
        let e = xml(&Body::Errors(vec![ErrorOut { code: 403, description: "api_key 无效".into() }]));
        assert!(e.ends_with("<errors><error><code>403</code><description>api_key 无效</description></error></errors>"));
    }

    #[test]
    fn json_is_an_array_at_the_top() {
        let j: serde_json::Value = serde_json::from_str(&json(&Body::Requests(vec![request()]))).unwrap();
        assert_eq!(j[0]["service_request_id"], "K7Q2M9");
        assert_eq!(j[0]["long"], 104.25);
        assert!(j[0]["expected_datetime"].is_null());
        let t: serde_json::Value = serde_json::from_str(&json(&Body::Token(TokenOut {
            token: "t".into(),
            service_request_id: "K7Q2M9".into(),
        })))
        .unwrap();
        assert_eq!(t, serde_json::json!([{ "token": "t", "service_request_id": "K7Q2M9" }]));
    }

    #[test]
    fn validation_errors_become_one_entry_per_field() {
        let mut f = crate::error::FieldErrors::new();
        f.insert("lat".into(), "请提供位置".into());
        f.insert("service_code".into(), "缺少 service_code".into());
        let r = failure(Format::Json, AppError::fields(f));
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/json; charset=utf-8");
    }
}
