//! The office's console in a real browser: Chromium (WebDriver) against a real herald-relay
//! with three real herald displays under Xvfb in two offices. Sign in, see them live, kill one
//! and see it go offline on the page and the alert arrive at the office's webhook, bring it
//! back, and check a thumbnail's pixels against the display's own `/screenshot.png`.
//! axe-core checks every page; a display whose id holds markup and a bidi override is shown
//! as text.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use herald_relay::running::{self, Extras, RunningRelay};
use herald_relay::site::{Account, ConsoleSite, OfficeSite, Role, Site};
use herald_relay::store::Store;
use support::Herald;
use support::browser::{self, Driver, until};

const PASSWORD: &str = "Pracovisko-3 heslo";
/// The display whose id tries to be markup and to turn its text around.
const TRICKY: &str = "<script>alert(1)</script>\u{202E}2-poschodie";

/// An office gateway that takes alert webhooks and hands their bodies to the test.
fn webhook_receiver() -> (u16, mpsc::Receiver<serde_json::Value>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("address").port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            if let Ok(value) = serde_json::from_slice(&body) {
                let _ = tx.send(value);
            }
        }
    });
    (port, rx)
}

fn site(dir: &Path, webhook: u16) -> Site {
    let hash = herald_relay::console::logins::hash(PASSWORD).expect("hash");
    let mut kosice = OfficeSite::open("sk.kosice", "sk");
    kosice.name = Some("Košice, Hlavná 68".into());
    let mut zhytomyr = OfficeSite::open("ua.zhytomyr", "uk");
    zhytomyr.name = Some("Житомир, майдан Корольова".into());
    let mut site = Site::single(kosice, "127.0.0.1:0", dir.join("relay.db"));
    site.offices.push(zhytomyr);
    site.console = Some(ConsoleSite {
        accounts: vec![
            Account {
                name: "it".into(),
                role: Role::It,
                offices: Vec::new(),
                password_hash: hash.clone(),
            },
            Account {
                name: "olena".into(),
                role: Role::Staff,
                offices: vec!["ua.zhytomyr".into()],
                password_hash: hash,
            },
        ],
        alert_after: Duration::from_secs(5),
        alert_webhook: Some(format!("http://127.0.0.1:{webhook}/alerts")),
        alert_webhook_token: None,
        public_url: None,
    });
    site
}

fn display(dir: &Path, relay: &RunningRelay, office: &str, id: &str, extra: &[&str]) -> Herald {
    let url = relay.feed_url(office);
    let mut args = vec!["--feed", &url, "--display", id, "--mute", "--lang", "sk,uk"];
    args.extend_from_slice(extra);
    let name = format!(
        "{office}-{}",
        id.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
    );
    let mut herald = Herald::start(dir, &name, &args, &[]);
    herald.wait_for("connected", 1, Duration::from_secs(90));
    herald
}

fn state_of(display: &str) -> String {
    format!(
        "[...document.querySelectorAll('tr[data-display]')].find(r => r.dataset.display === {})?.dataset.state",
        serde_json::to_string(display).expect("json")
    )
}

fn webhook_note(
    notes: &mpsc::Receiver<serde_json::Value>,
    event: &str,
    display: &str,
    limit: Duration,
) -> serde_json::Value {
    let end = Instant::now() + limit;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        let note = notes
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no {event} webhook for {display} within {limit:?}"));
        if note["event"] == event && note["display"] == display {
            return note;
        }
    }
}

async fn save_screenshot(client: &Client, path: &Path) {
    let png = client.screenshot().await.expect("a screenshot");
    std::fs::write(path, png).expect("screenshot written");
    // `HERALD_DOCS_SHOTS=1` also puts it into docs/console/ (the pictures docs/console.md shows).
    if std::env::var_os("HERALD_DOCS_SHOTS").is_some()
        && let Some(name) = path.file_name()
    {
        let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/console");
        let _ = std::fs::create_dir_all(&docs);
        let _ = std::fs::copy(path, docs.join(name));
    }
}

/// The mean difference per colour channel between two RGB pictures of the same size.
fn difference(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    let total: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    total as f64 / a.as_raw().len().max(1) as f64
}

