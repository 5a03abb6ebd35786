//! From a tap to paper: ask the printer, issue the ticket, print it, and
//! if the print fails after the ticket exists, tell the server and the
//! citizen. Blocking, for the kiosk's worker thread.
//!
//! The promises: nothing is issued while the printer cannot print; one tap
//! is one ticket, however often the request is retried (one idempotency
//! key per tap); a ticket that was issued but not printed is reported to
//! the server and its number shown, never lost silently.

use crate::client::{Client, ClientError};
use crate::printer::{self, NotReady, Port, Transport};
use crate::screen::Away;
use crate::ticket::{Paper, Profile, QrMode, Ticket, ticket_bytes_with};
use chrono_tz::Tz;
use layso_protocol::{
    IssueRequest, PrinterState, Priority, ServiceId, ServicesResponse, TicketView,
};
use std::time::Duration;

/// Shown when the server cannot be reached.
pub const SUSPENDED: &str =
    "Tạm ngưng cấp số. Xin vui lòng chờ trong giây lát hoặc hỏi cán bộ hướng dẫn.";

/// How the printer is reached and what it prints.
#[derive(Debug, Clone)]
pub struct PrinterSetup {
    /// Where it is.
    pub transport: Transport,
    /// How it prints Vietnamese.
    pub profile: Profile,
    /// Its paper.
    pub paper: Paper,
    /// How it prints the QR code.
    pub qr: QrMode,
    /// What it does with a tone mark's byte (text profiles).
    pub marks: crate::wrap::Marks,
    /// How long it may take to answer or take a byte.
    pub timeout: Duration,
}

/// What came of a tap, for the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The ticket is printed: show its number and "Mời bạn nhận vé".
    Printed {
        /// The number.
        number: String,
    },
    /// The ticket exists but its paper did not come out: show the number
    /// and what to do.
    NotPrinted {
        /// The number.
        number: String,
        /// What to do, in Vietnamese.
        message: String,
    },
    /// No ticket: why, in Vietnamese.
    Refused {
        /// Why.
        message: String,
    },
}

/// Issue attempts for one tap (same key each time).
const ISSUE_TRIES: u32 = 3;

/// The kiosk's worker: the server, the printer, and what the office is.
pub struct Kiosk {
    client: Client,
    printer: PrinterSetup,
    office: Option<ServicesResponse>,
    reported: Option<PrinterState>,
}

impl Kiosk {
    /// A kiosk talking to `client` and printing on `printer`.
    pub fn new(client: Client, printer: PrinterSetup) -> Self {
        Self {
            client,
            printer,
            office: None,
            reported: None,
        }
    }

    /// The office and its services, fetched again now.
    pub fn refresh(&mut self) -> Result<&ServicesResponse, ClientError> {
        let services = self.client.services()?;
        Ok(self.office.insert(services))
    }

    /// The office's services for the screen, or why there are none.
    pub fn services_for_screen(&mut self) -> Result<ServicesResponse, Away> {
        match self.refresh() {
            Ok(services) => Ok(services.clone()),
            Err(error) => {
                let away = away(&error);
                tracing::warn!(%error, ?away, server = %self.client.base(), "no services from the server");
                Err(away)
            }
        }
    }

    /// What the kiosk last knew of the office.
    pub fn office(&self) -> Option<&ServicesResponse> {
        self.office.as_ref()
    }

