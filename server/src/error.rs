//! The one error type of the server, and how each variant answers over HTTP.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use layso_protocol::{ApiError, ErrorCode, TicketState};

/// Why a request was refused or failed. Every refusal leaves the database
/// as it was: the step that raised it runs in a rolled-back savepoint.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The body or a parameter is malformed or out of range.
    #[error("{message}")]
    InvalidRequest {
        /// What is wrong, in English.
        message: String,
        /// The same in Vietnamese, for the pages.
        vi: String,
    },
    /// The body is larger than the route takes.
    #[error("the request's body is too large")]
    PayloadTooLarge,
    /// The route is a WebSocket; the request is not a handshake.
    #[error("this route is a WebSocket: {0}")]
    UpgradeRequired(String),
    /// The route exists, but not with this method.
    #[error("this route does not take this method")]
    MethodNotAllowed,
    /// The thing named in the path or body does not exist (or is inactive).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A code or name that must be unique is another's already.
    #[error("{message}")]
    AlreadyExists {
        /// Which, in English.
        message: String,
        /// The same in Vietnamese.
        vi: String,
    },
    /// Several offices share the server and the request named none.
    #[error("this server holds several offices: say which with ?office_id=")]
    OfficeRequired,
    /// The ticket's state does not allow the step.
    #[error("cannot {action} a ticket that is {state}")]
    InvalidTransition {
        /// The refused step.
        action: &'static str,
        /// The ticket's state.
        state: TicketState,
    },
    /// The counter is paused or closed.
    #[error("counter {number} is {state}, not open")]
    CounterNotOpen {
        /// Its number.
        number: u32,
        /// Its state.
        state: &'static str,
    },
    /// The counter still has a called or serving ticket.
    #[error(
        "counter {number} still has ticket {ticket} ({state}): finish, skip or transfer it first"
    )]
    CounterBusy {
        /// Its number.
        number: u32,
        /// The ticket it holds.
        ticket: String,
        /// That ticket's state.
        state: TicketState,
    },
    /// The step needs the ticket to be at this counter.
    #[error("ticket {0} is not at this counter")]
    TicketNotAtCounter(String),
    /// The counter does not serve the ticket's service.
    #[error("this counter does not serve the service of ticket {0}")]
    ServiceNotServed(String),
    /// The ticket belongs to an earlier day.
    #[error("ticket {0} belongs to another day")]
    TicketFromAnotherDay(String),
    /// The service does not issue at this time.
    #[error("service {service} issues tickets only {hours}")]
    OutsideIssuingHours {
        /// Its Vietnamese name.
        service: String,
        /// Its hours, in Vietnamese.
        hours: String,
    },
    /// The service reached its daily cap.
    #[error("service {service} reached its daily cap of {cap} tickets")]
    DailyCapReached {
        /// Its Vietnamese name.
        service: String,
        /// The cap.
        cap: u32,
    },
    /// The service used its whole number range today.
    #[error("service {service} used every number of its range today")]
    NumberRangeExhausted {
        /// Its Vietnamese name.
        service: String,
    },
    /// The service takes no priority tickets.
    #[error("service {service} does not take priority tickets")]
    PriorityNotAccepted {
        /// Its Vietnamese name.
        service: String,
    },
    /// The idempotency key was used before for another request.
    #[error("this idempotency key was already used for a different ticket request")]
    IdempotencyKeyReused,
    /// No valid credentials came with the request.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// Wrong user name or password.
    #[error("wrong user name or password")]
    BadCredentials,
    /// The credentials may not do this.
    #[error("{message}")]
    Forbidden {
        /// Why, in English.
        message: String,
        /// The same in Vietnamese, for the pages.
        vi: String,
    },
    /// A cookie request that may change something came from a page of
    /// another site (or did not say where from).
    #[error(
        "a request with the session cookie must come from this server's own pages (Origin or Sec-Fetch-Site)"
    )]
    CrossOrigin,
    /// A kiosk issued too many tickets in a short time.
    #[error("this kiosk issued too many tickets in a short time; try again in {retry_after} s")]
    RateLimited {
        /// Seconds until it may issue again.
        retry_after: u64,
    },
    /// Too many failed sign-ins for one user name.
    #[error("too many failed sign-ins for this user; try again in {retry_after} s")]
    TooManyAttempts {
        /// Seconds until sign-ins are checked again.
        retry_after: u64,
    },
    /// A rating the tablet may not give.
    #[error("{0}")]
    NotRatable(String),
    /// The change was committed; what failed is reading its answer.
    #[error("the change was saved, but reading its answer failed: {0}")]
    SavedUnanswered(Box<Error>),
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Anything else that is our fault.
    #[error("{0}")]
    Internal(String),
}

