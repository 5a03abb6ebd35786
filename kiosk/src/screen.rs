//! What the touch screen shows, as a plain state changed only by inputs
//! (the server's services, taps and keys, the worker's outcomes, the
//! clock), so that it is tested without a window. The window draws
//! [`Screen`] and feeds it [`Input`]s; the [`Command`]s it returns go to
//! the worker.

use crate::flow::{Outcome, SUSPENDED};
use layso_protocol::{PrinterState, Priority, ServiceId, ServicesResponse};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long the number stays on the screen after printing.
pub const SHOW_NUMBER: Duration = Duration::from_secs(6);
/// How long a ticket that did not print stays on the screen.
pub const SHOW_NOT_PRINTED: Duration = Duration::from_secs(20);
/// How long a refusal stays on the screen.
pub const SHOW_REFUSAL: Duration = Duration::from_secs(8);

/// Where the screen is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// The services, waiting for a tap.
    Ready,
    /// The priority classes, after "Ưu tiên" for a service.
    Priority {
        /// The service tapped.
        service: ServiceId,
    },
    /// "Đang in vé…": a tap is on its way to paper.
    Printing,
    /// The number, large, with "Mời bạn nhận vé".
    Printed {
        /// The number.
        number: String,
        /// Back to the services then.
        until: Instant,
    },
    /// The number, and what to do: the paper did not come out.
    NotPrinted {
        /// The number.
        number: String,
        /// What to do.
        message: String,
        /// Back to the services then.
        until: Instant,
    },
    /// Why no ticket was issued.
    Refused {
        /// Why, in Vietnamese.
        message: String,
        /// Back to the services then.
        until: Instant,
    },
}

/// Why the server gives the kiosk nothing: for the installer, who must
/// tell a server outage from a kiosk whose token is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Away {
    /// No answer: the server is down or the network is.
    Unreachable,
    /// The server answered, and refused the kiosk's token (wrong, or
    /// revoked by an admin).
    TokenRefused,
    /// The server answered with an error of its own.
    Failing,
}

impl Away {
    /// What the installer reads in small type under "Tạm ngưng cấp số".
    pub fn note(self) -> &'static str {
        match self {
            Self::Unreachable => "Không kết nối được máy chủ: kiểm tra mạng và máy chủ.",
            Self::TokenRefused => {
                "Máy chủ từ chối mã thiết bị của kiosk (sai hoặc đã bị thu hồi): cần ghép nối lại."
            }
            Self::Failing => "Máy chủ đang gặp lỗi: xem nhật ký máy chủ.",
        }
    }
}

/// Something that happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// The worker read the office's services, or why it could not.
    Services(Result<ServicesResponse, Away>),
    /// A tap on a service's button (ordinary ticket).
    Tap(ServiceId),
    /// A tap on a service's "Ưu tiên" button.
    TapPriority(ServiceId),
    /// A tap on a priority class, after "Ưu tiên".
    ChoosePriority(Priority),
    /// A tap on "Quay lại" (back).
    Back,
    /// A key, from a keyboard or a button box.
    Key(char),
    /// The worker finished a tap.
    Done(Outcome),
    /// The idle printer's state, as the worker last asked it.
    Printer(PrinterState),
    /// Time passed.
    Tick,
}

/// What the screen asks the worker to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Take a ticket.
    Take(ServiceId, Priority),
}

/// One button on the services screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    /// The service.
    pub service: ServiceId,
    /// Its Vietnamese name.
    pub label: String,
    /// Whether a tap does anything.
    pub enabled: bool,
    /// Whether it has an "Ưu tiên" button beside it.
    pub priority: bool,
}

