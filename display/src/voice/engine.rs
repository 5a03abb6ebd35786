//! The speech engine: espeak-ng, run as a program (the Debian package has
//! Vietnamese voices, `vi` and `vi-vn-x-south`). It makes the default
//! voice pack, and says what a pack lacks.

use super::audio::{Audio, RATE};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// espeak-ng with one of its voices.
#[derive(Debug, Clone)]
pub struct Engine {
    /// The program.
    pub program: PathBuf,
    /// Its voice, e.g. `vi`.
    pub voice: String,
    /// Words per minute.
    pub speed: u32,
}

/// Why the engine said nothing.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// espeak-ng is not installed (or not where configured).
    #[error("the speech engine {0} is not installed")]
    Missing(String),
    /// It ran but failed.
    #[error("the speech engine failed: {0}")]
    Failed(String),
}

/// How loud the engine's words are made (about -3 dBFS): loud enough for
/// a hall, with room before clipping.
pub const PEAK: u16 = 23_000;

/// Loudness under which a sample counts as the quiet around a word.
const QUIET: u16 = 400;

impl Engine {
    /// espeak-ng from `PATH` with `voice`, at a calm speed for a hall.
    pub fn espeak(voice: &str) -> Self {
        Self {
            program: PathBuf::from("espeak-ng"),
            voice: voice.to_owned(),
            speed: 135,
        }
    }

    /// Whether the program runs at all.
    pub fn available(&self) -> bool {
        Command::new(&self.program)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// `text` spoken, trimmed of the quiet at both ends, at [`RATE`].
    pub fn say(&self, text: &str) -> Result<Audio, EngineError> {
        let dir = tempfile::tempdir().map_err(|e| EngineError::Failed(e.to_string()))?;
        let wav = dir.path().join("say.wav");
        let output = Command::new(&self.program)
            .args(["-v", &self.voice, "-s", &self.speed.to_string(), "-w"])
            .arg(&wav)
            .arg("--")
            .arg(text)
            .output()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    EngineError::Missing(self.program.display().to_string())
                }
                _ => EngineError::Failed(e.to_string()),
            })?;
        if !output.status.success() {
            return Err(EngineError::Failed(
                String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            ));
        }
        let file = std::fs::File::open(&wav).map_err(|e| EngineError::Failed(e.to_string()))?;
        let audio = Audio::read_wav(std::io::BufReader::new(file))
            .map_err(|e| EngineError::Failed(e.to_string()))?;
        let audio = audio
            .trimmed(QUIET, Duration::from_millis(15))
            .resampled(RATE)
            .normalised(PEAK);
        if audio.samples.is_empty() {
            return Err(EngineError::Failed(format!("silence for {text:?}")));
        }
        Ok(audio)
    }
}
