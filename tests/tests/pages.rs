//! The web pages in a real headless Chromium against the real server: the
//! counter console (sign in, call, serve, finish, pause, transfer, call a
//! given number, two counters live), the admin adding a service, the
//! monitor, who may open what, and the citizen's tracking page on a phone.
//! Screenshots (1366×768, the phone's 390×844) are saved to
//! `target/screenshots` for a person to look at.

use layso_e2e::browser::Browser;
use layso_e2e::{Server, secret, send, send_ok, sign_in};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;

/// A demo office served by the real binary, and its kiosk.
struct Office {
    server: Server,
    db: PathBuf,
    _dir: tempfile::TempDir,
    http: reqwest::Client,
    issued: u32,
}

impl Office {
    fn start() -> Office {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("layso.db");
        let server = Server::start(&db);
        Office {
            server,
            db,
            _dir: dir,
            http: reqwest::Client::new(),
            issued: 0,
        }
    }

    fn password(&self, user: &str) -> String {
        secret(&self.db, &format!("users.{user}"), "password")
    }

    async fn browser(&self) -> Browser {
        Browser::start(&self.server.base).await
    }

    /// A browser signed in as the admin, on the admin page.
    async fn admin(&self) -> Browser {
        let admin = self.browser().await;
        admin.sign_in("admin", &self.password("admin"), None).await;
        admin.until_text("h1", "Quản trị").await;
        admin
    }

    /// Issues a ticket for `service` at the kiosk; returns it.
    async fn issue(&mut self, service: i64) -> Value {
        self.issue_with(service, "none").await
    }

    /// Issues a ticket of a priority class for `service`; returns it.
    async fn issue_with(&mut self, service: i64, priority: &str) -> Value {
        self.issued += 1;
        let url = format!("{}/api/v1/tickets", self.server.base);
        let kiosk = secret(&self.db, "devices.kiosk", "token");
        let key = format!("pages-test-{:04}", self.issued);
        let body = json!({"service_id": service, "idempotency_key": key, "priority": priority});
        send(&self.http, reqwest::Method::POST, &url, &kiosk, &body)
            .await
            .1
    }

    /// A GET of the API as the display (which may read the hall).
    async fn hall(&self, path: &str) -> Value {
        self.get_as("display", path).await
    }

    /// A GET of the API as the demo's `device` (kiosk or display).
    async fn get_as(&self, device: &str, path: &str) -> Value {
        let url = format!("{}{path}", self.server.base);
        let token = secret(&self.db, &format!("devices.{device}"), "token");
        send(&self.http, reqwest::Method::GET, &url, &token, &Value::Null)
            .await
            .1
    }

    /// A ticket's state and service in the hall's snapshot.
    async fn ticket(&self, id: i64) -> Option<(String, i64)> {
        let queue = self.hall("/api/v1/queue").await;
        queue["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .map(|t| {
                (
                    t["state"].as_str().unwrap().to_owned(),
                    t["service_id"].as_i64().unwrap(),
                )
            })
    }
}

// Sign in at counter 1, call the next ticket by key, start and finish it:
// the console shows the number, its state, and today's count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_call_serve_and_finish() {
    let mut office = Office::start();
    let first = office.issue(1).await;
    office.issue(2).await;
    let lan = office.browser().await;
    lan.sign_in("lan", &office.password("lan"), Some(1)).await;
    lan.until_text("#panel h1", "Quầy 1").await;
    lan.until_text("#waiting", first["number"].as_str().unwrap())
        .await;
    assert!(!lan.enabled("[data-key=f]").await, "nothing to finish yet");

    lan.press("n").await;
    lan.until_text("#current-number", first["number"].as_str().unwrap())
        .await;
    lan.until_attr("#current", "data-state", "called").await;
    assert!(lan.enabled("[data-key=s]").await && !lan.enabled("[data-key=n]").await);
    lan.screenshot("console-called").await;

    lan.press("s").await;
    lan.until_text("#current .timer", "Đang phục vụ").await;
    lan.press("f").await;
    lan.until_text("#served", "1").await;
    lan.until_text("#current", "Chưa có vé").await;
    let state = office.ticket(first["id"].as_i64().unwrap()).await;
    assert_eq!(state, None, "done tickets leave the open list");
    lan.screenshot("console").await;
}

