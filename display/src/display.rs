//! The running display without its window: the link's thread feeds a
//! driver thread that applies each input to the shared [`Board`] and acts
//! on its effects; announcements queue for the announcer's thread, which
//! assembles each one and plays it to its end before the next, so a call
//! never cuts another off. The window (or nothing, headless) only reads
//! the board.

use crate::board::{Board, Effect, Input};
use crate::link::{self, Command, Settings};
use crate::voice::Voice;
use crate::voice::speaker::Speaker;
use layso_protocol::speech::{Dialect, Reading, call_words};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How calls are said.
#[derive(Debug, Clone)]
pub struct Speech {
    /// The phrase, if the display overrides the office's.
    pub phrase: Option<String>,
    /// Northern or Southern numbers.
    pub dialect: Dialect,
    /// Ticket numbers as numbers or digit by digit.
    pub reading: Reading,
    /// How many times each call's phrase is said.
    pub repeat: u32,
    /// Calls caught up on after an absence are said only if this recent.
    pub speak_within: Duration,
}

impl Default for Speech {
    fn default() -> Self {
        Self {
            phrase: None,
            dialect: Dialect::North,
            reading: Reading::Number,
            repeat: 2,
            speak_within: Duration::from_secs(15),
        }
    }
}

/// What the display did, and when: for its benchmark and tests.
#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    /// The board applied the event `seq`.
    Applied {
        /// The event.
        seq: u64,
        /// When.
        at: Instant,
    },
    /// A call's announcement is assembled: its first sample is ready.
    Ready {
        /// The call's event.
        seq: u64,
        /// What it says.
        words: String,
        /// How long it plays.
        length: Duration,
        /// Words nothing could say.
        missing: Vec<String>,
        /// When.
        at: Instant,
    },
    /// An announcement has been played to its end.
    Played {
        /// The call's event.
        seq: u64,
    },
}

/// One call to say.
struct Announcement {
    seq: u64,
    words: String,
    repeat: u32,
}

/// The display's threads and its board.
pub struct Display {
    /// What the window draws.
    pub board: Arc<Mutex<Board>>,
    link: Sender<Command>,
    threads: Vec<JoinHandle<()>>,
}

impl Display {
    /// Connects to the server and starts speaking through `speaker`.
    /// `repaint` is called after each change of the board; `notes`, if
    /// given, hears what happened when.
    pub fn start(
        settings: Settings,
        speech: Speech,
        voice: Arc<Voice>,
        speaker: Box<dyn Speaker>,
        repaint: Arc<dyn Fn() + Send + Sync>,
        notes: Option<Sender<Note>>,
    ) -> Self {
        let board = Arc::new(Mutex::new(Board::default()));
        let (inputs_tx, inputs) = mpsc::channel();
        let (link_tx, link_rx) = mpsc::channel();
        let (say_tx, say_rx) = mpsc::channel();
        let mut threads = Vec::new();
        threads.push(spawn("layso-link", move || {
            link::run(settings, inputs_tx, link_rx);
        }));
        let (shared, link, note) = (board.clone(), link_tx.clone(), notes.clone());
        threads.push(spawn("layso-board", move || {
            drive(
                &shared,
                inputs,
                &speech,
                &link,
                &say_tx,
                &*repaint,
                note.as_ref(),
            );
        }));
        threads.push(spawn("layso-voice", move || {
            announce(&voice, say_rx, speaker, notes.as_ref());
        }));
        Self {
            board,
            link: link_tx,
            threads,
        }
    }

    /// Stops the link; the other threads follow once what is queued has
    /// been said.
    pub fn stop(self) {
        let _ = self.link.send(Command::Stop);
        for thread in self.threads {
            let _ = thread.join();
        }
    }
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .expect("the system can start a thread")
}

/// Applies the link's inputs to the board until the link stops.
fn drive(
    board: &Mutex<Board>,
    inputs: Receiver<Input>,
    speech: &Speech,
    link: &Sender<Command>,
    say: &Sender<Announcement>,
    repaint: &(dyn Fn() + Send + Sync),
    notes: Option<&Sender<Note>>,
) {
    for input in inputs {
        let (effects, seq, phrase) = {
            let mut board = board.lock().expect("no panics under the board's lock");
            let effects = board.apply(input, chrono::Utc::now(), speech.speak_within);
            // Only a call needs the phrase: no copy for every other frame.
            let calls = effects.iter().any(|e| matches!(e, Effect::Announce(_)));
            let phrase = match (&speech.phrase, calls) {
                (Some(own), true) => own.clone(),
                (None, true) => board.phrase.clone(),
                (_, false) => String::new(),
            };
            (effects, board.seq, phrase)
        };
        repaint();
        if let Some(notes) = notes {
            let _ = notes.send(Note::Applied {
                seq,
                at: Instant::now(),
            });
        }
        for effect in effects {
            match effect {
                Effect::Announce(call) => {
                    let counter = call.counter_number.to_string();
                    let words = call_words(
                        &phrase,
                        &call.number,
                        &counter,
                        speech.dialect,
                        speech.reading,
                    );
                    let _ = say.send(Announcement {
                        seq: call.seq,
                        words,
                        repeat: speech.repeat,
                    });
                }
                Effect::Reconnect { after } => {
                    let _ = link.send(Command::Reconnect { after });
                }
                Effect::Resnapshot => {
                    let _ = link.send(Command::Resnapshot);
                }
                Effect::Refresh => {
                    let _ = link.send(Command::Refresh);
                }
            }
        }
    }
}

/// Says each announcement in turn, to its end.
fn announce(
    voice: &Voice,
    queue: Receiver<Announcement>,
    mut speaker: Box<dyn Speaker>,
    notes: Option<&Sender<Note>>,
) {
    for call in queue {
        let spoken = voice.announce(&call.words, call.repeat);
        if !spoken.missing.is_empty() {
            tracing::error!(missing = ?spoken.missing, "voice: words neither the pack nor the engine can say; add them to the voice pack");
        }
        tracing::info!(seq = call.seq, words = %call.words, "announcing");
        if let Some(notes) = notes {
            let _ = notes.send(Note::Ready {
                seq: call.seq,
                words: call.words.clone(),
                length: spoken.audio.duration(),
                missing: spoken.missing.clone(),
                at: Instant::now(),
            });
        }
        if let Err(error) = speaker.play(&spoken.audio) {
            tracing::error!(%error, "voice: cannot play the announcement");
        }
        if let Some(notes) = notes {
            let _ = notes.send(Note::Played { seq: call.seq });
        }
    }
}
