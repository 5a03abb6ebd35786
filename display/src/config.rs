//! The display's configuration, layered like the kiosk's: defaults, then
//! `display.toml`, then `LAYSO_DISPLAY_*` environment variables, then flags.

use crate::display::Speech;
use crate::voice::speaker::{SpeakerError, SystemSpeaker};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use layso_protocol::speech::{Dialect, Reading};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything the display needs to know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The server, `http://host:port`.
    pub server: String,
    /// The display's device token; empty: the demo display's, read from
    /// `credentials`.
    pub token: String,
    /// The credentials file the server's first start writes.
    pub credentials: PathBuf,
    /// The voice pack's folder (built with espeak-ng at start if missing).
    pub voice_pack: PathBuf,
    /// The espeak-ng voice for the default pack and for words a pack
    /// lacks: `vi`, or `vi-vn-x-south`.
    pub engine_voice: String,
    /// Numbers read the Northern or the Southern way.
    pub dialect: Dialect,
    /// Ticket numbers read as numbers or digit by digit.
    pub reading: Reading,
    /// How many times each call is said.
    pub repeat: u32,
    /// The call phrase, instead of the office's (`{số}`, `{quầy}`).
    pub phrase: Option<String>,
    /// Calls caught up on after an absence are said only if at most this
    /// many seconds old.
    pub speak_within_secs: u64,
    /// Offline longer than this many seconds, start again from a snapshot.
    pub resnapshot_after_secs: u64,
    /// No sound at all (a board without speakers).
    pub mute: bool,
    /// The program that plays announcements, with its arguments (the WAV
    /// file comes last), e.g. `aplay -D plughw:1,0`; empty: the first of
    /// `pw-play`, `paplay` and `aplay` that is installed.
    pub player: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            server: "http://127.0.0.1:8080".into(),
            token: String::new(),
            credentials: PathBuf::from("layso.db.credentials.toml"),
            voice_pack: PathBuf::from("voice-pack"),
            engine_voice: "vi".into(),
            dialect: Dialect::North,
            reading: Reading::Number,
            repeat: 2,
            phrase: None,
            speak_within_secs: 15,
            resnapshot_after_secs: 120,
            mute: false,
            player: String::new(),
        }
    }
}

/// A configuration the display cannot run with.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(#[from] Box<figment::Error>);

impl Config {
    /// Defaults, then `file` (if it exists), then the environment, then
    /// `overrides` (the flags given).
    pub fn load(file: &Path, overrides: impl Serialize) -> Result<Self, ConfigError> {
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("LAYSO_DISPLAY_").split("__"))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|e| ConfigError(Box::new(e)))
    }

    /// The device token: configured, or the demo display's from the
    /// credentials file.
    pub fn token(&self) -> std::io::Result<String> {
        if self.token.is_empty() {
            layso_device::client::secret(&self.credentials, "devices.display", "token")
        } else {
            Ok(self.token.clone())
        }
    }

    /// The speaker announcements play through: the configured player, or
    /// the first one installed.
    pub fn speaker(&self) -> Result<SystemSpeaker, SpeakerError> {
        match SystemSpeaker::command(&self.player) {
            Some(speaker) => Ok(speaker),
            None => SystemSpeaker::find(),
        }
    }

    /// How calls are said.
    pub fn speech(&self) -> Speech {
        Speech {
            phrase: self.phrase.clone(),
            dialect: self.dialect,
            reading: self.reading,
            repeat: self.repeat.clamp(1, 5),
            speak_within: Duration::from_secs(self.speak_within_secs),
        }
    }
}
