//! A headless Chromium (Debian's `chromium` and `chromium-driver`) driven
//! through chromedriver on a free loopback port, one per browser, closed
//! when dropped; screenshots go to `target/screenshots`.

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One browser window.
pub struct Browser {
    driver: Child,
    /// The WebDriver session.
    pub client: Client,
    /// The server's address, `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium at 1366×768 for pages
    /// of `base`.
    pub async fn start(base: &str) -> Browser {
        let port = crate::free_address()
            .rsplit(':')
            .next()
            .expect("an address has a port")
            .to_owned();
        // Its own process group: Chromium joins it, and dies with it.
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs (apt install chromium-driver; scripts/test installs it)");
        let capabilities = serde_json::json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1366,768",
                         "--lang=vi", "--force-device-scale-factor=1"],
            }
        });
        let capabilities = match capabilities {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("an object"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            let attempt = ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
            match attempt {
                Ok(client) => break client,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("no WebDriver session: {e}"),
            }
        };
        let browser = Browser {
            driver,
            client,
            base: base.to_owned(),
        };
        browser.resize(1366, 768).await;
        browser
    }

    /// Makes the page itself (the window without its frame) `width` ×
    /// `height`, e.g. a phone's 390×844.
    pub async fn resize(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("the window resizes");
        let inner = self
            .client
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await
            .expect("the page answers");
        let (w, h) = (
            inner[0].as_u64().map_or(width, |w| w as u32),
            inner[1].as_u64().map_or(height, |h| h as u32),
        );
        self.client
            .set_window_size(
                width + (width - w.min(width)),
                height + (height - h.min(height)),
            )
            .await
            .expect("the window resizes");
    }

    /// What the script `js` (a function body) returns on the page.
    pub async fn script(&self, js: &str) -> serde_json::Value {
        self.client
            .execute(js, vec![])
            .await
            .unwrap_or_else(|e| panic!("running {js}: {e}"))
    }

    /// [`Browser::script`]'s answer as text (empty if it is not text).
    pub async fn script_text(&self, js: &str) -> String {
        self.script(js)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Opens `path` of the server.
    pub async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("the page loads");
    }

    /// Signs in with the login form, at `counter` if given, and waits for
    /// the person's own page.
    pub async fn sign_in(&self, username: &str, password: &str, counter: Option<i64>) {
        self.open("/login").await;
        self.fill("input[name=username]", username).await;
        self.fill("input[name=password]", password).await;
        if let Some(counter) = counter {
            self.choose("select[name=counter_id]", &counter.to_string())
                .await;
        }
        self.click("#login button[type=submit]").await;
        self.until("the person's own page", async || {
            let url = self.client.current_url().await.ok()?;
            (url.path() != "/login").then_some(())
        })
        .await;
    }

    /// The element matching `selector` (waiting up to 10 s for it).
    pub async fn css(&self, selector: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no {selector}: {e}"))
    }

    /// Clicks the element `selector` (waiting for it).
    pub async fn click(&self, selector: &str) {
        self.css(selector)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking {selector}: {e}"));
    }

    /// Chooses the option `value` of the list `selector`.
    pub async fn choose(&self, selector: &str, value: &str) {
        self.css(selector)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("choosing {value} in {selector}: {e}"));
    }

    /// Types `text` into the field `selector`, replacing what it held.
    pub async fn fill(&self, selector: &str, text: &str) {
        let field = self.css(selector).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Presses `key` on the page (outside any field).
    pub async fn press(&self, key: &str) {
        self.client
            .execute(
                "document.activeElement && document.activeElement.blur();\
                 document.dispatchEvent(new KeyboardEvent('keydown', {key: arguments[0], bubbles: true}));",
                vec![serde_json::json!(key)],
            )
            .await
            .unwrap();
    }

    /// The text of `selector` (empty if it is not there).
    pub async fn text(&self, selector: &str) -> String {
        match self.client.find(Locator::Css(selector)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Whether the button `selector` is there and enabled (asked in one
    /// step: the live part of a page may be redrawn at any moment).
    pub async fn enabled(&self, selector: &str) -> bool {
        self.client
            .execute(
                "const b = document.querySelector(arguments[0]); return !!b && !b.disabled;",
                vec![serde_json::json!(selector)],
            )
            .await
            .unwrap()
            .as_bool()
            .unwrap_or(false)
    }

    /// Waits (at most 10 s) until `check` gives something, and returns it.
    pub async fn until<T>(&self, what: &str, check: impl AsyncFn() -> Option<T>) -> T {
        self.until_for(Duration::from_secs(10), what, check).await
    }

    /// Like [`Browser::until`], waiting at most `limit`.
    pub async fn until_for<T>(
        &self,
        limit: Duration,
        what: &str,
        check: impl AsyncFn() -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(value) = check().await {
                return value;
            }
            assert!(Instant::now() < deadline, "waited {limit:?} for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the text of `selector` contains `expected`.
    pub async fn until_text(&self, selector: &str, expected: &str) {
        let what = format!("{selector} to read {expected:?}");
        self.until(&what, async || {
            self.text(selector).await.contains(expected).then_some(())
        })
        .await;
    }

    /// Waits until the attribute `attr` of `selector` is `value`.
    pub async fn until_attr(&self, selector: &str, attr: &str, value: &str) {
        let what = format!("{selector}'s {attr} to be {value:?}");
        self.until(&what, async || {
            let element = self.client.find(Locator::Css(selector)).await.ok()?;
            (element.attr(attr).await.ok()??.as_str() == value).then_some(())
        })
        .await;
    }

    /// Waits until the page follows the live event stream.
    pub async fn until_live(&self) {
        self.until_attr("body", "data-live", "yes").await;
    }

    /// Saves a screenshot as `target/screenshots/NAME.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("a screenshot");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.wait();
    }
}