// Pausing asks for a reason, shows it, and disables calling; opening the
// counter again brings calling back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_and_resume() {
    let mut office = Office::start();
    office.issue(1).await;
    let lan = office.browser().await;
    lan.sign_in("lan", &office.password("lan"), Some(1)).await;
    lan.until("call next to be possible", async || {
        lan.enabled("[data-key=n]").await.then_some(())
    })
    .await;
    lan.press("p").await;
    lan.fill("#pause input[name=reason]", "Nghỉ trưa").await;
    lan.click("#pause button[value=ok]").await;
    lan.until_text(".counter-head", "Tạm dừng: Nghỉ trưa").await;
    assert!(
        !lan.enabled("[data-key=n]").await,
        "a paused counter calls nothing"
    );
    lan.screenshot("console-paused").await;

    lan.press("p").await;
    lan.until_text(".counter-head", "Đang mở").await;
    lan.until("call next to come back", async || {
        lan.enabled("[data-key=n]").await.then_some(())
    })
    .await;
}

// A called ticket is transferred to another service, keeping its number;
// the counter is free again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_to_another_service() {
    let mut office = Office::start();
    let ticket = office.issue(1).await;
    let id = ticket["id"].as_i64().unwrap();
    let lan = office.browser().await;
    lan.sign_in("lan", &office.password("lan"), Some(1)).await;
    lan.until("call next to be possible", async || {
        lan.enabled("[data-key=n]").await.then_some(())
    })
    .await;
    lan.press("n").await;
    lan.until_text("#current-number", ticket["number"].as_str().unwrap())
        .await;
    lan.press("t").await;
    lan.choose("#transfer select[name=service_id]", "3").await;
    lan.screenshot("console-transfer").await;
    lan.click("#transfer button[value=ok]").await;
    lan.until_text("#current", "Chưa có vé").await;
    assert_eq!(office.ticket(id).await, Some(("waiting".into(), 3)));
}

// Calling a given number needs a reason; the console then shows that
// ticket, not the oldest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_a_given_number_with_a_reason() {
    let mut office = Office::start();
    office.issue(1).await;
    office.issue(1).await;
    let third = office.issue(1).await;
    let lan = office.browser().await;
    lan.sign_in("lan", &office.password("lan"), Some(1)).await;
    lan.until("calling a number to be possible", async || {
        lan.enabled("[data-key=g]").await.then_some(())
    })
    .await;
    lan.press("g").await;
    // A number nobody waits with is said at the field; the dialog stays.
    lan.fill("#call input[name=ticket_number]", "999").await;
    lan.fill("#call input[name=reason]", "Người cao tuổi").await;
    lan.click("#call button[value=ok]").await;
    let refused: String = lan
        .script_text(
            "return document.querySelector('#call input[name=ticket_number]').validationMessage;",
        )
        .await;
    assert!(refused.contains("không có trong hàng chờ"), "{refused}");
    assert!(lan.css("#call").await.attr("open").await.unwrap().is_some());
    // The clerk types the number as the citizen says it: lower case will do.
    let number = third["number"].as_str().unwrap();
    lan.fill("#call input[name=ticket_number]", &number.to_lowercase())
        .await;
    lan.fill("#call input[name=reason]", "").await;
    // Without a reason the form does not go, and says so in Vietnamese.
    lan.click("#call button[value=ok]").await;
    assert!(lan.css("#call").await.attr("open").await.unwrap().is_some());
    let said = lan
        .script("return document.querySelector('#call input[name=reason]').validationMessage;")
        .await;
    assert_eq!(said, json!("Mời ghi lý do gọi số này trước."));
    lan.screenshot("console-call-number").await;
    lan.fill("#call input[name=reason]", "Người cao tuổi").await;
    lan.click("#call button[value=ok]").await;
    lan.until_text("#current-number", number).await;
}

// The waiting list is in the order call-next takes it: a priority ticket
// issued last is listed first, marked, and is the one called.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_waiting_list_is_in_call_order() {
    let mut office = Office::start();
    office.issue(1).await;
    office.issue(1).await;
    let elderly = office.issue_with(1, "elderly").await;
    let number = elderly["number"].as_str().unwrap();
    let lan = office.browser().await;
    lan.sign_in("lan", &office.password("lan"), Some(1)).await;
    lan.until_text("#waiting tbody tr:first-child", number)
        .await;
    lan.until_text("#waiting tbody tr:first-child", "Người cao tuổi")
        .await;
    lan.screenshot("console-waiting-order").await;
    lan.press("n").await;
    lan.until_text("#current-number", number).await;
}

