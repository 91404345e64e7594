//! The relay as an office runs it: the real `herald-relay` binary with a site file and a SQLite
//! log on disk, webhooks posted over HTTP, displays speaking protocol v1 over WebSocket and
//! applying frames with herald's own board, `kill -9` between posts.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use herald_core::board::{Applied, Board, News};
use herald_core::protocol::{self, ClientMessage, ServerMessage, VERSION};
use herald_relay::client;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const HOOK: &str = "hook-secret-1";
const SCREEN: &str = "screen-secret-1";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("herald-relay-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// A site file with one office (tokens in files) plus `extra` lines.
fn site(dir: &Path, extra: &str, office_extra: &str) -> PathBuf {
    std::fs::write(dir.join("hook.token"), format!("{HOOK}\n")).expect("token");
    std::fs::write(dir.join("screen.token"), format!("{SCREEN}\n")).expect("token");
    let text = format!(
        r#"database = "relay.db"
{extra}
[[office]]
id = "sk.rajec"
webhook_token_file = "hook.token"
display_token_file = "screen.token"
{office_extra}
[office.counters.c4]
label = "3"
floor = 1
[office.services.tax]
sk = "Miestne dane"
uk = "Місцеві податки"
"#
    );
    let path = dir.join("site.toml");
    std::fs::write(&path, text).expect("site file");
    path
}

/// The real binary, its log lines, its address.
struct RelayProcess {
    child: Child,
    address: SocketAddr,
    lines: mpsc::Receiver<String>,
}

impl RelayProcess {
    fn start(site: &Path, listen: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_herald-relay"))
            .arg("--site")
            .arg(site)
            .args(["--listen", listen])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("herald-relay starts");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut process = Self {
            child,
            address: "0.0.0.0:0".parse().expect("address"),
            lines,
        };
        let line = process.wait_for("listening on ");
        process.address = line
            .rsplit(' ')
            .next()
            .and_then(|a| a.parse().ok())
            .expect("an address after 'listening on'");
        process
    }

    /// Waits for a log line containing `text` (the relay logs each event it stores).
    fn wait_for(&mut self, text: &str) -> String {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(30)) {
                Ok(line) if line.contains(text) => return line,
                Ok(_) => {}
                Err(e) => panic!("no log line with {text:?} from herald-relay: {e}"),
            }
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// kill -9: no chance to flush or say goodbye.
    fn kill_9(mut self) -> SocketAddr {
        self.child.kill().expect("kill -9");
        let _ = self.child.wait();
        self.address
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A display: speaks protocol v1 and applies frames with herald's board.
struct Display {
    socket: WebSocketStream<Box<dyn Io>>,
    board: Board,
    /// Tickets as called ("A001", "A001 again" for a recall), in order, each once.
    heard: Vec<String>,
    frames: Vec<ServerMessage>,
}

impl Display {
    async fn connect(
        address: SocketAddr,
        office: &str,
        token: Option<&str>,
        tls: Option<&Path>,
    ) -> Result<Self, String> {
        let scheme = if tls.is_some() { "wss" } else { "ws" };
        let host = if tls.is_some() {
            "localhost".to_owned()
        } else {
            address.ip().to_string()
        };
        let url = format!(
            "{scheme}://{host}:{}/v1/offices/{office}/feed",
            address.port()
        );
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| e.to_string())?;
        if let Some(token) = token {
            request.headers_mut().insert(
                "authorization",
                format!("Bearer {token}")
                    .parse()
                    .map_err(|_| "header".to_owned())?,
            );
        }
        let tcp = tokio::net::TcpStream::connect(address)
            .await
            .map_err(|e| e.to_string())?;
        let stream: Box<dyn Io> = match tls {
            None => Box::new(tcp),
            Some(ca) => {
                let connector = client::tls_connector(Some(ca))?;
                let name = rustls_pki_types::ServerName::try_from("localhost")
                    .map_err(|e| e.to_string())?;
                Box::new(
                    connector
                        .connect(name, tcp)
                        .await
                        .map_err(|e| format!("TLS: {e}"))?,
                )
            }
        };
        let (socket, _) = tokio_tungstenite::client_async(request, stream)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Self {
            socket,
            board: Board::new(),
            heard: Vec::new(),
            frames: Vec::new(),
        })
    }

    async fn hello(&mut self, last_seq: Option<u64>) {
        let hello = ClientMessage::Hello {
            v: VERSION,
            display: "test-hall".into(),
            token: None,
            last_seq,
        };
        self.socket
            .send(Message::text(protocol::encode_client(&hello)))
            .await
            .expect("hello sent");
    }

    /// The next frame that is not a keepalive, within 10 s.
    async fn next(&mut self) -> Option<ServerMessage> {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(10), self.socket.next())
                .await
                .ok()??;
            let Ok(Message::Text(text)) = frame else {
                return None;
            };
            let message = protocol::decode(text.as_str()).expect("the relay sends valid v1 frames");
            if matches!(message, ServerMessage::Keepalive { .. }) {
                continue;
            }
            if let Applied::Changed(news) = self.board.apply(&message) {
                for item in news {
                    match item {
                        News::Called(call) => self.heard.push(call.ticket),
                        News::Recalled(call) => self.heard.push(format!("{} again", call.ticket)),
                        _ => {}
                    }
                }
            }
            self.frames.push(message.clone());
            return Some(message);
        }
    }

    /// Reads frames until the board reaches `seq`.
    async fn until(&mut self, seq: u64) {
        while self.board.last_seq() < Some(seq) {
            let Some(frame) = self.next().await else {
                panic!(
                    "the display stopped at {:?} waiting for #{seq}",
                    self.board.last_seq()
                );
            };
            let _ = frame;
        }
    }
}

