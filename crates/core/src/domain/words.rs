//! The domain's refusals in the reader's language. The API answers with the English
//! (its wire text, in RFC 9457 problems and OAuth errors); consoles and pages show
//! `in_language`, so a Chinese page never carries an English refusal of ours.

use crate::web::Lang;

/// Refusals with fixed words.
const FIXED: &[(&str, &str)] = &[
    (
        "redirect URI must be 1 to 2048 characters",
        "回调地址长度应为 1 到 2048 个字符",
    ),
    (
        "redirect URI must not contain spaces or control characters",
        "回调地址不能包含空格或控制字符",
    ),
    (
        "redirect URI must use http or https",
        "回调地址须以 http:// 或 https:// 开头",
    ),
    ("redirect URI must name a host", "回调地址须包含主机名"),
    (
        "redirect URI must be an absolute URI",
        "回调地址须为完整的绝对地址",
    ),
    (
        "redirect URI must not have a fragment",
        "回调地址不能包含片段（#…）",
    ),
    (
        "redirect URI must not carry credentials",
        "回调地址不能包含用户名或密码",
    ),
    ("scope is too long", "权限范围过长"),
    ("tenant name must not be empty", "租户名称不能为空"),
    (
        "domain name must be an http(s) URL",
        "域名须为 http(s) 地址",
    ),
    (
        "a public client has no secret to rotate",
        "公开客户端没有可轮换的密钥",
    ),
    (
        "the grace period is at most 2592000 seconds (30 days)",
        "宽限期最长为 30 天",
    ),
    (
        "changed since it was read",
        "该记录在您打开后已被修改，请重新打开后再试",
    ),
    ("scope must not be empty", "权限范围不能为空"),
    ("password must not be empty", "密码不能为空"),
    ("password is too long", "密码过长"),
    (
        "password is too weak: use at least 8 characters",
        "密码强度不足：至少需要 8 个字符",
    ),
    (
        "password is too weak: mix letters with digits or symbols",
        "密码强度不足：请混合使用字母与数字或符号",
    ),
    ("operator must be true or false", "运营角色的取值无效"),
    (
        "merchant name must be 1 to 128 printable characters",
        "商家名称应为 1 到 128 个可打印字符",
    ),
];

/// The identifiers `check_identifier` names, in Chinese.
const IDENTIFIERS: &[(&str, &str)] = &[
    ("client_id", "客户端 ID"),
    ("appId", "应用 ID"),
    ("username", "用户名"),
    ("tenant id", "租户 ID"),
    ("name", "名称"),
    ("email", "邮箱"),
    ("mobile", "手机号"),
    ("org code", "组织编码"),
    ("org name", "组织名称"),
    ("project name", "项目名称"),
];

/// `message` (a refusal of the domain types) in `lang`; one without Chinese words yet
/// stays as it is.
pub fn in_language(lang: Lang, message: &str) -> String {
    if lang != Lang::Zh {
        return message.to_owned();
    }
    chinese(message).unwrap_or_else(|| message.to_owned())
}

fn chinese(message: &str) -> Option<String> {
    if let Some((_, zh)) = FIXED.iter().find(|(en, _)| *en == message) {
        return Some((*zh).to_owned());
    }
    if message.starts_with("role must be `user` or `admin`") {
        return Some("角色须为普通用户或管理员".to_owned());
    }
    if let Some(tenant) = message
        .strip_prefix("tenant ")
        .and_then(|rest| rest.strip_suffix(" does not exist: create it first"))
    {
        return Some(format!("租户 {tenant} 不存在：请先创建该租户"));
    }
    if let Some(tenant) = message
        .strip_prefix("tenant ")
        .and_then(|rest| rest.strip_suffix(" is already a merchant"))
    {
        return Some(format!("租户 {tenant} 已是云商店商家"));
    }
    if let Some(name) = message.strip_suffix(" is already an operator") {
        return Some(format!("{name} 已是云商店运营"));
    }
    if let Some(name) = message.strip_suffix(" is not an operator") {
        return Some(format!("{name} 不是云商店运营"));
    }
    if let Some(name) = message
        .strip_prefix("username ")
        .and_then(|rest| rest.strip_suffix(" is taken"))
    {
        return Some(format!("用户名 {name} 已被占用"));
    }
    IDENTIFIERS.iter().find_map(|(what, noun)| {
        let rest = message.strip_prefix(what)?.strip_prefix(' ')?;
        if rest == "must not be empty" {
            return Some(format!("{noun}不能为空"));
        }
        if rest == "contains a character that is not allowed" {
            return Some(format!("{noun}包含不允许的字符"));
        }
        if rest == "must not contain control characters" {
            return Some(format!("{noun}不能包含控制字符"));
        }
        let max = rest
            .strip_prefix("must be at most ")?
            .strip_suffix(" characters")?;
        max.parse::<usize>()
            .ok()
            .map(|max| format!("{noun}最多 {max} 个字符"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{NewPassword, RedirectUri, TenantId, Username};

    #[test]
    fn every_refusal_of_the_domain_types_has_chinese_words() {
        let refusals = [
            RedirectUri::parse("not a uri").unwrap_err(),
            RedirectUri::parse("ftp://host/x").unwrap_err(),
            RedirectUri::parse("https://host/x#frag").unwrap_err(),
            RedirectUri::parse("https://user:pw@host/x").unwrap_err(),
            RedirectUri::parse("").unwrap_err(),
            NewPassword::parse("short").unwrap_err(),
            NewPassword::parse("longenoughbutletters").unwrap_err(),
            NewPassword::parse("").unwrap_err(),
            Username::parse("").unwrap_err(),
            Username::parse(&"x".repeat(65)).unwrap_err(),
            Username::parse("a b").unwrap_err(),
            TenantId::parse("").unwrap_err(),
            crate::domain::Role::parse("root").unwrap_err(),
        ];
        for refusal in refusals {
            let zh = in_language(Lang::Zh, &refusal.0);
            assert!(
                chinese(&refusal.0).is_some(),
                "no Chinese for {:?}",
                refusal.0
            );
            assert!(!zh.contains("must"), "{zh}");
            assert_eq!(in_language(Lang::En, &refusal.0), refusal.0);
        }
        for (en, zh) in FIXED {
            assert_eq!(in_language(Lang::Zh, en), *zh);
        }
        for (en, zh) in [
            (
                "tenant acme is already a merchant",
                "租户 acme 已是云商店商家",
            ),
            ("alice is already an operator", "alice 已是云商店运营"),
            ("alice is not an operator", "alice 不是云商店运营"),
            (
                "tenant acme does not exist: create it first",
                "租户 acme 不存在：请先创建该租户",
            ),
        ] {
            assert_eq!(in_language(Lang::Zh, en), zh);
        }
    }
}
