//! Per-connection recording: a [`Recorder`] shared between the connection's task and the
//! [`Registry`](crate::serve::Registry), and [`Counted`], the client socket wrapper that counts
//! bytes and notices when the client closes.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::plan::Connection;

/// What one connection has shown so far; cheap to clone (all clones share the same record).
///
/// Byte counters and the open flag live outside the [`Connection`] so that the socket wrapper
/// can update them without locking; [`Recorder::snapshot`] merges them in.
#[derive(Debug, Clone)]
pub struct Recorder {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    accepted: Instant,
    seen: Mutex<Connection>,
    from_client: AtomicU64,
    to_client: AtomicU64,
    open: AtomicBool,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    /// A fresh record for a connection accepted now: nothing seen, zero bytes, open.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                accepted: Instant::now(),
                seen: Mutex::new(Connection::default()),
                from_client: AtomicU64::new(0),
                to_client: AtomicU64::new(0),
                open: AtomicBool::new(true),
            }),
        }
    }

    /// Applies `f` to the recorded [`Connection`] (a short lock; never call it re-entrantly).
    /// The `bytes_*` and `open` fields written here are overwritten by [`Recorder::snapshot`].
    pub fn update(&self, f: impl FnOnce(&mut Connection)) {
        let mut seen = self
            .inner
            .seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f(&mut seen);
    }

    /// Adds `n` bytes received from the client.
    pub fn add_from_client(&self, n: u64) {
        self.inner.from_client.fetch_add(n, Ordering::Relaxed);
    }

    /// Adds `n` bytes sent to the client.
    pub fn add_to_client(&self, n: u64) {
        self.inner.to_client.fetch_add(n, Ordering::Relaxed);
    }

    /// Milliseconds since the connection was accepted (saturating at `u64::MAX`).
    pub fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.inner.accepted.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Notes that a read from the client returned EOF or an error: sets `client_closed_ms` to
    /// [`Recorder::elapsed_ms`] unless it was already set (the first close wins).
    pub fn client_closed(&self) {
        let ms = self.elapsed_ms();
        self.update(|c| {
            c.client_closed_ms.get_or_insert(ms);
        });
    }

    /// Marks the connection closed (both sockets dropped).
    pub fn close(&self) {
        self.inner.open.store(false, Ordering::Release);
    }

    /// Whether the connection is still open.
    pub fn is_open(&self) -> bool {
        self.inner.open.load(Ordering::Acquire)
    }

    /// The record as it stands: the seen fields plus current byte counters and open flag.
    pub fn snapshot(&self) -> Connection {
        let mut c = self
            .inner
            .seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        c.bytes_from_client = self.inner.from_client.load(Ordering::Relaxed);
        c.bytes_to_client = self.inner.to_client.load(Ordering::Relaxed);
        c.open = self.is_open();
        c
    }
}

/// The client's socket, wrapped: counts raw bytes both ways into a [`Recorder`] and records
/// `client_closed_ms` the first time a read returns EOF or an error.
#[derive(Debug)]
pub struct Counted<S> {
    inner: S,
    rec: Recorder,
}

impl<S> Counted<S> {
    /// Wraps `inner`, counting into `rec`.
    pub fn new(inner: S, rec: Recorder) -> Self {
        Self { inner, rec }
    }

    /// The wrapped stream.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let wanted = buf.remaining() > 0;
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let n = buf.filled().len().saturating_sub(before);
                if n == 0 && wanted {
                    this.rec.client_closed();
                } else {
                    this.rec.add_from_client(count(n));
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => {
                this.rec.client_closed();
                Poll::Ready(Err(e))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let res = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &res {
            this.rec.add_to_client(count(*n));
        }
        res
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
