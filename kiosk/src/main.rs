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
    // The installer's log: why a ticket was not printed, why the server
    // refused the kiosk.
    layso_device::log::to_stderr();
    let cli = Cli::parse();
    let config = Config::load(&cli.config, &cli)?;
    let setup = config.printer_setup()?;
    match cli.command {
        None if cli.headless => layso_kiosk::run::headless(&config, setup)?,
        None => {
            let placement = layso_device::window::Placement {
                size: cli.windowed,
                at: None,
            };
            layso_kiosk::run::window(&config, setup, placement)?;
        }
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
