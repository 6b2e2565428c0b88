//! The form kit of the register pages: inputs drawn with the user's values and Chinese field errors
//! (a bad form comes back as it was typed), and audit rows shown as history, field by field old → new.

mod history;

use super::codes::Codes;
use super::model::{ExtraField, FieldType};
use crate::error::{AppError, AppResult, FieldErrors};
use axum::http::StatusCode;
use axum::response::Response;
pub use history::{Change, HistoryEntry, LINK_FIELDS, LinkNames, history, linked_ids};
use std::collections::BTreeMap;

/// How an input is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    Tel,
    Number,
    Date,
    Select,
    Textarea,
    Check,
}

impl Kind {
    fn html(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Tel => "tel",
            Kind::Number => "number",
            Kind::Date => "date",
            Kind::Select => "select",
            Kind::Textarea => "textarea",
            Kind::Check => "checkbox",
        }
    }
}

/// What a form field is: its name, label and kind; `also` names the service's error keys that
/// belong to it (the service may speak of `house_id` where the form asks for a house number).
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub max: usize,
    pub hint: &'static str,
    pub also: &'static [&'static str],
}

pub const fn spec(name: &'static str, label: &'static str, kind: Kind, required: bool, max: usize) -> Spec {
    Spec { name, label, kind, required, max, hint: "", also: &[] }
}

impl Spec {
    pub const fn hint(mut self, hint: &'static str) -> Self {
        self.hint = hint;
        self
    }
    pub const fn also(mut self, also: &'static [&'static str]) -> Self {
        self.also = also;
        self
    }
    pub const fn optional(mut self) -> Self {
        self.required = false;
        self
    }
}

/// One input as the template draws it.
#[derive(Clone, Debug)]
pub struct Input {
    pub name: String,
    /// The HTML id: unique on the page even when it holds several forms.
    pub id: String,
    pub label: String,
    pub kind: &'static str,
    pub required: bool,
    pub max: usize,
    pub hint: String,
    pub choices: Vec<(String, String)>,
    pub value: String,
    pub error: String,
}

/// A form ready to draw: its inputs, and a banner when the last submission failed.
#[derive(Clone, Debug, Default)]
pub struct Form {
    pub inputs: Vec<Input>,
    /// The refusal as a whole (empty when the form is fresh).
    pub message: String,
    /// Errors that belong to no input.
    pub other: Vec<String>,
    /// Whether the form was just submitted and refused (the page opens it).
    pub failed: bool,
    /// The record version an edit form carries (as submitted, so a stale one stays stale).
    pub version: String,
}

impl Form {
    /// Replaces an input's hint (for hints that depend on the record).
    pub fn hint(&mut self, name: &str, text: String) {
        if let Some(i) = self.inputs.iter_mut().find(|i| i.name == name) {
            i.hint = text;
        }
    }
}

/// The submitted (or current) values by field name.
#[derive(Clone, Debug, Default)]
pub struct Values(pub BTreeMap<String, String>);

impl Values {
    /// The form's pairs; a repeated name keeps its last value.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        Values(pairs.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }
    /// A trimmed value, or none when blank.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim().to_owned()).filter(|s| !s.is_empty())
    }
    /// The value as it should go to the service: `Some` when the form sent it, even blank (a blank
    /// clears the field or fails as missing), `None` when it did not (an edit then keeps the field).
    pub fn text(&self, name: &str) -> Option<String> {
        self.0.get(name).map(|s| s.trim().to_owned())
    }
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.0.insert(name.to_owned(), value.into());
    }
    /// An optional decimal number; a bad one is noted in `errors`.
    pub fn f64(&self, name: &str, errors: &mut FieldErrors) -> Option<f64> {
        let v = self.opt(name)?;
        match v.parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                errors.insert(name.into(), "请填写数字".into());
                None
            }
        }
    }
    /// An optional whole number; a bad one is noted in `errors`.
    pub fn i64(&self, name: &str, errors: &mut FieldErrors) -> Option<i64> {
        let v = self.opt(name)?;
        match v.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.insert(name.into(), "请填写整数".into());
                None
            }
        }
    }
    /// Refuses names the form does not have (a page only ever sends its own fields).
    pub fn only(&self, known: &[&str]) -> AppResult<()> {
        match self.0.keys().find(|k| !known.contains(&k.as_str())) {
            Some(k) => Err(AppError::field(k, format!("不认识的字段 {k}"))),
            None => Ok(()),
        }
    }
}

/// A refusal a form can show: validation errors (422) or a conflict such as a stale version (409).
/// Anything else (not found, forbidden…) stays an error page.
#[derive(Clone, Debug)]
pub struct Failure {
    pub status: StatusCode,
    pub message: String,
    pub fields: FieldErrors,
}

