//! An audit event's changes as people read them: each field in words, what it was and
//! what it became. The trail keeps JSON (`{"field": {"from": …, "to": …}}` for an update,
//! `{"field": value}` for what an action set); the API and the CSV export keep it so.

use serde_json::Value;

use super::texts::ConsoleTexts;

/// One changed field.
pub struct ChangeRow {
    pub field: String,
    /// `None` for what an action set (no earlier value recorded).
    pub before: Option<Shown>,
    pub after: Shown,
}

/// Whether any of `rows` has an earlier value (an update): the table then has a
/// "before" column.
pub fn any_before(rows: &[ChangeRow]) -> bool {
    rows.iter().any(|r| r.before.is_some())
}

/// A value in words; `data` when it is the administrator's own data (names, addresses,
/// ids), which keeps its letters whatever the page's language.
pub struct Shown {
    pub text: String,
    pub data: bool,
}

/// The fields the trail names, with their Chinese and English words.
const FIELDS: &[(&str, &str, &str)] = &[
    ("name", "名称", "Name"),
    ("username", "用户名", "Username"),
    ("email", "邮箱", "Email"),
    ("mobile", "手机号", "Mobile"),
    ("role", "角色", "Role"),
    ("org_code", "组织编码", "Organization code"),
    ("org_name", "组织名称", "Organization name"),
    ("project_name", "项目名称", "Project name"),
    ("tenant", "租户", "Tenant"),
    ("domain_name", "域名", "Domain name"),
    ("redirect_uris", "回调地址", "Redirect URIs"),
    ("post_logout_uris", "退出后跳转地址", "Post-logout URIs"),
    ("home_url", "应用首页", "Home URL"),
    ("id_token_alg", "ID Token 签名算法", "ID token algorithm"),
    ("scopes", "权限范围", "Scopes"),
    (
        "public",
        "公开客户端（无密钥）",
        "Public client (no secret)",
    ),
    ("app_id", "App ID", "App ID"),
    ("portal_app_id", "联营应用 App ID", "Joint-operation app ID"),
    ("client_id", "Client ID", "Client ID"),
    ("disabled", "已停用", "Disabled"),
    ("platform_admin", "平台管理员", "Platform administrator"),
    ("merchant", "商家名称", "Merchant name"),
    ("operator", "云商店运营", "Marketplace operator"),
    ("password", "密码", "Password"),
    ("secret", "应用密钥", "Client secret"),
    (
        "tokens_revoked",
        "吊销已签发的令牌",
        "Tokens issued before revoked",
    ),
    (
        "previous_secret_grace_seconds",
        "旧密钥宽限期（秒）",
        "Old secret's grace (seconds)",
    ),
    ("grant", "授权", "Grant"),
    ("session", "会话", "Session"),
    ("sessions", "会话", "Sessions"),
    ("user", "用户", "User"),
    ("created", "新建", "Created"),
    ("kid", "密钥 ID", "Key id"),
    ("alg", "算法", "Algorithm"),
    ("deleted", "删除", "Deleted"),
];

/// The fields whose values are codes of ours, shown in words.
const WORDED: &[&str] = &["role", "password", "secret", "sessions"];

/// The rows of `changes` (the JSON the trail keeps) in `t`'s language; JSON that is not
/// an object shows as one row of data.
pub fn rows(t: &ConsoleTexts, changes: &str) -> Vec<ChangeRow> {
    let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(changes) else {
        return vec![ChangeRow {
            field: String::new(),
            before: None,
            after: Shown {
                text: changes.to_owned(),
                data: true,
            },
        }];
    };
    fields
        .into_iter()
        .map(|(field, value)| {
            let worded = WORDED.contains(&field.as_str());
            let (before, after) = match value {
                Value::Object(mut pair) if pair.len() == 2 && pair.contains_key("from") => (
                    Some(shown(t, pair.remove("from").unwrap_or_default(), worded)),
                    shown(t, pair.remove("to").unwrap_or_default(), worded),
                ),
                value => (None, shown(t, value, worded)),
            };
            let words = super::labels::words_in(FIELDS, t, &field);
            ChangeRow {
                field: words.map(str::to_owned).unwrap_or(field),
                before,
                after,
            }
        })
        .collect()
}