/// The whole state of the kiosk's screen.
#[derive(Debug, Clone)]
pub struct Screen {
    /// The office and its services, as last read.
    pub office: Option<ServicesResponse>,
    /// Whether the server answered the last time it was asked.
    pub server_up: bool,
    /// Why it did not, if it did not.
    pub away: Option<Away>,
    /// A key pressed while the kiosk could not take it yet (printing, or
    /// the server not reached): its ticket is taken as soon as it can be.
    pub queued: Option<ServiceId>,
    /// The printer's state when it was last asked.
    pub printer: Option<PrinterState>,
    /// Where the screen is.
    pub phase: Phase,
    /// Keys that take a ticket, for kiosks with physical buttons.
    pub keys: HashMap<char, ServiceId>,
}

/// The priority classes offered after "Ưu tiên", with their Vietnamese names.
pub const PRIORITY_CLASSES: [(Priority, &str); 6] = [
    (Priority::Elderly, "Người cao tuổi"),
    (Priority::Disability, "Người khuyết tật"),
    (Priority::Pregnant, "Phụ nữ mang thai"),
    (Priority::SmallChildren, "Người có con nhỏ"),
    (Priority::Merit, "Người có công với cách mạng"),
    (Priority::Appointment, "Đã đặt lịch hẹn"),
];

impl Screen {
    /// A screen that knows nothing yet (the server has not answered).
    pub fn new(keys: HashMap<char, ServiceId>) -> Self {
        Self {
            office: None,
            server_up: false,
            away: None,
            queued: None,
            printer: None,
            phase: Phase::Ready,
            keys,
        }
    }

    /// Takes an input at `now`; returns what the worker must do, if anything.
    pub fn on(&mut self, input: Input, now: Instant) -> Option<Command> {
        match input {
            Input::Services(services) => {
                self.server_up = services.is_ok();
                match services {
                    Ok(services) => {
                        self.office = Some(services);
                        self.away = None;
                    }
                    Err(away) => self.away = Some(away),
                }
                self.take_queued()
            }
            Input::Tap(service) => self.take(service, Priority::None),
            Input::Key(key) => {
                let service = self.keys.get(&key).copied()?;
                // A button box's key is never dropped without a word: the
                // previous citizen's number gives way, and a key that
                // cannot be taken yet waits (one at most).
                let showing = matches!(
                    self.phase,
                    Phase::Printed { .. } | Phase::NotPrinted { .. } | Phase::Refused { .. }
                );
                if showing && self.tappable(service) {
                    self.phase = Phase::Ready;
                }
                if self.phase == Phase::Ready && self.tappable(service) {
                    return self.take(service, Priority::None);
                }
                let known = self
                    .office
                    .as_ref()
                    .is_none_or(|o| o.services.iter().any(|s| s.id == service));
                if known {
                    self.queued = Some(service);
                }
                None
            }
            Input::TapPriority(service) => {
                if self.phase == Phase::Ready && self.tappable(service) {
                    self.phase = Phase::Priority { service };
                }
                None
            }
            Input::ChoosePriority(priority) => match self.phase {
                Phase::Priority { service } => {
                    self.phase = Phase::Ready;
                    self.take(service, priority)
                }
                _ => None,
            },
            Input::Back => {
                if matches!(self.phase, Phase::Priority { .. }) {
                    self.phase = Phase::Ready;
                }
                None
            }
            Input::Done(outcome) => {
                if self.phase == Phase::Printing {
                    self.phase = match outcome {
                        Outcome::Printed { number } => Phase::Printed {
                            number,
                            until: now + SHOW_NUMBER,
                        },
                        Outcome::NotPrinted { number, message } => Phase::NotPrinted {
                            number,
                            message,
                            until: now + SHOW_NOT_PRINTED,
                        },
                        Outcome::Refused { message } => Phase::Refused {
                            message,
                            until: now + SHOW_REFUSAL,
                        },
                    };
                }
                self.take_queued()
            }
            Input::Printer(state) => {
                self.printer = Some(state);
                self.take_queued()
            }
            Input::Tick => {
                let until = match &self.phase {
                    Phase::Printed { until, .. }
                    | Phase::NotPrinted { until, .. }
                    | Phase::Refused { until, .. } => Some(*until),
                    _ => None,
                };
                if until.is_some_and(|until| now >= until) {
                    self.phase = Phase::Ready;
                }
                None
            }
        }
    }

