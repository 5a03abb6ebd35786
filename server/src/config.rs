//! Typed configuration, layered: defaults, then a TOML file, then `LAYSO_SERVER_*`
//! environment variables, then command-line flags.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Layso queue server. Flags win over `LAYSO_SERVER_*` environment variables,
/// which win over the config file.
#[derive(Debug, clap::Parser, Serialize)]
#[command(version)]
pub struct Flags {
    /// TOML config file (used if it exists).
    #[arg(long, default_value = "layso.toml")]
    #[serde(skip)]
    pub config: PathBuf,
    /// Address to listen on, e.g. 0.0.0.0:8080 (port 0 picks a free one).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    /// The address citizens' phones open the server at, for the tracking
    /// link in each ticket's QR code, e.g. http://192.168.1.10:8080.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// SQLite file, created on first start.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<PathBuf>,
    /// Time zone of the demo office (IANA name).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Instead of serving, do this once and exit.
    #[command(subcommand)]
    #[serde(skip)]
    pub command: Option<Command>,
}

/// What `layso-server` may do instead of serving.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Creates a province administrator (who creates offices and their
    /// admins, and sees every office) and prints their password once.
    ProvinceAdmin {
        /// Their sign-in name (2–32 of a-z 0-9 . _ -).
        username: String,
        /// Their full name.
        #[arg(long)]
        full_name: String,
        /// The code of the office they sign in at (default: the first).
        #[arg(long)]
        office: Option<String>,
    },
}

/// Everything the server needs to start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The address citizens' phones open the server at (`http://` or
    /// `https://`, no path), for the tracking link in each ticket's QR
    /// code. Unset: the address each kiosk itself uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// The SQLite file; created and migrated on first start.
    pub database: PathBuf,
    /// Time zone of the demo office created on first start.
    pub time_zone: String,
    /// Seed a demo office when the database has no office.
    pub demo: bool,
    /// Issuing hours of the demo services.
    pub demo_hours: DemoHours,
    /// Log filter, in `tracing_subscriber::EnvFilter` syntax.
    pub log: String,
    /// How often the live event stream sends a heartbeat; a client that
    /// sends nothing for three times as long is disconnected.
    pub heartbeat_ms: u64,
    /// How many live messages a slow event stream may fall behind before it
    /// is told to resync.
    pub event_buffer: usize,
    /// The most missed events a reconnecting stream is sent; further behind,
    /// it is told to fetch a fresh snapshot.
    pub max_replay: u64,
    /// How long a staff session lasts, in hours.
    pub session_hours: u32,
    /// How many tickets a kiosk may issue in a burst…
    pub kiosk_burst: u32,
    /// …and how many seconds it takes to earn one more.
    pub kiosk_refill_secs: u32,
    /// Passwords for the demo's users on first start (user name → password);
    /// users not named here get a random one. Either way they are written
    /// once to the credentials file beside the database.
    pub initial_passwords: BTreeMap<String, String>,
}

/// The issuing hours the demo office gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemoHours {
    /// Every day, all day: try it at any hour.
    Always,
    /// A real one-stop office: 07:30–11:15 and 13:15–16:30, Monday to Friday.
    Office,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            database: PathBuf::from("layso.db"),
            time_zone: "Asia/Ho_Chi_Minh".to_owned(),
            demo: true,
            demo_hours: DemoHours::Always,
            log: "info".to_owned(),
            heartbeat_ms: 3000,
            event_buffer: 8192,
            max_replay: 10_000,
            session_hours: 12,
            kiosk_burst: 5,
            kiosk_refill_secs: 10,
            initial_passwords: BTreeMap::new(),
        }
    }
}

/// Configuration that could not be read or makes no sense.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A source had a bad value or an unknown key.
    #[error("configuration: {0}")]
    Figment(#[from] Box<figment::Error>),
    /// The time zone is not an IANA name.
    #[error("configuration: unknown time zone {0:?} (expected an IANA name like Asia/Ho_Chi_Minh)")]
    TimeZone(String),
    /// The public address is not a bare `http(s)://host[:port]` address.
    #[error(
        "configuration: public_url {0:?} must be an http:// or https:// address without a path, like https://layso.example.vn"
    )]
    PublicUrl(String),
}

