//! The kiosk's worker thread: it owns the printer and the server
//! connection, runs each tap to paper, and reads the services again every
//! so often (which is also how the screen learns that the server went away
//! and came back). The screen talks to it through channels only, so no
//! printer or network wait ever reaches the UI thread.

use crate::flow::Kiosk;
use crate::screen::{Command, Input};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

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
            if !send(services(&mut kiosk)) {
                return;
            }
            loop {
                let input = match incoming.recv_timeout(refresh_every) {
                    Ok(Command::Take(service, priority)) => {
                        Input::Done(kiosk.take_ticket(service, priority))
                    }
                    Err(RecvTimeoutError::Timeout) => services(&mut kiosk),
                    Err(RecvTimeoutError::Disconnected) => return,
                };
                if !send(input) {
                    return;
                }
            }
        })
        .expect("the worker thread starts");
    Worker { commands, inputs }
}