// A clerk is told why they are at the login: a wrong password, their
// counter taken over by a colleague (named), no counter chosen; and the
// form offers the counter last used in this browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_are_told_why_they_are_at_the_login() {
    let office = Office::start();
    let lan = office.browser().await;
    lan.open("/login").await;
    lan.fill("input[name=username]", "lan").await;
    lan.fill("input[name=password]", "not her password").await;
    lan.choose("select[name=counter_id]", "1").await;
    lan.click("#login button[type=submit]").await;
    lan.until_text("#message", "Sai tên đăng nhập hoặc mật khẩu")
        .await;
    lan.screenshot("login-wrong-password").await;

    lan.sign_in("lan", &office.password("lan"), Some(1)).await;
    lan.until_live().await;
    let minh = office.browser().await;
    minh.sign_in("minh", &office.password("minh"), Some(1))
        .await;
    lan.until_text("#ended", "Trần Văn Minh vừa đăng nhập tại Quầy 1")
        .await;
    lan.screenshot("login-taken-over").await;
    let chosen: String = lan
        .script_text("return document.querySelector('select[name=counter_id]').value;")
        .await;
    assert_eq!(chosen, "1", "the counter last used here");

    // Without a counter, a clerk is asked for one instead of a dead end.
    lan.choose("select[name=counter_id]", "").await;
    lan.fill("input[name=username]", "lan").await;
    lan.fill("input[name=password]", &office.password("lan"))
        .await;
    lan.click("#login button[type=submit]").await;
    lan.until_text("#message", "Mời chọn quầy").await;
}

// Two staff at two counters see each other's calls without reloading;
// an action the other counter made impossible is refused with the
// server's reason; a no-show is put back in the line from the console.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_counters_see_each_other_live() {
    let mut office = Office::start();
    let a = office.issue(1).await;
    let b = office.issue(1).await;
    let (lan, minh) = (office.browser().await, office.browser().await);
    lan.sign_in("lan", &office.password("lan"), Some(1)).await;
    minh.sign_in("minh", &office.password("minh"), Some(2))
        .await;
    minh.until_text("#waiting", b["number"].as_str().unwrap())
        .await;
    minh.until_live().await;

    // Minh opens "call a number" on B; meanwhile Lan calls A then B.
    minh.press("g").await;
    minh.fill(
        "#call input[name=ticket_number]",
        b["number"].as_str().unwrap(),
    )
    .await;
    minh.fill("#call input[name=reason]", "Hẹn trước").await;
    lan.press("n").await;
    lan.until_text("#current-number", a["number"].as_str().unwrap())
        .await;
    // Lan's call shows at Minh's, without a reload, once his dialog closes.
    lan.press("v").await;
    lan.until_text("#current", "Chưa có vé").await;
    lan.press("n").await;
    lan.until_text("#current-number", b["number"].as_str().unwrap())
        .await;
    minh.click("#call button[value=ok]").await;
    // The server's reason, in Vietnamese throughout.
    minh.until_text("#message", "Không thể gọi vé này vì vé đã được gọi")
        .await;
    minh.until_text("#counters", b["number"].as_str().unwrap())
        .await;
    assert!(
        !minh
            .text("#waiting")
            .await
            .contains(b["number"].as_str().unwrap())
    );
    minh.screenshot("console-two-counters").await;

    // A, marked absent, comes back: Lan puts it back in the line.
    let a_number = a["number"].as_str().unwrap();
    lan.until_text("#absent", a_number).await;
    lan.click("#absent button").await;
    lan.until_text("#waiting", a_number).await;
    assert_eq!(
        office.ticket(a["id"].as_i64().unwrap()).await.map(|t| t.0),
        Some("waiting".into())
    );
}