    /// One tap on a service: the whole way to paper.
    pub fn take_ticket(&mut self, service: ServiceId, priority: Priority) -> Outcome {
        let mut port = match self.ready_printer() {
            Ok(port) => port,
            Err(not_ready) => {
                return Outcome::Refused {
                    message: not_ready.to_string(),
                };
            }
        };
        let request = IssueRequest {
            service_id: service,
            priority,
            idempotency_key: new_key(),
        };
        let ticket = match self.issue(&request) {
            Ok(ticket) => ticket,
            Err(ClientError::Refused(error)) => {
                return Outcome::Refused {
                    message: error
                        .citizen_message
                        .unwrap_or_else(|| SUSPENDED.to_owned()),
                };
            }
            Err(ClientError::Unreachable(_)) => {
                return Outcome::Refused {
                    message: SUSPENDED.to_owned(),
                };
            }
        };
        let number = ticket.number.clone();
        match self.print(&mut port, &ticket) {
            Ok(()) => Outcome::Printed { number },
            Err(failure) => {
                drop(port);
                tracing::warn!(%number, said = %failure.said, detail = %failure.detail, "a ticket was not printed");
                // Best effort, a few times: the number is on the screen anyway.
                let reported =
                    (0..3).any(|_| self.client.not_printed(ticket.id, &failure.said).is_ok());
                if !reported {
                    tracing::warn!(%number, "the server was not told of the ticket not printed");
                }
                Outcome::NotPrinted {
                    message: format!(
                        "Không in được vé. Số của bạn là {number}: xin vui lòng ghi nhớ số này và báo cán bộ hướng dẫn."
                    ),
                    number,
                }
            }
        }
    }

    /// Asks the printer its state while nobody taps (a few status bytes),
    /// and tells the server if it changed: the monitor shows paper out
    /// before the first citizen meets it.
    pub fn check_printer(&mut self) -> PrinterState {
        match self.ready_printer() {
            Ok(_port) => self.reported.unwrap_or(PrinterState::Ready),
            Err(not_ready) => state_of(not_ready),
        }
    }

    /// Opens the printer and asks its state; reports a change of state to
    /// the server (best effort). The open port is kept for the job.
    fn ready_printer(&mut self) -> Result<Box<dyn Port>, NotReady> {
        let mut port = printer::open(&self.printer.transport, self.printer.timeout)
            .map_err(|_| NotReady::NoAnswer);
        let status = match &mut port {
            Ok(port) => printer::status(port.as_mut()),
            Err(not_ready) => Err(*not_ready),
        };
        let ready = status.and_then(|s| s.ready());
        self.report(match (ready, status) {
            (Err(not_ready), _) => state_of(not_ready),
            (Ok(()), Ok(s)) if s.paper_near_end => PrinterState::PaperNearEnd,
            (Ok(()), _) => PrinterState::Ready,
        });
        ready.and(port)
    }

    /// Tells the server the printer's state when it changed.
    fn report(&mut self, state: PrinterState) {
        if self.reported != Some(state) && self.client.printer_status(state).is_ok() {
            self.reported = Some(state);
        }
    }

    /// Issues with retries on an unreachable server, same key each time.
    fn issue(&self, request: &IssueRequest) -> Result<TicketView, ClientError> {
        let mut last = None;
        for attempt in 0..ISSUE_TRIES {
            match self.client.issue(request) {
                Err(ClientError::Unreachable(e)) => {
                    last = Some(ClientError::Unreachable(e));
                    std::thread::sleep(Duration::from_millis(100 << attempt));
                }
                other => return other,
            }
        }
        Err(last.unwrap_or_else(|| ClientError::Unreachable("no attempt".into())))
    }

    /// Lays the ticket out, sends it, and asks the printer again: bytes
    /// handed to a line are not paper, but a printer that answers after the
    /// job, with paper, has it. Reopens the printer and tries once more if
    /// that fails (a second ticket on paper beats none); the reason if both
    /// fail.
    fn print(&mut self, port: &mut Box<dyn Port>, ticket: &TicketView) -> Result<(), Failure> {
        let job = ticket_bytes_with(
            &self.layout(ticket),
            self.printer.profile,
            self.printer.paper,
            self.printer.qr,
            self.printer.marks,
        )
        .map_err(|e| Failure {
            said: "Không dựng được vé để in (nội dung vé không hợp lệ).".into(),
            detail: e.to_string(),
        })?;
        // The answer after the job comes once the job is through the line.
        let patience = printer::wire_time(&self.printer.transport, job.len()) * 2;
        if send_and_confirm(port.as_mut(), &job, patience).is_ok() {
            return Ok(());
        }
        let mut again =
            printer::open(&self.printer.transport, self.printer.timeout).map_err(|e| Failure {
                said: format!(
                    "Máy in mất kết nối khi đang in và không mở lại được ({}).",
                    self.printer.transport
                ),
                detail: format!("reopening the printer: {e}"),
            })?;
        send_and_confirm(again.as_mut(), &job, patience)
    }

