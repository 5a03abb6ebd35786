//! `/province` (province admins): every office of the server with its day
//! so far, a form to add an office, and one per office to add its people
//! (its first admin above all). The forms send JSON to the province API.

use super::admin::new_user_fields;
use super::{Refusal, Viewer, layout};
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use layso_protocol::Role;
use maud::html;

/// The province page.
pub async fn page(State(state): State<AppState>, viewer: Result<Viewer, Refusal>) -> Response {
    let viewer = match viewer.and_then(|v| {
        v.require(&[Role::ProvinceAdmin], "trang quản trị cấp tỉnh")
            .map(|()| v)
    }) {
        Ok(v) => v,
        Err(refusal) => return refusal.into_response(),
    };
    let offices = match state.db.summaries(state.clock.now()).await {
        Ok(offices) => offices,
        Err(error) => return error.into_response(),
    };
    layout(
        "Quản trị cấp tỉnh",
        Some(viewer.role),
        html! {
            main {
                h1 { "Các cơ quan" }
                section #offices {
                    table.list {
                        thead { tr {
                            th { "Mã" } th { "Cơ quan" } th { "Đang chờ" } th { "Đã cấp hôm nay" }
                            th { "Quầy mở" } th {}
                        } }
                        tbody {
                            @for o in &offices {
                                tr {
                                    td { (o.office.code) }
                                    td { (o.office.name) @if !o.office.address.is_empty() { br; span.muted { (o.office.address) } } }
                                    td.num { (o.waiting) }
                                    td.num { (o.issued_today) }
                                    td.num { (o.counters_open) " / " (o.counters) }
                                    td { button type="button" data-dialog=(format!("people-{}", o.office.id.0)) { "Thêm người dùng…" } }
                                }
                            }
                        }
                    }
                    @for o in &offices {
                        dialog id=(format!("people-{}", o.office.id.0)) {
                            form.api data-url=(format!("/api/v1/province/offices/{}/users", o.office.id.0))
                                data-done=(format!("Đã thêm người dùng cho {}.", o.office.name)) novalidate {
                                h2 { "Người dùng mới · " (o.office.name) }
                                (new_user_fields(Role::Admin))
                                menu {
                                    button type="button" data-close { "Huỷ" }
                                    button.primary type="submit" { "Thêm người dùng" }
                                }
                            }
                        }
                    }
                }
                section #new-office {
                    h2 { "Thêm cơ quan" }
                    form.api #office-new data-url="/api/v1/province/offices" data-done="Đã thêm cơ quan." novalidate {
                        div.row2 {
                            label { "Mã (a–z, 0–9, -)"
                                input name="code" required pattern="[a-z0-9\\-]{2,32}"
                                    data-invalid="Mã cơ quan: 2–32 ký tự a–z, 0–9, -"; }
                            label { "Tên cơ quan" input name="name" required maxlength="120" data-invalid="Tên cơ quan: 1–120 ký tự."; }
                        }
                        div.row2 {
                            label { "Địa chỉ" input name="address" maxlength="200"; }
                            label { "Múi giờ" input name="time_zone" required value="Asia/Ho_Chi_Minh"; }
                        }
                        button.primary type="submit" { "Thêm cơ quan" }
                    }
                }
            }
        },
    )
    .into_response()
}
