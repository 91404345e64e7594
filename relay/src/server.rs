//! One port for everything (HTTP/1.1, plain or TLS):
//! - `POST /v1/offices/{office}/events`: herald's webhook (Bearer token, `Idempotency-Key`);
//! - `POST /v1/offices/{office}/orchestra`: Qmatic Orchestra's event hooks;
//! - `POST /v1/offices/{office}/cap`: CAP 1.2 alerts (the office's CAP token; `cap`);
//! - `GET /v1/offices/{office}/feed`: displays, protocol v1 over WebSocket (`ws://`/`wss://`);
//! - `GET /healthz`: each office's seq and connected displays;
//! - `/o/{office}/`: the visitors' page on their phones (`phone`); `/console/`: the console.
//!
//! A webhook is answered 202 only after its events are committed to the log.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use herald_core::office::conversation;
use herald_core::protocol::{self, ClientMessage, ServerMessage};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

use crate::relay::{Refusal, Relay};
pub use crate::tls::tls_acceptor;

/// How often a quiet display hears the relay's latest seq.
pub const KEEPALIVE: Duration = Duration::from_secs(10);
/// A request's head (or a TLS handshake) must arrive within this, its body within
/// [`BODY_WITHIN`]: a connection that trickles a byte a minute (slowloris) is closed.
const HEAD_WITHIN: Duration = Duration::from_secs(10);
pub(crate) const BODY_WITHIN: Duration = Duration::from_secs(30);
/// Open connections at most (displays, webhooks, idle sockets together); beyond it new ones
/// are closed at once, so a flood cannot take every file descriptor of the relay.
pub const MAX_CONNECTIONS: usize = 2048;

pub(crate) type Answer = Response<Full<Bytes>>;

pub(crate) fn json(status: StatusCode, body: serde_json::Value) -> Answer {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

pub(crate) fn error(status: StatusCode, why: impl std::fmt::Display) -> Answer {
    json(status, serde_json::json!({ "error": why.to_string() }))
}

/// Compares tokens without stopping at the first differing byte.
pub(crate) fn bearer(request: &Request<Incoming>) -> Option<&str> {
    request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Serves until `stop` completes.
pub async fn serve(
    relay: Arc<Relay>,
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    stop: impl Future<Output = ()>,
) {
    tokio::pin!(stop);
    let places = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let mut full_said: Option<std::time::Instant> = None;
    loop {
        tokio::select! {
            () = &mut stop => return,
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let Ok(place) = places.clone().try_acquire_owned() else {
                    // Said at most once a minute: a flood must not flood the log too.
                    if full_said.is_none_or(|t| t.elapsed() > Duration::from_secs(60)) {
                        full_said = Some(std::time::Instant::now());
                        tracing::warn!(
                            "{MAX_CONNECTIONS} connections are open; refusing new ones (from \
                             {peer}) until some close"
                        );
                    }
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let relay = relay.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        None => connection(TokioIo::new(stream), peer, relay).await,
                        Some(acceptor) => {
                            match tokio::time::timeout(HEAD_WITHIN, acceptor.accept(stream)).await {
                                Ok(Ok(stream)) => connection(TokioIo::new(stream), peer, relay).await,
                                Ok(Err(e)) => tracing::warn!("{peer}: TLS handshake failed: {e}"),
                                Err(_) => tracing::warn!("{peer}: no TLS handshake within {} s; closed", HEAD_WITHIN.as_secs()),
                            }
                        }
                    }
                    drop(place);
                });
            }
        }
    }
}

async fn connection<I>(io: I, peer: SocketAddr, relay: Arc<Relay>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |request| {
        let relay = relay.clone();
        async move { Ok::<_, std::convert::Infallible>(route(request, peer, relay).await) }
    });
    if let Err(e) = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEAD_WITHIN)
        .serve_connection(io, service)
        .with_upgrades()
        .await
    {
        tracing::debug!("{peer}: connection ended: {e}");
    }
}

async fn route(
    request: Request<Incoming>,
    peer: SocketAddr,
    relay: Arc<Relay>,
) -> Response<crate::console::web::Body> {
    let path = request.uri().path();
    if path == "/console" || path.starts_with("/console/") {
        return match relay.console() {
            Some(console) => {
                let console = console.clone();
                crate::console::web::route(request, peer, console, relay).await
            }
            None => error(
                StatusCode::NOT_FOUND,
                "this relay has no console; add [console] to its site file (docs/console.md)",
            )
            .map(BodyExt::boxed),
        };
    }
    if path.starts_with("/o/") {
        return crate::phone::route(request, relay).await;
    }
    route_plain(request, peer, relay).await.map(BodyExt::boxed)
}

