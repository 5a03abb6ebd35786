//! `/console`: the counter staff's page. The ticket in front of them, large,
//! with a running timer; every action as a button with its key; the
//! waiting list of their counter's services; what every counter is doing;
//! today's served count and mean service time. `/console/panel` is the
//! live part, redrawn whenever the event stream says something changed, so
//! a button that no longer applies is disabled.

use super::{Refusal, Viewer, duration_vi, layout};
use crate::db::reads;
use crate::error::Error;
use crate::http::queue::snapshot_of;
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use layso_protocol::{CounterState, CounterView, Role, ServiceView, TicketState, TicketView};
use maud::{Markup, html};

/// The whole console.
pub async fn page(State(state): State<AppState>, viewer: Result<Viewer, Refusal>) -> Response {
    match render(&state, viewer, true).await {
        Ok(markup) => markup.into_response(),
        Err(response) => response,
    }
}

/// Its live part.
pub async fn panel(State(state): State<AppState>, viewer: Result<Viewer, Refusal>) -> Response {
    match render(&state, viewer, false).await {
        Ok(markup) => markup.into_response(),
        Err(response) => response,
    }
}

async fn render(
    state: &AppState,
    viewer: Result<Viewer, Refusal>,
    whole: bool,
) -> Result<Markup, Response> {
    let viewer = viewer.map_err(IntoResponse::into_response)?;
    viewer
        .require(&[Role::Staff], "trang quầy")
        .map_err(IntoResponse::into_response)?;
    let Some(counter_id) = viewer.principal.counter() else {
        return Ok(layout(
            "Chọn quầy",
            Some(viewer.role),
            html! {
                main.narrow {
                    h1 { "Bạn chưa chọn quầy" }
                    p { "Hãy đăng xuất rồi đăng nhập lại và chọn quầy làm việc." }
                }
            },
        ));
    };
    let office = viewer.principal.office;
    let data = async {
        let snapshot = snapshot_of(state, office).await?;
        let office_view = reads::office(&state.db.read, office).await?;
        let services = reads::services(&state.db.read, &office_view, state.clock.now()).await?;
        let midnight = super::midnight(snapshot.business_date, &office_view.time_zone)?;
        let day = reads::counter_day(&state.db.read, counter_id, midnight).await?;
        let date = snapshot.business_date.to_string();
        let absent = reads::no_shows(&state.db.read, office, &date).await?;
        let counter = snapshot
            .counters
            .iter()
            .find(|c| c.id == counter_id)
            .cloned()
            .ok_or(Error::NotFound("counter"))?;
        let current = match counter.current_ticket {
            Some(id) => {
                let since = reads::changed_at(&state.db.read, id).await?;
                snapshot
                    .tickets
                    .iter()
                    .find(|t| t.id == id)
                    .cloned()
                    .map(|t| (t, since))
            }
            None => None,
        };
        Ok::<_, Error>((
            office_view,
            snapshot,
            services,
            counter,
            current,
            day,
            absent,
        ))
    };
    let (office_view, snapshot, services, counter, current, day, absent) =
        data.await.map_err(IntoResponse::into_response)?;
    let panel = Panel {
        counter: &counter,
        current: current.as_ref(),
        services: &services,
        tickets: &snapshot.tickets,
        absent: &absent,
        counters: &snapshot.counters,
        served: day.0,
        mean_secs: day.1,
    }
    .render();
    if !whole {
        return Ok(panel);
    }
    Ok(layout(
        &format!("Quầy {}", counter.number),
        Some(viewer.role),
        html! {
            main.console {
                p.muted { (office_view.name) }
                section #panel data-panel="/console/panel" { (panel) }
                p.keys.muted {
                    "Phím tắt: N gọi tiếp · R gọi lại · S bắt đầu · F hoàn thành · V vắng mặt · "
                    "T chuyển · G gọi số · P tạm dừng / tiếp tục"
                }
            }
        },
    ))
}

/// What the live part shows.
struct Panel<'a> {
    counter: &'a CounterView,
    current: Option<&'a (TicketView, chrono::DateTime<chrono::Utc>)>,
    services: &'a [ServiceView],
    tickets: &'a [TicketView],
    /// Today's no-shows of the office.
    absent: &'a [TicketView],
    counters: &'a [CounterView],
    served: u32,
    mean_secs: Option<i64>,
}