/// Shorthand for results in the server.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// For what a handler does after its change committed: whatever fails then
/// must not say that nothing was changed.
pub trait AfterSave<T> {
    /// The result, its error marked as coming after the change was saved.
    fn saved(self) -> Result<T>;
}

impl<T> AfterSave<T> for Result<T> {
    fn saved(self) -> Result<T> {
        self.map_err(|e| Error::SavedUnanswered(Box::new(e)))
    }
}

impl Error {
    /// A refused body or parameter: what is wrong in English and in
    /// Vietnamese.
    pub fn invalid(message: impl Into<String>, vi: impl Into<String>) -> Self {
        Self::InvalidRequest {
            message: message.into(),
            vi: vi.into(),
        }
    }

    /// A body or parameter that could not even be read (the parser's
    /// English words are all there is to say of it).
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::invalid(message, "Dữ liệu gửi lên không đúng dạng.")
    }

    /// A refusal of the caller's role: why in English and in Vietnamese.
    pub fn forbidden(message: impl Into<String>, vi: impl Into<String>) -> Self {
        Self::Forbidden {
            message: message.into(),
            vi: vi.into(),
        }
    }

    /// The status and stable code this error answers with.
    pub fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        use ErrorCode as C;
        match self {
            Self::InvalidRequest { .. } => (StatusCode::UNPROCESSABLE_ENTITY, C::InvalidRequest),
            Self::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, C::PayloadTooLarge),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, C::MethodNotAllowed),
            Self::UpgradeRequired(_) => (StatusCode::UPGRADE_REQUIRED, C::UpgradeRequired),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, C::NotFound),
            Self::OfficeRequired => (StatusCode::BAD_REQUEST, C::OfficeRequired),
            Self::AlreadyExists { .. } => (StatusCode::CONFLICT, C::AlreadyExists),
            Self::InvalidTransition { .. } => (StatusCode::CONFLICT, C::InvalidTransition),
            Self::CounterNotOpen { .. } => (StatusCode::CONFLICT, C::CounterNotOpen),
            Self::CounterBusy { .. } => (StatusCode::CONFLICT, C::CounterBusy),
            Self::TicketNotAtCounter(_) => (StatusCode::CONFLICT, C::TicketNotAtCounter),
            Self::ServiceNotServed(_) => (StatusCode::CONFLICT, C::ServiceNotServed),
            Self::TicketFromAnotherDay(_) => (StatusCode::CONFLICT, C::TicketFromAnotherDay),
            Self::OutsideIssuingHours { .. } => (StatusCode::CONFLICT, C::OutsideIssuingHours),
            Self::DailyCapReached { .. } => (StatusCode::CONFLICT, C::DailyCapReached),
            Self::NumberRangeExhausted { .. } => (StatusCode::CONFLICT, C::NumberRangeExhausted),
            // Well-formed requests that the office's state refuses.
            Self::PriorityNotAccepted { .. } => (StatusCode::CONFLICT, C::PriorityNotAccepted),
            Self::IdempotencyKeyReused => (StatusCode::CONFLICT, C::IdempotencyKeyReused),
            Self::Unauthorized(_) => (StatusCode::UNAUTHORIZED, C::Unauthorized),
            Self::BadCredentials => (StatusCode::UNAUTHORIZED, C::BadCredentials),
            Self::Forbidden { .. } => (StatusCode::FORBIDDEN, C::Forbidden),
            Self::CrossOrigin => (StatusCode::FORBIDDEN, C::CrossOrigin),
            Self::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, C::RateLimited),
            Self::TooManyAttempts { .. } => (StatusCode::TOO_MANY_REQUESTS, C::TooManyAttempts),
            Self::NotRatable(_) => (StatusCode::CONFLICT, C::NotRatable),
            Self::Database(_) | Self::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, C::Internal)
            }
            Self::SavedUnanswered(_) => (StatusCode::INTERNAL_SERVER_ERROR, C::SavedUnanswered),
        }
    }

    /// What a citizen at the kiosk reads, for the refusals a kiosk can meet.
    pub fn citizen_message(&self) -> Option<String> {
        match self {
            Self::OutsideIssuingHours { service, hours } => Some(format!(
                "Hiện ngoài giờ cấp số của {service}. Giờ cấp số: {hours}."
            )),
            Self::DailyCapReached { service, .. } | Self::NumberRangeExhausted { service } => {
                Some(format!(
                    "{service} đã hết số thứ tự hôm nay. Mời bạn quay lại vào ngày làm việc tiếp theo."
                ))
            }
            Self::PriorityNotAccepted { service } => Some(format!(
                "{service} không cấp số ưu tiên. Mời bạn lấy số thường."
            )),
            Self::NotFound("service") => {
                Some("Dịch vụ này hiện không cấp số. Mời bạn chọn dịch vụ khác.".to_owned())
            }
            Self::RateLimited { .. } => Some(
                "Máy vừa cấp nhiều số liên tiếp. Mời bạn chờ một lát rồi thử lại; \
                 nếu cần hỗ trợ, xin hỏi cán bộ hướng dẫn."
                    .to_owned(),
            ),
            Self::Database(_) | Self::Internal(_) => {
                Some("Hệ thống đang bận. Mời bạn thử lại sau giây lát.".to_owned())
            }
            _ => None,
        }
    }
}

