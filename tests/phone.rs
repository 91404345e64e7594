//! The visitor's phone page in a real browser: Debian's chromium through chromedriver, a
//! phone-sized window (390×844), against a real relay fed by webhook. Follow a ticket, see the
//! call arrive within 2 s with its sound played, a recall ring again, other tickets' calls not
//! ring; the page talks only to the relay's origin, stores nothing, and passes axe-core in two
//! languages.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use herald_relay::running::{self, Extras, RunningRelay};
use herald_relay::site::{OfficeSite, Site};
use herald_relay::store::Store;
use support::browser::{self, Driver, until, value};

/// Posts one webhook event; the seq it was stored as.
async fn post(relay: &RunningRelay, body: &str) -> u64 {
    let answer = herald_relay::client::post_json(
        &relay.url("/v1/offices/sk.rajec/events"),
        None,
        None,
        body,
    )
    .await
    .expect("the relay answers");
    assert_eq!(answer.status, 202, "{}", answer.text());
    let json: serde_json::Value = serde_json::from_slice(&answer.body).expect("json");
    json["seq"][1].as_u64().expect("a seq")
}

fn call(id: &str, ticket: &str, counter: &str) -> String {
    format!(r#"{{"type":"call","call_id":"{id}","ticket":"{ticket}","counter":"{counter}"}}"#)
}

async fn seen_seq(client: &Client, seq: u64) {
    until(
        client,
        Duration::from_secs(10),
        &format!("the page at seq {seq}"),
        &format!("Number(document.body.dataset.seq) >= {seq}"),
    )
    .await;
}

fn keep(dir: &Path, name: &str, png: &[u8]) {
    std::fs::write(dir.join(name), png).expect("picture written");
    if std::env::var_os("HERALD_DOCS_SHOTS").is_some() {
        let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/phone");
        let _ = std::fs::create_dir_all(&docs);
        let _ = std::fs::write(docs.join(name), png);
    }
}

#[test]
fn a_visitor_follows_a_ticket_and_is_alerted_when_it_is_called_and_recalled() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("phone");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("folder");
    let mut rajec = OfficeSite::open("sk.rajec", "sk");
    rajec.name = Some("Rajec, Námestie SNP".into());
    let site = Site::single(rajec, "127.0.0.1:0", dir.join("relay.db"));
    let relay = running::spawn(
        site.clone(),
        Store::open(&site.database).expect("log"),
        None,
        Extras::default(),
    )
    .expect("relay starts");
    let axe = browser::axe_source();
    let driver = Driver::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        post(&relay, &call("c1", "A001", "1")).await;
        post(&relay, r#"{"type":"notice","notice_id":"n1","text":{"sk":"Matrika dnes do 12:00.","uk":"РАЦС сьогодні до 12:00."}}"#).await;
        let client = driver.browser(&dir.join("chromium"), 390, 844).await;
        client.goto(&relay.url("/o/sk.rajec/?lang=sk")).await.expect("the page opens");
        until(&client, Duration::from_secs(10), "the board on the page", "document.body.dataset.seq").await;
        let problems = browser::accessibility_problems(&client, &axe).await;
        assert!(problems.is_empty(), "the page in Slovak: {problems:?}");

        // Follow K018; the queue system says who is next.
        client.find(Locator::Id("ticket")).await.expect("field").send_keys("k018").await.expect("typed");
        client.find(Locator::Css("#follow-form button")).await.expect("button").click().await.expect("follow");
        let seq = post(&relay, r#"{"type":"queue","services":[{"service":"K","waiting":4,"wait_minutes":12,"next":["K016","K017","K018"]}]}"#).await;
        seen_seq(&client, seq).await;
        assert_eq!(value(&client, "document.getElementById('mine-before').textContent").await, "Pred vami: 2");
        keep(&dir, "phone-waiting-sk.png", &client.screenshot().await.expect("screenshot"));

        // Another ticket's call: listed, no alert.
        let seq = post(&relay, &call("c2", "K016", "2")).await;
        seen_seq(&client, seq).await;
        assert!(value(&client, "document.getElementById('now').textContent").await.as_str().is_some_and(|t| t.contains("K016 → Okienko 2")));
        assert_eq!(value(&client, "document.getElementById('called').hidden").await, true);
        assert_eq!(value(&client, "document.getElementById('sound').dataset.played || '0'").await, "0");

        // K018 is called: the page changes within 2 s, rings, and says it.
        let posted = Instant::now();
        post(&relay, &call("c3", "K018", "3")).await;
        until(&client, Duration::from_secs(5), "the call on the page",
              "!document.getElementById('called').hidden && document.title.startsWith('▶ K018')").await;
        let took = posted.elapsed();
        eprintln!("the call on the phone page {:.0} ms after the webhook", took.as_secs_f64() * 1000.0);
        assert!(took < Duration::from_secs(2), "took {took:?}");
        until(&client, Duration::from_secs(5), "the sound played", "document.getElementById('sound').dataset.played === '1'").await;
        assert_eq!(value(&client, "document.getElementById('said').textContent").await, "K018: nech sa páči, Okienko 3");
        assert_eq!(value(&client, "document.getElementById('called-counter').textContent").await, "Okienko 3");
        keep(&dir, "phone-called-sk.png", &client.screenshot().await.expect("screenshot"));

        // A recall rings again; another call after it does not.
        post(&relay, r#"{"type":"recall","call_id":"c3"}"#).await;
        until(&client, Duration::from_secs(5), "the recall rang", "document.getElementById('sound').dataset.played === '2'").await;
        assert!(value(&client, "document.getElementById('said').textContent").await.as_str().is_some_and(|t| t.contains("opakovane")));
        let seq = post(&relay, &call("c4", "A002", "1")).await;
        seen_seq(&client, seq).await;
        assert_eq!(value(&client, "document.getElementById('sound').dataset.played").await, "2");
        assert!(value(&client, "document.getElementById('sound').dataset.refused || ''").await == "", "the browser refused the sound");

        // Nothing stored, nothing elsewhere, light.
        assert!(client.get_all_cookies().await.expect("cookies").is_empty(), "a cookie was set");
        assert_eq!(value(&client, "document.cookie + localStorage.length + sessionStorage.length").await, "00");
        let origin = relay.url("");
        // The network's requests (the browser's own chrome:// and data: pages are not network).
        let requested: Vec<String> = browser::requested_urls(&driver, &client)
            .await
            .into_iter()
            .filter(|u| !u.starts_with("chrome://") && !u.starts_with("data:") && !u.starts_with("about:"))
            .collect();
        eprintln!("Chromium's network log: {} requests", requested.len());
        for path in ["/o/sk.rajec/", "/o/static/phone.js", "/o/static/phone.css", "/o/static/called.wav", "/o/sk.rajec/events"] {
            assert!(requested.iter().any(|u| u.contains(path)), "{path} is not in the network log: {requested:?}");
        }
        for url in &requested {
            assert!(url.starts_with(&origin), "a request to elsewhere: {url} (origin {origin})");
        }
        let bytes = value(&client, "performance.getEntries().filter(e => e.transferSize !== undefined).reduce((n, e) => n + e.encodedBodySize, 0)").await;
        let bytes = bytes.as_f64().unwrap_or(f64::MAX);
        eprintln!("the page and its assets: {bytes:.0} bytes ({} requests)", requested.len());
        assert!(bytes < 60_000.0, "{bytes} bytes");

        // Ukrainian: the same board, the followed ticket shown as called at once.
        client.goto(&relay.url("/o/sk.rajec/?lang=uk")).await.expect("in Ukrainian");
        until(&client, Duration::from_secs(10), "the Ukrainian board", "document.documentElement.lang === 'uk' && document.body.dataset.seq").await;
        let problems = browser::accessibility_problems(&client, &axe).await;
        assert!(problems.is_empty(), "the page in Ukrainian: {problems:?}");
        assert!(value(&client, "document.getElementById('notices').textContent").await.as_str().is_some_and(|t| t.contains("РАЦС")));
        client.find(Locator::Id("ticket")).await.expect("field").send_keys("B007").await.expect("typed");
        client.find(Locator::Css("#follow-form button")).await.expect("button").click().await.expect("follow");
        keep(&dir, "phone-waiting-uk.png", &client.screenshot().await.expect("screenshot"));
        post(&relay, &call("c5", "B007", "5")).await;
        until(&client, Duration::from_secs(5), "the call in Ukrainian", "!document.getElementById('called').hidden").await;
        assert_eq!(value(&client, "document.getElementById('called-counter').textContent").await, "Вікно 5");
        keep(&dir, "phone-called-uk.png", &client.screenshot().await.expect("screenshot"));

        // A ticket's QR code with its number after #t= fills the field (the server never sees it).
        client.goto(&relay.url("/o/sk.rajec/?lang=sk#t=k019")).await.expect("scanned");
        until(&client, Duration::from_secs(10), "the scanned ticket", "document.getElementById('ticket').value === 'K019'").await;
        // 360 px wide at 200 % zoom: nothing wider than the screen.
        client.set_window_size(360, 800).await.expect("narrow");
        client.execute("document.documentElement.style.zoom = '2';", vec![]).await.expect("zoom");
        until(&client, Duration::from_secs(10), "the zoomed page laid out", "document.body.dataset.seq").await;
        let widths = value(&client, "[document.documentElement.scrollWidth, document.documentElement.clientWidth, innerWidth, [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 8)]").await;
        eprintln!("widths at 360 px, 200 %: {widths}");
        let wide = value(&client, "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1").await;
        assert_eq!(wide, true, "the page scrolls sideways at 360 px and 200 %");
        keep(&dir, "phone-360-200-sk.png", &client.screenshot().await.expect("screenshot"));
    });
}
