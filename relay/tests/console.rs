//! The console's doors, tried from outside against the real `herald-relay` binary: no page or
//! API without a session, no change without its CSRF token, staff see their offices only,
//! wrong passwords slow the next attempt, no secret in the log or the database, and a display
//! reports only after its hello with its office's token.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use herald_core::protocol::{self, ClientMessage, ServerMessage, VERSION};
use herald_core::report::DisplayReport;
use herald_relay::client::{self, Answer};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const PASSWORD: &str = "Zhytomyr-correct-horse";
const RAJEC_SCREEN: &str = "rajec-screen-token";
const ZHYTOMYR_SCREEN: &str = "zhytomyr-screen-token";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("herald-console-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn site(dir: &Path) -> PathBuf {
    std::fs::write(dir.join("rajec.token"), RAJEC_SCREEN).expect("token");
    std::fs::write(dir.join("zhytomyr.token"), ZHYTOMYR_SCREEN).expect("token");
    let hash = herald_relay::console::logins::hash(PASSWORD).expect("hash");
    let text = format!(
        r#"database = "relay.db"
[[office]]
id = "sk.rajec"
display_token_file = "rajec.token"
opening = ["mon-sun 0:00-23:59"]
[[office]]
id = "ua.zhytomyr"
lang = "uk"
display_token_file = "zhytomyr.token"
[console]
alert_after_seconds = 30
[[console.account]]
name = "it"
role = "it"
password_hash = "{hash}"
[[console.account]]
name = "olena"
role = "staff"
offices = ["ua.zhytomyr"]
password_hash = "{hash}"
"#
    );
    let path = dir.join("site.toml");
    std::fs::write(&path, text).expect("site file");
    path
}

