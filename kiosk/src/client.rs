//! The kiosk's side of the server's API, blocking (it runs on the kiosk's
//! worker thread, never on the UI thread): the services, issuing, and
//! what it reports of its printer.

use layso_device::client::Api;
pub use layso_device::client::{ClientError, secret};
use layso_protocol::{
    DeviceStatusRequest, IssueRequest, NotPrintedRequest, PrinterState, ServicesResponse, TicketId,
    TicketView,
};
use std::time::Duration;

/// A connection to the server as one kiosk.
#[derive(Debug, Clone)]
pub struct Client {
    api: Api,
}

impl Client {
    /// A client of the server at `base` (`http://host:port`), sending
    /// `token`, giving up on a call after `timeout`.
    pub fn new(base: &str, token: &str, timeout: Duration) -> Self {
        Self {
            api: Api::new(base, token, timeout),
        }
    }

    /// The server's address.
    pub fn base(&self) -> &str {
        self.api.base()
    }

    /// The office and the services it offers now.
    pub fn services(&self) -> Result<ServicesResponse, ClientError> {
        self.api.get("/api/v1/services")
    }

    /// Issues a ticket (the same key gives the same ticket, so retrying is
    /// safe).
    pub fn issue(&self, request: &IssueRequest) -> Result<TicketView, ClientError> {
        self.api.post("/api/v1/tickets", request)
    }

    /// Tells the server what state the printer is in.
    pub fn printer_status(&self, printer: PrinterState) -> Result<(), ClientError> {
        self.api
            .post_only("/api/v1/devices/status", &DeviceStatusRequest { printer })
    }

    /// Tells the server a ticket it issued could not be printed.
    pub fn not_printed(&self, ticket: TicketId, reason: &str) -> Result<(), ClientError> {
        let body = NotPrintedRequest {
            reason: reason.to_owned(),
        };
        self.api
            .post_only(&format!("/api/v1/tickets/{ticket}/not-printed"), &body)
    }
}
