//! The two languages of the browser pages: Simplified Chinese and English.

use actix_web::HttpRequest;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

pub struct Texts {
    pub html_lang: &'static str,
    pub title: &'static str,
    pub heading: &'static str,
    pub signing_in_to: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub submit: &'static str,
    pub bad_credentials: &'static str,
    pub switch_label: &'static str,
    pub signed_in_as: &'static str,
    pub sign_out: &'static str,
    pub error_title: &'static str,
    pub unavailable: &'static str,
    pub unknown_app: &'static str,
    pub public_app_portal: &'static str,
    pub bad_ind: &'static str,
    pub expired_request: &'static str,
    pub csrf_failed: &'static str,
    pub busy: &'static str,
    pub back_hint: &'static str,
    pub missing_client: &'static str,
    pub unknown_client: &'static str,
    pub redirect_mismatch: &'static str,
    pub redirect_required: &'static str,
    pub bad_id_token_hint: &'static str,
    pub unregistered_post_logout_uri: &'static str,
    pub set_password_heading: &'static str,
    pub set_password_for: &'static str,
    pub new_password: &'static str,
    pub confirm_password: &'static str,
    pub password_rules: &'static str,
    pub set_password_submit: &'static str,
    pub passwords_differ: &'static str,
    pub password_too_weak: &'static str,
    pub password_link_invalid: &'static str,
    pub password_set: &'static str,
    pub app_unavailable: &'static str,
    pub no_instance: &'static str,
    pub not_authorized_for_app: &'static str,
}

const ZH: Texts = Texts {
    html_lang: "zh-CN",
    title: "统一登录",
    heading: "联营账号登录",
    signing_in_to: "登录以继续使用",
    username: "用户名",
    password: "密码",
    submit: "登录",
    bad_credentials: "用户名或密码错误",
    switch_label: "English",
    signed_in_as: "您已登录，账号：",
    sign_out: "退出登录",
    error_title: "无法完成请求",
    unavailable: "服务暂时不可用，请稍后重试。",
    unknown_app: "未知的应用（appId），请从应用入口重新进入。",
    public_app_portal: "此应用不支持从门户直接登录，请从应用本身进入登录。",
    bad_ind: "参数 ind 必须为 UNOP。",
    expired_request: "登录请求已过期或无效，请返回应用重新登录。",
    csrf_failed: "页面已过期，请刷新后重新登录。",
    busy: "登录请求过多，请稍后重试。",
    back_hint: "请返回应用重试。",
    missing_client: "缺少 client_id 参数。",
    unknown_client: "未知的应用（client_id）。",
    redirect_mismatch: "redirect_uri 与该应用登记的回调地址不一致。",
    redirect_required: "该应用登记了多个回调地址，必须提供 redirect_uri。",
    bad_id_token_hint: "id_token_hint 无效：不是本服务签发的 ID Token。",
    unregistered_post_logout_uri:
        "post_logout_redirect_uri 未在该应用登记（需同时提供 id_token_hint 或 client_id）。",
    set_password_heading: "设置密码",
    set_password_for: "为以下账号设置密码：",
    new_password: "新密码",
    confirm_password: "确认新密码",
    password_rules: "至少 8 个字符，需包含字母、数字、符号中的至少两类。",
    set_password_submit: "设置密码",
    passwords_differ: "两次输入的密码不一致。",
    password_too_weak: "密码强度不足：至少 8 个字符，且包含字母、数字、符号中的至少两类。",
    password_link_invalid: "该链接已过期或已被使用，请联系管理员重新获取。",
    password_set: "密码已设置，现在可以登录。",
    app_unavailable: "该应用当前不可用（已冻结或已释放），请联系贵单位管理员。",
    no_instance: "贵单位（租户）尚未开通此应用，或开通已到期。请联系贵单位管理员购买或续费。",
    not_authorized_for_app: "您尚未获得此应用的使用授权，请联系贵单位管理员为您授权。",
};