struct RelayProcess {
    child: Child,
    address: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

impl RelayProcess {
    fn start(site: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_herald-relay"))
            .arg("--site")
            .arg(site)
            .args(["--listen", "127.0.0.1:0"])
            .env("HERALD_ROOT", concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("herald-relay starts");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let kept = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(mut log) = kept.lock() {
                    log.push(line.clone());
                }
                let _ = tx.send(line);
            }
        });
        let address = loop {
            let line = rx
                .recv_timeout(Duration::from_secs(30))
                .expect("herald-relay says where it listens");
            if let Some(a) = line.split("listening on ").nth(1) {
                break a.trim().parse().expect("an address");
            }
        };
        Self {
            child,
            address,
            log,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    fn log(&self) -> String {
        self.log.lock().map(|l| l.join("\n")).unwrap_or_default()
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn get(relay: &RelayProcess, path: &str, cookie: Option<&str>) -> Answer {
    let headers: Vec<(&str, String)> = cookie
        .map(|c| ("cookie", c.to_owned()))
        .into_iter()
        .collect();
    client::request("GET", &relay.url(path), &headers, Vec::new(), None)
        .await
        .expect("the relay answers")
}

async fn post(relay: &RelayProcess, path: &str, headers: &[(&str, String)], body: &str) -> Answer {
    client::request(
        "POST",
        &relay.url(path),
        headers,
        body.as_bytes().to_vec(),
        None,
    )
    .await
    .expect("the relay answers")
}

fn cookie_value(answer: &Answer, name: &str) -> Option<String> {
    answer
        .headers_named("set-cookie")
        .filter_map(|c| c.split(';').next())
        .filter_map(|c| c.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Signs in through the login form: the session cookie, or the refusing answer.
async fn sign_in(relay: &RelayProcess, name: &str, password: &str) -> Result<String, Answer> {
    let form = get(relay, "/console/login", None).await;
    assert_eq!(form.status, 200);
    let token = cookie_value(&form, "herald_console_login").expect("the form's cookie");
    let body = format!(
        "csrf={token}&lang=en&name={name}&password={}",
        password.replace(' ', "+")
    );
    let answer = post(
        relay,
        "/console/login",
        &[
            ("cookie", format!("herald_console_login={token}")),
            ("content-type", "application/x-www-form-urlencoded".into()),
        ],
        &body,
    )
    .await;
    match cookie_value(&answer, "herald_console") {
        Some(session) if answer.status == 303 && !session.is_empty() => {
            let set = answer
                .headers_named("set-cookie")
                .find(|c| c.starts_with("herald_console="))
                .unwrap_or_default()
                .to_owned();
            assert!(
                set.contains("HttpOnly") && set.contains("SameSite=Strict"),
                "{set}"
            );
            Ok(format!("herald_console={session}"))
        }
        _ => Err(answer),
    }
}

/// The CSRF token of a signed-in page.
async fn csrf(relay: &RelayProcess, cookie: &str) -> String {
    let page = get(relay, "/console/", Some(cookie)).await;
    assert_eq!(page.status, 200);
    let text = page.text();
    let start = text
        .find("data-csrf=\"")
        .expect("the page carries its token")
        + 11;
    text[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A display: WebSocket to `office` with `token` in the upgrade (or none).
async fn display(
    relay: &RelayProcess,
    office: &str,
    token: Option<&str>,
) -> Result<tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>, String> {
    let url = format!("ws://{}/v1/offices/{office}/feed", relay.address);
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| e.to_string())?;
    if let Some(token) = token {
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().map_err(|_| "header")?,
        );
    }
    let tcp = tokio::net::TcpStream::connect(relay.address)
        .await
        .map_err(|e| e.to_string())?;
    tokio_tungstenite::client_async(request, tcp)
        .await
        .map(|(s, _)| s)
        .map_err(|e| e.to_string())
}

fn status_frame(layout: &str) -> Message {
    Message::text(protocol::encode_client(&ClientMessage::Status {
        v: VERSION,
        status: Box::new(DisplayReport {
            layout: layout.into(),
            ..Default::default()
        }),
    }))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn no_console_page_or_api_answers_without_a_session_or_changes_without_its_token() {
    let dir = scratch("doors");
    let relay = RelayProcess::start(&site(&dir));
    runtime().block_on(async {
        for path in ["/console", "/console/", "/console/display/sk.rajec/hall"] {
            let a = get(&relay, path, None).await;
            assert_eq!(a.status, 303, "{path}");
            assert_eq!(a.header("location"), Some("/console/login"), "{path}");
        }
        for path in [
            "/console/api/displays",
            "/console/api/display/sk.rajec/hall",
            "/console/api/thumbnail/sk.rajec/hall",
            "/console/events",
        ] {
            assert_eq!(get(&relay, path, None).await.status, 401, "{path}");
        }
        for path in ["/console/logout", "/console/api/thumbnail/sk.rajec/hall"] {
            assert_eq!(post(&relay, path, &[], "").await.status, 401, "{path}");
        }
        // A forged session cookie is no session.
        assert_eq!(
            get(&relay, "/console/api/displays", Some("herald_console=0123"))
                .await
                .status,
            401
        );
        // The login form itself refuses a post without its own token (login CSRF).
        let forged = post(
            &relay,
            "/console/login",
            &[("content-type", "application/x-www-form-urlencoded".into())],
            &format!("name=it&password={PASSWORD}"),
        )
        .await;
        assert_eq!(forged.status, 403);
        assert!(cookie_value(&forged, "herald_console").is_none());

        let cookie = sign_in(&relay, "it", PASSWORD).await.expect("signed in");
        assert_eq!(
            get(&relay, "/console/api/displays", Some(&cookie))
                .await
                .status,
            200
        );
        let token = csrf(&relay, &cookie).await;
        // A change without the token, or with another, is refused; with it, it is done.
        let path = "/console/api/thumbnail/sk.rajec/hall";
        let without = post(&relay, path, &[("cookie", cookie.clone())], "").await;
        assert_eq!(without.status, 403, "{}", without.text());
        let wrong = post(
            &relay,
            path,
            &[("cookie", cookie.clone()), ("x-csrf-token", "0".repeat(64))],
            "",
        )
        .await;
        assert_eq!(wrong.status, 403);
        let right = post(
            &relay,
            path,
            &[("cookie", cookie.clone()), ("x-csrf-token", token.clone())],
            "",
        )
        .await;
        assert_eq!(right.status, 409, "not connected: {}", right.text());
        // A test call: its own checks, the same token.
        let call = "/console/api/test-call/sk.rajec/hall";
        let form = (
            "content-type",
            "application/x-www-form-urlencoded".to_owned(),
        );
        let no_token = post(
            &relay,
            call,
            &[("cookie", cookie.clone()), form.clone()],
            "ticket=T1&counter=1",
        )
        .await;
        assert_eq!(no_token.status, 403);
        let with = |body: &'static str| {
            let headers = [
                ("cookie", cookie.clone()),
                ("x-csrf-token", token.clone()),
                form.clone(),
            ];
            let relay = &relay;
            async move { post(relay, call, &headers, body).await }
        };
        let markup = with("ticket=%3Cscript%3Ealert(1)%3C%2Fscript%3E&counter=1").await;
        assert_eq!(markup.status, 400, "{}", markup.text());
        assert_eq!(
            with("ticket=T1%E2%80%AE&counter=1").await.status,
            400,
            "a bidi override"
        );
        assert_eq!(
            with("ticket=T1&counter=1").await.status,
            409,
            "not connected"
        );
        // Signing out needs the token too, and ends the session.
        assert_eq!(
            post(&relay, "/console/logout", &[("cookie", cookie.clone())], "")
                .await
                .status,
            403
        );
        let out = post(
            &relay,
            "/console/logout",
            &[("cookie", cookie.clone())],
            &format!("csrf={token}"),
        )
        .await;
        assert_eq!(out.status, 303);
        assert_eq!(
            get(&relay, "/console/api/displays", Some(&cookie))
                .await
                .status,
            401
        );
        // Every console answer keeps other origins out.
        let page = get(&relay, "/console/login", None).await;
        let policy = page.header("content-security-policy").unwrap_or_default();
        assert!(
            policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"),
            "{policy}"
        );
    });
}

#[test]
fn staff_see_their_office_only_and_wrong_passwords_slow_the_next_attempt() {
    let dir = scratch("staff");
    let relay = RelayProcess::start(&site(&dir));
    runtime().block_on(async {
        // One display in each office reports.
        let mut rajec = display(&relay, "sk.rajec", Some(RAJEC_SCREEN))
            .await
            .expect("rajec");
        let mut zhytomyr = display(&relay, "ua.zhytomyr", Some(ZHYTOMYR_SCREEN))
            .await
            .expect("zhytomyr");
        for (socket, id) in [(&mut rajec, "rajec-hall"), (&mut zhytomyr, "zhytomyr-zal")] {
            let hello = ClientMessage::Hello {
                v: VERSION,
                display: id.into(),
                token: None,
                last_seq: None,
            };
            socket
                .send(Message::text(protocol::encode_client(&hello)))
                .await
                .expect("hello");
            socket
                .send(status_frame("waiting-room"))
                .await
                .expect("status");
        }
        let cookie = sign_in(&relay, "it", PASSWORD).await.expect("it signs in");
        let end = Instant::now() + Duration::from_secs(20);
        loop {
            let list = get(&relay, "/console/api/displays", Some(&cookie))
                .await
                .text();
            if list.contains("rajec-hall") && list.contains("zhytomyr-zal") {
                break;
            }
            assert!(
                Instant::now() < end,
                "the IT office sees both displays: {list}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let olena = sign_in(&relay, "olena", PASSWORD)
            .await
            .expect("staff signs in");
        let list = get(&relay, "/console/api/displays", Some(&olena))
            .await
            .text();
        assert!(list.contains("zhytomyr-zal"), "{list}");
        assert!(
            !list.contains("rajec") && !list.contains("sk."),
            "staff see another office: {list}"
        );
        assert_eq!(
            get(
                &relay,
                "/console/api/display/sk.rajec/rajec-hall",
                Some(&olena)
            )
            .await
            .status,
            404
        );
        assert_eq!(
            get(
                &relay,
                "/console/api/thumbnail/sk.rajec/rajec-hall",
                Some(&olena)
            )
            .await
            .status,
            404
        );
        let page = get(&relay, "/console/display/sk.rajec/rajec-hall", Some(&olena))
            .await
            .text();
        assert!(!page.contains("data-office=\"sk.rajec\""), "{page}");
        assert_eq!(
            get(
                &relay,
                "/console/api/display/ua.zhytomyr/zhytomyr-zal",
                Some(&olena)
            )
            .await
            .status,
            200
        );

        // Ten wrong passwords: the eleventh attempt, even with the right one, must wait.
        for _ in 0..10 {
            let refused = sign_in(&relay, "olena", "guess-1234")
                .await
                .expect_err("a wrong password");
            assert!(matches!(refused.status, 401 | 429), "{}", refused.status);
        }
        let waited = sign_in(&relay, "olena", PASSWORD)
            .await
            .expect_err("must wait");
        assert_eq!(waited.status, 429);
        let retry: u64 = waited
            .header("retry-after")
            .and_then(|r| r.parse().ok())
            .expect("Retry-After");
        assert!(retry >= 10, "{retry}");
    });
    // No password, token or session id in the relay's log or its database.
    let log = relay.log();
    assert!(
        log.contains("wrong name or password"),
        "failed logins are logged: {log}"
    );
    drop(relay);
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("folder").flatten() {
        if entry.file_name().to_string_lossy().starts_with("relay.db") {
            stored.extend(std::fs::read(entry.path()).unwrap_or_default());
        }
    }
    let stored = String::from_utf8_lossy(&stored);
    assert!(
        stored.contains("login_failed"),
        "the audit keeps the attempts"
    );
    for secret in [PASSWORD, "guess-1234", RAJEC_SCREEN, ZHYTOMYR_SCREEN] {
        assert!(!log.contains(secret), "{secret} in the log");
        assert!(!stored.contains(secret), "{secret} in the database");
    }
}

#[test]
fn a_display_reports_only_after_hello_with_its_own_office_token() {
    let dir = scratch("reports");
    let relay = RelayProcess::start(&site(&dir));
    runtime().block_on(async {
        let cookie = sign_in(&relay, "it", PASSWORD).await.expect("signed in");
        // Zhytomyr's token does not open Rajec's feed.
        assert!(
            display(&relay, "sk.rajec", Some(ZHYTOMYR_SCREEN))
                .await
                .is_err()
        );
        // A status before hello (the token would come with hello): closed, not heard.
        let mut stranger = display(&relay, "sk.rajec", None).await.expect("upgrade");
        stranger.send(status_frame("forged")).await.expect("sent");
        let closed = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(frame) = stranger.next().await {
                match frame {
                    Ok(Message::Close(_)) | Err(_) => return true,
                    _ => {}
                }
            }
            true
        })
        .await
        .unwrap_or(false);
        assert!(closed, "the stranger's connection is closed");
        // Its own token: hello, then the keepalive invites reports, then the report is heard.
        let mut own = display(&relay, "sk.rajec", None).await.expect("upgrade");
        let hello = ClientMessage::Hello {
            v: VERSION,
            display: "rajec-hall".into(),
            token: Some(RAJEC_SCREEN.into()),
            last_seq: None,
        };
        own.send(Message::text(protocol::encode_client(&hello)))
            .await
            .expect("hello");
        let invited = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(Ok(frame)) = own.next().await {
                if let Message::Text(text) = frame
                    && let Ok(ServerMessage::Keepalive {
                        report: Some(wanted),
                        ..
                    }) = protocol::decode(text.as_str())
                {
                    return Some(wanted.every);
                }
            }
            None
        })
        .await
        .ok()
        .flatten();
        assert!(invited.is_some_and(|every| every <= 30), "{invited:?}");
        own.send(status_frame("counter")).await.expect("status");
        let end = Instant::now() + Duration::from_secs(10);
        loop {
            let list = get(&relay, "/console/api/displays", Some(&cookie))
                .await
                .text();
            if list.contains("rajec-hall") && list.contains("counter") {
                assert!(!list.contains("forged"), "{list}");
                break;
            }
            assert!(Instant::now() < end, "the report is heard: {list}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    assert!(relay.log().contains("before hello"), "{}", relay.log());
}

/// A form POST to the console with the session and (when given) its CSRF token.
async fn steer(
    relay: &RelayProcess,
    cookie: Option<&str>,
    token: Option<&str>,
    path: &str,
    body: &str,
) -> Answer {
    let mut headers = vec![(
        "content-type",
        "application/x-www-form-urlencoded".to_owned(),
    )];
    if let Some(cookie) = cookie {
        headers.push(("cookie", cookie.to_owned()));
    }
    if let Some(token) = token {
        headers.push(("x-csrf-token", token.to_owned()));
    }
    post(relay, path, &headers, body).await
}

#[test]
fn staff_steer_their_own_office_only_and_every_change_needs_a_session_a_token_and_a_confirmation() {
    let dir = scratch("steer");
    let relay = RelayProcess::start(&site(&dir));
    runtime().block_on(async {
        let olena = sign_in(&relay, "olena", PASSWORD).await.expect("olena");
        let token = csrf(&relay, &olena).await;
        let notice = "text.uk=%D0%A3%D0%B2%D0%B0%D0%B3%D0%B0&floors=1";
        // Another office's screens: 403, and nothing stored there.
        for path in [
            "/console/api/notice/sk.rajec",
            "/console/api/emergency/sk.rajec",
            "/console/api/emergency-clear/sk.rajec",
        ] {
            let answer = steer(
                &relay,
                Some(&olena),
                Some(&token),
                path,
                &format!("{notice}&confirm=yes"),
            )
            .await;
            assert_eq!(answer.status, 403, "{path}: {}", answer.text());
        }
        assert_eq!(
            get(&relay, "/console/api/office/sk.rajec", Some(&olena))
                .await
                .status,
            403
        );
        // No session: 401; a session without its token: 403.
        let path = "/console/api/notice/ua.zhytomyr";
        assert_eq!(
            steer(&relay, None, Some(&token), path, notice).await.status,
            401
        );
        assert_eq!(
            steer(&relay, Some(&olena), None, path, notice).await.status,
            403
        );
        assert_eq!(
            steer(&relay, Some(&olena), Some("forged"), path, notice)
                .await
                .status,
            403
        );
        // A bidi override is refused with its reason; markup is kept as the text it is.
        let bidi = steer(
            &relay,
            Some(&olena),
            Some(&token),
            path,
            "text.uk=abc%E2%80%AEdef",
        )
        .await;
        assert_eq!(bidi.status, 400);
        assert!(bidi.text().contains("U+202E"), "{}", bidi.text());
        let markup = steer(
            &relay,
            Some(&olena),
            Some(&token),
            path,
            "text.uk=%3Cb%3E%D0%A3%D0%B2%D0%B0%D0%B3%D0%B0%3C%2Fb%3E&floors=1",
        )
        .await;
        assert_eq!(markup.status, 201, "{}", markup.text());
        let office = get(&relay, "/console/api/office/ua.zhytomyr", Some(&olena)).await;
        let office: serde_json::Value = serde_json::from_slice(&office.body).expect("json");
        assert_eq!(office["notices"][0]["text"]["uk"], "<b>Увага</b>");
        assert_eq!(office["notices"][0]["posted_by"], "olena");
        assert_eq!(office["notices"][0]["floors"], serde_json::json!([1]));
        // Raising and clearing need their confirmation.
        let raise = "/console/api/emergency/ua.zhytomyr";
        let text = "kind=evacuation&text.uk=%D0%95%D0%B2%D0%B0%D0%BA%D1%83%D0%B0%D1%86%D1%96%D1%8F";
        let unconfirmed = steer(&relay, Some(&olena), Some(&token), raise, text).await;
        assert_eq!(unconfirmed.status, 428, "{}", unconfirmed.text());
        let raised = steer(
            &relay,
            Some(&olena),
            Some(&token),
            raise,
            &format!("{text}&confirm=yes"),
        )
        .await;
        assert_eq!(raised.status, 201, "{}", raised.text());
        let clear = "/console/api/emergency-clear/ua.zhytomyr";
        assert_eq!(
            steer(&relay, Some(&olena), Some(&token), clear, "")
                .await
                .status,
            428
        );
        assert_eq!(
            steer(&relay, Some(&olena), Some(&token), clear, "confirm=yes")
                .await
                .status,
            200
        );
        // Each change is in the relay's log with who made it (the audit table).
        let log = relay.log();
        assert!(log.contains("raised emergency"), "{log}");
        let db = rusqlite::Connection::open(dir.join("relay.db")).expect("the database");
        let what: Vec<String> = db
            .prepare("SELECT what FROM console_audit WHERE who = 'olena' ORDER BY rowid")
            .expect("audit table")
            .query_map([], |r| r.get(0))
            .expect("rows")
            .filter_map(Result::ok)
            .collect();
        let changes: Vec<&str> = what
            .iter()
            .map(String::as_str)
            .filter(|w| w.starts_with("notice") || w.starts_with("emergency"))
            .collect();
        assert_eq!(
            changes,
            ["notice_posted", "emergency_raised", "emergency_cleared"]
        );
        // The other office's three changes and the two forged requests.
        assert_eq!(
            what.iter().filter(|w| *w == "refused").count(),
            5,
            "{what:?}"
        );
    });
}
