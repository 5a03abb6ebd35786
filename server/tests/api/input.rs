//! Text typed into the admin's forms and the counters' dialogs: printer
//! commands, line breaks and invisible names are refused with a clear
//! Vietnamese reason, and nothing changes.

use crate::common::*;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

/// Names no office should print: printer commands (ESC @, GS V), a NUL, a
/// line break, a direction override, and names of nothing visible.
const BAD: [&str; 7] = [
    "Hộ tịch\u{1b}@",
    "Quầy\u{1d}V\u{0}1",
    "Tầng 1\u{0}",
    "Một cửa\nhai dòng",
    "Quầy \u{202e}1",
    "\u{200b}",
    "\u{3164}\u{3164}",
];

/// Whether a message reads as Vietnamese and carries no English of the
/// server's: a few words no English sentence of ours has.
fn vietnamese(message: &str) -> bool {
    let english = ["the ", " is ", "characters", "must", "invalid"];
    !message.is_empty() && !english.iter().any(|w| message.contains(w))
}

// Every admin text field refuses control and invisible text with a
// Vietnamese reason, and the office, counter, service, user and device
// stay as they were.
#[tokio::test]
async fn control_and_invisible_text_is_refused() {
    let app = TestApp::new().await;
    let office = json!({
        "name": "UBND phường Bến Nghé", "address": "", "ticket_header": "", "ticket_footer": "",
        "notice": "", "voice_phrase": "Mời số {số} đến quầy {quầy}",
    });
    let service = json!({ "code": "BHXH", "name": "Bảo hiểm", "accepts_priority": true,
        "numbering": { "prefix": "E", "first": 1, "last": 999 },
        "hours": [{ "days": [1, 2, 3, 4, 5], "from": "07:30", "to": "11:00" }] });
    let counter = json!({ "name": "Quầy Một cửa", "selection": "order",
        "services": [{ "service_id": 1 }] });
    let user = json!({ "username": "hoa", "full_name": "Phạm Thị Hoa", "role": "staff",
        "password": "mật khẩu của Hoa" });
    let device = json!({ "kind": "display", "name": "Màn hình tầng 2" });
    let fields: Vec<(Method, &str, Value, &str)> = vec![
        (Method::PUT, "/api/v1/admin/office", office.clone(), "name"),
        (
            Method::PUT,
            "/api/v1/admin/office",
            office.clone(),
            "ticket_footer",
        ),
        (Method::PUT, "/api/v1/admin/office", office, "notice"),
        (Method::POST, "/api/v1/admin/services", service, "name"),
        (Method::PUT, "/api/v1/admin/counters/1", counter, "name"),
        (Method::POST, "/api/v1/admin/users", user, "full_name"),
        (Method::POST, "/api/v1/admin/devices", device, "name"),
    ];
    let before = snapshot(&app).await;
    for (method, path, body, field) in fields {
        for bad in BAD {
            let mut body = body.clone();
            body[field] = json!(bad);
            let (status, err) = app.call(method.clone(), path, Some(body)).await;
            let what = format!("{method} {path} {field}={bad:?}: {err}");
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
            assert_eq!(err["code"], "invalid_request", "{what}");
            assert!(
                vietnamese(err["message_vi"].as_str().unwrap_or("")),
                "{what}"
            );
        }
    }
    assert_eq!(snapshot(&app).await, before, "nothing changed");
}

// A pause or call reason with a printer command or a line break is
// refused, and the counter stays open.
#[tokio::test]
async fn reasons_are_printable_text() {
    let app = TestApp::new().await;
    for bad in BAD {
        let (status, err) = app
            .post("/api/v1/counters/1/pause", json!({ "reason": bad }))
            .await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_request")),
            "{bad:?}"
        );
        assert!(vietnamese(err["message_vi"].as_str().unwrap()), "{err}");
    }
    let (_, counters) = app.get("/api/v1/counters").await;
    assert_eq!(counters[0]["state"], "open");
}

// Refusals the admin reads are Vietnamese throughout: a code already used,
// a user name taken, a weight out of range.
#[tokio::test]
async fn refusals_read_in_vietnamese() {
    let app = TestApp::new().await;
    let service = json!({ "code": "HT", "name": "Hộ tịch 2", "accepts_priority": true,
        "numbering": { "prefix": "H", "first": 1, "last": 999 },
        "hours": [{ "days": [1], "from": "07:30", "to": "11:00" }] });
    let (status, err) = app.post("/api/v1/admin/services", service).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_exists"))
    );
    assert_eq!(err["message_vi"], "Mã “HT” đã được lĩnh vực khác dùng.");
    let (_, err) = app
        .post("/api/v1/admin/users", json!({ "username": "lan", "full_name": "Lan", "role": "staff", "password": "0123456789ab" }))
        .await;
    assert_eq!(err["message_vi"], "Tên đăng nhập “lan” đã có người dùng.");
    let (_, err) = app
        .call(Method::PUT, "/api/v1/admin/counters/1",
              Some(json!({ "name": "Quầy 1", "selection": "weighted", "services": [{ "service_id": 1, "weight": 500 }] })))
        .await;
    assert!(vietnamese(err["message_vi"].as_str().unwrap()), "{err}");
    let (_, err) = app
        .post(
            "/api/v1/counters/1/call-next",
            json!({ "finish_current": "yes" }),
        )
        .await;
    assert_eq!(err["message_vi"], "Dữ liệu gửi lên không đúng dạng.");
}

/// What the admin's changes could have touched.
async fn snapshot(app: &TestApp) -> Value {
    let (_, services) = app
        .call_as(Who::Kiosk, Method::GET, "/api/v1/services", None)
        .await;
    let (_, counters) = app.get("/api/v1/counters").await;
    let (_, users) = app.get("/api/v1/admin/users").await;
    let (_, devices) = app.get("/api/v1/admin/devices").await;
    json!([services, counters, users, devices])
}
