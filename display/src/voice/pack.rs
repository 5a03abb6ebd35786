//! A voice pack: a folder of WAV clips, one per word or phrase part, and
//! `manifest.toml`, which says what each clip says:
//!
//! ```toml
//! name = "espeak-ng vi"
//! [clips]
//! "xin mời công dân có số thứ tự" = "clip-000.wav"
//! "một" = "clip-001.wav"
//! ```
//!
//! An office can record its own clips and write its own manifest; a clip
//! may say several words, and the longest clip that fits is used. Clips of
//! any rate and bit depth are read (resampled to [`RATE`] on loading).
//! `chime.wav`, if present, replaces the synthesised chime.

use super::audio::{Audio, RATE};
use super::engine::{Engine, EngineError};
use layso_protocol::speech::{DEFAULT_PHRASE, letter_name};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The file that names a pack's clips.
pub const MANIFEST: &str = "manifest.toml";

/// The manifest's contents.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    /// What the pack is (shown to the operator).
    #[serde(default)]
    pub name: String,
    /// What a clip says → its file, relative to the pack's folder.
    pub clips: BTreeMap<String, String>,
}

/// A loaded pack.
#[derive(Debug, Clone, Default)]
pub struct Pack {
    /// Its name.
    pub name: String,
    /// Words (normalised, space-separated) → the clip saying them.
    clips: HashMap<String, Audio>,
    /// The most words one clip says.
    longest: usize,
    /// The office's own chime, if it has one.
    pub chime: Option<Audio>,
}

/// A pack the display cannot load.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// The folder or a file in it cannot be read.
    #[error("voice pack {path}: {message}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Building the default pack needs the engine.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

fn unreadable(path: &Path, message: impl ToString) -> PackError {
    PackError::Unreadable {
        path: path.to_owned(),
        message: message.to_string(),
    }
}

/// Text as packs key it: lower case, words separated by single spaces,
/// no punctuation.
pub fn normalise(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c.is_ascii_punctuation())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.join(" ")
}

impl Pack {
    /// Reads the pack in `dir`.
    pub fn load(dir: &Path) -> Result<Pack, PackError> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|e| unreadable(&path, e))?;
        let manifest: Manifest = toml::from_str(&text).map_err(|e| unreadable(&path, e))?;
        let mut pack = Pack {
            name: manifest.name,
            ..Pack::default()
        };
        for (words, file) in &manifest.clips {
            let path = dir.join(file);
            let audio = read(&path)?;
            if audio.samples.is_empty() {
                return Err(unreadable(&path, "the clip is empty"));
            }
            pack.insert(words, audio);
        }
        let chime = dir.join("chime.wav");
        if chime.exists() {
            pack.chime = Some(read(&chime)?);
        }
        Ok(pack)
    }

    /// Adds (or replaces) the clip that says `words`.
    pub fn insert(&mut self, words: &str, audio: Audio) {
        let key = normalise(words);
        self.longest = self.longest.max(key.split(' ').count());
        self.clips.insert(key, audio.resampled(RATE));
    }

    /// The clip saying exactly `words` (normalised).
    pub fn clip(&self, words: &str) -> Option<&Audio> {
        self.clips.get(words)
    }

    /// How many clips it has.
    pub fn len(&self) -> usize {
        self.clips.len()
    }

    /// Whether it has no clips.
    pub fn is_empty(&self) -> bool {
        self.clips.is_empty()
    }

    /// The most words one of its clips says.
    pub fn longest(&self) -> usize {
        self.longest
    }
}

fn read(path: &Path) -> Result<Audio, PackError> {
    let file = std::fs::File::open(path).map_err(|e| unreadable(path, e))?;
    Audio::read_wav(std::io::BufReader::new(file)).map_err(|e| unreadable(path, e))
}

/// Every word and phrase part the default pack says: the digits and the
/// number words of both variants, the letters' names, and the default
/// phrase in its parts and word by word (for phrases an office writes).
pub fn vocabulary() -> Vec<String> {
    let mut words: Vec<String> = [
        "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười", "mươi",
        "mốt", "tư", "lăm", "linh", "lẻ", "trăm", "nghìn", "ngàn",
    ]
    .map(String::from)
    .to_vec();
    for letter in ('a'..='z').chain("ăâđêôơư".chars()) {
        if let Some(name) = letter_name(letter) {
            words.extend(name.split(' ').map(String::from));
        }
    }
    // Outside the braces: the phrase's own words, not its placeholders.
    for part in DEFAULT_PHRASE.split(['{', '}']).step_by(2) {
        let part = normalise(part);
        if part.is_empty() {
            continue;
        }
        words.push(part.clone());
        words.extend(part.split(' ').map(String::from));
    }
    let mut seen = std::collections::HashSet::new();
    words.retain(|w| seen.insert(w.clone()));
    words
}

/// Makes the default pack in `dir` with `engine`: one clip per entry of
/// [`vocabulary`] and its manifest. Returns how many clips it wrote.
pub fn build(dir: &Path, engine: &Engine) -> Result<usize, PackError> {
    std::fs::create_dir_all(dir).map_err(|e| unreadable(dir, e))?;
    let mut manifest = Manifest {
        name: format!("espeak-ng {}", engine.voice),
        clips: BTreeMap::new(),
    };
    for (i, words) in vocabulary().iter().enumerate() {
        let audio = engine.say(words)?;
        let file = format!("clip-{i:03}.wav");
        let path = dir.join(&file);
        let out = std::fs::File::create(&path).map_err(|e| unreadable(&path, e))?;
        audio
            .write_wav(std::io::BufWriter::new(out))
            .map_err(|e| unreadable(&path, e))?;
        manifest.clips.insert(words.clone(), file);
    }
    let path = dir.join(MANIFEST);
    let text = toml::to_string(&manifest).map_err(|e| unreadable(&path, e))?;
    std::fs::write(&path, text).map_err(|e| unreadable(&path, e))?;
    Ok(manifest.clips.len())
}
