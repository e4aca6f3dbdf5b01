//! A real browser: headless Debian Chromium, driven over WebDriver (chromedriver) with
//! `fantoccini`, from the `/demo/` partner app through the unified login page and back,
//! then signing out; and the login page in Chinese. Screenshots go to
//! `target/browser-screenshots/`.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian's `chromium` and
//! `chromium-driver`), so the tests are `#[ignore]`d in a plain `cargo test`; `.ci/run`
//! installs both and runs them. Run without them, they fail, naming the packages.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use unilogin::demo::{DEMO_APP_ID, DEMO_PASSWORD, DEMO_USERNAME};

use crate::helpers::TestApp;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// chromedriver on a free port, killed when dropped.
pub struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole process group: the Chromium processes of sessions a failed walk left
        // open would otherwise outlive the driver, and load the machine for every later
        // test.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn require_browser() {
    assert!(
        Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists(),
        "{CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)"
    );
}

pub async fn start_driver() -> Driver {
    require_browser();
    crate::helpers::tls();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(CHROMEDRIVER)
        .process_group(0)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    // Owned at once, so that it is killed and reaped whatever happens next.
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let status = format!("{}/status", driver.url);
    for _ in 0..100 {
        if let Ok(response) = reqwest::get(&status).await {
            if response.status().is_success() {
                return driver;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not become ready");
}

pub async fn session(driver: &Driver, language: &str) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1100,900", format!("--lang={language}"),
            ],
            "prefs": { "intl.accept_languages": language },
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

/// Ends a Chromium session once its walk is done. A driver slowed by a busy machine may
/// fail to answer the closing request after every check passed; that is not the walk's
/// failure, and the driver (with what it still holds) is stopped with the test.
pub async fn end_session(browser: Client) {
    if let Err(e) = browser.close().await {
        eprintln!("closing a Chromium session failed after the walk: {e}");
    }
}

fn screenshot_dir() -> PathBuf {
    let dir = crate::helpers::repo_root().join("target/browser-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub async fn save_screenshot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    std::fs::write(screenshot_dir().join(name), png).unwrap();
}

/// Waits up to 20 s for `css` to be on the page. A page still loading may answer a
/// lookup with an error ("aborted by navigation", a stale document): that is waited out
/// too, as a person waits for the page.
pub async fn wait_for(browser: &Client, css: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let last = match browser.find(Locator::Css(css)).await {
            Ok(_) => return,
            Err(e) => e,
        };
        if std::time::Instant::now() > deadline {
            panic!("{css}: {last}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A screenshot of the whole page, however long (up to 6000 px), at 1100 px wide.
pub async fn save_full_screenshot(browser: &Client, name: &str) {
    let height = browser
        .execute("return document.documentElement.scrollHeight;", vec![])
        .await
        .ok()
        .and_then(|h| h.as_i64())
        .unwrap_or(900)
        .clamp(300, 6000);
    browser
        .set_window_size(1100, height as u32 + 120)
        .await
        .unwrap();
    save_screenshot(browser, name).await;
    browser.set_window_size(1100, 900).await.unwrap();
}

pub async fn type_into(browser: &Client, id: &str, text: &str) {
    browser
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

/// Picks the option of select `id` whose value is `value`.
pub async fn choose(browser: &Client, id: &str, value: &str) {
    browser
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .select_by_value(value)
        .await
        .unwrap();
}

pub async fn click(browser: &Client, id: &str) {
    browser
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .click()
        .await
        .unwrap();
}

pub async fn text_of(browser: &Client, css: &str) -> String {
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// axe-core's own script (npm's `axe-core`), which `.ci/run` installs under `target/axe`;
/// `UNILOGIN_AXE_JS` names another copy.
fn axe_source() -> &'static str {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = std::env::var_os("UNILOGIN_AXE_JS")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                crate::helpers::repo_root().join("target/axe/node_modules/axe-core/axe.min.js")
            });
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing at {} ({e}): npm install --prefix target/axe axe-core",
                path.display()
            )
        })
    })
}

