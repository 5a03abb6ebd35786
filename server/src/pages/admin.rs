//! `/admin` (admins only): the office's details, its services (add one),
//! counters (add one; name, services in order or with weights), users (add, edit,
//! disable, new password) and devices (pair one and see its token once,
//! revoke). The forms send JSON to the admin API; each says in Vietnamese
//! what is wrong before anything is sent, and shows the server's reason if
//! it refuses.

use super::{Refusal, Viewer, layout};
use crate::error::Error;
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use layso_protocol::{CounterView, Role, ServiceView};
use maud::{Markup, html};

/// A counter's form: `counter`'s to change it, or (none) a new one with
/// the free `number` offered.
fn counter_form(counter: Option<&CounterView>, services: &[ServiceView], number: u32) -> Markup {
    let selection = counter.map_or("oldest", |c| c.selection.as_str());
    let (url, method, done) = match counter {
        Some(c) => (
            format!("/api/v1/admin/counters/{}", c.id.0),
            "PUT",
            format!("Đã lưu quầy {number}."),
        ),
        None => (
            "/api/v1/admin/counters".to_owned(),
            "POST",
            "Đã thêm quầy.".to_owned(),
        ),
    };
    html! {
        form.api.counter id=(counter.map_or("counter-new".to_owned(), |c| format!("counter-{}", c.number)))
            data-url=(url) data-method=(method) data-done=(done) novalidate {
            @if counter.is_none() {
                label { "Số quầy"
                    input name="number" type="number" required min="1" max="999" value=(number)
                        data-invalid="Số quầy: từ 1 đến 999.";
                }
            }
            label { "Tên quầy"
                input name="name" required maxlength="80" value=(counter.map_or("", |c| c.name.as_str()))
                    data-invalid="Tên quầy: 1–80 ký tự.";
            }
            label { "Cách chọn vé"
                select name="selection" {
                    option value="oldest" selected[selection == "oldest"] { "Vé lấy sớm nhất" }
                    option value="order" selected[selection == "order"] { "Theo thứ tự lĩnh vực" }
                    option value="weighted" selected[selection == "weighted"] { "Theo tỉ lệ (trọng số)" }
                }
            }
            table.list {
                thead { tr { th { "Phục vụ" } th { "Thứ tự" } th { "Trọng số" } } }
                tbody {
                    @for s in services {
                        @let served = counter.and_then(|c| c.services.iter().find(|x| x.service_id == s.id));
                        tr {
                            td { label.check { input type="checkbox" name="service" value=(s.id.0) checked[served.is_some()]; (s.name) } }
                            td { input type="number" name=(format!("order-{}", s.id.0)) min="1" max="99"
                                    value=(served.map_or(99, |x| x.position + 1)); }
                            td { input type="number" name=(format!("weight-{}", s.id.0)) min="1" max="100"
                                    value=(served.map_or(1, |x| x.weight)) data-invalid="Trọng số: 1–100."; }
                        }
                    }
                }
            }
            button.primary type="submit" {
                @if counter.is_some() { "Lưu quầy " (number) } @else { "Thêm quầy" }
            }
        }
    }
}

