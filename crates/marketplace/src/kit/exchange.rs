//! One exchange with a seller's production interface: the request for an activity,
//! signed with the key bound to its interface category, and the check that turns the
//! seller's answer into success or a stated refusal (koogallery-reference.md §4.1–4.5).

use reqwest::header::{HeaderName, HeaderValue};
use serde_json::Value;
use url::Url;

use crate::kit::signing::{v2_signature, verify_body_sign, BodySignError};
use unilogin_core::outbound::Answer;
use unilogin_core::secret::Secret;

/// The interface categories; a seller binds a different access key to each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// The SaaS interface: instances (new, renew, status, release, upgrade, query).
    Basic,
    /// Tenant, application and user-authorization sync.
    KitSync,
    /// Order notification.
    Generic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    NewInstance,
    RefreshInstance,
    UpdateInstanceStatus,
    ReleaseInstance,
    Upgrade,
    QueryInstance,
    OrderNotify,
    TenantSync,
    ApplicationSync,
    UserSync,
}

impl Activity {
    pub const ALL: [Self; 10] = [
        Self::NewInstance,
        Self::RefreshInstance,
        Self::UpdateInstanceStatus,
        Self::ReleaseInstance,
        Self::Upgrade,
        Self::QueryInstance,
        Self::OrderNotify,
        Self::TenantSync,
        Self::ApplicationSync,
        Self::UserSync,
    ];

    /// The `activity` value in the body; for kit sync, the last segment of the path.
    /// `upgrade` is our choice: upstream leaves the V2 value open.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewInstance => "newInstance",
            Self::RefreshInstance => "refreshInstance",
            Self::UpdateInstanceStatus => "updateInstanceStatus",
            Self::ReleaseInstance => "releaseInstance",
            Self::Upgrade => "upgrade",
            Self::QueryInstance => "queryInstance",
            Self::OrderNotify => "orderNotify",
            Self::TenantSync => "tenantSync",
            Self::ApplicationSync => "applicationSync",
            Self::UserSync => "userSync",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw)
    }

    pub fn category(self) -> Category {
        match self {
            Self::TenantSync | Self::ApplicationSync | Self::UserSync => Category::KitSync,
            Self::OrderNotify => Category::Generic,
            _ => Category::Basic,
        }
    }
}

/// A request ready to send: where, with which headers, and the exact body signed.
#[derive(Debug)]
pub struct SignedRequest {
    pub url: Url,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Vec<u8>,
}

impl SignedRequest {
    /// The same request as a `curl` command (the debug page's "generate").
    pub fn curl(&self) -> String {
        let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
        let mut command = format!("curl -sS -X POST {}", quote(self.url.as_str()));
        command.push_str(" -H 'Content-Type: application/json; charset=utf-8'");
        for (name, value) in &self.headers {
            let value = value.to_str().unwrap_or_default();
            command.push_str(&format!(" -H {}", quote(&format!("{name}: {value}"))));
        }
        command.push_str(&format!(
            " --data-binary {}",
            quote(&String::from_utf8_lossy(&self.body))
        ));
        command
    }
}

/// Signs `payload` (a JSON object; `activity` is added outside kit sync) for `activity` at
/// `production_url`.
/// Kit sync goes to `{production_url}/produceAPI/v2/{activity}` with `x-sign`,
/// `x-timestamp`, `x-nonce` headers; everything else to the production URL itself with
/// `signature`, `timestamp`, `nonce` query parameters.
pub fn sign_request(
    production_url: &Url,
    activity: Activity,
    key: &Secret,
    mut payload: Value,
    nonce: &str,
    now_ms: i64,
) -> SignedRequest {
    // The production interface names the call in the body; kit sync names it in the path
    // (`…/produceAPI/v2/{activity}`), and its bodies carry upstream's fields only.
    if let Some(object) = payload.as_object_mut() {
        if activity.category() != Category::KitSync {
            object.insert("activity".into(), activity.as_str().into());
        }
        // Each attempt is a new request: its body's time is the signing time, like the
        // signature's timestamp and nonce.
        if object.contains_key("timeStamp") {
            object.insert(
                "timeStamp".into(),
                crate::kit::payloads::time_ms(now_ms).into(),
            );
        }
    }
    let body = serde_json::to_vec(&payload).unwrap_or_default();
    let signature = v2_signature(key.expose(), nonce, now_ms, &body);
    let mut url = production_url.clone();
    let mut headers = Vec::new();
    if activity.category() == Category::KitSync {
        let path = format!(
            "{}/produceAPI/v2/{}",
            url.path().trim_end_matches('/'),
            activity.as_str()
        );
        url.set_path(&path);
        let header = |value: String| HeaderValue::from_str(&value).ok();
        for (name, value) in [
            ("x-sign", signature),
            ("x-timestamp", now_ms.to_string()),
            ("x-nonce", nonce.to_owned()),
        ] {
            if let Some(value) = header(value) {
                headers.push((HeaderName::from_static(name), value));
            }
        }
    } else {
        url.query_pairs_mut()
            .append_pair("signature", &signature)
            .append_pair("timestamp", &now_ms.to_string())
            .append_pair("nonce", nonce);
    }
    SignedRequest { url, headers, body }
}

