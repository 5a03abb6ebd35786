//! The admin's service API and who may open which web page, through the
//! router (the pages' behaviour in a browser is tested in `tests/`).

use crate::common::{TestApp, Who};
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
        (service("HT", all_day.clone()), "already used"),
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
    let ticket = app.issue(created["id"].as_i64().unwrap()).await;
    assert_eq!(ticket["number"], "E001");
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
