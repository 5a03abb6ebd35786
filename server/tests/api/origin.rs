//! What keeps a browser's session to our own pages: requests with the
//! session cookie act only when they come from the server's own pages
//! (bearer tokens are not affected); every answer forbids framing and
//! sniffing and carries the pages' Content-Security-Policy; the cookie is
//! `Secure` when browsers come over https.

use crate::common::*;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;

/// A cookie request from a browser, with extra `headers`.
fn cookie_request(
    method: Method,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Request<Body> {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "127.0.0.1:8080")
        .header("cookie", format!("layso_token={token}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

// A page of another port (same site, so the cookie goes along), a form post
// with no Origin at all, and a "same-site" fetch cannot cancel a waiting
// ticket with the clerk's cookie; the console's own request can.
#[tokio::test]
async fn cookie_requests_from_other_sites_change_nothing() {
    let app = TestApp::new().await;
    let ticket = app.issue(HO_TICH).await;
    let token = app.token(&Who::Staff(1)).await.unwrap();
    let path = format!("/api/v1/counters/1/tickets/{}/cancel", ticket["id"]);
    let forged: [&[(&str, &str)]; 3] = [
        &[
            ("origin", "http://127.0.0.1:9999"),
            ("content-type", "text/plain"),
        ],
        &[("content-type", "application/x-www-form-urlencoded")],
        &[
            ("sec-fetch-site", "same-site"),
            ("origin", "http://127.0.0.1:9999"),
        ],
    ];
    for headers in forged {
        let (status, err) = app
            .send(cookie_request(Method::POST, &path, &token, headers, ""))
            .await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("cross_origin")),
            "{headers:?}"
        );
    }
    let (_, view) = app.get(&format!("/api/v1/tickets/{}", ticket["id"])).await;
    assert_eq!(view["state"], "waiting", "nothing changed");

    let own = [
        ("origin", "http://127.0.0.1:8080"),
        ("content-type", "application/json"),
    ];
    let (status, view) = app
        .send(cookie_request(Method::POST, &path, &token, &own, "{}"))
        .await;
    assert_eq!(
        (status, view["state"].as_str()),
        (StatusCode::OK, Some("cancelled")),
        "{view}"
    );
}

// A program with a bearer token sends no Origin and is not refused; a
// sign-in posted by another site's page is.
#[tokio::test]
async fn bearer_requests_and_scripts_are_not_affected() {
    let app = TestApp::new().await;
    app.issue(HO_TICH).await;
    assert!(app.call_next(1).await.is_some());
    let password = app.credentials.users["thu"].password.clone();
    let body = json!({ "username": "thu", "password": password }).to_string();
    let login = |headers: &[(&str, &str)]| {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/auth/login")
            .header("host", "127.0.0.1:8080")
            .header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(Body::from(body.clone())).unwrap()
    };
    let (status, err) = app.send(login(&[("origin", "http://evil.example")])).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("cross_origin"))
    );
    assert_eq!(app.send(login(&[])).await.0, StatusCode::OK, "curl");
    let (status, _) = app.send(login(&[("sec-fetch-site", "same-origin")])).await;
    assert_eq!(status, StatusCode::OK, "the login page");
}

// The live stream opened with the cookie from another site's page is
// refused at the handshake; from our own page it opens.
#[tokio::test]
async fn the_stream_checks_the_origin_of_cookie_handshakes() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let app = TestApp::new().await;
    let base = app.serve().await;
    let token = app.token(&Who::Manager).await.unwrap();
    let host = base.trim_start_matches("http://").to_owned();
    let open = |origin: String| {
        let mut request = format!("ws://{host}/api/v1/events")
            .into_client_request()
            .unwrap();
        let headers = request.headers_mut();
        headers.insert("cookie", format!("layso_token={token}").parse().unwrap());
        headers.insert("origin", origin.parse().unwrap());
        tokio_tungstenite::connect_async(request)
    };
    match open("http://127.0.0.1:9".into()).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
        }
        other => panic!("a foreign page opened the stream: {:?}", other.map(|_| ())),
    }
    let (mut ws, _) = open(base.clone()).await.expect("our own page");
    use futures_util::StreamExt;
    let hello = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
        .await
        .expect("a frame within 5 s")
        .expect("a frame")
        .expect("no error");
    let hello: Value = serde_json::from_str(hello.to_text().unwrap()).unwrap();
    assert_eq!(hello["type"], "hello");
}

// Every page and API answer carries the headers that keep it out of other
// sites' frames and stop content sniffing; the policy admits only our own
// script.
#[tokio::test]
async fn answers_carry_the_security_headers() {
    let app = TestApp::new().await;
    for path in [
        "/login",
        "/t/0123456789abcdef0123456789abcdef",
        "/api/v1/queue",
        "/nowhere",
    ] {
        let request = Request::builder().uri(path).body(Body::empty()).unwrap();
        let response = layso_server::http::app(app.state.clone())
            .oneshot(request)
            .await
            .unwrap();
        let headers = response.headers();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        let policy = header("content-security-policy");
        assert!(
            policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'self'"),
            "{path}: {policy}"
        );
    }
}

/// The Set-Cookie of a sign-in as `thu` with `headers`.
async fn session_cookie(app: &TestApp, headers: &[(&str, &str)]) -> String {
    let password = app.credentials.users["thu"].password.clone();
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let body = json!({ "username": "thu", "password": password }).to_string();
    let response = layso_server::http::app(app.state.clone())
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned()
}

// The cookie is Secure when the browser comes over https: the public
// address says so, or the proxy in front does; over plain http it is not
// (the browser would drop it).
#[tokio::test]
async fn the_cookie_is_secure_over_https() {
    let plain = TestApp::new().await;
    let cookie = session_cookie(&plain, &[]).await;
    assert!(
        cookie.contains("HttpOnly") && !cookie.contains("Secure"),
        "{cookie}"
    );
    let proxied = session_cookie(&plain, &[("x-forwarded-proto", "https")]).await;
    assert!(proxied.ends_with("; Secure"), "{proxied}");
    let public =
        TestApp::with_config(|c| c.public_url = Some("https://layso.example.vn".into())).await;
    let cookie = session_cookie(&public, &[]).await;
    assert!(cookie.ends_with("; Secure"), "{cookie}");
}