/// A successful answer: its code (`000000`, or `000004` for an opening that completes
/// later) and its JSON.
#[derive(Debug)]
pub struct Accepted {
    pub result_code: String,
    pub body: Value,
}

impl Accepted {
    /// The seller is still opening the instance: poll `queryInstance`.
    pub fn in_progress(&self) -> bool {
        self.result_code == IN_PROGRESS
    }

    /// The seller's `instanceId`, when the answer carries one.
    pub fn instance_id(&self) -> Option<&str> {
        self.body.get("instanceId").and_then(Value::as_str)
    }
}

pub const SUCCESS: &str = "000000";
pub const IN_PROGRESS: &str = "000004";

/// Why an answer does not count as success; the text is what the seller is shown.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("HTTP status {0}, expected 200")]
    Status(u16),
    #[error("content type {0:?}, expected application/json")]
    ContentType(String),
    #[error(transparent)]
    BodySign(#[from] BodySignError),
    #[error("the body is not a JSON object with resultCode and resultMsg (expected {{\"resultCode\":\"000000\",\"resultMsg\":\"success.\"}})")]
    NotJson,
    #[error("resultCode {code} ({meaning}): {message}")]
    ResultCode {
        code: String,
        meaning: &'static str,
        message: String,
    },
    #[error("the answer lacks {0}")]
    MissingField(&'static str),
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
}

/// The meaning of a `resultCode` (§4.3).
pub fn meaning(code: &str) -> &'static str {
    match code {
        "000000" => "success",
        "000001" => "authentication failed",
        "000002" => "bad parameters",
        "000003" => "instance id not found",
        "000004" => "in progress",
        "000005" => "internal error",
        "000100" => "no instance resources",
        "000101" => "mobile missing or duplicate",
        "000102" => "email missing or duplicate",
        "000103" => "cannot repurchase",
        "000104" => "product internal error",
        "000105" => "already entitled",
        "000106" => "sold out",
        "000107" => "SaaS email domain duplicate",
        _ => "unknown code",
    }
}

fn bounded(
    body: &Value,
    pointer: &str,
    field: &'static str,
    max: usize,
    required: bool,
) -> Result<(), Refusal> {
    match body.pointer(pointer) {
        None | Some(Value::Null) if required => Err(Refusal::MissingField(field)),
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(s)) if s.is_empty() && required => Err(Refusal::MissingField(field)),
        Some(Value::String(s)) if s.chars().count() > max => Err(Refusal::TooLong { field, max }),
        Some(Value::String(_)) => Ok(()),
        Some(_) => Err(Refusal::MissingField(field)),
    }
}

