//! A province's central server: its admin creates offices and their
//! people, and sees every office's day; an office's own admin can neither
//! make a province admin nor touch one.

use crate::common::*;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

async fn as_province(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    let token = app.province_admin().await;
    app.call_as(Who::Token(token), method, path, Some(body))
        .await
}

// The province admin adds an office and its first admin; that admin signs
// in to the new office, sets it up and its kiosk issues; the province's
// list shows both offices' days.
#[tokio::test]
async fn the_province_creates_an_office_and_its_admin() {
    let app = TestApp::with_hours(layso_server::config::DemoHours::Always).await;
    app.issue(HO_TICH).await;
    app.issue(CHUNG_THUC).await;
    app.call_next(1).await.unwrap();

    let (status, office) = as_province(
        &app,
        Method::POST,
        "/api/v1/province/offices",
        json!({ "code": "phuong-hai", "name": "UBND phường Hai", "address": "2 Lê Lợi" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{office}");
    assert_eq!(
        (office["time_zone"].as_str(), office["address"].as_str()),
        (Some("Asia/Ho_Chi_Minh"), Some("2 Lê Lợi"))
    );
    let id = office["id"].as_i64().unwrap();
    let (status, admin) = as_province(
        &app,
        Method::POST,
        &format!("/api/v1/province/offices/{id}/users"),
        json!({ "username": "hai.admin", "full_name": "Quản trị phường Hai", "role": "admin",
                "password": "mật khẩu phường hai" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{admin}");

    // Their admin signs in to the new office and adds a service and a counter.
    let (status, session) = app.call_as(Who::Nobody, Method::POST, "/api/v1/auth/login",
        Some(json!({ "username": "hai.admin", "password": "mật khẩu phường hai", "office_id": id }))).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    let admin2 = Who::Token(session["token"].as_str().unwrap().to_owned());
    let (status, service) = app
        .call_as(
            admin2.clone(),
            Method::POST,
            "/api/v1/admin/services",
            Some(
                json!({ "code": "HT", "name": "Hộ tịch", "accepts_priority": true,
            "numbering": { "prefix": "H", "first": 1, "last": 999 },
            "hours": [{ "days": [1, 2, 3, 4, 5, 6, 7], "from": "00:00", "to": "24:00" }] }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{service}");
    let (status, counter) = app
        .call_as(
            admin2.clone(),
            Method::POST,
            "/api/v1/admin/counters",
            Some(
                json!({ "number": 1, "name": "Quầy 1", "selection": "oldest",
            "services": [{ "service_id": service["id"] }] }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{counter}");
    let kiosk = Who::Token(app.device_in(id, "kiosk", None).await);
    for _ in 0..3 {
        app.issue_as(kiosk.clone(), service["id"].as_i64().unwrap(), "none")
            .await;
    }

    let (status, list) =
        as_province(&app, Method::GET, "/api/v1/province/offices", json!(null)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let days: Vec<(String, u64, u64, u64, u64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["office"]["code"].as_str().unwrap().to_owned(),
                o["waiting"].as_u64().unwrap(),
                o["issued_today"].as_u64().unwrap(),
                o["counters_open"].as_u64().unwrap(),
                o["counters"].as_u64().unwrap(),
            )
        })
        .collect();
    let demo: String = sqlx::query_scalar("SELECT code FROM offices WHERE id = 1")
        .fetch_one(&mut app.sql().await)
        .await
        .unwrap();
    let demo_counters = app.get("/api/v1/counters").await.1;
    let open = demo_counters
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["state"] == "open")
        .count();
    let mut expected = vec![
        ("phuong-hai".to_owned(), 3, 3, 0, 1),
        (
            demo,
            1,
            2,
            open as u64,
            demo_counters.as_array().unwrap().len() as u64,
        ),
    ];
    expected.sort();
    assert_eq!(
        days, expected,
        "by code: waiting, issued today, counters open of all"
    );

    // The province's page lists both, in Vietnamese.
    let token = app.province_admin().await;
    let (status, page) = app
        .call_as(Who::Token(token), Method::GET, "/province", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = page.as_str().unwrap();
    assert!(
        page.contains("UBND phường Hai") && page.contains("Thêm cơ quan"),
        "{page}"
    );
}

// A taken code, a code with capitals or spaces, an unknown time zone and
// a missing office are refused with a Vietnamese reason, and add nothing.
#[tokio::test]
async fn bad_offices_are_refused() {
    let app = TestApp::new().await;
    let (status, _) = as_province(
        &app,
        Method::POST,
        "/api/v1/province/offices",
        json!({ "code": "p3", "name": "Phường Ba" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let count = |list: &Value| list.as_array().map_or(0, Vec::len);
    let before = count(
        &as_province(&app, Method::GET, "/api/v1/province/offices", json!(null))
            .await
            .1,
    );
    for (body, status, code) in [
        (
            json!({ "code": "p3", "name": "Phường Ba nữa" }),
            StatusCode::CONFLICT,
            "already_exists",
        ),
        (
            json!({ "code": "Phường 3", "name": "Phường Ba" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            json!({ "code": "p4", "name": "Phường Bốn", "time_zone": "Asia/Hanoi_City" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            json!({ "code": "p5", "name": "" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
    ] {
        let (got, err) =
            as_province(&app, Method::POST, "/api/v1/province/offices", body.clone()).await;
        assert_eq!(
            (got, err["code"].as_str()),
            (status, Some(code)),
            "{body}: {err}"
        );
        assert!(
            !err["message_vi"].as_str().unwrap_or("").is_empty(),
            "{err}"
        );
    }
    let after = count(
        &as_province(&app, Method::GET, "/api/v1/province/offices", json!(null))
            .await
            .1,
    );
    assert_eq!(after, before, "nothing was added");
    let (status, _) = as_province(&app, Method::POST, "/api/v1/province/offices/999/users",
        json!({ "username": "ai", "full_name": "Ai đó", "role": "admin", "password": "mật khẩu dài đủ" })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

// An office admin cannot make anyone a province admin, and the province
// admin who signs in at their office is not theirs to see, change or reset.
#[tokio::test]
async fn an_office_admin_cannot_touch_a_province_admin() {
    let app = TestApp::new().await;
    app.province_admin().await;
    let (status, err) = app
        .post(
            "/api/v1/admin/users",
            json!({ "username": "vua", "full_name": "Vua",
        "role": "province_admin", "password": "mật khẩu dài đủ" }),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden")),
        "{err}"
    );
    let (_, users) = app.get("/api/v1/admin/users").await;
    let listed: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(
        !listed.contains(&"tinh") && !listed.contains(&"vua"),
        "{listed:?}"
    );
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'tinh'")
        .fetch_one(&mut app.sql().await)
        .await
        .unwrap();
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/admin/users/{id}/password"),
            Some(json!({ "password": "mật khẩu mới của tôi" })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/admin/users/{id}"),
            Some(json!({ "full_name": "Bị hạ", "role": "staff", "disabled": true })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Promoting one of the office's own is refused too.
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/admin/users/2",
            Some(json!({ "full_name": "Lê Thị Thu", "role": "province_admin", "disabled": false })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The province admin still signs in.
    let (status, me) = app
        .call_as(
            Who::Token(app.province_admin().await),
            Method::GET,
            "/api/v1/auth/me",
            None,
        )
        .await;
    assert_eq!(
        (status, me["user"]["role"].as_str()),
        (StatusCode::OK, Some("province_admin")),
        "{me}"
    );
}

// With several offices the login lists them; the address names one; and a
// browser whose session of office 2 was just taken over gets office 2's
// form with the reason, without choosing again.
#[tokio::test]
async fn the_login_finds_the_office() {
    let app = TestApp::new().await;
    sqlx::raw_sql(
        "INSERT INTO offices (id, code, name, time_zone, created_at)
         VALUES (2, 'hai-chau', 'UBND phường Hải Châu', 'Asia/Ho_Chi_Minh', 0);
         INSERT INTO counters (id, office_id, number, name, state) VALUES (10, 2, 1, 'Quầy Hải Châu', 'closed');",
    )
    .execute(&mut app.sql().await)
    .await
    .unwrap();
    let page = |body: Value| body.as_str().unwrap_or_default().to_owned();
    let (status, list) = app.call_as(Who::Nobody, Method::GET, "/login", None).await;
    let list = page(list);
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.contains("Mời chọn cơ quan") && list.contains("href=\"/login?office=hai-chau\""),
        "{list}"
    );
    let (_, form) = app
        .call_as(Who::Nobody, Method::GET, "/login?office=hai-chau", None)
        .await;
    let form = page(form);
    assert!(
        form.contains("UBND phường Hải Châu") && form.contains("Quầy Hải Châu"),
        "{form}"
    );
    assert!(form.contains(r#"name="office_id" value="2""#), "{form}");
    let (_, unknown) = app
        .call_as(Who::Nobody, Method::GET, "/login?office=khong-co", None)
        .await;
    assert!(page(unknown).contains("Không tìm thấy cơ quan"));

    let first = app.staff_in(2, 10).await;
    app.staff_in(2, 10).await;
    let (_, told) = app
        .call_as(Who::Token(first), Method::GET, "/login", None)
        .await;
    let told = page(told);
    assert!(
        told.contains("Quầy Hải Châu") && told.contains("vừa đăng nhập tại Quầy 1"),
        "{told}"
    );
}