fn call_body(id: &str, ticket: &str) -> String {
    format!(
        r#"{{"type":"call","call_id":"{id}","ticket":"{ticket}","counter":"c4","service":"tax","client_name":"Ján Novák","document_number":"EA123456"}}"#
    )
}

async fn post(relay: &RelayProcess, key: Option<&str>, body: &str) -> client::Answer {
    client::post_json(
        &relay.url("/v1/offices/sk.rajec/events"),
        Some(HOOK),
        key,
        body,
    )
    .await
    .expect("the relay answers")
}

fn seqs(answer: &client::Answer) -> serde_json::Value {
    serde_json::from_slice::<serde_json::Value>(&answer.body).expect("json answer")["seq"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posted_calls_reach_the_display_once_and_kill_9_loses_nothing_acknowledged() {
    let dir = scratch("kill9");
    let site = site(&dir, "", "");
    let relay = RelayProcess::start(&site, "127.0.0.1:0");
    let mut display = Display::connect(relay.address, "sk.rajec", Some(SCREEN), None)
        .await
        .expect("display connects");
    display.hello(None).await;
    assert!(matches!(
        display.next().await,
        Some(ServerMessage::Snapshot { seq: 0, .. })
    ));

    for (n, ticket) in ["A001", "A002", "A003"].iter().enumerate() {
        let answer = post(
            &relay,
            Some(&format!("key-{n}")),
            &call_body(&format!("v{n}"), ticket),
        )
        .await;
        assert_eq!(answer.status, 202, "{}", answer.text());
        assert_eq!(seqs(&answer), serde_json::json!([n + 1, n + 1]));
    }
    // The queue system retries the second post (its answer was lost): stored once.
    let retry = post(&relay, Some("key-1"), &call_body("v1", "A002")).await;
    assert_eq!(retry.status, 202);
    assert_eq!(seqs(&retry), serde_json::json!([2, 2]));
    let recall = post(&relay, Some("key-r"), r#"{"type":"recall","call_id":"v0"}"#).await;
    assert_eq!(seqs(&recall), serde_json::json!([4, 4]));
    display.until(4).await;
    assert_eq!(display.heard, ["A001", "A002", "A003", "A001 again"]);
    let Some(ServerMessage::Call { call, .. }) = display.frames.get(1) else {
        panic!("{:?}", display.frames)
    };
    assert_eq!((call.counter.label.as_str(), call.floor), ("3", Some(1)));
    assert_eq!(
        call.service.get("uk").map(String::as_str),
        Some("Місцеві податки")
    );

    // kill -9 right after an acknowledged post; then two more calls after the restart.
    let acked = post(&relay, Some("key-5"), &call_body("v5", "A005")).await;
    assert_eq!(acked.status, 202);
    display.until(5).await;
    let address = relay.kill_9();
    assert!(
        display.next().await.is_none(),
        "the display saw the relay go"
    );
    let mut relay = RelayProcess::start(&site, &address.to_string());
    for (key, id, ticket, seq) in [("key-6", "v6", "A006", 6), ("key-7", "v7", "A007", 7)] {
        let answer = post(&relay, Some(key), &call_body(id, ticket)).await;
        assert_eq!(
            seqs(&answer),
            serde_json::json!([seq, seq]),
            "the numbering goes on after kill -9"
        );
    }
    // A retry of a post acknowledged before the kill is still recognised.
    assert_eq!(
        seqs(&post(&relay, Some("key-5"), &call_body("v5", "A005")).await),
        serde_json::json!([5, 5])
    );

    // The display comes back with its last seq and gets exactly what it missed.
    let last = display.board.last_seq();
    assert_eq!(last, Some(5));
    let mut display2 = Display::connect(relay.address, "sk.rajec", Some(SCREEN), None)
        .await
        .expect("reconnect");
    display2.board = display.board.clone();
    display2.hello(last).await;
    display2.until(7).await;
    assert_eq!(display2.heard, ["A006", "A007"]);
    assert!(
        display2
            .frames
            .iter()
            .all(|f| !matches!(f, ServerMessage::Snapshot { .. })),
        "a replay, not a snapshot"
    );
    relay.wait_for("events replayed");

    // The log on disk: seven events, no client name, no document number.
    let db = rusqlite::Connection::open(dir.join("relay.db")).expect("open the log");
    let (count, frames): (i64, String) = db
        .query_row(
            "SELECT COUNT(*), group_concat(frame) FROM event WHERE office = 'sk.rajec'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("query");
    assert_eq!(count, 7);
    assert!(
        !frames.contains("Novák") && !frames.contains("EA123456"),
        "personal data stored: {frames}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_is_known_by_what_it_says_not_by_its_bytes() {
    let dir = scratch("retries");
    let site = site(&dir, "", "");
    let relay = RelayProcess::start(&site, "127.0.0.1:0");
    let first = post(&relay, Some("k-call"), &call_body("v1", "A001")).await;
    assert_eq!(
        (first.status, seqs(&first)),
        (202, serde_json::json!([1, 1]))
    );
    // The same event serialised again by the client: other key order, other spacing.
    let reserialised = r#"{ "counter": "c4", "ticket": "A001", "call_id": "v1",
        "service": "tax", "document_number": "EA123456", "client_name": "Ján Novák",
        "type": "call" }"#;
    let retry = post(&relay, Some("k-call"), reserialised).await;
    assert_eq!(retry.status, 202, "{}", retry.text());
    assert!(
        retry.text().contains("\"repeated\":true"),
        "{}",
        retry.text()
    );
    // A retried `finished` finds its call already ended; it is still the same request.
    let finished = r#"{"type":"finished","call_id":"v1"}"#;
    let done = post(&relay, Some("k-fin"), finished).await;
    assert_eq!((done.status, seqs(&done)), (202, serde_json::json!([2, 2])));
    let again = post(&relay, Some("k-fin"), finished).await;
    assert_eq!(again.status, 202, "{}", again.text());
    assert_eq!(seqs(&again), serde_json::json!([2, 2]));
    assert!(
        again.text().contains("\"repeated\":true"),
        "{}",
        again.text()
    );
    // A different request under a used key is still refused.
    let other = post(
        &relay,
        Some("k-fin"),
        r#"{"type":"cancelled","call_id":"v1"}"#,
    )
    .await;
    assert_eq!(other.status, 422, "{}", other.text());
    // An empty notice text is refused as the docs say; a counter may be a number.
    let empty = post(
        &relay,
        None,
        r#"{"type":"notice","notice_id":"n1","text":{"sk":""}}"#,
    )
    .await;
    assert_eq!(empty.status, 400, "{}", empty.text());
    let numbered = post(
        &relay,
        None,
        r#"{"type":"call","call_id":"v2","ticket":"A002","counter":4}"#,
    )
    .await;
    assert_eq!(numbered.status, 202, "{}", numbered.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_that_never_speak_are_closed_and_never_counted_as_displays() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = scratch("silent");
    std::fs::write(dir.join("status.token"), "it-office\n").expect("token");
    let site = site(&dir, "status_token_file = \"status.token\"", "");
    let relay = RelayProcess::start(&site, "127.0.0.1:0");
    let health = |token: Option<&'static str>| {
        let url = relay.url("/healthz");
        async move {
            let headers: Vec<(&str, String)> = token
                .map(|t| vec![("authorization", format!("Bearer {t}"))])
                .unwrap_or_default();
            let answer = client::request("GET", &url, &headers, Vec::new(), None)
                .await
                .expect("healthz answers");
            serde_json::from_slice::<serde_json::Value>(&answer.body).expect("json")
        }
    };
    // Anyone may ask whether it is up; only the IT office learns which offices it serves.
    let anonymous = health(None).await;
    assert_eq!(anonymous["status"], "ok");
    assert!(anonymous.get("offices").is_none(), "{anonymous}");

    // 20 WebSockets that never say hello, and 5 connections that trickle half a request head.
    let mut silent = Vec::new();
    for _ in 0..20 {
        silent.push(
            Display::connect(relay.address, "sk.rajec", Some(SCREEN), None)
                .await
                .expect("upgrade"),
        );
    }
    let mut trickling = Vec::new();
    for _ in 0..5 {
        let mut tcp = tokio::net::TcpStream::connect(relay.address)
            .await
            .expect("connect");
        tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: relay\r\n")
            .await
            .expect("half a head");
        trickling.push(tcp);
    }
    let detailed = health(Some("it-office")).await;
    assert_eq!(
        detailed["offices"]["sk.rajec"]["displays"], 0,
        "sockets without hello counted as displays: {detailed}"
    );
    // Every one of them is closed by the relay (the limit is not the point: that they end).
    for mut display in silent {
        let end = tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                match display.socket.next().await {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                    Some(Ok(_)) => {}
                }
            }
        })
        .await;
        assert!(end.is_ok(), "a socket without hello was kept open");
    }
    for mut tcp in trickling {
        let mut buffer = [0u8; 256];
        let end = tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                match tcp.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        })
        .await;
        assert!(end.is_ok(), "a half-sent request head was kept open");
    }
    // A real display still gets in and is counted.
    let mut display = Display::connect(relay.address, "sk.rajec", Some(SCREEN), None)
        .await
        .expect("display connects");
    display.hello(None).await;
    assert!(matches!(
        display.next().await,
        Some(ServerMessage::Snapshot { .. })
    ));
    let detailed = health(Some("it-office")).await;
    assert_eq!(detailed["offices"]["sk.rajec"]["displays"], 1, "{detailed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_with_many_notices_still_gives_every_new_display_a_state() {
    let dir = scratch("notices");
    let site = site(&dir, "", "");
    let mut relay = RelayProcess::start(&site, "127.0.0.1:0");
    let text = "Від понеділка відділ реєстрації працює до 15:00. ".repeat(8);
    let text: String = text.chars().take(400).collect();
    for n in 0..60 {
        let body = serde_json::json!({
            "type": "notice", "notice_id": format!("n{n}"),
            "text": {"sk": text, "uk": text, "bg": text, "mk": text, "en": text},
        });
        let answer = post(&relay, None, &body.to_string()).await;
        assert_eq!(answer.status, 202, "{}", answer.text());
    }
    post(&relay, None, &call_body("v1", "A001")).await;
    let mut display = Display::connect(relay.address, "sk.rajec", Some(SCREEN), None)
        .await
        .expect("display connects");
    display.hello(None).await;
    let Some(ServerMessage::Snapshot { seq, state, .. }) = display.next().await else {
        panic!("no snapshot the display could read")
    };
    assert_eq!(seq, 61);
    assert_eq!(state.calls.len(), 1, "the call is in the state");
    assert!(
        state.notices.last().is_some_and(|n| n.id == "n59"),
        "the newest notice is kept"
    );
    relay.wait_for("left out the");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_display_away_past_the_retention_window_gets_a_snapshot() {
    let dir = scratch("retention");
    let site = site(&dir, "retention_events = 3", "");
    let relay = RelayProcess::start(&site, "127.0.0.1:0");
    for n in 1..=6 {
        let answer = post(
            &relay,
            None,
            &call_body(&format!("v{n}"), &format!("B{n:03}")),
        )
        .await;
        assert_eq!(answer.status, 202);
    }
    // Restarting applies the window at once (it is also applied as events come).
    let address = relay.kill_9();
    let relay = RelayProcess::start(&site, &address.to_string());
    let mut away = Display::connect(relay.address, "sk.rajec", Some(SCREEN), None)
        .await
        .expect("connect");
    away.hello(Some(1)).await;
    let Some(ServerMessage::Snapshot { seq, state, .. }) = away.next().await else {
        panic!("a snapshot for a display at #1")
    };
    assert_eq!(seq, 6);
    assert_eq!(state.calls.len(), 6);
    let mut recent = Display::connect(relay.address, "sk.rajec", Some(SCREEN), None)
        .await
        .expect("connect");
    recent.hello(Some(4)).await;
    assert!(
        matches!(
            recent.next().await,
            Some(ServerMessage::Call { seq: 5, .. })
        ),
        "a display at #4 gets a replay"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_and_wrong_tokens_are_refused_with_a_reason_and_store_nothing() {
    let dir = scratch("bad");
    let site = site(&dir, "", "");
    let relay = RelayProcess::start(&site, "127.0.0.1:0");
    let events = relay.url("/v1/offices/sk.rajec/events");
    let cases: [(&str, &str); 8] = [
        ("{\"type\":\"call\"", "not JSON"),
        (r#"{"ticket":"A1"}"#, "no \"type\""),
        (r#"{"type":"teleport"}"#, "unknown type"),
        (
            r#"{"type":"call","call_id":"x","counter":"c4"}"#,
            "missing field `ticket`",
        ),
        (
            r#"{"type":"call","call_id":"x","ticket":"A00000000000042","counter":"c4"}"#,
            "call.ticket",
        ),
        (
            r#"{"type":"call","call_id":"x","ticket":"A1","counter":"c4","at":"tomorrow"}"#,
            "RFC 3339",
        ),
        (r#"{"type":"recall","call_id":"never"}"#, "not on the board"),
        (
            r#"{"type":"counter","counter":"c4","state":"asleep"}"#,
            "unknown variant",
        ),
    ];
    for (body, reason) in cases {
        let answer = client::post_json(&events, Some(HOOK), None, body)
            .await
            .expect("answer");
        assert_eq!(answer.status, 400, "{body}: {}", answer.text());
        let why = serde_json::from_slice::<serde_json::Value>(&answer.body).expect("json")["error"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        assert!(why.contains(reason), "{body}: expected {reason:?} in {why}");
    }
    let huge = format!(
        r#"{{"type":"notice","notice_id":"n","text":{{"sk":"{}"}}}}"#,
        "x".repeat(70_000)
    );
    let answer = client::post_json(&events, Some(HOOK), None, &huge)
        .await
        .expect("answer");
    assert_eq!(answer.status, 400);
    assert!(
        answer.text().contains("over 65536 bytes"),
        "{}",
        answer.text()
    );
    let answer = client::post_json(&events, Some("wrong"), None, &call_body("v1", "A1"))
        .await
        .expect("answer");
    assert_eq!(answer.status, 401);
    let answer = client::post_json(&events, None, None, &call_body("v1", "A1"))
        .await
        .expect("answer");
    assert_eq!(answer.status, 401);
    let answer = client::post_json(
        &relay.url("/v1/offices/sk.nowhere/events"),
        Some(HOOK),
        None,
        &call_body("v1", "A1"),
    )
    .await
    .expect("answer");
    assert_eq!(answer.status, 404);
    // Nothing was stored by any of them.
    let health = client::request("GET", &relay.url("/healthz"), &[], Vec::new(), None)
        .await
        .expect("healthz");
    let health: serde_json::Value = serde_json::from_slice(&health.body).expect("json");
    assert_eq!(health["offices"]["sk.rajec"]["seq"], 0);
    // The same key for a different event is refused; the first event stays.
    assert_eq!(
        client::post_json(&events, Some(HOOK), Some("k"), &call_body("v1", "A1"))
            .await
            .expect("answer")
            .status,
        202
    );
    let reused = client::post_json(&events, Some(HOOK), Some("k"), &call_body("v2", "A2"))
        .await
        .expect("answer");
    assert_eq!(reused.status, 422, "{}", reused.text());
    // Displays: a wrong token is refused before the upgrade, a missing one at hello.
    assert!(
        Display::connect(relay.address, "sk.rajec", Some("wrong"), None)
            .await
            .is_err()
    );
    let mut anonymous = Display::connect(relay.address, "sk.rajec", None, None)
        .await
        .expect("upgrade without a header");
    anonymous.hello(None).await;
    assert!(
        anonymous.next().await.is_none(),
        "no frame for a display without a token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orchestra_hooks_become_call_recall_and_no_show() {
    let dir = scratch("orchestra");
    let site = site(
        &dir,
        "",
        "orchestra_branch = 3\n[office.counters.4]\nlabel = \"4\"\nfloor = 0",
    );
    let relay = RelayProcess::start(&site, "127.0.0.1:0");
    let mut display = Display::connect(relay.address, "sk.rajec", Some(SCREEN), None)
        .await
        .expect("connect");
    display.hello(None).await;
    display.next().await;
    let hooks = relay.url("/v1/offices/sk.rajec/orchestra");
    let call = r#"{"eventName":"VISIT_CALL","eventTime":"2026-11-22T09:14:03+01:00","parameters":{"branchId":3,"visitId":5532,"ticket":"A042","servicePointId":4,"servicePointName":"Prepážka 4","serviceId":"tax","serviceName":"Local taxes","staffName":"Mária K.","customerName":"Ján Novák"}}"#;
    let recall = call.replace("09:14:03", "09:15:10");
    let noshow = r#"{"eventName":"VISIT_NOSHOW","eventTime":"2026-11-22T09:17:00+01:00","parameters":{"branchId":3,"visitId":5532,"servicePointId":4}}"#;
    let other_branch = call
        .replace("\"branchId\":3", "\"branchId\":9")
        .replace("5532", "7777");
    for (body, status) in [
        (call, 202),
        (call, 202),
        (recall.as_str(), 202),
        (noshow, 202),
        (other_branch.as_str(), 200),
    ] {
        let answer = client::post_json(&hooks, Some(HOOK), None, body)
            .await
            .expect("answer");
        assert_eq!(answer.status, status, "{}", answer.text());
    }
    display.until(3).await;
    assert_eq!(
        display.heard,
        ["A042", "A042 again"],
        "Orchestra's retried hook was stored once"
    );
    assert!(matches!(
        display.frames.last(),
        Some(ServerMessage::CallEnded {
            reason: protocol::CallEnd::Cancelled,
            ..
        })
    ));
}

/// A NovoSGA server on loopback: the token endpoint and a panel whose rows the test adds.
async fn novosga_server(
    rows: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
) -> SocketAddr {
    use http_body_util::Full;
    use hyper::body::Bytes;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let rows = rows.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(
                    move |request: hyper::Request<hyper::body::Incoming>| {
                        let rows = rows.clone();
                        async move {
                            let authorised = request
                                .headers()
                                .get("authorization")
                                .and_then(|v| v.to_str().ok())
                                == Some("Bearer sga-token");
                            let (status, body) = match request.uri().path() {
                            "/api/token" => (200, r#"{"access_token":"sga-token","expires_in":3600,"token_type":"bearer","refresh_token":"r"}"#.to_owned()),
                            "/api/unidades/1/painel" if authorised && request.uri().query() == Some("servicos=1,2") => {
                                let mut newest_first = rows.lock().expect("rows").clone();
                                newest_first.reverse();
                                newest_first.truncate(10);
                                (200, serde_json::Value::Array(newest_first).to_string())
                            }
                            _ => (401, r#"{"error":"invalid_grant"}"#.to_owned()),
                        };
                            let mut response = hyper::Response::new(Full::new(Bytes::from(body)));
                            *response.status_mut() = hyper::StatusCode::from_u16(status)
                                .unwrap_or(hyper::StatusCode::OK);
                            Ok::<_, std::convert::Infallible>(response)
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    address
}

fn panel_row(id: u64, numero: u64, local: u64) -> serde_json::Value {
    serde_json::json!({
        "id": id, "siglaSenha": "D", "numeroSenha": numero, "mensagem": "",
        "local": "Guichê", "numeroLocal": local, "peso": 0, "prioridade": "Normal",
        "nomeCliente": "Maria da Silva", "documentoCliente": "123.456.789-00",
        "servico": {"id": 1, "nome": "Documentos"}
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_novosga_panel_is_followed_with_recalls() {
    let rows = std::sync::Arc::new(std::sync::Mutex::new(vec![panel_row(40, 7, 2)]));
    let sga = novosga_server(rows.clone()).await;
    let dir = scratch("novosga");
    std::fs::write(dir.join("sga.secret"), "client-secret").expect("secret");
    std::fs::write(dir.join("sga.password"), "panel-password").expect("password");
    let site = site(
        &dir,
        "",
        &format!(
            "[office.novosga]\nurl = \"http://{sga}\"\nunit = 1\nservices = [1, 2]\nclient_id = \"herald\"\nclient_secret_file = \"sga.secret\"\nusername = \"panel\"\npassword_file = \"sga.password\"\nevery_seconds = 0.3\n"
        ),
    );
    let mut relay = RelayProcess::start(&site, "127.0.0.1:0");
    relay.wait_for("following it from row 40");
    let mut display = Display::connect(relay.address, "sk.rajec", Some(SCREEN), None)
        .await
        .expect("connect");
    display.hello(None).await;
    display.next().await;
    // D008 to counter 3, the clerk recalls it (a new row), then D009 to counter 3.
    rows.lock().expect("rows").push(panel_row(41, 8, 3));
    display.until(1).await;
    rows.lock().expect("rows").push(panel_row(42, 8, 3));
    display.until(2).await;
    rows.lock().expect("rows").push(panel_row(43, 9, 3));
    display.until(4).await;
    assert_eq!(display.heard, ["D008", "D008 again", "D009"]);
    assert!(
        display
            .board
            .calls()
            .any(|e| e.call.id == "novosga-41" && e.finished),
        "D008 served when D009 was called"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn displays_connect_over_wss_with_the_sites_certificate() {
    let dir = scratch("wss");
    let run = |args: &[&str]| {
        let status = Command::new("openssl")
            .args(args)
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl is missing (Debian package openssl; ./dev installs it)");
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
        "/CN=Rajec test CA",
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
        "/CN=relay.rajec.local",
        "-keyout",
        "relay.key",
        "-out",
        "relay.csr",
    ]);
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .expect("ext");
    run(&[
        "x509",
        "-req",
        "-in",
        "relay.csr",
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
        "relay.pem",
    ]);
    let site = site(
        &dir,
        "tls_cert = \"relay.pem\"\ntls_key = \"relay.key\"",
        "",
    );
    let relay = RelayProcess::start(&site, "127.0.0.1:0");
    let mut display = Display::connect(
        relay.address,
        "sk.rajec",
        Some(SCREEN),
        Some(&dir.join("ca.pem")),
    )
    .await
    .expect("wss connects");
    display.hello(None).await;
    assert!(matches!(
        display.next().await,
        Some(ServerMessage::Snapshot { .. })
    ));
    // Plain ws:// to a TLS port gets nowhere.
    assert!(
        Display::connect(relay.address, "sk.rajec", Some(SCREEN), None)
            .await
            .is_err()
    );
}

/// A CAP sample from `tests/cap/` (shaped as CAP 1.2's appendix A examples).
fn cap_sample(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/cap")
            .join(name),
    )
    .expect("a CAP sample")
}

async fn post_cap(relay: &RelayProcess, token: &str, body: Vec<u8>) -> client::Answer {
    client::request(
        "POST",
        &relay.url("/v1/offices/sk.rajec/cap"),
        &[
            ("content-type", "application/cap+xml".to_owned()),
            ("authorization", format!("Bearer {token}")),
        ],
        body,
        None,
    )
    .await
    .expect("the relay answers")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cap_alerts_raise_update_and_clear_the_emergency_and_bad_ones_change_nothing() {
    const CAP: &str = "cap-secret-1";
    let dir = scratch("cap");
    std::fs::write(dir.join("cap.token"), CAP).expect("token");
    let site = site(
        &dir,
        "",
        "cap_token_file = \"cap.token\"\ncap_areas = [\"Rajec\"]",
    );
    let relay = RelayProcess::start(&site, "127.0.0.1:0");
    let mut display = Display::connect(relay.address, "sk.rajec", Some(SCREEN), None)
        .await
        .expect("display connects");
    display.hello(None).await;
    assert!(matches!(
        display.next().await,
        Some(ServerMessage::Snapshot { .. })
    ));

    // Each message, what the display must see, and within how long of the POST.
    let mut seq = 0;
    for (sample, expected) in [
        ("alert.xml", Some("cap:ZA-RAJEC-2026-0001")),
        ("update.xml", Some("cap:ZA-RAJEC-2026-0002")),
        ("cancel.xml", None),
        ("two-languages.xml", Some("cap:ZA-RAJEC-2026-0010")),
    ] {
        let posted = std::time::Instant::now();
        let answer = post_cap(&relay, CAP, cap_sample(sample)).await;
        assert_eq!(answer.status, 202, "{sample}: {}", answer.text());
        seq += 1;
        display.until(seq).await;
        let took = posted.elapsed();
        eprintln!(
            "{sample}: at the display {:.0} ms after the POST",
            took.as_secs_f64() * 1000.0
        );
        assert!(took < Duration::from_secs(2), "{sample} took {took:?}");
        match (display.frames.last(), expected) {
            (Some(ServerMessage::Emergency { emergency, .. }), Some(id)) => {
                assert_eq!(emergency.id, id);
                assert!(emergency.text.contains_key("sk"));
            }
            (Some(ServerMessage::EmergencyCleared { .. }), None) => {
                assert!(display.board.emergency().is_none());
            }
            (other, _) => panic!("{sample}: the display saw {other:?}"),
        }
    }
    let both = display
        .board
        .emergency()
        .expect("the two-language alert holds");
    assert_eq!(both.text.keys().collect::<Vec<_>>(), ["sk", "uk"]);

    // Expired, for another town, a test message: answered, nothing stored.
    for sample in ["expired.xml", "elsewhere.xml"] {
        let answer = post_cap(&relay, CAP, cap_sample(sample)).await;
        assert_eq!(answer.status, 200, "{sample}: {}", answer.text());
        assert!(answer.text().contains("ignored"), "{}", answer.text());
    }
    // Not CAP at all: refused with the parser's reason; a wrong token: refused.
    let invalid = post_cap(&relay, CAP, cap_sample("invalid.xml")).await;
    assert_eq!(invalid.status, 400);
    assert!(
        invalid.text().contains("not a CAP alert"),
        "{}",
        invalid.text()
    );
    assert_eq!(
        post_cap(&relay, HOOK, cap_sample("alert.xml")).await.status,
        401
    );
    // Still the two-language alert, at the same seq: nothing changed.
    let answer = post(&relay, Some("after-cap"), &call_body("v9", "A009")).await;
    assert_eq!(seqs(&answer), serde_json::json!([seq + 1, seq + 1]));
    display.until(seq + 1).await;
    assert_eq!(
        display.board.emergency().map(|e| e.id.as_str()),
        Some("cap:ZA-RAJEC-2026-0010")
    );
}

/// A CAP source on loopback: answers every GET with the message it holds now, and counts them.
type Held = std::sync::Arc<std::sync::Mutex<Vec<u8>>>;
type Asked = std::sync::Arc<std::sync::atomic::AtomicUsize>;

fn cap_source() -> (u16, Held, Asked) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("address").port();
    let holds = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let serving = holds.clone();
    let asked = Asked::default();
    let counting = asked.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counting.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut head = [0u8; 4096];
            let _ = stream.read(&mut head);
            let body = serving.lock().map(|b| b.clone()).unwrap_or_default();
            let _ = stream.write_all(
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/cap+xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            );
            let _ = stream.write_all(&body);
        }
    });
    (port, holds, asked)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_polled_cap_source_raises_updates_and_clears_once_each() {
    let dir = scratch("cap-poll");
    let (port, holds, asked) = cap_source();
    *holds.lock().expect("source") = cap_sample("alert.xml");
    let site = site(
        &dir,
        "",
        &format!("cap_feed_url = \"http://127.0.0.1:{port}/rajec.xml\"\ncap_every_seconds = 1"),
    );
    let relay = RelayProcess::start(&site, "127.0.0.1:0");
    let mut display = Display::connect(relay.address, "sk.rajec", Some(SCREEN), None)
        .await
        .expect("display connects");
    display.hello(None).await;
    let _ = display.next().await;
    display.until(1).await;
    assert_eq!(
        display.board.emergency().map(|e| e.id.as_str()),
        Some("cap:ZA-RAJEC-2026-0001")
    );
    for (sample, seq) in [("update.xml", 2), ("cancel.xml", 3)] {
        *holds.lock().expect("source") = cap_sample(sample);
        display.until(seq).await;
    }
    assert!(display.board.emergency().is_none(), "the cancel cleared it");
    // The source keeps answering its cancel, then an alert already raised once: each was
    // stored once, so nothing comes back after the clear.
    *holds.lock().expect("source") = cap_sample("update.xml");
    let answer = post(&relay, Some("after-poll"), &call_body("v1", "A001")).await;
    // Two more polls of the repeated message (counted at the source, not timed).
    let polls = asked.load(std::sync::atomic::Ordering::SeqCst);
    while asked.load(std::sync::atomic::Ordering::SeqCst) < polls + 2 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let answer2 = post(&relay, Some("after-poll-2"), &call_body("v2", "A002")).await;
    assert_eq!(seqs(&answer), serde_json::json!([4, 4]));
    assert_eq!(
        seqs(&answer2),
        serde_json::json!([5, 5]),
        "a repeated message was stored again"
    );
    display.until(5).await;
    assert!(display.board.emergency().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_page_is_public_sets_no_cookie_loads_nothing_from_elsewhere_and_logs_no_visitor()
{
    let dir = scratch("phone");
    let site = site(&dir, "", "");
    let relay = RelayProcess::start(&site, "127.0.0.1:0");
    post(&relay, Some("p1"), &call_body("v1", "A001")).await;
    let get = |path: &str| {
        let url = relay.url(path);
        async move {
            client::request(
                "GET",
                &url,
                &[("accept-language", "uk-UA,uk;q=0.9".to_owned())],
                Vec::new(),
                None,
            )
            .await
            .expect("the relay answers")
        }
    };
    let page = get("/o/sk.rajec/").await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("<html lang=\"uk\""),
        "the phone's language"
    );
    assert!(page.header("set-cookie").is_none(), "a cookie");
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    // Every address in the page is the relay's own.
    for attribute in ["src=\"", "href=\""] {
        for (i, _) in page.text().match_indices(attribute) {
            let value = &page.text()[i + attribute.len()..];
            assert!(
                value.starts_with('/') || value.starts_with('?'),
                "{}",
                &value[..40.min(value.len())]
            );
        }
    }
    let state = get("/o/sk.rajec/state?lang=sk").await;
    let state: serde_json::Value = serde_json::from_slice(&state.body).expect("json");
    assert_eq!(state["now"][0]["ticket"], "A001");
    assert_eq!(state["now"][0]["counter"], "Okienko 3");
    assert_eq!(get("/o/nowhere/").await.status, 404);
    let bare = get("/o/sk.rajec").await;
    assert_eq!(bare.status, 308);
    assert_eq!(bare.header("location"), Some("/o/sk.rajec/"));
    let write = client::request("POST", &relay.url("/o/sk.rajec/"), &[], b"x".to_vec(), None)
        .await
        .expect("answer");
    assert_eq!(write.status, 405);
    // The log names the call, never a visitor of the page.
    let mut relay = relay;
    let _ = post(&relay, Some("p2"), &call_body("v2", "A002")).await;
    let line = relay.wait_for("#2");
    assert!(!line.contains("/o/"), "{line}");
}