/// Accepts only HTTP 200, JSON, a valid `Body-Sign` under `key`, and `resultCode`
/// `000000` (or `000004` where an opening may complete later), with the fields the
/// activity must return (§4.5).
pub fn check_answer(
    key: &Secret,
    activity: Activity,
    answer: &Answer,
) -> Result<Accepted, Refusal> {
    if answer.status != 200 {
        return Err(Refusal::Status(answer.status));
    }
    let content_type = answer.content_type().unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or_default().trim();
    if !media.eq_ignore_ascii_case("application/json") {
        return Err(Refusal::ContentType(content_type.to_owned()));
    }
    verify_body_sign(key.expose(), answer.header("body-sign"), &answer.body)?;
    let body: Value = serde_json::from_slice(&answer.body).map_err(|_| Refusal::NotJson)?;
    let (Some(code), Some(message)) = (
        body.get("resultCode").and_then(Value::as_str),
        body.get("resultMsg").and_then(Value::as_str),
    ) else {
        return Err(Refusal::NotJson);
    };
    let may_be_in_progress = matches!(activity, Activity::NewInstance | Activity::QueryInstance);
    if code != SUCCESS && !(code == IN_PROGRESS && may_be_in_progress) {
        return Err(Refusal::ResultCode {
            code: code.chars().take(16).collect(),
            meaning: meaning(code),
            message: message.chars().take(256).collect(),
        });
    }
    if activity == Activity::NewInstance && code == SUCCESS {
        bounded(&body, "/instanceId", "instanceId", 64, true)?;
    }
    bounded(
        &body,
        "/appInfo/frontEndUrl",
        "appInfo.frontEndUrl",
        512,
        false,
    )?;
    Ok(Accepted {
        result_code: code.to_owned(),
        body,
    })
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, CONTENT_TYPE};

    use super::*;
    use crate::kit::signing::body_sign;

    const KEY: &str = "seller-key";

    fn answer(status: u16, content_type: &str, body: &str, sign: Option<String>) -> Answer {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
        if let Some(sign) = sign {
            headers.insert("body-sign", HeaderValue::from_str(&sign).unwrap());
        }
        Answer {
            status,
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    fn signed(body: &str) -> Answer {
        answer(
            200,
            "application/json",
            body,
            Some(body_sign(KEY, body.as_bytes())),
        )
    }

    #[test]
    fn kit_sync_signs_in_headers_and_the_rest_in_the_query() {
        let key = Secret::new(KEY);
        let base = Url::parse("https://seller.example.com/produce").unwrap();
        let sync = sign_request(
            &base,
            Activity::TenantSync,
            &key,
            serde_json::json!({"tenantId": "t1"}),
            "n1",
            1_700_000_000_000,
        );
        assert_eq!(
            sync.url.as_str(),
            "https://seller.example.com/produce/produceAPI/v2/tenantSync"
        );
        let names: Vec<&str> = sync.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["x-sign", "x-timestamp", "x-nonce"]);
        assert_eq!(
            sync.headers[0].1.to_str().unwrap(),
            v2_signature(KEY, "n1", 1_700_000_000_000, &sync.body)
        );
        let body: Value = serde_json::from_slice(&sync.body).unwrap();
        assert!(body.get("activity").is_none(), "{body}");

        let new = sign_request(
            &base,
            Activity::NewInstance,
            &key,
            serde_json::json!({"orderId": "o1"}),
            "n2",
            1_700_000_000_001,
        );
        assert!(new.headers.is_empty());
        let query: Vec<(String, String)> = new.url.query_pairs().into_owned().collect();
        assert_eq!(query[0].0, "signature");
        assert_eq!(
            query[0].1,
            v2_signature(KEY, "n2", 1_700_000_000_001, &new.body)
        );
        assert_eq!(query[1], ("timestamp".into(), "1700000000001".into()));
        assert_eq!(query[2], ("nonce".into(), "n2".into()));
        assert!(new
            .curl()
            .starts_with("curl -sS -X POST 'https://seller.example.com/produce?signature="));
    }

    #[test]
    fn only_a_signed_json_success_is_accepted() {
        let key = Secret::new(KEY);
        let ok = r#"{"resultCode":"000000","resultMsg":"success.","instanceId":"i-1"}"#;
        let accepted = check_answer(&key, Activity::NewInstance, &signed(ok)).unwrap();
        assert_eq!(accepted.instance_id(), Some("i-1"));
        assert!(!accepted.in_progress());

        let later = r#"{"resultCode":"000004","resultMsg":"opening"}"#;
        assert!(check_answer(&key, Activity::NewInstance, &signed(later))
            .unwrap()
            .in_progress());
        assert!(matches!(
            check_answer(&key, Activity::ReleaseInstance, &signed(later)),
            Err(Refusal::ResultCode { .. })
        ));

        let cases = [
            (
                answer(
                    500,
                    "application/json",
                    ok,
                    Some(body_sign(KEY, ok.as_bytes())),
                ),
                "HTTP status 500",
            ),
            (
                answer(200, "text/html", ok, Some(body_sign(KEY, ok.as_bytes()))),
                "content type",
            ),
            (answer(200, "application/json", ok, None), "no Body-Sign"),
            (
                answer(
                    200,
                    "application/json",
                    ok,
                    Some(body_sign("other", ok.as_bytes())),
                ),
                "does not match",
            ),
            (signed("not json"), "not a JSON object"),
            (
                signed(r#"{"resultCode":"000102","resultMsg":"dup"}"#),
                "000102 (email missing or duplicate): dup",
            ),
            (
                signed(r#"{"resultCode":"000000","resultMsg":"ok"}"#),
                "lacks instanceId",
            ),
        ];
        for (answer, expected) in cases {
            let refusal = check_answer(&key, Activity::NewInstance, &answer).unwrap_err();
            assert!(
                refusal.to_string().contains(expected),
                "{refusal} / {expected}"
            );
        }
        let long = format!(
            r#"{{"resultCode":"000000","resultMsg":"ok","instanceId":"{}"}}"#,
            "x".repeat(65)
        );
        assert_eq!(
            check_answer(&key, Activity::NewInstance, &signed(&long)).unwrap_err(),
            Refusal::TooLong {
                field: "instanceId",
                max: 64
            }
        );
        // Other activities need no instanceId.
        let plain = r#"{"resultCode":"000000","resultMsg":"success."}"#;
        assert!(check_answer(&key, Activity::TenantSync, &signed(plain)).is_ok());
    }
}