/// What `NotFound`'s thing is called in Vietnamese.
fn thing_vi(what: &str) -> &str {
    match what {
        "counter" => "quầy",
        "device" => "thiết bị",
        "office" => "cơ quan",
        "service" => "lĩnh vực",
        "ticket" => "vé",
        "user" => "người dùng",
        _ => "địa chỉ này",
    }
}

impl Error {
    /// What the staff's and admins' pages show: Vietnamese throughout.
    pub fn vietnamese(&self) -> String {
        if let Some(citizen) = self.citizen_message()
            && !matches!(
                self,
                Self::Database(_) | Self::Internal(_) | Self::NotFound(_)
            )
        {
            return citizen;
        }
        match self {
            Self::InvalidRequest { vi, .. }
            | Self::Forbidden { vi, .. }
            | Self::AlreadyExists { vi, .. } => vi.clone(),
            Self::PayloadTooLarge => "Dữ liệu gửi lên quá lớn.".to_owned(),
            Self::MethodNotAllowed => "Địa chỉ này không nhận yêu cầu kiểu này.".to_owned(),
            Self::UpgradeRequired(_) => "Địa chỉ này chỉ mở luồng sự kiện (WebSocket).".to_owned(),
            Self::NotFound(what) => format!("Không tìm thấy {}.", thing_vi(what)),
            Self::OfficeRequired => "Máy chủ có nhiều cơ quan: hãy chọn cơ quan.".to_owned(),
            Self::InvalidTransition { action, state } => format!(
                "Không thể {} vì vé {}.",
                action_vi(action),
                state.label_vi()
            ),
            Self::CounterNotOpen { number, state } => format!(
                "Quầy {number} đang {}, chưa mở.",
                if *state == "paused" {
                    "tạm dừng"
                } else {
                    "đóng"
                }
            ),
            Self::CounterBusy {
                number,
                ticket,
                state,
            } => format!(
                "Quầy {number} vẫn có vé {ticket} ({}): hãy hoàn thành, báo vắng hoặc chuyển vé đó trước.",
                state.label_vi()
            ),
            Self::TicketNotAtCounter(t) => {
                format!("Vé {t} không ở quầy này (có thể quầy khác vừa gọi).")
            }
            Self::ServiceNotServed(t) => {
                format!("Quầy này không phục vụ lĩnh vực của vé {t}.")
            }
            Self::TicketFromAnotherDay(t) => format!("Vé {t} là vé của ngày khác."),
            Self::IdempotencyKeyReused => {
                "Mã yêu cầu này đã được dùng cho một lần lấy số khác.".to_owned()
            }
            Self::Unauthorized(_) => {
                "Phiên đăng nhập đã hết hoặc không hợp lệ. Mời đăng nhập lại.".to_owned()
            }
            Self::BadCredentials => "Sai tên đăng nhập hoặc mật khẩu.".to_owned(),
            Self::CrossOrigin => {
                "Yêu cầu không đến từ trang của hệ thống nên không được thực hiện.".to_owned()
            }
            Self::TooManyAttempts { retry_after } => format!(
                "Đăng nhập sai quá nhiều lần. Mời thử lại sau {}.",
                wait_vi(*retry_after)
            ),
            Self::NotRatable(_) => {
                "Không thể đánh giá vé này (chỉ vé vừa xong tại quầy, trong ít phút).".to_owned()
            }
            Self::Database(_) | Self::Internal(_) => {
                "Lỗi máy chủ; chưa có gì thay đổi. Mời thử lại.".to_owned()
            }
            Self::SavedUnanswered(_) => "Đã lưu thay đổi, nhưng chưa đọc lại được kết quả. \
                 Mời tải lại trang để xem; đừng làm lại."
                .to_owned(),
            // Their citizen message said it already.
            Self::OutsideIssuingHours { .. }
            | Self::DailyCapReached { .. }
            | Self::NumberRangeExhausted { .. }
            | Self::PriorityNotAccepted { .. }
            | Self::RateLimited { .. } => self.citizen_message().unwrap_or_default(),
        }
    }
}

