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
