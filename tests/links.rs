//! The feed over links offices really have: a slow one that delivers bytes one by one, `wss://`
//! to a server whose certificate comes from the municipality's own CA, and a server that accepts
//! each connection and drops it at once.

mod support;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use herald::feed::connect::Trust;
use herald_core::protocol::{self, Call, ClientMessage, ServerMessage, State, VERSION};
use support::{Display, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;

const PATIENCE: Duration = Duration::from_secs(40);

/// Runs `future` on a runtime of its own thread, for as long as the test lasts.
fn background(future: impl std::future::Future<Output = ()> + Send + 'static) {
    std::thread::spawn(move || {
        if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            rt.block_on(future);
        }
    });
}

fn bind() -> (std::net::TcpListener, SocketAddr) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    listener.set_nonblocking(true).expect("non-blocking");
    let address = listener.local_addr().expect("address");
    (listener, address)
}

/// A proxy in front of `upstream` that passes the display's bytes on at once but delivers the
/// server's one byte every 5 ms, as a congested mobile link does.
fn slow_link(upstream: SocketAddr) -> SocketAddr {
    let (listener, address) = bind();
    background(async move {
        let Ok(listener) = TcpListener::from_std(listener) else {
            return;
        };
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
                });
                let mut chunk = [0u8; 1024];
                while let Ok(n) = server_read.read(&mut chunk).await {
                    if n == 0 {
                        return;
                    }
                    for byte in &chunk[..n] {
                        if client_write.write_all(&[*byte]).await.is_err() {
                            return;
                        }
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
            });
        }
    });
    address
}

#[test]
fn a_slow_link_completes_the_upgrade_and_delivers_calls() {
    let server = TestServer::start();
    let upstream: SocketAddr = server
        .url()
        .trim_start_matches("ws://")
        .parse()
        .expect("the test server's address");
    let link = slow_link(upstream);
    let mut display = Display::connect(&format!("ws://{link}"), |_| {});
    let started = Instant::now();
    assert!(
        display.pump_until(PATIENCE, |d| d.status.connected
            && d.board.last_seq().is_some()),
        "no connection over a slow link within {PATIENCE:?}; disconnects: {:?}",
        display.disconnects
    );
    eprintln!("connected over the slow link in {:?}", started.elapsed());
    server.calls(2);
    assert!(
        display.pump_until(PATIENCE, |d| d.called.len() == 2),
        "calls did not arrive over the slow link: {:?}",
        display.called
    );
}

/// A CA and a server certificate for 127.0.0.1 and localhost, made with openssl.
fn make_certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).expect("certificate folder");
    let run = |args: &[&str]| {
        let status = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("openssl is missing (Debian package openssl)");
        assert!(status.success(), "openssl {args:?} failed");
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Mesto Rajec internal CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=queue.rajec.local",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .expect("extensions file");
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "server.pem",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    )
}

