//! The kiosk's two ways of running, for its binary and for the demo hall:
//! the touch screen's window, and headless for button boxes.

use crate::client::Client;
use crate::config::Config;
use crate::flow::{Kiosk, Outcome, PrinterSetup};
use crate::printer::Transport;
use anyhow::Context;
use std::time::Duration;

/// What a kiosk printing to the preview says, on screen and in the log:
/// nothing comes out of it.
pub fn preview_note(setup: &PrinterSetup) -> Option<String> {
    match &setup.transport {
        Transport::Preview { dir, .. } => Some(format!(
            "Chưa cấu hình máy in: vé không in ra giấy mà được vẽ thành ảnh trong thư mục {} (máy in xem trước).",
            dir.display()
        )),
        _ => None,
    }
}

/// The touch screen, until its window closes.
pub fn window(
    config: &Config,
    setup: PrinterSetup,
    placement: layso_device::window::Placement,
) -> anyhow::Result<()> {
    let token = config
        .token()
        .context("no token: set token or credentials")?;
    let keys = config.keys()?;
    let options = layso_device::window::options("Layso kiosk", placement);
    let server = config.server.clone();
    let note = preview_note(&setup);
    if let Some(note) = &note {
        tracing::warn!(printer = %setup.transport, "{note}");
    }
    eframe::run_native(
        "layso-kiosk",
        options,
        Box::new(move |cc| {
            let ctx = cc.egui_ctx.clone();
            let client = Client::new(&server, &token, Duration::from_secs(5));
            let worker = crate::worker::spawn(
                Kiosk::new(client, setup),
                Duration::from_secs(10),
                Box::new(move || ctx.request_repaint()),
            );
            let screen = crate::screen::Screen::new(keys);
            Ok(Box::new(
                crate::window::Window::new(&cc.egui_ctx, screen, worker).with_note(note),
            ))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the window: {e}"))
}

/// Button boxes without a screen: each key read from standard input (raw,
/// when it is a terminal) goes through the same screen state as a tap, so
/// a key pressed while a ticket prints takes nothing.
pub fn headless(config: &Config, setup: PrinterSetup) -> anyhow::Result<()> {
    use crate::screen::{Input, Phase, Screen};
    use std::io::Read;
    use std::sync::mpsc;
    let token = config
        .token()
        .context("no token: set token or credentials")?;
    let keys = config.keys()?;
    anyhow::ensure!(
        !keys.is_empty(),
        "--headless needs [keys] in the configuration"
    );
    if let Some(note) = preview_note(&setup) {
        println!("{note}");
    }
    let _raw = RawTerminal::enter();
    let client = Client::new(&config.server, &token, Duration::from_secs(5));
    let worker = crate::worker::spawn(
        Kiosk::new(client, setup),
        Duration::from_secs(10),
        Box::new(|| {}),
    );
    let (typed, keys_in) = mpsc::channel::<char>();
    std::thread::spawn(move || {
        let mut byte = [0u8; 1];
        while let Ok(1) = std::io::stdin().read(&mut byte) {
            if typed.send(char::from(byte[0])).is_err() {
                return;
            }
        }
    });
    let mut screen = Screen::new(keys);
    let mut stdin_closed: Option<std::time::Instant> = None;
    println!("Layso kiosk, no screen: press a service's key; ctrl-c to stop.\r");
    loop {
        while let Ok(input) = worker.inputs.try_recv() {
            if let Input::Done(outcome) = &input {
                match outcome {
                    Outcome::Printed { number } => println!("{number}: Mời bạn nhận vé.\r"),
                    Outcome::NotPrinted { message, .. } | Outcome::Refused { message } => {
                        println!("{message}\r");
                    }
                }
            }
            let before = screen.banner();
            // A key that waited (the server came, the printer is free) may
            // be taken now.
            let command = screen.on(input, std::time::Instant::now());
            if screen.banner() != before {
                // The office's name once connected, or why keys do nothing
                // (no server, no paper).
                println!("{}\r", screen.banner());
                if let Some(away) = screen.away {
                    println!("{}\r", away.note());
                }
            }
            if let Some(command) = command {
                worker
                    .commands
                    .send(command)
                    .context("the worker stopped")?;
            }
        }
        // No more keys: finish the tickets on their way (and one queued),
        // for at most 30 s, then stop.
        let busy = screen.phase == Phase::Printing || screen.queued.is_some();
        match keys_in.recv_timeout(Duration::from_millis(200)) {
            Ok('\u{3}') => return Ok(()),
            Ok(key) => match screen.on(Input::Key(key), std::time::Instant::now()) {
                Some(command) => worker
                    .commands
                    .send(command)
                    .context("the worker stopped")?,
                None => {
                    if let Some(note) = screen.queued_note() {
                        println!("{note}\r");
                    }
                }
            },
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected)
                if busy
                    && stdin_closed
                        .get_or_insert_with(std::time::Instant::now)
                        .elapsed()
                        < Duration::from_secs(30) =>
            {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
        }
        screen.on(Input::Tick, std::time::Instant::now());
    }
}

/// Standard input in raw mode while it lives (keys arrive one by one,
/// without Enter), restored when dropped; nothing when it is not a terminal.
struct RawTerminal(Option<libc::termios>);

impl RawTerminal {
    fn enter() -> Self {
        // SAFETY: termios calls on standard input with a zeroed struct
        // that tcgetattr fills; only the terminal's modes change.
        unsafe {
            let mut saved: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut saved) != 0 {
                return Self(None);
            }
            let mut raw = saved;
            libc::cfmakeraw(&mut raw);
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &raw);
            Self(Some(saved))
        }
    }
}

impl Drop for RawTerminal {
    fn drop(&mut self) {
        if let Some(saved) = &self.0 {
            // SAFETY: restores the modes read in `enter`.
            unsafe {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, saved);
            }
        }
    }
}
