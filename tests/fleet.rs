//! The fleet with a real broker: Debian's `nats-server` with JetStream on a temporary folder
//! and a free loopback port, a relay publishing an office to it, and herald's own feed client
//! (`--nats`, without a window) following it.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use herald::feed::nats::NatsFeed;
use herald_relay::running::{self, Extras, RunningRelay};
use herald_relay::site::{OfficeSite, Site};
use herald_relay::store::Store;
use herald_wire::fleet::{self, Auth, Broker};
use support::{Display, ticket};

const OFFICE: &str = "sk.rajec";
const PATIENCE: Duration = Duration::from_secs(60);

/// `nats-server -js` on a free loopback port, its store in `dir`; killed on drop.
struct NatsServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

fn nats_server_binary() -> &'static str {
    for candidate in ["/usr/sbin/nats-server", "/usr/bin/nats-server"] {
        if Path::new(candidate).exists() {
            return candidate;
        }
    }
    "nats-server"
}

impl NatsServer {
    fn start(dir: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mut server = Self {
            child: None,
            port,
            dir: dir.to_path_buf(),
        };
        server.restart();
        server
    }

    /// `nats-server -c` with a config of the test's own that includes the shipped
    /// `deploy/nats-herald.conf` (users and permissions), the passwords in its environment.
    fn with_users(dir: &Path, passwords: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        std::fs::create_dir_all(dir).expect("folder");
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/nats-herald.conf"),
            dir.join("nats-herald.conf"),
        )
        .expect("the shipped permissions");
        let conf = dir.join("nats.conf");
        std::fs::write(
            &conf,
            format!(
                "listen: 127.0.0.1:{port}\njetstream {{ store_dir: {:?} }}\ninclude ./nats-herald.conf\n",
                dir.join("store")
            ),
        )
        .expect("config");
        let mut command = Command::new(nats_server_binary());
        command
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (name, value) in passwords {
            command.env(name, value);
        }
        let child = command.spawn().expect("nats-server");
        let end = Instant::now() + PATIENCE;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < end, "nats-server did not listen on {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self {
            child: Some(child),
            port,
            dir: dir.to_path_buf(),
        }
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Starts it (again) on the same port with the same store, and waits until it listens.
    fn restart(&mut self) {
        let child = Command::new(nats_server_binary())
            .args([
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-sd",
            ])
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server is missing: install Debian's nats-server (./dev installs it)");
        self.child = Some(child);
        let end = Instant::now() + PATIENCE;
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < end,
                "nats-server did not listen on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("fleet-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("folder");
    dir
}

fn broker(url: &str) -> Broker {
    Broker {
        url: url.into(),
        auth: Auth::None,
        ca_file: None,
    }
}