/// The admin page.
pub async fn page(State(state): State<AppState>, viewer: Result<Viewer, Refusal>) -> Response {
    let viewer = match viewer.and_then(|v| v.require(&[Role::Admin], "trang quản trị").map(|()| v))
    {
        Ok(v) => v,
        Err(refusal) => return refusal.into_response(),
    };
    let office = viewer.principal.office;
    let data = async {
        let office_view = state.db.office(office).await?;
        let services = state.db.services(&office_view, state.clock.now()).await?;
        let counters = state.db.counters(office).await?;
        let users = state.db.users(office).await?;
        let devices = state.db.devices(office, None).await?;
        Ok::<_, Error>((office_view, services, counters, users, devices))
    };
    let (office_view, services, counters, users, devices) = match data.await {
        Ok(data) => data,
        Err(error) => return error.into_response(),
    };
    layout(
        "Quản trị",
        Some(viewer.role),
        html! {
            main {
                h1 { "Quản trị · " (office_view.name) }
                section #office {
                    h2 { "Cơ quan" }
                    form.api #office-form data-url="/api/v1/admin/office" data-method="PUT"
                        data-done="Đã lưu thông tin cơ quan." novalidate {
                        label { "Tên cơ quan"
                            input name="name" required maxlength="120" value=(office_view.name)
                                data-invalid="Tên cơ quan: 1–120 ký tự.";
                        }
                        label { "Địa chỉ" input name="address" maxlength="200" value=(office_view.address); }
                        div.row2 {
                            label { "Dòng đầu vé" input name="ticket_header" maxlength="100" value=(office_view.ticket_header); }
                            label { "Dòng cuối vé" input name="ticket_footer" maxlength="200" value=(office_view.ticket_footer); }
                        }
                        label { "Câu gọi trên loa ({số}: số vé, {quầy}: số quầy)"
                            input name="voice_phrase" required maxlength="200" value=(office_view.voice_phrase)
                                data-contains="{số}|{quầy}"
                                data-invalid="Câu gọi phải có {số} và {quầy}.";
                        }
                        label { "Dòng thông báo chạy trên màn hình" input name="notice" maxlength="300" value=(office_view.notice); }
                        p.muted { "Múi giờ: " (office_view.time_zone) }
                        button.primary type="submit" { "Lưu thông tin cơ quan" }
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
                    @for svc in &services {
                        details {
                            summary { "Sửa: " (svc.name) }
                            (service_form(&format!("service-{}", svc.code), &format!("/api/v1/admin/services/{}", svc.id.0), "PUT", Some(svc)))
                        }
                    }
                    details {
                        summary { "Thêm lĩnh vực" }
                        (service_form("new-service", "/api/v1/admin/services", "POST", None))
                    }
                }
                section #counters {
                    h2 { "Quầy" }
                    @for c in &counters {
                        details {
                            summary { "Quầy " (c.number) " · " (c.name) }
                            (counter_form(Some(c), &services, c.number))
                        }
                    }
                    details #new-counter {
                        summary { "Thêm quầy" }
                        (counter_form(None, &services, counters.iter().map(|c| c.number).max().unwrap_or(0) + 1))
                    }
                }
                section #users {
                    h2 { "Người dùng" }
                    table.list {
                        thead { tr { th { "Tên đăng nhập" } th { "Họ tên" } th { "Vai trò" } th { "Trạng thái" } th {} } }
                        tbody {
                            @for u in &users {
                                tr {
                                    td { (u.username) }
                                    td { (u.full_name) }
                                    td {
                                        (role_vi(u.role))
                                        @if !u.counters.is_empty() {
                                            span.muted { " · quầy "
                                                (u.counters.iter().filter_map(|id| counters.iter().find(|c| c.id == *id)).map(|c| c.number.to_string()).collect::<Vec<_>>().join(", "))
                                            }
                                        }
                                    }
                                    td { @if u.disabled { span.badge.off { "Đã khoá" } } @else { span.badge.ok { "Đang dùng" } } }
                                    td { button type="button" data-dialog=(format!("user-{}", u.id.0)) { "Sửa…" } }
                                }
                            }
                        }
                    }
                    @for u in &users {
                        dialog id=(format!("user-{}", u.id.0)) {
                            form.api data-url=(format!("/api/v1/admin/users/{}", u.id.0)) data-method="PUT"
                                data-done=(format!("Đã lưu người dùng {}.", u.username)) novalidate {
                                h2 { "Người dùng " (u.username) }
                                label { "Họ tên" input name="full_name" required maxlength="100" value=(u.full_name)
                                    data-invalid="Họ tên: 1–100 ký tự."; }
                                label { "Vai trò" (role_select(u.role)) }
                                fieldset.days {
                                    legend { "Quầy được làm việc (không chọn: mọi quầy)" }
                                    @for c in &counters {
                                        label.check {
                                            input type="checkbox" name="counters" data-list value=(c.id.0) checked[u.counters.contains(&c.id)];
                                            "Quầy " (c.number)
                                        }
                                    }
                                }
                                label.check { input type="checkbox" name="disabled" checked[u.disabled]; "Khoá tài khoản (đăng xuất ngay)" }
                                menu { button type="button" data-close { "Huỷ" } button.primary type="submit" { "Lưu" } }
                            }
                            form.api data-url=(format!("/api/v1/admin/users/{}/password", u.id.0)) data-method="PUT"
                                data-done=(format!("Đã đặt mật khẩu mới cho {}.", u.username)) novalidate {
                                label { "Mật khẩu mới (ít nhất 10 ký tự)"
                                    input name="password" type="password" required minlength="10" autocomplete="new-password"
                                        data-invalid="Mật khẩu: ít nhất 10 ký tự.";
                                }
                                menu { button.primary type="submit" { "Đặt mật khẩu" } }
                            }
                        }
                    }
                    details {
                        summary { "Thêm người dùng" }
                        form.api #new-user data-url="/api/v1/admin/users" data-done="Đã thêm người dùng." novalidate {
                            div.row2 { (new_user_fields(Role::Staff)) }
                            button.primary type="submit" { "Thêm người dùng" }
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
                                    td { (kind_vi(d.kind)) @if let Some(c) = d.counter_id { " · quầy " (counters.iter().find(|x| x.id == c).map_or(0, |x| x.number)) } }
                                    td { @if d.revoked_at.is_some() { span.badge.off { "Đã thu hồi" } } @else { span.badge.ok { "Đang dùng" } } }
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
                    details {
                        summary { "Ghép nối thiết bị mới" }
                        form.api #new-device data-url="/api/v1/admin/devices" data-token novalidate {
                            div.row2 {
                                label { "Tên thiết bị" input name="name" required maxlength="80" data-invalid="Tên thiết bị: 1–80 ký tự."; }
                                label { "Loại"
                                    select name="kind" {
                                        option value="kiosk" { "Máy lấy số" }
                                        option value="display" { "Màn hình sảnh" }
                                        option value="rating" { "Máy đánh giá (tại quầy)" }
                                    }
                                }
                                label { "Quầy (máy đánh giá)"
                                    select name="counter_id" data-number data-nullable {
                                        option value="" { "—" }
                                        @for c in &counters { option value=(c.id.0) { "Quầy " (c.number) } }
                                    }
                                }
                            }
                            button.primary type="submit" { "Ghép nối" }
                        }
                        div #new-token hidden {
                            p { strong { "Mã của thiết bị – chỉ hiện một lần, hãy nhập vào thiết bị ngay:" } }
                            pre #token-value {}
                        }
                    }
                }
            }
        },
    )
    .into_response()
}

