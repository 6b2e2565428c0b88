//! Special-population files on a person's page: the form to open a file of one of the five kinds
//! (with that kind's own fields) and the form to record a visit; a refused form comes back filled in.

use super::codes::Codes;
use super::forms::{self, Failure, Field, Form, Kind, Values, spec};
use super::model::{FieldType, SPECIAL_KINDS, special_fields};
use super::special::{self, SpecialInput, SpecialOut, VisitInput};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{ApiPath, PageForm};
use crate::web::pages::redirect;
use crate::web::routes::{Access, Entry, post};
use axum::extract::State;
use axum::response::Response;
use serde_json::{Map, Value};

const EDIT: Access = Access::Perm(Permission::EditRegister);

pub fn routes() -> Vec<Entry> {
    vec![
        post("/people/{id}/special", EDIT, "建立特殊人群档案", create),
        post("/people/{id}/special/{file_id}/visits", EDIT, "记录走访", visit),
    ]
}

/// Which form on the person's page was submitted and refused.
pub enum Target {
    NewFile(String),
    Visit(i64),
}

/// A refused special-file form, to draw again on the person's page.
pub struct Submitted {
    pub target: Target,
    pub values: Values,
    pub failure: Failure,
}

/// A file as the person's page shows it: its fields as text, and the visit form.
pub struct FileView {
    pub f: SpecialOut,
    pub facts: Vec<(&'static str, String)>,
    pub visit: Option<Form>,
}

/// The form to open a file of a kind the person has none of yet.
pub struct NewFileView {
    pub kind: &'static str,
    pub label: &'static str,
    pub form: Form,
}

const VISIT: [forms::Spec; 3] = [
    spec("visited_on", "走访日期", Kind::Date, true, 0),
    spec("note", "走访情况", Kind::Textarea, true, 1000),
    spec("next_visit_due", "下次走访日期", Kind::Date, false, 0).hint("不填则不设下次走访日期"),
];

fn file_fields(kind: &str, codes: &Codes) -> Vec<Field> {
    let mut v = forms::extra_fields(special_fields(kind), "data.", codes);
    v.push(Field::from(&spec("next_visit_due", "下次走访日期", Kind::Date, false, 0)));
    v
}

fn facts(f: &SpecialOut) -> Vec<(&'static str, String)> {
    special_fields(&f.kind)
        .iter()
        .filter_map(|d| {
            let text = match f.data.get(d.key)? {
                Value::Bool(true) => "是".to_owned(),
                Value::Bool(false) => "否".to_owned(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some((d.label, text))
        })
        .collect()
}

/// The files and the forms of the person's page; `can_edit` adds the forms, `submitted` fills the
/// one that was refused (a refusal that fits no form on the page is answered as a message).
pub fn views(
    files: Vec<SpecialOut>,
    can_edit: bool,
    today: &str,
    codes: &Codes,
    submitted: Option<&Submitted>,
) -> (Vec<FileView>, Vec<NewFileView>, Option<String>) {
    let mut fresh_visit = Values::default();
    fresh_visit.set("visited_on", today);
    let new_files = if can_edit {
        SPECIAL_KINDS
            .iter()
            .filter(|(k, _, _)| !files.iter().any(|f| f.kind == *k))
            .map(|(kind, label, _)| {
                let (values, failure) = match submitted {
                    Some(Submitted { target: Target::NewFile(k), values, failure }) if k == kind => {
                        (values.clone(), Some(failure))
                    }
                    _ => (Values::default(), None),
                };
                let form =
                    forms::form_of(&format!("new-{kind}-"), file_fields(kind, codes), &values, failure, &|_| vec![]);
                NewFileView { kind, label, form }
            })
            .collect()
    } else {
        vec![]
    };
    let files = files
        .into_iter()
        .map(|f| {
            let visit = can_edit.then(|| {
                let (values, failure) = match submitted {
                    Some(Submitted { target: Target::Visit(id), values, failure }) if *id == f.id => {
                        (values.clone(), Some(failure))
                    }
                    _ => (fresh_visit.clone(), None),
                };
                forms::form(&format!("visit-{}-", f.id), &VISIT, &values, failure, &|_| vec![])
            });
            FileView { facts: facts(&f), f, visit }
        })
        .collect::<Vec<_>>();
    let shown = |t: &Target| match t {
        Target::NewFile(k) => new_files.iter().any(|n| n.kind == k),
        Target::Visit(id) => files.iter().any(|f| f.f.id == *id && f.visit.is_some()),
    };
    let unplaced = submitted.filter(|s| !shown(&s.target)).map(|s| {
        let mut m = s.failure.message.clone();
        for e in s.failure.fields.values() {
            m.push('；');
            m.push_str(e);
        }
        m
    });
    (files, new_files, unplaced)
}

/// The `data` document from the `data.KEY` fields of the kind (blank fields left out).
fn data_of(kind: &str, v: &Values) -> Value {
    let mut data = Map::new();
    for d in special_fields(kind) {
        if let Some(text) = v.opt(&format!("data.{}", d.key)) {
            let value = match (d.kind, text.as_str()) {
                (FieldType::Bool, "true") => Value::Bool(true),
                (FieldType::Bool, "false") => Value::Bool(false),
                _ => Value::String(text),
            };
            data.insert(d.key.to_owned(), value);
        }
    }
    Value::Object(data)
}

async fn create(
    State(s): State<AppState>,
    a: Actor,
    ApiPath(id): ApiPath<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let v = Values::from_pairs(&pairs);
    let kind = v.get("kind").to_owned();
    let mut known: Vec<String> = special_fields(&kind).iter().map(|d| format!("data.{}", d.key)).collect();
    known.extend(["kind".to_owned(), "next_visit_due".to_owned()]);
    v.only(&known.iter().map(String::as_str).collect::<Vec<_>>())?;
    let input = SpecialInput { data: data_of(&kind, &v), kind: kind.clone(), next_visit_due: v.opt("next_visit_due") };
    match special::create(&s, &a, id, &input).await {
        Ok(_) => Ok(redirect(&format!("/people/{id}?msg=special_created"))),
        Err(e) => {
            let submitted = Submitted { target: Target::NewFile(kind), values: v, failure: Failure::of(e)? };
            super::pages::person_view(&s, &a, id, None, None, Some(&submitted)).await
        }
    }
}

async fn visit(
    State(s): State<AppState>,
    a: Actor,
    ApiPath((id, file_id)): ApiPath<(i64, i64)>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let v = Values::from_pairs(&pairs);
    v.only(&["visited_on", "note", "next_visit_due"])?;
    let input = VisitInput {
        visited_on: v.get("visited_on").trim().to_owned(),
        note: v.get("note").to_owned(),
        next_visit_due: v.opt("next_visit_due"),
    };
    match special::visit(&s, &a, id, file_id, &input).await {
        Ok(_) => Ok(redirect(&format!("/people/{id}?msg=visited"))),
        Err(e) => {
            let submitted = Submitted { target: Target::Visit(file_id), values: v, failure: Failure::of(e)? };
            super::pages::person_view(&s, &a, id, None, None, Some(&submitted)).await
        }
    }
}
