//! What this machine allows for fan-out, without the server: one process
//! sends a 200-byte frame to each of `n` loopback TCP sockets and reads it
//! back on the other end, as the events bench's subscribers do.
//!
//! `cargo bench -p layso-server --bench loopback` prints, for 1 and 1,000
//! sockets, the delay from the send to each socket's read (p50/p99/max
//! over every socket and round) in two shapes:
//! - `tasks`: one task per socket woken through a broadcast channel, as the
//!   server's streams are;
//! - `loop`: one task writing every socket in turn, the least work there is.
//!
//! and the ratio of the 1,000- to the 1-socket p99 for each. Nothing here
//! is WebSocket, JSON or SQLite: if even this cannot keep the ratio at 3,
//! no server on this machine can. `BENCH_QUICK=1` for a short run.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{ms, percentile};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

/// The frame's size: about a call event's JSON.
const FRAME: usize = 200;

/// The pause between two frames, as between two calls in the events bench.
const PERIOD: Duration = Duration::from_millis(50);

/// Each round's send times, by round.
type Sent = Arc<Mutex<Vec<Instant>>>;

#[tokio::main]
async fn main() {
    let rounds = if std::env::var_os("BENCH_QUICK").is_some() {
        20
    } else {
        200
    };
    println!(
        "layso loopback floor, {rounds} frames every {} ms",
        PERIOD.as_millis()
    );
    for shape in [Shape::Tasks, Shape::Loop] {
        let one = measure(shape, 1, rounds).await;
        let many = measure(shape, 1000, rounds).await;
        println!(
            "{shape:?}: ratio p99 1000/1 sockets: {:.2}",
            many.as_secs_f64() / one.as_secs_f64()
        );
    }
}

#[derive(Debug, Clone, Copy)]
enum Shape {
    Tasks,
    Loop,
}

/// Sends `rounds` frames to `n` sockets in `shape`; prints and returns the
/// p99 delay from send to read.
async fn measure(shape: Shape, n: usize, rounds: usize) -> Duration {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let mut servers = Vec::with_capacity(n);
    let mut clients = Vec::with_capacity(n);
    for _ in 0..n {
        let client = TcpStream::connect(addr).await.expect("connect");
        let (server, _) = listener.accept().await.expect("accept");
        server.set_nodelay(true).expect("nodelay");
        servers.push(server);
        clients.push(client);
    }
    let sent: Sent = Arc::new(Mutex::new(Vec::with_capacity(rounds)));
    let readers: Vec<_> = clients
        .into_iter()
        .map(|client| tokio::spawn(read(client, rounds, sent.clone())))
        .collect();
    let frame = |round: usize| {
        let mut bytes = [b'x'; FRAME];
        bytes[..8].copy_from_slice(&(round as u64).to_le_bytes());
        bytes
    };
    match shape {
        Shape::Tasks => {
            let (sender, _) = broadcast::channel::<Arc<[u8; FRAME]>>(64);
            let writers: Vec<_> = servers
                .into_iter()
                .map(|mut server| {
                    let mut receiver = sender.subscribe();
                    tokio::spawn(async move {
                        while let Ok(bytes) = receiver.recv().await {
                            server.write_all(&bytes[..]).await.expect("write");
                        }
                    })
                })
                .collect();
            for round in 0..rounds {
                tokio::time::sleep(PERIOD).await;
                sent.lock().expect("sent").push(Instant::now());
                let _ = sender.send(Arc::new(frame(round)));
            }
            drop(sender);
            for w in writers {
                w.await.expect("writer");
            }
        }
        Shape::Loop => {
            for round in 0..rounds {
                tokio::time::sleep(PERIOD).await;
                sent.lock().expect("sent").push(Instant::now());
                let bytes = frame(round);
                for server in &mut servers {
                    server.write_all(&bytes).await.expect("write");
                }
            }
        }
    }
    let mut delays = Vec::with_capacity(n * rounds);
    for r in readers {
        delays.extend(r.await.expect("reader"));
    }
    delays.sort_unstable();
    let p99 = percentile(&delays, 0.99);
    println!(
        "{shape:?}, {n} sockets: send to read p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} samples)",
        ms(percentile(&delays, 0.5)),
        ms(p99),
        ms(percentile(&delays, 1.0)),
        delays.len()
    );
    p99
}

/// Reads `rounds` frames; each one's delay after its send.
async fn read(mut client: TcpStream, rounds: usize, sent: Sent) -> Vec<Duration> {
    let mut delays = Vec::with_capacity(rounds);
    let mut bytes = [0u8; FRAME];
    for _ in 0..rounds {
        client.read_exact(&mut bytes).await.expect("read");
        let now = Instant::now();
        let round = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) as usize;
        let at = sent.lock().expect("sent")[round];
        delays.push(now - at);
    }
    delays
}
