//! Serving one listener (DESIGN.md "Connections"): an accept loop over hyper-util's server that
//! bounds what any client can hold.
//!
//! - At most [`Limits::max_connections`] connections per listener. One more is accepted, answered
//!   `503` with a JSON message and closed, so the listener never stops accepting (and never runs
//!   the process out of file descriptors with idle sockets).
//! - A request head must be complete within [`Limits::header_read_timeout`] of the connection
//!   being ready for it (hyper's timer, which also runs while a kept-alive connection waits):
//!   slowloris is closed.
//! - A connection with no request being handled and no byte in or out for
//!   [`Limits::idle_timeout`] is closed (idle keep-alive, or a client that stopped reading its
//!   answer); a request body must keep coming (no gap longer than that between chunks). An open
//!   event stream counts as a request being handled.
//! - Every request passes [`crate::http::perimeter::check`] (Host, header sizes) before routing.
//! - Shutdown: stop accepting, let each connection finish its request (hyper's graceful
//!   shutdown), and drop whatever is still open after [`DRAIN`].

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::ServiceExt;
use tower_http::timeout::TimeoutBody;

use crate::config::Limits;
use crate::http::perimeter::{self, Hosts};

/// How long shutdown waits for open connections to finish their requests.
pub const DRAIN: Duration = Duration::from_secs(10);
/// Connections beyond the cap that may be in the middle of getting their 503 at once; more are
/// closed without an answer.
const REFUSING: usize = 64;
/// hyper's read buffer per connection: the largest request head it will hold (a bit over
/// [`perimeter::MAX_HEADERS_TOTAL`], so the perimeter answers oversized heads with its message).
const MAX_READ_BUFFER: usize = 64 * 1024;

/// Serves `router` on `listener` until `stop` becomes true, then drains.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    hosts: Hosts,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) -> io::Result<()> {
    let shared = Arc::new(Shared {
        router,
        hosts,
        limits,
        http: http_builder(limits),
    });
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let refusing = Arc::new(Semaphore::new(REFUSING));
    let refused = AtomicU64::new(0);
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|stopping| *stopping) => break,
        };
        while connections.try_join_next().is_some() {}
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors or a connection reset before accept: keep accepting.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        match slots.clone().try_acquire_owned() {
            Ok(slot) => {
                let shared = shared.clone();
                let stop = stop.clone();
                connections.spawn(async move {
                    connection(stream, shared, stop).await;
                    drop(slot);
                });
            }
            Err(_) => {
                let n = refused.fetch_add(1, Ordering::Relaxed);
                if n.is_multiple_of(1000) {
                    tracing::warn!(
                        max_connections = limits.max_connections,
                        refused = n + 1,
                        "connection cap reached: answering 503"
                    );
                }
                if let Ok(permit) = refusing.clone().try_acquire_owned() {
                    tokio::spawn(async move {
                        refuse_busy(stream, limits.max_connections).await;
                        drop(permit);
                    });
                }
            }
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(DRAIN, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            "shutdown: closing connections still open"
        );
        connections.shutdown().await;
    }
    Ok(())
}

struct Shared {
    router: Router,
    hosts: Hosts,
    limits: Limits,
    http: auto::Builder<TokioExecutor>,
}

fn http_builder(limits: Limits) -> auto::Builder<TokioExecutor> {
    // HTTP/1.1 only: browsers speak HTTP/2 only over TLS, and h2c would need limits of its own.
    let mut builder = auto::Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(MAX_READ_BUFFER);
    builder
}

async fn connection(stream: TcpStream, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: activity.clone(),
    });
    let service = {
        let shared = shared.clone();
        let activity = activity.clone();
        hyper::service::service_fn(move |request: Request<Incoming>| {
            let shared = shared.clone();
            let busy = Busy::new(activity.clone());
            async move {
                if let Some(refusal) = perimeter::check(&shared.hosts, &request) {
                    return Ok::<_, Infallible>(refusal);
                }
                let gap = shared.limits.idle_timeout;
                let request = request.map(|body| Body::new(TimeoutBody::new(gap, body)));
                let response = shared.router.clone().oneshot(request).await?;
                Ok(hold_while_streaming(response, busy))
            }
        })
    };
    let conn = shared.http.serve_connection(io, service);
    tokio::pin!(conn);
    let idle = shared.limits.idle_timeout;
    let mut stopping = false;
    loop {
        let deadline = activity.last() + idle;
        tokio::select! {
            done = conn.as_mut() => {
                if let Err(e) = done {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            _ = stop.wait_for(|s| *s), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
            _ = tokio::time::sleep_until(deadline) => {
                if activity.handling() == 0 && activity.last() + idle <= Instant::now() {
                    tracing::debug!("closing an idle connection");
                    return;
                }
            }
        }
    }
}

/// An event stream (live reload) is a request in progress for as long as its body is open, so
/// the idle rule never cuts it between keep-alive comments on a slow machine; every other answer
/// is done being handled once its head is out (a client that stops reading it is then idle).
/// Event streams have their own bound (`native_app::watch::MAX_CLIENTS`).
fn hold_while_streaming(
    response: axum::response::Response,
    busy: Busy,
) -> axum::response::Response {
    let streaming = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if !streaming {
        return response;
    }
    response.map(|body| {
        use futures_util::StreamExt;
        Body::from_stream(body.into_data_stream().map(move |chunk| {
            let _held = &busy;
            chunk
        }))
    })
}

/// Answers a connection over the cap with 503 and closes it; reads what the client sent (a
/// little, briefly) so that the close does not reset the answer away.
async fn refuse_busy(mut stream: TcpStream, max: usize) {
    let body = serde_json::json!({
        "error": "SERVICE_UNAVAILABLE",
        "message": format!("the sandbox has {max} open connections (--max-connections); close idle ones or retry"),
    })
    .to_string();
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\ncache-control: no-store\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        if stream.write_all(answer.as_bytes()).await.is_ok() {
            let _ = stream.shutdown().await;
            let mut sink = [0u8; 4096];
            let mut read = 0usize;
            while read < 64 * 1024 {
                match stream.read(&mut sink).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => read += n,
                }
            }
        }
    })
    .await;
}

/// When a connection last moved a byte, and how many of its requests are being handled.
struct Activity {
    start: Instant,
    last_ms: AtomicU64,
    handling: AtomicUsize,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            handling: AtomicUsize::new(0),
        }
    }
    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.fetch_max(ms, Ordering::Relaxed);
    }
    fn last(&self) -> Instant {
        self.start + Duration::from_millis(self.last_ms.load(Ordering::Relaxed))
    }
    fn handling(&self) -> usize {
        self.handling.load(Ordering::Relaxed)
    }
}

/// One request being handled (from its complete head to its response head).
struct Busy(Arc<Activity>);

impl Busy {
    fn new(activity: Arc<Activity>) -> Busy {
        activity.handling.fetch_add(1, Ordering::Relaxed);
        activity.touch();
        Busy(activity)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.touch();
        self.0.handling.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A socket that records when it last moved a byte.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
