//! `layso-kiosk`: the touch screen (full screen, or `--windowed 1080x1920`);
//! `test-print`, a sample ticket with every Vietnamese letter on the
//! configured printer, without the server, for installers; and `take
//! SERVICE_ID`, one tap all the way to paper from the command line.

use anyhow::Context;
use clap::{Parser, Subcommand};
use layso_kiosk::client::Client;
use layso_kiosk::config::Config;
use layso_kiosk::flow::{Kiosk, Outcome};
use layso_kiosk::printer;
use layso_kiosk::ticket::{Ticket, ticket_bytes_with};
use layso_protocol::{Priority, ServiceId};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

/// Layso kiosk. Flags win over `LAYSO_KIOSK_*` environment variables,
/// which win over the config file.
#[derive(Debug, Parser, Serialize)]
#[command(version)]
struct Cli {
    /// TOML config file (used if it exists).
    #[arg(long, default_value = "kiosk.toml")]
    #[serde(skip)]
    config: PathBuf,
    /// The server, e.g. http://192.168.1.10:8080.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    server: Option<String>,
    /// No window: keys typed on the console (a button box) take tickets,
    /// as set in `[keys]`; outcomes are printed.
    #[arg(long)]
    #[serde(skip)]
    headless: bool,
    /// A window of this size (e.g. 1366x768) instead of the full screen.
    #[arg(long, value_parser = layso_device::window::parse_size)]
    #[serde(skip)]
    windowed: Option<(f32, f32)>,
    /// What to do; without a command, the touch screen.
    #[command(subcommand)]
    #[serde(skip)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print a sample ticket with every Vietnamese letter, without the server.
    TestPrint,
    /// Take one ticket for a service, as a tap on the screen would.
    Take {
        /// The service's id (see GET /api/v1/services).
        service: i64,
        /// Priority class, e.g. elderly.
        #[arg(long, default_value = "none")]
        priority: String,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(&cli.config, &cli)?;
    let setup = config.printer_setup()?;
    match cli.command {
        None if cli.headless => run_headless(&config, setup)?,
        None => run_window(&config, setup, cli.windowed)?,
        Some(Command::TestPrint) => {
            let sample = Ticket {
                office: "Layso – in thử".into(),
                service: layso_kiosk::cp1258::every_vietnamese_letter_in_words(),
                number: "A000".into(),
                issued_at: chrono::Local::now().naive_local(),
                people_ahead: Some(0),
                estimated_wait_secs: Some(60),
                tracking_url: format!("{}/t/test", config.server),
                header: String::new(),
                footer: "Mỗi chữ cái tiếng Việt, mỗi dấu thanh: in đúng thì máy in đã sẵn sàng."
                    .into(),
            };
            let job =
                ticket_bytes_with(&sample, setup.profile, setup.paper, setup.qr, setup.marks)?;
            let mut port = printer::open(&setup.transport, setup.timeout)
                .with_context(|| format!("opening the printer {}", setup.transport))?;
            let status = printer::status(port.as_mut()).map_err(|e| anyhow::anyhow!("{e}"))?;
            status.ready().map_err(|e| anyhow::anyhow!("{e}"))?;
            printer::send(port.as_mut(), &job).context("printing")?;
            println!("Đã in vé thử ({} byte).", job.len());
        }
        Some(Command::Take { service, priority }) => {
            let priority: Priority = priority.parse().map_err(|e| {
                let known: Vec<&str> = Priority::ALL.iter().map(|p| p.as_str()).collect();
                anyhow::anyhow!("{e}; the classes are {}", known.join(", "))
            })?;
            let token = config
                .token()
                .context("no token: set token or credentials")?;
            let client = Client::new(&config.server, &token, Duration::from_secs(5));
            let mut kiosk = Kiosk::new(client, setup);
            kiosk.refresh().map_err(|e| anyhow::anyhow!("{e}"))?;
            match kiosk.take_ticket(ServiceId(service), priority) {
                Outcome::Printed { number } => println!("{number}: Mời bạn nhận vé."),
                Outcome::NotPrinted { message, .. } | Outcome::Refused { message } => {
                    println!("{message}");
                    std::process::exit(1);
                }
            }
        }
    }
    Ok(())
}

/// The touch screen, until its window closes.
fn run_window(
    config: &Config,
    setup: layso_kiosk::flow::PrinterSetup,
    windowed: Option<(f32, f32)>,
) -> anyhow::Result<()> {
    let token = config
        .token()
        .context("no token: set token or credentials")?;
    let keys = config.keys()?;
    let options = layso_device::window::options(windowed);
    let server = config.server.clone();
    eframe::run_native(
        "layso-kiosk",
        options,
        Box::new(move |cc| {
            let ctx = cc.egui_ctx.clone();
            let client = Client::new(&server, &token, Duration::from_secs(5));
            let worker = layso_kiosk::worker::spawn(
                Kiosk::new(client, setup),
                Duration::from_secs(10),
                Box::new(move || ctx.request_repaint()),
            );
            let screen = layso_kiosk::screen::Screen::new(keys);
            Ok(Box::new(layso_kiosk::window::Window::new(
                &cc.egui_ctx,
                screen,
                worker,
            )))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the window: {e}"))
}

/// Button boxes without a screen: each key read from standard input (raw,
/// when it is a terminal) goes through the same screen state as a tap, so
/// a key pressed while a ticket prints takes nothing.
fn run_headless(config: &Config, setup: layso_kiosk::flow::PrinterSetup) -> anyhow::Result<()> {
    use layso_kiosk::screen::{Input, Phase, Screen};
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
    let _raw = RawTerminal::enter();
    let client = Client::new(&config.server, &token, Duration::from_secs(5));
    let worker = layso_kiosk::worker::spawn(
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
