//! Forms: the submitted fields, the problems found in them (next to each field and in a
//! summary at the top that links to the fields), and fields that keep what was typed.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use maud::{html, Markup};

use crate::{PageError, WebState};

/// A submitted form (`application/x-www-form-urlencoded`), fields in their order.
pub struct Form(pub Vec<(String, String)>);

impl Form {
    /// The first value of a field; empty when missing.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    /// Every value of a field (checkboxes, repeated fields).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

impl FromRequest<WebState> for Form {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &WebState) -> Result<Self, Self::Rejection> {
        let body = Bytes::from_request(req, state).await.map_err(|_| {
            PageError::BadInput("Das Formular ist zu groß oder unvollständig.".into())
        })?;
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
            .map(Form)
            .map_err(|_| PageError::BadInput("Das Formular ist nicht lesbar.".into()))
    }
}

/// What is wrong with a submitted form, by field id, in the order found.
#[derive(Default, Debug)]
pub struct Problems(Vec<(String, String)>);

impl Problems {
    pub fn add(&mut self, field: &str, message: &str) {
        self.0.push((field.to_owned(), message.to_owned()));
    }

    /// The API's problems, each on the form field `field_of` names for its input path.
    pub fn add_all(&mut self, found: Vec<crate::InputProblem>, field_of: impl Fn(&str) -> String) {
        for p in found {
            self.add(&field_of(&p.field), &p.message);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn of(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// The summary at the top of the form: announced, focusable, each problem a link to its
    /// field.
    pub fn summary(&self) -> Markup {
        html! {
            @if !self.0.is_empty() {
                div class="error-summary" role="alert" aria-labelledby="fehler-titel" tabindex="-1" id="fehler" {
                    h2 id="fehler-titel" { "Bitte prüfen Sie Ihre Angaben" }
                    ul {
                        @for (field, message) in &self.0 {
                            li { a href={ "#" (field) } { (message) } }
                        }
                    }
                }
            }
        }
    }

    /// `aria-describedby` and the message element of a field.
    fn described(&self, id: &str, hint: Option<&str>) -> (String, Markup) {
        let error = self.of(id);
        let mut by = Vec::new();
        if hint.is_some() {
            by.push(format!("{id}-hinweis"));
        }
        if error.is_some() {
            by.push(format!("{id}-fehler"));
        }
        let markup = html! {
            @if let Some(h) = hint { p id={ (id) "-hinweis" } class="hint" { (h) } }
            @if let Some(e) = error { p id={ (id) "-fehler" } class="field-error" { "Fehler: " (e) } }
        };
        (by.join(" "), markup)
    }
}

/// A labelled single-line field.
#[allow(clippy::too_many_arguments)]
pub fn text_field(
    problems: &Problems,
    id: &str,
    label: &str,
    value: &str,
    kind: &str,
    autocomplete: Option<&str>,
    hint: Option<&str>,
    required: bool,
) -> Markup {
    let (by, notes) = problems.described(id, hint);
    let invalid = problems.of(id).is_some();
    html! {
        div class={ "field" @if invalid { " invalid" } } {
            label for=(id) { (label) @if required { " (Pflichtfeld)" } }
            (notes)
            input type=(kind) id=(id) name=(id) value=(value)
                autocomplete=[autocomplete]
                aria-describedby=[(!by.is_empty()).then_some(by.as_str())]
                aria-invalid=[invalid.then_some("true")]
                required[required];
        }
    }
}

/// A labelled multi-line field.
pub fn text_area(
    problems: &Problems,
    id: &str,
    label: &str,
    value: &str,
    rows: u8,
    hint: Option<&str>,
) -> Markup {
    let (by, notes) = problems.described(id, hint);
    let invalid = problems.of(id).is_some();
    html! {
        div class={ "field" @if invalid { " invalid" } } {
            label for=(id) { (label) }
            (notes)
            textarea id=(id) name=(id) rows=(rows)
                aria-describedby=[(!by.is_empty()).then_some(by.as_str())]
                aria-invalid=[invalid.then_some("true")] { (value) }
        }
    }
}

/// A labelled choice of one value.
pub fn select(
    problems: &Problems,
    id: &str,
    label: &str,
    options: &[(&str, &str)],
    selected: &str,
) -> Markup {
    let (by, notes) = problems.described(id, None);
    let invalid = problems.of(id).is_some();
    html! {
        div class={ "field" @if invalid { " invalid" } } {
            label for=(id) { (label) }
            (notes)
            select id=(id) name=(id)
                aria-describedby=[(!by.is_empty()).then_some(by.as_str())]
                aria-invalid=[invalid.then_some("true")] {
                @for (value, text) in options {
                    option value=(value) selected[*value == selected] { (text) }
                }
            }
        }
    }
}

/// The hidden form token of a form.
pub fn token(value: &str) -> Markup {
    html! { input type="hidden" name="token" value=(value); }
}
