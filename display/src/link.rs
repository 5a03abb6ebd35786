//! The display's connection to the server, on a thread of its own: a
//! snapshot (`GET /api/v1/services` and `/api/v1/queue`), then the event
//! stream from the snapshot's `seq`, each frame passed on as a board
//! [`Input`]. When the server goes away it says so ([`Input::Offline`]),
//! tries again with a growing pause, and resumes after the last event it
//! passed on; after a long absence it fetches a fresh snapshot first and
//! still resumes from there, and when the server cannot catch it up it
//! starts again from a snapshot alone. The board may ask it to reconnect
//! ([`Command`]).

use crate::board::Input;
use layso_device::client::{Api, ClientError};
use layso_protocol::{ClientMessage, QueueSnapshot, ServerMessage, ServicesResponse};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::time::{Duration, Instant};
use tungstenite::Message;
use tungstenite::client::IntoClientRequest;

/// What the board asks of the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Connect again, resuming after `after`.
    Reconnect {
        /// The last event the board applied.
        after: u64,
    },
    /// Fetch a snapshot, then connect again.
    Resnapshot,
    /// Fetch a snapshot for what it says of the office, staying connected
    /// (events go on after the last one passed on).
    Refresh,
    /// Stop (the display is closing).
    Stop,
}

/// How the link behaves.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The server's address, `http://host:port`.
    pub server: String,
    /// The display's device token.
    pub token: String,
    /// The first pause before trying again; it doubles up to `max_backoff`.
    pub backoff: Duration,
    /// The longest pause between tries.
    pub max_backoff: Duration,
    /// Offline longer than this, the link starts again from a snapshot
    /// rather than catching up event by event.
    pub resnapshot_after: Duration,
}

impl Settings {
    /// The defaults for a hall display of `server`.
    pub fn new(server: &str, token: &str) -> Self {
        Self {
            server: server.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(5),
            resnapshot_after: Duration::from_secs(120),
        }
    }
}

/// How often the stream is polled for commands while it is quiet.
const POLL: Duration = Duration::from_millis(100);

/// Why a stream ended.
enum End {
    /// The connection failed or went quiet.
    Lost(String),
    /// Asked to connect again after this event.
    Resume(u64),
    /// The server (or the board) wants a fresh snapshot.
    Resnapshot,
    /// The display is closing.
    Stop,
}

/// Runs the link until told to stop or the board goes away.
pub fn run(settings: Settings, inputs: Sender<Input>, commands: Receiver<Command>) {
    let api = Api::new(&settings.server, &settings.token, Duration::from_secs(5));
    // Where to resume; none: a snapshot first.
    let mut after: Option<u64> = None;
    let mut offline_since: Option<Instant> = None;
    let mut backoff = settings.backoff;
    loop {
        // Back after a long absence: a fresh picture of the office first
        // (names, counters, notice may have changed), then the missed
        // events on top of it, so recent calls are still said.
        let long_gap =
            offline_since.is_some_and(|since| since.elapsed() > settings.resnapshot_after);
        let resume = match after {
            Some(seq) if !long_gap => Ok(seq),
            _ => snapshot(&api).and_then(|(services, queue)| {
                let seq = after.unwrap_or(queue.seq);
                inputs
                    .send(Input::Snapshot {
                        services: Box::new(services),
                        queue: Box::new(queue),
                        resume: after,
                    })
                    .map_err(|_| "the board has gone".to_owned())?;
                Ok(seq)
            }),
        };
        let end = match resume {
            Ok(seq) => {
                after = Some(seq);
                stream(
                    &settings,
                    &api,
                    seq,
                    &inputs,
                    &commands,
                    &mut after,
                    &mut || {
                        offline_since = None;
                        backoff = settings.backoff;
                    },
                )
            }
            Err(reason) => End::Lost(reason),
        };
        match end {
            End::Stop => return,
            End::Resume(seq) => after = Some(seq),
            End::Resnapshot => after = None,
            End::Lost(reason) => {
                tracing::warn!(%reason, "display: the server is out of reach");
                offline_since.get_or_insert_with(Instant::now);
                if inputs.send(Input::Offline).is_err() {
                    return;
                }
                // Wait, still listening for a stop.
                match commands.recv_timeout(backoff) {
                    Ok(Command::Stop) => return,
                    Ok(Command::Resnapshot) => after = None,
                    Ok(Command::Reconnect { after: seq }) => after = Some(seq),
                    // Offline, the snapshot comes with the reconnection.
                    Ok(Command::Refresh) => {}
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                }
                backoff = (backoff * 2).min(settings.max_backoff);
            }
        }
    }
}