async fn route_plain(request: Request<Incoming>, peer: SocketAddr, relay: Arc<Relay>) -> Answer {
    let path = request.uri().path().to_owned();
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (request.method(), parts.as_slice()) {
        (&Method::GET, ["healthz"]) => health(&relay, told_status(&request, peer, &relay)),
        (&Method::GET, ["metrics"]) => {
            if !told_status(&request, peer, &relay) {
                return error(
                    StatusCode::UNAUTHORIZED,
                    "metrics are for the relay's machine, or with the status token",
                );
            }
            let text = relay
                .console()
                .map(|c| c.metrics.encode())
                .unwrap_or_else(|| "# EOF\n".into());
            let mut response = Response::new(Full::new(Bytes::from(text)));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                ),
            );
            response
        }
        (
            &Method::POST,
            [
                "v1",
                "offices",
                office,
                input @ ("events" | "orchestra" | "cap"),
            ],
        ) => {
            let input = match *input {
                "orchestra" => "orchestra",
                "cap" => "cap",
                _ => "events",
            };
            crate::intake::post(request, office, input, relay).await
        }
        (&Method::GET, ["v1", "offices", office, "feed"]) => {
            let office = (*office).to_owned();
            upgrade(request, peer, office, relay)
        }
        (_, ["v1", "offices", _, "events" | "orchestra" | "feed"]) => error(
            StatusCode::METHOD_NOT_ALLOWED,
            "POST events and orchestra hooks; GET (WebSocket) the feed",
        ),
        _ => error(
            StatusCode::NOT_FOUND,
            format!("nothing at {path}; see docs/relay.md for the relay's addresses"),
        ),
    }
}

/// Whether `/healthz` may name the offices: asked from the relay's own machine, or with the
/// site's status token.
fn told_status(request: &Request<Incoming>, peer: SocketAddr, relay: &Relay) -> bool {
    match &relay.site().status_token {
        Some(token) => bearer(request).is_some_and(|given| token.matches(given)),
        None => peer.ip().is_loopback(),
    }
}

/// `/healthz`: "ok" for anyone (a load balancer's probe); the offices, their seqs and their
/// displays only for [`told_status`].
fn health(relay: &Relay, detailed: bool) -> Answer {
    if !detailed {
        return json(StatusCode::OK, serde_json::json!({ "status": "ok" }));
    }
    let mut offices = serde_json::Map::new();
    for office in &relay.site().offices {
        offices.insert(
            office.id.clone(),
            serde_json::json!({
                "seq": relay.seq(&office.id).unwrap_or(0),
                "displays": relay.displays(&office.id),
            }),
        );
    }
    json(
        StatusCode::OK,
        serde_json::json!({ "status": "ok", "offices": offices }),
    )
}

fn upgrade(
    mut request: Request<Incoming>,
    peer: SocketAddr,
    office: String,
    relay: Arc<Relay>,
) -> Answer {
    let Some(site) = relay.office_site(&office) else {
        return error(StatusCode::NOT_FOUND, Refusal::UnknownOffice(office));
    };
    let Some(key) = request.headers().get(header::SEC_WEBSOCKET_KEY).cloned() else {
        return error(
            StatusCode::UPGRADE_REQUIRED,
            "the feed is a WebSocket; connect with a WebSocket client (herald --feed ws://…)",
        );
    };
    // A token in the header must be right; without one, `hello` must carry it.
    let authorised = match (&site.display_token, bearer(&request)) {
        (None, _) => true,
        (Some(expected), Some(given)) if expected.matches(given) => true,
        (Some(_), Some(_)) => {
            tracing::warn!("{office}: display {peer} refused: wrong token");
            return error(StatusCode::UNAUTHORIZED, "wrong display token");
        }
        (Some(_), None) => false,
    };
    let on_upgrade = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
                    .max_message_size(Some(protocol::MAX_FRAME_BYTES))
                    .max_frame_size(Some(protocol::MAX_FRAME_BYTES));
                let socket = WebSocketStream::from_raw_socket(
                    TokioIo::new(upgraded),
                    Role::Server,
                    Some(config),
                )
                .await;
                // Counted as a display once it said hello (a socket that never does is not).
                let greeted = conversation::serve_display(
                    socket,
                    peer,
                    &office,
                    &OfficeOfRelay {
                        relay: &relay,
                        office: &office,
                    },
                    site.display_token.filter(|_| !authorised),
                    KEEPALIVE,
                    || relay.display_joined(&office),
                )
                .await;
                if greeted {
                    relay.display_left(&office);
                }
            }
            Err(e) => tracing::warn!("{office}: display {peer} upgrade failed: {e}"),
        }
    });
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(accept) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    response
}

/// One office of the relay as a display's session sees it (the session itself is the shared
/// [`conversation::serve_display`]).
struct OfficeOfRelay<'a> {
    relay: &'a Relay,
    office: &'a str,
}

impl conversation::OfficeFrames for OfficeOfRelay<'_> {
    fn answer(&self, request: &ClientMessage) -> Result<Vec<ServerMessage>, String> {
        let answer = || {
            self.relay
                .answer(self.office, request)
                .map_err(|e| e.to_string())
        };
        // A replay reads up to `retention_events` rows: off the runtime's async threads, so
        // other displays' frames and keepalives go on meanwhile.
        match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(answer),
            _ => answer(),
        }
    }

    fn subscribe(&self) -> Option<broadcast::Receiver<Arc<ServerMessage>>> {
        self.relay.subscribe(self.office)
    }

    fn snapshot(&self) -> Option<ServerMessage> {
        self.relay.snapshot(self.office)
    }

    fn keepalive(&self) -> Option<ServerMessage> {
        self.relay.keepalive(self.office)
    }

    fn reports_every(&self) -> Option<u32> {
        self.relay.console().map(|_| crate::console::REPORT_EVERY)
    }

    fn joined(&self, display: &str, peer: SocketAddr) -> Option<conversation::Listening> {
        self.relay
            .console()
            .map(|c| c.joined(self.office, display, &peer.to_string()))
    }
}
