//! `layso-display`: the hall board (full screen, or `--windowed
//! 1920x1080`, or `--headless` without a window); `say NUMBER COUNTER`,
//! one announcement through the speakers with its words printed, for
//! installers (`--text`: the words only); `build-pack`, the default voice
//! pack made with espeak-ng.

use anyhow::Context;
use clap::{Parser, Subcommand};
use layso_display::config::Config;
use layso_display::display::{Display, Note};
use layso_display::link::Settings;
use layso_display::voice::engine::Engine;
use layso_display::voice::pack;
use layso_display::voice::speaker::{Silent, Speaker};
use layso_protocol::speech::{DEFAULT_PHRASE, Dialect, Reading, call_words};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
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
        None => run(&config, cli.headless, cli.windowed),
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

/// The board, until its window closes (or forever, headless).
fn run(config: &Config, headless: bool, windowed: Option<(f32, f32)>) -> anyhow::Result<()> {
    let token = config
        .token()
        .context("no token: set token or credentials")?;
    let mut settings = Settings::new(&config.server, &token);
    settings.resnapshot_after = Duration::from_secs(config.resnapshot_after_secs);
    let voice = Arc::new(layso_display::load_voice(
        &config.voice_pack,
        &config.engine_voice,
    ));
    let speaker: Box<dyn Speaker> = if config.mute {
        Box::new(Silent)
    } else {
        match config.speaker() {
            Ok(speaker) => Box::new(speaker),
            Err(error) => {
                tracing::error!(%error, "voice: calls will be shown but not heard");
                Box::new(Silent)
            }
        }
    };
    if headless {
        let (notes_tx, notes) = std::sync::mpsc::channel();
        let display = Display::start(
            settings,
            config.speech(),
            voice,
            speaker,
            Arc::new(|| {}),
            Some(notes_tx),
        );
        println!("Layso display, no window: calls are printed; ctrl-c to stop.");
        let mut online = None;
        for note in notes {
            let board = display
                .board
                .lock()
                .expect("no panics under the board's lock")
                .clone();
            if online != Some(board.online) {
                online = Some(board.online);
                println!(
                    "{}",
                    if board.online {
                        board.office.as_str()
                    } else {
                        "Mất kết nối máy chủ"
                    }
                );
            }
            if let Note::Ready { words, .. } = note {
                println!("{words}");
            }
        }
        return Ok(());
    }
    let options = layso_device::window::options(windowed);
    let speech = config.speech();
    eframe::run_native(
        "layso-display",
        options,
        Box::new(move |cc| {
            let ctx = cc.egui_ctx.clone();
            let display = Display::start(
                settings,
                speech,
                voice,
                speaker,
                Arc::new(move || ctx.request_repaint()),
                None,
            );
            Ok(Box::new(layso_display::window::Window::new(
                &cc.egui_ctx,
                display.board.clone(),
            )))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the window: {e}"))
}
