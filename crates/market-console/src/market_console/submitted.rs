//! A submitted console form that may carry one file: `multipart/form-data` (an evidence
//! upload) or plain `application/x-www-form-urlencoded`. Read whole up to the attachment
//! limit plus room for the fields; parsed here rather than with another dependency, since
//! the console's forms are ours and simple.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};

use super::error::PageError;
use crate::console::form::Form;
use crate::marketplace::workflow::attachments::MAX_BYTES;

/// Room for the fields beside the file.
const FIELDS_BYTES: usize = 64 * 1024;

/// A file chosen in a form.
pub struct Upload {
    pub file_name: String,
    pub content: Vec<u8>,
}

pub struct Submitted {
    pub form: Form,
    /// The file of the form's `evidence` input, when one was chosen.
    pub file: Option<Upload>,
}

impl FromRequest for Submitted {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let payload = web::Payload::from_request(req, payload).into_inner();
        Box::pin(async move {
            let payload = payload.map_err(|_| PageError::Refused("the form was cut off".into()))?;
            let body = payload
                .to_bytes_limited(MAX_BYTES + FIELDS_BYTES)
                .await
                .map_err(|_| {
                    PageError::Refused(format!(
                        "an attachment is at most {} MiB",
                        MAX_BYTES / (1024 * 1024)
                    ))
                })?
                .map_err(|_| PageError::Refused("the form was cut off".into()))?;
            match boundary(&content_type) {
                Some(boundary) => parse(&body, &boundary),
                None => Ok(Self {
                    form: Form::parse(&body),
                    file: None,
                }),
            }
        })
    }
}

/// The boundary of a `multipart/form-data` content type.
fn boundary(content_type: &str) -> Option<String> {
    let mut parts = content_type.split(';');
    if !parts
        .next()?
        .trim()
        .eq_ignore_ascii_case("multipart/form-data")
    {
        return None;
    }
    parts.find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.eq_ignore_ascii_case("boundary")
            .then(|| v.trim_matches('"').to_owned())
            .filter(|b| !b.is_empty() && b.len() <= 70)
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|at| at + from)
}

/// A parameter of a `Content-Disposition` line: `name="…"`.
fn parameter(disposition: &str, name: &str) -> Option<String> {
    disposition.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        (k.trim() == name).then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn parse(body: &[u8], boundary: &str) -> Result<Submitted, PageError> {
    let malformed = || PageError::Refused("the form could not be read".into());
    let delimiter = format!("--{boundary}").into_bytes();
    let mut at = find(body, &delimiter, 0).ok_or_else(malformed)? + delimiter.len();
    let mut fields = Vec::new();
    let mut file = None;
    let separator = format!("\r\n--{boundary}").into_bytes();
    while !body[at..].starts_with(b"--") {
        at = find(body, b"\r\n", at).ok_or_else(malformed)? + 2;
        let head_end = find(body, b"\r\n\r\n", at).ok_or_else(malformed)?;
        let head = String::from_utf8_lossy(&body[at..head_end]).into_owned();
        let start = head_end + 4;
        let end = find(body, &separator, start).ok_or_else(malformed)?;
        let content = &body[start..end];
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
            .ok_or_else(malformed)?;
        let name = parameter(disposition, "name").ok_or_else(malformed)?;
        match parameter(disposition, "filename") {
            // A file input left empty sends a part with an empty name and no content.
            Some(file_name) if !file_name.is_empty() && name == "evidence" => {
                file = Some(Upload {
                    file_name,
                    content: content.to_vec(),
                });
            }
            Some(_) => {}
            None => fields.push((name, String::from_utf8_lossy(content).into_owned())),
        }
        at = end + separator.len();
    }
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    Ok(Submitted {
        form: Form::parse(encoded.as_bytes()),
        file,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_one_file_are_read_and_an_empty_file_input_is_none() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nline one\r\nline two\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"proof.png\"\r\n\
Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n\0bytes\r\n--XyZ--\r\n";
        let found = boundary("multipart/form-data; boundary=XyZ").unwrap();
        let submitted = parse(body, &found).unwrap();
        assert_eq!(submitted.form.get("csrf_token"), "abc");
        assert_eq!(submitted.form.get("comment"), "line one\r\nline two");
        let file = submitted.file.unwrap();
        assert_eq!(file.file_name, "proof.png");
        assert_eq!(file.content, b"\x89PNG\r\n\x1a\n\0bytes");

        let empty = b"--b\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"\"\r\n\
Content-Type: application/octet-stream\r\n\r\n\r\n--b--\r\n";
        assert!(parse(empty, "b").unwrap().file.is_none());
        assert!(parse(b"garbage", "b").is_err());
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
    }
}