/// A relay with its log in `dir`, publishing the office to the broker at `url`.
fn relay(dir: &Path, url: &str) -> RunningRelay {
    let mut site = Site::single(
        OfficeSite::open(OFFICE, "sk"),
        "127.0.0.1:0",
        dir.join("relay.db"),
    );
    site.nats = Some(broker(url));
    running::spawn(
        site,
        Store::open(&dir.join("relay.db")).expect("log"),
        None,
        Extras::default(),
    )
    .expect("relay")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Posts calls `from..=to` (tickets T00001…) as webhooks.
fn post_calls(relay: &RunningRelay, from: usize, to: usize) {
    let rt = runtime();
    for n in from..=to {
        let body = format!(
            r#"{{"type":"call","call_id":"v{n}","ticket":"{}","counter":"{}"}}"#,
            ticket(n),
            n % 7 + 1
        );
        let answer = rt
            .block_on(herald_relay::client::post_json(
                &relay.url(&format!("/v1/offices/{OFFICE}/events")),
                None,
                None,
                &body,
            ))
            .expect("the relay answers");
        assert_eq!(answer.status, 202, "{}", answer.text());
    }
}

/// Waits until the broker holds the office's snapshot at `seq`.
fn wait_for_snapshot(url: &str, seq: u64) {
    let rt = runtime();
    rt.block_on(async {
        let end = Instant::now() + PATIENCE;
        let client = fleet::connect(&broker(url), "test", Duration::from_secs(10))
            .await
            .expect("connect");
        let js = async_nats::jetstream::new(client);
        loop {
            if let Ok(stream) = js.get_stream(fleet::SNAPSHOTS_STREAM).await
                && let Ok(message) = stream
                    .direct_get_last_for_subject(fleet::snapshot_subject(OFFICE))
                    .await
                && herald_core::protocol::decode(&String::from_utf8_lossy(&message.payload))
                    .is_ok_and(|m| m.seq() == seq)
            {
                return;
            }
            assert!(
                Instant::now() < end,
                "the relay never published its snapshot at #{seq}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
}

fn nats_display(url: &str) -> Display {
    let url = url.to_owned();
    Display::connect(&url.clone(), move |config| {
        config.nats = Some(NatsFeed {
            broker: broker(&url),
            office: OFFICE.into(),
        });
        config.ping_every = Duration::from_millis(200);
    })
}

#[test]
fn a_late_subscriber_gets_the_snapshot_as_history_then_every_event_once() {
    let dir = scratch("late");
    let nats = NatsServer::start(&dir.join("nats"));
    let relay = relay(&dir, &nats.url());
    post_calls(&relay, 1, 5);
    wait_for_snapshot(&nats.url(), 5);
    let mut display = nats_display(&nats.url());
    assert!(
        display.pump_until(PATIENCE, |d| d.board.last_seq() == Some(5)),
        "no snapshot"
    );
    assert_eq!(display.board.calls().count(), 5);
    assert!(
        display.called.is_empty(),
        "the first snapshot is history: {:?}",
        display.called
    );
    post_calls(&relay, 6, 10);
    assert!(
        display.pump_until(PATIENCE, |d| d.called.len() >= 5),
        "called {:?}",
        display.called
    );
    std::thread::sleep(Duration::from_millis(300));
    display.pump();
    assert_eq!(display.called, (6..=10).map(ticket).collect::<Vec<_>>());
}

#[test]
fn the_broker_killed_and_restarted_mid_stream_loses_nothing() {
    let dir = scratch("restart");
    let mut nats = NatsServer::start(&dir.join("nats"));
    let relay = relay(&dir, &nats.url());
    wait_for_snapshot(&nats.url(), 0);
    let mut display = nats_display(&nats.url());
    assert!(display.pump_until(PATIENCE, |d| !d.connects.is_empty()));
    post_calls(&relay, 1, 5);
    assert!(
        display.pump_until(PATIENCE, |d| d.called.len() == 5),
        "called {:?}",
        display.called
    );
    let killed = Instant::now();
    nats.kill();
    // The queue system goes on; the relay stores and acknowledges while the broker is down.
    post_calls(&relay, 6, 10);
    assert!(
        display.pump_until(PATIENCE, |d| !d.disconnects.is_empty()),
        "the screen must say the link is down"
    );
    eprintln!(
        "broker killed → display says the link is lost: {:.1} s",
        (display.disconnects[0].0 - killed).as_secs_f64()
    );
    nats.restart();
    assert!(
        display.pump_until(PATIENCE, |d| d.called.len() >= 10),
        "called {:?}",
        display.called
    );
    post_calls(&relay, 11, 12);
    assert!(
        display.pump_until(PATIENCE, |d| d.called.len() >= 12),
        "called {:?}",
        display.called
    );
    std::thread::sleep(Duration::from_millis(300));
    display.pump();
    display.assert_each_call_once(12);
}

#[test]
fn two_hundred_subscribers_each_get_every_event_once() {
    let dir = scratch("many");
    let nats = NatsServer::start(&dir.join("nats"));
    let relay = relay(&dir, &nats.url());
    wait_for_snapshot(&nats.url(), 0);
    let mut displays: Vec<Display> = (0..200).map(|_| nats_display(&nats.url())).collect();
    for display in &mut displays {
        assert!(
            display.pump_until(PATIENCE, |d| d.board.last_seq().is_some()),
            "a subscriber got no snapshot"
        );
    }
    post_calls(&relay, 1, 20);
    for display in &mut displays {
        assert!(
            display.pump_until(PATIENCE, |d| d.called.len() >= 20),
            "called {:?}",
            display.called
        );
    }
    std::thread::sleep(Duration::from_millis(300));
    for display in &mut displays {
        display.pump();
        display.assert_each_call_once(20);
    }
}

#[test]
fn a_republished_seq_is_stored_once() {
    let dir = scratch("dedup");
    let nats = NatsServer::start(&dir.join("nats"));
    let relay = relay(&dir, &nats.url());
    post_calls(&relay, 1, 3);
    wait_for_snapshot(&nats.url(), 3);
    // A relay restarted without knowing what the broker has publishes seq 2 again.
    let rt = runtime();
    let (duplicate, messages) = rt.block_on(async {
        let client = fleet::connect(&broker(&nats.url()), "test", Duration::from_secs(10))
            .await
            .expect("connect");
        let js = async_nats::jetstream::new(client);
        let mut stream = js.get_stream(fleet::EVENTS_STREAM).await.expect("stream");
        let frame = stream.direct_get(2).await.expect("seq 2 is there");
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", format!("{OFFICE}:2").as_str());
        let ack = js
            .publish_with_headers(
                fleet::events_subject(OFFICE),
                headers,
                frame.payload.clone(),
            )
            .await
            .expect("publish")
            .await
            .expect("ack");
        let info = stream.info().await.expect("info");
        (ack.duplicate, info.state.messages)
    });
    assert!(duplicate, "the broker must recognise the republished seq");
    assert_eq!(messages, 3, "the stream holds each seq once");
    drop(relay);
}

#[test]
fn a_broker_that_lost_its_store_never_leaves_a_display_connected_and_blind() {
    let dir = scratch("wiped");
    let mut nats = NatsServer::start(&dir.join("nats"));
    // Another office's 20 events first: this office's events sit at stream sequences 21…, and
    // after the wipe they are republished from 1, far below where the display was.
    runtime().block_on(async {
        let client = fleet::connect(&broker(&nats.url()), "test", Duration::from_secs(10))
            .await
            .expect("connect");
        let js = async_nats::jetstream::new(client);
        herald_relay::fleet::ensure_streams(&js, 100, Duration::from_secs(3600))
            .await
            .expect("streams");
        for n in 1..=20 {
            js.publish(fleet::events_subject("sk.other"), format!("{n}").into())
                .await
                .expect("publish")
                .await
                .expect("ack");
        }
    });
    let relay = relay(&dir, &nats.url());
    wait_for_snapshot(&nats.url(), 0);
    let mut display = nats_display(&nats.url());
    assert!(display.pump_until(PATIENCE, |d| d.board.last_seq() == Some(0)));
    post_calls(&relay, 1, 5);
    assert!(
        display.pump_until(PATIENCE, |d| d.called.len() == 5),
        "called {:?}",
        display.called
    );
    nats.kill();
    let _ = std::fs::remove_dir_all(dir.join("nats"));
    nats.restart();
    wait_for_snapshot(&nats.url(), 5);
    post_calls(&relay, 6, 7);
    // The relay's keepalives show the display it is behind; it reads the snapshot again.
    assert!(
        display.pump_until(PATIENCE, |d| d.called.len() >= 7),
        "the display sat blind on an emptied broker: called {:?}",
        display.called
    );
    display.pump();
    display.assert_each_call_once(7);

    // The relay stops; the broker stays. The display says so, as for a broker outage.
    let before = display.disconnects.len();
    drop(relay);
    assert!(
        display.pump_until(PATIENCE, |d| d.disconnects.len() > before),
        "a display of a silent relay kept saying it was connected"
    );
    let (_, reason) = &display.disconnects[before];
    assert!(reason.contains("not even a keepalive"), "{reason}");
}

#[test]
fn one_bad_message_in_the_stream_costs_one_resync_not_a_loop() {
    let dir = scratch("bad");
    let nats = NatsServer::start(&dir.join("nats"));
    let relay = relay(&dir, &nats.url());
    wait_for_snapshot(&nats.url(), 0);
    let mut display = nats_display(&nats.url());
    assert!(display.pump_until(PATIENCE, |d| d.board.last_seq() == Some(0)));
    post_calls(&relay, 1, 3);
    wait_for_snapshot(&nats.url(), 3);
    assert!(display.pump_until(PATIENCE, |d| d.called.len() == 3));
    // Something else publishes a frame that skips ahead into the office's stream.
    let rt = runtime();
    rt.block_on(async {
        let client = fleet::connect(&broker(&nats.url()), "test", Duration::from_secs(10))
            .await
            .expect("connect");
        let js = async_nats::jetstream::new(client);
        let frame = herald_core::protocol::encode_server(
            &herald_core::protocol::ServerMessage::keepalive_now(0).numbered(100),
        );
        let bad = frame.replace("keepalive", "counter").replace(
            "\"seq\":100",
            "\"seq\":100,\"counter\":{\"id\":\"9\",\"label\":\"9\",\"state\":\"open\"}",
        );
        js.publish(fleet::events_subject(OFFICE), bad.into())
            .await
            .expect("publish")
            .await
            .expect("ack");
    });
    assert!(display.pump_until(PATIENCE, |d| d.status.gaps >= 1));
    // A while of watching (a rate, not a wait for an event): before, every display re-read the
    // bad message in a loop, hundreds of gaps in a few seconds.
    display.pump_until(Duration::from_secs(6), |_| false);
    let gaps = display.status.gaps;
    post_calls(&relay, 4, 5);
    assert!(
        display.pump_until(PATIENCE, |d| d.called.len() >= 5),
        "called {:?}",
        display.called
    );
    assert!(gaps <= 3, "{gaps} gaps from one bad message");
    display.assert_each_call_once(5);
}

#[test]
fn a_displays_credentials_follow_its_office_and_nothing_else() {
    use herald_core::secret::Secret;
    let dir = scratch("users");
    let nats = NatsServer::with_users(
        &dir.join("nats"),
        &[
            ("HERALD_RELAY_PASSWORD", "relay-pw"),
            ("HERALD_DISPLAY_SK_RAJEC_PASSWORD", "rajec-pw"),
        ],
    );
    let as_user = |user: &str, password: &str| Broker {
        url: nats.url(),
        auth: Auth::UserPassword(user.into(), Secret::new(password)),
        ca_file: None,
    };
    // One relay, two offices.
    let mut site = Site::single(
        OfficeSite::open(OFFICE, "sk"),
        "127.0.0.1:0",
        dir.join("relay.db"),
    );
    site.offices.push(OfficeSite::open("sk.other", "sk"));
    site.nats = Some(as_user("herald-relay", "relay-pw"));
    // With a console: the displays report on their office's status subject.
    site.console = Some(herald_relay::site::ConsoleSite::default());
    let relay = running::spawn(
        site,
        Store::open(&dir.join("relay.db")).expect("log"),
        None,
        Extras::default(),
    )
    .expect("relay");
    let follow = |office: &str| {
        let broker = as_user("display-sk-rajec", "rajec-pw");
        let office = office.to_owned();
        Display::connect(&nats.url(), move |config| {
            config.nats = Some(NatsFeed { broker, office });
            config.ping_every = Duration::from_millis(200);
            let (reporter, screen) = herald::status::Shared::new();
            reporter.set_identity("counter", &["sk".into()], "all");
            config.reporter = Some(reporter);
            // No window here: a stand-in screen answers picture requests with a small PNG.
            std::thread::spawn(move || {
                while let Ok(asked) = screen.recv() {
                    let mut png = Vec::new();
                    let mut encoder = png::Encoder::new(&mut png, 4, 3);
                    encoder.set_color(png::ColorType::Rgb);
                    let written = encoder
                        .write_header()
                        .and_then(|mut w| w.write_image_data(&[200; 36]).and_then(|()| w.finish()));
                    let _ = asked
                        .reply
                        .send(written.map(|()| png).map_err(|e| e.to_string()));
                }
            });
        })
    };
    let mut rajec = follow(OFFICE);
    assert!(
        rajec.pump_until(PATIENCE, |d| d.board.last_seq().is_some()),
        "the office's own display could not read its snapshot"
    );
    post_calls(&relay, 1, 3);
    assert!(
        rajec.pump_until(PATIENCE, |d| d.called.len() >= 3),
        "called {:?}",
        rajec.called
    );
    // The same credentials pointed at another office: refused, said, and nothing shown.
    let mut other = follow("sk.other");
    assert!(
        other.pump_until(PATIENCE, |d| !d.disconnects.is_empty()),
        "a display followed an office its credentials do not allow"
    );
    eprintln!("refused: {}", other.disconnects[0].1);
    assert!(other.board.last_seq().is_none(), "it read the other office");
    rajec.assert_each_call_once(3);

    // Its reports reach the relay's console, filed under its own office (the relay's keepalive
    // asks for them within 10 s).
    let console = relay.relay.console().expect("a console").clone();
    let listed = |office: &str, display: &str| {
        console.with_displays(|d| {
            d.get(&(office.to_owned(), display.to_owned()))
                .and_then(|s| s.report.as_ref().map(|r| r.layout.clone()))
        })
    };
    let end = Instant::now() + PATIENCE;
    while listed(OFFICE, "test-display").is_none() {
        rajec.pump();
        assert!(
            Instant::now() < end,
            "the NATS display's report never reached the console"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(listed(OFFICE, "test-display").as_deref(), Some("counter"));
    // The console asks it for a picture over NATS, and gets it.
    assert!(console.ask_thumbnail(OFFICE, "test-display", 320));
    let pictured = || {
        console.with_displays(|d| {
            d.get(&(OFFICE.to_owned(), "test-display".to_owned()))
                .and_then(|s| s.thumbnail.as_ref().map(|t| (t.width, t.height)))
        })
    };
    let end = Instant::now() + PATIENCE;
    while pictured().is_none() {
        assert!(
            Instant::now() < end,
            "the thumbnail asked on NATS never came"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(pictured(), Some((4, 3)));
    // With the same credentials, a report for another office is refused by the broker: what the
    // same connection sends after it arrives, it never does.
    runtime().block_on(async {
        let client = fleet::connect(&as_user("display-sk-rajec", "rajec-pw"), "forger", PATIENCE)
            .await
            .expect("connect");
        let status = |display: &str| {
            let envelope = fleet::StatusEnvelope {
                display: display.into(),
                frame: herald_core::protocol::ClientMessage::Status {
                    v: herald_core::protocol::VERSION,
                    status: Box::new(herald_core::report::DisplayReport {
                        layout: "forged".into(),
                        ..Default::default()
                    }),
                },
            };
            serde_json::to_vec(&envelope).expect("json")
        };
        let _ = client
            .publish(fleet::status_subject("sk.other"), status("forged").into())
            .await;
        client
            .publish(fleet::status_subject(OFFICE), status("probe").into())
            .await
            .expect("its own office's subject");
        let _ = client.flush().await;
    });
    let end = Instant::now() + PATIENCE;
    while listed(OFFICE, "probe").is_none() {
        assert!(Instant::now() < end, "the probe never arrived");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        listed("sk.other", "forged"),
        None,
        "a report for another office was heard"
    );
}
