//! What the server says about itself: its OpenAPI document and its
//! Prometheus metrics.

use crate::common::*;

// The document describes every route of the role table, with its method,
// and every guarded one answers 401 and 403 in it.
#[tokio::test]
async fn the_openapi_document_covers_every_route() {
    let app = TestApp::new().await;
    let (status, doc) = app.get("/api/v1/openapi.json").await;
    assert_eq!(status, axum::http::StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut missing = Vec::new();
    for (method, path, allowed) in crate::access::table() {
        // The table's paths have ids where the document has {names}.
        let templated = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(p, _)| same_route(p, path));
        let Some((_, item)) = templated else {
            missing.push(format!("{method} {path}"));
            continue;
        };
        let op = &item[method.as_str().to_lowercase()];
        if op.is_null() {
            missing.push(format!("{method} {path}"));
            continue;
        }
        let guarded = !allowed.contains(&"nobody");
        assert_eq!(
            !op["security"].is_null(),
            guarded,
            "{method} {path} security"
        );
        if guarded {
            assert!(op["responses"]["401"].is_object(), "{method} {path} 401");
            assert!(op["responses"]["403"].is_object(), "{method} {path} 403");
        }
    }
    assert!(missing.is_empty(), "not in the document: {missing:?}");
    for schema in [
        "TicketView",
        "ApiError",
        "ErrorCode",
        "ServerMessage",
        "QueueSnapshot",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

/// Whether a documented path like `/api/v1/counters/{id}/open` is the
/// route of a concrete path like `/api/v1/counters/1/open`.
fn same_route(documented: &str, concrete: &str) -> bool {
    let (d, c): (Vec<&str>, Vec<&str>) = (
        documented.split('/').collect(),
        concrete.split('/').collect(),
    );
    d.len() == c.len() && d.iter().zip(&c).all(|(d, c)| d == c || d.starts_with('{'))
}

// The counters move with what happens, waiting tickets are counted per
// service, open streams are counted, and requests are timed per route.
#[tokio::test]
async fn metrics_follow_the_hall() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let mut stream = app.events(&base, "").await;
    stream.next().await; // hello
    app.issue(HO_TICH).await;
    app.issue(HO_TICH).await;
    app.issue(DAT_DAI).await;
    app.call_next(1).await.unwrap();
    stream.event().await;
    stream.event().await;
    stream.event().await;
    stream.event().await; // the call: the pump has counted everything
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "layso_tickets_issued_total 3",
        "layso_calls_total 1",
        "layso_recalls_total 0",
        "layso_waiting_tickets{office=\"demo\",service=\"HT\"} 1",
        "layso_waiting_tickets{office=\"demo\",service=\"DD\"} 1",
        "layso_waiting_tickets{office=\"demo\",service=\"CT\"} 0",
        "layso_event_subscribers 1",
        "layso_http_request_duration_seconds_count{route=\"/api/v1/tickets\",method=\"POST\"} 3",
        "# TYPE layso_http_request_duration_seconds histogram",
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in\n{text}");
    }
    let bucket = text
        .lines()
        .find(|l| l.starts_with("layso_http_request_duration_seconds_bucket{route=\"/api/v1/tickets\",method=\"POST\",le=\"+Inf\"}"))
        .unwrap();
    assert!(bucket.ends_with(" 3"), "{bucket}");
}

// Every error answer is the API's JSON shape with a stable code: a method a
// route does not take, a body too large for a route without one, the
// stream asked for without a handshake, a path that is not a route.
#[tokio::test]
async fn every_error_is_json() {
    use axum::http::{Method, StatusCode};
    let app = TestApp::new().await;
    let (status, err) = app.call(Method::DELETE, "/api/v1/queue", None).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
    );
    let huge = serde_json::json!({ "reason": "x".repeat(100_000) });
    for path in [
        "/api/v1/counters/1/call-next",
        "/api/v1/counters/1/tickets/1/cancel",
    ] {
        let (status, err) = app.post(path, huge.clone()).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")),
            "{path}"
        );
    }
    let (status, err) = app.get("/api/v1/events").await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::UPGRADE_REQUIRED, Some("upgrade_required"))
    );
    let (status, err) = app.get("/api/v1/nowhere").await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, err) = app
        .call_as(
            Who::Staff(1),
            Method::POST,
            "/api/v1/counters/abc/open",
            None,
        )
        .await;
    assert!(
        status.is_client_error() && err["code"].is_string(),
        "{status} {err}"
    );
}

// A device's /auth/me names its kind once (the device's own), and the
// document says the limits the server enforces on reasons, keys and names,
// and that every route with a body may answer 413 and 422.
#[tokio::test]
async fn the_document_says_what_the_server_enforces() {
    use axum::http::Method;
    let app = TestApp::new().await;
    let (_, me) = app
        .call_as(Who::Kiosk, Method::GET, "/api/v1/auth/me", None)
        .await;
    assert_eq!(me["kind"], "device");
    assert_eq!(me["device"]["kind"], "kiosk");
    let (_, doc) = app.get("/api/v1/openapi.json").await;
    let schemas = &doc["components"]["schemas"];
    let key = &schemas["IssueRequest"]["properties"]["idempotency_key"];
    assert_eq!(
        (key["minLength"].as_u64(), key["maxLength"].as_u64()),
        (Some(8), Some(64))
    );
    let reason = &schemas["PauseRequest"]["properties"]["reason"];
    assert_eq!(reason["maxLength"], 200);
    let pattern = reason["pattern"].as_str().unwrap();
    assert!(pattern.contains("\\u0000-\\u001f"), "{pattern}");
    assert_eq!(
        schemas["OfficeRequest"]["properties"]["name"]["maxLength"],
        120
    );
    assert_eq!(
        schemas["NewDeviceRequest"]["then"]["required"][0],
        "counter_id"
    );
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op["requestBody"].is_object() {
                assert!(op["responses"]["413"].is_object(), "{method} {path} 413");
                assert!(op["responses"]["422"].is_object(), "{method} {path} 422");
            }
        }
    }
}