#[test]
fn the_console_shows_every_display_and_says_when_one_goes_dark() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("console");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("folder");
    let (webhook, notes) = webhook_receiver();
    let site = site(&dir, webhook);
    let relay = running::spawn(
        site.clone(),
        Store::open(&site.database).expect("log"),
        None,
        Extras::default(),
    )
    .expect("relay starts");
    let status_port = support::http::free_port().to_string();
    let status = format!("127.0.0.1:{status_port}");
    let mut hall = display(
        &dir,
        &relay,
        "sk.kosice",
        "kosice-hala",
        &["--status", &status],
    );
    let mut tricky = display(&dir, &relay, "sk.kosice", TRICKY, &[]);
    let zhytomyr = display(&dir, &relay, "ua.zhytomyr", "zhytomyr-zal", &[]);
    let axe = browser::axe_source();
    let driver = Driver::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let client = driver.browser(&dir.join("chromium"), 1280, 900).await;
        // Without a session the console sends the browser to the login form.
        client.goto(&relay.url("/console/?lang=sk")).await.expect("console opens");
        let url = client.current_url().await.expect("url");
        assert_eq!(url.path(), "/console/login", "no page without a session");
        assert!(
            browser::accessibility_problems(&client, &axe).await.is_empty(),
            "the login form: {:?}",
            browser::accessibility_problems(&client, &axe).await
        );
        client.find(Locator::Id("name")).await.expect("name field").send_keys("it").await.expect("typed");
        client.find(Locator::Id("password")).await.expect("password field").send_keys(PASSWORD).await.expect("typed");
        client.find(Locator::Css("button[type=submit]")).await.expect("button").click().await.expect("signed in");

        // Three displays of two offices, all live.
        until(&client, Duration::from_secs(60), "three live displays", &format!(
            "document.querySelectorAll('tr[data-state=live]').length === 3 && {} === 'live'",
            state_of(TRICKY)
        )).await;
        let offices = client
            .execute("return [...document.querySelectorAll('caption')].map(c => c.textContent);", vec![])
            .await
            .expect("captions");
        let offices = offices.to_string();
        assert!(offices.contains("Košice") && offices.contains("Житомир"), "{offices}");
        // The tricky id is text: shown with its markup and its override visible, and nothing
        // it holds became an element.
        let shown = client
            .execute(
                "return [...document.querySelectorAll('tr[data-display] td:nth-child(2)')].map(t => t.textContent);",
                vec![],
            )
            .await
            .expect("names");
        assert!(
            shown.to_string().contains("<script>alert(1)</script>⟦U+202E⟧2-poschodie"),
            "{shown}"
        );
        let scripts = client
            .execute("return document.querySelectorAll('script').length;", vec![])
            .await
            .expect("scripts");
        assert_eq!(scripts, serde_json::json!(2), "only the page's own scripts");
        let problems = browser::accessibility_problems(&client, &axe).await;
        assert!(problems.is_empty(), "the displays page: {problems:?}");
        // Pictures in the list (asked for when the page loads).
        let pictures = "document.querySelectorAll('td.picture img').length === 3 && [...document.querySelectorAll('td.picture img')].every(i => i.complete && i.naturalWidth > 0)";
        until(&client, Duration::from_secs(60), "thumbnails in the list", pictures).await;
        // A call in each office: each screen shows it, and the console says so.
        for (office, ticket, counter) in [("sk.kosice", "A042", "3"), ("ua.zhytomyr", "B017", "5")] {
            let body = format!(r#"{{"type":"call","call_id":"c-{ticket}","ticket":"{ticket}","counter":"{counter}","service":"Miestne dane"}}"#);
            let answer = herald_relay::client::post_json(&relay.url(&format!("/v1/offices/{office}/events")), None, Some(ticket), &body)
                .await
                .expect("the relay takes the call");
            assert_eq!(answer.status, 202, "{}", answer.text());
        }
        until(&client, Duration::from_secs(60), "the last calls on the page",
              "[...document.querySelectorAll('tr[data-display] td:last-child')].map(t => t.textContent).sort().join('|') === 'A042 → 3|A042 → 3|B017 → 5'").await;
        // Fresh pictures with the calls on them.
        let before = client.execute("return [...document.querySelectorAll('td.picture img')].map(i => i.src).join(' ');", vec![]).await.expect("srcs");
        let console = relay.relay.console().expect("the console").clone();
        for (office, id) in [("sk.kosice", "kosice-hala"), ("sk.kosice", TRICKY), ("ua.zhytomyr", "zhytomyr-zal")] {
            assert!(console.ask_thumbnail(office, id, 320), "{id} is connected");
        }
        until(&client, Duration::from_secs(60), "new pictures", &format!(
            "[...document.querySelectorAll('td.picture img')].every(i => !{before}.includes(i.src)) && {pictures}"
        )).await;
        client.goto(&relay.url("/console/?lang=sk")).await.expect("in Slovak");
        until(&client, Duration::from_secs(30), "the Slovak page",
              &format!("document.documentElement.lang === 'sk' && {pictures}")).await;
        save_screenshot(&client, &dir.join("console-sk.png")).await;
        client.goto(&relay.url("/console/?lang=uk")).await.expect("in Ukrainian");
        until(&client, Duration::from_secs(30), "the Ukrainian page",
              &format!("document.documentElement.lang === 'uk' && {pictures}")).await;
        save_screenshot(&client, &dir.join("console-uk.png")).await;

        // One display dies: offline on the page within the alert threshold plus 5 s, and the
        // office's gateway hears of it.
        let killed = Instant::now();
        zhytomyr.kill_hard();
        until(&client, Duration::from_secs(10), "Zhytomyr offline on the page",
              &format!("{} === 'offline'", state_of("zhytomyr-zal"))).await;
        let seen_offline = killed.elapsed();
        let alert = webhook_note(&notes, "alert", "zhytomyr-zal", Duration::from_secs(30));
        assert_eq!(alert["problem"], "offline");
        assert_eq!(alert["office"], "ua.zhytomyr");
        until(&client, Duration::from_secs(10), "the alert on the page",
              "document.querySelector('tr[data-display=\"zhytomyr-zal\"] .alert') !== null").await;
        save_screenshot(&client, &dir.join("console-offline-uk.png")).await;
        eprintln!("offline on the page {:.1} s after the kill; alert after {:.1} s", seen_offline.as_secs_f64(), killed.elapsed().as_secs_f64());

        // Back again: live, and "back" said.
        let _zhytomyr = display(&dir, &relay, "ua.zhytomyr", "zhytomyr-zal", &[]);
        until(&client, Duration::from_secs(60), "Zhytomyr live again",
              &format!("{} === 'live'", state_of("zhytomyr-zal"))).await;
        webhook_note(&notes, "back", "zhytomyr-zal", Duration::from_secs(30));

        // A display's page: a fresh picture on demand, compared with the display's own
        // screenshot.
        client.goto(&relay.url("/console/display/sk.kosice/kosice-hala?lang=sk")).await.expect("display page");
        until(&client, Duration::from_secs(30), "the display page", "document.body.dataset.loaded").await;
        let problems = browser::accessibility_problems(&client, &axe).await;
        assert!(problems.is_empty(), "a display's page: {problems:?}");
        let before = client
            .execute("return document.querySelector('.picture-large img')?.src || '';", vec![])
            .await
            .expect("src");
        let (code, screen) = support::http::get(status_port.parse().expect("port"), "/screenshot.png", None);
        assert_eq!(code, 200);
        client.find(Locator::Id("refresh-picture")).await.expect("button").click().await.expect("clicked");
        until(&client, Duration::from_secs(30), "a new picture",
              &format!("(document.querySelector('.picture-large img')?.src || '') !== {} && document.querySelector('.picture-large img').complete", before)).await;
        let src = client
            .execute("return document.querySelector('.picture-large img').src;", vec![])
            .await
            .expect("src");
        let src = src.as_str().unwrap_or_default().to_owned();
        let cookie = client.get_named_cookie("herald_console").await.expect("session cookie");
        let path = src.split_once("/console/").map(|(_, p)| format!("/console/{p}")).unwrap_or_default();
        let answer = herald_relay::client::request(
            "GET",
            &relay.url(&path),
            &[("cookie", format!("herald_console={}", cookie.value()))],
            Vec::new(),
            None,
        )
        .await
        .expect("thumbnail");
        assert_eq!(answer.status, 200);
        let thumbnail = image::load_from_memory(&answer.body).expect("a PNG").to_rgb8();
        let screen = image::load_from_memory(&screen).expect("a PNG");
        let screen = screen.thumbnail_exact(thumbnail.width(), thumbnail.height()).to_rgb8();
        let off = difference(&thumbnail, &screen);
        eprintln!("thumbnail {}×{}, mean difference from the screenshot {off:.2}/255", thumbnail.width(), thumbnail.height());
        assert!(thumbnail.width() >= 320, "{}", thumbnail.width());
        assert!(off < 8.0, "the thumbnail is not the screen: {off:.2}");
        // A test call to this display: shown here, on no other display, and not in the
        // office's log.
        let seq = relay.relay.seq("sk.kosice");
        let ticket = client.find(Locator::Id("test-ticket")).await.expect("ticket field");
        ticket.clear().await.expect("cleared");
        ticket.send_keys("T777").await.expect("typed");
        client.find(Locator::Css("#test-call button[type=submit]")).await.expect("button").click().await.expect("sent");
        until(&client, Duration::from_secs(10), "the console says it was sent",
              "document.getElementById('test-call-said').textContent.length > 0").await;
        let said = client.execute("return document.getElementById('test-call-said').textContent;", vec![]).await.expect("said");
        assert!(said.to_string().contains("Odoslané"), "{said}");
        hall.wait_for("call_shown", 2, Duration::from_secs(60));
        assert_eq!(hall.tickets("call_shown"), ["A042", "T777"]);
        assert_eq!(relay.relay.seq("sk.kosice"), seq, "a test call is not stored");
        save_screenshot(&client, &dir.join("console-display-sk.png")).await;
        let body = r#"{"type":"call","call_id":"c-A043","ticket":"A043","counter":"4"}"#;
        let answer = herald_relay::client::post_json(&relay.url("/v1/offices/sk.kosice/events"), None, Some("A043"), body)
            .await
            .expect("the relay takes the call");
        assert_eq!(answer.status, 202);
        tricky.wait_for("call_shown", 2, Duration::from_secs(60));
        assert_eq!(tricky.tickets("call_shown"), ["A042", "A043"], "the test call reached another display");
        let _ = client.close().await;
    });
}
