//! The board's way of running, for the display's binary and for the demo
//! hall: a window, or headless with each call printed.

use crate::config::Config;
use crate::display::{Display, Note};
use crate::link::Settings;
use crate::voice::speaker::{Silent, Speaker};
use anyhow::Context;
use std::sync::Arc;
use std::time::Duration;

/// The board, until its window closes (or forever, headless).
pub fn board(
    config: &Config,
    headless: bool,
    placement: layso_device::window::Placement,
) -> anyhow::Result<()> {
    let token = config
        .token()
        .context("no token: set token or credentials")?;
    let mut settings = Settings::new(&config.server, &token);
    settings.resnapshot_after = Duration::from_secs(config.resnapshot_after_secs);
    let voice = Arc::new(crate::load_voice(&config.voice_pack, &config.engine_voice));
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
    let options = layso_device::window::options("Layso display", placement);
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
            Ok(Box::new(crate::window::Window::new(
                &cc.egui_ctx,
                display.board.clone(),
            )))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the window: {e}"))
}
