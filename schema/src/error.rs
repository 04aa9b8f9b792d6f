//! Errors as clients see them: a German message and a stable `extensions.code`.
//! Internal details are logged, never sent.

use async_graphql::{Error, ErrorExtensions};
use srb_storage::StorageError;

/// The stable values of `extensions.code`. Clients branch on these, so they never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    BadUserInput,
    NotFound,
    Conflict,
    Unauthenticated,
    Forbidden,
    RateLimited,
    /// The request body (an upload) is larger than the server accepts.
    PayloadTooLarge,
    Internal,
    /// The document is not valid GraphQL.
    ParseFailed,
    /// The document does not fit the schema (unknown field, wrong argument type, …).
    ValidationFailed,
    /// The document nests deeper than the server allows.
    QueryTooDeep,
    /// The document asks for more than the server computes in one request.
    QueryTooComplex,
    /// The search index cannot answer right now; everything else works.
    SearchUnavailable,
    /// The answer took longer than the server waits (`Retry-After` says when to try again).
    RequestTimeout,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::BadUserInput => "BAD_USER_INPUT",
            Code::NotFound => "NOT_FOUND",
            Code::Conflict => "CONFLICT",
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::RateLimited => "RATE_LIMITED",
            Code::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Code::Internal => "INTERNAL",
            Code::ParseFailed => "GRAPHQL_PARSE_FAILED",
            Code::ValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Code::QueryTooDeep => "QUERY_TOO_DEEP",
            Code::QueryTooComplex => "QUERY_TOO_COMPLEX",
            Code::SearchUnavailable => "SEARCH_UNAVAILABLE",
            Code::RequestTimeout => "REQUEST_TIMEOUT",
        }
    }
}

pub fn error(code: Code, message: impl Into<String>) -> Error {
    Error::new(message).extend_with(|_, e| e.set("code", code.as_str()))
}

/// Bad input, naming the input field by its path (e.g. `input.places`).
pub fn bad_input(field: &str, message: impl Into<String>) -> Error {
    let field = field.to_owned();
    Error::new(message).extend_with(move |_, e| {
        e.set("code", Code::BadUserInput.as_str());
        e.set("field", field.as_str());
    })
}

/// A domain input error as GraphQL answers it: `BAD_USER_INPUT` with its field.
pub fn input_error(e: srb_domain::InputError) -> Error {
    bad_input(&e.field, e.message)
}

/// The problems of one input, collected so a client (a form) learns of all of them at once.
/// Answered as one `BAD_USER_INPUT` error: message and `field` of the first problem, and
/// `problems` with every `{ field, message }`.
#[derive(Default)]
pub struct Problems(Vec<Error>);

impl Problems {
    pub fn push(&mut self, e: Error) {
        self.0.push(e);
    }

    /// The value, or `None` with the problem kept.
    pub fn take<T>(&mut self, r: Result<T, Error>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    pub fn finish(self) -> Result<(), Error> {
        let mut all = self.0.into_iter();
        let Some(first) = all.next() else {
            return Ok(());
        };
        let field_of = |e: &Error| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("field"))
                .and_then(|v| match v {
                    async_graphql::Value::String(s) => Some(s.clone()),
                    _ => None,
                })
                .unwrap_or_default()
        };
        let mut list = vec![(field_of(&first), first.message.clone())];
        list.extend(all.map(|e| (field_of(&e), e.message.clone())));
        let problems = async_graphql::Value::List(
            list.iter()
                .map(|(field, message)| {
                    let mut m = async_graphql::indexmap::IndexMap::new();
                    m.insert(
                        async_graphql::Name::new("field"),
                        async_graphql::Value::from(field.as_str()),
                    );
                    m.insert(
                        async_graphql::Name::new("message"),
                        async_graphql::Value::from(message.as_str()),
                    );
                    async_graphql::Value::Object(m)
                })
                .collect(),
        );
        Err(bad_input(&list[0].0, list[0].1.clone())
            .extend_with(move |_, e| e.set("problems", problems.clone())))
    }
}

pub fn not_found(what: &str) -> Error {
    error(Code::NotFound, format!("{what} wurde nicht gefunden."))
}

pub fn is_not_found(e: &Error) -> bool {
    e.extensions
        .as_ref()
        .and_then(|x| x.get("code"))
        .is_some_and(|c| *c == async_graphql::Value::from(Code::NotFound.as_str()))
}

pub fn unauthenticated() -> Error {
    error(
        Code::Unauthenticated,
        "Anmeldung erforderlich: bitte ein gültiges API-Token mitsenden.",
    )
}

pub fn forbidden() -> Error {
    error(Code::Forbidden, "Für diese Aktion fehlt die Berechtigung.")
}

/// Logs the cause with a reference and sends only the reference.
pub fn internal(cause: impl std::fmt::Display) -> Error {
    let reference = new_reference();
    tracing::error!(reference = %reference, error = %cause, "internal error");
    Error::new(format!(
        "Interner Fehler. Bitte später erneut versuchen (Referenz {reference})."
    ))
    .extend_with(move |_, e| {
        e.set("code", Code::Internal.as_str());
        e.set("reference", reference.as_str());
    })
}

/// A reference for the log and the caller (an error page, an `INTERNAL` answer).
pub fn new_reference() -> String {
    use rand::Rng;
    format!("{:016x}", rand::thread_rng().gen::<u64>())
}

fn entity_de(entity: &str) -> &'static str {
    match entity {
        "Kita" => "Die Kita",
        "Provider" => "Der Träger",
        "SocialSpace" => "Der Sozialraum",
        "User" => "Das Benutzerkonto",
        "District" => "Der Bezirk",
        "Workshop" => "Der Workshop",
        "WorkshopSession" => "Der Programmpunkt",
        "Contribution" => "Der Beitrag",
        "KnowledgeDocument" => "Der Eintrag",
        _ => "Der Datensatz",
    }
}

pub fn from_storage(e: StorageError) -> Error {
    match e {
        StorageError::NotFound { entity, .. } => not_found(entity_de(entity)),
        StorageError::NotDeleted { entity, .. } => bad_input(
            "id",
            format!(
                "{} ist nicht gelöscht und kann nicht wiederhergestellt werden.",
                entity_de(entity)
            ),
        ),
        StorageError::Conflict {
            entity,
            expected,
            actual,
            ..
        } => Error::new(format!(
            "{} wurde inzwischen von jemand anderem geändert (Version {actual}, nicht {expected}). \
             Bitte neu laden und die Änderung erneut vornehmen.",
            entity_de(entity)
        ))
        .extend_with(move |_, e| {
            e.set("code", Code::Conflict.as_str());
            e.set("currentVersion", actual);
        }),
        StorageError::Duplicate { entity, field } => bad_input(
            &format!("input.{field}"),
            match (entity, field) {
                (_, "email") => "Diese E-Mail-Adresse ist bereits vergeben.".to_owned(),
                (e, _) => format!(
                    "{} mit diesem Namen gibt es in diesem Bezirk bereits.",
                    entity_de(e)
                ),
            },
        ),
        other => internal(other),
    }
}

/// `?` on storage results inside resolvers.
pub trait OrGqlError<T> {
    fn gql(self) -> Result<T, Error>;
}

impl<T> OrGqlError<T> for Result<T, StorageError> {
    fn gql(self) -> Result<T, Error> {
        self.map_err(from_storage)
    }
}
