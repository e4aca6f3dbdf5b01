//! A submitted console form (`application/x-www-form-urlencoded`, fields may repeat), its
//! CSRF check, and the errors shown beside its fields.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use super::error::ConsoleError;
use super::texts::ConsoleTexts;
use crate::admin::AdminError;

pub struct Form {
    fields: Vec<(String, String)>,
}

impl Form {
    pub fn parse(body: &[u8]) -> Self {
        Self {
            fields: url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        }
    }

    /// The first value of `name`, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// The first value of `name` exactly as sent (passwords keep their spaces).
    pub fn raw(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name` (checkboxes), in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn checked(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    /// Non-empty lines of a text area, trimmed.
    pub fn lines(&self, name: &str) -> Vec<String> {
        self.get(name)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Whether the form carries `expected` as its CSRF token (compared in constant time).
    pub fn csrf_is(&self, expected: &str) -> bool {
        crate::secret::constant_time_eq(self.get("csrf_token").as_bytes(), expected.as_bytes())
    }
}

impl FromRequest for Form {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move { Ok(Self::parse(&body.await?)) })
    }
}

/// What was wrong with a submitted form: per field, and for the form as a whole.
#[derive(Default)]
pub struct Errors {
    fields: Vec<(&'static str, String)>,
    pub form: Option<String>,
}

impl Errors {
    /// The admin service's refusal of a well-formed form, shown above it; failures of the
    /// stores are not the form's and go on as errors.
    pub fn refusal(err: AdminError, t: &ConsoleTexts) -> Result<Self, ConsoleError> {
        let message = match err {
            AdminError::Invalid(message) | AdminError::Conflict(message) => {
                crate::domain::words::in_language(super::lang_of(t), &message)
            }
            AdminError::Stale => t.stale.to_owned(),
            other => return Err(other.into()),
        };
        Ok(Self {
            form: Some(message),
            ..Self::default()
        })
    }

    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.fields.push((field, message.into()));
    }

    /// The error beside `field`, if any.
    pub fn field(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.form.is_none()
    }

    /// Keeps the value of a parse, or notes its error beside `field`.
    pub fn take<T>(
        &mut self,
        t: &ConsoleTexts,
        field: &'static str,
        parsed: Result<T, crate::domain::Invalid>,
    ) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(err) => {
                let words = crate::domain::words::in_language(super::lang_of(t), &err.0);
                self.add(field, words);
                None
            }
        }
    }
}
