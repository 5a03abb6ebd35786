//! The kiosk's worker thread: it owns the printer and the server
//! connection, runs each tap to paper, asks the idle printer its state
//! every few seconds (a change reaches the server and the screen), and
//! reads the services again every so often (which is also how the screen
//! learns that the server went away and came back). The screen talks to it through channels only, so no
//! printer or network wait ever reaches the UI thread.

use crate::flow::Kiosk;
use crate::screen::{Command, Input};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// How often the idle printer is asked its state.
pub const PRINTER_EVERY: Duration = Duration::from_secs(3);

/// The screen's end of the worker.
pub struct Worker {
    /// Where the screen sends its commands.
    pub commands: Sender<Command>,
    /// What the worker has to say: services read, taps done.
    pub inputs: Receiver<Input>,
}

/// Starts the worker on a thread of its own. `wake` is called after each
/// input it sends (the window uses it to redraw).
pub fn spawn(mut kiosk: Kiosk, refresh_every: Duration, wake: Box<dyn Fn() + Send>) -> Worker {
    let (commands, incoming) = mpsc::channel::<Command>();
    let (outgoing, inputs) = mpsc::channel::<Input>();
    std::thread::Builder::new()
        .name("kiosk-worker".into())
        .spawn(move || {
            let send = |input: Input| {
                let sent = outgoing.send(input).is_ok();
                wake();
                sent
            };
            let services = |kiosk: &mut Kiosk| Input::Services(kiosk.services_for_screen());
            if !send(services(&mut kiosk)) || !send(Input::Printer(kiosk.check_printer())) {
                return;
            }
            let poll_every = refresh_every.min(PRINTER_EVERY);
            let mut refreshed = Instant::now();
            loop {
                let inputs = match incoming.recv_timeout(poll_every) {
                    Ok(Command::Take(service, priority)) => {
                        vec![Input::Done(kiosk.take_ticket(service, priority))]
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        let mut inputs = vec![Input::Printer(kiosk.check_printer())];
                        if refreshed.elapsed() >= refresh_every {
                            refreshed = Instant::now();
                            inputs.push(services(&mut kiosk));
                        }
                        inputs
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                };
                for input in inputs {
                    if !send(input) {
                        return;
                    }
                }
            }
        })
        .expect("the worker thread starts");
    Worker { commands, inputs }
}