impl Panel<'_> {
    fn render(&self) -> Markup {
        let c = self.counter;
        let open = c.state == CounterState::Open;
        let base = format!("/api/v1/counters/{}", c.id.0);
        let serves: Vec<_> = c.services.iter().map(|s| s.service_id).collect();
        let waiting: Vec<&TicketView> = self
            .tickets
            .iter()
            .filter(|t| t.state == TicketState::Waiting && serves.contains(&t.service_id))
            .collect();
        let service_name = |id| {
            self.services
                .iter()
                .find(|s| s.id == id)
                .map_or("", |s| s.name.as_str())
        };
        let ticket = self.current.map(|(t, _)| t);
        let called = ticket.is_some_and(|t| t.state == TicketState::Called);
        let serving = ticket.is_some_and(|t| t.state == TicketState::Serving);
        let ticket_url = |step: &str| {
            ticket.map_or(String::new(), |t| {
                format!("{base}/tickets/{}/{step}", t.id.0)
            })
        };
        html! {
            div.counter-head {
                h1 { "Quầy " (c.number) " · " (c.name) }
                @match c.state {
                    CounterState::Open => span.badge.ok { "Đang mở" },
                    CounterState::Paused => span.badge.warn {
                        "Tạm dừng" @if let Some(r) = &c.pause_reason { ": " (r) }
                    },
                    CounterState::Closed => span.badge.off { "Đã đóng" },
                }
            }
            div.current #current data-state=(ticket.map_or("none", |t| t.state.as_str())) {
                @if let Some((t, since)) = self.current {
                    div.number #current-number { (t.number) }
                    div.what {
                        (t.service_name)
                        @if t.priority.is_priority() { " · " span.badge.warn { (t.priority.label_vi()) } }
                        @if t.recalls > 0 { " · đã gọi lại " (t.recalls) " lần" }
                    }
                    div.timer {
                        (if called { "Đã gọi " } else { "Đang phục vụ " })
                        span data-since=(since.timestamp_millis()) { "0:00" }
                    }
                } @else {
                    div.number.empty { "—" }
                    div.what { "Chưa có vé" }
                }
            }
            div.actions {
                (button("Gọi tiếp", 'n', &format!("{base}/call-next"), open && ticket.is_none() && !waiting.is_empty(), "primary"))
                (button("Gọi lại", 'r', &ticket_url("recall"), open && called, ""))
                (button("Bắt đầu", 's', &ticket_url("start"), called, ""))
                (button("Hoàn thành", 'f', &ticket_url("finish"), serving, "primary"))
                (button("Vắng mặt", 'v', &ticket_url("no-show"), called, ""))
                (dialog_button("Chuyển…", 't', "transfer", called || serving))
                (dialog_button("Gọi số…", 'g', "call", open && ticket.is_none() && !waiting.is_empty()))
                @if c.state == CounterState::Open {
                    (dialog_button("Tạm dừng…", 'p', "pause", true))
                } @else {
                    (button("Mở quầy", 'p', &format!("{base}/open"), true, ""))
                }
                (button("Đóng quầy", '\0', &format!("{base}/close"), c.state != CounterState::Closed && ticket.is_none(), "quiet"))
            }
            div.columns {
                section {
                    h2 { "Đang chờ (" (waiting.len()) ")" }
                    @if waiting.is_empty() {
                        p.muted { "Không có ai đang chờ." }
                    } @else {
                        table.list #waiting {
                            thead { tr { th { "Số" } th { "Lĩnh vực" } th { "Đã chờ" } } }
                            tbody {
                                @for t in &waiting {
                                    tr.priority[t.priority.is_priority()] {
                                        td.num { (t.number) @if t.priority.is_priority() { " ★" } }
                                        td { (service_name(t.service_id)) }
                                        td { span data-since=(t.issued_at.timestamp_millis()) {} }
                                    }
                                }
                            }
                        }
                    }
                    @let absent: Vec<&TicketView> = self.absent.iter().filter(|t| serves.contains(&t.service_id)).collect();
                    @if !absent.is_empty() {
                        h2 { "Vắng mặt hôm nay" }
                        table.list #absent {
                            tbody {
                                @for t in &absent {
                                    tr {
                                        td.num { (t.number) }
                                        td { (service_name(t.service_id)) }
                                        td {
                                            button type="button" data-post=(format!("{base}/tickets/{}/reactivate", t.id.0)) {
                                                "Cho vào lại hàng chờ"
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                section {
                    h2 { "Hôm nay tại quầy" }
                    p #stats {
                        "Đã phục vụ: " strong #served { (self.served) }
                        " · Trung bình: " strong { (self.mean_secs.map_or("—".to_owned(), duration_vi)) }
                    }
                    h2 { "Các quầy" }
                    table.list #counters {
                        tbody {
                            @for other in self.counters {
                                tr.mine[other.id == c.id] {
                                    td { "Quầy " (other.number) }
                                    td.num {
                                        (other.current_ticket
                                            .and_then(|id| self.tickets.iter().find(|t| t.id == id))
                                            .map_or("—", |t| t.number.as_str()))
                                    }
                                    td.muted { (state_vi(other.state)) }
                                }
                            }
                        }
                    }
                }
            }
            dialog #transfer {
                form method="dialog" data-url=(ticket_url("transfer")) {
                    h2 { "Chuyển vé " (ticket.map_or("", |t| t.number.as_str())) " sang lĩnh vực khác" }
                    label { "Lĩnh vực"
                        select name="service_id" data-number required {
                            @for s in self.services {
                                @if ticket.is_none_or(|t| t.service_id != s.id) {
                                    option value=(s.id.0) { (s.name) }
                                }
                            }
                        }
                    }
                    label.check { input type="checkbox" name="keep_place" checked; "Giữ thứ tự theo giờ lấy số" }
                    menu { button value="cancel" formnovalidate { "Huỷ" } button.primary value="ok" { "Chuyển" } }
                }
            }
            dialog #call {
                form method="dialog" data-url=(format!("{base}/call")) {
                    h2 { "Gọi một số cụ thể" }
                    label { "Số"
                        select name="ticket_id" data-number required {
                            @for t in &waiting {
                                option value=(t.id.0) { (t.number) " · " (service_name(t.service_id)) }
                            }
                        }
                    }
                    label { "Lý do (bắt buộc)"
                        input name="reason" required maxlength="200" placeholder="Ví dụ: người cao tuổi, hẹn trước";
                    }
                    menu { button value="cancel" formnovalidate { "Huỷ" } button.primary value="ok" { "Gọi" } }
                }
            }
            dialog #pause {
                form method="dialog" data-url=(format!("{base}/pause")) {
                    h2 { "Tạm dừng quầy" }
                    label { "Lý do"
                        input name="reason" required maxlength="200" placeholder="Ví dụ: nghỉ trưa";
                    }
                    menu { button value="cancel" formnovalidate { "Huỷ" } button.primary value="ok" { "Tạm dừng" } }
                }
            }
        }
    }
}

/// A button that posts to `url` (its key in brackets), disabled unless
/// `enabled`.
fn button(label: &str, key: char, url: &str, enabled: bool, class: &str) -> Markup {
    html! {
        button type="button" class=(class) data-post=(url) data-key=[(key != '\0').then(|| key.to_string())]
            disabled[!enabled] {
            (label) @if key != '\0' { " " kbd { (key.to_ascii_uppercase()) } }
        }
    }
}

/// A button that opens the dialog `id`.
fn dialog_button(label: &str, key: char, id: &str, enabled: bool) -> Markup {
    html! {
        button type="button" data-dialog=(id) data-key=(key) disabled[!enabled] {
            (label) " " kbd { (key.to_ascii_uppercase()) }
        }
    }
}

/// A counter's state in Vietnamese.
pub fn state_vi(state: CounterState) -> &'static str {
    match state {
        CounterState::Open => "Đang mở",
        CounterState::Paused => "Tạm dừng",
        CounterState::Closed => "Đã đóng",
    }
}
