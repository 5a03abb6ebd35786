//! `GET /api/v1/events`: the live event stream, a WebSocket of JSON frames
//! (display, staff, manager). See `layso_protocol::events` for what a
//! client sees and `crate::live` for where the frames come from.
//!
//! A stream: subscribes to the hub; sends `hello`; replays the log after
//! `?after=` (or tells the client to resync); sends the waiting counts;
//! then forwards live messages it has not sent yet, with a heartbeat every
//! `heartbeat_ms`, until the client goes, falls silent for three
//! heartbeats, falls too far behind, or the server shuts down.

use super::extract::Query;
use crate::caller::{self, Principal};
use crate::error::{Error, Result};
use crate::http::guard::{Caller, guard};
use crate::live::{self, Filter, Published, Topic};
use crate::state::AppState;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::get;
use futures_util::SinkExt;
use layso_protocol::{ApiError, CounterId, ServiceId};
use layso_protocol::{EventsQuery, Hello, OfficeId, ResyncReason, ServerMessage};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::Instant;

/// How long one frame may take to leave before the client counts as gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// The close code of a stream whose token stopped working (4000–4999 are
/// the application's; this one mirrors HTTP 401).
pub const REVOKED: u16 = 4401;

/// The most messages forwarded between two flushes.
const BURST: usize = 64;

/// Frames collect in the socket's buffer up to this size until a flush.
const WRITE_BUFFER: usize = 64 * 1024;

/// Clients send heartbeats and little else.
const MAX_CLIENT_FRAME: usize = 4096;

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(connect),
    components(schemas(layso_protocol::ServerMessage, layso_protocol::ClientMessage))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/events", guard(caller::HALL, get(connect)))
}

/// The stream's query, checked before the handshake: a seq is at most
/// 2^63 - 1, as the log keeps it.
struct Resume(EventsQuery);

impl<S: Send + Sync> FromRequestParts<S> for Resume {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(query) = Query::<EventsQuery>::from_request_parts(parts, state).await?;
        if query
            .after
            .is_some_and(|after| i64::try_from(after).is_err())
        {
            return Err(Error::invalid(
                "after is a seq, at most 9223372036854775807",
                "Số thứ tự sự kiện quá lớn.",
            ));
        }
        Ok(Self(query))
    }
}

/// A WebSocket upgrade, or the API's JSON error for a plain request.
struct Upgrade(WebSocketUpgrade);

impl<S: Send + Sync> FromRequestParts<S> for Upgrade {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        WebSocketUpgrade::from_request_parts(parts, state)
            .await
            .map(Upgrade)
            .map_err(|r| Error::UpgradeRequired(r.body_text()))
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/events",
    tag = "hall",
    description = "The live event stream: a WebSocket of JSON text frames (ServerMessage), resumable with ?after=<seq>. Clients send a frame (ClientMessage) or a ping at least every three heartbeats. Display, staff, manager, admin.",
    params(
        ("after" = Option<u64>, Query, description = "Resume after this seq (the last one seen)"),
        ("counter" = Option<CounterId>, Query, description = "Only this counter's events"),
        ("service" = Option<ServiceId>, Query, description = "Only this service's tickets and queue size")
    ),
    responses((status = 101, description = "Switching to the WebSocket; frames are ServerMessage"), (status = 426, description = "Not a WebSocket handshake (code upgrade_required)", body = ApiError)),
    security(("bearer" = []))
)]
async fn connect(
    State(state): State<AppState>,
    Caller(who): Caller,
    Resume(query): Resume,
    Upgrade(upgrade): Upgrade,
) -> Result<Response> {
    let office = who.office;
    let filter = Filter {
        counter: query.counter,
        service: query.service,
    };
    Ok(upgrade
        .read_buffer_size(MAX_CLIENT_FRAME)
        .write_buffer_size(WRITE_BUFFER)
        .max_message_size(MAX_CLIENT_FRAME)
        .max_frame_size(MAX_CLIENT_FRAME)
        .on_upgrade(move |socket| async move {
            let mut stream = Stream {
                socket,
                office,
                filter,
                position: 0,
                who,
            };
            match stream.run(&state, query.after).await {
                Ok(end) => stream.close(end).await,
                Err(error) => tracing::debug!(%error, "event stream ended"),
            }
        }))
}