    /// The queued key's ticket, if it can be taken now (the result on
    /// screen gives way to it).
    fn take_queued(&mut self) -> Option<Command> {
        let service = self.queued?;
        if !self.tappable(service) || matches!(self.phase, Phase::Printing | Phase::Priority { .. })
        {
            return None;
        }
        self.queued = None;
        self.phase = Phase::Ready;
        self.take(service, Priority::None)
    }

    /// Why the printer cannot print now, in Vietnamese, if it cannot (the
    /// buttons wait until it can).
    pub fn printer_trouble(&self) -> Option<&'static str> {
        match self.printer? {
            PrinterState::Ready | PrinterState::PaperNearEnd => None,
            PrinterState::PaperOut => {
                Some("Máy in đã hết giấy. Xin vui lòng báo cán bộ hướng dẫn.")
            }
            PrinterState::CoverOpen => {
                Some("Nắp máy in đang mở. Xin vui lòng báo cán bộ hướng dẫn.")
            }
            PrinterState::Error => Some("Máy in đang gặp lỗi. Xin vui lòng báo cán bộ hướng dẫn."),
            PrinterState::NoAnswer => {
                Some("Máy in không phản hồi. Xin vui lòng báo cán bộ hướng dẫn.")
            }
        }
    }

    /// What the screen says of a key waiting to be taken.
    pub fn queued_note(&self) -> Option<&'static str> {
        self.queued
            .map(|_| "Đã nhận yêu cầu: vé sẽ được in ngay khi máy sẵn sàng.")
    }

    /// A tap that may become a ticket: only on the services screen, with
    /// the server up, for a service it offers. Anything else (a second tap
    /// while printing, a tap on the number) does nothing: one tap, one
    /// ticket.
    fn take(&mut self, service: ServiceId, priority: Priority) -> Option<Command> {
        if self.phase != Phase::Ready || !self.tappable(service) {
            return None;
        }
        self.phase = Phase::Printing;
        Some(Command::Take(service, priority))
    }

    fn tappable(&self, service: ServiceId) -> bool {
        self.printer_trouble().is_none()
            && self.server_up
            && self
                .office
                .as_ref()
                .is_some_and(|o| o.services.iter().any(|s| s.id == service))
    }

    /// The services' buttons, in the office's order.
    pub fn buttons(&self) -> Vec<Button> {
        let Some(office) = &self.office else {
            return Vec::new();
        };
        office
            .services
            .iter()
            .map(|s| Button {
                service: s.id,
                label: s.name.clone(),
                enabled: !self.troubled() && self.phase == Phase::Ready,
                priority: s.accepts_priority,
            })
            .collect()
    }

    /// The clock in the corner at `now`, on the office's time (the
    /// server's zone for it; Vietnam's until the server has been reached).
    pub fn clock(&self, now: chrono::DateTime<chrono::Utc>) -> String {
        let zone = self
            .office
            .as_ref()
            .map_or("", |o| o.office.time_zone.as_str());
        layso_device::clock::local(zone, now)
            .format("%H:%M  %d/%m/%Y")
            .to_string()
    }

    /// Whether the banner says why nothing can be taken.
    pub fn troubled(&self) -> bool {
        !self.server_up || self.printer_trouble().is_some()
    }

    /// The line across the top: the office, or why nothing can be taken.
    pub fn banner(&self) -> String {
        if !self.server_up {
            return SUSPENDED.to_owned();
        }
        if let Some(trouble) = self.printer_trouble() {
            return trouble.to_owned();
        }
        self.office
            .as_ref()
            .map_or_else(String::new, |o| o.office.name.clone())
    }
}
