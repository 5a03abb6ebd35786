//! The voice: a call's words → the clips of a voice pack (the engine for
//! what the pack lacks) → one announcement's samples: the chime, then the
//! phrase as many times as the office wants. All in-process, so every
//! announcement can be checked as samples; only playing it needs the
//! operating system ([`speaker`]).

pub mod audio;
pub mod engine;
pub mod pack;
pub mod speaker;

use audio::{Audio, RATE};
use engine::Engine;
use pack::{Pack, normalise};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Between two clips of one phrase.
pub const WORD_GAP: Duration = Duration::from_millis(40);
/// At a comma or full stop of the phrase.
pub const COMMA: Duration = Duration::from_millis(250);
/// After the chime.
pub const AFTER_CHIME: Duration = Duration::from_millis(300);
/// Between two repetitions of the phrase.
pub const BETWEEN_REPEATS: Duration = Duration::from_millis(800);

/// One part of an announcement's plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// The pack's clip saying these words.
    Clip(String),
    /// Words the pack lacks, said by the engine.
    Engine(String),
    /// Words neither the pack nor the engine can say.
    Missing(String),
    /// A comma's pause.
    Pause,
}

/// What an announcement will say and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Spoken {
    /// The chime and the phrase's repetitions, ready to play.
    pub audio: Audio,
    /// The phrase as pieces, once.
    pub plan: Vec<Piece>,
    /// Words nothing could say (the operator is told).
    pub missing: Vec<String>,
}

/// A voice pack, the engine behind it, and the chime.
#[derive(Debug)]
pub struct Voice {
    pack: Pack,
    engine: Option<Engine>,
    chime: Audio,
    /// What the engine has said already: a word missing from the pack is
    /// synthesised once.
    said: Mutex<HashMap<String, Audio>>,
}

impl Voice {
    /// A voice speaking with `pack`, falling back to `engine` (if any).
    pub fn new(pack: Pack, engine: Option<Engine>) -> Self {
        let chime = pack.chime.clone().unwrap_or_else(|| audio::chime(RATE));
        Self {
            pack,
            engine,
            chime,
            said: Mutex::new(HashMap::new()),
        }
    }

    /// How `text` is said: the longest clips that fit, left to right; what
    /// no clip says goes to the engine, or is missing without one.
    pub fn plan(&self, text: &str) -> Vec<Piece> {
        let mut plan = Vec::new();
        for (i, segment) in text.split([',', '.', ';', ':']).enumerate() {
            let words: Vec<String> = normalise(segment)
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(String::from)
                .collect();
            if words.is_empty() {
                continue;
            }
            if i > 0 && !plan.is_empty() {
                plan.push(Piece::Pause);
            }
            let mut unknown: Vec<String> = Vec::new();
            let mut at = 0;
            while at < words.len() {
                let longest = self.pack.longest().min(words.len() - at);
                let found = (1..=longest)
                    .rev()
                    .map(|n| words[at..at + n].join(" "))
                    .find(|key| self.pack.clip(key).is_some());
                match found {
                    Some(key) => {
                        self.flush(&mut unknown, &mut plan);
                        at += key.split(' ').count();
                        plan.push(Piece::Clip(key));
                    }
                    None => {
                        unknown.push(words[at].clone());
                        at += 1;
                    }
                }
            }
            self.flush(&mut unknown, &mut plan);
        }
        plan
    }

    fn flush(&self, unknown: &mut Vec<String>, plan: &mut Vec<Piece>) {
        if unknown.is_empty() {
            return;
        }
        let words = unknown.join(" ");
        unknown.clear();
        plan.push(match self.engine {
            Some(_) => Piece::Engine(words),
            None => Piece::Missing(words),
        });
    }

    /// The announcement of `text`: the chime, then the phrase `repeat`
    /// times (at least once).
    pub fn announce(&self, text: &str, repeat: u32) -> Spoken {
        let mut plan = self.plan(text);
        let mut phrase = Audio::empty(RATE);
        let mut missing = Vec::new();
        for piece in &mut plan {
            let sound = match piece {
                Piece::Clip(key) => self.pack.clip(key).cloned(),
                Piece::Engine(words) => match self.engine_says(words) {
                    Ok(audio) => Some(audio),
                    Err(error) => {
                        tracing::warn!(%error, words = %words, "voice: the engine cannot say these words");
                        *piece = Piece::Missing(words.clone());
                        None
                    }
                },
                Piece::Pause => {
                    phrase.pause(COMMA);
                    None
                }
                Piece::Missing(_) => None,
            };
            if let Piece::Missing(words) = piece {
                missing.push(words.clone());
            }
            if let Some(sound) = sound {
                if !phrase.samples.is_empty() {
                    phrase.pause(WORD_GAP);
                }
                phrase.push(&sound);
            }
        }
        let mut audio = self.chime.clone();
        for i in 0..repeat.max(1) {
            audio.pause(if i == 0 { AFTER_CHIME } else { BETWEEN_REPEATS });
            audio.push(&phrase);
        }
        Spoken {
            audio,
            plan,
            missing,
        }
    }

    fn engine_says(&self, words: &str) -> Result<Audio, engine::EngineError> {
        let engine = self
            .engine
            .as_ref()
            .ok_or_else(|| engine::EngineError::Missing("(none configured)".into()))?;
        if let Some(audio) = self
            .said
            .lock()
            .expect("no panics under this lock")
            .get(words)
        {
            return Ok(audio.clone());
        }
        let audio = engine.say(words)?;
        self.said
            .lock()
            .expect("no panics under this lock")
            .insert(words.to_owned(), audio.clone());
        Ok(audio)
    }
}