/// Why a stream ends, as told to the client in the close frame.
#[derive(Debug, Clone, Copy)]
enum End {
    /// The client closed or went away.
    ClientGone,
    /// The client sent nothing for three heartbeats.
    Silent,
    /// Told to resync.
    Resync,
    /// The server is shutting down.
    Shutdown,
    /// The client's token was revoked, its session ended or expired.
    Revoked,
}

/// One open stream.
struct Stream {
    socket: WebSocket,
    office: OfficeId,
    filter: Filter,
    /// Every event of the office up to here was sent or filtered out.
    position: u64,
    /// Whose stream it is: it ends when their token stops working.
    who: Principal,
}

/// A failed read of the log ends the stream; the client reconnects.
fn read<T>(result: Result<T>) -> Result<T, Gone> {
    result.map_err(|error| {
        tracing::warn!(%error, "event stream: cannot read the log");
        Gone(format!("server error: {error}"))
    })
}

/// A stream could not send: the client is gone or too slow.
#[derive(Debug, thiserror::Error)]
#[error("the client did not take a frame: {0}")]
struct Gone(String);

impl Stream {
    async fn run(&mut self, state: &AppState, after: Option<u64>) -> Result<End, Gone> {
        let hub = &state.hub;
        let mut live = hub.subscribe();
        // A session's end is an instant; a device's token never expires.
        let expires = self
            .who
            .expires_at
            .map_or(Duration::from_secs(365 * 24 * 3600), |at| {
                (at - state.clock.now()).to_std().unwrap_or_default()
            });
        let expiry = tokio::time::sleep(expires);
        tokio::pin!(expiry);
        let head = read(state.db.head(self.office).await)?;
        self.send(&ServerMessage::Hello(Hello {
            office_id: self.office,
            seq: head,
            heartbeat_ms: u64::try_from(hub.heartbeat.as_millis()).unwrap_or(u64::MAX),
        }))
        .await?;
        self.position = head;
        if let Some(after) = after {
            let behind = if after > head {
                Some(ResyncReason::UnknownSeq)
            } else if head - after > hub.max_replay {
                Some(ResyncReason::TooFarBehind)
            } else {
                None
            };
            if let Some(reason) = behind {
                self.resync(reason, head).await?;
                return Ok(End::Resync);
            }
            self.replay(state, after).await?;
        }
        let sizes = live::queue_sizes(
            &state.db,
            &mut HashMap::new(),
            self.office,
            state.clock.now(),
            self.position,
        )
        .await;
        let sizes = read(sizes)?;
        self.send(&ServerMessage::Queue(self.filter.sizes(&sizes)))
            .await?;

        let mut beat = tokio::time::interval_at(Instant::now() + hub.heartbeat, hub.heartbeat);
        // One timer, moved when the client speaks, not one per loop.
        let silence = tokio::time::sleep(hub.heartbeat * 3);
        tokio::pin!(silence);
        loop {
            tokio::select! {
                message = live.receiver.recv() => {
                    if let Some(end) = self.forward_burst(state, message, &mut live.receiver).await? {
                        return Ok(end);
                    }
                }
                _ = beat.tick() => {
                    self.send(&ServerMessage::Heartbeat { seq: self.position }).await?;
                }
                frame = self.socket.recv() => match frame {
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(End::ClientGone),
                    // Any frame is a sign of life; pings are answered by the socket.
                    Some(Ok(_)) => {
                        silence.as_mut().reset(Instant::now() + hub.heartbeat * 3);
                        if let Some(device) = self.who.device() {
                            state.presence.saw(device, state.clock.now());
                        }
                    }
                },
                () = &mut silence => return Ok(End::Silent),
                () = &mut expiry => return Ok(End::Revoked),
            }
        }
    }

    /// Forwards `first` and whatever else is already waiting (up to
    /// [`BURST`] messages) with one flush: a call and its new waiting
    /// counts leave in one write. Returns how the stream ends, if it does.
    async fn forward_burst(
        &mut self,
        state: &AppState,
        first: Result<Arc<Published>, RecvError>,
        receiver: &mut tokio::sync::broadcast::Receiver<Arc<Published>>,
    ) -> Result<Option<End>, Gone> {
        let mut next = Some(first);
        let mut taken = 0;
        while let Some(message) = next.take() {
            taken += 1;
            let end = match message {
                Ok(published) => match &published.topic {
                    Topic::Revoked(key) if *key == self.who.key => Some(End::Revoked),
                    Topic::Revoked(_) => None,
                    Topic::Shutdown => Some(End::Shutdown),
                    _ => {
                        self.forward(&published).await?;
                        None
                    }
                },
                Err(RecvError::Lagged(_)) => {
                    let head = read(state.db.head(self.office).await)?;
                    self.resync(ResyncReason::Lagged, head).await?;
                    Some(End::Resync)
                }
                Err(RecvError::Closed) => Some(End::Shutdown),
            };
            if end.is_some() {
                self.flush().await?;
                return Ok(end);
            }
            if taken < BURST {
                next = match receiver.try_recv() {
                    Ok(published) => Some(Ok(published)),
                    Err(TryRecvError::Lagged(n)) => Some(Err(RecvError::Lagged(n))),
                    Err(TryRecvError::Closed) => Some(Err(RecvError::Closed)),
                    Err(TryRecvError::Empty) => None,
                };
            }
        }
        self.flush().await?;
        Ok(None)
    }

