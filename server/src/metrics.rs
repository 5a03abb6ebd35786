//! `GET /metrics` in Prometheus' text format: tickets issued and calls
//! (counted by the routes that make them), tickets waiting per service
//! (read at scrape time), open event streams, and request latency per
//! route (recorded by [`track`], a layer over every route).

use crate::calendar;
use crate::error::Result;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// What the server counts as it runs.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Tickets issued since start.
    pub issued: AtomicU64,
    /// First calls of tickets since start.
    pub calls: AtomicU64,
    /// Recalls since start.
    pub recalls: AtomicU64,
    /// Route → method → latencies.
    requests: Mutex<BTreeMap<String, BTreeMap<String, Histogram>>>,
}

/// Request latencies of one route and method.
#[derive(Debug, Default)]
struct Histogram {
    /// Requests at or under each bound of [`BUCKETS`] (not cumulative).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Metrics {
    /// Counts one request; allocates only for a route and method not seen
    /// before.
    fn observe(&self, method: &str, route: &str, seconds: f64) {
        let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        if !requests.contains_key(route) {
            requests.insert(route.to_owned(), BTreeMap::new());
        }
        let methods = requests.get_mut(route).expect("just inserted");
        if !methods.contains_key(method) {
            methods.insert(method.to_owned(), Histogram::default());
        }
        let histogram = methods.get_mut(method).expect("just inserted");
        if let Some(i) = BUCKETS.iter().position(|&b| seconds <= b) {
            histogram.buckets[i] += 1;
        }
        histogram.count += 1;
        histogram.sum += seconds;
    }
}

/// Times every request that matched a route (unmatched ones all count as
/// `unmatched`, so that scanners cannot grow the label set).
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    // Both clones are cheap: a shared string and a small enum.
    let route = request.extensions().get::<MatchedPath>().cloned();
    let method = request.method().clone();
    let started = Instant::now();
    let response = next.run(request).await;
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    metrics.observe(method.as_str(), route, started.elapsed().as_secs_f64());
    response
}

/// The text exposition of `m`, with the tickets waiting now as `read`
/// says at `now`, and the open event streams.
pub async fn render(
    m: &Metrics,
    db: &crate::db::Db,
    now: DateTime<Utc>,
    subscribers: usize,
) -> Result<String> {
    let mut out = String::new();
    let mut counter = |name: &str, help: &str, value: u64| {
        let _ = write!(
            out,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
        );
    };
    counter(
        "layso_tickets_issued_total",
        "Tickets issued since the server started.",
        m.issued.load(Ordering::Relaxed),
    );
    counter(
        "layso_calls_total",
        "Tickets called to a counter (first calls) since the server started.",
        m.calls.load(Ordering::Relaxed),
    );
    counter(
        "layso_recalls_total",
        "Tickets called again since the server started.",
        m.recalls.load(Ordering::Relaxed),
    );

    out.push_str(
        "# HELP layso_waiting_tickets Tickets waiting now, per service (the office's today).\n",
    );
    out.push_str("# TYPE layso_waiting_tickets gauge\n");
    for office in db.offices().await? {
        let date = calendar::local(now, calendar::zone(&office.time_zone)?).date;
        for line in db.lines(office.id, &date.to_string()).await? {
            let _ = writeln!(
                out,
                "layso_waiting_tickets{{office=\"{}\",service=\"{}\"}} {}",
                label(&office.code),
                label(&line.code),
                line.view.waiting
            );
        }
    }

    out.push_str("# HELP layso_event_subscribers Open live event streams.\n");
    out.push_str("# TYPE layso_event_subscribers gauge\n");
    let _ = writeln!(out, "layso_event_subscribers {}", subscribers);

    out.push_str(
        "# HELP layso_http_request_duration_seconds Time to answer a request, per route.\n",
    );
    out.push_str("# TYPE layso_http_request_duration_seconds histogram\n");
    let requests = m.requests.lock().unwrap_or_else(|e| e.into_inner());
    let histograms = requests
        .iter()
        .flat_map(|(route, methods)| methods.iter().map(move |(method, h)| (route, method, h)));
    for (route, method, h) in histograms {
        let labels = format!("route=\"{}\",method=\"{}\"", label(route), label(method));
        let mut cumulative = 0;
        for (bound, n) in BUCKETS.iter().zip(h.buckets) {
            cumulative += n;
            let _ = writeln!(
                out,
                "layso_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "layso_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
            h.count
        );
        let _ = writeln!(
            out,
            "layso_http_request_duration_seconds_sum{{{labels}}} {}",
            h.sum
        );
        let _ = writeln!(
            out,
            "layso_http_request_duration_seconds_count{{{labels}}} {}",
            h.count
        );
    }
    Ok(out)
}

/// A label value with `\`, `"` and newlines escaped.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
