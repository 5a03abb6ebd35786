//! `/admin` (admins only): the office, its services (with a form to add
//! one), counters, users and devices (pair one, see its token once, revoke
//! it). The forms post to the admin API; each says in Vietnamese what is
//! wrong before anything is saved.

use super::{Refusal, Viewer, layout};
use crate::db::{accounts, reads};
use crate::error::Error;
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use layso_protocol::Role;
use maud::html;

/// The admin page.
pub async fn page(State(state): State<AppState>, viewer: Result<Viewer, Refusal>) -> Response {
    let viewer = match viewer.and_then(|v| v.require(&[Role::Admin], "trang quản trị").map(|()| v))
    {
        Ok(v) => v,
        Err(refusal) => return refusal.into_response(),
    };
    let office = viewer.principal.office;
    let data = async {
        let office_view = reads::office(&state.db.read, office).await?;
        let services = reads::services(&state.db.read, &office_view, state.clock.now()).await?;
        let counters = reads::counters(&state.db.read, office).await?;
        let users = accounts::users(&state.db.read, office).await?;
        let devices = accounts::devices(&state.db.read, office, None).await?;
        Ok::<_, Error>((office_view, services, counters, users, devices))
    };
    let (office_view, services, counters, users, devices) = match data.await {
        Ok(data) => data,
        Err(error) => return error.into_response(),
    };
    let service_name = |id| {
        services
            .iter()
            .find(|s| s.id == id)
            .map_or("?", |s| s.name.as_str())
    };
    layout(
        "Quản trị",
        Some(viewer.role),
        html! {
            main {
                h1 { "Quản trị · " (office_view.name) }
                section #office {
                    h2 { "Cơ quan" }
                    dl {
                        dt { "Tên" } dd { (office_view.name) }
                        dt { "Múi giờ" } dd { (office_view.time_zone) }
                        dt { "Chân vé" } dd { (office_view.ticket_footer) }
                        dt { "Câu gọi" } dd { (office_view.voice_phrase) }
                        dt { "Dòng thông báo" } dd { (office_view.notice) }
                    }
                }
                section #services {
                    h2 { "Lĩnh vực" }
                    table.list {
                        thead { tr { th { "Mã" } th { "Tên" } th { "Số" } th { "Tối đa/ngày" } th { "Giờ cấp số" } th { "Ưu tiên" } } }
                        tbody {
                            @for s in &services {
                                tr {
                                    td { (s.code) }
                                    td { (s.name) }
                                    td { (s.numbering.format(s.numbering.first())) "–" (s.numbering.format(s.numbering.last())) }
                                    td { (s.daily_cap.map_or("—".to_owned(), |c| c.to_string())) }
                                    td { (s.hours.describe_vi()) }
                                    td { (if s.accepts_priority { "Có" } else { "Không" }) }
                                }
                            }
                        }
                    }
                    details {
                        summary { "Thêm lĩnh vực" }
                        form #new-service data-url="/api/v1/admin/services" novalidate {
                            label { "Mã (chữ, số, - _)" input name="code" required maxlength="16" pattern="[A-Za-z0-9_-]+"; }
                            label { "Tên lĩnh vực" input name="name" required maxlength="100"; }
                            div.row {
                                label { "Chữ đầu số (tuỳ chọn, tối đa 2 chữ A–Z)" input name="prefix" maxlength="2" pattern="[A-Z]{0,2}"; }
                                label { "Số đầu" input name="first" type="number" min="1" max="99999" value="1" required; }
                                label { "Số cuối" input name="last" type="number" min="1" max="99999" value="999" required; }
                                label { "Tối đa mỗi ngày (để trống: không giới hạn)" input name="daily_cap" type="number" min="1"; }
                            }
                            label { "Giờ cấp số (ví dụ 07:30-11:15, 13:15-16:30)"
                                input name="hours" required value="07:30-11:15, 13:15-16:30" pattern="\\s*\\d\\d:\\d\\d\\s*-\\s*\\d\\d:\\d\\d\\s*(,\\s*\\d\\d:\\d\\d\\s*-\\s*\\d\\d:\\d\\d\\s*)*";
                            }
                            fieldset.days {
                                legend { "Ngày trong tuần" }
                                @for (d, name) in [(1, "T2"), (2, "T3"), (3, "T4"), (4, "T5"), (5, "T6"), (6, "T7"), (7, "CN")] {
                                    label.check { input type="checkbox" name="day" value=(d) checked[d <= 5]; (name) }
                                }
                            }
                            label.check { input type="checkbox" name="accepts_priority" checked; "Nhận vé ưu tiên" }
                            button.primary type="submit" { "Thêm lĩnh vực" }
                        }
                    }
                }
                section #counters {
                    h2 { "Quầy" }
                    table.list {
                        thead { tr { th { "Số" } th { "Tên" } th { "Lĩnh vực phục vụ (theo thứ tự)" } } }
                        tbody {
                            @for c in &counters {
                                tr {
                                    td { (c.number) }
                                    td { (c.name) }
                                    td { @for (i, s) in c.services.iter().enumerate() { @if i > 0 { ", " } (service_name(s.service_id)) } }
                                }
                            }
                        }
                    }
                }
                section #users {
                    h2 { "Người dùng" }
                    table.list {
                        thead { tr { th { "Tên đăng nhập" } th { "Họ tên" } th { "Vai trò" } } }
                        tbody {
                            @for u in &users {
                                tr { td { (u.username) } td { (u.full_name) } td { (role_vi(u.role)) } }
                            }
                        }
                    }
                }
                section #devices {
                    h2 { "Thiết bị" }
                    table.list {
                        thead { tr { th { "Tên" } th { "Loại" } th { "Trạng thái" } th {} } }
                        tbody {
                            @for d in &devices {
                                tr {
                                    td { (d.name) }
                                    td { (d.kind.as_str()) }
                                    td { @if d.revoked_at.is_some() { "Đã thu hồi" } @else { "Đang dùng" } }
                                    td {
                                        @if d.revoked_at.is_none() {
                                            button type="button" data-post=(format!("/api/v1/admin/devices/{}/revoke", d.id.0))
                                                data-confirm=(format!("Thu hồi thiết bị {}? Nó sẽ ngừng hoạt động ngay.", d.name)) { "Thu hồi" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
    .into_response()
}

fn role_vi(role: Role) -> &'static str {
    match role {
        Role::Admin => "Quản trị",
        Role::Manager => "Lãnh đạo / giám sát",
        Role::Staff => "Nhân viên quầy",
    }
}
