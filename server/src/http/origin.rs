//! Cross-site request forgery: a browser sends the session cookie with
//! any request to this server, even one a page of another site (or of
//! another port of the same host, which `SameSite` counts as the same
//! site) makes. So every request that can change something and
//! authenticates with the cookie, and every WebSocket handshake with it,
//! must come from one of our own pages: `Sec-Fetch-Site: same-origin`, or
//! an `Origin` that is this server's. A request with neither is refused
//! too (no browser of the last years sends a cross-origin POST without
//! them). Requests with `Authorization: Bearer` (kiosks, displays, scripts)
//! are not affected: no browser adds that header by itself. A sign-in from
//! another site is refused as well, so that no page can sign a browser in
//! to an account of its choosing.

use crate::auth;
use crate::error::Error;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Refuses a cookie request that may change something, or opens a stream,
/// unless it comes from this server's own pages.
pub async fn check(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let acts = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || headers.contains_key(header::UPGRADE);
    let by_cookie = auth::token_source(headers) == Some(auth::TokenSource::Cookie);
    let signing_in = request.uri().path() == "/api/v1/auth/login";
    let must_check = acts && (by_cookie || signing_in);
    // A sign-in without a browser's headers is a script's: let it be.
    let browser = headers.contains_key(header::ORIGIN) || headers.contains_key("sec-fetch-site");
    if must_check && (by_cookie || browser) && !same_origin(headers, state.public_url.as_deref()) {
        let from = headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("none");
        tracing::warn!(origin = %truncated(from), path = %request.uri().path(), "refused a cross-origin request");
        return Error::CrossOrigin.into_response();
    }
    next.run(request).await
}

/// Whether the browser says the request comes from a page of this server.
fn same_origin(headers: &HeaderMap, public_url: Option<&str>) -> bool {
    let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = value("sec-fetch-site") {
        // "none": the person typed the address or used a bookmark.
        return site == "same-origin" || site == "none";
    }
    let Some(origin) = value(header::ORIGIN.as_str()) else {
        return false;
    };
    if public_url.is_some_and(|url| url.eq_ignore_ascii_case(origin)) {
        return true;
    }
    let (Some(host), Some(authority)) = (value(header::HOST.as_str()), authority(origin)) else {
        return false;
    };
    authority.eq_ignore_ascii_case(host)
        || without_default_port(authority).eq_ignore_ascii_case(without_default_port(host))
}

/// `host[:port]` of an origin such as `http://10.0.0.2:8080`.
fn authority(origin: &str) -> Option<&str> {
    let rest = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))?;
    (!rest.is_empty() && !rest.contains('/')).then_some(rest)
}

/// `host` of `host:80` or `host:443`, anything else as it is.
fn without_default_port(authority: &str) -> &str {
    authority
        .strip_suffix(":80")
        .or_else(|| authority.strip_suffix(":443"))
        .unwrap_or(authority)
}

/// At most 100 bytes of a header for the log.
fn truncated(text: &str) -> &str {
    let mut end = text.len().min(100);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().expect("a valid header value"));
        }
        map
    }

    // Our own pages pass; another port, another host, or no word at all
    // does not.
    #[test]
    fn what_counts_as_our_own_page() {
        let host = ("host", "10.0.0.2:8080");
        assert!(same_origin(
            &headers(&[host, ("origin", "http://10.0.0.2:8080")]),
            None
        ));
        assert!(same_origin(
            &headers(&[host, ("sec-fetch-site", "same-origin")]),
            None
        ));
        assert!(!same_origin(
            &headers(&[host, ("origin", "http://10.0.0.2:9999")]),
            None
        ));
        assert!(!same_origin(
            &headers(&[host, ("origin", "http://evil.example")]),
            None
        ));
        assert!(!same_origin(
            &headers(&[host, ("sec-fetch-site", "same-site")]),
            None
        ));
        assert!(!same_origin(&headers(&[host, ("origin", "null")]), None));
        assert!(!same_origin(&headers(&[host]), None));
        let proxied = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "https://layso.example.vn"),
        ]);
        assert!(same_origin(&proxied, Some("https://layso.example.vn")));
        assert!(same_origin(
            &headers(&[("host", "layso.vn"), ("origin", "http://layso.vn:80")]),
            None
        ));
    }
}
