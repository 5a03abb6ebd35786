//! The thermal printer: where it is (a serial port, a device file such as
//! `/dev/usb/lp0`, or a network port 9100), whether it can print now
//! (`DLE EOT 1, 2, 4`), and sending it a job. All blocking: callers run it
//! on a thread of its own, never on the UI thread or the async runtime.

use serde::Deserialize;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Where the printer is, from the kiosk's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Transport {
    /// A serial port.
    Serial {
        /// E.g. `/dev/ttyUSB0`.
        path: String,
        /// E.g. 9600, 38400 or 115200.
        baud: u32,
        /// Hardware (RTS/CTS) flow control, as most thermal printers want.
        #[serde(default)]
        rts_cts: bool,
    },
    /// A printer device file, e.g. `/dev/usb/lp0`.
    File {
        /// The device.
        path: PathBuf,
    },
    /// A network printer, e.g. `192.168.1.50:9100`.
    Tcp {
        /// Host and port.
        addr: String,
    },
    /// No printer: each ticket drawn as a PNG file in a folder
    /// ([`crate::preview`]).
    Preview {
        /// The folder.
        dir: PathBuf,
        /// The paper's width in dots.
        dots: u32,
    },
}

impl std::fmt::Display for Transport {
    /// Where the printer is, as an installer would look for it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Serial { path, baud, .. } => write!(f, "{path} (serial, {baud} baud)"),
            Self::File { path } => write!(f, "{} (device file)", path.display()),
            Self::Tcp { addr } => write!(f, "{addr} (network)"),
            Self::Preview { dir, .. } => {
                write!(f, "{} (preview: PNG files, no paper)", dir.display())
            }
        }
    }
}

/// An open connection to the printer.
pub trait Port: Read + Write + Send {}
impl<T: Read + Write + Send> Port for T {}

/// Opens the printer. `timeout` bounds connecting and each read or write.
pub fn open(transport: &Transport, timeout: Duration) -> io::Result<Box<dyn Port>> {
    match transport {
        Transport::Serial {
            path,
            baud,
            rts_cts,
        } => {
            let flow = if *rts_cts {
                serialport::FlowControl::Hardware
            } else {
                serialport::FlowControl::None
            };
            let port = serialport::new(path, *baud)
                .flow_control(flow)
                .timeout(timeout)
                .open_native()
                .map_err(io::Error::other)?;
            Ok(Box::new(port))
        }
        Transport::File { path } => {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(path)?;
            Ok(Box::new(Timed::new(file, timeout)?))
        }
        Transport::Tcp { addr } => {
            let addr = addr
                .to_socket_addrs()?
                .next()
                .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address"))?;
            let stream = TcpStream::connect_timeout(&addr, timeout)?;
            stream.set_read_timeout(Some(timeout))?;
            stream.set_write_timeout(Some(timeout))?;
            stream.set_nodelay(true)?;
            Ok(Box::new(stream))
        }
        Transport::Preview { dir, dots } => Ok(Box::new(crate::preview::Preview::new(dir, *dots))),
    }
}

/// A device file read with a deadline: a printer that does not answer a
/// status query must not hang the kiosk.
struct Timed {
    file: std::fs::File,
    timeout: Duration,
}

impl Timed {
    fn new(file: std::fs::File, timeout: Duration) -> io::Result<Self> {
        use std::os::fd::AsRawFd;
        // SAFETY: fcntl on a descriptor this File owns; only its flags change.
        let nonblocking = unsafe {
            let flags = libc::fcntl(file.as_raw_fd(), libc::F_GETFL);
            flags >= 0
                && libc::fcntl(file.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK) >= 0
        };
        if !nonblocking {
            return Err(io::Error::last_os_error());
        }
        Ok(Self { file, timeout })
    }
}