const EN: Texts = Texts {
    html_lang: "en",
    title: "Unified login",
    heading: "Sign in with your joint-operation account",
    signing_in_to: "Sign in to continue to",
    username: "Username",
    password: "Password",
    submit: "Sign in",
    bad_credentials: "Incorrect username or password",
    switch_label: "中文",
    signed_in_as: "You are signed in as",
    sign_out: "Sign out",
    error_title: "The request could not be completed",
    unavailable: "The service is temporarily unavailable. Please try again shortly.",
    unknown_app: "Unknown application (appId). Please start again from the application.",
    public_app_portal: "This application cannot be entered from the portal. Please sign in from the application itself.",
    bad_ind: "Parameter ind must be UNOP.",
    expired_request:
        "This sign-in request has expired or is invalid. Please start again from the application.",
    csrf_failed: "This page has expired. Please reload it and sign in again.",
    busy: "Too many sign-in attempts right now. Please try again shortly.",
    back_hint: "Please go back to the application and try again.",
    missing_client: "Missing client_id.",
    unknown_client: "Unknown client_id.",
    redirect_mismatch: "redirect_uri does not match a URI registered for this client.",
    redirect_required: "redirect_uri is required: this client has several registered.",
    bad_id_token_hint: "id_token_hint is not an ID token issued by this service.",
    unregistered_post_logout_uri: "post_logout_redirect_uri is not registered for this client (send id_token_hint or client_id with it).",
    set_password_heading: "Set your password",
    set_password_for: "Setting the password of",
    new_password: "New password",
    confirm_password: "Confirm the new password",
    password_rules: "At least 8 characters, from at least two of letters, digits and symbols.",
    set_password_submit: "Set password",
    passwords_differ: "The two passwords differ.",
    password_too_weak: "This password is too weak: use at least 8 characters, from at least two of letters, digits and symbols.",
    password_link_invalid: "This link has expired or was used. Ask your administrator for a new one.",
    password_set: "Your password is set. You can sign in now.",
    app_unavailable: "This application is not available right now (frozen or released). Please contact your organization's administrator.",
    no_instance: "Your organization (tenant) has no subscription to this application, or it has ended. Please ask your administrator to buy or renew it.",
    not_authorized_for_app: "You are not authorized to use this application. Please ask your organization's administrator to grant you access.",
};

impl Lang {
    pub fn texts(self) -> &'static Texts {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::Zh => Self::En,
            Self::En => Self::Zh,
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim().to_ascii_lowercase();
        if raw.starts_with("zh") {
            Some(Self::Zh)
        } else if raw.starts_with("en") {
            Some(Self::En)
        } else {
            None
        }
    }

    /// An explicit `lang` choice wins, then the language cookie, then `Accept-Language`
    /// (by q-value), then Chinese.
    pub fn negotiate(req: &HttpRequest, explicit: Option<&str>) -> Self {
        if let Some(lang) = explicit.and_then(Self::parse) {
            return lang;
        }
        if let Some(lang) = req
            .cookie(super::cookies::LANG_COOKIE)
            .and_then(|c| Self::parse(c.value()))
        {
            return lang;
        }
        req.headers()
            .get(actix_web::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(from_accept_language)
            .unwrap_or(Self::Zh)
    }
}

fn from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if let Some(lang) = Lang::parse(tag) {
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
    }
    best.map(|(_, lang)| lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_by_quality() {
        assert_eq!(
            from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Lang::Zh)
        );
        assert_eq!(
            from_accept_language("en-US,en;q=0.9,zh;q=0.5"),
            Some(Lang::En)
        );
        assert_eq!(
            from_accept_language("fr, en;q=0.3, zh;q=0.7"),
            Some(Lang::Zh)
        );
        assert_eq!(from_accept_language("fr"), None);
        assert_eq!(from_accept_language("en;q=0"), None);
    }
}
