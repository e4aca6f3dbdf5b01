//! The words for the codes the console shows (key statuses, roles, audit actions,
//! addresses), in the page's language; the API and the CSV export keep the codes.

use super::texts::ConsoleTexts;

/// Every code the console may show, with its Chinese and English words.
pub const LABELS: &[(&str, &str, &str)] = &[
    ("active", "使用中", "Active"),
    ("retiring", "即将停用", "Retiring"),
    ("retired", "已停用", "Retired"),
    ("admin", "管理员", "Administrator"),
    ("user", "普通用户", "User"),
    ("secret", "密钥", "Secret"),
    ("local", "本机（命令行）", "This machine (command line)"),
    // Values the audit trail writes for what it must not show (secrets, passwords).
    ("rotated", "已轮换", "Rotated"),
    ("set", "已设置", "Set"),
    (
        "set through the one-time link",
        "已通过一次性链接设置",
        "Set through the one-time link",
    ),
    ("all", "全部", "All"),
    ("client.created", "注册应用", "Client registered"),
    ("client.updated", "修改应用", "Client changed"),
    ("client.deleted", "删除应用", "Client deleted"),
    ("client.disabled", "停用应用", "Client disabled"),
    ("client.enabled", "启用应用", "Client enabled"),
    (
        "client.secret_rotated",
        "轮换应用密钥",
        "Client secret rotated",
    ),
    (
        "client.user_authorized",
        "授权用户使用应用",
        "User authorized for the app",
    ),
    (
        "client.user_revoked",
        "取消用户的应用授权",
        "User's app authorization revoked",
    ),
    ("keys.rotated", "轮换签名密钥", "Signing keys rotated"),
    (
        "portal_app.registered",
        "登记联营应用",
        "Joint-operation app registered",
    ),
    (
        "resource_server.created",
        "创建资源服务",
        "Resource server created",
    ),
    ("tenant.created", "创建租户", "Tenant created"),
    ("tenant.updated", "修改租户", "Tenant changed"),
    (
        "tenant.merchant_registered",
        "登记为云商店商家",
        "Registered as a marketplace merchant",
    ),
    (
        "user.operator_granted",
        "设为云商店运营",
        "Made a marketplace operator",
    ),
    (
        "user.operator_revoked",
        "取消云商店运营",
        "No longer a marketplace operator",
    ),
    ("user.created", "创建用户", "User created"),
    ("user.updated", "修改用户", "User changed"),
    ("user.disabled", "停用用户", "User disabled"),
    ("user.enabled", "启用用户", "User enabled"),
    (
        "user.admin_granted",
        "设为平台管理员",
        "Made a platform administrator",
    ),
    (
        "user.admin_revoked",
        "取消平台管理员",
        "No longer a platform administrator",
    ),
    ("user.password_set", "设置密码", "Password set"),
    ("user.session_ended", "结束会话", "Session ended"),
    ("user.sessions_ended", "结束全部会话", "All sessions ended"),
    ("user.grant_revoked", "撤销授权", "Grant revoked"),
];

/// The audit actions, in the order the filter lists them.
pub fn actions() -> impl Iterator<Item = &'static str> {
    LABELS
        .iter()
        .map(|(code, _, _)| *code)
        .filter(|code| code.contains('.'))
}

/// The words for `code` in the language of `t`; a code without words shows as it is.
pub fn label(t: &ConsoleTexts, code: &str) -> String {
    words_in(LABELS, t, code).unwrap_or(code).to_owned()
}

/// The words `table` (code, Chinese, English) has for `code` in the language of `t`.
pub fn words_in(
    table: &[(&str, &'static str, &'static str)],
    t: &ConsoleTexts,
    code: &str,
) -> Option<&'static str> {
    let english = t.html_lang == "en";
    table
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, en)| if english { *en } else { *zh })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_audited_action_has_words_in_both_languages() {
        let sources = [
            include_str!("../../../core/src/admin/service/clients.rs"),
            include_str!("../../../core/src/admin/service/users.rs"),
            include_str!("../../../core/src/admin/service/mod.rs"),
            include_str!("../../../core/src/admin/service/keys.rs"),
            include_str!("../../../core/src/admin/service/portal.rs"),
            include_str!("../../../core/src/admin/service/tenants.rs"),
            include_str!("../../../core/src/admin/service/market_roles.rs"),
        ];
        let known: Vec<&str> = actions().collect();
        for source in sources {
            for quoted in source.split('"').skip(1).step_by(2) {
                let action_like = quoted.split_once('.').is_some_and(|(a, b)| {
                    !a.is_empty()
                        && !b.is_empty()
                        && quoted
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
                });
                if action_like && source.contains(&format!("\"{quoted}\",")) {
                    assert!(known.contains(&quoted), "no words for the action {quoted}");
                }
            }
        }
        for (code, zh, en) in LABELS {
            assert!(!zh.is_empty() && !en.is_empty() && zh != en, "{code}");
        }
    }
}