impl Read for Timed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let deadline = Instant::now() + self.timeout;
        loop {
            match self.file.read(buf) {
                // A printer with nothing to say reads as an empty file.
                Ok(0) | Err(_) if Instant::now() >= deadline => {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "no answer"));
                }
                Ok(0) => {}
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Write for Timed {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let deadline = Instant::now() + self.timeout;
        loop {
            match self.file.write(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                other => return other,
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// What the printer said about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// `DLE EOT 1`, bit 3.
    pub offline: bool,
    /// `DLE EOT 2`, bit 2.
    pub cover_open: bool,
    /// `DLE EOT 2`, bit 5, or `DLE EOT 4`, bits 5–6.
    pub paper_out: bool,
    /// `DLE EOT 4`, bits 2–3.
    pub paper_near_end: bool,
    /// `DLE EOT 2`, bit 6.
    pub error: bool,
}

/// Why the kiosk must not issue a ticket now, in the citizen's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotReady {
    /// No paper.
    #[error("Máy in đã hết giấy. Xin vui lòng báo cán bộ hướng dẫn.")]
    PaperOut,
    /// The cover is open.
    #[error("Nắp máy in đang mở. Xin vui lòng báo cán bộ hướng dẫn.")]
    CoverOpen,
    /// Offline or in error.
    #[error("Máy in đang gặp lỗi. Xin vui lòng báo cán bộ hướng dẫn.")]
    Error,
    /// It did not answer, or answered nonsense.
    #[error("Máy in không phản hồi. Xin vui lòng báo cán bộ hướng dẫn.")]
    NoAnswer,
}

impl NotReady {
    /// A stable code for logs and for telling the server.
    pub fn code(self) -> &'static str {
        match self {
            Self::PaperOut => "paper_out",
            Self::CoverOpen => "cover_open",
            Self::Error => "printer_error",
            Self::NoAnswer => "printer_silent",
        }
    }
}

impl Status {
    /// Whether a ticket may be printed now (paper near its end still may).
    pub fn ready(self) -> Result<(), NotReady> {
        if self.paper_out {
            Err(NotReady::PaperOut)
        } else if self.cover_open {
            Err(NotReady::CoverOpen)
        } else if self.offline || self.error {
            Err(NotReady::Error)
        } else {
            Ok(())
        }
    }
}

/// Asks the printer `DLE EOT 1`, `2` and `4`, one byte of answer each.
/// Each answer has bits 1 and 4 set and bits 0 and 7 clear; anything else,
/// or silence for longer than the port's timeout, is [`NotReady::NoAnswer`].
pub fn status(port: &mut dyn Port) -> Result<Status, NotReady> {
    status_within(port, Duration::ZERO)
}

/// [`status`], waiting up to `patience` more for each answer: after a job
/// on a serial line the queries queue behind the job's bytes, which take
/// their time on the wire ([`wire_time`]).
pub fn status_within(port: &mut dyn Port, patience: Duration) -> Result<Status, NotReady> {
    let mut ask = |n: u8| -> Result<u8, NotReady> {
        port.write_all(&[0x10, 0x04, n])
            .and_then(|()| port.flush())
            .map_err(|_| NotReady::NoAnswer)?;
        let deadline = Instant::now() + patience;
        let mut answer = [0u8; 1];
        loop {
            match port.read(&mut answer) {
                Ok(1) if answer[0] & 0x93 == 0x12 => return Ok(answer[0]),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                    ) && Instant::now() < deadline => {}
                _ => return Err(NotReady::NoAnswer),
            }
        }
    };
    let (printer, offline, paper) = (ask(1)?, ask(2)?, ask(4)?);
    Ok(Status {
        offline: printer & 0x08 != 0,
        cover_open: offline & 0x04 != 0,
        paper_out: offline & 0x20 != 0 || paper & 0x60 != 0,
        paper_near_end: paper & 0x0C != 0,
        error: offline & 0x40 != 0,
    })
}

/// How long `bytes` take on the transport's line: ten bits a byte on a
/// serial line (8N1); nothing worth counting on a network or USB.
pub fn wire_time(transport: &Transport, bytes: usize) -> Duration {
    match transport {
        Transport::Serial { baud, .. } => {
            Duration::from_secs_f64(bytes as f64 * 10.0 / f64::from((*baud).max(1)))
        }
        Transport::File { .. } | Transport::Tcp { .. } | Transport::Preview { .. } => {
            Duration::ZERO
        }
    }
}

/// Sends a job and waits until the transport has taken all of it.
pub fn send(port: &mut dyn Port, job: &[u8]) -> io::Result<()> {
    port.write_all(job)?;
    port.flush()
}