/// The rules a console page is held to: WCAG 2.1 A and AA and axe's best practices.
const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } })
  .then(result => done(result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`)))
  .catch(error => done([`axe failed: ${error}`]));
"#;

/// Every text a person reads on the page, outside what is data by nature (inputs, code,
/// ids in `.mono`, and what is marked `translate="no"`), one text node per entry.
const VISIBLE_TEXTS: &str = r#"
const skip = el => el.closest('script, style, code, pre, textarea, select, .mono, [translate="no"], [hidden]');
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const texts = [];
while (walker.nextNode()) {
  const node = walker.currentNode;
  const text = node.textContent.trim();
  if (text && !skip(node.parentElement)) texts.push(text);
}
for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], img[alt]')) {
  for (const name of ['placeholder', 'aria-label', 'title', 'alt']) {
    const value = el.getAttribute(name);
    if (value && !skip(el)) texts.push(value.trim());
  }
}
return texts;
"#;

/// The words the browser tests type as data (names, descriptions, reasons): not texts
/// of ours to translate.
pub const DATA_WORDS: &[&str] = &[
    // People, tenants, clients and products.
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "demo",
    "seller",
    "name",
    "partner",
    "screens",
    "Partner",
    "Cloud",
    "CRM",
    "Basic",
    "Once",
    "software",
    "Customer",
    "relationship",
    "management",
    "Customers",
    "deals",
    "and",
    "console",
    "marketplace",
    "unilogin",
    "Admin",
    "Marketplace",
    "off",
    "Onboarding",
    "service",
    // What buyers and sellers wrote: reasons, requirements, messages, files.
    "We",
    "moved",
    "another",
    "tool",
    "It",
    "lacks",
    "the",
    "reports",
    "need",
    "Contacts",
    "from",
    "our",
    "old",
    "Imported",
    "see",
    "report",
    "Which",
    "fields",
    "map",
    "ours",
    "Some",
    "contacts",
    "look",
    "duplicated",
    "Duplicates",
    "come",
    "source",
    "file",
    "Export",
    "stops",
    "rows",
    "The",
    "export",
    "contacts",
    "browser",
    "use",
    "Firefox",
    "Raised",
    "you",
    "row",
    "limit",
    "requirement.txt",
    "export.txt",
    // Addresses: URLs and paths.
    "http",
    "https",
    "orders",
    "market",
    "discounts",
    "produceAPI",
];

/// Words a console page may show in either language: names, standards and units.
const ANY_LANGUAGE: &[&str] = &[
    "unilogin",
    "English",
    "SaaS",
    "API",
    "ID",
    "URI",
    "URL",
    "PKCE",
    "OAuth",
    "OpenID",
    "JWT",
    "JWKS",
    "RS256",
    "ES256",
    "RSA",
    "CSV",
    "HTTP",
    "HTTPS",
    "JSON",
    "SDK",
    "AK",
    "SK",
    "License",
    "UTC",
    "SLA",
    "QR",
    "ISV",
    "KooGallery",
    "PEM",
    "PNG",
    "JPEG",
    "GIF",
    "PDF",
    "ZIP",
    "Office",
    "MiB",
    // Upstream's own field names, shown beside their meaning: "App ID", "Client ID",
    // "ID Token", "回调地址（redirect_uri）", "密钥 ID（kid）", "应用首页（接收 code 与 tenant）".
    "App",
    "Client",
    "Token",
    "appId",
    "redirect_uri",
    "kid",
    "audience",
    "code",
    "tenant",
    "upgrade",
    "orders.read",
    "orders.write",
];

/// What reads as untranslated or as a raw code in `texts` of a page in `lang`: in
/// Chinese, Latin words that are neither data (`data_words`) nor `ANY_LANGUAGE`; in
/// either, machine codes (snake_case, dotted events, SHOUTING_CASE).
pub fn untranslated(lang: &str, texts: &[String], data_words: &[&str]) -> Vec<String> {
    let code = |w: &str| {
        let letters = w.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        (letters.contains('_')
            && letters
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_'))
            || (letters.contains('.')
                && letters.split('.').count() == 2
                && letters.split('.').all(|p| {
                    !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                }))
    };
    let mut found = Vec::new();
    for text in texts {
        for word in text
            .split(|c: char| c.is_whitespace() || "（）()，,：:;；·/、「」“”\"'!?。".contains(c))
        {
            let bare =
                word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '.');
            let bare = bare.trim_end_matches('.');
            if bare.is_empty() || data_words.iter().any(|d| d.eq_ignore_ascii_case(bare)) {
                continue;
            }
            if ANY_LANGUAGE.contains(&bare) {
                continue;
            }
            let latin_word = bare.len() >= 3 && bare.chars().all(|c| c.is_ascii_alphabetic());
            if code(bare) || (lang == "zh" && latin_word) {
                found.push(format!("{bare:?} in {text:?}"));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// What is on screen now passes axe-core with no serious or critical violation, and at
/// 390 px wide it needs no sideways scrolling, its navigation behind the menu link.
pub async fn check_page(browser: &Client, name: &str) {
    let texts: Vec<String> = serde_json::from_value(
        browser
            .execute(VISIBLE_TEXTS, vec![])
            .await
            .expect("the page's texts"),
    )
    .unwrap();
    let lang = if name.ends_with("-zh") { "zh" } else { "en" };
    let words = untranslated(lang, &texts, DATA_WORDS);
    assert!(
        words.is_empty(),
        "{name}: untranslated or raw codes: {words:#?}"
    );

    browser
        .execute(axe_source(), vec![])
        .await
        .expect("axe-core loads");
    let found = browser
        .execute_async(AXE_RUN, vec![])
        .await
        .expect("axe-core runs");
    let violations: Vec<String> = serde_json::from_value(found).expect("a list of violations");
    assert!(
        violations.is_empty(),
        "{name}: axe-core finds {violations:#?}"
    );

    browser.set_window_size(390, 844).await.unwrap();
    let narrow = browser
        .execute(
            r#"const root = document.documentElement;
               const nav = document.getElementById("side-nav");
               const menu = document.getElementById("menu-open");
               return { viewport: window.innerWidth, width: root.scrollWidth,
                        nav: nav ? getComputedStyle(nav).display : null,
                        menu: menu ? getComputedStyle(menu).display : null };"#,
            vec![],
        )
        .await
        .unwrap();
    save_screenshot(browser, &format!("{name}-390.png")).await;
    let shown = |id: &'static str| async move {
        let element = browser.find(Locator::Id(id)).await.unwrap();
        element.is_displayed().await.unwrap()
    };
    if !narrow["nav"].is_null() {
        // The menu opens and closes without a script.
        click(browser, "menu-open").await;
        assert!(shown("side-nav").await, "{name}: the menu does not open");
        click(browser, "menu-close").await;
        assert!(!shown("side-nav").await, "{name}: the menu does not close");
    }
    browser.set_window_size(1100, 900).await.unwrap();
    let viewport = narrow["viewport"].as_i64().unwrap();
    assert!(viewport <= 400, "{name}: a {viewport} px wide window");
    assert!(
        narrow["width"].as_i64().unwrap() <= viewport,
        "{name}: at 390 px the page scrolls sideways: {narrow}"
    );
    if !narrow["nav"].is_null() {
        assert_eq!(narrow["nav"], "none", "{name}: the navigation stays open");
        assert_ne!(narrow["menu"], "none", "{name}: no menu link");
    }
}

#[tokio::test]
#[ignore = "needs Debian's chromium and chromium-driver: .ci/run installs them and runs it"]
async fn chromium_signs_in_from_the_demo_app_sees_userinfo_and_signs_out() {
    let app = TestApp::spawn_with(|s| s.demo = true).await;
    let driver = start_driver().await;
    let browser = session(&driver, "en-US").await;

    browser.goto(&app.url("/demo/")).await.unwrap();
    click(&browser, "demo-login").await;
    // The unified login page, in English.
    let heading = text_of(&browser, "h1").await;
    assert_eq!(heading, "Sign in with your joint-operation account");
    assert!(browser
        .current_url()
        .await
        .unwrap()
        .path()
        .starts_with("/unified-login/portal-login"));
    // A wrong password first: the generic message, and still on the form.
    type_into(&browser, "username", DEMO_USERNAME).await;
    type_into(&browser, "password", "wrong-password").await;
    click(&browser, "submit").await;
    assert_eq!(
        text_of(&browser, "#login-error").await,
        "Incorrect username or password"
    );
    save_screenshot(&browser, "login-error-en.png").await;

    type_into(&browser, "password", DEMO_PASSWORD).await;
    click(&browser, "submit").await;

    // Back at the partner app, which exchanged the code and called userinfo.
    let signed_in = text_of(&browser, "#demo-signed-in").await;
    assert!(
        signed_in.starts_with("Signed in through unilogin"),
        "{signed_in}"
    );
    assert_eq!(browser.current_url().await.unwrap().path(), "/demo/");
    assert_eq!(
        text_of(&browser, "dd[data-claim='userName']").await,
        DEMO_USERNAME
    );
    assert_eq!(
        text_of(&browser, "dd[data-claim='tenant']").await,
        "demo-tenant"
    );
    assert_eq!(text_of(&browser, "dd[data-claim='role']").await, "admin");
    save_screenshot(&browser, "demo-signed-in.png").await;

    // With the token the page shows, the demo tenant buys the demo app (its debug cases
    // are saved in the background); the page then shows what the app received.
    let token = text_of(&browser, "#access-token").await;
    let product = text_of(&browser, "#kit-product").await;
    crate::demo::buy_the_demo_app(&app, &token, &product).await;
    let mut row = String::new();
    browser.goto(&app.url("/demo/#kit")).await.unwrap();
    for _ in 0..50 {
        browser.refresh().await.unwrap();
        if let Ok(found) = browser
            .find(Locator::Css("tr[data-tenant='demo-tenant']"))
            .await
        {
            row = found.text().await.unwrap();
            if row.contains("demo (admin)") {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        row.contains("Demo Tenant") && row.contains("NORMAL"),
        "{row}"
    );
    browser.goto(&app.url("/demo/#kit-tenants")).await.unwrap();
    save_screenshot(&browser, "demo-kit-received.png").await;

    // Signing out ends the unilogin session and returns to the demo's home.
    click(&browser, "demo-logout").await;
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("demo-login"))
        .await
        .expect("back on the demo home, signed out");
    assert_eq!(browser.current_url().await.unwrap().path(), "/demo/");
    let cookies = browser.get_all_cookies().await.unwrap();
    assert!(
        !cookies.iter().any(|c| c.name() == "unilogin_session"),
        "{cookies:?}"
    );
    // A new sign-in asks for the password again: the session is gone.
    click(&browser, "demo-login").await;
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("password"))
        .await
        .expect("the login form again");
    end_session(browser).await;
}

#[tokio::test]
#[ignore = "needs Debian's chromium and chromium-driver: .ci/run installs them and runs it"]
async fn chromium_asking_for_chinese_gets_the_chinese_login_page() {
    let app = TestApp::spawn_with(|s| s.demo = true).await;
    let driver = start_driver().await;
    let browser = session(&driver, "zh-CN").await;
    browser
        .goto(&app.url(&format!(
            "/unified-login/portal-login?ind=UNOP&appId={DEMO_APP_ID}"
        )))
        .await
        .unwrap();
    assert_eq!(text_of(&browser, "h1").await, "联营账号登录");
    assert_eq!(text_of(&browser, "#submit").await, "登录");
    let lang = browser
        .find(Locator::Css("html"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap();
    assert_eq!(lang.as_deref(), Some("zh-CN"));
    save_screenshot(&browser, "login-zh.png").await;

    // The portal flow in Chinese ends at the app's home with a code.
    type_into(&browser, "username", DEMO_USERNAME).await;
    type_into(&browser, "password", DEMO_PASSWORD).await;
    click(&browser, "submit").await;
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_url(&url::Url::parse(&app.url("/demo/")).unwrap())
        .await
        .expect("the demo received the portal code and signed in");
    assert_eq!(
        text_of(&browser, "dd[data-claim='userName']").await,
        DEMO_USERNAME
    );
    end_session(browser).await;
}

#[test]
fn the_untranslated_check_finds_english_in_chinese_pages_and_raw_codes_anywhere() {
    let texts = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let zh = texts(&[
        "状态",
        "submitted",
        "客户端 ID（Client ID）",
        "alice",
        "PER_CALL",
    ]);
    let found = untranslated("zh", &zh, &["alice"]);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("PER_CALL") && found[1].contains("submitted"));
    let en = texts(&[
        "Client secret rotated",
        "client.secret_rotated",
        "pending_acceptance",
    ]);
    let found = untranslated("en", &en, &[]);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(untranslated("en", &texts(&["Waiting for the seller"]), &[]).is_empty());
}