/// A step's name (as `InvalidTransition` carries it) in Vietnamese.
fn action_vi(action: &str) -> &str {
    match action {
        "call" => "gọi vé này",
        "recall" => "gọi lại",
        "start serving" => "bắt đầu phục vụ",
        "finish" => "hoàn thành",
        "mark as no-show" => "báo vắng mặt",
        "reactivate" => "cho vé vào lại hàng chờ",
        "transfer" => "chuyển vé",
        "cancel" => "huỷ vé",
        _ => "làm việc này",
    }
}

/// A wait of `secs` seconds in Vietnamese: "45 giây", "5 phút".
fn wait_vi(secs: u64) -> String {
    if secs < 60 {
        format!("{secs} giây")
    } else {
        format!("{} phút", secs.div_ceil(60))
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = if status.is_server_error() {
            // The details stay in the log; the client gets a safe message.
            tracing::error!(error = %self, "request failed");
            match self {
                Self::SavedUnanswered(_) => {
                    "the change was saved, but its answer could not be read; reload to see it"
                        .to_owned()
                }
                _ => "internal error; nothing was changed".to_owned(),
            }
        } else {
            self.to_string()
        };
        let body = ApiError {
            code,
            message,
            message_vi: self.vietnamese(),
            citizen_message: self.citizen_message(),
        };
        let mut response = (status, Json(body)).into_response();
        if let Self::UpgradeRequired(_) = self {
            response.headers_mut().insert(
                axum::http::header::UPGRADE,
                axum::http::HeaderValue::from_static("websocket"),
            );
        }
        if let Self::RateLimited { retry_after } | Self::TooManyAttempts { retry_after } = self {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, retry_after.into());
        }
        response
    }
}