// The admin adds a service through the form (a wrong one is explained
// first); the kiosk's API lists it at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_adds_a_service_the_kiosk_lists() {
    let office = Office::start();
    let admin = office.admin().await;
    admin.click("#services details:last-of-type summary").await;
    admin.fill("#new-service input[name=code]", "BHXH").await;
    admin
        .fill("#new-service input[name=name]", "Bảo hiểm xã hội")
        .await;
    admin.fill("#new-service input[name=prefix]", "E").await;
    admin
        .fill("#new-service input[name=hours]", "11:00-08:00")
        .await;
    admin.click("#new-service button[type=submit]").await;
    admin
        .until_text("#message", "giờ kết thúc sau giờ bắt đầu")
        .await;
    admin
        .fill("#new-service input[name=hours]", "00:00-24:00")
        .await;
    for day in 6..=7 {
        admin
            .click(&format!("#new-service input[name=day][value='{day}']"))
            .await;
    }
    admin.click("#new-service button[type=submit]").await;
    admin
        .until_text("#message", "Đã thêm lĩnh vực “Bảo hiểm xã hội”")
        .await;
    admin.until_text("#services table", "Bảo hiểm xã hội").await;
    admin.screenshot("admin").await;

    let services = office.get_as("kiosk", "/api/v1/services").await;
    let listed = services["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "BHXH");
    let listed = listed.expect("the kiosk lists the new service");
    assert_eq!(listed["name"], "Bảo hiểm xã hội");
    assert_eq!(listed["open_now"], true);
}

// Staff are refused the admin and monitor pages; nobody signed in is sent
// to the login; the manager sees the monitor, live.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_may_open_what() {
    let mut office = Office::start();
    let nobody = office.browser().await;
    nobody.open("/admin").await;
    nobody.until_text("h1", "Đăng nhập").await;

    let lan = office.browser().await;
    lan.sign_in("lan", &office.password("lan"), Some(1)).await;
    lan.open("/admin").await;
    lan.until_text("h1", "Không có quyền").await;
    lan.open("/monitor").await;
    lan.until_text("h1", "Không có quyền").await;

    let thu = office.browser().await;
    thu.sign_in("thu", &office.password("thu"), None).await;
    thu.until_text("h1", "Giám sát").await;
    let ticket = office.issue(2).await;
    thu.until_text("#monitor-services", "Chứng thực").await;
    thu.until_text("#monitor-devices", "Trực tuyến").await;
    thu.open("/admin").await;
    thu.until_text("h1", "Không có quyền").await;
    thu.open("/monitor").await;
    thu.until_text("#monitor-services", "1").await;
    let _ = ticket;
    thu.screenshot("monitor").await;
}

/// `GET path` with `token`: its status.
async fn status_with(office: &Office, path: &str, token: &str) -> u16 {
    let url = format!("{}{path}", office.server.base);
    send(
        &office.http,
        reqwest::Method::GET,
        &url,
        token,
        &Value::Null,
    )
    .await
    .0
}