    /// What the paper says for a ticket from the server.
    pub fn layout(&self, t: &TicketView) -> Ticket {
        let tracking = self
            .office
            .as_ref()
            .and_then(|o| o.public_url.as_deref())
            .unwrap_or(self.client.base());
        let (office, header, footer, zone) = match &self.office {
            Some(o) => (
                o.office.name.clone(),
                o.office.ticket_header.clone(),
                o.office.ticket_footer.clone(),
                o.office
                    .time_zone
                    .parse::<Tz>()
                    .unwrap_or(chrono_tz::Asia::Ho_Chi_Minh),
            ),
            None => (
                String::new(),
                String::new(),
                String::new(),
                chrono_tz::Asia::Ho_Chi_Minh,
            ),
        };
        Ticket {
            office,
            service: t.service_name.clone(),
            number: t.number.clone(),
            issued_at: t.issued_at.with_timezone(&zone).naive_local(),
            people_ahead: t.people_ahead,
            estimated_wait_secs: t.estimated_wait_secs,
            tracking_url: format!("{tracking}/t/{}", t.public_token),
            header,
            footer,
        }
    }
}

/// Why a failed request leaves the kiosk without the server.
pub fn away(error: &ClientError) -> Away {
    match error {
        ClientError::Unreachable(_) => Away::Unreachable,
        ClientError::Refused(e) if e.code == layso_protocol::ErrorCode::Unauthorized => {
            Away::TokenRefused
        }
        ClientError::Refused(_) => Away::Failing,
    }
}

/// Why a ticket did not reach paper: what the monitor shows staff, in
/// Vietnamese, and the detail for the log.
#[derive(Debug)]
struct Failure {
    /// For the server's log of tickets not printed (the monitor shows it).
    said: String,
    /// For the kiosk's own log.
    detail: String,
}

/// Sends a job, then asks the printer's state: it must answer, with paper.
fn send_and_confirm(port: &mut dyn Port, job: &[u8], patience: Duration) -> Result<(), Failure> {
    printer::send(port, job).map_err(|e| Failure {
        said: "Gửi vé tới máy in bị lỗi giữa chừng.".into(),
        detail: format!("printing: {e}"),
    })?;
    printer::status_within(port, patience)
        .and_then(|s| s.ready())
        .map_err(|e| Failure {
            said: format!("Sau khi in: {}", without_advice(&e.to_string())),
            detail: format!("after printing: {}", e.code()),
        })
}

/// A printer refusal's words without the advice to citizens that follows
/// them ("Máy in đã hết giấy." of "Máy in đã hết giấy. Xin vui lòng …").
fn without_advice(said: &str) -> &str {
    said.split_inclusive(". ").next().unwrap_or(said).trim_end()
}

/// The printer state the server is told for a refusal.
fn state_of(not_ready: NotReady) -> PrinterState {
    match not_ready {
        NotReady::PaperOut => PrinterState::PaperOut,
        NotReady::CoverOpen => PrinterState::CoverOpen,
        NotReady::Error => PrinterState::Error,
        NotReady::NoAnswer => PrinterState::NoAnswer,
    }
}

/// A fresh idempotency key for one tap: 128 random bits.
fn new_key() -> String {
    let mut bytes = [0u8; 16];
    // Without randomness, the time still tells taps apart.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = nanos.to_le_bytes();
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("kiosk-{hex}")
}