impl Config {
    /// Reads the layers; `file` is used if it exists, `overrides` (command-line
    /// flags) win over everything.
    pub fn load(file: &Path, overrides: impl Serialize) -> Result<Self, ConfigError> {
        let config: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("LAYSO_SERVER_"))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(Box::new)?;
        if config.time_zone.parse::<chrono_tz::Tz>().is_err() {
            return Err(ConfigError::TimeZone(config.time_zone));
        }
        let public_url = config.public_url.map(public_url).transpose()?;
        Ok(Config {
            public_url,
            ..config
        })
    }
}

/// The public address without a trailing `/`, if it is a bare http(s)
/// address: a scheme, then a host (and port) with nothing blank or odd in it.
fn public_url(url: String) -> Result<String, ConfigError> {
    let bare = url.trim().trim_end_matches('/');
    let host = bare
        .strip_prefix("https://")
        .or_else(|| bare.strip_prefix("http://"));
    match host {
        Some(host)
            if !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c)) =>
        {
            Ok(bare.to_owned())
        }
        _ => Err(ConfigError::PublicUrl(url)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Later layers win: file < environment < flags; typos in the file are errors.
    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail decides the closure's error type
    fn layers_and_errors() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "layso.toml",
                "database = \"file.db\"\nlisten = \"0.0.0.0:9000\"\n",
            )?;
            jail.set_env("LAYSO_SERVER_DATABASE", "env.db");
            let flags = serde_json::json!({ "listen": "127.0.0.1:7000" });
            let config =
                Config::load(Path::new("layso.toml"), &flags).map_err(|e| e.to_string())?;
            assert_eq!(config.database, PathBuf::from("env.db"));
            assert_eq!(config.listen, SocketAddr::from(([127, 0, 0, 1], 7000)));
            assert_eq!(config.time_zone, "Asia/Ho_Chi_Minh");

            jail.create_file("typo.toml", "databse = \"x.db\"\n")?;
            assert!(Config::load(Path::new("typo.toml"), serde_json::json!({})).is_err());
            jail.set_env("LAYSO_SERVER_TIME_ZONE", "Mars/Olympus");
            let err = Config::load(Path::new("layso.toml"), serde_json::json!({})).unwrap_err();
            assert!(err.to_string().contains("Mars/Olympus"));
            jail.set_env("LAYSO_SERVER_TIME_ZONE", "Asia/Ho_Chi_Minh");

            // The public address loses a trailing slash; one with a path
            // or a wrong scheme is refused.
            jail.set_env("LAYSO_SERVER_PUBLIC_URL", "https://layso.tanphu.gov.vn/");
            let config = Config::load(Path::new("layso.toml"), serde_json::json!({}))
                .map_err(|e| e.to_string())?;
            assert_eq!(
                config.public_url.as_deref(),
                Some("https://layso.tanphu.gov.vn")
            );
            for bad in [
                "layso.tanphu.gov.vn",
                "https://x.vn/t",
                "ftp://x.vn",
                "http://",
            ] {
                jail.set_env("LAYSO_SERVER_PUBLIC_URL", bad);
                let err = Config::load(Path::new("layso.toml"), serde_json::json!({})).unwrap_err();
                assert!(err.to_string().contains("public_url"), "{bad}: {err}");
            }
            Ok(())
        });
    }

    // The documented example is a valid configuration and matches the defaults.
    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail decides the closure's error type
    fn example_file_is_valid() {
        // In a Jail too: it serializes tests that touch the environment.
        figment::Jail::expect_with(|_| {
            let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../layso.example.toml");
            let config =
                Config::load(&example, serde_json::json!({})).map_err(|e| e.to_string())?;
            assert_eq!(config, Config::default());
            Ok(())
        });
    }
}
