//! `/monitor` (managers and admins): every counter's state and ticket, the
//! waiting count and longest wait of each service, the devices (online or
//! not, the kiosks' printers) and today's tickets that were issued but not
//! printed. `/monitor/panel` is the live part.

use super::console::state_vi;
use super::{Refusal, Viewer, duration_vi, layout};
use crate::error::Error;
use crate::http::queue::snapshot_of;
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use layso_protocol::{DeviceKind, PrinterState, Role, TicketState};
use maud::html;

/// The whole monitor.
pub async fn page(State(state): State<AppState>, viewer: Result<Viewer, Refusal>) -> Response {
    render(&state, viewer, true).await.unwrap_or_else(|r| r)
}

/// Its live part.
pub async fn panel(State(state): State<AppState>, viewer: Result<Viewer, Refusal>) -> Response {
    render(&state, viewer, false).await.unwrap_or_else(|r| r)
}

async fn render(
    state: &AppState,
    viewer: Result<Viewer, Refusal>,
    whole: bool,
) -> Result<Response, Response> {
    let viewer = viewer.map_err(IntoResponse::into_response)?;
    viewer
        .require(&[Role::Manager, Role::Admin], "trang giám sát")
        .map_err(IntoResponse::into_response)?;
    let office = viewer.principal.office;
    let now = state.clock.now();
    let data = async {
        let snapshot = snapshot_of(state, office).await?;
        let office_view = state.db.office(office).await?;
        let services = state.db.services(&office_view, now).await?;
        let devices = state.db.devices(office, None).await?;
        let users = state.db.users(office).await?;
        let since = super::midnight(snapshot.business_date, &office_view.time_zone)?;
        let lost = state.db.not_printed(office, since).await?;
        let zone = crate::calendar::zone(&office_view.time_zone)?;
        Ok::<_, Error>((office_view, snapshot, services, devices, users, lost, zone))
    };
    let (office_view, snapshot, services, devices, users, lost, zone) =
        data.await.map_err(IntoResponse::into_response)?;
    let number_of = |id| {
        snapshot
            .tickets
            .iter()
            .find(|t| t.id == id)
            .map_or("—", |t| t.number.as_str())
    };
    // The counters' table is the widest: it has the page's whole width,
    // the services and the devices share the row below.
    let panel = html! {
        section {
                h2 { "Quầy" }
                table.list #monitor-counters {
                    thead { tr { th { "Quầy" } th { "Trạng thái" } th { "Vé hiện tại" } th { "Nhân viên" } } }
                    tbody {
                        @for c in &snapshot.counters {
                            tr {
                                td { "Quầy " (c.number) " · " (c.name) }
                                td {
                                    (state_vi(c.state))
                                    @if let Some(r) = &c.pause_reason { ": " (r) }
                                }
                                td.num { (c.current_ticket.map_or("—", number_of)) }
                                td {
                                    (c.staff_user_id
                                        .and_then(|id| users.iter().find(|u| u.id == id))
                                        .map_or("—", |u| u.full_name.as_str()))
                                }
                            }
                        }
                    }
                }
        }
        div.columns {
            section {
                h2 { "Lĩnh vực" }
                table.list #monitor-services {
                    thead { tr { th { "Lĩnh vực" } th { "Đang chờ" } th { "Ưu tiên" } th { "Chờ lâu nhất" } } }
                    tbody {
                        @for s in &services {
                            @let waiting = snapshot.tickets.iter()
                                .filter(|t| t.service_id == s.id && t.state == TicketState::Waiting);
                            @let longest = waiting.clone().map(|t| t.issued_at).min();
                            tr {
                                td { (s.name) }
                                td.num { (waiting.clone().count()) }
                                td.num { (waiting.filter(|t| t.priority.is_priority()).count()) }
                                td {
                                    (longest.map_or("—".to_owned(), |at| duration_vi((now - at).num_seconds())))
                                }
                            }
                        }
                    }
                }
            }
            section {
                h2 { "Thiết bị" }
                table.list #monitor-devices {
                    thead { tr { th { "Thiết bị" } th { "Kết nối" } th { "Máy in" } } }
                    tbody {
                        @for d in devices.iter().filter(|d| d.revoked_at.is_none()) {
                            @let online = state.presence.online(d.id, now);
                            tr {
                                td { (d.name) " " span.muted { "(" (kind_vi(d.kind)) ")" } }
                                td { @if online { span.badge.ok { "Trực tuyến" } } @else { span.badge.off { "Mất kết nối" } } }
                                td {
                                    @match (d.kind, d.printer) {
                                        (DeviceKind::Kiosk, Some(p)) => span.badge.(printer_class(p)) { (printer_vi(p)) },
                                        (DeviceKind::Kiosk, None) => span.muted { "Chưa báo" },
                                        _ => span.muted { "—" },
                                    }
                                }
                            }
                        }
                    }
                }
                h2 { "Vé đã cấp nhưng chưa in được (hôm nay)" }
                @if lost.is_empty() {
                    p.muted #not-printed { "Không có." }
                } @else {
                    table.list #not-printed {
                        tbody {
                            @for (number, reason, at) in &lost {
                                // In the office's time, as the ticket printed it.
                                tr { td.num { (number) } td { (reason) } td.muted { (at.with_timezone(&zone).format("%H:%M")) } }
                            }
                        }
                    }
                }
            }
        }
    };
    if !whole {
        return Ok(panel.into_response());
    }
    Ok(layout(
        "Giám sát",
        Some(viewer.role),
        html! {
            main {
                h1 { "Giám sát · " (office_view.name) }
                section #panel data-panel="/monitor/panel" data-every="20" { (panel) }
            }
        },
    )
    .into_response())
}

fn kind_vi(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Kiosk => "máy lấy số",
        DeviceKind::Display => "màn hình",
        DeviceKind::Rating => "máy đánh giá",
    }
}

fn printer_vi(state: PrinterState) -> &'static str {
    match state {
        PrinterState::Ready => "Sẵn sàng",
        PrinterState::PaperNearEnd => "Sắp hết giấy",
        PrinterState::PaperOut => "Hết giấy",
        PrinterState::CoverOpen => "Nắp đang mở",
        PrinterState::Error => "Lỗi",
        PrinterState::NoAnswer => "Không phản hồi",
    }
}

fn printer_class(state: PrinterState) -> &'static str {
    match state {
        PrinterState::Ready => "ok",
        PrinterState::PaperNearEnd => "warn",
        _ => "bad",
    }
}
