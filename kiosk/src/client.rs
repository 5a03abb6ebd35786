//! The kiosk's side of the server's API, blocking (it runs on the kiosk's
//! worker thread, never on the UI thread): the services, issuing, and
//! what it reports of its printer.

use layso_protocol::{
    ApiError, DeviceStatusRequest, IssueRequest, NotPrintedRequest, PrinterState, ServicesResponse,
    TicketId, TicketView,
};
use std::time::Duration;

/// Why a call did not give what was asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The server answered no, with its reason.
    #[error("refused: {}", .0.message)]
    Refused(ApiError),
    /// No answer, or not one the kiosk understands: the server is away.
    #[error("the server is unreachable: {0}")]
    Unreachable(String),
}

/// A connection to the server as one device.
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    bearer: String,
    agent: ureq::Agent,
}

impl Client {
    /// A client of the server at `base` (`http://host:port`), sending
    /// `token`, giving up on a call after `timeout`.
    pub fn new(base: &str, token: &str, timeout: Duration) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build();
        Self {
            base: base.trim_end_matches('/').to_owned(),
            bearer: format!("Bearer {token}"),
            agent: config.into(),
        }
    }

    /// The server's address.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The office and the services it offers now.
    pub fn services(&self) -> Result<ServicesResponse, ClientError> {
        let response = self
            .agent
            .get(format!("{}/api/v1/services", self.base))
            .header("authorization", &self.bearer)
            .call();
        answer(response)
    }

    /// Issues a ticket (the same key gives the same ticket, so retrying is
    /// safe).
    pub fn issue(&self, request: &IssueRequest) -> Result<TicketView, ClientError> {
        let response = self
            .agent
            .post(format!("{}/api/v1/tickets", self.base))
            .header("authorization", &self.bearer)
            .send_json(request);
        answer(response)
    }

    /// Tells the server what state the printer is in.
    pub fn printer_status(&self, printer: PrinterState) -> Result<(), ClientError> {
        let response = self
            .agent
            .post(format!("{}/api/v1/devices/status", self.base))
            .header("authorization", &self.bearer)
            .send_json(DeviceStatusRequest { printer });
        nothing(response)
    }

    /// Tells the server a ticket it issued could not be printed.
    pub fn not_printed(&self, ticket: TicketId, reason: &str) -> Result<(), ClientError> {
        let response = self
            .agent
            .post(format!("{}/api/v1/tickets/{ticket}/not-printed", self.base))
            .header("authorization", &self.bearer)
            .send_json(NotPrintedRequest {
                reason: reason.to_owned(),
            });
        nothing(response)
    }
}

type Response = Result<ureq::http::Response<ureq::Body>, ureq::Error>;

/// The body of a 2xx answer.
fn answer<T: serde::de::DeserializeOwned>(response: Response) -> Result<T, ClientError> {
    success(response)?
        .body_mut()
        .read_json()
        .map_err(|e| ClientError::Unreachable(format!("reading the answer: {e}")))
}

/// Success without a body.
fn nothing(response: Response) -> Result<(), ClientError> {
    success(response).map(|_| ())
}

/// A 2xx answer; the server's reason for a 4xx; unreachable for anything
/// else (5xx, no answer, not the API's JSON).
fn success(response: Response) -> Result<ureq::http::Response<ureq::Body>, ClientError> {
    let mut response = response.map_err(|e| ClientError::Unreachable(e.to_string()))?;
    let status = response.status();
    if status.is_success() {
        Ok(response)
    } else if status.is_client_error() {
        match response.body_mut().read_json::<ApiError>() {
            Ok(error) => Err(ClientError::Refused(error)),
            Err(e) => Err(ClientError::Unreachable(format!("{status}: {e}"))),
        }
    } else {
        Err(ClientError::Unreachable(format!(
            "the server answered {status}"
        )))
    }
}

/// A secret from the credentials file the server's first start writes,
/// e.g. `secret(path, "devices.kiosk", "token")`: how a demo kiosk finds
/// its token.
pub fn secret(file: &std::path::Path, section: &str, key: &str) -> std::io::Result<String> {
    let text = std::fs::read_to_string(file)?;
    let header = format!("[{section}]");
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with('[') {
            inside = line == header;
        } else if inside
            && let Some((k, v)) = line.split_once(" = ")
            && k == key
        {
            // The file's strings are JSON strings, which TOML reads alike.
            return serde_json::from_str(v).map_err(std::io::Error::other);
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        format!("no {key} in [{section}] of {}", file.display()),
    ))
}