/// The office's services and queue, read together.
fn snapshot(api: &Api) -> Result<(ServicesResponse, QueueSnapshot), String> {
    let reason = |e: ClientError| format!("snapshot: {e}");
    let services: ServicesResponse = api.get("/api/v1/services").map_err(reason)?;
    let queue: QueueSnapshot = api.get("/api/v1/queue").map_err(reason)?;
    Ok((services, queue))
}

/// One event stream, from after `from` until it ends. `after` follows the
/// last `seq` passed on; `connected` is called once the server says hello.
fn stream(
    settings: &Settings,
    api: &Api,
    from: u64,
    inputs: &Sender<Input>,
    commands: &Receiver<Command>,
    after: &mut Option<u64>,
    connected: &mut dyn FnMut(),
) -> End {
    let mut socket = match connect(settings, from) {
        Ok(socket) => socket,
        Err(reason) => return End::Lost(reason),
    };
    // Until the hello says otherwise, the server's default.
    let mut beat = Duration::from_secs(3);
    let mut heard = Instant::now();
    let mut sent = Instant::now();
    loop {
        match commands.try_recv() {
            Ok(Command::Stop) | Err(TryRecvError::Disconnected) => {
                let _ = socket.close(None);
                return End::Stop;
            }
            Ok(Command::Reconnect { after }) => return End::Resume(after),
            Ok(Command::Resnapshot) => return End::Resnapshot,
            Ok(Command::Refresh) => match snapshot(api) {
                Ok((services, queue)) => {
                    let resume = (*after).or(Some(from));
                    let input = Input::Snapshot {
                        services: Box::new(services),
                        queue: Box::new(queue),
                        resume,
                    };
                    if inputs.send(input).is_err() {
                        return End::Stop;
                    }
                }
                Err(reason) => return End::Lost(reason),
            },
            Err(TryRecvError::Empty) => {}
        }
        if sent.elapsed() >= beat {
            let text =
                serde_json::to_string(&ClientMessage::Heartbeat).expect("a heartbeat serialises");
            if let Err(e) = socket.send(Message::text(text)) {
                return End::Lost(format!("sending a heartbeat: {e}"));
            }
            sent = Instant::now();
        }
        // Two and a half missed beats: the server is gone, not quiet.
        if heard.elapsed() > beat * 5 / 2 {
            return End::Lost("no heartbeat from the server".into());
        }
        let text = match socket.read() {
            Ok(Message::Text(text)) => text,
            Ok(Message::Close(_)) => return End::Lost("the server closed the stream".into()),
            Ok(_) => {
                heard = Instant::now();
                continue;
            }
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(e) => return End::Lost(format!("the stream: {e}")),
        };
        heard = Instant::now();
        let message: ServerMessage = match serde_json::from_str(&text) {
            Ok(message) => message,
            Err(e) => {
                tracing::warn!(error = %e, "display: a frame it cannot read");
                continue;
            }
        };
        let resync = matches!(message, ServerMessage::Resync { .. });
        match &message {
            ServerMessage::Hello(hello) => {
                beat = Duration::from_millis(hello.heartbeat_ms.max(100));
                connected();
            }
            ServerMessage::Event(event) => *after = Some(event.seq),
            _ => {}
        }
        if inputs.send(Input::Message(message)).is_err() {
            return End::Stop;
        }
        if resync {
            return End::Resnapshot;
        }
    }
}

type Socket = tungstenite::WebSocket<TcpStream>;

/// The WebSocket of `/api/v1/events?after=from`, with the display's token,
/// whose reads give up after [`POLL`] so commands are heard.
fn connect(settings: &Settings, from: u64) -> Result<Socket, String> {
    let address = settings
        .server
        .strip_prefix("http://")
        .ok_or_else(|| format!("{}: only http:// servers", settings.server))?;
    let url = format!("ws://{address}/api/v1/events?after={from}");
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| format!("{url}: {e}"))?;
    let bearer = format!("Bearer {}", settings.token)
        .parse()
        .map_err(|_| "the token is not a valid header".to_owned())?;
    request.headers_mut().insert("authorization", bearer);
    let host = address.split('/').next().unwrap_or(address);
    let addr = host
        .to_socket_addrs()
        .map_err(|e| format!("{host}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host}: no address"))?;
    let tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(3))
        .map_err(|e| format!("{host}: {e}"))?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    tcp.set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    let (socket, _) = tungstenite::client(request, tcp).map_err(|e| match e {
        tungstenite::HandshakeError::Failure(tungstenite::Error::Http(response)) => {
            format!("the server refused the stream: {}", response.status())
        }
        other => format!("handshake: {other}"),
    })?;
    socket
        .get_ref()
        .set_read_timeout(Some(POLL))
        .map_err(|e| e.to_string())?;
    Ok(socket)
}
