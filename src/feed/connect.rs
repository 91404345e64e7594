//! Opening the feed's connection: TCP, then TLS for `wss://` with the roots an office may need,
//! then the WebSocket upgrade, patient with slow links.
//!
//! **Trust.** `wss://` accepts a server certificate signed by one of the public web roots, by a
//! root installed on the system (`/etc/ssl/certs`, e.g. a municipality's internal CA added with
//! `update-ca-certificates`), or by a CA in `--ca-file`.
//!
//! **Slow links.** tungstenite refuses an upgrade answer that arrives in more than 64 reads
//! averaging under 128 bytes ("Attack attempt detected"), which is exactly what a congested or
//! mobile link delivers. Under plain `ws://` the answer's head is gathered here until it is
//! complete, then handed over in one piece; afterwards bytes pass straight through. (Under TLS
//! each read is a whole decrypted record, so nothing needs gathering.)

use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

/// The open connection to the queue system.
pub type Socket = WebSocketStream<MaybeTlsStream<Gathered<TcpStream>>>;

/// The TLS settings of `wss://` connections, made once at start so a bad CA file is reported
/// before anything runs.
#[derive(Clone)]
pub struct Trust(Arc<rustls::ClientConfig>);

impl std::fmt::Debug for Trust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Trust(web roots + system roots + CA file)")
    }
}

impl PartialEq for Trust {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Trust {
    /// The public web roots, the system's roots, and the certificates of `ca_file`.
    pub fn new(ca_file: Option<&Path>) -> Result<Self, String> {
        herald_wire::trust::client_config(ca_file, "--ca-file").map(|c| Self(Arc::new(c)))
    }
}

/// Connects to `request`'s host and upgrades to WebSocket (through TLS for `wss://`).
pub async fn open(
    request: Request,
    ws_config: WebSocketConfig,
    trust: &Trust,
) -> Result<Socket, String> {
    let uri = request.uri().clone();
    let tls = match uri.scheme_str() {
        Some("wss") => true,
        Some("ws") => false,
        other => {
            return Err(format!(
                "the feed URL's scheme is {:?}; use ws:// or wss://",
                other.unwrap_or("")
            ));
        }
    };
    let host = uri.host().ok_or("the feed URL has no host")?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
    let tcp = TcpStream::connect((host, port))
        .await
        .map_err(|e| e.to_string())?;
    // Frames are small and each should leave at once.
    let _ = tcp.set_nodelay(true);
    let stream = Gathered::new(tcp, !tls);
    let connector = if tls {
        Connector::Rustls(trust.0.clone())
    } else {
        Connector::Plain
    };
    let (socket, _response) = tokio_tungstenite::client_async_tls_with_config(
        request.into_client_request().map_err(|e| e.to_string())?,
        stream,
        Some(ws_config),
        Some(connector),
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(socket)
}

/// The longest upgrade answer head gathered before it is handed over anyway.
const HEAD_LIMIT: usize = 16 * 1024;

/// A stream that, until the HTTP answer's head is complete (`\r\n\r\n`), gathers what arrives
/// and hands it over in one piece; then passes bytes straight through.
pub struct Gathered<S> {
    inner: S,
    gathering: bool,
    buffer: Vec<u8>,
    handed: usize,
}

impl<S> Gathered<S> {
    /// `gather`: false passes everything straight through (under TLS).
    pub fn new(inner: S, gather: bool) -> Self {
        Self {
            inner,
            gathering: gather,
            buffer: Vec::new(),
            handed: 0,
        }
    }
}

fn head_complete(buffer: &[u8]) -> bool {
    buffer.windows(4).any(|w| w == b"\r\n\r\n") || buffer.len() >= HEAD_LIMIT
}

impl<S: AsyncRead + Unpin> AsyncRead for Gathered<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        while this.gathering {
            if head_complete(&this.buffer) {
                this.gathering = false;
                break;
            }
            let mut chunk = [0u8; 2048];
            let mut read = ReadBuf::new(&mut chunk);
            match Pin::new(&mut this.inner).poll_read(cx, &mut read) {
                Poll::Ready(Ok(())) if read.filled().is_empty() => this.gathering = false,
                Poll::Ready(Ok(())) => this.buffer.extend_from_slice(read.filled()),
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        if this.handed < this.buffer.len() {
            let rest = &this.buffer[this.handed..];
            let n = rest.len().min(out.remaining());
            out.put_slice(&rest[..n]);
            this.handed += n;
            if this.handed == this.buffer.len() {
                this.buffer = Vec::new();
                this.handed = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, out)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Gathered<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, data)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
