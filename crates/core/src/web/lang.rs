//! The two languages of every page: Simplified Chinese and English, and how a request
//! chooses one.

use actix_web::HttpRequest;

/// The cookie that remembers a person's choice of language.
pub const LANG_COOKIE: &str = "unilogin_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
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
        if let Some(lang) = req.cookie(LANG_COOKIE).and_then(|c| Self::parse(c.value())) {
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

/// A table of a surface's words, one row per text in both languages so the two cannot
/// drift apart by a field: `texts!(Name { key: "中文", "English"; … })` makes the struct
/// `Name` with one `&'static str` per key and `fn texts(Lang) -> &'static Name`.
#[macro_export]
macro_rules! texts {
    ($table:ident { $($name:ident: $zh:literal, $en:literal;)* }) => {
        pub struct $table {
            $(pub $name: &'static str,)*
        }

        pub fn texts(lang: $crate::web::Lang) -> &'static $table {
            const ZH: $table = $table { $($name: $zh,)* };
            const EN: $table = $table { $($name: $en,)* };
            match lang {
                $crate::web::Lang::Zh => &ZH,
                $crate::web::Lang::En => &EN,
            }
        }
    };
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