/// A `wss://` queue system on loopback: answers `hello` with a snapshot holding one call.
fn tls_server(cert: &Path, key: &Path) -> SocketAddr {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .expect("server.pem")
        .collect::<Result<_, _>>()
        .expect("certificates");
    let key = PrivateKeyDer::from_pem_file(key).expect("server.key");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .expect("server certificate");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (listener, address) = bind();
    background(async move {
        let Ok(listener) = TcpListener::from_std(listener) else {
            return;
        };
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut socket) = tokio_tungstenite::accept_async(tls).await else {
                    return;
                };
                while let Some(Ok(Message::Text(text))) = socket.next().await {
                    if let Ok(ClientMessage::Hello { .. }) =
                        serde_json::from_str::<ClientMessage>(text.as_str())
                    {
                        let snapshot = ServerMessage::Snapshot {
                            v: VERSION,
                            seq: 1,
                            state: State {
                                calls: vec![Call::new(
                                    "tls-1",
                                    "T001",
                                    "2",
                                    chrono::Utc::now().to_rfc3339(),
                                )],
                                ..State::default()
                            },
                        };
                        let frame = Message::text(protocol::encode_server(&snapshot));
                        if socket.send(frame).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    address
}

#[test]
fn wss_trusts_the_offices_own_ca_when_given_and_refuses_it_otherwise() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tls");
    let (ca, cert, key) = make_certificates(&dir);
    let address = tls_server(&cert, &key);
    let url = format!("wss://localhost:{}", address.port());

    let trust = Trust::new(Some(&ca)).expect("the CA file reads");
    let mut trusting = Display::connect(&url, |c| c.trust = Some(trust));
    assert!(
        trusting.pump_until(PATIENCE, |d| d.board.calls().count() == 1),
        "no snapshot over wss:// with --ca-file; disconnects: {:?}",
        trusting.disconnects
    );
    assert_eq!(
        trusting.board.current().map(|e| e.call.ticket.as_str()),
        Some("T001")
    );

    let mut default = Display::connect(&url, |_| {});
    assert!(
        default.pump_until(PATIENCE, |d| !d.disconnects.is_empty()),
        "a certificate from an unknown CA was not refused"
    );
    assert!(!default.status.connected);
    let reason = &default.disconnects[0].1;
    assert!(
        reason.to_lowercase().contains("certificate") || reason.contains("UnknownIssuer"),
        "the refusal does not say it is the certificate: {reason}"
    );

    let e = Trust::new(Some(&dir.join("san.ext"))).expect_err("not a certificate");
    assert!(
        e.contains("san.ext") && e.contains("BEGIN CERTIFICATE"),
        "{e}"
    );
}

/// A server that completes each WebSocket upgrade and closes the connection at once.
fn drops_every_connection() -> (SocketAddr, Arc<std::sync::Mutex<Vec<Instant>>>) {
    let accepted = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = accepted.clone();
    let (listener, address) = bind();
    background(async move {
        let Ok(listener) = TcpListener::from_std(listener) else {
            return;
        };
        while let Ok((tcp, _)) = listener.accept().await {
            if let Ok(mut socket) = tokio_tungstenite::accept_async(tcp).await {
                if let Ok(mut times) = log.lock() {
                    times.push(Instant::now());
                }
                let _ = socket.close(None).await;
            }
        }
    });
    (address, accepted)
}

#[test]
fn a_server_that_accepts_and_drops_is_redialled_with_growing_waits() {
    let (address, accepted) = drops_every_connection();
    // The product's own backoff (0.5 s doubling), not the tests' faster one.
    let _display = Display::connect(&format!("ws://{address}"), |c| {
        c.backoff_first = Duration::from_millis(500);
        c.backoff_max = Duration::from_secs(30);
    });
    let end = Instant::now() + Duration::from_secs(12);
    while Instant::now() < end {
        std::thread::sleep(Duration::from_millis(100));
    }
    let times = accepted.lock().map(|t| t.clone()).unwrap_or_default();
    // 0.5, 1, 2, 4 s steps (each with jitter down to half): at most about 6 dials in 12 s, where
    // redialling every 0.25–0.5 s would make 24 or more.
    assert!(
        (3..=7).contains(&times.len()),
        "{} connections in 12 s: {:?}",
        times.len(),
        times.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>()
    );
    let waits: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        waits.last() > waits.first(),
        "the waits do not grow: {waits:?}"
    );
}

#[test]
fn quitting_while_a_server_keeps_the_display_waiting_is_quick() {
    // A server that accepts the connection and never answers the upgrade.
    let (listener, address) = bind();
    let held = Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = held.clone();
    background(async move {
        let Ok(listener) = TcpListener::from_std(listener) else {
            return;
        };
        while let Ok((tcp, _)) = listener.accept().await {
            if let Ok(mut held) = keep.lock() {
                held.push(tcp);
            }
        }
    });
    let display = Display::connect(&format!("ws://{address}"), |c| {
        c.connect_timeout = Duration::from_secs(10);
    });
    let end = Instant::now() + PATIENCE;
    while held.lock().map(|h| h.is_empty()).unwrap_or(true) && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !held.lock().map(|h| h.is_empty()).unwrap_or(true),
        "the display never dialled"
    );
    let quitting = Instant::now();
    drop(display);
    let took = quitting.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "quitting waited {took:?} for a connect the server never answered"
    );
}
