//! A device's side of the server's API, blocking (it runs on a device's
//! worker thread, never on a UI thread): JSON in and out with the device's
//! token, and the server's refusals told apart from its absence.

use layso_protocol::ApiError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Why a call did not give what was asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The server answered no, with its reason.
    #[error("refused: {}", .0.message)]
    Refused(ApiError),
    /// No answer, or not one the device understands: the server is away.
    #[error("the server is unreachable: {0}")]
    Unreachable(String),
}

/// A connection to the server as one device.
#[derive(Debug, Clone)]
pub struct Api {
    base: String,
    bearer: String,
    agent: ureq::Agent,
}

impl Api {
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

    /// `GET` of `path` (`/api/v1/...`), its JSON answer.
    pub fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let response = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("authorization", &self.bearer)
            .call();
        answer(response)
    }

    /// `POST` of `body` to `path`, its JSON answer.
    pub fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        answer(self.send(path, body))
    }

    /// `POST` of `body` to `path`, whose answer has no body.
    pub fn post_only<B: Serialize>(&self, path: &str, body: &B) -> Result<(), ClientError> {
        success(self.send(path, body)).map(|_| ())
    }

    fn send<B: Serialize>(&self, path: &str, body: &B) -> Response {
        self.agent
            .post(format!("{}{path}", self.base))
            .header("authorization", &self.bearer)
            .send_json(body)
    }
}

type Response = Result<ureq::http::Response<ureq::Body>, ureq::Error>;

/// The body of a 2xx answer.
fn answer<T: DeserializeOwned>(response: Response) -> Result<T, ClientError> {
    success(response)?
        .body_mut()
        .read_json()
        .map_err(|e| ClientError::Unreachable(format!("reading the answer: {e}")))
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
/// e.g. `secret(path, "devices.kiosk", "token")`: how a demo device finds
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