// The admin edits the office (a phrase without its placeholders is
// explained and not saved), renames a counter, pairs a display and sees
// its token once, then revokes it; and locks out a user, whose open console
// goes back to the login.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_changes_the_office_counters_devices_and_users() {
    let office = Office::start();
    let admin = office.admin().await;

    admin
        .fill("#office-form input[name=voice_phrase]", "Mời số tiếp theo")
        .await;
    admin.click("#office-form button[type=submit]").await;
    admin
        .until_text("#message", "Câu gọi phải có {số} và {quầy}")
        .await;
    admin
        .fill(
            "#office-form input[name=voice_phrase]",
            "Kính mời số {số} đến quầy {quầy}",
        )
        .await;
    admin
        .fill("#office-form input[name=notice]", "Hôm nay nghỉ lúc 16:00")
        .await;
    admin.click("#office-form button[type=submit]").await;
    admin
        .until_text("#message", "Đã lưu thông tin cơ quan")
        .await;
    let listed = office.hall("/api/v1/services").await;
    assert_eq!(listed["office"]["notice"], "Hôm nay nghỉ lúc 16:00");
    assert_eq!(
        listed["office"]["voice_phrase"],
        "Kính mời số {số} đến quầy {quầy}"
    );

    admin.click("#counters details summary").await;
    admin
        .fill("#counter-1 input[name=name]", "Quầy Tư pháp")
        .await;
    admin.click("#counter-1 button[type=submit]").await;
    admin.until_text("#message", "Đã lưu quầy 1").await;
    let counters = office.hall("/api/v1/counters").await;
    assert_eq!(counters[0]["name"], "Quầy Tư pháp");

    // A fifth counter, serving Hộ tịch; its number is offered.
    admin.click("#new-counter summary").await;
    admin
        .fill("#counter-new input[name=name]", "Quầy Bảo hiểm")
        .await;
    admin
        .click("#counter-new input[name=service][value='1']")
        .await;
    admin.screenshot("admin-new-counter").await;
    admin.click("#counter-new button[type=submit]").await;
    admin.until_text("#message", "Đã thêm quầy").await;
    let counters = office.hall("/api/v1/counters").await;
    let added = &counters[4];
    assert_eq!(
        (added["number"].as_u64(), added["name"].as_str()),
        (Some(5), Some("Quầy Bảo hiểm"))
    );
    assert_eq!(added["state"], "closed");

    // The add-user form's own check works in this browser (its pattern
    // compiles): a name with a space or a capital is not accepted.
    let valid = admin
        .script(
            "const f = document.querySelector('input[name=username][pattern]'); \
             f.value = 'Hoa Nguyen'; const bad = f.checkValidity(); \
             f.value = 'hoa.nguyen'; f.dispatchEvent(new Event('input')); \
             return [bad, f.checkValidity()];",
        )
        .await;
    assert_eq!(valid, json!([false, true]));

    admin.click("#devices summary").await;
    admin
        .fill("#new-device input[name=name]", "Màn hình tầng 2")
        .await;
    admin
        .choose("#new-device select[name=kind]", "display")
        .await;
    admin.click("#new-device button[type=submit]").await;
    admin.until_text("#token-value", "lsd_").await;
    let token = admin.text("#token-value").await;
    assert_eq!(status_with(&office, "/api/v1/queue", &token).await, 200);
    admin.screenshot("admin-paired").await;
    admin.open("/admin").await;
    assert!(
        !admin.client.source().await.unwrap().contains(&token),
        "shown once only"
    );
    let revoke = "#devices tr:last-child button[data-post]";
    admin.click(revoke).await;
    admin.client.accept_alert().await.unwrap();
    admin
        .until("the revocation", async || {
            (status_with(&office, "/api/v1/queue", &token).await == 401).then_some(())
        })
        .await;

    // Minh is at his console when he is locked out.
    let minh = office.browser().await;
    minh.sign_in("minh", &office.password("minh"), Some(2))
        .await;
    minh.until_live().await;

    admin.open("/admin").await;
    admin.css("#users button[data-dialog]").await;
    let rows = admin
        .client
        .find_all(fantoccini::Locator::Css("#users tbody tr"))
        .await
        .unwrap();
    let mut edit = None;
    for row in rows {
        if row.text().await.unwrap().starts_with("minh") {
            edit = Some(row.find(fantoccini::Locator::Css("button")).await.unwrap());
        }
    }
    edit.expect("minh is listed").click().await.unwrap();
    let dialog = admin.css("dialog[open]").await;
    dialog
        .find(fantoccini::Locator::Css("input[name=disabled]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    dialog
        .find(fantoccini::Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    admin.until_text("#message", "Đã lưu người dùng minh").await;
    admin.until_text("#users", "Đã khoá").await;
    // His page loses its stream and goes back to the login.
    minh.until_text("h1", "Đăng nhập").await;
    minh.until_text("#ended", "Tài khoản của bạn đã bị khoá")
        .await;
    let url = format!("{}/api/v1/auth/login", office.server.base);
    let body = json!({"username": "minh", "password": office.password("minh"), "counter_id": 2});
    let (status, _) = send(&office.http, reqwest::Method::POST, &url, "", &body).await;
    assert_eq!(status, 401, "a locked user cannot sign in");
}

// A citizen opens their ticket's QR link on a phone: it says how many wait
// before them, then, reloading by itself, that their counter calls them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn citizen_follows_the_ticket_on_a_phone() {
    let mut office = Office::start();
    let first = office.issue(2).await;
    let mine = office.issue(2).await;
    let phone = office.browser().await;
    phone.resize(390, 844).await;
    let token = mine["public_token"].as_str().unwrap();
    phone.open(&format!("/t/{token}")).await;
    phone.until_text("#state", "Đang chờ đến lượt").await;
    assert!(
        phone
            .text("main")
            .await
            .contains("Có 1 người đang chờ trước bạn")
    );
    phone.screenshot("track-waiting").await;

    // Lan at counter 1 serves the first citizen, then calls the next.
    let http = &office.http;
    let base = &office.server.base;
    let staff = &sign_in(http, base, &office.db, "lan", Some(1)).await;
    let post = async |path: String, body: Value| {
        let url = format!("{base}{path}");
        send_ok(http, reqwest::Method::POST, &url, staff, &body).await
    };
    let called = post("/api/v1/counters/1/call-next".into(), json!({})).await;
    assert_eq!(called["id"], first["id"]);
    post(
        format!("/api/v1/counters/1/tickets/{}/start", first["id"]),
        json!({}),
    )
    .await;
    let body = json!({"finish_current": true});
    let called = post("/api/v1/counters/1/call-next".into(), body).await;
    assert_eq!(called["id"], mine["id"], "{called}");

    // No reload by the test: the page reloads itself.
    phone
        .until_for(Duration::from_secs(30), "the page to reload", async || {
            phone
                .text("#state")
                .await
                .contains("Mời bạn đến Quầy 1")
                .then_some(())
        })
        .await;
    phone.screenshot("track-called").await;
}

// A province admin made with `layso-server province-admin` adds an office
// and its admin on the province page; the login then asks for the office,
// and the new admin signs in to theirs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_province_adds_an_office_whose_admin_signs_in() {
    let office = Office::start();
    let made = std::process::Command::new(layso_e2e::binary("layso-server", "layso-server"))
        .args(["--database"])
        .arg(&office.db)
        .args(["province-admin", "tinh", "--full-name", "Quản trị tỉnh"])
        .output()
        .expect("layso-server runs");
    let said = String::from_utf8_lossy(&made.stdout);
    assert!(
        made.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&made.stderr)
    );
    let password = said
        .trim()
        .rsplit(' ')
        .next()
        .expect("the password ends the line");

    let tinh = office.browser().await;
    tinh.sign_in("tinh", password, None).await;
    tinh.until_text("h1", "Các cơ quan").await;
    tinh.fill("#office-new input[name=code]", "phuong-hai")
        .await;
    tinh.fill("#office-new input[name=name]", "UBND phường Hải Châu")
        .await;
    tinh.fill("#office-new input[name=address]", "2 Lê Lợi, Đà Nẵng")
        .await;
    tinh.click("#office-new button[type=submit]").await;
    tinh.until_text("#message", "Đã thêm cơ quan.").await;
    tinh.until_text("#offices table", "UBND phường Hải Châu")
        .await;
    let id = tinh
        .script_text(
            "return [...document.querySelectorAll('#offices tbody tr')]
               .find(r => r.textContent.includes('Hải Châu'))
               .querySelector('button').dataset.dialog",
        )
        .await;
    tinh.click(&format!("button[data-dialog={id}]")).await;
    tinh.fill(&format!("#{id} input[name=username]"), "haichau")
        .await;
    tinh.fill(&format!("#{id} input[name=full_name]"), "Phạm Thị Hương")
        .await;
    tinh.fill(&format!("#{id} input[name=password]"), "mật khẩu Hải Châu")
        .await;
    tinh.click(&format!("#{id} button[type=submit]")).await;
    tinh.until_text("#message", "Đã thêm người dùng cho UBND phường Hải Châu.")
        .await;
    tinh.screenshot("province").await;

    // Two offices now: the login lists them, and each has its own form.
    let huong = office.browser().await;
    huong.open("/login").await;
    huong.until_text("#offices", "UBND phường Hải Châu").await;
    huong.screenshot("login-offices").await;
    huong
        .click("#offices a[href='/login?office=phuong-hai']")
        .await;
    huong.until_text("main", "UBND phường Hải Châu").await;
    huong.fill("input[name=username]", "haichau").await;
    huong
        .fill("input[name=password]", "mật khẩu Hải Châu")
        .await;
    huong.click("#login button[type=submit]").await;
    huong
        .until_text("h1", "Quản trị · UBND phường Hải Châu")
        .await;
}
