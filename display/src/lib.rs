//! The hall display: a full-screen board of the calls, and a voice that
//! says each one in Vietnamese.
//!
//! [`board`] is what the board shows, a plain value changed by server
//! events; [`link`] keeps it connected (snapshot, event stream, resume,
//! backoff); [`voice`] turns a call's words into an announcement's samples
//! from a voice pack and plays them; [`display`] runs these together on
//! threads; [`window`] draws the board; [`config`] reads the settings.

pub mod board;
pub mod config;
pub mod display;
pub mod link;
pub mod run;
pub mod voice;
pub mod window;

use std::path::Path;
use voice::Voice;
use voice::engine::Engine;
use voice::pack::{self, Pack};

/// The voice of `pack_dir`, falling back to espeak-ng's `engine_voice` for
/// words the pack lacks. A missing pack is built first with the engine;
/// without either, calls only chime and the operator is told so.
pub fn load_voice(pack_dir: &Path, engine_voice: &str) -> Voice {
    let engine = Engine::espeak(engine_voice);
    let engine = engine.available().then_some(engine);
    if !pack_dir.join(pack::MANIFEST).exists() {
        match &engine {
            Some(engine) => {
                tracing::info!(dir = %pack_dir.display(), "voice: building the default voice pack with espeak-ng");
                if let Err(error) = pack::build(pack_dir, engine) {
                    tracing::error!(%error, "voice: cannot build the voice pack");
                }
            }
            None => tracing::error!(
                dir = %pack_dir.display(),
                "voice: no voice pack and no espeak-ng to make one: calls will only chime (apt install espeak-ng)"
            ),
        }
    }
    let pack = match Pack::load(pack_dir) {
        Ok(pack) => {
            tracing::info!(name = %pack.name, clips = pack.len(), "voice: pack loaded");
            pack
        }
        Err(error) => {
            if pack_dir.join(pack::MANIFEST).exists() {
                tracing::error!(%error, "voice: cannot load the voice pack");
            }
            Pack::default()
        }
    };
    Voice::new(pack, engine)
}
