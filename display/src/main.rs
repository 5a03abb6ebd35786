//! `layso-display`: the hall board (full screen, or `--windowed
//! 1920x1080`, or `--headless` without a window); `say NUMBER COUNTER`,
//! one announcement through the speakers with its words printed, for
//! installers (`--text`: the words only); `build-pack`, the default voice
//! pack made with espeak-ng.

use anyhow::Context;
use clap::{Parser, Subcommand};
use layso_display::config::Config;
use layso_display::voice::engine::Engine;
use layso_display::voice::pack;
use layso_display::voice::speaker::Speaker;
use layso_protocol::speech::{DEFAULT_PHRASE, Dialect, Reading, call_words};
use serde::Serialize;
use std::path::PathBuf;

/// Layso hall display. Flags win over `LAYSO_DISPLAY_*` environment
/// variables, which win over the config file.
#[derive(Debug, Parser, Serialize)]
#[command(version)]
struct Cli {
    /// TOML config file (used if it exists).
    #[arg(long, default_value = "display.toml")]
    #[serde(skip)]
    config: PathBuf,
    /// The server, e.g. http://192.168.1.10:8080.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    server: Option<String>,
    /// The voice pack's folder.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    voice_pack: Option<PathBuf>,
    /// No sound.
    #[arg(long)]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    mute: bool,
    /// No window: the board's calls are printed as they come.
    #[arg(long)]
    #[serde(skip)]
    headless: bool,
    /// A window of this size (e.g. 1920x1080) instead of the full screen.
    #[arg(long, value_parser = layso_device::window::parse_size)]
    #[serde(skip)]
    windowed: Option<(f32, f32)>,
    /// What to do; without a command, the board.
    #[command(subcommand)]
    #[serde(skip)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Say one call through the speakers and print its words.
    Say {
        /// The ticket's number, e.g. 1005 or A007.
        number: String,
        /// The counter's number.
        counter: String,
        /// Only print the words.
        #[arg(long)]
        text: bool,
        /// Southern numbers (lẻ, ngàn).
        #[arg(long)]
        south: bool,
        /// The ticket's digits one by one.
        #[arg(long)]
        digits: bool,
        /// The phrase ({số} and {quầy} are filled in).
        #[arg(long, default_value = DEFAULT_PHRASE)]
        phrase: String,
        /// Also write the announcement to this WAV file.
        #[arg(long)]
        wav: Option<PathBuf>,
    },
    /// Make the default voice pack with espeak-ng.
    BuildPack {
        /// The pack's folder (default: the configured one).
        dir: Option<PathBuf>,
        /// espeak-ng's voice: vi, or vi-vn-x-south.
        #[arg(long)]
        voice: Option<String>,
    },
}

fn main() -> anyhow::Result<()> {
    layso_device::log::to_stderr();
    let cli = Cli::parse();
    let config = Config::load(&cli.config, &cli)?;
    match cli.command {
        Some(Command::Say {
            number,
            counter,
            text,
            south,
            digits,
            phrase,
            wav,
        }) => say(
            &config, &number, &counter, text, south, digits, &phrase, wav,
        ),
        Some(Command::BuildPack { dir, voice }) => {
            let dir = dir.unwrap_or_else(|| config.voice_pack.clone());
            let engine = Engine::espeak(voice.as_deref().unwrap_or(&config.engine_voice));
            let clips = pack::build(&dir, &engine)?;
            println!("{clips} clips in {}", dir.display());
            Ok(())
        }
        None => {
            let placement = layso_device::window::Placement {
                size: cli.windowed,
                at: None,
            };
            layso_display::run::board(&config, cli.headless, placement)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn say(
    config: &Config,
    number: &str,
    counter: &str,
    text_only: bool,
    south: bool,
    digits: bool,
    phrase: &str,
    wav: Option<PathBuf>,
) -> anyhow::Result<()> {
    let dialect = if south {
        Dialect::South
    } else {
        config.dialect
    };
    let reading = if digits {
        Reading::Digits
    } else {
        config.reading
    };
    let words = call_words(phrase, number, counter, dialect, reading);
    println!("{words}");
    if text_only {
        return Ok(());
    }
    let voice = layso_display::load_voice(&config.voice_pack, &config.engine_voice);
    let spoken = voice.announce(&words, config.repeat.clamp(1, 5));
    println!(
        "{:.1} s of audio, {} samples at {} Hz",
        spoken.audio.duration().as_secs_f64(),
        spoken.audio.samples.len(),
        spoken.audio.rate
    );
    if !spoken.missing.is_empty() {
        println!("not in the voice pack, and no engine: {:?}", spoken.missing);
    }
    if let Some(path) = &wav {
        std::fs::write(path, spoken.audio.wav_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if !config.mute {
        let played = config
            .speaker()
            .map_err(anyhow::Error::from)
            .and_then(|mut speaker| Ok(speaker.play(&spoken.audio)?));
        match (played, &wav) {
            (Ok(()), _) => {}
            // The file was what the installer asked for: a machine without
            // a sound card is said in a line, not as a failure.
            (Err(error), Some(path)) => {
                let reason = error.to_string();
                let first = reason.lines().next().unwrap_or_default();
                eprintln!(
                    "Không phát được qua loa ({first}); âm thanh đã ghi vào {}.",
                    path.display()
                );
            }
            (Err(error), None) => return Err(error),
        }
    }
    Ok(())
}