    /// Sends what the log holds after `after`, in order.
    async fn replay(&mut self, state: &AppState, after: u64) -> Result<(), Gone> {
        let mut from = after;
        loop {
            let page = state.db.after_seq(self.office, from, 500).await;
            let page = read(page)?;
            let Some(last) = page.last() else { break };
            from = last.event.seq;
            for logged in page {
                let event = logged.event;
                let topic = live::topic_of(&event);
                if let Topic::Event {
                    counter, service, ..
                } = topic
                    && self.filter.passes(counter, service)
                {
                    self.send(&ServerMessage::Event(event)).await?;
                }
            }
        }
        // Whatever the replay reached, live events up to it are duplicates.
        self.position = self.position.max(from);
        Ok(())
    }

    /// Queues a published message for the next flush, unless it is another
    /// office's, filtered out, or already sent by the replay.
    async fn forward(&mut self, published: &Arc<Published>) -> Result<(), Gone> {
        match &published.topic {
            Topic::Event { office, .. } if *office != self.office => {}
            Topic::Queue(sizes) if sizes.office_id != self.office => {}
            Topic::Event {
                seq,
                counter,
                service,
                ..
            } => {
                if *seq <= self.position {
                    return Ok(());
                }
                self.position = *seq;
                if self.filter.passes(*counter, *service) {
                    self.feed(published.text.clone()).await?;
                }
            }
            Topic::Queue(sizes) => {
                if self.filter.service.is_none() {
                    self.feed(published.text.clone()).await?;
                } else {
                    let sizes = self.filter.sizes(sizes);
                    self.feed(live::frame(&ServerMessage::Queue(sizes))).await?;
                }
            }
            Topic::Revoked(_) | Topic::Shutdown => {}
        }
        Ok(())
    }

    async fn resync(&mut self, reason: ResyncReason, seq: u64) -> Result<(), Gone> {
        self.send(&ServerMessage::Resync { reason, seq }).await
    }

    async fn send(&mut self, message: &ServerMessage) -> Result<(), Gone> {
        self.send_text(live::frame(message)).await
    }

    async fn send_text(&mut self, text: axum::extract::ws::Utf8Bytes) -> Result<(), Gone> {
        self.feed(text).await?;
        self.flush().await
    }

    /// Adds a frame to the socket's write buffer.
    async fn feed(&mut self, text: axum::extract::ws::Utf8Bytes) -> Result<(), Gone> {
        let fed = SinkExt::feed(&mut self.socket, Message::Text(text));
        match tokio::time::timeout(SEND_TIMEOUT, fed).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(Gone(error.to_string())),
            Err(_) => Err(Gone("send timed out".into())),
        }
    }

    /// Writes what was fed out to the client.
    async fn flush(&mut self) -> Result<(), Gone> {
        let flushed = SinkExt::flush(&mut self.socket);
        match tokio::time::timeout(SEND_TIMEOUT, flushed).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(Gone(error.to_string())),
            Err(_) => Err(Gone("send timed out".into())),
        }
    }

    /// Says goodbye with a close code the client can act on.
    async fn close(mut self, end: End) {
        let (code, reason) = match end {
            End::ClientGone => return,
            End::Silent => (close_code::POLICY, "no heartbeat from the client"),
            End::Resync => (close_code::NORMAL, "resync"),
            End::Shutdown => (close_code::AWAY, "server shutting down"),
            End::Revoked => (REVOKED, "credentials revoked or expired"),
        };
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        let _ =
            tokio::time::timeout(SEND_TIMEOUT, self.socket.send(Message::Close(Some(frame)))).await;
    }
}