/// The form of a service: empty to add one, filled in to change one.
fn service_form(id: &str, url: &str, method: &str, service: Option<&ServiceView>) -> maud::Markup {
    let numbering = service.map(|s| &s.numbering);
    let hours = service.map_or("07:30-11:15, 13:15-16:30".to_owned(), |s| {
        s.hours
            .0
            .iter()
            .map(|w| format!("{}-{}", w.from, w.to))
            .collect::<Vec<_>>()
            .join(", ")
    });
    let days: Vec<u8> = service.map_or(vec![1, 2, 3, 4, 5], |s| {
        let mut days: Vec<u8> = s
            .hours
            .0
            .iter()
            .flat_map(|w| w.days.iter().copied())
            .collect();
        days.sort_unstable();
        days.dedup();
        days
    });
    html! {
        form.service id=(id) data-url=(url) data-method=(method) novalidate {
            div.row2 {
                label { "Mã (chữ, số, - _)" input name="code" required maxlength="16" value=[service.map(|s| &s.code)]; }
                label { "Tên lĩnh vực" input name="name" required maxlength="100" value=[service.map(|s| &s.name)]; }
            }
            div.row {
                label { "Chữ đầu số (tối đa 2 chữ A–Z)" input name="prefix" maxlength="2" value=[numbering.map(|n| n.prefix())]; }
                label { "Số đầu" input name="first" type="number" min="1" max="99999" required value=(numbering.map_or(1, |n| n.first())); }
                label { "Số cuối" input name="last" type="number" min="1" max="99999" required value=(numbering.map_or(999, |n| n.last())); }
                label { "Tối đa mỗi ngày (trống: không giới hạn)" input name="daily_cap" type="number" min="1" value=[service.and_then(|s| s.daily_cap)]; }
            }
            label { "Giờ cấp số (ví dụ 07:30-11:15, 13:15-16:30)" input name="hours" required value=(hours); }
            fieldset.days {
                legend { "Ngày trong tuần" }
                @for (d, name) in [(1, "T2"), (2, "T3"), (3, "T4"), (4, "T5"), (5, "T6"), (6, "T7"), (7, "CN")] {
                    label.check { input type="checkbox" name="day" value=(d) checked[days.contains(&d)]; (name) }
                }
            }
            label.check { input type="checkbox" name="accepts_priority" checked[service.is_none_or(|s| s.accepts_priority)]; "Nhận vé ưu tiên" }
            button.primary type="submit" { @if service.is_some() { "Lưu lĩnh vực" } @else { "Thêm lĩnh vực" } }
        }
    }
}

/// A new user's fields (sign-in name, full name, role, password), as the
/// admin's and the province admin's forms ask for them.
pub(super) fn new_user_fields(role: Role) -> maud::Markup {
    html! {
        label { "Tên đăng nhập (a–z, 0–9, . _ -)"
            input name="username" required pattern="[a-z0-9._\\-]{2,32}"
                data-invalid="Tên đăng nhập: 2–32 ký tự a–z, 0–9, . _ -"; }
        label { "Họ tên" input name="full_name" required maxlength="100" data-invalid="Họ tên: 1–100 ký tự."; }
        label { "Vai trò" (role_select(role)) }
        label { "Mật khẩu (ít nhất 10 ký tự)"
            input name="password" type="password" required minlength="10" autocomplete="new-password"
                data-invalid="Mật khẩu: ít nhất 10 ký tự."; }
    }
}

fn role_select(current: Role) -> maud::Markup {
    html! {
        select name="role" {
            @for role in [Role::Staff, Role::Manager, Role::Admin] {
                option value=(role.as_str()) selected[role == current] { (role_vi(role)) }
            }
        }
    }
}

fn kind_vi(kind: layso_protocol::DeviceKind) -> &'static str {
    match kind {
        layso_protocol::DeviceKind::Kiosk => "Máy lấy số",
        layso_protocol::DeviceKind::Display => "Màn hình sảnh",
        layso_protocol::DeviceKind::Rating => "Máy đánh giá",
    }
}

fn role_vi(role: Role) -> &'static str {
    match role {
        Role::ProvinceAdmin => "Quản trị cấp tỉnh",
        Role::Admin => "Quản trị",
        Role::Manager => "Lãnh đạo / giám sát",
        Role::Staff => "Nhân viên quầy",
    }
}