fn nothing(t: &ConsoleTexts) -> Shown {
    Shown {
        text: t.change_none.to_owned(),
        data: false,
    }
}

fn shown(t: &ConsoleTexts, value: Value, worded: bool) -> Shown {
    match value {
        Value::Null => nothing(t),
        Value::Bool(yes) => Shown {
            text: if yes { t.yes } else { t.no }.to_owned(),
            data: false,
        },
        Value::Number(n) => Shown {
            text: n.to_string(),
            data: false,
        },
        Value::String(s) if worded => Shown {
            text: super::labels::label(t, &s),
            data: false,
        },
        Value::Array(items) if items.is_empty() => nothing(t),
        value => Shown {
            text: plain(&value),
            data: true,
        },
    }
}

/// A data value as text: a list one item after another, a key as `kid (alg)`.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        Value::Object(o) => match (o.get("kid"), o.get("alg")) {
            (Some(kid), Some(alg)) => format!("{} ({})", plain(kid), plain(alg)),
            _ => value.to_string(),
        },
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(rows: &[ChangeRow]) -> Vec<(&str, &str, &str)> {
        rows.iter()
            .map(|r| {
                let before = r.before.as_ref().map_or("-", |b| &*b.text);
                (&*r.field, before, &*r.after.text)
            })
            .collect()
    }

    #[test]
    fn an_update_reads_as_before_and_after_in_the_pages_language() {
        let zh = super::super::texts::texts(unilogin_core::web::Lang::Zh);
        let changes = r#"{"role":{"from":"user","to":"admin"},"redirect_uris":{"from":["https://a/cb"],"to":["https://a/cb","https://a/cb2"]},"home_url":{"from":null,"to":"https://a/"}}"#;
        assert_eq!(
            texts(&rows(zh, changes)),
            [
                ("应用首页", "无", "https://a/"),
                ("回调地址", "https://a/cb", "https://a/cb, https://a/cb2"),
                ("角色", "普通用户", "管理员"),
            ]
        );
        let en = super::super::texts::texts(unilogin_core::web::Lang::En);
        let set = rows(en, r#"{"disabled":true,"tokens_revoked":false}"#);
        assert_eq!(
            texts(&set),
            [
                ("Disabled", "-", "Yes"),
                ("Tokens issued before revoked", "-", "No")
            ]
        );
        assert!(!set[0].after.data);
        assert!(!any_before(&set));
        assert!(any_before(&rows(zh, changes)));
        let keys = rows(
            en,
            r#"{"created":[{"kid":"k1","alg":"RS256"}],"deleted":[]}"#,
        );
        assert_eq!(keys[0].after.text, "k1 (RS256)");
        assert!(keys[0].after.data);
    }

    #[test]
    fn every_field_the_trail_writes_has_words() {
        let sources = [
            include_str!("../../../core/src/admin/service/clients.rs"),
            include_str!("../../../core/src/admin/service/users.rs"),
            include_str!("../../../core/src/admin/service/keys.rs"),
            include_str!("../../../core/src/admin/service/portal.rs"),
            include_str!("../../../core/src/admin/service/tenants.rs"),
            include_str!("../../../core/src/admin/service/market_roles.rs"),
        ];
        for source in sources {
            for (i, piece) in source.split('"').enumerate().skip(1).step_by(2) {
                let field_like =
                    !piece.is_empty() && piece.chars().all(|c| c.is_ascii_lowercase() || c == '_');
                let after = source.split('"').nth(i + 1).unwrap_or_default();
                let named = after.starts_with(':') || after.starts_with(", &");
                if field_like && named {
                    assert!(
                        FIELDS.iter().any(|(code, _, _)| *code == piece),
                        "no words for the audited field {piece}"
                    );
                }
            }
        }
    }
}