impl Failure {
    pub fn of(e: AppError) -> Result<Failure, AppError> {
        match e {
            AppError::Invalid { message, fields } => {
                Ok(Failure { status: StatusCode::UNPROCESSABLE_ENTITY, message, fields })
            }
            AppError::Conflict(message) => {
                Ok(Failure { status: StatusCode::CONFLICT, message, fields: FieldErrors::new() })
            }
            other => Err(other),
        }
    }

    pub fn is_conflict(&self) -> bool {
        self.status == StatusCode::CONFLICT
    }
}

/// A field with an owned name: what `Spec` describes, for fields made at run time (a special
/// file's `data.KEY` fields).
#[derive(Clone, Debug)]
pub struct Field {
    pub name: String,
    pub label: String,
    pub kind: Kind,
    pub required: bool,
    pub max: usize,
    pub hint: String,
    pub also: Vec<String>,
    pub choices: Option<Vec<(String, String)>>,
}

impl From<&Spec> for Field {
    fn from(s: &Spec) -> Self {
        Field {
            name: s.name.to_owned(),
            label: s.label.to_owned(),
            kind: s.kind,
            required: s.required,
            max: s.max,
            hint: s.hint.to_owned(),
            also: s.also.iter().map(|a| a.to_string()).collect(),
            choices: None,
        }
    }
}

/// The fields of a kind's extra document (`ExtraField`s) under a name prefix such as `data.`.
pub fn extra_fields(defs: &[ExtraField], prefix: &str, codes: &Codes) -> Vec<Field> {
    defs.iter()
        .map(|d| {
            let (kind, choices) = match d.kind {
                FieldType::Text => (Kind::Text, None),
                FieldType::Date => (Kind::Date, None),
                FieldType::Bool => (
                    Kind::Select,
                    Some(vec![("false".to_owned(), "否".to_owned()), ("true".to_owned(), "是".to_owned())]),
                ),
                FieldType::Code(t) => (Kind::Select, Some(codes.items(t))),
            };
            Field {
                name: format!("{prefix}{}", d.key),
                label: d.label.to_owned(),
                kind,
                required: d.required,
                max: if kind == Kind::Text { 200 } else { 0 },
                hint: String::new(),
                also: vec![],
                choices,
            }
        })
        .collect()
}

/// Builds a form from its specs, values and (after a refusal) the failure; `choices` answers the
/// options of select inputs by field name; `prefix` keeps ids unique on pages with several forms.
pub fn form(
    prefix: &str,
    specs: &[Spec],
    values: &Values,
    failure: Option<&Failure>,
    choices: &dyn Fn(&str) -> Vec<(String, String)>,
) -> Form {
    form_of(prefix, specs.iter().map(Field::from).collect(), values, failure, choices)
}

/// `form` for fields made at run time.
pub fn form_of(
    prefix: &str,
    fields: Vec<Field>,
    values: &Values,
    failure: Option<&Failure>,
    choices: &dyn Fn(&str) -> Vec<(String, String)>,
) -> Form {
    let empty = FieldErrors::new();
    let errors = failure.map(|f| &f.fields).unwrap_or(&empty);
    let mut used: Vec<&str> = Vec::new();
    let inputs = fields
        .into_iter()
        .map(|s| {
            let mut error = String::new();
            for key in std::iter::once(&s.name).chain(s.also.iter()) {
                if let Some((k, m)) = errors.get_key_value(key.as_str()) {
                    used.push(k.as_str());
                    if error.is_empty() {
                        error = m.clone();
                    }
                }
            }
            let choices = match (s.kind, s.choices) {
                (Kind::Select, Some(c)) => c,
                (Kind::Select, None) => choices(&s.name),
                _ => vec![],
            };
            Input {
                id: format!("{prefix}{}", s.name.replace('.', "-")),
                value: values.get(&s.name).to_owned(),
                name: s.name,
                label: s.label,
                kind: s.kind.html(),
                required: s.required,
                max: s.max,
                hint: s.hint,
                choices,
                error,
            }
        })
        .collect();
    let other = errors.iter().filter(|(k, _)| !used.contains(&k.as_str())).map(|(_, m)| m.clone()).collect();
    Form {
        inputs,
        message: failure.map(|f| f.message.clone()).unwrap_or_default(),
        other,
        failed: failure.is_some(),
        version: values.get("version").to_owned(),
    }
}

/// Answers a page drawn after a refusal with the refusal's status.
pub fn with_status(mut r: Response, failure: Option<&Failure>) -> Response {
    if let Some(f) = failure {
        *r.status_mut() = f.status;
    }
    r
}

/// The person IDs or 18-digit ID numbers typed into a textarea, one per line (or separated by
/// commas, spaces or 、).
pub fn id_list(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in text.split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == '、' || c == ';') {
        let t = t.trim().to_uppercase();
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

#[cfg(test)]
mod tests;
