//! A submitted console form that may carry one file: `multipart/form-data` (an evidence
//! upload, read with `actix-multipart`) or plain `application/x-www-form-urlencoded`. The
//! whole form is capped at the attachment limit plus room for the fields.

use std::future::Future;
use std::pin::Pin;

use actix_multipart::Multipart;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;

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

fn too_large() -> PageError {
    PageError::Refused(format!(
        "an attachment is at most {} MiB",
        MAX_BYTES / (1024 * 1024)
    ))
}

fn cut_off() -> PageError {
    PageError::Refused("the form could not be read".into())
}

impl FromRequest for Submitted {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("multipart/form-data"))
            });
        if multipart {
            let parts = Multipart::new(req.headers(), payload.take());
            return Box::pin(read_multipart(parts));
        }
        let payload = web::Payload::from_request(req, payload).into_inner();
        Box::pin(async move {
            let body = payload
                .map_err(|_| cut_off())?
                .to_bytes_limited(FIELDS_BYTES)
                .await
                .map_err(|_| too_large())?
                .map_err(|_| cut_off())?;
            Ok(Self {
                form: Form::parse(&body),
                file: None,
            })
        })
    }
}

/// Reads every part, the `evidence` file's bytes and the other fields' text, refusing a
/// form larger than the cap however its parts are split.
async fn read_multipart(mut parts: Multipart) -> Result<Submitted, PageError> {
    let mut budget = MAX_BYTES + FIELDS_BYTES;
    let mut fields = Vec::new();
    let mut file = None;
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(|_| cut_off())?;
        let (name, file_name) = match part.content_disposition() {
            Some(disposition) => (
                disposition.get_name().unwrap_or_default().to_owned(),
                disposition.get_filename().map(str::to_owned),
            ),
            None => return Err(cut_off()),
        };
        let mut content = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|_| cut_off())?;
            budget = budget.checked_sub(chunk.len()).ok_or_else(too_large)?;
            content.extend_from_slice(&chunk);
        }
        match file_name {
            // A file input left empty sends a part with an empty name and no content.
            Some(file_name) if !file_name.is_empty() && name == "evidence" => {
                file = Some(Upload { file_name, content });
            }
            Some(_) => {}
            None => fields.push((name, String::from_utf8_lossy(&content).into_owned())),
        }
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
    use actix_web::test::TestRequest;

    async fn submit(content_type: &str, body: &'static [u8]) -> Result<Submitted, PageError> {
        let (req, mut payload) = TestRequest::post()
            .insert_header((header::CONTENT_TYPE, content_type))
            .set_payload(body)
            .to_http_parts();
        Submitted::from_request(&req, &mut payload).await
    }

    #[actix_web::test]
    async fn fields_and_one_file_are_read_and_an_empty_file_input_is_none() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nline one\r\nline two\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"proof.png\"\r\n\
Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n\0bytes\r\n--XyZ--\r\n";
        let submitted = submit("multipart/form-data; boundary=XyZ", body)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(submitted.form.get("csrf_token"), "abc");
        assert_eq!(submitted.form.get("comment"), "line one\r\nline two");
        let file = submitted.file.unwrap();
        assert_eq!(file.file_name, "proof.png");
        assert_eq!(file.content, b"\x89PNG\r\n\x1a\n\0bytes");

        let empty = b"--b\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"\"\r\n\
Content-Type: application/octet-stream\r\n\r\n\r\n--b--\r\n";
        let submitted = submit("multipart/form-data; boundary=b", empty).await;
        assert!(submitted.is_ok_and(|s| s.file.is_none()));
        assert!(submit("multipart/form-data; boundary=b", b"garbage")
            .await
            .is_err());
        let plain = submit("application/x-www-form-urlencoded", b"a=1&b=two")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plain.form.get("b"), "two");
        assert!(plain.file.is_none());
    }
}
