//! Playing an announcement through the operating system's audio. The
//! display links no sound library (the build and the tests run on
//! machines without one): it hands a WAV file to the system's player,
//! PipeWire's `pw-play`, PulseAudio's `paplay` or ALSA's `aplay`, whichever
//! is installed, and waits for it to finish, so announcements never
//! overlap.

use super::audio::Audio;
use std::path::PathBuf;
use std::process::Command;

/// Something that plays announcements, one at a time.
pub trait Speaker: Send {
    /// Plays `audio` to its end.
    fn play(&mut self, audio: &Audio) -> Result<(), SpeakerError>;
}

/// Why an announcement was not heard.
#[derive(Debug, thiserror::Error)]
pub enum SpeakerError {
    /// No player program is installed.
    #[error("no audio player found (install pipewire-bin, pulseaudio-utils or alsa-utils)")]
    NoPlayer,
    /// The player failed.
    #[error("{program}: {message}")]
    Failed {
        /// Which player.
        program: String,
        /// What it said.
        message: String,
    },
}

/// The system's player program, with the arguments that come before the
/// file (e.g. `aplay -D plughw:1`).
#[derive(Debug, Clone)]
pub struct SystemSpeaker {
    program: PathBuf,
    args: Vec<String>,
}

/// The players tried, in order.
const PLAYERS: [&str; 3] = ["pw-play", "paplay", "aplay"];

impl SystemSpeaker {
    /// The first of the known players found on `PATH`.
    pub fn find() -> Result<Self, SpeakerError> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        PLAYERS
            .iter()
            .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
            .find(|candidate| candidate.is_file())
            .map(|program| {
                // aplay talks while it plays; quiet it.
                let args = if program.ends_with("aplay") {
                    vec!["-q".to_owned()]
                } else {
                    Vec::new()
                };
                Self { program, args }
            })
            .ok_or(SpeakerError::NoPlayer)
    }

    /// The player named by `command`, a program and its arguments separated
    /// by spaces (the file is added last); `None` if it is empty.
    pub fn command(command: &str) -> Option<Self> {
        let mut words = command.split_whitespace().map(String::from);
        let program = PathBuf::from(words.next()?);
        Some(Self {
            program,
            args: words.collect(),
        })
    }
}

impl Speaker for SystemSpeaker {
    fn play(&mut self, audio: &Audio) -> Result<(), SpeakerError> {
        let failed = |message: String| SpeakerError::Failed {
            program: self.program.display().to_string(),
            message,
        };
        let file = tempfile::Builder::new()
            .prefix("layso-call-")
            .suffix(".wav")
            .tempfile()
            .map_err(|e| failed(e.to_string()))?;
        std::fs::write(file.path(), audio.wav_bytes()).map_err(|e| failed(e.to_string()))?;
        let output = Command::new(&self.program)
            .args(&self.args)
            .arg(file.path())
            .output()
            .map_err(|e| failed(e.to_string()))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(failed(
                String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            ))
        }
    }
}

/// Plays nothing: a board without speakers (`mute`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Speaker for Silent {
    fn play(&mut self, _audio: &Audio) -> Result<(), SpeakerError> {
        Ok(())
    }
}
