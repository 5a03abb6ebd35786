//! The admin's service API and who may open which web page, through the
//! router (the pages' behaviour in a browser is tested in `tests/`).

use crate::common::{CHUNG_THUC, HO_TICH, TestApp, Who};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

fn service(code: &str, hours: Value) -> Value {
    json!({
        "code": code,
        "name": "Bảo hiểm xã hội",
        "numbering": { "prefix": "E", "first": 1, "last": 500 },
        "daily_cap": 300,
        "accepts_priority": true,
        "hours": hours,
    })
}

async fn kiosk_codes(app: &TestApp) -> Vec<String> {
    let (_, body) = app
        .call_as(Who::Kiosk, Method::GET, "/api/v1/services", None)
        .await;
    body["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap().to_owned())
        .collect()
}

// A valid service is saved and listed by the kiosks at once; each kind of
// mistake is a 422 with its reason, and nothing is saved.
#[tokio::test]
async fn admin_adds_a_service() {
    let app = TestApp::new().await;
    let all_day = json!([{ "days": [1, 2, 3, 4, 5, 6, 7], "from": "00:00", "to": "24:00" }]);
    let before = kiosk_codes(&app).await;
    let wrong = [
        (service("B H", all_day.clone()), "code"),
        (
            json!({ "code": "X", "name": "  ", "numbering": { "prefix": "", "first": 1, "last": 9 }, "hours": all_day }),
            "name",
        ),
        (service("X", json!([])), "window"),
        (
            service(
                "X",
                json!([{ "days": [1], "from": "11:00", "to": "08:00" }]),
            ),
            "ends after",
        ),
        (
            service(
                "X",
                json!([{ "days": [0, 8], "from": "07:00", "to": "08:00" }]),
            ),
            "days",
        ),
        (
            json!({ "code": "X", "name": "X", "numbering": { "prefix": "abc", "first": 1, "last": 9 }, "hours": all_day }),
            "prefix",
        ),
    ];
    for (body, why) in wrong {
        let (status, error) = app
            .call_as(
                Who::Admin,
                Method::POST,
                "/api/v1/admin/services",
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {error}");
        assert_eq!(error["code"], "invalid_request");
        assert!(
            error["message"].as_str().unwrap().contains(why),
            "{why}: {error}"
        );
    }
    assert_eq!(kiosk_codes(&app).await, before, "nothing was saved");

    let (status, created) = app
        .call_as(
            Who::Admin,
            Method::POST,
            "/api/v1/admin/services",
            Some(service("BHXH", all_day)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["name"], "Bảo hiểm xã hội");
    assert_eq!(created["open_now"], true);
    let after = kiosk_codes(&app).await;
    assert_eq!(after.last().map(String::as_str), Some("BHXH"));
    assert_eq!(after.len(), before.len() + 1);
    // The kiosk can issue for it straight away.
    let id = created["id"].as_i64().unwrap();
    let ticket = app.issue(id).await;
    assert_eq!(ticket["number"], "E001");

    // A change replaces it whole; a code taken by another service is refused.
    let path = format!("/api/v1/admin/services/{id}");
    let mut changed = service(
        "BHXH",
        json!([{ "days": [1, 2, 3, 4, 5, 6, 7], "from": "00:00", "to": "24:00" }]),
    );
    changed["name"] = json!("Bảo hiểm y tế");
    changed["daily_cap"] = json!(50);
    let (status, view) = app
        .call_as(Who::Admin, Method::PUT, &path, Some(changed.clone()))
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(
        (view["name"].as_str(), view["daily_cap"].as_i64()),
        (Some("Bảo hiểm y tế"), Some(50))
    );
    changed["code"] = json!("HT");
    let (status, err) = app
        .call_as(Who::Admin, Method::PUT, &path, Some(changed))
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_exists"))
    );
    let (status, _) = app
        .call_as(
            Who::Admin,
            Method::PUT,
            "/api/v1/admin/services/999",
            Some(service(
                "ZZ",
                json!([{ "days": [1], "from": "07:00", "to": "08:00" }]),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

// Nobody is sent to sign in; each role opens its own pages and is refused
// the others with a Vietnamese 403 page.
#[tokio::test]
async fn pages_admit_their_roles() {
    let app = TestApp::new().await;
    let page = |who: Who, path: &'static str| {
        let app = &app;
        async move { app.call_as(who, Method::GET, path, None).await }
    };
    for path in ["/console", "/monitor", "/admin", "/console/panel"] {
        let (status, _) = page(Who::Nobody, path).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
    }
    let (status, body) = page(Who::Nobody, "/login").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.as_str().unwrap().contains("Quầy 2"),
        "counters to choose from"
    );

    let allowed = [
        (Who::Staff(1), "/console", "Quầy 1"),
        (Who::Staff(1), "/console/panel", "Gọi tiếp"),
        (Who::Manager, "/monitor", "Giám sát"),
        (Who::Admin, "/monitor", "Giám sát"),
        (Who::Admin, "/admin", "Thêm lĩnh vực"),
    ];
    for (who, path, text) in allowed {
        let (status, body) = page(who, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(body.as_str().unwrap().contains(text), "{path}");
    }
    let refused = [
        (Who::Staff(1), "/admin"),
        (Who::Staff(1), "/monitor"),
        (Who::Manager, "/admin"),
        (Who::Manager, "/console"),
        (Who::Admin, "/console"),
    ];
    for (who, path) in refused {
        let (status, body) = page(who, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(body.as_str().unwrap().contains("Không có quyền"), "{path}");
    }
    // Devices have no pages.
    let (status, _) = page(Who::Kiosk, "/console").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

// The admin changes the office's details, a counter's services and a
// user; each change reaches the event stream as a settings event; a
// disabled user's session ends and they cannot sign in again; wrong input
// changes nothing.
#[tokio::test]
async fn admin_changes_settings() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut events = app.events(&base, "").await;
    let office = json!({
        "name": "UBND phường Bến Nghé", "address": "29 Lê Duẩn", "ticket_header": "Phiếu thứ tự",
        "ticket_footer": "Xin cảm ơn", "notice": "Nghỉ trưa 11:30–13:30",
        "voice_phrase": "Mời số {số} đến quầy {quầy}",
    });
    let mut no_placeholder = office.clone();
    no_placeholder["voice_phrase"] = json!("Mời số tiếp theo");
    let (status, _) = app
        .call_as(
            Who::Admin,
            Method::PUT,
            "/api/v1/admin/office",
            Some(no_placeholder),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, saved) = app
        .call_as(
            Who::Admin,
            Method::PUT,
            "/api/v1/admin/office",
            Some(office),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, listed) = app
        .call_as(Who::Kiosk, Method::GET, "/api/v1/services", None)
        .await;
    assert_eq!(listed["office"]["name"], "UBND phường Bến Nghé");
    assert_eq!(listed["office"]["notice"], "Nghỉ trưa 11:30–13:30");
    let settings = events.event().await;
    assert_eq!(settings["change"]["kind"], "settings");
    assert_eq!(settings["change"]["what"], "office");

    // A counter with a service of no office is refused whole.
    let counter = |services: Value| json!({ "name": "Quầy Một cửa", "selection": "order", "services": services });
    let (status, _) = app
        .call_as(
            Who::Admin,
            Method::PUT,
            "/api/v1/admin/counters/1",
            Some(counter(json!([{ "service_id": 3 }, { "service_id": 999 }]))),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, before) = app
        .call_as(Who::Admin, Method::GET, "/api/v1/counters", None)
        .await;
    assert_eq!(
        before[0]["services"].as_array().unwrap().len(),
        2,
        "unchanged"
    );
    let (status, changed) = app
        .call_as(
            Who::Admin,
            Method::PUT,
            "/api/v1/admin/counters/1",
            Some(counter(
                json!([{ "service_id": 3 }, { "service_id": 1, "weight": 2 }]),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["name"], "Quầy Một cửa");
    assert_eq!(changed["services"][0]["service_id"], 3);
    assert_eq!(changed["services"][1]["weight"], 2);
    assert_eq!(events.event().await["change"]["what"], "counter");

    // Minh may work counter 2 only.
    let (_, users) = app
        .call_as(Who::Admin, Method::GET, "/api/v1/admin/users", None)
        .await;
    let minh = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "minh")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, user) = app
        .call_as(Who::Admin, Method::PUT, &format!("/api/v1/admin/users/{minh}"),
                 Some(json!({ "full_name": "Trần Văn Minh", "role": "staff", "disabled": false, "counters": [2] })))
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["counters"], json!([2]));
    assert_eq!(app.login("minh", Some(1)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.login("minh", Some(2)).await.0, StatusCode::OK);
    let (status, _) = app
        .call_as(Who::Admin, Method::PUT, &format!("/api/v1/admin/users/{minh}"),
                 Some(json!({ "full_name": "Trần Văn Minh", "role": "staff", "disabled": false, "counters": [999] })))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a counter of no office"
    );

    // Lan is disabled: her session stops working and she cannot sign in.
    let (_, me) = app
        .call_as(Who::Staff(1), Method::GET, "/api/v1/auth/me", None)
        .await;
    let lan = me["user"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/admin/users/{lan}");
    let (status, user) = app
        .call_as(
            Who::Admin,
            Method::PUT,
            &path,
            Some(json!({ "full_name": "Nguyễn Thị Lan", "role": "staff", "disabled": true })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["disabled"], true);
    let (status, _) = app
        .call_as(Who::Staff(1), Method::GET, "/api/v1/auth/me", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.login("lan", Some(1)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // An admin cannot lock themselves out.
    let (_, me) = app
        .call_as(Who::Admin, Method::GET, "/api/v1/auth/me", None)
        .await;
    let admin = me["user"]["id"].as_i64().unwrap();
    let (status, _) = app
        .call_as(
            Who::Admin,
            Method::PUT,
            &format!("/api/v1/admin/users/{admin}"),
            Some(json!({ "full_name": "Quản trị viên", "role": "staff", "disabled": false })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

// The QR code's page follows its ticket with nobody signed in: waiting
// (people ahead, reloading itself), called to its counter, served (no more
// reloads); a wrong or unknown link is a Vietnamese 404.
#[tokio::test]
async fn tracking_page_follows_the_ticket() {
    let app = TestApp::new().await;
    let page = |path: String| {
        let app = &app;
        async move {
            let (status, body) = app.call_as(Who::Nobody, Method::GET, &path, None).await;
            (status, body.as_str().unwrap_or_default().to_owned())
        }
    };
    let first = app.issue(1).await;
    let second = app.issue(1).await;
    let track = |t: &Value| format!("/t/{}", t["public_token"].as_str().unwrap());
    let number = second["number"].as_str().unwrap();

    let (status, body) = page(track(&second)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(number), "its number: {body}");
    assert!(body.contains("Đang chờ đến lượt"));
    assert!(body.contains("Có 1 người đang chờ trước bạn"), "{body}");
    assert!(body.contains("Thời gian chờ dự kiến"));
    assert!(
        body.contains(r#"http-equiv="refresh""#),
        "an open ticket reloads"
    );
    assert!(
        !body.contains(r#"href="/""#),
        "no link to the staff's sign-in"
    );

    let called = app.call_next(1).await.unwrap();
    assert_eq!(called["id"], first["id"]);
    let (_, body) = page(track(&second)).await;
    assert!(body.contains("Bạn là người tiếp theo"), "{body}");
    for step in ["start", "finish"] {
        app.step(1, first["id"].as_i64().unwrap(), step).await;
    }
    let called = app.call_next(1).await.unwrap();
    assert_eq!(called["id"], second["id"]);
    let (_, body) = page(track(&second)).await;
    assert!(body.contains("Mời bạn đến Quầy 1"), "{body}");

    let (_, body) = page(track(&first)).await;
    assert!(body.contains("Đã phục vụ xong"), "{body}");
    assert!(
        !body.contains("http-equiv"),
        "a finished ticket stays still"
    );

    for wrong in ["0".repeat(32), "xyz".to_owned(), first["id"].to_string()] {
        let (status, body) = page(format!("/t/{wrong}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{wrong}");
        assert!(body.contains("Không tìm thấy vé"), "{wrong}: {body}");
    }
}

// The admin adds a counter: closed until staff open it, listed with the
// others, a staff member can sign in there; a number already used is a
// conflict and changes nothing.
#[tokio::test]
async fn admin_adds_a_counter() {
    let app = TestApp::new().await;
    let counter = |number: u32| {
        json!({ "number": number, "name": "Quầy Bảo hiểm", "selection": "order",
                "services": [{ "service_id": HO_TICH }] })
    };
    let (status, added) = app.post("/api/v1/admin/counters", counter(5)).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(
        (added["number"].as_u64(), added["state"].as_str()),
        (Some(5), Some("closed"))
    );
    let (status, err) = app.post("/api/v1/admin/counters", counter(2)).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_exists"))
    );
    assert_eq!(err["message_vi"], "Cơ quan đã có Quầy 2.");
    let (status, _) = app.post("/api/v1/admin/counters", counter(0)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, counters) = app.get("/api/v1/counters").await;
    assert_eq!(counters.as_array().unwrap().len(), 5);
    let id = added["id"].as_i64().unwrap();
    assert_eq!(app.login("lan", Some(id)).await.0, StatusCode::OK);
}

// The console lists the waiting in the order call-next takes them: a
// priority ticket issued last comes first, marked with its class.
#[tokio::test]
async fn the_console_lists_the_waiting_in_call_order() {
    let app = TestApp::new().await;
    let first = app.issue(HO_TICH).await;
    app.issue(CHUNG_THUC).await;
    let elderly = app.issue_with(CHUNG_THUC, "elderly").await;
    let (_, html) = app
        .call_as(Who::Staff(1), Method::GET, "/console/panel", None)
        .await;
    let html = html.as_str().unwrap();
    let rows: Vec<&str> = html.split("<td class=\"num\">").skip(1).collect();
    let number = |t: &Value| t["number"].as_str().unwrap().to_owned();
    assert!(rows[0].starts_with(&number(&elderly)), "{html}");
    assert!(rows[0].contains("Người cao tuổi"));
    assert!(
        rows[1].starts_with(&number(&first)),
        "then by the counter's service order"
    );
    let called = app.call_next(1).await.unwrap();
    assert_eq!(called["number"], elderly["number"]);
}

// A browser whose session was ended comes back to the login with its old
// cookie, and the page says why: taken over (by whom), or disabled.
#[tokio::test]
async fn the_login_page_says_why_the_session_ended() {
    let app = TestApp::new().await;
    let lan = app.token(&Who::Staff(1)).await.unwrap();
    app.login("minh", Some(1)).await;
    let login_page = |token: String| {
        let request = axum::http::Request::builder()
            .uri("/login")
            .header("cookie", format!("layso_token={token}"))
            .body(axum::body::Body::empty())
            .unwrap();
        let app = &app;
        async move { app.send(request).await.1.as_str().unwrap().to_owned() }
    };
    let page = login_page(lan).await;
    assert!(
        page.contains("Trần Văn Minh vừa đăng nhập tại Quầy 1"),
        "{page}"
    );
    let (_, me) = app
        .call_as(Who::Staff(2), Method::GET, "/api/v1/auth/me", None)
        .await;
    let minh_at_two = app.token(&Who::Staff(2)).await.unwrap();
    let id = me["user"]["id"].as_i64().unwrap();
    app.call(
        Method::PUT,
        &format!("/api/v1/admin/users/{id}"),
        Some(json!({ "full_name": "Trần Văn Minh", "role": "staff", "disabled": true })),
    )
    .await;
    assert!(
        login_page(minh_at_two)
            .await
            .contains("Tài khoản của bạn đã bị khoá")
    );
    assert!(
        !login_page("lss_unknown".into())
            .await
            .contains("class=\"notice\"")
    );
}
