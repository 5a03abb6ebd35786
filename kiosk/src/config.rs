//! The kiosk's configuration, layered like the server's: defaults, then
//! `kiosk.toml`, then `LAYSO_KIOSK_*` environment variables, then flags.

use crate::flow::PrinterSetup;
use crate::printer::Transport;
use crate::ticket::{Paper, Profile, QrMode};
use crate::wrap::Marks;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything the kiosk needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The server, e.g. `http://192.168.1.10:8080`.
    pub server: String,
    /// This kiosk's device token. Empty: read it from `credentials`.
    pub token: String,
    /// The server's first-start credentials file, for a demo kiosk on the
    /// same machine.
    pub credentials: PathBuf,
    /// The printer.
    pub printer: PrinterConfig,
    /// Keys that take a ticket (a button box that types "1"), key → the
    /// service's id.
    pub keys: std::collections::BTreeMap<String, i64>,
}

/// The printer's part of the configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterConfig {
    /// `preview` (no printer: tickets drawn as PNG files in `preview_dir`),
    /// `serial`, `file` or `tcp`.
    pub kind: String,
    /// The serial port or device file.
    pub path: String,
    /// The network printer's `host:port`.
    pub addr: String,
    /// The preview's folder.
    pub preview_dir: PathBuf,
    /// The serial line's speed.
    pub baud: u32,
    /// Hardware flow control on the serial line.
    pub rts_cts: bool,
    /// `wpc1258`, `xprinter` or `raster`.
    pub profile: Profile,
    /// `58mm` or `80mm`.
    pub paper: Paper,
    /// `native` (`GS ( k`) or `raster` (drawn here, for printers without it).
    pub qr: QrMode,
    /// Text profiles: `cell` if the printer gives a tone mark's byte a cell
    /// of its own, `overstrike` if it draws it over the letter.
    pub marks: Marks,
    /// How long the printer may take to answer, in milliseconds.
    pub timeout_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            server: "http://127.0.0.1:8080".into(),
            token: String::new(),
            credentials: PathBuf::from("layso.db.credentials.toml"),
            printer: PrinterConfig {
                // Until a printer is configured, the kiosk prints to the
                // preview: a newcomer's first kiosk works.
                kind: "preview".into(),
                path: "/dev/ttyUSB0".into(),
                addr: "127.0.0.1:9100".into(),
                preview_dir: PathBuf::from("ticket-preview"),
                baud: 9600,
                rts_cts: false,
                profile: Profile::Raster,
                paper: Paper::Mm80,
                qr: QrMode::Native,
                marks: Marks::Cell,
                timeout_ms: 500,
            },
            keys: std::collections::BTreeMap::new(),
        }
    }
}

/// Configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A source had a bad value or an unknown key.
    #[error("configuration: {0}")]
    Figment(#[from] Box<figment::Error>),
    /// A key of `[keys]` is not one character.
    #[error("configuration: keys.{0:?} is not one character")]
    Key(String),
    /// The printer's kind is none of the three.
    #[error("configuration: printer.kind is {0:?}; expected preview, serial, file or tcp")]
    PrinterKind(String),
}

impl Config {
    /// Reads the layers; `file` is used if it exists.
    pub fn load(file: &Path, overrides: impl Serialize) -> Result<Self, ConfigError> {
        let config: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("LAYSO_KIOSK_").split("__"))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(Box::new)?;
        config.printer_setup()?;
        config.keys()?;
        Ok(config)
    }

    /// The printer as the worker uses it.
    pub fn printer_setup(&self) -> Result<PrinterSetup, ConfigError> {
        let p = &self.printer;
        let transport = match p.kind.as_str() {
            "serial" => Transport::Serial {
                path: p.path.clone(),
                baud: p.baud,
                rts_cts: p.rts_cts,
            },
            "file" => Transport::File {
                path: PathBuf::from(&p.path),
            },
            "tcp" => Transport::Tcp {
                addr: p.addr.clone(),
            },
            "preview" => Transport::Preview {
                dir: p.preview_dir.clone(),
                dots: p.paper.dots(),
            },
            other => return Err(ConfigError::PrinterKind(other.to_owned())),
        };
        Ok(PrinterSetup {
            transport,
            profile: p.profile,
            paper: p.paper,
            qr: p.qr,
            marks: p.marks,
            timeout: Duration::from_millis(p.timeout_ms.max(50)),
        })
    }

    /// The keys that take tickets, as the screen uses them.
    pub fn keys(
        &self,
    ) -> Result<std::collections::HashMap<char, layso_protocol::ServiceId>, ConfigError> {
        self.keys
            .iter()
            .map(|(key, service)| {
                let mut chars = key.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Ok((c, layso_protocol::ServiceId(*service))),
                    _ => Err(ConfigError::Key(key.clone())),
                }
            })
            .collect()
    }

    /// The device token: configured, or the demo kiosk's from the
    /// credentials file.
    pub fn token(&self) -> std::io::Result<String> {
        if self.token.is_empty() {
            crate::client::secret(&self.credentials, "devices.kiosk", "token")
        } else {
            Ok(self.token.clone())
        }
    }
}
